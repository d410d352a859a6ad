/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pieces of a text line that every renderer (tree, timeline) writes the
 * same way: a recorded time, an exit status, a shortened argv.
 */
#ifndef EXRAY_RENDER_LINES_H
#define EXRAY_RENDER_LINES_H

#include <stdint.h>
#include <stdio.h>

#define ARGV_TEXT_MAX 120   /* argv shown in text mode without --wide */

/* A recorded time (boot ns of its host, offset b2w) as RFC 3339 UTC with
 * ns, or "(time out of range)" (text/timefmt.h). */
void render_time(FILE *f, int64_t ts, int64_t b2w);

/* " [exit N]", or " [killed by signal N]" when signal is not 0. */
void render_exit(FILE *f, int64_t exit_code, int64_t signal);

/* " [failed: ENOENT]" for a failed call's return (-errno); nothing for 0. */
void render_failed(FILE *f, long long ret);

/* Recorded text, terminal-escaped, cut at max columns with an ellipsis
 * (max 0: whole). NULL writes nothing. */
void render_text_cut(FILE *f, const char *s, size_t max);

/* argv text (the cmdline column), terminal-escaped; without wide, cut at
 * ARGV_TEXT_MAX columns with an ellipsis. NULL writes nothing. */
void render_argv(FILE *f, const char *s, int wide);

#endif
