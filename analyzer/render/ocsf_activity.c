/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a process did (format 1.2 families, one table each: file_events,
 * priv_events, ns_events, ptrace_events, socket_events, memfd_events,
 * bpf_events, uring_events) as OCSF events of the class each act belongs
 * to (docs/export.md has the table): File System Activity 1001 for file
 * changes, memfd, mounts and io_uring file ops; Process Activity 1007 for
 * credential changes (Set User ID), namespace changes and ptrace (Open,
 * Inject); Network Activity 4001 for raw and packet sockets, a socket on
 * stdio and io_uring connects; Kernel Activity 1003 for BPF loads. The
 * acting process is the actor; a failed attempt has status Failure and its
 * errno. A case without a family's table (older schema) has no such events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "render/ocsf_int.h"

/* One family: its table, its columns after the common ones, its writer. */
struct family {
	const char *table, *kind, *cols;
	void (*write)(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h, const struct ocsf_proc *p,
		      const char *op, int64_t ts, int64_t wall, const char *uid);
};

/* Common columns: A_* below; the family's own start at A_FAM. */
enum { A_HOST, A_TS, A_TID, A_OP, A_RET, A_PROC, A_FAM = A_PROC + OCSF_PROC_NCOLS };
#define FAM(i) (A_FAM + (i))

static const char *text_or(sqlite3_stmt *st, int col, const char *def)
{
	const char *s = ocsf_col_text(st, col);
	return s ? s : def;
}

/* status of an act from its return value: NULL ret (io_uring submissions)
 * is Unknown. */
static void write_status(struct jsonw *w, sqlite3_stmt *st)
{
	char ebuf[24];
	const char *detail;
	int64_t ret;

	if (sqlite3_column_type(st, A_RET) == SQLITE_NULL) {
		jw_int(w, "status_id", 0);
		jw_str(w, "status", "Unknown");
		jw_str(w, "status_detail", "submitted; the completion is not recorded");
		return;
	}
	ret = sqlite3_column_int64(st, A_RET);
	if (ret < 0) {
		jw_int(w, "status_id", 2);
		jw_str(w, "status", "Failure");
		jw_str(w, "status_code", ocsf_errno_name(ret, ebuf, &detail));
		jw_str(w, "status_detail", detail);
	} else {
		jw_int(w, "status_id", 1);
		jw_str(w, "status", "Success");
	}
}

