/* envelope-training-panel.c
 *
 * The controls edit through the window's "win.set-training" action, as
 * a test or a script would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-training-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "envelope-devices.h"
#include "envelope-application.h"
#include "envelope-format.h"
#include "envelope-pair-editor.h"
#include "envelope-settings.h"
#include "envelope-training-panel.h"

struct _EnvelopeTrainingPanel
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;

  /* template children */
  GtkSpinButton *batch_spin;
  GtkDropDown *dtype_dropdown;
  GtkSwitch *mixed_switch;
  GtkDropDown *optimizer_dropdown;
  GtkDropDown *device_dropdown;
  GtkEntry *memory_entry;
  GtkEntry *reserved_entry;
  GtkSpinButton *target_spin;
  GtkDropDown *model_dropdown;
  GtkEntry *context_entry;
  GtkEntry *generate_entry;
  GtkDropDown *kv_dropdown;

  gboolean updating;
};

G_DEFINE_FINAL_TYPE (EnvelopeTrainingPanel, envelope_training_panel, GTK_TYPE_WIDGET)

static const EnvelopeOptimizer optimizers[] = {
  ENVELOPE_OPTIMIZER_NONE, ENVELOPE_OPTIMIZER_SGD, ENVELOPE_OPTIMIZER_SGD_MOMENTUM,
  ENVELOPE_OPTIMIZER_NESTEROV, ENVELOPE_OPTIMIZER_RMSPROP, ENVELOPE_OPTIMIZER_ADAGRAD,
  ENVELOPE_OPTIMIZER_ADAM, ENVELOPE_OPTIMIZER_ADAMW,
};
static const char *const optimizer_labels[] = {
  N_("None (inference)"), N_("SGD"), N_("SGD with momentum"), N_("Nesterov"),
  N_("RMSprop"), N_("Adagrad"), N_("Adam"), N_("AdamW"),
};
static const char *const model_labels[ENVELOPE_N_MEMORY_MODELS] = {
  [ENVELOPE_MEMORY_MODEL_PYTORCH] = N_("PyTorch on a GPU"),
  [ENVELOPE_MEMORY_MODEL_LECTURE] = N_("Lecture"),
};
static const EnvelopeDtype dtypes[] = {
  ENVELOPE_DTYPE_FP32, ENVELOPE_DTYPE_FP16, ENVELOPE_DTYPE_BF16, ENVELOPE_DTYPE_INT8, ENVELOPE_DTYPE_FP64,
  ENVELOPE_DTYPE_FP8,
};
static const EnvelopeDtype cache_dtypes[] = {
  ENVELOPE_DTYPE_FP16, ENVELOPE_DTYPE_BF16, ENVELOPE_DTYPE_INT8, ENVELOPE_DTYPE_FP8, ENVELOPE_DTYPE_FP32,
};

/* "batch 64 · fp32 · sgd_momentum · GTX Titan X", for the button. */
char *
envelope_training_describe (const EnvelopeTraining *training)
{
  GString *out = g_string_new (NULL);
  g_autofree char *batch = envelope_format_count (training->batch);

  g_string_append_printf (out, _("batch %s"), batch);
  g_string_append_printf (out, " · %s", envelope_dtype_to_string (training->dtype));
  if (training->mixed_precision)
    g_string_append (out, _(" mixed"));
  g_string_append_printf (out, " · %s", envelope_optimizer_to_string (training->optimizer));
  if (training->prompt_tokens + training->new_tokens > 0)
    g_string_append_printf (out, _(" · generate %" PRIu64 "+%" PRIu64),
                            training->prompt_tokens, training->new_tokens);
  if (training->device != NULL)
    g_string_append_printf (out, " · %s", training->device);
  else if (training->device_memory > 0)
    {
      g_autofree char *memory = envelope_settings_format_bytes (training->device_memory);
      g_string_append_printf (out, " · %s", memory);
    }
  return g_string_free (out, FALSE);
}

