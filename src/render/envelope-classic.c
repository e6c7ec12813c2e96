/* envelope-classic.c: the rules of the classic figure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>

#include "envelope-classic.h"
#include "envelope-format.h"

/**
 * envelope_classic_folds:
 * @layer: a layer's figures
 * @feeder: those of the layer it reads
 * @feeder_consumers: how many layers read @feeder
 *
 * Whether @layer is drawn inside the block of the layer that feeds it:
 * an activation, a normalization or a dropout (any kind of those
 * categories), or a layer that computes nothing (no parameters, no
 * multiply-adds), as long as it reads one layer alone, keeps that
 * layer's shape, and is that layer's only reader, so that folding it
 * hides neither a fork nor a change of size.  VGG-16's ReLUs, dropouts
 * and its adaptive pooling to the 7 × 7 it already has fold; its
 * max-poolings, which halve the map, do not.
 *
 * Returns: %TRUE when @layer folds into @feeder's block
 */
gboolean
envelope_classic_folds (const EnvelopeLayerFigures *layer,
                        const EnvelopeLayerFigures *feeder,
                        guint                       feeder_consumers)
{
  EnvelopeLayerCategory category;

  g_return_val_if_fail (layer != NULL && feeder != NULL, FALSE);

  if (layer->n_inputs != 1 || feeder_consumers != 1 || layer->type == ENVELOPE_LAYER_INPUT)
    return FALSE;
  if (layer->state != ENVELOPE_LAYER_ANALYSED || feeder->state != ENVELOPE_LAYER_ANALYSED)
    return FALSE;
  if (layer->rank != feeder->rank || layer->layout != feeder->layout)
    return FALSE;
  for (guint a = 0; a < layer->rank && a < ENVELOPE_MAX_RANK; a++)
    if (layer->shape[a] != feeder->shape[a])
      return FALSE;

  category = envelope_layer_kind_get (layer->type)->category;
  return category == ENVELOPE_CATEGORY_ACTIVATION || category == ENVELOPE_CATEGORY_NORMALIZATION ||
         category == ENVELOPE_CATEGORY_REGULARIZATION || (layer->params == 0 && layer->macs == 0);
}

/**
 * envelope_classic_spatial_extent:
 * @size: positions along a spatial axis
 *
 * The height of a box (and its receding depth) for a map of @size
 * positions, in points: 6 √size, between 12 and 96.  224 is 89.8, 56 is
 * 44.9, 7 is 15.9: a 224-pixel map stands 5.7 times as tall as a 7-pixel
 * one, which a linear scale (32 times) could not show beside it.
 */
double
envelope_classic_spatial_extent (guint64 size)
{
  return CLAMP (6.0 * sqrt ((double) size), 12.0, 96.0);
}

/**
 * envelope_classic_channel_thickness:
 * @channels: the map's channels
 *
 * The thickness of a box along the flow, in points: 1.25 √channels,
 * between 3 and 48.  64 channels are 10 points, 512 are 28.3: 2.83 times
 * as thick (√8), where a linear scale would make the 64 a sliver.
 */
double
envelope_classic_channel_thickness (guint64 channels)
{
  return CLAMP (1.25 * sqrt ((double) channels), 3.0, 48.0);
}

/**
 * envelope_classic_size_label:
 *
 * A tensor's size as the classic figure writes it: a map as its spatial
 * axes, then its channels ("224×224×64", "16×112×112×64" for a video's
 * frames); a vector or a sequence of tokens as it is ("4096", "197×768").
 *
 * Returns: (transfer full): the label
 */
char *
envelope_classic_size_label (guint                 rank,
                             EnvelopeTensorLayout  layout,
                             const guint64        *shape)
{
  guint64 order[ENVELOPE_MAX_RANK];

  g_return_val_if_fail (rank >= 1 && rank <= ENVELOPE_MAX_RANK, NULL);

  if (layout != ENVELOPE_TENSOR_MAP || rank < 2)
    return envelope_format_shape (rank, shape);
  for (guint a = 1; a < rank; a++)
    order[a - 1] = shape[a];
  order[rank - 1] = shape[0];
  return envelope_format_shape (rank, order);
}
