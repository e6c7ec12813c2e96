/* envelope-totals-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-totals-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-format.h"
#include "envelope-label.h"
#include "envelope-memory-breakdown.h"
#include "envelope-repaint.h"
#include "envelope-settings.h"
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
  GtkPopover *training_popover;
  GtkLabel *training_label;

  /* the popovers' contents, made when first shown */
  EnvelopeMemoryBreakdown *breakdown;
  EnvelopeTrainingPanel *training_panel;

  char *params_tooltip;
  char *test_tooltip;
  char *fit_tooltip;

  EnvelopeRepaint repaint;
};

G_DEFINE_FINAL_TYPE (EnvelopeTotalsBar, envelope_totals_bar, GTK_TYPE_WIDGET)

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

      envelope_label_take_text (self->fit_caption,
                                g_strdup_printf (_("Largest batch on %s"), fit->device ? fit->device : memory));
      envelope_label_take_text (self->fit_label, envelope_format_count (fit->max_batch));
      if (fit->max_batch == 0)
        gtk_label_set_text (self->fit_detail, _("not even one sample fits"));
      else if (fit->steps <= 1)
        envelope_label_take_text (self->fit_detail, g_strdup_printf (_("batch %s fits in one step"), target));
      else
        {
          g_autofree char *split = envelope_describe_steps (fit->target_batch, fit->micro_batch);
          envelope_label_take_text (self->fit_detail,
                                    g_strdup_printf (_("batch %s: %s, gradients accumulated"), target, split));
        }
    }
  g_free (self->fit_tooltip);
  self->fit_tooltip = g_steal_pointer (&explained);
}

/* The totals of a partial analysis count the analysed layers only: at
 * least that much, and said so. */
static void
mark_partial (EnvelopeTotalsBar      *self,
              const EnvelopeAnalysis *analysis)
{
  GtkLabel *figures[] = { self->params_label, self->macs_label, self->test_label, self->train_label };
  guint analysed = envelope_analysis_get_n_analysed (analysis);
  guint n = envelope_analysis_get_n_layers (analysis);

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    envelope_label_take_text (figures[i], g_strdup_printf ("≥ %s", gtk_label_get_text (figures[i])));
  /* … and a batch that fits them is at most what fits the whole */
  if (envelope_analysis_get_fit (analysis)->device_memory > 0)
    envelope_label_take_text (self->fit_label, g_strdup_printf ("≤ %s", gtk_label_get_text (self->fit_label)));
  envelope_label_take_text (self->params_detail,
                            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "partial: %u of %u layer analysed",
                                                          "partial: %u of %u layers analysed", n),
                                             analysed, n));
}

/* Layers of unknown cost (an imported operator Envelope has no kind
 * for) add nothing to the parameters and MACs: those totals are at
 * least what is shown, and the caption says how many are left out. */
