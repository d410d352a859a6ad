#!/usr/bin/env bash
# The OCSF validator (tests/tools/ocsf_validate.py) must itself be right,
# or "every exported event validates" proves nothing: two small valid events
# (a Process Activity and a Detection Finding) pass, and each crafted
# mutation of them is rejected with the reason it was made for: a missing
# required attribute (of the class, through its extends chain, of a nested
# object, of an object's parent through its extends chain), a wrong type, an
# attribute unknown to the class or to an object, an activity_id outside
# its enum, an inconsistent type_uid or class/category, a profile attribute
# without its profile, a null, a broken constraint, an out-of-range number,
# a malformed IP, a caption contradicting its id. No root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
. "$ROOT/tests/lib/ocsf.sh"
command -v python3 >/dev/null || { echo "export_ocsf_validator: python3 missing (make deps)"; exit 1; }
command -v jq >/dev/null || { echo "export_ocsf_validator: jq missing (make deps)"; exit 1; }
SCHEMA=$(ocsf_schema_dir) || { echo "export_ocsf_validator: no OCSF schema tree (shared/ocsf-schema-1.8.0)"; exit 1; }
V="python3 $ROOT/tests/tools/ocsf_validate.py --schema $SCHEMA"
tmp=$(mktemp -d /tmp/exray-ocsfv-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

proc='{"class_uid":1007,"class_name":"Process Activity","category_uid":1,"category_name":"System Activity",
 "activity_id":1,"activity_name":"Launch","type_uid":100701,"type_name":"Process Activity: Launch",
 "severity_id":1,"time":1700000000000,"time_dt":"2023-11-14T22:13:20.000Z",
 "metadata":{"version":"1.8.0","product":{"name":"exray"},"profiles":["container","datetime","host"],"uid":"b:exec:1:2:3"},
 "device":{"hostname":"h","type_id":0,"os":{"name":"Linux","type_id":200}},
 "process":{"pid":42,"uid":"b:42:7","name":"sh","cmd_line":"sh -c x","created_time":1700000000000,
   "file":{"name":"sh","path":"/bin/sh","type_id":1},"user":{"uid":"0"},
   "container":{"uid":"abc","runtime":"docker"},"namespace_pid":1},
 "actor":{"process":{"pid":1,"ancestry":[{"pid":0,"name":"swapper"}]}},
 "dst_endpoint":null}'
proc=$(jq -c 'del(.dst_endpoint)' <<<"$proc")
finding='{"class_uid":2004,"category_uid":2,"activity_id":1,"type_uid":200401,"severity_id":4,"time":1700000000000,
 "metadata":{"version":"1.8.0","product":{"name":"exray"}},
 "finding_info":{"uid":"r:1","title":"t","analytic":{"name":"r","type_id":1},
   "attacks":[{"technique":{"uid":"T1059"},"sub_technique":{"uid":"T1059.004"}}]},
 "evidences":[{"dst_endpoint":{"ip":"192.0.2.1","port":80},
   "connection_info":{"direction_id":2,"protocol_name":"tcp"}}]}'
finding=$(jq -c . <<<"$finding")

