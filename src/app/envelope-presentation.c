/* envelope-presentation.c
 *
 * The lecture view: the diagram beside the selected layer's worked
 * formulas and the walk-through of its memory, in type that reads from
 * the back of a hall.  The arrow keys (and Page Up/Down, which a
 * presenter's remote sends) step through the layers in file order,
 * which is their data-flow order: a layer reads only the layers before
 * it.  The diagram is a canvas of its own on the same document, so the
 * selection is shared while the window's own view is left as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-presentation"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "envelope-format.h"
#include "envelope-layer-edit.h"
#include "envelope-label.h"
#include "envelope-presentation.h"
#include "envelope-viewport.h"

struct _EnvelopePresentation
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;

  /* template children */
  GtkLabel *network_label;
  GtkLabel *step_label;
  EnvelopeCanvas *canvas;
  GtkLabel *name_label;
  GtkLabel *kind_label;
  GtkLabel *note_label;
  GtkGrid *formulas_grid;
  EnvelopeMemoryShares *memory_shares;
  GtkScrolledWindow *sheet;

  GtkLabel *figure_labels[ENVELOPE_N_FIGURES];
  GtkLabel *formula_labels[ENVELOPE_N_FIGURES];
  GtkLabel *rule_labels[ENVELOPE_N_FIGURES];
  const char *size_class;    /* the type size for the room at hand */
  guint size_idle;
  GtkCssProvider *type_provider;  /* the formulas' size, fitted to their column */
  double fitted_px;          /* the size at which the page fills the column */
  double type_scale;         /* the presenter's own (Ctrl+plus, Ctrl+minus) */
  double shown_px;           /* what the provider says now */
  guint fit_idle;
  guint fit_passes;          /* left for this fit: it converges in two or three */
  gboolean fit_may_grow;     /* on entering and a new room; stepping only shrinks */
  int fitted_width, fitted_height;
  gboolean diagram_scaled;
  gboolean blank;            /* the screen black, the class's eyes on the speaker */
};

G_DEFINE_FINAL_TYPE (EnvelopePresentation, envelope_presentation, GTK_TYPE_WIDGET)

static void schedule_fit (EnvelopePresentation *self,
                          gboolean              may_grow);

/* The page holds everything without scrolling, even at 1280×720: it
 * writes the rule above the numbers for the lecture's own rules, the
 * output's size, the weights and the MACs; the inspector and explain
 * give every figure's. */
static gboolean
shows_rule (EnvelopeFigure figure)
{
  return figure == ENVELOPE_FIGURE_OUTPUT_SHAPE || figure == ENVELOPE_FIGURE_WEIGHTS || figure == ENVELOPE_FIGURE_MACS;
}

static void
show_figures (EnvelopePresentation *self,
              gint                  layer)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  gint index = layer >= 0 ? envelope_document_get_figures_index (self->document, (guint) layer) : -1;
  char **formulas, **rules;

  if (index >= 0 && analysis != NULL &&
      envelope_analysis_get_layer (analysis, (guint) index)->state != ENVELOPE_LAYER_ANALYSED)
    {
      /* a partial analysis: this layer failed, or reads one that did */
      gboolean failed = envelope_analysis_get_layer (analysis, (guint) index)->state == ENVELOPE_LAYER_FAILED;

      envelope_label_keep_text (self->note_label,
                                failed ? _("No figures: this layer cannot be analysed until its error is mended.")
                                       : _("No figures: this layer reads one that cannot be analysed. The layers before "
                                           "the error have theirs."));
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->formulas_grid), FALSE);
      envelope_memory_shares_show_layer (self->memory_shares, NULL, -1);
      return;
    }
  if (index < 0 || analysis == NULL)
    {
      envelope_label_keep_text (self->note_label,
                                layer >= 0 ? _("No figures: this layer has none until the network is valid.") : "");
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), layer >= 0);
      gtk_widget_set_visible (GTK_WIDGET (self->formulas_grid), FALSE);
      envelope_memory_shares_show_layer (self->memory_shares, NULL, -1);
      return;
    }

  envelope_label_keep_text (self->note_label, _("The last valid figures, until the error is mended."));
  /* a partial analysis is of this network: its figures are current */
  gtk_widget_set_visible (GTK_WIDGET (self->note_label),
                          envelope_document_get_error (self->document) != NULL && !envelope_analysis_is_partial (analysis));
  gtk_widget_set_visible (GTK_WIDGET (self->formulas_grid), TRUE);
  formulas = envelope_analysis_explain_layer (analysis, (guint) index);
  rules = envelope_analysis_explain_rules (analysis, (guint) index);
  for (guint f = 0; f < ENVELOPE_N_FIGURES; f++)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->figure_labels[f]), formulas[f] != NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->formula_labels[f]), formulas[f] != NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->rule_labels[f]),
                              formulas[f] != NULL && rules[f] != NULL && shows_rule (f));
      if (formulas[f] != NULL)
        envelope_label_keep_text (self->formula_labels[f], formulas[f]);
      if (rules[f] != NULL)
        envelope_label_keep_text (self->rule_labels[f], rules[f]);
    }
  envelope_formulas_free (formulas);
  envelope_formulas_free (rules);
  envelope_memory_shares_show_layer (self->memory_shares, analysis, index);
}

