/* envelope-plan.c: which blocks to checkpoint so that a step fits
 *
 * torch.utils.checkpoint runs a block without keeping what its backward
 * reads, keeps only the block's inputs, and runs the block's forward
 * again in the backward pass.  Memory falls by what the block would have
 * kept; compute rises by its forward.  The candidates are the network's
 * blocks: its groups ("layer3/2" of "layer3/2/conv1", the "group"
 * field), or, in a network without groups, the stages between its
 * poolings.  The plan takes the blocks that save the most memory for
 * their compute until the step fits, then drops any it does not need.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-plan"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-analysis-private.h"
#include "envelope-format.h"

static guint
count_parts (const char *name)
{
  guint parts = 1;

  for (const char *p = name; *p; p++)
    parts += *p == '/' || *p == '.';
  return parts;
}

/* The first @depth parts of a name: "layer3/2" of "layer3/2/conv1" and of
 * "layer3/2/downsample/conv" at depth 2; NULL when it has no more parts
 * than that. */
static char *
block_of (const EnvelopeLayer *layer,
          guint                depth)
{
  const char *p = layer->name;

  if (layer->group != NULL)
    return g_strdup (layer->group);
  if (count_parts (layer->name) <= depth)
    return NULL;
  for (guint seen = 0; *p; p++)
    if ((*p == '/' || *p == '.') && ++seen == depth)
      break;
  return g_strndup (layer->name, (gsize) (p - layer->name));
}

/* The blocks at one depth of the names (or the stages between poolings
 * when @depth is 0): runs of two layers or more under one parent. */
static GArray *
blocks_at (const EnvelopeAnalysis *analysis,
           guint                   depth)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  guint n = envelope_analysis_get_n_layers (analysis);
  GArray *blocks = g_array_new (FALSE, TRUE, sizeof (EnvelopeCheckpointBlock));
  g_autoptr(GPtrArray) keys = g_ptr_array_new_full (n, g_free);
  guint stage = 1;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (keys, depth > 0 ? block_of (envelope_network_get_layer (network, i), depth) : NULL);
  if (depth == 0)
    /* the stages between poolings (VGG's conv1 … conv5) */
    for (guint i = 1; i < n; i++)
      {
        EnvelopeLayerType type = envelope_network_get_layer (network, i)->type;

        g_ptr_array_index (keys, i) = g_strdup_printf (_("stage %u"), stage);
        if (type == ENVELOPE_LAYER_MAX_POOL || type == ENVELOPE_LAYER_AVG_POOL)
          stage++;
        if (type == ENVELOPE_LAYER_FLATTEN || type == ENVELOPE_LAYER_GLOBAL_AVG_POOL ||
            type == ENVELOPE_LAYER_GLOBAL_MAX_POOL)
          break;
      }

  for (guint i = 1; i < n; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      EnvelopeCheckpointBlock block = { 0 };
      guint j = i;

      if (key == NULL)
        continue;
      while (j + 1 < n && g_strcmp0 (g_ptr_array_index (keys, j + 1), key) == 0)
        j++;
      /* a block of one layer keeps its input either way: nothing to gain */
      if (j > i)
        {
          block.first = i;
          block.last = j;
          block.name = g_strdup (key);
          for (guint k = i; k <= j; k++)
            block.macs += envelope_analysis_get_layer (analysis, k)->macs;
          g_array_append_val (blocks, block);
        }
      i = j;
    }
  return blocks;
}

static void
free_blocks (GArray *blocks)
{
  for (guint b = 0; b < blocks->len; b++)
    g_free (g_array_index (blocks, EnvelopeCheckpointBlock, b).name);
  g_array_unref (blocks);
}

/* The candidates: the depth of the names that gives the most blocks
 * ("layer3/2" rather than "layer3"; "encoder/0" rather than "encoder"),
 * or the stages between poolings in a network without parents in its
 * names. */
static GArray *
find_blocks (const EnvelopeAnalysis *analysis)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  guint n = envelope_analysis_get_n_layers (analysis);
  guint deepest = 0;
  GArray *best = NULL;

  for (guint i = 0; i < n; i++)
    deepest = MAX (deepest, count_parts (envelope_network_get_layer (network, i)->name) - 1);
  for (guint depth = 1; depth <= deepest; depth++)
    {
      GArray *blocks = blocks_at (analysis, depth);

      if (best == NULL || blocks->len > best->len)
        {
          if (best != NULL)
            free_blocks (best);
          best = blocks;
        }
      else
        free_blocks (blocks);
    }
  if (best == NULL || best->len == 0)
    {
      if (best != NULL)
        free_blocks (best);
      best = blocks_at (analysis, 0);
    }
  return best;
}

