/* envelope-layer-kind.c: the one table of layer kinds
 *
 * Each kind is one row: its file name, the settings it takes, how many
 * inputs it reads, and the function that infers its output shape,
 * parameters, multiply-adds, other work, receptive field and the worked
 * formula of each.  A new kind is a new row; every front end follows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "envelope-analysis-private.h"
#include "envelope-error-private.h"
#include "envelope-format.h"
#include "envelope-layer-kind.h"

typedef gboolean (*InferFunc) (EnvelopeInference *inf,
                               GError           **error);

typedef struct
{
  EnvelopeLayerKind kind;
  InferFunc infer;
  guint ops_per_value;       /* other ops per output value, for elementwise kinds */
} KindRow;

#define F(x) ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##x)
#define CONV_FIELDS (F (FILTERS) | F (KERNEL) | F (STRIDE) | F (PADDING) | F (DILATION) | F (GROUPS) | F (BIAS))
#define POOL_FIELDS (F (KERNEL) | F (STRIDE) | F (PADDING) | F (ROUNDING))

static const EnvelopeFieldInfo field_infos[ENVELOPE_N_FIELDS] = {
  { ENVELOPE_FIELD_SHAPE, "shape", N_("Shape"), ENVELOPE_VALUE_SHAPE },
  { ENVELOPE_FIELD_FILTERS, "filters", N_("Filters"), ENVELOPE_VALUE_COUNT },
  { ENVELOPE_FIELD_UNITS, "units", N_("Units"), ENVELOPE_VALUE_COUNT },
  { ENVELOPE_FIELD_KERNEL, "kernel", N_("Kernel"), ENVELOPE_VALUE_PAIR },
  { ENVELOPE_FIELD_STRIDE, "stride", N_("Stride"), ENVELOPE_VALUE_PAIR },
  { ENVELOPE_FIELD_PADDING, "padding", N_("Padding"), ENVELOPE_VALUE_PADDING },
  { ENVELOPE_FIELD_DILATION, "dilation", N_("Dilation"), ENVELOPE_VALUE_PAIR },
  { ENVELOPE_FIELD_GROUPS, "groups", N_("Groups"), ENVELOPE_VALUE_COUNT },
  { ENVELOPE_FIELD_OUTPUT_PADDING, "output_padding", N_("Output padding"), ENVELOPE_VALUE_OFFSET },
  { ENVELOPE_FIELD_BIAS, "bias", N_("Bias"), ENVELOPE_VALUE_BOOLEAN },
  { ENVELOPE_FIELD_ROUNDING, "rounding", N_("Rounding"), ENVELOPE_VALUE_ROUNDING },
  { ENVELOPE_FIELD_SIZE, "size", N_("Size"), ENVELOPE_VALUE_COUNT },
  { ENVELOPE_FIELD_RATE, "rate", N_("Rate"), ENVELOPE_VALUE_FRACTION },
};

static gboolean infer_input        (EnvelopeInference *inf, GError **error);
static gboolean infer_conv         (EnvelopeInference *inf, GError **error);
static gboolean infer_deconv       (EnvelopeInference *inf, GError **error);
static gboolean infer_pool         (EnvelopeInference *inf, GError **error);
static gboolean infer_global_pool  (EnvelopeInference *inf, GError **error);
static gboolean infer_dense        (EnvelopeInference *inf, GError **error);
static gboolean infer_flatten      (EnvelopeInference *inf, GError **error);
static gboolean infer_batch_norm   (EnvelopeInference *inf, GError **error);
static gboolean infer_lrn          (EnvelopeInference *inf, GError **error);
static gboolean infer_elementwise  (EnvelopeInference *inf, GError **error);
static gboolean infer_add          (EnvelopeInference *inf, GError **error);
static gboolean infer_concat       (EnvelopeInference *inf, GError **error);

