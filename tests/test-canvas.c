/* test-canvas.c: the canvas keeps its picture and refreshes in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "envelope-format.h"
#include "envelope-layer-row.h"
#include "envelope-overview.h"
#include "test-app-helpers.h"

static EnvelopeWindow *
open_chain (guint n_blocks)
{
  EnvelopeWindow *window = app_test_window_new ();
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  envelope_document_replace (window->document, app_test_show_layers (app_test_make_chain (n_blocks)), NULL);
  while ((envelope_canvas_get_layout_pending (window->canvas) ||
          envelope_canvas_get_layout (window->canvas) == NULL ||
          envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)) != n_blocks) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, n_blocks);
  app_test_wait_table (window);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  return window;
}

/* The overview map's card is not over layer @name's block. */
static void
assert_clear_of_overview (EnvelopeWindow *window,
                          const char     *name)
{
  double x, y;

  g_assert_true (envelope_canvas_get_layer_point (window->canvas, name, &x, &y));
  g_assert_false (gtk_widget_contains (window->overview, x, y));
}

static const EnvelopeBlock *
block_of (EnvelopeWindow *window,
          const char     *name)
{
  const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (window->canvas);
  gint layer = -1;

  for (guint i = 0; i < envelope_diagram_get_n_layers (diagram); i++)
    if (g_str_equal (envelope_diagram_get_layer_name (diagram, i), name))
      layer = (gint) i;
  g_assert_cmpint (layer, >=, 0);
  return envelope_diagram_get_block (diagram, (guint) envelope_diagram_find_block (diagram, (guint) layer));
}

/* A new setting on a network of 1,000 blocks is refreshed in a worker
 * thread, the old picture up meanwhile, and shown on the same layout. */
static void
test_refresh_large (void)
{
  EnvelopeWindow *window = open_chain (1000);
  const EnvelopeDiagram *before = envelope_canvas_get_diagram (window->canvas);
  const EnvelopeLayout *layout = envelope_canvas_get_layout (window->canvas);
  gint64 deadline;

  app_test_select (window, "conv250");
  g_assert_cmpstr (block_of (window, "conv250")->shape_text, ==, "16×32×32");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (24)));

  /* before the main loop has run at all: the old figures, while the
   * new ones are worked out */
  g_assert_true (envelope_canvas_get_diagram (window->canvas) == before);
  g_assert_true (envelope_canvas_get_layout_pending (window->canvas));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (envelope_canvas_get_layout_pending (window->canvas) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (envelope_canvas_get_diagram (window->canvas) != before);
  g_assert_true (envelope_canvas_get_layout (window->canvas) == layout);
  g_assert_cmpstr (block_of (window, "conv250")->shape_text, ==, "24×32×32");
  g_assert_cmpstr (block_of (window, "conv250")->description, ==, "conv 3×3, 24");
  g_assert_cmpstr (block_of (window, "relu250")->shape_text, ==, "24×32×32");
  g_assert_cmpstr (block_of (window, "conv251")->shape_text, ==, "16×32×32");
  g_assert_cmpuint (block_of (window, "conv251")->macs, ==, 32 * 32 * 16 * 24 * 3 * 3);
  app_test_window_destroy (window);
}

/* A plain chain shows its runs of layers as groups: at the automatic
 * detail, a thousand layers of conv and relu are one block "× 499"
 * between the input and the last conv; a layer's run opens and closes
 * on the canvas as a group's would, and the View menu's "Layers" draws
 * every layer. */
