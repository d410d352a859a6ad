/*
 * Baseline files (analyzer/detect/baseline_file.c): valid files parse to
 * the model and write back to the same text; invalid ones are refused with
 * FILE:LINE:COL (a table, as tinc's subnet tests); merging; hostile tokens
 * quoted so they round-trip and never reach a terminal raw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "detect/baseline.h"
#include "detect/detect.h"

static char *write_str(const struct baseline *bl)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(baseline_write(f, bl, NULL), 0);
	fclose(f);
	return buf;
}

/* The file body after the header comment. */
static const char *body(const char *text)
{
	const char *p = strstr(text, "\n\n");

	return p ? p + 2 : "";
}

static void test_valid(void **state)
{
	static const char text[] =
		"# a comment\n"
		"[image registry.local/shop/web:1.4]   # trailing comment\n"
		"exec /bin/sh\n"
		"  exec \"/opt/my app/run\"\n"
		"spawn /bin/sh -> /usr/bin/wget\n"
		"connect 10.1.2.3/8 port 443\n"
		"connect 2001:db8::1 port 8000-8080\n"
		"connect 0.0.0.0/0 port any\n"
		"write etc\n"
		"user 1000\n"
		"user 0\n"
		"\n"
		"[label app=payments]\n"
		"exec \"/tmp/a\\\"b\\\\c\\x01\"\n"
		"[name \"web 1\"]\n"
		"[image registry.local/shop/web:1.4]\n"
		"exec /bin/sh\n";
	struct baseline bl = { 0 }, again = { 0 };
	char err[256] = "", *out, *out2;

	assert_int_equal(baseline_parse(&bl, "t", text, sizeof(text) - 1, err, sizeof(err)), 0);
	assert_int_equal(bl.n, 3);
	assert_int_equal(bl.w[0].kind, BL_IMAGE);
	assert_int_equal(bl.w[0].n, 9); /* the repeated section and line merged */
	assert_string_equal(bl.w[1].key, "app");
	assert_string_equal(bl.w[1].value, "payments");
	assert_string_equal(bl.w[1].items[0].a, "/tmp/a\"b\\c\x01");
	assert_string_equal(bl.w[2].value, "web 1");
	out = write_str(&bl);
	assert_string_equal(body(out),
			    "[image registry.local/shop/web:1.4]\n"
			    "exec /bin/sh\n"
			    "exec \"/opt/my app/run\"\n"
			    "spawn /bin/sh -> /usr/bin/wget\n"
			    "connect 0.0.0.0/0 port any\n"
			    "connect 10.0.0.0/8 port 443\n"
			    "connect 2001:db8::1/128 port 8000-8080\n"
			    "write etc\n"
			    "user 0\n"
			    "user 1000\n"
			    "\n[name \"web 1\"]\n"
			    "\n[label app=payments]\n"
			    "exec \"/tmp/a\\\"b\\\\c\\x01\"\n");
	/* what it writes, it reads back the same */
	assert_int_equal(baseline_parse(&again, "t2", out, strlen(out), err, sizeof(err)), 0);
	out2 = write_str(&again);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	baseline_free(&bl);
	baseline_free(&again);
}

