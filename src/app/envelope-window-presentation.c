/* envelope-window-presentation.c: the window's presentation mode
 *
 * Entering swaps the window's content for the presentation and makes
 * the window full screen; leaving swaps it back, so the panes, the
 * table, the inspector and the view are exactly as they were: the
 * presentation draws its diagram on a canvas of its own and touches
 * none of them.  The layer shown last stays selected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-presentation.h"
#include "envelope-window-private.h"

static void
enter (EnvelopeWindow *self)
{
  EnvelopeCanvasView view = {
    .color_mode = self->color_mode,
    .diagram_style = self->diagram_style,
    .direction = self->direction,
  };
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);

  self->presentation_was_fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));
  self->normal_content = g_object_ref (adw_application_window_get_content (ADW_APPLICATION_WINDOW (self)));
  self->normal_focus = gtk_root_get_focus (GTK_ROOT (self));
  if (self->normal_focus != NULL)
    g_object_add_weak_pointer (G_OBJECT (self->normal_focus), (gpointer *) &self->normal_focus);

  /* Start from the selected layer, or from the input. */
  if (envelope_document_get_selected_layer (self->document) < 0 && envelope_network_get_n_layers (network) > 0)
    envelope_document_select_layer (self->document, 0);

  self->presentation = envelope_presentation_new (self->document);
  envelope_presentation_set_view (ENVELOPE_PRESENTATION (self->presentation), &view);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), self->presentation);
  gtk_widget_grab_focus (self->presentation);
  if (!self->presentation_was_fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
leave (EnvelopeWindow *self)
{
  /* Escape is handled by the presentation itself: it goes once the key
   * has been dealt with. */
  g_idle_add_once ((GSourceOnceFunc) g_object_unref, g_object_ref (self->presentation));
  self->presentation = NULL;
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), self->normal_content);
  g_clear_object (&self->normal_content);
  if (!self->presentation_was_fullscreen)
    gtk_window_unfullscreen (GTK_WINDOW (self));
  if (self->normal_focus != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->normal_focus), (gpointer *) &self->normal_focus);
      gtk_widget_grab_focus (self->normal_focus);
      self->normal_focus = NULL;
    }
}

void
envelope_window_set_presenting (EnvelopeWindow *self,
                                gboolean        presenting)
{
  g_return_if_fail (ENVELOPE_IS_WINDOW (self));

  if (presenting == envelope_window_get_presenting (self))
    return;
  if (presenting)
    enter (self);
  else
    leave (self);
  envelope_window_update_actions (self);
  g_object_notify (G_OBJECT (self), "presenting");
}

gboolean
envelope_window_get_presenting (EnvelopeWindow *self)
{
  g_return_val_if_fail (ENVELOPE_IS_WINDOW (self), FALSE);
  return self->presentation != NULL;
}

/* The window's view follows into the presentation when it changes there
 * (it cannot be changed from it, but a file can be opened). */
void
envelope_window_sync_presentation (EnvelopeWindow *self)
{
  EnvelopeCanvasView view = {
    .color_mode = self->color_mode,
    .diagram_style = self->diagram_style,
    .direction = self->direction,
  };

  if (self->presentation != NULL)
    envelope_presentation_set_view (ENVELOPE_PRESENTATION (self->presentation), &view);
}

/* On the way out, whatever the mode. */
void
envelope_window_clear_presentation (EnvelopeWindow *self)
{
  if (self->normal_focus != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->normal_focus), (gpointer *) &self->normal_focus);
  self->normal_focus = NULL;
  self->presentation = NULL;
  g_clear_object (&self->normal_content);
}
