/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File records, filtered in the kernel (docs/recorder.md "File events"):
 * changes (open for writing, create, truncate, rename, unlink, link,
 * symlink, chmod, chown, mknod) under a sensitive location, and every file
 * made executable anywhere; reads only of secrets. Failed attempts are
 * recorded with their error.
 *
 * Every handler runs at sys_exit, where the result is known and the
 * arguments are still in the saved user registers: one program per call,
 * no stash map. An opened file's path is its own (walked from the fd, so
 * symlinks are resolved); other paths are the argument joined to the
 * directory the kernel started from (path.bpf.h).
 *
 * Reads are the hot path (every library, every config file): a read-only
 * open is first judged by its name and its directory's name alone (two
 * hash lookups), and only a candidate pays for the walk.
 */
#ifndef EXRAY_FILE_BPF_H
#define EXRAY_FILE_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

#define O_ACCMODE 00000003
#define O_RDONLY 0
#define O_WRONLY 00000001
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_PATH 010000000
#define AT_REMOVEDIR 0x200
#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFBLK 0060000
#define S_IXUGO 0111
#define PROC_SUPER_MAGIC 0x9fa0
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define EACCES 13
#define EPERM 1
#define ETXTBSY 26

/* file->f_mode: the open created the file (include/linux/fs.h, since 4.19;
 * events_file.sh checks it: a new file is "create", an old one "write") */
#define FMODE_CREATED (1u << 20)

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct exray_prefix_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} file_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct exray_name_key);
	__type(value, __u32);
} file_names SEC(".maps");

/* What a handler knows besides the paths. */
struct fileop {
	__s32 ret;
	__u32 open_flags, mode, uid, gid;
	__u8 op;
	__u32 rdev;      /* mknod: the device number, major << 20 | minor */
	bool exec_bits;
	bool read;       /* judged as a read (secrets), not a change */
	bool other_mount; /* the file is on a mount other than the task's root */
	bool outside;    /* the file is outside the task's mount namespace */
	bool force;      /* record whatever the path rules say (ETXTBSY) */
	bool cgroup_fs;  /* the file is on a cgroup filesystem */
	bool ext;        /* x is written after the paths */
	__u16 flags;     /* more record flags (EXRAY_F_PATH_ABSTRACT ...) */
	struct exray_file_ext x;
};

/* Rule bits of a single name (NUL-terminated or len bytes), 0 if none. */
static __always_inline __u32 name_bits(struct exray_name_key *k, const char *name, __u32 len)
{
	__u32 *v;

	if (len == 0 || len >= EXRAY_NAME_MAX)
		return 0;
	__builtin_memset(k, 0, sizeof(*k));
	bpf_probe_read_kernel(k->name, clamp(len, EXRAY_NAME_MAX - 1), name);
	v = bpf_map_lookup_elem(&file_names, k);
	return v ? *v : 0;
}

/* The name rules of a dentry and of its directory, with the directory's
 * bits moved onto the file's (DIR_CHANGE -> CHANGE ...). */
static __always_inline __u32 dentry_name_bits(struct dentry *d, struct exray_name_key *k)
{
	struct dentry *pd = BPF_CORE_READ(d, d_parent);
	__u32 bits = name_bits(k, (void *)BPF_CORE_READ(d, d_name.name), BPF_CORE_READ(d, d_name.len));
	__u32 dir = pd == d ? 0 : name_bits(k, (void *)BPF_CORE_READ(pd, d_name.name),
					     BPF_CORE_READ(pd, d_name.len));

	return (bits & ~(EXRAY_RULE_DIR_CHANGE | EXRAY_RULE_DIR_READ | EXRAY_RULE_DIR_READ_IF)) |
	       (dir & EXRAY_RULE_DIR_CHANGE ? EXRAY_RULE_CHANGE : 0) |
	       (dir & EXRAY_RULE_DIR_READ ? EXRAY_RULE_READ : 0) |
	       (dir & EXRAY_RULE_DIR_READ_IF ? EXRAY_RULE_READ_IF : 0);
}

/* Rule bits of the path built in slot idx: its prefix rules and the name
 * rules of its last two components. */
