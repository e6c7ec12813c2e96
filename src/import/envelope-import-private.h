/* envelope-import-private.h: what the format readers share
 *
 * One file per format; each turns the bytes of a file into a network and
 * appends notes (plain sentences, translated) to @notes.  @path is for
 * messages and may be NULL.  A reader never trusts a size or count in
 * the file: it checks each against the bytes there are and against
 * ENVELOPE_IMPORT_MAX_* before allocating.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-import.h"

G_BEGIN_DECLS

#define ENVELOPE_IMPORT_MAX_LAYERS 1000000
#define ENVELOPE_IMPORT_MAX_RANK 8

EnvelopeNetwork *envelope_import_onnx          (const guint8 *data,
                                                gsize         length,
                                                const char   *path,
                                                GPtrArray    *notes,
                                                GError      **error);
EnvelopeNetwork *envelope_import_caffe         (const guint8 *data,
                                                gsize         length,
                                                const char   *path,
                                                GPtrArray    *notes,
                                                GError      **error);
EnvelopeNetwork *envelope_import_keras_json    (const guint8 *data,
                                                gsize         length,
                                                const char   *path,
                                                GPtrArray    *notes,
                                                GError      **error);
EnvelopeNetwork *envelope_import_keras_archive (const guint8 *data,
                                                gsize         length,
                                                const char   *path,
                                                GPtrArray    *notes,
                                                GError      **error);

/* Whether the bytes look like each format, for envelope_import_detect(). */
gboolean envelope_import_looks_like_onnx  (const guint8 *data,
                                           gsize         length);
gboolean envelope_import_looks_like_caffe (const guint8 *data,
                                           gsize         length);

void envelope_import_note (GPtrArray  *notes,
                           const char *format,
                           ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
