-- id: device-node-in-container
-- severity: high
-- category: container-escape
-- technique: T1611
-- description: A container made (or tried to make) a character or block device node other than the harmless pseudo-devices: the host's memory (/dev/mem, kmem, port), a disk, a raw hardware interface.
--
-- mknod of 1:1 (/dev/mem), 1:2 (kmem), 1:4 (port) reads or patches the host
-- kernel from inside; a block device node of the host's disk mounts or reads
-- it outside every file permission. A container has no CAP_MKNOD by default
-- and the device cgroup refuses the rest: refused attempts (EPERM) count, they
-- are the evidence. Left out: the pseudo-devices any image or debootstrap
-- makes (null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0,
-- console 5:1, ptmx 5:2) and the runtime creating the devices its spec lists
-- (runc init, before the container's own command). FIFOs and sockets made by
-- mknod are not device nodes. Needs the device number (`rdev`, recorded
-- with mknod since schema 1.7); older recordings have the mode alone and are
-- judged on it.
SELECT f.ts, f.host_id, f.container_id, f.proc_id, f.pid, f.start, f.exec_id, NULL AS conn_id,
       f.what || ': ' || CASE WHEN f.mode & 61440 = 24576 THEN 'block' ELSE 'character' END || ' device' ||
         COALESCE(' ' || (f.rdev >> 20) || ':' || (f.rdev & 1048575), '') AS message,
       'f' || f.event_id AS key
FROM rx_file f
WHERE f.nth = 1 AND f.container_id IS NOT NULL AND f.op = 'create'
  AND f.mode & 61440 IN (8192, 24576)
  AND COALESCE(f.rdev, -1) NOT IN (1048579, 1048581, 1048583, 1048584, 1048585, 5242880, 5242881, 5242882)
  AND COALESCE(f.prog, '') <> 'runc' AND COALESCE(f.comm, '') NOT GLOB 'runc:*'
  AND NOT EXISTS (SELECT 1 FROM rx_names x WHERE x.exec_id = f.exec_id AND x.ab = 'runc');
