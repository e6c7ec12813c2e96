/* envelope-autosave.c: the work in progress, kept safe from a crash
 *
 * While a document has unsaved changes, a copy of it is written a few
 * seconds after each change to the user's state directory
 * ($XDG_STATE_HOME/envelope/autosave), one file per document, named by
 * the process and a counter.  The timer copies the network and a worker
 * thread writes the copy, so that a large network's JSON is never made
 * on the main thread between an edit and its frame.  The file goes as soon as the document is
 * saved, its changes undone, or its window closed: so a file that is
 * still there while its process is gone is work a crash interrupted,
 * and the next start offers it back.
 *
 * An autosave file is a small JSON object around the network file:
 *
 *   {"format": "envelope-autosave", "version": 1, "pid": 4242,
 *    "saved": "2026-11-30T10:00:00Z", "file": "file:///home/…/vgg.json",
 *    "network": { …the network, as saved… }}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-autosave"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "envelope-autosave.h"

#define AUTOSAVE_FORMAT "envelope-autosave"
#define AUTOSAVE_VERSION 1
#define DEFAULT_INTERVAL_MS 2000

G_DEFINE_QUARK (envelope-autosave-error-quark, envelope_autosave_error)

struct _EnvelopeAutosave
{
  GObject parent_instance;

  EnvelopeDocument *document;   /* weak */
  char *path;
  guint interval;
  guint timeout;
  gboolean pending;             /* changed since the last write */
  gboolean written;             /* the file exists */
  gboolean failed;              /* the last write failed: said once */
  gboolean writing;             /* a worker thread writes a copy now */
  guint generation;             /* bumped when a write in flight must not land */
};

/* What a worker thread writes: a copy of the network, made on the main
 * thread (a few milliseconds for 20,000 layers), so that turning it
 * into JSON and writing it (a hundred or more) never holds up an edit. */
typedef struct
{
  EnvelopeNetwork *network;
  GFile *file;
  char *path;
  char *partial;
  guint generation;
} Job;

static void
job_free (Job *job)
{
  envelope_network_free (job->network);
  g_clear_object (&job->file);
  g_free (job->path);
  g_free (job->partial);
  g_free (job);
}

G_DEFINE_FINAL_TYPE (EnvelopeAutosave, envelope_autosave, G_TYPE_OBJECT)

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
envelope_autosave_dup_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "envelope", "autosave", NULL);
}

void
envelope_recovery_free (EnvelopeRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_free (recovery->path);
  g_clear_pointer (&recovery->network, envelope_network_free);
  g_clear_object (&recovery->file);
  g_clear_pointer (&recovery->saved, g_date_time_unref);
  g_free (recovery);
}

/* @text as a JSON string, quotes and escapes included. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append (out, quoted);
}

/* The network's own file text goes in as it is, not parsed and written
 * again: for a large network that would double the time the main loop
 * spends here. */
static char *
autosave_to_data (const EnvelopeNetwork *network,
                  GFile                 *file,
                  gsize                 *length)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *network_data = envelope_network_to_data (network, NULL);
  g_autofree char *saved = g_date_time_format_iso8601 (now);
  GString *out = g_string_sized_new (strlen (network_data) + 256);

  g_string_append (out, "{\n  \"format\" : ");
  append_json_string (out, AUTOSAVE_FORMAT);
  g_string_append_printf (out, ",\n  \"version\" : %d,\n  \"pid\" : %d,\n  \"saved\" : ", AUTOSAVE_VERSION,
                          (int) getpid ());
  append_json_string (out, saved);
  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_string_append (out, ",\n  \"file\" : ");
      append_json_string (out, uri);
    }
  g_string_append (out, ",\n  \"network\" : ");
  g_string_append (out, network_data);
  g_string_append (out, "\n}\n");
  *length = out->len;
  return g_string_free (out, FALSE);
}

