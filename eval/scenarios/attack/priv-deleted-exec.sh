# category: privilege-escalation
# technique: T1070.004
# art: yes
# expect: exec-from-temp deleted-binary-execution
# desc: a dropped binary is opened, unlinked and run through /proc/self/fd, so no file is left on disk
mkdir -p /var/lib
cp /usr/local/bin/exr-attack /var/lib/.update
exr-attack fd-exec-deleted /var/lib/.update
