// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray-record: load the eBPF programs, snapshot the live processes, drain
 * the ring buffer into segment files until told to stop. The steps are in
 * main(); the pieces live in the other files of recorder/.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "identity.h"
#include "record.h"
#include "tc.h"

#define STATS_EVERY_NS (10ull * 1000000000ull)

static volatile sig_atomic_t stop_requested, rotate_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

static void on_hup(int sig)
{
	rotate_requested = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

/* Terminal-safe copy of a user-controlled string: control bytes become '?'. */
static const char *safe(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = 0;
	return buf;
}

struct app {
	struct rec_pipe *pipe;
	struct rec_tc *tc;         /* the packet view, if asked for */
	struct rec_identity *ident; /* containers whose identity is to be read */
	__u64 events;
	int push_err;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct app *a = ctx;
	const struct exray_rec_hdr *h = data;
	int err;

	if (size < sizeof(*h) || h->len > size)
		return 0; /* cannot happen with our programs; never write it */
	err = rec_pipe_push(a->pipe, h, h->len);
	/* a new container: its files are read between polls, not here */
	if (!err && h->type == EXRAY_REC_CGROUP)
		err = rec_identity_note(a->ident, data);
	if (err && !a->push_err)
		a->push_err = err;
	a->events++;
	return 0;
}

static int emit_snapshot(void *ctx, const void *rec, size_t len)
{
	struct app *a = ctx;
	int err = rec_pipe_push(a->pipe, rec, len);

	if (!err && ((const struct exray_rec_hdr *)rec)->type == EXRAY_REC_CGROUP)
		err = rec_identity_note(a->ident, rec);
	return err;
}

static int emit_record(void *ctx, const void *rec, size_t len)
{
	struct app *a = ctx;

	return rec_pipe_push(a->pipe, rec, len);
}

/* Container records for the containers noted so far whose time has come
 * (final: all of them). Out of memory is not the end of the capture. */
static int read_identities(struct app *a, bool final)
{
	int n = rec_identity_run(a->ident, rec_now_boot_ns(), final, emit_record, a);

	return n < 0 && n != -ENOMEM ? n : 0;
}

/* Turn the growth of the kernel's loss counters into loss records. */
static int report_losses(struct app *a, struct rec_bpf *b, __u64 *prev, __u64 *totals)
{
	int err = rec_bpf_read_losses(b, totals);

	if (!err)
		err = rec_tc_add_losses(a->tc, totals);
	if (err)
		return err;
	for (unsigned t = 0; t < EXRAY_LOSS_SLOTS; t++) {
		struct exray_loss l = { 0 };

		if (totals[t] <= prev[t])
			continue;
		l.hdr.type = EXRAY_REC_LOSS;
		l.hdr.len = sizeof(l);
		l.hdr.ts = rec_now_boot_ns();
		l.lost_type = t;
		l.cpu = EXRAY_LOSS_ALL_CPUS;
		l.count = totals[t] - prev[t];
		err = rec_pipe_push(a->pipe, &l, sizeof(l));
		if (err)
			return err;
		prev[t] = totals[t];
	}
	return 0;
}

static __u64 sum(const __u64 *v)
{
	__u64 s = 0;

	for (unsigned t = 0; t < EXRAY_LOSS_SLOTS; t++)
		s += v[t];
	return s;
}

/*
 * Sealing: a fresh key; its verification key goes, once, to --seal-key FILE
 * (never overwriting) or to stderr, then is erased here. Returns an exit
 * code, EXIT_REC_OK when sealing (or not asked for) can go on.
 */
static int start_sealing(const struct rec_opts *o, struct rec_output_cfg *cfg)
{
	__u8 vkey[EXRAY_SEAL_KEY_BYTES];
	char text[512], fp[2 * EXRAY_SEAL_FP_BYTES + 1];
	int n, fd, err;

	if (o->no_seal)
		return EXIT_REC_OK;
	err = exray_sealer_new(&cfg->sealer, vkey);
	if (err) {
		fprintf(stderr, "exray-record: cannot start sealing: %s\n", strerror(-err));
		return EXIT_REC_FAILURE;
	}
	n = exray_seal_key_format(vkey, cfg->capture_id, text, sizeof(text));
	exray_seal_wipe(vkey, sizeof(vkey));
	exray_seal_hex(exray_sealer_fp(cfg->sealer), EXRAY_SEAL_FP_BYTES, fp);
	if (!o->seal_key) {
		fprintf(stderr, "exray-record: verification key of this capture (fingerprint %s) "
			"follows. Keep it OFF this host: whoever holds it can forge seals; "
			"`exray verify --key` needs it.\n%s", fp, text);
		exray_seal_wipe(text, sizeof(text));
		return EXIT_REC_OK;
	}
	fd = open(o->seal_key, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = fd < 0 ? errno : 0;
	if (fd >= 0 && (write(fd, text, (size_t)n) != n || fsync(fd)))
		err = errno ? errno : EIO;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	exray_seal_wipe(text, sizeof(text));
	if (err) {
		fprintf(stderr, "exray-record: --seal-key %s: %s%s\n", o->seal_key, strerror(err),
			err == EEXIST ? " (never overwritten: one new key file per capture)" : "");
		if (fd >= 0)
			unlink(o->seal_key);
		return err == EEXIST ? EXIT_REC_USAGE : EXIT_REC_FAILURE;
	}
	fprintf(stderr, "exray-record: verification key (fingerprint %s) written to %s: move it "
		"off this host\n", fp, o->seal_key);
	return EXIT_REC_OK;
}

static int exit_code_for(int err)
{
	if (!err)
		return EXIT_REC_OK;
	if (err == -ESTALE)
		return EXIT_REC_REMOVED;
	if (err == -ENOSPC || err == -EDQUOT)
		return EXIT_REC_DISK_FULL;
	return EXIT_REC_FAILURE;
}

int main(int argc, char **argv)
{
	struct rec_opts o;
	struct rec_bpf b = { 0 };
	struct rec_output_cfg cfg = { 0 };
	struct rec_output *out = NULL;
	struct app a = { 0 };
	struct sigaction sa = { 0 };
	__u64 prev_lost[EXRAY_LOSS_SLOTS] = { 0 }, lost[EXRAY_LOSS_SLOTS] = { 0 };
	__u64 start_ns, next_flush, next_stats, next_status, next_tick, status_events = 0;
	__u64 records = 0, bytes = 0, segments = 0;
	char err[512] = "", sbuf[512];
	bool tty = isatty(STDERR_FILENO);
	int dirfd = -1, ret = 0, code = EXIT_REC_OK, nsnap;

	/* Options. */
	rec_opts_defaults(&o);
	if (rec_opts_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "exray-record: %s\nTry 'exray-record --help'.\n",
			safe(err, sbuf, sizeof(sbuf)));
		return EXIT_REC_USAGE;
	}
	if (o.help) {
		rec_usage(stdout);
		return EXIT_REC_OK;
	}
	if (o.version) {
		printf("%s\n", EXRAY_RECORDER_VERSION);
		return EXIT_REC_OK;
	}
	libbpf_set_print(o.verbose ? libbpf_print : NULL);
	if (o.segment_size_forced)
		fprintf(stderr, "exray-record: --max-total: segments of %llu bytes (a quarter of the "
			"cap), so the open segment and the newest closed one always fit\n",
			(unsigned long long)o.segment_size);
	struct rec_tc_opts tco = { .ifaces = o.tc_iface, .nifaces = o.n_tc_iface,
				   .veth = o.tc_veth, .allow = o.allow, .verbose = o.verbose };

	/* Privileges, BTF, tracefs. */
	if (rec_check_privileges(err, sizeof(err)) || rec_check_btf(err, sizeof(err))) {
		fprintf(stderr, "exray-record: %s\n", err);
		return EXIT_REC_PRIVILEGE;
	}
	/* The cleanup run: restore tc after a recorder that could not. */
	if (o.tc_cleanup) {
		ret = rec_tc_cleanup(o.tc_iface, o.n_tc_iface, stderr, err, sizeof(err));
		if (ret < 0)
			fprintf(stderr, "exray-record: --tc-cleanup: %s\n", err);
		else
			fprintf(stderr, "exray-record: --tc-cleanup: %d filter(s)/qdisc(s) removed\n",
				ret);
		return ret < 0 ? EXIT_REC_FAILURE : EXIT_REC_OK;
	}
	if (rec_ensure_tracefs(err, sizeof(err))) {
		fprintf(stderr, "exray-record: %s\n", err);
		return EXIT_REC_FAILURE;
	}

	/* The output directory, checked before anything is loaded. */
	dirfd = rec_output_dir_open(o.output, err, sizeof(err));
	if (dirfd < 0) {
		fprintf(stderr, "exray-record: %s\n", safe(err, sbuf, sizeof(sbuf)));
		return EXIT_REC_FAILURE;
	}
	ret = rec_output_cfg_init(&cfg, dirfd);
	if (ret) {
		fprintf(stderr, "exray-record: cannot read host identity: %s\n", strerror(-ret));
		code = EXIT_REC_FAILURE;
		goto cleanup;
	}
	cfg.segment_size = o.segment_size;
	cfg.segment_age_ms = o.segment_age_ms;
	cfg.max_total = o.max_total;
	cfg.argv_max = o.argv_max;
	cfg.level = o.level;
	cfg.dir_path = o.output;
	cfg.notices = stderr;
	cfg.seal_log_fd = o.seal_log_fd;
	cfg.seal_log_syslog = o.seal_log_syslog;
	cfg.seal_log_ms = o.seal_log_ms;
	if (o.seal_log_syslog)
		openlog("exray-record", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	/* a key file is never overwritten: say so before loading anything */
	if (o.seal_key && faccessat(AT_FDCWD, o.seal_key, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		fprintf(stderr, "exray-record: --seal-key %s: exists (never overwritten: one new key "
			"file per capture)\n", safe(o.seal_key, sbuf, sizeof(sbuf)));
		code = EXIT_REC_USAGE;
		goto cleanup;
	}

	/* Signals: no SA_RESTART, so a signal ends the current poll at once. */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = rec_identity_new(&a.ident, NULL);
	if (ret) {
		fprintf(stderr, "exray-record: %s\n", strerror(-ret));
		code = EXIT_REC_FAILURE;
		goto cleanup;
	}

	/* Load and attach; events wait in the ring buffer until polled. */
	ret = rec_bpf_start(&b, &o, on_sample, &a, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "exray-record: %s\n", err);
		code = EXIT_REC_FAILURE;
		goto cleanup;
	}

	/* The packet view: its own ring buffer, drained by the same poll. */
	if (rec_tc_wanted(&tco)) {
		ret = rec_tc_open(&a.tc, &tco, b.rb, on_sample, &a, stderr, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "exray-record: %s\n", safe(err, sbuf, sizeof(sbuf)));
			code = EXIT_REC_FAILURE;
			goto cleanup;
		}
	}

	/* The verification key leaves now, once everything else is ready:
	 * then the first segment and the writer thread. */
	code = start_sealing(&o, &cfg);
	if (code != EXIT_REC_OK)
		goto cleanup;
	ret = rec_output_open(&out, &cfg);
	if (!ret) {
		ret = rec_pipe_start(&a.pipe, out);
		if (ret)
			rec_output_close(out);
	}
	if (ret) {
		fprintf(stderr, "exray-record: %s: cannot start the first segment: %s\n",
			safe(o.output, sbuf, sizeof(sbuf)), strerror(-ret));
		code = exit_code_for(ret);
		goto cleanup;
	}

	/* Snapshot, after attaching: no gap between it and the live events. */
	nsnap = rec_snapshot(&b, o.argv_max, getpid(), emit_snapshot, &a);
	if (nsnap < 0) {
		fprintf(stderr, "exray-record: snapshot of live processes failed: %s\n",
			strerror(-nsnap));
		ret = nsnap;
		code = EXIT_REC_FAILURE;
		goto cleanup;
	}
	/* The one sign of readiness, always given: scripts wait for this line
	 * before starting what must be captured (probes are attached already). */
	fprintf(stderr, "exray-record: recording: snapshot of %d processes (%s), live events into %s\n",
		nsnap, b.have_iter ? "BPF task iterator" : "/proc", safe(o.output, sbuf, sizeof(sbuf)));

	/* Drain the ring buffer; flush, stats, rotation, status on a timer. */
	start_ns = rec_now_boot_ns();
	next_flush = start_ns + o.flush_ms * 1000000ull;
	next_stats = start_ns + STATS_EVERY_NS;
	next_status = start_ns + 1000000000ull;
	next_tick = start_ns + 1000000000ull;
	while (!stop_requested) {
		__u64 now = rec_now_boot_ns();
		int timeout = next_flush > now ? (int)((next_flush - now) / 1000000) : 0;

		if (timeout > 100)
			timeout = 100;
		/* The programs wake us only when the ring is filling up; on the
		 * timer, drain it anyway (poll consumes only on a wakeup). */
		ret = ring_buffer__poll(b.rb, timeout);
		if (ret >= 0 || ret == -EINTR)
			ret = ring_buffer__consume(b.rb);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "exray-record: reading the ring buffer failed: %s\n",
				strerror(-ret));
			code = EXIT_REC_FAILURE;
			break;
		}
		rec_tc_poll(a.tc);  /* --tc-veth: veths that appeared meanwhile */
		ret = read_identities(&a, false);
		if (!ret)
			ret = a.push_err ? a.push_err : rec_pipe_error(a.pipe);
		if (ret) {
			fprintf(stderr, "exray-record: %s: writing segments failed: %s\n",
				safe(o.output, sbuf, sizeof(sbuf)), strerror(-ret));
			code = exit_code_for(ret);
			break;
		}
		now = rec_now_boot_ns();
		if (o.duration_ms && now - start_ns >= o.duration_ms * 1000000ull)
			break;
		if (now >= next_flush || rotate_requested) {
			bool stats = now >= next_stats, rotate = rotate_requested;

			rotate_requested = 0;
			ret = report_losses(&a, &b, prev_lost, lost);
			if (!ret)
				ret = rec_pipe_flush(a.pipe, lost, stats, rotate);
			if (ret && ret != -ENOMEM) {
				code = exit_code_for(ret);
				fprintf(stderr, "exray-record: %s: writing segments failed: %s\n",
					safe(o.output, sbuf, sizeof(sbuf)), strerror(-ret));
				break;
			}
			next_flush = now + o.flush_ms * 1000000ull;
			if (stats)
				next_stats = now + STATS_EVERY_NS;
		}
		/* sealing evolves its key at least once a second, also when the
		 * flush interval is longer */
		if (now >= next_tick) {
			if (o.flush_ms > 1000 && rec_pipe_tick(a.pipe) == -ENOMEM)
				fprintf(stderr, "exray-record: out of memory for a seal tick\n");
			next_tick = now + 1000000000ull;
		}
		if (tty && now >= next_status) {
			rec_pipe_counts(a.pipe, &records, &bytes, &segments);
			fprintf(stderr, "\r\033[Kexray-record: %llu events/s, %.1f MiB written, "
				"%llu lost, %llu segments",
				(unsigned long long)(a.events - status_events), bytes / 1048576.0,
				(unsigned long long)sum(lost), (unsigned long long)segments);
			status_events = a.events;
			next_status = now + 1000000000ull;
		}
	}
	if (tty)
		fprintf(stderr, "\r\033[K");

	/* Whatever is still in the ring buffer, the identities not read yet,
	 * the last losses, the footer. */
	ring_buffer__consume(b.rb);
	read_identities(&a, true);
	if (report_losses(&a, &b, prev_lost, lost) == 0)
		rec_pipe_flush(a.pipe, lost, false, false);

