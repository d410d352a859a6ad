/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The small contract between bpf/exray.bpf.c (and the family files it
 * includes) and its loader (recorder/): runtime option bits, map sizes and
 * the keys of the file filter's maps. The records themselves are
 * schema/exray_events.h.
 */
#ifndef EXRAY_BPF_H
#define EXRAY_BPF_H

/* Bits of the `events_mask` rodata option (--events). */
#define EXRAY_EV_EXEC    (1u << 0)  /* exec, and failed execs */
#define EXRAY_EV_FORK    (1u << 1)
#define EXRAY_EV_EXIT    (1u << 2)
#define EXRAY_EV_CONNECT (1u << 3)  /* connect and connect_result */
#define EXRAY_EV_FILE    (1u << 4)  /* file records, through the file filter */
#define EXRAY_EV_PRIV    (1u << 5)
#define EXRAY_EV_NS      (1u << 6)
#define EXRAY_EV_PTRACE  (1u << 7)
#define EXRAY_EV_SOCKET  (1u << 8)
#define EXRAY_EV_MEMFD   (1u << 9)
#define EXRAY_EV_BPF     (1u << 10)
#define EXRAY_EV_URING   (1u << 11)
#define EXRAY_EV_ALL     0x0fffu

/* Kernel-side cgroup path walk: deepest path emitted whole. */
#define EXRAY_CGROUP_DEPTH 16
/* Failed execs: argv is read pointer by pointer, at most this many. */
#define EXRAY_FAILED_ARGS_MAX 64
/* Kernel-side dentry walk (exe, cwd, file paths): components kept. */
#define EXRAY_WALK_DEPTH 32

/*
 * The file filter (docs/recorder.md "File events"). Two maps, filled by the
 * loader from the default list and --watch:
 *
 * file_prefixes, an LPM trie over the first EXRAY_PREFIX_MAX bytes of the
 * absolute path: an entry ending in '/' covers everything below it; an
 * entry whose key includes the path's terminating NUL covers that path
 * only. file_names, a hash of single path components (basename or the
 * directory a file is directly in). Values are EXRAY_RULE_* bits.
 */
#define EXRAY_PREFIX_MAX 128
struct exray_prefix_key {
	__u32 bits;                  /* LPM prefix length in bits */
	char path[EXRAY_PREFIX_MAX];
};
#define EXRAY_NAME_MAX 32
struct exray_name_key {
	char name[EXRAY_NAME_MAX];   /* NUL-padded */
};

#define EXRAY_RULE_CHANGE     0x01 /* prefix/name: writes, creates, renames... recorded */
#define EXRAY_RULE_READ       0x02 /* prefix/name: reads recorded (a secret) */
#define EXRAY_RULE_DIR_CHANGE 0x04 /* name of a directory: changes of its files */
#define EXRAY_RULE_DIR_READ   0x08 /* name of a directory: reads of its files */
#define EXRAY_RULE_READ_IF    0x10 /* name: a read is a candidate, recorded if
                                      the path has a READ prefix */
#define EXRAY_RULE_DIR_READ_IF 0x20 /* the same for a directory name */
#define EXRAY_RULE_PROC_OTHER 0x40 /* name: /proc/PID/NAME of another process */
#define EXRAY_RULE_WATCH      0x80 /* prefix from --watch (changes) */
#define EXRAY_RULE_MOUNT_CHANGE 0x100 /* name: changes recorded when the file is on
                                        a mount other than the task's root (a
                                        volume, a host path bound in) */
#define EXRAY_RULE_DIR_MOUNT_CHANGE 0x200 /* the same for a directory name */
#define EXRAY_RULE_CGROUP_CTL 0x400 /* name: a cgroup control file (cgroup.procs,
                                      devices.allow...), changes recorded on a
                                      cgroup filesystem (or refused anywhere) */

#endif /* EXRAY_BPF_H */
