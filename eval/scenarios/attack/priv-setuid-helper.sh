# category: privilege-escalation
# technique: T1548.001
# art: yes
# expect: setuid-root-gain setuid-to-root
# opts: --no-nnp --cap CAP_SETUID --cap CAP_SETGID
# exec-opts: --user 1000:1000
# layer: cp -p "$TOOLS/exr-attack" usr/local/bin/netdiag && chown 0:0 usr/local/bin/netdiag && chmod 4755 usr/local/bin/netdiag
# desc: an unprivileged user runs a setuid-root helper that sets all its uids to 0 and starts a shell
/usr/local/bin/netdiag setuid0 /bin/sh -c id
