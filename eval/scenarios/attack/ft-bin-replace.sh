# category: file-tampering
# technique: T1036.005
# art: no
# expect: binary-in-path-modified
# image: debian
# desc: a system binary in $PATH (ps) is replaced by a trojan
cp /usr/local/bin/exr-attack /usr/bin/ps
