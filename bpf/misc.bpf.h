/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memfd_create (the first step of a fileless payload) with its name, and
 * BPF program loads (a rootkit's way in), attempted or done.
 */
#ifndef EXRAY_MISC_BPF_H
#define EXRAY_MISC_BPF_H

#include "common.bpf.h"

#define MEMFD_NAME_MAX 256 /* the kernel's limit: 249 bytes + NUL */
#define BPF_PROG_LOAD_CMD 5

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int memfd_exit_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pt_regs *regs = syscall_regs();
	struct exray_memfd *m;
	struct scratch *s;
	__u16 flags = 0;
	long n;

	if (!wanted(EXRAY_EV_MEMFD))
		return 0;
	s = scratch_or_loss(EXRAY_REC_MEMFD);
	if (!s)
		return 0;
	m = (void *)s->rec;
	fill_task_noted(s, &m->task, t);
	m->ret = ctx->ret;
	m->mfd_flags = SYSARG2(regs);
	__builtin_memset(m->reserved, 0, sizeof(m->reserved));
	n = bpf_probe_read_user_str(s->rec + sizeof(*m), MEMFD_NAME_MAX, (void *)SYSARG1(regs));
	if (n <= 0) {
		n = 0;
		flags |= EXRAY_F_MEMFD_NAME_UNREADABLE;
	}
	m->name_len = n;
	output_area_rec(s, sizeof(*m) + clamp(n, MEMFD_NAME_MAX), EXRAY_REC_MEMFD, flags);
	return 0;
}

/* The start of union bpf_attr for BPF_PROG_LOAD (include/uapi/linux/bpf.h,
 * a stable ABI). */
struct prog_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns, license;
	__u32 log_level, log_size;
	__u64 log_buf;
	__u32 kern_version, prog_flags;
	char prog_name[16];
};

SEC("tracepoint/syscalls/sys_exit_bpf")
int bpfcmd_exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pt_regs *regs = syscall_regs();
	struct prog_load_attr a = {};
	struct exray_bpf_cmd *b;
	struct scratch *s;
	__u32 size = SYSARG3(regs);

	if (SYSARG1(regs) != BPF_PROG_LOAD_CMD || !wanted(EXRAY_EV_BPF))
		return 0;
	s = scratch_or_loss(EXRAY_REC_BPF);
	if (!s)
		return 0;
	b = (void *)s->rec;
	__builtin_memset(b, 0, sizeof(*b));
	fill_task_noted(s, &b->task, t);
	/* only what the caller passed: a short attr leaves the rest zero */
	bpf_probe_read_user(&a, size < sizeof(a) ? (size & (sizeof(a) - 1)) : sizeof(a), (void *)SYSARG2(regs));
	b->cmd = BPF_PROG_LOAD_CMD;
	b->ret = ctx->ret;
	b->prog_type = a.prog_type;
	b->insn_cnt = a.insn_cnt;
	__builtin_memcpy(b->prog_name, a.prog_name, sizeof(b->prog_name));
	fill_hdr(&b->hdr, EXRAY_REC_BPF, 0, sizeof(*b));
	output_rec(b, sizeof(*b), EXRAY_REC_BPF, sizeof(*b));
	return 0;
}

#endif /* EXRAY_MISC_BPF_H */
