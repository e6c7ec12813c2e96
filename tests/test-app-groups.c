/* test-app-groups.c: a collapsed group in the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-groups"

#include "config.h"

#include "envelope-zoom-labels.h"
#include "test-app-helpers.h"

static void
set_detail (EnvelopeWindow *window,
            const char     *detail)
{
  app_test_activate (window, "win.detail", g_variant_new_string (detail));
  app_test_wait_layout (window);
}

static GtkListBoxRow *
member_row (EnvelopeWindow *window,
            guint           index)
{
  return gtk_list_box_get_row_at_index (envelope_inspector_get_group_members (window->inspector), (int) index);
}

/* ResNet-50 by stages: layer3 is one block, and selecting it shows the
 * stage's own totals (envelope-cli report --group says the same), not
 * those of the ReLU it ends with. */
static void
test_stage_totals (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  GtkListBoxRow *row;
  gint relu;

  app_test_open_model (window, "resnet50.json");
  set_detail (window, "stages");
  network = envelope_document_get_network (window->document);

  app_test_activate (window, "win.select-group", g_variant_new_string ("layer3"));
  g_assert_cmpstr (envelope_document_get_selected_group (window->document), ==, "layer3");
  relu = envelope_network_find_layer (network, "layer3/5/relu3");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, relu);

  g_assert_cmpstr (envelope_inspector_get_group_title (window->inspector), ==, "layer3");
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "params"), ==, "7,118,848");
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "macs"), ==, "1,464,336,384");
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "activations"), ==,
                   "7,476,224 values a sample");
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "shapes"), ==, "512×28×28 → 1024×14×14");
  g_assert_nonnull (strstr (envelope_inspector_get_group_figure (window->inspector, "description"),
                            "19 conv, 19 BN, 6 add"));
  /* 7,118,848 parameters of 4 bytes, 7,476,224 values × 32 × 4 bytes */
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "memory"), ==,
                   "27.2 MiB of parameters, 913 MiB of outputs at a batch of 32");
  g_assert_null (envelope_inspector_get_group_figure (window->inspector, "repeat"));
  app_test_screenshot (GTK_WIDGET (window), "group-stage");
  g_assert_null (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_PARAMS));

  /* its 62 members (19 conv, 19 BN, 6 add, 18 ReLU), in file order */
  row = member_row (window, 0);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "layer3/0/conv1");
  g_assert_nonnull (member_row (window, 61));
  g_assert_null (member_row (window, 62));

  /* FLOPs when they are asked for, labelled */
  app_test_activate (window, "win.flops", NULL);
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "macs"), ==, "2,928,672,768");
  app_test_activate (window, "win.flops", NULL);

  /* a member opens the stage and selects that layer */
  row = member_row (window, 0);
  g_signal_emit_by_name (envelope_inspector_get_group_members (window->inspector), "row-activated", row);
  app_test_wait_layout (window);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "layer3/0/conv1"));
  g_assert_null (envelope_document_get_selected_group (window->document));
  g_assert_null (envelope_inspector_get_group_title (window->inspector));
  g_assert_nonnull (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_PARAMS));
  {
    const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (window->canvas);
    gint layer = -1;

    for (guint i = 0; i < envelope_diagram_get_n_layers (diagram); i++)
      if (g_str_equal (envelope_diagram_get_layer_name (diagram, i), "layer3/0/conv1"))
        layer = (gint) i;
    g_assert_cmpint (layer, >=, 0);
    g_assert_false (envelope_diagram_get_block (diagram, (guint) envelope_diagram_find_block (diagram, (guint) layer))->collapsed);
  }

  app_test_window_destroy (window);
}

/* By blocks, layer3/1 to layer3/5 fold into one block "× 5": the
 * run's totals, and what one repeat holds. */
static void
test_folded_run (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const char *repeat;

  app_test_open_model (window, "resnet50.json");
  set_detail (window, "blocks");

  app_test_activate (window, "win.select-group", g_variant_new_string ("layer3/3"));
  g_assert_cmpstr (envelope_document_get_selected_group (window->document), ==, "layer3/1");
  g_assert_cmpstr (envelope_inspector_get_group_title (window->inspector), ==, "layer3/1 … layer3/5");
  /* 5 × (1024·256 + 256·256·9 + 256·1024 weights, 256 + 256 + 1024 channels × 4) */
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "params"), ==, "5,601,280");
  repeat = envelope_inspector_get_group_figure (window->inspector, "repeat");
  g_assert_nonnull (repeat);
  g_assert_nonnull (strstr (repeat, "× 5"));
  g_assert_nonnull (strstr (repeat, "1,120,256 parameters"));
  g_assert_nonnull (strstr (repeat, "3 conv, 3 BN, add"));
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "shapes"), ==, "1024×14×14 → 1024×14×14");
  app_test_screenshot (GTK_WIDGET (window), "group-run");

  /* a layer selected in the table is that layer, even inside the block */
  app_test_select (window, "layer3/5/relu3");
  g_assert_null (envelope_document_get_selected_group (window->document));
  g_assert_null (envelope_inspector_get_group_title (window->inspector));

  app_test_window_destroy (window);
}

