# category: suspicious-network
# technique: T1571
# art: no
# expect: suspicious-port egress-not-allowed
# net: yes
# desc: a bot talks to its controller on port 1337
echo 'NICK bot' | timeout 5 nc -w 2 "$C2" 1337 || true
