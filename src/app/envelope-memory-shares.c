/* envelope-memory-shares.c
 *
 * The lecture's walk-through of train-time memory for one layer: for
 * each term (parameters, their gradients, optimizer state, layer
 * outputs, error signals, workspace) the core's worked formula of this
 * layer's bytes, and that as a share of the whole term, so that "where
 * does the memory go?" is answered by pointing.  Narrow, as a boxed
 * list, in the inspector; wide, as a table, in the presentation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-memory-shares"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "envelope-format.h"
#include "envelope-label.h"
#include "envelope-memory-shares.h"
#include "envelope-repaint.h"
#include "envelope-settings.h"

struct _EnvelopeMemoryShares
{
  GtkWidget parent_instance;

  /* template children */
  GtkLabel *subtitle_label;
  GtkBox *rows_box;

  gboolean wide;
  gboolean shown;
  GtkWidget *container;      /* the list or the grid */
  GtkLabel *terms[ENVELOPE_N_MEMORY_TERMS];
  GtkLabel *formulas[ENVELOPE_N_MEMORY_TERMS];
  GtkLabel *shares[ENVELOPE_N_MEMORY_TERMS];
  EnvelopeRepaint repaint;

  /* What the lines say; the labels take it while they can be seen
   * (see in_view()). */
  char *subtitle_text;
  char *formula_texts[ENVELOPE_N_MEMORY_TERMS];
  char *rule_texts[ENVELOPE_N_MEMORY_TERMS];   /* each term's rule in symbols, shown above its numbers */
  char *share_texts[ENVELOPE_N_MEMORY_TERMS];
  gboolean stale;
  guint tick;                /* a frame's update phase to take them in */
  GtkAdjustment *scroll;     /* the scrolled window's we are in, if any */
};

G_DEFINE_FINAL_TYPE (EnvelopeMemoryShares, envelope_memory_shares, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WIDE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkLabel *
new_label (const char *css_class,
           float       xalign)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return GTK_LABEL (label);
}

/* The same labels, laid out for the width at hand; the texts carry over. */
static void
build_rows (EnvelopeMemoryShares *self)
{
  g_autofree char *texts[3][ENVELOPE_N_MEMORY_TERMS] = { { NULL } };

  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    if (self->formulas[t] != NULL)
      {
        texts[0][t] = g_strdup (gtk_label_get_text (self->terms[t]));
        texts[1][t] = g_strdup (gtk_label_get_text (self->formulas[t]));
        texts[2][t] = g_strdup (gtk_label_get_text (self->shares[t]));
      }
  if (self->container != NULL)
    gtk_box_remove (self->rows_box, self->container);

  if (self->wide)
    {
      self->container = gtk_grid_new ();
      gtk_grid_set_column_spacing (GTK_GRID (self->container), 24);
      gtk_grid_set_row_spacing (GTK_GRID (self->container), 4);
    }
  else
    {
      self->container = gtk_list_box_new ();
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->container), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (self->container, "boxed-list");
      gtk_widget_add_css_class (self->container, "figures");
    }
  gtk_widget_add_css_class (self->container, "memory-shares");

  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      self->terms[t] = new_label (self->wide ? "memory-term" : "caption", 0);
      self->formulas[t] = new_label ("formula", 0);
      self->shares[t] = new_label (self->wide ? "memory-share" : "caption", 1);
      gtk_label_set_text (self->terms[t], texts[0][t] ? texts[0][t] : envelope_memory_term_get_label (t));
      gtk_label_set_text (self->formulas[t], texts[1][t] ? texts[1][t] : "");
      gtk_label_set_text (self->shares[t], texts[2][t] ? texts[2][t] : "");
      gtk_label_set_wrap (self->formulas[t], TRUE);
      gtk_label_set_wrap_mode (self->formulas[t], PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (GTK_WIDGET (self->shares[t]), "numeric");
      gtk_widget_set_valign (GTK_WIDGET (self->terms[t]), GTK_ALIGN_BASELINE);
      gtk_widget_set_valign (GTK_WIDGET (self->formulas[t]), GTK_ALIGN_BASELINE);
      gtk_widget_set_valign (GTK_WIDGET (self->shares[t]), GTK_ALIGN_BASELINE);

      if (self->wide)
        {
          gtk_widget_set_hexpand (GTK_WIDGET (self->formulas[t]), TRUE);
          gtk_grid_attach (GTK_GRID (self->container), GTK_WIDGET (self->terms[t]), 0, (int) t, 1, 1);
          gtk_grid_attach (GTK_GRID (self->container), GTK_WIDGET (self->formulas[t]), 1, (int) t, 1, 1);
          gtk_grid_attach (GTK_GRID (self->container), GTK_WIDGET (self->shares[t]), 2, (int) t, 1, 1);
        }
      else
        {
          GtkWidget *row = gtk_list_box_row_new ();
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
          GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

          gtk_widget_add_css_class (GTK_WIDGET (self->terms[t]), "dim-label");
          gtk_widget_add_css_class (GTK_WIDGET (self->shares[t]), "dim-label");
          gtk_widget_set_hexpand (GTK_WIDGET (self->terms[t]), TRUE);
          gtk_label_set_selectable (self->formulas[t], TRUE);
          gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->terms[t]));
          gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->shares[t]));
          gtk_box_append (GTK_BOX (box), line);
          gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->formulas[t]));
          gtk_widget_add_css_class (box, "figure");
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
          gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
          gtk_list_box_append (GTK_LIST_BOX (self->container), row);
        }
    }
  gtk_box_append (self->rows_box, self->container);
}

