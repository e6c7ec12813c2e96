/* envelope-viewport.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>

#include "envelope-viewport.h"

struct _EnvelopeViewport
{
  double width;       /* widget pixels */
  double height;
  double zoom;        /* pixels per world unit */
  double min_zoom;
  double max_zoom;
  double center_x;    /* world */
  double center_y;
};

G_DEFINE_BOXED_TYPE (EnvelopeViewport, envelope_viewport, envelope_viewport_copy, envelope_viewport_free)

EnvelopeViewport *
envelope_viewport_new (void)
{
  EnvelopeViewport *viewport = g_new0 (EnvelopeViewport, 1);

  viewport->zoom = 1.0;
  viewport->min_zoom = 1.0 / 1024.0;
  viewport->max_zoom = 32.0;
  return viewport;
}

EnvelopeViewport *
envelope_viewport_copy (const EnvelopeViewport *viewport)
{
  g_return_val_if_fail (viewport != NULL, NULL);

  return g_memdup2 (viewport, sizeof *viewport);
}

void
envelope_viewport_free (EnvelopeViewport *viewport)
{
  g_free (viewport);
}

void
envelope_viewport_set_size (EnvelopeViewport *viewport,
                            double            width,
                            double            height)
{
  g_return_if_fail (viewport != NULL);

  viewport->width = MAX (width, 0);
  viewport->height = MAX (height, 0);
}

void
envelope_viewport_get_size (const EnvelopeViewport *viewport,
                            double                 *width,
                            double                 *height)
{
  g_return_if_fail (viewport != NULL);

  if (width != NULL)
    *width = viewport->width;
  if (height != NULL)
    *height = viewport->height;
}

void
envelope_viewport_set_zoom_limits (EnvelopeViewport *viewport,
                                   double            min_zoom,
                                   double            max_zoom)
{
  g_return_if_fail (viewport != NULL);
  g_return_if_fail (min_zoom > 0 && min_zoom <= max_zoom);

  viewport->min_zoom = min_zoom;
  viewport->max_zoom = max_zoom;
  viewport->zoom = CLAMP (viewport->zoom, min_zoom, max_zoom);
}

void
envelope_viewport_set_zoom (EnvelopeViewport *viewport,
                            double            zoom)
{
  g_return_if_fail (viewport != NULL);

  if (!isfinite (zoom) || zoom <= 0)
    return;
  viewport->zoom = CLAMP (zoom, viewport->min_zoom, viewport->max_zoom);
}

double
envelope_viewport_get_zoom (const EnvelopeViewport *viewport)
{
  g_return_val_if_fail (viewport != NULL, 1.0);

  return viewport->zoom;
}

void
envelope_viewport_set_center (EnvelopeViewport *viewport,
                              double            x,
                              double            y)
{
  g_return_if_fail (viewport != NULL);

  viewport->center_x = x;
  viewport->center_y = y;
}

void
envelope_viewport_get_center (const EnvelopeViewport *viewport,
                              double                 *x,
                              double                 *y)
{
  g_return_if_fail (viewport != NULL);

  if (x != NULL)
    *x = viewport->center_x;
  if (y != NULL)
    *y = viewport->center_y;
}

void
envelope_viewport_widget_to_world (const EnvelopeViewport *viewport,
                                   double                  widget_x,
                                   double                  widget_y,
                                   double                 *world_x,
                                   double                 *world_y)
{
  g_return_if_fail (viewport != NULL);

  if (world_x != NULL)
    *world_x = viewport->center_x + (widget_x - viewport->width / 2) / viewport->zoom;
  if (world_y != NULL)
    *world_y = viewport->center_y + (widget_y - viewport->height / 2) / viewport->zoom;
}

void
envelope_viewport_world_to_widget (const EnvelopeViewport *viewport,
                                   double                  world_x,
                                   double                  world_y,
                                   double                 *widget_x,
                                   double                 *widget_y)
{
  g_return_if_fail (viewport != NULL);

  if (widget_x != NULL)
    *widget_x = (world_x - viewport->center_x) * viewport->zoom + viewport->width / 2;
  if (widget_y != NULL)
    *widget_y = (world_y - viewport->center_y) * viewport->zoom + viewport->height / 2;
}

/* A distance on screen (a hit-test tolerance, say) in world units. */
double
envelope_viewport_pixels_to_world (const EnvelopeViewport *viewport,
                                   double                  pixels)
{
  g_return_val_if_fail (viewport != NULL, pixels);

  return pixels / viewport->zoom;
}

/* Multiplies the zoom by @factor keeping the world point under
 * (@widget_x, @widget_y) where it is: the pointer's anchor. */
void
envelope_viewport_zoom_at (EnvelopeViewport *viewport,
                           double            factor,
                           double            widget_x,
                           double            widget_y)
{
  double world_x, world_y;

  g_return_if_fail (viewport != NULL);

  if (!isfinite (factor) || factor <= 0)
    return;
  envelope_viewport_widget_to_world (viewport, widget_x, widget_y, &world_x, &world_y);
  envelope_viewport_set_zoom (viewport, viewport->zoom * factor);
  viewport->center_x = world_x - (widget_x - viewport->width / 2) / viewport->zoom;
  viewport->center_y = world_y - (widget_y - viewport->height / 2) / viewport->zoom;
}

/* Moves the view by (@dx, @dy) widget pixels, as a drag does: the world
 * follows the pointer. */
void
envelope_viewport_pan (EnvelopeViewport *viewport,
                       double            dx,
                       double            dy)
{
  g_return_if_fail (viewport != NULL);

  viewport->center_x -= dx / viewport->zoom;
  viewport->center_y -= dy / viewport->zoom;
}

/* Shows all of @world with @margin pixels around it. */
void
envelope_viewport_fit (EnvelopeViewport   *viewport,
                       const EnvelopeRect *world,
                       double              margin)
{
  double avail_w, avail_h, zoom;

  g_return_if_fail (viewport != NULL);
  g_return_if_fail (world != NULL);

  viewport->center_x = world->x + world->width / 2;
  viewport->center_y = world->y + world->height / 2;
  avail_w = MAX (viewport->width - 2 * margin, 1);
  avail_h = MAX (viewport->height - 2 * margin, 1);
  if (world->width <= 0 && world->height <= 0)
    return;
  zoom = MIN (world->width > 0 ? avail_w / world->width : G_MAXDOUBLE,
              world->height > 0 ? avail_h / world->height : G_MAXDOUBLE);
  envelope_viewport_set_zoom (viewport, zoom);
}

void
envelope_viewport_get_visible (const EnvelopeViewport *viewport,
                               EnvelopeRect           *world)
{
  g_return_if_fail (viewport != NULL);

  world->width = viewport->width / viewport->zoom;
  world->height = viewport->height / viewport->zoom;
  world->x = viewport->center_x - world->width / 2;
  world->y = viewport->center_y - world->height / 2;
}

/* Sets @cr's matrix so that drawing in world units lands in the widget. */
void
envelope_viewport_apply (const EnvelopeViewport *viewport,
                         cairo_t                *cr)
{
  g_return_if_fail (viewport != NULL);

  cairo_translate (cr, viewport->width / 2, viewport->height / 2);
  cairo_scale (cr, viewport->zoom, viewport->zoom);
  cairo_translate (cr, -viewport->center_x, -viewport->center_y);
}
