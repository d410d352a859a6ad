#!/usr/bin/env bash
# The packet view end to end, real eBPF: exray-record --tc-iface/--tc-veth
# /--allow in a test network namespace A joined by a veth pair to namespace
# B (the test hosts). SYNs over IPv4 and IPv6 to allowed and denied hosts,
# a SYN with IP options, one with an IPv6 hop-by-hop header, raw-socket SYNs,
# SYNs sent from B (seen at ingress of A's veth: "what a container sends"),
# and a veth created after the recorder started. Every field and verdict is
# checked with `exray dump`. After the recorder exits normally, by SIGTERM,
# and by SIGKILL followed by a cleanup run, `tc qdisc show`/`tc filter show`
# in A are as before, including a pre-existing clsact qdisc and filter of
# the test's own. Traffic stays inside the two namespaces.
set -u
. "$(dirname "$0")/../lib/container.sh"
exr_need_root
exr_init

REC=$EXR_BUILD/exray-record EXRAY=$EXR_BUILD/exray
[ -x "$REC" ] && [ -x "$EXRAY" ] || exr_die "build exray-record and exray first (make)"
exr_tool tc_syn
SYN=$EXR_TOOL
A=${EXR_TAG}tca B=${EXR_TAG}tcb
VA=${EXR_TAG}a VB=${EXR_TAG}b            # the main pair, A <-> B
VX=${EXR_TAG}x VY=${EXR_TAG}y            # a pair inside A: clsact made by us
VA2=${EXR_TAG}a2 VB2=${EXR_TAG}b2        # created while recording
OUT=$EXR_STATE/out
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }

# ------------------------------------------------------------ topology
exr_netns_add "$A"
exr_netns_add "$B"
ip link add "$VA" netns "$A" type veth peer name "$VB" netns "$B" || exr_die "veth"
inA ip link add "$VX" type veth peer name "$VY" || exr_die "veth in A"
inA ip addr add 192.0.2.1/24 dev "$VA"
inA ip addr add 2001:db8:0:1::1/64 dev "$VA" nodad
inB ip addr add 192.0.2.2/24 dev "$VB"
inB ip addr add 2001:db8:0:1::2/64 dev "$VB" nodad
for ip in 198.51.100.10 198.51.100.20 198.51.100.30; do inB ip addr add $ip/32 dev lo; done
inB ip addr add 2001:db8:10::10/128 dev lo
inB ip addr add 2001:db8:20::20/128 dev lo
inA ip addr add 203.0.113.10/32 dev lo
inA ip link set "$VA" up; inA ip link set "$VX" up; inA ip link set "$VY" up
inB ip link set "$VB" up
inA ip route add 198.51.100.0/24 via 192.0.2.2
inA ip route add 2001:db8:10::/48 via 2001:db8:0:1::2
inA ip route add 2001:db8:20::/48 via 2001:db8:0:1::2
inB ip route add 203.0.113.0/24 via 192.0.2.1
# The test's own clsact and filter on VA: must survive every run.
inA tc qdisc add dev "$VA" clsact || exr_die "tc qdisc add"
inA tc filter add dev "$VA" egress pref 7 u32 match ip dst 192.0.2.99/32 || exr_die "tc filter add"

# A cgroup for the senders: a packet's cgroup_id must be the socket's.
exr_cgroup2_mount
CGP=/exray-test-tc-$$
exr_register_cgroup "$CGP"
mkdir "$EXR_CG2$CGP" || exr_die "mkdir $EXR_CG2$CGP"
CGID=$(stat -c %i "$EXR_CG2$CGP")
# send NS ARGS...: run tc_syn in NS inside the test cgroup; sets SPORT.
send() {
	local ns=$1
	shift
	SPORT=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$EXR_CG2$CGP" \
		ip netns exec "$ns" "$SYN" "$@" | sed -n 's/^sport //p')
	[ -n "$SPORT" ] || fail "tc_syn $* sent nothing"
}

cat >"$EXR_STATE/allow.policy" <<'POL'
[all]
allow 198.51.100.10/32 port 80
allow 2001:db8:10::/48
allow 203.0.113.10/32 port 9000-9001
[host]
allow 198.51.100.30/32
[container 0123456789ab]
allow 198.51.100.20/32
POL

