/* envelope-network.h: a network as the user wrote it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "envelope-layer-kind.h"

G_BEGIN_DECLS

#define ENVELOPE_NETWORK_FORMAT "envelope-network"
#define ENVELOPE_NETWORK_VERSION 1

#define ENVELOPE_NETWORK_ERROR (envelope_network_error_quark ())

/**
 * EnvelopeNetworkError:
 * @ENVELOPE_NETWORK_ERROR_PARSE: the file is not JSON (message carries line:column)
 * @ENVELOPE_NETWORK_ERROR_EMPTY: the file is empty
 * @ENVELOPE_NETWORK_ERROR_FORMAT: not an Envelope network file
 * @ENVELOPE_NETWORK_ERROR_VERSION: written by a newer Envelope
 * @ENVELOPE_NETWORK_ERROR_TYPE: a value of the wrong JSON type
 * @ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY: a key this layer kind does not have
 * @ENVELOPE_NETWORK_ERROR_UNKNOWN_TYPE: a layer type that does not exist
 * @ENVELOPE_NETWORK_ERROR_MISSING: a required field is absent
 * @ENVELOPE_NETWORK_ERROR_VALUE: a value out of its range (zero or negative size, …)
 * @ENVELOPE_NETWORK_ERROR_DUPLICATE_NAME: two layers share a name
 * @ENVELOPE_NETWORK_ERROR_UNKNOWN_INPUT: an input names no layer
 * @ENVELOPE_NETWORK_ERROR_FORWARD_INPUT: an input names a later layer
 * @ENVELOPE_NETWORK_ERROR_CYCLE: a layer feeds itself, directly or through others
 * @ENVELOPE_NETWORK_ERROR_INPUT_COUNT: a layer has too few or too many inputs
 * @ENVELOPE_NETWORK_ERROR_NO_INPUT: a layer has no input layer ahead of it
 * @ENVELOPE_NETWORK_ERROR_DEVICE: a device preset that does not exist
 * @ENVELOPE_NETWORK_ERROR_IO: the file cannot be read or written
 */
typedef enum
{
  ENVELOPE_NETWORK_ERROR_PARSE,
  ENVELOPE_NETWORK_ERROR_EMPTY,
  ENVELOPE_NETWORK_ERROR_FORMAT,
  ENVELOPE_NETWORK_ERROR_VERSION,
  ENVELOPE_NETWORK_ERROR_TYPE,
  ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY,
  ENVELOPE_NETWORK_ERROR_UNKNOWN_TYPE,
  ENVELOPE_NETWORK_ERROR_MISSING,
  ENVELOPE_NETWORK_ERROR_VALUE,
  ENVELOPE_NETWORK_ERROR_DUPLICATE_NAME,
  ENVELOPE_NETWORK_ERROR_UNKNOWN_INPUT,
  ENVELOPE_NETWORK_ERROR_FORWARD_INPUT,
  ENVELOPE_NETWORK_ERROR_CYCLE,
  ENVELOPE_NETWORK_ERROR_INPUT_COUNT,
  ENVELOPE_NETWORK_ERROR_NO_INPUT,
  ENVELOPE_NETWORK_ERROR_DEVICE,
  ENVELOPE_NETWORK_ERROR_IO,
} EnvelopeNetworkError;

GQuark envelope_network_error_quark (void);

/* The layouts a rank-2 input may have (the "layout" field's choices). */
typedef enum
{
  ENVELOPE_SHAPE_TOKENS,
  ENVELOPE_SHAPE_MAP,
} EnvelopeShapeLayout;

typedef enum
{
  ENVELOPE_PADDING_EXPLICIT,
  ENVELOPE_PADDING_SAME,
  ENVELOPE_PADDING_VALID,
} EnvelopePaddingMode;

typedef enum
{
  ENVELOPE_ROUNDING_FLOOR,
  ENVELOPE_ROUNDING_CEIL,
} EnvelopeRounding;

/* A recurrent layer's biases: PyTorch's two vectors per gate set (b_ih
 * and b_hh), or one (Keras). */
typedef enum
{
  ENVELOPE_BIAS_CONVENTION_PYTORCH,
  ENVELOPE_BIAS_CONVENTION_SINGLE,
} EnvelopeBiasConvention;

