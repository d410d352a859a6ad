/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Containers named from cgroup v2 paths, by the patterns the common
 * runtimes use. Pure string work: no database, no allocation. Shared by
 * the recorder (which container's identity to read from the runtime's
 * state) and the analyzer (which container a cgroup belongs to), so both
 * always agree on the id.
 */
#ifndef EXRAY_CONTAINERS_H
#define EXRAY_CONTAINERS_H

#define CONTAINER_ID_MAX 64

struct container_ref {
	const char *runtime;               /* "docker", "containerd", "cri-o",
	                                      "podman", "nerdctl", "kubepods" */
	char id[CONTAINER_ID_MAX + 1];     /* container id, lowercase hex */
	char pod_uid[37];                  /* Kubernetes pod UID with dashes, or "" */
};

/*
 * Name the container a cgroup path belongs to. Returns 1 and fills *out
 * when the path is a container's (or below one), 0 for host and other
 * non-container cgroups (the root, system services, runtime monitors such
 * as conmon, a pod's own cgroup), and never reads past the NUL.
 *
 * Recognised (the innermost match wins; ID is 64 lowercase hex):
 *   docker       /system.slice/docker-ID.scope, /docker/ID
 *   containerd   .../cri-containerd-ID.scope, /NAMESPACE/ID (e.g. /default/ID, /k8s.io/ID)
 *   cri-o        .../crio-ID.scope
 *   podman       /machine.slice/libpod-ID.scope[/container], /libpod_parent/libpod-ID
 *   nerdctl      /nerdctl/ID, .../nerdctl-ID.scope
 *   kubepods     /kubepods[.slice]/[QOS/]podUID/ID (cgroupfs driver: runtime
 *                unknown) and the systemd form
 *                kubepods-QOS-podUID_WITH_UNDERSCORES.slice/RUNTIME-ID.scope,
 *                whose pod UID is recorded either way.
 */
int container_from_cgroup(const char *path, struct container_ref *out);

#endif
