/* envelope-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-application.h"
#include "envelope-menu.h"
#include "envelope-settings.h"
#include "envelope-window-private.h"

G_DEFINE_FINAL_TYPE (EnvelopeWindow, envelope_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_COLOR_MODE,
  PROP_RECEPTIVE_FIELD,
  PROP_DIAGRAM_STYLE,
  PROP_DIRECTION,
  PROP_DETAIL,
  PROP_FLOPS,
  PROP_PRESENTING,
  PROP_SHOW_PALETTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const color_modes[] = { "kind", "memory", "macs", "params", NULL };
static const char *const diagram_styles[] = { "flat", "proportional", NULL };
static const char *const directions[] = { "LR", "TB", NULL };
/* How much of a network's grouping ("layer1/0/conv1", or "group") the
 * diagram shows: as much as reads with the whole network in the window,
 * every layer, one block per group of depth 2, or 1. */
static const char *const details[] = { "auto", "layers", "blocks", "stages", NULL };

static const char *
pick (const char *const *valid,
      const char        *value)
{
  for (guint i = 0; valid[i] != NULL; i++)
    if (g_strcmp0 (valid[i], value) == 0)
      return valid[i];
  return valid[0];
}

/* Pushes the view settings to the widgets that show them. */
void
envelope_window_sync_view (EnvelopeWindow *self)
{
  EnvelopeCanvasView view = {
    .color_mode = self->color_mode,
    .diagram_style = self->diagram_style,
    .direction = self->direction,
    .collapse_depth = g_str_equal (self->detail, "blocks") ? 2 : g_str_equal (self->detail, "stages") ? 1 : 0,
    .auto_detail = g_str_equal (self->detail, "auto"),
    .receptive_field = self->receptive_field,
    .units = envelope_settings_get_units (),
    .flops = self->flops,
  };

  envelope_canvas_set_view (self->canvas, &view);
  envelope_totals_bar_set_flops (self->totals_bar, self->flops);
  envelope_layer_table_set_flops (self->layer_table, self->flops);
  envelope_inspector_set_flops (self->inspector, self->flops);
  envelope_window_sync_presentation (self);
}

/* The file's "view" object into the window's properties; what it does
 * not say, the preferences do. */
static void
read_view (EnvelopeWindow *self)
{
  EnvelopeDocument *doc = self->document;
  GSettings *settings = envelope_app_get_settings ();
  g_autofree char *preferred_color = g_settings_get_string (settings, "color-mode");
  g_autofree char *preferred_style = g_settings_get_string (settings, "diagram-style");
  const char *color = pick (color_modes, envelope_document_get_view_string (doc, "color", preferred_color));
  const char *style = pick (diagram_styles, envelope_document_get_view_string (doc, "style", preferred_style));
  const char *direction = pick (directions, envelope_document_get_view_string (doc, "direction", "LR"));
  const char *detail = pick (details, envelope_document_get_view_string (doc, "detail", "auto"));
  gboolean rf = envelope_document_get_view_boolean (doc, "receptive_field", FALSE);
  gboolean flops = envelope_document_get_view_boolean (doc, "flops", g_settings_get_boolean (settings, "flops"));

  if (g_strcmp0 (self->color_mode, color) != 0)
    {
      g_free (self->color_mode);
      self->color_mode = g_strdup (color);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_MODE]);
    }
  if (g_strcmp0 (self->diagram_style, style) != 0)
    {
      g_free (self->diagram_style);
      self->diagram_style = g_strdup (style);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIAGRAM_STYLE]);
    }
  if (g_strcmp0 (self->direction, direction) != 0)
    {
      g_free (self->direction);
      self->direction = g_strdup (direction);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTION]);
    }
  if (g_strcmp0 (self->detail, detail) != 0)
    {
      g_free (self->detail);
      self->detail = g_strdup (detail);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
    }
  if (self->receptive_field != rf)
    {
      self->receptive_field = rf;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEPTIVE_FIELD]);
    }
  if (self->flops != flops)
    {
      self->flops = flops;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOPS]);
    }
  envelope_window_sync_view (self);
}

