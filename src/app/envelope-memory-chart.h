/* envelope-memory-chart.h: train-time memory as one stacked bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_MEMORY_CHART (envelope_memory_chart_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeMemoryChart, envelope_memory_chart, ENVELOPE, MEMORY_CHART, GtkDrawingArea)

GtkWidget *envelope_memory_chart_new           (void);
void       envelope_memory_chart_set_memory    (EnvelopeMemoryChart  *self,
                                                const EnvelopeMemory *memory);
void       envelope_memory_term_get_color      (EnvelopeMemoryTerm    term,
                                                GdkRGBA              *color);

G_END_DECLS