static void
refresh (EnvelopePresentation *self)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  guint n_layers = envelope_network_get_n_layers (network);
  gint selected = envelope_document_get_selected_layer (self->document);
  g_autofree char *title = NULL;
  g_autofree char *step = NULL;
  g_autofree char *description = NULL;
  g_autofree char *kind = NULL;
  const EnvelopeLayer *layer;
  gint index;

  title = network->name != NULL && network->name[0] != '\0' ? g_strdup (network->name)
                                                            : envelope_document_dup_title (self->document);
  envelope_label_keep_text (self->network_label, title);

  if (selected < 0 || (guint) selected >= n_layers)
    {
      g_autofree char *digits = envelope_format_count (n_layers);

      /* Translators: %s is a count with its thousands marked, "100,000" */
      step = g_strdup_printf (ngettext ("%s layer", "%s layers", n_layers), digits);
      envelope_label_keep_text (self->step_label, step);
      envelope_label_keep_text (self->name_label, n_layers > 0 ? _("Press → to start") : _("An Empty Network"));
      envelope_label_keep_text (self->kind_label, "");
      show_figures (self, -1);
      return;
    }

  /* Translators: the step of the walk through the layers, "Layer 5 of 22" */
  step = g_strdup_printf (_("Layer %u of %u"), (guint) selected + 1, n_layers);
  envelope_label_keep_text (self->step_label, step);
  layer = envelope_network_get_layer (network, (guint) selected);
  envelope_label_keep_text (self->name_label, layer->name);

  description = envelope_layer_describe (layer);
  index = envelope_document_get_figures_index (self->document, (guint) selected);
  if (index >= 0 && analysis != NULL)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, (guint) index);
      g_autofree char *shape = envelope_format_shape (f->rank, f->shape);

      /* Translators: a layer's kind, settings and output shape,
       * "Convolution · conv 3×3, 32 → 32×28×28" */
      kind = g_strdup_printf (_("%s · %s → %s"), envelope_layer_kind_get_title (layer->type), description, shape);
    }
  else
    /* Translators: a layer's kind and settings, "Convolution · conv 3×3, 32" */
    kind = g_strdup_printf (_("%s · %s"), envelope_layer_kind_get_title (layer->type), description);
  envelope_label_keep_text (self->kind_label, kind);
  show_figures (self, selected);
  if (self->shown_px > 0)
    schedule_fit (self, FALSE);
}

static void
on_document_changed (EnvelopeDocument     *document,
                     guint                 change,
                     EnvelopePresentation *self)
{
  /* another network is fitted afresh, and scaled again */
  if (change & ENVELOPE_CHANGE_FILE)
    self->diagram_scaled = FALSE;
  refresh (self);
}

static void
on_selection_changed (EnvelopeDocument     *document,
                      EnvelopePresentation *self)
{
  refresh (self);
}

/* One layer on (@delta 1) or back (-1), or to either end; from no
 * selection, the first layer or the last. */
