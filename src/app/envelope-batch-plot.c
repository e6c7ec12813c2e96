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
  double max_y;              /* the top of the byte axis */
  char *device;
  GArray *label_boxes;       /* graphene_rect_t: the labels last drawn */
  GArray *curve_points;      /* graphene_point_t: the curves, NAN between */
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

/* ------------------------------------------------------------------ */
/* Scales                                                              */

/* How far the batch axis goes.  With a GPU, the largest batch that fits
 * sits in the middle third: at half the axis, or further left (never
 * past a third) to bring the chosen batch in.  Without one, the chosen
 * batch is in the middle. */
guint64
envelope_batch_plot_batch_range (const EnvelopeBatchPlotFigures *figures)
{
  guint64 end;

  g_return_val_if_fail (figures != NULL, 8);

  if (figures->device_memory > 0 && figures->max_batch > 0)
    {
      guint64 wanted = figures->batch + figures->batch / 10 + 1;

      end = MAX (figures->max_batch * 2, MIN (wanted, figures->max_batch * 29 / 10));
    }
  else
    end = figures->batch * 2;
  return MAX (end, 8);
}

/* How far the byte axis goes, the curve being @bytes_at_end at the end
 * of the batch axis.  With a GPU, its memory line sits in the middle
 * third: at half the axis, or lower (never under a third) to bring the
 * curve in; the curve beyond is cut at the top.  Without one, the
 * curve's end with a little room above it. */
double
envelope_batch_plot_byte_range (const EnvelopeBatchPlotFigures *figures,
                                guint64                         bytes_at_end)
{
  double top;

  g_return_val_if_fail (figures != NULL, 1);

  if (figures->device_memory > 0)
    {
      double device = (double) figures->device_memory;

      top = MAX (device * 2, MIN ((double) bytes_at_end * 1.08, device * 2.9));
    }
  else
    top = MAX ((double) bytes_at_end, (double) figures->batch_bytes) * 1.08;
  return top > 0 ? top : 1;
}

/* ------------------------------------------------------------------ */
/* Labels that keep clear of each other and of the curves              */

typedef struct
{
  double x, y;           /* the point it names */
  double dx, dy;         /* where its box's anchor is from there */
  double xalign, yalign; /* the anchor's place in its box */
} Spot;

static double
text_height (GtkWidget *widget)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, "Mg");
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  int w, h;

  pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * 0.85));
  pango_layout_set_font_description (layout, font);
  pango_layout_get_pixel_size (layout, &w, &h);
  pango_font_description_free (font);
  g_object_unref (layout);
  return h;
}