/* The step's peak at @batch with the blocks marked chosen checkpointed. */
static gboolean
peak_with (const EnvelopeAnalysis *analysis,
           GArray                 *blocks,
           guint64                 batch,
           guint                  *segment,
           guint64                *peak,
           GError                **error)
{
  EnvelopeStepInput input;
  EnvelopeStepResult result;
  guint n = envelope_analysis_get_n_layers (analysis);

  for (guint i = 0; i < n; i++)
    segment[i] = G_MAXUINT;
  for (guint b = 0; b < blocks->len; b++)
    {
      const EnvelopeCheckpointBlock *block = &g_array_index (blocks, EnvelopeCheckpointBlock, b);
      if (block->chosen)
        for (guint i = block->first; i <= block->last; i++)
          segment[i] = b;
    }
  envelope_analysis_get_step_input (analysis, &input);
  input.segment = segment;
  input.n_segments = blocks->len;
  if (!envelope_step_simulate (&input, batch, FALSE, 0, &result, NULL, NULL, error))
    return FALSE;
  *peak = result.peak.total;
  return TRUE;
}

static void
choose_all (GArray  *blocks,
            gboolean chosen)
{
  for (guint b = 0; b < blocks->len; b++)
    g_array_index (blocks, EnvelopeCheckpointBlock, b).chosen = chosen;
}

/* Memory saved per multiply-add recomputed, the best first. */
static gint
by_value (gconstpointer a,
          gconstpointer b,
          gpointer      data)
{
  GArray *blocks = data;
  const EnvelopeCheckpointBlock *x = &g_array_index (blocks, EnvelopeCheckpointBlock, *(const guint *) a);
  const EnvelopeCheckpointBlock *y = &g_array_index (blocks, EnvelopeCheckpointBlock, *(const guint *) b);
  double vx = (double) x->saves / (double) MAX (x->macs, 1);
  double vy = (double) y->saves / (double) MAX (y->macs, 1);

  return vx > vy ? -1 : vx < vy ? 1 : (gint) x->first - (gint) y->first;
}

EnvelopeCheckpointPlan *
envelope_analysis_plan_checkpoints (const EnvelopeAnalysis *analysis,
                                    guint64                 batch,
                                    guint64                 budget,
                                    GError                **error)
{
  g_autoptr(EnvelopeCheckpointPlan) plan = g_new0 (EnvelopeCheckpointPlan, 1);
  guint n = envelope_analysis_get_n_layers (analysis);
  g_autofree guint *segment = g_new (guint, MAX (n, 1));
  g_autofree guint *order = NULL;
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  guint64 peak;

  g_return_val_if_fail (batch > 0, NULL);

  plan->batch = batch;
  plan->budget = budget;
  plan->training_macs = envelope_analysis_get_totals (analysis)->training_macs;
  plan->blocks = find_blocks (analysis);

  if (!peak_with (analysis, plan->blocks, batch, segment, &plan->peak_plain, error))
    return NULL;
  plan->fits_plain = plan->peak_plain <= budget;
  choose_all (plan->blocks, TRUE);
  if (!peak_with (analysis, plan->blocks, batch, segment, &plan->peak_all, error))
    return NULL;
  choose_all (plan->blocks, FALSE);

  /* gradient splitting, for comparison */
  plan->split_max_batch = fit->max_batch;
  if (fit->max_batch > 0)
    {
      plan->split_steps = (batch + fit->max_batch - 1) / fit->max_batch;
      plan->split_micro_batch = (batch + plan->split_steps - 1) / plan->split_steps;
    }

  plan->peak_planned = plan->peak_plain;
  plan->fits = plan->fits_plain;
  if (plan->fits_plain || plan->peak_all > budget || plan->blocks->len == 0)
    {
      if (!plan->fits_plain && plan->peak_all <= budget)
        plan->fits = TRUE;
      return g_steal_pointer (&plan);
    }

  /* what each block saves alone */
  for (guint b = 0; b < plan->blocks->len; b++)
    {
      EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);

      block->chosen = TRUE;
      if (!peak_with (analysis, plan->blocks, batch, segment, &peak, error))
        return NULL;
      block->chosen = FALSE;
      block->saves = plan->peak_plain > peak ? plan->peak_plain - peak : 0;
    }

  /* the best value first, until the step fits … */
  order = g_new (guint, plan->blocks->len);
  for (guint b = 0; b < plan->blocks->len; b++)
    order[b] = b;
  g_qsort_with_data (order, (gint) plan->blocks->len, sizeof (guint), by_value, plan->blocks);
  peak = plan->peak_plain;
  for (guint k = 0; k < plan->blocks->len && peak > budget; k++)
    {
      g_array_index (plan->blocks, EnvelopeCheckpointBlock, order[k]).chosen = TRUE;
      if (!peak_with (analysis, plan->blocks, batch, segment, &peak, error))
        return NULL;
    }
  /* … then without any it does not need, the costliest tried first */
  for (guint end = plan->blocks->len; end > 0; end--)
    {
      EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, order[end - 1]);
      guint64 without;

      if (!block->chosen)
        continue;
      block->chosen = FALSE;
      if (!peak_with (analysis, plan->blocks, batch, segment, &without, error))
        return NULL;
      if (without <= budget)
        peak = without;
      else
        block->chosen = TRUE;
    }

  plan->peak_planned = peak;
  plan->fits = peak <= budget;
  for (guint b = 0; b < plan->blocks->len; b++)
    {
      const EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);
      if (block->chosen)
        plan->added_macs += block->macs;
    }
  return g_steal_pointer (&plan);
}

