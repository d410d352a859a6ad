// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* exray-record command line: defaults, parsing, --help. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "../bpf/exray_tc.h"

void rec_opts_defaults(struct rec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->output = EXRAY_DEFAULT_OUTPUT;
	o->flush_ms = 1000;
	o->segment_size = 64ull << 20;
	o->segment_age_ms = 3600 * 1000;
	o->argv_max = EXRAY_ARGV_DEFAULT;
	o->ring_size = 16ull << 20;
	o->events = EXRAY_EV_ALL;
	o->level = 3;
	o->seal_log_fd = -1;
	o->seal_log_ms = 10 * 1000;
}

void rec_usage(FILE *f)
{
	fprintf(f,
"Usage: exray-record [OPTIONS]\n"
"Record exec, fork, exit, outbound TCP connects and what processes did (file\n"
"changes and secret reads under a sensitive list, AF_UNIX connects and file\n"
"handles, privilege, namespace, ptrace, raw/packet sockets, memfd, bpf and\n"
"io_uring calls) with eBPF into zstd segment files, starting with a snapshot\n"
"of every live process. Runs as root.\n"
"Example: exray-record -o /var/lib/exray --duration 1h --watch /srv/app\n"
"\n"
"Options:\n"
"  -o, --output DIR        segment directory (default " EXRAY_DEFAULT_OUTPUT "); created\n"
"                          0700; refused if writable by group or others\n"
"  -f, --flush-interval T  write a frame at least every T (default 1s); a crash\n"
"                          loses at most this window\n"
"  -s, --segment-size N    start a new segment after N bytes on disk (default 64M)\n"
"  -a, --segment-age T     start a new segment after T (default 1h)\n"
"  -m, --max-total N       keep this capture's segments under N bytes in total,\n"
"                          deleting its oldest (default 0: no cap); the open\n"
"                          segment and the newest closed one are never deleted,\n"
"                          so N must hold two segments (without --segment-size,\n"
"                          segments become N/4)\n"
"      --duration T        stop after T (default: until SIGINT/SIGTERM)\n"
"      --argv-max N        argv bytes kept per exec, at most %u (default %u);\n"
"                          longer argv is cut and flagged\n"
"      --ring-size N       BPF ring buffer size, a power of two (default 16M)\n"
"  -e, --events LIST       comma-separated subset of exec,fork,exit,connect,\n"
"                          file,priv,ns,ptrace,socket,memfd,bpf,uring (default all)\n"
"      --watch PATH        also record changes to PATH and below it (absolute;\n"
"                          repeatable); the default sensitive list is in\n"
"                          docs/recorder.md\n"
"      --no-file-events    record no file events (the other families stay on)\n"
"      --level N           zstd compression level 1-19 (default 3)\n"
"      --no-iter           snapshot from /proc even if the BPF task iterator loads\n"
"\n"
"Sealing (on by default: every frame gets a forward-secure seal; `exray verify\n"
"--key` detects any later change, removal or insertion):\n"
"      --seal-key FILE     write the verification key to FILE (created 0600,\n"
"                          refused if it exists) instead of stderr; move it off\n"
"                          this host\n"
"      --seal-log WHERE    every --seal-log-interval, log the latest seal to\n"
"                          'syslog' or 'fd:N' (an open descriptor), so a copy\n"
"                          kept elsewhere reveals deleted newest segments\n"
"      --seal-log-interval T  (default 10s)\n"
"      --no-seal           do not seal\n"
"\n"
"Packet view (TCP SYNs as packets, with an in-kernel allowlist verdict):\n"
"      --tc-iface IF       record SYNs leaving through interface IF (TC egress),\n"
"                          repeatable\n"
"      --tc-veth           record SYNs sent into this network namespace by the far\n"
"                          end of every veth (TC ingress of the host end: what\n"
"                          each container sends), including veths created later\n"
"      --allow FILE        judge each SYN in the kernel against FILE's [all] and\n"
"                          [host] sections (destination CIDR and port ranges, at\n"
"                          most %d ranges per prefix); [container], [pod] and\n"
"                          [cgroup] sections cannot be judged in the kernel (it\n"
"                          does not know containers) and are left to `exray check`.\n"
"                          [host] applies to local sockets at egress, [all] to\n"
"                          everything. Without --allow the verdict is 'none'\n"
"      --tc-cleanup [IF...] the cleanup run after a crash or SIGKILL: remove what\n"
"                          dead recorders attached in this network namespace, and\n"
"                          exray's filters on each IF, then exit\n"
"  -v, --verbose           show libbpf's messages\n"
"  -h, --help              show this help\n"
"      --version           print the version\n"
"\n"
"Sizes take K, M, G suffixes (powers of 1024). Times take ms, s, m, h (a bare\n"
"number is seconds).\n"
"\n"
"Signals: SIGINT/SIGTERM flush, write the footer and exit 0; SIGHUP starts a\n"
"new segment.\n"
"\n"
"Exit codes: 0 success; 1 runtime failure (load, attach, write); 2 usage error;\n"
"3 missing privilege (root, or CAP_BPF+CAP_PERFMON) or kernel BTF; 4 disk full;\n"
"5 the output directory or a segment was removed while recording (the open\n"
"segment was written back and recording went on; see stderr).\n"
"\n"
"Example: record for 10 minutes, at most 2 GiB, the verification key onto a\n"
"USB stick, then analyze the copy anywhere:\n"
"  exray-record -o /var/lib/exray/case1 --duration 10m --max-total 2G \\\n"
"    --seal-key /mnt/usb/case1.key\n"
"  exray verify --key /mnt/usb/case1.key /var/lib/exray/case1\n"
"  exray ingest -d case1.db /var/lib/exray/case1 && exray tree -d case1.db\n",
		EXRAY_ARGV_MAX_LIMIT, EXRAY_ARGV_DEFAULT, EXRAY_TC_PORT_RANGES);
}

