/* envelope-kinds-normalization.c: batch norm and its relatives
 *
 * Batch norm normalizes each feature over the batch: the channels of a
 * map (1-D, 2-D or 3-D), the values of a vector, the D features of a
 * sequence of tokens.  Layer norm, RMS norm and L2 norm normalize each
 * position over its features instead (the D of a token, the C of a map
 * position, as ConvNeXt's and Swin's channels-last LayerNorm does);
 * group norm and instance norm normalize groups of a map's channels over
 * all its positions.  None keeps running statistics.  Stochastic depth
 * (drop path) lives here too: like dropout it keeps the shape and may
 * overwrite its input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F

static gboolean
infer_batch_norm (EnvelopeInference *inf,
                  GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 c = envelope_features (in);

  envelope_copy_shape (out, in);
  envelope_receptive_field_unchanged (inf, in);
  out->weights = c;
  out->biases = c;
  if (!PRODUCT (inf, N_("The running statistics"), &out->non_trainable, error, 2, c))
    return FALSE;
  if (explaining (inf))
    {
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      envelope_format_counts (_("{} (γ, one scale per channel)"), COUNTS (c)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                      envelope_format_counts (_("{} (β, one shift per channel)"), COUNTS (c)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_NON_TRAINABLE,
                                      envelope_format_counts (_("2 × {} = {} (running mean and variance)"),
                                                              COUNTS (c, out->non_trainable)));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup (_("weights = C (γ)")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("biases = C (β)")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_NON_TRAINABLE, g_strdup (_("non-trainable = 2 × C")));
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

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  envelope_copy_shape (out, in);
  envelope_receptive_field_unchanged (inf, in);
  n = in->activations;
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, size + 2, n))
    return FALSE;
  if (explaining (inf))
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                    envelope_format_counts (_("({} + 2) × {} = {}"), COUNTS (size, n, out->other_ops)));
  return TRUE;
}

/* The γ and β of the normalizations that learn one scale and one shift
 * per feature; @bias says whether β exists. */
static void
affine_parameters (EnvelopeInference *inf,
                   guint64            c,
                   gboolean           bias,
                   const char        *bias_off)
{
  const EnvelopeLayer *l = inf->layer;
  EnvelopeLayerFigures *out = inf->out;
  gboolean per_channel = out->layout == ENVELOPE_TENSOR_MAP;

  out->weights = l->affine ? c : 0;
  out->biases = l->affine && bias ? c : 0;
  if (!explaining (inf))
    return;
  if (!l->affine)
    {
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup (_("0 (affine: false)")));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("0 (affine: false)")));
      return;
    }
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                  envelope_format_counts (per_channel ? _("{} (γ, one scale per channel)")
                                                                      : _("{} (γ, one scale per feature)"),
                                                          COUNTS (c)));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                  !bias ? g_strdup (_(bias_off))
                                  : envelope_format_counts (per_channel ? _("{} (β, one shift per channel)")
                                                                        : _("{} (β, one shift per feature)"),
                                                            COUNTS (c)));
}

/* Layer norm: each position over its features (D of a token, C of a map
 * position, N of a vector); γ and β per feature. */
static gboolean
infer_layer_norm (EnvelopeInference *inf,
                  GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  affine_parameters (inf, envelope_features (in), inf->layer->bias, N_("0 (bias: false)"));
  return TRUE;
}

/* RMS norm: as layer norm without the mean, and with γ only. */
static gboolean
infer_rms_norm (EnvelopeInference *inf,
                GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  affine_parameters (inf, envelope_features (in), FALSE, N_("0 (RMS norm has no β)"));
  return TRUE;
}

/* Group and instance norm take their statistics over a map's positions
 * (group norm also over a group of channels), so a sequence of tokens has
 * nothing for them to mean; a vector is the one-position case of group
 * norm, as PyTorch's GroupNorm accepts [N, C]. */
