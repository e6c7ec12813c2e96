/* envelope-fit.h: a figure that fits a slide or a page
 *
 * A network of any length is drawn, by default, as a figure of a slide's
 * proportions whose text can be read when the figure is shown at a
 * slide's width: the flow is wrapped into rows, and the layers are
 * collapsed into their blocks or stages only as far as that needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-diagram.h"
#include "envelope-layout.h"
#include "envelope-renderer.h"

G_BEGIN_DECLS

/**
 * EnvelopeFitGoal:
 * @aspect: width over height of the figure: 16/9 for a slide; 0 for any
 *   (one row, nothing collapsed unless asked)
 * @max_width: pixels the figure is shown at (1,920 for a slide)
 * @min_text: the smallest text, in pixels at @max_width, that still reads
 * @fixed_detail: keep the options' collapse depth, even 0, and only wrap
 * @scrolls: the figure is shown in a view that scrolls: when no level
 *   of detail reads at @aspect, its rows are folded to @max_width at
 *   @min_text instead, and the rest is scrolled to
 */
/* The smallest text of the proportional style's figure, in pixels at
 * the figure's width: what reads from the back of a room. */
#define ENVELOPE_FIT_ROOM_TEXT 14.0

typedef struct
{
  double aspect;
  double max_width;
  double min_text;
  gboolean fixed_detail;
  gboolean scrolls;
} EnvelopeFitGoal;

/**
 * EnvelopePageFit:
 * @diagram: the diagram chosen
 * @layout: its layout
 * @scale: pixels per point for a PNG of @max_width pixels
 * @collapse_depth: what was collapsed (0: nothing)
 * @wrap: rows the flow was folded into
 * @legible: whether its text reads at @max_width; when no level of
 *   detail makes it so, the coarsest is chosen
 */
typedef struct
{
  EnvelopeDiagram *diagram;
  EnvelopeLayout *layout;
  double scale;
  guint collapse_depth;
  guint wrap;
  gboolean legible;
} EnvelopePageFit;

void     envelope_fit_goal_init       (EnvelopeFitGoal              *goal);
void     envelope_fit_goal_set_style  (EnvelopeFitGoal              *goal,
                                       EnvelopeDiagramStyle          style);
gboolean envelope_fit_goal_set_aspect (EnvelopeFitGoal              *goal,
                                       const char                   *text);
gboolean envelope_fit_page            (const EnvelopeAnalysis       *analysis,
                                       const EnvelopeDiagramOptions *options,
                                       const EnvelopeRenderOptions  *render_options,
                                       const EnvelopeFitGoal        *goal,
                                       EnvelopePageFit              *fit,
                                       GError                      **error);
void     envelope_page_fit_clear      (EnvelopePageFit              *fit);

G_END_DECLS
