/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HTML case report on a capture built to attack it: argv, comm, paths,
 * host and cgroup names holding markup, script, quotes, bidi overrides and
 * bytes that are not UTF-8, written with the real segment writer, ingested,
 * checked with the built-in rules and rendered. The page must hold no
 * element but its own, the token process with every argument in a box of
 * its own, its alert linking to it, and its connection; caps must say what
 * they left out.
 *
 * `test_html_report --write-hostile DIR` only writes the hostile segments
 * into DIR (tests/integration/report_chromium.sh renders them in Chromium).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "segfix.h"
#include "casedb/db.h"
#include "casedb/sqlfuncs.h"
#include "detect/detect.h"
#include "ingest/ingest.h"
#include "render/report.h"
#include "casedb/sealsum.h"
#include "seal.h"

#define CID "4f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"
#define TOKEN "EXRAYTOKEN4242"

static const char *const HOSTILE_ARGV[] = {
	"/tmp/x", "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>",
	"\"'><b onmouseover=alert(3)>q", "\xe2\x80\xae" "fdp.exe", "\xff\xfe\x80", "", "two words",
	"a&amp;b", TOKEN, NULL,
};

/* The container's identity record, as the recorder reads it from the
 * runtime's state: a name, an image and a pod holding markup. */
static int container_record(struct exray_seg_writer *w, uint64_t ts)
{
	static const char kv[] = "id\0" CID "\0runtime\0docker\0name\0web<script>alert(6)</script>\0"
				 "image\0evil/\xe2\x80\xaeimg:1\0pod_name\0p\"od'\0pod_namespace\0ns\0";
	struct { struct exray_container c; char kv[sizeof(kv) + 8]; } rec = { 0 };

	rec.c.hdr = (struct exray_rec_hdr){ EXRAY_REC_CONTAINER, 0, sizeof(rec), ts };
	rec.c.cgroup_id = 1001;
	rec.c.kv_len = sizeof(kv);
	memcpy(rec.kv, kv, sizeof(kv));
	return exray_seg_append(w, &rec, sizeof(rec));
}

/* The hostile capture: a container whose init forks the token process,
 * which runs a hostile argv from /tmp and connects to 203.0.113.66:4444;
 * a host process in a cgroup with markup in its path; one kernel loss. */
static int write_hostile(const char *dir)
{
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_task init, tok, hp;
	const uint64_t t0 = 1000000000;
	static const char *const SH[] = { "sh", "-c", "run", NULL };
	static const char *const HOSTARGV[] = { "/usr/bin/agent", "--name=\x1b[31mred\nnext", "\xe2\x81\xa6iso", NULL };
	int err = 0;

	segfix_header(&h, "evil<b>host", 3, 4, 0);
	if (!(w = segfix_open(dir, "hostile-000000.exray.zst", &h)))
		return -1;
	init = segfix_task(100, 1, t0, 1, 1001);
	tok = segfix_task(4242, 100, t0 + 5000000, t0, 1001);
	hp = segfix_task(50, 1, t0 - 1000, 1, 1002);
	tok.uid = tok.euid = 0;
	strcpy(tok.comm, "<i>x</i>");
	strcpy(hp.comm, "\xe2\x80\xae" "gent");
	err |= segfix_cgroup(w, t0, 1001, "/system.slice/docker-" CID ".scope");
	err |= segfix_cgroup(w, t0, 1002, "/user.slice/<img src=x onerror=alert(5)>");
	err |= container_record(w, t0);
	err |= segfix_exec(w, EXRAY_REC_SNAPSHOT, t0, &hp, 0, "/usr/bin/agent", HOSTARGV);
	err |= segfix_exec(w, EXRAY_REC_SNAPSHOT, t0 + 1000, &init, 0, "/bin/sh", SH);
	err |= segfix_fork(w, t0 + 5000000, &tok);
	err |= segfix_exec(w, EXRAY_REC_EXEC, t0 + 6000000, &tok, 0, "/tmp/x<svg onload=alert(4)>", HOSTILE_ARGV);
	struct exray_file fe = { .hdr.ts = t0 + 6500000, .task = tok, .op = EXRAY_FILE_RENAME };
	err |= segfix_file(w, &fe, "/tmp/<script>alert(7)</script>", "/etc/\xe2\x80\xaepasswd");
	err |= segfix_connect(w, t0 + 7000000, &tok, 77, "203.0.113.66", 4444);
	err |= segfix_result(w, t0 + 7100000, 77, 40000, 1);
	err |= segfix_loss(w, t0 + 8000000, EXRAY_REC_EXEC, 0, 3);
	err |= segfix_exit(w, t0 + 9000000, &tok, 9); /* killed by SIGKILL */
	if (exray_seg_writer_close(w, 1700000000000000000LL))
		err = -1;
	return err ? -1 : 0;
}

