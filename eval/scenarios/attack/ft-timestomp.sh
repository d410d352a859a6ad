# category: file-tampering
# technique: T1070.006
# art: no
# expect: timestomp
# image: debian
# desc: a replaced binary gets the timestamps of its neighbour, to hide when it changed
touch -r /bin/ls /usr/local/bin/exr-net
touch -d '2023-01-01 00:00' /usr/local/bin/exr-attack
