/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Namespaces and mounts: setns (with the inode of the namespace entered),
 * unshare and clone with CLONE_NEW*, mount, umount, pivot_root; attempted
 * or done. Low-rate calls: every one is recorded.
 */
#ifndef EXRAY_NS_BPF_H
#define EXRAY_NS_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

#define CLONE_NEWTIME   0x00000080
#define CLONE_NEWNS     0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS    0x04000000
#define CLONE_NEWIPC    0x08000000
#define CLONE_NEWUSER   0x10000000
#define CLONE_NEWPID    0x20000000
#define CLONE_NEWNET    0x40000000
#define CLONE_NEW_ANY (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
		       CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define NSFS_MAGIC 0x6e736673
#define PID_FS_MAGIC 0x50494446
#define NS_FSTYPE_MAX 64

static __always_inline __u32 ns_bits(__u64 clone_flags)
{
	return (clone_flags & CLONE_NEWNS ? EXRAY_NSB_MNT : 0) |
	       (clone_flags & CLONE_NEWCGROUP ? EXRAY_NSB_CGROUP : 0) |
	       (clone_flags & CLONE_NEWUTS ? EXRAY_NSB_UTS : 0) |
	       (clone_flags & CLONE_NEWIPC ? EXRAY_NSB_IPC : 0) |
	       (clone_flags & CLONE_NEWUSER ? EXRAY_NSB_USER : 0) |
	       (clone_flags & CLONE_NEWPID ? EXRAY_NSB_PID : 0) |
	       (clone_flags & CLONE_NEWNET ? EXRAY_NSB_NET : 0) |
	       (clone_flags & CLONE_NEWTIME ? EXRAY_NSB_TIME : 0);
}

/* Facts of an ns record; its strings are in SLOT_A (target, tl bytes),
 * SLOT_B (source, sl) and SLOT_C (fstype, fl). */
struct nsop {
	__u64 flags;
	__s32 ret;
	__u32 nstypes, target_pid, target_ns;
	__u32 tl, sl, fl;
	__u16 recflags;    /* EXRAY_F_NS_* */
	__u8 op;
};

/* Read a user string (NULL: absent) into slot idx as is; its length (0:
 * absent or unreadable, the latter flagged). */
static __always_inline __u32 raw_user_string(struct scratch *s, __u32 idx, const char *u,
					     __u32 max, struct nsop *o)
{
	long n;

	if (!u)
		return 0;
	n = bpf_probe_read_user_str(s->slot[clamp(idx, NSLOTS - 1)].buf, max, u);
	if (n <= 0) {
		o->recflags |= EXRAY_F_NS_STRING_UNREADABLE;
		return 0;
	}
	return n;
}

/* The target path (joined into SLOT_A) into o. */
static __always_inline void ns_target(struct nsop *o, struct pathres *r)
{
	o->tl = r->len;
	if (r->flags & PR_TRUNCATED)
		o->recflags |= EXRAY_F_NS_TARGET_TRUNCATED;
	if (r->flags & PR_UNREADABLE)
		o->recflags |= EXRAY_F_NS_STRING_UNREADABLE;
}

SUBPROG int emit_ns(struct scratch *s, struct nsop *o)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_ns *n;
	__u32 end, tl, sl, fl;

	if (!s || !o)
		return 0;
	n = (void *)s->rec;
	fill_task_noted(s, &n->task, t);
	n->op = o->op;
	__builtin_memset(n->reserved, 0, sizeof(n->reserved));
	n->ret = o->ret;
	n->flags = o->flags;
	n->nstypes = o->nstypes;
	n->target_pid = o->target_pid;
	n->target_ns = o->target_ns;
	n->reserved2 = 0;
	n->reserved3 = 0;
	tl = clamp(o->tl, EXRAY_PATH_MAX);
	sl = clamp(o->sl, EXRAY_PATH_MAX);
	fl = clamp(o->fl, NS_FSTYPE_MAX);
	n->target_len = tl;
	n->source_len = sl;
	n->fstype_len = fl;
	end = sizeof(*n);
	bpf_probe_read_kernel(s->rec + end, tl, s->slot[SLOT_A].buf);
	end = clamp(end + tl, sizeof(*n) + EXRAY_PATH_MAX);
	bpf_probe_read_kernel(s->rec + end, sl, s->slot[SLOT_B].buf);
	end = clamp(end + sl, sizeof(*n) + 2 * EXRAY_PATH_MAX);
	bpf_probe_read_kernel(s->rec + end, fl, s->slot[SLOT_C].buf);
	output_area_rec(s, end + fl, EXRAY_REC_NS, o->recflags);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setns")
