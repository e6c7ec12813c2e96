/* test-export.c: PNG, SVG and PDF files, checked by their structure
 *
 * No golden files: Cairo versions differ.  The SVG must parse, have the
 * page's size and render to something not blank; the PDF must carry
 * every layer's name as text; the PNG must have the expected pixels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#ifdef HAVE_RSVG
#include <librsvg/rsvg.h>
#endif

#include "envelope-render.h"
#include "test-helpers.h"

typedef struct
{
  Model *model;
  EnvelopeDiagram *diagram;
  EnvelopeLayout *layout;
  EnvelopeRenderOptions options;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *file = data;
  g_autoptr(GError) error = NULL;

  fixture->model = model_load (file);
  fixture->diagram = envelope_diagram_new (fixture->model->analysis, NULL);
  fixture->layout = envelope_layout_new (fixture->diagram, &error);
  g_assert_no_error (error);
  envelope_render_options_init (&fixture->options);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->layout, envelope_layout_unref);
  g_clear_pointer (&fixture->diagram, envelope_diagram_unref);
  g_clear_pointer (&fixture->model, model_free);
}

static GBytes *
export (Fixture              *fixture,
        EnvelopeExportFormat  format,
        double                scale)
{
  EnvelopeExportOptions options;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  envelope_export_options_init (&options);
  options.format = format;
  options.scale = scale;
  bytes = envelope_export_to_bytes (fixture->diagram, fixture->layout, &fixture->options, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

/* The share of pixels that differ from the top-left corner's. */
static double
ink (cairo_surface_t *surface)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  guint32 background;
  guint64 differ = 0;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  background = *(const guint32 *) data;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      differ += *(const guint32 *) (data + y * stride + 4 * x) != background;
  return (double) differ / ((double) w * h);
}

typedef struct
{
  GBytes *bytes;
  gsize offset;
} Reader;

static cairo_status_t
read_bytes (void          *closure,
            unsigned char *data,
            unsigned int   length)
{
  Reader *reader = closure;
  gsize size;
  const guint8 *p = g_bytes_get_data (reader->bytes, &size);

  if (reader->offset + length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, p + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
read_png (GBytes *bytes)
{
  Reader reader = { bytes, 0 };
  cairo_surface_t *surface = cairo_image_surface_create_from_png_stream (read_bytes, &reader);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

static void
test_png (Fixture       *fixture,
          gconstpointer  data)
{
  static const double scales[] = { 1.0, 2.0, 150.0 / 72.0 };

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      g_autoptr(GBytes) bytes = export (fixture, ENVELOPE_EXPORT_PNG, scales[i]);
      cairo_surface_t *surface = read_png (bytes);
      double w, h, page_w, page_h;
      EnvelopeExportOptions options;

      envelope_export_options_init (&options);
      options.scale = scales[i];
      envelope_export_get_size (fixture->diagram, fixture->layout, &fixture->options, &options, &w, &h);
      g_assert_cmpint (cairo_image_surface_get_width (surface), ==, (int) w);
      g_assert_cmpint (cairo_image_surface_get_height (surface), ==, (int) h);
      options.format = ENVELOPE_EXPORT_SVG;
      envelope_export_get_size (fixture->diagram, fixture->layout, &fixture->options, &options, &page_w, &page_h);
      g_assert_cmpfloat (w, ==, ceil (page_w * scales[i]));
      g_assert_cmpfloat (h, ==, ceil (page_h * scales[i]));
      g_assert_cmpfloat (ink (surface), >, 0.02);
      cairo_surface_destroy (surface);
    }

  /* transparent: the corners show through */
  fixture->options.transparent = TRUE;
  {
    g_autoptr(GBytes) bytes = export (fixture, ENVELOPE_EXPORT_PNG, 1.0);
    cairo_surface_t *surface = read_png (bytes);

    cairo_surface_flush (surface);
    g_assert_cmpuint (*(const guint32 *) cairo_image_surface_get_data (surface) >> 24, ==, 0);
    g_assert_cmpfloat (ink (surface), >, 0.02);
    cairo_surface_destroy (surface);
  }
}

/* The root element's size, in points. */
static void
svg_start_element (GMarkupParseContext  *context,
                   const char           *element,
                   const char          **names,
                   const char          **values,
                   gpointer              user_data,
                   GError              **error)
{
  double *size = user_data;

  if (strcmp (element, "svg") != 0 || size[0] > 0)
    return;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (strcmp (names[i], "width") == 0)
        size[0] = g_ascii_strtod (values[i], NULL);
      else if (strcmp (names[i], "height") == 0)
        size[1] = g_ascii_strtod (values[i], NULL);
    }
}

static void
test_svg (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GBytes) bytes = export (fixture, ENVELOPE_EXPORT_SVG, 1.0);
  GMarkupParser parser = { svg_start_element, NULL, NULL, NULL, NULL };
  double size[2] = { 0, 0 }, page_w, page_h;
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, size, NULL);
  g_autoptr(GError) error = NULL;
  EnvelopeExportOptions options;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);

  g_assert_true (g_markup_parse_context_parse (context, text, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);

  envelope_export_options_init (&options);
  options.format = ENVELOPE_EXPORT_SVG;
  envelope_export_get_size (fixture->diagram, fixture->layout, &fixture->options, &options, &page_w, &page_h);
  g_assert_cmpfloat_with_epsilon (size[0], page_w, 0.01);
  g_assert_cmpfloat_with_epsilon (size[1], page_h, 0.01);
  g_assert_nonnull (g_strstr_len (text, (gssize) MIN (length, 400), "pt\""));

#ifdef HAVE_RSVG
  {
    RsvgHandle *handle = rsvg_handle_new_from_data ((const guint8 *) text, length, &error);
    cairo_surface_t *surface;
    cairo_t *cr;
    RsvgRectangle viewport;
    double w, h;

    g_assert_no_error (error);
    g_assert_true (rsvg_handle_get_intrinsic_size_in_pixels (handle, &w, &h));
    /* librsvg reads points at 96 dpi by default */
    rsvg_handle_set_dpi (handle, 72);
    g_assert_true (rsvg_handle_get_intrinsic_size_in_pixels (handle, &w, &h));
    g_assert_cmpfloat_with_epsilon (w, page_w, 0.5);
    g_assert_cmpfloat_with_epsilon (h, page_h, 0.5);
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (w), (int) ceil (h));
    cr = cairo_create (surface);
    viewport = (RsvgRectangle) { 0, 0, w, h };
    g_assert_true (rsvg_handle_render_document (handle, cr, &viewport, &error));
    g_assert_no_error (error);
    cairo_destroy (cr);
    g_assert_cmpfloat (ink (surface), >, 0.02);
    cairo_surface_destroy (surface);
    g_object_unref (handle);
  }
