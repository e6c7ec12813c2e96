/* envelope-totals-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-totals-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-batch-plot.h"
#include "envelope-format.h"
#include "envelope-settings.h"
#include "envelope-memory-chart.h"
#include "envelope-repaint.h"
#include "envelope-totals-bar.h"
#include "envelope-training-panel.h"

struct _EnvelopeTotalsBar
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;
  gboolean flops;

  /* template children */
  GtkWidget *figures_box;
  GtkLabel *params_label;
  GtkLabel *params_detail;
  GtkLabel *macs_caption;
  GtkLabel *macs_label;
  GtkLabel *macs_detail;
  GtkLabel *test_label;
  GtkLabel *test_detail;
  GtkMenuButton *memory_button;
  GtkPopover *memory_popover;
  GtkLabel *train_label;
  GtkLabel *train_detail;
  GtkLabel *fit_caption;
  GtkLabel *fit_label;
  GtkLabel *fit_detail;
  GtkMenuButton *training_button;
  GtkLabel *training_label;
  EnvelopeTrainingPanel *training_panel;
  GtkLabel *memory_title;
  EnvelopeMemoryChart *memory_chart;
  GtkGrid *memory_grid;
  GtkLabel *test_formula;
  EnvelopeBatchPlot *batch_plot;
  GtkLabel *fit_formula;

  char *params_tooltip;
  char *test_tooltip;
  char *fit_tooltip;

  GtkLabel *term_sizes[ENVELOPE_N_MEMORY_TERMS];
  GtkLabel *term_shares[ENVELOPE_N_MEMORY_TERMS];
  GtkLabel *term_formulas[ENVELOPE_N_MEMORY_TERMS];

  EnvelopeRepaint repaint;
};

G_DEFINE_FINAL_TYPE (EnvelopeTotalsBar, envelope_totals_bar, GTK_TYPE_WIDGET)

static void
take_label (GtkLabel *label,
            char     *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
  g_free (text);
}

/* The figures' tooltips are the core's formulas, given when asked:
 * setting a tooltip's text asks the display where the pointer is, on
 * every edit. */
static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  char      **text)
{
  if (*text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, *text);
  return TRUE;
}

static void
ask_tooltip (GtkWidget  *widget,
             char      **text)
{
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect (widget, "query-tooltip", G_CALLBACK (on_query_tooltip), text);
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  GdkRGBA color;

  envelope_memory_term_get_color (GPOINTER_TO_UINT (data), &color);
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

static void
build_memory_grid (EnvelopeTotalsBar *self)
{
  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      GtkWidget *swatch = gtk_drawing_area_new ();
      GtkLabel *name;

      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 12);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GUINT_TO_POINTER (t), NULL);
      gtk_grid_attach (self->memory_grid, swatch, 0, (int) t, 1, 1);

      name = grid_label (self->memory_grid, 1, (int) t, 0, FALSE);
      gtk_label_set_text (name, envelope_memory_term_get_label (t));
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

static void
show_fit (EnvelopeTotalsBar      *self,
          const EnvelopeAnalysis *analysis)
{
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  g_autofree char *explained = envelope_analysis_explain_fit (analysis);

  if (fit->device_memory == 0)
    {
      gtk_label_set_text (self->fit_caption, _("Largest batch"));
      gtk_label_set_text (self->fit_label, "—");
      gtk_label_set_text (self->fit_detail, _("choose a GPU"));
    }
  else
    {
      g_autofree char *memory = envelope_settings_format_bytes (fit->device_memory);
      g_autofree char *target = envelope_format_count (fit->target_batch);

      take_label (self->fit_caption, g_strdup_printf (_("Largest batch on %s"), fit->device ? fit->device : memory));
      take_label (self->fit_label, envelope_format_count (fit->max_batch));
      if (fit->max_batch == 0)
        gtk_label_set_text (self->fit_detail, _("not even one sample fits"));
      else if (fit->steps <= 1)
        take_label (self->fit_detail, g_strdup_printf (_("batch %s fits in one step"), target));
      else
        {
          g_autofree char *steps = envelope_format_count (fit->steps);
          g_autofree char *micro = envelope_format_count (fit->micro_batch);
          take_label (self->fit_detail, g_strdup_printf (_("batch %s: %s steps of %s, gradients accumulated"),
                                                         target, steps, micro));
        }
    }
  g_free (self->fit_tooltip);
  self->fit_tooltip = g_strdup (explained);
  gtk_label_set_text (self->fit_formula, explained);
}

