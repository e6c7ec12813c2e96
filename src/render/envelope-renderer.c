/* envelope-renderer.c: blocks, arrows, colours, overlays, legend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "envelope-format.h"
#include "envelope-painter.h"
#include "envelope-render-private.h"
#include "envelope-renderer.h"

/* Text smaller than this on the device is left out, not squeezed. */
#define MIN_TEXT_PIXELS 5.0
/* Below this many device pixels a block is a plain rectangle. */
#define MIN_DETAIL_PIXELS 6.0

#define ARROW_LENGTH 7.0
#define ARROW_HALF_WIDTH 3.0
#define EDGE_WIDTH 1.1
#define BLOCK_RADIUS 3.5

#define PAGE_MARGIN 24.0

struct _EnvelopeRenderer
{
  TextKit *kit;
  char *family;
  GArray *blocks;            /* scratch: visible block indices */
  GArray *edges;
};

typedef struct
{
  EnvelopeColor background;
  EnvelopeColor text;
  EnvelopeColor muted;
  EnvelopeColor edge;
  EnvelopeColor accent;      /* the receptive field, the selection */
  EnvelopeColor warning;     /* misaligned merges */
  EnvelopeColor dark_text;
  EnvelopeColor light_text;
} Palette;

static void
rgb (EnvelopeColor *color,
     guint32        value)
{
  color->red = ((value >> 16) & 0xff) / 255.0;
  color->green = ((value >> 8) & 0xff) / 255.0;
  color->blue = (value & 0xff) / 255.0;
}

/* Accents from Okabe and Ito's colour-blind-safe set. */
static void
get_palette (EnvelopeTheme  theme,
             Palette       *p)
{
  rgb (&p->dark_text, 0x1a1a1a);
  rgb (&p->light_text, 0xffffff);
  if (theme == ENVELOPE_THEME_DARK)
    {
      rgb (&p->background, 0x1e1e1e);
      rgb (&p->text, 0xf2f2f2);
      rgb (&p->muted, 0xb8b8b8);
      rgb (&p->edge, 0x9a9a9a);
      rgb (&p->accent, 0x56b4e9);
      rgb (&p->warning, 0xe69f00);
    }
  else
    {
      rgb (&p->background, 0xffffff);
      rgb (&p->text, 0x1a1a1a);
      rgb (&p->muted, 0x555555);
      rgb (&p->edge, 0x6e6e6e);
      rgb (&p->accent, 0x0072b2);
      rgb (&p->warning, 0xd55e00);
    }
}

void
envelope_theme_get_background (EnvelopeTheme  theme,
                               EnvelopeColor *color)
{
  Palette p;

  get_palette (theme, &p);
  *color = p.background;
}

static void
set_color (EnvelopePainter     *painter,
           const EnvelopeColor *color,
           double               alpha)
{
  if (alpha >= 1.0)
    painter_set_source_rgb (painter, color->red, color->green, color->blue);
  else
    painter_set_source_rgba (painter, color->red, color->green, color->blue, alpha);
}

void
envelope_render_options_init (EnvelopeRenderOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->color_mode = ENVELOPE_COLOR_BY_KIND;
  options->memory_of = ENVELOPE_MEMORY_OF_ACTIVATIONS;
  options->color_scale = ENVELOPE_COLOR_SCALE_VIRIDIS;
  options->theme = ENVELOPE_THEME_LIGHT;
  options->units = ENVELOPE_UNITS_IEC;
  options->receptive_field_layer = -1;
  options->selected_block = -1;
  options->show_title = TRUE;
  options->show_legend = TRUE;
  options->show_totals = TRUE;
}

EnvelopeRenderer *
envelope_renderer_new (void)
{
  EnvelopeRenderer *renderer = g_new0 (EnvelopeRenderer, 1);

  renderer->blocks = g_array_new (FALSE, FALSE, sizeof (guint));
  renderer->edges = g_array_new (FALSE, FALSE, sizeof (guint));
  return renderer;
}

void
envelope_renderer_free (EnvelopeRenderer *renderer)
{
  if (renderer == NULL)
    return;
  text_kit_free (renderer->kit);
  g_free (renderer->family);
  g_array_unref (renderer->blocks);
  g_array_unref (renderer->edges);
  g_free (renderer);
}

static TextKit *
get_kit (EnvelopeRenderer      *renderer,
         const EnvelopeDiagram *diagram)
{
  const char *family = envelope_diagram_get_font_family (diagram);

  if (renderer->kit == NULL || g_strcmp0 (renderer->family, family) != 0)
    {
      text_kit_free (renderer->kit);
      g_free (renderer->family);
      renderer->kit = text_kit_new (family);
      renderer->family = g_strdup (family);
    }
  return renderer->kit;
}

/* The kit to measure with, where nothing is drawn: the process's own
 * for the diagram's family, which measures as the renderer's kit does
 * (same fonts, unhinted, at 72 dpi).  A page measured in a thread of the
 * fit's pool then loads no fonts of its own. */
static TextKit *
measuring_kit (const EnvelopeDiagram *diagram)
{
  return text_kit_get_shared (envelope_diagram_get_font_family (diagram));
}

/* ---- what the colours say ---- */

static guint64
block_value (const EnvelopeRenderOptions *options,
             const EnvelopeBlock         *block)
{
  switch (options->color_mode)
    {
    case ENVELOPE_COLOR_BY_MACS:
      return block->macs;
    case ENVELOPE_COLOR_BY_PARAMS:
      return block->params;
    case ENVELOPE_COLOR_BY_MEMORY:
      return options->memory_of == ENVELOPE_MEMORY_OF_PARAMETERS ? block->params : block->activations;
    case ENVELOPE_COLOR_BY_KIND:
    default:
      return 0;
    }
}

static guint64
max_value (const EnvelopeDiagram       *diagram,
           const EnvelopeRenderOptions *options)
{
  switch (options->color_mode)
    {
    case ENVELOPE_COLOR_BY_MACS:
      return envelope_diagram_get_max_macs (diagram);
    case ENVELOPE_COLOR_BY_PARAMS:
      return envelope_diagram_get_max_params (diagram);
    case ENVELOPE_COLOR_BY_MEMORY:
      return options->memory_of == ENVELOPE_MEMORY_OF_PARAMETERS ? envelope_diagram_get_max_params (diagram)
                                                                  : envelope_diagram_get_max_activations (diagram);
    case ENVELOPE_COLOR_BY_KIND:
    default:
      return 0;
    }
}

static guint64
total_value (const EnvelopeDiagram       *diagram,
             const EnvelopeRenderOptions *options)
{
  const EnvelopeTotals *totals = envelope_diagram_get_totals (diagram);

  switch (options->color_mode)
    {
    case ENVELOPE_COLOR_BY_MACS:
      return totals->macs;
    case ENVELOPE_COLOR_BY_PARAMS:
      return totals->params;
    case ENVELOPE_COLOR_BY_MEMORY:
      return options->memory_of == ENVELOPE_MEMORY_OF_PARAMETERS ? totals->params : totals->activations_all;
    case ENVELOPE_COLOR_BY_KIND:
    default:
      return 0;
    }
}

/* Bytes of @value in the memory mode: activations at the batch, or
 * parameters, at the analysis's bytes per value. */
static guint64
memory_bytes (const EnvelopeDiagram       *diagram,
              const EnvelopeRenderOptions *options,
              guint64                      value)
{
  const EnvelopeMemory *memory = envelope_diagram_get_memory (diagram);
  guint64 bytes;

  if (!g_uint64_checked_mul (&bytes, value, memory->bytes_per_value))
    return G_MAXUINT64;
  if (options->memory_of == ENVELOPE_MEMORY_OF_ACTIVATIONS &&
      !g_uint64_checked_mul (&bytes, bytes, MAX (memory->batch, 1)))
    return G_MAXUINT64;
  return bytes;
}

/**
 * envelope_render_get_block_share:
 *
 * Where block @block sits on the colour scale: its figure over the
 * largest block's, in [0, 1]; 0 in the kind mode.
 */
double
envelope_render_get_block_share (const EnvelopeDiagram       *diagram,
                                 const EnvelopeRenderOptions *options,
                                 guint                        block)
{
  guint64 max = max_value (diagram, options);

  if (max == 0)
    return 0;
  return (double) block_value (options, envelope_diagram_get_block (diagram, block)) / (double) max;
}

void
envelope_render_get_block_color (const EnvelopeDiagram       *diagram,
                                 const EnvelopeRenderOptions *options,
                                 guint                        block,
                                 EnvelopeColor               *color)
{
  /* a partial analysis: the bad layer in the error colour, the layers
   * that read it greyed */
  static const EnvelopeColor failed = { 0.878, 0.106, 0.141 }, not_analysed = { 0.70, 0.70, 0.70 };
  EnvelopeLayerState state = envelope_diagram_get_block (diagram, block)->state;

  if (state != ENVELOPE_LAYER_ANALYSED)
    *color = state == ENVELOPE_LAYER_FAILED ? failed : not_analysed;
  else if (options->color_mode == ENVELOPE_COLOR_BY_KIND)
    envelope_color_for_category (envelope_diagram_get_block (diagram, block)->category, options->theme, color);
  else
    envelope_color_scale_map (options->color_scale, envelope_render_get_block_share (diagram, options, block), color);
}

static const char *
mode_unit (const EnvelopeRenderOptions *options)
{
  switch (options->color_mode)
    {
    case ENVELOPE_COLOR_BY_MACS:
      return _("MACs");
    case ENVELOPE_COLOR_BY_PARAMS:
      return _("params");
    case ENVELOPE_COLOR_BY_MEMORY:
    case ENVELOPE_COLOR_BY_KIND:
    default:
      return "";
    }
}

/* "1.85G MACs", "3.06 MiB": a block's figure in the current mode. */
static char *
format_figure (const EnvelopeDiagram       *diagram,
               const EnvelopeRenderOptions *options,
               guint64                      value)
{
  g_autofree char *number = NULL;

  if (options->color_mode == ENVELOPE_COLOR_BY_MEMORY)
    return envelope_format_bytes (memory_bytes (diagram, options, value), options->units);
  number = envelope_format_compact (value);
  return g_strdup_printf ("%s %s", number, mode_unit (options));
}

/**
 * envelope_render_describe_scale:
 *
 * What the colours mean, for a legend or a tooltip: "MACs share per
 * layer: 0% … 29.3% (1.85G MACs)".
 *
 * Returns: (transfer full) (nullable): the text, %NULL in the kind mode
 */
char *
envelope_render_describe_scale (const EnvelopeDiagram       *diagram,
                                const EnvelopeRenderOptions *options)
{
  guint64 max = max_value (diagram, options);
  g_autofree char *share = envelope_format_percent (max, total_value (diagram, options));
  g_autofree char *figure = format_figure (diagram, options, max);
  const EnvelopeMemory *memory = envelope_diagram_get_memory (diagram);

  switch (options->color_mode)
    {
    case ENVELOPE_COLOR_BY_MACS:
      return g_strdup_printf (_("MACs share per block: 0%% … %s (%s)"), share, figure);
    case ENVELOPE_COLOR_BY_PARAMS:
      return g_strdup_printf (_("Parameter share per block: 0%% … %s (%s)"), share, figure);
    case ENVELOPE_COLOR_BY_MEMORY:
      if (options->memory_of == ENVELOPE_MEMORY_OF_PARAMETERS)
        return g_strdup_printf (_("Memory share, parameters at %u B each: 0%% … %s (%s)"),
                                memory->bytes_per_value, share, figure);
      return g_strdup_printf (_("Memory share, outputs × batch %" PRIu64 " at %u B each: 0%% … %s (%s)"),
                              memory->batch, memory->bytes_per_value, share, figure);
    case ENVELOPE_COLOR_BY_KIND:
    default:
      return NULL;
    }
}

