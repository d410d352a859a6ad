/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Turning record fields into the text the analyzer shows and stores. */
#ifndef EXRAY_RECFMT_H
#define EXRAY_RECFMT_H

#include <stdio.h>
#include <linux/types.h>
#include "segment.h"

#define ADDR_TEXT_LEN 48

/* inet_ntop of a recorded address (family EXRAY_FAMILY_V4/V6); "?" for an
 * unknown family. Returns buf. */
char *addr_text(char buf[ADDR_TEXT_LEN], __u8 family, const __u8 addr[16]);

/* 16 bytes as 8-4-4-4-12 lowercase hex (uuid) or 32 hex digits. */
void hex_uuid(char out[37], const __u8 b[16]);
void hex_id(char out[33], const __u8 b[16]);

/* Write an argv block (NUL-separated) as a JSON array of strings. */
void argv_write_json(FILE *f, const char *argv, size_t len);

/* The offset in force for a reader: latest stats/footer, else header, else 0. */
__s64 reader_boot_to_wall(const struct exray_seg_reader *r);

/* The errno name of a failed call's return (-2 -> "ENOENT"), else its
 * number as text, in buf. Returns buf or a static string. */
#define ERRNO_TEXT_LEN 24
const char *errno_text(char buf[ERRNO_TEXT_LEN], long long ret);

/* "established" / "failed" / "syn_sent" for a connect_result newstate. */
const char *tcp_state_name(unsigned state);

#endif
