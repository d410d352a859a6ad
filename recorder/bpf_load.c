// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Checks, load and attach of bpf/exray.bpf.c; loss counters; the iterator. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "record.h"
#include "exray.skel.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

static __u64 effective_caps(void)
{
	char line[256];
	__u64 caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", (unsigned long long *)&caps) == 1)
			break;
	fclose(f);
	return caps;
}

int rec_check_privileges(char *err, size_t errlen)
{
	__u64 caps = effective_caps();
	__u64 bpf_perf = (1ull << CAP_BPF_BIT) | (1ull << CAP_PERFMON_BIT);

	if (caps & (1ull << CAP_SYS_ADMIN_BIT))
		return 0;
	if ((caps & bpf_perf) == bpf_perf)
		return 0;
	snprintf(err, errlen,
		 "need root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON) to load eBPF programs; "
		 "run as root");
	return -EPERM;
}

int rec_check_btf(char *err, size_t errlen)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	snprintf(err, errlen,
		 "/sys/kernel/btf/vmlinux: %s: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y is "
		 "required for CO-RE)", strerror(errno));
	return -ENOENT;
}

int rec_ensure_tracefs(char *err, size_t errlen)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		return 0;
	snprintf(err, errlen, "/sys/kernel/tracing: cannot mount tracefs: %s", strerror(errno));
	return -errno;
}

/* Programs of the 1.2 families are named FAMILY_...: a family left out of
 * --events is not loaded at all. */
static const struct {
	const char *prefix;
	__u32 bit;
} family_progs[] = {
	{ "file_", EXRAY_EV_FILE },     { "priv_", EXRAY_EV_PRIV },
	{ "ns_", EXRAY_EV_NS },         { "ptrace_", EXRAY_EV_PTRACE },
	{ "sock_", EXRAY_EV_SOCKET },   { "memfd_", EXRAY_EV_MEMFD },
	{ "bpfcmd_", EXRAY_EV_BPF },    { "uring_", EXRAY_EV_URING },
};

static void set_autoload(struct exray_bpf *s, const struct rec_opts *o, bool iter)
{
	bool exec = o->events & EXRAY_EV_EXEC;
	struct bpf_program *p;

	bpf_program__set_autoload(s->progs.handle_exec, exec);
	bpf_program__set_autoload(s->progs.handle_enter_execve, exec);
	bpf_program__set_autoload(s->progs.handle_enter_execveat, exec);
	bpf_program__set_autoload(s->progs.handle_exit_execve, exec);
	bpf_program__set_autoload(s->progs.handle_exit_execveat, exec);
	bpf_program__set_autoload(s->progs.handle_fork, o->events & EXRAY_EV_FORK);
	bpf_program__set_autoload(s->progs.handle_exit, o->events & EXRAY_EV_EXIT);
	bpf_program__set_autoload(s->progs.handle_set_state, o->events & EXRAY_EV_CONNECT);
	bpf_program__set_autoload(s->progs.snapshot, iter);
	bpf_object__for_each_program(p, s->obj) {
		const char *name = bpf_program__name(p);

		for (size_t i = 0; i < sizeof(family_progs) / sizeof(family_progs[0]); i++)
			if (!strncmp(name, family_progs[i].prefix, strlen(family_progs[i].prefix)))
				bpf_program__set_autoload(p, o->events & family_progs[i].bit);
	}
}

/* Open, set options, load. Returns the skeleton or NULL with -errno. */
static struct exray_bpf *open_and_load(const struct rec_opts *o, int ncpus, bool iter, int *errp)
{
	struct exray_bpf *s;
	int err;

	s = exray_bpf__open();
	if (!s) {
		*errp = -errno;
		return NULL;
	}
	s->rodata->argv_max = o->argv_max;
	s->rodata->events_mask = o->events;
	s->rodata->self_tgid = getpid();
	s->rodata->wakeup_bytes = o->ring_size / 8;
	if (getrandom((void *)&s->rodata->sock_key, sizeof(s->rodata->sock_key), 0) !=
	    sizeof(s->rodata->sock_key)) {
		*errp = -EIO;
		exray_bpf__destroy(s);
		return NULL;
	}
	err = bpf_map__set_max_entries(s->maps.events, o->ring_size);
	if (!err)
		err = bpf_map__set_max_entries(s->maps.scratch, ncpus);
	set_autoload(s, o, iter);
	if (!err)
		err = exray_bpf__load(s);
	if (err) {
		exray_bpf__destroy(s);
		*errp = err < 0 ? err : -EINVAL;
		return NULL;
	}
	return s;
}

