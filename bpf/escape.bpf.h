/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File records of how a container reaches outside itself (format 1.5,
 * docs/recorder.md "File events"): connects to AF_UNIX sockets (a runtime's
 * or the host's control socket bound in), and files opened by handle
 * (open_by_handle_at, the "shocker" escape) or turned into one
 * (name_to_handle_at). All are recorded, failed attempts too: they are
 * rare next to opens, and a unix connect costs a two-byte read of the
 * address when it is not AF_UNIX (bench/RESULTS.md, "unix connects").
 */
#ifndef EXRAY_ESCAPE_BPF_H
#define EXRAY_ESCAPE_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"
#include "file.bpf.h"

#define SUN_PATH_MAX 108

/* A socket name (sun_path bytes b[0..n)) into slot idx as text: a path as
 * given (relative ones marked unresolved), an abstract name (b[0] == 0) as
 * "@name" with its NUL bytes shown as '@', as ss and Falco show them. */
static __always_inline void sun_to_slot(struct scratch *s, __u32 idx, const char *b, int n,
					struct pathres *r, __u16 *flags, __u16 f_abstract)
{
	char *out = s->slot[clamp(idx, NSLOTS - 1)].buf;
	long len;

	r->last = r->parent = PR_NONE;
	r->flags = 0;
	r->len = 0;
	if (n <= 0)
		return;
	if (b[0] == 0) {
		out[0] = '@';
		for (int i = 1; i < SUN_PATH_MAX; i++) {
			if (i >= n)
				break;
			out[i] = b[i] ? b[i] : '@';
		}
		n = clamp(n, SUN_PATH_MAX);
		out[n] = 0;
		r->len = n + 1;
		*flags |= f_abstract;
		return;
	}
	len = bpf_probe_read_kernel_str(out, clamp(n, SUN_PATH_MAX) + 1, b);
	r->len = len > 0 ? len : 0;
	if (b[0] != '/')
		r->flags = PR_UNRESOLVED;
}

/* connect(fd, addr, addrlen) of an AF_UNIX socket: the name given and,
 * once connected, the name its listening peer was bound to. */
SEC("tracepoint/syscalls/sys_exit_connect")
int file_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fileop o = { .op = EXRAY_FILE_CONNECT, .ret = ctx->ret };
	struct pathres r1 = {}, r2 = {};
	char b[SUN_PATH_MAX] = {};
	struct pt_regs *regs;
	const char *ua;
	__u16 family = 0;
	struct scratch *s;
	long n;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	regs = syscall_regs();
	ua = (void *)SYSARG2(regs);
	if (bpf_probe_read_user(&family, sizeof(family), ua) || family != AF_UNIX)
		return 0;
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	n = (long)(int)SYSARG3(regs) - 2;
	if (n > 0 && bpf_probe_read_user(b, clamp(n, SUN_PATH_MAX), ua + 2) == 0)
		sun_to_slot(s, SLOT_A, b, n, &r1, &o.flags, EXRAY_F_PATH_ABSTRACT);
	else
		r1.flags = PR_UNREADABLE, r1.last = r1.parent = PR_NONE;
	if (ctx->ret == 0) {
		struct file *f = task_fd_file(t, (int)SYSARG1(regs));
		struct socket *so = f ? BPF_CORE_READ(f, private_data) : NULL;
		struct unix_sock *me = (void *)BPF_CORE_READ(so, sk);
		struct unix_sock *peer = (void *)BPF_CORE_READ(me, peer);
		struct unix_address *a = BPF_CORE_READ(peer, addr);
		int alen = a ? BPF_CORE_READ(a, len) - 2 : 0;

		__builtin_memset(b, 0, sizeof(b));
		if (alen > 0 && bpf_probe_read_kernel(b, clamp(alen, SUN_PATH_MAX),
						      (void *)a->name[0].sun_path) == 0)
			sun_to_slot(s, SLOT_B, b, alen, &r2, &o.flags, EXRAY_F_PATH2_ABSTRACT);
	}
	emit_file(s, &o, &r1, &r2, 0);
	return 0;
}

/* struct file_handle's head at user address uh into the extension. */
static __always_inline void read_handle(struct exray_file_ext *x, const void *uh)
{
	struct { __u32 bytes; __s32 type; __u8 h[8]; } fh = {};

	if (bpf_probe_read_user(&fh, sizeof(fh), uh))
		bpf_probe_read_user(&fh, 8, uh);
	x->handle_bytes = fh.bytes;
	x->handle_type = fh.type;
	for (int i = 0; i < 8; i++)
		x->handle[i] = i < fh.bytes ? fh.h[i] : 0;
}

/* open_by_handle_at(mount_fd, handle, flags): the file reached (when
 * opened) and the mount fd's path; the handle as given. */
SEC("tracepoint/syscalls/sys_exit_open_by_handle_at")
int file_exit_open_by_handle_at(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fileop o = { .op = EXRAY_FILE_OPEN_BY_HANDLE, .ret = ctx->ret, .ext = true };
	struct pathres r1 = { .last = PR_NONE, .parent = PR_NONE }, r2 = {};
	struct pt_regs *regs;
	struct scratch *s;
	struct file *f;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	regs = syscall_regs();
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	o.open_flags = SYSARG3(regs);
	read_handle(&o.x, (void *)SYSARG2(regs));
	f = ctx->ret >= 0 ? task_fd_file(t, ctx->ret) : NULL;
	if (f) {
		walk_file(s, SLOT_A, f, t, &r1);
		o.outside = outside_mntns(f, t);
		o.other_mount = on_other_mount(f, t);
		o.x.fs_magic = BPF_CORE_READ(f, f_path.dentry, d_sb, s_magic);
	}
	f = task_fd_file(t, (int)SYSARG1(regs));
	if (f)
		walk_file(s, SLOT_B, f, t, &r2);
	else
		r2.last = r2.parent = PR_NONE;
	emit_file(s, &o, &r1, &r2, 0);
	return 0;
}

/* name_to_handle_at(dirfd, path, handle, mount_id, flags): the path and,
 * when made, the handle. */
SEC("tracepoint/syscalls/sys_exit_name_to_handle_at")
int file_exit_name_to_handle_at(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fileop o = { .op = EXRAY_FILE_NAME_TO_HANDLE, .ret = ctx->ret, .ext = true };
	struct pathres r1 = {};
	struct pt_regs *regs;
	struct scratch *s;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	regs = syscall_regs();
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	o.open_flags = SYSARG5(regs);
	if (ctx->ret == 0)
		read_handle(&o.x, (void *)SYSARG3(regs));
	join_user(s, SLOT_A, t, (int)SYSARG1(regs), (void *)SYSARG2(regs), &r1);
	emit_file(s, &o, &r1, NULL, 0);
	return 0;
}

#endif /* EXRAY_ESCAPE_BPF_H */
