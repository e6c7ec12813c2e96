/* envelope-devices.h: GPU presets for the batch-fit figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  guint64 memory;            /* bytes */
  const char *vendor;
  guint year;
} EnvelopeDevice;

guint                 envelope_devices_get_n       (void);
const EnvelopeDevice *envelope_devices_get         (guint       index);
const EnvelopeDevice *envelope_devices_lookup      (const char *name);
char                 *envelope_devices_list_valid  (void);

G_END_DECLS
