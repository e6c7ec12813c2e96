/* envelope-devices.c
 *
 * The presets live in data/devices.json, compiled into the library as a
 * resource so that every front end (and every test) has them without an
 * installed data directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-devices"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "envelope-devices.h"
#include "envelope-core-resources.h"

static GArray *devices;

static void
load_devices (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *list;

  devices = g_array_new (FALSE, TRUE, sizeof (EnvelopeDevice));
  bytes = g_resources_lookup_data ("/io/github/envelope/core/devices.json", 0, &error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
    g_error ("The built-in device presets cannot be read: %s", error->message);

  list = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "devices");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);
      EnvelopeDevice device = {
        .name = g_intern_string (json_object_get_string_member (entry, "name")),
        .memory = (guint64) json_object_get_int_member (entry, "memory"),
        .vendor = g_intern_string (json_object_get_string_member_with_default (entry, "vendor", "")),
        .year = (guint) json_object_get_int_member_with_default (entry, "year", 0),
      };
      g_array_append_val (devices, device);
    }
}

static void
ensure_devices (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      load_devices ();
      g_once_init_leave (&once, 1);
    }
}

guint
envelope_devices_get_n (void)
{
  ensure_devices ();
  return devices->len;
}

const EnvelopeDevice *
envelope_devices_get (guint index)
{
  ensure_devices ();
  g_return_val_if_fail (index < devices->len, NULL);
  return &g_array_index (devices, EnvelopeDevice, index);
}

/* Case-insensitive, so "gtx titan x" and "GTX Titan X" agree. */
const EnvelopeDevice *
envelope_devices_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  ensure_devices ();
  for (guint i = 0; i < devices->len; i++)
    {
      const EnvelopeDevice *device = &g_array_index (devices, EnvelopeDevice, i);
      if (g_ascii_strcasecmp (device->name, name) == 0)
        return device;
    }
  return NULL;
}

char *
envelope_devices_list_valid (void)
{
  GString *out = g_string_new (NULL);

  ensure_devices ();
  for (guint i = 0; i < devices->len; i++)
    g_string_append_printf (out, "%s\"%s\"", i > 0 ? ", " : "",
                            g_array_index (devices, EnvelopeDevice, i).name);
  return g_string_free (out, FALSE);
}