typedef enum
{
  ENVELOPE_POSITION_LEARNED,
  ENVELOPE_POSITION_SINUSOIDAL,
  ENVELOPE_POSITION_ROTARY,
} EnvelopePositionEncoding;

typedef enum
{
  ENVELOPE_UPSAMPLE_NEAREST,
  ENVELOPE_UPSAMPLE_LINEAR,
} EnvelopeUpsampleMode;

typedef enum
{
  ENVELOPE_REDUCE_MEAN,
  ENVELOPE_REDUCE_SUM,
  ENVELOPE_REDUCE_MAX,
  ENVELOPE_REDUCE_MIN,
} EnvelopeReduceOperation;

typedef enum
{
  ENVELOPE_DTYPE_FP32,
  ENVELOPE_DTYPE_FP16,
  ENVELOPE_DTYPE_BF16,
  ENVELOPE_DTYPE_INT8,
  ENVELOPE_DTYPE_FP64,
  ENVELOPE_DTYPE_FP8,
  ENVELOPE_N_DTYPES
} EnvelopeDtype;

typedef enum
{
  ENVELOPE_OPTIMIZER_NONE,
  ENVELOPE_OPTIMIZER_SGD,
  ENVELOPE_OPTIMIZER_SGD_MOMENTUM,
  ENVELOPE_OPTIMIZER_NESTEROV,
  ENVELOPE_OPTIMIZER_RMSPROP,
  ENVELOPE_OPTIMIZER_ADAGRAD,
  ENVELOPE_OPTIMIZER_ADAM,
  ENVELOPE_OPTIMIZER_ADAMW,
  ENVELOPE_N_OPTIMIZERS
} EnvelopeOptimizer;

/* The fields that hold a list, each with a written length in
 * EnvelopeLayer.lengths.  The other fields have none: their entry is a
 * spare one that nothing reads. */
typedef enum
{
  ENVELOPE_LIST_SHAPE,
  ENVELOPE_LIST_KERNEL,
  ENVELOPE_LIST_STRIDE,
  ENVELOPE_LIST_PADDING,
  ENVELOPE_LIST_DILATION,
  ENVELOPE_LIST_OUTPUT_PADDING,
  ENVELOPE_LIST_OUTPUT_SIZE,
  ENVELOPE_LIST_SCALE,
  ENVELOPE_LIST_AXES,
  ENVELOPE_LIST_ORDER,
  ENVELOPE_N_LIST_FIELDS
} EnvelopeListField;

static inline guint
envelope_field_list_slot (EnvelopeField field)
{
  switch (field)
    {
    case ENVELOPE_FIELD_SHAPE: return ENVELOPE_LIST_SHAPE;
    case ENVELOPE_FIELD_KERNEL: return ENVELOPE_LIST_KERNEL;
    case ENVELOPE_FIELD_STRIDE: return ENVELOPE_LIST_STRIDE;
    case ENVELOPE_FIELD_PADDING: return ENVELOPE_LIST_PADDING;
    case ENVELOPE_FIELD_DILATION: return ENVELOPE_LIST_DILATION;
    case ENVELOPE_FIELD_OUTPUT_PADDING: return ENVELOPE_LIST_OUTPUT_PADDING;
    case ENVELOPE_FIELD_OUTPUT_SIZE: return ENVELOPE_LIST_OUTPUT_SIZE;
    case ENVELOPE_FIELD_SCALE: return ENVELOPE_LIST_SCALE;
    case ENVELOPE_FIELD_AXES: return ENVELOPE_LIST_AXES;
    case ENVELOPE_FIELD_ORDER: return ENVELOPE_LIST_ORDER;
    default: return ENVELOPE_N_LIST_FIELDS;
    }
}

/* How many entries the author wrote of list field @field, as an lvalue */
#define ENVELOPE_LAYER_LENGTH(layer, field) ((layer)->lengths[envelope_field_list_slot (field)])

