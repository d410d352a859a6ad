// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Segment output: the directory, file names, headers, rotation by size and
 * age, the --max-total cap (oldest segments of this capture deleted first),
 * and the cgroup and container records replayed at the start of every
 * segment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "record.h"

struct seg_file {
	char name[96];
	__u64 bytes;
};

struct rec_output {
	struct rec_output_cfg cfg;
	struct exray_seg_writer *w;
	struct rec_cgroups *cgroups;
	__u64 seq;
	__u64 opened_ns;
	__u64 lost[EXRAY_LOSS_SLOTS];
	struct seg_file *files; /* this capture's segments still on disk */
	size_t nfiles;
	__u64 records, closed_bytes, segments;
	__u64 next_seal_log;    /* boot ns */
	bool removed;           /* segments or the directory were removed */
	int err;                /* first error, sticky */
};

__u64 rec_now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

__s64 rec_boot_to_wall(void)
{
	struct timespec w, b;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((__s64)w.tv_sec - b.tv_sec) * 1000000000ll + ((__s64)w.tv_nsec - b.tv_nsec);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "6f1d...-..." -> 16 bytes. */
static int read_boot_id(__u8 *out)
{
	char buf[64];
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC), n, k = 0;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	for (int i = 0; buf[i] && k < 32; i++) {
		int v = hexval(buf[i]);

		if (v < 0)
			continue;
		if (k % 2 == 0)
			out[k / 2] = v << 4;
		else
			out[k / 2] |= v;
		k++;
	}
	return k == 32 ? 0 : -EINVAL;
}

int rec_output_cfg_init(struct rec_output_cfg *cfg, int dirfd)
{
	struct utsname u;
	struct tm tm;
	time_t now = time(NULL);
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->dirfd = dirfd;
	if (uname(&u) == 0)
		snprintf(cfg->release, sizeof(cfg->release), "%s", u.release);
	if (gethostname(cfg->host, sizeof(cfg->host) - 1))
		snprintf(cfg->host, sizeof(cfg->host), "unknown");
	err = read_boot_id(cfg->boot_id);
	if (err)
		return err;
	if (getrandom(cfg->capture_id, sizeof(cfg->capture_id), 0) != sizeof(cfg->capture_id))
		return -errno;
	gmtime_r(&now, &tm);
	strftime(cfg->start_utc, sizeof(cfg->start_utc), "%Y%m%dT%H%M%SZ", &tm);
	/* the recorder runs in the host's namespaces: the analyzer's reference
	 * for telling a container process that entered them (nsenter) */
	static const char *const ns[3] = { "/proc/self/ns/pid", "/proc/self/ns/mnt",
					   "/proc/self/ns/net" };
	for (int i = 0; i < 3; i++) {
		struct stat st;

		cfg->host_ns[i] = stat(ns[i], &st) ? 0 : (__u32)st.st_ino;
	}
	return 0;
}

int rec_output_dir_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create directory: %s", path, strerror(errno));
		return -errno;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: refusing a symlink as the output directory", path);
		return -ELOOP;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open directory: %s%s", path, strerror(e),
			 e == ELOOP ? " (a symlink is refused)" : "");
		return -e;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -errno;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s: refusing a directory writable by group or others (mode %04o); "
			 "use chmod 0700 or another directory", path, st.st_mode & 07777);
		close(fd);
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: refusing a directory owned by uid %u, not by us", path,
			 st.st_uid);
		close(fd);
		return -EPERM;
	}
	return fd;
}

void rec_segment_name(const struct rec_output_cfg *cfg, __u64 seq, char *buf, size_t len)
{
	snprintf(buf, len, "exray-%s-%02x%02x%02x%02x-%06llu.exray.zst", cfg->start_utc,
		 cfg->capture_id[0], cfg->capture_id[1], cfg->capture_id[2], cfg->capture_id[3],
		 (unsigned long long)seq);
}

static int emit_to_writer(void *ctx, const void *rec, size_t len)
{
	return exray_seg_append(ctx, rec, len);
}

/*
 * Delete this capture's oldest closed segments until under the cap, never
 * the open one nor the newest closed one (the last two of files): a cap
 * cannot empty the capture.
 */
