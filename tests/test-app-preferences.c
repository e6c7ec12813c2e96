/* test-app-preferences.c: the preferences, the shortcuts, the dark style
 * and what a screen reader is told
 *
 * Each test changes a preference the way the preferences window does
 * (through GSettings), checks that every open window shows it at once,
 * and resets it.  Screenshots go into the build directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-preferences"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "envelope-devices.h"
#include "envelope-layer-row.h"
#include "envelope-preferences-window.h"
#include "envelope-renderer.h"
#include "envelope-settings.h"
#include "envelope-training-panel.h"
#include "test-app-helpers.h"

static const char *
total (EnvelopeWindow *window,
       const char     *which)
{
  return envelope_totals_bar_get_text (window->totals_bar, which);
}

static void
reset_preferences (void)
{
  GSettings *settings = envelope_app_get_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

/* VGG-16 without a GPU of its own, in a temporary file. */
static char *
write_vgg16_without_device (void)
{
  g_autofree char *source = app_test_model_path ("vgg16.json");
  g_autofree char *path = app_test_temp_path ("vgg16-no-device.json");
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_network_load_from_file (source, &error);

  g_assert_no_error (error);
  g_clear_pointer (&network->training.device, g_free);
  network->training.device_memory = 0;
  network->training.set &= ~(ENVELOPE_TRAINING_DEVICE | ENVELOPE_TRAINING_DEVICE_MEMORY);
  g_assert_true (envelope_network_save_to_file (network, path, &error));
  g_assert_no_error (error);
  envelope_network_free (network);
  return g_steal_pointer (&path);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static EnvelopeLayerRow *
table_row (EnvelopeWindow *window,
           const char     *name)
{
  GListModel *model = envelope_layer_table_get_model (window->layer_table);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      EnvelopeLayerRow *row = g_list_model_get_item (model, i);

      if (g_str_equal (envelope_layer_row_get_text (row, "name"), name))
        return row;
      g_object_unref (row);
    }
  g_assert_not_reached ();
}