/* A layer's settings.  Sizes are signed so that a bad value typed by the
 * user can be held and reported; envelope_layer_validate() says whether
 * they make sense.  @set records the fields given explicitly, so a saved
 * file says what its author said and no more.  The field table
 * (envelope_field_get_info()) says where each field's value lives.
 *
 * The settings of one family of kinds share their storage with those of
 * the others (a union of structures without names, so that each is read
 * as layer->kernel all the same): a layer holds the settings of its own
 * kind, and a setting its kind does not have is never read or written.
 * A layer is then 224 bytes instead of 664, and one whose kind has no
 * settings of its own (relu, add, batch_norm) is allocated without the
 * union: 72 bytes (envelope_layer_get_size()).
 * Bias, which many families have, and the strings are every layer's. */
typedef struct
{
  char *name;
  EnvelopeLayerType type;
  char **inputs;          /* NULL: the layer before it */
  char *group;            /* display group, or NULL */
  char *shares;           /* the layer whose parameters this one uses, or NULL */
  char *operator_name;    /* unknown: the imported operator, as its format names it */
  guint64 set;            /* ENVELOPE_FIELD_BIT of explicit fields */
  gboolean bias;
  /* For list fields (spatial settings, shape, axes): how many entries
   * the author wrote; 0 when one number stands for every axis.  One
   * entry per list field, read and written through
   * ENVELOPE_LAYER_LENGTH (layer, field). */
  guint8 lengths[ENVELOPE_N_LIST_FIELDS + 1];

  union
  {
    /* input, reshape, unknown */
    struct
    {
      gint64 shape[ENVELOPE_MAX_RANK];
      guint shape_rank;   /* 1 to 4 */
      gint layout;        /* "tokens" or "map", for a rank-2 shape */
    };
    /* conv, deconv, pooling, pad; groups and normalization */
    struct
    {
      gint64 filters;     /* conv, deconv */
      gint64 kernel[ENVELOPE_MAX_SPATIAL];
      gint64 stride[ENVELOPE_MAX_SPATIAL];
      gint64 dilation[ENVELOPE_MAX_SPATIAL];
      EnvelopePaddingMode padding_mode;
      gint rounding;      /* EnvelopeRounding */
      gint64 padding[ENVELOPE_MAX_SPATIAL];
      gint64 output_padding[ENVELOPE_MAX_SPATIAL];
      gint64 groups;      /* conv, deconv, group_norm, channel_shuffle */
      gboolean affine;    /* layer_norm, rms_norm, group_norm, instance_norm */
    };
    /* dense, tokens, attention and recurrent */
    struct
    {
      gint64 units;       /* dense */
      gint64 vocabulary;  /* embedding */
      gint64 dimension;
      gint64 positions;
      gint64 tokens;      /* class_token */
      gint64 heads;       /* attention, window_attention */
      gint64 kv_heads;    /* heads' while unset */
      gint64 head_dim;    /* D / heads while unset */
      gint64 window;      /* window_attention */
      gint64 shift;
      gint64 hidden;      /* lstm, gru */
      gint64 layers;
      gint encoding;      /* position_embedding: EnvelopePositionEncoding */
      gboolean causal;
      gboolean fused;
      gboolean bidirectional;
      gint bias_convention;   /* EnvelopeBiasConvention */
      gboolean sequences;
    };
    /* to_map, crop, upsample, adaptive pools, roi_align */
    struct
    {
      gint64 output_size[ENVELOPE_MAX_SPATIAL];
      double scale[ENVELOPE_MAX_SPATIAL];  /* upsample */
      gint64 regions;     /* roi_align: regions per image, a setting since the data decide it */
      gint mode;          /* upsample: EnvelopeUpsampleMode */
    };
    /* permute, slice, concat, space_to_depth, depth_to_space, reduce */
    struct
    {
      gint64 order[ENVELOPE_MAX_RANK];  /* permute; lengths[] says how many */
      gint64 axes[ENVELOPE_MAX_RANK];   /* reduce; lengths[] says how many */
      gint64 start;       /* slice */
      gint64 end;         /* slice: the end of the axis unless set */
      gint64 step;        /* slice */
      gint64 block;       /* space_to_depth, depth_to_space */
      gint64 axis;        /* concat, slice */
      gint operation;     /* reduce: EnvelopeReduceOperation */
      gboolean keep_dims; /* reduce */
    };
    /* lrn, dropout, stochastic_depth, clip, prelu, scale */
    struct
    {
      gint64 size;        /* lrn */
      double rate;        /* dropout, stochastic_depth */
      double factor;      /* scale */
      double min;         /* clip */
      double max;
      gboolean learned;   /* scale */
      gboolean shared;    /* prelu */
    };
  };
} EnvelopeLayer;

