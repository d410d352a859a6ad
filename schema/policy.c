/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policy file parser (POLICY.md). Line-oriented, one pass; the first error
 * stops it and is reported as "FILE:LINE:COL: message" (columns count bytes
 * from 1, a tab is one column). Nothing here prints or depends on SQLite:
 * exray-record links it too.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "policy.h"

struct parser {
	struct exray_policy *p;
	char *err;
	size_t errlen;
	/* include stack: (dev, ino) of the files being read, to catch loops */
	unsigned depth;
	dev_t dev[EXRAY_POLICY_INCLUDE_DEPTH + 1];
	ino_t ino[EXRAY_POLICY_INCLUDE_DEPTH + 1];
};

/* Where a line is, for messages and for the rules it creates. */
struct pos {
	const char *file;
	unsigned line;
	const char *text; /* start of the line */
};

/* ---------------------------------------------------------------- errors */

/* Append s[0..n) to buf with every byte outside printable ASCII as \xHH, so
 * the caller may print the message to a terminal as it is. */
static void put_escaped(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *at + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[(*at)++] = (char)c;
		else
			*at += (size_t)snprintf(buf + *at, size - *at, "\\x%02x", c);
	}
	buf[*at < size ? *at : size - 1] = '\0';
}

/* "FILE:LINE:COL: " + message. %s arguments in fmt are escaped: pass
 * (const char *, int len) pairs via "%.*s" only. */
__attribute__((format(printf, 5, 6)))
static int fail(struct parser *ps, int err, const struct pos *at, const char *col,
		const char *fmt, ...)
{
	char msg[512];
	size_t n = 0;
	va_list ap;

	if (!ps->err || !ps->errlen)
		return err;
	ps->err[0] = '\0';
	put_escaped(ps->err, ps->errlen, &n, at->file, strlen(at->file));
	if (at->line) {
		char loc[48];
		snprintf(loc, sizeof(loc), ":%u:%u", at->line,
			 col ? (unsigned)(col - at->text) + 1 : 1);
		put_escaped(ps->err, ps->errlen, &n, loc, strlen(loc));
	}
	put_escaped(ps->err, ps->errlen, &n, ": ", 2);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_escaped(ps->err, ps->errlen, &n, msg, strlen(msg));
	return err;
}

/* ------------------------------------------------------------ addresses */

enum cidr_err { CIDR_OK, CIDR_BAD_ADDR, CIDR_BAD_LEN, CIDR_LEN_RANGE, CIDR_HOST_BITS };

static void mask_addr(__u8 addr[16], unsigned prefixlen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = prefixlen >= 8 * (i + 1) ? 8 : prefixlen > 8 * i ? prefixlen - 8 * i : 0;
		addr[i] &= (__u8)(0xff00u >> keep);
	}
}

/* Parse s[0..n): "ADDR[/LEN]". *lenpos is the offset of LEN in s. */
static enum cidr_err cidr_parse(const char *s, size_t n, __u8 *family, __u8 addr[16],
				unsigned *prefixlen, size_t *lenpos)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned max, len;

	*lenpos = alen + 1;
	if (alen == 0 || alen >= sizeof(buf))
		return CIDR_BAD_ADDR;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(addr, 0, 16);
	if (memchr(buf, ':', alen)) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return CIDR_BAD_ADDR;
		*family = 6;
		max = 128;
	} else {
		/* inet_pton(AF_INET) accepts only the dotted quad: no "10.1",
		 * no octal, no hex; which is what we want. */
		if (inet_pton(AF_INET, buf, addr) != 1)
			return CIDR_BAD_ADDR;
		*family = 4;
		max = 32;
	}
	len = max;
	if (slash) {
		const char *d = slash + 1, *end = s + n;
		if (d == end)
			return CIDR_BAD_LEN;
		len = 0;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9')
				return CIDR_BAD_LEN;
			if (len <= max)
				len = len * 10 + (unsigned)(*d - '0');
		}
		if (len > max)
			return CIDR_LEN_RANGE;
	}
	*prefixlen = len;
	if (*family == 6 && len >= 96) {
		static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (!memcmp(addr, mapped, 12)) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*family = 4;
			*prefixlen = len - 96;
		}
	}
	{
		__u8 masked[16];
		memcpy(masked, addr, 16);
		mask_addr(masked, *prefixlen);
		if (memcmp(masked, addr, 16)) {
			memcpy(addr, masked, 16);
			return CIDR_HOST_BITS;
		}
	}
	return CIDR_OK;
}

