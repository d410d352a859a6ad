/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Baselines against a case database: learning what each workload did, and
 * the rules that report what it did beyond its baseline (baseline.h). Both
 * read the same observations (temp views bl_obs_*), so a capture checked
 * against the baseline learned from it reports nothing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "detect/baseline.h"
#include "detect/detect.h"

/* The executable of an exec: the resolved image path when the case has it
 * (execs.exe), else the path given to execve. A busybox applet (ls, uname,
 * sh... linked to one busybox, as in Alpine and busybox images) is named by
 * the path executed: what runs is the applet, and naming them all busybox
 * would make every applet one executable. */
static void exe_expr(sqlite3 *db, const char *alias, char *out, size_t len)
{
	sqlite3_stmt *st;
	int has = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('execs') WHERE name='exe'", -1,
			       &st, NULL) == SQLITE_OK) {
		has = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	if (has)
		snprintf(out, len, "CASE WHEN %1$s.exe GLOB '*/busybox' AND %1$s.filename GLOB '/*'"
			 " AND %1$s.filename NOT GLOB '/proc/*' THEN %1$s.filename"
			 " ELSE coalesce(%1$s.exe,%1$s.filename) END", alias);
	else
		snprintf(out, len, "%s.filename", alias);
}

static bool has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool has = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		has = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return has;
}

/*
 * Where a file written lies, by path (docs/baselines.md): the sensitive
 * categories first (credentials, cron, ssh keys, the loader's preload,
 * other configuration, system binaries and libraries), then temp and
 * the rest.
 */
#define WRITE_CATEGORY(p)                                                                          \
	"CASE WHEN " p " IN ('/etc/passwd','/etc/shadow','/etc/group','/etc/gshadow','/etc/sudoers')"  \
	"  OR " p " GLOB '/etc/sudoers.d/*' OR " p " GLOB '/etc/pam.d/*' THEN 'auth'"                \
	" WHEN " p " GLOB '/etc/cron*' OR " p " GLOB '/var/spool/cron/*' THEN 'cron'"                 \
	" WHEN " p " GLOB '*/.ssh/*' OR " p " GLOB '/etc/ssh/*' THEN 'ssh'"                           \
	" WHEN " p " = '/etc/ld.so.preload' THEN 'preload'"                                           \
	" WHEN " p " GLOB '/etc/*' THEN 'etc'"                                                        \
	" WHEN " p " GLOB '/bin/*' OR " p " GLOB '/sbin/*' OR " p " GLOB '/usr/*' OR " p " GLOB '/lib*'" \
	"  THEN 'system'"                                                                              \
	" WHEN " p " GLOB '/tmp/*' OR " p " GLOB '/var/tmp/*' OR " p " GLOB '/dev/shm/*' THEN 'temp'"  \
	" ELSE 'other' END"
/* The categories a new write in is reported (the sensitive places). */
#define SENSITIVE_CATEGORIES "('auth','cron','ssh','preload','etc','system')"

/*
 * What containers did, one row per event, with the columns an alert needs.
 * exec: every successful exec or snapshot image. spawn: an exec whose
 * process's parent ran in the same container, with the parent's image at
 * that moment. connect: every connection. user: the uid of every exec.
 */
static int make_views(sqlite3 *db)
{
	char ee[256], pe[256], *sql;
	int err;

	exe_expr(db, "e", ee, sizeof(ee));
	exe_expr(db, "pe", pe, sizeof(pe));
	sql = sqlite3_mprintf(
		"DROP VIEW IF EXISTS temp.bl_obs_exec; DROP VIEW IF EXISTS temp.bl_obs_spawn;"
		"DROP VIEW IF EXISTS temp.bl_obs_connect; DROP VIEW IF EXISTS temp.bl_obs_user;"
		"CREATE TEMP VIEW bl_obs_exec AS SELECT e.container_id, %s AS path, e.exec_id, e.ts,"
		" e.host_id, e.proc_id, e.pid, e.start FROM execs e"
		" WHERE e.ret = 0 AND e.container_id IS NOT NULL;"
		"CREATE TEMP VIEW bl_obs_spawn AS SELECT e.container_id, %s AS parent, %s AS child,"
		" e.exec_id, e.ts, e.host_id, e.proc_id, e.pid, e.start"
		" FROM execs e JOIN processes p ON p.proc_id = e.proc_id"
		" JOIN execs pe ON pe.exec_id = (SELECT x.exec_id FROM execs x WHERE x.proc_id = p.parent_id"
		"  AND x.ret = 0 AND x.ts <= e.ts ORDER BY x.ts DESC LIMIT 1)"
		" WHERE e.ret = 0 AND e.kind = 'exec' AND e.container_id IS NOT NULL"
		"  AND pe.container_id = e.container_id;"
		"CREATE TEMP VIEW bl_obs_connect AS SELECT k.container_id, k.daddr, k.dport, k.family,"
		" k.conn_id, k.exec_id, k.ts, k.host_id, k.proc_id, k.pid, k.start FROM connections k"
		" WHERE k.container_id IS NOT NULL;"
		"CREATE TEMP VIEW bl_obs_user AS SELECT e.container_id, e.uid, e.exec_id, e.ts, e.host_id,"
		" e.proc_id, e.pid, e.start FROM execs e"
		" WHERE e.ret = 0 AND e.container_id IS NOT NULL AND e.uid IS NOT NULL;",
		ee, pe, ee);
	if (!sql)
		return -ENOMEM;
	err = db_exec(db, sql);
	sqlite3_free(sql);
	/* files written: once the case has file events (format 1.2 ingest) */
	if (!err)
		err = db_exec(db, "DROP VIEW IF EXISTS temp.bl_obs_write");
	if (!err && has_table(db, "file_events"))
		err = db_exec(db, "CREATE TEMP VIEW bl_obs_write AS SELECT f.container_id,"
				  " " WRITE_CATEGORY("f.path") " AS category, f.path, f.sensitive,"
				  " f.exec_id, f.ts, f.host_id, f.proc_id, f.pid, f.start FROM file_events f"
				  " WHERE f.container_id IS NOT NULL AND f.ret >= 0 AND f.path IS NOT NULL"
				  "  AND f.op IN ('write','create','truncate','rename','link','symlink','chmod','chown')");
	return err;
}

