/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* OCSF export: the driver and what every event shares (ocsf_int.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/db.h"
#include "render/ocsf_int.h"
#include "text/imageref.h"
#include "text/timefmt.h"

/*
 * Ancestors are looked up by proc_id once per event and level; events of
 * one process tree come together, so a small direct-mapped cache answers
 * most lookups. Fixed size: memory does not grow with the case.
 */
#define ANC_CACHE_SLOTS 65536
/* Longer chains are cut (only a crafted parent cycle reaches this). */
#define ANC_MAX_DEPTH 64

struct anc_entry {
	int64_t proc_id, parent_id, pid, start;
	char *comm;
};

struct ocsf_anc_cache {
	struct anc_entry e[ANC_CACHE_SLOTS];
};

static const struct {
	int uid;
	const char *name, *category;
} ocsf_classes[] = {
	{ OCSF_FILE_ACTIVITY, "File System Activity", "System Activity" },
	{ OCSF_KERNEL_ACTIVITY, "Kernel Activity", "System Activity" },
	{ OCSF_PROCESS_ACTIVITY, "Process Activity", "System Activity" },
	{ OCSF_DETECTION_FINDING, "Detection Finding", "Findings" },
	{ OCSF_NETWORK_ACTIVITY, "Network Activity", "Network Activity" },
};

static const char *const severity_names[] = { "Unknown", "Informational", "Low", "Medium",
					       "High", "Critical", "Fatal" };

const struct ocsf_host *ocsf_host(const struct ocsf_ctx *c, int64_t host_id)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (c->hosts[i].host_id == host_id)
			return &c->hosts[i];
	return NULL;
}

int ocsf_prepare(struct ocsf_ctx *c, sqlite3_stmt **st, const char *sql)
{
	int err = db_prepare(c->db, st, sql);

	if (err)
		return err;
	sqlite3_bind_int64(*st, 1, c->o->since);
	sqlite3_bind_int64(*st, 2, c->o->until);
	if (c->o->container)
		sqlite3_bind_text(*st, 3, c->o->container, -1, SQLITE_STATIC);
	return 0;
}

int ocsf_step(struct ocsf_ctx *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_set_error("%s", sqlite3_errmsg(c->db));
	return -EIO;
}

const char *ocsf_col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

int64_t ocsf_col_int(sqlite3_stmt *st, int col, int64_t def)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? def : sqlite3_column_int64(st, col);
}

void ocsf_proc_from_row(sqlite3_stmt *st, int col, const struct ocsf_host *h, struct ocsf_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->h = h;
	p->pid = ocsf_col_int(st, col, -1);
	p->start = ocsf_col_int(st, col + 1, -1);
	p->uid = ocsf_col_int(st, col + 2, -1);
	p->vpid = ocsf_col_int(st, col + 3, -1);
	p->comm = ocsf_col_text(st, col + 4);
	p->path = ocsf_col_text(st, col + 5);
	p->cmdline = ocsf_col_text(st, col + 6);
	p->cid = ocsf_col_text(st, col + 7);
	p->runtime = ocsf_col_text(st, col + 8);
	p->pod_uid = ocsf_col_text(st, col + 9);
	p->parent_id = ocsf_col_int(st, col + 10, 0);
	p->cname = ocsf_col_text(st, col + 11);
	p->image = ocsf_col_text(st, col + 12);
	p->image_digest = ocsf_col_text(st, col + 13);
	p->tid = -1;
}

void ocsf_proc_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, int64_t pid, int64_t start)
{
	snprintf(out, OCSF_UID_LEN, "%s:%lld:%lld", h ? h->boot_id : "?", (long long)pid, (long long)start);
}

void ocsf_event_uid(char out[OCSF_UID_LEN], const struct ocsf_host *h, const char *kind, int64_t pid,
		    int64_t start, int64_t ts)
{
	snprintf(out, OCSF_UID_LEN, "%s:%s:%lld:%lld:%lld", h ? h->boot_id : "?", kind, (long long)pid,
		 (long long)start, (long long)ts);
}

/* OCSF times are ms since the epoch; floor, also before 1970. */
static int64_t wall_ms(int64_t wall_ns)
{
	return wall_ns >= 0 ? wall_ns / 1000000 : -((-wall_ns + 999999) / 1000000);
}

