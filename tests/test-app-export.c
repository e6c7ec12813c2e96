/* test-app-export.c: the Export Figure window, its preview and its file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-export"

#include "config.h"

#include <math.h>

#include "test-app-helpers.h"

static void
wait_preview (EnvelopeExportDialog *dialog)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (envelope_export_dialog_get_preview_pending (dialog) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (envelope_export_dialog_get_preview_pending (dialog));
}

static EnvelopeExportDialog *
open_dialog (EnvelopeWindow *window)
{
  EnvelopeExportDialog *dialog;

  app_test_activate (window, "win.export", NULL);
  g_assert_nonnull (window->export_dialog);
  dialog = ENVELOPE_EXPORT_DIALOG (window->export_dialog);
  app_test_wait_frames (GTK_WIDGET (dialog), 2);
  wait_preview (dialog);
  return dialog;
}

static void
set_option (EnvelopeExportDialog *dialog,
            const char           *action,
            GVariant             *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (dialog), action, owned));
  wait_preview (dialog);
}

/* The figure written by @dialog to @path, which ends in .svg: its text. */
static char *
write_svg (EnvelopeExportDialog *dialog,
           const char           *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.write", "s", path));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
assert_preview (EnvelopeExportDialog *dialog,
                int                   width,
                int                   height)
{
  int w = 0, h = 0;

  g_assert_true (envelope_export_dialog_get_preview_size (dialog, &w, &h));
  g_assert_cmpint (w, ==, width);
  g_assert_cmpint (h, ==, height);
}

/* The figure fills the page's width or its height, within a pixel. */
static void
assert_fills (EnvelopeExportDialog *dialog,
              double                width,
              double                height)
{
  double w, h;

  envelope_export_dialog_get_figure_size (dialog, &w, &h);
  g_assert_cmpfloat (w, <=, width);
  g_assert_cmpfloat (h, <=, height);
  g_assert_true (w >= width - 1 || h >= height - 1);
}

/* ResNet-50 fitted to a slide: the preview is of the slide's shape,
 * the PNG as wide as asked, and the file is what the preview said. */
static void
test_preview_and_write (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeExportDialog *dialog;
  g_autofree char *path = app_test_temp_path ("figure.png");
  g_autoptr(GdkTexture) texture = NULL;
  double w, h;

  app_test_open_model (window, "resnet50.json");
  dialog = open_dialog (window);

  /* a 16:9 slide, 1,920 pixels wide, by default */
  assert_preview (dialog, 720, 405);
  assert_fills (dialog, 1920, 1080);
  app_test_screenshot (GTK_WIDGET (dialog), "export-dialog");

  set_option (dialog, "export.fit", g_variant_new_string ("4:3"));
  assert_preview (dialog, 720, 540);
  assert_fills (dialog, 1920, 1440);

  set_option (dialog, "export.fit", g_variant_new_string ("a4"));
  assert_preview (dialog, 509, 720);

  set_option (dialog, "export.fit", g_variant_new_string ("16:9"));
  set_option (dialog, "export.max-width", g_variant_new_uint32 (1280));
  assert_preview (dialog, 720, 405);
  assert_fills (dialog, 1280, 720);
  envelope_export_dialog_get_figure_size (dialog, &w, &h);

  /* written: the dialog's work is done, the window offers to open it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.write", "s", path));
  g_assert_null (window->export_dialog);
  g_assert_cmpstr (window->last_message, ==, "Exported “figure.png”");
  texture = gdk_texture_new_from_filename (path, NULL);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, (int) w);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, (int) h);

  app_test_window_destroy (window);
}

/* Stages, as SVG, in two rows: the options reach the file. */
static void
test_detail_and_format (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeExportDialog *dialog;
  g_autofree char *path = app_test_temp_path ("figure.svg");
  g_autofree char *contents = NULL;
  double w, h;

  app_test_open_model (window, "resnet50.json");
  dialog = open_dialog (window);
  set_option (dialog, "export.detail", g_variant_new_string ("stages"));
  set_option (dialog, "export.wrap", g_variant_new_uint32 (2));
  set_option (dialog, "export.format", g_variant_new_string ("svg"));
  envelope_export_dialog_get_figure_size (dialog, &w, &h);
  g_assert_cmpfloat (w, >, 0);
  g_assert_cmpfloat (h, >, 0);

  contents = write_svg (dialog, path);
  g_assert_null (window->export_dialog);
  g_assert_nonnull (strstr (contents, "<svg"));
  /* the stages are blocks of their own: no layer of theirs is named */
  g_assert_nonnull (strstr (contents, "layer3"));
  g_assert_null (strstr (contents, "layer3/0/conv1"));

  /* a file that cannot be written is an error, and the dialog stays */
  dialog = open_dialog (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.write", "s", "/nonexistent/figure.png"));
  g_assert_nonnull (window->export_dialog);
  g_assert_nonnull (window->message_dialog);
  gtk_window_destroy (GTK_WINDOW (window->message_dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  app_test_window_destroy (window);
}

/* A plain chain on a slide: its runs are folded into one block, and the
 * line under the preview says that runs are what it shows. */
static void
test_plain_chain (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeExportDialog *dialog;
  g_autofree char *path = app_test_temp_path ("chain.svg");
  g_autofree char *contents = NULL;

  envelope_document_replace (window->document, app_test_make_chain (401), NULL);
  app_test_wait_table (window);
  dialog = open_dialog (window);
  g_assert_nonnull (strstr (envelope_export_dialog_get_summary (dialog), "runs of layers"));
  set_option (dialog, "export.format", g_variant_new_string ("svg"));
  contents = write_svg (dialog, path);
  g_assert_nonnull (strstr (contents, "conv1…conv200"));
  g_assert_nonnull (strstr (contents, "× 200"));
  g_assert_null (strstr (contents, ">relu7<"));

  app_test_window_destroy (window);
}

/* The dialog's own shortcuts are in the shortcuts window. */
static void
test_shortcuts_listed (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/envelope/Envelope/gtk/help-overlay.ui");
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  g_autoptr(GPtrArray) shortcuts = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  EnvelopeExportDialog *dialog;
  guint n = 0;

  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accelerator = NULL;
        guint keyval;
        GdkModifierType mods;

        g_object_get (l->data, "accelerator", &accelerator, NULL);
        if (accelerator != NULL && gtk_accelerator_parse (accelerator, &keyval, &mods))
          g_hash_table_add (listed, gtk_accelerator_name (keyval, mods));
      }

  app_test_open_model (window, "mnist.json");
  dialog = open_dialog (window);
  shortcuts = app_test_dup_shortcuts (GTK_WIDGET (dialog));
  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (g_ptr_array_index (shortcuts, i));
      GtkShortcutAction *action = gtk_shortcut_get_action (g_ptr_array_index (shortcuts, i));
      guint keyval;
      g_autofree char *key = NULL;

      if (!GTK_IS_KEYVAL_TRIGGER (trigger) || !GTK_IS_NAMED_ACTION (action) ||
          !g_str_has_prefix (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "export."))
        continue;
      keyval = gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger));
      key = gtk_accelerator_name (keyval == GDK_KEY_KP_Enter ? GDK_KEY_Return : keyval,
                                  gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
      g_assert_true (g_hash_table_contains (listed, key));
      n++;
    }
  g_assert_cmpuint (n, >=, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));
  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  app_test_init (&argc, &argv);

  g_test_add_func ("/app/export/preview-and-write", test_preview_and_write);
  g_test_add_func ("/app/export/detail-and-format", test_detail_and_format);
  g_test_add_func ("/app/export/plain-chain", test_plain_chain);
  g_test_add_func ("/app/export/shortcuts-listed", test_shortcuts_listed);

  return g_test_run ();
}
