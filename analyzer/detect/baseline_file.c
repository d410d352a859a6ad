/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Baseline files: parse (FILE:LINE:COL errors), write, merge (baseline.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "detect/baseline.h"
#include "text/escape.h"

static const char *const kind_names[] = { [BL_IMAGE] = "image", [BL_NAME] = "name", [BL_LABEL] = "label" };
static const char *const type_names[] = { [BL_EXEC] = "exec", [BL_SPAWN] = "spawn",
					  [BL_CONNECT] = "connect", [BL_WRITE] = "write",
					  [BL_USER] = "user" };

const char *baseline_kind_name(enum bl_kind kind)
{
	return kind_names[kind];
}

/* ------------------------------------------------------------- the model */

static int streq0(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

struct bl_workload *baseline_workload(struct baseline *bl, enum bl_kind kind, const char *key,
				      const char *value)
{
	struct bl_workload *w;

	for (size_t i = 0; i < bl->n; i++)
		if (bl->w[i].kind == kind && streq0(bl->w[i].key, key) && !strcmp(bl->w[i].value, value))
			return &bl->w[i];
	if (bl->n == bl->cap) {
		size_t cap = bl->cap ? bl->cap * 2 : 8;
		void *nw = realloc(bl->w, cap * sizeof(*bl->w));
		if (!nw)
			return NULL;
		bl->w = nw;
		bl->cap = cap;
	}
	w = &bl->w[bl->n];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	if (!(w->value = strdup(value)) || (key && !(w->key = strdup(key)))) {
		free(w->value);
		free(w->key);
		return NULL;
	}
	bl->n++;
	return w;
}

int baseline_add(struct bl_workload *w, enum bl_type type, const char *a, const char *b,
		 unsigned lo, unsigned hi)
{
	struct bl_item *it;

	for (size_t i = 0; i < w->n; i++) {
		it = &w->items[i];
		if (it->type == type && streq0(it->a, a) && streq0(it->b, b) && it->lo == lo && it->hi == hi)
			return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		void *ni = realloc(w->items, cap * sizeof(*w->items));
		if (!ni)
			return -ENOMEM;
		w->items = ni;
		w->cap = cap;
	}
	it = &w->items[w->n];
	*it = (struct bl_item){ .type = type, .lo = lo, .hi = hi };
	if ((a && !(it->a = strdup(a))) || (b && !(it->b = strdup(b)))) {
		free(it->a);
		return -ENOMEM;
	}
	w->n++;
	return 0;
}

int baseline_merge(struct baseline *dst, const struct baseline *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct bl_workload *s = &src->w[i];
		struct bl_workload *d = baseline_workload(dst, s->kind, s->key, s->value);

		if (!d)
			return -ENOMEM;
		for (size_t k = 0; k < s->n; k++)
			if (baseline_add(d, s->items[k].type, s->items[k].a, s->items[k].b, s->items[k].lo,
					 s->items[k].hi))
				return -ENOMEM;
	}
	return 0;
}

void baseline_free(struct baseline *bl)
{
	for (size_t i = 0; i < bl->n; i++) {
		for (size_t k = 0; k < bl->w[i].n; k++) {
			free(bl->w[i].items[k].a);
			free(bl->w[i].items[k].b);
		}
		free(bl->w[i].items);
		free(bl->w[i].key);
		free(bl->w[i].value);
	}
	free(bl->w);
	memset(bl, 0, sizeof(*bl));
}

/* ------------------------------------------------------------- parsing */

struct lexer {
	const char *name, *p, *end, *line_start;
	unsigned line;
	char *err;
	size_t errlen;
	char tok[BL_MAX_TOKEN + 1];
	size_t toklen;
};

/* "NAME:LINE:COL: what"; the name is escaped here, recorded or typed
 * text quoted in what by esc(). */
static int fail(struct lexer *lx, const char *at, const char *fmt, ...)
{
	char msg[512], name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	term_escape(name, sizeof(name), lx->name, strlen(lx->name));
	snprintf(lx->err, lx->errlen, "%s:%u:%u: %s", name, lx->line,
		 (unsigned)(at - lx->line_start) + 1, msg);
	return -EINVAL;
}

/* Text from the file, escaped and cut for a message. */
static const char *esc(struct lexer *lx, const char *s)
{
	static char buf[64];
	size_t n = strlen(s);

	term_escape(buf, sizeof(buf), s, n < 40 ? n : 40);
	return buf;
}

static void skip_blanks(struct lexer *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r'))
		lx->p++;
}

static bool at_eol(struct lexer *lx)
{
	skip_blanks(lx);
	return lx->p >= lx->end || *lx->p == '\n' || *lx->p == '#';
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A bare char: printable ASCII, not a quote, '#', '[' or ']' (and not ']'
 * inside a header, where it ends the header). */
static bool bare_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '#' && c != '[' && c != ']' && c != '\\';
}

/* Next token into lx->tok (NUL-terminated, NULs refused). stop: an extra
 * char that ends a bare token. */
static int token(struct lexer *lx, const char *what)
{
	const char *start;

	skip_blanks(lx);
	start = lx->p;
	lx->toklen = 0;
	if (lx->p >= lx->end || *lx->p == '\n' || *lx->p == '#')
		return fail(lx, start, "%s expected", what);
	if (*lx->p == '"') {
		lx->p++;
		for (;;) {
			const char *cstart = lx->p; /* where this char or escape starts */
			char c;
			if (lx->p >= lx->end || *lx->p == '\n')
				return fail(lx, start, "unterminated quoted %s", what);
			c = *lx->p++;
			if (c == '"')
				break;
			if (c == '\\') {
				if (lx->p >= lx->end)
					return fail(lx, lx->p, "escape at end of file");
				c = *lx->p++;
				if (c == 'x') {
					int h, l;
					if (lx->end - lx->p < 2 || (h = hexv(lx->p[0])) < 0 || (l = hexv(lx->p[1])) < 0)
						return fail(lx, cstart, "\\x needs two hex digits");
					c = (char)(h << 4 | l);
					lx->p += 2;
				} else if (c == 'n') {
					c = '\n';
				} else if (c == 't') {
					c = '\t';
				} else if (c != '"' && c != '\\') {
					return fail(lx, cstart, "unknown escape \\%c (\\\" \\\\ \\n \\t \\xHH)",
						    bare_char((unsigned char)c) ? c : '?');
				}
			}
			if (!c)
				return fail(lx, cstart, "NUL byte in %s", what);
			if (lx->toklen == BL_MAX_TOKEN)
				return fail(lx, start, "%s longer than %u bytes", what, BL_MAX_TOKEN);
			lx->tok[lx->toklen++] = c;
		}
		if (lx->p < lx->end && !(*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
					 *lx->p == '\n' || *lx->p == '#' || *lx->p == ']'))
			return fail(lx, lx->p, "a space must follow the quoted %s", what);
	} else {
		while (lx->p < lx->end && bare_char((unsigned char)*lx->p)) {
			if (lx->toklen == BL_MAX_TOKEN)
				return fail(lx, start, "%s longer than %u bytes", what, BL_MAX_TOKEN);
			lx->tok[lx->toklen++] = *lx->p++;
		}
		if (!lx->toklen)
			return fail(lx, start, "%s expected (quote it if it holds spaces or '#')", what);
		if (lx->p < lx->end && !(*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
					 *lx->p == '\n' || *lx->p == '#' || *lx->p == ']'))
			return fail(lx, lx->p, "unexpected character in %s (quote it)", what);
	}
	lx->tok[lx->toklen] = 0;
	return 0;
}

static int number(struct lexer *lx, const char *s, const char *at, unsigned long max, unsigned *out,
		  const char *what)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return fail(lx, at, "%s: a number expected", what);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return fail(lx, at, "%s: a number from 0 to %lu expected", what, max);
	*out = (unsigned)v;
	return 0;
}

