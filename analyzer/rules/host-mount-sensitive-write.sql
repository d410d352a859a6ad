-- id: host-mount-sensitive-write
-- severity: critical
-- category: container-escape
-- technique: T1611
-- description: A container changed a system file (cron.d, crontabs, sudoers, passwd, shadow, authorized_keys, systemd units, ld.so.preload, a program in usr/bin or usr/sbin, a static pod manifest...) on a mount from outside its image: a host path bound in, where the host runs or trusts it.
--
-- A hostPath volume of the node's /etc (or /, /root, /var/spool) lets a
-- container plant a cron job, a sudoers rule, a root account, an ssh key or a
-- unit that the host itself runs: the escape needs no kernel bug. Inside the
-- container the file is /host-etc/cron.d/x, not /etc/cron.d/x, so the
-- path-prefix rules cannot tell; the recorder flags a change on a mount other
-- than the process's root filesystem (`other_mount`) and records it when the
-- file's or its directory's name marks a system file (docs/recorder.md).
-- The same for the host's programs (a hostPath of /usr/bin: runc or
-- containerd-shim replaced by a wrapper runs on the host at the next container
-- operation) and the kubelet's static pod manifests (a pod written to
-- /etc/kubernetes/manifests is started by the kubelet without the API server
-- or its admission control: privileged, hostPID, the node's / mounted).
-- Any program, the entrypoint included (a host file is not the image's to
-- configure). Known noise: an image that keeps its own passwd on a volume
-- (nss_wrapper's /tmp/passwd on an emptyDir) fires; add the path to a copy
-- of this rule with `check --rules` if that is the site's practice; so does an
-- init container that copies tools into a volume mounted at /usr/local/bin, or
-- a GitOps tool that writes manifests/*.yaml onto a volume.
-- Limits: only calls with a file to ask (open for writing, creat, fchmod,
-- fchown, ftruncate); a rename into the host path, or a write a read-only
-- mount refused, carries no mount and is judged by the path rules alone.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || ': a system file on a mount from outside the container''s image (a host path?)' AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.other_mount = 1
  AND f.op IN ('write', 'create', 'truncate', 'chmod', 'chown')
  AND f.path NOT GLOB '/proc/*' AND f.path NOT GLOB '/sys/*' AND f.path NOT GLOB '/dev/*'
  AND (basename(f.path) IN ('passwd', 'shadow', 'group', 'gshadow', 'sudoers', 'crontab', 'rc.local',
                            'ld.so.conf', 'ld.so.preload', 'environment', 'authorized_keys', 'authorized_keys2')
       OR f.path GLOB '*/cron.d/*' OR f.path GLOB '*/cron.hourly/*' OR f.path GLOB '*/cron.daily/*'
       OR f.path GLOB '*/cron.weekly/*' OR f.path GLOB '*/cron.monthly/*' OR f.path GLOB '*/crontabs/*'
       OR f.path GLOB '*/sudoers.d/*' OR f.path GLOB '*/pam.d/*' OR f.path GLOB '*/systemd/system/*'
       OR f.path GLOB '*/init.d/*' OR f.path GLOB '*/profile.d/*' OR f.path GLOB '*/ld.so.conf.d/*'
       OR f.path GLOB '*/modules-load.d/*' OR f.path GLOB '*/udev/rules.d/*' OR f.path GLOB '*/.ssh/*'
       OR f.path GLOB '*/usr/bin/*' OR f.path GLOB '*/usr/sbin/*' OR f.path GLOB '*/usr/local/bin/*'
       OR f.path GLOB '*/usr/local/sbin/*' OR f.path GLOB '*/kubernetes/manifests/*'
       OR (f.path GLOB '*/manifests/*' AND (f.path GLOB '*.yaml' OR f.path GLOB '*.yml' OR f.path GLOB '*.json')));
