/* test-render-draw.c: colours, legend text, levels of detail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <cairo-svg.h>
#include <string.h>

#include "envelope-format.h"
#include "envelope-painter.h"
#include "envelope-render.h"
#include "test-helpers.h"

static void
test_scale_ends (void)
{
  static const EnvelopeColorScale scales[] = { ENVELOPE_COLOR_SCALE_VIRIDIS, ENVELOPE_COLOR_SCALE_CIVIDIS };

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    {
      guint n = envelope_color_scale_get_n_stops (scales[s]);
      EnvelopeColor first, last, c, previous;
      double position;

      envelope_color_scale_get_stop (scales[s], 0, &position, &first);
      g_assert_cmpfloat (position, ==, 0);
      envelope_color_scale_get_stop (scales[s], n - 1, &position, &last);
      g_assert_cmpfloat (position, ==, 1);

      envelope_color_scale_map (scales[s], 0, &c);
      g_assert_true (envelope_color_equal (&c, &first, 1e-9));
      envelope_color_scale_map (scales[s], 1, &c);
      g_assert_true (envelope_color_equal (&c, &last, 1e-9));
      /* clamped */
      envelope_color_scale_map (scales[s], -3, &c);
      g_assert_true (envelope_color_equal (&c, &first, 1e-9));
      envelope_color_scale_map (scales[s], 7, &c);
      g_assert_true (envelope_color_equal (&c, &last, 1e-9));

      /* sequential: lighter all the way */
      envelope_color_scale_map (scales[s], 0, &previous);
      for (guint i = 1; i <= 50; i++)
        {
          envelope_color_scale_map (scales[s], i / 50.0, &c);
          g_assert_cmpfloat (envelope_color_get_luminance (&c), >, envelope_color_get_luminance (&previous));
          previous = c;
        }

      /* text switches colour: white on the dark end, black on the light */
      g_assert_true (envelope_color_is_dark (&first));
      g_assert_false (envelope_color_is_dark (&last));
    }

  {
    EnvelopeColor mid;

    /* a stop of the table comes back exactly */
    envelope_color_scale_map (ENVELOPE_COLOR_SCALE_VIRIDIS, 0.5, &mid);
    g_assert_cmpint ((int) (mid.red * 255 + 0.5), ==, 0x21);
    g_assert_cmpint ((int) (mid.green * 255 + 0.5), ==, 0x91);
    g_assert_cmpint ((int) (mid.blue * 255 + 0.5), ==, 0x8c);
  }
}