/* The acting process as actor (with ancestry). */
static void write_actor(struct ocsf_ctx *c, const struct ocsf_proc *p)
{
	jw_obj(&c->w, "actor");
	ocsf_write_process(c, "process", p, true);
	jw_end(&c->w);
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* A file object: name and path; type_id 0 unless the caller knows. An
 * unreadable path is named "(unreadable)" (file.name is required). */
static void write_file(struct jsonw *w, const char *key, const char *path, int type_id, const char *type)
{
	jw_obj(w, key);
	jw_str(w, "name", path ? basename_of(path) : "(unreadable)");
	jw_str(w, "path", path);
	jw_int(w, "type_id", type_id);
	jw_str(w, "type", type);
	jw_end(w);
}

static void begin(struct ocsf_ctx *c, int class_uid, int activity, const char *name, const struct ocsf_host *h,
		  int64_t wall, const char *uid, const char *code)
{
	ocsf_begin(c, class_uid, activity, name, 1, h, wall, uid, code);
}

/* ---- file_events: File System Activity */
static void write_file_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			     const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	static const struct {
		const char *op, *name;
		int activity;
	} map[] = {
		{ "write", "Open", 14 }, { "create", "Create", 1 }, { "truncate", "Update", 3 },
		{ "rename", "Rename", 5 }, { "unlink", "Delete", 4 }, { "link", "Create", 1 },
		{ "symlink", "Create", 1 }, { "chmod", "Set Security", 7 }, { "chown", "Set Security", 7 },
		{ "read", "Read", 2 }, { "open_by_handle", "Open", 14 },
	};
	struct jsonw *w = &c->w;
	const char *path = ocsf_col_text(st, FAM(0)), *path2 = ocsf_col_text(st, FAM(1));
	int activity = OCSF_ACTIVITY_OTHER;
	const char *name = op;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(op, map[i].op))
			activity = map[i].activity, name = map[i].name;
	begin(c, OCSF_FILE_ACTIVITY, activity, name, h, wall, uid, "file");
	write_status(w, st);
	if (!strcmp(op, "symlink")) {
		/* the new link is the file made; path is the text it points to */
		write_file(w, "file", path2, 7, "Symbolic Link");
	} else {
		write_file(w, "file", path, 0, "Unknown");
		if (path2 && (!strcmp(op, "rename") || !strcmp(op, "link")))
			write_file(w, "file_result", path2, 0, "Unknown");
	}
	if (sqlite3_column_type(st, FAM(2)) != SQLITE_NULL && !strcmp(op, "write"))
		jw_int(w, "access_mask", sqlite3_column_int64(st, FAM(2)));
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	if (sqlite3_column_type(st, FAM(3)) != SQLITE_NULL)
		jw_int(w, "mode", sqlite3_column_int64(st, FAM(3)));
	if (!strcmp(op, "chown")) {
		jw_int(w, "owner_uid", ocsf_col_int(st, FAM(4), -1));
		jw_int(w, "owner_gid", ocsf_col_int(st, FAM(5), -1));
	}
	if (!strcmp(op, "symlink"))
		jw_str(w, "link_target", path);
	jw_bool(w, "sensitive", ocsf_col_int(st, FAM(6), 0));
	jw_bool(w, "exec_bits", ocsf_col_int(st, FAM(7), 0));
	if (ocsf_col_int(st, FAM(8), 0))
		jw_bool(w, "path_unresolved", true);
	if (sqlite3_column_type(st, FAM(9)) != SQLITE_NULL) { /* mknod of a device, as dump shows it */
		int64_t rdev = sqlite3_column_int64(st, FAM(9));
		char dev[32];
		snprintf(dev, sizeof(dev), "%lld:%lld", (long long)(rdev >> 20), (long long)(rdev & 0xfffff));
		jw_str(w, "rdev", dev);
	}
	if (ocsf_col_int(st, FAM(10), 0))
		jw_bool(w, "other_mount", true);
	if (ocsf_col_int(st, FAM(11), 0))
		jw_bool(w, "outside_mntns", true);
	if (sqlite3_column_type(st, FAM(12)) != SQLITE_NULL)
		jw_int(w, "cgroup_target", sqlite3_column_int64(st, FAM(12)));
	if (sqlite3_column_type(st, FAM(13)) != SQLITE_NULL)
		jw_int(w, "fs_magic", sqlite3_column_int64(st, FAM(13)));
	if (sqlite3_column_type(st, FAM(14)) != SQLITE_NULL) { /* a file handle */
		jw_int(w, "handle_type", sqlite3_column_int64(st, FAM(14)));
		jw_int(w, "handle_bytes", ocsf_col_int(st, FAM(15), 0));
		jw_str(w, "handle", ocsf_col_text(st, FAM(16)));
	}
	if (path2 && !strcmp(op, "connect"))
		jw_str(w, "peer_name", path2);
	if (path2 && !strcmp(op, "open_by_handle"))
		jw_str(w, "mount_path", path2);
	jw_end(w);
}

/* ---- memfd_events: an anonymous file created (File System Create) */
static void write_memfd_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			      const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	struct jsonw *w = &c->w;
	const char *mname = ocsf_col_text(st, FAM(0));
	char *path = NULL;

	begin(c, OCSF_FILE_ACTIVITY, 1, "Create", h, wall, uid, "memfd");
	write_status(w, st);
	if (mname && asprintf(&path, "/memfd:%s", mname) < 0)
		path = NULL;
	write_file(w, "file", path, 99, "memfd");
	free(path);
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	if (sqlite3_column_type(st, FAM(1)) != SQLITE_NULL)
		jw_int(w, "mfd_flags", sqlite3_column_int64(st, FAM(1)));
	jw_end(w);
}

/* ---- priv_events: Set User ID (uid calls), Other (gid calls, capset) */
static void write_priv_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			     const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	static const char *const names[] = { "old_real", "old_effective", "old_saved", "new_real",
					     "new_effective", "new_saved" };
	struct jsonw *w = &c->w;
	bool setuid = !strncmp(op, "set", 3) && strstr(op, "uid");
	char hex[24];

	begin(c, OCSF_PROCESS_ACTIVITY, setuid ? 5 : OCSF_ACTIVITY_OTHER, setuid ? "Set User ID" : op, h, wall,
	      uid, "priv");
	write_status(w, st);
	ocsf_write_process(c, "process", p, false);
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	for (int i = 0; i < 6; i++)
		if (sqlite3_column_type(st, FAM(i)) != SQLITE_NULL)
			jw_int(w, names[i], sqlite3_column_int64(st, FAM(i)));
	for (int i = 0; i < 3; i++) {
		static const char *const caps[] = { "cap_effective_old", "cap_effective", "cap_permitted" };
		if (sqlite3_column_type(st, FAM(6 + i)) == SQLITE_NULL)
			continue;
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)sqlite3_column_int64(st, FAM(6 + i)));
		jw_str(w, caps[i], hex);
	}
	jw_end(w);
}

