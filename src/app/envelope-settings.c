/* envelope-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-settings"

#include "config.h"

#include "envelope-application.h"
#include "envelope-settings.h"

/* IEC (KiB, MiB) or SI (kB, MB), as chosen in the preferences. */
EnvelopeUnits
envelope_settings_get_units (void)
{
  return g_settings_get_enum (envelope_app_get_settings (), "units") == ENVELOPE_UNITS_SI
         ? ENVELOPE_UNITS_SI : ENVELOPE_UNITS_IEC;
}

/* "527.8 MiB" or "553 MB": @bytes in the chosen units. */
char *
envelope_settings_format_bytes (guint64 bytes)
{
  return envelope_format_bytes (bytes, envelope_settings_get_units ());
}

/* Calls @callback (@object, the settings' key) whenever @key changes,
 * for as long as @object lives. */
void
envelope_settings_watch (const char *key,
                         GCallback   callback,
                         gpointer    object)
{
  g_autofree char *signal = g_strconcat ("changed::", key, NULL);

  g_return_if_fail (G_IS_OBJECT (object));

  g_signal_connect_object (envelope_app_get_settings (), signal, callback, object, G_CONNECT_SWAPPED);
}
