// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench-run: one measured run of a workload, optionally under a capturer.
 *
 *   bench-run [-c 'CAPTURER COMMAND'] [-w STDERR_TEXT] [-p 'PROBE COMMAND']
 *             [-P CTL_FIFO,ACK_FIFO] [-r READY_GLOB] [-s SIGNAL] [-i IDLE_MS]
 *             -- WORKLOAD...
 *
 * 1. Start the capturer fresh (/bin/sh -c "exec COMMAND", its own process
 *    group, stderr to a private file) and wait until it is ready, by every
 *    signal given (each waited for in this order, 60 s at most in all):
 *      -w TEXT  the capturer's stderr contains TEXT (exray-record says
 *               "exray-record: recording:" once attached and snapshotted);
 *      -p CMD   `sh -c CMD` exits 0, with BENCH_CAP_PID=the capturer's pid
 *               in its environment (e.g. bpftool lists its tracepoints);
 *      -P C,A   perf record started with `-D -1 --control fifo:C,A`: write
 *               "enable" to C and wait for perf's "ack" on A — perf enables
 *               its events before it acks, so it is recording from then on;
 *      -r GLOB  GLOB names a non-empty file.
 *    Then it must be idle: its process tree's CPU time grows by < IDLE_MS
 *    (default 3) per 100 ms, three times in a row (start-up work done).
 *    Idleness alone is no readiness signal: a capturer still setting up can
 *    be idle too (perf was, and recorded nothing of some runs).
 * 2. Sample the machine's CPU (/proc/stat) and the capturer's CPU time
 *    (/proc/PID/task/ * /schedstat, ns), run the workload, time it.
 * 3. Wait until the capturer has drained (idle again), sample again, stop it
 *    with SIGNAL (default INT), wait for it and take its total CPU (rusage).
 *    Its stderr is copied to ours.
 *
 * Prints one line: "run wall_ns=W machine_busy_ms=B window_ms=T
 * cap_window_ms=C cap_total_ms=A cap_exit=X ready_ms=R drain_ms=D
 * stop_ms=S" followed by the workload's own output line. Exit 0, 1 if the
 * capturer died early, never became ready or the workload failed, 2 on
 * usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* CPU time of every live thread of pid, ns (schedstat: first field). */
static long long task_cpu_ns(pid_t pid)
{
	char path[64];
	long long sum = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char p2[320];
		long long v;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		f = fopen(p2, "r");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &v) == 1)
			sum += v;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* CPU time of every live thread of root and its descendants (the capturer
 * and whatever it started, e.g. auditd under its wrapper, which calls
 * setsid), ns. */
static long long proc_cpu_ns(pid_t root)
{
	static int pids[65536], ppids[65536], mark[65536];
	DIR *d = opendir("/proc");
	struct dirent *de;
	long long sum = 0;
	int n = 0, found = 0, grew = 1;

	if (!d)
		return -1;
	while ((de = readdir(d)) && n < 65536) {
		char path[300], buf[1024], *rp;
		int pid = atoi(de->d_name), ppid;
		FILE *f;
		size_t len;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		rp = strrchr(buf, ')');
		/* ") S ppid ..." */
		if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
			continue;
		pids[n] = pid;
		ppids[n] = ppid;
		mark[n++] = pid == root;
	}
	closedir(d);
	while (grew) {
		grew = 0;
		for (int i = 0; i < n; i++) {
			if (mark[i])
				continue;
			for (int j = 0; j < n; j++)
				if (mark[j] && pids[j] == ppids[i]) {
					mark[i] = grew = 1;
					break;
				}
		}
	}
	for (int i = 0; i < n; i++)
		if (mark[i]) {
			sum += task_cpu_ns(pids[i]);
			found = 1;
		}
	return found ? sum : -1;
}

/* Busy CPU time of the whole machine, ms (all but idle and iowait). */
static long long machine_busy_ms(void)
{
	unsigned long long v[10] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	return (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000 / hz;
}

static long long glob_bytes(const char *pattern, int *nonempty)
{
	glob_t g;
	long long sum = 0;

	*nonempty = 0;
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct stat st;

		if (!stat(g.gl_pathv[i], &st)) {
			sum += st.st_size;
			if (st.st_size > 0)
				*nonempty = 1;
		}
	}
	globfree(&g);
	return sum;
}