void
envelope_presentation_step (EnvelopePresentation *self,
                            gint                  delta)
{
  guint n_layers;
  gint selected, next;

  g_return_if_fail (ENVELOPE_IS_PRESENTATION (self));

  n_layers = envelope_network_get_n_layers (envelope_document_get_network (self->document));
  if (n_layers == 0)
    return;
  selected = envelope_document_get_selected_layer (self->document);
  if (selected < 0 || (guint) selected >= n_layers)
    next = delta >= 0 ? 0 : (gint) n_layers - 1;
  else
    next = CLAMP ((gint64) selected + delta, 0, (gint64) n_layers - 1);
  if (next != selected)
    envelope_document_select_layer (self->document, next);
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  envelope_presentation_step (ENVELOPE_PRESENTATION (widget), 1);
}

static void
previous_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  envelope_presentation_step (ENVELOPE_PRESENTATION (widget), -1);
}

static void
first_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  envelope_presentation_step (ENVELOPE_PRESENTATION (widget), G_MININT);
}

static void
last_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  envelope_presentation_step (ENVELOPE_PRESENTATION (widget), G_MAXINT);
}

static void
zoom_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  envelope_canvas_zoom_step (ENVELOPE_PRESENTATION (widget)->canvas, 1);
}

static void
zoom_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  envelope_canvas_zoom_step (ENVELOPE_PRESENTATION (widget)->canvas, -1);
}

static void
zoom_fit_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  envelope_canvas_zoom_fit (ENVELOPE_PRESENTATION (widget)->canvas);
}

/* B or "." (what a presenter's remote sends for it) blacks the screen
 * and brings it back. */
void
envelope_presentation_set_blank (EnvelopePresentation *self,
                                 gboolean              blank)
{
  g_return_if_fail (ENVELOPE_IS_PRESENTATION (self));

  if (self->blank == blank)
    return;
  self->blank = blank;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
envelope_presentation_get_blank (EnvelopePresentation *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), FALSE);
  return self->blank;
}

static void
blank_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EnvelopePresentation *self = ENVELOPE_PRESENTATION (widget);

  envelope_presentation_set_blank (self, !self->blank);
}

/* While the screen is black, any other key only brings it back: the
 * arrow that wakes it does not also step on, nor Escape leave. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                EnvelopePresentation  *self)
{
  if (!self->blank || keyval == GDK_KEY_b || keyval == GDK_KEY_B || keyval == GDK_KEY_period ||
      keyval == GDK_KEY_KP_Decimal)
    return GDK_EVENT_PROPAGATE;
  envelope_presentation_set_blank (self, FALSE);
  return GDK_EVENT_STOP;
}

static void
envelope_presentation_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  static const GdkRGBA black = { 0, 0, 0, 1 };

  if (ENVELOPE_PRESENTATION (widget)->blank)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                    gtk_widget_get_height (widget)));
  else
    GTK_WIDGET_CLASS (envelope_presentation_parent_class)->snapshot (widget, snapshot);
}

/* Escape leaves through the window's own action, which puts it back. */
static void
leave_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.present", NULL);
}

/* ------------------------------------------------------------------ */
/* The type size follows the room: a projector at 1280×720 gets what   */
/* fits, one at 1920×1080 what reads best.                             */

static const char *
size_class_for (int width,
                int height)
{
  if (width >= 1500 && height >= 940)
    return "size-large";
  if (width >= 1200 && height >= 700)
    return "size-medium";
  return "size-small";
}

static void
apply_size_class (gpointer data)
{
  EnvelopePresentation *self = data;
  static const char *const classes[] = { "size-small", "size-medium", "size-large" };
  const char *wanted = size_class_for (gtk_widget_get_width (GTK_WIDGET (self)),
                                       gtk_widget_get_height (GTK_WIDGET (self)));

  self->size_idle = 0;
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (classes[i] != wanted)
      gtk_widget_remove_css_class (GTK_WIDGET (self), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self), wanted);
  self->size_class = wanted;
}

/* ------------------------------------------------------------------ */
/* The formulas' type fills their column: as large as lets the page fit */
/* its height without scrolling and its width without wrapping, found  */
/* from the page's measure at the size shown (it scales with the type), */
/* then times the presenter's own scale.                                 */

#define MIN_TYPE_PX 12.0
#define MAX_TYPE_PX 64.0
#define TYPE_STEP 1.15

