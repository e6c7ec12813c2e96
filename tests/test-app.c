/* test-app.c: the desktop app, driven through its actions
 *
 * Each test opens a window, works it through the same actions as its
 * menus, buttons and shortcuts, checks the figures it shows against the
 * core's, and leaves a screenshot in the build directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app"

#include "config.h"

#include <math.h>
#include <string.h>

#include "envelope-batch-plot.h"
#include "envelope-layer-edit.h"
#include "envelope-layer-row.h"
#include "envelope-pair-editor.h"
#include "test-app-helpers.h"

static const char *
total (EnvelopeWindow *window,
       const char     *which)
{
  return envelope_totals_bar_get_text (window->totals_bar, which);
}

static EnvelopeNetwork *
load_model (const char *file)
{
  g_autofree char *path = app_test_model_path (file);
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_network_load_from_file (path, &error);

  g_assert_no_error (error);
  return network;
}

static void
type_into (GtkWidget  *editable,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

/* ------------------------------------------------------------------ */

static void
test_open_example (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;

  app_test_open_model (window, "mnist.json");
  network = envelope_document_get_network (window->document);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 10);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_false (envelope_document_get_dirty (window->document));

  /* The lecture's figures, as the totals bar shows them; memory as
   * PyTorch spends it on the GPU (the CUDA context's 500 MiB and
   * cuBLAS's 65 MiB are most of it for so small a network) */
  g_assert_cmpstr (total (window, "params"), ==, "813,802");
  g_assert_cmpstr (total (window, "params-detail"), ==, "3.10 MiB in fp32");
  g_assert_cmpstr (total (window, "macs"), ==, "8,255,232");
  g_assert_cmpstr (total (window, "train"), ==, "599 MiB");
  g_assert_cmpstr (total (window, "train-detail"), ==, "batch 64 · PyTorch step peak");
  g_assert_cmpstr (total (window, "test"), ==, "581 MiB");
  g_assert_cmpstr (total (window, "fit"), ==, "28,915");
  g_assert_cmpstr (total (window, "fit-detail"), ==, "batch 64 fits in one step");

  /* the lecture's model is one setting away, and a setting is an edit */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "memory_model", g_variant_new_string ("lecture")));
  g_assert_cmpstr (total (window, "train"), ==, "62.8 MiB");
  g_assert_cmpstr (total (window, "test"), ==, "16.2 MiB");
  g_assert_cmpstr (total (window, "fit"), ==, "14,944");
  g_assert_true (envelope_document_get_dirty (window->document));
  app_test_activate (window, "win.undo", NULL);
  g_assert_cmpstr (total (window, "train"), ==, "599 MiB");

  /* One row per layer, a block per layer. */
  g_assert_cmpuint (g_list_model_get_n_items (envelope_layer_table_get_model (window->layer_table)), ==, 10);
  g_assert_nonnull (envelope_canvas_get_diagram (window->canvas));
  g_assert_nonnull (envelope_canvas_get_layout (window->canvas));
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 10);

  app_test_screenshot (GTK_WIDGET (window), "open-example");
  app_test_window_destroy (window);
}

static void
test_select_layer (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GtkSelectionModel *selection;
  g_autoptr(EnvelopeLayerRow) row = NULL;
  guint position;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv2");

  /* The inspector shows the core's worked formulas, as the core writes them. */
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "32 × (3 × 3) × 32 = 9,216");
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_MACS), ==,
                   "28 × 28 × 32 × 32 × 3 × 3 = 7,225,344");
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_RECEPTIVE_FIELD), ==,
                   "3 + (3 − 1) × 1 = 5");
  /* … each under its rule in symbols, term for term */
  g_assert_cmpstr (envelope_inspector_get_rule (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "weights = depth_n × (kernel_h × kernel_w) × depth_(n−1)");
  g_assert_cmpstr (envelope_inspector_get_rule (window->inspector, ENVELOPE_FIGURE_MACS), ==,
                   "MACs = H_out × W_out × C_in × C_out × k_h × k_w");
  app_test_select (window, "relu1");
  g_assert_nonnull (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_OUTPUT_SHAPE));
  g_assert_null (envelope_inspector_get_rule (window->inspector, ENVELOPE_FIGURE_OUTPUT_SHAPE));
  app_test_select (window, "conv2");

  /* The table follows… */
  selection = gtk_column_view_get_model (envelope_layer_table_get_view (window->layer_table));
  position = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection));
  row = g_list_model_get_item (G_LIST_MODEL (selection), position);
  g_assert_cmpstr (envelope_layer_row_get_text (row, "name"), ==, "conv2");
  g_assert_cmpstr (envelope_layer_row_get_text (row, "params-text"), ==, "9,248");

  /* … and leads: a row selected in the table selects the layer. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(EnvelopeLayerRow) other = g_list_model_get_item (G_LIST_MODEL (selection), i);
      if (g_str_equal (envelope_layer_row_get_text (other, "name"), "fc1"))
        gtk_selection_model_select_item (selection, i, TRUE);
    }
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 6);
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "128 × (32 × 14 × 14) = 802,816");

  app_test_select (window, "conv2");
  app_test_screenshot (GTK_WIDGET (window), "select-layer");
  app_test_window_destroy (window);
}

static void
test_edit_setting (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GtkWidget *filters;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv2");
  filters = envelope_inspector_get_field_widget (window->inspector, "filters");
  g_assert_true (GTK_IS_SPIN_BUTTON (filters));

  /* Typing "64" is two keystrokes and one edit. */
  type_into (filters, "6");
  g_assert_cmpstr (total (window, "params"), ==, "154,000");
  type_into (filters, "64");
  g_assert_cmpstr (total (window, "params"), ==, "1,625,866");
  g_assert_cmpstr (total (window, "macs"), ==, "16,283,392");
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "64 × (3 × 3) × 32 = 18,432");
  g_assert_true (envelope_document_get_dirty (window->document));
  app_test_screenshot (GTK_WIDGET (window), "edit-setting");

  /* One undo step back to 32 filters, and the figures with it. */
  app_test_activate (window, "win.undo", NULL);
  g_assert_cmpstr (total (window, "params"), ==, "813,802");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (filters)), ==, "32");
  g_assert_false (envelope_document_get_dirty (window->document));
  g_assert_false (envelope_document_can_undo (window->document));

  app_test_activate (window, "win.redo", NULL);
  g_assert_cmpstr (total (window, "params"), ==, "1,625,866");

  /* An [h, w] pair through its editor: kernel 5 × 5, linked. */
  app_test_activate (window, "win.undo", NULL);
  {
    GtkWidget *kernel = envelope_inspector_get_field_widget (window->inspector, "kernel");
    g_assert_true (ENVELOPE_IS_PAIR_EDITOR (kernel));
    type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (kernel), 0)), "5");
    g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                     "32 × (5 × 5) × 32 = 25,600");
  }

  /* The same through the action, as a script would. */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (16)));
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "16 × (5 × 5) × 32 = 12,800");
  app_test_window_destroy (window);
}

static void
test_invalid_setting (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GtkWidget *kernel, *row;
  const GError *error;
  graphene_rect_t before, after, stride_before, stride_after;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "pool1");
  kernel = envelope_inspector_get_field_widget (window->inspector, "kernel");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_true (gtk_widget_compute_bounds (kernel, GTK_WIDGET (window), &before));
  g_assert_true (gtk_widget_compute_bounds (envelope_inspector_get_field_widget (window->inspector, "stride"),
                                            GTK_WIDGET (window), &stride_before));
  type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (kernel), 0)), "40");

  /* The message shows where it moves nothing: the field typed into
   * and the one below it stay under the pointer. */
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_true (gtk_widget_compute_bounds (kernel, GTK_WIDGET (window), &after));
  g_assert_true (gtk_widget_compute_bounds (envelope_inspector_get_field_widget (window->inspector, "stride"),
                                            GTK_WIDGET (window), &stride_after));
  g_assert_cmpfloat (after.origin.y, ==, before.origin.y);
  g_assert_cmpfloat (stride_after.origin.y, ==, stride_before.origin.y);

  /* The field is marked and says why… */
  error = envelope_document_get_error (window->document);
  g_assert_nonnull (error);
  g_assert_cmpint (envelope_document_get_error_layer (window->document), ==, 5);
  g_assert_cmpstr (envelope_document_get_error_field (window->document), ==, "kernel");
  row = envelope_inspector_get_field_row (window->inspector, "kernel");
  g_assert_true (gtk_widget_has_css_class (row, "field-error"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (kernel), 0)),
                                           "error"));
  g_assert_cmpstr (envelope_inspector_get_message (window->inspector), ==, error->message);
  g_assert_nonnull (strstr (error->message, "below 1"));
  g_assert_true (gtk_revealer_get_reveal_child (window->error_revealer));

  /* … and the layers before it keep their figures: conv1 and conv2,
   * 320 + 9,248 parameters, and the totals say they are partial. */
  g_assert_cmpstr (total (window, "params"), ==, "≥ 9,568");
  g_assert_cmpstr (total (window, "params-detail"), ==, "partial: 5 of 10 layers analysed");
  /* the banner slides in: the picture once it is all there */
  for (guint i = 0; i < 100 && !gtk_revealer_get_child_revealed (window->error_revealer); i++)
    app_test_wait_frames (GTK_WIDGET (window), 1);
  g_assert_true (gtk_revealer_get_child_revealed (window->error_revealer));
  app_test_screenshot (GTK_WIDGET (window), "invalid-setting");

  /* A zero count is refused by the core's validation, on its field. */
  app_test_activate (window, "win.undo", NULL);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_false (gtk_widget_has_css_class (row, "field-error"));
  app_test_select (window, "fc1");
  type_into (envelope_inspector_get_field_widget (window->inspector, "units"), "0");
  g_assert_cmpstr (envelope_document_get_error_field (window->document), ==, "units");
  g_assert_true (gtk_widget_has_css_class (envelope_inspector_get_field_widget (window->inspector, "units"), "error"));
  app_test_activate (window, "win.undo", NULL);
  g_assert_null (envelope_document_get_error (window->document));
  app_test_window_destroy (window);
}