#else
  g_test_message ("librsvg not available: the SVG was only parsed");
#endif
}


/* What an SVG holds: its elements by name, and the content of each
 * <text> (unescaped) with its class and anchor. */
typedef struct
{
  GHashTable *elements;      /* name → count */
  GPtrArray *texts;
  GPtrArray *anchors;        /* "middle" or "" for each text */
  gboolean in_text;
  GString *text;
} SvgContents;

static void
contents_start (GMarkupParseContext  *context,
                const char           *element,
                const char          **names,
                const char          **values,
                gpointer              user_data,
                GError              **error)
{
  SvgContents *contents = user_data;
  const char *anchor = "";

  g_hash_table_insert (contents->elements, g_strdup (element),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (contents->elements, element)) + 1));
  if (strcmp (element, "text") != 0)
    return;
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], "text-anchor") == 0)
      anchor = values[i];
  contents->in_text = TRUE;
  g_string_truncate (contents->text, 0);
  g_ptr_array_add (contents->anchors, g_strdup (anchor));
}

static void
contents_text (GMarkupParseContext  *context,
               const char           *text,
               gsize                 length,
               gpointer              user_data,
               GError              **error)
{
  SvgContents *contents = user_data;

  if (contents->in_text)
    g_string_append_len (contents->text, text, (gssize) length);
}

static void
contents_end (GMarkupParseContext  *context,
              const char           *element,
              gpointer              user_data,
              GError              **error)
{
  SvgContents *contents = user_data;

  if (strcmp (element, "text") == 0)
    {
      g_ptr_array_add (contents->texts, g_strdup (contents->text->str));
      contents->in_text = FALSE;
    }
}

