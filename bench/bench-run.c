// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench-run: one measured run of a workload, optionally under a capturer.
 *
 *   bench-run [-c 'CAPTURER COMMAND'] [-r READY_GLOB] [-s SIGNAL] [-i IDLE_MS]
 *             -- WORKLOAD...
 *
 * 1. Start the capturer fresh (/bin/sh -c "exec COMMAND", its own process
 *    group), wait until READY_GLOB names a non-empty file (if given) and the
 *    capturer is idle (its process group's CPU time grows by < IDLE_MS,
 *    default 3, per 100 ms, three times in a row).
 * 2. Sample the machine's CPU (/proc/stat) and the capturer's CPU time
 *    (/proc/PID/task/ * /schedstat, ns), run the workload, time it.
 * 3. Wait until the capturer has drained (idle again), sample again, stop it
 *    with SIGNAL (default INT), wait for it and take its total CPU (rusage).
 *
 * Prints one line: "run wall_ns=W machine_busy_ms=B window_ms=T
 * cap_window_ms=C cap_total_ms=A cap_exit=X drain_ms=D" followed by the
 * workload's own output line. Exit 0, 1 if the capturer died early or the
 * workload failed, 2 on usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
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
	long long t0 = now_ns(), last = proc_cpu_ns(pid), last_bytes = -1;
	int quiet = 0, nonempty;

	while ((now_ns() - t0) / 1000000 < timeout_ms) {
		long long c, b;

		sleep_ms(100);
		if (!alive(pid))
			return -1;
		c = proc_cpu_ns(pid);
		b = ready ? glob_bytes(ready, &nonempty) : 0;
		last_bytes = b;
		(void)last_bytes;
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
	const char *cap = NULL, *ready = NULL;
	int sig = SIGINT, opt, pfd[2], st, ret = 0;
	pid_t cpid = 0, wpid;
	long long m0, m1, c0 = 0, c1 = 0, t0, t1, w0;
	long drain = 0, cap_exit = -1;
	struct rusage ru;
	char out[4096];
	size_t outlen = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "+c:r:s:i:")) != -1) {
		if (opt == 'i')
			idle_ns = (long long)(atof(optarg) * 1e6);
		else if (opt == 'c')
			cap = optarg;
		else if (opt == 'r')
			ready = optarg;
		else if (opt == 's')
			sig = atoi(optarg);
		else
			goto usage;
	}
	if (optind >= argc)
		goto usage;
	if (cap) {
		cpid = fork();
		if (cpid < 0)
			return perror("bench-run: fork"), 1;
		if (cpid == 0) {
			char *cmd;

			setpgid(0, 0);
			if (asprintf(&cmd, "exec %s", cap) < 0)
				_exit(127);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		if (wait_idle(cpid, ready, 60000) < 0) {
			fprintf(stderr, "bench-run: capturer '%s' %s before the workload\n", cap,
				alive(cpid) ? "never became ready/idle" : "died");
			if (alive(cpid))
				stop_capturer(cpid, sig);
			waitpid(cpid, &st, 0);
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
		drain = wait_idle(cpid, ready, 60000);
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
	}
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("run wall_ns=%lld machine_busy_ms=%lld window_ms=%lld cap_window_ms=%.3f "
	       "cap_total_ms=%.3f cap_exit=%ld drain_ms=%ld stop_ms=%lld %s\n",
	       t1 - t0, m1 - m0, (w0 - t0) / 1000000, (double)(c1 - c0) / 1e6,
	       cap ? (ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
		      ru.ru_stime.tv_usec / 1e3)
		   : 0.0,
	       cap_exit, drain, (now_ns() - w0) / 1000000, out);
	return ret;
usage:
	fprintf(stderr, "usage: bench-run [-c 'CAPTURER'] [-r READY_GLOB] [-s SIGNAL] [-i IDLE_MS] -- WORKLOAD...\n");
	return 2;
}
