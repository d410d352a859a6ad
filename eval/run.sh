#!/usr/bin/env bash
# eval/run.sh: measure detection. Every scenario of eval/scenarios/ (attacks
# and benign workloads) runs in a real runc container while exray-record
# records it; `exray check` then says which rules fired, and the table gives
# per category the scenarios, how many were detected and the false-positive
# alerts per benign scenario (docs/detection-rates.md).
#
#   eval/run.sh record [-o DIR] [NAME...]  (root) run + record each scenario
#                           into DIR/NAME/ (default build/eval/corpus; use
#                           -o eval/corpus to refresh the committed corpus)
#   eval/run.sh score [-m] [DIR]   the table from a recorded corpus (default
#                           eval/corpus); -m: Markdown for docs/detection-rates.md
#   eval/run.sh expect [DIR]   regenerate DIR/*/expected-alerts.txt (shows the diff)
#   eval/run.sh check [DIR]    replay DIR through `exray check --expect` (make test)
#   eval/run.sh list           scenario names with category and technique
#
# `make eval` = eval/rootfs.sh, record into build/eval/corpus, score it.
# A scenario file (eval/scenarios/{attack,benign}/NAME.sh) is a script run
# inside the container, after a header of `# key: value` lines:
#   category   container-escape | privilege-escalation | suspicious-network |
#              file-tampering | persistence | credential-access | benign
#   technique  ATT&CK id (benign: what the workload is)
#   art        yes: the technique is in the development subset of Atomic
#              Red Team (../shared/atomic-red-team); no: not developed against
#   developed  yes: not in that subset, but the rules or the recorder were
#              changed after seeing this scenario miss (counted as developed
#              against; the table's ART column shows `dev`)
#   expect     rule ids, any of which detects it (benign: -)
#   image      busybox (default) | debian (eval/rootfs.sh)
#   mode       exec (default: the container runs INIT, the script comes in
#              through `runc exec`, as kubectl exec or a compromised shell
#              would) | entrypoint (the script is the container's command)
#              | probe (each line of the script is one `runc exec`, 0.3 s
#              apart: kubelet exec probes, `kubectl exec POD -- CMD`; run
#              as words, or with `sh -c LINE` when probe-shell is yes, as
#              Docker's shell-form HEALTHCHECK does)
#   init       the container's command in exec mode (default: sleep)
#   uptime     seconds the container runs before the capture starts
#              (exec mode; default 0.3): past its startup (rules leave a
#              container's first seconds to its own setup)
#   opts       exr_container_create options (--privileged, --hostpid,
#              --user U:G, --cap CAP, --no-nnp)
#   exec-opts  `--user U:G` for the exec; `--tty` gives it a terminal
#   net        yes: the container joins a network with the test hosts
#   setup      names of host-side helpers (setup_NAME below) to run first
#   layer      bash commands (any number of `# layer:` lines) run on the host
#              in the scenario's image layer ($LAYER; $BASE is the base
#              image, $TOOLS build/tools): files the image ships with
#   desc       one line: what happens
# The script sees $C2 (attacker host, 192.0.2.2, IPv6 $C2_6), $POOL
# (mining pool, 203.0.113.50), $REPO (the site's allowed artifact server,
# 198.51.100.20), $TARGET (a host process, setup hostproc), $SCEN (its own
# directory in the container, /opt/scenario).
# Network: only loopback and test hosts in network namespaces created here
# (no route out of the machine).
set -u
[ -n "${EVAL_TRACE:-}" ] && { PS4="+ \$EPOCHREALTIME "; set -x; }
EVAL=${EXRAY_EVAL_DIR:-$(cd "$(dirname "$0")" && pwd)}
ROOT=${EXRAY_ROOT:-$(cd "$EVAL/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
EXRAY=$BUILD/exray
RECORD=${EXRAY_RECORD:-$BUILD/exray-record}
CUT=$BUILD/fixtures/fixture-cut
POLICY=$EVAL/policy.txt
CACHE=${EXRAY_EVAL_CACHE:-/var/cache/exray-eval}
LOCK=/run/exray-integration.lock
CATEGORIES=(container-escape privilege-escalation suspicious-network file-tampering persistence credential-access)

die() { echo "eval: $*" >&2; exit 1; }

# scenario_file NAME: the path of scenario NAME.
scenario_file() {
	local f
	for f in "$EVAL"/scenarios/*/"$1".sh; do [ -f "$f" ] && { echo "$f"; return 0; }; done
	return 1
}

# all_names: every scenario, attacks first, sorted.
all_names() {
	local f
	for f in "$EVAL"/scenarios/attack/*.sh "$EVAL"/scenarios/benign/*.sh; do
		[ -f "$f" ] && basename "$f" .sh
	done
}

# hdr FILE KEY [DEFAULT]: the header value KEY of a scenario file.
hdr() {
	local v
	v=$(sed -n '/^#!/d; /^[^#]/q; s/^# '"$2"': *//p' "$1" | head -1)
	echo "${v:-${3:-}}"
}

# ----------------------------------------------------------- host helpers

# setup_hostproc: a host process the scenario may target ($TARGET), as a
# host's own daemon would be (the sandbox's pid 1 cannot be entered).
setup_hostproc() {
	exr_bg "$EXR_STATE/hostproc.log" /bin/sleep 120
	TARGET=$EXR_BGPID
	keep_pid "$TARGET"
}

# setup_runtime_socket: a stand-in container runtime API on a unix socket,
# bound into the container at /var/run/docker.sock (a "docker.sock mount").
setup_runtime_socket() {
	local sock=$EXR_STATE/docker.sock
	exr_bg "$EXR_STATE/dockerd.log" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(65536)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[{\"Id\":\"0123\"}]\n"); c.close()
' "$sock"
	local n
	for n in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
	[ -S "$sock" ] || die "fake runtime socket did not start"
	COPTS+=(--bind "$sock:/var/run/docker.sock")
}

# setup_hostdir: a host directory bound into the container at /host-etc (a
# hostPath volume of the node's /etc, here a scratch copy).
setup_hostdir() {
	mkdir -p "$EXR_STATE/hostetc/cron.d"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$EXR_STATE/hostetc/passwd"
	COPTS+=(--bind "$EXR_STATE/hostetc:/host-etc")
}

# net_up: the client network namespace the container joins and the test
# host (192.0.2.2 = $C2, plus $POOL and $REPO) with the services scenarios
# talk to. No route leaves the machine.
net_up() {
	CNS=${EXR_TAG}c HNS=${EXR_TAG}h
	exr_netns_add "$CNS"
	exr_testnet_up "$HNS" "$CNS" 0
	exr_testnet_alias "$HNS" "$CNS" 203.0.113.50
	exr_testnet_alias "$HNS" "$CNS" 198.51.100.20
	mkdir -p "$EXR_STATE/www"
	exr_tool exr-net
	cp "$EXR_TOOL" "$EXR_STATE/www/payload"
	printf '#!/bin/sh\necho staged; id\n' >"$EXR_STATE/www/stage.sh"
	echo ok >"$EXR_STATE/www/healthz"
	# a release archive on the artifact server: an installer and a binary
	mkdir -p "$EXR_STATE/rel/bin"
	printf '#!/bin/sh\nset -e\nchmod 755 /opt/app/bin/app\n/opt/app/bin/app --version\n' >"$EXR_STATE/rel/install.sh"
	printf '#!/bin/sh\necho app 1.0\n' >"$EXR_STATE/rel/bin/app"
	tar -C "$EXR_STATE/rel" -cf "$EXR_STATE/www/app.tar" .
	exr_bg --netns "$HNS" "$EXR_STATE/httpd.log" /bin/busybox httpd -f -p 80 -h "$EXR_STATE/www"
	exr_wait_listen --netns "$HNS" 80 || die "test httpd did not start"
	# a C2 that types into whatever shell connects, a pool, sinks
	exr_listen "$HNS" 4444 "$EXR_STATE/l4444.log" -s 'id\nuname -a\nexit\n' -t 60
	local p
	for p in 443 1337 2222 3333 6443 8080 9001; do
		exr_listen "$HNS" "$p" "$EXR_STATE/l$p.log" -s '{"id":1,"result":"ok"}\n' -t 60
	done
	COPTS+=(--netns "$CNS")
}

# ------------------------------------------------------------- recording

rec_start() {
	REC_DIR=$EXR_STATE/rec
	mkdir -m 700 "$REC_DIR"
	exr_bg "$EXR_STATE/rec.log" "$RECORD" -o "$REC_DIR" -f 200ms "$@"
	REC_PID=$EXR_BGPID
	local n
	for n in $(seq 150); do
		grep -q '^exray-record: recording: ' "$EXR_STATE/rec.log" && break
		kill -0 "$REC_PID" 2>/dev/null || die "exray-record exited: $(cat "$EXR_STATE/rec.log")"
		sleep 0.1
	done
	grep -q '^exray-record: recording: ' "$EXR_STATE/rec.log" || die "exray-record did not start"
	sleep 0.2
}

rec_stop() {
	sleep 0.5
	kill -INT "$REC_PID"
	local rc=0 n
	for n in $(seq 100); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$REC_PID" 2>/dev/null || rc=$?
	[ "$rc" = 0 ] || die "exray-record exited $rc: $(tail -3 "$EXR_STATE/rec.log")"
}

keep_pid() { KEEP+=(-p "$1"); }

# one NAME OUT: run and record scenario NAME into OUT/NAME (in its own
# process: tests/lib/container.sh's EXIT trap tears everything down).
one() {
	local name=$1 out=$2/$1 f
	f=$(scenario_file "$name") || die "no scenario $name (eval/run.sh list)"
	. "$ROOT/tests/lib/container.sh"
	exr_need_root
	local image mode init opts eopts net setup cat s
	image=$(hdr "$f" image busybox) mode=$(hdr "$f" mode exec) init=$(hdr "$f" init "/bin/sleep 600")
	opts=$(hdr "$f" opts) eopts=$(hdr "$f" exec-opts) net=$(hdr "$f" net no) setup=$(hdr "$f" setup)
	cat=$(hdr "$f" category)
	COPTS=() KEEP=(-p $$) TARGET=0
	# The image: a read-only lower layer (the cached busybox or Debian
	# rootfs) under a per-scenario upper layer, as an overlay, as container
	# runtimes mount image layers: what the scenario writes stays in it,
	# /tmp included (no tmpfs on /tmp, as docker and containerd leave it).
	local lower
	case $image in
	busybox) exr_rootfs; lower=$EXR_ROOTFS ;;
	debian)
		lower=$CACHE/debian
		[ -f "$lower/.exray-eval-rootfs" ] || die "no Debian rootfs in $lower (run: make eval-rootfs)"
		;;
	*) die "$name: unknown image $image" ;;
	esac
	# The scenario's own image layer (its script, the static helpers, what
	# its `layer:` header puts there) over the base image: read-only, like
	# every image layer; the container writes into the upper layer only.
	local ov=$EXR_STATE/ov layer=$EXR_STATE/ov/layer
	mkdir -p "$ov/upper" "$ov/work" "$ov/root" "$layer/opt/scenario" "$layer/usr/local/bin" "$layer/etc"
	for s in "$BUILD"/tools/*; do [ -x "$s" ] && [ ! -e "$lower/usr/local/bin/${s##*/}" ] && cp -p "$s" "$layer/usr/local/bin/"; done
	# what any image has and the busybox base lacks: a shadow file
	[ -e "$lower/etc/shadow" ] || { printf 'root:$6$exray$evalhash:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n' >"$layer/etc/shadow"; chmod 640 "$layer/etc/shadow"; }
	for s in $setup; do "setup_$s"; done
	[ "$net" = yes ] && net_up
	{
		echo "C2=192.0.2.2 C2_6=2001:db8::2 POOL=203.0.113.50 REPO=198.51.100.20 TARGET=$TARGET SCEN=/opt/scenario"
		echo "export C2 C2_6 POOL REPO TARGET SCEN"
		sed '1{/^#!/d}' "$f"
	} >"$layer/opt/scenario/run.sh"
	local lcmd
	lcmd=$(sed -n '/^[^#]/q; s/^# layer: *//p' "$f")
	if [ -n "$lcmd" ]; then
		(cd "$layer" && LAYER=$layer BASE=$lower TOOLS=$BUILD/tools bash -euc "$lcmd") || die "$name: layer commands failed"
	fi
	exr_on_exit "umount -l '$ov/root'"
	mount -t overlay overlay -o "lowerdir=$layer:$lower,upperdir=$ov/upper,workdir=$ov/work" "$ov/root" ||
		die "overlay mount failed"
	local shell=/bin/sh
	[ "$image" = debian ] && shell=/bin/bash
	# shellcheck disable=SC2086 # opts are the scenario's own option words
	if [ "$mode" = entrypoint ]; then
		exr_container_create "${COPTS[@]}" $opts --rootfs "$ov/root" --rw --tmp-in-rootfs "$name" docker "$shell" /opt/scenario/run.sh
		rec_start ${REC_OPTS:-}
		exr_container_start "$name"
		exr_container_info "$name"
		KEEP+=(-c "$EXR_CGID")
		exr_container_wait "$name" 60 || echo "eval: $name: still running after 60 s, stopped" >&2
	else
		# shellcheck disable=SC2086
		exr_container_run "${COPTS[@]}" $opts --rootfs "$ov/root" --rw --tmp-in-rootfs "$name" docker $init
		KEEP+=(-c "$EXR_CGID")
		# the workload is up before the capture, as on a real host; `uptime:`
		# seconds when the scenario needs it well past its startup
		sleep "$(hdr "$f" uptime 0.3)"
		rec_start ${REC_OPTS:-}
		local -a ex=(runc exec)
		local tty=0 w
		for w in $eopts; do
			case $w in --tty) tty=1 ;; *) ex+=("$w") ;; esac # --user U:G
		done
		if [ "$mode" = probe ]; then
			local line
			local psh
			psh=$(hdr "$f" probe-shell no)
			sed '/^#/d; /^$/d' "$f" | while IFS= read -r line; do
				if [ "$psh" = yes ]; then
					"${ex[@]}" "$EXR_CID" /bin/sh -c "$line" </dev/null
				else
					eval "set -- $line"
					"${ex[@]}" "$EXR_CID" "$@" </dev/null
				fi
				echo "probe exit $?"
				sleep 0.3
			done >"$EXR_STATE/exec.out" 2>&1
		elif [ $tty = 1 ]; then
			# an interactive shell on a terminal, as `kubectl exec -it POD
			# -- bash` gives (script(1) makes the pty): the script's lines
			# are typed into it, then exit
			{ sed '/^#/d' "$f"; echo exit; } >"$EXR_STATE/typed"
			timeout 60 script -qec "${ex[*]} -t $EXR_CID $shell -i" /dev/null \
				<"$EXR_STATE/typed" >"$EXR_STATE/exec.out" 2>&1
		else
			timeout 60 "${ex[@]}" "$EXR_CID" "$shell" /opt/scenario/run.sh </dev/null >"$EXR_STATE/exec.out" 2>&1
		fi
		echo "exec exit $?" >>"$EXR_STATE/exec.out"
	fi
	rec_stop
	rm -rf "$out"
	mkdir -p "$out"
	"$CUT" -o "$out/segments" "${KEEP[@]}" -s $$ "$REC_DIR"/*.exray.zst >/dev/null || die "fixture-cut failed"
	chmod 755 "$out/segments"
	chmod 644 "$out/segments"/*
	{
		echo "scenario=$name"
		echo "category=$cat"
		echo "recorded=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "kernel=$(uname -r)"
		echo "recorder=$(grep -E '^exray-record: [0-9]+ events' "$EXR_STATE/rec.log" | sed 's/^exray-record: //; s/, in \/.*//')"
	} >"$out/facts.txt"
	if [ -n "${EVAL_VERBOSE:-}" ]; then
		cat "$EXR_STATE/exec.out" "$EXR_CLOG" 2>/dev/null | sed "s/^/  [$name] /"
	fi
	# what the script printed, terminal escapes and CRs dropped
	{ cat "$EXR_STATE/exec.out" 2>/dev/null; [ "$mode" = entrypoint ] && cat "$EXR_CLOG"; } |
		sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\r//g' >"$out/output.txt"
	return 0
}

