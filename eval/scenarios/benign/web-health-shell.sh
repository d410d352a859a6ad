# category: benign
# technique: web server, Docker shell-form HEALTHCHECK
# init: /usr/sbin/httpd -f -p 8080 -h /var/www
# mode: probe
# probe-shell: yes
# desc: a web server whose health check runs sh -c 'wget ... | grep -q ok || exit 1' against its own localhost, three times
wget -q -O - http://127.0.0.1:8080/healthz | grep -q ok || exit 1
wget -q -O - http://127.0.0.1:8080/healthz | grep -q ok || exit 1
wget -q -O - http://127.0.0.1:8080/healthz | grep -q ok || exit 1
