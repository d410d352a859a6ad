# category: privilege-escalation
# technique: T1059
# art: no
# expect: exec-from-temp
# desc: a binary copied to /dev/shm and run from there (Falco's Execution from /dev/shm); /dev/shm is noexec in the container, so the kernel refuses: the attempt is what is seen
cp /usr/local/bin/exr-attack /dev/shm/.x
chmod +x /dev/shm/.x
/dev/shm/.x hello from shm
