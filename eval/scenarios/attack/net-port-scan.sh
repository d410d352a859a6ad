# category: suspicious-network
# technique: T1046
# art: yes
# expect: port-scan
# net: yes
# desc: network service discovery: nc tries 24 ports of a neighbour host one after the other
for p in $(seq 20 43); do nc -w 1 "$C2" "$p" </dev/null >/dev/null 2>&1; done
true
