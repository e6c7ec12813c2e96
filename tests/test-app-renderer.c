/* test-app-renderer.c: which renderer draws the windows, and what it
 * costs to open
 *
 * Each case opens the display afresh, in a process of its own: GDK reads
 * the choice once, as the display opens.  Drawn with Cairo, the app must
 * not load OpenGL at all (a Mesa or vendor DRI driver in the process's
 * map).  Opened with GTK's empty theme, it must still wear libadwaita's
 * style.  Either way, it must leave the environment as it found it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-renderer"

#include "config.h"

#include "test-app-helpers.h"

/* Whether a GL driver has been mapped into this process. */
static gboolean
gl_driver_loaded (void)
{
  g_autofree char *maps = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/self/maps", &maps, NULL, &error);
  g_assert_no_error (error);
  return strstr (maps, "_dri.so") != NULL || strstr (maps, "libGLX_mesa") != NULL ||
         strstr (maps, "libEGL_mesa") != NULL || strstr (maps, "libGLX_nvidia") != NULL;
}

/* In the child: opens the display as the app does, shows a window with
 * a network, and prints what drew it. */
static void
set_or_unset (const char *name,
              const char *value)
{
  if (value != NULL)
    g_setenv (name, value, TRUE);
  else
    g_unsetenv (name);
}

static const char *
get_or_unset (const char *name)
{
  return g_getenv (name) != NULL ? g_getenv (name) : "unset";
}

static void
show_window (const char *gsk_renderer,
             const char *gdk_debug,
             gboolean    gpu_drawing)
{
  EnvelopeWindow *window;
  GskRenderer *renderer;
  GtkWidget *other, *label;
  GdkRGBA color;

  set_or_unset ("GSK_RENDERER", gsk_renderer);
  set_or_unset ("GDK_DEBUG", gdk_debug);
  g_settings_set_boolean (envelope_app_get_settings (), "gpu-drawing", gpu_drawing);

  g_assert_true (envelope_app_init_gtk ());
  envelope_app_ensure_resources ();
  window = app_test_window_new ();
  app_test_open_model (window, "mnist.json");
  other = gtk_window_new ();
  label = gtk_label_new ("figures");
  gtk_window_set_child (GTK_WINDOW (other), label);
  gtk_window_present (GTK_WINDOW (other));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_print ("renderer %s; GL driver %s; GDK_DEBUG %s\n", G_OBJECT_TYPE_NAME (renderer),
           gl_driver_loaded () ? "loaded" : "not loaded", get_or_unset ("GDK_DEBUG"));
  /* libadwaita's text is 80 % black, GTK's bare default all black. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (label), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_print ("text alpha %.2f; GTK_THEME %s\n", color.alpha, get_or_unset ("GTK_THEME"));
  gtk_window_destroy (GTK_WINDOW (other));
  app_test_window_destroy (window);
}

static void
run_child (const char *expected)
{
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (expected);
}

/* By default: Cairo, and OpenGL never opened. */
static void
test_default (void)
{
  if (g_test_subprocess ())
    {
      show_window (NULL, NULL, FALSE);
      return;
    }
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG unset\n"
             "text alpha 0.80; GTK_THEME unset\n");
}

/* The user's own GDK_DEBUG reaches GDK, and is theirs again after. */
static void
test_user_debug_kept (void)
{
  if (g_test_subprocess ())
    {
      show_window (NULL, "nograbs", FALSE);
      return;
    }
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG nograbs\n"
             "text alpha 0.80; GTK_THEME unset\n");
}

/* The preference asks for the graphics card: GTK's GL renderer. */
static void
test_gpu_preference (void)
{
  if (g_test_subprocess ())
    {
      show_window (NULL, NULL, TRUE);
      return;
    }
  run_child ("renderer GskGLRenderer; GL driver loaded; GDK_DEBUG unset\n"
             "text alpha 0.80; GTK_THEME unset\n");
}

/* GSK_RENDERER overrides the preference, either way. */
static void
test_environment_overrides (void)
{
  if (g_test_subprocess ())
    {
      const char *renderer = g_getenv ("RENDERER_CASE");

      show_window (renderer, NULL, g_str_equal (renderer, "cairo"));
      return;
    }
  g_setenv ("RENDERER_CASE", "gl", TRUE);
  run_child ("renderer GskGLRenderer; GL driver loaded; GDK_DEBUG unset\ntext alpha 0.80; GTK_THEME unset\n");
  g_setenv ("RENDERER_CASE", "cairo", TRUE);
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG unset\ntext alpha 0.80; GTK_THEME unset\n");
  g_unsetenv ("RENDERER_CASE");
}

/* A theme the user names is theirs: GTK wears it, and libadwaita, as
 * always, leaves it be (GTK's own Adwaita draws text all black). */
static void
test_user_theme_kept (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("GTK_THEME", "Adwaita", TRUE);
      show_window (NULL, NULL, FALSE);
      return;
    }
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG unset\n"
             "text alpha 1.00; GTK_THEME Adwaita\n");
}

int
main (int   argc,
      char *argv[])
{
  app_test_isolate_home ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display: the app tests need one (run them under xvfb-run)\n");
      return 77;
    }

  g_test_add_func ("/app-renderer/default", test_default);
  g_test_add_func ("/app-renderer/user-debug-kept", test_user_debug_kept);
  g_test_add_func ("/app-renderer/gpu-preference", test_gpu_preference);
  g_test_add_func ("/app-renderer/environment-overrides", test_environment_overrides);
  g_test_add_func ("/app-renderer/user-theme-kept", test_user_theme_kept);

  return g_test_run ();
}
