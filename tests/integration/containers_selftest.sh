#!/usr/bin/env bash
# Self-test of tests/lib/container.sh against real runc containers, cgroups
# and network namespaces: every runtime's cgroupsPath lands where it should
# in every hierarchy with its own cgroup2 id; containers reach test hosts over
# IPv4 and IPv6 and nothing else; and cleanup leaves nothing behind (netns,
# links, cgroup directories in every hierarchy, runc containers, helper
# processes), whether the script ends normally, dies half-way, or is killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root

fails=0
check() { # DESCRIPTION COMMAND...: run COMMAND, report (output cut short)
	if "${@:2}" > >(head -20) 2>&1; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# What exists on the machine, in a form we can diff.
snapshot() {
	echo "## netns"; ip netns list | awk '{print $1}' | sort
	echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
	# Only the shapes this library creates: the machine's own tooling may
	# create and remove other cgroups meanwhile.
	echo "## cgroups"; for m in $(exr_cgroup_mounts); do find "$m" -type d; done |
		grep -E '\.slice|\.scope|kubepods|exray-test' | sort
	echo "## runc"; runc list -q | sort
	echo "## helpers"; pgrep -f "$EXR_BUILD/tools/|/usr/local/bin/exr-" | sort
}

exr_tool exr-net
exr_tool suid_shell
exr_rootfs
before=$EXR_STATE/before
snapshot >"$before"

# A child script that uses the library; $1 says how it should end.
child() {
	EXRAY_ROOT=$EXR_ROOT BUILD=$EXR_BUILD bash -s "$@" <<'EOF'
set -u
. "$EXRAY_ROOT/tests/lib/container.sh"
how=$1 out=$2
fails=0
check() { if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
cgline() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# Every runtime's path shape, two containers in one pod.
for kind in docker podman kubepods containerd crio; do
	exr_container_run "c-$kind" "$kind" /bin/sleep 30
	check "$kind: cgroup2 path is $EXR_CGPATH" [ "$(cgline "$EXR_CPID")" = "$EXR_CGPATH" ]
	check "$kind: cgroup id is the cgroup2 dir inode" [ "$EXR_CGID" -gt 1 ]
	check "$kind: own pid namespace" [ "$(stat -L -c %i /proc/$EXR_CPID/ns/pid)" != "$(stat -L -c %i /proc/self/ns/pid)" ]
	check "$kind: in every v1 hierarchy too" grep -q "^4:memory:$EXR_CGPATH\$" "/proc/$EXR_CPID/cgroup"
done
pod=${EXR_CGPATH%/*}
exr_container_run c-sidecar "$pod/crio-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n').scope" /bin/sleep 30
check "second container in the same pod" [ "$(cgline "$EXR_CPID")" = "$EXR_CGPATH" ]
ids=$(for c in c-docker c-podman c-kubepods c-containerd c-crio c-sidecar; do exr_container_info $c; echo $EXR_CGID; done | sort -u | wc -l)
check "six containers, six cgroup ids" [ "$ids" = 6 ]

# A container in a client netns talking to a test host, IPv4 and IPv6.
exr_netns_add "${EXR_TAG}c"
exr_testnet_up "${EXR_TAG}h" "${EXR_TAG}c" 0
exr_testnet_alias "${EXR_TAG}h" "${EXR_TAG}c" 203.0.113.77
exr_listen "${EXR_TAG}h" 8080 "$EXR_STATE/listen.log" -s 'hello\n' -o "$EXR_STATE/got"
exr_container_run --netns "${EXR_TAG}c" c-net docker /bin/sleep 30
check "container joined the client netns" [ "$(stat -L -c %i /proc/$EXR_CPID/ns/net)" = "$(ip netns exec ${EXR_TAG}c stat -L -c %i /proc/self/ns/net)" ]
r4=$(exr_container_exec c-net /usr/local/bin/exr-net connect -w 3 -s from-v4 "$EXR_NET_HOST4" 8080)
check "container -> test host over IPv4" [ "$r4" = hello ]
r6=$(exr_container_exec c-net /usr/local/bin/exr-net connect -w 3 -s from-v6 "$EXR_NET_HOST6" 8080)
check "container -> test host over IPv6" [ "$r6" = hello ]
ra=$(exr_container_exec c-net /usr/local/bin/exr-net connect -w 3 203.0.113.77 8080)
check "container -> test host alias" [ "$ra" = hello ]
check "test host received both" grep -q from-v6 "$EXR_STATE/got"
check "no route out of the client netns" [ -z "$(ip -n ${EXR_TAG}c route show default; ip -n ${EXR_TAG}c -6 route show default)" ]
! exr_container_exec c-net /usr/local/bin/exr-net connect -w 2 198.51.100.9 80 2>/dev/null
check "unrouted address unreachable" [ $? = 0 ]

# A test host reached from the host's own namespace, with a clsact qdisc.
exr_testnet_up "${EXR_TAG}g" "" 1
exr_register_qdisc "$EXR_NET_IF"
tc qdisc add dev "$EXR_NET_IF" clsact
exr_listen "${EXR_TAG}g" 3333 "$EXR_STATE/pool.log" -s 'job\n'
check "host -> test host over IPv4" [ "$("$EXR_BUILD/tools/exr-net" connect -w 3 "$EXR_NET_HOST4" 3333)" = job ]

# Unprivileged user + setuid binary; privileged container on the host pid ns.
exr_rootfs "$EXR_STATE/rootfs-suid"
chmod 4755 "$EXR_ROOTFS/usr/local/bin/suid_shell"
exr_container_run --rootfs "$EXR_ROOTFS" --user 1000:1000 --no-nnp --cap CAP_SETUID --cap CAP_SETGID \
	c-suid docker /bin/sleep 30
ids=$(exr_container_exec --user 1000:1000 c-suid /usr/local/bin/suid_shell -c 'id -u; id -ru' 2>/dev/null | tr '\n' ' ')
check "setuid binary gives root to uid 1000 ($ids)" [ "$ids" = "0 0 " ]
exr_container_run --hostpid --privileged c-priv podman /bin/sleep 30
check "privileged container sees host pids" [ -n "$(exr_container_exec c-priv /bin/ls /proc/$$/ 2>/dev/null)" ]
exr_container_run c-short docker /bin/true
check "short container stops" exr_container_wait c-short 5
exr_container_delete c-short
check "deleted container's cgroup is gone" [ ! -e "$(exr_cgroup2_mount; echo "$EXR_CG2")$EXR_CGPATH" ]

exr_bg "$EXR_STATE/sleep.log" /bin/sleep 30
case $how in
die) exr_die "dying on purpose half-way (expected)" ;;
kill) echo $$ >"$out"; exr_bg "$EXR_STATE/wait.log" /bin/sleep 30; wait "$EXR_BGPID" ;;
esac
echo "$fails" >"$out"
exit "$fails"
EOF
}

echo "--- normal run"
child normal "$EXR_STATE/normal.out"
check "library checks all passed" [ "$(cat "$EXR_STATE/normal.out" 2>/dev/null)" = 0 ]
snapshot >"$EXR_STATE/after1"
check "nothing left after a normal run" diff "$before" "$EXR_STATE/after1"

echo "--- run that dies half-way"
child die "$EXR_STATE/die.out" >/dev/null 2>&1
snapshot >"$EXR_STATE/after2"
check "nothing left after a failing run" diff "$before" "$EXR_STATE/after2"

echo "--- run killed with SIGTERM"
child kill "$EXR_STATE/kill.out" >/dev/null 2>&1 &
cpid=$!
for _ in $(seq 100); do [ -s "$EXR_STATE/kill.out" ] && break; sleep 0.1; done
kill -TERM "$(cat "$EXR_STATE/kill.out")"  # the inner bash, not our subshell
wait "$cpid"
snapshot >"$EXR_STATE/after3"
check "nothing left after SIGTERM" diff "$before" "$EXR_STATE/after3"

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "containers_selftest: all checks passed"
