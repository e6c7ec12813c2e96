/* test-render-zoom-labels.c: the groups named when blocks are too small
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-render-helpers.h"

#define VIEW_WIDTH 1000.0
#define VIEW_HEIGHT 500.0

static Laid *
lay_out_wrapped (const char *file,
                 guint       wrap)
{
  EnvelopeDiagramOptions options;

  envelope_diagram_options_init (&options);
  options.wrap = wrap;
  return lay_out (model_load (file), &options);
}

/* The zoom at which the whole layout fills the view, and its origin. */
static double
fit_zoom (const EnvelopeLayout *layout,
          double               *origin_x,
          double               *origin_y)
{
  EnvelopeRect bounds;
  double zoom;

  envelope_layout_get_bounds (layout, &bounds);
  zoom = MIN (VIEW_WIDTH / bounds.width, VIEW_HEIGHT / bounds.height);
  *origin_x = (VIEW_WIDTH - bounds.width * zoom) / 2 - bounds.x * zoom;
  *origin_y = (VIEW_HEIGHT - bounds.height * zoom) / 2 - bounds.y * zoom;
  return zoom;
}

/* Every label reads (its type at least the smallest size), lies in the
 * view and covers no other. */
static void
assert_readable (const GArray       *labels,
                 const EnvelopeRect *view)
{
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

      g_assert_cmpfloat (label->size, >=, ENVELOPE_ZOOM_LABEL_MIN_SIZE);
      g_assert_cmpfloat (label->size, <=, ENVELOPE_ZOOM_LABEL_MAX_SIZE);
      g_assert_cmpfloat (label->box.x, >=, view->x - 1e-6);
      g_assert_cmpfloat (label->box.y, >=, view->y - 1e-6);
      g_assert_cmpfloat (label->box.x + label->box.width, <=, view->x + view->width + 1e-6);
      g_assert_cmpfloat (label->box.y + label->box.height, <=, view->y + view->height + 1e-6);
      /* wide enough for its text at that size: a few pixels a letter */
      g_assert_cmpfloat (label->box.width, >, strlen (label->text) * label->size * 0.4);
      for (guint j = 0; j < i; j++)
        g_assert_false (envelope_rect_intersects (&label->box, &g_array_index (labels, EnvelopeZoomLabel, j).box));
    }
}

static gboolean
has_label (const GArray *labels,
           const char   *text)
{
  for (guint i = 0; i < labels->len; i++)
    if (g_str_equal (g_array_index (labels, EnvelopeZoomLabel, i).text, text))
      return TRUE;
  return FALSE;
}

static void
test_wanted (void)
{
  /* a block's name is 9 points: 4.5 pixels at 50 %, 9 at 100 % */
  g_assert_true (envelope_zoom_labels_wanted (0.02));
  g_assert_true (envelope_zoom_labels_wanted (0.5));
  g_assert_false (envelope_zoom_labels_wanted (0.8));
  g_assert_false (envelope_zoom_labels_wanted (96.0 / 72.0));
}

/* ResNet-50's 175 layers in one row, 1,000 pixels wide: the blocks'
 * text would be under a pixel high; the four stages are named, and the
 * seven layers in no stage, over them or called out beside the row, and
 * no layer inside a stage. */
static void
test_resnet_stages (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("resnet50.json", 0);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy);
  g_autoptr(GArray) labels = NULL;
  const char *alone[] = { "data", "conv1", "bn1", "relu", "maxpool", "avgpool", "fc" };
  double last_x = -G_MAXDOUBLE;

  g_assert_true (envelope_zoom_labels_wanted (zoom));
  g_assert_cmpfloat (9.0 * zoom, <, 1.0);
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  g_assert_cmpuint (labels->len, ==, 4 + G_N_ELEMENTS (alone));
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

      g_assert_true (g_str_has_prefix (label->text, "layer") || g_strv_contains (alone, label->text));
      g_assert_null (strchr (label->text, '/'));
    }
  g_assert_true (has_label (labels, "layer1"));
  g_assert_true (has_label (labels, "layer2"));
  g_assert_true (has_label (labels, "layer3"));
  g_assert_true (has_label (labels, "layer4"));
  for (guint k = 0; k < G_N_ELEMENTS (alone); k++)
    g_assert_true (has_label (labels, alone[k]));
  assert_readable (labels, &view);
  /* the names over the row in the flow's order, each over its own blocks */
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

      if (label->callout)
        continue;
      g_assert_cmpfloat (label->area.x, >, last_x);
      last_x = label->area.x;
    }
}