cleanup:
	if (a.pipe) {
		int ferr = rec_pipe_finish(a.pipe, &records, &bytes, &segments);

		if (ferr == -ESTALE && code == EXIT_REC_OK)
			fprintf(stderr, "exray-record: %s: segments or the directory were removed while "
				"recording (see above)\n", safe(o.output, sbuf, sizeof(sbuf)));
		else if (ferr && code == EXIT_REC_OK)
			fprintf(stderr, "exray-record: %s: finishing segments failed: %s\n",
				safe(o.output, sbuf, sizeof(sbuf)), strerror(-ferr));
		if (ferr && code == EXIT_REC_OK)
			code = exit_code_for(ferr);
	}
	exray_sealer_free(cfg.sealer);
	rec_tc_close(a.tc);  /* restores every qdisc and filter as it was */
	rec_identity_free(a.ident);
	rec_bpf_stop(&b);
	if (dirfd >= 0)
		close(dirfd);
	if (a.pipe)
		fprintf(stderr,
			"exray-record: %llu events, %llu records, %llu bytes in %llu segments, "
			"%llu lost, in %s%s\n",
			(unsigned long long)a.events, (unsigned long long)records,
			(unsigned long long)bytes, (unsigned long long)segments,
			(unsigned long long)sum(lost), safe(o.output, sbuf, sizeof(sbuf)),
			code ? " (stopped by an error)" : "");
	return code;
}
