/* envelope-memory-breakdown.c
 *
 * The train-time memory's six terms, each with its bytes, share and
 * formula, the test-time memory's formula, and the memory as the batch
 * grows with the largest batch that fits.  Made the first time it is
 * asked for: most sessions never open it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-memory-breakdown"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-batch-plot.h"
#include "envelope-format.h"
#include "envelope-label.h"
#include "envelope-memory-breakdown.h"
#include "envelope-memory-chart.h"
#include "envelope-settings.h"
#include "envelope-timeline.h"

#define ROWS 7      /* the larger of ENVELOPE_N_MEMORY_TERMS and ENVELOPE_N_STEP_TERMS */
G_STATIC_ASSERT (ROWS >= (int) ENVELOPE_N_MEMORY_TERMS && ROWS >= (int) ENVELOPE_N_STEP_TERMS);

struct _EnvelopeMemoryBreakdown
{
  GtkWidget parent_instance;

  /* template children */
  GtkLabel *memory_title;
  EnvelopeMemoryChart *memory_chart;
  GtkGrid *memory_grid;
  GtkLabel *test_formula;
  EnvelopeBatchPlot *batch_plot;
  GtkLabel *fit_formula;
  GtkLabel *model_note;
  GtkLabel *generation_label;
  GtkLabel *plan_label;
  GtkDrawingArea *step_plot;

  /* one row per term of either model: the lecture's six, PyTorch's seven */
  GtkWidget *term_swatches[ROWS];
  GtkLabel *term_names[ROWS];
  GtkLabel *term_sizes[ROWS];
  GtkLabel *term_shares[ROWS];
  GtkLabel *term_formulas[ROWS];
  EnvelopeMemoryModel model;
  EnvelopeTimeline *timeline;
};

G_DEFINE_FINAL_TYPE (EnvelopeMemoryBreakdown, envelope_memory_breakdown, GTK_TYPE_WIDGET)

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  EnvelopeMemoryBreakdown *self = ENVELOPE_MEMORY_BREAKDOWN (gtk_widget_get_ancestor (GTK_WIDGET (area),
                                                                                     ENVELOPE_TYPE_MEMORY_BREAKDOWN));
  guint term = GPOINTER_TO_UINT (data);
  GdkRGBA color = { 0, 0, 0, 1 };

  if (self != NULL && self->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      double rgb[3];
      envelope_timeline_get_color (term, rgb);
      color.red = rgb[0], color.green = rgb[1], color.blue = rgb[2];
    }
  else if (term < ENVELOPE_N_MEMORY_TERMS)
    envelope_memory_term_get_color (term, &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static GtkLabel *
grid_label (GtkGrid *grid,
            int      column,
            int      row,
            double   xalign,
            gboolean numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, column, row, 1, 1);
  return GTK_LABEL (label);
}

/* Row @i shows a term when the model has that many; FALSE when hidden. */
static gboolean
show_row (EnvelopeMemoryBreakdown *self,
          guint                    i,
          guint                    n_terms)
{
  gboolean shown = i < n_terms;

  gtk_widget_set_visible (self->term_swatches[i], shown);
  gtk_widget_set_visible (GTK_WIDGET (self->term_names[i]), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->term_sizes[i]), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->term_shares[i]), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->term_formulas[i]), shown);
  return shown;
}

/* A term's name, bytes, share of @total and formula (taken). */
static void
show_term (EnvelopeMemoryBreakdown *self,
           guint                    i,
           const char              *name,
           guint64                  bytes,
           guint64                  total,
           char                    *formula)
{
  gtk_label_set_text (self->term_names[i], name);
  envelope_label_take_text (self->term_sizes[i], envelope_settings_format_bytes (bytes));
  envelope_label_take_text (self->term_shares[i], envelope_format_percent (bytes, total));
  envelope_label_take_text (self->term_formulas[i], formula);
  gtk_widget_queue_draw (self->term_swatches[i]);
}

