/* envelope-overview.c: the whole diagram in small, with the view on it
 *
 * Shown over a corner of the canvas while the diagram does not fit the
 * view: every block as a small box in its colour, the visible rectangle
 * outlined; a click or a drag moves the view there.  The widget spans
 * the canvas; only its card, in the diagram's proportions and in the
 * bottom right corner (or the top left one, when that hides less of the
 * blocks on screen), is drawn and takes clicks.  A card that cannot help
 * covering blocks lets them show through until the pointer is on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "envelope-overview.h"
#include "envelope-renderer.h"

#define OVERVIEW_WIDTH 220
#define OVERVIEW_HEIGHT 130
#define OVERVIEW_PAD 6
#define OVERVIEW_MARGIN 12
/* the card's opacity while it covers blocks and the pointer is not on it */
#define OVERVIEW_COVERING_OPACITY 0.45

struct _EnvelopeOverview
{
  GtkWidget parent_instance;

  EnvelopeCanvas *canvas;
  /* what the last frame showed, to draw only when it changes */
  const EnvelopeLayout *layout;
  const EnvelopeDiagram *diagram;
  EnvelopeRect visible;
  gboolean top_left;         /* the card in the top left corner */
  gboolean covering;         /* … covering blocks on screen */
  gboolean hovered;          /* the pointer on the card */
  /* what the corner was chosen for, to choose again only when it changes */
  const EnvelopeLayout *placed_layout;
  EnvelopeRect placed_visible;
  gint placed_selected;
};

G_DEFINE_FINAL_TYPE (EnvelopeOverview, envelope_overview, GTK_TYPE_WIDGET)

static gboolean
diagram_fits (EnvelopeOverview *self,
              EnvelopeRect     *bounds,
              EnvelopeRect     *visible)
{
  const EnvelopeLayout *layout = envelope_canvas_get_layout (self->canvas);

  if (layout == NULL)
    return TRUE;
  envelope_layout_get_bounds (layout, bounds);
  envelope_canvas_get_visible (self->canvas, visible);
  return bounds->x >= visible->x - 1 && bounds->y >= visible->y - 1 &&
         bounds->x + bounds->width <= visible->x + visible->width + 1 &&
         bounds->y + bounds->height <= visible->y + visible->height + 1;
}

/* The card: in the diagram's proportions, as large as 220 × 130 allows
 * and no more than a fifth of the canvas's width and a quarter of its
 * height, so that it covers no more of the canvas than the map needs. */
static void
corner_card_rect (EnvelopeOverview   *self,
                  const EnvelopeRect *bounds,
                  gboolean            top_left,
                  EnvelopeRect       *card)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double most_w = CLAMP (gtk_widget_get_width (widget) / 5.0, 80, OVERVIEW_WIDTH);
  double most_h = CLAMP (gtk_widget_get_height (widget) / 4.0, 50, OVERVIEW_HEIGHT);
  double scale = MIN ((most_w - 2 * OVERVIEW_PAD) / MAX (bounds->width, 1),
                      (most_h - 2 * OVERVIEW_PAD) / MAX (bounds->height, 1));

  card->width = MAX (bounds->width * scale, 40) + 2 * OVERVIEW_PAD;
  card->height = MAX (bounds->height * scale, 30) + 2 * OVERVIEW_PAD;
  card->x = top_left ? OVERVIEW_MARGIN : gtk_widget_get_width (widget) - OVERVIEW_MARGIN - card->width;
  card->y = top_left ? OVERVIEW_MARGIN : gtk_widget_get_height (widget) - OVERVIEW_MARGIN - card->height;
}

static void
card_rect (EnvelopeOverview   *self,
           const EnvelopeRect *bounds,
           EnvelopeRect       *card)
{
  corner_card_rect (self, bounds, self->top_left, card);
}

static void
update_opacity (EnvelopeOverview *self,
                gboolean          fits)
{
  gtk_widget_set_opacity (GTK_WIDGET (self), fits ? 0 : self->covering && !self->hovered ? OVERVIEW_COVERING_OPACITY : 1);
}

