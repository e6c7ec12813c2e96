/* test-app-teaching.c: the presentation mode and the lecture walk-through
 *
 * Drives the window through F5's action and the presentation's own
 * (the keys' bindings are checked to name them), checks the formulas and
 * the memory shares shown against the core's text and against figures
 * worked by hand from the cost model, and leaves a screenshot of each
 * state in the build directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-teaching"

#include "config.h"

#include <string.h>

#include "envelope-memory-shares.h"
#include "envelope-presentation.h"
#include "envelope-report.h"
#include "envelope-viewport.h"
#include "test-app-helpers.h"

/* The action a key is bound to on @widget ("Right" → "presentation.next"),
 * read from its shortcut controllers, or NULL. */
static char *
bound_action (GtkWidget  *widget,
              const char *trigger)
{
  g_autoptr(GPtrArray) shortcuts = app_test_dup_shortcuts (widget);

  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkShortcut *shortcut = g_ptr_array_index (shortcuts, i);
      g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

      if (g_str_equal (text, trigger) && GTK_IS_NAMED_ACTION (action))
        return g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
    }
  return NULL;
}

/* Presses a key the way its binding would: the action it names, on the
 * widget that binds it. */
static void
press (GtkWidget  *widget,
       const char *trigger)
{
  g_autofree char *action = bound_action (widget, trigger);
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (widget));

  g_assert_nonnull (action);
  g_assert_true (gtk_widget_activate_action_variant (widget, action, NULL));
  app_test_wait_frames (window, 1);
}

static gboolean
presenting (EnvelopeWindow *window)
{
  gboolean value;

  g_object_get (window, "presenting", &value, NULL);
  return value;
}

static EnvelopePresentation *
presentation_of (EnvelopeWindow *window)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));

  g_assert_true (ENVELOPE_IS_PRESENTATION (content));
  return ENVELOPE_PRESENTATION (content);
}

static const char *
text (EnvelopeWindow *window,
      const char     *which)
{
  return envelope_presentation_get_text (presentation_of (window), which);
}

/* F5, on a window opened at @width × @height. */
static EnvelopeWindow *
present_model (const char *model,
               const char *layer,
               int         width,
               int         height)
{
  EnvelopeWindow *window = envelope_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, model);
  if (layer != NULL)
    app_test_select (window, layer);
  press (GTK_WIDGET (window), "F5");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  app_test_spin (100);
  return window;
}

/* The page beside the diagram holds everything without scrolling. */
static void
assert_nothing_cut_off (EnvelopeWindow *window)
{
  GtkWidget *sheet = gtk_widget_get_ancestor (GTK_WIDGET (envelope_presentation_get_memory_shares (presentation_of (window))),
                                              GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sheet));
  GtkWidget *canvas = GTK_WIDGET (envelope_presentation_get_canvas (presentation_of (window)));

  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), <=, gtk_adjustment_get_page_size (adjustment) + 0.5);
  g_assert_cmpint (gtk_widget_get_width (canvas), >=, 340);
  g_assert_cmpint (gtk_widget_get_height (canvas), >=, 400);
}

/* ------------------------------------------------------------------ */

static void
test_enter (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);
  GtkWidget *normal;
  EnvelopePresentation *presentation;
  EnvelopeMemoryShares *shares;

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 940);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv2");
  normal = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  g_assert_false (presenting (window));
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (window)));

  /* F5 is the window's, and names the stateful action. */
  g_assert_cmpstr (bound_action (GTK_WIDGET (window), "F5"), ==, "win.present");
  press (GTK_WIDGET (window), "F5");
  app_test_wait_frames (GTK_WIDGET (window), 3);

  g_assert_true (presenting (window));
  presentation = presentation_of (window);
  g_assert_true (GTK_WIDGET (presentation) != normal);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (presentation)));
  g_assert_false (gtk_widget_get_mapped (normal));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (presentation)));

  /* The step, the layer, its kind and output, and the core's formulas. */
  g_assert_cmpstr (text (window, "network"), ==, "MNIST convnet");
  g_assert_cmpstr (text (window, "step"), ==, "Layer 4 of 10");
  g_assert_cmpstr (text (window, "name"), ==, "conv2");
  g_assert_cmpstr (text (window, "kind"), ==, "Convolution · conv 3×3, 32 → 32×28×28");
  g_assert_cmpstr (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_OUTPUT_SHAPE), ==,
                   "⌊(28 + 1 + 1 − 3) / 1⌋ + 1 = 28 → 32×28×28");
  g_assert_cmpstr (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "32 × (3 × 3) × 32 = 9,216");
  g_assert_cmpstr (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_MACS), ==,
                   "28 × 28 × 32 × 32 × 3 × 3 = 7,225,344");
  g_assert_cmpstr (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_RECEPTIVE_FIELD), ==,
                   "3 + (3 − 1) × 1 = 5");
  g_assert_null (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_NON_TRAINABLE));
  /* each under its rule in symbols */
  g_assert_cmpstr (envelope_presentation_get_rule (presentation, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "weights = depth_n × (kernel_h × kernel_w) × depth_(n−1)");
  g_assert_cmpstr (envelope_presentation_get_rule (presentation, ENVELOPE_FIGURE_MACS), ==,
                   "MACs = H_out × W_out × C_in × C_out × k_h × k_w");
  g_assert_null (envelope_presentation_get_rule (presentation, ENVELOPE_FIGURE_NON_TRAINABLE));

  /* … and the walk-through of its memory. */
  shares = envelope_presentation_get_memory_shares (presentation);
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS), ==,
                   "25,088 × 64 × 4 = 6,422,528 B (6.12 MiB)");
  g_assert_null (envelope_memory_shares_get_rule (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS));
  g_assert_cmpstr (envelope_memory_shares_get_share (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS), ==,
                   "23.3% of 26.3 MiB");

  /* The diagram beside it has the layer in view. */
  {
    EnvelopeCanvas *canvas = envelope_presentation_get_canvas (presentation);
    double x, y;

    g_assert_true (envelope_canvas_get_layer_point (canvas, "conv2", &x, &y));
    g_assert_cmpfloat (x, >, 0);
    g_assert_cmpfloat (x, <, gtk_widget_get_width (GTK_WIDGET (canvas)));
    g_assert_cmpfloat (y, >, 0);
    g_assert_cmpfloat (y, <, gtk_widget_get_height (GTK_WIDGET (canvas)));
  }

  app_test_screenshot (GTK_WIDGET (window), "teaching-present-conv2");
  app_test_window_destroy (window);
}

