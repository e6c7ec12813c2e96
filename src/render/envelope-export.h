/* envelope-export.h: a diagram as a PNG, SVG or PDF file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-diagram.h"
#include "envelope-layout.h"
#include "envelope-renderer.h"
#include "envelope-timeline.h"

G_BEGIN_DECLS

#define ENVELOPE_EXPORT_ERROR (envelope_export_error_quark ())

/**
 * EnvelopeExportError:
 * @ENVELOPE_EXPORT_ERROR_FORMAT: the file name ends in none of .png, .svg, .pdf
 * @ENVELOPE_EXPORT_ERROR_TOO_LARGE: the image would be larger than an image
 *   can be (32,767 pixels a side); a smaller scale or a vector format helps
 * @ENVELOPE_EXPORT_ERROR_WRITE: the file cannot be written (the message
 *   names the file and the system's reason); an existing file is left as
 *   it was
 * @ENVELOPE_EXPORT_ERROR_DRAW: Cairo failed (out of memory, say)
 */
typedef enum
{
  ENVELOPE_EXPORT_ERROR_FORMAT,
  ENVELOPE_EXPORT_ERROR_TOO_LARGE,
  ENVELOPE_EXPORT_ERROR_WRITE,
  ENVELOPE_EXPORT_ERROR_DRAW,
} EnvelopeExportError;

GQuark envelope_export_error_quark (void);

typedef enum
{
  ENVELOPE_EXPORT_PNG,
  ENVELOPE_EXPORT_SVG,
  ENVELOPE_EXPORT_PDF,
} EnvelopeExportFormat;

/**
 * EnvelopeExportOptions:
 * @format: the file type
 * @scale: PNG pixels per point (2 by default: 144 dpi); ignored by the
 *   vector formats, whose unit is the point
 *
 * The page itself (title, legend, totals, background) follows the
 * EnvelopeRenderOptions.
 */
typedef struct
{
  EnvelopeExportFormat format;
  double scale;
} EnvelopeExportOptions;

void     envelope_export_options_init     (EnvelopeExportOptions       *options);
gboolean envelope_export_format_from_path (const char                  *path,
                                           EnvelopeExportFormat        *format);
void     envelope_export_get_size         (const EnvelopeDiagram       *diagram,
                                           const EnvelopeLayout        *layout,
                                           const EnvelopeRenderOptions *render_options,
                                           const EnvelopeExportOptions *options,
                                           double                      *width,
                                           double                      *height);
GBytes  *envelope_export_to_bytes         (const EnvelopeDiagram       *diagram,
                                           const EnvelopeLayout        *layout,
                                           const EnvelopeRenderOptions *render_options,
                                           const EnvelopeExportOptions *options,
                                           GError                     **error);
gboolean envelope_export_to_file          (const EnvelopeDiagram       *diagram,
                                           const EnvelopeLayout        *layout,
                                           const EnvelopeRenderOptions *render_options,
                                           const EnvelopeExportOptions *options,
                                           const char                  *path,
                                           GError                     **error);
gboolean envelope_export_timeline_to_file (const EnvelopeTimeline      *timeline,
                                           const char                  *title,
                                           const EnvelopeExportOptions *options,
                                           const char                  *path,
                                           GError                     **error);

G_END_DECLS
