/* envelope-viewport.h: which part of the world a widget shows
 *
 * Plain C, no widget: the canvas maps pointer events onto it and draws
 * through envelope_viewport_apply().  The zoom is in device pixels per
 * world unit; widget coordinates have their origin at the top left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "envelope-geometry.h"

G_BEGIN_DECLS

typedef struct _EnvelopeViewport EnvelopeViewport;

#define ENVELOPE_TYPE_VIEWPORT (envelope_viewport_get_type ())
GType             envelope_viewport_get_type         (void) G_GNUC_CONST;

EnvelopeViewport *envelope_viewport_new              (void);
EnvelopeViewport *envelope_viewport_copy             (const EnvelopeViewport *viewport);
void              envelope_viewport_free             (EnvelopeViewport       *viewport);

void              envelope_viewport_set_size         (EnvelopeViewport       *viewport,
                                                      double                  width,
                                                      double                  height);
void              envelope_viewport_get_size         (const EnvelopeViewport *viewport,
                                                      double                 *width,
                                                      double                 *height);
void              envelope_viewport_set_zoom_limits  (EnvelopeViewport       *viewport,
                                                      double                  min_zoom,
                                                      double                  max_zoom);
void              envelope_viewport_set_zoom         (EnvelopeViewport       *viewport,
                                                      double                  zoom);
double            envelope_viewport_get_zoom         (const EnvelopeViewport *viewport);
void              envelope_viewport_set_center       (EnvelopeViewport       *viewport,
                                                      double                  x,
                                                      double                  y);
void              envelope_viewport_get_center       (const EnvelopeViewport *viewport,
                                                      double                 *x,
                                                      double                 *y);

void              envelope_viewport_widget_to_world  (const EnvelopeViewport *viewport,
                                                      double                  widget_x,
                                                      double                  widget_y,
                                                      double                 *world_x,
                                                      double                 *world_y);
void              envelope_viewport_world_to_widget  (const EnvelopeViewport *viewport,
                                                      double                  world_x,
                                                      double                  world_y,
                                                      double                 *widget_x,
                                                      double                 *widget_y);
double            envelope_viewport_pixels_to_world  (const EnvelopeViewport *viewport,
                                                      double                  pixels);

void              envelope_viewport_zoom_at          (EnvelopeViewport       *viewport,
                                                      double                  factor,
                                                      double                  widget_x,
                                                      double                  widget_y);
void              envelope_viewport_pan              (EnvelopeViewport       *viewport,
                                                      double                  dx,
                                                      double                  dy);
void              envelope_viewport_fit              (EnvelopeViewport       *viewport,
                                                      const EnvelopeRect     *world,
                                                      double                  margin);
void              envelope_viewport_get_visible      (const EnvelopeViewport *viewport,
                                                      EnvelopeRect           *world);
void              envelope_viewport_apply            (const EnvelopeViewport *viewport,
                                                      cairo_t                *cr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeViewport, envelope_viewport_free)

G_END_DECLS