static void
on_text_read (GObject      *clipboard,
              GAsyncResult *result,
              gpointer      data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

/* What the window's "Copy Table" puts on the clipboard. */
static char *
copied_text (EnvelopeWindow *window,
             const char     *action)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  char *text = NULL;

  app_test_activate (window, action, NULL);
  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

/* ------------------------------------------------------------------ */

/* IEC or SI, in every window at once, in every byte figure. */
static void
test_units (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeWindow *other = app_test_window_new ();
  GSettings *settings = envelope_app_get_settings ();
  EnvelopeRenderOptions options;
  g_autofree char *legend = NULL;

  app_test_open_model (window, "vgg16.json");
  app_test_open_model (other, "mnist.json");

  /* 553,430,176 B of parameters; a training step of 4,579,265,024 B
   * and inference of 1,987,227,648 B as PyTorch spends them */
  g_assert_cmpstr (total (window, "params-detail"), ==, "528 MiB in fp32");
  g_assert_cmpstr (total (window, "train"), ==, "4.26 GiB");
  g_assert_cmpstr (total (window, "test"), ==, "1.85 GiB");
  g_assert_cmpstr (total (other, "params-detail"), ==, "3.10 MiB in fp32");

  g_settings_set_string (settings, "units", "si");
  g_assert_cmpstr (total (window, "params-detail"), ==, "553 MB in fp32");
  g_assert_cmpstr (total (window, "train"), ==, "4.58 GB");
  g_assert_cmpstr (total (window, "test"), ==, "1.99 GB");
  g_assert_cmpstr (total (other, "params-detail"), ==, "3.26 MB in fp32");
  /* The worked formulas give their sizes in the same units. */
  {
    g_autofree char *test = envelope_analysis_explain_test (envelope_document_get_analysis (window->document));

    g_assert_true (g_str_has_suffix (test, "= 1,491,119,264 B (1.49 GB)"));
  }
  /* Not an edit: the figures are the same, only written otherwise. */
  g_assert_false (envelope_document_get_dirty (window->document));

  /* Copied tables. */
  {
    g_autofree char *markdown = copied_text (window, "win.copy-markdown");

    g_assert_nonnull (strstr (markdown, "model size 553 MB (553,430,176 B) in fp32"));
    g_assert_null (strstr (markdown, "MiB"));
  }

  /* The diagram's totals and legend, as the canvas asks the renderer. */
  envelope_render_options_init (&options);
  options.units = envelope_settings_get_units ();
  legend = envelope_render_describe_totals (envelope_canvas_get_diagram (window->canvas), &options);
  g_assert_nonnull (strstr (legend, "(553 MB)"));
  g_assert_nonnull (strstr (legend, "in PyTorch: 1.99 GB inference, 4.58 GB training"));

  app_test_activate (window, "win.color-mode", g_variant_new_string ("memory"));
  app_test_activate (window, "win.show-memory", NULL);
  app_test_wait_frames (envelope_totals_bar_get_memory_popover (window->totals_bar), 2);
  app_test_screenshot (GTK_WIDGET (window), "preferences-si");
  app_test_screenshot (envelope_totals_bar_get_memory_popover (window->totals_bar), "preferences-si-memory");
  gtk_popover_popdown (GTK_POPOVER (envelope_totals_bar_get_memory_popover (window->totals_bar)));

  /* The training settings: the GPUs' memory in SI too. */
  app_test_activate (window, "win.show-training", NULL);
  {
    GtkWidget *panel = find_widget (GTK_WIDGET (window->totals_bar), ENVELOPE_TYPE_TRAINING_PANEL);
    GtkWidget *device = NULL;
    GListModel *devices;
    g_autofree char *label = NULL;

    /* The GPU's drop-down: "no GPU", every preset, "other". */
    for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_first_child (panel)); child;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_DROP_DOWN (child) &&
          g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (child))) == envelope_devices_get_n () + 2)
        device = child;
    g_assert_nonnull (device);
    devices = gtk_drop_down_get_model (GTK_DROP_DOWN (device));
    label = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (devices), 1));
    g_assert_cmpstr (label, ==, "GTX Titan X (12.9 GB)");
    /* A memory of one's own that GB would round reads exactly. */
    app_test_activate (window, "win.set-training",
                       g_variant_new ("(sv)", "device_memory", g_variant_new_uint64 (11811160064)));
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (
                       panel, ENVELOPE_TYPE_TRAINING_PANEL, "memory_entry"))), ==, "11 GiB");
    app_test_activate (window, "win.set-training",
                       g_variant_new ("(sv)", "device_memory", g_variant_new_uint64 (16000000000)));
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (
                       panel, ENVELOPE_TYPE_TRAINING_PANEL, "memory_entry"))), ==, "16.0 GB");
    app_test_wait_frames (panel, 2);
    app_test_screenshot (panel, "preferences-si-training");
  }

  g_settings_set_string (settings, "units", "iec");
  g_assert_cmpstr (total (window, "params-detail"), ==, "528 MiB in fp32");
  g_assert_cmpstr (total (other, "train"), ==, "599 MiB");

  reset_preferences ();
  app_test_window_destroy (other);
  app_test_window_destroy (window);
}

/* FLOPs for a file that does not say; a file that says keeps its own. */
static void
test_flops (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GSettings *settings = envelope_app_get_settings ();

  app_test_open_model (window, "vgg16.json");
  g_assert_cmpstr (total (window, "macs"), ==, "15,470,264,320");

  g_settings_set_boolean (settings, "flops", TRUE);
  g_assert_cmpstr (total (window, "macs"), ==, "30,940,528,640");
  g_assert_cmpstr (total (window, "macs-detail"), ==, "2 × MACs: a multiply-add is two");
  /* The table counts them too: conv1_1's 86,704,128 MACs, its share the same. */
  {
    GListModel *columns = gtk_column_view_get_columns (envelope_layer_table_get_view (window->layer_table));
    g_autoptr(GtkColumnViewColumn) macs = g_list_model_get_item (columns, 5);
    g_autoptr(GtkColumnViewColumn) share = g_list_model_get_item (columns, 6);
    g_autoptr(EnvelopeLayerRow) row = g_list_model_get_item (envelope_layer_table_get_model (window->layer_table), 1);

    g_assert_cmpstr (gtk_column_view_column_get_title (macs), ==, "FLOPs");
    g_assert_cmpstr (gtk_column_view_column_get_title (share), ==, "FLOPs %");
    g_assert_cmpstr (envelope_layer_row_get_text (row, "macs-text"), ==, "173,408,256");
    g_assert_cmpstr (envelope_layer_row_get_text (row, "macs-share"), ==, "0.6%");
    g_settings_set_boolean (settings, "flops", FALSE);
    g_assert_cmpstr (gtk_column_view_column_get_title (macs), ==, "MACs");
    g_assert_cmpstr (envelope_layer_row_get_text (row, "macs-text"), ==, "86,704,128");
    g_settings_set_boolean (settings, "flops", TRUE);
  }
  g_assert_false (envelope_document_get_dirty (window->document));

  /* Asked for in the file's view: MACs, whatever the preference. */
  app_test_activate (window, "win.flops", NULL);
  g_assert_false (window->flops);
  g_assert_cmpstr (total (window, "macs"), ==, "15,470,264,320");
  g_settings_set_boolean (settings, "flops", FALSE);
  g_settings_set_boolean (settings, "flops", TRUE);
  g_assert_cmpstr (total (window, "macs"), ==, "15,470,264,320");

  /* A new window on a file without a view counts FLOPs from the start. */
  {
    EnvelopeWindow *fresh = app_test_window_new ();

    app_test_open_model (fresh, "vgg16.json");
    g_assert_cmpstr (total (fresh, "macs"), ==, "30,940,528,640");
    app_test_window_destroy (fresh);
  }

  reset_preferences ();
  app_test_window_destroy (window);
}