/* The lines into their labels. */
static void
apply (EnvelopeMemoryShares *self)
{
  guint changed = 0;

  if (!self->stale)
    return;
  self->stale = FALSE;
  changed += envelope_label_keep_text (self->subtitle_label, self->subtitle_text);
  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      /* the rule above the numbers where the column is narrow (the
       * inspector); the presentation's wide page has no room to spare */
      g_autofree char *shown = !self->wide && self->rule_texts[t] != NULL && self->formula_texts[t] != NULL
                                 ? g_strconcat (self->rule_texts[t], "\n", self->formula_texts[t], NULL)
                                 : g_strdup (self->formula_texts[t]);

      changed += envelope_label_keep_text (self->formulas[t], shown);
      changed += envelope_label_keep_text (self->shares[t], self->share_texts[t]);
    }
  /* A new setting changes most of these lines: one rectangle to repaint
   * rather than one per line (see envelope-repaint.h). */
  if (changed > 1)
    envelope_repaint_changed (&self->repaint, GTK_WIDGET (self));
}

/* Whether the lines can be seen.  In the inspector they are under the
 * formulas, often scrolled out of view, where new texts would cost every
 * edit a layout of nineteen labels that nobody sees; they take their
 * texts once scrolled into view. */
static gboolean
in_view (EnvelopeMemoryShares *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = NULL;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  double top;

  if (scroller != NULL)
    content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  /* Where it is in what scrolls, against where that is scrolled to now:
   * right after a scroll, before the layout that moves it. */
  if (content == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (self), content, &bounds))
    return TRUE;
  /* Just shown and not yet laid out, it has no place to judge by: a
   * first layer without parameters (a ReLU) or a collapsed group shows
   * it before its first allocation, and no scroll follows to bring the
   * lines in. */
  if (bounds.size.height <= 0)
    return TRUE;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  top = gtk_adjustment_get_value (adjustment);
  return bounds.origin.y < top + gtk_adjustment_get_page_size (adjustment) &&
         bounds.origin.y + bounds.size.height > top;
}

/* In a frame's update phase, before its layout: a label must not change
 * size in the middle of one. */
