// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The packet view: load, attach, track, detach, clean up (see tc.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <linux/pkt_sched.h>
#include <bpf/bpf.h>
#include "exray_events.h"
#include "netlink.h"
#include "tc.h"
#include "exray_tc.skel.h"

#define STATE_MAGIC "exray-tc-state 1"

/* One interface we touched. */
struct tc_if {
	int ifindex;
	char name[IF_NAMESIZE];
	bool qdisc;  /* we created its clsact (state: may have, until known) */
	bool eg, in; /* our filters */
};

struct rec_tc {
	struct exray_tc_bpf *skel;
	FILE *log;
	bool verbose, veth;
	int nlfd;
	struct tc_if *ifs;
	size_t n, cap;
	char state[PATH_MAX];
	bool state_written;
};

/* What a state file says. */
struct tc_state {
	int pid;
	unsigned long long start, netns;
	struct tc_if *ifs;
	size_t n;
};

bool rec_tc_wanted(const struct rec_tc_opts *o)
{
	return o->nifaces || o->veth;
}

size_t rec_tc_count(const struct rec_tc *t)
{
	return t ? t->n : 0;
}

/* ------------------------------------------------------------ identity */

/* Interface names may hold control bytes: print them as '?'. */
static const char *safe(const char *s, char *buf)
{
	size_t i;

	for (i = 0; s[i] && i < IF_NAMESIZE - 1; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

#define SAFE(s) safe((s), (char[IF_NAMESIZE]){ 0 })

/* "tc-PID.state" (or its ".tmp"): the pid, and whether it is a temp file. */
static bool state_name(const char *name, int *pid, bool *tmp)
{
	char rest[32];

	if (sscanf(name, "tc-%d%31s", pid, rest) != 2)
		return false;
	*tmp = !strcmp(rest, ".state.tmp");
	return *tmp || !strcmp(rest, ".state");
}

static unsigned long long netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (unsigned long long)st.st_ino;
}

/* starttime (field 22) of pid, 0 if it does not exist: with the pid it
 * names one process, so a reused pid is not mistaken for a live recorder. */
static unsigned long long proc_start(int pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and ')': fields restart after the last ')'. */
	char *p = strrchr(buf, ')');

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

/* ---------------------------------------------------------- state file */

static int state_write(struct rec_tc *t)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd;

	if (mkdir(EXRAY_TC_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->state);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		int err = -errno;

		close(fd);
		unlink(tmp);
		return err;
	}
	fprintf(f, STATE_MAGIC "\nproc %d %llu\nnetns %llu\n", getpid(), proc_start(getpid()),
		netns_ino());
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "iface %d %s %d %d %d\n", t->ifs[i].ifindex, t->ifs[i].name,
			t->ifs[i].qdisc, t->ifs[i].eg, t->ifs[i].in);
	/* The file must be on disk before the change it announces. */
	if (fflush(f) || fsync(fileno(f))) {
		int err = -errno;

		fclose(f);
		unlink(tmp);
		return err;
	}
	if (fclose(f) || rename(tmp, t->state)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	t->state_written = true;
	return 0;
}

static void state_free(struct tc_state *s)
{
	free(s->ifs);
	memset(s, 0, sizeof(*s));
}

static int state_read(const char *path, struct tc_state *s)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC))) {
		err = -EINVAL;
		goto cleanup;
	}
	while (fgets(line, sizeof(line), f)) {
		struct tc_if e = { 0 };
		int q, eg, in;

		if (sscanf(line, "proc %d %llu", &s->pid, &s->start) == 2 ||
		    sscanf(line, "netns %llu", &s->netns) == 1)
			continue;
		if (sscanf(line, "iface %d %15s %d %d %d", &e.ifindex, e.name, &q, &eg, &in) != 5) {
			err = -EINVAL;
			goto cleanup;
		}
		e.qdisc = q;
		e.eg = eg;
		e.in = in;
		struct tc_if *n = realloc(s->ifs, (s->n + 1) * sizeof(*n));

		if (!n) {
			err = -ENOMEM;
			goto cleanup;
		}
		s->ifs = n;
		s->ifs[s->n++] = e;
	}
