// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exr-uring: file and network operations submitted through io_uring
 * (liburing), which no syscall tracepoint sees; prints what it did as
 * KEY=VALUE lines (ground truth for tests/integration/events_uring.sh).
 *   exr-uring openat DIR NAME        open DIR/NAME (O_CREAT|O_WRONLY) relative to DIR's fd
 *   exr-uring unlinkat DIR NAME
 *   exr-uring renameat DIR OLD NEW
 *   exr-uring connect ADDR PORT      TCP connect (IPv4 or IPv6)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Submit the prepared sqe (user_data 42), wait for it, return its res. */
static int run(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(ring) != 1 || io_uring_wait_cqe(ring, &cqe))
		return -1000;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	const char *cmd = argc > 1 ? argv[1] : "";
	int dfd = -1, res;

	if (io_uring_queue_init(4, &ring, 0)) {
		perror("io_uring_queue_init");
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	if (argc >= 3 && strcmp(cmd, "connect")) {
		dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (dfd < 0) {
			perror(argv[2]);
			return 1;
		}
	}
	if (!strcmp(cmd, "openat") && argc == 4) {
		io_uring_prep_openat(sqe, dfd, argv[3], O_CREAT | O_WRONLY, 0644);
	} else if (!strcmp(cmd, "unlinkat") && argc == 4) {
		io_uring_prep_unlinkat(sqe, dfd, argv[3], 0);
	} else if (!strcmp(cmd, "renameat") && argc == 5) {
		io_uring_prep_renameat(sqe, dfd, argv[3], dfd, argv[4], 0);
	} else if (!strcmp(cmd, "connect") && argc == 4) {
		static struct sockaddr_storage ss;
		socklen_t len;
		int s, fam = strchr(argv[2], ':') ? AF_INET6 : AF_INET;

		if (fam == AF_INET) {
			struct sockaddr_in *in = (void *)&ss;
			in->sin_family = AF_INET;
			in->sin_port = htons(atoi(argv[3]));
			inet_pton(AF_INET, argv[2], &in->sin_addr);
			len = sizeof(*in);
		} else {
			struct sockaddr_in6 *in6 = (void *)&ss;
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(atoi(argv[3]));
			inet_pton(AF_INET6, argv[2], &in6->sin6_addr);
			len = sizeof(*in6);
		}
		s = socket(fam, SOCK_STREAM, 0);
		if (s < 0)
			return 1;
		printf("fd=%d\n", s);
		io_uring_prep_connect(sqe, s, (struct sockaddr *)&ss, len);
	} else {
		fputs("usage: exr-uring openat DIR NAME | unlinkat DIR NAME | renameat DIR OLD NEW |"
		      " connect ADDR PORT\n", stderr);
		return 2;
	}
	io_uring_sqe_set_data64(sqe, 42);
	res = run(&ring);
	printf("%s res=%d dfd=%d user_data=42\n", cmd, res, dfd);
	io_uring_queue_exit(&ring);
	return res < 0 && res != -1000 ? 1 : 0;
}