/* "ADDR/LEN" (or ADDR: a host) into a normalised "NET/LEN". */
static int cidr(struct lexer *lx, const char *at, char *out, size_t outlen)
{
	char addr[64], *slash;
	unsigned char b[16];
	unsigned len, max;
	int fam;

	if (strlen(lx->tok) >= sizeof(addr))
		return fail(lx, at, "bad address");
	strcpy(addr, lx->tok);
	slash = strchr(addr, '/');
	if (slash)
		*slash = 0;
	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = fam == AF_INET6 ? 128 : 32;
	if (inet_pton(fam, addr, b) != 1)
		return fail(lx, at, "bad %s address '%s'", fam == AF_INET6 ? "IPv6" : "IPv4", esc(lx, addr));
	len = max;
	if (slash && number(lx, slash + 1, at + (slash + 1 - addr), max, &len, "prefix length"))
		return -EINVAL;
	for (unsigned i = 0; i < max / 8; i++) /* host bits off: one form per network */
		b[i] &= i * 8 + 8 <= len ? 0xff : i * 8 >= len ? 0 : (unsigned char)(0xff << (8 - len % 8));
	inet_ntop(fam, b, addr, sizeof(addr));
	snprintf(out, outlen, "%s/%u", addr, len);
	return 0;
}

