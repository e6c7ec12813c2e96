/* envelope-painter.h: the drawing interface the renderer draws through
 *
 * Like Dia's renderer interface: the renderer makes one set of drawing
 * calls, and a backend turns them into pixels or into a file.  Two
 * backends: Cairo (the screen, PNG and PDF, where Cairo keeps text
 * selectable) and an SVG writer of Envelope's own, in which names and
 * figures stay <text> elements (Cairo's SVG surface writes every glyph as
 * an outline).
 *
 * Paths, the transformation, the line width and dashes and the source
 * colour live in a cairo_t for every backend (the SVG writer keeps one on
 * a tiny image surface for the geometry); what a backend does itself is
 * marking: filling, stroking, clipping, painting and showing text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "envelope-geometry.h"
#include "envelope-render-private.h"
#include "envelope-renderer.h"
#include "envelope-timeline.h"

G_BEGIN_DECLS

typedef struct _EnvelopePainter EnvelopePainter;

typedef struct
{
  void (*fill)      (EnvelopePainter *painter,
                     gboolean         preserve);
  void (*stroke)    (EnvelopePainter *painter,
                     gboolean         preserve);
  void (*clip)      (EnvelopePainter *painter);
  void (*paint)     (EnvelopePainter *painter);
  void (*save)      (EnvelopePainter *painter);
  void (*restore)   (EnvelopePainter *painter);
  /* @text in @style with its top at @y and its left at @x, or its
   * centre at @x when @centred; ellipsized to @width unless that is
   * negative */
  void (*show_text) (EnvelopePainter   *painter,
                     TextKit           *kit,
                     TextStyle          style,
                     const char        *text,
                     double             x,
                     double             y,
                     double             width,
                     gboolean           centred,
                     PangoEllipsizeMode ellipsize);
} EnvelopePainterBackend;

struct _EnvelopePainter
{
  const EnvelopePainterBackend *backend;
  cairo_t *cr;               /* paths, transformation and state */
  /* the screen: shapes of one colour may go in one path (what is made
   * is pixels, not elements a person edits) */
  gboolean merges_marks;
};

/* The Cairo backend, drawing onto @cr (not owned): on the stack. */
void     envelope_painter_init_cairo (EnvelopePainter *painter,
                                      cairo_t         *cr);

/* The SVG backend: a page of @width × @height points. */
EnvelopePainter *envelope_svg_painter_new    (double           width,
                                              double           height,
                                              const char      *title);
/* The document written so far, closed; frees the painter.  Check
 * cairo_status (painter->cr) first. */
GBytes          *envelope_svg_painter_finish (EnvelopePainter *painter);

/* The drawing calls: paths and state go to the cairo_t, marks to the
 * backend. */
static inline void painter_move_to (EnvelopePainter *painter, double x, double y) { cairo_move_to (painter->cr, x, y); }
static inline void painter_line_to (EnvelopePainter *painter, double x, double y) { cairo_line_to (painter->cr, x, y); }
static inline void painter_curve_to (EnvelopePainter *painter, double x1, double y1, double x2, double y2, double x3, double y3) { cairo_curve_to (painter->cr, x1, y1, x2, y2, x3, y3); }
static inline void painter_arc (EnvelopePainter *painter, double xc, double yc, double radius, double angle1, double angle2) { cairo_arc (painter->cr, xc, yc, radius, angle1, angle2); }
static inline void painter_rectangle (EnvelopePainter *painter, double x, double y, double width, double height) { cairo_rectangle (painter->cr, x, y, width, height); }
static inline void painter_close_path (EnvelopePainter *painter) { cairo_close_path (painter->cr); }
static inline void painter_new_sub_path (EnvelopePainter *painter) { cairo_new_sub_path (painter->cr); }
static inline void painter_translate (EnvelopePainter *painter, double x, double y) { cairo_translate (painter->cr, x, y); }
static inline void painter_scale (EnvelopePainter *painter, double sx, double sy) { cairo_scale (painter->cr, sx, sy); }
static inline void painter_new_path (EnvelopePainter *painter) { cairo_new_path (painter->cr); }
static inline void painter_transform (EnvelopePainter *painter, const cairo_matrix_t *matrix) { cairo_transform (painter->cr, matrix); }
static inline void painter_set_tolerance (EnvelopePainter *painter, double tolerance) { cairo_set_tolerance (painter->cr, tolerance); }
static inline void painter_set_line_width (EnvelopePainter *painter, double width) { cairo_set_line_width (painter->cr, width); }
static inline void painter_set_dash (EnvelopePainter *painter, const double *dashes, int n_dashes, double offset) { cairo_set_dash (painter->cr, dashes, n_dashes, offset); }
static inline void painter_set_source_rgb (EnvelopePainter *painter, double red, double green, double blue) { cairo_set_source_rgb (painter->cr, red, green, blue); }
static inline void painter_set_source_rgba (EnvelopePainter *painter, double red, double green, double blue, double alpha) { cairo_set_source_rgba (painter->cr, red, green, blue, alpha); }
static inline void painter_set_source (EnvelopePainter *painter, cairo_pattern_t *source) { cairo_set_source (painter->cr, source); }

#define painter_fill(p) (p)->backend->fill ((p), FALSE)
#define painter_fill_preserve(p) (p)->backend->fill ((p), TRUE)
#define painter_stroke(p) (p)->backend->stroke ((p), FALSE)
#define painter_stroke_preserve(p) (p)->backend->stroke ((p), TRUE)
#define painter_clip(p) (p)->backend->clip ((p))
#define painter_paint(p) (p)->backend->paint ((p))
#define painter_save(p) (p)->backend->save ((p))
#define painter_restore(p) (p)->backend->restore ((p))
#define painter_show_text(p, kit, style, text, x, y, width, centred, ellipsize) \
  (p)->backend->show_text ((p), (kit), (style), (text), (x), (y), (width), (centred), (ellipsize))

/* envelope_renderer_draw() through any backend. */
void envelope_renderer_paint (EnvelopeRenderer            *renderer,
                              EnvelopePainter             *painter,
                              const EnvelopeDiagram       *diagram,
                              const EnvelopeLayout        *layout,
                              const EnvelopeRenderOptions *options,
                              const EnvelopeRect          *visible,
                              double                       zoom);

/* envelope_renderer_draw_page() through any backend. */
void envelope_renderer_paint_page (EnvelopeRenderer            *renderer,
                                   EnvelopePainter             *painter,
                                   const EnvelopeDiagram       *diagram,
                                   const EnvelopeLayout        *layout,
                                   const EnvelopeRenderOptions *options,
                                   double                       zoom);

/* envelope_timeline_draw() through any backend. */
void envelope_timeline_paint (const EnvelopeTimeline *timeline,
                              EnvelopePainter        *painter,
                              double                  width,
                              double                  height);

G_END_DECLS
