/*
 * exr-burst: a short storm of process events, to overrun a deliberately tiny
 * recorder ring buffer (and to measure the recorder under load).
 *
 *   exr-burst [-p PARALLEL] COUNT [PROG [ARG...]]
 *
 * Runs COUNT children, at most PARALLEL (default 4) at a time; each child
 * executes PROG (or, without PROG, just exits: fork and exit events only).
 * Prints "burst COUNT children in MS ms" on stdout. Exit 0 unless fork fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int opt, parallel = 4;

	while ((opt = getopt(argc, argv, "+p:")) != -1) {
		if (opt != 'p') {
			fprintf(stderr, "usage: exr-burst [-p PARALLEL] COUNT [PROG [ARG...]]\n");
			return 2;
		}
		parallel = atoi(optarg);
	}
	if (optind >= argc || parallel < 1) {
		fprintf(stderr, "usage: exr-burst [-p PARALLEL] COUNT [PROG [ARG...]]\n");
		return 2;
	}
	long count = atol(argv[optind]);
	char **prog = optind + 1 < argc ? &argv[optind + 1] : NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	long started = 0, running = 0;
	while (started < count || running > 0) {
		if (started < count && running < parallel) {
			pid_t p = fork();
			if (p < 0) {
				perror("exr-burst: fork");
				return 1;
			}
			if (p == 0) {
				if (prog)
					execv(prog[0], prog);
				_exit(prog ? 127 : 0);
			}
			started++;
			running++;
			continue;
		}
		if (wait(NULL) > 0)
			running--;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("burst %ld children in %ld ms\n", count,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}