static void test_invalid(void **state)
{
	static const struct {
		const char *text, *want;
		size_t len; /* 0: strlen(text) (set for texts holding a NUL) */
	} cases[] = {
		{ "exec /bin/sh\n", "f:1:1: item before any", 0 },
		{ "[image]\n", "f:1:7: value expected", 0 },
		{ "[pod x]\n", "f:1:2: unknown workload kind", 0 },
		{ "[image x\n", "f:1:9: ']' expected", 0 },
		{ "[image x] y\n", "f:1:11: nothing may follow", 0 },
		{ "[label app]\n", "f:1:8: label workload: KEY=VALUE expected", 0 },
		{ "[label =v]\n", "f:1:8: label workload", 0 },
		{ "[image x]\nrun /bin/sh\n", "f:2:1: unknown item 'run'", 0 },
		{ "[image x]\nexec\n", "f:2:5: path expected", 0 },
		{ "[image x]\nexec /a /b\n", "f:2:9: unexpected text after the exec item", 0 },
		{ "[image x]\nexec \"/a\n", "f:2:6: unterminated quoted path", 0 },
		{ "[image x]\nexec \"/a\\q\"\n", "f:2:9: unknown escape", 0 },
		{ "[image x]\nexec \"/a\\x0\"\n", "f:2:9: \\x needs two hex digits", 0 },
		{ "[image x]\nexec \"/a\\x00\"\n", "f:2:9: NUL byte in path", 0 },
		{ "[image x]\nexec \"/a\"b\n", "f:2:10: a space must follow", 0 },
		{ "[image x]\nexec /a\"b\n", "f:2:8: unexpected character in path", 0 },
		{ "[image x]\nspawn /a /b\n", "f:2:10: '->' expected", 0 },
		{ "[image x]\nspawn /a ->\n", "f:2:12: child path expected", 0 },
		{ "[image x]\nconnect 10.0.0.1\n", "f:2:17: 'port N'", 0 },
		{ "[image x]\nconnect 10.0.0.300 port 1\n", "f:2:9: bad IPv4 address", 0 },
		{ "[image x]\nconnect ::g port 1\n", "f:2:9: bad IPv6 address", 0 },
		{ "[image x]\nconnect 10.0.0.0/33 port 1\n", "f:2:18: prefix length", 0 },
		{ "[image x]\nconnect ::/129 port 1\n", "f:2:12: prefix length", 0 },
		{ "[image x]\nconnect 10.0.0.0/8 port 70000\n", "f:2:25: port: a number from 0 to 65535", 0 },
		{ "[image x]\nconnect 10.0.0.0/8 port 9-3\n", "f:2:25: port range 9-3 runs backwards", 0 },
		{ "[image x]\nconnect 10.0.0.0/8 port -1\n", "f:2:25: port: a number", 0 },
		{ "[image x]\nuser root\n", "f:2:6: uid: a number", 0 },
		{ "[image x]\nuser 4294967295\n", "f:2:6: uid: a number from 0 to 4294967294", 0 },
		{ "[image x]\nwrite\n", "f:2:6: category expected", 0 },
		{ "[image x]\nexec /a\x00\n", "f:2:8: unexpected character", 19 },
		{ "[image x]\n# ok\x00\n", "f:2:5: NUL byte", 16 },
		{ "[image \x1b[31m]\n", "f:1:8: value expected", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct baseline bl = { 0 };
		char err[256] = "";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

		if (baseline_parse(&bl, "f", cases[i].text, len, err, sizeof(err)) != -EINVAL ||
		    strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: %s\n  got:  %s\n  want: %s...", i, cases[i].text, err, cases[i].want);
		for (const char *c = err; *c; c++)
			assert_false((unsigned char)*c < 0x20 || *c == 0x7f);
		baseline_free(&bl);
	}
}

static void test_merge_and_model(void **state)
{
	struct baseline a = { 0 }, b = { 0 };
	struct bl_workload *w;
	char *out;

	assert_non_null(w = baseline_workload(&a, BL_IMAGE, NULL, "img"));
	assert_int_equal(baseline_add(w, BL_EXEC, "/bin/sh", NULL, 0, 0), 0);
	assert_int_equal(baseline_add(w, BL_EXEC, "/bin/sh", NULL, 0, 0), 0);
	assert_int_equal(w->n, 1);
	assert_non_null(w = baseline_workload(&b, BL_IMAGE, NULL, "img"));
	assert_int_equal(baseline_add(w, BL_USER, NULL, NULL, 7, 0), 0);
	assert_non_null(w = baseline_workload(&b, BL_LABEL, "app", "x"));
	assert_int_equal(baseline_add(w, BL_EXEC, "/bin/ls", NULL, 0, 0), 0);
	assert_int_equal(baseline_merge(&a, &b), 0);
	assert_int_equal(baseline_merge(&a, &b), 0); /* idempotent */
	out = write_str(&a);
	assert_string_equal(body(out), "[image img]\nexec /bin/sh\nuser 7\n\n[label app=x]\nexec /bin/ls\n");
	free(out);
	assert_string_equal(baseline_kind_name(BL_NAME), "name");
	baseline_free(&a);
	baseline_free(&b);
	baseline_free(&a); /* twice: safe */
}

static void test_load_limits(void **state)
{
	struct baseline bl = { 0 };
	char err[512];

	assert_int_equal(baseline_load(&bl, "/nonexistent/x.baseline", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(baseline_load(&bl, "/tmp", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	baseline_free(&bl);
}

/* A small case: two containers of image img (A learned from, B checked),
 * processes, execs, a connection and file events, in SQL. */
static const char case_sql[] =
	"INSERT INTO hosts(host_id,hostname,boot_id,boot_to_wall_ns) VALUES(1,'h','b',0);"
	"INSERT INTO containers(container_id,host_id,runtime,cid,short_id,name,image,labels) VALUES"
	" (1,1,'docker','aaaa','aaaa','a','img','{\"app\":\"web\"}'),"
	" (2,1,'docker','bbbb','bbbb','b','img','{\"app\":\"web\"}'),"
	" (3,1,'docker','cccc','cccc',NULL,NULL,NULL);"
	"INSERT INTO processes(proc_id,host_id,pid,start,parent_id,container_id) VALUES"
	" (1,1,10,1,NULL,1),(2,1,11,2,1,1),(3,1,20,3,NULL,2),(4,1,21,4,3,2),(5,1,22,5,3,2),"
	" (6,1,30,6,NULL,3);"
	"INSERT INTO execs(exec_id,proc_id,host_id,pid,start,ts,kind,ret,filename,uid,container_id) VALUES"
	" (1,1,1,10,1,10,'exec',0,'/bin/sh',0,1),(2,2,1,11,2,20,'exec',0,'/bin/ls',0,1),"
	" (3,3,1,20,3,30,'exec',0,'/bin/sh',0,2),(4,4,1,21,4,40,'exec',0,'/bin/ls',0,2),"
	" (5,5,1,22,5,50,'exec',0,'/bin/nc',1000,2),(6,5,1,22,5,51,'exec',-2,'/bin/nope',0,2),"
	" (7,6,1,30,6,60,'exec',0,'/bin/anything',5,3);"
	"INSERT INTO connections(conn_id,proc_id,host_id,pid,start,ts,container_id,family,daddr,dport) VALUES"
	" (1,2,1,11,2,25,1,4,'10.0.0.1',443),(2,4,1,21,4,45,2,4,'10.0.0.1',443),"
	" (3,4,1,21,4,46,2,4,'10.0.0.2',443),(4,4,1,21,4,47,2,4,'10.0.0.1',443);"
	/* file events: the columns of schema 1.4's table that the baseline reads */
	"CREATE TABLE IF NOT EXISTS file_events(event_id INTEGER PRIMARY KEY, proc_id INTEGER NOT NULL,"
	" host_id INTEGER NOT NULL, pid INTEGER NOT NULL, start INTEGER NOT NULL, ts INTEGER NOT NULL,"
	" exec_id INTEGER, container_id INTEGER, op TEXT NOT NULL, ret INTEGER NOT NULL, path TEXT,"
	" sensitive INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO file_events(proc_id,host_id,pid,start,ts,exec_id,container_id,op,ret,path,sensitive) VALUES"
	" (2,1,11,2,26,2,1,'write',0,'/tmp/x',0),"
	" (4,1,21,4,48,4,2,'write',0,'/tmp/y',0),"        /* known category: nothing */
	" (4,1,21,4,49,4,2,'create',0,'/var/data/z',0),"  /* new, not sensitive: nothing */
	" (4,1,21,4,50,4,2,'write',0,'/etc/passwd',1),"   /* new and sensitive */
	" (4,1,21,4,51,4,2,'write',-13,'/etc/shadow',1);"; /* failed: nothing */

static void test_learn_check(void **state)
{
	struct baseline bl = { 0 }, lab = { 0 };
	struct exray_ruleset rs = { 0 };
	sqlite3 *db;
	sqlite3_stmt *st;
	char err[512], *out, got[2048] = "";

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(db_exec(db, case_sql), 0);
	/* learn from container a only: b is the one that drifted */
	assert_int_equal(db_exec(db, "UPDATE containers SET image='img' WHERE container_id=1;"
				     "UPDATE containers SET image=NULL, labels=NULL WHERE container_id=2"), 0);
	assert_int_equal(baseline_learn(db, BL_IMAGE, NULL, &bl), 0);
	out = write_str(&bl);
	assert_string_equal(body(out), "[image img]\nexec /bin/ls\nexec /bin/sh\nspawn /bin/sh -> /bin/ls\n"
				       "connect 10.0.0.1/32 port 443\nwrite temp\nuser 0\n");
	free(out);
	assert_int_equal(baseline_learn(db, BL_LABEL, "app", &lab), 0);
	assert_int_equal(lab.n, 1);
	assert_string_equal(lab.w[0].key, "app");
	assert_string_equal(lab.w[0].value, "web");
	baseline_free(&lab);
	assert_int_equal(db_exec(db, "UPDATE containers SET image='img' WHERE container_id=2"), 0);

	assert_int_equal(baseline_add_rules(db, &bl, "t.baseline", &rs, err, sizeof(err)), 0);
	assert_int_equal(rs.n, 5);
	assert_true(exray_rules_run(db, &rs, err, sizeof(err)) >= 0);
	assert_int_equal(db_prepare(db, &st, "SELECT rule_id || '|' || coalesce(container_id,'-') || '|' || message"
					     " FROM alerts ORDER BY rule_id, ts"), 0);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s\n", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_string_equal(got,
		"baseline-new-destination|2|baseline: image img (container b) connected to 10.0.0.2:443, never seen in its baseline\n"
		"baseline-new-exec|2|baseline: image img (container b) ran /bin/nc, never seen in its baseline\n"
		"baseline-new-user|2|baseline: image img (container b) ran a process as uid 1000, never seen in its baseline\n"
		"baseline-new-write|2|baseline: image img (container b) wrote /etc/passwd (auth), never seen in its baseline\n");
	exray_ruleset_free(&rs);
	baseline_free(&bl);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_merge_and_model),
		cmocka_unit_test(test_load_limits),
		cmocka_unit_test(test_learn_check),
	};

	return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
