# category: container-escape
# technique: T1611
# art: yes
# expect: cgroup-release-agent privileged-mount-in-container
# opts: --privileged
# desc: a privileged container mounts a cgroup v1 hierarchy and writes its release_agent (the CVE-2022-0492 path); never triggered
mkdir -p /tmp/cg
mount -t cgroup -o none,name=exrayeval cgroup /tmp/cg || exit 0
mkdir -p /tmp/cg/x
echo 1 > /tmp/cg/x/notify_on_release
echo /exray-eval-agent-that-does-not-exist > /tmp/cg/release_agent
rmdir /tmp/cg/x
umount /tmp/cg