/* Wrapped into four rows: a stage over two rows is named on each. */
static void
test_resnet_wrapped (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("resnet50.json", 4);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy);
  g_autoptr(GArray) labels = NULL;

  g_assert_cmpuint (envelope_layout_get_n_rows (laid->layout), >, 1);
  g_assert_true (envelope_zoom_labels_wanted (zoom));
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  g_assert_cmpuint (labels->len, >=, 4);
  for (guint s = 1; s <= 4; s++)
    {
      g_autofree char *stage = g_strdup_printf ("layer%u", s);
      g_assert_true (has_label (labels, stage));
    }
  assert_readable (labels, &view);
}

/* Closer, with layer3 wider than the view: its blocks are named too. */
static void
test_resnet_closer (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("resnet50.json", 0);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy) * 8;
  g_autoptr(GArray) labels = NULL;
  gint block = -1;
  EnvelopeRect rect;
  guint deeper = 0;

  for (guint b = 0; b < envelope_diagram_get_n_blocks (laid->diagram); b++)
    if (g_str_equal (envelope_diagram_get_block (laid->diagram, b)->name, "layer3/2/conv2"))
      block = (gint) b;
  g_assert_cmpint (block, >=, 0);
  envelope_layout_get_block_rect (laid->layout, (guint) block, &rect);
  /* layer3/2 in the middle of the view */
  ox = VIEW_WIDTH / 2 - (rect.x + rect.width / 2) * zoom;
  oy = VIEW_HEIGHT / 2 - (rect.y + rect.height / 2) * zoom;
  g_assert_true (envelope_zoom_labels_wanted (zoom));
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  assert_readable (labels, &view);
  g_assert_true (has_label (labels, "layer3"));
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

      if (label->depth == 2)
        {
          g_assert_true (g_str_has_prefix (label->text, "layer3/"));
          deeper++;
        }
    }
  g_assert_cmpuint (deeper, >=, 2);
}

/* GPT-2: one group "h" holds the twelve blocks; they are named. */
static void
test_transformer_blocks (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("gpt2.json", 3);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy);
  g_autoptr(GArray) labels = NULL;
  guint blocks = 0;

  g_assert_true (envelope_zoom_labels_wanted (zoom));
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  assert_readable (labels, &view);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_has_prefix (g_array_index (labels, EnvelopeZoomLabel, i).text, "h/"))
      blocks++;
  g_assert_cmpuint (blocks, >=, 6);
}

/* Drawn, each label's card shows over the diagram's area. */
static void
test_draw (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("resnet50.json", 0);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy);
  g_autoptr(GArray) labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) VIEW_WIDTH, (int) VIEW_HEIGHT);
  cairo_t *cr = cairo_create (surface);
  const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, 0);
  guint inked = 0;
  unsigned char *data;
  int stride;

  envelope_zoom_labels_draw (cr, labels, ENVELOPE_THEME_LIGHT);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  /* dark text on the card: pixels far from the card's light colour */
  for (int y = (int) label->box.y; y < (int) (label->box.y + label->box.height); y++)
    for (int x = (int) label->box.x; x < (int) (label->box.x + label->box.width); x++)
      {
        guint32 pixel = *(guint32 *) (data + y * stride + x * 4);

        if ((pixel >> 24) > 200 && ((pixel >> 8) & 0xff) < 100)
          inked++;
      }
  g_assert_cmpuint (inked, >, 20);
  cairo_surface_destroy (surface);
}

/* DenseNet-121 collapsed to its blocks and wrapped into four rows, as
 * the window opens it, zoomed out to a third in a small canvas: its
 * blocks' names are longer than their blocks ("denseblock1" is 50 %
 * wider), but every block is named, shortened in the middle where it
 * must be, its number kept ("dens…1"), and no card covers another. */
