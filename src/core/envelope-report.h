/* envelope-report.h: an analysis as a table, JSON, CSV or Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "envelope-analysis.h"
#include "envelope-format.h"

G_BEGIN_DECLS

typedef enum
{
  ENVELOPE_REPORT_TABLE,
  ENVELOPE_REPORT_JSON,
  ENVELOPE_REPORT_CSV,
  ENVELOPE_REPORT_MARKDOWN,
} EnvelopeReportFormat;

typedef struct
{
  EnvelopeReportFormat format;
  gboolean flops;            /* FLOPs (2 × MACs), labelled, instead of MACs */
  gboolean scientific;       /* 1.94E+09 as the lecture's table prints it */
  gboolean grouped;          /* one row per group (the "group" field) */
  EnvelopeUnits units;
} EnvelopeReportOptions;

gboolean envelope_report_format_from_string (const char                  *str,
                                             EnvelopeReportFormat        *format);
char    *envelope_report_write              (const EnvelopeAnalysis      *analysis,
                                             const EnvelopeReportOptions *options);
gboolean envelope_report_write_to_file      (const EnvelopeAnalysis      *analysis,
                                             const EnvelopeReportOptions *options,
                                             FILE                        *file,
                                             GError                     **error);
gboolean envelope_report_write_timeline_to_file (const EnvelopeAnalysis *analysis,
                                                 FILE                   *file,
                                                 GError                **error);
char    *envelope_report_explain_layer      (const EnvelopeAnalysis      *analysis,
                                             guint                        index,
                                             const EnvelopeReportOptions *options);
char    *envelope_report_receptive_field    (const EnvelopeReceptiveField *rf,
                                             const guint64                *input_extent);
char    *envelope_report_write_timeline     (const EnvelopeAnalysis      *analysis,
                                             GError                     **error);

G_END_DECLS
