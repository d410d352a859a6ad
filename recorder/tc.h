/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The packet view: bpf/exray_tc.bpf.c on clsact hooks, its ring buffer, the
 * --allow tries, and --tc-veth's watch for new veths.
 *
 * Attachment is tracked exactly: a clsact qdisc is destroyed only if we
 * created it and nobody else's filter sits on it, and only our filters
 * (handle/priority EXRAY_TC_HANDLE/EXRAY_TC_PRIO and a program named
 * EXRAY_TC_PROG_PREFIX*) are removed. What we changed is also written to a
 * state file (EXRAY_TC_STATE_DIR/tc-PID.state) before each change, so a
 * cleanup run after a SIGKILL (rec_tc_cleanup, and every later start) can
 * restore the prior state. All functions return 0 or a negative errno with a
 * one-line message in err; notes go to the `log` stream given at open.
 */
#ifndef EXRAY_REC_TC_H
#define EXRAY_REC_TC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "allowlist.h"

#define EXRAY_TC_STATE_DIR "/run/exray"

struct rec_tc_opts {
	const char *const *ifaces;  /* --tc-iface: egress of each */
	size_t nifaces;
	bool veth;                  /* --tc-veth: ingress of every veth, now and later */
	const char *allow;          /* --allow FILE, or NULL */
	bool verbose;               /* note each attach/detach on log */
};

struct rec_tc;

/* Whether the options ask for the packet view at all. */
bool rec_tc_wanted(const struct rec_tc_opts *o);

/*
 * Clean up after dead recorders of this network namespace, load the
 * classifier and the allowlist, attach, add the syn ring buffer to rb (the
 * recorder's ring_buffer manager, so one poll drains both) with fn/ctx, and
 * start the veth watch. On failure nothing stays attached.
 */
int rec_tc_open(struct rec_tc **out, const struct rec_tc_opts *o, struct ring_buffer *rb,
		ring_buffer_sample_fn fn, void *ctx, FILE *log, char *err, size_t errlen);

/* Handle pending link notifications (--tc-veth): attach to new veths,
 * forget removed ones. Failures to attach one veth are noted on log, not
 * returned: one vanished container must not stop a capture. Cheap when
 * nothing is pending; call it from the poll loop. */
int rec_tc_poll(struct rec_tc *t);

/* Add the classifier's failed reservations to totals[EXRAY_REC_SYN]. */
int rec_tc_add_losses(struct rec_tc *t, __u64 *totals);

/* Interfaces currently attached. */
size_t rec_tc_count(const struct rec_tc *t);

/* Detach, restore, free. Accepts NULL. */
void rec_tc_close(struct rec_tc *t);

/*
 * The cleanup run (--tc-cleanup [IF...]): restore what recorders that are no
 * longer running left behind in this network namespace, from their state
 * files; then remove exray's filters (by handle, priority and program name)
 * from each named interface, for when the state file is gone too (a clsact
 * qdisc is then left in place: nothing says whether it was there before).
 * Returns the number of filters and qdiscs removed.
 */
int rec_tc_cleanup(const char *const *ifaces, size_t nifaces, FILE *log, char *err,
		   size_t errlen);

#endif /* EXRAY_REC_TC_H */
