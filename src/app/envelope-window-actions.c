/* envelope-window-actions.c: everything the window does, as actions
 *
 * Menus, buttons, shortcuts and tests all go through these.  Actions
 * that show a file chooser have a twin taking a path ("win.open" and
 * "win.open-file"), so that a script or a test can do the same without
 * a dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-application.h"
#include "envelope-devices.h"
#include "envelope-import.h"
#include "envelope-layer-edit.h"
#include "envelope-report.h"
#include "envelope-settings.h"
#include "envelope-window-private.h"

/* Where a new or opened network goes: here, unless that would throw
 * away unsaved work; then a new window. */
static EnvelopeWindow *
target_window (EnvelopeWindow *self)
{
  EnvelopeWindow *window;

  if (!envelope_document_get_dirty (self->document))
    return self;
  window = envelope_window_new (gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_set_default_size (GTK_WINDOW (window),
                               gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)));
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
open_network (EnvelopeWindow *self,
              GFile          *file,
              gboolean        as_copy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autofree char *path = g_file_get_path (file);
  EnvelopeFileFormat format = ENVELOPE_FILE_ENVELOPE;
  EnvelopeNetwork *network;
  EnvelopeWindow *target;

  network = path ? envelope_import_load_file (path, &format, &notes, &error) : NULL;
  if (network == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *title = g_strdup_printf (_("“%s” Cannot Be Opened"), name);

      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only local files can be opened"));
      envelope_window_show_error (self, title, error);
      return;
    }

  target = target_window (self);
  if (format != ENVELOPE_FILE_ENVELOPE)
    {
      /* a foreign file is imported: never its own file to save over */
      envelope_document_take_imported (target->document, network, file, g_steal_pointer (&notes));
      if (!as_copy)
        envelope_window_add_recent (target, file);
      envelope_window_announce_import (target);
      return;
    }
  envelope_document_replace (target->document, network, as_copy ? NULL : file);
  if (!as_copy)
    envelope_window_add_recent (target, file);
}

static void
new_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EnvelopeWindow *target = target_window (ENVELOPE_WINDOW (widget));

  envelope_document_replace (target->document, envelope_network_new (_("Untitled network")), NULL);
}

static void
new_from_example_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  g_autofree char *dir = envelope_app_dup_models_dir ();
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *basename = g_path_get_basename (name);
  g_autofree char *path = g_build_filename (dir, basename, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* A copy: saving it asks where, rather than overwriting the example. */
  open_network (self, file, TRUE);
}

static void
on_open_response (GtkNativeDialog *chooser,
                  int              response,
                  EnvelopeWindow  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      open_network (self, file, FALSE);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

/* Every format Envelope opens, recognised by content once chosen. */
static void
add_networks_filter (GtkFileChooser *chooser)
{
  static const char *const suffixes[] = { "json", "onnx", "prototxt", "pbtxt", "keras" };
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Networks (Envelope, ONNX, Caffe, Keras)"));
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    gtk_file_filter_add_suffix (filter, suffixes[i]);
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
add_json_filter (GtkFileChooser *chooser)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Envelope networks"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  g_autofree char *dir = envelope_app_dup_models_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open Network"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  add_networks_filter (GTK_FILE_CHOOSER (self->chooser));
  add_json_filter (GTK_FILE_CHOOSER (self->chooser));
  if (envelope_document_get_file (self->document) == NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_file_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (parameter, NULL));

  open_network (ENVELOPE_WINDOW (widget), file, FALSE);
}

gboolean
envelope_window_save_to (EnvelopeWindow *self,
                         GFile          *file)
{
  g_autoptr(GError) error = NULL;

  if (!envelope_document_save (self->document, file, &error))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *title = g_strdup_printf (_("“%s” Cannot Be Saved"), name);

      envelope_window_show_error (self, title, error);
      return FALSE;
    }
  envelope_window_add_recent (self, file);
  return TRUE;
}

