/* envelope-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ENVELOPE_APPLICATION_ID "io.github.envelope.Envelope"

#define ENVELOPE_TYPE_APPLICATION (envelope_application_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeApplication, envelope_application, ENVELOPE, APPLICATION, AdwApplication)

EnvelopeApplication *envelope_application_new        (void);

gboolean             envelope_app_init_gtk           (void);
void                 envelope_app_ensure_resources   (void);
char                *envelope_app_dup_models_dir     (void);
GSettings           *envelope_app_get_settings       (void);

G_END_DECLS
