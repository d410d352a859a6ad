/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/lines.h"
#include "render/timeline.h"
#include "text/counts.h"
#include "text/escape.h"
#include "text/recfmt.h"
#include "text/timefmt.h"

/* A wall time from a boot time, NULL when it does not fit in 64 bits (as
 * the views compute it). */
#define WALL(ts) "CASE WHEN typeof(" ts " + h.boot_to_wall_ns) = 'integer' AND " ts " >= 0" \
		 " THEN " ts " + h.boot_to_wall_ns END"

/* One row per event: type, op, ts, host, process, container, ret, object,
 * detail, exit code and signal; then filtered and ordered by wall time. */
static const char events_sql[] =
	"WITH ev(type, op, ts, host_id, proc_id, pid, comm, container_id, ret, object, detail, code, sig) AS ("
	" SELECT 'exec', CASE WHEN kind = 'snapshot' THEN 'running' ELSE 'exec' END, ts, host_id, proc_id,"
	"  pid, comm, container_id, ret, filename, cmdline, NULL, NULL FROM execs"
	" UNION ALL SELECT 'fork', 'fork', fork_ts, host_id, proc_id, pid, comm, container_id, 0, NULL,"
	"  'child of ' || ppid, NULL, NULL FROM processes WHERE fork_ts IS NOT NULL"
	" UNION ALL SELECT 'exit', 'exit', exit_ts, host_id, proc_id, pid, comm, container_id, 0, NULL, NULL,"
	"  exit_code, signal FROM processes WHERE exit_ts IS NOT NULL"
	" UNION ALL SELECT 'connect', state, ts, host_id, proc_id, pid, comm, container_id, 0,"
	"  inet_fmt(daddr, dport), NULL, NULL, NULL FROM connections"
	" UNION ALL SELECT a.family, a.op, a.ts, p.host_id, a.proc_id, a.pid, a.comm, a.container_id, a.ret,"
	"  a.object, a.detail, NULL, NULL FROM v_activity a JOIN processes p ON p.proc_id = a.proc_id)"
	" SELECT ev.type, ev.op, ev.ts, h.boot_to_wall_ns, h.hostname, ev.pid, ev.comm,"
	"  coalesce(c.short_id, 'host'), ev.ret, ev.object, ev.detail, ev.code, ev.sig, " WALL("ev.ts") " AS wall"
	" FROM ev JOIN hosts h ON h.host_id = ev.host_id"
	" LEFT JOIN containers c ON c.container_id = ev.container_id"
	" WHERE (?1 IS NULL OR (?1 = 'host' AND ev.container_id IS NULL) OR c.cid = ?1)"
	"  AND (?2 < 0 OR ev.pid = ?2)"
	"  AND (?3 IS NULL OR wall >= ?3) AND (?4 IS NULL OR wall <= ?4)"
	"  AND (?5 IS NULL OR instr(?5, ',' || ev.type || ',') > 0)"
	" ORDER BY wall, ev.host_id, ev.ts";

enum { E_TYPE, E_OP, E_TS, E_B2W, E_HOST, E_PID, E_COMM, E_CTR, E_RET, E_OBJECT, E_DETAIL, E_CODE,
       E_SIG, E_WALL };

#define TXT(st, i) ((const char *)sqlite3_column_text((st), (i)))

char *timeline_types(const char *list, const char **bad)
{
	size_t n = strlen(list);
	char *out = malloc(n + 3), *o = out;
	const char *s = list;

	*bad = NULL;
	if (!out)
		return NULL;
	*o++ = ',';
	while (*s) {
		size_t len = strcspn(s, ",");
		const char *t = TIMELINE_TYPES;
		int known = 0;
		while (*t && !known) {
			size_t tl = strcspn(t, " ");
			known = len && tl == len && !strncmp(t, s, len);
			t += tl + (t[tl] == ' ');
		}
		if (!known) {
			*bad = s;
			free(out);
			return NULL;
		}
		memcpy(o, s, len);
		o += len;
		*o++ = ',';
		s += len + (s[len] == ',');
	}
	*o = 0;
	return out;
}

