/* envelope-analysis.h: every figure of a network, in one pass
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-format.h"
#include "envelope-network.h"

G_BEGIN_DECLS

#define ENVELOPE_ANALYSIS_ERROR (envelope_analysis_error_quark ())

/**
 * EnvelopeAnalysisError:
 * @ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE: an output size below 1 (a kernel
 *   larger than its padded input)
 * @ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH: merged inputs of incompatible shapes
 * @ENVELOPE_ANALYSIS_ERROR_RANK: a spatial layer given a vector
 * @ENVELOPE_ANALYSIS_ERROR_GROUPS: channels not divisible by groups
 * @ENVELOPE_ANALYSIS_ERROR_OVERFLOW: a count that does not fit in 64 bits
 * @ENVELOPE_ANALYSIS_ERROR_SHARES: a "shares" that names no layer, or
 *   parameters of another size
 *
 * Settings out of range (a zero kernel, say) are reported in
 * %ENVELOPE_NETWORK_ERROR, as when the file is loaded.
 */
typedef enum
{
  ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
  ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
  ENVELOPE_ANALYSIS_ERROR_RANK,
  ENVELOPE_ANALYSIS_ERROR_GROUPS,
  ENVELOPE_ANALYSIS_ERROR_OVERFLOW,
  ENVELOPE_ANALYSIS_ERROR_SHARES,
} EnvelopeAnalysisError;

GQuark envelope_analysis_error_quark (void);

/* The figures a layer's worked formulas explain. */
typedef enum
{
  ENVELOPE_FIGURE_OUTPUT_SHAPE,
  ENVELOPE_FIGURE_WEIGHTS,
  ENVELOPE_FIGURE_BIASES,
  ENVELOPE_FIGURE_NON_TRAINABLE,
  ENVELOPE_FIGURE_PARAMS,
  ENVELOPE_FIGURE_MACS,
  ENVELOPE_FIGURE_OTHER_OPS,
  ENVELOPE_FIGURE_ACTIVATIONS,
  ENVELOPE_FIGURE_WORKSPACE,
  ENVELOPE_FIGURE_RECEPTIVE_FIELD,
  ENVELOPE_FIGURE_JUMP,
  ENVELOPE_FIGURE_START,
  ENVELOPE_N_FIGURES
} EnvelopeFigure;

const char *envelope_figure_get_key   (EnvelopeFigure figure);
const char *envelope_figure_get_label (EnvelopeFigure figure);

/* Per axis of the network input's positions: the spatial axes of a map
 * ([h, w] of an image, [d, h, w] of a video, [l] of a signal) or the
 * token axis of a sequence.  A vector input has none. */
typedef struct
{
  double size[ENVELOPE_MAX_SPATIAL];   /* in input positions (pixels, samples, tokens) */
  double jump[ENVELOPE_MAX_SPATIAL];
  double start[ENVELOPE_MAX_SPATIAL];
  guint n_axes;              /* 0 to ENVELOPE_MAX_SPATIAL */
  guint8 whole_input;        /* booleans, a byte each: a million layers hold this */
  guint8 causal;             /* whole input, but each token sees only those before it */
  guint8 misaligned;
} EnvelopeReceptiveField;

/* What autograd keeps of a layer for its backward pass, and how its
 * output and gradient are made (the PyTorch memory model).  Each kind
 * says it in the kinds' table, from what PyTorch's derivative formulas
 * read. */
typedef enum
{
  ENVELOPE_SAVES_INPUT = 1 << 0,        /* its first input */
  ENVELOPE_SAVES_INPUTS = 1 << 1,       /* every input (a product needs the other factor) */
  ENVELOPE_SAVES_OUTPUT = 1 << 2,
  ENVELOPE_SAVES_MASK = 1 << 3,         /* one byte per output value (dropout) */
  ENVELOPE_SAVES_INDICES = 1 << 4,      /* an int64 per output value (max pooling) */
  ENVELOPE_SAVES_CHANNEL_STATISTICS = 1 << 5,  /* mean and 1/σ per channel, fp32, per batch */
  ENVELOPE_SAVES_POSITION_STATISTICS = 1 << 6, /* mean and 1/σ per position, fp32 */
  ENVELOPE_SAVES_HELD = 1 << 7,         /* the values it holds inside (attention's Q, K, V) */
  ENVELOPE_SAVES_VIEW = 1 << 8,         /* its output is a view of its input: nothing new */
  ENVELOPE_SAVES_GRADIENT_PASSES = 1 << 9,  /* its backward hands the gradient on as it is */
} EnvelopeSaves;

