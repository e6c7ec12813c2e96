/* test-render-layout.c: diagrams and their layouts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "envelope-groups.h"
#include "envelope-render.h"
#include "envelope-render-private.h"
#include "test-render-helpers.h"

static Laid *
lay_out_file (const char           *file,
              EnvelopeDiagramStyle  style,
              EnvelopeDirection     direction,
              guint                 collapse_depth,
              guint                 wrap)
{
  EnvelopeDiagramOptions options;

  envelope_diagram_options_init (&options);
  options.style = style;
  options.direction = direction;
  options.collapse_depth = collapse_depth;
  options.wrap = wrap;
  return lay_out (model_load (file), &options);
}

/* A rectangle's outline is within @tolerance of @p. */
static gboolean
on_outline (const EnvelopeRect  *r,
            const EnvelopePoint *p,
            double               tolerance)
{
  double inside;

  if (!envelope_rect_contains_point (r, p->x, p->y))
    return envelope_rect_distance (r, p->x, p->y) <= tolerance;
  inside = MIN (MIN (p->x - r->x, r->x + r->width - p->x), MIN (p->y - r->y, r->y + r->height - p->y));
  return inside <= tolerance;
}

static void
assert_no_overlap (const EnvelopeLayout *layout)
{
  guint n = envelope_layout_get_n_blocks (layout);

  for (guint a = 0; a < n; a++)
    for (guint b = a + 1; b < n; b++)
      {
        EnvelopeRect ra, rb;

        envelope_layout_get_block_rect (layout, a, &ra);
        envelope_layout_get_block_rect (layout, b, &rb);
        /* touching is not overlapping */
        envelope_rect_inflate (&ra, -0.5, -0.5);
        envelope_rect_inflate (&rb, -0.5, -0.5);
        if (envelope_rect_intersects (&ra, &rb))
          g_error ("blocks %u and %u overlap: (%g, %g, %g, %g) and (%g, %g, %g, %g)", a, b,
                   ra.x, ra.y, ra.width, ra.height, rb.x, rb.y, rb.width, rb.height);
      }
}

static void
assert_edges_on_blocks (const EnvelopeDiagram *diagram,
                        const EnvelopeLayout  *layout)
{
  gboolean proportional = envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;

  for (guint e = 0; e < envelope_layout_get_n_edges (layout); e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (layout, e);
      const EnvelopePoint *first = &g->points[0], *last = &g->points[g->n_points - 1];
      EnvelopeRect from, to;

      g_assert_cmpuint (g->n_points, >=, 4);
      g_assert_cmpuint ((g->n_points - 1) % 3, ==, 0);
      envelope_layout_get_block_rect (layout, edge->from, &from);
      envelope_layout_get_block_rect (layout, edge->to, &to);
      if (proportional)
        {
          /* on the drawn box, inside the node */
          g_assert_true (envelope_rect_contains_point (&from, first->x, first->y));
          g_assert_true (envelope_rect_contains_point (&to, last->x, last->y));
        }
      else
        {
          if (!on_outline (&from, first, 1.5))
            g_error ("edge %u (%s → %s) starts at (%g, %g), off its block (%g, %g, %g, %g)", e,
                     envelope_diagram_get_block (diagram, edge->from)->name,
                     envelope_diagram_get_block (diagram, edge->to)->name,
                     first->x, first->y, from.x, from.y, from.width, from.height);
          if (!on_outline (&to, last, 1.5))
            g_error ("edge %u (%s → %s) ends at (%g, %g), off its block (%g, %g, %g, %g)", e,
                     envelope_diagram_get_block (diagram, edge->from)->name,
                     envelope_diagram_get_block (diagram, edge->to)->name,
                     last->x, last->y, to.x, to.y, to.width, to.height);
        }
    }
}

static void
assert_sound (const Laid *laid)
{
  g_assert_cmpuint (envelope_layout_get_n_blocks (laid->layout), ==, envelope_diagram_get_n_blocks (laid->diagram));
  g_assert_cmpuint (envelope_layout_get_n_edges (laid->layout), ==, envelope_diagram_get_n_edges (laid->diagram));
  g_assert_true (envelope_layout_fits (laid->layout, laid->diagram));
  assert_no_overlap (laid->layout);
  assert_edges_on_blocks (laid->diagram, laid->layout);
}

typedef struct
{
  const char *file;
  EnvelopeDiagramStyle style;
  EnvelopeDirection direction;
  guint collapse_depth;
  guint wrap;
} SoundCase;