SUBPROG __u32 path_rules(struct scratch *s, __u32 idx, struct pathres *r)
{
	struct exray_name_key k;
	struct pathslot *ps;
	__u32 bits = 0, *v, len, base, dir = 0;

	if (!s || !r || idx >= NSLOTS || !r->len)
		return 0;
	ps = &s->slot[clamp(idx, NSLOTS - 1)];
	len = r->len;
	ps->lpm_bits = 8 * (len > EXRAY_PREFIX_MAX ? EXRAY_PREFIX_MAX : len);
	v = bpf_map_lookup_elem(&file_prefixes, ps);
	if (v)
		bits = *v;
	if (r->last == PR_NONE || r->last + 1 >= len)
		return bits;
	base = clamp(r->last + 1, EXRAY_PATH_MAX - 1);
	bits |= name_bits(&k, ps->buf + base, len - 1 - base) &
		(EXRAY_RULE_CHANGE | EXRAY_RULE_READ | EXRAY_RULE_PROC_OTHER | EXRAY_RULE_MOUNT_CHANGE |
		 EXRAY_RULE_CGROUP_CTL);
	if (r->parent != PR_NONE && r->parent < r->last)
		dir = name_bits(&k, ps->buf + clamp(r->parent + 1, EXRAY_PATH_MAX - 1),
				r->last - r->parent - 1);
	if (dir & EXRAY_RULE_DIR_CHANGE)
		bits |= EXRAY_RULE_CHANGE;
	if (dir & EXRAY_RULE_DIR_READ)
		bits |= EXRAY_RULE_READ;
	if (dir & EXRAY_RULE_DIR_MOUNT_CHANGE)
		bits |= EXRAY_RULE_MOUNT_CHANGE;
	return bits;
}

/* The pid of pid struct p as its innermost pid namespace numbers it. */
static __always_inline __u32 pid_vnr(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &p->numbers[level]);
	return up.nr;
}

/* /proc/PID/NAME (or /proc/PID/task/TID/NAME) of a process other than the
 * caller: d on procfs, its directory's name a number that is neither our
 * pid nor our tid, as the host or our own pid namespace numbers them (a
 * container's /proc counts in its namespace). */
static __always_inline bool proc_of_other(struct dentry *d)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct dentry *pd = BPF_CORE_READ(d, d_parent);
	__u64 id = bpf_get_current_pid_tgid(), pid = 0;
	char n[12] = {};
	int i;

	if (BPF_CORE_READ(d, d_sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	bpf_probe_read_kernel_str(n, sizeof(n), BPF_CORE_READ(pd, d_name.name));
	for (i = 0; i < 11; i++) {
		if (n[i] == 0)
			break;
		if (n[i] < '0' || n[i] > '9')
			return false;
		pid = pid * 10 + (n[i] - '0');
	}
	return i > 0 && pid != (id >> 32) && pid != (__u32)id &&
	       pid != pid_vnr(BPF_CORE_READ(t, thread_pid)) &&
	       pid != pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid));
}

/* Copy the path in slot idx (res r) to dst in the record area; returns its
 * length and turns its PR_* flags into record flags. */
static __always_inline __u32 put_path(struct scratch *s, __u32 idx, struct pathres *r, __u32 dst,
				      __u16 *flags, __u16 f_trunc, __u16 f_unres, __u16 f_unread)
{
	__u32 len = clamp(r->len, EXRAY_PATH_MAX);

	if (idx >= NSLOTS)
		return 0;
	dst = clamp(dst, sizeof(struct exray_ns) + 2 * EXRAY_PATH_MAX);
	bpf_probe_read_kernel(s->rec + dst, len, s->slot[clamp(idx, NSLOTS - 1)].buf);
	if (r->flags & PR_TRUNCATED)
		*flags |= f_trunc;
	if (r->flags & PR_UNRESOLVED)
		*flags |= f_unres;
	if (r->flags & PR_UNREADABLE)
		*flags |= f_unread;
	return len;
}

/* Build and output a file record: path in SLOT_A (r1), path2 in SLOT_B
 * (r2, may be NULL). */
