# category: benign
# technique: image build step creating the service user (RUN useradd)
# image: debian
# mode: entrypoint
# desc: a build step creates a system user and its data directory
useradd -r -M -s /usr/sbin/nologin svc
mkdir -p /var/lib/svc
chown svc:svc /var/lib/svc