/* The largest share gets the scale's end colour, zero its start. */
static void
test_block_colors (void)
{
  g_autoptr(Model) model = model_load ("vgg16.json");
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  static const EnvelopeColorMode modes[] = { ENVELOPE_COLOR_BY_MACS, ENVELOPE_COLOR_BY_PARAMS, ENVELOPE_COLOR_BY_MEMORY };
  EnvelopeRenderOptions options;
  EnvelopeColor start, end;

  envelope_render_options_init (&options);
  envelope_color_scale_map (options.color_scale, 0, &start);
  envelope_color_scale_map (options.color_scale, 1, &end);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      guint64 max = 0;
      gint largest = -1, zero = -1;
      EnvelopeColor c;
      g_autofree char *legend = NULL;

      options.color_mode = modes[m];
      for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
        {
          const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
          guint64 value = modes[m] == ENVELOPE_COLOR_BY_MACS ? block->macs
                        : modes[m] == ENVELOPE_COLOR_BY_PARAMS ? block->params : block->activations;

          if (value > max)
            {
              max = value;
              largest = (gint) b;
            }
          if (value == 0 && zero < 0)
            zero = (gint) b;
        }
      g_assert_cmpint (largest, >=, 0);
      envelope_render_get_block_color (diagram, &options, (guint) largest, &c);
      g_assert_true (envelope_color_equal (&c, &end, 1e-9));
      g_assert_cmpfloat (envelope_render_get_block_share (diagram, &options, (guint) largest), ==, 1.0);
      if (zero >= 0)
        {
          envelope_render_get_block_color (diagram, &options, (guint) zero, &c);
          g_assert_true (envelope_color_equal (&c, &start, 1e-9));
        }

      /* the legend says the unit and both ends */
      legend = envelope_render_describe_scale (diagram, &options);
      g_assert_nonnull (legend);
      g_assert_nonnull (strstr (legend, "0%"));
      {
        const EnvelopeTotals *totals = envelope_diagram_get_totals (diagram);
        guint64 total = modes[m] == ENVELOPE_COLOR_BY_MACS ? totals->macs
                      : modes[m] == ENVELOPE_COLOR_BY_PARAMS ? totals->params : totals->activations_all;
        g_autofree char *share = envelope_format_percent (max, total);

        g_assert_nonnull (strstr (legend, share));
      }
    }

  /* the kind mode: a category colour, no scale */
  options.color_mode = ENVELOPE_COLOR_BY_KIND;
  {
    EnvelopeColor c, conv;
    gint index = envelope_diagram_find_block (diagram, (guint) envelope_network_find_layer (model->network, "conv1_1"));

    envelope_render_get_block_color (diagram, &options, (guint) index, &c);
    envelope_color_for_category (ENVELOPE_CATEGORY_CONVOLUTION, ENVELOPE_THEME_LIGHT, &conv);
    g_assert_true (envelope_color_equal (&c, &conv, 1e-9));
    g_assert_null (envelope_render_describe_scale (diagram, &options));
  }
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_string_append_len (closure, (const char *) data, length);
  return CAIRO_STATUS_SUCCESS;
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Draws the diagram at @zoom into an SVG and returns the SVG. */
static GString *
draw_svg (const EnvelopeDiagram       *diagram,
          const EnvelopeLayout        *layout,
          const EnvelopeRenderOptions *options,
          const EnvelopeRect          *visible,
          double                       zoom)
{
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
  GString *svg = g_string_new (NULL);
  EnvelopeRect bounds;
  cairo_surface_t *surface;
  cairo_t *cr;

  /* a page as large as the diagram: Cairo leaves out what falls off it */
  envelope_layout_get_bounds (layout, &bounds);
  surface = cairo_svg_surface_create_for_stream (append_bytes, svg, (bounds.x + bounds.width + 50) * zoom,
                                                 (bounds.y + bounds.height + 50) * zoom);
  cr = cairo_create (surface);
  cairo_scale (cr, zoom, zoom);
  envelope_renderer_draw (renderer, cr, diagram, layout, options, visible, zoom);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return svg;
}

/* Text is drawn while it is legible and dropped below about 5 pixels;
 * zoomed far out, blocks are plain rectangles. */
static void
test_level_of_detail (void)
{
  g_autoptr(Model) model = model_load ("mnist.json");
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(EnvelopeLayout) layout = envelope_layout_new (diagram, NULL);
  EnvelopeRenderOptions options;
  g_autoptr(GString) near = NULL;
  g_autoptr(GString) small = NULL;
  g_autoptr(GString) far = NULL;

  envelope_render_options_init (&options);
  near = draw_svg (diagram, layout, &options, NULL, 1.0);
  small = draw_svg (diagram, layout, &options, NULL, 0.5);   /* 9 pt names: 4.5 px */
  far = draw_svg (diagram, layout, &options, NULL, 0.05);

  g_assert_cmpuint (count (near->str, "<use xlink:href=\"#glyph"), >, 50);
  g_assert_cmpuint (count (small->str, "<use xlink:href=\"#glyph"), ==, 0);
  g_assert_cmpuint (count (far->str, "<use xlink:href=\"#glyph"), ==, 0);
  /* curves for the arrows up close, straight lines from far */
  g_assert_cmpuint (count (near->str, " C "), >, 0);
  g_assert_cmpuint (count (far->str, " C "), ==, 0);
}

/* Only what meets the visible rectangle is drawn. */
static void
test_culling (void)
{
  g_autoptr(Model) model = model_load ("resnet50.json");
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(EnvelopeLayout) layout = envelope_layout_new (diagram, NULL);
  EnvelopeRenderOptions options;
  EnvelopeRect first, view;
  g_autoptr(GString) all = NULL;
  g_autoptr(GString) part = NULL;

  envelope_render_options_init (&options);
  envelope_layout_get_block_rect (layout, 0, &first);
  view = first;
  envelope_rect_inflate (&view, 20, 20);
  all = draw_svg (diagram, layout, &options, NULL, 1.0);
  part = draw_svg (diagram, layout, &options, &view, 1.0);
  g_assert_cmpuint (count (part->str, "<use xlink:href=\"#glyph"), >, 0);
  g_assert_cmpuint (count (part->str, "<use xlink:href=\"#glyph") * 20, <, count (all->str, "<use xlink:href=\"#glyph"));
  g_assert_cmpuint (count (part->str, "<path") * 10, <, count (all->str, "<path"));
}