static void
test_densenet_blocks (void)
{
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) laid = NULL;
  EnvelopeRect view = { 0, 0, 735, 380 }, bounds;
  /* the window's 33 %: a third of its natural size, 96 pixels an inch */
  double zoom = 0.33 * 96.0 / 72.0, ox, oy;
  g_autoptr(GArray) labels = NULL;
  guint collapsed = 0, shortened = 0;

  envelope_diagram_options_init (&options);
  options.collapse_depth = 1;
  options.wrap = 4;
  laid = lay_out (model_load ("densenet121.json"), &options);
  g_assert_cmpuint (envelope_layout_get_n_rows (laid->layout), ==, 4);
  envelope_layout_get_bounds (laid->layout, &bounds);
  ox = (view.width - bounds.width * zoom) / 2 - bounds.x * zoom;
  oy = (view.height - bounds.height * zoom) / 2 - bounds.y * zoom;
  g_assert_true (envelope_zoom_labels_wanted (zoom));
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  assert_readable (labels, &view);

  for (guint b = 0; b < envelope_diagram_get_n_blocks (laid->diagram); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (laid->diagram, b);
      const EnvelopeZoomLabel *named = NULL;
      EnvelopeRect rect;

      envelope_layout_get_block_rect (laid->layout, b, &rect);
      for (guint i = 0; i < labels->len; i++)
        {
          const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

          if (fabs (label->area.x - (ox + rect.x * zoom)) < 0.01 && fabs (label->area.y - (oy + rect.y * zoom)) < 0.01)
            named = label;
        }
      g_assert_nonnull (named);
      collapsed += block->collapsed;
      if (!g_str_equal (named->text, block->name))
        {
          const char *ellipsis = strstr (named->text, "…");

          /* its first letters, the ellipsis, and its number */
          g_assert_nonnull (ellipsis);
          g_assert_true (strncmp (named->text, block->name, (gsize) (ellipsis - named->text)) == 0);
          g_assert_true (g_str_has_suffix (block->name, ellipsis + strlen ("…")));
          g_assert_cmpint (g_utf8_strlen (named->text, ellipsis - named->text), >=, 4);
          shortened++;
        }
      /* the name reads over the block, not halfway to the next */
      g_assert_cmpfloat (named->box.x + named->box.width / 2, >, ox + rect.x * zoom);
      g_assert_cmpfloat (named->box.x + named->box.width / 2, <, ox + (rect.x + rect.width) * zoom);
    }
  /* the four dense blocks and three transitions, each shortened */
  g_assert_cmpuint (collapsed, ==, 7);
  g_assert_cmpuint (shortened, >=, 7);
  g_assert_cmpuint (labels->len, ==, envelope_diagram_get_n_blocks (laid->diagram));
}

/* DenseNet-121's stages (its dense blocks and transitions collapsed),
 * folded into about @wrap rows. */
static Laid *
densenet_stages (guint wrap)
{
  EnvelopeDiagramOptions options;

  envelope_diagram_options_init (&options);
  options.collapse_depth = 1;
  options.wrap = wrap;
  return lay_out (model_load ("densenet121.json"), &options);
}

/* The labels of @laid drawn at @zoom in the middle of @view, its
 * origin there at (@ox, @oy). */
static GArray *
labels_centred (const Laid         *laid,
                const EnvelopeRect *view,
                double              zoom,
                double             *ox,
                double             *oy)
{
  EnvelopeRect bounds;

  envelope_layout_get_bounds (laid->layout, &bounds);
  *ox = (view->width - bounds.width * zoom) / 2 - bounds.x * zoom;
  *oy = (view->height - bounds.height * zoom) / 2 - bounds.y * zoom;
  return envelope_zoom_labels_new (laid->diagram, laid->layout, view, zoom, *ox, *oy);
}

/* Further out, at the window's 13 % in a larger canvas, the blocks are
 * too small for any name: the collapsed blocks are named beside the
 * diagram, above it for the upper rows and under it for the lower, in
 * full, with a line to their block; none covers another. */
