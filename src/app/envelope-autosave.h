/* envelope-autosave.h: the work in progress, kept safe from a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "envelope-document.h"

G_BEGIN_DECLS

#define ENVELOPE_AUTOSAVE_ERROR (envelope_autosave_error_quark ())

typedef enum
{
  ENVELOPE_AUTOSAVE_ERROR_FORMAT,   /* not an autosave file, or a newer one */
} EnvelopeAutosaveError;

GQuark envelope_autosave_error_quark (void);

#define ENVELOPE_TYPE_AUTOSAVE (envelope_autosave_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopeAutosave, envelope_autosave, ENVELOPE, AUTOSAVE, GObject)

EnvelopeAutosave *envelope_autosave_new          (EnvelopeDocument *document);
void              envelope_autosave_set_interval (EnvelopeAutosave *self,
                                                  guint             milliseconds);
gboolean          envelope_autosave_flush        (EnvelopeAutosave *self,
                                                  GError          **error);
void              envelope_autosave_discard      (EnvelopeAutosave *self);
const char       *envelope_autosave_get_path     (EnvelopeAutosave *self);
gboolean          envelope_autosave_is_writing   (EnvelopeAutosave *self);

/* What a process that ended without closing its windows left behind. */
typedef struct
{
  char *path;                 /* the autosave file */
  EnvelopeNetwork *network;
  GFile *file;                /* where the network was saved, or NULL */
  GDateTime *saved;           /* when it was autosaved */
} EnvelopeRecovery;

void       envelope_recovery_free           (EnvelopeRecovery *recovery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeRecovery, envelope_recovery_free)

char      *envelope_autosave_dup_dir        (void);
GPtrArray *envelope_autosave_find_orphans   (void);
EnvelopeRecovery *envelope_autosave_read    (const char *path,
                                             GError    **error);

G_END_DECLS
