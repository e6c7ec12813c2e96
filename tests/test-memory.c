/* test-memory.c: memory terms and batch fit on a case worked by hand
 *
 * The network: input 1×4×4 (16 values); conv 2 filters 3×3 pad 1
 * (18 weights + 2 biases, output 2×4×4 = 32); relu (in place); flatten
 * (32); dense 3 (96 weights + 3 biases).
 *
 *   params          20 + 99 = 119, all trainable
 *   all outputs     16 + 32 + 32 + 32 + 3 = 115 values per sample
 *   peak live       data 16 + conv 32 = 48; relu in place; flatten 32 +
 *                   conv 32 = 64; dense 32 + 3 = 35  → 64
 *   workspace       im2col of conv: (4 × 4) × (3 × 3 × 1) = 144 values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-memory"

#include "config.h"

#include <string.h>

#include "test-helpers.h"

static const char *network_json =
  "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"tiny\", \"layers\": ["
  "{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 4, 4]},"
  "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 2, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"relu\", \"type\": \"relu\"},"
  "{\"name\": \"flat\", \"type\": \"flatten\"},"
  "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 3}],"
  "\"training\": {\"batch\": 8, \"optimizer\": \"adam\", \"device_memory\": 10000, \"target_batch\": 20,"
  " \"memory_model\": \"lecture\"}}";

static EnvelopeAnalysis *
analyse_with (Model            *m,
              EnvelopeTraining *training)
{
  g_autoptr(GError) error = NULL;
  EnvelopeAnalysis *analysis = envelope_analysis_new (m->network, training, NULL, &error);

  g_assert_no_error (error);
  return analysis;
}

static void
test_totals (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);

  g_assert_cmpuint (t->params, ==, 119);
  g_assert_cmpuint (t->trainable_params, ==, 119);
  g_assert_cmpuint (t->activations_all, ==, 115);
  g_assert_cmpuint (t->activations_peak, ==, 64);
  g_assert_cmpuint (t->workspace, ==, 144);
  g_assert_cmpint (t->workspace_layer, ==, 1);
  g_assert_cmpuint (t->model_bytes, ==, 476);
}

/* fp32, batch 8, adam (2 slots) */
static void
test_train_fp32 (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  const EnvelopeMemory *mem = envelope_analysis_get_memory (m->analysis);

  g_assert_cmpuint (mem->batch, ==, 8);
  g_assert_cmpuint (mem->bytes_per_value, ==, 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_PARAMETERS], ==, 119 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_GRADIENTS], ==, 119 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_OPTIMIZER_STATE], ==, 119 * 2 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_LAYER_OUTPUTS], ==, 115 * 8 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_ERROR_SIGNALS], ==, 115 * 8 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_WORKSPACE], ==, 144 * 4);
  g_assert_cmpuint (mem->train_total, ==, 9840);

  /* test time: params + peak live × batch + workspace */
  g_assert_cmpuint (mem->test.parameters, ==, 476);
  g_assert_cmpuint (mem->test.activations, ==, 64 * 8 * 4);
  g_assert_cmpuint (mem->test.workspace, ==, 576);
  g_assert_cmpuint (mem->test.total, ==, 3100);
}

/* fp16 with mixed precision: fp32 master weights and gradients. */
static void
test_train_mixed (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  EnvelopeTraining training;
  const EnvelopeMemory *mem;

  envelope_training_copy (&training, &m->network->training);
  training.dtype = ENVELOPE_DTYPE_FP16;
  training.mixed_precision = TRUE;
  analysis = analyse_with (m, &training);
  envelope_training_clear (&training);
  mem = envelope_analysis_get_memory (analysis);

  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_PARAMETERS], ==, 119 * 2 + 119 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_GRADIENTS], ==, 119 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_OPTIMIZER_STATE], ==, 119 * 2 * 4);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_LAYER_OUTPUTS], ==, 115 * 8 * 2);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_WORKSPACE], ==, 144 * 2);
  g_assert_cmpuint (mem->train_total, ==, 6110);
  g_assert_cmpuint (envelope_analysis_get_totals (analysis)->model_bytes, ==, 119 * 2);
}