SUBPROG int emit_file(struct scratch *s, struct fileop *o, struct pathres *r1, struct pathres *r2,
		      __u16 flags)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct exray_file *f;
	__u32 l1, l2 = 0, end;

	if (!s || !o || !r1)
		return 0;
	f = (void *)s->rec;
	flags |= o->flags;

	fill_task_noted(s, &f->task, t);
	f->op = o->op;
	__builtin_memset(f->reserved, 0, sizeof(f->reserved));
	f->ret = o->ret;
	f->open_flags = o->open_flags;
	f->mode = o->mode;
	f->uid = o->uid;
	f->gid = o->gid;
	f->rdev = o->rdev;
	if (o->exec_bits)
		flags |= EXRAY_F_FILE_EXEC_BITS;
	if (o->other_mount)
		flags |= EXRAY_F_FILE_OTHER_MOUNT;
	if (o->outside)
		flags |= EXRAY_F_FILE_OUTSIDE_MNTNS;
	l1 = put_path(s, SLOT_A, r1, sizeof(*f), &flags, EXRAY_F_PATH_TRUNCATED,
		      EXRAY_F_PATH_UNRESOLVED, EXRAY_F_PATH_UNREADABLE);
	if (r2)
		l2 = put_path(s, SLOT_B, r2, sizeof(*f) + l1, &flags, EXRAY_F_PATH2_TRUNCATED,
			      EXRAY_F_PATH2_UNRESOLVED, EXRAY_F_PATH2_UNREADABLE);
	f->path_len = l1;
	f->path2_len = l2;
	end = sizeof(*f) + l1 + l2;
	if (o->ext) {
		/* after the paths, 8-aligned, the gap zeroed */
		__u32 at = clamp(end, sizeof(*f) + 2 * EXRAY_PATH_MAX);

		for (int i = 0; i < 8; i++)
			s->rec[at + i] = 0;
		at = clamp(EXRAY_REC_ALIGN_UP(at), sizeof(*f) + 2 * EXRAY_PATH_MAX + 8);
		__builtin_memcpy(s->rec + at, &o->x, sizeof(o->x));
		end = at + sizeof(o->x);
		flags |= EXRAY_F_FILE_EXT;
	}
	output_area_rec(s, end, EXRAY_REC_FILE, flags);
	return 0;
}

/* Judge and emit: changes when a rule says so or an exec bit was given,
 * reads when the path is a secret. d: the opened file's dentry (for
 * /proc/PID/NAME of another process), or NULL. */
static __always_inline void judge_file(struct scratch *s, struct fileop *o, struct pathres *r1,
				       struct pathres *r2, struct dentry *d)
{
	__u32 bits = path_rules(s, SLOT_A, r1);
	/* outside the mount namespace, or a refused write to a running image */
	bool always = o->outside || o->force;
	__u16 flags = 0;

	if (r2)
		bits |= path_rules(s, SLOT_B, r2);
	if (d && (bits & EXRAY_RULE_PROC_OTHER) && proc_of_other(d))
		bits |= EXRAY_RULE_READ | EXRAY_RULE_CHANGE;
	if (o->read) {
		if (bits & EXRAY_RULE_READ)
			flags |= EXRAY_F_FILE_SENSITIVE;
		else if (!always)
			return;
	} else {
		/* a sensitive name on a volume or host path: its role (cron.d,
		 * sudoers, passwd) does not depend on where it is mounted */
		if (o->other_mount && (bits & EXRAY_RULE_MOUNT_CHANGE))
			bits |= EXRAY_RULE_CHANGE;
		/* a cgroup control file wherever cgroupfs is mounted; a refused
		 * open cannot say its filesystem: the name alone */
		if ((bits & EXRAY_RULE_CGROUP_CTL) && (o->cgroup_fs || o->ret < 0))
			bits |= EXRAY_RULE_CHANGE;
		if (bits & (EXRAY_RULE_CHANGE | EXRAY_RULE_WATCH))
			flags |= EXRAY_F_FILE_SENSITIVE;
		else if (!o->exec_bits && !always)
			return;
	}
	emit_file(s, o, r1, r2, flags);
}