/* ---- ns_events: mount/umount/pivot_root as File System Activity,
 * setns/unshare/clone as Process Activity Other */
static void write_ns_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			   const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	struct jsonw *w = &c->w;
	bool mount = !strcmp(op, "mount"), umount = !strcmp(op, "umount"), pivot = !strcmp(op, "pivot_root");
	const char *nstypes = ocsf_col_text(st, FAM(0)), *target = ocsf_col_text(st, FAM(4));

	if (mount || umount || pivot) {
		begin(c, OCSF_FILE_ACTIVITY, mount ? 12 : umount ? 13 : OCSF_ACTIVITY_OTHER,
		      mount ? "Mount" : umount ? "Unmount" : "Pivot Root", h, wall, uid, "ns");
		write_status(w, st);
		write_file(w, "file", target, 2, "Folder");
	} else {
		begin(c, OCSF_PROCESS_ACTIVITY, OCSF_ACTIVITY_OTHER,
		      !strcmp(op, "setns") ? "Enter Namespace" : !strcmp(op, "unshare") ? "Unshare Namespace"
											: "Clone Namespace",
		      h, wall, uid, "ns");
		write_status(w, st);
		ocsf_write_process(c, "process", p, false);
	}
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	if (nstypes) { /* 'mnt,net' as an array */
		jw_arr(w, "nstype");
		for (const char *s = nstypes; *s;) {
			size_t n = strcspn(s, ",");
			if (n)
				jw_strn(w, NULL, s, n);
			s += n + (s[n] == ',');
		}
		jw_end(w);
	}
	for (int i = 1; i <= 3; i++) {
		static const char *const names[] = { NULL, "call_flags", "target_pid", "target_ns" };
		if (sqlite3_column_type(st, FAM(i)) != SQLITE_NULL)
			jw_int(w, names[i], sqlite3_column_int64(st, FAM(i)));
	}
	if (!mount && !umount && !pivot)
		jw_str(w, "target", target);
	jw_str(w, "source", ocsf_col_text(st, FAM(5)));
	jw_str(w, "fstype", ocsf_col_text(st, FAM(6)));
	jw_end(w);
}

/* ---- ptrace_events: attach/seize Open, poke/vm_write Inject, traceme Other;
 * the target is the process */
static void write_ptrace_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			       const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	struct jsonw *w = &c->w;
	bool open = !strcmp(op, "attach") || !strcmp(op, "seize");
	bool inject = !strcmp(op, "poke") || !strcmp(op, "vm_write");
	struct ocsf_proc t;

	begin(c, OCSF_PROCESS_ACTIVITY, open ? 3 : inject ? 4 : OCSF_ACTIVITY_OTHER,
	      open ? "Open" : inject ? "Inject" : "Trace Me", h, wall, uid, "ptrace");
	write_status(w, st);
	if (inject) {
		jw_int(w, "injection_type_id", OCSF_ACTIVITY_OTHER);
		jw_str(w, "injection_type", !strcmp(op, "poke") ? "ptrace poke" : "process_vm_writev");
	}
	/* the target: as recorded (its own row when known), else its pid */
	ocsf_proc_from_row(st, FAM(3), h, &t);
	if (t.pid < 0) {
		memset(&t, 0, sizeof(t));
		t.h = h, t.start = t.uid = t.vpid = t.tid = -1;
		t.pid = ocsf_col_int(st, FAM(1), 0);
	}
	ocsf_write_process(c, "process", &t, false);
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	if (sqlite3_column_type(st, FAM(0)) != SQLITE_NULL)
		jw_int(w, "request", sqlite3_column_int64(st, FAM(0)));
	if (sqlite3_column_type(st, FAM(2)) != SQLITE_NULL)
		jw_int(w, "addr", sqlite3_column_int64(st, FAM(2)));
	jw_end(w);
}

/* The host itself as a network endpoint (a socket with no peer yet). */
static void write_local_endpoint(struct ocsf_ctx *c, const struct ocsf_host *h, const struct ocsf_proc *p)
{
	jw_obj(&c->w, "src_endpoint");
	jw_str(&c->w, "hostname", h ? h->hostname : "");
	ocsf_write_container(c, "container", p);
	jw_end(&c->w);
}

