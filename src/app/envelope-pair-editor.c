/* envelope-pair-editor.c
 *
 * The spin buttons report every keystroke that leaves a whole number in
 * them, so the figures follow the typing; while linked, the others
 * follow as well.  It edits one value per spatial axis: height and width
 * of an image (the default), the length of a signal, or the depth,
 * height and width of a video.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-pair-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "envelope-pair-editor.h"

struct _EnvelopePairEditor
{
  GtkWidget parent_instance;

  GtkSpinButton *depth_spin;
  GtkSpinButton *height_spin;
  GtkToggleButton *link_button;
  GtkSpinButton *width_spin;

  gint64 values[3];          /* per axis, in the order shown */
  guint n_axes;              /* 1, 2 or 3 */
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (EnvelopePairEditor, envelope_pair_editor, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LINKED,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The whole number typed into @spin, if that is what it holds. */
gboolean
envelope_spin_button_parse (GtkSpinButton *spin,
                            gint64        *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  gint64 parsed;

  if (stripped[0] == '\0')
    return FALSE;
  parsed = g_ascii_strtoll (stripped, &end, 10);
  if (end == NULL || *end != '\0')
    return FALSE;
  *value = parsed;
  return TRUE;
}

/* Shows @value unless the text already says it: rewriting the text
 * would move the cursor of someone typing. */
void
envelope_spin_button_show (GtkSpinButton *spin,
                           gint64         value)
{
  gint64 shown;

  if (envelope_spin_button_parse (spin, &shown) && shown == value)
    return;
  gtk_spin_button_set_value (spin, (double) value);
  if (!envelope_spin_button_parse (spin, &shown) || shown != value)
    {
      /* Out of the range: show it anyway, the error says why. */
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      gtk_editable_set_text (GTK_EDITABLE (spin), text);
    }
}

/* The wheel over a number that is not being edited scrolls what holds
 * it: reading a panel must never change a setting.  Returns whether the
 * wheel was taken from @spin. */
gboolean
envelope_spin_button_wheel (GtkSpinButton *spin,
                            double         dy)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (spin));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *scrolled;
  GtkAdjustment *adjustment;
  double page, value;

  if (focus != NULL && (focus == GTK_WIDGET (spin) || gtk_widget_is_ancestor (focus, GTK_WIDGET (spin))))
    return FALSE;
  scrolled = gtk_widget_get_ancestor (GTK_WIDGET (spin), GTK_TYPE_SCROLLED_WINDOW);
  if (scrolled != NULL)
    {
      /* the step GTK's own scrolled windows take for a notch */
      adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      page = gtk_adjustment_get_page_size (adjustment);
      value = gtk_adjustment_get_value (adjustment) + dy * pow (page, 2.0 / 3.0);
      gtk_adjustment_set_value (adjustment, CLAMP (value, gtk_adjustment_get_lower (adjustment),
                                                   gtk_adjustment_get_upper (adjustment) - page));
    }
  return TRUE;
}

static gboolean
on_spin_scroll (GtkEventControllerScroll *controller,
                double                    dx,
                double                    dy,
                gpointer                  data)
{
  return envelope_spin_button_wheel (GTK_SPIN_BUTTON (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller))), dy);
}

static gboolean
select_all (gpointer data)
{
  GtkWidget *spin = data;
  GtkRoot *root = gtk_widget_get_root (spin);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* still being edited: typing replaces what was there */
  if (focus != NULL && (focus == spin || gtk_widget_is_ancestor (focus, spin)))
    gtk_editable_select_region (GTK_EDITABLE (spin), 0, -1);
  g_object_unref (spin);
  return G_SOURCE_REMOVE;
}

static void
on_spin_focus (GtkEventControllerFocus *controller,
               gpointer                 data)
{
  /* after the click that focused it has placed the cursor */
  g_idle_add (select_all, g_object_ref (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller))));
}

/* A number field edits only when edited: the wheel over it scrolls the
 * panel unless it has the focus, and focusing it selects its text, so
 * that typing 32 over 64 gives 32, not 3264. */