static void
mark_unknown (EnvelopeTotalsBar      *self,
              const EnvelopeAnalysis *analysis)
{
  guint unknown = envelope_analysis_get_totals (analysis)->unknown_cost_layers;

  if (unknown == 0)
    return;
  envelope_label_take_text (self->params_label, g_strdup_printf ("≥ %s", gtk_label_get_text (self->params_label)));
  envelope_label_take_text (self->macs_label, g_strdup_printf ("≥ %s", gtk_label_get_text (self->macs_label)));
  envelope_label_take_text (self->params_detail,
                            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u layer of unknown cost left out",
                                                          "%u layers of unknown cost left out", unknown),
                                             unknown));
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
  gboolean partial;

  envelope_label_take_text (self->training_label,
                            envelope_training_describe (envelope_document_get_training (self->document)));
  /* figures of an earlier network are dimmed; a partial analysis is of
   * this one, and its totals say they are partial */
  partial = analysis != NULL && envelope_analysis_is_partial (analysis);
  if (envelope_document_get_error (self->document) != NULL && !partial)
    gtk_widget_add_css_class (self->figures_box, "stale");
  else
    gtk_widget_remove_css_class (self->figures_box, "stale");
  if (analysis == NULL)
    return;

  t = envelope_analysis_get_totals (analysis);
  m = envelope_analysis_get_memory (analysis);
  batch = envelope_format_count (m->batch);

  envelope_label_take_text (self->params_label, envelope_format_count (t->params));
  {
    g_autofree char *size = envelope_settings_format_bytes (t->model_bytes);
    g_autofree char *trainable = envelope_format_count (t->trainable_params);
    g_autofree char *fixed = envelope_format_count (t->non_trainable_params);
    g_autofree char *tooltip = g_strdup_printf (_("%s trainable, %s non-trainable"), trainable, fixed);

    envelope_label_take_text (self->params_detail,
                              g_strdup_printf (_("%s in %s"), size, envelope_dtype_to_string (m->dtype)));
    g_free (self->params_tooltip);
    self->params_tooltip = g_strdup (tooltip);
  }

  if (self->flops)
    {
      gtk_label_set_text (self->macs_caption, _("FLOPs per sample"));
      envelope_label_take_text (self->macs_label, envelope_format_count (t->flops));
      gtk_label_set_text (self->macs_detail, _("2 × MACs: a multiply-add is two"));
    }
  else
    {
      g_autofree char *training = envelope_format_count (t->training_macs);

      gtk_label_set_text (self->macs_caption, _("MACs per sample"));
      envelope_label_take_text (self->macs_label, envelope_format_count (t->macs));
      envelope_label_take_text (self->macs_detail, g_strdup_printf (_("training step: %s"), training));
    }

  if (m->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      /* what a GPU holds: inference under no_grad, and the step's peak */
      test_explained = g_strdup (_("eval() under no_grad(): parameters, the live activations at the peak, "
                                   "workspace and the CUDA context"));
      envelope_label_take_text (self->test_label, envelope_settings_format_bytes (m->pytorch.inference));
      envelope_label_take_text (self->test_detail, g_strdup_printf (_("batch %s, PyTorch inference"), batch));
      train_size = envelope_settings_format_bytes (m->pytorch.peak.total);
      envelope_label_take_text (self->train_detail, g_strdup_printf (_("batch %s · PyTorch step peak"), batch));
    }
  else
    {
      test_explained = envelope_analysis_explain_test (analysis);
      envelope_label_take_text (self->test_label, envelope_settings_format_bytes (m->test.total));
      envelope_label_take_text (self->test_detail, g_strdup_printf (_("batch %s, outputs reused"), batch));
      train_size = envelope_settings_format_bytes (m->train_total);
      envelope_label_take_text (self->train_detail, g_strdup_printf (_("batch %s · see the breakdown"), batch));
    }
  g_free (self->test_tooltip);
  self->test_tooltip = g_strdup (test_explained);
  gtk_label_set_text (self->train_label, train_size);

  show_fit (self, analysis);
  if (partial)
    mark_partial (self, analysis);
  else
    mark_unknown (self, analysis);

  if (self->breakdown != NULL)
    envelope_memory_breakdown_show (self->breakdown, analysis);
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

/* The popovers' contents, made the first time each is shown. */
static void
make_breakdown (GtkMenuButton *button,
                gpointer       data)
{
  EnvelopeTotalsBar *self = data;

  if (self->breakdown != NULL)
    return;
  self->breakdown = ENVELOPE_MEMORY_BREAKDOWN (envelope_memory_breakdown_new ());
  gtk_popover_set_child (self->memory_popover, GTK_WIDGET (self->breakdown));
  if (self->document != NULL)
    envelope_memory_breakdown_show (self->breakdown, envelope_document_get_analysis (self->document));
}

static void
make_training_panel (GtkMenuButton *button,
                     gpointer       data)
{
  EnvelopeTotalsBar *self = data;

  if (self->training_panel != NULL)
    return;
  self->training_panel = ENVELOPE_TRAINING_PANEL (envelope_training_panel_new ());
  gtk_popover_set_child (self->training_popover, GTK_WIDGET (self->training_panel));
  if (self->document != NULL)
    envelope_training_panel_set_document (self->training_panel, self->document);
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
  gtk_widget_class_bind_template_child (widget_class, EnvelopeTotalsBar, training_popover);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-totals-bar");
}

static void
envelope_totals_bar_init (EnvelopeTotalsBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->memory_button, make_breakdown, self, NULL);
  gtk_menu_button_set_create_popup_func (self->training_button, make_training_panel, self, NULL);
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
  if (self->training_panel != NULL)
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
