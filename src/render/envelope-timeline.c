/* envelope-timeline.c: the memory of one training step, as a plot
 *
 * One training step under the PyTorch model, moment by moment (each
 * layer's forward, the loss, each layer's backward, the optimizer),
 * stacked by term, with the peak marked and named and the device's
 * memory as a line.  The app draws it beside the memory breakdown; the
 * CLI exports it as PNG, SVG or PDF.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-timeline"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "envelope-format.h"
#include "envelope-painter.h"
#include "envelope-timeline.h"

struct _EnvelopeTimeline
{
  GArray *points;            /* EnvelopeStepPoint */
  guint peak;
  char *title;
  char *peak_text;
  char *device;              /* "Tesla T4: 16.0 GiB", or NULL */
  EnvelopeUnits units;
  guint64 device_memory;
  TextKit *kit;              /* made when first drawn */
};

static TextKit *
timeline_kit (EnvelopeTimeline *timeline)
{
  if (timeline->kit == NULL)
    timeline->kit = text_kit_new (NULL);
  return timeline->kit;
}

/* bottom to top: what stays, then what the step makes */
static const EnvelopeStepTerm stack_order[ENVELOPE_N_STEP_TERMS] = {
  ENVELOPE_STEP_CONTEXT, ENVELOPE_STEP_PARAMETERS, ENVELOPE_STEP_OPTIMIZER_STATE, ENVELOPE_STEP_WORKSPACE,
  ENVELOPE_STEP_GRADIENTS, ENVELOPE_STEP_SAVED_ACTIVATIONS, ENVELOPE_STEP_BACKWARD_TRANSIENT,
};

void
envelope_timeline_get_color (EnvelopeStepTerm term,
                             double           rgb[3])
{
  static const guint32 colors[ENVELOPE_N_STEP_TERMS] = {
    0x3584e4,   /* parameters: blue, as in the lecture's breakdown */
    0xe66100,   /* optimizer state: orange */
    0x9141ac,   /* gradients: purple */
    0x2ec27e,   /* saved activations: green */
    0xf6d32d,   /* transient: yellow */
    0x865e3c,   /* workspace: brown */
    0x9a9996,   /* context: grey */
  };

  g_return_if_fail (term < ENVELOPE_N_STEP_TERMS);
  rgb[0] = ((colors[term] >> 16) & 0xff) / 255.0;
  rgb[1] = ((colors[term] >> 8) & 0xff) / 255.0;
  rgb[2] = (colors[term] & 0xff) / 255.0;
}

static void
collect (const EnvelopeStepPoint *point,
         gpointer                 user_data)
{
  g_array_append_val ((GArray *) user_data, *point);
}

EnvelopeTimeline *
envelope_timeline_new (const EnvelopeAnalysis *analysis,
                       EnvelopeUnits           units,
                       GError                **error)
{
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (EnvelopeStepPoint));
  EnvelopeTimeline *timeline;
  g_autofree char *batch = envelope_format_count (m->batch);
  g_autofree char *peak = NULL;
  const EnvelopeStepPoint *top;

  if (!envelope_analysis_step_timeline (analysis, m->batch, collect, points, error))
    return NULL;

  timeline = g_new0 (EnvelopeTimeline, 1);
  timeline->points = g_steal_pointer (&points);
  timeline->units = units;
  for (guint i = 0; i < timeline->points->len; i++)
    if (g_array_index (timeline->points, EnvelopeStepPoint, i).total >
        g_array_index (timeline->points, EnvelopeStepPoint, timeline->peak).total)
      timeline->peak = i;
  timeline->title = g_strdup_printf (_("%s: memory through one training step (PyTorch, batch %s, %s%s, %s)"),
                                     network->name ? network->name : _("Network"), batch,
                                     envelope_dtype_to_string (m->dtype),
                                     m->mixed_precision ? _(" mixed") : "",
                                     envelope_optimizer_to_string (m->optimizer));
  top = &g_array_index (timeline->points, EnvelopeStepPoint, timeline->peak);
  peak = envelope_format_bytes (top->total, units);
  {
    g_autofree char *moment = envelope_analysis_describe_moment (analysis, top->phase, top->layer);
    timeline->peak_text = g_strdup_printf (_("peak %s: %s"), peak, moment);
  }
  if (fit->device_memory > 0)
    {
      g_autofree char *size = envelope_format_bytes (fit->device_memory, units);
      timeline->device = g_strdup_printf ("%s: %s", fit->device ? fit->device : _("memory"), size);
      timeline->device_memory = fit->device_memory;
    }
  return timeline;
}

