/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "cmd/outfile.h"

#define OUTFILE_ZSTD_LEVEL 3

struct outfile {
	FILE *f;
	int fd;          /* the temporary file; -1 for stdout */
	bool force;
	bool in_place;   /* a device, pipe or socket, written as it is */
	char *path, *tmp;
	ZSTD_CCtx *z;    /* set for .zst outputs */
	void *zbuf;
	size_t zcap;
	int err;         /* first write error, -errno (sticky) */
};

bool outfile_is_zstd(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 4 && !strcmp(path + n - 4, ".zst");
}

static int write_all(struct outfile *o, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!o->err)
				o->err = n < 0 ? -errno : -EIO;
			return o->err;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Compress what is in *in (mode continue) or end the frame (mode end). */
static int zstd_push(struct outfile *o, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = { o->zbuf, o->zcap, 0 };
		size_t left = ZSTD_compressStream2(o->z, &out, in, mode);
		if (ZSTD_isError(left)) {
			if (!o->err)
				o->err = -EIO;
			return o->err;
		}
		if (out.pos && write_all(o, o->zbuf, out.pos))
			return o->err;
		if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size)
			return 0;
	}
}

/* fopencookie write: the stdio buffer, compressed on its way to the file. */
static ssize_t zstd_cookie_write(void *cookie, const char *buf, size_t size)
{
	struct outfile *o = cookie;
	ZSTD_inBuffer in = { buf, size, 0 };

	if (o->err || zstd_push(o, &in, ZSTD_e_continue)) {
		errno = -o->err;
		return -1;
	}
	return (ssize_t)size;
}

static void outfile_free(struct outfile *o)
{
	if (!o)
		return;
	ZSTD_freeCCtx(o->z);
	free(o->zbuf);
	free(o->path);
	free(o->tmp);
	free(o);
}

int outfile_open(struct outfile **out, FILE **f, const char *path, bool force)
{
	struct outfile *o = calloc(1, sizeof(*o));
	struct stat st;
	int err = -ENOMEM;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	o->fd = -1;
	o->force = force;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		*out = o;
		*f = o->f;
		return 0;
	}
	/* /dev/null, /dev/stdout, a FIFO, a shell's >(...): written in place.
	 * A temporary file renamed over it would replace the device or pipe
	 * itself (a regular /dev/null). Nothing is there to be lost. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		o->in_place = true;
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			err = -errno;
			goto fail;
		}
	} else {
		if (!force && !lstat(path, &st)) {
			err = -EEXIST;
			goto fail;
		}
		if (!(o->path = strdup(path)) ||
		    asprintf(&o->tmp, "%s.tmp.%d", path, (int)getpid()) < 0) {
			o->tmp = NULL;
			goto fail;
		}
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (o->fd < 0) {
			err = -errno;
			goto fail;
		}
	}
	if (outfile_is_zstd(path)) {
		static const cookie_io_functions_t io = { .write = zstd_cookie_write };
		o->zcap = ZSTD_CStreamOutSize();
		if (!(o->z = ZSTD_createCCtx()) || !(o->zbuf = malloc(o->zcap)))
			goto fail_unlink;
		ZSTD_CCtx_setParameter(o->z, ZSTD_c_compressionLevel, OUTFILE_ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(o->z, ZSTD_c_checksumFlag, 1);
		o->f = fopencookie(o, "w", io);
	} else {
		o->f = fdopen(o->fd, "w");
	}
	if (!o->f)
		goto fail_unlink;
	setvbuf(o->f, NULL, _IOFBF, 1 << 17);
	*out = o;
	*f = o->f;
	return 0;
fail_unlink:
	if (o->tmp)
		unlink(o->tmp);
	close(o->fd);
fail:
	outfile_free(o);
	return err;
}

int outfile_close(struct outfile *o, bool keep)
{
	int err;

	if (!o)
		return 0;
	if (o->fd < 0) { /* stdout: main() checks it once more at exit */
		err = fflush(o->f) || ferror(o->f) ? -(errno ? errno : EIO) : 0;
		outfile_free(o);
		return err;
	}
	if ((fflush(o->f) || ferror(o->f)) && !o->err)
		o->err = -(errno ? errno : EIO);
	if (o->z && !o->err) {
		ZSTD_inBuffer none = { NULL, 0, 0 };
		zstd_push(o, &none, ZSTD_e_end);
	}
	if (keep && !o->in_place && !o->err && fsync(o->fd))
		o->err = -errno;
	/* fclose of the fdopen'ed stream closes fd; the cookie stream does not */
	if (fclose(o->f) && !o->err && !o->z)
		o->err = -(errno ? errno : EIO);
	if (o->z)
		close(o->fd);
	err = o->err;
	if (o->in_place) {
		outfile_free(o);
		return err;
	}
	if (keep && !err) {
		if (o->force)
			err = rename(o->tmp, o->path) ? -errno : 0;
		else /* link() refuses a name that appeared since the open */
			err = link(o->tmp, o->path) ? -errno : 0;
	}
	if (!keep || err || !o->force)
		unlink(o->tmp);
	outfile_free(o);
	return err;
}