static gboolean
apply_in_frame (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (widget);

  self->tick = 0;
  if (in_view (self))
    apply (self);
  return G_SOURCE_REMOVE;
}

static void
on_scrolled (EnvelopeMemoryShares *self)
{
  if (self->stale && self->tick == 0)
    self->tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), apply_in_frame, NULL, NULL);
}

static void
envelope_memory_shares_map (GtkWidget *widget)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (widget);
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  GTK_WIDGET_CLASS (envelope_memory_shares_parent_class)->map (widget);
  if (scroller != NULL)
    {
      self->scroll = g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
      g_signal_connect_swapped (self->scroll, "value-changed", G_CALLBACK (on_scrolled), self);
      g_signal_connect_swapped (self->scroll, "changed", G_CALLBACK (on_scrolled), self);
    }
  on_scrolled (self);
}

static void
envelope_memory_shares_unmap (GtkWidget *widget)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (widget);

  if (self->scroll != NULL)
    g_signal_handlers_disconnect_by_data (self->scroll, self);
  g_clear_object (&self->scroll);
  if (self->tick != 0)
    gtk_widget_remove_tick_callback (widget, self->tick);
  self->tick = 0;
  GTK_WIDGET_CLASS (envelope_memory_shares_parent_class)->unmap (widget);
}

/* Layer @index's share of each train-time term of @analysis, as the
 * core writes it; nothing when @analysis is NULL or @index is -1. */
void
envelope_memory_shares_show_layer (EnvelopeMemoryShares   *self,
                                   const EnvelopeAnalysis *analysis,
                                   gint                    index)
{
  const EnvelopeMemory *m;
  guint64 bytes[ENVELOPE_N_MEMORY_TERMS];
  g_autofree char *subtitle = NULL;
  gboolean was_shown;

  g_return_if_fail (ENVELOPE_IS_MEMORY_SHARES (self));

  was_shown = self->shown;
  self->shown = analysis != NULL && index >= 0 && (guint) index < envelope_analysis_get_n_layers (analysis) &&
                envelope_analysis_layer_memory (analysis, (guint) index, bytes);
  gtk_widget_set_visible (GTK_WIDGET (self), self->shown);
  if (!self->shown)
    return;

  m = envelope_analysis_get_memory (analysis);
  subtitle = g_strdup_printf (_("This layer’s share of each train-time term, at batch %" PRIu64
                                " (%s%s, %s)"),
                              m->batch, envelope_dtype_to_string (m->dtype),
                              m->mixed_precision ? _(", mixed precision") : "",
                              envelope_optimizer_to_string (m->optimizer));
  g_free (self->subtitle_text);
  self->subtitle_text = g_steal_pointer (&subtitle);

  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      g_autofree char *formula = envelope_analysis_explain_layer_memory (analysis, (guint) index, t);
      g_autofree char *share = NULL;

      if (m->train[t] == 0)
        share = g_strdup ("–");
      else
        {
          g_autofree char *percent = envelope_format_percent (bytes[t], m->train[t]);
          g_autofree char *whole = envelope_settings_format_bytes (m->train[t]);

          /* Translators: a layer's share of a memory term and the
           * network's whole term, "48.9% of 12.6 MiB" */
          share = g_strdup_printf (_("%s of %s"), percent, whole);
        }
      g_free (self->formula_texts[t]);
      self->formula_texts[t] = g_steal_pointer (&formula);
      g_free (self->rule_texts[t]);
      self->rule_texts[t] = envelope_analysis_explain_memory_rule (analysis, t);
      g_free (self->share_texts[t]);
      self->share_texts[t] = g_steal_pointer (&share);
    }
  self->stale = TRUE;
  /* shown again just now (a layer without figures hid it), where it is
   * is not known before the next layout: its lines at once */
  if (!was_shown || in_view (self))
    apply (self);
}

static void
envelope_memory_shares_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (widget);

  GTK_WIDGET_CLASS (envelope_memory_shares_parent_class)->snapshot (widget, snapshot);
  envelope_repaint_snapshot (&self->repaint, widget, snapshot);
}

