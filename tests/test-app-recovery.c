/* test-app-recovery.c: never losing work
 *
 * The app is killed with SIGKILL in the middle of an edit, and the next
 * start offers the work back; a clean close leaves nothing behind; a
 * save into a read-only folder says why and loses nothing; recent files
 * and files dropped on the window open.
 *
 * The killed app is this program itself, started again with
 * "--victim FILE": it opens FILE, edits it, waits for the autosave,
 * edits again, says "ready" and waits to be killed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-recovery"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-app-helpers.h"
#include "test-unprivileged.h"

static const char *program;

static const char *
total (EnvelopeWindow *window,
       const char     *which)
{
  return envelope_totals_bar_get_text (window->totals_bar, which);
}

static guint
count_autosaves (void)
{
  g_autofree char *dir = envelope_autosave_dup_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

static guint
filters_of (EnvelopeWindow *window,
            const char     *layer)
{
  const EnvelopeNetwork *network = envelope_document_get_network (window->document);
  gint index = envelope_network_find_layer (network, layer);

  g_assert_cmpint (index, >=, 0);
  return envelope_network_get_layer (network, (guint) index)->filters;
}

/* conv2's filters in an autosave file; 0 while there is none. */
static guint
filters_in_file (const char *autosave)
{
  g_autoptr(EnvelopeRecovery) recovery = envelope_autosave_read (autosave, NULL);
  gint index;

  if (recovery == NULL || (index = envelope_network_find_layer (recovery->network, "conv2")) < 0)
    return 0;
  return envelope_network_get_layer (recovery->network, (guint) index)->filters;
}

/* A copy of an example in the tests' temporary folder. */
static char *
copy_model (const char *model,
            const char *name)
{
  g_autofree char *source = app_test_model_path (model);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *path = app_test_temp_path (name);
  gsize length;

  g_file_get_contents (source, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, contents, (gssize) length, &error);
  g_assert_no_error (error);
  return path;
}

/* ------------------------------------------------------------------ */
/* The process that gets killed                                        */

static int
run_victim (const char *path)
{
  EnvelopeWindow *window = app_test_window_new ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  const char *autosave = envelope_autosave_get_path (window->autosave);
  gint64 deadline;

  g_assert_true (envelope_window_open (window, file));
  app_test_select (window, "conv2");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (64)));
  g_assert_cmpstr (total (window, "params"), ==, "1,625,866");

  /* The app's own timer writes it, a few seconds after the edit. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_file_test (autosave, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    app_test_spin (50);
  g_assert_true (g_file_test (autosave, G_FILE_TEST_EXISTS));

  /* Mid-edit: this change is younger than the autosave interval. */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (48)));
  printf ("ready %s\n", autosave);
  fflush (stdout);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 1;
}

/* Starts the victim on @path and kills it once it is ready; returns the
 * autosave file it had written. */
static char *
kill_victim (const char *path)
{
  const char *argv[] = { program, "--victim", path, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int out_fd, status;
  FILE *out;
  char line[4096] = "";

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  out = fdopen (out_fd, "r");
  g_assert_nonnull (out);
  while (fgets (line, sizeof line, out) != NULL && !g_str_has_prefix (line, "ready "))
    ;
  g_assert_true (g_str_has_prefix (line, "ready "));
  g_strchomp (line);

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  fclose (out);
  g_spawn_close_pid (pid);
  return g_strdup (line + strlen ("ready "));
}

/* ------------------------------------------------------------------ */

/* A process killed while its worker thread wrote an autosave leaves a
 * partial copy behind: the next start removes it, and leaves a running
 * process's own. */
static void
test_partial_copy_removed (void)
{
  g_autofree char *dir = envelope_autosave_dup_dir ();
  g_autofree char *dead = NULL, *alive = NULL;
  g_autoptr(GPtrArray) orphans = NULL;
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  dead = g_strdup_printf ("%s/%d-1.json.writing", dir, (int) pid);
  alive = g_strdup_printf ("%s/%d-99.json.writing", dir, (int) getpid ());
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dead, "{\"format\": \"envelope-autosave\", \"net", -1, NULL));
  g_assert_true (g_file_set_contents (alive, "{", -1, NULL));

  orphans = envelope_autosave_find_orphans ();
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (alive, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (orphans->len, ==, 0);
  g_assert_cmpint (g_unlink (alive), ==, 0);
}

