/* test-kinds-layouts.c: tensors of every layout, windows on 1, 2 and 3
 * spatial axes, broadcasting, one-input merges and the arithmetic kinds
 *
 * The figures were worked by hand and checked against PyTorch 1.13
 * (shapes from a forward pass, parameters from parameters()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kinds-layouts"

#include "config.h"

#include <string.h>

#include "test-helpers.h"

/* A network of an input of @shape (and @extra settings for it) followed
 * by @layers (a JSON list body). */
static char *
network_json (const char *shape,
              const char *layers)
{
  return g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"t\", \"layers\": ["
                          "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s}, %s]}",
                          shape, layers);
}

static Model *
model_of (const char *shape,
          const char *layers)
{
  g_autofree char *json = network_json (shape, layers);
  return model_parse (json);
}

/* The error analysing a network that loads. */
static GError *
analysis_error (const char *shape,
                const char *layers)
{
  g_autofree char *json = network_json (shape, layers);
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  GError *error = NULL;

  network = envelope_network_load_from_data (json, -1, &error);
  g_assert_no_error (error);
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_null (analysis);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  return error;
}

static void
assert_shape (const EnvelopeLayerFigures *f,
              const char                 *expected)
{
  g_autofree char *shape = envelope_format_shape (f->rank, f->shape);
  g_assert_cmpstr (shape, ==, expected);
}

/* ------------------------------------------------------------------ */

static void
test_layouts (void)
{
  g_autoptr(Model) tokens = model_of ("[197, 768]", "{\"name\": \"r\", \"type\": \"relu\"}");
  g_autoptr(Model) signal = NULL;
  g_autoptr(Model) video = model_of ("[3, 16, 112, 112]", "{\"name\": \"r\", \"type\": \"relu\"}");
  g_autoptr(Model) vector = model_of ("[10]", "{\"name\": \"r\", \"type\": \"relu\"}");
  g_autofree char *json = g_strdup ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [40, 101], \"layout\": \"map\"},"
                                    "{\"name\": \"r\", \"type\": \"relu\"}]}");

  signal = model_parse (json);
  g_assert_cmpint (model_layer (tokens, "r")->layout, ==, ENVELOPE_TENSOR_TOKENS);
  assert_shape (model_layer (tokens, "r"), "197×768");
  g_assert_cmpuint (model_layer (tokens, "r")->activations, ==, 151296);
  g_assert_cmpuint (model_layer (tokens, "data")->receptive_field.n_axes, ==, 1);
  g_assert_cmpint (model_layer (signal, "r")->layout, ==, ENVELOPE_TENSOR_MAP);
  g_assert_cmpuint (model_layer (signal, "data")->receptive_field.n_axes, ==, 1);
  g_assert_cmpint (model_layer (video, "r")->layout, ==, ENVELOPE_TENSOR_MAP);
  assert_shape (model_layer (video, "r"), "3×16×112×112");
  g_assert_cmpuint (model_layer (video, "data")->receptive_field.n_axes, ==, 3);
  g_assert_cmpint (model_layer (vector, "r")->layout, ==, ENVELOPE_TENSOR_VECTOR);
  g_assert_cmpuint (model_layer (vector, "data")->receptive_field.n_axes, ==, 0);
}

/* torch.nn.Conv1d(1, 128, 80, stride=4) on 16,000 samples: 3,981
 * outputs, 10,368 parameters. */
static void
test_conv1d (void)
{
  g_autofree char *json = g_strdup ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 16000], \"layout\": \"map\"},"
                                    "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 128, \"kernel\": 80, \"stride\": 4},"
                                    "{\"name\": \"pool\", \"type\": \"max_pool\", \"kernel\": 4}]}");
  g_autoptr(Model) m = model_parse (json);
  const EnvelopeLayerFigures *conv = model_layer (m, "conv");
  g_autofree char *macs = model_formula (m, "conv", ENVELOPE_FIGURE_MACS);
  g_autofree char *weights = model_formula (m, "conv", ENVELOPE_FIGURE_WEIGHTS);
  g_autofree char *rf = model_formula (m, "pool", ENVELOPE_FIGURE_RECEPTIVE_FIELD);

  assert_shape (conv, "128×3981");
  g_assert_cmpuint (conv->params, ==, 10368);
  g_assert_cmpuint (conv->macs, ==, 3981ull * 1 * 128 * 80);
  g_assert_cmpstr (weights, ==, "128 × 80 × 1 = 10,240");
  g_assert_cmpstr (macs, ==, "3,981 × 1 × 128 × 80 = 40,765,440");
  assert_shape (model_layer (m, "pool"), "128×995");
  g_assert_cmpuint (model_layer (m, "pool")->other_ops, ==, 4ull * 128 * 995);
  /* 80 + (4 − 1) × 4 */
  g_assert_cmpfloat (model_layer (m, "pool")->receptive_field.size[0], ==, 92);
  g_assert_cmpstr (rf, ==, "80 + (4 − 1) × 4 = 92");
}

