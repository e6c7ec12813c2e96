/* envelope-export.c: Cairo's surfaces and Envelope's SVG, every status checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "envelope-export.h"
#include "envelope-painter.h"
#include "envelope-timeline.h"

G_DEFINE_QUARK (envelope-export-error-quark, envelope_export_error)

/* Cairo's image surfaces stop at 32,767 pixels a side. */
#define MAX_IMAGE_SIDE 32767

void
envelope_export_options_init (EnvelopeExportOptions *options)
{
  g_return_if_fail (options != NULL);

  options->format = ENVELOPE_EXPORT_PNG;
  options->scale = 2.0;
}

/* The format a file name asks for by its extension, in any case. */
gboolean
envelope_export_format_from_path (const char           *path,
                                  EnvelopeExportFormat *format)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FALSE;
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    *format = ENVELOPE_EXPORT_PNG;
  else if (g_ascii_strcasecmp (dot, ".svg") == 0)
    *format = ENVELOPE_EXPORT_SVG;
  else if (g_ascii_strcasecmp (dot, ".pdf") == 0)
    *format = ENVELOPE_EXPORT_PDF;
  else
    return FALSE;
  return TRUE;
}

static double
export_scale (const EnvelopeExportOptions *options)
{
  return options->scale > 0 && isfinite (options->scale) ? options->scale : 2.0;
}

/**
 * envelope_export_get_size:
 *
 * The size of the file's page: pixels for a PNG, points for SVG and PDF.
 */
void
envelope_export_get_size (const EnvelopeDiagram       *diagram,
                          const EnvelopeLayout        *layout,
                          const EnvelopeRenderOptions *render_options,
                          const EnvelopeExportOptions *options,
                          double                      *width,
                          double                      *height)
{
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
  double w, h;

  envelope_renderer_get_page_size (renderer, diagram, layout, render_options, &w, &h);
  if (options->format == ENVELOPE_EXPORT_PNG)
    {
      w = ceil (w * export_scale (options));
      h = ceil (h * export_scale (options));
    }
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

/* Where Cairo's stream goes: a file descriptor or memory. */
typedef struct
{
  int fd;
  GByteArray *bytes;
  int saved_errno;
} Sink;

static cairo_status_t
sink_write (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  Sink *sink = closure;

  if (sink->bytes != NULL)
    {
      g_byte_array_append (sink->bytes, data, length);
      return CAIRO_STATUS_SUCCESS;
    }
  while (length > 0)
    {
      ssize_t written = write (sink->fd, data, length);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          sink->saved_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += written;
      length -= (unsigned int) written;
    }
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
check_status (cairo_status_t  status,
              const Sink     *sink,
              const char     *name,
              GError        **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  if (status == CAIRO_STATUS_WRITE_ERROR && sink->saved_errno != 0)
    g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_WRITE,
                 _("Cannot write “%s”: %s"), name, g_strerror (sink->saved_errno));
  else
    g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_DRAW,
                 _("Cannot draw “%s”: %s"), name, cairo_status_to_string (status));
  return FALSE;
}

/* What is drawn: a diagram's page, or a timeline's. */
typedef struct
{
  double width;
  double height;
  const char *title;
  void (*draw) (cairo_t *cr, double scale, gconstpointer data);
  /* through any backend: an SVG that keeps its text (or NULL: Cairo's
   * SVG surface) */
  void (*paint) (EnvelopePainter *painter, double scale, gconstpointer data);
  gconstpointer data;
} Page;

typedef struct
{
  const EnvelopeDiagram *diagram;
  const EnvelopeLayout *layout;
  const EnvelopeRenderOptions *render_options;
} DiagramPage;

static void
draw_diagram (cairo_t      *cr,
              double        scale,
              gconstpointer data)
{
  const DiagramPage *page = data;
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();

  envelope_renderer_draw_page (renderer, cr, page->diagram, page->layout, page->render_options, scale);
}

static void
paint_diagram (EnvelopePainter *painter,
               double           scale,
               gconstpointer    data)
{
  const DiagramPage *page = data;
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();

  envelope_renderer_paint_page (renderer, painter, page->diagram, page->layout, page->render_options, scale);
}