/* A name another layer has, or one holding a control character, is
 * refused where it is typed and where a script sends it; the layer keeps
 * its name. */
static void
test_refused_name (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  GtkWidget *name;

  app_test_open_model (window, "mnist.json");
  network = envelope_document_get_network (window->document);
  app_test_select (window, "pool1");
  name = envelope_inspector_get_field_widget (window->inspector, "name");

  gtk_editable_set_text (GTK_EDITABLE (name), "conv2");
  g_signal_emit_by_name (name, "apply");
  g_assert_cmpstr (envelope_inspector_get_message (window->inspector), ==,
                   "Another layer is called “conv2”: names must be unique");
  g_assert_true (gtk_widget_has_css_class (name, "error"));
  g_assert_cmpstr (envelope_network_get_layer (network, 5)->name, ==, "pool1");

  gtk_editable_set_text (GTK_EDITABLE (name), "pool\x07one");
  g_signal_emit_by_name (name, "apply");
  g_assert_cmpstr (envelope_inspector_get_message (window->inspector), ==,
                   "The name holds the control character U+0007 at position 4; it must be plain text");
  g_assert_cmpstr (envelope_network_get_layer (network, 5)->name, ==, "pool1");

  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "name", g_variant_new_string ("pool\u202eone")));
  g_assert_cmpstr (envelope_network_get_layer (network, 5)->name, ==, "pool1");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "name", g_variant_new_string ("pool one")));
  g_assert_cmpstr (envelope_network_get_layer (network, 5)->name, ==, "pool one");
  app_test_window_destroy (window);
}

/* A list of axes: through the action as a script sends it (ax), and
 * typed into the inspector's entry as "0, 2, 1". */
static void
test_axes_setting (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  const EnvelopeLayer *layer;
  const gint64 order[] = { 0, 2, 1 };
  GtkWidget *entry;

  app_test_open_model (window, "mnist.json");
  network = envelope_document_get_network (window->document);
  app_test_select (window, "pool1");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("permute"));
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_PERMUTE);
  /* a new permute lists one axis; pool1's output has three */
  g_assert_cmpstr (envelope_document_get_error_field (window->document), ==, "order");

  app_test_activate (window, "win.set-field",
                     g_variant_new ("(sv)", "order",
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, order, G_N_ELEMENTS (order), sizeof (gint64))));
  g_assert_null (envelope_document_get_error (window->document));
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER), ==, 3);
  g_assert_cmpint (layer->order[1], ==, 2);
  entry = envelope_inspector_get_field_widget (window->inspector, "order");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "0, 2, 1");

  type_into (entry, "[0, 1, -1]");
  g_signal_emit_by_name (entry, "activate");
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpint (layer->order[2], ==, -1);
  g_assert_null (envelope_document_get_error (window->document));

  /* text that is no list of axes changes nothing */
  type_into (entry, "0, x");
  g_signal_emit_by_name (entry, "activate");
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpint (layer->order[1], ==, 1);
  app_test_window_destroy (window);
}

/* Upsampling's scale: one number, or one per axis. */
static void
test_scale_setting (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  const EnvelopeLayer *layer;
  const double scale[] = { 2, 1.5 };
  GtkWidget *entry;

  app_test_open_model (window, "mnist.json");
  network = envelope_document_get_network (window->document);
  app_test_select (window, "pool1");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("upsample"));
  g_assert_null (envelope_document_get_error (window->document));
  entry = envelope_inspector_get_field_widget (window->inspector, "scale");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "2");

  app_test_activate (window, "win.set-field",
                     g_variant_new ("(sv)", "scale",
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, scale, G_N_ELEMENTS (scale), sizeof (double))));
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_SCALE), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "2, 1.5");
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_OUTPUT_SHAPE), ==,
                   "H: ⌊14 × 2⌋ = 28; W: ⌊14 × 1.5⌋ = 21 → 32×28×21");

  type_into (entry, "3");
  g_signal_emit_by_name (entry, "activate");
  layer = envelope_network_get_layer (network, 6);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_SCALE), ==, 0);
  g_assert_cmpfloat (layer->scale[1], ==, 3);
  app_test_window_destroy (window);
}

static void
test_insert_delete (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(EnvelopeNetwork) original = load_model ("mnist.json");
  const EnvelopeNetwork *network;
  const EnvelopeLayer *layer;

  app_test_open_model (window, "mnist.json");
  network = envelope_document_get_network (window->document);

  /* Dropout after relu2: it reads relu2, pool1 now reads it. */
  app_test_select (window, "relu2");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("dropout"));
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 11);
  layer = envelope_network_get_layer (network, 5);
  g_assert_cmpstr (layer->name, ==, "dropout1");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 5);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpstr (total (window, "params"), ==, "813,802");
  g_assert_cmpuint (g_list_model_get_n_items (envelope_layer_table_get_model (window->layer_table)), ==, 11);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 11);
  app_test_screenshot (GTK_WIDGET (window), "insert-layer");

  /* Delete puts it back as it was. */
  app_test_activate (window, "win.delete", NULL);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 10);
  g_assert_true (envelope_network_equal (envelope_document_get_network (window->document), original));

  /* Duplicate conv2: conv3 reads conv2, 9,248 more parameters. */
  app_test_select (window, "conv2");
  app_test_activate (window, "win.duplicate", NULL);
  network = envelope_document_get_network (window->document);
  layer = envelope_network_get_layer (network, 4);
  g_assert_cmpstr (layer->name, ==, "conv3");
  g_assert_cmpstr (total (window, "params"), ==, "823,050");

  /* Duplicate conv1, whose series goes on in conv2: the copy is
   * conv1_copy, right after conv1 and reading it. */
  app_test_activate (window, "win.undo", NULL);
  app_test_select (window, "conv1");
  app_test_activate (window, "win.duplicate", NULL);
  network = envelope_document_get_network (window->document);
  layer = envelope_network_get_layer (network, 2);
  g_assert_cmpstr (layer->name, ==, "conv1_copy");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 2);
  g_assert_true (envelope_layer_reads (network, 2, "conv1"));
  g_assert_true (envelope_layer_reads (network, 3, "conv1_copy"));
  app_test_activate (window, "win.undo", NULL);

  /* New layers take the network's own names: pool2 after pool1, fc3
   * after fc2, not max_pool1 and dense1. */
  app_test_select (window, "pool1");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("max_pool"));
  network = envelope_document_get_network (window->document);
  g_assert_cmpstr (envelope_network_get_layer (network, 6)->name, ==, "pool2");
  app_test_activate (window, "win.undo", NULL);
  app_test_select (window, "fc2");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("dense"));
  network = envelope_document_get_network (window->document);
  g_assert_cmpstr (envelope_network_get_layer (network, 9)->name, ==, "fc3");
  app_test_activate (window, "win.undo", NULL);
  app_test_select (window, "conv2");
  app_test_activate (window, "win.duplicate", NULL);

  /* Deleting a layer in the middle splices: fc1 reads pool1 again. */
  app_test_activate (window, "win.undo", NULL);
  app_test_select (window, "relu3");
  app_test_activate (window, "win.delete", NULL);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpuint (envelope_network_get_n_layers (envelope_document_get_network (window->document)), ==, 9);

  /* Undo all the way: the network is the file's. */
  while (envelope_document_can_undo (window->document))
    app_test_activate (window, "win.undo", NULL);
  g_assert_true (envelope_network_equal (envelope_document_get_network (window->document), original));
  g_assert_false (envelope_document_get_dirty (window->document));
  app_test_window_destroy (window);
}

