/* envelope-paths.c: where the data, settings and translations are
 *
 * A program runs either from its build directory, where the example
 * networks are in the source tree, the schema is compiled into the build
 * directory and the translations into po/LANG/LC_MESSAGES there; or from where
 * `meson install` put it, where all three are under the prefix.  The one
 * test is where the executable is: inside the build directory it was
 * built in, or not.  An installed program thus never reads the source
 * tree, even when that still exists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-paths"

#include "config.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-paths.h"

/* Whether @path lies inside the directory @dir (both absolute and free
 * of symbolic links). */
static gboolean
path_is_inside (const char *path,
                const char *dir)
{
  gsize len = strlen (dir);

  while (len > 1 && dir[len - 1] == G_DIR_SEPARATOR)
    len--;
  return strncmp (path, dir, len) == 0 && path[len] == G_DIR_SEPARATOR;
}

/**
 * envelope_paths_running_uninstalled:
 *
 * Returns: whether this program is the one in the build directory it was
 *   built in (/proc/self/exe lies inside BUILD_ROOT), rather than an
 *   installed copy.
 */
gboolean
envelope_paths_running_uninstalled (void)
{
  static gsize state = 0;

  if (g_once_init_enter (&state))
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      char root[PATH_MAX];
      gboolean inside = FALSE;

      if (exe != NULL && realpath (BUILD_ROOT, root) != NULL)
        inside = path_is_inside (exe, root);
      g_debug ("%s runs %s: data in %s, translations in %s, settings schema %s",
               exe ? exe : "(unknown)", inside ? "uninstalled" : "installed",
               inside ? SOURCE_DATADIR : PKGDATADIR, inside ? BUILD_LOCALEDIR : LOCALEDIR,
               inside ? "in " BUILD_SCHEMADIR : "from the system");
      g_once_init_leave (&state, inside ? 2 : 1);
    }
  return state == 2;
}

/**
 * envelope_paths_get_data_dir:
 *
 * Returns: the directory of the example networks' folder `models`: the
 *   source tree's `data` when running uninstalled, PKGDATADIR otherwise.
 */
const char *
envelope_paths_get_data_dir (void)
{
  return envelope_paths_running_uninstalled () ? SOURCE_DATADIR : PKGDATADIR;
}

/**
 * envelope_paths_get_locale_dir:
 *
 * Returns: where the translations are: the build's `po` when
 *   running uninstalled, LOCALEDIR otherwise.
 */
const char *
envelope_paths_get_locale_dir (void)
{
  return envelope_paths_running_uninstalled () ? BUILD_LOCALEDIR : LOCALEDIR;
}

/**
 * envelope_paths_get_schema_dir:
 *
 * Returns: (nullable): the directory with the compiled settings schema
 *   when running uninstalled; %NULL when installed, where the system's
 *   schemas (and GSETTINGS_SCHEMA_DIR) apply.
 */
const char *
envelope_paths_get_schema_dir (void)
{
  return envelope_paths_running_uninstalled () ? BUILD_SCHEMADIR : NULL;
}

/**
 * envelope_paths_get_module_dir:
 *
 * Returns: where the modules that programs load are (the diagram export
 *   of envelope-cli): the build's `src/cli` when running uninstalled,
 *   PKGLIBDIR otherwise.
 */
const char *
envelope_paths_get_module_dir (void)
{
  return envelope_paths_running_uninstalled () ? BUILD_CLIDIR : PKGLIBDIR;
}

/**
 * envelope_paths_init_i18n:
 *
 * Binds the message catalogue to its directory and makes it the
 * default, in UTF-8.  Call after setlocale().
 */
void
envelope_paths_init_i18n (void)
{
  bindtextdomain (GETTEXT_PACKAGE, envelope_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* See envelope-i18n-private.h.  Asking setlocale() for the current
 * locale takes no lock. */
char *
envelope_gettext (const char *msgid)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  if (messages != NULL && (strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0))
    return (char *) msgid;
  return (char *) g_dgettext (GETTEXT_PACKAGE, msgid);
}
