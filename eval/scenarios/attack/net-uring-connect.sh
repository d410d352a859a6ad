# category: suspicious-network
# technique: T1071
# art: no
# expect: io-uring-network egress-not-allowed
# net: yes
# desc: a beacon connects to its C2 through io_uring, which system-call monitors do not see
exr-attack uring-connect "$C2" 8080
