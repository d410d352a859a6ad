/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handlers of what a process did (format 1.2: file, priv, ns, ptrace,
 * socket, memfd, bpf, uring): one row each in the family's table, linked
 * like a connection to the acting process, the image it ran then and its
 * container. The record's own task block says who; failed calls are kept
 * with their ret.
 */
#include <errno.h>
#include "ingest/ingest_int.h"
#include "text/opnames.h"

/* The columns every family's table starts with: ?1..?16. */
#define ACT_COLS                                                                               \
	"proc_id,host_id,pid,start,tid,ts,exec_id,uid,euid,cgroup_id,container_id,comm,"        \
	"segment_id,op,ret,rec_flags"
#define ACT_VALS "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16"
#define ACT_FIRST 17 /* the family's own columns start here */

/*
 * Touch the acting process and bind the common columns. op is the op's
 * name (a static string or op_buf); ret_known: 0 binds ret as NULL.
 */
static int bind_act(struct ingest *in, sqlite3_stmt *st, const struct exray_rec_hdr *h,
		    const struct exray_task *t, const char *op, int ret_known, __s32 ret)
{
	int err;
	struct proc *p = proc_touch(in, t, h->ts, 0, &err);

	if (!p)
		return err;
	sqlite3_bind_int64(st, 1, p->proc_id);
	sqlite3_bind_int64(st, 2, in->host_id);
	sqlite3_bind_int64(st, 3, t->pid);
	sqlite3_bind_int64(st, 4, t->start);
	sqlite3_bind_int64(st, 5, t->tid);
	sqlite3_bind_int64(st, 6, h->ts);
	bind_id(st, 7, proc_image_at(p, h->ts));
	sqlite3_bind_int64(st, 8, t->uid);
	sqlite3_bind_int64(st, 9, t->euid);
	sqlite3_bind_int64(st, 10, t->cgroup_id);
	bind_id(st, 11, cg_container(in, in->host_id, t->cgroup_id));
	bind_fixed(st, 12, t->comm, sizeof(t->comm));
	sqlite3_bind_int64(st, 13, in->segment_id);
	sqlite3_bind_text(st, 14, op, -1, SQLITE_TRANSIENT);
	if (ret_known)
		sqlite3_bind_int(st, 15, ret);
	else
		sqlite3_bind_null(st, 15);
	sqlite3_bind_int(st, 16, h->flags);
	return 0;
}

/* The record's string i, NULL when absent (or unreadable: its flag says). */
static void bind_string(sqlite3_stmt *st, int i, const struct exray_rec_hdr *h, unsigned k)
{
	bind_cstr(st, i, exray_rec_string(h, k));
}

/* The 1.5 file extension's columns (cgroup_target ... handle), NULL when
 * the record has none. */
static void bind_file_ext(sqlite3_stmt *st, int i, const struct exray_file_ext *x)
{
	char hex[2 * sizeof(x->handle) + 1];
	bool handle = x && (x->handle_bytes || x->handle_type);

	if (x && x->cgroup_id)
		sqlite3_bind_int64(st, i, (sqlite3_int64)x->cgroup_id);
	else
		sqlite3_bind_null(st, i);
	if (x && x->fs_magic)
		sqlite3_bind_int64(st, i + 1, x->fs_magic);
	else
		sqlite3_bind_null(st, i + 1);
	if (!handle) {
		for (int k = 2; k < 5; k++)
			sqlite3_bind_null(st, i + k);
		return;
	}
	sqlite3_bind_int(st, i + 2, x->handle_type);
	sqlite3_bind_int64(st, i + 3, x->handle_bytes);
	for (unsigned k = 0; k < sizeof(x->handle) && k < x->handle_bytes; k++)
		snprintf(hex + 2 * k, 3, "%02x", x->handle[k]);
	sqlite3_bind_text(st, i + 4, hex, 2 * (int)(x->handle_bytes < 8 ? x->handle_bytes : 8),
			  SQLITE_TRANSIENT);
}