/* Whether a layer's figures were worked out.  A network with one bad
 * layer is still analysed up to it (envelope_analysis_new_partial()):
 * the bad layer failed, and the layers that read it, directly or not,
 * are not analysed; their figures are zero. */
typedef enum
{
  ENVELOPE_LAYER_ANALYSED,
  ENVELOPE_LAYER_FAILED,
  ENVELOPE_LAYER_NOT_ANALYSED,
} EnvelopeLayerState;

/* A layer's figures: 224 bytes, the enumerations kept in a byte each. */
typedef struct
{
  const guint *inputs;       /* indices of the layers it reads */
  guint index;
  guint n_inputs;
  gint shares;               /* the layer whose parameters it uses, or -1 */
  guint rank;                /* 1 to 4 */
  guint16 saves;             /* EnvelopeSaves */
  guint8 state;              /* EnvelopeLayerState */
  guint8 type;               /* EnvelopeLayerType: the layer's kind, kept here so that a walk over figures need not read the layers */
  guint8 layout;             /* EnvelopeTensorLayout: how the axes are read */
  /* the first 64 bytes hold what a walk of a training step reads of
   * most layers */
  guint64 activations;       /* the output's values */
  guint64 internal;          /* values the layer holds besides its output (attention's scores) */
  guint64 trainable;
  guint64 weights;
  guint64 biases;
  guint64 non_trainable;
  guint64 params;
  guint64 macs;
  guint64 other_ops;
  guint64 workspace;         /* im2col values, one sample */
  guint64 shape[ENVELOPE_MAX_RANK];  /* [N]; [T, D]; [C, L], [C, H, W], [C, D, H, W] */
  EnvelopeReceptiveField receptive_field;
} EnvelopeLayerFigures;

typedef struct
{
  guint64 params;
  guint64 trainable_params;
  guint64 non_trainable_params;
  guint64 model_bytes;
  guint64 macs;
  guint64 flops;
  guint64 training_macs;
  guint64 training_flops;    /* 2 × training MACs, checked like every count */
  guint64 other_ops;
  guint64 activations_all;
  guint64 activations_peak;
  guint64 workspace;         /* the largest im2col buffer, values */
  gint workspace_layer;      /* the conv it belongs to, or -1 */
  guint unknown_cost_layers; /* layers of unknown cost (imported operators of no kind): left out of the sums */
  /* the network input's positions per axis (0: none), to compare a
   * receptive field with (envelope_report_receptive_field()) */
  guint64 input_extent[ENVELOPE_MAX_SPATIAL];
} EnvelopeTotals;

typedef enum
{
  ENVELOPE_MEMORY_PARAMETERS,
  ENVELOPE_MEMORY_GRADIENTS,
  ENVELOPE_MEMORY_OPTIMIZER_STATE,
  ENVELOPE_MEMORY_LAYER_OUTPUTS,
  ENVELOPE_MEMORY_ERROR_SIGNALS,
  ENVELOPE_MEMORY_WORKSPACE,
  ENVELOPE_N_MEMORY_TERMS
} EnvelopeMemoryTerm;

const char *envelope_memory_term_get_key   (EnvelopeMemoryTerm term);
const char *envelope_memory_term_get_label (EnvelopeMemoryTerm term);

/* The PyTorch model's terms at one moment of a training step. */
typedef enum
{
  ENVELOPE_STEP_PARAMETERS,          /* parameters and buffers */
  ENVELOPE_STEP_OPTIMIZER_STATE,
  ENVELOPE_STEP_GRADIENTS,           /* parameter gradients made so far */
  ENVELOPE_STEP_SAVED_ACTIVATIONS,   /* what autograd keeps for the backward pass */
  ENVELOPE_STEP_BACKWARD_TRANSIENT,  /* the batch, outputs not kept, gradients between layers */
  ENVELOPE_STEP_WORKSPACE,           /* cuBLAS and cuDNN */
  ENVELOPE_STEP_CONTEXT,             /* the CUDA context */
  ENVELOPE_N_STEP_TERMS
} EnvelopeStepTerm;

const char *envelope_step_term_get_key   (EnvelopeStepTerm term);
const char *envelope_step_term_get_label (EnvelopeStepTerm term);

typedef enum
{
  ENVELOPE_STEP_FORWARD,
  ENVELOPE_STEP_LOSS,
  ENVELOPE_STEP_BACKWARD,
  ENVELOPE_STEP_OPTIMIZER,
} EnvelopeStepPhase;

const char *envelope_step_phase_get_key (EnvelopeStepPhase phase);

/* One moment of the step: after a layer's forward or backward allocated
 * what it needs and before it frees what it no longer needs. */
