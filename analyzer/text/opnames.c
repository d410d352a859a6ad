// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include "segment.h"
#include "text/opnames.h"

#define NAME_OF(tab, v) ((size_t)(v) < sizeof(tab) / sizeof(tab[0]) ? tab[v] : NULL)

static const char *const file_ops[] = {
	[EXRAY_FILE_WRITE] = "write",     [EXRAY_FILE_CREATE] = "create",
	[EXRAY_FILE_TRUNCATE] = "truncate", [EXRAY_FILE_RENAME] = "rename",
	[EXRAY_FILE_UNLINK] = "unlink",   [EXRAY_FILE_LINK] = "link",
	[EXRAY_FILE_SYMLINK] = "symlink", [EXRAY_FILE_CHMOD] = "chmod",
	[EXRAY_FILE_CHOWN] = "chown",     [EXRAY_FILE_READ] = "read",
	[EXRAY_FILE_CONNECT] = "connect", [EXRAY_FILE_OPEN_BY_HANDLE] = "open_by_handle",
	[EXRAY_FILE_NAME_TO_HANDLE] = "name_to_handle",
};
static const char *const priv_ops[] = {
	[EXRAY_PRIV_SETUID] = "setuid",       [EXRAY_PRIV_SETGID] = "setgid",
	[EXRAY_PRIV_SETREUID] = "setreuid",   [EXRAY_PRIV_SETREGID] = "setregid",
	[EXRAY_PRIV_SETRESUID] = "setresuid", [EXRAY_PRIV_SETRESGID] = "setresgid",
	[EXRAY_PRIV_SETFSUID] = "setfsuid",   [EXRAY_PRIV_SETFSGID] = "setfsgid",
	[EXRAY_PRIV_CAPSET] = "capset",
};
static const char *const ns_ops[] = {
	[EXRAY_NS_SETNS] = "setns", [EXRAY_NS_UNSHARE] = "unshare", [EXRAY_NS_CLONE] = "clone",
	[EXRAY_NS_MOUNT] = "mount", [EXRAY_NS_UMOUNT] = "umount",   [EXRAY_NS_PIVOT_ROOT] = "pivot_root",
};
static const char *const ptrace_ops[] = {
	[EXRAY_PTRACE_ATTACH] = "attach",   [EXRAY_PTRACE_SEIZE] = "seize",
	[EXRAY_PTRACE_TRACEME] = "traceme", [EXRAY_PTRACE_POKE] = "poke",
	[EXRAY_PTRACE_VM_WRITE] = "vm_write",
};
static const char *const socket_ops[] = {
	[EXRAY_SOCKET_PACKET] = "packet", [EXRAY_SOCKET_RAW] = "raw",
	[EXRAY_SOCKET_DUP_STDIO] = "dup_stdio",
};
/* bpf() commands (include/uapi/linux/bpf.h), by number */
static const char *const bpf_cmds[] = {
	"map_create", "map_lookup_elem", "map_update_elem", "map_delete_elem", "map_get_next_key",
	"prog_load", "obj_pin", "obj_get", "prog_attach", "prog_detach", "prog_test_run",
	"prog_get_next_id", "map_get_next_id", "prog_get_fd_by_id", "map_get_fd_by_id",
	"obj_get_info_by_fd", "prog_query", "raw_tracepoint_open", "btf_load", "btf_get_fd_by_id",
	"task_fd_query", "map_lookup_and_delete_elem", "map_freeze", "btf_get_next_id",
	"map_lookup_batch", "map_lookup_and_delete_batch", "map_update_batch", "map_delete_batch",
	"link_create", "link_update", "link_get_fd_by_id", "link_get_next_id", "enable_stats",
	"iter_create", "link_detach", "prog_bind_map", "token_create",
};
/* io_uring opcodes (include/uapi/linux/io_uring.h), by number */
static const char *const uring_ops[] = {
	"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed", "poll_add",
	"poll_remove", "sync_file_range", "sendmsg", "recvmsg", "timeout", "timeout_remove",
	"accept", "async_cancel", "link_timeout", "connect", "fallocate", "openat", "close",
	"files_update", "statx", "read", "write", "fadvise", "madvise", "send", "recv",
	"openat2", "epoll_ctl", "splice", "provide_buffers", "remove_buffers", "tee",
	"shutdown", "renameat", "unlinkat", "mkdirat", "symlinkat", "linkat", "msg_ring",
	"fsetxattr", "setxattr", "fgetxattr", "getxattr", "socket", "uring_cmd", "send_zc",
	"sendmsg_zc", "read_multishot", "waitid", "futex_wait", "futex_wake", "futex_waitv",
	"fixed_fd_install", "ftruncate", "bind", "listen",
};
static const char *const ns_names[] = { "mnt", "cgroup", "uts", "ipc", "user", "pid", "net", "time" };
static const char *const exe_names[] = { "memfd", "deleted", "upper_layer", "unresolved",
					 "setuid", "setgid", "loader" };

const char *rec_op_name(char buf[OPNAME_LEN], unsigned type, unsigned op)
{
	const char *n = NULL;

	switch (type) {
	case EXRAY_REC_FILE: n = NAME_OF(file_ops, op); break;
	case EXRAY_REC_PRIV: n = NAME_OF(priv_ops, op); break;
	case EXRAY_REC_NS: n = NAME_OF(ns_ops, op); break;
	case EXRAY_REC_PTRACE: n = NAME_OF(ptrace_ops, op); break;
	case EXRAY_REC_SOCKET: n = NAME_OF(socket_ops, op); break;
	case EXRAY_REC_MEMFD: n = "create"; break;
	case EXRAY_REC_BPF: n = NAME_OF(bpf_cmds, op); break;
	case EXRAY_REC_URING: n = NAME_OF(uring_ops, op); break;
	}
	if (n)
		return n;
	snprintf(buf, OPNAME_LEN, "op_%u", op);
	return buf;
}

static const char *bits_text(char *buf, size_t size, const char *const *names, unsigned n,
			     __u32 bits)
{
	size_t used = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < 32 && used < size; i++) {
		if (!(bits & (1u << i)))
			continue;
		int w = i < n ? snprintf(buf + used, size - used, "%s%s", used ? "," : "", names[i])
			      : snprintf(buf + used, size - used, "%sbit%u", used ? "," : "", i);
		used += w > 0 ? (size_t)w : 0;
	}
	return buf;
}

const char *ns_types_text(char *buf, size_t size, __u32 nstypes)
{
	return bits_text(buf, size, ns_names, sizeof(ns_names) / sizeof(ns_names[0]), nstypes);
}

const char *exe_flags_text(char *buf, size_t size, __u32 exe_flags)
{
	return bits_text(buf, size, exe_names, sizeof(exe_names) / sizeof(exe_names[0]), exe_flags);
}