static void
update_title (EnvelopeWindow *self)
{
  g_autofree char *title = envelope_document_dup_title (self->document);
  g_autofree char *shown = NULL;
  g_autofree char *window_title = NULL;
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  GFile *file = envelope_document_get_file (self->document);
  g_autofree char *subtitle = NULL;

  shown = envelope_document_get_dirty (self->document) ? g_strdup_printf ("• %s", title) : g_strdup (title);
  if (file != NULL && network->name != NULL && network->name[0] != '\0')
    subtitle = g_strdup (network->name);
  else if (file == NULL)
    subtitle = g_strdup (_("Not saved"));

  adw_window_title_set_title (self->window_title, shown);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
  window_title = g_strdup_printf (_("%s — Envelope"), shown);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
update_error (EnvelopeWindow *self)
{
  const GError *error = envelope_document_get_error (self->document);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  gint layer = envelope_document_get_error_layer (self->document);

  if (error != NULL && analysis != NULL && envelope_analysis_is_partial (analysis))
    {
      const EnvelopeNetwork *network = envelope_document_get_network (self->document);
      guint n = envelope_analysis_get_n_layers (analysis);
      guint missing = n - envelope_analysis_get_n_analysed (analysis);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%s cannot be analysed: %s\nThe other layers are; %u layer has no figures.",
                                      "%s cannot be analysed: %s\nThe other layers are; %u layers have no figures.",
                                      missing),
                         envelope_network_get_layer (network, (guint) layer)->name, error->message, missing);

      gtk_label_set_text (self->error_label, text);
    }
  else if (error != NULL)
    gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (self->error_show_button, layer >= 0);
  /* a file opened with the error has nothing to undo */
  gtk_widget_set_visible (self->error_undo_button, envelope_document_can_undo (self->document));
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL);
  gtk_widget_set_visible (self->empty_hint,
                          envelope_network_get_n_layers (envelope_document_get_network (self->document)) == 0);
}

static void
on_document_changed (EnvelopeDocument *document,
                     guint             change,
                     EnvelopeWindow   *self)
{
  if (change & (ENVELOPE_CHANGE_VIEW | ENVELOPE_CHANGE_FILE))
    read_view (self);
  update_title (self);
  update_error (self);
  envelope_window_update_actions (self);
}

static void
on_document_notify (EnvelopeDocument *document,
                    GParamSpec       *pspec,
                    EnvelopeWindow   *self)
{
  update_title (self);
  envelope_window_update_actions (self);
}

static void
on_selection_changed (EnvelopeDocument *document,
                      EnvelopeWindow   *self)
{
  envelope_window_update_actions (self);
}

static void
on_zoom_changed (EnvelopeCanvas *canvas,
                 GParamSpec     *pspec,
                 EnvelopeWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", envelope_canvas_get_zoom (canvas) * 100.0);

  gtk_label_set_text (self->zoom_label, text);
}

static void
on_autosave_failed (EnvelopeAutosave *autosave,
                    const GError     *error,
                    EnvelopeWindow   *self)
{
  g_autofree char *message = g_strdup_printf (_("Unsaved changes cannot be kept safe: %s"), error->message);

  envelope_window_toast (self, message);
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   EnvelopeWindow   *self)
{
  if (g_str_equal (response, "discard"))
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "save"))
    {
      GFile *file = envelope_document_get_file (self->document);

      if (file == NULL)
        {
          /* Save As, then close once saved. */
          self->close_after_save = TRUE;
          gtk_widget_activate_action (GTK_WIDGET (self), "win.save-as", NULL);
          return;
        }
      if (envelope_window_save_to (self, file))
        {
          self->close_confirmed = TRUE;
          gtk_window_close (GTK_WINDOW (self));
        }
    }
}

static void
on_show_palette_changed (EnvelopeWindow *self)
{
  gboolean show = g_settings_get_boolean (envelope_app_get_settings (), "show-palette");

  gtk_widget_set_visible (GTK_WIDGET (self->palette), show);
  gtk_widget_set_visible (self->palette_separator, show);
  if (show == self->show_palette)
    return;
  self->show_palette = show;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PALETTE]);
}

/* The size a window closes with is the size the next one opens with. */
static void
save_window_state (EnvelopeWindow *self)
{
  GSettings *settings = envelope_app_get_settings ();
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width, height;

  g_settings_set_boolean (settings, "window-maximized", maximized);
  if (maximized)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
}