cleanup:
	fclose(f);
	if (err)
		state_free(s);
	return err;
}

/* ------------------------------------------------------ filters, qdisc */

static bool prog_is_ours(__u32 prog_id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool ours;

	if (fd < 0)
		return false;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       !strncmp(info.name, EXRAY_TC_PROG_PREFIX, strlen(EXRAY_TC_PROG_PREFIX));
	close(fd);
	return ours;
}

/* Remove our filter at one hook: 1 if removed, 0 if none of ours, -errno. */
static int detach_ours(int ifindex, enum bpf_tc_attach_point dir)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = dir);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = EXRAY_TC_HANDLE, .priority = EXRAY_TC_PRIO);
	int err = bpf_tc_query(&hook, &q);

	if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
		return 0;  /* no filter, no interface, or no clsact */
	if (err)
		return err;
	if (!prog_is_ours(q.prog_id))
		return 0;
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, d, .handle = EXRAY_TC_HANDLE, .priority = EXRAY_TC_PRIO);

	err = bpf_tc_detach(&hook, &d);
	if (err == -ENOENT || err == -ENODEV)
		return 0;
	return err ? err : 1;
}

/* Destroy the clsact qdisc we created, unless someone else's filter now
 * depends on it: 1 if destroyed, 0 if left, -errno. */
static int destroy_qdisc_if_unused(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	unsigned nin = 0, neg = 0;
	int err = rec_nl_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), &nin);

	if (!err)
		err = rec_nl_count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), &neg);
	if (err == -ENODEV || err == -EINVAL || err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (nin || neg)
		return 0;
	/* Both attach points together mean "the qdisc itself" to libbpf; one
	 * alone would only flush that side's filters. */
	err = bpf_tc_hook_destroy(&hook);
	if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
		return 0;
	return err ? err : 1;
}

/* Undo what e records on its interface. Returns how many filters and qdiscs
 * were removed, or the first error. */
static int undo_iface(const struct tc_if *e)
{
	int removed = 0, first = 0, r;

	if (e->eg) {
		r = detach_ours(e->ifindex, BPF_TC_EGRESS);
		if (r < 0 && !first)
			first = r;
		removed += r > 0;
	}
	if (e->in) {
		r = detach_ours(e->ifindex, BPF_TC_INGRESS);
		if (r < 0 && !first)
			first = r;
		removed += r > 0;
	}
	if (e->qdisc) {
		r = destroy_qdisc_if_unused(e->ifindex);
		if (r < 0 && !first)
			first = r;
		removed += r > 0;
	}
	return first ? first : removed;
}

/* ---------------------------------------------------------------- attach */

static struct tc_if *find_if(struct rec_tc *t, int ifindex)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ifs[i].ifindex == ifindex)
			return &t->ifs[i];
	return NULL;
}

static void drop_if(struct rec_tc *t, struct tc_if *e)
{
	size_t i = e - t->ifs;

	memmove(&t->ifs[i], &t->ifs[i + 1], (t->n - i - 1) * sizeof(*e));
	t->n--;
}

static int attach_dir(struct rec_tc *t, int ifindex, enum bpf_tc_attach_point dir)
{
	struct bpf_program *p = dir == BPF_TC_EGRESS ? t->skel->progs.exray_syn_eg
						     : t->skel->progs.exray_syn_in;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = dir);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EXRAY_TC_HANDLE, .priority = EXRAY_TC_PRIO,
			    .prog_fd = bpf_program__fd(p));

	return bpf_tc_attach(&hook, &opts);
}

/*
 * Attach to link l at egress and/or ingress (adding to what is there). The
 * state file announces each change before it is made; on failure this
 * interface is restored and err says why.
 */
