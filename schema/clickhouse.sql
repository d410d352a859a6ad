-- exray's case database in ClickHouse, for a fleet (docs/fleet.md).
--
-- The same rows as schema/schema.sql, loaded per host from case databases
-- with `exray export --format clickhouse --table T` (JSONEachRow). Rows carry
-- stable keys instead of the case database's row ids, which mean nothing
-- across cases: a host boot is (host, boot_id), a process (host, boot_id,
-- pid, start), an exec image (process, ts); a connection, and every act
-- of the *_events tables, names the image that made it by exec_ts (0: not
-- known).
--
-- Each table is a ReplacingMergeTree on its row identity, partitioned by
-- (day, host): loading a case again, or again after it grew, keeps one row
-- per identity (the highest version: a process's latest state) once parts
-- merge; until then, query with FINAL for exact counts. Every *_local table
-- lives on each shard; the Distributed table of the same name without
-- "_local" spreads inserts by host (cityHash64(host)) and queries over all
-- shards. A host's rows are thus on one shard, so joins between a host's
-- rows may run shard-locally (distributed_product_mode = 'local').
--
-- Times: ts columns are CLOCK_BOOTTIME ns of the host boot; wall_ns is UTC
-- ns since the epoch; time the same instant as RFC 3339 text (ms); day its
-- UTC date. Written for ClickHouse 18.16 (Debian 12) and later. The cluster
-- name exray_fleet is the one in the servers' remote_servers.
--
-- Apply with: clickhouse-client --multiquery < schema/clickhouse.sql
-- (on every shard: it creates the local tables and the Distributed ones).

CREATE DATABASE IF NOT EXISTS exray;

-- One row per boot of one recorded host.
CREATE TABLE IF NOT EXISTS exray.hosts_local (
  host String,                      -- host name from the segment header
  boot_id String,                   -- kernel boot id
  day Date,                         -- UTC date of the boot
  kernel_release Nullable(String),
  boot_to_wall_ns Int64,            -- wall ns = ts + this
  host_pidns Nullable(UInt64),      -- the host's own namespaces (hosts table)
  host_mntns Nullable(UInt64),
  host_netns Nullable(UInt64),
  host_ns_recorded UInt8
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id);

-- Containers named from cgroup paths.
CREATE TABLE IF NOT EXISTS exray.containers_local (
  host String,
  boot_id String,
  day Date,                         -- UTC date of the boot
  cid String,                       -- container id (64 hex usually)
  short_id String,
  runtime String,
  pod_uid Nullable(String),
  cgroup_path Nullable(String),
  pidns Nullable(UInt64),
  mntns Nullable(UInt64),
  name Nullable(String),            -- identity the recorder read from the runtime (NULL: none)
  image Nullable(String),
  image_digest Nullable(String),
  pod_name Nullable(String),
  pod_namespace Nullable(String),
  container_name Nullable(String),
  labels Nullable(String)           -- a JSON object
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, cid);

-- One row per process; version last_ts keeps its latest state.
CREATE TABLE IF NOT EXISTS exray.processes_local (
  host String,
  boot_id String,
  day Date,                         -- UTC date of first_ts
  pid UInt32,
  start UInt64,                     -- group leader start, ns since boot
  ppid Nullable(UInt32),            -- the parent's key: (ppid, pstart)
  pstart Nullable(UInt64),
  first_ts UInt64,
  last_ts UInt64,
  fork_ts Nullable(UInt64),
  exit_ts Nullable(UInt64),
  exit_code Nullable(UInt8),        -- the exit code, when it exited
  signal Nullable(UInt8),           -- the signal that ended it, instead
  exit_status Nullable(UInt32),     -- raw wait status
  uid Nullable(UInt32),
  gid Nullable(UInt32),
  euid Nullable(UInt32),
  egid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),             -- container id, NULL: the host
  pidns Nullable(UInt64),
  mntns Nullable(UInt64),
  netns Nullable(UInt64),
  vpid Nullable(UInt32),
  comm Nullable(String),
  exec_ts Nullable(UInt64),         -- ts of its current image (execs row)
  flags UInt32,
  wall_ns Int64,                    -- of first_ts
  time String
) ENGINE = ReplacingMergeTree(last_ts) PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start);

-- Exec history, snapshots (kind 'snapshot') and failed execs (ret < 0).
CREATE TABLE IF NOT EXISTS exray.execs_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  ts UInt64,
  kind String,                      -- exec, snapshot
  tid Nullable(UInt32),
  ret Int32,
  filename Nullable(String),
  argv Array(String),
  cmdline Nullable(String),
  argv_truncated UInt8,
  uid Nullable(UInt32),
  gid Nullable(UInt32),
  euid Nullable(UInt32),
  egid Nullable(UInt32),
  ppid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  pidns Nullable(UInt64),
  mntns Nullable(UInt64),
  netns Nullable(UInt64),
  vpid Nullable(UInt32),
  comm Nullable(String),
  filename_truncated UInt8,
  exe Nullable(String),             -- the image the kernel ran (NULL: recorders before format 1.2)
  cwd Nullable(String),
  tty Nullable(UInt64),             -- controlling terminal (major << 20 | minor), 0 none
  exe_flags Nullable(UInt32),       -- 1 memfd, 2 deleted, 4 upper_layer, 8 unresolved, 16 setuid, 32 setgid, 64 loader
  cap_effective Nullable(UInt64),
  exe_ino Nullable(UInt64),
  exe_dev Nullable(UInt64),
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, kind, ret);

