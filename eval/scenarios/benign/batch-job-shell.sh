# category: benign
# technique: a Kubernetes Job: a shell script transforming files
# mode: entrypoint
# desc: a job container's script compresses, checksums and moves a batch of files, then exits
mkdir -p /data/in /data/out
for i in 1 2 3 4 5; do echo "record $i" > /data/in/f$i.txt; done
for f in /data/in/*.txt; do
  gzip -c "$f" > "/data/out/$(basename "$f").gz"
  sha256sum "$f" >> /data/out/SHA256SUMS
done
rm -rf /data/in
