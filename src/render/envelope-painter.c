/* envelope-painter.c: the Cairo backend and the SVG writer
 *
 * The SVG writer keeps its geometry in a cairo_t on a 1 × 1 image
 * surface: paths, the transformation and the line settings are Cairo's,
 * read back (in page coordinates) when something is filled, stroked or
 * written.  It writes the document itself: shapes as <rect> and <path>
 * with their fill and stroke, and text as <text> in the font Pango chose,
 * so that names and figures can be selected, searched and edited.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>
#include <string.h>

#include "envelope-painter.h"

/* ---- Cairo ---- */

static void
cairo_fill_mark (EnvelopePainter *painter,
                 gboolean         preserve)
{
  if (preserve)
    cairo_fill_preserve (painter->cr);
  else
    cairo_fill (painter->cr);
}

static void
cairo_stroke_mark (EnvelopePainter *painter,
                   gboolean         preserve)
{
  if (preserve)
    cairo_stroke_preserve (painter->cr);
  else
    cairo_stroke (painter->cr);
}

static void
cairo_clip_mark (EnvelopePainter *painter)
{
  cairo_clip (painter->cr);
}

static void
cairo_paint_mark (EnvelopePainter *painter)
{
  cairo_paint (painter->cr);
}

static void
cairo_save_state (EnvelopePainter *painter)
{
  cairo_save (painter->cr);
}

static void
cairo_restore_state (EnvelopePainter *painter)
{
  cairo_restore (painter->cr);
}

static void
cairo_show_text_mark (EnvelopePainter   *painter,
                      TextKit           *kit,
                      TextStyle          style,
                      const char        *text,
                      double             x,
                      double             y,
                      double             width,
                      gboolean           centred,
                      PangoEllipsizeMode ellipsize)
{
  PangoLayout *layout = text_kit_shaped (kit, style, text, width, ellipsize);

  if (centred)
    {
      PangoRectangle logical;

      pango_layout_get_extents (layout, NULL, &logical);
      x -= ((double) logical.width / PANGO_SCALE) / 2 + (double) logical.x / PANGO_SCALE;
    }
  cairo_move_to (painter->cr, x, y);
  pango_cairo_show_layout (painter->cr, layout);
}

static const EnvelopePainterBackend cairo_backend = {
  cairo_fill_mark,
  cairo_stroke_mark,
  cairo_clip_mark,
  cairo_paint_mark,
  cairo_save_state,
  cairo_restore_state,
  cairo_show_text_mark,
};

void
envelope_painter_init_cairo (EnvelopePainter *painter,
                             cairo_t         *cr)
{
  painter->backend = &cairo_backend;
  painter->cr = cr;
  painter->merges_marks = FALSE;
}

/* ---- SVG ---- */

typedef struct
{
  EnvelopePainter parent;
  double width;
  double height;
  char *title;
  GString *style;            /* one CSS class per font */
  GString *body;
  GArray *groups;            /* per saved state: the <g> it opened */
  GHashTable *fonts;         /* PangoFontDescription → class number + 1 */
  guint n_ids;
} SvgPainter;

/* Two decimals, without printf: a page coordinate to a hundredth of a
 * point is finer than any viewer shows. */
static void
append_number (GString *out,
               double   value)
{
  gint64 n;
  char digits[24];
  guint k = 0;
  guint fraction;

  if (!isfinite (value))
    value = 0;
  n = (gint64) llround (value * 100);
  if (n < 0)
    {
      g_string_append_c (out, '-');
      n = -n;
    }
  fraction = (guint) (n % 100);
  n /= 100;
  do
    {
      digits[k++] = (char) ('0' + n % 10);
      n /= 10;
    }
  while (n > 0);
  while (k > 0)
    g_string_append_c (out, digits[--k]);
  if (fraction != 0)
    {
      g_string_append_c (out, '.');
      g_string_append_c (out, (char) ('0' + fraction / 10));
      if (fraction % 10 != 0)
        g_string_append_c (out, (char) ('0' + fraction % 10));
    }
}

/* Text as XML character data or an attribute value: the five markup
 * characters escaped, and the control characters XML 1.0 forbids left
 * out. */
static void
append_escaped (GString    *out,
                const char *text,
                gssize      length)
{
  const char *end = length < 0 ? text + strlen (text) : text + length;

  for (const char *p = text; p < end; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&apos;"); break;
        default:
          if ((guchar) *p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
            g_string_append_c (out, *p);
        }
    }
}