static void
test_recover_after_kill (void)
{
  g_autofree char *path = copy_model ("mnist.json", "killed.json");
  g_autofree char *original = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *body = NULL;
  EnvelopeWindow *window;
  GFile *file;

  g_assert_true (g_file_get_contents (path, &original, NULL, NULL));
  orphan = kill_victim (path);
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));

  /* The killed process never saved: the file is as it was. */
  {
    g_autofree char *now = NULL;
    g_assert_true (g_file_get_contents (path, &now, NULL, NULL));
    g_assert_cmpstr (now, ==, original);
  }

  /* The next start asks. */
  window = app_test_window_new ();
  g_assert_true (envelope_window_offer_recovery (window));
  g_assert_nonnull (window->message_dialog);
  g_object_get (window->message_dialog, "body", &body, NULL);
  g_assert_nonnull (strstr (body, "MNIST convnet (killed.json)"));
  app_test_wait_frames (window->message_dialog, 1);
  app_test_screenshot (window->message_dialog, "recovery-offer");

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->message_dialog), "recover");
  app_test_wait_frames (GTK_WIDGET (window), 2);

  /* The autosaved edit is back, unsaved, and Save writes the old file. */
  g_assert_cmpuint (filters_of (window, "conv2"), ==, 64);
  g_assert_cmpstr (total (window, "params"), ==, "1,625,866");
  g_assert_cmpstr (total (window, "macs"), ==, "16,283,392");
  g_assert_true (envelope_document_get_dirty (window->document));
  file = envelope_document_get_file (window->document);
  g_assert_nonnull (file);
  {
    g_autofree char *recovered_path = g_file_get_path (file);
    g_assert_cmpstr (recovered_path, ==, path);
  }
  app_test_screenshot (GTK_WIDGET (window), "recovered");

  /* The orphan is gone; this window keeps its own copy until saved. */
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (envelope_autosave_get_path (window->autosave), G_FILE_TEST_EXISTS));
  g_assert_false (envelope_window_offer_recovery (window));

  app_test_activate (window, "win.save", NULL);
  g_assert_false (envelope_document_get_dirty (window->document));
  g_assert_false (g_file_test (envelope_autosave_get_path (window->autosave), G_FILE_TEST_EXISTS));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EnvelopeNetwork) saved = envelope_network_load_from_file (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (envelope_network_get_layer (saved, (guint) envelope_network_find_layer (saved, "conv2"))->filters,
                      ==, 64);
  }
  g_assert_cmpuint (count_autosaves (), ==, 0);
  app_test_window_destroy (window);
}

/* Closing the question keeps the work for later; Discard forgets it. */
static void
test_later_or_discard (void)
{
  g_autofree char *path = copy_model ("mnist.json", "later.json");
  g_autofree char *orphan = kill_victim (path);
  EnvelopeWindow *window = app_test_window_new ();

  g_assert_true (envelope_window_offer_recovery (window));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->message_dialog), "later");
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (envelope_document_is_pristine (window->document));

  g_assert_true (envelope_window_offer_recovery (window));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->message_dialog), "discard");
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (envelope_document_is_pristine (window->document));
  g_assert_false (envelope_window_offer_recovery (window));
  g_assert_cmpuint (count_autosaves (), ==, 0);
  app_test_window_destroy (window);
}

/* The autosave lives exactly as long as there are unsaved changes. */
static void
test_autosave_follows_changes (void)
{
  g_autofree char *path = copy_model ("mnist.json", "changes.json");
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *autosave = g_strdup (envelope_autosave_get_path (window->autosave));
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeRecovery) copy = NULL;

  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  g_assert_true (envelope_autosave_flush (window->autosave, &error));
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));      /* nothing to keep */

  app_test_select (window, "fc1");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "units", g_variant_new_int64 (256)));
  g_assert_true (envelope_autosave_flush (window->autosave, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (autosave, G_FILE_TEST_EXISTS));

  /* What it holds is the network as edited, and where it belongs. */
  copy = envelope_autosave_read (autosave, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (copy->network, envelope_document_get_network (window->document)));
  g_assert_true (g_file_equal (copy->file, envelope_document_get_file (window->document)));

  /* Undone to the saved state: gone.  Redone: back. */
  app_test_activate (window, "win.undo", NULL);
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));
  app_test_activate (window, "win.redo", NULL);
  g_assert_true (envelope_autosave_flush (window->autosave, &error));
  g_assert_true (g_file_test (autosave, G_FILE_TEST_EXISTS));

  /* The window's own files are never offered back while it runs. */
  g_assert_false (envelope_window_offer_recovery (window));

  /* Closing and discarding on purpose leaves nothing behind. */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_nonnull (window->message_dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->message_dialog), "discard");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_autosaves (), ==, 0);
  g_object_unref (window);
}

