// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Snapshot of every process alive at start, taken after the programs are
 * attached so that nothing falls in a gap: a process starting meanwhile is
 * seen by the live programs, the snapshot, or both.
 *
 * Preferred source: the BPF task iterator (exact start times, the same
 * fields as an exec). Fallback: /proc, flagged EXRAY_F_SNAPSHOT_PROC, whose
 * start times have only clock-tick resolution (10 ms at USER_HZ=100), so
 * they may not match the exact start of a later fork/exec/exit record.
 * Either way the exe path and argv come from /proc, and processes the
 * iterator did not show are completed from /proc.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "record.h"

#define PROC_PATH_LEN 64

size_t rec_cmdline_to_argv(const char *in, size_t inlen, char *out, size_t max, bool *truncated)
{
	size_t n = inlen;

	*truncated = false;
	if (max == 0)
		return 0;
	if (n > max) {
		n = max;
		*truncated = true;
	}
	memcpy(out, in, n);
	if (n && out[n - 1] != 0) {
		/* a cut argument, or a process that rewrote its argument area */
		if (n == max) {
			out[n - 1] = 0;
			*truncated = true;
		} else {
			out[n++] = 0;
		}
	}
	return n;
}

/* Read up to max bytes of a /proc file. Returns bytes read or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t max)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < max) {
		ssize_t n = read(fd, buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	return len;
}

/* The extension bytes (struct exray_exec_ext + exe + cwd) that follow a
 * snapshot record's fixed part, as the iterator writes them; 0 if none. */
static size_t base_ext_len(const struct exray_exec *base)
{
	const struct exray_exec_ext *x = (const void *)(base + 1);
	size_t room = base->hdr.len > sizeof(*base) ? base->hdr.len - sizeof(*base) : 0;

	if (!(base->hdr.flags & EXRAY_F_EXEC_EXT) || room < sizeof(*x) ||
	    sizeof(*x) + (size_t)x->exe_len + x->cwd_len > room)
		return 0;
	return sizeof(*x) + x->exe_len + x->cwd_len;
}

/*
 * Assemble a snapshot record: the fixed part of base, the exe link and argv
 * of base->task.pid from /proc, then the extension ext (ext_len bytes, may
 * be 0) at the next 8-byte boundary.
 */
static int complete_with_ext(const struct exray_exec *base, const void *ext, size_t ext_len,
			     __u32 argv_max, void **recp, size_t *lenp)
{
	char path[PROC_PATH_LEN], exe[EXRAY_PATH_MAX];
	struct exray_exec *e;
	char *raw = NULL, *p;
	ssize_t n, flen;
	size_t alen = 0, len, ext_off;
	bool trunc = false;

	snprintf(path, sizeof(path), "/proc/%u/exe", base->task.pid);
	flen = readlink(path, exe, sizeof(exe) - 1);
	if (flen < 0)
		flen = 0; /* kernel threads, races with exit */
	exe[flen++] = 0;

	raw = malloc(argv_max + 1);
	if (!raw)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%u/cmdline", base->task.pid);
	n = read_file(path, raw, argv_max + 1);
	if (n < 0)
		n = 0;

	len = EXRAY_REC_ALIGN_UP(sizeof(*e) + flen + (n > argv_max ? argv_max : n) + 1) + ext_len +
	      EXRAY_REC_ALIGN;
	e = calloc(1, len);
	if (!e) {
		free(raw);
		return -ENOMEM;
	}
	memcpy(e, base, sizeof(*e));
	p = (char *)(e + 1);
	memcpy(p, exe, flen);
	alen = rec_cmdline_to_argv(raw, n, p + flen, argv_max, &trunc);
	free(raw);
	e->filename_len = flen;
	e->argv_len = alen;
	if (trunc)
		e->hdr.flags |= EXRAY_F_ARGV_TRUNCATED;
	e->hdr.flags &= ~EXRAY_F_EXEC_EXT;
	e->hdr.len = EXRAY_REC_ALIGN_UP(sizeof(*e) + flen + alen);
	if (ext_len) {
		ext_off = e->hdr.len;
		memcpy((char *)e + ext_off, ext, ext_len);
		e->hdr.flags |= EXRAY_F_EXEC_EXT;
		e->hdr.len = EXRAY_REC_ALIGN_UP(ext_off + ext_len);
	}
	*recp = e;
	*lenp = e->hdr.len;
	return 0;
}