static void
set_training (EnvelopeTrainingPanel *self,
              const char            *key,
              GVariant              *value)
{
  if (self->updating)
    {
      g_variant_unref (g_variant_ref_sink (value));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-training", "(sv)", key, value);
}

/* An entry that cannot be read is marked, and edits nothing. */
static void
mark_valid (GtkEditable *editable,
            gboolean     valid)
{
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
}

static void
on_batch_changed (GtkEditable           *editable,
                  EnvelopeTrainingPanel *self)
{
  gint64 value;

  if (envelope_spin_button_parse (GTK_SPIN_BUTTON (editable), &value) && value >= 1)
    set_training (self, "batch", g_variant_new_int64 (value));
}

static void
on_target_changed (GtkEditable           *editable,
                   EnvelopeTrainingPanel *self)
{
  gint64 value;

  if (envelope_spin_button_parse (GTK_SPIN_BUTTON (editable), &value) && value >= 0)
    set_training (self, "target_batch", g_variant_new_int64 (value));
}

static void
on_dtype_selected (GtkDropDown           *dropdown,
                   GParamSpec            *pspec,
                   EnvelopeTrainingPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (i < G_N_ELEMENTS (dtypes))
    set_training (self, "dtype", g_variant_new_string (envelope_dtype_to_string (dtypes[i])));
}

static void
on_mixed_toggled (GtkSwitch             *toggle,
                  GParamSpec            *pspec,
                  EnvelopeTrainingPanel *self)
{
  set_training (self, "mixed_precision", g_variant_new_boolean (gtk_switch_get_active (toggle)));
}

static void
on_optimizer_selected (GtkDropDown           *dropdown,
                       GParamSpec            *pspec,
                       EnvelopeTrainingPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (i < G_N_ELEMENTS (optimizers))
    set_training (self, "optimizer", g_variant_new_string (envelope_optimizer_to_string (optimizers[i])));
}

static void
on_model_selected (GtkDropDown           *dropdown,
                   GParamSpec            *pspec,
                   EnvelopeTrainingPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->context_entry), i == ENVELOPE_MEMORY_MODEL_PYTORCH);
  if (i < ENVELOPE_N_MEMORY_MODELS)
    set_training (self, "memory_model", g_variant_new_string (envelope_memory_model_to_string (i)));
}

static void
on_generate_changed (GtkEditable           *editable,
                     EnvelopeTrainingPanel *self)
{
  const char *text = gtk_editable_get_text (editable);
  guint64 prompt, generated;
  gboolean empty = text[0] == '\0';
  gboolean valid = empty || envelope_parse_generate (text, &prompt, &generated);

  if (self->updating)
    return;
  mark_valid (editable, valid);
  if (valid)
    set_training (self, "generate", g_variant_new_string (text));
}

static void
on_kv_selected (GtkDropDown           *dropdown,
                GParamSpec            *pspec,
                EnvelopeTrainingPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (i < G_N_ELEMENTS (cache_dtypes))
    set_training (self, "kv_cache", g_variant_new_string (envelope_dtype_to_string (cache_dtypes[i])));
}

/* Item 0 is "no GPU", then the presets, then "other". */
static void
on_device_selected (GtkDropDown           *dropdown,
                    GParamSpec            *pspec,
                    EnvelopeTrainingPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  guint n = envelope_devices_get_n ();
  guint64 bytes;

  gtk_widget_set_sensitive (GTK_WIDGET (self->memory_entry), i == n + 1);
  if (i == 0)
    set_training (self, "device", g_variant_new_string (""));
  else if (i <= n)
    set_training (self, "device", g_variant_new_string (envelope_devices_get (i - 1)->name));
  else if (envelope_parse_bytes (gtk_editable_get_text (GTK_EDITABLE (self->memory_entry)), &bytes) && bytes > 0)
    set_training (self, "device_memory", g_variant_new_uint64 (bytes));
}

static void
on_bytes_changed (GtkEditable           *editable,
                  EnvelopeTrainingPanel *self)
{
  const char *key = GTK_ENTRY (editable) == self->memory_entry ? "device_memory"
                  : GTK_ENTRY (editable) == self->context_entry ? "context_memory" : "reserved_memory";
  const char *text = gtk_editable_get_text (editable);
  guint64 bytes;
  gboolean valid = envelope_parse_bytes (text, &bytes) && (bytes > 0 || GTK_ENTRY (editable) != self->memory_entry);

  if (self->updating)
    return;
  mark_valid (editable, valid);
  if (valid)
    set_training (self, key, g_variant_new_uint64 (bytes));
}

/* @bytes as a whole number of the largest unit that divides it, in the
 * chosen units when one does, else in the other ones ("11 GiB" rather
 * than 11,811,160,064 when sizes are shown in GB), or NULL. */
