-- id: not-in-image
-- severity: high
-- category: suspicious-network
-- technique: T1105
-- description: A container ran a binary written inside it (overlayfs upper layer), not one shipped in its image.
--
-- Catches the dropped payload: curl/wget -O, a compiler, an unpacked
-- archive, a copied-in tool, anything written into the container's
-- writable layer and then executed, wherever it lies (/usr/local/bin as
-- much as /tmp). The recorder flags an exec whose image file lives in an
-- overlayfs upper directory (exe_flags & 4, EXRAY_EXE_UPPER_LAYER): the
-- container wrote it, its image did not ship it. One alert per container
-- and executable, at its first run. With `check --baseline`,
-- baseline-new-exec adds the executables the workload never ran before,
-- shipped in the image or not (docs/baselines.md).
SELECT min(e.ts) AS ts, e.host_id, e.container_id, e.proc_id, e.pid, e.start, e.exec_id,
       NULL AS conn_id,
       'executed ' || coalesce(e.exe, e.filename) || ' in ' || coalesce(c.name, c.short_id) ||
         ': written inside the container, not shipped in its image' ||
         coalesce(' ' || c.image, '') || ' (pid ' || e.pid || '): ' || coalesce(e.cmdline, '') AS message,
       'e' || e.container_id || ':' || coalesce(e.exe, e.filename) AS key
FROM execs e
JOIN containers c ON c.container_id = e.container_id
WHERE e.ret = 0 AND (coalesce(e.exe_flags, 0) & 4) <> 0
GROUP BY e.container_id, coalesce(e.exe, e.filename);