/* "25.6M params (97.5 MiB) · 4.09G MACs · memory at batch 1: …" */
char *
envelope_render_describe_totals (const EnvelopeDiagram       *diagram,
                                 const EnvelopeRenderOptions *options)
{
  const EnvelopeTotals *totals = envelope_diagram_get_totals (diagram);
  const EnvelopeMemory *memory = envelope_diagram_get_memory (diagram);
  g_autofree char *params = envelope_format_compact (totals->params);
  g_autofree char *model = envelope_format_bytes (totals->model_bytes, options->units);
  g_autofree char *macs = envelope_format_compact (totals->macs);
  gboolean pytorch = memory->model == ENVELOPE_MEMORY_MODEL_PYTORCH;
  g_autofree char *test = envelope_format_bytes (pytorch ? memory->pytorch.inference : memory->test.total,
                                                 options->units);
  g_autofree char *train = envelope_format_bytes (pytorch ? memory->pytorch.peak.total : memory->train_total,
                                                  options->units);

  /* a layer of unknown cost adds nothing: the counts are at least these */
  if (totals->unknown_cost_layers > 0)
    {
      char *at_least = g_strconcat ("≥ ", params, NULL);

      g_free (params);
      params = at_least;
      at_least = g_strconcat ("≥ ", macs, NULL);
      g_free (macs);
      macs = at_least;
    }

  return g_strdup_printf (pytorch ? _("%s params (%s) · %s MACs · memory at batch %" PRIu64 " in PyTorch: "
                                      "%s inference, %s training")
                                  : _("%s params (%s) · %s MACs · memory at batch %" PRIu64 ": "
                                      "%s inference, %s training"),
                          params, model, macs, memory->batch, test, train);
}

/* ---- text ---- */

typedef struct
{
  const char *text;
  TextStyle style;
} Line;

static double
lines_height (TextKit    *kit,
              const Line *lines,
              guint       n_lines)
{
  double h = 0;

  for (guint i = 0; i < n_lines; i++)
    h += kit->line_height[lines[i].style] + (i > 0 ? BLOCK_LINE_GAP : 0);
  return h;
}

static gboolean
legible (TextKit   *kit,
         TextStyle  style,
         double     zoom)
{
  return kit->size[style] * zoom >= MIN_TEXT_PIXELS;
}

/* Draws @text with its top at @y, centred on @x (or starting at @x),
 * ellipsized to @width. */
static void
show_text (EnvelopePainter   *painter,
           TextKit           *kit,
           TextStyle          style,
           const char        *text,
           double             x,
           double             y,
           double             width,
           gboolean           centred,
           PangoEllipsizeMode ellipsize)
{
  if (text == NULL || text[0] == '\0')
    return;
  painter_show_text (painter, kit, style, text, x, y, width, centred, ellipsize);
}

static void
show_lines (EnvelopePainter     *painter,
            TextKit             *kit,
            const Line          *lines,
            guint                n_lines,
            double               x,
            double               y,
            double               width,
            gboolean             centred,
            const EnvelopeColor *color,
            double               zoom)
{
  for (guint i = 0; i < n_lines; i++)
    {
      if (legible (kit, lines[i].style, zoom))
        {
          set_color (painter, color, i == 0 ? 1.0 : 0.85);
          show_text (painter, kit, lines[i].style, lines[i].text, x, y, width, centred,
                     i == 0 ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
        }
      y += kit->line_height[lines[i].style] + BLOCK_LINE_GAP;
    }
}

/* ---- blocks ---- */

typedef struct
{
  char *strings[5];
  Line lines[5];
  guint n_lines;
} BlockText;

static void
block_text_init (BlockText                   *text,
                 const EnvelopeDiagram       *diagram,
                 const EnvelopeRenderOptions *options,
                 const EnvelopeBlock         *block)
{
  guint64 value = block_value (options, block);
  guint64 total = total_value (diagram, options);

  memset (text, 0, sizeof *text);
  text->lines[0] = (Line) { block->name, TEXT_BLOCK_NAME };
  if (block->collapsed)
    {
      g_autofree char *params = envelope_format_compact (block->params);
      g_autofree char *macs = envelope_format_compact (block->macs);
      g_autofree char *activations = envelope_format_compact (block->activations);

      /* what it holds, what leaves it, what it costs */
      text->lines[1].text = block->description;
      text->lines[2].text = block->shape_text;
      text->strings[3] = g_strdup_printf (_("%s params · %s MACs"), params, macs);
      if (options->color_mode == ENVELOPE_COLOR_BY_KIND)
        text->strings[4] = g_strdup_printf (_("%s activations"), activations);
      else
        {
          g_autofree char *share = envelope_format_percent (value, total);

          if (options->color_mode == ENVELOPE_COLOR_BY_MEMORY)
            {
              g_autofree char *figure = format_figure (diagram, options, value);
              text->strings[4] = g_strdup_printf (_("%s · %s of memory"), figure, share);
            }
          else
            text->strings[4] = g_strdup_printf (_("%s of %s"), share, mode_unit (options));
        }
      text->n_lines = 5;
    }
  else
    {
      text->lines[1].text = block->description;
      text->lines[2].text = block->shape_text;
      if (options->color_mode == ENVELOPE_COLOR_BY_KIND)
        {
          if (block->macs > 0)
            {
              g_autofree char *macs = envelope_format_compact (block->macs);
              text->strings[3] = g_strdup_printf (_("%s MACs"), macs);
            }
          else if (block->params > 0)
            {
              g_autofree char *params = envelope_format_compact (block->params);
              text->strings[3] = g_strdup_printf (_("%s params"), params);
            }
        }
      else
        {
          g_autofree char *figure = format_figure (diagram, options, value);
          g_autofree char *share = envelope_format_percent (value, total);

          text->strings[3] = g_strdup_printf ("%s · %s", figure, share);
        }
      text->n_lines = 4;
    }
  for (guint i = 1; i < text->n_lines; i++)
    {
      text->lines[i].style = TEXT_BLOCK_DETAIL;
      if (text->strings[i] != NULL)
        text->lines[i].text = text->strings[i];
    }
}

static void
block_text_clear (BlockText *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (text->strings); i++)
    g_free (text->strings[i]);
}

static void
rounded_rectangle (EnvelopePainter    *painter,
                   const EnvelopeRect *r,
                   double              radius)
{
  if (radius <= 0)
    {
      painter_rectangle (painter, r->x, r->y, r->width, r->height);
      return;
    }
  radius = MIN (radius, MIN (r->width, r->height) / 2);
  painter_new_sub_path (painter);
  painter_arc (painter, r->x + r->width - radius, r->y + radius, radius, -G_PI / 2, 0);
  painter_arc (painter, r->x + r->width - radius, r->y + r->height - radius, radius, 0, G_PI / 2);
  painter_arc (painter, r->x + radius, r->y + r->height - radius, radius, G_PI / 2, G_PI);
  painter_arc (painter, r->x + radius, r->y + radius, radius, G_PI, 3 * G_PI / 2);
  painter_close_path (painter);
}

/* The same, for the screen at @zoom: a corner up to three pixels round
 * is two straight sides, which stray from the arc by a fifth of a pixel
 * at most; Cairo turns an arc into a curve and the curve into more. */
static void
screen_rounded_rectangle (EnvelopePainter    *painter,
                          const EnvelopeRect *r,
                          double              radius,
                          double              zoom)
{
  static const double turn[][2] = { { 1, 0 }, { 0.70710678, 0.70710678 }, { 0, 1 } };
  double cx[4], cy[4];

  radius = MIN (radius, MIN (r->width, r->height) / 2);
  if (radius <= 0 || radius * zoom > 3)
    {
      rounded_rectangle (painter, r, radius);
      return;
    }
  /* the corners' centres, clockwise from the top right, and the
   * directions their arcs start in */
  cx[0] = cx[1] = r->x + r->width - radius;
  cx[2] = cx[3] = r->x + radius;
  cy[0] = cy[3] = r->y + radius;
  cy[1] = cy[2] = r->y + r->height - radius;
  painter_new_sub_path (painter);
  for (guint c = 0; c < 4; c++)
    for (guint k = 0; k < G_N_ELEMENTS (turn); k++)
      {
        /* from -90° at the top right, a quarter turn a corner */
        double u = turn[k][0], v = turn[k][1], x, y;

        switch (c)
          {
          case 0: x = v; y = -u; break;
          case 1: x = u; y = v; break;
          case 2: x = -v; y = u; break;
          default: x = -u; y = -v; break;
          }
        if (c == 0 && k == 0)
          painter_move_to (painter, cx[c] + radius * x, cy[c] + radius * y);
        else
          painter_line_to (painter, cx[c] + radius * x, cy[c] + radius * y);
      }
  painter_close_path (painter);
}

static void
box_faces (EnvelopePainter    *painter,
           const EnvelopeRect *f,
           double              dx,
           double              dy,
           const EnvelopeColor *fill)
{
  EnvelopeColor top, side, outline, white = { 1, 1, 1 }, black = { 0, 0, 0 };

  envelope_color_mix (fill, &white, 0.35, &top);
  envelope_color_mix (fill, &black, 0.25, &side);
  envelope_color_mix (fill, &black, 0.5, &outline);

  painter_rectangle (painter, f->x, f->y, f->width, f->height);
  set_color (painter, fill, 1.0);
  painter_fill_preserve (painter);
  set_color (painter, &outline, 1.0);
  painter_set_line_width (painter, 0.6);
  painter_stroke (painter);

  painter_move_to (painter, f->x, f->y);
  painter_line_to (painter, f->x + dx, f->y - dy);
  painter_line_to (painter, f->x + f->width + dx, f->y - dy);
  painter_line_to (painter, f->x + f->width, f->y);
  painter_close_path (painter);
  set_color (painter, &top, 1.0);
  painter_fill_preserve (painter);
  set_color (painter, &outline, 1.0);
  painter_stroke (painter);

  painter_move_to (painter, f->x + f->width, f->y);
  painter_line_to (painter, f->x + f->width + dx, f->y - dy);
  painter_line_to (painter, f->x + f->width + dx, f->y + f->height - dy);
  painter_line_to (painter, f->x + f->width, f->y + f->height);
  painter_close_path (painter);
  set_color (painter, &side, 1.0);
  painter_fill_preserve (painter);
  set_color (painter, &outline, 1.0);
  painter_stroke (painter);
}

static void
draw_warning_mark (EnvelopePainter     *painter,
                   const Palette       *palette,
                   double               x,
                   double               y)
{
  /* a small triangle with a bar: "look here" without words */
  painter_move_to (painter, x, y - 6);
  painter_line_to (painter, x + 6, y + 5);
  painter_line_to (painter, x - 6, y + 5);
  painter_close_path (painter);
  set_color (painter, &palette->warning, 1.0);
  painter_fill_preserve (painter);
  set_color (painter, &palette->background, 1.0);
  painter_set_line_width (painter, 1.0);
  painter_stroke (painter);
  painter_move_to (painter, x, y - 2.5);
  painter_line_to (painter, x, y + 1.5);
  painter_move_to (painter, x, y + 2.8);
  painter_line_to (painter, x, y + 3.6);
  set_color (painter, &palette->light_text, 1.0);
  painter_set_line_width (painter, 1.3);
  painter_stroke (painter);
}

