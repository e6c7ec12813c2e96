/* test-app-i18n.c: the app in German
 *
 * Runs under LC_ALL=de_DE.UTF-8 (set by meson) and checks that the
 * window shows the German of po/de.po, read from the build's po/ as an
 * uninstalled build does: the header bar's tooltips, the empty network's
 * hint, the layer table's plural and the figures, which stay as they are.
 * Skips (exit 77) when the locale is not installed: under C.UTF-8 gettext
 * translates nothing, and the test would prove nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-i18n"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "envelope-paths.h"
#include "test-app-helpers.h"

/* Whether some widget under @widget shows @text, as its label's text or
 * as its tooltip. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL && g_str_equal (tooltip, text))
    return TRUE;
  if (GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static void
assert_shows (EnvelopeWindow *window,
              const char     *text)
{
  if (!shows_text (GTK_WIDGET (window), text))
    g_error ("The window does not show “%s”", text);
}

static void
test_catalogue (void)
{
  g_autofree char *expected = g_build_filename (BUILD_LOCALEDIR, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  /* An uninstalled build reads the catalogue it built, not an installed one. */
  g_assert_true (envelope_paths_running_uninstalled ());
  g_assert_cmpstr (envelope_paths_get_locale_dir (), ==, BUILD_LOCALEDIR);
  g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (_("Open a network (Ctrl+O); the arrow lists the recent ones"), ==,
                   "Ein Netz öffnen (Strg+O); der Pfeil listet die zuletzt verwendeten");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Untitled network"), ==, "Unbenanntes Netz");
  g_assert_cmpstr (ngettext ("%s layer", "%s layers", 1), ==, "%s Schicht");
  g_assert_cmpstr (ngettext ("%s layer", "%s layers", 2), ==, "%s Schichten");
}

/* The app's other two lookups agree: the examples of the source tree and
 * the schema compiled into the build directory. */
static void
test_app_paths (void)
{
  g_autofree char *models = envelope_app_dup_models_dir ();
  g_autofree char *expected = g_build_filename (SOURCE_DATADIR, "models", NULL);
  GSettings *settings = envelope_app_get_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;

  g_assert_cmpstr (models, ==, expected);
  g_object_get (settings, "settings-schema", &schema, NULL);
  g_assert_cmpstr (g_settings_schema_get_id (schema), ==, "io.github.envelope.Envelope");
  g_assert_true (g_settings_schema_has_key (schema, "units"));
}

static void
test_empty_window (void)
{
  EnvelopeWindow *window = app_test_window_new ();

  /* The header bar, from the template. */
  assert_shows (window, "Ein Netz öffnen (Strg+O); der Pfeil listet die zuletzt verwendeten");
  assert_shows (window, "Neues leeres Netz (Strg+N); der Pfeil listet die Beispiele");
  assert_shows (window, "Speichern (Strg+S)");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (window->new_button)), ==,
                   "Neues leeres Netz (Strg+N); der Pfeil listet die Beispiele");
  /* The empty network's hint and the title, from C. */
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (window->empty_hint)), ==, "Ein leeres Netz");
  g_assert_true (gtk_widget_get_visible (window->empty_hint));
  g_assert_cmpstr (adw_window_title_get_title (window->window_title), ==, "Unbenanntes Netz");
  /* The palette's layer kinds, from the core. */
  assert_shows (window, "Faltung");
  assert_shows (window, "Max-Pooling");

  app_test_window_destroy (window);
}

static void
test_example_in_german (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GtkWidget *popover;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv2");

  /* Words in German, figures as they are in every locale. */
  assert_shows (window, "10 Schichten");
  assert_shows (window, "Speicher beim Training");
  assert_shows (window, "Einstellungen");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "params"), ==, "813,802");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "params-detail"), ==, "3.10 MiB in fp32");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "macs"), ==, "8,255,232");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "fit"), ==, "28,915");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "fit-detail"), ==,
                   "Batch 64 passt in einen Schritt");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "test-detail"), ==,
                   "Batch 64, Inferenz in PyTorch");

  app_test_screenshot (GTK_WIDGET (window), "german");

  /* Sentences with figures in them, and the memory breakdown. */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "device", g_variant_new_string ("GTX 980")));
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "target_batch", g_variant_new_int64 (20000)));
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "fit"), ==, "8,693");
  g_assert_cmpstr (envelope_totals_bar_get_text (window->totals_bar, "fit-detail"), ==,
                   "Batch 20,000: 2 Schritte zu 6,667 und einer zu 6,666, Gradienten akkumuliert");
  assert_shows (window, "Größter Batch auf GTX 980");
  app_test_activate (window, "win.show-memory", NULL);
  popover = envelope_totals_bar_get_memory_popover (window->totals_bar);
  app_test_wait_frames (popover, 2);
  g_assert_true (gtk_widget_get_mapped (popover));
  g_assert_true (shows_text (popover, "Wie er mit dem Batch wächst"));
  app_test_screenshot (popover, "german-memory-breakdown");
  gtk_popover_popdown (GTK_POPOVER (popover));

  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  const char *locale = setlocale (LC_ALL, "");

  if (locale == NULL || !g_str_has_prefix (locale, "de_DE"))
    {
      g_print ("1..0 # SKIP the de_DE.UTF-8 locale cannot be set "
               "(Debian: apt-get install locales; localedef -i de_DE -f UTF-8 de_DE.UTF-8)\n");
      return 77;
    }
  envelope_paths_init_i18n ();
  app_test_init (&argc, &argv);

  g_test_add_func ("/app-i18n/catalogue", test_catalogue);
  g_test_add_func ("/app-i18n/app-paths", test_app_paths);
  g_test_add_func ("/app-i18n/empty-window", test_empty_window);
  g_test_add_func ("/app-i18n/example", test_example_in_german);

  return g_test_run ();
}
