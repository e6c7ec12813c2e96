/* test-analysis-update.c: a new setting of one layer, worked out in
 * place, gives every figure a new analysis gives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-analysis-update"

#include "config.h"

#include <string.h>

#include "test-helpers.h"

/* Every layer's figures but their input lists (pointers into each
 * analysis), the totals, memory and fit: equal. */
static void
assert_same_analysis (const EnvelopeAnalysis *updated,
                      const EnvelopeAnalysis *fresh)
{
  g_assert_cmpuint (envelope_analysis_get_n_layers (updated), ==, envelope_analysis_get_n_layers (fresh));
  for (guint i = 0; i < envelope_analysis_get_n_layers (fresh); i++)
    {
      EnvelopeLayerFigures a = *envelope_analysis_get_layer (updated, i);
      EnvelopeLayerFigures b = *envelope_analysis_get_layer (fresh, i);

      g_assert_cmpuint (a.n_inputs, ==, b.n_inputs);
      g_assert_true (a.n_inputs == 0 || memcmp (a.inputs, b.inputs, a.n_inputs * sizeof (guint)) == 0);
      a.inputs = b.inputs = NULL;
      g_assert_cmpuint (a.params, ==, b.params);
      g_assert_cmpuint (a.macs, ==, b.macs);
      g_assert_cmpuint (a.activations, ==, b.activations);
      g_assert_cmpmem (a.shape, sizeof a.shape, b.shape, sizeof b.shape);
      g_assert_cmpmem (&a.receptive_field, sizeof a.receptive_field, &b.receptive_field, sizeof b.receptive_field);
      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
    }
  g_assert_cmpmem (envelope_analysis_get_totals (updated), sizeof (EnvelopeTotals),
                   envelope_analysis_get_totals (fresh), sizeof (EnvelopeTotals));
  g_assert_cmpuint (envelope_analysis_get_memory (updated)->train_total, ==,
                    envelope_analysis_get_memory (fresh)->train_total);
  g_assert_cmpuint (envelope_analysis_get_memory (updated)->test.total, ==,
                    envelope_analysis_get_memory (fresh)->test.total);
  g_assert_cmpuint (envelope_analysis_get_memory (updated)->pytorch.peak.total, ==,
                    envelope_analysis_get_memory (fresh)->pytorch.peak.total);
  g_assert_cmpuint (envelope_analysis_get_memory (updated)->pytorch.inference, ==,
                    envelope_analysis_get_memory (fresh)->pytorch.inference);
  g_assert_cmpuint (envelope_analysis_get_fit (updated)->max_batch, ==, envelope_analysis_get_fit (fresh)->max_batch);
  g_assert_cmpuint (envelope_analysis_get_fit (updated)->fixed_bytes, ==,
                    envelope_analysis_get_fit (fresh)->fixed_bytes);
  g_assert_cmpuint (envelope_analysis_get_fit (updated)->bytes_per_sample, ==,
                    envelope_analysis_get_fit (fresh)->bytes_per_sample);
}

/* Gives @name's layer a new setting in @m's network and returns the
 * layer's index. */
static guint
set_filters (Model      *m,
             const char *name,
             guint64     filters)
{
  gint index = envelope_network_find_layer (m->network, name);
  EnvelopeLayer *layer;

  g_assert_cmpint (index, >=, 0);
  layer = envelope_network_get_layer (m->network, (guint) index);
  layer->filters = filters;
  return (guint) index;
}

static gboolean
contains (const guint *layers,
          guint        n,
          guint        layer)
{
  for (guint i = 0; i < n; i++)
    if (layers[i] == layer)
      return TRUE;
  return FALSE;
}

/* ResNet-50: a bottleneck's middle convolution wider, then back; each
 * time the figures of that conv, the batch norm and ReLU after it and
 * the conv that reads them change, and nothing else but the totals. */
static void
test_resnet50 (void)
{
  g_autoptr(Model) m = model_load ("resnet50.json");
  const guint64 widths[] = { 96, 64, 1 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      guint index = set_filters (m, "layer2/1/conv2", widths[w]);
      g_autoptr(EnvelopeAnalysis) fresh = NULL;
      g_autoptr(GError) error = NULL;
      const guint *changed;
      guint n_changed;

      g_assert_true (envelope_analysis_update_layer (m->analysis, index));
      fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_analysis (m->analysis, fresh);

      changed = envelope_analysis_get_changed_layers (m->analysis, &n_changed);
      g_assert_nonnull (changed);
      g_assert_cmpuint (n_changed, ==, 4);
      g_assert_true (contains (changed, n_changed, index));
      g_assert_true (contains (changed, n_changed, (guint) envelope_network_find_layer (m->network, "layer2/1/bn2")));
      g_assert_true (contains (changed, n_changed, (guint) envelope_network_find_layer (m->network, "layer2/1/conv3")));
      g_assert_false (contains (changed, n_changed, (guint) envelope_network_find_layer (m->network, "layer2/1/bn3")));
    }
}