static char *
suggested_name (EnvelopeWindow *self,
                const char     *extension)
{
  GFile *file = envelope_document_get_file (self->document);
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  g_autofree char *stem = NULL;

  if (file != NULL)
    {
      g_autofree char *base = g_file_get_basename (file);
      stem = envelope_network_name_from_path (base);
    }
  else if (network->name != NULL && network->name[0] != '\0')
    {
      stem = g_strdup (network->name);
      g_strdelimit (stem, "/\\:", '-');
    }
  else
    stem = g_strdup (_("network"));
  return g_strconcat (stem, extension, NULL);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  EnvelopeWindow  *self)
{
  gboolean close = self->close_after_save;
  g_autoptr(GFile) file = NULL;

  self->close_after_save = FALSE;
  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  if (file != NULL)
    {
      if (envelope_window_save_to (self, file) && close)
        {
          self->close_confirmed = TRUE;
          gtk_window_close (GTK_WINDOW (self));
        }
    }
}

static void
save_as_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  g_autofree char *name = suggested_name (self, ".json");
  GFile *file = envelope_document_get_file (self->document);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save Network"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  add_json_filter (GTK_FILE_CHOOSER (self->chooser));
  if (file != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), file, NULL);
  else
    {
      GFile *source = envelope_document_get_source (self->document);

      /* an imported network: NAME.json beside the file it came from */
      if (source != NULL)
        {
          g_autoptr(GFile) folder = g_file_get_parent (source);

          if (folder != NULL)
            gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
        }
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  GFile *file = envelope_document_get_file (self->document);

  if (file == NULL)
    save_as_activated (widget, "win.save-as", NULL);
  else
    envelope_window_save_to (self, file);
}

static void
save_to_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (parameter, NULL));

  envelope_window_save_to (ENVELOPE_WINDOW (widget), file);
}

gboolean
envelope_window_export_to (EnvelopeWindow             *self,
                           GFile                      *file,
                           const EnvelopeCanvasExport *options,
                           GError                    **error)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only local files can be written"));
      return FALSE;
    }
  return envelope_canvas_export (self->canvas, path, options, error);
}

/* Says how writing @file went: the error, or a toast that offers to
 * open it. */
static void
report_export (EnvelopeWindow *self,
               GFile          *file,
               const GError   *error)
{
  g_autofree char *name = g_file_get_basename (file);

  if (error != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("“%s” Cannot Be Exported"), name);
      envelope_window_show_error (self, title, error);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Exported “%s”"), name);
      g_autofree char *uri = g_file_get_uri (file);
      AdwToast *toast = adw_toast_new (message);

      /* what was written, one click away */
      g_free (self->last_message);
      self->last_message = g_strdup (message);
      adw_toast_set_timeout (toast, 8);
      adw_toast_set_button_label (toast, _("_Open"));
      adw_toast_set_action_name (toast, "win.open-export");
      adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

static void
export_and_report (EnvelopeWindow             *self,
                   GFile                      *file,
                   const EnvelopeCanvasExport *options)
{
  g_autoptr(GError) error = NULL;

  envelope_window_export_to (self, file, options, &error);
  report_export (self, file, error);
}

/* "win.open-export" s: an exported file, in the program the desktop
 * opens it with. */
static void
open_export_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  gtk_show_uri (GTK_WINDOW (widget), g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
}

static void
on_export_dialog_exported (EnvelopeExportDialog *dialog,
                           GFile                *file,
                           const GError         *error,
                           EnvelopeWindow       *self)
{
  report_export (self, file, error);
}

/* "win.export": the Export Figure window, its options and a preview;
 * its Export… button asks where to write it. */
static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  g_autofree char *name = NULL;

  if (self->export_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->export_dialog));
      return;
    }
  name = suggested_name (self, "");
  self->export_dialog = envelope_export_dialog_new (GTK_WINDOW (self), self->document, self->canvas, name);
  g_object_add_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
  g_signal_connect (self->export_dialog, "exported", G_CALLBACK (on_export_dialog_exported), self);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

static void
export_to_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (parameter, NULL));

  export_and_report (ENVELOPE_WINDOW (widget), file, NULL);
}

/* ("diagram.png", 1.0, false, true): a scale for PNG, whether to add the
 * title, legend and totals, and a transparent background. */
static void
export_with_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EnvelopeCanvasExport options = { 0 };
  g_autoptr(GFile) file = NULL;
  const char *path;

  g_variant_get (parameter, "(&sdbb)", &path, &options.scale, &options.annotations, &options.transparent);
  file = g_file_new_for_commandline_arg (path);
  export_and_report (ENVELOPE_WINDOW (widget), file, &options);
}