static void
test_connect_branch (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  const EnvelopeLayer *add;
  guint from, to;

  app_test_open_model (window, "mnist.json");

  /* A name typed wrong changes nothing and says which was meant. */
  app_test_activate (window, "win.connect", g_variant_new ("(ss)", "relu_1", "relu2"));
  g_assert_cmpstr (window->last_message, ==, "No layer named “relu_1”; did you mean “relu1”?");
  g_assert_cmpint (envelope_network_get_n_layers (envelope_document_get_network (window->document)), ==, 10);

  /* An add after relu2 comes wired as a residual connection: it reads
   * relu2 and relu1, the nearest earlier output of its shape that relu2
   * does not read itself.  Valid at once, so it is drawn. */
  app_test_select (window, "relu2");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("add"));
  network = envelope_document_get_network (window->document);
  add = envelope_network_get_layer (network, 5);
  g_assert_cmpstr (add->name, ==, "add1");
  g_assert_nonnull (add->inputs);
  g_assert_cmpuint (g_strv_length (add->inputs), ==, 2);
  g_assert_cmpstr (add->inputs[0], ==, "relu2");
  g_assert_cmpstr (add->inputs[1], ==, "relu1");
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 11);
  g_assert_cmpuint (envelope_diagram_get_n_edges (envelope_canvas_get_diagram (window->canvas)), ==, 11);

  /* A third input, connected from conv1. */
  app_test_activate (window, "win.connect", g_variant_new ("(ss)", "conv1", "add1"));
  add = envelope_network_get_layer (envelope_document_get_network (window->document), 5);
  g_assert_cmpuint (g_strv_length (add->inputs), ==, 3);
  g_assert_cmpstr (add->inputs[2], ==, "conv1");
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_true (envelope_document_get_selected_edge (window->document, &from, &to));
  g_assert_cmpuint (from, ==, 1);
  g_assert_cmpuint (to, ==, 5);
  g_assert_cmpuint (envelope_diagram_get_n_edges (envelope_canvas_get_diagram (window->canvas)), ==, 12);
  app_test_screenshot (GTK_WIDGET (window), "connect-branch");

  /* A connection backwards is refused and says why. */
  app_test_activate (window, "win.connect", g_variant_new ("(ss)", "fc1", "conv1"));
  g_assert_nonnull (strstr (window->last_message, "before it"));

  /* The selected arrow deleted: back to two inputs. */
  app_test_activate (window, "win.delete", NULL);
  add = envelope_network_get_layer (envelope_document_get_network (window->document), 5);
  g_assert_cmpuint (g_strv_length (add->inputs), ==, 2);
  g_assert_null (envelope_document_get_error (window->document));

  /* One more leaves the add with one input: an identity, as
   * torch.cat([x]) and ONNX allow, so it stays valid. */
  app_test_activate (window, "win.select-edge", g_variant_new ("(ss)", "relu1", "add1"));
  app_test_activate (window, "win.delete", NULL);
  add = envelope_network_get_layer (envelope_document_get_network (window->document), 5);
  /* relu2 is the layer before it: the file says no "inputs" */
  g_assert_null (add->inputs);
  g_assert_null (envelope_document_get_error (window->document));

  /* The last one is refused: the layer would read nothing. */
  app_test_activate (window, "win.select-edge", g_variant_new ("(ss)", "relu2", "add1"));
  app_test_activate (window, "win.delete", NULL);
  g_assert_nonnull (strstr (window->last_message, "reads only"));

  /* A concat with nothing of its height and width to join reads one
   * input: it passes it on. */
  app_test_select (window, "pool1");
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("concat"));
  g_assert_null (envelope_document_get_error (window->document));

  while (envelope_document_can_undo (window->document))
    app_test_activate (window, "win.undo", NULL);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpuint (envelope_network_get_n_layers (envelope_document_get_network (window->document)), ==, 10);
  app_test_window_destroy (window);
}

/* The batch plot's scales put the GPU's memory line and the largest
 * batch that fits in the middle third, whatever the network. */
static void
test_batch_plot_scale (void)
{
  static const EnvelopeBatchPlotFigures cases[] = {
    /* MNIST on a GTX 980 (4 GiB), batch 128: max 4,973 */
    { 128, 120586240, G_GUINT64_CONSTANT (4294967296), G_GUINT64_CONSTANT (4294967296), 4973 },
    /* a batch far past the largest: the largest stays in the middle third */
    { 100000, G_GUINT64_CONSTANT (80000000000), G_GUINT64_CONSTANT (17179869184), G_GUINT64_CONSTANT (16642998272), 193 },
    /* a batch just past it: the axis reaches it */
    { 250, G_GUINT64_CONSTANT (20000000000), G_GUINT64_CONSTANT (17179869184), G_GUINT64_CONSTANT (16642998272), 193 },
    /* a large GPU for a small network */
    { 32, 4000000, G_GUINT64_CONSTANT (85899345920), G_GUINT64_CONSTANT (85899345920), 600000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EnvelopeBatchPlotFigures *f = &cases[i];
      guint64 end = envelope_batch_plot_batch_range (f);
      /* a line through the chosen batch, as the memory grows */
      double per_sample = (double) f->budget / (double) f->max_batch;
      double top = envelope_batch_plot_byte_range (f, (guint64) (per_sample * (double) end));
      double x = (double) f->max_batch / (double) end;
      double y = (double) f->device_memory / top;

      g_assert_cmpfloat (x, >=, 1.0 / 3);
      g_assert_cmpfloat (x, <=, 2.0 / 3);
      g_assert_cmpfloat (y, >=, 1.0 / 3);
      g_assert_cmpfloat (y, <=, 2.0 / 3);
    }
  /* 250 is in reach of 193: twice 193 is past it */
  g_assert_cmpuint (envelope_batch_plot_batch_range (&cases[2]), ==, 386);
  g_assert_cmpuint (envelope_batch_plot_batch_range (&cases[0]), ==, 9946);

  /* No GPU: the chosen batch in the middle, the curve's end near the top. */
  {
    EnvelopeBatchPlotFigures none = { 64, 27567104, 0, 0, 0 };

    g_assert_cmpuint (envelope_batch_plot_batch_range (&none), ==, 128);
    g_assert_cmpfloat_with_epsilon (envelope_batch_plot_byte_range (&none, 55134208), 55134208 * 1.08, 1);
  }
  /* Not one sample fits: the GPU's line still in the middle third, the
   * chosen batch in the middle. */
  {
    EnvelopeBatchPlotFigures over = { 8, G_GUINT64_CONSTANT (30000000000), G_GUINT64_CONSTANT (8589934592), G_GUINT64_CONSTANT (8589934592), 0 };
    double top = envelope_batch_plot_byte_range (&over, G_GUINT64_CONSTANT (32000000000));

    g_assert_cmpuint (envelope_batch_plot_batch_range (&over), ==, 16);
    g_assert_cmpfloat (8589934592.0 / top, >=, 1.0 / 3);
  }
}

static GtkWidget *
find_of_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_of_type (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The plot's labels, as last drawn, meet neither each other nor a curve;
 * returns how many there are. */
static guint
assert_plot_labels_clear (EnvelopeBatchPlot *plot)
{
  const GArray *boxes = envelope_batch_plot_get_label_boxes (plot);
  const GArray *points = envelope_batch_plot_get_curve_points (plot);

  g_assert_cmpuint (points->len, >=, 2);
  for (guint i = 0; i < boxes->len; i++)
    {
      const graphene_rect_t *box = &g_array_index (boxes, graphene_rect_t, i);

      for (guint j = i + 1; j < boxes->len; j++)
        g_assert_false (graphene_rect_intersection (box, &g_array_index (boxes, graphene_rect_t, j), NULL));
      for (guint k = 1; k < points->len; k++)
        {
          const graphene_point_t *a = &g_array_index (points, graphene_point_t, k - 1);
          const graphene_point_t *b = &g_array_index (points, graphene_point_t, k);

          if (isnan (a->x) || isnan (b->x))
            continue;
          for (guint step = 0; step <= 200; step++)
            {
              graphene_point_t p = GRAPHENE_POINT_INIT (a->x + (b->x - a->x) * step / 200.0,
                                                        a->y + (b->y - a->y) * step / 200.0);
              g_assert_false (graphene_rect_contains_point (box, &p));
            }
        }
    }
  return boxes->len;
}

static void
test_training (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  EnvelopeBatchPlot *plot;
  GtkWidget *popover;

  app_test_open_model (window, "mnist.json");
  /* the lecture's terms, which the breakdown lists one by one */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "memory_model", g_variant_new_string ("lecture")));
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "batch", g_variant_new_int64 (128)));
  g_assert_cmpstr (total (window, "train"), ==, "115 MiB");
  g_assert_cmpstr (total (window, "training"), ==, "batch 128 · fp32 · sgd_momentum · GTX Titan X");

  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "device", g_variant_new_string ("GTX 980")));
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "target_batch", g_variant_new_int64 (8192)));
  g_assert_cmpstr (total (window, "fit"), ==, "4,973");
  g_assert_cmpstr (total (window, "fit-detail"), ==, "batch 8,192: 2 steps of 4,096, gradients accumulated");

  app_test_activate (window, "win.show-memory", NULL);
  popover = envelope_totals_bar_get_memory_popover (window->totals_bar);
  app_test_wait_frames (popover, 2);
  g_assert_true (gtk_widget_get_mapped (popover));
  app_test_screenshot (popover, "memory-breakdown");
  app_test_screenshot (GTK_WIDGET (window), "training");

  /* The batch plot: the GPU's 4 GiB in the middle third of its bytes,
   * and its batch, its largest (4,973) and its GPU named, clear of each
   * other and of the curve. */
  plot = ENVELOPE_BATCH_PLOT (find_of_type (popover, ENVELOPE_TYPE_BATCH_PLOT));
  g_assert_nonnull (plot);
  g_assert_cmpfloat (4294967296.0 / envelope_batch_plot_get_byte_range (plot), >=, 1.0 / 3);
  g_assert_cmpfloat (4294967296.0 / envelope_batch_plot_get_byte_range (plot), <=, 2.0 / 3);
  g_assert_cmpuint (assert_plot_labels_clear (plot), ==, 3);
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* A batch far beyond the GPU is named at the plot's edge. */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "batch", g_variant_new_int64 (40000)));
  app_test_activate (window, "win.show-memory", NULL);
  app_test_wait_frames (popover, 2);
  g_assert_cmpuint (assert_plot_labels_clear (plot), ==, 3);
  app_test_screenshot (popover, "memory-breakdown-far");
  gtk_popover_popdown (GTK_POPOVER (popover));
  app_test_activate (window, "win.undo", NULL);

  /* Training settings are edits too. */
  app_test_activate (window, "win.undo", NULL);
  app_test_activate (window, "win.undo", NULL);
  app_test_activate (window, "win.undo", NULL);
  g_assert_cmpstr (total (window, "train"), ==, "62.8 MiB");

  /* PyTorch's curve with the lecture's beside it (ResNet-50 on a V100):
   * the labels clear of both curves and of each other. */
  app_test_window_destroy (window);
  window = app_test_window_new ();
  app_test_open_model (window, "resnet50.json");
  app_test_activate (window, "win.show-memory", NULL);
  popover = envelope_totals_bar_get_memory_popover (window->totals_bar);
  app_test_wait_frames (popover, 2);
  plot = ENVELOPE_BATCH_PLOT (find_of_type (popover, ENVELOPE_TYPE_BATCH_PLOT));
  {
    /* down to the plot, for the picture */
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (plot), GTK_TYPE_SCROLLED_WINDOW);

    if (scrolled != NULL)
      {
        GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
        app_test_wait_frames (popover, 2);
      }
  }
  app_test_screenshot (popover, "memory-breakdown-pytorch");
  g_assert_cmpuint (envelope_batch_plot_get_curve_points (plot)->len, ==, 2 * 33 + 1);   /* both curves */
  g_assert_cmpuint (assert_plot_labels_clear (plot), ==, 4);   /* batch, max, GPU, lecture's */
  gtk_popover_popdown (GTK_POPOVER (popover));
  app_test_window_destroy (window);
}

