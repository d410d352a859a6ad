/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handlers of the records that make a process: exec and snapshot (a row in
 * execs each, and the process's current image), fork and exit (merged into
 * the process row only).
 */
#include <errno.h>
#include "ingest/ingest_int.h"
#include "text/escape.h"

/* Room for n more bytes in the run's scratch buffer. */
static char *scratch(struct ingest *in, size_t n)
{
	if (n > in->scap) {
		size_t cap = n < 4096 ? 4096 : n * 2;
		char *b = realloc(in->sbuf, cap);
		if (!b)
			return NULL;
		in->sbuf = b;
		in->scap = cap;
	}
	return in->sbuf;
}

/*
 * An argv block (NUL-separated) as a JSON array (json, *jlen) and as the
 * arguments joined by spaces, bytes as recorded (cmd, *clen), both in the
 * scratch buffer. -ENOMEM.
 */
static int argv_texts(struct ingest *in, const char *argv, size_t len, char **json, size_t *jlen,
		      char **cmd, size_t *clen)
{
	/* JSON: 6 bytes per byte at worst, plus quotes, commas, brackets */
	char *b = scratch(in, 9 * len + 8), *d;
	size_t i = 0, n;

	if (!b)
		return -ENOMEM;
	d = b;
	*d++ = '[';
	while (i < len) {
		n = strnlen(argv + i, len - i);
		if (i)
			*d++ = ',';
		*d++ = '"';
		d += json_escape_into(d, argv + i, n);
		*d++ = '"';
		i += n + 1;
	}
	*d++ = ']';
	*json = b;
	*jlen = (size_t)(d - b);
	*cmd = d;
	if (len) /* argv is NULL when the record has none */
		memcpy(d, argv, len);
	while (len && !d[len - 1])
		len--;
	for (i = 0; i < len; i++)
		if (!d[i])
			d[i] = ' ';
	*clen = len;
	return 0;
}

/* The 1.2 extension (the image the kernel ran, cwd, tty, capabilities) at
 * ?i.., NULL for older records. */
static void bind_exec_ext(sqlite3_stmt *st, int i, const struct exray_exec *e)
{
	const char *exe, *cwd;
	const struct exray_exec_ext *x = exray_exec_ext(e, &exe, &cwd);

	for (int k = 0; k < 7; k++)
		sqlite3_bind_null(st, i + k);
	if (!x)
		return;
	bind_cstr(st, i, exe);
	bind_cstr(st, i + 1, cwd);
	sqlite3_bind_int64(st, i + 2, x->tty);
	sqlite3_bind_int64(st, i + 3, x->exe_flags);
	sqlite3_bind_int64(st, i + 4, (sqlite3_int64)x->cap_effective);
	sqlite3_bind_int64(st, i + 5, (sqlite3_int64)x->exe_ino);
	sqlite3_bind_int64(st, i + 6, x->exe_dev);
}

