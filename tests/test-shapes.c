/* test-shapes.c: output sizes, parameters, other ops and receptive fields
 * of single layers, worked by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-shapes"

#include "config.h"

#include "test-helpers.h"

typedef struct
{
  const char *name;
  const char *input;         /* the input's "shape" */
  const char *layer;         /* the layer's settings, after "type" */
  guint64 c, h, w;           /* expected output */
  gint64 pad_before_h, pad_after_h;
} ShapeCase;

static const ShapeCase shape_cases[] = {
  /* floor (default) */
  { "floor", "[1, 7, 7]", "\"conv\", \"filters\": 4, \"kernel\": 3, \"stride\": 2", 4, 3, 3, 0, 0 },
  { "floor-pad", "[3, 224, 224]", "\"conv\", \"filters\": 64, \"kernel\": 11, \"stride\": 4, \"padding\": 2", 64, 55, 55, 2, 2 },
  /* ceil: Caffe pooling */
  { "ceil", "[8, 6, 6]", "\"max_pool\", \"kernel\": 3, \"stride\": 2, \"rounding\": \"ceil\"", 8, 3, 3, 0, 0 },
  { "floor-same-input", "[8, 6, 6]", "\"max_pool\", \"kernel\": 3, \"stride\": 2", 8, 2, 2, 0, 0 },
  { "ceil-googlenet", "[64, 112, 112]", "\"max_pool\", \"kernel\": 3, \"stride\": 2, \"rounding\": \"ceil\"", 64, 56, 56, 0, 0 },
  /* the last window must start inside the input or the left padding */
  { "ceil-last-window", "[1, 5, 5]", "\"max_pool\", \"kernel\": 2, \"stride\": 2, \"padding\": 1, \"rounding\": \"ceil\"", 1, 3, 3, 1, 1 },
  /* TensorFlow "same": out = ceil(in / s), smaller half of the padding before */
  { "same-7x7-s2", "[3, 224, 224]", "\"conv\", \"filters\": 64, \"kernel\": 7, \"stride\": 2, \"padding\": \"same\"", 64, 112, 112, 2, 3 },
  { "same-odd", "[1, 5, 5]", "\"conv\", \"filters\": 1, \"kernel\": 3, \"stride\": 2, \"padding\": \"same\"", 1, 3, 3, 1, 1 },
  { "same-s1", "[1, 10, 10]", "\"conv\", \"filters\": 1, \"kernel\": 4, \"padding\": \"same\"", 1, 10, 10, 1, 2 },
  { "valid", "[1, 10, 10]", "\"conv\", \"filters\": 1, \"kernel\": 3, \"padding\": \"valid\"", 1, 8, 8, 0, 0 },
  /* dilation: k_eff = d·(k − 1) + 1 */
  { "dilation", "[16, 32, 32]", "\"conv\", \"filters\": 16, \"kernel\": 3, \"dilation\": 2, \"padding\": 2", 16, 32, 32, 2, 2 },
  { "dilation-valid", "[16, 32, 32]", "\"conv\", \"filters\": 16, \"kernel\": 3, \"dilation\": 4", 16, 24, 24, 0, 0 },
  /* rectangular kernels and padding */
  { "rect", "[8, 17, 17]", "\"conv\", \"filters\": 8, \"kernel\": [1, 7], \"padding\": [0, 3]", 8, 17, 17, 0, 0 },
  { "rect-out", "[8, 20, 30]", "\"conv\", \"filters\": 8, \"kernel\": [3, 5], \"stride\": [1, 2]", 8, 18, 13, 0, 0 },
  /* pooling's stride defaults to its kernel */
  { "pool-default-stride", "[4, 9, 9]", "\"avg_pool\", \"kernel\": 3", 4, 3, 3, 0, 0 },
  /* transposed convolution: (in − 1)·s − p_b − p_a + k_eff + output_padding */
  { "deconv", "[64, 14, 14]", "\"deconv\", \"filters\": 32, \"kernel\": 4, \"stride\": 2, \"padding\": 1", 32, 28, 28, 1, 1 },
  { "deconv-output-padding", "[64, 14, 14]", "\"deconv\", \"filters\": 32, \"kernel\": 3, \"stride\": 2, \"padding\": 1, \"output_padding\": 1", 32, 28, 28, 1, 1 },
  { "deconv-same", "[8, 7, 7]", "\"deconv\", \"filters\": 8, \"kernel\": 4, \"stride\": 2, \"padding\": \"same\"", 8, 14, 14, 1, 1 },
  /* groups do not change the shape */
  { "depthwise", "[32, 112, 112]", "\"conv\", \"filters\": 32, \"kernel\": 3, \"stride\": 2, \"padding\": 1, \"groups\": 32", 32, 56, 56, 1, 1 },
  { "global-pool", "[512, 7, 7]", "\"global_avg_pool\"", 512, 1, 1, 0, 0 },
};

