# category: privilege-escalation
# technique: T1548.003
# art: yes
# expect: setuid-root-gain
# image: debian
# opts: --no-nnp --cap CAP_SETUID --cap CAP_SETGID --cap CAP_AUDIT_WRITE
# exec-opts: --user 1000:1000
# layer: mkdir -p etc/sudoers.d && echo 'app ALL=(ALL) NOPASSWD: ALL' > etc/sudoers.d/app && chmod 440 etc/sudoers.d/app
# desc: the application user abuses a NOPASSWD sudo rule to run commands as root
sudo -n id
sudo -n cat /etc/shadow > /dev/null
