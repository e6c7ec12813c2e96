/* test-memory-pytorch.c: the PyTorch memory model against PyTorch
 *
 * Every figure here was measured (build-aux/measure-memory.py; the run is
 * kept in tests/data/measured/): the bytes autograd's saved_tensors_hooks
 * see in one forward, loss included, parameters and buffers left out;
 * the step's peak as torch.cuda.max_memory_allocated() reports it over
 * forward, backward and optimizer step, plus what was allocated before
 * it (parameters, buffers, optimizer state, cuBLAS's workspaces); and
 * the largest batch for which two training steps ran under
 * torch.cuda.set_per_process_memory_fraction().  PyTorch 2.11, CUDA 13.0,
 * cuDNN 9.19 on an H200; torchvision's networks with random weights,
 * fp32, SGD with momentum 0.9, cross-entropy.
 *
 * Saved bytes are pinned to the byte; the step's peak and the largest
 * batch within 10%, the goal the model is held to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-memory-pytorch"

#include "config.h"

#include <string.h>

#include "envelope-report.h"
#include "test-helpers.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

static EnvelopeAnalysis *
analyse (EnvelopeNetwork  *network,
         guint64           batch,
         EnvelopeOptimizer optimizer,
         gboolean          mixed,
         guint64           device_memory)
{
  g_autoptr(GError) error = NULL;
  EnvelopeAnalysis *analysis;
  EnvelopeTraining training;

  envelope_training_copy (&training, &network->training);
  training.batch = batch;
  training.optimizer = optimizer;
  training.mixed_precision = mixed;
  training.dtype = mixed ? ENVELOPE_DTYPE_BF16 : ENVELOPE_DTYPE_FP32;
  training.memory_model = ENVELOPE_MEMORY_MODEL_PYTORCH;
  training.context_memory = 0;    /* the measurements leave the context out */
  g_clear_pointer (&training.device, g_free);
  training.device_memory = device_memory;
  training.reserved_memory = 0;
  analysis = envelope_analysis_new (network, &training, NULL, &error);
  envelope_training_clear (&training);
  g_assert_no_error (error);
  return analysis;
}

static EnvelopeNetwork *
load (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "models", file, NULL);
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_network_load_from_file (path, &error);

  g_assert_no_error (error);
  return network;
}

static void
assert_within (const char *what,
               guint64     predicted,
               guint64     measured,
               double      tolerance)
{
  double error = ((double) predicted - (double) measured) / (double) measured;

  if (error > tolerance || error < -tolerance)
    g_error ("%s: predicted %" G_GUINT64_FORMAT ", measured %" G_GUINT64_FORMAT " (%+.1f%%)",
             what, predicted, measured, 100 * error);
}

/* ------------------------------------------------------------------ */
/* What each kind saves, on small networks measured with
 * saved_tensors_hooks (the same on the CPU and the GPU: no dropout, no
 * attention) */

