/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Sockets that matter to a responder: AF_PACKET and SOCK_RAW creation
 * (sniffers, hand-made packets), and a socket duplicated onto fd 0, 1 or 2
 * (dup, dup2, dup3, fcntl F_DUPFD): the mark of a reverse shell, with the
 * socket's peer and the same keyed socket id as its connect record.
 */
#ifndef EXRAY_NET_BPF_H
#define EXRAY_NET_BPF_H

#include "common.bpf.h"

#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf
#define S_IFSOCK 0140000
#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030

/* The struct sock behind fd (NULL if fd is not a socket). */
static __always_inline struct sock *fd_sock(struct task_struct *t, int fd)
{
	struct file *f = task_fd_file(t, fd);
	struct socket *so;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

static __always_inline struct exray_socket *socket_rec(struct scratch *s, __u8 op, long ret)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_socket *r = (void *)s->rec;

	__builtin_memset(r, 0, sizeof(*r));
	fill_task_noted(s, &r->task, t);
	r->op = op;
	r->ret = ret;
	return r;
}

SEC("tracepoint/syscalls/sys_exit_socket")
int sock_exit_socket(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = syscall_regs();
	int family = SYSARG1(regs), type = SYSARG2(regs), protocol = SYSARG3(regs);
	struct exray_socket *r;
	struct scratch *s;
	__u8 op;

	if (family == AF_PACKET)
		op = EXRAY_SOCKET_PACKET;
	else if ((type & SOCK_TYPE_MASK) == SOCK_RAW)
		op = EXRAY_SOCKET_RAW;
	else
		return 0;
	if (!wanted(EXRAY_EV_SOCKET))
		return 0;
	s = scratch_or_loss(EXRAY_REC_SOCKET);
	if (!s)
		return 0;
	r = socket_rec(s, op, ctx->ret);
	r->family = family;
	r->sock_type = type & SOCK_TYPE_MASK;
	r->protocol = protocol;
	r->fd = ctx->ret;
	r->oldfd = -1;
	if (ctx->ret >= 0) {
		struct sock *sk = fd_sock((void *)bpf_get_current_task(), ctx->ret);

		if (sk)
			r->sock = sock_id((__u64)sk);
	}
	fill_hdr(&r->hdr, EXRAY_REC_SOCKET, 0, sizeof(*r));
	output_rec(r, sizeof(*r), EXRAY_REC_SOCKET, sizeof(*r));
	return 0;
}

/* newfd (the call's result) is 0, 1 or 2 and now holds a socket. */
static __always_inline int dup_stdio(long newfd, int oldfd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_socket *r;
	struct scratch *s;
	struct sock *sk;
	__u16 family;

	if (newfd < 0 || newfd > 2 || !wanted(EXRAY_EV_SOCKET))
		return 0;
	sk = fd_sock(t, newfd);
	if (!sk)
		return 0;
	s = scratch_or_loss(EXRAY_REC_SOCKET);
	if (!s)
		return 0;
	r = socket_rec(s, EXRAY_SOCKET_DUP_STDIO, newfd);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->family = family;
	r->sock_type = BPF_CORE_READ(sk, sk_type);
	r->protocol = BPF_CORE_READ(sk, sk_protocol);
	r->fd = newfd;
	r->oldfd = oldfd;
	r->sock = sock_id((__u64)sk);
	if (family == AF_INET) {
		r->peer_family = EXRAY_FAMILY_V4;
		bpf_core_read(r->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		r->peer_family = EXRAY_FAMILY_V6;
		bpf_core_read(r->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	if (r->peer_family)
		r->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	fill_hdr(&r->hdr, EXRAY_REC_SOCKET, 0, sizeof(*r));
	output_rec(r, sizeof(*r), EXRAY_REC_SOCKET, sizeof(*r));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_dup")
int sock_exit_dup(struct trace_event_raw_sys_exit *ctx)
{
	return dup_stdio(ctx->ret, SYSARG1(syscall_regs()));
}

SEC("tracepoint/syscalls/sys_exit_dup2")
int sock_exit_dup2(struct trace_event_raw_sys_exit *ctx)
{
	return dup_stdio(ctx->ret, SYSARG1(syscall_regs()));
}

SEC("tracepoint/syscalls/sys_exit_dup3")
int sock_exit_dup3(struct trace_event_raw_sys_exit *ctx)
{
	return dup_stdio(ctx->ret, SYSARG1(syscall_regs()));
}

SEC("tracepoint/syscalls/sys_exit_fcntl")
int sock_exit_fcntl(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	int cmd = SYSARG2(r);

	if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
		return 0;
	return dup_stdio(ctx->ret, SYSARG1(r));
}

#endif /* EXRAY_NET_BPF_H */
