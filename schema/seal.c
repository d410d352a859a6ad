// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Forward-secure seals: the key schedule of seal.h, on libsodium. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "seal.h"

/* crypto_kdf context and subkey ids: one meaning each, never reused. */
static const char KDF_CTX[crypto_kdf_CONTEXTBYTES + 1] = "exrayfss";
enum { KDF_EPOCH = 1, KDF_NEXT_EPOCH = 2, KDF_NEXT = 3, KDF_MAC = 4, KDF_FINGERPRINT = 5 };

_Static_assert(EXRAY_SEAL_KEY_BYTES == crypto_kdf_KEYBYTES, "keys are crypto_kdf keys");
_Static_assert(EXRAY_SEAL_BYTES >= crypto_generichash_BYTES_MIN, "seals are BLAKE2b outputs");

static void kdf(__u8 *out, size_t len, int id, const __u8 key[EXRAY_SEAL_KEY_BYTES])
{
	crypto_kdf_derive_from_key(out, len, (uint64_t)id, KDF_CTX, key);
}

/* Replace key with KDF(key, id), leaving no copy of the old one. */
static void evolve(__u8 key[EXRAY_SEAL_KEY_BYTES], int id)
{
	__u8 next[EXRAY_SEAL_KEY_BYTES];

	kdf(next, sizeof(next), id, key);
	memcpy(key, next, sizeof(next));
	sodium_memzero(next, sizeof(next));
}

static void mac(const __u8 key[EXRAY_SEAL_KEY_BYTES], const struct exray_seal_block *b,
		__u8 out[EXRAY_SEAL_BYTES])
{
	__u8 mk[EXRAY_SEAL_KEY_BYTES];

	kdf(mk, sizeof(mk), KDF_MAC, key);
	crypto_generichash(out, EXRAY_SEAL_BYTES, (const void *)b, sizeof(*b), mk, sizeof(mk));
	sodium_memzero(mk, sizeof(mk));
}

void exray_seal_fingerprint(const __u8 vkey[EXRAY_SEAL_KEY_BYTES], __u8 fp[EXRAY_SEAL_FP_BYTES])
{
	kdf(fp, EXRAY_SEAL_FP_BYTES, KDF_FINGERPRINT, vkey);
}

void exray_seal_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

bool exray_seal_equal(const __u8 a[EXRAY_SEAL_BYTES], const __u8 b[EXRAY_SEAL_BYTES])
{
	return sodium_memcmp(a, b, EXRAY_SEAL_BYTES) == 0;
}

/* ------------------------------------------------------------- sealer */

struct exray_sealer {
	__u8 key[EXRAY_SEAL_KEY_BYTES];        /* K_{j,i}: seals the next seal */
	__u8 next_epoch[EXRAY_SEAL_KEY_BYTES]; /* M_{j+1} */
	__u8 fp[EXRAY_SEAL_FP_BYTES];
	__u64 index;                           /* j * EPOCH + i */
	__u8 last[EXRAY_SEAL_BYTES];
	bool have_last;
};

int exray_sealer_from_key(struct exray_sealer **out, const __u8 vkey[EXRAY_SEAL_KEY_BYTES])
{
	struct exray_sealer *s;

	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	/* locked memory, guard pages, never in a core dump */
	s = sodium_malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	kdf(s->key, sizeof(s->key), KDF_EPOCH, vkey);
	kdf(s->next_epoch, sizeof(s->next_epoch), KDF_NEXT_EPOCH, vkey);
	exray_seal_fingerprint(vkey, s->fp);
	*out = s;
	return 0;
}

int exray_sealer_new(struct exray_sealer **out, __u8 vkey[EXRAY_SEAL_KEY_BYTES])
{
	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	randombytes_buf(vkey, EXRAY_SEAL_KEY_BYTES);
	return exray_sealer_from_key(out, vkey);
}

void exray_sealer_free(struct exray_sealer *s)
{
	sodium_free(s); /* wipes before freeing */
}

const __u8 *exray_sealer_fp(const struct exray_sealer *s)
{
	return s->fp;
}

__u64 exray_sealer_next_index(const struct exray_sealer *s)
{
	return s->index;
}

bool exray_sealer_last(const struct exray_sealer *s, __u64 *index, __u8 seal[EXRAY_SEAL_BYTES])
{
	if (!s->have_last)
		return false;
	*index = s->index - 1;
	memcpy(seal, s->last, EXRAY_SEAL_BYTES);
	return true;
}

void exray_sealer_seal(struct exray_sealer *s, struct exray_seal_block *b,
		       __u8 out[EXRAY_SEAL_BYTES])
{
	b->key_index = s->index;
	if (s->have_last)
		memcpy(b->prev_seal, s->last, EXRAY_SEAL_BYTES);
	else
		memset(b->prev_seal, 0, EXRAY_SEAL_BYTES);
	mac(s->key, b, out);
	memcpy(s->last, out, EXRAY_SEAL_BYTES);
	s->have_last = true;
	/* the key just used must not outlive this call */
	s->index++;
	if (s->index % EXRAY_SEAL_EPOCH == 0) {
		kdf(s->key, sizeof(s->key), KDF_EPOCH, s->next_epoch);
		evolve(s->next_epoch, KDF_NEXT_EPOCH);
	} else {
		evolve(s->key, KDF_NEXT);
	}
}

/* ----------------------------------------------------------- verifier */

