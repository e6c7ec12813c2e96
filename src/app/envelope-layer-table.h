/* envelope-layer-table.h: every layer's figures, one row each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_LAYER_TABLE (envelope_layer_table_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeLayerTable, envelope_layer_table, ENVELOPE, LAYER_TABLE, GtkWidget)

void        envelope_layer_table_set_flops     (EnvelopeLayerTable *self,
                                                gboolean            flops);
void        envelope_layer_table_set_document  (EnvelopeLayerTable *self,
                                                EnvelopeDocument   *document);

/* For tests. */
GListModel *envelope_layer_table_get_model     (EnvelopeLayerTable *self);
GtkColumnView *envelope_layer_table_get_view   (EnvelopeLayerTable *self);

G_END_DECLS