/* The selected block's outline. */
static void
halo_rect (const EnvelopeDiagram *diagram,
           const EnvelopeLayout  *layout,
           guint                  index,
           EnvelopeRect          *halo)
{
  const EnvelopeBlock *block = envelope_diagram_get_block (diagram, index);
  EnvelopeRect rect;

  envelope_layout_get_block_rect (layout, index, &rect);
  if (envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    {
      double dx, dy;

      block_box_geometry (block, envelope_layout_get_direction (layout), rect.x + rect.width / 2,
                          rect.y + rect.height / 2, halo, &dx, &dy);
      envelope_rect_inflate (halo, 2.5, 2.5);
      halo->y -= dy;
      halo->height += dy;
      halo->width += dx;
    }
  else
    {
      *halo = rect;
      envelope_rect_inflate (halo, 2.5, 2.5);
    }
}

static void
draw_halo (EnvelopePainter       *painter,
           const EnvelopeDiagram *diagram,
           const EnvelopeLayout  *layout,
           const Palette         *palette,
           guint                  index)
{
  EnvelopeRect halo;

  halo_rect (diagram, layout, index, &halo);
  rounded_rectangle (painter, &halo, BLOCK_RADIUS + 2);
  set_color (painter, &palette->accent, 1.0);
  painter_set_line_width (painter, 2.0);
  painter_stroke (painter);
}

static void draw_patch (EnvelopePainter             *painter,
                        const EnvelopeDiagram       *diagram,
                        const EnvelopeLayout        *layout,
                        const EnvelopeRenderOptions *options,
                        const Palette               *palette);

/* The classic figure's text: a group's name and what it holds over its
 * box (beside it, top to bottom), and the size under the box, or under
 * the middle of the run of boxes of that size. */
static void
draw_classic_text (EnvelopePainter       *painter,
                   TextKit               *kit,
                   const EnvelopeLayout  *layout,
                   const BlockText       *text,
                   const EnvelopeBlock   *block,
                   guint                  index,
                   const EnvelopeRect    *rect,
                   const EnvelopeRect    *front,
                   double                 dx,
                   double                 dy,
                   const EnvelopeColor   *color,
                   double                 zoom)
{
  Line label = { block->size_label, TEXT_CLASSIC_LABEL };

  if (envelope_layout_get_direction (layout) == ENVELOPE_DIRECTION_LEFT_RIGHT)
    {
      double center = rect->x + rect->width / 2;

      if (block->collapsed)
        show_lines (painter, kit, text->lines, 2, center, front->y - dy - PROPORTIONAL_TEXT_GAP - lines_height (kit, text->lines, 2),
                    block->text_width, TRUE, color, zoom);
      if (block->label_span == 0 || !legible (kit, TEXT_CLASSIC_LABEL, zoom))
        return;
      if (block->label_span > 1)
        {
          EnvelopeRect last;

          envelope_layout_get_block_rect (layout, index + block->label_span - 1, &last);
          /* a run broken across two rows is labelled under its first box */
          if (envelope_layout_get_block_row (layout, index + block->label_span - 1) == envelope_layout_get_block_row (layout, index))
            center = (rect->x + last.x + last.width) / 2;
        }
      set_color (painter, color, 1.0);
      show_text (painter, kit, TEXT_CLASSIC_LABEL, label.text, center, front->y + front->height + PROPORTIONAL_TEXT_GAP, -1,
                 TRUE, PANGO_ELLIPSIZE_NONE);
    }
  else
    {
      Line lines[3] = { text->lines[0], text->lines[1], label };
      const Line *shown = block->collapsed ? lines : lines + 2;
      guint n = block->collapsed ? 3 : 1;

      show_lines (painter, kit, shown, n, front->x + front->width + dx + PROPORTIONAL_TEXT_GAP,
                  front->y - dy + (front->height + dy) / 2 - lines_height (kit, shown, n) / 2,
                  block->text_width, FALSE, color, zoom);
    }
}

/* The kernel of @to's layer as a square on the face of @from's box that
 * looks at @to, and a pyramid from it to @to's box: the square's side is
 * √(kernel / map) of the face's, so that a 3 × 3 kernel on a 224-pixel
 * map still shows (0.12 of the face) and an 11 × 11 one is larger. */
static gboolean
kernel_pyramid (const EnvelopeDiagram *diagram,
                const EnvelopeLayout  *layout,
                guint                  from,
                guint                  to,
                EnvelopePoint          corners[4],
                EnvelopePoint         *apex)
{
  const EnvelopeBlock *source = envelope_diagram_get_block (diagram, from);
  const EnvelopeBlock *target = envelope_diagram_get_block (diagram, to);
  EnvelopeDirection direction = envelope_layout_get_direction (layout);
  EnvelopeRect rect, front, target_front;
  double dx, dy, tdx, tdy, fu, fv, u0, v0;

  if (target->kernel[0] == 0 || source->layout != ENVELOPE_TENSOR_MAP || source->rank != 3 ||
      source->shape[1] == 0 || source->shape[2] == 0)
    return FALSE;
  envelope_layout_get_block_rect (layout, from, &rect);
  block_box_geometry (source, direction, rect.x + rect.width / 2, rect.y + rect.height / 2, &front, &dx, &dy);
  envelope_layout_get_block_rect (layout, to, &rect);
  block_box_geometry (target, direction, rect.x + rect.width / 2, rect.y + rect.height / 2, &target_front, &tdx, &tdy);

  fv = CLAMP (sqrt ((double) target->kernel[0] / source->shape[1]), 0.12, 0.7);
  fu = CLAMP (sqrt ((double) target->kernel[1] / source->shape[2]), 0.12, 0.7);
  u0 = 0.5 - fu / 2;
  v0 = 0.5 - fv / 2;
  for (guint k = 0; k < 4; k++)
    {
      double u = u0 + ((k == 1 || k == 2) ? fu : 0), v = v0 + (k >= 2 ? fv : 0);

      if (direction == ENVELOPE_DIRECTION_LEFT_RIGHT)
        /* the side face: u recedes, v runs down */
        corners[k] = (EnvelopePoint) { front.x + front.width + u * dx, front.y - u * dy + v * front.height };
      else
        /* the bottom is hidden: the front face, seen from above the next box */
        corners[k] = (EnvelopePoint) { front.x + u * front.width, front.y + front.height - (1 - v) * MIN (front.height, 8) };
    }
  if (direction == ENVELOPE_DIRECTION_LEFT_RIGHT)
    *apex = (EnvelopePoint) { target_front.x + MIN (tdx / 2, target_front.width / 3), target_front.y + target_front.height / 2 - tdy / 2 };
  else
    *apex = (EnvelopePoint) { target_front.x + target_front.width / 2 + tdx / 2, target_front.y - tdy / 2 };
  return TRUE;
}

/* An arrow the classic figure draws as its kernel's pyramid instead:
 * from a map to the next box in its row. */
static gboolean
pyramid_edge (const EnvelopeDiagram *diagram,
              const EnvelopeLayout  *layout,
              guint                  e)
{
  const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

  return edge->main && edge->to == edge->from + 1 && envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL &&
         envelope_diagram_get_block (diagram, edge->to)->kernel[0] > 0 &&
         envelope_layout_get_block_row (layout, edge->from) == envelope_layout_get_block_row (layout, edge->to);
}

/* The pyramid into block @index from the block before it, when it has
 * a kernel and the two are in one row. */
static void
draw_kernel_pyramid (EnvelopePainter       *painter,
                     const EnvelopeDiagram *diagram,
                     const EnvelopeLayout  *layout,
                     const Palette         *palette,
                     guint                  index,
                     const EnvelopeColor   *fill)
{
  EnvelopePoint corners[4], apex;
  EnvelopeColor outline, black = { 0, 0, 0 };

  if (index == 0 || envelope_layout_get_block_row (layout, index - 1) != envelope_layout_get_block_row (layout, index) ||
      !kernel_pyramid (diagram, layout, index - 1, index, corners, &apex))
    return;
  envelope_color_mix (fill, &black, 0.45, &outline);
  painter_move_to (painter, corners[0].x, corners[0].y);
  for (guint k = 1; k < 4; k++)
    painter_line_to (painter, corners[k].x, corners[k].y);
  painter_close_path (painter);
  set_color (painter, fill, 0.85);
  painter_fill_preserve (painter);
  set_color (painter, &outline, 1.0);
  painter_set_line_width (painter, 0.6);
  painter_stroke (painter);
  for (guint k = 0; k < 4; k++)
    {
      painter_move_to (painter, corners[k].x, corners[k].y);
      painter_line_to (painter, apex.x, apex.y);
    }
  set_color (painter, &palette->edge, 0.9);
  painter_set_line_width (painter, 0.5);
  painter_stroke (painter);
}

/* A flat block's box: its outline as a fill under its fill (two fills
 * cost Cairo much less than a fill and a stroke), with corners and
 * outlines thinner than a pixel left out.  With @outline, the outer
 * box, else the inner one; returns whether there is an outline. */
static gboolean
flat_box (const EnvelopeRect *rect,
          double              zoom,
          gboolean            outline,
          EnvelopeRect       *box,
          double             *radius)
{
  gboolean outlined = 0.8 * zoom >= 0.35;

  *box = *rect;
  *radius = BLOCK_RADIUS * zoom >= 1 ? BLOCK_RADIUS : 0;
  if (outlined && !outline)
    {
      envelope_rect_inflate (box, -0.8, -0.8);
      *radius = MAX (*radius - 0.8, 0);
    }
  return outlined;
}

static void
flat_outline_color (const EnvelopeColor *fill,
                    EnvelopeColor       *outline)
{
  static const EnvelopeColor black = { 0, 0, 0 };

  envelope_color_mix (fill, &black, 0.4, outline);
}

typedef struct
{
  EnvelopeColor fill;
  guint block;
} PaintedBlock;

static int
compare_painted (gconstpointer a,
                 gconstpointer b)
{
  const PaintedBlock *x = a, *y = b;
  int order = memcmp (&x->fill, &y->fill, sizeof x->fill);

  return order != 0 ? order : (x->block > y->block) - (x->block < y->block);
}

/* The flat blocks' boxes, one path per colour: all the outlines, then
 * all the fills.  Blocks do not overlap, so this paints what a fill
 * and a stroke a block would, with a tenth of the fills (each of which
 * Cairo sets up, scans and composites on its own). */
static void
draw_flat_boxes (EnvelopePainter             *painter,
                 const EnvelopeDiagram       *diagram,
                 const EnvelopeLayout        *layout,
                 const EnvelopeRenderOptions *options,
                 const GArray                *blocks,
                 double                       zoom)
{
  g_autofree PaintedBlock *painted = g_new (PaintedBlock, MAX (blocks->len, 1));
  gboolean outlined = FALSE;

  for (guint k = 0; k < blocks->len; k++)
    {
      painted[k].block = g_array_index (blocks, guint, k);
      envelope_render_get_block_color (diagram, options, painted[k].block, &painted[k].fill);
    }
  qsort (painted, blocks->len, sizeof *painted, compare_painted);

  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 0 && blocks->len > 0)
        {
          EnvelopeRect rect, box;
          double radius;

          envelope_layout_get_block_rect (layout, painted[0].block, &rect);
          outlined = flat_box (&rect, zoom, TRUE, &box, &radius);
          if (!outlined)
            continue;
        }
      for (guint k = 0; k < blocks->len; k++)
        {
          EnvelopeRect rect, box;
          double radius;

          envelope_layout_get_block_rect (layout, painted[k].block, &rect);
          flat_box (&rect, zoom, pass == 0, &box, &radius);
          screen_rounded_rectangle (painter, &box, radius, zoom);
          if (k + 1 == blocks->len || memcmp (&painted[k].fill, &painted[k + 1].fill, sizeof painted[k].fill) != 0)
            {
              EnvelopeColor color;

              if (pass == 0)
                flat_outline_color (&painted[k].fill, &color);
              else
                color = painted[k].fill;
              set_color (painter, &color, 1.0);
              painter_fill (painter);
            }
        }
    }
}

