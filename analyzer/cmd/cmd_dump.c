/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray dump: every record as one JSON object per line (DESIGN.md keys). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "text/escape.h"
#include "text/recfmt.h"
#include "ingest/xmap.h"
#include "text/timefmt.h"

static const char dump_help[] =
	"usage: exray dump [OPTIONS] SEGMENT|DIR...\n"
	"Print every record of the segments as one JSON object per line.\n"
	"A directory stands for its *.exray.zst files in name order.\n\n"
	"  -t, --type LIST  only these record types (comma-separated: exec,fork,...)\n"
	"  -d, --db FILE    accepted for symmetry; dump reads only segments\n"
	"  -h, --help       this help\n\n"
	"Damage is skipped and reported on stderr; exit 1 if there was any,\n"
	"3 if a file could not be read.\n";

struct dump_ctx {
	FILE *out;
	const char *host;
	__s64 b2w;
	struct xmap cgroups;     /* cgroup id -> index into paths */
	char **paths;
	size_t n_paths;
	unsigned type_mask;      /* bit per type; 0 = all */
};

static void key(FILE *f, const char *k)
{
	fprintf(f, ",\"%s\":", k);
}

static void cgroup_path_key(struct dump_ctx *c, __u64 id)
{
	uint64_t *v = xmap_get(&c->cgroups, id, 0, 0);

	if (v) {
		key(c->out, "cgroup_path");
		json_write_str(c->out, c->paths[*v]);
	}
}

static void task_keys(struct dump_ctx *c, const struct exray_task *t)
{
	FILE *f = c->out;

	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"start\":%llu,\"pstart\":%llu"
		   ",\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u,\"cgroup_id\":%llu",
		t->pid, t->tid, t->ppid, (unsigned long long)t->start,
		(unsigned long long)t->pstart, t->uid, t->gid, t->euid, t->egid,
		(unsigned long long)t->cgroup_id);
	cgroup_path_key(c, t->cgroup_id);
	fprintf(f, ",\"pidns\":%u,\"mntns\":%u,\"netns\":%u,\"vpid\":%u", t->pidns, t->mntns,
		t->netns, t->vpid);
	key(f, "comm");
	json_write_strn(f, t->comm, strnlen(t->comm, sizeof(t->comm)));
}

static void addr_keys(FILE *f, __u8 family, const __u8 *saddr, __u16 sport, const __u8 *daddr,
		      __u16 dport)
{
	char a[ADDR_TEXT_LEN];

	fprintf(f, ",\"family\":%u,\"saddr\":\"%s\",\"sport\":%u", family,
		addr_text(a, family, saddr), sport);
	fprintf(f, ",\"daddr\":\"%s\",\"dport\":%u", addr_text(a, family, daddr), dport);
}

static int remember_cgroup(struct dump_ctx *c, __u64 id, const char *path)
{
	int created;
	uint64_t *v = xmap_put(&c->cgroups, id, 0, 0, &created);
	char *p = strdup(path), **np;

	if (!v || !p || !(np = realloc(c->paths, (c->n_paths + 1) * sizeof(*np)))) {
		free(p);
		return -ENOMEM;
	}
	c->paths = np;
	c->paths[c->n_paths] = p;
	*v = c->n_paths++;
	return 0;
}

