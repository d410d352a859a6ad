/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the OCSF writers share (render/ocsf*.c): the export context, the
 * common parts of every event (classification, time, metadata, device),
 * the process, container and endpoint objects, and the stable ids that let
 * a re-export deduplicate.
 */
#ifndef EXRAY_OCSF_INT_H
#define EXRAY_OCSF_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>
#include "render/ocsf.h"
#include "text/jsonw.h"

#define OCSF_UID_LEN 160

/* OCSF classes exray writes. */
enum {
	OCSF_FILE_ACTIVITY = 1001,
	OCSF_KERNEL_ACTIVITY = 1003,
	OCSF_PROCESS_ACTIVITY = 1007,
	OCSF_DETECTION_FINDING = 2004,
	OCSF_NETWORK_ACTIVITY = 4001,
};
#define OCSF_ACTIVITY_OTHER 99

/* One recorded host boot (hosts row). */
struct ocsf_host {
	int64_t host_id;
	int64_t b2w;            /* wall ns = ts + b2w */
	char *hostname, *boot_id, *kernel;
};

/* A process as one event sees it; unknown numbers are -1, strings NULL. */
struct ocsf_proc {
	const struct ocsf_host *h;
	int64_t pid, start;     /* start < 0: not recorded (no uid, no created_time) */
	int64_t uid, vpid, tid;
	const char *comm, *path, *cmdline;
	const char *cid, *runtime, *pod_uid;  /* container; cid NULL: the host */
	const char *cname, *image, *image_digest; /* its identity, NULL: not recorded */
	int64_t parent_id;      /* processes row of the parent, 0: none (no ancestry) */
	int64_t exit_wall;      /* terminated_time (wall ns), 0: none */
};

/*
 * The columns a query selects for a process, in this order (OCSF_PROC_COLS
 * of table aliases P (processes or a row with pid/start/uid/comm), V (the
 * row holding vpid), E (the exec image) and C (containers)).
 */
#define OCSF_PROC_NCOLS 14
#define OCSF_PROC_COLS(P, V, E, C)                                                           \
	P ".pid, " P ".start, " P ".uid, " V ".vpid, " P ".comm, " E ".filename, " E ".cmdline, " \
	C ".cid, " C ".runtime, " C ".pod_uid, " V ".parent_id, " C ".name, " C ".image, "         \
	C ".image_digest"

struct ocsf_anc_cache;

struct ocsf_ctx {
	sqlite3 *db;
	const struct ocsf_opts *o;
	struct jsonw w;
	struct ocsf_host *hosts;
	size_t nhosts;
	sqlite3_stmt *anc;             /* one processes row by proc_id */
	struct ocsf_anc_cache *cache;
	struct ocsf_counts *n;
};

/* The host of host_id (NULL if the case has no such row). */
const struct ocsf_host *ocsf_host(const struct ocsf_ctx *c, int64_t host_id);

/*
 * Prepare a class's query: ?1 and ?2 are bound to the wall-ns window, ?3 to
 * the container filter (OCSF_CONTAINER_FILTER of the row's container_id).
 */
int ocsf_prepare(struct ocsf_ctx *c, sqlite3_stmt **st, const char *sql);
#define OCSF_CONTAINER_FILTER(col)                                                      \
	"(?3 IS NULL OR (?3 = 'host' AND " col " IS NULL) OR " col " IN "                \
	"(SELECT container_id FROM containers WHERE substr(cid, 1, length(?3)) = ?3))"
/* Step to the next row: 1 row, 0 done, -EIO (db_error set). */
int ocsf_step(struct ocsf_ctx *c, sqlite3_stmt *st);

/* A text column, NULL for SQL NULL; an integer column, def for NULL. */
const char *ocsf_col_text(sqlite3_stmt *st, int col);
int64_t ocsf_col_int(sqlite3_stmt *st, int col, int64_t def);

/* Fill p from the OCSF_PROC_NCOLS columns starting at col. */
void ocsf_proc_from_row(sqlite3_stmt *st, int col, const struct ocsf_host *h, struct ocsf_proc *p);

/* "BOOT:pid:start": the process's identity across the fleet. */
void ocsf_proc_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, int64_t pid, int64_t start);
/* "BOOT:kind:pid:start:ts": a recorded event's identity (metadata.uid);
 * the same event always gets the same uid, whatever the case database. */
void ocsf_event_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, const char *kind, int64_t pid,
		    int64_t start, int64_t ts);

/* "BOOT:syn:ifindex:sport:ts:dport": a packet SYN has no process key. */
void ocsf_syn_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, int64_t ifindex, int64_t sport,
		  int64_t ts, int64_t dport);

/*
 * Open an event object and write what every event has: classification
 * (class, category, activity, type_uid and their names), severity, time and
 * time_dt, metadata (product, version, profiles, uid, event_code) and
 * device. activity_name is the enum caption, or the data source's word for
 * OCSF_ACTIVITY_OTHER. The caller adds its members and closes with jw_end.
 */
void ocsf_begin(struct ocsf_ctx *c, int class_uid, int activity_id, const char *activity_name,
		int severity_id, const struct ocsf_host *h, int64_t wall_ns, const char *uid,
		const char *event_code);

/* A process object under key; with ancestry when asked and known. */
void ocsf_write_process(struct ocsf_ctx *c, const char *key, const struct ocsf_proc *p, bool ancestry);
/* The container object of p (nothing for a host process). */
void ocsf_write_container(struct ocsf_ctx *c, const char *key, const struct ocsf_proc *p);
/* A network endpoint {ip, port}; port 0 is left out (not known). */
void ocsf_write_endpoint(struct ocsf_ctx *c, const char *key, const char *ip, int64_t port,
			 const struct ocsf_proc *container_of);
/* connection_info of an outbound TCP connection (family 4 or 6). */
void ocsf_write_tcp_out(struct ocsf_ctx *c, int family, const char *daddr);

/* "ENOENT" for -2 (or "E<n>"); "No such file or directory" in *detail. */
const char *ocsf_errno_name(int64_t neg_errno, char buf[24], const char **detail);

/* The classes' writers (render/ocsf_process.c, ocsf_network.c, ocsf_finding.c,
 * ocsf_activity.c). */
int ocsf_write_execs(struct ocsf_ctx *c);
int ocsf_write_forks(struct ocsf_ctx *c);
int ocsf_write_exits(struct ocsf_ctx *c);
int ocsf_write_connections(struct ocsf_ctx *c);
int ocsf_write_syns(struct ocsf_ctx *c);
int ocsf_write_findings(struct ocsf_ctx *c);
int ocsf_write_activity(struct ocsf_ctx *c); /* render/ocsf_activity.c */

#endif /* EXRAY_OCSF_INT_H */