/* ViT-B/16 trained under mixed precision with Adam on an 80 GB device:
 * autocast's weight copies, the optimizer's state and the largest batch
 * of the PyTorch model follow a wider feed-forward layer as a new
 * analysis has them. */
static void
test_vit_mixed_precision (void)
{
  g_autoptr(Model) m = model_load ("vit_b_16.json");
  EnvelopeTraining *training = &m->network->training;
  const guint64 widths[] = { 4096, 1024, 3072 };
  g_autoptr(GError) error = NULL;
  gint index = -1;

  training->mixed_precision = TRUE;
  training->optimizer = ENVELOPE_OPTIMIZER_ADAM;
  g_free (training->device);
  training->device = g_strdup ("H100 80GB");
  training->memory_model = ENVELOPE_MEMORY_MODEL_PYTORCH;
  g_clear_pointer (&m->analysis, envelope_analysis_free);
  m->analysis = envelope_analysis_new (m->network, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (envelope_analysis_get_fit (m->analysis)->max_batch, >, 0);

  for (guint i = 0; i < envelope_network_get_n_layers (m->network) && index < 0; i++)
    if (envelope_network_get_layer (m->network, i)->type == ENVELOPE_LAYER_DENSE && i > 20)
      index = (gint) i;
  g_assert_cmpint (index, >=, 0);
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autoptr(EnvelopeAnalysis) fresh = NULL;
      guint64 batch = envelope_analysis_get_fit (m->analysis)->max_batch;

      envelope_network_get_layer (m->network, (guint) index)->units = widths[w];
      g_assert_true (envelope_analysis_update_layer (m->analysis, (guint) index));
      fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_analysis (m->analysis, fresh);
      g_assert_cmpuint (envelope_analysis_get_memory (m->analysis)->pytorch.saved, ==,
                        envelope_analysis_get_memory (fresh)->pytorch.saved);
      if (w == 0)
        g_assert_cmpuint (envelope_analysis_get_fit (m->analysis)->max_batch, <, batch);
    }
}

/* A new stride halves everything after it, to the global pooling. */
static void
test_vgg16_stride (void)
{
  g_autoptr(Model) m = model_load ("vgg16.json");
  gint index = envelope_network_find_layer (m->network, "conv2_1");
  g_autoptr(EnvelopeAnalysis) fresh = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeLayer *layer;
  guint n_changed;

  g_assert_cmpint (index, >=, 0);
  layer = envelope_network_get_layer (m->network, (guint) index);
  layer->stride[0] = layer->stride[1] = 2;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE);
  g_assert_true (envelope_analysis_update_layer (m->analysis, (guint) index));
  fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_analysis (m->analysis, fresh);
  envelope_analysis_get_changed_layers (m->analysis, &n_changed);
  g_assert_cmpuint (n_changed, >, 10);
}

/* The largest workspace: the first conv's filters set its reader's
 * input channels, so conv1_2 holds the largest im2col buffer, then less
 * than another conv (found by going over every layer again), then the
 * largest again. */
static void
test_vgg16_workspace (void)
{
  g_autoptr(Model) m = model_load ("vgg16.json");
  gint holder = envelope_network_find_layer (m->network, "conv1_2");
  const guint64 filters[] = { 8, 64, 1, 128 };

  g_assert_cmpint (envelope_analysis_get_totals (m->analysis)->workspace_layer, ==, holder);
  for (guint k = 0; k < G_N_ELEMENTS (filters); k++)
    {
      guint index = set_filters (m, "conv1_1", filters[k]);
      g_autoptr(EnvelopeAnalysis) fresh = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (envelope_analysis_update_layer (m->analysis, index));
      fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_analysis (m->analysis, fresh);
      if (filters[k] < 64)
        g_assert_cmpint (envelope_analysis_get_totals (m->analysis)->workspace_layer, !=, holder);
      else
        g_assert_cmpint (envelope_analysis_get_totals (m->analysis)->workspace_layer, ==, holder);
    }
}

/* DenseNet-121: every layer of a dense block reads what each before it
 * made, so a wider output lives through the rest of its block; several
 * settings in a row, each the same as a new analysis. */