# ---------------------------------------------------------------- scoring

# alerts DIR/NAME: `exray check --json` on one recorded scenario, as
# "rule<TAB>severity<TAB>container" lines.
alerts_of() {
	"$EXRAY" check --json --policy "$POLICY" "$1/segments" 2>/dev/null |
		jq -r '[.rule, .severity, .container] | @tsv'
}

score() {
	local md=0 gate=0 dir
	while [ $# -gt 0 ]; do
		case $1 in -m) md=1; shift ;; --gate) gate=1; shift ;; *) break ;; esac
	done
	dir=${1:-$EVAL/corpus}
	[ -x "$EXRAY" ] || die "$EXRAY not built"
	local tmp
	tmp=$(mktemp -d)
	local n f cat tech art exp fired hit nal
	for n in $(all_names); do
		[ -d "$dir/$n/segments" ] || continue
		f=$(scenario_file "$n")
		cat=$(hdr "$f" category) tech=$(hdr "$f" technique) art=$(hdr "$f" art no) exp=$(hdr "$f" expect -)
		[ "$art" = no ] && [ "$(hdr "$f" developed no)" = yes ] && art=dev
		alerts_of "$dir/$n" >"$tmp/$n.alerts"
		# rules that fired on the scenario's container(s), once each
		fired=$(awk -F'\t' '$3 != "host" {print $1}' "$tmp/$n.alerts" | sort -u | tr '\n' ' ')
		nal=$(wc -l <"$tmp/$n.alerts")
		hit=-
		if [ "$cat" != benign ]; then
			hit=no
			local r
			for r in $exp; do
				grep -qw -- "$r" <<<" $fired " && hit=yes
			done
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$cat" "$tech" "$art" "$hit" "$nal" "${exp}" "${fired:--}" >>"$tmp/rows"
		# benign alerts by rule, for the per-category false positives
		[ "$cat" = benign ] && cut -f1 "$tmp/$n.alerts" >>"$tmp/fp_rules"
	done
	[ -f "$tmp/rows" ] || die "no recorded scenario in $dir"
	touch "$tmp/fp_rules"
	# rule -> category (rule header `-- category:`), for false positives
	local rf id rc
	for rf in "$ROOT"/analyzer/rules/*.sql; do
		id=$(sed -n 's/^-- *id: *//p' "$rf" | head -1)
		rc=$(sed -n 's/^-- *category: *//p' "$rf" | head -1)
		echo "$id ${rc:-other}"
	done >"$tmp/rulecat"
	awk -F'\t' -v md=$md -v gate=$gate -v cats="${CATEGORIES[*]}" -v rulecat="$tmp/rulecat" -v fpr="$tmp/fp_rules" '
	BEGIN {
		while ((getline l < rulecat) > 0) { split(l, a, " "); rc[a[1]] = a[2] }
		while ((getline r < fpr) > 0) { c = (r in rc) ? rc[r] : "other"; fpc[c]++; fptot++ }
	}
	$2 == "benign" { rows[NR] = $0; nb++; next }
	{ rows[NR] = $0
	  n[$2]++; if ($5 == "yes") d[$2]++
	  if ($4 != "no") { na[$2]++; if ($5 == "yes") da[$2]++ } else { nn[$2]++; if ($5 == "yes") dn[$2]++ } }
	function pct(a, b) { return b ? sprintf("%d %%", int(100 * a / b + 0.5)) : "-" }
	function fp(c) { return nb ? sprintf("%.2f", fpc[c] / nb) : "-" }
	END {
		ncat = split(cats, cl, " ")
		if (md) {
			print "| category | scenarios | detected | rate | developed against (ART subset, or dev) | not developed against | false-positive alerts per benign scenario |"
			print "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		} else
			printf "%-22s %9s %9s %6s %14s %14s %10s\n", "category", "scenarios", "detected", "rate", "developed", "beyond it", "FP/benign"
		for (i = 1; i <= ncat; i++) {
			c = cl[i]; tn += n[c]; td += d[c]
			sa = sprintf("%d/%d", da[c], na[c]); sb = sprintf("%d/%d", dn[c], nn[c])
			if (md) printf "| %s | %d | %d | %s | %s | %s | %s |\n", c, n[c], d[c], pct(d[c], n[c]), sa, sb, fp(c)
			else printf "%-22s %9d %9d %6s %14s %14s %10s\n", c, n[c], d[c], pct(d[c], n[c]), sa, sb, fp(c)
		}
		if (md) printf "| **all attacks** | %d | %d | %s | | | %s |\n", tn, td, pct(td, tn), nb ? sprintf("%.2f", fptot / nb) : "-"
		else printf "%-22s %9d %9d %6s %14s %14s %10s\n", "all attacks", tn, td, pct(td, tn), "", "", nb ? sprintf("%.2f", fptot / nb) : "-"
		if (md) printf "\nBenign corpus: %d scenarios, %d alerts in all (%.2f per scenario).\n", nb, fptot, nb ? fptot / nb : 0
		else printf "benign: %d scenarios, %d alerts (%.2f per scenario)\n", nb, fptot, nb ? fptot / nb : 0
		if (md) {
			print "\n| scenario | category | technique | ART / dev | detected | alerts | expected rule(s) | rules fired |"
			print "| --- | --- | --- | --- | --- | ---: | --- | --- |"
		} else printf "\n%-28s %-20s %-11s %-3s %-4s %3s  %s\n", "scenario", "category", "technique", "ART", "det", "n", "rules fired (expected)"
		for (r = 1; r <= NR; r++) {
			split(rows[r], f, "\t")
			if (md) printf "| %s | %s | %s | %s | %s | %d | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
			else printf "%-28s %-20s %-11s %-3s %-4s %3d  %s (%s)\n", f[1], f[2], f[3], f[4], f[5], f[6], f[8], f[7]
		}
		if (gate) {
			# the seed table (container escape 94 %, privilege escalation 89 %,
			# suspicious network 91 %, file-system tampering 87 %) and 0.1
			# false-positive alerts per benign scenario
			split("container-escape 94 privilege-escalation 89 suspicious-network 91 file-tampering 87", sd, " ")
			bad = 0
			for (i = 1; i < 8; i += 2) {
				c = sd[i]; r = n[c] ? 100 * d[c] / n[c] : 0
				if (r + 1e-9 < sd[i + 1]) { printf "gate: %s at %.0f %%, below the seed'"'"'s %d %%\n", c, r, sd[i + 1]; bad = 1 }
			}
			if (nb && fptot / nb > 0.1) { printf "gate: %.2f false-positive alerts per benign scenario, above 0.1\n", fptot / nb; bad = 1 }
			if (!bad) print "gate: the seed'"'"'s rates are reached in all four categories, false positives within 0.1 per benign scenario"
			exit bad
		}
	}' "$tmp/rows"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# expect DIR: regenerate expected-alerts.txt of every recorded scenario.
expect_all() {
	local dir=${1:-$EVAL/corpus} d rc
	for d in "$dir"/*/; do
		[ -d "$d/segments" ] || continue
		rc=0
		"$EXRAY" check -q --policy "$POLICY" -u "$d/expected-alerts.txt.new" "$d/segments" || rc=$?
		[ $rc -le 1 ] || die "$(basename "$d"): exray check failed ($rc)"
		if [ -f "$d/expected-alerts.txt" ] && cmp -s "$d/expected-alerts.txt" "$d/expected-alerts.txt.new"; then
			rm -f "$d/expected-alerts.txt.new"
		else
			echo "=== $(basename "$d")/expected-alerts.txt changed"
			diff -u "$d/expected-alerts.txt" "$d/expected-alerts.txt.new" 2>/dev/null | grep '^[-+][a-z]' || cat "$d/expected-alerts.txt.new"
			mv "$d/expected-alerts.txt.new" "$d/expected-alerts.txt"
		fi
	done
}

# check DIR: replay every recorded scenario against its expected alerts.
check_all() {
	local dir=${1:-$EVAL/corpus} d fails=0 n=0
	for d in "$dir"/*/; do
		[ -d "$d/segments" ] || continue
		n=$((n + 1))
		if "$EXRAY" check -q --policy "$POLICY" --expect "$d/expected-alerts.txt" "$d/segments" >"$d/../.check.out" 2>&1; then
			:
		else
			echo "FAIL $(basename "$d"): alerts differ from expected-alerts.txt"
			cat "$d/../.check.out"
			fails=$((fails + 1))
		fi
		rm -f "$d/../.check.out"
	done
	echo "eval corpus: $n scenarios replayed, $fails differ"
	[ $fails = 0 ]
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	__one) one "$@" ;;
	__batch)
		# record each scenario in its own process (its own EXIT trap tears
		# everything down); the exit status is the number that failed
		local out=$1 n bad=0
		shift
		for n in "$@"; do
			printf 'eval: %-30s ' "$n"
			if bash "$0" __one "$n" "$out" >"$out/.$n.log" 2>&1; then
				echo "recorded ($(du -sk "$out/$n/segments" | cut -f1) KiB)"
				rm -f "$out/.$n.log"
			else
				echo "FAILED"
				sed 's/^/    /' "$out/.$n.log" | tail -5
				bad=$((bad + 1))
			fi
		done
		return $bad
		;;
	list)
		local n f
		for n in $(all_names); do
			f=$(scenario_file "$n")
			printf '%-30s %-21s %-11s art=%s\n' "$n" "$(hdr "$f" category)" "$(hdr "$f" technique)" "$(hdr "$f" art no)"
		done
		;;
	record)
		local out=$BUILD/eval/corpus
		[ "${1:-}" = -o ] && { out=$2; shift 2; }
		case $out in /*) ;; *) out=$PWD/$out ;; esac
		[ "$(id -u)" = 0 ] || die "record needs root (real containers and eBPF)"
		[ -x "$RECORD" ] && [ -x "$CUT" ] && [ -x "$EXRAY" ] || die "build first (make)"
		mkdir -p "$out"
		local names=("$@") fails=0 t0=$SECONDS i
		[ ${#names[@]} -gt 0 ] || mapfile -t names < <(all_names)
		# One live recording at a time machine-wide (shared tracefs, routes,
		# cgroups): the integration lock, taken for a batch of up to 8
		# scenarios (about a minute) so that other suites get their turn
		# between batches and a busy machine does not make us queue 100 times.
		for ((i = 0; i < ${#names[@]}; i += 8)); do
			flock "$LOCK" bash "$0" __batch "$out" "${names[@]:i:8}" || fails=$((fails + $?))
		done
		echo "eval: recorded ${#names[@]} scenarios in $((SECONDS - t0)) s, $fails failed"
		[ $fails = 0 ]
		;;
	score) score "$@" ;;
	expect) expect_all "$@" ;;
	check) check_all "$@" ;;
	*) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
}

main "$@"
