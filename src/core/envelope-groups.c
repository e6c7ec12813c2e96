/* envelope-groups.c: stages, blocks and layers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-core"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-format.h"
#include "envelope-groups.h"
#include "envelope-layer-kind.h"

struct _EnvelopeGroups
{
  guint n_layers;
  const char **paths;        /* a layer's name, or a path in @strings */
  GStringChunk *strings;
  guint depth;               /* the most parts a group has */
  gboolean inferred;
};

static gboolean
has_group_field (const EnvelopeLayer *layer)
{
  return layer->group != NULL && layer->group[0] != '\0';
}

/* ---- groups from the structure ---- */

typedef struct
{
  guint first, last;         /* layers, in file order */
  guint output;              /* the layer that joins the branches */
} Region;

static gint
compare_regions (gconstpointer a,
                 gconstpointer b)
{
  const Region *x = a, *y = b;

  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->last < y->last ? 1 : x->last > y->last ? -1 : 0;
}

static guint64
spatial_size (const EnvelopeLayerFigures *f)
{
  guint64 size = 1;

  if (f->layout != ENVELOPE_TENSOR_MAP)
    return 0;
  for (guint a = 1; a < f->rank; a++)
    size *= f->shape[a];
  return size;
}

/* Lowers the resolution: a map in, a smaller map (or a vector) out. */
static gboolean
lowers_resolution (const EnvelopeAnalysis *analysis,
                   guint                   layer,
                   guint                   input)
{
  const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, layer);
  const EnvelopeLayerFigures *in = envelope_analysis_get_layer (analysis, input);
  guint64 before = spatial_size (in);

  return before > 1 && spatial_size (f) < before;
}

/* A name for a group led by @leader: "conv1" for "conv1_1", "fc6" for
 * "fc6"; @fallback and a number when that is taken. */
static char *
group_name_from (const char  *leader,
                 const char  *fallback,
                 guint        number,
                 GHashTable  *taken)
{
  const char *cut = leader != NULL ? strrchr (leader, '_') : NULL;
  char *name = NULL;

  if (cut != NULL && cut > leader)
    name = g_strndup (leader, (gsize) (cut - leader));
  else if (leader != NULL)
    name = g_strdup (leader);
  if (name == NULL || g_hash_table_contains (taken, name))
    {
      g_free (name);
      name = g_strdup_printf ("%s%u", fallback, number);
      for (guint k = 2; g_hash_table_contains (taken, name); k++)
        {
          g_free (name);
          name = g_strdup_printf ("%s%u_%u", fallback, number, k);
        }
    }
  g_hash_table_add (taken, name);
  return name;
}

/* The groups of a network that names none: @paths[i] becomes
 * "stage/block/name" or "stage/name".  With ENVELOPE_GROUPS_RUNS, a
 * network of one resolution and no blocks (a plain chain) has its layers
 * grouped too: each layer that multiplies and adds (a convolution, a
 * dense layer) with the layers that follow it (its normalization, its
 * activation). */
