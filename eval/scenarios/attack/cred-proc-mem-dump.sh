# category: credential-access
# technique: T1003.007
# art: yes
# expect: proc-mem-access
# image: debian
# opts: --cap CAP_SYS_PTRACE
# desc: another process's heap is dumped through /proc/PID/mem with dd (Atomic's Dump individual process memory with sh)
env API_TOKEN=exray-eval sleep 30 &
pid=$!
sleep 0.2
range=$(grep -m1 '\[stack\]' "/proc/$pid/maps" | cut -d' ' -f1)
start=$((0x${range%-*}))
dd if="/proc/$pid/mem" of=/tmp/dump bs=4096 skip=$((start / 4096)) count=1 2>/dev/null
kill "$pid"