static void
test_optimizer_slots (void)
{
  static const struct { EnvelopeOptimizer optimizer; guint slots; } cases[] = {
    { ENVELOPE_OPTIMIZER_NONE, 0 }, { ENVELOPE_OPTIMIZER_SGD, 0 }, { ENVELOPE_OPTIMIZER_SGD_MOMENTUM, 1 },
    { ENVELOPE_OPTIMIZER_NESTEROV, 1 }, { ENVELOPE_OPTIMIZER_RMSPROP, 1 }, { ENVELOPE_OPTIMIZER_ADAGRAD, 1 },
    { ENVELOPE_OPTIMIZER_ADAM, 2 }, { ENVELOPE_OPTIMIZER_ADAMW, 2 },
  };
  g_autoptr(Model) m = model_parse (network_json);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      EnvelopeTraining training;

      envelope_training_copy (&training, &m->network->training);
      training.optimizer = cases[i].optimizer;
      analysis = analyse_with (m, &training);
      envelope_training_clear (&training);
      g_assert_cmpuint (envelope_optimizer_get_slots (cases[i].optimizer), ==, cases[i].slots);
      g_assert_cmpuint (envelope_analysis_get_memory (analysis)->train[ENVELOPE_MEMORY_OPTIMIZER_STATE], ==,
                        119 * cases[i].slots * 4);
    }
}

/* 10,000 bytes: fixed 476 + 476 + 952 + 576 = 2,480; each sample adds
 * 115 × 4 × 2 = 920; ⌊7,520 / 920⌋ = 8.  Target 20 → ⌈20 / 8⌉ = 3 steps
 * of ⌈20 / 3⌉ = 7. */
static void
test_fit (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  const EnvelopeFit *fit = envelope_analysis_get_fit (m->analysis);
  g_autofree char *text = envelope_analysis_explain_fit (m->analysis);
  guint64 bytes = 0;

  g_assert_cmpuint (fit->fixed_bytes, ==, 2480);
  g_assert_cmpuint (fit->bytes_per_sample, ==, 920);
  g_assert_cmpuint (fit->device_memory, ==, 10000);
  g_assert_null (fit->device);
  g_assert_cmpuint (fit->max_batch, ==, 8);
  g_assert_cmpuint (fit->target_batch, ==, 20);
  g_assert_cmpuint (fit->steps, ==, 3);
  g_assert_cmpuint (fit->micro_batch, ==, 7);
  g_assert_nonnull (strstr (text, "= 8"));
  g_assert_nonnull (strstr (text, "= 3 steps (2 steps of 7 and one of 6)"));
  /* the exact split, said the same way everywhere */
  {
    g_autofree char *uneven = envelope_describe_steps (256, 10);
    g_autofree char *even = envelope_describe_steps (256, 8);
    g_autofree char *one = envelope_describe_steps (256, 256);
    g_autofree char *single = envelope_describe_steps (11, 10);

    g_assert_cmpstr (uneven, ==, "25 steps of 10 and one of 6");
    g_assert_cmpstr (even, ==, "32 steps of 8");
    g_assert_cmpstr (one, ==, "one step of 256");
    g_assert_cmpstr (single, ==, "1 step of 10 and one of 1");
  }

  /* the batch-8 total is the fit's line at 8 */
  g_assert_true (envelope_analysis_train_bytes_at (m->analysis, 8, &bytes));
  g_assert_cmpuint (bytes, ==, envelope_analysis_get_memory (m->analysis)->train_total);
  g_assert_true (envelope_analysis_train_bytes_at (m->analysis, 8, &bytes));
  g_assert_cmpuint (bytes, <=, 10000);
  g_assert_true (envelope_analysis_train_bytes_at (m->analysis, 9, &bytes));
  g_assert_cmpuint (bytes, >, 10000);
  g_assert_false (envelope_analysis_train_bytes_at (m->analysis, G_MAXUINT64, &bytes));
}