static int parse_header(struct lexer *lx, struct baseline *bl, struct bl_workload **cur)
{
	const char *at;
	enum bl_kind kind;
	char *eq;

	lx->p++; /* '[' */
	if (token(lx, "workload kind (image, name or label)"))
		return -EINVAL;
	at = lx->p - lx->toklen;
	if (!strcmp(lx->tok, "image"))
		kind = BL_IMAGE;
	else if (!strcmp(lx->tok, "name"))
		kind = BL_NAME;
	else if (!strcmp(lx->tok, "label"))
		kind = BL_LABEL;
	else
		return fail(lx, at, "unknown workload kind (image, name or label)");
	at = (skip_blanks(lx), lx->p);
	if (token(lx, kind == BL_LABEL ? "KEY=VALUE" : "value"))
		return -EINVAL;
	eq = kind == BL_LABEL ? strchr(lx->tok, '=') : NULL;
	if (kind == BL_LABEL && (!eq || eq == lx->tok))
		return fail(lx, at, "label workload: KEY=VALUE expected");
	if (eq)
		*eq = 0;
	skip_blanks(lx);
	if (lx->p >= lx->end || *lx->p != ']')
		return fail(lx, lx->p, "']' expected");
	lx->p++;
	if (!at_eol(lx))
		return fail(lx, lx->p, "nothing may follow ']' but a comment");
	*cur = baseline_workload(bl, kind, eq ? lx->tok : NULL, eq ? eq + 1 : lx->tok);
	return *cur ? 0 : -ENOMEM;
}

static int parse_item(struct lexer *lx, struct bl_workload *w)
{
	const char *at = lx->p;
	char a[BL_MAX_TOKEN + 1], net[80];
	unsigned lo = 0, hi = 0;
	enum bl_type type;
	size_t t;

	if (token(lx, "item"))
		return -EINVAL;
	for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
		if (!strcmp(lx->tok, type_names[t]))
			break;
	if (t == sizeof(type_names) / sizeof(type_names[0]))
		return fail(lx, at, "unknown item '%s' (exec, spawn, connect, write or user)",
			    esc(lx, lx->tok));
	type = (enum bl_type)t;
	if (!w)
		return fail(lx, at, "item before any [image|name|label ...] header");
	at = (skip_blanks(lx), lx->p);
	switch (type) {
	case BL_EXEC:
	case BL_WRITE:
		if (token(lx, type == BL_EXEC ? "path" : "category"))
			return -EINVAL;
		if (baseline_add(w, type, lx->tok, NULL, 0, 0))
			return -ENOMEM;
		break;
	case BL_SPAWN:
		if (token(lx, "parent path"))
			return -EINVAL;
		memcpy(a, lx->tok, lx->toklen + 1);
		at = (skip_blanks(lx), lx->p);
		if (token(lx, "'->'") || strcmp(lx->tok, "->"))
			return fail(lx, at, "'->' expected between parent and child");
		if (token(lx, "child path"))
			return -EINVAL;
		if (baseline_add(w, type, a, lx->tok, 0, 0))
			return -ENOMEM;
		break;
	case BL_CONNECT:
		if (token(lx, "CIDR") || cidr(lx, at, net, sizeof(net)))
			return -EINVAL;
		at = (skip_blanks(lx), lx->p);
		if (token(lx, "'port'") || strcmp(lx->tok, "port"))
			return fail(lx, at, "'port N', 'port N-M' or 'port any' expected");
		at = (skip_blanks(lx), lx->p);
		if (token(lx, "port"))
			return -EINVAL;
		if (!strcmp(lx->tok, "any")) {
			lo = 0, hi = 65535;
		} else {
			char *dash = strchr(lx->tok, '-');
			if (dash)
				*dash = 0;
			if (number(lx, lx->tok, at, 65535, &lo, "port") ||
			    (dash && number(lx, dash + 1, at + (dash + 1 - lx->tok), 65535, &hi, "port")))
				return -EINVAL;
			if (!dash)
				hi = lo;
			if (hi < lo)
				return fail(lx, at, "port range %u-%u runs backwards", lo, hi);
		}
		if (baseline_add(w, type, net, NULL, lo, hi))
			return -ENOMEM;
		break;
	case BL_USER:
		if (token(lx, "uid") || number(lx, lx->tok, at, 4294967294ul, &lo, "uid"))
			return -EINVAL;
		if (baseline_add(w, type, NULL, NULL, lo, 0))
			return -ENOMEM;
		break;
	}
	if (!at_eol(lx))
		return fail(lx, lx->p, "unexpected text after the %s item", type_names[type]);
	return 0;
}