#define ACTIVATION(TYPE, id, label) \
  { { ENVELOPE_LAYER_##TYPE, id, label, ENVELOPE_CATEGORY_ACTIVATION, 0, 0, 1, 1, TRUE }, infer_elementwise, 1 }

static const KindRow kinds[ENVELOPE_N_LAYER_TYPES] = {
  { { ENVELOPE_LAYER_INPUT, "input", N_("Input"), ENVELOPE_CATEGORY_INPUT,
      F (SHAPE), F (SHAPE), 0, 0, FALSE }, infer_input, 0 },
  { { ENVELOPE_LAYER_CONV, "conv", N_("Convolution"), ENVELOPE_CATEGORY_CONVOLUTION,
      CONV_FIELDS, F (FILTERS) | F (KERNEL), 1, 1, FALSE }, infer_conv, 0 },
  { { ENVELOPE_LAYER_DECONV, "deconv", N_("Transposed convolution"), ENVELOPE_CATEGORY_CONVOLUTION,
      CONV_FIELDS | F (OUTPUT_PADDING), F (FILTERS) | F (KERNEL), 1, 1, FALSE }, infer_deconv, 0 },
  { { ENVELOPE_LAYER_MAX_POOL, "max_pool", N_("Max pooling"), ENVELOPE_CATEGORY_POOLING,
      POOL_FIELDS, F (KERNEL), 1, 1, FALSE }, infer_pool, 0 },
  { { ENVELOPE_LAYER_AVG_POOL, "avg_pool", N_("Average pooling"), ENVELOPE_CATEGORY_POOLING,
      POOL_FIELDS, F (KERNEL), 1, 1, FALSE }, infer_pool, 0 },
  { { ENVELOPE_LAYER_GLOBAL_AVG_POOL, "global_avg_pool", N_("Global average pooling"), ENVELOPE_CATEGORY_POOLING,
      0, 0, 1, 1, FALSE }, infer_global_pool, 0 },
  { { ENVELOPE_LAYER_GLOBAL_MAX_POOL, "global_max_pool", N_("Global max pooling"), ENVELOPE_CATEGORY_POOLING,
      0, 0, 1, 1, FALSE }, infer_global_pool, 0 },
  { { ENVELOPE_LAYER_DENSE, "dense", N_("Dense"), ENVELOPE_CATEGORY_DENSE,
      F (UNITS) | F (BIAS), F (UNITS), 1, 1, FALSE }, infer_dense, 0 },
  { { ENVELOPE_LAYER_FLATTEN, "flatten", N_("Flatten"), ENVELOPE_CATEGORY_RESHAPE,
      0, 0, 1, 1, FALSE }, infer_flatten, 0 },
  { { ENVELOPE_LAYER_BATCH_NORM, "batch_norm", N_("Batch normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      0, 0, 1, 1, FALSE }, infer_batch_norm, 2 },
  { { ENVELOPE_LAYER_LRN, "lrn", N_("Local response normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (SIZE), 0, 1, 1, FALSE }, infer_lrn, 0 },
  { { ENVELOPE_LAYER_DROPOUT, "dropout", N_("Dropout"), ENVELOPE_CATEGORY_REGULARIZATION,
      F (RATE), 0, 1, 1, TRUE }, infer_elementwise, 0 },
  ACTIVATION (RELU, "relu", N_("ReLU")),
  ACTIVATION (RELU6, "relu6", N_("ReLU6")),
  ACTIVATION (LEAKY_RELU, "leaky_relu", N_("Leaky ReLU")),
  ACTIVATION (ELU, "elu", N_("ELU")),
  ACTIVATION (SIGMOID, "sigmoid", N_("Sigmoid")),
  ACTIVATION (TANH, "tanh", N_("Tanh")),
  ACTIVATION (GELU, "gelu", N_("GELU")),
  ACTIVATION (SILU, "silu", N_("SiLU")),
  ACTIVATION (HARDSWISH, "hardswish", N_("Hard swish")),
  { { ENVELOPE_LAYER_SOFTMAX, "softmax", N_("Softmax"), ENVELOPE_CATEGORY_ACTIVATION,
      0, 0, 1, 1, FALSE }, infer_elementwise, 3 },
  { { ENVELOPE_LAYER_ADD, "add", N_("Add"), ENVELOPE_CATEGORY_MERGE,
      0, 0, 2, G_MAXUINT, FALSE }, infer_add, 0 },
  { { ENVELOPE_LAYER_CONCAT, "concat", N_("Concatenate"), ENVELOPE_CATEGORY_MERGE,
      0, 0, 2, G_MAXUINT, FALSE }, infer_concat, 0 },
};

static const struct { const char *id; const char *label; } categories[ENVELOPE_N_CATEGORIES] = {
  { "input", N_("Input") },
  { "convolution", N_("Convolution") },
  { "pooling", N_("Pooling") },
  { "dense", N_("Dense") },
  { "normalization", N_("Normalization") },
  { "activation", N_("Activation") },
  { "regularization", N_("Regularization") },
  { "reshape", N_("Reshape") },
  { "merge", N_("Merge") },
};

const EnvelopeLayerKind *
envelope_layer_kind_get (EnvelopeLayerType type)
{
  g_return_val_if_fail (type < ENVELOPE_N_LAYER_TYPES, NULL);

  g_assert (kinds[type].kind.type == type);
  return &kinds[type].kind;
}

const EnvelopeLayerKind *
envelope_layer_kind_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (kinds[i].kind.id, id) == 0)
      return &kinds[i].kind;
  return NULL;
}

char *
envelope_layer_kind_list_valid (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, kinds[i].kind.id);
    }
  return g_string_free (out, FALSE);
}

const char *
envelope_layer_category_label (EnvelopeLayerCategory category)
{
  g_return_val_if_fail (category < ENVELOPE_N_CATEGORIES, NULL);
  return _(categories[category].label);
}

const char *
envelope_layer_category_id (EnvelopeLayerCategory category)
{
  g_return_val_if_fail (category < ENVELOPE_N_CATEGORIES, NULL);
  return categories[category].id;
}

const EnvelopeFieldInfo *
envelope_field_get_info (EnvelopeField field)
{
  g_return_val_if_fail (field < ENVELOPE_N_FIELDS, NULL);
  return &field_infos[field];
}

gboolean
envelope_field_lookup (const char    *key,
                       EnvelopeField *field)
{
  for (guint i = 0; i < ENVELOPE_N_FIELDS; i++)
    {
      if (strcmp (field_infos[i].key, key) == 0)
        {
          *field = field_infos[i].field;
          return TRUE;
        }
    }
  return FALSE;
}

/* The keys a layer of @kind may carry, for "unknown key" messages. */
char *
envelope_layer_kind_list_keys (const EnvelopeLayerKind *kind)
{
  GString *out = g_string_new ("name, type");

  if (kind->max_inputs > 0)
    g_string_append (out, ", inputs");
  for (guint i = 0; i < ENVELOPE_N_FIELDS; i++)
    if (kind->fields & ENVELOPE_FIELD_BIT (i))
      g_string_append_printf (out, ", %s", field_infos[i].key);
  g_string_append (out, ", group");
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Worked formulas                                                     */

/* "{}" in @template stands for the next value: a count grouped by
 * thousands (9,216) when @counts is given, else a real number as the
 * receptive field has them (0.5, 212). */
static char *
format_template (const char    *template,
                 const guint64 *counts,
                 const double  *reals,
                 gsize          n_values)
{
  GString *out = g_string_new (NULL);
  gsize v = 0;

  for (const char *p = template; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] == '}')
        {
          g_assert (v < n_values);
          if (counts != NULL)
            envelope_format_append_count (out, counts[v++]);
          else
            envelope_format_append_real (out, reals[v++]);
          p++;
        }
      else
        g_string_append_c (out, *p);
    }
  g_assert (v == n_values);
  return g_string_free (out, FALSE);
}

static char *
format_counts (const char    *template,
               const guint64 *values,
               gsize          n_values)
{
  return format_template (template, values, NULL, n_values);
}

static char *
format_reals (const char   *template,
              const double *values,
              gsize         n_values)
{
  return format_template (template, NULL, values, n_values);
}

#define COUNTS(...) (const guint64[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const guint64[]) { __VA_ARGS__ }))
#define REALS(...) (const double[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const double[]) { __VA_ARGS__ }))

static inline gboolean
explaining (EnvelopeInference *inf)
{
  return inf->formulas != NULL;
}

static void
set_formula (EnvelopeInference *inf,
             EnvelopeFigure     figure,
             char              *text)
{
  if (!explaining (inf))
    {
      g_free (text);
      return;
    }
  g_free (inf->formulas[figure]);
  inf->formulas[figure] = text;
}

/* One text when both axes agree, "H: …; W: …" when they do not. */
static char *
join_axes (char *h,
           char *w)
{
  char *joined;

  if (g_strcmp0 (h, w) == 0)
    joined = g_strdup (h);
  else
    joined = g_strdup_printf ("H: %s; W: %s", h, w);
  g_free (h);
  g_free (w);
  return joined;
}

/* ------------------------------------------------------------------ */
/* Checked arithmetic                                                  */

/* @figure is untranslated (N_()), so that the common path never calls
 * gettext. */
static gboolean
overflow_error (EnvelopeInference *inf,
                const char        *figure,
                GError           **error)
{
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW,
                        inf->location, inf->index, inf->layer->name, NULL,
                        _("%s overflows 64 bits; the sizes are too large to count"),
                        _(figure));
  return FALSE;
}

static gboolean
checked_product (EnvelopeInference *inf,
                 const char        *figure,
                 guint64           *result,
                 const guint64     *factors,
                 gsize              n_factors,
                 GError           **error)
{
  guint64 acc = 1;

  for (gsize i = 0; i < n_factors; i++)
    if (!g_uint64_checked_mul (&acc, acc, factors[i]))
      return overflow_error (inf, figure, error);
  *result = acc;
  return TRUE;
}

static gboolean
checked_sum (EnvelopeInference *inf,
             const char        *figure,
             guint64           *result,
             guint64            a,
             guint64            b,
             GError           **error)
{
  if (!g_uint64_checked_add (result, a, b))
    return overflow_error (inf, figure, error);
  return TRUE;
}

#define PRODUCT(inf, figure, result, error, ...) \
  checked_product (inf, figure, result, COUNTS (__VA_ARGS__), error)

/* ------------------------------------------------------------------ */
/* Shared pieces                                                       */

static gboolean
require_spatial (EnvelopeInference          *inf,
                 const EnvelopeLayerFigures *in,
                 GError                    **error)
{
  if (in->rank == 3)
    return TRUE;
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, "inputs",
                        _("%s layers need a C×H×W input, but this one gets a vector of %" PRIu64 " values; "
                          "remove the flatten or dense layer before it"),
                        envelope_layer_kind_get (inf->layer->type)->id, in->shape[0]);
  return FALSE;
}

typedef struct
{
  guint64 in, k, s, d, k_eff;
  gint64 pb, pa;
  guint64 out;
  char *formula;
} Axis;

static const char *axis_names[2] = { "height", "width" };

/* Output size of one axis of a convolution or pooling window, by the
 * rules of COST-MODEL.md: floor or ceil rounding (the last window must
 * start inside the input or the left padding), or TensorFlow's "same". */
static gboolean
axis_forward (EnvelopeInference *inf,
              guint              a,
              guint64            in,
              guint64            k,
              guint64            s,
              guint64            d,
              Axis              *ax,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  guint64 k_eff = 0;
  guint64 padded;
  g_autofree char *k_note = NULL;

  memset (ax, 0, sizeof *ax);
  if (!PRODUCT (inf, N_("The dilated kernel"), &k_eff, error, d, k - 1) ||
      !checked_sum (inf, N_("The dilated kernel"), &k_eff, k_eff, 1, error))
    return FALSE;
  ax->in = in;
  ax->k = k;
  ax->s = s;
  ax->d = d;
  ax->k_eff = k_eff;

  if (explaining (inf) && d > 1)
    k_note = format_counts (" (dilated kernel {} × ({} − 1) + 1 = {})", COUNTS (d, k, k_eff));

  if (l->padding_mode == ENVELOPE_PADDING_SAME)
    {
      guint64 total;

      ax->out = in / s + (in % s != 0);
      total = (ax->out - 1) * s + k_eff;
      total = total > in ? total - in : 0;
      ax->pb = total / 2;
      ax->pa = total - ax->pb;
      if (explaining (inf))
        ax->formula = format_counts ("⌈{} / {}⌉ = {} (\"same\": pad {} + {})",
                                     COUNTS (in, s, ax->out, (guint64) ax->pb, (guint64) ax->pa));
      goto note;
    }

  if (l->padding_mode == ENVELOPE_PADDING_EXPLICIT)
    ax->pb = ax->pa = l->padding[a];

  padded = in + (guint64) ax->pb + (guint64) ax->pa;
  if (padded < k_eff)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                            inf->location, inf->index, l->name, "kernel",
                            _("%" PRIu64 " is larger than the padded input: "
                              "%s %" PRIu64 " + padding %" PRId64 " + %" PRId64
                              " = %" PRIu64 ", so the output %s would be below 1"),
                            k_eff, axis_names[a], in, ax->pb, ax->pa, padded, axis_names[a]);
      return FALSE;
    }

  if (l->rounding == ENVELOPE_ROUNDING_CEIL)
    {
      gboolean trimmed = FALSE;

      ax->out = (padded - k_eff + s - 1) / s + 1;
      if ((ax->out - 1) * s >= in + (guint64) ax->pb)
        {
          ax->out--;
          trimmed = TRUE;
        }
      if (explaining (inf))
        ax->formula = format_counts (trimmed
                                       ? "⌈({} + {} + {} − {}) / {}⌉ + 1 − 1 = {} (the last window would start in the right padding)"
                                       : "⌈({} + {} + {} − {}) / {}⌉ + 1 = {}",
                                     COUNTS (in, (guint64) ax->pb, (guint64) ax->pa, k_eff, s, ax->out));
    }
  else
    {
      ax->out = (padded - k_eff) / s + 1;
      if (explaining (inf))
        ax->formula = format_counts ("⌊({} + {} + {} − {}) / {}⌋ + 1 = {}",
                                     COUNTS (in, (guint64) ax->pb, (guint64) ax->pa, k_eff, s, ax->out));
    }