static void
test_step (void)
{
  EnvelopeWindow *window = present_model ("mnist.json", "conv2", 1500, 940);
  GtkWidget *presentation = GTK_WIDGET (presentation_of (window));
  const char *const next_keys[] = { "Right", "Down", "Page_Down" };
  const char *const previous_keys[] = { "Left", "Up", "Page_Up" };

  /* Every key a keyboard or a remote sends steps one layer in data-flow
   * order, and the selection (the table's, the canvas's) follows. */
  for (guint i = 0; i < G_N_ELEMENTS (next_keys); i++)
    g_assert_cmpstr (bound_action (presentation, next_keys[i]), ==, "presentation.next");
  for (guint i = 0; i < G_N_ELEMENTS (previous_keys); i++)
    g_assert_cmpstr (bound_action (presentation, previous_keys[i]), ==, "presentation.previous");
  g_assert_cmpstr (bound_action (presentation, "Escape"), ==, "presentation.leave");

  press (presentation, "Right");
  g_assert_cmpstr (text (window, "name"), ==, "relu2");
  g_assert_cmpstr (text (window, "step"), ==, "Layer 5 of 10");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 4);
  g_assert_cmpstr (envelope_presentation_get_formula (ENVELOPE_PRESENTATION (presentation), ENVELOPE_FIGURE_OTHER_OPS),
                   !=, NULL);
  press (presentation, "Page_Down");
  g_assert_cmpstr (text (window, "name"), ==, "pool1");
  g_assert_cmpstr (text (window, "kind"), ==, "Max pooling · max_pool 2×2 → 32×14×14");
  press (presentation, "Down");
  g_assert_cmpstr (text (window, "name"), ==, "fc1");
  g_assert_cmpstr (envelope_presentation_get_formula (ENVELOPE_PRESENTATION (presentation), ENVELOPE_FIGURE_WEIGHTS), ==,
                   "128 × (32 × 14 × 14) = 802,816");
  press (presentation, "Left");
  press (presentation, "Up");
  press (presentation, "Page_Up");
  g_assert_cmpstr (text (window, "name"), ==, "conv2");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 3);

  /* The ends hold. */
  press (presentation, "End");
  g_assert_cmpstr (text (window, "name"), ==, "prob");
  g_assert_cmpstr (text (window, "step"), ==, "Layer 10 of 10");
  press (presentation, "Right");
  g_assert_cmpstr (text (window, "name"), ==, "prob");
  press (presentation, "Home");
  g_assert_cmpstr (text (window, "name"), ==, "data");
  press (presentation, "Left");
  g_assert_cmpstr (text (window, "step"), ==, "Layer 1 of 10");

  /* Another network opened meanwhile is walked from its start. */
  {
    g_autofree char *path = app_test_model_path ("lenet5.json");
    guint n;

    app_test_activate (window, "win.open-file", g_variant_new_string (path));
    app_test_wait_frames (GTK_WIDGET (window), 2);
    n = envelope_network_get_n_layers (envelope_document_get_network (window->document));
    g_assert_true (presentation == GTK_WIDGET (presentation_of (window)));
    g_assert_cmpstr (text (window, "network"), ==, envelope_document_get_network (window->document)->name);
    g_assert_cmpstr (text (window, "name"), ==, "Press → to start");
    press (presentation, "Right");
    g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 0);
    g_assert_cmpstr (text (window, "name"), ==, envelope_network_get_layer (envelope_document_get_network (window->document), 0)->name);
    {
      g_autofree char *step = g_strdup_printf ("Layer 1 of %u", n);
      g_assert_cmpstr (text (window, "step"), ==, step);
    }
    app_test_open_model (window, "mnist.json");
  }

  /* The figures of a layer chosen elsewhere follow too. */
  app_test_select (window, "fc2");
  g_assert_cmpstr (text (window, "name"), ==, "fc2");
  g_assert_cmpstr (envelope_presentation_get_formula (ENVELOPE_PRESENTATION (presentation), ENVELOPE_FIGURE_WEIGHTS), ==,
                   "10 × 128 = 1,280");

  app_test_screenshot (GTK_WIDGET (window), "teaching-step-fc2");
  app_test_window_destroy (window);
}

