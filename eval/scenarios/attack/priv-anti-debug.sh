# category: privilege-escalation
# technique: T1622
# art: no
# expect: ptrace-traceme
# desc: malware calls PTRACE_TRACEME on itself so that no debugger can attach (Falco's PTRACE anti-debug attempt)
exr-attack traceme