static const struct { const char *name; const char *json; guint64 saved[2]; } rule_cases[] = {
  /* conv without bias keeps its input; batch norm its input and two
   * statistics per channel; the in-place ReLU its output, which the max
   * pool reads and keeps with int64 indices; global pooling nothing;
   * dense its input; the loss its log-probabilities, targets and weight */
  { "stem",
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1, \"bias\": false},"
    "{\"name\": \"bn1\", \"type\": \"batch_norm\"},"
    "{\"name\": \"relu1\", \"type\": \"relu\"},"
    "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 3, \"stride\": 2, \"padding\": 1},"
    "{\"name\": \"conv2\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"relu2\", \"type\": \"relu\"},"
    "{\"name\": \"gap\", \"type\": \"global_avg_pool\"},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}",
    { 225588, 451044 } },
  /* ReLU6 (not in place), SiLU and hard swish keep their input, sigmoid
   * and tanh their output, GELU its input; average pooling its input */
  { "activations",
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [8, 16, 16]},"
    "{\"name\": \"c1\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a1\", \"type\": \"relu6\"},"
    "{\"name\": \"c2\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a2\", \"type\": \"silu\"},"
    "{\"name\": \"c3\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a3\", \"type\": \"hardswish\"},"
    "{\"name\": \"c4\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a4\", \"type\": \"sigmoid\"},"
    "{\"name\": \"c5\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a5\", \"type\": \"gelu\"},"
    "{\"name\": \"c6\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 1}, {\"name\": \"a6\", \"type\": \"tanh\"},"
    "{\"name\": \"pool\", \"type\": \"avg_pool\", \"kernel\": 2},"
    "{\"name\": \"flat\", \"type\": \"flatten\"},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}",
    { 92212, 184420 } },
  /* a squeeze-and-excitation block: the product keeps both factors, the
   * residual add nothing, the adaptive pool its input */
  { "squeeze-excitation",
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 8, 8]},"
    "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"bn\", \"type\": \"batch_norm\"},"
    "{\"name\": \"relu\", \"type\": \"relu\"},"
    "{\"name\": \"squeeze\", \"type\": \"adaptive_avg_pool\", \"output_size\": 1},"
    "{\"name\": \"fc1\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 1},"
    "{\"name\": \"relu_se\", \"type\": \"relu\"},"
    "{\"name\": \"fc2\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 1},"
    "{\"name\": \"gate\", \"type\": \"sigmoid\"},"
    "{\"name\": \"scale\", \"type\": \"mul\", \"inputs\": [\"relu\", \"gate\"]},"
    "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"scale\", \"data\"]},"
    "{\"name\": \"out\", \"type\": \"relu\"},"
    "{\"name\": \"gap\", \"type\": \"adaptive_avg_pool\", \"output_size\": 1},"
    "{\"name\": \"flat\", \"type\": \"flatten\"},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}",
    { 16772, 33412 } },
  /* tokens: layer norm keeps its input and a mean and 1/σ per token;
   * the loss one target per token */
  { "tokens",
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [10, 16]},"
    "{\"name\": \"ln\", \"type\": \"layer_norm\"},"
    "{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 32},"
    "{\"name\": \"gelu\", \"type\": \"gelu\"},"
    "{\"name\": \"fc2\", \"type\": \"dense\", \"units\": 16},"
    "{\"name\": \"sum\", \"type\": \"add\", \"inputs\": [\"fc2\", \"data\"]},"
    "{\"name\": \"head\", \"type\": \"dense\", \"units\": 5}]}",
    { 4844, 9684 } },
};

static void
test_saved_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    for (guint b = 1; b <= 2; b++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (rule_cases[i].json, -1, &error);
        g_autoptr(EnvelopeAnalysis) analysis = NULL;

        g_assert_no_error (error);
        analysis = analyse (network, b, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
        if (envelope_analysis_get_memory (analysis)->pytorch.saved_exact != rule_cases[i].saved[b - 1])
          g_error ("%s at batch %u: saved %" G_GUINT64_FORMAT ", PyTorch %" G_GUINT64_FORMAT, rule_cases[i].name, b,
                   envelope_analysis_get_memory (analysis)->pytorch.saved_exact, rule_cases[i].saved[b - 1]);
      }
}

/* ------------------------------------------------------------------ */
/* The examples against the GPU */

typedef struct
{
  const char *file;
  guint64 batch;
  guint64 saved;             /* saved_tensors_hooks */
  guint64 step;              /* allocated before the forward + max_memory_allocated over the step */
  double saved_tolerance;    /* 0: to the byte */
} StepCase;