static void
show_type (EnvelopePresentation *self)
{
  double px = CLAMP (self->fitted_px * self->type_scale, MIN_TYPE_PX, MAX_TYPE_PX);
  g_autofree char *css = NULL;

  if (self->shown_px > 0 && fabs (px - self->shown_px) < 0.25)
    return;
  self->shown_px = px;
  css = g_strdup_printf ("envelope-presentation { font-size: %.1fpx; }", px);
  gtk_css_provider_load_from_data (self->type_provider, css, -1);
}

static void
fit_type (gpointer data)
{
  EnvelopePresentation *self = data;
  GtkWidget *page = gtk_scrolled_window_get_child (self->sheet);
  int width = gtk_widget_get_width (GTK_WIDGET (self->sheet));
  int height = gtk_widget_get_height (GTK_WIDGET (self->sheet));
  int natural_width, natural_height, minimum;
  double ratio, fitted;

  self->fit_idle = 0;
  if (GTK_IS_VIEWPORT (page))
    page = gtk_viewport_get_child (GTK_VIEWPORT (page));
  if (page == NULL || width <= 0 || height <= 0 || self->shown_px <= 0 || self->fit_passes == 0)
    return;
  self->fit_passes--;

  /* the worked formulas on one line each; the memory lines below them
   * may wrap, and the page's height says what that costs */
  gtk_widget_measure (GTK_WIDGET (self->formulas_grid), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, &natural_width, NULL, NULL);
  gtk_widget_measure (page, GTK_ORIENTATION_VERTICAL, width, &minimum, &natural_height, NULL, NULL);
  if (natural_height <= 0)
    return;
  ratio = (double) height / natural_height;
  if (natural_width > 0 && gtk_widget_get_visible (GTK_WIDGET (self->formulas_grid)) &&
      gtk_widget_get_width (GTK_WIDGET (self->formulas_grid)) > 0)
    ratio = MIN (ratio, (double) gtk_widget_get_width (GTK_WIDGET (self->formulas_grid)) / natural_width);
  /* at the size the presenter chose, the fitted one: the page at
   * shown_px needs ratio more or less room */
  fitted = self->shown_px * ratio / self->type_scale * 0.98;
  fitted = CLAMP (fitted, MIN_TYPE_PX, MAX_TYPE_PX);
  /* a page that still scrolls is never settled: smaller by at least a step */
  if (ratio < 1 && fitted > self->fitted_px - 0.5 && self->fitted_px - 0.5 >= MIN_TYPE_PX)
    fitted = self->fitted_px - 0.5;
  else if ((!self->fit_may_grow && fitted > self->fitted_px) || fabs (fitted - self->fitted_px) < 0.5)
    {
      self->fit_passes = 0;   /* settled */
      return;
    }
  /* once too large, only smaller: what a size wraps must not make the
   * fit swing between two sizes */
  if (fitted < self->fitted_px)
    self->fit_may_grow = FALSE;
  self->fitted_px = fitted;
  show_type (self);
  /* measured again once a frame has laid the new size out */
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* After a frame is painted its layout is of the type shown: the time to
 * measure the page. */
static void
on_after_paint (GdkFrameClock        *clock,
                EnvelopePresentation *self)
{
  if (self->fit_passes > 0 && self->fit_idle == 0)
    self->fit_idle = g_idle_add_once (fit_type, self);
}

static void
envelope_presentation_realize (GtkWidget *widget)
{
  EnvelopePresentation *self = ENVELOPE_PRESENTATION (widget);

  GTK_WIDGET_CLASS (envelope_presentation_parent_class)->realize (widget);
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (on_after_paint), self);
}

static void
envelope_presentation_unrealize (GtkWidget *widget)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (widget), on_after_paint, widget);
  GTK_WIDGET_CLASS (envelope_presentation_parent_class)->unrealize (widget);
}

/* A fit after the next layout; @may_grow on entering and in a new room,
 * not while stepping, so that the type does not jump from layer to
 * layer: a layer with more lines only makes it smaller. */
static void
schedule_fit (EnvelopePresentation *self,
              gboolean              may_grow)
{
  self->fit_may_grow = may_grow || (self->fit_may_grow && self->fit_passes > 0);
  self->fit_passes = 8;
  gtk_widget_queue_draw (GTK_WIDGET (self));   /* a frame, after which to measure */
}

