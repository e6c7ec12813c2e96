/* test-kinds-normalization.c: layer, RMS, group, instance and L2 norm,
 * and stochastic depth, worked by hand
 *
 * The parameter counts were checked against PyTorch 1.13: LayerNorm(768)
 * has 1,536 parameters and none without elementwise_affine; GroupNorm(32,
 * 256) 512 and no buffers; InstanceNorm2d(64) none (affine=True: 128);
 * ConvNeXt-T's channels-last stem LayerNorm over 96 channels 192.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kinds-normalization"

#include "config.h"

#include <string.h>

#include "test-helpers.h"

static char *
single_layer_network (const char *input,
                      const char *layer)
{
  return g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                          "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                          "{\"name\": \"layer\", \"type\": %s}]}", input, layer);
}

/* Every kind keeps its input's shape and receptive field. */
static void
test_figures (void)
{
  static const struct {
    const char *input, *layer;
    guint64 weights, biases, other_ops;
  } cases[] = {
    /* layer norm over D of each token: γ, β per feature; 4 per value */
    { "[197, 768]", "\"layer_norm\"", 768, 768, 4 * 197 * 768 },
    { "[197, 768]", "\"layer_norm\", \"bias\": false", 768, 0, 4 * 197 * 768 },
    { "[197, 768]", "\"layer_norm\", \"affine\": false", 0, 0, 4 * 197 * 768 },
    /* … over C of each map position (ConvNeXt's stem), over N of a vector */
    { "[96, 56, 56]", "\"layer_norm\"", 96, 96, 4 * 96 * 56 * 56 },
    { "[512]", "\"layer_norm\"", 512, 512, 4 * 512 },
    { "[16, 100]", "\"layer_norm\", \"affine\": false", 0, 0, 4 * 1600 },
    /* RMS norm: γ only; 3 per value */
    { "[128, 4096]", "\"rms_norm\"", 4096, 0, 3 * 128 * 4096 },
    { "[128, 4096]", "\"rms_norm\", \"affine\": false", 0, 0, 3 * 128 * 4096 },
    /* group norm: γ, β per channel; 4 per value; on a 3-D map, on a vector */
    { "[256, 28, 28]", "\"group_norm\", \"groups\": 32", 256, 256, 4 * 256 * 28 * 28 },
    { "[64, 8, 16, 16]", "\"group_norm\", \"groups\": 8, \"affine\": false", 0, 0, 4 * 64 * 8 * 16 * 16 },
    { "[64]", "\"group_norm\", \"groups\": 4", 64, 64, 4 * 64 },
    /* instance norm: no γ, β unless affine (PyTorch's default) */
    { "[64, 128, 128]", "\"instance_norm\"", 0, 0, 4 * 64 * 128 * 128 },
    { "[64, 128, 128]", "\"instance_norm\", \"affine\": true", 64, 64, 4 * 64 * 128 * 128 },
    { "[32, 1000], \"layout\": \"map\"", "\"instance_norm\"", 0, 0, 4 * 32 * 1000 },
    /* L2 norm: 2 per value, no parameters */
    { "[512, 38, 38]", "\"l2_norm\"", 0, 0, 2 * 512 * 38 * 38 },
    { "[128]", "\"l2_norm\"", 0, 0, 2 * 128 },
    /* stochastic depth: 1 per value */
    { "[197, 768]", "\"stochastic_depth\", \"rate\": 0.1", 0, 0, 197 * 768 },
    { "[96, 56, 56]", "\"stochastic_depth\"", 0, 0, 96 * 56 * 56 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(Model) m = model_parse (json);
      const EnvelopeLayerFigures *data = model_layer (m, "data");
      const EnvelopeLayerFigures *f = model_layer (m, "layer");

      g_test_message ("case %u: %s on %s", i, cases[i].layer, cases[i].input);
      g_assert_cmpuint (f->rank, ==, data->rank);
      g_assert_cmpint (f->layout, ==, data->layout);
      g_assert_cmpmem (f->shape, sizeof f->shape, data->shape, sizeof data->shape);
      g_assert_cmpuint (f->activations, ==, data->activations);
      g_assert_cmpuint (f->weights, ==, cases[i].weights);
      g_assert_cmpuint (f->biases, ==, cases[i].biases);
      g_assert_cmpuint (f->non_trainable, ==, 0);
      g_assert_cmpuint (f->params, ==, cases[i].weights + cases[i].biases);
      g_assert_cmpuint (f->macs, ==, 0);
      g_assert_cmpuint (f->other_ops, ==, cases[i].other_ops);
      g_assert_true (memcmp (&f->receptive_field, &data->receptive_field, sizeof f->receptive_field) == 0);
    }
}

/* The field after a 3×3 convolution passes through unchanged. */
static void
test_receptive_field (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"stride\": 2},"
    "{\"name\": \"gn\", \"type\": \"group_norm\", \"groups\": 2},"
    "{\"name\": \"ln\", \"type\": \"layer_norm\"},"
    "{\"name\": \"drop\", \"type\": \"stochastic_depth\", \"rate\": 0.2}]}");
  g_autofree char *rf = model_formula (m, "drop", ENVELOPE_FIGURE_RECEPTIVE_FIELD);

  for (guint i = 2; i < 5; i++)
    {
      const EnvelopeReceptiveField *r = &envelope_analysis_get_layer (m->analysis, i)->receptive_field;

      g_assert_cmpuint (r->n_axes, ==, 2);
      g_assert_cmpfloat (r->size[0], ==, 3);
      g_assert_cmpfloat (r->jump[1], ==, 2);
      g_assert_false (r->whole_input);
    }
  g_assert_cmpstr (rf, ==, "unchanged: 3");
}