static void
test_chain_runs (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeBlock *block;

  envelope_document_replace (window->document, app_test_make_chain (1000), NULL);
  app_test_wait_layout (window);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 3);
  block = block_of (window, "conv250");
  g_assert_true (block->collapsed);
  g_assert_cmpuint (block->repeats, ==, 499);
  g_assert_cmpstr (block->name, ==, "conv1…conv499");
  g_assert_true (block_of (window, "relu499") == block);
  g_assert_false (block_of (window, "conv500")->collapsed);

  /* the run opens whole, the selected layer in its own block … */
  app_test_select (window, "conv250");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->canvas), "canvas.toggle-group", NULL));
  app_test_wait_layout (window);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 1000);
  g_assert_false (block_of (window, "conv250")->collapsed);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "conv250"));

  /* … and the layer's own run, conv250 and its relu, closes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->canvas), "canvas.toggle-group", NULL));
  app_test_wait_layout (window);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 999);
  block = block_of (window, "conv250");
  g_assert_true (block->collapsed);
  g_assert_true (block_of (window, "relu250") == block);
  g_assert_false (block_of (window, "conv251")->collapsed);

  /* every layer, asked for */
  g_object_set (window, "detail", "layers", NULL);
  app_test_wait_layout (window);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 1000);
  g_assert_false (block_of (window, "relu499")->collapsed);

  /* a thousand runs, each conv and relu: the block and the inspector
   * count them with their thousands marked */
  g_object_set (window, "detail", "auto", NULL);
  envelope_document_replace (window->document, app_test_make_chain (2001), NULL);
  app_test_wait_layout (window);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), ==, 2);
  g_assert_cmpstr (block_of (window, "relu1000")->name, ==, "conv1…conv1000");
  g_assert_cmpstr (block_of (window, "relu1000")->description, ==, "× 1,000 · conv");
  app_test_activate (window, "win.select-group", g_variant_new_string ("conv500"));
  g_assert_cmpstr (envelope_inspector_get_group_figure (window->inspector, "description"), ==,
                   "A run of 1,000 groups of the same layers and shapes");
  g_assert_nonnull (strstr (envelope_inspector_get_group_figure (window->inspector, "repeat"), "× 1,000: "));
  /* the table's columns as wide as its longest names and kinds
   * ("conv1000", "conv 3×3, 16"), shown at the run's end */
  app_test_select (window, "relu1000");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  {
    const char *cut = NULL;

    g_assert_cmpuint (app_test_count_cut_labels (GTK_WIDGET (envelope_layer_table_get_view (window->layer_table)), &cut), ==, 0);
    g_assert_null (cut);
  }
  app_test_screenshot (GTK_WIDGET (window), "chain-runs");
  app_test_window_destroy (window);
}

/* The canvas draws its tiles as Cairo nodes of 128 pixels and an apron
 * of 2 on each side; the selection and hover are Cairo nodes too, of
 * other sizes. */
#define TILE_NODE_SIZE 132

static void
collect_tiles (GskRenderNode *node,
                  GPtrArray     *textures)
{
  graphene_rect_t bounds;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CAIRO_NODE:
      gsk_render_node_get_bounds (node, &bounds);
      if (bounds.size.width == TILE_NODE_SIZE && bounds.size.height == TILE_NODE_SIZE)
        g_ptr_array_add (textures, node);
      break;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_tiles (gsk_container_node_get_child (node, i), textures);
      break;
    case GSK_TRANSFORM_NODE:
      collect_tiles (gsk_transform_node_get_child (node), textures);
      break;
    case GSK_CLIP_NODE:
      collect_tiles (gsk_clip_node_get_child (node), textures);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      collect_tiles (gsk_rounded_clip_node_get_child (node), textures);
      break;
    case GSK_OPACITY_NODE:
      collect_tiles (gsk_opacity_node_get_child (node), textures);
      break;
    case GSK_DEBUG_NODE:
      collect_tiles (gsk_debug_node_get_child (node), textures);
      break;
    default:
      break;
    }
}