static void
test_save_reload (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = app_test_temp_path ("saved.json");
  g_autofree char *bad = app_test_temp_path ("no-such-folder/saved.json");
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "fc1");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "units", g_variant_new_int64 (256)));
  app_test_activate (window, "win.color-mode", g_variant_new_string ("memory"));
  app_test_activate (window, "win.receptive-field", NULL);
  g_assert_true (envelope_document_get_dirty (window->document));

  app_test_activate (window, "win.save-to", g_variant_new_string (path));
  g_assert_false (envelope_document_get_dirty (window->document));
  reloaded = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (reloaded, envelope_document_get_network (window->document)));
  g_assert_cmpint (envelope_network_get_layer (reloaded, 6)->units, ==, 256);
  g_assert_nonnull (reloaded->view);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reloaded->view), "color"), ==, "memory");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (reloaded->view), "receptive_field"));

  /* A failed save says why and keeps the old file and the work. */
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "units", g_variant_new_int64 (512)));
  app_test_activate (window, "win.save-to", g_variant_new_string (bad));
  g_assert_nonnull (window->message_dialog);
  g_assert_true (envelope_document_get_dirty (window->document));
  g_assert_cmpint (envelope_network_get_layer (envelope_document_get_network (window->document), 6)->units, ==, 512);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  app_test_screenshot (window->message_dialog, "save-failed");
  gtk_window_destroy (GTK_WINDOW (window->message_dialog));

  /* Opened again, the file brings back its view. */
  {
    EnvelopeWindow *other = app_test_window_new ();

    app_test_activate (other, "win.open-file", g_variant_new_string (path));
    g_assert_true (envelope_network_equal (envelope_document_get_network (other->document), reloaded));
    g_assert_cmpstr (other->color_mode, ==, "memory");
    g_assert_true (other->receptive_field);
    app_test_window_destroy (other);
  }

  /* Close with unsaved changes asks first; Discard closes. */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_nonnull (window->message_dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  app_test_wait_frames (window->message_dialog, 1);
  app_test_screenshot (window->message_dialog, "close-unsaved");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->message_dialog), "discard");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_object_unref (window);
}

/* Saved as "my-mnist.json", an untitled network is named "my-mnist";
 * a named one keeps its name, and a failed save names nothing. */
static void
test_save_as_names (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = app_test_temp_path ("my-mnist.json");
  g_autofree char *again = app_test_temp_path ("again.json");
  g_autofree char *bad = app_test_temp_path ("no-such-folder/other.json");
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autoptr(GError) error = NULL;

  app_test_activate (window, "win.insert-layer", g_variant_new_string ("input"));
  app_test_activate (window, "win.insert-layer", g_variant_new_string ("dense"));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "Untitled network");

  app_test_activate (window, "win.save-to", g_variant_new_string (bad));
  g_assert_nonnull (window->message_dialog);
  gtk_window_destroy (GTK_WINDOW (window->message_dialog));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "Untitled network");
  g_assert_true (envelope_document_get_dirty (window->document));

  app_test_activate (window, "win.save-to", g_variant_new_string (path));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "my-mnist");
  g_assert_false (envelope_document_get_dirty (window->document));
  reloaded = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reloaded->name, ==, "my-mnist");
  g_assert_true (envelope_network_equal (reloaded, envelope_document_get_network (window->document)));

  /* Saved again elsewhere, it keeps the name it has. */
  app_test_activate (window, "win.save-to", g_variant_new_string (again));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "my-mnist");
  app_test_window_destroy (window);
}

static void
check_export (EnvelopeWindow *window,
              const char     *name)
{
  g_autofree char *path = app_test_temp_path (name);
  g_autofree char *contents = NULL;
  gsize length = 0;

  app_test_activate (window, "win.export-to", g_variant_new_string (path));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);

  if (g_str_has_suffix (name, ".png"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), >, 200);
      g_assert_cmpint (gdk_texture_get_height (texture), >, 50);
    }
  else if (g_str_has_suffix (name, ".svg"))
    {
      g_assert_nonnull (strstr (contents, "<svg"));
    }
  else
    {
      g_assert_true (g_str_has_prefix (contents, "%PDF-"));
    }
}

