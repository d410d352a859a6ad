# category: file-tampering
# technique: T1070.002
# art: no
# expect: log-tampering
# image: debian
# desc: logs are cleared: truncated, emptied and deleted (Falco's Clear Log Activities)
truncate -s 0 /var/log/dpkg.log
: > /var/log/apt/history.log
rm -f /var/log/alternatives.log