# rejected BASE JQ-MUTATION MESSAGE-SUBSTRING: the mutation must fail for that reason
rejected() {
	local base=$1 mut=$2 want=$3 out
	jq -c "$mut" <<<"$base" >"$tmp/ev.json" || { bad "jq: $mut"; return; }
	out=$($V "$tmp/ev.json" 2>&1)
	if [ $? -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
		ok "rejects $mut ($want)"
	else
		bad "does not reject $mut with '$want': $out"
	fi
}

for ev in "$proc" "$finding"; do
	out=$($V - <<<"$ev" 2>&1)
	[ $? -eq 0 ] && ok "accepts a valid $(jq -r .class_uid <<<"$ev") event" || bad "rejects a valid event: $out"
done

P=$proc F=$finding
rejected "$P" 'del(.time)' "time: required attribute of process_activity missing"
rejected "$P" 'del(.actor)' "actor: required attribute of process_activity missing"   # from system, via extends
rejected "$P" 'del(.metadata.product)' "metadata.product: required attribute of metadata missing"
rejected "$P" 'del(.process.file.name)' "process.file.name: required attribute of file missing"
rejected "$F" '.malware_scan_info = {"uid":"s"}' "malware_scan_info.type_id: required attribute of malware_scan_info missing" # from scan, via extends
rejected "$F" 'del(.finding_info.uid)' "finding_info.uid: required attribute of finding_info missing"
rejected "$P" '.process.pid = "42"' 'is not a integer_t'
rejected "$P" '.time = 1.5' 'is not a timestamp_t'
rejected "$P" '.process.user.uid = 0' 'is not a string_t'
rejected "$P" '.process.file = "sh"' 'must be a file object'
rejected "$P" '.metadata.profiles = "host"' 'must be an array of string_t'
rejected "$P" '.bogus = 1' 'bogus: attribute unknown to process_activity'
rejected "$P" '.process.bogus = 1' 'process.bogus: attribute unknown to process'
rejected "$P" '.actor.process.ancestry[0].cmd = "x"' 'ancestry[0].cmd: attribute unknown to process_entity'
rejected "$P" '.activity_id = 7 | .type_uid = 100707 | del(.activity_name, .type_name)' '7 is not in the enum of activity_id'
rejected "$P" '.type_uid = 100702' 'not class_uid * 100 + activity_id = 100701'
rejected "$P" '.category_uid = 4' 'is in category 1'
rejected "$P" '.class_uid = 9999' '9999 is not a class'
rejected "$P" '.activity_name = "Terminate"' "contradicts activity_id 1 ('Launch')"
rejected "$P" '.class_name = "Network Activity"' "class_name: 'Network Activity', not 'Process Activity'"
rejected "$P" '.metadata.profiles = ["host", "datetime"]' 'process.container: attribute of profile container'
rejected "$P" '.metadata.profiles = ["container", "host"]' 'time_dt: attribute of profile datetime'
rejected "$P" '.metadata.profiles += ["nosuch"]' "unknown profile 'nosuch'"
rejected "$P" '.process.cmd_line = null' 'null value'
rejected "$P" '.process = {"name": "sh"}' 'process needs at least one of pid, uid, cpid'
rejected "$P" '.process.pid = 1099511627776' 'does not fit integer_t'
rejected "$P" '.severity_id = 8' '8 is not in the enum of severity_id'
rejected "$P" '.device.os.type_id = 7' '7 is not in the enum of type_id'
rejected "$P" '.time_dt = "yesterday"' 'is not a valid datetime_t'
rejected "$F" '.evidences[0].dst_endpoint.ip = "not-an-ip"' 'is not a valid ip_t'
rejected "$F" '.evidences[0].dst_endpoint.port = 70000' 'outside port_t range'
rejected "$F" '.evidences[0] = {"name":"x"}' 'evidences needs at least one of'
rejected "$F" '.finding_info.attacks[0] = {"version":"14"}' 'attack needs at least one of tactic, technique'

# a file of several events: every bad line is reported with its line number
{ echo "$proc"; jq -c 'del(.time)' <<<"$proc"; echo "$finding"; echo 'not json'; } >"$tmp/multi.jsonl"
out=$($V "$tmp/multi.jsonl" 2>&1)
grep -q "multi.jsonl:2: time:" <<<"$out" && grep -q "multi.jsonl:4: (event): not JSON" <<<"$out" &&
	! grep -q "multi.jsonl:[13]:" <<<"$out" && ok "reports bad lines by number, good lines not" ||
	bad "line reporting: $out"

[ "$fails" -eq 0 ] && echo "export_ocsf_validator: all checks passed" || echo "export_ocsf_validator: $fails check(s) failed"
[ "$fails" -eq 0 ]
