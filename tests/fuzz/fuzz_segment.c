// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer: the segment reader on arbitrary bytes, seal checking on (a
 * fixed key). It must never crash or read out of bounds, and every record
 * it returns must be safe to use with the record helpers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exray_seg_reader *r;
	const struct exray_rec_hdr *h;
	volatile size_t sink = 0;

	static struct exray_seal_verifier *key;
	static const __u8 zero[EXRAY_SEAL_KEY_BYTES];

	if (!key && exray_seal_verifier_new(&key, zero))
		return 0;
	if (exray_seg_reader_open_mem(&r, data, size))
		return 0;
	exray_seg_reader_set_verifier(r, key);
	while (exray_seg_next(r, &h) == 1) {
		size_t len = 0;
		const char *s;

		if (h->type == EXRAY_REC_EXEC || h->type == EXRAY_REC_SNAPSHOT) {
			const struct exray_exec *e = (const void *)h;

			if ((s = exray_exec_filename(e)))
				sink += strlen(s);
			if ((s = exray_exec_argv(e, &len)))
				sink += strnlen(s, len) + s[len - 1];
		} else if (h->type == EXRAY_REC_CGROUP) {
			if ((s = exray_cgroup_path((const void *)h)))
				sink += strlen(s);
		}
		sink += h->len + (exray_rec_type_name(h->type) != NULL);
	}
	for (size_t i = 0; i < exray_seg_reader_issue_count(r); i++)
		sink += strlen(exray_seg_reader_issue(r, i)->detail);
	sink += exray_seg_reader_seals(r)->seals + strlen(exray_seg_reader_seals(r)->detail);
	if (exray_seg_reader_header(r))
		sink += strnlen(exray_seg_reader_header(r)->host, EXRAY_SEG_HOST_LEN);
	exray_seg_reader_free(r);
	(void)sink;
	return 0;
}