static void
refresh (EnvelopeTotalsBar *self)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  const EnvelopeTotals *t;
  const EnvelopeMemory *m;
  g_autofree char *batch = NULL;
  g_autofree char *test_explained = NULL;
  g_autofree char *train_size = NULL;

  take_label (self->training_label, envelope_training_describe (envelope_document_get_training (self->document)));
  if (envelope_document_get_error (self->document) != NULL)
    gtk_widget_add_css_class (self->figures_box, "stale");
  else
    gtk_widget_remove_css_class (self->figures_box, "stale");
  if (analysis == NULL)
    return;

  t = envelope_analysis_get_totals (analysis);
  m = envelope_analysis_get_memory (analysis);
  batch = envelope_format_count (m->batch);

  take_label (self->params_label, envelope_format_count (t->params));
  {
    g_autofree char *size = envelope_settings_format_bytes (t->model_bytes);
    g_autofree char *trainable = envelope_format_count (t->trainable_params);
    g_autofree char *fixed = envelope_format_count (t->non_trainable_params);
    g_autofree char *tooltip = g_strdup_printf (_("%s trainable, %s non-trainable"), trainable, fixed);

    take_label (self->params_detail, g_strdup_printf (_("%s in %s"), size, envelope_dtype_to_string (m->dtype)));
    g_free (self->params_tooltip);
    self->params_tooltip = g_strdup (tooltip);
  }

  if (self->flops)
    {
      gtk_label_set_text (self->macs_caption, _("FLOPs per sample"));
      take_label (self->macs_label, envelope_format_count (t->flops));
      gtk_label_set_text (self->macs_detail, _("2 × MACs: a multiply-add is two"));
    }
  else
    {
      g_autofree char *training = envelope_format_count (t->training_macs);

      gtk_label_set_text (self->macs_caption, _("MACs per sample"));
      take_label (self->macs_label, envelope_format_count (t->macs));
      take_label (self->macs_detail, g_strdup_printf (_("training step: %s"), training));
    }

  test_explained = envelope_analysis_explain_test (analysis);
  take_label (self->test_label, envelope_settings_format_bytes (m->test.total));
  take_label (self->test_detail, g_strdup_printf (_("batch %s, outputs reused"), batch));
  g_free (self->test_tooltip);
  self->test_tooltip = g_strdup (test_explained);

  train_size = envelope_settings_format_bytes (m->train_total);
  gtk_label_set_text (self->train_label, train_size);
  take_label (self->train_detail, g_strdup_printf (_("batch %s · see the breakdown"), batch));

  show_fit (self, analysis);

  /* The breakdown */
  take_label (self->memory_title, g_strdup_printf (_("Train-time memory at batch %s: %s (%s, %s)"),
                                                   batch, train_size, envelope_dtype_to_string (m->dtype),
                                                   envelope_optimizer_to_string (m->optimizer)));
  envelope_memory_chart_set_memory (self->memory_chart, m);
  for (guint i = 0; i < ENVELOPE_N_MEMORY_TERMS; i++)
    {
      take_label (self->term_sizes[i], envelope_settings_format_bytes (m->train[i]));
      take_label (self->term_shares[i], envelope_format_percent (m->train[i], m->train_total));
      take_label (self->term_formulas[i], envelope_analysis_explain_memory (analysis, i));
    }
  take_label (self->test_formula, g_strdup_printf (_("Test time: %s"), test_explained));
  envelope_batch_plot_set_analysis (self->batch_plot, analysis);
}

static void
on_document_changed (EnvelopeDocument  *document,
                     guint              change,
                     EnvelopeTotalsBar *self)
{
  if (change != ENVELOPE_CHANGE_VIEW)
    {
      refresh (self);
      envelope_repaint_changed (&self->repaint, GTK_WIDGET (self));
    }
}

static void
envelope_totals_bar_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  EnvelopeTotalsBar *self = ENVELOPE_TOTALS_BAR (widget);

  GTK_WIDGET_CLASS (envelope_totals_bar_parent_class)->snapshot (widget, snapshot);
  envelope_repaint_snapshot (&self->repaint, widget, snapshot);
}

