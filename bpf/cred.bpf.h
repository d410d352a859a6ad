/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Privilege and reach into other processes: priv records (setuid, setgid,
 * setre*, setres*, setfs*, capset, attempted or done, with the credentials
 * before and after) and ptrace records (attach, seize, traceme, pokes,
 * process_vm_writev). Low-rate calls: every one is recorded.
 */
#ifndef EXRAY_CRED_BPF_H
#define EXRAY_CRED_BPF_H

#include "common.bpf.h"

/* Credentials at syscall entry, per thread, for the record at exit. */
struct oldcred {
	__u32 uid[3], gid[3];   /* real, effective, saved */
	__u32 fsuid, fsgid;
	__u64 cap_effective;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct oldcred);
} priv_stash SEC(".maps");

static __always_inline void read_cred(struct oldcred *c, const struct cred *cr)
{
	c->uid[0] = BPF_CORE_READ(cr, uid.val);
	c->uid[1] = BPF_CORE_READ(cr, euid.val);
	c->uid[2] = BPF_CORE_READ(cr, suid.val);
	c->gid[0] = BPF_CORE_READ(cr, gid.val);
	c->gid[1] = BPF_CORE_READ(cr, egid.val);
	c->gid[2] = BPF_CORE_READ(cr, sgid.val);
	c->fsuid = BPF_CORE_READ(cr, fsuid.val);
	c->fsgid = BPF_CORE_READ(cr, fsgid.val);
	c->cap_effective = cred_caps(cr, 0);
}

static __always_inline int priv_enter(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oldcred c;

	if (!wanted(EXRAY_EV_PRIV))
		return 0;
	read_cred(&c, BPF_CORE_READ(t, cred));
	bpf_map_update_elem(&priv_stash, &tid, &c, BPF_ANY);
	return 0;
}

/* The ids a priv op is about: uids or gids; setfs* put the fs id third. */
static __always_inline void pick_ids(__u32 out[3], const struct oldcred *c, __u8 op)
{
	bool gid = op == EXRAY_PRIV_SETGID || op == EXRAY_PRIV_SETREGID ||
		   op == EXRAY_PRIV_SETRESGID || op == EXRAY_PRIV_SETFSGID;
	const __u32 *ids = gid ? c->gid : c->uid;

	out[0] = ids[0];
	out[1] = ids[1];
	out[2] = op == EXRAY_PRIV_SETFSUID ? c->fsuid : op == EXRAY_PRIV_SETFSGID ? c->fsgid : ids[2];
}

static __always_inline int priv_exit(long ret, __u8 op)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oldcred *old, now;
	struct exray_priv *p;
	const struct cred *cr;
	struct scratch *s;

	if (!wanted(EXRAY_EV_PRIV))
		return 0;
	old = bpf_map_lookup_elem(&priv_stash, &tid);
	if (!old)
		return 0; /* entered before the recorder attached */
	s = scratch_or_loss(EXRAY_REC_PRIV);
	if (!s)
		return 0;
	p = (void *)s->rec;
	fill_task_noted(s, &p->task, t);
	cr = BPF_CORE_READ(t, cred);
	read_cred(&now, cr);
	p->op = op;
	__builtin_memset(p->reserved, 0, sizeof(p->reserved));
	p->ret = ret;
	pick_ids(p->old_ids, old, op);
	pick_ids(p->new_ids, &now, op);
	p->cap_effective_old = old->cap_effective;
	p->cap_effective = now.cap_effective;
	p->cap_permitted = cred_caps(cr, 1);
	bpf_map_delete_elem(&priv_stash, &tid);
	fill_hdr(&p->hdr, EXRAY_REC_PRIV, 0, sizeof(*p));
	output_rec(p, sizeof(*p), EXRAY_REC_PRIV, sizeof(*p));
	return 0;
}

