# category: privilege-escalation
# technique: T1620
# art: no
# expect: exec-from-temp memfd-execution
# desc: fileless execution: a program copies itself into a memfd and runs it with fexecve (Falco's Fileless execution via memfd_create)
exr-attack memfd-exec beacon