static void
test_densenet_callouts (void)
{
  g_autoptr(Laid) laid = densenet_stages (4);
  EnvelopeRect view = { 0, 0, 1010, 570 }, bounds;
  double zoom = 0.13 * 96.0 / 72.0, ox, oy;
  g_autoptr(GArray) labels = labels_centred (laid, &view, zoom, &ox, &oy);
  guint collapsed = 0;

  envelope_layout_get_bounds (laid->layout, &bounds);
  assert_readable (labels, &view);

  for (guint b = 0; b < envelope_diagram_get_n_blocks (laid->diagram); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (laid->diagram, b);
      const EnvelopeZoomLabel *named = NULL;
      EnvelopeRect rect;

      if (!block->collapsed)
        continue;
      collapsed++;
      envelope_layout_get_block_rect (laid->layout, b, &rect);
      for (guint i = 0; i < labels->len; i++)
        {
          const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);

          if (fabs (label->area.x - (ox + rect.x * zoom)) < 0.01 && fabs (label->area.y - (oy + rect.y * zoom)) < 0.01)
            named = label;
        }
      g_assert_nonnull (named);
      g_assert_true (named->callout);
      g_assert_cmpstr (named->text, ==, block->name);
      /* beside the diagram, on the side of its row */
      if (rect.y + rect.height / 2 < bounds.y + bounds.height / 2)
        g_assert_cmpfloat (named->box.y + named->box.height, <, oy + bounds.y * zoom);
      else
        g_assert_cmpfloat (named->box.y, >, oy + (bounds.y + bounds.height) * zoom);
    }
  g_assert_cmpuint (collapsed, ==, 7);
}

/* GoogLeNet folded into six rows, as a window of 1280 × 720 shows it
 * zoomed out to 13 %: the diagram is taller than wide, and its groups
 * are called out to its left and right, each side in the order of its
 * groups from top to bottom (so that no two lines cross), none covering
 * another and every one inside the view. */
static void
test_googlenet_side_callouts (void)
{
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) laid = NULL;
  EnvelopeRect view = { 0, 0, 735, 320 }, bounds;
  double zoom = 0.13 * 96.0 / 72.0, ox, oy, left, right;
  g_autoptr(GArray) labels = NULL;
  guint called = 0;
  const char *modules[] = { "conv1", "conv2", "conv3", "inception3a", "inception3b", "inception4a", "inception4b",
                            "inception4c", "inception4d", "inception4e", "inception5a", "inception5b" };

  envelope_diagram_options_init (&options);
  options.collapse_depth = 1;
  options.wrap = 6;
  laid = lay_out (model_load ("googlenet.json"), &options);
  envelope_layout_get_bounds (laid->layout, &bounds);
  g_assert_cmpfloat (bounds.height, >, bounds.width / 2);
  ox = (view.width - bounds.width * zoom) / 2 - bounds.x * zoom;
  oy = (view.height - bounds.height * zoom) / 2 - bounds.y * zoom;
  left = ox + bounds.x * zoom;
  right = ox + (bounds.x + bounds.width) * zoom;
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  assert_readable (labels, &view);

  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *a = &g_array_index (labels, EnvelopeZoomLabel, i);
      gboolean a_left = a->box.x + a->box.width <= left;

      if (!a->callout)
        continue;
      called++;
      g_assert_true (a_left || a->box.x >= right);
      /* on the side of its group */
      g_assert_true (a_left == (a->area.x + a->area.width / 2 < (left + right) / 2));
      for (guint j = 0; j < labels->len; j++)
        {
          const EnvelopeZoomLabel *b = &g_array_index (labels, EnvelopeZoomLabel, j);

          /* in one column of cards */
          if (j == i || !b->callout || (a_left ? fabs (b->box.x + b->box.width - a->box.x - a->box.width) > 0.01
                                               : fabs (b->box.x - a->box.x) > 0.01))
            continue;
          /* (groups level with each other: see densenet-side-callouts) */
          if (a->area.y + a->area.height / 2 < b->area.y + b->area.height / 2 - 0.01)
            g_assert_cmpfloat (a->box.y, <, b->box.y);
        }
    }
  /* GoogLeNet's three stems and nine Inception modules, and its eight
   * layers in none (the input, four max poolings, the average pooling,
   * dropout and fc), called out where not named over their blocks */
  g_assert_cmpuint (called, >=, 12);
  g_assert_cmpuint (labels->len, ==, 12 + 8);
  for (guint k = 0; k < G_N_ELEMENTS (modules); k++)
    g_assert_true (has_label (labels, modules[k]));
}

