/* envelope-menu.h: a menu button's menu, made when first opened
 *
 * GTK builds a menu's widgets as soon as the button is given its model,
 * while the window is being built; most menus are never opened in a
 * session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

static inline void
envelope_menu_button_set_model_now (GtkMenuButton *button,
                                    gpointer       model)
{
  if (gtk_menu_button_get_menu_model (button) == NULL)
    gtk_menu_button_set_menu_model (button, model);
}

/* @button opens @model, built the first time it is asked to. */
static inline void
envelope_menu_button_set_model_later (GtkMenuButton *button,
                                      GMenuModel    *model)
{
  gtk_menu_button_set_create_popup_func (button, envelope_menu_button_set_model_now, g_object_ref (model),
                                         g_object_unref);
}

G_END_DECLS
