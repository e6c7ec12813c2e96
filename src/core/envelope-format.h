/* envelope-format.h: numbers as the lecture writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

G_END_DECLS
