/* benchmark-floor.c: the least a report can cost
 *
 * Reads a network file, tokenizes it with json-glib and writes the file's
 * bytes to standard output: what any program that reads an Envelope file
 * and prints something of its size must spend.  The core benchmark times
 * `envelope-cli report` against it.
 *
 * Usage: envelope-benchmark-floor FILE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-benchmark"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s FILE\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, &length, &error) ||
      !json_parser_load_from_data (parser, contents, (gssize) length, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[1], error->message);
      return 1;
    }
  if (fwrite (contents, 1, length, stdout) != length || fflush (stdout) != 0)
    return 1;
  return 0;
}