note:
  if (k_note != NULL)
    {
      char *with_note = g_strconcat (ax->formula, k_note, NULL);
      g_free (ax->formula);
      ax->formula = with_note;
    }
  return TRUE;
}

static void
explain_output_shape (EnvelopeInference *inf,
                      Axis               ax[2])
{
  EnvelopeLayerFigures *out = inf->out;
  g_autofree char *shape = NULL;
  char *axes;

  if (!explaining (inf))
    return;
  shape = envelope_format_shape (out->rank, out->shape);
  axes = join_axes (g_steal_pointer (&ax[0].formula), g_steal_pointer (&ax[1].formula));
  set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
  g_free (axes);
}

static void
axes_clear (Axis ax[2])
{
  g_clear_pointer (&ax[0].formula, g_free);
  g_clear_pointer (&ax[1].formula, g_free);
}

/* The receptive-field recurrence through a window of k_eff, stride s. */
static void
receptive_field_forward (EnvelopeInference            *inf,
                         const EnvelopeReceptiveField *in,
                         const Axis                    ax[2])
{
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  char *text[3][2] = { { NULL } };

  *rf = *in;
  rf->misaligned = FALSE;
  for (guint a = 0; a < 2; a++)
    {
      double k_eff = (double) ax[a].k_eff;
      double s = (double) ax[a].s;
      double pb = (double) ax[a].pb;

      rf->size[a] = in->size[a] + (k_eff - 1) * in->jump[a];
      rf->jump[a] = in->jump[a] * s;
      rf->start[a] = in->start[a] + ((k_eff - 1) / 2 - pb) * in->jump[a];
      if (explaining (inf))
        {
          text[0][a] = format_reals ("{} + ({} − 1) × {} = {}",
                                     REALS (in->size[a], k_eff, in->jump[a], rf->size[a]));
          text[1][a] = format_reals ("{} × {} = {}", REALS (in->jump[a], s, rf->jump[a]));
          text[2][a] = format_reals ("{} + (({} − 1) / 2 − {}) × {} = {}",
                                     REALS (in->start[a], k_eff, pb, in->jump[a], rf->start[a]));
        }
    }
  if (explaining (inf))
    {
      set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, join_axes (text[0][0], text[0][1]));
      set_formula (inf, ENVELOPE_FIGURE_JUMP, join_axes (text[1][0], text[1][1]));
      set_formula (inf, ENVELOPE_FIGURE_START, join_axes (text[2][0], text[2][1]));
    }
}

