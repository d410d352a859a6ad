#!/usr/bin/env bash
# The HTML case report (exray report, docs/report.md) in a real browser,
# Debian's chromium, headless: the reports of several recorded fixtures and
# of a capture built to attack the page (argv holding <img onerror=...>,
# </script>, quotes, bidi overrides, bytes that are not UTF-8: written with
# the real segment writer by build/tests/test_html_report --write-hostile).
# For each page:
#   - the file: a Content-Security-Policy with default-src 'none' and no
#     'unsafe-inline', no script element, no src attribute, every href a
#     link inside the page (#id) that resolves;
#   - the DOM Chromium built (--dump-dom): only the report's own elements,
#     no on* attribute, the alerts `exray check` printed, and for the
#     hostile capture the token process with that argument in a box of its
#     own, its alert linking to it and its connection;
#   - Chromium's log: no console message (a CSP violation, i.e. an attempt
#     to load or run anything, is one);
#   - Chromium's network log: no request made by the page;
#   - a screenshot that is not blank (distinct colours counted).
# Chromium's own background requests are confined to loopback (no name
# resolves, the proxy is a closed local port). No root needed.
set -u -o pipefail
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray
HOSTILE=$BUILD/tests/test_html_report
for b in "$X" "$HOSTILE"; do
	[ -x "$b" ] || { echo "report_chromium: $b not built (make)"; exit 1; }
done
command -v chromium >/dev/null || { echo "report_chromium: chromium is not installed (make deps installs it)"; exit 1; }
tmp=$(mktemp -d /tmp/exray-report-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# chrome OUT HTML ARGS...: run headless Chromium on HTML with a fresh
# profile; its network log goes to OUT.net.json, its log to OUT.log.
chrome() {
	local out=$1 html=$2 ud
	shift 2
	ud=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 \
		--enable-logging=stderr --v=0 --log-net-log="$out.net.json" "$@" "file://$(realpath "$html")" \
		2>"$out.log"
	local rc=$?
	rm -rf "$ud"
	return $rc
}

# check NAME HTML ALERTS [TOKEN]: everything above on one report.
check() {
	local name=$1 html=$2 alerts=$3 token=${4:-} o=$tmp/$1
	if ! chrome "$o.dom" "$html" --dump-dom >"$o.dom.html"; then
		bad "$name: chromium --dump-dom failed: $(tail -3 "$o.dom.log")"
		return
	fi
	if ! chrome "$o.shot" "$html" --window-size=1280,1600 --hide-scrollbars --screenshot="$o.png" >/dev/null ||
		[ ! -s "$o.png" ]; then
		bad "$name: chromium --screenshot failed: $(tail -3 "$o.shot.log")"
		return
	fi
	if python3 - "$name" "$html" "$o.dom.html" "$alerts" "$token" "$o.dom.log" "$o.shot.log" \
		"$o.dom.net.json" "$o.shot.net.json" "$o.png" <<'PY'
import json, re, struct, sys, zlib
from html.parser import HTMLParser

name, html_path, dom_path, want_alerts, token = sys.argv[1:6]
logs, netlogs, png = sys.argv[6:8], sys.argv[8:10], sys.argv[10]
problems = []

OWN = set("html head meta title style body header h1 h2 h3 p nav a section div table caption thead "
          "tbody tr th td ul li b i code pre span time details summary input label svg g rect line "
          "text footer".split())
VOID = {"meta", "input", "br", "img", "link", "hr", "base", "source", "embed"}

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], []
    def all_text(self):
        return "".join(self.text) + "".join(k.all_text() for k in self.kids)
    def walk(self):
        yield self
        for k in self.kids:
            yield from k.walk()

class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n
    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))
    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent
    def handle_data(self, data):
        self.cur.text.append(data)

def parse(path):
    t = Tree()
    t.feed(open(path, encoding="utf-8", errors="replace").read())
    return t.root

# the file itself
raw = open(html_path, encoding="utf-8", errors="replace").read()
csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', raw)
if not csp or "default-src 'none'" not in csp.group(1) or "unsafe" in csp.group(1):
    problems.append("no strict Content-Security-Policy: %r" % (csp and csp.group(1)))
page = parse(html_path)
ids = {n.attrs["id"] for n in page.walk() if "id" in n.attrs}
for n in page.walk():
    if n.tag == "script":
        problems.append("a script element in the file")
    if "src" in n.attrs:
        problems.append("src attribute on <%s>: %s" % (n.tag, n.attrs["src"]))
    href = n.attrs.get("href")
    if href is not None and n.tag != "svg":
        if not href.startswith("#"):
            problems.append("href leaving the page: %r" % href)
        elif href[1:] not in ids:
            problems.append("link to a missing id: %r" % href)

# the DOM the browser built
dom = parse(dom_path)
for n in dom.walk():
    if n.tag == "#root":
        continue
    if n.tag not in OWN:
        problems.append("foreign element <%s> in the DOM (parent <%s>)" % (n.tag, n.parent.tag))
    for a in n.attrs:
        if a.lower().startswith("on"):
            problems.append("event handler attribute %s on <%s>" % (a, n.tag))
rows = [n for n in dom.walk() if n.tag == "tr" and n.attrs.get("id", "").startswith("a")]
if len(rows) != int(want_alerts):
    problems.append("%d alert rows in the DOM, exray check printed %s" % (len(rows), want_alerts))

