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
  EnvelopeErrorLocation *location;
} EnvelopeInference;

gboolean envelope_layer_kind_infer (EnvelopeInference *inference,
                                    GError           **error);

G_END_DECLS