/* After global pooling, flatten and dense every output sees the whole
 * input: the window is the whole map, and the size is kept at no less
 * than the input image's extent. */
static void
receptive_field_whole (EnvelopeInference          *inf,
                       const EnvelopeLayerFigures *in)
{
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  char *text[2] = { NULL };

  *rf = *rin;
  rf->misaligned = FALSE;
  rf->whole_input = TRUE;
  if (in->rank != 3)
    {
      if (explaining (inf))
        set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                     format_reals (_("whole input: {}"), REALS (rf->size[0])));
      return;
    }
  for (guint a = 0; a < 2; a++)
    {
      double extent = (double) in->shape[1 + a];
      double reach = rin->size[a] + (extent - 1) * rin->jump[a];
      double image = (double) inf->input_extent[a];

      rf->size[a] = MAX (reach, image);
      rf->start[a] = rin->start[a] + (extent - 1) / 2 * rin->jump[a];
      rf->jump[a] = rin->jump[a] * extent;
      if (explaining (inf))
        text[a] = reach >= image
          ? format_reals (_("whole input: {} + ({} − 1) × {} = {}"),
                          REALS (rin->size[a], extent, rin->jump[a], rf->size[a]))
          : format_reals (_("whole input: max({} + ({} − 1) × {}, {}) = {}"),
                          REALS (rin->size[a], extent, rin->jump[a], image, rf->size[a]));
    }
  if (explaining (inf))
    set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, join_axes (text[0], text[1]));
}

static void
receptive_field_unchanged (EnvelopeInference          *inf,
                           const EnvelopeLayerFigures *in)
{
  inf->out->receptive_field = in->receptive_field;
  inf->out->receptive_field.misaligned = FALSE;
}

static gboolean
check_groups (EnvelopeInference *inf,
              guint64            c_in,
              guint64            c_out,
              GError           **error)
{
  guint64 g = (guint64) inf->layer->groups;

  if (c_in % g == 0 && c_out % g == 0)
    return TRUE;
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                        inf->location, inf->index, inf->layer->name, "groups",
                        _("%" PRIu64 " must divide both the input channels (%" PRIu64
                          ") and the filters (%" PRIu64 ")"),
                        g, c_in, c_out);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The kinds                                                           */