static const StepCase step_cases[] = {
  { "resnet18.json", 1, 22222252, 237753856, 0 },
  { "resnet18.json", 16, 354979972, 563521024, 0 },
  { "resnet18.json", 64, 1419804676, 1637197312, 0 },
  { "resnet18.json", 128, 0, 3073091584, 0 },
  { "vgg16.json", 1, 73334700, 1820644864, 0 },
  { "vgg16.json", 16, 1173355140, 2932412928, 0 },
  { "vgg16.json", 64, 4693420548, 6545870336, 0 },
  { "vgg16.json", 128, 0, 11363291136, 0 },
  { "resnet50.json", 1, 86125996, 455772160, 0 },
  { "resnet50.json", 16, 1374828676, 1724872704, 0 },
  { "resnet50.json", 64, 0, 5857179648, 0 },
  { "mobilenetv2.json", 1, 78346156, 185005568, 0 },
  { "mobilenetv2.json", 16, 1251491716, 1373051392, 0 },
  { "googlenet.json", 1, 48230060, 191911424, 0 },
  { "alexnet.json", 1, 3705260, 838922240, 0 },
  { "r3d_18.json", 1, 168834124, 654146048, 0 },
  { "r3d_18.json", 16, 0, 3289954816, 0 },
  /* torchvision's blocks written with kinds that keep a few bytes more
   * or less (stochastic depth's per-sample noise, layer scale, window
   * attention's relative positions) */
  { "efficientnet_b0.json", 1, 88366128, 211362304, 0.001 },
  { "mobilenet_v3_large.json", 1, 44215564, 172475904, 0.001 },
  { "convnext_tiny.json", 1, 109159888, 491066368, 0.001 },
  { "swin_t.json", 1, 106939284, 487921664, 0.005 },
  /* at batch 1 PyTorch skips the copy of attention's context that the
   * output projection reads (the permuted context is already
   * contiguous); from batch 2 on it makes it */
  { "vit_b_16.json", 16, 2007079364, 2838471680, 0.002 },
  { "vit_b_16.json", 64, 0, 9001661440, 0 },
};

static void
test_step_references (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (step_cases); i++)
    {
      const StepCase *c = &step_cases[i];
      g_autoptr(EnvelopeNetwork) network = load (c->file);
      g_autoptr(EnvelopeAnalysis) analysis = analyse (network, c->batch, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
      const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
      g_autofree char *what = g_strdup_printf ("%s at batch %" G_GUINT64_FORMAT, c->file, c->batch);
      guint64 sum = 0;

      if (c->saved > 0 && c->saved_tolerance == 0 && m->pytorch.saved_exact != c->saved)
        g_error ("%s: saved %" G_GUINT64_FORMAT ", PyTorch %" G_GUINT64_FORMAT, what, m->pytorch.saved_exact, c->saved);
      if (c->saved > 0 && c->saved_tolerance > 0)
        assert_within (what, m->pytorch.saved_exact, c->saved, c->saved_tolerance);
      assert_within (what, m->pytorch.peak.total, c->step, 0.10);

      /* the terms describe the moment of the peak and add up to it */
      for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
        sum += m->pytorch.peak.bytes[k];
      g_assert_cmpuint (sum, ==, m->pytorch.peak.total);
      g_assert_cmpuint (m->pytorch.peak.bytes[ENVELOPE_STEP_CONTEXT], ==, 0);
    }
}

/* The issue's own figures (ResNet-18, VGG-16 at batch 1, 16 and 64):
 * parameters and buffers + momentum + the step, the batch allocated
 * before the step began; the model's terms without cuBLAS's workspace,
 * which that measurement counted before the step too, and without the
 * batch. */