static char *
format_exact_bytes (guint64 bytes)
{
  static const char *const names[2][4] = {
    [ENVELOPE_UNITS_IEC] = { "KiB", "MiB", "GiB", "TiB" },
    [ENVELOPE_UNITS_SI] = { "kB", "MB", "GB", "TB" },
  };
  EnvelopeUnits chosen = envelope_settings_get_units ();
  EnvelopeUnits families[2] = { chosen, chosen == ENVELOPE_UNITS_SI ? ENVELOPE_UNITS_IEC : ENVELOPE_UNITS_SI };

  for (guint f = 0; f < 2; f++)
    {
      guint64 base = families[f] == ENVELOPE_UNITS_SI ? 1000 : 1024;
      guint64 factor = base * base * base * base;

      for (gint p = 3; p >= 0; p--, factor /= base)
        if (bytes >= factor && bytes % factor == 0)
          return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes / factor, names[families[f]][p]);
    }
  return NULL;
}

/* A size the entry shows as it would be read back: rounded only when
 * reading the rounded text gives the same bytes. */
static void
show_bytes (GtkEntry *entry,
            guint64   bytes)
{
  guint64 shown;
  g_autofree char *text = NULL;

  if (envelope_parse_bytes (gtk_editable_get_text (GTK_EDITABLE (entry)), &shown) && shown == bytes)
    return;
  text = envelope_settings_format_bytes (bytes);
  if (!envelope_parse_bytes (text, &shown) || shown != bytes)
    {
      g_free (text);
      text = format_exact_bytes (bytes);
      if (text == NULL)
        text = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
    }
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static void
refresh (EnvelopeTrainingPanel *self)
{
  const EnvelopeTraining *t = &envelope_document_get_network (self->document)->training;
  guint device = 0;

  self->updating = TRUE;
  envelope_spin_button_show (self->batch_spin, (gint64) t->batch);
  envelope_spin_button_show (self->target_spin, (gint64) t->target_batch);
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i] == t->dtype)
      gtk_drop_down_set_selected (self->dtype_dropdown, i);
  gtk_switch_set_active (self->mixed_switch, t->mixed_precision);
  for (guint i = 0; i < G_N_ELEMENTS (optimizers); i++)
    if (optimizers[i] == t->optimizer)
      gtk_drop_down_set_selected (self->optimizer_dropdown, i);

  if (t->device != NULL)
    {
      for (guint i = 0; i < envelope_devices_get_n (); i++)
        if (g_strcmp0 (envelope_devices_get (i)->name, t->device) == 0)
          device = i + 1;
    }
  else if (t->device_memory > 0)
    device = envelope_devices_get_n () + 1;
  gtk_drop_down_set_selected (self->device_dropdown, device);
  gtk_widget_set_sensitive (GTK_WIDGET (self->memory_entry), device == envelope_devices_get_n () + 1);
  if (t->device_memory > 0)
    show_bytes (self->memory_entry, t->device_memory);
  show_bytes (self->reserved_entry, t->reserved_memory);
  gtk_drop_down_set_selected (self->model_dropdown, t->memory_model);
  gtk_widget_set_sensitive (GTK_WIDGET (self->context_entry), t->memory_model == ENVELOPE_MEMORY_MODEL_PYTORCH);
  show_bytes (self->context_entry, t->context_memory);
  {
    g_autofree char *text = t->prompt_tokens + t->new_tokens > 0
                              ? g_strdup_printf ("%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT, t->prompt_tokens, t->new_tokens)
                              : g_strdup ("");
    guint64 prompt = 0, generated = 0;

    /* "4096" and "4096+0" are the same request: keep what was typed */
    if (!envelope_parse_generate (gtk_editable_get_text (GTK_EDITABLE (self->generate_entry)), &prompt, &generated) ||
        prompt != t->prompt_tokens || generated != t->new_tokens)
      gtk_editable_set_text (GTK_EDITABLE (self->generate_entry), text);
  }
  for (guint i = 0; i < G_N_ELEMENTS (cache_dtypes); i++)
    if (cache_dtypes[i] == t->kv_cache)
      gtk_drop_down_set_selected (self->kv_dropdown, i);
  self->updating = FALSE;
}

static void
on_document_changed (EnvelopeDocument      *document,
                     guint                  change,
                     EnvelopeTrainingPanel *self)
{
  if (change & (ENVELOPE_CHANGE_TRAINING | ENVELOPE_CHANGE_FILE))
    refresh (self);
}