int rec_snapshot_complete(const struct exray_exec *base, __u32 argv_max, void **recp, size_t *lenp)
{
	return complete_with_ext(base, base + 1, base_ext_len(base), argv_max, recp, lenp);
}

/* ------------------------------------------------------- /proc fallback */

static const char *cgroup2_mount(void)
{
	static char mnt[PATH_MAX];
	static bool done;
	char line[4096];
	FILE *f;

	if (done)
		return mnt[0] ? mnt : NULL;
	done = true;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char point[PATH_MAX], *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", point);
			break;
		}
	}
	fclose(f);
	return mnt[0] ? mnt : NULL;
}

/* Fields of /proc/PID/stat after the comm: ppid, flags, start ticks. */
static int proc_stat(__u32 pid, char *comm, __u32 *ppid, __u32 *flags, __u64 *start_ns)
{
	char path[PROC_PATH_LEN], buf[1024], *open_, *close_, *tok, *save = NULL;
	unsigned long long ticks = 0;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? (int)n : -ENOENT;
	buf[n] = 0;
	open_ = strchr(buf, '(');
	close_ = strrchr(buf, ')');
	if (!open_ || !close_ || close_ < open_)
		return -EINVAL;
	if (comm) {
		size_t cl = close_ - open_ - 1;

		if (cl >= EXRAY_COMM_LEN)
			cl = EXRAY_COMM_LEN - 1;
		memset(comm, 0, EXRAY_COMM_LEN);
		memcpy(comm, open_ + 1, cl);
	}
	/* field 3 (state) is the first token after ") " */
	for (tok = strtok_r(close_ + 1, " ", &save), field = 3; tok;
	     tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 4 && ppid)
			*ppid = strtoul(tok, NULL, 10);
		else if (field == 9 && flags)
			*flags = strtoul(tok, NULL, 10);
		else if (field == 22) {
			ticks = strtoull(tok, NULL, 10);
			break;
		}
	}
	*start_ns = ticks * (1000000000ull / sysconf(_SC_CLK_TCK));
	return 0;
}

static __u32 ns_inode(__u32 pid, const char *ns)
{
	char path[PROC_PATH_LEN];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/%s", pid, ns);
	return stat(path, &st) == 0 ? (__u32)st.st_ino : 0;
}

/* uid/gid lines and the innermost NSpid of /proc/PID/status. */
static void proc_status(__u32 pid, struct exray_task *t)
{
	char path[PROC_PATH_LEN], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u %u", &t->uid, &t->euid) == 2)
			continue;
		if (sscanf(line, "Gid: %u %u", &t->gid, &t->egid) == 2)
			continue;
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');

			if (last)
				t->vpid = strtoul(last + 1, NULL, 10);
		}
	}
	fclose(f);
}

/* The cgroup2 path of pid ("0::/a/b") and its id (the directory inode). */
static int proc_cgroup(__u32 pid, char *cg, size_t cglen, __u64 *id)
{
	char path[PROC_PATH_LEN], line[EXRAY_PATH_MAX + 8], full[PATH_MAX + EXRAY_PATH_MAX];
	const char *mnt = cgroup2_mount();
	struct stat st;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (strlen(line + 3) >= cglen)
			break; /* deeper than a record can hold */
		memcpy(cg, line + 3, strlen(line + 3) + 1);
		ret = 0;
		break;
	}
	fclose(f);
	if (ret)
		return ret;
	*id = 0;
	if (mnt) {
		snprintf(full, sizeof(full), "%s%s", mnt, cg);
		if (stat(full, &st) == 0)
			*id = st.st_ino;
	}
	return 0;
}

