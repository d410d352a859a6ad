# category: container-escape
# technique: T1547.006
# art: yes
# expect: kernel-module-load
# image: debian
# opts: --privileged
# desc: a privileged container tries to load a kernel module (a rootkit) with insmod; the file is not a valid module, so the kernel refuses it
printf '\177ELF-not-a-module' > /tmp/diamorphine.ko
insmod /tmp/diamorphine.ko || true
modprobe -n diamorphine || true