static gboolean
infer_input (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;

  out->rank = l->shape_rank;
  for (guint i = 0; i < l->shape_rank; i++)
    out->shape[i] = (guint64) l->shape[i];
  for (guint a = 0; a < 2; a++)
    {
      rf->size[a] = 1;
      rf->jump[a] = 1;
      rf->start[a] = 0.5;
    }
  if (explaining (inf))
    {
      set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, g_strdup (_("1: each value is one input pixel")));
      set_formula (inf, ENVELOPE_FIGURE_JUMP, g_strdup ("1"));
      set_formula (inf, ENVELOPE_FIGURE_START, g_strdup (_("0.5: the centre of the first pixel")));
    }
  return TRUE;
}

static gboolean
infer_conv (EnvelopeInference *inf,
            GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 c_in, c_out, g, kh, kw, c_per_group;
  Axis ax[2] = { { 0 } };

  if (!require_spatial (inf, in, error))
    return FALSE;
  c_in = in->shape[0];
  c_out = (guint64) l->filters;
  g = (guint64) l->groups;
  kh = (guint64) l->kernel[0];
  kw = (guint64) l->kernel[1];
  if (!check_groups (inf, c_in, c_out, error))
    return FALSE;
  c_per_group = c_in / g;

  for (guint a = 0; a < 2; a++)
    if (!axis_forward (inf, a, in->shape[1 + a], (guint64) l->kernel[a], (guint64) l->stride[a],
                       (guint64) l->dilation[a], &ax[a], error))
      {
        axes_clear (ax);
        return FALSE;
      }

  out->rank = 3;
  out->shape[0] = c_out;
  out->shape[1] = ax[0].out;
  out->shape[2] = ax[1].out;
  for (guint a = 0; a < 2; a++)
    {
      out->pad_before[a] = ax[a].pb;
      out->pad_after[a] = ax[a].pa;
    }

  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, c_out, kh, kw, c_per_group) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, ax[0].out, ax[1].out, c_per_group, c_out, kh, kw) ||
      !PRODUCT (inf, N_("The im2col workspace"), &out->workspace, error, ax[0].out, ax[1].out, kh, kw, c_per_group))
    {
      axes_clear (ax);
      return FALSE;
    }
  out->biases = l->bias ? c_out : 0;

  receptive_field_forward (inf, &in->receptive_field, ax);
  if (explaining (inf))
    {
      if (g == 1)
        {
          set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                       format_counts ("{} × ({} × {}) × {} = {}", COUNTS (c_out, kh, kw, c_in, out->weights)));
          set_formula (inf, ENVELOPE_FIGURE_MACS,
                       format_counts ("{} × {} × {} × {} × {} × {} = {}",
                                      COUNTS (ax[0].out, ax[1].out, c_in, c_out, kh, kw, out->macs)));
          set_formula (inf, ENVELOPE_FIGURE_WORKSPACE,
                       format_counts ("({} × {}) × ({} × {} × {}) = {}",
                                      COUNTS (ax[0].out, ax[1].out, kh, kw, c_in, out->workspace)));
        }
      else
        {
          set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                       format_counts ("{} × ({} × {}) × {} / {} = {}",
                                      COUNTS (c_out, kh, kw, c_in, g, out->weights)));
          set_formula (inf, ENVELOPE_FIGURE_MACS,
                       format_counts ("{} × {} × ({} / {}) × {} × {} × {} = {}",
                                      COUNTS (ax[0].out, ax[1].out, c_in, g, c_out, kh, kw, out->macs)));
          set_formula (inf, ENVELOPE_FIGURE_WORKSPACE,
                       format_counts ("({} × {}) × ({} × {} × {} / {}) = {}",
                                      COUNTS (ax[0].out, ax[1].out, kh, kw, c_in, g, out->workspace)));
        }
      set_formula (inf, ENVELOPE_FIGURE_BIASES,
                   l->bias ? format_counts (_("{}, one per filter"), COUNTS (c_out))
                           : g_strdup (_("0 (bias: false)")));
    }
  explain_output_shape (inf, ax);
  return TRUE;
}