/* A long network: stepping keeps the layer shown in the diagram's view. */
static void
test_step_keeps_in_view (void)
{
  EnvelopeWindow *window = present_model ("vgg16.json", NULL, 1600, 1000);
  EnvelopePresentation *presentation = presentation_of (window);
  EnvelopeCanvas *canvas = envelope_presentation_get_canvas (presentation);
  const EnvelopeNetwork *network = envelope_document_get_network (window->document);
  guint n = envelope_network_get_n_layers (network);

  /* Nothing was selected: the walk starts at the input. */
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 0);
  for (guint i = 1; i < n; i++)
    {
      const char *name = envelope_network_get_layer (network, i)->name;
      double x, y;

      press (GTK_WIDGET (presentation), "Right");
      g_assert_cmpstr (text (window, "name"), ==, name);
      g_assert_true (envelope_canvas_get_layer_point (canvas, name, &x, &y));
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (x, <=, gtk_widget_get_width (GTK_WIDGET (canvas)));
      g_assert_cmpfloat (y, >=, 0);
      /* … and clear of the legend along the bottom */
      g_assert_cmpfloat (y, <=, gtk_widget_get_height (GTK_WIDGET (canvas)) - 60);
      if (g_str_equal (name, "conv4_3"))
        {
          assert_nothing_cut_off (window);
          app_test_screenshot (GTK_WIDGET (window), "teaching-vgg16-conv4_3");
        }
    }
  g_assert_cmpstr (text (window, "step"), ==, "Layer 40 of 40");
  app_test_window_destroy (window);
}

/* MNIST at batch 64, fp32, SGD with momentum (one slot), worked by hand:
 *   conv2: 9,248 parameters (9,216 weights + 32 biases), 25,088 outputs
 *   (32×28×28), an im2col buffer of (28·28)·(3·3·32) = 225,792 values,
 *   the network's largest (conv1's is 784·9 = 7,056).
 *   parameters, gradients, optimizer state: 9,248 × 4 B = 36,992 B each,
 *     of 813,802 × 4 = 3,255,208 B (3.10 MiB): 1.1%
 *   layer outputs, error signals: 25,088 × 64 × 4 = 6,422,528 B each, of
 *     all outputs 107,684 (784 + 4 × 25,088 + 6,272 + 2 × 128 + 2 × 10)
 *     × 64 × 4 = 27,567,104 B (26.3 MiB): 23.3%
 *   workspace: 225,792 × 4 = 903,168 B, all of it: 100.0%
 * as `envelope-cli explain data/models/mnist.json conv2` prints them. */
static const struct
{
  const char *formula;
  const char *share;
} conv2_memory[ENVELOPE_N_MEMORY_TERMS] = {
  [ENVELOPE_MEMORY_PARAMETERS] = { "9,248 × 4 = 36,992 B (36.1 KiB)", "1.1% of 3.10 MiB" },
  [ENVELOPE_MEMORY_GRADIENTS] = { "9,248 × 4 = 36,992 B (36.1 KiB)", "1.1% of 3.10 MiB" },
  [ENVELOPE_MEMORY_OPTIMIZER_STATE] = { "9,248 × 1 × 4 = 36,992 B (36.1 KiB)", "1.1% of 3.10 MiB" },
  [ENVELOPE_MEMORY_LAYER_OUTPUTS] = { "25,088 × 64 × 4 = 6,422,528 B (6.12 MiB)", "23.3% of 26.3 MiB" },
  [ENVELOPE_MEMORY_ERROR_SIGNALS] = { "25,088 × 64 × 4 = 6,422,528 B (6.12 MiB)", "23.3% of 26.3 MiB" },
  [ENVELOPE_MEMORY_WORKSPACE] = { "225,792 × 4 = 903,168 B (882 KiB)", "100.0% of 882 KiB" },
};

