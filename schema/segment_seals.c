// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Segment reader, seals (SEGMENT.md "Seals"): each seal frame must be the
 * next of the chain (its number, its key index), and with the verification
 * key, the MAC of what it covers; a finished segment ends with its final
 * seal. The first failure is kept, naming the first frame that does not
 * verify.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "segment_format.h"
#include "segment_reader_int.h"

__attribute__((format(printf, 2, 3)))
static void seal_fail(struct exray_seg_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->seals.failed)
		return;
	r->seals.failed = true;
	r->seals.fail_offset = r->span_start;
	r->seals.fail_frame = r->span_frame;
	va_start(ap, fmt);
	vsnprintf(r->seals.detail, sizeof(r->seals.detail), fmt, ap);
	va_end(ap);
}

/* Where the chain of this segment starts, from its header. */
static bool seals_start(struct exray_seg_reader *r)
{
	char want[2 * EXRAY_SEAL_FP_BYTES + 1], have[2 * EXRAY_SEAL_FP_BYTES + 1];

	if (r->seals_started)
		return true;
	if (!r->have_header) {
		seal_fail(r, "no intact header: the seals cannot be checked");
		return false;
	}
	r->seals_started = true;
	r->seals.first_index = r->expect_index =
		r->header.seq ? r->header.prev_key_index + 1 : 0;
	memcpy(r->prev_seal, r->header.prev_seal, sizeof(r->prev_seal));
	if (!r->n_keys)
		return true;
	for (size_t i = 0; i < r->n_keys && !r->verifier; i++)
		if (!memcmp(r->header.seal_fp, exray_seal_verifier_fp(r->keys[i]), EXRAY_SEAL_FP_BYTES))
			r->verifier = r->keys[i];
	if (!r->verifier) {
		r->verifier = r->keys[0];
		exray_seal_hex(r->header.seal_fp, EXRAY_SEAL_FP_BYTES, have);
		exray_seal_hex(exray_seal_verifier_fp(r->keys[0]), EXRAY_SEAL_FP_BYTES, want);
		seal_fail(r, "sealed with key %.16s..., not with the key%s given (%.16s...): wrong key",
			  have, r->n_keys > 1 ? "s" : "", want);
		return false;
	}
	return true;
}

/* A seal the caller looks for (binary search: want is sorted). */
static void note_wanted(struct exray_seg_reader *r, __u64 index, const __u8 *seal)
{
	size_t lo = 0, hi = r->n_want;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->want[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->n_want && r->want[lo] == index; lo++) {
		memcpy(r->found[lo], seal, EXRAY_SEAL_BYTES);
		r->hit[lo] = true;
	}
}

void exray_seg_reader_find_seals(struct exray_seg_reader *r, const __u64 *want, size_t n,
				 __u8 (*found)[EXRAY_SEAL_BYTES], bool *hit)
{
	r->want = want;
	r->n_want = n;
	r->found = found;
	r->hit = hit;
}

/*
 * A seal frame at off: it must be the next one of the chain (its number in
 * the segment and its key index), and with a key, its seal must be the MAC
 * of everything since the previous seal frame, of its place and of the
 * previous seal.
 */
