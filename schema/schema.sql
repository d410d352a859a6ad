-- exray case database schema (PRAGMA user_version = 108, i.e. 1.8).
-- Applied by exray on every read-write open, so every statement is
-- idempotent (IF NOT EXISTS). SCHEMA.md explains the model; the comment on
-- each column here is its reference.
--
-- Conventions:
--  * ts columns are CLOCK_BOOTTIME nanoseconds of the host boot named by
--    host_id; wall-clock UTC ns since the epoch = ts + hosts.boot_to_wall_ns.
--    The views add `time` (RFC 3339 UTC, milliseconds, truncated) and
--    wall_ns columns: NULL when the sum leaves 64 bits (a corrupt offset).
--    Their expression, the same in every view, is the arithmetic of
--    analyzer/text/timefmt.c (wall_time() in exray), in plain SQL so that
--    the sqlite3 CLI reads the views too; test_tree checks them against it.
--  * A process is keyed by (host_id, pid, start); host_id stands for one boot
--    of one host, so the key is (host, boot, pid, start), never pid alone.
--  * Strings recorded from the traced host (argv, paths, comm, cgroup paths)
--    are stored as recorded: untrusted, possibly not UTF-8. Escape before
--    printing to a terminal.
--  * Indexes named ix_* are secondary: `exray ingest` drops them for the
--    first bulk load into an empty database and recreates them afterwards.

-- One row per boot of one recorded host.
CREATE TABLE IF NOT EXISTS hosts (
  host_id INTEGER PRIMARY KEY,          -- row id; the "host" of every other table
  hostname TEXT NOT NULL,               -- host name from the segment header
  boot_id TEXT NOT NULL,                -- kernel boot id, 8-4-4-4-12 lowercase hex
  kernel_release TEXT,                  -- uname -r of the recorded host
  boot_to_wall_ns INTEGER NOT NULL,     -- wall ns = ts + this (latest sample ingested)
  host_pidns INTEGER,                   -- pid namespace inode of the host: recorded by exray-record (format 1.1), else guessed (pid 1 or most common)
  host_mntns INTEGER,                   -- mount namespace inode of the host, likewise
  host_netns INTEGER,                   -- network namespace inode of the host, when recorded
  host_ns_recorded INTEGER NOT NULL DEFAULT 0, -- 1: host_*ns come from the recorder's own namespaces, not a guess
  UNIQUE (hostname, boot_id)
);

-- One row per segment file (by capture id and sequence, not by file name).
CREATE TABLE IF NOT EXISTS segments (
  segment_id INTEGER PRIMARY KEY,       -- row id
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot that recorded it
  capture_id TEXT NOT NULL,             -- recorder run id, 32 lowercase hex
  seq INTEGER NOT NULL,                 -- sequence number within the capture
  path TEXT NOT NULL,                   -- file path at the latest ingest
  file_size INTEGER NOT NULL,           -- bytes of the file at the latest ingest
  frames INTEGER NOT NULL DEFAULT 0,    -- intact event frames ingested so far
  records INTEGER NOT NULL DEFAULT 0,   -- records ingested so far
  first_ts INTEGER,                     -- smallest record ts ingested
  last_ts INTEGER,                      -- largest record ts ingested
  complete INTEGER NOT NULL DEFAULT 0,  -- 1 once a footer was read (segment closed)
  version TEXT,                         -- format version "major.minor"
  recorder_version TEXT,                -- exray-record version string
  argv_max INTEGER,                     -- --argv-max of the recorder
  boot_to_wall_ns INTEGER,              -- offset in force (latest stats/footer, else header)
  issues INTEGER NOT NULL DEFAULT 0,    -- damage found at the latest ingest (rows in segment_issues)
  ingested_at TEXT,                     -- wall time of the latest ingest, RFC 3339 UTC
  seal_status TEXT,                     -- verified (every seal checked with its key), failed (a seal or the link to the previous segment does not verify), unchecked (sealed; ingested without --key), unsealed (format before 1.3, or --no-seal)
  seal_key_fp TEXT,                     -- fingerprint (32 hex) of the key the seals were checked with; NULL without a key
  seal_count INTEGER,                   -- seals checked
  seal_detail TEXT,                     -- the first frame that does not verify and why, or a note (bytes after the last seal of an unfinished segment)
  seal_prev TEXT,                       -- 'KEYINDEX:SEAL' the header names: the previous segment's final seal (NULL in segment 0)
  seal_end TEXT,                        -- 'KEYINDEX:SEAL' of its own final seal; NULL while unfinished
  UNIQUE (capture_id, seq)
);

-- Event frames already ingested: what makes ingest idempotent and
-- incremental (a growing live segment adds only its new frames).
CREATE TABLE IF NOT EXISTS segment_frames (
  segment_id INTEGER NOT NULL REFERENCES segments,  -- segment holding the frame
  frame_offset INTEGER NOT NULL,        -- file offset of the frame
  records INTEGER NOT NULL,             -- records it held
  PRIMARY KEY (segment_id, frame_offset)
) WITHOUT ROWID;

-- Damage the reader found and skipped (latest ingest of each segment).
CREATE TABLE IF NOT EXISTS segment_issues (
  issue_id INTEGER PRIMARY KEY,         -- row id
  segment_id INTEGER NOT NULL REFERENCES segments,  -- damaged segment
  kind TEXT NOT NULL,                   -- torn_tail, bad_frame, bad_meta, garbage, bad_record, unknown_type, newer_minor, no_header
  file_offset INTEGER NOT NULL,         -- where the problem starts in the file
  length INTEGER NOT NULL,              -- bytes skipped (0 if none)
  detail TEXT                           -- one line from the reader
);