static int on_exec(struct ingest *in, const struct exray_exec *e, int snapshot)
{
	sqlite3_stmt *st = in->rec_st[e->hdr.type][0];
	const struct exray_task *t = &e->task;
	size_t alen = 0, clen = 0, jlen = 0;
	const char *argv = exray_exec_argv(e, &alen);
	char *json = NULL, *cmd = NULL;
	int err;
	struct proc *p = proc_touch(in, t, e->hdr.ts, 1, &err);

	if (!p)
		return err;
	p->flags |= snapshot ? PF_SNAPSHOT : PF_EXEC;
	if (e->hdr.flags & EXRAY_F_KTHREAD)
		p->flags |= PF_KTHREAD;
	if (!argv)
		alen = 0;
	if ((err = argv_texts(in, argv, alen, &json, &jlen, &cmd, &clen)))
		return err;
	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, in->host_id);
	sqlite3_bind_int64(st, 3, t->pid);
	sqlite3_bind_int64(st, 4, t->start);
	sqlite3_bind_int64(st, 5, e->hdr.ts);
	sqlite3_bind_text(st, 6, snapshot ? "snapshot" : "exec", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, t->tid);
	sqlite3_bind_int64(st, 8, e->ret);
	bind_cstr(st, 9, exray_exec_filename(e));
	sqlite3_bind_text(st, 10, json, (int)jlen, SQLITE_STATIC);
	if (argv)
		sqlite3_bind_text(st, 11, cmd, (int)clen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_int(st, 12, !!(e->hdr.flags & EXRAY_F_ARGV_TRUNCATED));
	sqlite3_bind_int(st, 13, !!(e->hdr.flags & EXRAY_F_FILENAME_TRUNCATED));
	sqlite3_bind_int64(st, 14, t->uid);
	sqlite3_bind_int64(st, 15, t->gid);
	sqlite3_bind_int64(st, 16, t->euid);
	sqlite3_bind_int64(st, 17, t->egid);
	sqlite3_bind_int64(st, 18, t->ppid);
	sqlite3_bind_int64(st, 19, t->cgroup_id);
	bind_id(st, 20, cg_container(in, in->host_id, t->cgroup_id));
	sqlite3_bind_int64(st, 21, t->pidns);
	sqlite3_bind_int64(st, 22, t->mntns);
	sqlite3_bind_int64(st, 23, t->netns);
	sqlite3_bind_int64(st, 24, t->vpid);
	bind_fixed(st, 25, t->comm, sizeof(t->comm));
	sqlite3_bind_int64(st, 26, in->segment_id);
	bind_exec_ext(st, 27, e);
	if ((err = ingest_step(in, st)))
		return err;
	if (e->ret == 0) {
		/* the current image; a connection already placed after this
		 * exec's time took an older image: re-link it at the end */
		if (!p->img_id || e->hdr.ts >= p->img_ts) {
			p->img_id = sqlite3_last_insert_rowid(in->db);
			p->img_ts = e->hdr.ts;
		}
		if (p->has_linked && e->hdr.ts <= p->max_linked_ts)
			p->relink = 1;
	}
	return 0;
}

static int on_exec_rec(struct ingest *in, const struct exray_rec_hdr *h)
{
	return on_exec(in, (const void *)h, h->type == EXRAY_REC_SNAPSHOT);
}

static int on_fork(struct ingest *in, const struct exray_rec_hdr *h)
{
	int err;
	struct proc *p = proc_touch(in, &((const struct exray_fork *)h)->task, h->ts, 1, &err);

	if (!p)
		return err;
	p->flags |= PF_FORK;
	if (!p->has_fork || h->ts < p->fork_ts)
		p->fork_ts = h->ts;
	p->has_fork = 1;
	return 0;
}

static int on_exit_rec(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_exit *x = (const void *)h;
	int err;
	struct proc *p = proc_touch(in, &x->task, h->ts, 0, &err);

	if (!p)
		return err;
	p->flags |= PF_EXIT;
	p->exit_ts = h->ts;
	p->exit_code = x->exit_code;
	p->has_exit = 1;
	return 0;
}

#define EXEC_INS                                                                               \
	"INSERT INTO execs(proc_id,host_id,pid,start,ts,kind,tid,ret,filename,argv,cmdline,"    \
	"argv_truncated,filename_truncated,uid,gid,euid,egid,ppid,cgroup_id,container_id,"      \
	"pidns,mntns,netns,vpid,comm,segment_id,exe,cwd,tty,exe_flags,cap_effective,exe_ino,"   \
	"exe_dev) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"  \
	"?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33)"
const struct rec_handler handler_exec = { on_exec_rec, { EXEC_INS } };
const struct rec_handler handler_snapshot = { on_exec_rec, { EXEC_INS } };
const struct rec_handler handler_fork = { on_fork, { NULL } };
const struct rec_handler handler_exit = { on_exit_rec, { NULL } };