/* ("slide.png", 16/9): fitted to a page of that width over height, a
 * PNG at a slide's width. */
static void
export_fitted_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  EnvelopeCanvasExport options = { .scale = 0, .annotations = TRUE, .transparent = FALSE };
  g_autoptr(GFile) file = NULL;
  const char *path;

  g_variant_get (parameter, "(&sd)", &path, &options.aspect);
  file = g_file_new_for_commandline_arg (path);
  export_and_report (ENVELOPE_WINDOW (widget), file, &options);
}

static void
undo_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  envelope_document_undo (ENVELOPE_WINDOW (widget)->document);
}

static void
redo_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  envelope_document_redo (ENVELOPE_WINDOW (widget)->document);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  gint selected = envelope_document_get_selected_layer (self->document);
  guint from, to;

  if (envelope_document_get_selected_edge (self->document, &from, &to))
    {
      g_autoptr(GError) error = NULL;

      if (!envelope_document_disconnect (self->document, from, to, &error))
        envelope_window_toast (self, error->message);
    }
  else if (selected >= 0)
    envelope_document_delete_layer (self->document, (guint) selected);
}

static void
duplicate_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  gint selected = envelope_document_get_selected_layer (self->document);

  if (selected >= 0)
    envelope_document_duplicate_layer (self->document, (guint) selected);
}

static void
insert_layer_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  const EnvelopeLayerKind *kind = envelope_layer_kind_lookup (g_variant_get_string (parameter, NULL));

  if (kind == NULL)
    {
      g_autofree char *valid = envelope_layer_kind_list_valid ();
      g_autofree char *message = g_strdup_printf (_("“%s” is not a layer kind; valid kinds: %s"),
                                                  g_variant_get_string (parameter, NULL), valid);
      envelope_window_toast (self, message);
      return;
    }
  envelope_document_insert_layer (self->document, kind->type, envelope_document_get_selected_layer (self->document));
}

static void
select_layer_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);

  envelope_document_select_layer (self->document,
                                  envelope_network_find_layer (network, g_variant_get_string (parameter, NULL)));
}

/* "win.select-group" s: a group drawn collapsed ("layer3/1"), selected
 * as a whole; a group that is open, or that has no block, selects
 * nothing new. */
static void
select_group_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (self->canvas);
  const char *group = g_variant_get_string (parameter, NULL);

  for (guint b = 0; diagram != NULL && b < envelope_diagram_get_n_blocks (diagram); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      g_auto(GStrv) groups = NULL;

      if (!block->collapsed)
        continue;
      groups = envelope_diagram_get_block_groups (diagram, b);
      if (g_strv_contains ((const char * const *) groups, group))
        {
          const char *name = envelope_diagram_get_layer_name (diagram, block->output_layer);
          gint layer = envelope_network_find_layer (envelope_document_get_network (self->document), name);

          if (layer >= 0)
            envelope_document_select_group (self->document, groups[0], layer);
          envelope_canvas_reveal_selection (self->canvas);
          return;
        }
    }
  gtk_widget_error_bell (widget);
}

/* The error banner's Show: the layer in error, selected and in view. */
static void
show_error_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  gint layer = envelope_document_get_error_layer (self->document);

  if (layer < 0)
    return;
  envelope_document_select_layer (self->document, layer);
  envelope_canvas_reveal_selection (self->canvas);
}

static gboolean
find_pair (EnvelopeWindow *self,
           GVariant       *parameter,
           guint          *from,
           guint          *to)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const char *a, *b;
  gint i, j;

  g_variant_get (parameter, "(&s&s)", &a, &b);
  i = envelope_network_find_layer (network, a);
  j = envelope_network_find_layer (network, b);
  if (i < 0 || j < 0)
    {
      const char *missing = i < 0 ? a : b;
      g_autofree const char **closest = envelope_network_suggest_layers (network, missing);
      g_autofree char *message = closest != NULL
        ? g_strdup_printf (_("No layer named “%s”; did you mean “%s”?"), missing, closest[0])
        : g_strdup_printf (_("No layer named “%s”"), missing);

      envelope_window_toast (self, message);
      return FALSE;
    }
  *from = (guint) i;
  *to = (guint) j;
  return TRUE;
}

static void
select_edge_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  guint from, to;

  if (find_pair (self, parameter, &from, &to))
    envelope_document_select_edge (self->document, from, to);
}

