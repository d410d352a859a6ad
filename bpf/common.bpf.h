/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every exray program shares: runtime options, the ring buffer, the
 * per-type loss counters, the per-CPU scratch space, the task block, and
 * the cgroup record (emitted the first time an id is seen). Included once,
 * by exray.bpf.c, before the family files.
 */
#ifndef EXRAY_COMMON_BPF_H
#define EXRAY_COMMON_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "exray_events.h"
#include "exray.h"
#include "core_fixes.bpf.h"

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

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define IPPROTO_TCP 6
#define PF_KTHREAD 0x00200000
#define AT_FDCWD -100

/* Size set by the loader (--ring-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Events not recorded, per record type, per CPU: failed ring-buffer
 * reservations, and the (never expected) missing scratch entry. */
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

/*
 * Scratch space for variable-length records, too big for the stack and for
 * a per-CPU map value (32 KiB limit): an array indexed by CPU, entries set
 * by the loader to the number of possible CPUs. Areas have spare bytes so
 * padding can be zeroed without a bounds check. The exec argv part is twice
 * the limit: a failed exec reads each argument at (clamped offset) with
 * (clamped room), and the verifier cannot relate the two, so it checks
 * offset max + room max; the exec extension fits in the same slack.
 */
#define EXEC_AREA (sizeof(struct exray_exec) + EXRAY_PATH_MAX + 2 * EXRAY_ARGV_MAX_LIMIT + 8)
#define CGROUP_AREA (sizeof(struct exray_cgroup) + EXRAY_PATH_MAX + 8)
/* file, ns, uring, memfd records: the fixed part and up to three strings */
#define REC_AREA (sizeof(struct exray_ns) + 3 * EXRAY_PATH_MAX + 16)
#define PATH_BUF (EXRAY_PATH_MAX + 512)
#define NAME_BUF 256

/* A path being built; lpm_bits directly before buf makes the pair a key of
 * the file_prefixes trie (struct exray_prefix_key). */
struct pathslot {
	__u32 lpm_bits;
	char buf[PATH_BUF];
};
enum { SLOT_A, SLOT_B, SLOT_C, NSLOTS };

struct walkstate {
	__u64 name[EXRAY_WALK_DEPTH];    /* component names, leaf first */
	__u32 len[EXRAY_WALK_DEPTH];
	__u16 start[2 * EXRAY_WALK_DEPTH]; /* offsets of the '/' of each component
	                                    of a path being joined, for ".." */
	char cgname[EXRAY_CGROUP_DEPTH][NAME_BUF]; /* kernfs names, leaf first */
	__u32 cglen[EXRAY_CGROUP_DEPTH];
};

