// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container identity from the runtimes' state on the host (identity.h).
 * Where each runtime keeps what (all paths on the host, never inside a
 * container's root filesystem):
 *
 *   docker      /var/lib/docker/containers/ID/config.v2.json: Name,
 *               Config.Image, Image (image id), Config.Labels
 *   runc        /run/runc/ID/state.json (and docker's and containerd's runc
 *               roots): config.labels "bundle=DIR" and the annotations;
 *               DIR/config.json: the OCI bundle, its annotations
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/NS/ID/config.json
 *               (the bundle): io.kubernetes.cri.* annotations
 *   CRI-O,      /run/containers/storage/overlay-containers/ID/userdata/config.json,
 *   podman      /var/lib/containers/storage/overlay-containers/ID/userdata/config.json
 *               (bundles: io.kubernetes.* and io.kubernetes.cri-o.* annotations),
 *               /var/lib/containers/storage/overlay-containers/containers.json
 *               (names, image id, metadata.image-name)
 *
 * Every file is opened without following a symlink at its last component
 * (and, for a path read from another state file, anywhere), must be a
 * regular file and is read only up to a size cap; JSON is parsed by
 * jansson. A field found in several places keeps the first value, in the
 * order above.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <jansson.h>
#include "identity.h"

/* ------------------------------------------------------------ key/values */

struct kv {
	char *buf;
	size_t len, cap;
	int oom;
};

/* Offset of key's value in the block, or -1. */
static long kv_find(const struct kv *kv, const char *key)
{
	for (size_t off = 0; off < kv->len;) {
		const char *k = kv->buf + off, *v = k + strlen(k) + 1;

		if (!strcmp(k, key))
			return (long)(v - kv->buf);
		off = (size_t)(v - kv->buf) + strlen(v) + 1;
	}
	return -1;
}

static bool kv_has(const struct kv *kv, const char *key)
{
	return kv_find(kv, key) >= 0;
}

/* Append key=value unless the key is there already (a repeatable key is
 * appended every time). Empty and oversized values are left out, and so
 * is what would pass the block's cap. */
static void kv_add(struct kv *kv, const char *key, const char *val, size_t vlen, bool repeat)
{
	size_t kl = strlen(key), need;

	if (!val || !vlen || vlen > IDENTITY_VALUE_MAX || memchr(val, 0, vlen) ||
	    (!repeat && kv_has(kv, key)))
		return;
	need = kl + 1 + vlen + 1;
	if (kv->len + need > IDENTITY_KV_MAX)
		return;
	if (kv->len + need > kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 1024;
		char *nb;

		while (cap < kv->len + need)
			cap *= 2;
		if (!(nb = realloc(kv->buf, cap))) {
			kv->oom = 1;
			return;
		}
		kv->buf = nb;
		kv->cap = cap;
	}
	memcpy(kv->buf + kv->len, key, kl + 1);
	memcpy(kv->buf + kv->len + kl + 1, val, vlen);
	kv->buf[kv->len + kl + 1 + vlen] = 0;
	kv->len += need;
}

static void kv_set(struct kv *kv, const char *key, const char *val)
{
	if (val)
		kv_add(kv, key, val, strlen(val), false);
}

/* Replace the value of an existing key (the runtime, once a file says
 * which one a runtime-neutral cgroup path belongs to). */
static void kv_replace(struct kv *kv, const char *key, const char *val)
{
	long off = kv_find(kv, key);
	struct kv n = { 0 };

	if (off < 0 || !strcmp(kv->buf + off, val))
		return;
	for (size_t o = 0; o < kv->len;) {
		const char *k = kv->buf + o, *v = k + strlen(k) + 1;

		kv_add(&n, k, strcmp(k, key) ? v : val, strlen(strcmp(k, key) ? v : val), true);
		o = (size_t)(v - kv->buf) + strlen(v) + 1;
	}
	if (n.oom) {
		free(n.buf);
		kv->oom = 1;
		return;
	}
	free(kv->buf);
	*kv = n;
}

/* ------------------------------------------------------------ host files */

/* Open root+path read-only without following a symlink at the last
 * component; with strict, nowhere in the path (a path that came out of a
 * state file). No magic links (/proc/PID/root) ever. */
static int open_host(const char *root, const char *path, bool strict)
{
	char full[PATH_MAX];
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_NO_MAGICLINKS | (strict ? RESOLVE_NO_SYMLINKS : 0),
	};
	int fd;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return -ENAMETOOLONG;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, full, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open(full, (int)how.flags);
	return fd < 0 ? -errno : fd;
}

