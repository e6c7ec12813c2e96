/* envelope-kinds-elementwise.c: activations and arithmetic, value by value
 *
 * Unary kinds keep their input's shape and count their other work per
 * output value from the row (ops_per_value).  The arithmetic kinds (add,
 * mul, sub, div, max, min) take one or more inputs whose shapes
 * broadcast by NumPy's rules: axes are matched from the last, and each
 * pair must be equal or one of them 1 (the SE block's [C, 1, 1] times
 * [C, H, W]).  One input is an identity, as torch.cat([x]) and ONNX allow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F

/* Shape-preserving kinds; their other work is counted per output value
 * from the table (ops_per_value) after the kind has run. */
static gboolean
infer_unary (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  return TRUE;
}

/* PReLU: one learned slope, or one per channel (feature). */
static gboolean
infer_prelu (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 c = envelope_features (in);

  infer_unary (inf, error);
  out->weights = inf->layer->shared ? 1 : c;
  if (explaining (inf))
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                    inf->layer->shared
                                      ? g_strdup (_("1, one slope shared by every channel"))
                                      : envelope_format_counts (_("{}, one slope per channel"), COUNTS (c)));
  return TRUE;
}

/* Multiplication by a constant factor, or by a learned scale per channel
 * (and a learned shift with "bias"), as Caffe's Scale layer and
 * ConvNeXt's layer scale do. */
static gboolean
infer_scale (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 c = envelope_features (in);
  guint64 per_value = l->learned && l->bias ? 2 : 1;

  infer_unary (inf, error);
  if (l->learned)
    {
      out->weights = c;
      out->biases = l->bias ? c : 0;
    }
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, per_value, in->activations))
    return FALSE;
  if (explaining (inf))
    {
      if (l->learned)
        {
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                          envelope_format_counts (_("{} (γ, one scale per channel)"), COUNTS (c)));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                          l->bias ? envelope_format_counts (_("{} (β, one shift per channel)"), COUNTS (c))
                                                  : g_strdup (_("0 (bias: false)")));
        }
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      envelope_format_counts (per_value == 2
                                                                ? _("2 × {} = {}, a multiplication and an addition per value")
                                                                : _("1 × {} = {}, one multiplication per value"),
                                                              COUNTS (in->activations, out->other_ops)));
    }
  return TRUE;
}

static const char *
operation_noun (EnvelopeLayerType type)
{
  switch (type)
    {
    case ENVELOPE_LAYER_ADD:
      return N_("one addition per value per extra input");
    case ENVELOPE_LAYER_MUL:
      return N_("one multiplication per value per extra input");
    case ENVELOPE_LAYER_SUB:
      return N_("one subtraction per value per extra input");
    case ENVELOPE_LAYER_DIV:
      return N_("one division per value per extra input");
    default:
      return N_("one comparison per value per extra input");
    }
}

/* The NumPy broadcast of the inputs' shapes into @out, or an error that
 * names the two shapes that do not broadcast. */
static gboolean
broadcast (EnvelopeInference *inf,
           GError           **error)
{
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeLayerFigures *widest = inf->inputs[0];

  for (guint i = 1; i < inf->n_inputs; i++)
    if (inf->inputs[i]->rank > widest->rank)
      widest = inf->inputs[i];
  envelope_copy_shape (out, widest);

  for (guint i = 0; i < inf->n_inputs; i++)
    {
      const EnvelopeLayerFigures *in = inf->inputs[i];

      for (guint k = 1; k <= in->rank; k++)
        {
          guint64 *o = &out->shape[out->rank - k];
          guint64 v = in->shape[in->rank - k];

          if (v == *o || v == 1)
            continue;
          if (*o == 1)
            {
              *o = v;
              continue;
            }
          {
            g_autofree char *a = envelope_format_shape (out->rank, out->shape);
            g_autofree char *b = envelope_format_shape (in->rank, in->shape);

            envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                  inf->location, inf->index, inf->layer->name, "inputs",
                                  _("%s cannot combine %s with %s: axis %u has %" PRIu64 " and %" PRIu64
                                    " (sizes must be equal or 1, matched from the last axis)"),
                                  envelope_layer_kind_get (inf->layer->type)->id, a, b,
                                  out->rank - k, *o, v);
            return FALSE;
          }
        }
    }
  return TRUE;
}

static gboolean
infer_arithmetic (EnvelopeInference *inf,
                  GError           **error)
{
  EnvelopeLayerFigures *out = inf->out;
  guint64 values = 0;

  if (!broadcast (inf, error) ||
      !envelope_checked_product (inf, N_("The activation count"), &values, out->shape, out->rank, error) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, inf->n_inputs - 1, values))
    return FALSE;
  envelope_receptive_field_merge (inf);
  if (explaining (inf))
    {
      if (inf->n_inputs == 1)
        envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                        g_strdup (_("0: one input passes through unchanged")));
      else
        {
          g_autofree char *text = envelope_format_counts ("({} − 1) × {} = {}, ",
                                                          COUNTS (inf->n_inputs, values, out->other_ops));

          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                          g_strconcat (text, _(operation_noun (inf->layer->type)), NULL));
        }
      for (guint i = 0; i < inf->n_inputs; i++)
        if (inf->inputs[i]->rank != out->rank ||
            memcmp (inf->inputs[i]->shape, out->shape, out->rank * sizeof (guint64)) != 0)
          {
            g_autofree char *shapes = envelope_describe_shape_list (inf);
            g_autofree char *shape = envelope_format_shape (out->rank, out->shape);

            envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                            g_strdup_printf (_("%s broadcast → %s"), shapes, shape));
            break;
          }
    }
  return TRUE;
}