typedef struct
{
  EnvelopeStepPhase phase;
  gint layer;                /* -1 for the loss and the optimizer */
  guint64 bytes[ENVELOPE_N_STEP_TERMS];
  guint64 total;
} EnvelopeStepPoint;

typedef void (*EnvelopeStepFunc) (const EnvelopeStepPoint *point,
                                  gpointer                 user_data);

typedef struct
{
  guint64 batch;
  EnvelopeDtype dtype;
  guint bytes_per_value;
  gboolean mixed_precision;
  EnvelopeOptimizer optimizer;
  struct {
    guint64 parameters;
    guint64 activations;
    guint64 workspace;
    guint64 total;
  } test;
  guint64 train[ENVELOPE_N_MEMORY_TERMS];
  guint64 train_total;
  EnvelopeMemoryModel model;   /* which one drives the fit */
  struct {
    EnvelopeStepPoint peak;  /* the training step's peak, term by term */
    guint64 saved;           /* every tensor autograd saved, at the end of the forward (bytes as allocated) */
    guint64 saved_exact;     /* … the same without the allocator's rounding, as saved_tensors_hooks count */
    guint64 inference;       /* eval() under no_grad(): the peak, everything included */
    guint64 inference_activations;  /* … of which live activations */
  } pytorch;
  /* Generating text with a decoder: prefill (the whole prompt at once),
   * then decode (one token at a time) with a key/value cache */
  struct {
    guint64 prompt;          /* tokens; prompt + generated = 0: not asked */
    guint64 generated;
    EnvelopeDtype kv_cache;
    guint cache_layers;      /* the causal attention layers that keep a cache */
    guint64 cache_per_token; /* bytes, one sequence, all layers */
    guint64 cache;           /* bytes, the batch at prompt + generated tokens */
    guint64 weights;
    guint64 activations_per_token;  /* live activations of one token, bytes */
    guint64 prefill_activations;    /* the batch's prompt at once */
    guint64 decode_activations;     /* one token of each sequence */
    guint64 prefill_total;   /* weights + cache of the prompt + prefill activations (+ context, PyTorch) */
    guint64 decode_total;    /* weights + the whole cache + decode activations (+ context) */
    guint64 max_batch;       /* with a budget: at prompt + generated tokens */
    guint64 max_context;     /* with a budget: the longest prompt + generated at the batch */
  } generation;
} EnvelopeMemory;

typedef struct
{
  const char *device;        /* preset name, or NULL */
  guint64 device_memory;     /* 0: no budget */
  guint64 reserved_memory;
  guint64 max_batch;         /* 0: not even one sample fits */
  guint64 target_batch;      /* what the plan is for */
  guint64 steps;             /* 0 when nothing fits or no budget */
  guint64 micro_batch;
  guint64 fixed_bytes;       /* train memory that does not grow with the batch */
  guint64 bytes_per_sample;  /* … and what each sample adds */
} EnvelopeFit;

typedef struct _EnvelopeAnalysis EnvelopeAnalysis;

EnvelopeAnalysis *envelope_analysis_new             (const EnvelopeNetwork  *network,
                                                     const EnvelopeTraining *training,
                                                     EnvelopeErrorLocation  *location,
                                                     GError                **error);
EnvelopeAnalysis *envelope_analysis_new_partial    (const EnvelopeNetwork  *network,
                                                     const EnvelopeTraining *training,
                                                     EnvelopeErrorLocation  *location,
                                                     GError                **error);
void              envelope_analysis_free            (EnvelopeAnalysis       *analysis);
gboolean          envelope_analysis_update_layer    (EnvelopeAnalysis       *analysis,
                                                     guint                   index);
const guint      *envelope_analysis_get_changed_layers (const EnvelopeAnalysis *analysis,
                                                        guint                  *n_layers);

const char                 *envelope_layer_state_describe  (EnvelopeLayerState      state);
gboolean                    envelope_analysis_is_partial   (const EnvelopeAnalysis *analysis);
const GError               *envelope_analysis_get_error    (const EnvelopeAnalysis *analysis,
                                                            EnvelopeErrorLocation  *location);
guint                       envelope_analysis_get_n_analysed (const EnvelopeAnalysis *analysis);

const EnvelopeNetwork      *envelope_analysis_get_network  (const EnvelopeAnalysis *analysis);
guint                       envelope_analysis_get_n_layers (const EnvelopeAnalysis *analysis);
const EnvelopeLayerFigures *envelope_analysis_get_layer    (const EnvelopeAnalysis *analysis,
                                                            guint                   index);
const EnvelopeTotals       *envelope_analysis_get_totals   (const EnvelopeAnalysis *analysis);
const EnvelopeMemory       *envelope_analysis_get_memory   (const EnvelopeAnalysis *analysis);
const EnvelopeFit          *envelope_analysis_get_fit      (const EnvelopeAnalysis *analysis);

