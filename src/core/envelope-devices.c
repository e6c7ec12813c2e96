/* envelope-devices.c
 *
 * The presets live in data/devices.json, compiled into the library as a
 * C table at build time (build-aux/devices-table.py), so that every front
 * end (and every test) has them without an installed data directory, and
 * no program parses them on every run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-devices"

#include "config.h"

#include "envelope-devices.h"
#include "envelope-devices-table.h"

guint
envelope_devices_get_n (void)
{
  return G_N_ELEMENTS (devices);
}

const EnvelopeDevice *
envelope_devices_get (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (devices), NULL);
  return &devices[index];
}

/* Case-insensitive, so "gtx titan x" and "GTX Titan X" agree. */
const EnvelopeDevice *
envelope_devices_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    if (g_ascii_strcasecmp (devices[i].name, name) == 0)
      return &devices[i];
  return NULL;
}

char *
envelope_devices_list_valid (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    g_string_append_printf (out, "%s\"%s\"", i > 0 ? ", " : "", devices[i].name);
  return g_string_free (out, FALSE);
}