/* Whether open file f is on a mount other than t's root: in a container,
 * a volume or a host path bound in rather than its image. */
static __always_inline bool on_other_mount(struct file *f, struct task_struct *t)
{
	return BPF_CORE_READ(f, f_path.mnt) != BPF_CORE_READ(t, fs, root.mnt);
}

/* Whether the regular file or directory f, just opened by t, is outside
 * t's mount namespace: on another namespace's mount (a host binary
 * reached through /proc/PID/exe, a host path through /proc/PID/root) or
 * on a kernel-internal mount (a memfd reopened through /proc/PID/fd or
 * exe). Pipes, sockets and ttys reopened through /dev/stdin... are not
 * files: not counted. */
static __always_inline bool outside_mntns(struct file *f, struct task_struct *t)
{
	struct mount *m = real_mount_of(BPF_CORE_READ(f, f_path.mnt));
	void *ns = BPF_CORE_READ(m, mnt_ns);
	__u32 type = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;

	if (type != S_IFREG && type != S_IFDIR)
		return false;
	return ns != (void *)BPF_CORE_READ(t, nsproxy, mnt_ns);
}

/* A cgroup control file: its filesystem and the cgroup (its directory). */
static __always_inline void cgroup_file(struct fileop *o, struct dentry *d)
{
	__u32 magic = BPF_CORE_READ(d, d_sb, s_magic);

	if (magic != CGROUP_SUPER_MAGIC && magic != CGROUP2_SUPER_MAGIC)
		return;
	o->cgroup_fs = o->ext = true;
	o->x.fs_magic = magic;
	o->x.cgroup_id = BPF_CORE_READ(d, d_parent, d_inode, i_ino);
}

/* ------------------------------------------------------------ opens */

/* Where an open call keeps its arguments. Only the flags are read on the
 * hot path (a successful open is judged from its file); the path, dirfd and
 * mode only when a failed open has to be recorded. */
enum open_kind { OPEN_AT, OPEN_PLAIN, OPEN_CREAT, OPEN_AT2 };

static __always_inline __u64 open_flags(struct pt_regs *r, enum open_kind k)
{
	struct open_how how = {};

	switch (k) {
	case OPEN_AT: return (__u32)SYSARG3(r);
	case OPEN_PLAIN: return (__u32)SYSARG2(r);
	case OPEN_CREAT: return O_CREAT | O_WRONLY | O_TRUNC;
	default:
		bpf_probe_read_user(&how, sizeof(how), (void *)SYSARG3(r));
		return how.flags;
	}
}

/* dirfd, path and mode of a failed open. */
static __always_inline void open_args(struct pt_regs *r, enum open_kind k, int *dfd,
				      const char **upath, __u32 *mode)
{
	struct open_how how = {};

	*dfd = k == OPEN_AT || k == OPEN_AT2 ? (int)SYSARG1(r) : AT_FDCWD;
	*upath = (void *)(k == OPEN_AT || k == OPEN_AT2 ? SYSARG2(r) : SYSARG1(r));
	switch (k) {
	case OPEN_AT: *mode = SYSARG4(r); break;
	case OPEN_PLAIN: *mode = SYSARG3(r); break;
	case OPEN_CREAT: *mode = SYSARG2(r); break;
	default:
		bpf_probe_read_user(&how, sizeof(how), (void *)SYSARG3(r));
		*mode = how.mode;
	}
}

