/* envelope-paths.h: where the data, settings and translations are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean    envelope_paths_running_uninstalled (void);
const char *envelope_paths_get_data_dir        (void);
const char *envelope_paths_get_locale_dir      (void);
const char *envelope_paths_get_schema_dir      (void);
const char *envelope_paths_get_module_dir      (void);
void        envelope_paths_init_i18n           (void);

G_END_DECLS