/* Writes @network to @partial, a file beside @path that is renamed over
 * it once whole: a crash mid-write leaves the previous copy as it was.
 * No fsync: this guards against the app crashing, not the machine, and
 * must not stall an edit.  Safe in a worker thread. */
static gboolean
write_partial (const EnvelopeNetwork  *network,
               GFile                  *file,
               const char             *path,
               const char             *partial,
               GError                **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize length;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot make the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  data = autosave_to_data (network, file, &length);
  return g_file_set_contents_full (partial, data, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0600, error);
}

static gboolean
rename_into_place (EnvelopeAutosave  *self,
                   const char        *partial,
                   GError           **error)
{
  if (g_rename (partial, self->path) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), self->path, g_strerror (saved_errno));
      g_unlink (partial);
      return FALSE;
    }
  self->written = TRUE;
  self->failed = FALSE;
  return TRUE;
}

/* Writes the document now if it has changes that are not yet on disk,
 * on this thread; a write in flight in a worker thread is thrown away
 * when it ends, this one being newer. */
gboolean
envelope_autosave_flush (EnvelopeAutosave  *self,
                         GError           **error)
{
  g_autofree char *partial = NULL;

  g_return_val_if_fail (ENVELOPE_IS_AUTOSAVE (self), FALSE);

  g_clear_handle_id (&self->timeout, g_source_remove);
  if (self->document == NULL || !self->pending)
    return TRUE;
  if (!envelope_document_get_dirty (self->document))
    {
      envelope_autosave_discard (self);
      return TRUE;
    }

  self->generation++;
  partial = g_strconcat (self->path, ".part", NULL);
  if (!write_partial (envelope_document_get_network (self->document), envelope_document_get_file (self->document),
                      self->path, partial, error) ||
      !rename_into_place (self, partial, error))
    return FALSE;
  self->pending = FALSE;
  return TRUE;
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (write_partial (job->network, job->file, job->path, job->partial, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean on_timeout (gpointer data);

/* Back on the main thread: the copy goes into place unless it was
 * discarded or overtaken meanwhile; changes made while it was written
 * get a write of their own.  A failure is said once, and again only
 * after a write succeeded. */
static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  EnvelopeAutosave *self = ENVELOPE_AUTOSAVE (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->writing = FALSE;
  if (job->generation != self->generation)
    {
      g_unlink (job->partial);
    }
  else if (!ok || !rename_into_place (self, job->partial, &error))
    {
      g_unlink (job->partial);
      self->pending = TRUE;
      if (!self->failed)
        {
          self->failed = TRUE;
          g_signal_emit (self, signals[FAILED], 0, error);
        }
      return;
    }
  if (self->pending && self->timeout == 0 && self->document != NULL)
    self->timeout = g_timeout_add (self->interval, on_timeout, self);
}

static gboolean
on_timeout (gpointer data)
{
  EnvelopeAutosave *self = data;
  g_autoptr(GTask) task = NULL;
  GFile *file;
  Job *job;

  self->timeout = 0;
  if (self->document == NULL || !self->pending || self->writing)
    return G_SOURCE_REMOVE;   /* a write in flight arms the next one */
  if (!envelope_document_get_dirty (self->document))
    {
      envelope_autosave_discard (self);
      return G_SOURCE_REMOVE;
    }

  file = envelope_document_get_file (self->document);
  job = g_new0 (Job, 1);
  job->network = envelope_network_copy (envelope_document_get_network (self->document));
  job->file = file != NULL ? g_object_ref (file) : NULL;
  job->path = g_strdup (self->path);
  job->partial = g_strconcat (self->path, ".writing", NULL);
  job->generation = self->generation;
  self->pending = FALSE;
  self->writing = TRUE;

  task = g_task_new (self, NULL, on_written, NULL);
  g_task_set_source_tag (task, on_timeout);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, write_in_thread);
  return G_SOURCE_REMOVE;
}

static void
on_document_changed (EnvelopeDocument *document,
                     guint             change,
                     EnvelopeAutosave *self)
{
  if (!envelope_document_get_dirty (document))
    {
      /* Saved, or every change undone: nothing to keep. */
      envelope_autosave_discard (self);
      return;
    }
  self->pending = TRUE;
  if (self->timeout == 0 && !self->writing)
    self->timeout = g_timeout_add (self->interval, on_timeout, self);
}

static void
on_document_notify_dirty (EnvelopeDocument *document,
                          GParamSpec       *pspec,
                          EnvelopeAutosave *self)
{
  on_document_changed (document, 0, self);
}

/* Forgets the work in progress: the document was saved, or closed on
 * purpose.  A later change starts a new file. */
void
envelope_autosave_discard (EnvelopeAutosave *self)
{
  g_return_if_fail (ENVELOPE_IS_AUTOSAVE (self));

  g_clear_handle_id (&self->timeout, g_source_remove);
  self->pending = FALSE;
  self->generation++;           /* a write in flight is thrown away */
  if (self->written && g_unlink (self->path) != 0 && errno != ENOENT)
    g_debug ("Cannot remove %s: %s", self->path, g_strerror (errno));
  self->written = FALSE;
}

void
envelope_autosave_set_interval (EnvelopeAutosave *self,
                                guint             milliseconds)
{
  g_return_if_fail (ENVELOPE_IS_AUTOSAVE (self));
  self->interval = MAX (milliseconds, 1);
}

const char *
envelope_autosave_get_path (EnvelopeAutosave *self)
{
  g_return_val_if_fail (ENVELOPE_IS_AUTOSAVE (self), NULL);
  return self->path;
}

/* Whether a worker thread writes a copy now: its file is in place once
 * the main loop has run after it ends. */
gboolean
envelope_autosave_is_writing (EnvelopeAutosave *self)
{
  g_return_val_if_fail (ENVELOPE_IS_AUTOSAVE (self), FALSE);
  return self->writing;
}

static void
envelope_autosave_dispose (GObject *object)
{
  EnvelopeAutosave *self = ENVELOPE_AUTOSAVE (object);

  g_clear_handle_id (&self->timeout, g_source_remove);
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_object_remove_weak_pointer (G_OBJECT (self->document), (gpointer *) &self->document);
      self->document = NULL;
    }
  G_OBJECT_CLASS (envelope_autosave_parent_class)->dispose (object);
}

static void
envelope_autosave_finalize (GObject *object)
{
  EnvelopeAutosave *self = ENVELOPE_AUTOSAVE (object);

  g_free (self->path);
  G_OBJECT_CLASS (envelope_autosave_parent_class)->finalize (object);
}

static void
envelope_autosave_class_init (EnvelopeAutosaveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = envelope_autosave_dispose;
  object_class->finalize = envelope_autosave_finalize;

  /* Emitted once when a write fails, and again only after one succeeded. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
envelope_autosave_init (EnvelopeAutosave *self)
{
  static guint counter = 0;
  g_autofree char *dir = envelope_autosave_dup_dir ();
  g_autofree char *name = g_strdup_printf ("%d-%u.json", (int) getpid (), ++counter);

  self->path = g_build_filename (dir, name, NULL);
  self->interval = DEFAULT_INTERVAL_MS;
}

EnvelopeAutosave *
envelope_autosave_new (EnvelopeDocument *document)
{
  EnvelopeAutosave *self;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (document), NULL);

  self = g_object_new (ENVELOPE_TYPE_AUTOSAVE, NULL);
  self->document = document;
  g_object_add_weak_pointer (G_OBJECT (document), (gpointer *) &self->document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (document, "notify::dirty", G_CALLBACK (on_document_notify_dirty), self);
  return self;
}

/* ------------------------------------------------------------------ */
/* Reading back                                                        */

EnvelopeRecovery *
envelope_autosave_read (const char  *path,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EnvelopeRecovery) recovery = g_new0 (EnvelopeRecovery, 1);
  g_autofree char *network_data = NULL;
  JsonObject *root;
  JsonNode *network;
  const char *saved, *uri;

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""), AUTOSAVE_FORMAT) != 0 ||
      json_object_get_int_member_with_default (root, "version", 0) < 1 ||
      (network = json_object_get_member (root, "network")) == NULL || !JSON_NODE_HOLDS_OBJECT (network))
    {
      g_set_error (error, ENVELOPE_AUTOSAVE_ERROR, ENVELOPE_AUTOSAVE_ERROR_FORMAT,
                   _("%s: not an autosaved network"), path);
      return NULL;
    }
  if (json_object_get_int_member (root, "version") > AUTOSAVE_VERSION)
    {
      g_set_error (error, ENVELOPE_AUTOSAVE_ERROR, ENVELOPE_AUTOSAVE_ERROR_FORMAT,
                   _("%s: autosaved by a newer version of Envelope"), path);
      return NULL;
    }

  network_data = json_to_string (network, FALSE);
  recovery->network = envelope_network_load_from_data (network_data, -1, error);
  if (recovery->network == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  recovery->path = g_strdup (path);
  saved = json_object_get_string_member_with_default (root, "saved", NULL);
  if (saved != NULL)
    recovery->saved = g_date_time_new_from_iso8601 (saved, NULL);
  if (recovery->saved == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, 0, NULL, NULL);
      recovery->saved = info ? g_file_info_get_modification_date_time (info) : g_date_time_new_now_utc ();
    }
  uri = json_object_get_string_member_with_default (root, "file", NULL);
  if (uri != NULL && uri[0] != '\0')
    recovery->file = g_file_new_for_uri (uri);
  return g_steal_pointer (&recovery);
}

