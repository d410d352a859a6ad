/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exray event records: the one contract between the BPF programs that write
 * them and every userspace reader. These bytes go to disk and outlive the
 * process, so: fixed-width types only, explicit padding, little-endian (the
 * only byte order exray records on), and static assertions on every size and
 * offset a reader relies on. SEGMENT.md documents the same layout in prose.
 *
 * Every record starts with struct exray_rec_hdr; `len` is the whole record in
 * bytes, always a multiple of EXRAY_REC_ALIGN, so a reader can skip a type it
 * does not know. Adding a record type or appending fields to the end of one
 * is a minor-version change; readers use `len`, never sizeof, to step.
 */
#ifndef EXRAY_EVENTS_H
#define EXRAY_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EXRAY_REC_ALIGN 8
#define EXRAY_REC_ALIGN_UP(n) (((n) + (EXRAY_REC_ALIGN - 1)) & ~(__u32)(EXRAY_REC_ALIGN - 1))

/* Record types. Numbers are part of the on-disk format: never reuse one. */
enum exray_rec_type {
	EXRAY_REC_EXEC = 1,           /* struct exray_exec */
	EXRAY_REC_FORK = 2,           /* struct exray_fork */
	EXRAY_REC_EXIT = 3,           /* struct exray_exit */
	EXRAY_REC_CONNECT = 4,        /* struct exray_connect */
	EXRAY_REC_SYN = 5,            /* struct exray_syn */
	EXRAY_REC_SNAPSHOT = 6,       /* struct exray_exec, process alive at start */
	EXRAY_REC_CGROUP = 7,         /* struct exray_cgroup */
	EXRAY_REC_LOSS = 8,           /* struct exray_loss */
	EXRAY_REC_CONNECT_RESULT = 9, /* struct exray_connect_result */
	EXRAY_REC_TYPE_MAX,           /* one past the highest known type */
};

#define EXRAY_COMM_LEN 16
#define EXRAY_PATH_MAX 4096           /* filename / cgroup path bound */
#define EXRAY_ARGV_MAX_LIMIT 32768    /* hard upper bound of --argv-max */
#define EXRAY_ARGV_DEFAULT 4096       /* default --argv-max, bytes */

struct exray_rec_hdr {
	__u16 type;   /* enum exray_rec_type */
	__u16 flags;  /* per-type flags, EXRAY_F_* */
	__u32 len;    /* whole record incl. this header, multiple of 8 */
	__u64 ts;     /* CLOCK_BOOTTIME ns when the event happened */
};

/*
 * Who did it. Every process-level record carries the whole identity so that a
 * record read alone (a torn segment, a late segment) still says who and where.
 * A process is keyed by (boot, pid, start): start is the group leader's
 * start_boottime, so a reused pid never merges two processes.
 */
struct exray_task {
	__u32 pid;        /* tgid, as seen from the initial pid namespace */
	__u32 tid;        /* thread that caused the event */
	__u32 ppid;       /* real parent's tgid (not the ptracer) */
	__u32 vpid;       /* tgid as seen inside the task's own pid namespace */
	__u64 start;      /* group leader start_boottime, ns since boot */
	__u64 pstart;     /* real parent's start_boottime: parent key */
	__u64 cgroup_id;  /* cgroup v2 id (kernfs inode); 0 if unknown */
	__u32 uid, gid, euid, egid;
	__u32 pidns;      /* namespace inode numbers */
	__u32 mntns;
	__u32 netns;
	__u32 reserved;   /* zero */
	char comm[EXRAY_COMM_LEN];
};

/* exec and snapshot: flags */
#define EXRAY_F_ARGV_TRUNCATED     0x0001 /* argv longer than --argv-max */
#define EXRAY_F_FILENAME_TRUNCATED 0x0002
#define EXRAY_F_SNAPSHOT_PROC      0x0004 /* snapshot fields came from /proc */
#define EXRAY_F_KTHREAD            0x0008 /* kernel thread (snapshot) */

