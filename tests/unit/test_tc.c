/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The packet view without a network: recorder/allowlist.c turning policies
 * into trie entries (table-driven), and, as root, the real classifier run on
 * crafted packets with BPF_PROG_TEST_RUN: IPv4 with and without options,
 * fragments, VLAN tags, IPv6 extension headers, SYN/ACK combinations, and
 * verdicts from the real LPM tries. The classifier must return
 * TC_ACT_UNSPEC and leave the packet unchanged every time.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exray_events.h"
#include "../../recorder/allowlist.h"
#include "exray_tc.skel.h"

/* ------------------------------------------------------------ allowlist */

struct got {
	int n;
	__u8 family[16];
	__u8 scope[16];
	unsigned plen[16];
	struct exray_tc_ports val[16];
};

static int put(void *ctx, __u8 family, const void *key, const struct exray_tc_ports *val)
{
	struct got *g = ctx;

	if (g->n == 16)
		return -ENOSPC;
	g->family[g->n] = family;
	if (family == 4) {
		const struct exray_tc_key4 *k = key;

		g->scope[g->n] = k->scope;
		g->plen[g->n] = k->prefixlen - 8;
	} else {
		const struct exray_tc_key6 *k = key;

		g->scope[g->n] = k->scope;
		g->plen[g->n] = k->prefixlen - 8;
	}
	g->val[g->n++] = *val;
	return 0;
}

static int build(const char *text, struct got *g, struct rec_allowlist_stats *st, char *err)
{
	struct exray_policy *p;
	int r = exray_policy_parse(&p, "t.policy", text, strlen(text), err, 256);

	assert_int_equal(r, 0);
	memset(g, 0, sizeof(*g));
	r = rec_allowlist_build(p, put, g, st, err, 256);
	exray_policy_free(p);
	return r;
}

static void test_allowlist_scopes(void **state)
{
	struct rec_allowlist_stats st;
	struct got g;
	char err[256];

	assert_int_equal(build("allow 198.51.100.0/24 port 443\n"
			       "[host]\nallow 198.51.100.7/32 port 22\nallow 2001:db8::/32\n"
			       "[container abc]\nallow 203.0.113.0/24\n", &g, &st, err), 0);
	assert_int_equal(st.skipped_sections, 1);
	/* Container scope: [all] only. Host scope: [all] + [host], with the
	 * /32 inheriting its cover's port 443. */
	assert_int_equal(g.n, 4);
	assert_int_equal(g.scope[0], EXRAY_TC_SCOPE_CONTAINER);
	assert_int_equal(g.plen[0], 24);
	assert_int_equal(g.val[0].n, 1);
	assert_int_equal(g.val[0].r[0].lo, 443);
	int host32 = -1, host6 = -1;

	for (int i = 1; i < g.n; i++) {
		assert_int_equal(g.scope[i], EXRAY_TC_SCOPE_HOST);
		if (g.family[i] == 4 && g.plen[i] == 32)
			host32 = i;
		if (g.family[i] == 6)
			host6 = i;
	}
	assert_true(host32 > 0 && host6 > 0);
	assert_int_equal(g.val[host32].n, 2);
	assert_int_equal(g.val[host32].r[0].lo, 22);
	assert_int_equal(g.val[host32].r[1].lo, 443);
	assert_int_equal(g.plen[host6], 32);
	assert_int_equal(g.val[host6].r[0].lo, 0);
	assert_int_equal(g.val[host6].r[0].hi, 65535);
	assert_int_equal(st.v4 + st.v6, 4);
}

static void test_allowlist_too_many_ranges(void **state)
{
	struct rec_allowlist_stats st;
	struct got g;
	char text[4096] = "", err[256] = "";

	for (int i = 0; i <= EXRAY_TC_PORT_RANGES; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "allow 192.0.2.0/24 port %d\n", 1000 + 2 * i);
	assert_int_equal(build(text, &g, &st, err), -E2BIG);
	assert_non_null(strstr(err, "192.0.2.0/24"));
}

/* ------------------------------------------------------- the classifier */

#define TC_ACT_UNSPEC (-1)

struct pkt {
	__u8 b[256];
	size_t len;
};

static void put16(__u8 *p, unsigned v) { p[0] = v >> 8; p[1] = v; }

static void eth(struct pkt *p, unsigned type, int vlans)
{
	memset(p, 0, sizeof(*p));
	p->len = 12;
	for (int i = 0; i < vlans; i++) {
		put16(p->b + p->len, 0x8100);
		put16(p->b + p->len + 2, 5);
		p->len += 4;
	}
	put16(p->b + p->len, type);
	p->len += 2;
}

static void tcp(struct pkt *p, unsigned sport, unsigned dport, __u8 flags)
{
	__u8 *t = p->b + p->len;

	put16(t, sport);
	put16(t + 2, dport);
	t[12] = 5 << 4;
	t[13] = flags;
	p->len += 20;
}

