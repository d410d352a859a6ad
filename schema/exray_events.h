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
	/* 1.2: what a process did, and who a container is */
	EXRAY_REC_FILE = 10,          /* struct exray_file + paths */
	EXRAY_REC_PRIV = 11,          /* struct exray_priv */
	EXRAY_REC_NS = 12,            /* struct exray_ns + strings */
	EXRAY_REC_PTRACE = 13,        /* struct exray_ptrace */
	EXRAY_REC_SOCKET = 14,        /* struct exray_socket */
	EXRAY_REC_MEMFD = 15,         /* struct exray_memfd + name */
	EXRAY_REC_BPF = 16,           /* struct exray_bpf_cmd */
	EXRAY_REC_URING = 17,         /* struct exray_uring + path */
	EXRAY_REC_CONTAINER = 18,     /* struct exray_container + key/values */
	EXRAY_REC_TYPE_MAX,           /* one past the highest known type */
};

/* Per-type counters (segment stats, loss slots, readers' tallies) have this
 * many slots: every type number above stays below it. */
#define EXRAY_TYPE_SLOTS 32

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
#define EXRAY_F_EXEC_EXT           0x0010 /* 1.2: struct exray_exec_ext follows argv */
#define EXRAY_F_EXE_TRUNCATED      0x0020 /* 1.2: resolved image path cut */
#define EXRAY_F_CWD_TRUNCATED      0x0040 /* 1.2: cwd cut */
#define EXRAY_F_ARGV_UNREADABLE    0x0080 /* 1.2: argv could not be read (not: empty) */
#define EXRAY_F_FILENAME_UNREADABLE 0x0100 /* 1.2: the path argument could not be read */

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

/*
 * 1.2 exec/snapshot extension (hdr.flags & EXRAY_F_EXEC_EXT): at offset
 * EXRAY_REC_ALIGN_UP(sizeof(struct exray_exec) + filename_len + argv_len),
 * followed by exe_len bytes of the image the kernel really executed (the
 * d_path of the new mm's exe_file: symlinks, "..", "//", fexecve and
 * ld.so-run files resolved) and cwd_len bytes of the working directory,
 * each NUL-terminated. Readers of 1.1 stop at argv and never see it.
 * Both paths are as the task sees them (from its root, so a container's
 * "/tmp/x" is "/tmp/x"), without d_path's " (deleted)" suffix: the flags
 * say that. A memfd image is "/memfd:NAME".
 */
#define EXRAY_EXE_MEMFD       0x0001 /* image is a memfd ("/memfd:NAME") */
#define EXRAY_EXE_DELETED     0x0002 /* image file was unlinked */
#define EXRAY_EXE_UPPER_LAYER 0x0004 /* image lives in an overlayfs upper dir:
                                        written inside the container */
#define EXRAY_EXE_UNRESOLVED  0x0008 /* exe path could not be resolved */
#define EXRAY_EXE_SETUID      0x0010 /* image file mode has S_ISUID */
#define EXRAY_EXE_SETGID      0x0020 /* image file mode has S_ISGID */
#define EXRAY_EXE_LOADER      0x0040 /* the kernel ran the dynamic loader
                                        (`ld.so FILE`): exe is FILE, taken
                                        from the loader's arguments and made
                                        absolute from cwd (symlinks in it
                                        not followed); exe_ino/exe_dev are
                                        the loader's */
