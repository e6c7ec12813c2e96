/* test-kinds-structure.c: reshape, permute, slice, pad, crop, channel
 * shuffle, space and depth, upsampling, adaptive pooling and reduction,
 * worked by hand; the shapes and the adaptive windows were checked
 * against PyTorch 1.13 (reshape, permute, indexing, F.pad,
 * torchvision's center_crop, pixel_unshuffle and pixel_shuffle,
 * F.interpolate, F.adaptive_{avg,max}_pool{1,2,3}d, mean and amax)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kinds-structure"

#include "config.h"

#include "test-helpers.h"

static char *
network_json (const char *input,
              const char *layer)
{
  return g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                          "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                          "{\"name\": \"layer\", \"type\": %s}]}", input, layer);
}

typedef struct
{
  const char *input;         /* the input's "shape" (and "layout") */
  const char *layer;         /* the layer's settings, after "type" */
  guint rank;
  EnvelopeTensorLayout layout;
  guint64 shape[ENVELOPE_MAX_RANK];
  guint64 other_ops;
} FigureCase;

#define V ENVELOPE_TENSOR_VECTOR
#define T ENVELOPE_TENSOR_TOKENS
#define M ENVELOPE_TENSOR_MAP

static const FigureCase figure_cases[] = {
  /* reshape: one size inferred; rank 2 is tokens unless "layout": "map" */
  { "[16, 4, 4]", "\"reshape\", \"shape\": [-1, 16]", 2, T, { 16, 16 }, 0 },
  { "[16, 4, 4]", "\"reshape\", \"shape\": [16, 16], \"layout\": \"map\"", 2, M, { 16, 16 }, 0 },
  { "[16, 4, 4]", "\"reshape\", \"shape\": [-1]", 1, V, { 256 }, 0 },
  { "[256]", "\"reshape\", \"shape\": [4, 8, 8]", 3, M, { 4, 8, 8 }, 0 },
  { "[2, 3, 4, 5]", "\"reshape\", \"shape\": [6, -1, 5, 1]", 4, M, { 6, 4, 5, 1 }, 0 },
  /* permute: tokens ↔ 1-D map; maps stay maps */
  { "[10, 32]", "\"permute\", \"order\": [1, 0]", 2, M, { 32, 10 }, 0 },
  { "[32, 10], \"layout\": \"map\"", "\"permute\", \"order\": [-1, 0]", 2, T, { 10, 32 }, 0 },
  { "[8, 6, 4]", "\"permute\", \"order\": [0, 2, 1]", 3, M, { 8, 4, 6 }, 0 },
  { "[8, 6, 4]", "\"permute\", \"order\": [1, 2, 0]", 3, M, { 6, 4, 8 }, 0 },
  /* slice: Python's x[2:-1:3] of 10 keeps 2, 5, 8; x[-5:] of 20 keeps 5 */
  { "[10, 32]", "\"slice\", \"axis\": 0, \"start\": 2, \"end\": -1, \"step\": 3", 2, T, { 3, 32 }, 0 },
  { "[16, 20, 20]", "\"slice\", \"axis\": 1, \"start\": -5", 3, M, { 16, 5, 20 }, 0 },
  { "[16, 20, 20]", "\"slice\", \"axis\": 0, \"start\": -100, \"end\": 100, \"step\": 2", 3, M, { 8, 20, 20 }, 0 },
  { "[100]", "\"slice\", \"axis\": -1, \"end\": 10", 1, V, { 10 }, 0 },
  /* pad: both sides of each spatial axis */
  { "[3, 32, 32]", "\"pad\", \"padding\": [1, 2]", 3, M, { 3, 34, 36 }, 0 },
  { "[4, 10], \"layout\": \"map\"", "\"pad\", \"padding\": 3", 2, M, { 4, 16 }, 0 },
  /* crop to output_size */
  { "[64, 64, 64]", "\"crop\", \"output_size\": 56", 3, M, { 64, 56, 56 }, 0 },
  { "[2, 9, 9, 9]", "\"crop\", \"output_size\": [9, 6, 1]", 4, M, { 2, 9, 6, 1 }, 0 },
  /* channel shuffle keeps the shape */
  { "[240, 28, 28]", "\"channel_shuffle\", \"groups\": 3", 3, M, { 240, 28, 28 }, 0 },
  /* pixel_unshuffle and pixel_shuffle; 1-D and 3-D use b and b³ */
  { "[16, 32, 32]", "\"space_to_depth\", \"block\": 2", 3, M, { 64, 16, 16 }, 0 },
  { "[64, 16, 16]", "\"depth_to_space\", \"block\": 2", 3, M, { 16, 32, 32 }, 0 },
  { "[4, 10], \"layout\": \"map\"", "\"space_to_depth\", \"block\": 2", 2, M, { 8, 5 }, 0 },
  { "[8, 4, 4, 4]", "\"space_to_depth\", \"block\": 2", 4, M, { 64, 2, 2, 2 }, 0 },
  { "[54, 2, 2, 2]", "\"depth_to_space\", \"block\": 3", 4, M, { 2, 6, 6, 6 }, 0 },
  /* upsample: nearest 0 other ops; linear 2^(axes+1) − 1 per output value */
  { "[64, 16, 16]", "\"upsample\"", 3, M, { 64, 32, 32 }, 0 },
  { "[64, 16, 16]", "\"upsample\", \"mode\": \"linear\", \"scale\": 2", 3, M, { 64, 32, 32 }, 7 * 64 * 32 * 32 },
  { "[3, 7, 7]", "\"upsample\", \"scale\": 1.5", 3, M, { 3, 10, 10 }, 0 },
  { "[3, 7, 7]", "\"upsample\", \"scale\": [2, 1.5]", 3, M, { 3, 14, 10 }, 0 },
  { "[3, 4, 7, 7]", "\"upsample\", \"scale\": [1, 2.5, 0.5]", 4, M, { 3, 4, 17, 3 }, 0 },
  { "[64, 16, 16]", "\"upsample\", \"mode\": \"linear\", \"output_size\": [20, 30]", 3, M, { 64, 20, 30 }, 7 * 64 * 20 * 30 },
  { "[4, 3, 5, 5]", "\"upsample\", \"mode\": \"linear\", \"scale\": 2", 4, M, { 4, 6, 10, 10 }, 15 * 4 * 6 * 10 * 10 },
  { "[4, 10], \"layout\": \"map\"", "\"upsample\", \"mode\": \"linear\"", 2, M, { 4, 20 }, 3 * 4 * 20 },
  /* adaptive pooling: the windows along an axis add up to m + n − gcd(m, n),
   * checked against PyTorch's own windows, times C */
  { "[512, 7, 7]", "\"adaptive_avg_pool\", \"output_size\": 3", 3, M, { 512, 3, 3 }, 81 * 512 },
  { "[512, 14, 14]", "\"adaptive_max_pool\", \"output_size\": 7", 3, M, { 512, 7, 7 }, 196 * 512 },
  { "[8, 5, 5]", "\"adaptive_avg_pool\", \"output_size\": [3, 2]", 3, M, { 8, 3, 2 }, 42 * 8 },
  { "[4, 10], \"layout\": \"map\"", "\"adaptive_max_pool\", \"output_size\": 4", 2, M, { 4, 4 }, 12 * 4 },
  { "[2, 5, 6, 7]", "\"adaptive_avg_pool\", \"output_size\": [2, 4, 3]", 4, M, { 2, 2, 4, 3 }, 432 * 2 },
  { "[3, 3, 3]", "\"adaptive_avg_pool\", \"output_size\": 5", 3, M, { 3, 5, 5 }, 49 * 3 },
  /* reduce: one operation per input value */
  { "[64, 8, 8]", "\"reduce\", \"axes\": [1, 2]", 1, V, { 64 }, 4096 },
  { "[64, 8, 8]", "\"reduce\", \"axes\": [-1, -2], \"keep_dims\": true", 3, M, { 64, 1, 1 }, 4096 },
  { "[64, 8, 8]", "\"reduce\", \"operation\": \"max\", \"axes\": [0]", 2, M, { 8, 8 }, 4096 },
  { "[10, 32]", "\"reduce\", \"operation\": \"sum\", \"axes\": [-1]", 1, V, { 10 }, 320 },
  { "[10, 32]", "\"reduce\", \"operation\": \"min\", \"axes\": [0, 1]", 1, V, { 1 }, 320 },
};