/* readlink of /proc/PID/NAME made relative to the process's own root (as
 * the kernel walk gives it), into out; returns its length, -1 if unread. */
static ssize_t proc_link_in_root(__u32 pid, const char *name, char *out, size_t cap)
{
	char path[PROC_PATH_LEN], root[EXRAY_PATH_MAX];
	ssize_t n, rn;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	n = readlink(path, out, cap - 1);
	if (n < 0)
		return -1;
	out[n] = 0;
	snprintf(path, sizeof(path), "/proc/%u/root", pid);
	rn = readlink(path, root, sizeof(root) - 1);
	if (rn > 1 && n > rn && !memcmp(out, root, rn) && out[rn] == '/') {
		memmove(out, out + rn, n - rn + 1);
		n -= rn;
	}
	return n;
}

/* Kernel device encoding (major << 20 | minor) of a userspace dev_t. */
static __u32 kdev(unsigned long long dev)
{
	return (major(dev) << 20) | minor(dev);
}

/*
 * The 1.2 extension of pid from /proc, into buf (struct exray_exec_ext, exe,
 * cwd): what the iterator would give, from the recorder's view: no overlay
 * upper-layer flag (not visible in /proc). Returns its length, 0 if none.
 */
static size_t proc_ext(__u32 pid, char *buf, size_t cap)
{
	static const char deleted[] = " (deleted)";
	struct exray_exec_ext *x = (void *)buf;
	char *exe = (char *)(x + 1), path[PROC_PATH_LEN], line[512], *cwd;
	ssize_t el, cl;
	unsigned long long caps;
	struct stat st;
	FILE *f;

	if (cap < sizeof(*x) + 2 * EXRAY_PATH_MAX)
		return 0;
	memset(x, 0, sizeof(*x));
	el = proc_link_in_root(pid, "exe", exe, EXRAY_PATH_MAX);
	if (el >= 0) {
		size_t dl = sizeof(deleted) - 1;

		if ((size_t)el > dl && !strcmp(exe + el - dl, deleted)) {
			el -= dl;
			exe[el] = 0;
			x->exe_flags |= EXRAY_EXE_DELETED;
		}
		if (!strncmp(exe, "/memfd:", 7))
			x->exe_flags = (x->exe_flags & ~EXRAY_EXE_DELETED) | EXRAY_EXE_MEMFD;
		x->exe_len = el + 1;
		snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		if (stat(path, &st) == 0) {
			x->exe_ino = st.st_ino;
			x->exe_dev = kdev(st.st_dev);
			x->exe_flags |= (st.st_mode & S_ISUID ? EXRAY_EXE_SETUID : 0) |
					(st.st_mode & S_ISGID ? EXRAY_EXE_SETGID : 0);
		}
	}
	cwd = exe + x->exe_len;
	cl = proc_link_in_root(pid, "cwd", cwd, EXRAY_PATH_MAX);
	if (cl >= 0)
		x->cwd_len = cl + 1;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &caps) == 1)
				x->cap_effective = caps;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if ((f = fopen(path, "re"))) {
		char *close_;
		unsigned tty_nr;

		if (fgets(line, sizeof(line), f) && (close_ = strrchr(line, ')')) &&
		    sscanf(close_ + 1, " %*c %*d %*d %*d %u", &tty_nr) == 1 && tty_nr)
			x->tty = kdev(makedev((tty_nr >> 8) & 0xfff, (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00)));
		fclose(f);
	}
	return sizeof(*x) + x->exe_len + x->cwd_len;
}

/* A /proc snapshot record of pid: base (from build_task), its exe link,
 * argv and extension. */
static int complete_from_proc(const struct exray_exec *base, __u32 argv_max, void **rec,
			      size_t *len)
{
	char *ext = malloc(sizeof(struct exray_exec_ext) + 2 * EXRAY_PATH_MAX);
	size_t ext_len;
	int err;

	if (!ext)
		return -ENOMEM;
	ext_len = proc_ext(base->task.pid, ext, sizeof(struct exray_exec_ext) + 2 * EXRAY_PATH_MAX);
	err = complete_with_ext(base, ext, ext_len, argv_max, rec, len);
	free(ext);
	return err;
}

