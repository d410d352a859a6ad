# shellcheck shell=bash
# tests/lib/runtime_state.sh: write container runtimes' state files where
# the runtimes keep them (docker's config.v2.json, containers/storage's
# index...), for tests and fixtures of container identity on machines that
# run none of those runtimes. Source after tests/lib/container.sh; every
# file and every directory created is removed at cleanup (exr_register).

# exr_mkdirs DIR: create DIR and the parents it lacks, each removed at
# cleanup if it is empty by then.
exr_mkdirs() {
	local d=$1 todo=()
	while [ ! -e "$d" ]; do
		todo=("$d" "${todo[@]}")
		d=$(dirname "$d")
	done
	for d in "${todo[@]}"; do
		exr_register cmd "rmdir '$d'"
		mkdir "$d" || exr_die "mkdir $d"
	done
}

# exr_state_file FILE TEXT: write a runtime state file (refusing to replace
# one that exists: it would be a real runtime's), removed at cleanup.
exr_state_file() {
	exr_mkdirs "$(dirname "$1")"
	[ -e "$1" ] && exr_die "$1 exists already: refusing to overwrite a runtime's state"
	exr_register cmd "rm -f '$1'"
	printf '%s' "$2" >"$1"
}

# exr_docker_state ID NAME IMAGE [LABELS_JSON]: docker's config.v2.json of
# container ID (64 hex), as docker writes it at `docker create`; the image
# id is made up from IMAGE (the same image, the same id).
exr_docker_state() {
	local labels=${4:-'{}'} digest
	digest=sha256:$(printf '%s' "$3" | sha256sum | cut -c1-64)
	exr_state_file "/var/lib/docker/containers/$1/config.v2.json" "$(jq -cn --arg id "$1" \
		--arg name "/$2" --arg image "$3" --arg digest "$digest" --argjson labels "$labels" \
		'{ID: $id, Name: $name, Image: $digest,
		  Config: {Image: $image, Hostname: ($name | ltrimstr("/")), Labels: $labels}}')"
}
