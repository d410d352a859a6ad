/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "casedb/db.h"
#include "detect/detect.h"
#include "casedb/embedded.h"

void exray_rule_free(struct exray_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->severity);
	free(r->description);
	free(r->technique);
	free(r->sql);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

static char *strndup_trim(const char *b, const char *e)
{
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return strndup(b, (size_t)(e - b));
}

int exray_rule_parse(struct exray_rule *r, const char *source, const char *text,
		     char *err, size_t errlen)
{
	const char *line = text;

	memset(r, 0, sizeof(*r));
	while (*line) {
		const char *nl = strchr(line, '\n'), *e = nl ? nl : line + strlen(line), *c = line, *colon;
		char **slot = NULL;

		while (c < e && (*c == ' ' || *c == '\t'))
			c++;
		if (c == e || *c == '\r') {
			line = nl ? nl + 1 : e;
			continue;
		}
		if (e - c < 2 || c[0] != '-' || c[1] != '-')
			break; /* end of the header block */
		c += 2;
		colon = memchr(c, ':', (size_t)(e - c));
		if (colon) {
			const char *k = c;
			while (k < colon && (*k == ' ' || *k == '\t'))
				k++;
			if (colon - k == 2 && !memcmp(k, "id", 2))
				slot = &r->id;
			else if (colon - k == 8 && !memcmp(k, "severity", 8))
				slot = &r->severity;
			else if (colon - k == 11 && !memcmp(k, "description", 11))
				slot = &r->description;
			else if (colon - k == 9 && !memcmp(k, "technique", 9))
				slot = &r->technique;
			if (slot && !*slot && !(*slot = strndup_trim(colon + 1, e)))
				goto nomem;
		}
		line = nl ? nl + 1 : e;
	}
	if (!r->id || !*r->id || !r->severity || !r->description) {
		snprintf(err, errlen, "%s: rule header lacks '-- %s:'", source,
			 !r->id || !*r->id ? "id" : !r->severity ? "severity" : "description");
		exray_rule_free(r);
		return -EINVAL;
	}
	for (const char *c = r->id; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
			snprintf(err, errlen, "%s: rule id may hold only a-z, 0-9, '-' and '_'", source);
			exray_rule_free(r);
			return -EINVAL;
		}
	}
	if (strcmp(r->severity, "low") && strcmp(r->severity, "medium") && strcmp(r->severity, "high") &&
	    strcmp(r->severity, "critical")) {
		snprintf(err, errlen, "%s: severity must be low, medium, high or critical", source);
		exray_rule_free(r);
		return -EINVAL;
	}
	if (!(r->sql = strdup(text)) || !(r->source = strdup(source)))
		goto nomem;
	return 0;
nomem:
	exray_rule_free(r);
	snprintf(err, errlen, "%s: out of memory", source);
	return -ENOMEM;
}

static int ruleset_add(struct exray_ruleset *rs, struct exray_rule *r)
{
	struct exray_rule *nv;

	for (size_t i = 0; i < rs->n; i++) {
		if (!strcmp(rs->v[i].id, r->id)) {
			exray_rule_free(&rs->v[i]);
			rs->v[i] = *r;
			return 0;
		}
	}
	if (!(nv = realloc(rs->v, (rs->n + 1) * sizeof(*nv))))
		return -ENOMEM;
	rs->v = nv;
	rs->v[rs->n++] = *r;
	return 0;
}

