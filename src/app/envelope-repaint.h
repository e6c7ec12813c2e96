/* envelope-repaint.h: a widget's changes repainted as one rectangle
 *
 * GTK repaints what differs between two frames as a region, a rectangle
 * for each text that changed; past 30 rectangles it gives up and
 * repaints the whole window.  A new setting changes a few figures in each
 * of the table, the inspector and the totals bar, which together pass
 * that bound, so that every edit repainted everything.  A widget that
 * says when its content changed (envelope_repaint_changed()) and ends its
 * snapshot with envelope_repaint_snapshot() is repainted as a single
 * rectangle, its own, however many of its texts changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct
{
  guint serial;
} EnvelopeRepaint;

void envelope_repaint_changed  (EnvelopeRepaint *repaint,
                                GtkWidget       *widget);
void envelope_repaint_snapshot (EnvelopeRepaint *repaint,
                                GtkWidget       *widget,
                                GtkSnapshot     *snapshot);

G_END_DECLS
