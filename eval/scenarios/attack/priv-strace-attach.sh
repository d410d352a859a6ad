# category: privilege-escalation
# technique: T1055.008
# art: no
# expect: ptrace-attach
# image: debian
# opts: --cap CAP_SYS_PTRACE
# desc: strace -p attaches to a running service process to read what it reads and writes (Falco's PTRACE attached to process)
sleep 30 &
victim=$!
sleep 0.2
timeout 1 strace -p "$victim" -e trace=none || true
kill "$victim"
