/* envelope-presentation.h: one layer at a time, large, for a lecture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-canvas.h"
#include "envelope-document.h"
#include "envelope-memory-shares.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_PRESENTATION (envelope_presentation_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopePresentation, envelope_presentation, ENVELOPE, PRESENTATION, GtkWidget)

GtkWidget            *envelope_presentation_new               (EnvelopeDocument         *document);
void                  envelope_presentation_set_view          (EnvelopePresentation     *self,
                                                               const EnvelopeCanvasView *view);
void                  envelope_presentation_step              (EnvelopePresentation     *self,
                                                               gint                      delta);
void                  envelope_presentation_set_blank         (EnvelopePresentation     *self,
                                                               gboolean                  blank);
gboolean              envelope_presentation_get_blank         (EnvelopePresentation     *self);

/* For tests: the diagram, the walk-through, and the texts shown:
 * "network", "step", "name", "kind" (kind, settings and output shape). */
EnvelopeCanvas       *envelope_presentation_get_canvas        (EnvelopePresentation     *self);
EnvelopeMemoryShares *envelope_presentation_get_memory_shares (EnvelopePresentation     *self);
const char           *envelope_presentation_get_text          (EnvelopePresentation     *self,
                                                               const char               *which);
const char           *envelope_presentation_get_rule          (EnvelopePresentation     *self,
                                                               EnvelopeFigure            figure);
const char           *envelope_presentation_get_formula       (EnvelopePresentation     *self,
                                                               EnvelopeFigure            figure);

double                 envelope_presentation_get_type_size (EnvelopePresentation *self);

G_END_DECLS
