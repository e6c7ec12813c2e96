/* envelope-text.c: fonts measured once, in world units
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include "envelope-render-private.h"

static const struct { double size; PangoWeight weight; } text_styles[N_TEXT_STYLES] = {
  [TEXT_BLOCK_NAME] = { 9.0, PANGO_WEIGHT_BOLD },
  [TEXT_BLOCK_DETAIL] = { 7.5, PANGO_WEIGHT_NORMAL },
  [TEXT_EDGE_LABEL] = { 7.0, PANGO_WEIGHT_NORMAL },
  [TEXT_OVERLAY] = { 7.5, PANGO_WEIGHT_NORMAL },
  [TEXT_TITLE] = { 16.0, PANGO_WEIGHT_BOLD },
  [TEXT_SUBTITLE] = { 9.0, PANGO_WEIGHT_NORMAL },
  [TEXT_LEGEND] = { 8.5, PANGO_WEIGHT_NORMAL },
  [TEXT_LEGEND_TITLE] = { 8.5, PANGO_WEIGHT_BOLD },
  [TEXT_CLASSIC_LABEL] = { 10.0, PANGO_WEIGHT_NORMAL },
};

/* The width of @text in @style's font, with a layout of its own (the
 * kit's are not made yet). */
static double
kit_measure_one (TextKit    *kit,
                 guint       style,
                 const char *text)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (kit->context);
  PangoRectangle logical;

  pango_layout_set_font_description (layout, kit->fonts[style]);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

/* A kit of @family from @font_map; its metrics and the fonts it bounds
 * widths with are @model's (a kit of the same family, which measures
 * alike) when there is one, else loaded. */
static TextKit *
kit_new (const char    *family,
         PangoFontMap  *font_map,
         const TextKit *model)
{
  TextKit *kit = g_new0 (TextKit, 1);
  cairo_font_options_t *options = cairo_font_options_create ();

  kit->family = g_strdup (family != NULL ? family : "Sans");
  kit->shaped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  for (guint i = 0; i < N_TEXT_STYLES; i++)
    kit->advances[i] = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  kit->context = pango_font_map_create_context (font_map);
  pango_cairo_context_set_resolution (kit->context, 72.0);
  /* Unhinted metrics: a text's width scales with the zoom, so what fits
   * in a block at one zoom fits at every zoom. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (kit->context, options);
  cairo_font_options_destroy (options);

  for (guint i = 0; i < N_TEXT_STYLES; i++)
    {
      PangoFontMetrics *metrics;
      PangoFont *font;

      kit->fonts[i] = pango_font_description_new ();
      pango_font_description_set_family (kit->fonts[i], kit->family);
      pango_font_description_set_size (kit->fonts[i], (gint) (text_styles[i].size * PANGO_SCALE));
      pango_font_description_set_weight (kit->fonts[i], text_styles[i].weight);
      kit->size[i] = text_styles[i].size;

      kit->layouts[i] = pango_layout_new (kit->context);
      pango_layout_set_font_description (kit->layouts[i], kit->fonts[i]);
      pango_layout_set_single_paragraph_mode (kit->layouts[i], TRUE);

      if (model != NULL)
        {
          /* a font map of this thread's own loads its fonts when it
           * shapes a text, not before: what a new map costs is mostly
           * the fonts' metrics, which are the model's */
          kit->ascent[i] = model->ascent[i];
          kit->line_height[i] = model->line_height[i];
          kit->hb_scale[i] = model->hb_scale[i];
          kit->hb_fonts[i] = model->hb_fonts[i] != NULL ? hb_font_reference (model->hb_fonts[i]) : NULL;
          continue;
        }

      /* The font's own metrics, which it keeps: the context's would
       * shape a sample text for widths not used here, at every call. */
      font = pango_context_load_font (kit->context, kit->fonts[i]);
      metrics = pango_font_get_metrics (font, pango_context_get_language (kit->context));
      kit->ascent[i] = (double) pango_font_metrics_get_ascent (metrics) / PANGO_SCALE;
      kit->line_height[i] = kit->ascent[i] + (double) pango_font_metrics_get_descent (metrics) / PANGO_SCALE;
      pango_font_metrics_unref (metrics);
      /* the primary font's advances, in its own units: the scale from
       * them to points is taken from one letter Pango measures */
      kit->hb_fonts[i] = pango_font_get_hb_font (font);
      if (kit->hb_fonts[i] != NULL)
        {
          hb_codepoint_t glyph;
          hb_position_t advance;

          hb_font_reference (kit->hb_fonts[i]);
          if (hb_font_get_nominal_glyph (kit->hb_fonts[i], 'M', &glyph) &&
              (advance = hb_font_get_glyph_h_advance (kit->hb_fonts[i], glyph)) > 0)
            kit->hb_scale[i] = kit_measure_one (kit, i, "M") / advance;
          else
            g_clear_pointer (&kit->hb_fonts[i], hb_font_destroy);
        }
      g_object_unref (font);
    }
  return kit;
}