static void
svg_contents_parse (SvgContents *contents,
                    GBytes      *bytes)
{
  GMarkupParser parser = { contents_start, contents_end, contents_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);

  contents->elements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  contents->texts = g_ptr_array_new_with_free_func (g_free);
  contents->anchors = g_ptr_array_new_with_free_func (g_free);
  contents->text = g_string_new (NULL);
  context = g_markup_parse_context_new (&parser, 0, contents, NULL);
  g_assert_true (g_markup_parse_context_parse (context, text, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
}

static void
svg_contents_clear (SvgContents *contents)
{
  g_hash_table_unref (contents->elements);
  g_ptr_array_unref (contents->texts);
  g_ptr_array_unref (contents->anchors);
  g_string_free (contents->text, TRUE);
}

static guint
svg_count (SvgContents *contents,
           const char  *element)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (contents->elements, element));
}

static gboolean
svg_has_text (SvgContents *contents,
              const char  *text)
{
  for (guint i = 0; i < contents->texts->len; i++)
    if (strcmp (g_ptr_array_index (contents->texts, i), text) == 0)
      return TRUE;
  return FALSE;
}

/* Text stays text: every block's name and figures, the title and the
 * totals are <text> elements; the blocks are shapes; the page is the
 * PNG's. */
static void
test_svg_text (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GBytes) bytes = export (fixture, ENVELOPE_EXPORT_SVG, 1.0);
  g_autofree char *totals = envelope_render_describe_totals (fixture->diagram, &fixture->options);
  guint n_blocks = envelope_diagram_get_n_blocks (fixture->diagram);
  EnvelopeExportOptions options;
  SvgContents contents = { 0 };
  double png_w, png_h;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  guint centred = 0;

  svg_contents_parse (&contents, bytes);
  /* no glyph outlines: Cairo's SVG surface writes <symbol>s and <use>s */
  g_assert_cmpuint (svg_count (&contents, "symbol"), ==, 0);
  g_assert_cmpuint (svg_count (&contents, "use"), ==, 0);
  g_assert_cmpuint (svg_count (&contents, "style"), ==, 1);
  g_assert_true (svg_has_text (&contents, envelope_diagram_get_title (fixture->diagram)));
  g_assert_true (svg_has_text (&contents, totals));
  g_assert_true (svg_has_text (&contents, "Layer kind"));
  for (guint b = 0; b < n_blocks; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (fixture->diagram, b);
      g_autofree char *macs = envelope_format_compact (block->macs);
      g_autofree char *figure = g_strdup_printf ("%s MACs", macs);

      if (!svg_has_text (&contents, block->name))
        g_error ("block \"%s\" is not a <text> of the SVG", block->name);
      if (!svg_has_text (&contents, block->shape_text))
        g_error ("the shape %s of \"%s\" is not a <text> of the SVG", block->shape_text, block->name);
      if (block->macs > 0 && !svg_has_text (&contents, figure))
        g_error ("\"%s\" of \"%s\" is not a <text> of the SVG", figure, block->name);
    }
  /* names and figures are centred in their blocks: the viewer centres
   * them in its own font */
  for (guint i = 0; i < contents.anchors->len; i++)
    centred += strcmp (g_ptr_array_index (contents.anchors, i), "middle") == 0;
  g_assert_cmpuint (centred, >=, 3 * n_blocks);
  /* a block is two rounded shapes (its outline and its fill), and the
   * background and the legend's swatches are rectangles */
  g_assert_cmpuint (svg_count (&contents, "path"), >=, 2 * n_blocks);
  g_assert_cmpuint (svg_count (&contents, "rect"), >=, 2);
  /* the font Pango chose, by name, with the generic family after it */
  g_assert_nonnull (g_strstr_len (text, (gssize) length, ",sans-serif;font-size:9px;font-weight:700}"));

  /* the page is the PNG's at one pixel a point */
  envelope_export_options_init (&options);
  options.scale = 1.0;
  envelope_export_get_size (fixture->diagram, fixture->layout, &fixture->options, &options, &png_w, &png_h);
  {
    double page_w, page_h;
    g_autofree char *size = NULL;

    options.format = ENVELOPE_EXPORT_SVG;
    envelope_export_get_size (fixture->diagram, fixture->layout, &fixture->options, &options, &page_w, &page_h);
    g_assert_cmpfloat (png_w, ==, ceil (page_w));
    g_assert_cmpfloat (png_h, ==, ceil (page_h));
    size = g_strdup_printf ("viewBox=\"0 0 %g %g\"", page_w, page_h);
    g_assert_nonnull (g_strstr_len (text, 400, size));
  }
  svg_contents_clear (&contents);
}

/* Names with markup characters are escaped, and come back whole; a
 * name too long for its block is ellipsized as on screen. */