static int attach_link(struct rec_tc *t, const struct rec_nl_link *l, bool eg, bool in,
		       char *err, size_t errlen)
{
	struct tc_if *e = find_if(t, l->ifindex);
	bool fresh = !e, had_eg = e && e->eg, had_in = e && e->in;
	bool made_eg = false, made_in = false, made_qdisc = false;
	int r;

	if (e && (!eg || had_eg) && (!in || had_in))
		return 0;
	if (fresh) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 8;
			struct tc_if *n = realloc(t->ifs, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			t->ifs = n;
			t->cap = cap;
		}
		e = &t->ifs[t->n++];
		memset(e, 0, sizeof(*e));
		e->ifindex = l->ifindex;
		snprintf(e->name, sizeof(e->name), "%s", l->name);
		/* "May have created": a crash between the qdisc and the next
		 * state write must still leave enough to remove it. */
		e->qdisc = true;
	}
	e->eg |= eg;
	e->in |= in;
	r = state_write(t);
	if (r) {
		snprintf(err, errlen, "%s: cannot record tc state: %s", t->state, strerror(-r));
		goto fail;
	}
	if (fresh) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		r = bpf_tc_hook_create(&hook);
		if (r && r != -EEXIST) {
			snprintf(err, errlen, "%s: cannot add a clsact qdisc: %s", SAFE(l->name),
				 strerror(-r));
			goto fail;
		}
		/* -EEXIST: someone else's qdisc, never ours to remove. */
		made_qdisc = r == 0;
		e->qdisc = made_qdisc;
		r = 0;
		/* Bytes before the IP header, for devices without Ethernet. */
		if (l->type != ARPHRD_ETHER && l->type != ARPHRD_LOOPBACK) {
			__u32 key = l->ifindex, zero = 0;

			bpf_map_update_elem(bpf_map__fd(t->skel->maps.ifaces), &key, &zero, BPF_ANY);
		}
	}
	if (eg && !had_eg) {
		r = attach_dir(t, l->ifindex, BPF_TC_EGRESS);
		if (r)
			goto fail_attach;
		made_eg = true;
	}
	if (in && !had_in) {
		r = attach_dir(t, l->ifindex, BPF_TC_INGRESS);
		if (r)
			goto fail_attach;
		made_in = true;
	}
	if (t->verbose)
		fprintf(t->log, "exray-record: packet view on %s (ifindex %d):%s%s%s\n", SAFE(l->name),
			l->ifindex, e->eg ? " egress" : "", e->in ? " ingress" : "",
			made_qdisc ? ", clsact qdisc added" : "");
	/* Best effort: the last write already covers a superset of this. */
	state_write(t);
	return 0;
fail_attach:
	snprintf(err, errlen, "%s: cannot attach the TC classifier: %s%s", SAFE(l->name), strerror(-r),
		 r == -EEXIST ? " (an exray filter is already there: if no exray-record is "
				"running, run exray-record --tc-cleanup)" : "");
fail:
	{
		struct tc_if undo = { .ifindex = l->ifindex, .eg = made_eg, .in = made_in,
				      .qdisc = made_qdisc };

		undo_iface(&undo);
	}
	if (fresh) {
		drop_if(t, e);
	} else {
		e->eg = had_eg;
		e->in = had_in;
	}
	state_write(t);
	return r;
}

/* ---------------------------------------------------------------- veths */

struct link_list {
	struct rec_nl_link *v;
	size_t n;
};