static void
restore_window_state (EnvelopeWindow *self)
{
  GSettings *settings = envelope_app_get_settings ();
  g_autoptr(GVariant) width = g_settings_get_user_value (settings, "window-width");

  /* Until a window has been closed, the template's size. */
  if (width != NULL)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MAX (g_settings_get_int (settings, "window-width"), 900),
                                 MAX (g_settings_get_int (settings, "window-height"), 600));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
on_units_changed (EnvelopeWindow *self)
{
  envelope_document_set_units (self->document, envelope_settings_get_units ());
  envelope_window_sync_view (self);
}

static void
on_default_device_changed (EnvelopeWindow *self)
{
  g_autofree char *device = g_settings_get_string (envelope_app_get_settings (), "default-device");

  envelope_document_set_default_device (self->document, device);
}

static gboolean
envelope_window_close_request (GtkWindow *window)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (window);
  g_autofree char *title = NULL;
  AdwMessageDialog *dialog;

  if (self->close_confirmed || !envelope_document_get_dirty (self->document))
    {
      /* Closed on purpose: the changes were saved, or are to be lost. */
      envelope_autosave_discard (self->autosave);
      save_window_state (self);
      return GTK_WINDOW_CLASS (envelope_window_parent_class)->close_request (window);
    }

  title = envelope_document_dup_title (self->document);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save Changes?"), NULL));
  adw_message_dialog_format_body (dialog, _("“%s” has unsaved changes. Changes that are not saved are lost."), title);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  envelope_window_present_message (self, GTK_WIDGET (dialog));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

void
envelope_window_toast (EnvelopeWindow *self,
                       const char     *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Shows @dialog, a question or a message about this window, as the one
 * it keeps track of (for tests, and to replace it). */
void
envelope_window_present_message (EnvelopeWindow *self,
                                 GtkWidget      *dialog)
{
  if (self->message_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->message_dialog), (gpointer *) &self->message_dialog);
  self->message_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->message_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A dialog rather than a toast: the message names a file, a line and a
 * column or a layer and a field, and is too long to read in passing. */
void
envelope_window_show_error (EnvelopeWindow *self,
                            const char     *title,
                            const GError   *error)
{
  GtkWidget *dialog;

  g_free (self->last_message);
  self->last_message = g_strdup (error->message);
  if (self->message_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->message_dialog));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), title, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  gtk_widget_add_css_class (dialog, "error-dialog");
  envelope_window_present_message (self, dialog);
}

/* ------------------------------------------------------------------ */

static void
envelope_window_unrealize (GtkWidget *widget)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);

  if (self->totals_bar != NULL)
    envelope_totals_bar_popdown (self->totals_bar);
  GTK_WIDGET_CLASS (envelope_window_parent_class)->unrealize (widget);
}

static void
envelope_window_dispose (GObject *object)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  if (self->message_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->message_dialog), (gpointer *) &self->message_dialog);
  self->message_dialog = NULL;
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  /* A window destroyed on purpose leaves no work in progress behind. */
  if (self->autosave != NULL)
    envelope_autosave_discard (self->autosave);
  g_clear_object (&self->autosave);
  envelope_window_clear_presentation (self);
  g_signal_handlers_disconnect_by_data (envelope_app_get_settings (), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_WINDOW);

  G_OBJECT_CLASS (envelope_window_parent_class)->dispose (object);
}

static void
envelope_window_finalize (GObject *object)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (object);

  g_clear_object (&self->document);
  g_free (self->color_mode);
  g_free (self->diagram_style);
  g_free (self->direction);
  g_free (self->detail);
  g_free (self->last_message);

  G_OBJECT_CLASS (envelope_window_parent_class)->finalize (object);
}

static void
envelope_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_COLOR_MODE:
      g_value_set_string (value, self->color_mode);
      break;
    case PROP_RECEPTIVE_FIELD:
      g_value_set_boolean (value, self->receptive_field);
      break;
    case PROP_DIAGRAM_STYLE:
      g_value_set_string (value, self->diagram_style);
      break;
    case PROP_DIRECTION:
      g_value_set_string (value, self->direction);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    case PROP_FLOPS:
      g_value_set_boolean (value, self->flops);
      break;
    case PROP_PRESENTING:
      g_value_set_boolean (value, envelope_window_get_presenting (self));
      break;
    case PROP_SHOW_PALETTE:
      g_value_set_boolean (value, self->show_palette);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Setting a view property writes it to the document, whose "changed"
 * signal brings it back through read_view(). */
