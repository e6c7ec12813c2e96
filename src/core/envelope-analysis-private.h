/* envelope-analysis-private.h: what the layer kinds see of an analysis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-analysis.h"

G_BEGIN_DECLS

/* One layer's inference: its settings and its inputs' figures in, its own
 * figures out.  With @formulas set, each figure's worked formula is written
 * there too: the same code computes a number and the sentence behind it,
 * so they cannot disagree. */
typedef struct
{
  const EnvelopeLayer *layer;
  guint index;
  const EnvelopeLayerFigures *const *inputs;
  guint n_inputs;
  guint64 input_extent[ENVELOPE_MAX_SPATIAL];  /* the network input's positions per axis, for "whole input" */
  EnvelopeLayerFigures *out;
  char **formulas;           /* [ENVELOPE_N_FIGURES], or NULL */
  gboolean receptive_field_only;  /* with formulas: those of the receptive field alone */
  char **rules;              /* [ENVELOPE_N_FIGURES], or NULL: each formula's rule in symbols */
  gint64 *pad_before;        /* [ENVELOPE_MAX_SPATIAL], or NULL: the padding as resolved, per spatial axis */
  gint64 *pad_after;
  EnvelopeErrorLocation *location;
  /* out, besides the figures: what few layers have (attention) */
  guint64 saved_values;      /* with ENVELOPE_SAVES_HELD: the values autograd keeps inside it */
  guint64 cache_values;      /* causal attention: keys and values kept per token while generating */
} EnvelopeInference;

/* A layer's saved_values and cache_values (EnvelopeInference), kept
 * beside the figures by an analysis whose layers have any. */
typedef struct
{
  guint64 saved;
  guint64 cache;
} EnvelopeHeldValues;

gboolean envelope_layer_kind_infer (EnvelopeInference *inference,
                                    GError           **error);
void     envelope_inference_set_padding (EnvelopeInference *inference,
                                         guint              axis,
                                         gint64             before,
                                         gint64             after);

/* The figures whose formulas follow the receptive field, which grows
 * from layer to layer: its size, its jump and its start. */
static inline gboolean
envelope_figure_is_receptive_field (EnvelopeFigure figure)
{
  return figure == ENVELOPE_FIGURE_RECEPTIVE_FIELD || figure == ENVELOPE_FIGURE_JUMP ||
         figure == ENVELOPE_FIGURE_START;
}

/* The worked formulas of layer after layer, for a report: a layer whose
 * settings and inputs' figures match a layer's explained a moment
 * before takes that one's formulas and works out only its receptive
 * field's (envelope-analysis.c).  For one thread at a time; it must not
 * outlive the analysis. */
typedef struct _EnvelopeFormulaCache EnvelopeFormulaCache;

EnvelopeFormulaCache *envelope_formula_cache_new     (const EnvelopeAnalysis *analysis);
void                  envelope_formula_cache_free    (EnvelopeFormulaCache   *cache);
const char *const    *envelope_formula_cache_explain (EnvelopeFormulaCache   *cache,
                                                      guint                   index);
guint64               envelope_formula_cache_get_match (EnvelopeFormulaCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeFormulaCache, envelope_formula_cache_free)

gpointer envelope_alloc_large (gsize size);

/* Memory made ready on another thread while this one works through it
 * from the start (envelope-analysis.c). */
typedef struct _EnvelopePrefault EnvelopePrefault;

EnvelopePrefault *envelope_prefault_begin (gpointer memory,
                                           gsize    size);
void              envelope_prefault_end   (EnvelopePrefault *prefault);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopePrefault, envelope_prefault_end)

/* A training step (or an inference) as eager PyTorch runs it, walked
 * tensor by tensor (envelope-step.c). */
/* Near the budget the caching allocator holds more than is allocated:
 * freed blocks of one size cannot always serve a request of another.
 * Measured at the largest batch under a memory limit (H200, PyTorch
 * 2.11): 0 to 7% of the batch's bytes for ResNet, VGG, R3D and ViT,
 * 14% for AlexNet.  The fit keeps 1/20 of them aside. */
#define ENVELOPE_STEP_FRAGMENTATION 20

typedef struct _EnvelopeStepNodes EnvelopeStepNodes;

typedef struct
{
  const EnvelopeNetwork *network;
  const EnvelopeLayerFigures *layers;
  guint n_layers;
  const EnvelopeTraining *training;
  /* activation checkpointing: per layer, the checkpointed segment it
   * belongs to (its layers contiguous), or G_MAXUINT; NULL for none */
  const guint *segment;
  guint n_segments;
  const EnvelopeStepNodes *nodes;  /* gathered by envelope_step_nodes_new(), or NULL */
  const EnvelopeHeldValues *held;  /* per layer, or NULL: none holds any */
} EnvelopeStepInput;

EnvelopeStepNodes *envelope_step_nodes_new  (const EnvelopeStepInput *input);
void               envelope_step_nodes_update (EnvelopeStepNodes       *nodes,
                                               const EnvelopeStepInput *input,
                                               const guint             *layers,
                                               guint                    n_layers);
void               envelope_step_nodes_free (EnvelopeStepNodes       *nodes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeStepNodes, envelope_step_nodes_free)

typedef struct
{
  EnvelopeStepPoint peak;
  guint64 saved;
  guint64 saved_exact;
  guint64 max_batch;         /* with a budget: the largest batch whose peak fits it */
  /* the moment that decides the largest batch (or, without a budget, the
   * peak's moment), as fixed + batch × per sample bytes */
  guint64 line_fixed;
  guint64 line_per_sample;
  EnvelopeStepPhase line_phase;
  gint line_layer;
} EnvelopeStepResult;

/* The analysis's layers and training, as a walk reads them. */
void     envelope_analysis_get_step_input (const EnvelopeAnalysis *analysis,
                                           EnvelopeStepInput      *input);

gboolean envelope_step_simulate (const EnvelopeStepInput *input,
                                 guint64                  batch,
                                 gboolean                 inference,
                                 guint64                  budget,
                                 EnvelopeStepResult      *result,
                                 EnvelopeStepFunc         func,
                                 gpointer                 user_data,
                                 GError                 **error);

G_END_DECLS