static char dir[64];

/* The hostile case in an in-memory database, rules run. */
static sqlite3 *hostile_db(void)
{
	struct exray_ruleset rules = { 0 };
	struct ingest *in;
	sqlite3 *db;
	char msg[256], path[128];

	strcpy(dir, "/tmp/exray-htmlrep-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(write_hostile(dir), 0);
	snprintf(path, sizeof(path), "%s/hostile-000000.exray.zst", dir);
	assert_int_equal(db_add_hook(exray_sqlfuncs_register), 0);
	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	assert_int_equal(ingest_file(in, path, msg, sizeof(msg)), 0);
	int ierr = ingest_finish(in);
	if (ierr)
		fail_msg("ingest_finish: %d: %s", ierr, db_error());
	ingest_free(in);
	assert_int_equal(exray_rules_add_builtin(&rules, msg, sizeof(msg)), 0);
	assert_true(exray_rules_run(db, &rules, msg, sizeof(msg)) > 0);
	exray_ruleset_free(&rules);
	unlink(path);
	rmdir(dir);
	return db;
}

static int has_activity(sqlite3 *db)
{
	sqlite3_stmt *st;
	int yes = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'v_activity'", -1, &st, NULL) == SQLITE_OK) {
		yes = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return yes;
}

static char *render(sqlite3 *db, const struct report_caps *caps)
{
	struct report_opts o = { .dbpath = "case.db", .since = INT64_MIN, .until = INT64_MAX,
				 .command = "exray report -o x.html", .caps = *caps };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	int err = report_write(db, &o, f);
	if (err)
		fail_msg("report_write: %d: %s", err, db_error());
	fclose(f);
	return buf;
}

/* Every tag in the page is one the report writes, with no event handler
 * attribute: no recorded string opened an element. */
static void assert_only_own_markup(const char *html)
{
	static const char *const own[] = {
		"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
		"p", "nav", "a", "section", "div", "table", "caption", "thead", "tbody", "tr", "th", "td",
		"ul", "li", "b", "i", "code", "pre", "span", "time", "details", "summary", "input", "label",
		"svg", "g", "rect", "line", "text", "title", "footer", NULL,
	};
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		const char *name = p[1] == '/' ? p + 2 : p + 1;
		size_t n = strcspn(name, " >/\n"), k;
		for (k = 0; own[k]; k++)
			if (strlen(own[k]) == n && !strncmp(name, own[k], n))
				break;
		if (!own[k])
			fail_msg("foreign element at: %.60s", p);
		const char *end = strchr(p, '>');
		assert_non_null(end);
		for (const char *q = p; q < end; q++)
			if (q[0] == ' ' && (q[1] == 'o' || q[1] == 'O') && (q[2] == 'n' || q[2] == 'N'))
				fail_msg("event handler attribute at: %.60s", p);
	}
}

