/* fuzz-load.c: any file, through everything a file goes through
 *
 * One input is read as any format Envelope opens (its own JSON, ONNX,
 * Caffe, Keras), analysed with its training settings, reported in every
 * format, explained layer by layer, saved, and read back: the saved file
 * must load, be equal, and report identically.  Any crash, sanitizer
 * report or failed assertion is a finding.
 *
 * Built once a reader: fuzz-load recognises the format as the CLI and
 * the app do; fuzz-onnx, fuzz-caffe and fuzz-keras (-DFUZZ_FORMAT=…)
 * hand every input to that one importer, so that no mutation is lost
 * to the format detection.  See fuzz-main.c and build-aux/fuzz.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-load"

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import.h"
#include "envelope-network.h"
#include "envelope-report.h"
#include "fuzz.h"

/* The reader every input goes to: one importer, or the format the
 * content says (a Keras target takes both a .keras zip and JSON). */
static EnvelopeFileFormat
fuzz_format (const guint8 *data,
             gsize         size)
{
#if defined (FUZZ_KERAS)
  return size >= 4 && memcmp (data, "PK\003\004", 4) == 0 ? ENVELOPE_FILE_KERAS_ARCHIVE : ENVELOPE_FILE_KERAS_JSON;
#elif defined (FUZZ_FORMAT)
  return FUZZ_FORMAT;
#else
  return ENVELOPE_FILE_UNKNOWN;
#endif
}

gboolean
fuzz_one (const guint8 *data,
          gsize         size)
{
  static const EnvelopeReportFormat formats[] = {
    ENVELOPE_REPORT_TABLE, ENVELOPE_REPORT_JSON, ENVELOPE_REPORT_CSV, ENVELOPE_REPORT_MARKDOWN,
  };
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeAnalysis) analysis_again = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  gsize length = 0;

  network = envelope_import_load_data_as (data, size, "fuzz", fuzz_format (data, size), &notes, &error);
  if (network == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return FALSE;
    }

  /* what is saved must read back, equal */
  saved = envelope_network_to_data (network, &length);
  g_assert_true (g_utf8_validate (saved, (gssize) length, NULL));
  reloaded = envelope_network_load_from_data (saved, (gssize) length, &error);
  if (reloaded == NULL)
    g_error ("a saved network does not load again: %s\n%s", error->message, saved);
  g_assert_true (envelope_network_equal (network, reloaded));

  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  if (analysis == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return TRUE;
    }
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      EnvelopeReportOptions options = { .format = formats[f] };
      g_autofree char *text = envelope_report_write (analysis, &options);

      g_assert_true (g_utf8_validate (text, -1, NULL));
      if (formats[f] == ENVELOPE_REPORT_JSON)
        json = g_steal_pointer (&text);
    }
  for (guint i = 0; i < MIN (envelope_analysis_get_n_layers (analysis), 256); i++)
    envelope_formulas_free (envelope_analysis_explain_layer (analysis, i));
  /* the PyTorch model's timeline, and a checkpoint plan on a budget the
   * step does not fit (a plan walks the step once per block: small
   * networks only) */
  {
    g_autoptr(GError) timeline_error = NULL;
    g_autofree char *timeline = envelope_report_write_timeline (analysis, &timeline_error);

    g_assert_true (timeline != NULL || timeline_error != NULL);
    if (envelope_analysis_get_n_layers (analysis) <= 200)
      {
        const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
        g_autoptr(GError) plan_error = NULL;
        g_autoptr(EnvelopeCheckpointPlan) plan =
          envelope_analysis_plan_checkpoints (analysis, MAX (m->batch, 1), m->pytorch.peak.total / 2 + 1, &plan_error);

        g_assert_true (plan != NULL || plan_error != NULL);
        if (plan != NULL)
          {
            g_autofree char *text = envelope_checkpoint_plan_describe (plan, ENVELOPE_UNITS_IEC);
            g_assert_true (g_utf8_validate (text, -1, NULL));
            g_assert_cmpuint (plan->peak_planned, <=, plan->peak_plain);
          }
      }
  }

  /* the saved network reports the same figures */
  analysis_again = envelope_analysis_new (reloaded, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
    json_again = envelope_report_write (analysis_again, &options);
  }
  g_assert_cmpstr (json, ==, json_again);
  return TRUE;
}