/* A regular file of at most max bytes, parsed as JSON. NULL if absent,
 * not a regular file, too big or not JSON. */
static json_t *load_json(const char *root, const char *path, size_t max, bool strict)
{
	int fd = open_host(root, path, strict);
	struct stat st;
	json_error_t jerr;
	json_t *j = NULL;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t)st.st_size > max)
		goto out;
	if (!(buf = malloc((size_t)st.st_size)))
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	j = json_loadb(buf, got, 0, &jerr);
out:
	free(buf);
	close(fd);
	return j;
}

static const char *jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ---------------------------------------------------- annotation mapping */

/* Well-known annotations and labels that are fields of the record; the
 * first that a file holds wins. */
static const struct {
	const char *from, *key;
} field_map[] = {
	{ "io.kubernetes.pod.name", "pod_name" },
	{ "io.kubernetes.cri.sandbox-name", "pod_name" },
	{ "io.kubernetes.pod.namespace", "pod_namespace" },
	{ "io.kubernetes.cri.sandbox-namespace", "pod_namespace" },
	{ "io.kubernetes.pod.uid", "pod_uid" },
	{ "io.kubernetes.cri.sandbox-uid", "pod_uid" },
	{ "io.kubernetes.container.name", "container_name" },
	{ "io.kubernetes.cri.container-name", "container_name" },
	{ "io.kubernetes.cri.image-name", "image" },
	{ "io.kubernetes.cri-o.ImageName", "image" },
	{ "io.kubernetes.cri-o.ImageRef", "image_digest" },
	{ "io.kubernetes.cri-o.ContainerName", "name" },
	{ "nerdctl/name", "name" },
};

/* Runtime bookkeeping that says nothing about the workload: not kept as
 * labels (the useful ones are mapped above). */
static bool noise_key(const char *k)
{
	static const char *const prefixes[] = {
		"io.kubernetes.", "io.podman.annotations.", "org.systemd.property.",
		"io.container.manager", "nerdctl/", "bundle",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(k, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void add_label(struct kv *kv, const char *k, const char *v)
{
	char key[300];

	if (!*k || strlen(k) > 256 || noise_key(k))
		return;
	snprintf(key, sizeof(key), "label.%s", k);
	kv_set(kv, key, v);
}

/* One annotation or label: a field if well known, else a label. */
static void add_annotation(struct kv *kv, const char *k, const char *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < sizeof(field_map) / sizeof(field_map[0]); i++) {
		if (!strcmp(k, field_map[i].from)) {
			kv_set(kv, field_map[i].key, v);
			return;
		}
	}
	add_label(kv, k, v);
}

static void add_annotations(struct kv *kv, json_t *obj)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, k, v) {
		add_annotation(kv, k, json_string_value(v));
		/* CRI-O keeps the container's Kubernetes labels as one JSON string */
		if (!strcmp(k, "io.kubernetes.cri-o.Labels") && json_is_string(v)) {
			json_t *labels = json_loads(json_string_value(v), 0, NULL);

			add_annotations(kv, labels);
			json_decref(labels);
		}
	}
}

/* "sha256:HEX" for a bare 64-hex image id, as docker writes it. */
static void add_image_id(struct kv *kv, const char *id)
{
	char buf[80];
	size_t n = id ? strlen(id) : 0;

	if (n == 64 && strspn(id, "0123456789abcdef") == 64) {
		snprintf(buf, sizeof(buf), "sha256:%s", id);
		kv_set(kv, "image_digest", buf);
	} else {
		kv_set(kv, "image_digest", id);
	}
}

/* ---------------------------------------------------------------- sources */

struct reader {
	const char *root;
	const struct container_ref *ref;
	struct kv kv;
	unsigned found;
	bool runc_state;     /* runc's state of the running container was read */
	const char *runtime; /* what the files say, NULL: keep the path's */
};

