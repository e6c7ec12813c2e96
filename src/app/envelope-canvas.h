/* envelope-canvas.h: the block diagram, as a widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-document.h"
#include "envelope-diagram.h"
#include "envelope-format.h"
#include "envelope-layout.h"
#include "envelope-viewport.h"

G_BEGIN_DECLS

typedef struct
{
  const char *color_mode;      /* "kind", "memory", "macs", "params" */
  const char *diagram_style;   /* "flat", "proportional" */
  const char *direction;       /* "LR", "TB" */
  guint collapse_depth;        /* 0: every layer; 1: stages; 2: blocks */
  gboolean auto_detail;        /* instead: as much detail as reads with the whole network in view */
  gboolean receptive_field;
  EnvelopeUnits units;         /* of the byte figures on the blocks and legend */
  gboolean flops;              /* the tooltip says FLOPs (2 × MACs) */
  gboolean one_flow;           /* one row or column, never wrapped (a walk through it) */
} EnvelopeCanvasView;

/* The renderer's options for a file, as the export dialog offers them. */
typedef struct
{
  double scale;                /* PNG pixels per point; 0 for the renderer's (a slide's width, when fitted) */
  gboolean annotations;        /* title, legend and totals around the diagram */
  gboolean transparent;        /* no background */
  double aspect;               /* 0: as shown; else fitted to a page of this width over height */
} EnvelopeCanvasExport;

#define ENVELOPE_TYPE_CANVAS (envelope_canvas_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeCanvas, envelope_canvas, ENVELOPE, CANVAS, GtkWidget)

GtkWidget              *envelope_canvas_new              (void);
void                    envelope_canvas_set_document     (EnvelopeCanvas           *self,
                                                          EnvelopeDocument         *document);
void                    envelope_canvas_set_view         (EnvelopeCanvas           *self,
                                                          const EnvelopeCanvasView *view);

double                  envelope_canvas_get_zoom         (EnvelopeCanvas           *self);
void                    envelope_canvas_zoom_step        (EnvelopeCanvas           *self,
                                                          int                       steps);
void                    envelope_canvas_zoom_at          (EnvelopeCanvas           *self,
                                                          double                    factor,
                                                          double                    x,
                                                          double                    y);
void                    envelope_canvas_zoom_fit         (EnvelopeCanvas           *self);
void                    envelope_canvas_reveal_selection (EnvelopeCanvas           *self);
void                    envelope_canvas_zoom_to_selection (EnvelopeCanvas          *self);
void                    envelope_canvas_get_visible      (EnvelopeCanvas           *self,
                                                          EnvelopeRect             *visible);
void                    envelope_canvas_center_on        (EnvelopeCanvas           *self,
                                                          double                    x,
                                                          double                    y);
gboolean                envelope_canvas_open_layer       (EnvelopeCanvas           *self,
                                                          gint                      layer);

gboolean                envelope_canvas_export           (EnvelopeCanvas             *self,
                                                          const char                 *path,
                                                          const EnvelopeCanvasExport *options,
                                                          GError                    **error);

/* For tests and benchmarks. */
const EnvelopeDiagram  *envelope_canvas_get_diagram      (EnvelopeCanvas           *self);
const gboolean         *envelope_canvas_get_recomputed   (EnvelopeCanvas           *self,
                                                          guint                    *n_layers);
const EnvelopeLayout   *envelope_canvas_get_layout       (EnvelopeCanvas           *self);
const EnvelopeViewport *envelope_canvas_get_viewport     (EnvelopeCanvas           *self);
gboolean                envelope_canvas_get_layout_pending (EnvelopeCanvas         *self);
char                   *envelope_canvas_dup_tooltip_at   (EnvelopeCanvas           *self,
                                                          double                    x,
                                                          double                    y);
gboolean                envelope_canvas_get_layer_point  (EnvelopeCanvas           *self,
                                                          const char               *layer,
                                                          double                   *x,
                                                          double                   *y);

G_END_DECLS
