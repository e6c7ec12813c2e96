/* test-render-classic.c: the proportional style's classic figure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "envelope-classic.h"
#include "envelope-diagram.h"
#include "envelope-fit.h"
#include "envelope-layout.h"
#include "envelope-renderer.h"
#include "test-helpers.h"

static EnvelopeDiagram *
classic_diagram (const Model *model)
{
  EnvelopeDiagramOptions options;

  envelope_diagram_options_init (&options);
  options.style = ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
  return envelope_diagram_new (model->analysis, &options);
}

/* VGG-16's classic figure: the input, thirteen convolutions with their
 * ReLUs, five poolings (the last with the adaptive pooling to the 7 × 7
 * it already has), and three dense layers with their ReLUs and
 * dropouts; each run of one size labelled once, pool4 and conv5's three
 * convolutions being one. */
static void
test_vgg16_blocks (void)
{
  static const struct { const char *name; guint n_layers; const char *label; guint span; } expected[] = {
    { "data", 1, "224×224×3", 1 },
    { "conv1_1", 2, "224×224×64", 2 }, { "conv1_2", 2, "224×224×64", 0 },
    { "pool1", 1, "112×112×64", 1 },
    { "conv2_1", 2, "112×112×128", 2 }, { "conv2_2", 2, "112×112×128", 0 },
    { "pool2", 1, "56×56×128", 1 },
    { "conv3_1", 2, "56×56×256", 3 }, { "conv3_2", 2, "56×56×256", 0 }, { "conv3_3", 2, "56×56×256", 0 },
    { "pool3", 1, "28×28×256", 1 },
    { "conv4_1", 2, "28×28×512", 3 }, { "conv4_2", 2, "28×28×512", 0 }, { "conv4_3", 2, "28×28×512", 0 },
    { "pool4", 1, "14×14×512", 4 },  /* the size conv5 keeps */
    { "conv5_1", 2, "14×14×512", 0 }, { "conv5_2", 2, "14×14×512", 0 }, { "conv5_3", 2, "14×14×512", 0 },
    { "pool5", 2, "7×7×512", 1 },
    { "fc6", 3, "4096", 2 }, { "fc7", 3, "4096", 0 },
    { "fc8", 1, "1000", 1 },
  };
  g_autoptr(Model) model = model_load ("vgg16.json");
  g_autoptr(EnvelopeDiagram) diagram = classic_diagram (model);
  guint layers = 0;

  g_assert_cmpuint (envelope_diagram_get_n_blocks (diagram), ==, G_N_ELEMENTS (expected));
  for (guint b = 0; b < G_N_ELEMENTS (expected); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);

      g_assert_cmpstr (block->name, ==, expected[b].name);
      g_assert_cmpuint (block->n_layers, ==, expected[b].n_layers);
      g_assert_cmpstr (block->size_label, ==, expected[b].label);
      g_assert_cmpuint (block->label_span, ==, expected[b].span);
      g_assert_false (block->collapsed);
      /* the block stands for its first layer, whose kind colours it */
      g_assert_cmpuint (block->output_layer, ==, block->layers[0]);
      g_assert_cmpstr (envelope_diagram_get_layer_name (diagram, block->output_layer), ==, expected[b].name);
      layers += block->n_layers;
    }
  g_assert_cmpuint (layers, ==, envelope_network_get_n_layers (model->network));
  g_assert_cmpstr (envelope_diagram_get_block (diagram, 1)->description, ==, "conv 3×3, 64 + relu");
  g_assert_cmpstr (envelope_diagram_get_block (diagram, 19)->description, ==, "dense 4096 + relu + dropout");
  g_assert_cmpint (envelope_diagram_get_block (diagram, 1)->category, ==, ENVELOPE_CATEGORY_CONVOLUTION);
  /* ReLU, max-pool and the adaptive pool of pool5 are found in their blocks */
  g_assert_cmpint (envelope_diagram_find_block (diagram, (guint) envelope_network_find_layer (model->network, "relu1_2")), ==, 2);
  g_assert_cmpint (envelope_diagram_find_block (diagram, (guint) envelope_network_find_layer (model->network, "avgpool")), ==, 18);
  /* the kernels: a convolution's 3 × 3, a pooling's 2 × 2, none for dense */
  g_assert_cmpuint (envelope_diagram_get_block (diagram, 1)->kernel[0], ==, 3);
  g_assert_cmpuint (envelope_diagram_get_block (diagram, 1)->kernel[1], ==, 3);
  g_assert_cmpuint (envelope_diagram_get_block (diagram, 3)->kernel[0], ==, 2);
  g_assert_cmpuint (envelope_diagram_get_block (diagram, 19)->kernel[0], ==, 0);

  /* a refresh measures no label again, and sizes every box alike */
  {
    EnvelopeDiagramOptions options;
    g_autoptr(EnvelopeDiagram) again = NULL;

    envelope_diagram_options_init (&options);
    options.style = ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
    again = envelope_diagram_refresh (diagram, model->analysis, &options);
    g_assert_cmpuint (envelope_diagram_get_n_measured (again), ==, 0);
    g_assert_cmpuint (envelope_diagram_get_structure_key (again), ==, envelope_diagram_get_structure_key (diagram));
  }

  /* the flat style folds nothing */
  {
    EnvelopeDiagramOptions options;
    g_autoptr(EnvelopeDiagram) flat = NULL;

    envelope_diagram_options_init (&options);
    flat = envelope_diagram_new (model->analysis, &options);
    g_assert_cmpuint (envelope_diagram_get_n_blocks (flat), ==, envelope_network_get_n_layers (model->network));
  }
}