static void
connect_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  guint from, to;

  if (find_pair (self, parameter, &from, &to) &&
      !envelope_document_connect (self->document, from, to, &error))
    envelope_window_toast (self, error->message);
}

static void
set_field_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  gint selected = envelope_document_get_selected_layer (self->document);
  g_autoptr(EnvelopeLayer) layer = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merge_key = NULL;
  const char *key;

  if (selected < 0)
    return;
  g_variant_get (parameter, "(&sv)", &key, &value);
  layer = envelope_layer_copy (envelope_network_get_layer (envelope_document_get_network (self->document),
                                                           (guint) selected));
  if (!envelope_layer_set_from_variant (layer, key, value, &error))
    {
      envelope_window_toast (self, error->message);
      return;
    }
  merge_key = g_strdup_printf ("layer:%d:%s", selected, key);
  envelope_document_update_layer (self->document, (guint) selected, layer, merge_key);
}

static gboolean
variant_to_u64 (GVariant *value,
                guint64  *out)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64) && g_variant_get_int64 (value) >= 0)
    *out = (guint64) g_variant_get_int64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    *out = g_variant_get_uint64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32) && g_variant_get_int32 (value) >= 0)
    *out = (guint64) g_variant_get_int32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return envelope_parse_bytes (g_variant_get_string (value, NULL), out);
  else
    return FALSE;
  return TRUE;
}

/* ("batch", <64>), ("dtype", <"fp16">), ("device", <"RTX 3090">),
 * ("device_memory", <"12 GiB">) …: the keys of the file's "training". */
static void
set_training_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);
  EnvelopeTraining training;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *merge_key = NULL;
  const char *key;
  gboolean ok = TRUE;
  guint64 number = 0;

  g_variant_get (parameter, "(&sv)", &key, &value);
  envelope_training_copy (&training, &envelope_document_get_network (self->document)->training);

  if (g_str_equal (key, "batch") && (ok = variant_to_u64 (value, &number) && number > 0))
    training.batch = number, training.set |= ENVELOPE_TRAINING_BATCH;
  else if (g_str_equal (key, "target_batch") && (ok = variant_to_u64 (value, &number)))
    {
      training.target_batch = number;
      if (number > 0)
        training.set |= ENVELOPE_TRAINING_TARGET_BATCH;
      else
        training.set &= ~ENVELOPE_TRAINING_TARGET_BATCH;
    }
  else if (g_str_equal (key, "dtype") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      ok = envelope_dtype_from_string (g_variant_get_string (value, NULL), &training.dtype);
      training.set |= ENVELOPE_TRAINING_DTYPE;
    }
  else if (g_str_equal (key, "optimizer") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      ok = envelope_optimizer_from_string (g_variant_get_string (value, NULL), &training.optimizer);
      training.set |= ENVELOPE_TRAINING_OPTIMIZER;
    }
  else if (g_str_equal (key, "mixed_precision") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)))
    {
      training.mixed_precision = g_variant_get_boolean (value);
      training.set |= ENVELOPE_TRAINING_MIXED_PRECISION;
    }
  else if (g_str_equal (key, "device") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      const char *name = g_variant_get_string (value, NULL);
      const EnvelopeDevice *device = envelope_devices_lookup (name);

      g_clear_pointer (&training.device, g_free);
      training.set &= ~(ENVELOPE_TRAINING_DEVICE | ENVELOPE_TRAINING_DEVICE_MEMORY);
      training.device_memory = 0;
      if (device != NULL)
        {
          training.device = g_strdup (device->name);
          training.device_memory = device->memory;
          training.set |= ENVELOPE_TRAINING_DEVICE;
        }
      else
        ok = name[0] == '\0';
    }
  else if (g_str_equal (key, "device_memory") && (ok = variant_to_u64 (value, &number) && number > 0))
    {
      g_clear_pointer (&training.device, g_free);
      training.device_memory = number;
      training.set &= ~ENVELOPE_TRAINING_DEVICE;
      training.set |= ENVELOPE_TRAINING_DEVICE_MEMORY;
    }
  else if (g_str_equal (key, "reserved_memory") && (ok = variant_to_u64 (value, &number)))
    {
      training.reserved_memory = number;
      training.set |= ENVELOPE_TRAINING_RESERVED_MEMORY;
    }
  else if (g_str_equal (key, "memory_model") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      ok = envelope_memory_model_from_string (g_variant_get_string (value, NULL), &training.memory_model);
      training.set |= ENVELOPE_TRAINING_MEMORY_MODEL;
    }
  else if (g_str_equal (key, "context_memory") && (ok = variant_to_u64 (value, &number)))
    {
      training.context_memory = number;
      training.set |= ENVELOPE_TRAINING_CONTEXT_MEMORY;
    }
  else if (g_str_equal (key, "generate") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      const char *text = g_variant_get_string (value, NULL);

      if (text[0] == '\0')
        {
          training.prompt_tokens = training.new_tokens = 0;
          training.set &= ~ENVELOPE_TRAINING_GENERATE;
        }
      else if ((ok = envelope_parse_generate (text, &training.prompt_tokens, &training.new_tokens)))
        training.set |= ENVELOPE_TRAINING_GENERATE;
    }
  else if (g_str_equal (key, "kv_cache") && (ok = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)))
    {
      ok = envelope_dtype_from_string (g_variant_get_string (value, NULL), &training.kv_cache);
      training.set |= ENVELOPE_TRAINING_KV_CACHE;
    }
  else if (ok)
    ok = FALSE;

  if (!ok)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” cannot be set to that value"), key);
      envelope_window_toast (self, message);
    }
  else
    {
      merge_key = g_strdup_printf ("training:%s", key);
      envelope_document_set_training (self->document, &training, merge_key);
    }
  envelope_training_clear (&training);
}

