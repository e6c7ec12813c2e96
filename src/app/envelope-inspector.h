/* envelope-inspector.h: the selected layer's settings and worked formulas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "envelope-canvas.h"
#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_TYPE_INSPECTOR (envelope_inspector_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeInspector, envelope_inspector, ENVELOPE, INSPECTOR, GtkWidget)

void        envelope_inspector_set_document      (EnvelopeInspector *self,
                                                  EnvelopeDocument  *document);
void        envelope_inspector_set_canvas        (EnvelopeInspector *self,
                                                  EnvelopeCanvas    *canvas);
void        envelope_inspector_set_flops         (EnvelopeInspector *self,
                                                  gboolean           flops);

/* For tests: the control of a setting by its key (a GtkSpinButton, an
 * EnvelopePairEditor, a GtkSwitch or an AdwComboRow; "shape:channels",
 * "shape:size", "shape:length" and "padding:size" for the parts of
 * those two), the row that holds it, and the formula shown for a figure. */
GtkWidget  *envelope_inspector_get_field_widget  (EnvelopeInspector *self,
                                                  const char        *key);
GtkWidget  *envelope_inspector_get_field_row     (EnvelopeInspector *self,
                                                  const char        *key);
const char *envelope_inspector_get_rule          (EnvelopeInspector *self,
                                                EnvelopeFigure     figure);
const char *envelope_inspector_get_formula       (EnvelopeInspector *self,
                                                  EnvelopeFigure     figure);
const char *envelope_inspector_get_message       (EnvelopeInspector *self);
/* For tests: the group shown (its name, or %NULL while a layer, an
 * arrow or nothing is), a figure of it by key, and its member rows. */
const char *envelope_inspector_get_group_title   (EnvelopeInspector *self);
const char *envelope_inspector_get_group_figure  (EnvelopeInspector *self,
                                                  const char        *key);
GtkListBox *envelope_inspector_get_group_members (EnvelopeInspector *self);

G_END_DECLS