/* r3d_18's stem: torch.nn.Conv3d(3, 64, (3, 7, 7), stride=(1, 2, 2),
 * padding=(1, 3, 3), bias=False) on 3×16×112×112 gives 64×16×56×56 and
 * 28,224 parameters; MaxPool3d(2) then 64×8×28×28. */
static void
test_conv3d (void)
{
  g_autoptr(Model) m = model_of ("[3, 16, 112, 112]",
                                 "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 64, \"kernel\": [3, 7, 7],"
                                 " \"stride\": [1, 2, 2], \"padding\": [1, 3, 3], \"bias\": false},"
                                 "{\"name\": \"bn\", \"type\": \"batch_norm\"},"
                                 "{\"name\": \"pool\", \"type\": \"max_pool\", \"kernel\": 2},"
                                 "{\"name\": \"gap\", \"type\": \"global_avg_pool\"},"
                                 "{\"name\": \"up\", \"type\": \"deconv\", \"filters\": 4, \"kernel\": 2, \"stride\": 2}");
  const EnvelopeLayerFigures *conv = model_layer (m, "conv");
  g_autofree char *shape = model_formula (m, "conv", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autofree char *weights = model_formula (m, "conv", ENVELOPE_FIGURE_WEIGHTS);
  g_autofree char *macs = model_formula (m, "conv", ENVELOPE_FIGURE_MACS);
  g_autofree char *rf = model_formula (m, "conv", ENVELOPE_FIGURE_RECEPTIVE_FIELD);

  assert_shape (conv, "64×16×56×56");
  g_assert_cmpuint (conv->weights, ==, 28224);
  g_assert_cmpuint (conv->biases, ==, 0);
  g_assert_cmpuint (conv->macs, ==, 1416167424);
  g_assert_cmpuint (conv->workspace, ==, 16ull * 56 * 56 * 3 * 7 * 7 * 3);
  g_assert_cmpstr (shape, ==, "D: ⌊(16 + 1 + 1 − 3) / 1⌋ + 1 = 16; H: ⌊(112 + 3 + 3 − 7) / 2⌋ + 1 = 56; "
                              "W: ⌊(112 + 3 + 3 − 7) / 2⌋ + 1 = 56 → 64×16×56×56");
  g_assert_cmpstr (weights, ==, "64 × (3 × 7 × 7) × 3 = 28,224");
  g_assert_cmpstr (macs, ==, "16 × 56 × 56 × 3 × 64 × 3 × 7 × 7 = 1,416,167,424");
  g_assert_cmpstr (rf, ==, "D: 1 + (3 − 1) × 1 = 3; H: 1 + (7 − 1) × 1 = 7; W: 1 + (7 − 1) × 1 = 7");

  g_assert_cmpuint (model_layer (m, "bn")->params, ==, 4 * 64);
  assert_shape (model_layer (m, "pool"), "64×8×28×28");
  assert_shape (model_layer (m, "gap"), "64×1×1×1");
  g_assert_cmpuint (model_layer (m, "gap")->other_ops, ==, 64ull * 8 * 28 * 28);
  g_assert_true (model_layer (m, "gap")->receptive_field.whole_input);
  /* torch.nn.ConvTranspose3d(64, 4, 2, stride=2): 64 × 8 × 4 + 4 */
  assert_shape (model_layer (m, "up"), "4×2×2×2");
  g_assert_cmpuint (model_layer (m, "up")->params, ==, 64 * 8 * 4 + 4);
}

/* The receptive field's formula names each axis once the axes differ,
 * even when only the last one does, and one formula serves alike axes. */
static void
test_receptive_field_axes (void)
{
  g_autoptr(Model) m = model_of ("[3, 16, 32, 40]",
                                 "{\"name\": \"a\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 3, 5]},"
                                 "{\"name\": \"b\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 1, 1]},"
                                 "{\"name\": \"c\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3}");
  g_autofree char *a = model_formula (m, "a", ENVELOPE_FIGURE_RECEPTIVE_FIELD);
  g_autofree char *a_start = model_formula (m, "a", ENVELOPE_FIGURE_START);
  g_autofree char *b = model_formula (m, "b", ENVELOPE_FIGURE_RECEPTIVE_FIELD);
  g_autofree char *c_jump = model_formula (m, "c", ENVELOPE_FIGURE_JUMP);

  g_assert_cmpstr (a, ==, "D: 1 + (3 − 1) × 1 = 3; H: 1 + (3 − 1) × 1 = 3; W: 1 + (5 − 1) × 1 = 5");
  g_assert_cmpstr (a_start, ==, "D: 0.5 + ((3 − 1) / 2 − 0) × 1 = 1.5; H: 0.5 + ((3 − 1) / 2 − 0) × 1 = 1.5; "
                                "W: 0.5 + ((5 − 1) / 2 − 0) × 1 = 2.5");
  g_assert_cmpstr (b, ==, "D: 3 + (3 − 1) × 1 = 5; H: 3 + (1 − 1) × 1 = 3; W: 5 + (1 − 1) × 1 = 5");
  g_assert_cmpstr (c_jump, ==, "1 × 1 = 1");
  g_assert_cmpfloat (model_layer (m, "c")->receptive_field.size[2], ==, 7);
}

/* A window setting needs one value, or one per spatial axis. */
static void
test_window_list_length (void)
{
  g_autoptr(GError) error = analysis_error ("[3, 16, 112, 112]",
                                            "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 3]}");

  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK);
  g_assert_nonnull (strstr (error->message, "layers[1] \"conv\": \"kernel\""));
  g_assert_nonnull (strstr (error->message, "has 2 values"));
  g_assert_nonnull (strstr (error->message, "3 spatial axes"));
}