static __always_inline int file_open(long ret, enum open_kind k)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pt_regs *regs = syscall_regs();
	__u64 flags = open_flags(regs, k);
	bool wr = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
	struct fileop o = { .ret = ret, .open_flags = flags, .read = !wr };
	struct pathres r = {};
	struct dentry *d = NULL;
	struct scratch *s;

	if (flags & O_PATH) {
		if (ret < 0)
			return 0;
		wr = false; /* O_PATH opens neither reads nor writes */
		o.read = true;
	}
	/* a failed read is worth recording only when it was refused; a
	 * write refused because the file is a running image always */
	if (!wr && ret < 0 && ret != -EACCES && ret != -EPERM)
		return 0;
	o.force = wr && ret == -ETXTBSY;
	if (ret >= 0) {
		struct file *f = task_fd_file(t, ret);
		__u32 imode;

		if (!f)
			return 0; /* closed by another thread meanwhile */
		d = BPF_CORE_READ(f, f_path.dentry);
		o.outside = outside_mntns(f, t);
		if ((flags & O_PATH) && !o.outside)
			return 0;
		if (!wr && !o.outside) {
			struct exray_name_key key;
			__u32 cand = dentry_name_bits(d, &key);

			if (!(cand & (EXRAY_RULE_READ | EXRAY_RULE_READ_IF | EXRAY_RULE_PROC_OTHER)))
				return 0;
		}
		s = scratch_or_loss(EXRAY_REC_FILE);
		if (!s)
			return 0;
		walk_file(s, SLOT_A, f, t, &r);
		o.other_mount = on_other_mount(f, t);
		imode = BPF_CORE_READ(f, f_inode, i_mode);
		if (!wr) {
			o.op = EXRAY_FILE_READ;
		} else if (BPF_CORE_READ(f, f_mode) & FMODE_CREATED) {
			o.op = EXRAY_FILE_CREATE;
			o.mode = imode & 07777;
			o.exec_bits = (imode & S_IFMT) == S_IFREG && (imode & S_IXUGO);
		} else {
			o.op = (flags & O_TRUNC) ? EXRAY_FILE_TRUNCATE : EXRAY_FILE_WRITE;
		}
		if (wr)
			cgroup_file(&o, d);
	} else {
		const char *upath;
		__u32 mode;
		int dfd;

		s = scratch_or_loss(EXRAY_REC_FILE);
		if (!s)
			return 0;
		open_args(regs, k, &dfd, &upath, &mode);
		join_user(s, SLOT_A, t, dfd, upath, &r);
		o.op = !wr ? EXRAY_FILE_READ
		       : (flags & O_CREAT) ? EXRAY_FILE_CREATE
		       : (flags & O_TRUNC) ? EXRAY_FILE_TRUNCATE : EXRAY_FILE_WRITE;
		if (flags & O_CREAT) {
			o.mode = mode & 07777;
			o.exec_bits = mode & S_IXUGO;
		}
	}
	judge_file(s, &o, &r, NULL, d);
	return 0;
}

#define FILE_OPEN(name, kind)                                                 \
	SEC("tracepoint/syscalls/sys_exit_" #name)                            \
	int file_exit_##name(struct trace_event_raw_sys_exit *ctx)            \
	{                                                                     \
		return wanted(EXRAY_EV_FILE) ? file_open(ctx->ret, kind) : 0; \
	}

FILE_OPEN(openat, OPEN_AT)
FILE_OPEN(open, OPEN_PLAIN)
FILE_OPEN(creat, OPEN_CREAT)
FILE_OPEN(openat2, OPEN_AT2)

/* ------------------------------------------------- calls on one path */

/* A change by path (dfd, upath): truncate, unlink, chmod, chown, mknod. */
static __always_inline int file_path_op(long ret, int dfd, const char *upath, struct fileop *o)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pathres r = {};
	struct scratch *s;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	o->ret = ret;
	join_user(s, SLOT_A, t, dfd, upath, &r);
	judge_file(s, o, &r, NULL, NULL);
	return 0;
}

/* A change through an open fd: ftruncate, fchmod, fchown. Directories
 * never count as "made executable". */
static __always_inline int file_fd_op(long ret, int fd, struct fileop *o)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct file *f;
	struct pathres r = {};
	struct scratch *s;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	f = task_fd_file(t, fd);
	if (!f)
		return 0; /* EBADF: nothing was touched */
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFDIR)
		o->exec_bits = false;
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	o->ret = ret;
	o->other_mount = on_other_mount(f, t);
	walk_file(s, SLOT_A, f, t, &r);
	judge_file(s, o, &r, NULL, BPF_CORE_READ(f, f_path.dentry));
	return 0;
}

