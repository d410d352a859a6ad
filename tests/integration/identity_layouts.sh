#!/usr/bin/env bash
# Container identity on real eBPF: real runc containers placed where docker,
# containerd (CRI, kubelet's cgroupfs driver), CRI-O and podman put theirs,
# with the runtime's state written where that runtime keeps it (a runc
# bundle whose config.json carries the orchestrator's annotations, docker's
# config.v2.json, containers/storage's index). exray-record must write one
# container record per container with the right fields, repeat them at the
# start of the next segment, and a bare runc container gets what there is.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
. "$here/../lib/runtime_state.sh"
exr_need_root

B=$EXR_BUILD
make -s -C "$EXR_ROOT" BUILD="$B" "$B/exray-record" "$B/exray" >&2 || exr_die "cannot build"
REC=$B/exray-record
X=$B/exray
exr_rootfs

fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
eq() { # name, got, want
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}

out=$EXR_STATE/out
"$REC" -o "$out" --flush-interval 200ms 2>"$EXR_STATE/rec.err" &
recpid=$!
exr_register pid "$recpid"
for n in $(seq 600); do
	grep -q "recording:" "$EXR_STATE/rec.err" && break
	kill -0 "$recpid" 2>/dev/null || exr_die "recorder died: $(cat "$EXR_STATE/rec.err")"
	sleep 0.05
done

run() { # NAME CGPATH [create options...]: run sleep briefly, wait, delete
	local name=$1 cg=$2
	shift 2
	exr_container_create "$@" "$name" "$cg" /bin/sh -c 'sleep 0.5'
	exr_container_start "$name"
}

# docker: /system.slice/docker-ID.scope, docker's config.v2.json
exr_cgpath docker
docker_id=$EXR_HEX docker_cg=$EXR_CGPATH
exr_state_file "/var/lib/docker/containers/$docker_id/config.v2.json" "$(jq -cn --arg id "$docker_id" '{
	ID: $id, Name: "/payments-web", Image: ("sha256:" + ("ab" * 32)),
	Config: {Image: "registry.local/shop/web:1.4", Hostname: "payments-web",
		 Labels: {"com.docker.compose.service": "web", "org.opencontainers.image.version": "1.4"}}}')"
run web "$docker_cg"

# containerd via CRI, kubelet's cgroupfs driver: /kubepods/QOS/podUID/ID,
# the bundle in containerd's task directory with the CRI annotations
exr_cgpath kubepods
cri_id=$EXR_HEX cri_cg=$EXR_CGPATH cri_pod=$EXR_POD
cri_bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/$cri_id
exr_mkdirs "$(dirname "$cri_bundle")"
run api "$cri_cg" --bundle "$cri_bundle" \
	--annotation io.kubernetes.cri.container-type=container \
	--annotation io.kubernetes.cri.container-name=api \
	--annotation io.kubernetes.cri.image-name=registry.local/shop/api:2.0 \
	--annotation io.kubernetes.cri.sandbox-name=api-5f6d \
	--annotation io.kubernetes.cri.sandbox-namespace=shop \
	--annotation "io.kubernetes.cri.sandbox-uid=$cri_pod" \
	--annotation app.kubernetes.io/part-of=shop

# CRI-O (systemd driver): crio-ID.scope, the bundle in its runroot
exr_cgpath crio
crio_id=$EXR_HEX crio_cg=$EXR_CGPATH crio_pod=$EXR_POD
crio_bundle=/run/containers/storage/overlay-containers/$crio_id/userdata
exr_mkdirs "$(dirname "$crio_bundle")"
run db "$crio_cg" --bundle "$crio_bundle" \
	--annotation "io.kubernetes.cri-o.ContainerName=k8s_db_db-0_shop_${crio_pod}_0" \
	--annotation io.kubernetes.cri-o.ImageName=quay.io/shop/db:15 \
	--annotation io.kubernetes.cri-o.ImageRef=sha256:cd \
	--annotation io.kubernetes.pod.name=db-0 \
	--annotation io.kubernetes.pod.namespace=shop \
	--annotation "io.kubernetes.pod.uid=$crio_pod" \
	--annotation io.kubernetes.container.name=db