static void
append_color (GString *out,
              double   red,
              double   green,
              double   blue)
{
  static const char hex[] = "0123456789abcdef";
  double channels[3] = { red, green, blue };

  g_string_append_c (out, '#');
  for (guint i = 0; i < 3; i++)
    {
      guint v = (guint) lround (CLAMP (channels[i], 0, 1) * 255);

      g_string_append_c (out, hex[v >> 4]);
      g_string_append_c (out, hex[v & 15]);
    }
}

/* The scale the transformation gives lengths (line widths, font sizes). */
static double
length_scale (cairo_t *cr)
{
  cairo_matrix_t m;

  cairo_get_matrix (cr, &m);
  return sqrt (fabs (m.xx * m.yy - m.xy * m.yx));
}

/* A linear gradient source as a definition of its own, written before
 * the shape that uses it: its number, or 0 for a plain colour. */
static guint
define_gradient (SvgPainter *svg)
{
  cairo_t *cr = svg->parent.cr;
  cairo_pattern_t *source = cairo_get_source (cr);
  double x0, y0, x1, y1;
  int n = 0;
  guint id;

  if (cairo_pattern_get_type (source) != CAIRO_PATTERN_TYPE_LINEAR)
    return 0;
  id = ++svg->n_ids;
  cairo_pattern_get_linear_points (source, &x0, &y0, &x1, &y1);
  cairo_user_to_device (cr, &x0, &y0);
  cairo_user_to_device (cr, &x1, &y1);
  g_string_append_printf (svg->body, "<linearGradient id=\"g%u\" gradientUnits=\"userSpaceOnUse\" x1=\"", id);
  append_number (svg->body, x0);
  g_string_append (svg->body, "\" y1=\"");
  append_number (svg->body, y0);
  g_string_append (svg->body, "\" x2=\"");
  append_number (svg->body, x1);
  g_string_append (svg->body, "\" y2=\"");
  append_number (svg->body, y1);
  g_string_append (svg->body, "\">");
  cairo_pattern_get_color_stop_count (source, &n);
  for (int i = 0; i < n; i++)
    {
      double offset, r, g, b, a;

      cairo_pattern_get_color_stop_rgba (source, i, &offset, &r, &g, &b, &a);
      g_string_append (svg->body, "<stop offset=\"");
      append_number (svg->body, offset);
      g_string_append (svg->body, "\" stop-color=\"");
      append_color (svg->body, r, g, b);
      g_string_append (svg->body, "\"/>");
    }
  g_string_append (svg->body, "</linearGradient>\n");
  return id;
}

/* @attribute="colour" for the current source, and its opacity; or the
 * gradient defined as @gradient. */
static void
append_paint (SvgPainter *svg,
              const char *attribute,
              guint       gradient)
{
  double r = 0, g = 0, b = 0, a = 1;

  if (gradient > 0)
    {
      g_string_append_printf (svg->body, " %s=\"url(#g%u)\"", attribute, gradient);
      return;
    }
  cairo_pattern_get_rgba (cairo_get_source (svg->parent.cr), &r, &g, &b, &a);
  g_string_append_c (svg->body, ' ');
  g_string_append (svg->body, attribute);
  g_string_append (svg->body, "=\"");
  append_color (svg->body, r, g, b);
  g_string_append_c (svg->body, '"');
  if (a < 1)
    {
      g_string_append_c (svg->body, ' ');
      g_string_append (svg->body, attribute);
      g_string_append (svg->body, "-opacity=\"");
      append_number (svg->body, a);
      g_string_append_c (svg->body, '"');
    }
}

/* The current path in page coordinates: as a <rect> when it is one
 * axis-aligned rectangle, else as a <path>; the element's name and
 * geometry are written, its paint is left to the caller.  FALSE when
 * the path is empty. */
