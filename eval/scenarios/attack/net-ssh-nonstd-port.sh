# category: suspicious-network
# technique: T1021.004
# art: no
# expect: ssh-nonstandard-port
# image: debian
# net: yes
# desc: an ssh client connects to a host on port 2222 (Falco's Disallowed SSH Connection Non Standard Port)
timeout 5 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=2 -p 2222 "root@$C2" id || true