static void
test_map_needed (void)
{
  g_autoptr(GError) error = analysis_error ("[197, 768]",
                                            "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3}");

  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK);
  g_assert_nonnull (strstr (error->message, "layers[1] \"conv\": \"inputs\""));
  g_assert_nonnull (strstr (error->message, "197×768 tokens"));
}

/* Dense acts on each token: torch.nn.Linear(768, 3072) on 197 tokens. */
static void
test_dense_per_token (void)
{
  g_autoptr(Model) m = model_of ("[197, 768]", "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 3072}");
  const EnvelopeLayerFigures *fc = model_layer (m, "fc");
  g_autofree char *macs = model_formula (m, "fc", ENVELOPE_FIGURE_MACS);

  assert_shape (fc, "197×3072");
  g_assert_cmpint (fc->layout, ==, ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (fc->weights, ==, 768 * 3072);
  g_assert_cmpuint (fc->biases, ==, 3072);
  g_assert_cmpuint (fc->macs, ==, 464781312);
  g_assert_cmpstr (macs, ==, "197 tokens × 768 × 3,072 = 464,781,312");
  /* per token: the receptive field along the tokens does not grow */
  g_assert_false (fc->receptive_field.whole_input);
}

static void
test_global_pool_tokens (void)
{
  g_autoptr(Model) m = model_of ("[197, 768]", "{\"name\": \"gap\", \"type\": \"global_avg_pool\"}");
  const EnvelopeLayerFigures *gap = model_layer (m, "gap");

  assert_shape (gap, "768");
  g_assert_cmpint (gap->layout, ==, ENVELOPE_TENSOR_VECTOR);
  g_assert_cmpuint (gap->other_ops, ==, 197 * 768);
  g_assert_true (gap->receptive_field.whole_input);
}

/* The SE block's gate: [C, 1, 1] times [C, H, W]. */
static void
test_broadcast (void)
{
  g_autoptr(Model) m = model_of ("[64, 56, 56]",
                                 "{\"name\": \"gap\", \"type\": \"global_avg_pool\"},"
                                 "{\"name\": \"fc\", \"type\": \"conv\", \"filters\": 64, \"kernel\": 1},"
                                 "{\"name\": \"gate\", \"type\": \"hardsigmoid\"},"
                                 "{\"name\": \"scaled\", \"type\": \"mul\", \"inputs\": [\"data\", \"gate\"]},"
                                 "{\"name\": \"diff\", \"type\": \"sub\", \"inputs\": [\"scaled\", \"data\"]}");
  const EnvelopeLayerFigures *scaled = model_layer (m, "scaled");
  g_autofree char *ops = model_formula (m, "scaled", ENVELOPE_FIGURE_OTHER_OPS);
  g_autofree char *shape = model_formula (m, "scaled", ENVELOPE_FIGURE_OUTPUT_SHAPE);

  assert_shape (scaled, "64×56×56");
  g_assert_cmpuint (scaled->other_ops, ==, 64 * 56 * 56);
  g_assert_false (scaled->receptive_field.misaligned);
  g_assert_cmpstr (ops, ==, "(2 − 1) × 200,704 = 200,704, one multiplication per value per extra input");
  g_assert_cmpstr (shape, ==, "64×56×56, 64×1×1 broadcast → 64×56×56");
  g_assert_cmpuint (model_layer (m, "gate")->other_ops, ==, 64);
  g_assert_cmpuint (model_layer (m, "diff")->other_ops, ==, 64 * 56 * 56);
}

static void
test_broadcast_error (void)
{
  g_autoptr(GError) error = analysis_error ("[64, 56, 56]",
                                            "{\"name\": \"half\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 1},"
                                            "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"data\", \"half\"]}");

  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "layers[2] \"sum\": \"inputs\""));
  g_assert_nonnull (strstr (error->message, "64×56×56"));
  g_assert_nonnull (strstr (error->message, "32×56×56"));
}