static gboolean
infer_deconv (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  guint64 c_in, c_out, g, kh, kw;
  char *text[4][2] = { { NULL } };

  if (!require_spatial (inf, in, error))
    return FALSE;
  c_in = in->shape[0];
  c_out = (guint64) l->filters;
  g = (guint64) l->groups;
  kh = (guint64) l->kernel[0];
  kw = (guint64) l->kernel[1];
  if (!check_groups (inf, c_in, c_out, error))
    return FALSE;

  out->rank = 3;
  out->shape[0] = c_out;
  *rf = *rin;
  rf->misaligned = FALSE;
  for (guint a = 0; a < 2; a++)
    {
      guint64 i = in->shape[1 + a];
      guint64 s = (guint64) l->stride[a];
      guint64 d = (guint64) l->dilation[a];
      guint64 op = (guint64) l->output_padding[a];
      guint64 k_eff = 0, grown = 0;
      gint64 pb = 0, pa = 0;

      if (!PRODUCT (inf, N_("The dilated kernel"), &k_eff, error, d, (guint64) l->kernel[a] - 1))
        return FALSE;
      k_eff += 1;
      if (op >= s && op >= d)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE,
                                inf->location, inf->index, l->name, "output_padding",
                                _("%" PRIu64 " must be smaller than the stride or the dilation"), op);
          return FALSE;
        }
      if (l->padding_mode == ENVELOPE_PADDING_SAME)
        {
          guint64 total = k_eff > s ? k_eff - s : 0;
          pb = (gint64) (total / 2);
          pa = (gint64) (total - total / 2);
        }
      else if (l->padding_mode == ENVELOPE_PADDING_EXPLICIT)
        pb = pa = l->padding[a];

      if (!PRODUCT (inf, N_("The output size"), &grown, error, i - 1, s) ||
          !checked_sum (inf, N_("The output size"), &grown, grown, k_eff + op, error))
        return FALSE;
      if (grown <= (guint64) (pb + pa))
        {
          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                                inf->location, inf->index, l->name, "padding",
                                _("%" PRId64 " + %" PRId64 " removes the whole output %s "
                                  "(%" PRIu64 "), so it would be below 1"),
                                pb, pa, axis_names[a], grown);
          return FALSE;
        }
      out->shape[1 + a] = grown - (guint64) (pb + pa);
      out->pad_before[a] = pb;
      out->pad_after[a] = pa;

      rf->jump[a] = rin->jump[a] / (double) s;
      rf->size[a] = rin->size[a] + ((double) k_eff - 1) * rf->jump[a];
      rf->start[a] = rin->start[a] + ((double) pb - ((double) k_eff - 1) / 2) * rf->jump[a];
      if (explaining (inf))
        {
          text[0][a] = format_counts ("({} − 1) × {} − {} − {} + {} + {} = {}",
                                      COUNTS (i, s, (guint64) pb, (guint64) pa, k_eff, op, out->shape[1 + a]));
          text[1][a] = format_reals ("{} + ({} − 1) × {} = {}",
                                     REALS (rin->size[a], (double) k_eff, rf->jump[a], rf->size[a]));
          text[2][a] = format_reals ("{} / {} = {}", REALS (rin->jump[a], (double) s, rf->jump[a]));
          text[3][a] = format_reals ("{} + ({} − ({} − 1) / 2) × {} = {}",
                                     REALS (rin->start[a], (double) pb, (double) k_eff, rf->jump[a], rf->start[a]));
        }
    }

  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, c_in, kh, kw, c_out / g) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, in->shape[1], in->shape[2], c_in, c_out / g, kh, kw) ||
      !PRODUCT (inf, N_("The col2im workspace"), &out->workspace, error, in->shape[1], in->shape[2], kh, kw, c_out / g))
    {
      for (guint f = 0; f < 4; f++)
        for (guint a = 0; a < 2; a++)
          g_free (text[f][a]);
      return FALSE;
    }
  out->biases = l->bias ? c_out : 0;

  if (explaining (inf))
    {
      g_autofree char *shape = envelope_format_shape (3, out->shape);
      char *axes = join_axes (text[0][0], text[0][1]);

      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
      g_free (axes);
      set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, join_axes (text[1][0], text[1][1]));
      set_formula (inf, ENVELOPE_FIGURE_JUMP, join_axes (text[2][0], text[2][1]));
      set_formula (inf, ENVELOPE_FIGURE_START, join_axes (text[3][0], text[3][1]));
      set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                   g == 1 ? format_counts ("{} × ({} × {}) × {} = {}", COUNTS (c_in, kh, kw, c_out, out->weights))
                          : format_counts ("{} × ({} × {}) × {} / {} = {}", COUNTS (c_in, kh, kw, c_out, g, out->weights)));
      set_formula (inf, ENVELOPE_FIGURE_MACS,
                   g == 1 ? format_counts ("{} × {} × {} × {} × {} × {} = {}",
                                           COUNTS (in->shape[1], in->shape[2], c_in, c_out, kh, kw, out->macs))
                          : format_counts ("{} × {} × {} × ({} / {}) × {} × {} = {}",
                                           COUNTS (in->shape[1], in->shape[2], c_in, c_out, g, kh, kw, out->macs)));
      set_formula (inf, ENVELOPE_FIGURE_WORKSPACE,
                   format_counts ("({} × {}) × ({} × {} × {}) = {}",
                                  COUNTS (in->shape[1], in->shape[2], kh, kw, c_out / g, out->workspace)));
      set_formula (inf, ENVELOPE_FIGURE_BIASES,
                   l->bias ? format_counts (_("{}, one per filter"), COUNTS (c_out))
                           : g_strdup (_("0 (bias: false)")));
    }
  return TRUE;
}

static gboolean
infer_pool (EnvelopeInference *inf,
            GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 kh = (guint64) l->kernel[0], kw = (guint64) l->kernel[1];
  guint64 outputs = 0;
  Axis ax[2] = { { 0 } };

  if (!require_spatial (inf, in, error))
    return FALSE;
  for (guint a = 0; a < 2; a++)
    {
      /* pooling's stride defaults to its kernel */
      guint64 s = (l->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)) ? (guint64) l->stride[a] : (guint64) l->kernel[a];

      if (!axis_forward (inf, a, in->shape[1 + a], (guint64) l->kernel[a], s, 1, &ax[a], error))
        {
          axes_clear (ax);
          return FALSE;
        }
      out->pad_before[a] = ax[a].pb;
      out->pad_after[a] = ax[a].pa;
    }
  out->rank = 3;
  out->shape[0] = in->shape[0];
  out->shape[1] = ax[0].out;
  out->shape[2] = ax[1].out;
  if (!PRODUCT (inf, N_("The activation count"), &outputs, error, out->shape[0], ax[0].out, ax[1].out) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, kh, kw, outputs))
    {
      axes_clear (ax);
      return FALSE;
    }
  receptive_field_forward (inf, &in->receptive_field, ax);
  if (explaining (inf))
    set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                 format_counts (_("({} × {}) × {} = {}, one per window element per output"),
                                COUNTS (kh, kw, outputs, out->other_ops)));
  explain_output_shape (inf, ax);
  return TRUE;
}

