# category: benign
# technique: image build step installing a package (RUN dpkg -i)
# image: debian
# mode: entrypoint
# desc: a build step builds a .deb with a binary and a postinst script, installs it with dpkg, and removes the build files
mkdir -p /tmp/pkg/DEBIAN /tmp/pkg/usr/local/bin
printf 'Package: exray-app\nVersion: 1.0\nArchitecture: all\nMaintainer: eval <eval@example.org>\nDescription: app\n' > /tmp/pkg/DEBIAN/control
printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/exray-app\n' > /tmp/pkg/DEBIAN/postinst
chmod 755 /tmp/pkg/DEBIAN/postinst
printf '#!/bin/sh\necho app\n' > /tmp/pkg/usr/local/bin/exray-app
chmod 755 /tmp/pkg/usr/local/bin/exray-app
dpkg-deb --build /tmp/pkg /tmp/app.deb >/dev/null
dpkg -i /tmp/app.deb >/dev/null
rm -rf /tmp/pkg /tmp/app.deb
exray-app
