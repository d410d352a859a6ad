# category: suspicious-network
# technique: T1496
# art: yes
# expect: crypto-miner suspicious-port
# net: yes
# layer: printf '#!/bin/sh\n# xmrig stand-in: parse -o stratum+tcp://HOST:PORT, log in once\nurl=${2#*://}\nexec exr-net connect -s "{\\"method\\":\\"login\\",\\"params\\":{\\"login\\":\\"$4\\"}}" "${url%%%%:*}" "${url##*:}"\n' > usr/local/bin/xmrig && chmod 755 usr/local/bin/xmrig
# desc: a cryptominer logs in to a stratum pool on port 3333
timeout 10 xmrig -o "stratum+tcp://$POOL:3333" -u 4AdUndXHHZ9pfQj27iMAjAr4xTDXXjLWRh --donate-level 1 || true