static gboolean
infer_global_pool (EnvelopeInference *inf,
                   GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  if (!require_spatial (inf, in, error))
    return FALSE;
  out->rank = 3;
  out->shape[0] = in->shape[0];
  out->shape[1] = 1;
  out->shape[2] = 1;
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, in->shape[1], in->shape[2], in->shape[0]))
    return FALSE;
  receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                   format_counts (_("({} × {}) × {} = {}, the whole map per output"),
                                  COUNTS (in->shape[1], in->shape[2], in->shape[0], out->other_ops)));
      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                   format_counts (_("one value per channel → {}×1×1"), COUNTS (in->shape[0])));
    }
  return TRUE;
}

static char *
describe_inputs (const EnvelopeLayerFigures *in,
                 guint64                     n)
{
  if (in->rank == 3)
    return format_counts ("({} × {} × {})", COUNTS (in->shape[0], in->shape[1], in->shape[2]));
  return format_counts ("{}", COUNTS (n));
}

static gboolean
infer_dense (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 units = (guint64) l->units;
  guint64 n_in = in->activations;

  out->rank = 1;
  out->shape[0] = units;
  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, units, n_in))
    return FALSE;
  out->macs = out->weights;
  out->biases = l->bias ? units : 0;
  receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      g_autofree char *inputs = describe_inputs (in, n_in);
      g_autofree char *weights = format_counts ("{} × ", COUNTS (units));
      g_autofree char *macs = format_counts (" × {} = {}", COUNTS (units, out->macs));
      g_autofree char *total = format_counts (" = {}", COUNTS (out->weights));

      set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, g_strconcat (weights, inputs, total, NULL));
      set_formula (inf, ENVELOPE_FIGURE_MACS, g_strconcat (inputs, macs, NULL));
      set_formula (inf, ENVELOPE_FIGURE_BIASES,
                   l->bias ? format_counts (_("{}, one per output"), COUNTS (units))
                           : g_strdup (_("0 (bias: false)")));
      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                   in->rank == 3
                     ? format_counts (_("{} units (the {}×{}×{} input is flattened)"),
                                      COUNTS (units, in->shape[0], in->shape[1], in->shape[2]))
                     : format_counts (_("{} units"), COUNTS (units)));
    }
  return TRUE;
}

static gboolean
infer_flatten (EnvelopeInference *inf,
               GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  out->rank = 1;
  out->shape[0] = in->activations;
  receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      g_autofree char *inputs = describe_inputs (in, in->activations);
      g_autofree char *total = format_counts (" = {}", COUNTS (in->activations));

      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strconcat (inputs, total, NULL));
    }
  return TRUE;
}

/* Shape-preserving kinds; their other work is counted per output value
 * from the table (ops_per_value) after the kind has run. */
static gboolean
infer_elementwise (EnvelopeInference *inf,
                   GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  out->rank = in->rank;
  memcpy (out->shape, in->shape, sizeof out->shape);
  receptive_field_unchanged (inf, in);
  return TRUE;
}

static gboolean
infer_batch_norm (EnvelopeInference *inf,
                  GError           **error)
{
  EnvelopeLayerFigures *out = inf->out;
  guint64 c;

  infer_elementwise (inf, error);
  c = out->shape[0];
  out->weights = c;
  out->biases = c;
  if (!PRODUCT (inf, N_("The running statistics"), &out->non_trainable, error, 2, c))
    return FALSE;
  if (explaining (inf))
    {
      set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, format_counts (_("{} (γ, one scale per channel)"), COUNTS (c)));
      set_formula (inf, ENVELOPE_FIGURE_BIASES, format_counts (_("{} (β, one shift per channel)"), COUNTS (c)));
      set_formula (inf, ENVELOPE_FIGURE_NON_TRAINABLE,
                   format_counts (_("2 × {} = {} (running mean and variance)"), COUNTS (c, out->non_trainable)));
    }
  return TRUE;
}

static gboolean
infer_lrn (EnvelopeInference *inf,
           GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 size = (guint64) inf->layer->size;
  guint64 n;

  if (!require_spatial (inf, in, error))
    return FALSE;
  infer_elementwise (inf, error);
  n = in->activations;
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, size + 2, n))
    return FALSE;
  if (explaining (inf))
    set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                 format_counts (_("({} + 2) × {} = {}"), COUNTS (size, n, out->other_ops)));
  return TRUE;
}

static char *
describe_shape_list (EnvelopeInference *inf)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < inf->n_inputs; i++)
    {
      g_autofree char *shape = envelope_format_shape (inf->inputs[i]->rank, inf->inputs[i]->shape);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, shape);
    }
  return g_string_free (out, FALSE);
}

/* A merge sees the largest of its inputs' fields; inputs whose grids do
 * not line up (different jump or start) are flagged, not refused. */
static void
receptive_field_merge (EnvelopeInference *inf)
{
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  GString *sizes = explaining (inf) ? g_string_new (NULL) : NULL;

  *rf = inf->inputs[0]->receptive_field;
  rf->misaligned = FALSE;
  for (guint i = 1; i < inf->n_inputs; i++)
    {
      const EnvelopeReceptiveField *other = &inf->inputs[i]->receptive_field;

      for (guint a = 0; a < 2; a++)
        {
          rf->size[a] = MAX (rf->size[a], other->size[a]);
          if (other->jump[a] != rf->jump[a] || other->start[a] != rf->start[a])
            rf->misaligned = TRUE;
        }
      rf->whole_input |= other->whole_input;
    }
  if (sizes == NULL)
    return;
  for (guint a = 0; a < 2; a++)
    {
      if (a == 1 && inf->inputs[0]->receptive_field.size[0] == inf->inputs[0]->receptive_field.size[1])
        {
          gboolean square = TRUE;
          for (guint i = 0; i < inf->n_inputs; i++)
            square &= inf->inputs[i]->receptive_field.size[0] == inf->inputs[i]->receptive_field.size[1];
          if (square)
            break;
          g_string_prepend (sizes, "H: ");
        }
      if (a == 1)
        g_string_append (sizes, "; W: ");
      g_string_append (sizes, "max(");
      for (guint i = 0; i < inf->n_inputs; i++)
        {
          if (i > 0)
            g_string_append (sizes, ", ");
          envelope_format_append_real (sizes, inf->inputs[i]->receptive_field.size[a]);
        }
      g_string_append (sizes, ") = ");
      envelope_format_append_real (sizes, rf->size[a]);
    }
  if (rf->misaligned)
    g_string_append (sizes, _(" (misaligned: the inputs' grids differ in jump or start)"));
  set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, g_string_free (sizes, FALSE));
}

