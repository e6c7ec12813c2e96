/* envelope-diagram.c: blocks, groups and connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "envelope-classic.h"
#include "envelope-diagram.h"
#include "envelope-format.h"
#include "envelope-groups.h"
#include "envelope-render-private.h"

struct _EnvelopeDiagram
{
  EnvelopeDiagramStyle style;
  EnvelopeDirection direction;
  guint collapse_depth;
  char **collapsed;
  char **expanded;
  guint wrap;
  gboolean receptive_field_room;
  gboolean fold_repeats;
  char *font_family;

  char *title;
  GStringChunk *strings;
  guint n_layers;
  char **layer_names;              /* in @strings */
  const char **layer_groups;       /* the collapsed group a layer is drawn in, or NULL; in @strings */
  char **innermost_groups;         /* a layer's innermost group, or NULL; in @strings */
  EnvelopeLayerFigures *figures;   /* copies; their inputs point nowhere */
  guint *layer_block;
  guint *members;                  /* every block's member layers */
  GArray *blocks;                  /* EnvelopeBlock */
  GArray *edges;                   /* EnvelopeDiagramEdge */
  gint input_block;
  guint64 input_extent[2];

  EnvelopeTotals totals;
  EnvelopeMemory memory;
  guint64 max_params;
  guint64 max_macs;
  guint64 max_activations;
  guint64 structure_key;

  /* What was measured, so that a refresh measures only new text: */
  double *name_widths;             /* each block's name, in TEXT_BLOCK_NAME */
  GHashTable *label_widths;        /* proportional: size label → its width (double *), in TEXT_CLASSIC_LABEL */
  GHashTable *name_index;          /* block name → block index + 1 */
  double layer_reserve;            /* room for a layer's figures … */
  double group_reserve;            /* … and for a group's */
  double name_line_height;
  double detail_line_height;
  guint n_measured;                /* texts measured to build this one */

  EnvelopeDiagram *shares;         /* a diagram only refolded: the one whose content it borrows */
};

/* The fonts' metrics a block's size depends on, measured once. */
typedef struct
{
  const char *family;
  TextKit *kit;                    /* the thread's, when something needs measuring */
  const EnvelopeDiagram *previous; /* its measurements, when its fonts are ours */
  guint n_measured;
} Measures;

G_DEFINE_BOXED_TYPE (EnvelopeDiagram, envelope_diagram, envelope_diagram_ref, envelope_diagram_unref)

void
envelope_diagram_options_init (EnvelopeDiagramOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->style = ENVELOPE_DIAGRAM_STYLE_FLAT;
  options->direction = ENVELOPE_DIRECTION_LEFT_RIGHT;
}

guint64
diagram_hash_string (guint64     hash,
                     const char *text)
{
  /* the terminating NUL keeps "ab" + "c" apart from "a" + "bc" */
  return envelope_hash_bytes (hash, text, strlen (text) + 1);
}

static guint64
hash_double (guint64 hash,
             double  value)
{
  /* sizes to a hundredth of a point: finer would only make noise */
  gint64 v = (gint64) llround (value * 100.0);

  return envelope_hash_bytes (hash, &v, sizeof v);
}

/* The group @layer is drawn in, or NULL: the outermost of its groups that
 * is collapsed. */
static char *
collapsed_group (const EnvelopeDiagram *diagram,
                 const EnvelopeGroups  *groups,
                 guint                  layer)
{
  for (guint depth = 1;; depth++)
    {
      gboolean innermost = TRUE;
      g_autofree char *name = envelope_groups_get_group (groups, layer, depth, &innermost);

      if (name == NULL)
        return NULL;
      if (diagram->collapsed != NULL && g_strv_contains ((const char * const *) diagram->collapsed, name))
        return g_steal_pointer (&name);
      if (diagram->collapse_depth > 0 && (depth == diagram->collapse_depth || (innermost && depth < diagram->collapse_depth)) &&
          (diagram->expanded == NULL || !g_strv_contains ((const char * const *) diagram->expanded, name)))
        return g_steal_pointer (&name);
      if (innermost || depth >= 64)
        return NULL;
    }
}

#define spatial_extent envelope_classic_spatial_extent
#define channel_thickness envelope_classic_channel_thickness

/* Sizes on a square-root scale, clamped, so that a 224 × 224 map and a
 * 7 × 7 one are both visible and their ratio still reads as large (the
 * numbers are envelope-classic.c's).  A map
 * is a box: channels across, its last two axes as its face and depth (a
 * video's frames deepen the box; a signal is a thin slab); a sequence of
 * tokens is a long bar, as long as its tokens and as thick as its
 * features; a vector a thin bar. */
static void
size_proportional_box (EnvelopeDiagram *diagram,
                       EnvelopeBlock   *block)
{
  gboolean lr = diagram->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  double thickness, height, depth;

  if (block->layout == ENVELOPE_TENSOR_MAP && block->rank >= 3)
    {
      double width = spatial_extent (block->shape[block->rank - 1]);

      thickness = channel_thickness (block->shape[0]);
      height = spatial_extent (block->shape[block->rank - 2]);
      depth = 0.45 * (lr ? width : height);
      if (block->rank == 4)
        depth += 0.25 * spatial_extent (block->shape[1]);
      block->box_width = lr ? thickness : width;
      block->box_height = lr ? height : thickness;
      block->box_depth = depth;
      return;
    }
  if (block->layout == ENVELOPE_TENSOR_MAP)
    {
      /* a signal: its length along the face, a thin depth */
      thickness = channel_thickness (block->shape[0]);
      height = spatial_extent (block->shape[1]);
      depth = 4.0;
    }
  else if (block->layout == ENVELOPE_TENSOR_TOKENS)
    {
      thickness = channel_thickness (block->shape[1]);
      height = CLAMP (5.0 * sqrt ((double) block->shape[0]), 20.0, 150.0);
      depth = 4.0;
    }
  else
    {
      thickness = 5.0;
      height = CLAMP (2.2 * sqrt ((double) block->shape[0]), 14.0, 150.0);
      depth = 4.0;
    }
  block->box_width = lr ? thickness : height;
  block->box_height = lr ? height : thickness;
  block->box_depth = depth;
}

