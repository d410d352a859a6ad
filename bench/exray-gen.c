// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray-gen: write realistic exray segments with known ground truth, at any
 * scale, for the analyzer's scale benchmarks and tests.
 *
 * It simulates one host: a snapshot of every process alive at the start
 * (systemd, kernel threads, daemons, one shim and a few processes per
 * container), then a stream of fork/exec/exit/connect/connect_result records
 * from containers (docker, kubepods, CRI-O, podman cgroup paths) and the host,
 * with deep chains (shell -> sh -c -> ...), wide servers, failed execs,
 * pid reuse (pids are handed out like the kernel does: next free, wrapping at
 * --pid-max), containers started during the capture, IPv4 and IPv6 connects.
 * Output is deterministic for a given --seed and option set.
 *
 * The ground truth (counts by record type, processes, pid reuse, containers
 * with their process/exec/connect counts) goes to stdout as one JSON object,
 * or to --truth FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include "segment.h"

#define GEN_VERSION "exray-gen 1"
#define HOST_PIDNS 4026531836u
#define HOST_MNTNS 4026531841u
#define HOST_NETNS 4026531840u

/* ------------------------------------------------------------ random */

static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**, seeded through splitmix64 */
static uint64_t rnd(void)
{
	uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;

	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl(rng_s[3], 45);
	return r;
}

static void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		rng_s[i] = z ^ (z >> 31);
	}
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)((rnd() >> 32) * n >> 32) : 0;
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void rnd_hex(char *out, size_t nhex)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < nhex; i++)
		out[i] = hx[rnd() >> 60];
	out[nhex] = 0;
}

/* ----------------------------------------------------------- options */

struct gen_opts {
	uint64_t seed;
	uint64_t events;          /* records to write (at least) */
	unsigned containers;      /* alive at the start */
	unsigned new_containers;  /* started during the capture */
	unsigned pid_max;
	unsigned alive;           /* target live processes */
	unsigned max_depth;
	uint64_t segment_size;    /* rotate after this many bytes on disk */
	const char *out;
	const char *truth;
};

/* ------------------------------------------------------------ model */

enum runtime { RT_DOCKER, RT_DOCKER_CGROUPFS, RT_KUBEPODS, RT_CRIO, RT_PODMAN, RT_N };
static const char *const runtime_name[RT_N] = { "docker", "docker", "kubepods", "cri-o", "podman" };

enum image { IMG_PYTHON, IMG_NODE, IMG_NGINX, IMG_JAVA, IMG_GO, IMG_POSTGRES, IMG_REDIS, IMG_SHELL,
	     IMG_N };
static const char *const image_name[IMG_N] = { "python", "node", "nginx", "java",
					       "go", "postgres", "redis", "busybox" };

struct container {
	char cid[65];
	char pod_uid[37];
	char path[256];
	enum runtime rt;
	enum image img;
	uint64_t cgroup_id;
	uint32_t pidns, mntns, netns;
	uint32_t next_vpid;
	int init;            /* proc slot of its init process, -1 once gone */
	uint8_t ip[4];
	uint64_t processes, execs, connects;
};

struct proc {
	uint32_t pid, ppid, vpid;
	uint64_t start, pstart;
	int parent;          /* slot, -1 if not alive/unknown */
	int container;       /* index, -1 = host */
	uint32_t uid, gid;
	char comm[EXRAY_COMM_LEN];
	unsigned depth;
	unsigned children;   /* alive children */
	unsigned total_children;
	int alive_pos;       /* index in alive[], -1 when free */
	int protected;       /* never exits (pid 1, kthreads, shims, container init) */
	int netty;           /* makes connects */
	uint64_t cgroup_id;
};

struct host_cgroup {
	uint64_t id;
	const char *path;
};

static const struct host_cgroup host_cgroups[] = {
	{ 1, "/" },
	{ 2, "/init.scope" },
	{ 3, "/system.slice/sshd.service" },
	{ 4, "/system.slice/containerd.service" },
	{ 5, "/system.slice/docker.service" },
	{ 6, "/system.slice/cron.service" },
	{ 7, "/user.slice/user-1000.slice/session-3.scope" },
	{ 8, "/system.slice/kubelet.service" },
};
#define HCG_ROOT 0
#define HCG_INIT 1
#define HCG_SSHD 2
#define HCG_CONTAINERD 3
#define HCG_DOCKER 4
#define HCG_CRON 5
#define HCG_USER 6
#define HCG_KUBELET 7
#define N_HOST_CGROUPS (sizeof(host_cgroups) / sizeof(host_cgroups[0]))

struct truth {
	uint64_t by_type[EXRAY_REC_TYPE_MAX];
	uint64_t records, processes, pids_reused, failed_execs;
	uint64_t connects_v4, connects_v6, established, failed_connects;
	uint64_t host_processes, kthreads, exits;
	unsigned max_depth, max_children;
	uint64_t segments, bytes_on_disk, bytes_raw;
	uint64_t first_ts, last_ts;
};

struct gen {
	struct gen_opts o;
	struct container *ct;
	unsigned nct, ct_cap;
	struct proc *procs;
	int *free_slots;
	unsigned nfree, nprocs_cap;
	int *alive;          /* slots of live processes */
	unsigned nalive;
	int *pid_slot;       /* pid -> slot of the live process, -1 */
	uint8_t *pid_used;   /* pid was used by an earlier process */
	uint32_t last_pid;
	int last_spawn;      /* slot of the latest spawned process (deep chains) */
	uint64_t ts;
	uint64_t sock_next;
	struct truth t;
	/* output */
	int dirfd;
	struct exray_seg_writer *w;
	struct exray_seg_header hdr;
	char start_utc[20];
	char capture_hex[9];
	uint64_t seq;
	int64_t boot_to_wall;
	uint64_t next_stats_ts;
	unsigned char buf[EXRAY_EXEC_MAX_SIZE];
};

/* ----------------------------------------------------------- output */

static int seg_open(struct gen *g)
{
	char name[96];
	int err;

	g->hdr.seq = g->seq;
	g->hdr.created_boot_ns = g->ts;
	snprintf(name, sizeof(name), "exray-%s-%s-%06" PRIu64 ".exray.zst", g->start_utc,
		 g->capture_hex, g->seq);
	err = exray_seg_writer_open(&g->w, g->dirfd, name, &g->hdr, NULL);
	if (err)
		return err;
	g->t.segments++;
	return 0;
}

