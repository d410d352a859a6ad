/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring submissions that no syscall tracepoint sees (a known blind spot
 * of syscall-based tools): the io_uring_submit_req tracepoint fires once a
 * request is prepared, in the submitting task (or its SQPOLL thread, which
 * shares its mm), so the kernel's copies of its paths and addresses are
 * there to read. Only security-relevant opcodes are recorded.
 */
#ifndef EXRAY_URING_BPF_H
#define EXRAY_URING_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

enum {
	URING_ACCEPT = 13, URING_CONNECT = 16, URING_OPENAT = 18, URING_OPENAT2 = 28,
	URING_RENAMEAT = 35, URING_UNLINKAT = 36, URING_MKDIRAT = 37, URING_SYMLINKAT = 38,
	URING_LINKAT = 39, URING_FSETXATTR = 41, URING_SETXATTR = 42, URING_SOCKET = 45,
	URING_FTRUNCATE = 55, URING_BIND = 56, URING_LISTEN = 57,
};

static __always_inline bool uring_wanted_op(__u8 op)
{
	switch (op) {
	case URING_ACCEPT: case URING_CONNECT: case URING_OPENAT: case URING_OPENAT2:
	case URING_RENAMEAT: case URING_UNLINKAT: case URING_MKDIRAT: case URING_SYMLINKAT:
	case URING_LINKAT: case URING_FSETXATTR: case URING_SETXATTR: case URING_SOCKET:
	case URING_FTRUNCATE: case URING_BIND: case URING_LISTEN:
		return true;
	default:
		return false;
	}
}

/* The paths of a request: its (dirfd, struct filename) pairs. */
struct uring_paths {
	__s32 dfd1, dfd2;
	struct filename *p1, *p2;
};

static __always_inline void uring_req_paths(void *req, __u8 op, struct uring_paths *u)
{
	switch (op) {
	case URING_OPENAT:
	case URING_OPENAT2: {
		struct io_open *o = req; /* the request's command area starts it */
		u->dfd1 = BPF_CORE_READ(o, dfd);
		u->p1 = BPF_CORE_READ(o, filename);
		break;
	}
	case URING_RENAMEAT: {
		struct io_rename *o = req;
		u->dfd1 = BPF_CORE_READ(o, old_dfd);
		u->p1 = BPF_CORE_READ(o, oldpath);
		u->dfd2 = BPF_CORE_READ(o, new_dfd);
		u->p2 = BPF_CORE_READ(o, newpath);
		break;
	}
	case URING_UNLINKAT: {
		struct io_unlink *o = req;
		u->dfd1 = BPF_CORE_READ(o, dfd);
		u->p1 = BPF_CORE_READ(o, filename);
		break;
	}
	case URING_MKDIRAT: {
		struct io_mkdir *o = req;
		u->dfd1 = BPF_CORE_READ(o, dfd);
		u->p1 = BPF_CORE_READ(o, filename);
		break;
	}
	case URING_SYMLINKAT:
	case URING_LINKAT: {
		struct io_link *o = req;
		u->dfd1 = BPF_CORE_READ(o, old_dfd);
		u->p1 = BPF_CORE_READ(o, oldpath);
		u->dfd2 = BPF_CORE_READ(o, new_dfd);
		u->p2 = BPF_CORE_READ(o, newpath);
		break;
	}
	}
}