/* BERT's "layer/0/attention" is a layer, and the group it leads, with
 * the dropout, add and norm that follow it: selecting one is not
 * selecting the other. */
static void
test_group_named_as_layer (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;
  gint attention;

  app_test_open_model (window, "bert_base.json");
  set_detail (window, "layers");
  network = envelope_document_get_network (window->document);
  attention = envelope_network_find_layer (network, "layer/0/attention");
  g_assert_cmpint (attention, >=, 0);

  /* the group closed on the canvas, from one of its layers */
  app_test_select (window, "layer/0/attention/add");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->canvas), "canvas.toggle-group", NULL));
  app_test_wait_layout (window);

  app_test_activate (window, "win.select-group", g_variant_new_string ("layer/0/attention"));
  g_assert_cmpstr (envelope_document_get_selected_group (window->document), ==, "layer/0/attention");
  g_assert_cmpstr (envelope_inspector_get_group_title (window->inspector), ==, "layer/0/attention");
  g_assert_nonnull (member_row (window, 1));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (member_row (window, 0))), ==,
                   "layer/0/attention");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (member_row (window, 1))), ==,
                   "layer/0/attention/dropout");

  /* the layer of the same name: its settings, not the group */
  app_test_select (window, "layer/0/attention");
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==, attention);
  g_assert_null (envelope_document_get_selected_group (window->document));
  g_assert_null (envelope_inspector_get_group_title (window->inspector));
  g_assert_nonnull (envelope_inspector_get_formula (window->inspector, ENVELOPE_FIGURE_PARAMS));

  app_test_window_destroy (window);
}

/* Every layer of a large network fitted to a 1280 × 720 window: the
 * blocks' text is too small, and the groups' names are drawn in type
 * that reads. */
static void
test_zoomed_out (gconstpointer data)
{
  const char *file = data;
  EnvelopeWindow *window = envelope_window_new (NULL);
  const EnvelopeViewport *viewport;
  g_autoptr(GArray) labels = NULL;
  g_autofree char *name = NULL;
  EnvelopeRect view = { 0, 0, 0, 0 };
  double zoom, ox, oy;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_frames (GTK_WIDGET (window), 2);
  app_test_open_model (window, file);
  set_detail (window, "layers");
  app_test_activate (window, "win.zoom-fit", NULL);
  app_test_wait_frames (GTK_WIDGET (window), 2);

  viewport = envelope_canvas_get_viewport (window->canvas);
  zoom = envelope_viewport_get_zoom (viewport);
  g_assert_true (envelope_zoom_labels_wanted (zoom));
  view.width = gtk_widget_get_width (GTK_WIDGET (window->canvas));
  view.height = gtk_widget_get_height (GTK_WIDGET (window->canvas));
  envelope_viewport_world_to_widget (viewport, 0, 0, &ox, &oy);
  labels = envelope_zoom_labels_new (envelope_canvas_get_diagram (window->canvas),
                                     envelope_canvas_get_layout (window->canvas), &view, zoom, ox, oy);
  g_assert_cmpuint (labels->len, >=, 4);
  for (guint i = 0; i < labels->len; i++)
    g_assert_cmpfloat (g_array_index (labels, EnvelopeZoomLabel, i).size, >=, ENVELOPE_ZOOM_LABEL_MIN_SIZE);

  name = g_strdup_printf ("zoomed-out-%.*s", (int) (strchr (file, '.') - file), file);
  app_test_screenshot (GTK_WIDGET (window), name);
  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  app_test_init (&argc, &argv);

  g_test_add_func ("/app/groups/stage-totals", test_stage_totals);
  g_test_add_func ("/app/groups/folded-run", test_folded_run);
  g_test_add_func ("/app/groups/named-as-layer", test_group_named_as_layer);
  g_test_add_data_func ("/app/groups/zoomed-out/resnet50", "resnet50.json", test_zoomed_out);
  g_test_add_data_func ("/app/groups/zoomed-out/densenet121", "densenet121.json", test_zoomed_out);
  g_test_add_data_func ("/app/groups/zoomed-out/vit", "vit_b_16.json", test_zoomed_out);
  g_test_add_data_func ("/app/groups/zoomed-out/gpt2", "gpt2.json", test_zoomed_out);

  return g_test_run ();
}
