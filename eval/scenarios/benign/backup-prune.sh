# category: benign
# technique: a database backup job pruning old dumps
# image: debian
# mode: entrypoint
# layer: mkdir -p var/lib/app backup/old && for i in 1 2 3; do head -c 2048 /dev/urandom > var/lib/app/t$i.db; head -c 512 /dev/urandom > backup/old/dump$i.tgz; done
# desc: a backup job archives the data directory, deletes old dumps and the staging directory
tar czf "/backup/db-$(date +%s).tgz" /var/lib/app 2>/dev/null
find /backup/old -type f -delete
rm -rf /backup/old
ls /backup
