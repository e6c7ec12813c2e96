/* envelope-import-onnx.c: ONNX models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "envelope-import-private.h"

gboolean
envelope_import_looks_like_onnx (const guint8 *data,
                                 gsize         length)
{
  return FALSE;
}

EnvelopeNetwork *
envelope_import_onnx (const guint8 *data,
                      gsize         length,
                      const char   *path,
                      GPtrArray    *notes,
                      GError      **error)
{
  g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT,
                       _("ONNX models cannot be read yet"));
  return NULL;
}