struct scratch {
	__u8 exec[EXEC_AREA];
	__u8 cgroup[CGROUP_AREA];
	__u8 rec[REC_AREA];
	struct pathslot slot[NSLOTS];
	char raw[PATH_BUF];               /* a user string before it is joined */
	struct walkstate w;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * A function verified once, on its own, whatever calls it (a BPF "global
 * function"): the path walks are called from some thirty programs, and
 * verifying them inline at every call multiplied load time. Arguments may
 * be NULL as far as the verifier knows, and tasks travel as integers.
 */
#define SUBPROG __attribute__((noinline))

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

/* The scratch entry of this CPU, or NULL with an event of `type` counted
 * as lost (never expected: the loader sizes the map to every CPU). */
static __always_inline struct scratch *scratch_or_loss(__u32 type)
{
	struct scratch *s = get_scratch();

	if (!s)
		count_loss(type);
	return s;
}

static __always_inline bool excluded(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

static __always_inline bool wanted(__u32 ev)
{
	return (events_mask & ev) && !excluded();
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

/* Output a finished record of len bytes from scratch memory; a full ring
 * counts the loss. */
static __always_inline void output_rec(void *rec, __u32 len, __u16 type, const __u32 area)
{
	if (len > area)
		return;
	if (bpf_ringbuf_output(&events, rec, len, rb_flags()))
		count_loss(type);
}

/* Zero the padding after a record built in a scratch area of area_size
 * bytes whose content ends at `end`; returns its length (aligned). */
static __always_inline __u32 pad_rec(__u8 *area, __u32 end, const __u32 area_size)
{
	end = clamp(end, area_size - 8);
	for (int i = 0; i < 8; i++)
		area[end + i] = 0;
	return EXRAY_REC_ALIGN_UP(end);
}

/* Pad, give its header and output the record built in s->rec (type, flags),
 * whose content ends at `end`. */
static __always_inline void output_area_rec(struct scratch *s, __u32 end, __u16 type,
					    __u16 flags)
{
	__u32 len = pad_rec(s->rec, end, REC_AREA);

	fill_hdr((struct exray_rec_hdr *)s->rec, type, flags, len);
	output_rec(s->rec, len, type, REC_AREA);
}

/*
 * Build the cgroup record for task t in s->cgroup when its cgroup id has not
 * been seen yet. Returns the record length, or 0 when there is nothing to
 * emit. The path is walked in the kernel (kernfs names up to the root) so a
 * cgroup removed 50 ms later is still named. A path deeper or longer than
 * the walk keeps its leaf side (where container ids are) behind "/...".
 */
static __always_inline __u32 build_cgroup(struct scratch *s, struct task_struct *t, __u64 id)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	struct exray_cgroup *c = (void *)s->cgroup;
	__u8 *path = s->cgroup + sizeof(*c);
	__u32 depth = 0, keep = 0, len;
	__u64 off = 0, total = 0;
	__u16 flags = 0;
	__u8 one = 1;
	int i;

	if (bpf_map_lookup_elem(&cgroups_seen, &id))
		return 0;
	/* NOEXIST: of two CPUs meeting a new id at once only one emits it. */
	if (bpf_map_update_elem(&cgroups_seen, &id, &one, BPF_NOEXIST))
		return 0;

	/* names, leaf first, into their own buffers (kernfs keeps no length) */
	for (i = 0; i < EXRAY_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;
		long n;

		if (!kn)
			break;
		parent = kernfs_parent(kn);
		if (!parent) /* the root's own name is not part of the path */
			break;
		n = bpf_probe_read_kernel_str(s->w.cgname[i], NAME_BUF, BPF_CORE_READ(kn, name));
		s->w.cglen[i] = n > 1 ? n - 1 : 0;
		depth++;
		kn = parent;
	}
	if (depth == EXRAY_CGROUP_DEPTH && kn && kernfs_parent(kn))
		flags |= EXRAY_F_CGROUP_PATH_TRUNCATED;
	/* as many as fit, from the leaf up; room is left for "/..." */
	for (i = 0; i < EXRAY_CGROUP_DEPTH; i++) {
		if (i >= depth)
			break;
		total += 1 + (s->w.cglen[i] & (NAME_BUF - 1));
		if (total > EXRAY_PATH_MAX - 1 - 4) {
			flags |= EXRAY_F_CGROUP_PATH_TRUNCATED;
			break;
		}
		keep++;
	}
	if (flags & EXRAY_F_CGROUP_PATH_TRUNCATED) {
		__builtin_memcpy(path, "/...", 4);
		off = 4;
	}
	for (i = EXRAY_CGROUP_DEPTH - 1; i >= 0; i--) {
		__u32 n;

		if (i >= keep)
			continue;
		n = s->w.cglen[i] & (NAME_BUF - 1);
		off = clamp(off, EXRAY_PATH_MAX - NAME_BUF - 1);
		path[off++] = '/';
		bpf_probe_read_kernel(path + off, n, s->w.cgname[i]);
		off += n;
	}
	if (off == 0)
		path[off++] = '/';
	off = clamp(off, EXRAY_PATH_MAX - 1);
	path[off++] = 0;
	len = EXRAY_REC_ALIGN_UP(sizeof(*c) + off);
	for (i = 0; i < 8; i++)
		path[off + i] = 0;
	fill_hdr(&c->hdr, EXRAY_REC_CGROUP, flags, len);
	c->cgroup_id = id;
	c->path_len = off;
	__builtin_memset(c->reserved, 0, sizeof(c->reserved));
	return len;
}

/* Emit the cgroup record of t into the ring buffer if its id is new. */
static __always_inline void note_cgroup(struct scratch *s, struct task_struct *t, __u64 id)
{
	__u32 len = build_cgroup(s, t, id);

	if (!len || len > CGROUP_AREA)
		return;
	if (bpf_ringbuf_output(&events, s->cgroup, len, rb_flags())) {
		count_loss(EXRAY_REC_CGROUP);
		/* let the next event of this cgroup try again */
		bpf_map_delete_elem(&cgroups_seen, &id);
	}
}

/* note_cgroup for handlers that need no scratch of their own: a missing
 * scratch entry (never expected) loses the cgroup record only when it was
 * due, and counts it. */
static __always_inline void note_cgroup_of(struct task_struct *t)
{
	struct scratch *s = get_scratch();
	__u64 id = task_cgroup_id(t);

	if (s)
		note_cgroup(s, t, id);
	else if (!bpf_map_lookup_elem(&cgroups_seen, &id))
		count_loss(EXRAY_REC_CGROUP);
}

/* Fill the task block of a record and name its cgroup. */
static __always_inline void fill_task_noted(struct scratch *s, struct exray_task *o,
					    struct task_struct *t)
{
	fill_task(o, t);
	note_cgroup(s, t, o->cgroup_id);
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

/* Effective capabilities of cred c (kernel_cap_t is one u64 since 6.3, two
 * u32 before: the same 8 bytes on little-endian). */
static __always_inline __u64 cred_caps(const struct cred *c, int which)
{
	__u64 v = 0;

	if (which == 0)
		bpf_core_read(&v, sizeof(v), &c->cap_effective);
	else
		bpf_core_read(&v, sizeof(v), &c->cap_permitted);
	return v;
}

/* The struct file of fd in task t's table, or NULL. */
static __always_inline struct file *task_fd_file(struct task_struct *t, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Syscall arguments at a sys_exit tracepoint: the user registers saved at
 * entry still hold them (the return value went to another register). */
static __always_inline struct pt_regs *syscall_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}
#define SYSARG1(r) PT_REGS_PARM1_CORE_SYSCALL(r)
#define SYSARG2(r) PT_REGS_PARM2_CORE_SYSCALL(r)
#define SYSARG3(r) PT_REGS_PARM3_CORE_SYSCALL(r)
#define SYSARG4(r) PT_REGS_PARM4_CORE_SYSCALL(r)
#define SYSARG5(r) PT_REGS_PARM5_CORE_SYSCALL(r)

#endif /* EXRAY_COMMON_BPF_H */