/* strtoull with a suffix table; -EINVAL on junk or overflow. */
static int parse_scaled(const char *s, const char *const *suffix, const __u64 *mult, size_t n,
			const char *bare_suffix, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (!*end)
		end = (char *)bare_suffix;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(end, suffix[i]) == 0) {
			if (mult[i] && v > UINT64_MAX / mult[i])
				return -EINVAL;
			*out = v * mult[i];
			return 0;
		}
	}
	return -EINVAL;
}

int rec_parse_size(const char *s, __u64 *out)
{
	static const char *const suf[] = { "", "K", "M", "G", "k", "KiB", "MiB", "GiB" };
	static const __u64 mult[] = { 1, 1ull << 10, 1ull << 20, 1ull << 30, 1ull << 10,
				      1ull << 10, 1ull << 20, 1ull << 30 };

	return parse_scaled(s, suf, mult, sizeof(mult) / sizeof(mult[0]), "", out);
}

int rec_parse_duration_ms(const char *s, __u64 *out)
{
	static const char *const suf[] = { "ms", "s", "m", "h" };
	static const __u64 mult[] = { 1, 1000, 60 * 1000, 3600 * 1000 };

	return parse_scaled(s, suf, mult, 4, "s", out);
}

int rec_parse_events(const char *s, __u32 *out)
{
	static const struct {
		const char *name;
		__u32 bit;
	} names[] = {
		{ "exec", EXRAY_EV_EXEC }, { "fork", EXRAY_EV_FORK },
		{ "exit", EXRAY_EV_EXIT }, { "connect", EXRAY_EV_CONNECT },
		{ "file", EXRAY_EV_FILE }, { "priv", EXRAY_EV_PRIV }, { "ns", EXRAY_EV_NS },
		{ "ptrace", EXRAY_EV_PTRACE }, { "socket", EXRAY_EV_SOCKET },
		{ "memfd", EXRAY_EV_MEMFD }, { "bpf", EXRAY_EV_BPF }, { "uring", EXRAY_EV_URING },
		{ "all", EXRAY_EV_ALL },
	};
	__u32 mask = 0;
	const char *p = s;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0) {
				mask |= names[i].bit;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!mask)
		return -EINVAL;
	*out = mask;
	return 0;
}

/* Short options mean the same in exray-record and exray (docs/options.md):
 * --duration has none, as -d is exray's --db. */
