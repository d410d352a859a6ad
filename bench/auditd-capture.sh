#!/usr/bin/env bash
# auditd as a benchmark peer: a private auditd (-n, no fork) logging to
# LOGFILE, with exec and connect rules added once it runs, and the rules of
# RULES_FILE (one auditctl rule a line, e.g. `-w /etc/ -p wa -k exrbench_w`)
# when given. On SIGINT/SIGTERM the rules are removed and auditd is stopped;
# rules are removed on any exit.
#   bench/auditd-capture.sh LOGFILE [RULES_FILE]
set -u
log=$1
cfg=$(mktemp -d)
sed -e "s|^log_file *=.*|log_file = $log|" -e 's|^max_log_file *=.*|max_log_file = 4096|' \
    -e 's|^max_log_file_action *=.*|max_log_file_action = ignore|' \
    -e 's|^space_left_action *=.*|space_left_action = ignore|' \
    /etc/audit/auditd.conf > "$cfg/auditd.conf"
chmod 0640 "$cfg/auditd.conf"
rules=(
	"-a always,exit -F arch=b64 -S execve,execveat -k exrbench_exec"
	"-a always,exit -F arch=b64 -S connect -k exrbench_conn"
)
if [ -n "${2:-}" ]; then
	while read -r r; do [ -n "$r" ] && rules+=("$r"); done <"$2"
fi
pid=
cleanup() {
	for r in "${rules[@]}"; do
		case $r in -w*) auditctl ${r/-w /-W } ;; *) auditctl ${r/-a /-d } ;; esac >/dev/null 2>&1
	done
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	auditctl -e 0 >/dev/null 2>&1
	rm -rf "$cfg"
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT
auditd -n -c "$cfg" &
pid=$!
for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.1; done
[ -s "$log" ] || { echo "auditd-capture: auditd did not start" >&2; exit 1; }
for r in "${rules[@]}"; do auditctl $r >/dev/null || exit 1; done
# The readiness signal bench-run waits for: the rules are in the kernel.
echo "auditd-capture: rules loaded" >&2
wait "$pid"
