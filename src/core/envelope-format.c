/* envelope-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-format"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envelope-format.h"

/**
 * envelope_format_digits:
 * @buffer: (out caller-allocates): at least %ENVELOPE_FORMAT_COUNT_SIZE bytes
 * @value: the number
 * @grouped: whether to group the thousands with commas
 *
 * Writes @value in decimal into @buffer, with no allocation: a report of
 * a million layers writes some fifty million numbers.
 *
 * Returns: the number of bytes written, without the terminating nul
 */
gsize
envelope_format_digits (char    *buffer,
                        guint64  value,
                        gboolean grouped)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];
  gsize n_digits = 1, length = 0, first;
  char *end, *p;

  /* four digits a step */
  for (guint64 rest = value;; rest /= 10000, n_digits += 4)
    {
      if (rest < 10)
        break;
      if (rest < 100)
        {
          n_digits += 1;
          break;
        }
      if (rest < 1000)
        {
          n_digits += 2;
          break;
        }
      if (rest < 10000)
        {
          n_digits += 3;
          break;
        }
    }
  /* ungrouped, straight into @buffer; grouped, into @digits first */
  end = !grouped || n_digits <= 3 ? buffer + n_digits : digits + sizeof digits;
  p = end;

  /* the digits from the last, two at a time: a report writes a number
   * or more for every figure of every layer */
  while (value >= 100)
    {
      guint pair = (guint) (value % 100);

      value /= 100;
      p -= 2;
      memcpy (p, pairs + 2 * pair, 2);
    }
  if (value >= 10)
    {
      p -= 2;
      memcpy (p, pairs + 2 * value, 2);
    }
  else
    *--p = (char) ('0' + value);
  if (!grouped || n_digits <= 3)
    {
      *end = '\0';
      return n_digits;
    }
  /* 1,234,567: the first group holds what the threes leave */
  first = (n_digits - 1) % 3 + 1;
  for (; length < first; length++)
    buffer[length] = p[length];
  for (gsize i = first; i < n_digits; i += 3)
    {
      buffer[length++] = ',';
      memcpy (buffer + length, p + i, 3);
      length += 3;
    }
  buffer[length] = '\0';
  return length;
}

/* Counts are grouped by thousands with a comma whatever the locale: the
 * figures must read the same as the lecture's and the published tables. */
void
envelope_format_append_count (GString *out,
                              guint64  value)
{
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  envelope_string_put (out, digits, envelope_format_digits (digits, value, TRUE));
}

char *
envelope_format_count (guint64 value)
{
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  envelope_format_digits (digits, value, TRUE);
  return g_strdup (digits);
}

/* 1.94E+09, as the lecture's VGG-16 table prints MACs. */
char *
envelope_format_scientific (guint64 value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  int exponent = 0;
  double mantissa = (double) value;

  if (value == 0)
    return g_strdup ("0.00E+00");

  while (mantissa >= 10.0)
    {
      mantissa /= 10.0;
      exponent++;
    }
  /* Rounding may carry into the next power of ten (9.995 → 10.00). */
  if (round (mantissa * 100.0) >= 1000.0)
    {
      mantissa /= 10.0;
      exponent++;
    }
  g_ascii_formatd (buf, sizeof buf, "%.2f", mantissa);
  return g_strdup_printf ("%sE+%02d", buf, exponent);
}

/* A short figure for a diagram: 7.23M, 138M, 15.5G. */
char *
envelope_format_compact (guint64 value)
{
  static const char *suffixes[] = { "", "k", "M", "G", "T", "P", "E" };
  double v = (double) value;
  guint i = 0;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value < 1000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  while (v >= 999.5 && i + 1 < G_N_ELEMENTS (suffixes))
    {
      v /= 1000.0;
      i++;
    }
  g_ascii_formatd (buf, sizeof buf, v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v);
  return g_strconcat (buf, suffixes[i], NULL);
}

/* A whole number and a half under 10^15, as receptive fields' starts
 * are, appended to @out as "%.17g" writes it and as "%.4f" does once
 * its zeros are cut ("-2.5"), without formatting a double.  Returns
 * %FALSE, appending nothing, for any other value. */
gboolean
envelope_format_append_half (GString *out,
                             double   value)
{
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  if (!(fabs (value) < 1e15 && value != floor (value) && value * 2 == floor (value * 2)))
    return FALSE;
  if (value < 0)
    envelope_string_put (out, "-", 1);
  envelope_string_put (out, digits, envelope_format_digits (digits, (guint64) floor (fabs (value)), FALSE));
  envelope_string_put (out, ".5", 2);
  return TRUE;
}

