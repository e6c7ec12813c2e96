/* envelope-import.h: any network file Envelope opens
 *
 * Envelope's own JSON, ONNX, Caffe prototxt and Keras files, recognised
 * by their content, each turned into an ordinary EnvelopeNetwork plus
 * notes for the user (what was assumed, skipped or approximated).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-network.h"

G_BEGIN_DECLS

#define ENVELOPE_IMPORT_ERROR (envelope_import_error_quark ())

/**
 * EnvelopeImportError:
 * @ENVELOPE_IMPORT_ERROR_FORMAT: not a network file of any format Envelope reads
 * @ENVELOPE_IMPORT_ERROR_CORRUPT: the file is of a known format but malformed or truncated
 * @ENVELOPE_IMPORT_ERROR_UNSUPPORTED: the graph's shapes cannot be followed (names the node, its operator and why)
 * @ENVELOPE_IMPORT_ERROR_TOO_LARGE: a size or count beyond what Envelope reads
 *
 * Envelope's own files fail with %ENVELOPE_NETWORK_ERROR as before.
 */
typedef enum
{
  ENVELOPE_IMPORT_ERROR_FORMAT,
  ENVELOPE_IMPORT_ERROR_CORRUPT,
  ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
  ENVELOPE_IMPORT_ERROR_TOO_LARGE,
} EnvelopeImportError;

GQuark envelope_import_error_quark (void);

typedef enum
{
  ENVELOPE_FILE_UNKNOWN,
  ENVELOPE_FILE_ENVELOPE,       /* Envelope's own JSON */
  ENVELOPE_FILE_ONNX,           /* an ONNX ModelProto */
  ENVELOPE_FILE_CAFFE,          /* a Caffe prototxt (NetParameter, text format) */
  ENVELOPE_FILE_KERAS_JSON,     /* model.to_json() */
  ENVELOPE_FILE_KERAS_ARCHIVE,  /* a .keras zip holding config.json */
  ENVELOPE_N_FILE_FORMATS
} EnvelopeFileFormat;

const char         *envelope_file_format_get_name  (EnvelopeFileFormat format);
EnvelopeFileFormat  envelope_import_detect         (const guint8      *data,
                                                    gsize              length,
                                                    const char        *path);

EnvelopeNetwork    *envelope_import_load_data      (const guint8      *data,
                                                    gsize              length,
                                                    const char        *path,
                                                    EnvelopeFileFormat *format,
                                                    GPtrArray        **notes,
                                                    GError           **error);
EnvelopeNetwork    *envelope_import_load_data_as   (const guint8      *data,
                                                    gsize              length,
                                                    const char        *path,
                                                    EnvelopeFileFormat format,
                                                    GPtrArray        **notes,
                                                    GError           **error);
EnvelopeNetwork    *envelope_import_load_file      (const char        *path,
                                                    EnvelopeFileFormat *format,
                                                    GPtrArray        **notes,
                                                    GError           **error);

G_END_DECLS
