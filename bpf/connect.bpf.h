/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Outbound TCP connects (CLOSE -> SYN_SENT) and their outcome. */
#ifndef EXRAY_CONNECT_BPF_H
#define EXRAY_CONNECT_BPF_H

#include "common.bpf.h"

/* Sockets with a connect record, until they leave SYN_SENT. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} connecting SEC(".maps");

/* Copied with a helper: the verifier refuses loads through a ctx pointer
 * the compiler has offset. */
static __always_inline void copy_addrs(struct exray_connect *c,
				       struct trace_event_raw_inet_sock_set_state *ctx)
{
	__builtin_memset(c->saddr, 0, sizeof(c->saddr));
	__builtin_memset(c->daddr, 0, sizeof(c->daddr));
	if (ctx->family == AF_INET) {
		c->family = EXRAY_FAMILY_V4;
		bpf_probe_read_kernel(c->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(c->daddr, 4, ctx->daddr);
	} else {
		c->family = EXRAY_FAMILY_V6;
		bpf_probe_read_kernel(c->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(c->daddr, 16, ctx->daddr_v6);
	}
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct exray_connect_result *r;
	struct exray_connect *c;
	struct task_struct *t;
	__u8 one = 1;

	if (!(events_mask & EXRAY_EV_CONNECT) || ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->family != AF_INET && ctx->family != AF_INET6)
		return 0;

	if (ctx->oldstate == EXRAY_TCP_SYN_SENT &&
	    (ctx->newstate == EXRAY_TCP_ESTABLISHED || ctx->newstate == EXRAY_TCP_CLOSE)) {
		/* softirq context on success: no task, join on sock */
		if (!bpf_map_lookup_elem(&connecting, &sk))
			return 0;
		bpf_map_delete_elem(&connecting, &sk);
		r = reserve_rec(sizeof(*r), EXRAY_REC_CONNECT_RESULT);
		if (!r)
			return 0;
		r->sock = sock_id(sk);
		r->sport = ctx->sport;
		r->newstate = ctx->newstate;
		__builtin_memset(r->reserved, 0, sizeof(r->reserved));
		bpf_ringbuf_submit(r, rb_flags());
		return 0;
	}

	if (ctx->oldstate != EXRAY_TCP_CLOSE || ctx->newstate != EXRAY_TCP_SYN_SENT)
		return 0;
	/* connect(): runs in the connecting task's context */
	if (excluded())
		return 0;
	t = (void *)bpf_get_current_task();
	c = reserve_rec(sizeof(*c), EXRAY_REC_CONNECT);
	if (!c)
		return 0;
	fill_task(&c->task, t);
	/* the socket's namespace, which setns() may have made differ */
	c->task.netns = BPF_CORE_READ((struct sock *)ctx->skaddr, __sk_common.skc_net.net, ns.inum);
	c->sock = sock_id(sk);
	copy_addrs(c, ctx);
	c->sport = ctx->sport;
	c->dport = ctx->dport;
	__builtin_memset(c->reserved, 0, sizeof(c->reserved));
	bpf_ringbuf_submit(c, rb_flags());
	bpf_map_update_elem(&connecting, &sk, &one, BPF_ANY);
	note_cgroup_of(t);
	return 0;
}

#endif /* EXRAY_CONNECT_BPF_H */