void ocsf_begin(struct ocsf_ctx *c, int class_uid, int activity_id, const char *activity_name,
		int severity_id, const struct ocsf_host *h, int64_t wall_ns, const char *uid,
		const char *event_code)
{
	struct jsonw *w = &c->w;
	const char *cname = "?", *catname = "?";
	char tbuf[TIMEFMT_LEN], type_name[96];

	for (size_t i = 0; i < sizeof(ocsf_classes) / sizeof(ocsf_classes[0]); i++)
		if (ocsf_classes[i].uid == class_uid)
			cname = ocsf_classes[i].name, catname = ocsf_classes[i].category;
	snprintf(type_name, sizeof(type_name), "%s: %s", cname,
		 activity_id == OCSF_ACTIVITY_OTHER ? "Other" : activity_name);
	jw_obj(w, NULL);
	jw_int(w, "class_uid", class_uid);
	jw_str(w, "class_name", cname);
	jw_int(w, "category_uid", class_uid / 1000);
	jw_str(w, "category_name", catname);
	jw_int(w, "activity_id", activity_id);
	jw_str(w, "activity_name", activity_name);
	jw_int(w, "type_uid", (long long)class_uid * 100 + activity_id);
	jw_str(w, "type_name", type_name);
	jw_int(w, "severity_id", severity_id);
	if (severity_id >= 0 && severity_id < (int)(sizeof(severity_names) / sizeof(severity_names[0])))
		jw_str(w, "severity", severity_names[severity_id]);
	jw_int(w, "time", wall_ms(wall_ns));
	jw_str(w, "time_dt", timefmt_rfc3339(tbuf, wall_ns));
	jw_obj(w, "metadata");
	jw_str(w, "version", OCSF_VERSION);
	jw_obj(w, "product");
	jw_str(w, "name", "exray");
	jw_str(w, "vendor_name", "exray");
	jw_str(w, "version", c->o->product_version);
	jw_end(w);
	jw_arr(w, "profiles");
	jw_str(w, NULL, "container");
	jw_str(w, NULL, "datetime");
	jw_str(w, NULL, "host");
	jw_end(w);
	jw_str(w, "uid", uid);
	jw_str(w, "event_code", event_code);
	jw_str(w, "log_provider", "exray-record");
	jw_end(w);
	if (h) {
		jw_obj(w, "device");
		jw_str(w, "hostname", h->hostname);
		jw_str(w, "boot_uid", h->boot_id);
		jw_int(w, "boot_time", wall_ms(h->b2w));
		jw_int(w, "type_id", 0);
		jw_str(w, "type", "Unknown");
		jw_obj(w, "os");
		jw_str(w, "name", "Linux");
		jw_int(w, "type_id", 200);
		jw_str(w, "type", "Linux");
		jw_str(w, "kernel_release", h->kernel);
		jw_end(w);
		jw_end(w);
	}
}

static const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* image of a container: name and tag from the reference the runtime was
 * given, uid (required by OCSF) the digest when one was recorded, else the
 * reference itself. */
static void write_image(struct jsonw *w, const char *ref, const char *digest)
{
	struct imageref r;

	imageref_split(ref, &r);
	jw_obj(w, "image");
	jw_str(w, "uid", digest ? digest : r.digest ? r.digest : ref);
	jw_strn(w, "name", ref, r.name_len);
	if (r.tag)
		jw_strn(w, "tag", r.tag, r.tag_len);
	jw_end(w);
}

void ocsf_write_container(struct ocsf_ctx *c, const char *key, const struct ocsf_proc *p)
{
	struct jsonw *w = &c->w;

	if (!p->cid)
		return;
	jw_obj(w, key);
	jw_str(w, "uid", p->cid);
	jw_str(w, "name", p->cname);
	jw_str(w, "runtime", p->runtime);
	jw_str(w, "pod_uuid", p->pod_uid);
	if (p->pod_uid)
		jw_str(w, "orchestrator", "Kubernetes");
	if (p->image)
		write_image(w, p->image, p->image_digest);
	jw_end(w);
}