static void
envelope_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COLOR_MODE:
      envelope_document_set_view_string (self->document, "color", pick (color_modes, g_value_get_string (value)));
      break;
    case PROP_RECEPTIVE_FIELD:
      envelope_document_set_view_boolean (self->document, "receptive_field", g_value_get_boolean (value));
      break;
    case PROP_DIAGRAM_STYLE:
      envelope_document_set_view_string (self->document, "style", pick (diagram_styles, g_value_get_string (value)));
      break;
    case PROP_DIRECTION:
      envelope_document_set_view_string (self->document, "direction", pick (directions, g_value_get_string (value)));
      break;
    case PROP_DETAIL:
      envelope_document_set_view_string (self->document, "detail", pick (details, g_value_get_string (value)));
      break;
    case PROP_FLOPS:
      envelope_document_set_view_boolean (self->document, "flops", g_value_get_boolean (value));
      break;
    case PROP_PRESENTING:
      envelope_window_set_presenting (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_PALETTE:
      g_settings_set_boolean (envelope_app_get_settings (), "show-palette", g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Menu buttons of the template, and the menus they open. */
static const char *const deferred_menus[][2] = {
  { "primary_button", "primary_menu" },
  { "view_button", "view_menu" },
};

static void
set_menu_later (EnvelopeWindow *self,
                const char     *button,
                const char     *menu)
{
  envelope_menu_button_set_model_later (
    GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self), ENVELOPE_TYPE_WINDOW, button)),
    G_MENU_MODEL (gtk_widget_get_template_child (GTK_WIDGET (self), ENVELOPE_TYPE_WINDOW, menu)));
}

static void
envelope_window_class_init (EnvelopeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = envelope_window_dispose;
  object_class->finalize = envelope_window_finalize;
  object_class->get_property = envelope_window_get_property;
  object_class->set_property = envelope_window_set_property;
  window_class->close_request = envelope_window_close_request;
  widget_class->unrealize = envelope_window_unrealize;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, ENVELOPE_TYPE_DOCUMENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLOR_MODE] =
    g_param_spec_string ("color-mode", NULL, NULL, "kind",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RECEPTIVE_FIELD] =
    g_param_spec_boolean ("receptive-field", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIAGRAM_STYLE] =
    g_param_spec_string ("diagram-style", NULL, NULL, "flat",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIRECTION] =
    g_param_spec_string ("direction", NULL, NULL, "LR",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, "layers",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FLOPS] =
    g_param_spec_boolean ("flops", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Not part of the file's view: a lecture is not saved with it. */
  properties[PROP_PRESENTING] =
    g_param_spec_boolean ("presenting", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* A preference of every window, kept in the settings: hidden, the
   * diagram and the table have its room (a projector's 1280×720). */
  properties[PROP_SHOW_PALETTE] =
    g_param_spec_boolean ("show-palette", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ENVELOPE_TYPE_CANVAS);
  g_type_ensure (ENVELOPE_TYPE_INSPECTOR);
  g_type_ensure (ENVELOPE_TYPE_LAYER_TABLE);
  g_type_ensure (ENVELOPE_TYPE_PALETTE);
  g_type_ensure (ENVELOPE_TYPE_TOTALS_BAR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, window_title);
  /* (the menus and their buttons, for set_menu_later()) */
  for (guint i = 0; i < G_N_ELEMENTS (deferred_menus); i++)
    {
      gtk_widget_class_bind_template_child_full (widget_class, deferred_menus[i][0], FALSE, 0);
      gtk_widget_class_bind_template_child_full (widget_class, deferred_menus[i][1], FALSE, 0);
    }
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, new_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, palette);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, center_paned);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, empty_hint);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, error_show_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, error_undo_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, layer_table);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, totals_bar);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeWindow, palette_separator);
  gtk_widget_class_bind_template_callback (widget_class, on_zoom_changed);

  envelope_window_class_install_actions (klass);
  envelope_window_class_install_find (klass);
}

