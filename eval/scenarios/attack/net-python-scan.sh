# category: suspicious-network
# technique: T1046
# art: yes
# expect: port-scan
# image: debian
# net: yes
# desc: port scan from python (Atomic's Port Scan using python): one process, 30 connects
python3 - "$C2" <<'PY'
import socket, sys
for p in range(1, 31):
    s = socket.socket(); s.settimeout(0.3)
    try: s.connect((sys.argv[1], p))
    except OSError: pass
    s.close()
PY
