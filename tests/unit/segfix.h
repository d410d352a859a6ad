/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Test helper: build segments from synthetic records with the real writer. */
#ifndef EXRAY_TEST_SEGFIX_H
#define EXRAY_TEST_SEGFIX_H

#include <stdint.h>
#include "segment.h"

/* A header for host `host`, boot id and capture id filled with the bytes
 * boot and capture, sequence seq, boot_to_wall 1.7e18 ns (2023-11-14). */
void segfix_header(struct exray_seg_header *h, const char *host, uint8_t boot, uint8_t capture,
		   uint64_t seq);

/* Open dir/name for writing (dir must exist). NULL on failure. */
struct exray_seg_writer *segfix_open(const char *dir, const char *name,
				     const struct exray_seg_header *h);

/* A task: pid, ppid, start, pstart, cgroup id; uid 1000, namespaces 1/2/3. */
struct exray_task segfix_task(uint32_t pid, uint32_t ppid, uint64_t start, uint64_t pstart,
			      uint64_t cgroup_id);

/* Copy argv (a NULL-terminated list) as NUL-terminated strings into dst
 * (NULL: only measure); returns the bytes. */
size_t segfix_argv_put(char *dst, const char *const *argv);

/* argv is a list of strings ending with NULL. type: EXRAY_REC_EXEC or _SNAPSHOT. */
int segfix_exec(struct exray_seg_writer *w, unsigned type, uint64_t ts,
		const struct exray_task *t, int ret, const char *filename, const char *const *argv);
int segfix_fork(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t);
int segfix_exit(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t,
		uint32_t code);
/* IPv4 connect to daddr:dport (dotted quad). */
int segfix_connect(struct exray_seg_writer *w, uint64_t ts, const struct exray_task *t,
		   uint64_t sock, const char *daddr, uint16_t dport);
int segfix_result(struct exray_seg_writer *w, uint64_t ts, uint64_t sock, uint16_t sport,
		  uint8_t state);
int segfix_cgroup(struct exray_seg_writer *w, uint64_t ts, uint64_t id, const char *path);
int segfix_loss(struct exray_seg_writer *w, uint64_t ts, unsigned type, uint32_t cpu,
		uint64_t count);

/*
 * 1.2 records (tests/unit/segfix_events.c). `r` is the fixed part with its
 * fields filled (hdr.ts and hdr.flags too); the writer sets hdr.type,
 * hdr.len and the string lengths, and appends the strings (NULL: absent).
 */
int segfix_file(struct exray_seg_writer *w, struct exray_file *r, const char *path,
		const char *path2);
int segfix_priv(struct exray_seg_writer *w, struct exray_priv *r);
int segfix_ns(struct exray_seg_writer *w, struct exray_ns *r, const char *target,
	      const char *source, const char *fstype);
int segfix_ptrace(struct exray_seg_writer *w, struct exray_ptrace *r);
int segfix_socket(struct exray_seg_writer *w, struct exray_socket *r);
int segfix_memfd(struct exray_seg_writer *w, struct exray_memfd *r, const char *name);
int segfix_bpf(struct exray_seg_writer *w, struct exray_bpf_cmd *r);
int segfix_uring(struct exray_seg_writer *w, struct exray_uring *r, const char *path,
		 const char *path2);
/* A file record with the 1.5 extension x after its paths (flags gain
 * EXRAY_F_FILE_EXT); cut > 0 drops that many bytes off its end, as a
 * damaged record would be. */
int segfix_file_ext(struct exray_seg_writer *w, struct exray_file *r, const char *path,
		    const char *path2, const struct exray_file_ext *x, unsigned cut);
/* An exec (or snapshot) with the 1.2 extension x (exe_len/cwd_len are set
 * from exe and cwd); flags are added to EXRAY_F_EXEC_EXT. */
int segfix_exec_ext(struct exray_seg_writer *w, unsigned type, uint64_t ts,
		    const struct exray_task *t, uint16_t flags, const char *filename,
		    const char *const *argv, const struct exray_exec_ext *x, const char *exe,
		    const char *cwd);

#endif