static int emit_raw(struct gen *g, const void *rec)
{
	const struct exray_rec_hdr *h = rec;
	int err = exray_seg_append(g->w, rec, h->len);

	if (err)
		return err;
	g->t.by_type[h->type]++;
	g->t.records++;
	g->t.bytes_raw += h->len;
	if (!g->t.first_ts || h->ts < g->t.first_ts)
		g->t.first_ts = h->ts;
	if (h->ts > g->t.last_ts)
		g->t.last_ts = h->ts;
	return 0;
}

static int emit_cgroup(struct gen *g, uint64_t id, const char *path)
{
	struct exray_cgroup *c = (void *)g->buf;
	size_t plen = strlen(path) + 1;

	memset(g->buf, 0, EXRAY_REC_ALIGN_UP(sizeof(*c) + plen));
	c->hdr.type = EXRAY_REC_CGROUP;
	c->hdr.len = EXRAY_REC_ALIGN_UP(sizeof(*c) + plen);
	c->hdr.ts = g->ts;
	c->cgroup_id = id;
	c->path_len = (uint16_t)plen;
	memcpy(c + 1, path, plen);
	return emit_raw(g, c);
}

/* Every segment starts with the cgroup records known so far, as the
 * recorder does, so that each segment can be read alone. */
static int replay_cgroups(struct gen *g)
{
	int err = 0;

	for (size_t i = 0; i < N_HOST_CGROUPS && !err; i++)
		err = emit_cgroup(g, host_cgroups[i].id, host_cgroups[i].path);
	for (unsigned i = 0; i < g->nct && !err; i++)
		err = emit_cgroup(g, g->ct[i].cgroup_id, g->ct[i].path);
	return err;
}

static int seg_close(struct gen *g)
{
	int err = exray_seg_writer_close(g->w, g->boot_to_wall);

	g->w = NULL;
	return err;
}

/* Rotate by size on disk and write periodic stats, like the recorder. */
static int emit(struct gen *g, const void *rec)
{
	int err;

	if (g->ts >= g->next_stats_ts) {
		err = exray_seg_write_stats(g->w, g->boot_to_wall);
		if (err)
			return err;
		g->next_stats_ts = g->ts + 10000000000ull;
	}
	if (exray_seg_writer_file_bytes(g->w) >= g->o.segment_size) {
		err = seg_close(g);
		if (err)
			return err;
		g->seq++;
		err = seg_open(g);
		if (!err)
			err = replay_cgroups(g);
		if (err)
			return err;
	}
	return emit_raw(g, rec);
}

/* ------------------------------------------------------------ tasks */

static void fill_task(const struct gen *g, const struct proc *p, struct exray_task *t)
{
	const struct container *c = p->container >= 0 ? &g->ct[p->container] : NULL;

	t->pid = p->pid;
	t->tid = p->pid;
	t->ppid = p->ppid;
	t->vpid = p->vpid;
	t->start = p->start;
	t->pstart = p->pstart;
	t->cgroup_id = p->cgroup_id;
	t->uid = t->euid = p->uid;
	t->gid = t->egid = p->gid;
	t->pidns = c ? c->pidns : HOST_PIDNS;
	t->mntns = c ? c->mntns : HOST_MNTNS;
	t->netns = c ? c->netns : HOST_NETNS;
	t->reserved = 0;
	memcpy(t->comm, p->comm, EXRAY_COMM_LEN);
}

static void set_comm(struct proc *p, const char *filename)
{
	const char *b = strrchr(filename, '/');

	memset(p->comm, 0, sizeof(p->comm));
	strncpy(p->comm, b ? b + 1 : filename, EXRAY_COMM_LEN - 1);
}

static void advance(struct gen *g)
{
	/* mean ~40 us between records, with bursts and lulls */
	uint64_t d = 1000 + rnd_below(60000);

	if (rnd_below(100) == 0)
		d += rnd_below(5000000);
	g->ts += d;
}

/* next free pid after the last one handed out, wrapping like the kernel
 * (to 300 after the first wrap) */
static int alloc_pid(struct gen *g, uint32_t *out)
{
	for (unsigned tries = 0; tries < g->o.pid_max; tries++) {
		uint32_t pid = g->last_pid + 1;

		if (pid >= g->o.pid_max)
			pid = g->o.pid_max > 1000 ? 300 : 2;
		g->last_pid = pid;
		if (g->pid_slot[pid] < 0) {
			*out = pid;
			return 0;
		}
	}
	return -EAGAIN;
}

static int new_slot(struct gen *g)
{
	if (!g->nfree) {
		unsigned old = g->nprocs_cap, cap = old ? old * 2 : 1024;
		struct proc *np = realloc(g->procs, cap * sizeof(*np));
		int *nf = realloc(g->free_slots, cap * sizeof(*nf));
		int *na = np && nf ? realloc(g->alive, cap * sizeof(*na)) : NULL;

		if (np)
			g->procs = np;
		if (nf)
			g->free_slots = nf;
		if (!na)
			return -ENOMEM;
		g->alive = na;
		for (unsigned i = cap; i > old; i--)
			g->free_slots[g->nfree++] = (int)i - 1;
		g->nprocs_cap = cap;
	}
	return g->free_slots[--g->nfree];
}

/* Register a new process (pid taken) in the tables and the ground truth. */
static int add_proc(struct gen *g, uint32_t pid, int parent, int container, uint64_t start)
{
	int s = new_slot(g);
	struct proc *p;

	if (s < 0)
		return s;
	p = &g->procs[s];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start = start;
	p->parent = parent;
	p->container = container;
	p->alive_pos = (int)g->nalive;
	g->alive[g->nalive++] = s;
	g->pid_slot[pid] = s;
	if (g->pid_used[pid])
		g->t.pids_reused++;
	g->pid_used[pid] = 1;
	g->t.processes++;
	if (parent >= 0) {
		struct proc *pp = &g->procs[parent];

		p->ppid = pp->pid;
		p->pstart = pp->start;
		p->depth = pp->depth + 1;
		p->uid = pp->uid;
		p->gid = pp->gid;
		p->cgroup_id = pp->cgroup_id;
		if (container == -2)
			p->container = pp->container;
		memcpy(p->comm, pp->comm, sizeof(p->comm));
		pp->children++;
		if (++pp->total_children > g->t.max_children)
			g->t.max_children = pp->total_children;
		if (p->depth > g->t.max_depth)
			g->t.max_depth = p->depth;
	}
	if (p->container == -2)
		p->container = -1;
	if (p->container >= 0) {
		struct container *c = &g->ct[p->container];

		p->cgroup_id = c->cgroup_id;
		p->vpid = c->next_vpid++;
		c->processes++;
	} else {
		p->vpid = pid;
		g->t.host_processes++;
	}
	return s;
}

