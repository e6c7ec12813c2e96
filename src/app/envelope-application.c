/* envelope-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-application"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-application.h"
#include "envelope-paths.h"
#include "envelope-preferences-window.h"
#include "envelope-window.h"

struct _EnvelopeApplication
{
  AdwApplication parent_instance;

  gboolean recovery_offered;
};

G_DEFINE_FINAL_TYPE (EnvelopeApplication, envelope_application, ADW_TYPE_APPLICATION)

/* The style sheet and icons, for the application and for tests that
 * make windows without one. */
void
envelope_app_ensure_resources (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
      GdkDisplay *display = gdk_display_get_default ();

      adw_init ();
      gtk_css_provider_load_from_resource (provider, "/io/github/envelope/Envelope/envelope.css");
      if (display != NULL)
        {
          gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
          gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                            "/io/github/envelope/Envelope/icons");
        }
      g_once_init_leave (&once, 1);
    }
}

/* Where the example networks are: $ENVELOPE_MODELS_DIR, or the source
 * tree's when running uninstalled, or the installed ones. */
char *
envelope_app_dup_models_dir (void)
{
  const char *override = g_getenv ("ENVELOPE_MODELS_DIR");

  if (override != NULL && override[0] != '\0')
    return g_strdup (override);
  return g_build_filename (envelope_paths_get_data_dir (), "models", NULL);
}

/* The app's settings.  A build that is not installed reads the schema
 * compiled into its build directory; an installed one, the system's
 * (or GSETTINGS_SCHEMA_DIR's). */
GSettings *
envelope_app_get_settings (void)
{
  static GSettings *settings = NULL;

  if (g_once_init_enter (&settings))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      const char *schema_dir = envelope_paths_get_schema_dir ();
      g_autoptr(GSettingsSchemaSource) built = NULL;
      g_autoptr(GSettingsSchema) schema = NULL;

      if (schema_dir != NULL)
        built = g_settings_schema_source_new_from_directory (schema_dir, source, FALSE, NULL);
      if (built != NULL)
        schema = g_settings_schema_source_lookup (built, ENVELOPE_APPLICATION_ID, TRUE);
      if (schema == NULL && source != NULL)
        schema = g_settings_schema_source_lookup (source, ENVELOPE_APPLICATION_ID, TRUE);
      if (schema == NULL)
        g_error ("The settings schema %s is not installed", ENVELOPE_APPLICATION_ID);
      g_once_init_leave (&settings, g_settings_new_full (schema, NULL, NULL));
    }
  return settings;
}

/* Whether windows are drawn with Cairo: GSK_RENDERER if it is set, or
 * else the "gpu-drawing" preference. */
static gboolean
draws_with_cairo (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");

  if (renderer != NULL && *renderer != '\0')
    return g_ascii_strcasecmp (renderer, "cairo") == 0;
  return !g_settings_get_boolean (envelope_app_get_settings (), "gpu-drawing");
}

/* An environment variable set while the display opens, and the user's
 * own value, put back once it has. */
typedef struct
{
  const char *name;
  char *user_value;
  gboolean set;
} OpeningVariable;

static void
opening_variable_set (OpeningVariable *variable,
                      const char      *name,
                      const char      *value)
{
  variable->name = name;
  variable->user_value = g_strdup (g_getenv (name));
  variable->set = TRUE;
  g_setenv (name, value, TRUE);
}

static void
opening_variable_restore (OpeningVariable *variable)
{
  if (!variable->set)
    return;
  if (variable->user_value != NULL)
    g_setenv (variable->name, variable->user_value, TRUE);
  else
    g_unsetenv (variable->name);
  g_clear_pointer (&variable->user_value, g_free);
  variable->set = FALSE;
}

/* Opens the display, with three savings at every start.
 *
 * Drawn with Cairo, as it is unless the preferences ask for the graphics
 * card, the app leaves OpenGL unloaded: opening it costs 100 ms or more,
 * and buys nothing the diagram uses, for that is drawn with Cairo either
 * way.  Later windows are told the renderer through the display, as
 * GTK's inspector tells its own.
 *
 * GTK styles the display with its own theme when its settings are first
 * made, which libadwaita then replaces with an empty one and its own
 * style sheet: the first theme is parsed for nothing, some 25 ms.  Made
 * here, with the empty theme already, the settings parse next to
 * nothing.  A user who names a theme in GTK_THEME keeps it (libadwaita
 * leaves such a user's theme alone too).
 *
 * And the fonts are found while libadwaita loads its style, not after.
 *
 * GDK and GTK read these variables as the display opens; the user's own
 * values are put back at once, so that nothing started from here
 * inherits ours. */