/* The default colouring and style, for a file without a view. */
static void
test_view_defaults (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GSettings *settings = envelope_app_get_settings ();

  app_test_open_model (window, "mnist.json");
  g_assert_cmpstr (window->color_mode, ==, "kind");
  g_settings_set_string (settings, "color-mode", "macs");
  g_settings_set_string (settings, "diagram-style", "proportional");
  g_assert_cmpstr (window->color_mode, ==, "macs");
  g_assert_cmpstr (window->diagram_style, ==, "proportional");
  g_assert_false (envelope_document_get_dirty (window->document));

  /* A view chosen for the file wins. */
  app_test_activate (window, "win.color-mode", g_variant_new_string ("params"));
  g_settings_set_string (settings, "color-mode", "memory");
  g_assert_cmpstr (window->color_mode, ==, "params");

  reset_preferences ();
  app_test_window_destroy (window);
}

/* The default GPU fits a network without one, not one with its own,
 * and is not saved into the file. */
static void
test_default_device (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeWindow *own = app_test_window_new ();
  GSettings *settings = envelope_app_get_settings ();
  g_autofree char *path = write_vgg16_without_device ();
  g_autofree char *saved = app_test_temp_path ("vgg16-saved.json");
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *training;

  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_open_model (own, "vgg16.json");
  g_assert_cmpstr (total (window, "fit"), ==, "—");
  g_assert_cmpstr (total (own, "fit"), ==, "193");

  /* ⌊(25,769,803,776 − 2,193,879,044) / 77,341,294⌋ = 304: the step's
   * tightest moment, as PyTorch spends memory */
  g_settings_set_string (settings, "default-device", "RTX 3090");
  g_assert_cmpstr (total (window, "fit"), ==, "304");
  g_assert_cmpstr (total (window, "training"), ==, "batch 32 · fp32 · sgd_momentum · RTX 3090");
  g_assert_cmpstr (total (own, "fit"), ==, "193");
  g_assert_false (envelope_document_get_dirty (window->document));

  /* ⌊(85,899,345,920 − 2,222,196,740) / 77,341,294⌋ = 1,081, live. */
  g_settings_set_string (settings, "default-device", "A100 80GB");
  g_assert_cmpstr (total (window, "fit"), ==, "1,081");
  g_assert_cmpstr (total (own, "fit"), ==, "193");

  /* Saved without it. */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "batch", g_variant_new_int64 (16)));
  app_test_activate (window, "win.save-to", g_variant_new_string (saved));
  g_assert_true (g_file_get_contents (saved, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, contents, -1, &error));
  g_assert_no_error (error);
  training = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "training");
  g_assert_nonnull (training);
  g_assert_cmpint (json_object_get_int_member (training, "batch"), ==, 16);
  g_assert_false (json_object_has_member (training, "device"));
  g_assert_false (json_object_has_member (training, "device_memory"));

  /* The user's own choice is saved, and then wins. */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "device", g_variant_new_string ("GTX 980")));
  g_assert_cmpstr (total (window, "training"), ==, "batch 16 · fp32 · sgd_momentum · GTX 980");
  app_test_activate (window, "win.save-to", g_variant_new_string (saved));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (saved, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"GTX 980\""));

  g_settings_reset (settings, "default-device");
  g_assert_cmpstr (total (window, "training"), ==, "batch 16 · fp32 · sgd_momentum · GTX 980");
  reset_preferences ();
  app_test_window_destroy (own);
  app_test_window_destroy (window);
}

/* ------------------------------------------------------------------ */
/* Accessibility                                                       */

