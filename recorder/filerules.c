// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The file filter's rules (docs/recorder.md "File events"): the default
 * list of sensitive locations and secrets, and --watch, as entries of the
 * two kernel maps of bpf/exray.h (a prefix trie and a name hash).
 *
 * A prefix spec ending in '/' covers everything below it; one ending in
 * '*' covers every path that starts with the rest; any other names one
 * path exactly (the key then includes the terminating NUL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "record.h"

#define CHANGE EXRAY_RULE_CHANGE
#define READ EXRAY_RULE_READ
#define MOUNT EXRAY_RULE_MOUNT_CHANGE
#define DIR_MOUNT EXRAY_RULE_DIR_MOUNT_CHANGE
#define CGROUP EXRAY_RULE_CGROUP_CTL

static const struct rec_file_rule default_prefixes[] = {
	/* system config: auth (passwd, shadow, group, sudoers, pam.d,
	 * security), cron, systemd units, profile and bash.bashrc, ssh,
	 * ld.so.preload and ld.so.conf, CA stores, hosts... all of /etc */
	{ "/etc/", CHANGE },
	/* cron and at spools */
	{ "/var/spool/cron/", CHANGE }, { "/var/spool/at/", CHANGE },
	{ "/var/spool/anacron/", CHANGE },
	/* systemd units and generators outside /etc */
	{ "/lib/systemd/", CHANGE }, { "/usr/lib/systemd/", CHANGE },
	{ "/run/systemd/system/", CHANGE }, { "/run/systemd/generator/", CHANGE },
	/* PAM modules */
	{ "/lib/security/", CHANGE }, { "/lib64/security/", CHANGE },
	{ "/usr/lib/security/", CHANGE }, { "/usr/lib64/security/", CHANGE },
	{ "/lib/x86_64-linux-gnu/security/", CHANGE },
	{ "/usr/lib/x86_64-linux-gnu/security/", CHANGE },
	{ "/lib/aarch64-linux-gnu/security/", CHANGE },
	{ "/usr/lib/aarch64-linux-gnu/security/", CHANGE },
	/* CA stores */
	{ "/usr/local/share/ca-certificates/", CHANGE }, { "/usr/share/ca-certificates/", CHANGE },
	{ "/usr/share/pki/", CHANGE },
	/* boot and kernel modules */
	{ "/boot/", CHANGE }, { "/lib/modules/", CHANGE }, { "/usr/lib/modules/", CHANGE },
	/* kernel tunables: every sysctl (core_pattern, modprobe, hotplug and
	 * binfmt_misc handlers run code; sysrq enables the magic keys), the
	 * SysRq trigger (crash, reboot), /sys/kernel (uevent_helper, tracing,
	 * security) and module parameters. A container's are read-only: a
	 * write there, even refused, is an attempt on the host's kernel. */
	{ "/proc/sys/", CHANGE }, { "/proc/sysrq-trigger", CHANGE },
	{ "/sys/kernel/", CHANGE }, { "/sys/module/", CHANGE },
	/* logs */
	{ "/var/log/", CHANGE },
	/* binaries in the usual $PATH directories */
	{ "/bin/", CHANGE }, { "/sbin/", CHANGE }, { "/usr/bin/", CHANGE },
	{ "/usr/sbin/", CHANGE }, { "/usr/local/bin/", CHANGE }, { "/usr/local/sbin/", CHANGE },
	/* secrets: reads are recorded */
	{ "/etc/shadow", READ | CHANGE }, { "/etc/gshadow", READ | CHANGE },
	{ "/etc/shadow-", READ | CHANGE }, { "/etc/gshadow-", READ | CHANGE },
	{ "/etc/security/opasswd", READ | CHANGE }, { "/etc/ssh/ssh_host_*", READ | CHANGE },
	{ "/etc/kubernetes/admin.conf", READ | CHANGE }, { "/etc/kubernetes/pki/", READ | CHANGE },
	{ "/var/lib/kubelet/pki/", READ }, { "/var/lib/kubelet/pods/", READ },
	{ "/run/secrets/", READ },
	{ "/var/run/secrets/", READ },
};

static const struct rec_file_rule default_names[] = {
	/* shell start-up files and login trust, wherever the home is */
	{ ".bashrc", CHANGE }, { ".bash_profile", CHANGE }, { ".bash_login", CHANGE },
	{ ".bash_logout", CHANGE }, { ".profile", CHANGE }, { ".zshrc", CHANGE },
	{ ".zshenv", CHANGE }, { ".zprofile", CHANGE }, { ".zlogin", CHANGE },
	{ ".cshrc", CHANGE }, { ".tcshrc", CHANGE }, { ".kshrc", CHANGE }, { ".login", CHANGE },
	{ ".pam_environment", CHANGE }, { ".rhosts", CHANGE }, { ".shosts", CHANGE },
	{ "authorized_keys", CHANGE }, { "authorized_keys2", CHANGE },
	/* cgroup v1 release_agent (a container escape) and the preload list */
	{ "release_agent", CHANGE }, { "ld.so.preload", CHANGE },
	/* cgroup control files, on a cgroup filesystem mounted anywhere (a
	 * container mounts its own): moving a process into a cgroup, lifting
	 * the device cgroup, the v1 release agent and its trigger */
	{ "cgroup.procs", CGROUP }, { "cgroup.threads", CGROUP }, { "tasks", CGROUP },
	{ "devices.allow", CGROUP }, { "release_agent", CGROUP }, { "notify_on_release", CGROUP },
	/* what names a system file wherever it is mounted: changes of these
	 * are recorded on a mount other than the task's root, where a
	 * container sees a host path bound in (a hostPath of the node's /etc
	 * at /host-etc: /host-etc/cron.d/x is the node's /etc/cron.d/x) */
	{ "passwd", MOUNT }, { "shadow", MOUNT }, { "group", MOUNT }, { "gshadow", MOUNT },
	{ "sudoers", MOUNT }, { "crontab", MOUNT }, { "rc.local", MOUNT },
	{ "ld.so.conf", MOUNT }, { "environment", MOUNT },
	{ "cron.d", DIR_MOUNT }, { "cron.hourly", DIR_MOUNT }, { "cron.daily", DIR_MOUNT },
	{ "cron.weekly", DIR_MOUNT }, { "cron.monthly", DIR_MOUNT }, { "crontabs", DIR_MOUNT },
	{ "sudoers.d", DIR_MOUNT }, { "pam.d", DIR_MOUNT }, { "system", DIR_MOUNT },
	{ "init.d", DIR_MOUNT }, { "profile.d", DIR_MOUNT }, { "ld.so.conf.d", DIR_MOUNT },
	{ "modules-load.d", DIR_MOUNT }, { "rules.d", DIR_MOUNT },
	/* the host's programs (a runtime binary replaced on a hostPath of
	 * /usr/bin) and the kubelet's static pods (/etc/kubernetes/manifests:
	 * started without the API server) */
	{ "bin", DIR_MOUNT }, { "sbin", DIR_MOUNT }, { "manifests", DIR_MOUNT },
	/* every file directly in an ssh, aws or autostart directory */
	{ ".ssh", EXRAY_RULE_DIR_CHANGE }, { ".aws", EXRAY_RULE_DIR_CHANGE | EXRAY_RULE_DIR_READ },
	{ "autostart", EXRAY_RULE_DIR_CHANGE },
	/* ssh private keys and stored credentials, wherever they are */
	{ "id_rsa", READ }, { "id_dsa", READ }, { "id_ecdsa", READ }, { "id_ed25519", READ },
	{ "id_ecdsa_sk", READ }, { "id_ed25519_sk", READ }, { "identity", READ },
	{ ".git-credentials", READ }, { ".netrc", READ }, { ".pgpass", READ },
	{ ".vault-token", READ }, { ".azure", EXRAY_RULE_DIR_READ },
	{ "gcloud", EXRAY_RULE_DIR_READ }, { ".kube", EXRAY_RULE_DIR_READ },
	{ ".docker", EXRAY_RULE_DIR_READ },
	/* candidates for the secret prefixes above: a read-only open is judged
	 * on its name first, and only these pay for the full path */
	{ "shadow", EXRAY_RULE_READ_IF }, { "gshadow", EXRAY_RULE_READ_IF },
	{ "shadow-", EXRAY_RULE_READ_IF }, { "gshadow-", EXRAY_RULE_READ_IF },
	{ "opasswd", EXRAY_RULE_READ_IF }, { "admin.conf", EXRAY_RULE_READ_IF },
	{ "ssh", EXRAY_RULE_DIR_READ_IF }, { "pki", EXRAY_RULE_DIR_READ_IF },
	{ "secrets", EXRAY_RULE_DIR_READ_IF }, { "serviceaccount", EXRAY_RULE_DIR_READ_IF },
	{ "kubernetes", EXRAY_RULE_DIR_READ_IF },
	{ "token", EXRAY_RULE_READ_IF }, /* other pods' tokens, below the kubelet's pods/ */
	/* /proc/PID/environ and /proc/PID/mem of another process */
	{ "environ", EXRAY_RULE_PROC_OTHER }, { "mem", EXRAY_RULE_PROC_OTHER },
};

const struct rec_file_rule *rec_file_default_prefixes(size_t *n)
{
	*n = sizeof(default_prefixes) / sizeof(default_prefixes[0]);
	return default_prefixes;
}

const struct rec_file_rule *rec_file_default_names(size_t *n)
{
	*n = sizeof(default_names) / sizeof(default_names[0]);
	return default_names;
}

int rec_file_prefix_key(const char *spec, struct exray_prefix_key *k)
{
	size_t len = strlen(spec);

	memset(k, 0, sizeof(*k));
	if (!len || spec[0] != '/' || len >= EXRAY_PREFIX_MAX)
		return -EINVAL;
	if (spec[len - 1] == '*') {
		len--;                     /* a prefix of names */
		memcpy(k->path, spec, len);
	} else if (spec[len - 1] == '/') {
		memcpy(k->path, spec, len); /* everything below */
	} else {
		memcpy(k->path, spec, len); /* this path: with its NUL */
		len++;
	}
	k->bits = 8 * len;
	return 0;
}

int rec_watch_specs(const char *path, char specs[2][EXRAY_PREFIX_MAX])
{
	size_t len = strlen(path);

	if (!len || path[0] != '/' || len + 1 >= EXRAY_PREFIX_MAX)
		return -EINVAL;
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 1) /* "/": everything */
		return snprintf(specs[0], EXRAY_PREFIX_MAX, "/"), 1;
	snprintf(specs[0], EXRAY_PREFIX_MAX, "%.*s", (int)len, path);
	snprintf(specs[1], EXRAY_PREFIX_MAX, "%.*s/", (int)len, path);
	return 2;
}