void
envelope_format_append_real (GString *out,
                             double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == floor (value) && fabs (value) < 1e15)
    {
      char digits[ENVELOPE_FORMAT_COUNT_SIZE];

      if (value < 0)
        envelope_string_put (out, "-", 1);
      envelope_string_put (out, digits, envelope_format_digits (digits, (guint64) fabs (value), FALSE));
      return;
    }
  if (!isfinite (value))
    {
      g_string_append (out, value > 0 ? "∞" : value < 0 ? "−∞" : "NaN");
      return;
    }
  if (envelope_format_append_half (out, value))
    return;
  if (fabs (value) >= 1e15)
    {
      /* "%.4f" of 1e34 would not fit the buffer: the digits would be cut */
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.4f", value);
  /* 0.5000 → 0.5 */
  for (char *end = buf + strlen (buf) - 1; end > buf && *end == '0'; end--)
    *end = '\0';
  g_string_append (out, buf);
}

char *
envelope_format_real (double value)
{
  GString *out = g_string_new (NULL);

  envelope_format_append_real (out, value);
  return g_string_free (out, FALSE);
}

char *
envelope_format_bytes (guint64       bytes,
                       EnvelopeUnits units)
{
  static const char *iec[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  static const char *si[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  const char **names = units == ENVELOPE_UNITS_SI ? si : iec;
  double base = units == ENVELOPE_UNITS_SI ? 1000.0 : 1024.0;
  double v = (double) bytes;
  guint i = 0;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (bytes < (guint64) base)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);

  while (v >= base && i + 1 < G_N_ELEMENTS (iec))
    {
      v /= base;
      i++;
    }
  g_ascii_formatd (buf, sizeof buf, v < 9.95 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v);
  return g_strdup_printf ("%s %s", buf, names[i]);
}

char *
envelope_format_percent (guint64 part,
                         guint64 whole)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (whole == 0)
    return g_strdup ("–");
  /* a layer that has some never reads as having none */
  if (part > 0 && 1000.0 * (double) part < (double) whole)
    return g_strdup ("<0.1%");
  g_ascii_formatd (buf, sizeof buf, "%.1f", 100.0 * (double) part / (double) whole);
  return g_strconcat (buf, "%", NULL);
}

/* A round step (1, 2, 2.5 or 5 × 10^k) that cuts @range into at most
 * @n parts, for a plot's axis. */
double
envelope_axis_step (double range,
                    guint  n)
{
  double raw = range / n, magnitude = pow (10, floor (log10 (raw)));
  static const double steps[] = { 1, 2, 2.5, 5, 10 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * magnitude >= raw)
      return steps[i] * magnitude;
  return 10 * magnitude;
}

/* The same in the unit the bytes are shown in (KiB, MiB, GiB or kB, MB,
 * GB…), so that the labels read 5.00 GiB, 10.0 GiB and not 4.66 GiB. */
double
envelope_axis_byte_step (double        range,
                         guint         n,
                         EnvelopeUnits units)
{
  double base = units == ENVELOPE_UNITS_SI ? 1000 : 1024;
  double unit = 1;

  while (range / unit >= base)
    unit *= base;
  return envelope_axis_step (range / unit, n) * unit;
}

/* Strings to make a text in, a few for each thread: a report works out
 * a dozen formulas for each layer, and a GString made and freed for each
 * cost more than the text itself.  Taken in any order, each given back
 * with envelope_scratch_free(); a thread that holds them all gets a
 * string of its own. */
#define N_SCRATCH 8

typedef struct
{
  GString *strings[N_SCRATCH];
  guint taken;               /* a bit for each string out */
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *scratch = data;

  for (guint i = 0; i < N_SCRATCH; i++)
    if (scratch->strings[i] != NULL)
      g_string_free (scratch->strings[i], TRUE);
  g_free (scratch);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);
/* the same pool, read without a call (a report asks for it several
 * times a layer); the GPrivate frees it as the thread ends */
static _Thread_local Scratch *thread_scratch;

/**
 * envelope_scratch_new:
 *
 * An empty string of this thread's to make a text in, as g_string_new()
 * would give, without an allocation once the thread has made a few.
 *
 * Returns: (transfer none): the string, for envelope_scratch_free()
 */
