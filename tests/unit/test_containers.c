/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Container naming from cgroup paths: valid and invalid paths per runtime. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0"
#define UIDU "1b2c3d4e_5f60_4172_8394_a5b6c7d8e9f0"

static const struct {
	const char *path, *runtime, *pod;
} cases[] = {
	/* docker */
	{ "/system.slice/docker-" ID ".scope", "docker", "" },
	{ "/docker/" ID, "docker", "" },
	{ "/docker/" ID "/sub", "docker", "" },
	{ "/system.slice/docker.service", NULL, NULL },
	{ "/system.slice/docker-" ID ".scope.bak", NULL, NULL },
	{ "/system.slice/docker-0123.scope", NULL, NULL },
	{ "/docker/" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL, NULL },
	/* containerd / CRI */
	{ "/system.slice/cri-containerd-" ID ".scope", "containerd", "" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU
	  ".slice/cri-containerd-" ID ".scope", "containerd", UID },
	{ "/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID ".scope", "containerd", UID },
	{ "/default/" ID, "containerd", "" },
	{ "/k8s.io/" ID, "containerd", "" },
	{ "/system.slice/containerd.service", NULL, NULL },
	/* kubepods, cgroupfs driver */
	{ "/kubepods/besteffort/pod" UID "/" ID, "kubepods", UID },
	{ "/kubepods/pod" UID "/" ID, "kubepods", UID },
	{ "/kubepods/burstable/pod" UID, NULL, NULL },
	{ "/kubepods/besteffort/podnot-a-uid/" ID, NULL, NULL },
	{ "/kubepods/" ID, NULL, NULL },
	/* CRI-O */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/crio-" ID
	  ".scope", "cri-o", UID },
	{ "/system.slice/crio-" ID ".scope", "cri-o", "" },
	{ "/system.slice/crio-conmon-" ID ".scope", NULL, NULL },
	/* podman */
	{ "/machine.slice/libpod-" ID ".scope", "podman", "" },
	{ "/machine.slice/libpod-" ID ".scope/container", "podman", "" },
	{ "/libpod_parent/libpod-" ID, "podman", "" },
	{ "/machine.slice/libpod-conmon-" ID ".scope", NULL, NULL },
	/* nerdctl */
	{ "/nerdctl/" ID, "nerdctl", "" },
	{ "/system.slice/nerdctl-" ID ".scope", "nerdctl", "" },
	/* host */
	{ "/", NULL, NULL },
	{ "", NULL, NULL },
	{ "/user.slice/user-1000.slice/session-3.scope", NULL, NULL },
	{ "/" ID, NULL, NULL },
	{ "/init.scope", NULL, NULL },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_ref r;
		int got = container_from_cgroup(cases[i].path, &r);
		if (!cases[i].runtime) {
			if (got)
				fail_msg("%s: unexpectedly %s", cases[i].path, r.runtime);
			continue;
		}
		if (!got)
			fail_msg("%s: not recognised", cases[i].path);
		assert_string_equal(r.runtime, cases[i].runtime);
		assert_string_equal(r.id, ID);
		assert_string_equal(r.pod_uid, cases[i].pod);
	}
	assert_int_equal(container_from_cgroup(NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_table) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