static void
test_svg_escaping (void)
{
  static const char json[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"Tom & Jerry's <net>\", \"layers\": ["
    "{\"name\": \"in<put>\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"a&b \\\"c\\\"\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3},"
    "{\"name\": \"a_layer_name_far_too_long_to_fit_in_any_block_of_the_diagram_at_all\", \"type\": \"relu\"}]}";
  g_autoptr(Model) model = model_parse (json);
  g_autoptr(EnvelopeDiagram) diagram = envelope_diagram_new (model->analysis, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeLayout) layout = envelope_layout_new (diagram, &error);
  g_autoptr(GBytes) bytes = NULL;
  EnvelopeRenderOptions render_options;
  EnvelopeExportOptions options;
  SvgContents contents = { 0 };
  gboolean ellipsized = FALSE;

  g_assert_no_error (error);
  envelope_render_options_init (&render_options);
  envelope_export_options_init (&options);
  options.format = ENVELOPE_EXPORT_SVG;
  bytes = envelope_export_to_bytes (diagram, layout, &render_options, &options, &error);
  g_assert_no_error (error);
  svg_contents_parse (&contents, bytes);
  g_assert_true (svg_has_text (&contents, "in<put>"));
  g_assert_true (svg_has_text (&contents, "a&b \"c\""));
  g_assert_true (svg_has_text (&contents, "Tom & Jerry's <net>"));
  g_assert_false (svg_has_text (&contents, "a_layer_name_far_too_long_to_fit_in_any_block_of_the_diagram_at_all"));
  for (guint i = 0; i < contents.texts->len; i++)
    {
      const char *t = g_ptr_array_index (contents.texts, i);

      /* the middle left out: its start and its end kept */
      if (g_str_has_prefix (t, "a_layer") && strstr (t, "…") != NULL && g_str_has_suffix (t, "at_all"))
        ellipsized = TRUE;
    }
  g_assert_true (ellipsized);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (bytes, NULL), -1, "<title>Tom &amp; Jerry&apos;s &lt;net&gt;</title>"));
  svg_contents_clear (&contents);
}

/* @model drawn in @style as SVG with its receptive field, @layer's
 * patch on its input; @options says the rest (colour, theme). */
static GBytes *
export_receptive_field_svg (const Model           *model,
                            EnvelopeDiagramStyle   style,
                            const char            *layer,
                            EnvelopeRenderOptions *options)
{
  EnvelopeDiagramOptions diagram_options;
  g_autoptr(EnvelopeDiagram) diagram = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeExportOptions export_options;
  GBytes *bytes;

  envelope_diagram_options_init (&diagram_options);
  diagram_options.style = style;
  diagram_options.receptive_field_room = TRUE;
  diagram = envelope_diagram_new (model->analysis, &diagram_options);
  layout = envelope_layout_new (diagram, &error);
  g_assert_no_error (error);
  options->receptive_field = TRUE;
  options->receptive_field_layer = envelope_network_find_layer (model->network, layer);
  g_assert_cmpint (options->receptive_field_layer, >=, 0);
  envelope_export_options_init (&export_options);
  export_options.format = ENVELOPE_EXPORT_SVG;
  bytes = envelope_export_to_bytes (diagram, layout, options, &export_options, &error);
  g_assert_no_error (error);
  return bytes;
}

/* The overlays through the SVG writer: the colour scale's gradient, the
 * receptive field's patch clipped to the input, its dashed outline and
 * the recomputed blocks' dashes, the dark theme's text colour. */
static void
test_svg_overlays (void)
{
  g_autoptr(Model) model = model_load ("vgg16.json");
  g_autoptr(GBytes) bytes = NULL;
  EnvelopeRenderOptions options;
  SvgContents contents = { 0 };
  const char *text;

  envelope_render_options_init (&options);
  options.color_mode = ENVELOPE_COLOR_BY_MACS;
  options.theme = ENVELOPE_THEME_DARK;
  bytes = export_receptive_field_svg (model, ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL, "conv3_1", &options);
  text = g_bytes_get_data (bytes, NULL);

  svg_contents_parse (&contents, bytes);
  g_assert_cmpuint (svg_count (&contents, "linearGradient"), ==, 1);
  g_assert_cmpuint (svg_count (&contents, "stop"), >=, 2);
  g_assert_cmpuint (svg_count (&contents, "clipPath"), ==, 1);
  g_assert_nonnull (strstr (text, "clip-path=\"url(#c"));
  g_assert_nonnull (strstr (text, "stroke-dasharray=\""));
  /* the page's background and the legend's text in the dark theme */
  g_assert_nonnull (strstr (text, "fill=\"#1e1e1e\""));
  g_assert_nonnull (strstr (text, "fill=\"#f2f2f2\">VGG-16"));
  /* the classic figure names no layer on its boxes: the overlay does */
  g_assert_true (svg_has_text (&contents, "conv3_1 sees 24 px"));
  g_assert_true (svg_has_text (&contents, "56×56×256"));
  svg_contents_clear (&contents);
}

