// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the container-path matcher (analyzer/ingest/containers.c) on
 * arbitrary cgroup paths. It must never read past the NUL or write past its
 * fields, and what it reports must hold: a known runtime, a lowercase hex id
 * of at most 64 digits, a pod UID of 36 characters or none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "containers.h"

static const char *const runtimes[] = { "docker", "containerd", "cri-o", "podman", "nerdctl",
					"kubepods" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_ref ref;
	/* an exact-size heap copy: ASan sees any read past the NUL */
	char *path = malloc(size + 1);

	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = 0;
	memset(&ref, 0x55, sizeof(ref));
	int r = container_from_cgroup(path, &ref);
	if (r != 0 && r != 1)
		abort();
	if (r == 1) {
		size_t idlen = strnlen(ref.id, sizeof(ref.id)), ulen = strnlen(ref.pod_uid, sizeof(ref.pod_uid));
		int known = 0;

		for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
			known |= ref.runtime && !strcmp(ref.runtime, runtimes[i]);
		if (!known || idlen == 0 || idlen == sizeof(ref.id) || strspn(ref.id, "0123456789abcdef") != idlen)
			abort();
		if (ulen == sizeof(ref.pod_uid) || (ulen != 0 && ulen != 36))
			abort();
		if (!memmem(path, size, ref.id, idlen) && !strcasestr(path, ref.id))
			abort(); /* the id comes from the path */
	}
	free(path);
	return 0;
}
