/* envelope-pair-editor.c
 *
 * Both spin buttons report every keystroke that leaves a whole number in
 * them, so the figures follow the typing; while linked, the other one
 * follows as well.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-pair-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "envelope-pair-editor.h"

struct _EnvelopePairEditor
{
  GtkWidget parent_instance;

  GtkSpinButton *height_spin;
  GtkToggleButton *link_button;
  GtkSpinButton *width_spin;

  gint64 values[2];
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

static void
on_text_changed (GtkEditable        *editable,
                 EnvelopePairEditor *self)
{
  guint axis = GTK_SPIN_BUTTON (editable) == self->height_spin ? 0 : 1;
  gint64 value;

  if (self->updating || !envelope_spin_button_parse (GTK_SPIN_BUTTON (editable), &value))
    return;
  if (value == self->values[axis] &&
      (!gtk_toggle_button_get_active (self->link_button) || self->values[0] == self->values[1]))
    return;

  self->values[axis] = value;
  if (gtk_toggle_button_get_active (self->link_button))
    {
      GtkSpinButton *other = axis == 0 ? self->width_spin : self->height_spin;

      self->values[1 - axis] = value;
      self->updating = TRUE;
      envelope_spin_button_show (other, value);
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
                               linked ? _("Height and width change together; click to set them apart")
                                      : _("Height and width are set apart; click to link them"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINKED]);
  if (linked && !self->updating && self->values[0] != self->values[1])
    {
      self->values[1] = self->values[0];
      self->updating = TRUE;
      envelope_spin_button_show (self->width_spin, self->values[1]);
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
  self->values[0] = self->values[1] = 1;
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
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  self->updating = TRUE;
  self->values[0] = height;
  self->values[1] = width;
  envelope_spin_button_show (self->height_spin, height);
  envelope_spin_button_show (self->width_spin, width);
  if (height != width)
    gtk_toggle_button_set_active (self->link_button, FALSE);
  self->updating = FALSE;
}

void
envelope_pair_editor_get_values (EnvelopePairEditor *self,
                                 gint64             *height,
                                 gint64             *width)
{
  g_return_if_fail (ENVELOPE_IS_PAIR_EDITOR (self));

  *height = self->values[0];
  *width = self->values[1];
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

  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->height_spin), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->width_spin), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->height_spin), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->width_spin), "error");
    }
}

GtkSpinButton *
envelope_pair_editor_get_spin (EnvelopePairEditor *self,
                               guint               axis)
{
  g_return_val_if_fail (ENVELOPE_IS_PAIR_EDITOR (self), NULL);
  return axis == 0 ? self->height_spin : self->width_spin;
}
