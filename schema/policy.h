/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Allowlist policy files: the parser shared by exray (analyzer: retroactive
 * evaluation) and exray-record (--allow: kernel LPM tries). POLICY.md is the
 * format specification; this is its implementation. No SQLite, no printing:
 * errors come back as -errno plus one line "FILE:LINE:COL: message" in a
 * caller's buffer, already free of control bytes.
 *
 * Semantics in one paragraph (POLICY.md has the long form): a connection is
 * allowed when at least one section that applies to its process has an
 * `allow` line whose CIDR contains the destination and whose port list (none
 * = every port) holds the destination port. Sections are unioned, as
 * Kubernetes NetworkPolicies are. exray_policy_flatten() turns a set of
 * sections into entries for a longest-prefix-match table (each prefix carries
 * its own ports plus those of every shorter prefix covering it), so one LPM
 * lookup — what BPF_MAP_TYPE_LPM_TRIE gives — answers exactly the same.
 */
#ifndef EXRAY_POLICY_H
#define EXRAY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define EXRAY_POLICY_INCLUDE_DEPTH 16      /* include nesting bound */
#define EXRAY_POLICY_MAX_FILE (16u << 20)  /* bytes per policy file */

enum exray_policy_scope {
	EXRAY_POLICY_ALL = 0,    /* [all] and lines before any section */
	EXRAY_POLICY_HOST,       /* [host]: processes in no container */
	EXRAY_POLICY_CONTAINER,  /* [container ID-PREFIX] */
	EXRAY_POLICY_POD,        /* [pod UID] */
	EXRAY_POLICY_CGROUP,     /* [cgroup GLOB] */
};

/* Inclusive destination port range; {0, 65535} means every port. */
struct exray_port_range {
	__u16 lo, hi;
};

/* One `allow` line. addr is network byte order, IPv4 in the first 4 bytes;
 * bits past prefixlen are zero (the parser rejects lines that set them). */
struct exray_policy_rule {
	__u8 family;        /* 4 or 6 (EXRAY_FAMILY_V4/_V6) */
	__u8 prefixlen;     /* 0..32 or 0..128 */
	__u8 addr[16];
	size_t nports;      /* ranges, sorted and merged; never 0 */
	struct exray_port_range *ports;
	const char *file;   /* owned by the policy */
	unsigned line;
};

/* Every header with the same scope and argument lands in one section. */
struct exray_policy_section {
	enum exray_policy_scope scope;
	char *arg;          /* NULL for all/host; container ids and pod uids
	                       normalised to lower case, pod '_' -> '-' */
	size_t nrules;
	struct exray_policy_rule *rules;
	const char *file;   /* where it first appeared (NULL for implicit [all]) */
	unsigned line;
};

struct exray_policy {
	size_t nsections;
	struct exray_policy_section *sections;
	size_t nfiles;      /* every file read: top level then includes */
	char **files;
};

/*
 * Read and parse the policy file at `path` (and what it includes, relative
 * to the including file's directory). Returns 0 and *out, or a negative
 * errno with one line in err: -EINVAL "FILE:LINE:COL: what" for a syntax
 * error, -ENOENT/-EACCES/... "FILE: cannot read: why" when a file cannot be
 * read (an include names the line that included it), -EFBIG, -ENOMEM.
 */
int exray_policy_load(struct exray_policy **out, const char *path, char *err, size_t errlen);

/* Same from memory; `name` is used in messages and as the base for relative
 * includes. text need not be NUL-terminated. */
int exray_policy_parse(struct exray_policy **out, const char *name, const char *text,
		       size_t len, char *err, size_t errlen);

void exray_policy_free(struct exray_policy *p);

/* "all", "host", "container", "pod", "cgroup". */
const char *exray_policy_scope_name(enum exray_policy_scope scope);

/* Who made a connection. host is true for a process in no container;
 * the strings may be NULL when unknown (a section needing one then does not
 * apply). */
struct exray_policy_subject {
	bool host;
	const char *container_id;
	const char *pod_uid;
	const char *cgroup_path;
};

/* Whether the section applies to the subject: [all] always; [host] to host
 * processes; [container P] when the id starts with P (case-insensitive);
 * [pod U] when the uid equals U ('-' and '_' alike, case-insensitive);
 * [cgroup G] when fnmatch(G, path, 0) matches ('*' crosses '/'). */
bool exray_policy_section_applies(const struct exray_policy_section *s,
				  const struct exray_policy_subject *subj);

/* One LPM table entry: a prefix and every port allowed under it. */
struct exray_policy_entry {
	__u8 family;
	__u8 prefixlen;
	__u8 addr[16];
	size_t nports;
	struct exray_port_range *ports;  /* sorted, merged, non-empty */
};

/*
 * Flatten the rules of the sections for which select(section, arg) returns
 * true (select NULL: every section) into one entry per distinct prefix, each
 * carrying the union of the ports of its own lines and of every covering
 * shorter prefix, so a longest-prefix lookup followed by a port check equals
 * "some allow line matches". Entries are sorted by family, prefixlen, addr.
 * Returns 0 with *out and *n set (free with exray_policy_entries_free), or -ENOMEM.
 */
int exray_policy_flatten(const struct exray_policy *p,
			 bool (*select)(const struct exray_policy_section *s, void *arg),
			 void *arg, struct exray_policy_entry **out, size_t *n);
void exray_policy_entries_free(struct exray_policy_entry *e, size_t n);

/* Whether port is in the sorted ranges. */
bool exray_port_in(const struct exray_port_range *r, size_t n, unsigned port);

/*
 * Parse "ADDR" or "ADDR/LEN" (IPv4 dotted quad or IPv6) into family, addr,
 * prefixlen (32/128 when no /LEN). IPv4-mapped IPv6 (::ffff:a.b.c.d/LEN>=96)
 * becomes IPv4. Returns 0, -EINVAL for a malformed address or length,
 * -ERANGE for a length too long for the family, -EEXIST when bits past the
 * prefix are set (addr then holds the masked network). For the analyzer's
 * cidr_contains() too.
 */
int exray_parse_cidr(const char *s, __u8 *family, __u8 addr[16], unsigned *prefixlen);

#endif /* EXRAY_POLICY_H */
