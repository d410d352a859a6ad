#!/usr/bin/env bash
# uring records, real eBPF: io_uring submissions that no syscall tracepoint
# sees (openat relative to a dirfd, renameat, unlinkat, connect over IPv4
# and IPv6), with their paths made absolute and their destination; on the
# host and in a real runc container at a docker cgroup path. The file
# family's syscall records do not see them (the point of this family).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
exr_tool exr-uring
EU=$EXR_TOOL
D=$(mktemp -d /tmp/exr-uring.XXXXXX)
exr_register dir "$D"
ev_fact D "$D"

exr_container_run evu docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"
ev_start --watch "$D"
"$EU" openat "$D" f1 >/dev/null
"$EU" renameat "$D" f1 f2 >/dev/null
"$EU" unlinkat "$D" f2 >/dev/null
"$EU" connect 127.0.0.1 9 >/dev/null
"$EU" connect ::1 9 >/dev/null
exr_container_exec evu /usr/local/bin/exr-uring openat /tmp cfile >/dev/null
ev_stop

ev_py uring <<'PY'
from evcheck import *
D = F["D"]
ME = dict(comm="exr-uring")
one("openat, relative to a dirfd", "uring", {"opcode": 18, "user_data": 42}, op="openat",
    path=f"{D}/f1", **ME)
one("renameat", "uring", {"path2": f"{D}/f2"}, op="renameat", path=f"{D}/f1", **ME)
one("unlinkat", "uring", {}, op="unlinkat", path=f"{D}/f2", **ME)
one("connect IPv4", "uring", {"family": 4, "dport": 9}, op="connect", daddr="127.0.0.1", **ME)
one("connect IPv6", "uring", {"family": 6, "dport": 9}, op="connect", daddr="::1", **ME)
none("the syscall tracepoints saw none of the uring file operations", "file",
     path=lambda p: p and p.startswith(D + "/f"))
one("container: openat", "uring", {}, op="openat", path="/tmp/cfile", cgroup_id=int(F["cgid"]))
PY
rel_done events_uring