void
envelope_spin_button_guard (GtkSpinButton *spin)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *focus = gtk_event_controller_focus_new ();

  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_spin_scroll), NULL);
  gtk_widget_add_controller (GTK_WIDGET (spin), scroll);
  g_signal_connect (focus, "enter", G_CALLBACK (on_spin_focus), NULL);
  gtk_widget_add_controller (GTK_WIDGET (spin), focus);
}

/* The spin button of axis @axis among those shown. */
static GtkSpinButton *
spin_for_axis (EnvelopePairEditor *self,
               guint               axis)
{
  GtkSpinButton *three[] = { self->depth_spin, self->height_spin, self->width_spin };

  if (self->n_axes == 3)
    return three[axis];
  if (self->n_axes == 1)
    return self->height_spin;
  return axis == 0 ? self->height_spin : self->width_spin;
}

static gboolean
all_equal (EnvelopePairEditor *self)
{
  for (guint a = 1; a < self->n_axes; a++)
    if (self->values[a] != self->values[0])
      return FALSE;
  return TRUE;
}

static void
on_text_changed (GtkEditable        *editable,
                 EnvelopePairEditor *self)
{
  guint axis = 0;
  gint64 value;

  for (guint a = 0; a < self->n_axes; a++)
    if (GTK_SPIN_BUTTON (editable) == spin_for_axis (self, a))
      axis = a;
  if (self->updating || !envelope_spin_button_parse (GTK_SPIN_BUTTON (editable), &value))
    return;
  if (value == self->values[axis] &&
      (!gtk_toggle_button_get_active (self->link_button) || all_equal (self)))
    return;

  self->values[axis] = value;
  if (gtk_toggle_button_get_active (self->link_button))
    {
      self->updating = TRUE;
      for (guint a = 0; a < self->n_axes; a++)
        if (a != axis)
          {
            self->values[a] = value;
            envelope_spin_button_show (spin_for_axis (self, a), value);
          }
      self->updating = FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_link_toggled (GtkToggleButton    *button,
                 EnvelopePairEditor *self)
{
  gboolean linked = gtk_toggle_button_get_active (button);

  gtk_widget_set_tooltip_text (GTK_WIDGET (button),
                               self->n_axes == 3
                                 ? (linked ? _("Depth, height and width change together; click to set them apart")
                                           : _("Depth, height and width are set apart; click to link them"))
                                 : (linked ? _("Height and width change together; click to set them apart")
                                           : _("Height and width are set apart; click to link them")));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINKED]);
  if (linked && !self->updating && !all_equal (self))
    {
      self->updating = TRUE;
      for (guint a = 1; a < self->n_axes; a++)
        {
          self->values[a] = self->values[0];
          envelope_spin_button_show (spin_for_axis (self, a), self->values[a]);
        }
      self->updating = FALSE;
      g_signal_emit (self, signals[CHANGED], 0);
    }
}

static void
envelope_pair_editor_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), ENVELOPE_TYPE_PAIR_EDITOR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (envelope_pair_editor_parent_class)->dispose (object);
}

static void
envelope_pair_editor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EnvelopePairEditor *self = ENVELOPE_PAIR_EDITOR (object);

  switch (prop_id)
    {
    case PROP_LINKED:
      g_value_set_boolean (value, envelope_pair_editor_get_linked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_pair_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EnvelopePairEditor *self = ENVELOPE_PAIR_EDITOR (object);

  switch (prop_id)
    {
    case PROP_LINKED:
      envelope_pair_editor_set_linked (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_pair_editor_class_init (EnvelopePairEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_pair_editor_dispose;
  object_class->get_property = envelope_pair_editor_get_property;
  object_class->set_property = envelope_pair_editor_set_property;

  properties[PROP_LINKED] =
    g_param_spec_boolean ("linked", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EnvelopePairEditor::changed:
   *
   * The user changed the height, the width or both.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-pair-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopePairEditor, depth_spin);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePairEditor, height_spin);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePairEditor, link_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePairEditor, width_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_text_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_link_toggled);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-pair-editor");
}

static void
envelope_pair_editor_init (EnvelopePairEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  envelope_spin_button_guard (self->depth_spin);
  envelope_spin_button_guard (self->height_spin);
  envelope_spin_button_guard (self->width_spin);
  self->values[0] = self->values[1] = self->values[2] = 1;
  self->n_axes = 2;
  on_link_toggled (self->link_button, self);
}

GtkWidget *
envelope_pair_editor_new (void)
{
  return g_object_new (ENVELOPE_TYPE_PAIR_EDITOR, NULL);
}

void
envelope_pair_editor_set_range (EnvelopePairEditor *self,
                                double              minimum,
                                double              maximum)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  self->updating = TRUE;
  gtk_spin_button_set_range (self->depth_spin, minimum, maximum);
  gtk_spin_button_set_range (self->height_spin, minimum, maximum);
  gtk_spin_button_set_range (self->width_spin, minimum, maximum);
  self->updating = FALSE;
}

/* Shows the values without reporting a change; links the two when they
 * are equal and unlinks them when not. */
void
envelope_pair_editor_set_values (EnvelopePairEditor *self,
                                 gint64              height,
                                 gint64              width)
{
  const gint64 values[] = { height, width };

  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));
  envelope_pair_editor_set_axes (self, 2);
  envelope_pair_editor_set_list (self, values);
}