static void
zoom_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  envelope_canvas_zoom_step (ENVELOPE_WINDOW (widget)->canvas, 1);
}

static void
zoom_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  envelope_canvas_zoom_step (ENVELOPE_WINDOW (widget)->canvas, -1);
}

static void
zoom_fit_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  envelope_canvas_zoom_fit (ENVELOPE_WINDOW (widget)->canvas);
}

static void
copy_table (EnvelopeWindow       *self,
            EnvelopeReportFormat  format,
            const char           *done)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  EnvelopeReportOptions options = { .format = format, .flops = self->flops, .units = envelope_settings_get_units () };
  g_autofree char *text = NULL;

  if (analysis == NULL)
    return;
  text = envelope_report_write (analysis, &options);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  envelope_window_toast (self, done);
}

static void
copy_csv_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  copy_table (ENVELOPE_WINDOW (widget), ENVELOPE_REPORT_CSV, _("Layer table copied as CSV"));
}

static void
copy_markdown_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  copy_table (ENVELOPE_WINDOW (widget), ENVELOPE_REPORT_MARKDOWN, _("Layer table copied as Markdown"));
}

static void
show_memory_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  envelope_totals_bar_show_memory (ENVELOPE_WINDOW (widget)->totals_bar);
}

static void
show_training_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  envelope_totals_bar_show_training (ENVELOPE_WINDOW (widget)->totals_bar);
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