gboolean
envelope_app_init_gtk (void)
{
  OpeningVariable debug = { 0 }, theme = { 0 };
  gboolean cairo, opened;

  if (gtk_is_initialized ())
    return TRUE;
  cairo = draws_with_cairo ();
  if (cairo)
    {
      const char *user = g_getenv ("GDK_DEBUG");
      g_autofree char *value = user != NULL && *user != '\0' ? g_strconcat (user, ",gl-disable", NULL)
                                                             : g_strdup ("gl-disable");

      opening_variable_set (&debug, "GDK_DEBUG", value);
    }
  if (g_getenv ("GTK_THEME") == NULL)
    opening_variable_set (&theme, "GTK_THEME", "Adwaita-empty");
  opened = gtk_init_check ();
  if (opened)
    gtk_settings_get_default ();   /* made now, with the empty theme */
  opening_variable_restore (&debug);
  opening_variable_restore (&theme);
  /* The font map starts reading the font configuration in a thread of
   * its own, which runs while libadwaita parses its style sheet.  It is
   * made after the environment is put back, which no thread should be
   * reading meanwhile. */
  pango_cairo_font_map_get_default ();
  if (opened && cairo)
    g_object_set_data_full (G_OBJECT (gdk_display_get_default ()), "gsk-renderer", g_strdup ("cairo"), g_free);
  return opened;
}

/* Once a process, in its first window: the work an earlier one that
 * crashed or was killed left unsaved. */
static void
offer_recovery (EnvelopeApplication *self,
                GtkWindow           *window)
{
  if (self->recovery_offered || !ENVELOPE_IS_WINDOW (window))
    return;
  self->recovery_offered = TRUE;
  envelope_window_offer_recovery (ENVELOPE_WINDOW (window));
}

static void
envelope_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (envelope_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);
  offer_recovery (ENVELOPE_APPLICATION (app), window);
}

static void
envelope_application_open (GApplication  *app,
                           GFile        **files,
                           gint           n_files,
                           const char    *hint)
{
  for (gint i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
      EnvelopeWindow *window;

      if (active != NULL && ENVELOPE_IS_WINDOW (active) &&
          envelope_window_is_pristine (ENVELOPE_WINDOW (active)))
        window = ENVELOPE_WINDOW (active);
      else
        window = envelope_window_new (GTK_APPLICATION (app));
      gtk_window_present (GTK_WINDOW (window));
      envelope_window_open (window, files[i]);
      offer_recovery (ENVELOPE_APPLICATION (app), GTK_WINDOW (window));
    }
}

static void
envelope_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_window_accels[] = { "<Control><Shift>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  /* Before GtkApplication's own start-up, which opens the display. */
  envelope_app_init_gtk ();
  G_APPLICATION_CLASS (envelope_application_parent_class)->startup (app);

  envelope_app_ensure_resources ();
  gtk_window_set_default_icon_name (ENVELOPE_APPLICATION_ID);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  /* Each window asks about its unsaved changes. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Envelope authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Envelope"),
                        "application-icon", ENVELOPE_APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("The back-of-the-envelope arithmetic of deep networks: parameters, "
                                      "multiply-adds, memory, batch fit and receptive field, each with its "
                                      "worked formula."),
                        "website", "https://github.com/envelope/envelope",
                        "issue-url", "https://github.com/envelope/envelope/issues",
                        "developer-name", _("The Envelope authors"),
                        "copyright", _("© 2026 The Envelope authors"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* The metainfo's first release. */
                        "release-notes-version", "0.1.0",
                        "release-notes", _("<p>The first release.</p>"
                                           "<ul>"
                                           "<li>Parameters, multiply-adds, activations, memory at test and "
                                           "train time, batch fit and receptive field for every layer, each "
                                           "with its worked formula</li>"
                                           "<li>A block diagram to build and edit networks, with undo, a layer "
                                           "table and a totals bar</li>"
                                           "<li>A presentation mode for lectures, and where each layer’s "
                                           "memory goes</li>"
                                           "<li>Work kept safe: autosave, and recovery after a crash</li>"
                                           "<li>Export of the diagram as PNG, SVG or PDF, and envelope-cli for "
                                           "reports on the command line</li>"
                                           "<li>Nine example networks that reproduce their published "
                                           "figures</li>"
                                           "<li>A German translation</li>"
                                           "</ul>"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* A window of its own for another network. */
static void
new_window_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *active = gtk_application_get_active_window (app);
  EnvelopeWindow *window = envelope_window_new (app);

  if (active != NULL)
    gtk_window_set_default_size (GTK_WINDOW (window),
                                 gtk_widget_get_width (GTK_WIDGET (active)),
                                 gtk_widget_get_height (GTK_WIDGET (active)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *preferences = NULL;

  /* One preferences window: asked for again, it comes to the front. */
  for (guint i = 0; preferences == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ENVELOPE_IS_PREFERENCES_WINDOW (toplevel))
        preferences = GTK_WIDGET (toplevel);
    }
  if (preferences == NULL)
    preferences = envelope_preferences_window_new (gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { .name = "new-window", .activate = new_window_activated },
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
  { .name = "preferences", .activate = preferences_activated },
};

static void
envelope_application_class_init (EnvelopeApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = envelope_application_activate;
  app_class->open = envelope_application_open;
  app_class->startup = envelope_application_startup;
}

static void
envelope_application_init (EnvelopeApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}

EnvelopeApplication *
envelope_application_new (void)
{
  return g_object_new (ENVELOPE_TYPE_APPLICATION,
                       "application-id", ENVELOPE_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/envelope/Envelope",
                       NULL);
}
