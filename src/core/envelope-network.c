/* envelope-network.c: the network file, version 1
 *
 * Reading is strict: every value is checked for its JSON type, every key
 * against what the layer's kind accepts, and every message says where it
 * is (layers[3] "conv2": "kernel" …) and what was expected and found.
 * Structure is checked first, then meaning (shapes) in the analysis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-network"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-devices.h"
#include "envelope-error-private.h"
#include "envelope-format.h"
#include "envelope-layer-kind.h"
#include "envelope-network.h"

G_DEFINE_QUARK (envelope-network-error-quark, envelope_network_error)

G_DEFINE_BOXED_TYPE (EnvelopeNetwork, envelope_network, envelope_network_copy, envelope_network_free)

static const char *dtype_names[ENVELOPE_N_DTYPES] = { "fp32", "fp16", "bf16", "int8", "fp64", "fp8" };
static const guint dtype_bytes[ENVELOPE_N_DTYPES] = { 4, 2, 2, 1, 8, 1 };
static const char *optimizer_names[ENVELOPE_N_OPTIMIZERS] = {
  "none", "sgd", "sgd_momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw",
};
/* Optimizer state slots per trainable parameter (COST-MODEL.md). */
static const guint optimizer_slots[ENVELOPE_N_OPTIMIZERS] = { 0, 0, 1, 1, 1, 1, 2, 2 };
static const char *memory_model_names[ENVELOPE_N_MEMORY_MODELS] = { "pytorch", "lecture" };

static const char *root_keys[] = { "format", "version", "name", "description", "layers", "training", "view" };
static const char *training_keys[] = {
  "batch", "dtype", "mixed_precision", "optimizer", "device", "device_memory", "reserved_memory", "target_batch",
  "memory_model", "context_memory", "generate", "kv_cache",
};

void
envelope_layer_error (GError               **error,
                      GQuark                 domain,
                      gint                   code,
                      EnvelopeErrorLocation *location,
                      guint                  index,
                      const char            *name,
                      const char            *field,
                      const char            *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (location != NULL)
    {
      location->layer = (gint) index;
      location->field = field != NULL ? g_intern_string (field) : NULL;
    }
  if (field != NULL)
    g_set_error (error, domain, code, "layers[%u] \"%s\": \"%s\" %s", index, name ? name : "", field, message);
  else
    g_set_error (error, domain, code, "layers[%u] \"%s\": %s", index, name ? name : "", message);
}

/* ------------------------------------------------------------------ */
/* Enumerations                                                        */

/* The index of @str in @names, or -1. */
static gint
lookup_name (const char *const *names,
             guint               n,
             const char         *str)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (str, names[i]) == 0)
      return (gint) i;
  return -1;
}

const char *
envelope_dtype_to_string (EnvelopeDtype dtype)
{
  g_return_val_if_fail (dtype < ENVELOPE_N_DTYPES, NULL);
  return dtype_names[dtype];
}

gboolean
envelope_dtype_from_string (const char    *str,
                            EnvelopeDtype *dtype)
{
  gint i = lookup_name (dtype_names, ENVELOPE_N_DTYPES, str);

  if (i >= 0)
    *dtype = (EnvelopeDtype) i;
  return i >= 0;
}

guint
envelope_dtype_get_bytes (EnvelopeDtype dtype)
{
  g_return_val_if_fail (dtype < ENVELOPE_N_DTYPES, 4);
  return dtype_bytes[dtype];
}

const char *
envelope_optimizer_to_string (EnvelopeOptimizer optimizer)
{
  g_return_val_if_fail (optimizer < ENVELOPE_N_OPTIMIZERS, NULL);
  return optimizer_names[optimizer];
}

gboolean
envelope_optimizer_from_string (const char        *str,
                                EnvelopeOptimizer *optimizer)
{
  gint i = lookup_name (optimizer_names, ENVELOPE_N_OPTIMIZERS, str);

  if (i >= 0)
    *optimizer = (EnvelopeOptimizer) i;
  return i >= 0;
}

/* "512+128": a prompt of 512 tokens and 128 generated; "4096" alone is a
 * prompt with nothing generated.  At least one token in all. */
gboolean
envelope_parse_generate (const char *text,
                         guint64    *prompt,
                         guint64    *generated)
{
  g_auto(GStrv) parts = NULL;
  guint64 p = 0, g = 0;

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, "+", 2);
  if (parts[0] == NULL ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, G_MAXUINT32, &p, NULL) ||
      (parts[1] != NULL && !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 0, G_MAXUINT32, &g, NULL)) ||
      p + g == 0)
    return FALSE;
  *prompt = p;
  *generated = g;
  return TRUE;
}

const char *
envelope_memory_model_to_string (EnvelopeMemoryModel model)
{
  g_return_val_if_fail (model < ENVELOPE_N_MEMORY_MODELS, NULL);
  return memory_model_names[model];
}

gboolean
envelope_memory_model_from_string (const char          *str,
                                   EnvelopeMemoryModel *model)
{
  gint i = lookup_name (memory_model_names, ENVELOPE_N_MEMORY_MODELS, str);

  if (i >= 0)
    *model = (EnvelopeMemoryModel) i;
  return i >= 0;
}

guint
envelope_optimizer_get_slots (EnvelopeOptimizer optimizer)
{
  g_return_val_if_fail (optimizer < ENVELOPE_N_OPTIMIZERS, 0);
  return optimizer_slots[optimizer];
}

static char *
join_names (const char *const *names,
            guint               n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", names[i]);
  return g_string_free (out, FALSE);
}

char *
envelope_dtype_list_valid (void)
{
  return join_names (dtype_names, ENVELOPE_N_DTYPES);
}

char *
envelope_optimizer_list_valid (void)
{
  return join_names (optimizer_names, ENVELOPE_N_OPTIMIZERS);
}

/* ------------------------------------------------------------------ */
/* Layers                                                              */

/* Where @field's value lives in @layer. */
#define FIELD_VALUE(layer, info, type) ((type *) G_STRUCT_MEMBER_P ((layer), (info)->offset))

static void
fill_list (gint64 *values,
           gint64  value)
{
  for (guint i = 0; i < ENVELOPE_MAX_SPATIAL; i++)
    values[i] = value;
}

/* The entries of a spatial list as the author wrote them: one number
 * when they gave one (or all entries agree), else one per axis. */
/**
 * envelope_layer_list_length:
 *
 * How many entries a spatial setting (kernel, stride, …) holds: 0 when
 * one number stands for every axis, else one per axis.  Code that sets
 * [h, w] directly without a length gets 2 when the two differ.
 */
guint
envelope_layer_list_length (const EnvelopeLayer *layer,
                            EnvelopeField        field)
{
  const gint64 *values = G_STRUCT_MEMBER_P (layer, envelope_field_get_info (field)->offset);

  if (ENVELOPE_LAYER_LENGTH (layer, field) == 0)
    return values[0] != values[1] ? 2 : 0;
  return ENVELOPE_LAYER_LENGTH (layer, field);
}

static guint
list_written_length (const EnvelopeLayer *layer,
                     EnvelopeField        field,
                     const gint64        *values)
{
  guint n = envelope_layer_list_length (layer, field);

  for (guint i = 1; i < n; i++)
    if (values[i] != values[0])
      return n;
  return 0;
}

static void
append_list (GString             *out,
             const EnvelopeLayer *layer,
             EnvelopeField        field,
             const gint64        *values,
             const char          *separator)
{
  guint n = list_written_length (layer, field, values);

  g_string_append_printf (out, "%" PRId64, values[0]);
  for (guint i = 1; i < n; i++)
    g_string_append_printf (out, "%s%" PRId64, separator, values[i]);
}

static gboolean
list_all (const EnvelopeLayer *layer,
          EnvelopeField        field,
          const gint64        *values,
          gint64               value)
{
  guint n = MAX (ENVELOPE_LAYER_LENGTH (layer, field), 1);

  for (guint i = 0; i < n; i++)
    if (values[i] != value)
      return FALSE;
  return TRUE;
}

static void
append_kernel (GString             *out,
               const EnvelopeLayer *layer)
{
  guint written = envelope_layer_list_length (layer, ENVELOPE_FIELD_KERNEL);
  guint n = written == 0 ? 2 : written;

  /* "3×3" for a square kernel written as one number, as the lecture
   * does; "5" for a 1-D kernel written as [5], "3×7×7" for a video's */
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, i > 0 ? "×%" PRId64 : "%" PRId64, layer->kernel[written == 0 ? 0 : i]);
}

/* The kind and key settings in a few characters, as a diagram block or
 * a table row shows them: "conv 3×3, 64, /2", "max_pool 3×3, /2". */
char *
envelope_layer_describe (const EnvelopeLayer *layer)
{
  const EnvelopeLayerKind *kind;
  GString *out;
  gboolean pool;

  g_return_val_if_fail (layer != NULL, NULL);

  kind = envelope_layer_kind_get (layer->type);
  out = g_string_new (kind->id);
  pool = layer->type == ENVELOPE_LAYER_MAX_POOL || layer->type == ENVELOPE_LAYER_AVG_POOL;
  switch (layer->type)
    {
    case ENVELOPE_LAYER_CONV:
    case ENVELOPE_LAYER_DECONV:
    case ENVELOPE_LAYER_MAX_POOL:
    case ENVELOPE_LAYER_AVG_POOL:
      g_string_append_c (out, ' ');
      append_kernel (out, layer);
      if (!pool)
        g_string_append_printf (out, ", %" PRId64, layer->filters);
      if ((!pool || (layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE))) &&
          !list_all (layer, ENVELOPE_FIELD_STRIDE, layer->stride, 1) &&
          !(pool && memcmp (layer->stride, layer->kernel, sizeof layer->stride) == 0 &&
            ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_STRIDE) == ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_KERNEL)))
        {
          g_string_append (out, layer->type == ENVELOPE_LAYER_DECONV ? ", ×" : ", /");
          append_list (out, layer, ENVELOPE_FIELD_STRIDE, layer->stride, "×");
        }
      if (!pool && !list_all (layer, ENVELOPE_FIELD_DILATION, layer->dilation, 1))
        {
          g_string_append (out, ", dil ");
          append_list (out, layer, ENVELOPE_FIELD_DILATION, layer->dilation, "×");
        }
      if (!pool && layer->groups != 1)
        g_string_append_printf (out, ", g%" PRId64, layer->groups);
      break;
    case ENVELOPE_LAYER_DENSE:
      g_string_append_printf (out, " %" PRId64, layer->units);
      break;
    case ENVELOPE_LAYER_DROPOUT:
    case ENVELOPE_LAYER_STOCHASTIC_DEPTH:
      g_string_append_c (out, ' ');
      envelope_format_append_real (out, layer->rate);
      break;
    case ENVELOPE_LAYER_LRN:
      g_string_append_printf (out, " %" PRId64, layer->size);
      break;
    case ENVELOPE_LAYER_SCALE:
      if (!layer->learned)
        {
          g_string_append (out, " ×");
          envelope_format_append_real (out, layer->factor);
        }
      break;
    case ENVELOPE_LAYER_GROUP_NORM:
      g_string_append_printf (out, " g%" PRId64, layer->groups);
      break;
    case ENVELOPE_LAYER_EMBEDDING:
      g_string_append_printf (out, " %" PRId64 "×%" PRId64, layer->vocabulary, layer->dimension);
      break;
    case ENVELOPE_LAYER_POSITION_EMBEDDING:
      g_string_append_printf (out, " %s", envelope_field_get_info (ENVELOPE_FIELD_ENCODING)->choices[layer->encoding]);
      break;
    case ENVELOPE_LAYER_CONCAT:
      if (layer->axis != 0)
        g_string_append_printf (out, " axis %" PRId64, layer->axis);
      break;
    case ENVELOPE_LAYER_ATTENTION:
      g_string_append_printf (out, " %" PRId64 " heads", layer->heads);
      if ((layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KV_HEADS)) && layer->kv_heads != layer->heads)
        g_string_append_printf (out, ", %" PRId64 " kv", layer->kv_heads);
      if (layer->causal)
        g_string_append (out, ", causal");
      break;
    case ENVELOPE_LAYER_WINDOW_ATTENTION:
      g_string_append_printf (out, " %" PRId64 "×%" PRId64 ", %" PRId64 " heads",
                              layer->window, layer->window, layer->heads);
      if (layer->shift != 0)
        g_string_append_printf (out, ", shift %" PRId64, layer->shift);
      break;
    case ENVELOPE_LAYER_LSTM:
    case ENVELOPE_LAYER_GRU:
      g_string_append_printf (out, " %" PRId64, layer->hidden);
      if (layer->layers != 1)
        g_string_append_printf (out, ", %" PRId64 " layers", layer->layers);
      if (layer->bidirectional)
        g_string_append (out, ", bidirectional");
      break;
    case ENVELOPE_LAYER_RESHAPE:
      g_string_append_c (out, ' ');
      for (guint i = 0; i < layer->shape_rank; i++)
        g_string_append_printf (out, i > 0 ? "×%" PRId64 : "%" PRId64, layer->shape[i]);
      break;
    case ENVELOPE_LAYER_PERMUTE:
    case ENVELOPE_LAYER_REDUCE:
      {
        const gint64 *axes = layer->type == ENVELOPE_LAYER_PERMUTE ? layer->order : layer->axes;
        guint n = ENVELOPE_LAYER_LENGTH (layer, layer->type == ENVELOPE_LAYER_PERMUTE ? ENVELOPE_FIELD_ORDER : ENVELOPE_FIELD_AXES);

        if (layer->type == ENVELOPE_LAYER_REDUCE)
          g_string_append_printf (out, " %s",
                                  envelope_field_get_info (ENVELOPE_FIELD_OPERATION)->choices[layer->operation]);
        for (guint i = 0; i < MIN (n, ENVELOPE_MAX_RANK); i++)
          g_string_append_printf (out, i > 0 ? ",%" PRId64 : " %" PRId64, axes[i]);
      }
      break;
    case ENVELOPE_LAYER_SLICE:
      /* Python's own notation: "slice 1 [2:-1:3]" */
      g_string_append_printf (out, " %" PRId64 " [%" PRId64 ":", layer->axis, layer->start);
      if (layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END))
        g_string_append_printf (out, "%" PRId64, layer->end);
      if (layer->step != 1)
        g_string_append_printf (out, ":%" PRId64, layer->step);
      g_string_append_c (out, ']');
      break;
    case ENVELOPE_LAYER_CHANNEL_SHUFFLE:
      g_string_append_printf (out, " g%" PRId64, layer->groups);
      break;
    case ENVELOPE_LAYER_SPACE_TO_DEPTH:
    case ENVELOPE_LAYER_DEPTH_TO_SPACE:
      g_string_append_printf (out, " %" PRId64, layer->block);
      break;
    case ENVELOPE_LAYER_UPSAMPLE:
      if (layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OUTPUT_SIZE))
        {
          g_string_append_c (out, ' ');
          append_list (out, layer, ENVELOPE_FIELD_OUTPUT_SIZE, layer->output_size, "×");
        }
      else
        for (guint i = 0; i < MAX (ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_SCALE), 1); i++)
          {
            /* figures read the same in every language: no locale's comma */
            g_string_append (out, i > 0 ? "×" : " ×");
            envelope_format_append_real (out, layer->scale[i]);
          }
      if (layer->mode == ENVELOPE_UPSAMPLE_LINEAR)
        g_string_append (out, " linear");
      break;
    case ENVELOPE_LAYER_CROP:
    case ENVELOPE_LAYER_ADAPTIVE_AVG_POOL:
    case ENVELOPE_LAYER_ADAPTIVE_MAX_POOL:
      if (layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OUTPUT_SIZE))
        {
          g_string_append_c (out, ' ');
          append_list (out, layer, ENVELOPE_FIELD_OUTPUT_SIZE, layer->output_size, "×");
        }
      break;
    default:
      break;
    }
  if (layer->shares != NULL && (kind->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES)))
    g_string_append_printf (out, " = %s", layer->shares);
  if (layer->type == ENVELOPE_LAYER_UNKNOWN && layer->operator_name != NULL)
    g_string_append_printf (out, " %s", layer->operator_name);
  return g_string_free (out, FALSE);
}