-- Outbound TCP connects; exec_ts names the image that made it.
CREATE TABLE IF NOT EXISTS exray.connections_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,                   -- the image running then (execs.ts of the same process), 0: not known
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  netns Nullable(UInt64),
  comm Nullable(String),
  family UInt8,                     -- 4 or 6
  saddr Nullable(String),
  sport UInt16,                     -- 0 until the result gave it
  daddr String,
  dport UInt16,
  state String,                     -- syn_sent, established, failed
  result_ts Nullable(UInt64),
  version UInt64,                   -- result_ts, else ts: the latest load wins
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree(version) PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid);

-- TCP SYNs seen by the packet view; conn_* name its connect, if any.
CREATE TABLE IF NOT EXISTS exray.syns_local (
  host String,
  boot_id String,
  day Date,
  ts UInt64,
  cgroup_id UInt64,
  cid Nullable(String),
  ifindex UInt32,
  family UInt8,
  saddr Nullable(String),
  sport UInt16,
  daddr Nullable(String),
  dport UInt16,
  verdict Nullable(String),
  conn_pid Nullable(UInt32),
  conn_start Nullable(UInt64),
  conn_ts Nullable(UInt64),
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, ts, ifindex, sport, dport);

-- What processes did (schema.sql's file_events ... uring_events), one
-- table per family, each with file_events_local's leading columns (host ...
-- ret: the acting process by its key, the image then by exec_ts, the call
-- and its result) and rec_flags, wall_ns, time at the end; between them the
-- family's own columns. An event's identity is its process, ts, thread and
-- op.

-- File activity under the recorder's watched locations.
CREATE TABLE IF NOT EXISTS exray.file_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,                       -- the acting process's key: (pid, start)
  start UInt64,
  tid UInt32,                       -- the acting thread, 0: not known
  ts UInt64,
  exec_ts UInt64,                   -- the image running then (execs.ts of the same process), 0: not known
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,                        -- >= 0 success, -errno a failed attempt
  path Nullable(String),
  path2 Nullable(String),           -- rename, link: the new name; symlink: the new link
  open_flags Nullable(UInt32),
  mode Nullable(UInt32),
  owner_uid Nullable(Int64),        -- chown: the new owner, -1 unchanged
  owner_gid Nullable(Int64),
  sensitive UInt8,
  exec_bits UInt8,
  path_unresolved UInt8,
  rdev Nullable(UInt32),            -- mknod of a device: major << 20 | minor (1.7)
  other_mount UInt8,                -- 1: on a mount other than the process's root filesystem (1.7)
  outside_mntns UInt8,              -- 1: an open reached a file outside the process's mount namespace (1.8)
  cgroup_target Nullable(UInt64),   -- a cgroup control file written: the cgroup it controls (1.8)
  fs_magic Nullable(UInt32),        -- the file's filesystem, statfs f_type (1.8)
  handle_type Nullable(Int32),      -- open_by_handle, name_to_handle: file_handle.handle_type (1.8)
  handle_bytes Nullable(UInt32),    -- the same: handle_bytes (1.8)
  handle Nullable(String),          -- the same: first 8 bytes, hex (1.8)
  rec_flags UInt32,                 -- the record's flags (schema/SEGMENT.md)
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- Credential changes: set*uid, set*gid, capset.
CREATE TABLE IF NOT EXISTS exray.priv_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  old_real Nullable(UInt32),        -- uids, or gids for the *gid calls; NULL for capset
  old_effective Nullable(UInt32),
  old_saved Nullable(UInt32),
  new_real Nullable(UInt32),
  new_effective Nullable(UInt32),
  new_saved Nullable(UInt32),
  cap_effective_old Nullable(UInt64),
  cap_effective Nullable(UInt64),
  cap_permitted Nullable(UInt64),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- Namespace and mount changes: setns, unshare, clone, mount, umount, pivot_root.
CREATE TABLE IF NOT EXISTS exray.ns_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  nstypes Nullable(String),         -- e.g. 'mnt,net'
  call_flags Nullable(Int64),       -- CLONE_*, setns nstype or mount flags (as signed 64-bit)
  target_pid Nullable(UInt32),
  target_ns Nullable(UInt64),
  target Nullable(String),
  source Nullable(String),
  fstype Nullable(String),
  pidns Nullable(UInt64),           -- the thread's namespaces after the call
  mntns Nullable(UInt64),
  netns Nullable(UInt64),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- One process reaching into another: ptrace, process_vm_writev.
