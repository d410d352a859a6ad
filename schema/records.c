// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bounds-checked views of the variable-length parts of records. */
#include "segment.h"

static const char *const type_names[EXRAY_REC_TYPE_MAX] = {
	[EXRAY_REC_EXEC] = "exec",         [EXRAY_REC_FORK] = "fork",
	[EXRAY_REC_EXIT] = "exit",         [EXRAY_REC_CONNECT] = "connect",
	[EXRAY_REC_SYN] = "syn",           [EXRAY_REC_SNAPSHOT] = "snapshot",
	[EXRAY_REC_CGROUP] = "cgroup",     [EXRAY_REC_LOSS] = "loss",
	[EXRAY_REC_CONNECT_RESULT] = "connect_result",
};

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
