# category: benign
# technique: image build step adding the company CA (RUN update-ca-certificates)
# image: debian
# mode: entrypoint
# layer: mkdir -p usr/local/share/ca-certificates && openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -out usr/local/share/ca-certificates/corp-root.crt -subj /CN=corp-root -days 365 2>/dev/null
# desc: a build step registers the company root CA shipped in the image
update-ca-certificates >/dev/null 2>&1
