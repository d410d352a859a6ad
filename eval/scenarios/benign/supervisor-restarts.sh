# category: benign
# technique: an entrypoint supervising a worker that crashes and is restarted
# mode: entrypoint
# desc: a shell supervisor restarts its worker three times after it exits non-zero, logging each restart
mkdir -p /var/log/app
for i in 1 2 3; do
  sh -c 'echo "worker run"; exit 3' >> /var/log/app/worker.log 2>&1 || echo "restart $i" >> /var/log/app/supervisor.log
  sleep 0.2
done