GString *
envelope_scratch_new (void)
{
  Scratch *scratch = thread_scratch;
  GString *string;
  gint i;

  if (scratch == NULL)
    {
      scratch = thread_scratch = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, scratch);
    }
  i = g_bit_nth_lsf (~scratch->taken, -1);
  if (i < 0 || i >= N_SCRATCH)
    return g_string_sized_new (64);
  scratch->taken |= 1u << i;
  if (scratch->strings[i] == NULL)
    scratch->strings[i] = g_string_sized_new (256);
  string = scratch->strings[i];
  string->len = 0;
  string->str[0] = '\0';
  return string;
}

/**
 * envelope_scratch_free:
 * @scratch: a string from envelope_scratch_new()
 *
 * Gives @scratch back, as g_string_free (@scratch, FALSE) would.
 *
 * Returns: (transfer full): a copy of its text, at its length
 */
char *
envelope_scratch_free (GString *scratch)
{
  Scratch *pool = thread_scratch;
  char *text = g_malloc (scratch->len + 1);

  memcpy (text, scratch->str, scratch->len + 1);
  for (guint i = 0; pool != NULL && i < N_SCRATCH; i++)
    if (pool->strings[i] == scratch)
      {
        pool->taken &= ~(1u << i);
        return text;
      }
  g_string_free (scratch, TRUE);
  return text;
}

char *
envelope_format_shape (guint          rank,
                       const guint64 *shape)
{
  GString *out = envelope_scratch_new ();

  for (guint i = 0; i < rank; i++)
    {
      char digits[ENVELOPE_FORMAT_COUNT_SIZE];

      if (i > 0)
        envelope_string_add (out, "×");
      envelope_string_put (out, digits, envelope_format_digits (digits, shape[i], FALSE));
    }
  return envelope_scratch_free (out);
}

/* "12884901888", "12 GiB", "12GiB", "16 GB", "1.5G" (IEC when the unit
 * has no "i" only for the single-letter forms, as people write "12G"). */
gboolean
envelope_parse_bytes (const char *text,
                      guint64    *bytes)
{
  static const struct { const char *unit; double factor; } units[] = {
    { "", 1.0 }, { "b", 1.0 },
    { "k", 1024.0 }, { "kib", 1024.0 }, { "kb", 1e3 },
    { "m", 1048576.0 }, { "mib", 1048576.0 }, { "mb", 1e6 },
    { "g", 1073741824.0 }, { "gib", 1073741824.0 }, { "gb", 1e9 },
    { "t", 1099511627776.0 }, { "tib", 1099511627776.0 }, { "tb", 1e12 },
  };
  g_autofree char *unit = NULL;
  char *end = NULL;
  double value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  value = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (value) || value < 0)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  unit = g_ascii_strdown (end, -1);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (strcmp (unit, units[i].unit) == 0)
        {
          double result = round (value * units[i].factor);

          if (result >= 18446744073709551615.0)
            return FALSE;
          *bytes = (guint64) result;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * envelope_utf8_validate:
 * @text: the bytes
 * @length: how many
 * @end: (out) (optional): where the first byte that is not UTF-8 is
 *
 * g_utf8_validate_len() as glib's (a nul byte is not text), eight ASCII
 * bytes at a time: a file of a million layers is 65 MB of ASCII, which
 * glib's check reads a byte at a time.
 *
 * Returns: whether all @length bytes are UTF-8 text
 */
gboolean
envelope_utf8_validate (const char  *text,
                        gsize        length,
                        const char **end)
{
  const guint64 lows = G_GUINT64_CONSTANT (0x7f7f7f7f7f7f7f7f);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  while (i < length)
    {
      const char *stop;
      gsize n;

      if (length - i >= 8)
        {
          guint64 word;

          memcpy (&word, text + i, sizeof word);
          /* no byte of 0x80 or more; then each byte plus 0x7f, which
           * carries into no other, reaches 0x80 unless it is a nul */
          if ((word & highs) == 0 && ((word + lows) & highs) == highs)
            {
              i += 8;
              continue;
            }
        }
      if (text[i] != '\0' && (guchar) text[i] < 0x80)
        {
          i++;
          continue;
        }
      /* a character of several bytes, or a nul: glib's own check, over
       * at most one character's length */
      n = MIN (length - i, 4);
      if (g_utf8_validate_len (text + i, n, &stop))
        i += n;
      else if (stop > text + i)
        i = (gsize) (stop - text);
      else
        {
          if (end != NULL)
            *end = text + i;
          return FALSE;
        }
    }
  if (end != NULL)
    *end = text + length;
  return TRUE;
}
