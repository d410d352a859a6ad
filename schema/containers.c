/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include "containers.h"

struct comp {
	const char *s;
	size_t n;
};

static int is_hex_id(const char *s, size_t n)
{
	if (n != CONTAINER_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int comp_is(struct comp c, const char *lit)
{
	return c.n == strlen(lit) && !memcmp(c.s, lit, c.n);
}

static int has_prefix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.n >= n && !memcmp(c.s, p, n);
}

/* "PREFIXID.scope" or "PREFIXID" (suffix optional when allow_bare) */
static int prefixed_id(struct comp c, const char *prefix, int allow_bare, const char **id)
{
	size_t pl = strlen(prefix), sl = strlen(".scope");

	if (!has_prefix(c, prefix))
		return 0;
	if (c.n == pl + CONTAINER_ID_MAX + sl && !memcmp(c.s + c.n - sl, ".scope", sl) &&
	    is_hex_id(c.s + pl, CONTAINER_ID_MAX)) {
		*id = c.s + pl;
		return 1;
	}
	if (allow_bare && is_hex_id(c.s + pl, c.n - pl)) {
		*id = c.s + pl;
		return 1;
	}
	return 0;
}

/* A Kubernetes pod UID: 8-4-4-4-12 hex, with '-' (or '_' in systemd slice
 * names, restored to '-'). out is written only on success: a malformed
 * component must not leave a partial UID behind. */
static int pod_uid(const char *s, size_t n, char out[37])
{
	char u[37];

	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		char ch = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-' && ch != '_')
				return 0;
			u[i] = '-';
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
			u[i] = ch;
		} else {
			return 0;
		}
	}
	u[36] = 0;
	memcpy(out, u, sizeof(u));
	return 1;
}

/* The pod UID of a kubepods path component, if it is a pod's cgroup:
 * "podUID" (cgroupfs) or "kubepods[-QOS]-podUID.slice" (systemd). */
static int pod_component(struct comp c, char out[37])
{
	if (has_prefix(c, "pod"))
		return pod_uid(c.s + 3, c.n - 3, out);
	if (has_prefix(c, "kubepods-") && c.n > 6 && !memcmp(c.s + c.n - 6, ".slice", 6)) {
		const char *p = memmem(c.s, c.n, "-pod", 4);
		if (p)
			return pod_uid(p + 4, (size_t)(c.s + c.n - 6 - (p + 4)), out);
	}
	return 0;
}

int container_from_cgroup(const char *path, struct container_ref *out)
{
	struct comp prev = { "", 0 }, c;
	const char *p = path, *id = NULL, *runtime = NULL;
	char uid[37] = "";
	int kube = 0, found = 0;

	if (!path)
		return 0;
	while (*p) {
		const char *e;
		if (*p == '/') {
			p++;
			continue;
		}
		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		c = (struct comp){ p, (size_t)(e - p) };
		p = e;

		if (comp_is(c, "kubepods") || has_prefix(c, "kubepods.") || has_prefix(c, "kubepods-"))
			kube = 1;
		if (kube && !found && pod_component(c, uid))
			;
		else if (prefixed_id(c, "docker-", 0, &id))
			runtime = "docker", found = 1;
		else if (prefixed_id(c, "cri-containerd-", 0, &id))
			runtime = "containerd", found = 1;
		else if (prefixed_id(c, "crio-", 0, &id))
			runtime = "cri-o", found = 1;
		else if (prefixed_id(c, "libpod-", 1, &id))
			runtime = "podman", found = 1;
		else if (prefixed_id(c, "nerdctl-", 0, &id))
			runtime = "nerdctl", found = 1;
		else if (is_hex_id(c.s, c.n) && prev.n) {
			id = c.s;
			found = 1;
			if (comp_is(prev, "docker"))
				runtime = "docker";
			else if (comp_is(prev, "nerdctl"))
				runtime = "nerdctl";
			else if (kube && uid[0])
				runtime = "kubepods";
			else if (kube)
				found = 0; /* a bare id in kubepods without a pod level */
			else
				runtime = "containerd"; /* /NAMESPACE/ID */
		}
		prev = c;
	}
	if (!found || !id)
		return 0;
	memset(out, 0, sizeof(*out));
	out->runtime = runtime;
	memcpy(out->id, id, CONTAINER_ID_MAX);
	if (kube)
		memcpy(out->pod_uid, uid, sizeof(uid));
	return 1;
}
