# category: privilege-escalation
# technique: T1055.009
# art: yes
# expect: proc-mem-access ptrace-attach
# image: debian
# opts: --cap CAP_SYS_PTRACE
# desc: code injection through /proc/PID/mem: a process writes into another's memory (writes back the byte it read, so nothing changes)
sleep 30 &
victim=$!
sleep 0.2
python3 - "$victim" <<'PY'
import sys
pid = int(sys.argv[1])
maps = open(f"/proc/{pid}/maps").read().splitlines()
addr = int([l for l in maps if "rw-p" in l][0].split("-")[0], 16)
with open(f"/proc/{pid}/mem", "r+b", buffering=0) as m:
    m.seek(addr); b = m.read(1); m.seek(addr); m.write(b)
print("wrote", hex(addr))
PY
kill "$victim"
