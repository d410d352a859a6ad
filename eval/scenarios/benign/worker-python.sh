# category: benign
# technique: a python worker processing files with temporary files and a compressor
# image: debian
# mode: entrypoint
# desc: a worker writes intermediate files in /tmp, compresses results with gzip in subprocesses, cleans up
python3 - <<'PY'
import os, subprocess, tempfile
out = "/var/lib/worker"; os.makedirs(out, exist_ok=True)
for i in range(5):
    with tempfile.NamedTemporaryFile("w", dir="/tmp", delete=False, suffix=".csv") as t:
        t.write("a,b\n" * 1000)
    subprocess.run(["gzip", "-f", t.name], check=True)
    os.replace(t.name + ".gz", f"{out}/batch{i}.csv.gz")
print("done")
PY
