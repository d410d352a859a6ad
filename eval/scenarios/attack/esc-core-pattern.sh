# category: container-escape
# technique: T1611
# art: no
# expect: core-pattern-write
# opts: --privileged
# desc: a privileged container opens the host's /proc/sys/kernel/core_pattern for writing (writes back the value it holds, so nothing changes)
cur=$(cat /proc/sys/kernel/core_pattern)
printf '%s\n' "$cur" > /proc/sys/kernel/core_pattern
