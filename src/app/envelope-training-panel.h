/* envelope-training-panel.h: batch, data type, optimizer and GPU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_TRAINING_PANEL (envelope_training_panel_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeTrainingPanel, envelope_training_panel, ENVELOPE, TRAINING_PANEL, GtkWidget)

GtkWidget *envelope_training_panel_new (void);
void envelope_training_panel_set_document (EnvelopeTrainingPanel *self,
                                           EnvelopeDocument      *document);
char *envelope_training_describe          (const EnvelopeTraining *training);

G_END_DECLS
