/* envelope-preferences-window.c
 *
 * Each row is bound to its GSettings key; every window listens to the
 * keys, so a choice takes effect at once, everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-application.h"
#include "envelope-devices.h"
#include "envelope-preferences-window.h"
#include "envelope-settings.h"

struct _EnvelopePreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* template children */
  AdwComboRow *units_row;
  GtkSwitch *flops_switch;
  AdwComboRow *device_row;
  AdwComboRow *color_row;
  AdwComboRow *style_row;
  GtkSwitch *gpu_switch;

  GtkStringList *devices;   /* "None", then each preset with its memory */
};

G_DEFINE_FINAL_TYPE (EnvelopePreferencesWindow, envelope_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The rows' items, in the order of the schema's enums. */
static const char *const units[] = { "iec", "si", NULL };
static const char *const color_modes[] = { "kind", "memory", "macs", "params", NULL };
static const char *const diagram_styles[] = { "flat", "proportional", NULL };

static gboolean
nick_to_position (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
position_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char *const *nicks = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[position]);
}

static void
bind_enum (AdwComboRow       *row,
           const char        *key,
           const char *const *nicks)
{
  g_settings_bind_with_mapping (envelope_app_get_settings (), key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                nick_to_position, position_to_nick, (gpointer) nicks, NULL);
}

/* Position 0 is "None"; then the presets in the core's order. */
static gboolean
device_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const EnvelopeDevice *device = envelope_devices_lookup (g_variant_get_string (variant, NULL));

  g_value_set_uint (value, 0);
  for (guint i = 0; device != NULL && i < envelope_devices_get_n (); i++)
    if (envelope_devices_get (i) == device)
      g_value_set_uint (value, i + 1);
  return TRUE;
}

static GVariant *
position_to_device (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position == 0 || position > envelope_devices_get_n ())
    return g_variant_new_string ("");
  return g_variant_new_string (envelope_devices_get (position - 1)->name);
}

/* The presets' memory in the chosen units, written again when they
 * change.  The row is unbound meanwhile, so that the list emptied and
 * filled again never reads as another choice. */
static void
fill_devices (EnvelopePreferencesWindow *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (labels, g_strdup (_("None")));
  for (guint i = 0; i < envelope_devices_get_n (); i++)
    {
      const EnvelopeDevice *device = envelope_devices_get (i);
      g_autofree char *memory = envelope_settings_format_bytes (device->memory);

      g_ptr_array_add (labels, g_strdup_printf ("%s (%s)", device->name, memory));
    }
  g_ptr_array_add (labels, NULL);

  g_settings_unbind (self->device_row, "selected");
  gtk_string_list_splice (self->devices, 0, g_list_model_get_n_items (G_LIST_MODEL (self->devices)),
                          (const char * const *) labels->pdata);
  g_settings_bind_with_mapping (envelope_app_get_settings (), "default-device", self->device_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, device_to_position, position_to_device, NULL, NULL);
}

static void
envelope_preferences_window_dispose (GObject *object)
{
  EnvelopePreferencesWindow *self = ENVELOPE_PREFERENCES_WINDOW (object);

  g_clear_object (&self->devices);
  G_OBJECT_CLASS (envelope_preferences_window_parent_class)->dispose (object);
}

static void
envelope_preferences_window_class_init (EnvelopePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_preferences_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/envelope/Envelope/envelope-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, units_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, flops_switch);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, color_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePreferencesWindow, gpu_switch);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
envelope_preferences_window_init (EnvelopePreferencesWindow *self)
{
  GSettings *settings = envelope_app_get_settings ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->devices = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->device_row, G_LIST_MODEL (self->devices));
  fill_devices (self);
  envelope_settings_watch ("units", G_CALLBACK (fill_devices), self);

  bind_enum (self->units_row, "units", units);
  bind_enum (self->color_row, "color-mode", color_modes);
  bind_enum (self->style_row, "diagram-style", diagram_styles);
  g_settings_bind (settings, "flops", self->flops_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "gpu-drawing", self->gpu_switch, "active", G_SETTINGS_BIND_DEFAULT);
}

GtkWidget *
envelope_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (ENVELOPE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