/* The settings every layer holds, outside the union of the families'
 * (see EnvelopeLayer). */
#define COMMON_FIELDS (ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR) | \
                       ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS))

/* Sets @field of @layer to its default (and marks it unset): a field of
 * its kind, or one every layer has. */
void
envelope_layer_set_field_default (EnvelopeLayer *layer,
                                  EnvelopeField  field)
{
  const EnvelopeFieldInfo *info;
  double value;

  g_return_if_fail (layer != NULL);
  g_return_if_fail (field < ENVELOPE_N_FIELDS);
  /* another family's setting shares the storage of this kind's */
  g_return_if_fail (((envelope_layer_kind_get (layer->type)->fields | COMMON_FIELDS) & ENVELOPE_FIELD_BIT (field)) != 0);

  info = envelope_field_get_info (field);
  layer->set &= ~ENVELOPE_FIELD_BIT (field);
  ENVELOPE_LAYER_LENGTH (layer, field) = 0;
  value = info->default_value;
  if (field == ENVELOPE_FIELD_KERNEL &&
      (layer->type == ENVELOPE_LAYER_MAX_POOL || layer->type == ENVELOPE_LAYER_AVG_POOL))
    value = 2;
  /* PyTorch's InstanceNorm2d has no γ and β unless asked */
  if (field == ENVELOPE_FIELD_AFFINE && layer->type == ENVELOPE_LAYER_INSTANCE_NORM)
    value = 0;

  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      layer->shape_rank = 3;
      layer->shape[0] = 3;
      layer->shape[1] = 224;
      layer->shape[2] = 224;
      layer->shape[3] = 0;
      break;
    case ENVELOPE_VALUE_PADDING:
      layer->padding_mode = ENVELOPE_PADDING_EXPLICIT;
      fill_list (layer->padding, (gint64) value);
      break;
    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      fill_list (FIELD_VALUE (layer, info, gint64), (gint64) value);
      break;
    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
      *FIELD_VALUE (layer, info, gint64) = (gint64) value;
      break;
    case ENVELOPE_VALUE_BOOLEAN:
      *FIELD_VALUE (layer, info, gboolean) = value != 0;
      break;
    case ENVELOPE_VALUE_CHOICE:
      *FIELD_VALUE (layer, info, gint) = (gint) value;
      break;
    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      *FIELD_VALUE (layer, info, double) = value;
      break;
    case ENVELOPE_VALUE_NAME:
      g_clear_pointer (FIELD_VALUE (layer, info, char *), g_free);
      break;
    case ENVELOPE_VALUE_REALS:
      for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
        FIELD_VALUE (layer, info, double)[a] = value;
      break;
    case ENVELOPE_VALUE_AXES:
      /* one axis: a list is never empty */
      memset (FIELD_VALUE (layer, info, gint64), 0, ENVELOPE_MAX_RANK * sizeof (gint64));
      *FIELD_VALUE (layer, info, gint64) = (gint64) value;
      ENVELOPE_LAYER_LENGTH (layer, field) = 1;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Each family's settings begin where the union does: a layer without
 * settings of its own ends there. */
#define SETTINGS_START G_STRUCT_OFFSET (EnvelopeLayer, shape)
G_STATIC_ASSERT (G_STRUCT_OFFSET (EnvelopeLayer, filters) == SETTINGS_START);
G_STATIC_ASSERT (G_STRUCT_OFFSET (EnvelopeLayer, units) == SETTINGS_START);
G_STATIC_ASSERT (G_STRUCT_OFFSET (EnvelopeLayer, output_size) == SETTINGS_START);
G_STATIC_ASSERT (G_STRUCT_OFFSET (EnvelopeLayer, order) == SETTINGS_START);
G_STATIC_ASSERT (G_STRUCT_OFFSET (EnvelopeLayer, size) == SETTINGS_START);

static EnvelopeLayer *templates[ENVELOPE_N_LAYER_TYPES];
static gsize sizes[ENVELOPE_N_LAYER_TYPES];

/* Every setting of a layer of each type at its default.  Loading a large
 * network makes a layer per entry, so the defaults are worked out once
 * per type and copied.  Only the kind's own settings of the union are
 * set: another family's would overwrite them. */
static void
make_templates (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
        {
          EnvelopeLayer *template = g_new0 (EnvelopeLayer, 1);
          guint64 fields = envelope_layer_kind_get (t)->fields;

          template->type = t;
          for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
            if ((fields | COMMON_FIELDS) & ENVELOPE_FIELD_BIT (f))
              envelope_layer_set_field_default (template, f);
          templates[t] = template;
          sizes[t] = (fields & ~COMMON_FIELDS) != 0 ? sizeof (EnvelopeLayer) : SETTINGS_START;
        }
      g_once_init_leave (&done, 1);
    }
}

/**
 * envelope_layer_get_size:
 *
 * The bytes a layer of @type is allocated with: a kind without settings
 * of its own (relu, add, batch_norm, …) ends where the settings begin,
 * 72 bytes instead of 224.  A layer may be made another type in place
 * only when it was allocated with as many bytes as that type's.
 */
gsize
envelope_layer_get_size (EnvelopeLayerType type)
{
  g_return_val_if_fail (type < ENVELOPE_N_LAYER_TYPES, sizeof (EnvelopeLayer));

  make_templates ();
  return sizes[type];
}

static EnvelopeLayer *
new_with_defaults (EnvelopeLayerType type)
{
  make_templates ();
  /* the templates own no strings: name, inputs, group and shares are NULL */
  return g_memdup2 (templates[type], sizes[type]);
}

/* A new layer of @type with every setting at its default; the fields a
 * kind requires get a typical value and are marked as set, so that a
 * layer inserted in the app is valid and saves what it shows. */
EnvelopeLayer *
envelope_layer_new (EnvelopeLayerType  type,
                    const char        *name)
{
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (type);
  EnvelopeLayer *layer;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  layer = new_with_defaults (type);
  layer->name = g_strdup (name);
  layer->set = kind->required;
  return layer;
}

EnvelopeLayer *
envelope_layer_copy (const EnvelopeLayer *layer)
{
  EnvelopeLayer *copy;

  g_return_val_if_fail (layer != NULL, NULL);

  copy = g_memdup2 (layer, envelope_layer_get_size (layer->type));
  copy->name = g_strdup (layer->name);
  copy->inputs = g_strdupv (layer->inputs);
  copy->group = g_strdup (layer->group);
  copy->shares = g_strdup (layer->shares);
  copy->operator_name = g_strdup (layer->operator_name);
  return copy;
}

void
envelope_layer_free (EnvelopeLayer *layer)
{
  if (layer == NULL)
    return;
  g_free (layer->name);
  g_strfreev (layer->inputs);
  g_free (layer->group);
  g_free (layer->shares);
  g_free (layer->operator_name);
  g_free (layer);
}

static gboolean
strv_equal0 (char **a,
             char **b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

static gboolean
field_equal (const EnvelopeLayer     *a,
             const EnvelopeLayer     *b,
             const EnvelopeFieldInfo *info)
{
  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      return a->shape_rank == b->shape_rank && memcmp (a->shape, b->shape, a->shape_rank * sizeof (gint64)) == 0;
    case ENVELOPE_VALUE_PADDING:
      if (a->padding_mode != b->padding_mode)
        return FALSE;
      if (a->padding_mode != ENVELOPE_PADDING_EXPLICIT)
        return TRUE;
      G_GNUC_FALLTHROUGH;
    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      {
        guint n = list_written_length (a, info->field, FIELD_VALUE (a, info, gint64));

        return n == list_written_length (b, info->field, FIELD_VALUE (b, info, gint64)) &&
               memcmp (FIELD_VALUE (a, info, gint64), FIELD_VALUE (b, info, gint64), MAX (n, 1) * sizeof (gint64)) == 0;
      }
    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
      return *FIELD_VALUE (a, info, gint64) == *FIELD_VALUE (b, info, gint64);
    case ENVELOPE_VALUE_BOOLEAN:
      return !*FIELD_VALUE (a, info, gboolean) == !*FIELD_VALUE (b, info, gboolean);
    case ENVELOPE_VALUE_CHOICE:
      return *FIELD_VALUE (a, info, gint) == *FIELD_VALUE (b, info, gint);
    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      return *FIELD_VALUE (a, info, double) == *FIELD_VALUE (b, info, double);
    case ENVELOPE_VALUE_NAME:
      return g_strcmp0 (*FIELD_VALUE (a, info, char *), *FIELD_VALUE (b, info, char *)) == 0;
    case ENVELOPE_VALUE_REALS:
      return ENVELOPE_LAYER_LENGTH (a, info->field) == ENVELOPE_LAYER_LENGTH (b, info->field) &&
             memcmp (FIELD_VALUE (a, info, double), FIELD_VALUE (b, info, double),
                     MAX (ENVELOPE_LAYER_LENGTH (a, info->field), 1) * sizeof (double)) == 0;
    case ENVELOPE_VALUE_AXES:
      return ENVELOPE_LAYER_LENGTH (a, info->field) == ENVELOPE_LAYER_LENGTH (b, info->field) &&
             memcmp (FIELD_VALUE (a, info, gint64), FIELD_VALUE (b, info, gint64),
                     MIN (ENVELOPE_LAYER_LENGTH (a, info->field), ENVELOPE_MAX_RANK) * sizeof (gint64)) == 0;
    default:
      g_assert_not_reached ();
    }
}

/* Equal as networks: same names, kinds, wiring and effective settings. */
gboolean
envelope_layer_equal (const EnvelopeLayer *a,
                      const EnvelopeLayer *b)
{
  guint64 fields;

  if (g_strcmp0 (a->name, b->name) != 0 || a->type != b->type ||
      !strv_equal0 (a->inputs, b->inputs) || g_strcmp0 (a->group, b->group) != 0)
    return FALSE;

  fields = envelope_layer_kind_get (a->type)->fields;
  for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
    {
      if (!(fields & ENVELOPE_FIELD_BIT (f)))
        continue;
      /* the layout tells only two sizes apart: tokens or a signal */
      if (f == ENVELOPE_FIELD_LAYOUT && a->shape_rank != 2)
        continue;
      if (!field_equal (a, b, envelope_field_get_info (f)))
        return FALSE;
    }
  /* pooling's stride defaults to its kernel: whether it was given matters */
  return (a->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)) == (b->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)) ||
         !(fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE));
}

static inline gboolean
check_positive (const EnvelopeLayer   *layer,
                guint                  index,
                EnvelopeField          field,
                const gint64          *values,
                guint                  n,
                gint64                 minimum,
                EnvelopeErrorLocation *location,
                GError               **error)
{
  for (guint i = 0; i < n; i++)
    {
      if (G_UNLIKELY (values[i] < minimum))
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                                index, layer->name, envelope_field_get_info (field)->key,
                                minimum > 0 ? _("must be at least %" PRId64 ", got %" PRId64)
                                            : _("must not be negative (at least %" PRId64 "), got %" PRId64),
                                minimum, values[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* A reshape's target may leave one size to be inferred, written −1;
 * every other size is positive, as an input's are. */
static gboolean
check_reshape_target (const EnvelopeLayer     *layer,
                      guint                    index,
                      const EnvelopeFieldInfo *info,
                      EnvelopeErrorLocation   *location,
                      GError                 **error)
{
  guint inferred = 0;

  for (guint i = 0; i < layer->shape_rank; i++)
    {
      if (layer->shape[i] == -1 && inferred++ == 0)
        continue;
      if (layer->shape[i] == -1)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                                index, layer->name, info->key,
                                _("may leave only one size to be inferred (−1), got two"));
          return FALSE;
        }
      if (layer->shape[i] < 1)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                                index, layer->name, info->key,
                                _("must hold sizes of at least 1, or one −1 for the size to infer, got %" PRId64),
                                layer->shape[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_field (const EnvelopeLayer     *layer,
                guint                    index,
                const EnvelopeFieldInfo *info,
                EnvelopeErrorLocation   *location,
                GError                 **error)
{
  guint n;

  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      if (layer->shape_rank < 1 || layer->shape_rank > ENVELOPE_MAX_RANK)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                                index, layer->name, info->key,
                                _("must be [N], [T, D], [C, L], [C, H, W] or [C, D, H, W], got %u sizes"),
                                layer->shape_rank);
          return FALSE;
        }
      if (layer->type == ENVELOPE_LAYER_RESHAPE)
        return check_reshape_target (layer, index, info, location, error);
      return check_positive (layer, index, info->field, layer->shape, layer->shape_rank, 1, location, error);
    case ENVELOPE_VALUE_REALS:
      n = MAX (ENVELOPE_LAYER_LENGTH (layer, info->field), 1);
      for (guint i = 0; i < n; i++)
        if (!isfinite (FIELD_VALUE (layer, info, double)[i]))
          {
            envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                                  index, layer->name, info->key, _("must hold finite numbers"));
            return FALSE;
          }
      return TRUE;
    case ENVELOPE_VALUE_AXES:
      if (ENVELOPE_LAYER_LENGTH (layer, info->field) >= 1 && ENVELOPE_LAYER_LENGTH (layer, info->field) <= ENVELOPE_MAX_RANK)
        return TRUE;
      envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                            index, layer->name, info->key,
                            _("must list 1 to %u axes, got %u"), ENVELOPE_MAX_RANK, ENVELOPE_LAYER_LENGTH (layer, info->field));
      return FALSE;
    /* every entry of a spatial list: those past its length repeat its
     * last (or hold the default), so all of them must be valid */
    case ENVELOPE_VALUE_PADDING:
      if (layer->padding_mode != ENVELOPE_PADDING_EXPLICIT)
        return TRUE;
      return check_positive (layer, index, info->field, layer->padding, ENVELOPE_MAX_SPATIAL, 0, location, error);
    case ENVELOPE_VALUE_PAIR:
      return check_positive (layer, index, info->field, FIELD_VALUE (layer, info, gint64), ENVELOPE_MAX_SPATIAL, 1,
                             location, error);
    case ENVELOPE_VALUE_OFFSET:
      return check_positive (layer, index, info->field, FIELD_VALUE (layer, info, gint64), ENVELOPE_MAX_SPATIAL, 0,
                             location, error);
    case ENVELOPE_VALUE_COUNT:
      return check_positive (layer, index, info->field, FIELD_VALUE (layer, info, gint64), 1, info->minimum,
                             location, error);
    case ENVELOPE_VALUE_FRACTION:
      {
        double rate = *FIELD_VALUE (layer, info, double);

        if (rate >= 0.0 && rate < 1.0)
          return TRUE;
        envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                              index, layer->name, info->key, _("must be at least 0 and below 1, got %g"), rate);
        return FALSE;
      }
    case ENVELOPE_VALUE_REAL:
      if (isfinite (*FIELD_VALUE (layer, info, double)))
        return TRUE;
      envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                            index, layer->name, info->key, _("must be a finite number"));
      return FALSE;
    case ENVELOPE_VALUE_NAME:
      {
        const char *name = *FIELD_VALUE (layer, info, char *);

        if (name == NULL || name[0] != '\0')
          return TRUE;
        envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                              index, layer->name, info->key, _("must name a layer"));
        return FALSE;
      }
    case ENVELOPE_VALUE_CHOICE:
    case ENVELOPE_VALUE_BOOLEAN:
    case ENVELOPE_VALUE_INTEGER:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* Whether the settings of @layer are in range; sizes are checked against
 * the input shapes later, by the analysis. */
gboolean
envelope_layer_validate (const EnvelopeLayer   *layer,
                         guint                  index,
                         EnvelopeErrorLocation *location,
                         GError               **error)
{
  const EnvelopeLayerKind *kind;

  g_return_val_if_fail (layer != NULL, FALSE);

  kind = envelope_layer_kind_get (layer->type);
  if (layer->name == NULL || layer->name[0] == '\0')
    {
      envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                            index, "", "name", _("must not be empty"));
      return FALSE;
    }
  /* the kind's fields only, lowest first: this runs for every layer of
   * every analysis */
  for (guint64 fields = kind->fields; fields != 0; fields &= fields - 1)
    if (!validate_field (layer, index, envelope_field_get_info ((EnvelopeField) __builtin_ctzll (fields)),
                         location, error))
      return FALSE;
  if (layer->shares != NULL && (kind->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES)) &&
      g_str_equal (layer->shares, layer->name))
    {
      envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE, location,
                            index, layer->name, "shares", _("names the layer itself"));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Networks                                                            */

