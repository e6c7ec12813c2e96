/* test-app-helpers.h: windows, frames and screenshots for the app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <execinfo.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "envelope-application.h"
#include "envelope-window-private.h"

/* A home of the tests' own for autosaves and recent files, made once
 * and handed down to any process a test starts. */
static inline void
app_test_isolate_home (void)
{
  const char *home = g_getenv ("ENVELOPE_TEST_HOME");
  g_autofree char *made = NULL;
  g_autofree char *state = NULL;
  g_autofree char *data = NULL;

  if (home == NULL)
    {
      g_autoptr(GError) error = NULL;

      made = g_dir_make_tmp ("envelope-app-home-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("ENVELOPE_TEST_HOME", made, TRUE);
      home = made;
    }
  state = g_build_filename (home, "state", NULL);
  data = g_build_filename (home, "data", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
}

/* A crash writes its stack into the test's log before the program dies:
 * frames as "binary(+offset)", for addr2line, since a crash that needs a
 * loaded machine to happen may not happen again. */
static void
app_test_on_crash (int sig)
{
  static const char head[] = "\n# the app tests crashed; the stack:\n";
  void *frames[64];
  int n = backtrace (frames, G_N_ELEMENTS (frames));

  if (write (STDERR_FILENO, head, sizeof head - 1) < 0)
    {
      /* nothing more can be said */
    }
  backtrace_symbols_fd (frames, n, STDERR_FILENO);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Skips the whole program (exit 77) when no display can be opened:
 * under `meson test` without Xvfb the app suite is skipped, not passed. */
static inline void
app_test_init (int    *argc,
               char ***argv)
{
  app_test_isolate_home ();
  signal (SIGSEGV, app_test_on_crash);
  signal (SIGBUS, app_test_on_crash);
  signal (SIGFPE, app_test_on_crash);
  signal (SIGILL, app_test_on_crash);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (argc, argv, NULL);
  if (!envelope_app_init_gtk ())
    {
      g_print ("1..0 # SKIP no display: the app tests need one (run them under xvfb-run)\n");
      exit (77);
    }
  envelope_app_ensure_resources ();
}

static void
app_test_count_frame (GdkFrameClock *clock,
                      guint         *count)
{
  (*count)++;
}

static gboolean
app_test_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @widget's window has painted @n more frames
 * (or two seconds have passed). */
static inline void
app_test_wait_frames (GtkWidget *widget,
                      guint      n)
{
  GdkFrameClock *clock;
  guint count = 0;
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  gulong id;
  guint wake;

  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      return;
    }
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (app_test_count_frame), &count);
  wake = g_timeout_add (20, app_test_wake, NULL);
  gtk_widget_queue_draw (widget);
  while (count < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  g_signal_handler_disconnect (clock, id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Lets idles and timeouts run for @ms milliseconds. */
static inline void
app_test_spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static inline EnvelopeWindow *
app_test_window_new (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 940);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  return window;
}

static inline void
app_test_window_destroy (EnvelopeWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static inline void
app_test_activate (EnvelopeWindow *window,
                   const char     *action,
                   GVariant       *parameter)
{
  g_autoptr(GVariant) owned = parameter ? g_variant_ref_sink (parameter) : NULL;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), action, owned));
}

static inline char *
app_test_model_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "models", file, NULL);
}

/* Runs the main loop until the table has a row for every layer: a new
 * network's rows come in a few at a time (or thirty seconds have passed). */