/* ---- socket_events: Network Activity Other (raw, packet, socket on stdio) */
static void write_socket_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			       const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	struct jsonw *w = &c->w;
	const char *daddr = ocsf_col_text(st, FAM(5));

	begin(c, OCSF_NETWORK_ACTIVITY, OCSF_ACTIVITY_OTHER,
	      !strcmp(op, "packet") ? "Packet Socket" : !strcmp(op, "raw") ? "Raw Socket" : "Socket on Stdio", h,
	      wall, uid, "socket");
	write_status(w, st);
	write_local_endpoint(c, h, p);
	if (daddr) {
		ocsf_write_endpoint(c, "dst_endpoint", daddr, ocsf_col_int(st, FAM(6), 0), NULL);
		ocsf_write_tcp_out(c, (int)ocsf_col_int(st, FAM(7), 4), daddr);
	}
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	for (int i = 0; i < 5; i++) {
		static const char *const names[] = { "family", "sock_type", "protocol", "fd", "oldfd" };
		if (sqlite3_column_type(st, FAM(i)) != SQLITE_NULL)
			jw_int(w, names[i], sqlite3_column_int64(st, FAM(i)));
	}
	jw_end(w);
}

/* ---- bpf_events: Kernel Activity, a BPF program created */
static void write_bpf_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			    const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	struct jsonw *w = &c->w;
	bool load = !strcmp(op, "prog_load");

	begin(c, OCSF_KERNEL_ACTIVITY, load ? 1 : OCSF_ACTIVITY_OTHER, load ? "Create" : op, h, wall, uid, "bpf");
	write_status(w, st);
	jw_obj(w, "kernel");
	jw_str(w, "name", text_or(st, FAM(3), load ? "(unnamed BPF program)" : op));
	jw_int(w, "type_id", OCSF_ACTIVITY_OTHER);
	jw_str(w, "type", load ? "BPF program" : "BPF");
	jw_end(w);
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_str(w, "op", op);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "cmd", "prog_type", "insn_cnt" };
		if (sqlite3_column_type(st, FAM(i)) != SQLITE_NULL)
			jw_int(w, names[i], sqlite3_column_int64(st, FAM(i)));
	}
	jw_end(w);
}

/* ---- uring_events: by opcode, as the syscall would be */
static void write_uring_event(struct ocsf_ctx *c, sqlite3_stmt *st, const struct ocsf_host *h,
			      const struct ocsf_proc *p, const char *op, int64_t ts, int64_t wall, const char *uid)
{
	static const struct {
		const char *op, *name;
		int activity;
	} files[] = {
		{ "openat", "Open", 14 }, { "openat2", "Open", 14 }, { "renameat", "Rename", 5 },
		{ "unlinkat", "Delete", 4 }, { "linkat", "Create", 1 }, { "symlinkat", "Create", 1 },
		{ "mkdirat", "Create", 1 },
	};
	struct jsonw *w = &c->w;
	const char *path = ocsf_col_text(st, FAM(3)), *path2 = ocsf_col_text(st, FAM(4));
	const char *daddr = ocsf_col_text(st, FAM(6));
	int activity = -1;
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(op, files[i].op))
			activity = files[i].activity, name = files[i].name;
	if (activity > 0) {
		begin(c, OCSF_FILE_ACTIVITY, activity, name, h, wall, uid, "uring");
		write_status(w, st);
		write_file(w, "file", path, 0, "Unknown");
		if (path2)
			write_file(w, "file_result", path2, 0, "Unknown");
	} else if (!strcmp(op, "connect") && daddr) {
		begin(c, OCSF_NETWORK_ACTIVITY, 1, "Open", h, wall, uid, "uring");
		write_status(w, st);
		write_local_endpoint(c, h, p);
		ocsf_write_endpoint(c, "dst_endpoint", daddr, ocsf_col_int(st, FAM(7), 0), NULL);
		ocsf_write_tcp_out(c, (int)ocsf_col_int(st, FAM(5), 4), daddr);
	} else if (!strcmp(op, "connect") || !strcmp(op, "socket") || !strcmp(op, "accept")) {
		begin(c, OCSF_NETWORK_ACTIVITY, OCSF_ACTIVITY_OTHER, op, h, wall, uid, "uring");
		write_status(w, st);
		write_local_endpoint(c, h, p);
	} else {
		begin(c, OCSF_PROCESS_ACTIVITY, OCSF_ACTIVITY_OTHER, op, h, wall, uid, "uring");
		write_status(w, st);
		ocsf_write_process(c, "process", p, false);
	}
	write_actor(c, p);
	jw_obj(w, "unmapped");
	jw_obj(w, "io_uring");
	jw_str(w, "op", op);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "opcode", "fd", "user_data" };
		if (sqlite3_column_type(st, FAM(i)) != SQLITE_NULL)
			jw_int(w, names[i], sqlite3_column_int64(st, FAM(i)));
	}
	jw_end(w);
	jw_end(w);
}

