/* envelope-color-scale.c: colour maps as tables of control points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>

#include "envelope-color-scale.h"

typedef struct
{
  double position;
  guint8 red, green, blue;
} Stop;

/* matplotlib's viridis (van der Walt and Smith), eleven even stops. */
static const Stop viridis[] = {
  { 0.0, 0x44, 0x01, 0x54 },
  { 0.1, 0x48, 0x24, 0x75 },
  { 0.2, 0x41, 0x44, 0x87 },
  { 0.3, 0x35, 0x5f, 0x8d },
  { 0.4, 0x2a, 0x78, 0x8e },
  { 0.5, 0x21, 0x91, 0x8c },
  { 0.6, 0x22, 0xa8, 0x84 },
  { 0.7, 0x44, 0xbf, 0x70 },
  { 0.8, 0x7a, 0xd1, 0x51 },
  { 0.9, 0xbd, 0xdf, 0x26 },
  { 1.0, 0xfd, 0xe7, 0x25 },
};

/* cividis (Nuñez, Anderton and Renslow 2018), six even stops. */
static const Stop cividis[] = {
  { 0.0, 0x00, 0x22, 0x4e },
  { 0.2, 0x35, 0x45, 0x6c },
  { 0.4, 0x66, 0x69, 0x70 },
  { 0.6, 0x94, 0x8e, 0x77 },
  { 0.8, 0xc8, 0xb8, 0x66 },
  { 1.0, 0xfe, 0xe8, 0x38 },
};

static const Stop *
get_stops (EnvelopeColorScale scale,
           guint             *n_stops)
{
  switch (scale)
    {
    case ENVELOPE_COLOR_SCALE_CIVIDIS:
      *n_stops = G_N_ELEMENTS (cividis);
      return cividis;
    case ENVELOPE_COLOR_SCALE_VIRIDIS:
    default:
      *n_stops = G_N_ELEMENTS (viridis);
      return viridis;
    }
}

static void
stop_color (const Stop    *stop,
            EnvelopeColor *color)
{
  color->red = stop->red / 255.0;
  color->green = stop->green / 255.0;
  color->blue = stop->blue / 255.0;
}

/* The colour at @t in [0, 1] (clamped), interpolated linearly between the
 * two surrounding stops. */
void
envelope_color_scale_map (EnvelopeColorScale  scale,
                          double              t,
                          EnvelopeColor      *color)
{
  guint n;
  const Stop *stops = get_stops (scale, &n);

  g_return_if_fail (color != NULL);

  if (!(t > 0))   /* also NaN */
    t = 0;
  if (t > 1)
    t = 1;

  for (guint i = 1; i < n; i++)
    {
      if (t <= stops[i].position)
        {
          EnvelopeColor a, b;
          double span = stops[i].position - stops[i - 1].position;

          stop_color (&stops[i - 1], &a);
          stop_color (&stops[i], &b);
          envelope_color_mix (&a, &b, (t - stops[i - 1].position) / span, color);
          return;
        }
    }
  stop_color (&stops[n - 1], color);
}

guint
envelope_color_scale_get_n_stops (EnvelopeColorScale scale)
{
  guint n;

  get_stops (scale, &n);
  return n;
}

void
envelope_color_scale_get_stop (EnvelopeColorScale  scale,
                               guint               index,
                               double             *position,
                               EnvelopeColor      *color)
{
  guint n;
  const Stop *stops = get_stops (scale, &n);

  g_return_if_fail (index < n);

  if (position != NULL)
    *position = stops[index].position;
  if (color != NULL)
    stop_color (&stops[index], color);
}

/* Paul Tol's "light" qualitative scheme for the light theme and his
 * "muted" one for the dark theme: nine colours each, one per category,
 * told apart with the common colour-vision deficiencies; the four newer
 * categories take colours from ColorBrewer's PuOr, BuPu, PiYG
 * and RdPu schemes, light and dark. */