-- Containers, named from cgroup paths (or grouped by namespaces when the
-- host gave no usable cgroup v2 id). Host processes have no container.
CREATE TABLE IF NOT EXISTS containers (
  container_id INTEGER PRIMARY KEY,     -- row id
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot it ran on
  runtime TEXT NOT NULL,                -- docker, containerd, cri-o, podman, nerdctl, kubepods, namespaces
  cid TEXT NOT NULL,                    -- container id from the path (64 hex usually); for runtime 'namespaces': 'pidns:N/mntns:M'
  short_id TEXT NOT NULL,               -- first 12 characters of cid, as docker shows it
  pod_uid TEXT,                         -- Kubernetes pod UID (dashes restored), NULL outside kubepods
  cgroup_path TEXT,                     -- cgroup path it was named from (NULL for namespaces)
  pidns INTEGER,                        -- pid namespace inode (namespace-grouped containers)
  mntns INTEGER,                        -- mount namespace inode (namespace-grouped containers)
  -- Identity, from the container record the recorder read from the runtime's
  -- state on the host (NULL: not recorded, or the runtime kept none).
  name TEXT,                            -- the runtime's name (docker/podman name, CRI-O k8s_..., nerdctl)
  image TEXT,                           -- image as the runtime was given it (e.g. nginx:1.25)
  image_digest TEXT,                    -- image id/digest (sha256:...)
  pod_name TEXT,                        -- Kubernetes pod name
  pod_namespace TEXT,                   -- Kubernetes namespace
  container_name TEXT,                  -- Kubernetes container name within the pod
  labels TEXT,                          -- labels and annotations kept, a JSON object
  sources TEXT,                         -- files the identity was read from, a JSON array
  UNIQUE (host_id, cid)
);

-- Paths of cgroup v2 ids (from cgroup records).
CREATE TABLE IF NOT EXISTS cgroups (
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot (cgroup ids are per boot)
  cgroup_id INTEGER NOT NULL,           -- cgroup v2 id (kernfs inode number)
  path TEXT NOT NULL,                   -- path relative to the cgroup2 root, starting with '/'
  truncated INTEGER NOT NULL DEFAULT 0, -- 1 if the kernel walk cut the path
  container_id INTEGER REFERENCES containers,  -- container named by the path, NULL for host cgroups
  ts INTEGER,                           -- when it was first seen
  PRIMARY KEY (host_id, cgroup_id)
);

-- One row per process (thread group), merged from snapshot, fork, exec and
-- exit records whatever their order.
CREATE TABLE IF NOT EXISTS processes (
  proc_id INTEGER PRIMARY KEY,          -- row id; stable once assigned
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot
  pid INTEGER NOT NULL,                 -- tgid in the initial pid namespace
  start INTEGER NOT NULL,               -- group leader start_boottime, ns since boot
  ppid INTEGER,                         -- real parent's tgid, from the earliest record (fork: the creator; snapshot: the parent then, after any reparenting by the kernel)
  pstart INTEGER,                       -- real parent's start: (host_id, ppid, pstart) is the parent's key
  parent_id INTEGER,                    -- proc_id of that parent, NULL if it was never recorded
  parent_ts INTEGER,                    -- ts of the record ppid/pstart came from
  first_ts INTEGER,                     -- earliest record of this process
  last_ts INTEGER,                      -- latest record of this process
  fork_ts INTEGER,                      -- fork record ts, NULL if created before the capture
  exit_ts INTEGER,                      -- exit record ts, NULL if not seen exiting
  exit_status INTEGER,                  -- raw wait status of the exit record: (code << 8) | signal, 0x80 = core dumped (schema <= 1.1 called it exit_code)
  exit_code INTEGER GENERATED ALWAYS AS (CASE WHEN exit_status & 127 = 0 THEN (exit_status >> 8) & 255 END) VIRTUAL,  -- exit code 0-255 when the process exited; NULL when a signal ended it or no exit was seen
  signal INTEGER GENERATED ALWAYS AS (CASE WHEN exit_status & 127 <> 0 THEN exit_status & 127 END) VIRTUAL,  -- the signal that ended it, NULL otherwise
  uid INTEGER,                          -- credentials from the latest of the process's own records (ident_ts, ident_own): never another thread's
  gid INTEGER,
  euid INTEGER,
  egid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id from the same record as uid (0: unknown)
  container_id INTEGER REFERENCES containers,  -- container (from cgroup_id, else namespaces); NULL: host
  pidns INTEGER,                        -- namespace inodes from the same record as uid
  mntns INTEGER,
  netns INTEGER,
  vpid INTEGER,                         -- pid inside its own pid namespace
  comm TEXT,                            -- comm from the same record as uid
  ident_ts INTEGER,                     -- ts of the record the identity columns came from
  exec_id INTEGER,                      -- current image: latest successful exec (or snapshot) by ts
  flags INTEGER NOT NULL DEFAULT 0,     -- records seen: 1 fork, 2 snapshot, 4 exec, 8 exit, 16 kernel thread
  ident_own INTEGER NOT NULL DEFAULT 1  -- 1: the identity columns come from the process's own records (exec, snapshot, fork, or its main thread), 0 when only a thread's acting record (connect, exit, ...) was seen
);
-- The process key is unique: ix_processes_key below (an index rather than
-- a table constraint, so that a first bulk load builds it once at the end).