static bool seen_source(struct reader *r, const char *path)
{
	for (size_t off = 0; off < r->kv.len;) {
		const char *k = r->kv.buf + off, *v = k + strlen(k) + 1;

		if (!strcmp(k, "source") && !strcmp(v, path))
			return true;
		off = (size_t)(v - r->kv.buf) + strlen(v) + 1;
	}
	return false;
}

/* A file that contributed (once: containerd's task directory is also the
 * bundle that runc's state names). */
static void source(struct reader *r, const char *path)
{
	if (seen_source(r, path))
		return;
	kv_add(&r->kv, "source", path, strlen(path), true);
	r->found++;
}

static void read_docker(struct reader *r)
{
	char path[256];
	json_t *j, *cfg;
	const char *name;

	snprintf(path, sizeof(path), "/var/lib/docker/containers/%s/config.v2.json", r->ref->id);
	if (!(j = load_json(r->root, path, IDENTITY_FILE_MAX, false)))
		return;
	cfg = json_object_get(j, "Config");
	name = jstr(j, "Name");
	kv_set(&r->kv, "name", name && name[0] == '/' ? name + 1 : name);
	kv_set(&r->kv, "image", jstr(cfg, "Image"));
	add_image_id(&r->kv, jstr(j, "Image"));
	add_annotations(&r->kv, json_object_get(cfg, "Labels"));
	r->runtime = "docker";
	source(r, path);
	json_decref(j);
}

/* A bundle directory named by a state file: absolute, no "..", not the
 * container's root filesystem or under it. */
static bool bundle_ok(const char *dir, const char *rootfs)
{
	size_t n;

	if (!dir || dir[0] != '/' || strstr(dir, "/../") || strlen(dir) > PATH_MAX - 64 ||
	    ((n = strlen(dir)) >= 3 && !strcmp(dir + n - 3, "/..")))
		return false;
	if (rootfs && rootfs[0] == '/') {
		size_t rl = strlen(rootfs);

		while (rl > 1 && rootfs[rl - 1] == '/')
			rl--;
		if (!strncmp(dir, rootfs, rl) && (dir[rl] == 0 || dir[rl] == '/'))
			return false;
	}
	return true;
}

static bool read_bundle(struct reader *r, const char *config_path, bool strict)
{
	json_t *j;

	if (seen_source(r, config_path)) /* through runc's state already */
		return true;
	if (!(j = load_json(r->root, config_path, IDENTITY_FILE_MAX, strict)))
		return false;
	add_annotations(&r->kv, json_object_get(j, "annotations"));
	if (!strcmp(jstr(json_object_get(j, "annotations"), "io.container.manager") ?: "", "libpod"))
		r->runtime = "podman";
	source(r, config_path);
	json_decref(j);
	return true;
}

/* runc's state.json: the bundle it ran from (then its config.json), and
 * the annotations runc copied into config.labels as "KEY=VALUE". */
static bool read_runc_state(struct reader *r, const char *state_path)
{
	json_t *j = load_json(r->root, state_path, IDENTITY_FILE_MAX, false), *labels, *v;
	const char *bundle = NULL, *rootfs;
	char cfg[PATH_MAX];
	size_t i;

	if (!j)
		return false;
	source(r, state_path);
	r->runc_state = true;
	labels = json_object_get(json_object_get(j, "config"), "labels");
	rootfs = jstr(json_object_get(j, "config"), "rootfs");
	json_array_foreach(labels, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, "bundle=", 7))
			bundle = s + 7;
	}
	if (bundle_ok(bundle, rootfs) &&
	    (size_t)snprintf(cfg, sizeof(cfg), "%s/config.json", bundle) < sizeof(cfg) &&
	    read_bundle(r, cfg, true)) {
		json_decref(j);
		return true;
	}
	/* no readable bundle: the annotations as runc kept them */
	json_array_foreach(labels, i, v) {
		const char *s = json_string_value(v), *eq = s ? strchr(s, '=') : NULL;
		char key[300];

		if (!eq || (size_t)(eq - s) >= sizeof(key))
			continue;
		memcpy(key, s, (size_t)(eq - s));
		key[eq - s] = 0;
		add_annotation(&r->kv, key, eq + 1);
	}
	json_decref(j);
	return true;
}

