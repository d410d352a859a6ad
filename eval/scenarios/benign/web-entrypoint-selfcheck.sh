# category: benign
# technique: entrypoint starts a server and waits for it with curl to localhost
# image: debian
# mode: entrypoint
# desc: the entrypoint starts a web server in the background, polls it on localhost until it answers, then serves
mkdir -p /srv && echo ok > /srv/index.html
python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv >/dev/null 2>&1 &
for i in 1 2 3 4 5 6 7 8 9 10; do curl -fs http://127.0.0.1:8000/ >/dev/null && break; sleep 0.2; done
sleep 1
kill %1
