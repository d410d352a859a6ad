#!/usr/bin/env bash
# The exec extension, real eBPF: every exec shows the image the kernel
# really ran (`exe`) beside the argument as given (`filename`): a relative
# ./x, //tmp/x, /usr/../tmp/x, a symlink, execveat(AT_EMPTY_PATH), fexecve
# of a memfd, a deleted file run through /proc/self/fd/N, execveat relative
# to a dirfd, `ld.so FILE` (also relative and with loader options), a
# script (its interpreter); with cwd, tty, cap_effective and the image
# flags (memfd, deleted, setuid, loader, upper_layer for a file living in
# a container's overlay upper dir). Inside a real runc container at a
# docker cgroup path the paths are the container's view. Snapshot records
# (task iterator and /proc) carry the extension too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"

D=$(mktemp -d /tmp/exr-exec.XXXXXX)
exr_register dir "$D"
chmod 755 "$D"
cp "$EVT" "$D/x"
cp /bin/true "$D/dyn"
ln -s "$D/x" "$D/link"
cp "$D/x" "$D/suid" && chmod 4755 "$D/suid"
printf '#!/bin/sh\nexit 0\n' >"$D/script.sh" && chmod 755 "$D/script.sh"
LDSO=$(ls /lib64/ld-linux-*.so.* /lib/ld-linux-*.so.* 2>/dev/null | head -1)
[ -n "$LDSO" ] || exr_die "no dynamic loader found"
ev_fact D "$D"
ev_fact sh "$(readlink -f /bin/sh)"
ev_fact ldso "$LDSO"
ev_fact ldso_real "$(readlink -f "$LDSO")"

# a container whose rootfs is an overlay: a file put in its upper dir is
# what a process inside writes; /bin/busybox comes from the lower layer
mkdir -p "$S/upper/usr/local/bin" "$S/work" "$S/merged"
exr_rootfs
cp /bin/busybox "$S/upper/usr/local/bin/true" # busybox runs its argv[0]
mount -t overlay overlay -o "lowerdir=$EXR_ROOTFS,upperdir=$S/upper,workdir=$S/work" "$S/merged" ||
	exr_die "cannot mount an overlay"
exr_on_exit "umount -l '$S/merged'"
exr_container_run --rootfs "$S/merged" evx docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"

# a process alive before the capture, for the snapshot
(cd "$D" && exec setsid sleep 300) </dev/null >/dev/null 2>&1 &
pre=$!
exr_register pid "$pre"
ev_fact pre "$pre"

ev_start
(cd "$D" && ./x memfd m-rel)
"//${D#/}/x" memfd m-slashes
"/usr/..$D/x" memfd m-dots
"$D/link" memfd m-symlink
"$EVT" execveat-empty "$D/x" x memfd m-emptypath
"$EVT" fexec-memfd payload "$D/x" x memfd m-memfd
"$EVT" exec-deleted "$D/x" "$D" x memfd m-deleted >"$S/deleted.out"
ev_fact deleted "$(sed -n 's/^deleted=//p' "$S/deleted.out")"
"$EVT" execat "$D" x x memfd m-dirfd
"$LDSO" "$D/dyn" m-ldso
(cd "$D" && "$LDSO" --library-path /lib ./dyn m-ldso-rel)
"$D/script.sh" m-script
"$D/suid" memfd m-suid
setpriv --reuid 1000 --regid 1000 --clear-groups "$D/x" memfd m-unpriv
script -qc "$D/x memfd m-tty" /dev/null >/dev/null
setsid "$D/x" memfd m-notty </dev/null
"$D/nonexistent" m-failed 2>/dev/null
"$EVT" exec-badptr m-badptr >"$S/badptr.out"
exr_container_exec evx sh -c 'cp /bin/busybox /tmp/true && cd /tmp && ./true m-c-tmp'
exr_container_exec evx /usr/local/bin/true m-c-upper
exr_container_exec evx /bin/busybox true m-c-lower
ev_stop

ev_py exec <<'PY'
from evcheck import *
import os
D = F["D"]
cg = int(F["cgid"])

def ex(mark, **kv):
    return find("exec", argv=lambda a: a and mark in a, **kv)

# the exec of the program under test, not of its launcher (exr-events,
# setsid, script... carry the mark in their argv too): its argv[0]
def case(label, mark, exe, flags=(), filename=None, argv0="x", **kv):
    got = [e for e in ex(mark, ret=0, **kv) if argv0 is None or e["argv"][0] == argv0]
    if not check(f"{label}: recorded", len(got) == 1, f"{len(got)} execs with {mark}"):
        return None
    e = got[0]
    check(f"{label}: exe = {exe}", e.get("exe") == exe, e.get("exe"))
    check(f"{label}: exe_flags = {list(flags)}", sorted(e.get("exe_flags", [None])) == sorted(flags),
          e.get("exe_flags"))
    if filename is not None:
        check(f"{label}: filename = {filename}", e["filename"] == filename, e["filename"])
    return e