static void
test_export (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *bad = app_test_temp_path ("diagram.gif");

  app_test_open_model (window, "vgg16.json");
  app_test_activate (window, "win.color-mode", g_variant_new_string ("memory"));
  app_test_select (window, "conv5_3");
  app_test_activate (window, "win.receptive-field", NULL);
  check_export (window, "diagram.png");
  check_export (window, "diagram.svg");
  check_export (window, "diagram.pdf");

  /* The renderer's options: at scale 1 and without title, legend and
   * totals, the image is smaller than the default (scale 2, with them). */
  {
    g_autofree char *full = app_test_temp_path ("diagram.png");
    g_autofree char *bare = app_test_temp_path ("bare.png");
    g_autoptr(GdkTexture) a = NULL;
    g_autoptr(GdkTexture) b = NULL;

    app_test_activate (window, "win.export-with", g_variant_new ("(sdbb)", bare, 1.0, FALSE, TRUE));
    a = gdk_texture_new_from_filename (full, NULL);
    b = gdk_texture_new_from_filename (bare, NULL);
    g_assert_nonnull (a);
    g_assert_nonnull (b);
    g_assert_cmpint (gdk_texture_get_width (b), <, gdk_texture_get_width (a));
    g_assert_cmpint (gdk_texture_get_height (b), <, gdk_texture_get_height (a));
  }

  /* Fitted to a 16:9 slide: 1,920 × 1,080 pixels at most, one side full,
   * whatever the window shows; the toast offers to open it. */
  {
    g_autofree char *slide = app_test_temp_path ("slide.png");
    g_autoptr(GdkTexture) texture = NULL;
    int w, h;

    app_test_activate (window, "win.export-fitted", g_variant_new ("(sd)", slide, 16.0 / 9.0));
    texture = gdk_texture_new_from_filename (slide, NULL);
    g_assert_nonnull (texture);
    w = gdk_texture_get_width (texture);
    h = gdk_texture_get_height (texture);
    g_assert_cmpint (w, <=, 1920);
    g_assert_cmpint (h, <=, 1080);
    g_assert_true (w >= 1900 || h >= 1070);
    g_assert_cmpstr (window->last_message, ==, "Exported “slide.png”");
  }

  /* An unknown format is an error, shown. */
  app_test_activate (window, "win.export-to", g_variant_new_string (bad));
  g_assert_nonnull (window->message_dialog);
  g_assert_nonnull (strstr (window->last_message, ".png"));
  gtk_window_destroy (GTK_WINDOW (window->message_dialog));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  app_test_screenshot (GTK_WIDGET (window), "export");
  app_test_window_destroy (window);
}

static void
test_broken_file (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *syntax = app_test_temp_path ("syntax.json");
  g_autofree char *field = app_test_temp_path ("field.json");
  g_autofree char *missing = app_test_temp_path ("missing.json");
  g_autoptr(EnvelopeNetwork) before = NULL;
  GFile *file;

  app_test_open_model (window, "mnist.json");
  app_test_select (window, "conv1");
  before = envelope_network_copy (envelope_document_get_network (window->document));
  file = envelope_document_get_file (window->document);

  g_assert_true (g_file_set_contents (syntax,
                                      "{\n  \"format\": \"envelope-network\",\n  \"version\": 1,\n"
                                      "  \"layers\": [ {\"name\": \"a\" \"type\": \"input\"} ]\n}\n", -1, NULL));
  app_test_activate (window, "win.open-file", g_variant_new_string (syntax));
  g_assert_nonnull (window->message_dialog);
  g_assert_nonnull (strstr (window->last_message, "4:"));   /* line:column */
  g_assert_true (envelope_network_equal (envelope_document_get_network (window->document), before));
  g_assert_true (envelope_document_get_file (window->document) == file);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 1);
  app_test_wait_frames (window->message_dialog, 1);
  app_test_screenshot (window->message_dialog, "broken-file");

  g_assert_true (g_file_set_contents (field,
                                      "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [\n"
                                      "  {\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 28, 28]},\n"
                                      "  {\"name\": \"conv2\", \"type\": \"conv\", \"filters\": 32, \"kernel\": \"x\"}\n]}\n",
                                      -1, NULL));
  app_test_activate (window, "win.open-file", g_variant_new_string (field));
  g_assert_nonnull (strstr (window->last_message, "\"conv2\""));
  g_assert_nonnull (strstr (window->last_message, "\"kernel\""));
  g_assert_true (envelope_network_equal (envelope_document_get_network (window->document), before));

  app_test_activate (window, "win.open-file", g_variant_new_string (missing));
  g_assert_nonnull (strstr (window->last_message, "missing.json"));
  g_assert_true (envelope_network_equal (envelope_document_get_network (window->document), before));
  g_assert_false (envelope_document_get_dirty (window->document));

  gtk_window_destroy (GTK_WINDOW (window->message_dialog));
  app_test_window_destroy (window);
}

/* A file with one bad layer opens: everything before it is analysed,
 * listed and drawn, the bad layer is selected and drawn in the error
 * colour, the layers after it greyed, and the banner names it with a
 * Show that brings it back. */
static void
test_partial_network (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = app_test_temp_path ("badpool.json");
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GListModel *rows = envelope_layer_table_get_model (window->layer_table);
  const EnvelopeDiagram *diagram;
  const GError *error;

  g_assert_true (g_file_set_contents (path,
                                      "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [\n"
                                      "  {\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 28, 28]},\n"
                                      "  {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3},\n"
                                      "  {\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2},\n"
                                      "  {\"name\": \"pool2\", \"type\": \"max_pool\", \"kernel\": 40},\n"
                                      "  {\"name\": \"flat\", \"type\": \"flatten\"},\n"
                                      "  {\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}\n]}\n", -1, NULL));
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  g_assert_null (window->message_dialog);
  app_test_wait_frames (GTK_WIDGET (window), 2);

  error = envelope_document_get_error (window->document);
  g_assert_nonnull (error);
  g_assert_cmpint (envelope_document_get_error_layer (window->document), ==, 3);
  g_assert_cmpstr (envelope_document_get_error_field (window->document), ==, "kernel");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 3);
  g_assert_true (gtk_revealer_get_reveal_child (window->error_revealer));
  g_assert_nonnull (strstr (gtk_label_get_text (window->error_label), "pool2 cannot be analysed"));
  g_assert_true (gtk_widget_get_visible (window->error_show_button));
  g_assert_false (gtk_widget_get_visible (window->error_undo_button));

  /* the table lists every layer, with figures up to the error */
  app_test_wait_table (window);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 6);
  {
    g_autoptr(EnvelopeLayerRow) conv = g_list_model_get_item (rows, 1);
    g_autoptr(EnvelopeLayerRow) bad = g_list_model_get_item (rows, 3);
    g_autoptr(EnvelopeLayerRow) after = g_list_model_get_item (rows, 5);

    g_assert_cmpstr (envelope_layer_row_get_text (conv, "params-text"), ==, "320");
    g_assert_cmpstr (envelope_layer_row_get_text (conv, "output"), ==, "32×26×26");
    g_assert_cmpstr (envelope_layer_row_get_text (bad, "output"), ==, "error");
    g_assert_cmpstr (envelope_layer_row_get_text (after, "output"), ==, "not analysed");
    g_assert_cmpstr (envelope_layer_row_get_text (after, "params-text"), ==, "—");
  }
  /* the totals count what was analysed, and say so */
  g_assert_cmpstr (total (window, "params"), ==, "≥ 320");
  g_assert_cmpstr (total (window, "params-detail"), ==, "partial: 3 of 6 layers analysed");

  /* the canvas draws every layer: the bad one failed, the one after it not analysed */
  while ((envelope_canvas_get_layout_pending (window->canvas) || envelope_canvas_get_layout (window->canvas) == NULL) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  diagram = envelope_canvas_get_diagram (window->canvas);
  g_assert_nonnull (diagram);
  g_assert_cmpint (envelope_diagram_get_block (diagram, envelope_diagram_find_block (diagram, 1))->state, ==,
                   ENVELOPE_LAYER_ANALYSED);
  g_assert_cmpint (envelope_diagram_get_block (diagram, envelope_diagram_find_block (diagram, 3))->state, ==,
                   ENVELOPE_LAYER_FAILED);
  g_assert_cmpint (envelope_diagram_get_block (diagram, envelope_diagram_find_block (diagram, 5))->state, ==,
                   ENVELOPE_LAYER_NOT_ANALYSED);

  /* Show brings the bad layer back */
  app_test_select (window, "conv1");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 1);
  app_test_activate (window, "win.show-error", NULL);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, 3);
  for (guint i = 0; i < 100 && !gtk_revealer_get_child_revealed (window->error_revealer); i++)
    app_test_wait_frames (GTK_WIDGET (window), 1);
  app_test_screenshot (GTK_WIDGET (window), "partial-network");

  /* fixing it analyses the whole network */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "kernel", g_variant_new_int64 (2)));
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpstr (total (window, "params"), ==, "11,850");
  g_assert_false (gtk_widget_get_visible (window->error_show_button) && gtk_revealer_get_reveal_child (window->error_revealer));
  app_test_window_destroy (window);
}