struct exray_exec_ext {
	__u64 cap_effective; /* after the exec */
	__u64 exe_ino;       /* image inode number */
	__u32 exe_dev;       /* image device, kernel encoding (major << 20 | minor) */
	__u32 exe_flags;     /* EXRAY_EXE_* */
	__u32 tty;           /* controlling terminal's device (kernel encoding), 0: none */
	__u16 exe_len;       /* bytes incl. the NUL (0: none) */
	__u16 cwd_len;       /* bytes incl. the NUL (0: none) */
	/* char exe[exe_len], cwd[cwd_len] follow */
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
 * A path deeper or longer than the kernel walk keeps its leaf components
 * (where container ids are) and starts with "/..." in place of the ones
 * cut, with EXRAY_F_CGROUP_PATH_TRUNCATED.
 */
#define EXRAY_F_CGROUP_PATH_TRUNCATED 0x0001 /* top cut: the path starts "/..." */
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

/* ------------------------------------------------------------------ 1.2
 * What a process did. Each record carries the acting task's identity
 * (after the call, for calls that change it), the call's result (`ret`: 0 or
 * a non-negative value on success, -errno on failure: failed attempts are
 * recorded too), then its strings, each NUL-terminated, in the order of
 * their _len fields, then zero padding to hdr.len.
 */

/* file: op */
enum exray_file_op {
	EXRAY_FILE_WRITE = 1,   /* opened for writing (O_WRONLY/O_RDWR) */
	EXRAY_FILE_CREATE = 2,  /* opened with O_CREAT and created, or mknod */
	EXRAY_FILE_TRUNCATE = 3,/* O_TRUNC or truncate() */
	EXRAY_FILE_RENAME = 4,  /* path -> path2 */
	EXRAY_FILE_UNLINK = 5,  /* unlink or rmdir */
	EXRAY_FILE_LINK = 6,    /* hard link: path2 is the new name of path */
	EXRAY_FILE_SYMLINK = 7, /* path2 (new link) -> path (target text, unresolved) */
	EXRAY_FILE_CHMOD = 8,   /* mode: the new mode */
	EXRAY_FILE_CHOWN = 9,   /* uid, gid: the new owner (0xffffffff: unchanged) */
	EXRAY_FILE_READ = 10,   /* read-only open of a sensitive path */
	/* 1.5: how a container reaches outside itself */
	EXRAY_FILE_CONNECT = 11,        /* connect() to an AF_UNIX socket: path as given
	                                   (abstract: "@name"), path2 the name the
	                                   listening socket was bound to (its own view) */
	EXRAY_FILE_OPEN_BY_HANDLE = 12, /* open_by_handle_at: path the file reached,
	                                   path2 the mount fd's; struct exray_file_ext */
	EXRAY_FILE_NAME_TO_HANDLE = 13, /* name_to_handle_at: path; struct exray_file_ext */
	EXRAY_FILE_OP_MAX,
};
/* file: flags */
#define EXRAY_F_PATH_UNRESOLVED  0x0001 /* path is the raw argument, not resolved */
#define EXRAY_F_PATH_TRUNCATED   0x0002
#define EXRAY_F_PATH2_UNRESOLVED 0x0004
#define EXRAY_F_PATH2_TRUNCATED  0x0008
#define EXRAY_F_PATH_UNREADABLE  0x0010 /* the argument could not be read at all */
#define EXRAY_F_FILE_EXEC_BITS   0x0020 /* chmod/create gave an exec bit */
#define EXRAY_F_FILE_SENSITIVE   0x0040 /* path matched the sensitive-path list */
#define EXRAY_F_PATH2_UNREADABLE 0x0080 /* the second argument could not be read */
#define EXRAY_F_FILE_OTHER_MOUNT 0x0100 /* the file is on a mount other than the task's
                                           root (a volume, a host path bound in);
                                           known for opened files and fd calls */
#define EXRAY_F_FILE_OUTSIDE_MNTNS     0x0200 /* 1.5: an open reached a file outside the task's
                                           mount namespace: another namespace's mount
                                           (a host file through /proc/PID/exe, root,
                                           cwd or fd) or a kernel-internal one (a memfd) */
#define EXRAY_F_PATH_ABSTRACT    0x0400 /* 1.5: connect: path is an abstract socket name */
#define EXRAY_F_PATH2_ABSTRACT   0x0800 /* 1.5: connect: path2 is an abstract socket name */
#define EXRAY_F_FILE_EXT         0x1000 /* 1.5: struct exray_file_ext follows the paths */

/* file (EXRAY_REC_FILE), then path[path_len] and path2[path2_len]. */
struct exray_file {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u8 op;             /* enum exray_file_op */
	__u8 reserved[3];
	__s32 ret;
	__u32 open_flags;    /* O_* of an open; AT_* flags of *at calls otherwise */
	__u32 mode;          /* create/chmod: the mode given (mknod: with S_IFMT) */
	__u32 uid, gid;      /* chown: new owner, 0xffffffff = unchanged */
	__u16 path_len;      /* bytes incl. the NUL (0: none) */
	__u16 path2_len;
	__u32 rdev;          /* mknod of a device: major << 20 | minor; else 0 */
};

/*
 * 1.5 file extension (hdr.flags & EXRAY_F_FILE_EXT): at offset
 * EXRAY_REC_ALIGN_UP(sizeof(struct exray_file) + path_len + path2_len),
 * after the paths, so readers of older versions never see it. Written for
 * a cgroup control file and the *_handle_at calls.
 */
struct exray_file_ext {
	__u64 cgroup_id;     /* a cgroup control file (cgroup.procs, tasks,
	                        devices.allow, release_agent...): the cgroup its
	                        directory is, as kernfs numbers it (on cgroup2 the
	                        same number as exray_task.cgroup_id); else 0 */
	__u32 fs_magic;      /* the file's filesystem (statfs f_type), 0: unknown */
	__s32 handle_type;   /* *_handle_at: file_handle.handle_type */
	__u32 handle_bytes;  /* *_handle_at: file_handle.handle_bytes */
	__u32 reserved;
	__u8 handle[8];      /* *_handle_at: the first bytes of f_handle (ext4's
	                        FILEID_INO32_GEN: inode, generation) */
};

/* priv: op */
enum exray_priv_op {
	EXRAY_PRIV_SETUID = 1, EXRAY_PRIV_SETGID = 2, EXRAY_PRIV_SETREUID = 3,
	EXRAY_PRIV_SETREGID = 4, EXRAY_PRIV_SETRESUID = 5, EXRAY_PRIV_SETRESGID = 6,
	EXRAY_PRIV_SETFSUID = 7, EXRAY_PRIV_SETFSGID = 8, EXRAY_PRIV_CAPSET = 9,
	EXRAY_PRIV_OP_MAX,
};
/* priv (EXRAY_REC_PRIV): a credential change, attempted or done. */
struct exray_priv {
	struct exray_rec_hdr hdr;
	struct exray_task task;    /* credentials after the call */
	__u8 op;                   /* enum exray_priv_op */
	__u8 reserved[3];
	__s32 ret;
	__u32 old_ids[3];          /* real, effective, saved uid (gid for *gid ops) before;
	                              setfsuid/setfsgid: the third is the fs id */
	__u32 new_ids[3];          /* the same after the call */
	__u64 cap_effective_old;   /* before */
	__u64 cap_effective;       /* after */
	__u64 cap_permitted;       /* after */
};

/* ns: op */
enum exray_ns_op {
	EXRAY_NS_SETNS = 1, EXRAY_NS_UNSHARE = 2, EXRAY_NS_CLONE = 3, EXRAY_NS_MOUNT = 4,
	EXRAY_NS_UMOUNT = 5, EXRAY_NS_PIVOT_ROOT = 6, EXRAY_NS_OP_MAX,
};
/* ns: nstypes bits (dump names: mnt, cgroup, uts, ipc, user, pid, net, time) */
#define EXRAY_NSB_MNT    0x01
#define EXRAY_NSB_CGROUP 0x02
#define EXRAY_NSB_UTS    0x04
#define EXRAY_NSB_IPC    0x08
#define EXRAY_NSB_USER   0x10
#define EXRAY_NSB_PID    0x20
#define EXRAY_NSB_NET    0x40
#define EXRAY_NSB_TIME   0x80
/* ns: flags */
#define EXRAY_F_NS_TARGET_TRUNCATED 0x0001
#define EXRAY_F_NS_STRING_UNREADABLE 0x0002 /* a string argument could not be read */
/* ns (EXRAY_REC_NS), then target[target_len], source[source_len],
 * fstype[fstype_len]. */
struct exray_ns {
	struct exray_rec_hdr hdr;
	struct exray_task task;   /* namespaces after the call */
	__u8 op;                  /* enum exray_ns_op */
	__u8 reserved[3];
	__s32 ret;                /* clone: the child's pid */
	__u64 flags;              /* clone/unshare CLONE_* flags, setns nstype argument,
	                             mount/umount flags */
	__u32 nstypes;            /* EXRAY_NSB_* the call creates or enters */
	__u32 target_pid;         /* setns: pid behind the fd (pidfd or /proc/PID/ns/X),
	                             clone: child; 0 unknown */
	__u32 target_ns;          /* setns: inode of the namespace entered; 0 unknown */
	__u16 target_len;         /* setns: the fd's path; mount/umount: mount point;
	                             pivot_root: new root */
	__u16 source_len;         /* mount: source; pivot_root: put_old */
	__u16 fstype_len;         /* mount: filesystem type */
	__u16 reserved2;
	__u32 reserved3;
};

/* ptrace: op */
enum exray_ptrace_op {
	EXRAY_PTRACE_ATTACH = 1, EXRAY_PTRACE_SEIZE = 2, EXRAY_PTRACE_TRACEME = 3,
	EXRAY_PTRACE_POKE = 4,    /* POKETEXT/POKEDATA/POKEUSER, SETREGS... */
	EXRAY_PTRACE_VM_WRITE = 5,/* process_vm_writev */
	EXRAY_PTRACE_OP_MAX,
};
/* ptrace (EXRAY_REC_PTRACE): one process reaching into another. */
struct exray_ptrace {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u8 op;                  /* enum exray_ptrace_op */
	__u8 reserved[3];
	__s32 ret;
	__s64 request;            /* ptrace request; process_vm_writev: -1 */
	__u32 target_pid;         /* tgid of the target (traceme: the parent) */
	__u32 reserved2;
	__u64 target_start;       /* target's start time (its key), 0 unknown */
	__u64 addr;               /* poke: the address written */
};

/* socket: op */
enum exray_socket_op {
	EXRAY_SOCKET_PACKET = 1,    /* AF_PACKET socket created */
	EXRAY_SOCKET_RAW = 2,       /* SOCK_RAW socket created (AF_INET/AF_INET6) */
	EXRAY_SOCKET_DUP_STDIO = 3, /* a socket fd duplicated onto fd 0, 1 or 2 */
	EXRAY_SOCKET_OP_MAX,
};
/* socket (EXRAY_REC_SOCKET) */
struct exray_socket {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u8 op;                  /* enum exray_socket_op */
	__u8 peer_family;         /* dup_stdio: EXRAY_FAMILY_V4/_V6 of the peer, 0 none */
	__u16 dport;              /* dup_stdio: the socket's peer port */
	__s32 ret;
	__u16 family;             /* AF_* of the socket (host values) */
	__u16 sock_type;          /* SOCK_* */
	__u16 protocol;
	__u16 reserved;
	__s32 fd;                 /* dup_stdio: the new fd (0, 1, 2); creation: ret */
	__s32 oldfd;              /* dup_stdio: the socket's fd */
	__u64 sock;               /* the connect record's keyed socket id, 0 if none */
	__u8 daddr[16];           /* dup_stdio: peer address */
};

/* memfd (EXRAY_REC_MEMFD), then name[name_len] (without the "memfd:"). */
#define EXRAY_F_MEMFD_NAME_UNREADABLE 0x0001
struct exray_memfd {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__s32 ret;                /* the fd, or -errno */
	__u32 mfd_flags;          /* MFD_* */
	__u16 name_len;
	__u8 reserved[6];
};

/* bpf (EXRAY_REC_BPF): a BPF program load (or another bpf() command). */
struct exray_bpf_cmd {
	struct exray_rec_hdr hdr;
	struct exray_task task;
	__u32 cmd;                /* bpf() command, BPF_PROG_LOAD = 5 */
	__s32 ret;
	__u32 prog_type;          /* BPF_PROG_TYPE_* */
	__u32 insn_cnt;
	char prog_name[16];       /* NUL-padded */
};

/* uring (EXRAY_REC_URING): a security-relevant io_uring submission, which
 * no syscall tracepoint sees. Then path[path_len] and path2[path2_len],
 * made absolute like file paths (from the request's dirfd or the cwd, "."
 * and ".." folded, symlinks not followed). */
#define EXRAY_F_URING_PATH_UNREADABLE 0x0001
#define EXRAY_F_URING_PATH_UNRESOLVED 0x0002 /* path is the raw argument */
#define EXRAY_F_URING_PATH_TRUNCATED  0x0004
struct exray_uring {
	struct exray_rec_hdr hdr;
	struct exray_task task;   /* the submitting task */
	__u8 opcode;              /* IORING_OP_* */
	__u8 family;              /* connect: EXRAY_FAMILY_V4/_V6, else 0 */
	__u16 dport;              /* connect: destination port */
	__s32 fd;                 /* the request's fd (dirfd for *at ops) */
	__u64 user_data;
	__u8 daddr[16];           /* connect: destination */
	__u16 path_len;           /* openat/unlinkat/renameat/...: the path argument */
	__u16 path2_len;          /* renameat/linkat: the new name; symlinkat: the link */
	__u8 reserved[4];
};

/*
 * container (EXRAY_REC_CONTAINER): who a container is, read by the recorder
 * from what the runtime left on the host (never from the container) the
 * first time its cgroup is seen. Then kv_len bytes of NUL-terminated key
 * and value strings, alternating. Keys: id, runtime, name, image,
 * image_digest, pod_name, pod_namespace, pod_uid, container_name (the
 * Kubernetes one), source (the file it came from), label.KEY; unknown keys
 * are kept by readers, missing ones are unknown.
 */
struct exray_container {
	struct exray_rec_hdr hdr;
	__u64 cgroup_id;
	__u32 kv_len;             /* bytes incl. every NUL */
	__u32 reserved;
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
EXRAY_ASSERT_SIZE(struct exray_exec_ext, 32);
EXRAY_ASSERT_SIZE(struct exray_file, 136);
EXRAY_ASSERT_OFF(struct exray_file, op, 104);
EXRAY_ASSERT_OFF(struct exray_file, ret, 108);
EXRAY_ASSERT_OFF(struct exray_file, path_len, 128);
EXRAY_ASSERT_SIZE(struct exray_file_ext, 32);
EXRAY_ASSERT_SIZE(struct exray_priv, 160);
EXRAY_ASSERT_OFF(struct exray_priv, old_ids, 112);
EXRAY_ASSERT_OFF(struct exray_priv, cap_effective_old, 136);
EXRAY_ASSERT_SIZE(struct exray_ns, 144);
EXRAY_ASSERT_OFF(struct exray_ns, flags, 112);
EXRAY_ASSERT_OFF(struct exray_ns, target_len, 132);
EXRAY_ASSERT_SIZE(struct exray_ptrace, 144);
EXRAY_ASSERT_OFF(struct exray_ptrace, request, 112);
EXRAY_ASSERT_OFF(struct exray_ptrace, target_start, 128);
EXRAY_ASSERT_SIZE(struct exray_socket, 152);
EXRAY_ASSERT_OFF(struct exray_socket, family, 112);
EXRAY_ASSERT_OFF(struct exray_socket, sock, 128);
EXRAY_ASSERT_SIZE(struct exray_memfd, 120);
EXRAY_ASSERT_SIZE(struct exray_bpf_cmd, 136);
EXRAY_ASSERT_OFF(struct exray_bpf_cmd, prog_name, 120);
EXRAY_ASSERT_SIZE(struct exray_uring, 144);
EXRAY_ASSERT_OFF(struct exray_uring, daddr, 120);
EXRAY_ASSERT_OFF(struct exray_uring, path_len, 136);
EXRAY_ASSERT_OFF(struct exray_uring, path2_len, 138);
EXRAY_ASSERT_SIZE(struct exray_container, 32);
_Static_assert(EXRAY_REC_TYPE_MAX <= EXRAY_TYPE_SLOTS, "per-type counters index record types");

/* The largest record a BPF program emits: an exec with both strings full. */
#define EXRAY_EXEC_MAX_SIZE                                                                   \
	(EXRAY_REC_ALIGN_UP(sizeof(struct exray_exec) + EXRAY_PATH_MAX + EXRAY_ARGV_MAX_LIMIT) + \
	 EXRAY_REC_ALIGN_UP(sizeof(struct exray_exec_ext) + 2 * EXRAY_PATH_MAX))

/* Per-CPU loss counters in the kernel: index = cpu-local slot per type. */
#define EXRAY_LOSS_SLOTS EXRAY_REC_TYPE_MAX

#endif /* EXRAY_EVENTS_H */