/* A network of tokens measures its receptive field in tokens: the
 * overlay's title, its pill and the legend say so. */
static void
test_svg_overlays_tokens (void)
{
  g_autoptr(Model) model = model_load ("textcnn.json");
  g_autoptr(GBytes) bytes = NULL;
  EnvelopeRenderOptions options;
  SvgContents contents = { 0 };
  const EnvelopeLayerFigures *figures;

  envelope_render_options_init (&options);
  bytes = export_receptive_field_svg (model, ENVELOPE_DIAGRAM_STYLE_FLAT, "conv3/conv", &options);
  figures = envelope_analysis_get_layer (model->analysis, (guint) options.receptive_field_layer);
  /* one axis, the sequence's: the size of that axis alone */
  g_assert_cmpuint (figures->receptive_field.n_axes, ==, 1);
  g_assert_cmpfloat (figures->receptive_field.size[0], ==, 3);
  svg_contents_parse (&contents, bytes);
  g_assert_true (svg_has_text (&contents, "conv3/conv sees 3 tokens"));
  g_assert_true (svg_has_text (&contents, "Receptive field (input tokens)"));
  g_assert_true (svg_has_text (&contents, "Band: the receptive field of each block's output, in input tokens"));
  g_assert_false (svg_has_text (&contents, "Band: the receptive field of each block's output, in input pixels"));
  svg_contents_clear (&contents);
}

/* A 3-D convolution's field is written with all three of its axes:
 * R3D-18's stem (3×7×7, stride 1, 2, 2) and a 3×3×3 convolution. */
static void
test_svg_overlays_video (void)
{
  g_autoptr(Model) model = model_load ("r3d_18.json");
  g_autoptr(GBytes) bytes = NULL;
  EnvelopeRenderOptions options;
  SvgContents contents = { 0 };

  envelope_render_options_init (&options);
  bytes = export_receptive_field_svg (model, ENVELOPE_DIAGRAM_STYLE_FLAT, "layer1/0/conv1", &options);
  svg_contents_parse (&contents, bytes);
  g_assert_true (svg_has_text (&contents, "layer1/0/conv1 sees 5×11×11 px"));
  g_assert_true (svg_has_text (&contents, "Band: the receptive field of each block's output, in input pixels"));
  svg_contents_clear (&contents);
}

/* A slide's totals leave out what a layer of unknown cost would add:
 * they say "at least", as the app's totals bar does. */
static void
test_totals_unknown (void)
{
  static const char known[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16]},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 8}]}";
  static const char unknown[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16]},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 8},"
    "{\"name\": \"nms\", \"type\": \"unknown\", \"operator\": \"NonMaxSuppression\", \"shape\": [8]}]}";
  g_autoptr(Model) plain = model_parse (known);
  g_autoptr(Model) partly = model_parse (unknown);
  g_autoptr(EnvelopeDiagram) a = envelope_diagram_new (plain->analysis, NULL);
  g_autoptr(EnvelopeDiagram) b = envelope_diagram_new (partly->analysis, NULL);
  EnvelopeRenderOptions options;
  g_autofree char *without = NULL;
  g_autofree char *with = NULL;

  envelope_render_options_init (&options);
  without = envelope_render_describe_totals (a, &options);
  with = envelope_render_describe_totals (b, &options);
  g_assert_true (g_str_has_prefix (without, "136 params"));
  g_assert_true (g_str_has_prefix (with, "≥ 136 params"));
  g_assert_nonnull (strstr (with, "· ≥ 128 MACs"));
}

