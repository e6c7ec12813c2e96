/* envelope-layer-row.h: one row of the layer table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_LAYER_ROW (envelope_layer_row_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeLayerRow, envelope_layer_row, ENVELOPE, LAYER_ROW, GObject)

EnvelopeLayerRow *envelope_layer_row_new        (guint                       index);
guint             envelope_layer_row_get_index  (EnvelopeLayerRow           *self);
guint             envelope_layer_row_update     (EnvelopeLayerRow           *self,
                                                 const EnvelopeLayer        *layer,
                                                 const EnvelopeLayerFigures *figures,
                                                 const EnvelopeTotals       *totals);
void              envelope_layer_row_set_inputs (EnvelopeLayerRow           *self,
                                                 const char                 *inputs);
void              envelope_layer_row_set_flops  (EnvelopeLayerRow           *self,
                                                 gboolean                    flops);
void              envelope_layer_row_set_bound  (EnvelopeLayerRow           *self,
                                                 gboolean                    bound);
gboolean          envelope_layer_row_get_bound  (EnvelopeLayerRow           *self);
const char       *envelope_layer_row_get_text   (EnvelopeLayerRow           *self,
                                                 const char                 *property);

G_END_DECLS
