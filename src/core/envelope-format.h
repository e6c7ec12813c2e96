/* envelope-format.h: numbers as the lecture writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

G_BEGIN_DECLS

typedef enum
{
  ENVELOPE_UNITS_IEC,        /* KiB, MiB, GiB: 1024-based */
  ENVELOPE_UNITS_SI,         /* kB, MB, GB: 1000-based */
} EnvelopeUnits;

/* Room for the longest guint64, grouped (26 characters), and the nul. */
#define ENVELOPE_FORMAT_COUNT_SIZE 28

gsize    envelope_format_digits        (char          *buffer,
                                        guint64        value,
                                        gboolean       grouped);
void     envelope_format_append_count  (GString       *out,
                                        guint64        value);
char    *envelope_format_count         (guint64        value);
char    *envelope_format_scientific    (guint64        value);
char    *envelope_format_compact       (guint64        value);
char    *envelope_format_real          (double         value);
void     envelope_format_append_real   (GString       *out,
                                        double         value);
gboolean envelope_format_append_half   (GString       *out,
                                        double         value);
char    *envelope_format_bytes         (guint64        bytes,
                                        EnvelopeUnits  units);
double   envelope_axis_step            (double         range,
                                       guint          n);
double   envelope_axis_byte_step       (double         range,
                                       guint          n,
                                       EnvelopeUnits  units);
char    *envelope_format_percent       (guint64        part,
                                        guint64        whole);
char    *envelope_format_shape         (guint          rank,
                                        const guint64 *shape);
gboolean envelope_parse_bytes          (const char    *text,
                                        guint64       *bytes);
gboolean envelope_utf8_validate        (const char    *text,
                                        gsize          length,
                                        const char   **end);
GString *envelope_scratch_new          (void);
char    *envelope_scratch_free         (GString       *scratch);

/* Appends @n bytes of @text to @out: a copy into the room the string
 * has, which is nearly always there, without a call per append (the
 * report and the formulas are made of many short pieces). */
static inline void
envelope_string_put (GString    *out,
                     const char *text,
                     gsize       n)
{
  if (G_LIKELY (out->len + n < out->allocated_len))
    {
      char *to = out->str + out->len;

      /* most pieces are a few bytes: copied in two moves that may
       * overlap, not through a call to memcpy() */
      if (n >= 8 && n <= 16)
        {
          guint64 head, tail;

          memcpy (&head, text, 8);
          memcpy (&tail, text + n - 8, 8);
          memcpy (to, &head, 8);
          memcpy (to + n - 8, &tail, 8);
        }
      else if (n >= 4 && n < 8)
        {
          guint32 head, tail;

          memcpy (&head, text, 4);
          memcpy (&tail, text + n - 4, 4);
          memcpy (to, &head, 4);
          memcpy (to + n - 4, &tail, 4);
        }
      else if (n < 4)
        {
          for (gsize i = 0; i < n; i++)
            to[i] = text[i];
        }
      else
        memcpy (to, text, n);
      out->len += n;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, text, (gssize) n);
}

/* g_string_append() through envelope_string_put() */
static inline void
envelope_string_add (GString    *out,
                     const char *text)
{
  envelope_string_put (out, text, strlen (text));
}

/* Whether one of the 8 bytes of @word must be escaped in a JSON string:
 * a control character, '"' or '\\'.  Each byte's test adds within the
 * byte, so no sum carries into the next or wraps; a byte of UTF-8 above
 * 0x7f is never taken for one. */
static inline gboolean
envelope_word_needs_escape (guint64 word)
{
  const guint64 lows = G_GUINT64_CONSTANT (0x7f7f7f7f7f7f7f7f);
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  guint64 quote = word ^ (ones * '"');
  guint64 backslash = word ^ (ones * '\\');
  /* the high bit of each byte: set where the byte is 0x20 or more,
   * where it differs from '"', where it differs from '\\' */
  guint64 printable = ((word & lows) + ones * (0x80 - 0x20)) | word;
  guint64 not_quote = ((quote & lows) + lows) | quote;
  guint64 not_backslash = ((backslash & lows) + lows) | backslash;

  return (~(printable & not_quote & not_backslash) & ~lows) != 0;
}

/* The bytes of @v to escape in a JSON string, a bit each: '"', '\\' and
 * the control characters (those the unsigned minimum with 0x1f leaves
 * as they are). */
#ifdef __SSE2__
static inline guint
envelope_escape_mask (__m128i v)
{
  __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('"')),
                                            _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\\'))),
                              _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1f)), v));

  return (guint) _mm_movemask_epi8 (hit);
}
#endif

/* How many bytes from @p on, up to @end, a JSON string holds as they are:
 * those before the first '"', '\\' or control character.  The bytes
 * from @readable to @end may all be read.  A report's formulas are long
 * and a network file is mostly strings: the text is passed over sixteen
 * bytes at a time (eight where the processor has no SSE2), the first
 * byte to stop at found at once; the last piece, when @readable leaves
 * room, is read as the sixteen bytes that end at @end, overlapping what
 * was read before. */
static inline gsize
envelope_json_plain_run (const char *readable,
                         const char *p,
                         const char *end)
{
  const char *from = p;

#ifdef __SSE2__
  if (end - readable >= 16)
    {
      guint mask;

      for (; end - p >= 16; p += 16)
        if ((mask = envelope_escape_mask (_mm_loadu_si128 ((const __m128i *) (const void *) p))) != 0)
          return (gsize) (p - from) + (gsize) g_bit_nth_lsf (mask, -1);
      if (p == end)
        return (gsize) (p - from);
      /* the bytes before @p were read already: their bits are dropped */
      mask = envelope_escape_mask (_mm_loadu_si128 ((const __m128i *) (const void *) (end - 16))) >> (16 - (end - p));
      return mask != 0 ? (gsize) (p - from) + (gsize) g_bit_nth_lsf (mask, -1) : (gsize) (end - from);
    }
#endif
  while (end - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (envelope_word_needs_escape (word))
        break;
      p += 8;
    }
  while (p < end && (guchar) *p >= 0x20 && *p != '"' && *p != '\\')
    p++;
  return (gsize) (p - from);
}

G_END_DECLS