/* The cache entry of proc_id, read from the case on a miss; NULL if none. */
static const struct anc_entry *anc_get(struct ocsf_ctx *c, int64_t proc_id)
{
	struct anc_entry *e = &c->cache->e[(uint64_t)proc_id % ANC_CACHE_SLOTS];
	const char *comm;

	if (e->proc_id == proc_id)
		return e;
	sqlite3_reset(c->anc);
	sqlite3_bind_int64(c->anc, 1, proc_id);
	if (sqlite3_step(c->anc) != SQLITE_ROW)
		return NULL;
	free(e->comm);
	e->proc_id = proc_id;
	e->parent_id = ocsf_col_int(c->anc, 0, 0);
	e->pid = sqlite3_column_int64(c->anc, 1);
	e->start = sqlite3_column_int64(c->anc, 2);
	comm = ocsf_col_text(c->anc, 3);
	e->comm = comm ? strdup(comm) : NULL;
	return e;
}

/* ancestry: the parent first, then its parent, as process_entity objects. */
static void write_ancestry(struct ocsf_ctx *c, const struct ocsf_host *h, int64_t parent_id)
{
	struct jsonw *w = &c->w;
	char uid[OCSF_UID_LEN];

	jw_arr(w, "ancestry");
	for (int depth = 0; parent_id && depth < ANC_MAX_DEPTH; depth++) {
		const struct anc_entry *e = anc_get(c, parent_id);
		if (!e)
			break;
		jw_obj(w, NULL);
		jw_int(w, "pid", e->pid);
		ocsf_proc_uid(uid, h, e->pid, e->start);
		jw_str(w, "uid", uid);
		jw_str(w, "name", e->comm);
		if (h)
			jw_int(w, "created_time", wall_ms(e->start + h->b2w));
		jw_end(w);
		parent_id = e->parent_id;
	}
	jw_end(w);
}

void ocsf_write_process(struct ocsf_ctx *c, const char *key, const struct ocsf_proc *p, bool ancestry)
{
	struct jsonw *w = &c->w;
	char uid[OCSF_UID_LEN];

	jw_obj(w, key);
	jw_int(w, "pid", p->pid);
	if (p->start >= 0) {
		ocsf_proc_uid(uid, p->h, p->pid, p->start);
		jw_str(w, "uid", uid);
		if (p->h)
			jw_int(w, "created_time", wall_ms(p->start + p->h->b2w));
	}
	if (p->tid >= 0)
		jw_int(w, "tid", p->tid);
	jw_str(w, "name", p->comm);
	jw_str(w, "cmd_line", p->cmdline);
	if (p->path) {
		jw_obj(w, "file");
		jw_str(w, "name", path_basename(p->path));
		jw_str(w, "path", p->path);
		jw_int(w, "type_id", 1);
		jw_str(w, "type", "Regular File");
		jw_end(w);
	}
	if (p->uid >= 0) {
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)p->uid);
		jw_obj(w, "user");
		jw_str(w, "uid", num);
		jw_end(w);
	}
	if (p->cid) {
		ocsf_write_container(c, "container", p);
		if (p->vpid >= 0)
			jw_int(w, "namespace_pid", p->vpid);
	}
	if (p->exit_wall)
		jw_int(w, "terminated_time", wall_ms(p->exit_wall));
	if (ancestry && p->parent_id)
		write_ancestry(c, p->h, p->parent_id);
	jw_end(w);
}

void ocsf_write_endpoint(struct ocsf_ctx *c, const char *key, const char *ip, int64_t port,
			 const struct ocsf_proc *container_of)
{
	struct jsonw *w = &c->w;

	jw_obj(w, key);
	jw_str(w, "ip", ip ? ip : "");
	if (port > 0)
		jw_int(w, "port", port);
	if (container_of)
		ocsf_write_container(c, "container", container_of);
	jw_end(w);
}

/* boundary_id of a destination: 1 Localhost, 2 Internal, 3 External. */
static int boundary(int family, const char *addr)
{
	unsigned char b[16];

	if (!addr || inet_pton(family == 6 ? AF_INET6 : AF_INET, addr, b) != 1)
		return 0;
	if (family == 6) {
		static const unsigned char loop[16] = { [15] = 1 };
		if (!memcmp(b, loop, 16))
			return 1;
		if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
			return 2;
		if (!memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) /* v4-mapped */
			memmove(b, b + 12, 4);
		else
			return 3;
	}
	if (b[0] == 127)
		return 1;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64))
		return 2;
	return 3;
}

