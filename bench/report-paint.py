#!/usr/bin/env python3
# First paint, DOMContentLoaded and load of an HTML page (the case report) in
# headless Chromium, over the DevTools protocol on a pipe (no port, no
# websocket). Network confined to loopback as in tests/integration/report_chromium.sh.
#   bench/report-paint.py FILE.html   -> {"paint":[...ms], "dcl":ms, "load":ms}

import json, os, shutil, subprocess, sys, tempfile, time
path = os.path.realpath(sys.argv[1])
ud = tempfile.mkdtemp()
r3, w3 = os.pipe()  # we write -> chromium fd 3
r4, w4 = os.pipe()  # chromium fd 4 -> we read
def child():
    a, b = os.dup(r3), os.dup(w4)
    os.dup2(a, 3); os.dup2(b, 4)
proc = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--user-data-dir=" + ud, "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
    "--window-size=1280,1600", "--remote-debugging-pipe", "about:blank"],
    preexec_fn=child, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    close_fds=False)
os.close(r3); os.close(w4)
buf = b""; mid = 0
def send(method, params=None, session=None):
    global mid
    mid += 1
    m = {"id": mid, "method": method, "params": params or {}}
    if session: m["sessionId"] = session
    os.write(w3, json.dumps(m).encode() + b"\0")
    return mid
def recv():
    global buf
    while b"\0" not in buf:
        chunk = os.read(r4, 1 << 20)
        if not chunk: raise SystemExit("chromium closed the pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)
def call(method, params=None, session=None):
    i = send(method, params, session)
    while True:
        m = recv()
        if m.get("id") == i: return m.get("result", m)
tid = call("Target.createTarget", {"url": "about:blank"})["targetId"]
sid = call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
call("Page.enable", session=sid)
t0 = time.time()
send("Page.navigate", {"url": "file://" + path}, sid)
while True:
    m = recv()
    if m.get("method") == "Page.loadEventFired": break
wall = time.time() - t0
time.sleep(1.5)  # paint timing is reported with the next frames
js = ("JSON.stringify({paint: performance.getEntriesByType('paint').map(e => [e.name, Math.round(e.startTime)]),"
      " dcl: Math.round(performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart),"
      " load: Math.round(performance.timing.loadEventEnd - performance.timing.navigationStart)})")
res = call("Runtime.evaluate", {"expression": js, "returnByValue": True}, sid)
print(res["result"]["value"], "wall to load event %.1f s" % wall)
call("Browser.close")
proc.wait(timeout=30)
shutil.rmtree(ud, ignore_errors=True)
