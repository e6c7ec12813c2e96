/* envelope-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_WINDOW (envelope_window_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeWindow, envelope_window, ENVELOPE, WINDOW, AdwApplicationWindow)

EnvelopeWindow   *envelope_window_new           (GtkApplication *application);
EnvelopeDocument *envelope_window_get_document  (EnvelopeWindow *self);
gboolean          envelope_window_is_pristine   (EnvelopeWindow *self);
gboolean          envelope_window_open          (EnvelopeWindow *self,
                                                 GFile          *file);
void            envelope_window_announce_import (EnvelopeWindow *self);
gboolean          envelope_window_offer_recovery (EnvelopeWindow *self);

G_END_DECLS