static void
infer (EnvelopeGroups         *groups,
       const EnvelopeNetwork  *network,
       const EnvelopeAnalysis *analysis,
       EnvelopeGroupsFlags     flags)
{
  guint n = groups->n_layers;
  g_autofree guint *offsets = NULL;
  g_autofree guint *indices = NULL;
  g_autofree gint *dominator = NULL;
  g_autofree guint *consumers = NULL;
  g_autofree gint *block_of = NULL;
  g_autofree gint *stage_of = NULL;
  g_autoptr(GArray) regions = g_array_new (FALSE, FALSE, sizeof (Region));
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (Region));
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) block_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) stage_names = g_ptr_array_new ();
  guint n_stages = 0;

  if (n < 4 || !envelope_network_resolve_inputs (network, &offsets, &indices, NULL, NULL))
    return;

  /* Immediate dominators in file order (every input comes earlier): the
   * last layer every path from the inputs to a layer goes through. */
  dominator = g_new (gint, n);
  consumers = g_new0 (guint, n);
  for (guint i = 0; i < n; i++)
    {
      gint d = -2;             /* none yet; -1: the start of everything */

      if (offsets[i] == offsets[i + 1])
        d = -1;
      for (guint k = offsets[i]; k < offsets[i + 1]; k++)
        {
          gint p = (gint) indices[k];

          consumers[p]++;
          if (d == -2)
            d = p;
          else
            while (d != p)
              {
                if (d > p)
                  d = dominator[d];
                else
                  p = dominator[p];
                if (d < 0 || p < 0)
                  {
                    d = -1;
                    break;
                  }
              }
        }
      dominator[i] = d;
    }

  /* Regions: from the layer after a fork to the layer that joins it. */
  for (guint i = 0; i < n; i++)
    {
      Region region;
      gboolean lowers = FALSE;

      if (offsets[i + 1] - offsets[i] < 2 || dominator[i] < 0)
        continue;
      region.first = (guint) dominator[i] + 1;
      region.last = i;
      region.output = i;
      if (region.last - region.first + 1 > MAX (n / 2, 8))
        continue;
      /* a skip over a pooling (U-Net's) is not a block */
      for (guint j = region.first; analysis != NULL && j < region.last && !lowers; j++)
        {
          const EnvelopeLayer *layer = envelope_network_get_layer (network, j);

          lowers = envelope_layer_kind_get (layer->type)->category == ENVELOPE_CATEGORY_POOLING &&
                   offsets[j + 1] > offsets[j] && lowers_resolution (analysis, j, indices[offsets[j]]);
        }
      if (!lowers)
        g_array_append_val (regions, region);
    }
  g_array_sort (regions, compare_regions);
  for (guint r = 0; r < regions->len; r++)
    {
      const Region *region = &g_array_index (regions, Region, r);
      Region *last = blocks->len > 0 ? &g_array_index (blocks, Region, blocks->len - 1) : NULL;

      if (last != NULL && region->first <= last->last)
        {
          if (region->last > last->last)
            {
              last->last = region->last;
              last->output = region->output;
            }
        }
      else
        g_array_append_val (blocks, *region);
    }
  block_of = g_new (gint, n);
  for (guint i = 0; i < n; i++)
    block_of[i] = -1;
  for (guint b = 0; b < blocks->len; b++)
    {
      Region *block = &g_array_index (blocks, Region, b);

      /* the activation after the join belongs to the block */
      while (block->last + 1 < n && consumers[block->last] == 1 &&
             offsets[block->last + 2] - offsets[block->last + 1] == 1 &&
             indices[offsets[block->last + 1]] == block->last &&
             envelope_layer_kind_get (envelope_network_get_layer (network, block->last + 1)->type)->category ==
               ENVELOPE_CATEGORY_ACTIVATION &&
             (b + 1 >= blocks->len || block->last + 1 < g_array_index (blocks, Region, b + 1).first))
        block->last++;
      for (guint i = block->first; i <= block->last; i++)
        block_of[i] = (gint) b;
    }

  /* Stages: a new one where the resolution changes (at a block or a
   * layer whose output differs from the stage's), a pooling closing the
   * stage it lowers.  Past the maps (a vector, tokens), blocks stand on
   * their own, and a layer with parameters leads a group with the layers
   * that follow it. */
  stage_of = g_new (gint, n);
  for (gboolean runs = FALSE;; runs = TRUE)
    {
      guint64 resolution = 0;
      gboolean open = FALSE;

      for (guint i = 0; i < n; i++)
        {
          const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
          const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
          gboolean in_block = block_of[i] >= 0;
          const Region *block = in_block ? &g_array_index (blocks, Region, block_of[i]) : NULL;
          const EnvelopeLayerFigures *out = analysis != NULL ?
            envelope_analysis_get_layer (analysis, in_block ? block->last : i) : NULL;
          guint64 size = out != NULL ? spatial_size (out) : 0;
          gboolean starts = FALSE;

          stage_of[i] = -1;
          if (layer->type == ENVELOPE_LAYER_INPUT)
            continue;
          if (in_block && i > block->first)
            {
              /* a block goes whole into the stage it starts in */
              stage_of[i] = stage_of[i - 1];
              continue;
            }
          if (out == NULL)
            starts = !open;
          else if (runs)
            starts = !open || envelope_analysis_get_layer (analysis, i)->macs > 0;
          else if (size == 0)
            {
              if (in_block)
                {
                  open = FALSE;
                  continue;
                }
              starts = !open || envelope_analysis_get_layer (analysis, i)->params > 0;
              resolution = 0;
            }
          else
            starts = !open || (size != resolution && !(kind->category == ENVELOPE_CATEGORY_POOLING && !in_block));

          if (starts)
            {
              const char *leader = NULL;

              /* named after the first layer with parameters in it (a
               * run's, after the layer that leads it) */
              if (runs)
                leader = layer->name;
              for (guint j = i; j < n && leader == NULL; j++)
                if (analysis == NULL || envelope_analysis_get_layer (analysis, j)->params > 0)
                  leader = envelope_network_get_layer (network, j)->name;
              n_stages++;
              g_ptr_array_add (stage_names, group_name_from (leader, size > 0 && !runs ? "stage" : "group", n_stages, taken));
              resolution = size;
              open = TRUE;
            }
          stage_of[i] = (gint) n_stages - 1;
        }
      /* a plain chain, its runs asked for: once more, a group a layer
       * that multiplies and adds */
      if (runs || !(flags & ENVELOPE_GROUPS_RUNS) || analysis == NULL || n_stages > 1 || blocks->len > 0)
        break;
      for (guint k = 0; k < stage_names->len; k++)
        g_hash_table_remove (taken, g_ptr_array_index (stage_names, k));
      g_ptr_array_set_size (stage_names, 0);
      n_stages = 0;
    }

  /* blocks are named after the layer that joins them */
  for (guint b = 0; b < blocks->len; b++)
    {
      const char *output = envelope_network_get_layer (network, g_array_index (blocks, Region, b).output)->name;
      char *name = g_hash_table_contains (taken, output) ? g_strconcat (output, "_block", NULL) : g_strdup (output);

      g_hash_table_add (taken, name);
      g_ptr_array_add (block_names, name);
    }

  /* One stage alone says nothing: then blocks are the top level. */
  for (guint i = 0; i < n; i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
      GString *path = g_string_new (NULL);

      if (stage_of[i] >= 0 && n_stages > 1)
        {
          g_string_append (path, g_ptr_array_index (stage_names, stage_of[i]));
          g_string_append_c (path, '/');
        }
      if (block_of[i] >= 0)
        {
          g_string_append (path, g_ptr_array_index (block_names, block_of[i]));
          g_string_append_c (path, '/');
        }
      if (path->len > 0)
        {
          g_string_append (path, layer->name);
          groups->paths[i] = g_string_chunk_insert (groups->strings, path->str);
          groups->inferred = TRUE;
        }
      g_string_free (path, TRUE);
    }
  /* the names' strings belong to @taken */
}

