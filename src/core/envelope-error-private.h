/* envelope-error-private.h: errors that name the layer and the field
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-network.h"

G_BEGIN_DECLS

/* Sets @error to 'layers[INDEX] "NAME": "FIELD" <message>' and, when
 * @location is given, records the layer and field for a front end. */
void envelope_layer_error (GError               **error,
                           GQuark                 domain,
                           gint                   code,
                           EnvelopeErrorLocation *location,
                           guint                  index,
                           const char            *name,
                           const char            *field,
                           const char            *format,
                           ...) G_GNUC_PRINTF (8, 9);

G_END_DECLS