/* Three branches side by side whose layers' names, as an importer
 * makes them, are wider than their blocks at the zoom of a narrow
 * column, and a chain on either side. */
static const char branches_json[] =
  "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"branches\", \"layers\": ["
  "{\"name\": \"input\", \"type\": \"input\", \"shape\": [16, 32, 32]},"
  "{\"name\": \"stem/Convolution\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"mixed/Convolution_1\", \"type\": \"conv\", \"inputs\": [\"stem/Convolution\"], \"filters\": 16, \"kernel\": 1},"
  "{\"name\": \"mixed/Normalization_1\", \"type\": \"batch_norm\"},"
  "{\"name\": \"mixed/Convolution_2\", \"type\": \"conv\", \"inputs\": [\"stem/Convolution\"], \"filters\": 16, \"kernel\": 1},"
  "{\"name\": \"mixed/Normalization_2\", \"type\": \"batch_norm\"},"
  "{\"name\": \"mixed/Convolution_3\", \"type\": \"conv\", \"inputs\": [\"stem/Convolution\"], \"filters\": 16, \"kernel\": 1},"
  "{\"name\": \"mixed/Normalization_3\", \"type\": \"batch_norm\"},"
  "{\"name\": \"mixed/Concatenate\", \"type\": \"concat\", \"inputs\": "
  "[\"mixed/Normalization_1\", \"mixed/Normalization_2\", \"mixed/Normalization_3\"]},"
  "{\"name\": \"head/Global_Pooling\", \"type\": \"global_avg_pool\"},"
  "{\"name\": \"head/Classifier\", \"type\": \"dense\", \"units\": 10}]}";

/* Top to bottom in a narrow column, as presented, every group open: a
 * name wider than its branch's block goes between the rows or beside
 * the blocks, never over a neighbour's block, shortened in its middle
 * where the whole name has no room; one with nowhere to go is left out. */
static void
test_column_branches (void)
{
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) laid = NULL;
  EnvelopeRect view = { 0, 0, 360, 240 }, bounds;
  g_autoptr(GArray) labels = NULL;
  double zoom, ox, oy;
  guint leaves = 0, shortened = 0;

  envelope_diagram_options_init (&options);
  options.direction = ENVELOPE_DIRECTION_TOP_BOTTOM;
  options.collapse_depth = 0;
  laid = lay_out (model_parse (branches_json), &options);
  envelope_layout_get_bounds (laid->layout, &bounds);
  /* just too small for the blocks' own text, the diagram's top in view */
  zoom = 0.7;
  g_assert_true (envelope_zoom_labels_wanted (zoom));
  g_assert_cmpfloat (bounds.width * zoom, <, view.width);
  ox = 8 - bounds.x * zoom;
  oy = 8 - bounds.y * zoom;
  labels = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, zoom, ox, oy);
  assert_readable (labels, &view);

  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);
      EnvelopeRect inner = label->box;

      envelope_rect_inflate (&inner, -1, -1);
      leaves += g_str_has_prefix (label->text, "Conv") || g_str_has_prefix (label->text, "Norm");
      shortened += strstr (label->text, "…") != NULL;
      for (guint b = 0; b < envelope_layout_get_n_blocks (laid->layout); b++)
        {
          EnvelopeRect rect;

          envelope_layout_get_block_rect (laid->layout, b, &rect);
          rect = (EnvelopeRect) { ox + rect.x * zoom, oy + rect.y * zoom, rect.width * zoom, rect.height * zoom };
          if (!envelope_rect_intersects (&rect, &inner))
            continue;
          /* a block it covers is one of its own */
          g_assert_cmpfloat (rect.x, >=, label->area.x - 0.5);
          g_assert_cmpfloat (rect.y, >=, label->area.y - 0.5);
          g_assert_cmpfloat (rect.x + rect.width, <=, label->area.x + label->area.width + 0.5);
          g_assert_cmpfloat (rect.y + rect.height, <=, label->area.y + label->area.height + 0.5);
        }
    }
  /* the branches' six layers are named, some of them shortened in the
   * middle ("Norm…2") to fit between their neighbours' names */
  g_assert_cmpuint (leaves, ==, 6);
  g_assert_cmpuint (shortened, >=, 1);
}

