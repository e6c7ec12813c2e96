/* envelope-layout.c: Graphviz places, Envelope draws
 *
 * Every block goes to dot as a fixed-size box with no label; dot ranks
 * the boxes, orders them and routes the arrows, and the positions and
 * spline control points are read back.  Nothing is rendered by Graphviz.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <graphviz/gvc.h>
#include <math.h>
#include <string.h>

#include "envelope-layout.h"
#include "envelope-render-private.h"

G_DEFINE_QUARK (envelope-layout-error-quark, envelope_layout_error)

static void finish (EnvelopeLayout        *layout,
                    const EnvelopeDiagram *diagram);

typedef struct
{
  guint first;               /* into points */
  guint n_points;
  EnvelopeRect bounds;
  gboolean has_label;
  EnvelopePoint label;
} EdgeData;

struct _EnvelopeLayout
{
  guint64 structure_key;
  EnvelopeDirection direction;
  double rank_gap;
  EnvelopeRect bounds;

  guint n_blocks;
  EnvelopeRect *blocks;
  guint n_edges;
  EdgeData *edges;
  guint n_rows;              /* 1 unless the flow is wrapped */
  EnvelopeRect *rows;
  guint *block_row;
  GArray *points;            /* EnvelopePoint */
  EnvelopeEdgeGeometry *geometry;

  /* A uniform grid over the bounds: each cell lists the blocks and edges
   * whose bounds meet it (compressed rows: offsets, then items). */
  double cell_size;
  guint grid_columns;
  guint grid_rows;
  guint *block_offsets;
  guint *block_items;
  guint *edge_offsets;
  guint *edge_items;
  EnvelopeRect *block_reach;   /* what a block draws: its node, and the run its size label is under */
};

G_DEFINE_BOXED_TYPE (EnvelopeLayout, envelope_layout, envelope_layout_ref, envelope_layout_unref)

/* Graphviz keeps global state: one context for the process, and one
 * layout at a time. */
static GMutex graphviz_lock;
static GVC_t *graphviz_context;
static GString *graphviz_errors;

static int
collect_graphviz_error (char *message)
{
  if (graphviz_errors != NULL)
    g_string_append (graphviz_errors, message);
  return 0;
}

static GVC_t *
get_graphviz (void)
{
  if (graphviz_context == NULL)
    {
      agseterr (AGERR);
      agseterrf (collect_graphviz_error);
      graphviz_context = gvContext ();
    }
  return graphviz_context;
}

static void
set_attribute (void       *object,
               Agsym_t    *symbol,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.4f", value);
  agxset (object, symbol, buf);
}

/* dot's y axis points up; the world's points down. */
static void
flip_point (double         top,
            const pointf  *p,
            EnvelopePoint *out)
{
  out->x = p->x;
  out->y = top - p->y;
}

static void
add_point (GArray *points,
           double  x,
           double  y)
{
  EnvelopePoint p = { x, y };

  g_array_append_val (points, p);
}

/* A straight segment as a cubic: keeps every path a Bézier chain. */
static void
add_line (GArray *points,
          double  x,
          double  y)
{
  EnvelopePoint from = g_array_index (points, EnvelopePoint, points->len - 1);

  add_point (points, from.x + (x - from.x) / 3, from.y + (y - from.y) / 3);
  add_point (points, from.x + 2 * (x - from.x) / 3, from.y + 2 * (y - from.y) / 3);
  add_point (points, x, y);
}

/* Where an arrow leaves or meets the drawn box of a block in the
 * proportional style: the side of the box that faces the flow, at the
 * spline's height (or abscissa) clamped into the box. */
static void
box_port (const EnvelopeBlock *block,
          const EnvelopeRect  *node,
          EnvelopeDirection    direction,
          gboolean             outgoing,
          const EnvelopePoint *near,
          EnvelopePoint       *port)
{
  EnvelopeRect front;
  double dx, dy, margin;

  block_box_geometry (block, direction, node->x + node->width / 2, node->y + node->height / 2, &front, &dx, &dy);
  if (direction == ENVELOPE_DIRECTION_LEFT_RIGHT)
    {
      margin = MIN (3.0, front.height / 4);
      if (outgoing)
        {
          port->x = front.x + front.width + dx / 2;
          port->y = CLAMP (near->y, front.y - dy / 2 + margin, front.y + front.height - dy / 2 - margin);
        }
      else
        {
          port->x = front.x;
          port->y = CLAMP (near->y, front.y + margin, front.y + front.height - margin);
        }
    }
  else
    {
      margin = MIN (3.0, front.width / 4);
      if (outgoing)
        {
          port->x = CLAMP (near->x, front.x + margin, front.x + front.width - margin);
          port->y = front.y + front.height;
        }
      else
        {
          port->x = CLAMP (near->x, front.x + dx / 2 + margin, front.x + front.width + dx / 2 - margin);
          port->y = front.y - dy / 2;
        }
    }
}

static void
compute_edge_bounds (EnvelopeLayout *layout,
                     EdgeData       *edge)
{
  const EnvelopePoint *p = &g_array_index (layout->points, EnvelopePoint, edge->first);
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;

  /* the control points' hull contains the curve */
  for (guint i = 0; i < edge->n_points; i++)
    {
      x0 = MIN (x0, p[i].x);
      y0 = MIN (y0, p[i].y);
      x1 = MAX (x1, p[i].x);
      y1 = MAX (y1, p[i].y);
    }
  edge->bounds.x = x0;
  edge->bounds.y = y0;
  edge->bounds.width = x1 - x0;
  edge->bounds.height = y1 - y0;
}

/* ranks and arrows, for sorting arrows by how many ranks they span */
static const guint *sort_rank;
static const EnvelopeDiagram *sort_diagram;

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  const EnvelopeDiagramEdge *ex = envelope_diagram_get_edge (sort_diagram, x);
  const EnvelopeDiagramEdge *ey = envelope_diagram_get_edge (sort_diagram, y);
  guint span_x = sort_rank[ex->to] - sort_rank[ex->from], span_y = sort_rank[ey->to] - sort_rank[ey->from];

  if (span_x != span_y)
    return span_x < span_y ? -1 : 1;
  return x < y ? -1 : x > y;
}

/* How many arrows run through each rank: a segment tree with a count
 * added over a run of ranks and the largest count over a run. */
typedef struct
{
  guint *largest;
  guint *added;
} RankTree;

static void
rank_tree_init (RankTree *tree,
                guint     n_ranks)
{
  tree->largest = g_new0 (guint, 4 * (gsize) n_ranks);
  tree->added = g_new0 (guint, 4 * (gsize) n_ranks);
}

static void
rank_tree_clear (RankTree *tree)
{
  g_free (tree->largest);
  g_free (tree->added);
}

static void
rank_tree_add (RankTree *tree,
               guint     node,
               guint     low,
               guint     high,
               guint     from,
               guint     to)
{
  guint middle = low + (high - low) / 2;

  if (to < low || from > high)
    return;
  if (from <= low && high <= to)
    {
      tree->added[node]++;
      tree->largest[node]++;
      return;
    }
  rank_tree_add (tree, 2 * node, low, middle, from, to);
  rank_tree_add (tree, 2 * node + 1, middle + 1, high, from, to);
  tree->largest[node] = tree->added[node] + MAX (tree->largest[2 * node], tree->largest[2 * node + 1]);
}

static guint
rank_tree_max (const RankTree *tree,
               guint           node,
               guint           low,
               guint           high,
               guint           from,
               guint           to)
{
  guint middle = low + (high - low) / 2, left, right;

  if (to < low || from > high)
    return 0;
  if (from <= low && high <= to)
    return tree->largest[node];
  left = rank_tree_max (tree, 2 * node, low, middle, from, to);
  right = rank_tree_max (tree, 2 * node + 1, middle + 1, high, from, to);
  return tree->added[node] + MAX (left, right);
}

/* ---- dense networks ---- */

/* dot lays every arrow that jumps over ranks out as a chain of virtual
 * nodes, one a rank, and orders and places them all: DenseNet-121's
 * concatenations of every earlier layer make tens of thousands, and dot
 * takes minutes.  Past this many virtual nodes (beyond a few per block)
 * a network is dense: its long arrows are kept out of dot's graph where
 * a rank would hold more than a few of them, and drawn as arcs over the
 * flow instead. */
#define VIRTUAL_NODES_PER_BLOCK 2
#define VIRTUAL_NODES_MIN 400
#define VIRTUAL_NODES_PER_RANK 4

/* The arrows that dot lays out: all of them, unless the network is
 * dense (see above); then each block's nearest input (its chain), and
 * the other arrows from the shortest up while the virtual nodes stay
 * within the bound.  @chain marks each block's nearest input; @rank
 * gets each block's rank along the flow (the longest path to it), and
 * @ranked whether there is one (the blocks follow the flow).  Returns
 * the number of arrows left out. */
