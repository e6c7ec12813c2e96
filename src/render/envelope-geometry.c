/* envelope-geometry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>

#include "envelope-geometry.h"

gboolean
envelope_rect_intersects (const EnvelopeRect *a,
                          const EnvelopeRect *b)
{
  return a->x <= b->x + b->width && b->x <= a->x + a->width &&
         a->y <= b->y + b->height && b->y <= a->y + a->height;
}

gboolean
envelope_rect_contains_point (const EnvelopeRect *rect,
                              double              x,
                              double              y)
{
  return x >= rect->x && x <= rect->x + rect->width &&
         y >= rect->y && y <= rect->y + rect->height;
}

/* An empty rectangle (zero width and height at the origin) is no
 * rectangle at all: the union with it is the other one. */
void
envelope_rect_union (const EnvelopeRect *a,
                     const EnvelopeRect *b,
                     EnvelopeRect       *result)
{
  double x0, y0, x1, y1;

  if (a->width <= 0 && a->height <= 0 && a->x == 0 && a->y == 0)
    {
      *result = *b;
      return;
    }
  if (b->width <= 0 && b->height <= 0 && b->x == 0 && b->y == 0)
    {
      *result = *a;
      return;
    }
  x0 = MIN (a->x, b->x);
  y0 = MIN (a->y, b->y);
  x1 = MAX (a->x + a->width, b->x + b->width);
  y1 = MAX (a->y + a->height, b->y + b->height);
  result->x = x0;
  result->y = y0;
  result->width = x1 - x0;
  result->height = y1 - y0;
}

void
envelope_rect_inflate (EnvelopeRect *rect,
                       double        dx,
                       double        dy)
{
  rect->x -= dx;
  rect->y -= dy;
  rect->width += 2 * dx;
  rect->height += 2 * dy;
}

/* 0 inside, else the Euclidean distance to the nearest edge. */
double
envelope_rect_distance (const EnvelopeRect *rect,
                        double              x,
                        double              y)
{
  double dx = MAX (MAX (rect->x - x, 0), x - (rect->x + rect->width));
  double dy = MAX (MAX (rect->y - y, 0), y - (rect->y + rect->height));

  return sqrt (dx * dx + dy * dy);
}
