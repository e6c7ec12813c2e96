/* envelope-memory-breakdown.h: the train-time memory term by term, and
 * how it grows with the batch (the totals bar's popover)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_MEMORY_BREAKDOWN (envelope_memory_breakdown_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeMemoryBreakdown, envelope_memory_breakdown, ENVELOPE, MEMORY_BREAKDOWN, GtkWidget)

GtkWidget *envelope_memory_breakdown_new  (void);
void       envelope_memory_breakdown_show (EnvelopeMemoryBreakdown *self,
                                           const EnvelopeAnalysis  *analysis);

G_END_DECLS
