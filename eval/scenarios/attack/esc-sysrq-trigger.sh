# category: container-escape
# technique: T1529
# art: no
# developed: yes
# expect: kernel-tunable-write
# desc: a container reaches through to the host kernel's magic SysRq: it enables it in /proc/sys/kernel/sysrq and writes a command letter to /proc/sysrq-trigger (an attacker writes c or b to crash or reboot the node; here h, the help text, so that nothing happens even if the runtime let it through; the runtime's read-only paths refuse both)
echo 1 > /proc/sys/kernel/sysrq || echo "sysrq enable refused"
echo h > /proc/sysrq-trigger || echo "sysrq-trigger write refused"
