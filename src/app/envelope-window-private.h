/* envelope-window-private.h: what the window's units and tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-autosave.h"
#include "envelope-canvas.h"
#include "envelope-export-dialog.h"
#include "envelope-inspector.h"
#include "envelope-layer-table.h"
#include "envelope-palette.h"
#include "envelope-totals-bar.h"
#include "envelope-window.h"

G_BEGIN_DECLS

struct _EnvelopeWindow
{
  AdwApplicationWindow parent_instance;

  EnvelopeDocument *document;
  EnvelopeAutosave *autosave;

  /* template children */
  AdwWindowTitle *window_title;
  AdwSplitButton *new_button;
  AdwSplitButton *open_button;
  AdwToastOverlay *toast_overlay;
  EnvelopePalette *palette;
  GtkWidget *palette_separator;
  GtkPaned *center_paned;
  EnvelopeCanvas *canvas;
  GtkWidget *empty_hint;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkWidget *error_show_button;
  GtkWidget *error_undo_button;
  GtkLabel *zoom_label;
  EnvelopeLayerTable *layer_table;
  EnvelopeInspector *inspector;
  EnvelopeTotalsBar *totals_bar;

  /* finding a layer (envelope-window-find.c) */
  GtkWidget *find_revealer;
  GtkSearchEntry *find_entry;
  GtkLabel *find_label;
  GtkWidget *overview;

  /* the view, kept in the file's "view" object */
  char *color_mode;
  char *diagram_style;
  char *direction;
  char *detail;
  gboolean receptive_field;
  gboolean flops;
  gboolean show_palette;         /* a setting, not the file's */

  GtkFileChooserNative *chooser;
  GtkWidget *export_dialog;      /* the Export Figure window, while it is open */
  GtkWidget *message_dialog;     /* the last error shown, for tests */
  char *last_message;
  gboolean close_confirmed;
  gboolean close_after_save;     /* Save As chosen in the close dialog */

  /* presentation mode: the presentation, and what it stands in for */
  GtkWidget *presentation;
  GtkWidget *normal_content;
  GtkWidget *normal_focus;
  gboolean presentation_was_fullscreen;

  /* the actions envelope_window_update_actions() enables, as last set */
  guint actions_enabled;
  guint actions_set;
};

void     envelope_window_class_install_actions (EnvelopeWindowClass *klass);
void     envelope_window_class_install_find    (EnvelopeWindowClass *klass);
void     envelope_window_setup_find            (EnvelopeWindow      *self);
void     envelope_window_update_actions        (EnvelopeWindow      *self);
void     envelope_window_sync_view             (EnvelopeWindow      *self);
void     envelope_window_show_error            (EnvelopeWindow      *self,
                                                const char          *title,
                                                const GError        *error);
void     envelope_window_present_message       (EnvelopeWindow      *self,
                                                GtkWidget           *dialog);
void     envelope_window_toast                 (EnvelopeWindow      *self,
                                                const char          *message);
gboolean envelope_window_save_to               (EnvelopeWindow      *self,
                                                GFile               *file);
gboolean envelope_window_export_to             (EnvelopeWindow      *self,
                                                GFile               *file,
                                                const EnvelopeCanvasExport *options,
                                                GError             **error);
void     envelope_window_populate_examples     (EnvelopeWindow      *self);
void     envelope_window_add_recent            (EnvelopeWindow      *self,
                                                GFile               *file);
void     envelope_window_setup_files           (EnvelopeWindow      *self);

void     envelope_window_set_presenting        (EnvelopeWindow      *self,
                                                gboolean             presenting);
gboolean envelope_window_get_presenting        (EnvelopeWindow      *self);
void     envelope_window_sync_presentation     (EnvelopeWindow      *self);
void     envelope_window_clear_presentation    (EnvelopeWindow      *self);

G_END_DECLS
