/* test-helpers.h: loading networks for the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-analysis.h"
#include "envelope-analysis-private.h"
#include "envelope-network.h"

typedef struct
{
  EnvelopeNetwork *network;
  EnvelopeAnalysis *analysis;
} Model;

static inline void
model_free (Model *model)
{
  g_clear_pointer (&model->analysis, envelope_analysis_free);
  g_clear_pointer (&model->network, envelope_network_free);
  g_free (model);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Model, model_free)

/* A small chain, conv to dense, for the diagram's tests. */
static const char test_chain_json[] =
  "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"chain\", \"layers\": ["
  "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 64, 64]},"
  "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"relu1\", \"type\": \"relu\"},"
  "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2},"
  "{\"name\": \"conv2\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3, \"padding\": 1},"
  "{\"name\": \"relu2\", \"type\": \"relu\"},"
  "{\"name\": \"flat\", \"type\": \"flatten\"},"
  "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}";

/* A report's formulas, which take a layer's from the one before it
 * when the two are alike and work out only the receptive field's, are
 * those the layer has alone: each layer is asked for twice in a row, the
 * second time always from the cache. */
static inline void
model_check_formula_cache (const EnvelopeAnalysis *analysis)
{
  g_autoptr(EnvelopeFormulaCache) cache = envelope_formula_cache_new (analysis);

  for (guint i = 0; i < envelope_analysis_get_n_layers (analysis); i++)
    {
      char **whole = envelope_analysis_explain_layer (analysis, i);

      for (guint pass = 0; pass < 2; pass++)
        {
          const char *const *cached = envelope_formula_cache_explain (cache, i);

          for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
            g_assert_cmpstr (cached[k], ==, whole[k]);
        }
      envelope_formulas_free (whole);
    }
}

/* An example network from data/models/, analysed with its own training. */
static inline Model *
model_load (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "models", file, NULL);
  g_autoptr(GError) error = NULL;
  Model *model = g_new0 (Model, 1);

  model->network = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  model->analysis = envelope_analysis_new (model->network, NULL, NULL, &error);
  g_assert_no_error (error);
  model_check_formula_cache (model->analysis);
  return model;
}

/* A network given as JSON text, analysed. */
static inline Model *
model_parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  Model *model = g_new0 (Model, 1);

  model->network = envelope_network_load_from_data (json, -1, &error);
  g_assert_no_error (error);
  model->analysis = envelope_analysis_new (model->network, NULL, NULL, &error);
  g_assert_no_error (error);
  model_check_formula_cache (model->analysis);
  return model;
}

static inline const EnvelopeLayerFigures *
model_layer (Model      *model,
             const char *name)
{
  gint index = envelope_network_find_layer (model->network, name);

  if (index < 0)
    g_error ("no layer named %s", name);
  return envelope_analysis_get_layer (model->analysis, (guint) index);
}

/* The worked formula of one figure of a layer; free with g_free. */
static inline char *
model_formula (Model          *model,
               const char     *name,
               EnvelopeFigure  figure)
{
  gint index = envelope_network_find_layer (model->network, name);
  char **formulas;
  char *text;

  g_assert_cmpint (index, >=, 0);
  formulas = envelope_analysis_explain_layer (model->analysis, (guint) index);
  text = g_strdup (formulas[figure]);
  envelope_formulas_free (formulas);
  return text;
}

/* @n_stages stages of @n_blocks identical blocks of 8 layers, named
 * stage/block/layer, each stage as wide as the one four before (10 × 25:
 * 2,001 layers with the input): a network that opens collapsed, its runs
 * of blocks folded. */
static inline EnvelopeNetwork *
test_make_staged (guint n_stages,
                  guint n_blocks)
{
  static const EnvelopeLayerType types[] = {
    ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_BATCH_NORM, ENVELOPE_LAYER_RELU, ENVELOPE_LAYER_CONV,
    ENVELOPE_LAYER_BATCH_NORM, ENVELOPE_LAYER_RELU, ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_BATCH_NORM,
  };
  static const char *names[] = { "conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3" };
  EnvelopeNetwork *network = envelope_network_new ("staged");
  EnvelopeLayer *layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");

  layer->shape_rank = 3;
  layer->shape[0] = 16;
  layer->shape[1] = layer->shape[2] = 32;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
  envelope_network_insert_layer (network, -1, layer);
  for (guint s = 0; s < n_stages; s++)
    for (guint b = 0; b < n_blocks; b++)
      for (guint k = 0; k < G_N_ELEMENTS (types); k++)
        {
          g_autofree char *name = g_strdup_printf ("stage%u/block%u/%s", s + 1, b, names[k]);

          layer = envelope_layer_new (types[k], name);
          if (types[k] == ENVELOPE_LAYER_CONV)
            {
              layer->filters = 16 << (s % 4);   /* stages of their own widths */
              layer->padding[0] = layer->padding[1] = 1;
              layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
            }
          envelope_network_insert_layer (network, -1, layer);
        }
  return network;
}