/* From the map's pixels to the diagram's points, and the scale. */
static double
map_transform (EnvelopeOverview   *self,
               const EnvelopeRect *bounds,
               double             *dx,
               double             *dy)
{
  EnvelopeRect card;
  double w, h, scale;

  card_rect (self, bounds, &card);
  w = card.width - 2 * OVERVIEW_PAD;
  h = card.height - 2 * OVERVIEW_PAD;
  scale = MIN (w / MAX (bounds->width, 1), h / MAX (bounds->height, 1));
  *dx = card.x + OVERVIEW_PAD + (w - bounds->width * scale) / 2 - bounds->x * scale;
  *dy = card.y + OVERVIEW_PAD + (h - bounds->height * scale) / 2 - bounds->y * scale;
  return scale;
}

/* Only the card takes clicks: the canvas shows through the rest. */
static gboolean
envelope_overview_contains (GtkWidget *widget,
                            double     x,
                            double     y)
{
  EnvelopeOverview *self = ENVELOPE_OVERVIEW (widget);
  EnvelopeRect bounds, visible, card;

  if (envelope_canvas_get_layout (self->canvas) == NULL || diagram_fits (self, &bounds, &visible))
    return FALSE;
  card_rect (self, &bounds, &card);
  return x >= card.x && x < card.x + card.width && y >= card.y && y < card.y + card.height;
}

/* After each frame of the canvas: the map again, when what it shows moved. */
static void
on_view_changed (EnvelopeCanvas   *canvas,
                 EnvelopeOverview *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  EnvelopeRect bounds, visible;
  gboolean fits = diagram_fits (self, &bounds, &visible);

  update_opacity (self, fits);
  gtk_widget_set_can_target (widget, !fits);
  if (envelope_canvas_get_layout (self->canvas) != self->layout ||
      envelope_canvas_get_diagram (self->canvas) != self->diagram ||
      memcmp (&visible, &self->visible, sizeof visible) != 0)
    {
      self->layout = envelope_canvas_get_layout (self->canvas);
      self->diagram = envelope_canvas_get_diagram (self->canvas);
      self->visible = visible;
      gtk_widget_queue_draw (widget);
    }
}

static void
envelope_overview_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  EnvelopeOverview *self = ENVELOPE_OVERVIEW (widget);
  const EnvelopeLayout *layout = envelope_canvas_get_layout (self->canvas);
  const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (self->canvas);
  EnvelopeRenderOptions options;
  EnvelopeRect bounds, visible;
  double scale, dx, dy;
  cairo_t *cr;

  if (layout == NULL || diagram == NULL || envelope_layout_get_n_blocks (layout) != envelope_diagram_get_n_blocks (diagram) ||
      diagram_fits (self, &bounds, &visible))
    return;

  envelope_render_options_init (&options);
  scale = map_transform (self, &bounds, &dx, &dy);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                                 gtk_widget_get_height (widget)));
  /* a card of the canvas's own colour, so that the diagram under it
   * does not show through */
  {
    EnvelopeColor background;
    EnvelopeRect card;
    double r = 6, x0, y0, w, h;

    card_rect (self, &bounds, &card);
    x0 = card.x, y0 = card.y, w = card.width, h = card.height;

    envelope_theme_get_background (adw_style_manager_get_dark (adw_style_manager_get_default ())
                                   ? ENVELOPE_THEME_DARK : ENVELOPE_THEME_LIGHT, &background);
    cairo_new_sub_path (cr);
    cairo_arc (cr, x0 + w - r - 0.5, y0 + r + 0.5, r, -G_PI / 2, 0);
    cairo_arc (cr, x0 + w - r - 0.5, y0 + h - r - 0.5, r, 0, G_PI / 2);
    cairo_arc (cr, x0 + r + 0.5, y0 + h - r - 0.5, r, G_PI / 2, G_PI);
    cairo_arc (cr, x0 + r + 0.5, y0 + r + 0.5, r, G_PI, 3 * G_PI / 2);
    cairo_close_path (cr);
    cairo_set_source_rgb (cr, background.red, background.green, background.blue);
    cairo_fill_preserve (cr);
    cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.6);
    cairo_set_line_width (cr, 1);
    cairo_stroke (cr);
  }
  {
    EnvelopeRect card;

    card_rect (self, &bounds, &card);
    cairo_rectangle (cr, card.x, card.y, card.width, card.height);
    cairo_clip (cr);
  }
  /* One path and one fill per colour: a fill per block is most of a
   * frame for a network of 20,000 blocks.  The boxes do not overlap. */
  {
    g_autoptr(GHashTable) paths = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
    GHashTableIter iter;
    gpointer key, value;

    for (guint b = 0; b < envelope_layout_get_n_blocks (layout); b++)
      {
        EnvelopeRect rect;
        EnvelopeColor color;
        guint32 rgb;
        GArray *rects;

        envelope_layout_get_block_rect (layout, b, &rect);
        envelope_render_get_block_color (diagram, &options, b, &color);
        rgb = ((guint32) (CLAMP (color.red, 0, 1) * 255) << 16) | ((guint32) (CLAMP (color.green, 0, 1) * 255) << 8) |
              (guint32) (CLAMP (color.blue, 0, 1) * 255);
        rects = g_hash_table_lookup (paths, GUINT_TO_POINTER (rgb + 1));
        if (rects == NULL)
          {
            rects = g_array_new (FALSE, FALSE, sizeof (EnvelopeRect));
            g_hash_table_insert (paths, GUINT_TO_POINTER (rgb + 1), rects);
          }
        rect = (EnvelopeRect) { dx + rect.x * scale, dy + rect.y * scale,
                                MAX (rect.width * scale, 1), MAX (rect.height * scale, 1) };
        g_array_append_val (rects, rect);
      }
    g_hash_table_iter_init (&iter, paths);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        guint32 rgb = GPOINTER_TO_UINT (key) - 1;
        GArray *rects = value;

        cairo_new_path (cr);
        for (guint k = 0; k < rects->len; k++)
          {
            const EnvelopeRect *r = &g_array_index (rects, EnvelopeRect, k);
            cairo_rectangle (cr, r->x, r->y, r->width, r->height);
          }
        cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
        cairo_fill (cr);
      }
  }

  /* the view */
  cairo_rectangle (cr, dx + visible.x * scale, dy + visible.y * scale, visible.width * scale, visible.height * scale);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.15);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