static void
envelope_window_init (EnvelopeWindow *self)
{
  /* The property actions read these while the template is built. */
  self->color_mode = g_strdup ("kind");
  self->diagram_style = g_strdup ("flat");
  self->direction = g_strdup ("LR");
  self->detail = g_strdup ("auto");
  self->show_palette = TRUE;

  envelope_app_ensure_resources ();
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (deferred_menus); i++)
    set_menu_later (self, deferred_menus[i][0], deferred_menus[i][1]);

  self->document = envelope_document_new ();
  g_signal_connect (self->document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (self->document, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->document, "notify::dirty", G_CALLBACK (on_document_notify), self);
  g_signal_connect (self->document, "notify::file", G_CALLBACK (on_document_notify), self);

  g_signal_connect_swapped (self->canvas, "message", G_CALLBACK (envelope_window_toast), self);
  self->autosave = envelope_autosave_new (self->document);
  g_signal_connect (self->autosave, "failed", G_CALLBACK (on_autosave_failed), self);
  envelope_canvas_set_document (self->canvas, self->document);
  envelope_layer_table_set_document (self->layer_table, self->document);
  envelope_inspector_set_document (self->inspector, self->document);
  envelope_inspector_set_canvas (self->inspector, self->canvas);
  envelope_totals_bar_set_document (self->totals_bar, self->document);

  /* The preferences, live in every window. */
  envelope_document_set_units (self->document, envelope_settings_get_units ());
  on_default_device_changed (self);
  envelope_settings_watch ("default-device", G_CALLBACK (on_default_device_changed), self);
  envelope_settings_watch ("units", G_CALLBACK (on_units_changed), self);
  envelope_settings_watch ("flops", G_CALLBACK (read_view), self);
  envelope_settings_watch ("color-mode", G_CALLBACK (read_view), self);
  envelope_settings_watch ("diagram-style", G_CALLBACK (read_view), self);
  on_show_palette_changed (self);
  envelope_settings_watch ("show-palette", G_CALLBACK (on_show_palette_changed), self);
  restore_window_state (self);

  envelope_window_populate_examples (self);
  envelope_window_setup_files (self);
  envelope_window_setup_find (self);
  read_view (self);
  update_title (self);
  update_error (self);
  on_zoom_changed (self->canvas, NULL, self);
  envelope_window_update_actions (self);
}

EnvelopeWindow *
envelope_window_new (GtkApplication *application)
{
  return g_object_new (ENVELOPE_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

EnvelopeDocument *
envelope_window_get_document (EnvelopeWindow *self)
{
  g_return_val_if_fail (ENVELOPE_IS_WINDOW (self), NULL);
  return self->document;
}

gboolean
envelope_window_is_pristine (EnvelopeWindow *self)
{
  g_return_val_if_fail (ENVELOPE_IS_WINDOW (self), FALSE);
  return envelope_document_is_pristine (self->document);
}

/* Opens @file here; when it cannot be opened, says why and leaves the
 * document as it was. */
gboolean
envelope_window_open (EnvelopeWindow *self,
                      GFile          *file)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (ENVELOPE_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!envelope_document_load (self->document, file, &error))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *title = g_strdup_printf (_("“%s” Cannot Be Opened"), name);

      envelope_window_show_error (self, title, error);
      return FALSE;
    }
  envelope_window_add_recent (self, file);
  envelope_window_announce_import (self);
  return TRUE;
}

/* After an import: say from what, and what the importer assumed. */
void
envelope_window_announce_import (EnvelopeWindow *self)
{
  GFile *source = envelope_document_get_source (self->document);
  GPtrArray *notes = envelope_document_get_notes (self->document);
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (source == NULL)
    return;
  name = g_file_get_basename (source);
  if (notes != NULL && notes->len > 0)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Imported “%s”; Save writes an Envelope file beside it. %u note: %s",
                                            "Imported “%s”; Save writes an Envelope file beside it. %u notes, the first: %s",
                                            notes->len),
                               name, notes->len, (const char *) g_ptr_array_index (notes, 0));
  else
    message = g_strdup_printf (_("Imported “%s”; Save writes an Envelope file beside it"), name);
  envelope_window_toast (self, message);
}