# tc state of every interface of A (names sorted), for before/after.
tc_snapshot() {
	local d
	inA tc qdisc show
	for d in $(inA ls /sys/class/net | sort); do
		echo "== $d"
		inA tc filter show dev "$d" ingress 2>&1
		inA tc filter show dev "$d" egress 2>&1
	done
}
BEFORE=$(tc_snapshot)
# wait_attached DEV DIR: until an exray filter is on DEV (3 s at most).
# (up to 30 s: loading and verifying the recorder's programs took 3.9 s
# on a slow machine, where 3 s had been allowed)
wait_attached() {
	local n
	for n in $(seq 300); do
		inA tc filter show dev "$1" "$2" 2>/dev/null | grep -q exray_syn_ && return 0
		sleep 0.1
	done
	return 1
}
check_restored() { # what
	local after
	after=$(tc_snapshot)
	if [ "$after" != "$BEFORE" ]; then
		fail "$1: tc state differs from before"
		diff <(echo "$BEFORE") <(echo "$after")
	fi
}
start_rec() { # extra options...
	exr_bg --netns "$A" "$EXR_STATE/rec.log" "$REC" -o "$OUT" -f 200ms --tc-iface "$VA" \
		--tc-veth --allow "$EXR_STATE/allow.policy" "$@"
	REC_PID=$EXR_BGPID
	exr_on_exit "rm -f /run/exray/tc-$REC_PID.state /run/exray/tc-$REC_PID.state.tmp"
	wait_attached "$VA" egress && wait_attached "$VA" ingress && wait_attached "$VX" ingress ||
		{ cat "$EXR_STATE/rec.log"; exr_die "the recorder did not attach"; }
}
stop_wait() { # pid: wait for it to exit (30 s: a killed recorder's exit,
	# its BPF programs and links released, took longer than 5 s on a slow
	# machine, and a cleanup run then saw it alive), return its status
	local n
	for n in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	{ wait "$1"; } 2>/dev/null
}

# -------------------------------------------------- run 1: traffic, normal exit
start_rec --duration 4s
IFA=$(inA cat /sys/class/net/"$VA"/ifindex)
send "$A" connect 198.51.100.10 80;            S1=$SPORT  # allow ([all] port 80)
send "$A" connect 198.51.100.20 80;            S2=$SPORT  # deny ([container] only)
send "$A" connect 198.51.100.10 80 ipopt;      S3=$SPORT  # allow, IP options
send "$A" connect 198.51.100.10 81;            S4=$SPORT  # deny (port)
send "$A" connect 2001:db8:10::10 443;         S5=$SPORT  # allow
send "$A" connect 2001:db8:20::20 443 hbh;     S6=$SPORT  # deny, hop-by-hop header
send "$A" raw 198.51.100.30 22 4242                      # allow ([host], egress)
send "$A" raw 2001:db8:20::20 22 4243                    # deny
send "$B" connect 203.0.113.10 9000;           S9=$SPORT  # ingress of VA: allow

# A veth created now is picked up by --tc-veth.
ip link add "$VA2" netns "$A" type veth peer name "$VB2" netns "$B"
inA ip addr add 203.0.113.129/25 dev "$VA2"; inA ip link set "$VA2" up
inB ip addr add 203.0.113.130/25 dev "$VB2"; inB ip link set "$VB2" up
wait_attached "$VA2" ingress || fail "--tc-veth did not attach to $VA2 created later"
IFA2=$(inA cat /sys/class/net/"$VA2"/ifindex)
send "$B" connect 203.0.113.129 9001;          S10=$SPORT # ingress of VA2: deny (/32 only)
stop_wait "$REC_PID"; rc=$?
[ $rc = 0 ] || { cat "$EXR_STATE/rec.log"; fail "recorder exited $rc"; }
# VA2 did not exist before: it must be left without any qdisc of ours.
inA tc qdisc show dev "$VA2" | grep -q clsact && fail "clsact left on $VA2"
inA ip link del "$VA2"
check_restored "normal exit"

"$EXRAY" dump "$OUT" >"$EXR_STATE/dump.json" 2>"$EXR_STATE/dump.err" ||
	{ cat "$EXR_STATE/dump.err"; fail "exray dump failed"; }
jq -c 'select(.type == "syn")' "$EXR_STATE/dump.json" >"$EXR_STATE/syn.json"
# expect IFINDEX FAMILY SADDR SPORT DADDR DPORT VERDICT [DIRECTION]
expect() {
	local want got
	want=$(jq -nc --argjson i "$1" --argjson f "$2" --arg s "$3" --argjson sp "$4" \
		--arg d "$5" --argjson dp "$6" --arg v "$7" --argjson cg "$CGID" \
		--arg dir "${8:-egress}" \
		'{ifindex: $i, family: $f, saddr: $s, sport: $sp, daddr: $d, dport: $dp,
		  verdict: $v, cgroup_id: $cg, direction: $dir}')
	got=$(jq -c --argjson w "$want" 'select(.sport == $w.sport and .dport == $w.dport and
		.daddr == $w.daddr) | {ifindex, family, saddr, sport, daddr, dport, verdict,
		cgroup_id, direction}' "$EXR_STATE/syn.json")
	if [ -z "$got" ]; then
		fail "no syn record $want"
	elif [ "$(echo "$got" | head -1)" != "$want" ] || [ "$(echo "$got" | wc -l)" != 1 ]; then
		fail "syn record: want $want, got $got"
	fi
}
expect "$IFA" 4 192.0.2.1 "$S1" 198.51.100.10 80 allow
expect "$IFA" 4 192.0.2.1 "$S2" 198.51.100.20 80 deny
expect "$IFA" 4 192.0.2.1 "$S3" 198.51.100.10 80 allow
expect "$IFA" 4 192.0.2.1 "$S4" 198.51.100.10 81 deny
expect "$IFA" 6 2001:db8:0:1::1 "$S5" 2001:db8:10::10 443 allow
expect "$IFA" 6 2001:db8:0:1::1 "$S6" 2001:db8:20::20 443 deny
expect "$IFA" 4 192.0.2.1 4242 198.51.100.30 22 allow
expect "$IFA" 6 2001:db8:0:1::1 4243 2001:db8:20::20 22 deny
expect "$IFA" 4 192.0.2.2 "$S9" 203.0.113.10 9000 allow ingress
expect "$IFA2" 4 203.0.113.130 "$S10" 203.0.113.129 9001 deny ingress
n=$(wc -l <"$EXR_STATE/syn.json")
[ "$n" = 10 ] || { fail "want 10 syn records, got $n"; cat "$EXR_STATE/syn.json"; }
# SYN-ACKs from B and every other packet are not recorded; losses none.
jq -e 'select(.type == "loss")' "$EXR_STATE/dump.json" >/dev/null && fail "losses reported"

