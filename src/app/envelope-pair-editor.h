/* envelope-pair-editor.h: a setting per spatial axis ([h, w], [l] or
 * [d, h, w]) as spin buttons and a link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ENVELOPE_TYPE_PAIR_EDITOR (envelope_pair_editor_get_type ())
G_DECLARE_FINAL_TYPE (EnvelopePairEditor, envelope_pair_editor, ENVELOPE, PAIR_EDITOR, GtkWidget)

GtkWidget *envelope_pair_editor_new         (void);
void       envelope_pair_editor_set_range   (EnvelopePairEditor *self,
                                             double              minimum,
                                             double              maximum);
void       envelope_pair_editor_set_values  (EnvelopePairEditor *self,
                                             gint64              height,
                                             gint64              width);
void       envelope_pair_editor_get_values  (EnvelopePairEditor *self,
                                             gint64             *height,
                                             gint64             *width);
void       envelope_pair_editor_set_axes    (EnvelopePairEditor *self,
                                             guint               n_axes);
guint      envelope_pair_editor_get_axes    (EnvelopePairEditor *self);
void       envelope_pair_editor_set_list    (EnvelopePairEditor *self,
                                             const gint64       *values);
void       envelope_pair_editor_get_list    (EnvelopePairEditor *self,
                                             gint64             *values);
gboolean   envelope_pair_editor_get_linked  (EnvelopePairEditor *self);
void       envelope_pair_editor_set_linked  (EnvelopePairEditor *self,
                                             gboolean            linked);
void       envelope_pair_editor_set_error   (EnvelopePairEditor *self,
                                             gboolean            error);
GtkSpinButton *envelope_pair_editor_get_spin (EnvelopePairEditor *self,
                                              guint               axis);

gboolean   envelope_spin_button_parse       (GtkSpinButton      *spin,
                                             gint64             *value);
void       envelope_spin_button_show        (GtkSpinButton      *spin,
                                             gint64              value);
void       envelope_spin_button_guard       (GtkSpinButton      *spin);
gboolean   envelope_spin_button_wheel       (GtkSpinButton      *spin,
                                             double              dy);

G_END_DECLS