void exray_ruleset_free(struct exray_ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		exray_rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

int exray_rules_add_builtin(struct exray_ruleset *rs, char *err, size_t errlen)
{
	static const char prefix[] = "analyzer/rules/";

	for (const struct exray_embedded *e = exray_embedded_files; e->path; e++) {
		struct exray_rule r;
		char source[256];
		size_t n = strlen(e->path);
		int ret;
		if (strncmp(e->path, prefix, sizeof(prefix) - 1) || n < 4 || strcmp(e->path + n - 4, ".sql"))
			continue;
		if (e->path[sizeof(prefix) - 1] == '_')
			continue; /* shared definitions, not a rule: see run_definitions() */
		snprintf(source, sizeof(source), "builtin:%s", e->path);
		if ((ret = exray_rule_parse(&r, source, e->data, err, errlen)))
			return ret;
		if ((ret = ruleset_add(rs, &r))) {
			exray_rule_free(&r);
			return ret;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int exray_rules_add_dir(struct exray_ruleset *rs, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open rules directory: %s", dir, strerror(-ret));
		return ret;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nn;
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") || de->d_name[0] == '.' || de->d_name[0] == '_')
			continue;
		if (!(nn = realloc(names, (n + 1) * sizeof(*nn))) || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		names = nn;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++) {
		char path[4096];
		FILE *f;
		char *text = NULL;
		size_t len = 0;
		struct exray_rule r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!(f = fopen(path, "r"))) {
			ret = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
			break;
		}
		{
			FILE *m = open_memstream(&text, &len);
			char buf[8192];
			size_t got;
			while (m && (got = fread(buf, 1, sizeof(buf), f)) > 0)
				fwrite(buf, 1, got, m);
			if (ferror(f))
				ret = -EIO;
			if (m)
				fclose(m);
			else
				ret = -ENOMEM;
		}
		fclose(f);
		if (ret) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
			free(text);
			break;
		}
		if (strlen(text) != len) {
			snprintf(err, errlen, "%s: NUL byte in rule file", path);
			free(text);
			ret = -EINVAL;
			break;
		}
		ret = exray_rule_parse(&r, path, text, err, errlen);
		free(text);
		if (!ret && (ret = ruleset_add(rs, &r)))
			exray_rule_free(&r);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/*
 * path_norm(PATH [, CWD]): PATH made absolute against CWD when relative
 * (and CWD is known) and normalised lexically: empty and "." components
 * dropped, ".." taking the previous one away (never above "/"). So
 * `./x` run in /tmp, `//tmp/x` and `/usr/../tmp/x` all compare as /tmp/x.
 * Rules use it where the recorder gave no resolved image (execs.exe, which
 * also resolves symlinks); a relative PATH without CWD stays relative.
 * NULL in, NULL out.
 */
/* Whether an absolute path is already in path_norm's form: no empty, "."
 * or ".." component and no trailing '/' (but "/" itself). Most recorded
 * images are: path_norm returns them as they are, without copying. */
static int path_is_normal(const char *p)
{
	if (p[0] != '/')
		return 0;
	if (!p[1])
		return 1;
	for (const char *c = p; *c;) {
		/* c is at a '/': look at the component after it */
		const char *next = strchr(c + 1, '/');
		size_t len = next ? (size_t)(next - c - 1) : strlen(c + 1);
		if (!len || (len == 1 && c[1] == '.') || (len == 2 && c[1] == '.' && c[2] == '.'))
			return 0;
		if (!next)
			break;
		c = next;
	}
	return 1;
}

char *exray_path_norm(const char *path, const char *cwd)
{
	size_t lp = strlen(path), lc = cwd ? strlen(cwd) : 0, nc = 0, n = 0;
	char *buf = malloc(lp + lc + 2), *out = NULL, *tok, *save = NULL;
	char **comp = NULL;
	int absolute;

	if (!buf)
		return NULL;
	if (path[0] != '/' && cwd) {
		memcpy(buf, cwd, lc);
		buf[lc] = '/';
		memcpy(buf + lc + 1, path, lp + 1);
	} else {
		memcpy(buf, path, lp + 1);
	}
	absolute = buf[0] == '/';
	/* at most one component per two bytes; the output is never longer */
	if (!(comp = malloc((strlen(buf) / 2 + 2) * sizeof(*comp))) || !(out = malloc(strlen(buf) + 2)))
		goto done;
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && nc > 0 && strcmp(comp[nc - 1], ".."))
			nc--;
		else if (!strcmp(tok, "..") && absolute)
			continue; /* /.. is / */
		else
			comp[nc++] = tok;
	}
	for (size_t i = 0; i < nc; i++) {
		size_t len = strlen(comp[i]);
		if (absolute || i)
			out[n++] = '/';
		memcpy(out + n, comp[i], len);
		n += len;
	}
	out[n] = 0;
	if (!n)
		strcpy(out, absolute ? "/" : ".");
done:
	free(comp);
	free(buf);
	return out;
}

void exray_fn_path_norm(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p = (const char *)sqlite3_value_text(argv[0]);
	const char *cwd = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
	char *r;

	if (!p) {
		sqlite3_result_null(ctx);
		return;
	}
	if (path_is_normal(p)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if (!(r = exray_path_norm(p, cwd && *cwd ? cwd : NULL))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, r, -1, free);
}

const char exray_run_alerts_sql[] =
	"SELECT a.rule_id, a.severity,"
	" wall_time(a.ts, h.boot_to_wall_ns, 3) AS time,"
	" a.ts, h.hostname AS host, COALESCE(c.short_id, 'host') AS container,"
	" a.pid, a.start, a.exec_id, a.conn_id,"
	" COALESCE(e.filename, pe.filename) AS filename, COALESCE(e.argv, pe.argv) AS argv,"
	" COALESCE(k.daddr, sy.daddr) AS daddr, COALESCE(k.dport, sy.dport) AS dport, a.message, a.alert_id,"
	" c.name AS container_name, c.image AS container_image"
	" FROM temp.run_alerts r"
	" JOIN alerts a ON a.alert_id = r.alert_id"
	" LEFT JOIN hosts h ON h.host_id = a.host_id"
	" LEFT JOIN containers c ON c.container_id = a.container_id"
	" LEFT JOIN connections k ON k.conn_id = a.conn_id"
	/* a key 's<syn_id>' names a packet SYN (raw-socket-syn): its destination */
	" LEFT JOIN syns sy ON a.conn_id IS NULL AND a.key GLOB 's[0-9]*'"
	"  AND sy.syn_id = CAST(substr(a.key, 2) AS INTEGER) AND sy.host_id = a.host_id"
	" LEFT JOIN execs e ON e.exec_id = COALESCE(a.exec_id, k.exec_id)"
	" LEFT JOIN processes p ON p.proc_id = a.proc_id"
	" LEFT JOIN execs pe ON pe.exec_id = p.exec_id"
	" ORDER BY a.ts, a.rule_id, a.alert_id";
