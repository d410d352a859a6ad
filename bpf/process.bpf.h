/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process lifecycle: exec (with the 1.2 extension: the image the kernel
 * really ran, cwd, tty, capabilities, image flags), failed exec, fork, exit,
 * and the task-iterator snapshot.
 */
#ifndef EXRAY_PROCESS_BPF_H
#define EXRAY_PROCESS_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define S_ISUID 04000
#define S_ISGID 02000

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

static __always_inline __u32 argv_limit(void)
{
	__u32 lim = argv_max;

	return lim > EXRAY_ARGV_MAX_LIMIT ? EXRAY_ARGV_MAX_LIMIT : lim;
}

/* Whether dentry d is the dynamic loader by its name: "ld-linux*.so*",
 * "ld-musl-*", "ld-2.x.so", "ld.so". */
static __always_inline bool is_loader_name(struct dentry *d)
{
	char n[6] = {};

	bpf_probe_read_kernel(n, sizeof(n), BPF_CORE_READ(d, d_name.name));
	return n[0] == 'l' && n[1] == 'd' &&
	       (n[2] == '-' || (n[2] == '.' && n[3] == 's' && n[4] == 'o' && n[5] == 0));
}

/* Whether a loader option (in s->raw) takes the next argument:
 * --library-path, --inhibit-rpath, --audit, --argv0, --preload,
 * --glibc-hwcaps-prepend, --glibc-hwcaps-mask (glibc's rtld). */
static __always_inline bool loader_opt_takes_arg(const char *a)
{
	char c = a[2];

	return c == 'a' || c == 'p' || c == 'g' || (c == 'l' && a[4] == 'b') ||
	       (c == 'i' && a[10] == 'r');
}

/* The user pointer of the program a loader was asked to run (its first
 * argument after argv[0] that is not an option), or 0. */
static __always_inline __u64 loader_program(struct scratch *s, struct task_struct *t)
{
	__u64 p = BPF_CORE_READ(t, mm, arg_start), end = BPF_CORE_READ(t, mm, arg_end);
	long n = bpf_probe_read_user_str(s->raw, EXRAY_PATH_MAX, (void *)p);

	if (n <= 0)
		return 0;
	p += n;
	for (int k = 0; k < 8; k++) {
		if (p >= end)
			return 0;
		n = bpf_probe_read_user_str(s->raw, EXRAY_PATH_MAX, (void *)p);
		if (n <= 0)
			return 0;
		if (s->raw[0] != '-' || s->raw[1] != '-')
			return p;
		p += n;
		if (loader_opt_takes_arg(s->raw)) {
			n = bpf_probe_read_user_str(s->raw, EXRAY_PATH_MAX, (void *)p);
			if (n <= 0)
				return 0;
			p += n;
		}
	}
	return 0;
}

/* When the running task's image is the dynamic loader, the program it was
 * asked to run, made absolute into SLOT_A (r->len 0 otherwise). Done here,
 * not in exec_ext, to keep the call chain within the 512-byte stack. */
static __always_inline void loader_exe(struct scratch *s, struct task_struct *t,
				       struct pathres *r)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	__u64 prog;

	r->len = 0;
	if (!exe || !is_loader_name(BPF_CORE_READ(exe, f_path.dentry)))
		return;
	prog = loader_program(s, t);
	if (!prog || join_user(s, SLOT_A, t, AT_FDCWD, (void *)prog, r))
		r->len = 0;
}

