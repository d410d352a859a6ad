/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a case's seals are worth, counted in one place for everything that
 * states it (ingest, check, the report): segments whose seals were verified
 * with their key, failed, were not checked (ingested without --key), or
 * carry none (segments.seal_status, schema 1.4).
 */
#ifndef EXRAY_SEALSUM_H
#define EXRAY_SEALSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#define SEALSUM_MAX_KEYS 4

struct seal_summary {
	bool recorded;           /* the case has the seal columns (schema 1.4+) */
	long long segments, verified, failed, unchecked, unsealed;
	/* the distinct key fingerprints seals were checked with: the first
	 * SEALSUM_MAX_KEYS (32 hex digits each, from the database: escape
	 * on output), and how many there are */
	char keys[SEALSUM_MAX_KEYS][33];
	size_t n_keys;
};

/* Read s from the case database. 0, or -EIO (db_error() says why); s is
 * zeroed first. A case without the seal columns reads as not recorded. */
int seal_summary_read(sqlite3 *db, struct seal_summary *s);

#endif