void
block_box_geometry (const EnvelopeBlock *block,
                    EnvelopeDirection    direction,
                    double               center_x,
                    double               center_y,
                    EnvelopeRect        *front,
                    double              *depth_x,
                    double              *depth_y)
{
  /* the receding edges at about 40 degrees */
  *depth_x = block->box_depth * 0.77;
  *depth_y = block->box_depth * 0.64;
  /* the whole box, receding faces included, centred on the node */
  front->width = block->box_width;
  front->height = block->box_height;
  front->x = center_x - (block->box_width + *depth_x) / 2;
  front->y = center_y - (block->box_height - *depth_y) / 2;
}

static TextKit *
measures_kit (Measures *measures)
{
  if (measures->kit == NULL)
    measures->kit = text_kit_get_shared (measures->family);
  return measures->kit;
}

static double
measure (Measures   *measures,
         TextStyle   style,
         const char *text)
{
  measures->n_measured++;
  return text_kit_measure (measures_kit (measures), style, text);
}

/* The width of a block's name: the previous diagram's measurement
 * when it had a block of that name, else measured now. */
static double
measure_name (Measures   *measures,
              const char *name)
{
  const EnvelopeDiagram *previous = measures->previous;
  gpointer index;

  if (previous != NULL && g_hash_table_lookup_extended (previous->name_index, name, NULL, &index))
    return previous->name_widths[GPOINTER_TO_UINT (index) - 1];
  return measure (measures, TEXT_BLOCK_NAME, name);
}

static void
measure_metrics (EnvelopeDiagram *diagram,
                 Measures        *measures)
{
  const EnvelopeDiagram *previous = measures->previous;
  TextKit *kit;
  double conv, macs, group;

  if (previous != NULL)
    {
      diagram->layer_reserve = previous->layer_reserve;
      diagram->group_reserve = previous->group_reserve;
      diagram->name_line_height = previous->name_line_height;
      diagram->detail_line_height = previous->detail_line_height;
      return;
    }
  kit = measures_kit (measures);
  /* room for the widest usual figures, so that a new value rarely
   * changes a block's size (and so the layout) */
  conv = measure (measures, TEXT_BLOCK_DETAIL, "conv 11×11, 1024, /2");
  macs = measure (measures, TEXT_BLOCK_DETAIL, "8.88G MACs · 88.8%");
  group = measure (measures, TEXT_BLOCK_DETAIL, "8.88M params · 8.88G MACs");
  diagram->layer_reserve = MAX (conv, macs);
  diagram->group_reserve = MAX (diagram->layer_reserve, group);
  diagram->name_line_height = kit->line_height[TEXT_BLOCK_NAME];
  diagram->detail_line_height = kit->line_height[TEXT_BLOCK_DETAIL];
}

/* A flat block: its text inside it.  (The proportional style's blocks
 * are sized by size_classic_blocks().) */
static void
size_block (EnvelopeDiagram *diagram,
            EnvelopeBlock   *block,
            double           name_width,
            double           detail_reserve)
{
  double detail = diagram->detail_line_height + BLOCK_LINE_GAP;
  guint n_details = block->collapsed ? 4 : 3;
  double text_height;

  block->text_width = CLAMP (MAX (name_width, detail_reserve), BLOCK_MIN_TEXT_WIDTH, BLOCK_MAX_TEXT_WIDTH);
  block->text_width = ceil (block->text_width);
  text_height = diagram->name_line_height + n_details * detail;

  block->width = block->text_width + 2 * BLOCK_PAD_X;
  block->height = ceil (text_height + 2 * BLOCK_PAD_Y);
  block->box_width = block->width;
  block->box_height = block->height;
  block->box_depth = 0;
}

/* The width of a size label, measured once per diagram (and kept by a
 * refresh). */
static double
measure_label (EnvelopeDiagram *diagram,
               Measures        *measures,
               const char      *label)
{
  const EnvelopeDiagram *previous = measures->previous;
  double *width = g_hash_table_lookup (diagram->label_widths, label);

  if (width != NULL)
    return *width;
  width = previous != NULL ? g_hash_table_lookup (previous->label_widths, label) : NULL;
  width = g_memdup2 (width != NULL ? width : &(double) { measure (measures, TEXT_CLASSIC_LABEL, label) }, sizeof (double));
  g_hash_table_insert (diagram->label_widths, (gpointer) label, width);
  return *width;
}

/* The classic figure's blocks: a box, its size label under it (under
 * the middle of a run of boxes of one size, in a row), and above it a
 * group's name and what it holds.  A node is as wide as its box, or
 * its share of the label it is under, so that the row is as tight as
 * its labels allow. */
