/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Forward-secure seals (SEGMENT.md, "Seals"): the recorder's evolving key
 * (the sealer) and the verifier's view of the same schedule. All crypto is
 * libsodium's: keyed BLAKE2b (crypto_generichash) for seals and span
 * hashes, crypto_kdf (BLAKE2b) for every key derivation, sodium_memzero for
 * erasing, sodium_malloc for key memory (locked, kept out of core dumps).
 *
 * Key schedule. The verification key V = M_0. Keys come in epochs of
 * EXRAY_SEAL_EPOCH: M_{j+1} = KDF(M_j, NEXT_EPOCH), K_{j,0} = KDF(M_j,
 * EPOCH), K_{j,i+1} = KDF(K_{j,i}, NEXT). Seal number e (its "key index",
 * counted from 0 over the whole capture) uses K_{e / EPOCH, e % EPOCH},
 * through its MAC key KDF(K, MAC). After sealing, the sealer holds only the
 * next K and M_{j+1}: neither leads back to an earlier key, so whoever reads
 * its memory at time t cannot seal as of before t. The verifier, holding
 * V, reaches any index in e / EPOCH + EPOCH derivations at most.
 *
 * Functions return 0 or a negative errno; nothing prints.
 */
#ifndef EXRAY_SEAL_H
#define EXRAY_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include "exray_events.h"

#define EXRAY_SEAL_KEY_BYTES 32
#define EXRAY_SEAL_BYTES 32
#define EXRAY_SEAL_FP_BYTES 16
#define EXRAY_SEAL_EPOCH 65536ull
/* Key indexes above this are refused by the verifier (a crafted index must
 * not cost minutes of derivation: this one costs 2^20 + 2^16 derivations,
 * about a second); a capture sealing 100 frames a second reaches it after
 * 21 years. */
#define EXRAY_SEAL_MAX_INDEX (1ull << 36)

/* Seal flags (also in the seal frame). */
#define EXRAY_SEAL_F_FINAL 0x1u   /* the segment's last seal, right after its footer */

/*
 * What a seal authenticates, as fed to keyed BLAKE2b (little-endian, this
 * exact layout: SEGMENT.md "Seals" has the table).
 */
struct exray_seal_block {
	__u8 capture_id[16];
	__u64 seq;              /* segment sequence number */
	__u64 key_index;        /* this seal's number in the capture, from 0 */
	__u32 seal_no;          /* this seal's number in the segment, from 0 */
	__u32 flags;            /* EXRAY_SEAL_F_* */
	__u64 boot_ns;          /* when sealed */
	__u64 span_offset;      /* file offset of the first byte covered */
	__u64 span_len;         /* bytes covered: every frame since the previous seal */
	__u8 prev_seal[EXRAY_SEAL_BYTES];  /* the capture's previous seal; zero for the first */
	__u8 span_hash[EXRAY_SEAL_BYTES];  /* BLAKE2b-256 of the covered bytes */
};
EXRAY_ASSERT_SIZE(struct exray_seal_block, 128);

/* ------------------------------------------------------------- sealer */

struct exray_sealer;

/* A fresh random verification key; its copy goes to vkey (the caller shows
 * it once, then erases it with exray_seal_wipe). */
int exray_sealer_new(struct exray_sealer **out, __u8 vkey[EXRAY_SEAL_KEY_BYTES]);
/* A sealer starting from a given verification key (tests, worked example). */
int exray_sealer_from_key(struct exray_sealer **out, const __u8 vkey[EXRAY_SEAL_KEY_BYTES]);
/* Erases every key. Accepts NULL. */
void exray_sealer_free(struct exray_sealer *s);
/* Fingerprint of the verification key (goes into every header). */
const __u8 *exray_sealer_fp(const struct exray_sealer *s);
/* Key index the next seal will use. */
__u64 exray_sealer_next_index(const struct exray_sealer *s);
/* The last seal made and its key index; false before the first. */
bool exray_sealer_last(const struct exray_sealer *s, __u64 *index, __u8 seal[EXRAY_SEAL_BYTES]);
/*
 * Seal b with the current key: sets b->key_index and b->prev_seal (the
 * caller fills the rest), writes the seal to out, then evolves the key and
 * erases the one used.
 */
void exray_sealer_seal(struct exray_sealer *s, struct exray_seal_block *b,
		       __u8 out[EXRAY_SEAL_BYTES]);

/* ----------------------------------------------------------- verifier */

struct exray_seal_verifier;

int exray_seal_verifier_new(struct exray_seal_verifier **out,
			    const __u8 vkey[EXRAY_SEAL_KEY_BYTES]);
void exray_seal_verifier_free(struct exray_seal_verifier *v);
const __u8 *exray_seal_verifier_fp(const struct exray_seal_verifier *v);
/* The seal b should carry (b->key_index selects the key). -ERANGE for an
 * index above EXRAY_SEAL_MAX_INDEX. Fastest for rising indexes. */
int exray_seal_verifier_mac(struct exray_seal_verifier *v, const struct exray_seal_block *b,
			    __u8 out[EXRAY_SEAL_BYTES]);
/* Constant-time comparison of two seals. */
bool exray_seal_equal(const __u8 a[EXRAY_SEAL_BYTES], const __u8 b[EXRAY_SEAL_BYTES]);

/* ------------------------------------------------------------ helpers */

/* BLAKE2b-256 of a span of file bytes (what a seal covers), one shot or
 * by parts. */
void exray_seal_span_hash(const void *buf, size_t len, __u8 out[EXRAY_SEAL_BYTES]);
struct exray_seal_hasher;
int exray_seal_hasher_new(struct exray_seal_hasher **out);
void exray_seal_hasher_add(struct exray_seal_hasher *h, const void *buf, size_t len);
/* The hash of everything added since the last final (or new); restarts. */
void exray_seal_hasher_final(struct exray_seal_hasher *h, __u8 out[EXRAY_SEAL_BYTES]);
void exray_seal_hasher_free(struct exray_seal_hasher *h);

void exray_seal_fingerprint(const __u8 vkey[EXRAY_SEAL_KEY_BYTES], __u8 fp[EXRAY_SEAL_FP_BYTES]);
/*
 * A verification key from text: 64 hex digits, alone or as the first line
 * of a key file that is not blank and does not start with '#'. Returns 0,
 * or -EINVAL.
 */
int exray_seal_key_parse(const char *text, __u8 key[EXRAY_SEAL_KEY_BYTES]);
/* The key file's text (comment lines naming the capture and fingerprint,
 * then the key in hex) into buf; returns its length or -ENOSPC. */
int exray_seal_key_format(const __u8 vkey[EXRAY_SEAL_KEY_BYTES], const __u8 capture_id[16],
			  char *buf, size_t len);
/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void exray_seal_hex(const __u8 *bytes, size_t n, char *out);
/* Erase secret bytes (sodium_memzero). */
void exray_seal_wipe(void *p, size_t len);

#endif /* EXRAY_SEAL_H */