/* The line from a card beside the diagram to its group, as drawn. */
static void
callout_line (const EnvelopeZoomLabel *label,
              double                  *x0,
              double                  *y0,
              double                  *x1,
              double                  *y1)
{
  EnvelopeRect area = label->area;
  gboolean left;

  envelope_rect_inflate (&area, 4, 4);
  left = label->box.x < area.x;
  *x0 = left ? label->box.x + label->box.width : label->box.x;
  *y0 = label->box.y + label->box.height / 2;
  *x1 = left ? area.x : area.x + area.width;
  *y1 = area.y + area.height / 2;
}

static gboolean
segments_cross (double ax, double ay, double bx, double by,
                double cx, double cy, double dx, double dy)
{
  double d1 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  double d2 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
  double d3 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx);
  double d4 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);

  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/* DenseNet-121 folded into rows of three at 14 %, its cards beside it:
 * blocks side by side in a row are level, and of two such blocks the
 * further from the cards gets the card nearer them, so that their lines
 * do not cross (lines to blocks of different rows still may). */
static void
test_densenet_side_callouts (void)
{
  g_autoptr(Laid) laid = densenet_stages (5);
  EnvelopeRect view = { 0, 0, 733, 380 };
  double ox, oy;
  g_autoptr(GArray) labels = labels_centred (laid, &view, 0.14 * 96.0 / 72.0, &ox, &oy);
  guint called = 0;

  assert_readable (labels, &view);

  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *a = &g_array_index (labels, EnvelopeZoomLabel, i);
      double ax, ay, bx, by;

      if (!a->callout)
        continue;
      called++;
      /* beside the diagram */
      g_assert_true (a->box.x + a->box.width < a->area.x || a->box.x > a->area.x + a->area.width);
      callout_line (a, &ax, &ay, &bx, &by);
      for (guint j = i + 1; j < labels->len; j++)
        {
          const EnvelopeZoomLabel *b = &g_array_index (labels, EnvelopeZoomLabel, j);
          double cx, cy, dx, dy;

          if (!b->callout || fabs (by - (b->area.y + b->area.height / 2)) > 0.01)
            continue;
          callout_line (b, &cx, &cy, &dx, &dy);
          if (segments_cross (ax, ay, bx, by, cx, cy, dx, dy))
            g_error ("the lines of %s and %s cross", a->text, b->text);
        }
    }
  /* the stem, four dense blocks, three transitions and the head */
  g_assert_cmpuint (called, >=, 12);
  g_assert_true (has_label (labels, "denseblock4"));
  g_assert_true (has_label (labels, "data"));
}

/* What a thread of its own lays out and draws: with nothing kept from
 * an earlier view. */
typedef struct
{
  const Laid *laid;
  EnvelopeRect view;
  double zoom, ox, oy;
  GArray *labels;
  cairo_surface_t *image;
} Fresh;

static cairo_surface_t *
draw_labels (const GArray *labels)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) VIEW_WIDTH, (int) VIEW_HEIGHT);
  cairo_t *cr = cairo_create (surface);

  envelope_zoom_labels_draw (cr, labels, ENVELOPE_THEME_LIGHT);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static gpointer
lay_out_fresh (gpointer data)
{
  Fresh *fresh = data;

  fresh->labels = envelope_zoom_labels_new (fresh->laid->diagram, fresh->laid->layout, &fresh->view, fresh->zoom,
                                            fresh->ox, fresh->oy);
  fresh->image = draw_labels (fresh->labels);
  return NULL;
}