static void
size_classic_blocks (EnvelopeDiagram *diagram,
                     Measures        *measures)
{
  gboolean lr = diagram->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  g_autofree guint *in_edges = g_new0 (guint, MAX (diagram->blocks->len, 1));
  g_autofree guint *out_edges = g_new0 (guint, MAX (diagram->blocks->len, 1));
  g_autofree gboolean *chained = g_new0 (gboolean, MAX (diagram->blocks->len, 1));
  TextKit *kit = measures_kit (measures);
  double label_height = kit->line_height[TEXT_CLASSIC_LABEL];
  double group_text = diagram->name_line_height + diagram->detail_line_height + BLOCK_LINE_GAP;

  for (guint e = 0; e < diagram->edges->len; e++)
    {
      const EnvelopeDiagramEdge *edge = &g_array_index (diagram->edges, EnvelopeDiagramEdge, e);

      in_edges[edge->to]++;
      out_edges[edge->from]++;
      if (edge->main && edge->to == edge->from + 1)
        chained[edge->to] = TRUE;
    }

  for (guint b = 0; b < diagram->blocks->len;)
    {
      EnvelopeBlock *first = &g_array_index (diagram->blocks, EnvelopeBlock, b);
      double label = measure_label (diagram, measures, first->size_label);
      double share;
      guint n = 1;

      /* a run: one size, one block after the other, nothing between */
      while (lr && b + n < diagram->blocks->len)
        {
          const EnvelopeBlock *next = &g_array_index (diagram->blocks, EnvelopeBlock, b + n);

          if (!chained[b + n] || in_edges[b + n] != 1 || out_edges[b + n - 1] != 1 ||
              first->collapsed || next->collapsed || !g_str_equal (next->size_label, first->size_label) ||
              next->box_width != first->box_width || next->box_height != first->box_height)
            break;
          n++;
        }
      share = MAX ((label - (n - 1) * CLASSIC_RANK_GAP) / n, 0);

      for (guint k = 0; k < n; k++)
        {
          EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b + k);
          double dx = block->box_depth * 0.77, dy = block->box_depth * 0.64;
          double text = block->collapsed ? diagram->name_widths[b + k] : 0;

          block->label_span = k == 0 ? n : 0;
          /* a kernel is drawn from the box before, when that box is a
           * map that feeds this one on the main path */
          if (!chained[b + k] || b + k == 0 ||
              g_array_index (diagram->blocks, EnvelopeBlock, b + k - 1).layout != ENVELOPE_TENSOR_MAP ||
              g_array_index (diagram->blocks, EnvelopeBlock, b + k - 1).rank != 3)
            block->kernel[0] = block->kernel[1] = 0;
          if (block->collapsed)
            text = MAX (text, measure (measures, TEXT_BLOCK_DETAIL, block->description));
          block->text_width = ceil (MIN (MAX (text, label), BLOCK_MAX_TEXT_WIDTH));
          if (lr)
            {
              double above = block->collapsed ? PROPORTIONAL_TEXT_GAP + group_text : 0;
              double below = PROPORTIONAL_TEXT_GAP + label_height;

              block->width = ceil (MAX (block->box_width + dx, MAX (MIN (text, BLOCK_MAX_TEXT_WIDTH), share)));
              block->height = ceil (block->box_height + dy + 2 * MAX (above, below));
            }
          else
            {
              double height = label_height + (block->collapsed ? group_text + BLOCK_LINE_GAP : 0);

              block->width = ceil (block->box_width + dx + 2 * (PROPORTIONAL_TEXT_GAP + block->text_width));
              block->height = ceil (MAX (block->box_height + dy, height));
            }
        }
      b += n;
    }
}

static EnvelopeLayerCategory
category_of (const EnvelopeLayer *layer)
{
  return envelope_layer_kind_get (layer->type)->category;
}

static void
compute_structure_key (EnvelopeDiagram *diagram)
{
  guint64 hash = ENVELOPE_HASH_START;
  guint32 header[5] = { diagram->style, diagram->direction, diagram->blocks->len,
                        diagram->wrap > 1 ? diagram->wrap : 1,
                        diagram->wrap > 1 && diagram->receptive_field_room };

  hash = envelope_hash_bytes (hash, header, sizeof header);
  for (guint i = 0; i < diagram->blocks->len; i++)
    {
      const EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, i);

      hash = diagram_hash_string (hash, block->name);
      hash = envelope_hash_bytes (hash, &block->collapsed, sizeof block->collapsed);
      hash = hash_double (hash, block->width);
      hash = hash_double (hash, block->height);
      hash = hash_double (hash, block->box_width);
      hash = hash_double (hash, block->box_height);
      hash = hash_double (hash, block->box_depth);
    }
  for (guint i = 0; i < diagram->edges->len; i++)
    {
      const EnvelopeDiagramEdge *edge = &g_array_index (diagram->edges, EnvelopeDiagramEdge, i);
      guint32 e[3] = { edge->from, edge->to, edge->main };

      hash = envelope_hash_bytes (hash, e, sizeof e);
    }
  diagram->structure_key = hash;
}

typedef struct
{
  guint64 rank;
  guint64 shape[ENVELOPE_MAX_RANK];
} ShapeKey;

static guint
shape_key_hash (gconstpointer key)
{
  return (guint) envelope_hash_bytes (ENVELOPE_HASH_START, key, sizeof (ShapeKey));
}

static gboolean
shape_key_equal (gconstpointer a,
                 gconstpointer b)
{
  return memcmp (a, b, sizeof (ShapeKey)) == 0;
}

/* A shape as text, in the diagram's strings: thousands of layers have a
 * handful of shapes between them, each formatted once. */
static const char *
shape_text (EnvelopeDiagram *diagram,
            GHashTable      *texts,
            guint            rank,
            const guint64   *shape)
{
  ShapeKey key = { rank, { 0 } };
  const char *text;

  memcpy (key.shape, shape, MIN (rank, ENVELOPE_MAX_RANK) * sizeof (guint64));
  text = g_hash_table_lookup (texts, &key);
  if (text == NULL)
    {
      g_autofree char *formatted = envelope_format_shape (rank, shape);

      text = g_string_chunk_insert (diagram->strings, formatted);
      g_hash_table_insert (texts, g_memdup2 (&key, sizeof key), (gpointer) text);
    }
  return text;
}