static EnvelopeMemoryShares *
inspector_shares (EnvelopeWindow *window)
{
  GtkWidget *shares = NULL;

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (window->inspector)); w != NULL && shares == NULL; )
    {
      /* depth first, to the one EnvelopeMemoryShares in the inspector */
      if (ENVELOPE_IS_MEMORY_SHARES (w))
        shares = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            {
              w = gtk_widget_get_parent (w);
              if (w == GTK_WIDGET (window->inspector))
                w = NULL;
            }
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (shares);
  return ENVELOPE_MEMORY_SHARES (shares);
}

static void
test_walkthrough (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeMemoryShares *shares;
  const EnvelopeAnalysis *analysis;
  g_autofree char *explained = NULL;
  EnvelopeReportOptions options = { .units = ENVELOPE_UNITS_IEC };

  app_test_open_model (window, "mnist.json");
  shares = inspector_shares (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (shares)));
  app_test_select (window, "conv2");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shares)));
  g_assert_cmpstr (envelope_memory_shares_get_subtitle (shares), ==,
                   "This layer’s share of each train-time term, at batch 64 (fp32, sgd_momentum)");
  /* each term's rule in symbols above its numbers */
  g_assert_cmpstr (envelope_memory_shares_get_rule (shares, ENVELOPE_MEMORY_OPTIMIZER_STATE), ==,
                   "bytes = trainable × slots × 4");
  g_assert_cmpstr (envelope_memory_shares_get_rule (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS), ==,
                   "bytes = output values × batch × bytes per value");

  /* What the inspector shows is what the command line prints. */
  analysis = envelope_document_get_analysis (window->document);
  explained = envelope_report_explain_layer (analysis, 3, &options);
  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      g_assert_cmpstr (envelope_memory_shares_get_formula (shares, t), ==, conv2_memory[t].formula);
      g_assert_cmpstr (envelope_memory_shares_get_share (shares, t), ==, conv2_memory[t].share);
      g_assert_nonnull (strstr (explained, conv2_memory[t].formula));
    }

  /* A dense layer holds no buffer; conv1's is served by conv2's. */
  app_test_select (window, "fc1");
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_PARAMETERS), ==,
                   "802,944 × 4 = 3,211,776 B (3.06 MiB)");
  g_assert_cmpstr (envelope_memory_shares_get_share (shares, ENVELOPE_MEMORY_PARAMETERS), ==, "98.7% of 3.10 MiB");
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_WORKSPACE), ==,
                   "0 B: no convolution buffer");
  g_assert_cmpstr (envelope_memory_shares_get_share (shares, ENVELOPE_MEMORY_WORKSPACE), ==, "0.0% of 882 KiB");
  app_test_select (window, "conv1");
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_WORKSPACE), ==,
                   "0 B: a larger convolution's buffer serves this one");

  /* The batch and the optimizer move the lines: batch 32, Adam (2 slots). */
  app_test_select (window, "conv2");
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "batch", g_variant_new_int64 (32)));
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "optimizer", g_variant_new_string ("adam")));
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS), ==,
                   "25,088 × 32 × 4 = 3,211,264 B (3.06 MiB)");
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_OPTIMIZER_STATE), ==,
                   "9,248 × 2 × 4 = 73,984 B (72.2 KiB)");
  g_assert_cmpstr (envelope_memory_shares_get_share (shares, ENVELOPE_MEMORY_OPTIMIZER_STATE), ==,
                   "1.1% of 6.21 MiB");
  app_test_activate (window, "win.undo", NULL);
  app_test_activate (window, "win.undo", NULL);
  g_assert_cmpstr (envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS), ==,
                   conv2_memory[ENVELOPE_MEMORY_LAYER_OUTPUTS].formula);

  /* Nothing selected, nothing shown. */
  app_test_activate (window, "win.select-layer", g_variant_new_string (""));
  app_test_wait_frames (GTK_WIDGET (window), 1);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (shares)));

  app_test_select (window, "conv2");
  {
    /* down to the walk-through, for the picture */
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (shares), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    app_test_wait_frames (GTK_WIDGET (window), 2);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  }
  app_test_screenshot (GTK_WIDGET (window), "teaching-walkthrough-inspector");
  app_test_window_destroy (window);
}