static __always_inline bool mode_exec_bits(__u32 mode)
{
	return mode & (S_IXUGO | 06000);
}

/* name(path, ...): a change by path, relative to the cwd */
#define FILE_PATH1(name, op_, flags_)                                                 \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int file_exit_##name(struct trace_event_raw_sys_exit *ctx)                    \
	{                                                                             \
		struct fileop o = { .op = op_, .open_flags = flags_ };                \
                                                                                      \
		return file_path_op(ctx->ret, AT_FDCWD, (void *)SYSARG1(syscall_regs()), \
				    &o);                                               \
	}

FILE_PATH1(truncate, EXRAY_FILE_TRUNCATE, 0)
FILE_PATH1(unlink, EXRAY_FILE_UNLINK, 0)
FILE_PATH1(rmdir, EXRAY_FILE_UNLINK, AT_REMOVEDIR)

SEC("tracepoint/syscalls/sys_exit_ftruncate")
int file_exit_ftruncate(struct trace_event_raw_sys_exit *ctx)
{
	struct fileop o = { .op = EXRAY_FILE_TRUNCATE };

	return file_fd_op(ctx->ret, SYSARG1(syscall_regs()), &o);
}

SEC("tracepoint/syscalls/sys_exit_unlinkat")
int file_exit_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct fileop o = { .op = EXRAY_FILE_UNLINK, .open_flags = SYSARG3(r) };

	return file_path_op(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), &o);
}

static __always_inline int file_chmod(long ret, int dfd, const char *upath, __u32 mode,
				      __u32 atflags)
{
	struct fileop o = { .op = EXRAY_FILE_CHMOD, .mode = mode & 07777, .open_flags = atflags,
			    .exec_bits = mode_exec_bits(mode) };

	return file_path_op(ret, dfd, upath, &o);
}

SEC("tracepoint/syscalls/sys_exit_chmod")
int file_exit_chmod(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chmod(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), SYSARG2(r), 0);
}

SEC("tracepoint/syscalls/sys_exit_fchmodat")
int file_exit_fchmodat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chmod(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), SYSARG3(r), 0);
}

SEC("tracepoint/syscalls/sys_exit_fchmodat2")
int file_exit_fchmodat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chmod(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), SYSARG3(r), SYSARG4(r));
}

SEC("tracepoint/syscalls/sys_exit_fchmod")
int file_exit_fchmod(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	__u32 mode = SYSARG2(r);
	struct fileop o = { .op = EXRAY_FILE_CHMOD, .mode = mode & 07777,
			    .exec_bits = mode_exec_bits(mode) };

	return file_fd_op(ctx->ret, SYSARG1(r), &o);
}

static __always_inline int file_chown(long ret, int dfd, const char *upath, __u32 uid, __u32 gid,
				      __u32 atflags)
{
	struct fileop o = { .op = EXRAY_FILE_CHOWN, .uid = uid, .gid = gid, .open_flags = atflags };

	return file_path_op(ret, dfd, upath, &o);
}

SEC("tracepoint/syscalls/sys_exit_chown")
int file_exit_chown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chown(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), SYSARG2(r), SYSARG3(r), 0);
}

SEC("tracepoint/syscalls/sys_exit_lchown")
int file_exit_lchown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chown(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), SYSARG2(r), SYSARG3(r),
			  0x100 /* AT_SYMLINK_NOFOLLOW */);
}

SEC("tracepoint/syscalls/sys_exit_fchownat")
int file_exit_fchownat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_chown(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), SYSARG3(r), SYSARG4(r),
			  SYSARG5(r));
}

SEC("tracepoint/syscalls/sys_exit_fchown")
int file_exit_fchown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct fileop o = { .op = EXRAY_FILE_CHOWN, .uid = SYSARG2(r), .gid = SYSARG3(r) };

	return file_fd_op(ctx->ret, SYSARG1(r), &o);
}

/* mknod: a device node is recorded anywhere, like an exec bit, with its
 * device number (dev as mknod(2) takes it, new_decode_dev's encoding). */