/* Still running? Does not reap it, so that wait4 gets its rusage later. */
static int alive(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

/* Idle: the capturer's CPU grows by under idle_ns per 100 ms three times in
 * a row, and (with a glob) its output exists. Output size is no criterion:
 * machine-wide capturers keep logging the rest of the machine. Returns ms
 * waited, -1 if it died, -2 on timeout. */
static long long idle_ns = 3000000;

static long wait_idle(pid_t pid, const char *ready, long timeout_ms)
{
	long long t0 = now_ns(), last = proc_cpu_ns(pid);
	int quiet = 0, nonempty;

	while ((now_ns() - t0) / 1000000 < timeout_ms) {
		long long c;

		sleep_ms(100);
		if (!alive(pid))
			return -1;
		c = proc_cpu_ns(pid);
		if (ready)
			glob_bytes(ready, &nonempty);
		if (c - last < idle_ns && (!ready || nonempty))
			quiet++;
		else
			quiet = 0;
		last = c;
		if (quiet >= 3)
			return (long)((now_ns() - t0) / 1000000);
	}
	return -2;
}

/* The capturer's stderr goes to a private unlinked file, read back here. */
static int err_fd = -1;

static int stderr_has(const char *text)
{
	static char buf[65536];
	ssize_t n = pread(err_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, text) != NULL;
}

/* `sh -c CMD` with BENCH_CAP_PID set exits 0 (its output discarded). */
static int probe_ok(const char *cmd, pid_t cap)
{
	pid_t p = fork();
	int st = 0;

	if (p < 0)
		return 0;
	if (p == 0) {
		char v[16];
		int fd = open("/dev/null", O_WRONLY);

		snprintf(v, sizeof(v), "%d", (int)cap);
		setenv("BENCH_CAP_PID", v, 1);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* perf record -D -1 --control fifo:CTL,ACK: perf opens CTL read-write at
 * start, and ACK write-only, which blocks it until we open ACK for reading.
 * It reads CTL only from its main loop, once its events are set up; on
 * "enable" it enables them, then writes "ack". Returns 0 once acked. */
static int perf_enable(const char *fifos, pid_t cap, long long deadline)
{
	char ctl[4096], buf[64], *ack;
	size_t got = 0;
	int cfd = -1, afd, ret = -ETIMEDOUT;

	snprintf(ctl, sizeof(ctl), "%s", fifos);
	ack = strchr(ctl, ',');
	if (!ack)
		return -EINVAL;
	*ack++ = 0;
	afd = open(ack, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (afd < 0)
		return -errno;
	/* ENXIO: nobody has CTL open for reading yet. */
	while (now_ns() < deadline && alive(cap)) {
		cfd = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (cfd >= 0 || errno != ENXIO)
			break;
		sleep_ms(10);
	}
	if (cfd < 0) {
		ret = errno == ENXIO ? -ETIMEDOUT : -errno;
		goto out;
	}
	if (write(cfd, "enable\n", 7) != 7) {
		ret = -errno;
		goto out;
	}
	while (now_ns() < deadline && alive(cap)) {
		struct pollfd pf = { .fd = afd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		n = read(afd, buf + got, sizeof(buf) - 1 - got);
		if (n == 0 || (n < 0 && errno == EAGAIN)) {
			sleep_ms(10); /* no writer (yet) */
			continue;
		}
		if (n < 0) {
			ret = -errno;
			break;
		}
		got += (size_t)n;
		buf[got] = 0;
		if (strstr(buf, "ack\n")) {
			ret = 0;
			break;
		}
		if (got >= sizeof(buf) - 1)
			got = 0;
	}
out:
	if (cfd >= 0)
		close(cfd);
	close(afd);
	return ret;
}

struct ready {
	const char *text, *probe, *fifos, *glob;
};

static const char *waiting_for = "";
static char ready_err[256];

/* Between two checks of a readiness signal: 0 (after ms) to check again,
 * -1 if the capturer died, -2 past the deadline. */
static int wait_more(pid_t pid, long long deadline, long ms)
{
	if (!alive(pid))
		return -1;
	if (now_ns() > deadline)
		return -2;
	sleep_ms(ms);
	return 0;
}

/* Every readiness signal given, then idle. Returns ms waited, -1 if the
 * capturer died, -2 on timeout or failure (waiting_for says of what). */
static long wait_ready(pid_t pid, const struct ready *r, long timeout_ms)
{
	long long t0 = now_ns(), deadline = t0 + timeout_ms * 1000000LL;
	long idle;
	int ret;

	waiting_for = "its stderr to say it is ready";
	while (r->text && !stderr_has(r->text))
		if ((ret = wait_more(pid, deadline, 10)))
			return ret;
	waiting_for = "its readiness probe to succeed";
	while (r->probe && !probe_ok(r->probe, pid))
		if ((ret = wait_more(pid, deadline, 50)))
			return ret;
	waiting_for = "perf's ack of enable on its control fifo";
	if (r->fifos) {
		ret = perf_enable(r->fifos, pid, deadline);
		if (ret && !alive(pid))
			return -1;
		if (ret) {
			snprintf(ready_err, sizeof(ready_err), "%s: %s", waiting_for, strerror(-ret));
			waiting_for = ready_err;
			return -2;
		}
	}
	waiting_for = "it to be idle (and its output to exist)";
	idle = wait_idle(pid, r->glob, (long)((deadline - now_ns()) / 1000000));
	if (idle < 0)
		return idle;
	return (long)((now_ns() - t0) / 1000000);
}

/* Copy the capturer's stderr to ours. */
static void copy_stderr(void)
{
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(err_fd, buf, sizeof(buf), off)) > 0) {
		if (write(2, buf, (size_t)n) != n)
			break;
		off += n;
	}
}

/* Ask the capturer to stop with sig; after 60 s SIGTERM it, after 10 more
 * SIGKILL its process group. Returns 0 if it stopped by itself. */
static int stop_capturer(pid_t pid, int sig)
{
	kill(pid, sig);
	for (int i = 0; i < 600 && alive(pid); i++)
		sleep_ms(100);
	if (!alive(pid))
		return 0;
	fprintf(stderr, "bench-run: capturer ignored signal %d for 60 s: terminating\n", sig);
	kill(pid, SIGTERM);
	for (int i = 0; i < 100 && alive(pid); i++)
		sleep_ms(100);
	if (alive(pid))
		kill(-pid, SIGKILL);
	return -1;
}

int main(int argc, char **argv)
{
	const char *cap = NULL;
	struct ready rdy = { 0 };
	int sig = SIGINT, opt, pfd[2], st, ret = 0;
	pid_t cpid = 0, wpid;
	long long m0, m1, c0 = 0, c1 = 0, t0, t1, w0;
	long ready_ms = 0, drain = 0, cap_exit = -1;
	struct rusage ru;
	char out[4096];
	size_t outlen = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "+c:w:p:P:r:s:i:")) != -1) {
		if (opt == 'i')
			idle_ns = (long long)(atof(optarg) * 1e6);
		else if (opt == 'c')
			cap = optarg;
		else if (opt == 'w')
			rdy.text = optarg;
		else if (opt == 'p')
			rdy.probe = optarg;
		else if (opt == 'P')
			rdy.fifos = optarg;
		else if (opt == 'r')
			rdy.glob = optarg;
		else if (opt == 's')
			sig = atoi(optarg);
		else
			goto usage;
	}
	if (optind >= argc || (rdy.fifos && !strchr(rdy.fifos, ',')))
		goto usage;
	if (cap) {
		char tmpl[] = "/tmp/bench-run-err.XXXXXX";

		err_fd = mkostemp(tmpl, O_CLOEXEC);
		if (err_fd < 0)
			return perror("bench-run: mkostemp"), 1;
		unlink(tmpl);
		cpid = fork();
		if (cpid < 0)
			return perror("bench-run: fork"), 1;
		if (cpid == 0) {
			char *cmd;

			setpgid(0, 0);
			dup2(err_fd, 2);
			if (asprintf(&cmd, "exec %s", cap) < 0)
				_exit(127);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		ready_ms = wait_ready(cpid, &rdy, 60000);
		if (ready_ms < 0) {
			int died = !alive(cpid);

			if (!died)
				stop_capturer(cpid, sig);
			waitpid(cpid, &st, 0);
			copy_stderr();
			fprintf(stderr, "bench-run: capturer '%s' %s before the workload\n", cap,
				died ? "died" : "never became ready");
			if (!died)
				fprintf(stderr, "bench-run: (waiting for %s)\n", waiting_for);
			return 1;
		}
		c0 = proc_cpu_ns(cpid);
	}
	if (pipe(pfd))
		return perror("bench-run: pipe"), 1;
	m0 = machine_busy_ms();
	t0 = now_ns();
	wpid = fork();
	if (wpid < 0)
		return perror("bench-run: fork"), 1;
	if (wpid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[optind], &argv[optind]);
		perror("bench-run: workload");
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + outlen, sizeof(out) - 1 - outlen)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			outlen += (size_t)n;
	out[outlen] = 0;
	while (waitpid(wpid, &st, 0) < 0 && errno == EINTR)
		;
	t1 = now_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		ret = 1;
	if (cap) {
		drain = wait_idle(cpid, NULL, 60000);
		c1 = proc_cpu_ns(cpid);
	}
	m1 = machine_busy_ms();
	w0 = now_ns();
	if (cap) {
		if (drain == -1) {
			fprintf(stderr, "bench-run: capturer died during the workload\n");
			ret = 1;
		}
		if (stop_capturer(cpid, sig))
			ret = 1;
		memset(&ru, 0, sizeof(ru));
		if (wait4(cpid, &st, 0, &ru) == cpid)
			cap_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		copy_stderr();
	}
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("run wall_ns=%lld machine_busy_ms=%lld window_ms=%lld cap_window_ms=%.3f "
	       "cap_total_ms=%.3f cap_exit=%ld ready_ms=%ld drain_ms=%ld stop_ms=%lld %s\n",
	       t1 - t0, m1 - m0, (w0 - t0) / 1000000, (double)(c1 - c0) / 1e6,
	       cap ? (ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
		      ru.ru_stime.tv_usec / 1e3)
		   : 0.0,
	       cap_exit, ready_ms, drain, (now_ns() - w0) / 1000000, out);
	return ret;
usage:
	fprintf(stderr, "usage: bench-run [-c 'CAPTURER'] [-w STDERR_TEXT] [-p 'PROBE'] "
		"[-P CTL_FIFO,ACK_FIFO] [-r READY_GLOB] [-s SIGNAL] [-i IDLE_MS] -- WORKLOAD...\n");
	return 2;
}
