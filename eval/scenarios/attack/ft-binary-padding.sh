# category: file-tampering
# technique: T1027.001
# art: yes
# expect: binary-in-path-modified
# desc: a binary in $PATH gets bytes appended to change its hash (Atomic's Pad Binary to Change Hash)
dd if=/dev/zero bs=1 count=1 2>/dev/null >> /usr/local/bin/exr-net
