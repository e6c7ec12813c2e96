/* test-format.c: numbers as the lecture writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-format"

#include "config.h"

#include <string.h>

#include "envelope-format.h"

typedef struct
{
  guint64 value;
  const char *expected;
} CountCase;

static void
test_count (gconstpointer data)
{
  const CountCase *c = data;
  g_autofree char *text = envelope_format_count (c->value);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_scientific (gconstpointer data)
{
  const CountCase *c = data;
  g_autofree char *text = envelope_format_scientific (c->value);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_compact (gconstpointer data)
{
  const CountCase *c = data;
  g_autofree char *text = envelope_format_compact (c->value);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_bytes (void)
{
  static const struct { guint64 bytes; EnvelopeUnits units; const char *expected; } cases[] = {
    { 0, ENVELOPE_UNITS_IEC, "0 B" },
    { 1023, ENVELOPE_UNITS_IEC, "1023 B" },
    { 1024, ENVELOPE_UNITS_IEC, "1.00 KiB" },
    { 3255208, ENVELOPE_UNITS_IEC, "3.10 MiB" },          /* the lecture's 3.1 MiB */
    { 3255208, ENVELOPE_UNITS_SI, "3.26 MB" },
    { G_GUINT64_CONSTANT (12884901888), ENVELOPE_UNITS_IEC, "12.0 GiB" },
    { G_GUINT64_CONSTANT (12884901888), ENVELOPE_UNITS_SI, "12.9 GB" },
    { 999, ENVELOPE_UNITS_SI, "999 B" },
    { 1000, ENVELOPE_UNITS_SI, "1.00 kB" },
    { G_GUINT64_CONSTANT (553437184), ENVELOPE_UNITS_IEC, "528 MiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = envelope_format_bytes (cases[i].bytes, cases[i].units);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_parse_bytes (void)
{
  static const struct { const char *text; gboolean ok; guint64 bytes; } cases[] = {
    { "12884901888", TRUE, G_GUINT64_CONSTANT (12884901888) },
    { "12GiB", TRUE, G_GUINT64_CONSTANT (12884901888) },
    { "12 GiB", TRUE, G_GUINT64_CONSTANT (12884901888) },
    { "12G", TRUE, G_GUINT64_CONSTANT (12884901888) },
    { "16GB", TRUE, G_GUINT64_CONSTANT (16000000000) },
    { "1.5 MiB", TRUE, 1572864 },
    { "512k", TRUE, 524288 },
    { "0", TRUE, 0 },
    { "", FALSE, 0 },
    { "abc", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "12 parsecs", FALSE, 0 },
    { "1e30", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 bytes = 0;
      gboolean ok = envelope_parse_bytes (cases[i].text, &bytes);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_cmpuint (bytes, ==, cases[i].bytes);
    }
}

static void
test_real (void)
{
  static const struct { double value; const char *expected; } cases[] = {
    { 0.5, "0.5" }, { 212, "212" }, { 0.25, "0.25" }, { 1.0 / 3.0, "0.3333" }, { -1.5, "-1.5" }, { 0, "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = envelope_format_real (cases[i].value);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_percent_and_shape (void)
{
  const guint64 shape[3] = { 32, 28, 28 };
  g_autofree char *half = envelope_format_percent (1, 2);
  g_autofree char *none = envelope_format_percent (0, 0);
  g_autofree char *share = envelope_format_percent (7225344, 8255232);
  g_autofree char *tiny = envelope_format_percent (256, 25557032);
  g_autofree char *zero = envelope_format_percent (0, 25557032);
  g_autofree char *chw = envelope_format_shape (3, shape);
  g_autofree char *vector = envelope_format_shape (1, shape);

  g_assert_cmpstr (half, ==, "50.0%");
  g_assert_cmpstr (none, ==, "–");
  g_assert_cmpstr (share, ==, "87.5%");
  /* a batch norm's 256 parameters in ResNet-50: some, not none */
  g_assert_cmpstr (tiny, ==, "<0.1%");
  g_assert_cmpstr (zero, ==, "0.0%");
  g_assert_cmpstr (chw, ==, "32×28×28");
  /* plot axes: round steps, in the unit the labels are written in */
  g_assert_cmpfloat (envelope_axis_step (10, 4), ==, 2.5);
  g_assert_cmpfloat (envelope_axis_step (7, 4), ==, 2);
  g_assert_cmpfloat (envelope_axis_byte_step (12.0 * (1 << 30), 4, ENVELOPE_UNITS_IEC), ==, 5.0 * (1 << 30));
  g_assert_cmpfloat (envelope_axis_byte_step (12e9, 4, ENVELOPE_UNITS_SI), ==, 5e9);
  g_assert_cmpstr (vector, ==, "32");
}

static const CountCase counts[] = {
  { 0, "0" },
  { 999, "999" },
  { 1000, "1,000" },
  { 9216, "9,216" },
  { 813802, "813,802" },
  { 7225344, "7,225,344" },
  { 138357544, "138,357,544" },
  { G_MAXUINT64, "18,446,744,073,709,551,615" },
};

static const CountCase scientific[] = {
  { 1936392192, "1.94E+09" },
  { 2774532096, "2.77E+09" },
  { 4624220160, "4.62E+09" },
  { 1387266048, "1.39E+09" },
  { 411041792, "4.11E+08" },
  { 16777216, "1.68E+07" },
  { 409600, "4.10E+05" },
  { G_GUINT64_CONSTANT (15774859264), "1.58E+10" },
  { 9996, "1.00E+04" },
  { 5, "5.00E+00" },
  { 0, "0.00E+00" },
};

static const CountCase compact[] = {
  { 0, "0" },
  { 999, "999" },
  { 1000, "1.00k" },
  { 7225344, "7.23M" },
  { 138357544, "138M" },
  { G_GUINT64_CONSTANT (15470264320), "15.5G" },
  { 999999, "1.00M" },
};

/* Digits into a caller's buffer, grouped or not, as the reports write
 * every count. */
static void
test_digits (void)
{
  static const struct { guint64 value; const char *plain, *grouped; } cases[] = {
    { 0, "0", "0" },
    { 7, "7", "7" },
    { 9, "9", "9" },
    { 10, "10", "10" },
    { 99, "99", "99" },
    { 100, "100", "100" },
    { 999, "999", "999" },
    { 1000, "1000", "1,000" },
    { 9999, "9999", "9,999" },
    { 10000, "10000", "10,000" },
    { 99999, "99999", "99,999" },
    { 9999999999999999999u, "9999999999999999999", "9,999,999,999,999,999,999" },
    { 10000000000000000000u, "10000000000000000000", "10,000,000,000,000,000,000" },
    { 25557032, "25557032", "25,557,032" },
    { 100000000, "100000000", "100,000,000" },
    { G_MAXUINT64, "18446744073709551615", "18,446,744,073,709,551,615" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char buffer[ENVELOPE_FORMAT_COUNT_SIZE];

      g_assert_cmpuint (envelope_format_digits (buffer, cases[i].value, FALSE), ==, strlen (cases[i].plain));
      g_assert_cmpstr (buffer, ==, cases[i].plain);
      g_assert_cmpuint (envelope_format_digits (buffer, cases[i].value, TRUE), ==, strlen (cases[i].grouped));
      g_assert_cmpstr (buffer, ==, cases[i].grouped);
    }
}

/* The loader's UTF-8 check against glib's, with the character at every
 * offset of the eight-byte words it reads, and ASCII around it. */
static const struct
{
  const char *bytes;
  gsize length;
  gboolean valid;
  gsize bad;                 /* where the first byte that is not text is, when invalid */
} utf8_cases[] = {
  { "plain ASCII, longer than a word", 31, TRUE, 0 },
  { "caf\xc3\xa9", 5, TRUE, 0 },
  { "\xe2\x82\xac\xf0\x9f\x98\x80", 7, TRUE, 0 },
  { "a\x00" "b", 3, FALSE, 1 },
  { "\xc3", 1, FALSE, 0 },                     /* cut short */
  { "ab\xc3(", 4, FALSE, 2 },
  { "\xc0\xaf", 2, FALSE, 0 },                 /* overlong */
  { "x\xed\xa0\x80", 4, FALSE, 1 },            /* a surrogate */
  { "\xf4\x90\x80\x80", 4, FALSE, 0 },         /* above U+10FFFF */
  { "\xc3\xa9\xff", 3, FALSE, 2 },
  { "\x7f\x01\x1f", 3, TRUE, 0 },              /* control characters are text */
};

static void
test_utf8_validate (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (utf8_cases); c++)
    for (gsize before = 0; before < 10; before++)
      {
        g_autoptr(GString) text = g_string_new (NULL);
        const char *end = NULL, *glib_end = NULL;
        gboolean valid, glib_valid;

        for (gsize k = 0; k < before; k++)
          g_string_append_c (text, (char) ('a' + k));
        g_string_append_len (text, utf8_cases[c].bytes, (gssize) utf8_cases[c].length);
        g_string_append (text, "0123456789");
        valid = envelope_utf8_validate (text->str, text->len, &end);
        glib_valid = g_utf8_validate_len (text->str, text->len, &glib_end);
        g_assert_cmpint (valid, ==, utf8_cases[c].valid);
        g_assert_cmpint (valid, ==, glib_valid);
        g_assert_true (end == glib_end);
        if (!valid)
          g_assert_cmpuint ((gsize) (end - text->str), ==, before + utf8_cases[c].bad);
        else
          g_assert_true (end == text->str + text->len);
      }
  /* nothing to check is text */
  g_assert_true (envelope_utf8_validate ("", 0, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/format/count/%s", counts[i].expected);
      g_test_add_data_func (path, &counts[i], test_count);
    }
  for (guint i = 0; i < G_N_ELEMENTS (scientific); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/format/scientific/%u", i);
      g_test_add_data_func (path, &scientific[i], test_scientific);
    }
  for (guint i = 0; i < G_N_ELEMENTS (compact); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/format/compact/%u", i);
      g_test_add_data_func (path, &compact[i], test_compact);
    }
  g_test_add_func ("/core/format/digits", test_digits);
  g_test_add_func ("/core/format/bytes", test_bytes);
  g_test_add_func ("/core/format/parse-bytes", test_parse_bytes);
  g_test_add_func ("/core/format/real", test_real);
  g_test_add_func ("/core/format/percent-and-shape", test_percent_and_shape);
  g_test_add_func ("/core/format/utf8-validate", test_utf8_validate);
  return g_test_run ();
}