static guint
choose_dot_edges (const EnvelopeDiagram *diagram,
                  gboolean              *in_dot,
                  gboolean              *chain,
                  guint                 *rank,
                  gboolean              *ranked)
{
  guint n_blocks = envelope_diagram_get_n_blocks (diagram);
  guint first = 0, last = n_blocks - 1;
  guint n_edges = envelope_diagram_get_n_edges (diagram);
  g_autofree gint *nearest = g_new (gint, n_blocks);
  guint64 virtual_nodes = 0, budget = MAX ((guint64) VIRTUAL_NODES_MIN, (guint64) VIRTUAL_NODES_PER_BLOCK * n_blocks);
  guint n_inside = 0, left_out = 0;
  gboolean sorted = TRUE;

  *ranked = FALSE;
  for (guint b = 0; b < n_blocks; b++)
    {
      nearest[b] = -1;
      rank[b] = 0;
    }
  /* the longest path's rank, in the blocks' order, which follows the
   * flow unless a collapsed block upsets it (then every arrow goes to
   * dot) */
  for (guint e = 0; e < n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      in_dot[e] = chain[e] = FALSE;
      if (edge->from < first || edge->from > last || edge->to < first || edge->to > last)
        continue;
      in_dot[e] = TRUE;
      n_inside++;
      if (edge->from >= edge->to)
        sorted = FALSE;
    }
  if (!sorted)
    return 0;
  *ranked = TRUE;
  if (n_inside == 0)
    return 0;
  {
    /* in-edges grouped by target (counting sort), then ranks in block
     * order */
    g_autofree guint *offsets = g_new0 (guint, n_blocks + 1);
    g_autofree guint *by_target = g_new (guint, n_inside);

    for (guint e = 0; e < n_edges; e++)
      if (in_dot[e])
        offsets[envelope_diagram_get_edge (diagram, e)->to - first + 1]++;
    for (guint b = 0; b < n_blocks; b++)
      offsets[b + 1] += offsets[b];
    {
      g_autofree guint *fill = g_memdup2 (offsets, sizeof (guint) * n_blocks);

      for (guint e = 0; e < n_edges; e++)
        if (in_dot[e])
          by_target[fill[envelope_diagram_get_edge (diagram, e)->to - first]++] = e;
    }
    for (guint b = 0; b < n_blocks; b++)
      for (guint k = offsets[b]; k < offsets[b + 1]; k++)
        {
          const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, by_target[k]);
          guint from = edge->from - first;

          rank[b] = MAX (rank[b], rank[from] + 1);
          if (nearest[b] < 0 || rank[from] > rank[envelope_diagram_get_edge (diagram, (guint) nearest[b])->from - first])
            nearest[b] = (gint) by_target[k];
        }
  }
  for (guint b = 0; b < n_blocks; b++)
    if (nearest[b] >= 0)
      chain[nearest[b]] = TRUE;

  for (guint e = 0; e < n_edges; e++)
    if (in_dot[e])
      {
        const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

        virtual_nodes += rank[edge->to - first] - rank[edge->from - first] - 1;
      }
  if (virtual_nodes <= budget)
    return 0;

  /* the chain's arrows, then the others from the shortest up, as long
   * as no rank holds more than a few of their virtual nodes */
  {
    guint n_ranks = 1;
    g_autofree guint *sorted_edges = g_new (guint, n_inside);
    guint n_sorted = 0;
    RankTree tree;

    for (guint b = 0; b < n_blocks; b++)
      n_ranks = MAX (n_ranks, rank[b] + 1);
    rank_tree_init (&tree, n_ranks);
    for (guint e = 0; e < n_edges; e++)
      if (in_dot[e])
        {
          const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
          guint from = rank[edge->from - first], to = rank[edge->to - first];

          if (chain[e])
            {
              if (to - from > 1)
                rank_tree_add (&tree, 1, 0, n_ranks - 1, from + 1, to - 1);
            }
          else
            sorted_edges[n_sorted++] = e;
        }
    sort_rank = rank;
    sort_diagram = diagram;
    qsort (sorted_edges, n_sorted, sizeof (guint), compare_spans);
    for (guint i = 0; i < n_sorted; i++)
      {
        const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, sorted_edges[i]);
        guint from = rank[edge->from - first], to = rank[edge->to - first];

        if (to - from <= 1)
          continue;
        if (rank_tree_max (&tree, 1, 0, n_ranks - 1, from + 1, to - 1) < VIRTUAL_NODES_PER_RANK)
          rank_tree_add (&tree, 1, 0, n_ranks - 1, from + 1, to - 1);
        else
          {
            in_dot[sorted_edges[i]] = FALSE;
            left_out++;
          }
      }
    rank_tree_clear (&tree);
  }
  return left_out;
}

/* An arrow dot did not lay out: an arc over the flow (left of it, top to
 * bottom) from the top of its source to the top of its target, higher
 * the farther it reaches, so that arcs from one block nest. */
static void
add_arc (EnvelopeLayout        *layout,
         const EnvelopeRect    *a,
         const EnvelopeRect    *c,
         double                 edge_of_flow)
{
  GArray *points = layout->points;

  if (layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT)
    {
      double x0 = a->x + a->width / 2, x1 = c->x + c->width / 2;
      double lift = 10 + 20 * log2 (1 + fabs (x1 - x0) / 200);
      /* a cubic's middle is a quarter of its ends and three quarters
       * of its controls: the top of the arc @lift over the flow */
      double y = (edge_of_flow - lift - 0.25 * (a->y + c->y)) / 0.75;

      add_point (points, x0, a->y);
      add_point (points, x0, y);
      add_point (points, x1, y);
      add_point (points, x1, c->y);
    }
  else
    {
      double y0 = a->y + a->height / 2, y1 = c->y + c->height / 2;
      double lift = 10 + 20 * log2 (1 + fabs (y1 - y0) / 200);
      double x = (edge_of_flow - lift - 0.25 * (a->x + c->x)) / 0.75;

      add_point (points, a->x, y0);
      add_point (points, x, y0);
      add_point (points, x, y1);
      add_point (points, c->x, y1);
    }
}

/* Lays out blocks @first to @last (and the arrows between them) with
 * dot, into @layout's rectangles and paths, in dot's own frame. */
