// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray packet view: a TC classifier that records every TCP packet with SYN
 * set and ACK clear leaving (egress) or entering (ingress, on a container's
 * veth: what the container sends) an interface, as a struct exray_syn, with
 * the sending socket's cgroup and the verdict of an in-kernel LPM allowlist.
 * It only observes: every path returns TC_ACT_UNSPEC and the packet is never
 * written, so the next filter (or the default action) decides as before.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "exray_events.h"
#include "exray_tc.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader: 0 when no --allow policy was loaded, so every verdict
 * is EXRAY_VERDICT_NONE ("not judged") rather than a made-up allow. */
const volatile __u8 have_allowlist = 0;

#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP 6
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} syn_events SEC(".maps");

/* Failed ring-buffer reservations, per CPU: the recorder writes them as
 * loss records of type EXRAY_REC_SYN. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} syn_losses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, EXRAY_TC_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct exray_tc_key4);
	__type(value, struct exray_tc_ports);
} allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, EXRAY_TC_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct exray_tc_key6);
	__type(value, struct exray_tc_ports);
} allow6 SEC(".maps");

/* ifindex -> bytes before the IP header, for non-Ethernet devices. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXRAY_TC_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} ifaces SEC(".maps");

static __always_inline __u8 ports_verdict(const struct exray_tc_ports *p, __u16 dport)
{
	if (!p)
		return EXRAY_VERDICT_DENY;
	for (int i = 0; i < EXRAY_TC_PORT_RANGES; i++) {
		if (i >= p->n)
			break;
		if (dport >= p->r[i].lo && dport <= p->r[i].hi)
			return EXRAY_VERDICT_ALLOW;
	}
	return EXRAY_VERDICT_DENY;
}

static __always_inline __u8 verdict(const struct exray_syn *s, __u8 scope)
{
	if (!have_allowlist)
		return EXRAY_VERDICT_NONE;
	if (s->family == EXRAY_FAMILY_V4) {
		struct exray_tc_key4 k = { .prefixlen = 8 + 32, .scope = scope };

		__builtin_memcpy(k.addr, s->daddr, 4);
		return ports_verdict(bpf_map_lookup_elem(&allow4, &k), s->dport);
	}
	struct exray_tc_key6 k = { .prefixlen = 8 + 128, .scope = scope };

	__builtin_memcpy(k.addr, s->daddr, 16);
	return ports_verdict(bpf_map_lookup_elem(&allow6, &k), s->dport);
}

/* Offset of the IP header and its ethertype (network order), following up
 * to two in-band VLAN tags; -1 when the packet is not IP. */
static __always_inline int l3_offset(struct __sk_buff *skb, __u16 *proto)
{
	__u32 ifindex = skb->ifindex;
	__u32 *l2 = bpf_map_lookup_elem(&ifaces, &ifindex);
	__u32 off = l2 ? *l2 : EXRAY_TC_L2_ETH;
	__be16 type;

	if (off == 0) {
		/* No link header: skb->protocol says what follows. */
		*proto = skb->protocol;
		return 0;
	}
	if (bpf_skb_load_bytes(skb, 12, &type, sizeof(type)))
		return -1;
	off = EXRAY_TC_L2_ETH;
	for (int i = 0; i < 2; i++) {
		if (type != bpf_htons(ETH_P_8021Q) && type != bpf_htons(ETH_P_8021AD))
			break;
		if (bpf_skb_load_bytes(skb, off + 2, &type, sizeof(type)))
			return -1;
		off += 4;
	}
	*proto = type;
	return off;
}

/* IPv4: header length from IHL (options skipped); non-first fragments carry
 * no TCP header. Returns the TCP offset or -1. */
static __always_inline int parse_ip4(struct __sk_buff *skb, __u32 off, struct exray_syn *s)
{
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
		return -1;
	if (ip.version != 4 || ip.ihl < 5 || ip.protocol != IPPROTO_TCP)
		return -1;
	if (bpf_ntohs(ip.frag_off) & IP_OFFSET)
		return -1;
	s->family = EXRAY_FAMILY_V4;
	__builtin_memcpy(s->saddr, &ip.saddr, 4);
	__builtin_memcpy(s->daddr, &ip.daddr, 4);
	return off + ip.ihl * 4;
}

