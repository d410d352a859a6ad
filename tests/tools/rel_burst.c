/*
 * rel_burst: workloads with exact ground truth for the reliability tests.
 *
 *   rel_burst marks FILE TAG
 *       Forever (until killed): fork, exec "rel_burst mark TAG N", wait, then
 *       write N to FILE (rewritten in place). Once FILE says N, the exec of
 *       every mark up to N has happened: a crash test checks that each one
 *       older than the flush window is in the recording.
 *   rel_burst burst COUNT PARALLEL TAG
 *       COUNT children, at most PARALLEL at a time; each execs
 *       "rel_burst mark TAG I" and exits 0. Prints what it generated, counted
 *       by event type as the recorder sees them:
 *           burst PID fork COUNT exec COUNT exit COUNT
 *       i.e. one fork, one exec and one exit per child, all of them children
 *       of PID (the burst process itself is not counted: its own exec and
 *       exit happen outside the burst).
 *   rel_burst mark TAG N   (internal) exit 0 at once
 *
 * Static, like every tests/tools helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *self = "/proc/self/exe";

static pid_t spawn_mark(const char *tag, unsigned long n)
{
	char num[32];
	pid_t p;

	snprintf(num, sizeof(num), "%lu", n);
	p = fork();
	if (p == 0) {
		execl(self, "rel_burst", "mark", tag, num, (char *)NULL);
		_exit(127);
	}
	return p;
}

static int marks(const char *file, const char *tag)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char line[32];

	if (fd < 0) {
		fprintf(stderr, "rel_burst: %s: %s\n", file, strerror(errno));
		return 1;
	}
	for (unsigned long n = 1;; n++) {
		int st;
		pid_t p = spawn_mark(tag, n);

		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "rel_burst: mark %lu failed\n", n);
			return 1;
		}
		int len = snprintf(line, sizeof(line), "%-20lu\n", n);
		if (pwrite(fd, line, len, 0) != len)
			return 1;
	}
}

static int burst(long count, long parallel, const char *tag)
{
	long started = 0, running = 0, failed = 0;

	while (started < count || running > 0) {
		if (started < count && running < parallel) {
			if (spawn_mark(tag, started) < 0)
				return 1;
			started++, running++;
			continue;
		}
		int st;
		if (wait(&st) < 0)
			return 1;
		running--;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "rel_burst: %ld children failed\n", failed);
		return 1;
	}
	printf("burst %d fork %ld exec %ld exit %ld\n", (int)getpid(), count, count, count);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "mark"))
		return 0;
	if (argc == 4 && !strcmp(argv[1], "marks"))
		return marks(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "burst") && atol(argv[2]) > 0 && atol(argv[3]) > 0)
		return burst(atol(argv[2]), atol(argv[3]), argv[4]);
	fprintf(stderr, "usage: rel_burst marks FILE TAG | burst COUNT PARALLEL TAG\n");
	return 2;
}