static int on_file(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_file *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->op), 1, r->ret)))
		return err;
	bind_string(st, i++, h, 0);
	bind_string(st, i++, h, 1);
	sqlite3_bind_int64(st, i++, r->open_flags);
	sqlite3_bind_int64(st, i++, r->mode);
	if (r->op == EXRAY_FILE_CHOWN) {
		/* 0xffffffff: unchanged, shown as chown(2) takes it */
		sqlite3_bind_int(st, i++, (__s32)r->uid);
		sqlite3_bind_int(st, i++, (__s32)r->gid);
	} else {
		sqlite3_bind_null(st, i++);
		sqlite3_bind_null(st, i++);
	}
	sqlite3_bind_int(st, i++, !!(h->flags & EXRAY_F_FILE_SENSITIVE));
	sqlite3_bind_int(st, i++, !!(h->flags & EXRAY_F_FILE_EXEC_BITS));
	sqlite3_bind_int(st, i++, !!(h->flags & EXRAY_F_PATH_UNRESOLVED));
	if (r->rdev)
		sqlite3_bind_int64(st, i++, r->rdev);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_int(st, i++, !!(h->flags & EXRAY_F_FILE_OTHER_MOUNT));
	sqlite3_bind_int(st, i++, !!(h->flags & EXRAY_F_FILE_OUTSIDE_MNTNS));
	bind_file_ext(st, i, exray_file_ext(r));
	return ingest_step(in, st);
}

static int on_priv(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_priv *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->op), 1, r->ret)))
		return err;
	for (int k = 0; k < 6; k++, i++) {
		__u32 id = k < 3 ? r->old_ids[k] : r->new_ids[k - 3];
		if (r->op == EXRAY_PRIV_CAPSET)
			sqlite3_bind_null(st, i);
		else
			sqlite3_bind_int64(st, i, id);
	}
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->cap_effective_old);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->cap_effective);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->cap_permitted);
	return ingest_step(in, st);
}

static int on_ns(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_ns *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN], types[96];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->op), 1, r->ret)))
		return err;
	if (r->nstypes)
		sqlite3_bind_text(st, i++, ns_types_text(types, sizeof(types), r->nstypes), -1,
				  SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->flags);
	bind_id(st, i++, r->target_pid);
	bind_id(st, i++, r->target_ns);
	bind_string(st, i++, h, 0);
	bind_string(st, i++, h, 1);
	bind_string(st, i++, h, 2);
	sqlite3_bind_int64(st, i++, r->task.pidns);
	sqlite3_bind_int64(st, i++, r->task.mntns);
	sqlite3_bind_int64(st, i++, r->task.netns);
	return ingest_step(in, st);
}

static int on_ptrace(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_ptrace *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->op), 1, r->ret)))
		return err;
	sqlite3_bind_int64(st, i++, r->request);
	bind_id(st, i++, r->target_pid);
	bind_id(st, i++, (sqlite3_int64)r->target_start);
	if (r->op == EXRAY_PTRACE_POKE)
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->addr);
	else
		sqlite3_bind_null(st, i++);
	return ingest_step(in, st);
}

static int on_socket(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_socket *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err, dup = r->op == EXRAY_SOCKET_DUP_STDIO;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->op), 1, r->ret)))
		return err;
	sqlite3_bind_int(st, i++, r->family);
	sqlite3_bind_int(st, i++, r->sock_type);
	sqlite3_bind_int(st, i++, r->protocol);
	sqlite3_bind_int(st, i++, r->fd);
	if (dup)
		sqlite3_bind_int(st, i++, r->oldfd);
	else
		sqlite3_bind_null(st, i++);
	/* its connect (conn_id) is joined on sock at the end of the run */
	bind_id(st, i++, (sqlite3_int64)r->sock);
	if (dup && r->peer_family) {
		sqlite3_bind_int(st, i++, r->peer_family);
		bind_addr(st, i++, r->peer_family, r->daddr);
		sqlite3_bind_int(st, i++, r->dport);
	} else {
		for (int k = 0; k < 3; k++)
			sqlite3_bind_null(st, i++);
	}
	return ingest_step(in, st);
}

