/*
 * Container identity (recorder/identity.c): each runtime's state files laid
 * out under a temporary root as the runtimes write them, and the container
 * record read from them; the limits (symlinks, sizes, a bundle inside the
 * rootfs); the queue's retries; the record kept for segment replay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../recorder/identity.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "11111111-2222-3333-4444-555555555555"

static char root[256];

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/exray-identity-test.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write root+path (parents created) with text. */
static void put(const char *path, const char *text)
{
	char full[1024], cmd[1200];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", full);
	assert_int_equal(system(cmd), 0);
	assert_non_null(f = fopen(full, "w"));
	fputs(text, f);
	fclose(f);
}

static void wipe(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/* '%s'/.[a-z]*", root, root);
	assert_int_equal(system(cmd), 0);
}

/* The record's key/values as "k=v;k=v;" */
static void read_kv(const struct container_ref *ref, char *out, size_t outlen, unsigned *found)
{
	void *rec;
	size_t len, kvlen;
	const char *kv;
	struct exray_container *c;

	bool settled;

	assert_int_equal(rec_identity_read(root, ref, 42, 7, &rec, &len, found, &settled), 0);
	c = rec;
	assert_int_equal(c->hdr.type, EXRAY_REC_CONTAINER);
	assert_int_equal(c->hdr.len, len);
	assert_int_equal(len % 8, 0);
	assert_int_equal(c->cgroup_id, 42);
	assert_true(exray_rec_strings_sound(rec));
	assert_non_null(kv = exray_container_kv(c, &kvlen));
	out[0] = 0;
	for (size_t off = 0; off < kvlen;) {
		const char *k = kv + off, *v = k + strlen(k) + 1;
		snprintf(out + strlen(out), outlen - strlen(out), "%s=%s;", k, v);
		off = (size_t)(v - kv) + strlen(v) + 1;
	}
	free(rec);
}

static struct container_ref ref_of(const char *path)
{
	struct container_ref r;

	assert_int_equal(container_from_cgroup(path, &r), 1);
	return r;
}

static void test_bare_runc_nothing_on_disk(void **state)
{
	struct container_ref r = ref_of("/system.slice/docker-" ID ".scope");
	char kv[4096];
	unsigned found;

	wipe();
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 0);
	assert_string_equal(kv, "id=" ID ";runtime=docker;");
}