/* Stochastic depth overwrites its input, as dropout does; the norms
 * need a buffer of their own. */
static void
test_in_place (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [10, 10]},"
    "{\"name\": \"ln\", \"type\": \"layer_norm\"},"
    "{\"name\": \"drop\", \"type\": \"stochastic_depth\", \"rate\": 0.1},"
    "{\"name\": \"rms\", \"type\": \"rms_norm\"}]}");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);

  g_assert_true (envelope_layer_kind_lookup ("stochastic_depth")->in_place);
  g_assert_false (envelope_layer_kind_lookup ("layer_norm")->in_place);
  g_assert_cmpint (envelope_layer_kind_lookup ("stochastic_depth")->category, ==, ENVELOPE_CATEGORY_REGULARIZATION);
  g_assert_cmpint (envelope_layer_kind_lookup ("l2_norm")->category, ==, ENVELOPE_CATEGORY_NORMALIZATION);
  /* data 100 | ln +100 | drop overwrites ln | rms +100, ln freed: peak 200 */
  g_assert_cmpuint (t->activations_all, ==, 400);
  g_assert_cmpuint (t->activations_peak, ==, 200);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* instance_norm's "affine" defaults to false, every other kind's to
 * true; a file says only what its author set. */
static void
test_defaults (void)
{
  g_autoptr(EnvelopeLayer) in = envelope_layer_new (ENVELOPE_LAYER_INSTANCE_NORM, "in");
  g_autoptr(EnvelopeLayer) ln = envelope_layer_new (ENVELOPE_LAYER_LAYER_NORM, "ln");
  g_autoptr(EnvelopeLayer) gn = envelope_layer_new (ENVELOPE_LAYER_GROUP_NORM, "gn");
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  g_assert_false (in->affine);
  g_assert_true (ln->affine);
  g_assert_true (ln->bias);
  g_assert_true (gn->affine);
  g_assert_true (gn->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_GROUPS));

  in->affine = TRUE;
  envelope_layer_set_field_default (in, ENVELOPE_FIELD_AFFINE);
  g_assert_false (in->affine);

  network = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 4, 4]},"
    "{\"name\": \"in\", \"type\": \"instance_norm\"},"
    "{\"name\": \"in2\", \"type\": \"instance_norm\", \"affine\": true},"
    "{\"name\": \"gn\", \"type\": \"group_norm\", \"groups\": 4, \"affine\": false}]}", -1, &error);
  g_assert_no_error (error);
  g_assert_false (envelope_network_get_layer (network, 1)->affine);
  g_assert_true (envelope_network_get_layer (network, 2)->affine);
  g_assert_false (envelope_network_get_layer (network, 3)->affine);
  saved = envelope_network_to_data (network, NULL);
  /* in2's true and gn's false; in's default is not written */
  g_assert_cmpuint (count_occurrences (saved, "\"affine\""), ==, 2);
  g_assert_nonnull (strstr (saved, "\"groups\": 4"));

  {
    g_autoptr(EnvelopeNetwork) again = envelope_network_load_from_data (saved, -1, &error);

    g_assert_no_error (error);
    g_assert_true (envelope_network_equal (network, again));
  }
}

