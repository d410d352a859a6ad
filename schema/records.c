// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bounds-checked views of the variable-length parts of records. */
#include <stddef.h>
#include <string.h>
#include "segment.h"

static const char *const type_names[EXRAY_REC_TYPE_MAX] = {
	[EXRAY_REC_EXEC] = "exec",         [EXRAY_REC_FORK] = "fork",
	[EXRAY_REC_EXIT] = "exit",         [EXRAY_REC_CONNECT] = "connect",
	[EXRAY_REC_SYN] = "syn",           [EXRAY_REC_SNAPSHOT] = "snapshot",
	[EXRAY_REC_CGROUP] = "cgroup",     [EXRAY_REC_LOSS] = "loss",
	[EXRAY_REC_CONNECT_RESULT] = "connect_result",
	[EXRAY_REC_FILE] = "file",         [EXRAY_REC_PRIV] = "priv",
	[EXRAY_REC_NS] = "ns",             [EXRAY_REC_PTRACE] = "ptrace",
	[EXRAY_REC_SOCKET] = "socket",     [EXRAY_REC_MEMFD] = "memfd",
	[EXRAY_REC_BPF] = "bpf",           [EXRAY_REC_URING] = "uring",
	[EXRAY_REC_CONTAINER] = "container",
};

/*
 * Where a record type keeps its strings: they follow the fixed struct back
 * to back, in the order of their u16 length fields (bytes incl. the NUL; 0:
 * absent). One table, so a new type with strings is one line here.
 */
struct string_layout {
	unsigned short fixed, n, len_off[3];
};
#define LAYOUT(T, ...) { sizeof(struct T), sizeof((unsigned short[]){ __VA_ARGS__ }) / sizeof(unsigned short), { __VA_ARGS__ } }
static const struct string_layout layouts[EXRAY_REC_TYPE_MAX] = {
	[EXRAY_REC_EXEC] = LAYOUT(exray_exec, offsetof(struct exray_exec, filename_len),
				  offsetof(struct exray_exec, argv_len)),
	[EXRAY_REC_SNAPSHOT] = LAYOUT(exray_exec, offsetof(struct exray_exec, filename_len),
				      offsetof(struct exray_exec, argv_len)),
	[EXRAY_REC_CGROUP] = LAYOUT(exray_cgroup, offsetof(struct exray_cgroup, path_len)),
	[EXRAY_REC_FILE] = LAYOUT(exray_file, offsetof(struct exray_file, path_len),
				  offsetof(struct exray_file, path2_len)),
	[EXRAY_REC_NS] = LAYOUT(exray_ns, offsetof(struct exray_ns, target_len),
				offsetof(struct exray_ns, source_len),
				offsetof(struct exray_ns, fstype_len)),
	[EXRAY_REC_MEMFD] = LAYOUT(exray_memfd, offsetof(struct exray_memfd, name_len)),
	[EXRAY_REC_URING] = LAYOUT(exray_uring, offsetof(struct exray_uring, path_len),
				   offsetof(struct exray_uring, path2_len)),
};

static unsigned short len_at(const struct exray_rec_hdr *h, unsigned short off)
{
	unsigned short v;

	memcpy(&v, (const char *)h + off, sizeof(v));
	return v;
}

/* Offset of string i of h and its length (0: absent); false when the
 * record is too short for its strings or one is not NUL-terminated. */
static bool string_at(const struct exray_rec_hdr *h, unsigned i, size_t *off, size_t *len)
{
	const struct string_layout *l = h->type < EXRAY_REC_TYPE_MAX ? &layouts[h->type] : NULL;
	size_t o;

	if (!l || !l->fixed || i >= l->n || h->len < l->fixed)
		return false;
	o = l->fixed;
	for (unsigned k = 0; k < i; k++)
		o += len_at(h, l->len_off[k]);
	*off = o;
	*len = len_at(h, l->len_off[i]);
	return o + *len <= h->len && (!*len || ((const char *)h)[o + *len - 1] == '\0');
}

const char *exray_rec_string(const struct exray_rec_hdr *h, unsigned i)
{
	size_t off, len;

	if (!string_at(h, i, &off, &len) || !len)
		return NULL;
	return (const char *)h + off;
}