/* Serving a decoder: prefill and decode, and what fits. */
static void
show_generation (EnvelopeMemoryBreakdown *self,
                 const EnvelopeAnalysis  *analysis)
{
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  g_autofree char *prompt = NULL, *generated = NULL, *prefill = NULL, *decode = NULL;
  g_autofree char *weights = NULL, *cache = NULL, *activations = NULL;
  GString *text;

  gtk_widget_set_visible (GTK_WIDGET (self->generation_label), m->generation.prompt + m->generation.generated > 0);
  if (m->generation.prompt + m->generation.generated == 0)
    return;
  prompt = envelope_format_count (m->generation.prompt);
  generated = envelope_format_count (m->generation.generated);
  text = g_string_new (NULL);
  g_string_append_printf (text, _("Generating text, a prompt of %s tokens and %s new (%s key/value cache): "),
                          prompt, generated, envelope_dtype_to_string (m->generation.kv_cache));
  if (m->generation.cache_layers == 0)
    g_string_append (text, _("no layer keeps a key/value cache, for the network has no causal attention."));
  else
    {
      prefill = envelope_settings_format_bytes (m->generation.prefill_total);
      decode = envelope_settings_format_bytes (m->generation.decode_total);
      weights = envelope_settings_format_bytes (m->generation.weights);
      cache = envelope_settings_format_bytes (m->generation.cache);
      activations = envelope_settings_format_bytes (m->generation.prefill_activations);
      g_string_append_printf (text, _("the prefill needs %s (the prompt's activations %s), the last decode step %s "
                                      "(weights %s, cache %s)."), prefill, activations, decode, weights, cache);
      if (fit->device_memory > 0)
        {
          g_autofree char *max_batch = envelope_format_count (m->generation.max_batch);
          g_autofree char *max_context = envelope_format_count (m->generation.max_context);
          g_autofree char *batch = envelope_format_count (m->batch);
          g_string_append_printf (text, _(" At most %s sequences of this length fit; at batch %s, contexts of up to "
                                          "%s tokens."), max_batch, batch, max_context);
        }
    }
  envelope_label_take_text (self->generation_label, g_string_free (text, FALSE));
}

/* When the target batch does not fit: which blocks to checkpoint. */
static void
show_plan (EnvelopeMemoryBreakdown *self,
           const EnvelopeAnalysis  *analysis)
{
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  g_autoptr(EnvelopeCheckpointPlan) plan = NULL;
  guint64 budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;
  gboolean shown = envelope_analysis_get_memory (analysis)->model == ENVELOPE_MEMORY_MODEL_PYTORCH &&
                   budget > 0 && fit->target_batch > fit->max_batch;

  if (shown)
    plan = envelope_analysis_plan_checkpoints (analysis, fit->target_batch, budget, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->plan_label), plan != NULL);
  if (plan != NULL)
    envelope_label_take_text (self->plan_label, envelope_checkpoint_plan_describe (plan, envelope_settings_get_units ()));
}

static void
draw_step_plot (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        data)
{
  EnvelopeMemoryBreakdown *self = data;

  if (self->timeline != NULL)
    envelope_timeline_draw (self->timeline, cr, width, height);
}

/* A row per term: its colour, name, bytes, share and formula. */
static void
build_memory_grid (EnvelopeMemoryBreakdown *self)
{
  for (guint t = 0; t < ROWS; t++)
    {
      GtkWidget *swatch = gtk_drawing_area_new ();
      GtkLabel *name;

      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 12);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GUINT_TO_POINTER (t), NULL);
      gtk_grid_attach (self->memory_grid, swatch, 0, (int) t, 1, 1);
      self->term_swatches[t] = swatch;

      name = grid_label (self->memory_grid, 1, (int) t, 0, FALSE);
      self->term_names[t] = name;
      self->term_sizes[t] = grid_label (self->memory_grid, 2, (int) t, 1, TRUE);
      self->term_shares[t] = grid_label (self->memory_grid, 3, (int) t, 1, TRUE);
      self->term_formulas[t] = grid_label (self->memory_grid, 4, (int) t, 0, FALSE);
      gtk_label_set_selectable (self->term_formulas[t], TRUE);
      gtk_label_set_wrap (self->term_formulas[t], TRUE);
      gtk_label_set_max_width_chars (self->term_formulas[t], 64);
      gtk_widget_add_css_class (GTK_WIDGET (self->term_formulas[t]), "caption");
      gtk_widget_add_css_class (GTK_WIDGET (self->term_formulas[t]), "dim-label");
    }
}