static void
add_edges (EnvelopeDiagram        *diagram,
           const EnvelopeAnalysis *analysis,
           GHashTable             *shape_texts)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = NULL;
  g_autofree gboolean *has_main_out = NULL;
  guint n_keys = 0, capacity = 0;

  for (guint i = 0; i < diagram->n_layers; i++)
    capacity += envelope_analysis_get_layer (analysis, i)->n_inputs;
  keys = g_new (gint64, MAX (capacity, 1));
  has_main_out = g_new0 (gboolean, MAX (diagram->blocks->len, 1));

  for (guint i = 0; i < diagram->n_layers; i++)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);

      for (guint k = 0; k < f->n_inputs; k++)
        {
          guint source = f->inputs[k];
          guint from = diagram->layer_block[source];
          guint to = diagram->layer_block[i];
          gpointer existing;

          if (from == to)
            continue;
          keys[n_keys] = ((gint64) from << 32) | to;
          existing = g_hash_table_lookup (seen, &keys[n_keys]);
          if (existing != NULL)
            continue;
          {
            const EnvelopeLayerFigures *carried = envelope_analysis_get_layer (analysis, source);
            /* the main path: the target's first input and the source's
             * first consumer; a fan-out keeps one straight arrow */
            gboolean main = k == 0 && !has_main_out[from];
            EnvelopeDiagramEdge edge = { from, to, source, main,
                                         shape_text (diagram, shape_texts, carried->rank, carried->shape) };

            has_main_out[from] |= main;

            g_array_append_val (diagram->edges, edge);
            /* the index, offset by one so that the first is not NULL */
            g_hash_table_insert (seen, &keys[n_keys], GUINT_TO_POINTER (diagram->edges->len));
            n_keys++;
          }
        }
    }
}

/* "layer3/1" and "layer3/5" as "layer3/1…5" */
static char *
run_name (const char *first,
          const char *last)
{
  gsize common = 0;

  while (first[common] != '\0' && first[common] == last[common])
    common++;
  /* back to the start of the part that differs, in either name: "conv1"
   * and "conv10" differ from "conv" on */
  while (common > 0 && g_ascii_isalnum (first[common - 1]) &&
         (g_ascii_isalnum (first[common]) || g_ascii_isalnum (last[common])))
    common--;
  return g_strdup_printf ("%s…%s", first, last + common);
}

/* Folds runs of consecutive collapsed blocks that hold the same layers
 * with the same shapes, each fed by the one before alone, into the
 * first of the run: @layer_block is remapped, and @repeats[b] counts
 * what each block now stands for.  Returns the new block count. */
static guint
fold_repeats (EnvelopeDiagram        *diagram,
              const EnvelopeAnalysis *analysis,
              guint                  *repeats,
              char                  **run_names)
{
  guint n_blocks = diagram->blocks->len;
  g_autofree guint64 *signature = g_new0 (guint64, MAX (n_blocks, 1));
  g_autofree gint *source = g_new (gint, MAX (n_blocks, 1));
  g_autofree gint *consumer = g_new (gint, MAX (n_blocks, 1));
  g_autofree guint *root = g_new (guint, MAX (n_blocks, 1));
  g_autofree guint *renumber = g_new (guint, MAX (n_blocks, 1));
  g_autofree guint *last_of_run = g_new (guint, MAX (n_blocks, 1));
  guint kept = 0;

  for (guint b = 0; b < n_blocks; b++)
    {
      source[b] = consumer[b] = -1;
      signature[b] = 1469598103934665603ull;
    }
  for (guint i = 0; i < diagram->n_layers; i++)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
      guint b = diagram->layer_block[i];

      signature[b] = envelope_hash_bytes (signature[b], &f->type, sizeof f->type);
      signature[b] = envelope_hash_bytes (signature[b], &f->rank, sizeof f->rank);
      signature[b] = envelope_hash_bytes (signature[b], f->shape, sizeof f->shape);
      signature[b] = envelope_hash_bytes (signature[b], &f->params, sizeof f->params);
      signature[b] = envelope_hash_bytes (signature[b], &f->macs, sizeof f->macs);
      for (guint k = 0; k < f->n_inputs; k++)
        {
          guint a = diagram->layer_block[f->inputs[k]];

          if (a == b)
            continue;
          /* one block feeds it, and it feeds one block: else -2 */
          source[b] = source[b] == -1 || source[b] == (gint) a ? (gint) a : -2;
          consumer[a] = consumer[a] == -1 || consumer[a] == (gint) b ? (gint) b : -2;
        }
    }

  for (guint b = 0; b < n_blocks; b++)
    {
      const EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b);
      const EnvelopeBlock *before = b > 0 ? &g_array_index (diagram->blocks, EnvelopeBlock, b - 1) : NULL;

      if (before != NULL && block->collapsed && before->collapsed && signature[b] == signature[b - 1] &&
          source[b] == (gint) b - 1 && consumer[b - 1] == (gint) b)
        {
          root[b] = root[b - 1];
          repeats[renumber[root[b]]]++;
          last_of_run[root[b]] = b;
          continue;
        }
      root[b] = b;
      last_of_run[b] = b;
      renumber[b] = kept;
      repeats[kept] = 1;
      kept++;
    }
  if (kept == n_blocks)
    return n_blocks;

  for (guint i = 0; i < diagram->n_layers; i++)
    diagram->layer_block[i] = renumber[root[diagram->layer_block[i]]];
  for (guint b = 0; b < n_blocks; b++)
    {
      if (root[b] != b)
        continue;
      if (last_of_run[b] != b)
        run_names[renumber[b]] = run_name (g_array_index (diagram->blocks, EnvelopeBlock, b).name,
                                           g_array_index (diagram->blocks, EnvelopeBlock, last_of_run[b]).name);
      g_array_index (diagram->blocks, EnvelopeBlock, renumber[b]) = g_array_index (diagram->blocks, EnvelopeBlock, b);
    }
  g_array_set_size (diagram->blocks, kept);
  return kept;
}

/* Makes the diagram of @analysis; with @counted, only counts its
 * blocks (no text measured, nothing sized) and returns NULL. */