static int collect_link(void *ctx, const struct rec_nl_link *l)
{
	struct link_list *ll = ctx;
	struct rec_nl_link *n = realloc(ll->v, (ll->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ll->v = n;
	ll->v[ll->n++] = *l;
	return 0;
}

static bool is_veth(const struct rec_nl_link *l)
{
	return !strcmp(l->kind, "veth");
}

/* A link notification: attach to a new veth, forget a removed interface
 * (the kernel removed its qdisc and filters with it). */
static int on_link(void *ctx, const struct rec_nl_link *l)
{
	struct rec_tc *t = ctx;
	struct tc_if *e = find_if(t, l->ifindex);
	char err[256];

	if (l->removed) {
		if (e) {
			if (t->verbose)
				fprintf(t->log, "exray-record: packet view: %s (ifindex %d) is gone\n",
					SAFE(e->name), e->ifindex);
			drop_if(t, e);
			state_write(t);
		}
		return 0;
	}
	if (!t->veth || !is_veth(l) || (e && e->in))
		return 0;
	if (attach_link(t, l, false, true, err, sizeof(err)) && l->name[0])
		/* Vanished meanwhile (ENODEV) or refused: note it, keep going. */
		fprintf(t->log, "exray-record: packet view: %s\n", err);
	return 0;
}

/* Re-list after lost notifications: attach to veths we missed, forget
 * interfaces that are gone. */
static int resync(struct rec_tc *t)
{
	struct link_list ll = { 0 };
	int r = rec_nl_links(collect_link, &ll);

	if (r)
		goto cleanup;
	for (size_t i = t->n; i-- > 0;) {
		bool present = false;

		for (size_t j = 0; j < ll.n; j++)
			present |= ll.v[j].ifindex == t->ifs[i].ifindex;
		if (!present) {
			struct rec_nl_link gone = { .ifindex = t->ifs[i].ifindex, .removed = true };

			on_link(t, &gone);
		}
	}
	for (size_t j = 0; j < ll.n; j++)
		on_link(t, &ll.v[j]);
cleanup:
	free(ll.v);
	return r;
}

int rec_tc_poll(struct rec_tc *t)
{
	int r;

	if (!t || t->nlfd < 0)
		return 0;
	r = rec_nl_link_monitor_read(t->nlfd, on_link, t);
	if (r == -ENOBUFS)
		r = resync(t);
	return r;
}

/* ---------------------------------------------------------- open, close */

int rec_tc_add_losses(struct rec_tc *t, __u64 *totals)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 zero = 0;

	if (!t)
		return 0;
	if (ncpus < 0)
		return ncpus;
	__u64 v[ncpus];

	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.syn_losses), &zero, v))
		return -errno;
	for (int i = 0; i < ncpus; i++)
		totals[EXRAY_REC_SYN] += v[i];
	return 0;
}

void rec_tc_close(struct rec_tc *t)
{
	if (!t)
		return;
	if (t->nlfd >= 0)
		close(t->nlfd);
	for (size_t i = t->n; i-- > 0;) {
		int r = undo_iface(&t->ifs[i]);

		if (r < 0)
			fprintf(t->log, "exray-record: packet view: %s: cannot restore tc: %s\n",
				SAFE(t->ifs[i].name), strerror(-r));
		else if (t->verbose)
			fprintf(t->log, "exray-record: packet view: %s restored\n", SAFE(t->ifs[i].name));
	}
	if (t->state_written)
		unlink(t->state);
	exray_tc_bpf__destroy(t->skel);
	free(t->ifs);
	free(t);
}

