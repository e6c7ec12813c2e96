/* fuzz-main.c: a fuzz target's entry points
 *
 * With ENVELOPE_LIBFUZZER, libFuzzer's; otherwise a program that replays
 * the files and folders on its command line through fuzz_one(), one
 * test case a file, which the test suite runs on the committed corpus
 * (every past finding included).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"

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