void
envelope_memory_breakdown_show (EnvelopeMemoryBreakdown *self,
                                const EnvelopeAnalysis  *analysis)
{
  const EnvelopeMemory *m;
  g_autofree char *batch = NULL;
  g_autofree char *train_size = NULL;
  g_autofree char *test_explained = NULL;

  g_return_if_fail (ENVELOPE_IS_MEMORY_BREAKDOWN (self));

  if (analysis == NULL)
    return;
  m = envelope_analysis_get_memory (analysis);
  batch = envelope_format_count (m->batch);
  self->model = m->model;
  g_clear_pointer (&self->timeline, envelope_timeline_free);

  if (m->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      const EnvelopeStepPoint *peak = &m->pytorch.peak;
      g_autofree char *why = NULL;
      g_autofree char *inference = envelope_settings_format_bytes (m->pytorch.inference);

      train_size = envelope_settings_format_bytes (peak->total);
      envelope_label_take_text (self->memory_title,
                                g_strdup_printf (_("A training step at batch %s, as PyTorch spends it: %s at the peak "
                                                   "(%s, %s)"), batch, train_size,
                                                 envelope_dtype_to_string (m->dtype),
                                                 envelope_optimizer_to_string (m->optimizer)));
      for (guint i = 0; i < ROWS; i++)
        if (show_row (self, i, ENVELOPE_N_STEP_TERMS))
          show_term (self, i, envelope_step_term_get_label (i), peak->bytes[i], peak->total,
                     envelope_analysis_explain_step (analysis, i));
      test_explained = g_strdup_printf (_("%s: eval() under no_grad() holds the parameters and only the live "
                                          "activations"), inference);
      why = envelope_analysis_explain_models (analysis, envelope_settings_get_units ());
      envelope_label_take_text (self->model_note,
                                g_strdup_printf (_("%s Choose the lecture's model in the training settings to see its "
                                                   "terms."), why));
      self->timeline = envelope_timeline_new (analysis, envelope_settings_get_units (), NULL);
    }
  else
    {
      train_size = envelope_settings_format_bytes (m->train_total);
      test_explained = envelope_analysis_explain_test (analysis);
      envelope_label_take_text (self->memory_title,
                                g_strdup_printf (_("Train-time memory at batch %s: %s (%s, %s)"), batch, train_size,
                                                 envelope_dtype_to_string (m->dtype),
                                                 envelope_optimizer_to_string (m->optimizer)));
      for (guint i = 0; i < ROWS; i++)
        if (show_row (self, i, ENVELOPE_N_MEMORY_TERMS))
          show_term (self, i, envelope_memory_term_get_label (i), m->train[i], m->train_total,
                     envelope_analysis_explain_memory (analysis, i));
      envelope_label_take_text (self->model_note,
                                g_strdup (_("The lecture's model: every layer output and every error signal at once. "
                                            "What PyTorch really holds on a GPU is the default model in the training "
                                            "settings.")));
    }
  show_generation (self, analysis);
  show_plan (self, analysis);
  envelope_memory_chart_set_memory (self->memory_chart, m);
  gtk_widget_set_visible (GTK_WIDGET (self->step_plot), self->timeline != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->step_plot));
  envelope_label_take_text (self->test_formula, g_strdup_printf (_("Test time: %s"), test_explained));
  envelope_batch_plot_set_analysis (self->batch_plot, analysis);
  envelope_label_take_text (self->fit_formula, envelope_analysis_explain_fit (analysis));
}

static void
envelope_memory_breakdown_dispose (GObject *object)
{
  GtkWidget *child;

  g_clear_pointer (&ENVELOPE_MEMORY_BREAKDOWN (object)->timeline, envelope_timeline_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), ENVELOPE_TYPE_MEMORY_BREAKDOWN);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_memory_breakdown_parent_class)->dispose (object);
}

static void
envelope_memory_breakdown_class_init (EnvelopeMemoryBreakdownClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_memory_breakdown_dispose;

  g_type_ensure (ENVELOPE_TYPE_MEMORY_CHART);
  g_type_ensure (ENVELOPE_TYPE_BATCH_PLOT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/envelope/Envelope/envelope-memory-breakdown.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, memory_title);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, memory_chart);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, memory_grid);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, test_formula);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, batch_plot);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, fit_formula);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, model_note);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, generation_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, plan_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryBreakdown, step_plot);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-memory-breakdown");
}

static void
envelope_memory_breakdown_init (EnvelopeMemoryBreakdown *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_memory_grid (self);
  gtk_drawing_area_set_draw_func (self->step_plot, draw_step_plot, self, NULL);
  /* A popover focuses its first focusable child; were that a formula,
   * all of its text would show selected. */
  gtk_widget_set_focusable (GTK_WIDGET (self->memory_chart), TRUE);
}

GtkWidget *
envelope_memory_breakdown_new (void)
{
  return g_object_new (ENVELOPE_TYPE_MEMORY_BREAKDOWN, NULL);
}