static void
diagram_page (Page                        *page,
              DiagramPage                 *diagram_page,
              const EnvelopeDiagram       *diagram,
              const EnvelopeLayout        *layout,
              const EnvelopeRenderOptions *render_options)
{
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();

  diagram_page->diagram = diagram;
  diagram_page->layout = layout;
  diagram_page->render_options = render_options;
  envelope_renderer_get_page_size (renderer, diagram, layout, render_options, &page->width, &page->height);
  page->title = envelope_diagram_get_title (diagram);
  page->draw = draw_diagram;
  page->paint = paint_diagram;
  page->data = diagram_page;
}

static void
draw_timeline (cairo_t      *cr,
               double        scale,
               gconstpointer data)
{
  envelope_timeline_draw (data, cr, ENVELOPE_TIMELINE_PAGE_WIDTH, ENVELOPE_TIMELINE_PAGE_HEIGHT);
}

static void
paint_timeline (EnvelopePainter *painter,
                double           scale,
                gconstpointer    data)
{
  envelope_timeline_paint (data, painter, ENVELOPE_TIMELINE_PAGE_WIDTH, ENVELOPE_TIMELINE_PAGE_HEIGHT);
}

static gboolean
draw_to_surface (cairo_surface_t *surface,
                 const Page      *page,
                 double           scale,
                 const Sink      *sink,
                 const char      *name,
                 GError         **error)
{
  cairo_t *cr;
  cairo_status_t status;

  if (!check_status (cairo_surface_status (surface), sink, name, error))
    return FALSE;
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  page->draw (cr, scale, page->data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  return check_status (status, sink, name, error);
}

/* Envelope's own SVG: text as <text>, written out in one piece. */
static gboolean
render_svg (const Page *page,
            Sink       *sink,
            const char *name,
            GError    **error)
{
  EnvelopePainter *painter = envelope_svg_painter_new (page->width, page->height, page->title);
  cairo_status_t status;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const guint8 *data;

  page->paint (painter, 1.0, page->data);
  status = cairo_status (painter->cr);
  bytes = envelope_svg_painter_finish (painter);
  if (!check_status (status, sink, name, error))
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  /* a sink takes at most 4 GiB a call */
  while (length > 0)
    {
      unsigned int chunk = (unsigned int) MIN (length, G_MAXUINT32 / 2);

      if (!check_status (sink_write (sink, data, chunk), sink, name, error))
        return FALSE;
      data += chunk;
      length -= chunk;
    }
  return TRUE;
}

static gboolean
render (const Page                  *page,
        const EnvelopeExportOptions *options,
        Sink                        *sink,
        const char                  *name,
        GError                     **error)
{
  cairo_surface_t *surface = NULL;
  double width = page->width, height = page->height;
  gboolean ok;

  switch (options->format)
    {
    case ENVELOPE_EXPORT_PNG:
      {
        double scale = export_scale (options);
        double pixels_w = ceil (width * scale), pixels_h = ceil (height * scale);

        if (pixels_w > MAX_IMAGE_SIDE || pixels_h > MAX_IMAGE_SIDE)
          {
            g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_TOO_LARGE,
                         _("Cannot write “%s”: the image would be %.0f × %.0f pixels, more than the "
                           "%d a side an image can have; fit it to a slide (wrapped into rows, its groups "
                           "collapsed), lower the scale, or export SVG or PDF"),
                         name, pixels_w, pixels_h, MAX_IMAGE_SIDE);
            return FALSE;
          }
        surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) pixels_w, (int) pixels_h);
        ok = draw_to_surface (surface, page, scale, sink, name, error) &&
             check_status (cairo_surface_write_to_png_stream (surface, sink_write, sink), sink, name, error);
        cairo_surface_destroy (surface);
        return ok;
      }

    case ENVELOPE_EXPORT_SVG:
      if (page->paint != NULL)
        return render_svg (page, sink, name, error);
      surface = cairo_svg_surface_create_for_stream (sink_write, sink, width, height);
      if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PT);
      break;

    case ENVELOPE_EXPORT_PDF:
      surface = cairo_pdf_surface_create_for_stream (sink_write, sink, width, height);
      if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        {
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, page->title);
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Envelope " PACKAGE_VERSION);
        }
      break;

    default:
      g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_FORMAT,
                   _("Cannot write “%s”: unknown format"), name);
      return FALSE;
    }

  /* vector output: one point is one world unit, and all text is kept */
  ok = draw_to_surface (surface, page, 1.0, sink, name, error);
  cairo_surface_finish (surface);
  ok = ok && check_status (cairo_surface_status (surface), sink, name, error);
  cairo_surface_destroy (surface);
  return ok;
}