/* The timer's write runs in a worker thread on a copy: what lands is the
 * network as it was when the timer fired, and a write overtaken by the
 * work being saved or undone leaves nothing behind. */
static void
test_autosave_in_thread (void)
{
  g_autofree char *path = copy_model ("mnist.json", "thread.json");
  EnvelopeWindow *window = app_test_window_new ();
  g_autofree char *autosave = g_strdup (envelope_autosave_get_path (window->autosave));
  g_autofree char *writing = g_strconcat (autosave, ".writing", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeRecovery) copy = NULL;
  gint64 deadline;

  envelope_autosave_set_interval (window->autosave, 1);
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_select (window, "conv2");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (64)));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!envelope_autosave_is_writing (window->autosave) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (envelope_autosave_is_writing (window->autosave));
  /* edited again while the copy is written: that edit waits its turn */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (48)));
  while ((envelope_autosave_is_writing (window->autosave) || filters_in_file (autosave) != 48) &&
         g_get_monotonic_time () < deadline)
    app_test_spin (5);
  g_assert_cmpuint (filters_in_file (autosave), ==, 48);
  copy = envelope_autosave_read (autosave, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (copy->network, envelope_document_get_network (window->document)));
  g_assert_false (g_file_test (writing, G_FILE_TEST_EXISTS));

  /* undone to the file as saved while a write is in flight: gone, and
   * the write does not bring it back */
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (40)));
  while (!envelope_autosave_is_writing (window->autosave) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (envelope_autosave_is_writing (window->autosave));
  for (guint i = 0; i < 3 && envelope_document_get_dirty (window->document); i++)
    app_test_activate (window, "win.undo", NULL);
  g_assert_false (envelope_document_get_dirty (window->document));
  while (envelope_autosave_is_writing (window->autosave) && g_get_monotonic_time () < deadline)
    app_test_spin (5);
  app_test_spin (20);
  g_assert_false (envelope_autosave_is_writing (window->autosave));
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (writing, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_autosaves (), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A save into a folder that cannot be written says why, and keeps the
 * old file, the work, and its autosave. */
static void
test_save_read_only_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-read-only-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "mnist.json", NULL);
  g_autofree char *source = app_test_model_path ("mnist.json");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *message = NULL;
  EnvelopeWindow *window;
  GtkWidget *dialog;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (source, &before, NULL, NULL));
  g_assert_true (g_file_set_contents (path, before, -1, NULL));
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  if (access (dir, W_OK) == 0)
    {
      g_chmod (dir, 0755);
      g_test_skip ("running as a user who can write into a read-only folder");
      return;
    }

  window = app_test_window_new ();
  app_test_activate (window, "win.open-file", g_variant_new_string (path));
  app_test_select (window, "conv2");
  app_test_activate (window, "win.set-field", g_variant_new ("(sv)", "filters", g_variant_new_int64 (64)));
  app_test_activate (window, "win.save", NULL);

  dialog = window->message_dialog;
  g_assert_nonnull (dialog);
  g_object_get (dialog, "body", &message, NULL);
  {
    g_autofree char *expected = g_strdup_printf ("%s cannot be saved: the folder %s cannot be written "
                                                 "(permission denied). The file on disk is as it was.",
                                                 path, dir);
    g_assert_cmpstr (message, ==, expected);
  }
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "“mnist.json” Cannot Be Saved");
  app_test_screenshot (dialog, "save-read-only");

  g_assert_true (envelope_document_get_dirty (window->document));
  g_assert_cmpuint (filters_of (window, "conv2"), ==, 64);
  g_assert_cmpstr (total (window, "params"), ==, "1,625,866");
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_assert_true (envelope_autosave_flush (window->autosave, &error));
  g_assert_true (g_file_test (envelope_autosave_get_path (window->autosave), G_FILE_TEST_EXISTS));

  /* Save As somewhere writable then works. */
  {
    g_autofree char *elsewhere = app_test_temp_path ("elsewhere.json");
    app_test_activate (window, "win.save-to", g_variant_new_string (elsewhere));
    g_assert_false (envelope_document_get_dirty (window->document));
    g_assert_false (g_file_test (envelope_autosave_get_path (window->autosave), G_FILE_TEST_EXISTS));
  }
  g_chmod (dir, 0755);
  gtk_window_destroy (GTK_WINDOW (dialog));
  app_test_window_destroy (window);
}

/* The recent networks: opened and saved files, in the open button's
 * menu, newest first; choosing one opens it. */
