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

/* What the plot's scales are chosen from. */
typedef struct
{
  guint64 batch;             /* the chosen batch … */
  guint64 batch_bytes;       /* … and what it takes */
  guint64 device_memory;     /* 0: no GPU */
  guint64 budget;            /* device memory less the reserve */
  guint64 max_batch;         /* 0: not one sample fits */
} EnvelopeBatchPlotFigures;

guint64    envelope_batch_plot_batch_range   (const EnvelopeBatchPlotFigures *figures);
double     envelope_batch_plot_byte_range    (const EnvelopeBatchPlotFigures *figures,
                                              guint64                         bytes_at_end);

GtkWidget *envelope_batch_plot_new           (void);
void       envelope_batch_plot_set_analysis  (EnvelopeBatchPlot      *self,
                                              const EnvelopeAnalysis *analysis);

/* What the last frame drew, for the tests: the labels' boxes and the
 * curves' points, in the widget's pixels. */
const GArray *envelope_batch_plot_get_label_boxes (EnvelopeBatchPlot *self);
const GArray *envelope_batch_plot_get_curve_points (EnvelopeBatchPlot *self);
double     envelope_batch_plot_get_byte_range    (EnvelopeBatchPlot *self);

G_END_DECLS
