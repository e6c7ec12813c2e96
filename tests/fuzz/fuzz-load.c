/* fuzz-load.c: any file, through everything a file goes through
 *
 * One input is read as any format Envelope opens (its own JSON, ONNX,
 * Caffe, Keras), analysed with its training settings, reported in every
 * format, explained layer by layer, saved, and read back: the saved file
 * must load, be equal, and report identically.  Any crash, sanitizer
 * report or failed assertion is a finding.
 *
 * Built two ways: with libFuzzer (-Dfuzzing=true and clang, see
 * build-aux/fuzz.sh), and as a plain program that replays files and
 * folders given on its command line, which the test suite runs on the
 * committed corpus, every past finding included (TAP, one case a file).
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

/* What one input goes through; FALSE only for an input Envelope refuses
 * (which is fine: a refusal is not a finding). */
static gboolean
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

  network = envelope_import_load_data (data, size, "fuzz", NULL, &notes, &error);
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

#ifdef ENVELOPE_LIBFUZZER

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_one (data, size);
  return 0;
}

#else

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    collect (g_ptr_array_index (names, i), files);
}

static void
test_file (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  fuzz_one ((const guint8 *) contents, size);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *test = g_strdup_printf ("/fuzz/replay/%u-%s", i, strrchr (file, '/') ? strrchr (file, '/') + 1 : file);

      g_test_add_data_func (test, file, test_file);
    }
  return g_test_run ();
}

#endif