static void remove_proc(struct gen *g, int s)
{
	struct proc *p = &g->procs[s];
	int last = g->alive[--g->nalive];

	g->alive[p->alive_pos] = last;
	g->procs[last].alive_pos = p->alive_pos;
	p->alive_pos = -1;
	g->pid_slot[p->pid] = -1;
	if (p->parent >= 0)
		g->procs[p->parent].children--;
	/* a live child of an exited process would be reparented; we only ever
	 * let leaves exit, so there is none */
	g->free_slots[g->nfree++] = s;
	if (g->last_spawn == s)
		g->last_spawn = -1;
}

/* ------------------------------------------------------------- argv */

struct argv_buf {
	char *p;
	size_t len, cap;
	int truncated;
};

static void av_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void av_add(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (a->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(a->p + a->len, a->cap - a->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 > a->cap - a->len) {
		a->len = a->cap;
		a->p[a->cap - 1] = 0;
		a->truncated = 1;
		return;
	}
	a->len += (size_t)n + 1;
}

static const char *const words[] = {
	"orders", "users", "billing", "inventory", "search", "auth", "reports", "metrics",
	"payments", "sessions", "catalog", "images", "events", "audit", "cache", "queue",
};
#define WORD() (words[rnd_below(sizeof(words) / sizeof(words[0]))])

static const char *const dests[] = {
	"api.example.com", "db.internal.example", "registry.example.org", "s3.example.net",
	"cdn.example.com", "auth.example.org",
};
#define DEST() (dests[rnd_below(sizeof(dests) / sizeof(dests[0]))])

/* Choose what a process runs: sets filename, fills argv, returns the
 * likelihood (0/1) that it makes connections. */
static int pick_exec(const struct gen *g, const struct proc *p, char *filename, size_t flen,
		     struct argv_buf *a)
{
	int img = p->container >= 0 ? (int)g->ct[p->container].img : -1;
	unsigned r = rnd_below(100);
	char hex[17];

#define FN(s) snprintf(filename, flen, "%s", (s))
	if (r < 22) { /* shells everywhere */
		FN(img == IMG_SHELL || img < 0 ? "/bin/sh" : "/bin/bash");
		av_add(a, "%s", img < 0 ? "bash" : "sh");
		av_add(a, "-c");
		switch (rnd_below(5)) {
		case 0:
			av_add(a, "test -f /tmp/healthy-%u && echo ok", rnd_below(100));
			break;
		case 1:
			av_add(a, "find /var/log/%s -name '*.log' -mtime +%u -delete", WORD(),
			       1 + rnd_below(30));
			break;
		case 2:
			av_add(a, "curl -fsS http://%s:%u/healthz || exit 1", DEST(),
			       8000 + rnd_below(100));
			break;
		case 3:
			av_add(a, "tar czf /backup/%s-%u.tgz /data/%s", WORD(), rnd_below(100000),
			       WORD());
			break;
		default:
			av_add(a, "exec /usr/local/bin/%s-worker --shard %u", WORD(), rnd_below(64));
		}
		return 0;
	}
	if (r < 30) {
		rnd_hex(hex, 12);
		FN("/usr/bin/curl");
		av_add(a, "curl");
		av_add(a, "-sS");
		av_add(a, "-o");
		av_add(a, "/tmp/dl-%s", hex);
		av_add(a, "https://%s/v%u/%s/%u?token=%s", DEST(), 1 + rnd_below(3), WORD(),
		       rnd_below(1000000), hex);
		return 1;
	}
	switch (img) {
	case IMG_PYTHON:
		FN("/usr/local/bin/python3.11");
		av_add(a, "python3");
		av_add(a, "/app/%s/manage.py", WORD());
		av_add(a, "%s", r & 1 ? "runworker" : "process_tasks");
		av_add(a, "--queue=%s", WORD());
		av_add(a, "--concurrency=%u", 1 + rnd_below(16));
		return 1;
	case IMG_NODE:
		FN("/usr/local/bin/node");
		av_add(a, "node");
		av_add(a, "--max-old-space-size=%u", 256u << rnd_below(4));
		av_add(a, "/srv/app/dist/%s/index.js", WORD());
		av_add(a, "--port=%u", 3000 + rnd_below(100));
		return 1;
	case IMG_NGINX:
		FN("/usr/sbin/nginx");
		av_add(a, "nginx: worker process");
		return 1;
	case IMG_JAVA: {
		FN("/opt/java/openjdk/bin/java");
		av_add(a, "java");
		av_add(a, "-Xmx%um", 512u << rnd_below(4));
		av_add(a, "-XX:+UseG1GC");
		av_add(a, "-Dspring.profiles.active=%s", r & 1 ? "prod" : "staging");
		av_add(a, "-cp");
		av_add(a, "/app/lib/%s-%u.%u.%u.jar:/app/lib/spring-core-6.1.%u.jar:/app/lib/"
			  "jackson-databind-2.15.%u.jar:/app/classes",
		       WORD(), rnd_below(4), rnd_below(20), rnd_below(50), rnd_below(10),
		       rnd_below(4));
		av_add(a, "com.example.%s.Application", WORD());
		return 1;
	}
	case IMG_GO:
		FN("/usr/local/bin/server");
		av_add(a, "server");
		av_add(a, "--listen=:%u", 8080 + rnd_below(10));
		av_add(a, "--upstream=%s:%u", DEST(), 443);
		av_add(a, "--log-level=%s", r & 1 ? "info" : "debug");
		return 1;
	case IMG_POSTGRES:
		FN("/usr/lib/postgresql/15/bin/postgres");
		av_add(a, "postgres: %s %s 10.244.%u.%u(%u) idle", WORD(), WORD(), rnd_below(4),
		       rnd_below(256), 30000 + rnd_below(30000));
		return 0;
	case IMG_REDIS:
		FN("/usr/local/bin/redis-cli");
		av_add(a, "redis-cli");
		av_add(a, "-h");
		av_add(a, "%s", DEST());
		av_add(a, "GET");
		av_add(a, "%s:%u", WORD(), rnd_below(1000000));
		return 1;
	case IMG_SHELL:
		FN("/bin/busybox");
		switch (rnd_below(4)) {
		case 0:
			av_add(a, "wget");
			av_add(a, "-q");
			av_add(a, "-O-");
			av_add(a, "http://%s/%s/%u", DEST(), WORD(), rnd_below(100000));
			return 1;
		case 1:
			av_add(a, "sleep");
			av_add(a, "%u", 1 + rnd_below(60));
			return 0;
		case 2:
			av_add(a, "cat");
			av_add(a, "/etc/%s.conf", WORD());
			return 0;
		default:
			av_add(a, "nc");
			av_add(a, "-z");
			av_add(a, "%s", DEST());
			av_add(a, "%u", 1 + rnd_below(65535));
			return 1;
		}
	default: /* host */
		switch (rnd_below(6)) {
		case 0:
			FN("/usr/bin/git");
			av_add(a, "git");
			av_add(a, "-C");
			av_add(a, "/home/dev/src/%s", WORD());
			av_add(a, "fetch");
			av_add(a, "origin");
			return 1;
		case 1:
			FN("/usr/sbin/runc");
			av_add(a, "runc");
			av_add(a, "--root");
			av_add(a, "/run/containerd/runc/k8s.io");
			av_add(a, "exec");
			rnd_hex(hex, 16);
			av_add(a, "%s", hex);
			av_add(a, "/bin/sh");
			return 0;
		case 2:
			FN("/usr/bin/python3");
			av_add(a, "python3");
			av_add(a, "/usr/lib/%s/collect.py", WORD());
			av_add(a, "--interval=%u", 10 * (1 + rnd_below(6)));
			return 1;
		case 3:
			FN("/usr/bin/ls");
			av_add(a, "ls");
			av_add(a, "-la");
			av_add(a, "/var/lib/%s", WORD());
			return 0;
		case 4:
			FN("/usr/bin/ssh");
			av_add(a, "ssh");
			av_add(a, "-o");
			av_add(a, "BatchMode=yes");
			av_add(a, "deploy@%s", DEST());
			av_add(a, "uptime");
			return 1;
		default:
			FN("/usr/bin/grep");
			av_add(a, "grep");
			av_add(a, "-rn");
			av_add(a, "%s_%u", WORD(), rnd_below(1000));
			av_add(a, "/etc");
			return 0;
		}
	}
#undef FN
}

/* Write an exec (or snapshot) record for p, running filename/argv. */
static int emit_exec(struct gen *g, struct proc *p, unsigned type, const char *filename,
		     const struct argv_buf *a, int ret, uint16_t flags)
{
	struct exray_exec *e = (void *)g->buf;
	size_t fl = strlen(filename) + 1;
	size_t len = EXRAY_REC_ALIGN_UP(sizeof(*e) + fl + a->len);

	memset(g->buf, 0, len);
	e->hdr.type = (uint16_t)type;
	e->hdr.flags = flags | (a->truncated ? EXRAY_F_ARGV_TRUNCATED : 0);
	e->hdr.len = (uint32_t)len;
	e->hdr.ts = g->ts;
	if (ret == 0 && type == EXRAY_REC_EXEC)
		set_comm(p, filename);
	fill_task(g, p, &e->task);
	e->ret = ret;
	e->filename_len = (uint16_t)fl;
	e->argv_len = (uint16_t)a->len;
	memcpy(e + 1, filename, fl);
	memcpy((char *)(e + 1) + fl, a->p, a->len);
	if (type == EXRAY_REC_EXEC) {
		if (ret)
			g->t.failed_execs++;
		else if (p->container >= 0)
			g->ct[p->container].execs++;
	}
	return emit(g, e);
}

static int emit_fork(struct gen *g, struct proc *p)
{
	struct exray_fork f;

	memset(&f, 0, sizeof(f));
	f.hdr.type = EXRAY_REC_FORK;
	f.hdr.len = sizeof(f);
	f.hdr.ts = g->ts;
	fill_task(g, p, &f.task);
	return emit(g, &f);
}

/* ---------------------------------------------------------- actions */

/* Snapshot one process that was alive before the capture began. */
static int snap(struct gen *g, int parent, int container, const char *comm_path,
		const char *const *argv, uint32_t pid, uint16_t flags, uint64_t cgroup_id)
{
	char av[512];
	struct argv_buf a = { av, 0, sizeof(av), 0 };
	int s;
	struct proc *p;

	if (g->pid_slot[pid] >= 0 && alloc_pid(g, &pid))
		return -EAGAIN;
	s = add_proc(g, pid, parent, container, 1000000000ull + rnd() % (g->ts - 2000000000ull));
	if (s < 0)
		return s;
	p = &g->procs[s];
	if (parent < 0) {
		p->ppid = pid == 1 || pid == 2 ? 0 : 1;
		p->pstart = 0;
	} else if (p->start <= g->procs[parent].start) {
		p->start = g->procs[parent].start + 1000000 + rnd_below(100000000);
	}
	if (container < 0)
		p->cgroup_id = cgroup_id;
	p->protected = 1;
	set_comm(p, argv[0]);
	for (; *argv; argv++)
		av_add(&a, "%s", *argv);
	if (flags & EXRAY_F_KTHREAD)
		a.len = 0;
	return emit_exec(g, p, EXRAY_REC_SNAPSHOT, comm_path, &a, 0, flags) ?: s;
}

static void new_container_desc(struct gen *g, struct container *c)
{
	char uid[33];

	memset(c, 0, sizeof(*c));
	c->rt = (enum runtime)rnd_below(RT_N);
	c->img = (enum image)rnd_below(IMG_N);
	rnd_hex(c->cid, 64);
	rnd_hex(uid, 32);
	snprintf(c->pod_uid, sizeof(c->pod_uid), "%.8s-%.4s-%.4s-%.4s-%.12s", uid, uid + 8,
		 uid + 12, uid + 16, uid + 20);
	switch (c->rt) {
	case RT_DOCKER:
		snprintf(c->path, sizeof(c->path), "/system.slice/docker-%s.scope", c->cid);
		c->pod_uid[0] = 0;
		break;
	case RT_DOCKER_CGROUPFS:
		snprintf(c->path, sizeof(c->path), "/docker/%s", c->cid);
		c->pod_uid[0] = 0;
		break;
	case RT_KUBEPODS:
	case RT_CRIO: {
		/* systemd slice names spell the pod UID with underscores */
		char us[37];
		int crio = c->rt == RT_CRIO;

		snprintf(us, sizeof(us), "%s", c->pod_uid);
		for (char *q = us; *q; q++)
			if (*q == '-')
				*q = '_';
		snprintf(c->path, sizeof(c->path),
			 "/kubepods.slice/kubepods-%s.slice/kubepods-%s-pod%s.slice/%s-%s.scope",
			 crio ? "besteffort" : "burstable", crio ? "besteffort" : "burstable", us,
			 crio ? "crio" : "cri-containerd", c->cid);
		break;
	}
	default:
		snprintf(c->path, sizeof(c->path), "/machine.slice/libpod-%s.scope", c->cid);
		c->pod_uid[0] = 0;
	}
	c->cgroup_id = 10000 + (uint64_t)g->nct * 7 + rnd_below(5);
	c->pidns = 4026532200u + g->nct * 4;
	c->mntns = c->pidns + 1;
	c->netns = c->pidns + 2;
	c->next_vpid = 1;
	c->init = -1;
	c->ip[0] = c->rt == RT_KUBEPODS || c->rt == RT_CRIO ? 10 : 172;
	c->ip[1] = c->ip[0] == 10 ? 244 : 17;
	c->ip[2] = (uint8_t)(g->nct >> 8);
	c->ip[3] = (uint8_t)(g->nct & 0xff) | 1;
}

static int add_container(struct gen *g)
{
	if (g->nct == g->ct_cap) {
		unsigned cap = g->ct_cap ? g->ct_cap * 2 : 16;
		struct container *n = realloc(g->ct, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->ct = n;
		g->ct_cap = cap;
	}
	new_container_desc(g, &g->ct[g->nct]);
	return (int)g->nct++;
}

static int find_host_proc(struct gen *g, const char *comm)
{
	for (unsigned i = 0; i < g->nalive; i++)
		if (!strcmp(g->procs[g->alive[i]].comm, comm))
			return g->alive[i];
	return -1;
}

/* fork a child of parent; exec it (mostly); returns its slot */
static int spawn(struct gen *g, int parent, int exec_it)
{
	char fname[256], av[1024];
	struct argv_buf a = { av, 0, sizeof(av), 0 };
	uint32_t pid;
	int s, err, netty;

	if (alloc_pid(g, &pid))
		return -EAGAIN;
	advance(g);
	s = add_proc(g, pid, parent, -2, g->ts);
	if (s < 0)
		return s;
	err = emit_fork(g, &g->procs[s]);
	if (err || !exec_it)
		return err ?: s;
	advance(g);
	if (rnd_below(40) == 0) { /* a failed exec first: not found on PATH */
		struct argv_buf b = { av, 0, sizeof(av), 0 };

		av_add(&b, "%s", WORD());
		av_add(&b, "--version");
		snprintf(fname, sizeof(fname), "/usr/local/sbin/%.64s", av);
		err = emit_exec(g, &g->procs[s], EXRAY_REC_EXEC, fname, &b, -ENOENT, 0);
		if (err)
			return err;
		advance(g);
	}
	netty = pick_exec(g, &g->procs[s], fname, sizeof(fname), &a);
	g->procs[s].netty = netty;
	err = emit_exec(g, &g->procs[s], EXRAY_REC_EXEC, fname, &a, 0, 0);
	return err ?: s;
}

static int do_connect(struct gen *g, int s)
{
	struct proc *p = &g->procs[s];
	struct exray_connect c;
	struct exray_connect_result r;
	int err, v6 = rnd_below(100) < 15;
	static const uint16_t ports[] = { 443, 443, 443, 80, 53, 5432, 6379, 8080, 9092 };

	memset(&c, 0, sizeof(c));
	c.hdr.type = EXRAY_REC_CONNECT;
	c.hdr.len = sizeof(c);
	advance(g);
	c.hdr.ts = g->ts;
	fill_task(g, p, &c.task);
	c.sock = 0xffff888000000000ull | ((g->sock_next += 0x840 + rnd_below(16) * 0x40) & 0x3fffffffffull);
	c.dport = ports[rnd_below(sizeof(ports) / sizeof(ports[0]))];
	if (v6) {
		static const uint8_t pfx[] = { 0x20, 0x01, 0x0d, 0xb8 };

		c.family = EXRAY_FAMILY_V6;
		memcpy(c.saddr, pfx, 4);
		c.saddr[15] = (uint8_t)(p->container + 2);
		memcpy(c.daddr, pfx, 4);
		c.daddr[7] = (uint8_t)rnd_below(4);
		c.daddr[15] = (uint8_t)(1 + rnd_below(200));
		g->t.connects_v6++;
	} else {
		static const uint8_t nets[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 },
						   { 10, 96, 0 } };
		unsigned n = rnd_below(4);

		c.family = EXRAY_FAMILY_V4;
		if (p->container >= 0)
			memcpy(c.saddr, g->ct[p->container].ip, 4);
		else
			memcpy(c.saddr, (uint8_t[]){ 192, 0, 2, 10 }, 4);
		memcpy(c.daddr, nets[n], 3);
		c.daddr[3] = (uint8_t)(1 + rnd_below(n == 3 ? 20 : 250));
		g->t.connects_v4++;
	}
	if (p->container >= 0)
		g->ct[p->container].connects++;
	err = emit(g, &c);
	if (err)
		return err;
	memset(&r, 0, sizeof(r));
	r.hdr.type = EXRAY_REC_CONNECT_RESULT;
	r.hdr.len = sizeof(r);
	g->ts += 50000 + rnd_below(2000000);
	r.hdr.ts = g->ts;
	r.sock = c.sock;
	r.sport = (uint16_t)(32768 + rnd_below(28232));
	if (rnd_below(100) < 92) {
		r.newstate = EXRAY_TCP_ESTABLISHED;
		g->t.established++;
	} else {
		r.newstate = EXRAY_TCP_CLOSE;
		g->t.failed_connects++;
	}
	return emit(g, &r);
}

static int do_exit(struct gen *g, int s)
{
	struct proc *p = &g->procs[s];
	struct exray_exit x;
	unsigned r = rnd_below(100);

	memset(&x, 0, sizeof(x));
	x.hdr.type = EXRAY_REC_EXIT;
	x.hdr.len = sizeof(x);
	advance(g);
	x.hdr.ts = g->ts;
	fill_task(g, p, &x.task);
	x.exit_code = r < 85 ? 0 : r < 95 ? (1u + rnd_below(2)) << 8 : r < 98 ? 15 : 9;
	g->t.exits++;
	remove_proc(g, s);
	return emit(g, &x);
}

/* Move a just-created process into container ci (it was forked by a host
 * shim and joined the container's cgroup and namespaces before exec). */
static void enter_container(struct gen *g, int s, int ci)
{
	struct container *c = &g->ct[ci];
	struct proc *p = &g->procs[s];

	g->t.host_processes--;
	c->processes++;
	p->container = ci;
	p->cgroup_id = c->cgroup_id;
	p->vpid = c->next_vpid++;
	p->protected = 1;
	p->uid = p->gid = rnd_below(2) ? 0 : 1000;
	c->init = s;
}

/* A container alive before the capture: cgroup, shim and init in the
 * snapshot, with a few workers under the init. */
static int snapshot_container(struct gen *g)
{
	static const char *const shim_argv[] = { "containerd-shim-runc-v2", "-namespace", "moby",
						 NULL };
	static const char *const init_argv[] = { "/sbin/tini", "--", "/entrypoint.sh", NULL };
	int ci = add_container(g), shim, init, err;
	uint32_t pid;

	if (ci < 0)
		return ci;
	if ((err = emit_cgroup(g, g->ct[ci].cgroup_id, g->ct[ci].path)))
		return err;
	if (alloc_pid(g, &pid))
		return -EAGAIN;
	shim = snap(g, find_host_proc(g, "containerd"), -1, "/usr/bin/containerd-shim-runc-v2",
		    shim_argv, pid, 0, host_cgroups[HCG_CONTAINERD].id);
	if (shim < 0)
		return shim;
	if (alloc_pid(g, &pid))
		return -EAGAIN;
	init = snap(g, shim, ci, "/sbin/tini", init_argv, pid, 0, 0);
	if (init < 0)
		return init;
	g->ct[ci].init = init;
	return 0;
}

/* A container started during the capture: containerd forks a shim, the
 * shim forks the init, which joins the container and execs its entrypoint. */
static int live_container(struct gen *g)
{
	char av[256];
	struct argv_buf a = { av, 0, sizeof(av), 0 };
	int ci = add_container(g), shim, init, err;
	struct container *c;

	if (ci < 0)
		return ci;
	c = &g->ct[ci];
	advance(g);
	if ((err = emit_cgroup(g, c->cgroup_id, c->path)))
		return err;
	shim = spawn(g, find_host_proc(g, "containerd"), 0);
	if (shim < 0)
		return shim;
	g->procs[shim].protected = 1;
	av_add(&a, "containerd-shim-runc-v2");
	av_add(&a, "-namespace");
	av_add(&a, "k8s.io");
	av_add(&a, "-id");
	av_add(&a, "%s", c->cid);
	advance(g);
	if ((err = emit_exec(g, &g->procs[shim], EXRAY_REC_EXEC, "/usr/bin/containerd-shim-runc-v2",
			     &a, 0, 0)))
		return err;
	init = spawn(g, shim, 0);
	if (init < 0)
		return init;
	enter_container(g, init, ci);
	a.len = 0;
	av_add(&a, "/docker-entrypoint.sh");
	av_add(&a, "%s", image_name[c->img]);
	advance(g);
	return emit_exec(g, &g->procs[init], EXRAY_REC_EXEC, "/docker-entrypoint.sh", &a, 0, 0);
}

/* Everything alive when the capture starts. */
static int build_snapshot(struct gen *g)
{
	static const struct {
		uint32_t pid;
		const char *path;
		const char *argv[6];
		unsigned cg;
		uint16_t flags;
	} host[] = {
		{ 1, "/usr/lib/systemd/systemd", { "/sbin/init", "splash", NULL }, HCG_INIT, 0 },
		{ 2, "", { "kthreadd", NULL }, HCG_ROOT, EXRAY_F_KTHREAD },
		{ 3, "", { "rcu_gp", NULL }, HCG_ROOT, EXRAY_F_KTHREAD },
		{ 14, "", { "ksoftirqd/0", NULL }, HCG_ROOT, EXRAY_F_KTHREAD },
		{ 22, "", { "ksoftirqd/1", NULL }, HCG_ROOT, EXRAY_F_KTHREAD },
		{ 310, "/usr/lib/systemd/systemd-journald", { "/lib/systemd/systemd-journald", NULL },
		  HCG_INIT, 0 },
		{ 512, "/usr/sbin/cron", { "/usr/sbin/cron", "-f", NULL }, HCG_CRON, 0 },
		{ 530, "/usr/sbin/sshd", { "sshd:", "/usr/sbin/sshd", "-D", "[listener]", NULL },
		  HCG_SSHD, 0 },
		{ 601, "/usr/bin/containerd", { "/usr/bin/containerd", NULL }, HCG_CONTAINERD, 0 },
		{ 640, "/usr/bin/dockerd",
		  { "/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock",
		    NULL },
		  HCG_DOCKER, 0 },
		{ 702, "/usr/bin/kubelet",
		  { "/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
		    "--container-runtime-endpoint=unix:///run/containerd/containerd.sock", NULL },
		  HCG_KUBELET, 0 },
		{ 1200, "/usr/bin/bash", { "-bash", NULL }, HCG_USER, 0 },
	};
	int err, s;

	for (size_t i = 0; i < N_HOST_CGROUPS; i++)
		if ((err = emit_cgroup(g, host_cgroups[i].id, host_cgroups[i].path)))
			return err;
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		int parent = -1;

		if (host[i].pid > 2)
			parent = host[i].flags & EXRAY_F_KTHREAD ? g->pid_slot[2] : g->pid_slot[1];
		s = snap(g, parent, -1, host[i].path, host[i].argv, host[i].pid, host[i].flags,
			 host_cgroups[host[i].cg].id);
		if (s < 0)
			return s;
		if (host[i].flags & EXRAY_F_KTHREAD)
			g->t.kthreads++;
		if (host[i].pid == 1200) /* the admin's shell may do things */
			g->procs[s].protected = 0, g->procs[s].uid = g->procs[s].gid = 1000;
		if (host[i].pid == 702 || host[i].pid == 640)
			g->procs[s].netty = 1;
	}
	g->last_pid = 1300;
	for (unsigned i = 0; i < g->o.containers; i++)
		if ((err = snapshot_container(g)))
			return err;
	return 0;
}