static char *
single_layer_network (const char *input,
                      const char *layer)
{
  return g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                          "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                          "{\"name\": \"layer\", \"type\": %s}]}", input, layer);
}

static void
test_shape (gconstpointer data)
{
  const ShapeCase *c = data;
  g_autofree char *json = single_layer_network (c->input, c->layer);
  g_autoptr(Model) m = model_parse (json);
  const EnvelopeLayerFigures *f = model_layer (m, "layer");
  gint64 before[ENVELOPE_MAX_SPATIAL], after[ENVELOPE_MAX_SPATIAL];

  g_assert_cmpuint (f->rank, ==, 3);
  g_assert_cmpuint (f->shape[0], ==, c->c);
  g_assert_cmpuint (f->shape[1], ==, c->h);
  g_assert_cmpuint (f->shape[2], ==, c->w);
  g_assert_true (envelope_analysis_get_padding (m->analysis, (guint) envelope_network_find_layer (m->network, "layer"),
                                               before, after));
  g_assert_cmpint (before[0], ==, c->pad_before_h);
  g_assert_cmpint (after[0], ==, c->pad_after_h);
  g_assert_cmpuint (f->activations, ==, c->c * c->h * c->w);
}

/* Parameters and MACs of the layer kinds that have them. */
static void
test_params (void)
{
  static const struct { const char *input, *layer; guint64 weights, biases, non_trainable, macs, workspace; } cases[] = {
    /* conv: C_out × k_h × k_w × C_in / groups; MACs H_out·W_out·C_in/g·C_out·k_h·k_w */
    { "[3, 32, 32]", "\"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1",
      16 * 9 * 3, 16, 0, 32 * 32 * 3 * 16 * 9, 32 * 32 * 9 * 3 },
    { "[3, 32, 32]", "\"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1, \"bias\": false",
      16 * 9 * 3, 0, 0, 32 * 32 * 3 * 16 * 9, 32 * 32 * 9 * 3 },
    /* depthwise: groups = channels */
    { "[32, 112, 112]", "\"conv\", \"filters\": 32, \"kernel\": 3, \"padding\": 1, \"groups\": 32, \"bias\": false",
      288, 0, 0, 112 * 112 * 1 * 32 * 9, 112 * 112 * 9 },
    /* grouped (AlexNet's original two towers) */
    { "[96, 27, 27]", "\"conv\", \"filters\": 256, \"kernel\": 5, \"padding\": 2, \"groups\": 2",
      256 * 25 * 48, 256, 0, 27 * 27 * 48 * 256 * 25, 27 * 27 * 25 * 48 },
    /* deconv: C_in × k_h × k_w × C_out / groups; MACs over input positions */
    { "[64, 14, 14]", "\"deconv\", \"filters\": 32, \"kernel\": 4, \"stride\": 2, \"padding\": 1",
      64 * 16 * 32, 32, 0, 14 * 14 * 64 * 32 * 16, 14 * 14 * 16 * 32 },
    /* dense flattens C·H·W */
    { "[512, 7, 7]", "\"dense\", \"units\": 4096", G_GUINT64_CONSTANT (4096) * 25088, 4096, 0, G_GUINT64_CONSTANT (4096) * 25088, 0 },
    { "[128]", "\"dense\", \"units\": 10, \"bias\": false", 1280, 0, 0, 1280, 0 },
    /* batch norm: γ and β trainable, running mean and variance not */
    { "[64, 56, 56]", "\"batch_norm\"", 64, 64, 128, 0, 0 },
    { "[64, 56, 56]", "\"relu\"", 0, 0, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(Model) m = model_parse (json);
      const EnvelopeLayerFigures *f = model_layer (m, "layer");
      const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);

      g_test_message ("case %u: %s", i, cases[i].layer);
      g_assert_cmpuint (f->weights, ==, cases[i].weights);
      g_assert_cmpuint (f->biases, ==, cases[i].biases);
      g_assert_cmpuint (f->non_trainable, ==, cases[i].non_trainable);
      g_assert_cmpuint (f->params, ==, cases[i].weights + cases[i].biases + cases[i].non_trainable);
      g_assert_cmpuint (f->trainable, ==, cases[i].weights + cases[i].biases);
      g_assert_cmpuint (f->macs, ==, cases[i].macs);
      g_assert_cmpuint (f->workspace, ==, cases[i].workspace);
      g_assert_cmpuint (t->trainable_params, ==, f->trainable);
      g_assert_cmpuint (t->workspace, ==, cases[i].workspace);
    }
}

