#!/usr/bin/env bash
# File events, real eBPF, on the host and in a real runc container at a
# docker cgroup path: the kernel-side filter records changes under the
# sensitive list (created, written, truncated, renamed, linked, unlinked,
# chmod'ed, chown'ed), every file made executable anywhere, reads of
# secrets only; relative, dirfd-relative and ".." paths come out absolute
# as the kernel resolved them; failed attempts carry their error; what is
# not sensitive is not recorded; --watch adds a prefix; kernel tunables
# (sysctl, sysrq-trigger) written from a container are recorded refused;
# a device node carries its number; a sensitive name (cron.d/, passwd) on
# a host path bound into the container is recorded, flagged other_mount,
# and the same name on the root filesystem is not; --no-file-events
# turns the family off and leaves the others on. Ground truth: the paths
# the test itself writes (with its pid in their names).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"

t=exr-ev$$
W=$S/watched
mkdir -p "$W"
exr_on_exit "rm -f /etc/$t-* /tmp/$t-*"
ev_fact tag "$t"
ev_fact watched "$W"
unpriv=(setpriv --reuid 1000 --regid 1000 --clear-groups)

# the container: its /etc is read-only (a failed attempt), its /tmp a tmpfs,
# a host directory bound in at /host-etc (a hostPath volume of the node's /etc)
mkdir -p "$S/hostetc/cron.d" "$S/hostetc/bin" "$S/hostetc/kubernetes/manifests" "/tmp/$t-dir/cron.d"
echo root:x:0:0::/root:/bin/sh >"$S/hostetc/passwd"
exr_container_run --bind "$S/hostetc:/host-etc" evc docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"

ev_start --watch "$W" --watch /tmp/cwatch

# --- host
echo a >"/etc/$t-new"                                  # create
echo b >>"/etc/$t-new"                                 # write (append)
: >"/etc/$t-new"                                       # truncate
(cd /etc && echo c >"$t-rel")                          # relative to the cwd
"$EVT" openat /etc "$t-dirfd" 101 644 >"$S/openat.out" # relative to a dirfd
echo d >"/usr/../etc/$t-dots"                          # ".." in the path
(cd /tmp && rm "../etc/$t-dots")                       # unlink, joined and folded
mv "/etc/$t-rel" "/etc/$t-moved"                       # rename
"$EVT" renameat /etc "$t-moved" "$t-moved2" >/dev/null # renameat, dirfd-relative
ln "/etc/$t-moved2" "/etc/$t-hard"                     # hard link
ln -s /etc/shadow "/tmp/$t-sym"                        # symlink to a secret
chown 1000 "/etc/$t-hard"                              # chown
cp /bin/true "/tmp/$t-exe"                             # created executable, anywhere
echo plain >"/tmp/$t-plain"                            # not sensitive: not recorded
chmod 755 "/tmp/$t-plain"                              # made executable: recorded
chmod 4755 "/tmp/$t-exe"                               # setuid bit
mknod "/tmp/$t-dev" c 1 3                              # a device node, anywhere
echo x >"/tmp/$t-dir/cron.d/job"                       # a sensitive name on the root mount: not recorded
exr_on_exit "rm -rf '/tmp/$t-dir'"
cat /etc/shadow >/dev/null                             # a secret read
cat /etc/hostname >/dev/null                           # not a secret: not recorded
"${unpriv[@]}" cat /etc/shadow 2>/dev/null             # refused read: -EACCES
"${unpriv[@]}" sh -c "echo x >/etc/$t-denied" 2>/dev/null # refused create
sh -c 'cat /proc/$PPID/environ >/dev/null; cat /proc/self/environ >/dev/null'
echo w >"$W/inside"                                    # --watch
echo c >"$W-sibling"                                   # next to it: not watched
exr_on_exit "rm -f '$W-sibling'"
ev_fact shell "$$"

