/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a case is missing, computed in one place for everything that draws
 * conclusions from it (check, tree, timeline, the report): events the
 * kernel could not queue, per host and type, with when they were reported;
 * damaged frames skipped; segments missing from a capture; record types
 * too new to read. A conclusion drawn from an incomplete case says so.
 * Counts saturate (text/counts.h), never wrap.
 */
#ifndef EXRAY_COMPLETENESS_H
#define EXRAY_COMPLETENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct completeness_loss {
	char *host;                /* host name, as recorded: escape on output */
	char *type;                /* lost record type ("exec", "fork", ...) */
	uint64_t count;            /* saturated at COUNT_SATURATED */
	int64_t first_ts, last_ts; /* loss records' times (boot ns): when reported */
	int64_t b2w;               /* the host boot's offset to wall-clock time */
};

struct completeness {
	struct completeness_loss *loss;  /* by host, then most lost first */
	size_t n_loss;
	uint64_t lost;                   /* every host and type (saturated) */
	uint64_t damage;                 /* damage issues: frames, bytes or records skipped */
	uint64_t damaged_bytes;
	uint64_t damaged_segments;
	uint64_t torn_tails;             /* damage issues that are a torn tail */
	uint64_t missing_segments;       /* sequence numbers absent inside a capture */
	uint64_t captures_without_start; /* captures whose segment 0 was not ingested */
	uint64_t newer_type_segments;    /* segments with record types newer than this exray */
	uint64_t open_segments;          /* without a footer: still recording, or killed */
	uint64_t segments;
	unsigned hosts;
};

/* Read c from the case database. 0, or -EIO (db_error() says why) or
 * -ENOMEM; c is zeroed first and safe to free either way. */
int completeness_read(sqlite3 *db, struct completeness *c);
void completeness_free(struct completeness *c);

/* Nothing lost, damaged, missing or skipped (open segments aside: they
 * are stated, but a capture still running is not missing anything yet). */
bool completeness_whole(const struct completeness *c);

/*
 * The facts as sentences for people, without a final period, e.g.
 * "17,234 exec events lost in the kernel, reported between
 * 2026-11-21T06:48:41Z and 2026-11-21T06:49:02Z". Sentence i of
 * completeness_count() goes into buf (always NUL-terminated). Host names
 * inside are as recorded: escape the sentence for its output.
 */
size_t completeness_count(const struct completeness *c);
void completeness_sentence(const struct completeness *c, size_t i, char *buf, size_t len);

#endif
