# category: container-escape
# technique: T1014
# art: no
# expect: bpf-program-load
# opts: --privileged
# desc: a privileged container loads a BPF program (eBPF rootkits hide processes and files this way)
exr-attack bpf-load
