/* test-figures.c: the reference figures of COST-MODEL.md, exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-figures"

#include "config.h"

#include "envelope-format.h"
#include "test-helpers.h"

/* The lecture's MNIST network, layer by layer. */
static void
test_mnist (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  static const struct { const char *name; guint64 weights, biases, activations; } layers[] = {
    { "conv1", 288, 32, 25088 },
    { "conv2", 9216, 32, 25088 },
    { "pool1", 0, 0, 6272 },
    { "fc1", 802816, 128, 128 },
    { "fc2", 1280, 10, 10 },
  };
  g_autofree char *size = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const EnvelopeLayerFigures *f = model_layer (m, layers[i].name);

      g_assert_cmpuint (f->weights, ==, layers[i].weights);
      g_assert_cmpuint (f->biases, ==, layers[i].biases);
      g_assert_cmpuint (f->params, ==, layers[i].weights + layers[i].biases);
      g_assert_cmpuint (f->activations, ==, layers[i].activations);
    }
  /* blobs: 32×28×28 and 32×14×14 */
  g_assert_cmpuint (model_layer (m, "conv1")->shape[0], ==, 32);
  g_assert_cmpuint (model_layer (m, "conv1")->shape[1], ==, 28);
  g_assert_cmpuint (model_layer (m, "pool1")->shape[1], ==, 14);
  g_assert_cmpuint (model_layer (m, "pool1")->shape[2], ==, 14);

  g_assert_cmpuint (t->params, ==, 813802);
  g_assert_cmpuint (t->trainable_params, ==, 813802);
  g_assert_cmpuint (t->non_trainable_params, ==, 0);
  g_assert_cmpuint (t->model_bytes, ==, 813802 * 4);
  size = envelope_format_bytes (t->model_bytes, ENVELOPE_UNITS_IEC);
  g_assert_cmpstr (size, ==, "3.10 MiB");

  g_assert_cmpuint (model_layer (m, "conv1")->macs, ==, 28 * 28 * 1 * 32 * 3 * 3);
  g_assert_cmpuint (model_layer (m, "conv2")->macs, ==, 7225344);
  g_assert_cmpuint (model_layer (m, "fc1")->macs, ==, 802816);
  g_assert_cmpuint (t->macs, ==, 225792 + 7225344 + 802816 + 1280);
  g_assert_cmpuint (t->flops, ==, 2 * t->macs);
  g_assert_cmpuint (t->training_macs, ==, 3 * t->macs);
}

