/* envelope-diagram.h: a network as blocks and arrows
 *
 * A diagram is what the renderer needs of an analysis: one block per
 * layer, or per collapsed group of layers, with its figures and its size
 * in world units, and the connections between blocks.  Building one is
 * cheap (no layout); a new diagram needs a new layout only when its
 * structure key differs from the layout's (see envelope-layout.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "envelope-analysis.h"
#include "envelope-groups.h"
#include "envelope-network.h"

G_BEGIN_DECLS

typedef enum
{
  ENVELOPE_DIAGRAM_STYLE_FLAT,
  ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL,  /* 3-D boxes sized by the tensor's shape */
} EnvelopeDiagramStyle;

typedef enum
{
  ENVELOPE_DIRECTION_LEFT_RIGHT,
  ENVELOPE_DIRECTION_TOP_BOTTOM,
} EnvelopeDirection;

/**
 * EnvelopeDiagramOptions:
 * @style: flat blocks or proportional boxes
 * @direction: the flow of the data
 * @collapse_depth: 0, or collapse every group of that depth: 1 is a
 *   stage ("layer1"), 2 a block ("layer1/0"); a layer's own "group"
 *   field counts as a group at every depth
 * @collapsed: group names to collapse as well, or %NULL
 * @expanded: group names never collapsed (their own groups inside may
 *   be), or %NULL
 * @wrap: 0 or 1 for one long row (or column); N to fold the flow into
 *   about N rows (columns, top to bottom) of similar length, for a page
 *   or a slide.  The flow breaks only at a connection that is the only
 *   link between what comes before and what comes after.
 * @receptive_field_room: leave room between wrapped rows for the
 *   receptive-field overlay (only matters when the flow is wrapped)
 * @font_family: %NULL for "Sans"
 * @fold_repeats: draw consecutive collapsed groups of the same layers
 *   and shapes (ResNet-50's layer3/1 to layer3/5, a transformer's blocks)
 *   as one block marked "× 5"
 * @groups: how groups are found where the network names none:
 *   ENVELOPE_GROUPS_RUNS groups a plain chain too (one resolution, no
 *   blocks), each convolution or dense layer with the layers after it,
 *   so that a figure can fold its runs
 *
 * Everything here is structure: changing any of it changes the layout.
 */
typedef struct
{
  EnvelopeDiagramStyle style;
  EnvelopeDirection direction;
  guint collapse_depth;
  const char * const *collapsed;
  const char * const *expanded;
  guint wrap;
  gboolean receptive_field_room;
  const char *font_family;
  gboolean fold_repeats;
  EnvelopeGroupsFlags groups;
} EnvelopeDiagramOptions;

/* One box of the diagram.  Sizes are world units (points). */
typedef struct
{
  const char *name;              /* the layer's, or the group's */
  const char *description;       /* "conv 3×3, 64, /2" ("… + relu" with what is folded in), or "12 layers" */
  const char *shape_text;        /* the output: "64×112×112" */
  EnvelopeLayerType type;        /* of the output layer */
  EnvelopeLayerCategory category;  /* a group: that of its costliest layer */
  gboolean collapsed;
  guint repeats;                 /* 1, or the groups of the same structure it stands for */
  guint n_layers;
  const guint *layers;           /* member layers, in file order */
  guint output_layer;            /* the member whose output leaves the block; in the proportional
                                  * style, a layer's block with the layers folded into it (its
                                  * activation, normalization, dropout) names the layer itself */
  guint rank;                    /* of the output: 1 to 4 */
  EnvelopeTensorLayout layout;   /* how its axes are read */
  guint64 shape[ENVELOPE_MAX_RANK];
  guint64 params;                /* summed over the members */
  guint64 macs;
  guint64 activations;           /* values, one sample */
  EnvelopeReceptiveField receptive_field;  /* of the output layer */
  gboolean misaligned;           /* a member merges misaligned grids */
  EnvelopeLayerState state;      /* a partial analysis: FAILED if a member failed, else NOT_ANALYSED if one was not */
  gboolean is_input;
  double width;                  /* the whole node, text included */
  double height;
  double text_width;             /* room for a line of text */
  double box_width;              /* proportional: the front face … */
  double box_height;
  double box_depth;              /* … and the receding depth */
  const char *size_label;        /* proportional: "224×224×64", spatial axes first */
  guint kernel[2];               /* proportional: the layer's kernel (height, width), drawn as a
                                  * pyramid from the block before it, a map that feeds it on the
                                  * main path; 0 for none */
  guint label_span;              /* proportional: the blocks its size label is written under (a run of
                                  * one size, in a row); 0 when an earlier block's label covers it */
} EnvelopeBlock;

