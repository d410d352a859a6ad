/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exray-record internals: the pieces main.c strings together. Every function
 * returns 0 (or a count) on success and a negative errno on failure; none of
 * them prints (except where a stream is passed in) or exits.
 */
#ifndef EXRAY_RECORD_H
#define EXRAY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "exray_events.h"
#include "segment.h"
#include "../bpf/exray.h"

#define EXRAY_RECORDER_VERSION "exray-record 0.1"
#define EXRAY_DEFAULT_OUTPUT "/var/lib/exray"

/* Exit codes of exray-record (documented in --help and docs/recorder.md). */
enum {
	EXIT_REC_OK = 0,
	EXIT_REC_FAILURE = 1,   /* runtime failure: load, attach, write */
	EXIT_REC_USAGE = 2,
	EXIT_REC_PRIVILEGE = 3, /* not root/CAP_BPF+CAP_PERFMON, or no BTF */
	EXIT_REC_DISK_FULL = 4, /* ENOSPC/EDQUOT while writing segments */
	EXIT_REC_REMOVED = 5,   /* segments or the output directory were removed
	                           while recording (put back, recording went on) */
};

/* ------------------------------------------------------------ options */

#define EXRAY_REC_TC_IFACES_MAX 64
#define EXRAY_REC_WATCH_MAX 64

struct rec_opts {
	const char *output;        /* directory */
	__u64 flush_ms;            /* --flush-interval */
	__u64 segment_size;        /* bytes on disk; rotate when exceeded */
	__u64 segment_age_ms;
	__u64 max_total;           /* bytes, 0 = no cap */
	bool segment_size_set;     /* --segment-size given */
	bool segment_size_forced;  /* lowered so that --max-total holds two */
	__u64 duration_ms;         /* 0 = until signalled */
	__u32 argv_max;
	__u64 ring_size;           /* bytes, power of two */
	__u32 events;              /* EXRAY_EV_* */
	int level;                 /* zstd level */
	bool verbose;
	bool no_iter;              /* --no-iter: force the /proc snapshot */
	/* The packet view (recorder/tc.h). */
	const char *tc_iface[EXRAY_REC_TC_IFACES_MAX]; /* --tc-iface, repeatable */
	unsigned n_tc_iface;
	bool tc_veth;              /* --tc-veth */
	bool tc_cleanup;           /* --tc-cleanup [IF...]: the cleanup run */
	const char *allow;         /* --allow FILE */
	/* Sealing (on unless --no-seal). */
	bool no_seal;
	const char *seal_key;      /* --seal-key FILE: where the verification key goes */
	int seal_log_fd;           /* --seal-log fd:N, -1 none */
	bool seal_log_syslog;      /* --seal-log syslog */
	__u64 seal_log_ms;         /* --seal-log-interval */
	const char *watch[EXRAY_REC_WATCH_MAX]; /* --watch PATH, repeatable */
	unsigned n_watch;
	bool help;
	bool version;              /* --version */
};

/* Fill defaults, then parse argv. Returns 0, or -EINVAL with a one-line
 * message in err (size errlen). */
void rec_opts_defaults(struct rec_opts *o);
int rec_opts_parse(struct rec_opts *o, int argc, char **argv, char *err, size_t errlen);
void rec_usage(FILE *f);

/* "10M", "1G", "4096" -> bytes; "2s", "500ms", "1m", "1h", "3" (s) -> ms. */
int rec_parse_size(const char *s, __u64 *out);
int rec_parse_duration_ms(const char *s, __u64 *out);
int rec_parse_events(const char *s, __u32 *out);

/* ----------------------------------------------------------- BPF side */

struct exray_bpf;
struct rec_bpf {
	struct exray_bpf *skel;
	struct ring_buffer *rb;
	bool have_iter;            /* the task iterator loaded */
	int ncpus;
};

/* Checks before loading, each with a clear message in err. -EPERM when not
 * privileged, -ENOENT when the kernel has no BTF. */
int rec_check_privileges(char *err, size_t errlen);
int rec_check_btf(char *err, size_t errlen);
/* Mount tracefs at /sys/kernel/tracing if tracepoints are not visible. */
int rec_ensure_tracefs(char *err, size_t errlen);

