#!/usr/bin/env bash
# socket records, real eBPF: AF_PACKET and SOCK_RAW creation (done, and
# refused without CAP_NET_RAW), and a TCP socket duplicated onto stdin,
# stdout and stderr (dup2, dup3, fcntl F_DUPFD): the reverse-shell mark,
# with its peer and the same socket id as its connect record; on the host
# and in a real runc container at a docker cgroup path (exr-net connect -e,
# a reverse shell wiring its socket as it execs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
port=$((20000 + $$ % 20000))
ev_fact port "$port"

exr_container_run evs docker /bin/sleep 600
ev_fact cgid "$EXR_CGID"
exr_tool exr-net
exr_bg "$S/listen.log" "$EXR_TOOL" listen -a 127.0.0.1 -n 1 -t 30 "$port"
exr_wait_listen "$port" || exr_die "listener did not start"

ev_start
"$EVT" packet >/dev/null
"$EVT" raw >/dev/null
setpriv --reuid 1000 --regid 1000 --clear-groups "$EVT" raw >/dev/null
"$EVT" dup-stdio 127.0.0.1 "$port" >/dev/null
exr_container_exec evs sh -c "exr-net listen -a 127.0.0.1 -n 1 -t 10 5555 >/dev/null &
	exr-net connect -r 50 127.0.0.1 5555 -e /bin/true"
ev_stop

ev_py socket <<'PY'
from evcheck import *
ME = dict(comm="exr-events")
one("AF_PACKET", "socket", {"family": 17, "sock_type": 3}, op="packet", ret=lambda r: r >= 0, **ME)
one("SOCK_RAW", "socket", {"family": 2, "sock_type": 3, "protocol": 6}, op="raw",
    ret=lambda r: r >= 0, **ME)
one("refused SOCK_RAW", "socket", {"ret": -1, "fd": -1}, op="raw", uid=1000, **ME)
port = int(F["port"])
dups = find("socket", op="dup_stdio", dport=port, **ME)
check("dup onto 0, 1 and 2 (dup2, dup3, fcntl)", sorted(e["fd"] for e in dups) == [0, 1, 2],
      [e["fd"] for e in dups])
c = find("connect", dport=port, **ME)
if check("its connect record", len(c) == 1, c) and dups:
    check("same socket id as the connect record", all(e["sock"] == c[0]["sock"] for e in dups),
          (c[0]["sock"], [e["sock"] for e in dups]))
    check("peer address", all(e["peer_family"] == 4 and e["daddr"] == "127.0.0.1" for e in dups))
cg = int(F["cgid"])
cd = find("socket", op="dup_stdio", cgroup_id=cg, dport=5555)
check("container: reverse shell wires its socket onto 0, 1, 2",
      sorted(e["fd"] for e in cd) == [0, 1, 2], cd)
# exr-net retries a refused connect: the dups name the connect that worked
socks = {e["sock"] for e in cd}
ok = find("connect_result", sock=lambda k: k in socks, state="established")
check("container: same socket id as its (established) connect",
      len(socks) == 1 and bool(find("connect", cgroup_id=cg, dport=5555, sock=lambda k: k in socks))
      and len(ok) == 1, (socks, ok))
PY
rel_done events_socket