/* Add (key, bits) to the list, OR-ing into an equal key. */
static int add_prefix(struct rec_prefix_entry *e, size_t *n, size_t cap,
		      const struct exray_prefix_key *k, __u32 bits)
{
	for (size_t i = 0; i < *n; i++) {
		if (e[i].key.bits == k->bits && !memcmp(e[i].key.path, k->path, k->bits / 8)) {
			e[i].bits |= bits;
			return 0;
		}
	}
	if (*n == cap)
		return -E2BIG;
	e[*n].key = *k;
	e[(*n)++].bits = bits;
	return 0;
}

/* Whether entry a covers every path entry b covers. */
static bool covers(const struct exray_prefix_key *a, const struct exray_prefix_key *b)
{
	return a->bits <= b->bits && !memcmp(a->path, b->path, a->bits / 8);
}

int rec_file_rules_build(const char *const *watch, unsigned nwatch,
			 struct rec_prefix_entry *e, size_t cap, size_t *n)
{
	struct exray_prefix_key k;
	const struct rec_file_rule *r;
	size_t nr;
	int err;

	*n = 0;
	r = rec_file_default_prefixes(&nr);
	for (size_t i = 0; i < nr; i++)
		if ((err = rec_file_prefix_key(r[i].spec, &k)) || (err = add_prefix(e, n, cap, &k, r[i].bits)))
			return err;
	for (unsigned w = 0; w < nwatch; w++) {
		char specs[2][EXRAY_PREFIX_MAX];
		int ns = rec_watch_specs(watch[w], specs);

		if (ns < 0)
			return ns;
		for (int i = 0; i < ns; i++)
			if ((err = rec_file_prefix_key(specs[i], &k)) ||
			    (err = add_prefix(e, n, cap, &k, EXRAY_RULE_WATCH)))
				return err;
	}
	/* The trie answers with the longest matching entry alone: give each
	 * entry the bits of every shorter one that covers it, so that a
	 * --watch /run still sees changes under the longer /run/secrets/. */
	for (size_t i = 0; i < *n; i++)
		for (size_t j = 0; j < *n; j++)
			if (i != j && covers(&e[j].key, &e[i].key))
				e[i].bits |= e[j].bits;
	return 0;
}

