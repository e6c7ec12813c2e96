/* envelope-classic.h: the rules of the classic figure
 *
 * The proportional style draws the figure lecturers redraw for AlexNet
 * and VGG: a row of 3-D boxes, one per layer that computes a new map,
 * with the activation, normalization and dropout that follow it folded
 * in; each box as tall as its map, as thick as its channels, labelled
 * with its size, and the next layer's kernel drawn as a pyramid into
 * the next box.  Its rules live here, and docs/diagram.md gives their
 * numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-analysis.h"

G_BEGIN_DECLS

gboolean envelope_classic_folds              (const EnvelopeLayerFigures *layer,
                                              const EnvelopeLayerFigures *feeder,
                                              guint                       feeder_consumers);
double   envelope_classic_spatial_extent     (guint64                     size);
double   envelope_classic_channel_thickness  (guint64                     channels);
char    *envelope_classic_size_label         (guint                       rank,
                                              EnvelopeTensorLayout        layout,
                                              const guint64              *shape);

G_END_DECLS