void
envelope_window_update_actions (EnvelopeWindow *self)
{
  static const char *const names[] = {
    "win.undo", "win.redo", "win.delete", "win.duplicate", "win.set-field", "win.insert-layer",
    "win.connect", "win.set-training", "win.show-error",
  };
  gint selected = envelope_document_get_selected_layer (self->document);
  gboolean edge = envelope_document_get_selected_edge (self->document, NULL, NULL);
  /* A lecture shows the network; a stray Delete or Ctrl+Z in front of
   * the class changes nothing. */
  gboolean editable = self->presentation == NULL;
  const gboolean enabled[G_N_ELEMENTS (names)] = {
    editable && envelope_document_can_undo (self->document),
    editable && envelope_document_can_redo (self->document),
    editable && (selected >= 0 || edge),
    editable && selected >= 0,
    editable && selected >= 0,
    editable,
    editable,
    editable,
    envelope_document_get_error_layer (self->document) >= 0,
  };

  /* Set only what changed: each call tells every button and menu item
   * that names the action, and this runs on every edit. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint bit = 1u << i;

      if ((self->actions_set & bit) && !(self->actions_enabled & bit) == !enabled[i])
        continue;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), names[i], enabled[i]);
      self->actions_set |= bit;
      self->actions_enabled = enabled[i] ? self->actions_enabled | bit : self->actions_enabled & ~bit;
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The examples and their names, read in a worker thread: each name is
 * in its file, and reading 21 networks (LLaMA's among them) on the main
 * thread took some 25 ms of whatever frame came next. */
static void
read_example_names (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);   /* file, label, file, label, … */
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      g_ptr_array_add (files, g_strdup (entry));
  g_ptr_array_sort (files, compare_names);

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      char *label = NULL;
      JsonNode *root;

      if (json_parser_load_from_file (parser, path, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_has_member (json_node_get_object (root), "name"))
        label = g_strdup (json_object_get_string_member_with_default (json_node_get_object (root), "name", file));
      else
        label = g_strdup (file);
      g_ptr_array_add (names, g_strdup (file));
      g_ptr_array_add (names, label);
    }
  g_task_return_pointer (task, names, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_example_names_ready (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (source);
  g_autoptr(GPtrArray) names = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) examples = g_menu_new ();

  if (self->new_button == NULL)
    return;   /* closed meanwhile */
  g_menu_append (menu, _("_Empty Network"), "win.new");
  for (guint i = 0; names != NULL && i + 1 < names->len; i += 2)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (g_ptr_array_index (names, i + 1), NULL);

      g_menu_item_set_action_and_target (item, "win.new-from-example", "s", file);
      g_menu_append_item (examples, item);
    }
  g_menu_append_section (menu, _("Examples"), G_MENU_MODEL (examples));
  adw_split_button_set_menu_model (self->new_button, G_MENU_MODEL (menu));
}

/* ------------------------------------------------------------------ */
/* Recent files, and files dropped on the window                       */

#define RECENT_APPLICATION "Envelope"
#define RECENT_SHOWN 10

void
envelope_window_add_recent (EnvelopeWindow *self,
                            GFile          *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *exec = g_strdup_printf ("%s %%u", g_get_prgname () ? g_get_prgname () : "envelope");
  GtkRecentData data = {
    .mime_type = (char *) (g_str_has_suffix (uri, ".json") ? "application/json" : "application/octet-stream"),
    .app_name = (char *) RECENT_APPLICATION,
    .app_exec = exec,
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GtkRecentInfo *x = *(GtkRecentInfo * const *) a;
  GtkRecentInfo *y = *(GtkRecentInfo * const *) b;
  GDateTime *tx = gtk_recent_info_get_modified (x);
  GDateTime *ty = gtk_recent_info_get_modified (y);

  return -g_date_time_compare (tx, ty);
}

/* The open button's menu: the networks last opened or saved here. */
static void
update_recent_menu (GtkRecentManager *manager,
                    EnvelopeWindow   *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) recent = g_menu_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_recent_info_unref);
  GList *list = gtk_recent_manager_get_items (manager);

  for (GList *l = list; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;

      if (gtk_recent_info_has_application (info, RECENT_APPLICATION) && gtk_recent_info_exists (info))
        g_ptr_array_add (items, gtk_recent_info_ref (info));
    }
  g_list_free_full (list, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (items, compare_recent);

  for (guint i = 0; i < MIN (items->len, RECENT_SHOWN); i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (items, i);
      g_autoptr(GFile) file = g_file_new_for_uri (gtk_recent_info_get_uri (info));
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *folder = parent ? g_file_get_parse_name (parent) : g_strdup ("");
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;
      const char *home = g_get_home_dir ();

      if (home != NULL && g_str_has_prefix (folder, home) &&
          (folder[strlen (home)] == '/' || folder[strlen (home)] == '\0'))
        {
          char *short_folder = g_strconcat ("~", folder + strlen (home), NULL);
          g_free (folder);
          folder = short_folder;
        }
      /* Translators: a file's name and the folder it is in */
      label = g_strdup_printf (_("%s — %s"), gtk_recent_info_get_display_name (info), folder);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "win.open-file", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (recent, item);
    }
  /* Without an action, the place-holder is shown but not enabled. */
  if (items->len == 0)
    g_menu_append (recent, _("No Recent Networks"), NULL);
  g_menu_append_section (menu, _("Recent"), G_MENU_MODEL (recent));
  g_menu_append (menu, _("_Open…"), "win.open");
  adw_split_button_set_menu_model (self->open_button, G_MENU_MODEL (menu));
}

/* Each dropped file opens in a window of its own; the first one here,
 * unless that would throw away unsaved work. */