int rec_bpf_start(struct rec_bpf *b, const struct rec_opts *o, rec_sample_fn fn, void *ctx,
		  char *err, size_t errlen)
{
	int ret = 0;

	memset(b, 0, sizeof(*b));
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs");
		return b->ncpus < 0 ? b->ncpus : -EINVAL;
	}

	/* Load, with the task iterator if this kernel lets us (it is a tracing
	 * program, which some kernels refuse); else without it. */
	b->have_iter = !o->no_iter;
	b->skel = open_and_load(o, b->ncpus, b->have_iter, &ret);
	if (!b->skel && b->have_iter) {
		b->have_iter = false;
		b->skel = open_and_load(o, b->ncpus, false, &ret);
	}
	if (!b->skel) {
		snprintf(err, errlen, "loading eBPF programs failed: %s (run with -v for libbpf's log)",
			 strerror(-ret));
		return ret;
	}

	/* The file filter's rules, before anything is attached. */
	ret = rec_file_rules_fill(bpf_map__fd(b->skel->maps.file_prefixes),
				  bpf_map__fd(b->skel->maps.file_names), o->watch, o->n_watch);
	if (ret) {
		snprintf(err, errlen, "loading the file filter's rules failed: %s", strerror(-ret));
		goto cleanup;
	}

	/* Attach every loaded program (the iterator gets its link here too). */
	ret = exray_bpf__attach(b->skel);
	if (ret) {
		snprintf(err, errlen, "attaching tracepoints failed: %s", strerror(-ret));
		goto cleanup;
	}

	/* The consumer of the ring buffer. */
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), (ring_buffer_sample_fn)fn, ctx,
				 NULL);
	if (!b->rb) {
		ret = -errno;
		snprintf(err, errlen, "creating the ring buffer consumer failed: %s", strerror(-ret));
		goto cleanup;
	}
	return 0;

cleanup:
	rec_bpf_stop(b);
	return ret;
}

int rec_bpf_read_losses(struct rec_bpf *b, __u64 *totals)
{
	__u64 *vals = calloc(b->ncpus, sizeof(*vals));
	int fd = bpf_map__fd(b->skel->maps.losses), ret = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < EXRAY_LOSS_SLOTS; k++) {
		totals[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			ret = -errno;
			break;
		}
		for (int c = 0; c < b->ncpus; c++)
			totals[k] += vals[c];
	}
	free(vals);
	return ret;
}

int rec_bpf_iterate(struct rec_bpf *b, void **bufp, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL;
	int fd, ret = 0;

	if (!b->have_iter || !b->skel->links.snapshot)
		return -EOPNOTSUPP;
	fd = bpf_iter_create(bpf_link__fd(b->skel->links.snapshot));
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 8192) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				ret = -ENOMEM;
				goto cleanup;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += n;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
cleanup:
	free(buf);
	close(fd);
	return ret;
}

void rec_bpf_mark_cgroup(struct rec_bpf *b, __u64 id)
{
	__u8 one = 1;

	bpf_map_update_elem(bpf_map__fd(b->skel->maps.cgroups_seen), &id, &one, BPF_ANY);
}

bool rec_bpf_cgroup_seen(struct rec_bpf *b, __u64 id)
{
	__u8 v;

	return bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.cgroups_seen), &id, &v) == 0;
}

/*
 * Detaching a tracepoint program waits for an RCU grace period (~50 ms
 * here), one after the other: with some seventy programs, four seconds at
 * exit. Detached from several threads, the waits overlap.
 */
#define DETACH_THREADS 24
struct detach_set {
	struct bpf_link **links;
	size_t n;
};

static void *detach_some(void *arg)
{
	struct detach_set *d = arg;

	for (size_t i = 0; i < d->n; i++)
		bpf_link__destroy(d->links[i]);
	return NULL;
}

static void detach_all(struct exray_bpf *skel)
{
	struct bpf_object_skeleton *sk = skel ? skel->skeleton : NULL;
	struct detach_set sets[DETACH_THREADS] = { 0 };
	pthread_t th[DETACH_THREADS];
	bool started[DETACH_THREADS] = { false };
	struct bpf_link **links;
	size_t n = 0;

	if (!sk || !(links = calloc(sk->prog_cnt, sizeof(*links))))
		return; /* the skeleton's destroy detaches them, one by one */
	for (int i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link **l = sk->progs[i].link;

		if (l && *l) {
			links[n++] = *l;
			*l = NULL;
		}
	}
	for (size_t t = 0; t < DETACH_THREADS; t++) {
		sets[t].links = links + t * n / DETACH_THREADS;
		sets[t].n = (t + 1) * n / DETACH_THREADS - t * n / DETACH_THREADS;
		started[t] = sets[t].n && pthread_create(&th[t], NULL, detach_some, &sets[t]) == 0;
		if (!started[t])
			detach_some(&sets[t]);
	}
	for (size_t t = 0; t < DETACH_THREADS; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	free(links);
}

void rec_bpf_stop(struct rec_bpf *b)
{
	ring_buffer__free(b->rb);
	detach_all(b->skel);
	exray_bpf__destroy(b->skel);
	b->rb = NULL;
	b->skel = NULL;
}
