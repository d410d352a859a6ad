# category: benign
# technique: an entrypoint generating its own TLS key and certificate at first start
# image: debian
# mode: entrypoint
# desc: the server makes a self-signed certificate in /etc/app/tls at first start and reads it back
mkdir -p /etc/app/tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout /etc/app/tls/tls.key -out /etc/app/tls/tls.crt -subj /CN=app -days 30 2>/dev/null
openssl x509 -in /etc/app/tls/tls.crt -noout -subject
python3 -c "import ssl; c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain('/etc/app/tls/tls.crt', '/etc/app/tls/tls.key'); print('tls ok')"