static void test_docker(void **state)
{
	struct container_ref r = ref_of("/system.slice/docker-" ID ".scope");
	char kv[4096];
	unsigned found;

	wipe();
	put("/var/lib/docker/containers/" ID "/config.v2.json",
	    "{\"ID\":\"" ID "\",\"Name\":\"/payments\",\"Image\":\"sha256:" ID "\","
	    "\"Config\":{\"Image\":\"nginx:1.25\",\"Hostname\":\"x\",\"Labels\":{"
	    "\"org.opencontainers.image.version\":\"1.25\",\"team\":\"pay\","
	    "\"io.kubernetes.pod.name\":\"pay-7d9\"}}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 1);
	assert_string_equal(kv, "id=" ID ";runtime=docker;name=payments;image=nginx:1.25;"
				"image_digest=sha256:" ID ";label.org.opencontainers.image.version=1.25;"
				"label.team=pay;pod_name=pay-7d9;"
				"source=/var/lib/docker/containers/" ID "/config.v2.json;");
}

/* runc state -> bundle -> config.json annotations (containerd CRI's) */
static void test_runc_bundle_kubepods(void **state)
{
	struct container_ref r = ref_of("/kubepods/besteffort/pod" POD "/" ID);
	char kv[4096];
	unsigned found;

	wipe();
	/* not JSON: a broken state file is skipped */
	put("/run/runc/" ID "/state.json", "{\"config\":{\"labels\":[\"a\":1]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 0);

	put("/run/runc/" ID "/state.json",
	    "{\"id\":\"" ID "\",\"config\":{\"rootfs\":\"/bundle/rootfs\",\"labels\":["
	    "\"io.kubernetes.cri.sandbox-name=from-state\",\"bundle=/bundle\"]}}");
	put("/bundle/config.json", "{\"annotations\":{\"io.kubernetes.pod.name\":\"from-bundle\","
				   "\"io.kubernetes.container.name\":\"app\"}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 2);
	assert_string_equal(kv, "id=" ID ";runtime=kubepods;source=/run/runc/" ID "/state.json;"
				"pod_name=from-bundle;container_name=app;source=/bundle/config.json;"
				"pod_uid=" POD ";");
	/* no bundle left: the annotations runc kept in its state */
	wipe();
	put("/run/runc/" ID "/state.json",
	    "{\"id\":\"" ID "\",\"config\":{\"rootfs\":\"/bundle/rootfs\",\"labels\":["
	    "\"io.kubernetes.cri.sandbox-name=from-state\",\"bundle=/bundle\"]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 1);
	assert_string_equal(kv, "id=" ID ";runtime=kubepods;source=/run/runc/" ID "/state.json;"
				"pod_name=from-state;pod_uid=" POD ";");
}

static void test_containerd_task_dir(void **state)
{
	struct container_ref r = ref_of("/kubepods/besteffort/pod" POD "/" ID);
	char kv[4096];
	unsigned found;

	wipe();
	put("/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/config.json",
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":{"
	    "\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.container-name\":\"app\","
	    "\"io.kubernetes.cri.image-name\":\"registry.local/pay:2\","
	    "\"io.kubernetes.cri.sandbox-name\":\"payments-5f6\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
	    "\"io.kubernetes.cri.sandbox-uid\":\"" POD "\","
	    "\"app.example/tier\":\"backend\"}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 1);
	assert_string_equal(kv, "id=" ID ";runtime=containerd;container_name=app;"
				"image=registry.local/pay:2;pod_name=payments-5f6;pod_namespace=shop;"
				"pod_uid=" POD ";label.app.example/tier=backend;"
				"source=/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID
				"/config.json;");
}

static void test_crio_and_podman(void **state)
{
	struct container_ref crio = ref_of("/kubepods.slice/kubepods-besteffort.slice/"
					   "kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/"
					   "crio-" ID ".scope");
	struct container_ref podman = ref_of("/machine.slice/libpod-" ID ".scope");
	char kv[4096];
	unsigned found;

	wipe();
	put("/run/containers/storage/overlay-containers/" ID "/userdata/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri-o.ContainerName\":\"k8s_web_shop-1_default_x_0\","
	    "\"io.kubernetes.cri-o.ImageName\":\"quay.io/shop/web:3\","
	    "\"io.kubernetes.cri-o.ImageRef\":\"sha256:abc\","
	    "\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.container.name\\\":\\\"web\\\","
	    "\\\"io.kubernetes.pod.name\\\":\\\"shop-1\\\",\\\"io.kubernetes.pod.namespace\\\":\\\"default\\\"}\"}}");
	read_kv(&crio, kv, sizeof(kv), &found);
	assert_int_equal(found, 1);
	assert_string_equal(kv, "id=" ID ";runtime=cri-o;name=k8s_web_shop-1_default_x_0;"
				"image=quay.io/shop/web:3;image_digest=sha256:abc;container_name=web;"
				"pod_name=shop-1;pod_namespace=default;"
				"source=/run/containers/storage/overlay-containers/" ID
				"/userdata/config.json;pod_uid=" POD ";");

	wipe();
	put("/var/lib/containers/storage/overlay-containers/" ID "/userdata/config.json",
	    "{\"annotations\":{\"io.container.manager\":\"libpod\","
	    "\"io.podman.annotations.autoremove\":\"FALSE\",\"org.opencontainers.image.stopSignal\":\"15\"}}");
	put("/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"ffff\",\"names\":[\"other\"]},{\"id\":\"" ID "\",\"names\":[\"cache\"],"
	    "\"image\":\"" ID "\",\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/redis:7\\\"}\"}]");
	read_kv(&podman, kv, sizeof(kv), &found);
	assert_int_equal(found, 2);
	assert_string_equal(kv, "id=" ID ";runtime=podman;label.org.opencontainers.image.stopSignal=15;"
				"source=/var/lib/containers/storage/overlay-containers/" ID
				"/userdata/config.json;name=cache;image=docker.io/library/redis:7;"
				"image_digest=sha256:" ID ";"
				"source=/var/lib/containers/storage/overlay-containers/containers.json;");
}

static void test_limits(void **state)
{
	struct container_ref r = ref_of("/system.slice/docker-" ID ".scope");
	char kv[4096], full[512], target[512];
	unsigned found;
	FILE *f;

	/* a symlink in place of the state file is not followed */
	wipe();
	put("/elsewhere/config.v2.json", "{\"Name\":\"/evil\"}");
	put("/var/lib/docker/containers/" ID "/x", "");
	snprintf(full, sizeof(full), "%s/var/lib/docker/containers/" ID "/config.v2.json", root);
	snprintf(target, sizeof(target), "%s/elsewhere/config.v2.json", root);
	assert_int_equal(symlink(target, full), 0);
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 0);

	/* nor is a file over the size cap read */
	unlink(full);
	assert_non_null(f = fopen(full, "w"));
	fputs("{\"Name\":\"/big\",\"pad\":\"", f);
	for (unsigned i = 0; i < IDENTITY_FILE_MAX / 64 + 1; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
	fputs("\"}", f);
	fclose(f);
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 0);

	/* a value over IDENTITY_VALUE_MAX and a NUL escape are left out */
	{
		char *big = malloc(IDENTITY_VALUE_MAX + 200), *doc = malloc(IDENTITY_VALUE_MAX + 400);
		memset(big, 'a', IDENTITY_VALUE_MAX + 1);
		big[IDENTITY_VALUE_MAX + 1] = 0;
		snprintf(doc, IDENTITY_VALUE_MAX + 400,
			 "{\"Name\":\"/n\\u0000x\",\"Config\":{\"Image\":\"%s\",\"Labels\":{\"k\":\"v\"}}}", big);
		put("/var/lib/docker/containers/" ID "/config.v2.json", doc);
		read_kv(&r, kv, sizeof(kv), &found);
		free(big);
		free(doc);
	}
	/* jansson refuses \u0000 without JSON_ALLOW_NUL: the file is skipped */
	assert_int_equal(found, 0);
	put("/var/lib/docker/containers/" ID "/config.v2.json",
	    "{\"Name\":\"/n\",\"Config\":{\"Image\":\"i\",\"Labels\":{\"k\":\"v\",\"e\":\"\"}}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_int_equal(found, 1);
	assert_string_equal(kv, "id=" ID ";runtime=docker;name=n;image=i;label.k=v;"
				"source=/var/lib/docker/containers/" ID "/config.v2.json;");
}

/* A bundle path inside the container's rootfs, with "..", or reached
 * through a symlink is refused. */
static void test_bundle_in_rootfs_refused(void **state)
{
	struct container_ref r = ref_of("/machine.slice/libpod-" ID ".scope");
	char kv[4096], full[512];
	unsigned found;

	wipe();
	put("/rootfs/evil/config.json", "{\"annotations\":{\"io.kubernetes.pod.name\":\"evil\"}}");
	put("/ok/x", "");
	put("/run/runc/" ID "/state.json",
	    "{\"config\":{\"rootfs\":\"/rootfs/\",\"labels\":[\"bundle=/rootfs/evil\"]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_null(strstr(kv, "evil"));
	put("/run/runc/" ID "/state.json",
	    "{\"config\":{\"rootfs\":\"/x\",\"labels\":[\"bundle=/ok/../rootfs/evil\"]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_null(strstr(kv, "evil"));
	snprintf(full, sizeof(full), "%s/link", root);
	assert_int_equal(symlink("rootfs/evil", full), 0);
	put("/run/runc/" ID "/state.json",
	    "{\"config\":{\"rootfs\":\"/x\",\"labels\":[\"bundle=/link\"]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_null(strstr(kv, "evil"));
	/* the same bundle named directly is read: the refusals above are real */
	put("/run/runc/" ID "/state.json",
	    "{\"config\":{\"rootfs\":\"/x\",\"labels\":[\"bundle=/rootfs/evil\"]}}");
	read_kv(&r, kv, sizeof(kv), &found);
	assert_non_null(strstr(kv, "pod_name=evil"));
}

struct sink {
	int n;
	char ids[8][512];
};

static int sink_emit(void *ctx, const void *rec, size_t len)
{
	struct sink *s = ctx;
	const struct exray_container *c = rec;
	size_t kvlen;
	const char *kv = exray_container_kv(c, &kvlen);

	char *o = s->ids[s->n++ % 8];

	assert_non_null(kv);
	snprintf(o, sizeof(s->ids[0]), "%llu:", (unsigned long long)c->cgroup_id);
	for (size_t off = 0; off < kvlen; off += strlen(kv + off) + 1)
		snprintf(o + strlen(o), sizeof(s->ids[0]) - strlen(o), "%s;", kv + off);
	return 0;
}

static struct exray_cgroup *mk_cgroup(__u64 id, const char *path)
{
	size_t n = strlen(path) + 1, len = EXRAY_REC_ALIGN_UP(sizeof(struct exray_cgroup) + n);
	struct exray_cgroup *c = calloc(1, len);

	c->hdr.type = EXRAY_REC_CGROUP;
	c->hdr.len = len;
	c->cgroup_id = id;
	c->path_len = n;
	memcpy(c + 1, path, n);
	return c;
}

/* Read again until runc's state is there (keeping the fullest read); one
 * record per container. */
static void test_queue_retries(void **state)
{
	struct rec_identity *id;
	struct sink s = { 0 };
	struct exray_cgroup *a = mk_cgroup(5, "/machine.slice/libpod-" ID ".scope"),
			    *a_sub = mk_cgroup(6, "/machine.slice/libpod-" ID ".scope/container"),
			    *host = mk_cgroup(7, "/system.slice/cron.service");
	const __u64 s1 = 1000000000ull;

	wipe();
	put("/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID "\",\"names\":[\"early\"]}]");
	assert_int_equal(rec_identity_new(&id, root), 0);
	assert_int_equal(rec_identity_note(id, a), 0);
	assert_int_equal(rec_identity_note(id, a_sub), 0); /* same container */
	assert_int_equal(rec_identity_note(id, host), 0);  /* not a container */
	assert_int_equal(rec_identity_run(id, 10 * s1, false, sink_emit, &s), 0); /* no runc state */
	/* the index is gone by the next read: the first read is kept */
	wipe();
	assert_int_equal(rec_identity_run(id, 10 * s1 + 100000000, false, sink_emit, &s), 0); /* not due */
	assert_int_equal(rec_identity_run(id, 10 * s1 + 300000000, false, sink_emit, &s), 0);
	put("/run/runc/" ID "/state.json", "{\"config\":{\"labels\":[\"io.kubernetes.pod.name=p\"]}}");
	assert_int_equal(rec_identity_run(id, 11 * s1 + 200000000, false, sink_emit, &s), 0); /* not due */
	put("/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID "\",\"names\":[\"late\"]}]");
	assert_int_equal(rec_identity_run(id, 11 * s1 + 400000000, false, sink_emit, &s), 1);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.ids[0], "5:id;" ID));
	assert_non_null(strstr(s.ids[0], "late"));
	assert_int_equal(rec_identity_note(id, a), 0); /* seen again: no second record */
	assert_int_equal(rec_identity_run(id, 20 * s1, true, sink_emit, &s), 0);
	assert_int_equal(s.n, 1);

	/* no runc state ever: given up after the retries, with the fullest read */
	wipe();
	{
		struct exray_cgroup *b = mk_cgroup(8, "/docker/" "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
		put("/var/lib/docker/containers/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210/config.v2.json",
		    "{\"Name\":\"/gone\"}");
		assert_int_equal(rec_identity_note(id, b), 0);
		assert_int_equal(rec_identity_run(id, 30 * s1, false, sink_emit, &s), 0);
		wipe();
		assert_int_equal(rec_identity_run(id, 31 * s1, false, sink_emit, &s), 0);
		assert_int_equal(rec_identity_run(id, 33 * s1, false, sink_emit, &s), 0);
		assert_int_equal(rec_identity_run(id, 37 * s1, false, sink_emit, &s), 1);
		assert_int_equal(s.n, 2);
		assert_non_null(strstr(s.ids[1], "gone"));
		free(b);
	}
	/* final: whatever is queued is written at once */
	{
		struct exray_cgroup *c = mk_cgroup(9, "/nerdctl/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		assert_int_equal(rec_identity_note(id, c), 0);
		assert_int_equal(rec_identity_run(id, 40 * s1, true, sink_emit, &s), 1);
		assert_int_equal(s.n, 3);
		free(c);
	}
	/* queued ones are freed with the queue */
	{
		struct exray_cgroup *d = mk_cgroup(10, "/docker/" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
		assert_int_equal(rec_identity_note(id, d), 0);
		assert_int_equal(rec_identity_run(id, 50 * s1, false, sink_emit, &s), 0);
		free(d);
	}
	rec_identity_free(id);
	rec_identity_free(NULL);
	free(a);
	free(a_sub);
	free(host);
}

/* Container records are kept for segment replay beside cgroup records. */
static int collect(void *ctx, const void *rec, size_t len)
{
	const struct exray_rec_hdr *h = rec;
	char *s = ctx;

	sprintf(s + strlen(s), "%u:%llu;", h->type,
		(unsigned long long)((const struct exray_cgroup *)rec)->cgroup_id);
	return 0;
}

static void test_replay_keeps_containers(void **state)
{
	struct container_ref r = ref_of("/system.slice/docker-" ID ".scope");
	struct rec_cgroups *cg;
	struct exray_cgroup *g = mk_cgroup(42, "/system.slice/docker-" ID ".scope");
	void *rec, *rec2;
	size_t len;
	unsigned found;
	bool settled;
	char out[128] = "";

	wipe();
	assert_int_equal(rec_identity_read(root, &r, 42, 1, &rec, &len, &found, &settled), 0);
	assert_int_equal(rec_identity_read(root, &r, 42, 2, &rec2, &len, &found, &settled), 0);
	assert_int_equal(rec_cgroups_new(&cg), 0);
	assert_int_equal(rec_cgroups_add(cg, g), 0);
	assert_int_equal(rec_cgroups_add(cg, rec), 0);
	assert_int_equal(rec_cgroups_add(cg, rec2), 0); /* same cgroup and type: replaced */
	assert_int_equal(rec_cgroups_count(cg), 2);
	assert_int_equal(rec_cgroups_replay(cg, collect, out), 0);
	assert_string_equal(out, "7:42;18:42;");
	rec_cgroups_free(cg);
	free(rec);
	free(rec2);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_runc_nothing_on_disk),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_runc_bundle_kubepods),
		cmocka_unit_test(test_containerd_task_dir),
		cmocka_unit_test(test_crio_and_podman),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bundle_in_rootfs_refused),
		cmocka_unit_test(test_queue_retries),
		cmocka_unit_test(test_replay_keeps_containers),
	};

	return cmocka_run_group_tests_name("identity", tests, setup, teardown);
}