static void
test_figures (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (figure_cases); i++)
    {
      const FigureCase *c = &figure_cases[i];
      g_autofree char *json = network_json (c->input, c->layer);
      g_autoptr(Model) m = NULL;
      const EnvelopeLayerFigures *f;
      guint64 values = 1;

      g_test_message ("case %u: %s on %s", i, c->layer, c->input);
      m = model_parse (json);
      f = model_layer (m, "layer");
      g_assert_cmpuint (f->rank, ==, c->rank);
      g_assert_cmpint (f->layout, ==, c->layout);
      for (guint a = 0; a < c->rank; a++)
        {
          g_assert_cmpuint (f->shape[a], ==, c->shape[a]);
          values *= c->shape[a];
        }
      g_assert_cmpuint (f->activations, ==, values);
      g_assert_cmpuint (f->params, ==, 0);
      g_assert_cmpuint (f->macs, ==, 0);
      g_assert_cmpuint (f->other_ops, ==, c->other_ops);
    }
}

typedef struct
{
  const char *input;
  const char *layer;
  EnvelopeFigure figure;
  const char *formula;
} FormulaCase;

static const FormulaCase formula_cases[] = {
  { "[16, 4, 4]", "\"reshape\", \"shape\": [-1, 16]", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "(16 × 4 × 4) = 256 values → 16×16 (−1: 256 / 16 = 16)" },
  { "[10, 32]", "\"permute\", \"order\": [1, 0]", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "(1, 0): 10×32 → 32×10 (tokens become a 1-D map)" },
  { "[10, 32]", "\"slice\", \"axis\": 0, \"start\": 2, \"end\": -1, \"step\": 3", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "axis 0: ⌈(9 − 2) / 3⌉ = 3 → 3×32" },
  { "[10, 32]", "\"slice\", \"axis\": 0, \"start\": 2, \"end\": -1, \"step\": 3", ENVELOPE_FIGURE_JUMP,
    "1 × 3 = 3" },
  { "[10, 32]", "\"slice\", \"axis\": 0, \"start\": 2, \"end\": -1, \"step\": 3", ENVELOPE_FIGURE_START,
    "0.5 + 2 × 1 = 2.5" },
  { "[3, 32, 32]", "\"pad\", \"padding\": [1, 2]", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "H: 32 + 2 × 1 = 34; W: 32 + 2 × 2 = 36 → 3×34×36" },
  { "[3, 32, 32]", "\"pad\", \"padding\": [1, 2]", ENVELOPE_FIGURE_START,
    "H: 0.5 − 1 × 1 = -0.5; W: 0.5 − 2 × 1 = -1.5" },
  { "[64, 64, 64]", "\"crop\", \"output_size\": 56", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "64 − 8 = 56 (4 before, 4 after) → 64×56×56" },
  { "[240, 28, 28]", "\"channel_shuffle\", \"groups\": 3", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "unchanged: 3 groups of 80 channels interleaved, 240×28×28" },
  { "[16, 32, 32]", "\"space_to_depth\", \"block\": 2", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "16 × 2² = 64 channels; 32 / 2 = 16, 32 / 2 = 16 → 64×16×16" },
  { "[16, 32, 32]", "\"space_to_depth\", \"block\": 2", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "1 + (2 − 1) × 1 = 2" },
  { "[64, 16, 16]", "\"depth_to_space\", \"block\": 2", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "64 / 2² = 16 channels; 16 × 2 = 32, 16 × 2 = 32 → 16×32×32" },
  { "[64, 16, 16]", "\"depth_to_space\", \"block\": 2", ENVELOPE_FIGURE_JUMP,
    "1 / 2 = 0.5" },
  { "[3, 7, 7]", "\"upsample\", \"scale\": 1.5", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "⌊7 × 1.5⌋ = 10 → 3×10×10" },
  { "[3, 7, 7]", "\"upsample\", \"scale\": [2, 1.5]", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "H: ⌊7 × 2⌋ = 14; W: ⌊7 × 1.5⌋ = 10 → 3×14×10" },
  { "[3, 7, 7]", "\"upsample\", \"scale\": 1.5", ENVELOPE_FIGURE_OTHER_OPS,
    "0: nearest copies one value per output" },
  { "[64, 16, 16]", "\"upsample\", \"mode\": \"linear\", \"scale\": 2", ENVELOPE_FIGURE_OTHER_OPS,
    "(2 × 4 − 1) × 65,536 = 458,752: 4 weighted reads and 3 additions per output value" },
  { "[64, 16, 16]", "\"upsample\", \"mode\": \"linear\", \"scale\": 2", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "1 + 1 = 2 (two neighbours)" },
  { "[512, 7, 7]", "\"adaptive_avg_pool\", \"output_size\": 3", ENVELOPE_FIGURE_OTHER_OPS,
    "((7 + 3 − 1) × (7 + 3 − 1)) × 512 = 41,472: every window's values once per channel "
    "(the windows along an axis of m inputs and n outputs add up to m + n − gcd(m, n))" },
  { "[512, 7, 7]", "\"adaptive_avg_pool\", \"output_size\": 3", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "1 + (3 − 1) × 1 = 3 (the longest window)" },
  { "[64, 8, 8]", "\"reduce\", \"axes\": [1, 2]", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "mean over axes 1, 2: 64×8×8 → 64" },
  { "[64, 8, 8]", "\"reduce\", \"axes\": [1, 2]", ENVELOPE_FIGURE_OTHER_OPS,
    "4,096, one per input value" },
};

