/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The dispatch table: one entry per record type, naming its handler and
 * the statements it writes with. A new record type is one entry here, one
 * handler in a rec_*.c file, one test. Types without an entry (and types
 * newer than this exray, which the reader already skipped) are counted and
 * otherwise ignored.
 */
#include <errno.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"

static const struct rec_handler *const handlers[EXRAY_TYPE_SLOTS] = {
	[EXRAY_REC_EXEC] = &handler_exec,
	[EXRAY_REC_FORK] = &handler_fork,
	[EXRAY_REC_EXIT] = &handler_exit,
	[EXRAY_REC_CONNECT] = &handler_connect,
	[EXRAY_REC_SYN] = &handler_syn,
	[EXRAY_REC_SNAPSHOT] = &handler_snapshot,
	[EXRAY_REC_CGROUP] = &handler_cgroup,
	[EXRAY_REC_LOSS] = &handler_loss,
	[EXRAY_REC_CONNECT_RESULT] = &handler_connect_result,
	[EXRAY_REC_FILE] = &handler_file,
	[EXRAY_REC_PRIV] = &handler_priv,
	[EXRAY_REC_NS] = &handler_ns,
	[EXRAY_REC_PTRACE] = &handler_ptrace,
	[EXRAY_REC_SOCKET] = &handler_socket,
	[EXRAY_REC_MEMFD] = &handler_memfd,
	[EXRAY_REC_BPF] = &handler_bpf,
	[EXRAY_REC_URING] = &handler_uring,
	[EXRAY_REC_CONTAINER] = &handler_container,
};

int handlers_prepare(struct ingest *in)
{
	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++)
		for (unsigned k = 0; handlers[t] && k < HANDLER_STMTS && handlers[t]->sql[k]; k++)
			if (db_prepare(in->db, &in->rec_st[t][k], handlers[t]->sql[k]))
				return -EIO;
	return 0;
}

void handlers_finalize(struct ingest *in)
{
	for (unsigned t = 0; t < EXRAY_TYPE_SLOTS; t++)
		for (unsigned k = 0; k < HANDLER_STMTS; k++)
			sqlite3_finalize(in->rec_st[t][k]);
}

int handle_record(struct ingest *in, const struct exray_rec_hdr *h)
{
	/* the reader hands over only records at least as long as their
	 * type's fixed part, with sound strings */
	if (h->type >= EXRAY_TYPE_SLOTS || !handlers[h->type])
		return 0;
	return handlers[h->type]->fn(in, h);
}