void
envelope_training_init (EnvelopeTraining *training)
{
  memset (training, 0, sizeof *training);
  training->batch = 1;
  training->dtype = ENVELOPE_DTYPE_FP32;
  training->optimizer = ENVELOPE_OPTIMIZER_SGD_MOMENTUM;
  training->memory_model = ENVELOPE_MEMORY_MODEL_PYTORCH;
  training->context_memory = ENVELOPE_DEFAULT_CONTEXT_MEMORY;
  training->kv_cache = ENVELOPE_DTYPE_FP16;
}

void
envelope_training_clear (EnvelopeTraining *training)
{
  g_clear_pointer (&training->device, g_free);
}

void
envelope_training_copy (EnvelopeTraining       *dest,
                        const EnvelopeTraining *src)
{
  *dest = *src;
  dest->device = g_strdup (src->device);
}

EnvelopeNetwork *
envelope_network_new (const char *name)
{
  EnvelopeNetwork *network = g_new0 (EnvelopeNetwork, 1);

  network->name = g_strdup (name ? name : "");
  network->description = g_strdup ("");
  network->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) envelope_layer_free);
  envelope_training_init (&network->training);
  return network;
}

/* json_node_copy() shares the members of objects; a copy of a network
 * (an undo snapshot, say) must not. */
static JsonNode *
copy_node (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return json_from_string (text, NULL);
}

EnvelopeNetwork *
envelope_network_copy (const EnvelopeNetwork *network)
{
  EnvelopeNetwork *copy;

  g_return_val_if_fail (network != NULL, NULL);

  copy = envelope_network_new (network->name);
  g_free (copy->description);
  copy->description = g_strdup (network->description);
  g_ptr_array_set_size (copy->layers, 0);
  for (guint i = 0; i < network->layers->len; i++)
    g_ptr_array_add (copy->layers, envelope_layer_copy (g_ptr_array_index (network->layers, i)));
  envelope_training_copy (&copy->training, &network->training);
  copy->view = network->view ? copy_node (network->view) : NULL;
  return copy;
}

void
envelope_network_free (EnvelopeNetwork *network)
{
  if (network == NULL)
    return;
  g_free (network->name);
  g_free (network->description);
  g_ptr_array_unref (network->layers);
  envelope_training_clear (&network->training);
  g_clear_pointer (&network->view, json_node_unref);
  g_free (network);
}

gboolean
envelope_network_equal (const EnvelopeNetwork *a,
                        const EnvelopeNetwork *b)
{
  const EnvelopeTraining *ta = &a->training, *tb = &b->training;

  if (g_strcmp0 (a->name, b->name) != 0 || g_strcmp0 (a->description, b->description) != 0 ||
      a->layers->len != b->layers->len)
    return FALSE;
  for (guint i = 0; i < a->layers->len; i++)
    if (!envelope_layer_equal (g_ptr_array_index (a->layers, i), g_ptr_array_index (b->layers, i)))
      return FALSE;
  if (ta->batch != tb->batch || ta->dtype != tb->dtype || ta->mixed_precision != tb->mixed_precision ||
      ta->optimizer != tb->optimizer || g_strcmp0 (ta->device, tb->device) != 0 ||
      ta->device_memory != tb->device_memory || ta->reserved_memory != tb->reserved_memory ||
      ta->target_batch != tb->target_batch || ta->memory_model != tb->memory_model ||
      ta->context_memory != tb->context_memory || ta->prompt_tokens != tb->prompt_tokens ||
      ta->new_tokens != tb->new_tokens || ta->kv_cache != tb->kv_cache)
    return FALSE;
  if ((a->view == NULL) != (b->view == NULL))
    return FALSE;
  return a->view == NULL || json_node_equal (a->view, b->view);
}

guint
envelope_network_get_n_layers (const EnvelopeNetwork *network)
{
  return network->layers->len;
}

EnvelopeLayer *
envelope_network_get_layer (const EnvelopeNetwork *network,
                            guint                  index)
{
  g_return_val_if_fail (index < network->layers->len, NULL);
  return g_ptr_array_index (network->layers, index);
}

gint
envelope_network_find_layer (const EnvelopeNetwork *network,
                             const char            *name)
{
  for (guint i = 0; i < network->layers->len; i++)
    if (g_strcmp0 (((EnvelopeLayer *) g_ptr_array_index (network->layers, i))->name, name) == 0)
      return (gint) i;
  return -1;
}

/* The names of the layers a mistyped @name most likely meant, up to
 * three ("conv2_1", or "conv2_1" and "conv2_2"), as a NULL-terminated
 * array of the network's own strings (free the array only); NULL when
 * none is close. */
const char **
envelope_network_suggest_layers (const EnvelopeNetwork *network,
                                 const char            *name)
{
  guint n = network->layers->len;
  g_autofree const char **names = g_new (const char *, MAX (n, 1));
  const char **closest = g_new0 (const char *, 4);

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < n; i++)
    names[i] = ((EnvelopeLayer *) g_ptr_array_index (network->layers, i))->name;
  if (envelope_suggest_closest (name, names, n, closest, 3) == 0)
    g_clear_pointer (&closest, g_free);
  return closest;
}

/* Takes ownership of @layer; @position -1 appends. */
void
envelope_network_insert_layer (EnvelopeNetwork *network,
                               gint             position,
                               EnvelopeLayer   *layer)
{
  g_return_if_fail (layer != NULL);
  g_ptr_array_insert (network->layers, position, layer);
}

EnvelopeLayer *
envelope_network_steal_layer (EnvelopeNetwork *network,
                              guint            index)
{
  g_return_val_if_fail (index < network->layers->len, NULL);
  return g_ptr_array_steal_index (network->layers, index);
}

/* "conv" → "conv1", "conv2", … whichever is free first. */
char *
envelope_network_unique_name (const EnvelopeNetwork *network,
                              const char            *stem)
{
  for (guint n = 1;; n++)
    {
      char *name = g_strdup_printf ("%s%u", stem, n);
      if (envelope_network_find_layer (network, name) < 0)
        return name;
      g_free (name);
    }
}

/**
 * envelope_network_name_from_path:
 * @path: a file's path or name
 *
 * The name a network takes from its file: the file's name without its
 * extension ("models/my-mnist.json" → "my-mnist"); a name that is all
 * extension (".json") is kept whole.
 *
 * Returns: (transfer full): the name
 */
char *
envelope_network_name_from_path (const char *path)
{
  char *base;
  char *dot;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_path_get_basename (path);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return base;
}

/* The number @name ends with, and where it starts: "pool12" → 12 at 4;
 * FALSE when it ends with none (or one too long to count). */
static gboolean
split_number (const char *name,
              gsize      *stem_length,
              guint64    *number)
{
  gsize len = strlen (name);
  gsize end = len;

  while (len > 0 && g_ascii_isdigit (name[len - 1]))
    len--;
  if (len == end || end - len > 9)
    return FALSE;
  *stem_length = len;
  *number = g_ascii_strtoull (name + len, NULL, 10);
  return TRUE;
}

/* The first free name "@stem@n", from @n up. */
static char *
free_name_from (const EnvelopeNetwork *network,
                const char            *stem,
                guint64                n)
{
  for (;; n++)
    {
      char *name = g_strdup_printf ("%s%" G_GUINT64_FORMAT, stem, n);
      if (envelope_network_find_layer (network, name) < 0)
        return name;
      g_free (name);
    }
}

/**
 * envelope_network_name_for_copy:
 * @network: the network the copy goes into
 * @name: the name of the layer copied
 *
 * A name for a copy of layer @name, after it: the next number of its own
 * series when that is free ("conv2" → "conv3"), otherwise the name with
 * "_copy" ("conv2_copy", then "conv2_copy2", …).
 *
 * Returns: (transfer full): a name no layer of @network has
 */
char *
envelope_network_name_for_copy (const EnvelopeNetwork *network,
                                const char            *name)
{
  g_autofree char *copy = NULL;
  gsize stem_length;
  guint64 number;

  g_return_val_if_fail (network != NULL && name != NULL, NULL);

  if (split_number (name, &stem_length, &number))
    {
      g_autofree char *stem = g_strndup (name, stem_length);
      g_autofree char *next = g_strdup_printf ("%s%" G_GUINT64_FORMAT, stem, number + 1);

      if (envelope_network_find_layer (network, next) < 0)
        return g_steal_pointer (&next);
    }
  copy = g_strconcat (name, "_copy", NULL);
  if (envelope_network_find_layer (network, copy) < 0)
    return g_steal_pointer (&copy);
  return free_name_from (network, copy, 2);
}

/**
 * envelope_network_name_for_new:
 * @network: the network the layer goes into
 * @type: the new layer's kind
 * @after: the index it goes after, or -1 for the start
 *
 * A name for a new layer of @type in the network's own style: the
 * series of the nearest layer of that kind with a numbered name (the one
 * before @after first, then the one after), continued past its highest
 * number ("pool1" → "pool2", "features/conv5" → "features/conv6");
 * "conv1", "max_pool1", … after the kind's id where no such series is.
 *
 * Returns: (transfer full): a name no layer of @network has
 */
char *
envelope_network_name_for_new (const EnvelopeNetwork *network,
                               EnvelopeLayerType      type,
                               gint                   after)
{
  const EnvelopeLayer *model = NULL;
  g_autofree char *stem = NULL;
  guint64 highest = 0;
  gsize stem_length;
  guint64 number;
  guint n;

  g_return_val_if_fail (network != NULL, NULL);
  g_return_val_if_fail (type < ENVELOPE_N_LAYER_TYPES, NULL);

  n = network->layers->len;
  after = CLAMP (after, -1, (gint) n - 1);
  /* nearest first: back from @after, then on from it */
  for (gint i = after; i >= 0 && model == NULL; i--)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      if (layer->type == type && split_number (layer->name, &stem_length, &number))
        model = layer;
    }
  for (guint i = (guint) (after + 1); i < n && model == NULL; i++)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      if (layer->type == type && split_number (layer->name, &stem_length, &number))
        model = layer;
    }
  if (model == NULL)
    return envelope_network_unique_name (network, envelope_layer_kind_get (type)->id);

  split_number (model->name, &stem_length, &number);
  stem = g_strndup (model->name, stem_length);
  for (guint i = 0; i < n; i++)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      gsize length;

      if (split_number (layer->name, &length, &number) && length == stem_length &&
          strncmp (layer->name, stem, stem_length) == 0)
        highest = MAX (highest, number);
    }
  return free_name_from (network, stem, highest + 1);
}

/* The layers' names, for resolving inputs: open addressing over one
 * array sized once for the network (twice its layers and more, a power
 * of two), each slot a name's hash and its layer's index + 1 (0: free).
 * A long network is resolved on every analysis: a GHashTable grew as it
 * filled, moving every entry at each doubling, and kept keys, values and
 * hashes in three arrays, three places to read for one probe. */
typedef struct
{
  guint hash;
  guint index;
} NameSlot;

typedef struct
{
  const EnvelopeNetwork *network;
  NameSlot *slots;
  guint mask;
} NameTable;

static void
name_table_init (NameTable             *table,
                 const EnvelopeNetwork *network)
{
  guint n = network->layers->len;
  guint size = 16;

  while (size < 2 * (gsize) n && size < G_MAXUINT / 2 + 1)
    size *= 2;
  table->network = network;
  table->slots = g_new0 (NameSlot, size);
  table->mask = size - 1;
}

static void
name_table_clear (NameTable *table)
{
  g_clear_pointer (&table->slots, g_free);
}

/* The slot of @name: its layer's, or the free one where it would go. */
static NameSlot *
name_table_find (const NameTable *table,
                 const char      *name,
                 guint            hash)
{
  for (guint k = hash & table->mask;; k = (k + 1) & table->mask)
    {
      NameSlot *slot = &table->slots[k];

      if (slot->index == 0 ||
          (slot->hash == hash &&
           strcmp (((const EnvelopeLayer *) g_ptr_array_index (table->network->layers, slot->index - 1))->name, name) == 0))
        return slot;
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NameTable, name_table_clear)

/* The index of the layer named @name, or -1. */
static gint64
name_table_lookup (const NameTable *table,
                   const char      *name)
{
  const NameSlot *slot = name_table_find (table, name, g_str_hash (name));

  return slot->index > 0 ? (gint64) slot->index - 1 : -1;
}

/* Whether layer @from reaches layer @to by following inputs backwards.
 * A walk with its own stack: a file decides how deep the chain of inputs
 * goes, so the call stack must not. */
static gboolean
depends_on (const EnvelopeNetwork *network,
            const NameTable       *names,
            guint                  from,
            guint                  to,
            guint8                *seen)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));

  g_array_append_val (stack, from);
  while (stack->len > 0)
    {
      guint at = g_array_index (stack, guint, stack->len - 1);
      const EnvelopeLayer *layer;

      g_array_set_size (stack, stack->len - 1);
      if (at == to)
        return TRUE;
      if (seen[at])
        continue;
      seen[at] = 1;
      layer = g_ptr_array_index (network->layers, at);
      if (layer->inputs == NULL)
        {
          if (at > 0 && envelope_layer_kind_get (layer->type)->max_inputs > 0)
            {
              guint before = at - 1;
              g_array_append_val (stack, before);
            }
          continue;
        }
      for (guint i = 0; layer->inputs[i] != NULL; i++)
        {
          gint64 input = name_table_lookup (names, layer->inputs[i]);

          if (input >= 0)
            g_array_append_vals (stack, &(guint) { (guint) input }, 1);
        }
    }
  return FALSE;
}

/* Resolves every layer's inputs to indices of earlier layers: @offsets
 * has n + 1 entries, layer i reads indices[offsets[i] .. offsets[i+1]). */
