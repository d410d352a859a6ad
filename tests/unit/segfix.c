/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "segfix.h"

void segfix_header(struct exray_seg_header *h, const char *host, uint8_t boot, uint8_t capture,
		   uint64_t seq)
{
	memset(h, 0, sizeof(*h));
	h->seq = seq;
	h->boot_to_wall_ns = 1700000000000000000LL;
	memset(h->boot_id, boot, 16);
	memset(h->capture_id, capture, 16);
	strncpy(h->host, host, sizeof(h->host) - 1);
	strcpy(h->kernel_release, "6.18.0-test");
	strcpy(h->recorder_version, "segfix");
	h->argv_max = 4096;
}

struct exray_seg_writer *segfix_open(const char *dir, const char *name,
				     const struct exray_seg_header *h)
{
	struct exray_seg_writer *w = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return NULL;
	if (exray_seg_writer_open(&w, fd, name, h, NULL))
		w = NULL;
	close(fd);
	return w;
}

struct exray_task segfix_task(uint32_t pid, uint32_t ppid, uint64_t start, uint64_t pstart,
			      uint64_t cgroup_id)
{
	struct exray_task t = { 0 };

	t.pid = t.tid = t.vpid = pid;
	t.ppid = ppid;
	t.start = start;
	t.pstart = pstart;
	t.cgroup_id = cgroup_id;
	t.uid = t.gid = t.euid = t.egid = 1000;
	t.pidns = 1, t.mntns = 2, t.netns = 3;
	strcpy(t.comm, "test");
	return t;
}

size_t segfix_argv_put(char *dst, const char *const *argv)
{
	size_t len = 0;

	for (const char *const *a = argv; a && *a; a++) {
		size_t n = strlen(*a) + 1;
		if (dst)
			memcpy(dst + len, *a, n);
		len += n;
	}
	return len;
}

int segfix_exec(struct exray_seg_writer *w, unsigned type, uint64_t ts,
		const struct exray_task *t, int ret, const char *filename, const char *const *argv)
{
	size_t fl = strlen(filename) + 1, al = segfix_argv_put(NULL, argv), len;
	struct exray_exec *e;
	char *p;
	int err;

	len = EXRAY_REC_ALIGN_UP(sizeof(*e) + fl + al);
	if (!(e = calloc(1, len)))
		return -1;
	e->hdr.type = type;
	e->hdr.len = len;
	e->hdr.ts = ts;
	e->task = *t;
	e->ret = ret;
	e->filename_len = fl;
	e->argv_len = al;
	p = (char *)(e + 1);
	memcpy(p, filename, fl);
	segfix_argv_put(p + fl, argv);
	err = exray_seg_append(w, e, len);
	free(e);
	return err;
}

int segfix_fork(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t)
{
	struct exray_fork f = { .hdr = { EXRAY_REC_FORK, 0, sizeof(f), ts }, .task = *t };

	return exray_seg_append(w, &f, sizeof(f));
}

int segfix_exit(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t,
		uint32_t code)
{
	struct exray_exit x = { .hdr = { EXRAY_REC_EXIT, 0, sizeof(x), ts }, .task = *t,
				.exit_code = code };

	return exray_seg_append(w, &x, sizeof(x));
}

int segfix_connect(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t,
		   uint64_t sock, const char *daddr, uint16_t dport)
{
	struct exray_connect k = { .hdr = { EXRAY_REC_CONNECT, 0, sizeof(k), ts }, .task = *t };

	k.sock = sock;
	k.family = EXRAY_FAMILY_V4;
	inet_pton(AF_INET, "10.0.0.1", k.saddr);
	inet_pton(AF_INET, daddr, k.daddr);
	k.dport = dport;
	return exray_seg_append(w, &k, sizeof(k));
}

int segfix_result(struct exray_seg_writer *w, uint64_t ts, uint64_t sock, uint16_t sport,
		  uint8_t state)
{
	struct exray_connect_result r = { .hdr = { EXRAY_REC_CONNECT_RESULT, 0, sizeof(r), ts } };

	r.sock = sock;
	r.sport = sport;
	r.newstate = state;
	return exray_seg_append(w, &r, sizeof(r));
}

int segfix_cgroup(struct exray_seg_writer *w, uint64_t ts, uint64_t id, const char *path)
{
	size_t pl = strlen(path) + 1, len = EXRAY_REC_ALIGN_UP(sizeof(struct exray_cgroup) + pl);
	struct exray_cgroup *c = calloc(1, len);
	int err;

	if (!c)
		return -1;
	c->hdr.type = EXRAY_REC_CGROUP;
	c->hdr.len = len;
	c->hdr.ts = ts;
	c->cgroup_id = id;
	c->path_len = pl;
	memcpy(c + 1, path, pl);
	err = exray_seg_append(w, c, len);
	free(c);
	return err;
}

int segfix_loss(struct exray_seg_writer *w, uint64_t ts, unsigned type, uint32_t cpu,
		uint64_t count)
{
	struct exray_loss l = { .hdr = { EXRAY_REC_LOSS, 0, sizeof(l), ts } };

	l.lost_type = type;
	l.cpu = cpu;
	l.count = count;
	return exray_seg_append(w, &l, sizeof(l));
}