/* A run's label is drawn by its first block: a view of any block of
 * the run draws that block too, though a click there finds only the
 * block under it. */
static void
test_label_reach (void)
{
  g_autoptr(Model) model = model_load ("vgg16.json");
  g_autoptr(EnvelopeDiagram) diagram = classic_diagram (model);
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  EnvelopeRect conv3_3, conv3_1;
  EnvelopeHit hit;
  gboolean found = FALSE;

  layout = envelope_layout_new (diagram, &error);
  g_assert_no_error (error);
  envelope_layout_get_block_rect (layout, 9, &conv3_3);
  envelope_layout_get_block_rect (layout, 7, &conv3_1);
  /* the run conv3_1 … conv3_3, left to right in one row */
  g_assert_cmpfloat (conv3_3.x, >, conv3_1.x + conv3_1.width);
  g_assert_cmpfloat (envelope_layout_get_rank_gap (layout), ==, 9.0);
  envelope_rect_inflate (&conv3_3, -conv3_3.width / 4, -conv3_3.height / 4);
  envelope_layout_query (layout, &conv3_3, blocks, NULL);
  for (guint k = 0; k < blocks->len; k++)
    found |= g_array_index (blocks, guint, k) == 7;
  g_assert_true (found);
  g_assert_true (envelope_layout_hit_test (layout, conv3_3.x + conv3_3.width / 2, conv3_3.y + conv3_3.height / 2, 3, 1, &hit));
  g_assert_cmpint (hit.kind, ==, ENVELOPE_HIT_BLOCK);
  g_assert_cmpuint (hit.index, ==, 9);
}

/* The folding rule, layer by layer. */
static void
test_folds (void)
{
  g_autoptr(Model) model = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"folds\", \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"bn1\", \"type\": \"batch_norm\"},"
    "{\"name\": \"relu1\", \"type\": \"relu\"},"
    "{\"name\": \"conv2\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"add\", \"type\": \"add\", \"inputs\": [\"conv2\", \"relu1\"]},"
    "{\"name\": \"relu2\", \"type\": \"relu\"},"
    "{\"name\": \"pool\", \"type\": \"max_pool\", \"kernel\": 2},"
    "{\"name\": \"drop\", \"type\": \"dropout\"},"
    "{\"name\": \"flat\", \"type\": \"flatten\"},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10},"
    "{\"name\": \"soft\", \"type\": \"softmax\"}]}");
  static const struct { const char *layer; const char *block; } cases[] = {
    { "bn1", "conv1" },     /* normalization */
    { "relu1", "conv1" },   /* activation, even after a fold; its output forks, not its input */
    { "conv2", "conv2" },
    { "add", "add" },       /* two inputs */
    { "relu2", "add" },
    { "pool", "pool" },     /* changes the size */
    { "drop", "pool" },     /* regularization */
    { "flat", "flat" },     /* changes the shape */
    { "soft", "fc" },
  };
  g_autoptr(EnvelopeDiagram) diagram = classic_diagram (model);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gint block = envelope_diagram_find_block (diagram, (guint) envelope_network_find_layer (model->network, cases[c].layer));

      g_assert_cmpstr (envelope_diagram_get_block (diagram, (guint) block)->name, ==, cases[c].block);
    }
  g_assert_cmpuint (envelope_diagram_get_n_blocks (diagram), ==, 7);
}