static void
test_leave (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);
  GtkWidget *normal;
  EnvelopePresentation *presentation;
  int position;

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 940);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, "resnet18.json");

  /* A window arranged its own way. */
  gtk_paned_set_position (window->center_paned, 430);
  g_object_set (window, "color-mode", "memory", "detail", "blocks", "receptive-field", FALSE, NULL);
  app_test_activate (window, "win.save-to", g_variant_new_take_string (app_test_temp_path ("resnet18.json")));
  app_test_select (window, "layer1/0/conv1");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  position = gtk_paned_get_position (window->center_paned);
  normal = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  g_assert_false (envelope_document_get_dirty (window->document));

  app_test_activate (window, "win.present", NULL);
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_true (presenting (window));
  presentation = presentation_of (window);
  g_assert_cmpstr (text (window, "name"), ==, "layer1/0/conv1");
  press (GTK_WIDGET (presentation), "Right");
  press (GTK_WIDGET (presentation), "Right");
  g_assert_cmpstr (text (window, "name"), ==, "layer1/0/relu1");
  /* The presentation's view is its own: the file's is untouched. */
  g_assert_false (envelope_document_get_dirty (window->document));
  /* Editing keys change nothing in front of the class. */
  {
    guint n_layers = envelope_network_get_n_layers (envelope_document_get_network (window->document));
    const char *editing[] = { "Delete", "<Control>d", "<Control>z" };

    for (guint i = 0; i < G_N_ELEMENTS (editing); i++)
      {
        g_autofree char *action = bound_action (GTK_WIDGET (window), editing[i]);

        g_assert_nonnull (action);
        gtk_widget_activate_action_variant (GTK_WIDGET (presentation), action, NULL);
      }
    gtk_widget_activate_action (GTK_WIDGET (presentation), "win.set-field", "(sv)", "filters", g_variant_new_int64 (7));
    app_test_wait_frames (GTK_WIDGET (window), 1);
    g_assert_cmpuint (envelope_network_get_n_layers (envelope_document_get_network (window->document)), ==, n_layers);
    g_assert_false (envelope_document_get_dirty (window->document));
  }

  press (GTK_WIDGET (presentation), "Escape");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_false (presenting (window));
  g_assert_true (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)) == normal);
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (window)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window->inspector)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window->layer_table)));
  g_assert_cmpint (gtk_paned_get_position (window->center_paned), ==, position);
  {
    g_autofree char *color = NULL;
    g_autofree char *detail = NULL;
    gboolean rf;

    g_object_get (window, "color-mode", &color, "detail", &detail, "receptive-field", &rf, NULL);
    g_assert_cmpstr (color, ==, "memory");
    g_assert_cmpstr (detail, ==, "blocks");
    g_assert_false (rf);
  }
  g_assert_false (envelope_document_get_dirty (window->document));
  /* The walk ends where it stopped. */
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "layer1/0/relu1"));
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_ACTIVATIONS), !=, NULL);

  /* Back from the lecture, the keys edit again. */
  press (GTK_WIDGET (window), "<Control>d");
  g_assert_true (envelope_document_get_dirty (window->document));
  press (GTK_WIDGET (window), "<Control>z");
  g_assert_false (envelope_document_get_dirty (window->document));

  /* F5 twice is in and out again. */
  press (GTK_WIDGET (window), "F5");
  g_assert_true (presenting (window));
  g_assert_true (ENVELOPE_IS_PRESENTATION (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window))));
  press (GTK_WIDGET (window), "F5");
  g_assert_false (presenting (window));

  app_test_screenshot (GTK_WIDGET (window), "teaching-left");
  app_test_window_destroy (window);
}

/* The presentation's own key handler, as a key press reaches it. */
static gboolean
send_key (GtkWidget *presentation,
          guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (presentation);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

/* B or "." blacks the screen out; any key brings it back, and does
 * nothing else. */
static void
test_blank (void)
{
  EnvelopeWindow *window = present_model ("lenet5.json", "c3", 1500, 940);
  EnvelopePresentation *presentation = presentation_of (window);
  GtkWidget *widget = GTK_WIDGET (presentation);

  g_assert_cmpfloat (app_test_luminance_at (widget, -40, -40), >, 0.8);
  press (widget, "b");
  g_assert_true (envelope_presentation_get_blank (presentation));
  g_assert_cmpfloat (app_test_luminance_at (widget, -40, -40), <, 0.02);
  g_assert_cmpfloat (app_test_luminance_at (widget, 40, 40), <, 0.02);
  app_test_screenshot (GTK_WIDGET (window), "teaching-blank");

  /* The arrow that wakes it does not step on. */
  g_assert_false (send_key (widget, GDK_KEY_b));   /* left to the binding */
  g_assert_true (send_key (widget, GDK_KEY_Right));
  g_assert_false (envelope_presentation_get_blank (presentation));
  g_assert_cmpstr (text (window, "name"), ==, "c3");
  g_assert_cmpfloat (app_test_luminance_at (widget, -40, -40), >, 0.8);
  g_assert_false (send_key (widget, GDK_KEY_Right));   /* awake: the binding steps */

  /* Nor does Escape leave. */
  press (widget, "period");
  g_assert_true (envelope_presentation_get_blank (presentation));
  g_assert_true (send_key (widget, GDK_KEY_Escape));
  g_assert_false (envelope_presentation_get_blank (presentation));
  g_assert_true (presenting (window));

  /* B again brings it back too. */
  press (widget, "b");
  press (widget, "b");
  g_assert_false (envelope_presentation_get_blank (presentation));

  app_test_window_destroy (window);
}

/* The page fills its column: its content takes most of the height, or
 * most of the width where the lines are long. */
static void
assert_page_filled (EnvelopeWindow *window)
{
  EnvelopePresentation *presentation = presentation_of (window);
  GtkWidget *sheet = gtk_widget_get_ancestor (GTK_WIDGET (envelope_presentation_get_memory_shares (presentation)),
                                              GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sheet));
  GtkWidget *page = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (sheet));
  int minimum, natural;

  if (GTK_IS_VIEWPORT (page))
    page = gtk_viewport_get_child (GTK_VIEWPORT (page));
  gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_true (gtk_adjustment_get_upper (adjustment) >= 0.8 * gtk_adjustment_get_page_size (adjustment) ||
                 natural >= 0.9 * gtk_widget_get_width (sheet));
}