static const guint32 category_light[ENVELOPE_N_CATEGORIES] = {
  [ENVELOPE_CATEGORY_INPUT] = 0xdddddd,
  [ENVELOPE_CATEGORY_CONVOLUTION] = 0x77aadd,
  [ENVELOPE_CATEGORY_POOLING] = 0xee8866,
  [ENVELOPE_CATEGORY_DENSE] = 0xeedd88,
  [ENVELOPE_CATEGORY_NORMALIZATION] = 0x99ddff,
  [ENVELOPE_CATEGORY_ACTIVATION] = 0x44bb99,
  [ENVELOPE_CATEGORY_REGULARIZATION] = 0xbbcc33,
  [ENVELOPE_CATEGORY_RESHAPE] = 0xaaaa00,
  [ENVELOPE_CATEGORY_MERGE] = 0xffaabb,
  [ENVELOPE_CATEGORY_ARITHMETIC] = 0xb2abd2,
  [ENVELOPE_CATEGORY_STRUCTURE] = 0x8c96c6,
  [ENVELOPE_CATEGORY_ATTENTION] = 0xe78ac3,
  [ENVELOPE_CATEGORY_RECURRENT] = 0xb8e186,
  [ENVELOPE_CATEGORY_OTHER] = 0xc8bca8,
};

static const guint32 category_dark[ENVELOPE_N_CATEGORIES] = {
  [ENVELOPE_CATEGORY_INPUT] = 0x777777,
  [ENVELOPE_CATEGORY_CONVOLUTION] = 0x332288,
  [ENVELOPE_CATEGORY_POOLING] = 0xcc6677,
  [ENVELOPE_CATEGORY_DENSE] = 0xddcc77,
  [ENVELOPE_CATEGORY_NORMALIZATION] = 0x88ccee,
  [ENVELOPE_CATEGORY_ACTIVATION] = 0x117733,
  [ENVELOPE_CATEGORY_REGULARIZATION] = 0x999933,
  [ENVELOPE_CATEGORY_RESHAPE] = 0x44aa99,
  [ENVELOPE_CATEGORY_MERGE] = 0xaa4499,
  [ENVELOPE_CATEGORY_ARITHMETIC] = 0x8073ac,
  [ENVELOPE_CATEGORY_STRUCTURE] = 0x542788,
  [ENVELOPE_CATEGORY_ATTENTION] = 0xc51b7d,
  [ENVELOPE_CATEGORY_RECURRENT] = 0x4d9221,
  [ENVELOPE_CATEGORY_OTHER] = 0x6b5e4f,
};

void
envelope_color_for_category (EnvelopeLayerCategory  category,
                             EnvelopeTheme          theme,
                             EnvelopeColor         *color)
{
  guint32 rgb;

  g_return_if_fail (category < ENVELOPE_N_CATEGORIES);

  rgb = theme == ENVELOPE_THEME_DARK ? category_dark[category] : category_light[category];
  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
}

static double
linear_channel (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* Relative luminance (WCAG 2). */
double
envelope_color_get_luminance (const EnvelopeColor *color)
{
  return 0.2126 * linear_channel (color->red) +
         0.7152 * linear_channel (color->green) +
         0.0722 * linear_channel (color->blue);
}

/* Whether white text reads better than black on @color: the contrast
 * ratios against white and black cross at a luminance of about 0.18. */
gboolean
envelope_color_is_dark (const EnvelopeColor *color)
{
  return envelope_color_get_luminance (color) < 0.179;
}

void
envelope_color_mix (const EnvelopeColor *a,
                    const EnvelopeColor *b,
                    double               t,
                    EnvelopeColor       *result)
{
  result->red = a->red + (b->red - a->red) * t;
  result->green = a->green + (b->green - a->green) * t;
  result->blue = a->blue + (b->blue - a->blue) * t;
}

gboolean
envelope_color_equal (const EnvelopeColor *a,
                      const EnvelopeColor *b,
                      double               tolerance)
{
  return fabs (a->red - b->red) <= tolerance &&
         fabs (a->green - b->green) <= tolerance &&
         fabs (a->blue - b->blue) <= tolerance;
}