static void
draw_block (EnvelopeRenderer            *renderer,
            EnvelopePainter             *painter,
            const EnvelopeDiagram       *diagram,
            const EnvelopeLayout        *layout,
            const EnvelopeRenderOptions *options,
            const Palette               *palette,
            guint                        index,
            double                       zoom,
            gboolean                     box_drawn)
{
  const EnvelopeBlock *block = envelope_diagram_get_block (diagram, index);
  EnvelopeDirection direction = envelope_layout_get_direction (layout);
  TextKit *kit = renderer->kit;
  EnvelopeRect rect, front;
  EnvelopeColor fill, text_color;
  BlockText text;
  double dx = 0, dy = 0;
  gboolean proportional = envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;

  envelope_layout_get_block_rect (layout, index, &rect);
  envelope_render_get_block_color (diagram, options, index, &fill);

  if (proportional)
    {
      block_box_geometry (block, direction, rect.x + rect.width / 2, rect.y + rect.height / 2, &front, &dx, &dy);
      box_faces (painter, &front, dx, dy, &fill);
      text_color = palette->text;
      if (block->kernel[0] > 0)
        draw_kernel_pyramid (painter, diagram, layout, palette, index, &fill);
    }
  else
    {
      front = rect;
      if (!box_drawn)
        {
          EnvelopeColor outline;
          EnvelopeRect box;
          double radius;

          if (flat_box (&rect, zoom, TRUE, &box, &radius))
            {
              flat_outline_color (&fill, &outline);
              rounded_rectangle (painter, &box, radius);
              set_color (painter, &outline, 1.0);
              painter_fill (painter);
            }
          flat_box (&rect, zoom, FALSE, &box, &radius);
          rounded_rectangle (painter, &box, radius);
          set_color (painter, &fill, 1.0);
          painter_fill (painter);
        }
      text_color = envelope_color_is_dark (&fill) ? palette->light_text : palette->dark_text;
      /* the chosen layer's receptive field on the image, under the text */
      if ((gint) index == envelope_diagram_get_input_block (diagram))
        draw_patch (painter, diagram, layout, options, palette);
    }

  if ((gint) index == options->selected_block)
    draw_halo (painter, diagram, layout, palette, index);

  if (legible (kit, TEXT_BLOCK_NAME, zoom))
    {
      block_text_init (&text, diagram, options, block);
      if (!proportional)
        {
          /* centred vertically: a blank last line (no figure) drops */
          guint n = text.n_lines;
          double h;

          while (n > 1 && (text.lines[n - 1].text == NULL || text.lines[n - 1].text[0] == '\0'))
            n--;
          h = lines_height (kit, text.lines, n);
          show_lines (painter, kit, text.lines, n, rect.x + rect.width / 2, rect.y + (rect.height - h) / 2,
                      block->text_width, TRUE, &text_color, zoom);
        }
      else
        draw_classic_text (painter, kit, layout, &text, block, index, &rect, &front, dx, dy, &text_color, zoom);
      block_text_clear (&text);
    }

}

/* The corner where a block's marks go: top right, over its receding
 * faces in the proportional style. */
static void
block_mark_position (const EnvelopeDiagram *diagram,
                     const EnvelopeLayout  *layout,
                     guint                  index,
                     double                *x,
                     double                *y)
{
  EnvelopeRect rect, front;
  double dx = 0, dy = 0;

  envelope_layout_get_block_rect (layout, index, &rect);
  front = rect;
  if (envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    block_box_geometry (envelope_diagram_get_block (diagram, index), envelope_layout_get_direction (layout),
                        rect.x + rect.width / 2, rect.y + rect.height / 2, &front, &dx, &dy);
  *x = front.x + front.width + dx - 2;
  *y = front.y - dy + 2;
}

/* ---- arrows ---- */

static void
edge_path (EnvelopePainter            *painter,
           const EnvelopeEdgeGeometry *g)
{
  painter_move_to (painter, g->points[0].x, g->points[0].y);
  for (guint i = 1; i + 2 < g->n_points; i += 3)
    painter_curve_to (painter, g->points[i].x, g->points[i].y,
                    g->points[i + 1].x, g->points[i + 1].y,
                    g->points[i + 2].x, g->points[i + 2].y);
}

static void
arrow_head (EnvelopePainter            *painter,
            const EnvelopeEdgeGeometry *g)
{
  const EnvelopePoint *tip = &g->points[g->n_points - 1];
  double dx = 0, dy = 0, len;

  /* the tangent at the end: the last control point that differs */
  for (gint i = (gint) g->n_points - 2; i >= 0; i--)
    {
      dx = tip->x - g->points[i].x;
      dy = tip->y - g->points[i].y;
      if (fabs (dx) + fabs (dy) > 1e-6)
        break;
    }
  len = sqrt (dx * dx + dy * dy);
  if (len < 1e-6)
    return;
  dx /= len;
  dy /= len;
  painter_move_to (painter, tip->x, tip->y);
  painter_line_to (painter, tip->x - ARROW_LENGTH * dx - ARROW_HALF_WIDTH * dy, tip->y - ARROW_LENGTH * dy + ARROW_HALF_WIDTH * dx);
  painter_line_to (painter, tip->x - ARROW_LENGTH * dx + ARROW_HALF_WIDTH * dy, tip->y - ARROW_LENGTH * dy - ARROW_HALF_WIDTH * dx);
  painter_close_path (painter);
}

static void
draw_edges (EnvelopeRenderer            *renderer,
            EnvelopePainter             *painter,
            const EnvelopeDiagram       *diagram,
            const EnvelopeLayout        *layout,
            const Palette               *palette,
            const GArray                *edges,
            double                       zoom,
            gboolean                     overview)
{
  TextKit *kit = renderer->kit;

  set_color (painter, &palette->edge, 1.0);
  painter_set_line_width (painter, overview ? MAX (EDGE_WIDTH, 0.5 / zoom) : EDGE_WIDTH);
  for (guint k = 0; k < edges->len; k++)
    {
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (layout, g_array_index (edges, guint, k));

      if (!overview && pyramid_edge (diagram, layout, g_array_index (edges, guint, k)))
        continue;
      if (overview)
        {
          painter_move_to (painter, g->points[0].x, g->points[0].y);
          painter_line_to (painter, g->points[g->n_points - 1].x, g->points[g->n_points - 1].y);
        }
      else
        edge_path (painter, g);
      /* in batches: Cairo's stroker slows down faster than the path
       * grows, as it looks for every crossing */
      if (k % 16 == 15)
        painter_stroke (painter);
    }
  painter_stroke (painter);
  /* heads of less than a pixel or two are not worth their cost */
  if (overview || ARROW_LENGTH * zoom < 1.5)
    return;

  for (guint k = 0; k < edges->len; k++)
    {
      if (pyramid_edge (diagram, layout, g_array_index (edges, guint, k)))
        continue;
      arrow_head (painter, envelope_layout_get_edge (layout, g_array_index (edges, guint, k)));
      if (k % 64 == 63)
        painter_fill (painter);
    }
  painter_fill (painter);

  if (!legible (kit, TEXT_EDGE_LABEL, zoom))
    return;
  for (guint k = 0; k < edges->len; k++)
    {
      guint e = g_array_index (edges, guint, k);
      const EnvelopeEdgeGeometry *g = envelope_layout_get_edge (layout, e);
      const char *label = envelope_diagram_get_edge (diagram, e)->label;
      EnvelopeRect pill;
      double w, h;

      if (!g->has_label)
        continue;
      {
        PangoRectangle logical;

        pango_layout_get_extents (text_kit_shaped (kit, TEXT_EDGE_LABEL, label, -1, PANGO_ELLIPSIZE_NONE), NULL, &logical);
        w = (double) logical.width / PANGO_SCALE;
      }
      h = kit->line_height[TEXT_EDGE_LABEL];
      pill = (EnvelopeRect) { g->label.x - w / 2 - 3, g->label.y - h / 2 - 1, w + 6, h + 2 };
      rounded_rectangle (painter, &pill, h / 2);
      set_color (painter, &palette->background, 0.92);
      painter_fill (painter);
      set_color (painter, &palette->muted, 1.0);
      show_text (painter, kit, TEXT_EDGE_LABEL, label, g->label.x, g->label.y - h / 2, -1, TRUE, PANGO_ELLIPSIZE_NONE);
    }
}

/* ---- the receptive field ---- */

/* Whether the receptive field counts input tokens, not pixels: the
 * first block that has one (GPT-2's token embedding, the input of an
 * imported transformer) says. */
static gboolean
receptive_field_in_tokens (const EnvelopeDiagram *diagram)
{
  for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);

      if (block->receptive_field.n_axes > 0)
        return block->layout == ENVELOPE_TENSOR_TOKENS;
    }
  return FALSE;
}

static const char *
receptive_field_title (const EnvelopeDiagram *diagram)
{
  return receptive_field_in_tokens (diagram) ? _("Receptive field (input tokens)") : _("Receptive field (input pixels)");
}

/* The strip above row @row (left of a column, top to bottom). */
static gboolean
receptive_field_strip (const EnvelopeLayout        *layout,
                       const EnvelopeRenderOptions *options,
                       guint                        row,
                       EnvelopeRect                *strip)
{
  EnvelopeRect bounds;

  if (!options->receptive_field)
    return FALSE;
  envelope_layout_get_row_bounds (layout, row, &bounds);
  if (envelope_layout_get_direction (layout) == ENVELOPE_DIRECTION_LEFT_RIGHT)
    *strip = (EnvelopeRect) { bounds.x, bounds.y - RF_STRIP_GAP - RF_STRIP_SIZE, MAX (bounds.width, 160), RF_STRIP_SIZE };
  else
    *strip = (EnvelopeRect) { bounds.x - RF_STRIP_GAP - RF_STRIP_SIZE, bounds.y, RF_STRIP_SIZE, MAX (bounds.height, 120) };
  return TRUE;
}

/* The field's widest axis: what the band plots. */
static double
receptive_field_size (const EnvelopeReceptiveField *rf)
{
  double widest = rf->size[0];

  for (guint a = 1; a < MIN (rf->n_axes, ENVELOPE_MAX_SPATIAL); a++)
    widest = MAX (widest, rf->size[a]);
  return widest;
}

/* "7", or each axis where they differ ("7×3" for a wide kernel,
 * "5×11×11" for frames of video); a sequence's one axis alone. */
static char *
format_receptive_field (const EnvelopeReceptiveField *rf)
{
  guint n = CLAMP (rf->n_axes, 1, ENVELOPE_MAX_SPATIAL);
  gboolean same = TRUE;
  GString *text;

  if (rf->whole_input)
    return g_strdup (_("all"));
  for (guint a = 1; a < n; a++)
    same &= rf->size[a] == rf->size[0];
  if (same)
    return envelope_format_real (rf->size[0]);
  text = g_string_new (NULL);
  for (guint a = 0; a < n; a++)
    {
      g_autofree char *size = envelope_format_real (rf->size[a]);

      if (a > 0)
        g_string_append (text, "×");
      g_string_append (text, size);
    }
  return g_string_free (text, FALSE);
}

typedef struct
{
  double position;           /* along the flow */
  double value;              /* receptive field, input pixels */
  guint block;
} RfPoint;

