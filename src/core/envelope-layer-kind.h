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
  ENVELOPE_N_CATEGORIES
} EnvelopeLayerCategory;

/* The settings a layer kind may carry, in the order a file lists them. */
typedef enum
{
  ENVELOPE_FIELD_SHAPE,
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
  ENVELOPE_N_FIELDS
} EnvelopeField;

#define ENVELOPE_FIELD_BIT(f) (1u << (f))

typedef enum
{
  ENVELOPE_VALUE_SHAPE,      /* [C, H, W] or [N] */
  ENVELOPE_VALUE_COUNT,      /* a positive integer */
  ENVELOPE_VALUE_PAIR,       /* a positive integer or [h, w] */
  ENVELOPE_VALUE_PADDING,    /* integer ≥ 0, [h, w], "same" or "valid" */
  ENVELOPE_VALUE_OFFSET,     /* integer ≥ 0 or [h, w] */
  ENVELOPE_VALUE_BOOLEAN,
  ENVELOPE_VALUE_ROUNDING,   /* "floor" or "ceil" */
  ENVELOPE_VALUE_FRACTION,   /* a number in [0, 1) */
} EnvelopeValueKind;

typedef struct
{
  EnvelopeField field;
  const char *key;           /* the JSON key */
  const char *label;         /* translatable, for the inspector */
  EnvelopeValueKind value_kind;
} EnvelopeFieldInfo;

typedef struct
{
  EnvelopeLayerType type;
  const char *id;            /* the file's "type" */
  const char *label;         /* translatable */
  EnvelopeLayerCategory category;
  guint32 fields;            /* ENVELOPE_FIELD_BIT of what it accepts */
  guint32 required;          /* … and of what it must have */
  guint min_inputs;
  guint max_inputs;          /* G_MAXUINT: any number */
  gboolean in_place;         /* may overwrite its input (activations, dropout) */
} EnvelopeLayerKind;

const EnvelopeLayerKind *envelope_layer_kind_get         (EnvelopeLayerType     type);
const EnvelopeLayerKind *envelope_layer_kind_lookup      (const char           *id);
char                    *envelope_layer_kind_list_valid  (void);
const char              *envelope_layer_category_label   (EnvelopeLayerCategory category);
const char              *envelope_layer_category_id      (EnvelopeLayerCategory category);

const EnvelopeFieldInfo *envelope_field_get_info         (EnvelopeField         field);
gboolean                 envelope_field_lookup           (const char           *key,
                                                          EnvelopeField        *field);
char                    *envelope_layer_kind_list_keys   (const EnvelopeLayerKind *kind);

G_END_DECLS