double
envelope_presentation_get_type_size (EnvelopePresentation *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), 0);
  return self->shown_px;
}

static void
scale_type (EnvelopePresentation *self,
            double                factor)
{
  self->type_scale = CLAMP (self->type_scale * factor, 0.4, 3.0);
  show_type (self);
}

static void
type_larger_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  scale_type (ENVELOPE_PRESENTATION (widget), TYPE_STEP);
}

static void
type_smaller_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  scale_type (ENVELOPE_PRESENTATION (widget), 1 / TYPE_STEP);
}

/* The diagram's first fit is at the size of the editor's; in a hall it
 * is scaled with the type, once, and the layer shown kept in view. */
static void
on_canvas_zoom (EnvelopeCanvas       *canvas,
                GParamSpec           *pspec,
                EnvelopePresentation *self)
{
  const char *size;
  double factor = 1.0;

  if (self->diagram_scaled || envelope_canvas_get_layout (canvas) == NULL ||
      envelope_canvas_get_layout_pending (canvas) || gtk_widget_get_width (GTK_WIDGET (canvas)) <= 0)
    return;
  self->diagram_scaled = TRUE;
  size = size_class_for (gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
  if (g_str_equal (size, "size-large"))
    factor = 1.25;
  else if (g_str_equal (size, "size-medium"))
    factor = 1.1;
  /* never so far that the diagram's right edge (the selected block's
   * outline with it) is cut at the column's edge */
  {
    const EnvelopeViewport *viewport = envelope_canvas_get_viewport (canvas);
    EnvelopeRect bounds;
    double right, y;

    envelope_layout_get_bounds (envelope_canvas_get_layout (canvas), &bounds);
    envelope_viewport_world_to_widget (viewport, bounds.x + bounds.width, bounds.y, &right, &y);
    if (right > 0)
      factor = MIN (factor, (gtk_widget_get_width (GTK_WIDGET (canvas)) - 8) / right);
  }
  /* about the top left corner: the input stays where the fit put it */
  if (fabs (factor - 1.0) > 0.005)
    envelope_canvas_zoom_at (canvas, factor, 0, 0);
  envelope_canvas_reveal_selection (canvas);
}

/* Changing the style while allocating would ask for another layout in
 * the middle of this one: the start size is shown from an idle, and the
 * fit follows the layout it makes. */
static void
show_type_then_fit (gpointer data)
{
  EnvelopePresentation *self = data;

  self->fit_idle = 0;
  show_type (self);
  schedule_fit (self, TRUE);
}

static void
envelope_presentation_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
envelope_presentation_size_allocate (GtkWidget *widget,
                                     int        width,
                                     int        height,
                                     int        baseline)
{
  EnvelopePresentation *self = ENVELOPE_PRESENTATION (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);
  /* Changing the style while allocating would ask for another layout
   * in the middle of this one: the next idle does it. */
  if (size_class_for (width, height) != self->size_class && self->size_idle == 0)
    self->size_idle = g_idle_add_once (apply_size_class, self);
  if (width != self->fitted_width || height != self->fitted_height)
    {
      self->fitted_width = width;
      self->fitted_height = height;
      /* a start from the room's class: the fit goes on from there */
      self->fitted_px = g_str_equal (size_class_for (width, height), "size-large") ? 22
                        : g_str_equal (size_class_for (width, height), "size-medium") ? 17 : 15;
      self->fit_idle = self->fit_idle ? self->fit_idle : g_idle_add_once (show_type_then_fit, self);
    }
}

/* ------------------------------------------------------------------ */

static void
build_figure_rows (EnvelopePresentation *self)
{
  for (guint f = 0; f < ENVELOPE_N_FIGURES; f++)
    {
      GtkWidget *caption = gtk_label_new (envelope_figure_get_label (f));
      GtkWidget *formula = gtk_label_new (NULL);
      GtkWidget *rule;

      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_set_valign (caption, GTK_ALIGN_BASELINE);
      gtk_widget_add_css_class (caption, "figure-caption");
      gtk_label_set_xalign (GTK_LABEL (formula), 0);
      gtk_label_set_wrap (GTK_LABEL (formula), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (formula), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_hexpand (formula, TRUE);
      gtk_widget_set_valign (formula, GTK_ALIGN_BASELINE);
      gtk_widget_add_css_class (formula, "formula");
      /* the rule in symbols on its own line above the numbers, the
       * caption beside the numbers: a figure shown without its rule
       * leaves that line empty, and an empty line takes no room */
      rule = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (rule), 0);
      gtk_label_set_wrap (GTK_LABEL (rule), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (rule), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_hexpand (rule, TRUE);
      gtk_widget_set_valign (rule, GTK_ALIGN_BASELINE);
      gtk_widget_add_css_class (rule, "rule");
      gtk_widget_set_visible (rule, FALSE);
      gtk_grid_attach (self->formulas_grid, caption, 0, 2 * (int) f + 1, 1, 1);
      gtk_grid_attach (self->formulas_grid, rule, 1, 2 * (int) f, 1, 1);
      gtk_grid_attach (self->formulas_grid, formula, 1, 2 * (int) f + 1, 1, 1);
      self->figure_labels[f] = GTK_LABEL (caption);
      self->formula_labels[f] = GTK_LABEL (formula);
      self->rule_labels[f] = GTK_LABEL (rule);
    }
}

static void
envelope_presentation_dispose (GObject *object)
{
  EnvelopePresentation *self = ENVELOPE_PRESENTATION (object);
  GtkWidget *child;

  g_clear_handle_id (&self->size_idle, g_source_remove);
  g_clear_handle_id (&self->fit_idle, g_source_remove);
  g_clear_object (&self->type_provider);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  if (self->canvas != NULL)
    envelope_canvas_set_document (self->canvas, NULL);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_PRESENTATION);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_presentation_parent_class)->dispose (object);
}

