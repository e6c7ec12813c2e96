/* envelope-memory-shares.h: where a layer's train-time memory goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_MEMORY_SHARES (envelope_memory_shares_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeMemoryShares, envelope_memory_shares, ENVELOPE, MEMORY_SHARES, GtkWidget)

GtkWidget  *envelope_memory_shares_new        (void);
void        envelope_memory_shares_set_wide   (EnvelopeMemoryShares   *self,
                                               gboolean                wide);
gboolean    envelope_memory_shares_get_wide   (EnvelopeMemoryShares   *self);
void        envelope_memory_shares_show_layer (EnvelopeMemoryShares   *self,
                                               const EnvelopeAnalysis *analysis,
                                               gint                    index);

/* For tests: the lines shown for a term, or NULL when none is shown. */
const char *envelope_memory_shares_get_rule    (EnvelopeMemoryShares  *self,
                                                EnvelopeMemoryTerm     term);
const char *envelope_memory_shares_get_formula (EnvelopeMemoryShares  *self,
                                                EnvelopeMemoryTerm     term);
const char *envelope_memory_shares_get_share   (EnvelopeMemoryShares  *self,
                                                EnvelopeMemoryTerm     term);
const char *envelope_memory_shares_get_subtitle (EnvelopeMemoryShares *self);

G_END_DECLS
