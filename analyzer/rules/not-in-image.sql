-- id: not-in-image
-- severity: high
-- category: suspicious-network
-- technique: T1105
-- falco: Drop and execute new binary in container
-- description: A container ran a binary written inside it (overlayfs upper layer), not one shipped in its image.
--
-- Catches the dropped payload: curl/wget -O, an unpacked archive, a
-- copied-in tool, anything written into the container's writable layer
-- and then executed, wherever it lies (/usr/local/bin as much as /tmp).
-- The recorder flags an exec whose image file lives in an overlayfs upper
-- directory (exe_flags & 4, EXRAY_EXE_UPPER_LAYER): the container wrote
-- it, its image did not ship it. One alert per container and executable,
-- at its first run.
-- Exception, as Falco's known_drop_and_execute lists: a binary a compiler
-- or linker (cc, gcc, g++, clang, tcc, ld, collect2, rustc, go's link ...)
-- wrote in the same container. A build step compiling a program and
-- running its tests is what build containers do all day; an intruder
-- compiling an exploit inside the container is left to exec-from-temp
-- and the rules on what the exploit does. A file copied after the
-- build (`install`, `cp`) and run from there is new again and fires.
-- With `check --baseline`, baseline-new-exec adds the executables the
-- workload never ran before, shipped in the image or not (docs/baselines.md).
WITH built AS MATERIALIZED (
  SELECT f.host_id, f.container_id, coalesce(f.path2, f.path) AS path, min(f.ts) AS ts
  FROM file_events f JOIN rx_names w ON w.exec_id = f.exec_id
  WHERE f.container_id IS NOT NULL AND f.ret >= 0
    AND (w.prog IN ('cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'tcc', 'ld', 'ld.bfd', 'ld.gold',
                    'ld.lld', 'lld', 'mold', 'collect2', 'rustc')
         OR w.prog GLOB '*-linux-gnu-ld*' OR w.prog GLOB '*-linux-gnu-gcc*' OR w.img GLOB '*/pkg/tool/*/link')
  GROUP BY 1, 2, 3
)
SELECT min(e.ts) AS ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       'executed ' || coalesce(e.exe, e.filename) || ' in ' || coalesce(c.name, c.short_id) ||
         ': written inside the container, not shipped in its image' ||
         coalesce(' ' || c.image, '') || ' (pid ' || e.pid || '): ' || coalesce(e.cmdline, '') AS message,
       'e' || e.container_id || ':' || coalesce(e.exe, e.filename) AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
LEFT JOIN built b ON b.host_id = e.host_id AND b.container_id = e.container_id
  AND b.path = coalesce(e.exe, e.filename) AND b.ts <= e.ts
WHERE e.ret = 0 AND (coalesce(e.exe_flags, 0) & 4) <> 0 AND b.path IS NULL
GROUP BY e.container_id, coalesce(e.exe, e.filename);