-- Exec history: every exec (failed ones too, ret < 0) and every snapshot
-- (the image of a process alive when recording started).
CREATE TABLE IF NOT EXISTS execs (
  exec_id INTEGER PRIMARY KEY,          -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  ts INTEGER NOT NULL,                  -- when (snapshot: when read)
  kind TEXT NOT NULL,                   -- 'exec' or 'snapshot'
  tid INTEGER,                          -- thread that called execve (differs from pid for a thread exec)
  ret INTEGER NOT NULL,                 -- 0, or -errno of a failed exec (the image did not change)
  filename TEXT,                        -- path as given to execve (snapshot: /proc/PID/exe)
  argv TEXT,                            -- arguments as a JSON array of strings (invalid UTF-8 as U+FFFD)
  cmdline TEXT,                         -- arguments joined by single spaces, bytes as recorded
  argv_truncated INTEGER NOT NULL DEFAULT 0,      -- 1 if argv exceeded --argv-max
  filename_truncated INTEGER NOT NULL DEFAULT 0,  -- 1 if the path was cut
  uid INTEGER,                          -- credentials after the exec (setuid shows as euid != uid)
  gid INTEGER,
  euid INTEGER,
  egid INTEGER,
  ppid INTEGER,                         -- parent at that moment
  cgroup_id INTEGER,                    -- cgroup v2 id at that moment
  container_id INTEGER REFERENCES containers,  -- container at that moment, NULL: host
  pidns INTEGER,                        -- namespace inodes at that moment
  mntns INTEGER,
  netns INTEGER,
  vpid INTEGER,                         -- pid inside its pid namespace
  comm TEXT,                            -- comm after the exec
  segment_id INTEGER REFERENCES segments, -- where it was recorded
  -- 1.2 recorders (NULL from older ones): the image the kernel really ran
  exe TEXT,                             -- resolved image path (symlinks, '..', '//', fexecve, memfd, `ld.so FILE` resolved), as the process sees it
  cwd TEXT,                             -- working directory at the exec
  tty INTEGER,                          -- controlling terminal device (major << 20 | minor), 0: none
  exe_flags INTEGER,                    -- image flags: 1 memfd, 2 deleted, 4 upper_layer (written inside the container), 8 unresolved, 16 setuid file, 32 setgid file, 64 loader (ld.so FILE)
  cap_effective INTEGER,                -- effective capabilities after the exec (bit mask)
  exe_ino INTEGER,                      -- image inode number
  exe_dev INTEGER                       -- image device (major << 20 | minor)
);

-- Outbound TCP connection attempts (connect records), with the image the
-- process was running at that moment.
CREATE TABLE IF NOT EXISTS connections (
  conn_id INTEGER PRIMARY KEY,          -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- connecting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- connecting thread
  ts INTEGER NOT NULL,                  -- when the SYN was sent (CLOSE -> SYN_SENT)
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- credentials then
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  netns INTEGER,                        -- network namespace inode
  comm TEXT,                            -- comm then
  family INTEGER NOT NULL,              -- 4 or 6
  saddr TEXT,                           -- source address (text, inet_ntop)
  sport INTEGER,                        -- source port (0 until connect_result gives it)
  daddr TEXT NOT NULL,                  -- destination address (text)
  dport INTEGER NOT NULL,               -- destination port
  sock INTEGER,                         -- opaque kernel socket id (as signed 64-bit), joins connect_result
  state TEXT NOT NULL DEFAULT 'syn_sent',  -- syn_sent (no result seen), established, failed
  result_ts INTEGER,                    -- when the socket left SYN_SENT
  segment_id INTEGER REFERENCES segments   -- where it was recorded
);

-- TCP SYNs seen by the optional TC classifier (exray-record --tc-iface /
-- --tc-veth; docs/packet-view.md).
CREATE TABLE IF NOT EXISTS syns (
  syn_id INTEGER PRIMARY KEY,           -- row id
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot
  ts INTEGER NOT NULL,                  -- when seen
  cgroup_id INTEGER,                    -- sending socket's cgroup v2 id, 0 if none
  container_id INTEGER REFERENCES containers,  -- container of that cgroup, NULL: host/unknown
  ifindex INTEGER,                      -- interface index
  family INTEGER NOT NULL,              -- 4 or 6
  saddr TEXT, sport INTEGER,            -- source address (text) and port
  daddr TEXT, dport INTEGER,            -- destination address (text) and port
  verdict TEXT,                         -- allow / deny by the in-kernel allowlist, none: no allowlist loaded
  segment_id INTEGER REFERENCES segments,
  conn_id INTEGER REFERENCES connections,  -- the socket-level connect of this SYN (same 5-tuple, connect at most 130 s before: SYN retries); NULL: none (raw socket, forwarded, or not recorded)
  proc_id INTEGER REFERENCES processes     -- that connect's process
);

-- What a process did (format 1.2 records), one table per family. Every row
-- is linked like a connection: to the acting process (proc_id; pid and
-- start are its key), the image it was running then (exec_id) and its
-- container then. Failed attempts are kept: ret is the call's result, a
-- negative errno when it failed. Paths are as the kernel resolved them,
-- from the process's root (rec_flags say where only the raw argument was
-- known); like every recorded string, untrusted: escape before printing.

