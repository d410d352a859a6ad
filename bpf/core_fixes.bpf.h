/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-version drift, confined here as CO-RE flavour pairs. vmlinux.h is
 * generated from a 6.18 kernel; each ___old flavour describes an older
 * layout and is chosen at load time by bpf_core_field_exists().
 */
#ifndef EXRAY_CORE_FIXES_BPF_H
#define EXRAY_CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>

/*
 * 6.15 ("kernfs: Use RCU to access kernfs_node::parent", 633488947ef6)
 * renamed kernfs_node::parent to __parent. Reading the pointer without the
 * RCU accessor is fine here: BPF runs under rcu_read_lock.
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/*
 * 5.5 ("sched: Rename real_start_time to start_boottime", cf25e24db61c):
 * both hold the CLOCK_BOOTTIME start of the task.
 */
struct task_struct___old {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline u64 task_start_boottime(struct task_struct *t)
{
	if (bpf_core_field_exists(t->start_boottime))
		return BPF_CORE_READ(t, start_boottime);
	return BPF_CORE_READ((struct task_struct___old *)t, real_start_time);
}

/*
 * 6.18 ("ns: add ns_common->ns_type") keeps a namespace's CLONE_NEW* type
 * in ns_common; before, only its proc_ns_operations had it.
 */
struct proc_ns_operations___old {
	int type;
} __attribute__((preserve_access_index));
struct ns_common___old {
	const struct proc_ns_operations___old *ops;
} __attribute__((preserve_access_index));

static __always_inline __u32 ns_common_type(struct ns_common *ns)
{
	if (bpf_core_field_exists(ns->ns_type))
		return BPF_CORE_READ(ns, ns_type);
	return BPF_CORE_READ((struct ns_common___old *)ns, ops, type);
}

#endif /* EXRAY_CORE_FIXES_BPF_H */
