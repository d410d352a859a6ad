# category: benign
# technique: an inventory / vulnerability scanner listing installed packages through exec
# image: debian
# init: sleep 600
# mode: probe
# desc: a security agent lists the packages and the OS of a running container with kubectl exec
dpkg-query -W -f '${Package} ${Version}\n'
cat /etc/os-release