move_view (EnvelopeOverview *self,
           double            x,
           double            y)
{
  EnvelopeRect bounds, visible;
  double scale, dx, dy;

  if (envelope_canvas_get_layout (self->canvas) == NULL)
    return;
  diagram_fits (self, &bounds, &visible);
  scale = map_transform (self, &bounds, &dx, &dy);
  envelope_canvas_center_on (self->canvas, (x - dx) / scale, (y - dy) / scale);
}

static void
on_drag_begin (GtkGestureDrag   *gesture,
               double            x,
               double            y,
               EnvelopeOverview *self)
{
  move_view (self, x, y);
}

static void
on_drag_update (GtkGestureDrag   *gesture,
                double            offset_x,
                double            offset_y,
                EnvelopeOverview *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  move_view (self, x + offset_x, y + offset_y);
}

static void
on_enter (GtkEventControllerMotion *motion,
          double                    x,
          double                    y,
          EnvelopeOverview         *self)
{
  EnvelopeRect bounds, visible;

  self->hovered = TRUE;
  update_opacity (self, diagram_fits (self, &bounds, &visible));
}

static void
on_leave (GtkEventControllerMotion *motion,
          EnvelopeOverview         *self)
{
  EnvelopeRect bounds, visible;

  self->hovered = FALSE;
  update_opacity (self, diagram_fits (self, &bounds, &visible));
}

static void
envelope_overview_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = *natural = 0;   /* it spans the canvas it is laid over */
}

static void
envelope_overview_dispose (GObject *object)
{
  EnvelopeOverview *self = ENVELOPE_OVERVIEW (object);

  if (self->canvas != NULL)
    g_signal_handlers_disconnect_by_data (self->canvas, self);
  g_clear_object (&self->canvas);
  G_OBJECT_CLASS (envelope_overview_parent_class)->dispose (object);
}

