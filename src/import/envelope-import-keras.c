/* envelope-import-keras.c: Keras models, as JSON or in a .keras archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "envelope-import-private.h"

EnvelopeNetwork *
envelope_import_keras_json (const guint8 *data,
                            gsize         length,
                            const char   *path,
                            GPtrArray    *notes,
                            GError      **error)
{
  g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT,
                       _("Keras models cannot be read yet"));
  return NULL;
}

EnvelopeNetwork *
envelope_import_keras_archive (const guint8 *data,
                               gsize         length,
                               const char   *path,
                               GPtrArray    *notes,
                               GError      **error)
{
  g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT,
                       _("Keras archives cannot be read yet"));
  return NULL;
}