gboolean
envelope_network_resolve_inputs (const EnvelopeNetwork  *network,
                                 guint                 **offsets_out,
                                 guint                 **indices_out,
                                 EnvelopeErrorLocation  *location,
                                 GError                **error)
{
  guint n = network->layers->len;
  g_auto(NameTable) names = { 0 };
  g_autofree guint *offsets = g_new (guint, n + 1);
  g_autoptr(GArray) indices = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);

  name_table_init (&names, network);
  for (guint i = 0; i < n; i++)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      guint hash = g_str_hash (layer->name);
      NameSlot *slot = name_table_find (&names, layer->name, hash);

      if (slot->index > 0)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_DUPLICATE_NAME, location,
                                i, layer->name, "name", _("is already the name of layers[%u]; names must be unique"),
                                slot->index - 1);
          return FALSE;
        }
      slot->hash = hash;
      slot->index = i + 1;
    }

  for (guint i = 0; i < n; i++)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
      guint count;

      offsets[i] = indices->len;
      if (layer->inputs == NULL)
        {
          if (kind->max_inputs > 0)
            {
              if (i == 0)
                {
                  envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_NO_INPUT, location,
                                        i, layer->name, "inputs",
                                        _("has no layer before it to read: a network starts with an input layer"));
                  return FALSE;
                }
              g_array_append_vals (indices, &(guint) { i - 1 }, 1);
            }
        }
      else
        {
          for (guint k = 0; layer->inputs[k] != NULL; k++)
            {
              const char *input = layer->inputs[k];
              gint64 found = name_table_lookup (&names, input);
              guint j;

              if (found < 0)
                {
                  envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_UNKNOWN_INPUT, location,
                                        i, layer->name, "inputs", _("names \"%s\", but no layer has that name"), input);
                  return FALSE;
                }
              j = (guint) found;
              if (j == i)
                {
                  envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_CYCLE, location,
                                        i, layer->name, "inputs", _("names the layer itself: a layer cannot read its own output"));
                  return FALSE;
                }
              if (j > i)
                {
                  g_autofree guint8 *seen = g_new0 (guint8, n);

                  if (depends_on (network, &names, j, i, seen))
                    envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_CYCLE, location,
                                          i, layer->name, "inputs",
                                          _("names \"%s\" (layers[%u]), which itself depends on this layer: the network has a cycle"),
                                          input, j);
                  else
                    envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_FORWARD_INPUT, location,
                                          i, layer->name, "inputs",
                                          _("names \"%s\" (layers[%u]), which comes later; a layer may only read layers listed before it"),
                                          input, j);
                  return FALSE;
                }
              g_array_append_val (indices, j);
            }
        }

      count = indices->len - offsets[i];
      if (count < kind->min_inputs || count > kind->max_inputs)
        {
          if (kind->max_inputs == 0)
            envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_INPUT_COUNT, location,
                                  i, layer->name, "inputs", _("must be absent: an input layer reads nothing"));
          else if (kind->max_inputs == 1)
            envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_INPUT_COUNT, location,
                                  i, layer->name, "inputs", _("must name exactly one layer for %s, got %u"),
                                  kind->id, count);
          else
            envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_INPUT_COUNT, location,
                                  i, layer->name, "inputs", _("must name at least %u layers for %s, got %u"),
                                  kind->min_inputs, kind->id, count);
          return FALSE;
        }
    }
  offsets[n] = indices->len;

  *offsets_out = g_steal_pointer (&offsets);
  *indices_out = (guint *) (void *) g_array_free (g_steal_pointer (&indices), FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* A JSON value as the readers below see it.  The file is read in one
 * pass of the tokenizer at the end of this section, which keeps no tree
 * of the whole document: the root's members are read into a Tree, the
 * "layers" array skipped, and then each layer read into a Tree of its own
 * that is emptied before the next.  A Tree holds its values in document
 * order, each container followed by its members (so no value needs a
 * child pointer, and nothing is allocated per value), and its strings
 * decoded in one buffer. */
typedef enum
{
  VALUE_NULL,
  VALUE_BOOLEAN,
  VALUE_INTEGER,
  VALUE_REAL,
  VALUE_STRING,
  VALUE_ARRAY,
  VALUE_OBJECT,
} ValueKind;

#define NO_KEY G_MAXSIZE

typedef struct
{
  ValueKind kind;
  guint n;                   /* an array's elements, an object's members */
  guint end;                 /* the index just after this value and its members */
  gsize key;                 /* in an object: its key, at this offset of the text; or NO_KEY */
  gsize at;                  /* where the value starts in the file */
  union
  {
    gboolean boolean;
    gint64 integer;
    double real;
    gsize text;              /* a string: at this offset of the text */
  };
} Value;

typedef struct
{
  GArray *values;            /* Value */
  GString *text;             /* the strings and keys, decoded, each ending in NUL */
  gsize layers_at;           /* the root's "layers" array, skipped; 0: none */
  const GArray *spans;       /* the root tree: its containers, where each opens and ends (check_json()) */
  guint next_span;
  gboolean escaped_keys;     /* a key was written with an escape: two keys may be one */
} Tree;

static void
tree_init (Tree *tree)
{
  tree->values = g_array_sized_new (FALSE, FALSE, sizeof (Value), 32);
  tree->text = g_string_sized_new (256);
  tree->layers_at = 0;
  tree->spans = NULL;
  tree->next_span = 0;
  tree->escaped_keys = FALSE;
}

static void
tree_clear (Tree *tree)
{
  /* a tree may be cleared before it was made */
  if (tree->values != NULL)
    g_array_free (tree->values, TRUE);
  if (tree->text != NULL)
    g_string_free (tree->text, TRUE);
}

static inline const Value *
tree_value (const Tree *tree,
            guint       index)
{
  return &g_array_index (tree->values, Value, index);
}

static inline const char *
value_text (const Tree  *tree,
            const Value *value)
{
  return tree->text->str + value->text;
}

/* A container's first member, or NULL; then the one after @member. */
static inline const Value *
value_first (const Tree  *tree,
             const Value *container)
{
  return container->n > 0 ? container + 1 : NULL;
}

static inline const Value *
value_next (const Tree  *tree,
            const Value *container,
            const Value *member)
{
  return member->end < container->end ? tree_value (tree, member->end) : NULL;
}

/* An object's member @key, or NULL.  check_json() compares keys as
 * written, so "n\u0061me" and "name" may both be there: as json-glib
 * does, the last one counts. */
static const Value *
value_member (const Tree  *tree,
              const Value *object,
              const char  *key)
{
  const Value *found = NULL;

  for (const Value *m = value_first (tree, object); m != NULL; m = value_next (tree, object, m))
    if (strcmp (tree->text->str + m->key, key) == 0)
      {
        if (!tree->escaped_keys)
          return m;
        found = m;
      }
  return found;
}

/* Whether a member before @member has its key (see value_member()):
 * json-glib lists such a key once, where it first appears. */
static gboolean
value_key_repeated (const Tree  *tree,
                    const Value *object,
                    const Value *member)
{
  if (!tree->escaped_keys)
    return FALSE;
  for (const Value *m = value_first (tree, object); m != member; m = value_next (tree, object, m))
    if (strcmp (tree->text->str + m->key, tree->text->str + member->key) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  GError **error;
  guint index;               /* layer index, when in a layer */
  const char *name;          /* layer name, or NULL outside layers */
  const char *section;       /* "training", or NULL */
  const Tree *tree;          /* where the values are */
} Reader;

static const char *
describe_value (const Value *value)
{
  switch (value->kind)
    {
    case VALUE_OBJECT:
      return _("an object");
    case VALUE_ARRAY:
      return _("an array");
    case VALUE_NULL:
      return "null";
    case VALUE_STRING:
      return _("a string");
    case VALUE_BOOLEAN:
      return _("a boolean");
    case VALUE_REAL:
      return _("a fractional number");
    case VALUE_INTEGER:
    default:
      return _("an integer");
    }
}

static gboolean G_GNUC_PRINTF (4, 5)
reader_error (Reader     *reader,
              gint        code,
              const char *key,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (reader->name != NULL)
    envelope_layer_error (reader->error, ENVELOPE_NETWORK_ERROR, code, NULL, reader->index, reader->name, key, "%s", message);
  else if (reader->section != NULL && key != NULL)
    g_set_error (reader->error, ENVELOPE_NETWORK_ERROR, code, "%s: \"%s\" %s", reader->section, key, message);
  else if (reader->section != NULL)
    g_set_error (reader->error, ENVELOPE_NETWORK_ERROR, code, "%s: %s", reader->section, message);
  else if (key != NULL)
    g_set_error (reader->error, ENVELOPE_NETWORK_ERROR, code, "\"%s\" %s", key, message);
  else
    g_set_error_literal (reader->error, ENVELOPE_NETWORK_ERROR, code, message);
  return FALSE;
}

static gboolean
type_error (Reader      *reader,
            const char  *key,
            const char  *expected,
            const Value *value)
{
  return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key, _("must be %s, got %s"), expected, describe_value (value));
}

static inline gboolean
is_integer (const Value *value)
{
  return value->kind == VALUE_INTEGER;
}

static inline gboolean
is_string (const Value *value)
{
  return value->kind == VALUE_STRING;
}

static inline gboolean
is_number (const Value *value)
{
  return value->kind == VALUE_INTEGER || value->kind == VALUE_REAL;
}

static inline double
value_number (const Value *value)
{
  return value->kind == VALUE_INTEGER ? (double) value->integer : value->real;
}

/**
 * envelope_text_char_is_plain:
 *
 * Whether @c may stand in a name (or, with @free_text, in a description,
 * which may break lines): no control character, which would reach a
 * terminal raw, and no direction override, which would reorder a report.
 */
gboolean
envelope_text_char_is_plain (gunichar c,
                             gboolean free_text)
{
  if (free_text && (c == '\n' || c == '\t' || c == '\r'))
    return TRUE;
  return !g_unichar_iscntrl (c) && !(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069);
}

/**
 * envelope_text_problem:
 *
 * Why @text cannot be kept as a name (or free text), or NULL: it must be
 * UTF-8 (json-glib turns a lone surrogate escape such as "\ud800" into
 * bytes that are not) of plain characters (envelope_text_char_is_plain()).
 */
char *
envelope_text_problem (const char *text,
                       gboolean    free_text)
{
  const char *q = text;

  /* most names are printable ASCII: nothing to decode */
  while (*q >= 0x20 && *q < 0x7f)
    q++;
  if (*q == '\0')
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup (_("is not valid UTF-8 text (a lone surrogate escape such as \\ud800 makes no character)"));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!envelope_text_char_is_plain (c, free_text))
        return g_strdup_printf (_("holds the control character U+%04X at position %u; it must be plain text"),
                                c, (guint) g_utf8_pointer_to_offset (text, p));
    }
  return NULL;
}

static gboolean
check_text (Reader     *reader,
            const char *key,
            const char *text,
            gboolean    free_text)
{
  g_autofree char *problem = envelope_text_problem (text, free_text);

  if (problem == NULL)
    return TRUE;
  return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key, "%s", problem);
}

static gboolean
read_string (Reader       *reader,
             const Value  *value,
             const char   *key,
             const char  **out)
{
  if (!is_string (value))
    return type_error (reader, key, _("a string"), value);
  *out = value_text (reader->tree, value);
  return check_text (reader, key, *out, g_str_equal (key, "description"));
}

/* @expected is untranslated (N_()): a layer's fields are read a million
 * times, and the words are wanted only in a message. */
static gboolean
read_integer (Reader      *reader,
              const Value *value,
              const char  *key,
              const char  *expected,
              gint64      *out)
{
  if (!is_integer (value))
    return type_error (reader, key, _(expected), value);
  *out = value->integer;
  return TRUE;
}

/* An integer, or a list of one per spatial axis (1 to 3).  The entries
 * the list leaves out repeat its last one, so [3, 3] and 3 hold the same
 * values; @length records what was written. */
static gboolean
read_list (Reader      *reader,
           const Value *value,
           const char  *key,
           const char  *expected,
           gint64       out[ENVELOPE_MAX_SPATIAL],
           guint8      *length)
{
  if (is_integer (value))
    {
      fill_list (out, value->integer);
      *length = 0;
      return TRUE;
    }
  if (value->kind == VALUE_ARRAY)
    {
      guint n = value->n, i = 0;

      if (n < 1 || n > ENVELOPE_MAX_SPATIAL)
        return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                             _("must be %s; the array must hold one integer per spatial axis (1 to 3), got %u elements"),
                             _(expected), n);
      for (const Value *element = value_first (reader->tree, value); element != NULL;
           element = value_next (reader->tree, value, element), i++)
        {
          if (!is_integer (element))
            return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                                 _("must hold integers, got %s at position %u"), describe_value (element), i);
          out[i] = element->integer;
        }
      for (i = n; i < ENVELOPE_MAX_SPATIAL; i++)
        out[i] = out[n - 1];
      *length = (guint8) n;
      return TRUE;
    }
  return type_error (reader, key, _(expected), value);
}

static gboolean
read_number (Reader      *reader,
             const Value *value,
             const char  *key,
             double      *out)
{
  if (!is_number (value))
    return type_error (reader, key, _("a number"), value);
  *out = value_number (value);
  return TRUE;
}

static gboolean
read_field (Reader        *reader,
            const Value   *value,
            const char    *key,
            EnvelopeField  field,
            EnvelopeLayer *layer)
{
  const EnvelopeFieldInfo *info = envelope_field_get_info (field);
  const Tree *tree = reader->tree;

  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      {
        guint n, i = 0;

        if (value->kind != VALUE_ARRAY)
          return type_error (reader, key, _("a list of sizes such as [C, H, W], [T, D] or [N]"), value);
        n = value->n;
        if (n < 1 || n > ENVELOPE_MAX_RANK)
          return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                               _("must be [N], [T, D], [C, L], [C, H, W] or [C, D, H, W], got %u sizes"), n);
        for (const Value *element = value_first (tree, value); element != NULL;
             element = value_next (tree, value, element), i++)
          {
            if (!is_integer (element))
              return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                                   _("must hold integers, got %s at position %u"), describe_value (element), i);
            layer->shape[i] = element->integer;
          }
        layer->shape_rank = n;
        return TRUE;
      }

    case ENVELOPE_VALUE_COUNT:
      return read_integer (reader, value, key,
                           info->minimum > 0 ? N_("a positive integer") : N_("an integer ≥ 0"),
                           FIELD_VALUE (layer, info, gint64));

    case ENVELOPE_VALUE_INTEGER:
      return read_integer (reader, value, key, N_("an integer"), FIELD_VALUE (layer, info, gint64));

    case ENVELOPE_VALUE_PAIR:
      return read_list (reader, value, key, N_("a positive integer or one per spatial axis"),
                        FIELD_VALUE (layer, info, gint64), &ENVELOPE_LAYER_LENGTH (layer, field));

    case ENVELOPE_VALUE_OFFSET:
      return read_list (reader, value, key, N_("an integer or one per spatial axis"),
                        FIELD_VALUE (layer, info, gint64), &ENVELOPE_LAYER_LENGTH (layer, field));

    case ENVELOPE_VALUE_PADDING:
      if (is_string (value))
        {
          const char *mode = value_text (tree, value);

          if (g_str_equal (mode, "same"))
            layer->padding_mode = ENVELOPE_PADDING_SAME;
          else if (g_str_equal (mode, "valid"))
            layer->padding_mode = ENVELOPE_PADDING_VALID;
          else
            return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key,
                                 _("must be an integer, one per spatial axis, \"same\" or \"valid\", got \"%s\""), mode);
          fill_list (layer->padding, 0);
          ENVELOPE_LAYER_LENGTH (layer, field) = 0;
          return TRUE;
        }
      layer->padding_mode = ENVELOPE_PADDING_EXPLICIT;
      return read_list (reader, value, key, N_("an integer, one per spatial axis, \"same\" or \"valid\""),
                        layer->padding, &ENVELOPE_LAYER_LENGTH (layer, field));

    case ENVELOPE_VALUE_BOOLEAN:
      if (value->kind != VALUE_BOOLEAN)
        return type_error (reader, key, _("true or false"), value);
      *FIELD_VALUE (layer, info, gboolean) = value->boolean;
      return TRUE;

    case ENVELOPE_VALUE_CHOICE:
      {
        const char *text;
        gint choice;

        if (!read_string (reader, value, key, &text))
          return FALSE;
        choice = envelope_field_choice_lookup (info, text);
        if (choice < 0)
          {
            g_autofree char *valid = envelope_field_list_choices (info);
            return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key,
                                 _("must be %s, got \"%s\""), valid, text);
          }
        *FIELD_VALUE (layer, info, gint) = choice;
        return TRUE;
      }

    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      return read_number (reader, value, key, FIELD_VALUE (layer, info, double));

    case ENVELOPE_VALUE_NAME:
      {
        const char *text;

        if (!read_string (reader, value, key, &text))
          return FALSE;
        g_free (*FIELD_VALUE (layer, info, char *));
        *FIELD_VALUE (layer, info, char *) = g_strdup (text);
        return TRUE;
      }

    case ENVELOPE_VALUE_REALS:
      {
        double *values = FIELD_VALUE (layer, info, double);
        guint n, i = 0;

        if (value->kind != VALUE_ARRAY)
          {
            if (!read_number (reader, value, key, &values[0]))
              return FALSE;
            for (i = 1; i < ENVELOPE_MAX_SPATIAL; i++)
              values[i] = values[0];
            ENVELOPE_LAYER_LENGTH (layer, field) = 0;
            return TRUE;
          }
        n = value->n;
        if (n < 1 || n > ENVELOPE_MAX_SPATIAL)
          return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                               _("must be a number or one per spatial axis (1 to 3), got %u elements"), n);
        for (const Value *element = value_first (tree, value); element != NULL;
             element = value_next (tree, value, element), i++)
          {
            if (!is_number (element))
              return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                                   _("must hold numbers, got %s at position %u"), describe_value (element), i);
            values[i] = value_number (element);
          }
        for (i = n; i < ENVELOPE_MAX_SPATIAL; i++)
          values[i] = values[n - 1];
        ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) n;
        return TRUE;
      }

    case ENVELOPE_VALUE_AXES:
      {
        guint n, i = 0;

        if (value->kind != VALUE_ARRAY)
          return type_error (reader, key, _("a list of axes such as [0, 2, 1]"), value);
        n = value->n;
        if (n < 1 || n > ENVELOPE_MAX_RANK)
          return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                               _("must list 1 to %u axes, got %u"), ENVELOPE_MAX_RANK, n);
        for (const Value *element = value_first (tree, value); element != NULL;
             element = value_next (tree, value, element), i++)
          {
            if (!is_integer (element))
              return reader_error (reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                                   _("must hold integers, got %s at position %u"), describe_value (element), i);
            FIELD_VALUE (layer, info, gint64)[i] = element->integer;
          }
        ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) n;
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

