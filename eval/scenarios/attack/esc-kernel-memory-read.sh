# category: container-escape
# technique: T1611
# art: no
# expect: proc-mem-access sensitive-file-read
# opts: --privileged
# desc: in a privileged busybox container, the groundwork of a kernel-level escape: the host kernel's memory image (/proc/kcore: its ELF header; this kernel has none, so only the attempt), the addresses of commit_creds and prepare_kernel_cred from /proc/kallsyms (a KASLR bypass), and the host's kernel log (dmesg, counted, not kept); all read only
if dd if=/proc/kcore of=/tmp/kcore.hdr bs=4096 count=1 2>/dev/null; then od -A x -t x1 /tmp/kcore.hdr | head -2; else echo "/proc/kcore: cannot open (this kernel has none)"; fi
grep -E ' (commit_creds|prepare_kernel_cred|init_task)$' /proc/kallsyms | awk '{ print ($1 ~ /^0+$/ ? "hidden: " : "address known: ") $3 }'
echo "host kernel log: $(dmesg | wc -l) lines"
