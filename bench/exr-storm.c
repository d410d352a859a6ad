// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exr-storm: the benchmark workloads. Each prints exactly what it generated
 * on one line of key=value pairs, so that a capture can be checked for
 * completeness event by event.
 *
 *   exr-storm exec N [-p PROG]      N sequential fork+exec+wait of PROG
 *                                   (default: exr-true beside this binary)
 *   exr-storm connect N [-6]        N sequential TCP connects to a loopback
 *                                   listener this process starts (::1 with -6)
 *   exr-storm mixed N [-p PROG]     N fork+exec of PROG with varied, realistic
 *                                   argv; every third child connects to the
 *                                   loopback listener (exec -> egress)
 *   exr-storm burst N [-j JOBS]     exec storm from JOBS processes at once
 *                                   (default: one per CPU), N execs in total
 *   exr-storm cburst N [-j JOBS]    connect storm from JOBS processes at once
 *
 *   -u                              connects go to an AF_UNIX listener at a
 *                                   path this process binds (port=0)
 *   -r RATE                         pace exec and connect storms at RATE
 *                                   operations per second (a realistic load
 *                                   rather than a storm)
 *
 * Output: "storm mode=M execs=N forks=N connects=N connect_failures=N
 * exec_failures=N port=P comm=C wall_ns=W rate=R" (rate: operations/s).
 * Exit 0 if every operation succeeded, 1 otherwise, 2 on usage error.
 * Traffic goes to 127.0.0.1 / ::1 only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct result {
	long execs, forks, connects, connect_failures, exec_failures;
};

static int listen_fd = -1, port;
static int use_v6, use_unix;
static struct sockaddr_un unix_addr = { .sun_family = AF_UNIX };
static double pace_rate; /* -r: operations per second, 0 = as fast as possible */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd >= 0)
			close(fd);
		else if (errno != EINTR && errno != ECONNABORTED)
			return NULL;
	}
}

/* A loopback listener on an ephemeral port, accepting in a thread. */
static int start_listener(void)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	pthread_t th;
	int one = 1;

	if (use_unix) {
		snprintf(unix_addr.sun_path, sizeof(unix_addr.sun_path), "/tmp/exr-storm-%d.sock",
			 (int)getpid());
		listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&unix_addr, sizeof(unix_addr)) ||
		    listen(listen_fd, 4096))
			return -errno;
		return -pthread_create(&th, NULL, acceptor, NULL);
	}
	listen_fd = socket(use_v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((use_v6 ? bind(listen_fd, (struct sockaddr *)&a6, sizeof(a6))
		    : bind(listen_fd, (struct sockaddr *)&a4, sizeof(a4))) ||
	    listen(listen_fd, 4096) || getsockname(listen_fd, (struct sockaddr *)&got, &len))
		return -errno;
	port = ntohs(use_v6 ? ((struct sockaddr_in6 *)&got)->sin6_port
			    : ((struct sockaddr_in *)&got)->sin_port);
	return -pthread_create(&th, NULL, acceptor, NULL);
}

static int connect_once(void)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct linger lg = { 1, 0 };
	int fd, rc;

	if (use_unix) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&unix_addr, sizeof(unix_addr));
		close(fd);
		return rc;
	}
	fd = socket(use_v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* close with RST: no TIME_WAIT, so repeated storms never run out of ports */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	a4.sin_port = a6.sin6_port = htons((unsigned short)port);
	rc = use_v6 ? connect(fd, (struct sockaddr *)&a6, sizeof(a6))
		    : connect(fd, (struct sockaddr *)&a4, sizeof(a4));
	close(fd);
	return rc;
}

/* fork, exec argv, wait; counts into r. Returns the child's exit code,
 * -1 if it could not run. */
static int run_child(char *const *argv, struct result *r)
{
	pid_t p = fork();
	int st;

	if (p < 0) {
		r->exec_failures++;
		return -1;
	}
	if (p == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	r->forks++;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 127) {
		r->exec_failures++;
		return -1;
	}
	r->execs++;
	return WEXITSTATUS(st);
}

/* With -r, sleep until operation i's deadline (absolute, so a slow
 * operation does not lower the rate). */