static void
set_pair (EnvelopeWindow *window,
          const char     *key,
          const char     *value)
{
  GtkWidget *pair = envelope_inspector_get_field_widget (window->inspector, key);

  g_assert_true (ENVELOPE_IS_PAIR_EDITOR (pair));
  g_assert_true (envelope_pair_editor_get_linked (ENVELOPE_PAIR_EDITOR (pair)));
  type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (pair), 0)), value);
}

/* The lecture's MNIST network from an empty document, with the palette
 * and the inspector alone. */
static void
test_build_mnist (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(EnvelopeNetwork) lecture = load_model ("mnist.json");
  const struct { const char *kind; const char *name; const char *count_key; const char *count; const char *padding; } steps[] = {
    { "input", "data", "shape:channels", "1", NULL },
    { "conv", "conv1", "filters", "32", "1" },
    { "relu", "relu1", NULL, NULL, NULL },
    { "conv", "conv2", "filters", "32", "1" },
    { "relu", "relu2", NULL, NULL, NULL },
    { "max_pool", "pool1", NULL, NULL, NULL },
    { "dense", "fc1", "units", "128", NULL },
    { "relu", "relu3", NULL, NULL, NULL },
    { "dense", "fc2", "units", "10", NULL },
    { "softmax", "prob", NULL, NULL, NULL },
  };
  const EnvelopeNetwork *network;

  g_assert_true (envelope_window_is_pristine (window));
  g_assert_true (gtk_widget_get_visible (window->empty_hint));
  app_test_screenshot (GTK_WIDGET (window), "empty");
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      GtkWidget *button = envelope_palette_get_button (window->palette, steps[i].kind);
      GtkWidget *name;

      g_assert_nonnull (button);
      g_signal_emit_by_name (button, "clicked");
      g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, (gint) i);

      name = envelope_inspector_get_field_widget (window->inspector, "name");
      gtk_editable_set_text (GTK_EDITABLE (name), steps[i].name);
      g_signal_emit_by_name (name, "apply");

      if (g_str_equal (steps[i].kind, "input"))
        set_pair (window, "shape:size", "28");
      if (steps[i].count_key != NULL)
        type_into (envelope_inspector_get_field_widget (window->inspector, steps[i].count_key), steps[i].count);
      if (steps[i].padding != NULL)
        set_pair (window, "padding:size", steps[i].padding);
      app_test_wait_frames (GTK_WIDGET (window), 1);
    }

  network = envelope_document_get_network (window->document);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, envelope_network_get_n_layers (lecture));
  for (guint i = 0; i < envelope_network_get_n_layers (network); i++)
    g_assert_true (envelope_layer_equal (envelope_network_get_layer (network, i),
                                         envelope_network_get_layer (lecture, i)));
  g_assert_cmpstr (total (window, "params"), ==, "813,802");
  g_assert_cmpstr (total (window, "params-detail"), ==, "3.10 MiB in fp32");

  app_test_select (window, "conv2");
  app_test_screenshot (GTK_WIDGET (window), "build-mnist");
  app_test_window_destroy (window);
}

/* Typing in the palette's search keeps the kinds whose name, id or
 * category holds the text. */
static void
test_palette_search (void)
{
  EnvelopeWindow *window = app_test_window_new ();

  envelope_palette_set_search (window->palette, "mul");
  g_assert_true (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "mul")));
  g_assert_false (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "conv")));
  g_assert_false (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "add")));

  /* by the translated title too, whatever the case */
  envelope_palette_set_search (window->palette, "HARD");
  g_assert_true (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "hardswish")));
  g_assert_true (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "hardsigmoid")));
  g_assert_false (gtk_widget_get_visible (envelope_palette_get_button (window->palette, "relu")));

  envelope_palette_set_search (window->palette, "");
  for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
    g_assert_true (gtk_widget_get_visible (envelope_palette_get_button (window->palette,
                                                                        envelope_layer_kind_get (t)->id)));
  app_test_window_destroy (window);
}

/* A video network and a sequence from the inspector alone: the shape
 * editor's layouts, and window settings with one entry per axis of the
 * layer's input. */
static void
test_build_layouts (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  const EnvelopeLayer *layer;
  GtkWidget *shape, *kernel;

  g_signal_emit_by_name (envelope_palette_get_button (window->palette, "input"), "clicked");
  shape = envelope_inspector_get_field_widget (window->inspector, "shape");
  adw_combo_row_set_selected (ADW_COMBO_ROW (shape), 4);
  type_into (envelope_inspector_get_field_widget (window->inspector, "shape:channels"), "3");
  set_pair (window, "shape:size", "16");
  network = envelope_document_get_network (window->document);
  layer = envelope_network_get_layer (network, 0);
  g_assert_cmpuint (layer->shape_rank, ==, 4);
  g_assert_cmpint (layer->shape[3], ==, 16);

  g_signal_emit_by_name (envelope_palette_get_button (window->palette, "conv"), "clicked");
  kernel = envelope_inspector_get_field_widget (window->inspector, "kernel");
  g_assert_cmpuint (envelope_pair_editor_get_axes (ENVELOPE_PAIR_EDITOR (kernel)), ==, 3);
  envelope_pair_editor_set_linked (ENVELOPE_PAIR_EDITOR (kernel), FALSE);
  type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (kernel), 0)), "1");
  layer = envelope_network_get_layer (envelope_document_get_network (window->document), 1);
  g_assert_cmpuint (envelope_layer_list_length (layer, ENVELOPE_FIELD_KERNEL), ==, 3);
  g_assert_cmpint (layer->kernel[0], ==, 1);
  g_assert_cmpint (layer->kernel[1], ==, 3);
  g_assert_cmpint (layer->kernel[2], ==, 3);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_cmpuint (envelope_analysis_get_layer (envelope_document_get_analysis (window->document), 1)->shape[1], ==, 16);

  /* the input turned into a sequence of 197 tokens of 768 */
  app_test_select (window, layer->name);
  app_test_activate (window, "win.delete", NULL);
  app_test_select (window, envelope_network_get_layer (envelope_document_get_network (window->document), 0)->name);
  shape = envelope_inspector_get_field_widget (window->inspector, "shape");
  adw_combo_row_set_selected (ADW_COMBO_ROW (shape), 2);
  envelope_pair_editor_set_linked (ENVELOPE_PAIR_EDITOR (envelope_inspector_get_field_widget (window->inspector, "shape:size")), FALSE);
  type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (envelope_inspector_get_field_widget (window->inspector, "shape:size")), 0)), "197");
  type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (envelope_inspector_get_field_widget (window->inspector, "shape:size")), 1)), "768");
  g_signal_emit_by_name (envelope_palette_get_button (window->palette, "dense"), "clicked");
  network = envelope_document_get_network (window->document);
  g_assert_cmpuint (envelope_network_get_layer (network, 0)->shape_rank, ==, 2);
  g_assert_cmpint (envelope_analysis_get_layer (envelope_document_get_analysis (window->document), 1)->layout, ==,
                   ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (envelope_analysis_get_layer (envelope_document_get_analysis (window->document), 1)->macs, ==,
                    197ull * 768 * 128);
  app_test_window_destroy (window);
}

/* ViT-B/16's first encoder block from an empty window, with the palette
 * and the inspector alone: the residual adds wire themselves to where
 * their branches begin.  torchvision's block has 7,087,872 parameters. */
static void
test_build_vit_block (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const struct { const char *kind; const char *key; const char *value; } steps[] = {
    { "input", NULL, NULL },
    { "layer_norm", NULL, NULL },
    { "attention", "heads", "12" },
    { "add", NULL, NULL },
    { "layer_norm", NULL, NULL },
    { "dense", "units", "3072" },
    { "gelu", NULL, NULL },
    { "dense", "units", "768" },
    { "add", NULL, NULL },
  };
  const EnvelopeNetwork *network;
  const EnvelopeLayer *add1, *add2;
  GtkWidget *size;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_signal_emit_by_name (envelope_palette_get_button (window->palette, steps[i].kind), "clicked");
      if (i == 0)
        {
          /* 197 tokens of 768 features */
          adw_combo_row_set_selected (ADW_COMBO_ROW (envelope_inspector_get_field_widget (window->inspector, "shape")), 2);
          size = envelope_inspector_get_field_widget (window->inspector, "shape:size");
          envelope_pair_editor_set_linked (ENVELOPE_PAIR_EDITOR (size), FALSE);
          type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (size), 0)), "197");
          type_into (GTK_WIDGET (envelope_pair_editor_get_spin (ENVELOPE_PAIR_EDITOR (size), 1)), "768");
        }
      if (steps[i].key != NULL)
        type_into (envelope_inspector_get_field_widget (window->inspector, steps[i].key), steps[i].value);
      app_test_wait_frames (GTK_WIDGET (window), 1);
      g_assert_null (envelope_document_get_error (window->document));
    }

  network = envelope_document_get_network (window->document);
  add1 = envelope_network_get_layer (network, 3);
  add2 = envelope_network_get_layer (network, 8);
  g_assert_cmpstr (add1->inputs[1], ==, envelope_network_get_layer (network, 0)->name);
  g_assert_cmpstr (add2->inputs[1], ==, add1->name);
  g_assert_cmpstr (total (window, "params"), ==, "7,087,872");
  g_assert_cmpuint (envelope_analysis_get_totals (envelope_document_get_analysis (window->document))->macs, ==,
                    G_GUINT64_CONSTANT (1453954560));
  app_test_select (window, envelope_network_get_layer (network, 2)->name);
  app_test_screenshot (GTK_WIDGET (window), "build-vit-block");
  app_test_window_destroy (window);
}