static EnvelopeDiagram *
build (const EnvelopeAnalysis       *analysis,
       const EnvelopeDiagramOptions *options,
       const EnvelopeDiagram        *previous,
       guint                        *counted)
{
  const EnvelopeNetwork *network;
  EnvelopeDiagramOptions defaults;
  EnvelopeDiagram *diagram;
  g_autoptr(GHashTable) group_blocks = NULL;
  g_autofree guint *member_count = NULL;
  g_autofree guint *member_offset = NULL;
  g_autofree gboolean *output_found = NULL;
  g_autoptr(GHashTable) shape_texts = NULL;
  const EnvelopeGroups *groups;
  g_autofree char **collapsed_as = NULL;
  g_autoptr(GHashTable) member_counts = NULL;
  g_autofree guint *consumers = NULL;
  gboolean proportional;
  Measures measures = { 0 };

  if (options == NULL)
    {
      envelope_diagram_options_init (&defaults);
      options = &defaults;
    }

  network = envelope_analysis_get_network (analysis);
  diagram = g_atomic_rc_box_new0 (EnvelopeDiagram);
  diagram->style = options->style;
  diagram->direction = options->direction;
  diagram->collapse_depth = options->collapse_depth;
  diagram->wrap = options->wrap;
  diagram->receptive_field_room = options->receptive_field_room;
  diagram->fold_repeats = options->fold_repeats;
  diagram->collapsed = g_strdupv ((char **) options->collapsed);
  diagram->expanded = g_strdupv ((char **) options->expanded);
  diagram->font_family = g_strdup (options->font_family != NULL ? options->font_family : "Sans");
  diagram->title = g_strdup (network->name != NULL ? network->name : "");
  diagram->strings = g_string_chunk_new (4096);
  diagram->n_layers = envelope_analysis_get_n_layers (analysis);
  /* a count reads none of the layers' own names, groups and figures:
   * for a long network they are most of the work, and of the memory */
  diagram->layer_names = counted != NULL ? NULL : g_new0 (char *, diagram->n_layers);
  diagram->layer_groups = counted != NULL ? NULL : g_new0 (const char *, MAX (diagram->n_layers, 1));
  diagram->innermost_groups = counted != NULL ? NULL : g_new0 (char *, MAX (diagram->n_layers, 1));
  diagram->figures = counted != NULL ? NULL : g_new0 (EnvelopeLayerFigures, diagram->n_layers);
  diagram->layer_block = g_new0 (guint, diagram->n_layers);
  diagram->members = g_new0 (guint, diagram->n_layers);
  diagram->blocks = g_array_new (FALSE, TRUE, sizeof (EnvelopeBlock));
  diagram->edges = g_array_new (FALSE, TRUE, sizeof (EnvelopeDiagramEdge));
  diagram->input_block = -1;
  diagram->totals = *envelope_analysis_get_totals (analysis);
  diagram->memory = *envelope_analysis_get_memory (analysis);
  diagram->label_widths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  proportional = diagram->style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL;

  /* the classic figure folds a layer into its feeder only where the
   * feeder has no other reader */
  consumers = g_new0 (guint, MAX (diagram->n_layers, 1));
  for (guint i = 0; proportional && i < diagram->n_layers; i++)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);

      for (guint k = 0; k < f->n_inputs; k++)
        if (f->inputs[k] < diagram->n_layers)
          consumers[f->inputs[k]]++;
    }

  /* Blocks: a layer, or the first layer of a collapsed group. */
  groups = envelope_analysis_get_groups (analysis, options->groups);
  group_blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* a group of one layer, collapsed only by the level of detail, is
   * drawn as that layer */
  collapsed_as = g_new0 (char *, MAX (diagram->n_layers, 1));
  member_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < diagram->n_layers; i++)
    {
      gpointer count;

      collapsed_as[i] = collapsed_group (diagram, groups, i);
      if (collapsed_as[i] == NULL)
        continue;
      if (g_hash_table_lookup_extended (member_counts, collapsed_as[i], NULL, &count))
        g_hash_table_insert (member_counts, g_strdup (collapsed_as[i]), GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
      else
        g_hash_table_insert (member_counts, g_strdup (collapsed_as[i]), GUINT_TO_POINTER (1));
    }
  for (guint i = 0; i < diagram->n_layers; i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
      g_autofree char *group = g_steal_pointer (&collapsed_as[i]);
      gpointer existing;

      if (group != NULL && GPOINTER_TO_UINT (g_hash_table_lookup (member_counts, group)) == 1 &&
          (diagram->collapsed == NULL || !g_strv_contains ((const char * const *) diagram->collapsed, group)))
        g_clear_pointer (&group, g_free);

      if (counted == NULL)
        {
          /* at any depth past its own, a layer's group is its innermost */
          g_autofree char *innermost = envelope_groups_get_group (groups, i, G_MAXUINT, NULL);

          diagram->layer_names[i] = g_string_chunk_insert (diagram->strings, layer->name);
          if (group != NULL)
            diagram->layer_groups[i] = g_string_chunk_insert_const (diagram->strings, group);
          if (innermost != NULL)
            diagram->innermost_groups[i] = g_string_chunk_insert_const (diagram->strings, innermost);
          diagram->figures[i] = *f;
          diagram->figures[i].inputs = NULL;
          diagram->figures[i].n_inputs = 0;
        }

      if (layer->type == ENVELOPE_LAYER_INPUT && f->rank == 3)
        {
          diagram->input_extent[0] = MAX (diagram->input_extent[0], f->shape[1]);
          diagram->input_extent[1] = MAX (diagram->input_extent[1], f->shape[2]);
        }

      if (group != NULL && g_hash_table_lookup_extended (group_blocks, group, NULL, &existing))
        {
          diagram->layer_block[i] = GPOINTER_TO_UINT (existing);
          continue;
        }
      if (proportional && group == NULL && f->n_inputs == 1 && f->inputs[0] < i &&
          envelope_classic_folds (f, envelope_analysis_get_layer (analysis, f->inputs[0]), consumers[f->inputs[0]]) &&
          !g_array_index (diagram->blocks, EnvelopeBlock, diagram->layer_block[f->inputs[0]]).collapsed)
        {
          /* its activation, normalization or dropout: drawn in its block */
          diagram->layer_block[i] = diagram->layer_block[f->inputs[0]];
          continue;
        }
      {
        EnvelopeBlock block = { 0 };

        block.collapsed = group != NULL;
        block.name = g_string_chunk_insert (diagram->strings, group != NULL ? group : layer->name);
        block.output_layer = i;
        diagram->layer_block[i] = diagram->blocks->len;
        g_array_append_val (diagram->blocks, block);
        if (group != NULL)
          g_hash_table_insert (group_blocks, g_steal_pointer (&group), GUINT_TO_POINTER (diagram->blocks->len - 1));
      }
    }

  if (diagram->fold_repeats)
    {
      g_autofree guint *repeats = g_new (guint, MAX (diagram->blocks->len, 1));
      g_autofree char **run_names = g_new0 (char *, MAX (diagram->blocks->len, 1));
      guint n_blocks = fold_repeats (diagram, analysis, repeats, run_names);

      for (guint b = 0; b < n_blocks; b++)
        {
          EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b);

          block->repeats = repeats[b];
          if (run_names[b] != NULL)
            block->name = g_string_chunk_insert (diagram->strings, run_names[b]);
          g_free (run_names[b]);
        }
    }
  else
    for (guint b = 0; b < diagram->blocks->len; b++)
      g_array_index (diagram->blocks, EnvelopeBlock, b).repeats = 1;
  if (counted != NULL)
    {
      *counted = diagram->blocks->len;
      envelope_diagram_unref (diagram);
      return NULL;
    }

  /* Members, in file order. */
  member_count = g_new0 (guint, diagram->blocks->len);
  member_offset = g_new0 (guint, diagram->blocks->len + 1);
  for (guint i = 0; i < diagram->n_layers; i++)
    member_count[diagram->layer_block[i]]++;
  for (guint b = 0; b < diagram->blocks->len; b++)
    member_offset[b + 1] = member_offset[b] + member_count[b];
  for (guint b = 0; b < diagram->blocks->len; b++)
    {
      EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b);

      block->layers = diagram->members + member_offset[b];
      block->n_layers = 0;
    }
  for (guint i = 0; i < diagram->n_layers; i++)
    {
      EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, diagram->layer_block[i]);

      diagram->members[(block->layers - diagram->members) + block->n_layers++] = i;
    }

  shape_texts = g_hash_table_new_full (shape_key_hash, shape_key_equal, g_free, NULL);
  add_edges (diagram, analysis, shape_texts);
  output_found = g_new0 (gboolean, diagram->blocks->len);

  /* A group's output is the last member that feeds another block, or
   * its last member when none does; a layer's block with layers folded
   * into it stands for the layer, whose shape they keep. */
  for (guint b = 0; b < diagram->blocks->len; b++)
    {
      EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b);

      block->output_layer = block->collapsed ? block->layers[block->n_layers - 1] : block->layers[0];
      output_found[b] = FALSE;
    }
  for (guint e = 0; e < diagram->edges->len; e++)
    {
      const EnvelopeDiagramEdge *edge = &g_array_index (diagram->edges, EnvelopeDiagramEdge, e);
      EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, edge->from);

      if (!block->collapsed)
        continue;
      if (!output_found[edge->from] || edge->layer > block->output_layer)
        block->output_layer = edge->layer;
      output_found[edge->from] = TRUE;
    }

  measures.family = diagram->font_family;
  if (previous != NULL && g_str_equal (previous->font_family, diagram->font_family))
    measures.previous = previous;
  measure_metrics (diagram, &measures);
  diagram->name_widths = g_new (double, MAX (diagram->blocks->len, 1));
  diagram->name_index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint b = 0; b < diagram->blocks->len; b++)
    {
      EnvelopeBlock *block = &g_array_index (diagram->blocks, EnvelopeBlock, b);
      const EnvelopeLayer *output = envelope_network_get_layer (network, block->output_layer);
      const EnvelopeLayerFigures *f = &diagram->figures[block->output_layer];
      guint64 costliest = 0;
      gboolean any_cost = FALSE;


      block->type = output->type;
      block->category = category_of (output);
      block->rank = f->rank;
      block->layout = f->layout;
      memcpy (block->shape, f->shape, sizeof block->shape);
      block->receptive_field = f->receptive_field;
      block->shape_text = shape_text (diagram, shape_texts, f->rank, f->shape);
      block->state = ENVELOPE_LAYER_ANALYSED;

      for (guint k = 0; k < block->n_layers; k++)
        {
          guint i = block->layers[k];
          const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
          const EnvelopeLayerFigures *m = &diagram->figures[i];
          guint64 cost = m->macs > 0 ? m->macs : m->params;

          block->params += m->params;
          block->macs += m->macs;
          block->activations += m->activations;
          block->misaligned |= m->receptive_field.misaligned;
          if (m->state == ENVELOPE_LAYER_FAILED ||
              (m->state != ENVELOPE_LAYER_ANALYSED && block->state == ENVELOPE_LAYER_ANALYSED))
            block->state = m->state;
          if (layer->type == ENVELOPE_LAYER_INPUT)
            {
              block->is_input = TRUE;
              if (diagram->input_block < 0)
                diagram->input_block = (gint) b;
            }
          if (block->collapsed && (cost > costliest || (!any_cost && cost > 0)))
            {
              costliest = cost;
              any_cost = TRUE;
              block->category = category_of (layer);
            }
        }

      if (proportional && !block->collapsed && f->layout == ENVELOPE_TENSOR_MAP && f->rank == 3 &&
          (envelope_layer_kind_get (output->type)->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL)) &&
          output->kernel[0] > 0 && output->kernel[1] > 0)
        {
          block->kernel[0] = (guint) MIN (output->kernel[0], G_MAXUINT);
          block->kernel[1] = (guint) MIN (output->kernel[1], G_MAXUINT);
        }
      if (proportional)
        {
          g_autofree char *label = envelope_classic_size_label (MAX (f->rank, 1), f->layout, f->shape);

          block->size_label = g_string_chunk_insert_const (diagram->strings, label);
        }
      if (block->state != ENVELOPE_LAYER_ANALYSED && f->state != ENVELOPE_LAYER_ANALYSED)
        {
          block->shape_text = g_string_chunk_insert_const (diagram->strings, envelope_layer_state_describe (f->state));
          block->size_label = block->shape_text;
        }

      if (!block->collapsed)
        {
          g_autofree char *description = envelope_layer_describe (output);
          GString *folded = g_string_new (description);

          /* "conv 3×3, 64 + relu" */
          for (guint k = 1; k < block->n_layers; k++)
            g_string_append_printf (folded, " + %s",
                                    envelope_layer_kind_get (envelope_network_get_layer (network, block->layers[k])->type)->id);
          block->description = g_string_chunk_insert (diagram->strings, folded->str);
          g_string_free (folded, TRUE);
        }
      else
        {
          g_autofree char *description = NULL;

          if (block->repeats > 1)
            {
              /* one of the repeats says what each holds */
              g_autofree char *each = envelope_network_describe_layers (network, block->layers,
                                                                        block->n_layers / block->repeats);
              g_autofree char *repeats = envelope_format_count (block->repeats);

              description = g_strdup_printf ("× %s · %s", repeats, each);
            }
          else
            description = envelope_network_describe_layers (network, block->layers, block->n_layers);
          block->description = g_string_chunk_insert (diagram->strings, description);
        }

      diagram->max_params = MAX (diagram->max_params, block->params);
      diagram->max_macs = MAX (diagram->max_macs, block->macs);
      diagram->max_activations = MAX (diagram->max_activations, block->activations);

      diagram->name_widths[b] = measure_name (&measures, block->name);
      g_hash_table_insert (diagram->name_index, (gpointer) block->name, GUINT_TO_POINTER (b + 1));
      /* a description (a group's members, a layer's kind and settings)
       * is as wide as its words need, up to the widest block; a layer's
       * no longer than its reserve's 20 characters is not measured */
      if (proportional)
        size_proportional_box (diagram, block);
      else if (block->collapsed)
        size_block (diagram, block, diagram->name_widths[b],
                    MAX (diagram->group_reserve, measure (&measures, TEXT_BLOCK_DETAIL, block->description)));
      else
        size_block (diagram, block, diagram->name_widths[b],
                    g_utf8_strlen (block->description, -1) <= 20
                    ? diagram->layer_reserve
                    : MAX (diagram->layer_reserve, measure (&measures, TEXT_BLOCK_DETAIL, block->description)));
    }
  if (proportional)
    size_classic_blocks (diagram, &measures);
  diagram->n_measured = measures.n_measured;

  compute_structure_key (diagram);
  return diagram;
}