/* The image flags of exe file f (EXRAY_EXE_*). */
static __always_inline __u32 exe_flags_of(struct file *f, struct dentry *d, struct inode *ino)
{
	__u32 flags = 0;
	__u16 mode = BPF_CORE_READ(ino, i_mode);
	bool is_root = BPF_CORE_READ(d, d_parent) == d;

	if (mode & S_ISUID)
		flags |= EXRAY_EXE_SETUID;
	if (mode & S_ISGID)
		flags |= EXRAY_EXE_SETGID;
	if (is_root) {
		char n[6] = {};

		bpf_probe_read_kernel(n, sizeof(n), BPF_CORE_READ(d, d_name.name));
		if (n[0] == 'm' && n[1] == 'e' && n[2] == 'm' && n[3] == 'f' && n[4] == 'd' &&
		    n[5] == ':')
			flags |= EXRAY_EXE_MEMFD;
	} else if (!BPF_CORE_READ(d, d_hash.pprev)) {
		flags |= EXRAY_EXE_DELETED; /* unhashed and not a root: unlinked */
	}
	/* overlayfs keeps the upper dentry of a file written (or copied up)
	 * inside the container; a file only in the image's lower layers has none */
	if (bpf_core_type_exists(struct ovl_inode) &&
	    BPF_CORE_READ(ino, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC) {
		struct ovl_inode *oi = (void *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode);

		if (BPF_CORE_READ(oi, __upperdentry))
			flags |= EXRAY_EXE_UPPER_LAYER;
	}
	return flags;
}

/*
 * Append the 1.2 extension for task t to the exec/snapshot record being
 * built in s->exec, whose strings end at `end`. Returns the new end (not
 * aligned) and adds EXRAY_F_EXEC_EXT and the truncation flags to *flags.
 * loader (may be NULL): the exe path already built in SLOT_A from the
 * dynamic loader's arguments (loader_exe).
 */
SUBPROG __u32 exec_ext(struct scratch *s, __u64 task, __u32 end, __u16 *flags,
		       struct pathres *loader)
{
	struct task_struct *t = (void *)task;
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	struct pathres pe = {}, pc = {};
	struct exray_exec_ext *x;
	__u64 off = EXRAY_REC_ALIGN_UP(end), el, cl;

	if (!s || !flags)
		return end;

	/* zero the alignment padding before the extension */
	end = clamp(end, sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT);
	for (int i = 0; i < 8; i++)
		s->exec[end + i] = 0;
	off = clamp(off, sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT + 8);
	x = (void *)(s->exec + off);
	__builtin_memset(x, 0, sizeof(*x));
	x->cap_effective = cred_caps(BPF_CORE_READ(t, cred), 0);
	if (tty)
		x->tty = (BPF_CORE_READ(tty, driver, major) << 20) |
			 (BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index));
	if (exe) {
		struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
		struct inode *ino = BPF_CORE_READ(exe, f_inode);

		x->exe_ino = BPF_CORE_READ(ino, i_ino);
		x->exe_dev = BPF_CORE_READ(ino, i_sb, s_dev);
		x->exe_flags = exe_flags_of(exe, d, ino);
		if (loader && loader->len) {
			x->exe_flags |= EXRAY_EXE_LOADER;
			pe.len = loader->len;
			pe.flags = loader->flags;
		} else {
			walk_file(s, SLOT_A, exe, t, &pe);
		}
		if (pe.flags & PR_TRUNCATED)
			*flags |= EXRAY_F_EXE_TRUNCATED;
	} else if (!(BPF_CORE_READ(t, flags) & PF_KTHREAD)) {
		x->exe_flags = EXRAY_EXE_UNRESOLVED;
	}
	if (BPF_CORE_READ(t, fs)) {
		walk_cwd(s, SLOT_B, t, &pc);
		if (pc.flags & PR_TRUNCATED)
			*flags |= EXRAY_F_CWD_TRUNCATED;
	}
	el = clamp(pe.len, EXRAY_PATH_MAX);
	cl = clamp(pc.len, EXRAY_PATH_MAX);
	x->exe_len = el;
	x->cwd_len = cl;
	off += sizeof(*x);
	off = clamp(off, sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT + 8 +
				 sizeof(*x));
	bpf_probe_read_kernel(s->exec + off, el, s->slot[SLOT_A].buf);
	off += el;
	off = clamp(off, sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT + 8 +
				 sizeof(*x) + EXRAY_PATH_MAX);
	bpf_probe_read_kernel(s->exec + off, cl, s->slot[SLOT_B].buf);
	*flags |= EXRAY_F_EXEC_EXT;
	return off + cl;
}

/* The exec filename's length from its string read's result: 0 and flagged
 * when it could not be read (never an empty name), cut and flagged at
 * EXRAY_PATH_MAX. */
static __always_inline long filename_len(long n, __u16 *flags)
{
	if (n <= 0) {
		*flags |= EXRAY_F_FILENAME_UNREADABLE;
		return 0;
	}
	if (n >= EXRAY_PATH_MAX) {
		*flags |= EXRAY_F_FILENAME_TRUNCATED;
		return EXRAY_PATH_MAX;
	}
	return n;
}

/* Pad and output the record built in s->exec, ending at `end`. */
static __always_inline void output_exec(struct scratch *s, __u32 flen, __u32 alen, __u32 end,
					__u16 flags, __u16 type)
{
	struct exray_exec *e = (void *)s->exec;
	__u32 len = pad_rec(s->exec, end, EXEC_AREA);

	fill_hdr(&e->hdr, type, flags, len);
	e->filename_len = flen;
	e->argv_len = alen;
	output_rec(s->exec, len, type, EXEC_AREA);
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pathres pl = {};
	struct scratch *s;
	struct exray_exec *e;
	unsigned long arg_start, arg_end;
	__u32 fn_off = ctx->__data_loc_filename & 0xFFFF, end;
	__u64 lim = argv_limit(), alen;
	__u16 flags = 0;
	long flen;

	if (!wanted(EXRAY_EV_EXEC))
		return 0;
	s = scratch_or_loss(EXRAY_REC_EXEC);
	if (!s)
		return 0;
	e = (void *)s->exec;
	fill_task_noted(s, &e->task, t);
	e->ret = 0;

	flen = filename_len(bpf_probe_read_kernel_str(s->exec + sizeof(*e), EXRAY_PATH_MAX,
						      (void *)ctx + fn_off), &flags);

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
	if (alen && bpf_probe_read_user(s->exec + sizeof(*e) + flen, alen, (void *)arg_start)) {
		alen = 0;
		flags |= EXRAY_F_ARGV_UNREADABLE;
	}
	/* a cut argument is still NUL-terminated */
	if (alen)
		s->exec[sizeof(*e) + flen + alen - 1] = 0;
	loader_exe(s, t, &pl);
	end = exec_ext(s, (__u64)t, sizeof(*e) + flen + alen, &flags, &pl);
	output_exec(s, flen, alen, end, flags, EXRAY_REC_EXEC);
	return 0;
}