static int build_task(__u32 pid, struct exray_exec *e)
{
	__u32 flags = 0, pflags;
	__u64 pstart = 0;
	char cg[EXRAY_PATH_MAX];
	int err;

	memset(e, 0, sizeof(*e));
	err = proc_stat(pid, e->task.comm, &e->task.ppid, &flags, &e->task.start);
	if (err)
		return err;
	if (e->task.ppid && proc_stat(e->task.ppid, NULL, NULL, &pflags, &pstart) == 0)
		e->task.pstart = pstart;
	e->task.pid = e->task.tid = pid;
	proc_status(pid, &e->task);
	e->task.pidns = ns_inode(pid, "pid");
	e->task.mntns = ns_inode(pid, "mnt");
	e->task.netns = ns_inode(pid, "net");
	proc_cgroup(pid, cg, sizeof(cg), &e->task.cgroup_id);
	e->hdr.type = EXRAY_REC_SNAPSHOT;
	e->hdr.flags = EXRAY_F_SNAPSHOT_PROC | ((flags & 0x00200000) ? EXRAY_F_KTHREAD : 0);
	e->hdr.len = sizeof(*e);
	e->hdr.ts = rec_now_boot_ns();
	return 0;
}

int rec_snapshot_proc_one(__u32 pid, __u32 argv_max, void **rec, size_t *len)
{
	struct exray_exec base;
	int err = build_task(pid, &base);

	if (err)
		return err;
	return complete_from_proc(&base, argv_max, rec, len);
}

/* A cgroup record from /proc for id, marked seen in the kernel. */
static int emit_proc_cgroup(struct rec_bpf *b, __u32 pid, rec_emit_fn emit, void *ctx)
{
	char path[EXRAY_PATH_MAX];
	struct exray_cgroup *c;
	__u64 id = 0;
	size_t plen, len;
	int err;

	if (proc_cgroup(pid, path, sizeof(path), &id) || !id)
		return 0;
	plen = strlen(path) + 1;
	len = EXRAY_REC_ALIGN_UP(sizeof(*c) + plen);
	c = calloc(1, len);
	if (!c)
		return -ENOMEM;
	c->hdr.type = EXRAY_REC_CGROUP;
	c->hdr.len = len;
	c->hdr.ts = rec_now_boot_ns();
	c->cgroup_id = id;
	c->path_len = plen;
	memcpy(c + 1, path, plen);
	err = emit(ctx, c, len);
	free(c);
	if (!err && b)
		rec_bpf_mark_cgroup(b, id);
	return err;
}

static int snapshot_proc(struct rec_bpf *b, __u32 argv_max, __u32 self, rec_emit_fn emit,
			 void *ctx)
{
	__u64 *seen = NULL;
	size_t nseen = 0, capseen = 0;
	struct dirent *d;
	int count = 0, err = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		struct exray_exec base;
		void *rec;
		size_t len, i;
		__u32 pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = strtoul(d->d_name, NULL, 10);
		if (pid == self || build_task(pid, &base))
			continue; /* gone meanwhile */
		for (i = 0; i < nseen && seen[i] != base.task.cgroup_id; i++)
			;
		if (i == nseen && base.task.cgroup_id) {
			if (nseen == capseen) {
				__u64 *ns = realloc(seen, (capseen = capseen ? capseen * 2 : 64) * 8);

				if (!ns) {
					err = -ENOMEM;
					break;
				}
				seen = ns;
			}
			seen[nseen++] = base.task.cgroup_id;
			err = emit_proc_cgroup(b, pid, emit, ctx);
			if (err)
				break;
		}
		err = complete_from_proc(&base, argv_max, &rec, &len);
		if (err)
			break;
		err = emit(ctx, rec, len);
		free(rec);
		if (err)
			break;
		count++;
	}
	closedir(dir);
	free(seen);
	return err ? err : count;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* pids of /proc in a malloc'd array. */
