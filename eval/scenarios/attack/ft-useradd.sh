# category: file-tampering
# technique: T1136.001
# art: yes
# expect: auth-file-modified account-change-tool
# image: debian
# desc: useradd creates a hidden uid-0 account (Atomic's Create a new user in Linux with root UID and GID)
useradd -o -u 0 -g 0 -M -d /root -s /bin/bash butter
