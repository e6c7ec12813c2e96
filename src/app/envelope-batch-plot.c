/* envelope-batch-plot.c
 *
 * The curve is sampled from the core (envelope_analysis_train_bytes_at)
 * when the analysis changes; drawing only maps bytes and batches to
 * pixels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-batch-plot"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "envelope-batch-plot.h"
#include "envelope-format.h"
#include "envelope-settings.h"

#define N_SAMPLES 33

struct _EnvelopeBatchPlot
{
  GtkDrawingArea parent_instance;

  gboolean valid;
  guint64 batches[N_SAMPLES];
  guint64 bytes[N_SAMPLES];
  guint64 lecture[N_SAMPLES];  /* the lecture's model beside PyTorch's, or all 0 */
  guint n_samples;
  guint64 batch;             /* the chosen one … */
  guint64 batch_bytes;       /* … and what it takes */
  guint64 device_memory;     /* 0: no GPU */
  guint64 budget;            /* device memory less the reserve */
  guint64 max_batch;
  char *device;
};

G_DEFINE_FINAL_TYPE (EnvelopeBatchPlot, envelope_batch_plot, GTK_TYPE_DRAWING_AREA)

static void
text_color (GtkWidget *widget,
            cairo_t   *cr,
            double     alpha)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * alpha);
}

static double
text_width (GtkWidget  *widget,
            const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  int w, h;

  pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * 0.85));
  pango_layout_set_font_description (layout, font);
  pango_layout_get_pixel_size (layout, &w, &h);
  pango_font_description_free (font);
  g_object_unref (layout);
  return w;
}

static void
show_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      xalign,
           double      yalign,
           gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  int w, h;

  pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * 0.85));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - xalign * w), round (y - yalign * h));
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
draw (GtkDrawingArea *area,
      cairo_t        *cr,
      int             width,
      int             height,
      gpointer        user_data)
{
  EnvelopeBatchPlot *self = ENVELOPE_BATCH_PLOT (area);
  GtkWidget *widget = GTK_WIDGET (area);
  double left = 40, right = 16, top = 12, bottom = 30;
  double plot_w = width - left - right, plot_h = height - top - bottom;
  double max_x, max_y, x_step, y_step;
  gboolean dark;
  GdkRGBA accent, danger;

  if (!self->valid || self->n_samples < 2 || plot_w <= 0 || plot_h <= 0)
    {
      text_color (widget, cr, 0.6);
      show_text (widget, cr, _("No figures"), width / 2.0, height / 2.0, 0.5, 0.5, FALSE);
      return;
    }

  /* libadwaita's accent and error colours, which read on its light and
   * dark backgrounds alike. */
  dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  gdk_rgba_parse (&accent, dark ? "#78aeed" : "#1c71d8");
  gdk_rgba_parse (&danger, dark ? "#ff7b63" : "#c01c28");

  max_x = (double) self->batches[self->n_samples - 1];
  max_y = (double) self->bytes[self->n_samples - 1];
  if (self->device_memory > 0)
    max_y = MAX (max_y, (double) self->device_memory);
  max_y *= 1.08;
  if (max_y <= 0)
    max_y = 1;

  /* Room on the left for the longest byte label. */
  y_step = envelope_axis_byte_step (max_y, 4, envelope_settings_get_units ());
  x_step = MAX (1, envelope_axis_step (max_x, 4));
  for (double v = 0; v <= max_y; v += y_step)
    {
      g_autofree char *label = envelope_settings_format_bytes ((guint64) v);
      left = MAX (left, text_width (widget, label) + 12);
    }
  plot_w = width - left - right;

#define PX(b) (left + plot_w * ((double) (b) / max_x))
#define PY(v) (top + plot_h * (1.0 - (double) (v) / max_y))

  /* Axes and a few grid lines, labelled in the core's units. */
  cairo_set_line_width (cr, 1);
  for (double v = 0; v <= max_y; v += y_step)
    {
      g_autofree char *label = envelope_settings_format_bytes ((guint64) v);

      text_color (widget, cr, 0.12);
      cairo_move_to (cr, left, round (PY (v)) + 0.5);
      cairo_line_to (cr, left + plot_w, round (PY (v)) + 0.5);
      cairo_stroke (cr);
      text_color (widget, cr, 0.7);
      show_text (widget, cr, label, left - 6, PY (v), 1.0, 0.5, FALSE);
    }
  for (double b = 0; b <= max_x; b += x_step)
    {
      g_autofree char *label = envelope_format_count ((guint64) b);

      text_color (widget, cr, 0.7);
      show_text (widget, cr, label, PX (b), top + plot_h + 4, b == 0 ? 0.0 : 0.5, 0.0, FALSE);
    }
  text_color (widget, cr, 0.7);
  show_text (widget, cr, _("batch"), left + plot_w, top + plot_h + 16, 1.0, 0.0, FALSE);

  /* The GPU's memory, and the budget under it when some is reserved. */
  if (self->device_memory > 0)
    {
      g_autofree char *size = envelope_settings_format_bytes (self->device_memory);
      g_autofree char *label = g_strdup_printf ("%s: %s", self->device ? self->device : _("GPU memory"), size);

      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, (double[]) { 5, 3 }, 2, 0);
      cairo_move_to (cr, left, PY (self->device_memory));
      cairo_line_to (cr, left + plot_w, PY (self->device_memory));
      cairo_stroke (cr);
      if (self->budget != self->device_memory)
        {
          cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 0.5);
          cairo_move_to (cr, left, PY (self->budget));
          cairo_line_to (cr, left + plot_w, PY (self->budget));
          cairo_stroke (cr);
        }
      cairo_set_dash (cr, NULL, 0, 0);
      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 1);
      show_text (widget, cr, label, left + 6, PY (self->device_memory) - 3, 0.0, 1.0, TRUE);
    }

  /* Train-time memory against the batch. */
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.18);
  cairo_move_to (cr, PX (self->batches[0]), PY (0));
  for (guint i = 0; i < self->n_samples; i++)
    cairo_line_to (cr, PX (self->batches[i]), PY (self->bytes[i]));
  cairo_line_to (cr, PX (self->batches[self->n_samples - 1]), PY (0));
  cairo_close_path (cr);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_set_line_width (cr, 2);
  for (guint i = 0; i < self->n_samples; i++)
    cairo_line_to (cr, PX (self->batches[i]), PY (self->bytes[i]));
  cairo_stroke (cr);

  /* The lecture's model, for comparison: dashed, and cut at the top */
  if (self->lecture[self->n_samples - 1] > 0)
    {
      cairo_save (cr);
      cairo_rectangle (cr, left, top, plot_w, plot_h);
      cairo_clip (cr);
      text_color (widget, cr, 0.55);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, (double[]) { 2, 3 }, 2, 0);
      for (guint i = 0; i < self->n_samples; i++)
        cairo_line_to (cr, PX (self->batches[i]), PY (self->lecture[i]));
      cairo_stroke (cr);
      cairo_restore (cr);
      {
        guint last = 0;

        for (guint i = 0; i < self->n_samples; i++)
          if ((double) self->lecture[i] <= max_y)
            last = i;
        text_color (widget, cr, 0.7);
        show_text (widget, cr, _("lecture's model"), PX (self->batches[last]) - 4, PY (self->lecture[last]) - 2,
                   1.0, 1.0, FALSE);
      }
    }

  /* Where the chosen batch is, and where the GPU runs out. */
  if (self->max_batch > 0 && (double) self->max_batch <= max_x)
    {
      g_autofree char *count = envelope_format_count (self->max_batch);
      g_autofree char *label = g_strdup_printf (_("max %s"), count);

      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 1);
      cairo_arc (cr, PX (self->max_batch), PY (self->budget), 4, 0, 2 * G_PI);
      cairo_fill (cr);
      show_text (widget, cr, label, PX (self->max_batch) - 6, PY (self->budget) + 4, 1.0, 0.0, TRUE);
    }
  if ((double) self->batch <= max_x)
    {
      g_autofree char *count = envelope_format_count (self->batch);
      g_autofree char *size = envelope_settings_format_bytes (self->batch_bytes);
      g_autofree char *label = g_strdup_printf (_("batch %s: %s"), count, size);
      double x = PX (self->batch), y = PY (self->batch_bytes);

      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_arc (cr, x, y, 4.5, 0, 2 * G_PI);
      cairo_fill (cr);
      text_color (widget, cr, 1.0);
      show_text (widget, cr, label, x + (x > left + plot_w * 0.6 ? -8 : 8), y - 10,
                 x > left + plot_w * 0.6 ? 1.0 : 0.0, 1.0, TRUE);
    }