static int
compare_rf_points (gconstpointer a,
                   gconstpointer b)
{
  const RfPoint *p = a, *q = b;

  if (p->position != q->position)
    return p->position < q->position ? -1 : 1;
  return p->value < q->value ? -1 : p->value > q->value;
}

/* The growth of the receptive field along the flow, as a band under a
 * curve that runs through the largest value at each rank, with the
 * values written where they change.  Only the part along @visible is
 * drawn. */
static void
draw_receptive_field_strip (EnvelopeRenderer            *renderer,
                            EnvelopePainter             *painter,
                            const EnvelopeDiagram       *diagram,
                            const EnvelopeLayout        *layout,
                            const EnvelopeRenderOptions *options,
                            const Palette               *palette,
                            guint                        row,
                            const EnvelopeRect          *strip,
                            const EnvelopeRect          *visible,
                            double                       zoom)
{
  TextKit *kit = renderer->kit;
  gboolean lr = envelope_layout_get_direction (layout) == ENVELOPE_DIRECTION_LEFT_RIGHT;
  guint n = envelope_diagram_get_n_blocks (diagram);
  g_autoptr(GArray) points = g_array_sized_new (FALSE, FALSE, sizeof (RfPoint), n);
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (RfPoint));
  guint64 input_h, input_w;
  double top_value = 1, extent, base, span, label_h = kit->line_height[TEXT_OVERLAY];
  double view_start, view_end;
  guint first, last;
  gint chosen = options->receptive_field_layer >= 0 &&
                (guint) options->receptive_field_layer < envelope_diagram_get_n_layers (diagram)
                ? envelope_diagram_find_block (diagram, (guint) options->receptive_field_layer) : -1;

  envelope_diagram_get_input_extent (diagram, &input_h, &input_w);
  extent = (double) MAX (input_h, input_w);
  for (guint b = 0; b < n; b++)
    {
      const EnvelopeReceptiveField *rf = &envelope_diagram_get_block (diagram, b)->receptive_field;

      if (!rf->whole_input)
        top_value = MAX (top_value, receptive_field_size (rf));
    }
  top_value = MAX (top_value, extent);

  for (guint b = 0; b < n; b++)
    {
      const EnvelopeReceptiveField *rf = &envelope_diagram_get_block (diagram, b)->receptive_field;
      EnvelopeRect rect;
      RfPoint p;

      /* a block without figures (a partial analysis) has no field to plot */
      if (envelope_layout_get_block_row (layout, b) != row ||
          envelope_diagram_get_block (diagram, b)->state != ENVELOPE_LAYER_ANALYSED)
        continue;
      envelope_layout_get_block_rect (layout, b, &rect);
      p.position = lr ? rect.x + rect.width / 2 : rect.y + rect.height / 2;
      p.value = rf->whole_input ? top_value : MIN (receptive_field_size (rf), top_value);
      p.block = b;
      g_array_append_val (points, p);
    }
  g_array_sort (points, compare_rf_points);
  for (guint i = 0; i < points->len; i++)
    {
      const RfPoint *p = &g_array_index (points, RfPoint, i);

      if (columns->len > 0 && fabs (g_array_index (columns, RfPoint, columns->len - 1).position - p->position) < 0.5)
        {
          RfPoint *column = &g_array_index (columns, RfPoint, columns->len - 1);

          if (p->value >= column->value)
            *column = *p;
        }
      else
        g_array_append_val (columns, *p);
    }
  if (columns->len == 0)
    return;

  /* the columns along the visible part, and one more on each side */
  view_start = (lr ? visible->x : visible->y) - 60;
  view_end = (lr ? visible->x + visible->width : visible->y + visible->height) + 60;
  first = 0;
  while (first + 1 < columns->len && g_array_index (columns, RfPoint, first + 1).position < view_start)
    first++;
  last = first;
  while (last + 1 < columns->len && g_array_index (columns, RfPoint, last).position <= view_end)
    last++;

  /* plot area: values from @base toward the far side */
  if (lr)
    {
      base = strip->y + strip->height;
      span = strip->height - label_h * 2 - 6;
    }
  else
    {
      base = strip->x + strip->width;
      span = strip->width - 34;
    }
#define RF_AT(v) (base - (v) / top_value * span)
#define RF_POINT(pos, v) (lr ? (pos) : RF_AT (v)), (lr ? RF_AT (v) : (pos))

  painter_save (painter);

  /* the band and its curve */
  {
    const RfPoint *p = &g_array_index (columns, RfPoint, first);

    painter_move_to (painter, RF_POINT (p->position, 0));
    for (guint i = first; i <= last; i++)
      {
        p = &g_array_index (columns, RfPoint, i);
        painter_line_to (painter, RF_POINT (p->position, p->value));
      }
    painter_line_to (painter, RF_POINT (p->position, 0));
    painter_close_path (painter);
    set_color (painter, &palette->accent, 0.14);
    painter_fill (painter);
    for (guint i = first; i <= last; i++)
      {
        p = &g_array_index (columns, RfPoint, i);
        painter_line_to (painter, RF_POINT (p->position, p->value));
      }
    set_color (painter, &palette->accent, 1.0);
    painter_set_line_width (painter, 1.5);
    painter_stroke (painter);
  }

  /* the baseline and the input's own size */
  painter_set_line_width (painter, 0.6);
  set_color (painter, &palette->muted, 0.7);
  if (lr)
    {
      painter_move_to (painter, strip->x, base);
      painter_line_to (painter, strip->x + strip->width, base);
    }
  else
    {
      painter_move_to (painter, base, strip->y);
      painter_line_to (painter, base, strip->y + strip->height);
    }
  painter_stroke (painter);
  if (extent > 0)
    {
      double dashes[] = { 3, 3 };

      painter_set_dash (painter, dashes, 2, 0);
      if (lr)
        {
          painter_move_to (painter, strip->x, RF_AT (extent));
          painter_line_to (painter, strip->x + strip->width, RF_AT (extent));
        }
      else
        {
          painter_move_to (painter, RF_AT (extent), strip->y);
          painter_line_to (painter, RF_AT (extent), strip->y + strip->height);
        }
      painter_stroke (painter);
      painter_set_dash (painter, NULL, 0, 0);
    }

  /* a dot per block; misaligned merges ringed */
  for (guint i = 0; i < points->len; i++)
    {
      const RfPoint *p = &g_array_index (points, RfPoint, i);
      const EnvelopeBlock *block;

      if (p->position < view_start || p->position > view_end)
        continue;
      block = envelope_diagram_get_block (diagram, p->block);
      painter_new_sub_path (painter);
      painter_arc (painter, RF_POINT (p->position, p->value), (gint) p->block == chosen ? 3.5 : 1.8, 0, 2 * G_PI);
      set_color (painter, &palette->accent, 1.0);
      painter_fill (painter);
      if (block->misaligned)
        {
          painter_arc (painter, RF_POINT (p->position, p->value), 4.5, 0, 2 * G_PI);
          set_color (painter, &palette->warning, 1.0);
          painter_set_line_width (painter, 1.5);
          painter_stroke (painter);
        }
    }

  if (legible (kit, TEXT_OVERLAY, zoom))
    {
      set_color (painter, &palette->muted, 1.0);
      show_text (painter, kit, TEXT_OVERLAY, receptive_field_title (diagram), strip->x, strip->y - label_h - 2, -1,
                 FALSE, PANGO_ELLIPSIZE_NONE);
      if (extent > 0)
        {
          g_autofree char *size = envelope_format_real (extent);
          g_autofree char *input = g_strdup_printf (_("input %s"), size);

          /* at the start of the strip, where the field is still small */
          if (lr)
            show_text (painter, kit, TEXT_OVERLAY, input, strip->x + 2, RF_AT (extent) - label_h - 1, -1, FALSE,
                       PANGO_ELLIPSIZE_NONE);
          else
            show_text (painter, kit, TEXT_OVERLAY, input, RF_AT (extent) + 3, strip->y + 2, -1, FALSE,
                       PANGO_ELLIPSIZE_NONE);
        }

      /* the value wherever it changes from the rank before (ranks are
       * further apart than a number is long) */
      set_color (painter, &palette->text, 1.0);
      for (guint i = first; i <= last; i++)
        {
          const RfPoint *p = &g_array_index (columns, RfPoint, i);
          const EnvelopeBlock *block = envelope_diagram_get_block (diagram, p->block);
          g_autofree char *value = NULL;

          if (i > 0 && (gint) p->block != chosen)
            {
              const RfPoint *before = &g_array_index (columns, RfPoint, i - 1);

              if (before->value == p->value &&
                  envelope_diagram_get_block (diagram, before->block)->receptive_field.whole_input ==
                  block->receptive_field.whole_input)
                continue;
            }
          value = format_receptive_field (&block->receptive_field);
          if (lr)
            show_text (painter, kit, TEXT_OVERLAY, value, p->position, RF_AT (p->value) - label_h - 2, -1, TRUE,
                       PANGO_ELLIPSIZE_NONE);
          else
            show_text (painter, kit, TEXT_OVERLAY, value, RF_AT (p->value) - text_kit_measure (kit, TEXT_OVERLAY, value) - 5,
                       p->position - label_h / 2, -1, FALSE, PANGO_ELLIPSIZE_NONE);
        }
    }
#undef RF_POINT
#undef RF_AT
  painter_restore (painter);
}

/* The input patch that one output of the chosen layer sees, to scale on
 * the input block: the output at the middle of the map, centred at
 * start + jump × ⌊(n − 1) / 2⌋ on each axis.  @image maps image pixels
 * (u across the width, v down the height) onto the input block, or onto
 * the face of its box that shows the image in the proportional style. */
static gboolean
patch_geometry (const EnvelopeDiagram       *diagram,
                const EnvelopeLayout        *layout,
                const EnvelopeRenderOptions *options,
                cairo_matrix_t              *image,
                double                      *center,
                double                      *size)
{
  gint input = envelope_diagram_get_input_block (diagram);
  const EnvelopeLayerFigures *f;
  const EnvelopeReceptiveField *rf;
  guint64 input_h, input_w;
  EnvelopeRect rect, front;
  double dx, dy;

  envelope_diagram_get_input_extent (diagram, &input_h, &input_w);
  if (options->receptive_field_layer < 0 || input < 0 || input_h == 0 || input_w == 0 ||
      (guint) options->receptive_field_layer >= envelope_diagram_get_n_layers (diagram))
    return FALSE;
  f = envelope_diagram_get_layer_figures (diagram, (guint) options->receptive_field_layer);
  rf = &f->receptive_field;

  for (guint a = 0; a < 2; a++)
    {
      guint64 extent = a == 0 ? input_h : input_w;

      if (rf->whole_input || f->rank != 3)
        {
          center[a] = extent / 2.0;
          size[a] = MAX (rf->size[a], (double) extent);
        }
      else
        {
          center[a] = rf->start[a] + rf->jump[a] * floor ((f->shape[1 + a] - 1) / 2.0);
          size[a] = rf->size[a];
        }
    }

  envelope_layout_get_block_rect (layout, (guint) input, &rect);
  if (envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_FLAT)
    {
      cairo_matrix_init (image, rect.width / input_w, 0, 0, rect.height / input_h, rect.x, rect.y);
      return TRUE;
    }
  block_box_geometry (envelope_diagram_get_block (diagram, (guint) input), envelope_layout_get_direction (layout),
                      rect.x + rect.width / 2, rect.y + rect.height / 2, &front, &dx, &dy);
  if (envelope_layout_get_direction (layout) == ENVELOPE_DIRECTION_LEFT_RIGHT)
    /* the side face: u recedes, v runs down */
    cairo_matrix_init (image, dx / input_w, -dy / input_w, 0, front.height / input_h, front.x + front.width, front.y);
  else
    /* the top face: u runs across, v comes forward */
    cairo_matrix_init (image, front.width / input_w, 0, -dx / input_h, dy / input_h, front.x + dx, front.y - dy);
  return TRUE;
}

