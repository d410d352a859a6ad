/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Alerts as Falco JSON output lines (falco.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/falco.h"
#include "text/imageref.h"
#include "text/jsonw.h"
#include "text/timefmt.h"

/* The alerts with what Falco's fields need; %s is the alerts query. */
static const char falco_sql[] =
	"SELECT r.rule_id, r.severity, a.ts + h.boot_to_wall_ns, r.host, r.message, r.container,"
	" r.pid, p.ppid, p.comm, p.uid, r.filename, x.cmdline, q.comm, c.cid, c.pod_uid,"
	" c.name, c.image, c.image_digest, c.pod_name, c.pod_namespace,"
	" COALESCE(k.saddr, s.saddr), COALESCE(k.sport, s.sport), r.daddr, r.dport,"
	" a.conn_id IS NOT NULL, s.syn_id IS NOT NULL, a.exec_id IS NOT NULL"
	" FROM (%s) r JOIN alerts a ON a.alert_id = r.alert_id"
	" LEFT JOIN hosts h ON h.host_id = a.host_id"
	" LEFT JOIN processes p ON p.proc_id = a.proc_id"
	" LEFT JOIN processes q ON q.proc_id = p.parent_id"
	" LEFT JOIN containers c ON c.container_id = a.container_id"
	" LEFT JOIN connections k ON k.conn_id = a.conn_id"
	" LEFT JOIN syns s ON a.conn_id IS NULL AND a.key GLOB 's[0-9]*'"
	"  AND s.syn_id = CAST(substr(a.key, 2) AS INTEGER) AND s.host_id = a.host_id"
	" LEFT JOIN execs x ON x.exec_id = COALESCE(a.exec_id, k.exec_id, p.exec_id)"
	" ORDER BY a.ts, r.rule_id, r.alert_id";
enum {
	F_RULE, F_SEVERITY, F_WALL, F_HOST, F_MESSAGE, F_CONTAINER, F_PID, F_PPID, F_COMM, F_UID,
	F_EXEPATH, F_CMDLINE, F_PNAME, F_CID, F_POD, F_CNAME, F_IMAGE, F_DIGEST, F_PODNAME, F_PODNS,
	F_SADDR, F_SPORT, F_DADDR, F_DPORT,
	F_IS_CONN, F_IS_SYN, F_IS_EXEC,
};

const char *falco_priority(const char *severity)
{
	static const char *const map[][2] = {
		{ "low", "Notice" }, { "medium", "Warning" }, { "high", "Error" }, { "critical", "Critical" },
	};

	for (size_t i = 0; severity && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(severity, map[i][0]))
			return map[i][1];
	return "Informational";
}

#define TEXT(i) ((const char *)sqlite3_column_text(st, (i)))
#define NULLCOL(i) (sqlite3_column_type(st, (i)) == SQLITE_NULL)

static void int_field(struct jsonw *w, sqlite3_stmt *st, const char *key, int col)
{
	if (!NULLCOL(col))
		jw_int(w, key, sqlite3_column_int64(st, col));
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Falco sorts tags; ATT&CK ids sort before the lower-case words. */
static void write_tags(struct jsonw *w, const char *attack, bool container)
{
	char ids[16][ATTACK_ID_LEN];
	size_t n = 0;

	while (n < 16 && rule_meta_next_attack(&attack, ids[n]))
		n++;
	qsort(ids, n, sizeof(ids[0]), cmp_id);
	jw_arr(w, "tags");
	for (size_t i = 0; i < n; i++)
		jw_str(w, NULL, ids[i]);
	jw_str(w, NULL, container ? "container" : "host");
	jw_str(w, NULL, "exray");
	jw_end(w);
}

static void write_line(struct jsonw *w, sqlite3_stmt *st, const struct rule_meta *meta)
{
	int64_t wall = sqlite3_column_int64(st, F_WALL);
	const char *prio = falco_priority(TEXT(F_SEVERITY)), *container = TEXT(F_CONTAINER);
	bool in_container = container && strcmp(container, "host");
	bool net = sqlite3_column_int(st, F_IS_CONN) || sqlite3_column_int(st, F_IS_SYN);
	char tbuf[TIMEFMT_LEN], tod[TIMEFMT_LEN], *output = NULL, *fdname = NULL;
	const char *t;

	timefmt_rfc3339(tbuf, wall);
	/* Falco starts output with the time of day (UTC here) and the priority */
	t = strchr(tbuf, 'T');
	snprintf(tod, sizeof(tod), "%s", t ? t + 1 : tbuf);
	tod[strcspn(tod, "Z")] = 0;
	if (asprintf(&output, "%s: %s %s | rule=%s container_id=%s", tod, prio,
		     TEXT(F_MESSAGE) ? TEXT(F_MESSAGE) : "", TEXT(F_RULE), container ? container : "host") < 0)
		output = NULL;
	jw_obj(w, NULL);
	jw_str(w, "hostname", TEXT(F_HOST));
	jw_str(w, "output", output ? output : TEXT(F_MESSAGE));
	jw_obj(w, "output_fields");
	jw_str(w, "container.id", container ? container : "host");
	jw_str(w, "container.full_id", TEXT(F_CID));
	if (TEXT(F_IMAGE)) {
		struct imageref r;
		imageref_split(TEXT(F_IMAGE), &r);
		jw_str(w, "container.image", TEXT(F_IMAGE));
		jw_str(w, "container.image.digest", TEXT(F_DIGEST) ? TEXT(F_DIGEST) : r.digest);
		jw_strn(w, "container.image.repository", TEXT(F_IMAGE), r.name_len);
		if (r.tag)
			jw_strn(w, "container.image.tag", r.tag, r.tag_len);
	}
	jw_str(w, "container.name", TEXT(F_CNAME));
	jw_int(w, "evt.time", wall);
	if (net)
		jw_str(w, "evt.type", "connect");
	else if (sqlite3_column_int(st, F_IS_EXEC))
		jw_str(w, "evt.type", "execve");
	if (net) {
		if (asprintf(&fdname, "%s:%lld->%s:%lld", TEXT(F_SADDR) ? TEXT(F_SADDR) : "",
			     (long long)sqlite3_column_int64(st, F_SPORT), TEXT(F_DADDR) ? TEXT(F_DADDR) : "",
			     (long long)sqlite3_column_int64(st, F_DPORT)) < 0)
			fdname = NULL;
		jw_str(w, "fd.cip", TEXT(F_SADDR));
		int_field(w, st, "fd.cport", F_SPORT);
		jw_str(w, "fd.l4proto", "tcp");
		jw_str(w, "fd.name", fdname);
		jw_str(w, "fd.sip", TEXT(F_DADDR));
		int_field(w, st, "fd.sport", F_DPORT);
	}
	jw_str(w, "k8s.ns.name", TEXT(F_PODNS));
	jw_str(w, "k8s.pod.name", TEXT(F_PODNAME));
	jw_str(w, "k8s.pod.uid", TEXT(F_POD));
	jw_str(w, "proc.cmdline", TEXT(F_CMDLINE));
	jw_str(w, "proc.exepath", TEXT(F_EXEPATH));
	jw_str(w, "proc.name", TEXT(F_COMM));
	int_field(w, st, "proc.pid", F_PID);
	jw_str(w, "proc.pname", TEXT(F_PNAME));
	int_field(w, st, "proc.ppid", F_PPID);
	int_field(w, st, "user.uid", F_UID);
	jw_end(w);
	jw_str(w, "priority", prio);
	jw_str(w, "rule", TEXT(F_RULE));
	jw_str(w, "source", "syscall");
	write_tags(w, meta ? meta->attack : NULL, in_container);
	jw_str(w, "time", tbuf);
	jw_end(w);
	free(output);
	free(fdname);
}

long falco_print_alerts(sqlite3 *db, const char *alerts_sql, const struct rule_meta *rules, size_t nrules,
			FILE *out)
{
	char *sql = sqlite3_mprintf(falco_sql, alerts_sql);
	sqlite3_stmt *st = NULL;
	struct jsonw w;
	long n = 0;
	int rc, err;

	if (!sql)
		return -ENOMEM;
	err = db_prepare(db, &st, sql);
	sqlite3_free(sql);
	if (err)
		return err;
	jw_init(&w, out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		write_line(&w, st, rule_meta_find(rules, nrules, TEXT(F_RULE)));
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		n = -EIO;
	}
	sqlite3_finalize(st);
	return n;
}