#define UNARY(TYPE, id, label, ops, in_place, saves) \
  { { ENVELOPE_LAYER_##TYPE, id, label, ENVELOPE_CATEGORY_ACTIVATION, 0, 0, 1, 1, in_place }, infer_unary, ops, saves }
/* @keeps: what its derivative reads, its input or its output */
#define ACTIVATION(TYPE, id, label, keeps) UNARY (TYPE, id, label, 1, TRUE, SAVES (keeps))
#define ARITHMETIC(TYPE, id, label, saves) \
  { { ENVELOPE_LAYER_##TYPE, id, label, ENVELOPE_CATEGORY_ARITHMETIC, 0, 0, 1, G_MAXUINT, FALSE }, infer_arithmetic, 0, saves }

const EnvelopeKindRow envelope_kinds_elementwise[] = {
  { { ENVELOPE_LAYER_DROPOUT, "dropout", N_("Dropout"), ENVELOPE_CATEGORY_REGULARIZATION,
      F (RATE), 0, 1, 1, TRUE }, infer_unary, 0, SAVES (MASK) },
  ACTIVATION (RELU, "relu", N_("ReLU"), OUTPUT),
  ACTIVATION (RELU6, "relu6", N_("ReLU6"), INPUT),
  ACTIVATION (LEAKY_RELU, "leaky_relu", N_("Leaky ReLU"), INPUT),
  ACTIVATION (ELU, "elu", N_("ELU"), OUTPUT),
  ACTIVATION (SIGMOID, "sigmoid", N_("Sigmoid"), OUTPUT),
  ACTIVATION (TANH, "tanh", N_("Tanh"), OUTPUT),
  ACTIVATION (GELU, "gelu", N_("GELU"), INPUT),
  ACTIVATION (SILU, "silu", N_("SiLU"), INPUT),
  ACTIVATION (HARDSWISH, "hardswish", N_("Hard swish"), INPUT),
  ACTIVATION (HARDSIGMOID, "hardsigmoid", N_("Hard sigmoid"), INPUT),
  ACTIVATION (SOFTPLUS, "softplus", N_("Softplus"), INPUT),
  ACTIVATION (MISH, "mish", N_("Mish"), INPUT),
  { { ENVELOPE_LAYER_CLIP, "clip", N_("Clip"), ENVELOPE_CATEGORY_ACTIVATION,
      F (MIN) | F (MAX), 0, 1, 1, TRUE }, infer_unary, 1, SAVES (INPUT) },
  { { ENVELOPE_LAYER_PRELU, "prelu", N_("PReLU"), ENVELOPE_CATEGORY_ACTIVATION,
      F (SHARED) | F (SHARES), 0, 1, 1, FALSE }, infer_prelu, 1, SAVES (INPUTS) },
  { { ENVELOPE_LAYER_SOFTMAX, "softmax", N_("Softmax"), ENVELOPE_CATEGORY_ACTIVATION,
      0, 0, 1, 1, FALSE }, infer_unary, 3, SAVES (OUTPUT) },
  UNARY (IDENTITY, "identity", N_("Identity"), 0, TRUE, SAVES (VIEW) | SAVES (GRADIENT_PASSES)),
  { { ENVELOPE_LAYER_SCALE, "scale", N_("Scale"), ENVELOPE_CATEGORY_ARITHMETIC,
      F (FACTOR) | F (LEARNED) | F (BIAS) | F (SHARES), 0, 1, 1, FALSE }, infer_scale, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_ADD, "add", N_("Add"), ENVELOPE_CATEGORY_MERGE,
      0, 0, 1, G_MAXUINT, FALSE }, infer_arithmetic, 0, SAVES (GRADIENT_PASSES) },
  ARITHMETIC (MUL, "mul", N_("Multiply"), SAVES (INPUTS)),
  ARITHMETIC (SUB, "sub", N_("Subtract"), SAVES (GRADIENT_PASSES)),
  ARITHMETIC (DIV, "div", N_("Divide"), SAVES (INPUTS)),
  ARITHMETIC (MAX, "max", N_("Maximum"), SAVES (INPUTS)),
  ARITHMETIC (MIN, "min", N_("Minimum"), SAVES (INPUTS)),
};
const guint envelope_n_kinds_elementwise = G_N_ELEMENTS (envelope_kinds_elementwise);