/* The diagram's right edge, and so the selected block's outline, inside
 * the canvas's column. */
static void
assert_diagram_not_cut (EnvelopeWindow *window)
{
  EnvelopeCanvas *canvas = envelope_presentation_get_canvas (presentation_of (window));
  EnvelopeRect bounds;
  double right, y;

  envelope_layout_get_bounds (envelope_canvas_get_layout (canvas), &bounds);
  envelope_viewport_world_to_widget (envelope_canvas_get_viewport (canvas), bounds.x + bounds.width, bounds.y, &right, &y);
  g_assert_cmpfloat (right, <=, gtk_widget_get_width (GTK_WIDGET (canvas)) - 4);
}

/* A network with a bad layer is presented as far as it goes: the bad
 * layer and the ones after it say why they have no figures, the layers
 * before it have theirs. */
static void
test_partial (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);
  g_autofree char *path = app_test_temp_path ("badpool-presented.json");
  EnvelopePresentation *presentation;

  g_assert_true (g_file_set_contents (path,
                                      "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [\n"
                                      "  {\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 28, 28]},\n"
                                      "  {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3},\n"
                                      "  {\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 40},\n"
                                      "  {\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}\n]}\n", -1, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  press (GTK_WIDGET (window), "F5");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  presentation = presentation_of (window);

  /* it opens on the bad layer */
  g_assert_cmpstr (text (window, "name"), ==, "pool1");
  g_assert_cmpstr (text (window, "note"), ==,
                   "No figures: this layer cannot be analysed until its error is mended.");
  g_assert_null (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_WEIGHTS));
  press (GTK_WIDGET (presentation), "Right");
  g_assert_cmpstr (text (window, "name"), ==, "fc");
  g_assert_nonnull (strstr (text (window, "note"), "reads one that cannot be analysed"));
  press (GTK_WIDGET (presentation), "Left");
  press (GTK_WIDGET (presentation), "Left");
  g_assert_cmpstr (text (window, "name"), ==, "conv1");
  g_assert_null (text (window, "note"));
  g_assert_cmpstr (envelope_presentation_get_formula (presentation, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "32 × (3 × 3) × 1 = 288");
  g_assert_cmpstr (envelope_presentation_get_rule (presentation, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "weights = depth_n × (kernel_h × kernel_w) × depth_(n−1)");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  app_test_spin (300);
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpstr (envelope_memory_shares_get_formula (envelope_presentation_get_memory_shares (presentation),
                                                       ENVELOPE_MEMORY_PARAMETERS), ==, "320 × 4 = 1,280 B (1.25 KiB)");
  app_test_screenshot (GTK_WIDGET (window), "teaching-partial");
  app_test_window_destroy (window);
}

/* A projector at 1280×720: everything on the page, nothing cut off, and
 * the formulas in type that fills their column (17 px left its bottom
 * third empty); Ctrl+plus and Ctrl+minus change it. */
static void
test_small_screen (void)
{
  EnvelopeWindow *window = present_model ("mnist.json", "conv2", 1280, 720);
  EnvelopePresentation *presentation;
  double fitted;

  g_assert_true (presenting (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1280);
  app_test_wait_frames (GTK_WIDGET (window), 6);
  assert_nothing_cut_off (window);
  assert_page_filled (window);
  assert_diagram_not_cut (window);
  presentation = presentation_of (window);
  fitted = envelope_presentation_get_type_size (presentation);
  /* larger than the 17 px that left a third empty, though the page now
   * holds the rules in symbols too */
  g_assert_cmpfloat (fitted, >, 17.5);

  press (GTK_WIDGET (presentation), "<Control>plus");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_cmpfloat (envelope_presentation_get_type_size (presentation), >=, fitted * 1.1);
  app_test_screenshot (GTK_WIDGET (window), "teaching-present-1280x720-larger");
  press (GTK_WIDGET (presentation), "<Control>minus");
  press (GTK_WIDGET (presentation), "<Control>minus");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_cmpfloat (envelope_presentation_get_type_size (presentation), <, fitted);
  press (GTK_WIDGET (presentation), "<Control>plus");
  app_test_wait_frames (GTK_WIDGET (window), 4);
  g_assert_cmpfloat_with_epsilon (envelope_presentation_get_type_size (presentation), fitted, 0.5);

  /* Stepping on keeps the page whole: a layer with more lines only
   * makes the type smaller. */
  press (GTK_WIDGET (presentation), "Right");
  press (GTK_WIDGET (presentation), "Right");
  app_test_wait_frames (GTK_WIDGET (window), 6);
  assert_nothing_cut_off (window);
  g_assert_cmpfloat (envelope_presentation_get_type_size (presentation), <=, fitted + 0.5);
  app_test_screenshot (GTK_WIDGET (window), "teaching-present-1280x720");
  app_test_window_destroy (window);

  /* Deep into a large network: the page whole and filled, the layer
   * shown in view. */
  window = present_model ("resnet50.json", "layer4/2/conv3", 1280, 720);
  app_test_wait_frames (GTK_WIDGET (window), 6);
  app_test_spin (300);
  app_test_wait_frames (GTK_WIDGET (window), 6);
  assert_nothing_cut_off (window);
  assert_page_filled (window);
  {
    EnvelopeCanvas *canvas = envelope_presentation_get_canvas (presentation_of (window));
    double x, y;

    g_assert_true (envelope_canvas_get_layer_point (canvas, "layer4/2/conv3", &x, &y));
    g_assert_cmpfloat (x, >, 0);
    g_assert_cmpfloat (x, <, gtk_widget_get_width (GTK_WIDGET (canvas)));
    g_assert_cmpfloat (y, >, 0);
    g_assert_cmpfloat (y, <, gtk_widget_get_height (GTK_WIDGET (canvas)));
    /* one column walked down, never wrapped into a whole-network
     * thumbnail whose blocks have no text; the diagram at a zoom that
     * reads (wrapped whole into the column, a fifth of this) */
    g_assert_cmpuint (envelope_layout_get_n_rows (envelope_canvas_get_layout (canvas)), ==, 1);
    g_assert_cmpfloat (envelope_canvas_get_zoom (canvas), >=, 0.6);
    /* the band left of the column (96 + 18 units of it) in view */
    {
      EnvelopeRect bounds;

      envelope_layout_get_bounds (envelope_canvas_get_layout (canvas), &bounds);
      envelope_viewport_world_to_widget (envelope_canvas_get_viewport (canvas), bounds.x - 96 - 18, bounds.y, &x, &y);
      g_assert_cmpfloat (x, >=, 0);
    }
  }
  app_test_screenshot (GTK_WIDGET (window), "teaching-present-resnet50-1280x720");
  app_test_window_destroy (window);

  window = present_model ("mnist.json", "conv2", 1600, 1000);
  app_test_wait_frames (GTK_WIDGET (window), 6);
  assert_nothing_cut_off (window);
  assert_page_filled (window);
  assert_diagram_not_cut (window);
  app_test_screenshot (GTK_WIDGET (window), "teaching-present-1600x1000");
  app_test_window_destroy (window);
}

/* The shortcuts window lists the keys the presentation binds. */
static void
test_shortcuts_window (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/envelope/Envelope/gtk/help-overlay.ui");
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  EnvelopeWindow *window = present_model ("lenet5.json", NULL, 1500, 940);
  GtkWidget *presentation = GTK_WIDGET (presentation_of (window));
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* F5; Right, Down, Page_Down; Left, Up, Page_Up; Home, End; Escape;
   * and the diagram's plus, minus and 0, which zoom the presentation's;
   * Ctrl with plus and minus, the formulas' type */
  static const char *const expected[] = {
    "F5", "Right", "Down", "Page_Down", "Left", "Up", "Page_Up", "Home", "End", "Escape", "plus", "minus", "0",
    "b", "period", "<Control>plus", "<Control>minus",
  };

  for (GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) keys = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "accelerator", &accelerator, NULL);
      if (accelerator == NULL)
        continue;
      keys = g_strsplit (accelerator, " ", -1);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          g_autofree char *action = NULL;

          if (g_str_equal (keys[i], "F5"))
            {
              g_assert_cmpstr (bound_action (GTK_WIDGET (window), "F5"), ==, "win.present");
              g_hash_table_add (found, g_strdup (keys[i]));
            }
          else if ((action = bound_action (presentation, keys[i])) != NULL && g_str_has_prefix (action, "presentation."))
            g_hash_table_add (found, g_strdup (keys[i]));
        }
    }
  /* Each listed, however many groups list it (the canvas's arrows too). */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_hash_table_contains (found, expected[i]));
  g_assert_cmpuint (g_hash_table_size (found), ==, G_N_ELEMENTS (expected));
  app_test_window_destroy (window);
}