void
envelope_pair_editor_get_values (EnvelopePairEditor *self,
                                 gint64             *height,
                                 gint64             *width)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  *height = self->values[0];
  *width = self->values[self->n_axes > 1 ? 1 : 0];
}

/* How many values it edits: 1 (a signal's length), 2 (height and
 * width) or 3 (depth, height and width). */
void
envelope_pair_editor_set_axes (EnvelopePairEditor *self,
                               guint               n_axes)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));
  g_return_if_fail (n_axes >= 1 && n_axes <= 3);

  self->n_axes = n_axes;
  gtk_widget_set_visible (GTK_WIDGET (self->depth_spin), n_axes == 3);
  gtk_widget_set_visible (GTK_WIDGET (self->link_button), n_axes > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->width_spin), n_axes > 1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->height_spin), n_axes == 1 ? _("Length") : _("Height"));
}

guint
envelope_pair_editor_get_axes (EnvelopePairEditor *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PAIR_EDITOR (self), 2);
  return self->n_axes;
}

/* Shows one value per axis (as many as set_axes() says), without
 * reporting a change. */
void
envelope_pair_editor_set_list (EnvelopePairEditor *self,
                               const gint64       *values)
{
  gboolean equal = TRUE;

  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  self->updating = TRUE;
  for (guint a = 0; a < self->n_axes; a++)
    {
      self->values[a] = values[a];
      envelope_spin_button_show (spin_for_axis (self, a), values[a]);
      equal &= values[a] == values[0];
    }
  if (!equal)
    gtk_toggle_button_set_active (self->link_button, FALSE);
  self->updating = FALSE;
}

void
envelope_pair_editor_get_list (EnvelopePairEditor *self,
                               gint64             *values)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  for (guint a = 0; a < self->n_axes; a++)
    values[a] = self->values[a];
}

gboolean
envelope_pair_editor_get_linked (EnvelopePairEditor *self)
{
  g_return_val_if_fail (ENVELOPE_IS_PAIR_EDITOR (self), FALSE);
  return gtk_toggle_button_get_active (self->link_button);
}

void
envelope_pair_editor_set_linked (EnvelopePairEditor *self,
                                 gboolean            linked)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->link_button, linked);
  self->updating = FALSE;
}

void
envelope_pair_editor_set_error (EnvelopePairEditor *self,
                                gboolean            error)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  GtkWidget *spins[] = { GTK_WIDGET (self->depth_spin), GTK_WIDGET (self->height_spin), GTK_WIDGET (self->width_spin) };

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      if (error)
        gtk_widget_add_css_class (spins[i], "error");
      else
        gtk_widget_remove_css_class (spins[i], "error");
    }
}

GtkSpinButton *
envelope_pair_editor_get_spin (EnvelopePairEditor *self,
                               guint               axis)
{
  g_return_val_if_fail (ENVELOPE_IS_PAIR_EDITOR (self), NULL);
  return spin_for_axis (self, MIN (axis, self->n_axes - 1));
}