/* An ONNX model opens as an ordinary network: drawn, counted, untitled
 * (Save asks where, proposing NAME.json beside it, and the model is never
 * overwritten), with a toast saying it was imported. */
static void
test_open_onnx (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", "onnx", "resnet18-train.onnx", NULL);
  g_autofree char *title = NULL;

  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_null (envelope_document_get_error (window->document));
  g_assert_null (envelope_document_get_file (window->document));
  g_assert_nonnull (envelope_document_get_source (window->document));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "resnet18-train");
  g_assert_cmpuint (envelope_analysis_get_totals (envelope_document_get_analysis (window->document))->trainable_params,
                    ==, 11689512);
  g_assert_nonnull (window->last_message);
  g_assert_nonnull (strstr (window->last_message, "Imported “resnet18-train.onnx”"));
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), >, 0);
  g_assert_cmpstr (total (window, "params"), ==, "11,699,112");
  app_test_screenshot (GTK_WIDGET (window), "open-onnx");

  /* operators of unknown cost add nothing: the totals are at least
   * what they show, and say how many layers they leave out */
  g_free (path);
  path = g_test_build_filename (G_TEST_DIST, "data", "import", "onnx", "channels-last-open.onnx", NULL);
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_cmpstr (total (window, "params"), ==, "≥ 778");
  g_assert_cmpstr (total (window, "params-detail"), ==, "2 layers of unknown cost left out");
  g_assert_true (g_str_has_prefix (total (window, "macs"), "≥ "));
  app_test_window_destroy (window);
}

/* A window closed with its memory popover open goes, and takes its
 * document and views with it: nothing holds on to them. */
static void
test_lifecycle (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  gpointer document, canvas, inspector, table;

  app_test_open_model (window, "resnet50.json");
  app_test_select (window, "conv1");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (16)));
  app_test_activate (window, "win.show-memory", NULL);
  app_test_wait_frames (GTK_WIDGET (window), 2);

  document = window->document;
  canvas = window->canvas;
  inspector = window->inspector;
  table = window->layer_table;
  g_object_add_weak_pointer (document, &document);
  g_object_add_weak_pointer (canvas, &canvas);
  g_object_add_weak_pointer (inspector, &inspector);
  g_object_add_weak_pointer (table, &table);

  app_test_window_destroy (window);
  app_test_spin (200);
  g_assert_null (document);
  g_assert_null (canvas);
  g_assert_null (inspector);
  g_assert_null (table);
}

/* Attention's kv_heads and head_dim follow the heads and the width until
 * set: the inspector shows what the analysis uses, and says so. */
static void
test_attention_derived_settings (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = app_test_temp_path ("attention.json");
  static const char json[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [10, 64]},"
    "{\"name\": \"att\", \"type\": \"attention\", \"heads\": 8}]}";
  g_autoptr(GError) error = NULL;
  GtkWidget *kv, *hd;

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_select (window, "att");

  kv = envelope_inspector_get_field_widget (window->inspector, "kv_heads");
  hd = envelope_inspector_get_field_widget (window->inspector, "head_dim");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (kv)), ==, 8);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (hd)), ==, 8);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (envelope_inspector_get_field_row (window->inspector, "kv_heads"))),
                   ==, "The heads’, until set");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (envelope_inspector_get_field_row (window->inspector, "head_dim"))),
                   ==, "The width ÷ heads, until set");

  /* once set, the value is the author's */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "kv_heads", g_variant_new_int64 (2)));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (kv)), ==, 2);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (envelope_inspector_get_field_row (window->inspector, "kv_heads"))),
                   ==, "");
  g_assert_cmpstr (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_WEIGHTS), ==,
                   "64 × 8 × 8 (Wq) + 2 × 64 × 2 × 8 (Wk, Wv) + 8 × 8 × 64 (Wo) = 10,240");
  app_test_window_destroy (window);
}

/* Looking is not editing: the colour, the overlay and the style change
 * what is shown, not the network; they ask for no save, and are kept
 * with the file when it is saved for another reason. */
static void
test_view_not_dirty (void)
{
  EnvelopeWindow *window = app_test_window_new ();

  app_test_open_model (window, "mnist.json");
  app_test_activate (window, "win.color-mode", g_variant_new_string ("memory"));
  app_test_activate (window, "win.receptive-field", NULL);
  g_assert_cmpstr (window->color_mode, ==, "memory");
  g_assert_true (window->receptive_field);
  g_assert_false (envelope_document_get_dirty (window->document));
  g_assert_false (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "•"));

  /* closing asks nothing */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_null (window->message_dialog);
  g_object_unref (window);
}

/* Reading is not editing: the wheel over a number field scrolls the
 * inspector unless the field is being edited, and focusing a field
 * selects its text, so that typing replaces it. */
static void
test_wheel_and_focus (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  GtkWidget *filters, *scrolled;
  GtkAdjustment *adjustment;
  double before;
  int start = -1, end = -1;

  app_test_open_model (window, "vgg16.json");
  app_test_select (window, "conv1_2");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  filters = envelope_inspector_get_field_widget (window->inspector, "filters");
  scrolled = gtk_widget_get_ancestor (filters, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scrolled);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, 0);
  before = gtk_adjustment_get_value (adjustment);

  /* three notches down over Filters, which has not the focus */
  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  for (guint k = 0; k < 3; k++)
    g_assert_true (envelope_spin_button_wheel (GTK_SPIN_BUTTON (filters), 1.0));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (filters)), ==, "64");
  g_assert_false (envelope_document_get_dirty (window->document));
  if (gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment))
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, before);

  /* focused, the field takes the wheel and its text is selected */
  gtk_widget_grab_focus (filters);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_false (envelope_spin_button_wheel (GTK_SPIN_BUTTON (filters), 1.0));
  g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (filters), &start, &end));
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, 2);
  app_test_window_destroy (window);
}

/* A target batch beyond the GPU: the diagram outlines the blocks to
 * checkpoint, and stops when the batch fits again. */
static void
test_checkpoint_outline (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  const gboolean *recomputed;
  guint n = 0;

  app_test_open_model (window, "resnet50.json");
  g_assert_null (envelope_canvas_get_recomputed (window->canvas, NULL));
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "target_batch", g_variant_new_int64 (256)));
  recomputed = envelope_canvas_get_recomputed (window->canvas, &n);
  network = envelope_document_get_network (window->document);
  g_assert_nonnull (recomputed);
  g_assert_cmpuint (n, ==, envelope_network_get_n_layers (network));
  /* on the V100's 16 GB with the CUDA context: layer1/0, layer1/1 and layer2/0 */
  g_assert_true (recomputed[envelope_network_find_layer (network, "layer1/0/conv1")]);
  g_assert_true (recomputed[envelope_network_find_layer (network, "layer2/0/relu3")]);
  g_assert_false (recomputed[envelope_network_find_layer (network, "layer1/2/conv1")]);
  g_assert_false (recomputed[envelope_network_find_layer (network, "conv1")]);
  g_assert_false (recomputed[envelope_network_find_layer (network, "layer4/0/conv1")]);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_screenshot (GTK_WIDGET (window), "checkpoint-outline");

  app_test_activate (window, "win.undo", NULL);
  g_assert_null (envelope_canvas_get_recomputed (window->canvas, NULL));
  app_test_window_destroy (window);
}

/* Whether a label under @widget has @text in it. */
static gboolean
label_contains (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (label_contains (child, text))
      return TRUE;
  return FALSE;
}

/* Serving a decoder: the prompt and new tokens are a training setting,
 * kept with the file; the breakdown gives the key/value cache. */