/*
 * exec (EXRAY_REC_EXEC) and snapshot (EXRAY_REC_SNAPSHOT). Followed by
 * filename_len bytes of the executed path (NUL-terminated, the name as given
 * to execve; for a snapshot the /proc/PID/exe link) and argv_len bytes of
 * argv, each argument NUL-terminated (a truncated last argument is too), then
 * zero padding up to hdr.len. A failed exec has ret < 0 and the task block of
 * the caller, whose image did not change.
 */
struct exray_exec {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__s32 ret;           /* 0, or -errno of a failed execve/execveat */
	__u16 filename_len;  /* bytes incl. the NUL */
	__u16 argv_len;      /* bytes incl. every NUL */
	/* char data[filename_len + argv_len] follows */
};

/* fork (EXRAY_REC_FORK): a new process (not a thread). task is the child. */
struct exray_fork {
	struct exray_rec_hdr hdr;
	struct exray_task task;
};

/* exit (EXRAY_REC_EXIT): the last thread of a process exited. */
struct exray_exit {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u32 exit_code;     /* raw wait status: (code << 8) | signal */
	__u32 reserved;
};

/* Address families as stored (not the host's AF_* values). */
#define EXRAY_FAMILY_V4 4
#define EXRAY_FAMILY_V6 6

/*
 * connect (EXRAY_REC_CONNECT): a TCP socket went CLOSE -> SYN_SENT, in the
 * context of the connecting task. The kernel picks the source port after
 * this transition, so sport is 0 unless the socket was bound; a later
 * connect_result with the same sock gives it. IPv4 addresses occupy the first
 * 4 bytes of the 16, the rest zero. Ports in host byte order.
 */
struct exray_connect {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u64 sock;          /* opaque socket id, same in connect_result */
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 family;         /* EXRAY_FAMILY_V4 or _V6 */
	__u8 reserved[3];
};

/* TCP states as the kernel numbers them (include/net/tcp_states.h). */
#define EXRAY_TCP_ESTABLISHED 1
#define EXRAY_TCP_SYN_SENT 2
#define EXRAY_TCP_CLOSE 7

/*
 * connect_result (EXRAY_REC_CONNECT_RESULT): a socket recorded by a connect
 * left SYN_SENT. Runs in softirq context, so it names no task: join on sock.
 */
struct exray_connect_result {
	struct exray_rec_hdr hdr;
	__u64 sock;
	__u16 sport;         /* source port, now assigned */
	__u8 newstate;       /* EXRAY_TCP_ESTABLISHED, or EXRAY_TCP_CLOSE: failed */
	__u8 reserved[5];
};

#define EXRAY_VERDICT_NONE 0  /* no in-kernel allowlist loaded: not judged */
#define EXRAY_VERDICT_ALLOW 1
#define EXRAY_VERDICT_DENY 2

/* syn: flags */
#define EXRAY_F_SYN_INGRESS 0x0001 /* seen at ingress of ifindex (sent by the
                                      peer, e.g. the container behind a veth);
                                      clear: at egress */

/*
 * syn (EXRAY_REC_SYN): a TCP packet with SYN set and ACK clear seen by the TC
 * classifier on ifindex, at egress or (EXRAY_F_SYN_INGRESS) ingress.
 * cgroup_id is the sending socket's (from the skb), 0 when the packet has no
 * socket (e.g. forwarded).
 */
struct exray_syn {
	struct exray_rec_hdr hdr;
	__u64 cgroup_id;
	__u32 ifindex;
	__u8 family;         /* EXRAY_FAMILY_V4 or _V6 */
	__u8 verdict;        /* EXRAY_VERDICT_* of the in-kernel allowlist */
	__u8 reserved[2];
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u32 reserved2;
};

/*
 * cgroup (EXRAY_REC_CGROUP): the path of a cgroup v2 id, relative to the
 * cgroup2 root and starting with '/', read from the kernel the first time the
 * id is seen. Followed by path_len bytes (NUL-terminated), zero padded.
 */