/* The layer kinds by id and the fields by key, in hash tables: the
 * tables themselves are searched in order, and a million layers look up
 * a kind and a few keys each. */
static GHashTable *
kinds_index (void)
{
  static gsize index = 0;

  if (g_once_init_enter (&index))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
        {
          const EnvelopeLayerKind *kind = envelope_layer_kind_get (t);

          g_hash_table_insert (table, (gpointer) kind->id, (gpointer) kind);
        }
      g_once_init_leave (&index, (gsize) table);
    }
  return (GHashTable *) index;
}

static const EnvelopeLayerKind *
lookup_kind (const char *id)
{
  return g_hash_table_lookup (kinds_index (), id);
}

static gboolean
lookup_field (const char    *key,
              EnvelopeField *field)
{
  static gsize index = 0;
  gpointer value;

  if (g_once_init_enter (&index))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
        g_hash_table_insert (table, (gpointer) envelope_field_get_info (f)->key, GUINT_TO_POINTER (f + 1));
      g_once_init_leave (&index, (gsize) table);
    }
  value = g_hash_table_lookup ((GHashTable *) index, key);
  if (value == NULL)
    return FALSE;
  *field = (EnvelopeField) (GPOINTER_TO_UINT (value) - 1);
  return TRUE;
}

/* The layer that is the first value of @tree. */
static EnvelopeLayer *
read_layer (const Tree  *tree,
            guint        index,
            GError     **error)
{
  Reader reader = { error, index, NULL, NULL, tree };
  g_autoptr(EnvelopeLayer) layer = NULL;
  const EnvelopeLayerKind *kind;
  const Value *object = tree_value (tree, 0);
  const Value *member;
  const char *name, *type;

  if (object->kind != VALUE_OBJECT)
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_TYPE,
                   _("layers[%u] must be an object, got %s"), index, describe_value (object));
      return NULL;
    }

  member = value_member (tree, object, "name");
  if (member == NULL)
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_MISSING,
                   _("layers[%u]: \"name\" is missing; every layer needs a unique name"), index);
      return NULL;
    }
  if (!is_string (member))
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_TYPE,
                   _("layers[%u]: \"name\" must be a string, got %s"), index, describe_value (member));
      return NULL;
    }
  name = value_text (tree, member);
  {
    /* not named in the message: the name is what is wrong */
    g_autofree char *problem = envelope_text_problem (name, FALSE);

    if (problem != NULL)
      {
        g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE,
                     "layers[%u]: \"name\" %s", index, problem);
        return NULL;
      }
  }
  reader.name = name;

  member = value_member (tree, object, "type");
  if (member == NULL)
    {
      reader_error (&reader, ENVELOPE_NETWORK_ERROR_MISSING, "type", _("is missing"));
      return NULL;
    }
  if (!read_string (&reader, member, "type", &type))
    return NULL;
  kind = lookup_kind (type);
  if (kind == NULL)
    {
      g_autofree char *valid = envelope_layer_kind_list_valid ();
      const char *meant = envelope_layer_kind_suggest (type);

      if (meant != NULL)
        reader_error (&reader, ENVELOPE_NETWORK_ERROR_UNKNOWN_TYPE, "type",
                      _("is \"%s\", which is not a layer type; did you mean \"%s\"? Valid types: %s"),
                      type, meant, valid);
      else
        reader_error (&reader, ENVELOPE_NETWORK_ERROR_UNKNOWN_TYPE, "type",
                      _("is \"%s\", which is not a layer type; valid types: %s"), type, valid);
      return NULL;
    }

  layer = envelope_layer_new (kind->type, name);
  layer->set = 0;

  for (const Value *first = value_first (tree, object); first != NULL; first = value_next (tree, object, first))
    {
      const char *key = tree->text->str + first->key;
      EnvelopeField field;

      if (g_str_equal (key, "name") || g_str_equal (key, "type") || value_key_repeated (tree, object, first))
        continue;
      member = value_member (tree, object, key);
      if (g_str_equal (key, "inputs") && kind->max_inputs > 0)
        {
          guint i = 0;

          if (member->kind != VALUE_ARRAY)
            {
              type_error (&reader, key, _("a list of layer names"), member);
              return NULL;
            }
          layer->inputs = g_new0 (char *, member->n + 1);
          for (const Value *element = value_first (tree, member); element != NULL;
               element = value_next (tree, member, element), i++)
            {
              if (!is_string (element))
                {
                  reader_error (&reader, ENVELOPE_NETWORK_ERROR_TYPE, key,
                                _("must be a list of layer names, got %s at position %u"), describe_value (element), i);
                  return NULL;
                }
              if (!check_text (&reader, key, value_text (tree, element), FALSE))
                return NULL;
              layer->inputs[i] = g_strdup (value_text (tree, element));
            }
          continue;
        }
      if (g_str_equal (key, "group"))
        {
          const char *group;
          if (!read_string (&reader, member, key, &group))
            return NULL;
          layer->group = g_strdup (group);
          continue;
        }
      if (!lookup_field (key, &field) || !(kind->fields & ENVELOPE_FIELD_BIT (field)))
        {
          g_autofree char *valid = envelope_layer_kind_list_keys (kind);
          reader_error (&reader, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY, key,
                        _("is not a setting of %s layers; valid keys: %s"), kind->id, valid);
          return NULL;
        }
      if (!read_field (&reader, member, key, field, layer))
        return NULL;
      layer->set |= ENVELOPE_FIELD_BIT (field);
    }

  for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
    {
      if ((kind->required & ENVELOPE_FIELD_BIT (f)) && !(layer->set & ENVELOPE_FIELD_BIT (f)))
        {
          reader_error (&reader, ENVELOPE_NETWORK_ERROR_MISSING, envelope_field_get_info (f)->key,
                        _("is missing; every %s layer needs it"), kind->id);
          return NULL;
        }
    }

  if (!envelope_layer_validate (layer, index, NULL, error))
    return NULL;
  return g_steal_pointer (&layer);
}

static gboolean
check_keys (Reader            *reader,
            const Value       *object,
            const char *const *valid,
            guint              n_valid)
{
  for (const Value *m = value_first (reader->tree, object); m != NULL; m = value_next (reader->tree, object, m))
    {
      const char *key = reader->tree->text->str + m->key;
      gboolean known = FALSE;

      if (value_key_repeated (reader->tree, object, m))
        continue;
      for (guint i = 0; i < n_valid && !known; i++)
        known = g_str_equal (key, valid[i]);
      if (!known)
        {
          g_autofree char *list = join_names (valid, n_valid);
          return reader_error (reader, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY, key,
                               _("is not a known key; valid keys: %s"), list);
        }
    }
  return TRUE;
}

/* A byte count: an integer, or a string such as "12 GiB". */
static gboolean
read_bytes (Reader      *reader,
            const Value *object,
            const char  *key,
            guint64     *out)
{
  const Value *value = value_member (reader->tree, object, key);

  if (is_integer (value))
    {
      gint64 number = value->integer;
      if (number < 0)
        return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key,
                             _("must not be negative, got %" PRId64), number);
      *out = (guint64) number;
      return TRUE;
    }
  if (is_string (value))
    {
      if (envelope_parse_bytes (value_text (reader->tree, value), out))
        return TRUE;
      return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key,
                           _("must be a byte count such as 12884901888 or \"12 GiB\", got \"%s\""),
                           value_text (reader->tree, value));
    }
  return type_error (reader, key, _("a byte count"), value);
}

/* A value type (fp32, fp16…) at @key; an unknown one names the valid ones. */
static gboolean
read_dtype (Reader        *reader,
            const Value   *object,
            const char    *key,
            EnvelopeDtype *dtype)
{
  const char *text;

  if (!read_string (reader, value_member (reader->tree, object, key), key, &text))
    return FALSE;
  if (!envelope_dtype_from_string (text, dtype))
    {
      g_autofree char *valid = envelope_dtype_list_valid ();
      return reader_error (reader, ENVELOPE_NETWORK_ERROR_VALUE, key, _("is \"%s\"; valid types: %s"), text, valid);
    }
  return TRUE;
}

static gboolean
read_training (const Tree       *tree,
               const Value      *object,
               EnvelopeTraining *training,
               GError          **error)
{
  Reader reader = { error, 0, NULL, "training", tree };
  gint64 value = 0;

#define HAS(key) (value_member (tree, object, (key)) != NULL)
  if (object->kind != VALUE_OBJECT)
    return type_error (&reader, NULL, _("an object"), object);
  if (!check_keys (&reader, object, training_keys, G_N_ELEMENTS (training_keys)))
    return FALSE;

  if (HAS ("batch"))
    {
      if (!read_integer (&reader, value_member (tree, object, "batch"), "batch", N_("a positive integer"), &value))
        return FALSE;
      if (value < 1)
        return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "batch",
                             _("must be at least 1, got %" PRId64), value);
      training->batch = (guint64) value;
      training->set |= ENVELOPE_TRAINING_BATCH;
    }
  if (HAS ("target_batch"))
    {
      if (!read_integer (&reader, value_member (tree, object, "target_batch"), "target_batch", N_("a positive integer"), &value))
        return FALSE;
      if (value < 1)
        return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "target_batch",
                             _("must be at least 1, got %" PRId64), value);
      training->target_batch = (guint64) value;
      training->set |= ENVELOPE_TRAINING_TARGET_BATCH;
    }
  if (HAS ("dtype"))
    {
      if (!read_dtype (&reader, object, "dtype", &training->dtype))
        return FALSE;
      training->set |= ENVELOPE_TRAINING_DTYPE;
    }
  if (HAS ("mixed_precision"))
    {
      const Value *flag = value_member (tree, object, "mixed_precision");
      if (flag->kind != VALUE_BOOLEAN)
        return type_error (&reader, "mixed_precision", _("true or false"), flag);
      training->mixed_precision = flag->boolean;
      training->set |= ENVELOPE_TRAINING_MIXED_PRECISION;
    }
  if (HAS ("optimizer"))
    {
      const char *optimizer;
      if (!read_string (&reader, value_member (tree, object, "optimizer"), "optimizer", &optimizer))
        return FALSE;
      if (!envelope_optimizer_from_string (optimizer, &training->optimizer))
        {
          g_autofree char *valid = envelope_optimizer_list_valid ();
          return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "optimizer",
                               _("is \"%s\"; valid optimizers: %s"), optimizer, valid);
        }
      training->set |= ENVELOPE_TRAINING_OPTIMIZER;
    }
  if (HAS ("device") && HAS ("device_memory"))
    return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "device_memory",
                         _("cannot be given with \"device\": name a preset or give the memory, not both"));
  if (HAS ("device"))
    {
      const char *device;
      const EnvelopeDevice *preset;

      if (!read_string (&reader, value_member (tree, object, "device"), "device", &device))
        return FALSE;
      preset = envelope_devices_lookup (device);
      if (preset == NULL)
        {
          g_autofree char *valid = envelope_devices_list_valid ();
          return reader_error (&reader, ENVELOPE_NETWORK_ERROR_DEVICE, "device",
                               _("is \"%s\", which is not a device preset; give \"device_memory\" in bytes, or one of: %s"),
                               device, valid);
        }
      training->device = g_strdup (preset->name);
      training->device_memory = preset->memory;
      training->set |= ENVELOPE_TRAINING_DEVICE;
    }
  if (HAS ("device_memory"))
    {
      if (!read_bytes (&reader, object, "device_memory", &training->device_memory))
        return FALSE;
      if (training->device_memory == 0)
        return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "device_memory", _("must be above 0"));
      training->set |= ENVELOPE_TRAINING_DEVICE_MEMORY;
    }
  if (HAS ("reserved_memory"))
    {
      if (!read_bytes (&reader, object, "reserved_memory", &training->reserved_memory))
        return FALSE;
      training->set |= ENVELOPE_TRAINING_RESERVED_MEMORY;
    }
  if (HAS ("memory_model"))
    {
      const char *model;
      if (!read_string (&reader, value_member (tree, object, "memory_model"), "memory_model", &model))
        return FALSE;
      if (!envelope_memory_model_from_string (model, &training->memory_model))
        return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "memory_model",
                             _("is \"%s\"; valid models: pytorch, lecture"), model);
      training->set |= ENVELOPE_TRAINING_MEMORY_MODEL;
    }
  if (HAS ("context_memory"))
    {
      if (!read_bytes (&reader, object, "context_memory", &training->context_memory))
        return FALSE;
      training->set |= ENVELOPE_TRAINING_CONTEXT_MEMORY;
    }
  if (HAS ("generate"))
    {
      const char *text;
      if (!read_string (&reader, value_member (tree, object, "generate"), "generate", &text))
        return FALSE;
      if (!envelope_parse_generate (text, &training->prompt_tokens, &training->new_tokens))
        return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "generate",
                             _("is \"%s\"; write the prompt and the new tokens as 512+128"), text);
      training->set |= ENVELOPE_TRAINING_GENERATE;
    }
  if (HAS ("kv_cache"))
    {
      if (!read_dtype (&reader, object, "kv_cache", &training->kv_cache))
        return FALSE;
      training->set |= ENVELOPE_TRAINING_KV_CACHE;
    }
#undef HAS
  return TRUE;
}
/* json-glib says "<data>:3:14: Parse error: …"; keep the line:column. */
static void
set_parse_error (GError    **error,
                 const char *message)
{
  const char *text = g_str_has_prefix (message, "<data>:") ? message + strlen ("<data>:") : message;

  g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_PARSE,
               _("%s (not valid JSON)"), text);
}

/* The file format is JSON, and json-glib reads more than JSON: single
 * quotes, comments, hex numbers, and a repeated key whose last value
 * silently wins (a second "layers" drops the first's layers).  Its parser
 * also recurses once per level of nesting, so a file of thousands of "["
 * would overflow the stack.  So every file is first checked here, without
 * recursion, to be strict JSON (RFC 8259) nesting at most MAX_NESTING
 * deep with no key twice in an object; each refusal says line:column. */
#define MAX_NESTING 64

/* The layers of a long file are read in chunks of this many, on as many
 * threads as there are processors (envelope_network_load_from_data()). */
#define LAYER_CHUNK 4096

typedef struct
{
  const char *data;
  gsize len;
  gsize pos;
  guint line;
  gsize line_start;          /* offset of the current line's first byte */
  GError **error;
} Json;

typedef struct
{
  gboolean object;
  gboolean expect_key;       /* in an object: a key (or "}") comes next */
  gboolean expect_value;     /* in an object: a key and its ":" are read, a value comes next */
  gboolean first;            /* nothing read in it yet */
  guint first_key;           /* its keys' offsets in the checker's stack of keys start here */
  GHashTable *many;          /* an object of many keys: the keys as written, to find one twice in one lookup */
  gsize at;                  /* where it opens */
  guint count;               /* an array: the values read in it so far */
} Level;

static gboolean G_GNUC_PRINTF (2, 3)
json_fail (Json       *j,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (j->error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_PARSE,
               _("%u:%u: %s (not valid JSON)"), j->line, (guint) (j->pos - j->line_start + 1), message);
  return FALSE;
}

