/* envelope-cli-export-main.c: `envelope-cli export`, which envelope-cli
 * becomes (execv) with its own command line, "export" at argv[1]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-cli"

#include "config.h"

#include <locale.h>

#include "envelope-cli-export.h"
#include "envelope-paths.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  envelope_paths_init_i18n ();
  g_set_prgname ("envelope-cli");

  return envelope_cli_export (argc, argv);
}