/* Who forks next: the latest spawn (deep chains), a container's init or
 * a host daemon (wide trees), or anyone. */
static int pick_parent(struct gen *g)
{
	unsigned r = rnd_below(100);

	if (r < 35 && g->last_spawn >= 0 && g->procs[g->last_spawn].depth < g->o.max_depth)
		return g->last_spawn;
	if (r < 70 && g->nct) {
		int init = g->ct[rnd_below(g->nct)].init;

		if (init >= 0 && g->procs[init].alive_pos >= 0)
			return init;
	}
	for (int tries = 0; tries < 8; tries++) {
		int s = g->alive[rnd_below(g->nalive)];

		if (g->procs[s].depth < g->o.max_depth &&
		    !(g->procs[s].comm[0] == 'k' && g->procs[s].pid < 100))
			return s;
	}
	return g->pid_slot[1];
}

static int step(struct gen *g, uint64_t *containers_started)
{
	double fill = (double)g->nalive / g->o.alive;
	double w_spawn = fill < 1 ? 1.0 / (fill + 0.1) : 1.0, w_exit = fill, w_conn = 0.7;
	double r = rnd_unit() * (w_spawn + w_exit + w_conn);
	int s;

	/* new containers start at even intervals over the capture */
	if (*containers_started < g->o.new_containers &&
	    g->t.records >= (*containers_started + 1) * (g->o.events / (g->o.new_containers + 1))) {
		++*containers_started;
		return live_container(g);
	}
	if (r < w_spawn) {
		s = spawn(g, pick_parent(g), rnd_below(100) < 95);
		if (s == -EAGAIN) /* pid space full: let someone exit instead */
			r = w_spawn;
		else if (s < 0)
			return s;
		else
			g->last_spawn = s;
		if (s >= 0)
			return 0;
	}
	if (r < w_spawn + w_exit) {
		for (int tries = 0; tries < 16; tries++) {
			s = g->alive[rnd_below(g->nalive)];
			if (!g->procs[s].protected && !g->procs[s].children)
				return do_exit(g, s);
		}
		return 0;
	}
	for (int tries = 0; tries < 8; tries++) {
		s = g->alive[rnd_below(g->nalive)];
		if (g->procs[s].netty && !g->procs[s].protected)
			return do_connect(g, s);
	}
	return 0;
}

