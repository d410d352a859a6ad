# category: benign
# technique: log rotation (logrotate with copytruncate)
# image: debian
# mode: entrypoint
# desc: an application log is rotated twice by logrotate: copied, truncated, compressed, the oldest removed
mkdir -p /var/log/app
for i in $(seq 200); do echo "line $i" >> /var/log/app/app.log; done
printf '/var/log/app/*.log {\n  rotate 1\n  copytruncate\n  compress\n  missingok\n}\n' > /etc/logrotate.d/app
logrotate -f /etc/logrotate.d/app
echo more >> /var/log/app/app.log
logrotate -f /etc/logrotate.d/app
