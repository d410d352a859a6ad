# The OCSF schema tree the export tests validate against: the raw release
# (shared/ocsf-schema-1.8.0, beside the repository on developer machines and
# in CI), or $OCSF_SCHEMA. Prints its path; fails when there is none.
ocsf_schema_dir() {
	local d
	for d in "${OCSF_SCHEMA:-}" "$ROOT/../shared/ocsf-schema-1.8.0" "$ROOT/../../shared/ocsf-schema-1.8.0" \
		/work/shared/ocsf-schema-1.8.0; do
		[ -n "$d" ] && [ -f "$d/dictionary.json" ] && { echo "$d"; return 0; }
	done
	return 1
}