/* Item 0 is "no GPU of its own": none, or the one chosen in the
 * preferences, which a network without a GPU is fitted to. */
static void
fill_devices (EnvelopeTrainingPanel *self)
{
  g_autoptr(GtkStringList) device_list = gtk_string_list_new (NULL);
  g_autofree char *preferred = g_settings_get_string (envelope_app_get_settings (), "default-device");
  const EnvelopeDevice *fallback = envelope_devices_lookup (preferred);
  gboolean updating = self->updating;

  if (fallback != NULL)
    {
      g_autofree char *label = g_strdup_printf (_("Default: %s"), fallback->name);
      gtk_string_list_append (device_list, label);
    }
  else
    gtk_string_list_append (device_list, _("No GPU"));
  for (guint i = 0; i < envelope_devices_get_n (); i++)
    {
      const EnvelopeDevice *device = envelope_devices_get (i);
      g_autofree char *memory = envelope_settings_format_bytes (device->memory);
      g_autofree char *label = g_strdup_printf ("%s (%s)", device->name, memory);
      gtk_string_list_append (device_list, label);
    }
  gtk_string_list_append (device_list, _("Other: the memory below"));

  self->updating = TRUE;
  gtk_drop_down_set_model (self->device_dropdown, G_LIST_MODEL (device_list));
  self->updating = updating;
}

/* The sizes are written anew in the other units. */
static void
on_preferences_changed (EnvelopeTrainingPanel *self)
{
  fill_devices (self);
  if (self->document == NULL)
    return;
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->reserved_entry), "");
  if (envelope_document_get_network (self->document)->training.device_memory > 0)
    gtk_editable_set_text (GTK_EDITABLE (self->memory_entry), "");
  self->updating = FALSE;
  refresh (self);
}

static void
envelope_training_panel_dispose (GObject *object)
{
  EnvelopeTrainingPanel *self = ENVELOPE_TRAINING_PANEL (object);
  GtkWidget *child;

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_signal_handlers_disconnect_by_data (envelope_app_get_settings (), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_TRAINING_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_training_panel_parent_class)->dispose (object);
}

static void
envelope_training_panel_class_init (EnvelopeTrainingPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_training_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-training-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, dtype_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, mixed_switch);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, optimizer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, device_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, memory_entry);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, reserved_entry);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, context_entry);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, generate_entry);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, kv_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTrainingPanel, target_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_batch_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_target_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_dtype_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_mixed_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_optimizer_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_device_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_bytes_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_model_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_generate_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_kv_selected);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-training-panel");
}

static void
envelope_training_panel_init (EnvelopeTrainingPanel *self)
{
  g_autoptr(GtkStringList) dtype_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) optimizer_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) model_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) kv_list = gtk_string_list_new (NULL);

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  envelope_spin_button_guard (self->batch_spin);
  envelope_spin_button_guard (self->target_spin);

  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    gtk_string_list_append (dtype_list, envelope_dtype_to_string (dtypes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_labels); i++)
    gtk_string_list_append (optimizer_list, _(optimizer_labels[i]));

  gtk_drop_down_set_model (self->dtype_dropdown, G_LIST_MODEL (dtype_list));
  gtk_drop_down_set_model (self->optimizer_dropdown, G_LIST_MODEL (optimizer_list));
  for (guint i = 0; i < ENVELOPE_N_MEMORY_MODELS; i++)
    gtk_string_list_append (model_list, _(model_labels[i]));
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (model_list));
  for (guint i = 0; i < G_N_ELEMENTS (cache_dtypes); i++)
    gtk_string_list_append (kv_list, envelope_dtype_to_string (cache_dtypes[i]));
  gtk_drop_down_set_model (self->kv_dropdown, G_LIST_MODEL (kv_list));
  fill_devices (self);
  self->updating = FALSE;

  envelope_settings_watch ("units", G_CALLBACK (on_preferences_changed), self);
  envelope_settings_watch ("default-device", G_CALLBACK (on_preferences_changed), self);
}

GtkWidget *
envelope_training_panel_new (void)
{
  return g_object_new (ENVELOPE_TYPE_TRAINING_PANEL, NULL);
}

void
envelope_training_panel_set_document (EnvelopeTrainingPanel *self,
                                      EnvelopeDocument      *document)
{
  g_return_if_fail (ENVELOPE_IS_TRAINING_PANEL (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  refresh (self);
}
