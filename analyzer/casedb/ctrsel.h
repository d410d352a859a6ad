/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which container `-c SPEC` names, for every command that takes -c: "host",
 * an id prefix, or exactly a name, an image, a pod name, a Kubernetes
 * container name, "POD/CONTAINER" or "NAMESPACE/POD". One resolver so that
 * every command agrees, and an ambiguous SPEC is refused with the
 * candidates listed instead of silently matching several containers.
 */
#ifndef EXRAY_CTRSEL_H
#define EXRAY_CTRSEL_H

#include <sqlite3.h>

/*
 * Resolve spec. Returns 0 with *cid the container's full id (malloc'd;
 * "host" for the host), -ENOENT (no match) or -EEXIST (several: err lists
 * them, one per line) with a message in err, -ENOMEM, or -EIO (db_error()).
 * The same id on several hosts of one case (a container seen across
 * captures of different boots) counts as one container.
 */
int ctrsel_resolve(sqlite3 *db, const char *spec, char **cid, char *err, size_t errlen);

/* The identity columns of `containers` for a SELECT over alias "c":
 * "c.name,c.image,c.pod_name,c.pod_namespace,c.container_name", or NULLs
 * in their place for a case database older than schema 1.2 (opened
 * read-only, so not upgraded). */
const char *ctrsel_identity_cols(sqlite3 *db);

#endif