/* torch.cat([x]) and an add of one input pass it on. */
static void
test_one_input_merges (void)
{
  g_autoptr(Model) m = model_of ("[64, 56, 56]",
                                 "{\"name\": \"cat\", \"type\": \"concat\", \"inputs\": [\"data\"]},"
                                 "{\"name\": \"sum\", \"type\": \"add\"}");
  g_autofree char *ops = model_formula (m, "sum", ENVELOPE_FIGURE_OTHER_OPS);

  assert_shape (model_layer (m, "cat"), "64×56×56");
  assert_shape (model_layer (m, "sum"), "64×56×56");
  g_assert_cmpuint (model_layer (m, "sum")->other_ops, ==, 0);
  g_assert_cmpstr (ops, ==, "0: one input passes through unchanged");
}

static void
test_concat_axis (void)
{
  g_autoptr(Model) m = model_of ("[4, 8]",
                                 "{\"name\": \"wide\", \"type\": \"dense\", \"units\": 16},"
                                 "{\"name\": \"cat\", \"type\": \"concat\", \"axis\": -1, \"inputs\": [\"data\", \"wide\"]},"
                                 "{\"name\": \"rows\", \"type\": \"concat\", \"inputs\": [\"data\", \"data\"]}");
  g_autofree char *shape = model_formula (m, "cat", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autofree char *rows = model_formula (m, "rows", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autoptr(GError) error = analysis_error ("[4, 8]", "{\"name\": \"cat\", \"type\": \"concat\", \"axis\": 2}");

  assert_shape (model_layer (m, "cat"), "4×24");
  g_assert_cmpstr (shape, ==, "8 + 16 = 24 along axis 1 → 4×24");
  assert_shape (model_layer (m, "rows"), "8×8");
  g_assert_cmpstr (rows, ==, "4 + 4 = 8 tokens → 8×8");
  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK);
  g_assert_nonnull (strstr (error->message, "\"axis\" is 2"));
}

/* torch.nn.PReLU() has 1 parameter, PReLU(64) 64; a learned scale has
 * one γ per channel (ConvNeXt's layer scale) and a β with "bias". */
static void
test_parameters (void)
{
  g_autoptr(Model) m = model_of ("[64, 8, 8]",
                                 "{\"name\": \"p1\", \"type\": \"prelu\"},"
                                 "{\"name\": \"p64\", \"type\": \"prelu\", \"shared\": false},"
                                 "{\"name\": \"gamma\", \"type\": \"scale\", \"learned\": true, \"bias\": false},"
                                 "{\"name\": \"affine\", \"type\": \"scale\", \"learned\": true},"
                                 "{\"name\": \"half\", \"type\": \"scale\", \"factor\": 0.5},"
                                 "{\"name\": \"clip\", \"type\": \"clip\", \"min\": 0, \"max\": 6}");

  g_assert_cmpuint (model_layer (m, "p1")->params, ==, 1);
  g_assert_cmpuint (model_layer (m, "p64")->params, ==, 64);
  g_assert_cmpuint (model_layer (m, "p64")->other_ops, ==, 64 * 8 * 8);
  g_assert_cmpuint (model_layer (m, "gamma")->params, ==, 64);
  g_assert_cmpuint (model_layer (m, "gamma")->other_ops, ==, 64 * 8 * 8);
  g_assert_cmpuint (model_layer (m, "affine")->params, ==, 128);
  g_assert_cmpuint (model_layer (m, "affine")->other_ops, ==, 2 * 64 * 8 * 8);
  g_assert_cmpuint (model_layer (m, "half")->params, ==, 0);
  g_assert_cmpuint (model_layer (m, "clip")->other_ops, ==, 64 * 8 * 8);
}

/* A layer that shares another's weights counts them once, there. */
static void
test_shares (void)
{
  g_autoptr(Model) m = model_of ("[4, 8]",
                                 "{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 8},"
                                 "{\"name\": \"fc2\", \"type\": \"dense\", \"units\": 8, \"shares\": \"fc1\"}");
  g_autofree char *weights = model_formula (m, "fc2", ENVELOPE_FIGURE_WEIGHTS);
  g_autoptr(GError) unknown = analysis_error ("[4, 8]",
                                              "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 8, \"shares\": \"nosuch\"}");
  g_autoptr(GError) size = analysis_error ("[4, 8]",
                                           "{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 8},"
                                           "{\"name\": \"fc2\", \"type\": \"dense\", \"units\": 4, \"shares\": \"fc1\"}");

  g_assert_cmpuint (model_layer (m, "fc2")->weights, ==, 0);
  g_assert_cmpuint (model_layer (m, "fc2")->biases, ==, 8);
  g_assert_cmpint (model_layer (m, "fc2")->shares, ==, 1);
  g_assert_cmpuint (model_layer (m, "fc2")->macs, ==, 4 * 8 * 8);
  g_assert_cmpuint (envelope_analysis_get_totals (m->analysis)->params, ==, 64 + 8 + 8);
  g_assert_cmpstr (weights, ==, "0: it uses the 64 weights of fc1 (counted there)");
  g_assert_error (unknown, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHARES);
  g_assert_nonnull (strstr (unknown->message, "layers[1] \"fc\": \"shares\""));
  g_assert_error (size, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHARES);
  g_assert_nonnull (strstr (size->message, "64 weights"));
  g_assert_nonnull (strstr (size->message, "needs 32"));
}

/* RoIAlign: 1,000 regions of a 256-channel map, 7 × 7 each, as
 * torchvision's Faster R-CNN box head reads them; its TwoMLPHead's fc6
 * (torch.nn.Linear(256 * 7 * 7, 1024)) has 12,846,080 parameters and acts
 * on each region. */
static void
test_roi_align (void)
{
  g_autoptr(Model) m = model_of ("[256, 50, 68]",
                                 "{\"name\": \"roi\", \"type\": \"roi_align\", \"output_size\": 7},"
                                 "{\"name\": \"fc6\", \"type\": \"dense\", \"units\": 1024}");
  const EnvelopeLayerFigures *roi = model_layer (m, "roi");
  g_autofree char *shape = model_formula (m, "roi", ENVELOPE_FIGURE_OUTPUT_SHAPE);
  g_autoptr(GError) error = analysis_error ("[256, 50, 68]",
                                            "{\"name\": \"roi\", \"type\": \"roi_align\", \"output_size\": [7, 7, 7]}");

  assert_shape (roi, "1000×12544");
  g_assert_cmpint (roi->layout, ==, ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (roi->other_ops, ==, 31ull * 1000 * 12544);
  g_assert_true (roi->receptive_field.whole_input);
  g_assert_cmpstr (shape, ==, "1,000 regions, each 256 channels × 7 × 7 cells → 1000×12544");
  g_assert_cmpuint (model_layer (m, "fc6")->params, ==, 12846080);
  g_assert_cmpuint (model_layer (m, "fc6")->macs, ==, 1000ull * 12544 * 1024);
  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK);
  g_assert_nonnull (strstr (error->message, "\"output_size\" has 3 values"));
}

/* An imported operator with no kind: it passes on the shape its file
 * gives, or its input's, counts nothing, and says so. */
static void
test_unknown (void)
{
  g_autoptr(Model) m = model_of ("[256, 50, 68]",
                                 "{\"name\": \"roi\", \"type\": \"unknown\", \"operator\": \"RoiAlign\", \"shape\": [1000, 12544]},"
                                 "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10},"
                                 "{\"name\": \"same\", \"type\": \"unknown\", \"operator\": \"Foo\", \"inputs\": [\"data\"]}");
  g_autofree char *macs = model_formula (m, "roi", ENVELOPE_FIGURE_MACS);
  g_autoptr(GError) error = analysis_error ("[3]", "{\"name\": \"x\", \"type\": \"unknown\", \"operator\": \"Const\", \"inputs\": []}");
  g_autofree char *described = envelope_layer_describe (envelope_network_get_layer (m->network, 1));

  assert_shape (model_layer (m, "roi"), "1000×12544");
  g_assert_cmpint (model_layer (m, "roi")->layout, ==, ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (model_layer (m, "roi")->macs + model_layer (m, "roi")->params + model_layer (m, "roi")->other_ops, ==, 0);
  g_assert_cmpuint (model_layer (m, "fc")->macs, ==, 1000ull * 12544 * 10);
  assert_shape (model_layer (m, "same"), "256×50×68");
  g_assert_cmpstr (macs, ==, "unknown: Envelope has no rule for RoiAlign; nothing is counted");
  g_assert_cmpstr (described, ==, "unknown RoiAlign");
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "\"shape\" is missing"));
}