static gboolean
infer_add (EnvelopeInference *inf,
           GError           **error)
{
  const EnvelopeLayerFigures *first = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  for (guint i = 1; i < inf->n_inputs; i++)
    {
      const EnvelopeLayerFigures *other = inf->inputs[i];

      if (other->rank != first->rank || memcmp (other->shape, first->shape, first->rank * sizeof (guint64)) != 0)
        {
          g_autofree char *shapes = describe_shape_list (inf);

          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                inf->location, inf->index, inf->layer->name, "inputs",
                                _("add needs inputs of one shape, got %s"), shapes);
          return FALSE;
        }
    }
  out->rank = first->rank;
  memcpy (out->shape, first->shape, sizeof out->shape);
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, inf->n_inputs - 1, first->activations))
    return FALSE;
  receptive_field_merge (inf);
  if (explaining (inf))
    set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                 format_counts (_("({} − 1) × {} = {}, one addition per value per extra input"),
                                COUNTS (inf->n_inputs, first->activations, out->other_ops)));
  return TRUE;
}

static gboolean
infer_concat (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayerFigures *first = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 channels = 0;

  for (guint i = 0; i < inf->n_inputs; i++)
    {
      const EnvelopeLayerFigures *other = inf->inputs[i];

      if (other->rank != first->rank ||
          (first->rank == 3 && (other->shape[1] != first->shape[1] || other->shape[2] != first->shape[2])))
        {
          g_autofree char *shapes = describe_shape_list (inf);

          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                inf->location, inf->index, inf->layer->name, "inputs",
                                _("concat needs inputs of the same height and width, got %s"), shapes);
          return FALSE;
        }
      if (!checked_sum (inf, N_("The channel count"), &channels, channels, other->shape[0], error))
        return FALSE;
    }
  out->rank = first->rank;
  memcpy (out->shape, first->shape, sizeof out->shape);
  out->shape[0] = channels;
  receptive_field_merge (inf);
  if (explaining (inf))
    {
      GString *text = g_string_new (NULL);
      g_autofree char *shape = NULL;

      for (guint i = 0; i < inf->n_inputs; i++)
        {
          if (i > 0)
            g_string_append (text, " + ");
          envelope_format_append_count (text, inf->inputs[i]->shape[0]);
        }
      g_string_append (text, " = ");
      envelope_format_append_count (text, channels);
      shape = envelope_format_shape (out->rank, out->shape);
      g_string_append_printf (text, _(" channels → %s"), shape);
      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_string_free (text, FALSE));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */

gboolean
envelope_layer_kind_infer (EnvelopeInference *inf,
                           GError           **error)
{
  const KindRow *row = &kinds[inf->layer->type];
  EnvelopeLayerFigures *out = inf->out;
  const char *id = row->kind.id;

  g_assert (inf->n_inputs >= row->kind.min_inputs && inf->n_inputs <= row->kind.max_inputs);

  if (!row->infer (inf, error))
    return FALSE;

  if (!checked_product (inf, N_("The activation count"), &out->activations,
                        out->shape, out->rank, error))
    return FALSE;
  if (!checked_sum (inf, N_("The parameter count"), &out->trainable, out->weights, out->biases, error) ||
      !checked_sum (inf, N_("The parameter count"), &out->params, out->trainable, out->non_trainable, error))
    return FALSE;
  if (row->ops_per_value > 0 &&
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, row->ops_per_value, out->activations))
    return FALSE;

  if (!explaining (inf))
    return TRUE;

  if (inf->formulas[ENVELOPE_FIGURE_OUTPUT_SHAPE] == NULL)
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                   row->kind.type == ENVELOPE_LAYER_INPUT ? g_strdup (shape)
                                                          : g_strdup_printf (_("unchanged: %s"), shape));
    }
  set_formula (inf, ENVELOPE_FIGURE_ACTIVATIONS,
               out->rank == 3 ? format_counts ("{} × {} × {} = {}",
                                               COUNTS (out->shape[0], out->shape[1], out->shape[2], out->activations))
                              : format_counts ("{}", COUNTS (out->activations)));
  if (out->params > 0)
    set_formula (inf, ENVELOPE_FIGURE_PARAMS,
                 out->non_trainable > 0
                   ? format_counts ("{} + {} + {} = {}", COUNTS (out->weights, out->biases, out->non_trainable, out->params))
                   : format_counts ("{} + {} = {}", COUNTS (out->weights, out->biases, out->params)));
  if (inf->formulas[ENVELOPE_FIGURE_MACS] == NULL)
    set_formula (inf, ENVELOPE_FIGURE_MACS,
                 g_strdup_printf (_("0: %s layers do no multiply-adds"), id));
  if (row->ops_per_value > 0)
    set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                 format_counts (_("{} × {} = {}, per output value"),
                                COUNTS (row->ops_per_value, out->activations, out->other_ops)));
  if (inf->formulas[ENVELOPE_FIGURE_RECEPTIVE_FIELD] == NULL)
    {
      const EnvelopeReceptiveField *rf = &out->receptive_field;
      set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                   join_axes (format_reals (_("unchanged: {}"), REALS (rf->size[0])),
                              format_reals (_("unchanged: {}"), REALS (rf->size[1]))));
    }
  return TRUE;
}
