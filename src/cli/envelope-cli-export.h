/* envelope-cli-export.h: envelope-cli export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int envelope_cli_export (int    argc,
                         char **argv);

G_END_DECLS