/* Whether the process that wrote an autosave file named "PID-N.json"
 * is still running: its work is its own, not to be offered back. */
static gboolean
writer_is_alive (const char *name)
{
  gint64 pid;
  char *end;

  pid = g_ascii_strtoll (name, &end, 10);
  if (end == name || *end != '-' || pid <= 0 || pid > G_MAXINT)
    return FALSE;
  if (pid == getpid ())
    return TRUE;
  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static int
compare_saved (gconstpointer a,
               gconstpointer b)
{
  const EnvelopeRecovery *x = *(EnvelopeRecovery * const *) a;
  const EnvelopeRecovery *y = *(EnvelopeRecovery * const *) b;

  return g_date_time_compare (x->saved, y->saved);
}

/* The work that processes which are gone left behind, oldest first.
 * A file that cannot be read is left where it is and skipped.  A copy
 * that such a process was still writing ("PID-N.json.writing") holds
 * nothing its last whole autosave does not: it is removed. */
GPtrArray *
envelope_autosave_find_orphans (void)
{
  g_autofree char *dir = envelope_autosave_dup_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  GPtrArray *orphans = g_ptr_array_new_with_free_func ((GDestroyNotify) envelope_recovery_free);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      EnvelopeRecovery *recovery;

      if (g_str_has_suffix (name, ".json.writing") && !writer_is_alive (name))
        {
          g_autofree char *partial = g_build_filename (dir, name, NULL);

          if (g_unlink (partial) != 0)
            g_debug ("Could not remove %s: %s", partial, g_strerror (errno));
          continue;
        }
      if (!g_str_has_suffix (name, ".json") || writer_is_alive (name))
        continue;
      path = g_build_filename (dir, name, NULL);
      recovery = envelope_autosave_read (path, &error);
      if (recovery == NULL)
        {
          g_debug ("Skipping %s", error->message);
          continue;
        }
      g_ptr_array_add (orphans, recovery);
    }
  g_ptr_array_sort (orphans, compare_saved);
  return orphans;
}