static gboolean
run_dot (EnvelopeLayout        *layout,
         const EnvelopeDiagram *diagram,
         guint                  first,
         guint                  last,
         const gboolean        *in_dot,
         const gboolean        *chain,
         gboolean               dense,
         GError               **error)
{
  guint n_blocks = last - first + 1;
  guint n_edges = envelope_diagram_get_n_edges (diagram);
  EnvelopeDiagramStyle style = envelope_diagram_get_style (diagram);
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  g_autofree Agnode_t **nodes = g_new0 (Agnode_t *, n_blocks);
  g_autofree Agedge_t **edges = g_new0 (Agedge_t *, MAX (n_edges, 1));
  Agraph_t *graph;
  Agsym_t *width_symbol, *height_symbol, *weight_symbol;
  GVC_t *gvc;
  double top;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  int status;

  g_mutex_lock (&graphviz_lock);
  gvc = get_graphviz ();
  graphviz_errors = g_string_new (NULL);

  graph = agopen ((char *) "envelope", Agdirected, NULL);
  agattr (graph, AGRAPH, (char *) "rankdir", (char *) (lr ? "LR" : "TB"));
  /* The newer ranking is linear on long chains where the classic one is
   * quadratic. */
  agattr (graph, AGRAPH, (char *) "newrank", (char *) "true");
  /* Proportional boxes are met in the middle of their sides (ports),
   * where splines loop; straight segments do not. */
  agattr (graph, AGRAPH, (char *) "splines",
          (char *) (style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL ? "polyline" : "spline"));
  g_ascii_formatd (buf, sizeof buf, "%.4f", layout->rank_gap / 72.0);
  agattr (graph, AGRAPH, (char *) "ranksep", buf);
  g_ascii_formatd (buf, sizeof buf, "%.4f", (lr ? 14.0 : 20.0) / 72.0);
  agattr (graph, AGRAPH, (char *) "nodesep", buf);
  agattr (graph, AGNODE, (char *) "shape", (char *) "box");
  agattr (graph, AGNODE, (char *) "fixedsize", (char *) "true");
  agattr (graph, AGNODE, (char *) "label", (char *) "");
  width_symbol = agattr (graph, AGNODE, (char *) "width", (char *) "1");
  height_symbol = agattr (graph, AGNODE, (char *) "height", (char *) "1");
  weight_symbol = agattr (graph, AGEDGE, (char *) "weight", (char *) "1");
  agattr (graph, AGEDGE, (char *) "dir", (char *) "none");
  if (style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    {
      /* a box's text lies above and below it (beside it, top to
       * bottom): arrows leave and arrive in the middle of the facing
       * sides, where there is no text */
      agattr (graph, AGEDGE, (char *) "tailport", (char *) (lr ? "e" : "s"));
      agattr (graph, AGEDGE, (char *) "headport", (char *) (lr ? "w" : "n"));
    }

  for (guint b = first; b <= last; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      char name[24];

      g_snprintf (name, sizeof name, "b%u", b);
      nodes[b - first] = agnode (graph, name, TRUE);
      set_attribute (nodes[b - first], width_symbol, block->width / 72.0);
      set_attribute (nodes[b - first], height_symbol, block->height / 72.0);
    }
  for (guint e = 0; e < n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      if (!in_dot[e] || edge->from < first || edge->from > last || edge->to < first || edge->to > last)
        continue;
      edges[e] = agedge (graph, nodes[edge->from - first], nodes[edge->to - first], NULL, TRUE);
      /* A block's first input stays in line with it: the main path of a
       * residual block runs straight and the shortcut bends around.  In
       * a dense network, its nearest input does. */
      agxset (edges[e], weight_symbol, (char *) (edge->main || (dense && chain[e]) ? "8" : dense ? "0" : "1"));
    }

  status = gvLayout (gvc, graph, "dot");
  if (status != 0)
    {
      g_set_error (error, ENVELOPE_LAYOUT_ERROR, ENVELOPE_LAYOUT_ERROR_FAILED,
                   _("Graphviz could not lay out the diagram: %s"),
                   graphviz_errors->len > 0 ? graphviz_errors->str : _("unknown error"));
      agclose (graph);
      g_string_free (g_steal_pointer (&graphviz_errors), TRUE);
      g_mutex_unlock (&graphviz_lock);
      return FALSE;
    }

  top = GD_bb (graph).UR.y;
  for (guint b = first; b <= last; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      EnvelopePoint center;

      flip_point (top, &ND_coord (nodes[b - first]), &center);
      layout->blocks[b].x = center.x - block->width / 2;
      layout->blocks[b].y = center.y - block->height / 2;
      layout->blocks[b].width = block->width;
      layout->blocks[b].height = block->height;
    }

  for (guint e = 0; e < n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      EdgeData *data = &layout->edges[e];
      splines *spl;
      GArray *points = layout->points;

      if (edges[e] == NULL)
        continue;
      spl = ED_spl (edges[e]);
      data->first = points->len;
      if (spl == NULL || spl->size == 0 || spl->list[0].size < 4)
        {
          /* no route: a straight line between the centres */
          const EnvelopeRect *a = &layout->blocks[edge->from], *c = &layout->blocks[edge->to];

          add_point (points, a->x + a->width / 2, a->y + a->height / 2);
          add_line (points, c->x + c->width / 2, c->y + c->height / 2);
        }
      else
        {
          const bezier *bz = &spl->list[0];
          EnvelopePoint p;

          if (style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
            {
              EnvelopePoint start, port;

              flip_point (top, &bz->list[0], &start);
              box_port (envelope_diagram_get_block (diagram, edge->from), &layout->blocks[edge->from],
                        layout->direction, TRUE, &start, &port);
              add_point (points, port.x, port.y);
              add_line (points, start.x, start.y);
            }
          else
            {
              flip_point (top, &bz->list[0], &p);
              add_point (points, p.x, p.y);
            }
          /* one bezier per edge: dot gives more only for compound edges */
          for (int i = 1; i < bz->size; i++)
            {
              flip_point (top, &bz->list[i], &p);
              add_point (points, p.x, p.y);
            }
          if (style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
            {
              EnvelopePoint end = g_array_index (points, EnvelopePoint, points->len - 1), port;

              box_port (envelope_diagram_get_block (diagram, edge->to), &layout->blocks[edge->to],
                        layout->direction, FALSE, &end, &port);
              add_line (points, port.x, port.y);
            }
        }
      data->n_points = points->len - data->first;
    }

  gvFreeLayout (gvc, graph);
  agclose (graph);
  g_string_free (g_steal_pointer (&graphviz_errors), TRUE);
  g_mutex_unlock (&graphviz_lock);
  return TRUE;
}

/* Large networks are laid out in pieces of about this many blocks. */
#define PIECE_BLOCKS 160

/* Where a large network can be cut: a block that every path from what
 * comes before to what comes after runs through, with nothing before it
 * left dangling (it is the only end of its piece) and nothing after it
 * starting afresh (it is the only start of the next). */
static guint *
find_cuts (const EnvelopeLayout  *layout,
           const EnvelopeDiagram *diagram,
           const gboolean        *in_dot,
           guint                 *n_cuts)
{
  guint n = layout->n_blocks;
  g_autofree gint *crossing = g_new0 (gint, n + 1);
  g_autofree guint *in_degree = g_new0 (guint, n);
  g_autofree guint *out_degree = g_new0 (guint, n);
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint piece_start = 0, last_source = 0;
  gboolean dead_end = FALSE;

  *n_cuts = 0;
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      if (edge->from >= edge->to)
        {
          g_array_free (cuts, TRUE);
          return NULL;
        }
      /* an arc over the flow is drawn after the pieces are joined */
      if (!in_dot[e])
        continue;
      /* counts the edges that jump over a block: from < block < to */
      crossing[edge->from + 1]++;
      crossing[edge->to]--;
      out_degree[edge->from]++;
      in_degree[edge->to]++;
    }
  for (guint b = 1; b <= n; b++)
    crossing[b] += crossing[b - 1];
  for (guint b = 0; b < n; b++)
    if (in_degree[b] == 0)
      last_source = b;

  for (guint b = 1; b + 1 < n; b++)
    {
      /* a block with no way out, before @b, makes a second end */
      dead_end |= out_degree[b - 1] == 0;
      if (b - piece_start >= PIECE_BLOCKS && crossing[b] == 0 && !dead_end && out_degree[b] > 0 &&
          b >= last_source)
        {
          g_array_append_val (cuts, b);
          piece_start = b;
        }
    }
  *n_cuts = cuts->len;
  return (guint *) g_array_free (cuts, FALSE);
}

static void
translate_piece (EnvelopeLayout        *layout,
                 const EnvelopeDiagram *diagram,
                 guint                  first,
                 guint                  last,
                 double                 dx,
                 double                 dy)
{
  for (guint b = first; b <= last; b++)
    {
      layout->blocks[b].x += dx;
      layout->blocks[b].y += dy;
    }
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      if (edge->from < first || edge->to > last)
        continue;
      for (guint i = 0; i < layout->edges[e].n_points; i++)
        {
          EnvelopePoint *p = &g_array_index (layout->points, EnvelopePoint, layout->edges[e].first + i);

          p->x += dx;
          p->y += dy;
        }
    }
}

/* Past this many blocks in a piece that cannot be cut, or this many in
 * one rank, dot takes seconds to minutes (its ordering and positioning
 * grow with the square of both): such a piece gets a plain arrangement
 * of Envelope's own instead (see arrange_piece()). */
#define DOT_MAX_BLOCKS 600
#define DOT_MAX_RANK_BLOCKS 200

/* The cheaper arrangement: blocks in columns by rank (rows, top to
 * bottom), in the order of the network, a rank of many blocks folded
 * into several columns side by side; arrows straight from side to side.
 * No crossing is avoided, but it takes no time. */
static void
arrange_piece (EnvelopeLayout        *layout,
               const EnvelopeDiagram *diagram,
               guint                  first,
               guint                  last,
               const gboolean        *in_dot,
               const guint           *rank)
{
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  double gap = lr ? 14.0 : 20.0;
  guint min_rank = G_MAXUINT, max_rank = 0, n_ranks;
  g_autofree guint *count = NULL;
  g_autofree guint *seen = NULL;
  g_autofree double *along = NULL;       /* a rank's largest block along the flow */
  g_autofree double *across = NULL;      /* its largest across */
  g_autofree double *start = NULL;       /* where its first column starts */
  guint n_edges = envelope_diagram_get_n_edges (diagram);

  for (guint b = first; b <= last; b++)
    {
      min_rank = MIN (min_rank, rank[b]);
      max_rank = MAX (max_rank, rank[b]);
    }
  n_ranks = max_rank - min_rank + 1;
  count = g_new0 (guint, n_ranks);
  seen = g_new0 (guint, n_ranks);
  along = g_new0 (double, n_ranks);
  across = g_new0 (double, n_ranks);
  start = g_new0 (double, n_ranks + 1);
  for (guint b = first; b <= last; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      guint r = rank[b] - min_rank;

      count[r]++;
      along[r] = MAX (along[r], lr ? block->width : block->height);
      across[r] = MAX (across[r], lr ? block->height : block->width);
    }
  for (guint r = 0; r < n_ranks; r++)
    {
      /* a square-ish fold of a wide rank */
      guint columns = (guint) ceil (sqrt ((double) count[r] / 4));

      start[r + 1] = start[r] + columns * along[r] + (columns - 1) * gap + layout->rank_gap;
    }
  for (guint b = first; b <= last; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      guint r = rank[b] - min_rank;
      guint columns = (guint) ceil (sqrt ((double) count[r] / 4));
      guint per_column = (count[r] + columns - 1) / columns;
      guint column = seen[r] / per_column, place = seen[r] % per_column;
      guint in_column = MIN (per_column, count[r] - column * per_column);
      double a = start[r] + column * (along[r] + gap) + along[r] / 2;
      double c = (place - (in_column - 1) / 2.0) * (across[r] + gap);
      EnvelopeRect *rect = &layout->blocks[b];

      seen[r]++;
      rect->width = block->width;
      rect->height = block->height;
      rect->x = (lr ? a : c) - block->width / 2;
      rect->y = (lr ? c : a) - block->height / 2;
    }
  for (guint e = 0; e < n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      const EnvelopeRect *from = &layout->blocks[edge->from], *to = &layout->blocks[edge->to];
      EdgeData *data = &layout->edges[e];

      if (!in_dot[e] || edge->from < first || edge->from > last || edge->to < first || edge->to > last)
        continue;
      data->first = layout->points->len;
      if (lr)
        {
          add_point (layout->points, from->x + from->width, from->y + from->height / 2);
          add_line (layout->points, to->x, to->y + to->height / 2);
        }
      else
        {
          add_point (layout->points, from->x + from->width / 2, from->y + from->height);
          add_line (layout->points, to->x + to->width / 2, to->y);
        }
      data->n_points = layout->points->len - data->first;
    }
}

/* The arrows left out of dot's graph, as arcs once every block has its
 * place: over the blocks between their ends (in the network's order),
 * found with a table of minima over runs of a power of two. */
static void
add_arcs (EnvelopeLayout        *layout,
          const EnvelopeDiagram *diagram,
          const gboolean        *in_dot)
{
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  guint n = layout->n_blocks, levels = 1;
  g_autofree double *table = NULL;

  while ((1u << levels) <= n)
    levels++;
  table = g_new (double, (gsize) levels * n);
  for (guint b = 0; b < n; b++)
    table[b] = lr ? layout->blocks[b].y : layout->blocks[b].x;
  for (guint k = 1; k < levels; k++)
    for (guint b = 0; b + (1u << k) <= n; b++)
      table[k * n + b] = MIN (table[(k - 1) * n + b], table[(k - 1) * n + b + (1u << (k - 1))]);

  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      EdgeData *data = &layout->edges[e];
      guint a = MIN (edge->from, edge->to), c = MAX (edge->from, edge->to), k = 0;

      if (in_dot[e])
        continue;
      while ((2u << k) <= c - a + 1)
        k++;
      data->first = layout->points->len;
      add_arc (layout, &layout->blocks[edge->from], &layout->blocks[edge->to],
               MIN (table[k * n + a], table[k * n + c + 1 - (1u << k)]));
      data->n_points = layout->points->len - data->first;
    }
}