/* The canvas' tiles, as it draws itself now. */
static GPtrArray *
canvas_tiles (EnvelopeWindow *window)
{
  GtkWidget *canvas = GTK_WIDGET (window->canvas);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GPtrArray *textures = g_ptr_array_new_with_free_func ((GDestroyNotify) gsk_render_node_unref);
  GskRenderNode *node;

  GTK_WIDGET_GET_CLASS (canvas)->snapshot (canvas, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  collect_tiles (node, textures);
  for (guint i = 0; i < textures->len; i++)
    gsk_render_node_ref (g_ptr_array_index (textures, i));
  gsk_render_node_unref (node);
  return textures;
}

static guint
n_kept (GPtrArray *before,
        GPtrArray *after)
{
  guint n = 0;

  for (guint i = 0; i < after->len; i++)
    n += g_ptr_array_find (before, g_ptr_array_index (after, i), NULL);
  return n;
}

/* A frame that changes nothing in the diagram draws none of it again; a
 * new setting draws again only the tiles of the blocks it changed. */
static void
test_kept_picture (void)
{
  EnvelopeWindow *window = open_chain (1000);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GPtrArray) edited = NULL;

  app_test_select (window, "conv250");
  app_test_wait_frames (GTK_WIDGET (window), 2);
  first = canvas_tiles (window);
  g_assert_cmpuint (first->len, >, 8);

  again = canvas_tiles (window);
  g_assert_cmpuint (n_kept (first, again), ==, first->len);

  /* the selection is drawn over the tiles: none of them changes */
  app_test_select (window, "relu250");
  selected = canvas_tiles (window);
  g_assert_cmpuint (selected->len, ==, first->len);
  g_assert_cmpuint (n_kept (first, selected), ==, first->len);

  /* conv250, relu250 and conv251 show new figures; the rest stays */
  app_test_select (window, "conv250");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (24)));
  app_test_wait_layout (window);   /* the new figures, from the worker thread */
  edited = canvas_tiles (window);
  g_assert_cmpuint (edited->len, ==, first->len);
  g_assert_cmpuint (n_kept (first, edited), <, edited->len);
  g_assert_cmpuint (n_kept (first, edited), >, 0);
  app_test_window_destroy (window);
}

/* ResNet-50 opens showing all of itself at a size that reads: its
 * bottlenecks collapsed, runs of them folded, in rows; Enter (or a
 * double click) opens a block and closes it again around a layer. */
static void
test_open_and_close_groups (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeBlock *block;
  double zoom;

  app_test_open_model (window, "resnet50.json");
  block = block_of (window, "layer3/2/conv1");
  g_assert_true (block->collapsed);
  g_assert_cmpuint (block->repeats, ==, 5);
  g_assert_cmpstr (block->name, ==, "layer3/1…5");
  g_assert_cmpuint (envelope_layout_get_n_rows (envelope_canvas_get_layout (window->canvas)), >, 1);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (window->canvas)), <, 40);

  /* open the run, zoomed in on it: its five bottlenecks' layers each
   * get a block */
  app_test_select (window, "layer3/2/conv1");
  app_test_activate (window, "win.zoom-selection", NULL);
  zoom = envelope_viewport_get_zoom (envelope_canvas_get_viewport (window->canvas));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->canvas), "canvas.toggle-group", NULL));
  app_test_wait_layout (window);
  block = block_of (window, "layer3/2/conv1");
  g_assert_false (block->collapsed);
  g_assert_cmpstr (block->name, ==, "layer3/2/conv1");
  g_assert_false (block_of (window, "layer3/5/conv3")->collapsed);
  g_assert_true (block_of (window, "layer2/1/conv1")->collapsed);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (envelope_document_get_network (window->document), "layer3/2/conv1"));
  /* folded again to the view's width at the zoom it keeps */
  {
    const EnvelopeViewport *viewport = envelope_canvas_get_viewport (window->canvas);
    double width, height;
    EnvelopeRect bounds;

    envelope_viewport_get_size (viewport, &width, &height);
    envelope_layout_get_bounds (envelope_canvas_get_layout (window->canvas), &bounds);
    g_assert_cmpfloat (envelope_viewport_get_zoom (viewport), ==, zoom);
    g_assert_cmpfloat (bounds.width * zoom, <=, width);
  }

  /* close the one around the selected layer */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->canvas), "canvas.toggle-group", NULL));
  app_test_wait_layout (window);
  block = block_of (window, "layer3/2/conv1");
  g_assert_true (block->collapsed);
  g_assert_cmpstr (block->name, ==, "layer3/2");
  g_assert_false (block_of (window, "layer3/3/conv1")->collapsed);

  /* another view starts afresh */
  g_object_set (window, "detail", "blocks", NULL);
  app_test_wait_layout (window);
  g_assert_true (block_of (window, "layer3/3/conv1")->collapsed);
  app_test_window_destroy (window);
}

/* Ctrl+F: a layer found by name or kind is selected, its collapsed
 * block opened; Ctrl+G and Shift+Ctrl+G go from match to match. */
