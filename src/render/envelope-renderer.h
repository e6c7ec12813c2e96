/* envelope-renderer.h: a diagram onto any cairo_t
 *
 * The same code draws the application's canvas and every exported file.
 * envelope_renderer_draw() draws the diagram in world units through the
 * caller's transformation (a viewport's, say), only what meets the
 * visible rectangle, with the detail the zoom allows;
 * envelope_renderer_draw_page() adds the title, the legend and the
 * totals around it, for a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "envelope-color-scale.h"
#include "envelope-diagram.h"
#include "envelope-format.h"
#include "envelope-geometry.h"
#include "envelope-layout.h"

G_BEGIN_DECLS

typedef enum
{
  ENVELOPE_COLOR_BY_KIND,       /* a colour per layer category */
  ENVELOPE_COLOR_BY_MEMORY,     /* share of the memory (see EnvelopeMemoryOf) */
  ENVELOPE_COLOR_BY_MACS,       /* share of the multiply-adds */
  ENVELOPE_COLOR_BY_PARAMS,     /* share of the parameters */
} EnvelopeColorMode;

typedef enum
{
  ENVELOPE_MEMORY_OF_ACTIVATIONS,  /* a layer's output × batch × bytes */
  ENVELOPE_MEMORY_OF_PARAMETERS,   /* its parameters × bytes */
} EnvelopeMemoryOf;

/**
 * EnvelopeRenderOptions:
 * @color_mode: what the fill colour says
 * @memory_of: for %ENVELOPE_COLOR_BY_MEMORY
 * @color_scale: the sequential scale of the share modes
 * @theme: light or dark
 * @receptive_field: draw the growth of the receptive field
 * @receptive_field_layer: -1, or the layer whose receptive field is drawn
 *   on the input to scale
 * @selected_block: -1, or a block to highlight
 * @show_title: (page only) the network's name
 * @show_legend: (page only) what the colours mean
 * @show_totals: (page only) parameters, MACs and memory
 * @transparent: (page only) no background
 * @units: how byte figures are written (KiB or kB)
 *
 * None of these changes the layout.
 */
typedef struct
{
  EnvelopeColorMode color_mode;
  EnvelopeMemoryOf memory_of;
  EnvelopeColorScale color_scale;
  EnvelopeTheme theme;
  gboolean receptive_field;
  gint receptive_field_layer;
  gint selected_block;
  gboolean show_title;
  gboolean show_legend;
  gboolean show_totals;
  gboolean transparent;
  EnvelopeUnits units;
  /* a checkpoint plan's blocks, by layer (TRUE: recomputed in the
   * backward pass), drawn with a dashed outline; or NULL */
  const gboolean *recomputed;
} EnvelopeRenderOptions;

typedef struct _EnvelopeRenderer EnvelopeRenderer;

void              envelope_render_options_init        (EnvelopeRenderOptions       *options);

EnvelopeRenderer *envelope_renderer_new               (void);
void              envelope_renderer_free              (EnvelopeRenderer            *renderer);

void              envelope_renderer_get_extents       (EnvelopeRenderer            *renderer,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       const EnvelopeRenderOptions *options,
                                                       EnvelopeRect                *extents);
void              envelope_renderer_draw              (EnvelopeRenderer            *renderer,
                                                       cairo_t                     *cr,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       const EnvelopeRenderOptions *options,
                                                       const EnvelopeRect          *visible,
                                                       double                       zoom);

void              envelope_renderer_get_selection_extents (const EnvelopeDiagram   *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       guint                        block,
                                                       EnvelopeRect                *extents);
void              envelope_renderer_draw_selection    (EnvelopeRenderer            *renderer,
                                                       cairo_t                     *cr,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       const EnvelopeRenderOptions *options,
                                                       guint                        block);
guint64           envelope_render_get_block_signature (const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options,
                                                       guint                        block);
guint64           envelope_render_get_edge_signature  (const EnvelopeDiagram       *diagram,
                                                       guint                        edge);

void              envelope_renderer_get_page_size     (EnvelopeRenderer            *renderer,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       const EnvelopeRenderOptions *options,
                                                       double                      *width,
                                                       double                      *height);
void              envelope_renderer_draw_page         (EnvelopeRenderer            *renderer,
                                                       cairo_t                     *cr,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeLayout        *layout,
                                                       const EnvelopeRenderOptions *options,
                                                       double                       zoom);

void              envelope_renderer_get_legend_size   (EnvelopeRenderer            *renderer,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options,
                                                       double                       max_width,
                                                       double                      *width,
                                                       double                      *height);
void              envelope_renderer_draw_legend       (EnvelopeRenderer            *renderer,
                                                       cairo_t                     *cr,
                                                       const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options,
                                                       double                       x,
                                                       double                       y,
                                                       double                       max_width);

void              envelope_render_get_block_color     (const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options,
                                                       guint                        block,
                                                       EnvelopeColor               *color);
double            envelope_render_get_block_share     (const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options,
                                                       guint                        block);
char             *envelope_render_describe_scale      (const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options);
char             *envelope_render_describe_totals     (const EnvelopeDiagram       *diagram,
                                                       const EnvelopeRenderOptions *options);
void              envelope_theme_get_background       (EnvelopeTheme                theme,
                                                       EnvelopeColor               *color);

gboolean          envelope_color_mode_from_string     (const char                  *text,
                                                       EnvelopeColorMode           *mode);
gboolean          envelope_memory_of_from_string      (const char                  *text,
                                                       EnvelopeMemoryOf            *memory_of);
gboolean          envelope_diagram_style_from_string  (const char                  *text,
                                                       EnvelopeDiagramStyle        *style);
gboolean          envelope_direction_from_string      (const char                  *text,
                                                       EnvelopeDirection           *direction);
gboolean          envelope_theme_from_string          (const char                  *text,
                                                       EnvelopeTheme               *theme);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeRenderer, envelope_renderer_free)

G_END_DECLS