-- File activity under the recorder's watched locations (exray-record
-- --watch / --no-file-events): writes, creates, renames, deletions, mode
-- and owner changes, and reads of secrets.
CREATE TABLE IF NOT EXISTS file_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- write (opened for writing), create, truncate, rename, unlink, link, symlink, chmod, chown, read (of a sensitive path, or outside the mount namespace), connect (to an AF_UNIX socket: path as given, "@name" abstract; path2 the name the listener was bound to), open_by_handle (path: the file reached; path2: the mount fd's), name_to_handle
  ret INTEGER NOT NULL,                 -- result: >= 0 success, -errno a failed attempt
  path TEXT,                            -- the file (symlink: the target text, unresolved); NULL: unreadable
  path2 TEXT,                           -- rename: the new name; link: the new name; symlink: the new link
  open_flags INTEGER,                   -- O_* flags of an open, AT_* flags of the *at calls
  mode INTEGER,                         -- create, chmod: the mode given (permission and S_ISUID/S_ISGID bits; mknod: with the file type, S_IFCHR 0020000, S_IFBLK 0060000)
  owner_uid INTEGER,                    -- chown: the new owner, -1 unchanged
  owner_gid INTEGER,                    -- chown: the new group, -1 unchanged
  sensitive INTEGER NOT NULL DEFAULT 0, -- 1: path is on the sensitive list (auth, cron, ssh, ld.so.preload, ...)
  exec_bits INTEGER NOT NULL DEFAULT 0, -- 1: the call gave an execute bit (a file made executable)
  path_unresolved INTEGER NOT NULL DEFAULT 0,  -- 1: path is the raw argument, not resolved to an absolute path
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments,  -- where it was recorded
  rdev INTEGER,                         -- mknod of a character or block device: its number (major << 20 | minor); NULL otherwise
  other_mount INTEGER NOT NULL DEFAULT 0,  -- 1: the file is on a mount other than the process's root filesystem (in a container: a volume or a host path bound in, not its image); known for opened files and fd calls (1.7)
  outside_mntns INTEGER NOT NULL DEFAULT 0,  -- 1: an open reached a file outside the process's mount namespace (a host binary through /proc/PID/exe, a host path through /proc/PID/root, a memfd reopened) (1.8)
  cgroup_target INTEGER,                -- a write to a cgroup control file (cgroup.procs, tasks, devices.allow, release_agent, notify_on_release): the cgroup it controls, as kernfs numbers it (cgroup2: comparable with cgroup_id); NULL otherwise (1.8)
  fs_magic INTEGER,                     -- the file's filesystem (statfs f_type: 0x63677270 cgroup2, 0x27e0eb cgroup v1, 0xef53 ext4...) where recorded; NULL unknown (1.8)
  handle_type INTEGER,                  -- open_by_handle, name_to_handle: file_handle.handle_type (1 FILEID_INO32_GEN...) (1.8)
  handle_bytes INTEGER,                 -- the same: file_handle.handle_bytes (1.8)
  handle TEXT                           -- the same: the handle's first 8 bytes in hex (ext4's FILEID_INO32_GEN: inode, generation, little-endian) (1.8)
);