static void
test_formulas (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (formula_cases); i++)
    {
      const FormulaCase *c = &formula_cases[i];
      g_autofree char *json = network_json (c->input, c->layer);
      g_autoptr(Model) m = NULL;
      g_autofree char *text = NULL;

      g_test_message ("case %u: %s on %s", i, c->layer, c->input);
      m = model_parse (json);
      text = model_formula (m, "layer", c->figure);
      g_assert_cmpstr (text, ==, c->formula);
    }
}

/* Receptive fields through the kinds that move positions. */
static void
test_receptive_fields (void)
{
  static const struct { const char *input; guint channels; const char *layer; double size, jump, start; gboolean whole; } cases[] = {
    /* after a 3×3 convolution (padding 1): size 3, jump 1, start 0.5 */
    { "[16, 32, 32]", 16, "\"space_to_depth\", \"block\": 2", 4, 2, 1, FALSE },
    { "[64, 16, 16]", 64, "\"depth_to_space\", \"block\": 2", 3, 0.5, 0.25, FALSE },
    { "[3, 32, 32]", 3, "\"pad\", \"padding\": 2", 3, 1, -1.5, FALSE },
    { "[64, 64, 64]", 64, "\"crop\", \"output_size\": 56", 3, 1, 4.5, FALSE },
    { "[64, 16, 16]", 64, "\"upsample\"", 3, 0.5, 0.25, FALSE },
    { "[64, 16, 16]", 64, "\"upsample\", \"mode\": \"linear\"", 4, 0.5, 0.25, FALSE },
    { "[512, 7, 7]", 512, "\"adaptive_avg_pool\", \"output_size\": 3", 5, 7.0 / 3, 1.5, FALSE },
    { "[16, 20, 20]", 16, "\"slice\", \"axis\": 1, \"start\": 4, \"step\": 2", 3, 2, 4.5, FALSE },
    { "[64, 8, 8]", 64, "\"reduce\", \"axes\": [0]", 3, 1, 0.5, FALSE },
    { "[64, 8, 8]", 64, "\"reduce\", \"axes\": [1, 2]", 10, 8, 4, TRUE },
    { "[64, 8, 8]", 64, "\"reshape\", \"shape\": [64, 64]", 10, 8, 4, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                               "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                                               "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": %u, \"kernel\": 3, \"padding\": 1},"
                                               "{\"name\": \"layer\", \"type\": %s}]}",
                                               cases[i].input, cases[i].channels, cases[i].layer);
      g_autoptr(Model) m = NULL;
      const EnvelopeReceptiveField *rf;

      g_test_message ("case %u: %s", i, cases[i].layer);
      m = model_parse (json);
      rf = &model_layer (m, "layer")->receptive_field;
      g_assert_cmpfloat_with_epsilon (rf->size[0], cases[i].size, 1e-9);
      g_assert_cmpfloat_with_epsilon (rf->jump[0], cases[i].jump, 1e-9);
      g_assert_cmpfloat_with_epsilon (rf->start[0], cases[i].start, 1e-9);
      g_assert_cmpint (rf->whole_input, ==, cases[i].whole);
    }
}