/**
 * envelope_diagram_new:
 * @analysis: an analysis; the diagram copies what it needs
 * @options: (nullable): style, direction and collapsed groups
 *
 * Returns: (transfer full): a new diagram
 */
EnvelopeDiagram *
envelope_diagram_new (const EnvelopeAnalysis       *analysis,
                      const EnvelopeDiagramOptions *options)
{
  g_return_val_if_fail (analysis != NULL, NULL);

  return build (analysis, options, NULL, NULL);
}

/**
 * envelope_diagram_refresh:
 * @previous: the diagram shown until now, of an earlier state of the network
 * @analysis: the analysis of the network as it is now
 * @options: (nullable): style, direction and collapsed groups
 *
 * The same as envelope_diagram_new(), but the text already measured for
 * @previous is not measured again: only blocks whose name is new cost a
 * measurement, so a new setting on a network of thousands of blocks
 * refreshes its figures in a few milliseconds.  The blocks' sizes, and so
 * the structure key, are exactly those envelope_diagram_new() gives: a
 * change that leaves every block's size alone keeps the layout.
 * @previous is only read, and may be in use in another thread.
 *
 * Returns: (transfer full): a new diagram
 */
EnvelopeDiagram *
envelope_diagram_refresh (const EnvelopeDiagram        *previous,
                          const EnvelopeAnalysis       *analysis,
                          const EnvelopeDiagramOptions *options)
{
  g_return_val_if_fail (previous != NULL, NULL);
  g_return_val_if_fail (analysis != NULL, NULL);

  return build (analysis, options, previous, NULL);
}

