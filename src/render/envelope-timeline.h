/* envelope-timeline.h: the memory of one training step, as a plot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

typedef struct _EnvelopeTimeline EnvelopeTimeline;

EnvelopeTimeline *envelope_timeline_new        (const EnvelopeAnalysis *analysis,
                                                EnvelopeUnits           units,
                                                GError                **error);
void              envelope_timeline_free       (EnvelopeTimeline       *timeline);

guint             envelope_timeline_get_n_points (const EnvelopeTimeline *timeline);
const EnvelopeStepPoint *envelope_timeline_get_point (const EnvelopeTimeline *timeline,
                                                      guint                   index);
guint             envelope_timeline_get_peak   (const EnvelopeTimeline *timeline);
void              envelope_timeline_get_color  (EnvelopeStepTerm        term,
                                                double                  rgb[3]);
void              envelope_timeline_draw       (const EnvelopeTimeline *timeline,
                                                cairo_t                *cr,
                                                double                  width,
                                                double                  height);

/* The page a figure of it has: 16:9, for a slide. */
#define ENVELOPE_TIMELINE_PAGE_WIDTH 960.0
#define ENVELOPE_TIMELINE_PAGE_HEIGHT 540.0

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeTimeline, envelope_timeline_free)

G_END_DECLS