static gboolean
has_label_text (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_label_get_text (GTK_LABEL (child))[0] != '\0')
        return TRUE;
      if (has_label_text (child))
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_accessible_label (GtkWidget *widget)
{
  g_autofree char *empty = NULL;

  if (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;
  /* NULL when the label is the empty string. */
  empty = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, "");
  return empty != NULL;
}

static void
describe_widget (GString   *out,
                 GtkWidget *widget)
{
  g_string_append_printf (out, "  %s", G_OBJECT_TYPE_NAME (widget));
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (out, " icon %s", gtk_button_get_icon_name (GTK_BUTTON (widget)));
  if (GTK_IS_ACTIONABLE (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    g_string_append_printf (out, " action %s", gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));
  for (GtkWidget *p = gtk_widget_get_parent (widget); p != NULL; p = gtk_widget_get_parent (p))
    g_string_append_printf (out, " < %s", G_OBJECT_TYPE_NAME (p));
  g_string_append_c (out, '\n');
}

/* Every control has a name a screen reader can say: its accessible
 * label, its tooltip or its own text; a button without text (an icon)
 * has an accessible label and a tooltip both. */
static void
check_controls (GtkWidget *widget,
                guint     *n_checked,
                GString   *unnamed)
{
  gboolean control = GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget) ||
                     GTK_IS_DROP_DOWN (widget) || GTK_IS_SWITCH (widget);

  if (control)
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);
      gboolean has_tooltip = tooltip != NULL && tooltip[0] != '\0';
      gboolean text = has_label_text (widget);
      gboolean icon_only = (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && !text;

      (*n_checked)++;
      if (!(has_accessible_label (widget) || has_tooltip || text) ||
          (icon_only && !(has_tooltip && has_accessible_label (widget))))
        describe_widget (unnamed, widget);

      /* The controls in a menu button's popover are reachable too. */
      if (GTK_IS_MENU_BUTTON (widget))
        {
          GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget));

          /* (made when first shown: no child until then) */
          if (popover != NULL && !GTK_IS_POPOVER_MENU (popover) && gtk_popover_get_child (popover) != NULL)
            check_controls (gtk_popover_get_child (popover), n_checked, unnamed);
        }
      return;   /* its insides are its own */
    }
  /* The window's own buttons are GTK's. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    check_controls (child, n_checked, unnamed);
}

static void
test_controls_named (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(GString) unnamed = g_string_new (NULL);
  g_autoptr(GString) caught = g_string_new (NULL);
  GtkWidget *bare = g_object_ref_sink (gtk_button_new_from_icon_name ("list-add-symbolic"));
  guint n_checked = 0;

  /* The check catches a bare icon button, and passes a labelled one. */
  check_controls (bare, &n_checked, caught);
  g_assert_cmpuint (caught->len, >, 0);
  gtk_widget_set_tooltip_text (bare, "Add");
  check_controls (bare, &n_checked, caught);
  g_string_truncate (caught, 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bare), GTK_ACCESSIBLE_PROPERTY_LABEL, "Add", -1);
  check_controls (bare, &n_checked, caught);
  g_assert_cmpuint (caught->len, ==, 0);
  g_object_unref (bare);
  n_checked = 0;

  /* A convolution selected: the inspector shows its every control. */
  app_test_open_model (window, "resnet18.json");
  app_test_select (window, "conv1");
  app_test_wait_frames (GTK_WIDGET (window), 2);

  /* The training popover's controls are made when it is first shown. */
  app_test_activate (window, "win.show-training", NULL);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  check_controls (GTK_WIDGET (window), &n_checked, unnamed);
  g_test_message ("%u controls checked", n_checked);
  /* The header bar, the toolbar, the palette, the inspector, the table,
   * the totals bar and the training popover: some seventy. */
  g_assert_cmpuint (n_checked, >=, 65);
  if (unnamed->len > 0)
    g_error ("controls without a name:\n%s", unnamed->str);

  app_test_window_destroy (window);
}

static void
assert_description (GtkWidget  *widget,
                    const char *expected)
{
  g_autofree char *wrong = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);

  if (wrong != NULL)
    g_error ("%s's description is “%s”, not “%s”", G_OBJECT_TYPE_NAME (widget), wrong, expected);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* A row's sentence for screen readers follows an edit once, after the
 * frame, in the edited layer's row and in the rows whose share of the
 * activations changed; its text reads new at once. */
