/* envelope-document.h: one open network, its file, its history and figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "envelope-analysis.h"
#include "envelope-network.h"

G_BEGIN_DECLS

/* What an edit touched, so that views redo only what they must. */
typedef enum
{
  ENVELOPE_CHANGE_FIGURES   = 1 << 0,  /* settings: figures, block sizes */
  ENVELOPE_CHANGE_STRUCTURE = 1 << 1,  /* layers added, removed, renamed or rewired */
  ENVELOPE_CHANGE_TRAINING  = 1 << 2,  /* batch, dtype, optimizer, device */
  ENVELOPE_CHANGE_VIEW      = 1 << 3,  /* colour mode, overlay, style, direction */
  ENVELOPE_CHANGE_FILE      = 1 << 4,  /* a new network, opened or saved */
  ENVELOPE_CHANGE_UNITS     = 1 << 5,  /* the same figures, in other units */
  ENVELOPE_CHANGE_ALL       = 0x3f,
} EnvelopeChange;

#define ENVELOPE_TYPE_DOCUMENT (envelope_document_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeDocument, envelope_document, ENVELOPE, DOCUMENT, GObject)

EnvelopeDocument      *envelope_document_new                (void);

gboolean               envelope_document_load               (EnvelopeDocument       *self,
                                                             GFile                  *file,
                                                             GError                **error);
void                   envelope_document_replace            (EnvelopeDocument       *self,
                                                             EnvelopeNetwork        *network,
                                                             GFile                  *file);
void                   envelope_document_recover            (EnvelopeDocument       *self,
                                                             EnvelopeNetwork        *network,
                                                             GFile                  *file);
gboolean               envelope_document_save               (EnvelopeDocument       *self,
                                                             GFile                  *file,
                                                             GError                **error);

const EnvelopeNetwork *envelope_document_get_network        (EnvelopeDocument       *self);
GFile                 *envelope_document_get_file           (EnvelopeDocument       *self);
GFile                 *envelope_document_get_source         (EnvelopeDocument       *self);
void                   envelope_document_take_imported      (EnvelopeDocument       *self,
                                                             EnvelopeNetwork        *network,
                                                             GFile                  *source,
                                                             GPtrArray              *notes);
GPtrArray             *envelope_document_get_notes          (EnvelopeDocument       *self);
char                  *envelope_document_dup_title          (EnvelopeDocument       *self);
gboolean               envelope_document_get_dirty          (EnvelopeDocument       *self);
gboolean               envelope_document_is_pristine        (EnvelopeDocument       *self);

const EnvelopeAnalysis *envelope_document_get_analysis      (EnvelopeDocument       *self);

/* The analysis with the copy of the network it was made from, held
 * together for as long as a reader (a worker thread) needs them. */
typedef struct _EnvelopeAnalysed EnvelopeAnalysed;

EnvelopeAnalysed      *envelope_document_ref_analysed       (EnvelopeDocument       *self);
EnvelopeAnalysed      *envelope_analysed_ref                (EnvelopeAnalysed       *analysed);
void                   envelope_analysed_unref              (EnvelopeAnalysed       *analysed);
const EnvelopeAnalysis *envelope_analysed_get_analysis      (const EnvelopeAnalysed *analysed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeAnalysed, envelope_analysed_unref)
gint                   envelope_document_get_figures_index  (EnvelopeDocument       *self,
                                                             guint                   layer);
gboolean               envelope_document_get_edited_layer   (EnvelopeDocument       *self,
                                                             gint                   *layer);
const guint           *envelope_document_get_changed_layers (EnvelopeDocument       *self,
                                                             guint                  *n_layers);
const GError          *envelope_document_get_error          (EnvelopeDocument       *self);
gint                   envelope_document_get_error_layer    (EnvelopeDocument       *self);
const char            *envelope_document_get_error_field    (EnvelopeDocument       *self);

gint                   envelope_document_get_selected_layer (EnvelopeDocument       *self);
void                   envelope_document_select_layer       (EnvelopeDocument       *self,
                                                             gint                    layer);
void                   envelope_document_select_group       (EnvelopeDocument       *self,
                                                             const char             *group,
                                                             gint                    layer);
const char            *envelope_document_get_selected_group (EnvelopeDocument       *self);
gboolean               envelope_document_get_selected_edge  (EnvelopeDocument       *self,
                                                             guint                  *from,
                                                             guint                  *to);
void                   envelope_document_select_edge        (EnvelopeDocument       *self,
                                                             guint                   from,
                                                             guint                   to);

/* Edits: each is one step of the history (or joins the previous one). */
gboolean               envelope_document_update_layer       (EnvelopeDocument       *self,
                                                             guint                   index,
                                                             const EnvelopeLayer    *settings,
                                                             const char             *merge_key);
gint                   envelope_document_insert_layer       (EnvelopeDocument       *self,
                                                             EnvelopeLayerType       type,
                                                             gint                    after);
gint                   envelope_document_duplicate_layer    (EnvelopeDocument       *self,
                                                             guint                   index);
void                   envelope_document_delete_layer       (EnvelopeDocument       *self,
                                                             guint                   index);
gboolean               envelope_document_connect            (EnvelopeDocument       *self,
                                                             guint                   from,
                                                             guint                   to,
                                                             GError                **error);
gboolean               envelope_document_disconnect         (EnvelopeDocument       *self,
                                                             guint                   from,
                                                             guint                   to,
                                                             GError                **error);
gboolean               envelope_document_set_training       (EnvelopeDocument       *self,
                                                             const EnvelopeTraining *training,
                                                             const char             *merge_key);
gboolean               envelope_document_set_name           (EnvelopeDocument       *self,
                                                             const char             *name);

gboolean               envelope_document_can_undo           (EnvelopeDocument       *self);
gboolean               envelope_document_can_redo           (EnvelopeDocument       *self);
gboolean               envelope_document_undo               (EnvelopeDocument       *self);
gboolean               envelope_document_redo               (EnvelopeDocument       *self);

/* The app's own state, kept in the file's "view" object; not part of
 * the history, but it makes the document dirty. */
const char            *envelope_document_get_view_string    (EnvelopeDocument       *self,
                                                             const char             *key,
                                                             const char             *fallback);
gboolean               envelope_document_get_view_boolean   (EnvelopeDocument       *self,
                                                             const char             *key,
                                                             gboolean                fallback);
void                   envelope_document_set_view_string    (EnvelopeDocument       *self,
                                                             const char             *key,
                                                             const char             *value);
void                   envelope_document_set_view_boolean   (EnvelopeDocument       *self,
                                                             const char             *key,
                                                             gboolean                value);

void                   envelope_document_set_default_device (EnvelopeDocument       *self,
                                                             const char             *name);
void                   envelope_document_set_units          (EnvelopeDocument       *self,
                                                             EnvelopeUnits           units);
const EnvelopeTraining *envelope_document_get_training      (EnvelopeDocument       *self);

G_END_DECLS
