# category: suspicious-network
# technique: T1046
# art: no
# expect: raw-socket
# opts: --cap CAP_NET_RAW
# desc: a scanner opens a raw TCP socket to craft its own SYNs
exr-attack raw