/* Work that is not a multiply-add, per sample, never mixed into MACs. */
static void
test_other_ops (void)
{
  static const struct { const char *input, *layer; guint64 other_ops; } cases[] = {
    { "[64, 56, 56]", "\"relu\"", 64 * 56 * 56 },
    { "[64, 56, 56]", "\"sigmoid\"", 64 * 56 * 56 },
    { "[64, 56, 56]", "\"batch_norm\"", 2 * 64 * 56 * 56 },
    { "[64, 56, 56]", "\"max_pool\", \"kernel\": 2", 4 * 64 * 28 * 28 },
    { "[64, 56, 56]", "\"avg_pool\", \"kernel\": 3, \"stride\": 2", 9 * 64 * 27 * 27 },
    { "[512, 7, 7]", "\"global_avg_pool\"", 49 * 512 },
    { "[1000]", "\"softmax\"", 3000 },
    { "[96, 55, 55]", "\"lrn\"", 7 * 96 * 55 * 55 },
    { "[96, 55, 55]", "\"lrn\", \"size\": 3", 5 * 96 * 55 * 55 },
    { "[96, 55, 55]", "\"dropout\", \"rate\": 0.2", 0 },
    { "[96, 55, 55]", "\"flatten\"", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(Model) m = model_parse (json);
      const EnvelopeLayerFigures *f = model_layer (m, "layer");

      g_test_message ("case %u: %s", i, cases[i].layer);
      g_assert_cmpuint (f->other_ops, ==, cases[i].other_ops);
      g_assert_cmpuint (f->macs, ==, 0);
      g_assert_cmpuint (envelope_analysis_get_totals (m->analysis)->other_ops, ==, cases[i].other_ops);
    }
}

static const char *residual_json =
  "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
  "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 16, 16]},"
  "{\"name\": \"a\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"relu\", \"type\": \"relu\"},"
  "{\"name\": \"b\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"data\", \"b\"]},"
  "{\"name\": \"skip\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 1, \"inputs\": [\"data\"]},"
  "{\"name\": \"cat\", \"type\": \"concat\", \"inputs\": [\"sum\", \"skip\"]},"
  "{\"name\": \"shifted\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 2, \"padding\": [1, 1], \"stride\": 1, \"inputs\": [\"cat\"]},"
  "{\"name\": \"crop\", \"type\": \"max_pool\", \"kernel\": 2, \"stride\": 1, \"inputs\": [\"shifted\"]},"
  "{\"name\": \"odd\", \"type\": \"add\", \"inputs\": [\"crop\", \"skip\"]}"
  "]}";

/* Merges: add keeps the shape, concat adds channels; the receptive field
 * is the largest of the inputs and grids that differ are flagged. */
static void
test_merges (void)
{
  g_autoptr(Model) m = model_parse (residual_json);
  const EnvelopeLayerFigures *sum = model_layer (m, "sum");
  const EnvelopeLayerFigures *cat = model_layer (m, "cat");
  const EnvelopeLayerFigures *odd = model_layer (m, "odd");

  g_assert_cmpuint (sum->shape[0], ==, 8);
  g_assert_cmpuint (sum->other_ops, ==, 8 * 16 * 16);
  g_assert_cmpfloat (sum->receptive_field.size[0], ==, 5);
  g_assert_false (sum->receptive_field.misaligned);
  g_assert_cmpuint (cat->shape[0], ==, 12);
  g_assert_cmpuint (cat->shape[1], ==, 16);
  g_assert_cmpfloat (cat->receptive_field.size[0], ==, 5);
  g_assert_false (cat->receptive_field.misaligned);
  /* shifted: k 2, pad 1 → 17×17, start 0.5 + (0.5 − 1) = 0; crop k 2 s 1 → 16×16, start 0.5 */
  g_assert_cmpuint (model_layer (m, "shifted")->shape[1], ==, 17);
  g_assert_cmpfloat (model_layer (m, "shifted")->receptive_field.start[0], ==, 0);
  g_assert_cmpuint (odd->shape[1], ==, 16);
  g_assert_cmpfloat (model_layer (m, "crop")->receptive_field.start[0], ==, 0.5);
  g_assert_false (odd->receptive_field.misaligned);
}

static void
test_misaligned (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [4, 16, 16]},"
    "{\"name\": \"a\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 2, \"stride\": 2},"
    "{\"name\": \"b\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"stride\": 2, \"padding\": 1, \"inputs\": [\"data\"]},"
    "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"a\", \"b\"]}]}");
  const EnvelopeLayerFigures *sum = model_layer (m, "sum");
  g_autofree char *formula = model_formula (m, "sum", ENVELOPE_FIGURE_RECEPTIVE_FIELD);

  /* a starts at 1, b at 0.5: their grids are offset by half a pixel */
  g_assert_cmpfloat (model_layer (m, "a")->receptive_field.start[0], ==, 1);
  g_assert_cmpfloat (model_layer (m, "b")->receptive_field.start[0], ==, 0.5);
  g_assert_true (sum->receptive_field.misaligned);
  g_assert_cmpfloat (sum->receptive_field.size[0], ==, 3);
  g_assert_nonnull (strstr (formula, "misaligned"));
}

