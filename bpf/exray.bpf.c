// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray kernel side: process lifecycle (exec, failed exec, fork, exit),
 * outbound TCP connects, cgroup paths and a task-iterator snapshot, written
 * as schema/exray_events.h records into one BPF ring buffer. Classic and raw
 * tracepoints only: kprobes and fentry are not available everywhere exray
 * has to run.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "exray_events.h"
#include "exray.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Runtime options, set by the loader between open and load. */
const volatile __u32 argv_max = EXRAY_ARGV_DEFAULT;
const volatile __u32 events_mask = EXRAY_EV_ALL;
const volatile __u32 self_tgid = 0;
/* Wake the consumer only once this much is waiting (the loader sets it to a
 * fraction of the ring); it also polls on a short timer. A wakeup per event
 * would cost a context switch per exec. */
const volatile __u64 wakeup_bytes = 0;
/* Random per capture (set by the loader): connect records carry a keyed
 * mix of the socket pointer, not the pointer, so no kernel address (KASLR)
 * reaches evidence files; the mix is a bijection, so ids stay unique. */
const volatile __u64 sock_key = 0;

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define PF_KTHREAD 0x00200000

/* Size set by the loader (--ring-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Failed ring-buffer outputs per record type, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXRAY_LOSS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps");

/* Cgroup ids whose path record was emitted. LRU: an evicted id is simply
 * emitted again, which readers tolerate. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} cgroups_seen SEC(".maps");

/* execve user pointers stashed at syscall entry, per tid, so a failed exec
 * can be recorded at syscall exit. */
struct exec_args {
	__u64 filename;
	__u64 argv;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct exec_args);
} exec_stash SEC(".maps");

/* Sockets with a connect record, until they leave SYN_SENT. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} connecting SEC(".maps");

/*
 * Scratch space for variable-length records, too big for the stack and for
 * a per-CPU map value (32 KiB limit): an array indexed by CPU, entries set
 * by the loader to the number of possible CPUs. The 8 spare bytes let the
 * padding be zeroed without a bounds check. The argv part is twice the limit:
 * a failed exec reads each argument at (clamped offset) with (clamped room),
 * and the verifier cannot relate the two, so it checks offset max + room max.
 */
