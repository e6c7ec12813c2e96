/* envelope-hash.h: one hash for the keys that say whether a picture changed
 *
 * FNV-1a, 64 bits: stable across runs (a key may be kept), and wide
 * enough that thousands of blocks' keys do not collide.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ENVELOPE_HASH_START G_GUINT64_CONSTANT (0xcbf29ce484222325)

/* The product wraps modulo 2^64 by design: a build that checks unsigned
 * overflow (build-aux/fuzz.sh) is told so. */
#if defined (__clang__)
#define ENVELOPE_HASH_WRAPS __attribute__ ((no_sanitize ("unsigned-integer-overflow")))
#else
#define ENVELOPE_HASH_WRAPS
#endif

ENVELOPE_HASH_WRAPS static inline guint64
envelope_hash_bytes (guint64     hash,
                     const void *data,
                     gsize       size)
{
  const guint8 *p = data;

  for (gsize i = 0; i < size; i++)
    {
      hash ^= p[i];
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return hash;
}

G_END_DECLS