static void
test_generation (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *path = app_test_temp_path ("gpt2-serving.json");
  g_autofree char *contents = NULL;
  const EnvelopeAnalysis *analysis;
  GtkWidget *popover;

  app_test_open_model (window, "gpt2.json");
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "generate", g_variant_new_string ("512+512")));
  g_assert_cmpstr (total (window, "training"), ==, "batch 8 · fp32 · adamw · generate 512+512 · A100 40GB");
  analysis = envelope_document_get_analysis (window->document);
  g_assert_nonnull (analysis);
  /* 2 × 12 layers × 12 heads × 64 × 1,024 tokens × 2 B, batch 8 */
  g_assert_cmpuint (envelope_analysis_get_memory (analysis)->generation.cache, ==, 8 * G_GUINT64_CONSTANT (37748736));

  app_test_activate (window, "win.show-memory", NULL);
  popover = envelope_totals_bar_get_memory_popover (window->totals_bar);
  app_test_wait_frames (popover, 2);
  g_assert_true (label_contains (popover, "cache 288 MiB)"));
  /* batch 8 fits the A100: no plan */
  g_assert_false (label_contains (popover, "torch.utils.checkpoint"));
  g_assert_true (label_contains (popover, "At most "));
  app_test_screenshot (popover, "memory-generation");
  gtk_popover_popdown (GTK_POPOVER (popover));

  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "kv_cache", g_variant_new_string ("int8")));
  analysis = envelope_document_get_analysis (window->document);
  g_assert_cmpuint (envelope_analysis_get_memory (analysis)->generation.cache, ==, 4 * G_GUINT64_CONSTANT (37748736));
  app_test_activate (window, "win.save-to", g_variant_new_string (path));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"generate\": \"512+512\""));
  g_assert_nonnull (strstr (contents, "\"kv_cache\": \"int8\""));

  /* a target batch beyond the GPU: which blocks to checkpoint */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "target_batch", g_variant_new_int64 (64)));
  app_test_activate (window, "win.show-memory", NULL);
  app_test_wait_frames (popover, 2);
  g_assert_true (label_contains (popover, "(torch.utils.checkpoint at their boundaries):"));
  g_assert_true (label_contains (popover, "h/0: alone it lowers the peak by"));
  app_test_screenshot (popover, "memory-checkpoint-plan");
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* an empty request is training only again */
  app_test_activate (window, "win.set-training", g_variant_new ("(sv)", "generate", g_variant_new_string ("")));
  analysis = envelope_document_get_analysis (window->document);
  g_assert_cmpuint (envelope_analysis_get_memory (analysis)->generation.prompt, ==, 0);
  app_test_window_destroy (window);
}

/* The label under @widget that reads @text, or NULL. */
static GtkWidget *
label_with_text (GtkWidget  *widget,
                 const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = label_with_text (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The action @key is bound to on @widget, or NULL. */
static char *
key_action (GtkWidget  *widget,
            const char *key)
{
  g_autoptr(GPtrArray) shortcuts = app_test_dup_shortcuts (widget);

  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkShortcut *shortcut = g_ptr_array_index (shortcuts, i);
      g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

      if (g_str_equal (text, key) && GTK_IS_NAMED_ACTION (action))
        return g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
    }
  return NULL;
}

/* A projector's 1280×720: the table's cells read whole (it scrolls
 * sideways where they do not fit), the training button is whole, the
 * palette hides with F9 and gives its room to the diagram and table,
 * and a block's tooltip names it with its figures. */
static void
test_small_window (void)
{
  EnvelopeWindow *window = envelope_window_new (NULL);
  GtkWidget *table = GTK_WIDGET (envelope_layer_table_get_view (window->layer_table));
  const char *cut = NULL;
  g_autofree char *f9 = NULL;
  g_autofree char *tooltip = NULL;
  graphene_rect_t bounds;
  GtkWidget *training;
  int table_width;
  double x, y;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, "resnet50.json");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1280);

  /* Every cell on screen reads whole. */
  g_assert_cmpuint (app_test_count_cut_labels (table, &cut), ==, 0);
  g_assert_null (cut);

  /* The training button's text, whole and inside the window. */
  training = gtk_widget_get_ancestor (GTK_WIDGET (label_with_text (GTK_WIDGET (window->totals_bar), total (window, "training"))),
                                      GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (training);
  g_assert_true (gtk_widget_compute_bounds (training, GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpuint (app_test_count_cut_labels (training, &cut), ==, 0);
  app_test_screenshot (GTK_WIDGET (window), "window-1280x720");

  /* F9 hides the palette; the table has its room. */
  f9 = key_action (GTK_WIDGET (window), "F9");
  g_assert_cmpstr (f9, ==, "win.show-palette");
  table_width = gtk_widget_get_width (table);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->palette)));
  app_test_activate (window, f9, NULL);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->palette)));
  g_assert_cmpint (gtk_widget_get_width (table), >=, table_width + 150);
  g_assert_false (envelope_document_get_dirty (window->document));   /* a view, not an edit */
  app_test_screenshot (GTK_WIDGET (window), "window-1280x720-no-palette");

  /* Hovering a block: its name, kind, output and figures. */
  g_assert_true (envelope_canvas_get_layer_point (window->canvas, "conv1", &x, &y));
  tooltip = envelope_canvas_dup_tooltip_at (window->canvas, x, y);
  g_assert_cmpstr (tooltip, ==,
                   "<b>conv1</b>\nconv 7×7, 64, /2\nOutput: 64×112×112\nParameters: 9,408\nMACs: 118,013,952\n"
                   "Activations: 802,816 per sample\nReceptive field: 7");
  g_assert_null (envelope_canvas_dup_tooltip_at (window->canvas, 2, 2));
  /* with FLOPs chosen, the tooltip counts them too */
  g_object_set (window, "flops", TRUE, NULL);
  g_free (tooltip);
  tooltip = envelope_canvas_dup_tooltip_at (window->canvas, x, y);
  g_assert_nonnull (strstr (tooltip, "\nFLOPs: 236,027,904\n"));
  g_object_set (window, "flops", FALSE, NULL);

  /* And back: the palette is a setting of every window. */
  app_test_activate (window, "win.show-palette", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->palette)));
  app_test_window_destroy (window);

  window = envelope_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  gtk_window_present (GTK_WINDOW (window));
  app_test_open_model (window, "resnet50.json");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  cut = NULL;
  g_assert_cmpuint (app_test_count_cut_labels (table = GTK_WIDGET (envelope_layer_table_get_view (window->layer_table)), &cut), ==, 0);
  app_test_screenshot (GTK_WIDGET (window), "window-1600x1000");
  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  app_test_init (&argc, &argv);

  g_test_add_func ("/app/open-example", test_open_example);
  g_test_add_func ("/app/generation", test_generation);
  g_test_add_func ("/app/checkpoint-outline", test_checkpoint_outline);
  g_test_add_func ("/app/wheel-and-focus", test_wheel_and_focus);
  g_test_add_func ("/app/view-not-dirty", test_view_not_dirty);
  g_test_add_func ("/app/palette-search", test_palette_search);
  g_test_add_func ("/app/build-layouts", test_build_layouts);
  g_test_add_func ("/app/build-vit-block", test_build_vit_block);
  g_test_add_func ("/app/open-onnx", test_open_onnx);
  g_test_add_func ("/app/select-layer", test_select_layer);
  g_test_add_func ("/app/edit-setting", test_edit_setting);
  g_test_add_func ("/app/invalid-setting", test_invalid_setting);
  g_test_add_func ("/app/refused-name", test_refused_name);
  g_test_add_func ("/app/axes-setting", test_axes_setting);
  g_test_add_func ("/app/scale-setting", test_scale_setting);
  g_test_add_func ("/app/insert-delete", test_insert_delete);
  g_test_add_func ("/app/batch-plot-scale", test_batch_plot_scale);
  g_test_add_func ("/app/save-as-names", test_save_as_names);
  g_test_add_func ("/app/connect-branch", test_connect_branch);
  g_test_add_func ("/app/training", test_training);
  g_test_add_func ("/app/small-window", test_small_window);
  g_test_add_func ("/app/save-reload", test_save_reload);
  g_test_add_func ("/app/export", test_export);
  g_test_add_func ("/app/broken-file", test_broken_file);
  g_test_add_func ("/app/partial-network", test_partial_network);
  g_test_add_func ("/app/build-mnist", test_build_mnist);
  g_test_add_func ("/app/lifecycle", test_lifecycle);
  g_test_add_func ("/app/attention-derived-settings", test_attention_derived_settings);

  return g_test_run ();
}
