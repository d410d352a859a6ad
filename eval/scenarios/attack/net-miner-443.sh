# category: suspicious-network
# technique: T1496
# art: yes
# expect: crypto-miner egress-not-allowed
# net: yes
# layer: printf '#!/bin/sh\nurl=${2#*://}\nexec exr-net connect -s "{\\"method\\":\\"login\\"}" "${url%%%%:*}" "${url##*:}"\n' > usr/local/bin/kdevtmpfsi && chmod 755 usr/local/bin/kdevtmpfsi
# desc: a miner disguised as a kernel thread name reaches its pool on port 443, where a port list cannot see it
timeout 10 kdevtmpfsi -o "stratum+ssl://$POOL:443" -u 84XbX --cpu-max-threads-hint=75 || true
