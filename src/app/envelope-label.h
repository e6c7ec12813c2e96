/* envelope-label.h: a label's text, set only when it reads differently
 *
 * Setting a label's text, even to the one it has, makes GTK measure and
 * paint it again; the figures are set anew on every edit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Returns 1 when the text changed, 0 when it stayed. */
static inline guint
envelope_label_keep_text (GtkLabel   *label,
                          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) == 0)
    return 0;
  gtk_label_set_text (label, text);
  return 1;
}

/* The same with a text of the caller's, which it frees. */
static inline void
envelope_label_take_text (GtkLabel *label,
                          char     *text)
{
  envelope_label_keep_text (label, text);
  g_free (text);
}

G_END_DECLS
