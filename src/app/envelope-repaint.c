/* envelope-repaint.c
 *
 * The mark is a transparent colour node over the whole widget whose
 * (invisible) colour follows the content's serial: it draws nothing,
 * but GTK sees it differ from the last frame's when the content changed,
 * and adds the widget's rectangle to the region to repaint, which takes
 * in the rectangles of every text inside it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-repaint"

#include "config.h"

#include "envelope-repaint.h"

void
envelope_repaint_changed (EnvelopeRepaint *repaint,
                          GtkWidget       *widget)
{
  g_return_if_fail (repaint != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  repaint->serial++;
  gtk_widget_queue_draw (widget);
}

void
envelope_repaint_snapshot (EnvelopeRepaint *repaint,
                           GtkWidget       *widget,
                           GtkSnapshot     *snapshot)
{
  GdkRGBA mark = { (repaint->serial % 256) / 255.0, 0, 0, 0 };

  g_return_if_fail (repaint != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_snapshot_append_color (snapshot, &mark,
                             &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                  gtk_widget_get_height (widget)));
}