static void
json_skip_more_space (Json *j)
{
  while (j->pos < j->len)
    {
      char c = j->data[j->pos];

      if (c == '\n')
        {
          j->line++;
          j->line_start = j->pos + 1;
        }
      else if (c != ' ' && c != '\t' && c != '\r')
        return;
      j->pos++;
    }
}

/* Inlined where it is called, twice a value or more: most values follow
 * their comma or colon after one space or none. */
static inline void
json_skip_space (Json *j)
{
  if (j->pos < j->len && j->data[j->pos] > ' ')
    return;
  json_skip_more_space (j);
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

/* A string from its opening quote; leaves @pos after the closing one. */
static gboolean
json_string (Json *j)
{
  j->pos++;
  while (j->pos < j->len)
    {
      guchar c;

      /* a string's text up to its end, or to an escape or a control
       * character, passed over at once */
      j->pos += envelope_json_plain_run (j->data, j->data + j->pos, j->data + j->len);
      if (j->pos >= j->len)
        break;
      c = (guchar) j->data[j->pos];

      if (c == '"')
        {
          j->pos++;
          return TRUE;
        }
      if (c == '\n')
        return json_fail (j, _("a string is not closed before the end of its line"));
      if (c < 0x20)
        return json_fail (j, _("a control character inside a string; write it as an escape such as \\t"));
      if (c == '\\')
        {
          char e = j->pos + 1 < j->len ? j->data[j->pos + 1] : '\0';

          if (e == 'u')
            {
              gsize escape = j->pos;
              guint code = 0;

              for (guint k = 0; k < 4; k++)
                {
                  int v = j->pos + 2 + k < j->len ? hex_value (j->data[j->pos + 2 + k]) : -1;

                  if (v < 0)
                    return json_fail (j, _("\\u must be followed by four hexadecimal digits"));
                  code = code * 16 + (guint) v;
                }
              j->pos += 6;
              if (code >= 0xd800 && code <= 0xdbff)
                {
                  /* a high surrogate must pair with a low one */
                  guint low = 0;

                  if (j->pos + 6 > j->len || j->data[j->pos] != '\\' || j->data[j->pos + 1] != 'u')
                    {
                      j->pos = escape;
                      return json_fail (j, _("\\u%04X is half of a character: a low surrogate \\uDC00–\\uDFFF must follow"), code);
                    }
                  for (guint k = 0; k < 4; k++)
                    {
                      int v = hex_value (j->data[j->pos + 2 + k]);

                      if (v < 0)
                        return json_fail (j, _("\\u must be followed by four hexadecimal digits"));
                      low = low * 16 + (guint) v;
                    }
                  if (low < 0xdc00 || low > 0xdfff)
                    {
                      j->pos = escape;
                      return json_fail (j, _("\\u%04X is half of a character: a low surrogate \\uDC00–\\uDFFF must follow"), code);
                    }
                  j->pos += 6;
                }
              else if (code >= 0xdc00 && code <= 0xdfff)
                {
                  j->pos = escape;
                  return json_fail (j, _("\\u%04X is half of a character with no first half"), code);
                }
              else if (code == 0)
                {
                  j->pos = escape;
                  return json_fail (j, _("\\u0000 would end the text early"));
                }
              continue;
            }
          if (strchr ("\"\\/bfnrt", e) == NULL || e == '\0')
            return json_fail (j, _("\\%c is not a JSON escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
                              e != '\0' ? e : ' ');
          j->pos += 2;
          continue;
        }
      j->pos++;
    }
  return json_fail (j, _("the file ends inside a string"));
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
json_number (Json *j)
{
  const char *d = j->data;
  gsize p = j->pos;

  if (p < j->len && d[p] == '-')
    p++;
  if (p < j->len && d[p] == '0')
    {
      p++;
      if (p < j->len && (g_ascii_isdigit (d[p]) || d[p] == 'x' || d[p] == 'X'))
        return json_fail (j, _("a number may not start with 0 (no octal or hexadecimal numbers in JSON)"));
    }
  else if (p < j->len && g_ascii_isdigit (d[p]))
    while (p < j->len && g_ascii_isdigit (d[p]))
      p++;
  else
    return json_fail (j, _("a number must have digits"));
  if (p >= j->len || (d[p] != '.' && d[p] != 'e' && d[p] != 'E'))
    {
      /* an integer: json-glib keeps it in a gint64, and one beyond would
       * come back as another number */
      gsize start = j->pos + (d[j->pos] == '-'), digits = p - start;
      const char *limit = d[j->pos] == '-' ? "9223372036854775808" : "9223372036854775807";

      if (digits > 19 || (digits == 19 && memcmp (d + start, limit, 19) > 0))
        return json_fail (j, _("%.*s is beyond the integers Envelope reads (−2^63 to 2^63 − 1)"),
                          (int) MIN (p - j->pos, 40), d + j->pos);
    }
  if (p < j->len && d[p] == '.')
    {
      p++;
      if (p >= j->len || !g_ascii_isdigit (d[p]))
        return json_fail (j, _("a decimal point must be followed by digits"));
      while (p < j->len && g_ascii_isdigit (d[p]))
        p++;
    }
  if (p < j->len && (d[p] == 'e' || d[p] == 'E'))
    {
      p++;
      if (p < j->len && (d[p] == '+' || d[p] == '-'))
        p++;
      if (p >= j->len || !g_ascii_isdigit (d[p]))
        return json_fail (j, _("an exponent must have digits"));
      while (p < j->len && g_ascii_isdigit (d[p]))
        p++;
    }
  j->pos = p;
  return TRUE;
}

static gboolean
json_literal (Json *j)
{
  static const char *const words[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize n = strlen (words[i]);

      if (j->len - j->pos >= n && memcmp (j->data + j->pos, words[i], n) == 0 &&
          (j->pos + n == j->len || !g_ascii_isalnum (j->data[j->pos + n])))
        {
          j->pos += n;
          return TRUE;
        }
    }
  if (j->data[j->pos] == '\'')
    return json_fail (j, _("strings are in double quotes in JSON, not single ones"));
  if (j->data[j->pos] == '/')
    return json_fail (j, _("JSON has no comments"));
  return json_fail (j, _("unexpected character “%c”"), g_ascii_isprint (j->data[j->pos]) ? j->data[j->pos] : '?');
}

/* An object holds a few keys, compared in turn; beyond this many, they
 * go in a hash table, so that an object of 100,000 keys is not checked
 * in 10^10 comparisons. */
#define FEW_KEYS 16

/* Whether the key whose opening quote is at @at was seen in @level (its
 * keys' offsets in @keys from level->first_key on), and notes it;
 * keys are compared as written (escapes included). */
static gboolean
json_key_seen (Json   *j,
               GArray *keys,
               Level  *level,
               gsize   at,
               gsize   end)
{
  gsize n = end - at;

  if (level->many == NULL)
    {
      for (guint k = level->first_key; k < keys->len; k++)
        {
          gsize other = g_array_index (keys, gsize, k);

          if (other + n <= j->len && memcmp (j->data + other, j->data + at, n) == 0 && j->data[other + n - 1] == '"')
            return TRUE;
        }
      g_array_append_val (keys, at);
      if (keys->len - level->first_key > FEW_KEYS)
        {
          level->many = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          for (guint k = level->first_key; k < keys->len; k++)
            {
              gsize other = g_array_index (keys, gsize, k);
              gsize other_end = other + 1;

              while (j->data[other_end] != '"')
                other_end += j->data[other_end] == '\\' ? 2 : 1;
              g_hash_table_add (level->many, g_strndup (j->data + other, other_end + 1 - other));
            }
        }
      return FALSE;
    }
  return !g_hash_table_add (level->many, g_strndup (j->data + at, n));
}

static void
level_clear (GArray *keys,
             Level  *level)
{
  if (level->object)
    g_array_set_size (keys, level->first_key);
  g_clear_pointer (&level->many, g_hash_table_unref);
}

/* Checks that @data is JSON, and notes in @spans where each array or
 * object among the root's members opens and ends (pairs of offsets), so
 * that the reader can pass over the layers without reading them twice,
 * and in @marks, for each array among them, where every LAYER_CHUNK-th
 * value starts (pairs: the array's offset, the value's), so that the
 * layers can be read a chunk at a time on several threads. */
static gboolean
check_json (const char *data,
            gsize       len,
            GArray     *spans,
            GArray     *marks,
            GError    **error)
{
  Json j = { data, len, 0, 1, 0, error };
  Level stack[MAX_NESTING];
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint depth = 0;
  gboolean ok = FALSE;

  /* a value, then only space: each turn reads one value or closes one
   * level, with the stack of open levels in @stack */
  for (;;)
    {
      Level *top = depth > 0 ? &stack[depth - 1] : NULL;
      char c;

      json_skip_space (&j);
      if (j.pos >= j.len)
        {
          if (depth > 0 || j.pos == 0)
            {
              json_fail (&j, _("the file ends early: %u arrays or objects are still open"), depth);
              goto out;
            }
          break;
        }
      c = data[j.pos];

      /* closing, or the comma between members */
      if (top != NULL && (c == ']' || c == '}'))
        {
          if (c != (top->object ? '}' : ']'))
            {
              json_fail (&j, top->object ? _("an object must end with “}”") : _("an array must end with “]”"));
              goto out;
            }
          if (top->expect_value)
            {
              json_fail (&j, _("a key and “:” must be followed by a value"));
              goto out;
            }
          if (!top->first && top->expect_key && top->object)
            {
              json_fail (&j, _("a comma before “}” (no trailing commas in JSON)"));
              goto out;
            }
          j.pos++;
          level_clear (keys, top);
          depth--;
          if (depth == 1 && stack[0].object)
            {
              gsize span[2] = { top->at, j.pos };
              g_array_append_vals (spans, span, 2);
            }
          if (depth == 0)
            {
              json_skip_space (&j);
              if (j.pos < j.len)
                {
                  json_fail (&j, _("more after the end of the JSON value"));
                  goto out;
                }
              ok = TRUE;
              goto out;
            }
          stack[depth - 1].first = FALSE;
          goto after_value;
        }

      if (top != NULL && top->object && top->expect_key)
        {
          gsize at = j.pos;

          if (c != '"')
            {
              if (c == '\'')
                json_fail (&j, _("keys are strings in double quotes in JSON, not single ones"));
              else if (c == '/')
                json_fail (&j, _("JSON has no comments"));
              else
                json_fail (&j, _("an object's member must start with a key in double quotes"));
              goto out;
            }
          if (!json_string (&j))
            goto out;
          if (json_key_seen (&j, keys, top, at, j.pos))
            {
              g_autofree char *key = g_strndup (data + at + 1, MIN (j.pos - at - 2, 40));

              j.pos = at;
              json_fail (&j, _("the key \"%s\" appears twice in this object; JSON objects need unique keys"), key);
              goto out;
            }
          json_skip_space (&j);
          if (j.pos >= j.len || data[j.pos] != ':')
            {
              json_fail (&j, _("a key must be followed by “:”"));
              goto out;
            }
          j.pos++;
          top->expect_key = FALSE;
          top->expect_value = TRUE;
          continue;
        }

      /* a value */
      if (depth == 2 && stack[0].object && !top->object)
        {
          if (top->count % LAYER_CHUNK == 0)
            {
              gsize mark[2] = { top->at, j.pos };
              g_array_append_vals (marks, mark, 2);
            }
          top->count++;
        }
      if (c == '{' || c == '[')
        {
          if (depth == MAX_NESTING)
            {
              json_fail (&j, _("arrays and objects nest more than %u deep here; a network file needs a few levels"),
                         MAX_NESTING);
              goto out;
            }
          j.pos++;
          if (top != NULL)
            top->expect_value = FALSE;
          stack[depth].object = c == '{';
          stack[depth].expect_key = c == '{';
          stack[depth].first = TRUE;
          stack[depth].expect_value = FALSE;
          stack[depth].first_key = keys->len;
          stack[depth].many = NULL;
          stack[depth].at = j.pos - 1;
          stack[depth].count = 0;
          depth++;
          continue;
        }
      if (c == '"')
        {
          if (!json_string (&j))
            goto out;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          if (!json_number (&j))
            goto out;
        }
      else if (!json_literal (&j))
        goto out;
      if (top == NULL)
        {
          json_skip_space (&j);
          if (j.pos < j.len)
            {
              json_fail (&j, _("more after the end of the JSON value"));
              goto out;
            }
          ok = TRUE;
          goto out;
        }
      top->first = FALSE;
      top->expect_value = FALSE;

    after_value:
      /* after a member: "," and the next, or the end of the level */
      top = &stack[depth - 1];
      json_skip_space (&j);
      if (j.pos >= j.len)
        continue;   /* "ends early" above */
      if (data[j.pos] == ',')
        {
          j.pos++;
          json_skip_space (&j);
          if (j.pos < j.len && (data[j.pos] == ']' || data[j.pos] == '}'))
            {
              json_fail (&j, _("a comma before “%c” (no trailing commas in JSON)"), data[j.pos]);
              goto out;
            }
          if (top->object)
            top->expect_key = TRUE;
          continue;
        }
      if (data[j.pos] != (top->object ? '}' : ']'))
        {
          json_fail (&j, top->object ? _("expected “,” or “}” after an object's member")
                                     : _("expected “,” or “]” after an array's element"));
          goto out;
        }
    }
  ok = TRUE;

out:
  while (depth > 0)
    {
      level_clear (keys, &stack[depth - 1]);
      depth--;
    }
  return ok;
}

/* Reading what check_json() accepted into a Tree: nothing is checked
 * again here, and no value is allocated on its own. */

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tree, tree_clear)

static inline gsize
skip_space (const char *data,
            gsize       len,
            gsize       pos)
{
  while (pos < len && (data[pos] == ' ' || data[pos] == '\n' || data[pos] == '\r' || data[pos] == '\t'))
    pos++;
  return pos;
}

static gunichar
hex4 (const char *digits)
{
  gunichar code = 0;

  for (guint k = 0; k < 4; k++)
    code = code * 16 + (gunichar) hex_value (digits[k]);
  return code;
}

/* The string whose opening quote is at @pos, decoded into the tree's
 * text with a NUL after it; returns the position after its closing quote. */
static gsize
tree_string (Tree       *tree,
             const char *data,
             gsize       pos)
{
  GString *text = tree->text;
  gsize run = ++pos;

  for (;;)
    {
      char c = data[pos];
      gunichar code;

      if (c != '"' && c != '\\')
        {
          pos++;
          continue;
        }
      envelope_string_put (text, data + run, pos - run);
      if (c == '"')
        {
          g_string_append_c (text, '\0');
          return pos + 1;
        }
      switch (data[pos + 1])
        {
        case 'b': g_string_append_c (text, '\b'); break;
        case 'f': g_string_append_c (text, '\f'); break;
        case 'n': g_string_append_c (text, '\n'); break;
        case 'r': g_string_append_c (text, '\r'); break;
        case 't': g_string_append_c (text, '\t'); break;
        case 'u':
          code = hex4 (data + pos + 2);
          if (code >= 0xd800 && code <= 0xdbff)
            {
              /* check_json() saw the low surrogate that follows */
              code = 0x10000 + ((code - 0xd800) << 10) + (hex4 (data + pos + 8) - 0xdc00);
              pos += 6;
            }
          g_string_append_unichar (text, code);
          pos += 4;
          break;
        default:   /* \" \\ \/ */
          g_string_append_c (text, data[pos + 1]);
        }
      pos += 2;
      run = pos;
    }
}

/* The number at @pos into @value, as json-glib reads it: an integer
 * (check_json() kept it inside gint64) unless it has a fraction or an
 * exponent.  Returns the position after it. */
static gsize
tree_number (Value      *value,
             const char *data,
             gsize       len,
             gsize       pos)
{
  gsize start = pos;
  gboolean negative = data[pos] == '-', real = FALSE;

  if (negative)
    pos++;
  for (; pos < len; pos++)
    {
      char c = data[pos];

      if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
        real = TRUE;
      else if (!g_ascii_isdigit (c))
        break;
    }
  if (real)
    {
      char buffer[64];
      g_autofree char *longer = NULL;
      gsize n = pos - start;
      char *text = n < sizeof buffer ? buffer : (longer = g_malloc (n + 1));

      memcpy (text, data + start, n);
      text[n] = '\0';
      value->kind = VALUE_REAL;
      value->real = g_ascii_strtod (text, NULL);
    }
  else
    {
      guint64 magnitude = 0;

      for (gsize p = start + negative; p < pos; p++)
        magnitude = magnitude * 10 + (guint64) (data[p] - '0');
      value->kind = VALUE_INTEGER;
      /* −2^63 has no positive counterpart in gint64 */
      value->integer = !negative ? (gint64) magnitude
                       : magnitude == 0 ? 0 : -(gint64) (magnitude - 1) - 1;
    }
  return pos;
}

/* The position after the array or object that opens at @pos. */
static gsize
skip_container (const char *data,
                gsize       pos)
{
  guint depth = 0;

  for (;; pos++)
    {
      char c = data[pos];

      if (c == '"')
        {
          for (pos++; data[pos] != '"'; pos++)
            if (data[pos] == '\\')
              pos++;
        }
      else if (c == '[' || c == '{')
        depth++;
      else if ((c == ']' || c == '}') && --depth == 0)
        return pos + 1;
    }
}

/* The position after the root's member that opens at @pos, as
 * check_json() noted it in @tree->spans: the members are passed in
 * order.  One it did not note is passed over by scanning it. */
static gsize
tree_skip_member (Tree       *tree,
                  const char *data,
                  gsize       pos)
{
  const gsize *span = (const gsize *) (gpointer) tree->spans->data;
  guint n = tree->spans->len;

  while (tree->next_span + 1 < n && span[tree->next_span] < pos)
    tree->next_span += 2;
  if (tree->next_span + 1 < n && span[tree->next_span] == pos)
    return span[tree->next_span + 1];
  return skip_container (data, pos);
}

/* Appends the value at @pos and its members to @tree, with a stack of
 * its own (check_json() bounded the depth); returns the position after
 * the value.  With @root, the root object's members are read only as far
 * as the reader needs them: "training" whole, any other array or object
 * noted and skipped (the layers are read one by one later, from
 * tree->layers_at; the view is json-glib's to read), so that none of
 * them is held here, however large. */
static gsize
tree_add (Tree       *tree,
          const char *data,
          gsize       len,
          gsize       pos,
          gboolean    root)
{
  guint open[MAX_NESTING];
  guint depth = 0;

  for (;;)
    {
      Value value = { .key = NO_KEY };
      char c;

      pos = skip_space (data, len, pos);
      c = data[pos];
      if (depth > 0)
        {
          Value *top = &g_array_index (tree->values, Value, open[depth - 1]);

          if (c == ']' || c == '}')
            {
              top->end = tree->values->len;
              pos++;
              if (--depth == 0)
                return pos;
              continue;
            }
          if (c == ',')
            {
              pos = skip_space (data, len, pos + 1);
              c = data[pos];
            }
          top->n++;
          if (top->kind == VALUE_OBJECT)
            {
              gsize opening = pos;

              value.key = tree->text->len;
              pos = tree_string (tree, data, pos);
              /* decoded, it is shorter than written between its quotes */
              if (tree->text->len - 1 - value.key != pos - opening - 2)
                tree->escaped_keys = TRUE;
              pos = skip_space (data, len, skip_space (data, len, pos) + 1);   /* past the ":" */
              c = data[pos];
            }
        }
      value.at = pos;
      value.end = tree->values->len + 1;
      if (c == '{' || c == '[')
        {
          value.kind = c == '{' ? VALUE_OBJECT : VALUE_ARRAY;
          if (root && depth == 1 && value.key != NO_KEY &&
              strcmp (tree->text->str + value.key, "training") != 0)
            {
              if (c == '[' && strcmp (tree->text->str + value.key, "layers") == 0)
                tree->layers_at = pos;
              g_array_append_val (tree->values, value);
              pos = tree_skip_member (tree, data, pos);
              continue;
            }
          open[depth++] = tree->values->len;
          g_array_append_val (tree->values, value);
          pos++;
          continue;
        }
      if (c == '"')
        {
          value.kind = VALUE_STRING;
          value.text = tree->text->len;
          pos = tree_string (tree, data, pos);
        }
      else if (c == 't' || c == 'f')
        {
          value.kind = VALUE_BOOLEAN;
          value.boolean = c == 't';
          pos += c == 't' ? 4 : 5;
        }
      else if (c == 'n')
        {
          value.kind = VALUE_NULL;
          pos += 4;
        }
      else
        pos = tree_number (&value, data, len, pos);
      g_array_append_val (tree->values, value);
      if (depth == 0)
        return pos;
    }
}

/* Reads the layers from @pos, the first of them layer @first, to the
 * end of their array or @max of them, into @out from @out[0] on: each
 * into a tree of its own, made into a layer and emptied, so that a
 * million layers hold no more than one at a time.  Returns how many
 * were read, and sets @error where one failed. */
static guint
read_layers (const char     *data,
             gsize           len,
             gsize           pos,
             guint           first,
             guint           max,
             EnvelopeLayer **out,
             GError        **error)
{
  g_auto(Tree) one = { NULL };
  guint k;

  tree_init (&one);
  pos = skip_space (data, len, pos);
  for (k = 0; k < max && data[pos] != ']'; k++)
    {
      g_array_set_size (one.values, 0);
      g_string_truncate (one.text, 0);
      one.escaped_keys = FALSE;
      pos = skip_space (data, len, tree_add (&one, data, len, pos, FALSE));
      out[k] = read_layer (&one, first + k, error);
      if (out[k] == NULL)
        break;
      if (data[pos] == ',')
        pos = skip_space (data, len, pos + 1);
    }
  return k;
}

/* A long file's layers, read a chunk at a time by several threads:
 * chunk c is layers c × LAYER_CHUNK on, from where check_json() marked
 * its first. */
typedef struct
{
  const char *data;
  gsize len;
  const gsize *starts;
  guint n_chunks;
  EnvelopeLayer **layers;    /* LAYER_CHUNK slots a chunk */
  guint last_length;         /* the layers of the last chunk */
  gint next;                 /* the next chunk to claim */
  GMutex mutex;
  guint failed;              /* the first chunk that failed (n_chunks: none) … */
  GError *error;             /* … and its error: the one a reading in order meets */
} LayerChunks;

static gpointer
read_chunks_work (gpointer data)
{
  LayerChunks *chunks = data;

  for (;;)
    {
      guint c = (guint) g_atomic_int_add (&chunks->next, 1);
      GError *local = NULL;
      gboolean after_failed;
      guint n;

      if (c >= chunks->n_chunks)
        break;
      /* the chunks are claimed in order: after one that failed, none
       * need be read */
      g_mutex_lock (&chunks->mutex);
      after_failed = c > chunks->failed;
      g_mutex_unlock (&chunks->mutex);
      if (after_failed)
        break;
      n = read_layers (chunks->data, chunks->len, chunks->starts[c], c * LAYER_CHUNK, LAYER_CHUNK,
                       chunks->layers + (gsize) c * LAYER_CHUNK, &local);
      if (local == NULL)
        {
          if (c == chunks->n_chunks - 1)
            chunks->last_length = n;
          continue;
        }
      g_mutex_lock (&chunks->mutex);
      if (c < chunks->failed)
        {
          g_clear_error (&chunks->error);
          chunks->error = local;
          chunks->failed = c;
        }
      else
        g_error_free (local);
      g_mutex_unlock (&chunks->mutex);
    }
  return NULL;
}

/* The layers of the array at @layers_at, appended to @layers (which
 * frees them) in order; @marks as check_json() noted them. */
static gboolean
read_all_layers (const char   *data,
                 gsize         len,
                 gsize         layers_at,
                 const GArray *marks,
                 GPtrArray    *layers,
                 GError      **error)
{
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  LayerChunks chunks = { data, len };
  guint n_threads = MIN (g_get_num_processors (), 8);
  g_autofree GThread **threads = NULL;

  for (guint m = 0; m + 1 < marks->len; m += 2)
    if (g_array_index (marks, gsize, m) == layers_at)
      g_array_append_val (starts, g_array_index (marks, gsize, m + 1));
  /* an empty array has no value to mark: one chunk, of none */
  if (starts->len == 0)
    g_array_append_val (starts, (gsize) { layers_at + 1 });

  /* the slots are the network's, NULL until read; where a chunk fails,
   * every layer read is freed.  One processor, or one chunk: this
   * thread reads them all, in order */
  chunks.starts = (const gsize *) (gpointer) starts->data;
  chunks.n_chunks = starts->len;
  g_ptr_array_set_size (layers, chunks.n_chunks * LAYER_CHUNK);
  chunks.layers = (EnvelopeLayer **) layers->pdata;
  chunks.failed = chunks.n_chunks;
  g_mutex_init (&chunks.mutex);
  n_threads = MIN (n_threads, chunks.n_chunks);
  threads = g_new (GThread *, n_threads);
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("envelope-read", read_chunks_work, &chunks);
  read_chunks_work (&chunks);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
  g_mutex_clear (&chunks.mutex);
  if (chunks.error != NULL)
    {
      g_ptr_array_set_size (layers, 0);
      g_propagate_error (error, chunks.error);
      return FALSE;
    }
  g_ptr_array_set_size (layers, (chunks.n_chunks - 1) * LAYER_CHUNK + chunks.last_length);
  return TRUE;
}

/* The UTF-8 check of a file's text, run on a thread of its own for a
 * long file (envelope_network_load_from_data()). */
#define UTF8_THREAD_LEAST (8 << 20)

typedef struct
{
  const char *data;
  gsize len;
  const char *bad;           /* the first byte that is not UTF-8 text, or NULL */
} Utf8Check;

static gpointer
utf8_check_work (gpointer data)
{
  Utf8Check *check = data;
  const char *bad;

  if (!envelope_utf8_validate (check->data, check->len, &bad))
    check->bad = bad;
  return NULL;
}

EnvelopeNetwork *
envelope_network_load_from_data (const char *data,
                                 gssize      length,
                                 GError    **error)
{
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autofree guint *offsets = NULL;
  g_autofree guint *indices = NULL;
  g_auto(Tree) tree = { NULL };
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GArray) marks = NULL;
  Reader reader = { error, 0, NULL, NULL, &tree };
  const Value *root, *member;
  gsize len;
  gint64 version = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  {
    gboolean blank = TRUE;
    for (gsize i = 0; i < len && blank; i++)
      blank = g_ascii_isspace (data[i]);
    if (blank)
      {
        g_set_error_literal (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_EMPTY,
                             _("the file is empty; a network file is a JSON object with \"format\": \"envelope-network\""));
        return NULL;
      }
  }
  {
    Utf8Check utf8 = { data, len, NULL };
    GThread *thread = NULL;
    g_autoptr(GError) json_error = NULL;
    gboolean json_ok = FALSE;

    /* a long file's text is checked on another thread while this one
     * checks its JSON, which reads any bytes; the text's error comes
     * first either way */
    spans = g_array_new (FALSE, FALSE, sizeof (gsize));
    marks = g_array_new (FALSE, FALSE, sizeof (gsize));
    if (len >= UTF8_THREAD_LEAST && g_get_num_processors () >= 2)
      {
        thread = g_thread_new ("envelope-utf8", utf8_check_work, &utf8);
        json_ok = check_json (data, len, spans, marks, &json_error);
        g_thread_join (thread);
      }
    else
      utf8_check_work (&utf8);
    if (utf8.bad != NULL)
      {
        /* where, as a parse error says it */
        const char *line_start = data;
        guint line = 1;

        for (const char *p = data; p < utf8.bad; p++)
          if (*p == '\n')
            {
              line++;
              line_start = p + 1;
            }
        g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_PARSE,
                     _("%u:%u: the file is not UTF-8 text"), line, (guint) (utf8.bad - line_start + 1));
        return NULL;
      }
    if (thread == NULL)
      json_ok = check_json (data, len, spans, marks, &json_error);
    if (!json_ok)
      {
        g_propagate_error (error, g_steal_pointer (&json_error));
        return NULL;
      }
  }

  tree_init (&tree);
  tree.spans = spans;
  /* an array is refused as it is, not read: it may be the whole file */
  if (data[skip_space (data, len, 0)] == '[')
    g_array_append_val (tree.values, ((Value) { .kind = VALUE_ARRAY }));
  else
    tree_add (&tree, data, len, 0, TRUE);
  root = tree_value (&tree, 0);
  if (root->kind != VALUE_OBJECT)
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_FORMAT,
                   _("a network file is a JSON object, got %s"), describe_value (root));
      return NULL;
    }

  member = value_member (&tree, root, "format");
  if (member == NULL || !is_string (member) || !g_str_equal (value_text (&tree, member), ENVELOPE_NETWORK_FORMAT))
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_FORMAT,
                   _("\"format\" must be \"%s\"; this is not an Envelope network file"), ENVELOPE_NETWORK_FORMAT);
      return NULL;
    }
  if (value_member (&tree, root, "version") == NULL)
    return reader_error (&reader, ENVELOPE_NETWORK_ERROR_MISSING, "version", _("is missing (this format is version %d)"),
                         ENVELOPE_NETWORK_VERSION), NULL;
  if (!read_integer (&reader, value_member (&tree, root, "version"), "version", N_("an integer"), &version))
    return NULL;
  if (version > ENVELOPE_NETWORK_VERSION)
    {
      g_set_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VERSION,
                   _("\"version\" is %" PRId64 ": the file was written by a newer Envelope, and this one reads up to version %d"),
                   version, ENVELOPE_NETWORK_VERSION);
      return NULL;
    }
  if (version < 1)
    return reader_error (&reader, ENVELOPE_NETWORK_ERROR_VALUE, "version",
                         _("must be at least 1, got %" PRId64), version), NULL;
  if (!check_keys (&reader, root, root_keys, G_N_ELEMENTS (root_keys)))
    return NULL;

  network = envelope_network_new (NULL);
  if (value_member (&tree, root, "name") != NULL)
    {
      const char *name;
      if (!read_string (&reader, value_member (&tree, root, "name"), "name", &name))
        return NULL;
      g_free (network->name);
      network->name = g_strdup (name);
    }
  if (value_member (&tree, root, "description") != NULL)
    {
      const char *description;
      if (!read_string (&reader, value_member (&tree, root, "description"), "description", &description))
        return NULL;
      g_free (network->description);
      network->description = g_strdup (description);
    }
  member = value_member (&tree, root, "layers");
  if (member == NULL)
    return reader_error (&reader, ENVELOPE_NETWORK_ERROR_MISSING, "layers", _("is missing")), NULL;
  if (member->kind != VALUE_ARRAY)
    return type_error (&reader, "layers", _("a list of layers"), member), NULL;

  g_ptr_array_set_size (network->layers, 0);
  if (tree.layers_at > 0 && !read_all_layers (data, len, tree.layers_at, marks, network->layers, error))
    return NULL;

  member = value_member (&tree, root, "training");
  if (member != NULL && !read_training (&tree, member, &network->training, error))
    return NULL;

  member = value_member (&tree, root, "view");
  if (member != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) parse_error = NULL;

      if (member->kind != VALUE_OBJECT)
        return type_error (&reader, "view", _("an object"), member), NULL;
      /* the app's own state, kept as json-glib reads it */
      if (!json_parser_load_from_data (parser, data + member->at,
                                       (gssize) (skip_container (data, member->at) - member->at), &parse_error))
        {
          set_parse_error (error, parse_error->message);
          return NULL;
        }
      network->view = json_parser_steal_root (parser);
    }

  if (!envelope_network_resolve_inputs (network, &offsets, &indices, NULL, error))
    return NULL;

  return g_steal_pointer (&network);
}