static const SoundCase sound_cases[] = {
  { "mnist.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0 },
  { "resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0 },
  { "resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_TOP_BOTTOM, 0, 0 },
  { "resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 2, 3 },
  { "googlenet.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 2, 0 },
  { "googlenet.json", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, ENVELOPE_DIRECTION_LEFT_RIGHT, 2, 3 },
  { "googlenet.json", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, ENVELOPE_DIRECTION_TOP_BOTTOM, 2, 0 },
  { "mobilenetv2.json", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0 },
  { "vgg16-lecture.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_TOP_BOTTOM, 1, 2 },
  { "alexnet.json", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 2 },
  { "densenet121.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0 },
  { "densenet121.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_TOP_BOTTOM, 0, 0 },
  { "densenet121.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 4 },
  { "densenet121.json", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0 },
};

/* No two blocks overlap; every arrow starts and ends on its blocks. */
static void
test_sound (gconstpointer data)
{
  const SoundCase *c = data;
  g_autoptr(Laid) laid = lay_out_file (c->file, c->style, c->direction, c->collapse_depth, c->wrap);

  assert_sound (laid);
  if (c->wrap > 1)
    g_assert_cmpuint (envelope_layout_get_n_rows (laid->layout), >, 1);
}

static void
block_center (const EnvelopeLayout *layout,
              guint                 block,
              double               *x,
              double               *y)
{
  EnvelopeRect r;

  envelope_layout_get_block_rect (layout, block, &r);
  *x = r.x + r.width / 2;
  *y = r.y + r.height / 2;
}

/* A chain is one row: the same y left to right, the same x top to
 * bottom, and each block further along the flow than the last. */
static void
test_chain (void)
{
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) lr = NULL;
  g_autoptr(Laid) tb = NULL;
  EnvelopeRect lr_bounds, tb_bounds;
  double x0, y0, x, y, last_x = -G_MAXDOUBLE, last_y = -G_MAXDOUBLE;
  guint n;

  envelope_diagram_options_init (&options);
  lr = lay_out (model_parse (test_chain_json), &options);
  options.direction = ENVELOPE_DIRECTION_TOP_BOTTOM;
  tb = lay_out (model_parse (test_chain_json), &options);
  assert_sound (lr);
  assert_sound (tb);

  n = envelope_layout_get_n_blocks (lr->layout);
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpuint (envelope_layout_get_n_edges (lr->layout), ==, 7);
  block_center (lr->layout, 0, &x0, &y0);
  for (guint b = 0; b < n; b++)
    {
      block_center (lr->layout, b, &x, &y);
      g_assert_cmpfloat_with_epsilon (y, y0, 0.5);
      g_assert_cmpfloat (x, >, last_x);
      last_x = x;
    }
  block_center (tb->layout, 0, &x0, &y0);
  for (guint b = 0; b < n; b++)
    {
      block_center (tb->layout, b, &x, &y);
      g_assert_cmpfloat_with_epsilon (x, x0, 0.5);
      g_assert_cmpfloat (y, >, last_y);
      last_y = y;
    }

  envelope_layout_get_bounds (lr->layout, &lr_bounds);
  envelope_layout_get_bounds (tb->layout, &tb_bounds);
  g_assert_cmpfloat (lr_bounds.width, >, lr_bounds.height);
  g_assert_cmpfloat (tb_bounds.height, >, tb_bounds.width);
  g_assert_cmpint (envelope_layout_get_direction (lr->layout), ==, ENVELOPE_DIRECTION_LEFT_RIGHT);
  g_assert_cmpint (envelope_layout_get_direction (tb->layout), ==, ENVELOPE_DIRECTION_TOP_BOTTOM);

  /* straight arrows, each with its shape written once */
  for (guint e = 0; e < envelope_layout_get_n_edges (lr->layout); e++)
    {
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (lr->layout, e);

      g_assert_cmpfloat_with_epsilon (g->points[0].y, g->points[g->n_points - 1].y, 0.5);
      g_assert_true (g->has_label);
      g_assert_cmpfloat (g->label.x, >, g->points[0].x);
      g_assert_cmpfloat (g->label.x, <, g->points[g->n_points - 1].x);
    }
}

/* Collapsing a stage/block/layer name or a "group" field makes one block
 * per group, with the members' costs summed. */
static void
test_collapse (void)
{
  g_autoptr(Laid) full = lay_out_file ("resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0);
  g_autoptr(Laid) blocks = lay_out_file ("resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 2, 0);
  g_autoptr(Laid) stages = lay_out_file ("resnet50.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 1, 0);
  const EnvelopeTotals *totals = envelope_analysis_get_totals (blocks->model->analysis);
  guint64 params = 0, macs = 0, activations = 0;
  gint layer, block;
  const EnvelopeBlock *b;

  g_assert_cmpuint (envelope_diagram_get_n_blocks (full->diagram), ==, envelope_network_get_n_layers (full->model->network));
  /* stem (data, conv1, bn1, relu, maxpool), 16 bottlenecks, avgpool, flatten?, fc */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (blocks->diagram), <, envelope_diagram_get_n_blocks (full->diagram));
  g_assert_cmpuint (envelope_diagram_get_n_blocks (stages->diagram), <, envelope_diagram_get_n_blocks (blocks->diagram));
  assert_sound (blocks);
  assert_sound (stages);

  for (guint i = 0; i < envelope_diagram_get_n_blocks (blocks->diagram); i++)
    {
      b = envelope_diagram_get_block (blocks->diagram, i);
      params += b->params;
      macs += b->macs;
      activations += b->activations;
    }
  g_assert_cmpuint (params, ==, totals->params);
  g_assert_cmpuint (macs, ==, totals->macs);
  g_assert_cmpuint (activations, ==, totals->activations_all);

  /* layer1/0: conv1 bn1 relu1 conv2 bn2 relu2 conv3 bn3, the downsample's
   * conv and bn, add, relu3; its output is relu3's */
  layer = envelope_network_find_layer (blocks->model->network, "layer1/0/downsample/conv");
  g_assert_cmpint (layer, >=, 0);
  block = envelope_diagram_find_block (blocks->diagram, (guint) layer);
  b = envelope_diagram_get_block (blocks->diagram, (guint) block);
  g_assert_cmpstr (b->name, ==, "layer1/0");
  g_assert_true (b->collapsed);
  g_assert_cmpuint (b->n_layers, ==, 12);
  g_assert_cmpstr (envelope_diagram_get_layer_name (blocks->diagram, b->output_layer), ==, "layer1/0/relu3");
  g_assert_cmpstr (b->shape_text, ==, "256×56×56");
  {
    guint64 sum = 0;

    for (guint k = 0; k < b->n_layers; k++)
      sum += envelope_analysis_get_layer (blocks->model->analysis, b->layers[k])->params;
    g_assert_cmpuint (b->params, ==, sum);
    g_assert_cmpuint (b->params, >, 0);
  }

  /* one stage: 3 + 4 + 6 + 3 bottlenecks into 4 */
  layer = envelope_network_find_layer (stages->model->network, "layer3/5/relu3");
  b = envelope_diagram_get_block (stages->diagram, (guint) envelope_diagram_find_block (stages->diagram, (guint) layer));
  g_assert_cmpstr (b->name, ==, "layer3");
  g_assert_cmpuint (b->n_layers, ==, 6 * 10 + 2);
}

/* The "group" field: VGG-16's stages as in the lecture's table. */
static void
test_collapse_group_field (void)
{
  g_autoptr(Laid) laid = lay_out_file ("vgg16-lecture.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 2, 0);
  static const struct { const char *name; guint n_layers; guint64 macs; } groups[] = {
    { "conv1", 5, 1936392192 },
    { "fc8", 1, 409600 },
  };

  assert_sound (laid);
  /* data, conv1 … conv5, fc6, fc7, fc8 */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (laid->diagram), ==, 9);
  g_assert_cmpuint (envelope_diagram_get_n_edges (laid->diagram), ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      gboolean found = FALSE;

      for (guint b = 0; b < envelope_diagram_get_n_blocks (laid->diagram); b++)
        {
          const EnvelopeBlock *block = envelope_diagram_get_block (laid->diagram, b);

          if (g_strcmp0 (block->name, groups[i].name) != 0)
            continue;
          found = TRUE;
          g_assert_cmpuint (block->n_layers, ==, groups[i].n_layers);
          g_assert_cmpuint (block->macs, ==, groups[i].macs);
        }
      g_assert_true (found);
    }
}

static void
test_collapse_named (void)
{
  const char *collapsed[] = { "layer2/1", "layer4", NULL };
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) laid = NULL;
  g_auto(GStrv) groups = NULL;
  guint n_layers;

  envelope_diagram_options_init (&options);
  options.collapsed = collapsed;
  laid = lay_out (model_load ("resnet50.json"), &options);
  assert_sound (laid);
  n_layers = envelope_network_get_n_layers (laid->model->network);
  /* layer2/1 has 10 layers, layer4 (3 bottlenecks) 32 */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (laid->diagram), ==, n_layers - 9 - 31);

  {
    g_autoptr(EnvelopeGroups) all = envelope_groups_new (laid->model->network, laid->model->analysis);

    groups = envelope_groups_list (all);
  }
  g_assert_true (g_strv_contains ((const char * const *) groups, "layer1"));
  g_assert_true (g_strv_contains ((const char * const *) groups, "layer1/0"));
  g_assert_true (g_strv_contains ((const char * const *) groups, "layer1/0/downsample"));
  g_assert_false (g_strv_contains ((const char * const *) groups, "data"));
}

/* By default a figure fits a slide: the finest level of detail whose
 * text reads at 1,920 pixels, wrapped to 16:9. */
static void
test_fit_slide (void)
{
  struct { const char *file; guint depth; } cases[] = {
    { "mnist.json", 0 },         /* every layer reads */
    { "vgg16.json", 0 },
    { "resnet50.json", 2 },      /* its sixteen bottlenecks */
    { "vit_b_16.json", 2 },      /* the encoder's twelve blocks */
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(Model) model = model_load (cases[c].file);
      g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
      EnvelopeDiagramOptions options;
      EnvelopeRenderOptions render;
      EnvelopeFitGoal goal;
      EnvelopePageFit fit;
      g_autoptr(GError) error = NULL;
      double width, height;

      envelope_diagram_options_init (&options);
      envelope_render_options_init (&render);
      envelope_fit_goal_init (&goal);
      g_assert_true (envelope_fit_page (model->analysis, &options, &render, &goal, &fit, &error));
      g_assert_no_error (error);
      envelope_renderer_get_page_size (renderer, fit.diagram, fit.layout, &render, &width, &height);
      g_test_message ("%s: depth %u, %u rows, %u blocks, %.0f × %.0f pt, scale %.2f", cases[c].file,
                      fit.collapse_depth, fit.wrap, envelope_diagram_get_n_blocks (fit.diagram), width, height, fit.scale);
      g_assert_true (fit.legible);
      g_assert_cmpuint (fit.collapse_depth, ==, cases[c].depth);
      g_assert_cmpuint (fit.wrap, >, 1);
      /* a slide's shape, at most 1,920 pixels wide */
      g_assert_cmpfloat (width / height, >, 1.2);
      g_assert_cmpfloat (width / height, <, 2.6);
      g_assert_cmpfloat (width * fit.scale, <=, 1920.5);
      g_assert_cmpfloat (fit.scale * 7.5, >=, 9);
      envelope_page_fit_clear (&fit);
    }
}

/* "free" keeps the one row and every layer; a collapse asked for stays. */
static void
test_fit_free (void)
{
  g_autoptr(Model) model = model_load ("resnet50.json");
  EnvelopeDiagramOptions options;
  EnvelopeRenderOptions render;
  EnvelopeFitGoal goal;
  EnvelopePageFit fit;
  g_autoptr(GError) error = NULL;

  envelope_diagram_options_init (&options);
  envelope_render_options_init (&render);
  envelope_fit_goal_init (&goal);
  g_assert_true (envelope_fit_goal_set_aspect (&goal, "free"));
  g_assert_true (envelope_fit_page (model->analysis, &options, &render, &goal, &fit, &error));
  g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, envelope_network_get_n_layers (model->network));
  g_assert_cmpuint (fit.wrap, ==, 1);
  envelope_page_fit_clear (&fit);

  g_assert_true (envelope_fit_goal_set_aspect (&goal, "4:3"));
  g_assert_cmpfloat_with_epsilon (goal.aspect, 4.0 / 3.0, 1e-9);
  g_assert_false (envelope_fit_goal_set_aspect (&goal, "4:0"));
  g_assert_false (envelope_fit_goal_set_aspect (&goal, "wide"));
  options.collapse_depth = 1;
  g_assert_true (envelope_fit_page (model->analysis, &options, &render, &goal, &fit, &error));
  g_assert_cmpuint (fit.collapse_depth, ==, 1);
  /* stem (5 layers), layer1 to layer4, avgpool, fc */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, 11);
  envelope_page_fit_clear (&fit);
}

/* Folding a laid-out row gives what laying the wrapped diagram out gives. */
static void
test_rewrap (void)
{
  g_autoptr(Model) model = model_load ("resnet50.json");
  g_autoptr(EnvelopeDiagram) one = NULL, four = NULL;
  g_autoptr(EnvelopeLayout) row = NULL, fresh = NULL, folded = NULL;
  EnvelopeDiagramOptions options;

  envelope_diagram_options_init (&options);
  options.collapse_depth = 2;
  one = envelope_diagram_new (model->analysis, &options);
  options.wrap = 4;
  four = envelope_diagram_new (model->analysis, &options);
  row = envelope_layout_new (one, NULL);
  fresh = envelope_layout_new (four, NULL);
  folded = envelope_layout_new_wrapped (row, four);
  g_assert_nonnull (folded);
  g_assert_true (envelope_layout_fits (folded, four));
  g_assert_cmpuint (envelope_layout_get_n_rows (folded), ==, envelope_layout_get_n_rows (fresh));
  g_assert_cmpuint (envelope_layout_get_n_rows (folded), >, 1);
  for (guint b = 0; b < envelope_layout_get_n_blocks (fresh); b++)
    {
      EnvelopeRect x, y;

      envelope_layout_get_block_rect (fresh, b, &x);
      envelope_layout_get_block_rect (folded, b, &y);
      g_assert_cmpfloat_with_epsilon (x.x, y.x, 1e-9);
      g_assert_cmpfloat_with_epsilon (x.y, y.y, 1e-9);
    }
  /* a wrapped layout is not folded again */
  g_assert_null (envelope_layout_new_wrapped (fresh, four));
}

/* Runs of the same block fold into one marked "× N": ResNet-50's
 * bottlenecks after the first of each stage, a transformer's blocks
 * after the first. */
static void
test_fold_repeats (void)
{
  g_autoptr(Model) resnet = model_load ("resnet50.json");
  g_autoptr(Model) vit = model_load ("vit_b_16.json");
  g_autoptr(EnvelopeDiagram) folded = NULL, plain = NULL, encoder = NULL;
  EnvelopeDiagramOptions options;
  const EnvelopeBlock *run = NULL;
  guint64 params = 0;

  envelope_diagram_options_init (&options);
  options.collapse_depth = 2;
  plain = envelope_diagram_new (resnet->analysis, &options);
  options.fold_repeats = TRUE;
  folded = envelope_diagram_new (resnet->analysis, &options);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (plain), ==, 23);
  /* the stem (5), four first blocks, four runs, avgpool, fc */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (folded), ==, 15);
  for (guint b = 0; b < envelope_diagram_get_n_blocks (folded); b++)
    if (g_str_equal (envelope_diagram_get_block (folded, b)->name, "layer3/1…5"))
      run = envelope_diagram_get_block (folded, b);
  g_assert_nonnull (run);
  g_assert_cmpuint (run->repeats, ==, 5);
  g_assert_cmpuint (run->n_layers, ==, 5 * 10);
  g_assert_cmpstr (run->description, ==, "× 5 · 3 conv, 3 BN, add");
  /* its figures are the five blocks' */
  for (guint b = 0; b < envelope_diagram_get_n_blocks (plain); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (plain, b);

      if (g_str_has_prefix (block->name, "layer3/") && !g_str_equal (block->name, "layer3/0"))
        params += block->params;
    }
  g_assert_cmpuint (run->params, ==, params);
  g_assert_cmpuint (run->params, ==, 5 * 1120256);

  encoder = envelope_diagram_new (vit->analysis, &options);
  run = NULL;
  for (guint b = 0; b < envelope_diagram_get_n_blocks (encoder); b++)
    if (envelope_diagram_get_block (encoder, b)->repeats > 1)
      run = envelope_diagram_get_block (encoder, b);
  g_assert_nonnull (run);
  g_assert_cmpstr (run->name, ==, "encoder/0…11");
  g_assert_cmpuint (run->repeats, ==, 12);
}

/* A new parameter value keeps the structure (and the layout); a new
 * layer, connection, style, direction or collapse state does not. */
static void
test_structure_key (void)
{
  g_autoptr(Model) model = model_load ("resnet18.json");
  g_autoptr(EnvelopeNetwork) changed = envelope_network_copy (model->network);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeDiagram) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeDiagramOptions options;
  EnvelopeLayer *layer;

  envelope_diagram_options_init (&options);
  a = envelope_diagram_new (model->analysis, &options);
  layout = envelope_layout_new (a, &error);
  g_assert_no_error (error);

  /* a parameter: 64 filters to 96 */
  layer = envelope_network_get_layer (changed, (guint) envelope_network_find_layer (changed, "layer1/0/conv1"));
  layer->filters = 96;
  analysis = envelope_analysis_new (changed, NULL, NULL, &error);
  g_assert_no_error (error);
  b = envelope_diagram_new (analysis, &options);
  g_assert_cmpuint (envelope_diagram_get_structure_key (a), ==, envelope_diagram_get_structure_key (b));
  g_assert_true (envelope_layout_fits (layout, b));
  g_assert_cmpuint (envelope_layout_get_structure_key (layout), ==, envelope_diagram_get_structure_key (b));

  /* the proportional style draws shapes: there they are structure */
  options.style = ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
  c = envelope_diagram_new (model->analysis, &options);
  g_assert_false (envelope_layout_fits (layout, c));
  options.style = ENVELOPE_DIAGRAM_STYLE_FLAT;

  options.direction = ENVELOPE_DIRECTION_TOP_BOTTOM;
  d = envelope_diagram_new (model->analysis, &options);
  g_assert_false (envelope_layout_fits (layout, d));
  options.direction = ENVELOPE_DIRECTION_LEFT_RIGHT;

  options.collapse_depth = 2;
  e = envelope_diagram_new (model->analysis, &options);
  g_assert_false (envelope_layout_fits (layout, e));
  options.collapse_depth = 0;

  /* one more layer */
  g_clear_pointer (&analysis, envelope_analysis_free);
  g_clear_pointer (&b, envelope_diagram_unref);
  envelope_network_insert_layer (changed, -1, envelope_layer_new (ENVELOPE_LAYER_SOFTMAX, "prob"));
  analysis = envelope_analysis_new (changed, NULL, NULL, &error);
  g_assert_no_error (error);
  b = envelope_diagram_new (analysis, &options);
  g_assert_false (envelope_layout_fits (layout, b));
}

static void
assert_same_blocks (const EnvelopeDiagram *a,
                    const EnvelopeDiagram *b)
{
  g_assert_cmpuint (envelope_diagram_get_n_blocks (a), ==, envelope_diagram_get_n_blocks (b));
  for (guint i = 0; i < envelope_diagram_get_n_blocks (a); i++)
    {
      const EnvelopeBlock *x = envelope_diagram_get_block (a, i);
      const EnvelopeBlock *y = envelope_diagram_get_block (b, i);

      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->description, ==, y->description);
      g_assert_cmpstr (x->shape_text, ==, y->shape_text);
      g_assert_cmpuint (x->params, ==, y->params);
      g_assert_cmpuint (x->macs, ==, y->macs);
      g_assert_cmpfloat (x->width, ==, y->width);
      g_assert_cmpfloat (x->height, ==, y->height);
      g_assert_cmpfloat (x->text_width, ==, y->text_width);
    }
  g_assert_cmpuint (envelope_diagram_get_structure_key (a), ==, envelope_diagram_get_structure_key (b));
}

/* A refresh shows the new figures, measures only new names, and keeps
 * the layout while no block changed size. */
static void
test_refresh (void)
{
  g_autoptr(Model) model = model_parse (test_chain_json);
  g_autoptr(EnvelopeNetwork) changed = envelope_network_copy (model->network);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeDiagram) a = NULL, b = NULL, fresh = NULL, c = NULL, d = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeDiagramOptions options;
  EnvelopeLayer *layer;
  const EnvelopeBlock *block;
  gint conv2, fc;

  envelope_diagram_options_init (&options);
  a = envelope_diagram_new (model->analysis, &options);
  /* every name, and the three reserves */
  g_assert_cmpuint (envelope_diagram_get_n_measured (a), ==, 8 + 3);
  layout = envelope_layout_new (a, &error);
  g_assert_no_error (error);
  conv2 = envelope_diagram_find_block (a, (guint) envelope_network_find_layer (model->network, "conv2"));
  block = envelope_diagram_get_block (a, (guint) conv2);
  g_assert_cmpstr (block->shape_text, ==, "32×32×32");
  g_assert_cmpstr (block->description, ==, "conv 3×3, 32");

  /* a setting: conv2's 32 filters become 48 */
  layer = envelope_network_get_layer (changed, (guint) envelope_network_find_layer (changed, "conv2"));
  layer->filters = 48;
  analysis = envelope_analysis_new (changed, NULL, NULL, &error);
  g_assert_no_error (error);
  b = envelope_diagram_refresh (a, analysis, &options);
  g_assert_cmpuint (envelope_diagram_get_n_measured (b), ==, 0);
  block = envelope_diagram_get_block (b, (guint) conv2);
  g_assert_cmpstr (block->shape_text, ==, "48×32×32");
  g_assert_cmpstr (block->description, ==, "conv 3×3, 48");
  g_assert_cmpuint (block->params, ==, 48 * 3 * 3 * 16 + 48);
  g_assert_cmpuint (block->macs, ==, 32 * 32 * 48 * 16 * 3 * 3);
  g_assert_cmpstr (envelope_diagram_get_block (b, (guint) conv2 + 1)->shape_text, ==, "48×32×32");
  g_assert_cmpuint (envelope_diagram_get_totals (b)->params, ==,
                    envelope_analysis_get_totals (analysis)->params);
  /* the sizes are what a new diagram has, and the layout still fits */
  fresh = envelope_diagram_new (analysis, &options);
  assert_same_blocks (b, fresh);
  g_assert_cmpuint (envelope_diagram_get_structure_key (b), ==, envelope_diagram_get_structure_key (a));
  g_assert_true (envelope_layout_fits (layout, b));

  /* a longer name: measured alone, and its block grows */
  fc = envelope_network_find_layer (changed, "fc");
  layer = envelope_network_get_layer (changed, (guint) fc);
  g_free (layer->name);
  layer->name = g_strdup ("a fully connected layer with a very long name");
  g_clear_pointer (&analysis, envelope_analysis_free);
  analysis = envelope_analysis_new (changed, NULL, NULL, &error);
  g_assert_no_error (error);
  c = envelope_diagram_refresh (b, analysis, &options);
  g_assert_cmpuint (envelope_diagram_get_n_measured (c), ==, 1);
  g_assert_cmpfloat (envelope_diagram_get_block (c, (guint) fc)->width, >,
                     envelope_diagram_get_block (b, (guint) fc)->width);
  g_clear_pointer (&fresh, envelope_diagram_unref);
  fresh = envelope_diagram_new (analysis, &options);
  assert_same_blocks (c, fresh);
  g_assert_false (envelope_layout_fits (layout, c));

  /* other fonts: nothing measured before holds */
  options.font_family = "Serif";
  d = envelope_diagram_refresh (c, analysis, &options);
  g_assert_cmpuint (envelope_diagram_get_n_measured (d), ==, 8 + 3);
  g_assert_cmpstr (envelope_diagram_get_font_family (d), ==, "Serif");
}

/* The flow folds into rows, each row's blocks in their own band. */
static void
test_wrap (void)
{
  g_autoptr(Laid) laid = lay_out_file ("vgg16.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 3);
  g_autoptr(Laid) one = lay_out_file ("vgg16.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0);
  EnvelopeRect bounds, one_bounds;
  guint n_rows = envelope_layout_get_n_rows (laid->layout);

  assert_sound (laid);
  g_assert_cmpuint (n_rows, ==, 3);
  g_assert_cmpuint (envelope_layout_get_n_rows (one->layout), ==, 1);
  for (guint r = 0; r + 1 < n_rows; r++)
    {
      EnvelopeRect above, below;

      envelope_layout_get_row_bounds (laid->layout, r, &above);
      envelope_layout_get_row_bounds (laid->layout, r + 1, &below);
      g_assert_cmpfloat (above.y + above.height, <, below.y);
    }
  for (guint b = 0; b < envelope_layout_get_n_blocks (laid->layout); b++)
    {
      EnvelopeRect rect, row;

      envelope_layout_get_block_rect (laid->layout, b, &rect);
      envelope_layout_get_row_bounds (laid->layout, envelope_layout_get_block_row (laid->layout, b), &row);
      g_assert_true (envelope_rect_contains_point (&row, rect.x + rect.width / 2, rect.y + rect.height / 2));
      if (b > 0)
        g_assert_cmpuint (envelope_layout_get_block_row (laid->layout, b), >=,
                          envelope_layout_get_block_row (laid->layout, b - 1));
    }
  envelope_layout_get_bounds (laid->layout, &bounds);
  envelope_layout_get_bounds (one->layout, &one_bounds);
  g_assert_cmpfloat (bounds.width, <, one_bounds.width / 2);
}

/* Two residual blocks of @n relus each, their sums followed by a relu
 * that the next block reads: only the arrow from a sum to its relu
 * links what comes before to what comes after on its own. */
static Model *
residual_blocks (guint n)
{
  GString *json = g_string_new ("{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"residual\", \"layers\": ["
                                "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 4, 4]}");
  g_autofree char *text = NULL;

  for (guint b = 0; b < 2; b++)
    {
      for (guint i = 0; i < n; i++)
        g_string_append_printf (json, ", {\"name\": \"b%u_r%u\", \"type\": \"relu\"}", b, i);
      g_string_append_printf (json, ", {\"name\": \"add%u\", \"type\": \"add\", \"inputs\": [\"b%u_r%u\", \"%s\"]}"
                              ", {\"name\": \"post%u\", \"type\": \"relu\"}",
                              b, b, n - 1, b == 0 ? "data" : "post0", b);
    }
  g_string_append (json, "]}");
  text = g_string_free (json, FALSE);
  return model_parse (text);
}

/* A branch longer than a row is cut too: its skip arrow runs from its
 * block down to a track of the lane between the rows (past a whole row
 * in the gutter before the rows), and into the top of the block that
 * adds it; it crosses no block.  Rows that can end where one arrow
 * links them still do. */
static void
test_wrap_through_branches (void)
{
  EnvelopeDiagramOptions options;
  g_autoptr(Laid) one = NULL;
  EnvelopeRect bounds, block;
  guint n_blocks;

  envelope_diagram_options_init (&options);
  one = lay_out (residual_blocks (8), &options);
  n_blocks = envelope_layout_get_n_blocks (one->layout);
  g_assert_cmpuint (n_blocks, ==, 21);
  envelope_layout_get_bounds (one->layout, &bounds);
  envelope_layout_get_block_rect (one->layout, 0, &block);
  /* a block was not cut before: two rows at most, however short */
  g_assert_cmpuint (envelope_layout_count_fold_rows (one->layout, one->diagram, bounds.width / 5), >=, 5);
  g_assert_cmpuint (envelope_layout_count_fold_rows (one->layout, one->diagram, bounds.width + 1), ==, 1);

  for (guint wrap = 2; wrap <= 8; wrap += 3)
    {
      g_autoptr(Laid) laid = NULL;
      guint n_skips = 0;

      options.wrap = wrap;
      laid = lay_out (residual_blocks (8), &options);
      assert_sound (laid);
      /* about as many rows as asked: ending rows at clean cuts may save one */
      g_assert_cmpuint (envelope_layout_get_n_rows (laid->layout), <=, wrap);
      g_assert_cmpuint (envelope_layout_get_n_rows (laid->layout), >=, wrap - 1);
      for (guint e = 0; e < envelope_layout_get_n_edges (laid->layout); e++)
        {
          const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (laid->diagram, e);
          const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (laid->layout, e);
          guint from_row = envelope_layout_get_block_row (laid->layout, edge->from);
          guint to_row = envelope_layout_get_block_row (laid->layout, edge->to);
          EnvelopeRect to;

          if (edge->to == edge->from + 1 || from_row == to_row)
            continue;
          n_skips++;
          /* into the top of its target */
          envelope_layout_get_block_rect (laid->layout, edge->to, &to);
          g_assert_cmpfloat_with_epsilon (g->points[g->n_points - 1].y, to.y, 0.01);
          g_assert_cmpfloat (g->points[g->n_points - 4].y, <, to.y);
          /* no point of its path inside a block */
          for (guint i = 1; i + 1 < g->n_points; i++)
            for (guint b = 0; b < n_blocks; b++)
              {
                EnvelopeRect r;

                envelope_layout_get_block_rect (laid->layout, b, &r);
                envelope_rect_inflate (&r, -1, -1);
                g_assert_false (envelope_rect_contains_point (&r, g->points[i].x, g->points[i].y));
              }
          /* past a whole row: in the gutter, before every block */
          if (to_row > from_row + 1)
            {
              double least = G_MAXDOUBLE;

              for (guint i = 0; i < g->n_points; i++)
                least = MIN (least, g->points[i].x);
              for (guint b = 0; b < n_blocks; b++)
                {
                  envelope_layout_get_block_rect (laid->layout, b, &to);
                  g_assert_cmpfloat (least, <, to.x);
                }
            }
        }
      /* two rows end where one arrow links them, after the first sum */
      if (wrap == 2)
        {
          g_assert_cmpuint (n_skips, ==, 0);
          g_assert_cmpuint (envelope_layout_get_block_row (laid->layout, 9), ==, 0);
          g_assert_cmpuint (envelope_layout_get_block_row (laid->layout, 10), ==, 1);
        }
      else
        g_assert_cmpuint (n_skips, >=, 1);
    }
}

/* The centre of a block hits it; far away hits nothing; the tolerance
 * is in pixels, so it covers more of the world when zoomed out. */
static void
test_hit (void)
{
  g_autoptr(Laid) laid = lay_out_file ("resnet18.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0);
  EnvelopeRect bounds, rect;
  EnvelopeHit hit;
  guint n = envelope_layout_get_n_blocks (laid->layout);
  guint edges_hit = 0, n_straight = 0;

  for (guint b = 0; b < n; b++)
    {
      envelope_layout_get_block_rect (laid->layout, b, &rect);
      g_assert_true (envelope_layout_hit_test (laid->layout, rect.x + rect.width / 2, rect.y + rect.height / 2, 4, 1, &hit));
      g_assert_cmpint (hit.kind, ==, ENVELOPE_HIT_BLOCK);
      g_assert_cmpuint (hit.index, ==, b);
    }

  envelope_layout_get_bounds (laid->layout, &bounds);
  g_assert_false (envelope_layout_hit_test (laid->layout, bounds.x - 1000, bounds.y - 1000, 4, 1, &hit));
  g_assert_cmpint (hit.kind, ==, ENVELOPE_HIT_NONE);
  g_assert_false (envelope_layout_hit_test (laid->layout, bounds.x + bounds.width + 500, 0, 4, 1, &hit));

  /* 3 units above the first block: within 4 px at zoom 1 and at zoom
   * 0.5 (8 units), not at zoom 2 (2 units) */
  envelope_layout_get_block_rect (laid->layout, 0, &rect);
  {
    double x = rect.x + rect.width / 2, y = rect.y - 3;

    g_assert_true (envelope_layout_hit_test (laid->layout, x, y, 4, 1, &hit));
    g_assert_cmpint (hit.kind, ==, ENVELOPE_HIT_BLOCK);
    g_assert_cmpuint (hit.index, ==, 0);
    g_assert_true (envelope_layout_hit_test (laid->layout, x, rect.y - 6, 4, 0.5, &hit));
    g_assert_cmpint (hit.kind, ==, ENVELOPE_HIT_BLOCK);
    g_assert_false (envelope_layout_hit_test (laid->layout, x, y, 4, 2, &hit));
  }

  /* the middle of an arrow, away from its label and blocks */
  for (guint e = 0; e < envelope_layout_get_n_edges (laid->layout); e++)
    {
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (laid->layout, e);
      EnvelopePoint mid;
      double t = 0.5, u = 0.5;

      if (g->n_points != 4)
        continue;
      mid.x = u * u * u * g->points[0].x + 3 * u * u * t * g->points[1].x + 3 * u * t * t * g->points[2].x + t * t * t * g->points[3].x;
      mid.y = u * u * u * g->points[0].y + 3 * u * u * t * g->points[1].y + 3 * u * t * t * g->points[2].y + t * t * t * g->points[3].y;
      if (!envelope_layout_hit_test (laid->layout, mid.x, mid.y, 3, 1, &hit))
        g_error ("edge %u not hit at its middle", e);
      /* another arrow may run through the same point, or a block */
      edges_hit += hit.kind == ENVELOPE_HIT_EDGE && hit.index == e;
      n_straight++;
    }
  g_assert_cmpuint (edges_hit, >, n_straight / 2);
}

/* The index returns exactly the blocks that meet a rectangle. */
static void
test_query (void)
{
  g_autoptr(Laid) laid = lay_out_file ("googlenet.json", ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0);
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (guint));
  EnvelopeRect bounds;

  envelope_layout_get_bounds (laid->layout, &bounds);
  for (guint i = 0; i < 20; i++)
    {
      EnvelopeRect view = { bounds.x + bounds.width * i / 20.0, bounds.y + bounds.height * (i % 3) / 4.0, 800, 500 };
      g_autofree gboolean *seen = g_new0 (gboolean, envelope_layout_get_n_blocks (laid->layout));
      guint expected = 0;

      g_array_set_size (blocks, 0);
      g_array_set_size (edges, 0);
      envelope_layout_query (laid->layout, &view, blocks, edges);
      for (guint k = 0; k < blocks->len; k++)
        {
          guint b = g_array_index (blocks, guint, k);

          g_assert_false (seen[b]);   /* reported once */
          seen[b] = TRUE;
        }
      for (guint b = 0; b < envelope_layout_get_n_blocks (laid->layout); b++)
        {
          EnvelopeRect rect;

          envelope_layout_get_block_rect (laid->layout, b, &rect);
          g_assert_cmpint (seen[b], ==, envelope_rect_intersects (&rect, &view));
          expected += seen[b];
        }
      g_assert_cmpuint (blocks->len, ==, expected);
      for (guint k = 0; k < edges->len; k++)
        g_assert_true (envelope_rect_intersects (&envelope_layout_get_edge (laid->layout, g_array_index (edges, guint, k))->bounds, &view));
      g_assert_cmpuint (blocks->len, <, envelope_layout_get_n_blocks (laid->layout));
    }
}


/* DenseNet-121: each concatenation's nearest input (the layer just
 * before) runs in line with it, and the arrows from further back are
 * arcs over the flow, clear of every block between their ends. */
static void
test_dense (void)
{
  g_autoptr(Laid) laid = lay_out_file ("densenet121.json", ENVELOPE_DIAGRAM_STYLE_FLAT,
                                       ENVELOPE_DIRECTION_LEFT_RIGHT, 0, 0);
  const EnvelopeDiagram *diagram = laid->diagram;
  guint n_arcs = 0, n_straight = 0, n_nearest = 0;

  for (guint e = 0; e < envelope_diagram_get_n_edges (diagram); e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (laid->layout, e);
      const EnvelopeBlock *to = envelope_diagram_get_block (diagram, edge->to);
      const EnvelopeBlock *from = envelope_diagram_get_block (diagram, edge->from);
      EnvelopeRect a, c;
      double top = G_MAXDOUBLE;

      envelope_layout_get_block_rect (laid->layout, edge->from, &a);
      envelope_layout_get_block_rect (laid->layout, edge->to, &c);
      if (!g_str_has_suffix (to->name, "/concat"))
        continue;
      /* the layer just before: conv2 of the previous dense layer, in
       * line with the concatenation (dot may bend a few) */
      if (edge->to == edge->from + 1)
        {
          gboolean straight = TRUE;

          g_assert_true (g_str_has_suffix (from->name, "/conv2"));
          for (guint i = 0; i < g->n_points; i++)
            straight &= fabs (g->points[i].y - (c.y + c.height / 2)) < 1.0;
          n_nearest++;
          n_straight += straight;
          continue;
        }
      /* an arc: from the top of its source straight up, across, and
       * straight down to the top of its target, above every block
       * between (dot's own routes are longer chains) */
      if (g->n_points != 4 || g->points[0].x != g->points[1].x || g->points[2].x != g->points[3].x)
        continue;
      g_assert_cmpfloat (fabs (g->points[0].y - a.y), <, 0.01);
      g_assert_cmpfloat (fabs (g->points[3].y - c.y), <, 0.01);
      for (guint b = edge->from; b <= edge->to; b++)
        {
          EnvelopeRect r;

          envelope_layout_get_block_rect (laid->layout, b, &r);
          top = MIN (top, r.y);
        }
      /* its middle, a quarter of its ends and three quarters of its
       * controls, at least 10 points over them */
      g_assert_cmpfloat (0.25 * (g->points[0].y + g->points[3].y) + 0.75 * g->points[1].y, <, top - 9.9);
      g_assert_cmpfloat (g->points[1].y, ==, g->points[2].y);
      n_arcs++;
    }
  /* 6 + 12 + 24 + 16 dense layers, the first of each block without a
   * concatenation, and one at the end of each block */
  g_assert_cmpuint (n_nearest, ==, 5 + 11 + 23 + 15 + 4);
  g_assert_cmpuint (n_straight, >=, n_nearest * 8 / 10);
  /* of the 1,041 - 58 arrows into concatenations from further back,
   * most are arcs; the nearest few stay dot's */
  g_assert_cmpuint (n_arcs, >, 300);
}

/* A network of @n_branches relus reading the input and merged by one
 * @merge layer (or a chain of them, every one merged at the end). */
static Model *
many_inputs (const char *merge,
             guint       n_branches,
             gboolean    chain)
{
  GString *json = g_string_new ("{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"many\", \"layers\": ["
                                "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 4, 4]}");
  g_autofree char *text = NULL;
  Model *model;

  for (guint i = 0; i < n_branches; i++)
    g_string_append_printf (json, ", {\"name\": \"r%u\", \"type\": \"relu\"%s}", i,
                            chain ? "" : ", \"inputs\": [\"data\"]");
  g_string_append_printf (json, ", {\"name\": \"merge\", \"type\": \"%s\", \"inputs\": [", merge);
  for (guint i = 0; i < n_branches; i++)
    g_string_append_printf (json, "%s\"r%u\"", i > 0 ? ", " : "", i);
  g_string_append (json, "]}]}");
  text = g_string_free (json, FALSE);
  model = model_parse (text);
  return model;
}

/* Thousands of inputs to one merge: laid out (without dot where it
 * would take minutes), every block in its own place and every arrow
 * from block to block. */
static void
test_many_inputs (void)
{
  static const struct { const char *merge; gboolean chain; } cases[] = {
    { "concat", FALSE }, { "add", FALSE }, { "concat", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Laid) laid = lay_out (many_inputs (cases[i].merge, 2000, cases[i].chain), NULL);
      EnvelopeRect bounds;

      assert_sound (laid);
      envelope_layout_get_bounds (laid->layout, &bounds);
      /* the wide rank folded into columns, not one column 2,000 blocks tall */
      if (!cases[i].chain)
        g_assert_cmpfloat (bounds.height, <, 20 * bounds.width);
    }
}

/* A level of detail's blocks, counted without measuring, are the ones
 * the diagram makes: at every depth, with runs of repeats folded or not,
 * and with groups opened and closed by name. */
static void
test_count_blocks (void)
{
  static const char *files[] = { "vgg16.json", "resnet50.json", "googlenet.json", "vit_b_16.json" };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autoptr(Model) model = model_load (files[f]);
      g_autoptr(EnvelopeGroups) groups = envelope_groups_new (model->network, model->analysis);
      guint depth = envelope_groups_get_depth (groups);

      for (guint d = 0; d <= depth; d++)
        for (guint fold = 0; fold < 2; fold++)
          {
            EnvelopeDiagramOptions options;
            g_autoptr(EnvelopeDiagram) diagram = NULL;
            g_auto(GStrv) opened = NULL;

            envelope_diagram_options_init (&options);
            options.collapse_depth = d;
            options.fold_repeats = fold;
            diagram = envelope_diagram_new (model->analysis, &options);
            g_assert_cmpuint (diagram_count_blocks (model->analysis, &options), ==,
                              envelope_diagram_get_n_blocks (diagram));
            if (d == 0)
              continue;
            /* the middle block's groups opened */
            opened = envelope_diagram_get_block_groups (diagram, envelope_diagram_get_n_blocks (diagram) / 2);
            options.expanded = (const char * const *) opened;
            g_clear_pointer (&diagram, envelope_diagram_unref);
            diagram = envelope_diagram_new (model->analysis, &options);
            g_assert_cmpuint (diagram_count_blocks (model->analysis, &options), ==,
                              envelope_diagram_get_n_blocks (diagram));
          }
    }
}

/* A 2,000-layer network fitted to a window as the canvas fits it: its
 * stages' runs of blocks folded, in five rows; a run opened, at the
 * same level, in rows of its own. */
static void
test_fit_large (void)
{
  g_autoptr(EnvelopeNetwork) network = test_make_staged (10, 25)   /* 2,001 layers */;
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_auto(GStrv) opened = NULL;
  EnvelopeDiagramOptions options;
  EnvelopeRenderOptions render;
  EnvelopeFitGoal goal;
  EnvelopePageFit fit;
  EnvelopeRect bounds;
  gint block;

  g_assert_no_error (error);
  envelope_diagram_options_init (&options);
  options.fold_repeats = TRUE;
  envelope_render_options_init (&render);
  render.show_title = render.show_legend = render.show_totals = FALSE;
  envelope_fit_goal_init (&goal);
  goal.aspect = 16.0 / 9.0;
  goal.max_width = 1600;
  goal.min_text = 7.5;
  g_assert_true (envelope_fit_page (analysis, &options, &render, &goal, &fit, &error));
  g_assert_no_error (error);
  g_assert_true (fit.legible);
  g_assert_cmpuint (fit.collapse_depth, ==, 2);
  g_assert_cmpuint (fit.wrap, ==, 5);
  /* the input; the first stage's 25 blocks, all alike, as one; each
   * later stage's first block (its input is narrower) and its run of 24 */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, 1 + 1 + 9 * 2);
  envelope_layout_get_bounds (fit.layout, &bounds);
  g_assert_cmpfloat (bounds.width, ==, 837);
  g_assert_cmpfloat (bounds.height, ==, 444);

  /* stage5/block3/conv2's run opened */
  block = envelope_diagram_find_block (fit.diagram, (guint) envelope_network_find_layer (network, "stage5/block3/conv2"));
  opened = envelope_diagram_get_block_groups (fit.diagram, (guint) block);
  g_assert_cmpuint (g_strv_length (opened), ==, 24);
  options.collapse_depth = fit.collapse_depth;
  options.expanded = (const char * const *) opened;
  goal.fixed_detail = TRUE;
  envelope_page_fit_clear (&fit);
  g_assert_true (envelope_fit_page (analysis, &options, &render, &goal, &fit, &error));
  g_assert_no_error (error);
  g_assert_false (fit.legible);
  g_assert_cmpuint (fit.collapse_depth, ==, 2);
  g_assert_cmpuint (fit.wrap, ==, 15);
  /* the run's 24 blocks of 8 layers, each conv with its BN and ReLU folded … */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, 20 - 1 + 24 * 8);
  envelope_layout_get_bounds (fit.layout, &bounds);
  g_assert_cmpfloat (bounds.width, ==, 2823);
  g_assert_cmpfloat (bounds.height, ==, 1274);
  envelope_page_fit_clear (&fit);

  /* in a view that scrolls, the same is folded to the view's width at
   * text that reads (1 pixel a point here), and the rest is scrolled to */
  goal.scrolls = TRUE;
  for (guint w = 0; w < 2; w++)
    {
      g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
      double width, height;

      goal.max_width = w == 0 ? 1800 : 1600;
      g_assert_true (envelope_fit_page (analysis, &options, &render, &goal, &fit, &error));
      g_assert_no_error (error);
      envelope_renderer_get_page_size (renderer, fit.diagram, fit.layout, &render, &width, &height);
      g_test_message ("scrolled in %.0f px: %u rows (%u asked), %.0f × %.0f pt", goal.max_width,
                      envelope_layout_get_n_rows (fit.layout), fit.wrap, width, height);
      g_assert_false (fit.legible);
      g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, 20 - 1 + 24 * 8);
      g_assert_cmpuint (envelope_layout_get_n_rows (fit.layout), ==, w == 0 ? 26 : 29);
      g_assert_cmpfloat (width, <=, goal.max_width);
      envelope_page_fit_clear (&fit);
    }
}

