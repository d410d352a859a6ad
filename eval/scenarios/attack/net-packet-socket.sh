# category: suspicious-network
# technique: T1040
# art: no
# expect: packet-socket
# opts: --cap CAP_NET_RAW
# desc: a sniffer opens an AF_PACKET socket in a container (Falco's Packet socket created in container)
exr-attack packet