static void
test_densenet_live (void)
{
  g_autoptr(Model) m = model_load ("densenet121.json");
  const EnvelopeTotals *totals = envelope_analysis_get_totals (m->analysis);
  guint64 peak = totals->activations_peak;
  const struct { const char *layer; guint64 filters; } steps[] = {
    { "conv0", 256 }, { "conv0", 16 }, { "conv0", 64 },
  };
  guint convs[8], n_convs = 0;

  for (guint i = 0; i < envelope_network_get_n_layers (m->network) && n_convs < G_N_ELEMENTS (convs); i++)
    if (envelope_network_get_layer (m->network, i)->type == ENVELOPE_LAYER_CONV && i > 40)
      convs[n_convs++] = i;
  g_assert_cmpuint (n_convs, ==, G_N_ELEMENTS (convs));

  for (guint k = 0; k < G_N_ELEMENTS (steps) + n_convs; k++)
    {
      g_autoptr(EnvelopeAnalysis) fresh = NULL;
      g_autoptr(GError) error = NULL;
      guint index;

      if (k < G_N_ELEMENTS (steps))
        index = set_filters (m, steps[k].layer, steps[k].filters);
      else
        {
          /* a convolution in the middle of a block, three times wider */
          index = convs[k - G_N_ELEMENTS (steps)];
          envelope_network_get_layer (m->network, index)->filters *= 3;
        }
      g_assert_true (envelope_analysis_update_layer (m->analysis, index));
      fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_analysis (m->analysis, fresh);
      if (k == 0)
        g_assert_cmpuint (totals->activations_peak, >, peak);
      if (k == 2)
        g_assert_cmpuint (totals->activations_peak, ==, peak);
    }
}

/* ViT-B/16: an attention that is not fused holds its scores while it
 * runs, one matrix a head: each new count of heads, as a new analysis. */
static void
test_vit_heads (void)
{
  g_autoptr(Model) m = model_load ("vit_b_16.json");
  gint index = envelope_network_find_layer (m->network, "encoder/5/attention");
  const guint64 heads[] = { 12, 24, 6 };

  g_assert_cmpint (index, >=, 0);
  for (guint k = 0; k < G_N_ELEMENTS (heads); k++)
    {
      guint64 internal = envelope_analysis_get_layer (m->analysis, (guint) index)->internal;
      g_autoptr(EnvelopeAnalysis) fresh = NULL;
      g_autoptr(GError) error = NULL;

      envelope_network_get_layer (m->network, (guint) index)->fused = FALSE;
      envelope_network_get_layer (m->network, (guint) index)->heads = heads[k];
      g_assert_true (envelope_analysis_update_layer (m->analysis, (guint) index));
      g_assert_cmpuint (envelope_analysis_get_layer (m->analysis, (guint) index)->internal, !=, internal);
      fresh = envelope_analysis_new (m->network, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_analysis (m->analysis, fresh);
    }
}

/* What cannot be worked out in place is said so: the analysis is then
 * made anew, and reports the error. */
static void
test_refused (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  gint input = envelope_network_find_layer (m->network, "data");
  EnvelopeLayer *layer;
  guint index;

  g_assert_cmpint (input, >=, 0);
  g_assert_false (envelope_analysis_update_layer (m->analysis, (guint) input));

  /* a convolution of no filters is wrong */
  index = set_filters (m, "conv2", 0);
  g_assert_false (envelope_analysis_update_layer (m->analysis, index));
  g_clear_pointer (&m->analysis, envelope_analysis_free);
  layer = envelope_network_get_layer (m->network, index);
  layer->filters = 32;
  m->analysis = envelope_analysis_new (m->network, NULL, NULL, NULL);
  g_assert_nonnull (m->analysis);

  /* a kernel larger than its input makes it wrong */
  layer->kernel[0] = layer->kernel[1] = 99;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL);
  g_assert_false (envelope_analysis_update_layer (m->analysis, index));
}

/* An analysis made anew says every layer is new. */
static void
test_new_has_no_changes (void)
{
  g_autoptr(Model) m = model_load ("mnist.json");
  guint n_changed = 99;

  g_assert_null (envelope_analysis_get_changed_layers (m->analysis, &n_changed));
  g_assert_cmpuint (n_changed, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/analysis-update/resnet50", test_resnet50);
  g_test_add_func ("/core/analysis-update/vgg16-stride", test_vgg16_stride);
  g_test_add_func ("/core/analysis-update/vit-mixed-precision", test_vit_mixed_precision);
  g_test_add_func ("/core/analysis-update/vgg16-workspace", test_vgg16_workspace);
  g_test_add_func ("/core/analysis-update/densenet-live", test_densenet_live);
  g_test_add_func ("/core/analysis-update/vit-heads", test_vit_heads);
  g_test_add_func ("/core/analysis-update/refused", test_refused);
  g_test_add_func ("/core/analysis-update/new", test_new_has_no_changes);
  return g_test_run ();
}