/* IPv4 with optlen bytes of options (NOPs), fragment offset field frag. */
static void ip4(struct pkt *p, const char *src, const char *dst, int optlen, unsigned frag)
{
	__u8 *h = p->b + p->len;

	h[0] = 0x40 | (5 + optlen / 4);
	h[8] = 64;
	h[9] = 6;
	put16(h + 6, frag);
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	memset(h + 20, 1, optlen);
	p->len += 20 + optlen;
}

/* IPv6 followed by the extension headers in ext (type list, 0-terminated
 * by -1), each 8 bytes. */
static void ip6(struct pkt *p, const char *src, const char *dst, const int *ext)
{
	__u8 *h = p->b + p->len;
	int n = 0;

	h[0] = 0x60;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	h[6] = ext && ext[0] >= 0 ? ext[0] : 6;
	p->len += 40;
	while (ext && ext[n] >= 0) {
		__u8 *e = p->b + p->len;

		e[0] = ext[n + 1] >= 0 ? ext[n + 1] : 6;
		e[1] = 0; /* 8 bytes (for AH: (0 + 2) * 4 = 8 too) */
		p->len += 8;
		n++;
	}
}

struct run {
	struct exray_tc_bpf *skel;
	struct ring_buffer *rb;
	struct exray_syn got[4];
	int n;
};

static int on_syn(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (r->n < 4 && size >= sizeof(struct exray_syn))
		memcpy(&r->got[r->n++], data, sizeof(struct exray_syn));
	return 0;
}

static int run_pkt(struct run *r, const struct pkt *p, bool ingress)
{
	struct bpf_program *prog = ingress ? r->skel->progs.exray_syn_in : r->skel->progs.exray_syn_eg;
	__u8 out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	r->n = 0;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &o), 0);
	assert_int_equal((int)o.retval, TC_ACT_UNSPEC);
	assert_int_equal(o.data_size_out, p->len);
	assert_memory_equal(out, p->b, p->len); /* observes only */
	ring_buffer__consume(r->rb);
	return r->n;
}

static int setup_prog(void **state)
{
	static struct run r;
	static const char text[] = "allow 198.51.100.0/24 port 443\n[host]\nallow 2001:db8:1::/48\n";
	char path[] = "/tmp/exray-test-tc-XXXXXX", err[256];
	struct rec_allowlist_stats st;
	int fd, rc;

	*state = NULL;
	if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK))
		return 0;
	memset(&r, 0, sizeof(r));
	r.skel = exray_tc_bpf__open();
	if (!r.skel)
		return -1;
	r.skel->rodata->have_allowlist = 1;
	if (exray_tc_bpf__load(r.skel))
		return -1;
	r.rb = ring_buffer__new(bpf_map__fd(r.skel->maps.syn_events), on_syn, &r, NULL);
	fd = mkstemp(path);
	if (!r.rb || fd < 0 || write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
		return -1;
	close(fd);
	rc = rec_allowlist_load(path, bpf_map__fd(r.skel->maps.allow4),
				bpf_map__fd(r.skel->maps.allow6), &st, err, sizeof(err));
	unlink(path);
	if (rc)
		return -1;
	*state = &r;
	return 0;
}

static int teardown_prog(void **state)
{
	struct run *r = *state;

	if (r) {
		ring_buffer__free(r->rb);
		exray_tc_bpf__destroy(r->skel);
	}
	return 0;
}

#define NEED_ROOT(r)                                                               \
	do {                                                                       \
		if (!(r)) {                                                        \
			print_message("skipped: needs root and kernel BTF to run the " \
				      "classifier\n");                             \
			skip();                                                    \
		}                                                                  \
	} while (0)

static void check_addr(const __u8 *got, int af, const char *want)
{
	__u8 a[16] = { 0 };

	inet_pton(af, want, a);
	assert_memory_equal(got, a, 16);
}

static void test_prog_ipv4(void **state)
{
	struct run *r = *state;
	struct pkt p;

	NEED_ROOT(r);
	/* Plain SYN to an allowed host and port. */
	eth(&p, 0x0800, 0);
	ip4(&p, "192.0.2.1", "198.51.100.9", 0, 0);
	tcp(&p, 40000, 443, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 1);
	struct exray_syn *s = &r->got[0];

	assert_int_equal(s->hdr.type, EXRAY_REC_SYN);
	assert_int_equal(s->hdr.len, sizeof(*s));
	assert_int_equal(s->hdr.flags, 0);
	assert_true(s->hdr.ts > 0);
	assert_int_equal(s->family, EXRAY_FAMILY_V4);
	check_addr(s->saddr, AF_INET, "192.0.2.1");
	check_addr(s->daddr, AF_INET, "198.51.100.9");
	assert_int_equal(s->sport, 40000);
	assert_int_equal(s->dport, 443);
	assert_int_equal(s->verdict, EXRAY_VERDICT_ALLOW);

	/* 12 bytes of IP options: ports must come from after them. Port 80
	 * is not allowed. Seen at ingress: the flag says so. */
	eth(&p, 0x0800, 0);
	ip4(&p, "192.0.2.1", "198.51.100.9", 12, 0);
	tcp(&p, 40001, 80, 0x02);
	assert_int_equal(run_pkt(r, &p, true), 1);
	assert_int_equal(r->got[0].sport, 40001);
	assert_int_equal(r->got[0].dport, 80);
	assert_int_equal(r->got[0].verdict, EXRAY_VERDICT_DENY);
	assert_int_equal(r->got[0].hdr.flags, EXRAY_F_SYN_INGRESS);

	/* Outside every prefix: deny. Behind a VLAN tag: still parsed. */
	eth(&p, 0x0800, 1);
	ip4(&p, "192.0.2.1", "203.0.113.5", 0, 0);
	tcp(&p, 40002, 443, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 1);
	assert_int_equal(r->got[0].verdict, EXRAY_VERDICT_DENY);
	check_addr(r->got[0].daddr, AF_INET, "203.0.113.5");
}