int rec_tc_open(struct rec_tc **out, const struct rec_tc_opts *o, struct ring_buffer *rb,
		ring_buffer_sample_fn fn, void *ctx, FILE *log, char *err, size_t errlen)
{
	struct link_list ll = { 0 };
	struct rec_tc *t;
	char cerr[256];
	int r;

	*out = NULL;
	if (!(t = calloc(1, sizeof(*t))))
		return -ENOMEM;
	t->log = log;
	t->verbose = o->verbose;
	t->veth = o->veth;
	t->nlfd = -1;
	snprintf(t->state, sizeof(t->state), "%s/tc-%d.state", EXRAY_TC_STATE_DIR, getpid());

	/* Whatever recorders killed earlier left behind in this netns. */
	r = rec_tc_cleanup(NULL, 0, o->verbose ? log : NULL, cerr, sizeof(cerr));
	if (r < 0)
		fprintf(log, "exray-record: packet view: cleanup of earlier runs: %s\n", cerr);

	/* Open, set options, load. */
	t->skel = exray_tc_bpf__open();
	if (!t->skel) {
		r = -errno;
		snprintf(err, errlen, "cannot open the TC classifier: %s", strerror(-r));
		goto fail;
	}
	t->skel->rodata->have_allowlist = o->allow != NULL;
	r = exray_tc_bpf__load(t->skel);
	if (r) {
		snprintf(err, errlen, "cannot load the TC classifier: %s (run with -v for the "
			 "verifier log)", strerror(-r));
		goto fail;
	}

	/* The allowlist, before any packet is judged. */
	if (o->allow) {
		struct rec_allowlist_stats st;

		r = rec_allowlist_load(o->allow, bpf_map__fd(t->skel->maps.allow4),
				       bpf_map__fd(t->skel->maps.allow6), &st, err, errlen);
		if (r)
			goto fail;
		if (st.skipped_sections)
			fprintf(log, "exray-record: --allow: %zu [container]/[pod]/[cgroup] "
				"section(s) cannot be judged in the kernel; `exray check` applies "
				"them to the recording\n", st.skipped_sections);
		if (o->verbose)
			fprintf(log, "exray-record: --allow: %zu IPv4 and %zu IPv6 trie entries\n",
				st.v4, st.v6);
	}

	/* Watch before listing, so no veth falls between the two. */
	if (o->veth) {
		t->nlfd = rec_nl_link_monitor_open();
		if (t->nlfd < 0) {
			r = t->nlfd;
			snprintf(err, errlen, "cannot watch network links: %s", strerror(-r));
			goto fail;
		}
	}
	r = rec_nl_links(collect_link, &ll);
	if (r) {
		snprintf(err, errlen, "cannot list network links: %s", strerror(-r));
		goto fail;
	}

	/* Attach: egress of each --tc-iface, ingress of every veth. */
	for (size_t i = 0; i < o->nifaces; i++) {
		const struct rec_nl_link *l = NULL;

		for (size_t j = 0; j < ll.n && !l; j++)
			if (!strcmp(ll.v[j].name, o->ifaces[i]))
				l = &ll.v[j];
		if (!l) {
			r = -ENODEV;
			snprintf(err, errlen, "--tc-iface %s: no such interface in this network "
				 "namespace", SAFE(o->ifaces[i]));
			goto fail;
		}
		r = attach_link(t, l, true, false, err, errlen);
		if (r)
			goto fail;
	}
	for (size_t j = 0; o->veth && j < ll.n; j++) {
		if (!is_veth(&ll.v[j]))
			continue;
		r = attach_link(t, &ll.v[j], false, true, err, errlen);
		if (r)
			goto fail;
	}

	/* One consumer for both rings. */
	r = ring_buffer__add(rb, bpf_map__fd(t->skel->maps.syn_events), fn, ctx);
	if (r) {
		snprintf(err, errlen, "cannot add the packet ring buffer: %s", strerror(-r));
		goto fail;
	}
	if (!t->state_written)
		state_write(t);  /* nothing attached yet: say who we are anyway */
	free(ll.v);
	*out = t;
	return 0;
fail:
	free(ll.v);
	rec_tc_close(t);
	return r < 0 ? r : -EIO;
}

/* -------------------------------------------------------------- cleanup */