static void
test_published_step (void)
{
  static const struct { const char *file; guint64 params; guint64 batch; guint64 step; } cases[] = {
    { "resnet18.json", 46861312, 1, 74593280 },
    { "resnet18.json", 46861312, 16, 391328768 },
    { "resnet18.json", 46861312, 64, 1432400896 },
    { "vgg16.json", 554741760, 1, 640238592 },
    { "vgg16.json", 554741760, 16, 1745924096 },
    { "vgg16.json", 554741760, 64, 5330480128 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file);
      g_autoptr(EnvelopeAnalysis) analysis = analyse (network, cases[i].batch, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
      const EnvelopeStepPoint *peak = &envelope_analysis_get_memory (analysis)->pytorch.peak;
      g_autofree char *what = g_strdup_printf ("%s at batch %" G_GUINT64_FORMAT, cases[i].file, cases[i].batch);
      guint64 measured = cases[i].params * 2 + cases[i].step;

      assert_within (what, peak->total - peak->bytes[ENVELOPE_STEP_WORKSPACE], measured, 0.10);
    }
}

static void
test_max_batch (void)
{
  static const struct { const char *file; guint64 gib; guint64 measured; } cases[] = {
    /* this repository's run */
    { "resnet18.json", 12, 562 }, { "resnet18.json", 16, 752 },
    { "vgg16.json", 12, 143 }, { "vgg16.json", 16, 189 },
    { "resnet50.json", 12, 142 }, { "resnet50.json", 16, 192 },
    { "mobilenetv2.json", 12, 160 }, { "mobilenetv2.json", 16, 215 },
    { "vit_b_16.json", 12, 89 }, { "vit_b_16.json", 16, 123 },
    { "googlenet.json", 12, 259 }, { "googlenet.json", 16, 348 },
    { "efficientnet_b0.json", 12, 142 }, { "efficientnet_b0.json", 16, 190 },
    { "mobilenet_v3_large.json", 12, 284 }, { "mobilenet_v3_large.json", 16, 378 },
    { "convnext_tiny.json", 12, 111 }, { "convnext_tiny.json", 16, 151 },
    { "swin_t.json", 12, 114 }, { "swin_t.json", 16, 154 },
    { "r3d_18.json", 12, 66 }, { "r3d_18.json", 16, 89 },
    /* the run (its VGG-16 at 12 GiB, 125, is not met: see
     * docs/cost-model.md) */
    { "resnet18.json", 12, 559 }, { "resnet18.json", 16, 748 },
    { "vgg16.json", 16, 192 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file);
      g_autoptr(EnvelopeAnalysis) analysis = analyse (network, 1, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE,
                                                      cases[i].gib * GIB);
      const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
      g_autofree char *what = g_strdup_printf ("%s on %" G_GUINT64_FORMAT " GiB", cases[i].file, cases[i].gib);
      guint64 at_max, above;

      assert_within (what, fit->max_batch, cases[i].measured, 0.10);
      /* the largest batch is the largest whose walked peak, with the
       * fragmentation kept aside, fits; one more does not */
      g_assert_true (envelope_analysis_train_bytes_at (analysis, fit->max_batch, &at_max));
      g_assert_true (envelope_analysis_train_bytes_at (analysis, fit->max_batch + 1, &above));
      g_assert_cmpuint (at_max, <=, cases[i].gib * GIB);
      g_assert_cmpuint (above, >, at_max);
    }
}

/* Adam (two slots, and a parameter-sized temporary in its step) and
 * autocast to bf16 (half-precision activations and weight copies, fp32
 * master weights and gradients). */
static void
test_optimizers_and_precision (void)
{
  static const struct { const char *file; guint64 batch; gboolean adam; gboolean bf16; guint64 measured; } cases[] = {
    { "resnet18.json", 16, TRUE, FALSE, 610331136 },
    { "resnet18.json", 64, TRUE, FALSE, 1684138496 },
    { "resnet50.json", 16, TRUE, FALSE, 1829627904 },
    { "resnet50.json", 64, TRUE, FALSE, 5961476096 },
    { "vgg16.json", 1, TRUE, FALSE, 2844042240 },
    { "vgg16.json", 64, TRUE, FALSE, 7099694592 },
    { "vit_b_16.json", 64, TRUE, FALSE, 9348603904 },
    { "resnet18.json", 16, FALSE, TRUE, 408015360 },
    { "resnet18.json", 64, FALSE, TRUE, 1013436928 },
    { "resnet50.json", 64, FALSE, TRUE, 3218555392 },
    { "vgg16.json", 16, FALSE, TRUE, 2604876800 },
    { "vgg16.json", 64, FALSE, TRUE, 4683318272 },
    { "vit_b_16.json", 16, FALSE, TRUE, 2090179584 },
    { "vit_b_16.json", 64, FALSE, TRUE, 5430144512 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file);
      g_autoptr(EnvelopeAnalysis) analysis = analyse (network, cases[i].batch,
                                                      cases[i].adam ? ENVELOPE_OPTIMIZER_ADAM
                                                                    : ENVELOPE_OPTIMIZER_SGD_MOMENTUM,
                                                      cases[i].bf16, 0);
      g_autofree char *what = g_strdup_printf ("%s at batch %" G_GUINT64_FORMAT "%s", cases[i].file, cases[i].batch,
                                               cases[i].adam ? ", adam" : ", bf16");

      assert_within (what, envelope_analysis_get_memory (analysis)->pytorch.peak.total, cases[i].measured, 0.10);
    }
}

/* ------------------------------------------------------------------ */
/* The walk itself */

typedef struct
{
  guint moments;
  guint64 highest;
  guint forward;
  guint backward;
  gint last_phase;
} Walked;

static void
count_moment (const EnvelopeStepPoint *point,
              gpointer                 user_data)
{
  Walked *walked = user_data;
  guint64 sum = 0;

  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    sum += point->bytes[k];
  g_assert_cmpuint (sum, ==, point->total);
  g_assert_cmpint ((gint) point->phase, >=, walked->last_phase);
  walked->last_phase = (gint) point->phase;
  walked->moments++;
  walked->highest = MAX (walked->highest, point->total);
  walked->forward += point->phase == ENVELOPE_STEP_FORWARD;
  walked->backward += point->phase == ENVELOPE_STEP_BACKWARD;
  if (point->phase == ENVELOPE_STEP_FORWARD)
    g_assert_cmpuint (point->bytes[ENVELOPE_STEP_GRADIENTS], ==, 0);
}

static void
test_timeline (void)
{
  g_autoptr(EnvelopeNetwork) network = load ("resnet18.json");
  g_autoptr(EnvelopeAnalysis) analysis = analyse (network, 64, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  Walked walked = { 0 };

  g_assert_true (envelope_analysis_step_timeline (analysis, 64, count_moment, &walked, NULL));
  /* every layer forward; every layer whose gradient is needed backward
   * (not the input); the loss and the optimizer */
  g_assert_cmpuint (walked.forward, ==, envelope_analysis_get_n_layers (analysis));
  g_assert_cmpuint (walked.backward, ==, envelope_analysis_get_n_layers (analysis) - 1);
  g_assert_cmpuint (walked.moments, ==, walked.forward + walked.backward + 2);
  g_assert_cmpuint (walked.highest, ==, m->pytorch.peak.total);
  /* ResNet-18's peak comes early in the backward pass, when every saved
   * tensor is still held and the last block's gradients appear */
  g_assert_cmpint (m->pytorch.peak.phase, ==, ENVELOPE_STEP_BACKWARD);
  g_assert_cmpstr (envelope_network_get_layer (network, (guint) m->pytorch.peak.layer)->name, ==, "layer4/1/conv2");
  g_assert_cmpuint (m->pytorch.peak.bytes[ENVELOPE_STEP_SAVED_ACTIVATIONS], <=, m->pytorch.saved);
}

/* The context is its own line; the lecture model is one setting away
 * and keeps its figures. */
static void
test_context_and_models (void)
{
  g_autoptr(EnvelopeNetwork) network = load ("resnet18.json");
  g_autoptr(EnvelopeAnalysis) bare = analyse (network, 64, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 12 * GIB);
  g_autoptr(EnvelopeAnalysis) with_context = NULL;
  g_autoptr(EnvelopeAnalysis) lecture = NULL;
  EnvelopeTraining training;
  g_autofree char *fit_text = NULL;

  envelope_training_copy (&training, &network->training);
  training.batch = 64;
  g_clear_pointer (&training.device, g_free);
  training.device_memory = 12 * GIB;
  with_context = envelope_analysis_new (network, &training, NULL, NULL);
  training.memory_model = ENVELOPE_MEMORY_MODEL_LECTURE;
  lecture = envelope_analysis_new (network, &training, NULL, NULL);
  envelope_training_clear (&training);
  g_assert_nonnull (with_context);
  g_assert_nonnull (lecture);

  g_assert_cmpuint (envelope_analysis_get_memory (with_context)->pytorch.peak.total, ==,
                    envelope_analysis_get_memory (bare)->pytorch.peak.total + ENVELOPE_DEFAULT_CONTEXT_MEMORY);
  g_assert_cmpuint (envelope_analysis_get_fit (with_context)->max_batch, <, envelope_analysis_get_fit (bare)->max_batch);
  g_assert_cmpuint (envelope_analysis_get_fit (with_context)->max_batch, >, 500);

  /* the lecture's model: every output and error signal at once */
  g_assert_cmpint (envelope_analysis_get_memory (lecture)->model, ==, ENVELOPE_MEMORY_MODEL_LECTURE);
  g_assert_cmpuint (envelope_analysis_get_fit (lecture)->max_batch, ==, 189);
  fit_text = envelope_analysis_explain_fit (with_context);
  g_assert_nonnull (strstr (fit_text, "PyTorch: the tightest moment is the backward pass of layer4/1/"));
}

/* A decoder's token ids are int64, read by the embedding; nothing
 * before the embedding needs a gradient. */
static void
test_token_ids (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [8]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 100, \"dimension\": 4},"
    "{\"name\": \"head\", \"type\": \"dense\", \"units\": 100}]}");
  g_autoptr(EnvelopeAnalysis) analysis = analyse (m->network, 2, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
  const EnvelopeMemory *mem = envelope_analysis_get_memory (analysis);

  /* the embedding keeps the ids (2 × 8 × 8); the head its input
   * (2 × 8 × 4 × 4); the loss log-probabilities (2 × 8 × 100 × 4), a
   * target per token (2 × 8 × 8) and its weight (4) */
  g_assert_cmpuint (mem->pytorch.saved_exact, ==, 128 + 256 + 6400 + 128 + 4);
}

/* Serving a decoder: the key/value cache is 2 × layers × key/value heads
 * × head dimension × tokens × batch × bytes per value. */
static void
test_generation (void)
{
  static const struct { const char *file; guint64 prompt, generated, batch; EnvelopeDtype cache; guint64 bytes; } cases[] = {
    /* Llama-2-7B in fp16 at 4,096 tokens: 2 × 32 × 32 × 128 × 4,096 × 2 */
    { "llama2_7b.json", 4096, 0, 1, ENVELOPE_DTYPE_FP16, G_GUINT64_CONSTANT (2147483648) },
    { "llama2_7b.json", 3072, 1024, 1, ENVELOPE_DTYPE_BF16, G_GUINT64_CONSTANT (2147483648) },
    { "llama2_7b.json", 4096, 0, 8, ENVELOPE_DTYPE_INT8, G_GUINT64_CONSTANT (8589934592) },
    { "llama2_7b.json", 4096, 0, 1, ENVELOPE_DTYPE_FP8, G_GUINT64_CONSTANT (1073741824) },
    /* GPT-2: 2 × 12 × 12 × 64 × (512 + 512) × 2 */
    { "gpt2.json", 512, 512, 1, ENVELOPE_DTYPE_FP16, 37748736 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file);
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      EnvelopeTraining training;
      const EnvelopeMemory *m;
      guint64 per_sequence;

      envelope_training_copy (&training, &network->training);
      training.batch = cases[i].batch;
      training.prompt_tokens = cases[i].prompt;
      training.new_tokens = cases[i].generated;
      training.kv_cache = cases[i].cache;
      g_clear_pointer (&training.device, g_free);
      training.device_memory = 80 * GIB;
      analysis = envelope_analysis_new (network, &training, NULL, &error);
      envelope_training_clear (&training);
      g_assert_no_error (error);
      m = envelope_analysis_get_memory (analysis);

      g_assert_cmpuint (m->generation.cache, ==, cases[i].bytes);
      g_assert_cmpuint (m->generation.weights, ==, envelope_analysis_get_totals (analysis)->model_bytes);
      g_assert_cmpuint (m->generation.decode_total, ==,
                        m->generation.weights + m->generation.cache + m->generation.decode_activations +
                        ENVELOPE_DEFAULT_CONTEXT_MEMORY);
      /* the largest batch fits the device and one more does not */
      per_sequence = MAX ((m->generation.cache_per_token + m->generation.activations_per_token) * cases[i].prompt,
                          m->generation.cache_per_token * (cases[i].prompt + cases[i].generated) +
                          m->generation.activations_per_token);
      g_assert_cmpuint (m->generation.weights + ENVELOPE_DEFAULT_CONTEXT_MEMORY +
                        m->generation.max_batch * per_sequence, <=, 80 * GIB);
      g_assert_cmpuint (m->generation.weights + ENVELOPE_DEFAULT_CONTEXT_MEMORY +
                        (m->generation.max_batch + 1) * per_sequence, >, 80 * GIB);
      g_assert_cmpuint (m->generation.max_context, >=, cases[i].prompt + cases[i].generated);
    }
}

/* Activation checkpointing: the cheapest blocks that make a step fit. */
static void
test_checkpoint_plan (void)
{
  g_autoptr(EnvelopeNetwork) network = load ("resnet50.json");
  g_autoptr(EnvelopeAnalysis) analysis = analyse (network, 256, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 16 * GIB);
  g_autoptr(EnvelopeCheckpointPlan) plan = envelope_analysis_plan_checkpoints (analysis, 256, 16 * GIB, NULL);
  g_autoptr(EnvelopeAnalysis) small = analyse (network, 64, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 16 * GIB);
  g_autoptr(EnvelopeCheckpointPlan) no_need = envelope_analysis_plan_checkpoints (small, 64, 16 * GIB, NULL);
  g_autofree char *text = NULL;
  guint64 chosen_macs = 0, all_macs = 0;
  guint chosen = 0;

  g_assert_nonnull (plan);
  /* ResNet-50's sixteen bottleneck blocks are the candidates */
  g_assert_cmpuint (plan->blocks->len, ==, 16);
  g_assert_cmpstr (g_array_index (plan->blocks, EnvelopeCheckpointBlock, 0).name, ==, "layer1/0");
  g_assert_false (plan->fits_plain);
  g_assert_cmpuint (plan->peak_plain, >, 16 * GIB);
  g_assert_true (plan->fits);
  g_assert_cmpuint (plan->peak_planned, <=, 16 * GIB);
  g_assert_cmpuint (plan->peak_all, <, plan->peak_planned);
  for (guint b = 0; b < plan->blocks->len; b++)
    {
      const EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);
      all_macs += block->macs;
      if (block->chosen)
        {
          chosen++;
          chosen_macs += block->macs;
          g_assert_cmpuint (block->saves, >, 0);
        }
    }
  g_assert_cmpuint (plan->added_macs, ==, chosen_macs);
  g_assert_cmpuint (chosen, >, 0);
  g_assert_cmpuint (chosen_macs, <, all_macs / 2);
  /* gradient splitting, for comparison: 256 in steps that fit */
  g_assert_cmpuint (plan->split_steps, ==, 2);
  g_assert_cmpuint (plan->split_micro_batch, ==, 128);
  text = envelope_checkpoint_plan_describe (plan, ENVELOPE_UNITS_IEC);
  g_assert_nonnull (strstr (text, "torch.utils.checkpoint"));
  g_assert_nonnull (strstr (text, "layer1/0: alone it lowers the peak by"));
  g_assert_nonnull (strstr (text, "Gradient splitting instead: 2 steps of 128 samples"));

  g_assert_true (no_need->fits_plain);
  g_assert_cmpuint (no_need->added_macs, ==, 0);
}

/* Checkpointed blocks against the GPU: torch.utils.checkpoint
 * (use_reentrant=False) around torchvision's blocks, one step measured as
 * the others. */
static void
test_checkpoint_measured (void)
{
  static const struct { const char *file; guint64 batch; const char *blocks; guint64 measured; } cases[] = {
    { "resnet50.json", 256, "", G_GUINT64_CONSTANT (22492446208) },
    { "resnet50.json", 256, "layer1/0 layer1/1 layer1/2", G_GUINT64_CONSTANT (16734275072) },
    { "resnet50.json", 256, "*", G_GUINT64_CONSTANT (9584757248) },
    { "vit_b_16.json", 128, "", G_GUINT64_CONSTANT (17235080704) },
    { "vit_b_16.json", 128, "*", G_GUINT64_CONSTANT (3414268928) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file);
      g_autoptr(EnvelopeAnalysis) analysis = analyse (network, cases[i].batch, ENVELOPE_OPTIMIZER_SGD_MOMENTUM, FALSE, 0);
      /* a budget of one byte: the plan walks every block, and we choose */
      g_autoptr(EnvelopeCheckpointPlan) plan = envelope_analysis_plan_checkpoints (analysis, cases[i].batch, 1, NULL);
      g_auto(GStrv) names = g_strsplit (cases[i].blocks, " ", -1);
      g_autofree char *what = g_strdup_printf ("%s at batch %" G_GUINT64_FORMAT ", checkpointed: %s", cases[i].file,
                                               cases[i].batch, cases[i].blocks[0] ? cases[i].blocks : "none");
      guint64 predicted;

      g_assert_nonnull (plan);
      if (cases[i].blocks[0] == '\0')
        predicted = plan->peak_plain;
      else if (g_str_equal (cases[i].blocks, "*"))
        predicted = plan->peak_all;
      else
        {
          /* the plan for the measured batch on 16 GiB chose these three */
          g_autoptr(EnvelopeCheckpointPlan) on_16 = envelope_analysis_plan_checkpoints (analysis, cases[i].batch,
                                                                                         16 * GIB, NULL);
          guint k = 0;

          for (guint b = 0; b < on_16->blocks->len; b++)
            {
              const EnvelopeCheckpointBlock *block = &g_array_index (on_16->blocks, EnvelopeCheckpointBlock, b);
              if (block->chosen)
                g_assert_cmpstr (block->name, ==, names[k++]);
            }
          g_assert_cmpuint (k, ==, g_strv_length (names));
          predicted = on_16->peak_planned;
        }
      assert_within (what, predicted, cases[i].measured, 0.10);
    }
}

/* A network of no layers on a device: its step holds the fixed memory
 * alone, at a moment before any layer, which the report and the fit's
 * explanation name without a layer (they read one past the end). */
static void
test_no_layers (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"empty\", \"layers\": [],"
    " \"training\": {\"batch\": 64, \"device\": \"GTX 980\"}}");
  const EnvelopeMemory *memory = envelope_analysis_get_memory (m->analysis);
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_TABLE };
  g_autofree char *text = envelope_report_write (m->analysis, &options);
  g_autofree char *fit = envelope_analysis_explain_fit (m->analysis);

  g_assert_cmpint (memory->pytorch.peak.layer, ==, -1);
  g_assert_cmpuint (memory->pytorch.peak.total, ==, memory->pytorch.peak.bytes[ENVELOPE_STEP_CONTEXT]);
  g_assert_nonnull (strstr (text, "The peak is at the start of the forward pass."));
  g_assert_null (strstr (fit, "(null)"));
  /* no sample costs memory: no batch is refused for it */
  g_assert_cmpstr (fit, ==, "max batch: not bounded by memory: a sample adds nothing to it (no layer has an output)");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/memory/pytorch/saved-rules", test_saved_rules);
  g_test_add_func ("/memory/pytorch/step-references", test_step_references);
  g_test_add_func ("/memory/pytorch/published-step", test_published_step);
  g_test_add_func ("/memory/pytorch/max-batch", test_max_batch);
  g_test_add_func ("/memory/pytorch/optimizers-and-precision", test_optimizers_and_precision);
  g_test_add_func ("/memory/pytorch/timeline", test_timeline);
  g_test_add_func ("/memory/pytorch/context-and-models", test_context_and_models);
  g_test_add_func ("/memory/pytorch/token-ids", test_token_ids);
  g_test_add_func ("/memory/pytorch/generation", test_generation);
  g_test_add_func ("/memory/pytorch/checkpoint-plan", test_checkpoint_plan);
  g_test_add_func ("/memory/pytorch/checkpoint-measured", test_checkpoint_measured);
  g_test_add_func ("/memory/pytorch/no-layers", test_no_layers);

  return g_test_run ();
}