static gboolean
append_shape (SvgPainter *svg,
              GString    *out)
{
  cairo_t *cr = svg->parent.cr;
  cairo_path_t *path;
  gboolean any = FALSE;
  gsize start;
  int n_data;

  cairo_save (cr);
  cairo_identity_matrix (cr);
  path = cairo_copy_path (cr);
  cairo_restore (cr);
  n_data = path->status == CAIRO_STATUS_SUCCESS ? path->num_data : 0;

  /* cairo_rectangle(): a move, three lines and a close (and the move
   * Cairo adds after a close) */
  if ((n_data == 9 || n_data == 11) &&
      path->data[0].header.type == CAIRO_PATH_MOVE_TO && path->data[2].header.type == CAIRO_PATH_LINE_TO &&
      path->data[4].header.type == CAIRO_PATH_LINE_TO && path->data[6].header.type == CAIRO_PATH_LINE_TO &&
      path->data[8].header.type == CAIRO_PATH_CLOSE_PATH)
    {
      const cairo_path_data_t *p0 = &path->data[1], *p1 = &path->data[3], *p2 = &path->data[5], *p3 = &path->data[7];
      gboolean axis = (p0->point.y == p1->point.y && p1->point.x == p2->point.x && p2->point.y == p3->point.y &&
                       p3->point.x == p0->point.x) ||
                      (p0->point.x == p1->point.x && p1->point.y == p2->point.y && p2->point.x == p3->point.x &&
                       p3->point.y == p0->point.y);

      if (axis)
        {
          double x = MIN (p0->point.x, p2->point.x), y = MIN (p0->point.y, p2->point.y);

          g_string_append (out, "<rect x=\"");
          append_number (out, x);
          g_string_append (out, "\" y=\"");
          append_number (out, y);
          g_string_append (out, "\" width=\"");
          append_number (out, fabs (p2->point.x - p0->point.x));
          g_string_append (out, "\" height=\"");
          append_number (out, fabs (p2->point.y - p0->point.y));
          g_string_append_c (out, '"');
          cairo_path_destroy (path);
          return TRUE;
        }
    }

  start = out->len;
  g_string_append (out, "<path d=\"");
  for (int i = 0; i < n_data; i += path->data[i].header.length)
    {
      const cairo_path_data_t *d = &path->data[i];

      switch (d->header.type)
        {
        case CAIRO_PATH_MOVE_TO:
          /* the move Cairo adds after a close, at the end: nothing */
          if (i + d->header.length >= n_data && i > 0)
            continue;
          g_string_append_c (out, 'M');
          append_number (out, d[1].point.x);
          g_string_append_c (out, ' ');
          append_number (out, d[1].point.y);
          break;
        case CAIRO_PATH_LINE_TO:
          g_string_append_c (out, 'L');
          append_number (out, d[1].point.x);
          g_string_append_c (out, ' ');
          append_number (out, d[1].point.y);
          any = TRUE;
          break;
        case CAIRO_PATH_CURVE_TO:
          g_string_append_c (out, 'C');
          for (int k = 1; k <= 3; k++)
            {
              if (k > 1)
                g_string_append_c (out, ' ');
              append_number (out, d[k].point.x);
              g_string_append_c (out, ' ');
              append_number (out, d[k].point.y);
            }
          any = TRUE;
          break;
        case CAIRO_PATH_CLOSE_PATH:
          g_string_append_c (out, 'Z');
          break;
        default:
          break;
        }
    }
  g_string_append_c (out, '"');
  cairo_path_destroy (path);
  /* nothing to draw: take the element back */
  if (!any)
    g_string_truncate (out, start);
  return any;
}

static void
svg_fill (EnvelopePainter *painter,
          gboolean         preserve)
{
  SvgPainter *svg = (SvgPainter *) painter;
  guint gradient = define_gradient (svg);

  if (append_shape (svg, svg->body))
    {
      append_paint (svg, "fill", gradient);
      g_string_append (svg->body, "/>\n");
    }
  if (!preserve)
    cairo_new_path (painter->cr);
}

static void
svg_stroke (EnvelopePainter *painter,
            gboolean         preserve)
{
  SvgPainter *svg = (SvgPainter *) painter;
  cairo_t *cr = painter->cr;
  guint gradient = define_gradient (svg);

  if (append_shape (svg, svg->body))
    {
      double scale = length_scale (cr);
      int n_dashes = cairo_get_dash_count (cr);

      g_string_append (svg->body, " fill=\"none\"");
      append_paint (svg, "stroke", gradient);
      g_string_append (svg->body, " stroke-width=\"");
      append_number (svg->body, cairo_get_line_width (cr) * scale);
      g_string_append_c (svg->body, '"');
      if (n_dashes > 0)
        {
          g_autofree double *dashes = g_new (double, n_dashes);
          double offset;

          cairo_get_dash (cr, dashes, &offset);
          g_string_append (svg->body, " stroke-dasharray=\"");
          for (int i = 0; i < n_dashes; i++)
            {
              if (i > 0)
                g_string_append_c (svg->body, ' ');
              append_number (svg->body, dashes[i] * scale);
            }
          g_string_append_c (svg->body, '"');
          if (offset != 0)
            {
              g_string_append (svg->body, " stroke-dashoffset=\"");
              append_number (svg->body, offset * scale);
              g_string_append_c (svg->body, '"');
            }
        }
      g_string_append (svg->body, "/>\n");
    }
  if (!preserve)
    cairo_new_path (cr);
}