if token:
    boxes = [n for n in dom.walk() if n.tag == "span" and n.attrs.get("class") == "a" and n.all_text() == token]
    if not boxes:
        problems.append("the token %s is not an argument box of its own" % token)
    else:
        p = boxes[0]
        while p is not None and not (p.tag == "details" and p.attrs.get("id", "").startswith("p")):
            p = p.parent
        if p is None:
            problems.append("the token is not inside a process")
        else:
            pid = p.attrs["id"]
            summary = next((k for k in p.kids if k.tag == "summary"), None)
            links = [r for r in rows for a in r.walk() if a.tag == "a" and a.attrs.get("href") == "#" + pid]
            if not links:
                problems.append("no alert row links to the token process #%s" % pid)
            if "203.0.113.66:4444" not in p.all_text():
                problems.append("the token process shows no connection to 203.0.113.66:4444")
            for hostile in ("<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>"):
                if not any(n.tag == "span" and n.attrs.get("class") == "a" and n.all_text() == hostile
                           for n in p.walk()):
                    problems.append("argument %r not shown as text in a box of its own" % hostile)
    alltext = dom.all_text()
    if "\u202e" in alltext or "\u2066" in alltext:
        problems.append("a bidi control reached the page text")

# Chromium's log: any console message (CSP violations are) is a failure
for log in logs:
    for line in open(log, errors="replace"):
        if ":CONSOLE" in line:
            problems.append("console: " + line.strip()[:200])

# network: no request initiated by the page (Chromium's own have no origin)
for nl in netlogs:
    d = json.load(open(nl))
    types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    for e in d["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p \
                and p.get("initiator") != "not an origin" and not p["url"].startswith("file:"):
            problems.append("the page requested %s" % p.get("url"))

# the screenshot is not blank: decode the PNG (8-bit RGB/RGBA), count colours
def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[ctype]
            assert depth == 8
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, prev, out = w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            out.extend(bytes(line[x:x + 3]) for x in range(0, stride, bpp * 2))
        prev = line
    return out
px = pixels(png)
colours = len(set(px))
ink = sum(1 for p in px if p != b"\xff\xff\xff") / len(px)
if colours < 16 or ink < 0.02:
    problems.append("screenshot looks blank: %d colours, %.1f %% non-white" % (colours, 100 * ink))

for p in problems[:20]:
    print("  " + p)
print("  %s: %d alert rows, screenshot %d colours, %.0f %% ink" % (name, len(rows), colours, 100 * ink))
sys.exit(1 if problems else 0)
PY
	then ok "$name: report is inert, complete and rendered ($(stat -c %s "$html") bytes)"
	else bad "$name: see above"
	fi
}

# report NAME SEGMENTS POLICY [TOKEN]: ingest, check, report, then check.
report() {
	local name=$1 segs=$2 policy=$3 token=${4:-} db=$tmp/$1.db n
	"$X" ingest -q -d "$db" "$segs" >/dev/null 2>"$tmp/$name.ingest.err"
	[ $? -le 1 ] || { bad "$name: ingest failed: $(cat "$tmp/$name.ingest.err")"; return; }
	n=$("$X" check -d "$db" --policy "$policy" 2>/dev/null | wc -l) ||
		{ bad "$name: check failed"; return; }
	if ! "$X" report -d "$db" --policy "$policy" -o "$tmp/$name.html" 2>"$tmp/$name.report.err"; then
		bad "$name: exray report failed: $(cat "$tmp/$name.report.err")"
		return
	fi
	check "$name" "$tmp/$name.html" "$n" "$token"
}

for f in reverse-shell download-and-run miner ring-loss; do
	report "$f" "fixtures/$f/segments" "fixtures/$f/policy.txt"
done

mkdir -p "$tmp/hostile"
"$HOSTILE" --write-hostile "$tmp/hostile" || { echo "report_chromium: cannot build the hostile capture"; exit 1; }
printf '# nothing is allowed\n' >"$tmp/deny-all.policy"
report hostile "$tmp/hostile" "$tmp/deny-all.policy" EXRAYTOKEN4242

# -c by the container's recorded name scopes the page; no match is a usage error
if "$X" report -d "$tmp/hostile.db" -c 'web<script>alert(6)</script>' -o "$tmp/scoped.html" 2>/dev/null &&
	grep -q EXRAYTOKEN4242 "$tmp/scoped.html" && ! grep -q '/usr/bin/agent' "$tmp/scoped.html"; then
	ok "report -c NAME keeps that container only"
else
	bad "report -c NAME did not scope the page to that container"
fi
"$X" report -d "$tmp/hostile.db" -c no-such-container -o "$tmp/none.html" 2>/dev/null
rc=$?
[ $rc = 2 ] && [ ! -e "$tmp/none.html" ] && ok "report -c matching nothing: exit 2, no file" ||
	bad "report -c matching nothing: exit $rc"

# --until before the token process was forked (21.005): it is out of the
# page, and the commands shown carry the same window
if "$X" report -d "$tmp/hostile.db" --until 2023-11-14T22:13:21.004Z -o "$tmp/window.html" 2>/dev/null &&
	! grep -q EXRAYTOKEN4242 "$tmp/window.html" && grep -q -- '--until @1700000001004000000' "$tmp/window.html"; then
	ok "report --until leaves out what came later and says so in its commands"
else
	bad "report --until did not scope the page"
fi

# an existing file that is not a report is never replaced
printf 'evidence\n' >"$tmp/not-a-report.html"
if "$X" report -d "$tmp/hostile.db" -o "$tmp/not-a-report.html" 2>/dev/null; then
	bad "report replaced a file it did not write"
elif [ "$(cat "$tmp/not-a-report.html")" = evidence ]; then
	ok "report refuses to replace a file it did not write"
else
	bad "report changed a file it refused to replace"
fi

[ "$fails" -eq 0 ] && echo "report_chromium: all checks passed" || echo "report_chromium: $fails check(s) failed"
[ "$fails" -eq 0 ]
