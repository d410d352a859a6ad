# category: container-escape
# technique: T1611
# art: yes
# expect: host-namespace-entry namespace-change-in-container
# opts: --hostpid --privileged
# setup: hostproc
# desc: a privileged hostPID pod enters a host process's namespaces with nsenter and runs a shell there
nsenter -t "$TARGET" -m -u -i -n -p /bin/sh -c 'id; hostname; ls / >/dev/null'