typedef int (*rec_sample_fn)(void *ctx, void *data, size_t size);
/* Open, set options, load (retrying without the iterator when it cannot
 * load), attach, and set up the ring-buffer consumer calling fn. */
int rec_bpf_start(struct rec_bpf *b, const struct rec_opts *o, rec_sample_fn fn, void *ctx,
		  char *err, size_t errlen);
/* Sum the per-CPU loss counters into totals[EXRAY_LOSS_SLOTS]. */
int rec_bpf_read_losses(struct rec_bpf *b, __u64 *totals);
/* Run the task iterator: its raw output (records) in a malloc buffer. */
int rec_bpf_iterate(struct rec_bpf *b, void **buf, size_t *len);
/* Mark a cgroup id as already emitted (for /proc snapshot records). */
void rec_bpf_mark_cgroup(struct rec_bpf *b, __u64 id);
bool rec_bpf_cgroup_seen(struct rec_bpf *b, __u64 id);
void rec_bpf_stop(struct rec_bpf *b);

/* ------------------------------------------------------- file filter */

/* One rule of the file filter's default list (recorder/filerules.c). */
struct rec_file_rule {
	const char *spec;          /* prefix spec ("/etc/", "/x*", "/etc/shadow") or a name */
	__u32 bits;                /* EXRAY_RULE_* */
};
const struct rec_file_rule *rec_file_default_prefixes(size_t *n);
const struct rec_file_rule *rec_file_default_names(size_t *n);
/* The trie key of a prefix spec: "DIR/" covers everything below, "X*"
 * every path starting with X, anything else that path only. -EINVAL for a
 * relative or too long spec. */
int rec_file_prefix_key(const char *spec, struct exray_prefix_key *k);
/* The prefix specs of --watch PATH (absolute): the path and everything
 * below it. Returns how many (1 or 2) or -EINVAL. */
int rec_watch_specs(const char *path, char specs[2][EXRAY_PREFIX_MAX]);
/* The prefix entries of the default list and the --watch paths, each with
 * the bits of the shorter entries that cover it (the trie answers with the
 * longest match alone). Returns 0 or -EINVAL/-E2BIG. */
#define REC_FILE_PREFIXES_MAX 1024 /* the trie's size in bpf/file.bpf.h */
struct rec_prefix_entry {
	struct exray_prefix_key key;
	__u32 bits;
};
int rec_file_rules_build(const char *const *watch, unsigned nwatch,
			 struct rec_prefix_entry *e, size_t cap, size_t *n);
/* The bits the kernel's trie lookup gives for path (the longest match). */
__u32 rec_file_prefix_match(const struct rec_prefix_entry *e, size_t n, const char *path);
/* Fill the kernel maps with the default rules and the --watch paths. */
int rec_file_rules_fill(int prefix_fd, int name_fd, const char *const *watch, unsigned nwatch);

/* ----------------------------------------------------------- snapshot */

typedef int (*rec_emit_fn)(void *ctx, const void *rec, size_t len);

/*
 * Emit a snapshot of every live process: from the iterator's records when
 * b->have_iter, else from /proc (EXRAY_F_SNAPSHOT_PROC). Exe path and argv
 * (bounded by argv_max) are added from /proc. self is skipped. Returns the
 * number of snapshot records emitted or -errno.
 */
int rec_snapshot(struct rec_bpf *b, __u32 argv_max, __u32 self, rec_emit_fn emit, void *ctx);
/* Build one snapshot record for pid from /proc into a malloc'd buffer. */
int rec_snapshot_proc_one(__u32 pid, __u32 argv_max, void **rec, size_t *len);
/* Append exe and argv of pid to a fixed snapshot record (112 bytes). */
int rec_snapshot_complete(const struct exray_exec *base, __u32 argv_max, void **rec,
			  size_t *len);
/* Parse a /proc/PID/cmdline image into argv bytes bounded by max; sets
 * *truncated. Returns the argv length (each arg NUL-terminated). */
size_t rec_cmdline_to_argv(const char *in, size_t inlen, char *out, size_t max, bool *truncated);

/* ------------------------------------------------------------ cgroups */

/* Copies of every cgroup and container record seen, re-emitted at each
 * segment start. */
struct rec_cgroups;
int rec_cgroups_new(struct rec_cgroups **out);
void rec_cgroups_free(struct rec_cgroups *c);
/* Keep a copy of a cgroup or container record (replacing an older record
 * of the same type and cgroup id); -EINVAL for any other record. */