/* U-Net's copy and crop: the first input cut to the second's size. */
static void
test_crop_to_input (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [512, 64, 64]},"
    "{\"name\": \"down\", \"type\": \"conv\", \"filters\": 1024, \"kernel\": 3, \"stride\": 2},"
    "{\"name\": \"up\", \"type\": \"deconv\", \"filters\": 512, \"kernel\": 2, \"stride\": 2},"
    "{\"name\": \"layer\", \"type\": \"crop\", \"inputs\": [\"data\", \"up\"]}]}");
  const EnvelopeLayerFigures *f = model_layer (m, "layer");
  g_autofree char *text = model_formula (m, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);

  g_assert_cmpuint (f->rank, ==, 3);
  g_assert_cmpuint (f->shape[0], ==, 512);
  g_assert_cmpuint (f->shape[1], ==, 62);
  g_assert_cmpuint (f->shape[2], ==, 62);
  g_assert_cmpfloat (f->receptive_field.size[0], ==, 1);
  g_assert_cmpfloat (f->receptive_field.start[0], ==, 1.5);
  g_assert_cmpstr (text, ==, "64 − 2 = 62 (1 before, 1 after) → 512×62×62");
}

typedef struct
{
  const char *input;
  const char *layer;
  GQuark (*domain) (void);
  gint code;
  const char *message;
} ErrorCase;