static void
test_find (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  const EnvelopeNetwork *network;

  app_test_open_model (window, "resnet50.json");
  network = envelope_document_get_network (window->document);
  g_assert_true (block_of (window, "layer3/2/conv2")->collapsed);

  app_test_activate (window, "win.find-text", g_variant_new_string ("Layer3/2/conv2"));
  app_test_wait_layout (window);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "layer3/2/conv2"));
  g_assert_false (block_of (window, "layer3/2/conv2")->collapsed);
  g_assert_cmpstr (gtk_label_get_text (window->find_label), ==, "1 of 1");

  /* by kind: the one global average pooling */
  app_test_activate (window, "win.find-text", g_variant_new_string ("global_avg"));
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "avgpool"));

  /* 53 convolutions; the next after layer1/0/conv1 is layer1/0/conv2 */
  app_test_select (window, "layer1/0/conv1");
  app_test_activate (window, "win.find-text", g_variant_new_string ("conv"));
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "layer1/0/conv1"));
  app_test_activate (window, "win.find-next", NULL);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "layer1/0/conv2"));
  app_test_activate (window, "win.find-previous", NULL);
  app_test_activate (window, "win.find-previous", NULL);
  g_assert_cmpint (envelope_document_get_selected_layer (window->document), ==,
                   envelope_network_find_layer (network, "conv1"));
  g_assert_cmpstr (gtk_label_get_text (window->find_label), ==, "1 of 53");

  /* zoomed in on it, the overview map shows where the view is, in the
   * corner where it hides least of the blocks, never over the selected one */
  app_test_activate (window, "win.zoom-selection", NULL);
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpfloat (envelope_canvas_get_zoom (window->canvas), ==, 1.0);
  g_assert_cmpfloat (gtk_widget_get_opacity (window->overview), >, 0);
  assert_clear_of_overview (window, "conv1");
  {
    const EnvelopeViewport *viewport = envelope_canvas_get_viewport (window->canvas);
    double x, y, cx, cy;
    double w = gtk_widget_get_width (GTK_WIDGET (window->canvas)), h = gtk_widget_get_height (GTK_WIDGET (window->canvas));
    EnvelopeRect bounds;

    /* the diagram's end in the middle of the view: nothing in the
     * bottom right corner, where the card goes, in the diagram's
     * proportions (ResNet-50's rows are wider than tall), opaque; the
     * canvas shows, and takes clicks, beside it */
    envelope_layout_get_bounds (envelope_canvas_get_layout (window->canvas), &bounds);
    envelope_canvas_center_on (window->canvas, bounds.x + bounds.width, bounds.y + bounds.height);
    app_test_wait_frames (GTK_WIDGET (window), 3);
    g_assert_false (envelope_overview_get_top_left (ENVELOPE_OVERVIEW (window->overview)));
    g_assert_false (envelope_overview_get_covering (ENVELOPE_OVERVIEW (window->overview)));
    g_assert_cmpfloat (gtk_widget_get_opacity (window->overview), ==, 1.0);
    g_assert_true (gtk_widget_contains (window->overview, gtk_widget_get_width (window->overview) - 15,
                                        gtk_widget_get_height (window->overview) - 15));
    g_assert_false (gtk_widget_contains (window->overview, gtk_widget_get_width (window->overview) - 15 - 220,
                                         gtk_widget_get_height (window->overview) - 15));
    g_assert_false (gtk_widget_contains (window->overview, 15, 15));

    /* the selected block moved under it: the map goes to the top left */
    app_test_select (window, "conv1");
    g_assert_true (envelope_canvas_get_layer_point (window->canvas, "conv1", &x, &y));
    envelope_viewport_get_center (viewport, &cx, &cy);
    envelope_canvas_center_on (window->canvas, cx - envelope_viewport_pixels_to_world (viewport, w - 50 - x),
                               cy - envelope_viewport_pixels_to_world (viewport, h - 40 - y));
    app_test_wait_frames (GTK_WIDGET (window), 3);
    g_assert_true (envelope_overview_get_top_left (ENVELOPE_OVERVIEW (window->overview)));
    g_assert_true (gtk_widget_contains (window->overview, 15, 15));
    assert_clear_of_overview (window, "conv1");

    /* in the middle of the rows, blocks in both corners: the card lets
     * them show through */
    envelope_canvas_center_on (window->canvas, bounds.x + bounds.width / 2, bounds.y + bounds.height / 2);
    app_test_wait_frames (GTK_WIDGET (window), 3);
    g_assert_true (envelope_overview_get_covering (ENVELOPE_OVERVIEW (window->overview)));
    g_assert_cmpfloat (gtk_widget_get_opacity (window->overview), <, 0.5);
  }

  app_test_activate (window, "win.find-text", g_variant_new_string ("nosuchlayer"));
  g_assert_cmpstr (gtk_label_get_text (window->find_label), ==, "No match");
  app_test_window_destroy (window);
}

