/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "envelope-application.h"
#include "envelope-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EnvelopeApplication) app = NULL;

  setlocale (LC_ALL, "");
  envelope_paths_init_i18n ();

  app = envelope_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
