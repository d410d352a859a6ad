/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Container identity: who a container is (name, image, pod...), read from
 * what the host's runtime left on disk the first time the recorder sees a
 * container's cgroup, and written as one EXRAY_REC_CONTAINER record per
 * container. No runtime API is called and nothing under the container's
 * control is read: only runtime state files on the host (runc state, the
 * OCI bundle's config.json, docker's config.v2.json, containerd's task
 * directory, CRI-O/podman's containers/storage), each bounded in size.
 *
 * The work is split so that the ring-buffer callback pays nothing:
 * rec_identity_note() only remembers a new container (string work), and
 * rec_identity_run(), called from the main loop between polls, reads the
 * files. Runtimes write some state a moment after the container's first
 * process runs, so a container whose runc state is not there yet is read
 * again a few times (about 4 s in all) before its record is written with
 * the most that one read found (at least its id and runtime, from the
 * cgroup path).
 */
#ifndef EXRAY_IDENTITY_H
#define EXRAY_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include "exray_events.h"
#include "containers.h"
#include "record.h"

#define IDENTITY_FILE_MAX (4u << 20)      /* one runtime state file */
#define IDENTITY_INDEX_MAX (16u << 20)    /* containers/storage's containers.json */
#define IDENTITY_VALUE_MAX 1024           /* one value; longer labels are left out */
#define IDENTITY_KV_MAX (16u << 10)       /* a record's key/value block */

struct rec_identity;

/* root: prefix of every host path read ("" or NULL: the real host; unit
 * tests give a directory laid out like one). */
int rec_identity_new(struct rec_identity **out, const char *root);
void rec_identity_free(struct rec_identity *id);

/* A cgroup record went by: if its path names a container not seen yet,
 * queue it. No I/O. 0, or -ENOMEM. */
int rec_identity_note(struct rec_identity *id, const struct exray_cgroup *cg);

/* Read the state of the queued containers that are due at now_ns (boot
 * ns); emit a record for each one found, or given up on; with final, emit
 * every queued one now. Returns the number of records emitted or the first
 * error of emit. */
int rec_identity_run(struct rec_identity *id, __u64 now_ns, bool final, rec_emit_fn emit,
		     void *ctx);

/* Build the record of one container from the files under root (malloc'd,
 * *len bytes). *found: how many runtime files contributed; *settled: runc's
 * state of the running container was among them (nothing more will come).
 * 0 or -ENOMEM. */
int rec_identity_read(const char *root, const struct container_ref *ref, __u64 cgroup_id,
		      __u64 ts, void **rec, size_t *len, unsigned *found, bool *settled);

#endif /* EXRAY_IDENTITY_H */