static int dump_record(struct dump_ctx *c, const struct exray_rec_hdr *h)
{
	FILE *f = c->out;
	const char *name = exray_rec_type_name(h->type);
	char tbuf[TIMEFMT_LEN];

	if (h->type == EXRAY_REC_CGROUP) {
		const struct exray_cgroup *cg = (const void *)h;
		const char *path = exray_cgroup_path(cg);
		if (path && remember_cgroup(c, cg->cgroup_id, path))
			return -ENOMEM;
	}
	if (!name || (c->type_mask && !(c->type_mask & (1u << h->type))))
		return 0;
	fprintf(f, "{\"type\":\"%s\",\"ts\":%llu,\"time\":\"%s\"", name,
		(unsigned long long)h->ts, timefmt_rfc3339(tbuf, (__s64)h->ts + c->b2w));
	key(f, "host");
	if (c->host) /* a fixed-size field: not NUL-terminated when full */
		json_write_strn(f, c->host, strnlen(c->host, EXRAY_SEG_HOST_LEN));
	else
		fputs("null", f);
	switch (h->type) {
	case EXRAY_REC_EXEC:
	case EXRAY_REC_SNAPSHOT: {
		const struct exray_exec *e = (const void *)h;
		size_t alen = 0;
		const char *argv = exray_exec_argv(e, &alen);
		task_keys(c, &e->task);
		fprintf(f, ",\"ret\":%d", e->ret);
		key(f, "filename");
		json_write_str(f, exray_exec_filename(e));
		key(f, "argv");
		argv_write_json(f, argv, alen);
		fprintf(f, ",\"argv_truncated\":%s",
			h->flags & EXRAY_F_ARGV_TRUNCATED ? "true" : "false");
		if (h->flags & EXRAY_F_FILENAME_TRUNCATED)
			fputs(",\"filename_truncated\":true", f);
		if (h->flags & EXRAY_F_KTHREAD)
			fputs(",\"kthread\":true", f);
		break;
	}
	case EXRAY_REC_FORK:
		task_keys(c, &((const struct exray_fork *)h)->task);
		break;
	case EXRAY_REC_EXIT: {
		const struct exray_exit *x = (const void *)h;
		task_keys(c, &x->task);
		fprintf(f, ",\"exit_code\":%u", x->exit_code);
		break;
	}
	case EXRAY_REC_CONNECT: {
		const struct exray_connect *k = (const void *)h;
		task_keys(c, &k->task);
		addr_keys(f, k->family, k->saddr, k->sport, k->daddr, k->dport);
		fprintf(f, ",\"sock\":\"%llx\"", (unsigned long long)k->sock);
		break;
	}
	case EXRAY_REC_CONNECT_RESULT: {
		const struct exray_connect_result *r = (const void *)h;
		fprintf(f, ",\"sock\":\"%llx\",\"sport\":%u,\"state\":\"%s\"",
			(unsigned long long)r->sock, r->sport, tcp_state_name(r->newstate));
		break;
	}
	case EXRAY_REC_SYN: {
		const struct exray_syn *s = (const void *)h;
		fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)s->cgroup_id);
		cgroup_path_key(c, s->cgroup_id);
		fprintf(f, ",\"ifindex\":%u", s->ifindex);
		addr_keys(f, s->family, s->saddr, s->sport, s->daddr, s->dport);
		fprintf(f, ",\"verdict\":\"%s\"", s->verdict == EXRAY_VERDICT_ALLOW ? "allow"
						  : s->verdict == EXRAY_VERDICT_DENY ? "deny"
										     : "none");
		fprintf(f, ",\"direction\":\"%s\"",
			h->flags & EXRAY_F_SYN_INGRESS ? "ingress" : "egress");
		break;
	}
	case EXRAY_REC_CGROUP: {
		const struct exray_cgroup *cg = (const void *)h;
		fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)cg->cgroup_id);
		key(f, "cgroup_path");
		json_write_str(f, exray_cgroup_path(cg));
		if (h->flags & EXRAY_F_CGROUP_PATH_TRUNCATED)
			fputs(",\"cgroup_path_truncated\":true", f);
		break;
	}
	case EXRAY_REC_LOSS: {
		const struct exray_loss *l = (const void *)h;
		const char *lt = exray_rec_type_name(l->lost_type);
		key(f, "lost_type");
		if (lt)
			fprintf(f, "\"%s\"", lt);
		else
			fprintf(f, "%u", l->lost_type);
		if (l->cpu == EXRAY_LOSS_ALL_CPUS)
			fputs(",\"cpu\":null", f);
		else
			fprintf(f, ",\"cpu\":%u", l->cpu);
		fprintf(f, ",\"count\":%llu", (unsigned long long)l->count);
		break;
	}
	}
	fputs("}\n", f);
	return 0;
}

static int parse_types(const char *list, unsigned *mask)
{
	char *dup = strdup(list), *save = NULL;

	if (!dup)
		return -ENOMEM;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned ty;
		for (ty = 1; ty < EXRAY_REC_TYPE_MAX; ty++)
			if (exray_rec_type_name(ty) && !strcmp(exray_rec_type_name(ty), t))
				break;
		if (ty >= EXRAY_REC_TYPE_MAX) {
			free(dup);
			return -EINVAL;
		}
		*mask |= 1u << ty;
	}
	free(dup);
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPT_HELP, CLI_LONGOPT_DB, { "type", required_argument, 0, 't' }, { 0 },
	};
	struct dump_ctx c = { .out = stdout };
	struct cli_paths paths = { 0 };
	const char *bad;
	int opt, err, rc = EXRAY_EXIT_OK;

	cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hd:t:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(dump_help, stdout); return EXRAY_EXIT_OK;
		case 'd': break;
		case 't':
			if (parse_types(optarg, &c.type_mask))
				return cli_usage_error("dump", "unknown record type in '%s'", optarg);
			break;
		default: return cli_usage_error("dump", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("dump", "no segment files or directories given");
	if ((err = cli_expand_segments(argc - optind, argv + optind, &paths, &bad))) {
		cli_expand_error(bad, err);
		return EXRAY_EXIT_FAILURE;
	}
	for (size_t i = 0; i < paths.n; i++) {
		struct exray_seg_reader *r = NULL;
		const struct exray_rec_hdr *h;
		int n;

		if ((err = exray_seg_reader_open(&r, paths.v[i]))) {
			cli_error("%s: %s", paths.v[i], strerror(-err));
			rc = EXRAY_EXIT_FAILURE;
			continue;
		}
		while ((n = exray_seg_next(r, &h)) > 0) {
			const struct exray_seg_header *sh = exray_seg_reader_header(r);
			c.host = sh ? sh->host : NULL;
			c.b2w = reader_boot_to_wall(r);
			if ((err = dump_record(&c, h))) {
				n = err;
				break;
			}
		}
		if (n < 0) {
			cli_error("%s: %s", paths.v[i],
				  n == -EPROTONOSUPPORT ? exray_seg_reader_error(r) : strerror(-n));
			rc = EXRAY_EXIT_FAILURE;
		}
		for (size_t k = 0; k < exray_seg_reader_issue_count(r); k++) {
			const struct exray_seg_issue *is = exray_seg_reader_issue(r, k);
			cli_warn("%s: %s at offset %llu: %s", paths.v[i],
				 exray_seg_issue_name(is->kind), (unsigned long long)is->offset,
				 is->detail);
			if (rc == EXRAY_EXIT_OK && exray_seg_issue_is_damage(is->kind))
				rc = EXRAY_EXIT_PROBLEMS;
		}
		exray_seg_reader_free(r);
	}
	for (size_t i = 0; i < c.n_paths; i++)
		free(c.paths[i]);
	free(c.paths);
	xmap_free(&c.cgroups);
	cli_paths_free(&paths);
	return rc;
}
