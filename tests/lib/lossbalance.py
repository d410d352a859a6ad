# tests/lib/lossbalance.py: the exact loss balance that rel_loss.sh (exec,
# fork, exit) and events_loss.sh (the 1.2 families) check. A reference
# recorder R (a big ring, must lose nothing) and a tiny-ring recorder T ran
# side by side; a workload of known size ran between two sentinel execs A
# and Z (`rel_burst mark TAG 0`).
#
#   balance(R, T, gen, mine, tag_a, tag_z) -> exit status
#
# R, T: the dumps (lists of records); gen: {type: events the workload did};
# mine(records, type): the workload's records of that type. Checks:
#   1. R saw exactly what the workload did, and lost nothing;
#   2. for each type, R's events between the sentinels = T's + the counts
#      of T's loss records there; T lost some of each type;
#   3. the workload's events T is missing are at most what T lost.
# Returns 0 (balanced), 1 (wrong) or 2 (ambiguous: T lost a sentinel, or
# reported losses near one: another process overflowed the ring then).
import json


def load(path):
    return [json.loads(l) for l in open(path)]


def _sentinel(ev, tag):
    s = [e["ts"] for e in ev if e["type"] == "exec" and e.get("argv", [None] * 3)[1:3] == ["mark", tag]]
    return s[0] if len(s) == 1 else None


def balance(R, T, gen, mine, tag_a, tag_z):
    out, bad = [], False
    if any(e["type"] == "loss" for e in R):
        print("reference recorder lost events")
        return 1
    for ty, n in gen.items():
        if len(mine(R, ty)) != n:
            out.append(f"R saw {len(mine(R, ty))} {ty} of the workload, it did {n}")
            bad = True
    ra, rz, ta, tz = _sentinel(R, tag_a), _sentinel(R, tag_z), _sentinel(T, tag_a), _sentinel(T, tag_z)
    if None in (ra, rz):
        out.append("R lacks a sentinel")
        bad = True
    if bad:
        print("\n".join(out))
        return 1
    if None in (ta, tz):
        print("ambiguous: T lost a sentinel")
        return 2
    losses = [e for e in T if e["type"] == "loss"]
    if any(e["ts"] <= ta + 200_000_000 or e["ts"] > tz for e in losses):
        print("ambiguous: T reported losses near a sentinel: ms after A",
              sorted({(e["ts"] - ta) // 1000000 for e in losses}), "window", (tz - ta) // 1000000)
        return 2
    for ty, n in gen.items():
        rn = sum(1 for e in R if e["type"] == ty and ra < e["ts"] < rz)
        tn = sum(1 for e in T if e["type"] == ty and ta < e["ts"] < tz)
        ln = sum(e["count"] for e in losses if e["lost_type"] == ty)
        wt = len(mine(T, ty))
        print(f"{ty}: done by the workload {n}, by everyone in the window {rn}; "
              f"T recorded {tn} (workload {wt}), reported lost {ln}")
        if rn != tn + ln:
            out.append(f"{ty}: {rn} happened != {tn} recorded + {ln} lost")
            bad = True
        if ln == 0:
            out.append(f"{ty}: nothing lost: the workload did not overrun the ring")
            bad = True
        if wt > n or n - wt > ln:
            out.append(f"{ty}: the workload's {n - wt} unrecorded events exceed the {ln} lost")
            bad = True
    print("\n".join(out))
    return 1 if bad else 0