/* The share of the parameters that layer @name's row says, and the one
 * the document's analysis gives. */
static void
assert_share (EnvelopeWindow *window,
              const char     *name)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (window->document);
  gint index = envelope_network_find_layer (envelope_document_get_network (window->document), name);
  g_autoptr(EnvelopeLayerRow) row = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (index, >=, 0);
  row = g_list_model_get_item (envelope_layer_table_get_model (window->layer_table), (guint) index);
  g_assert_cmpuint (envelope_layer_row_get_index (row), ==, (guint) index);
  expected = envelope_format_percent (envelope_analysis_get_layer (analysis, (guint) index)->params,
                                      envelope_analysis_get_totals (analysis)->params);
  g_assert_cmpstr (envelope_layer_row_get_text (row, "params-share"), ==, expected);
}

/* A new setting of one layer on a network of 1,000 updates the table's
 * rows of the layers whose figures changed and those on screen; a row
 * off screen is up to date when it comes on screen. */
static void
test_table_rows_in_place (void)
{
  EnvelopeWindow *window = open_chain (1000);
  GListModel *rows = envelope_layer_table_get_model (window->layer_table);
  gint conv251 = envelope_network_find_layer (envelope_document_get_network (window->document), "conv251");
  g_autoptr(EnvelopeLayerRow) row = NULL;
  g_autofree char *before = NULL;

  app_test_select (window, "conv250");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  row = g_list_model_get_item (rows, (guint) conv251);
  before = g_strdup (envelope_layer_row_get_text (row, "macs-text"));
  assert_share (window, "conv250");

  /* 4,096 filters: the two convolutions it touches hold half the
   * parameters, and every other layer's share halves */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (4096)));
  g_assert_cmpstr (envelope_layer_row_get_text (row, "macs-text"), !=, before);
  g_assert_cmpstr (envelope_layer_row_get_text (row, "output"), ==, "16×32×32");
  assert_share (window, "conv250");
  assert_share (window, "conv251");
  assert_share (window, "conv249");   /* on screen */

  /* far off: on screen once selected */
  app_test_select (window, "conv480");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  assert_share (window, "conv480");
  app_test_window_destroy (window);
}

/* The cells under @widget: how many are labels, and the inscription
 * that reads @text (NULL when none does). */
static GtkWidget *
find_cell (GtkWidget  *widget,
           const char *text,
           guint      *n_labels)
{
  GtkWidget *found = NULL;

  if (GTK_IS_LABEL (widget))
    (*n_labels)++;
  if (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    found = widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *in_child = find_cell (child, text, n_labels);
      if (found == NULL)
        found = in_child;
    }
  return found;
}

static GtkWidget *
table_rows (EnvelopeWindow *window)
{
  GtkWidget *view = GTK_WIDGET (envelope_layer_table_get_view (window->layer_table));

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  g_assert_not_reached ();
}

/* The table's cells are inscriptions, whose size does not follow their
 * text: a new setting has the rows on screen drawn again with their new
 * figures, not measured again; and the table stays where the user
 * scrolled it, away from the layer being edited. */
