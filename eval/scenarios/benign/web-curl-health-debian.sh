# category: benign
# technique: python web app, shell-form curl health check
# image: debian
# init: python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv
# mode: probe
# probe-shell: yes
# layer: mkdir -p srv && echo ok > srv/health
# desc: a python web app checked by curl -fsS against localhost, three times
curl -fsS http://localhost:8000/health >/dev/null || exit 1
curl -fsS http://localhost:8000/health >/dev/null || exit 1
curl -fsS http://localhost:8000/health >/dev/null || exit 1