static void
svg_clip (EnvelopePainter *painter)
{
  SvgPainter *svg = (SvgPainter *) painter;
  guint id = ++svg->n_ids;

  g_string_append_printf (svg->body, "<clipPath id=\"c%u\">", id);
  if (!append_shape (svg, svg->body))
    g_string_append (svg->body, "<rect width=\"0\" height=\"0\"");
  g_string_append (svg->body, "/></clipPath>\n");
  g_string_append_printf (svg->body, "<g clip-path=\"url(#c%u)\">\n", id);
  g_array_index (svg->groups, guint, svg->groups->len - 1)++;
  cairo_clip (painter->cr);
}

static void
svg_paint (EnvelopePainter *painter)
{
  SvgPainter *svg = (SvgPainter *) painter;

  g_string_append (svg->body, "<rect width=\"");
  append_number (svg->body, svg->width);
  g_string_append (svg->body, "\" height=\"");
  append_number (svg->body, svg->height);
  g_string_append_c (svg->body, '"');
  append_paint (svg, "fill", 0);
  g_string_append (svg->body, "/>\n");
}

static void
svg_save (EnvelopePainter *painter)
{
  SvgPainter *svg = (SvgPainter *) painter;
  guint none = 0;

  cairo_save (painter->cr);
  g_array_append_val (svg->groups, none);
}

static void
close_groups (SvgPainter *svg)
{
  guint *open = &g_array_index (svg->groups, guint, svg->groups->len - 1);

  for (; *open > 0; (*open)--)
    g_string_append (svg->body, "</g>\n");
}

static void
svg_restore (EnvelopePainter *painter)
{
  SvgPainter *svg = (SvgPainter *) painter;

  if (svg->groups->len <= 1)
    return;
  close_groups (svg);
  g_array_set_size (svg->groups, svg->groups->len - 1);
  cairo_restore (painter->cr);
}

/* The CSS class of @style's font: the family Pango resolved (what Cairo
 * draws with), then the generic family, the size and the weight. */
static guint
font_class (SvgPainter *svg,
            TextKit    *kit,
            TextStyle   style)
{
  const PangoFontDescription *description = kit->fonts[style];
  gpointer found = g_hash_table_lookup (svg->fonts, description);
  guint id;
  PangoFont *font;
  const char *family;
  g_autoptr(PangoFontDescription) resolved = NULL;

  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  id = g_hash_table_size (svg->fonts);
  g_hash_table_insert (svg->fonts, pango_font_description_copy (description), GUINT_TO_POINTER (id + 1));
  font = pango_context_load_font (kit->context, description);
  if (font != NULL)
    {
      resolved = pango_font_describe (font);
      g_object_unref (font);
    }
  family = resolved != NULL ? pango_font_description_get_family (resolved) : NULL;
  if (family == NULL)
    family = pango_font_description_get_family (description);

  g_string_append_printf (svg->style, ".t%u{font-family:", id);
  if (family != NULL)
    {
      g_string_append_c (svg->style, '\'');
      append_escaped (svg->style, family, -1);
      g_string_append (svg->style, "',");
    }
  g_string_append (svg->style, "sans-serif;font-size:");
  append_number (svg->style, (double) pango_font_description_get_size (description) / PANGO_SCALE);
  g_string_append_printf (svg->style, "px;font-weight:%d", (int) pango_font_description_get_weight (description));
  if (pango_font_description_get_style (description) != PANGO_STYLE_NORMAL)
    g_string_append (svg->style, ";font-style:italic");
  g_string_append (svg->style, "}\n");
  return id;
}

/* The text @layout shows: its own, or with the part the ellipsis
 * replaced left out. */
static void
append_shown_text (GString     *out,
                   PangoLayout *layout)
{
  const char *text = pango_layout_get_text (layout);
  PangoLayoutLine *line;

  if (!pango_layout_is_ellipsized (layout) || (line = pango_layout_get_line_readonly (layout, 0)) == NULL)
    {
      append_escaped (out, text, -1);
      return;
    }
  for (GSList *run = line->runs; run != NULL; run = run->next)
    {
      const PangoItem *item = ((PangoGlyphItem *) run->data)->item;

      if (item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS)
        g_string_append (out, "…");
      else
        append_escaped (out, text + item->offset, item->length);
    }
}

/* Whether @text might not fit in @width: most texts are known to fit
 * by the widths of their characters, without shaping them. */
static gboolean
may_overflow (TextKit    *kit,
              TextStyle   style,
              const char *text,
              double      width)
{
  if (width < 0 || text_kit_measure_bound (kit, style, text) <= width)
    return FALSE;
  return text_kit_measure (kit, style, text) > width;
}

