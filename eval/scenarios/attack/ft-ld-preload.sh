# category: file-tampering
# technique: T1574.006
# art: yes
# expect: ld-preload-modified
# desc: a user-land rootkit is registered in /etc/ld.so.preload (as libprocesshider installs itself)
mkdir -p /usr/local/lib
cp /usr/local/bin/exr-attack /usr/local/lib/libprocesshider.so
echo /usr/local/lib/libprocesshider.so > /etc/ld.so.preload