static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         EnvelopeWindow *self)
{
  g_autoptr(GSList) files = gdk_file_list_get_files (g_value_get_boxed (value));
  EnvelopeWindow *into = self;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      if (l != files)
        {
          into = envelope_window_new (gtk_window_get_application (GTK_WINDOW (self)));
          gtk_window_present (GTK_WINDOW (into));
        }
      open_network (into, l->data, FALSE);
    }
  return files != NULL;
}

void
envelope_window_setup_files (EnvelopeWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect_object (manager, "changed", G_CALLBACK (update_recent_menu), self, 0);
  update_recent_menu (manager, self);

  /* Before the canvas, whose own target takes the palette's kinds. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drop), GTK_PHASE_CAPTURE);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/* The examples' names are read once the window is up. */
void
envelope_window_populate_examples (EnvelopeWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_example_names_ready, NULL);

  g_task_set_task_data (task, envelope_app_dup_models_dir (), g_free);
  g_task_run_in_thread (task, read_example_names);
}

void
envelope_window_class_install_actions (EnvelopeWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
  gtk_widget_class_install_action (widget_class, "win.new-from-example", "s", new_from_example_activated);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_install_action (widget_class, "win.open-file", "s", open_file_activated);

  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.save-as", NULL);
  gtk_widget_class_install_action (widget_class, "win.save-to", "s", save_to_activated);

  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_install_action (widget_class, "win.export-to", "s", export_to_activated);
  gtk_widget_class_install_action (widget_class, "win.export-with", "(sdbb)", export_with_activated);
  gtk_widget_class_install_action (widget_class, "win.export-fitted", "(sd)", export_fitted_activated);
  gtk_widget_class_install_action (widget_class, "win.open-export", "s", open_export_activated);

  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, redo_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_y, GDK_CONTROL_MASK, "win.redo", NULL);

  gtk_widget_class_install_action (widget_class, "win.delete", NULL, delete_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.delete", NULL);
  gtk_widget_class_install_action (widget_class, "win.duplicate", NULL, duplicate_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "win.duplicate", NULL);
  gtk_widget_class_install_action (widget_class, "win.insert-layer", "s", insert_layer_activated);
  gtk_widget_class_install_action (widget_class, "win.select-layer", "s", select_layer_activated);
  gtk_widget_class_install_action (widget_class, "win.select-edge", "(ss)", select_edge_activated);
  gtk_widget_class_install_action (widget_class, "win.select-group", "s", select_group_activated);
  gtk_widget_class_install_action (widget_class, "win.show-error", NULL, show_error_activated);
  gtk_widget_class_install_action (widget_class, "win.connect", "(ss)", connect_activated);
  gtk_widget_class_install_action (widget_class, "win.set-field", "(sv)", set_field_activated);
  gtk_widget_class_install_action (widget_class, "win.set-training", "(sv)", set_training_activated);

  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_in_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_out_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_fit_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-fit", NULL);

  gtk_widget_class_install_property_action (widget_class, "win.color-mode", "color-mode");
  gtk_widget_class_install_property_action (widget_class, "win.receptive-field", "receptive-field");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.receptive-field", NULL);
  gtk_widget_class_install_property_action (widget_class, "win.diagram-style", "diagram-style");
  gtk_widget_class_install_property_action (widget_class, "win.direction", "direction");
  gtk_widget_class_install_property_action (widget_class, "win.detail", "detail");
  gtk_widget_class_install_property_action (widget_class, "win.flops", "flops");
  gtk_widget_class_install_property_action (widget_class, "win.show-palette", "show-palette");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-palette", NULL);
  /* Escape leaves too: the presentation binds it while it is shown. */
  gtk_widget_class_install_property_action (widget_class, "win.present", "presenting");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.present", NULL);

  gtk_widget_class_install_action (widget_class, "win.copy-csv", NULL, copy_csv_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-csv", NULL);
  gtk_widget_class_install_action (widget_class, "win.copy-markdown", NULL, copy_markdown_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-markdown", NULL);

  gtk_widget_class_install_action (widget_class, "win.show-memory", NULL, show_memory_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.show-memory", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-training", NULL, show_training_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.show-training", NULL);

  gtk_widget_class_install_action (widget_class, "win.close", NULL, close_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close", NULL);
}
