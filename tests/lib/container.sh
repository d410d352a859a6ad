# shellcheck shell=bash
# tests/lib/container.sh: real runc containers, cgroups and test networks for
# integration tests, fixtures and the demo. Source it from bash:
#
#     . "$(dirname "$0")/../lib/container.sh"   # sets the EXIT trap
#     exr_need_root
#     exr_container_run --name web docker /bin/httpd -f -p 8080
#     echo "$EXR_CID $EXR_CPID $EXR_CGID"
#
# Everything a function creates (containers, cgroup directories in every
# hierarchy, network namespaces, veths, qdiscs, background processes,
# temporary directories) is appended to a cleanup registry file the moment
# before it is created, so exr_cleanup removes it even when the script fails
# half-way, is interrupted, or created it from a $(...) subshell. Sourcing
# installs exr_cleanup as the EXIT trap (and INT/TERM/HUP exit through it); a
# script that needs its own exit work registers it with exr_on_exit rather
# than replacing the trap.
#
# Names include the pid of the sourcing shell ($EXR_TAG) so parallel or
# aborted runs never collide. Functions return results in EXR_* variables,
# never by printing, because a container started inside $(...) inherits the
# pipe and the substitution never ends (see ../shared/CONTAINERS.md).
#
# Nothing here sends a packet anywhere but to loopback or to the test hosts
# (documentation address ranges in network namespaces this library creates,
# without any route out of the machine).

[ -n "${EXR_LIB_LOADED:-}" ] && return 0
EXR_LIB_LOADED=1

