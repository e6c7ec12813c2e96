/* envelope-palette.h: the layer kinds, to click or drag into the network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ENVELOPE_TYPE_PALETTE (envelope_palette_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopePalette, envelope_palette, ENVELOPE, PALETTE, GtkWidget)

void       envelope_palette_set_search (EnvelopePalette *self,
                                        const char      *text);
GtkWidget *envelope_palette_get_button (EnvelopePalette *self,
                                        const char      *kind);

G_END_DECLS
