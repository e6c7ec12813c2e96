/* envelope-geometry.h: points and rectangles in world units
 *
 * World units are points (1/72 inch): a diagram exported at scale 1 is as
 * large in points as its layout is in world units.  The y axis points down,
 * as in Cairo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double x;
  double y;
} EnvelopePoint;

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} EnvelopeRect;

gboolean envelope_rect_intersects     (const EnvelopeRect *a,
                                       const EnvelopeRect *b);
gboolean envelope_rect_contains_point (const EnvelopeRect *rect,
                                       double              x,
                                       double              y);
void     envelope_rect_union          (const EnvelopeRect *a,
                                       const EnvelopeRect *b,
                                       EnvelopeRect       *result);
void     envelope_rect_inflate        (EnvelopeRect       *rect,
                                       double              dx,
                                       double              dy);
double   envelope_rect_distance       (const EnvelopeRect *rect,
                                       double              x,
                                       double              y);

G_END_DECLS