static void test_hostile(void **state)
{
	sqlite3 *db = hostile_db();
	char *html = render(db, &report_default_caps), *tok, *id;

	assert_only_own_markup(html);
	assert_null(strstr(html, "\xe2\x80\xae"));        /* no bidi override survives */
	assert_null(strstr(html, "\xff"));                /* no invalid byte either */
	assert_null(strstr(html, "\x1b"));
	assert_non_null(strstr(html, "default-src 'none'"));
	/* every argument in its own box, escaped */
	assert_non_null(strstr(html, "<span class=\"a\">&lt;img src=x onerror=alert(1)&gt;</span>"));
	assert_non_null(strstr(html, "<span class=\"a\">&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</span>"));
	assert_non_null(strstr(html, "<span class=\"a\">&quot;&#39;&gt;&lt;b onmouseover=alert(3)&gt;q</span>"));
	assert_non_null(strstr(html, "<span class=\"a\"><span class=\"x\">\\u{202e}</span>fdp.exe</span>"));
	assert_non_null(strstr(html, "<span class=\"a\"><span class=\"x\">\\xff</span><span class=\"x\">\\xfe</span>"
				     "<span class=\"x\">\\x80</span></span>"));
	assert_non_null(strstr(html, "<span class=\"a e\"></span>"));
	assert_non_null(strstr(html, "<span class=\"a\">two words</span>"));
	assert_non_null(strstr(html, "<span class=\"a\">a&amp;amp;b</span>"));
	/* the token process, its alert linking to it, its connection */
	assert_non_null(tok = strstr(html, "<span class=\"a\">" TOKEN "</span>"));
	id = strstr(html, "<details class=\"p hot\" id=\"p");
	assert_non_null(id);
	char anchor[48];
	snprintf(anchor, sizeof(anchor), "href=\"#p%lld\"", atoll(id + strlen("<details class=\"p hot\" id=\"p")));
	assert_non_null(strstr(html, anchor));
	assert_non_null(strstr(html, "exec-from-temp"));
	assert_non_null(strstr(html, "203.0.113.66:4444"));
	assert_non_null(strstr(html, "killed by signal 9"));
	/* completeness stated: the loss */
	assert_non_null(strstr(html, "Incomplete"));
	assert_non_null(strstr(html, "3 events the kernel could not queue"));
	/* its segments are unsealed: the verdict says so, the table shows it */
	assert_non_null(strstr(html, "<div class=\"verdict bad\"><p><b>Not sealed:"));
	assert_non_null(strstr(html, ">unsealed<"));
	/* its file activity, once ingest loads the 1.2 families */
	if (has_activity(db)) {
		assert_non_null(strstr(html, "/tmp/&lt;script&gt;alert(7)&lt;/script&gt;"));
		assert_non_null(strstr(html, "/etc/<span class=\"x\">\\u{202e}</span>passwd"));
		assert_non_null(strstr(html, "File and other activity in scope"));
	}
	/* the container's identity, escaped */
	assert_non_null(strstr(html, "web&lt;script&gt;alert(6)&lt;/script&gt;"));
	assert_non_null(strstr(html, "image evil/<span class=\"x\">\\u{202e}</span>img:1"));
	assert_non_null(strstr(html, "pod ns/p&quot;od&#39;"));
	free(html);
	db_close(db);
}

/* A sealed segment ingested with its key, with another key and without
 * one: ingest records the verdict per segment (segments.seal_*), and the
 * report states it before its table, with `want` in the page. */
static void seal_verdict(const char *path, const __u8 *key, const char *headline,
			 const char *want, struct seal_summary *sum)
{
	struct exray_seal_verifier *v = NULL;
	struct ingest *in;
	sqlite3 *db;
	char msg[256], *html;

	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	if (key) {
		assert_int_equal(exray_seal_verifier_new(&v, key), 0);
		ingest_set_keys(in, &v, 1);
	}
	assert_int_equal(ingest_file(in, path, msg, sizeof(msg)), 0);
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);
	exray_seal_verifier_free(v);
	assert_int_equal(seal_summary_read(db, sum), 0);
	assert_true(sum->recorded);
	assert_int_equal(sum->segments, 1);
	html = render(db, &report_default_caps);
	assert_only_own_markup(html);
	if (!strstr(html, headline) || !strstr(html, want))
		fail_msg("no '%s' or no '%s' in the page", headline, want);
	free(html);
	db_close(db);
}