typedef enum
{
  ENVELOPE_TRAINING_BATCH = 1 << 0,
  ENVELOPE_TRAINING_DTYPE = 1 << 1,
  ENVELOPE_TRAINING_MIXED_PRECISION = 1 << 2,
  ENVELOPE_TRAINING_OPTIMIZER = 1 << 3,
  ENVELOPE_TRAINING_DEVICE = 1 << 4,
  ENVELOPE_TRAINING_DEVICE_MEMORY = 1 << 5,
  ENVELOPE_TRAINING_RESERVED_MEMORY = 1 << 6,
  ENVELOPE_TRAINING_TARGET_BATCH = 1 << 7,
  ENVELOPE_TRAINING_MEMORY_MODEL = 1 << 8,
  ENVELOPE_TRAINING_CONTEXT_MEMORY = 1 << 9,
  ENVELOPE_TRAINING_GENERATE = 1 << 10,
  ENVELOPE_TRAINING_KV_CACHE = 1 << 11,
} EnvelopeTrainingField;

/* Which memory a training step is said to need: what eager PyTorch
 * allocates (autograd's saved tensors, the backward pass, the caching
 * allocator, the CUDA context), or the lecture's textbook terms. */
typedef enum
{
  ENVELOPE_MEMORY_MODEL_PYTORCH,
  ENVELOPE_MEMORY_MODEL_LECTURE,
  ENVELOPE_N_MEMORY_MODELS
} EnvelopeMemoryModel;

#define ENVELOPE_DEFAULT_CONTEXT_MEMORY (G_GUINT64_CONSTANT (500) << 20)

typedef struct
{
  guint32 set;               /* EnvelopeTrainingField given explicitly */
  guint64 batch;             /* 1 */
  EnvelopeDtype dtype;       /* fp32 */
  gboolean mixed_precision;  /* FALSE */
  EnvelopeOptimizer optimizer;  /* sgd_momentum */
  char *device;              /* a preset name, or NULL */
  guint64 device_memory;     /* bytes; 0 when no budget is given */
  guint64 reserved_memory;   /* 0 */
  guint64 target_batch;      /* 0: none */
  EnvelopeMemoryModel memory_model;  /* pytorch */
  guint64 context_memory;    /* the CUDA context, bytes: 500 MiB; the PyTorch model only */
  guint64 prompt_tokens;     /* generating text: the prompt … */
  guint64 new_tokens;        /* … and the tokens generated; both 0: no generation */
  EnvelopeDtype kv_cache;    /* the key/value cache's values: fp16 */
} EnvelopeTraining;

/* Where a network went wrong, for a front end to mark the field. */
typedef struct
{
  gint layer;                /* -1: the network as a whole */
  const char *field;         /* a JSON key ("kernel"), or NULL */
} EnvelopeErrorLocation;

typedef struct _EnvelopeNetwork EnvelopeNetwork;

struct _EnvelopeNetwork
{
  char *name;
  char *description;
  GPtrArray *layers;         /* EnvelopeLayer* */
  EnvelopeTraining training;
  JsonNode *view;            /* the app's own state, kept as it is; or NULL */
};

#define ENVELOPE_TYPE_NETWORK (envelope_network_get_type ())
GType            envelope_network_get_type        (void) G_GNUC_CONST;

EnvelopeNetwork *envelope_network_new             (const char          *name);
EnvelopeNetwork *envelope_network_copy            (const EnvelopeNetwork *network);
void             envelope_network_free            (EnvelopeNetwork     *network);

EnvelopeNetwork *envelope_network_load_from_data  (const char          *data,
                                                   gssize               length,
                                                   GError             **error);
EnvelopeNetwork *envelope_network_load_from_file  (const char          *path,
                                                   GError             **error);
