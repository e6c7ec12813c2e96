/* envelope-color-scale.h: the colours of a diagram
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-layer-kind.h"

G_BEGIN_DECLS

/* sRGB, each channel in [0, 1]. */
typedef struct
{
  double red;
  double green;
  double blue;
} EnvelopeColor;

typedef enum
{
  ENVELOPE_THEME_LIGHT,
  ENVELOPE_THEME_DARK,
} EnvelopeTheme;

/* Sequential scales, perceptually uniform and readable with the common
 * colour-vision deficiencies. */
typedef enum
{
  ENVELOPE_COLOR_SCALE_VIRIDIS,
  ENVELOPE_COLOR_SCALE_CIVIDIS,
} EnvelopeColorScale;

void     envelope_color_scale_map      (EnvelopeColorScale     scale,
                                        double                 t,
                                        EnvelopeColor         *color);
guint    envelope_color_scale_get_n_stops (EnvelopeColorScale  scale);
void     envelope_color_scale_get_stop (EnvelopeColorScale     scale,
                                        guint                  index,
                                        double                *position,
                                        EnvelopeColor         *color);

void     envelope_color_for_category   (EnvelopeLayerCategory  category,
                                        EnvelopeTheme          theme,
                                        EnvelopeColor         *color);

double   envelope_color_get_luminance  (const EnvelopeColor   *color);
gboolean envelope_color_is_dark        (const EnvelopeColor   *color);
void     envelope_color_mix            (const EnvelopeColor   *a,
                                        const EnvelopeColor   *b,
                                        double                 t,
                                        EnvelopeColor         *result);
gboolean envelope_color_equal          (const EnvelopeColor   *a,
                                        const EnvelopeColor   *b,
                                        double                 tolerance);

G_END_DECLS
