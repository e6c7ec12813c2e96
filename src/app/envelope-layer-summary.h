/* envelope-layer-summary.h: a layer in one sentence, for screen readers
 *
 * The canvas announces the selected layer with it and each row of the
 * layer table describes itself with it, so that what the diagram shows
 * can be heard as well as seen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-analysis.h"
#include "envelope-document.h"

G_BEGIN_DECLS

char *envelope_layer_summary               (const EnvelopeLayer        *layer,
                                            const char                 *inputs,
                                            const EnvelopeLayerFigures *figures,
                                            const EnvelopeTotals       *totals);
char *envelope_layer_summary_dup_inputs    (EnvelopeDocument           *document,
                                            guint                       layer);
char *envelope_layer_summary_for_document  (EnvelopeDocument           *document,
                                            guint                       layer);

G_END_DECLS