/* One worked formula per kind. */
static void
test_formulas (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [197, 768]},"
    "{\"name\": \"ln\", \"type\": \"layer_norm\"},"
    "{\"name\": \"ln_nobias\", \"type\": \"layer_norm\", \"bias\": false},"
    "{\"name\": \"rms\", \"type\": \"rms_norm\"},"
    "{\"name\": \"l2\", \"type\": \"l2_norm\"},"
    "{\"name\": \"drop\", \"type\": \"stochastic_depth\", \"rate\": 0.1},"
    "{\"name\": \"image\", \"type\": \"input\", \"shape\": [256, 14, 14]},"
    "{\"name\": \"gn\", \"type\": \"group_norm\", \"groups\": 32},"
    "{\"name\": \"in\", \"type\": \"instance_norm\"}]}");
  static const struct { const char *layer; EnvelopeFigure figure; const char *text; } cases[] = {
    { "ln", ENVELOPE_FIGURE_OUTPUT_SHAPE, "unchanged: 197×768" },
    { "ln", ENVELOPE_FIGURE_WEIGHTS, "768 (γ, one scale per feature)" },
    { "ln", ENVELOPE_FIGURE_BIASES, "768 (β, one shift per feature)" },
    { "ln", ENVELOPE_FIGURE_PARAMS, "768 + 768 = 1,536" },
    { "ln", ENVELOPE_FIGURE_MACS, "0: layer_norm layers do no multiply-adds" },
    { "ln", ENVELOPE_FIGURE_OTHER_OPS, "4 × 151,296 = 605,184, per output value" },
    { "ln_nobias", ENVELOPE_FIGURE_BIASES, "0 (bias: false)" },
    { "rms", ENVELOPE_FIGURE_WEIGHTS, "768 (γ, one scale per feature)" },
    { "rms", ENVELOPE_FIGURE_BIASES, "0 (RMS norm has no β)" },
    { "rms", ENVELOPE_FIGURE_OTHER_OPS, "3 × 151,296 = 453,888, per output value" },
    { "l2", ENVELOPE_FIGURE_OTHER_OPS, "2 × 151,296 = 302,592, per output value" },
    { "drop", ENVELOPE_FIGURE_OTHER_OPS, "1 × 151,296 = 151,296, per output value" },
    { "gn", ENVELOPE_FIGURE_WEIGHTS, "256 (γ, one scale per channel)" },
    { "gn", ENVELOPE_FIGURE_BIASES, "256 (β, one shift per channel)" },
    { "gn", ENVELOPE_FIGURE_OTHER_OPS, "4 × 50,176 = 200,704, per output value" },
    { "in", ENVELOPE_FIGURE_WEIGHTS, "0 (affine: false)" },
    { "in", ENVELOPE_FIGURE_OUTPUT_SHAPE, "unchanged: 256×14×14" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = model_formula (m, cases[i].layer, cases[i].figure);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_errors (void)
{
  static const struct {
    const char *input, *layer;
    GQuark (*domain) (void);
    gint code;
    const char *message;
  } cases[] = {
    { "[256, 28, 28]", "\"group_norm\", \"groups\": 3", envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_GROUPS,
      "layers[1] \"layer\": \"groups\" 3 must divide the input channels (256)" },
    { "[197, 768]", "\"group_norm\", \"groups\": 4", envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" group_norm normalizes the channels of a map over its positions, "
      "but this one gets a sequence of 197×768 tokens; use layer_norm for tokens" },
    { "[197, 768]", "\"instance_norm\"", envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" instance_norm normalizes the channels of a map over its positions, "
      "but this one gets a sequence of 197×768 tokens; use layer_norm for tokens" },
    { "[64]", "\"instance_norm\"", envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" instance_norm layers need a C×H×W input, but this one gets a vector of 64 values" },
    { "[64, 8, 8]", "\"group_norm\", \"groups\": 0", envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_VALUE,
      "layers[1] \"layer\": \"groups\"" },
    { "[64, 8, 8]", "\"stochastic_depth\", \"rate\": 1", envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_VALUE,
      "layers[1] \"layer\": \"rate\" must be at least 0 and below 1, got 1" },
    { "[64, 8, 8]", "\"l2_norm\", \"affine\": true", envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY,
      "affine" },
    { "[64, 8, 8]", "\"rms_norm\", \"bias\": true", envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY,
      "bias" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(EnvelopeNetwork) network = NULL;
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s on %s", i, cases[i].layer, cases[i].input);
      network = envelope_network_load_from_data (json, -1, &error);
      if (network != NULL)
        analysis = envelope_analysis_new (network, NULL, NULL, &error);
      g_assert_null (analysis);
      g_assert_error (error, cases[i].domain (), cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("message \"%s\" lacks \"%s\"", error->message, cases[i].message);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kinds/normalization/figures", test_figures);
  g_test_add_func ("/core/kinds/normalization/receptive-field", test_receptive_field);
  g_test_add_func ("/core/kinds/normalization/in-place", test_in_place);
  g_test_add_func ("/core/kinds/normalization/defaults", test_defaults);
  g_test_add_func ("/core/kinds/normalization/formulas", test_formulas);
  g_test_add_func ("/core/kinds/normalization/errors", test_errors);
  return g_test_run ();
}