static void
test_fit_cases (void)
{
  static const struct { guint64 memory, reserved, target; guint64 max_batch, steps, micro; const char *says; } cases[] = {
    { 10000, 1000, 0, 7, 2, 4, "= 7" },         /* ⌊6,520 / 920⌋; the file's batch 8 → 2 steps of 4 */
    { 10000, 0, 8, 8, 1, 8, "fits in one step" },
    { 3000, 0, 0, 0, 0, 0, "do not fit" },      /* 520 left, a sample needs 920 */
    { 2000, 0, 0, 0, 0, 0, "alone need" },      /* below the fixed 2,480 */
    { 10000, 20000, 0, 0, 0, 0, "takes the whole device" }, /* reserved beyond the device */
    { 3400, 0, 64, 1, 64, 1, "64 steps" },
  };
  g_autoptr(Model) m = model_parse (network_json);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autofree char *text = NULL;
      EnvelopeTraining training;
      const EnvelopeFit *fit;

      envelope_training_copy (&training, &m->network->training);
      training.device_memory = cases[i].memory;
      training.reserved_memory = cases[i].reserved;
      training.target_batch = cases[i].target;
      analysis = analyse_with (m, &training);
      envelope_training_clear (&training);
      fit = envelope_analysis_get_fit (analysis);
      text = envelope_analysis_explain_fit (analysis);

      g_test_message ("case %u: %s", i, text);
      g_assert_cmpuint (fit->max_batch, ==, cases[i].max_batch);
      g_assert_cmpuint (fit->steps, ==, cases[i].steps);
      g_assert_cmpuint (fit->micro_batch, ==, cases[i].micro);
      g_assert_nonnull (strstr (text, cases[i].says));
    }
}

/* A preset's memory comes from the device table. */
static void
test_fit_preset (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  const EnvelopeFit *fit;
  const EnvelopeMemory *mem;
  const EnvelopeTotals *t;
  EnvelopeTraining training;

  envelope_training_copy (&training, &m->network->training);
  training.memory_model = ENVELOPE_MEMORY_MODEL_LECTURE;
  analysis = analyse_with (m, &training);
  envelope_training_clear (&training);
  fit = envelope_analysis_get_fit (analysis);
  mem = envelope_analysis_get_memory (analysis);
  t = envelope_analysis_get_totals (analysis);

  g_assert_cmpstr (fit->device, ==, "GTX Titan X");
  g_assert_cmpuint (fit->device_memory, ==, G_GUINT64_CONSTANT (12884901888));
  g_assert_cmpuint (fit->fixed_bytes, ==, mem->train[ENVELOPE_MEMORY_PARAMETERS] + mem->train[ENVELOPE_MEMORY_GRADIENTS] +
                                          mem->train[ENVELOPE_MEMORY_OPTIMIZER_STATE] + mem->train[ENVELOPE_MEMORY_WORKSPACE]);
  g_assert_cmpuint (fit->bytes_per_sample, ==, t->activations_all * 4 * 2);
  g_assert_cmpuint (fit->max_batch, ==, (G_GUINT64_CONSTANT (12884901888) - fit->fixed_bytes) / fit->bytes_per_sample);
  g_assert_cmpuint (fit->steps, ==, 1);
}

static void
test_no_budget (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [10]},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}");
  const EnvelopeFit *fit = envelope_analysis_get_fit (m->analysis);
  const EnvelopeMemory *mem = envelope_analysis_get_memory (m->analysis);
  g_autofree char *workspace = envelope_analysis_explain_memory (m->analysis, ENVELOPE_MEMORY_WORKSPACE);

  g_assert_cmpuint (fit->device_memory, ==, 0);
  g_assert_cmpuint (fit->max_batch, ==, 0);
  g_assert_cmpuint (fit->steps, ==, 0);
  g_assert_cmpuint (mem->batch, ==, 1);
  g_assert_cmpint (mem->optimizer, ==, ENVELOPE_OPTIMIZER_SGD_MOMENTUM);
  g_assert_cmpuint (mem->train[ENVELOPE_MEMORY_WORKSPACE], ==, 0);
  g_assert_nonnull (strstr (workspace, "0 B"));
}

static void
test_memory_formulas (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  static const struct { EnvelopeMemoryTerm term; const char *text; } cases[] = {
    { ENVELOPE_MEMORY_PARAMETERS, "119 × 4 = 476 B" },
    { ENVELOPE_MEMORY_GRADIENTS, "119 trainable × 4 = 476 B" },
    { ENVELOPE_MEMORY_OPTIMIZER_STATE, "119 trainable × 2 slots (adam) × 4 = 952 B" },
    { ENVELOPE_MEMORY_LAYER_OUTPUTS, "115 values (all outputs) × 8 batch × 4 = 3,680 B" },
    { ENVELOPE_MEMORY_ERROR_SIGNALS, "115 values (all outputs) × 8 batch × 4 = 3,680 B" },
    { ENVELOPE_MEMORY_WORKSPACE, "144 values (im2col of \"conv\", one sample) × 4 = 576 B" },
  };
  g_autofree char *test = envelope_analysis_explain_test (m->analysis);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = envelope_analysis_explain_memory (m->analysis, cases[i].term);
      g_assert_true (g_str_has_prefix (text, cases[i].text));
    }
  g_assert_true (g_str_has_prefix (test, "119 params × 4 + 64 peak live values × 8 batch × 4 + 144 workspace values × 4 = 3,100 B"));
}