/* dot's positioning phase grows with the square of the blocks on long
 * networks (2.42's feasible-tree search), and no setting avoids it
 * without spoiling the layout.  A large network is therefore laid out
 * in pieces cut at single blocks (see find_cuts()): each piece by dot,
 * the cut block in both of its pieces, and each piece moved so that its
 * copy of the cut block lands on the previous piece's.  The arrows of a
 * dense network that dot is spared (see choose_dot_edges()) do not hold
 * pieces together: they are drawn last, over the joined pieces. */
static gboolean
lay_out_blocks (EnvelopeLayout        *layout,
                const EnvelopeDiagram *diagram,
                GError               **error)
{
  guint n_edges = envelope_diagram_get_n_edges (diagram);
  g_autofree gboolean *in_dot = g_new0 (gboolean, MAX (n_edges, 1));
  g_autofree gboolean *chain = g_new0 (gboolean, MAX (n_edges, 1));
  g_autofree guint *rank = g_new0 (guint, layout->n_blocks);
  g_autofree guint *rank_count = NULL;
  guint n_cuts = 0, left_out;
  g_autofree guint *cuts = NULL;
  gboolean ranked;
  guint first = 0;

  left_out = choose_dot_edges (diagram, in_dot, chain, rank, &ranked);
  if (left_out > 0)
    g_debug ("dense network: %u of %u arrows drawn as arcs over the flow", left_out, n_edges);
  if (layout->n_blocks > 2 * PIECE_BLOCKS)
    cuts = find_cuts (layout, diagram, in_dot, &n_cuts);
  if (ranked)
    rank_count = g_new0 (guint, layout->n_blocks);

  for (guint k = 0; k <= n_cuts; k++)
    {
      guint last = k < n_cuts ? cuts[k] : layout->n_blocks - 1;
      EnvelopeRect joint = layout->blocks[first];
      guint widest = 0;

      if (ranked)
        {
          for (guint b = first; b <= last; b++)
            widest = MAX (widest, ++rank_count[rank[b]]);
          for (guint b = first; b <= last; b++)
            rank_count[rank[b]] = 0;
        }
      if (ranked && (last - first + 1 > DOT_MAX_BLOCKS || widest > DOT_MAX_RANK_BLOCKS))
        arrange_piece (layout, diagram, first, last, in_dot, rank);
      else if (!run_dot (layout, diagram, first, last, in_dot, chain, left_out > 0, error))
        return FALSE;
      if (k > 0)
        translate_piece (layout, diagram, first, last, joint.x - layout->blocks[first].x,
                         joint.y - layout->blocks[first].y);
      first = last;
    }
  if (left_out > 0)
    add_arcs (layout, diagram, in_dot);
  return TRUE;
}

/* ---- wrapping the flow into rows ---- */

#define CORNER_RADIUS 8.0
/* the lane between two rows where the arrow from one to the next runs */
#define ROW_LANE 36.0

static double
along_start (const EnvelopeLayout *layout,
             const EnvelopeRect   *r)
{
  return layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT ? r->x : r->y;
}

static double
along_end (const EnvelopeLayout *layout,
           const EnvelopeRect   *r)
{
  return layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT ? r->x + r->width : r->y + r->height;
}

/* A polyline through @corners with rounded corners, as Bézier segments. */
static void
add_rounded_polyline (GArray              *points,
                      const EnvelopePoint *corners,
                      guint                n)
{
  add_point (points, corners[0].x, corners[0].y);
  for (guint i = 1; i + 1 < n; i++)
    {
      const EnvelopePoint *a = &corners[i - 1], *c = &corners[i], *b = &corners[i + 1];
      double in_x = c->x - a->x, in_y = c->y - a->y, out_x = b->x - c->x, out_y = b->y - c->y;
      double len_in = sqrt (in_x * in_x + in_y * in_y), len_out = sqrt (out_x * out_x + out_y * out_y);
      double r = MIN (CORNER_RADIUS, MIN (len_in, len_out) / 2);
      EnvelopePoint p, q;

      if (len_in < 1e-6 || len_out < 1e-6)
        continue;
      p = (EnvelopePoint) { c->x - in_x / len_in * r, c->y - in_y / len_in * r };
      q = (EnvelopePoint) { c->x + out_x / len_out * r, c->y + out_y / len_out * r };
      add_line (points, p.x, p.y);
      /* the quadratic through the corner, as a cubic */
      add_point (points, p.x + 2.0 / 3.0 * (c->x - p.x), p.y + 2.0 / 3.0 * (c->y - p.y));
      add_point (points, q.x + 2.0 / 3.0 * (c->x - q.x), q.y + 2.0 / 3.0 * (c->y - q.y));
      add_point (points, q.x, q.y);
    }
  add_line (points, corners[n - 1].x, corners[n - 1].y);
}

static void
row_bounds (const EnvelopeLayout *layout,
            guint                 first,
            guint                 last,
            const EnvelopeDiagram *diagram,
            EnvelopeRect         *bounds)
{
  *bounds = (EnvelopeRect) { 0, 0, 0, 0 };
  for (guint b = first; b <= last; b++)
    envelope_rect_union (bounds, &layout->blocks[b], bounds);
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      if (edge->from >= first && edge->from <= last && edge->to >= first && edge->to <= last)
        {
          compute_edge_bounds ((EnvelopeLayout *) layout, &layout->edges[e]);
          envelope_rect_union (bounds, &layout->edges[e].bounds, bounds);
        }
    }
}

/* Where the flow may be cut into rows: between runs of blocks ("pieces")
 * that one arrow links (a clean cut), or that one more arrow crosses, a
 * branch's skip arrow (a cut through the branch; route_skip() takes
 * that arrow from row to row). */
typedef struct
{
  guint n_pieces;
  guint *first;       /* each piece's first block; n_pieces + 1 of them, the last n */
  double *start;      /* each piece's extent along the flow */
  double *end;
  gint *bridge;       /* per block: the arrow to the next block where the flow may be cut after it, or -1 */
  gint *skip;         /* per piece: the other arrow across the cut before it, or -1 (a clean cut) */
} Fold;

static void
fold_clear (Fold *fold)
{
  g_free (fold->first);
  g_free (fold->start);
  g_free (fold->end);
  g_free (fold->bridge);
  g_free (fold->skip);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fold, fold_clear)

/* How many rows the flow folds into when no row is longer than @limit
 * along it, and where each row starts (@first_piece).  A row is filled
 * as far as it fits; when that would cut through a branch, it ends at
 * the last clean cut instead if that leaves it at least half full.  A
 * piece longer than @limit takes a row longer than @limit. */
static guint
count_rows (const Fold *fold,
            double      limit,
            guint      *first_piece)
{
  guint n = fold->n_pieces;
  guint rows = 0;
  guint k = 0;

  while (k < n)
    {
      double row_start = fold->start[k], row_end = fold->end[k];
      guint j = k + 1, clean = 0;
      double clean_length = 0;

      /* the pieces that fit, and the last clean cut among them */
      while (j < n && MAX (row_end, fold->end[j]) - MIN (row_start, fold->start[j]) <= limit)
        {
          if (fold->skip[j] < 0)
            {
              clean = j;
              clean_length = row_end - row_start;
            }
          row_start = MIN (row_start, fold->start[j]);
          row_end = MAX (row_end, fold->end[j]);
          j++;
        }
      if (j < n && fold->skip[j] >= 0 && clean > 0 && clean_length >= limit / 2)
        j = clean;
      if (first_piece != NULL)
        first_piece[rows] = k;
      rows++;
      k = j;
    }
  return rows;
}

/* The pieces of @layout's flow (see Fold); with @through_branches, cuts
 * through a branch too.  Returns FALSE when the blocks are not in file
 * order (no clean cut). */