#define ANALYSIS(code) envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_##code
#define NETWORK(code) envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_##code

static const ErrorCase error_cases[] = {
  { "[16, 4, 4]", "\"reshape\", \"shape\": [10, -1]", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"shape\" cannot read the input 16×4×4 (256 values) as [10, -1]: 256 is not a multiple "
    "of the other sizes' product, 10" },
  { "[16, 4, 4]", "\"reshape\", \"shape\": [16, 15]", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"shape\" cannot read the input 16×4×4 (256 values) as [16, 15], which holds 240 values; "
    "the two must hold as many" },
  { "[16, 4, 4]", "\"reshape\", \"shape\": [-1, -1]", NETWORK (VALUE),
    "layers[1] \"layer\": \"shape\" may leave only one size to be inferred (−1), got two" },
  { "[16, 4, 4]", "\"reshape\", \"shape\": [16, 0]", NETWORK (VALUE),
    "layers[1] \"layer\": \"shape\" must hold sizes of at least 1, or one −1 for the size to infer, got 0" },
  /* only a reshape may leave a size to infer: an input's are all given */
  { "[-1, 4]", "\"reshape\", \"shape\": [-1]", NETWORK (VALUE),
    "layers[0] \"data\": \"shape\" must be at least 1, got -1" },
  { "[8, 6, 4]", "\"permute\", \"order\": [0, 1]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"order\" [0, 1] lists 2 axes, but the input 8×6×4 has 3; name each axis once" },
  { "[8, 6, 4]", "\"permute\", \"order\": [0, 1, -2]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"order\" names axis 1 twice: [0, 1, -2]" },
  { "[8, 6, 4]", "\"permute\", \"order\": [0, 1, 3]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"order\" is 3, but the input has 3 axes (0 to 2, or −1 to −3 from the end)" },
  { "[8, 6, 4]", "\"permute\", \"order\": []", NETWORK (TYPE),
    "layers[1] \"layer\": \"order\" must list 1 to 4 axes, got 0" },
  { "[16, 20, 20]", "\"slice\", \"axis\": 1, \"start\": 8, \"end\": 3", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"end\" leaves nothing: axis 1 has 20 entries, and start 8 to end 3 is the empty range 8 to 3" },
  { "[16, 20, 20]", "\"slice\", \"axis\": 2, \"start\": 100", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"start\" leaves nothing: axis 2 has 20 entries, and start 100 to end 20 is the empty range 20 to 20" },
  { "[16, 20, 20]", "\"slice\", \"axis\": -2, \"start\": -3, \"end\": -25", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"end\" leaves nothing: axis 1 has 20 entries, and start -3 to end -25 is the empty range 17 to 0" },
  { "[16, 20, 20]", "\"slice\", \"axis\": 1, \"step\": 0", NETWORK (VALUE),
    "layers[1] \"layer\": \"step\" must be at least 1, got 0" },
  { "[3, 32, 32]", "\"pad\", \"padding\": \"same\"", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"padding\" must give the sizes to add (a number, or one per spatial axis); "
    "\"same\" and \"valid\" are for convolutions" },
  { "[10, 32]", "\"pad\", \"padding\": 1", ANALYSIS (RANK),
    "layers[1] \"layer\": \"inputs\" pad layers need a map ([C, L], [C, H, W] or [C, D, H, W]), but this one gets "
    "a sequence of 10×32 tokens; turn it into a map first (to_map or permute)" },
  { "[3, 32, 32]", "\"pad\", \"padding\": [1, 2, 3]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"padding\" has 3 values, but the input has 2 spatial axes; give one value, or one per axis" },
  { "[64, 32, 32]", "\"crop\", \"output_size\": [16, 40]", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"output_size\" cannot crop a width of 32 to 40: crop only cuts" },
  { "[64, 32, 32]", "\"crop\"", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"output_size\" is missing: crop needs the size to crop to, or a second input of that size" },
  { "[240, 28, 28]", "\"channel_shuffle\", \"groups\": 7", ANALYSIS (GROUPS),
    "layers[1] \"layer\": \"groups\" 7 must divide the channels (240)" },
  { "[3, 7, 8]", "\"space_to_depth\", \"block\": 2", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"block\" 2 must divide the height (7)" },
  { "[6, 8, 8]", "\"depth_to_space\", \"block\": 2", ANALYSIS (SHAPE_MISMATCH),
    "layers[1] \"layer\": \"block\" 2 to the power 2 (4) must divide the channels (6)" },
  { "[6, 8, 8]", "\"upsample\", \"scale\": 2, \"output_size\": 16", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"scale\" is given, but so is output_size; keep one of the two" },
  { "[6, 8, 8]", "\"upsample\", \"scale\": 0.1", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"scale\" 0.1 makes the height ⌊8 × 0.1⌋ = 0" },
  { "[6, 8, 8]", "\"upsample\", \"scale\": -2", ANALYSIS (OUTPUT_SIZE),
    "layers[1] \"layer\": \"scale\" must be above 0, got -2" },
  { "[6, 8, 8]", "\"upsample\", \"scale\": [2, 2, 2]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"scale\" has 3 values, but the input has 2 spatial axes; give one value, or one per axis" },
  { "[6, 8, 8]", "\"upsample\", \"scale\": [2, \"x\"]", NETWORK (TYPE),
    "layers[1] \"layer\": \"scale\" must hold numbers, got a string at position 1" },
  { "[6, 8, 8]", "\"adaptive_avg_pool\", \"output_size\": [1, 2, 3]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"output_size\" has 3 values, but the input has 2 spatial axes; give one value, or one per axis" },
  { "[512]", "\"adaptive_max_pool\", \"output_size\": 1", ANALYSIS (RANK),
    "layers[1] \"layer\": \"inputs\" adaptive_max_pool layers need a C×H×W input, but this one gets a vector of 512 values; "
    "remove the flatten or dense layer before it" },
  { "[64, 8, 8]", "\"reduce\", \"axes\": [1, -2]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"axes\" names axis 1 twice: [1, -2]" },
  { "[64, 8, 8]", "\"reduce\", \"axes\": [3]", ANALYSIS (RANK),
    "layers[1] \"layer\": \"axes\" is 3, but the input has 3 axes (0 to 2, or −1 to −3 from the end)" },
  { "[64, 8, 8]", "\"reduce\", \"operation\": \"prod\", \"axes\": [0]", NETWORK (VALUE),
    "layers[1] \"layer\": \"operation\" must be \"mean\", \"sum\", \"max\" or \"min\", got \"prod\"" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autofree char *json = network_json (c->input, c->layer);
      g_autoptr(EnvelopeNetwork) network = NULL;
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      EnvelopeErrorLocation location = { -2, NULL };

      g_test_message ("case %u: %s on %s", i, c->layer, c->input);
      network = envelope_network_load_from_data (json, -1, &error);
      if (network != NULL)
        analysis = envelope_analysis_new (network, NULL, &location, &error);
      g_assert_null (analysis);
      g_assert_error (error, c->domain (), c->code);
      g_assert_cmpstr (error->message, ==, c->message);
    }
}