static void test_prog_not_syn(void **state)
{
	static const __u8 flags[] = { 0x12 /* SYN|ACK */, 0x10 /* ACK */, 0x01 /* FIN */, 0x04 };
	struct run *r = *state;
	struct pkt p;

	NEED_ROOT(r);
	for (size_t i = 0; i < sizeof(flags); i++) {
		eth(&p, 0x0800, 0);
		ip4(&p, "192.0.2.1", "198.51.100.9", 0, 0);
		tcp(&p, 40000, 443, flags[i]);
		assert_int_equal(run_pkt(r, &p, false), 0);
	}
	/* A later fragment has no TCP header; the first one does. */
	eth(&p, 0x0800, 0);
	ip4(&p, "192.0.2.1", "198.51.100.9", 0, 0x0010);
	tcp(&p, 40000, 443, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 0);
	eth(&p, 0x0800, 0);
	ip4(&p, "192.0.2.1", "198.51.100.9", 0, 0x2000);
	tcp(&p, 40000, 443, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 1);
	/* UDP, ARP: ignored. */
	eth(&p, 0x0800, 0);
	ip4(&p, "192.0.2.1", "198.51.100.9", 0, 0);
	p.b[14 + 9] = 17;
	tcp(&p, 40000, 443, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 0);
	eth(&p, 0x0806, 0);
	p.len = 60;
	assert_int_equal(run_pkt(r, &p, false), 0);
}

static void test_prog_ipv6(void **state)
{
	static const int none[] = { -1 };
	static const int three[] = { 0, 60, 44, -1 };  /* hop-by-hop, dest opts, fragment */
	static const int nine[] = { 60, 60, 60, 60, 60, 60, 60, 60, 60, -1 };
	struct run *r = *state;
	struct pkt p;

	NEED_ROOT(r);
	eth(&p, 0x86dd, 0);
	ip6(&p, "2001:db8::1", "2001:db8:1::5", none);
	tcp(&p, 50000, 22, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 1);
	assert_int_equal(r->got[0].family, EXRAY_FAMILY_V6);
	check_addr(r->got[0].saddr, AF_INET6, "2001:db8::1");
	check_addr(r->got[0].daddr, AF_INET6, "2001:db8:1::5");
	assert_int_equal(r->got[0].sport, 50000);
	assert_int_equal(r->got[0].dport, 22);
	/* [host] allows 2001:db8:1::/48 to a local socket's packet at egress
	 * (a test run gives the skb a socket of the running task)... */
	assert_true(r->got[0].cgroup_id != 0);
	assert_int_equal(r->got[0].verdict, EXRAY_VERDICT_ALLOW);
	/* ... but at ingress it was sent by a container: [all] only. */
	assert_int_equal(run_pkt(r, &p, true), 1);
	assert_int_equal(r->got[0].verdict, EXRAY_VERDICT_DENY);

	eth(&p, 0x86dd, 0);
	ip6(&p, "2001:db8::1", "2001:db8:1::5", three);
	tcp(&p, 50001, 8080, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 1);
	assert_int_equal(r->got[0].sport, 50001);
	assert_int_equal(r->got[0].dport, 8080);

	/* More extension headers than the bound: not followed, not recorded. */
	eth(&p, 0x86dd, 0);
	ip6(&p, "2001:db8::1", "2001:db8:1::5", nine);
	tcp(&p, 50002, 22, 0x02);
	assert_int_equal(run_pkt(r, &p, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowlist_scopes),
		cmocka_unit_test(test_allowlist_too_many_ranges),
	};
	const struct CMUnitTest prog_tests[] = {
		cmocka_unit_test(test_prog_ipv4),
		cmocka_unit_test(test_prog_not_syn),
		cmocka_unit_test(test_prog_ipv6),
	};
	int fails = cmocka_run_group_tests_name("allowlist", tests, NULL, NULL);

	libbpf_set_print(NULL);
	fails += cmocka_run_group_tests_name("classifier", prog_tests, setup_prog, teardown_prog);
	return fails;
}