static void
draw_patch (EnvelopePainter             *painter,
            const EnvelopeDiagram       *diagram,
            const EnvelopeLayout        *layout,
            const EnvelopeRenderOptions *options,
            const Palette               *palette)
{
  cairo_matrix_t image;
  double center[2], size[2], dashes[] = { 4, 2 };
  guint64 input_h, input_w;

  if (!patch_geometry (diagram, layout, options, &image, center, size))
    return;
  envelope_diagram_get_input_extent (diagram, &input_h, &input_w);

  painter_save (painter);
  painter_transform (painter, &image);
  /* inside the image: filled; beyond it (padding): outlined only */
  painter_save (painter);
  painter_rectangle (painter, 0, 0, input_w, input_h);
  painter_clip (painter);
  painter_rectangle (painter, center[1] - size[1] / 2, center[0] - size[0] / 2, size[1], size[0]);
  set_color (painter, &palette->accent, 0.3);
  painter_fill (painter);
  painter_restore (painter);
  painter_rectangle (painter, center[1] - size[1] / 2, center[0] - size[0] / 2, size[1], size[0]);
  painter_restore (painter);
  set_color (painter, &palette->accent, 1.0);
  painter_set_line_width (painter, 1.4);
  painter_set_dash (painter, dashes, 2, 0);
  painter_stroke (painter);
  painter_set_dash (painter, NULL, 0, 0);
}

/* The chosen layer's block outlined, and what it sees written under
 * the input block. */
static void
draw_receptive_field_choice (EnvelopeRenderer            *renderer,
                             EnvelopePainter             *painter,
                             const EnvelopeDiagram       *diagram,
                             const EnvelopeLayout        *layout,
                             const EnvelopeRenderOptions *options,
                             const Palette               *palette,
                             double                       zoom)
{
  guint layer = (guint) options->receptive_field_layer;
  gint input = envelope_diagram_get_input_block (diagram);
  const EnvelopeReceptiveField *rf;
  EnvelopeRect rect, chosen_rect;
  gboolean proportional = envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
  guint chosen;

  if (options->receptive_field_layer < 0 || layer >= envelope_diagram_get_n_layers (diagram))
    return;
  rf = &envelope_diagram_get_layer_figures (diagram, layer)->receptive_field;

  if (proportional)
    draw_patch (painter, diagram, layout, options, palette);

  chosen = (guint) envelope_diagram_find_block (diagram, layer);
  envelope_layout_get_block_rect (layout, chosen, &chosen_rect);
  if (proportional)
    {
      double cdx, cdy;

      block_box_geometry (envelope_diagram_get_block (diagram, chosen), envelope_layout_get_direction (layout),
                          chosen_rect.x + chosen_rect.width / 2, chosen_rect.y + chosen_rect.height / 2,
                          &chosen_rect, &cdx, &cdy);
      chosen_rect.y -= cdy;
      chosen_rect.height += cdy;
      chosen_rect.width += cdx;
    }
  envelope_rect_inflate (&chosen_rect, 3, 3);
  rounded_rectangle (painter, &chosen_rect, BLOCK_RADIUS + 2);
  set_color (painter, &palette->accent, 1.0);
  painter_set_line_width (painter, 2.0);
  painter_stroke (painter);

  if (input >= 0 && legible (renderer->kit, TEXT_OVERLAY, zoom))
    {
      double h = renderer->kit->line_height[TEXT_OVERLAY];
      g_autofree char *value = format_receptive_field (rf);
      g_autofree char *label = NULL;
      EnvelopeRect pill;
      double w;

      label = rf->whole_input ? g_strdup_printf (_("%s sees all of the input"), envelope_diagram_get_layer_name (diagram, layer))
                              : receptive_field_in_tokens (diagram)
                              ? g_strdup_printf (_("%s sees %s tokens"), envelope_diagram_get_layer_name (diagram, layer), value)
                              : g_strdup_printf (_("%s sees %s px"), envelope_diagram_get_layer_name (diagram, layer), value);
      w = text_kit_measure (renderer->kit, TEXT_OVERLAY, label);
      envelope_layout_get_block_rect (layout, (guint) input, &rect);
      pill = (EnvelopeRect) { rect.x + rect.width / 2 - w / 2 - 3, rect.y + rect.height + 2, w + 6, h + 2 };
      rounded_rectangle (painter, &pill, h / 2);
      set_color (painter, &palette->background, 0.92);
      painter_fill (painter);
      set_color (painter, &palette->accent, 1.0);
      show_text (painter, renderer->kit, TEXT_OVERLAY, label, pill.x + pill.width / 2, pill.y + 1, -1, TRUE,
                 PANGO_ELLIPSIZE_NONE);
    }
}

/* ---- the diagram ---- */

void
envelope_renderer_get_extents (EnvelopeRenderer            *renderer,
                               const EnvelopeDiagram       *diagram,
                               const EnvelopeLayout        *layout,
                               const EnvelopeRenderOptions *options,
                               EnvelopeRect                *extents)
{
  EnvelopeRect strip;

  g_return_if_fail (renderer != NULL && diagram != NULL && layout != NULL && options != NULL);

  envelope_layout_get_bounds (layout, extents);
  for (guint row = 0; row < envelope_layout_get_n_rows (layout); row++)
    if (receptive_field_strip (layout, options, row, &strip))
      {
        TextKit *kit = measuring_kit (diagram);
        double h = kit->line_height[TEXT_OVERLAY];
        EnvelopeRect title = { strip.x, strip.y - h - 2, text_kit_measure (kit, TEXT_OVERLAY, receptive_field_title (diagram)), h };

        /* its title above it, as wide as it is */
        strip.y -= h + 2;
        strip.height += h + 2;
        envelope_rect_union (extents, &strip, extents);
        envelope_rect_union (extents, &title, extents);
      }
  if (options->receptive_field_layer >= 0)
    {
      TextKit *kit = measuring_kit (diagram);
      gint input = envelope_diagram_get_input_block (diagram);

      if (input >= 0)
        {
          EnvelopeRect rect;

          /* the patch's label under the input block */
          envelope_layout_get_block_rect (layout, (guint) input, &rect);
          rect.height += kit->line_height[TEXT_OVERLAY] + 6;
          envelope_rect_union (extents, &rect, extents);
        }
    }
  envelope_rect_inflate (extents, 4, 4);
}

/**
 * envelope_renderer_draw:
 * @painter: drawing in world units (apply the viewport's transformation first)
 * @visible: (nullable): the world rectangle on screen; %NULL for all
 * @zoom: device pixels per world unit: decides which text is legible
 *   and when blocks become plain rectangles
 *
 * Draws the arrows, then the blocks, then the overlays.  Only what meets
 * @visible is visited.
 */
static void
draw_diagram (EnvelopeRenderer            *renderer,
              EnvelopePainter             *painter,
              const EnvelopeDiagram       *diagram,
              const EnvelopeLayout        *layout,
              const EnvelopeRenderOptions *options,
              const EnvelopeRect          *visible,
              double                       zoom)
{
  EnvelopeRect all, area, strip;
  Palette palette;
  gboolean overview;

  g_return_if_fail (renderer != NULL && painter != NULL && diagram != NULL && layout != NULL && options != NULL);
  g_return_if_fail (envelope_layout_get_n_blocks (layout) == envelope_diagram_get_n_blocks (diagram));

  get_kit (renderer, diagram);
  get_palette (options->theme, &palette);
  if (visible == NULL)
    {
      envelope_renderer_get_extents (renderer, diagram, layout, options, &all);
      visible = &all;
    }
  area = *visible;
  /* labels and arrow heads reach a little beyond their owner */
  envelope_rect_inflate (&area, 8, 8);

  painter_save (painter);
  /* curves flattened to a quarter pixel: indistinguishable, and fewer
   * segments to fill */
  painter_set_tolerance (painter, 0.25);

  g_array_set_size (renderer->blocks, 0);
  g_array_set_size (renderer->edges, 0);
  envelope_layout_query (layout, &area, renderer->blocks, renderer->edges);

  /* Blocks a few pixels tall show no detail: plain rectangles, straight
   * arrows, no text. */
  overview = zoom * 40.0 < MIN_DETAIL_PIXELS;

  draw_edges (renderer, painter, diagram, layout, &palette, renderer->edges, zoom, overview);

  if (overview)
    {
      for (guint k = 0; k < renderer->blocks->len; k++)
        {
          guint b = g_array_index (renderer->blocks, guint, k);
          EnvelopeRect rect;
          EnvelopeColor fill;

          envelope_layout_get_block_rect (layout, b, &rect);
          envelope_render_get_block_color (diagram, options, b, &fill);
          painter_rectangle (painter, rect.x, rect.y, rect.width, rect.height);
          set_color (painter, &fill, 1.0);
          painter_fill (painter);
        }
    }
  else
    {
      /* on the screen, the flat boxes one colour at a time; a file keeps
       * an element a box */
      gboolean boxes_drawn = painter->merges_marks &&
                             envelope_diagram_get_style (diagram) != ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;

      if (boxes_drawn)
        draw_flat_boxes (painter, diagram, layout, options, renderer->blocks, zoom);
      for (guint k = 0; k < renderer->blocks->len; k++)
        draw_block (renderer, painter, diagram, layout, options, &palette, g_array_index (renderer->blocks, guint, k),
                    zoom, boxes_drawn);
    }

  for (guint row = 0; row < envelope_layout_get_n_rows (layout); row++)
    if (receptive_field_strip (layout, options, row, &strip))
      {
        EnvelopeRect reach = strip;

        envelope_rect_inflate (&reach, 60, 20);
        if (envelope_rect_intersects (&reach, visible))
          draw_receptive_field_strip (renderer, painter, diagram, layout, options, &palette, row, &strip, visible, zoom);
      }
  if (options->receptive_field_layer >= 0 && !overview)
    draw_receptive_field_choice (renderer, painter, diagram, layout, options, &palette, zoom);

  /* the blocks a checkpoint plan recomputes */
  if (options->recomputed != NULL)
    {
      static const double dash[] = { 5, 3 };

      painter_save (painter);
      painter_set_dash (painter, dash, G_N_ELEMENTS (dash), 0);
      painter_set_line_width (painter, 2);
      set_color (painter, &palette.warning, 1.0);
      for (guint k = 0; k < renderer->blocks->len; k++)
        {
          guint b = g_array_index (renderer->blocks, guint, k);
          const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
          gboolean marked = FALSE;
          EnvelopeRect rect;

          for (guint m = 0; m < block->n_layers && !marked; m++)
            marked = options->recomputed[block->layers[m]];
          if (!marked)
            continue;
          envelope_layout_get_block_rect (layout, b, &rect);
          envelope_rect_inflate (&rect, 4, 4);
          painter_rectangle (painter, rect.x, rect.y, rect.width, rect.height);
          painter_stroke (painter);
        }
      painter_restore (painter);
    }

  /* misaligned merges, over everything else */
  if (options->receptive_field && !overview)
    for (guint k = 0; k < renderer->blocks->len; k++)
      {
        guint b = g_array_index (renderer->blocks, guint, k);
        double x, y;

        if (!envelope_diagram_get_block (diagram, b)->misaligned)
          continue;
        block_mark_position (diagram, layout, b, &x, &y);
        draw_warning_mark (painter, &palette, x, y);
      }

  painter_restore (painter);
}