static void
test_pdf (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *errors = NULL;
  char *argv[4];
  int status;
  gsize length;
  const char *data_ = NULL;

  bytes = export (fixture, ENVELOPE_EXPORT_PDF, 1.0);
  data_ = g_bytes_get_data (bytes, &length);
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (data_, "%PDF-"));

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("envelope-export-XXXXXX", &error);
  g_assert_no_error (error);
  pdf = g_build_filename (dir, "diagram.pdf", NULL);
  g_assert_true (g_file_set_contents (pdf, data_, (gssize) length, &error));
  argv[0] = pdftotext;
  argv[1] = pdf;
  argv[2] = (char *) "-";
  argv[3] = NULL;
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, &errors, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < envelope_network_get_n_layers (fixture->model->network); i++)
    {
      const char *name = envelope_network_get_layer (fixture->model->network, i)->name;

      if (strstr (text, name) == NULL)
        g_error ("layer \"%s\" is not in the PDF's text", name);
    }
  g_assert_nonnull (strstr (text, envelope_diagram_get_title (fixture->diagram)));
  g_unlink (pdf);
  g_rmdir (dir);
}

/* A file that cannot be written: a clear error, and an existing file
 * left as it was, with no temporary file behind. */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-export-XXXXXX", NULL);
  g_autofree char *existing = g_build_filename (dir, "existing.png", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *not_a_dir = g_build_filename (existing, "x.png", NULL);
  EnvelopeExportOptions options;
  GDir *listing;
  guint n_files = 0;
  EnvelopeExportFormat format;

  envelope_export_options_init (&options);

  g_assert_false (envelope_export_to_file (fixture->diagram, fixture->layout, &fixture->options, &options,
                                           "/nonexistent-envelope-dir/diagram.png", &error));
  g_assert_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "/nonexistent-envelope-dir/diagram.png"));
  g_clear_error (&error);

  g_assert_false (envelope_export_to_file (fixture->diagram, fixture->layout, &fixture->options, &options, dir, &error));
  g_assert_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (existing, "original", -1, NULL));
  g_assert_false (envelope_export_to_file (fixture->diagram, fixture->layout, &fixture->options, &options, not_a_dir, &error));
  g_assert_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  /* too large an image fails after the temporary file exists */
  options.scale = 64;
  g_assert_false (envelope_export_to_file (fixture->diagram, fixture->layout, &fixture->options, &options, existing, &error));
  g_assert_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "original");
  g_clear_pointer (&contents, g_free);

  /* a good export replaces it */
  options.scale = 1;
  g_assert_true (envelope_export_to_file (fixture->diagram, fixture->layout, &fixture->options, &options, existing, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents + 1, "PNG"));

  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_dir_close (listing);
  g_assert_cmpuint (n_files, ==, 1);

  g_assert_true (envelope_export_format_from_path ("a/b.SVG", &format) && format == ENVELOPE_EXPORT_SVG);
  g_assert_true (envelope_export_format_from_path ("b.pdf", &format) && format == ENVELOPE_EXPORT_PDF);
  g_assert_false (envelope_export_format_from_path ("b.jpeg", &format));
  g_assert_false (envelope_export_format_from_path ("dir.png/b", &format));

  g_unlink (existing);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/render/export/png", Fixture, "resnet18.json", fixture_set_up, test_png, fixture_tear_down);
  g_test_add ("/render/export/svg", Fixture, "googlenet.json", fixture_set_up, test_svg, fixture_tear_down);
  g_test_add ("/render/export/svg/text/mnist", Fixture, "mnist.json", fixture_set_up, test_svg_text, fixture_tear_down);
  g_test_add ("/render/export/svg/text/vgg16", Fixture, "vgg16.json", fixture_set_up, test_svg_text, fixture_tear_down);
  g_test_add ("/render/export/svg/text/resnet50", Fixture, "resnet50.json", fixture_set_up, test_svg_text,
              fixture_tear_down);
  g_test_add ("/render/export/svg/text/googlenet", Fixture, "googlenet.json", fixture_set_up, test_svg_text,
              fixture_tear_down);
  g_test_add_func ("/render/export/svg/escaping", test_svg_escaping);
  g_test_add_func ("/render/export/svg/overlays", test_svg_overlays);
  g_test_add_func ("/render/export/svg/overlays/tokens", test_svg_overlays_tokens);
  g_test_add_func ("/render/export/svg/overlays/video", test_svg_overlays_video);
  g_test_add_func ("/render/export/totals-unknown", test_totals_unknown);
  g_test_add ("/render/export/pdf/vgg16", Fixture, "vgg16.json", fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add ("/render/export/pdf/resnet18", Fixture, "resnet18.json", fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add ("/render/export/errors", Fixture, "mnist.json", fixture_set_up, test_errors, fixture_tear_down);

  return g_test_run ();
}