/* Draws @diagram into an image a little larger than its bounds, whole,
 * or in @tile-pixel squares each told only its own part, as the canvas
 * draws it; then the outline of block @selection alone, over it, unless
 * that is negative. */
static cairo_surface_t *
draw_image (const EnvelopeDiagram       *diagram,
            const EnvelopeLayout        *layout,
            const EnvelopeRenderOptions *options,
            int                          tile,
            gint                         selection)
{
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
  EnvelopeRect bounds;
  cairo_surface_t *surface;
  int width, height;

  envelope_layout_get_bounds (layout, &bounds);
  width = (int) (bounds.x + bounds.width + 20);
  height = (int) (bounds.y + bounds.height + 20);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  for (int y = 0; y < height; y += tile > 0 ? tile : height)
    for (int x = 0; x < width; x += tile > 0 ? tile : width)
      {
        cairo_t *cr = cairo_create (surface);
        int w = tile > 0 ? MIN (tile, width - x) : width;
        int h = tile > 0 ? MIN (tile, height - y) : height;
        EnvelopeRect visible = { x, y, w, h };

        cairo_rectangle (cr, x, y, w, h);
        cairo_clip (cr);
        envelope_renderer_draw (renderer, cr, diagram, layout, options, tile > 0 ? &visible : NULL, 1.0);
        if (selection >= 0)
          envelope_renderer_draw_selection (renderer, cr, diagram, layout, options, (guint) selection);
        g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
        cairo_destroy (cr);
      }
  cairo_surface_flush (surface);
  return surface;
}

/* The pixels where two images differ by more than @slack in a channel. */
static guint
count_differences (cairo_surface_t *a,
                   cairo_surface_t *b,
                   guint            slack)
{
  int stride = cairo_image_surface_get_stride (a);
  int width = cairo_image_surface_get_width (a);
  int height = cairo_image_surface_get_height (a);
  guint n = 0;

  g_assert_cmpint (cairo_image_surface_get_width (b), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (b), ==, height);
  for (int y = 0; y < height; y++)
    {
      const guchar *pa = cairo_image_surface_get_data (a) + y * stride;
      const guchar *pb = cairo_image_surface_get_data (b) + y * stride;

      for (int x = 0; x < width; x++)
        {
          guint most = 0;

          for (int c = 0; c < 4; c++)
            most = MAX (most, (guint) ABS (pa[4 * x + c] - pb[4 * x + c]));
          n += most > slack;
        }
    }
  return n;
}

/* Drawn in tiles, as the canvas keeps it, the diagram is the one drawn
 * whole, in either direction: nothing reaching across a tile's edge (a
 * label across a vertical arrow, a receptive-field band) is cut there. */
/* The legend's notes wrap to the width it is given: the receptive
 * field's band explained in a narrow column (the presentation's) is
 * two lines no wider than the column, in one line where there is room. */
static void
test_legend_wraps (void)
{
  g_autoptr(Model) model = model_load ("textcnn.json");
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
  EnvelopeRenderOptions options;
  double wide_w, wide_h, narrow_w, narrow_h, kind_w, kind_h, kind_narrow_w, kind_narrow_h;

  envelope_render_options_init (&options);
  /* the kinds alone, then with the band's note under them */
  envelope_renderer_get_legend_size (renderer, diagram, &options, 480, &kind_w, &kind_h);
  envelope_renderer_get_legend_size (renderer, diagram, &options, 200, &kind_narrow_w, &kind_narrow_h);
  options.receptive_field = TRUE;
  envelope_renderer_get_legend_size (renderer, diagram, &options, 480, &wide_w, &wide_h);
  envelope_renderer_get_legend_size (renderer, diagram, &options, 200, &narrow_w, &narrow_h);
  /* the note is wider than 200 units in one line, and fits 480 */
  g_assert_cmpfloat (wide_w, >, 200);
  g_assert_cmpfloat (wide_w, <=, 480);
  g_assert_cmpfloat (narrow_w, <=, 200);
  /* the note is one line under the kinds (4 units below them) where
   * there is room, and two in the column, under the kinds wrapped to it */
  g_test_message ("kinds %g × %g, with the note %g × %g; in 200 units %g × %g and %g × %g", kind_w, kind_h, wide_w,
                  wide_h, kind_narrow_w, kind_narrow_h, narrow_w, narrow_h);
  g_assert_cmpfloat (kind_narrow_w, <=, 200);
  /* one line of the legend's type, about 10 units */
  g_assert_cmpfloat (wide_h - kind_h - 4, >, 6);
  g_assert_cmpfloat (wide_h - kind_h - 4, <, 14);
  g_assert_cmpfloat_with_epsilon (narrow_h - kind_narrow_h - 4, 2 * (wide_h - kind_h - 4), 0.01);
}