static void enforce_max_total(struct rec_output *o)
{
	__u64 total = o->w ? exray_seg_writer_file_bytes(o->w) : 0;
	size_t drop = 0;

	if (!o->cfg.max_total)
		return;
	for (size_t i = 0; i < o->nfiles; i++)
		total += o->files[i].bytes;
	while (drop + 2 < o->nfiles && total > o->cfg.max_total) {
		unlinkat(o->cfg.dirfd, o->files[drop].name, 0);
		total -= o->files[drop].bytes;
		drop++;
	}
	memmove(o->files, o->files + drop, (o->nfiles - drop) * sizeof(*o->files));
	o->nfiles -= drop;
}

/*
 * A full disk under --max-total: delete this capture's oldest closed segment,
 * as retention would have if the cap were below the disk size, so recording
 * goes on. Returns true if one was deleted (then retry the write).
 */
static bool make_room(struct rec_output *o, int err)
{
	if ((err != -ENOSPC && err != -EDQUOT) || !o->cfg.max_total || o->nfiles < 3)
		return false;
	unlinkat(o->cfg.dirfd, o->files[0].name, 0);
	memmove(o->files, o->files + 1, (o->nfiles - 1) * sizeof(*o->files));
	o->nfiles--;
	return true;
}

/* err = EXPR, retried while make_room() frees space */
#define WITH_ROOM(o, err, expr)                          \
	do {                                             \
		(err) = (expr);                          \
		while ((err) && make_room((o), (err)))   \
			(err) = (expr);                  \
	} while (0)