static gboolean
fold_pieces (const EnvelopeLayout  *layout,
             const EnvelopeDiagram *diagram,
             gboolean               through_branches,
             Fold                  *fold)
{
  guint n = layout->n_blocks;
  g_autofree gint *crossing = g_new0 (gint, n + 1);
  g_autofree gint64 *crossing_sum = g_new0 (gint64, n + 1);
  g_autofree gint *skip_after = g_new (gint, MAX (n, 1));

  memset (fold, 0, sizeof *fold);
  fold->bridge = g_new (gint, MAX (n, 1));
  fold->first = g_new (guint, n + 1);
  fold->start = g_new (double, MAX (n, 1));
  fold->end = g_new (double, MAX (n, 1));
  fold->skip = g_new (gint, MAX (n, 1));
  for (guint p = 0; p < n; p++)
    fold->bridge[p] = skip_after[p] = -1;
  /* the arrows across each gap between blocks: how many, and the sum
   * of their numbers (one plus the edge's index), which names the other
   * arrow where there are two */
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      if (edge->from >= edge->to)
        return FALSE;
      crossing[edge->from]++;
      crossing[edge->to]--;
      crossing_sum[edge->from] += (gint64) e + 1;
      crossing_sum[edge->to] -= (gint64) e + 1;
    }
  for (guint p = 1; p < n; p++)
    {
      crossing[p] += crossing[p - 1];
      crossing_sum[p] += crossing_sum[p - 1];
    }
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      guint p = edge->from;

      if (edge->to != p + 1 || fold->bridge[p] >= 0)
        continue;
      if (crossing[p] == 1)
        fold->bridge[p] = (gint) e;
      else if (crossing[p] == 2 && through_branches)
        {
          guint other = (guint) (crossing_sum[p] - (gint64) e - 2);
          const EnvelopeDiagramEdge *skip = envelope_diagram_get_edge (diagram, other);

          /* two arrows from one block to the next are not a branch */
          if (skip->from != p || skip->to != p + 1)
            {
              fold->bridge[p] = (gint) e;
              skip_after[p] = (gint) other;
            }
        }
    }

  for (guint b = 0; b < n; b++)
    {
      if (b == 0 || fold->bridge[b - 1] >= 0)
        {
          guint k = fold->n_pieces++;

          fold->first[k] = b;
          fold->start[k] = G_MAXDOUBLE;
          fold->end[k] = -G_MAXDOUBLE;
          fold->skip[k] = b == 0 ? -1 : skip_after[b - 1];
        }
      fold->start[fold->n_pieces - 1] = MIN (fold->start[fold->n_pieces - 1], along_start (layout, &layout->blocks[b]));
      fold->end[fold->n_pieces - 1] = MAX (fold->end[fold->n_pieces - 1], along_end (layout, &layout->blocks[b]));
    }
  fold->first[fold->n_pieces] = n;
  return TRUE;
}

/* A cut through a branch is made where the flat style draws: the
 * classic figure's boxes keep their branches whole. */
static gboolean
cuts_branches (const EnvelopeDiagram *diagram)
{
  return envelope_diagram_get_style (diagram) != ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
}

/**
 * envelope_layout_count_fold_rows:
 * @unwrapped: the layout of a diagram in one row
 * @length: the longest row wanted, along the flow
 *
 * How many rows @unwrapped's flow folds into when none is longer than
 * @length (a piece that cannot be cut and is longer takes a row of its
 * own): the wrap to ask of a diagram for rows that fit.
 *
 * Returns: the number of rows; 1 when the flow cannot be cut
 */
guint
envelope_layout_count_fold_rows (const EnvelopeLayout  *unwrapped,
                                 const EnvelopeDiagram *diagram,
                                 double                 length)
{
  g_auto(Fold) fold = { 0 };

  g_return_val_if_fail (unwrapped != NULL && diagram != NULL, 1);
  if (unwrapped->n_blocks < 2 || unwrapped->n_blocks != envelope_diagram_get_n_blocks (diagram) ||
      unwrapped->n_edges != envelope_diagram_get_n_edges (diagram))
    return 1;
  if (!fold_pieces (unwrapped, diagram, cuts_branches (diagram), &fold) || fold.n_pieces < 2)
    return 1;
  return count_rows (&fold, length, NULL);
}

/* @r with its x and y exchanged: a top-to-bottom flow read as one left
 * to right. */
static EnvelopeRect
transposed (const EnvelopeRect *r)
{
  return (EnvelopeRect) { r->y, r->x, r->height, r->width };
}

/* A skip arrow @e cut by the fold, from its block in one row to its
 * block in a later one: out of the bottom of its source (the right side
 * in a top-to-bottom flow) to a track of the lane after the source's
 * row, nearer the row than the track of the arrows that link the rows;
 * when a row lies between, along that track to the @gutter before the
 * rows' starts and along it to the lane before the target's row; then
 * into the top (the left side) of its target.  Worked out left to right;
 * a top-to-bottom flow is the same with x and y exchanged. */
static void
route_skip (EnvelopeLayout        *layout,
            const EnvelopeDiagram *diagram,
            guint                  e,
            double                 gutter)
{
  const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  guint r_from = layout->block_row[edge->from], r_to = layout->block_row[edge->to];
  EnvelopeRect from, to, first_lane, last_lane;
  EnvelopePoint corners[6];
  double out, in, x0, x1;
  guint n = 0;

  /* a cut it crosses lies between its blocks */
  g_assert (r_to > r_from);
  from = layout->blocks[edge->from];
  to = layout->blocks[edge->to];
  first_lane = layout->rows[r_from];
  last_lane = layout->rows[r_to - 1];
  if (!lr)
    {
      from = transposed (&from);
      to = transposed (&to);
      first_lane = transposed (&first_lane);
      last_lane = transposed (&last_lane);
    }
  out = first_lane.y + first_lane.height + ROW_LANE / 4;
  in = last_lane.y + last_lane.height + ROW_LANE / 4;
  x0 = from.x + from.width / 2;
  x1 = to.x + to.width / 2;

  corners[n++] = (EnvelopePoint) { x0, from.y + from.height };
  corners[n++] = (EnvelopePoint) { x0, out };
  if (r_to > r_from + 1)
    {
      corners[n++] = (EnvelopePoint) { gutter, out };
      corners[n++] = (EnvelopePoint) { gutter, in };
    }
  corners[n++] = (EnvelopePoint) { x1, in };
  corners[n++] = (EnvelopePoint) { x1, to.y };
  for (guint i = 0; !lr && i < n; i++)
    corners[i] = (EnvelopePoint) { corners[i].y, corners[i].x };

  layout->edges[e].first = layout->points->len;
  add_rounded_polyline (layout->points, corners, n);
  layout->edges[e].n_points = layout->points->len - layout->edges[e].first;
}

/* Folds the flow into rows (columns top to bottom) of similar length:
 * the one dot layout is cut between pieces (see Fold), each row keeps
 * its geometry, and the rows are stacked; the arrow from one piece to
 * the next is routed from the end of one row to the start of the next
 * through the lane between them, and a branch's skip arrow on a track
 * of the same lane. */
static void
wrap_rows (EnvelopeLayout        *layout,
           const EnvelopeDiagram *diagram)
{
  guint n = layout->n_blocks;
  guint wrap = envelope_diagram_get_wrap (diagram);
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  gboolean proportional = envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;
  g_auto(Fold) fold = { 0 };
  g_autofree guint *row_first = NULL;
  guint n_rows;
  double low, high, gap, gutter, cursor = 0;

  layout->n_rows = 1;
  if (wrap <= 1 || n < 2)
    return;
  if (!fold_pieces (layout, diagram, cuts_branches (diagram), &fold) || fold.n_pieces < 2)
    return;

  /* the shortest row length that needs no more than @wrap rows */
  low = 0;
  high = 0;
  for (guint k = 0; k < fold.n_pieces; k++)
    {
      low = MAX (low, fold.end[k] - fold.start[k]);
      high = MAX (high, fold.end[k]);
    }
  high -= fold.start[0];
  for (guint iteration = 0; iteration < 48 && high - low > 1; iteration++)
    {
      double mid = (low + high) / 2;

      if (count_rows (&fold, mid, NULL) <= wrap)
        high = mid;
      else
        low = mid;
    }
  row_first = g_new (guint, fold.n_pieces + 1);
  n_rows = count_rows (&fold, high, row_first);
  if (n_rows < 2)
    return;

  layout->n_rows = n_rows;
  layout->rows = g_new0 (EnvelopeRect, n_rows);
  gap = ROW_LANE + (envelope_diagram_get_receptive_field_room (diagram) ? RF_STRIP_SIZE + RF_STRIP_GAP + RF_STRIP_TITLE : 0);

  /* stack the rows: each starts at 0 along the flow */
  for (guint r = 0; r < n_rows; r++)
    {
      guint first = fold.first[row_first[r]];
      guint last = (r + 1 < n_rows ? fold.first[row_first[r + 1]] : n) - 1;
      EnvelopeRect bounds;
      double dx, dy;

      row_bounds (layout, first, last, diagram, &bounds);
      dx = lr ? -bounds.x : cursor - bounds.x;
      dy = lr ? cursor - bounds.y : -bounds.y;
      cursor += (lr ? bounds.height : bounds.width) + gap;

      for (guint b = first; b <= last; b++)
        {
          layout->blocks[b].x += dx;
          layout->blocks[b].y += dy;
          layout->block_row[b] = r;
        }
      for (guint e = 0; e < layout->n_edges; e++)
        {
          const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

          if (edge->from >= first && edge->from <= last && edge->to >= first && edge->to <= last)
            for (guint i = 0; i < layout->edges[e].n_points; i++)
              {
                EnvelopePoint *p = &g_array_index (layout->points, EnvelopePoint, layout->edges[e].first + i);

                p->x += dx;
                p->y += dy;
              }
        }
      row_bounds (layout, first, last, diagram, &layout->rows[r]);
    }

  /* the skip arrows the cuts go through, each once (it may cross
   * several), in a gutter before the rows' turns where they pass a row */
  gutter = G_MAXDOUBLE;
  for (guint r = 1; r < n_rows; r++)
    gutter = MIN (gutter, along_start (layout, &layout->blocks[fold.first[row_first[r]]]));
  gutter -= layout->rank_gap / 2 + ROW_LANE / 2;
  for (guint r = 0; r + 1 < n_rows; r++)
    {
      gint skip = fold.skip[row_first[r + 1]];

      if (skip >= 0 && skip != fold.skip[row_first[r]])
        route_skip (layout, diagram, (guint) skip, gutter);
    }

  /* the arrows from the end of a row to the start of the next */
  for (guint r = 0; r + 1 < n_rows; r++)
    {
      guint u = fold.first[row_first[r + 1]] - 1;
      guint e = (guint) fold.bridge[u];
      const EnvelopeRect *from = &layout->blocks[u], *to = &layout->blocks[u + 1];
      EnvelopePoint a, z, corners[6];
      double g = layout->rank_gap;

      if (lr)
        {
          a = (EnvelopePoint) { from->x + from->width, from->y + from->height / 2 };
          z = (EnvelopePoint) { to->x, to->y + to->height / 2 };
        }
      else
        {
          a = (EnvelopePoint) { from->x + from->width / 2, from->y + from->height };
          z = (EnvelopePoint) { to->x + to->width / 2, to->y };
        }
      if (proportional)
        {
          box_port (envelope_diagram_get_block (diagram, u), from, layout->direction, TRUE, &a, &a);
          box_port (envelope_diagram_get_block (diagram, u + 1), to, layout->direction, FALSE, &z, &z);
        }
      corners[0] = a;
      if (lr)
        {
          double lane = layout->rows[r].y + layout->rows[r].height + ROW_LANE / 2;
          double out = from->x + from->width + g, in = to->x - g / 2;

          corners[1] = (EnvelopePoint) { out, a.y };
          corners[2] = (EnvelopePoint) { out, lane };
          corners[3] = (EnvelopePoint) { in, lane };
          corners[4] = (EnvelopePoint) { in, z.y };
        }
      else
        {
          double lane = layout->rows[r].x + layout->rows[r].width + ROW_LANE / 2;
          double out = from->y + from->height + g, in = to->y - g / 2;

          corners[1] = (EnvelopePoint) { a.x, out };
          corners[2] = (EnvelopePoint) { lane, out };
          corners[3] = (EnvelopePoint) { lane, in };
          corners[4] = (EnvelopePoint) { z.x, in };
        }
      corners[5] = z;
      layout->edges[e].first = layout->points->len;
      add_rounded_polyline (layout->points, corners, 6);
      layout->edges[e].n_points = layout->points->len - layout->edges[e].first;
    }
}