#undef PX
#undef PY
}

static void
envelope_batch_plot_finalize (GObject *object)
{
  EnvelopeBatchPlot *self = ENVELOPE_BATCH_PLOT (object);

  g_free (self->device);
  G_OBJECT_CLASS (envelope_batch_plot_parent_class)->finalize (object);
}

static void
envelope_batch_plot_class_init (EnvelopeBatchPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = envelope_batch_plot_finalize;
  gtk_widget_class_set_css_name (widget_class, "envelope-batch-plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
envelope_batch_plot_init (EnvelopeBatchPlot *self)
{
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self), 200);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self), 320);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw, NULL, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Train-time memory against the batch size"), -1);
  envelope_settings_watch ("units", G_CALLBACK (gtk_widget_queue_draw), self);
}

GtkWidget *
envelope_batch_plot_new (void)
{
  return g_object_new (ENVELOPE_TYPE_BATCH_PLOT, NULL);
}

/* Samples the curve from batch 0 to past the chosen batch and the
 * largest that fits, whichever is further. */
void
envelope_batch_plot_set_analysis (EnvelopeBatchPlot      *self,
                                  const EnvelopeAnalysis *analysis)
{
  const EnvelopeMemory *memory;
  const EnvelopeFit *fit;
  guint64 end;

  g_return_if_fail (ENVELOPE_IS_BATCH_PLOT (self));

  self->valid = FALSE;
  self->n_samples = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (analysis == NULL)
    return;

  memory = envelope_analysis_get_memory (analysis);
  fit = envelope_analysis_get_fit (analysis);
  self->batch = memory->batch;
  self->batch_bytes = memory->model == ENVELOPE_MEMORY_MODEL_PYTORCH ? memory->pytorch.peak.total : memory->train_total;
  self->device_memory = fit->device_memory;
  self->budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;
  self->max_batch = fit->max_batch;
  g_free (self->device);
  self->device = g_strdup (fit->device);

  end = MAX (memory->batch * 2, 8);
  if (fit->device_memory > 0 && fit->max_batch > 0)
    end = MAX (end, fit->max_batch + fit->max_batch / 4);
  if (fit->target_batch > end)
    end = fit->target_batch;

  for (guint i = 0; i < N_SAMPLES; i++)
    {
      guint64 b = end * i / (N_SAMPLES - 1);

      if (!envelope_analysis_train_bytes_at (analysis, b, &self->bytes[i]))
        return;
      self->lecture[i] = 0;
      if (memory->model == ENVELOPE_MEMORY_MODEL_PYTORCH &&
          !envelope_analysis_lecture_bytes_at (analysis, b, &self->lecture[i]))
        return;
      self->batches[i] = b;
    }
  self->n_samples = N_SAMPLES;
  self->valid = TRUE;
}
