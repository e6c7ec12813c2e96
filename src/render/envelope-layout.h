/* envelope-layout.h: where every block and arrow goes
 *
 * Graphviz's dot engine ranks the blocks and routes the arrows; the
 * layout keeps the result in world units (points, y down) with an index
 * for the visible rectangle and for hit tests.  A layout is computed off
 * the draw path and reused while envelope_layout_fits() says so: a new
 * parameter value or colour mode does not move anything.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "envelope-diagram.h"
#include "envelope-geometry.h"

G_BEGIN_DECLS

#define ENVELOPE_LAYOUT_ERROR (envelope_layout_error_quark ())

/**
 * EnvelopeLayoutError:
 * @ENVELOPE_LAYOUT_ERROR_FAILED: Graphviz could not lay the diagram out
 */
typedef enum
{
  ENVELOPE_LAYOUT_ERROR_FAILED,
} EnvelopeLayoutError;

GQuark envelope_layout_error_quark (void);

/* An arrow: a chain of cubic Bézier segments (1 + 3k points) from the
 * source block's side to the target's, where its head is. */
typedef struct
{
  guint n_points;
  const EnvelopePoint *points;
  EnvelopeRect bounds;
  gboolean has_label;        /* the shape it carries is written at @label */
  EnvelopePoint label;       /* the centre of that text */
} EnvelopeEdgeGeometry;

typedef enum
{
  ENVELOPE_HIT_NONE,
  ENVELOPE_HIT_BLOCK,
  ENVELOPE_HIT_EDGE,
} EnvelopeHitKind;

typedef struct
{
  EnvelopeHitKind kind;
  guint index;               /* a block or an edge of the diagram */
} EnvelopeHit;

typedef struct _EnvelopeLayout EnvelopeLayout;

#define ENVELOPE_TYPE_LAYOUT (envelope_layout_get_type ())
GType                       envelope_layout_get_type           (void) G_GNUC_CONST;

EnvelopeLayout             *envelope_layout_new                (const EnvelopeDiagram *diagram,
                                                                GError               **error);
EnvelopeLayout             *envelope_layout_new_wrapped        (const EnvelopeLayout  *unwrapped,
                                                                const EnvelopeDiagram *diagram);
EnvelopeLayout             *envelope_layout_ref                (EnvelopeLayout        *layout);
void                        envelope_layout_unref              (EnvelopeLayout        *layout);

gboolean                    envelope_layout_fits               (const EnvelopeLayout  *layout,
                                                                const EnvelopeDiagram *diagram);
guint64                     envelope_layout_get_structure_key  (const EnvelopeLayout  *layout);
EnvelopeDirection           envelope_layout_get_direction      (const EnvelopeLayout  *layout);
void                        envelope_layout_get_bounds         (const EnvelopeLayout  *layout,
                                                                EnvelopeRect          *bounds);
double                      envelope_layout_get_rank_gap       (const EnvelopeLayout  *layout);

guint                       envelope_layout_get_n_rows         (const EnvelopeLayout  *layout);
guint                       envelope_layout_count_fold_rows    (const EnvelopeLayout  *unwrapped,
                                                                const EnvelopeDiagram *diagram,
                                                                double                 length);
void                        envelope_layout_get_row_bounds     (const EnvelopeLayout  *layout,
                                                                guint                  row,
                                                                EnvelopeRect          *bounds);
guint                       envelope_layout_get_block_row      (const EnvelopeLayout  *layout,
                                                                guint                  block);

guint                       envelope_layout_get_n_blocks       (const EnvelopeLayout  *layout);
void                        envelope_layout_get_block_rect     (const EnvelopeLayout  *layout,
                                                                guint                  block,
                                                                EnvelopeRect          *rect);
guint                       envelope_layout_get_n_edges        (const EnvelopeLayout  *layout);
const EnvelopeEdgeGeometry *envelope_layout_get_edge           (const EnvelopeLayout  *layout,
                                                                guint                  edge);

void                        envelope_layout_query              (const EnvelopeLayout  *layout,
                                                                const EnvelopeRect    *rect,
                                                                GArray                *blocks,
                                                                GArray                *edges);
gboolean                    envelope_layout_hit_test           (const EnvelopeLayout  *layout,
                                                                double                 x,
                                                                double                 y,
                                                                double                 tolerance,
                                                                double                 zoom,
                                                                EnvelopeHit           *hit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnvelopeLayout, envelope_layout_unref)

G_END_DECLS