# podman: libpod-ID.scope, the bundle in containers/storage, and its index
exr_cgpath podman
pod_id=$EXR_HEX pod_cg=$EXR_CGPATH
pod_bundle=/var/lib/containers/storage/overlay-containers/$pod_id/userdata
exr_mkdirs "$(dirname "$pod_bundle")"
index=/var/lib/containers/storage/overlay-containers/containers.json
[ -e "$index" ] && index=/var/lib/containers/storage/overlay-containers/volatile-containers.json
exr_state_file "$index" "$(jq -cn --arg id "$pod_id" '[{id: $id, names: ["cache"], image: ("ef" * 32),
	metadata: ({"image-name": "docker.io/library/redis:7", "name": "cache"} | tojson)}]')"
run cache "$pod_cg" --bundle "$pod_bundle" --annotation io.container.manager=libpod

# bare runc at a docker path: no docker file, only runc's own state
exr_cgpath docker
bare_id=$EXR_HEX
run bare "$EXR_CGPATH"

for c in web api db cache bare; do
	exr_container_wait "$c" 10 || fail "container $c did not finish"
	exr_container_delete "$c"
done
sleep 0.5
kill -HUP "$recpid" # a new segment: it must start with every container record
sleep 1
kill -INT "$recpid"
wait "$recpid" || fail "recorder exit $?"

"$X" dump -t container "$out" >"$EXR_STATE/dump.jsonl" || fail "dump"
field() { # ID jq-expression: from the first record of container ID
	jq -rs --arg id "$1" "[.[] | select(.container.id == \$id)][0] | $2" "$EXR_STATE/dump.jsonl"
}
one() { # name, id, jq expression, want
	eq "$1" "$(field "$2" "$3")" "$4"
}

one "docker name" "$docker_id" .container.name payments-web
one "docker image" "$docker_id" .container.image registry.local/shop/web:1.4
one "docker digest" "$docker_id" .container.image_digest "sha256:$(printf 'ab%.0s' $(seq 32))"
one "docker labels" "$docker_id" '.container.labels | [.["com.docker.compose.service"], .["org.opencontainers.image.version"]] | join(",")' web,1.4
one "docker runtime" "$docker_id" .container.runtime docker
one "docker cgroup" "$docker_id" .cgroup_path "$docker_cg"
one "docker source" "$docker_id" '.container.source | index("/var/lib/docker/containers/'"$docker_id"'/config.v2.json") != null' true

one "cri runtime from the task dir" "$cri_id" .container.runtime containerd
one "cri pod" "$cri_id" '[.container.pod_name, .container.pod_namespace, .container.pod_uid] | join(" ")' "api-5f6d shop $cri_pod"
one "cri container/image" "$cri_id" '[.container.container_name, .container.image] | join(" ")' "api registry.local/shop/api:2.0"
one "cri label" "$cri_id" '.container.labels["app.kubernetes.io/part-of"]' shop
one "cri source: runc state, bundle" "$cri_id" '.container.source | join(" ")' \
	"/run/runc/$cri_id/state.json $cri_bundle/config.json"

one "crio fields" "$crio_id" '[.container.runtime, .container.name, .container.image, .container.image_digest, .container.pod_name, .container.pod_namespace, .container.pod_uid, .container.container_name] | join(" ")' \
	"cri-o k8s_db_db-0_shop_${crio_pod}_0 quay.io/shop/db:15 sha256:cd db-0 shop $crio_pod db"

one "podman fields" "$pod_id" '[.container.runtime, .container.name, .container.image, .container.image_digest] | join(" ")' \
	"podman cache docker.io/library/redis:7 sha256:$(printf 'ef%.0s' $(seq 32))"
one "podman source: index" "$pod_id" '.container.source | index("'"$index"'") != null' true

