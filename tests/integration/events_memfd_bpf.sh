#!/usr/bin/env bash
# memfd and bpf records, real eBPF: memfd_create with its name (also a
# hostile one, escaped by dump), a BPF program load, done or refused; on
# the host and in a real runc container at a docker cgroup path (where the
# load is refused: no CAP_BPF).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"

exr_container_run evm docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"
ev_start
"$EVT" memfd "payload-$$" >/dev/null
"$EVT" memfd $'evil\e[31m\n' >/dev/null
"$EVT" bpf-load >"$S/bpf.out"
exr_container_exec evm /usr/local/bin/exr-events memfd in-container >/dev/null
exr_container_exec evm /usr/local/bin/exr-events bpf-load >/dev/null
ev_stop
ev_fact tag "$$"

ev_py memfd-bpf <<'PY'
from evcheck import *
ME = dict(comm="exr-events")
one("memfd_create", "memfd", {"flags": 1}, op="create", name=f"payload-{F['tag']}",
    ret=lambda r: r >= 0, **ME)
one("memfd_create: a hostile name kept byte for byte", "memfd", {}, name="evil\x1b[31m\n", **ME)
one("bpf prog_load", "bpf", {"prog_type": 1, "insn_cnt": 2, "prog_name": "exr_test_prog"},
    op="prog_load", ret=lambda r: r >= 0, cgroup_id=lambda c: c != int(F["cgid"]), **ME)
cg = int(F["cgid"])
one("container: memfd_create", "memfd", {}, name="in-container", cgroup_id=cg)
one("container: refused bpf prog_load", "bpf", {"ret": -1, "prog_name": "exr_test_prog"},
    op="prog_load", cgroup_id=cg)
PY
check "dump escapes the hostile memfd name" grep -q '"name":"evil\\u001b\[31m\\n"' "$S/dump.json"
rel_done events_memfd_bpf