static void
test_row_description_follows (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(EnvelopeLayerRow) edited = NULL;
  g_autoptr(EnvelopeLayerRow) before = NULL;
  guint told_edited = 0, told_before = 0;

  app_test_open_model (window, "vgg16.json");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  edited = table_row (window, "conv1_2");
  before = table_row (window, "conv1_1");
  g_assert_true (envelope_layer_row_get_bound (edited));
  g_assert_true (envelope_layer_row_get_bound (before));
  g_assert_cmpstr (envelope_layer_row_get_text (before, "description"), ==,
                   "conv1_1, conv 3×3, 64, reads data: output 64×224×224, 1,792 parameters, "
                   "86,704,128 MACs, 11.1% of the activations, receptive field 3");
  g_signal_connect (edited, "notify::description", G_CALLBACK (count_notify), &told_edited);
  g_signal_connect (before, "notify::description", G_CALLBACK (count_notify), &told_before);

  app_test_select (window, "conv1_2");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (32)));
  g_assert_cmpstr (envelope_layer_row_get_text (before, "description"), ==,
                   "conv1_1, conv 3×3, 64, reads data: output 64×224×224, 1,792 parameters, "
                   "86,704,128 MACs, 12.7% of the activations, receptive field 3");
  g_assert_nonnull (strstr (envelope_layer_row_get_text (edited, "description"), "output 32×224×224, 18,464 parameters"));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_spin (50);
  g_assert_cmpuint (told_edited, ==, 1);
  g_assert_cmpuint (told_before, ==, 1);
  g_signal_handlers_disconnect_by_data (edited, &told_edited);
  g_signal_handlers_disconnect_by_data (before, &told_before);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The canvas says which layer is selected and what its block shows;
 * the table's rows say the same; the arrow keys walk the diagram. */
static void
test_canvas_announces (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(EnvelopeLayerRow) row = NULL;
  GtkWidget *canvas = GTK_WIDGET (window->canvas);
  const char *conv1_2 = "conv1_2, conv 3×3, 64, reads relu1_1: output 64×224×224, 36,928 parameters, "
                        "1,849,688,064 MACs, 11.1% of the activations, receptive field 5";

  app_test_open_model (window, "vgg16.json");
  /* every layer its own block, wrapped into rows to fit the window */
  g_object_set (window, "detail", "layers", NULL);
  app_test_wait_layout (window);
  gtk_test_accessible_assert_role (canvas, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (canvas, GTK_ACCESSIBLE_PROPERTY_LABEL, "Block diagram");
  assert_description (canvas, "No layer selected; the arrow keys select one");
  g_assert_true (gtk_widget_get_focusable (canvas));

  app_test_select (window, "conv1_2");
  assert_description (canvas, conv1_2);

  /* The table's row for it tells the same. */
  app_test_wait_frames (GTK_WIDGET (window), 2);
  row = table_row (window, "conv1_2");
  g_assert_cmpstr (envelope_layer_row_get_text (row, "description"), ==, conv1_2);

  /* Right: the next block along the flow; left twice: back past it. */
  gtk_widget_grab_focus (canvas);
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", 1, 0));
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "relu1_2"));
  assert_description (canvas, "relu1_2, relu, reads conv1_2: output 64×224×224, 0 parameters, 0 MACs, "
                              "11.1% of the activations, receptive field 5");
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", -1, 0);
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", -1, 0);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "relu1_1"));

  /* VGG-16 is wrapped into rows: down is the block under it in the
   * next row, up comes back; nothing is above the first row, and the
   * selection stays. */
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", 0, 1);
  g_assert_cmpint (envelope_layout_get_block_row (envelope_canvas_get_layout (window->canvas),
                                                  (guint) envelope_diagram_find_block (envelope_canvas_get_diagram (window->canvas),
                                                                                       (guint) envelope_document_get_selected_layer (window->document))),
                   ==, 1);
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", 0, -1);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "relu1_1"));
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", 0, -1);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "relu1_1"));

  /* Nothing selected: an arrow selects the first block, the input. */
  app_test_activate (window, "win.select-layer", g_variant_new_string (""));
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, -1);
  gtk_widget_activate_action (canvas, "canvas.select-toward", "(ii)", 1, 0);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 0);
  assert_description (canvas, "data, input: output 3×224×224, 0 parameters, 0 MACs, "
                              "0.5% of the activations, receptive field 1");

  /* An edit is announced too. */
  app_test_select (window, "conv1_2");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (32)));
  assert_description (canvas, "conv1_2, conv 3×3, 32, reads relu1_1: output 32×224×224, 18,464 parameters, "
                              "924,844,032 MACs, 6.4% of the activations, receptive field 5");

  app_test_screenshot (GTK_WIDGET (window), "preferences-keyboard");
  app_test_window_destroy (window);
}