/* A kit for this thread: its fonts come from the thread's own font map. */
TextKit *
text_kit_new (const char *family)
{
  return kit_new (family, pango_cairo_font_map_get_default (), text_kit_get_shared (family));
}

void
text_kit_free (TextKit *kit)
{
  if (kit == NULL)
    return;
  g_clear_pointer (&kit->shaped, g_hash_table_unref);
  for (guint i = 0; i < N_TEXT_STYLES; i++)
    {
      g_clear_pointer (&kit->advances[i], g_hash_table_unref);
      g_clear_pointer (&kit->hb_fonts[i], hb_font_destroy);
    }
  for (guint i = 0; i < N_TEXT_STYLES; i++)
    {
      g_clear_object (&kit->layouts[i]);
      g_clear_pointer (&kit->fonts[i], pango_font_description_free);
    }
  g_clear_object (&kit->context);
  g_free (kit->family);
  g_free (kit);
}

/* Widths measured, in any thread, by any kit: "family\x1fstyle\x1ftext"
 * → its width.  Every kit of a family measures alike (the same fonts,
 * unhinted, at 72 dpi), so a block's name or an arrow's shape is shaped
 * once in the process, however many diagrams, layouts and levels of
 * detail ask for it.  The lock also guards the shared kits' Pango
 * objects. */
static GMutex widths_lock;
static GHashTable *widths;
/* a bound on memory: the names of a few networks of thousands of layers */
#define MOST_WIDTHS 65536

/* The kits for measuring, one per family, and the font map of their own
 * that they load from (Pango's default one is each thread's, and making
 * it costs more than measuring a few hundred texts). */
static PangoFontMap *shared_font_map;
static GHashTable *shared_kits;

/**
 * text_kit_get_shared:
 *
 * The process's kit of @family for measuring, made once and never
 * freed: any thread may call text_kit_measure() with it and read its
 * metrics (line_height, ascent, size), which do not change.  It is not
 * for drawing, nor for text_kit_shaped() or text_kit_measure_bound().
 */
TextKit *
text_kit_get_shared (const char *family)
{
  TextKit *kit;

  if (family == NULL)
    family = "Sans";
  g_mutex_lock (&widths_lock);
  if (shared_kits == NULL)
    {
      shared_font_map = pango_cairo_font_map_new ();
      shared_kits = g_hash_table_new (g_str_hash, g_str_equal);
    }
  kit = g_hash_table_lookup (shared_kits, family);
  if (kit == NULL)
    {
      kit = kit_new (family, shared_font_map, NULL);
      kit->shared = TRUE;
      g_hash_table_insert (shared_kits, kit->family, kit);
    }
  g_mutex_unlock (&widths_lock);
  return kit;
}