enum { OPT_ARGV_MAX = 256, OPT_RING_SIZE, OPT_LEVEL, OPT_NO_ITER, OPT_TC_IFACE, OPT_TC_VETH,
       OPT_TC_CLEANUP, OPT_ALLOW, OPT_DURATION, OPT_VERSION, OPT_SEAL_KEY, OPT_SEAL_LOG,
       OPT_SEAL_LOG_INTERVAL, OPT_NO_SEAL, OPT_WATCH, OPT_NO_FILE_EVENTS };

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "flush-interval", required_argument, NULL, 'f' },
	{ "segment-size", required_argument, NULL, 's' },
	{ "segment-age", required_argument, NULL, 'a' },
	{ "max-total", required_argument, NULL, 'm' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "argv-max", required_argument, NULL, OPT_ARGV_MAX },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "events", required_argument, NULL, 'e' },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "no-iter", no_argument, NULL, OPT_NO_ITER },
	{ "tc-iface", required_argument, NULL, OPT_TC_IFACE },
	{ "tc-veth", no_argument, NULL, OPT_TC_VETH },
	{ "tc-cleanup", no_argument, NULL, OPT_TC_CLEANUP },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "seal-key", required_argument, NULL, OPT_SEAL_KEY },
	{ "seal-log", required_argument, NULL, OPT_SEAL_LOG },
	{ "seal-log-interval", required_argument, NULL, OPT_SEAL_LOG_INTERVAL },
	{ "no-seal", no_argument, NULL, OPT_NO_SEAL },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "no-file-events", no_argument, NULL, OPT_NO_FILE_EVENTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

#define BAD(...)                                  \
	do {                                      \
		snprintf(err, errlen, __VA_ARGS__); \
		return -EINVAL;                   \
	} while (0)

/* One more interface for --tc-iface / --tc-cleanup. */
static int add_tc_iface(struct rec_opts *o, const char *opt, const char *name, char *err,
			size_t errlen)
{
	if (!*name || strlen(name) >= 16 || strchr(name, '/'))
		BAD("%s: not an interface name: '%s'", opt, name);
	if (o->n_tc_iface == EXRAY_REC_TC_IFACES_MAX)
		BAD("%s: at most %d interfaces", opt, EXRAY_REC_TC_IFACES_MAX);
	o->tc_iface[o->n_tc_iface++] = name;
	return 0;
}