static void
grid_cells (const EnvelopeLayout *layout,
            const EnvelopeRect   *rect,
            guint                *c0,
            guint                *r0,
            guint                *c1,
            guint                *r1)
{
  double x0 = (rect->x - layout->bounds.x) / layout->cell_size;
  double y0 = (rect->y - layout->bounds.y) / layout->cell_size;
  double x1 = (rect->x + rect->width - layout->bounds.x) / layout->cell_size;
  double y1 = (rect->y + rect->height - layout->bounds.y) / layout->cell_size;

  *c0 = (guint) CLAMP (floor (x0), 0, layout->grid_columns - 1);
  *r0 = (guint) CLAMP (floor (y0), 0, layout->grid_rows - 1);
  *c1 = (guint) CLAMP (floor (x1), 0, layout->grid_columns - 1);
  *r1 = (guint) CLAMP (floor (y1), 0, layout->grid_rows - 1);
}

static void
build_index (EnvelopeLayout  *layout,
             guint            n_items,
             const EnvelopeRect *(*rect_of) (EnvelopeLayout *, guint),
             guint          **offsets_out,
             guint          **items_out)
{
  guint n_cells = layout->grid_columns * layout->grid_rows;
  guint *offsets = g_new0 (guint, n_cells + 1);
  guint *cursor;
  guint *items;

  for (guint i = 0; i < n_items; i++)
    {
      guint c0, r0, c1, r1;

      grid_cells (layout, rect_of (layout, i), &c0, &r0, &c1, &r1);
      for (guint r = r0; r <= r1; r++)
        for (guint c = c0; c <= c1; c++)
          offsets[r * layout->grid_columns + c + 1]++;
    }
  for (guint k = 0; k < n_cells; k++)
    offsets[k + 1] += offsets[k];
  items = g_new (guint, MAX (offsets[n_cells], 1));
  cursor = g_memdup2 (offsets, (n_cells + 1) * sizeof (guint));
  for (guint i = 0; i < n_items; i++)
    {
      guint c0, r0, c1, r1;

      grid_cells (layout, rect_of (layout, i), &c0, &r0, &c1, &r1);
      for (guint r = r0; r <= r1; r++)
        for (guint c = c0; c <= c1; c++)
          items[cursor[r * layout->grid_columns + c]++] = i;
    }
  g_free (cursor);
  *offsets_out = offsets;
  *items_out = items;
}

static const EnvelopeRect *
block_rect_of (EnvelopeLayout *layout,
               guint           i)
{
  return &layout->block_reach[i];
}

static const EnvelopeRect *
edge_rect_of (EnvelopeLayout *layout,
              guint           i)
{
  return &layout->edges[i].bounds;
}

static void
build_grid (EnvelopeLayout *layout)
{
  double area = MAX (layout->bounds.width, 1) * MAX (layout->bounds.height, 1);
  double cell = 256.0;

  /* about a block or two per cell, and never more than a million cells */
  if (layout->n_blocks > 0)
    cell = MAX (cell, sqrt (area / layout->n_blocks) * 1.5);
  while ((ceil (layout->bounds.width / cell) + 1) * (ceil (layout->bounds.height / cell) + 1) > 1e6)
    cell *= 2;
  layout->cell_size = cell;
  layout->grid_columns = (guint) ceil (MAX (layout->bounds.width, 1) / cell);
  layout->grid_rows = (guint) ceil (MAX (layout->bounds.height, 1) / cell);
  layout->grid_columns = MAX (layout->grid_columns, 1);
  layout->grid_rows = MAX (layout->grid_rows, 1);

  build_index (layout, layout->n_blocks, block_rect_of, &layout->block_offsets, &layout->block_items);
  build_index (layout, layout->n_edges, edge_rect_of, &layout->edge_offsets, &layout->edge_items);
}

static void
bezier_point (const EnvelopePoint *p,
              double               t,
              EnvelopePoint       *out)
{
  double u = 1 - t;
  double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;

  out->x = a * p[0].x + b * p[1].x + c * p[2].x + d * p[3].x;
  out->y = a * p[0].y + b * p[1].y + c * p[2].y + d * p[3].y;
}

#define FLATTEN_STEPS 12

/* The arrow as a polyline, for hit tests and label placement. */
static GArray *
flatten_edge (const EnvelopeLayout *layout,
              const EdgeData       *edge)
{
  const EnvelopePoint *p = &g_array_index (layout->points, EnvelopePoint, edge->first);
  GArray *line = g_array_sized_new (FALSE, FALSE, sizeof (EnvelopePoint), edge->n_points * FLATTEN_STEPS / 3 + 1);

  g_array_append_val (line, p[0]);
  for (guint i = 0; i + 3 < edge->n_points; i += 3)
    for (guint s = 1; s <= FLATTEN_STEPS; s++)
      {
        EnvelopePoint q;

        bezier_point (p + i, (double) s / FLATTEN_STEPS, &q);
        g_array_append_val (line, q);
      }
  return line;
}

static double
segment_distance (const EnvelopePoint *a,
                  const EnvelopePoint *b,
                  double               x,
                  double               y)
{
  double dx = b->x - a->x, dy = b->y - a->y;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - a->x) * dx + (y - a->y) * dy) / len2 : 0;
  double px, py;

  t = CLAMP (t, 0, 1);
  px = a->x + t * dx - x;
  py = a->y + t * dy - y;
  return sqrt (px * px + py * py);
}

/* Whether @rect meets any block but @except_a and @except_b. */
static gboolean
rect_hits_block (const EnvelopeLayout *layout,
                 const EnvelopeRect   *rect,
                 guint                 except_a,
                 guint                 except_b)
{
  guint c0, r0, c1, r1;

  grid_cells (layout, rect, &c0, &r0, &c1, &r1);
  for (guint r = r0; r <= r1; r++)
    for (guint c = c0; c <= c1; c++)
      {
        guint cell = r * layout->grid_columns + c;

        for (guint k = layout->block_offsets[cell]; k < layout->block_offsets[cell + 1]; k++)
          {
            guint b = layout->block_items[k];

            if (b != except_a && b != except_b && envelope_rect_intersects (rect, &layout->blocks[b]))
              return TRUE;
          }
      }
  return FALSE;
}

typedef struct
{
  GHashTable *cells;         /* cell index → GArray of EnvelopeRect */
  double cell_size;
} LabelGrid;

/* A cell's key: its row above its column, in unsigned arithmetic (a
 * label left of or above the origin has negative cells). */
static inline gint64
cell_key (gint64 r,
          gint64 c)
{
  return (gint64) (((guint64) r << 32) ^ ((guint64) c & 0xffffffff));
}

