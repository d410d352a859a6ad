# category: benign
# technique: cron-style scheduler loop running a backup job
# mode: entrypoint
# desc: a supercronic-like loop runs the backup job three times: archive the data, prune old archives
mkdir -p /data /backups
echo rows > /data/db.txt
for i in 1 2 3; do
  tar czf "/backups/data-$i.tgz" /data 2>/dev/null
  find /backups -name '*.tgz' -mmin +60 -delete
  sleep 0.3
done