void
envelope_timeline_free (EnvelopeTimeline *timeline)
{
  if (timeline == NULL)
    return;
  g_array_unref (timeline->points);
  g_free (timeline->title);
  g_free (timeline->peak_text);
  g_free (timeline->device);
  g_clear_pointer (&timeline->kit, text_kit_free);
  g_free (timeline);
}

guint
envelope_timeline_get_n_points (const EnvelopeTimeline *timeline)
{
  return timeline->points->len;
}

const EnvelopeStepPoint *
envelope_timeline_get_point (const EnvelopeTimeline *timeline,
                             guint                   index)
{
  g_return_val_if_fail (index < timeline->points->len, NULL);
  return &g_array_index (timeline->points, EnvelopeStepPoint, index);
}

guint
envelope_timeline_get_peak (const EnvelopeTimeline *timeline)
{
  return timeline->peak;
}

/* @text at @size points, bold or not, its middle at height @y and its
 * left (@align 0), centre (0.5) or right (1) at @x: the kit's legend
 * fonts, scaled, so that an SVG keeps it as text. */
static void
show_text (EnvelopePainter *painter,
           TextKit         *kit,
           const char      *text,
           double           x,
           double           y,
           double           align,
           double           size,
           gboolean         bold)
{
  TextStyle style = bold ? TEXT_LEGEND_TITLE : TEXT_LEGEND;
  double scale = size / kit->size[style];

  painter_save (painter);
  painter_translate (painter, x - align * text_kit_measure (kit, style, text) * scale,
                     y - kit->line_height[style] * scale / 2);
  painter_scale (painter, scale, scale);
  painter_show_text (painter, kit, style, text, 0, 0, -1, FALSE, PANGO_ELLIPSIZE_NONE);
  painter_restore (painter);
}

