#!/usr/bin/env bash
# ns records, real eBPF: unshare and clone with CLONE_NEW*, setns (with the
# inode of the namespace entered), mount and umount, done or refused, on
# the host; and what runc does when a real container starts and is entered
# (pivot_root, its mounts, setns into the container's namespaces). Ground
# truth: what exr-events printed, the namespace inodes from stat(1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
M=$(mktemp -d /tmp/exr-ns.XXXXXX)
exr_register dir "$M"
ev_fact M "$M"
ev_fact hostnet "$(stat -L -c %i /proc/self/ns/net)"

ev_start
"$EVT" unshare-net >/dev/null
"$EVT" clone-newuts >"$S/clone.out"
ev_fact child "$(sed -n 's/^clone ret=//p' "$S/clone.out" | cut -d' ' -f1)"
"$EVT" setns /proc/self/ns/net >/dev/null
unshare -m sh -c "$EVT mount none $M tmpfs >/dev/null; $EVT umount $M >/dev/null"
setpriv --reuid 1000 --regid 1000 --clear-groups "$EVT" mount none "$M" tmpfs >/dev/null
exr_container_run evn docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"
ev_fact cnet "$(stat -L -c %i "/proc/$EXR_CPID/ns/net")"
exr_container_exec evn true
ev_stop

ev_py ns <<'PY'
from evcheck import *
ME = dict(comm="exr-events")
one("unshare", "ns", {"ret": 0, "nstype": ["net"], "flags": 0x40000000}, op="unshare", **ME)
one("clone with CLONE_NEWUTS", "ns",
    {"nstype": ["uts"], "target": int(F["child"]), "target_pid": int(F["child"])},
    op="clone", ret=int(F["child"]), **ME)
one("setns into the host's netns", "ns",
    {"ret": 0, "nstype": ["net"], "target_ns": int(F["hostnet"])}, op="setns", **ME)
one("mount", "ns", {"ret": 0, "source": "none", "fstype": "tmpfs"}, op="mount",
    target=F["M"], uid=0, **ME)
one("umount", "ns", {"ret": 0}, op="umount", target=F["M"], **ME)
one("refused mount", "ns", {"ret": -1, "uid": 1000}, op="mount", target=F["M"], uid=1000, **ME)
# runc starting and entering the container
cg = int(F["cgid"])
check("container start: pivot_root", bool(find("ns", op="pivot_root", ret=0)),
      [e["comm"] for e in find("ns")])
check("container start: /proc mounted", bool(find("ns", op="mount", fstype="proc", ret=0)))
check("container start: new namespaces (clone or unshare)",
      any(set(e["nstype"]) >= {"pid", "net", "mnt"} or "net" in e["nstype"]
          for e in find("ns", op=lambda o: o in ("clone", "unshare"))))
check("runc exec: setns into the container's netns",
      bool(find("ns", op="setns", ret=0, target_ns=int(F["cnet"]))),
      [(e["comm"], e.get("target_ns")) for e in find("ns", op="setns")])
PY
rel_done events_ns