static gpointer
measure_in_thread (gpointer data)
{
  double *width = g_new (double, 1);

  *width = text_kit_measure (text_kit_get_shared (NULL), TEXT_BLOCK_NAME, data);
  return width;
}

/* The process's measuring kit measures as a kit of the thread's own,
 * from any thread, and again from what it kept. */
static void
test_shared_kit (void)
{
  static const char *texts[] = { "layer3/0/conv2", "Ünïcödé · 3×3", "2048×112×112", "" };
  TextKit *own = text_kit_new (NULL);
  TextKit *shared = text_kit_get_shared ("Sans");

  g_assert_true (shared == text_kit_get_shared (NULL));
  for (guint s = 0; s < N_TEXT_STYLES; s++)
    {
      g_assert_cmpfloat (shared->line_height[s], ==, own->line_height[s]);
      g_assert_cmpfloat (shared->ascent[s], ==, own->ascent[s]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *unique = g_strdup_printf ("%s %p", texts[i], (void *) own);
      double width = text_kit_measure (shared, TEXT_BLOCK_NAME, unique);
      GThread *thread = g_thread_new ("measure", measure_in_thread, unique);
      g_autofree double *elsewhere = g_thread_join (thread);

      g_assert_cmpfloat (width, >, 0);
      g_assert_cmpfloat (width, ==, *elsewhere);
      g_assert_cmpfloat (width, ==, text_kit_measure (shared, TEXT_BLOCK_NAME, unique));
      /* a kit of this thread's font map measures alike */
      g_assert_cmpfloat (width, ==, text_kit_measure (own, TEXT_BLOCK_NAME, unique));
      /* and each style in its own font */
      g_assert_cmpfloat (text_kit_measure (shared, TEXT_TITLE, unique), >, width);
    }
  text_kit_free (own);
}

/* A diagram refolded shares its blocks and gives what a refresh with
 * only another wrap gives, and outlives the diagram it came from. */
static void
test_new_wrapped (void)
{
  g_autoptr(Model) model = model_load ("resnet50.json");
  g_autoptr(EnvelopeDiagram) refreshed = NULL, again = NULL;
  g_autoptr(EnvelopeLayout) one_row = NULL, folded_layout = NULL, refreshed_layout = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeDiagram *diagram, *folded;
  EnvelopeDiagramOptions options;
  EnvelopeRect a, b;

  envelope_diagram_options_init (&options);
  options.collapse_depth = 2;
  diagram = envelope_diagram_new (model->analysis, &options);
  one_row = envelope_layout_new (diagram, &error);
  g_assert_no_error (error);
  folded = diagram_new_wrapped (diagram, 3);
  options.wrap = 3;
  refreshed = envelope_diagram_refresh (diagram, model->analysis, &options);
  envelope_diagram_unref (diagram);

  g_assert_cmpuint (envelope_diagram_get_wrap (folded), ==, 3);
  /* the stem's layers, the sixteen bottlenecks, the head's layers */
  g_assert_cmpuint (envelope_diagram_get_n_blocks (folded), ==, 23);
  assert_same_blocks (folded, refreshed);
  g_assert_cmpuint (envelope_diagram_get_structure_key (folded), ==, envelope_diagram_get_structure_key (refreshed));
  g_assert_cmpuint (envelope_diagram_get_structure_key (folded), !=, envelope_layout_get_structure_key (one_row));
  folded_layout = envelope_layout_new_wrapped (one_row, folded);
  refreshed_layout = envelope_layout_new_wrapped (one_row, refreshed);
  g_assert_cmpuint (envelope_layout_get_n_rows (folded_layout), ==, 3);
  envelope_layout_get_bounds (folded_layout, &a);
  envelope_layout_get_bounds (refreshed_layout, &b);
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  /* refolded again, from the refolded one */
  again = diagram_new_wrapped (folded, 1);
  envelope_diagram_unref (folded);
  g_assert_cmpuint (envelope_diagram_get_wrap (again), ==, 1);
  g_assert_cmpuint (envelope_diagram_get_structure_key (again), ==, envelope_layout_get_structure_key (one_row));
  g_assert_cmpstr (envelope_diagram_get_block (again, 1)->name, ==, envelope_diagram_get_block (refreshed, 1)->name);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sound_cases); i++)
    {
      const SoundCase *c = &sound_cases[i];
      g_autofree char *path = g_strdup_printf ("/render/layout/sound/%s/%s/%s/collapse%u/wrap%u", c->file,
                                               c->style == ENVELOPE_DIAGRAM_STYLE_FLAT ? "flat" : "proportional",
                                               c->direction == ENVELOPE_DIRECTION_LEFT_RIGHT ? "lr" : "tb",
                                               c->collapse_depth, c->wrap);
      g_test_add_data_func (path, c, test_sound);
    }
  g_test_add_func ("/render/layout/chain", test_chain);
  g_test_add_func ("/render/layout/collapse/names", test_collapse);
  g_test_add_func ("/render/layout/collapse/group-field", test_collapse_group_field);
  g_test_add_func ("/render/layout/collapse/named", test_collapse_named);
  g_test_add_func ("/render/layout/structure-key", test_structure_key);
  g_test_add_func ("/render/layout/fit/slide", test_fit_slide);
  g_test_add_func ("/render/layout/fit/free", test_fit_free);
  g_test_add_func ("/render/layout/fit/rewrap", test_rewrap);
  g_test_add_func ("/render/layout/fit/count-blocks", test_count_blocks);
  g_test_add_func ("/render/layout/fit/large", test_fit_large);
  g_test_add_func ("/render/layout/fit/new-wrapped", test_new_wrapped);
  g_test_add_func ("/render/layout/shared-kit", test_shared_kit);
  g_test_add_func ("/render/layout/fold-repeats", test_fold_repeats);
  g_test_add_func ("/render/layout/refresh", test_refresh);
  g_test_add_func ("/render/layout/wrap", test_wrap);
  g_test_add_func ("/render/layout/wrap/through-branches", test_wrap_through_branches);
  g_test_add_func ("/render/layout/hit", test_hit);
  g_test_add_func ("/render/layout/query", test_query);
  g_test_add_func ("/render/layout/dense", test_dense);
  g_test_add_func ("/render/layout/many-inputs", test_many_inputs);

  return g_test_run ();
}