void
envelope_timeline_paint (const EnvelopeTimeline *timeline,
                         EnvelopePainter        *painter,
                         double                  width,
                         double                  height)
{
  EnvelopePainter *cr = painter;
  TextKit *kit = timeline_kit ((EnvelopeTimeline *) timeline);
  const double left = 78, right = 20, top = 70, bottom = 44;
  double plot_w = MAX (width - left - right, 10), plot_h = MAX (height - top - bottom, 10);
  guint n = timeline->points->len;
  const EnvelopeStepPoint *peak = envelope_timeline_get_point (timeline, timeline->peak);
  /* a device far above the step would flatten it: its line is drawn
   * only when it is within twice the peak, and named above the plot
   * otherwise */
  gboolean device_in_plot = timeline->device_memory > 0 &&
                            (double) timeline->device_memory <= 2.0 * (double) peak->total;
  double y_max = MAX ((double) peak->total, device_in_plot ? (double) timeline->device_memory : 0) * 1.08, step;
  double legend_x = left;
  gint loss = -1, optimizer = -1;

  if (y_max <= 0)
    y_max = 1;
  painter_save (cr);
  painter_set_source_rgb (cr, 1, 1, 1);
  painter_paint (cr);

  painter_set_source_rgb (cr, 0.1, 0.1, 0.1);
  {
    /* a long title made smaller to fit the page, never cut */
    double size = 15, wide = text_kit_measure (kit, TEXT_LEGEND_TITLE, timeline->title) * size / kit->size[TEXT_LEGEND_TITLE];

    if (wide > width - left - right)
      size *= (width - left - right) / wide;
    show_text (painter, kit, timeline->title, left, 18, 0, size, TRUE);
  }

  /* legend, in stacking order */
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    {
      EnvelopeStepTerm term = stack_order[k];
      double rgb[3];
      double w = text_kit_measure (kit, TEXT_LEGEND, envelope_step_term_get_label (term)) * 11 / kit->size[TEXT_LEGEND];

      envelope_timeline_get_color (term, rgb);
      painter_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      painter_rectangle (cr, legend_x, 38, 11, 11);
      painter_fill (cr);
      painter_set_source_rgb (cr, 0.2, 0.2, 0.2);
      show_text (painter, kit, envelope_step_term_get_label (term), legend_x + 15, 43.5, 0, 11, FALSE);
      legend_x += 15 + w + 16;
    }

  /* grid and byte axis */
  step = envelope_axis_byte_step (y_max, 5, timeline->units);
  painter_set_line_width (cr, 1);
  for (double v = 0; v <= y_max; v += step)
    {
      double y = top + plot_h - v / y_max * plot_h;
      g_autofree char *label = envelope_format_bytes ((guint64) v, timeline->units);

      painter_set_source_rgb (cr, 0.88, 0.88, 0.88);
      painter_move_to (cr, left, round (y) + 0.5);
      painter_line_to (cr, left + plot_w, round (y) + 0.5);
      painter_stroke (cr);
      painter_set_source_rgb (cr, 0.35, 0.35, 0.35);
      show_text (painter, kit, label, left - 6, y, 1, 10, FALSE);
    }

  /* the stacked terms */
  for (guint i = 0; i < n; i++)
    {
      const EnvelopeStepPoint *p = envelope_timeline_get_point (timeline, i);
      if (p->phase == ENVELOPE_STEP_LOSS)
        loss = (gint) i;
      if (p->phase == ENVELOPE_STEP_OPTIMIZER)
        optimizer = (gint) i;
    }
#define X(i) (left + (n > 1 ? (double) (i) / (n - 1) * plot_w : plot_w / 2))
#define Y(v) (top + plot_h - (v) / y_max * plot_h)
  {
    g_autofree double *base = g_new0 (double, n);

    for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
      {
        EnvelopeStepTerm term = stack_order[k];
        double rgb[3];

        envelope_timeline_get_color (term, rgb);
        painter_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
        painter_new_path (cr);
        for (guint i = 0; i < n; i++)
          painter_line_to (cr, X (i), Y (base[i] + envelope_timeline_get_point (timeline, i)->bytes[term]));
        for (guint i = n; i > 0; i--)
          painter_line_to (cr, X (i - 1), Y (base[i - 1]));
        painter_close_path (cr);
        painter_fill (cr);
        for (guint i = 0; i < n; i++)
          base[i] += envelope_timeline_get_point (timeline, i)->bytes[term];
      }
  }

  /* the phases */
  painter_set_source_rgb (cr, 0.3, 0.3, 0.3);
  painter_set_line_width (cr, 1);
  {
    static const double dash[] = { 4, 3 };
    painter_set_dash (cr, dash, 2, 0);
  }
  if (loss >= 0)
    {
      painter_move_to (cr, round (X (loss)) + 0.5, top);
      painter_line_to (cr, round (X (loss)) + 0.5, top + plot_h);
      painter_stroke (cr);
      show_text (painter, kit, _("forward"), (left + X (loss)) / 2, top + plot_h + 14, 0.5, 11, FALSE);
      show_text (painter, kit, _("backward"), (X (loss) + X (optimizer >= 0 ? optimizer : (gint) n - 1)) / 2,
                 top + plot_h + 14, 0.5, 11, FALSE);
    }
  if (optimizer >= 0)
    show_text (painter, kit, _("step"), X (optimizer), top + plot_h + 28, 1, 11, FALSE);

  /* the device's memory */
  if (device_in_plot)
    {
      double y = Y ((double) timeline->device_memory);

      painter_set_source_rgb (cr, 0.75, 0.11, 0.16);
      painter_move_to (cr, left, round (y) + 0.5);
      painter_line_to (cr, left + plot_w, round (y) + 0.5);
      painter_stroke (cr);
      show_text (painter, kit, timeline->device, left + plot_w - 4, y - 9, 1, 11, FALSE);
    }
  else if (timeline->device_memory > 0)
    {
      g_autofree char *above = g_strdup_printf (_("%s, far above"), timeline->device);

      painter_set_source_rgb (cr, 0.75, 0.11, 0.16);
      show_text (painter, kit, above, left + plot_w - 4, top + 9, 1, 11, FALSE);
    }
  painter_set_dash (cr, NULL, 0, 0);

  /* the peak */
  {
    double x = X (timeline->peak), y = Y ((double) peak->total);
    double align = x > left + plot_w * 0.6 ? 1 : 0;

    painter_set_source_rgb (cr, 0.1, 0.1, 0.1);
    painter_arc (cr, x, y, 3.5, 0, 2 * G_PI);
    painter_fill (cr);
    show_text (painter, kit, timeline->peak_text, x + (align > 0 ? -8 : 8), y - 10, align, 12, TRUE);
  }
#undef X
#undef Y

  /* frame */
  painter_set_source_rgb (cr, 0.5, 0.5, 0.5);
  painter_rectangle (cr, left + 0.5, top + 0.5, plot_w - 1, plot_h - 1);
  painter_stroke (cr);
  painter_restore (cr);
}

/* On a Cairo context: the app's screen, PNG and PDF. */
void
envelope_timeline_draw (const EnvelopeTimeline *timeline,
                        cairo_t                *cr,
                        double                  width,
                        double                  height)
{
  EnvelopePainter painter;

  envelope_painter_init_cairo (&painter, cr);
  envelope_timeline_paint (timeline, &painter, width, height);
}
