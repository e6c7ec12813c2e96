/* test-paths.c: a program in its build directory runs uninstalled
 *
 * The installed case is checked by tests/check-install.sh, on a real
 * prefix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-paths"

#include "config.h"

#include "envelope-paths.h"

static void
test_uninstalled (void)
{
  g_autofree char *vgg16 = NULL;
  g_autofree char *mo = NULL;
  g_autofree char *schema = NULL;

  /* This test program lies inside the build directory. */
  g_assert_true (envelope_paths_running_uninstalled ());
  g_assert_cmpstr (envelope_paths_get_data_dir (), ==, SOURCE_DATADIR);
  g_assert_cmpstr (envelope_paths_get_locale_dir (), ==, BUILD_LOCALEDIR);
  g_assert_cmpstr (envelope_paths_get_schema_dir (), ==, BUILD_SCHEMADIR);
  g_assert_cmpstr (envelope_paths_get_data_dir (), !=, PKGDATADIR);
  g_assert_cmpstr (envelope_paths_get_locale_dir (), !=, LOCALEDIR);

  /* And what it points at is there: the examples, the German catalogue
   * and the compiled schema, all built by `ninja`. */
  vgg16 = g_build_filename (envelope_paths_get_data_dir (), "models", "vgg16.json", NULL);
  mo = g_build_filename (envelope_paths_get_locale_dir (), "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  schema = g_build_filename (envelope_paths_get_schema_dir (), "gschemas.compiled", NULL);
  g_assert_true (g_file_test (vgg16, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (mo, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (schema, G_FILE_TEST_IS_REGULAR));
}

static void
test_same_answer (void)
{
  /* Decided once: every caller gets the same answer. */
  gboolean first = envelope_paths_running_uninstalled ();

  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (envelope_paths_running_uninstalled (), ==, first);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/paths/uninstalled", test_uninstalled);
  g_test_add_func ("/core/paths/same-answer", test_same_answer);

  return g_test_run ();
}
