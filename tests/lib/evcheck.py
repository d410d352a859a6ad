# tests/lib/evcheck.py: the Python side of tests/lib/events.sh. Imported by
# the checks an events_*.sh script pipes into ev_py; argv[1] is the dump
# (JSON lines), argv[2] the facts file (KEY=VALUE lines from ev_fact).
import json
import sys

EV = [json.loads(l) for l in open(sys.argv[1])]
F = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]) if "=" in l)
_fails = 0


def check(label, cond, detail=""):
    """Print ok/FAIL for one named check."""
    global _fails
    print(("ok   " if cond else "FAIL ") + label + ("" if cond else f"  [{detail}]"))
    if not cond:
        _fails += 1
    return cond


def find(type=None, **kv):
    """Records of `type` whose keys equal kv (a callable value is a test)."""
    out = []
    for e in EV:
        if type is not None and e["type"] != type:
            continue
        if all((v(e.get(k)) if callable(v) else e.get(k) == v) for k, v in kv.items()):
            out.append(e)
    return out


def one(label, type, want=None, **kv):
    """Check that a record of `type` matching kv exists and has the keys of
    `want`; returns it (or None)."""
    got = find(type, **kv)
    if not check(label + ": recorded", len(got) >= 1, f"no {type} with {kv}"):
        return None
    e = got[0]
    for k, v in (want or {}).items():
        check(f"{label}: {k} = {v!r}", e.get(k) == v, f"got {e.get(k)!r}")
    return e


def none(label, type, **kv):
    """Check that no record of `type` matches kv."""
    got = find(type, **kv)
    return check(label, not got, f"{len(got)} recorded, first {got[:1]}")