void
envelope_checkpoint_plan_free (EnvelopeCheckpointPlan *plan)
{
  if (plan == NULL)
    return;
  if (plan->blocks != NULL)
    free_blocks (plan->blocks);
  g_free (plan);
}

/* The plan in sentences, for the CLI and the app. */
char *
envelope_checkpoint_plan_describe (const EnvelopeCheckpointPlan *plan,
                                   EnvelopeUnits                 units)
{
  GString *out = g_string_new (NULL);
  g_autofree char *batch = envelope_format_count (plan->batch);
  g_autofree char *budget = envelope_format_bytes (plan->budget, units);
  g_autofree char *plain = envelope_format_bytes (plan->peak_plain, units);
  guint chosen = 0;

  for (guint b = 0; b < plan->blocks->len; b++)
    chosen += g_array_index (plan->blocks, EnvelopeCheckpointBlock, b).chosen;

  g_string_append_printf (out, _("A training step at batch %s needs %s at its peak (PyTorch model); the budget is %s.\n"),
                          batch, plain, budget);
  if (plan->fits_plain)
    {
      g_string_append (out, _("It fits without checkpointing.\n"));
      return g_string_free (out, FALSE);
    }
  if (plan->blocks->len == 0)
    {
      g_string_append (out, _("The network has no blocks to checkpoint (no groups in its names, no poolings).\n"));
    }
  else if (!plan->fits)
    {
      g_autofree char *all = envelope_format_bytes (plan->peak_all, units);
      g_string_append_printf (out, _("Even with all %u blocks checkpointed it needs %s: checkpointing alone cannot make "
                                     "it fit.\n"), plan->blocks->len, all);
    }
  else
    {
      g_autofree char *planned = envelope_format_bytes (plan->peak_planned, units);
      g_autofree char *added = envelope_format_count (plan->added_macs);
      double share = plan->training_macs > 0 ? 100.0 * (double) plan->added_macs / (double) plan->training_macs : 0;

      g_string_append_printf (out, ngettext ("Checkpoint %u block (torch.utils.checkpoint at its boundaries):\n",
                                             "Checkpoint %u blocks (torch.utils.checkpoint at their boundaries):\n",
                                             chosen), chosen);
      for (guint b = 0; b < plan->blocks->len; b++)
        {
          const EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);
          g_autofree char *macs = NULL;
          g_autofree char *saves = NULL;

          if (!block->chosen)
            continue;
          macs = envelope_format_count (block->macs);
          saves = envelope_format_bytes (block->saves, units);
          g_string_append_printf (out, _("  %s: alone it lowers the peak by %s, and recomputes %s MACs per sample\n"),
                                  block->name, saves, macs);
        }
      g_string_append_printf (out, _("The step then needs %s, for %s more MACs per sample: %.1f%% more than a "
                                     "training step's 3 × forward.\n"), planned, added, share);
    }
  if (plan->split_max_batch > 0)
    {
      g_autofree char *split = envelope_describe_steps (plan->batch, plan->split_micro_batch);
      g_string_append_printf (out, _("Gradient splitting instead: %s samples, no extra compute but "
                                     "smaller steps (less work per kernel, batch norm sees fewer samples).\n"),
                              split);
    }
  else
    g_string_append (out, _("Gradient splitting cannot help: not even one sample fits.\n"));
  return g_string_free (out, FALSE);
}
