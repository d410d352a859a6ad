/*
 * exr-pidreuse: make two processes with the same pid, one after the other,
 * so a capture holds a reused pid (the analyzer must key processes by pid
 * AND start time, never by pid alone).
 *
 *   exr-pidreuse [-n TRIES] CMD1 CMD2
 *
 * Runs `sh -c CMD1` in a child, waits for it, then writes pid-1 to
 * /proc/sys/kernel/ns_last_pid (of the caller's pid namespace; needs
 * CAP_SYS_ADMIN and a writable /proc/sys) and forks again until the new child
 * gets the same pid (other processes may take it first; up to TRIES, default
 * 50), then runs `sh -c CMD2` in it. Prints "pid N reused" on stdout.
 * Exit: 0 reused, 1 could not.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t run(const char *cmd, pid_t want)
{
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		if (want > 0 && getpid() != want)
			_exit(99); /* someone else took the pid: exit quietly, retry */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	waitpid(p, NULL, 0);
	return p;
}

int main(int argc, char **argv)
{
	int opt, tries = 50;

	while ((opt = getopt(argc, argv, "+n:")) != -1) {
		if (opt != 'n')
			goto usage;
		tries = atoi(optarg);
	}
	if (argc - optind != 2)
		goto usage;

	pid_t first = run(argv[optind], 0);
	if (first < 0) {
		perror("exr-pidreuse: fork");
		return 1;
	}
	for (int i = 0; i < tries; i++) {
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("exr-pidreuse: /proc/sys/kernel/ns_last_pid");
			return 1;
		}
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", (int)first - 1);
		if (write(fd, buf, (size_t)n) != n) {
			perror("exr-pidreuse: write ns_last_pid");
			close(fd);
			return 1;
		}
		close(fd);
		if (run(argv[optind + 1], first) == first) {
			printf("pid %d reused\n", (int)first);
			return 0;
		}
	}
	fprintf(stderr, "exr-pidreuse: pid %d not reused after %d tries\n", (int)first, tries);
	return 1;
usage:
	fprintf(stderr, "usage: exr-pidreuse [-n TRIES] CMD1 CMD2\n");
	return 2;
}