int rec_opts_parse(struct rec_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	bool no_file = false;
	__u64 v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:s:a:m:e:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				BAD("--output: empty directory name");
			o->output = optarg;
			break;
		case 'f':
			if (rec_parse_duration_ms(optarg, &o->flush_ms) || !o->flush_ms)
				BAD("--flush-interval: not a positive time: '%s'", optarg);
			break;
		case 's':
			if (rec_parse_size(optarg, &o->segment_size) || o->segment_size < 4096)
				BAD("--segment-size: not a size of at least 4K: '%s'", optarg);
			o->segment_size_set = true;
			break;
		case 'a':
			if (rec_parse_duration_ms(optarg, &o->segment_age_ms) || !o->segment_age_ms)
				BAD("--segment-age: not a positive time: '%s'", optarg);
			break;
		case 'm':
			if (rec_parse_size(optarg, &o->max_total))
				BAD("--max-total: not a size: '%s'", optarg);
			break;
		case OPT_DURATION:
			if (rec_parse_duration_ms(optarg, &o->duration_ms) || !o->duration_ms)
				BAD("--duration: not a positive time: '%s'", optarg);
			break;
		case OPT_ARGV_MAX:
			if (rec_parse_size(optarg, &v) || v < 1 || v > EXRAY_ARGV_MAX_LIMIT)
				BAD("--argv-max: not a size from 1 to %u: '%s'", EXRAY_ARGV_MAX_LIMIT,
				    optarg);
			o->argv_max = v;
			break;
		case OPT_RING_SIZE:
			if (rec_parse_size(optarg, &v) || v < 4096 || (v & (v - 1)) || v > (1ull << 30))
				BAD("--ring-size: not a power of two from 4K to 1G: '%s'", optarg);
			o->ring_size = v;
			break;
		case 'e':
			if (rec_parse_events(optarg, &o->events))
				BAD("--events: expected a list of exec,fork,exit,connect,file,priv,ns,"
				    "ptrace,socket,memfd,bpf,uring: '%s'", optarg);
			break;
		case OPT_LEVEL:
			if (rec_parse_size(optarg, &v) || v < 1 || v > 19)
				BAD("--level: not a zstd level from 1 to 19: '%s'", optarg);
			o->level = v;
			break;
		case OPT_NO_ITER:
			o->no_iter = true;
			break;
		case OPT_TC_IFACE:
			if (add_tc_iface(o, "--tc-iface", optarg, err, errlen))
				return -EINVAL;
			break;
		case OPT_TC_VETH:
			o->tc_veth = true;
			break;
		case OPT_TC_CLEANUP:
			o->tc_cleanup = true;
			break;
		case OPT_ALLOW:
			if (!*optarg)
				BAD("--allow: empty file name");
			o->allow = optarg;
			break;
		case OPT_SEAL_KEY:
			if (!*optarg)
				BAD("--seal-key: empty file name");
			o->seal_key = optarg;
			break;
		case OPT_SEAL_LOG: {
			char *end;
			long fd;

			if (!strcmp(optarg, "syslog")) {
				o->seal_log_syslog = true;
				break;
			}
			errno = 0;
			fd = strncmp(optarg, "fd:", 3) ? -1 : strtol(optarg + 3, &end, 10);
			if (fd < 0 || errno || end == optarg + 3 || *end || fd > 65535)
				BAD("--seal-log: expected 'syslog' or 'fd:N': '%s'", optarg);
			o->seal_log_fd = (int)fd;
			break;
		}
		case OPT_SEAL_LOG_INTERVAL:
			if (rec_parse_duration_ms(optarg, &o->seal_log_ms) || !o->seal_log_ms)
				BAD("--seal-log-interval: not a positive time: '%s'", optarg);
			break;
		case OPT_NO_SEAL:
			o->no_seal = true;
			break;
		case OPT_WATCH: {
			char specs[2][EXRAY_PREFIX_MAX];

			if (rec_watch_specs(optarg, specs) < 0)
				BAD("--watch: not an absolute path shorter than %d bytes: '%s'",
				    EXRAY_PREFIX_MAX - 1, optarg);
			if (o->n_watch == EXRAY_REC_WATCH_MAX)
				BAD("--watch: at most %d paths", EXRAY_REC_WATCH_MAX);
			o->watch[o->n_watch++] = optarg;
			break;
		}
		case OPT_NO_FILE_EVENTS:
			no_file = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			break;
		case OPT_VERSION:
			o->version = true;
			break;
		case ':':
			BAD("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt == 'd')
				BAD("unknown option '-d' (use --duration; -d is exray's --db)");
			BAD("unknown option '%s'", argv[optind - 1]);
		}
	}
	/* --tc-cleanup IF...: the interfaces may also come as arguments. */
	while (o->tc_cleanup && optind < argc)
		if (add_tc_iface(o, "--tc-cleanup", argv[optind++], err, errlen))
			return -EINVAL;
	if (optind < argc)
		BAD("unexpected argument '%s'", argv[optind]);
	if (o->allow && !o->n_tc_iface && !o->tc_veth && !o->tc_cleanup)
		BAD("--allow judges packets: it needs --tc-iface or --tc-veth");
	if (o->no_seal && (o->seal_key || o->seal_log_syslog || o->seal_log_fd >= 0))
		BAD("--no-seal: --seal-key and --seal-log need sealing");
	/* the cap never deletes the open segment nor the newest closed one
	 * (issue 18 item 1): it must hold two */
	if (o->max_total && o->max_total / 2 < o->segment_size) {
		if (o->segment_size_set)
			BAD("--max-total (%llu bytes) is below two segments of --segment-size (%llu "
			    "bytes): the cap could only be kept by deleting the segment being written; "
			    "raise it, or lower --segment-size", (unsigned long long)o->max_total,
			    (unsigned long long)o->segment_size);
		if (o->max_total / 4 < 4096)
			BAD("--max-total: at least 16K (four segments of the smallest size)");
		o->segment_size = o->max_total / 4;
		o->segment_size_forced = true;
	}
	if (no_file)
		o->events &= ~EXRAY_EV_FILE;
	if (no_file && o->n_watch)
		BAD("--watch adds file events: it cannot go with --no-file-events");
	return 0;
}