void ocsf_write_tcp_out(struct ocsf_ctx *c, int family, const char *daddr)
{
	static const char *const boundary_names[] = { "Unknown", "Localhost", "Internal", "External" };
	struct jsonw *w = &c->w;
	int b = boundary(family, daddr);

	jw_obj(w, "connection_info");
	jw_str(w, "protocol_name", "tcp");
	jw_int(w, "protocol_num", 6);
	jw_int(w, "protocol_ver_id", family == 6 ? 6 : 4);
	jw_str(w, "protocol_ver", family == 6 ? "Internet Protocol version 6 (IPv6)"
					      : "Internet Protocol version 4 (IPv4)");
	jw_int(w, "direction_id", 2);
	jw_str(w, "direction", "Outbound");
	jw_int(w, "boundary_id", b);
	jw_str(w, "boundary", boundary_names[b]);
	jw_end(w);
}

const char *ocsf_errno_name(int64_t neg_errno, char buf[24], const char **detail)
{
	int e = neg_errno < 0 && neg_errno > -4096 ? (int)-neg_errno : 0;
	const char *name = e ? strerrorname_np(e) : NULL;

	*detail = e ? strerror(e) : NULL;
	if (name)
		return name;
	snprintf(buf, 24, "E%lld", (long long)-neg_errno);
	return buf;
}

static int load_hosts(struct ocsf_ctx *c)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r, err;

	if ((err = db_prepare(c->db, &st, "SELECT host_id, boot_to_wall_ns, hostname, boot_id, kernel_release"
					  " FROM hosts ORDER BY host_id")))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		struct ocsf_host *h;
		if (c->nhosts == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct ocsf_host *nh = realloc(c->hosts, ncap * sizeof(*nh));
			if (!nh) {
				err = -ENOMEM;
				break;
			}
			c->hosts = nh;
			cap = ncap;
		}
		h = &c->hosts[c->nhosts++];
		h->host_id = sqlite3_column_int64(st, 0);
		h->b2w = sqlite3_column_int64(st, 1);
		h->hostname = strdup(ocsf_col_text(st, 2) ? ocsf_col_text(st, 2) : "");
		h->boot_id = strdup(ocsf_col_text(st, 3) ? ocsf_col_text(st, 3) : "");
		h->kernel = ocsf_col_text(st, 4) ? strdup(ocsf_col_text(st, 4)) : NULL;
		if (!h->hostname || !h->boot_id)
			err = -ENOMEM;
	}
	if (r < 0)
		err = r;
	sqlite3_finalize(st);
	return err;
}

int ocsf_export(sqlite3 *db, const struct ocsf_opts *o, FILE *out, struct ocsf_counts *n)
{
	static int (*const writers[])(struct ocsf_ctx *) = {
		ocsf_write_execs, ocsf_write_forks, ocsf_write_exits,
		ocsf_write_connections, ocsf_write_syns, ocsf_write_activity, ocsf_write_findings,
	};
	struct ocsf_ctx c = { .db = db, .o = o, .n = n };
	int err;

	memset(n, 0, sizeof(*n));
	jw_init(&c.w, out);
	if (!(c.cache = calloc(1, sizeof(*c.cache))))
		return -ENOMEM;
	if ((err = load_hosts(&c)) ||
	    (err = db_prepare(db, &c.anc, "SELECT parent_id, pid, start, comm FROM processes WHERE proc_id = ?1")))
		goto out;
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]) && !err; i++)
		err = writers[i](&c);
out:
	sqlite3_finalize(c.anc);
	for (size_t i = 0; i < ANC_CACHE_SLOTS; i++)
		free(c.cache->e[i].comm);
	free(c.cache);
	for (size_t i = 0; i < c.nhosts; i++) {
		free(c.hosts[i].hostname);
		free(c.hosts[i].boot_id);
		free(c.hosts[i].kernel);
	}
	free(c.hosts);
	return err;
}
