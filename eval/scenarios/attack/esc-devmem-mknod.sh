# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: device-node-in-container
# desc: a container makes character device nodes for the host's physical and kernel memory (/dev/mem 1:1, /dev/kmem 1:2, /dev/port 1:4) to read or patch the host kernel from inside (mknod is refused: no CAP_MKNOD, and the device cgroup)
for d in mem:1 kmem:2 port:4; do
	mknod /tmp/${d%%:*} c 1 ${d##*:} || echo "mknod ${d%%:*} refused"
done
dd if=/tmp/mem of=/dev/null bs=4096 count=1 2>&1 || echo "no /dev/mem"
