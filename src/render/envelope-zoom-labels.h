/* envelope-zoom-labels.h: group names over a diagram too small to read
 *
 * Zoomed out until a block's own text is a few pixels high, a diagram
 * would be a field of unlabelled dashes.  Its groups are large enough
 * to name, though: these labels say, in type that reads, which stage or
 * block each stretch of the diagram is, the coarsest groups first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "envelope-color-scale.h"
#include "envelope-diagram.h"
#include "envelope-geometry.h"
#include "envelope-layout.h"

G_BEGIN_DECLS

/* the type of a label, in pixels: a block's, and a stage's */
#define ENVELOPE_ZOOM_LABEL_MIN_SIZE 13.0
#define ENVELOPE_ZOOM_LABEL_MAX_SIZE 16.0

/**
 * EnvelopeZoomLabel:
 * @text: the group's name ("layer3", or "layer3/1…5" for a folded run)
 * @detail: (nullable): its output's shape, when there is room for it
 * @depth: 1 for a stage, 2 for a block …
 * @area: the group's blocks on that row, in pixels
 * @box: the label, in pixels, inside the view
 * @size: its type's size, in pixels
 * @callout: the label is beside the diagram, not over its group, with a
 *   line to the group
 */
typedef struct
{
  char *text;
  char *detail;
  guint depth;
  EnvelopeRect area;
  EnvelopeRect box;
  double size;
  gboolean callout;
} EnvelopeZoomLabel;

gboolean envelope_zoom_labels_wanted (double                 zoom);
GArray  *envelope_zoom_labels_new    (const EnvelopeDiagram *diagram,
                                      const EnvelopeLayout  *layout,
                                      const EnvelopeRect    *view,
                                      double                 zoom,
                                      double                 origin_x,
                                      double                 origin_y);
void     envelope_zoom_labels_draw   (cairo_t               *cr,
                                      const GArray          *labels,
                                      EnvelopeTheme          theme);

G_END_DECLS
