# category: container-escape
# technique: T1611
# art: no
# expect: core-pattern-write privileged-mount-in-container
# opts: --no-nnp --cap CAP_SYS_ADMIN
# desc: a container given CAP_SYS_ADMIN (not privileged: its /proc/sys is read-only and its masked paths are covered) mounts a fresh procfs of its own, which has neither, and writes the kernel's core_pattern through it (it writes back the value it holds, so nothing changes)
mkdir -p /tmp/p
mount -t proc proc /tmp/p || { echo "procfs mount refused"; exit 0; }
cur=$(cat /proc/sys/kernel/core_pattern)
printf '%s\n' "$cur" > /proc/sys/kernel/core_pattern 2>/dev/null && echo "the runtime's /proc/sys is writable" || echo "the runtime's /proc/sys is read-only"
printf '%s\n' "$cur" > /tmp/p/sys/kernel/core_pattern && echo "core_pattern written through the fresh procfs"
umount /tmp/p
