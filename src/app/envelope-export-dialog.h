/* envelope-export-dialog.h: the figure's options, with a preview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "envelope-canvas.h"
#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_EXPORT_DIALOG (envelope_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeExportDialog, envelope_export_dialog, ENVELOPE, EXPORT_DIALOG, AdwWindow)

GtkWidget *envelope_export_dialog_new                 (GtkWindow            *parent,
                                                       EnvelopeDocument     *document,
                                                       EnvelopeCanvas       *canvas,
                                                       const char           *basename);
gboolean   envelope_export_dialog_write               (EnvelopeExportDialog *self,
                                                       GFile                *file,
                                                       GError              **error);

/* For tests: whether the preview shown is of the options as they are,
 * its size in pixels, the size of the file it stands for (pixels for a
 * PNG, points for SVG and PDF), and the line that says so. */
gboolean   envelope_export_dialog_get_preview_pending (EnvelopeExportDialog *self);
gboolean   envelope_export_dialog_get_preview_size    (EnvelopeExportDialog *self,
                                                       int                  *width,
                                                       int                  *height);
void       envelope_export_dialog_get_figure_size     (EnvelopeExportDialog *self,
                                                       double               *width,
                                                       double               *height);
const char *envelope_export_dialog_get_summary        (EnvelopeExportDialog *self);

G_END_DECLS
