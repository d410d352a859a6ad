# category: benign
# technique: web server, kubelet exec liveness probe (exec form)
# init: /usr/sbin/httpd -f -p 8080 -h /var/www
# mode: probe
# desc: a web server whose liveness probe runs wget against its own localhost, three times
wget -q -O /dev/null http://127.0.0.1:8080/healthz
wget -q -O /dev/null http://127.0.0.1:8080/healthz
wget -q -O /dev/null http://127.0.0.1:8080/healthz