static void
svg_show_text (EnvelopePainter   *painter,
               TextKit           *kit,
               TextStyle          style,
               const char        *text,
               double             x,
               double             y,
               double             width,
               gboolean           centred,
               PangoEllipsizeMode ellipsize)
{
  SvgPainter *svg = (SvgPainter *) painter;
  cairo_t *cr = painter->cr;
  double scale = length_scale (cr);
  guint id = font_class (svg, kit, style);
  PangoLayout *layout = NULL;

  /* Pango shapes only a text that has to be ellipsized; the viewer lays
   * out the others in the same font, from the same baseline */
  if (may_overflow (kit, style, text, width))
    {
      PangoRectangle logical;

      layout = text_kit_shaped (kit, style, text, width, ellipsize);
      pango_layout_get_extents (layout, NULL, &logical);
      if (!centred)
        x += (double) logical.x / PANGO_SCALE;
      y += (double) pango_layout_get_baseline (layout) / PANGO_SCALE;
    }
  else
    y += kit->ascent[style];
  cairo_user_to_device (cr, &x, &y);

  g_string_append (svg->body, "<text class=\"t");
  append_number (svg->body, id);
  g_string_append (svg->body, "\" x=\"");
  append_number (svg->body, x);
  g_string_append (svg->body, "\" y=\"");
  append_number (svg->body, y);
  g_string_append_c (svg->body, '"');
  if (centred)
    g_string_append (svg->body, " text-anchor=\"middle\"");
  if (fabs (scale - 1) > 1e-6)
    {
      g_string_append (svg->body, " style=\"font-size:");
      append_number (svg->body, scale * kit->size[style]);
      g_string_append (svg->body, "px\"");
    }
  append_paint (svg, "fill", 0);
  g_string_append_c (svg->body, '>');
  if (layout != NULL)
    append_shown_text (svg->body, layout);
  else
    append_escaped (svg->body, text, -1);
  g_string_append (svg->body, "</text>\n");
}

static const EnvelopePainterBackend svg_backend = {
  svg_fill,
  svg_stroke,
  svg_clip,
  svg_paint,
  svg_save,
  svg_restore,
  svg_show_text,
};

EnvelopePainter *
envelope_svg_painter_new (double      width,
                          double      height,
                          const char *title)
{
  SvgPainter *svg = g_new0 (SvgPainter, 1);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  guint none = 0;

  svg->parent.backend = &svg_backend;
  svg->parent.cr = cairo_create (surface);
  cairo_surface_destroy (surface);
  svg->width = width;
  svg->height = height;
  svg->title = g_strdup (title);
  svg->style = g_string_new (NULL);
  svg->body = g_string_sized_new (64 * 1024);
  svg->groups = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (svg->groups, none);
  svg->fonts = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                      (GEqualFunc) pango_font_description_equal,
                                      (GDestroyNotify) pango_font_description_free, NULL);
  return &svg->parent;
}

GBytes *
envelope_svg_painter_finish (EnvelopePainter *painter)
{
  SvgPainter *svg = (SvgPainter *) painter;
  GString *out = g_string_sized_new (svg->body->len + svg->style->len + 1024);

  while (svg->groups->len > 1)
    svg_restore (painter);
  close_groups (svg);

  g_string_append (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
  append_number (out, svg->width);
  g_string_append (out, "pt\" height=\"");
  append_number (out, svg->height);
  g_string_append (out, "pt\" viewBox=\"0 0 ");
  append_number (out, svg->width);
  g_string_append_c (out, ' ');
  append_number (out, svg->height);
  g_string_append (out, "\">\n");
  if (svg->title != NULL)
    {
      g_string_append (out, "<title>");
      append_escaped (out, svg->title, -1);
      g_string_append (out, "</title>\n");
    }
  g_string_append (out, "<style>\n");
  g_string_append_len (out, svg->style->str, (gssize) svg->style->len);
  g_string_append (out, "</style>\n<g stroke-miterlimit=\"10\" xml:space=\"preserve\">\n");
  g_string_append_len (out, svg->body->str, (gssize) svg->body->len);
  g_string_append (out, "</g>\n</svg>\n");

  cairo_destroy (painter->cr);
  g_free (svg->title);
  g_string_free (svg->style, TRUE);
  g_string_free (svg->body, TRUE);
  g_array_unref (svg->groups);
  g_hash_table_unref (svg->fonts);
  g_free (svg);
  return g_string_free_to_bytes (out);
}