/* Whether the segment @a–@b crosses @box (Liang–Barsky clipping). */
static gboolean
segment_meets_box (const graphene_point_t *a,
                   const graphene_point_t *b,
                   const graphene_rect_t  *box)
{
  double t0 = 0, t1 = 1;
  double dx = b->x - a->x, dy = b->y - a->y;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { a->x - box->origin.x, box->origin.x + box->size.width - a->x,
                  a->y - box->origin.y, box->origin.y + box->size.height - a->y };

  for (guint i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
        }
      else
        {
          double t = q[i] / p[i];

          if (p[i] < 0)
            t0 = MAX (t0, t);
          else
            t1 = MIN (t1, t);
          if (t0 > t1)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
box_is_free (EnvelopeBatchPlot     *self,
             const graphene_rect_t *box,
             const graphene_rect_t *area)
{
  graphene_rect_t padded;

  if (!graphene_rect_contains_rect (area, box))
    return FALSE;
  graphene_rect_inset_r (box, -2, -2, &padded);
  for (guint i = 0; i < self->label_boxes->len; i++)
    if (graphene_rect_intersection (&padded, &g_array_index (self->label_boxes, graphene_rect_t, i), NULL))
      return FALSE;
  for (guint i = 1; i < self->curve_points->len; i++)
    {
      const graphene_point_t *a = &g_array_index (self->curve_points, graphene_point_t, i - 1);
      const graphene_point_t *b = &g_array_index (self->curve_points, graphene_point_t, i);

      if (!isnan (a->x) && !isnan (b->x) && segment_meets_box (a, b, &padded))
        return FALSE;
    }
  return TRUE;
}

/* Draws @text at the first of @spots where it meets no other label and
 * no curve and stays in @area; at none, at the free place nearest the
 * point it names (@spots[0]'s), with a thin line to it; where there is
 * none at all, it is left out (the figures are in the lines under the
 * plot and in the totals). */
static gboolean
place_label (EnvelopeBatchPlot     *self,
             cairo_t               *cr,
             const char            *text,
             gboolean               bold,
             const Spot            *spots,
             guint                  n_spots,
             const graphene_rect_t *area)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double w = text_width (widget, text) + (bold ? 4 : 0);
  double h = text_height (widget);
  graphene_rect_t best = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  double best_distance = G_MAXDOUBLE;

  for (guint i = 0; i < n_spots; i++)
    {
      const Spot *s = &spots[i];
      double x = round (s->x + s->dx - s->xalign * w);
      double y = round (s->y + s->dy - s->yalign * h);
      graphene_rect_t box = GRAPHENE_RECT_INIT (x, y, w, h);

      if (box_is_free (self, &box, area))
        {
          show_text (widget, cr, text, x, y, 0, 0, bold);
          g_array_append_val (self->label_boxes, box);
          return TRUE;
        }
    }
  if (n_spots == 0)
    return FALSE;

  /* every place on a grid over the plot, the nearest free one */
  for (double y = area->origin.y; y + h <= area->origin.y + area->size.height; y += 4)
    for (double x = area->origin.x; x + w <= area->origin.x + area->size.width; x += 8)
      {
        graphene_rect_t box = GRAPHENE_RECT_INIT (x, y, w, h);
        double cx = CLAMP (spots[0].x, x, x + w), cy = CLAMP (spots[0].y, y, y + h);
        double distance = hypot (cx - spots[0].x, cy - spots[0].y);

        if (distance < best_distance && box_is_free (self, &box, area))
          {
            best = box;
            best_distance = distance;
          }
      }
  if (best_distance == G_MAXDOUBLE)
    return FALSE;
  show_text (widget, cr, text, best.origin.x, best.origin.y, 0, 0, bold);
  g_array_append_val (self->label_boxes, best);
  {
    /* a leader from the point to the label's nearest edge */
    double cx = CLAMP (spots[0].x, best.origin.x, best.origin.x + best.size.width);
    double cy = CLAMP (spots[0].y, best.origin.y, best.origin.y + best.size.height);

    cairo_save (cr);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, spots[0].x, spots[0].y);
    cairo_line_to (cr, cx, cy);
    cairo_stroke (cr);
    cairo_restore (cr);
  }
  return TRUE;
}

/* Places around a point on a rising curve, the sides it leaves free
 * first (above left, below right), nearest first. */
