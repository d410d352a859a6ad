# category: file-tampering
# technique: T1003.008
# art: no
# expect: sensitive-file-link
# image: debian
# desc: a symlink to /etc/shadow is made where a careless root process will read or write through it (Falco's Create Symlink Over Sensitive Files)
ln -s /etc/shadow /tmp/.cache-sh