/* The lecture walk-through: every layer's share of each term, summed,
 * is the network's term. */
static void
test_layer_shares (void)
{
  static const char *files[] = { "mnist.json", "resnet50.json", "mobilenetv2.json" };

  for (guint k = 0; k < G_N_ELEMENTS (files); k++)
    for (gboolean mixed = FALSE; mixed <= TRUE; mixed++)
      {
        g_autoptr(Model) m = model_load (files[k]);
        g_autoptr(EnvelopeAnalysis) analysis = NULL;
        guint64 sums[ENVELOPE_N_MEMORY_TERMS] = { 0 };
        const EnvelopeMemory *mem;
        EnvelopeTraining training;

        envelope_training_copy (&training, &m->network->training);
        training.mixed_precision = mixed;
        training.dtype = mixed ? ENVELOPE_DTYPE_BF16 : ENVELOPE_DTYPE_FP32;
        training.optimizer = ENVELOPE_OPTIMIZER_ADAMW;
        analysis = analyse_with (m, &training);
        envelope_training_clear (&training);
        mem = envelope_analysis_get_memory (analysis);

        for (guint i = 0; i < envelope_analysis_get_n_layers (analysis); i++)
          {
            guint64 bytes[ENVELOPE_N_MEMORY_TERMS];

            g_assert_true (envelope_analysis_layer_memory (analysis, i, bytes));
            for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
              sums[t] += bytes[t];
          }
        for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
          g_assert_cmpuint (sums[t], ==, mem->train[t]);
      }
}

static void
test_layer_share_text (void)
{
  g_autoptr(Model) m = model_parse (network_json);
  g_autofree char *params = envelope_analysis_explain_layer_memory (m->analysis, 1, ENVELOPE_MEMORY_PARAMETERS);
  g_autofree char *outputs = envelope_analysis_explain_layer_memory (m->analysis, 1, ENVELOPE_MEMORY_LAYER_OUTPUTS);
  g_autofree char *optimizer = envelope_analysis_explain_layer_memory (m->analysis, 4, ENVELOPE_MEMORY_OPTIMIZER_STATE);
  g_autofree char *workspace = envelope_analysis_explain_layer_memory (m->analysis, 1, ENVELOPE_MEMORY_WORKSPACE);
  g_autofree char *none = envelope_analysis_explain_layer_memory (m->analysis, 4, ENVELOPE_MEMORY_WORKSPACE);

  g_assert_cmpstr (params, ==, "20 × 4 = 80 B");
  g_assert_cmpstr (outputs, ==, "32 × 8 × 4 = 1,024 B (1.00 KiB)");
  g_assert_cmpstr (optimizer, ==, "99 × 2 × 4 = 792 B");
  g_assert_cmpstr (workspace, ==, "144 × 4 = 576 B");
  g_assert_true (g_str_has_prefix (none, "0 B"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/memory/totals", test_totals);
  g_test_add_func ("/core/memory/train-fp32", test_train_fp32);
  g_test_add_func ("/core/memory/train-mixed", test_train_mixed);
  g_test_add_func ("/core/memory/optimizer-slots", test_optimizer_slots);
  g_test_add_func ("/core/memory/formulas", test_memory_formulas);
  g_test_add_func ("/core/memory/layer-shares", test_layer_shares);
  g_test_add_func ("/core/memory/layer-share-text", test_layer_share_text);
  g_test_add_func ("/core/fit/hand-worked", test_fit);
  g_test_add_func ("/core/fit/cases", test_fit_cases);
  g_test_add_func ("/core/fit/preset", test_fit_preset);
  g_test_add_func ("/core/fit/no-budget", test_no_budget);
  return g_test_run ();
}