/* Call fn(r, "DIR/NS/ID/suffix") for each namespace directory NS of dir
 * (bounded: a namespace is a handful of directories). */
static void each_namespace(struct reader *r, const char *dir, const char *suffix,
			   bool (*fn)(struct reader *, const char *))
{
	char full[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	snprintf(full, sizeof(full), "%s%s", r->root, dir);
	if (!(d = opendir(full)))
		return;
	while ((de = readdir(d)) && n++ < 64) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s%s", dir, de->d_name, r->ref->id,
				     suffix) >= sizeof(path))
			continue;
		if (fn(r, path))
			break;
	}
	closedir(d);
}

static bool read_containerd_bundle(struct reader *r, const char *path)
{
	if (!read_bundle(r, path, false))
		return false;
	if (!r->runtime)
		r->runtime = "containerd";
	return true;
}

static void read_runc(struct reader *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/run/runc/%s/state.json", r->ref->id);
	if (read_runc_state(r, path))
		return;
	snprintf(path, sizeof(path), "/run/docker/runtime-runc/moby/%s/state.json", r->ref->id);
	if (read_runc_state(r, path))
		return;
	each_namespace(r, "/run/containerd/runc", "/state.json", read_runc_state);
}

/* containers/storage's index: names and image of podman and CRI-O
 * containers (volatile-containers.json: podman run --rm). */
static void read_storage_index(struct reader *r, const char *path)
{
	json_t *j = load_json(r->root, path, IDENTITY_INDEX_MAX, false), *c;
	size_t i;

	json_array_foreach(j, i, c) {
		json_t *meta;
		const char *mtext;

		if (strcmp(jstr(c, "id") ?: "", r->ref->id))
			continue;
		kv_set(&r->kv, "name", json_string_value(json_array_get(json_object_get(c, "names"), 0)));
		if ((mtext = jstr(c, "metadata")) && (meta = json_loads(mtext, 0, NULL))) {
			kv_set(&r->kv, "image", jstr(meta, "image-name"));
			json_decref(meta);
		}
		add_image_id(&r->kv, jstr(c, "image"));
		source(r, path);
		break;
	}
	json_decref(j);
}

static void read_storage(struct reader *r)
{
	char path[256];
	bool bundle;

	snprintf(path, sizeof(path), "/run/containers/storage/overlay-containers/%s/userdata/config.json",
		 r->ref->id);
	bundle = read_bundle(r, path, false);
	snprintf(path, sizeof(path),
		 "/var/lib/containers/storage/overlay-containers/%s/userdata/config.json", r->ref->id);
	bundle = read_bundle(r, path, false) || bundle;
	read_storage_index(r, "/var/lib/containers/storage/overlay-containers/containers.json");
	read_storage_index(r, "/var/lib/containers/storage/overlay-containers/volatile-containers.json");
	if (bundle && !r->runtime)
		r->runtime = "cri-o";
}

int rec_identity_read(const char *root, const struct container_ref *ref, __u64 cgroup_id,
		      __u64 ts, void **rec, size_t *len, unsigned *found, bool *settled)
{
	struct reader r = { .root = root ? root : "", .ref = ref };
	struct exray_container *c;
	size_t total;

	kv_set(&r.kv, "id", ref->id);
	kv_set(&r.kv, "runtime", ref->runtime);
	read_docker(&r);
	read_runc(&r);
	each_namespace(&r, "/run/containerd/io.containerd.runtime.v2.task", "/config.json",
		       read_containerd_bundle);
	read_storage(&r);
	/* the cgroup path of the kubelet's cgroupfs driver does not say which
	 * runtime; the files do */
	if (r.runtime && !strcmp(ref->runtime, "kubepods"))
		kv_replace(&r.kv, "runtime", r.runtime);
	if (ref->pod_uid[0])
		kv_set(&r.kv, "pod_uid", ref->pod_uid);
	if (r.kv.oom) {
		free(r.kv.buf);
		return -ENOMEM;
	}
	total = EXRAY_REC_ALIGN_UP(sizeof(*c) + r.kv.len);
	if (!(c = calloc(1, total))) {
		free(r.kv.buf);
		return -ENOMEM;
	}
	c->hdr.type = EXRAY_REC_CONTAINER;
	c->hdr.len = (__u32)total;
	c->hdr.ts = ts;
	c->cgroup_id = cgroup_id;
	c->kv_len = (__u32)r.kv.len;
	memcpy(c + 1, r.kv.buf, r.kv.len);
	free(r.kv.buf);
	*rec = c;
	*len = total;
	*found = r.found;
	*settled = r.runc_state;
	return 0;
}

