/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The small contract between bpf/exray.bpf.c and its loader (recorder/):
 * runtime option bits and map sizes. The records themselves are
 * schema/exray_events.h.
 */
#ifndef EXRAY_BPF_H
#define EXRAY_BPF_H

/* Bits of the `events` rodata option (--events). */
#define EXRAY_EV_EXEC    (1u << 0) /* exec, and failed execs */
#define EXRAY_EV_FORK    (1u << 1)
#define EXRAY_EV_EXIT    (1u << 2)
#define EXRAY_EV_CONNECT (1u << 3) /* connect and connect_result */
#define EXRAY_EV_ALL     (EXRAY_EV_EXEC | EXRAY_EV_FORK | EXRAY_EV_EXIT | EXRAY_EV_CONNECT)

/* Kernel-side cgroup path walk: deepest path emitted whole. */
#define EXRAY_CGROUP_DEPTH 16
/* Failed execs: argv is read pointer by pointer, at most this many. */
#define EXRAY_FAILED_ARGS_MAX 64

#endif /* EXRAY_BPF_H */