static __always_inline int stash_exec(__u64 filename, __u64 argv)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args a = { .filename = filename, .argv = argv };

	if (!wanted(EXRAY_EV_EXEC))
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
	s = scratch_or_loss(EXRAY_REC_EXEC);
	if (!s)
		return 0;
	e = (void *)s->exec;
	fill_task_noted(s, &e->task, t);
	e->ret = ret;

	flen = filename_len(bpf_probe_read_user_str(s->exec + sizeof(*e), EXRAY_PATH_MAX,
						    (void *)args.filename), &flags);

	for (i = 0; i < EXRAY_FAILED_ARGS_MAX; i++) {
		__u64 p = 0;
		__u64 room;
		long n;

		if (!args.argv)
			break;
		if (bpf_probe_read_user(&p, sizeof(p), (void *)(args.argv + i * 8))) {
			flags |= EXRAY_F_ARGV_UNREADABLE;
			break;
		}
		if (!p)
			break;
		if (alen >= lim) {
			flags |= EXRAY_F_ARGV_TRUNCATED;
			break;
		}
		room = clamp(lim - alen, EXRAY_ARGV_MAX_LIMIT);
		alen = clamp(alen, EXRAY_ARGV_MAX_LIMIT);
		flen = clamp(flen, EXRAY_PATH_MAX);
		n = bpf_probe_read_user_str(s->exec + sizeof(*e) + flen + alen, room, (void *)p);
		if (n <= 0) {
			flags |= EXRAY_F_ARGV_UNREADABLE;
			break;
		}
		alen += n;
		if (n == room && alen == lim) {
			/* possibly cut: the terminating NUL took the last byte */
			flags |= EXRAY_F_ARGV_TRUNCATED;
			break;
		}
	}
	if (i == EXRAY_FAILED_ARGS_MAX)
		flags |= EXRAY_F_ARGV_TRUNCATED;
	alen = clamp(alen, EXRAY_ARGV_MAX_LIMIT);
	flen = clamp(flen, EXRAY_PATH_MAX);
	output_exec(s, flen, alen, sizeof(*e) + flen + alen, flags, EXRAY_REC_EXEC);
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

	if (!wanted(EXRAY_EV_FORK))
		return 0;
	/* a new thread shares its creator's tgid: not a process */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	f = reserve_rec(sizeof(*f), EXRAY_REC_FORK);
	if (!f)
		return 0;
	fill_task(&f->task, child);
	bpf_ringbuf_submit(f, rb_flags());
	note_cgroup_of(child);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_exit *x;

	if (!wanted(EXRAY_EV_EXIT))
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

/*
 * Snapshot: every process alive, with exact start times and the exec
 * extension (its image, cwd, tty, capabilities), written to the iterator's
 * seq file (not the ring buffer) as a snapshot record with empty filename
 * and argv: userspace inserts the exe link and argv from /proc before the
 * extension. Cgroup records go first, into the same stream.
 */
SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct exray_exec *e;
	struct scratch *s;
	__u16 flags;
	__u32 len, end;

	if (!t)
		return 0;
	if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid) || BPF_CORE_READ(t, tgid) == self_tgid)
		return 0;
	/* without a scratch entry (never expected) the process is still
	 * written: userspace completes the snapshot from /proc */
	s = get_scratch();
	if (!s)
		return 0;
	e = (void *)s->exec;
	fill_task(&e->task, t);
	e->ret = 0;
	len = build_cgroup(s, t, e->task.cgroup_id);
	if (len && len <= CGROUP_AREA)
		bpf_seq_write(seq, s->cgroup, len);
	flags = (BPF_CORE_READ(t, flags) & PF_KTHREAD) ? EXRAY_F_KTHREAD : 0;
	/* exec_ext takes the task as a plain number; the iterator's is a
	 * trusted pointer: pass the (same) group leader, read as a scalar */
	end = exec_ext(s, (__u64)BPF_CORE_READ(t, group_leader), sizeof(*e), &flags, NULL);
	len = pad_rec(s->exec, end, EXEC_AREA);
	fill_hdr(&e->hdr, EXRAY_REC_SNAPSHOT, flags, len);
	e->filename_len = 0;
	e->argv_len = 0;
	if (len <= EXEC_AREA)
		bpf_seq_write(seq, s->exec, len);
	return 0;
}

#endif /* EXRAY_PROCESS_BPF_H */