# The analyzer: each SYN joined to its connect and process; raw SYNs alone.
DB=$EXR_STATE/case.db
"$EXRAY" ingest -d "$DB" "$OUT" >/dev/null 2>"$EXR_STATE/ingest.err" ||
	{ cat "$EXR_STATE/ingest.err"; fail "exray ingest failed"; }
q() { "$EXRAY" sql -d "$DB" "$1" 2>&1 | tr -d '\r'; }
joined=$(q "SELECT count(*) FROM v_syns WHERE conn_id IS NOT NULL AND comm = 'tc_syn'
            AND proc_id IS NOT NULL AND sport NOT IN (4242, 4243)")
[[ $joined == *8* ]] || fail "want 8 SYNs joined to tc_syn's connects, got: $joined"
raw=$(q "SELECT group_concat(sport) FROM (SELECT sport FROM v_raw_syns ORDER BY sport)")
[[ $raw == *4242,4243* ]] || fail "v_raw_syns: want 4242,4243, got: $raw"
"$EXRAY" check -d "$DB" -j >"$EXR_STATE/alerts.json" 2>&1
n=$(grep -c '"raw-socket-syn"' "$EXR_STATE/alerts.json")
[ "$n" = 2 ] || { fail "raw-socket-syn: want 2 alerts, got $n"; cat "$EXR_STATE/alerts.json"; }
"$EXRAY" tree --all -d "$DB" >"$EXR_STATE/tree.txt" 2>&1
grep -q "198.51.100.10:80 from port $S1 .*\[packet: allow\]" "$EXR_STATE/tree.txt" ||
	{ fail "exray tree does not show the allow verdict"; grep -F -- "->" "$EXR_STATE/tree.txt" | head -20; }
grep -q "198.51.100.20:80 from port $S2 .*\[packet: deny\]" "$EXR_STATE/tree.txt" ||
	fail "exray tree does not show the deny verdict"

# ------------------------------- a failure half-way restores what was done
inA "$REC" -o "$OUT.fail" --tc-veth --tc-iface "$VA" --tc-iface nosuch0 >"$EXR_STATE/fail.log" 2>&1
rc=$?
[ $rc = 1 ] || fail "--tc-iface nosuch0: exit $rc, want 1"
grep -q "nosuch0: no such interface" "$EXR_STATE/fail.log" || fail "no clear error: $(cat "$EXR_STATE/fail.log")"
check_restored "failed start"

# -------------------------------------------------------- run 2: SIGTERM
rm -rf "$OUT"
start_rec
kill -TERM "$REC_PID"
stop_wait "$REC_PID"; rc=$?
[ $rc = 0 ] || fail "recorder exited $rc after SIGTERM"
check_restored "SIGTERM"

# ---------------------------------------- run 3: SIGKILL, then a cleanup run
rm -rf "$OUT"
start_rec
disown "$REC_PID"  # no "Killed" job notice
kill -KILL "$REC_PID"
stop_wait "$REC_PID"
inA tc filter show dev "$VA" egress | grep -q exray_syn_ || fail "SIGKILL left no filter (test broken?)"
[ -f /run/exray/tc-$REC_PID.state ] || fail "no state file for the killed recorder"
inA "$REC" --tc-cleanup "$VA" >"$EXR_STATE/cleanup.log" 2>&1 ||
	{ cat "$EXR_STATE/cleanup.log"; fail "cleanup run failed"; }
check_restored "SIGKILL + cleanup run"
[ -f /run/exray/tc-$REC_PID.state ] && fail "cleanup run left the state file"

# A second cleanup run finds nothing to do and changes nothing.
inA "$REC" --tc-cleanup "$VA" >/dev/null 2>&1 || fail "second cleanup run failed"
check_restored "second cleanup run"

[ "${TC_DEBUG:-}" ] && cat "$EXR_STATE/syn.json" "$EXR_STATE/alerts.json" "$EXR_STATE/tree.txt"
if [ $fails -ne 0 ]; then
	echo "tc_packet_view: $fails failure(s)"
	exit 1
fi
echo "tc_packet_view: ok"