/* The worked formulas read as the lecture writes them. */
static void
test_mnist_formulas (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  static const struct { const char *layer; EnvelopeFigure figure; const char *text; } cases[] = {
    { "conv1", ENVELOPE_FIGURE_WEIGHTS, "32 × (3 × 3) × 1 = 288" },
    { "conv2", ENVELOPE_FIGURE_WEIGHTS, "32 × (3 × 3) × 32 = 9,216" },
    { "conv2", ENVELOPE_FIGURE_BIASES, "32, one per filter" },
    { "conv2", ENVELOPE_FIGURE_PARAMS, "9,216 + 32 = 9,248" },
    { "conv2", ENVELOPE_FIGURE_MACS, "28 × 28 × 32 × 32 × 3 × 3 = 7,225,344" },
    { "conv2", ENVELOPE_FIGURE_RECEPTIVE_FIELD, "3 + (3 − 1) × 1 = 5" },
    { "conv2", ENVELOPE_FIGURE_OUTPUT_SHAPE, "⌊(28 + 1 + 1 − 3) / 1⌋ + 1 = 28 → 32×28×28" },
    { "conv2", ENVELOPE_FIGURE_ACTIVATIONS, "32 × 28 × 28 = 25,088" },
    { "conv2", ENVELOPE_FIGURE_WORKSPACE, "(28 × 28) × (3 × 3 × 32) = 225,792" },
    { "pool1", ENVELOPE_FIGURE_OUTPUT_SHAPE, "⌊(28 + 0 + 0 − 2) / 2⌋ + 1 = 14 → 32×14×14" },
    { "pool1", ENVELOPE_FIGURE_RECEPTIVE_FIELD, "5 + (2 − 1) × 1 = 6" },
    { "pool1", ENVELOPE_FIGURE_JUMP, "1 × 2 = 2" },
    { "pool1", ENVELOPE_FIGURE_ACTIVATIONS, "32 × 14 × 14 = 6,272" },
    { "fc1", ENVELOPE_FIGURE_WEIGHTS, "128 × (32 × 14 × 14) = 802,816" },
    { "fc1", ENVELOPE_FIGURE_MACS, "(32 × 14 × 14) × 128 = 802,816" },
    { "fc2", ENVELOPE_FIGURE_WEIGHTS, "10 × 128 = 1,280" },
    { "relu1", ENVELOPE_FIGURE_OTHER_OPS, "1 × 25,088 = 25,088, per output value" },
    { "prob", ENVELOPE_FIGURE_OTHER_OPS, "3 × 10 = 30, per output value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = model_formula (m, cases[i].layer, cases[i].figure);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Every worked formula has its rule in symbols above the numbers, term
 * for term in the same order: a student sees which 32 is the input
 * depth and which the output. */
static void
test_mnist_rules (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  static const struct { const char *layer; EnvelopeFigure figure; const char *rule; } cases[] = {
    { "conv1", ENVELOPE_FIGURE_WEIGHTS, "weights = depth_n × (kernel_h × kernel_w) × depth_(n−1)" },
    { "conv2", ENVELOPE_FIGURE_MACS, "MACs = H_out × W_out × C_in × C_out × k_h × k_w" },
    { "conv2", ENVELOPE_FIGURE_BIASES, "biases = depth_n" },
    { "conv2", ENVELOPE_FIGURE_PARAMS, "params = weights + biases" },
    { "conv2", ENVELOPE_FIGURE_WORKSPACE, "workspace = (H_out × W_out) × (k_h × k_w × C_in)" },
    { "conv2", ENVELOPE_FIGURE_OUTPUT_SHAPE, "out = ⌊(in + pad_before + pad_after − kernel) / stride⌋ + 1" },
    { "conv2", ENVELOPE_FIGURE_RECEPTIVE_FIELD, "r = r_in + (kernel − 1) × j_in" },
    { "conv2", ENVELOPE_FIGURE_ACTIVATIONS, "activations = C × H × W" },
    { "pool1", ENVELOPE_FIGURE_JUMP, "j = j_in × stride" },
    { "pool1", ENVELOPE_FIGURE_OTHER_OPS, "other ops = (k_h × k_w) × output values" },
    { "fc1", ENVELOPE_FIGURE_WEIGHTS, "weights = units × (C × H × W)" },
    { "fc1", ENVELOPE_FIGURE_MACS, "MACs = (C × H × W) × units" },
    { "fc2", ENVELOPE_FIGURE_WEIGHTS, "weights = units × inputs" },
    { "relu1", ENVELOPE_FIGURE_OTHER_OPS, "other ops = ops per value × output values" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint index = envelope_network_find_layer (m->network, cases[i].layer);
      char **rules = envelope_analysis_explain_rules (m->analysis, (guint) index);

      g_assert_cmpstr (rules[cases[i].figure], ==, cases[i].rule);
      envelope_formulas_free (rules);
    }
  /* a figure without a rule shows none: an activation's unchanged shape */
  {
    char **rules = envelope_analysis_explain_rules (m->analysis, 2);

    g_assert_null (rules[ENVELOPE_FIGURE_OUTPUT_SHAPE]);
    g_assert_null (rules[ENVELOPE_FIGURE_WEIGHTS]);
    envelope_formulas_free (rules);
  }
}

/* The lecture's VGG-16 table: conv5 flattened without pool5, 100 classes,
 * MACs summed per stage. */
static void
test_vgg16_lecture (void)
{
  g_autoptr(Model) m = model_load ("vgg16-lecture.json");
  static const struct { const char *group; guint64 macs; const char *printed; } groups[] = {
    { "conv1", G_GUINT64_CONSTANT (1936392192), "1.94E+09" },
    { "conv2", G_GUINT64_CONSTANT (2774532096), "2.77E+09" },
    { "conv3", G_GUINT64_CONSTANT (4624220160), "4.62E+09" },
    { "conv4", G_GUINT64_CONSTANT (4624220160), "4.62E+09" },
    { "conv5", G_GUINT64_CONSTANT (1387266048), "1.39E+09" },
    { "fc6", G_GUINT64_CONSTANT (411041792), "4.11E+08" },
    { "fc7", G_GUINT64_CONSTANT (16777216), "1.68E+07" },
    { "fc8", G_GUINT64_CONSTANT (409600), "4.10E+05" },
  };
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  g_autofree char *total = envelope_format_scientific (t->macs);

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      guint64 macs = 0;
      g_autofree char *printed = NULL;

      for (guint i = 0; i < envelope_network_get_n_layers (m->network); i++)
        if (g_strcmp0 (envelope_network_get_layer (m->network, i)->group, groups[g].group) == 0)
          macs += envelope_analysis_get_layer (m->analysis, i)->macs;
      g_assert_cmpuint (macs, ==, groups[g].macs);
      printed = envelope_format_scientific (macs);
      g_assert_cmpstr (printed, ==, groups[g].printed);
    }
  g_assert_cmpuint (t->macs, ==, G_GUINT64_CONSTANT (15774859264));
  g_assert_cmpstr (total, ==, "1.58E+10");
  /* fc6 reads conv5_3's 512×14×14 output directly */
  g_assert_cmpuint (model_layer (m, "fc6")->weights, ==, G_GUINT64_CONSTANT (4096) * 512 * 14 * 14);
}

typedef struct
{
  const char *file;
  guint64 trainable;
  guint64 params;            /* with batch-norm running statistics */
  guint64 macs;
} Published;

/* torchvision's counts (parameters() is our trainable count; the running
 * mean and variance of batch norm are our non-trainable parameters). */
static const Published published[] = {
  { "vgg16.json", 138357544, 138357544, G_GUINT64_CONSTANT (15470264320) },
  { "resnet50.json", 25557032, 25557032 + 53120, G_GUINT64_CONSTANT (4089184256) },
  { "alexnet.json", 61100840, 61100840, 714188480 },
  { "mobilenetv2.json", 3504872, 3504872 + 34112, 300774272 },
  { "resnet18.json", 11689512, 11689512 + 9600, G_GUINT64_CONSTANT (1814073344) },
  { "googlenet.json", 6624904, 6624904 + 14560, G_GUINT64_CONSTANT (1498376192) },
  { "lenet5.json", 61706, 61706, 416520 },
  /* the newer networks, counted by PyTorch 1.13 (parameters(), buffers,
   * and the convolutions and matrix products one forward pass runs) */
  { "efficientnet_b0.json", 5288548, 5288548 + 42016, 385814752 },
  { "mobilenet_v3_large.json", 5483032, 5483032 + 24400, 216589760 },
  { "convnext_tiny.json", 28589128, 28589128, G_GUINT64_CONSTANT (4455531264) },
  { "vit_b_16.json", 86567656, 86567656, G_GUINT64_CONSTANT (17563828224) },
  /* Swin-T: 12 blocks' relative-position index (7⁴ values each) is a buffer */
  { "swin_t.json", 28288354, 28288354 + 12 * 2401, G_GUINT64_CONSTANT (4490566656) },
  { "gpt2.json", 124439808, 124439808, G_GUINT64_CONSTANT (145824153600) },
  { "bert_base.json", 109482240, 109482240, G_GUINT64_CONSTANT (48318971904) },
  { "llama2_7b.json", G_GUINT64_CONSTANT (6738415616), G_GUINT64_CONSTANT (6738415616),
    G_GUINT64_CONSTANT (31460635443200) },
  { "unet.json", 31030658, 31030658, G_GUINT64_CONSTANT (150428424448) },
  { "r3d_18.json", 33371472, 33371472 + 9600, G_GUINT64_CONSTANT (40696553472) },
  { "textcnn.json", 5990402, 5990402, 19020600 },
};

static void
test_published (gconstpointer data)
{
  const Published *p = data;
  g_autoptr(Model) m = model_load (p->file);
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);

  g_assert_cmpuint (t->trainable_params, ==, p->trainable);
  g_assert_cmpuint (t->params, ==, p->params);
  g_assert_cmpuint (t->non_trainable_params, ==, p->params - p->trainable);
  g_assert_cmpuint (t->macs, ==, p->macs);
}

/* The shapes the newer networks end in, and GPT-2's tied projection. */
static void
test_published_shapes (void)
{
  static const struct { const char *file; const char *shape; } cases[] = {
    { "unet.json", "2×388×388" },
    { "gpt2.json", "1024×50257" },
    { "llama2_7b.json", "4096×32000" },
    { "r3d_18.json", "400" },
    { "bert_base.json", "768" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Model) m = model_load (cases[i].file);
      guint n = envelope_analysis_get_n_layers (m->analysis);
      const EnvelopeLayerFigures *last = envelope_analysis_get_layer (m->analysis, n - 1);
      g_autofree char *shape = envelope_format_shape (last->rank, last->shape);

      g_assert_cmpstr (shape, ==, cases[i].shape);
    }
  {
    g_autoptr(Model) gpt2 = model_load ("gpt2.json");
    const EnvelopeLayerFigures *head = model_layer (gpt2, "lm_head");
    g_autofree char *weights = model_formula (gpt2, "lm_head", ENVELOPE_FIGURE_WEIGHTS);

    g_assert_cmpuint (head->weights, ==, 0);
    g_assert_cmpint (head->shares, ==, envelope_network_find_layer (gpt2->network, "wte"));
    g_assert_cmpstr (weights, ==, "0: it uses the 38,597,376 weights of wte (counted there)");
  }
}

/* TF-Slim's receptive fields: VGG-16 through pool5, in order. */
static void
test_vgg16_receptive_field (void)
{
  g_autoptr(Model) m = model_load ("vgg16.json");
  static const double expected[] = { 3, 5, 6, 10, 14, 16, 24, 32, 40, 44, 60, 76, 92, 100, 132, 164, 196, 212 };
  guint k = 0;

  for (guint i = 0; i < envelope_network_get_n_layers (m->network); i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (m->network, i);
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (m->analysis, i);

      if (layer->type != ENVELOPE_LAYER_CONV && layer->type != ENVELOPE_LAYER_MAX_POOL)
        continue;
      g_assert_cmpuint (k, <, G_N_ELEMENTS (expected));
      g_assert_cmpfloat (f->receptive_field.size[0], ==, expected[k]);
      g_assert_cmpfloat (f->receptive_field.size[1], ==, expected[k]);
      g_assert_false (f->receptive_field.whole_input);
      k++;
    }
  g_assert_cmpuint (k, ==, G_N_ELEMENTS (expected));
  g_assert_cmpfloat (model_layer (m, "pool5")->receptive_field.jump[0], ==, 32);
  g_assert_cmpfloat (model_layer (m, "pool5")->receptive_field.size[0], ==, 212);
  g_assert_true (model_layer (m, "fc6")->receptive_field.whole_input);
  g_assert_cmpfloat (model_layer (m, "fc6")->receptive_field.size[0], >=, 224);
}

static void
test_alexnet_receptive_field (void)
{
  g_autoptr(Model) m = model_load ("alexnet.json");
  const EnvelopeLayerFigures *last_pool = NULL;

  for (guint i = 0; i < envelope_network_get_n_layers (m->network); i++)
    if (envelope_network_get_layer (m->network, i)->type == ENVELOPE_LAYER_MAX_POOL)
      last_pool = envelope_analysis_get_layer (m->analysis, i);
  g_assert_nonnull (last_pool);
  g_assert_cmpfloat (last_pool->receptive_field.size[0], ==, 195);
  g_assert_cmpfloat (last_pool->receptive_field.jump[0], ==, 32);
  g_assert_cmpuint (last_pool->shape[1], ==, 6);
}

/* Residual merges line up in the published networks. */
static void
test_merges_aligned (void)
{
  static const char *files[] = { "resnet50.json", "googlenet.json", "mobilenetv2.json" };

  for (guint k = 0; k < G_N_ELEMENTS (files); k++)
    {
      g_autoptr(Model) m = model_load (files[k]);
      guint merges = 0;

      for (guint i = 0; i < envelope_network_get_n_layers (m->network); i++)
        {
          const EnvelopeLayer *layer = envelope_network_get_layer (m->network, i);
          if (layer->type == ENVELOPE_LAYER_ADD || layer->type == ENVELOPE_LAYER_CONCAT)
            {
              g_assert_false (envelope_analysis_get_layer (m->analysis, i)->receptive_field.misaligned);
              merges++;
            }
        }
      g_assert_cmpuint (merges, >, 8);
    }
}

/* A report takes the formulas of a layer alike the one before it from
 * that one, the same text, and works out its receptive field's, which
 * grows along a chain; every example network gives through the cache
 * what each layer gives alone (model_load() checks it). */
static void
test_formula_cache (void)
{
  g_autoptr(Model) m = model_parse ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 32, 32]},"
                                    "{\"name\": \"c1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
                                    "{\"name\": \"r1\", \"type\": \"relu\"},"
                                    "{\"name\": \"c2\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
                                    "{\"name\": \"r2\", \"type\": \"relu\"},"
                                    "{\"name\": \"c3\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 2}]}");
  g_autoptr(EnvelopeFormulaCache) cache = envelope_formula_cache_new (m->analysis);
  g_autofree char *models = g_test_build_filename (G_TEST_DIST, "..", "data", "models", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *const *f;
  const char *weights, *macs, *name;
  guint n_models = 0;

  f = envelope_formula_cache_explain (cache, 1);
  weights = f[ENVELOPE_FIGURE_WEIGHTS];
  macs = f[ENVELOPE_FIGURE_MACS];
  g_assert_cmpstr (weights, ==, "16 × (3 × 3) × 16 = 2,304");
  g_assert_cmpstr (macs, ==, "32 × 32 × 16 × 16 × 3 × 3 = 2,359,296");
  g_assert_cmpstr (f[ENVELOPE_FIGURE_RECEPTIVE_FIELD], ==, "1 + (3 − 1) × 1 = 3");
  f = envelope_formula_cache_explain (cache, 2);
  g_assert_cmpstr (f[ENVELOPE_FIGURE_RECEPTIVE_FIELD], ==, "unchanged: 3");
  /* c2 is c1 again on an input of the same shape: its formulas are c1's */
  f = envelope_formula_cache_explain (cache, 3);
  g_assert_true (f[ENVELOPE_FIGURE_WEIGHTS] == weights);
  g_assert_true (f[ENVELOPE_FIGURE_MACS] == macs);
  g_assert_cmpstr (f[ENVELOPE_FIGURE_RECEPTIVE_FIELD], ==, "3 + (3 − 1) × 1 = 5");
  g_assert_cmpstr (f[ENVELOPE_FIGURE_START], ==, "0.5 + ((3 − 1) / 2 − 1) × 1 = 0.5");
  f = envelope_formula_cache_explain (cache, 4);
  g_assert_cmpstr (f[ENVELOPE_FIGURE_RECEPTIVE_FIELD], ==, "unchanged: 5");
  /* other padding: other settings, worked out whole */
  f = envelope_formula_cache_explain (cache, 5);
  g_assert_false (f[ENVELOPE_FIGURE_MACS] == macs);
  g_assert_cmpstr (f[ENVELOPE_FIGURE_MACS], ==, "34 × 34 × 16 × 16 × 3 × 3 = 2,663,424");
  g_assert_cmpstr (f[ENVELOPE_FIGURE_START], ==, "0.5 + ((3 − 1) / 2 − 2) × 1 = -0.5");

  dir = g_dir_open (models, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      {
        g_autoptr(Model) model = model_load (name);

        n_models++;
      }
  g_assert_cmpuint (n_models, >=, 20);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/figures/mnist", test_mnist);
  g_test_add_func ("/core/figures/mnist-formulas", test_mnist_formulas);
  g_test_add_func ("/core/figures/mnist-rules", test_mnist_rules);
  g_test_add_func ("/core/figures/vgg16-lecture", test_vgg16_lecture);
  for (guint i = 0; i < G_N_ELEMENTS (published); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/figures/published/%s", published[i].file);
      g_test_add_data_func (path, &published[i], test_published);
    }
  g_test_add_func ("/core/figures/published-shapes", test_published_shapes);
  g_test_add_func ("/core/figures/receptive-field/vgg16", test_vgg16_receptive_field);
  g_test_add_func ("/core/figures/receptive-field/alexnet", test_alexnet_receptive_field);
  g_test_add_func ("/core/figures/receptive-field/merges-aligned", test_merges_aligned);
  g_test_add_func ("/core/figures/formula-cache", test_formula_cache);
  return g_test_run ();
}