/* Crop's second input must not be larger than the first. */
static void
test_crop_to_larger_input (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 16, 16]},"
    "{\"name\": \"big\", \"type\": \"upsample\"},"
    "{\"name\": \"layer\", \"type\": \"crop\", \"inputs\": [\"data\", \"big\"]}]}", -1, NULL);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeErrorLocation location = { -2, NULL };

  g_assert_nonnull (network);
  analysis = envelope_analysis_new (network, NULL, &location, &error);
  g_assert_null (analysis);
  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH);
  g_assert_cmpstr (error->message, ==,
                   "layers[2] \"layer\": \"inputs\" cannot crop a height of 16 to 32: crop only cuts; "
                   "the inputs are 8×16×16, 8×32×32");
  g_assert_cmpint (location.layer, ==, 2);
  g_assert_cmpstr (location.field, ==, "inputs");
}

/* The new settings survive a save and a load; the list of axes is written
 * as the author wrote it. */
static void
test_round_trip (void)
{
  const char *json =
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 6, 4]},"
    "{\"name\": \"p\", \"type\": \"permute\", \"order\": [0, -1, 1]},"
    "{\"name\": \"r\", \"type\": \"reshape\", \"shape\": [-1, 4]},"
    "{\"name\": \"s\", \"type\": \"slice\", \"axis\": 0, \"start\": -10, \"end\": 40, \"step\": 2},"
    "{\"name\": \"m\", \"type\": \"reduce\", \"operation\": \"max\", \"axes\": [-1], \"keep_dims\": true},"
    "{\"name\": \"u\", \"type\": \"upsample\", \"inputs\": [\"data\"], \"mode\": \"linear\", \"scale\": 1.5},"
    "{\"name\": \"v\", \"type\": \"upsample\", \"inputs\": [\"data\"], \"scale\": [2, 0.5]}]}";
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeNetwork) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  EnvelopeLayer *p;

  network = envelope_network_load_from_data (json, -1, &error);
  g_assert_no_error (error);
  p = envelope_network_get_layer (network, 1);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (p, ENVELOPE_FIELD_ORDER), ==, 3);
  g_assert_cmpint (p->order[1], ==, -1);
  saved = envelope_network_to_data (network, NULL);
  again = envelope_network_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, again));
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (envelope_network_get_layer (again, 1), ENVELOPE_FIELD_ORDER), ==, 3);
  g_assert_cmpint (envelope_network_get_layer (again, 1)->order[1], ==, -1);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (envelope_network_get_layer (again, 6), ENVELOPE_FIELD_SCALE), ==, 2);
  g_assert_cmpfloat (envelope_network_get_layer (again, 6)->scale[1], ==, 0.5);
  g_assert_cmpfloat (envelope_network_get_layer (again, 6)->scale[2], ==, 0.5);
  g_assert_cmpuint (ENVELOPE_LAYER_LENGTH (envelope_network_get_layer (again, 5), ENVELOPE_FIELD_SCALE), ==, 0);
  g_assert_cmpfloat (envelope_network_get_layer (again, 5)->scale[1], ==, 1.5);
  envelope_network_get_layer (again, 1)->order[2] = 2;
  g_assert_false (envelope_network_equal (network, again));
}