static int proc_pids(__u32 **out, size_t *n)
{
	size_t cap = 256;
	__u32 *v = malloc(cap * sizeof(*v));
	struct dirent *d;
	DIR *dir = opendir("/proc");

	*n = 0;
	if (!v || !dir) {
		free(v);
		if (dir)
			closedir(dir);
		return -ENOMEM;
	}
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (*n == cap) {
			__u32 *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = strtoul(d->d_name, NULL, 10);
	}
	closedir(dir);
	*out = v;
	return 0;
}

/*
 * Processes in /proc that the iterator did not show (observed on 6.18: the
 * task iterator never visits pid 1) are added from /proc, flagged
 * EXRAY_F_SNAPSHOT_PROC.
 */
static int complement_from_proc(struct rec_bpf *b, const __u32 *seen, size_t nseen,
				__u32 argv_max, __u32 self, rec_emit_fn emit, void *ctx)
{
	__u32 *pids = NULL;
	size_t n = 0;
	int count = 0, err = proc_pids(&pids, &n);

	for (size_t i = 0; !err && i < n; i++) {
		struct exray_exec base;
		void *rec;
		size_t len;

		if (pids[i] == self || bsearch(&pids[i], seen, nseen, sizeof(*seen), cmp_u32))
			continue;
		if (build_task(pids[i], &base))
			continue; /* gone meanwhile */
		if (base.task.cgroup_id && !rec_bpf_cgroup_seen(b, base.task.cgroup_id))
			err = emit_proc_cgroup(b, pids[i], emit, ctx);
		if (!err)
			err = complete_from_proc(&base, argv_max, &rec, &len);
		if (!err) {
			err = emit(ctx, rec, len);
			free(rec);
			count++;
		}
	}
	free(pids);
	return err ? err : count;
}

static int snapshot_iter(struct rec_bpf *b, __u32 argv_max, __u32 self, rec_emit_fn emit,
			 void *ctx)
{
	size_t len = 0, off = 0, nseen = 0;
	__u32 *seen = NULL;
	void *buf = NULL;
	int count = 0, err;

	err = rec_bpf_iterate(b, &buf, &len);
	if (err)
		return err;
	seen = malloc((len / sizeof(struct exray_exec) + 1) * sizeof(*seen));
	if (!seen) {
		free(buf);
		return -ENOMEM;
	}
	while (off + sizeof(struct exray_rec_hdr) <= len) {
		const struct exray_rec_hdr *h = (const void *)((char *)buf + off);
		void *rec;
		size_t rlen;

		if (h->len < sizeof(*h) || h->len % EXRAY_REC_ALIGN || h->len > len - off) {
			err = -EBADMSG;
			break;
		}
		if (h->type == EXRAY_REC_SNAPSHOT && h->len >= sizeof(struct exray_exec)) {
			const struct exray_exec *e = (const void *)h;

			seen[nseen++] = e->task.pid;
			err = rec_snapshot_complete(e, argv_max, &rec, &rlen);
			if (!err) {
				err = emit(ctx, rec, rlen);
				free(rec);
				count++;
			}
		} else {
			err = emit(ctx, h, h->len);
		}
		if (err)
			break;
		off += h->len;
	}
	free(buf);
	if (!err) {
		qsort(seen, nseen, sizeof(*seen), cmp_u32);
		err = complement_from_proc(b, seen, nseen, argv_max, self, emit, ctx);
		if (err > 0) {
			count += err;
			err = 0;
		}
	}
	free(seen);
	return err ? err : count;
}

int rec_snapshot(struct rec_bpf *b, __u32 argv_max, __u32 self, rec_emit_fn emit, void *ctx)
{
	if (b && b->have_iter)
		return snapshot_iter(b, argv_max, self, emit, ctx);
	return snapshot_proc(b, argv_max, self, emit, ctx);
}
