# category: benign
# technique: kubectl exec of single commands (no shell)
# init: /usr/sbin/httpd -f -p 8080 -h /var/www
# mode: probe
# desc: an operator runs ps, cat and ls in a web container, one kubectl exec each
ps
cat /etc/hostname
ls -l /var/www