static void
assert_same_labels (const GArray *a,
                     const GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const EnvelopeZoomLabel *x = &g_array_index (a, EnvelopeZoomLabel, i);
      const EnvelopeZoomLabel *y = &g_array_index (b, EnvelopeZoomLabel, i);

      g_assert_cmpstr (x->text, ==, y->text);
      g_assert_cmpstr (x->detail, ==, y->detail);
      g_assert_cmpuint (x->depth, ==, y->depth);
      g_assert_cmpfloat (x->size, ==, y->size);
      g_assert_true (memcmp (&x->box, &y->box, sizeof x->box) == 0);
      g_assert_true (memcmp (&x->area, &y->area, sizeof x->area) == 0);
    }
}

static void
assert_same_image (cairo_surface_t *a,
                   cairo_surface_t *b)
{
  int stride = cairo_image_surface_get_stride (a);

  g_assert_cmpint (stride, ==, cairo_image_surface_get_stride (b));
  g_assert_true (memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b),
                         (gsize) stride * cairo_image_surface_get_height (a)) == 0);
}

/* The groups, the measured names and the shaped labels are kept from
 * one view to the next: what a moved view gets from them is what a
 * thread that kept nothing lays out and draws, for the view the other
 * diagram was labelled in between too. */
static void
test_kept (void)
{
  g_autoptr(Laid) laid = lay_out_wrapped ("resnet50.json", 0);
  g_autoptr(Laid) other = lay_out_wrapped ("resnet50.json", 4);
  EnvelopeRect view = { 0, 0, VIEW_WIDTH, VIEW_HEIGHT };
  double ox, oy, zoom = fit_zoom (laid->layout, &ox, &oy);
  static const double steps[][3] = { { 1, 0, 0 }, { 1, 0, 0 }, { 8, 0, 0 }, { 8, -300, 20 }, { 4, 123.5, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      Fresh fresh = { laid, view, zoom * steps[i][0], ox * steps[i][0] + steps[i][1], oy + steps[i][2], NULL, NULL };
      g_autoptr(GArray) kept = NULL;
      g_autoptr(GArray) between = NULL;
      cairo_surface_t *image;
      double other_x, other_y, other_zoom = fit_zoom (other->layout, &other_x, &other_y);

      g_thread_join (g_thread_new ("fresh", lay_out_fresh, &fresh));
      g_assert_cmpuint (fresh.labels->len, >, 0);
      if (i == 2)
        {
          /* another diagram labelled, and drawn, in between */
          between = envelope_zoom_labels_new (other->diagram, other->layout, &view, other_zoom, other_x, other_y);
          g_assert_cmpuint (between->len, >, 0);
          cairo_surface_destroy (draw_labels (between));
        }
      kept = envelope_zoom_labels_new (laid->diagram, laid->layout, &view, fresh.zoom, fresh.ox, fresh.oy);
      assert_same_labels (kept, fresh.labels);
      image = draw_labels (kept);
      assert_same_image (image, fresh.image);
      cairo_surface_destroy (image);
      cairo_surface_destroy (fresh.image);
      g_array_unref (fresh.labels);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/zoom-labels/wanted", test_wanted);
  g_test_add_func ("/render/zoom-labels/resnet-stages", test_resnet_stages);
  g_test_add_func ("/render/zoom-labels/resnet-wrapped", test_resnet_wrapped);
  g_test_add_func ("/render/zoom-labels/resnet-closer", test_resnet_closer);
  g_test_add_func ("/render/zoom-labels/transformer-blocks", test_transformer_blocks);
  g_test_add_func ("/render/zoom-labels/densenet-blocks", test_densenet_blocks);
  g_test_add_func ("/render/zoom-labels/densenet-callouts", test_densenet_callouts);
  g_test_add_func ("/render/zoom-labels/googlenet-side-callouts", test_googlenet_side_callouts);
  g_test_add_func ("/render/zoom-labels/densenet-side-callouts", test_densenet_side_callouts);
  g_test_add_func ("/render/zoom-labels/column-branches", test_column_branches);
  g_test_add_func ("/render/zoom-labels/draw", test_draw);
  g_test_add_func ("/render/zoom-labels/kept", test_kept);

  return g_test_run ();
}
