/* envelope-kinds-normalization.c: batch norm and its relatives
 *
 * Batch norm normalizes each feature over the batch: the channels of a
 * map (1-D, 2-D or 3-D), the values of a vector, the D features of a
 * sequence of tokens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <glib/gi18n-lib.h>

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

const EnvelopeKindRow envelope_kinds_normalization[] = {
  { { ENVELOPE_LAYER_BATCH_NORM, "batch_norm", N_("Batch normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      0, 0, 1, 1, FALSE }, infer_batch_norm, 2 },
  { { ENVELOPE_LAYER_LRN, "lrn", N_("Local response normalization"), ENVELOPE_CATEGORY_NORMALIZATION,
      F (SIZE), 0, 1, 1, FALSE }, infer_lrn, 0 },
};
const guint envelope_n_kinds_normalization = G_N_ELEMENTS (envelope_kinds_normalization);
