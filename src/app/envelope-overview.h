/* envelope-overview.h: the whole diagram in small, with the view on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-canvas.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_OVERVIEW (envelope_overview_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeOverview, envelope_overview, ENVELOPE, OVERVIEW, GtkWidget)

GtkWidget *envelope_overview_new            (EnvelopeCanvas   *canvas);
void       envelope_overview_place          (EnvelopeOverview *self,
                                             gint              selected);
gboolean   envelope_overview_get_top_left   (EnvelopeOverview *self);
gboolean   envelope_overview_get_covering   (EnvelopeOverview *self);

G_END_DECLS