EnvelopeNetwork *
envelope_network_load_from_file (const char *path,
                                 GError    **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *contents = NULL;
  const char *data;
  gsize length = 0;
  EnvelopeNetwork *network;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  /* a file is mapped, not copied: a million layers are 60 MB of text */
  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0 &&
      (mapped = g_mapped_file_new (path, FALSE, NULL)) != NULL)
    {
      data = g_mapped_file_get_contents (mapped);
      length = g_mapped_file_get_length (mapped);
    }
  else if (g_file_get_contents (path, &contents, &length, error))
    data = contents;
  else
    return NULL;
  network = envelope_network_load_from_data (data, (gssize) length, error);
  if (network == NULL)
    g_prefix_error (error, "%s: ", path);
  return network;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void
add_list (JsonBuilder         *builder,
          const EnvelopeLayer *layer,
          EnvelopeField        field,
          const gint64        *values)
{
  guint n = list_written_length (layer, field, values);

  if (n == 0)
    {
      json_builder_add_int_value (builder, values[0]);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_int_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
write_field (JsonBuilder         *builder,
             const EnvelopeLayer *layer,
             EnvelopeField        field)
{
  const EnvelopeFieldInfo *info = envelope_field_get_info (field);

  json_builder_set_member_name (builder, info->key);
  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      json_builder_begin_array (builder);
      for (guint i = 0; i < layer->shape_rank; i++)
        json_builder_add_int_value (builder, layer->shape[i]);
      json_builder_end_array (builder);
      break;
    case ENVELOPE_VALUE_PADDING:
      if (layer->padding_mode == ENVELOPE_PADDING_SAME)
        json_builder_add_string_value (builder, "same");
      else if (layer->padding_mode == ENVELOPE_PADDING_VALID)
        json_builder_add_string_value (builder, "valid");
      else
        add_list (builder, layer, field, layer->padding);
      break;
    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      add_list (builder, layer, field, FIELD_VALUE (layer, info, gint64));
      break;
    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
      json_builder_add_int_value (builder, *FIELD_VALUE (layer, info, gint64));
      break;
    case ENVELOPE_VALUE_BOOLEAN:
      json_builder_add_boolean_value (builder, *FIELD_VALUE (layer, info, gboolean));
      break;
    case ENVELOPE_VALUE_CHOICE:
      json_builder_add_string_value (builder, info->choices[*FIELD_VALUE (layer, info, gint)]);
      break;
    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      json_builder_add_double_value (builder, *FIELD_VALUE (layer, info, double));
      break;
    case ENVELOPE_VALUE_NAME:
      json_builder_add_string_value (builder, *FIELD_VALUE (layer, info, char *));
      break;
    case ENVELOPE_VALUE_REALS:
      if (ENVELOPE_LAYER_LENGTH (layer, field) == 0)
        json_builder_add_double_value (builder, FIELD_VALUE (layer, info, double)[0]);
      else
        {
          json_builder_begin_array (builder);
          for (guint i = 0; i < MIN (ENVELOPE_LAYER_LENGTH (layer, field), ENVELOPE_MAX_SPATIAL); i++)
            json_builder_add_double_value (builder, FIELD_VALUE (layer, info, double)[i]);
          json_builder_end_array (builder);
        }
      break;
    case ENVELOPE_VALUE_AXES:
      json_builder_begin_array (builder);
      for (guint i = 0; i < MIN (ENVELOPE_LAYER_LENGTH (layer, field), ENVELOPE_MAX_RANK); i++)
        json_builder_add_int_value (builder, FIELD_VALUE (layer, info, gint64)[i]);
      json_builder_end_array (builder);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A byte count: a JSON integer up to 2^63 − 1, a string of digits above
 * (json-glib's integers are signed; 8 EiB would come back negative). */
static void
add_bytes_value (JsonBuilder *builder,
                 guint64      bytes)
{
  if (bytes <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) bytes);
  else
    {
      g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
      json_builder_add_string_value (builder, digits);
    }
}

static void
write_training (JsonBuilder            *builder,
                const EnvelopeTraining *training)
{
  guint32 set = training->set;

  json_builder_begin_object (builder);
  if (set & ENVELOPE_TRAINING_BATCH)
    {
      json_builder_set_member_name (builder, "batch");
      json_builder_add_int_value (builder, (gint64) training->batch);
    }
  if (set & ENVELOPE_TRAINING_DTYPE)
    {
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, envelope_dtype_to_string (training->dtype));
    }
  if (set & ENVELOPE_TRAINING_MIXED_PRECISION)
    {
      json_builder_set_member_name (builder, "mixed_precision");
      json_builder_add_boolean_value (builder, training->mixed_precision);
    }
  if (set & ENVELOPE_TRAINING_OPTIMIZER)
    {
      json_builder_set_member_name (builder, "optimizer");
      json_builder_add_string_value (builder, envelope_optimizer_to_string (training->optimizer));
    }
  if ((set & ENVELOPE_TRAINING_DEVICE) && training->device != NULL)
    {
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, training->device);
    }
  else if (set & ENVELOPE_TRAINING_DEVICE_MEMORY)
    {
      json_builder_set_member_name (builder, "device_memory");
      add_bytes_value (builder, training->device_memory);
    }
  if (set & ENVELOPE_TRAINING_RESERVED_MEMORY)
    {
      json_builder_set_member_name (builder, "reserved_memory");
      add_bytes_value (builder, training->reserved_memory);
    }
  if (set & ENVELOPE_TRAINING_TARGET_BATCH)
    {
      json_builder_set_member_name (builder, "target_batch");
      json_builder_add_int_value (builder, (gint64) training->target_batch);
    }
  if (set & ENVELOPE_TRAINING_MEMORY_MODEL)
    {
      json_builder_set_member_name (builder, "memory_model");
      json_builder_add_string_value (builder, envelope_memory_model_to_string (training->memory_model));
    }
  if (set & ENVELOPE_TRAINING_CONTEXT_MEMORY)
    {
      json_builder_set_member_name (builder, "context_memory");
      add_bytes_value (builder, training->context_memory);
    }
  if ((set & ENVELOPE_TRAINING_GENERATE) && training->prompt_tokens + training->new_tokens > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
                                               training->prompt_tokens, training->new_tokens);
      json_builder_set_member_name (builder, "generate");
      json_builder_add_string_value (builder, text);
    }
  if (set & ENVELOPE_TRAINING_KV_CACHE)
    {
      json_builder_set_member_name (builder, "kv_cache");
      json_builder_add_string_value (builder, envelope_dtype_to_string (training->kv_cache));
    }
  json_builder_end_object (builder);
}

