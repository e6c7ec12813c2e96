/* envelope-layer-kind.h: the one table of layer kinds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ENVELOPE_LAYER_INPUT,
  ENVELOPE_LAYER_CONV,
  ENVELOPE_LAYER_DECONV,
  ENVELOPE_LAYER_MAX_POOL,
  ENVELOPE_LAYER_AVG_POOL,
  ENVELOPE_LAYER_GLOBAL_AVG_POOL,
  ENVELOPE_LAYER_GLOBAL_MAX_POOL,
  ENVELOPE_LAYER_DENSE,
  ENVELOPE_LAYER_FLATTEN,
  ENVELOPE_LAYER_BATCH_NORM,
  ENVELOPE_LAYER_LRN,
  ENVELOPE_LAYER_DROPOUT,
  ENVELOPE_LAYER_RELU,
  ENVELOPE_LAYER_RELU6,
  ENVELOPE_LAYER_LEAKY_RELU,
  ENVELOPE_LAYER_ELU,
  ENVELOPE_LAYER_SIGMOID,
  ENVELOPE_LAYER_TANH,
  ENVELOPE_LAYER_GELU,
  ENVELOPE_LAYER_SILU,
  ENVELOPE_LAYER_HARDSWISH,
  ENVELOPE_LAYER_SOFTMAX,
  ENVELOPE_LAYER_ADD,
  ENVELOPE_LAYER_CONCAT,
  /* elementwise and arithmetic */
  ENVELOPE_LAYER_MUL,
  ENVELOPE_LAYER_SUB,
  ENVELOPE_LAYER_DIV,
  ENVELOPE_LAYER_MAX,
  ENVELOPE_LAYER_MIN,
  ENVELOPE_LAYER_HARDSIGMOID,
  ENVELOPE_LAYER_SOFTPLUS,
  ENVELOPE_LAYER_MISH,
  ENVELOPE_LAYER_IDENTITY,
  ENVELOPE_LAYER_CLIP,
  ENVELOPE_LAYER_PRELU,
  ENVELOPE_LAYER_SCALE,
  /* normalization */
  ENVELOPE_LAYER_LAYER_NORM,
  ENVELOPE_LAYER_RMS_NORM,
  ENVELOPE_LAYER_GROUP_NORM,
  ENVELOPE_LAYER_INSTANCE_NORM,
  ENVELOPE_LAYER_L2_NORM,
  ENVELOPE_LAYER_STOCHASTIC_DEPTH,
  /* tokens */
  ENVELOPE_LAYER_EMBEDDING,
  ENVELOPE_LAYER_POSITION_EMBEDDING,
  ENVELOPE_LAYER_CLASS_TOKEN,
  ENVELOPE_LAYER_TO_TOKENS,
  ENVELOPE_LAYER_TO_MAP,
  /* attention and recurrent */
  ENVELOPE_LAYER_ATTENTION,
  ENVELOPE_LAYER_WINDOW_ATTENTION,
  ENVELOPE_LAYER_MATMUL,
  ENVELOPE_LAYER_LSTM,
  ENVELOPE_LAYER_GRU,
  /* structure */
  ENVELOPE_LAYER_RESHAPE,
  ENVELOPE_LAYER_PERMUTE,
  ENVELOPE_LAYER_SLICE,
  ENVELOPE_LAYER_PAD,
  ENVELOPE_LAYER_CROP,
  ENVELOPE_LAYER_CHANNEL_SHUFFLE,
  ENVELOPE_LAYER_SPACE_TO_DEPTH,
  ENVELOPE_LAYER_DEPTH_TO_SPACE,
  ENVELOPE_LAYER_UPSAMPLE,
  ENVELOPE_LAYER_ADAPTIVE_AVG_POOL,
  ENVELOPE_LAYER_ADAPTIVE_MAX_POOL,
  ENVELOPE_LAYER_REDUCE,
  /* detection */
  ENVELOPE_LAYER_ROI_ALIGN,
  /* an imported operator Envelope has no kind for */
  ENVELOPE_LAYER_UNKNOWN,
  ENVELOPE_N_LAYER_TYPES
} EnvelopeLayerType;

