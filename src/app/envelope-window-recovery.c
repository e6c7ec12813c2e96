/* envelope-window-recovery.c: offering back the work a crash interrupted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "envelope-window-private.h"

static void
remove_orphan (gpointer data,
               gpointer user_data)
{
  const EnvelopeRecovery *recovery = data;

  if (g_unlink (recovery->path) != 0 && errno != ENOENT)
    g_debug ("Cannot remove %s: %s", recovery->path, g_strerror (errno));
}

/* Opens each recovered network, the first one here when this window is
 * empty, each other one in a window of its own.  The orphan goes only
 * once the network's new window has written its own copy. */
static void
recover (EnvelopeWindow *self,
         GPtrArray      *orphans)
{
  for (guint i = 0; i < orphans->len; i++)
    {
      EnvelopeRecovery *recovery = g_ptr_array_index (orphans, i);
      EnvelopeWindow *target = self;
      g_autoptr(GError) error = NULL;

      if (!envelope_window_is_pristine (target))
        {
          target = envelope_window_new (gtk_window_get_application (GTK_WINDOW (self)));
          gtk_window_set_default_size (GTK_WINDOW (target),
                                       gtk_widget_get_width (GTK_WIDGET (self)),
                                       gtk_widget_get_height (GTK_WIDGET (self)));
          gtk_window_present (GTK_WINDOW (target));
        }
      envelope_document_recover (target->document, g_steal_pointer (&recovery->network), recovery->file);
      if (envelope_autosave_flush (target->autosave, &error))
        remove_orphan (recovery, NULL);
      else
        envelope_window_toast (target, error->message);
    }
}

static void
on_recovery_response (AdwMessageDialog *dialog,
                      const char       *response,
                      EnvelopeWindow   *self)
{
  GPtrArray *orphans = g_object_get_data (G_OBJECT (dialog), "orphans");

  if (g_str_equal (response, "recover"))
    recover (self, orphans);
  else if (g_str_equal (response, "discard"))
    g_ptr_array_foreach (orphans, remove_orphan, NULL);
  /* Otherwise ("later") they stay, to be offered at the next start. */
}

static char *
describe (const EnvelopeRecovery *recovery)
{
  g_autofree char *when = g_date_time_format (recovery->saved, "%c");
  g_autofree char *where = NULL;
  const char *name = recovery->network->name;

  if (name == NULL || name[0] == '\0')
    name = _("Untitled network");
  if (recovery->file != NULL)
    where = g_file_get_basename (recovery->file);
  else
    where = g_strdup (_("not saved"));
  /* Translators: a network's name, its file, and when it was last autosaved */
  return g_strdup_printf (_("• %s (%s), %s"), name, where, when);
}

/* Looks for work that a process which has ended left unsaved and, when
 * there is some, asks whether to open it again.  Returns whether it
 * asked. */
gboolean
envelope_window_offer_recovery (EnvelopeWindow *self)
{
  g_autoptr(GPtrArray) orphans = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  AdwMessageDialog *dialog;

  g_return_val_if_fail (ENVELOPE_IS_WINDOW (self), FALSE);

  orphans = envelope_autosave_find_orphans ();
  if (orphans->len == 0)
    return FALSE;

  g_string_append_printf (body,
                          ngettext ("Envelope stopped while a network had changes that were not saved. "
                                    "Its last autosaved state can be opened again:",
                                    "Envelope stopped while %u networks had changes that were not saved. "
                                    "Their last autosaved states can be opened again:",
                                    orphans->len),
                          orphans->len);
  for (guint i = 0; i < orphans->len; i++)
    {
      g_autofree char *line = describe (g_ptr_array_index (orphans, i));
      g_string_append_printf (body, "\n%s", line);
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Recover Unsaved Work?"), body->str));
  adw_message_dialog_add_responses (dialog,
                                    "discard", _("_Discard"),
                                    "recover", _("_Recover"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "recover", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "recover");
  adw_message_dialog_set_close_response (dialog, "later");
  g_object_set_data_full (G_OBJECT (dialog), "orphans", g_steal_pointer (&orphans),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_recovery_response), self);

  envelope_window_present_message (self, GTK_WIDGET (dialog));
  return TRUE;
}
