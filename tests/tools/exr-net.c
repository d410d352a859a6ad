/*
 * exr-net: a tiny static TCP client/server for test containers and test hosts
 * (busybox's nc has no IPv6 and no way to hand a socket to a program that a
 * test can script precisely). Only numeric addresses: no resolver, so it can
 * never reach anything but the address it is given.
 *
 *   exr-net listen [-a ADDR] [-s TEXT | -f FILE] [-o OUT] [-n COUNT] [-t SECS] PORT
 *       Accept connections on ADDR (default [::], which also takes IPv4).
 *       For each: send TEXT or FILE, then read until EOF into OUT (appended)
 *       or discard it. Stops after COUNT connections (default: never) or SECS.
 *       Prints "listening PORT" on stdout once bound, so a caller can wait.
 *   exr-net connect [-s TEXT] [-o OUT] [-w SECS] [-r RETRIES] HOST PORT [-e PROG [ARG...]]
 *       Connect; with -e, make the socket stdin/stdout/stderr and exec PROG
 *       (a reverse shell). Otherwise send TEXT, half-close, and copy what the
 *       peer sends to OUT (created 0755, so a download can be executed) or to
 *       stdout. -r retries a refused connection every 100 ms.
 * Exit: 0 ok, 1 network error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: exr-net listen [-a ADDR] [-s TEXT|-f FILE] [-o OUT] [-n COUNT] [-t SECS] PORT\n"
			"       exr-net connect [-s TEXT] [-o OUT] [-w SECS] [-r RETRIES] HOST PORT [-e PROG [ARG...]]\n");
	return 2;
}

/* Fills ss from a numeric IPv4 or IPv6 address; returns its length or 0. */
static socklen_t parse_addr(const char *host, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies everything readable from `in` to `out` (-1: discard). */
static int copy_fd(int in, int out)
{
	char buf[16384];
	ssize_t r;

	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (out >= 0 && write_all(out, buf, (size_t)r) < 0)
			return -1;
	}
	return 0;
}

static int send_payload(int fd, const char *text, const char *file)
{
	if (text) {
		/* Let "\n" in a command-line argument mean a newline. */
		char *t = strdup(text), *w = t;
		for (const char *p = text; *p; p++) {
			if (p[0] == '\\' && p[1] == 'n') {
				*w++ = '\n';
				p++;
			} else {
				*w++ = *p;
			}
		}
		int rc = write_all(fd, t, (size_t)(w - t));
		free(t);
		return rc;
	}
	if (file) {
		int in = open(file, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			return -1;
		int rc = copy_fd(in, fd);
		close(in);
		return rc;
	}
	return 0;
}

static int do_listen(int argc, char **argv)
{
	const char *addr = "::", *text = NULL, *file = NULL, *out = NULL;
	long count = -1;
	int opt, one = 1;

	while ((opt = getopt(argc, argv, "+a:s:f:o:n:t:")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 's': text = optarg; break;
		case 'f': file = optarg; break;
		case 'o': out = optarg; break;
		case 'n': count = atol(optarg); break;
		case 't': alarm((unsigned)atoi(optarg)); break;
		default: return usage();
		}
	}
	if (optind + 1 != argc)
		return usage();
	int port = atoi(argv[optind]);
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr, port, &ss);
	if (!sl)
		return usage();

	int ls = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		perror("exr-net: socket");
		return 1;
	}
	if (ss.ss_family == AF_INET6) {
		int zero = 0; /* [::] also accepts IPv4 */
		setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 64) < 0) {
		fprintf(stderr, "exr-net: bind %s port %d: %s\n", addr, port, strerror(errno));
		return 1;
	}
	printf("listening %d\n", port);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	for (long n = 0; count < 0 || n < count; n++) {
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				n--;
				continue;
			}
			perror("exr-net: accept");
			return 1;
		}
		int o = out ? open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
		if (send_payload(c, text, file) < 0)
			perror("exr-net: send");
		if (file)
			shutdown(c, SHUT_WR); /* a download ends at EOF */
		copy_fd(c, o);
		if (o >= 0)
			close(o);
		close(c);
	}
	return 0;
}

static int do_connect(int argc, char **argv)
{
	const char *text = NULL, *out = NULL;
	int opt, retries = 0;

	while ((opt = getopt(argc, argv, "+s:o:w:r:")) != -1) {
		switch (opt) {
		case 's': text = optarg; break;
		case 'o': out = optarg; break;
		case 'w': alarm((unsigned)atoi(optarg)); break;
		case 'r': retries = atoi(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	const char *host = argv[optind];
	int port = atoi(argv[optind + 1]);
	char **prog = NULL;
	if (argc - optind > 2) {
		if (strcmp(argv[optind + 2], "-e") || argc - optind < 4)
			return usage();
		prog = &argv[optind + 3];
	}
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(host, port, &ss);
	if (!sl)
		return usage();

	int s;
	for (;;) {
		s = socket(ss.ss_family, SOCK_STREAM, 0);
		if (s < 0) {
			perror("exr-net: socket");
			return 1;
		}
		if (connect(s, (struct sockaddr *)&ss, sl) == 0)
			break;
		int err = errno;
		close(s);
		if ((err != ECONNREFUSED && err != EINTR) || retries-- <= 0) {
			fprintf(stderr, "exr-net: connect %s port %d: %s\n", host, port, strerror(err));
			return 1;
		}
		usleep(100 * 1000);
	}
	if (prog) {
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		execv(prog[0], prog);
		return 127;
	}
	signal(SIGPIPE, SIG_IGN);
	if (send_payload(s, text, NULL) < 0)
		perror("exr-net: send");
	shutdown(s, SHUT_WR);
	int o = 1;
	if (out) {
		o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (o < 0) {
			fprintf(stderr, "exr-net: %s: %s\n", out, strerror(errno));
			return 1;
		}
	}
	int rc = copy_fd(s, o);
	if (out)
		close(o);
	close(s);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "listen"))
		return do_listen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "connect"))
		return do_connect(argc - 1, argv + 1);
	return usage();
}