char            *envelope_network_to_data         (const EnvelopeNetwork *network,
                                                   gsize               *length);
gboolean         envelope_network_save_to_file    (const EnvelopeNetwork *network,
                                                   const char          *path,
                                                   GError             **error);
gboolean         envelope_network_equal           (const EnvelopeNetwork *a,
                                                   const EnvelopeNetwork *b);

guint            envelope_network_get_n_layers    (const EnvelopeNetwork *network);
EnvelopeLayer   *envelope_network_get_layer       (const EnvelopeNetwork *network,
                                                   guint                index);
const char     **envelope_network_suggest_layers  (const EnvelopeNetwork *network,
                                                   const char          *name);
gint             envelope_network_find_layer      (const EnvelopeNetwork *network,
                                                   const char          *name);
void             envelope_network_insert_layer    (EnvelopeNetwork     *network,
                                                   gint                 position,
                                                   EnvelopeLayer       *layer);
EnvelopeLayer   *envelope_network_steal_layer     (EnvelopeNetwork     *network,
                                                   guint                index);
char            *envelope_network_unique_name     (const EnvelopeNetwork *network,
                                                   const char          *stem);
char            *envelope_network_name_from_path  (const char          *path);
char            *envelope_network_name_for_copy   (const EnvelopeNetwork *network,
                                                   const char          *name);
char            *envelope_network_name_for_new    (const EnvelopeNetwork *network,
                                                   EnvelopeLayerType    type,
                                                   gint                 after);
gboolean         envelope_network_resolve_inputs  (const EnvelopeNetwork *network,
                                                   guint              **offsets,
                                                   guint              **indices,
                                                   EnvelopeErrorLocation *location,
                                                   GError             **error);

EnvelopeLayer   *envelope_layer_new               (EnvelopeLayerType    type,
                                                   const char          *name);
EnvelopeLayer   *envelope_layer_copy              (const EnvelopeLayer *layer);
gsize            envelope_layer_get_size          (EnvelopeLayerType    type);
void             envelope_layer_free              (EnvelopeLayer       *layer);
gboolean         envelope_layer_equal             (const EnvelopeLayer *a,
                                                   const EnvelopeLayer *b);
gboolean         envelope_layer_validate          (const EnvelopeLayer *layer,
                                                   guint                index,
                                                   EnvelopeErrorLocation *location,
                                                   GError             **error);
char            *envelope_layer_describe          (const EnvelopeLayer *layer);
gboolean         envelope_text_char_is_plain      (gunichar             c,
                                                   gboolean             free_text);
char            *envelope_text_problem            (const char          *text,
                                                   gboolean             free_text);
guint            envelope_layer_list_length       (const EnvelopeLayer *layer,
                                                   EnvelopeField        field);
void             envelope_layer_set_field_default (EnvelopeLayer       *layer,
                                                   EnvelopeField        field);

void             envelope_training_init           (EnvelopeTraining    *training);
void             envelope_training_clear          (EnvelopeTraining    *training);
void             envelope_training_copy           (EnvelopeTraining       *dest,
                                                   const EnvelopeTraining *src);

const char      *envelope_dtype_to_string         (EnvelopeDtype        dtype);
gboolean         envelope_dtype_from_string       (const char          *str,
                                                   EnvelopeDtype       *dtype);
guint            envelope_dtype_get_bytes         (EnvelopeDtype        dtype);
const char      *envelope_optimizer_to_string     (EnvelopeOptimizer    optimizer);
const char      *envelope_memory_model_to_string  (EnvelopeMemoryModel  model);
gboolean         envelope_parse_generate          (const char          *text,
                                                   guint64             *prompt,
                                                   guint64             *generated);
gboolean         envelope_memory_model_from_string (const char         *str,
                                                    EnvelopeMemoryModel *model);
gboolean         envelope_optimizer_from_string   (const char          *str,
                                                   EnvelopeOptimizer   *optimizer);
guint            envelope_optimizer_get_slots     (EnvelopeOptimizer    optimizer);
char            *envelope_dtype_list_valid        (void);
char            *envelope_optimizer_list_valid    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeNetwork, envelope_network_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeLayer, envelope_layer_free)

G_END_DECLS