# --- container (paths as the container sees them)
exr_container_exec evc sh -c "echo x >/etc/evil" 2>/dev/null        # EROFS
exr_container_exec evc sh -c "cd /tmp && cp /bin/busybox ./dropper && chmod 755 dropper"
exr_container_exec evc sh -c "mkdir -p /tmp/cwatch && cd /tmp/cwatch && echo x >rel"
exr_container_exec evc sh -c 'cat /proc/1/environ /proc/self/environ >/dev/null'
exr_container_exec evc sh -c 'echo 1 >/proc/sys/kernel/sysrq; echo h >/proc/sysrq-trigger' 2>/dev/null
exr_container_exec evc sh -c 'mknod /tmp/mem c 1 1; mknod /tmp/sda b 8 0; mkfifo /tmp/fifo' 2>/dev/null
exr_container_exec evc sh -c 'echo job >/host-etc/cron.d/evil; echo x >/host-etc/notes.txt'
exr_container_exec evc sh -c 'echo root::0:0::/:/bin/sh >>/host-etc/passwd'
exr_container_exec evc sh -c 'echo "#!/bin/sh" >/host-etc/bin/runc; echo "kind: Pod" >/host-etc/kubernetes/manifests/p.yaml'
ev_stop

ev_py file <<'PY'
from evcheck import *
t, W = F["tag"], F["watched"]
cg = int(F["cgid"])
host = lambda e: e != cg
f = lambda p: ("file", p)
one("create", "file", {"sensitive": True, "mode": "0644"}, op="create", path=f"/etc/{t}-new",
    ret=lambda r: r >= 0)
one("append is a write", "file", {"sensitive": True}, op="write", path=f"/etc/{t}-new")
one("O_TRUNC of an existing file", "file", {"sensitive": True}, op="truncate", path=f"/etc/{t}-new")
one("relative to the cwd", "file", {"sensitive": True}, op="create", path=f"/etc/{t}-rel")
one("relative to a dirfd", "file", {"flags": 0o101}, op="create", path=f"/etc/{t}-dirfd")
one("'..' resolved (open)", "file", {}, op="create", path=f"/etc/{t}-dots")
e = one("'..' folded (unlink by relative path)", "file", {"ret": 0}, op="unlink",
        path=f"/etc/{t}-dots")
if e:
    check("unlink: not flagged unresolved", not e.get("path_unresolved"))
one("rename", "file", {"path2": f"/etc/{t}-moved", "ret": 0}, op="rename", path=f"/etc/{t}-rel")
one("renameat (dirfd)", "file", {"path2": f"/etc/{t}-moved2"}, op="rename",
    path=f"/etc/{t}-moved")
one("link", "file", {"path2": f"/etc/{t}-hard"}, op="link", path=f"/etc/{t}-moved2")
one("symlink to a secret", "file",
    {"path": "/etc/shadow", "path_unresolved": True, "sensitive": True}, op="symlink",
    path2=f"/tmp/{t}-sym")
one("chown", "file", {"owner_uid": 1000, "owner_gid": -1, "sensitive": True}, op="chown",
    path=f"/etc/{t}-hard")
one("created executable anywhere", "file", {"exec_bits": True, "sensitive": False, "mode": "0755"},
    op="create", path=f"/tmp/{t}-exe")
none("a plain write in /tmp is not recorded", "file", path=f"/tmp/{t}-plain",
     op=lambda o: o != "chmod")
one("made executable", "file", {"exec_bits": True, "mode": "0755"}, op="chmod",
    path=f"/tmp/{t}-plain")
one("setuid bit", "file", {"exec_bits": True, "mode": "04755"}, op="chmod", path=f"/tmp/{t}-exe")
one("device node", "file", {"exec_bits": True, "ret": 0, "rdev": "1:3", "mode": "020666"},
    op="create", path=f"/tmp/{t}-dev")
none("a sensitive name on the root mount is not recorded", "file",
     path=f"/tmp/{t}-dir/cron.d/job")
check("no record is flagged other_mount on the host's root mount",
      not find("file", other_mount=True, path=lambda p: p and p.startswith(f"/tmp/{t}")))
one("secret read", "file", {"sensitive": True}, op="read", path="/etc/shadow", uid=0,
    ret=lambda r: r >= 0)