/**
 * envelope_export_to_bytes:
 *
 * The file's contents in memory (for the clipboard, or tests).
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with @error set
 */
GBytes *
envelope_export_to_bytes (const EnvelopeDiagram       *diagram,
                          const EnvelopeLayout        *layout,
                          const EnvelopeRenderOptions *render_options,
                          const EnvelopeExportOptions *options,
                          GError                     **error)
{
  Sink sink = { -1, g_byte_array_new (), 0 };
  DiagramPage diagram_data;
  Page page;

  g_return_val_if_fail (diagram != NULL && layout != NULL && render_options != NULL && options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  diagram_page (&page, &diagram_data, diagram, layout, render_options);
  if (!render (&page, options, &sink, _("the export"), error))
    {
      g_byte_array_unref (sink.bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (sink.bytes);
}

static gboolean
write_error (GError    **error,
             const char *path,
             int         saved_errno)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_WRITE,
               _("Cannot write “%s”: %s"), display, g_strerror (saved_errno));
  return FALSE;
}

/**
 * envelope_export_to_file:
 * @path: where to write; the format follows @options, not the name
 *
 * Writes to a temporary file beside @path and renames it over @path, so
 * that a failed export leaves an existing file as it was.
 *
 * Returns: whether the file was written; %FALSE with @error set
 */
static gboolean
page_to_file (const Page                  *page,
              const EnvelopeExportOptions *options,
              const char                  *path,
              GError                     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *template = NULL;
  g_autofree char *display = NULL;
  Sink sink = { -1, NULL, 0 };
  gboolean ok;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return write_error (error, path, EISDIR);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  template = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  display = g_filename_display_name (path);

  sink.fd = g_mkstemp_full (template, O_RDWR, 0666);
  if (sink.fd < 0)
    return write_error (error, path, errno);

  ok = render (page, options, &sink, display, error);

  /* like g_file_set_contents_full (…CONSISTENT): make the data durable
   * before it replaces a file that exists */
  if (ok && g_file_test (path, G_FILE_TEST_EXISTS) && fsync (sink.fd) != 0)
    ok = write_error (error, path, errno);
  if (close (sink.fd) != 0 && ok)
    ok = write_error (error, path, errno);
  if (ok && g_rename (template, path) != 0)
    ok = write_error (error, path, errno);
  if (!ok)
    g_unlink (template);
  return ok;
}

gboolean
envelope_export_to_file (const EnvelopeDiagram       *diagram,
                         const EnvelopeLayout        *layout,
                         const EnvelopeRenderOptions *render_options,
                         const EnvelopeExportOptions *options,
                         const char                  *path,
                         GError                     **error)
{
  DiagramPage diagram_data;
  Page page;

  g_return_val_if_fail (diagram != NULL && layout != NULL && render_options != NULL && options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  diagram_page (&page, &diagram_data, diagram, layout, render_options);
  return page_to_file (&page, options, path, error);
}

/**
 * envelope_export_timeline_to_file:
 * @path: where to write, atomically as a diagram is
 *
 * The memory of one training step as a 16:9 figure.
 *
 * Returns: whether the file was written; %FALSE with @error set
 */
gboolean
envelope_export_timeline_to_file (const EnvelopeTimeline      *timeline,
                                  const char                  *title,
                                  const EnvelopeExportOptions *options,
                                  const char                  *path,
                                  GError                     **error)
{
  Page page = { ENVELOPE_TIMELINE_PAGE_WIDTH, ENVELOPE_TIMELINE_PAGE_HEIGHT, title, draw_timeline, paint_timeline, timeline };

  g_return_val_if_fail (timeline != NULL && options != NULL && path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return page_to_file (&page, options, path, error);
}