static int on_memfd(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_memfd *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, 0), 1, r->ret)))
		return err;
	bind_string(st, i++, h, 0);
	sqlite3_bind_int64(st, i++, r->mfd_flags);
	return ingest_step(in, st);
}

static int on_bpf(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_bpf_cmd *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->cmd), 1, r->ret)))
		return err;
	sqlite3_bind_int64(st, i++, r->cmd);
	sqlite3_bind_int64(st, i++, r->prog_type);
	sqlite3_bind_int64(st, i++, r->insn_cnt);
	bind_fixed(st, i++, r->prog_name, sizeof(r->prog_name));
	return ingest_step(in, st);
}

static int on_uring(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_uring *r = (const void *)h;
	sqlite3_stmt *st = in->rec_st[h->type][0];
	char ob[OPNAME_LEN];
	int i = ACT_FIRST, err;

	/* a submission: its completion (the result) is not recorded */
	if ((err = bind_act(in, st, h, &r->task, rec_op_name(ob, h->type, r->opcode), 0, 0)))
		return err;
	sqlite3_bind_int(st, i++, r->opcode);
	sqlite3_bind_int(st, i++, r->fd);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->user_data);
	bind_string(st, i++, h, 0);
	bind_string(st, i++, h, 1);
	if (r->family) {
		sqlite3_bind_int(st, i++, r->family);
		bind_addr(st, i++, r->family, r->daddr);
		sqlite3_bind_int(st, i++, r->dport);
	} else {
		for (int k = 0; k < 3; k++)
			sqlite3_bind_null(st, i++);
	}
	return ingest_step(in, st);
}

#define ACT_INSERT(table, cols, vals) \
	"INSERT INTO " table "(" ACT_COLS "," cols ") VALUES(" ACT_VALS "," vals ")"

const struct rec_handler handler_file = { on_file, { ACT_INSERT("file_events",
	"path,path2,open_flags,mode,owner_uid,owner_gid,sensitive,exec_bits,path_unresolved,rdev,"
	"other_mount,outside_mntns,cgroup_target,fs_magic,handle_type,handle_bytes,handle",
	"?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33") } };
const struct rec_handler handler_priv = { on_priv, { ACT_INSERT("priv_events",
	"old_real,old_effective,old_saved,new_real,new_effective,new_saved,cap_effective_old,"
	"cap_effective,cap_permitted", "?17,?18,?19,?20,?21,?22,?23,?24,?25") } };
const struct rec_handler handler_ns = { on_ns, { ACT_INSERT("ns_events",
	"nstypes,call_flags,target_pid,target_ns,target,source,fstype,pidns,mntns,netns",
	"?17,?18,?19,?20,?21,?22,?23,?24,?25,?26") } };
const struct rec_handler handler_ptrace = { on_ptrace, { ACT_INSERT("ptrace_events",
	"request,target_pid,target_start,addr", "?17,?18,?19,?20") } };
const struct rec_handler handler_socket = { on_socket, { ACT_INSERT("socket_events",
	"family,sock_type,protocol,fd,oldfd,sock,peer_family,daddr,dport",
	"?17,?18,?19,?20,?21,?22,?23,?24,?25") } };
const struct rec_handler handler_memfd = { on_memfd, { ACT_INSERT("memfd_events",
	"name,mfd_flags", "?17,?18") } };
const struct rec_handler handler_bpf = { on_bpf, { ACT_INSERT("bpf_events",
	"cmd,prog_type,insn_cnt,prog_name", "?17,?18,?19,?20") } };
const struct rec_handler handler_uring = { on_uring, { ACT_INSERT("uring_events",
	"opcode,fd,user_data,path,path2,family,daddr,dport", "?17,?18,?19,?20,?21,?22,?23,?24") } };