/* The number of blocks envelope_diagram_new() would make, without
 * measuring or sizing any: what a level of detail shows. */
guint
diagram_count_blocks (const EnvelopeAnalysis       *analysis,
                      const EnvelopeDiagramOptions *options)
{
  guint n_blocks = 0;

  build (analysis, options, NULL, &n_blocks);
  return n_blocks;
}

/* @diagram folded into @wrap rows: the same blocks and arrows, their
 * content shared rather than made again (what
 * envelope_diagram_refresh() with only another wrap would give). */
EnvelopeDiagram *
diagram_new_wrapped (const EnvelopeDiagram *diagram,
                     guint                  wrap)
{
  EnvelopeDiagram *source = diagram->shares != NULL ? diagram->shares : (EnvelopeDiagram *) diagram;
  EnvelopeDiagram *folded = g_atomic_rc_box_new0 (EnvelopeDiagram);

  *folded = *source;
  folded->shares = envelope_diagram_ref (source);
  folded->wrap = wrap;
  folded->n_measured = 0;
  compute_structure_key (folded);
  return folded;
}

/* How many texts were measured to make @diagram: every block's name and
 * the reserves for a new diagram, only the new names for a refresh. */
guint
envelope_diagram_get_n_measured (const EnvelopeDiagram *diagram)
{
  return diagram->n_measured;
}

static void
diagram_clear (EnvelopeDiagram *diagram)
{
  if (diagram->shares != NULL)
    {
      envelope_diagram_unref (diagram->shares);
      return;
    }
  g_strfreev (diagram->collapsed);
  g_strfreev (diagram->expanded);
  g_free (diagram->layer_groups);
  g_free (diagram->innermost_groups);
  g_free (diagram->font_family);
  g_free (diagram->title);
  g_string_chunk_free (diagram->strings);
  g_free (diagram->layer_names);
  g_free (diagram->figures);
  g_free (diagram->layer_block);
  g_free (diagram->members);
  g_array_unref (diagram->blocks);
  g_array_unref (diagram->edges);
  g_free (diagram->name_widths);
  g_clear_pointer (&diagram->name_index, g_hash_table_unref);
  g_clear_pointer (&diagram->label_widths, g_hash_table_unref);
}