int exray_parse_cidr(const char *s, __u8 *family, __u8 addr[16], unsigned *prefixlen)
{
	size_t lenpos;

	switch (cidr_parse(s, strlen(s), family, addr, prefixlen, &lenpos)) {
	case CIDR_OK: return 0;
	case CIDR_LEN_RANGE: return -ERANGE;
	case CIDR_HOST_BITS: return -EEXIST;
	default: return -EINVAL;
	}
}

static void format_net(char *buf, size_t size, __u8 family, const __u8 addr[16], unsigned len)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, len);
}

/* ------------------------------------------------------------ ports */

static int cmp_range(const void *a, const void *b)
{
	const struct exray_port_range *x = a, *y = b;
	return x->lo != y->lo ? (x->lo < y->lo ? -1 : 1) : (x->hi < y->hi ? -1 : x->hi > y->hi);
}

/* Sort and merge overlapping or adjacent ranges in place; returns count. */
static size_t ranges_normalise(struct exray_port_range *r, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 1; i < n; i++) {
		if ((unsigned)r[i].lo <= (unsigned)r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

bool exray_port_in(const struct exray_port_range *r, size_t n, unsigned port)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (port < r[mid].lo)
			hi = mid;
		else if (port > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ sections */

static const char *const scope_names[] = {
	[EXRAY_POLICY_ALL] = "all",
	[EXRAY_POLICY_HOST] = "host",
	[EXRAY_POLICY_CONTAINER] = "container",
	[EXRAY_POLICY_POD] = "pod",
	[EXRAY_POLICY_CGROUP] = "cgroup",
};

const char *exray_policy_scope_name(enum exray_policy_scope scope)
{
	return (unsigned)scope < sizeof(scope_names) / sizeof(scope_names[0]) ? scope_names[scope] : "?";
}

/* Index of the section (scope, arg), created if new; -ENOMEM. */
static int section_get(struct exray_policy *p, enum exray_policy_scope scope, const char *arg,
		       const struct pos *at)
{
	struct exray_policy_section *s;

	for (size_t i = 0; i < p->nsections; i++) {
		s = &p->sections[i];
		if (s->scope == scope && (!arg ? !s->arg : s->arg && !strcmp(s->arg, arg)))
			return (int)i;
	}
	s = realloc(p->sections, (p->nsections + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	p->sections = s;
	s = &p->sections[p->nsections];
	memset(s, 0, sizeof(*s));
	s->scope = scope;
	if (arg && !(s->arg = strdup(arg)))
		return -ENOMEM;
	s->file = at ? at->file : NULL;
	s->line = at ? at->line : 0;
	return (int)p->nsections++;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next whitespace-separated token in [*cur, end); a token starting with '#'
 * begins a comment and ends the line. Returns its length, 0 at the end. */
static size_t next_token(const char **cur, const char *end, const char **tok)
{
	const char *c = *cur, *t;

	while (c < end && is_ws(*c))
		c++;
	if (c == end || *c == '#') {
		*cur = end;
		*tok = c;
		return 0;
	}
	t = c;
	while (c < end && !is_ws(*c))
		c++;
	*cur = c;
	*tok = t;
	return (size_t)(c - t);
}

#define TOK(t, n) (int)(n), (t)

static bool token_is(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(t, word, n);
}

static int parse_section(struct parser *ps, const struct pos *at, const char *b, const char *e,
			 int *cur_section)
{
	/* b points at '['; e is the end of the line. The header ends at the
	 * last ']' before a comment, so globs may hold [...] classes. */
	const char *close = NULL, *c, *kw, *arg, *end;
	size_t kwn, argn;
	enum exray_policy_scope scope;
	char argbuf[4096];
	int r;

	for (c = b + 1; c < e; c++) {
		if (*c == '#' && is_ws(c[-1]))
			break;
		if (*c == ']')
			close = c;
	}
	end = c;
	if (!close)
		return fail(ps, -EINVAL, at, end, "section header has no closing ']'");
	for (c = close + 1; c < end; c++)
		if (!is_ws(*c))
			return fail(ps, -EINVAL, at, c, "unexpected text after section header");
	c = b + 1;
	kwn = next_token(&c, close, &kw);
	if (!kwn)
		return fail(ps, -EINVAL, at, kw, "empty section header (expected all, host, container, pod or cgroup)");
	if (token_is(kw, kwn, "all"))
		scope = EXRAY_POLICY_ALL;
	else if (token_is(kw, kwn, "host"))
		scope = EXRAY_POLICY_HOST;
	else if (token_is(kw, kwn, "container"))
		scope = EXRAY_POLICY_CONTAINER;
	else if (token_is(kw, kwn, "pod"))
		scope = EXRAY_POLICY_POD;
	else if (token_is(kw, kwn, "cgroup"))
		scope = EXRAY_POLICY_CGROUP;
	else
		return fail(ps, -EINVAL, at, kw, "unknown section '%.*s' (expected all, host, container, pod or cgroup)",
			    TOK(kw, kwn));
	argn = next_token(&c, close, &arg);
	if (scope == EXRAY_POLICY_ALL || scope == EXRAY_POLICY_HOST) {
		if (argn)
			return fail(ps, -EINVAL, at, arg, "[%s] takes no argument", scope_names[scope]);
	} else {
		const char *extra;
		if (!argn)
			return fail(ps, -EINVAL, at, arg, "[%s] needs %s", scope_names[scope],
				    scope == EXRAY_POLICY_CONTAINER ? "a container id prefix"
				    : scope == EXRAY_POLICY_POD ? "a pod UID" : "a cgroup path glob");
		if (next_token(&c, close, &extra))
			return fail(ps, -EINVAL, at, extra, "unexpected '%.*s': a section takes one argument",
				    TOK(extra, (size_t)(close - extra)));
		if (argn >= sizeof(argbuf))
			return fail(ps, -EINVAL, at, arg, "section argument too long");
		for (size_t i = 0; i < argn; i++) {
			unsigned char ch = (unsigned char)arg[i];
			bool ok;
			if (scope == EXRAY_POLICY_CONTAINER)
				ok = isalnum(ch) || ch == '_' || ch == '.' || ch == '-';
			else if (scope == EXRAY_POLICY_POD)
				ok = isxdigit(ch) || ch == '-' || ch == '_';
			else
				ok = ch > 0x20 && ch < 0x7f;
			if (!ok)
				return fail(ps, -EINVAL, at, arg + i, "invalid character in %s",
					    scope == EXRAY_POLICY_CONTAINER ? "container id prefix (letters, digits, '_', '.', '-')"
					    : scope == EXRAY_POLICY_POD ? "pod UID (hex digits, '-', '_')"
					    : "cgroup glob");
			argbuf[i] = scope == EXRAY_POLICY_CGROUP ? (char)ch
				    : ch == '_' && scope == EXRAY_POLICY_POD ? '-' : (char)tolower(ch);
		}
		argbuf[argn] = '\0';
	}
	r = section_get(ps->p, scope, argn ? argbuf : NULL, at);
	if (r < 0)
		return fail(ps, r, at, b, "out of memory");
	*cur_section = r;
	return 0;
}

static int parse_ports(struct parser *ps, const struct pos *at, const char *t, size_t n,
		       struct exray_policy_rule *rule)
{
	const char *c = t, *end = t + n;
	size_t cap = 0;

	while (c <= end) {
		const char *item = c, *dash = NULL;
		unsigned v[2] = { 0, 0 }, k = 0;
		struct exray_port_range *nr;

		while (c < end && *c != ',')
			c++;
		if (c == item)
			return fail(ps, -EINVAL, at, item, "empty port in list");
		for (const char *d = item; d < c; d++) {
			if (*d == '-' && !dash && d > item) {
				dash = d;
				k = 1;
				continue;
			}
			if (*d < '0' || *d > '9')
				return fail(ps, -EINVAL, at, d, "invalid port '%.*s' (expected N or N-M, 1-65535)",
					    TOK(item, (size_t)(c - item)));
			if (v[k] <= 65535)
				v[k] = v[k] * 10 + (unsigned)(*d - '0');
		}
		if (dash && dash + 1 == c)
			return fail(ps, -EINVAL, at, c, "port range '%.*s' has no end",
				    TOK(item, (size_t)(c - item)));
		if (!dash)
			v[1] = v[0];
		if (v[0] < 1 || v[0] > 65535)
			return fail(ps, -EINVAL, at, item, "port %.*s out of range (1-65535)",
				    TOK(item, (size_t)((dash ? dash : c) - item)));
		if (v[1] < 1 || v[1] > 65535)
			return fail(ps, -EINVAL, at, dash + 1, "port %.*s out of range (1-65535)",
				    TOK(dash + 1, (size_t)(c - dash - 1)));
		if (v[0] > v[1])
			return fail(ps, -EINVAL, at, item, "port range %u-%u is reversed", v[0], v[1]);
		if (rule->nports == cap) {
			cap = cap ? cap * 2 : 4;
			nr = realloc(rule->ports, cap * sizeof(*nr));
			if (!nr)
				return fail(ps, -ENOMEM, at, item, "out of memory");
			rule->ports = nr;
		}
		rule->ports[rule->nports].lo = (__u16)v[0];
		rule->ports[rule->nports].hi = (__u16)v[1];
		rule->nports++;
		c++; /* past ',' (or end + 1: loop ends) */
		if (c == end)
			return fail(ps, -EINVAL, at, c, "empty port in list");
	}
	rule->nports = ranges_normalise(rule->ports, rule->nports);
	return 0;
}

static int parse_allow(struct parser *ps, const struct pos *at, const char *allow_tok,
		       const char *c, const char *e, int section)
{
	struct exray_policy_rule rule = { 0 };
	struct exray_policy_section *s;
	const char *t;
	size_t n, lenpos;
	unsigned plen;
	int r;

	n = next_token(&c, e, &t);
	if (!n)
		return fail(ps, -EINVAL, at, t, "'allow' needs an address or CIDR");
	switch (cidr_parse(t, n, &rule.family, rule.addr, &plen, &lenpos)) {
	case CIDR_OK:
		break;
	case CIDR_BAD_ADDR:
		return fail(ps, -EINVAL, at, t, "invalid address '%.*s' (expected IPv4 or IPv6, optionally /LEN)", TOK(t, n));
	case CIDR_BAD_LEN:
		return fail(ps, -EINVAL, at, t + lenpos, "invalid prefix length '%.*s'",
			    TOK(t + lenpos, n - lenpos));
	case CIDR_LEN_RANGE:
		return fail(ps, -EINVAL, at, t + lenpos, "prefix length %.*s too long for IPv%u (0-%u)",
			    TOK(t + lenpos, n - lenpos), rule.family, rule.family == 4 ? 32 : 128);
	case CIDR_HOST_BITS: {
		char net[INET6_ADDRSTRLEN + 8];
		format_net(net, sizeof(net), rule.family, rule.addr, plen);
		return fail(ps, -EINVAL, at, t, "'%.*s' has bits set past the prefix length (did you mean %s?)",
			    TOK(t, n), net);
	}
	}
	rule.prefixlen = (__u8)plen;
	n = next_token(&c, e, &t);
	if (n) {
		if (!token_is(t, n, "port"))
			return fail(ps, -EINVAL, at, t, "unexpected '%.*s' (expected 'port' or end of line)", TOK(t, n));
		n = next_token(&c, e, &t);
		if (!n)
			return fail(ps, -EINVAL, at, t, "'port' needs a port, a range N-M or a list N,M-O");
		r = parse_ports(ps, at, t, n, &rule);
		if (r) {
			free(rule.ports);
			return r;
		}
		n = next_token(&c, e, &t);
		if (n) {
			free(rule.ports);
			return fail(ps, -EINVAL, at, t, "unexpected '%.*s' after the port list (list several ports as port 80,443)",
				    TOK(t, n));
		}
	} else {
		rule.ports = malloc(sizeof(*rule.ports));
		if (!rule.ports)
			return fail(ps, -ENOMEM, at, allow_tok, "out of memory");
		rule.ports[0] = (struct exray_port_range){ 0, 65535 };
		rule.nports = 1;
	}
	rule.file = at->file;
	rule.line = at->line;
	s = &ps->p->sections[section];
	{
		struct exray_policy_rule *nr = realloc(s->rules, (s->nrules + 1) * sizeof(*nr));
		if (!nr) {
			free(rule.ports);
			return fail(ps, -ENOMEM, at, allow_tok, "out of memory");
		}
		s->rules = nr;
		s->rules[s->nrules++] = rule;
	}
	return 0;
}

static int parse_file(struct parser *ps, const char *name, const char *text, size_t len,
		      int section, const struct stat *st);

/* Read a whole file into a NUL-terminated buffer. */
static int read_all(const char *path, char **buf, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;
	size_t cap, n = 0;
	char *b = NULL;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st->st_mode)) {
		r = -EISDIR;
		goto out;
	}
	cap = S_ISREG(st->st_mode) && st->st_size > 0 ? (size_t)st->st_size + 1 : 4096;
	if (cap > EXRAY_POLICY_MAX_FILE + 1)
		cap = EXRAY_POLICY_MAX_FILE + 1;
	b = malloc(cap);
	if (!b) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t got;
		if (n + 1 >= cap) {
			char *nb;
			if (cap > EXRAY_POLICY_MAX_FILE) {
				r = -EFBIG;
				goto out;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			b = nb;
			cap *= 2;
		}
		got = read(fd, b + n, cap - n - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > EXRAY_POLICY_MAX_FILE) {
		r = -EFBIG;
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	close(fd);
	return r;
}

static const char *intern_file(struct exray_policy *p, const char *name)
{
	char **nf = realloc(p->files, (p->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	p->files = nf;
	if (!(nf[p->nfiles] = strdup(name)))
		return NULL;
	return nf[p->nfiles++];
}

static int parse_include(struct parser *ps, const struct pos *at, const char *c, const char *e,
			 int section)
{
	const char *t, *extra;
	size_t n = next_token(&c, e, &t);
	char path[4096];
	char *buf = NULL;
	size_t len;
	struct stat st;
	int r;

	if (!n)
		return fail(ps, -EINVAL, at, t, "'include' needs a file name");
	if (next_token(&c, e, &extra))
		return fail(ps, -EINVAL, at, extra, "unexpected '%.*s' after the file name", TOK(extra, (size_t)(e - extra)));
	if (t[0] == '/') {
		r = snprintf(path, sizeof(path), "%.*s", TOK(t, n));
	} else {
		const char *slash = strrchr(at->file, '/');
		int dl = slash ? (int)(slash - at->file + 1) : 0;
		r = snprintf(path, sizeof(path), "%.*s%.*s", dl, at->file, TOK(t, n));
	}
	if (r < 0 || (size_t)r >= sizeof(path))
		return fail(ps, -ENAMETOOLONG, at, t, "include path too long");
	if (ps->depth >= EXRAY_POLICY_INCLUDE_DEPTH)
		return fail(ps, -ELOOP, at, t, "includes nested deeper than %d", EXRAY_POLICY_INCLUDE_DEPTH);
	r = read_all(path, &buf, &len, &st);
	if (r)
		return fail(ps, r, at, t, "cannot read '%s': %s", path, strerror(-r));
	for (unsigned i = 0; i <= ps->depth; i++) {
		if (ps->dev[i] == st.st_dev && ps->ino[i] == st.st_ino) {
			free(buf);
			return fail(ps, -ELOOP, at, t, "include loop: '%s' is already being read", path);
		}
	}
	ps->depth++;
	r = parse_file(ps, path, buf, len, section, &st);
	ps->depth--;
	free(buf);
	return r;
}

/* Parse one file's text; `section` is the section its lines start in (the
 * includer's current one, or [all] at the top). */
static int parse_file(struct parser *ps, const char *name, const char *text, size_t len,
		      int section, const struct stat *st)
{
	const char *end = text + len, *b = text;
	struct pos at = { 0 };
	int r;

	if (!(at.file = intern_file(ps->p, name)))
		return -ENOMEM;
	ps->dev[ps->depth] = st ? st->st_dev : 0;
	ps->ino[ps->depth] = st ? st->st_ino : 0;
	while (b < end) {
		const char *nl = memchr(b, '\n', (size_t)(end - b));
		const char *e = nl ? nl : end, *c = b, *t, *nul;
		size_t n;

		at.line++;
		at.text = b;
		if ((nul = memchr(b, '\0', (size_t)(e - b))))
			return fail(ps, -EINVAL, &at, nul, "NUL byte in policy text");
		n = next_token(&c, e, &t);
		if (!n) {
			/* blank or comment */
		} else if (t[0] == '[') {
			if ((r = parse_section(ps, &at, t, e, &section)))
				return r;
		} else if (token_is(t, n, "allow")) {
			if ((r = parse_allow(ps, &at, t, c, e, section)))
				return r;
		} else if (token_is(t, n, "include")) {
			if ((r = parse_include(ps, &at, c, e, section)))
				return r;
		} else {
			return fail(ps, -EINVAL, &at, t,
				    "unknown directive '%.*s' (expected allow, include or a [section])", TOK(t, n));
		}
		b = nl ? nl + 1 : end;
	}
	return 0;
}

static int parse_top(struct exray_policy **out, const char *name, const char *text, size_t len,
		     const struct stat *st, char *err, size_t errlen)
{
	struct parser ps = { .err = err, .errlen = errlen };
	int r;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!(ps.p = calloc(1, sizeof(*ps.p))))
		return -ENOMEM;
	r = section_get(ps.p, EXRAY_POLICY_ALL, NULL, NULL);
	if (r >= 0)
		r = parse_file(&ps, name, text, len, r, st);
	if (r < 0) {
		if (err && errlen && !err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		exray_policy_free(ps.p);
		return r;
	}
	*out = ps.p;
	return 0;
}

int exray_policy_parse(struct exray_policy **out, const char *name, const char *text,
		       size_t len, char *err, size_t errlen)
{
	return parse_top(out, name, text, len, NULL, err, errlen);
}

int exray_policy_load(struct exray_policy **out, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len;
	struct stat st;
	int r;

	*out = NULL;
	r = read_all(path, &buf, &len, &st);
	if (r) {
		struct parser ps = { .err = err, .errlen = errlen };
		struct pos at = { .file = path };
		return fail(&ps, r, &at, NULL, "cannot read: %s", r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
	}
	r = parse_top(out, path, buf, len, &st, err, errlen);
	free(buf);
	return r;
}

void exray_policy_free(struct exray_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nsections; i++) {
		for (size_t j = 0; j < p->sections[i].nrules; j++)
			free(p->sections[i].rules[j].ports);
		free(p->sections[i].rules);
		free(p->sections[i].arg);
	}
	free(p->sections);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p);
}

/* ------------------------------------------------------------ matching */

/* a == b ignoring case, and '-' equal to '_' (kubepods systemd slices write
 * pod UIDs with '_'). */
static bool uid_equal(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '_' ? '-' : (char)tolower((unsigned char)*a);
		char y = *b == '_' ? '-' : (char)tolower((unsigned char)*b);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

bool exray_policy_section_applies(const struct exray_policy_section *s,
				  const struct exray_policy_subject *subj)
{
	switch (s->scope) {
	case EXRAY_POLICY_ALL:
		return true;
	case EXRAY_POLICY_HOST:
		return subj->host;
	case EXRAY_POLICY_CONTAINER:
		return subj->container_id && !strncasecmp(subj->container_id, s->arg, strlen(s->arg));
	case EXRAY_POLICY_POD:
		return subj->pod_uid && uid_equal(subj->pod_uid, s->arg);
	case EXRAY_POLICY_CGROUP:
		return subj->cgroup_path && !fnmatch(s->arg, subj->cgroup_path, 0);
	}
	return false;
}

/* ------------------------------------------------------------ flatten */

static int cmp_entry(const void *a, const void *b)
{
	const struct exray_policy_entry *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Whether the prefix of `outer` covers `inner` (same family). */
static bool covers(const struct exray_policy_entry *outer, const struct exray_policy_entry *inner)
{
	__u8 a[16];

	if (outer->prefixlen > inner->prefixlen)
		return false;
	memcpy(a, inner->addr, 16);
	mask_addr(a, outer->prefixlen);
	return !memcmp(a, outer->addr, 16);
}

static int add_ranges(struct exray_policy_entry *e, const struct exray_port_range *r, size_t n)
{
	struct exray_port_range *nr = realloc(e->ports, (e->nports + n) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	memcpy(nr + e->nports, r, n * sizeof(*r));
	e->ports = nr;
	e->nports = ranges_normalise(nr, e->nports + n);
	return 0;
}

void exray_policy_entries_free(struct exray_policy_entry *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++)
		free(e[i].ports);
	free(e);
}

int exray_policy_flatten(const struct exray_policy *p,
			 bool (*select)(const struct exray_policy_section *s, void *arg),
			 void *arg, struct exray_policy_entry **out, size_t *nout)
{
	struct exray_policy_entry *e = NULL;
	size_t n = 0, total = 0, u;
	int r = -ENOMEM;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < p->nsections; i++)
		if (!select || select(&p->sections[i], arg))
			total += p->sections[i].nrules;
	if (!total)
		return 0;
	if (!(e = calloc(total, sizeof(*e))))
		return -ENOMEM;
	for (size_t i = 0; i < p->nsections; i++) {
		const struct exray_policy_section *s = &p->sections[i];
		if (select && !select(s, arg))
			continue;
		for (size_t j = 0; j < s->nrules; j++, n++) {
			e[n].family = s->rules[j].family;
			e[n].prefixlen = s->rules[j].prefixlen;
			memcpy(e[n].addr, s->rules[j].addr, 16);
			if (add_ranges(&e[n], s->rules[j].ports, s->rules[j].nports))
				goto fail;
		}
	}
	/* One entry per distinct prefix. */
	qsort(e, n, sizeof(*e), cmp_entry);
	u = 0;
	for (size_t i = 1; i < n; i++) {
		if (!cmp_entry(&e[u], &e[i])) {
			if (add_ranges(&e[u], e[i].ports, e[i].nports))
				goto fail;
			free(e[i].ports);
			e[i].ports = NULL;
		} else {
			e[++u] = e[i];
			if (u != i)
				e[i].ports = NULL;
		}
	}
	n = u + 1;
	/* Inherit the ports of covering prefixes. Sorted by prefixlen, so
	 * every cover of e[i] sits before it; walking down from the end adds
	 * each cover's own ports only, which is the whole union because
	 * covering is transitive. */
	for (size_t i = n; i-- > 0;) {
		for (size_t j = 0; j < i; j++) {
			if (e[j].family == e[i].family && e[j].prefixlen < e[i].prefixlen && covers(&e[j], &e[i]))
				if (add_ranges(&e[i], e[j].ports, e[j].nports))
					goto fail;
		}
	}
	*out = e;
	*nout = n;
	return 0;
fail:
	exray_policy_entries_free(e, total);
	return r;
}
