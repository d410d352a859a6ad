/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Escaping of user-controlled bytes (argv, paths, comm, host names, cgroup
 * paths: all attacker-chosen) before they reach a terminal or a JSON parser.
 *
 * JSON: always valid JSON and always pure printable output, whatever the
 * input: control characters (C0, DEL and C1) become \u00XX, bytes that are
 * not valid UTF-8 become U+FFFD (one per byte), valid UTF-8 passes through.
 *
 * Terminal: no control byte and no escape sequence ever reaches the terminal.
 * Printable ASCII and printable UTF-8 pass through; \n \r \t and the
 * backslash become \n \r \t \\; other C0, DEL and invalid UTF-8 bytes become
 * \xNN (so ESC is shown as \x1b); C1 controls and bidirectional overrides
 * (U+202A..U+202E, U+2066..U+2069) become \u{XXXX}.
 */
#ifndef EXRAY_ESCAPE_H
#define EXRAY_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Escape s[0..len) as the inside of a JSON string literal (no quotes) into
 * dst, which must have room for 6 * len bytes; returns the bytes written.
 */
size_t json_escape_into(char *dst, const char *s, size_t len);

/* Write s[0..len) as a JSON string literal, quotes included. */
void json_write_strn(FILE *f, const char *s, size_t len);
/* Same for a NUL-terminated string; NULL is written as null. */
void json_write_str(FILE *f, const char *s);

/* Write s[0..len) escaped for a terminal (no quotes added). */
void term_write_strn(FILE *f, const char *s, size_t len);
/* Same for a NUL-terminated string; NULL is written as "-". */
void term_write_str(FILE *f, const char *s);

/*
 * Escape s[0..len) for a terminal into dst (size dstsz, always
 * NUL-terminated when dstsz > 0). Returns the length the full escaped text
 * needs (without NUL), like snprintf, so a caller can detect truncation;
 * truncation never cuts an escape sequence in half.
 */
size_t term_escape(char *dst, size_t dstsz, const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes available), with
 * its code point in *cp; 0 if s does not start a valid, shortest-form
 * sequence of a Unicode scalar value.
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

#endif /* EXRAY_ESCAPE_H */