__u32 rec_file_prefix_match(const struct rec_prefix_entry *e, size_t n, const char *path)
{
	size_t len = strlen(path) + 1, best = 0;
	__u32 bits = 0;

	if (len > EXRAY_PREFIX_MAX)
		len = EXRAY_PREFIX_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t kl = e[i].key.bits / 8;

		if (kl <= len && kl > best && !memcmp(e[i].key.path, path, kl)) {
			best = kl;
			bits = e[i].bits;
		}
	}
	return bits;
}

int rec_file_rules_fill(int prefix_fd, int name_fd, const char *const *watch, unsigned nwatch)
{
	struct rec_prefix_entry *e = calloc(REC_FILE_PREFIXES_MAX, sizeof(*e));
	const struct rec_file_rule *r;
	struct exray_name_key nk;
	size_t n;
	int err;

	if (!e)
		return -ENOMEM;
	err = rec_file_rules_build(watch, nwatch, e, REC_FILE_PREFIXES_MAX, &n);
	for (size_t i = 0; !err && i < n; i++)
		if (bpf_map_update_elem(prefix_fd, &e[i].key, &e[i].bits, BPF_ANY))
			err = -errno;
	free(e);
	if (err)
		return err;
	r = rec_file_default_names(&n);
	for (size_t i = 0; i < n; i++) {
		__u32 bits = r[i].bits, old;

		memset(&nk, 0, sizeof(nk));
		if (strlen(r[i].spec) >= sizeof(nk.name))
			return -EINVAL;
		strcpy(nk.name, r[i].spec);
		if (bpf_map_lookup_elem(name_fd, &nk, &old) == 0)
			bits |= old;
		if (bpf_map_update_elem(name_fd, &nk, &bits, BPF_ANY))
			return -errno;
	}
	return 0;
}
