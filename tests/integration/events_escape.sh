#!/usr/bin/env bash
# How a container reaches outside itself (format 1.5 file records), real
# eBPF, real runc containers: a connect to a runtime socket bound in (the
# name given and the name the host's listener bound), an abstract socket
# name, a refused connect; file handles (name_to_handle_at, then
# open_by_handle_at; a forged ext4 handle; refused without
# CAP_DAC_READ_SEARCH); cgroup control files written through a cgroupfs
# the container mounted itself at a path of its choosing (cgroup2
# cgroup.procs naming the cgroup moved into, v1 devices.allow), and the
# same name on a plain filesystem not recorded; a host binary opened
# through /proc/PID/exe from a container sharing the host's pid namespace
# (outside its mount namespace) and reopened for writing (refused:
# ETXTBSY), while opening its own files records nothing. Ground truth: what
# the test does and the ids it reads.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"

t=exr-esc$$
ev_fact tag "$t"
exr_cgroup2_mount
ev_fact cg2root "$(stat -c %i "$EXR_CG2")"

# the node's runtime socket, listened on by the host (a stand-in containerd)
mkdir -p "$S/rt"
exr_bg "$S/listener.log" python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind('$S/rt/containerd.sock'); s.listen(8)
while True:
    c, _ = s.accept(); c.close()"
for _ in $(seq 50); do [ -S "$S/rt/containerd.sock" ] && break; sleep 0.1; done
ev_fact hostsock "$S/rt/containerd.sock"

# a privileged container with the runtime's directory bound in, and an
# unprivileged one in the host's pid namespace
exr_container_run --privileged --bind "$S/rt:/run/containerd" escp docker /bin/sleep 600
ev_fact cgp "$EXR_CGID"
exr_container_run --hostpid escu docker /bin/sleep 600
ev_fact cgu "$EXR_CGID"
# a host process without capabilities: a container's root may open its
# /proc/PID/exe (ptrace read access)
setpriv --bounding-set -all --inh-caps -all sleep 600 &
host_sleep=$!
exr_register pid "$host_sleep"
ev_fact host_sleep "$host_sleep"

ev_start

exr_container_exec escp exr-events connect-unix /run/containerd/containerd.sock >"$S/c1.out"
exr_container_exec escp exr-events connect-unix "@$t" >/dev/null
exr_container_exec escp exr-events connect-unix /run/containerd/none.sock >/dev/null
exr_container_exec escp exr-events handle /run/containerd >"$S/h.out"
exr_container_exec escp exr-events forged-handle /run/containerd 2 >/dev/null
exr_container_exec escp sh -c 'mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg &&
	sh -c "echo \$\$ >/tmp/cg/cgroup.procs"; umount /tmp/cg' >/dev/null
exr_container_exec escp sh -c 'mkdir -p /tmp/dcg && mount -t cgroup -o devices devices /tmp/dcg &&
	cg=$(sed -n "s/^[0-9]*:devices://p" /proc/self/cgroup) &&
	echo a >"/tmp/dcg$cg/devices.allow"; umount /tmp/dcg' >/dev/null
exr_container_exec escp sh -c 'echo 1 >/tmp/tasks; echo 1 >/tmp/cgroup.procs'
exr_container_exec escu exr-events forged-handle /tmp 2 >/dev/null
exr_container_exec escu exr-events reopen-write "/proc/$host_sleep/exe" >"$S/rw.out"
exr_container_exec escu exr-events reopen-write /bin/busybox >/dev/null
ev_stop
cat "$S/c1.out" "$S/h.out" "$S/rw.out"

ev_py escape <<'PY'
from evcheck import *
t, sock = F["tag"], F["hostsock"]
cgp, cgu = int(F["cgp"]), int(F["cgu"])
one("runtime socket: the name given and the host's bound name", "file",
    {"ret": 0, "path2": sock, "sensitive": False}, op="connect",
    path="/run/containerd/containerd.sock", cgroup_id=cgp)
one("abstract socket name, marked; refused (not in the container's netns)", "file",
    {"path_abstract": True, "ret": -111}, op="connect", path="@" + t, cgroup_id=cgp)
one("refused connect: no such socket", "file", {"ret": -2}, op="connect",
    path="/run/containerd/none.sock", cgroup_id=cgp)
h = one("name_to_handle_at", "file", {"ret": 0}, op="name_to_handle", path="/run/containerd",
        cgroup_id=cgp)
one("open_by_handle_at: the file reached, the mount fd, the handle", "file",
    {"path": "/run/containerd", "path2": "/run/containerd", "handle_type": h and h.get("handle_type"),
     "handle_bytes": h and h.get("handle_bytes")},
    op="open_by_handle", cgroup_id=cgp, ret=lambda r: r >= 0,
    handle=lambda x: h is not None and x == h.get("handle"))
one("a forged handle (ext4 inode 2): recorded whatever the outcome", "file",
    {"handle_type": 1, "handle_bytes": 8, "path2": "/run/containerd"},
    op="open_by_handle", cgroup_id=cgp, handle="0200000000000000")
one("no CAP_DAC_READ_SEARCH: the refused open_by_handle_at is recorded", "file",
    {"ret": -1, "path2": "/tmp", "handle": "0200000000000000"}, op="open_by_handle",
    cgroup_id=cgu)
one("cgroup2 cgroup.procs on the container's own mount: the cgroup moved into", "file",
    {"sensitive": True, "fs_magic": "0x63677270", "cgroup_target": int(F["cg2root"])},
    path="/tmp/cg/cgroup.procs", cgroup_id=cgp, ret=lambda r: r >= 0)
one("v1 devices.allow lifted", "file", {"sensitive": True, "fs_magic": "0x27e0eb"},
    path=lambda p: p and p.startswith("/tmp/dcg/") and p.endswith("/devices.allow"),
    cgroup_id=cgp, cgroup_target=lambda c: c and c > 0, ret=lambda r: r >= 0)
none("cgroup names on a plain filesystem are not recorded", "file", cgroup_id=cgp,
     path=lambda p: p in ("/tmp/tasks", "/tmp/cgroup.procs"))
one("a host binary through /proc/PID/exe: outside the mount namespace", "file",
    {"outside_mntns": True}, op="read", path="/usr/bin/sleep", cgroup_id=cgu,
    ret=lambda r: r >= 0)
one("reopened for writing while it runs: refused, recorded", "file", {"ret": -26}, op="write",
    path=lambda p: p and p.startswith("/proc/self/fd/"), cgroup_id=cgu,
    pid=lambda p: p in [e["pid"] for e in find("file", op="read", path="/usr/bin/sleep")])
none("the container's own files: nothing outside its mount namespace", "file", cgroup_id=cgu,
     path="/bin/busybox", outside_mntns=True)
none("no other record outside the mount namespace from the containers", "file",
     outside_mntns=True, cgroup_id=lambda c: c in (cgp, cgu),
     path=lambda p: p != "/usr/bin/sleep")
PY
rel_done events_escape