static gboolean
label_grid_collides (LabelGrid          *grid,
                     const EnvelopeRect *rect)
{
  gint64 c0 = (gint64) floor (rect->x / grid->cell_size), c1 = (gint64) floor ((rect->x + rect->width) / grid->cell_size);
  gint64 r0 = (gint64) floor (rect->y / grid->cell_size), r1 = (gint64) floor ((rect->y + rect->height) / grid->cell_size);

  for (gint64 r = r0; r <= r1; r++)
    for (gint64 c = c0; c <= c1; c++)
      {
        gint64 key = cell_key (r, c);
        GArray *rects = g_hash_table_lookup (grid->cells, &key);

        for (guint i = 0; rects != NULL && i < rects->len; i++)
          if (envelope_rect_intersects (rect, &g_array_index (rects, EnvelopeRect, i)))
            return TRUE;
      }
  return FALSE;
}

static void
label_grid_add (LabelGrid          *grid,
                const EnvelopeRect *rect)
{
  gint64 c0 = (gint64) floor (rect->x / grid->cell_size), c1 = (gint64) floor ((rect->x + rect->width) / grid->cell_size);
  gint64 r0 = (gint64) floor (rect->y / grid->cell_size), r1 = (gint64) floor ((rect->y + rect->height) / grid->cell_size);

  for (gint64 r = r0; r <= r1; r++)
    for (gint64 c = c0; c <= c1; c++)
      {
        gint64 key = cell_key (r, c);
        GArray *rects = g_hash_table_lookup (grid->cells, &key);

        if (rects == NULL)
          {
            rects = g_array_new (FALSE, FALSE, sizeof (EnvelopeRect));
            g_hash_table_insert (grid->cells, g_memdup2 (&key, sizeof key), rects);
          }
        g_array_append_val (rects, *rect);
      }
}

/* The point of @line where it crosses the middle of the gap after
 * @source, along the flow; FALSE when it never does. */
static gboolean
gap_point (const EnvelopeLayout *layout,
           GArray               *line,
           const EnvelopeRect   *source,
           double                fraction,
           EnvelopePoint        *point)
{
  gboolean lr = layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  double target = lr ? source->x + source->width + layout->rank_gap * fraction
                     : source->y + source->height + layout->rank_gap * fraction;

  for (guint i = 1; i < line->len; i++)
    {
      const EnvelopePoint *a = &g_array_index (line, EnvelopePoint, i - 1);
      const EnvelopePoint *b = &g_array_index (line, EnvelopePoint, i);
      double va = lr ? a->x : a->y, vb = lr ? b->x : b->y;

      if ((va - target) * (vb - target) <= 0 && va != vb)
        {
          double t = (target - va) / (vb - va);

          point->x = a->x + t * (b->x - a->x);
          point->y = a->y + t * (b->y - a->y);
          return TRUE;
        }
    }
  return FALSE;
}

/* One label per tensor: every arrow out of a block carries the same
 * shape, so the first one with room for it says it; a label that would
 * cover a block or another label is left out rather than overlapped. */
static void
place_labels (EnvelopeLayout        *layout,
              const EnvelopeDiagram *diagram)
{
  g_autofree gboolean *labelled = g_new0 (gboolean, MAX (layout->n_blocks, 1));
  TextKit *kit = text_kit_get_shared (envelope_diagram_get_font_family (diagram));
  LabelGrid grid = { g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref), 96.0 };
  static const double fractions[] = { 0.5, 0.3, 0.7 };

  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);
      EdgeData *data = &layout->edges[e];
      g_autoptr(GArray) line = NULL;
      double w, h;

      if (labelled[edge->from])
        continue;
      w = text_kit_measure (kit, TEXT_EDGE_LABEL, edge->label) + 6;
      h = kit->line_height[TEXT_EDGE_LABEL] + 2;
      line = flatten_edge (layout, data);

      for (guint k = 0; k < G_N_ELEMENTS (fractions); k++)
        {
          EnvelopePoint at;
          EnvelopeRect rect;

          if (!gap_point (layout, line, &layout->blocks[edge->from], fractions[k], &at))
            continue;
          rect.x = at.x - w / 2;
          rect.y = at.y - h / 2;
          rect.width = w;
          rect.height = h;
          if (rect_hits_block (layout, &rect, G_MAXUINT, G_MAXUINT) || label_grid_collides (&grid, &rect))
            continue;
          label_grid_add (&grid, &rect);
          data->has_label = TRUE;
          data->label = at;
          /* Whatever draws the part of the world the label is in draws
           * its arrow, label and all: a label across a vertical arrow
           * reaches well beyond the line. */
          envelope_rect_union (&data->bounds, &rect, &data->bounds);
          labelled[edge->from] = TRUE;
          break;
        }
    }
  g_hash_table_unref (grid.cells);
}

/**
 * envelope_layout_new:
 * @diagram: the blocks and arrows to place
 * @error: where a Graphviz failure goes
 *
 * Lays @diagram out with Graphviz's dot.  Slow for large networks (tens
 * of milliseconds for hundreds of blocks): keep it off the draw path.
 *
 * Returns: (transfer full): the layout, or %NULL with @error set
 */
