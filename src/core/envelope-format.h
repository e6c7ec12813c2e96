/* envelope-format.h: numbers as the lecture writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

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

G_END_DECLS