/* json-glib writes every double with 17 significant digits, so a rate of
 * 0.2 would be saved as 0.20000000000000001.  Rewrite each fractional
 * number outside strings in the shortest form that reads back as the same
 * double, keeping a decimal point so that it stays a double. */
static void
tidy_numbers (GString *json)
{
  GString *out = g_string_sized_new (json->len);
  gboolean in_string = FALSE;

  for (gsize i = 0; i < json->len; i++)
    {
      char c = json->str[i];

      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && i + 1 < json->len)
            g_string_append_c (out, json->str[++i]);
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      if ((c == '-' || g_ascii_isdigit (c)))
        {
          gsize end = i;
          gboolean fractional = FALSE;

          while (end < json->len && strchr ("0123456789+-.eE", json->str[end]) != NULL)
            fractional |= strchr (".eE", json->str[end++]) != NULL;
          if (fractional)
            {
              g_autofree char *token = g_strndup (json->str + i, end - i);
              double value = g_ascii_strtod (token, NULL);
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              for (int digits = 1; digits <= 17; digits++)
                {
                  char format[8];

                  g_snprintf (format, sizeof format, "%%.%dg", digits);
                  g_ascii_formatd (buf, sizeof buf, format, value);
                  if (g_ascii_strtod (buf, NULL) == value)
                    break;
                }
              g_string_append (out, buf);
              if (strpbrk (buf, ".eEn") == NULL)
                g_string_append (out, ".0");
              i = end - 1;
              continue;
            }
          g_string_append_len (out, json->str + i, (gssize) (end - i));
          i = end - 1;
          continue;
        }
      g_string_append_c (out, c);
    }
  g_string_assign (json, out->str);
  g_string_free (out, TRUE);
}

/* @node (taken) on one line, as people write JSON: a space after each
 * colon and comma outside strings, and numbers in their shortest form. */
static void
append_compact (GString  *out,
                JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean in_string = FALSE;

  json_generator_set_root (generator, node);
  json_node_unref (node);
  json_generator_to_gstring (generator, text);
  tidy_numbers (text);
  for (gsize i = 0; i < text->len; i++)
    {
      char c = text->str[i];

      g_string_append_c (out, c);
      if (in_string)
        {
          if (c == '\\' && i + 1 < text->len)
            g_string_append_c (out, text->str[++i]);
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == ':' || c == ',')
        g_string_append_c (out, ' ');
    }
}

/* One layer as the file holds it. */
static JsonNode *
layer_node (JsonBuilder         *builder,
            const EnvelopeLayer *layer)
{
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);

  json_builder_reset (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, layer->name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, kind->id);
  if (layer->inputs != NULL)
    {
      json_builder_set_member_name (builder, "inputs");
      json_builder_begin_array (builder);
      for (guint k = 0; layer->inputs[k] != NULL; k++)
        json_builder_add_string_value (builder, layer->inputs[k]);
      json_builder_end_array (builder);
    }
  for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
    if (((kind->fields & layer->set) & ENVELOPE_FIELD_BIT (f)) &&
        (envelope_field_get_info (f)->value_kind != ENVELOPE_VALUE_NAME ||
         *(char **) G_STRUCT_MEMBER_P (layer, envelope_field_get_info (f)->offset) != NULL))
      write_field (builder, layer, f);
  if (layer->group != NULL)
    {
      json_builder_set_member_name (builder, "group");
      json_builder_add_string_value (builder, layer->group);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* "  KEY: ", a member of the file's object begun. */
static void
append_key (GString    *out,
            const char *key)
{
  g_string_append (out, "  ");
  append_compact (out, json_node_init_string (json_node_alloc (), key));
  g_string_append (out, ": ");
}

/* "  KEY: VALUE" and the end of its line; @value is consumed. */
static void
append_member (GString    *out,
               const char *key,
               JsonNode   *value,
               gboolean    last)
{
  append_key (out, key);
  append_compact (out, value);
  g_string_append (out, last ? "\n" : ",\n");
}

/* Laid out as the example files are written by hand: one member of the
 * file per line, one layer per line, short arrays inline, so that a
 * saved file diffs cleanly against a written one.  Each layer is made a
 * JSON value and written before the next is made: a tree of a whole
 * long network was twice the network's own memory. */
char *
envelope_network_to_data (const EnvelopeNetwork *network,
                          gsize                 *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean training;
  guint n;
  GString *out;

  g_return_val_if_fail (network != NULL, NULL);

  n = network->layers->len;
  training = network->training.set != 0;
  out = g_string_new ("{\n");
  append_member (out, "format", json_node_init_string (json_node_alloc (), ENVELOPE_NETWORK_FORMAT), FALSE);
  append_member (out, "version", json_node_init_int (json_node_alloc (), ENVELOPE_NETWORK_VERSION), FALSE);
  append_member (out, "name", json_node_init_string (json_node_alloc (), network->name ? network->name : ""), FALSE);
  if (network->description != NULL && network->description[0] != '\0')
    append_member (out, "description", json_node_init_string (json_node_alloc (), network->description), FALSE);

  append_key (out, "layers");
  g_string_append (out, n == 0 ? "[" : "[\n");
  for (guint i = 0; i < n; i++)
    {
      g_string_append (out, "    ");
      append_compact (out, layer_node (builder, g_ptr_array_index (network->layers, i)));
      g_string_append (out, i + 1 < n ? ",\n" : "\n  ");
    }
  g_string_append (out, training || network->view != NULL ? "],\n" : "]\n");

  if (training)
    {
      json_builder_reset (builder);
      write_training (builder, &network->training);
      append_member (out, "training", json_builder_get_root (builder), network->view == NULL);
    }
  if (network->view != NULL)
    append_member (out, "view", json_node_copy (network->view), TRUE);
  g_string_append (out, "}\n");
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Why a save failed, in the user's words; NULL when GLib's own message
 * says it best. */
static char *
save_failure_reason (const GError *error,
                     const char   *folder)
{
  if (error->domain != G_FILE_ERROR)
    return NULL;
  switch (error->code)
    {
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
      return g_strdup_printf (_("the folder %s cannot be written (permission denied)"), folder);
    case G_FILE_ERROR_ROFS:
      return g_strdup_printf (_("the folder %s is on a read-only disk"), folder);
    case G_FILE_ERROR_NOSPC:
      return g_strdup (_("the disk is full"));
    case G_FILE_ERROR_NOENT:
    case G_FILE_ERROR_NOTDIR:
      return g_strdup_printf (_("the folder %s does not exist"), folder);
    case G_FILE_ERROR_ISDIR:
      return g_strdup (_("a folder of that name is in the way"));
    default:
      return NULL;
    }
}

/* Replaces @path atomically: a failed save leaves the old file as it was. */
/* The file @path names once its symbolic links are followed (at most
 * 40, as the kernel does); @path itself when it names no link. */
static char *
resolve_links (const char *path)
{
  char *current = g_strdup (path);

  for (guint hops = 0; hops < 40; hops++)
    {
      g_autofree char *link = g_file_read_link (current, NULL);
      char *next;

      if (link == NULL)
        break;
      if (g_path_is_absolute (link))
        next = g_steal_pointer (&link);
      else
        {
          g_autofree char *folder = g_path_get_dirname (current);
          next = g_build_filename (folder, link, NULL);
        }
      g_free (current);
      current = next;
    }
  return current;
}

/* GLib writes NAME.XXXXXX and renames it over NAME; a save killed before
 * the rename leaves it behind, full size, forever.  Those of @target
 * older than a minute (none is being written by a save in progress)
 * are removed before the next save. */
static void
remove_stale_temporaries (const char *target)
{
  g_autofree char *folder = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize n = strlen (base);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      gboolean temporary = strlen (name) == n + 7 && strncmp (name, base, n) == 0 && name[n] == '.';

      for (gsize i = n + 1; temporary && i < n + 7; i++)
        temporary = g_ascii_isalnum (name[i]);
      if (!temporary)
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode) && now - (gint64) st.st_mtime > 60)
        g_unlink (path);
    }
}

/* A file with other hard links is written where it is: the links keep
 * seeing one file.  Not atomic, as in GNOME's editors. */
static gboolean
write_in_place (const char  *target,
                const char  *path,
                const char  *data,
                gsize        length,
                GError     **error)
{
  int fd = g_open (target, O_WRONLY | O_TRUNC, 0);
  gsize written = 0;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s cannot be saved: %s."), path, g_strerror (saved));
      return FALSE;
    }
  while (written < length)
    {
      gssize n = write (fd, data + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("%s cannot be saved: %s."), path, g_strerror (saved));
          return FALSE;
        }
      written += (gsize) n;
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s cannot be saved: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
envelope_network_save_to_file (const EnvelopeNetwork *network,
                               const char            *path,
                               GError               **error)
{
  g_autofree char *data = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  int mode = 0644;
  gsize length;

  g_return_val_if_fail (network != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = envelope_network_to_data (network, &length);

  /* Save as GNOME's editors do: through a symbolic link to the file it
   * names (the link stays a link), keeping the file's permissions (a
   * private 0600 file stays private), and in place when the file has
   * other hard links, which a rename would split from it. */
  target = resolve_links (path);
  if (g_stat (target, &st) == 0 && S_ISREG (st.st_mode))
    {
      mode = (int) (st.st_mode & 07777);
      if (st.st_nlink > 1)
        return write_in_place (target, path, data, length, error);
    }
  remove_stale_temporaries (target);

  if (!g_file_set_contents_full (target, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                 mode, &local_error))
    {
      /* GLib names the temporary file it could not write, which the user
       * never asked for: say which file, why, and that it is unharmed. */
      g_autofree char *folder = g_path_get_dirname (target);
      g_autofree char *reason = save_failure_reason (local_error, folder);

      g_set_error (error, local_error->domain, local_error->code,
                   _("%s cannot be saved: %s. The file on disk is as it was."),
                   path, reason != NULL ? reason : local_error->message);
      return FALSE;
    }
  return TRUE;
}