static void
test_tiles (void)
{
  g_autoptr(Model) model = model_load ("googlenet.json");
  static const EnvelopeDirection directions[] = { ENVELOPE_DIRECTION_LEFT_RIGHT, ENVELOPE_DIRECTION_TOP_BOTTOM };

  for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
    {
      EnvelopeDiagramOptions diagram_options;
      EnvelopeRenderOptions options;
      g_autoptr(EnvelopeDiagram) diagram = NULL;
      g_autoptr(EnvelopeLayout) layout = NULL;
      cairo_surface_t *whole, *tiled;
      guint labels = 0;

      envelope_diagram_options_init (&diagram_options);
      diagram_options.direction = directions[d];
      diagram_options.receptive_field_room = TRUE;
      diagram = envelope_diagram_new (model->analysis, &diagram_options);
      layout = envelope_layout_new (diagram, NULL);
      for (guint e = 0; e < envelope_diagram_get_n_edges (diagram); e++)
        labels += envelope_layout_get_edge (layout, e)->has_label;
      g_assert_cmpuint (labels, >, 50);
      envelope_render_options_init (&options);
      options.receptive_field = TRUE;

      whole = draw_image (diagram, layout, &options, 0, -1);
      tiled = draw_image (diagram, layout, &options, 128, -1);
      /* Curves cut at a tile's edge are smoothed a little differently
       * there (by up to 32 levels); a text cut short differs by far more. */
      g_assert_cmpuint (count_differences (whole, tiled, 32), ==, 0);
      cairo_surface_destroy (whole);
      cairo_surface_destroy (tiled);
    }
}

/* On the screen, the flat boxes are filled one colour at a time: the
 * pixels are those of a fill a box, as files draw them, at a zoom with
 * rounded corners and outlines and at one without. */
static void
test_merged_boxes (void)
{
  g_autoptr(Model) model = model_load ("googlenet.json");
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(EnvelopeLayout) layout = envelope_layout_new (diagram, NULL);
  static const double zooms[] = { 0.6, 0.25 };
  EnvelopeRenderOptions options;
  EnvelopeRect bounds;

  envelope_render_options_init (&options);
  envelope_layout_get_bounds (layout, &bounds);
  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
      int width = (int) ceil ((bounds.x + bounds.width) * zooms[z]) + 4;
      int height = (int) ceil ((bounds.y + bounds.height) * zooms[z]) + 4;
      cairo_surface_t *images[2];
      guint colored = 0;

      for (guint i = 0; i < 2; i++)
        {
          cairo_t *cr;
          EnvelopePainter painter;

          images[i] = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
          cr = cairo_create (images[i]);
          cairo_scale (cr, zooms[z], zooms[z]);
          if (i == 0)
            envelope_renderer_draw (renderer, cr, diagram, layout, &options, NULL, zooms[z]);
          else
            {
              envelope_painter_init_cairo (&painter, cr);
              g_assert_false (painter.merges_marks);
              envelope_renderer_paint (renderer, &painter, diagram, layout, &options, NULL, zooms[z]);
            }
          g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
          cairo_destroy (cr);
          cairo_surface_flush (images[i]);
        }
      /* something was drawn: a box's centre is not the background */
      for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
        {
          EnvelopeRect rect;
          const guchar *data = cairo_image_surface_get_data (images[0]);
          int x, y;

          envelope_layout_get_block_rect (layout, b, &rect);
          x = (int) ((rect.x + rect.width / 2) * zooms[z]);
          y = (int) ((rect.y + rect.height / 2) * zooms[z]);
          colored += data[y * cairo_image_surface_get_stride (images[0]) + 4 * x + 3] == 255;
        }
      g_assert_cmpuint (colored, ==, envelope_diagram_get_n_blocks (diagram));
      /* where two boxes' edges share a pixel, their coverage adds up
       * rather than one going over the other: a level or two; a corner
       * of a pixel or two is two straight sides rather than an arc: a
       * few of its pixels by up to a sixteenth */
      g_assert_cmpuint (count_differences (images[0], images[1], 16), ==, 0);
      g_assert_cmpuint (count_differences (images[0], images[1], 2), <, envelope_diagram_get_n_blocks (diagram) / 2);
      cairo_surface_destroy (images[0]);
      cairo_surface_destroy (images[1]);
    }
}