typedef enum
{
  ENVELOPE_CATEGORY_INPUT,
  ENVELOPE_CATEGORY_CONVOLUTION,
  ENVELOPE_CATEGORY_POOLING,
  ENVELOPE_CATEGORY_DENSE,
  ENVELOPE_CATEGORY_NORMALIZATION,
  ENVELOPE_CATEGORY_ACTIVATION,
  ENVELOPE_CATEGORY_REGULARIZATION,
  ENVELOPE_CATEGORY_RESHAPE,
  ENVELOPE_CATEGORY_MERGE,
  ENVELOPE_CATEGORY_ARITHMETIC,
  ENVELOPE_CATEGORY_STRUCTURE,
  ENVELOPE_CATEGORY_ATTENTION,
  ENVELOPE_CATEGORY_RECURRENT,
  ENVELOPE_CATEGORY_OTHER,
  ENVELOPE_N_CATEGORIES
} EnvelopeLayerCategory;

/* The settings a layer kind may carry, in the order a file lists them. */
typedef enum
{
  ENVELOPE_FIELD_SHAPE,
  ENVELOPE_FIELD_LAYOUT,
  ENVELOPE_FIELD_FILTERS,
  ENVELOPE_FIELD_UNITS,
  ENVELOPE_FIELD_KERNEL,
  ENVELOPE_FIELD_STRIDE,
  ENVELOPE_FIELD_PADDING,
  ENVELOPE_FIELD_DILATION,
  ENVELOPE_FIELD_GROUPS,
  ENVELOPE_FIELD_OUTPUT_PADDING,
  ENVELOPE_FIELD_BIAS,
  ENVELOPE_FIELD_ROUNDING,
  ENVELOPE_FIELD_SIZE,
  ENVELOPE_FIELD_RATE,
  ENVELOPE_FIELD_AXIS,
  ENVELOPE_FIELD_FACTOR,
  ENVELOPE_FIELD_LEARNED,
  ENVELOPE_FIELD_SHARED,
  ENVELOPE_FIELD_MIN,
  ENVELOPE_FIELD_MAX,
  ENVELOPE_FIELD_SHARES,
  /* normalization */
  ENVELOPE_FIELD_AFFINE,
  /* tokens */
  ENVELOPE_FIELD_VOCABULARY,
  ENVELOPE_FIELD_DIMENSION,
  ENVELOPE_FIELD_ENCODING,
  ENVELOPE_FIELD_POSITIONS,
  ENVELOPE_FIELD_TOKENS,
  /* to_map, and structure's crop, upsample and adaptive pools */
  ENVELOPE_FIELD_OUTPUT_SIZE,
  /* attention and recurrent */
  ENVELOPE_FIELD_HEADS,
  ENVELOPE_FIELD_KV_HEADS,
  ENVELOPE_FIELD_HEAD_DIM,
  ENVELOPE_FIELD_CAUSAL,
  ENVELOPE_FIELD_FUSED,
  ENVELOPE_FIELD_WINDOW,
  ENVELOPE_FIELD_SHIFT,
  ENVELOPE_FIELD_HIDDEN,
  ENVELOPE_FIELD_LAYERS,
  ENVELOPE_FIELD_BIDIRECTIONAL,
  ENVELOPE_FIELD_BIAS_CONVENTION,
  ENVELOPE_FIELD_SEQUENCES,
  /* structure */
  ENVELOPE_FIELD_START,
  ENVELOPE_FIELD_END,
  ENVELOPE_FIELD_STEP,
  ENVELOPE_FIELD_BLOCK,
  ENVELOPE_FIELD_MODE,
  ENVELOPE_FIELD_SCALE,
  ENVELOPE_FIELD_OPERATION,
  ENVELOPE_FIELD_AXES,
  ENVELOPE_FIELD_KEEP_DIMS,
  ENVELOPE_FIELD_ORDER,
  /* detection */
  ENVELOPE_FIELD_REGIONS,
  /* unknown */
  ENVELOPE_FIELD_OPERATOR,
  ENVELOPE_N_FIELDS
} EnvelopeField;

#define ENVELOPE_FIELD_BIT(f) (G_GUINT64_CONSTANT (1) << (f))

/* A per-sample tensor has at most four axes ([C, D, H, W]); a map has
 * one to three spatial axes. */
#define ENVELOPE_MAX_RANK 4
#define ENVELOPE_MAX_SPATIAL 3