/* The receptive-field recurrence through dilation and a transposed
 * convolution, where the jump shrinks. */
static void
test_receptive_field (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 64, 64]},"
    "{\"name\": \"down\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"stride\": 2, \"padding\": 1},"
    "{\"name\": \"dilated\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"dilation\": 2, \"padding\": 2},"
    "{\"name\": \"up\", \"type\": \"deconv\", \"filters\": 4, \"kernel\": 4, \"stride\": 2, \"padding\": 1},"
    "{\"name\": \"gap\", \"type\": \"global_avg_pool\"}]}");
  const EnvelopeReceptiveField *down = &model_layer (m, "down")->receptive_field;
  const EnvelopeReceptiveField *dilated = &model_layer (m, "dilated")->receptive_field;
  const EnvelopeReceptiveField *up = &model_layer (m, "up")->receptive_field;
  const EnvelopeReceptiveField *gap = &model_layer (m, "gap")->receptive_field;

  g_assert_cmpfloat (down->size[0], ==, 3);
  g_assert_cmpfloat (down->jump[0], ==, 2);
  g_assert_cmpfloat (down->start[0], ==, 0.5);           /* 0.5 + (1 − 1)·1 */
  g_assert_cmpfloat (dilated->size[0], ==, 3 + 4 * 2);   /* k_eff 5, jump 2 */
  g_assert_cmpfloat (dilated->jump[0], ==, 2);
  g_assert_cmpfloat (up->jump[0], ==, 1);                /* 2 / 2 */
  g_assert_cmpfloat (up->size[0], ==, 11 + 3 * 1);       /* r + (k_eff − 1)·j_out */
  g_assert_cmpfloat (up->start[0], ==, 0.5 + (1 - 1.5) * 1);
  g_assert_true (gap->whole_input);
  g_assert_cmpfloat (gap->size[0], >=, 64);
  g_assert_false (up->whole_input);
}

/* Peak live activations with buffer reuse, walked by hand:
 * data 2048 lives until "skip"; a 2048; relu in place on a; b 2048;
 * at b: data + a/relu + b = 6144 … */
static void
test_peak_live (void)
{
  g_autoptr(Model) m = model_parse (residual_json);
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  guint64 all = 0;

  for (guint i = 0; i < envelope_analysis_get_n_layers (m->analysis); i++)
    all += envelope_analysis_get_layer (m->analysis, i)->activations;
  g_assert_cmpuint (t->activations_all, ==, all);
  /* step by step (values): data 2048 | a +2048 = 4096, relu in place | b +2048 = 6144, a freed → 4096
   * sum +2048 = 6144, b freed → 4096 | skip +1024 = 5120, data freed → 3072
   * cat +3072 = 6144, sum freed → 4096 | shifted +4·17·17 = 1156 → 5252, cat freed → 2180
   * crop +1024 → 3204, shifted freed | odd +1024 → 3072 */
  g_assert_cmpuint (t->activations_peak, ==, 6144);
}