static inline void
app_test_wait_table (EnvelopeWindow *window)
{
  GListModel *rows = envelope_layer_table_get_model (window->layer_table);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (rows) < envelope_network_get_n_layers (envelope_document_get_network (window->document)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop until the diagram shown is laid out for the
 * network and view as they are (or ten seconds have passed), and the
 * table is full. */
static inline void
app_test_wait_layout (EnvelopeWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((envelope_canvas_get_layout_pending (window->canvas) ||
          (envelope_document_get_analysis (window->document) != NULL &&
           envelope_canvas_get_layout (window->canvas) == NULL)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  app_test_wait_table (window);
  app_test_wait_frames (GTK_WIDGET (window), 2);
}

static inline void
app_test_open_model (EnvelopeWindow *window,
                     const char     *file)
{
  g_autofree char *path = app_test_model_path (file);

  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  g_assert_nonnull (envelope_document_get_file (window->document));
  app_test_wait_layout (window);
}

static inline void
app_test_select (EnvelopeWindow *window,
                 const char     *layer)
{
  app_test_activate (window, "win.select-layer", g_variant_new_string (layer));
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), >=, 0);
}

/* A file in a fresh temporary directory, removed with it at the end. */
static inline char *
app_test_temp_path (const char *name)
{
  static char *dir;

  if (dir == NULL)
    {
      g_autoptr(GError) error = NULL;
      dir = g_dir_make_tmp ("envelope-app-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  return g_build_filename (dir, name, NULL);
}

/* Renders @widget's window as it is on screen (gtk_widget_snapshot →
 * GskRenderer → texture) into the build directory as screenshot-NAME.png. */
static inline void
app_test_screenshot (GtkWidget  *widget,
                     const char *name)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("screenshot-%s.png", name);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, file, NULL);
  int width, height;

  app_test_wait_frames (widget, 1);
  widget = GTK_WIDGET (native);
  paintable = gtk_widget_paintable_new (widget);
  /* A window the display has not shown yet draws nothing: on a busy
   * machine, give it a few frames more. */
  for (guint tries = 0; node == NULL && tries < 10; tries++)
    {
      if (tries > 0)
        app_test_wait_frames (widget, 1);
      /* At the paintable's own size: scaled to another, the picture
       * would be filtered, and its tiles' edges would show. */
      width = gdk_paintable_get_intrinsic_width (paintable);
      height = gdk_paintable_get_intrinsic_height (paintable);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* input, then conv 3×3 and relu in turn: @n_blocks layers in one chain
 * (the benchmark's 2,000-block network). */
/* Every shortcut @widget's shortcut controllers hold (its class's key
 * bindings among them), in order. */
static inline GPtrArray *
app_test_dup_shortcuts (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GPtrArray *shortcuts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller))
        for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
          g_ptr_array_add (shortcuts, g_list_model_get_item (G_LIST_MODEL (controller), j));
    }
  return shortcuts;
}

/* The luminance (0 to 1) of @widget's pixel at @x, @y as it is drawn
 * now; a negative coordinate counts from the right or bottom edge. */
static inline double
app_test_luminance_at (GtkWidget *widget,
                       int        x,
                       int        y)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  const guchar *pixel;

  app_test_wait_frames (widget, 1);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_download (texture, pixels, (gsize) width * 4);   /* BGRA in memory */
  x = x < 0 ? width + x : x;
  y = y < 0 ? height + y : y;
  g_assert_true (x >= 0 && x < width && y >= 0 && y < height);
  pixel = pixels + ((gsize) y * width + x) * 4;
  return (0.2126 * pixel[2] + 0.7152 * pixel[1] + 0.0722 * pixel[0]) / 255.0;
}

/* How many labels under @widget are cut short (ellipsized) as drawn;
 * @first_cut set to the first one's text. */
static inline guint
app_test_count_cut_labels (GtkWidget   *widget,
                           const char **first_cut)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    {
      if (*first_cut == NULL)
        *first_cut = gtk_label_get_text (GTK_LABEL (widget));
      n++;
    }
  /* an inscription (the table's shares) keeps no layout to ask: its
   * text is measured against its width */
  if (GTK_IS_INSCRIPTION (widget) && gtk_widget_get_mapped (widget) &&
      gtk_inscription_get_text (GTK_INSCRIPTION (widget)) != NULL)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
      int width, height;

      pango_layout_get_pixel_size (layout, &width, &height);
      if (width > gtk_widget_get_width (widget))
        {
          if (*first_cut == NULL)
            *first_cut = gtk_inscription_get_text (GTK_INSCRIPTION (widget));
          n++;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += app_test_count_cut_labels (child, first_cut);
  return n;
}

/* @network, its view asking for every layer as a block of its own (the
 * View menu's "Layers"): a plain chain at the automatic detail shows
 * its runs of layers folded, "× N". */
static inline EnvelopeNetwork *
app_test_show_layers (EnvelopeNetwork *network)
{
  g_clear_pointer (&network->view, json_node_unref);
  network->view = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (network->view, json_object_new ());
  json_object_set_string_member (json_node_get_object (network->view), "detail", "layers");
  return network;
}

static inline EnvelopeNetwork *
app_test_make_chain (guint n_blocks)
{
  EnvelopeNetwork *network = envelope_network_new ("chain");
  EnvelopeLayer *layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");

  layer->shape_rank = 3;
  layer->shape[0] = 16;
  layer->shape[1] = layer->shape[2] = 32;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
  envelope_network_insert_layer (network, -1, layer);

  for (guint i = 1; i < n_blocks; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%u", i % 2 ? "conv" : "relu", (i + 1) / 2);

      layer = envelope_layer_new (i % 2 ? ENVELOPE_LAYER_CONV : ENVELOPE_LAYER_RELU, name);
      if (i % 2)
        {
          layer->filters = 16;
          layer->padding[0] = layer->padding[1] = 1;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
        }
      envelope_network_insert_layer (network, -1, layer);
    }
  return network;
}
