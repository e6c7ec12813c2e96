/* envelope-groups.h: the hierarchy of a network's layers
 *
 * Every layer has a path: `stage/block/layer`.  It comes from the layer's
 * "group" field, from its name (`layer1/0/conv1`, or the `layer1.0.conv1`
 * that PyTorch and ONNX exporters write), or, when no layer of the
 * network has either, from the network's structure: a residual block
 * from the layer where it forks to the add that joins it again, an
 * Inception module from its fork to its concat, the stages of a
 * convolutional network between the layers that lower the resolution,
 * and a dense layer with the layers that follow it.  The groups of a
 * layer are the leading parts of its path: depth 1 is a stage, depth 2 a
 * block.  The report's grouped table, the diagram's collapsed blocks and
 * the application all read the same groups.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-analysis.h"
#include "envelope-network.h"

G_BEGIN_DECLS

typedef struct _EnvelopeGroups EnvelopeGroups;

/* ENVELOPE_GROUPS_RUNS: a network that names no groups and has one
 * resolution and no blocks (a plain chain) is grouped too, each layer
 * that multiplies and adds (a convolution, a dense layer) with the
 * layers that follow it, so that a figure can draw a long run of them as
 * one block "× N". */
typedef enum
{
  ENVELOPE_GROUPS_DEFAULT = 0,
  ENVELOPE_GROUPS_RUNS = 1 << 0,
} EnvelopeGroupsFlags;

EnvelopeGroups *envelope_groups_new              (const EnvelopeNetwork  *network,
                                                  const EnvelopeAnalysis *analysis);
EnvelopeGroups *envelope_groups_new_full         (const EnvelopeNetwork  *network,
                                                  const EnvelopeAnalysis *analysis,
                                                  EnvelopeGroupsFlags     flags);
void            envelope_groups_free             (EnvelopeGroups         *groups);

const EnvelopeGroups *envelope_analysis_get_groups (const EnvelopeAnalysis *analysis,
                                                    EnvelopeGroupsFlags     flags);

gboolean        envelope_groups_is_inferred      (const EnvelopeGroups   *groups);
guint           envelope_groups_get_depth        (const EnvelopeGroups   *groups);
const char     *envelope_groups_get_path         (const EnvelopeGroups   *groups,
                                                  guint                   layer);
char           *envelope_groups_get_group        (const EnvelopeGroups   *groups,
                                                  guint                   layer,
                                                  guint                   depth,
                                                  gboolean               *innermost);
char          **envelope_groups_list             (const EnvelopeGroups   *groups);

char           *envelope_network_describe_layers (const EnvelopeNetwork  *network,
                                                  const guint            *layers,
                                                  guint                   n_layers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeGroups, envelope_groups_free)

G_END_DECLS