#define EXEC_AREA (sizeof(struct exray_exec) + EXRAY_PATH_MAX + 2 * EXRAY_ARGV_MAX_LIMIT + 8)
#define CGROUP_AREA (sizeof(struct exray_cgroup) + EXRAY_PATH_MAX + 8)
struct scratch {
	__u8 exec[EXEC_AREA];
	__u8 cgroup[CGROUP_AREA];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * min(v, max) in a form the verifier tracks: clang otherwise merges or
 * reorders the comparisons and the verifier loses the bound on a size.
 */
static __always_inline __u64 clamp(__u64 v, const __u64 max)
{
	asm volatile("if %[v] <= %[max] goto +1; %[v] = %[max]" : [v] "+r"(v) : [max] "i"(max));
	return v;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

static __always_inline __u64 rb_flags(void)
{
	if (!wakeup_bytes || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void count_loss(__u32 type)
{
	__u64 *n = bpf_map_lookup_elem(&losses, &type);

	if (n)
		*n += 1;
}

static __always_inline bool excluded(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/* Identity of task t (any thread of the process) as struct exray_task. */
static __always_inline void fill_task(struct exray_task *o, struct task_struct *t)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	struct pid *pid = BPF_CORE_READ(leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level]);
	o->pid = BPF_CORE_READ(t, tgid);
	o->tid = BPF_CORE_READ(t, pid);
	o->ppid = BPF_CORE_READ(parent, tgid);
	o->vpid = up.nr;
	o->start = task_start_boottime(leader);
	o->pstart = task_start_boottime(BPF_CORE_READ(parent, group_leader));
	o->cgroup_id = task_cgroup_id(t);
	o->uid = BPF_CORE_READ(t, real_cred, uid.val);
	o->gid = BPF_CORE_READ(t, real_cred, gid.val);
	o->euid = BPF_CORE_READ(t, real_cred, euid.val);
	o->egid = BPF_CORE_READ(t, real_cred, egid.val);
	o->pidns = BPF_CORE_READ(up.ns, ns.inum);
	o->mntns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	o->netns = BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
	o->reserved = 0;
	BPF_CORE_READ_STR_INTO(&o->comm, t, comm);
}

static __always_inline void fill_hdr(struct exray_rec_hdr *h, __u16 type, __u16 flags, __u32 len)
{
	h->type = type;
	h->flags = flags;
	h->len = len;
	h->ts = bpf_ktime_get_boot_ns();
}

/* A fixed-size record of `type` reserved in the ring buffer with its header
 * filled, or NULL with the loss counted. `size` must be a constant. */
static __always_inline void *reserve_rec(__u32 size, __u16 type)
{
	struct exray_rec_hdr *h = bpf_ringbuf_reserve(&events, size, 0);

	if (!h) {
		count_loss(type);
		return NULL;
	}
	fill_hdr(h, type, 0, size);
	return h;
}

/*
 * Build the cgroup record for task t in s->cgroup when its cgroup id has not
 * been seen yet. Returns the record length, or 0 when there is nothing to
 * emit. The path is walked in the kernel (kernfs names up to the root) so a
 * cgroup removed 50 ms later is still named.
 */
static __always_inline __u32 build_cgroup(struct scratch *s, struct task_struct *t, __u64 id)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	const char *names[EXRAY_CGROUP_DEPTH];
	struct exray_cgroup *c = (void *)s->cgroup;
	__u8 *path = s->cgroup + sizeof(*c);
	__u16 flags = 0;
	__u8 one = 1;
	__u64 off = 0;
	__u32 depth = 0, len;
	int i;

	if (bpf_map_lookup_elem(&cgroups_seen, &id))
		return 0;
	/* NOEXIST: of two CPUs meeting a new id at once only one emits it. */
	if (bpf_map_update_elem(&cgroups_seen, &id, &one, BPF_NOEXIST))
		return 0;

#pragma unroll
	for (i = 0; i < EXRAY_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;

		if (!kn)
			break;
		parent = kernfs_parent(kn);
		if (!parent) /* the root's own name is not part of the path */
			break;
		names[i] = BPF_CORE_READ(kn, name);
		depth++;
		kn = parent;
	}
	if (depth == EXRAY_CGROUP_DEPTH && kn && kernfs_parent(kn))
		flags |= EXRAY_F_CGROUP_PATH_TRUNCATED;

#pragma unroll
	for (i = EXRAY_CGROUP_DEPTH - 1; i >= 0; i--) {
		long n;

		if (i >= depth)
			continue;
		if (off > EXRAY_PATH_MAX - 256 - 1) {
			flags |= EXRAY_F_CGROUP_PATH_TRUNCATED;
			break;
		}
		off = clamp(off, EXRAY_PATH_MAX - 256 - 1);
		path[off++] = '/';
		n = bpf_probe_read_kernel_str(path + off, 256, names[i]);
		if (n > 1)
			off += n - 1;
	}
	if (off == 0)
		path[off++] = '/';
	off = clamp(off, EXRAY_PATH_MAX - 1);
	path[off++] = 0;
	len = EXRAY_REC_ALIGN_UP(sizeof(*c) + off);
#pragma unroll
	for (i = 0; i < 8; i++)
		path[off + i] = 0;
	fill_hdr(&c->hdr, EXRAY_REC_CGROUP, flags, len);
	c->cgroup_id = id;
	c->path_len = off;
	__builtin_memset(c->reserved, 0, sizeof(c->reserved));
	return len;
}

/* Emit the cgroup record of t into the ring buffer if its id is new. */
static __always_inline void note_cgroup(struct task_struct *t, __u64 id)
{
	struct scratch *s = get_scratch();
	__u32 len;

	if (!s)
		return;
	len = build_cgroup(s, t, id);
	if (!len)
		return;
	if (len > CGROUP_AREA)
		return;
	if (bpf_ringbuf_output(&events, s->cgroup, len, rb_flags())) {
		count_loss(EXRAY_REC_CGROUP);
		/* let the next event of this cgroup try again */
		bpf_map_delete_elem(&cgroups_seen, &id);
	}
}

/* Output a finished variable-length record from scratch. */
static __always_inline void output_exec(struct scratch *s, __u32 flen, __u32 alen, __u16 flags,
					__u16 type)
{
	struct exray_exec *e = (void *)s->exec;
	__u32 off = sizeof(*e) + flen + alen, len = EXRAY_REC_ALIGN_UP(off);
	int i;

	if (off > EXEC_AREA - 8)
		return;
#pragma unroll
	for (i = 0; i < 8; i++)
		s->exec[off + i] = 0;
	fill_hdr(&e->hdr, type, flags, len);
	e->filename_len = flen;
	e->argv_len = alen;
	if (len > EXEC_AREA)
		return;
	if (bpf_ringbuf_output(&events, s->exec, len, rb_flags()))
		count_loss(type);
}

static __always_inline __u32 argv_limit(void)
{
	__u32 lim = argv_max;

	return lim > EXRAY_ARGV_MAX_LIMIT ? EXRAY_ARGV_MAX_LIMIT : lim;
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct scratch *s;
	struct exray_exec *e;
	unsigned long arg_start, arg_end;
	__u32 fn_off = ctx->__data_loc_filename & 0xFFFF;
	__u64 lim = argv_limit(), alen;
	__u16 flags = 0;
	long flen;

	if (!(events_mask & EXRAY_EV_EXEC) || excluded())
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = (void *)s->exec;
	fill_task(&e->task, t);
	e->ret = 0;
	note_cgroup(t, e->task.cgroup_id);

	flen = bpf_probe_read_kernel_str(s->exec + sizeof(*e), EXRAY_PATH_MAX, (void *)ctx + fn_off);
	if (flen <= 0) {
		s->exec[sizeof(*e)] = 0;
		flen = 1;
	}
	if (flen >= EXRAY_PATH_MAX) {
		flen = EXRAY_PATH_MAX;
		flags |= EXRAY_F_FILENAME_TRUNCATED;
	}

	/* argv of the new image: one bulk read of the argument area */
	arg_start = BPF_CORE_READ(t, mm, arg_start);
	arg_end = BPF_CORE_READ(t, mm, arg_end);
	alen = arg_end > arg_start ? arg_end - arg_start : 0;
	if (alen > lim) {
		alen = lim;
		flags |= EXRAY_F_ARGV_TRUNCATED;
	}
	alen = clamp(alen, EXRAY_ARGV_MAX_LIMIT);
	flen = clamp(flen, EXRAY_PATH_MAX);
	if (alen && bpf_probe_read_user(s->exec + sizeof(*e) + flen, alen, (void *)arg_start))
		alen = 0;
	/* a cut argument is still NUL-terminated */
	if (alen)
		s->exec[sizeof(*e) + flen + alen - 1] = 0;
	output_exec(s, flen, alen, flags, EXRAY_REC_EXEC);
	return 0;
}

static __always_inline int stash_exec(__u64 filename, __u64 argv)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args a = { .filename = filename, .argv = argv };

	if (!(events_mask & EXRAY_EV_EXEC) || excluded())
		return 0;
	bpf_map_update_elem(&exec_stash, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return stash_exec(ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int handle_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return stash_exec(ctx->args[1], ctx->args[2]);
}

/* A failed exec: the caller's image is intact, so read its user memory. */
static __always_inline int exit_exec(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exec_args *a = bpf_map_lookup_elem(&exec_stash, &tid);
	struct exec_args args;
	struct exray_exec *e;
	struct scratch *s;
	__u64 lim = argv_limit(), alen = 0;
	__u16 flags = 0;
	long flen, ret = ctx->ret;
	int i;

	if (!a)
		return 0;
	args = *a;
	bpf_map_delete_elem(&exec_stash, &tid);
	if (ret >= 0)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = (void *)s->exec;
	fill_task(&e->task, t);
	e->ret = ret;
	note_cgroup(t, e->task.cgroup_id);

	flen = bpf_probe_read_user_str(s->exec + sizeof(*e), EXRAY_PATH_MAX, (void *)args.filename);
	if (flen <= 0) {
		s->exec[sizeof(*e)] = 0;
		flen = 1;
	}
	if (flen >= EXRAY_PATH_MAX) {
		flen = EXRAY_PATH_MAX;
		flags |= EXRAY_F_FILENAME_TRUNCATED;
	}

	for (i = 0; i < EXRAY_FAILED_ARGS_MAX; i++) {
		__u64 p = 0;
		__u64 room;
		long n;

		if (!args.argv || bpf_probe_read_user(&p, sizeof(p), (void *)(args.argv + i * 8)) || !p)
			break;
		if (alen >= lim) {
			flags |= EXRAY_F_ARGV_TRUNCATED;
			break;
		}
		room = clamp(lim - alen, EXRAY_ARGV_MAX_LIMIT);
		alen = clamp(alen, EXRAY_ARGV_MAX_LIMIT);
		flen = clamp(flen, EXRAY_PATH_MAX);
		n = bpf_probe_read_user_str(s->exec + sizeof(*e) + flen + alen, room, (void *)p);
		if (n <= 0)
			break;
		alen += n;
		if (n == room && alen == lim) {
			/* possibly cut: the terminating NUL took the last byte */
			flags |= EXRAY_F_ARGV_TRUNCATED;
			break;
		}
	}
	if (i == EXRAY_FAILED_ARGS_MAX)
		flags |= EXRAY_F_ARGV_TRUNCATED;
	output_exec(s, flen, alen, flags, EXRAY_REC_EXEC);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int handle_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return exit_exec(ctx);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int handle_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return exit_exec(ctx);
}

/* raw_tp: the tracepoint's arguments are (parent, child) task pointers. */
SEC("raw_tp/sched_process_fork")
int handle_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *child = (void *)ctx->args[1];
	struct exray_fork *f;

	if (!(events_mask & EXRAY_EV_FORK) || excluded())
		return 0;
	/* a new thread shares its creator's tgid: not a process */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	f = reserve_rec(sizeof(*f), EXRAY_REC_FORK);
	if (!f)
		return 0;
	fill_task(&f->task, child);
	bpf_ringbuf_submit(f, rb_flags());
	note_cgroup(child, task_cgroup_id(child));
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_exit *x;

	if (!(events_mask & EXRAY_EV_EXIT) || excluded())
		return 0;
	/* do_exit() decremented signal->live before this tracepoint: zero
	 * means the whole thread group is gone. */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	x = reserve_rec(sizeof(*x), EXRAY_REC_EXIT);
	if (!x)
		return 0;
	fill_task(&x->task, t);
	x->exit_code = BPF_CORE_READ(t, exit_code);
	x->reserved = 0;
	bpf_ringbuf_submit(x, rb_flags());
	return 0;
}

/* Copied with a helper: the verifier refuses loads through a ctx pointer
 * the compiler has offset. */
static __always_inline void copy_addrs(struct exray_connect *c,
				       struct trace_event_raw_inet_sock_set_state *ctx)
{
	__builtin_memset(c->saddr, 0, sizeof(c->saddr));
	__builtin_memset(c->daddr, 0, sizeof(c->daddr));
	if (ctx->family == AF_INET) {
		c->family = EXRAY_FAMILY_V4;
		bpf_probe_read_kernel(c->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(c->daddr, 4, ctx->daddr);
	} else {
		c->family = EXRAY_FAMILY_V6;
		bpf_probe_read_kernel(c->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(c->daddr, 16, ctx->daddr_v6);
	}
}

/* Opaque socket id: murmur3's 64-bit finaliser over the keyed pointer. */
static __always_inline __u64 sock_id(__u64 sk)
{
	__u64 x = sk ^ sock_key;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct exray_connect_result *r;
	struct exray_connect *c;
	struct task_struct *t;
	__u8 one = 1;

	if (!(events_mask & EXRAY_EV_CONNECT) || ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->family != AF_INET && ctx->family != AF_INET6)
		return 0;

	if (ctx->oldstate == EXRAY_TCP_SYN_SENT &&
	    (ctx->newstate == EXRAY_TCP_ESTABLISHED || ctx->newstate == EXRAY_TCP_CLOSE)) {
		/* softirq context on success: no task, join on sock */
		if (!bpf_map_lookup_elem(&connecting, &sk))
			return 0;
		bpf_map_delete_elem(&connecting, &sk);
		r = reserve_rec(sizeof(*r), EXRAY_REC_CONNECT_RESULT);
		if (!r)
			return 0;
		r->sock = sock_id(sk);
		r->sport = ctx->sport;
		r->newstate = ctx->newstate;
		__builtin_memset(r->reserved, 0, sizeof(r->reserved));
		bpf_ringbuf_submit(r, rb_flags());
		return 0;
	}

	if (ctx->oldstate != EXRAY_TCP_CLOSE || ctx->newstate != EXRAY_TCP_SYN_SENT)
		return 0;
	/* connect(): runs in the connecting task's context */
	if (excluded())
		return 0;
	t = (void *)bpf_get_current_task();
	c = reserve_rec(sizeof(*c), EXRAY_REC_CONNECT);
	if (!c)
		return 0;
	fill_task(&c->task, t);
	/* the socket's namespace, which setns() may have made differ */
	c->task.netns = BPF_CORE_READ((struct sock *)ctx->skaddr, __sk_common.skc_net.net, ns.inum);
	c->sock = sock_id(sk);
	copy_addrs(c, ctx);
	c->sport = ctx->sport;
	c->dport = ctx->dport;
	__builtin_memset(c->reserved, 0, sizeof(c->reserved));
	bpf_ringbuf_submit(c, rb_flags());
	bpf_map_update_elem(&connecting, &sk, &one, BPF_ANY);
	note_cgroup(t, task_cgroup_id(t));
	return 0;
}

/*
 * Snapshot: every process alive, with exact start times, written to the
 * iterator's seq file (not the ring buffer). Userspace appends the exe path
 * and argv from /proc. Cgroup records go first, into the same stream.
 */
SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct exray_exec e = {};
	struct scratch *s;
	__u32 len;

	if (!t)
		return 0;
	if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid) || BPF_CORE_READ(t, tgid) == self_tgid)
		return 0;
	fill_task(&e.task, t);
	s = get_scratch();
	if (s) {
		len = build_cgroup(s, t, e.task.cgroup_id);
		if (len && len <= CGROUP_AREA)
			bpf_seq_write(seq, s->cgroup, len);
	}
	fill_hdr(&e.hdr, EXRAY_REC_SNAPSHOT,
		 (BPF_CORE_READ(t, flags) & PF_KTHREAD) ? EXRAY_F_KTHREAD : 0, sizeof(e));
	bpf_seq_write(seq, &e, sizeof(e));
	return 0;
}