/* A new layer of each kind has settings that validate. */
static void
test_new_layers (void)
{
  static const EnvelopeLayerType types[] = {
    ENVELOPE_LAYER_RESHAPE, ENVELOPE_LAYER_PERMUTE, ENVELOPE_LAYER_SLICE, ENVELOPE_LAYER_PAD,
    ENVELOPE_LAYER_CROP, ENVELOPE_LAYER_CHANNEL_SHUFFLE, ENVELOPE_LAYER_SPACE_TO_DEPTH,
    ENVELOPE_LAYER_DEPTH_TO_SPACE, ENVELOPE_LAYER_UPSAMPLE, ENVELOPE_LAYER_ADAPTIVE_AVG_POOL,
    ENVELOPE_LAYER_ADAPTIVE_MAX_POOL, ENVELOPE_LAYER_REDUCE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(EnvelopeLayer) layer = envelope_layer_new (types[i], "layer");
      g_autoptr(GError) error = NULL;

      g_assert_true (envelope_layer_validate (layer, 1, NULL, &error));
      g_assert_no_error (error);
    }
}

/* The few characters a diagram block shows. */
static void
test_describe (void)
{
  static const struct { const char *layer, *text; } cases[] = {
    { "\"reshape\", \"shape\": [-1, 16]", "reshape -1×16" },
    { "\"permute\", \"order\": [0, 2, 1]", "permute 0,2,1" },
    { "\"slice\", \"axis\": 1, \"start\": 2, \"end\": -1, \"step\": 3", "slice 1 [2:-1:3]" },
    { "\"slice\", \"axis\": 0, \"start\": -5", "slice 0 [-5:]" },
    { "\"channel_shuffle\", \"groups\": 3", "channel_shuffle g3" },
    { "\"depth_to_space\", \"block\": 2", "depth_to_space 2" },
    { "\"upsample\", \"mode\": \"linear\"", "upsample ×2 linear" },
    { "\"upsample\", \"output_size\": [20, 30]", "upsample 20×30" },
    { "\"upsample\", \"scale\": [2, 1.5]", "upsample ×2×1.5" },
    { "\"adaptive_avg_pool\", \"output_size\": 7", "adaptive_avg_pool 7" },
    { "\"reduce\", \"operation\": \"max\", \"axes\": [1, 2]", "reduce max 1,2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = network_json ("[16, 4, 4]", cases[i].layer);
      g_autoptr(EnvelopeNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      network = envelope_network_load_from_data (json, -1, &error);
      g_assert_no_error (error);
      text = envelope_layer_describe (envelope_network_get_layer (network, 1));
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kinds-structure/figures", test_figures);
  g_test_add_func ("/kinds-structure/formulas", test_formulas);
  g_test_add_func ("/kinds-structure/receptive-fields", test_receptive_fields);
  g_test_add_func ("/kinds-structure/crop-to-input", test_crop_to_input);
  g_test_add_func ("/kinds-structure/crop-to-larger-input", test_crop_to_larger_input);
  g_test_add_func ("/kinds-structure/errors", test_errors);
  g_test_add_func ("/kinds-structure/round-trip", test_round_trip);
  g_test_add_func ("/kinds-structure/new-layers", test_new_layers);
  g_test_add_func ("/kinds-structure/describe", test_describe);

  return g_test_run ();
}
