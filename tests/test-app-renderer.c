/* test-app-renderer.c: which renderer draws the windows, and what it
 * costs to open
 *
 * Each case opens the display afresh, in a process of its own: GDK reads
 * the choice once, as the display opens.  Drawn with Cairo, the app must
 * not load OpenGL at all (a Mesa or vendor DRI driver in the process's
 * map), and must leave the environment as it found it.
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
show_window (const char *gsk_renderer,
             const char *gdk_debug,
             gboolean    gpu_drawing)
{
  EnvelopeWindow *window;
  GskRenderer *renderer;

  if (gsk_renderer != NULL)
    g_setenv ("GSK_RENDERER", gsk_renderer, TRUE);
  else
    g_unsetenv ("GSK_RENDERER");
  if (gdk_debug != NULL)
    g_setenv ("GDK_DEBUG", gdk_debug, TRUE);
  else
    g_unsetenv ("GDK_DEBUG");
  g_settings_set_boolean (envelope_app_get_settings (), "gpu-drawing", gpu_drawing);

  g_assert_true (envelope_app_init_gtk ());
  envelope_app_ensure_resources ();
  window = app_test_window_new ();
  app_test_open_model (window, "mnist.json");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_print ("renderer %s; GL driver %s; GDK_DEBUG %s\n", G_OBJECT_TYPE_NAME (renderer),
           gl_driver_loaded () ? "loaded" : "not loaded", g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "unset");
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
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG unset\n");
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
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG nograbs\n");
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
  run_child ("renderer GskGLRenderer; GL driver loaded; GDK_DEBUG unset\n");
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
  run_child ("renderer GskGLRenderer; GL driver loaded; GDK_DEBUG unset\n");
  g_setenv ("RENDERER_CASE", "cairo", TRUE);
  run_child ("renderer GskCairoRenderer; GL driver not loaded; GDK_DEBUG unset\n");
  g_unsetenv ("RENDERER_CASE");
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

  return g_test_run ();
}