#define PRIV_CALL(name, op)                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                            \
	int priv_enter_##name(void *ctx)                                       \
	{                                                                      \
		return priv_enter();                                           \
	}                                                                      \
	SEC("tracepoint/syscalls/sys_exit_" #name)                             \
	int priv_exit_##name(struct trace_event_raw_sys_exit *ctx)             \
	{                                                                      \
		return priv_exit(ctx->ret, op);                                \
	}

PRIV_CALL(setuid, EXRAY_PRIV_SETUID)
PRIV_CALL(setgid, EXRAY_PRIV_SETGID)
PRIV_CALL(setreuid, EXRAY_PRIV_SETREUID)
PRIV_CALL(setregid, EXRAY_PRIV_SETREGID)
PRIV_CALL(setresuid, EXRAY_PRIV_SETRESUID)
PRIV_CALL(setresgid, EXRAY_PRIV_SETRESGID)
PRIV_CALL(setfsuid, EXRAY_PRIV_SETFSUID)
PRIV_CALL(setfsgid, EXRAY_PRIV_SETFSGID)
PRIV_CALL(capset, EXRAY_PRIV_CAPSET)

/* --------------------------------------------------------------- ptrace */

#define PTRACE_TRACEME 0
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_SETREGS 13
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206

/* 6.13+: the task of a pid as the caller's pid namespace numbers it. */
extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

static __always_inline __u8 ptrace_op(long request)
{
	switch (request) {
	case PTRACE_ATTACH: return EXRAY_PTRACE_ATTACH;
	case PTRACE_SEIZE: return EXRAY_PTRACE_SEIZE;
	case PTRACE_TRACEME: return EXRAY_PTRACE_TRACEME;
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSR:
	case PTRACE_SETREGS:
	case PTRACE_SETFPREGS:
	case PTRACE_SETREGSET: return EXRAY_PTRACE_POKE;
	default: return 0;
	}
}

/* Emit a ptrace record; vpid: the target as the caller named it (0 for
 * traceme: the target is the parent). */
static __always_inline int emit_ptrace(long ret, __u8 op, __s64 request, __s32 vpid, __u64 addr)
{
	struct task_struct *t = (void *)bpf_get_current_task(), *target;
	struct exray_ptrace *p;
	struct scratch *s;

	s = scratch_or_loss(EXRAY_REC_PTRACE);
	if (!s)
		return 0;
	p = (void *)s->rec;
	fill_task_noted(s, &p->task, t);
	p->op = op;
	__builtin_memset(p->reserved, 0, sizeof(p->reserved));
	p->ret = ret;
	p->request = request;
	p->target_pid = vpid;
	p->target_start = 0;
	p->reserved2 = 0;
	p->addr = addr;
	if (op == EXRAY_PTRACE_TRACEME) {
		p->target_pid = p->task.ppid;
		p->target_start = p->task.pstart;
	} else if (bpf_task_from_vpid && bpf_task_release && vpid > 0) {
		target = bpf_task_from_vpid(vpid);
		if (target) {
			p->target_pid = BPF_CORE_READ(target, tgid);
			p->target_start = task_start_boottime(BPF_CORE_READ(target, group_leader));
			bpf_task_release(target);
		}
	}
	fill_hdr(&p->hdr, EXRAY_REC_PTRACE, 0, sizeof(*p));
	output_rec(p, sizeof(*p), EXRAY_REC_PTRACE, sizeof(*p));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ptrace")
int ptrace_exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	long request = SYSARG1(r);
	__u8 op = ptrace_op(request);

	if (!op || !wanted(EXRAY_EV_PTRACE))
		return 0;
	return emit_ptrace(ctx->ret, op, request, op == EXRAY_PTRACE_TRACEME ? 0 : SYSARG2(r),
			   op == EXRAY_PTRACE_POKE ? SYSARG3(r) : 0);
}

SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int ptrace_exit_process_vm_writev(struct trace_event_raw_sys_exit *ctx)
{
	if (!wanted(EXRAY_EV_PTRACE))
		return 0;
	return emit_ptrace(ctx->ret, EXRAY_PTRACE_VM_WRITE, -1, SYSARG1(syscall_regs()), 0);
}

#endif /* EXRAY_CRED_BPF_H */