static void
envelope_overview_class_init (EnvelopeOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_overview_dispose;
  widget_class->snapshot = envelope_overview_snapshot;
  widget_class->measure = envelope_overview_measure;
  widget_class->contains = envelope_overview_contains;
  gtk_widget_class_set_css_name (widget_class, "overview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
envelope_overview_init (EnvelopeOverview *self)
{
  GtkGesture *gesture = gtk_gesture_drag_new ();
  GtkEventController *motion;

  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (on_enter), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  self->placed_selected = -1;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("The whole network: click or drag to move the view"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Overview of the diagram"), -1);
  gtk_widget_set_opacity (GTK_WIDGET (self), 0);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

/* How much of the blocks on screen the card covers in a corner: the
 * area under it, in pixels; the block @selected's counted as more than
 * any canvas holds, for the block the user looks at is never hidden. */
static double
covered (EnvelopeOverview   *self,
         const EnvelopeRect *bounds,
         const EnvelopeRect *visible,
         gboolean            top_left,
         gint                selected)
{
  const EnvelopeLayout *layout = envelope_canvas_get_layout (self->canvas);
  const EnvelopeViewport *viewport = envelope_canvas_get_viewport (self->canvas);
  EnvelopeRect card;
  double area = 0;

  corner_card_rect (self, bounds, top_left, &card);
  for (guint b = 0; b < envelope_layout_get_n_blocks (layout); b++)
    {
      EnvelopeRect r;
      double x0, y0, x1, y1, w, h;

      envelope_layout_get_block_rect (layout, b, &r);
      if (r.x > visible->x + visible->width || r.y > visible->y + visible->height ||
          r.x + r.width < visible->x || r.y + r.height < visible->y)
        continue;
      envelope_viewport_world_to_widget (viewport, r.x, r.y, &x0, &y0);
      envelope_viewport_world_to_widget (viewport, r.x + r.width, r.y + r.height, &x1, &y1);
      w = MIN (x1, card.x + card.width) - MAX (x0, card.x);
      h = MIN (y1, card.y + card.height) - MAX (y0, card.y);
      if (w > 0 && h > 0)
        area += (gint) b == selected ? G_MAXFLOAT : w * h;
    }
  return area;
}

/**
 * envelope_overview_place:
 * @selected: the block of the selected layer, or -1
 *
 * Puts the card in the corner where it hides least of the blocks on
 * screen and never @selected: the bottom right one unless the top left
 * one hides less by half (so that the card does not flit from corner
 * to corner as the view moves).  Called after each frame of the canvas;
 * chooses again only when the view, the layout or @selected changed.
 */
void
envelope_overview_place (EnvelopeOverview *self,
                         gint              selected)
{
  const EnvelopeLayout *layout;
  EnvelopeRect bounds, visible;
  double here, there;

  g_return_if_fail (ENVELOPE_IS_OVERVIEW (self));
  layout = envelope_canvas_get_layout (self->canvas);
  if (layout == NULL || envelope_canvas_get_diagram (self->canvas) == NULL ||
      envelope_layout_get_n_blocks (layout) != envelope_diagram_get_n_blocks (envelope_canvas_get_diagram (self->canvas)) ||
      diagram_fits (self, &bounds, &visible))
    return;
  if (layout == self->placed_layout && selected == self->placed_selected &&
      memcmp (&visible, &self->placed_visible, sizeof visible) == 0)
    return;
  self->placed_layout = layout;
  self->placed_selected = selected;
  self->placed_visible = visible;

  here = covered (self, &bounds, &visible, self->top_left, selected);
  there = covered (self, &bounds, &visible, !self->top_left, selected);
  if ((self->top_left && there == 0) || there < here / 2)
    {
      self->top_left = !self->top_left;
      here = there;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  self->covering = here > 0;
  update_opacity (self, FALSE);
}

gboolean
envelope_overview_get_top_left (EnvelopeOverview *self)
{
  g_return_val_if_fail (ENVELOPE_IS_OVERVIEW (self), FALSE);
  return self->top_left;
}

/* Whether the card covers blocks on screen in its corner (and lets them
 * show through). */
gboolean
envelope_overview_get_covering (EnvelopeOverview *self)
{
  g_return_val_if_fail (ENVELOPE_IS_OVERVIEW (self), FALSE);
  return self->covering;
}

GtkWidget *
envelope_overview_new (EnvelopeCanvas *canvas)
{
  EnvelopeOverview *self = g_object_new (ENVELOPE_TYPE_OVERVIEW, NULL);

  self->canvas = g_object_ref (canvas);
  g_signal_connect (canvas, "view-changed", G_CALLBACK (on_view_changed), self);
  return GTK_WIDGET (self);
}