/* ------------------------------------------------------------ truth */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void write_truth(const struct gen *g, FILE *f)
{
	const struct truth *t = &g->t;
	uint64_t in_containers = 0;

	fprintf(f, "{\"generator\":\"%s\",\"seed\":%" PRIu64 ",", GEN_VERSION, g->o.seed);
	fprintf(f, "\"host\":");
	json_str(f, g->hdr.host);
	fprintf(f, ",\"capture_id\":\"");
	for (int i = 0; i < 16; i++)
		fprintf(f, "%02x", g->hdr.capture_id[i]);
	fprintf(f, "\",\"records\":%" PRIu64 ",\"records_by_type\":{", t->records);
	for (unsigned ty = 1, first = 1; ty < EXRAY_REC_TYPE_MAX; ty++) {
		/* types it never writes are absent, as in readers' counts */
		if (!t->by_type[ty])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", exray_rec_type_name(ty),
			t->by_type[ty]);
		first = 0;
	}
	for (unsigned i = 0; i < g->nct; i++)
		in_containers += g->ct[i].processes;
	fprintf(f,
		"},\"processes\":%" PRIu64 ",\"host_processes\":%" PRIu64
		",\"container_processes\":%" PRIu64 ",\"kthreads\":%" PRIu64
		",\"pids_reused\":%" PRIu64 ",\"alive_at_end\":%u,\"exits\":%" PRIu64
		",\"failed_execs\":%" PRIu64 ",\"connects_v4\":%" PRIu64 ",\"connects_v6\":%" PRIu64
		",\"established\":%" PRIu64 ",\"failed_connects\":%" PRIu64
		",\"max_depth\":%u,\"max_children\":%u,\"cgroups\":%zu,\"segments\":%" PRIu64
		",\"bytes_raw\":%" PRIu64 ",\"bytes_on_disk\":%" PRIu64 ",\"first_ts\":%" PRIu64
		",\"last_ts\":%" PRIu64 ",\"boot_to_wall_ns\":%" PRId64 ",\"containers\":[",
		t->processes, t->host_processes, in_containers, t->kthreads, t->pids_reused,
		g->nalive, t->exits, t->failed_execs, t->connects_v4, t->connects_v6,
		t->established, t->failed_connects, t->max_depth, t->max_children,
		N_HOST_CGROUPS + g->nct, t->segments, t->bytes_raw, t->bytes_on_disk, t->first_ts,
		t->last_ts, g->boot_to_wall);
	for (unsigned i = 0; i < g->nct; i++) {
		const struct container *c = &g->ct[i];

		fprintf(f, "%s{\"cid\":\"%s\",\"runtime\":\"%s\",\"image\":\"%s\",", i ? "," : "",
			c->cid, runtime_name[c->rt], image_name[c->img]);
		if (c->pod_uid[0])
			fprintf(f, "\"pod_uid\":\"%s\",", c->pod_uid);
		fprintf(f, "\"cgroup_id\":%" PRIu64 ",\"cgroup_path\":", c->cgroup_id);
		json_str(f, c->path);
		fprintf(f, ",\"processes\":%" PRIu64 ",\"execs\":%" PRIu64 ",\"connects\":%" PRIu64 "}",
			c->processes, c->execs, c->connects);
	}
	fprintf(f, "]}\n");
}