typedef struct
{
  guint from;                    /* block indices */
  guint to;
  guint layer;                   /* the layer whose output it carries */
  gboolean main;                 /* the target's first input: drawn straight */
  const char *label;             /* that output's shape: "256×56×56" */
} EnvelopeDiagramEdge;

typedef struct _EnvelopeDiagram EnvelopeDiagram;

#define ENVELOPE_TYPE_DIAGRAM (envelope_diagram_get_type ())
GType                      envelope_diagram_get_type          (void) G_GNUC_CONST;

void                       envelope_diagram_options_init      (EnvelopeDiagramOptions *options);

EnvelopeDiagram           *envelope_diagram_new               (const EnvelopeAnalysis       *analysis,
                                                               const EnvelopeDiagramOptions *options);
EnvelopeDiagram           *envelope_diagram_refresh           (const EnvelopeDiagram        *previous,
                                                               const EnvelopeAnalysis       *analysis,
                                                               const EnvelopeDiagramOptions *options);
guint                      envelope_diagram_get_n_measured    (const EnvelopeDiagram  *diagram);
EnvelopeDiagram           *envelope_diagram_ref               (EnvelopeDiagram        *diagram);
void                       envelope_diagram_unref             (EnvelopeDiagram        *diagram);

EnvelopeDiagramStyle       envelope_diagram_get_style         (const EnvelopeDiagram  *diagram);
EnvelopeDirection          envelope_diagram_get_direction     (const EnvelopeDiagram  *diagram);
const char                *envelope_diagram_get_font_family   (const EnvelopeDiagram  *diagram);
guint                      envelope_diagram_get_wrap          (const EnvelopeDiagram  *diagram);
gboolean                   envelope_diagram_get_receptive_field_room (const EnvelopeDiagram *diagram);
guint64                    envelope_diagram_get_structure_key (const EnvelopeDiagram  *diagram);

guint                      envelope_diagram_get_n_blocks      (const EnvelopeDiagram  *diagram);
const EnvelopeBlock       *envelope_diagram_get_block         (const EnvelopeDiagram  *diagram,
                                                               guint                   index);
guint                      envelope_diagram_get_n_edges       (const EnvelopeDiagram  *diagram);
const EnvelopeDiagramEdge *envelope_diagram_get_edge          (const EnvelopeDiagram  *diagram,
                                                               guint                   index);
gint                       envelope_diagram_find_block        (const EnvelopeDiagram  *diagram,
                                                               guint                   layer);
gint                       envelope_diagram_get_input_block   (const EnvelopeDiagram  *diagram);
char                     **envelope_diagram_get_block_groups  (const EnvelopeDiagram  *diagram,
                                                               guint                   block);
char                      *envelope_diagram_get_layer_group   (const EnvelopeDiagram  *diagram,
                                                               guint                   layer);

guint                      envelope_diagram_get_n_layers      (const EnvelopeDiagram  *diagram);
const char                *envelope_diagram_get_layer_name    (const EnvelopeDiagram  *diagram,
                                                               guint                   layer);
const EnvelopeLayerFigures *envelope_diagram_get_layer_figures (const EnvelopeDiagram *diagram,
                                                               guint                   layer);
void                       envelope_diagram_get_input_extent  (const EnvelopeDiagram  *diagram,
                                                               guint64                *height,
                                                               guint64                *width);

const char                *envelope_diagram_get_title         (const EnvelopeDiagram  *diagram);
const EnvelopeTotals      *envelope_diagram_get_totals        (const EnvelopeDiagram  *diagram);
const EnvelopeMemory      *envelope_diagram_get_memory        (const EnvelopeDiagram  *diagram);
guint64                    envelope_diagram_get_max_params    (const EnvelopeDiagram  *diagram);
guint64                    envelope_diagram_get_max_macs      (const EnvelopeDiagram  *diagram);
guint64                    envelope_diagram_get_max_activations (const EnvelopeDiagram *diagram);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeDiagram, envelope_diagram_unref)

G_END_DECLS
