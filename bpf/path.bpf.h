/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Paths as the kernel resolved them, built in the kernel (no fentry, LSM or
 * bpf_d_path here: a bounded dentry walk, like the cgroup one):
 *
 * - walk_path: the absolute path of a (dentry, vfsmount) as the task sees it,
 *   from its root, crossing mount points (d_path's algorithm). Used for an
 *   opened file (fd), the exe, the cwd, a dirfd.
 * - join_path: a user path argument made absolute: the walk of the
 *   directory the kernel starts from (cwd, or the dirfd's file) joined with
 *   the argument, "." and ".." folded and "//" collapsed. Symlinks in the
 *   argument are not followed (that needs a lookup; an opened file's own
 *   path has them resolved).
 *
 * Both write into a scratch path slot and describe the result in a struct
 * pathres. A path too deep or too long keeps its leaf side behind "/...".
 */
#ifndef EXRAY_PATH_BPF_H
#define EXRAY_PATH_BPF_H

#include "common.bpf.h"

#define PR_TRUNCATED  0x1 /* cut: starts with "/..." */
#define PR_UNRESOLVED 0x2 /* the raw argument, not made absolute */
#define PR_UNREADABLE 0x4 /* the argument could not be read: len 0 */
#define PR_NONE 0xffff

struct pathres {
	__u64 d, m;    /* in, for walk_path: the struct dentry and vfsmount */
	__u64 upath;   /* in, for join_path: the path argument and its dirfd; */
	__s32 dirfd;
	__u32 kstr;    /* in: upath is a kernel string (io_uring's copy) */
	__u32 len;     /* bytes incl. the NUL; 0 when unreadable */
	__u16 flags;   /* PR_* */
	__u16 last;    /* offset of the '/' before the last component, PR_NONE: none */
	__u16 parent;  /* the same for the component before it */
	__u16 ncomp;   /* components in s->w.start */
};

/* Mount crossings allowed besides the components. */
#define WALK_STEPS (EXRAY_WALK_DEPTH + 8)

static __always_inline struct mount *real_mount_of(struct vfsmount *vm)
{
	return (void *)vm - bpf_core_field_offset(struct mount, mnt);
}

/* State of the walk callbacks (bpf_loop: each callback is verified once,
 * where an unrolled walk multiplies the verifier's states). */
struct walkctx {
	struct scratch *s;
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	struct dentry *root_d;
	struct vfsmount *root_m;
	__u32 idx;
	__u32 n;       /* components collected, leaf first */
	__u32 keep;    /* components that fit */
	__u32 top;     /* reached the root */
	__u32 cut;
	__u32 off;     /* assembly: bytes written */
	__u64 total;
	__u16 last, parent;
};

/* One step up: a component, or a mount crossing. */
static long walk_up(__u32 i, struct walkctx *c)
{
	struct scratch *s = c->s;
	struct dentry *d = c->d, *pd;
	struct vfsmount *vm = c->vm;
	struct mount *mnt = c->mnt;
	__u32 n = c->n;

	if (!s || !d || (d == c->root_d && vm == c->root_m)) {
		c->top = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *pm = BPF_CORE_READ(mnt, mnt_parent);

		if (!pm || pm == mnt) { /* outside the task's root: the top of its tree */
			c->top = 1;
			return 1;
		}
		c->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = pm;
		c->vm = &pm->mnt;
		return 0;
	}
	if (n >= EXRAY_WALK_DEPTH) {
		c->cut = 1;
		return 1;
	}
	s->w.name[n & (EXRAY_WALK_DEPTH - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
	s->w.len[n & (EXRAY_WALK_DEPTH - 1)] = BPF_CORE_READ(d, d_name.len);
	c->n = n + 1;
	pd = BPF_CORE_READ(d, d_parent);
	if (pd == d) { /* disconnected or pseudo (memfd): its name is the top */
		c->top = 1;
		return 1;
	}
	c->d = pd;
	return 0;
}

/* How many components fit, from the leaf up, with room for "/...". */
static long walk_fit(__u32 i, struct walkctx *c)
{
	struct scratch *s = c->s;

	if (!s || i >= c->n)
		return 1;
	c->total += 1 + clamp(s->w.len[i & (EXRAY_WALK_DEPTH - 1)], NAME_BUF - 1);
	if (c->total > EXRAY_PATH_MAX - 1 - 4) {
		c->cut = 1;
		return 1;
	}
	c->keep++;
	return 0;
}

/* Write component keep-1-i (from the top down) into the slot. */
static long walk_put(__u32 i, struct walkctx *c)
{
	struct scratch *s = c->s;
	__u32 j, idx = c->idx;
	__u64 len, off;
	char *buf;

	if (!s || i >= c->keep || idx >= NSLOTS)
		return 1;
	j = (c->keep - 1 - i) & (EXRAY_WALK_DEPTH - 1); /* keep <= EXRAY_WALK_DEPTH */
	buf = s->slot[clamp(idx, NSLOTS - 1)].buf;
	len = clamp(s->w.len[j], NAME_BUF - 1);
	off = clamp(c->off, EXRAY_PATH_MAX - NAME_BUF - 1);
	c->parent = c->last;
	c->last = off;
	s->w.start[i & (2 * EXRAY_WALK_DEPTH - 1)] = off;
	buf[off++] = '/';
	bpf_probe_read_kernel(buf + off, len, (void *)s->w.name[j]);
	c->off = off + len;
	return 0;
}

/*
 * The absolute path of (r->d, r->m) as task t sees it, into slot idx of s.
 * Returns 0, or -1 when idx is bad.
 */
SUBPROG int walk_path(struct scratch *s, __u32 idx, __u64 task, struct pathres *r)
{
	struct task_struct *t = (void *)task;
	struct walkctx c = {
		.s = s, .idx = idx, .last = PR_NONE, .parent = PR_NONE,
		.root_d = BPF_CORE_READ(t, fs, root.dentry), .root_m = BPF_CORE_READ(t, fs, root.mnt),
	};
	char *buf;
	__u32 off;

	if (!s || !r || idx >= NSLOTS)
		return -1;
	c.d = (void *)r->d;
	c.vm = (void *)r->m;
	c.mnt = real_mount_of((void *)r->m);
	buf = s->slot[clamp(idx, NSLOTS - 1)].buf;
	bpf_loop(WALK_STEPS, walk_up, &c, 0);
	if (!c.top)
		c.cut = 1;
	bpf_loop(EXRAY_WALK_DEPTH, walk_fit, &c, 0);
	if (c.cut) {
		__builtin_memcpy(buf, "/...", 4);
		c.off = 4;
	}
	bpf_loop(EXRAY_WALK_DEPTH, walk_put, &c, 0);
	off = clamp(c.off, EXRAY_PATH_MAX - 1);
	if (off == 0)
		buf[off++] = '/';
	buf[off] = 0;
	r->len = off + 1;
	r->flags = c.cut ? PR_TRUNCATED : 0;
	r->last = c.last;
	r->parent = c.parent;
	r->ncomp = c.keep;
	return 0;
}

/* The path of an open file, into slot idx. */
static __always_inline int walk_file(struct scratch *s, __u32 idx, struct file *f,
				     struct task_struct *t, struct pathres *r)
{
	r->d = (__u64)BPF_CORE_READ(f, f_path.dentry);
	r->m = (__u64)BPF_CORE_READ(f, f_path.mnt);
	return walk_path(s, idx, (__u64)t, r);
}

/* The working directory of t, into slot idx. */
static __always_inline int walk_cwd(struct scratch *s, __u32 idx, struct task_struct *t,
				    struct pathres *r)
{
	r->d = (__u64)BPF_CORE_READ(t, fs, pwd.dentry);
	r->m = (__u64)BPF_CORE_READ(t, fs, pwd.mnt);
	return walk_path(s, idx, (__u64)t, r);
}

/* State of join_step, one call per character of s->raw. */
struct joinctx {
	struct scratch *s;
	__u32 idx;
	__u32 off;     /* length of the path built so far */
	__u32 n;       /* components on the stack (s->w.start) */
	__u32 cstart;  /* offset of the '/' of the component being copied */
	__u32 clen;    /* its length so far */
	__u32 trunc;
};

static long join_step(__u32 i, struct joinctx *c)
{
	struct scratch *s = c->s;
	char *out, ch;
	__u32 idx = c->idx;

	if (!s || idx >= NSLOTS || i >= EXRAY_PATH_MAX)
		return 1;
	out = s->slot[clamp(idx, NSLOTS - 1)].buf;
	ch = s->raw[clamp(i, EXRAY_PATH_MAX - 1)];
	if (ch == '/' || ch == 0) {
		__u32 cs = clamp(c->cstart, EXRAY_PATH_MAX - 4);

		if (c->clen == 1 && out[cs + 1] == '.') {
			c->off = cs;
		} else if (c->clen == 2 && out[cs + 1] == '.' && out[cs + 2] == '.') {
			c->off = cs;
			if (c->n > 0) {
				c->n--;
				c->off = s->w.start[c->n & (2 * EXRAY_WALK_DEPTH - 1)];
			}
		} else if (c->clen > 0) {
			if (c->n < 2 * EXRAY_WALK_DEPTH) {
				s->w.start[c->n & (2 * EXRAY_WALK_DEPTH - 1)] = cs;
				c->n++;
			} else {
				c->trunc = 1; /* deeper than ".." can be folded */
			}
		}
		c->clen = 0;
		return ch == 0;
	}
	if (c->off >= EXRAY_PATH_MAX - 2) {
		c->trunc = 1;
		return 1;
	}
	if (c->clen == 0) {
		c->cstart = c->off;
		out[clamp(c->off, EXRAY_PATH_MAX - 2)] = '/';
		c->off++;
	}
	out[clamp(c->off, EXRAY_PATH_MAX - 2)] = ch;
	c->off++;
	c->clen++;
	return 0;
}

/*
 * The user path r->upath made absolute into slot idx: from the task's root
 * when absolute, else from its cwd (r->dirfd AT_FDCWD) or dirfd's file. A
 * path that cannot be read gives len 0 and PR_UNREADABLE; an unknown dirfd
 * the raw argument and PR_UNRESOLVED.
 */
SUBPROG int join_path(struct scratch *s, __u32 idx, __u64 task, struct pathres *r)
{
	struct task_struct *t = (void *)task;
	struct joinctx c = { .s = s, .idx = idx };
	const char *upath;
	int dirfd;
	long n;

	if (!s || !r || idx >= NSLOTS)
		return -1;
	upath = (void *)r->upath;
	dirfd = r->dirfd;
	if (r->kstr)
		n = bpf_probe_read_kernel_str(s->raw, EXRAY_PATH_MAX, upath);
	else
		n = bpf_probe_read_user_str(s->raw, EXRAY_PATH_MAX, upath);
	if (n <= 0) {
		s->slot[clamp(idx, NSLOTS - 1)].buf[0] = 0;
		r->len = 0;
		r->flags = PR_UNREADABLE;
		r->last = r->parent = PR_NONE;
		r->ncomp = 0;
		return 0;
	}
	if (s->raw[0] != '/') {
		struct file *f = NULL;
		int err;

		if (dirfd == AT_FDCWD) {
			err = walk_cwd(s, idx, t, r);
		} else {
			f = task_fd_file(t, dirfd);
			err = f ? walk_file(s, idx, f, t, r) : -1;
		}
		if (err) { /* no directory to start from: keep the argument as given */
			n = clamp(n, EXRAY_PATH_MAX);
			bpf_probe_read_kernel(s->slot[clamp(idx, NSLOTS - 1)].buf, n, s->raw);
			r->len = n;
			r->flags = PR_UNRESOLVED | (n == EXRAY_PATH_MAX ? PR_TRUNCATED : 0);
			r->last = r->parent = PR_NONE;
			r->ncomp = 0;
			return 0;
		}
		/* the root walks to "/": components are appended to "" */
		c.off = r->len > 2 ? r->len - 1 : 0;
		c.n = r->ncomp;
	} else {
		r->flags = 0;
	}
	bpf_loop(n, join_step, &c, 0);
	{
		char *out = s->slot[clamp(idx, NSLOTS - 1)].buf;
		__u32 off = clamp(c.off, EXRAY_PATH_MAX - 2);

		if (off == 0)
			out[off++] = '/';
		out[off] = 0;
		r->len = off + 1;
	}
	if (c.trunc || n == EXRAY_PATH_MAX)
		r->flags |= PR_TRUNCATED;
	r->ncomp = c.n;
	r->last = c.n >= 1 ? s->w.start[(c.n - 1) & (2 * EXRAY_WALK_DEPTH - 1)] : PR_NONE;
	r->parent = c.n >= 2 ? s->w.start[(c.n - 2) & (2 * EXRAY_WALK_DEPTH - 1)] : PR_NONE;
	return 0;
}

/* join_path of (dirfd, upath). */
static __always_inline int join_user(struct scratch *s, __u32 idx, struct task_struct *t,
				     int dirfd, const char *upath, struct pathres *r)
{
	r->upath = (__u64)upath;
	r->dirfd = dirfd;
	return join_path(s, idx, (__u64)t, r);
}

#endif /* EXRAY_PATH_BPF_H */