/* A layer whose feeder has another reader stays apart: folding it would
 * hide the fork. */
static void
test_fold_keeps_forks (void)
{
  g_autoptr(Model) model = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"fork\", \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"relu\", \"type\": \"relu\", \"inputs\": [\"conv1\"]},"
    "{\"name\": \"side\", \"type\": \"sigmoid\", \"inputs\": [\"conv1\"]},"
    "{\"name\": \"mul\", \"type\": \"mul\", \"inputs\": [\"relu\", \"side\"]}]}");
  g_autoptr(EnvelopeDiagram) diagram = classic_diagram (model);

  g_assert_cmpuint (envelope_diagram_get_n_blocks (diagram), ==, 5);
  g_assert_false (envelope_classic_folds (envelope_analysis_get_layer (model->analysis, 2),
                                          envelope_analysis_get_layer (model->analysis, 1), 2));
  g_assert_true (envelope_classic_folds (envelope_analysis_get_layer (model->analysis, 2),
                                         envelope_analysis_get_layer (model->analysis, 1), 1));
}

/* The scales: 512 channels are 2√2 times as thick as 64, a 224-pixel map
 * 5.66 times as tall as a 7-pixel one; and the boxes drawn follow them. */
static void
test_scales (void)
{
  g_autoptr(Model) model = model_load ("vgg16.json");
  g_autoptr(EnvelopeDiagram) diagram = classic_diagram (model);
  const EnvelopeBlock *conv1 = envelope_diagram_get_block (diagram, 1);
  const EnvelopeBlock *conv5 = envelope_diagram_get_block (diagram, 15);
  const EnvelopeBlock *pool5 = envelope_diagram_get_block (diagram, 18);

  g_assert_cmpfloat_with_epsilon (envelope_classic_channel_thickness (64), 10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (envelope_classic_channel_thickness (512) / envelope_classic_channel_thickness (64),
                                  2 * G_SQRT2, 1e-9);
  g_assert_cmpfloat_with_epsilon (envelope_classic_spatial_extent (224) / envelope_classic_spatial_extent (7),
                                  sqrt (32), 1e-9);
  g_assert_cmpfloat (envelope_classic_channel_thickness (1), ==, 3.0);
  g_assert_cmpfloat (envelope_classic_spatial_extent (100000), ==, 96.0);

  g_assert_cmpfloat_with_epsilon (conv5->box_width / conv1->box_width, 2 * G_SQRT2, 1e-9);
  g_assert_cmpfloat_with_epsilon (conv1->box_height / pool5->box_height, sqrt (32), 1e-9);
  g_assert_cmpfloat_with_epsilon (conv1->box_height, 6 * sqrt (224), 1e-9);
  /* a dense layer is a thin bar */
  g_assert_cmpfloat (envelope_diagram_get_block (diagram, 19)->box_width, <, conv1->box_width);
}

static void
test_size_labels (void)
{
  static const guint64 map[] = { 64, 112, 56 }, video[] = { 64, 16, 112, 112 }, signal[] = { 32, 1000 };
  static const guint64 tokens[] = { 197, 768 }, vector[] = { 4096 };
  static const struct { guint rank; EnvelopeTensorLayout layout; const guint64 *shape; const char *label; } cases[] = {
    { 3, ENVELOPE_TENSOR_MAP, map, "112×56×64" },
    { 4, ENVELOPE_TENSOR_MAP, video, "16×112×112×64" },
    { 2, ENVELOPE_TENSOR_MAP, signal, "1000×32" },
    { 2, ENVELOPE_TENSOR_TOKENS, tokens, "197×768" },
    { 1, ENVELOPE_TENSOR_VECTOR, vector, "4096" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *label = envelope_classic_size_label (cases[c].rank, cases[c].layout, cases[c].shape);

      g_assert_cmpstr (label, ==, cases[c].label);
    }
}

/* On a slide: VGG-16, AlexNet, LeNet-5 and MNIST in one row, every
 * layer drawn, text at 14 pixels or more on a 1,920-pixel slide. */
static void
test_slide (void)
{
  static const struct { const char *file; guint blocks; } cases[] = {
    { "vgg16.json", 22 }, { "alexnet.json", 12 }, { "lenet5.json", 8 }, { "mnist.json", 6 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(Model) model = model_load (cases[c].file);
      g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
      g_autoptr(GError) error = NULL;
      EnvelopeDiagramOptions options;
      EnvelopeRenderOptions render;
      EnvelopeFitGoal goal;
      EnvelopePageFit fit;
      double width, height;

      envelope_diagram_options_init (&options);
      options.style = ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
      envelope_render_options_init (&render);
      envelope_fit_goal_init (&goal);
      goal.min_text = ENVELOPE_FIT_ROOM_TEXT;
      g_assert_true (envelope_fit_page (model->analysis, &options, &render, &goal, &fit, &error));
      g_assert_no_error (error);
      envelope_renderer_get_page_size (renderer, fit.diagram, fit.layout, &render, &width, &height);
      g_test_message ("%s: %u blocks, %u rows, %.0f × %.0f pt, scale %.2f", cases[c].file,
                      envelope_diagram_get_n_blocks (fit.diagram), fit.wrap, width, height, fit.scale);
      g_assert_true (fit.legible);
      g_assert_cmpuint (fit.collapse_depth, ==, 0);
      g_assert_cmpuint (fit.wrap, ==, 1);
      g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), ==, cases[c].blocks);
      g_assert_cmpfloat (width * fit.scale, <=, 1920.5);
      g_assert_cmpfloat (height * fit.scale, <=, 1080.5);
      /* the legend's 8.5 points, the smallest text, at 14 pixels */
      g_assert_cmpfloat (fit.scale * 8.5, >=, 14);
      envelope_page_fit_clear (&fit);
    }
}

/* ResNet-50 does not fit a slide layer by layer: its groups do, named. */
static void
test_slide_groups (void)
{
  g_autoptr(Model) model = model_load ("resnet50.json");
  g_autoptr(GError) error = NULL;
  EnvelopeDiagramOptions options;
  EnvelopeRenderOptions render;
  EnvelopeFitGoal goal;
  EnvelopePageFit fit;
  guint collapsed = 0;

  envelope_diagram_options_init (&options);
  options.style = ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
  options.fold_repeats = TRUE;
  envelope_render_options_init (&render);
  envelope_fit_goal_init (&goal);
  goal.min_text = ENVELOPE_FIT_ROOM_TEXT;
  g_assert_true (envelope_fit_page (model->analysis, &options, &render, &goal, &fit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fit.collapse_depth, >, 0);
  for (guint b = 0; b < envelope_diagram_get_n_blocks (fit.diagram); b++)
    collapsed += envelope_diagram_get_block (fit.diagram, b)->collapsed;
  g_assert_cmpuint (collapsed, >=, 4);
  g_assert_cmpuint (envelope_diagram_get_n_blocks (fit.diagram), <=, 20);
  envelope_page_fit_clear (&fit);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/classic/vgg16-blocks", test_vgg16_blocks);
  g_test_add_func ("/render/classic/label-reach", test_label_reach);
  g_test_add_func ("/render/classic/folds", test_folds);
  g_test_add_func ("/render/classic/fold-keeps-forks", test_fold_keeps_forks);
  g_test_add_func ("/render/classic/scales", test_scales);
  g_test_add_func ("/render/classic/size-labels", test_size_labels);
  g_test_add_func ("/render/classic/slide", test_slide);
  g_test_add_func ("/render/classic/slide-groups", test_slide_groups);
  return g_test_run ();
}