void
envelope_renderer_draw (EnvelopeRenderer            *renderer,
                        cairo_t                     *cr,
                        const EnvelopeDiagram       *diagram,
                        const EnvelopeLayout        *layout,
                        const EnvelopeRenderOptions *options,
                        const EnvelopeRect          *visible,
                        double                       zoom)
{
  EnvelopePainter painter;

  g_return_if_fail (cr != NULL);

  envelope_painter_init_cairo (&painter, cr);
  painter.merges_marks = TRUE;
  draw_diagram (renderer, &painter, diagram, layout, options, visible, zoom);
}

void
envelope_renderer_paint (EnvelopeRenderer            *renderer,
                         EnvelopePainter             *painter,
                         const EnvelopeDiagram       *diagram,
                         const EnvelopeLayout        *layout,
                         const EnvelopeRenderOptions *options,
                         const EnvelopeRect          *visible,
                         double                       zoom)
{
  draw_diagram (renderer, painter, diagram, layout, options, visible, zoom);
}

/**
 * envelope_renderer_get_selection_extents:
 *
 * What envelope_renderer_draw_selection() covers, in world units.
 */
void
envelope_renderer_get_selection_extents (const EnvelopeDiagram *diagram,
                                         const EnvelopeLayout  *layout,
                                         guint                  block,
                                         EnvelopeRect          *extents)
{
  g_return_if_fail (diagram != NULL && layout != NULL && extents != NULL);
  g_return_if_fail (block < envelope_diagram_get_n_blocks (diagram));

  halo_rect (diagram, layout, block, extents);
  /* the line's width */
  envelope_rect_inflate (extents, 1.5, 1.5);
}

/**
 * envelope_renderer_draw_selection:
 *
 * The outline envelope_renderer_draw() gives @block when it is
 * @options' selected block, alone: for a front end that keeps a
 * picture of the diagram drawn without a selection and shows the
 * selection over it.
 */
void
envelope_renderer_draw_selection (EnvelopeRenderer            *renderer,
                                  cairo_t                     *cr,
                                  const EnvelopeDiagram       *diagram,
                                  const EnvelopeLayout        *layout,
                                  const EnvelopeRenderOptions *options,
                                  guint                        block)
{
  EnvelopePainter cairo_painter, *painter = &cairo_painter;
  Palette palette;

  g_return_if_fail (renderer != NULL && cr != NULL && diagram != NULL && layout != NULL && options != NULL);
  g_return_if_fail (block < envelope_diagram_get_n_blocks (diagram));

  envelope_painter_init_cairo (painter, cr);
  get_palette (options->theme, &palette);
  painter_save (painter);
  painter_set_tolerance (painter, 0.25);
  draw_halo (painter, diagram, layout, &palette, block);
  painter_restore (painter);
}

static guint64
hash_color (guint64              hash,
            const EnvelopeColor *color)
{
  double rgb[3] = { color->red, color->green, color->blue };

  return envelope_hash_bytes (hash, rgb, sizeof rgb);
}

/**
 * envelope_render_get_block_signature:
 *
 * A hash of what envelope_renderer_draw() shows of block @block with
 * @options, but for the selection: its text, its colour, its marks.  Two
 * blocks (of two diagrams, say before and after an edit) with the same
 * signature at the same place on the same layout look the same, so a
 * picture of them can be kept.  The receptive-field overlay is not in
 * it: it spans the whole diagram.
 */
guint64
envelope_render_get_block_signature (const EnvelopeDiagram       *diagram,
                                     const EnvelopeRenderOptions *options,
                                     guint                        block)
{
  const EnvelopeBlock *b;
  guint64 hash = ENVELOPE_HASH_START;
  guint32 flags[6];
  EnvelopeColor fill;
  BlockText text;

  g_return_val_if_fail (diagram != NULL && options != NULL, 0);
  g_return_val_if_fail (block < envelope_diagram_get_n_blocks (diagram), 0);

  b = envelope_diagram_get_block (diagram, block);
  block_text_init (&text, diagram, options, b);
  for (guint i = 0; i < text.n_lines; i++)
    hash = diagram_hash_string (hash, text.lines[i].text != NULL ? text.lines[i].text : "");
  block_text_clear (&text);
  envelope_render_get_block_color (diagram, options, block, &fill);
  hash = hash_color (hash, &fill);
  flags[0] = text.n_lines;
  flags[1] = b->misaligned;
  flags[2] = b->collapsed;
  flags[3] = (gint) block == envelope_diagram_get_input_block (diagram);
  flags[4] = envelope_diagram_get_style (diagram);
  flags[5] = (guint32) llround (b->text_width * 100);
  return envelope_hash_bytes (hash, flags, sizeof flags);
}

/**
 * envelope_render_get_edge_signature:
 *
 * The same for an arrow: its ends and its label.
 */
guint64
envelope_render_get_edge_signature (const EnvelopeDiagram *diagram,
                                    guint                  edge)
{
  const EnvelopeDiagramEdge *e;
  guint64 hash = ENVELOPE_HASH_START;
  guint32 ends[3];

  g_return_val_if_fail (diagram != NULL, 0);
  g_return_val_if_fail (edge < envelope_diagram_get_n_edges (diagram), 0);

  e = envelope_diagram_get_edge (diagram, edge);
  ends[0] = e->from;
  ends[1] = e->to;
  ends[2] = e->main;
  hash = envelope_hash_bytes (hash, ends, sizeof ends);
  return diagram_hash_string (hash, e->label != NULL ? e->label : "");
}

/* ---- legend, totals, page ---- */

static guint
present_categories (const EnvelopeDiagram *diagram,
                    gboolean              *present)
{
  guint n = 0;

  memset (present, 0, sizeof (gboolean) * ENVELOPE_N_CATEGORIES);
  for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
    {
      EnvelopeLayerCategory c = envelope_diagram_get_block (diagram, b)->category;

      if (!present[c])
        n++;
      present[c] = TRUE;
    }
  return n;
}

#define SWATCH 9.0
#define LEGEND_BAR_WIDTH 180.0
#define LEGEND_BAR_HEIGHT 10.0

/* A note of the legend in lines no wider than @max_width (a word longer
 * than that has a line of its own), each drawn at @x from @y down when
 * @painter is not NULL.  Returns the widest line's width; *@y is moved
 * past the last line. */
static double
legend_note (EnvelopePainter *painter,
             TextKit         *kit,
             const char      *text,
             double           x,
             double          *y,
             double           max_width)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);
  double widest = 0, line_width = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize kept = line->len;
      double width;

      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, words[i]);
      width = text_kit_measure (kit, TEXT_LEGEND, line->str);
      if (width > max_width && kept > 0)
        {
          /* the line so far goes out; this word starts the next */
          g_string_truncate (line, kept);
          if (painter != NULL)
            show_text (painter, kit, TEXT_LEGEND, line->str, x, *y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
          widest = MAX (widest, line_width);
          *y += kit->line_height[TEXT_LEGEND];
          g_string_assign (line, words[i]);
          width = text_kit_measure (kit, TEXT_LEGEND, line->str);
        }
      line_width = width;
    }
  if (painter != NULL)
    show_text (painter, kit, TEXT_LEGEND, line->str, x, *y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
  *y += kit->line_height[TEXT_LEGEND];
  return MAX (widest, line_width);
}

