/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Minimal rtnetlink for the packet view: list links, follow link
 * notifications (RTNLGRP_LINK), count the TC filters under a clsact parent.
 * Functions return 0 or a negative errno; none prints.
 */
#ifndef EXRAY_REC_NETLINK_H
#define EXRAY_REC_NETLINK_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

struct rec_nl_link {
	int ifindex;
	unsigned short type;          /* ARPHRD_* */
	char name[IF_NAMESIZE];
	char kind[16];                /* IFLA_INFO_KIND ("veth", ...), "" if none */
	bool removed;                 /* an RTM_DELLINK notification */
};

typedef int (*rec_nl_link_fn)(void *ctx, const struct rec_nl_link *l);

/* Call fn for every link of this network namespace (RTM_GETLINK dump).
 * A non-zero return of fn stops the walk and is returned. */
int rec_nl_links(rec_nl_link_fn fn, void *ctx);

/* A non-blocking socket subscribed to link notifications: returns the fd. */
int rec_nl_link_monitor_open(void);
/* Read every pending notification on fd, calling fn for each link message.
 * Returns 0 when nothing more is pending, -ENOBUFS when notifications were
 * lost (the caller should re-list with rec_nl_links), or fn's error. */
int rec_nl_link_monitor_read(int fd, rec_nl_link_fn fn, void *ctx);

/* Number of TC filters (any kind, anyone's) under parent (TC_H_MAKE of
 * clsact and TC_H_MIN_INGRESS/EGRESS) on ifindex, in *n. */
int rec_nl_count_filters(int ifindex, __u32 parent, unsigned *n);

#endif /* EXRAY_REC_NETLINK_H */
