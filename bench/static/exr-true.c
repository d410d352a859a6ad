// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exr-true: the trivial static binary the exec storms run (built -static by
 * `make bench`, so an exec costs the kernel's work and not the dynamic
 * loader's). With "-c PORT [ADDR]" first it makes one TCP connect to
 * ADDR (default 127.0.0.1; loopback only) before exiting, so that an exec
 * is followed by egress from the same process. Other arguments are ignored.
 * Exit 0 on success, 1 if the connect failed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct linger lg = { 1, 0 };
	const char *addr;
	int fd, v6, rc;

	if (argc < 3 || strcmp(argv[1], "-c"))
		return 0;
	addr = argc > 3 && argv[3][0] != '-' ? argv[3] : "127.0.0.1";
	v6 = strchr(addr, ':') != NULL;
	if (v6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr) != 1 : inet_pton(AF_INET, addr, &a4.sin_addr) != 1)
		return 1;
	if (v6 ? !IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr) : (ntohl(a4.sin_addr.s_addr) >> 24) != 127)
		return 1; /* benchmarks never send traffic off this machine */
	a4.sin_port = a6.sin6_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	/* close with RST: no TIME_WAIT, so storms never run out of ports */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	rc = v6 ? connect(fd, (struct sockaddr *)&a6, sizeof(a6)) : connect(fd, (struct sockaddr *)&a4, sizeof(a4));
	close(fd);
	return rc ? 1 : 0;
}
