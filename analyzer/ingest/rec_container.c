/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Container records: who a container is (name, image, pod), as the
 * recorder read it from the runtime's state. The row is found by the id
 * (the same id the cgroup path gives, schema/containers.h), created if its
 * cgroup record has not come yet; a field the record holds fills the
 * column, so the copies repeated at every segment start and records read
 * in any order give the same row.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "ingest/ingest_int.h"
#include "text/escape.h"

/* Keys that are columns, in the order of ?4.. in the statement. */
static const char *const columns[] = {
	"name", "image", "image_digest", "pod_name", "pod_namespace", "container_name", "pod_uid",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* Labels as a JSON object and sources as a JSON array (malloc'd; NULL:
 * none, or out of memory with *oom set). */
static char *json_of(const char *kv, size_t len, int labels, int *oom)
{
	char *buf = NULL;
	size_t n = 0, count = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f) {
		*oom = 1;
		return NULL;
	}
	putc(labels ? '{' : '[', f);
	for (size_t off = 0; off < len;) {
		const char *k = kv + off, *v = k + strlen(k) + 1;

		if (v >= kv + len)
			break;
		off = (size_t)(v - kv) + strlen(v) + 1;
		if (labels ? strncmp(k, "label.", 6) : strcmp(k, "source"))
			continue;
		if (count++)
			putc(',', f);
		if (labels) {
			json_write_str(f, k + 6);
			putc(':', f);
		}
		json_write_str(f, v);
	}
	putc(labels ? '}' : ']', f);
	if (fclose(f)) {
		*oom = 1;
		free(buf);
		return NULL;
	}
	if (!count) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int on_container(struct ingest *in, const struct exray_rec_hdr *h)
{
	const struct exray_container *c = (const void *)h;
	sqlite3_stmt *st = in->rec_st[EXRAY_REC_CONTAINER][0];
	const char *vals[NCOLS] = { 0 }, *id = NULL, *runtime = NULL;
	char *labels, *sources;
	size_t len = 0;
	const char *kv = exray_container_kv(c, &len);
	int oom = 0, err;

	for (size_t off = 0; kv && off < len;) {
		const char *k = kv + off, *v = k + strlen(k) + 1;

		if (v >= kv + len)
			break;
		off = (size_t)(v - kv) + strlen(v) + 1;
		if (!strcmp(k, "id"))
			id = v;
		else if (!strcmp(k, "runtime"))
			runtime = v;
		for (size_t i = 0; i < NCOLS; i++)
			if (!strcmp(k, columns[i]) && !vals[i])
				vals[i] = v;
	}
	/* the id is the key: a record without one names nobody */
	if (!id || !*id)
		return 0;
	labels = json_of(kv, len, 1, &oom);
	sources = json_of(kv, len, 0, &oom);
	if (oom) {
		free(labels);
		free(sources);
		return -ENOMEM;
	}
	sqlite3_bind_int64(st, 1, in->host_id);
	bind_cstr(st, 2, id);
	bind_cstr(st, 3, runtime ? runtime : "unknown");
	for (size_t i = 0; i < NCOLS; i++)
		bind_cstr(st, 4 + (int)i, vals[i]);
	bind_cstr(st, 4 + NCOLS, labels);
	bind_cstr(st, 5 + NCOLS, sources);
	sqlite3_bind_int64(st, 6 + NCOLS, (sqlite3_int64)c->cgroup_id);
	err = ingest_step(in, st);
	free(labels);
	free(sources);
	return err;
}

/* The runtime from the path may be refined by the record ('kubepods': the
 * kubelet's cgroupfs driver does not say which runtime; the files do). */
const struct rec_handler handler_container = { on_container, {
	"INSERT INTO containers(host_id,cid,short_id,runtime,name,image,image_digest,pod_name,"
	" pod_namespace,container_name,pod_uid,labels,sources,cgroup_path)"
	" VALUES(?1,?2,substr(?2,1,12),?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
	"  (SELECT path FROM cgroups WHERE host_id=?1 AND cgroup_id=?13))"
	" ON CONFLICT(host_id,cid) DO UPDATE SET"
	" runtime=CASE WHEN ?3<>'unknown' THEN ?3 ELSE runtime END,"
	" name=coalesce(?4,name), image=coalesce(?5,image), image_digest=coalesce(?6,image_digest),"
	" pod_name=coalesce(?7,pod_name), pod_namespace=coalesce(?8,pod_namespace),"
	" container_name=coalesce(?9,container_name), pod_uid=coalesce(pod_uid,?10),"
	" labels=CASE WHEN ?11 IS NULL THEN labels ELSE json_patch(coalesce(labels,'{}'),?11) END,"
	" sources=coalesce(?12,sources),"
	" cgroup_path=coalesce(cgroup_path,"
	"  (SELECT path FROM cgroups WHERE host_id=?1 AND cgroup_id=?13))" } };