int baseline_parse(struct baseline *bl, const char *name, const char *text, size_t len,
		   char *err, size_t errlen)
{
	struct lexer *lx = calloc(1, sizeof(*lx));
	struct bl_workload *cur = NULL;
	int r = 0;

	if (!lx)
		return -ENOMEM;
	*lx = (struct lexer){ .name = name, .p = text, .end = text + len, .line_start = text,
			      .line = 1, .err = err, .errlen = errlen };
	while (!r && lx->p < lx->end) {
		skip_blanks(lx);
		if (lx->p < lx->end && *lx->p == '[')
			r = parse_header(lx, bl, &cur);
		else if (!at_eol(lx))
			r = parse_item(lx, cur);
		/* (only parse_header grows bl->w, and it sets cur anew) */
		while (!r && lx->p < lx->end && *lx->p != '\n') {
			if (*lx->p == '\0')
				r = fail(lx, lx->p, "NUL byte");
			lx->p++; /* the rest of a comment */
		}
		if (lx->p < lx->end) {
			lx->p++;
			lx->line++;
			lx->line_start = lx->p;
		}
	}
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	free(lx);
	return r;
}

int baseline_load(struct baseline *bl, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), r;
	struct stat st;
	char *buf;
	size_t got = 0;
	char name[256];

	term_escape(name, sizeof(name), path, strlen(path));
	/* (name for the messages here; the parser escapes path itself) */
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", name, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > BL_MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", name, BL_MAX_FILE);
		close(fd);
		return -EINVAL;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	r = baseline_parse(bl, path, buf, got, err, errlen);
	free(buf);
	return r;
}

/* ------------------------------------------------------------- writing */

static void put_token(FILE *f, const char *s)
{
	bool bare = *s != 0 && strcmp(s, "->") != 0;

	for (const unsigned char *c = (const void *)s; *c && bare; c++)
		bare = bare_char(*c);
	if (bare) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (const unsigned char *c = (const void *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			putc(*c, f);
	}
	putc('"', f);
}

static int cmp_str0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_item(const void *x, const void *y)
{
	const struct bl_item *a = x, *b = y;
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = cmp_str0(a->a, b->a)) || (c = cmp_str0(a->b, b->b)))
		return c;
	return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) : (a->hi > b->hi) - (a->hi < b->hi);
}

static int cmp_workload(const void *x, const void *y)
{
	const struct bl_workload *a = x, *b = y;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = cmp_str0(a->key, b->key)))
		return c;
	return strcmp(a->value, b->value);
}

int baseline_write(FILE *f, const struct baseline *bl, const char *comment)
{
	struct bl_workload *w = NULL;

	if (bl->n && !(w = malloc(bl->n * sizeof(*w))))
		return -ENOMEM;
	if (bl->n)
		memcpy(w, bl->w, bl->n * sizeof(*w));
	if (bl->n)
		qsort(w, bl->n, sizeof(*w), cmp_workload);
	fputs("# exray baseline: what each workload did in the captures it was learned from.\n"
	      "# Items: exec PATH, spawn PARENT -> CHILD, connect CIDR port N|N-M|any,\n"
	      "# write CATEGORY, user UID. Edit by hand if need be (exray check\n"
	      "# --baseline validates it); docs/baselines.md.\n", f);
	if (comment)
		fprintf(f, "# %s\n", comment);
	for (size_t i = 0; i < bl->n; i++) {
		/* sorted in place: the caller's order does not matter */
		if (w[i].n)
			qsort(w[i].items, w[i].n, sizeof(*w[i].items), cmp_item);
		fprintf(f, "\n[%s ", kind_names[w[i].kind]);
		if (w[i].kind == BL_LABEL) {
			char *kv = NULL;
			if (asprintf(&kv, "%s=%s", w[i].key, w[i].value) < 0) {
				free(w);
				return -ENOMEM;
			}
			put_token(f, kv);
			free(kv);
		} else {
			put_token(f, w[i].value);
		}
		fputs("]\n", f);
		for (size_t k = 0; k < w[i].n; k++) {
			const struct bl_item *it = &w[i].items[k];
			fputs(type_names[it->type], f);
			putc(' ', f);
			switch (it->type) {
			case BL_EXEC:
			case BL_WRITE:
				put_token(f, it->a);
				break;
			case BL_SPAWN:
				put_token(f, it->a);
				fputs(" -> ", f);
				put_token(f, it->b);
				break;
			case BL_CONNECT:
				fprintf(f, "%s port ", it->a);
				if (it->lo == 0 && it->hi == 65535)
					fputs("any", f);
				else if (it->lo == it->hi)
					fprintf(f, "%u", it->lo);
				else
					fprintf(f, "%u-%u", it->lo, it->hi);
				break;
			case BL_USER:
				fprintf(f, "%u", it->lo);
				break;
			}
			putc('\n', f);
		}
	}
	free(w);
	return ferror(f) ? -EIO : 0;
}
