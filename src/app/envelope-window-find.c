/* envelope-window-find.c: finding a layer by name or kind
 *
 * Ctrl+F shows a search entry over the diagram.  Each layer whose name
 * or kind holds the text is a match; Enter and Ctrl+G go to the next,
 * Shift+Enter and Shift+Ctrl+G to the one before, and the match is
 * selected, its collapsed block opened and brought into view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "envelope-label.h"
#include "envelope-layer-kind.h"
#include "envelope-overview.h"
#include "envelope-window-private.h"

static gboolean
layer_matches (const EnvelopeLayer *layer,
               const char          *folded)
{
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
  g_autofree char *name = g_utf8_casefold (layer->name, -1);
  g_autofree char *label = g_utf8_casefold (_(kind->label), -1);

  return strstr (name, folded) != NULL || strstr (kind->id, folded) != NULL || strstr (label, folded) != NULL;
}

/* Selects the next match after the selection (@step 1) or before it
 * (@step -1), or the first at or after it (@step 0), and says which of
 * how many it is. */
static void
find_step (EnvelopeWindow *self,
           int             step)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->find_entry));
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  guint n = envelope_network_get_n_layers (network);
  gint selected = envelope_document_get_selected_layer (self->document);
  g_autofree char *folded = NULL;
  g_autofree gint *matches = NULL;
  guint n_matches = 0;
  gint chosen = -1;

  if (text[0] == '\0')
    {
      gtk_label_set_text (self->find_label, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->find_entry), "error");
      return;
    }
  folded = g_utf8_casefold (text, -1);
  matches = g_new (gint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (layer_matches (envelope_network_get_layer (network, i), folded))
      matches[n_matches++] = (gint) i;

  if (n_matches == 0)
    {
      gtk_label_set_text (self->find_label, _("No match"));
      gtk_widget_add_css_class (GTK_WIDGET (self->find_entry), "error");
      gtk_widget_error_bell (GTK_WIDGET (self->find_entry));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->find_entry), "error");

  if (step >= 0)
    {
      /* the first match at (step 0) or after (step 1) the selection */
      chosen = 0;
      for (guint k = 0; k < n_matches; k++)
        if (matches[k] > selected - (step == 0 ? 1 : 0))
          {
            chosen = (gint) k;
            break;
          }
    }
  else
    {
      chosen = (gint) n_matches - 1;
      for (gint k = (gint) n_matches - 1; k >= 0; k--)
        if (matches[k] < selected)
          {
            chosen = k;
            break;
          }
    }

  envelope_document_select_layer (self->document, matches[chosen]);
  envelope_canvas_open_layer (self->canvas, matches[chosen]);
  envelope_canvas_reveal_selection (self->canvas);
  envelope_label_take_text (self->find_label,
                            g_strdup_printf (_("%u of %u"), (guint) chosen + 1, n_matches));
}

static void
on_search_changed (GtkSearchEntry *entry,
                   EnvelopeWindow *self)
{
  find_step (self, 0);
}

static void
on_next_match (GtkSearchEntry *entry,
               EnvelopeWindow *self)
{
  find_step (self, 1);
}

static void
on_previous_match (GtkSearchEntry *entry,
                   EnvelopeWindow *self)
{
  find_step (self, -1);
}

static void
on_stop_search (GtkSearchEntry *entry,
                EnvelopeWindow *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->find_revealer), FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

static gboolean
on_entry_key (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              EnvelopeWindow        *self)
{
  /* Shift+Enter: the one before */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_SHIFT_MASK))
    {
      find_step (self, -1);
      return TRUE;
    }
  return FALSE;
}

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->find_revealer), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->find_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->find_entry), 0, -1);
}

static void
find_next_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->find_revealer), TRUE);
  find_step (self, g_str_equal (action_name, "win.find-previous") ? -1 : 1);
}

static void
zoom_selection_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  envelope_canvas_zoom_to_selection (ENVELOPE_WINDOW (widget)->canvas);
}

/* "win.find-text" s: finds @text as typing it would (for tests and
 * the command line). */