/* A layer that bears a group's name belongs to that group, not beside
 * it (PyTorch's exporters name a module's own operator after the
 * module: "self_attn" beside "self_attn/Slice"): its path goes one
 * level in ("self_attn/self_attn"). */
static void
own_layers (EnvelopeGroups *groups)
{
  g_autoptr(GHashTable) group_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < groups->n_layers; i++)
    for (const char *p = strchr (groups->paths[i], '/'); p != NULL; p = strchr (p + 1, '/'))
      g_hash_table_add (group_paths, g_strndup (groups->paths[i], (gsize) (p - groups->paths[i])));
  for (guint i = 0; i < groups->n_layers; i++)
    while (g_hash_table_contains (group_paths, groups->paths[i]))
      {
        const char *slash = strrchr (groups->paths[i], '/');
        g_autofree char *path = g_strconcat (groups->paths[i], "/", slash != NULL ? slash + 1 : groups->paths[i], NULL);

        groups->paths[i] = g_string_chunk_insert (groups->strings, path);
      }
}

/**
 * envelope_groups_new:
 * @network: a network
 * @analysis: (nullable): its analysis, for the shapes that set stages apart
 *
 * Returns: (transfer full): every layer's path
 */
EnvelopeGroups *
envelope_groups_new (const EnvelopeNetwork  *network,
                     const EnvelopeAnalysis *analysis)
{
  return envelope_groups_new_full (network, analysis, ENVELOPE_GROUPS_DEFAULT);
}