-- Credential changes, attempted or done: setuid, setgid, setreuid,
-- setregid, setresuid, setresgid, setfsuid, setfsgid (ids are uids, or
-- gids for the *gid calls), capset.
CREATE TABLE IF NOT EXISTS priv_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials after the call
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid, capset
  ret INTEGER NOT NULL,                 -- result: 0 success, -errno a failed attempt
  old_real INTEGER,                     -- real id before (uid, or gid for the *gid calls; NULL for capset)
  old_effective INTEGER,                -- effective id before
  old_saved INTEGER,                    -- saved id before (setfs*: the fs id)
  new_real INTEGER,                     -- real id after
  new_effective INTEGER,                -- effective id after
  new_saved INTEGER,                    -- saved id after (setfs*: the fs id)
  cap_effective_old INTEGER,            -- effective capabilities before (bit mask)
  cap_effective INTEGER,                -- effective capabilities after
  cap_permitted INTEGER,                -- permitted capabilities after
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- Namespace and mount changes: setns, unshare, clone with CLONE_NEW*,
-- mount, umount, pivot_root.
CREATE TABLE IF NOT EXISTS ns_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials after the call
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- setns, unshare, clone, mount, umount, pivot_root
  ret INTEGER NOT NULL,                 -- result: >= 0 success (clone: the child's pid), -errno a failed attempt
  nstypes TEXT,                         -- namespaces created or entered, e.g. 'mnt,net' (names: mnt, cgroup, uts, ipc, user, pid, net, time)
  call_flags INTEGER,                   -- CLONE_* flags (clone, unshare), the nstype argument (setns), mount flags (mount, umount)
  target_pid INTEGER,                   -- setns: the process whose namespace was entered (pidfd or /proc/PID/ns/X); clone: the child; NULL unknown
  target_ns INTEGER,                    -- setns: inode of the namespace entered; NULL unknown
  target TEXT,                          -- setns: the fd's path; mount, umount: the mount point; pivot_root: the new root
  source TEXT,                          -- mount: the source; pivot_root: put_old
  fstype TEXT,                          -- mount: the filesystem type
  pidns INTEGER,                        -- the thread's namespace inodes after the call
  mntns INTEGER,
  netns INTEGER,
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- One process reaching into another: ptrace attach, seize, traceme and
-- pokes, process_vm_writev.
CREATE TABLE IF NOT EXISTS ptrace_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- attach, seize, traceme, poke, vm_write
  ret INTEGER NOT NULL,                 -- result: >= 0 success, -errno a failed attempt
  request INTEGER,                      -- the ptrace request; process_vm_writev: -1
  target_pid INTEGER,                   -- the target's tgid (traceme: the parent)
  target_start INTEGER,                 -- the target's start (its key with target_pid), NULL unknown
  target_proc_id INTEGER REFERENCES processes,  -- the target process: by its key, else the process with that pid started last before ts; NULL not recorded
  addr INTEGER,                         -- poke: the address written
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- Sockets that matter: AF_PACKET and SOCK_RAW sockets created, and a
-- socket duplicated onto fd 0, 1 or 2 (dup_stdio: the reverse-shell
-- marker).
CREATE TABLE IF NOT EXISTS socket_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- packet, raw, dup_stdio
  ret INTEGER NOT NULL,                 -- result: the fd, or -errno a failed attempt
  family INTEGER,                       -- AF_* of the socket (host values: 2 inet, 10 inet6, 17 packet)
  sock_type INTEGER,                    -- SOCK_* (3 raw)
  protocol INTEGER,                     -- protocol number
  fd INTEGER,                           -- dup_stdio: the new fd (0, 1 or 2); creation: the socket's fd
  oldfd INTEGER,                        -- dup_stdio: the socket's fd
  sock INTEGER,                         -- the socket id of its connect record (as signed 64-bit), NULL none
  conn_id INTEGER REFERENCES connections,  -- that connect (same host and sock, latest at or before ts)
  peer_family INTEGER,                  -- dup_stdio: 4 or 6 when the socket had a peer
  daddr TEXT,                           -- dup_stdio: the peer's address (text)
  dport INTEGER,                        -- dup_stdio: the peer's port
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- memfd_create: anonymous memory files, the usual way to run a binary
-- that never touches the disk.
CREATE TABLE IF NOT EXISTS memfd_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- create
  ret INTEGER NOT NULL,                 -- result: the fd, or -errno a failed attempt
  name TEXT,                            -- the name given (shown as /memfd:NAME), NULL unreadable
  mfd_flags INTEGER,                    -- MFD_* flags
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- bpf() program loads (and other bpf commands the recorder reports).
CREATE TABLE IF NOT EXISTS bpf_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- the bpf command: prog_load, ... (op_N when unnamed)
  ret INTEGER NOT NULL,                 -- result: >= 0 success (the new fd), -errno a failed attempt
  cmd INTEGER,                          -- bpf() command number (5 BPF_PROG_LOAD)
  prog_type INTEGER,                    -- BPF_PROG_TYPE_*
  insn_cnt INTEGER,                     -- instructions
  prog_name TEXT,                       -- the program's name
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- Security-relevant io_uring submissions (openat, connect, socket,
-- renameat, unlinkat, ...), which no syscall tracepoint sees.
CREATE TABLE IF NOT EXISTS uring_events (
  event_id INTEGER PRIMARY KEY,         -- row id
  proc_id INTEGER NOT NULL REFERENCES processes,  -- the acting process
  host_id INTEGER NOT NULL REFERENCES hosts,      -- host boot
  pid INTEGER NOT NULL,                 -- process key: pid
  start INTEGER NOT NULL,               -- process key: start
  tid INTEGER,                          -- the acting thread
  ts INTEGER NOT NULL,                  -- when the call returned
  exec_id INTEGER REFERENCES execs,     -- image running then: latest successful exec at or before ts, else the snapshot
  uid INTEGER,                          -- the thread's credentials
  euid INTEGER,
  cgroup_id INTEGER,                    -- cgroup v2 id then
  container_id INTEGER REFERENCES containers,  -- container then, NULL: host
  comm TEXT,                            -- the thread's comm
  op TEXT NOT NULL,                     -- the io_uring opcode's name: openat, connect, socket, renameat, unlinkat, ... (op_N when unnamed)
  ret INTEGER,                          -- NULL: submissions are recorded, not their completion
  opcode INTEGER,                       -- IORING_OP_* number
  fd INTEGER,                           -- the request's fd (the dirfd of *at ops)
  user_data INTEGER,                    -- the request's user_data (as signed 64-bit)
  path TEXT,                            -- openat, unlinkat, renameat, ...: the path, made absolute where it could be
  path2 TEXT,                           -- renameat, linkat: the new name; symlinkat: the link
  family INTEGER,                       -- connect: 4 or 6
  daddr TEXT,                           -- connect: destination address (text)
  dport INTEGER,                        -- connect: destination port
  rec_flags INTEGER NOT NULL DEFAULT 0, -- the record's flags (SEGMENT.md)
  segment_id INTEGER REFERENCES segments  -- where it was recorded
);

-- An ingest run that did not finish (interrupted, killed, crashed): its
-- committed batches lack the links, deduplication and indexes of the run's
-- end. One row per table deduplicated, with its highest row id before that
-- run; the next run to finish links the whole case, deduplicates from
-- there and deletes the rows. Every command warns while a row is here.
CREATE TABLE IF NOT EXISTS ingest_unfinished (
  tab TEXT PRIMARY KEY,                 -- a table ingest appends to
  last_rowid INTEGER NOT NULL,          -- its highest row id before the unfinished run
  started TEXT NOT NULL                 -- when that run started (RFC 3339, UTC)
) WITHOUT ROWID;

-- connect_result records whose connect is not in the case (yet): a later
-- ingest that loads the connect gives it its result.
CREATE TABLE IF NOT EXISTS pending_results (
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot
  sock INTEGER NOT NULL,                -- socket id, as in connections.sock
  ts INTEGER NOT NULL,                  -- when the socket left SYN_SENT
  sport INTEGER,                        -- source port, 0 unknown
  state TEXT NOT NULL,                  -- established, failed
  PRIMARY KEY (host_id, sock, ts)
) WITHOUT ROWID;

-- Events the kernel could not deliver (ring buffer full), as recorded.
CREATE TABLE IF NOT EXISTS losses (
  loss_id INTEGER PRIMARY KEY,          -- row id
  host_id INTEGER NOT NULL REFERENCES hosts,  -- host boot
  segment_id INTEGER REFERENCES segments,     -- segment with the loss record
  ts INTEGER NOT NULL,                  -- when the recorder noticed
  cpu INTEGER,                          -- CPU, or NULL when summed over all CPUs
  lost_type TEXT,                       -- record type lost (exec, fork, ...)
  count INTEGER NOT NULL                -- events lost
);

-- Alerts written by `exray check`. Re-running check inserts nothing twice:
-- (rule_id, key) is unique, key being chosen by the rule from the rows it
-- flags (e.g. conn_id or exec_id).
CREATE TABLE IF NOT EXISTS alerts (
  alert_id INTEGER PRIMARY KEY,         -- row id
  rule_id TEXT NOT NULL,                -- rule name (its file name without .sql)
  severity TEXT NOT NULL,               -- low, medium, high, critical
  ts INTEGER,                           -- event time (boot ns of host_id)
  host_id INTEGER REFERENCES hosts,     -- host boot
  container_id INTEGER REFERENCES containers,  -- NULL: host
  proc_id INTEGER REFERENCES processes, -- offending process
  pid INTEGER,                          -- its key: pid
  start INTEGER,                        -- its key: start
  exec_id INTEGER REFERENCES execs,     -- exec involved, if any
  conn_id INTEGER REFERENCES connections,  -- connection involved, if any
  message TEXT NOT NULL,                -- one line for humans (untrusted parts included: escape)
  key TEXT NOT NULL DEFAULT '',         -- identity of the alert within its rule
  created_at TEXT,                      -- wall time of the check run that found it
  UNIQUE (rule_id, key)
);

CREATE UNIQUE INDEX IF NOT EXISTS ix_processes_key ON processes (host_id, pid, start);
CREATE INDEX IF NOT EXISTS ix_processes_parent ON processes (parent_id);
CREATE INDEX IF NOT EXISTS ix_processes_container ON processes (container_id);
CREATE INDEX IF NOT EXISTS ix_execs_proc ON execs (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_execs_container ON execs (container_id);
CREATE INDEX IF NOT EXISTS ix_connections_proc ON connections (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_connections_exec ON connections (exec_id);
CREATE INDEX IF NOT EXISTS ix_connections_sock ON connections (host_id, sock);
CREATE INDEX IF NOT EXISTS ix_connections_daddr ON connections (daddr, dport);
CREATE INDEX IF NOT EXISTS ix_cgroups_container ON cgroups (container_id);
CREATE INDEX IF NOT EXISTS ix_alerts_rule ON alerts (rule_id, ts);
CREATE INDEX IF NOT EXISTS ix_syns_conn ON syns (conn_id);
CREATE INDEX IF NOT EXISTS ix_file_events_proc ON file_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_priv_events_proc ON priv_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_ns_events_proc ON ns_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_ptrace_events_proc ON ptrace_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_socket_events_proc ON socket_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_memfd_events_proc ON memfd_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_bpf_events_proc ON bpf_events (proc_id, ts);
CREATE INDEX IF NOT EXISTS ix_uring_events_proc ON uring_events (proc_id, ts);

-- Processes with host, container, current image and wall times. wall_ns
-- and time are the process's real start (also for processes already
-- running when the capture began: already_running = 1).
CREATE VIEW IF NOT EXISTS v_processes AS
SELECT p.proc_id, p.host_id, h.hostname AS host, p.pid, p.start, p.ppid, p.pstart,
       p.parent_id, p.container_id,
       COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       p.uid, p.euid, p.comm, e.filename, e.argv, e.cmdline,
       p.first_ts, p.exit_ts, p.exit_code, p.signal,
       (p.fork_ts IS NULL AND (p.flags & 2) <> 0) AS already_running,
       CASE WHEN typeof(p.start + h.boot_to_wall_ns) = 'integer' AND p.start >= 0 THEN p.start + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(p.start + h.boot_to_wall_ns) = 'integer' AND p.start >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (p.start + h.boot_to_wall_ns) / 1000000000 - ((p.start + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((p.start + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time,
       c.name, c.image, c.pod_name, c.pod_namespace, c.container_name
FROM processes p
JOIN hosts h USING (host_id)
LEFT JOIN containers c ON c.container_id = p.container_id
LEFT JOIN execs e ON e.exec_id = p.exec_id;

-- Execs with host, container and wall time.
CREATE VIEW IF NOT EXISTS v_execs AS
SELECT e.exec_id, e.proc_id, h.hostname AS host, e.pid, e.start, e.ts, e.kind, e.ret,
       e.filename, e.argv, e.cmdline, e.uid, e.euid, e.ppid, e.container_id,
       COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       CASE WHEN typeof(e.ts + h.boot_to_wall_ns) = 'integer' AND e.ts >= 0 THEN e.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(e.ts + h.boot_to_wall_ns) = 'integer' AND e.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (e.ts + h.boot_to_wall_ns) / 1000000000 - ((e.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((e.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time,
       c.name, c.image, c.pod_name, c.pod_namespace, c.container_name,
       e.exe, e.cwd, e.tty, e.exe_flags, e.cap_effective
FROM execs e
JOIN hosts h USING (host_id)
LEFT JOIN containers c ON c.container_id = e.container_id;

-- Connections with their process, the exec image running then, container.
CREATE VIEW IF NOT EXISTS v_connections AS
SELECT k.conn_id, k.proc_id, k.exec_id, h.hostname AS host, k.pid, k.start, k.tid, k.ts,
       k.uid, k.comm, e.filename, e.argv, e.cmdline,
       k.container_id, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       k.family, k.saddr, k.sport, k.daddr, k.dport, k.state,
       CASE WHEN typeof(k.ts + h.boot_to_wall_ns) = 'integer' AND k.ts >= 0 THEN k.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(k.ts + h.boot_to_wall_ns) = 'integer' AND k.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (k.ts + h.boot_to_wall_ns) / 1000000000 - ((k.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((k.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time,
       c.name, c.image, c.pod_name, c.pod_namespace, c.container_name
FROM connections k
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = k.exec_id
LEFT JOIN containers c ON c.container_id = k.container_id;

-- Packet SYNs with the connect and process they belong to, and where seen.
CREATE VIEW IF NOT EXISTS v_syns AS
SELECT s.syn_id, h.hostname AS host, s.ts, s.ifindex, s.cgroup_id, s.container_id,
       COALESCE(c.short_id, 'host') AS container, s.family, s.saddr, s.sport, s.daddr, s.dport,
       s.verdict, s.conn_id, s.proc_id, k.pid, k.start, k.comm, e.filename,
       CASE WHEN typeof(s.ts + h.boot_to_wall_ns) = 'integer' AND s.ts >= 0 THEN s.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(s.ts + h.boot_to_wall_ns) = 'integer' AND s.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (s.ts + h.boot_to_wall_ns) / 1000000000 - ((s.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((s.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM syns s
JOIN hosts h USING (host_id)
LEFT JOIN connections k ON k.conn_id = s.conn_id
LEFT JOIN execs e ON e.exec_id = k.exec_id
LEFT JOIN containers c ON c.container_id = s.container_id;

-- What a process did, per family, with host, container, the image that did
-- it (filename, exe) and wall time.
CREATE VIEW IF NOT EXISTS v_file_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM file_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_priv_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM priv_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_ns_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM ns_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_ptrace_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM ptrace_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_socket_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM socket_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_memfd_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM memfd_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_bpf_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM bpf_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

CREATE VIEW IF NOT EXISTS v_uring_events AS
SELECT t.*, h.hostname AS host, COALESCE(c.short_id, 'host') AS container, c.runtime, c.pod_uid,
       e.filename, e.exe,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN t.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(t.ts + h.boot_to_wall_ns) = 'integer' AND t.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (t.ts + h.boot_to_wall_ns) / 1000000000 - ((t.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((t.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM uring_events t
JOIN hosts h USING (host_id)
LEFT JOIN execs e ON e.exec_id = t.exec_id
LEFT JOIN containers c ON c.container_id = t.container_id;

-- What each process did, every family in one timeline: one row per event
-- with its family, op and result, the object acted on and a short detail,
-- in the words `exray tree` prints them (as recorded: escape them).
CREATE VIEW IF NOT EXISTS v_activity AS
SELECT a.family, a.event_id, a.proc_id, a.exec_id, h.hostname AS host, a.pid, a.start, a.tid,
       a.ts, a.comm, a.container_id, COALESCE(c.short_id, 'host') AS container, a.op, a.ret,
       a.object, a.detail,
       CASE WHEN typeof(a.ts + h.boot_to_wall_ns) = 'integer' AND a.ts >= 0 THEN a.ts + h.boot_to_wall_ns END AS wall_ns,
       CASE WHEN typeof(a.ts + h.boot_to_wall_ns) = 'integer' AND a.ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (a.ts + h.boot_to_wall_ns) / 1000000000 - ((a.ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((a.ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS time
FROM (
  SELECT 'file' AS family, event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm,
         container_id, op, ret,
         CASE WHEN op = 'symlink' THEN path2 ELSE path END AS object,
         trim(CASE op WHEN 'rename' THEN '-> ' || coalesce(path2, '?')
                      WHEN 'link' THEN '-> ' || coalesce(path2, '?')
                      WHEN 'symlink' THEN '-> ' || coalesce(path, '?')
                      WHEN 'chmod' THEN printf('mode %04o', mode)
                      WHEN 'create' THEN CASE WHEN rdev IS NULL THEN printf('mode %04o', mode)
                        ELSE printf('%s device %d:%d mode %04o',
                                    CASE WHEN mode & 61440 = 24576 THEN 'block' ELSE 'char' END,
                                    rdev >> 20, rdev & 1048575, mode & 4095) END
                      WHEN 'chown' THEN printf('owner %d:%d', owner_uid, owner_gid)
                      WHEN 'connect' THEN coalesce('-> ' || path2, '')
                      WHEN 'open_by_handle' THEN printf('handle type %d %s via %s', handle_type,
                                                        coalesce(handle, ''), coalesce(path2, '?'))
                      WHEN 'name_to_handle' THEN CASE WHEN handle_type IS NULL THEN ''
                        ELSE printf('handle type %d %s', handle_type, handle) END ELSE '' END
              || CASE WHEN cgroup_target IS NOT NULL THEN printf(' cgroup %d', cgroup_target) ELSE '' END
              || CASE WHEN exec_bits AND rdev IS NULL THEN ' +x' ELSE '' END
              || CASE WHEN other_mount THEN ' (other mount)' ELSE '' END
              || CASE WHEN outside_mntns THEN ' (outside its mount namespace)' ELSE '' END
              || CASE WHEN path_unresolved THEN ' (unresolved)' ELSE '' END) AS detail
  FROM file_events
  UNION ALL
  SELECT 'priv', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret,
         CASE WHEN op = 'capset' THEN printf('caps %x -> %x', cap_effective_old, cap_effective)
              ELSE printf('%s %d/%d/%d -> %d/%d/%d', CASE WHEN op LIKE '%gid' THEN 'gid' ELSE 'uid' END,
                          old_real, old_effective, old_saved, new_real, new_effective, new_saved) END,
         CASE WHEN op <> 'capset' AND cap_effective <> cap_effective_old
              THEN printf('caps %x -> %x', cap_effective_old, cap_effective) END
  FROM priv_events
  UNION ALL
  SELECT 'ns', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret,
         CASE WHEN op IN ('unshare', 'clone') THEN nstypes
              ELSE coalesce(target, 'pid ' || target_pid) END,
         trim(CASE WHEN op IN ('setns') THEN coalesce(nstypes, '') ELSE '' END
              || CASE WHEN op = 'clone' AND target_pid THEN ' child ' || target_pid ELSE '' END
              || CASE WHEN source IS NOT NULL THEN ' from ' || source ELSE '' END
              || CASE WHEN fstype IS NOT NULL THEN ' type ' || fstype ELSE '' END)
  FROM ns_events
  UNION ALL
  SELECT 'ptrace', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret, 'pid ' || target_pid,
         CASE WHEN op = 'poke' THEN printf('addr 0x%x', addr) END
  FROM ptrace_events
  UNION ALL
  SELECT 'socket', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret,
         CASE WHEN op = 'dup_stdio' THEN printf('fd %d <- %d', fd, oldfd)
              ELSE CASE family WHEN 2 THEN 'inet' WHEN 10 THEN 'inet6' WHEN 17 THEN 'packet'
                   ELSE 'family ' || family END || ' type ' || sock_type || ' proto ' || protocol END,
         CASE WHEN daddr IS NOT NULL THEN 'peer ' || CASE WHEN peer_family = 6 THEN '[' || daddr || ']'
              ELSE daddr END || ':' || dport END
  FROM socket_events
  UNION ALL
  SELECT 'memfd', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret, name, NULL
  FROM memfd_events
  UNION ALL
  SELECT 'bpf', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret, prog_name, printf('type %d, %d insns', prog_type, insn_cnt)
  FROM bpf_events
  UNION ALL
  SELECT 'uring', event_id, proc_id, exec_id, host_id, pid, start, tid, ts, comm, container_id,
         op, ret,
         coalesce(path, CASE WHEN daddr IS NOT NULL THEN CASE WHEN family = 6 THEN '[' || daddr || ']'
                  ELSE daddr END || ':' || dport END),
         CASE WHEN path2 IS NOT NULL THEN '-> ' || path2 END
  FROM uring_events
) a
JOIN hosts h USING (host_id)
LEFT JOIN containers c ON c.container_id = a.container_id;

-- SYNs a local socket sent (cgroup_id <> 0) with no socket-level connect:
-- crafted on a raw socket (scanners, implants), or sent while the connect
-- tracepoint was not recording. Forwarded packets (no socket) are left out.
CREATE VIEW IF NOT EXISTS v_raw_syns AS
SELECT * FROM v_syns WHERE conn_id IS NULL AND cgroup_id <> 0;

-- Every container with its identity and activity: first and last record
-- of its processes, how many processes, how many alerts (exray containers).
CREATE VIEW IF NOT EXISTS v_containers AS
SELECT c.container_id, h.hostname AS host, c.host_id, c.runtime, c.cid, c.short_id, c.name, c.image,
       c.image_digest, c.pod_name, c.pod_namespace, c.pod_uid, c.container_name, c.labels,
       c.sources, c.cgroup_path, a.first_ts, a.last_ts, coalesce(a.processes, 0) AS processes,
       (SELECT count(*) FROM alerts al WHERE al.container_id = c.container_id) AS alerts,
       CASE WHEN typeof(a.first_ts + h.boot_to_wall_ns) = 'integer' AND a.first_ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (a.first_ts + h.boot_to_wall_ns) / 1000000000 - ((a.first_ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((a.first_ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS first_time,
       CASE WHEN typeof(a.last_ts + h.boot_to_wall_ns) = 'integer' AND a.last_ts >= 0 THEN strftime('%Y-%m-%dT%H:%M:%S', (a.last_ts + h.boot_to_wall_ns) / 1000000000 - ((a.last_ts + h.boot_to_wall_ns) % 1000000000 < 0), 'unixepoch')
         || printf('.%03dZ', ((a.last_ts + h.boot_to_wall_ns) % 1000000000 + 1000000000) % 1000000000 / 1000000) END AS last_time
FROM containers c
JOIN hosts h USING (host_id)
LEFT JOIN (SELECT container_id, min(first_ts) AS first_ts,
                  max(max(coalesce(last_ts, first_ts), coalesce(exit_ts, 0))) AS last_ts,
                  count(*) AS processes
           FROM processes WHERE container_id IS NOT NULL GROUP BY container_id) a
  ON a.container_id = c.container_id;

-- Ancestry: one row per (process, ancestor) with depth 1 = parent, 2 =
-- grandparent, ... (chains are cut at depth 100000, which only a
-- corrupted parent cycle reaches). Each process's chain is walked upwards
-- from it, in a subquery correlated with it, and returned as a JSON array:
-- element i is the ancestor at depth i + 1 (proc_id is the key, so each
-- level yields one row, in order). So a filter on proc_id costs one walk
-- of that process's chain (milliseconds on any case), the whole view one
-- walk per process. A plain recursive CTE over all processes (schema 1.0,
-- dropped on upgrade) could not be filtered: SQLite does not push a WHERE
-- into a recursive CTE, so every query walked the whole case. Needs
-- SQLite's JSON functions (built in since 3.38; the sqlite3 CLI has them).
CREATE VIEW IF NOT EXISTS v_ancestry AS
SELECT p.proc_id, j.value AS ancestor_id, j.key + 1 AS depth
FROM processes p,
     json_each((WITH RECURSIVE a(id, depth) AS (
                  SELECT p.parent_id, 1 WHERE p.parent_id IS NOT NULL
                  UNION ALL
                  SELECT q.parent_id, a.depth + 1 FROM a JOIN processes q ON q.proc_id = a.id
                  WHERE q.parent_id IS NOT NULL AND a.depth < 100000)
                SELECT json_group_array(id) FROM a)) j;

-- Correlation, per container (NULL container_id / 'host' for the host):
-- the images that made egress, egress by destination, and for each exec
-- the time to its first connection. Added for detection (docs/detection.md).
CREATE VIEW IF NOT EXISTS v_egress_binaries AS
SELECT k.host_id, k.container_id, COALESCE(c.short_id, 'host') AS container,
       e.filename, count(*) AS connections,
       count(DISTINCT k.daddr || ' ' || k.dport) AS destinations,
       min(k.ts) AS first_ts, max(k.ts) AS last_ts
FROM connections k
LEFT JOIN execs e ON e.exec_id = k.exec_id
LEFT JOIN containers c ON c.container_id = k.container_id
GROUP BY k.host_id, k.container_id, e.filename;

CREATE VIEW IF NOT EXISTS v_egress_destinations AS
SELECT k.host_id, k.container_id, COALESCE(c.short_id, 'host') AS container,
       k.family, k.daddr, k.dport, count(*) AS connections,
       count(DISTINCT k.exec_id) AS images, min(k.ts) AS first_ts, max(k.ts) AS last_ts
FROM connections k
LEFT JOIN containers c ON c.container_id = k.container_id
GROUP BY k.host_id, k.container_id, k.family, k.daddr, k.dport;

CREATE VIEW IF NOT EXISTS v_exec_first_connect AS
SELECT e.exec_id, e.proc_id, e.host_id, e.container_id, COALESCE(c.short_id, 'host') AS container,
       e.pid, e.start, e.filename, e.ts AS exec_ts, f.first_ts AS connect_ts,
       f.first_ts - e.ts AS ns_to_first_connect, f.connections
FROM execs e
JOIN (SELECT exec_id, min(ts) AS first_ts, count(*) AS connections
      FROM connections WHERE exec_id IS NOT NULL GROUP BY exec_id) f ON f.exec_id = e.exec_id
LEFT JOIN containers c ON c.container_id = e.container_id;