/* IPv6: follow hop-by-hop, routing, destination-options, fragment and AH
 * headers, at most EXRAY_TC_IPV6_EXT_MAX of them. */
static __always_inline int parse_ip6(struct __sk_buff *skb, __u32 off, struct exray_syn *s)
{
	struct ipv6hdr ip;
	__u8 next;

	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
		return -1;
	if (ip.version != 6)
		return -1;
	s->family = EXRAY_FAMILY_V6;
	__builtin_memcpy(s->saddr, &ip.saddr, 16);
	__builtin_memcpy(s->daddr, &ip.daddr, 16);
	next = ip.nexthdr;
	off += sizeof(ip);
	for (int i = 0; i < EXRAY_TC_IPV6_EXT_MAX; i++) {
		__u8 ext[2]; /* next header, length */

		if (next == IPPROTO_TCP)
			return off;
		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_DEST &&
		    next != NEXTHDR_FRAGMENT && next != NEXTHDR_AUTH)
			return -1;
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext)))
			return -1;
		if (next == NEXTHDR_FRAGMENT) {
			__be16 frag;

			if (bpf_skb_load_bytes(skb, off + 2, &frag, sizeof(frag)))
				return -1;
			if (bpf_ntohs(frag) & 0xfff8) /* not the first fragment */
				return -1;
			off += 8;
		} else if (next == NEXTHDR_AUTH) {
			off += (ext[1] + 2) * 4;
		} else {
			off += (ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	return next == IPPROTO_TCP ? (int)off : -1;
}

static __always_inline int handle(struct __sk_buff *skb, bool ingress)
{
	struct exray_syn *s;
	struct tcphdr tcp;
	__u16 proto = 0;
	__u8 scope;
	int off;

	/* Parse into a reservation would cost a reserve per packet: parse
	 * onto the stack, reserve only for a SYN. */
	struct exray_syn rec = {};

	off = l3_offset(skb, &proto);
	if (off < 0)
		return TC_ACT_UNSPEC;
	if (proto == bpf_htons(ETH_P_IP))
		off = parse_ip4(skb, off, &rec);
	else if (proto == bpf_htons(ETH_P_IPV6))
		off = parse_ip6(skb, off, &rec);
	else
		return TC_ACT_UNSPEC;
	if (off < 0 || off > 0xffff)
		return TC_ACT_UNSPEC;
	if (bpf_skb_load_bytes(skb, off, &tcp, sizeof(tcp)))
		return TC_ACT_UNSPEC;
	if (!tcp.syn || tcp.ack)
		return TC_ACT_UNSPEC;

	rec.hdr.type = EXRAY_REC_SYN;
	rec.hdr.flags = ingress ? EXRAY_F_SYN_INGRESS : 0;
	rec.hdr.len = sizeof(rec);
	rec.hdr.ts = bpf_ktime_get_boot_ns();
	/* The socket's cgroup (skb->sk), not the current task's: in TC
	 * context "current" is whoever the softirq interrupted. */
	rec.cgroup_id = bpf_skb_cgroup_id(skb);
	rec.ifindex = skb->ifindex;
	rec.sport = bpf_ntohs(tcp.source);
	rec.dport = bpf_ntohs(tcp.dest);
	scope = (!ingress && rec.cgroup_id) ? EXRAY_TC_SCOPE_HOST : EXRAY_TC_SCOPE_CONTAINER;
	rec.verdict = verdict(&rec, scope);

	s = bpf_ringbuf_reserve(&syn_events, sizeof(*s), 0);
	if (!s) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&syn_losses, &zero);

		if (n)
			*n += 1;
		return TC_ACT_UNSPEC;
	}
	__builtin_memcpy(s, &rec, sizeof(rec));
	bpf_ringbuf_submit(s, 0);
	return TC_ACT_UNSPEC;
}

/* Names start with EXRAY_TC_PROG_PREFIX (cleanup recognises them). */
SEC("tc")
int exray_syn_eg(struct __sk_buff *skb)
{
	return handle(skb, false);
}

SEC("tc")
int exray_syn_in(struct __sk_buff *skb)
{
	return handle(skb, true);
}
