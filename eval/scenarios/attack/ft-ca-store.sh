# category: file-tampering
# technique: T1553.004
# art: no
# expect: ca-store-modified
# image: debian
# desc: a rogue root CA is added to the system trust store, to intercept TLS
openssl req -x509 -newkey rsa:2048 -nodes -keyout /tmp/ca.key -out /usr/local/share/ca-certificates/corp-proxy.crt -subj /CN=proxy -days 30 2>/dev/null
update-ca-certificates >/dev/null 2>&1 || true