/* Lays the legend out, drawing it when @painter is not NULL. */
static void
legend (EnvelopeRenderer            *renderer,
        EnvelopePainter             *painter,
        const EnvelopeDiagram       *diagram,
        const EnvelopeRenderOptions *options,
        double                       x0,
        double                       y0,
        double                       max_width,
        double                      *width,
        double                      *height)
{
  TextKit *kit = painter != NULL ? get_kit (renderer, diagram) : measuring_kit (diagram);
  Palette palette;
  double lh = kit->line_height[TEXT_LEGEND];
  double y = y0, w = 0;

  get_palette (options->theme, &palette);

  if (options->color_mode == ENVELOPE_COLOR_BY_KIND)
    {
      gboolean present[ENVELOPE_N_CATEGORIES];
      const char *title = _("Layer kind");
      double x = x0;

      present_categories (diagram, present);
      if (painter != NULL)
        {
          set_color (painter, &palette.text, 1.0);
          show_text (painter, kit, TEXT_LEGEND_TITLE, title, x0, y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
        }
      w = text_kit_measure (kit, TEXT_LEGEND_TITLE, title);
      y += kit->line_height[TEXT_LEGEND_TITLE] + 3;
      for (guint c = 0; c < ENVELOPE_N_CATEGORIES; c++)
        {
          const char *label;
          double item;

          if (!present[c])
            continue;
          label = envelope_layer_category_label (c);
          item = SWATCH + 4 + text_kit_measure (kit, TEXT_LEGEND, label) + 12;
          if (x > x0 && x + item - 12 > x0 + max_width)
            {
              x = x0;
              y += lh + 3;
            }
          if (painter != NULL)
            {
              EnvelopeColor fill, outline, black = { 0, 0, 0 };

              envelope_color_for_category (c, options->theme, &fill);
              envelope_color_mix (&fill, &black, 0.4, &outline);
              painter_rectangle (painter, x, y + (lh - SWATCH) / 2, SWATCH, SWATCH);
              set_color (painter, &fill, 1.0);
              painter_fill_preserve (painter);
              set_color (painter, &outline, 1.0);
              painter_set_line_width (painter, 0.6);
              painter_stroke (painter);
              set_color (painter, &palette.text, 1.0);
              show_text (painter, kit, TEXT_LEGEND, label, x + SWATCH + 4, y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
            }
          w = MAX (w, x - x0 + item - 12);
          x += item;
        }
      y += lh;
    }
  else
    {
      g_autofree char *title = envelope_render_describe_scale (diagram, options);
      guint64 max = max_value (diagram, options);
      g_autofree char *end = envelope_format_percent (max, total_value (diagram, options));
      const char *start = "0%";
      double bar_w = MIN (LEGEND_BAR_WIDTH, MAX (max_width, 60));

      if (painter != NULL)
        {
          set_color (painter, &palette.text, 1.0);
          show_text (painter, kit, TEXT_LEGEND_TITLE, title, x0, y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
        }
      w = text_kit_measure (kit, TEXT_LEGEND_TITLE, title);
      y += kit->line_height[TEXT_LEGEND_TITLE] + 3;
      if (painter != NULL)
        {
          cairo_pattern_t *gradient = cairo_pattern_create_linear (x0, 0, x0 + bar_w, 0);
          guint n = envelope_color_scale_get_n_stops (options->color_scale);

          /* the scale is piecewise linear in sRGB, as Cairo's gradients */
          for (guint i = 0; i < n; i++)
            {
              double position;
              EnvelopeColor c;

              envelope_color_scale_get_stop (options->color_scale, i, &position, &c);
              cairo_pattern_add_color_stop_rgb (gradient, position, c.red, c.green, c.blue);
            }
          painter_rectangle (painter, x0, y, bar_w, LEGEND_BAR_HEIGHT);
          painter_set_source (painter, gradient);
          painter_fill_preserve (painter);
          cairo_pattern_destroy (gradient);
          set_color (painter, &palette.muted, 1.0);
          painter_set_line_width (painter, 0.6);
          painter_stroke (painter);

          set_color (painter, &palette.text, 1.0);
          show_text (painter, kit, TEXT_LEGEND, start, x0, y + LEGEND_BAR_HEIGHT + 2, -1, FALSE, PANGO_ELLIPSIZE_NONE);
          show_text (painter, kit, TEXT_LEGEND, end, x0 + bar_w - text_kit_measure (kit, TEXT_LEGEND, end),
                     y + LEGEND_BAR_HEIGHT + 2, -1, FALSE, PANGO_ELLIPSIZE_NONE);
        }
      w = MAX (w, bar_w);
      y += LEGEND_BAR_HEIGHT + 2 + lh;
    }

  if (options->receptive_field)
    {
      const char *text = receptive_field_in_tokens (diagram)
                         ? _("Band: the receptive field of each block's output, in input tokens")
                         : _("Band: the receptive field of each block's output, in input pixels");
      const char *mark = _("merges inputs on different grids (misaligned)");
      gboolean misaligned = FALSE;
      double note_w;

      for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
        misaligned |= envelope_diagram_get_block (diagram, b)->misaligned;
      y += 4;
      if (painter != NULL)
        set_color (painter, &palette.muted, 1.0);
      note_w = legend_note (painter, kit, text, x0, &y, max_width);
      w = MAX (w, note_w);
      if (misaligned)
        {
          y += 3;
          if (painter != NULL)
            {
              draw_warning_mark (painter, &palette, x0 + 6, y + lh / 2);
              set_color (painter, &palette.muted, 1.0);
            }
          note_w = 16 + legend_note (painter, kit, mark, x0 + 16, &y, max_width - 16);
          w = MAX (w, note_w);
        }
    }

  *width = w;
  *height = y - y0;
}

void
envelope_renderer_get_legend_size (EnvelopeRenderer            *renderer,
                                   const EnvelopeDiagram       *diagram,
                                   const EnvelopeRenderOptions *options,
                                   double                       max_width,
                                   double                      *width,
                                   double                      *height)
{
  double w, h;

  legend (renderer, NULL, diagram, options, 0, 0, max_width, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

void
envelope_renderer_draw_legend (EnvelopeRenderer            *renderer,
                               cairo_t                     *cr,
                               const EnvelopeDiagram       *diagram,
                               const EnvelopeRenderOptions *options,
                               double                       x,
                               double                       y,
                               double                       max_width)
{
  EnvelopePainter cairo_painter, *painter = &cairo_painter;
  double w, h;

  envelope_painter_init_cairo (painter, cr);

  painter_save (painter);
  legend (renderer, painter, diagram, options, x, y, max_width, &w, &h);
  painter_restore (painter);
}

typedef struct
{
  double width, height;
  EnvelopeRect extents;      /* the diagram's, world units */
  double diagram_x, diagram_y;  /* where its top left goes on the page */
  double title_y, subtitle_y;
  double footer_y;
  double legend_w, legend_h;
  double totals_x, totals_y, totals_w;
  gboolean side_by_side;
  char *subtitle;
  char *totals;
} Page;

static void
page_clear (Page *page)
{
  g_free (page->subtitle);
  g_free (page->totals);
}

static void
plan_page (EnvelopeRenderer            *renderer,
           const EnvelopeDiagram       *diagram,
           const EnvelopeLayout        *layout,
           const EnvelopeRenderOptions *options,
           Page                        *page)
{
  TextKit *kit = measuring_kit (diagram);
  double content_w, y = PAGE_MARGIN, header_w = 0;

  memset (page, 0, sizeof *page);
  envelope_renderer_get_extents (renderer, diagram, layout, options, &page->extents);
  content_w = page->extents.width;

  if (options->show_title)
    {
      guint n = envelope_diagram_get_n_layers (diagram);
      g_autofree char *count = envelope_format_count (n);
      g_autofree char *layers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s layer", "%s layers", n), count);
      gint input = envelope_diagram_get_input_block (diagram);

      if (input >= 0)
        page->subtitle = g_strdup_printf (_("input %s · %s"), envelope_diagram_get_block (diagram, (guint) input)->shape_text,
                                          layers);
      else
        page->subtitle = g_steal_pointer (&layers);
      page->title_y = y;
      y += kit->line_height[TEXT_TITLE] + 2;
      page->subtitle_y = y;
      y += kit->line_height[TEXT_SUBTITLE] + 14;
      header_w = MAX (text_kit_measure (kit, TEXT_TITLE, envelope_diagram_get_title (diagram)),
                      text_kit_measure (kit, TEXT_SUBTITLE, page->subtitle));
    }
  page->diagram_x = PAGE_MARGIN;
  page->diagram_y = y;
  y += page->extents.height;

  if (options->show_totals)
    {
      page->totals = envelope_render_describe_totals (diagram, options);
      page->totals_w = text_kit_measure (kit, TEXT_LEGEND, page->totals);
    }
  if (options->show_legend)
    {
      double max_w = MAX (content_w, 360);

      legend (renderer, NULL, diagram, options, 0, 0, max_w, &page->legend_w, &page->legend_h);
    }
  if (options->show_legend || options->show_totals)
    {
      y += 16;
      page->footer_y = y;
      page->side_by_side = options->show_legend && options->show_totals &&
                           page->legend_w + 40 + page->totals_w <= MAX (content_w, header_w);
      if (page->side_by_side)
        {
          page->totals_x = PAGE_MARGIN + MAX (content_w, header_w) - page->totals_w;
          page->totals_y = y + page->legend_h - kit->line_height[TEXT_LEGEND];
          y += page->legend_h;
        }
      else
        {
          page->totals_x = PAGE_MARGIN;
          if (options->show_legend)
            y += page->legend_h + 8;
          page->totals_y = y;
          if (options->show_totals)
            y += kit->line_height[TEXT_LEGEND];
        }
    }
  y += PAGE_MARGIN;

  page->width = ceil (MAX (MAX (content_w, header_w), MAX (page->legend_w, page->totals_w)) + 2 * PAGE_MARGIN);
  page->height = ceil (y);
  /* centre a narrow diagram under a wider header or footer */
  page->diagram_x += (page->width - 2 * PAGE_MARGIN - content_w) / 2;
}

/**
 * envelope_renderer_get_page_size:
 *
 * The size in points of the page envelope_renderer_draw_page() draws:
 * the diagram with its overlays, and the title, legend and totals the
 * options ask for, in margins.
 */
void
envelope_renderer_get_page_size (EnvelopeRenderer            *renderer,
                                 const EnvelopeDiagram       *diagram,
                                 const EnvelopeLayout        *layout,
                                 const EnvelopeRenderOptions *options,
                                 double                      *width,
                                 double                      *height)
{
  Page page;

  g_return_if_fail (renderer != NULL && diagram != NULL && layout != NULL && options != NULL);

  plan_page (renderer, diagram, layout, options, &page);
  if (width != NULL)
    *width = page.width;
  if (height != NULL)
    *height = page.height;
  page_clear (&page);
}

/**
 * envelope_renderer_draw_page:
 * @painter: drawing in points, from the page's top left
 * @zoom: device pixels per point (the export's scale; 1 for vector files)
 */
void
envelope_renderer_paint_page (EnvelopeRenderer            *renderer,
                              EnvelopePainter             *painter,
                              const EnvelopeDiagram       *diagram,
                              const EnvelopeLayout        *layout,
                              const EnvelopeRenderOptions *options,
                              double                       zoom)
{
  TextKit *kit;
  Palette palette;
  Page page;

  g_return_if_fail (renderer != NULL && painter != NULL && diagram != NULL && layout != NULL && options != NULL);

  kit = get_kit (renderer, diagram);
  get_palette (options->theme, &palette);
  plan_page (renderer, diagram, layout, options, &page);

  painter_save (painter);
  if (!options->transparent)
    {
      set_color (painter, &palette.background, 1.0);
      painter_paint (painter);
    }

  if (options->show_title)
    {
      set_color (painter, &palette.text, 1.0);
      show_text (painter, kit, TEXT_TITLE, envelope_diagram_get_title (diagram), PAGE_MARGIN, page.title_y, -1, FALSE,
                 PANGO_ELLIPSIZE_NONE);
      set_color (painter, &palette.muted, 1.0);
      show_text (painter, kit, TEXT_SUBTITLE, page.subtitle, PAGE_MARGIN, page.subtitle_y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
    }

  painter_save (painter);
  painter_translate (painter, page.diagram_x - page.extents.x, page.diagram_y - page.extents.y);
  draw_diagram (renderer, painter, diagram, layout, options, &page.extents, zoom);
  painter_restore (painter);

  if (options->show_legend)
    {
      double w, h;

      legend (renderer, painter, diagram, options, PAGE_MARGIN, page.footer_y, MAX (page.extents.width, 360), &w, &h);
    }
  if (options->show_totals)
    {
      set_color (painter, &palette.text, 1.0);
      show_text (painter, kit, TEXT_LEGEND, page.totals, page.totals_x, page.totals_y, -1, FALSE, PANGO_ELLIPSIZE_NONE);
    }
  painter_restore (painter);
  page_clear (&page);
}

void
envelope_renderer_draw_page (EnvelopeRenderer            *renderer,
                             cairo_t                     *cr,
                             const EnvelopeDiagram       *diagram,
                             const EnvelopeLayout        *layout,
                             const EnvelopeRenderOptions *options,
                             double                       zoom)
{
  EnvelopePainter painter;

  g_return_if_fail (cr != NULL);

  envelope_painter_init_cairo (&painter, cr);
  envelope_renderer_paint_page (renderer, &painter, diagram, layout, options, zoom);
}

/* ---- names for the command line ---- */

typedef struct
{
  const char *name;
  int value;
} Name;

/* The value of @text in @names (case-insensitive), or FALSE. */
static gboolean
lookup_name (const Name *names,
             guint       n_names,
             const char *text,
             int        *value)
{
  for (guint i = 0; i < n_names; i++)
    if (g_ascii_strcasecmp (text, names[i].name) == 0)
      {
        *value = names[i].value;
        return TRUE;
      }
  return FALSE;
}

#define DEFINE_FROM_STRING(function, Type, ...)                            \
  gboolean                                                                \
  function (const char *text,                                             \
            Type       *out)                                              \
  {                                                                       \
    static const Name names[] = { __VA_ARGS__ };                          \
    int value;                                                            \
                                                                          \
    if (!lookup_name (names, G_N_ELEMENTS (names), text, &value))         \
      return FALSE;                                                       \
    *out = (Type) value;                                                  \
    return TRUE;                                                          \
  }

DEFINE_FROM_STRING (envelope_color_mode_from_string, EnvelopeColorMode,
                    { "kind", ENVELOPE_COLOR_BY_KIND }, { "memory", ENVELOPE_COLOR_BY_MEMORY },
                    { "macs", ENVELOPE_COLOR_BY_MACS }, { "params", ENVELOPE_COLOR_BY_PARAMS })
DEFINE_FROM_STRING (envelope_memory_of_from_string, EnvelopeMemoryOf,
                    { "activations", ENVELOPE_MEMORY_OF_ACTIVATIONS },
                    { "params", ENVELOPE_MEMORY_OF_PARAMETERS }, { "parameters", ENVELOPE_MEMORY_OF_PARAMETERS })
DEFINE_FROM_STRING (envelope_diagram_style_from_string, EnvelopeDiagramStyle,
                    { "flat", ENVELOPE_DIAGRAM_STYLE_FLAT }, { "proportional", ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL })
DEFINE_FROM_STRING (envelope_direction_from_string, EnvelopeDirection,
                    { "lr", ENVELOPE_DIRECTION_LEFT_RIGHT }, { "tb", ENVELOPE_DIRECTION_TOP_BOTTOM })
DEFINE_FROM_STRING (envelope_theme_from_string, EnvelopeTheme,
                    { "light", ENVELOPE_THEME_LIGHT }, { "dark", ENVELOPE_THEME_DARK })