/* ------------------------------------------------------------------ */
/* Shortcuts                                                           */

/* The key a shortcut is listed under: keypad keys and "=" are the
 * same as the keys they stand for. */
static char *
canonical_key (guint           keyval,
               GdkModifierType mods)
{
  switch (keyval)
    {
    case GDK_KEY_KP_Add: case GDK_KEY_equal: keyval = GDK_KEY_plus; break;
    case GDK_KEY_KP_Subtract: keyval = GDK_KEY_minus; break;
    case GDK_KEY_KP_0: keyval = GDK_KEY_0; break;
    case GDK_KEY_KP_Delete: keyval = GDK_KEY_Delete; break;
    case GDK_KEY_KP_Left: keyval = GDK_KEY_Left; break;
    case GDK_KEY_KP_Right: keyval = GDK_KEY_Right; break;
    case GDK_KEY_KP_Up: keyval = GDK_KEY_Up; break;
    case GDK_KEY_KP_Down: keyval = GDK_KEY_Down; break;
    case GDK_KEY_KP_Enter: keyval = GDK_KEY_Return; break;
    default: break;
    }
  return gtk_accelerator_name (gdk_keyval_to_lower (keyval), mods);
}

static void
add_listed (GHashTable *listed,
            const char *accelerators)
{
  g_auto(GStrv) each = g_strsplit (accelerators, " ", -1);

  for (guint i = 0; each[i] != NULL; i++)
    {
      guint keyval;
      GdkModifierType mods;

      if (each[i][0] == '\0')
        continue;
      g_assert_true (gtk_accelerator_parse (each[i], &keyval, &mods));
      g_hash_table_add (listed, canonical_key (keyval, mods));
    }
}

/* Every shortcut @widget's class installs is in @listed. */
static guint
check_class_shortcuts (GtkWidget  *widget,
                       GHashTable *listed,
                       GString    *missing)
{
  g_autoptr(GPtrArray) shortcuts = app_test_dup_shortcuts (widget);
  guint n = 0;

  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkShortcut *shortcut = g_ptr_array_index (shortcuts, i);
      GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
      g_autofree char *key = NULL;

      if (!GTK_IS_KEYVAL_TRIGGER (trigger) || !GTK_IS_NAMED_ACTION (action))
        continue;
      /* GTK's own (focus, activation, window) come with GTK's docs. */
      if (!g_str_has_prefix (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "win.") &&
          !g_str_has_prefix (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "canvas."))
        continue;
      key = canonical_key (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                           gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
      n++;
      if (!g_hash_table_contains (listed, key))
        g_string_append_printf (missing, "  %s (%s)\n", key,
                                gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
    }
  return n;
}

static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      GMenuModel *section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        {
          g_clear_object (&section);
          return TRUE;
        }
      if (section != NULL)
        {
          gboolean found = menu_has_action (section, action);

          g_object_unref (section);
          if (found)
            return TRUE;
        }
    }
  return FALSE;
}

/* The menu of the header bar's primary menu button (F10), which it makes
 * when first opened. */
static GMenuModel *
primary_menu (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    {
      g_assert_null (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)));
      gtk_menu_button_popup (GTK_MENU_BUTTON (widget));
      gtk_menu_button_popdown (GTK_MENU_BUTTON (widget));
      return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GMenuModel *menu = primary_menu (child);

      if (menu != NULL)
        return menu;
    }
  return NULL;
}