/* ------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: exray-gen [OPTIONS] -o DIR\n"
		"Write realistic exray segment files with known ground truth (JSON on stdout).\n"
		"\n"
		"  -o, --out DIR           directory for the segments (created 0700)\n"
		"  -n, --events N          records to write, at least (default 100000; K/M ok)\n"
		"  -s, --seed N            random seed (default 1); same seed, same files\n"
		"  -c, --containers N      containers alive at the start (default 20)\n"
		"      --new-containers N  containers started during the capture (default c/2)\n"
		"      --pid-max N         pid space, small values force pid reuse (default 32768)\n"
		"      --alive N           live processes to keep around (default 40 + 25/container)\n"
		"      --max-depth N       deepest process tree (default 40)\n"
		"      --segment-size N    rotate segments after N bytes on disk (default 64M)\n"
		"  -t, --truth FILE        write the ground truth JSON here instead of stdout\n"
		"  -h, --help\n");
}

static int parse_num(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v *= 1000; end++; break;
	case 'm': case 'M': v *= 1000000; end++; break;
	case 'g': case 'G': v *= 1000000000; end++; break;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_opts(struct gen_opts *o, int argc, char **argv)
{
	enum { O_NEWC = 256, O_PIDMAX, O_ALIVE, O_DEPTH, O_SEGSIZE };
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "containers", required_argument, NULL, 'c' },
		{ "new-containers", required_argument, NULL, O_NEWC },
		{ "pid-max", required_argument, NULL, O_PIDMAX },
		{ "alive", required_argument, NULL, O_ALIVE },
		{ "max-depth", required_argument, NULL, O_DEPTH },
		{ "segment-size", required_argument, NULL, O_SEGSIZE },
		{ "truth", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t v, newc = UINT64_MAX, alive = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->events = 100000;
	o->containers = 20;
	o->pid_max = 32768;
	o->max_depth = 40;
	o->segment_size = 64ull << 20;
	while ((c = getopt_long(argc, argv, "o:n:s:c:t:h", lo, NULL)) != -1) {
		if (c == 'o' || c == 't' || c == 'h' || c == '?') {
			if (c == 'o')
				o->out = optarg;
			else if (c == 't')
				o->truth = optarg;
			else
				return c == 'h' ? 1 : -EINVAL;
			continue;
		}
		if (parse_num(optarg, &v)) {
			fprintf(stderr, "exray-gen: not a number: '%s'\n", optarg);
			return -EINVAL;
		}
		switch (c) {
		case 'n': o->events = v; break;
		case 's': o->seed = v; break;
		case 'c': o->containers = (unsigned)v; break;
		case O_NEWC: newc = v; break;
		case O_PIDMAX: o->pid_max = (unsigned)v; break;
		case O_ALIVE: alive = v; break;
		case O_DEPTH: o->max_depth = (unsigned)v; break;
		case O_SEGSIZE: o->segment_size = v; break;
		}
	}
	if (!o->out || optind != argc) {
		fprintf(stderr, "exray-gen: %s\n", o->out ? "unexpected argument" : "-o DIR is required");
		return -EINVAL;
	}
	if (o->containers > 4000 || o->pid_max < 2000 || o->pid_max > 4194304 || o->max_depth < 1 ||
	    o->segment_size < 4096) {
		fprintf(stderr, "exray-gen: out of range: containers <= 4000, 2000 <= pid-max <= 4194304, "
				"max-depth >= 1, segment-size >= 4096\n");
		return -EINVAL;
	}
	o->new_containers = newc == UINT64_MAX ? o->containers / 2 : (unsigned)newc;
	o->alive = alive ? (unsigned)alive : 40 + 25 * (o->containers + o->new_containers);
	if (o->alive + 3 * (o->containers + o->new_containers) + 1400 > o->pid_max) {
		fprintf(stderr, "exray-gen: --pid-max %u too small for %u live processes\n", o->pid_max,
			o->alive);
		return -EINVAL;
	}
	return 0;
}

static int gen_init(struct gen *g)
{
	time_t start;
	struct tm tm;

	rnd_seed(g->o.seed);
	g->pid_slot = malloc(g->o.pid_max * sizeof(int));
	g->pid_used = calloc(g->o.pid_max, 1);
	if (!g->pid_slot || !g->pid_used)
		return -ENOMEM;
	memset(g->pid_slot, 0xff, g->o.pid_max * sizeof(int));
	g->last_spawn = -1;
	/* host up for an hour or so; capture starts on a fixed, seed-dependent date */
	g->ts = 3600000000000ull + rnd_below(1000000) * 1000000ull;
	start = 1717200000 + (time_t)(g->o.seed % 100000) * 3600;
	g->boot_to_wall = (int64_t)start * 1000000000 - (int64_t)g->ts;
	gmtime_r(&start, &tm);
	strftime(g->start_utc, sizeof(g->start_utc), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 16; i++) {
		g->hdr.capture_id[i] = (uint8_t)rnd();
		g->hdr.boot_id[i] = (uint8_t)rnd();
	}
	snprintf(g->capture_hex, sizeof(g->capture_hex), "%02x%02x%02x%02x", g->hdr.capture_id[0],
		 g->hdr.capture_id[1], g->hdr.capture_id[2], g->hdr.capture_id[3]);
	snprintf(g->hdr.host, sizeof(g->hdr.host), "gen-node-%" PRIu64, g->o.seed);
	snprintf(g->hdr.kernel_release, sizeof(g->hdr.kernel_release), "6.1.0-21-amd64");
	snprintf(g->hdr.recorder_version, sizeof(g->hdr.recorder_version), GEN_VERSION);
	g->hdr.boot_to_wall_ns = g->boot_to_wall;
	g->hdr.argv_max = EXRAY_ARGV_DEFAULT;
	g->sock_next = rnd() & 0xffffffffull;
	g->next_stats_ts = g->ts + 10000000000ull;
	if (mkdir(g->o.out, 0700) && errno != EEXIST)
		return -errno;
	g->dirfd = open(g->o.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return g->dirfd < 0 ? -errno : 0;
}

