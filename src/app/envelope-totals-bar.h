/* envelope-totals-bar.h: the network's totals, memory and batch fit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_TOTALS_BAR (envelope_totals_bar_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeTotalsBar, envelope_totals_bar, ENVELOPE, TOTALS_BAR, GtkWidget)

void        envelope_totals_bar_set_document   (EnvelopeTotalsBar *self,
                                                EnvelopeDocument  *document);
void        envelope_totals_bar_set_flops      (EnvelopeTotalsBar *self,
                                                gboolean           flops);
void        envelope_totals_bar_show_memory    (EnvelopeTotalsBar *self);
void        envelope_totals_bar_show_training  (EnvelopeTotalsBar *self);
void        envelope_totals_bar_popdown        (EnvelopeTotalsBar *self);

/* For tests: the text of "params", "macs", "test", "train", "fit" and
 * their "-detail"; and the memory popover. */
const char *envelope_totals_bar_get_text       (EnvelopeTotalsBar *self,
                                                const char        *which);
GtkWidget  *envelope_totals_bar_get_memory_popover (EnvelopeTotalsBar *self);

G_END_DECLS
