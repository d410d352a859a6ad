#!/usr/bin/env bash
# ptrace records, real eBPF: attach, seize, pokes, traceme and
# process_vm_writev on the host and in a real runc container at a docker
# cgroup path, each naming its target by its host pid and start time (the
# process key). Ground truth: the targets exr-events forked and printed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"

exr_container_run evt docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"
ev_start
"$EVT" ptrace-attach >"$S/attach.out"
"$EVT" ptrace-seize >"$S/seize.out"
"$EVT" ptrace-traceme >"$S/traceme.out"
"$EVT" vm-write >"$S/vmw.out"
exr_container_exec evt /usr/local/bin/exr-events vm-write >"$S/cvmw.out"
ev_stop
for f in attach seize vmw cvmw; do ev_fact "$f" "$(sed -n 's/^target=//p' "$S/$f.out")"; done
ev_fact addr "$(sed -n 's/^addr=//p' "$S/attach.out")"
ev_fact tm_child "$(sed -n 's/^child=\([0-9]*\).*/\1/p' "$S/traceme.out")"
ev_fact tm_parent "$(sed -n 's/.*parent=//p' "$S/traceme.out")"

ev_py ptrace <<'PY'
from evcheck import *
def start_of(pid):
    f = find("fork", pid=pid)
    return f[0]["start"] if f else None
ME = dict(comm="exr-events")
for op, key in (("attach", "attach"), ("seize", "seize")):
    t = int(F[key])
    one(op, "ptrace", {"ret": 0, "target_start": start_of(t)}, op=op, target_pid=t, **ME)
    one(f"{op}: poke", "ptrace", {"ret": 0, "request": 5, "addr": F["addr"]}, op="poke",
        target_pid=t, **ME)
one("traceme: the target is the parent", "ptrace",
    {"ret": 0, "target_pid": int(F["tm_parent"]), "target_start": start_of(int(F["tm_child"])) and
     find("fork", pid=int(F["tm_child"]))[0]["pstart"]},
    op="traceme", pid=int(F["tm_child"]))
one("process_vm_writev", "ptrace", {"ret": 8, "request": -1, "target_start": start_of(int(F["vmw"]))},
    op="vm_write", target_pid=int(F["vmw"]), **ME)
# in the container the tool sees its child's pid in the container's pid
# namespace; the record names it by its host pid
cg = int(F["cgid"])
e = one("container: process_vm_writev", "ptrace", {"ret": 8}, op="vm_write", cgroup_id=cg)
if e:
    k = find("fork", pid=e["target_pid"], start=e["target_start"])
    check("container: target is the host pid of the child it forked",
          bool(k) and k[0]["vpid"] == int(F["cvmw"]) and k[0]["cgroup_id"] == cg,
          (e["target_pid"], F["cvmw"], k[:1]))
PY
rel_done events_ptrace
