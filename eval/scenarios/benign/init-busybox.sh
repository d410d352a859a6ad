# category: benign
# technique: an init system (busybox init with an inittab) as the container's pid 1
# mode: entrypoint
# layer: mkdir -p etc/init.d && printf '::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/httpd -f -p 8080 -h /var/www\n::once:/bin/sh -c "sleep 1.5; kill -USR2 1"\n' > etc/inittab && printf '#!/bin/sh\nmkdir -p /run/app\nhostname -F /etc/hostname 2>/dev/null\necho started > /run/app/state\n' > etc/init.d/rcS && chmod 755 etc/init.d/rcS
# desc: busybox init runs its rcS, keeps a web server respawned and shuts down cleanly
exec /sbin/init