void
envelope_memory_shares_set_wide (EnvelopeMemoryShares *self,
                                 gboolean              wide)
{
  g_return_if_fail (ENVELOPE_IS_MEMORY_SHARES (self));

  wide = !!wide;
  if (self->wide == wide && self->container != NULL)
    return;
  self->wide = wide;
  build_rows (self);
  self->stale = self->subtitle_text != NULL;
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDE]);
}

gboolean
envelope_memory_shares_get_wide (EnvelopeMemoryShares *self)
{
  g_return_val_if_fail (ENVELOPE_IS_MEMORY_SHARES (self), FALSE);
  return self->wide;
}

const char *
envelope_memory_shares_get_formula (EnvelopeMemoryShares *self,
                                    EnvelopeMemoryTerm    term)
{
  g_return_val_if_fail (ENVELOPE_IS_MEMORY_SHARES (self), NULL);
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  return self->shown && gtk_widget_get_visible (GTK_WIDGET (self)) ? self->formula_texts[term] : NULL;
}

const char *
envelope_memory_shares_get_rule (EnvelopeMemoryShares *self,
                                 EnvelopeMemoryTerm    term)
{
  g_return_val_if_fail (ENVELOPE_IS_MEMORY_SHARES (self), NULL);
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  return self->shown && !self->wide && gtk_widget_get_visible (GTK_WIDGET (self)) ? self->rule_texts[term] : NULL;
}

const char *
envelope_memory_shares_get_share (EnvelopeMemoryShares *self,
                                  EnvelopeMemoryTerm    term)
{
  g_return_val_if_fail (ENVELOPE_IS_MEMORY_SHARES (self), NULL);
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  return self->shown && gtk_widget_get_visible (GTK_WIDGET (self)) ? self->share_texts[term] : NULL;
}

const char *
envelope_memory_shares_get_subtitle (EnvelopeMemoryShares *self)
{
  g_return_val_if_fail (ENVELOPE_IS_MEMORY_SHARES (self), NULL);

  return self->shown ? self->subtitle_text : NULL;
}

static void
envelope_memory_shares_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (object);

  switch (prop_id)
    {
    case PROP_WIDE:
      g_value_set_boolean (value, self->wide);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_memory_shares_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (object);

  switch (prop_id)
    {
    case PROP_WIDE:
      envelope_memory_shares_set_wide (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_memory_shares_dispose (GObject *object)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_MEMORY_SHARES);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_memory_shares_parent_class)->dispose (object);
}

static void
envelope_memory_shares_finalize (GObject *object)
{
  EnvelopeMemoryShares *self = ENVELOPE_MEMORY_SHARES (object);

  g_free (self->subtitle_text);
  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      g_free (self->formula_texts[t]);
      g_free (self->rule_texts[t]);
      g_free (self->share_texts[t]);
    }
  G_OBJECT_CLASS (envelope_memory_shares_parent_class)->finalize (object);
}

static void
envelope_memory_shares_class_init (EnvelopeMemorySharesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_memory_shares_dispose;
  object_class->finalize = envelope_memory_shares_finalize;
  widget_class->snapshot = envelope_memory_shares_snapshot;
  widget_class->map = envelope_memory_shares_map;
  widget_class->unmap = envelope_memory_shares_unmap;
  object_class->get_property = envelope_memory_shares_get_property;
  object_class->set_property = envelope_memory_shares_set_property;

  properties[PROP_WIDE] =
    g_param_spec_boolean ("wide", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-memory-shares.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryShares, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeMemoryShares, rows_box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-memory-shares");
}

static void
envelope_memory_shares_init (EnvelopeMemoryShares *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
envelope_memory_shares_new (void)
{
  return g_object_new (ENVELOPE_TYPE_MEMORY_SHARES, NULL);
}