static void
envelope_totals_bar_dispose (GObject *object)
{
  EnvelopeTotalsBar *self = ENVELOPE_TOTALS_BAR (object);
  GtkWidget *child;

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_TOTALS_BAR);
  g_clear_pointer (&self->params_tooltip, g_free);
  g_clear_pointer (&self->test_tooltip, g_free);
  g_clear_pointer (&self->fit_tooltip, g_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_totals_bar_parent_class)->dispose (object);
}

static void
envelope_totals_bar_class_init (EnvelopeTotalsBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_totals_bar_dispose;
  widget_class->snapshot = envelope_totals_bar_snapshot;

  g_type_ensure (ENVELOPE_TYPE_TRAINING_PANEL);
  g_type_ensure (ENVELOPE_TYPE_MEMORY_CHART);
  g_type_ensure (ENVELOPE_TYPE_BATCH_PLOT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-totals-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, figures_box);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, params_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, params_detail);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, macs_caption);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, macs_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, macs_detail);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, test_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, test_detail);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, memory_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, memory_popover);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, train_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, train_detail);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, fit_caption);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, fit_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, fit_detail);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, training_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, training_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, training_panel);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, memory_title);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, memory_chart);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, memory_grid);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, test_formula);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, batch_plot);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, fit_formula);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-totals-bar");
}

static void
envelope_totals_bar_init (EnvelopeTotalsBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_memory_grid (self);
  /* A popover focuses its first focusable child; were that a formula,
   * all of its text would show selected. */
  gtk_widget_set_focusable (GTK_WIDGET (self->memory_chart), TRUE);
  ask_tooltip (gtk_widget_get_parent (GTK_WIDGET (self->params_label)), &self->params_tooltip);
  ask_tooltip (gtk_widget_get_parent (GTK_WIDGET (self->test_label)), &self->test_tooltip);
  ask_tooltip (gtk_widget_get_parent (GTK_WIDGET (self->fit_label)), &self->fit_tooltip);
}

void
envelope_totals_bar_set_document (EnvelopeTotalsBar *self,
                                  EnvelopeDocument  *document)
{
  g_return_if_fail (ENVELOPE_IS_TOTALS_BAR (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  envelope_training_panel_set_document (self->training_panel, document);
  refresh (self);
}

void
envelope_totals_bar_set_flops (EnvelopeTotalsBar *self,
                               gboolean           flops)
{
  g_return_if_fail (ENVELOPE_IS_TOTALS_BAR (self));

  if (self->flops == flops)
    return;
  self->flops = flops;
  if (self->document != NULL)
    refresh (self);
}

void
envelope_totals_bar_show_memory (EnvelopeTotalsBar *self)
{
  g_return_if_fail (ENVELOPE_IS_TOTALS_BAR (self));
  gtk_menu_button_popup (self->memory_button);
}

void
envelope_totals_bar_show_training (EnvelopeTotalsBar *self)
{
  g_return_if_fail (ENVELOPE_IS_TOTALS_BAR (self));
  gtk_menu_button_popup (self->training_button);
}

/* Before the window goes: GTK 4.8 looks for a popover's surface after
 * its window has been destroyed. */
void
envelope_totals_bar_popdown (EnvelopeTotalsBar *self)
{
  g_return_if_fail (ENVELOPE_IS_TOTALS_BAR (self));

  gtk_menu_button_popdown (self->memory_button);
  gtk_menu_button_popdown (self->training_button);
}

const char *
envelope_totals_bar_get_text (EnvelopeTotalsBar *self,
                              const char        *which)
{
  const struct { const char *name; GtkLabel *label; } labels[] = {
    { "params", self->params_label }, { "params-detail", self->params_detail },
    { "macs", self->macs_label }, { "macs-detail", self->macs_detail },
    { "test", self->test_label }, { "test-detail", self->test_detail },
    { "train", self->train_label }, { "train-detail", self->train_detail },
    { "fit", self->fit_label }, { "fit-detail", self->fit_detail },
    { "training", self->training_label },
  };

  g_return_val_if_fail (ENVELOPE_IS_TOTALS_BAR (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].name, which))
      return gtk_label_get_text (labels[i].label);
  return NULL;
}

GtkWidget *
envelope_totals_bar_get_memory_popover (EnvelopeTotalsBar *self)
{
  g_return_val_if_fail (ENVELOPE_IS_TOTALS_BAR (self), NULL);
  return GTK_WIDGET (self->memory_popover);
}