EXR_ROOT=${EXRAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
EXR_BUILD=${BUILD:-build}
case $EXR_BUILD in /*) ;; *) EXR_BUILD=$EXR_ROOT/$EXR_BUILD ;; esac
EXR_TAG=exr$$                   # unique per run; also a prefix of link names
EXR_STATE=                      # per-run scratch dir (bundles, logs, registry)
EXR_REG=                        # the cleanup registry file
EXR_VERBOSE=${EXR_VERBOSE:-0}
EXR_NET_SEQ=0

# exr_log MSG...: a diagnostic line on stderr (only with EXR_VERBOSE=1).
exr_log() { [ "$EXR_VERBOSE" = 1 ] && echo "[$EXR_TAG] $*" >&2; return 0; }

# exr_die MSG...: print MSG on stderr and exit 1 (cleanup runs from the trap).
exr_die() { echo "error: $*" >&2; exit 1; }

# exr_skip REASON: print why on stdout and exit 77 (the test runner's "skip").
exr_skip() { echo "SKIP: $*"; exit 77; }

# exr_need_root: skip (77) unless we are root on a kernel with BTF: the only
# two reasons a real-container test may skip. Missing tools are a failure,
# since `make deps` installs them.
exr_need_root() {
	[ "$(id -u)" = 0 ] || exr_skip "needs root (real runc containers, cgroups, netns)"
	[ -r /sys/kernel/btf/vmlinux ] || exr_skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	local t
	for t in runc jq ip tc ss setsid busybox; do
		command -v "$t" >/dev/null || exr_die "$t not installed (run: make deps)"
	done
	[ -x /bin/busybox ] || exr_die "/bin/busybox (busybox-static) not installed (run: make deps)"
}

# exr_init: create the per-run state dir and install the traps. Called on
# source; safe to call again. A subshell shares the parent's registry.
exr_init() {
	if [ -z "$EXR_STATE" ]; then
		EXR_STATE=$(mktemp -d "${TMPDIR:-/tmp}/exray-$EXR_TAG.XXXXXX") || exr_die "mktemp failed"
		# World-searchable: an unprivileged container user must reach a
		# rootfs copied under it. Nothing in it is secret.
		chmod 755 "$EXR_STATE"
		EXR_REG=$EXR_STATE/registry
		: >"$EXR_REG"
	fi
	trap 'exr__on_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

exr__on_exit() {
	local rc=$?
	exr_cleanup
	exit "$rc"
}

# exr_register KIND VALUE: record something to undo at cleanup. Kinds:
# pid (kill its process group), container (runc delete -f), cgpath (see
# exr_register_cgroup),
# netns (kill its processes, delete), link (ip link del), qdisc (DEV: delete
# its clsact qdisc), dir (rm -rf), cmd (eval'd). Undone in reverse order.
exr_register() { printf '%s %s\n' "$1" "$2" >>"$EXR_REG"; }

# exr_on_exit 'COMMAND': run COMMAND (eval'd) at cleanup, in reverse order
# with everything else registered.
exr_on_exit() { exr_register cmd "$1"; }

# exr_cleanup: undo everything registered, newest first, ignoring errors
# (each step is best effort, and every step is tried), then remove the state
# dir. Idempotent. Leaves cgroup dirs that still hold processes of others.
exr_cleanup() {
	[ -n "$EXR_REG" ] && [ -f "$EXR_REG" ] || return 0
	local kind val
	local -a lines=()
	mapfile -t lines <"$EXR_REG"
	: >"$EXR_REG"
	local i
	for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
		kind=${lines[i]%% *}
		val=${lines[i]#* }
		case $kind in
		pid) exr__kill_group "$val" ;;
		container)
			runc delete -f "$val" >/dev/null 2>&1
			;;
		cgpath) exr__rmdir_cgpath "$val" ;;
		netns)
			local p
			for p in $(ip netns pids "$val" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
			ip netns del "$val" 2>/dev/null
			;;
		link) ip link del "$val" >/dev/null 2>&1 ;;
		qdisc) tc qdisc del dev "$val" clsact >/dev/null 2>&1 ;;
		dir) rm -rf -- "$val" ;;
		cmd) (eval "$val") >/dev/null 2>&1 ;;
		esac
	done
	rm -rf -- "$EXR_STATE"
	EXR_STATE= EXR_REG=
}

# Kills a process group (or a lone process), politely then firmly.
exr__kill_group() {
	local p=$1 n
	kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || return 0
	for n in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$p" 2>/dev/null || break
		[ -r "/proc/$p/stat" ] && [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" = Z ] && break
		sleep 0.05
	done
	kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
	# Reap it if it is our child (a subshell's children are not).
	{ wait "$p"; } 2>/dev/null
	return 0
}

# Removes one cgroup directory; 0 if it is gone (or never was), 1 if it
# stays (it has child cgroups or live processes). A cgroup holds zombies for
# a moment after its processes are killed, and rmdir fails with EBUSY until
# they are reaped: retry briefly then.
exr__rmdir_cgroup() {
	local d=$1 n
	for n in 1 2 3 4 5 6 7 8 9 10; do
		[ -d "$d" ] || return 0
		rmdir "$d" 2>/dev/null && return 0
		[ -n "$(find "$d" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -1)" ] && return 1
		[ -s "$d/cgroup.procs" ] && [ $n -ge 3 ] && return 1
		sleep 0.1
	done
	return 1
}

# exr_tool NAME: set EXR_TOOL to build/tools/NAME, building it if missing.
exr_tool() {
	EXR_TOOL=$EXR_BUILD/tools/$1
	if [ ! -x "$EXR_TOOL" ] || [ "$EXR_ROOT/tests/tools/$1.c" -nt "$EXR_TOOL" ]; then
		make -s -C "$EXR_ROOT" BUILD="$EXR_BUILD" "$EXR_TOOL" >&2 || exr_die "cannot build $EXR_TOOL"
	fi
}

# ----------------------------------------------------------------- cgroups

# exr_cgroup2_mount: set EXR_CG2 to the cgroup2 mount point, read from
# /proc/self/mountinfo (/sys/fs/cgroup on unified hosts, often
# /sys/fs/cgroup/unified on hybrid ones). Dies if there is none.
exr_cgroup2_mount() {
	EXR_CG2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -1)
	[ -n "$EXR_CG2" ] || exr_die "no cgroup2 mount in /proc/self/mountinfo"
}

# exr_cgroup_mounts: print the mount point of every cgroup hierarchy (v1 and
# v2), one per line. (Printing is fine here: no container is involved.)
exr_cgroup_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2" || $(i + 1) == "cgroup") print $5; break } }' \
		/proc/self/mountinfo
}

# exr_cgroup_id CGROUPS_PATH: set EXR_CGID to the cgroup v2 id of the path
# (its directory's inode number, what bpf_get_current_cgroup_id() returns).
exr_cgroup_id() {
	exr_cgroup2_mount
	EXR_CGID=$(stat -c %i "$EXR_CG2$1" 2>/dev/null) || exr_die "no cgroup2 directory $EXR_CG2$1"
}

# exr_register_cgroup CGROUPS_PATH: at cleanup, remove the path's directory
# in every hierarchy (v1 controllers and cgroup2) and then each parent that
# is left empty, up to the hierarchy root: runc delete removes only the
# leaf. A parent still holding another container (of this run or another)
# is not empty and stays.
exr_register_cgroup() { exr_register cgpath "$1"; }

exr__rmdir_cgpath() {
	local m rel
	for m in $(exr_cgroup_mounts); do
		rel=$1
		while [ -n "$rel" ] && [ "$rel" != / ]; do
			exr__rmdir_cgroup "$m$rel" || break
			rel=${rel%/*}
		done
	done
}

# exr_hexid: set EXR_HEX to a fresh 64-hex container id.
exr_hexid() {
	EXR_HEX=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
}

# exr_cgpath KIND: set EXR_CGPATH to a fresh cgroupsPath of the shape the
# runtime KIND gives its containers (with a new 64-hex id in EXR_HEX and, for
# Kubernetes kinds, a pod UID in EXR_POD):
#   docker      /system.slice/docker-<id>.scope            (systemd driver)
#   podman      /machine.slice/libpod-<id>.scope
#   kubepods    /kubepods/besteffort/pod<uid>/<id>          (kubelet, cgroupfs driver)
#   containerd  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope
#   crio        /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_>.slice/crio-<id>.scope
#   host-*      /exray-test/<kind>-<tag> (a plain cgroup that is no container)
# With runc's cgroupfs driver these are literal directories in every hierarchy.
exr_cgpath() {
	exr_hexid
	EXR_POD=$(cat /proc/sys/kernel/random/uuid)
	local u=${EXR_POD//-/_}
	case $1 in
	docker) EXR_CGPATH=/system.slice/docker-$EXR_HEX.scope ;;
	podman) EXR_CGPATH=/machine.slice/libpod-$EXR_HEX.scope ;;
	kubepods | k8s | kubelet) EXR_CGPATH=/kubepods/besteffort/pod$EXR_POD/$EXR_HEX ;;
	containerd) EXR_CGPATH=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$u.slice/cri-containerd-$EXR_HEX.scope ;;
	crio | cri-o) EXR_CGPATH=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$u.slice/crio-$EXR_HEX.scope ;;
	host-*) EXR_CGPATH=/exray-test/$1-$EXR_TAG ;;
	*) exr_die "exr_cgpath: unknown kind '$1'" ;;
	esac
}

# ------------------------------------------------------------------ rootfs

# exr_rootfs [DIR [EXTRA...]]: make sure the cached base rootfs exists
# ($EXR_BUILD/rootfs: busybox-static with every applet linked, /etc/passwd
# with root and an unprivileged user app (1000:1000), and every static helper
# from $EXR_BUILD/tools in /usr/local/bin), rebuilding it when busybox or a
# tool is newer. Without DIR, sets EXR_ROOTFS to the cache (containers mount
# it read-only, so all can share it). With DIR, copies it to DIR (registered
# for cleanup), adds each EXTRA file to DIR/usr/local/bin keeping its mode,
# and sets EXR_ROOTFS=DIR. Runtime config gives each container a tmpfs /tmp.
exr_rootfs() {
	local cache=$EXR_BUILD/rootfs stamp=$EXR_BUILD/rootfs/.exray-rootfs f
	local stale=0
	[ -f "$stamp" ] || stale=1
	if [ $stale = 0 ]; then
		[ /bin/busybox -nt "$stamp" ] && stale=1
		for f in "$EXR_BUILD"/tools/*; do
			[ -f "$f" ] && [ "$f" -nt "$stamp" ] && stale=1
		done
	fi
	if [ $stale = 1 ]; then
		mkdir -p "$EXR_BUILD"
		local tmp
		tmp=$(mktemp -d "$EXR_BUILD/rootfs.tmp.XXXXXX") || exr_die "mktemp in $EXR_BUILD failed"
		exr_register dir "$tmp"
		chmod 755 "$tmp" # mktemp made it 0700: no use to a non-root container user
		mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,proc,sys,dev,root,home/app,var/www}
		chmod 1777 "$tmp/tmp"
		chmod 700 "$tmp/root"
		chown 1000:1000 "$tmp/home/app"
		cp /bin/busybox "$tmp/bin/busybox"
		local a
		for a in $(/bin/busybox --list-full); do
			[ -e "$tmp/$a" ] || ln -s /bin/busybox "$tmp/$a"
		done
		printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/etc/passwd"
		printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' >"$tmp/etc/group"
		printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/etc/hosts"
		echo ok >"$tmp/var/www/healthz"
		echo '<html><body>exray test web server</body></html>' >"$tmp/var/www/index.html"
		for f in "$EXR_BUILD"/tools/*; do
			[ -f "$f" ] && [ -x "$f" ] && cp -p "$f" "$tmp/usr/local/bin/"
		done
		touch "$tmp/.exray-rootfs"
		# Swap in atomically; a concurrent builder's result is as good as ours.
		if [ -d "$cache" ]; then
			mv -T "$cache" "$cache.old.$$" 2>/dev/null && exr_register dir "$cache.old.$$"
		fi
		mv -T "$tmp" "$cache" 2>/dev/null || true
	fi
	chmod 755 "$cache"
	EXR_ROOTFS=$cache
	[ $# -ge 1 ] || return 0
	local dir=$1
	shift
	exr_register dir "$dir"
	mkdir -p "$dir"
	cp -a "$cache/." "$dir/" || exr_die "cannot copy rootfs to $dir"
	for f in "$@"; do
		cp -p "$f" "$dir/usr/local/bin/" || exr_die "cannot copy $f into $dir"
	done
	EXR_ROOTFS=$dir
}

# -------------------------------------------------------------- containers

# exr_all_caps: set EXR_ALL_CAPS to a JSON list of every capability in our
# own bounding set (what --privileged grants: asking runc for one we lack,
# e.g. CAP_SYS_RESOURCE on some sandboxes, fails the container start).
exr_all_caps() {
	local -a names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
		LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
		SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
		SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
		MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
		CHECKPOINT_RESTORE)
	local bnd i
	bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
	EXR_ALL_CAPS=$(for i in "${!names[@]}"; do
		(((bnd >> i) & 1)) && echo "CAP_${names[i]}"
	done | jq -R . | jq -cs .)
}

# exr_container_create [OPTIONS] NAME KIND|CGROUPS_PATH [--] ARGS...
# Create (not start) a runc container running ARGS from a read-only busybox
# rootfs with a tmpfs /tmp (unless --tmp-in-rootfs). KIND is one of exr_cgpath's kinds (a fresh id
# each time) or an explicit cgroupsPath starting with "/". The runc id is
# the 64-hex id in the path when there is one (as docker does), else
# NAME-$EXR_TAG. Options:
#   --netns NS       join network namespace NS (a name under /var/run/netns
#                    or a path) instead of getting a new one with only lo
#   --hostpid        share the host's pid namespace (no pid namespace)
#   --privileged     all capabilities, no masked/read-only /proc paths,
#                    no_new_privs off (like `docker run --privileged`)
#   --user UID:GID   run as that user (default 0:0)
#   --cap CAP        add CAP to the bounding set only (what a setuid-root
#                    exec can gain), e.g. CAP_SETUID
#   --no-nnp         allow privilege gain on exec (setuid bits work)
#   --rootfs DIR     use DIR (from exr_rootfs DIR ...) instead of the cache
#   --rw             the root filesystem is writable (e.g. an overlay the
#                    caller mounted, as image layers are); default read-only
#   --tmp-in-rootfs  no tmpfs on /tmp: /tmp is the rootfs's own directory,
#                    as docker and containerd leave it (with --rw over an
#                    overlay, what lands in /tmp is in the upper layer)
#   --bind SRC:DST   bind-mount host path SRC at DST in the container (rw)
#   --stdin FILE     container stdin (default /dev/null)
#   --env K=V        add an environment variable
#   --annotation K=V add an OCI annotation (as orchestrators label containers)
#   --bundle DIR     write the bundle to DIR (registered for cleanup), e.g.
#                    where containerd or podman keep theirs; default: a
#                    directory of this run's state
# Sets EXR_CID (runc id), EXR_CGPATH, EXR_BUNDLE, EXR_CLOG (stdout+stderr
# file), and records them for exr_container_info NAME. The container is
# registered for cleanup before it exists.
exr_container_create() {
	local netns= hostpid=0 priv=0 user=0:0 nnp=1 rootfs= stdin=/dev/null bundle= rw=0 tmpfs=1
	local -a caps=() envs=() anns=() binds=()
	while [ $# -gt 0 ]; do
		case $1 in
		--netns) netns=$2; shift 2 ;;
		--hostpid) hostpid=1; shift ;;
		--privileged) priv=1; nnp=0; shift ;;
		--user) user=$2; shift 2 ;;
		--cap) caps+=("$2"); shift 2 ;;
		--no-nnp) nnp=0; shift ;;
		--rootfs) rootfs=$2; shift 2 ;;
		--rw) rw=1; shift ;;
		--tmp-in-rootfs) tmpfs=0; shift ;;
		--bind) binds+=("$2"); shift 2 ;;
		--stdin) stdin=$2; shift 2 ;;
		--env) envs+=("$2"); shift 2 ;;
		--annotation) anns+=("$2"); shift 2 ;;
		--bundle) bundle=$2; shift 2 ;;
		--) shift; break ;;
		-*) exr_die "exr_container_create: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -ge 3 ] || exr_die "usage: exr_container_create [OPTIONS] NAME KIND|CGROUPS_PATH ARGS..."
	local name=$1 cg=$2
	shift 2
	[ "${1:-}" = -- ] && shift
	[ -n "$EXR_STATE" ] || exr_init
	if [ "${cg#/}" != "$cg" ]; then
		EXR_CGPATH=$cg
		EXR_HEX=$(grep -oE '[0-9a-f]{64}' <<<"$cg" | tail -1)
	else
		exr_cgpath "$cg"
	fi
	if [ -n "$EXR_HEX" ]; then EXR_CID=$EXR_HEX; else EXR_CID=$name-$EXR_TAG; fi
	if [ -z "$rootfs" ]; then
		exr_rootfs
		rootfs=$EXR_ROOTFS
	fi
	case $rootfs in /*) ;; *) rootfs=$PWD/$rootfs ;; esac
	case $netns in "" | /*) ;; *) netns=/var/run/netns/$netns ;; esac

	EXR_BUNDLE=${bundle:-$EXR_STATE/bundles/$name}
	EXR_CLOG=$EXR_STATE/$name.log
	[ -n "$bundle" ] && exr_register dir "$bundle"
	mkdir -p "$EXR_BUNDLE"
	(cd "$EXR_BUNDLE" && runc spec) || exr_die "runc spec failed"
	local args_json caps_json envs_json anns_json
	exr_all_caps
	args_json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	if [ ${#caps[@]} -gt 0 ]; then caps_json=$(printf '%s\n' "${caps[@]}" | jq -R . | jq -s .); else caps_json='[]'; fi
	if [ ${#envs[@]} -gt 0 ]; then envs_json=$(printf '%s\n' "${envs[@]}" | jq -R . | jq -s .); else envs_json='[]'; fi
	if [ ${#anns[@]} -gt 0 ]; then
		anns_json=$(printf '%s\n' "${anns[@]}" | jq -R 'capture("^(?<k>[^=]*)=(?<v>.*)$") | {(.k): .v}' | jq -s 'add')
	else anns_json='{}'; fi
	local binds_json='[]'
	[ ${#binds[@]} -gt 0 ] && binds_json=$(printf '%s\n' "${binds[@]}" |
		jq -R 'split(":") | {destination: .[1], type: "bind", source: .[0], options: ["rbind", "rw"]}' | jq -s .)
	jq --argjson args "$args_json" --arg root "$rootfs" --arg cg "$EXR_CGPATH" \
		--arg host "$name" --arg netns "$netns" --argjson hostpid "$hostpid" \
		--argjson priv "$priv" --argjson nnp "$nnp" --argjson allcaps "$EXR_ALL_CAPS" \
		--argjson caps "$caps_json" --argjson envs "$envs_json" --argjson anns "$anns_json" \
		--argjson rw "$rw" --argjson tmpfs "$tmpfs" --argjson binds "$binds_json" \
		--argjson uid "${user%%:*}" --argjson gid "${user##*:}" '
		.process.terminal = false
		| .process.args = $args
		| .process.user = {uid: $uid, gid: $gid}
		| .process.cwd = (if $uid == 0 then "/" else "/tmp" end)
		| .process.env += $envs
		| .process.noNewPrivileges = ($nnp == 1)
		| .root = {path: $root, readonly: ($rw == 0)}
		| .hostname = $host
		| .mounts += (if $tmpfs == 1 then [{destination: "/tmp", type: "tmpfs", source: "tmpfs",
			       options: ["nosuid", "nodev", "mode=1777", "size=64m"]}] else [] end) + $binds
		| .linux.cgroupsPath = $cg
		| (if $anns != {} then .annotations = ((.annotations // {}) + $anns) else . end)
		| (if $netns != "" then .linux.namespaces |= map(if .type == "network" then .path = $netns else . end) else . end)
		| (if $hostpid == 1 then .linux.namespaces |= map(select(.type != "pid")) else . end)
		| (if $priv == 1 then
			.process.capabilities = {bounding: $allcaps, effective: $allcaps, permitted: $allcaps, inheritable: $allcaps}
			| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		   else . end)
		| .process.capabilities.bounding = ((.process.capabilities.bounding + $caps) | unique)
		' "$EXR_BUNDLE/config.json" >"$EXR_BUNDLE/config.json.new" || exr_die "editing config.json failed"
	mv "$EXR_BUNDLE/config.json.new" "$EXR_BUNDLE/config.json"

	exr_register_cgroup "$EXR_CGPATH"
	exr_register container "$EXR_CID"
	runc create --bundle "$EXR_BUNDLE" "$EXR_CID" <"$stdin" >"$EXR_CLOG" 2>&1 ||
		exr_die "runc create $name failed: $(tail -3 "$EXR_CLOG")"
	mkdir -p "$EXR_STATE/c"
	printf 'EXR_CID=%q EXR_CGPATH=%q EXR_BUNDLE=%q EXR_CLOG=%q\n' \
		"$EXR_CID" "$EXR_CGPATH" "$EXR_BUNDLE" "$EXR_CLOG" >"$EXR_STATE/c/$name"
	exr_container_info "$name"
	exr_log "container $name: $EXR_CID pid $EXR_CPID cgroup $EXR_CGPATH (id $EXR_CGID)"
}

# exr_container_start NAME: start a created container (runc start).
exr_container_start() {
	exr_container_info "$1"
	runc start "$EXR_CID" >>"$EXR_CLOG" 2>&1 || exr_die "runc start $1 failed: $(tail -3 "$EXR_CLOG")"
}

# exr_container_run [OPTIONS] NAME KIND|CGROUPS_PATH ARGS...: create and
# start, detached (the init is reparented away from us). Same results.
exr_container_run() {
	exr_container_create "$@"
	exr_container_start "$EXR_C_NAME"
}

# exr_container_info NAME: load what we know about container NAME into
# EXR_CID, EXR_CGPATH, EXR_BUNDLE, EXR_CLOG, EXR_CPID (init pid on the host,
# 0 once stopped), EXR_CGID (cgroup v2 id, 0 once removed), EXR_C_NAME.
exr_container_info() {
	[ -f "$EXR_STATE/c/$1" ] || exr_die "no container named $1"
	eval "$(cat "$EXR_STATE/c/$1")"
	EXR_C_NAME=$1
	EXR_CPID=$(runc state "$EXR_CID" 2>/dev/null | jq -r '.pid // 0')
	[ -n "$EXR_CPID" ] || EXR_CPID=0
	exr_cgroup2_mount
	EXR_CGID=$(stat -c %i "$EXR_CG2$EXR_CGPATH" 2>/dev/null) || EXR_CGID=0
}

# exr_container_exec [--stdin FILE] [--user UID:GID] NAME ARGS...: run ARGS
# in the running container NAME (runc exec, like `docker exec` without -t),
# in the foreground; its output goes to the caller's stdout/stderr. Returns
# its exit status.
exr_container_exec() {
	local stdin=/dev/null user=
	while [ $# -gt 0 ]; do
		case $1 in
		--stdin) stdin=$2; shift 2 ;;
		--user) user=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local name=$1
	shift
	exr_container_info "$name"
	runc exec ${user:+--user "$user"} "$EXR_CID" "$@" <"$stdin"
}

# exr_container_wait NAME [SECONDS]: wait (default 10 s) until container
# NAME has stopped; returns 1 on timeout.
exr_container_wait() {
	exr_container_info "$1"
	local deadline=$((SECONDS + ${2:-10}))
	while [ $SECONDS -le $deadline ]; do
		[ "$(runc state "$EXR_CID" 2>/dev/null | jq -r .status)" = stopped ] && return 0
		sleep 0.05
	done
	return 1
}

# exr_container_delete NAME: delete container NAME now (runc delete -f) and
# remove its cgroup dirs and the parents it leaves empty, in every
# hierarchy. Cleanup would do the same at exit.
exr_container_delete() {
	exr_container_info "$1"
	runc delete -f "$EXR_CID" >/dev/null 2>&1
	exr__rmdir_cgpath "$EXR_CGPATH"
}

# ------------------------------------------------------------------ network

# exr_netns_add NAME: create network namespace NAME (registered) with lo up.
exr_netns_add() {
	[ -n "$EXR_STATE" ] || exr_init
	exr_register netns "$1"
	ip netns add "$1" || exr_die "ip netns add $1 failed"
	ip -n "$1" link set lo up
}

# exr_testnet_up NAME [CLIENT_NS] [NET]: create a test host: network
# namespace NAME joined by a veth pair to CLIENT_NS (an existing namespace,
# e.g. one a container joins with --netns; default: the host's own
# namespace). Addresses come from documentation ranges, client side .1 / ::1,
# test host .2 / ::2; NET selects the subnet: 0 = 192.0.2.0/24 and
# 2001:db8::/64 (default), 1 = 198.51.100.0/24 and 2001:db8:1::/64,
# 2 = 203.0.113.0/24 and 2001:db8:2::/64. No default route anywhere: nothing
# can leave the machine. In the host's namespace a subnet the host already
# routes is refused (this machine's eth0 is in 192.0.2.0/24: use NET 1 or 2). Sets EXR_NET_HOST4/6 (test host addresses),
# EXR_NET_CLIENT4/6, EXR_NET_IF (client-side veth), EXR_NET_PEERIF.
exr_testnet_up() {
	local name=$1 client=${2:-} net=${3:-0}
	local -a v4=(192.0.2 198.51.100 203.0.113)
	[ -n "${v4[$net]:-}" ] || exr_die "exr_testnet_up: NET must be 0, 1 or 2"
	[ -n "$EXR_STATE" ] || exr_init
	ip netns list | grep -qw "^$name" || exr_netns_add "$name"
	EXR_NET_SEQ=$((EXR_NET_SEQ + 1))
	EXR_NET_IF=${EXR_TAG}v${EXR_NET_SEQ}c
	EXR_NET_PEERIF=${EXR_TAG}v${EXR_NET_SEQ}h
	EXR_NET_CLIENT4=${v4[$net]}.1 EXR_NET_HOST4=${v4[$net]}.2
	if [ "$net" = 0 ]; then
		EXR_NET_CLIENT6=2001:db8::1 EXR_NET_HOST6=2001:db8::2
	else
		EXR_NET_CLIENT6=2001:db8:$net::1 EXR_NET_HOST6=2001:db8:$net::2
	fi
	local cn=()
	[ -n "$client" ] && cn=(-n "$client")
	# Never give the host's own namespace a subnet it already has: on some
	# machines eth0 itself sits in a documentation range (192.0.2.0/24 here),
	# and a second route to it could send test traffic off the machine.
	if [ -z "$client" ] && ip -4 route show | grep -q "^${v4[$net]}\."; then
		exr_die "exr_testnet_up: ${v4[$net]}.0/24 is already routed on this host; use another NET"
	fi
	exr_register link "$EXR_NET_IF"
	ip "${cn[@]}" link add "$EXR_NET_IF" type veth peer name "$EXR_NET_PEERIF" netns "$name" ||
		exr_die "creating veth $EXR_NET_IF failed"
	ip "${cn[@]}" addr add "$EXR_NET_CLIENT4/24" dev "$EXR_NET_IF"
	ip "${cn[@]}" addr add "$EXR_NET_CLIENT6/64" dev "$EXR_NET_IF" nodad
	ip "${cn[@]}" link set "$EXR_NET_IF" up
	ip -n "$name" addr add "$EXR_NET_HOST4/24" dev "$EXR_NET_PEERIF"
	ip -n "$name" addr add "$EXR_NET_HOST6/64" dev "$EXR_NET_PEERIF" nodad
	ip -n "$name" link set "$EXR_NET_PEERIF" up
}

# exr_testnet_alias NAME CLIENT_NS ADDR: give test host NAME one more
# address ADDR (IPv4 or IPv6, documentation range) and route it from
# CLIENT_NS ("" = host) through the veth that exr_testnet_up made last
# (EXR_NET_IF / EXR_NET_HOST4/6), so one test host can play several remote
# servers (a download site, a mining pool...).
exr_testnet_alias() {
	local name=$1 client=$2 addr=$3 cn=()
	[ -n "$client" ] && cn=(-n "$client")
	if [ "${addr#*:}" != "$addr" ]; then
		ip -n "$name" addr add "$addr/128" dev "$EXR_NET_PEERIF" nodad
		ip "${cn[@]}" route add "$addr/128" via "$EXR_NET_HOST6" dev "$EXR_NET_IF"
	else
		ip -n "$name" addr add "$addr/32" dev "$EXR_NET_PEERIF"
		ip "${cn[@]}" route add "$addr/32" via "$EXR_NET_HOST4" dev "$EXR_NET_IF"
	fi
}

# exr_register_qdisc DEV: remove DEV's clsact qdisc at cleanup (for tests
# that attach TC programs; call it before attaching).
exr_register_qdisc() { exr_register qdisc "$1"; }

# exr_bg [--netns NS] LOG CMD...: start CMD in the background in its own
# process group (optionally inside network namespace NS), stdio to LOG,
# registered for cleanup. Sets EXR_BGPID.
exr_bg() {
	local ns=
	[ "$1" = --netns ] && { ns=$2; shift 2; }
	local log=$1
	shift
	[ -n "$EXR_STATE" ] || exr_init
	if [ -n "$ns" ]; then
		setsid ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
	else
		setsid "$@" </dev/null >"$log" 2>&1 &
	fi
	EXR_BGPID=$!
	exr_register pid "$EXR_BGPID"
}

# exr_wait_listen [--netns NS] PORT [SECONDS]: wait until something listens
# on TCP PORT (in NS); returns 1 after SECONDS (default 5).
exr_wait_listen() {
	local cn=()
	[ "$1" = --netns ] && { cn=(ip netns exec "$2"); shift 2; }
	local deadline=$((SECONDS + ${2:-5}))
	while [ $SECONDS -le $deadline ]; do
		[ -n "$("${cn[@]}" ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	return 1
}

# exr_listen NS PORT LOG [exr-net listen OPTIONS...]: start the static
# exr-net server on PORT in test host NS (all its addresses, IPv4 and IPv6)
# and wait until it listens. Sets EXR_BGPID.
exr_listen() {
	local ns=$1 port=$2 log=$3
	shift 3
	exr_tool exr-net
	exr_bg --netns "$ns" "$log" "$EXR_TOOL" listen "$@" "$port"
	exr_wait_listen --netns "$ns" "$port" || exr_die "listener on port $port in $ns did not start: $(cat "$log")"
}

exr_init