static void text_line(FILE *f, sqlite3_stmt *st, int wide)
{
	const char *type = TXT(st, E_TYPE), *op = TXT(st, E_OP);

	render_time(f, sqlite3_column_int64(st, E_TS), sqlite3_column_int64(st, E_B2W));
	putc(' ', f);
	term_write_str(f, TXT(st, E_HOST));
	putc('/', f);
	term_write_str(f, TXT(st, E_CTR));
	fprintf(f, " %lld ", sqlite3_column_int64(st, E_PID));
	term_write_str(f, TXT(st, E_COMM) ? TXT(st, E_COMM) : "?");
	fprintf(f, " %s", type);
	if (op && strcmp(op, type)) {
		putc(' ', f);
		term_write_str(f, op);
	}
	if (TXT(st, E_OBJECT)) {
		putc(' ', f);
		term_write_str(f, TXT(st, E_OBJECT));
	}
	if (TXT(st, E_DETAIL) && *TXT(st, E_DETAIL)) {
		putc(' ', f);
		if (!strcmp(type, "exec"))
			render_argv(f, TXT(st, E_DETAIL), wide);
		else
			term_write_str(f, TXT(st, E_DETAIL));
	}
	if (!strcmp(type, "exit"))
		render_exit(f, sqlite3_column_int64(st, E_CODE), sqlite3_column_int64(st, E_SIG));
	render_failed(f, sqlite3_column_int64(st, E_RET));
	putc('\n', f);
}

static void json_line(FILE *f, sqlite3_stmt *st)
{
	static const char *const keys[] = { "type", "op", "ts", NULL, "host", "pid", "comm", "container",
					    "ret", "object", "detail", "exit_code", "signal", NULL };
	char tb[TIMEFMT_LEN], eb[ERRNO_TEXT_LEN];

	fputs("{\"time\":", f);
	if (sqlite3_column_type(st, E_WALL) == SQLITE_NULL)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", timefmt_rfc3339(tb, sqlite3_column_int64(st, E_WALL)));
	for (int c = 0; c <= E_SIG; c++) {
		if (!keys[c])
			continue;
		fprintf(f, ",\"%s\":", keys[c]);
		if (sqlite3_column_type(st, c) == SQLITE_NULL)
			fputs("null", f);
		else if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
			fprintf(f, "%lld", sqlite3_column_int64(st, c));
		else
			json_write_str(f, TXT(st, c));
	}
	if (sqlite3_column_int64(st, E_RET) < 0)
		fprintf(f, ",\"error\":\"%s\"", errno_text(eb, sqlite3_column_int64(st, E_RET)));
	fputs("}\n", f);
}

long long timeline_print(sqlite3 *db, const struct timeline_opts *o, FILE *out, long long *printed)
{
	sqlite3_stmt *st;
	long long n = 0;
	char num[COUNT_TEXT_LEN];
	int rc, err;

	*printed = 0;
	if ((err = db_prepare(db, &st, events_sql)))
		return err;
	if (o->container)
		sqlite3_bind_text(st, 1, o->container, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->pid);
	if (o->since != INT64_MIN)
		sqlite3_bind_int64(st, 3, o->since);
	if (o->until != INT64_MAX)
		sqlite3_bind_int64(st, 4, o->until);
	if (o->types)
		sqlite3_bind_text(st, 5, o->types, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (o->limit > 0 && *printed >= o->limit)
			continue; /* counted, for the line that says how many */
		(*printed)++;
		if (o->json)
			json_line(out, st);
		else
			text_line(out, st, o->wide);
	}
	if (rc != SQLITE_DONE) {
		db_set_error("%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	if (!o->json && n > *printed)
		fprintf(out, "... %s more event%s (-n N for another limit, --all for every one)\n",
			count_text(num, (uint64_t)(n - *printed)), n - *printed == 1 ? "" : "s");
	return n;
}