/* How a per-sample tensor's axes are read: a vector [N]; a sequence of
 * tokens [T, D]; a map [C, spatial…] with 1, 2 or 3 spatial axes. */
typedef enum
{
  ENVELOPE_TENSOR_VECTOR,
  ENVELOPE_TENSOR_TOKENS,
  ENVELOPE_TENSOR_MAP,
} EnvelopeTensorLayout;

typedef enum
{
  ENVELOPE_VALUE_SHAPE,      /* [N], [T, D], [C, L], [C, H, W] or [C, D, H, W] */
  ENVELOPE_VALUE_COUNT,      /* an integer ≥ the field's minimum */
  ENVELOPE_VALUE_PAIR,       /* a positive integer, or one per spatial axis */
  ENVELOPE_VALUE_PADDING,    /* integer ≥ 0, one per spatial axis, "same" or "valid" */
  ENVELOPE_VALUE_OFFSET,     /* integer ≥ 0, or one per spatial axis */
  ENVELOPE_VALUE_BOOLEAN,
  ENVELOPE_VALUE_CHOICE,     /* one of the field's strings */
  ENVELOPE_VALUE_FRACTION,   /* a number in [0, 1) */
  ENVELOPE_VALUE_INTEGER,    /* any integer (an axis may count from the end) */
  ENVELOPE_VALUE_REAL,       /* any finite number */
  ENVELOPE_VALUE_NAME,       /* another layer's name */
  ENVELOPE_VALUE_AXES,       /* a list of 1 to 4 axes, each may count from the end */
  ENVELOPE_VALUE_REALS,      /* a finite number, or one per spatial axis */
} EnvelopeValueKind;

/* Where a field's value lives in EnvelopeLayer, and what it accepts.
 * Lists (PAIR, OFFSET, PADDING, SHAPE, AXES) hold up to ENVELOPE_MAX_RANK
 * gint64 (AXES: as many as lengths[field] says); REALS up to
 * ENVELOPE_MAX_SPATIAL double; COUNT and INTEGER one gint64; BOOLEAN a gboolean; CHOICE a
 * gint indexing @choices; FRACTION and REAL a double; NAME a char*. */
typedef struct
{
  EnvelopeField field;
  const char *key;           /* the JSON key */
  const char *label;         /* translatable, for the inspector */
  EnvelopeValueKind value_kind;
  gsize offset;              /* of the value in EnvelopeLayer */
  gint64 minimum;            /* COUNT */
  double default_value;      /* COUNT, INTEGER, BOOLEAN, CHOICE, FRACTION, REAL; lists fill every axis */
  const char *const *choices; /* CHOICE: NULL-terminated */
} EnvelopeFieldInfo;

typedef struct
{
  EnvelopeLayerType type;
  const char *id;            /* the file's "type" */
  const char *label;         /* translatable */
  EnvelopeLayerCategory category;
  guint64 fields;            /* ENVELOPE_FIELD_BIT of what it accepts */
  guint64 required;          /* … and of what it must have */
  guint min_inputs;
  guint max_inputs;          /* G_MAXUINT: any number */
  gboolean in_place;         /* may overwrite its input (activations, dropout) */
} EnvelopeLayerKind;

const EnvelopeLayerKind *envelope_layer_kind_get         (EnvelopeLayerType     type);
const EnvelopeLayerKind *envelope_layer_kind_lookup      (const char           *id);
char                    *envelope_layer_kind_list_valid  (void);
const char              *envelope_layer_kind_suggest     (const char           *id);
guint                    envelope_suggest_closest        (const char           *word,
                                                          const char *const    *candidates,
                                                          guint                 n_candidates,
                                                          const char          **out,
                                                          guint                 max_out);
const char              *envelope_layer_category_label   (EnvelopeLayerCategory category);
const char              *envelope_layer_category_id      (EnvelopeLayerCategory category);

const EnvelopeFieldInfo *envelope_field_get_info         (EnvelopeField         field);
gboolean                 envelope_field_lookup           (const char           *key,
                                                          EnvelopeField        *field);
char                    *envelope_layer_kind_list_keys   (const EnvelopeLayerKind *kind);
gint                     envelope_field_choice_lookup    (const EnvelopeFieldInfo *info,
                                                          const char           *text);
char                    *envelope_field_list_choices     (const EnvelopeFieldInfo *info);

G_END_DECLS