static void
find_text_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EnvelopeWindow *self = ENVELOPE_WINDOW (widget);

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->find_revealer), TRUE);
  g_signal_handlers_block_by_func (self->find_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->find_entry), g_variant_get_string (parameter, NULL));
  g_signal_handlers_unblock_by_func (self->find_entry, on_search_changed, self);
  find_step (self, 0);
}

static GtkWidget *
flat_button (const char *icon,
             const char *tooltip,
             const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* The overview map takes the corner where it hides least (see
 * envelope_overview_place()), never over the selected block. */
static void
place_overview (EnvelopeCanvas *canvas,
                EnvelopeWindow *self)
{
  gint layer = envelope_document_get_selected_layer (self->document);
  const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (canvas);
  gint block = -1;

  /* the selected layer's block, looked up rather than searched for by
   * name: this runs after every frame */
  if (diagram != NULL && layer >= 0 && (guint) layer < envelope_diagram_get_n_layers (diagram))
    block = envelope_diagram_find_block (diagram, (guint) layer);
  envelope_overview_place (ENVELOPE_OVERVIEW (self->overview), block);
}

/* The find bar, over the top right corner of the diagram, and the
 * overview map in the bottom right one. */
void
envelope_window_setup_find (EnvelopeWindow *self)
{
  GtkWidget *overlay = gtk_widget_get_parent (GTK_WIDGET (self->canvas));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkEventController *keys;

  self->find_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_search_entry_set_key_capture_widget (self->find_entry, NULL);
  g_object_set (self->find_entry, "placeholder-text", _("Find a layer by name or kind"), NULL);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->find_entry), 24);
  g_signal_connect (self->find_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->find_entry, "activate", G_CALLBACK (on_next_match), self);
  g_signal_connect (self->find_entry, "next-match", G_CALLBACK (on_next_match), self);
  g_signal_connect (self->find_entry, "previous-match", G_CALLBACK (on_previous_match), self);
  g_signal_connect (self->find_entry, "stop-search", G_CALLBACK (on_stop_search), self);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->find_entry), keys);

  self->find_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_width_chars (self->find_label, 9);
  gtk_widget_add_css_class (GTK_WIDGET (self->find_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->find_label), "numeric");

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->find_entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->find_label));
  gtk_box_append (GTK_BOX (box), flat_button ("go-up-symbolic", _("Previous Match"), "win.find-previous"));
  gtk_box_append (GTK_BOX (box), flat_button ("go-down-symbolic", _("Next Match"), "win.find-next"));
  gtk_box_append (GTK_BOX (box), flat_button ("zoom-fit-best-symbolic", _("Zoom to the Selection"), "win.zoom-selection"));
  gtk_widget_add_css_class (box, "toolbar");
  gtk_widget_add_css_class (box, "osd");
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_end (box, 6);

  self->find_revealer = gtk_revealer_new ();
  gtk_revealer_set_transition_type (GTK_REVEALER (self->find_revealer), GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (GTK_REVEALER (self->find_revealer), box);
  gtk_widget_set_halign (self->find_revealer, GTK_ALIGN_END);
  gtk_widget_set_valign (self->find_revealer, GTK_ALIGN_START);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->find_revealer);

  /* the map of the whole network, bottom right, while it does not fit */
  {
    GtkWidget *map = envelope_overview_new (self->canvas);

    self->overview = map;
    gtk_overlay_add_overlay (GTK_OVERLAY (overlay), map);
    g_signal_connect (self->canvas, "view-changed", G_CALLBACK (place_overview), self);
  }
}

void
envelope_window_class_install_find (EnvelopeWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_install_action (widget_class, "win.find-next", NULL, find_next_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.find-next", NULL);
  gtk_widget_class_install_action (widget_class, "win.find-previous", NULL, find_next_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.find-previous", NULL);
  gtk_widget_class_install_action (widget_class, "win.find-text", "s", find_text_activated);
  gtk_widget_class_install_action (widget_class, "win.zoom-selection", NULL, zoom_selection_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.zoom-selection", NULL);
}
