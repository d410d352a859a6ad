/*
 * rec_workload: a scripted process and network workload with known ground
 * truth, for the recorder's integration test. Static, so it also runs in a
 * busybox container.
 *
 *   rec_workload run TRUTH ARGV_MAX HOST4 HOST6 PORT
 *       fork/exec chain with hostile argv, an argv longer than ARGV_MAX, a
 *       failed exec (ENOENT), exits with known codes and a death by signal,
 *       a TCP connect over IPv4 (main thread) and IPv6 (a second thread).
 *       Every fact the recording must show is appended to TRUTH, one line
 *       each (strings hex-encoded):
 *         task PID TID PPID UID GID EUID EGID PIDNS MNTNS NETNS VPID
 *         exec PID PPID RET TRUNC FILENAME_HEX ARGV_HEX
 *         fork PID PPID
 *         exit PID RAW_STATUS
 *         connect PID TID FAMILY DADDR_HEX DPORT SPORT
 *   rec_workload storm N MARKER     fork+exec N times "rec_workload exit 0 MARKER"
 *   rec_workload connect HOST PORT  one TCP connect, then exit
 *   rec_workload hexaddr ADDR       ADDR as the 16 hex bytes a record holds
 *   rec_workload exit CODE [ARGS...] (internal) exit with CODE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *truth_path;
static char self[4096];

static void die(const char *what)
{
	fprintf(stderr, "rec_workload: %s: %s\n", what, strerror(errno));
	exit(100);
}

static void truth(const char *fmt, ...)
{
	char line[1 << 17];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	fd = open(truth_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd < 0 || write(fd, line, n) != n)
		die(truth_path);
	close(fd);
}

static char *hex(const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *out = malloc(2 * n + 2);
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	if (n == 0)
		out[0] = '-', n = 1, out[1] = 0;
	else
		out[2 * n] = 0;
	return out;
}

/* argv as the recorder stores it: each argument NUL-terminated, cut at max
 * with the last byte a NUL. */
static char *argv_blob(char *const *argv, size_t max, size_t *len, int *trunc)
{
	size_t n = 0;
	char *buf;

	for (int i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	buf = malloc(n + 1);
	n = 0;
	for (int i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(buf + n, argv[i], l);
		n += l;
	}
	*trunc = n > max;
	if (*trunc) {
		n = max;
		buf[n - 1] = 0;
	}
	*len = n;
	return buf;
}

static unsigned long ns_ino(const char *ns)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/self/ns/%s", ns);
	return stat(p, &st) ? 0 : (unsigned long)st.st_ino;
}

static void task_line(void)
{
	truth("task %d %d %d %u %u %u %u %lu %lu %lu %d", getpid(), (int)gettid(), getppid(),
	      getuid(), getgid(), geteuid(), getegid(), ns_ino("pid"), ns_ino("mnt"), ns_ino("net"),
	      getpid());
}

/* fork; the child execs path with argv (noting the expected exec record);
 * returns the child's pid. */
static pid_t spawn(const char *path, char *const *argv, size_t argv_max, int expect_ret)
{
	size_t alen;
	int trunc;
	char *blob = argv_blob(argv, argv_max, &alen, &trunc);
	char *fh = hex(path, strlen(path) + 1), *ah = hex(blob, alen);
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		truth("exec %d %d %d %d %s %s", getpid(), getppid(), expect_ret, trunc, fh, ah);
		task_line();
		execv(path, argv);
		/* the failed exec: exit with a known code */
		_exit(42);
	}
	truth("fork %d %d", pid, getpid());
	free(blob);
	free(fh);
	free(ah);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		die("waitpid");
	truth("exit %d %d", pid, st);
}

struct conn {
	const char *host;
	int port;
};