int rec_cgroups_add(struct rec_cgroups *c, const void *rec);
/* Call emit for each kept record, in the order first seen. */
int rec_cgroups_replay(const struct rec_cgroups *c, rec_emit_fn emit, void *ctx);
size_t rec_cgroups_count(const struct rec_cgroups *c);

/* ------------------------------------------------------------- output */

struct rec_output_cfg {
	int dirfd;
	__u64 segment_size, segment_age_ms, max_total;
	__u32 argv_max;
	int level;
	__u8 capture_id[16];
	__u8 boot_id[16];
	char host[EXRAY_SEG_HOST_LEN];
	char release[EXRAY_SEG_RELEASE_LEN];
	char start_utc[20];        /* YYYYmmddTHHMMSSZ */
	__u32 host_ns[3];          /* our own pid, mnt, net namespace inodes */
	const char *dir_path;      /* to recreate the directory if it is removed */
	FILE *notices;             /* one line per thing a person must know (stderr) */
	struct exray_sealer *sealer; /* NULL: not sealed */
	int seal_log_fd;           /* -1: none */
	bool seal_log_syslog;
	__u64 seal_log_ms;
};

struct rec_output;
/* Fill host, boot id, release, capture id and start time. */
int rec_output_cfg_init(struct rec_output_cfg *cfg, int dirfd);
/* Create (0700) or check the output directory; refuse one writable by
 * group/others or not owned by us. Returns an O_DIRECTORY fd or -errno. */
int rec_output_dir_open(const char *path, char *err, size_t errlen);
/* Segment file name for seq into buf. */
void rec_segment_name(const struct rec_output_cfg *cfg, __u64 seq, char *buf, size_t len);

int rec_output_open(struct rec_output **out, const struct rec_output_cfg *cfg);
/* Append a record; cgroup and container records are also kept for later
 * segments.
 * Rotates by size/age first when due. */
int rec_output_append(struct rec_output *o, const void *rec, size_t len);
int rec_output_set_lost(struct rec_output *o, const __u64 *totals);
/* Flush the batched frame; write a stats frame when stats_due. */
int rec_output_flush(struct rec_output *o, bool stats_due);
int rec_output_rotate(struct rec_output *o);
/* At least once a second: evolve the seal key (an idle seal), emit the seal
 * log when due, notice a removed directory or segment. */
int rec_output_tick(struct rec_output *o);
/* Footer and close; frees o. Returns the first error seen, or -ESTALE when
 * segments or the directory were removed meanwhile (and put back). */
int rec_output_close(struct rec_output *o);
void rec_output_counts(const struct rec_output *o, __u64 *records, __u64 *bytes, __u64 *segments);
/* wall ns - boottime ns, now. */
__s64 rec_boot_to_wall(void);
__u64 rec_now_boot_ns(void);

/* ------------------------------------------------------------ pipeline */

/*
 * The writer thread: the ring-buffer consumer hands whole batches of records
 * to it, so compression and disk writes never stall the consumer.
 */
struct rec_pipe;
int rec_pipe_start(struct rec_pipe **out, struct rec_output *o);
/* Copy a record into the current batch (hands the batch over when full). */
int rec_pipe_push(struct rec_pipe *p, const void *rec, size_t len);
/* Hand over the current batch and ask for a flush (with loss totals, may be
 * NULL), a stats frame, or a rotation. Never blocks on the disk. */
int rec_pipe_flush(struct rec_pipe *p, const __u64 *lost_totals, bool stats, bool rotate);
/* Ask the writer for rec_output_tick (sealing's once-a-second duty). */
int rec_pipe_tick(struct rec_pipe *p);
/* First error the writer thread hit, 0 if none. */
int rec_pipe_error(struct rec_pipe *p);
/* Hand over what is left, stop the thread, close the output. Frees p and
 * the output. Returns the first error; the final counts in the pointers. */
int rec_pipe_finish(struct rec_pipe *p, __u64 *records, __u64 *bytes, __u64 *segments);
void rec_pipe_counts(struct rec_pipe *p, __u64 *records, __u64 *bytes, __u64 *segments);

#endif /* EXRAY_RECORD_H */