/* A label under @widget that reads @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  /* a line of numbers, alone or under its rule in symbols */
  if (GTK_IS_LABEL (widget))
    {
      const char *shown = gtk_label_get_text (GTK_LABEL (widget));
      const char *newline = strrchr (shown, '\n');

      if (g_strcmp0 (newline != NULL ? newline + 1 : shown, text) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Scrolled out of view, the walk-through keeps its lines and shows them
 * once scrolled to: an edit does not lay out what nobody sees. */
static void
test_walkthrough_scrolled (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);
  EnvelopeMemoryShares *shares;
  GtkWidget *scroller;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  const char *outputs;

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 700);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv2");
  app_test_wait_frames (GTK_WIDGET (window), 2);

  shares = inspector_shares (window);
  scroller = gtk_widget_get_ancestor (GTK_WIDGET (shares), GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  /* Scrolled to, it shows conv2's lines; scrolled back, it is out of view. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_nonnull (find_label (GTK_WIDGET (shares), conv2_memory[ENVELOPE_MEMORY_LAYER_OUTPUTS].formula));
  gtk_adjustment_set_value (adjustment, 0);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (shares), scroller, &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, gtk_widget_get_height (scroller));

  /* 64 filters: twice the outputs.  The figures know at once; the
   * labels, out of view, still read 32 filters' line. */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (64)));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  outputs = envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS);
  g_assert_true (g_str_has_prefix (outputs, "50,176 × 64 × 4 = 12,845,056 B"));
  g_assert_null (find_label (GTK_WIDGET (shares), outputs));
  g_assert_nonnull (find_label (GTK_WIDGET (shares), conv2_memory[ENVELOPE_MEMORY_LAYER_OUTPUTS].formula));

  /* Scrolled to, the lines are the new ones. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_nonnull (find_label (GTK_WIDGET (shares), outputs));
  g_assert_null (find_label (GTK_WIDGET (shares), conv2_memory[ENVELOPE_MEMORY_LAYER_OUTPUTS].formula));
  app_test_screenshot (GTK_WIDGET (window), "teaching-walkthrough-scrolled");

  /* In view, an edit shows at once. */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (32)));
  g_assert_nonnull (find_label (GTK_WIDGET (shares), conv2_memory[ENVELOPE_MEMORY_LAYER_OUTPUTS].formula));
  app_test_window_destroy (window);
}