/**
 * envelope_groups_new_full:
 * @network: a network
 * @analysis: (nullable): its analysis, for the shapes that set stages apart
 * @flags: ENVELOPE_GROUPS_RUNS to group a plain chain's layers too
 *
 * Returns: (transfer full): every layer's path
 */
EnvelopeGroups *
envelope_groups_new_full (const EnvelopeNetwork  *network,
                          const EnvelopeAnalysis *analysis,
                          EnvelopeGroupsFlags     flags)
{
  EnvelopeGroups *groups;
  gboolean any_slash = FALSE, any_dot = FALSE, any_field = FALSE;

  g_return_val_if_fail (network != NULL, NULL);

  groups = g_new0 (EnvelopeGroups, 1);
  groups->n_layers = network->layers->len;
  groups->paths = g_new0 (const char *, MAX (groups->n_layers, 1));
  groups->strings = g_string_chunk_new (1024);

  if (analysis != NULL && envelope_analysis_get_n_layers (analysis) != groups->n_layers)
    analysis = NULL;

  for (guint i = 0; i < groups->n_layers; i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);

      any_field |= has_group_field (layer);
      any_slash |= strchr (layer->name, '/') != NULL;
      any_dot |= strchr (layer->name, '.') != NULL;
    }

  for (guint i = 0; i < groups->n_layers; i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);

      /* a name that starts with its group already says it
       * ("self_attn/Slice" in "self_attn", as the importers write them) */
      if (has_group_field (layer) && !(g_str_has_prefix (layer->name, layer->group) &&
                                       layer->name[strlen (layer->group)] == '/'))
        {
          g_autofree char *path = g_strconcat (layer->group, "/", layer->name, NULL);
          groups->paths[i] = g_string_chunk_insert (groups->strings, path);
        }
      else if (!any_slash && any_dot && strchr (layer->name, '.') != NULL)
        {
          char *path = g_string_chunk_insert (groups->strings, layer->name);

          g_strdelimit (path, ".", '/');
          groups->paths[i] = path;
        }
      else
        groups->paths[i] = layer->name;
    }
  if (!any_field && !any_slash && !any_dot)
    infer (groups, network, analysis, flags);
  else
    own_layers (groups);

  for (guint i = 0; i < groups->n_layers; i++)
    {
      guint parts = 0;

      for (const char *p = strchr (groups->paths[i], '/'); p != NULL; p = strchr (p + 1, '/'))
        parts++;
      groups->depth = MAX (groups->depth, parts);
    }
  return groups;
}

void
envelope_groups_free (EnvelopeGroups *groups)
{
  if (groups == NULL)
    return;
  g_free (groups->paths);
  g_string_chunk_free (groups->strings);
  g_free (groups);
}

/* whether the groups came from the structure rather than from names */
gboolean
envelope_groups_is_inferred (const EnvelopeGroups *groups)
{
  return groups->inferred;
}

/* the most levels of groups a layer is in */
guint
envelope_groups_get_depth (const EnvelopeGroups *groups)
{
  return groups->depth;
}

/**
 * envelope_groups_get_path:
 *
 * Returns: the layer's path: `stage/block/layer`, or its name alone
 */
const char *
envelope_groups_get_path (const EnvelopeGroups *groups,
                          guint                 layer)
{
  g_return_val_if_fail (layer < groups->n_layers, NULL);
  return groups->paths[layer];
}

/**
 * envelope_groups_get_group:
 * @depth: 1 for the stage, 2 for the block, …
 * @innermost: (out) (optional): whether this is the layer's innermost
 *   group, so that no deeper one exists
 *
 * The group @layer is in at @depth: the first @depth parts of its path,
 * at most all but the last.  `layer1/0/downsample/conv` is in `layer1/0`
 * at depth 2 and in `layer1` at depth 1; `conv1/conv` is in `conv1` at
 * both.
 *
 * Returns: (nullable): the group's name, or %NULL when the layer is in none
 */