e = case("relative ./x", "m-rel", f"{D}/x", filename="./x", argv0="./x")
if e:
    check("relative ./x: cwd", e.get("cwd") == D, e.get("cwd"))
case("//tmp/x", "m-slashes", f"{D}/x", filename=f"/{D}/x", argv0=f"/{D}/x")
case("/usr/../tmp/x", "m-dots", f"{D}/x", filename=f"/usr/..{D}/x", argv0=f"/usr/..{D}/x")
case("symlink", "m-symlink", f"{D}/x", filename=f"{D}/link", argv0=f"{D}/link")
case("execveat AT_EMPTY_PATH", "m-emptypath", f"{D}/x")
case("fexecve of a memfd", "m-memfd", "/memfd:payload", ["memfd"])
case("a deleted file through /proc/self/fd/N", "m-deleted", F["deleted"], ["deleted"])
case("execveat relative to a dirfd", "m-dirfd", f"{D}/x")
e = case("ld.so FILE", "m-ldso", f"{D}/dyn", ["loader"], filename=F["ldso"], argv0=F["ldso"])
if e:
    check("ld.so FILE: exe_ino is the loader's", e.get("exe_ino") == os.stat(F["ldso_real"]).st_ino)
case("ld.so --library-path DIR ./FILE", "m-ldso-rel", f"{D}/dyn", ["loader"], argv0=F["ldso"])
case("a script runs its interpreter", "m-script", F["sh"], filename=f"{D}/script.sh",
     argv0=None)
e = case("setuid image", "m-suid", f"{D}/suid", ["setuid"], argv0=f"{D}/suid")
if e:
    check("exe_ino", e.get("exe_ino") == os.stat(f"{D}/suid").st_ino)
e = case("unprivileged", "m-unpriv", f"{D}/x", argv0=f"{D}/x", uid=1000)
if e:
    check("unprivileged: no effective capability", e.get("cap_effective") == "0000000000000000",
          e.get("cap_effective"))
e = ex("m-rel")
if e:
    check("root: effective capabilities", int(e[0].get("cap_effective", "0"), 16) & 1 << 21,
          e[0].get("cap_effective"))
e = case("a controlling terminal", "m-tty", f"{D}/x", argv0=f"{D}/x")
if e:
    check("tty: true", e.get("tty") is True and ":" in e.get("tty_dev", ""), e)
e = case("no controlling terminal", "m-notty", f"{D}/x", argv0=f"{D}/x")
if e:
    check("tty: false", e.get("tty") is False, e.get("tty"))
f = find("exec", argv=lambda a: a and "m-failed" in a)
if check("failed exec: recorded", len(f) == 1, f):
    check("failed exec: ret -ENOENT, no extension", f[0]["ret"] == -2 and "exe" not in f[0], f[0])
# strings the kernel refused to read (EFAULT) are flagged, never empty
bp = [e for e in find("exec", comm="exr-events", ret=-14)]
fn = [e for e in bp if e.get("filename_unreadable")]
check("unreadable filename: flagged, no name", len(fn) == 1 and fn[0]["filename"] is None,
      bp)
av = [e for e in bp if e.get("argv_unreadable")]
check("unreadable argument: flagged, the readable ones kept",
      len(av) == 1 and av[0]["argv"] == ["exr-badptr"] and av[0]["filename"] == "/bin/true", bp)
# container: its own view of paths, its overlay
case("container: ./true in its /tmp", "m-c-tmp", "/tmp/true", [], argv0="./true", cgroup_id=cg)
case("container: a file of the overlay's upper layer", "m-c-upper", "/usr/local/bin/true",
     ["upper_layer"], argv0="/usr/local/bin/true", cgroup_id=cg)
case("container: a file of the image's lower layer", "m-c-lower", "/bin/busybox", [],
     argv0="/bin/busybox", cgroup_id=cg)
# every exec record carries the extension; failed ones do not
check("every successful exec has exe and cwd",
      all("exe" in e and "cwd" in e for e in find("exec", ret=0)),
      [e for e in find("exec", ret=0) if "exe" not in e][:1])
# the snapshot: the process alive before
s = find("snapshot", pid=int(F["pre"]))
if check("snapshot (iterator): recorded", len(s) == 1, len(s)):
    check("snapshot (iterator): exe", s[0].get("exe") == os.path.realpath("/bin/sleep"), s[0])
    check("snapshot (iterator): cwd", s[0].get("cwd") == D, s[0].get("cwd"))
PY

# the /proc snapshot fallback carries the extension too
ev_start --no-iter
ev_stop
ev_py snapshot-proc <<'PY'
from evcheck import *
import os
s = find("snapshot", pid=int(F["pre"]))
if check("snapshot (/proc): recorded", len(s) == 1, len(s)):
    check("snapshot (/proc): exe", s[0].get("exe") == os.path.realpath("/bin/sleep"), s[0])
    check("snapshot (/proc): cwd", s[0].get("cwd") == F["D"], s[0].get("cwd"))
    check("snapshot (/proc): exe_ino", s[0].get("exe_ino") == os.stat("/bin/sleep").st_ino)
PY
rel_done events_exec