EnvelopeLayout *
envelope_layout_new (const EnvelopeDiagram *diagram,
                     GError               **error)
{
  g_autoptr(EnvelopeLayout) layout = NULL;
  TextKit *kit;

  g_return_val_if_fail (diagram != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  layout = g_atomic_rc_box_new0 (EnvelopeLayout);
  layout->structure_key = envelope_diagram_get_structure_key (diagram);
  layout->direction = envelope_diagram_get_direction (diagram);
  layout->n_blocks = envelope_diagram_get_n_blocks (diagram);
  layout->n_edges = envelope_diagram_get_n_edges (diagram);
  layout->blocks = g_new0 (EnvelopeRect, MAX (layout->n_blocks, 1));
  layout->edges = g_new0 (EdgeData, MAX (layout->n_edges, 1));
  layout->points = g_array_new (FALSE, FALSE, sizeof (EnvelopePoint));

  /* The gap between ranks holds the shape an arrow carries. */
  kit = text_kit_get_shared (envelope_diagram_get_font_family (diagram));
  if (envelope_diagram_get_style (diagram) == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    layout->rank_gap = CLASSIC_RANK_GAP;
  else if (layout->direction == ENVELOPE_DIRECTION_LEFT_RIGHT)
    layout->rank_gap = ceil (text_kit_measure (kit, TEXT_EDGE_LABEL, "2048×112×112") + 22);
  else
    layout->rank_gap = ceil (kit->line_height[TEXT_EDGE_LABEL] + 26);

  if (layout->n_blocks > 0 && !lay_out_blocks (layout, diagram, error))
    return NULL;
  finish (layout, diagram);
  return g_steal_pointer (&layout);
}

/* Everything after Graphviz: the rows, the bounds, the index, the
 * arrows' labels. */
static void
finish (EnvelopeLayout        *layout,
        const EnvelopeDiagram *diagram)
{
  layout->block_row = g_new0 (guint, MAX (layout->n_blocks, 1));
  wrap_rows (layout, diagram);

  layout->bounds = (EnvelopeRect) { 0, 0, 0, 0 };
  for (guint b = 0; b < layout->n_blocks; b++)
    envelope_rect_union (&layout->bounds, &layout->blocks[b], &layout->bounds);
  for (guint e = 0; e < layout->n_edges; e++)
    {
      compute_edge_bounds (layout, &layout->edges[e]);
      envelope_rect_union (&layout->bounds, &layout->edges[e].bounds, &layout->bounds);
    }

  if (layout->n_rows == 1)
    {
      layout->rows = g_new (EnvelopeRect, 1);
      layout->rows[0] = layout->bounds;
    }

  /* a proportional block writes its size under the run of blocks of
   * that size in its row: whatever draws any of them draws the label */
  g_free (layout->block_reach);
  layout->block_reach = g_memdup2 (layout->blocks, sizeof (EnvelopeRect) * MAX (layout->n_blocks, 1));
  for (guint b = 0; b < layout->n_blocks; b++)
    {
      guint span = envelope_diagram_get_block (diagram, b)->label_span;

      if (span > 1 && b + span - 1 < layout->n_blocks && layout->block_row[b + span - 1] == layout->block_row[b])
        envelope_rect_union (&layout->block_reach[b], &layout->blocks[b + span - 1], &layout->block_reach[b]);
    }

  build_grid (layout);
  /* the proportional style writes a size under its box instead */
  if (envelope_diagram_get_style (diagram) != ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    place_labels (layout, diagram);
  /* the index again, with the arrows' labels in their bounds */
  for (guint e = 0; e < layout->n_edges; e++)
    envelope_rect_union (&layout->bounds, &layout->edges[e].bounds, &layout->bounds);
  g_clear_pointer (&layout->block_offsets, g_free);
  g_clear_pointer (&layout->block_items, g_free);
  g_clear_pointer (&layout->edge_offsets, g_free);
  g_clear_pointer (&layout->edge_items, g_free);
  build_grid (layout);

  layout->geometry = g_new0 (EnvelopeEdgeGeometry, MAX (layout->n_edges, 1));
  for (guint e = 0; e < layout->n_edges; e++)
    {
      const EdgeData *data = &layout->edges[e];
      EnvelopeEdgeGeometry *g = &layout->geometry[e];

      g->n_points = data->n_points;
      g->points = &g_array_index (layout->points, EnvelopePoint, data->first);
      g->bounds = data->bounds;
      g->has_label = data->has_label;
      g->label = data->label;
    }
}

/**
 * envelope_layout_new_wrapped:
 * @unwrapped: the layout of a diagram in one row
 * @diagram: the same diagram, with another wrap
 *
 * Folds @unwrapped's row as @diagram's wrap says, without asking
 * Graphviz again: what choosing the number of rows costs.
 *
 * Returns: (transfer full): a new layout, or %NULL when @diagram's
 *   blocks and arrows are not @unwrapped's
 */
EnvelopeLayout *
envelope_layout_new_wrapped (const EnvelopeLayout  *unwrapped,
                             const EnvelopeDiagram *diagram)
{
  EnvelopeLayout *layout;

  g_return_val_if_fail (unwrapped != NULL && diagram != NULL, NULL);

  if (unwrapped->n_rows != 1 || unwrapped->n_blocks != envelope_diagram_get_n_blocks (diagram) ||
      unwrapped->n_edges != envelope_diagram_get_n_edges (diagram) ||
      unwrapped->direction != envelope_diagram_get_direction (diagram))
    return NULL;

  layout = g_atomic_rc_box_new0 (EnvelopeLayout);
  layout->structure_key = envelope_diagram_get_structure_key (diagram);
  layout->direction = unwrapped->direction;
  layout->rank_gap = unwrapped->rank_gap;
  layout->n_blocks = unwrapped->n_blocks;
  layout->n_edges = unwrapped->n_edges;
  layout->blocks = g_memdup2 (unwrapped->blocks, sizeof (EnvelopeRect) * MAX (layout->n_blocks, 1));
  layout->edges = g_memdup2 (unwrapped->edges, sizeof (EdgeData) * MAX (layout->n_edges, 1));
  layout->points = g_array_sized_new (FALSE, FALSE, sizeof (EnvelopePoint), unwrapped->points->len);
  g_array_append_vals (layout->points, unwrapped->points->data, unwrapped->points->len);
  finish (layout, diagram);
  return layout;
}

static void
layout_clear (EnvelopeLayout *layout)
{
  g_free (layout->blocks);
  g_free (layout->edges);
  g_array_unref (layout->points);
  g_free (layout->geometry);
  g_free (layout->rows);
  g_free (layout->block_row);
  g_free (layout->block_offsets);
  g_free (layout->block_items);
  g_free (layout->block_reach);
  g_free (layout->edge_offsets);
  g_free (layout->edge_items);
}

EnvelopeLayout *
envelope_layout_ref (EnvelopeLayout *layout)
{
  g_return_val_if_fail (layout != NULL, NULL);

  return g_atomic_rc_box_acquire (layout);
}

void
envelope_layout_unref (EnvelopeLayout *layout)
{
  if (layout != NULL)
    g_atomic_rc_box_release_full (layout, (GDestroyNotify) layout_clear);
}

/**
 * envelope_layout_fits:
 *
 * Whether @layout still places @diagram: the same blocks, sizes and
 * connections.  When it does, draw the new diagram with the old layout;
 * when not, make a new layout.
 */
gboolean
envelope_layout_fits (const EnvelopeLayout  *layout,
                      const EnvelopeDiagram *diagram)
{
  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (diagram != NULL, FALSE);

  return layout->structure_key == envelope_diagram_get_structure_key (diagram);
}

guint64
envelope_layout_get_structure_key (const EnvelopeLayout *layout)
{
  return layout->structure_key;
}

EnvelopeDirection
envelope_layout_get_direction (const EnvelopeLayout *layout)
{
  return layout->direction;
}

/* Everything the layout places, blocks and arrows. */
void
envelope_layout_get_bounds (const EnvelopeLayout *layout,
                            EnvelopeRect         *bounds)
{
  *bounds = layout->bounds;
}

/* The distance between ranks, along the flow. */
double
envelope_layout_get_rank_gap (const EnvelopeLayout *layout)
{
  return layout->rank_gap;
}

/* 1, or how many rows (columns, top to bottom) the flow was folded into. */
guint
envelope_layout_get_n_rows (const EnvelopeLayout *layout)
{
  return layout->n_rows;
}

void
envelope_layout_get_row_bounds (const EnvelopeLayout *layout,
                                guint                 row,
                                EnvelopeRect         *bounds)
{
  g_return_if_fail (row < layout->n_rows);

  *bounds = layout->rows[row];
}

guint
envelope_layout_get_block_row (const EnvelopeLayout *layout,
                               guint                 block)
{
  g_return_val_if_fail (block < layout->n_blocks, 0);

  return layout->block_row[block];
}

guint
envelope_layout_get_n_blocks (const EnvelopeLayout *layout)
{
  return layout->n_blocks;
}

void
envelope_layout_get_block_rect (const EnvelopeLayout *layout,
                                guint                 block,
                                EnvelopeRect         *rect)
{
  g_return_if_fail (block < layout->n_blocks);

  *rect = layout->blocks[block];
}

guint
envelope_layout_get_n_edges (const EnvelopeLayout *layout)
{
  return layout->n_edges;
}

const EnvelopeEdgeGeometry *
envelope_layout_get_edge (const EnvelopeLayout *layout,
                          guint                 edge)
{
  g_return_val_if_fail (edge < layout->n_edges, NULL);

  return &layout->geometry[edge];
}

/* Each item is reported from one cell only: the first of its own cells
 * that the query covers. */
static void
query_index (const EnvelopeLayout *layout,
             const EnvelopeRect   *rect,
             const guint          *offsets,
             const guint          *items,
             const EnvelopeRect   *(*rect_of) (EnvelopeLayout *, guint),
             GArray               *out)
{
  guint c0, r0, c1, r1;

  grid_cells (layout, rect, &c0, &r0, &c1, &r1);
  for (guint r = r0; r <= r1; r++)
    for (guint c = c0; c <= c1; c++)
      {
        guint cell = r * layout->grid_columns + c;

        for (guint k = offsets[cell]; k < offsets[cell + 1]; k++)
          {
            guint i = items[k];
            const EnvelopeRect *item = rect_of ((EnvelopeLayout *) layout, i);
            guint ic0, ir0, ic1, ir1;

            if (!envelope_rect_intersects (item, rect))
              continue;
            grid_cells (layout, item, &ic0, &ir0, &ic1, &ir1);
            if (MAX (ic0, c0) == c && MAX (ir0, r0) == r)
              g_array_append_val (out, i);
          }
      }
}

/**
 * envelope_layout_query:
 * @rect: a rectangle in world units (the visible one)
 * @blocks: (nullable): appended with the blocks that meet @rect
 * @edges: (nullable): appended with the edges whose bounds meet @rect
 *
 * Costs in proportion to what meets @rect, not to the whole diagram.
 */
void
envelope_layout_query (const EnvelopeLayout *layout,
                       const EnvelopeRect   *rect,
                       GArray               *blocks,
                       GArray               *edges)
{
  g_return_if_fail (layout != NULL);
  g_return_if_fail (rect != NULL);

  if (!envelope_rect_intersects (rect, &layout->bounds))
    return;
  if (blocks != NULL && layout->n_blocks > 0)
    query_index (layout, rect, layout->block_offsets, layout->block_items, block_rect_of, blocks);
  if (edges != NULL && layout->n_edges > 0)
    query_index (layout, rect, layout->edge_offsets, layout->edge_items, edge_rect_of, edges);
}

/**
 * envelope_layout_hit_test:
 * @x: world units
 * @y: world units
 * @tolerance: in device pixels
 * @zoom: device pixels per world unit
 * @hit: (out): what is there
 *
 * A block under the point wins over an arrow; among arrows, the nearest
 * within @tolerance pixels.
 *
 * Returns: whether anything was hit
 */
gboolean
envelope_layout_hit_test (const EnvelopeLayout *layout,
                          double                x,
                          double                y,
                          double                tolerance,
                          double                zoom,
                          EnvelopeHit          *hit)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (guint));
  double slack = zoom > 0 ? tolerance / zoom : tolerance;
  EnvelopeRect around = { x - slack, y - slack, 2 * slack, 2 * slack };
  double best = G_MAXDOUBLE;

  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (hit != NULL, FALSE);

  hit->kind = ENVELOPE_HIT_NONE;
  hit->index = 0;
  envelope_layout_query (layout, &around, blocks, edges);

  for (guint k = 0; k < blocks->len; k++)
    {
      guint b = g_array_index (blocks, guint, k);
      double d = envelope_rect_distance (&layout->blocks[b], x, y);

      if (d <= slack && d < best)
        {
          best = d;
          hit->kind = ENVELOPE_HIT_BLOCK;
          hit->index = b;
        }
    }
  if (hit->kind == ENVELOPE_HIT_BLOCK)
    return TRUE;

  for (guint k = 0; k < edges->len; k++)
    {
      guint e = g_array_index (edges, guint, k);
      g_autoptr(GArray) line = flatten_edge (layout, &layout->edges[e]);

      for (guint i = 1; i < line->len; i++)
        {
          double d = segment_distance (&g_array_index (line, EnvelopePoint, i - 1),
                                       &g_array_index (line, EnvelopePoint, i), x, y);

          if (d <= slack && d < best)
            {
              best = d;
              hit->kind = ENVELOPE_HIT_EDGE;
              hit->index = e;
            }
        }
    }
  return hit->kind != ENVELOPE_HIT_NONE;
}