/* Every option draws without a Cairo error. */
static void
test_options (void)
{
  g_autoptr(Model) model = model_load ("resnet18.json");
  static const EnvelopeDiagramStyle styles[] = { ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL };
  static const EnvelopeDirection directions[] = { ENVELOPE_DIRECTION_LEFT_RIGHT, ENVELOPE_DIRECTION_TOP_BOTTOM };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
      for (guint mode = ENVELOPE_COLOR_BY_KIND; mode <= ENVELOPE_COLOR_BY_PARAMS; mode++)
        {
          EnvelopeDiagramOptions diagram_options;
          EnvelopeRenderOptions options;
          g_autoptr(EnvelopeDiagram) diagram = NULL;
          g_autoptr(EnvelopeLayout) layout = NULL;
          g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
          cairo_surface_t *surface;
          cairo_t *cr;
          double w, h;

          envelope_diagram_options_init (&diagram_options);
          diagram_options.style = styles[s];
          diagram_options.direction = directions[d];
          diagram_options.wrap = 2;
          diagram_options.receptive_field_room = TRUE;
          diagram = envelope_diagram_new (model->analysis, &diagram_options);
          layout = envelope_layout_new (diagram, NULL);
          envelope_render_options_init (&options);
          options.color_mode = mode;
          options.theme = mode % 2 ? ENVELOPE_THEME_DARK : ENVELOPE_THEME_LIGHT;
          options.receptive_field = TRUE;
          options.receptive_field_layer = envelope_network_find_layer (model->network, "layer3/1/relu2");
          options.selected_block = 3;
          options.transparent = TRUE;   /* a painted background has no extents */
          envelope_renderer_get_page_size (renderer, diagram, layout, &options, &w, &h);
          g_assert_cmpfloat (w, >, 100);
          g_assert_cmpfloat (h, >, 100);
          surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
          cr = cairo_create (surface);
          envelope_renderer_draw_page (renderer, cr, diagram, layout, &options, 1.0);
          g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
          {
            double x0, y0, iw, ih;

            /* nothing is drawn off the page */
            cairo_recording_surface_ink_extents (surface, &x0, &y0, &iw, &ih);
            g_assert_cmpfloat (x0, >=, -0.5);
            g_assert_cmpfloat (y0, >=, -0.5);
            g_assert_cmpfloat (x0 + iw, <=, w + 0.5);
            g_assert_cmpfloat (y0 + ih, <=, h + 0.5);
          }
          cairo_destroy (cr);
          cairo_surface_destroy (surface);
        }
}

/* A block's signature changes with what is drawn of it, and only then:
 * a new setting leaves the blocks before the layer alone. */
static void
test_signatures (void)
{
  g_autoptr(Model) model = model_parse (test_chain_json);
  g_autoptr(EnvelopeNetwork) changed = envelope_network_copy (model->network);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeDiagram) before = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(EnvelopeDiagram) after = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeRenderOptions options, by_macs;
  static const gboolean block_changed[] = { FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, TRUE, TRUE };
  guint changed_edges = 0;

  envelope_network_get_layer (changed, (guint) envelope_network_find_layer (changed, "conv2"))->filters = 48;
  analysis = envelope_analysis_new (changed, NULL, NULL, &error);
  g_assert_no_error (error);
  after = envelope_diagram_refresh (before, analysis, NULL);
  envelope_render_options_init (&options);

  g_assert_cmpuint (envelope_diagram_get_n_blocks (before), ==, G_N_ELEMENTS (block_changed));
  for (guint b = 0; b < G_N_ELEMENTS (block_changed); b++)
    {
      guint64 x = envelope_render_get_block_signature (before, &options, b);
      guint64 y = envelope_render_get_block_signature (after, &options, b);

      /* the same diagram, the same signature */
      g_assert_cmpuint (x, ==, envelope_render_get_block_signature (before, &options, b));
      if (block_changed[b])
        g_assert_cmpuint (x, !=, y);
      else
        g_assert_cmpuint (x, ==, y);
    }
  /* conv2 → relu2 → flat → fc carry new shapes */
  for (guint e = 0; e < envelope_diagram_get_n_edges (before); e++)
    if (envelope_render_get_edge_signature (before, e) != envelope_render_get_edge_signature (after, e))
      changed_edges++;
  g_assert_cmpuint (changed_edges, ==, 3);

  /* another colour mode draws other colours and figures */
  by_macs = options;
  by_macs.color_mode = ENVELOPE_COLOR_BY_MACS;
  g_assert_cmpuint (envelope_render_get_block_signature (before, &options, 1), !=,
                    envelope_render_get_block_signature (before, &by_macs, 1));
  /* the selection is not in it */
  by_macs = options;
  by_macs.selected_block = 1;
  g_assert_cmpuint (envelope_render_get_block_signature (before, &options, 1), ==,
                    envelope_render_get_block_signature (before, &by_macs, 1));
}