/* Interfaces of live recorders in this netns: never touched by cleanup. */
static bool claimed_by_live(const char *name)
{
	DIR *d = opendir(EXRAY_TC_STATE_DIR);
	struct dirent *de;
	bool claimed = false;

	if (!d)
		return false;
	while (!claimed && (de = readdir(d))) {
		char path[PATH_MAX];
		struct tc_state s;
		int pid;

		bool tmp;

		if (!state_name(de->d_name, &pid, &tmp) || tmp)
			continue;
		snprintf(path, sizeof(path), "%s/%s", EXRAY_TC_STATE_DIR, de->d_name);
		if (state_read(path, &s))
			continue;
		if (s.pid == getpid() || (s.start && proc_start(s.pid) == s.start)) {
			if (s.netns == netns_ino())
				for (size_t i = 0; i < s.n; i++)
					claimed |= !strcmp(s.ifs[i].name, name);
		}
		state_free(&s);
	}
	closedir(d);
	return claimed;
}

int rec_tc_cleanup(const char *const *ifaces, size_t nifaces, FILE *log, char *err,
		   size_t errlen)
{
	unsigned long long ns = netns_ino();
	DIR *d = opendir(EXRAY_TC_STATE_DIR);
	struct dirent *de;
	int removed = 0, first = 0;

	/* Dead recorders' state files. */
	while (d && (de = readdir(d))) {
		char path[PATH_MAX];
		struct tc_state s;
		int pid, r;
		bool tmp;

		if (!state_name(de->d_name, &pid, &tmp))
			continue;
		snprintf(path, sizeof(path), "%s/%s", EXRAY_TC_STATE_DIR, de->d_name);
		if (tmp) {
			if (proc_start(pid) == 0)
				unlink(path);
			continue;
		}
		r = state_read(path, &s);
		if (r) {
			if (!first) {
				first = r;
				snprintf(err, errlen, "%s: unreadable tc state: %s", path, strerror(-r));
			}
			continue;
		}
		if (s.pid == getpid() || (s.start && proc_start(s.pid) == s.start) ||
		    s.netns != ns) {
			if (log && s.netns != ns && !(s.start && proc_start(s.pid) == s.start))
				fprintf(log, "exray-record: %s: left for a cleanup run in network "
					"namespace net:[%llu]\n", path, s.netns);
			state_free(&s);
			continue;
		}
		for (size_t i = 0; i < s.n; i++) {
			/* Only the interface we touched: same name and index. */
			if ((int)if_nametoindex(s.ifs[i].name) != s.ifs[i].ifindex)
				continue;
			r = undo_iface(&s.ifs[i]);
			if (r < 0 && !first) {
				first = r;
				snprintf(err, errlen, "%s: cannot restore tc: %s", SAFE(s.ifs[i].name),
					 strerror(-r));
			}
			if (r > 0) {
				removed += r;
				if (log)
					fprintf(log, "exray-record: %s: removed what exray-record "
						"(pid %d) left\n", SAFE(s.ifs[i].name), s.pid);
			}
		}
		if (!first)
			unlink(path);
		state_free(&s);
	}
	if (d)
		closedir(d);

	/* Named interfaces: our filters only, whatever the state files say. */
	for (size_t i = 0; i < nifaces; i++) {
		struct tc_if e = { .eg = true, .in = true };
		int r;

		e.ifindex = if_nametoindex(ifaces[i]);
		if (!e.ifindex) {
			if (!first) {
				first = -ENODEV;
				snprintf(err, errlen, "%s: no such interface in this network "
					 "namespace", SAFE(ifaces[i]));
			}
			continue;
		}
		if (claimed_by_live(ifaces[i])) {
			if (log)
				fprintf(log, "exray-record: %s: in use by a running exray-record, "
					"left alone\n", SAFE(ifaces[i]));
			continue;
		}
		r = undo_iface(&e);
		if (r < 0 && !first) {
			first = r;
			snprintf(err, errlen, "%s: cannot remove exray's filters: %s",
				 SAFE(ifaces[i]), strerror(-r));
		}
		if (r > 0) {
			removed += r;
			if (log)
				fprintf(log, "exray-record: %s: removed %d exray filter(s)\n",
					SAFE(ifaces[i]), r);
		}
	}
	return first ? first : removed;
}