one("refused secret read", "file", {"uid": 1000}, op="read", path="/etc/shadow", ret=-13)
none("not a secret: no read record", "file", path="/etc/hostname")
one("refused create", "file", {"uid": 1000, "sensitive": True}, op="create",
    path=f"/etc/{t}-denied", ret=-13)
one("another process's environ", "file", {"sensitive": True}, op="read",
    path=f"/proc/{F['shell']}/environ", comm="cat")
none("one's own environ is not recorded", "file", comm="cat", cgroup_id=host,
     path=lambda p: p and p.endswith("/environ") and p != f"/proc/{F['shell']}/environ")
none("container: its own environ is not recorded", "file", cgroup_id=cg,
     path=lambda p: p and p.endswith("/environ") and p != "/proc/1/environ")
one("--watch", "file", {"sensitive": True}, op="create", path=f"{W}/inside")
none("--watch covers the path, not its prefix", "file", path=f"{W}-sibling")
for e in find("file"):
    if e["path"] is None and not e.get("path_unreadable"):
        check("every path present or flagged unreadable", False, e)
        break
else:
    check("every path present or flagged unreadable", True)
check("every recorded path is absolute",
      all(e["path"].startswith("/") for e in find("file")
          if e["path"] and not e.get("path_unresolved")))
# container: the container's own view of paths, its cgroup
one("container: refused write (read-only /etc)", "file", {"ret": -30, "sensitive": True},
    op="create", path="/etc/evil", cgroup_id=cg)
one("container: dropped and made executable", "file", {"exec_bits": True}, op="chmod",
    path="/tmp/dropper", cgroup_id=cg)
one("container: relative path under --watch", "file", {"sensitive": True}, op="create",
    path="/tmp/cwatch/rel", cgroup_id=cg)
one("container: its init's environ", "file", {"sensitive": True}, op="read",
    path="/proc/1/environ", cgroup_id=cg)
one("container: refused sysctl write", "file", {"sensitive": True}, op="create", ret=lambda r: r < 0,
    path="/proc/sys/kernel/sysrq", cgroup_id=cg)
one("container: refused sysrq-trigger write", "file", {"sensitive": True},
    path="/proc/sysrq-trigger", cgroup_id=cg, ret=lambda r: r < 0)
one("container: refused mknod of /dev/mem's numbers", "file",
    {"ret": -1, "rdev": "1:1", "mode": "020666", "exec_bits": True}, op="create", path="/tmp/mem",
    cgroup_id=cg)
one("container: refused mknod of a block device", "file", {"ret": -1, "rdev": "8:0"},
    op="create", path="/tmp/sda", cgroup_id=cg)
none("container: a fifo is no device node", "file", path="/tmp/fifo", cgroup_id=cg)
one("container: cron.d/ on a host path bound in", "file",
    {"sensitive": True, "other_mount": True}, op="create", path="/host-etc/cron.d/evil",
    cgroup_id=cg, ret=lambda r: r >= 0)
one("container: passwd on a host path bound in", "file", {"sensitive": True, "other_mount": True},
    op="write", path="/host-etc/passwd", cgroup_id=cg)
one("container: a program in a bin/ on a host path bound in", "file",
    {"sensitive": True, "other_mount": True}, op="create", path="/host-etc/bin/runc", cgroup_id=cg)
one("container: a static pod manifest on a host path bound in", "file",
    {"sensitive": True, "other_mount": True}, op="create",
    path="/host-etc/kubernetes/manifests/p.yaml", cgroup_id=cg)
none("container: a plain file on the host path is not recorded", "file",
     path="/host-etc/notes.txt")
PY

# --- --no-file-events: no file record, the other families on
ev_start --no-file-events
echo x >"/etc/$t-nofile"
"$EVT" setuid 0 >/dev/null
ev_stop
ev_py no-file-events <<'PY'
from evcheck import *
none("--no-file-events: no file records", "file")
check("--no-file-events: priv still recorded", bool(find("priv", comm="exr-events")))
PY
rel_done events_file
