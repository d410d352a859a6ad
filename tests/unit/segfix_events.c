/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Test helper: synthetic 1.2 records (what a process did, exec extension). */
#include <stdlib.h>
#include <string.h>
#include "segfix.h"

/* Append fixed (fixed_len bytes, type set here) followed by the n strings
 * (NULL: absent, length 0), writing each length into the u16 at lens[i]. */
static int append_with_strings(struct exray_seg_writer *w, void *fixed, size_t fixed_len,
			       unsigned type, unsigned n, const char *const *strs,
			       uint16_t *const *lens)
{
	struct exray_rec_hdr *h = fixed;
	size_t total = fixed_len, len;
	char *buf, *p;
	int err;

	for (unsigned i = 0; i < n; i++) {
		*lens[i] = strs[i] ? strlen(strs[i]) + 1 : 0;
		total += *lens[i];
	}
	len = EXRAY_REC_ALIGN_UP(total);
	h->type = type;
	h->len = len;
	if (!(buf = calloc(1, len)))
		return -1;
	memcpy(buf, fixed, fixed_len);
	p = buf + fixed_len;
	for (unsigned i = 0; i < n; i++) {
		memcpy(p, strs[i] ? strs[i] : "", *lens[i]);
		p += *lens[i];
	}
	err = exray_seg_append(w, buf, len);
	free(buf);
	return err;
}

int segfix_file(struct exray_seg_writer *w, struct exray_file *r, const char *path,
		const char *path2)
{
	const char *s[] = { path, path2 };
	uint16_t *l[] = { &r->path_len, &r->path2_len };

	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_FILE, 2, s, l);
}

int segfix_file_ext(struct exray_seg_writer *w, struct exray_file *r, const char *path,
		    const char *path2, const struct exray_file_ext *x, unsigned cut)
{
	size_t l1 = path ? strlen(path) + 1 : 0, l2 = path2 ? strlen(path2) + 1 : 0;
	size_t off = EXRAY_REC_ALIGN_UP(sizeof(*r) + l1 + l2), len = off + sizeof(*x) - cut;
	struct exray_file *f = calloc(1, off + sizeof(*x));
	int err;

	if (!f)
		return -1;
	*f = *r;
	f->hdr.type = EXRAY_REC_FILE;
	f->hdr.flags |= EXRAY_F_FILE_EXT;
	f->hdr.len = EXRAY_REC_ALIGN_UP(len);
	f->path_len = l1;
	f->path2_len = l2;
	if (l1)
		memcpy(f + 1, path, l1);
	if (l2)
		memcpy((char *)(f + 1) + l1, path2, l2);
	memcpy((char *)f + off, x, sizeof(*x));
	err = exray_seg_append(w, f, f->hdr.len);
	free(f);
	return err;
}

int segfix_priv(struct exray_seg_writer *w, struct exray_priv *r)
{
	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_PRIV, 0, NULL, NULL);
}

int segfix_ns(struct exray_seg_writer *w, struct exray_ns *r, const char *target,
	      const char *source, const char *fstype)
{
	const char *s[] = { target, source, fstype };
	uint16_t *l[] = { &r->target_len, &r->source_len, &r->fstype_len };

	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_NS, 3, s, l);
}

int segfix_ptrace(struct exray_seg_writer *w, struct exray_ptrace *r)
{
	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_PTRACE, 0, NULL, NULL);
}

int segfix_socket(struct exray_seg_writer *w, struct exray_socket *r)
{
	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_SOCKET, 0, NULL, NULL);
}

int segfix_memfd(struct exray_seg_writer *w, struct exray_memfd *r, const char *name)
{
	const char *s[] = { name };
	uint16_t *l[] = { &r->name_len };

	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_MEMFD, 1, s, l);
}

int segfix_bpf(struct exray_seg_writer *w, struct exray_bpf_cmd *r)
{
	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_BPF, 0, NULL, NULL);
}

int segfix_uring(struct exray_seg_writer *w, struct exray_uring *r, const char *path,
		 const char *path2)
{
	const char *s[] = { path, path2 };
	uint16_t *l[] = { &r->path_len, &r->path2_len };

	return append_with_strings(w, r, sizeof(*r), EXRAY_REC_URING, 2, s, l);
}

int segfix_exec_ext(struct exray_seg_writer *w, unsigned type, uint64_t ts,
		    const struct exray_task *t, uint16_t flags, const char *filename,
		    const char *const *argv, const struct exray_exec_ext *x, const char *exe,
		    const char *cwd)
{
	size_t fl = strlen(filename) + 1, al = segfix_argv_put(NULL, argv),
	       el = exe ? strlen(exe) + 1 : 0, cl = cwd ? strlen(cwd) + 1 : 0, ext_off, len;
	struct exray_exec_ext *xo;
	struct exray_exec *e;
	char *p;
	int err;

	ext_off = EXRAY_REC_ALIGN_UP(sizeof(*e) + fl + al);
	len = EXRAY_REC_ALIGN_UP(ext_off + sizeof(*x) + el + cl);
	if (!(e = calloc(1, len)))
		return -1;
	e->hdr.type = type;
	e->hdr.flags = flags | EXRAY_F_EXEC_EXT;
	e->hdr.len = len;
	e->hdr.ts = ts;
	e->task = *t;
	e->filename_len = fl;
	e->argv_len = al;
	p = (char *)(e + 1);
	memcpy(p, filename, fl);
	segfix_argv_put(p + fl, argv);
	xo = (struct exray_exec_ext *)((char *)e + ext_off);
	*xo = *x;
	xo->exe_len = el;
	xo->cwd_len = cl;
	if (el)
		memcpy(xo + 1, exe, el);
	if (cl)
		memcpy((char *)(xo + 1) + el, cwd, cl);
	err = exray_seg_append(w, e, len);
	free(e);
	return err;
}