static guint
spots_around (double  x,
              double  y,
              double  gap,
              Spot   *spots)
{
  /* above left, below right, above right, below left; then further */
  static const double around[][4] = {
    { -1, -1, 1, 1 }, { 1, 1, 0, 0 }, { 1, -1, 0, 1 }, { -1, 1, 1, 0 },
  };
  guint n = 0;

  for (guint far = 0; far < 3; far++)
    for (guint i = 0; i < G_N_ELEMENTS (around); i++)
      {
        double d = gap * (1 + 2.5 * far);

        spots[n++] = (Spot) { x, y, around[i][0] * d, around[i][1] * d, around[i][2], around[i][3] };
      }
  return n;
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
  graphene_rect_t plot_area;
  Spot spots[16];
  gboolean dark;
  GdkRGBA accent, danger;

  g_array_set_size (self->label_boxes, 0);
  g_array_set_size (self->curve_points, 0);
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
  max_y = self->max_y;

  /* Room on the left for the longest byte label. */
  y_step = envelope_axis_byte_step (max_y, 4, envelope_settings_get_units ());
  x_step = MAX (1, envelope_axis_step (max_x, 4));
  for (double v = 0; v <= max_y; v += y_step)
    {
      g_autofree char *label = envelope_settings_format_bytes ((guint64) v);
      left = MAX (left, text_width (widget, label) + 12);
    }
  plot_w = width - left - right;
  plot_area = GRAPHENE_RECT_INIT (left, top, plot_w, plot_h);

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

      /* a last tick whose label would run off the edge goes unlabelled */
      if (b > 0 && PX (b) + text_width (widget, label) / 2 > width)
        continue;
      text_color (widget, cr, 0.7);
      show_text (widget, cr, label, PX (b), top + plot_h + 4, b == 0 ? 0.0 : 0.5, 0.0, FALSE);
    }
  text_color (widget, cr, 0.7);
  show_text (widget, cr, _("batch"), left + plot_w, top + plot_h + 16, 1.0, 0.0, FALSE);

  /* The curves, in pixels, cut at the top of the plot, so that labels
   * can keep clear of them. */
  for (guint i = 0; i < self->n_samples; i++)
    {
      graphene_point_t p = GRAPHENE_POINT_INIT (PX (self->batches[i]), MAX (top, PY (self->bytes[i])));
      g_array_append_val (self->curve_points, p);
    }
  if (self->lecture[self->n_samples - 1] > 0)
    {
      graphene_point_t gap = GRAPHENE_POINT_INIT (NAN, NAN);

      g_array_append_val (self->curve_points, gap);
      for (guint i = 0; i < self->n_samples; i++)
        {
          graphene_point_t p = GRAPHENE_POINT_INIT (PX (self->batches[i]), MAX (top, PY (self->lecture[i])));
          g_array_append_val (self->curve_points, p);
        }
    }

  cairo_save (cr);
  cairo_rectangle (cr, left, top, plot_w, plot_h);
  cairo_clip (cr);

  /* The GPU's memory, and the budget under it when some is reserved. */
  if (self->device_memory > 0)
    {
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

  /* The lecture's model, for comparison: dashed */
  if (self->lecture[self->n_samples - 1] > 0)
    {
      text_color (widget, cr, 0.55);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, (double[]) { 2, 3 }, 2, 0);
      for (guint i = 0; i < self->n_samples; i++)
        cairo_line_to (cr, PX (self->batches[i]), PY (self->lecture[i]));
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);

  /* The points, then their labels, most important first: each keeps
   * clear of those placed before it and of the curves. */
  if (self->max_batch > 0 && (double) self->max_batch <= max_x)
    {
      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 1);
      cairo_arc (cr, PX (self->max_batch), PY (self->budget), 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  if ((double) self->batch <= max_x && (double) self->batch_bytes <= max_y)
    {
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_arc (cr, PX (self->batch), PY (self->batch_bytes), 4.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  {
    g_autofree char *count = envelope_format_count (self->batch);
    g_autofree char *size = envelope_settings_format_bytes (self->batch_bytes);
    g_autofree char *label = g_strdup_printf (_("batch %s: %s"), count, size);

    text_color (widget, cr, 1.0);
    if ((double) self->batch <= max_x && (double) self->batch_bytes <= max_y)
      place_label (self, cr, label, TRUE, spots, spots_around (PX (self->batch), PY (self->batch_bytes), 7, spots),
                   &plot_area);
    else
      {
        /* beyond the plot: named at its edge, with an arrow toward it */
        g_autofree char *beyond = g_strdup_printf ("%s →", label);
        Spot edge[] = {
          { left + plot_w, top, -4, 2, 1, 0 },
          { left + plot_w, top + plot_h / 2, -4, 0, 1, 0.5 },
          { left + plot_w, top + plot_h, -4, -2, 1, 1 },
        };

        place_label (self, cr, beyond, TRUE, edge, G_N_ELEMENTS (edge), &plot_area);
      }
  }

  if (self->max_batch > 0 && (double) self->max_batch <= max_x)
    {
      g_autofree char *count = envelope_format_count (self->max_batch);
      g_autofree char *label = g_strdup_printf (_("max %s"), count);

      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 1);
      place_label (self, cr, label, TRUE, spots, spots_around (PX (self->max_batch), PY (self->budget), 6, spots),
                   &plot_area);
    }

  if (self->device_memory > 0)
    {
      g_autofree char *size = envelope_settings_format_bytes (self->device_memory);
      g_autofree char *label = g_strdup_printf ("%s: %s", self->device ? self->device : _("GPU memory"), size);
      double y = PY (self->device_memory);
      Spot line[] = {
        { left, y, 6, -3, 0, 1 },
        { left + plot_w, y, -6, -3, 1, 1 },
        { left + plot_w / 2, y, 0, -3, 0.5, 1 },
        { left, y, 6, 3, 0, 0 },
        { left + plot_w, y, -6, 3, 1, 0 },
      };

      cairo_set_source_rgba (cr, danger.red, danger.green, danger.blue, 1);
      place_label (self, cr, label, TRUE, line, G_N_ELEMENTS (line), &plot_area);
    }

  if (self->lecture[self->n_samples - 1] > 0)
    {
      guint last = 0;
      guint n = 0;

      for (guint i = 0; i < self->n_samples; i++)
        if ((double) self->lecture[i] <= max_y)
          last = i;
      /* along the dashed curve, from its last point in view back */
      for (guint i = last; i > 0 && n + 4 <= G_N_ELEMENTS (spots); i -= MIN (i, 4))
        {
          spots[n++] = (Spot) { PX (self->batches[i]), PY (self->lecture[i]), -4, -4, 1, 1 };
          spots[n++] = (Spot) { PX (self->batches[i]), PY (self->lecture[i]), 4, 4, 0, 0 };
        }
      text_color (widget, cr, 0.7);
      place_label (self, cr, _("lecture's model"), FALSE, spots, n, &plot_area);
    }
#undef PX
#undef PY
}

const GArray *
envelope_batch_plot_get_label_boxes (EnvelopeBatchPlot *self)
{
  g_return_val_if_fail (ENVELOPE_IS_BATCH_PLOT (self), NULL);
  return self->label_boxes;
}

const GArray *
envelope_batch_plot_get_curve_points (EnvelopeBatchPlot *self)
{
  g_return_val_if_fail (ENVELOPE_IS_BATCH_PLOT (self), NULL);
  return self->curve_points;
}

double
envelope_batch_plot_get_byte_range (EnvelopeBatchPlot *self)
{
  g_return_val_if_fail (ENVELOPE_IS_BATCH_PLOT (self), 0);
  return self->max_y;
}

static void
envelope_batch_plot_finalize (GObject *object)
{
  EnvelopeBatchPlot *self = ENVELOPE_BATCH_PLOT (object);

  g_free (self->device);
  g_array_unref (self->label_boxes);
  g_array_unref (self->curve_points);
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
  self->label_boxes = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  self->curve_points = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
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

/* Samples the curve from batch 0 over the range that matters (see
 * envelope_batch_plot_batch_range()). */
void
envelope_batch_plot_set_analysis (EnvelopeBatchPlot      *self,
                                  const EnvelopeAnalysis *analysis)
{
  const EnvelopeMemory *memory;
  const EnvelopeFit *fit;
  EnvelopeBatchPlotFigures figures;
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

  figures = (EnvelopeBatchPlotFigures) {
    .batch = self->batch,
    .batch_bytes = self->batch_bytes,
    .device_memory = self->device_memory,
    .budget = self->budget,
    .max_batch = self->max_batch,
  };
  end = envelope_batch_plot_batch_range (&figures);

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
  self->max_y = envelope_batch_plot_byte_range (&figures, self->bytes[N_SAMPLES - 1]);
  self->valid = TRUE;
}