static void
test_recent_files (void)
{
  g_autofree char *first = copy_model ("lenet5.json", "recent-lenet.json");
  g_autofree char *second = copy_model ("alexnet.json", "recent-alexnet.json");
  g_autofree char *uri = NULL;
  EnvelopeWindow *window = app_test_window_new ();
  GMenuModel *menu, *recent;
  g_autoptr(GFile) file = g_file_new_for_path (second);
  g_autofree char *label = NULL;
  g_autofree char *target = NULL;

  app_test_activate (window, "win.open-file", g_variant_new_string (first));
  app_test_spin (50);
  app_test_activate (window, "win.open-file", g_variant_new_string (second));
  uri = g_file_get_uri (file);
  g_assert_true (gtk_recent_manager_has_item (gtk_recent_manager_get_default (), uri));

  /* The manager tells its windows once its file is written; earlier
   * tests opened files too, and those come after these two. */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    recent = NULL;
    do
      {
        g_clear_object (&recent);
        g_clear_pointer (&label, g_free);
        app_test_spin (20);
        menu = adw_split_button_get_menu_model (window->open_button);
        recent = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
        g_menu_model_get_item_attribute (recent, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label);
      }
    while (!g_str_has_prefix (label, "recent-alexnet.json — ") && g_get_monotonic_time () < deadline);
  }
  g_assert_cmpint (g_menu_model_get_n_items (recent), >=, 2);
  g_assert_true (g_str_has_prefix (label, "recent-alexnet.json — "));
  g_clear_pointer (&label, g_free);
  g_assert_true (g_menu_model_get_item_attribute (recent, 1, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_true (g_str_has_prefix (label, "recent-lenet.json — "));
  g_assert_true (g_menu_model_get_item_attribute (recent, 1, G_MENU_ATTRIBUTE_TARGET, "s", &target));
  g_object_unref (recent);

  /* The older one, chosen from the menu. */
  app_test_activate (window, "win.open-file", g_variant_new_string (target));
  g_assert_cmpstr (envelope_document_get_network (window->document)->name, ==, "LeNet-5");
  app_test_window_destroy (window);
}

static GtkDropTarget *
find_file_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller) &&
          gdk_content_formats_contain_gtype (gtk_drop_target_get_formats (GTK_DROP_TARGET (controller)),
                                             GDK_TYPE_FILE_LIST))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

/* Files dropped on the window open, one window each. */
static void
test_drop_files (void)
{
  g_autofree char *first = copy_model ("vgg16.json", "dropped-vgg.json");
  g_autofree char *second = copy_model ("resnet18.json", "dropped-resnet.json");
  EnvelopeWindow *window = app_test_window_new ();
  GtkDropTarget *target = find_file_drop_target (GTK_WIDGET (window));
  g_autoptr(GFile) a = g_file_new_for_path (first);
  g_autoptr(GFile) b = g_file_new_for_path (second);
  GFile *files[] = { a, b };
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();
  guint n_before = g_list_model_get_n_items (toplevels);
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  EnvelopeWindow *other = NULL;

  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, G_N_ELEMENTS (files)));
  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  app_test_wait_frames (GTK_WIDGET (window), 2);

  g_assert_true (g_file_equal (envelope_document_get_file (window->document), a));
  g_assert_cmpstr (total (window, "params"), ==, "138,357,544");
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, n_before + 1);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);
      if (ENVELOPE_IS_WINDOW (toplevel) && toplevel != G_OBJECT (window))
        other = ENVELOPE_WINDOW (toplevel);
    }
  g_assert_nonnull (other);
  g_assert_true (g_file_equal (envelope_document_get_file (other->document), b));
  g_assert_cmpstr (total (other, "params"), ==, "11,699,112");
  app_test_window_destroy (other);
  app_test_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  test_give_up_root ();
  app_test_init (&argc, &argv);
  program = argv[0];

  if (argc == 3 && g_str_equal (argv[1], "--victim"))
    return run_victim (argv[2]);

  g_test_add_func ("/app/recovery/partial-copy-removed", test_partial_copy_removed);
  g_test_add_func ("/app/recovery/after-kill", test_recover_after_kill);
  g_test_add_func ("/app/recovery/later-or-discard", test_later_or_discard);
  g_test_add_func ("/app/recovery/follows-changes", test_autosave_follows_changes);
  g_test_add_func ("/app/recovery/in-thread", test_autosave_in_thread);
  g_test_add_func ("/app/files/save-read-only-folder", test_save_read_only_folder);
  g_test_add_func ("/app/files/recent", test_recent_files);
  g_test_add_func ("/app/files/drop", test_drop_files);
  return g_test_run ();
}
