/* envelope-palette.c
 *
 * One button per row of the core's kind table, under its category; a
 * new kind there appears here.  A click inserts after the selected
 * layer ("win.insert-layer"); a drag carries the kind's id to the canvas.
 * Typing in the search entry keeps the kinds whose name or file id
 * holds the text; Enter inserts the first of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-palette"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-color-scale.h"
#include "envelope-layer-edit.h"
#include "envelope-layer-kind.h"
#include "envelope-palette.h"

struct _EnvelopePalette
{
  GtkWidget parent_instance;

  /* template children */
  GtkBox *box;
  GtkSearchEntry *search_entry;

  GHashTable *buttons;       /* kind id → button */
  GtkWidget *headings[ENVELOPE_N_CATEGORIES];
};

G_DEFINE_FINAL_TYPE (EnvelopePalette, envelope_palette, GTK_TYPE_WIDGET)

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  EnvelopeColor color;
  double r = 3;

  envelope_color_for_category (GPOINTER_TO_UINT (data), ENVELOPE_THEME_LIGHT, &color);
  cairo_new_sub_path (cr);
  cairo_arc (cr, width - r, r, r, -G_PI / 2, 0);
  cairo_arc (cr, width - r, height - r, r, 0, G_PI / 2);
  cairo_arc (cr, r, height - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, r, r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, color.red, color.green, color.blue);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source,
                 double         x,
                 double         y,
                 const char    *id)
{
  GtkWidget *button = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (button);

  gtk_drag_source_set_icon (source, icon, (int) x, (int) y);
  return gdk_content_provider_new_typed (G_TYPE_STRING, id);
}

static GtkWidget *
kind_button (const EnvelopeLayerKind *kind)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *label = gtk_label_new (envelope_layer_kind_get_title (kind->type));
  GtkDragSource *source = gtk_drag_source_new ();
  g_autofree char *tooltip = g_strdup_printf (_("“%s”: click to add after the selected layer, or drag onto the diagram"),
                                              kind->id);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 12);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GUINT_TO_POINTER (kind->category), NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), label);

  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "palette-item");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.insert-layer");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", kind->id);

  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), (gpointer) kind->id);
  gtk_widget_add_controller (button, GTK_EVENT_CONTROLLER (source));
  return button;
}

static void
populate (EnvelopePalette *self)
{
  for (guint c = 0; c < ENVELOPE_N_CATEGORIES; c++)
    {
      GtkWidget *heading = gtk_label_new (envelope_layer_category_label (c));

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      gtk_widget_add_css_class (heading, "palette-heading");
      gtk_box_append (self->box, heading);
      self->headings[c] = heading;

      for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
        {
          const EnvelopeLayerKind *kind = envelope_layer_kind_get (t);
          GtkWidget *button;

          if (kind->category != c)
            continue;
          button = kind_button (kind);
          g_hash_table_insert (self->buttons, (gpointer) kind->id, button);
          gtk_box_append (self->box, button);
        }
    }
}

static gboolean
kind_matches (const EnvelopeLayerKind *kind,
              const char              *needle)
{
  g_autofree char *title = g_utf8_casefold (envelope_layer_kind_get_title (kind->type), -1);
  g_autofree char *category = g_utf8_casefold (envelope_layer_category_label (kind->category), -1);

  return needle[0] == '\0' || strstr (kind->id, needle) != NULL || strstr (title, needle) != NULL ||
         strstr (category, needle) != NULL;
}

/* Shows the kinds that match, and the headings of categories that still
 * have one. */
static void
on_search_changed (EnvelopePalette *self)
{
  g_autofree char *needle = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  gboolean shown[ENVELOPE_N_CATEGORIES] = { FALSE };

  g_strstrip (needle);
  for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
    {
      const EnvelopeLayerKind *kind = envelope_layer_kind_get (t);
      gboolean match = kind_matches (kind, needle);

      gtk_widget_set_visible (g_hash_table_lookup (self->buttons, kind->id), match);
      shown[kind->category] |= match;
    }
  for (guint c = 0; c < ENVELOPE_N_CATEGORIES; c++)
    gtk_widget_set_visible (self->headings[c], shown[c]);
}

/* Enter inserts the first kind still shown, in the palette's order. */
static void
on_search_activate (EnvelopePalette *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && gtk_widget_get_visible (child))
      {
        gtk_widget_activate (child);
        return;
      }
}

static void
envelope_palette_dispose (GObject *object)
{
  EnvelopePalette *self = ENVELOPE_PALETTE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_PALETTE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->buttons, g_hash_table_unref);

  G_OBJECT_CLASS (envelope_palette_parent_class)->dispose (object);
}

static void
envelope_palette_class_init (EnvelopePaletteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_palette_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-palette.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopePalette, box);
  gtk_widget_class_bind_template_child (widget_class, EnvelopePalette, search_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-palette");
}

static void
envelope_palette_init (EnvelopePalette *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->buttons = g_hash_table_new (g_str_hash, g_str_equal);
  populate (self);
}

/* Filters the palette as if @text were typed in its search entry. */
void
envelope_palette_set_search (EnvelopePalette *self,
                             const char      *text)
{
  g_return_if_fail (ENVELOPE_IS_PALETTE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  on_search_changed (self);
}

GtkWidget *
envelope_palette_get_button (EnvelopePalette *self,
                             const char      *kind)
{
  g_return_val_if_fail (ENVELOPE_IS_PALETTE (self), NULL);
  return g_hash_table_lookup (self->buttons, kind);
}
