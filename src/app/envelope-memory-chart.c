/* envelope-memory-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-memory-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-memory-chart.h"
#include "envelope-timeline.h"

struct _EnvelopeMemoryChart
{
  GtkDrawingArea parent_instance;

  guint64 terms[ENVELOPE_N_STEP_TERMS];   /* the lecture's six, or PyTorch's seven at the peak */
  guint n_terms;
  EnvelopeMemoryModel model;
  guint64 total;
};

G_DEFINE_FINAL_TYPE (EnvelopeMemoryChart, envelope_memory_chart, GTK_TYPE_DRAWING_AREA)

/* GNOME's palette: distinct in both themes, and in the same order as
 * the terms are listed beside the bar. */
void
envelope_memory_term_get_color (EnvelopeMemoryTerm  term,
                                GdkRGBA            *color)
{
  static const char *const colors[ENVELOPE_N_MEMORY_TERMS] = {
    "#3584e4",   /* parameters: blue */
    "#9141ac",   /* gradients: purple */
    "#e66100",   /* optimizer state: orange */
    "#2ec27e",   /* layer outputs: green */
    "#f6d32d",   /* error signals: yellow */
    "#865e3c",   /* workspace: brown */
  };

  g_return_if_fail (term < ENVELOPE_N_MEMORY_TERMS);
  gdk_rgba_parse (color, colors[term]);
}

static void
draw (GtkDrawingArea *area,
      cairo_t        *cr,
      int             width,
      int             height,
      gpointer        user_data)
{
  EnvelopeMemoryChart *self = ENVELOPE_MEMORY_CHART (area);
  double x = 0, radius = 6;

  /* The bar's ends are rounded: clip to a rounded rectangle. */
  cairo_new_sub_path (cr);
  cairo_arc (cr, width - radius, radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, width - radius, height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, radius, height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, radius, radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cairo_clip (cr);

  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.15);
  cairo_paint (cr);
  if (self->total == 0)
    return;

  for (guint t = 0; t < self->n_terms; t++)
    {
      double w = width * ((double) self->terms[t] / (double) self->total);
      GdkRGBA color = { 0, 0, 0, 1 };

      if (w <= 0)
        continue;
      if (self->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
        {
          double rgb[3];
          envelope_timeline_get_color (t, rgb);
          color.red = rgb[0], color.green = rgb[1], color.blue = rgb[2];
        }
      else
        envelope_memory_term_get_color (t, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_rectangle (cr, x, 0, w, height);
      cairo_fill (cr);
      /* A hairline between terms, so that neighbours stay apart. */
      if (x > 0)
        {
          cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
          cairo_rectangle (cr, x - 0.5, 0, 1, height);
          cairo_fill (cr);
        }
      x += w;
    }
}

static void
envelope_memory_chart_class_init (EnvelopeMemoryChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_css_name (widget_class, "envelope-memory-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
envelope_memory_chart_init (EnvelopeMemoryChart *self)
{
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self), 28);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self), 320);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw, NULL, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Train-time memory by term"), -1);
}

GtkWidget *
envelope_memory_chart_new (void)
{
  return g_object_new (ENVELOPE_TYPE_MEMORY_CHART, NULL);
}

void
envelope_memory_chart_set_memory (EnvelopeMemoryChart  *self,
                                  const EnvelopeMemory *memory)
{
  g_return_if_fail (ENVELOPE_IS_MEMORY_CHART (self));

  memset (self->terms, 0, sizeof self->terms);
  self->total = 0;
  self->n_terms = 0;
  if (memory != NULL && memory->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      G_STATIC_ASSERT (sizeof self->terms == sizeof memory->pytorch.peak.bytes);
      memcpy (self->terms, memory->pytorch.peak.bytes, sizeof self->terms);
      self->n_terms = ENVELOPE_N_STEP_TERMS;
      self->total = memory->pytorch.peak.total;
    }
  else if (memory != NULL)
    {
      memcpy (self->terms, memory->train, sizeof memory->train);
      self->n_terms = ENVELOPE_N_MEMORY_TERMS;
      self->total = memory->train_total;
    }
  if (memory != NULL)
    self->model = memory->model;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