/* The path of one (dirfd, filename) into slot idx; record flags. */
static __always_inline __u32 uring_path(struct scratch *s, __u32 idx, struct task_struct *t,
					int dfd, struct filename *fn, bool raw, __u16 *flags)
{
	struct pathres r = {};

	if (!fn)
		return 0;
	r.kstr = 1;
	if (raw) { /* symlinkat's target: text, never resolved */
		long n = bpf_probe_read_kernel_str(s->slot[clamp(idx, NSLOTS - 1)].buf,
						   EXRAY_PATH_MAX, BPF_CORE_READ(fn, name));

		r.len = n > 0 ? n : 0;
		r.flags = n > 0 ? PR_UNRESOLVED : PR_UNREADABLE;
	} else {
		r.upath = (__u64)BPF_CORE_READ(fn, name);
		r.dirfd = dfd;
		join_path(s, idx, (__u64)t, &r);
	}
	if (r.flags & PR_UNREADABLE)
		*flags |= EXRAY_F_URING_PATH_UNREADABLE;
	if (r.flags & PR_UNRESOLVED)
		*flags |= EXRAY_F_URING_PATH_UNRESOLVED;
	if (r.flags & PR_TRUNCATED)
		*flags |= EXRAY_F_URING_PATH_TRUNCATED;
	return r.len;
}

/* connect: the destination, from the kernel's copy of the address when
 * the request has one, else from the submitter's memory (its mm is the
 * current one, SQPOLL thread included). */
static __always_inline void uring_connect_addr(void *req, struct exray_uring *u)
{
	struct io_kiocb *k = req;
	struct io_async_msghdr *am = BPF_CORE_READ(k, async_data);
	struct sockaddr_in6 sa = {};

	if (am)
		bpf_probe_read_kernel(&sa, sizeof(sa), &am->addr);
	if (sa.sin6_family != AF_INET && sa.sin6_family != AF_INET6)
		bpf_probe_read_user(&sa, sizeof(sa), BPF_CORE_READ((struct io_connect *)req, addr));
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (void *)&sa;

		u->family = EXRAY_FAMILY_V4;
		__builtin_memcpy(u->daddr, &in->sin_addr, 4);
		u->dport = bpf_ntohs(in->sin_port);
	} else if (sa.sin6_family == AF_INET6) {
		u->family = EXRAY_FAMILY_V6;
		__builtin_memcpy(u->daddr, &sa.sin6_addr, 16);
		u->dport = bpf_ntohs(sa.sin6_port);
	}
}

SEC("tracepoint/io_uring/io_uring_submit_req")
int uring_submit_req(struct trace_event_raw_io_uring_submit_req *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct uring_paths p = { .dfd1 = AT_FDCWD, .dfd2 = AT_FDCWD };
	void *req = ctx->req;
	__u8 op = ctx->opcode;
	struct exray_uring *u;
	struct scratch *s;
	__u32 l1, l2, end;
	__u16 flags = 0;

	if (!uring_wanted_op(op) || !wanted(EXRAY_EV_URING))
		return 0;
	s = scratch_or_loss(EXRAY_REC_URING);
	if (!s)
		return 0;
	uring_req_paths(req, op, &p);
	l1 = uring_path(s, SLOT_A, t, p.dfd1, p.p1, op == URING_SYMLINKAT, &flags);
	l2 = uring_path(s, SLOT_B, t, p.dfd2, p.p2, false, &flags);
	u = (void *)s->rec;
	__builtin_memset(u, 0, sizeof(*u));
	fill_task_noted(s, &u->task, t);
	u->opcode = op;
	u->user_data = ctx->user_data;
	u->fd = p.p1 ? p.dfd1 : BPF_CORE_READ((struct io_kiocb *)req, cqe.fd);
	if (op == URING_CONNECT)
		uring_connect_addr(req, u);
	l1 = clamp(l1, EXRAY_PATH_MAX);
	l2 = clamp(l2, EXRAY_PATH_MAX);
	u->path_len = l1;
	u->path2_len = l2;
	bpf_probe_read_kernel(s->rec + sizeof(*u), l1, s->slot[SLOT_A].buf);
	end = clamp(sizeof(*u) + l1, sizeof(*u) + EXRAY_PATH_MAX);
	bpf_probe_read_kernel(s->rec + end, l2, s->slot[SLOT_B].buf);
	output_area_rec(s, end + l2, EXRAY_REC_URING, flags);
	return 0;
}

#endif /* EXRAY_URING_BPF_H */