static __always_inline int file_mknod(long ret, int dfd, const char *upath, __u32 mode, __u32 dev)
{
	__u32 type = mode & S_IFMT;
	bool node = type == S_IFCHR || type == S_IFBLK;
	struct fileop o = { .op = EXRAY_FILE_CREATE, .mode = mode, .exec_bits = node,
			    .rdev = !node ? 0 : ((dev & 0xfff00) >> 8) << 20 |
						((dev & 0xff) | ((dev >> 12) & 0xfff00)) };

	return file_path_op(ret, dfd, upath, &o);
}

SEC("tracepoint/syscalls/sys_exit_mknod")
int file_exit_mknod(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_mknod(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), SYSARG2(r), SYSARG3(r));
}

SEC("tracepoint/syscalls/sys_exit_mknodat")
int file_exit_mknodat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();

	return file_mknod(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), SYSARG3(r), SYSARG4(r));
}

/* ------------------------------------------------ calls on two paths */

/* rename/link (old -> new) and symlink (target text -> new link). */
static __always_inline int file_two(long ret, int odfd, const char *old, int ndfd,
				    const char *new, struct fileop *o)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pathres r1 = {}, r2 = {};
	struct scratch *s;

	if (!wanted(EXRAY_EV_FILE))
		return 0;
	s = scratch_or_loss(EXRAY_REC_FILE);
	if (!s)
		return 0;
	o->ret = ret;
	if (o->op == EXRAY_FILE_SYMLINK) {
		/* the target is text stored in the link, resolved only when used */
		long n = bpf_probe_read_user_str(s->slot[SLOT_A].buf, EXRAY_PATH_MAX, old);

		r1.len = n > 0 ? n : 0;
		r1.flags = n > 0 ? PR_UNRESOLVED : PR_UNREADABLE;
		if (n == EXRAY_PATH_MAX)
			r1.flags |= PR_TRUNCATED;
		r1.last = r1.parent = PR_NONE;
	} else {
		join_user(s, SLOT_A, t, odfd, old, &r1);
	}
	join_user(s, SLOT_B, t, ndfd, new, &r2);
	judge_file(s, o, &r1, &r2, NULL);
	return 0;
}

/* name(oldpath, newpath) */
#define FILE_TWO(name, op_)                                                           \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int file_exit_##name(struct trace_event_raw_sys_exit *ctx)                    \
	{                                                                             \
		struct pt_regs *r = syscall_regs();                                   \
		struct fileop o = { .op = op_ };                                      \
                                                                                      \
		return file_two(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), AT_FDCWD,      \
				(void *)SYSARG2(r), &o);                               \
	}
/* name(olddirfd, oldpath, newdirfd, newpath[, flags]) */
#define FILE_TWO_AT(name, op_, flags_)                                                \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int file_exit_##name(struct trace_event_raw_sys_exit *ctx)                    \
	{                                                                             \
		struct pt_regs *r = syscall_regs();                                   \
		struct fileop o = { .op = op_, .open_flags = flags_ };                \
                                                                                      \
		return file_two(ctx->ret, SYSARG1(r), (void *)SYSARG2(r), SYSARG3(r),  \
				(void *)SYSARG4(r), &o);                               \
	}

FILE_TWO(rename, EXRAY_FILE_RENAME)
FILE_TWO_AT(renameat, EXRAY_FILE_RENAME, 0)
FILE_TWO_AT(renameat2, EXRAY_FILE_RENAME, SYSARG5(r))
FILE_TWO(link, EXRAY_FILE_LINK)
FILE_TWO_AT(linkat, EXRAY_FILE_LINK, SYSARG5(r))
FILE_TWO(symlink, EXRAY_FILE_SYMLINK)

/* symlinkat(target, newdirfd, linkpath) */
SEC("tracepoint/syscalls/sys_exit_symlinkat")
int file_exit_symlinkat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = syscall_regs();
	struct fileop o = { .op = EXRAY_FILE_SYMLINK };

	return file_two(ctx->ret, AT_FDCWD, (void *)SYSARG1(r), SYSARG2(r), (void *)SYSARG3(r), &o);
}

#endif /* EXRAY_FILE_BPF_H */