static void
test_shortcuts (void)
{
  g_autoptr(EnvelopeApplication) app = envelope_application_new ();
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/envelope/Envelope/gtk/help-overlay.ui");
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  GMenuModel *menu;
  g_autoptr(GError) error = NULL;
  const char *app_actions[] = { "app.quit", "app.preferences", "win.show-help-overlay" };
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  EnvelopeWindow *window;
  GtkWidget *overlay;
  guint n;

  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accelerator = NULL;

        g_object_get (l->data, "accelerator", &accelerator, NULL);
        if (accelerator != NULL)
          add_listed (listed, accelerator);
      }

  /* The application installs the shortcuts window on Ctrl+?. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = envelope_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 940);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);

  n = check_class_shortcuts (GTK_WIDGET (window), listed, missing);
  n += check_class_shortcuts (GTK_WIDGET (window->canvas), listed, missing);
  for (guint i = 0; i < G_N_ELEMENTS (app_actions); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), app_actions[i]);

      g_assert_nonnull (accels[0]);
      for (guint j = 0; accels[j] != NULL; j++)
        {
          guint keyval;
          GdkModifierType mods;
          g_autofree char *key = NULL;

          g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
          key = canonical_key (keyval, mods);
          n++;
          if (!g_hash_table_contains (listed, key))
            g_string_append_printf (missing, "  %s (%s)\n", key, app_actions[i]);
        }
    }
  g_test_message ("%u shortcuts, %u listed", n, g_hash_table_size (listed));
  g_assert_cmpuint (n, >=, 30);
  if (missing->len > 0)
    g_error ("shortcuts missing from the shortcuts window:\n%s", missing->str);

  /* The primary menu opens it, and the preferences. */
  menu = primary_menu (GTK_WIDGET (window));
  g_assert_nonnull (menu);
  g_assert_true (menu_has_action (menu, "win.show-help-overlay"));
  g_assert_true (menu_has_action (menu, "app.preferences"));
  g_assert_true (menu_has_action (menu, "app.about"));

  app_test_activate (window, "win.show-help-overlay", NULL);
  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  app_test_wait_frames (overlay, 2);
  g_assert_true (gtk_widget_get_mapped (overlay));
  app_test_screenshot (overlay, "shortcuts");
  gtk_window_close (GTK_WINDOW (overlay));

  /* app.preferences opens the preferences over the window. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWidget *preferences = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        if (ENVELOPE_IS_PREFERENCES_WINDOW (toplevel))
          preferences = GTK_WIDGET (toplevel);
      }
    g_assert_nonnull (preferences);
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (window));

    /* Asked for again: the same window. */
    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        g_assert_true (!ENVELOPE_IS_PREFERENCES_WINDOW (toplevel) || GTK_WIDGET (toplevel) == preferences);
      }
    gtk_window_destroy (GTK_WINDOW (preferences));
  }

  /* About: where to find the project and report a problem, and what
   * is new in this release, the metainfo's. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    AdwAboutWindow *about = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        if (ADW_IS_ABOUT_WINDOW (toplevel))
          about = ADW_ABOUT_WINDOW (toplevel);
      }
    g_assert_nonnull (about);
    g_assert_cmpstr (adw_about_window_get_version (about), ==, "0.1.0");
    g_assert_cmpstr (adw_about_window_get_release_notes_version (about), ==, "0.1.0");
    g_assert_nonnull (strstr (adw_about_window_get_release_notes (about), "<li>"));
    g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/envelope/envelope");
    g_assert_cmpstr (adw_about_window_get_issue_url (about), ==, "https://github.com/envelope/envelope/issues");
    g_assert_nonnull (strstr (adw_about_window_get_copyright (about), "The Envelope authors"));
    app_test_wait_frames (GTK_WIDGET (about), 2);
    app_test_screenshot (GTK_WIDGET (about), "about");
    gtk_window_destroy (GTK_WINDOW (about));
  }

  app_test_window_destroy (window);
  g_application_quit (G_APPLICATION (app));
}

/* ------------------------------------------------------------------ */

