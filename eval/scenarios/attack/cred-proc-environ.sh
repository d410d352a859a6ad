# category: credential-access
# technique: T1552
# art: no
# expect: proc-environ-read
# desc: the environment of another process (database passwords, API keys) is read through /proc
env DB_PASSWORD=s3cret sleep 30 &
victim=$!
sleep 0.2
cat "/proc/$victim/environ" | tr '\0' '\n' | grep PASSWORD
kill "$victim"