static void pace(long i)
{
	static long long start;
	long long due, now;
	struct timespec ts;

	if (pace_rate <= 0)
		return;
	now = now_ns();
	if (!i)
		start = now;
	due = start + (long long)((double)i * 1e9 / pace_rate);
	if (due <= now)
		return;
	ts.tv_sec = (due - now) / 1000000000LL;
	ts.tv_nsec = (due - now) % 1000000000LL;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void exec_storm(long n, const char *prog, struct result *r)
{
	char *argv[] = { (char *)prog, NULL };

	for (long i = 0; i < n; i++) {
		pace(i);
		run_child(argv, r);
	}
}

static void connect_storm(long n, struct result *r)
{
	for (long i = 0; i < n; i++) {
		pace(i);
		if (connect_once())
			r->connect_failures++;
		else
			r->connects++;
	}
}

/* Realistic, varied command lines; every third child connects first. */
static void mixed_storm(long n, const char *prog, struct result *r)
{
	static const char *const apps[] = { "orders", "billing", "search", "auth", "reports",
					    "inventory", "payments", "images" };
	char a[8][160];
	char *argv[9];
	unsigned seed = 12345;

	for (long i = 0; i < n; i++) {
		int k = 0, conn = i % 3 == 0;
		const char *app = apps[(seed = seed * 1103515245 + 12345) >> 16 & 7];

		argv[k++] = (char *)prog;
		if (conn) {
			snprintf(a[0], sizeof(a[0]), "-c");
			snprintf(a[1], sizeof(a[1]), "%d", port);
			snprintf(a[2], sizeof(a[2]), "%s", use_v6 ? "::1" : "127.0.0.1");
			argv[k++] = a[0], argv[k++] = a[1], argv[k++] = a[2];
		}
		snprintf(a[3], sizeof(a[3]), "/srv/%s/bin/worker", app);
		snprintf(a[4], sizeof(a[4]), "--job=%s-%08x", app, seed = seed * 1103515245 + 12345);
		snprintf(a[5], sizeof(a[5]), "--shard=%ld", i % 64);
		snprintf(a[6], sizeof(a[6]), "--url=http://%s.internal:%u/v1/items/%ld", app,
			 8000 + (seed >> 20 & 63), i);
		for (int j = 3; j <= 6; j++)
			argv[k++] = a[j];
		argv[k] = NULL;
		int rc = run_child(argv, r);

		if (conn && rc >= 0) {
			if (rc == 0)
				r->connects++;
			else
				r->connect_failures++;
		}
	}
}

/* JOBS processes each run an exec storm (or a connect storm against the
 * one listener); results come back through a pipe. */
static int burst(long n, int jobs, const char *prog, int connects, struct result *r)
{
	int pfd[2];

	if (pipe(pfd))
		return -errno;
	for (int j = 0; j < jobs; j++) {
		pid_t p = fork();

		if (p < 0)
			return -errno;
		if (p == 0) {
			struct result mine = { 0 };

			close(pfd[0]);
			if (connects)
				connect_storm(n / jobs + (j < n % jobs), &mine);
			else
				exec_storm(n / jobs + (j < n % jobs), prog, &mine);
			if (write(pfd[1], &mine, sizeof(mine)) != sizeof(mine))
				_exit(1);
			_exit(0);
		}
		r->forks++; /* the job processes themselves */
	}
	close(pfd[1]);
	for (int j = 0; j < jobs; j++) {
		struct result x;

		if (read(pfd[0], &x, sizeof(x)) != sizeof(x))
			return -EIO;
		r->execs += x.execs;
		r->forks += x.forks;
		r->exec_failures += x.exec_failures;
		r->connects += x.connects;
		r->connect_failures += x.connect_failures;
	}
	close(pfd[0]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: exr-storm exec|connect|mixed|burst|cburst N [-p PROG] [-6|-u] [-j JOBS] [-r RATE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], prog_buf[PATH_MAX + 16];
	const char *mode, *prog = NULL, *comm;
	struct result r = { 0 };
	long n;
	int opt, jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long long t0, t1;

	if (argc < 3)
		return usage();
	mode = argv[1];
	n = atol(argv[2]);
	optind = 3;
	while ((opt = getopt(argc, argv, "p:6uj:r:")) != -1) {
		if (opt == 'p')
			prog = optarg;
		else if (opt == '6')
			use_v6 = 1;
		else if (opt == 'u')
			use_unix = 1;
		else if (opt == 'j')
			jobs = atoi(optarg);
		else if (opt == 'r')
			pace_rate = atof(optarg);
		else
			return usage();
	}
	if (n < 1 || jobs < 1 || optind != argc)
		return usage();
	if (!prog) {
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
		char *slash;

		if (l < 0)
			return perror("exr-storm: /proc/self/exe"), 1;
		self[l] = 0;
		slash = strrchr(self, '/');
		*slash = 0;
		snprintf(prog_buf, sizeof(prog_buf), "%s/exr-true", self);
		prog = prog_buf;
	}
	if (access(prog, X_OK)) {
		fprintf(stderr, "exr-storm: %s: %s\n", prog, strerror(errno));
		return 1;
	}
	comm = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	if ((!strcmp(mode, "connect") || !strcmp(mode, "mixed") || !strcmp(mode, "cburst")) &&
	    start_listener()) {
		perror("exr-storm: loopback listener");
		return 1;
	}
	t0 = now_ns();
	if (!strcmp(mode, "exec"))
		exec_storm(n, prog, &r);
	else if (!strcmp(mode, "connect"))
		connect_storm(n, &r);
	else if (!strcmp(mode, "mixed"))
		mixed_storm(n, prog, &r);
	else if (!strcmp(mode, "burst") || !strcmp(mode, "cburst")) {
		if (burst(n, jobs, prog, mode[0] == 'c', &r)) {
			perror("exr-storm: burst");
			return 1;
		}
	} else
		return usage();
	t1 = now_ns();
	if (use_unix)
		unlink(unix_addr.sun_path);
	printf("storm mode=%s execs=%ld forks=%ld connects=%ld connect_failures=%ld "
	       "exec_failures=%ld port=%d comm=%.15s wall_ns=%lld rate=%.0f\n",
	       mode, r.execs, r.forks, r.connects, r.connect_failures, r.exec_failures, port, comm,
	       t1 - t0, (double)n * 1e9 / (double)(t1 - t0));
	return r.connect_failures || r.exec_failures ? 1 : 0;
}