static uint64_t dir_bytes(const struct gen *g)
{
	uint64_t sum = 0;
	char name[96];
	struct stat st;

	for (uint64_t i = 0; i <= g->seq; i++) {
		snprintf(name, sizeof(name), "exray-%s-%s-%06" PRIu64 ".exray.zst", g->start_utc,
			 g->capture_hex, i);
		if (fstatat(g->dirfd, name, &st, 0) == 0)
			sum += (uint64_t)st.st_size;
	}
	return sum;
}

/* The generator lives until exit; a root so LeakSanitizer does not report it. */
static struct gen *volatile gen_root; /* volatile: the store must stay */

int main(int argc, char **argv)
{
	struct gen *g = gen_root = calloc(1, sizeof(*g));
	uint64_t started = 0;
	FILE *tf = stdout;
	int err;

	if (!g)
		return 3;
	err = parse_opts(&g->o, argc, argv);
	if (err) {
		usage(err > 0 ? stdout : stderr);
		return err > 0 ? 0 : 2;
	}
	err = gen_init(g);
	if (err) {
		fprintf(stderr, "exray-gen: %s: %s\n", g->o.out, strerror(-err));
		return 3;
	}
	err = seg_open(g);
	if (!err)
		err = build_snapshot(g);
	while (!err && g->t.records < g->o.events)
		err = step(g, &started);
	if (g->w) {
		int cerr = seg_close(g);

		err = err ?: cerr;
	}
	if (err) {
		fprintf(stderr, "exray-gen: %s: %s\n", g->o.out, strerror(-err));
		return 3;
	}
	g->t.bytes_on_disk = dir_bytes(g);
	if (g->o.truth && strcmp(g->o.truth, "-")) {
		tf = fopen(g->o.truth, "w");
		if (!tf) {
			fprintf(stderr, "exray-gen: %s: %s\n", g->o.truth, strerror(errno));
			return 3;
		}
	}
	write_truth(g, tf);
	if (tf != stdout && fclose(tf)) {
		fprintf(stderr, "exray-gen: %s: %s\n", g->o.truth, strerror(errno));
		return 3;
	}
	return 0;
}
