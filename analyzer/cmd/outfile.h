/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where a command's -o output goes: stdout ("-"), a file, or a
 * zstd-compressed file (a name ending in ".zst"). A file is written under a
 * temporary name beside it (created 0600, never through a symlink) and put
 * in place by outfile_close() only when everything was written, so a failed
 * or interrupted export never leaves a partial file under the name asked
 * for. An existing file is refused unless force is set: an -o typed wrong
 * must not overwrite a segment or an earlier export. A path that is not a
 * regular file (/dev/null, /dev/stdout, a FIFO) is written in place, with
 * or without force: renaming over it would replace the device or pipe.
 */
#ifndef EXRAY_OUTFILE_H
#define EXRAY_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile;

/*
 * Open path for writing ("-" or NULL: stdout). *f is the stream to write
 * to. Returns 0, or -errno: -EEXIST when path exists and !force, -ENOMEM,
 * or what open() said.
 */
int outfile_open(struct outfile **o, FILE **f, const char *path, bool force);

/*
 * Finish: flush (and end the zstd frame), fsync, and rename into place when
 * keep is true; when keep is false (the command failed) remove the
 * temporary file. Returns 0 or the first write error as -errno (-EEXIST if
 * path appeared meanwhile and force was not set). Frees o (NULL is fine).
 */
int outfile_close(struct outfile *o, bool keep);

/* True when path names a compressed output (ends in ".zst"). */
bool outfile_is_zstd(const char *path);

#endif /* EXRAY_OUTFILE_H */
