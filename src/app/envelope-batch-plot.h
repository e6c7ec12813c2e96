/* envelope-batch-plot.h: train-time memory against the batch, and the GPU's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_BATCH_PLOT (envelope_batch_plot_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeBatchPlot, envelope_batch_plot, ENVELOPE, BATCH_PLOT, GtkDrawingArea)

GtkWidget *envelope_batch_plot_new           (void);
void       envelope_batch_plot_set_analysis  (EnvelopeBatchPlot      *self,
                                              const EnvelopeAnalysis *analysis);

G_END_DECLS
