# category: benign
# technique: a database writing its files (SQLite with a journal)
# image: debian
# mode: entrypoint
# desc: an application writes rows into its SQLite database (journal, WAL and all) and vacuums it
mkdir -p /var/lib/app
python3 - <<'PY'
import sqlite3
db = sqlite3.connect("/var/lib/app/app.db")
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)")
for i in range(500):
    db.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
    if i % 100 == 0: db.commit()
db.commit(); db.execute("VACUUM"); db.close()
PY
sqlite3 /var/lib/app/app.db 'SELECT count(*) FROM t;'