/* ------------------------------------------------------------ the queue */

/* Retry delays after a read that did not find runc's state: runc writes it
 * after the container's first processes ran in its cgroup. */
static const __u64 retry_ns[] = { 200000000ull, 1000000000ull, 3000000000ull };
#define RETRIES (sizeof(retry_ns) / sizeof(retry_ns[0]))

struct pending {
	struct container_ref ref;
	__u64 cgroup_id, due_ns;
	unsigned tries;
	void *best;          /* the record that found the most files so far: a */
	size_t best_len;     /* container gone by the next try keeps what the */
	unsigned best_found; /* first one read */
};

struct rec_identity {
	char *root;
	struct pending *q;
	size_t nq, capq;
	char (*seen)[CONTAINER_ID_MAX + 1]; /* every container queued so far */
	size_t nseen, capseen;
};

int rec_identity_new(struct rec_identity **out, const char *root)
{
	struct rec_identity *id = calloc(1, sizeof(*id));

	if (!id || !(id->root = strdup(root ? root : ""))) {
		free(id);
		return -ENOMEM;
	}
	*out = id;
	return 0;
}

void rec_identity_free(struct rec_identity *id)
{
	if (!id)
		return;
	free(id->root);
	for (size_t i = 0; i < id->nq; i++)
		free(id->q[i].best);
	free(id->q);
	free(id->seen);
	free(id);
}

static int grow(void **arr, size_t n, size_t *cap, size_t size)
{
	size_t c;
	void *a;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	if (!(a = realloc(*arr, c * size)))
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

int rec_identity_note(struct rec_identity *id, const struct exray_cgroup *cg)
{
	const char *path = exray_cgroup_path(cg);
	struct container_ref ref;

	if (!path || !container_from_cgroup(path, &ref))
		return 0;
	/* one record per container, whichever of its cgroups came first */
	for (size_t i = 0; i < id->nseen; i++)
		if (!strcmp(id->seen[i], ref.id))
			return 0;
	if (grow((void **)&id->seen, id->nseen, &id->capseen, sizeof(*id->seen)) ||
	    grow((void **)&id->q, id->nq, &id->capq, sizeof(*id->q)))
		return -ENOMEM;
	memcpy(id->seen[id->nseen++], ref.id, sizeof(ref.id));
	id->q[id->nq++] = (struct pending){ .ref = ref, .cgroup_id = cg->cgroup_id };
	return 0;
}

int rec_identity_run(struct rec_identity *id, __u64 now_ns, bool final, rec_emit_fn emit,
		     void *ctx)
{
	int emitted = 0, err = 0;
	size_t keep = 0;

	for (size_t i = 0; i < id->nq; i++) {
		struct pending *p = &id->q[i];
		unsigned found = 0;
		bool settled = false;
		size_t len;
		void *rec;

		if (err || (!final && p->due_ns > now_ns)) {
			id->q[keep++] = *p;
			continue;
		}
		if (rec_identity_read(id->root, &p->ref, p->cgroup_id, now_ns, &rec, &len, &found,
				      &settled)) {
			id->q[keep++] = *p; /* out of memory: try again later */
			continue;
		}
		if (!p->best || found >= p->best_found) {
			free(p->best);
			p->best = rec;
			p->best_len = len;
			p->best_found = found;
		} else {
			free(rec);
		}
		if (!settled && !final && p->tries < RETRIES) {
			p->due_ns = now_ns + retry_ns[p->tries++];
			id->q[keep++] = *p;
			continue;
		}
		err = emit(ctx, p->best, p->best_len);
		if (err) {
			id->q[keep++] = *p;
			continue;
		}
		free(p->best);
		emitted++;
	}
	id->nq = keep;
	return err ? err : emitted;
}