const struct exray_exec_ext *exray_exec_ext(const struct exray_exec *e, const char **exe,
					    const char **cwd)
{
	size_t off = EXRAY_REC_ALIGN_UP(sizeof(*e) + (size_t)e->filename_len + e->argv_len);
	const struct exray_exec_ext *x = (const void *)((const char *)e + off);
	const char *d = (const char *)(x + 1);

	if (exe)
		*exe = NULL;
	if (cwd)
		*cwd = NULL;
	if (!(e->hdr.flags & EXRAY_F_EXEC_EXT) || off + sizeof(*x) > e->hdr.len ||
	    off + sizeof(*x) + x->exe_len + x->cwd_len > e->hdr.len ||
	    (x->exe_len && d[x->exe_len - 1]) || (x->cwd_len && d[x->exe_len + x->cwd_len - 1]))
		return NULL;
	if (exe && x->exe_len)
		*exe = d;
	if (cwd && x->cwd_len)
		*cwd = d + x->exe_len;
	return x;
}

const struct exray_file_ext *exray_file_ext(const struct exray_file *f)
{
	size_t off = EXRAY_REC_ALIGN_UP(sizeof(*f) + (size_t)f->path_len + f->path2_len);

	if (!(f->hdr.flags & EXRAY_F_FILE_EXT) || off + sizeof(struct exray_file_ext) > f->hdr.len)
		return NULL;
	return (const void *)((const char *)f + off);
}

const char *exray_container_kv(const struct exray_container *c, size_t *len)
{
	const char *d = (const char *)(c + 1);

	*len = 0;
	if (c->hdr.len < sizeof(*c) || !c->kv_len || sizeof(*c) + (size_t)c->kv_len > c->hdr.len ||
	    d[c->kv_len - 1])
		return NULL;
	*len = c->kv_len;
	return d;
}

bool exray_rec_strings_sound(const struct exray_rec_hdr *h)
{
	const struct string_layout *l = h->type < EXRAY_REC_TYPE_MAX ? &layouts[h->type] : NULL;
	size_t off, len;

	if (l && l->fixed)
		for (unsigned i = 0; i < l->n; i++)
			if (!string_at(h, i, &off, &len))
				return false;
	if ((h->type == EXRAY_REC_EXEC || h->type == EXRAY_REC_SNAPSHOT) &&
	    (h->flags & EXRAY_F_EXEC_EXT) && !exray_exec_ext((const void *)h, NULL, NULL))
		return false;
	if (h->type == EXRAY_REC_CGROUP && !exray_cgroup_path((const void *)h))
		return false;
	if (h->type == EXRAY_REC_CONTAINER) {
		size_t n;
		return exray_container_kv((const void *)h, &n) != NULL ||
		       ((const struct exray_container *)h)->kv_len == 0;
	}
	return true;
}

const char *exray_rec_type_name(unsigned type)
{
	return type < EXRAY_REC_TYPE_MAX ? type_names[type] : NULL;
}

static bool exec_fits(const struct exray_exec *e)
{
	return e->hdr.len >= sizeof(*e) &&
	       sizeof(*e) + (size_t)e->filename_len + e->argv_len <= e->hdr.len;
}

const char *exray_exec_filename(const struct exray_exec *e)
{
	const char *d = (const char *)(e + 1);

	if (!exec_fits(e) || !e->filename_len || d[e->filename_len - 1])
		return NULL;
	return d;
}

const char *exray_exec_argv(const struct exray_exec *e, size_t *len)
{
	const char *d = (const char *)(e + 1) + e->filename_len;

	*len = 0;
	if (!exec_fits(e) || !e->argv_len || d[e->argv_len - 1])
		return NULL;
	*len = e->argv_len;
	return d;
}

const char *exray_cgroup_path(const struct exray_cgroup *c)
{
	const char *d = (const char *)(c + 1);

	if (c->hdr.len < sizeof(*c) || !c->path_len || sizeof(*c) + c->path_len > c->hdr.len ||
	    d[c->path_len - 1])
		return NULL;
	return d;
}