/* The first layer selected being one without parameters (a ReLU, as in
 * VGG-16), or a collapsed group (GoogLeNet's "conv1" stem, which selects
 * its last layer), the walk-through shows its lines in its labels at
 * once: shown before its first layout, it must not wait for a scroll. */
static void
assert_walkthrough_shows (const char *model,
                          const char *detail,
                          const char *layer,
                          const char *outputs_formula,
                          const char *shot)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeMemoryShares *shares;
  const char *outputs;

  app_test_open_model (window, model);
  if (detail != NULL)
    app_test_activate (window, "win.detail", g_variant_new_string (detail));
  app_test_select (window, layer);
  app_test_wait_frames (GTK_WIDGET (window), 3);
  shares = inspector_shares (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (shares)));
  outputs = envelope_memory_shares_get_formula (shares, ENVELOPE_MEMORY_LAYER_OUTPUTS);
  g_assert_cmpstr (outputs, ==, outputs_formula);
  g_assert_nonnull (find_label (GTK_WIDGET (shares), outputs));
  g_assert_nonnull (find_label (GTK_WIDGET (shares), "0 × 4 = 0 B"));   /* no parameters */
  app_test_screenshot (GTK_WIDGET (window), shot);
  app_test_window_destroy (window);
}

static void
test_walkthrough_first_relu (void)
{
  /* relu1_1: 64 × 224 × 224 = 3,211,264 values, batch 32, fp32 */
  assert_walkthrough_shows ("vgg16.json", NULL, "relu1_1",
                            "3,211,264 × 32 × 4 = 411,041,792 B (392 MiB)", "teaching-walkthrough-relu");
  /* conv1/relu: 64 × 112 × 112 = 802,816 values, batch 32, fp32 */
  assert_walkthrough_shows ("googlenet.json", "blocks", "conv1/relu",
                            "802,816 × 32 × 4 = 102,760,448 B (98.0 MiB)", "teaching-walkthrough-group");
}

int
main (int   argc,
      char *argv[])
{
  app_test_init (&argc, &argv);

  g_test_add_func ("/app/teaching/enter", test_enter);
  g_test_add_func ("/app/teaching/step", test_step);
  g_test_add_func ("/app/teaching/step-keeps-in-view", test_step_keeps_in_view);
  g_test_add_func ("/app/teaching/walkthrough", test_walkthrough);
  g_test_add_func ("/app/teaching/walkthrough-scrolled", test_walkthrough_scrolled);
  g_test_add_func ("/app/teaching/walkthrough-first-relu", test_walkthrough_first_relu);
  g_test_add_func ("/app/teaching/leave", test_leave);
  g_test_add_func ("/app/teaching/small-screen", test_small_screen);
  g_test_add_func ("/app/teaching/partial", test_partial);
  g_test_add_func ("/app/teaching/blank", test_blank);
  g_test_add_func ("/app/teaching/shortcuts-window", test_shortcuts_window);

  return g_test_run ();
}
