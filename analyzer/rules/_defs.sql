-- Shared definitions of the built-in rules. Not a rule: exray check runs
-- every analyzer/rules/_*.sql file before the rules, so these TEMP views
-- exist for the built-in rules and for --rules DIR alike. What many rules
-- read and is dear to compute (the programs' names, the entrypoints' work)
-- is computed once per check run into TEMP tables behind the views.
--
-- rx_exec: every exec and snapshot with the program's name as the rules
-- compare it: `prog` is the image's basename, except that a busybox applet
-- (run as /bin/busybox with argv[0] the applet, as `busybox APPLET`, or by
-- busybox re-executing /proc/self/exe) is named by the applet; `fb` and
-- `ab` are the basenames of the executed file and of argv[0] (a login
-- shell's leading '-' dropped), `a1` is argv[1]. argv[0] is the caller's
-- choice: rules match it as well as the file, which can only add alerts.
-- `img` is the image's path: the resolved one (execs.exe) where the
-- recorder gave it (symlinks, `ld.so FILE` and fexecve resolved by the
-- kernel), else the path as executed made absolute against the exec's cwd
-- and normalised (path_norm: `./x` in /tmp, `//tmp/x`, `/usr/../tmp/x` are
-- /tmp/x). `ld_img` is, for the dynamic loader run as a program (`ld.so
-- FILE`) in a capture without exe, FILE normalised the same way.
-- rx_names: those names alone (exec_id, fb, ab, a1, prog, img, ld_img), a
-- TEMP table computed once per check run, indexed on prog and on ab (a rule
-- looking for `prog = 'mount' OR ab = 'mount'` then finds them by index
-- rather than reading every exec), with the exec's proc_id, ts, kind, ret
-- and container_id and an index on (proc_id, ts) that holds what "the image a process
-- ran at a time" needs (rx_entry, rx_parent_img, rx_file): those lookups
-- then read neither execs nor rx_names. Join it rather
-- than rx_exec where only the names of a row's image are needed: a LEFT
-- JOIN of rx_exec (a join itself) makes SQLite copy every exec first.
DROP VIEW IF EXISTS temp.rx_exec;
DROP TABLE IF EXISTS temp.rx_names;
CREATE TEMP TABLE rx_names (exec_id INTEGER PRIMARY KEY, fb, ab, a1, prog, img, ld_img,
                             proc_id INTEGER, ts INTEGER, kind TEXT, ret INTEGER, container_id INTEGER);
INSERT INTO temp.rx_names
WITH e AS MATERIALIZED (
  SELECT exec_id, proc_id, ts, kind, ret, container_id, filename, exe, cwd, basename(filename) AS fb,
         json_extract(argv, '$[0]') AS a0,
         json_extract(argv, '$[1]') AS a1
  FROM execs)
SELECT e.exec_id, e.fb,
       ltrim(basename(COALESCE(e.a0, '')), '-'),
       e.a1,
       CASE
         WHEN e.fb = 'busybox' AND basename(COALESCE(e.a0, '')) = 'busybox' THEN COALESCE(basename(e.a1), 'busybox')
         WHEN e.fb IN ('busybox', 'exe') OR e.filename GLOB '/proc/*/exe' THEN ltrim(basename(COALESCE(e.a0, '')), '-')
         ELSE e.fb
       END,
       COALESCE(e.exe, path_norm(e.filename, e.cwd)),
       CASE WHEN e.exe IS NULL AND (e.fb GLOB 'ld-*.so*' OR e.fb IN ('ld.so', 'ld64.so.1', 'ld64.so.2'))
            THEN (SELECT path_norm(a.value, x.cwd) FROM execs x, json_each(x.argv) a
                  WHERE x.exec_id = e.exec_id AND a.key > 0 AND a.value NOT GLOB '-*'
                    AND json_extract(x.argv, '$[' || (a.key - 1) || ']') NOT IN ('--library-path', '--preload', '--audit', '--argv0', '--inhibit-rpath')
                  ORDER BY a.key LIMIT 1) END,
       e.proc_id, e.ts, e.kind, e.ret, e.container_id
FROM e;
CREATE INDEX temp.rx_names_prog ON rx_names (prog);
CREATE INDEX temp.rx_names_ab ON rx_names (ab);
CREATE INDEX temp.rx_names_proc ON rx_names (proc_id, ts, exec_id, ret, kind, prog, ab);
CREATE TEMP VIEW rx_exec AS
SELECT e.*, x.fb, x.ab, x.a1, x.prog, x.img, x.ld_img
FROM execs e JOIN temp.rx_names x ON x.exec_id = e.exec_id;

-- rx_shell(name): the shells.
DROP VIEW IF EXISTS temp.rx_shell;
CREATE TEMP VIEW rx_shell(name) AS
VALUES ('sh'), ('bash'), ('dash'), ('ash'), ('zsh'), ('ksh'), ('mksh'), ('csh'), ('tcsh'), ('fish'), ('hush');

-- rx_conn: connections with `loopback` (127/8, ::1, IPv4-mapped 127/8):
-- a container talking to itself is not egress.
DROP VIEW IF EXISTS temp.rx_conn;
CREATE TEMP VIEW rx_conn AS
SELECT k.*, (k.daddr GLOB '127.*' OR k.daddr = '::1' OR k.daddr GLOB '::ffff:127.*') AS loopback
FROM connections k;

-- rx_entry(proc_id): the container entrypoint's own work. A container's
-- init (pid 1 inside it) and every process it started through a chain of
-- script runners only (shells, env, init systems, privilege droppers,
-- package managers, run-parts, make, cron): the image's build steps
-- (`RUN useradd ...`, `RUN dpkg -i ...`) and its entrypoint script's setup
-- (rendering config, creating users, adding CAs). A process that came in
-- through the runtime (`kubectl exec`, `docker exec`: its parent is outside
-- the container) is not in it, and neither is anything below a service
-- (a web server's CGI, a shell spawned by an application): that is how an
-- intrusion through the service shows. Like Falco's container entrypoint
-- exceptions, this trusts what the image itself does at start.
-- rx_runner(name): the script runners of that chain.
DROP VIEW IF EXISTS temp.rx_runner;
CREATE TEMP VIEW rx_runner(name) AS
VALUES ('sh'), ('bash'), ('dash'), ('ash'), ('zsh'), ('ksh'), ('mksh'), ('hush'),
       ('env'), ('tini'), ('dumb-init'), ('init'), ('runsvdir'), ('runsv'), ('s6-svscan'),
       ('s6-supervise'), ('supervisord'), ('su-exec'), ('gosu'), ('setpriv'), ('chpst'),
       ('timeout'), ('nice'), ('nohup'), ('run-parts'), ('xargs'), ('make'),
       ('dpkg'), ('apt'), ('apt-get'), ('apk'), ('yum'), ('dnf'), ('microdnf'), ('rpm'),
       ('cron'), ('crond'), ('busybox');
-- A child belongs when its parent was running a runner when the child was
-- created (its start time): the image the parent exec'd last before that
-- (rx_names, successful execs), else its snapshot (a container init caught
-- still as `runc init` before the capture is judged by what it exec'd
-- next). As a query this is
--   WITH RECURSIVE ep(proc_id) AS (
--     SELECT proc_id FROM processes WHERE container_id IS NOT NULL AND vpid = 1
--     UNION
--     SELECT c.proc_id FROM ep JOIN processes c ON c.parent_id = ep.proc_id
--     WHERE (SELECT x.prog IN rx_runner OR x.ab IN rx_runner FROM rx_names x
--            WHERE x.proc_id = ep.proc_id AND x.ret = 0
--              AND (x.kind = 'exec' AND x.ts <= c.start OR x.kind = 'snapshot')
--            ORDER BY x.kind = 'exec' DESC, x.ts DESC, x.exec_id DESC LIMIT 1))
--   SELECT proc_id FROM ep;
-- which SQLite runs at about 5 us per child examined (11 s at 10M
-- records); rx_entry_walk (analyzer/detect/entry_walk.c) walks the same
-- rule over two sorted arrays.
DROP TABLE IF EXISTS temp.rx_entry;
CREATE TEMP TABLE rx_entry (proc_id INTEGER PRIMARY KEY);
INSERT INTO temp.rx_entry SELECT proc_id FROM rx_entry_walk ORDER BY proc_id;

-- rx_parent_img: for each exec, the program that started it: the image its
-- process ran just before (a fork keeps the parent's image until it execs),
-- else the image of the nearest ancestor (up to three levels: a service's
-- forked worker has no exec of its own) at that moment; NULL when none was
-- recorded.
DROP VIEW IF EXISTS temp.rx_parent_img;
CREATE TEMP VIEW rx_parent_img AS
SELECT e.exec_id,
       COALESCE(
         (SELECT x.prog FROM rx_names x WHERE x.proc_id = e.proc_id AND x.ret = 0
            AND (x.ts < e.ts OR (x.ts = e.ts AND x.exec_id < e.exec_id))
          ORDER BY x.ts DESC, x.exec_id DESC LIMIT 1),
         (SELECT x.prog FROM rx_names x WHERE x.proc_id = p1.parent_id AND x.ret = 0 AND x.ts <= e.ts
          ORDER BY x.ts DESC, x.exec_id DESC LIMIT 1),
         (SELECT x.prog FROM rx_names x WHERE x.proc_id = p2.parent_id AND x.ret = 0 AND x.ts <= e.ts
          ORDER BY x.ts DESC, x.exec_id DESC LIMIT 1),
         (SELECT x.prog FROM rx_names x WHERE x.proc_id = p3.parent_id AND x.ret = 0 AND x.ts <= e.ts
          ORDER BY x.ts DESC, x.exec_id DESC LIMIT 1)) AS parent_prog
FROM execs e
LEFT JOIN processes p1 ON p1.proc_id = e.proc_id
LEFT JOIN processes p2 ON p2.proc_id = p1.parent_id
LEFT JOIN processes p3 ON p3.proc_id = p2.parent_id;

-- rx_pkgmgr(name): package managers and the tools they run to install
-- files (what they write under /usr, /etc and /var/lib is an install).
DROP VIEW IF EXISTS temp.rx_pkgmgr;
CREATE TEMP VIEW rx_pkgmgr(name) AS
VALUES ('dpkg'), ('dpkg-deb'), ('dpkg-divert'), ('dpkg-statoverride'), ('dpkg-trigger'), ('apt'), ('apt-get'),
       ('aptitude'), ('unattended-upgrade'), ('update-alternatives'), ('ldconfig'), ('ldconfig.real'),
       ('rpm'), ('yum'), ('dnf'), ('microdnf'), ('zypper'), ('apk'), ('pip'), ('pip3'), ('npm'), ('gem'),
       ('install-info'), ('mandb'), ('debconf'), ('debconf-set-selections');

-- rx_ctr_start: when each container started (its oldest process's start
-- time, boot ns): "the first seconds" of a container are its startup.
DROP TABLE IF EXISTS temp.rx_ctr_start;
CREATE TEMP TABLE rx_ctr_start (container_id INTEGER PRIMARY KEY, start);
INSERT INTO temp.rx_ctr_start
-- (one pass over processes: on a container host most are in containers,
-- and reading those through ix_processes_container costs twice as much)
SELECT container_id, min(start) AS start FROM processes NOT INDEXED WHERE container_id IS NOT NULL GROUP BY container_id;

-- rx_file: file events (format 1.2) with the acting program's name
-- (`prog`: the image its process ran then, or, for a forked child that
-- exec'd nothing, its nearest ancestor's: a shell script's `cat >> f` in a
-- subshell is the script's doing), `changed` (the file the act changes:
-- `path`, except for a link or symlink, which change nothing at their
-- target `path` but create `path2`; a rename changes `path2` as well),
-- `nth` (1 for a process's first act of that kind on that file: a loop
-- writing a file 150 times is one finding) and a one-line `what`.
DROP VIEW IF EXISTS temp.rx_file;
CREATE TEMP VIEW rx_file AS
SELECT f.*, CASE WHEN f.op IN ('symlink', 'link') THEN NULL ELSE f.path END AS changed,
       COALESCE(x.prog,
         (SELECT a.prog FROM processes p1 JOIN rx_names a ON a.proc_id = p1.parent_id
          WHERE p1.proc_id = f.proc_id AND a.ret = 0 AND a.ts <= f.ts ORDER BY a.ts DESC, a.exec_id DESC LIMIT 1),
         (SELECT a.prog FROM processes p1 JOIN processes p2 ON p2.proc_id = p1.parent_id
                 JOIN rx_names a ON a.proc_id = p2.parent_id
          WHERE p1.proc_id = f.proc_id AND a.ret = 0 AND a.ts <= f.ts ORDER BY a.ts DESC, a.exec_id DESC LIMIT 1)) AS prog,
       row_number() OVER (PARTITION BY f.proc_id, f.op, f.path, f.path2 ORDER BY f.ts, f.event_id) AS nth,
       COALESCE(x.prog, f.comm, '?') || ' (pid ' || f.pid || ') in ' || COALESCE(c.short_id, 'host') || ' ' ||
         f.op || CASE WHEN f.ret < 0 THEN ' (failed, ' || f.ret || ')' ELSE '' END || ' ' ||
         COALESCE(f.path, '?') || COALESCE(' -> ' || f.path2, '') AS what
FROM file_events f
LEFT JOIN rx_names x ON x.exec_id = f.exec_id
LEFT JOIN containers c ON c.container_id = f.container_id;