static void
test_table_cells_after_edit (void)
{
  EnvelopeWindow *window = open_chain (1000);
  GtkWidget *rows = table_rows (window);
  GtkAdjustment *scroll = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (rows));
  guint n_labels = 0;
  GtkWidget *cell;
  double top;

  app_test_select (window, "conv250");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_nonnull (find_cell (rows, "conv250", &n_labels));
  g_assert_nonnull (find_cell (rows, "16×32×32", &n_labels));
  g_assert_cmpuint (n_labels, ==, 0);
  top = gtk_adjustment_get_value (scroll);
  g_assert_cmpfloat (top, >, 0);

  /* 24 filters: conv250 and relu250 read 24×32×32; conv251's MACs */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (24)));
  app_test_wait_frames (GTK_WIDGET (window), 3);
  cell = find_cell (rows, "24×32×32", &n_labels);
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_get_mapped (cell));
  g_assert_nonnull (find_cell (rows, "3,538,944", &n_labels));   /* 32 × 32 × 24 × 16 × 3 × 3 */
  g_assert_cmpuint (n_labels, ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), ==, top);

  /* scrolled to the top, the table stays there through an edit */
  gtk_adjustment_set_value (scroll, 0);
  app_test_wait_frames (GTK_WIDGET (window), 3);
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (32)));
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), ==, 0);
  g_assert_nonnull (find_cell (rows, "conv1", &n_labels));
  g_assert_null (find_cell (rows, "conv250", &n_labels));

  /* another layer selected: the table goes to it */
  app_test_select (window, "conv480");
  app_test_wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), >, top);
  g_assert_nonnull (find_cell (rows, "conv480", &n_labels));
  app_test_window_destroy (window);
}

/* A network opened is drawn first and tabled after, a few rows at a
 * time: the table is empty when the file has been read, and whole once
 * its rows are in, in order, with the selected layer's row selected.
 * An edit while the rows come in leaves the table with its figures. */
static void
test_table_filled_after_open (void)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(EnvelopeNetwork) network = app_test_show_layers (app_test_make_chain (1000));
  g_autofree char *path = app_test_temp_path ("chain-1000.json");
  GListModel *rows = envelope_layer_table_get_model (window->layer_table);
  GtkSelectionModel *selection = gtk_column_view_get_model (envelope_layer_table_get_view (window->layer_table));
  g_autoptr(EnvelopeLayerRow) row = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gint conv250;

  g_assert_true (envelope_network_save_to_file (network, path, NULL));
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);
  app_test_select (window, "conv250");
  conv250 = envelope_document_get_selected_layer (window->document);
  while (g_list_model_get_n_items (rows) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* a slice of the first 200 rows, which the view makes widgets for */
  g_assert_cmpuint (g_list_model_get_n_items (rows), <, 200);

  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (24)));
  /* FLOPs asked for meanwhile: the rows still to come count them too */
  envelope_layer_table_set_flops (window->layer_table, TRUE);
  while (g_list_model_get_n_items (rows) < 1000 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(EnvelopeLayerRow) each = g_list_model_get_item (rows, i);
      g_assert_cmpuint (envelope_layer_row_get_index (each), ==, i);
    }
  row = g_list_model_get_item (rows, (guint) conv250);
  g_assert_cmpstr (envelope_layer_row_get_text (row, "name"), ==, "conv250");
  g_assert_cmpstr (envelope_layer_row_get_text (row, "output"), ==, "24×32×32");
  /* 2 × 32 × 32 × 24 × 16 × 3 × 3 */
  g_assert_cmpstr (envelope_layer_row_get_text (row, "macs-text"), ==, "7,077,888");
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection)), ==, (guint) conv250);
  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  app_test_init (&argc, &argv);

  g_test_add_func ("/app/canvas/refresh-large", test_refresh_large);
  g_test_add_func ("/app/canvas/kept-picture", test_kept_picture);
  g_test_add_func ("/app/canvas/chain-runs", test_chain_runs);
  g_test_add_func ("/app/canvas/open-and-close-groups", test_open_and_close_groups);
  g_test_add_func ("/app/canvas/find", test_find);
  g_test_add_func ("/app/canvas/table-rows-in-place", test_table_rows_in_place);
  g_test_add_func ("/app/canvas/table-cells-after-edit", test_table_cells_after_edit);
  g_test_add_func ("/app/canvas/table-filled-after-open", test_table_filled_after_open);

  return g_test_run ();
}