static const struct family families[] = {
	{ "file_events", "file",
	  "x.path, x.path2, x.open_flags, x.mode, x.owner_uid, x.owner_gid, x.sensitive, x.exec_bits,"
	  " x.path_unresolved, x.rdev, x.other_mount, x.outside_mntns, x.cgroup_target, x.fs_magic,"
	  " x.handle_type, x.handle_bytes, x.handle",
	  write_file_event },
	{ "memfd_events", "memfd", "x.name, x.mfd_flags", write_memfd_event },
	{ "priv_events", "priv",
	  "x.old_real, x.old_effective, x.old_saved, x.new_real, x.new_effective, x.new_saved,"
	  " x.cap_effective_old, x.cap_effective, x.cap_permitted",
	  write_priv_event },
	{ "ns_events", "ns", "x.nstypes, x.call_flags, x.target_pid, x.target_ns, x.target, x.source, x.fstype",
	  write_ns_event },
	{ "ptrace_events", "ptrace",
	  "x.request, x.target_pid, x.addr, " OCSF_PROC_COLS("t", "t", "te", "tc"), write_ptrace_event },
	{ "socket_events", "socket", "x.family, x.sock_type, x.protocol, x.fd, x.oldfd, x.daddr, x.dport, x.peer_family",
	  write_socket_event },
	{ "bpf_events", "bpf", "x.cmd, x.prog_type, x.insn_cnt, x.prog_name", write_bpf_event },
	{ "uring_events", "uring", "x.opcode, x.fd, x.user_data, x.path, x.path2, x.family, x.daddr, x.dport",
	  write_uring_event },
};

static bool has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static int write_family(struct ocsf_ctx *c, const struct family *f)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	int r, err;

	if (!has_table(c->db, f->table))
		return 0;
	/* ptrace targets: their own row, image then and container */
	sql = sqlite3_mprintf(
		"SELECT x.host_id, x.ts, x.tid, x.op, x.ret, %s, %s"
		" FROM %s x JOIN hosts h ON h.host_id = x.host_id"
		" JOIN processes p ON p.proc_id = x.proc_id"
		" LEFT JOIN execs e ON e.exec_id = x.exec_id"
		" LEFT JOIN containers c ON c.container_id = x.container_id%s"
		" WHERE x.ts + h.boot_to_wall_ns BETWEEN ?1 AND ?2 AND %s ORDER BY x.event_id",
		OCSF_PROC_COLS("x", "p", "e", "c"), f->cols, f->table,
		!strcmp(f->kind, "ptrace") ? " LEFT JOIN processes t ON t.proc_id = x.target_proc_id"
					     " LEFT JOIN execs te ON te.exec_id = t.exec_id"
					     " LEFT JOIN containers tc ON tc.container_id = t.container_id"
					   : "",
		OCSF_CONTAINER_FILTER("x.container_id"));
	if (!sql)
		return -ENOMEM;
	err = ocsf_prepare(c, &st, sql);
	sqlite3_free(sql);
	if (err)
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, sqlite3_column_int64(st, A_HOST));
		int64_t ts = sqlite3_column_int64(st, A_TS);
		const char *op = text_or(st, A_OP, "?");
		struct ocsf_proc p;
		char uid[OCSF_UID_LEN];

		ocsf_proc_from_row(st, A_PROC, h, &p);
		p.tid = ocsf_col_int(st, A_TID, -1);
		ocsf_event_uid(uid, h, f->kind, p.pid, p.start, ts);
		f->write(c, st, h, &p, op, ts, ts + (h ? h->b2w : 0), uid);
		jw_end(&c->w);
		c->n->activity++;
	}
	sqlite3_finalize(st);
	return r;
}

int ocsf_write_activity(struct ocsf_ctx *c)
{
	int err = 0;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !err; i++)
		err = write_family(c, &families[i]);
	return err;
}