/* Lists of three survive a save; a rank-2 map keeps its layout. */
static void
test_round_trip (void)
{
  g_autofree char *json = g_strdup ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [40, 101], \"layout\": \"map\"},"
                                    "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [5], \"stride\": 2},"
                                    "{\"name\": \"v\", \"type\": \"input\", \"shape\": [3, 16, 112, 112]},"
                                    "{\"name\": \"conv3\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 7, 7], \"padding\": [1, 3, 3]},"
                                    "{\"name\": \"sc\", \"type\": \"scale\", \"factor\": 0.125},"
                                    "{\"name\": \"tied\", \"type\": \"dense\", \"units\": 3, \"shares\": \"conv\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autofree char *saved = NULL;

  g_assert_no_error (error);
  saved = envelope_network_to_data (network, NULL);
  g_test_message ("%s", saved);
  g_assert_nonnull (strstr (saved, "\"layout\": \"map\""));
  g_assert_nonnull (strstr (saved, "\"kernel\": ["));
  g_assert_nonnull (strstr (saved, "\"factor\": 0.125"));
  g_assert_nonnull (strstr (saved, "\"shares\": \"conv\""));
  reloaded = envelope_network_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, reloaded));
  g_assert_cmpuint (envelope_layer_list_length (envelope_network_get_layer (reloaded, 3), ENVELOPE_FIELD_KERNEL), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kinds/layouts", test_layouts);
  g_test_add_func ("/core/kinds/conv1d", test_conv1d);
  g_test_add_func ("/core/kinds/conv3d", test_conv3d);
  g_test_add_func ("/core/kinds/receptive-field-axes", test_receptive_field_axes);
  g_test_add_func ("/core/kinds/errors/window-list-length", test_window_list_length);
  g_test_add_func ("/core/kinds/errors/map-needed", test_map_needed);
  g_test_add_func ("/core/kinds/dense-per-token", test_dense_per_token);
  g_test_add_func ("/core/kinds/global-pool-tokens", test_global_pool_tokens);
  g_test_add_func ("/core/kinds/broadcast", test_broadcast);
  g_test_add_func ("/core/kinds/errors/broadcast", test_broadcast_error);
  g_test_add_func ("/core/kinds/one-input-merges", test_one_input_merges);
  g_test_add_func ("/core/kinds/concat-axis", test_concat_axis);
  g_test_add_func ("/core/kinds/parameters", test_parameters);
  g_test_add_func ("/core/kinds/shares", test_shares);
  g_test_add_func ("/core/kinds/roi-align", test_roi_align);
  g_test_add_func ("/core/kinds/unknown", test_unknown);
  g_test_add_func ("/core/kinds/round-trip", test_round_trip);

  return g_test_run ();
}