#define EXRAY_F_CGROUP_PATH_TRUNCATED 0x0001 /* deeper than the kernel walk */
struct exray_cgroup {
	struct exray_rec_hdr hdr;
	__u64 cgroup_id;
	__u16 path_len;      /* bytes incl. the NUL */
	__u8 reserved[6];
	/* char path[path_len] follows */
};

/*
 * loss (EXRAY_REC_LOSS): ring-buffer reservations that failed since the last
 * loss record for this (cpu, type), counted in the kernel and written by the
 * recorder. Nothing is lost silently.
 */
#define EXRAY_LOSS_ALL_CPUS 0xffffffffu
struct exray_loss {
	struct exray_rec_hdr hdr;
	__u16 lost_type;     /* enum exray_rec_type of the dropped events */
	__u16 reserved;
	__u32 cpu;           /* or EXRAY_LOSS_ALL_CPUS when summed */
	__u64 count;
};

#define EXRAY_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " is part of the on-disk format")
#define EXRAY_ASSERT_OFF(t, f, n) _Static_assert(__builtin_offsetof(t, f) == (n), #t "." #f " is part of the on-disk format")

EXRAY_ASSERT_SIZE(struct exray_rec_hdr, 16);
EXRAY_ASSERT_OFF(struct exray_rec_hdr, len, 4);
EXRAY_ASSERT_OFF(struct exray_rec_hdr, ts, 8);
EXRAY_ASSERT_SIZE(struct exray_task, 88);
EXRAY_ASSERT_OFF(struct exray_task, start, 16);
EXRAY_ASSERT_OFF(struct exray_task, pstart, 24);
EXRAY_ASSERT_OFF(struct exray_task, cgroup_id, 32);
EXRAY_ASSERT_OFF(struct exray_task, uid, 40);
EXRAY_ASSERT_OFF(struct exray_task, pidns, 56);
EXRAY_ASSERT_OFF(struct exray_task, comm, 72);
EXRAY_ASSERT_SIZE(struct exray_exec, 112);
EXRAY_ASSERT_OFF(struct exray_exec, ret, 104);
EXRAY_ASSERT_OFF(struct exray_exec, filename_len, 108);
EXRAY_ASSERT_SIZE(struct exray_fork, 104);
EXRAY_ASSERT_SIZE(struct exray_exit, 112);
EXRAY_ASSERT_OFF(struct exray_exit, exit_code, 104);
EXRAY_ASSERT_SIZE(struct exray_connect, 152);
EXRAY_ASSERT_OFF(struct exray_connect, sock, 104);
EXRAY_ASSERT_OFF(struct exray_connect, saddr, 112);
EXRAY_ASSERT_OFF(struct exray_connect, daddr, 128);
EXRAY_ASSERT_OFF(struct exray_connect, sport, 144);
EXRAY_ASSERT_OFF(struct exray_connect, family, 148);
EXRAY_ASSERT_SIZE(struct exray_connect_result, 32);
EXRAY_ASSERT_SIZE(struct exray_syn, 72);
EXRAY_ASSERT_OFF(struct exray_syn, saddr, 32);
EXRAY_ASSERT_OFF(struct exray_syn, sport, 64);
EXRAY_ASSERT_SIZE(struct exray_cgroup, 32);
EXRAY_ASSERT_SIZE(struct exray_loss, 32);
EXRAY_ASSERT_OFF(struct exray_loss, count, 24);

/* The largest record a BPF program emits: an exec with both strings full. */
#define EXRAY_EXEC_MAX_SIZE \
	EXRAY_REC_ALIGN_UP(sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT)

/* Per-CPU loss counters in the kernel: index = cpu-local slot per type. */
#define EXRAY_LOSS_SLOTS EXRAY_REC_TYPE_MAX

#endif /* EXRAY_EVENTS_H */
