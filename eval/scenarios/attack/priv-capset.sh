# category: privilege-escalation
# technique: T1548
# art: no
# expect: capability-gain setuid-root-gain
# opts: --no-nnp --cap CAP_SYS_ADMIN --cap CAP_SYS_PTRACE
# exec-opts: --user 1000:1000
# layer: cp -p "$TOOLS/exr-attack" usr/local/bin/capdiag && chown 0:0 usr/local/bin/capdiag && chmod 4755 usr/local/bin/capdiag
# desc: an unprivileged user runs a setuid-root binary that raises CAP_SYS_ADMIN and CAP_SYS_PTRACE into its effective set
/usr/local/bin/capdiag capset