static void
envelope_presentation_class_init (EnvelopePresentationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const guint next_keys[] = { GDK_KEY_Right, GDK_KEY_Down, GDK_KEY_Page_Down, GDK_KEY_KP_Right,
                                     GDK_KEY_KP_Down, GDK_KEY_KP_Page_Down, GDK_KEY_space };
  static const guint previous_keys[] = { GDK_KEY_Left, GDK_KEY_Up, GDK_KEY_Page_Up, GDK_KEY_KP_Left,
                                         GDK_KEY_KP_Up, GDK_KEY_KP_Page_Up, GDK_KEY_BackSpace };

  object_class->dispose = envelope_presentation_dispose;
  widget_class->snapshot = envelope_presentation_snapshot;
  widget_class->measure = envelope_presentation_measure;
  widget_class->size_allocate = envelope_presentation_size_allocate;
  widget_class->realize = envelope_presentation_realize;
  widget_class->unrealize = envelope_presentation_unrealize;

  g_type_ensure (ENVELOPE_TYPE_CANVAS);
  g_type_ensure (ENVELOPE_TYPE_MEMORY_SHARES);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-presentation.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, network_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, step_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, canvas);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, name_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, kind_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, note_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, formulas_grid);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, memory_shares);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePresentation, sheet);

  /* A presenter's remote sends Page Down and Page Up. */
  gtk_widget_class_install_action (widget_class, "presentation.next", NULL, next_activated);
  for (guint i = 0; i < G_N_ELEMENTS (next_keys); i++)
    gtk_widget_class_add_binding_action (widget_class, next_keys[i], 0, "presentation.next", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.previous", NULL, previous_activated);
  for (guint i = 0; i < G_N_ELEMENTS (previous_keys); i++)
    gtk_widget_class_add_binding_action (widget_class, previous_keys[i], 0, "presentation.previous", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.first", NULL, first_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "presentation.first", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Home, 0, "presentation.first", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.last", NULL, last_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "presentation.last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_End, 0, "presentation.last", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.blank", NULL, blank_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, 0, "presentation.blank", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, 0, "presentation.blank", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Decimal, 0, "presentation.blank", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.leave", NULL, leave_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "presentation.leave", NULL);

  gtk_widget_class_install_action (widget_class, "presentation.zoom-in", NULL, zoom_in_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "presentation.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "presentation.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "presentation.zoom-in", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.zoom-out", NULL, zoom_out_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "presentation.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "presentation.zoom-out", NULL);
  /* The formulas' type, for the room's back rows or its size. */
  gtk_widget_class_install_action (widget_class, "presentation.type-larger", NULL, type_larger_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "presentation.type-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "presentation.type-larger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "presentation.type-larger", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.type-smaller", NULL, type_smaller_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "presentation.type-smaller", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "presentation.type-smaller", NULL);
  gtk_widget_class_install_action (widget_class, "presentation.zoom-fit", NULL, zoom_fit_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "presentation.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "presentation.zoom-fit", NULL);

  gtk_widget_class_set_css_name (widget_class, "envelope-presentation");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
envelope_presentation_init (EnvelopePresentation *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Presentation"), -1);
  build_figure_rows (self);
  self->size_class = "size-medium";
  gtk_widget_add_css_class (GTK_WIDGET (self), self->size_class);
  self->type_scale = 1.0;
  self->type_provider = gtk_css_provider_new ();
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_add_provider (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                  GTK_STYLE_PROVIDER (self->type_provider),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

GtkWidget *
envelope_presentation_new (EnvelopeDocument *document)
{
  EnvelopePresentation *self;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (document), NULL);

  self = g_object_new (ENVELOPE_TYPE_PRESENTATION, NULL);
  self->document = g_object_ref (document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (document, "selection-changed", G_CALLBACK (on_selection_changed), self);
  envelope_canvas_set_document (self->canvas, document);
  g_signal_connect (self->canvas, "notify::zoom", G_CALLBACK (on_canvas_zoom), self);
  refresh (self);
  return GTK_WIDGET (self);
}

/* The window's colours and style; top to bottom, since the diagram has
 * a tall third of the screen beside the formulas; every layer its own
 * block in one column that is never wrapped, since the walk goes layer
 * by layer down it; and the receptive field of
 * the layer shown drawn on the input. */
void
envelope_presentation_set_view (EnvelopePresentation     *self,
                                const EnvelopeCanvasView *view)
{
  EnvelopeCanvasView shown;

  g_return_if_fail (ENVELOPE_IS_PRESENTATION (self));

  shown = *view;
  shown.direction = "TB";
  shown.collapse_depth = 0;
  shown.auto_detail = FALSE;
  shown.one_flow = TRUE;
  shown.receptive_field = TRUE;
  envelope_canvas_set_view (self->canvas, &shown);
}

EnvelopeCanvas *
envelope_presentation_get_canvas (EnvelopePresentation *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), NULL);
  return self->canvas;
}

EnvelopeMemoryShares *
envelope_presentation_get_memory_shares (EnvelopePresentation *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), NULL);
  return self->memory_shares;
}

const char *
envelope_presentation_get_text (EnvelopePresentation *self,
                                const char           *which)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), NULL);

  if (g_str_equal (which, "network"))
    return gtk_label_get_text (self->network_label);
  if (g_str_equal (which, "step"))
    return gtk_label_get_text (self->step_label);
  if (g_str_equal (which, "name"))
    return gtk_label_get_text (self->name_label);
  if (g_str_equal (which, "kind"))
    return gtk_label_get_text (self->kind_label);
  if (g_str_equal (which, "note"))
    return gtk_widget_get_visible (GTK_WIDGET (self->note_label)) ? gtk_label_get_text (self->note_label) : NULL;
  g_return_val_if_reached (NULL);
}

const char *
envelope_presentation_get_rule (EnvelopePresentation *self,
                                EnvelopeFigure        figure)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), NULL);
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);

  if (envelope_presentation_get_formula (self, figure) == NULL ||
      !gtk_widget_get_visible (GTK_WIDGET (self->rule_labels[figure])))
    return NULL;
  return gtk_label_get_text (self->rule_labels[figure]);
}

const char *
envelope_presentation_get_formula (EnvelopePresentation *self,
                                   EnvelopeFigure        figure)
{
  g_return_val_if_fail (ENVELOPE_IS_PRESENTATION (self), NULL);
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->formulas_grid)) ||
      !gtk_widget_get_visible (GTK_WIDGET (self->formula_labels[figure])))
    return NULL;
  return gtk_label_get_text (self->formula_labels[figure]);
}
