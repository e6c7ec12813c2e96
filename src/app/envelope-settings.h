/* envelope-settings.h: the preferences, as the rest of the app reads them
 *
 * Every byte figure the app shows goes through envelope_settings_format_bytes(),
 * so the "units" preference reaches all of them; a widget that shows one
 * asks to be told when the preference changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-format.h"

G_BEGIN_DECLS

EnvelopeUnits  envelope_settings_get_units       (void);
char          *envelope_settings_format_bytes    (guint64      bytes);
void           envelope_settings_watch           (const char  *key,
                                                  GCallback    callback,
                                                  gpointer     object);

G_END_DECLS