static void
remember_width (char   *key,
                double  width)
{
  if (widths == NULL)
    widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_size (widths) >= MOST_WIDTHS)
    g_hash_table_remove_all (widths);
  g_hash_table_replace (widths, key, g_memdup2 (&width, sizeof width));
}

static double
shape_width (TextKit    *kit,
             TextStyle   style,
             const char *text)
{
  PangoLayout *layout = kit->layouts[style];
  PangoRectangle logical;

  pango_layout_set_width (layout, -1);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

double
text_kit_measure (TextKit    *kit,
                  TextStyle   style,
                  const char *text)
{
  g_autofree char *key = g_strdup_printf ("%s\x1f%u\x1f%s", kit->family, style, text);
  double *width;
  double measured;

  g_mutex_lock (&widths_lock);
  width = widths != NULL ? g_hash_table_lookup (widths, key) : NULL;
  if (width != NULL || kit->shared)
    {
      /* a shared kit shapes under the lock */
      measured = width != NULL ? *width : shape_width (kit, style, text);
      if (width == NULL)
        remember_width (g_steal_pointer (&key), measured);
      g_mutex_unlock (&widths_lock);
      return measured;
    }
  g_mutex_unlock (&widths_lock);

  measured = shape_width (kit, style, text);
  g_mutex_lock (&widths_lock);
  remember_width (g_steal_pointer (&key), measured);
  g_mutex_unlock (&widths_lock);
  return measured;
}

/* At least the width of @text: the sum of its characters' widths, each
 * shaped alone once.  Kerning and ligatures only narrow a text, so a
 * text whose sum fits needs no shaping to know it fits. */
double
text_kit_measure_bound (TextKit    *kit,
                        TextStyle   style,
                        const char *text)
{
  double sum = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      double *advance = g_hash_table_lookup (kit->advances[style], GUINT_TO_POINTER (c));

      if (advance == NULL)
        {
          hb_codepoint_t glyph;

          advance = g_new (double, 1);
          if (kit->hb_fonts[style] != NULL && hb_font_get_nominal_glyph (kit->hb_fonts[style], c, &glyph))
            /* the font's own advance, unshaped */
            *advance = hb_font_get_glyph_h_advance (kit->hb_fonts[style], glyph) * kit->hb_scale[style];
          else
            {
              /* a character another font draws: shaped alone */
              char one[8] = { 0 };

              g_unichar_to_utf8 (c, one);
              *advance = text_kit_measure (kit, style, one);
            }
          g_hash_table_insert (kit->advances[style], GUINT_TO_POINTER (c), advance);
        }
      sum += *advance;
    }
  return sum;
}

/* A layout of its own for @text, shaped once and kept: drawing the same
 * text again (the next frame) costs no shaping.  The context is never
 * tied to a cairo_t's transformation: with hinting off, the glyphs'
 * positions do not depend on it, and Cairo scales the outlines itself. */
PangoLayout *
text_kit_shaped (TextKit            *kit,
                 TextStyle           style,
                 const char         *text,
                 double              max_width,
                 PangoEllipsizeMode  ellipsize)
{
  g_autofree char *key = g_strdup_printf ("%u|%d|%u|%s", style, max_width >= 0 ? (int) (max_width * 8) : -1,
                                          max_width >= 0 ? ellipsize : 0, text);
  PangoLayout *layout = g_hash_table_lookup (kit->shaped, key);

  if (layout != NULL)
    return layout;
  /* a bound on memory: a few thousand texts cover what a screen shows */
  if (g_hash_table_size (kit->shaped) >= 16384)
    g_hash_table_remove_all (kit->shaped);
  layout = pango_layout_new (kit->context);
  pango_layout_set_font_description (layout, kit->fonts[style]);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_text (layout, text, -1);
  if (max_width >= 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, ellipsize);
    }
  g_hash_table_insert (kit->shaped, g_steal_pointer (&key), layout);
  return layout;
}