char *
envelope_groups_get_group (const EnvelopeGroups *groups,
                           guint                 layer,
                           guint                 depth,
                           gboolean             *innermost)
{
  const char *path, *p;
  guint parts = 0;

  g_return_val_if_fail (layer < groups->n_layers, NULL);
  g_return_val_if_fail (depth > 0, NULL);

  path = groups->paths[layer];
  for (p = strchr (path, '/'); p != NULL; p = strchr (p + 1, '/'))
    {
      parts++;
      if (parts == depth)
        break;
    }
  if (parts == 0)
    return NULL;
  if (p == NULL)
    p = strrchr (path, '/');
  if (innermost != NULL)
    *innermost = strchr (p + 1, '/') == NULL;
  return g_strndup (path, (gsize) (p - path));
}

/**
 * envelope_groups_list:
 *
 * Every group, at any depth, outer groups before inner ones, in file
 * order: what a front end offers to collapse.
 *
 * Returns: (transfer full): a %NULL-terminated array
 */
char **
envelope_groups_list (const EnvelopeGroups *groups)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  for (guint i = 0; i < groups->n_layers; i++)
    for (guint depth = 1;; depth++)
      {
        gboolean innermost = TRUE;
        char *name = envelope_groups_get_group (groups, i, depth, &innermost);

        if (name == NULL)
          break;
        if (g_hash_table_contains (seen, name))
          g_free (name);
        else
          {
            g_hash_table_add (seen, name);
            g_ptr_array_add (list, name);
          }
        if (innermost || depth >= 64)
          break;
      }
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
}

/* The words an expert would use for a kind in a count. */
static const char *
short_kind (EnvelopeLayerType type)
{
  switch (type)
    {
    case ENVELOPE_LAYER_BATCH_NORM:
      return "BN";
    case ENVELOPE_LAYER_LAYER_NORM:
      return "LN";
    default:
      return envelope_layer_kind_get (type)->id;
    }
}

/**
 * envelope_network_describe_layers:
 * @layers: indices of layers of @network
 *
 * What a group holds in an expert's words: its layers with parameters
 * or multiply-adds (matrix products too) and operators of unknown cost
 * counted by kind, in the order they first come ("3 conv, 3 BN"), then
 * how branches join ("add"); activations, dropout, views and other
 * arithmetic go unsaid.  A group of those alone is counted ("4 layers").
 *
 * Returns: (transfer full): the description
 */
char *
envelope_network_describe_layers (const EnvelopeNetwork *network,
                                  const guint           *layers,
                                  guint                  n_layers)
{
  guint counts[ENVELOPE_N_LAYER_TYPES] = { 0 };
  guint order[ENVELOPE_N_LAYER_TYPES];
  guint n_kinds = 0;
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < n_layers; k++)
    {
      EnvelopeLayerType type = envelope_network_get_layer (network, layers[k])->type;

      if (counts[type]++ == 0)
        order[n_kinds++] = type;
    }
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < n_kinds; k++)
      {
        EnvelopeLayerCategory category = envelope_layer_kind_get (order[k])->category;
        /* an attention written out as its operators has its matrix
         * products; an operator of unknown cost is worth a word */
        gboolean costly = category == ENVELOPE_CATEGORY_CONVOLUTION || category == ENVELOPE_CATEGORY_DENSE ||
                          category == ENVELOPE_CATEGORY_NORMALIZATION || category == ENVELOPE_CATEGORY_ATTENTION ||
                          category == ENVELOPE_CATEGORY_RECURRENT || category == ENVELOPE_CATEGORY_POOLING ||
                          order[k] == ENVELOPE_LAYER_MATMUL || order[k] == ENVELOPE_LAYER_UNKNOWN;
        gboolean joins = category == ENVELOPE_CATEGORY_MERGE;

        if ((pass == 0 && !costly) || (pass == 1 && !joins) || out->len > 40)
          continue;
        if (out->len > 0)
          g_string_append (out, ", ");
        if (counts[order[k]] > 1)
          {
            envelope_format_append_count (out, counts[order[k]]);
            g_string_append_c (out, ' ');
          }
        g_string_append (out, short_kind (order[k]));
      }
  if (out->len == 0)
    {
      g_autofree char *count = envelope_format_count (n_layers);

      g_string_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s layer", "%s layers", n_layers), count);
    }
  return g_string_free (out, FALSE);
}