void     envelope_analysis_set_units       (EnvelopeAnalysis       *analysis,
                                            EnvelopeUnits           units);
char   **envelope_analysis_explain_layer   (const EnvelopeAnalysis *analysis,
                                            guint                   index);
gboolean          envelope_analysis_get_padding    (const EnvelopeAnalysis *analysis,
                                                    guint                   index,
                                                    gint64                  before[ENVELOPE_MAX_SPATIAL],
                                                    gint64                  after[ENVELOPE_MAX_SPATIAL]);
char   **envelope_analysis_explain_rules   (const EnvelopeAnalysis *analysis,
                                            guint                   index);
void     envelope_formulas_free            (char                  **formulas);
char    *envelope_analysis_explain_memory  (const EnvelopeAnalysis *analysis,
                                            EnvelopeMemoryTerm      term);
char    *envelope_analysis_explain_memory_rule (const EnvelopeAnalysis *analysis,
                                                EnvelopeMemoryTerm      term);
char    *envelope_analysis_explain_test    (const EnvelopeAnalysis *analysis);
char    *envelope_analysis_explain_fit     (const EnvelopeAnalysis *analysis);
char    *envelope_describe_steps           (guint64                 batch,
                                            guint64                 micro_batch);
gboolean envelope_analysis_layer_memory    (const EnvelopeAnalysis *analysis,
                                            guint                   index,
                                            guint64                 bytes[ENVELOPE_N_MEMORY_TERMS]);
char    *envelope_analysis_explain_layer_memory (const EnvelopeAnalysis *analysis,
                                                 guint                   index,
                                                 EnvelopeMemoryTerm      term);
gboolean envelope_analysis_train_bytes_at  (const EnvelopeAnalysis *analysis,
                                            guint64                 batch,
                                            guint64                *bytes);
gboolean envelope_analysis_lecture_bytes_at (const EnvelopeAnalysis *analysis,
                                             guint64                 batch,
                                             guint64                *bytes);
gboolean envelope_analysis_step_timeline   (const EnvelopeAnalysis *analysis,
                                            guint64                 batch,
                                            EnvelopeStepFunc        func,
                                            gpointer                user_data,
                                            GError                **error);
char    *envelope_analysis_explain_step    (const EnvelopeAnalysis *analysis,
                                            EnvelopeStepTerm        term);
char    *envelope_analysis_explain_models  (const EnvelopeAnalysis *analysis,
                                            EnvelopeUnits           units);
char    *envelope_analysis_describe_moment (const EnvelopeAnalysis *analysis,
                                            EnvelopeStepPhase       phase,
                                            gint                    layer);

/* Activation checkpointing: which blocks to recompute in the backward
 * pass (torch.utils.checkpoint at their boundaries) so that a training
 * step fits a memory budget with the least extra compute. */
typedef struct
{
  guint first;               /* its layers, first to last */
  guint last;
  char *name;                /* the block's group ("layer3/2"), or "stage 4" */
  guint64 macs;              /* recomputed per sample */
  guint64 saves;             /* bytes the step's peak drops by when it alone is checkpointed */
  gboolean chosen;
} EnvelopeCheckpointBlock;

typedef struct
{
  guint64 batch;
  guint64 budget;            /* device memory less the reserve */
  guint64 peak_plain;        /* the step's peak without checkpointing */
  guint64 peak_planned;      /* … with the chosen blocks checkpointed */
  guint64 peak_all;          /* … with every block checkpointed */
  guint64 added_macs;        /* per sample */
  guint64 training_macs;     /* per sample: 3 × forward */
  gboolean fits_plain;
  gboolean fits;             /* the plan fits the budget */
  GArray *blocks;            /* EnvelopeCheckpointBlock, every candidate in order */
  guint64 split_max_batch;   /* gradient splitting instead: the largest batch … */
  guint64 split_steps;       /* … the steps it takes … */
  guint64 split_micro_batch; /* … of at most this many samples */
} EnvelopeCheckpointPlan;

EnvelopeCheckpointPlan *envelope_analysis_plan_checkpoints (const EnvelopeAnalysis *analysis,
                                                            guint64                 batch,
                                                            guint64                 budget,
                                                            GError                **error);
void                    envelope_checkpoint_plan_free      (EnvelopeCheckpointPlan *plan);
char                   *envelope_checkpoint_plan_describe  (const EnvelopeCheckpointPlan *plan,
                                                            EnvelopeUnits           units);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeAnalysis, envelope_analysis_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeCheckpointPlan, envelope_checkpoint_plan_free)

G_END_DECLS
