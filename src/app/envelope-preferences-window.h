/* envelope-preferences-window.h: the app's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ENVELOPE_TYPE_PREFERENCES_WINDOW (envelope_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopePreferencesWindow, envelope_preferences_window, ENVELOPE, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *envelope_preferences_window_new (GtkWindow *parent);

G_END_DECLS