/* The selection drawn alone, over a picture drawn without it, looks as
 * the picture drawn with it; and it stays within its extents. */
static void
test_selection (void)
{
  g_autoptr(Model) model = model_parse (test_chain_json);
  static const EnvelopeDiagramStyle styles[] = { ENVELOPE_DIAGRAM_STYLE_FLAT, ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    {
      EnvelopeDiagramOptions diagram_options;
      g_autoptr(EnvelopeDiagram) diagram = NULL;
      g_autoptr(EnvelopeLayout) layout = NULL;
      g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
      EnvelopeRenderOptions options, selected;
      cairo_surface_t *whole, *over, *alone;
      EnvelopeRect extents;
      double x0, y0, w, h;
      cairo_t *cr;

      envelope_diagram_options_init (&diagram_options);
      diagram_options.style = styles[s];
      diagram = envelope_diagram_new (model->analysis, &diagram_options);
      layout = envelope_layout_new (diagram, NULL);
      envelope_render_options_init (&options);
      selected = options;
      selected.selected_block = 4;

      whole = draw_image (diagram, layout, &selected, 0, -1);
      over = draw_image (diagram, layout, &options, 0, 4);
      g_assert_cmpuint (count_differences (whole, over, 0), ==, 0);
      cairo_surface_destroy (whole);
      cairo_surface_destroy (over);

      alone = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
      cr = cairo_create (alone);
      envelope_renderer_draw_selection (renderer, cr, diagram, layout, &options, 4);
      cairo_destroy (cr);
      cairo_recording_surface_ink_extents (alone, &x0, &y0, &w, &h);
      cairo_surface_destroy (alone);
      envelope_renderer_get_selection_extents (diagram, layout, 4, &extents);
      g_assert_cmpfloat (w, >, 10);
      g_assert_cmpfloat (h, >, 10);
      g_assert_cmpfloat (x0, >=, extents.x - 0.5);
      g_assert_cmpfloat (y0, >=, extents.y - 0.5);
      g_assert_cmpfloat (x0 + w, <=, extents.x + extents.width + 0.5);
      g_assert_cmpfloat (y0 + h, <=, extents.y + extents.height + 0.5);
    }
}

static void
test_names (void)
{
  EnvelopeColorMode mode;
  EnvelopeMemoryOf memory_of;
  EnvelopeDiagramStyle style;
  EnvelopeDirection direction;
  EnvelopeTheme theme;

  g_assert_true (envelope_color_mode_from_string ("macs", &mode) && mode == ENVELOPE_COLOR_BY_MACS);
  g_assert_true (envelope_color_mode_from_string ("memory", &mode) && mode == ENVELOPE_COLOR_BY_MEMORY);
  g_assert_false (envelope_color_mode_from_string ("flops", &mode));
  g_assert_true (envelope_memory_of_from_string ("params", &memory_of) && memory_of == ENVELOPE_MEMORY_OF_PARAMETERS);
  g_assert_true (envelope_diagram_style_from_string ("proportional", &style) && style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL);
  g_assert_true (envelope_direction_from_string ("tb", &direction) && direction == ENVELOPE_DIRECTION_TOP_BOTTOM);
  g_assert_false (envelope_direction_from_string ("rl", &direction));
  g_assert_true (envelope_theme_from_string ("dark", &theme) && theme == ENVELOPE_THEME_DARK);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/color/scale", test_scale_ends);
  g_test_add_func ("/render/color/blocks", test_block_colors);
  g_test_add_func ("/render/draw/level-of-detail", test_level_of_detail);
  g_test_add_func ("/render/draw/culling", test_culling);
  g_test_add_func ("/render/draw/options", test_options);
  g_test_add_func ("/render/draw/tiles", test_tiles);
  g_test_add_func ("/render/draw/legend-wraps", test_legend_wraps);
  g_test_add_func ("/render/draw/merged-boxes", test_merged_boxes);
  g_test_add_func ("/render/draw/signatures", test_signatures);
  g_test_add_func ("/render/draw/selection", test_selection);
  g_test_add_func ("/render/names", test_names);

  return g_test_run ();
}