struct exray_seal_verifier {
	__u8 vkey[EXRAY_SEAL_KEY_BYTES];   /* M_0 */
	__u8 epoch_key[EXRAY_SEAL_KEY_BYTES]; /* M_j */
	__u8 key[EXRAY_SEAL_KEY_BYTES];    /* K_{j,i} */
	__u64 j, i;
	__u8 fp[EXRAY_SEAL_FP_BYTES];
};

static void verifier_rewind(struct exray_seal_verifier *v)
{
	memcpy(v->epoch_key, v->vkey, sizeof(v->vkey));
	kdf(v->key, sizeof(v->key), KDF_EPOCH, v->epoch_key);
	v->j = v->i = 0;
}

int exray_seal_verifier_new(struct exray_seal_verifier **out,
			    const __u8 vkey[EXRAY_SEAL_KEY_BYTES])
{
	struct exray_seal_verifier *v;

	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	v = sodium_malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v->vkey, vkey, sizeof(v->vkey));
	exray_seal_fingerprint(vkey, v->fp);
	verifier_rewind(v);
	*out = v;
	return 0;
}

void exray_seal_verifier_free(struct exray_seal_verifier *v)
{
	sodium_free(v);
}

const __u8 *exray_seal_verifier_fp(const struct exray_seal_verifier *v)
{
	return v->fp;
}

int exray_seal_verifier_mac(struct exray_seal_verifier *v, const struct exray_seal_block *b,
			    __u8 out[EXRAY_SEAL_BYTES])
{
	__u64 tj = b->key_index / EXRAY_SEAL_EPOCH, ti = b->key_index % EXRAY_SEAL_EPOCH;

	if (b->key_index > EXRAY_SEAL_MAX_INDEX)
		return -ERANGE;
	if (tj < v->j || (tj == v->j && ti < v->i))
		verifier_rewind(v);
	while (v->j < tj) {
		evolve(v->epoch_key, KDF_NEXT_EPOCH);
		v->j++;
		kdf(v->key, sizeof(v->key), KDF_EPOCH, v->epoch_key);
		v->i = 0;
	}
	for (; v->i < ti; v->i++)
		evolve(v->key, KDF_NEXT);
	mac(v->key, b, out);
	return 0;
}

/* ------------------------------------------------------------ helpers */

void exray_seal_span_hash(const void *buf, size_t len, __u8 out[EXRAY_SEAL_BYTES])
{
	crypto_generichash(out, EXRAY_SEAL_BYTES, buf, len, NULL, 0);
}

struct exray_seal_hasher {
	crypto_generichash_state st;
};

int exray_seal_hasher_new(struct exray_seal_hasher **out)
{
	/* the state wants 64-byte alignment */
	struct exray_seal_hasher *h = aligned_alloc(64, (sizeof(*h) + 63) & ~(size_t)63);

	*out = NULL;
	if (sodium_init() < 0) {
		free(h);
		return -EIO;
	}
	if (!h)
		return -ENOMEM;
	crypto_generichash_init(&h->st, NULL, 0, EXRAY_SEAL_BYTES);
	*out = h;
	return 0;
}

void exray_seal_hasher_add(struct exray_seal_hasher *h, const void *buf, size_t len)
{
	crypto_generichash_update(&h->st, buf, len);
}

void exray_seal_hasher_final(struct exray_seal_hasher *h, __u8 out[EXRAY_SEAL_BYTES])
{
	crypto_generichash_final(&h->st, out, EXRAY_SEAL_BYTES);
	crypto_generichash_init(&h->st, NULL, 0, EXRAY_SEAL_BYTES);
}

void exray_seal_hasher_free(struct exray_seal_hasher *h)
{
	free(h);
}

void exray_seal_hex(const __u8 *bytes, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bytes, n);
}

int exray_seal_key_parse(const char *text, __u8 key[EXRAY_SEAL_KEY_BYTES])
{
	const char *line = text;
	size_t bin_len = 0, n;

	if (sodium_init() < 0)
		return -EIO;
	/* skip comment and blank lines */
	while (*line == '#' || *line == '\n' || *line == '\r' || *line == ' ' || *line == '\t') {
		if (*line == '#')
			line += strcspn(line, "\n");
		else
			line++;
	}
	n = strcspn(line, "\r\n \t");
	if (n != 2 * EXRAY_SEAL_KEY_BYTES)
		return -EINVAL;
	if (sodium_hex2bin(key, EXRAY_SEAL_KEY_BYTES, line, n, NULL, &bin_len, NULL) ||
	    bin_len != EXRAY_SEAL_KEY_BYTES)
		return -EINVAL;
	return 0;
}

int exray_seal_key_format(const __u8 vkey[EXRAY_SEAL_KEY_BYTES], const __u8 capture_id[16],
			  char *buf, size_t len)
{
	char cap[33], fph[2 * EXRAY_SEAL_FP_BYTES + 1], kh[2 * EXRAY_SEAL_KEY_BYTES + 1];
	__u8 fp[EXRAY_SEAL_FP_BYTES];
	int n;

	exray_seal_fingerprint(vkey, fp);
	exray_seal_hex(capture_id, 16, cap);
	exray_seal_hex(fp, sizeof(fp), fph);
	exray_seal_hex(vkey, EXRAY_SEAL_KEY_BYTES, kh);
	n = snprintf(buf, len,
		     "# exray verification key of capture %s, fingerprint %s\n"
		     "# Keep it off the recording host: whoever holds it can forge seals.\n"
		     "# Check a capture with: exray verify --key THIS-FILE SEGMENTS...\n"
		     "%s\n", cap, fph, kh);
	sodium_memzero(kh, sizeof(kh));
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