one "bare runc: what there is" "$bare_id" '[.container.runtime, (.container.name // "-"), (.container.source | length)] | join(" ")' "docker - 2"

for id in "$docker_id" "$cri_id" "$crio_id" "$pod_id" "$bare_id"; do
	n=$(jq -s --arg id "$id" '[.[] | select(.container.id == $id)] | length' "$EXR_STATE/dump.jsonl")
	[ "$n" -ge 2 ] || fail "container ${id:0:12}: $n record(s), want one per segment"
done
last=$(ls "$out"/*.exray.zst | tail -1)
# the test's own five (containers of other tests running beside this one
# may be named too)
eq "last segment names every container" \
	"$("$X" dump -t container "$last" | jq -r .container.id | sort -u |
		grep -cxF -e "$docker_id" -e "$cri_id" -e "$crio_id" -e "$pod_id" -e "$bare_id")" 5
eq "one record per container in its first segment" \
	"$("$X" dump -t container "$(ls "$out"/*.exray.zst | head -1)" | jq -r .container.id | sort | uniq -d | wc -l)" 0
eq "verify clean" "$("$X" verify -q "$out" >/dev/null; echo $?)" 0

# ---- the analyzer: containers table, exray containers, tree -c NAME
db=$EXR_STATE/case.db
"$X" ingest -d "$db" "$out" >/dev/null || fail "ingest"
"$X" containers -d "$db" --json >"$EXR_STATE/containers.jsonl" || fail "containers --json"
ctr() { jq -rs --arg id "$1" "[.[] | select(.cid == \$id)][0] | $2" "$EXR_STATE/containers.jsonl"; }
eq "containers: docker" "$(ctr "$docker_id" '[.name, .image, .runtime, .labels["com.docker.compose.service"]] | join(" ")')" \
	"payments-web registry.local/shop/web:1.4 docker web"
eq "containers: cri" "$(ctr "$cri_id" '[.runtime, .pod_namespace, .pod_name, .container_name, .image, .pod_uid] | join(" ")')" \
	"containerd shop api-5f6d api registry.local/shop/api:2.0 $cri_pod"
eq "containers: crio" "$(ctr "$crio_id" '[.runtime, .pod_name, .container_name, .image] | join(" ")')" "cri-o db-0 db quay.io/shop/db:15"
eq "containers: podman" "$(ctr "$pod_id" '[.runtime, .name, .image] | join(" ")')" "podman cache docker.io/library/redis:7"
eq "containers: activity" "$(ctr "$docker_id" '[(.processes > 0), (.first_time != null), (.last_time >= .first_time)] | join(" ")')" "true true true"
eq "containers: sources" "$(ctr "$docker_id" '.sources | length > 0')" true
"$X" containers -d "$db" >"$EXR_STATE/containers.txt" 2>/dev/null || fail "containers text"
grep -q "payments-web.*registry.local/shop/web:1.4" "$EXR_STATE/containers.txt" || fail "containers text row"
for spec in payments-web registry.local/shop/api:2.0 shop/api-5f6d api-5f6d/api db-0 cache "${bare_id:0:10}"; do
	"$X" tree -d "$db" -c "$spec" >"$EXR_STATE/tree.txt" 2>"$EXR_STATE/tree.err"
	rc=$?
	if [ $rc = 0 ] && [ "$(grep -c '^== ' "$EXR_STATE/tree.txt")" = 1 ]; then ok "tree -c $spec"; else fail "tree -c $spec: exit $rc $(cat "$EXR_STATE/tree.err")"; fi
done
grep -q '^== host .*: container [0-9a-f]\{12\} "cache" podman image docker.io/library/redis:7' "$EXR_STATE/tree.txt" 2>/dev/null ||
	"$X" tree -d "$db" -c cache | grep -q '"cache" podman image docker.io/library/redis:7' || fail "tree header names the container"
"$X" tree -d "$db" -c no-such-thing >/dev/null 2>&1
eq "tree -c unknown: usage" "$?" 2

echo "identity_layouts: $fails failure(s)"
[ "$fails" -eq 0 ]
