#!/usr/bin/env bash
# Cgroup paths deeper than the kernel walk (issue 18 item 9), real eBPF:
# the leaf (where the container id is) is kept and the cut is visible: the
# path starts with "/..." and the record is flagged truncated. Paths within
# the walk come out whole and unflagged. (With at most 16 levels of at most
# 255 bytes and a docker leaf a path cannot pass the 4 KiB bound, so depth
# is the cut a real host meets.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
exr_cgroup2_mount
exr_hexid
leaf=docker-$EXR_HEX.scope
deep=/exr-deep-$$
for i in $(seq 20); do deep=$deep/l$i; done
deep=$deep/$leaf                               # 22 levels
ok=/exr-ok-$$/system.slice/$leaf
for cg in "$deep" "$ok"; do
	exr_register_cgroup "$cg"
	mkdir -p "$EXR_CG2$cg" || exr_die "cannot create cgroup $cg"
done
ev_fact leaf "$leaf"
ev_fact ok "$ok"
ev_fact deep_id "$(stat -c %i "$EXR_CG2$deep")"
ev_fact ok_id "$(stat -c %i "$EXR_CG2$ok")"

ev_start
for cg in "$deep" "$ok"; do
	( echo "$BASHPID" >"$EXR_CG2$cg/cgroup.procs" && exec /bin/true )
done
ev_stop

ev_py cgroup <<'PY'
from evcheck import *
leaf = F["leaf"]
for what in ("deep",):
    c = find("cgroup", cgroup_id=int(F[what + "_id"]))
    if check(f"{what}: cgroup record", len(c) >= 1, len(c)):
        p = c[0]["cgroup_path"]
        check(f"{what}: the leaf is kept", p.endswith("/" + leaf), p[-90:])
        check(f"{what}: the cut is visible", p.startswith("/.../"), p[:40])
        check(f"{what}: flagged truncated", c[0].get("cgroup_path_truncated") is True)
        check(f"{what}: within 4 KiB", len(p.encode()) < 4096, len(p))
    e = find("exec", cgroup_id=int(F[what + "_id"]), argv=["/bin/true"])
    check(f"{what}: the exec is attributed, with the leaf", bool(e) and
          e[0].get("cgroup_path", "").endswith(leaf), e[:1])
c = find("cgroup", cgroup_id=int(F["ok_id"]))
if check("within the walk: cgroup record", len(c) >= 1):
    check("within the walk: whole path", c[0]["cgroup_path"] == F["ok"], c[0]["cgroup_path"])
    check("within the walk: not flagged", "cgroup_path_truncated" not in c[0])
PY
rel_done events_cgroup_deep