static int open_segment(struct rec_output *o)
{
	struct exray_seg_header h = { 0 };
	struct exray_seg_writer_opts wo = { .level = o->cfg.level, .sealer = o->cfg.sealer,
						.columns = true };
	struct seg_file *nf;
	char name[96];
	int err;

	h.seq = o->seq;
	h.created_boot_ns = rec_now_boot_ns();
	h.boot_to_wall_ns = rec_boot_to_wall();
	memcpy(h.boot_id, o->cfg.boot_id, 16);
	memcpy(h.capture_id, o->cfg.capture_id, 16);
	memcpy(h.host, o->cfg.host, sizeof(h.host));
	memcpy(h.kernel_release, o->cfg.release, sizeof(h.kernel_release));
	snprintf(h.recorder_version, sizeof(h.recorder_version), "%s", EXRAY_RECORDER_VERSION);
	h.argv_max = o->cfg.argv_max;
	h.host_pidns = o->cfg.host_ns[0];
	h.host_mntns = o->cfg.host_ns[1];
	h.host_netns = o->cfg.host_ns[2];
	rec_segment_name(&o->cfg, o->seq, name, sizeof(name));

	WITH_ROOM(o, err, exray_seg_writer_open(&o->w, o->cfg.dirfd, name, &h, &wo));
	if (err)
		return err;
	o->seq++;
	o->segments++;
	o->opened_ns = h.created_boot_ns;
	nf = realloc(o->files, (o->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	o->files = nf;
	snprintf(o->files[o->nfiles].name, sizeof(o->files[0].name), "%s", name);
	o->files[o->nfiles].bytes = 0;
	o->nfiles++;
	/* self-contained: every cgroup and container known so far, and the
	 * losses so far */
	for (unsigned t = 0; t < EXRAY_LOSS_SLOTS; t++)
		if (o->lost[t])
			exray_seg_writer_set_lost(o->w, t, o->lost[t]);
	return rec_cgroups_replay(o->cgroups, emit_to_writer, o->w);
}

static int close_segment(struct rec_output *o)
{
	int err, cerr;

	if (!o->w)
		return 0;
	/* batch and footer are each retried after making room: a disk that
	 * fills exactly at the footer must not end a capture under --max-total */
	WITH_ROOM(o, err, exray_seg_flush(o->w));
	if (!err)
		WITH_ROOM(o, err, exray_seg_write_footer(o->w, rec_boot_to_wall()));
	cerr = exray_seg_writer_close(o->w, rec_boot_to_wall());
	if (!err)
		err = cerr;
	o->w = NULL;
	if (o->nfiles) {
		struct stat st;
		struct seg_file *f = &o->files[o->nfiles - 1];

		if (fstatat(o->cfg.dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			f->bytes = st.st_size;
		o->closed_bytes += f->bytes;
	}
	return err;
}

int rec_output_open(struct rec_output **out, const struct rec_output_cfg *cfg)
{
	struct rec_output *o = calloc(1, sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	o->cfg = *cfg;
	err = rec_cgroups_new(&o->cgroups);
	if (!err)
		err = open_segment(o);
	if (err) {
		if (o->w)
			exray_seg_writer_abort(o->w);
		rec_cgroups_free(o->cgroups);
		free(o->files);
		free(o);
		return err;
	}
	*out = o;
	return 0;
}

#define STICKY(o, expr)                           \
	do {                                      \
		int err_ = (expr);                \
		if (err_ && !(o)->err)            \
			(o)->err = err_;          \
		if (err_)                         \
			return err_;              \
	} while (0)

int rec_output_rotate(struct rec_output *o)
{
	if (o->err)
		return o->err;
	STICKY(o, close_segment(o));
	STICKY(o, open_segment(o));
	enforce_max_total(o);
	return 0;
}

static bool rotation_due(struct rec_output *o)
{
	if (exray_seg_writer_file_bytes(o->w) >= o->cfg.segment_size)
		return true;
	return o->cfg.segment_age_ms &&
	       rec_now_boot_ns() - o->opened_ns >= o->cfg.segment_age_ms * 1000000ull;
}

int rec_output_append(struct rec_output *o, const void *rec, size_t len)
{
	const struct exray_rec_hdr *h = rec;
	int err;

	if (o->err)
		return o->err;
	if (h->type == EXRAY_REC_CGROUP || h->type == EXRAY_REC_CONTAINER)
		STICKY(o, rec_cgroups_add(o->cgroups, rec));
	WITH_ROOM(o, err, exray_seg_append(o->w, rec, len));
	STICKY(o, err);
	o->records++;
	/* the file grows a frame at a time: this checks once per frame */
	if (exray_seg_writer_file_bytes(o->w) >= o->cfg.segment_size)
		return rec_output_rotate(o);
	return 0;
}

/* The latest seal, to a place the host's attacker cannot rewrite later
 * (syslog shipped off the host, a pipe to a collector): a copy there shows
 * the newest segments if they are deleted. A failing log never stops the
 * capture; it is said once. */
static void seal_log(struct rec_output *o)
{
	char cap[33], seal_hex[2 * EXRAY_SEAL_BYTES + 1], line[256];
	__u8 seal[EXRAY_SEAL_BYTES];
	__u64 index, now = rec_now_boot_ns();
	time_t wall;
	struct tm tm;
	char when[32];
	int n;

	if ((o->cfg.seal_log_fd < 0 && !o->cfg.seal_log_syslog) || !o->cfg.sealer ||
	    now < o->next_seal_log || !exray_sealer_last(o->cfg.sealer, &index, seal))
		return;
	o->next_seal_log = now + o->cfg.seal_log_ms * 1000000ull;
	exray_seal_hex(o->cfg.capture_id, 16, cap);
	exray_seal_hex(seal, sizeof(seal), seal_hex);
	wall = (time_t)(((__s64)now + rec_boot_to_wall()) / 1000000000ll);
	gmtime_r(&wall, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "exray-seal capture=%s seq=%llu key_index=%llu time=%s seal=%s\n",
		     cap, (unsigned long long)(o->seq ? o->seq - 1 : 0), (unsigned long long)index,
		     when, seal_hex);
	if (o->cfg.seal_log_syslog)
		syslog(LOG_NOTICE, "%.*s", n - 1, line);
	if (o->cfg.seal_log_fd >= 0 && write(o->cfg.seal_log_fd, line, (size_t)n) != n) {
		if (o->cfg.notices)
			fprintf(o->cfg.notices, "exray-record: --seal-log: writing the seal log failed "
				"(%s); recording goes on without it\n", strerror(errno));
		o->cfg.seal_log_fd = -1;
	}
}

/*
 * The directory or the open segment removed while recording (by mistake or
 * to destroy evidence): put the directory back, and the open segment whole
 * (its fd still reads), and go on; rec_output_close then reports it.
 */
static int check_removed(struct rec_output *o)
{
	struct stat st;
	bool dir_gone = fstat(o->cfg.dirfd, &st) == 0 && st.st_nlink == 0;
	char err[512], name[96];
	int fd, ret;

	if (!o->w || (!dir_gone && !exray_seg_writer_unlinked(o->w)))
		return 0;
	o->removed = true;
	if (dir_gone) {
		fd = rec_output_dir_open(o->cfg.dir_path, err, sizeof(err));
		if (fd < 0) {
			if (o->cfg.notices)
				fprintf(o->cfg.notices, "exray-record: the output directory was removed "
					"while recording and cannot be made again: %s\n", err);
			return fd;
		}
		close(o->cfg.dirfd);
		o->cfg.dirfd = fd;
		if (o->cfg.notices && o->nfiles > 1)
			fprintf(o->cfg.notices, "exray-record: the output directory was removed while "
				"recording: %zu closed segment(s) of this capture are lost with it\n",
				o->nfiles - 1);
		/* only the open segment is still ours to put back */
		o->files[0] = o->files[o->nfiles - 1];
		o->nfiles = 1;
	}
	snprintf(name, sizeof(name), "%s", o->files[o->nfiles - 1].name);
	ret = exray_seg_writer_relocate(o->w, o->cfg.dirfd, name);
	if (ret == -EEXIST) { /* someone put a file there: keep it, use another name */
		snprintf(name, sizeof(name), "%.80s.recovered", o->files[o->nfiles - 1].name);
		ret = exray_seg_writer_relocate(o->w, o->cfg.dirfd, name);
	}
	if (ret) {
		if (o->cfg.notices)
			fprintf(o->cfg.notices, "exray-record: the open segment was removed while "
				"recording and cannot be written back: %s\n", strerror(-ret));
		return ret;
	}
	snprintf(o->files[o->nfiles - 1].name, sizeof(o->files[0].name), "%s", name);
	if (o->cfg.notices)
		fprintf(o->cfg.notices, "exray-record: %s was removed while recording: written back "
			"whole (%llu bytes) into a new file, recording goes on\n", name,
			(unsigned long long)exray_seg_writer_file_bytes(o->w));
	return 0;
}

int rec_output_tick(struct rec_output *o)
{
	int err;

	if (o->err)
		return o->err;
	STICKY(o, check_removed(o));
	WITH_ROOM(o, err, exray_seg_seal_tick(o->w));
	STICKY(o, err);
	seal_log(o);
	return 0;
}

int rec_output_set_lost(struct rec_output *o, const __u64 *totals)
{
	for (unsigned t = 0; t < EXRAY_LOSS_SLOTS; t++) {
		o->lost[t] = totals[t];
		if (totals[t])
			exray_seg_writer_set_lost(o->w, t, totals[t]);
	}
	return 0;
}

int rec_output_flush(struct rec_output *o, bool stats_due)
{
	int err;

	if (o->err)
		return o->err;
	STICKY(o, check_removed(o));
	if (stats_due)
		WITH_ROOM(o, err, exray_seg_write_stats(o->w, rec_boot_to_wall()));
	else
		WITH_ROOM(o, err, exray_seg_flush(o->w));
	STICKY(o, err);
	seal_log(o);
	if (rotation_due(o))
		return rec_output_rotate(o);
	enforce_max_total(o);
	return 0;
}

int rec_output_close(struct rec_output *o)
{
	int err;

	if (!o)
		return 0;
	if (!o->err)
		check_removed(o); /* removed in the last flush window */
	err = close_segment(o);
	o->next_seal_log = 0; /* the last seal, whatever the interval */
	seal_log(o);
	if (!err)
		err = o->err;
	if (!err && o->removed)
		err = -ESTALE;
	rec_cgroups_free(o->cgroups);
	free(o->files);
	free(o);
	return err;
}

void rec_output_counts(const struct rec_output *o, __u64 *records, __u64 *bytes, __u64 *segments)
{
	*records = o->records;
	*bytes = o->closed_bytes + (o->w ? exray_seg_writer_file_bytes(o->w) : 0);
	*segments = o->segments;
}