EnvelopeDiagram *
envelope_diagram_ref (EnvelopeDiagram *diagram)
{
  g_return_val_if_fail (diagram != NULL, NULL);

  return g_atomic_rc_box_acquire (diagram);
}

void
envelope_diagram_unref (EnvelopeDiagram *diagram)
{
  if (diagram != NULL)
    g_atomic_rc_box_release_full (diagram, (GDestroyNotify) diagram_clear);
}

EnvelopeDiagramStyle
envelope_diagram_get_style (const EnvelopeDiagram *diagram)
{
  return diagram->style;
}

EnvelopeDirection
envelope_diagram_get_direction (const EnvelopeDiagram *diagram)
{
  return diagram->direction;
}

const char *
envelope_diagram_get_font_family (const EnvelopeDiagram *diagram)
{
  return diagram->font_family;
}

guint
envelope_diagram_get_wrap (const EnvelopeDiagram *diagram)
{
  return diagram->wrap;
}

gboolean
envelope_diagram_get_receptive_field_room (const EnvelopeDiagram *diagram)
{
  return diagram->receptive_field_room;
}

/* Equal keys: the same blocks of the same sizes, connected the same way,
 * in the same style and direction; an existing layout still fits. */
guint64
envelope_diagram_get_structure_key (const EnvelopeDiagram *diagram)
{
  return diagram->structure_key;
}

guint
envelope_diagram_get_n_blocks (const EnvelopeDiagram *diagram)
{
  return diagram->blocks->len;
}

const EnvelopeBlock *
envelope_diagram_get_block (const EnvelopeDiagram *diagram,
                            guint                  index)
{
  g_return_val_if_fail (index < diagram->blocks->len, NULL);

  return &g_array_index (diagram->blocks, EnvelopeBlock, index);
}

guint
envelope_diagram_get_n_edges (const EnvelopeDiagram *diagram)
{
  return diagram->edges->len;
}

const EnvelopeDiagramEdge *
envelope_diagram_get_edge (const EnvelopeDiagram *diagram,
                           guint                  index)
{
  g_return_val_if_fail (index < diagram->edges->len, NULL);

  return &g_array_index (diagram->edges, EnvelopeDiagramEdge, index);
}

/* The block that shows layer @layer (its group's, when collapsed). */
gint
envelope_diagram_find_block (const EnvelopeDiagram *diagram,
                             guint                  layer)
{
  g_return_val_if_fail (layer < diagram->n_layers, -1);

  return (gint) diagram->layer_block[layer];
}

/**
 * envelope_diagram_get_block_groups:
 *
 * The groups a collapsed block stands for: one, or each group of a run
 * folded into it.
 *
 * Returns: (transfer full): a %NULL-terminated array, empty for a layer's block
 */
char **
envelope_diagram_get_block_groups (const EnvelopeDiagram *diagram,
                                   guint                  block)
{
  const EnvelopeBlock *b;
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (block < diagram->blocks->len, NULL);

  b = &g_array_index (diagram->blocks, EnvelopeBlock, block);
  for (guint k = 0; k < b->n_layers; k++)
    {
      const char *group = diagram->layer_groups[b->layers[k]];

      if (group != NULL && (names->len == 0 || !g_str_equal (g_ptr_array_index (names, names->len - 1), group)))
        g_ptr_array_add (names, g_strdup (group));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/**
 * envelope_diagram_get_layer_group:
 *
 * Returns: (nullable) (transfer full): the innermost group @layer is in,
 *   or %NULL when it is in none
 */
char *
envelope_diagram_get_layer_group (const EnvelopeDiagram *diagram,
                                  guint                  layer)
{
  g_return_val_if_fail (layer < diagram->n_layers, NULL);
  return g_strdup (diagram->innermost_groups[layer]);
}

gint
envelope_diagram_get_input_block (const EnvelopeDiagram *diagram)
{
  return diagram->input_block;
}

guint
envelope_diagram_get_n_layers (const EnvelopeDiagram *diagram)
{
  return diagram->n_layers;
}

const char *
envelope_diagram_get_layer_name (const EnvelopeDiagram *diagram,
                                 guint                  layer)
{
  g_return_val_if_fail (layer < diagram->n_layers, NULL);

  return diagram->layer_names[layer];
}

const EnvelopeLayerFigures *
envelope_diagram_get_layer_figures (const EnvelopeDiagram *diagram,
                                    guint                  layer)
{
  g_return_val_if_fail (layer < diagram->n_layers, NULL);

  return &diagram->figures[layer];
}

/* The largest input's height and width, in pixels; 0 with no image input. */
void
envelope_diagram_get_input_extent (const EnvelopeDiagram *diagram,
                                   guint64               *height,
                                   guint64               *width)
{
  if (height != NULL)
    *height = diagram->input_extent[0];
  if (width != NULL)
    *width = diagram->input_extent[1];
}

const char *
envelope_diagram_get_title (const EnvelopeDiagram *diagram)
{
  return diagram->title;
}

const EnvelopeTotals *
envelope_diagram_get_totals (const EnvelopeDiagram *diagram)
{
  return &diagram->totals;
}

const EnvelopeMemory *
envelope_diagram_get_memory (const EnvelopeDiagram *diagram)
{
  return &diagram->memory;
}

guint64
envelope_diagram_get_max_params (const EnvelopeDiagram *diagram)
{
  return diagram->max_params;
}

guint64
envelope_diagram_get_max_macs (const EnvelopeDiagram *diagram)
{
  return diagram->max_macs;
}

guint64
envelope_diagram_get_max_activations (const EnvelopeDiagram *diagram)
{
  return diagram->max_activations;
}
