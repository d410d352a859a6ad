/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Escaping of recorded bytes (argv, paths, comm, host and cgroup names: all
 * chosen by whoever ran on the recorded host) for an HTML page, so that no
 * recorded string can open an element, close one (`</script>`), leave an
 * attribute, or reorder the text around it.
 *
 * Both contexts entity-escape & < > " ' (so the result is safe in text and
 * in a quoted attribute value alike). What cannot be shown as itself is
 * shown visibly instead of being dropped:
 *
 *   input                                  text context           attribute
 *   \n \r \t                               <span class="x">\n</span>   \n
 *   other C0, DEL, bytes not valid UTF-8   <span class="x">\x1b</span> \x1b
 *   C1 controls, bidi controls (U+061C,    <span class="x">\u{202e}</span>
 *   U+200E/F, U+202A..E, U+2066..9),       (attribute: \u{202e})
 *   U+2028/9, U+FEFF
 *   backslash                              \ (the span marks escapes)  \\
 *
 * In text the escapes are wrapped in <span class="x"> so a reader (and a
 * test) can tell a recorded "\x1b" (four characters) from an escaped ESC;
 * attributes cannot hold markup, so there a backslash is doubled instead,
 * as in the terminal escaper. Valid printable UTF-8 passes through.
 */
#ifndef EXRAY_HTML_ESCAPE_H
#define EXRAY_HTML_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Write s[0..len) as HTML text content. */
void html_text_strn(FILE *f, const char *s, size_t len);
/* Same for a NUL-terminated string; NULL is written as nothing. */
void html_text_str(FILE *f, const char *s);

/* Text content of a <pre> holding a text file the operator gave (a
 * policy): as html_text_strn, except that \n and \t stay themselves. */
void html_pre_strn(FILE *f, const char *s, size_t len);

/* Write s[0..len) for the inside of a double- or single-quoted attribute
 * value (no markup, no quotes added). */
void html_attr_strn(FILE *f, const char *s, size_t len);
void html_attr_str(FILE *f, const char *s);

#endif /* EXRAY_HTML_ESCAPE_H */