static void *do_connect(void *arg)
{
	struct conn *c = arg;
	struct sockaddr_storage ss = { 0 }, local = { 0 };
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	socklen_t len, llen = sizeof(local);
	unsigned char addr[16] = { 0 };
	int fam, fd, sport;
	char *ah;

	if (inet_pton(AF_INET, c->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->port);
		memcpy(addr, &s4->sin_addr, 4);
		len = sizeof(*s4);
		fam = 4;
	} else if (inet_pton(AF_INET6, c->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->port);
		memcpy(addr, &s6->sin6_addr, 16);
		len = sizeof(*s6);
		fam = 6;
	} else {
		errno = EINVAL;
		die(c->host);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&ss, len))
		die("connect");
	if (getsockname(fd, (void *)&local, &llen))
		die("getsockname");
	sport = ntohs(fam == 4 ? ((struct sockaddr_in *)&local)->sin_port
			       : ((struct sockaddr_in6 *)&local)->sin6_port);
	if (truth_path) {
		ah = hex(addr, 16);
		truth("connect %d %d %d %s %d %d", getpid(), (int)gettid(), fam, ah, c->port, sport);
		free(ah);
	}
	close(fd);
	return NULL;
}

static int run(char **argv)
{
	size_t argv_max = strtoul(argv[1], NULL, 10);
	struct conn c4 = { argv[2], atoi(argv[4]) }, c6 = { argv[3], atoi(argv[4]) };
	char *hostile[] = { "rec_workload", "exit", "7", "a b", "q\"u'o\\", "new\nline",
			    "esc\x1b[31mred", "\x01\x02\x7f\xff", "", "end", NULL };
	char *missing[] = { "rec_missing", "--flag", "x y", NULL };
	char *longarg = malloc(2 * argv_max + 1), *toolong[] = { "rec_workload", "exit", "0", longarg, NULL };
	char *killed[] = { "rec_workload", "kill", NULL };
	pthread_t th;

	memset(longarg, 'L', 2 * argv_max);
	longarg[2 * argv_max] = 0;
	task_line();
	reap(spawn(self, hostile, argv_max, 0));
	reap(spawn(self, toolong, argv_max, 0));
	reap(spawn("/nonexistent/rec_missing", missing, argv_max, -ENOENT));
	reap(spawn(self, killed, argv_max, 0));
	do_connect(&c4);
	/* a thread: no fork record, and the connect names its tid */
	if (pthread_create(&th, NULL, do_connect, &c6) || pthread_join(th, NULL))
		die("pthread");
	return 0;
}

/* Child side of "exit 7 ...": a grandchild first, so the chain is 3 deep. */
static int child_exit(char **argv)
{
	int code = atoi(argv[0]);

	if (truth_path && code == 7) {
		char *gc[] = { "rec_workload", "exit", "3", NULL };

		reap(spawn(self, gc, 1 << 20, 0));
	}
	return code;
}

static int storm(int n, const char *marker)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl(self, "rec_workload", "exit", "0", marker, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) < 0)
			die("storm");
	}
	return 0;
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		die("/proc/self/exe");
	self[n] = 0;
	truth_path = getenv("REC_TRUTH");
	if (argc >= 7 && strcmp(argv[1], "run") == 0) {
		truth_path = argv[2];
		setenv("REC_TRUTH", truth_path, 1);
		return run(argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return child_exit(argv + 2);
	if (argc == 2 && strcmp(argv[1], "kill") == 0) {
		raise(SIGKILL);
		return 1;
	}
	if (argc == 4 && strcmp(argv[1], "storm") == 0)
		return storm(atoi(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "connect") == 0) {
		struct conn c = { argv[2], atoi(argv[3]) };

		truth_path = NULL;
		do_connect(&c);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "hexaddr") == 0) {
		unsigned char a[16] = { 0 };

		if (inet_pton(AF_INET, argv[2], a) != 1 && inet_pton(AF_INET6, argv[2], a) != 1)
			return 2;
		puts(hex(a, 16));
		return 0;
	}
	fprintf(stderr, "usage: rec_workload run TRUTH ARGV_MAX HOST4 HOST6 PORT | storm N MARKER | "
			"connect HOST PORT\n");
	return 2;
}
