// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rtnetlink for the packet view: link dump and notifications, filter count. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include "netlink.h"

#define NL_BUF 32768

static int nl_open(unsigned groups, bool nonblock)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
			NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* Ask for extended acks so errors carry the kernel's reason; harmless
	 * when unsupported. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void parse_linkinfo(struct rtattr *info, char *kind, size_t kindlen)
{
	int len = RTA_PAYLOAD(info);

	for (struct rtattr *a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_INFO_KIND) {
			size_t n = RTA_PAYLOAD(a);

			if (n >= kindlen)
				n = kindlen - 1;
			memcpy(kind, RTA_DATA(a), n);
			kind[n] = '\0';
		}
	}
}

static int link_msg(struct nlmsghdr *h, rec_nl_link_fn fn, void *ctx)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rec_nl_link l = { 0 };
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	l.ifindex = ifi->ifi_index;
	l.type = ifi->ifi_type;
	l.removed = h->nlmsg_type == RTM_DELLINK;
	len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME) {
			size_t n = RTA_PAYLOAD(a);

			if (n >= sizeof(l.name))
				n = sizeof(l.name) - 1;
			memcpy(l.name, RTA_DATA(a), n);
			l.name[strnlen(l.name, n)] = '\0';
		} else if (a->rta_type == IFLA_LINKINFO) {
			parse_linkinfo(a, l.kind, sizeof(l.kind));
		}
	}
	return fn(ctx, &l);
}

typedef int (*nl_msg_fn)(struct nlmsghdr *h, void *ctx);

/* Send a dump request and feed every answer to fn until NLMSG_DONE. */
static int nl_dump(void *req, size_t reqlen, nl_msg_fn fn, void *ctx)
{
	static __thread char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *rh = req;
	int fd = nl_open(0, false);
	int err = 0;

	if (fd < 0)
		return fd;
	rh->nlmsg_seq = 1;
	if (sendto(fd, req, reqlen, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto cleanup;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto cleanup;
		}
		int len = (int)n;

		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto cleanup;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error;
				goto cleanup;
			}
			err = fn(h, ctx);
			if (err)
				goto cleanup;
		}
	}
cleanup:
	close(fd);
	return err;
}

struct link_walk {
	rec_nl_link_fn fn;
	void *ctx;
};

static int link_dump_msg(struct nlmsghdr *h, void *ctx)
{
	struct link_walk *w = ctx;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	return link_msg(h, w->fn, w->ctx);
}

int rec_nl_links(rec_nl_link_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct link_walk w = { fn, ctx };

	return nl_dump(&req, sizeof(req), link_dump_msg, &w);
}

int rec_nl_link_monitor_open(void)
{
	return nl_open(RTMGRP_LINK, true);
}

int rec_nl_link_monitor_read(int fd, rec_nl_link_fn fn, void *ctx)
{
	static __thread char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		int len = (int)n;

		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
				continue;
			int err = link_msg(h, fn, ctx);

			if (err)
				return err;
		}
	}
}

static int count_msg(struct nlmsghdr *h, void *ctx)
{
	unsigned *n = ctx;

	if (h->nlmsg_type == RTM_NEWTFILTER)
		(*n)++;
	return 0;
}

int rec_nl_count_filters(int ifindex, __u32 parent, unsigned *n)
{
	struct {
		struct nlmsghdr h;
		struct tcmsg t;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETTFILTER,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent },
	};

	*n = 0;
	return nl_dump(&req, sizeof(req), count_msg, n);
}