/* A relu whose input feeds another layer too cannot run in place. */
static void
test_peak_not_in_place (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [100]},"
    "{\"name\": \"relu\", \"type\": \"relu\"},"
    "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"data\", \"relu\"]}]}");
  g_autoptr(Model) chain = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [100]},"
    "{\"name\": \"relu\", \"type\": \"relu\"},"
    "{\"name\": \"drop\", \"type\": \"dropout\"},"
    "{\"name\": \"out\", \"type\": \"softmax\"}]}");

  g_assert_cmpuint (envelope_analysis_get_totals (m->analysis)->activations_peak, ==, 300);
  /* relu and dropout overwrite data; softmax needs a buffer of its own */
  g_assert_cmpuint (envelope_analysis_get_totals (chain->analysis)->activations_peak, ==, 200);
  g_assert_cmpuint (envelope_analysis_get_totals (chain->analysis)->activations_all, ==, 400);
}

static void
test_deconv_formulas (void)
{
  g_autofree char *json = single_layer_network ("[64, 14, 14]",
                                                "\"deconv\", \"filters\": 32, \"kernel\": 4, \"stride\": 2, \"padding\": 1");
  g_autoptr(Model) m = model_parse (json);
  g_autofree char *shape = model_formula (m, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autofree char *weights = model_formula (m, "layer", ENVELOPE_FIGURE_WEIGHTS);
  g_autofree char *macs = model_formula (m, "layer", ENVELOPE_FIGURE_MACS);
  g_autofree char *jump = model_formula (m, "layer", ENVELOPE_FIGURE_JUMP);

  g_assert_cmpstr (shape, ==, "(14 − 1) × 2 − 1 − 1 + 4 + 0 = 28 → 32×28×28");
  g_assert_cmpstr (weights, ==, "64 × (4 × 4) × 32 = 32,768");
  g_assert_cmpstr (macs, ==, "14 × 14 × 64 × 32 × 4 × 4 = 6,422,528");
  g_assert_cmpstr (jump, ==, "1 / 2 = 0.5");
}

static void
test_axis_formulas (void)
{
  g_autofree char *same_json = single_layer_network ("[3, 224, 224]",
                                                     "\"conv\", \"filters\": 64, \"kernel\": 7, \"stride\": 2, \"padding\": \"same\"");
  g_autofree char *rect_json = single_layer_network ("[8, 20, 30]",
                                                     "\"conv\", \"filters\": 8, \"kernel\": [3, 5], \"stride\": [1, 2]");
  g_autofree char *ceil_json = single_layer_network ("[1, 5, 5]",
                                                     "\"max_pool\", \"kernel\": 2, \"stride\": 2, \"padding\": 1, \"rounding\": \"ceil\"");
  g_autoptr(Model) same = model_parse (same_json);
  g_autoptr(Model) rect = model_parse (rect_json);
  g_autoptr(Model) ceil_model = model_parse (ceil_json);
  g_autofree char *same_text = model_formula (same, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autofree char *rect_text = model_formula (rect, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autofree char *rect_rf = model_formula (rect, "layer", ENVELOPE_FIGURE_RECEPTIVE_FIELD);
  g_autofree char *ceil_text = model_formula (ceil_model, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);

  g_assert_cmpstr (same_text, ==, "⌈224 / 2⌉ = 112 (\"same\": pad 2 + 3) → 64×112×112");
  g_assert_cmpstr (rect_text, ==, "H: ⌊(20 + 0 + 0 − 3) / 1⌋ + 1 = 18; W: ⌊(30 + 0 + 0 − 5) / 2⌋ + 1 = 13 → 8×18×13");
  g_assert_cmpstr (rect_rf, ==, "H: 1 + (3 − 1) × 1 = 3; W: 1 + (5 − 1) × 1 = 5");
  g_assert_nonnull (strstr (ceil_text, "⌈(5 + 1 + 1 − 2) / 2⌉ + 1 − 1 = 3"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (shape_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/shapes/output/%s", shape_cases[i].name);
      g_test_add_data_func (path, &shape_cases[i], test_shape);
    }
  g_test_add_func ("/core/shapes/params", test_params);
  g_test_add_func ("/core/shapes/other-ops", test_other_ops);
  g_test_add_func ("/core/shapes/merges", test_merges);
  g_test_add_func ("/core/shapes/misaligned", test_misaligned);
  g_test_add_func ("/core/shapes/receptive-field", test_receptive_field);
  g_test_add_func ("/core/shapes/peak-live", test_peak_live);
  g_test_add_func ("/core/shapes/peak-not-in-place", test_peak_not_in_place);
  g_test_add_func ("/core/shapes/formulas/deconv", test_deconv_formulas);
  g_test_add_func ("/core/shapes/formulas/axes", test_axis_formulas);
  return g_test_run ();
}
