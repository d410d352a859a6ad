#!/usr/bin/env bash
# priv records, real eBPF, on the host and in a real runc container at a
# docker cgroup path: setuid, setgid, setresuid, capset, done or refused,
# with the ids and effective capabilities before and after; a setuid-root
# binary run by an unprivileged user taking root (the classic backdoor).
# Ground truth: what exr-events and suid_shell did and returned.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
exr_tool suid_shell
D=$(mktemp -d /tmp/exr-priv.XXXXXX)
exr_register dir "$D"
chmod 755 "$D"
cp "$EXR_TOOL" "$D/suid_shell" && chmod 4755 "$D/suid_shell"
unpriv=(setpriv --reuid 1000 --regid 1000 --clear-groups)

exr_container_run evp docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"

ev_start
"$EVT" setresuid 1000 1000 1000 >/dev/null       # root drops to 1000
"$EVT" setgid 1000 >/dev/null
"${unpriv[@]}" "$EVT" setuid 0 >/dev/null        # refused: EPERM
"$EVT" capset-drop >/dev/null
"${unpriv[@]}" "$D/suid_shell" -c true           # ruid 1000, euid 0 -> all 0
exr_container_exec evp /usr/local/bin/exr-events setresuid 1000 1000 1000 >/dev/null
ev_stop

ev_py priv <<'PY'
from evcheck import *
ME = dict(comm="exr-events")
one("root drops to 1000", "priv",
    {"ret": 0, "old_uid": [0, 0, 0], "new_uid": [1000, 1000, 1000],
     "cap_effective": "0000000000000000", "uid": 1000},
    op="setresuid", cgroup_id=lambda c: c != int(F["cgid"]), **ME)
e = find("priv", op="setresuid", cgroup_id=lambda c: c != int(F["cgid"]), **ME)
if e:
    check("dropping root: capabilities before", int(e[0]["cap_effective_old"], 16) & (1 << 7),
          e[0]["cap_effective_old"])
one("setgid", "priv", {"ret": 0, "old_gid": [0, 0, 0], "new_gid": [1000, 1000, 1000]},
    op="setgid", **ME)
one("refused setuid", "priv", {"ret": -1, "old_uid": [1000, 1000, 1000],
                               "new_uid": [1000, 1000, 1000]}, op="setuid", **ME)
e = one("capset", "priv", {"ret": 0, "cap_effective": "0000000000000000"}, op="capset", **ME)
if e:
    check("capset: before, the full set", int(e["cap_effective_old"], 16) & (1 << 21),
          e["cap_effective_old"])
one("setuid binary takes root", "priv",
    {"ret": 0, "old_uid": [1000, 0, 0], "new_uid": [0, 0, 0], "uid": 0},
    op="setresuid", comm="suid_shell")
# runc's default capabilities lack CAP_SETUID: refused, recorded
one("container: refused setresuid", "priv",
    {"ret": -1, "old_uid": [0, 0, 0], "new_uid": [0, 0, 0]},
    op="setresuid", cgroup_id=int(F["cgid"]))
e = find("priv", op="setresuid", cgroup_id=int(F["cgid"]))
if e:
    check("container: no CAP_SETUID (bit 7) in its effective set",
          not int(e[0]["cap_effective"], 16) & (1 << 7), e[0]["cap_effective"])
PY
rel_done events_priv
