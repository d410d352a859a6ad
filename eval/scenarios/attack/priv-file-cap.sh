# category: privilege-escalation
# technique: T1548
# art: no
# expect: capability-gain
# opts: --no-nnp --cap CAP_SYS_ADMIN --cap CAP_SYS_PTRACE --cap CAP_DAC_READ_SEARCH
# exec-opts: --user 1000:1000
# layer: cp -p "$TOOLS/exr-attack" usr/local/bin/perf-helper && setcap cap_sys_admin,cap_sys_ptrace,cap_dac_read_search+p usr/local/bin/perf-helper
# desc: an unprivileged user runs a binary the image ships with file capabilities (permitted, not effective: capability-aware) and raises CAP_SYS_ADMIN, SYS_PTRACE and DAC_READ_SEARCH into its effective set, as an exploited capability-aware helper does
id
/usr/local/bin/perf-helper capset
