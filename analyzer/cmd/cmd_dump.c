/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exray dump: every record as one JSON object per line (keys: docs/analyzer.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "text/escape.h"
#include "text/opnames.h"
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
	"Example:\n"
	"  exray dump -t exec /cases/web-1/ | jq -c '[.pid, .filename, .argv]'\n\n"
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

/* ------------------------------------------------ 1.2: what a process did */

/* "name" of v in a table of names indexed by value, or NULL. */

static const char *const ns_names[] = { "mnt", "cgroup", "uts", "ipc", "user", "pid", "net", "time" };
static const char *const exe_flag_names[] = { "memfd", "deleted", "upper_layer", "unresolved",
					      "setuid", "setgid", "loader" };

/* ,"k":"name" of an op, or ,"k":"op_N" for a number this exray does not name. */
static void op_key(FILE *f, const char *k, const char *name, unsigned v)
{
	key(f, k);
	if (name)
		fprintf(f, "\"%s\"", name);
	else
		fprintf(f, "\"op_%u\"", v);
}

/* ,"op":"name" of a record's op (text/opnames.c), "op_N" when unnamed */
static void rec_op_key(FILE *f, unsigned type, unsigned op)
{
	char b[OPNAME_LEN];

	op_key(f, "op", rec_op_name(b, type, op), op);
}

/* ,"k":[names of the set bits] */
static void bits_key(FILE *f, const char *k, const char *const *names, unsigned n, __u32 bits)
{
	bool first = true;

	key(f, k);
	putc('[', f);
	for (unsigned i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", names[i]);
		first = false;
	}
	putc(']', f);
}

static void flag_key(FILE *f, const struct exray_rec_hdr *h, __u16 bit, const char *k)
{
	if (h->flags & bit)
		fprintf(f, ",\"%s\":true", k);
}

/* ,"k":"string" of record string i, or null when absent. */
static void string_key(FILE *f, const struct exray_rec_hdr *h, unsigned i, const char *k)
{
	key(f, k);
	json_write_str(f, exray_rec_string(h, i));
}

static void hex_key(FILE *f, const char *k, __u64 v)
{
	fprintf(f, ",\"%s\":\"%016llx\"", k, (unsigned long long)v);
}

/* A device number in the kernel's encoding (major << 20 | minor). */
static void dev_key(FILE *f, const char *k, __u32 dev)
{
	fprintf(f, ",\"%s\":\"%u:%u\"", k, dev >> 20, dev & 0xfffff);
}

static void exec_ext_keys(FILE *f, const struct exray_exec *e)
{
	const char *exe, *cwd;
	const struct exray_exec_ext *x = exray_exec_ext(e, &exe, &cwd);

	if (!x)
		return;
	fprintf(f, ",\"tty\":%s", x->tty ? "true" : "false");
	if (x->tty)
		dev_key(f, "tty_dev", x->tty);
	key(f, "cwd");
	json_write_str(f, cwd);
	key(f, "exe");
	json_write_str(f, exe);
	bits_key(f, "exe_flags", exe_flag_names, sizeof(exe_flag_names) / sizeof(exe_flag_names[0]),
		 x->exe_flags);
	hex_key(f, "cap_effective", x->cap_effective);
	fprintf(f, ",\"exe_ino\":%llu", (unsigned long long)x->exe_ino);
	dev_key(f, "exe_dev", x->exe_dev);
}

/* 1.5: a cgroup control file's cgroup, the filesystem, a file handle */
static void file_ext_keys(FILE *f, const struct exray_file_ext *x)
{
	if (!x)
		return;
	if (x->cgroup_id)
		fprintf(f, ",\"cgroup_target\":%llu", (unsigned long long)x->cgroup_id);
	if (x->fs_magic)
		fprintf(f, ",\"fs_magic\":\"0x%x\"", x->fs_magic);
	if (x->handle_bytes || x->handle_type) {
		fprintf(f, ",\"handle_type\":%d,\"handle_bytes\":%u,\"handle\":\"", x->handle_type,
			x->handle_bytes);
		for (unsigned i = 0; i < sizeof(x->handle) && i < x->handle_bytes; i++)
			fprintf(f, "%02x", x->handle[i]);
		fputc('"', f);
	}
}

static void file_keys(FILE *f, const struct exray_file *r)
{
	const struct exray_rec_hdr *h = &r->hdr;

	rec_op_key(f, EXRAY_REC_FILE, r->op);
	fprintf(f, ",\"ret\":%d", r->ret);
	string_key(f, h, 0, "path");
	if (r->path2_len)
		string_key(f, h, 1, "path2");
	fprintf(f, ",\"flags\":%u,\"mode\":\"0%03o\"", r->open_flags, r->mode);
	if (r->op == EXRAY_FILE_CHOWN)
		fprintf(f, ",\"owner_uid\":%d,\"owner_gid\":%d", (int)r->uid, (int)r->gid);
	flag_key(f, h, EXRAY_F_PATH_UNRESOLVED, "path_unresolved");
	flag_key(f, h, EXRAY_F_PATH_TRUNCATED, "path_truncated");
	flag_key(f, h, EXRAY_F_PATH_UNREADABLE, "path_unreadable");
	flag_key(f, h, EXRAY_F_PATH2_UNRESOLVED, "path2_unresolved");
	flag_key(f, h, EXRAY_F_PATH2_TRUNCATED, "path2_truncated");
	flag_key(f, h, EXRAY_F_PATH2_UNREADABLE, "path2_unreadable");
	fprintf(f, ",\"sensitive\":%s,\"exec_bits\":%s",
		h->flags & EXRAY_F_FILE_SENSITIVE ? "true" : "false",
		h->flags & EXRAY_F_FILE_EXEC_BITS ? "true" : "false");
	flag_key(f, h, EXRAY_F_FILE_OTHER_MOUNT, "other_mount");
	if (r->rdev)
		dev_key(f, "rdev", r->rdev);
	flag_key(f, h, EXRAY_F_FILE_OUTSIDE_MNTNS, "outside_mntns");
	flag_key(f, h, EXRAY_F_PATH_ABSTRACT, "path_abstract");
	flag_key(f, h, EXRAY_F_PATH2_ABSTRACT, "path2_abstract");
	file_ext_keys(f, exray_file_ext(r));
}

static void ids_key(FILE *f, const char *k, const __u32 ids[3])
{
	fprintf(f, ",\"%s\":[%d,%d,%d]", k, (int)ids[0], (int)ids[1], (int)ids[2]);
}

static void priv_keys(FILE *f, const struct exray_priv *r)
{
	bool gid = r->op == EXRAY_PRIV_SETGID || r->op == EXRAY_PRIV_SETREGID ||
		   r->op == EXRAY_PRIV_SETRESGID || r->op == EXRAY_PRIV_SETFSGID;

	rec_op_key(f, EXRAY_REC_PRIV, r->op);
	fprintf(f, ",\"ret\":%d", r->ret);
	if (r->op != EXRAY_PRIV_CAPSET) {
		ids_key(f, gid ? "old_gid" : "old_uid", r->old_ids);
		ids_key(f, gid ? "new_gid" : "new_uid", r->new_ids);
	}
	hex_key(f, "cap_effective_old", r->cap_effective_old);
	hex_key(f, "cap_effective", r->cap_effective);
	hex_key(f, "cap_permitted", r->cap_permitted);
}

static void ns_keys(FILE *f, const struct exray_ns *r)
{
	const struct exray_rec_hdr *h = &r->hdr;
	const char *target = exray_rec_string(h, 0);

	rec_op_key(f, EXRAY_REC_NS, r->op);
	fprintf(f, ",\"ret\":%d", r->ret);
	bits_key(f, "nstype", ns_names, 8, r->nstypes);
	fprintf(f, ",\"flags\":%llu", (unsigned long long)r->flags);
	key(f, "target");
	if (target)
		json_write_str(f, target);
	else if (r->target_pid)
		fprintf(f, "%u", r->target_pid);
	else
		fputs("null", f);
	if (r->target_pid)
		fprintf(f, ",\"target_pid\":%u", r->target_pid);
	if (r->target_ns)
		fprintf(f, ",\"target_ns\":%u", r->target_ns);
	if (r->source_len)
		string_key(f, h, 1, "source");
	if (r->fstype_len)
		string_key(f, h, 2, "fstype");
	flag_key(f, h, EXRAY_F_NS_TARGET_TRUNCATED, "target_truncated");
	flag_key(f, h, EXRAY_F_NS_STRING_UNREADABLE, "string_unreadable");
}

static void ptrace_keys(FILE *f, const struct exray_ptrace *r)
{
	rec_op_key(f, EXRAY_REC_PTRACE, r->op);
	fprintf(f, ",\"ret\":%d,\"target_pid\":%u,\"target_start\":%llu,\"request\":%lld",
		r->ret, r->target_pid, (unsigned long long)r->target_start, (long long)r->request);
	if (r->addr)
		fprintf(f, ",\"addr\":\"%llx\"", (unsigned long long)r->addr);
}

static void socket_keys(FILE *f, const struct exray_socket *r)
{
	char a[ADDR_TEXT_LEN];

	rec_op_key(f, EXRAY_REC_SOCKET, r->op);
	fprintf(f, ",\"ret\":%d,\"family\":%u,\"sock_type\":%u,\"protocol\":%u,\"fd\":%d",
		r->ret, r->family, r->sock_type, r->protocol, r->fd);
	if (r->op == EXRAY_SOCKET_DUP_STDIO)
		fprintf(f, ",\"oldfd\":%d", r->oldfd);
	if (r->sock)
		fprintf(f, ",\"sock\":\"%llx\"", (unsigned long long)r->sock);
	if (r->peer_family)
		fprintf(f, ",\"peer_family\":%u,\"daddr\":\"%s\",\"dport\":%u", r->peer_family,
			addr_text(a, r->peer_family, r->daddr), r->dport);
}

static void memfd_keys(FILE *f, const struct exray_memfd *r)
{
	fprintf(f, ",\"op\":\"create\",\"ret\":%d", r->ret);
	string_key(f, &r->hdr, 0, "name");
	fprintf(f, ",\"flags\":%u", r->mfd_flags);
	flag_key(f, &r->hdr, EXRAY_F_MEMFD_NAME_UNREADABLE, "name_unreadable");
}

static void bpf_keys(FILE *f, const struct exray_bpf_cmd *r)
{
	op_key(f, "op", r->cmd == 5 ? "prog_load" : NULL, r->cmd); /* BPF_PROG_LOAD */
	fprintf(f, ",\"ret\":%d,\"cmd\":%u,\"prog_type\":%u,\"insn_cnt\":%u", r->ret, r->cmd,
		r->prog_type, r->insn_cnt);
	key(f, "prog_name");
	json_write_strn(f, r->prog_name, strnlen(r->prog_name, sizeof(r->prog_name)));
}

static void uring_keys(FILE *f, const struct exray_uring *r)
{
	const struct exray_rec_hdr *h = &r->hdr;
	char a[ADDR_TEXT_LEN];

	rec_op_key(f, EXRAY_REC_URING, r->opcode);
	fprintf(f, ",\"opcode\":%u,\"fd\":%d,\"user_data\":%llu", r->opcode, r->fd,
		(unsigned long long)r->user_data);
	string_key(f, h, 0, "path");
	if (r->path2_len)
		string_key(f, h, 1, "path2");
	if (r->family)
		fprintf(f, ",\"family\":%u,\"daddr\":\"%s\",\"dport\":%u", r->family,
			addr_text(a, r->family, r->daddr), r->dport);
	flag_key(f, h, EXRAY_F_URING_PATH_UNRESOLVED, "path_unresolved");
	flag_key(f, h, EXRAY_F_URING_PATH_TRUNCATED, "path_truncated");
	flag_key(f, h, EXRAY_F_URING_PATH_UNREADABLE, "path_unreadable");
}

/* Types 10-17: the task block first, then the family's keys. Each
 * record's length was checked by the reader against its fixed part. */
static void did_keys(struct dump_ctx *c, const struct exray_rec_hdr *h)
{
	FILE *f = c->out;

	task_keys(c, (const struct exray_task *)(h + 1));
	switch (h->type) {
	case EXRAY_REC_FILE: file_keys(f, (const void *)h); break;
	case EXRAY_REC_PRIV: priv_keys(f, (const void *)h); break;
	case EXRAY_REC_NS: ns_keys(f, (const void *)h); break;
	case EXRAY_REC_PTRACE: ptrace_keys(f, (const void *)h); break;
	case EXRAY_REC_SOCKET: socket_keys(f, (const void *)h); break;
	case EXRAY_REC_MEMFD: memfd_keys(f, (const void *)h); break;
	case EXRAY_REC_BPF: bpf_keys(f, (const void *)h); break;
	case EXRAY_REC_URING: uring_keys(f, (const void *)h); break;
	}
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

/* "container":{"id":...,"source":[...],"labels":{...}}: the key/value
 * block of a container record; source repeats, label.KEY become labels. */
static void container_keys(FILE *f, const struct exray_container *ct)
{
	size_t len = 0;
	const char *kv = exray_container_kv(ct, &len);
	int pass, n;

	fputs(",\"container\":{", f);
	for (pass = 0, n = 0; pass < 3; pass++) {
		int first = 1;

		if (pass == 1)
			fputs(n++ ? ",\"source\":[" : "\"source\":[", f);
		if (pass == 2)
			fputs(",\"labels\":{", f);
		for (size_t off = 0; kv && off < len;) {
			const char *k = kv + off, *v = k + strlen(k) + 1;
			int is_src = !strcmp(k, "source"), is_label = !strncmp(k, "label.", 6);

			if (v >= kv + len) /* a key without its value */
				break;
			off = (size_t)(v - kv) + strlen(v) + 1;
			if ((pass == 0 && (is_src || is_label)) || (pass == 1 && !is_src) ||
			    (pass == 2 && !is_label))
				continue;
			if (!first || (pass == 0 && n))
				putc(',', f);
			first = 0;
			if (pass != 1) {
				json_write_str(f, is_label ? k + 6 : k);
				putc(':', f);
			}
			json_write_str(f, v);
			n++;
		}
		if (pass)
			putc(pass == 1 ? ']' : '}', f);
	}
	putc('}', f);
}

static int dump_record(struct dump_ctx *c, const struct exray_rec_hdr *h)
{
	FILE *f = c->out;
	const char *name = exray_rec_type_name(h->type);

	if (h->type == EXRAY_REC_CGROUP) {
		const struct exray_cgroup *cg = (const void *)h;
		const char *path = exray_cgroup_path(cg);
		if (path && remember_cgroup(c, cg->cgroup_id, path))
			return -ENOMEM;
	}
	if (!name || (c->type_mask && !(c->type_mask & (1u << h->type))))
		return 0;
	fprintf(f, "{\"type\":\"%s\",\"ts\":%llu,\"time\":", name, (unsigned long long)h->ts);
	timefmt_boot_json(f, h->ts, c->b2w); /* null when it has no date */
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
		flag_key(f, h, EXRAY_F_FILENAME_TRUNCATED, "filename_truncated");
		flag_key(f, h, EXRAY_F_FILENAME_UNREADABLE, "filename_unreadable");
		flag_key(f, h, EXRAY_F_ARGV_UNREADABLE, "argv_unreadable");
		flag_key(f, h, EXRAY_F_KTHREAD, "kthread");
		flag_key(f, h, EXRAY_F_EXE_TRUNCATED, "exe_truncated");
		flag_key(f, h, EXRAY_F_CWD_TRUNCATED, "cwd_truncated");
		exec_ext_keys(f, e);
		break;
	}
	case EXRAY_REC_FORK:
		task_keys(c, &((const struct exray_fork *)h)->task);
		break;
	case EXRAY_REC_EXIT: {
		const struct exray_exit *x = (const void *)h;
		task_keys(c, &x->task);
		/* the record keeps the raw wait status; the keys give it one
		 * meaning each: the exit code, or the signal that ended it */
		if (x->exit_code & 0x7f)
			fprintf(f, ",\"signal\":%u", x->exit_code & 0x7f);
		else
			fprintf(f, ",\"exit_code\":%u", (x->exit_code >> 8) & 0xff);
		if (x->exit_code & 0x80)
			fputs(",\"core_dumped\":true", f);
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
	case EXRAY_REC_FILE:
	case EXRAY_REC_PRIV:
	case EXRAY_REC_NS:
	case EXRAY_REC_PTRACE:
	case EXRAY_REC_SOCKET:
	case EXRAY_REC_MEMFD:
	case EXRAY_REC_BPF:
	case EXRAY_REC_URING:
		did_keys(c, h);
		break;
	case EXRAY_REC_CONTAINER: {
		const struct exray_container *ct = (const void *)h;
		fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)ct->cgroup_id);
		cgroup_path_key(c, ct->cgroup_id);
		container_keys(f, ct);
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