/* Each row writes its key, and every window follows. */
static void
test_preferences_window (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GSettings *settings = envelope_app_get_settings ();
  GtkWidget *preferences;
  GtkWidget *units_row, *device_row, *color_row;
  g_autofree char *device = NULL;

  app_test_open_model (window, "vgg16.json");
  preferences = envelope_preferences_window_new (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (preferences));
  app_test_wait_frames (preferences, 2);
  g_assert_true (gtk_widget_get_mapped (preferences));

  units_row = GTK_WIDGET (gtk_widget_get_template_child (preferences, ENVELOPE_TYPE_PREFERENCES_WINDOW, "units_row"));
  device_row = GTK_WIDGET (gtk_widget_get_template_child (preferences, ENVELOPE_TYPE_PREFERENCES_WINDOW, "device_row"));
  color_row = GTK_WIDGET (gtk_widget_get_template_child (preferences, ENVELOPE_TYPE_PREFERENCES_WINDOW, "color_row"));

  /* "None" and every preset of the core. */
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (ADW_COMBO_ROW (device_row))), ==,
                    envelope_devices_get_n () + 1);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (device_row)), ==, 0);

  adw_combo_row_set_selected (ADW_COMBO_ROW (units_row), 1);
  g_assert_cmpint (g_settings_get_enum (settings, "units"), ==, 1);
  g_assert_cmpstr (total (window, "params-detail"), ==, "553 MB in fp32");

  adw_combo_row_set_selected (ADW_COMBO_ROW (device_row), 9);
  device = g_settings_get_string (settings, "default-device");
  g_assert_cmpstr (device, ==, envelope_devices_get (8)->name);

  /* The presets' memory follows the units while the window is open, and
   * the GPU chosen stays chosen. */
  {
    GListModel *devices = adw_combo_row_get_model (ADW_COMBO_ROW (device_row));

    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (devices), 9), ==, "RTX 3090 (25.8 GB)");
    adw_combo_row_set_selected (ADW_COMBO_ROW (units_row), 0);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (devices), 9), ==, "RTX 3090 (24.0 GiB)");
    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (device_row)), ==, 9);
    g_free (device);
    device = g_settings_get_string (settings, "default-device");
    g_assert_cmpstr (device, ==, "RTX 3090");
    adw_combo_row_set_selected (ADW_COMBO_ROW (units_row), 1);
  }

  adw_combo_row_set_selected (ADW_COMBO_ROW (color_row), 1);
  g_assert_cmpstr (window->color_mode, ==, "memory");

  /* The graphics card is a choice for the next start: the key alone. */
  {
    GtkWidget *gpu = GTK_WIDGET (gtk_widget_get_template_child (preferences, ENVELOPE_TYPE_PREFERENCES_WINDOW,
                                                                "gpu_switch"));

    g_assert_false (gtk_switch_get_active (GTK_SWITCH (gpu)));
    gtk_switch_set_active (GTK_SWITCH (gpu), TRUE);
    g_assert_true (g_settings_get_boolean (settings, "gpu-drawing"));
    g_assert_cmpstr (G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))), ==, "GskCairoRenderer");
  }

  /* A key set elsewhere shows in the row. */
  g_settings_set_string (settings, "units", "iec");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (units_row)), ==, 0);

  app_test_screenshot (preferences, "preferences");
  gtk_window_destroy (GTK_WINDOW (preferences));
  reset_preferences ();
  app_test_window_destroy (window);
}

/* The system's dark style: the canvas and the renderer follow, live. */
/* The canvas's top right corner, far from any block. */
static double
canvas_background_luminance (EnvelopeWindow *window)
{
  return app_test_luminance_at (GTK_WIDGET (window->canvas), -8, 8);
}

static void
test_dark_style (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  AdwStyleManager *manager = adw_style_manager_get_default ();

  app_test_open_model (window, "resnet18.json");
  app_test_select (window, "layer1/0/conv1");
  g_assert_cmpfloat (canvas_background_luminance (window), >, 0.8);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpfloat (canvas_background_luminance (window), <, 0.25);
  app_test_screenshot (GTK_WIDGET (window), "preferences-dark");

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_cmpfloat (canvas_background_luminance (window), >, 0.8);
  app_test_window_destroy (window);
}

/* The size a window closes with is the next one's. */
static void
test_window_size (void)
{
  GSettings *settings = envelope_app_get_settings ();
  EnvelopeWindow *window = app_test_window_new ();
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 1420, 910);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1420);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 910);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  window = envelope_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1420);
  g_assert_cmpint (height, ==, 910);
  gtk_window_destroy (GTK_WINDOW (window));

  reset_preferences ();
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* GTK's test context keeps what each widget tells assistive
   * technologies, for gtk_test_accessible_*(). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!envelope_app_init_gtk ())
    {
      g_print ("1..0 # SKIP no display: the app tests need one (run them under xvfb-run)\n");
      return 77;
    }
  envelope_app_ensure_resources ();

  g_test_add_func ("/app-preferences/units", test_units);
  g_test_add_func ("/app-preferences/flops", test_flops);
  g_test_add_func ("/app-preferences/view-defaults", test_view_defaults);
  g_test_add_func ("/app-preferences/default-device", test_default_device);
  g_test_add_func ("/app-preferences/controls-named", test_controls_named);
  g_test_add_func ("/app-preferences/canvas-announces", test_canvas_announces);
  g_test_add_func ("/app-preferences/row-description-follows", test_row_description_follows);
  g_test_add_func ("/app-preferences/shortcuts", test_shortcuts);
  g_test_add_func ("/app-preferences/preferences-window", test_preferences_window);
  g_test_add_func ("/app-preferences/dark-style", test_dark_style);
  g_test_add_func ("/app-preferences/window-size", test_window_size);

  return g_test_run ();
}
