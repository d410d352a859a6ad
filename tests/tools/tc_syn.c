// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tc_syn: send one TCP SYN for the packet-view tests, to a test host in a
 * network namespace the test made. Static (runs in busybox containers).
 *
 *   tc_syn connect ADDR PORT [ipopt|hbh]
 *       connect() from an ordinary socket (non-blocking, waits up to 1 s
 *       for any answer); ipopt adds IPv4 options (IP_OPTIONS: 7 NOPs and
 *       END), hbh an IPv6 hop-by-hop header (IPV6_HOPOPTS, PadN). Prints
 *       "sport N".
 *   tc_syn raw ADDR PORT SPORT
 *       a SYN built by hand on a raw IPPROTO_TCP socket: no TCP socket
 *       state anywhere, so no socket-level connect event. Prints "sport N".
 *
 * Exit 0 once the SYN is sent (a refused or unanswered connect is fine).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "tc_syn: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (void *)ss;
	struct sockaddr_in6 *a6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		*len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "tc_syn: not an address: %s\n", addr);
	exit(2);
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((struct sockaddr_in *)ss)->sin_port
					      : ((struct sockaddr_in6 *)ss)->sin6_port);
}

static int do_connect(int argc, char **argv)
{
	struct sockaddr_storage dst, me;
	socklen_t len, mlen = sizeof(me);
	int af = parse(argv[2], argv[3], &dst, &len);
	int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return die("socket");
	if (argc > 4 && !strcmp(argv[4], "ipopt")) {
		static const unsigned char opt[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };

		if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opt, sizeof(opt)))
			return die("IP_OPTIONS");
	} else if (argc > 4 && !strcmp(argv[4], "hbh")) {
		/* next header (filled by the kernel), length 0 (8 bytes),
		 * PadN of 4 zero bytes. */
		static const unsigned char hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh)))
			return die("IPV6_HOPOPTS");
	}
	if (connect(fd, (struct sockaddr *)&dst, len) && errno != EINPROGRESS)
		return die("connect");
	if (getsockname(fd, (struct sockaddr *)&me, &mlen))
		return die("getsockname");
	printf("sport %u\n", port_of(&me));
	fflush(stdout);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	poll(&p, 1, 1000);
	close(fd);
	return 0;
}

static unsigned short csum(const void *data, size_t len, unsigned long sum)
{
	const unsigned char *b = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static int do_raw(char **argv)
{
	struct sockaddr_storage dst, src;
	socklen_t len, slen = sizeof(src);
	int af = parse(argv[2], argv[3], &dst, &len);
	unsigned sport = atoi(argv[4]);
	unsigned char tcp[20] = { 0 };
	int fd, u;

	/* The source address the kernel will pick, for the checksum. */
	u = socket(af, SOCK_DGRAM, 0);
	if (u < 0 || connect(u, (struct sockaddr *)&dst, len) ||
	    getsockname(u, (struct sockaddr *)&src, &slen))
		return die("route lookup");
	close(u);
	tcp[0] = sport >> 8;
	tcp[1] = sport;
	tcp[2] = port_of(&dst) >> 8;
	tcp[3] = port_of(&dst);
	tcp[7] = 1;            /* sequence number */
	tcp[12] = 5 << 4;      /* data offset */
	tcp[13] = 0x02;        /* SYN */
	tcp[14] = 0xff;        /* window */
	fd = socket(af, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0)
		return die("raw socket");
	if (af == AF_INET) {
		unsigned char ph[12];
		unsigned long sum = 0;

		memcpy(ph, &((struct sockaddr_in *)&src)->sin_addr, 4);
		memcpy(ph + 4, &((struct sockaddr_in *)&dst)->sin_addr, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = 0;
		ph[11] = sizeof(tcp);
		for (int i = 0; i < 12; i += 2)
			sum += (ph[i] << 8) | ph[i + 1];
		unsigned short c = csum(tcp, sizeof(tcp), sum);

		tcp[16] = c >> 8;
		tcp[17] = c;
		/* A raw IPv4 socket sends to a port-less address. */
		((struct sockaddr_in *)&dst)->sin_port = 0;
	} else {
		int off = 16;  /* the kernel fills the checksum */

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)))
			return die("IPV6_CHECKSUM");
		((struct sockaddr_in6 *)&dst)->sin6_port = 0;
	}
	if (sendto(fd, tcp, sizeof(tcp), 0, (struct sockaddr *)&dst, len) != sizeof(tcp))
		return die("sendto");
	printf("sport %u\n", sport);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "connect"))
		return do_connect(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "raw"))
		return do_raw(argv);
	fprintf(stderr, "usage: tc_syn connect ADDR PORT [ipopt|hbh] | raw ADDR PORT SPORT\n");
	return 2;
}