static gboolean
require_channels (EnvelopeInference          *inf,
                  const EnvelopeLayerFigures *in,
                  gboolean                    vector_ok,
                  GError                    **error)
{
  const char *id = envelope_layer_kind_get (inf->layer->type)->id;
  g_autofree char *shape = NULL;

  if (in->layout == ENVELOPE_TENSOR_MAP || (vector_ok && in->layout == ENVELOPE_TENSOR_VECTOR))
    return TRUE;
  if (in->layout == ENVELOPE_TENSOR_VECTOR)
    return envelope_require_map (inf, in, error);
  shape = envelope_format_shape (in->rank, in->shape);
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, "inputs",
                        _("%s normalizes the channels of a map over its positions, but this one gets "
                          "a sequence of %s tokens; use layer_norm for tokens"),
                        id, shape);
  return FALSE;
}

static gboolean
infer_group_norm (EnvelopeInference *inf,
                  GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  guint64 c, g = (guint64) inf->layer->groups;

  if (!require_channels (inf, in, TRUE, error))
    return FALSE;
  c = in->shape[0];
  if (c % g != 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                            inf->location, inf->index, inf->layer->name, "groups",
                            _("%" PRIu64 " must divide the input channels (%" PRIu64 ")"), g, c);
      return FALSE;
    }
  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  affine_parameters (inf, c, TRUE, NULL);
  return TRUE;
}

static gboolean
infer_instance_norm (EnvelopeInference *inf,
                     GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  if (!require_channels (inf, in, FALSE, error))
    return FALSE;
  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  affine_parameters (inf, in->shape[0], TRUE, NULL);
  return TRUE;
}

/* L2 norm, and stochastic depth: the shape and the field unchanged, no
 * parameters; their work is counted per value from the row. */
static gboolean
infer_same_shape (EnvelopeInference *inf,
                  GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  return TRUE;
}

const EnvelopeKindRow envelope_kinds_normalization[] = {
  { { ENVELOPE_LAYER_BATCH_NORM, "batch_norm", N_("Batch normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      0, 0, 1, 1, FALSE }, infer_batch_norm, 2, SAVES (INPUT) | SAVES (CHANNEL_STATISTICS) },
  { { ENVELOPE_LAYER_LRN, "lrn", N_("Local response normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (SIZE), 0, 1, 1, FALSE }, infer_lrn, 0, SAVES (INPUT) | SAVES (OUTPUT) },
  /* other ops per value: two for the statistics, two for normalizing with γ and β */
  { { ENVELOPE_LAYER_LAYER_NORM, "layer_norm", N_("Layer normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (AFFINE) | F (BIAS), 0, 1, 1, FALSE }, infer_layer_norm, 4, SAVES (INPUT) | SAVES (POSITION_STATISTICS) },
  /* one for the mean square, one for dividing by its root, one for γ */
  { { ENVELOPE_LAYER_RMS_NORM, "rms_norm", N_("RMS normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (AFFINE), 0, 1, 1, FALSE }, infer_rms_norm, 3, SAVES (INPUT) | SAVES (POSITION_STATISTICS) },
  { { ENVELOPE_LAYER_GROUP_NORM, "group_norm", N_("Group normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (GROUPS) | F (AFFINE), F (GROUPS), 1, 1, FALSE }, infer_group_norm, 4, SAVES (INPUT) },
  { { ENVELOPE_LAYER_INSTANCE_NORM, "instance_norm", N_("Instance normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (AFFINE), 0, 1, 1, FALSE }, infer_instance_norm, 4, SAVES (INPUT) },
  /* one for the sum of squares, one for dividing by its root */
  { { ENVELOPE_LAYER_L2_NORM, "l2_norm", N_("L2 normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      0, 0, 1, 1, FALSE }, infer_same_shape, 2, SAVES (INPUT) | SAVES (OUTPUT) },
  /* one multiplication per value (the kept paths scaled by 1 / (1 − rate)) */
  { { ENVELOPE_LAYER_STOCHASTIC_DEPTH, "stochastic_depth", N_("Stochastic depth"), ENVELOPE_CATEGORY_REGULARIZATION,
      F (RATE), 0, 1, 1, TRUE }, infer_same_shape, 1, 0 },
};
const guint envelope_n_kinds_normalization = G_N_ELEMENTS (envelope_kinds_normalization);