static void test_seal_verdicts(void **state)
{
	static const __u8 key[EXRAY_SEAL_KEY_BYTES] = { 1, 2, 3 }, other[EXRAY_SEAL_KEY_BYTES] = { 9 };
	struct exray_seg_writer_opts o = { 0 };
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct exray_sealer *s;
	struct seal_summary sum;
	char path[128], fp[2 * EXRAY_SEAL_FP_BYTES + 1];
	int dfd;

	strcpy(dir, "/tmp/exray-htmlseal-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(exray_sealer_from_key(&s, key), 0);
	exray_seal_hex(exray_sealer_fp(s), EXRAY_SEAL_FP_BYTES, fp);
	o.sealer = s;
	segfix_header(&h, "sealed", 1, 2, 0);
	assert_true((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(exray_seg_writer_open(&w, dfd, "s-000000.exray.zst", &h, &o), 0);
	close(dfd);
	for (uint32_t pid = 100; pid < 140; pid++) {
		struct exray_task t = segfix_task(pid, 1, pid * 10, 5, 7);

		assert_int_equal(segfix_fork(w, pid * 1000, &t), 0);
		if (pid % 10 == 0)
			assert_int_equal(exray_seg_flush(w), 0);
	}
	assert_int_equal(exray_seg_writer_close(w, 1), 0);
	exray_sealer_free(s);
	snprintf(path, sizeof(path), "%s/s-000000.exray.zst", dir);

	/* with its key: verified, by that key */
	seal_verdict(path, key, "<div class=\"verdict ok\"><p><b>Verified:", fp, &sum);
	assert_int_equal(sum.verified, 1);
	assert_int_equal(sum.n_keys, 1);
	assert_string_equal(sum.keys[0], fp);
	/* with another key: failed, and the page leads with it */
	seal_verdict(path, other, "<div class=\"verdict bad\"><p><b>Seals FAILED:", "wrong key", &sum);
	assert_int_equal(sum.failed, 1);
	/* without a key: sealed, not checked */
	seal_verdict(path, NULL, "<div class=\"verdict bad\"><p><b>Sealed, not verified:",
		     "exray ingest --key KEY", &sum);
	assert_int_equal(sum.unchecked, 1);
	assert_int_equal(sum.n_keys, 0);
	unlink(path);
	rmdir(dir);
}

/* Caps: one alert listed, none beyond, one process per container: the
 * page says what it left out and still lists the alert's process. */
static void test_caps(void **state)
{
	sqlite3 *db = hostile_db();
	struct report_caps caps = report_default_caps;
	char *html;

	caps.alerts_shown = caps.alerts_listed = 1;
	caps.procs_per_group = 0;
	html = render(db, &caps);
	assert_only_own_markup(html);
	assert_non_null(strstr(html, "more alerts not listed here"));
	assert_non_null(strstr(html, "more processes at the top of this tree"));
	assert_non_null(strstr(html, "exray sql -d case.db"));
	free(html);
	db_close(db);
}

/* A 3,000-level chain of processes: every one listed, nesting capped
 * (deeper levels follow flat, with their depth), nothing lost. */
static void test_deep_chain(void **state)
{
	struct exray_seg_header h;
	struct exray_seg_writer *w;
	struct report_caps caps = report_default_caps;
	struct ingest *in;
	sqlite3 *db;
	char msg[256], path[128], *html;
	const int n = 3000;

	strcpy(dir, "/tmp/exray-htmldeep-XXXXXX");
	assert_non_null(mkdtemp(dir));
	segfix_header(&h, "deep", 5, 6, 0);
	assert_non_null(w = segfix_open(dir, "deep.exray.zst", &h));
	for (int i = 0; i < n; i++) {
		struct exray_task t = segfix_task(1000 + i, 999 + i, 1000 + i, 999 + i, 1);
		assert_int_equal(segfix_fork(w, 1000 + i, &t), 0);
	}
	assert_int_equal(exray_seg_writer_close(w, 1700000000000000000LL), 0);
	snprintf(path, sizeof(path), "%s/deep.exray.zst", dir);
	assert_int_equal(db_add_hook(exray_sqlfuncs_register), 0);
	assert_int_equal(db_open(&db, ":memory:", DB_OPEN_CREATE), 0);
	assert_int_equal(ingest_begin(&in, db, NULL), 0);
	assert_int_equal(ingest_file(in, path, msg, sizeof(msg)), 0);
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);
	unlink(path);
	rmdir(dir);
	caps.procs_per_group = caps.procs_total = 10000;
	html = render(db, &caps);
	assert_only_own_markup(html);
	int depth = 0, max = 0, listed = 0;
	for (const char *p = html; (p = strstr(p, "details")); p += 7) {
		if (p[-1] == '<' && !strncmp(p + 7, " class=\"p", 9))
			listed++;
		if (p[-1] == '<' && ++depth > max)
			max = depth;
		else if (p[-1] == '/')
			depth--;
	}
	assert_int_equal(depth, 0);
	assert_int_equal(listed, n);
	assert_true(max <= 30);
	assert_non_null(strstr(html, "depth 2999"));
	free(html);
	db_close(db);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-hostile")) {
		if (write_hostile(argv[2])) {
			fprintf(stderr, "test_html_report: cannot write segments into %s\n", argv[2]);
			return 1;
		}
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_seal_verdicts),
		cmocka_unit_test(test_deep_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
