# category: privilege-escalation
# technique: T1055.008
# art: no
# expect: ptrace-attach
# opts: --cap CAP_SYS_PTRACE
# desc: a process attaches to another process in the container with ptrace (code injection, credential theft)
sleep 30 &
victim=$!
sleep 0.2
exr-attack ptrace "$victim"
kill "$victim"