/* ------------------------------------------------------------ learning */

static const char *key_expr(enum bl_kind kind)
{
	return kind == BL_IMAGE ? "c.image" : kind == BL_NAME ? "c.name" : "json_extract(c.labels, ?1)";
}

/* Add the observations of one type to the workloads of kind (label: key,
 * its JSON path in path). */
static int learn_one(sqlite3 *db, enum bl_kind kind, const char *key, const char *path,
		     enum bl_type type, const char *select, struct baseline *bl)
{
	char *sql = sqlite3_mprintf("SELECT DISTINCT %s AS k, %s FROM %s o JOIN containers c"
				    " ON c.container_id = o.container_id WHERE k IS NOT NULL",
				    key_expr(kind), select,
				    type == BL_EXEC ? "temp.bl_obs_exec" : type == BL_SPAWN ? "temp.bl_obs_spawn"
				    : type == BL_CONNECT ? "temp.bl_obs_connect"
				    : type == BL_WRITE ? "temp.bl_obs_write" : "temp.bl_obs_user");
	sqlite3_stmt *st;
	int rc, err = 0;

	if (!sql)
		return -ENOMEM;
	err = db_prepare(db, &st, sql);
	sqlite3_free(sql);
	if (err)
		return err;
	if (path)
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *a = (const char *)sqlite3_column_text(st, 1);
		const char *b = (const char *)sqlite3_column_text(st, 2);
		struct bl_workload *w = baseline_workload(bl, kind, kind == BL_LABEL ? key : NULL, k);
		char net[80];

		if (!w) {
			err = -ENOMEM;
			break;
		}
		switch (type) {
		case BL_EXEC:
			err = a ? baseline_add(w, type, a, NULL, 0, 0) : 0;
			break;
		case BL_SPAWN:
			err = a && b ? baseline_add(w, type, a, b, 0, 0) : 0;
			break;
		case BL_CONNECT:
			snprintf(net, sizeof(net), "%s/%d", a ? a : "", sqlite3_column_int(st, 3) == 6 ? 128 : 32);
			err = a ? baseline_add(w, type, net, NULL, (unsigned)sqlite3_column_int(st, 2),
					       (unsigned)sqlite3_column_int(st, 2)) : 0;
			break;
		case BL_USER:
			err = baseline_add(w, type, NULL, NULL, (unsigned)sqlite3_column_int64(st, 1), 0);
			break;
		case BL_WRITE:
			err = a ? baseline_add(w, type, a, NULL, 0, 0) : 0;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		err = -EIO;
	}
	sqlite3_finalize(st);
	return err;
}

int baseline_learn(sqlite3 *db, enum bl_kind kind, const char *key, struct baseline *bl)
{
	char *path = NULL;
	int err;

	/* the label's JSON path, key quoted: "$.\"app.kubernetes.io/name\"" */
	if (kind == BL_LABEL && !(path = sqlite3_mprintf("$.\"%w\"", key)))
		return -ENOMEM;
	if (!(err = make_views(db)) && !(err = learn_one(db, kind, key, path, BL_EXEC, "o.path, NULL", bl)) &&
	    !(err = learn_one(db, kind, key, path, BL_SPAWN, "o.parent, o.child", bl)) &&
	    !(err = learn_one(db, kind, key, path, BL_CONNECT, "o.daddr, o.dport, o.family", bl)) &&
	    !(err = learn_one(db, kind, key, path, BL_USER, "o.uid", bl)) && has_table(db, "file_events"))
		err = learn_one(db, kind, key, path, BL_WRITE, "o.category, NULL", bl);
	sqlite3_free(path);
	return err;
}

