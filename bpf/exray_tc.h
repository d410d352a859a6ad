/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The small contract between bpf/exray_tc.bpf.c (the TC SYN classifier) and
 * its loader (recorder/tc.c, recorder/allowlist.c): filter identity, the LPM
 * allowlist key and value, per-interface facts. The syn record itself is
 * struct exray_syn in schema/exray_events.h.
 */
#ifndef EXRAY_TC_H
#define EXRAY_TC_H

/*
 * Every filter exray adds has this handle and priority, and its program name
 * starts with EXRAY_TC_PROG_PREFIX: a cleanup run after a crash (SIGKILL)
 * recognises our filters by all three and never touches anyone else's.
 */
#define EXRAY_TC_HANDLE 0xe7a1
#define EXRAY_TC_PRIO 0xe7a1
#define EXRAY_TC_PROG_PREFIX "exray_syn_"

/*
 * Allowlist scopes, the first byte of the LPM key data (so the key's
 * prefixlen is 8 + the address prefix length). A packet sent by a local
 * socket and seen at egress is judged as the host's ([all] + [host]);
 * anything else (seen at ingress of a container's veth, or forwarded with no
 * local socket) as a container's ([all] only): the kernel cannot tell which
 * container, so [container]/[pod]/[cgroup] sections are not loaded.
 */
#define EXRAY_TC_SCOPE_CONTAINER 0
#define EXRAY_TC_SCOPE_HOST 1

struct exray_tc_key4 {
	__u32 prefixlen;   /* 8 + IPv4 prefix length */
	__u8 scope;        /* EXRAY_TC_SCOPE_* */
	__u8 addr[4];      /* network byte order */
	__u8 pad[3];       /* zero; past every prefix */
};

struct exray_tc_key6 {
	__u32 prefixlen;   /* 8 + IPv6 prefix length */
	__u8 scope;
	__u8 addr[16];
	__u8 pad[3];
};

/*
 * An allowlist entry: the destination port ranges allowed under a prefix
 * (the policy's flattened entry: its own lines plus every covering shorter
 * prefix). {0, 65535} allows every port. A prefix with more ranges than fit
 * is refused at load with a clear error, never silently cut.
 */
#define EXRAY_TC_PORT_RANGES 32
struct exray_tc_ports {
	__u32 n;           /* ranges used, 1..EXRAY_TC_PORT_RANGES */
	__u32 reserved;
	struct {
		__u16 lo, hi;  /* inclusive, host byte order */
	} r[EXRAY_TC_PORT_RANGES];
};

/* Bytes before the IP header on an interface (ifindex -> value in the
 * `ifaces` map): 14 on Ethernet-like devices (the default when absent), 0
 * on layer-3 devices (tun, wireguard, ip tunnels). */
#define EXRAY_TC_L2_ETH 14

#define EXRAY_TC_MAX_ENTRIES 65536  /* per family and trie */
#define EXRAY_TC_MAX_IFACES 4096
#define EXRAY_TC_IPV6_EXT_MAX 8     /* extension headers followed */

#endif /* EXRAY_TC_H */
