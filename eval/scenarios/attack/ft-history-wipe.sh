# category: file-tampering
# technique: T1070.003
# art: yes
# expect: history-tampering
# image: debian
# layer: mkdir -p root && printf 'ls\nwget http://192.0.2.2/x\n' > root/.bash_history && printf 'cd /\n' > root/.ash_history
# desc: the shell history is wiped: deleted, then replaced by a link to /dev/null
rm -f /root/.bash_history
ln -sf /dev/null /root/.bash_history
cat /dev/null > /root/.ash_history