void seg_check_seal(struct exray_seg_reader *r, __u64 off, const unsigned char *payload,
		       __u32 len)
{
	struct exray_seg_seal s = { 0 };
	struct exray_seal_block b = { 0 };
	__u8 want[EXRAY_SEAL_BYTES];
	__u64 seal_end = off + EXRAY_META_PREFIX + len;

	memcpy(&s, payload, len < sizeof(s) ? len : sizeof(s));
	if (r->seals.failed)
		goto next;
	if (len < sizeof(s)) {
		seal_fail(r, "seal frame at offset %llu is too short", (unsigned long long)off);
		goto next;
	}
	if (!r->have_header || !(r->header.flags & EXRAY_SEG_HDR_SEALED)) {
		seal_fail(r, "seal frame at offset %llu in a segment whose header says it is not sealed",
			  (unsigned long long)off);
		goto next;
	}
	if (!seals_start(r))
		goto next;
	if (r->seals.final) {
		seal_fail(r, "frames after the final seal");
		goto next;
	}
	if (s.seal_no != r->seals.seals) {
		seal_fail(r, "seal number %u where %llu was expected: frames dropped, duplicated or moved",
			  s.seal_no, (unsigned long long)r->seals.seals);
		goto next;
	}
	if (s.key_index != r->expect_index) {
		seal_fail(r, "sealed with key %llu where key %llu was expected: resealed with a later key, "
			  "or frames dropped or inserted", (unsigned long long)s.key_index,
			  (unsigned long long)r->expect_index);
		goto next;
	}
	if ((s.flags & EXRAY_SEAL_F_FINAL) && r->footer_end != off) {
		seal_fail(r, "a final seal that does not follow the footer");
		goto next;
	}
	if (r->verifier) {
		memcpy(b.capture_id, r->header.capture_id, sizeof(b.capture_id));
		b.seq = r->header.seq;
		b.key_index = s.key_index;
		b.seal_no = s.seal_no;
		b.flags = s.flags;
		b.boot_ns = s.boot_ns;
		b.span_offset = r->span_start;
		b.span_len = off - r->span_start;
		memcpy(b.prev_seal, r->prev_seal, sizeof(b.prev_seal));
		exray_seal_span_hash(r->buf + r->span_start, b.span_len, b.span_hash);
		if (exray_seal_verifier_mac(r->verifier, &b, want)) {
			seal_fail(r, "key index %llu is implausible", (unsigned long long)s.key_index);
			goto next;
		}
		if (!exray_seal_equal(want, s.seal)) {
			seal_fail(r, "seal %u (offset %llu) does not verify: what it covers was changed, "
				  "or it was made with another key", s.seal_no, (unsigned long long)off);
			goto next;
		}
	}
	note_wanted(r, s.key_index, s.seal);
	r->seals.seals++;
	r->seals.last_index = s.key_index;
	r->seals.last_boot_ns = s.boot_ns;
	memcpy(r->seals.last_seal, s.seal, sizeof(s.seal));
	r->seals.final = s.flags & EXRAY_SEAL_F_FINAL;
	r->seals.sealed_bytes = seal_end;
	memcpy(r->prev_seal, s.seal, sizeof(s.seal));
	r->expect_index++;
next:
	r->span_start = seal_end;
	r->span_frame = r->frame_no + 1;
}

/* At the end of the file: a finished segment ends with its final seal, an
 * unfinished one may have an unsealed tail (the recorder stopped). */
void seg_seals_finish(struct exray_seg_reader *r)
{
	if (r->seals_done)
		return;
	r->seals_done = true;
	r->seals.sealed = r->have_header && (r->header.flags & EXRAY_SEG_HDR_SEALED);
	r->seals.keyed = r->n_keys > 0;
	if (!r->seals.sealed || r->seals.failed)
		return;
	if (!seals_start(r))
		return;
	if (r->seals.final) {
		if (r->size > r->span_start)
			seal_fail(r, "%llu bytes after the final seal",
				  (unsigned long long)(r->size - r->span_start));
		return;
	}
	if (r->footer_end) {
		seal_fail(r, "the footer is not sealed: the segment was cut after its footer");
		return;
	}
	r->seals.unsealed_tail = r->size - r->seals.sealed_bytes;
}

bool exray_seg_seals_link(const struct exray_seg_seals *a, const struct exray_seg_header *b,
			  char *why, size_t len)
{
	if (!a->final) {
		snprintf(why, len, "the previous segment (seq %llu) has no final seal: it was cut "
			 "short, yet this later segment exists", (unsigned long long)b->seq - 1);
		return false;
	}
	if (b->prev_key_index != a->last_index || !exray_seal_equal(b->prev_seal, a->last_seal)) {
		snprintf(why, len, "the header does not name the final seal of segment seq %llu: "
			 "a segment was removed, replaced or inserted", (unsigned long long)b->seq - 1);
		return false;
	}
	return true;
}

void exray_seg_reader_set_verifier(struct exray_seg_reader *r, struct exray_seal_verifier *v)
{
	r->one_key = v;
	exray_seg_reader_set_verifiers(r, &r->one_key, v ? 1 : 0);
}

void exray_seg_reader_set_verifiers(struct exray_seg_reader *r,
				    struct exray_seal_verifier *const *keys, size_t n)
{
	r->keys = keys;
	r->n_keys = n;
}

const struct exray_seal_verifier *exray_seg_reader_verifier(const struct exray_seg_reader *r)
{
	return r->verifier;
}

const struct exray_seg_seals *exray_seg_reader_seals(const struct exray_seg_reader *r)
{
	return &r->seals;
}

const unsigned char *exray_seg_reader_bytes(const struct exray_seg_reader *r, __u64 *len)
{
	*len = r->size;
	return r->buf;
}