/* ------------------------------------------------------------ checking */

static int fill_tables(sqlite3 *db, const struct baseline *bl)
{
	sqlite3_stmt *sec = NULL, *item = NULL;
	int err;

	if ((err = db_exec(db,
			   "DROP TABLE IF EXISTS temp.bl_sec; DROP TABLE IF EXISTS temp.bl_item;"
			   "DROP TABLE IF EXISTS temp.bl_ctr;"
			   "CREATE TEMP TABLE bl_sec(sec INTEGER PRIMARY KEY, kind TEXT, lkey TEXT, value TEXT,"
			   " label TEXT);"
			   "CREATE TEMP TABLE bl_item(sec INTEGER, type TEXT, a TEXT, b TEXT, lo INTEGER,"
			   " hi INTEGER);"
			   "CREATE INDEX temp.ix_bl_item ON bl_item(sec, type, a, b)")) ||
	    (err = db_prepare(db, &sec, "INSERT INTO temp.bl_sec VALUES(?1,?2,?3,?4,?2||' '||"
					"coalesce(?3||'=','')||?4)")) ||
	    (err = db_prepare(db, &item, "INSERT INTO temp.bl_item VALUES(?1,?2,?3,?4,?5,?6)")))
		goto out;
	for (size_t i = 0; i < bl->n && !err; i++) {
		const struct bl_workload *w = &bl->w[i];
		static const char *const types[] = { "exec", "spawn", "connect", "write", "user" };

		sqlite3_bind_int64(sec, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(sec, 2, baseline_kind_name(w->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(sec, 3, w->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(sec, 4, w->value, -1, SQLITE_STATIC);
		if (sqlite3_step(sec) != SQLITE_DONE)
			err = -EIO;
		sqlite3_reset(sec);
		for (size_t k = 0; k < w->n && !err; k++) {
			const struct bl_item *it = &w->items[k];
			sqlite3_bind_int64(item, 1, (sqlite3_int64)i + 1);
			sqlite3_bind_text(item, 2, types[it->type], -1, SQLITE_STATIC);
			sqlite3_bind_text(item, 3, it->a, -1, SQLITE_STATIC);
			sqlite3_bind_text(item, 4, it->b, -1, SQLITE_STATIC);
			sqlite3_bind_int64(item, 5, it->lo);
			sqlite3_bind_int64(item, 6, it->hi);
			if (sqlite3_step(item) != SQLITE_DONE)
				err = -EIO;
			sqlite3_reset(item);
		}
	}
	if (err)
		db_set_error("%s", sqlite3_errmsg(db));
	/* which containers each workload covers */
	if (!err)
		err = db_exec(db, "CREATE TEMP TABLE bl_ctr AS SELECT c.container_id, s.sec,"
				  " s.label || ' (container ' || coalesce(c.name, c.short_id) || ')' AS who"
				  " FROM containers c JOIN temp.bl_sec s ON"
				  " (s.kind = 'image' AND c.image = s.value) OR (s.kind = 'name' AND c.name = s.value)"
				  " OR (s.kind = 'label' AND json_extract(c.labels, '$.\"' || replace(s.lkey, '\"',"
				  " '\"\"') || '\"') = s.value)");
out:
	sqlite3_finalize(sec);
	sqlite3_finalize(item);
	return err;
}

/* The deviation rules. Each reports one alert per workload, container and
 * new thing, at its first occurrence. */
static const struct {
	const char *id, *severity, *description, *sql;
} rules[] = {
	{ "baseline-new-exec", "medium", "A workload ran an executable its baseline never saw.",
	  "SELECT min(o.ts) AS ts, o.host_id, o.container_id, o.proc_id, o.pid, o.start, o.exec_id,"
	  " NULL AS conn_id, 'baseline: ' || m.who || ' ran ' || o.path || ', never seen in its baseline'"
	  " AS message, 'x' || m.sec || ':' || o.container_id || ':' || o.path AS key"
	  " FROM temp.bl_obs_exec o JOIN temp.bl_ctr m ON m.container_id = o.container_id"
	  " WHERE NOT EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'exec'"
	  "  AND b.a = o.path)"
	  " GROUP BY m.sec, o.container_id, o.path" },
	{ "baseline-new-lineage", "low",
	  "A workload's known executable started another known one it had never started.",
	  "SELECT min(o.ts) AS ts, o.host_id, o.container_id, o.proc_id, o.pid, o.start, o.exec_id,"
	  " NULL AS conn_id, 'baseline: ' || m.who || ': ' || o.parent || ' started ' || o.child ||"
	  " ', never seen in its baseline' AS message,"
	  " 'l' || m.sec || ':' || o.container_id || ':' || o.parent || '>' || o.child AS key"
	  " FROM temp.bl_obs_spawn o JOIN temp.bl_ctr m ON m.container_id = o.container_id"
	  /* a new executable is reported as such, not once more as a new pair */
	  " WHERE EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'exec' AND b.a = o.parent)"
	  "  AND EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'exec' AND b.a = o.child)"
	  "  AND NOT EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'spawn'"
	  "   AND b.a = o.parent AND b.b = o.child)"
	  " GROUP BY m.sec, o.container_id, o.parent, o.child" },
	{ "baseline-new-destination", "medium", "A workload connected where its baseline never did.",
	  "SELECT min(o.ts) AS ts, o.host_id, o.container_id, o.proc_id, o.pid, o.start, o.exec_id,"
	  " o.conn_id, 'baseline: ' || m.who || ' connected to ' || inet_fmt(o.daddr, o.dport) ||"
	  " ', never seen in its baseline' AS message,"
	  " 'd' || m.sec || ':' || o.container_id || ':' || o.daddr || ':' || o.dport AS key"
	  " FROM temp.bl_obs_connect o JOIN temp.bl_ctr m ON m.container_id = o.container_id"
	  " WHERE NOT EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'connect'"
	  "  AND o.dport BETWEEN b.lo AND b.hi AND cidr_contains(b.a, o.daddr))"
	  " GROUP BY m.sec, o.container_id, o.daddr, o.dport" },
	{ "baseline-new-user", "high", "A workload ran a process as a user its baseline never saw.",
	  "SELECT min(o.ts) AS ts, o.host_id, o.container_id, o.proc_id, o.pid, o.start, o.exec_id,"
	  " NULL AS conn_id, 'baseline: ' || m.who || ' ran a process as uid ' || o.uid ||"
	  " ', never seen in its baseline' AS message,"
	  " 'u' || m.sec || ':' || o.container_id || ':' || o.uid AS key"
	  " FROM temp.bl_obs_user o JOIN temp.bl_ctr m ON m.container_id = o.container_id"
	  " WHERE NOT EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'user'"
	  "  AND b.lo = o.uid)"
	  " GROUP BY m.sec, o.container_id, o.uid" },
	/* last: only with file events in the case (bl_obs_write) */
	{ "baseline-new-write", "high",
	  "A workload wrote a file in a sensitive place of a kind its baseline never wrote.",
	  "SELECT min(o.ts) AS ts, o.host_id, o.container_id, o.proc_id, o.pid, o.start, o.exec_id,"
	  " NULL AS conn_id, 'baseline: ' || m.who || ' wrote ' || o.path || ' (' || o.category ||"
	  " '), never seen in its baseline' AS message,"
	  " 'w' || m.sec || ':' || o.container_id || ':' || o.path AS key"
	  " FROM temp.bl_obs_write o JOIN temp.bl_ctr m ON m.container_id = o.container_id"
	  " WHERE (o.category IN " SENSITIVE_CATEGORIES " OR o.sensitive)"
	  "  AND NOT EXISTS (SELECT 1 FROM temp.bl_item b WHERE b.sec = m.sec AND b.type = 'write'"
	  "   AND b.a = o.category)"
	  " GROUP BY m.sec, o.container_id, o.path" },
};

int baseline_add_rules(sqlite3 *db, const struct baseline *bl, const char *source,
		       struct exray_ruleset *rs, char *err, size_t errlen)
{
	int r;

	if ((r = make_views(db)) || (r = fill_tables(db, bl))) {
		snprintf(err, errlen, "baseline: %s", r == -ENOMEM ? "out of memory" : db_error());
		return r;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char *text = NULL, src[300];

		if (!strcmp(rules[i].id, "baseline-new-write") && !has_table(db, "file_events"))
			continue; /* a case without file events */
		struct exray_rule rule;
		struct exray_rule *nv;

		if (asprintf(&text, "-- id: %s\n-- severity: %s\n-- description: %s\n%s;\n", rules[i].id,
			     rules[i].severity, rules[i].description, rules[i].sql) < 0)
			return -ENOMEM;
		snprintf(src, sizeof(src), "baseline:%s", source);
		r = exray_rule_parse(&rule, src, text, err, errlen);
		free(text);
		if (r)
			return r;
		if (!(nv = realloc(rs->v, (rs->n + 1) * sizeof(*nv)))) {
			exray_rule_free(&rule);
			return -ENOMEM;
		}
		rs->v = nv;
		rs->v[rs->n++] = rule;
	}
	return 0;
}
