# category: benign
# technique: image build step fetching a release from the internal artifact server
# net: yes
# mode: entrypoint
# desc: a build step downloads a release archive from the allowed artifact server, unpacks it into /opt and runs its installer
mkdir -p /opt/app
wget -q -O /tmp/app.tar "http://$REPO/app.tar"
tar -C /opt/app -xf /tmp/app.tar
sh /opt/app/install.sh
rm -f /tmp/app.tar