CREATE TABLE IF NOT EXISTS exray.ptrace_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  request Nullable(Int64),          -- process_vm_writev: -1
  target_pid Nullable(UInt32),
  target_start Nullable(UInt64),    -- as recorded, NULL unknown
  target_proc_start Nullable(UInt64), -- the process exray linked (by its key, else the pid's
                                    -- latest process before ts): its key is (target_pid, this)
  addr Nullable(Int64),             -- poke: the address written (as signed 64-bit)
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- Packet and raw sockets created, a socket duplicated onto stdio.
CREATE TABLE IF NOT EXISTS exray.socket_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  family Nullable(UInt16),          -- AF_* of the socket (host values)
  sock_type Nullable(UInt16),
  protocol Nullable(UInt16),
  fd Nullable(Int32),
  oldfd Nullable(Int32),
  sock Nullable(Int64),             -- socket id of its connect record (as signed 64-bit)
  conn_pid Nullable(UInt32),        -- that connect (connections row): its process key and ts
  conn_start Nullable(UInt64),
  conn_ts Nullable(UInt64),
  peer_family Nullable(UInt8),      -- dup_stdio: 4 or 6
  daddr Nullable(String),
  dport Nullable(UInt16),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- memfd_create.
CREATE TABLE IF NOT EXISTS exray.memfd_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  name Nullable(String),
  mfd_flags Nullable(UInt32),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- bpf() program loads and other bpf commands.
CREATE TABLE IF NOT EXISTS exray.bpf_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Int32,
  cmd Nullable(UInt32),
  prog_type Nullable(UInt32),
  insn_cnt Nullable(UInt32),
  prog_name Nullable(String),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- Security-relevant io_uring submissions (ret NULL: not recorded).
CREATE TABLE IF NOT EXISTS exray.uring_events_local (
  host String,
  boot_id String,
  day Date,
  pid UInt32,
  start UInt64,
  tid UInt32,
  ts UInt64,
  exec_ts UInt64,
  uid Nullable(UInt32),
  euid Nullable(UInt32),
  cgroup_id Nullable(UInt64),
  cid Nullable(String),
  comm Nullable(String),
  op String,
  ret Nullable(Int32),
  opcode Nullable(UInt8),
  fd Nullable(Int32),
  user_data Nullable(Int64),        -- as signed 64-bit
  path Nullable(String),
  path2 Nullable(String),
  family Nullable(UInt8),           -- connect: 4 or 6
  daddr Nullable(String),
  dport Nullable(UInt16),
  rec_flags UInt32,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, pid, start, ts, tid, op);

-- Kernel losses, as recorded.
CREATE TABLE IF NOT EXISTS exray.losses_local (
  host String,
  boot_id String,
  day Date,
  ts UInt64,
  cpu Nullable(UInt32),
  lost_type Nullable(String),
  count UInt64,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, ts, ifNull(cpu, 4294967295), ifNull(lost_type, ''));

-- Alerts of `exray check`; uid is the stable identity of the OCSF export
-- (finding_info.uid): the rule and the event it is about.
CREATE TABLE IF NOT EXISTS exray.alerts_local (
  host String,
  boot_id String,
  day Date,
  uid String,
  rule_id String,
  severity String,
  ts UInt64,
  cid Nullable(String),
  pid Nullable(UInt32),
  start Nullable(UInt64),
  exec_ts Nullable(UInt64),
  conn_ts Nullable(UInt64),
  message String,
  wall_ns Int64,
  time String
) ENGINE = ReplacingMergeTree PARTITION BY (day, host) ORDER BY (host, boot_id, rule_id, uid);

CREATE TABLE IF NOT EXISTS exray.hosts AS exray.hosts_local
  ENGINE = Distributed(exray_fleet, exray, hosts_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.containers AS exray.containers_local
  ENGINE = Distributed(exray_fleet, exray, containers_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.processes AS exray.processes_local
  ENGINE = Distributed(exray_fleet, exray, processes_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.execs AS exray.execs_local
  ENGINE = Distributed(exray_fleet, exray, execs_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.connections AS exray.connections_local
  ENGINE = Distributed(exray_fleet, exray, connections_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.syns AS exray.syns_local
  ENGINE = Distributed(exray_fleet, exray, syns_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.file_events AS exray.file_events_local
  ENGINE = Distributed(exray_fleet, exray, file_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.priv_events AS exray.priv_events_local
  ENGINE = Distributed(exray_fleet, exray, priv_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.ns_events AS exray.ns_events_local
  ENGINE = Distributed(exray_fleet, exray, ns_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.ptrace_events AS exray.ptrace_events_local
  ENGINE = Distributed(exray_fleet, exray, ptrace_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.socket_events AS exray.socket_events_local
  ENGINE = Distributed(exray_fleet, exray, socket_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.memfd_events AS exray.memfd_events_local
  ENGINE = Distributed(exray_fleet, exray, memfd_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.bpf_events AS exray.bpf_events_local
  ENGINE = Distributed(exray_fleet, exray, bpf_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.uring_events AS exray.uring_events_local
  ENGINE = Distributed(exray_fleet, exray, uring_events_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.losses AS exray.losses_local
  ENGINE = Distributed(exray_fleet, exray, losses_local, cityHash64(host));
CREATE TABLE IF NOT EXISTS exray.alerts AS exray.alerts_local
  ENGINE = Distributed(exray_fleet, exray, alerts_local, cityHash64(host));