int ns_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pt_regs *r = syscall_regs();
	struct nsop o = { .op = EXRAY_NS_SETNS, .ret = ctx->ret };
	struct file *f;
	struct scratch *s;
	__u64 nstype = SYSARG2(r);

	if (!wanted(EXRAY_EV_NS))
		return 0;
	s = scratch_or_loss(EXRAY_REC_NS);
	if (!s)
		return 0;
	o.flags = nstype;
	o.nstypes = ns_bits(nstype);
	f = task_fd_file(t, SYSARG1(r));
	if (f) {
		struct inode *ino = BPF_CORE_READ(f, f_inode);
		__u64 magic = BPF_CORE_READ(ino, i_sb, s_magic);

		if (magic == NSFS_MAGIC) {
			/* /proc/PID/ns/X: the namespace itself */
			struct ns_common *ns = (void *)BPF_CORE_READ(ino, i_private);

			o.target_ns = BPF_CORE_READ(ns, inum);
			o.nstypes = ns_bits(ns_common_type(ns));
		} else if (magic == PID_FS_MAGIC) {
			/* a pidfd: the namespaces of that process, per nstype */
			struct pid *pid = BPF_CORE_READ(f, private_data);

			o.target_pid = BPF_CORE_READ(pid, numbers[0].nr);
		}
	}
	emit_ns(s, &o);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int ns_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	__u64 flags = SYSARG1(syscall_regs());
	struct nsop o = { .op = EXRAY_NS_UNSHARE, .ret = ctx->ret, .flags = flags,
			  .nstypes = ns_bits(flags) };
	struct scratch *s;

	if (!(flags & CLONE_NEW_ANY) || !wanted(EXRAY_EV_NS))
		return 0;
	s = scratch_or_loss(EXRAY_REC_NS);
	if (s)
		emit_ns(s, &o);
	return 0;
}

/* clone/clone3 with CLONE_NEW*, seen in the parent (ret: the child, or
 * -errno); the child's own return (0) is not a second record. */
static __always_inline int ns_clone(long ret, __u64 flags)
{
	struct nsop o = { .op = EXRAY_NS_CLONE, .ret = ret, .flags = flags,
			  .nstypes = ns_bits(flags), .target_pid = ret > 0 ? ret : 0 };
	struct scratch *s;

	if (ret == 0 || !(flags & CLONE_NEW_ANY) || !wanted(EXRAY_EV_NS))
		return 0;
	s = scratch_or_loss(EXRAY_REC_NS);
	if (s)
		emit_ns(s, &o);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_clone")
int ns_exit_clone(struct trace_event_raw_sys_exit *ctx)
{
	return ns_clone(ctx->ret, SYSARG1(syscall_regs()));
}

SEC("tracepoint/syscalls/sys_exit_clone3")
int ns_exit_clone3(struct trace_event_raw_sys_exit *ctx)
{
	__u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), (void *)SYSARG1(syscall_regs()));
	return ns_clone(ctx->ret, flags);
}

/*
 * mount, umount, pivot_root: target joined into SLOT_A; a source joined too
 * (pivot_root's put_old) or kept as given (mount's: a device, a directory
 * or a name like "proc") into SLOT_B; mount's fstype into SLOT_C.
 */
static __always_inline int ns_paths(struct nsop *o, const char *target, const char *source,
				    bool join_source, const char *fstype)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pathres rt = {}, rs = {};
	struct scratch *s;

	if (!wanted(EXRAY_EV_NS))
		return 0;
	s = scratch_or_loss(EXRAY_REC_NS);
	if (!s)
		return 0;
	join_user(s, SLOT_A, t, AT_FDCWD, target, &rt);
	ns_target(o, &rt);
	if (join_source) {
		join_user(s, SLOT_B, t, AT_FDCWD, source, &rs);
		o->sl = rs.len;
		if (rs.flags & PR_UNREADABLE)
			o->recflags |= EXRAY_F_NS_STRING_UNREADABLE;
	} else {
		o->sl = raw_user_string(s, SLOT_B, source, EXRAY_PATH_MAX, o);
	}
	o->fl = raw_user_string(s, SLOT_C, fstype, NS_FSTYPE_MAX, o);
	emit_ns(s, o);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mount")
int ns_exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct nsop o = { .op = EXRAY_NS_MOUNT, .ret = ctx->ret, .flags = SYSARG4(r) };

	return ns_paths(&o, (void *)SYSARG2(r), (void *)SYSARG1(r), false, (void *)SYSARG3(r));
}

/* umount2(target, flags): the tracepoint is named after the old umount */
SEC("tracepoint/syscalls/sys_exit_umount")
int ns_exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct nsop o = { .op = EXRAY_NS_UMOUNT, .ret = ctx->ret, .flags = SYSARG2(r) };

	return ns_paths(&o, (void *)SYSARG1(r), NULL, false, NULL);
}

/* pivot_root(new_root, put_old): target the new root, source put_old. */
SEC("tracepoint/syscalls/sys_exit_pivot_root")
int ns_exit_pivot_root(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct nsop o = { .op = EXRAY_NS_PIVOT_ROOT, .ret = ctx->ret };

	return ns_paths(&o, (void *)SYSARG1(r), (void *)SYSARG2(r), true, NULL);
}

#endif /* EXRAY_NS_BPF_H */
