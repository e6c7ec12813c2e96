/* envelope-kinds-tokens.c: token embeddings and the turns between maps
 * and sequences of tokens
 *
 * An embedding looks each token id of a vector [T] up in a table and
 * gives the sequence [T, D]; a position embedding adds where each token
 * sits; a class token prepends learned tokens.  to_tokens reads a map's
 * positions as tokens (a ViT's patches), to_map lays tokens back out on
 * a grid.  Looking up, prepending and rearranging do no arithmetic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F

/* The kinds that read a sequence of tokens [T, D]. */
static gboolean
require_tokens (EnvelopeInference          *inf,
                const EnvelopeLayerFigures *in,
                GError                    **error)
{
  const char *id = envelope_layer_kind_get (inf->layer->type)->id;
  g_autofree char *shape = NULL;

  if (in->layout == ENVELOPE_TENSOR_TOKENS)
    return TRUE;
  shape = envelope_format_shape (in->rank, in->shape);
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, "inputs",
                        in->layout == ENVELOPE_TENSOR_MAP
                          ? _("%s needs a sequence of tokens [T, D], but this one gets the map %s; "
                              "turn it into tokens first (to_tokens)")
                          : _("%s needs a sequence of tokens [T, D], but this one gets the vector %s; "
                              "an embedding turns token ids into tokens"),
                        id, shape);
  return FALSE;
}

/* A lookup: each id of the vector [T] picks one row of the V × D table. */
static gboolean
infer_embedding (EnvelopeInference *inf,
                 GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  guint64 v = (guint64) l->vocabulary, d = (guint64) l->dimension;

  if (in->layout != ENVELOPE_TENSOR_VECTOR)
    {
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);

      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, inf->layer->name, "inputs",
                            _("embedding needs a vector [T] of token ids, but this one gets %s; "
                              "give the input the shape [T]"),
                            shape);
      return FALSE;
    }
  out->rank = 2;
  out->layout = ENVELOPE_TENSOR_TOKENS;
  out->shape[0] = in->shape[0];
  out->shape[1] = d;
  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, v, d))
    return FALSE;

  /* The ids of a vector input have no positions yet: each token's
   * vector comes from its own id alone, one input token. */
  envelope_receptive_field_unchanged (inf, in);
  if (rf->n_axes == 0 && !rf->whole_input)
    {
      rf->n_axes = 1;
      rf->size[0] = 1;
      rf->jump[0] = 1;
      rf->start[0] = 0.5;
      if (explaining_receptive_field (inf))
        {
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                                          g_strdup (_("1: each token's vector comes from its own id")));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_JUMP, g_strdup ("1"));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_START,
                                          g_strdup (_("0.5: the centre of the first token")));
        }
    }

  if (explaining_receptive_field (inf))
    {
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      envelope_format_counts (_("a vector of {} for each of the {} ids → {}×{}"),
                                                              COUNTS (d, in->shape[0], in->shape[0], d)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      envelope_format_counts (_("{} × {} = {}, one row per vocabulary entry"),
                                                              COUNTS (v, d, out->weights)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                      g_strdup (_("0: a lookup, one row of the table per token")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup (_("weights = vocabulary × d")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup (_("out = tokens × d")));
    }
  return TRUE;
}

/* Where each token sits: a learned table (GPT-2, BERT, ViT) or the
 * sinusoids of "Attention is all you need", both added to the tokens, or
 * a rotation of each pair of features by an angle that grows with the
 * position (RoPE, as LLaMA applies it to queries and keys). */
static gboolean
infer_position_embedding (EnvelopeInference *inf,
                          GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 t, d, positions = (guint64) l->positions;
  guint64 per_value = l->encoding == ENVELOPE_POSITION_ROTARY ? 3 : 1;

  if (!require_tokens (inf, in, error))
    return FALSE;
  t = in->shape[0];
  d = in->shape[1];
  if (l->encoding == ENVELOPE_POSITION_LEARNED && positions < t)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, inf->layer->name, "positions",
                            _("is %" PRIu64 ", but the input has %" PRIu64 " tokens; "
                              "a learned table needs a row for every position"),
                            positions, t);
      return FALSE;
    }
  envelope_copy_shape (out, in);
  envelope_receptive_field_unchanged (inf, in);
  if (l->encoding == ENVELOPE_POSITION_LEARNED &&
      !PRODUCT (inf, N_("The weight count"), &out->weights, error, positions, d))
    return FALSE;
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, per_value, t, d))
    return FALSE;
  if (!explaining (inf))
    return TRUE;

  switch (l->encoding)
    {
    case ENVELOPE_POSITION_LEARNED:
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      envelope_format_counts (_("{} positions × {} = {}, one row per position"),
                                                              COUNTS (positions, d, out->weights)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      envelope_format_counts (_("{} × {} = {}, one addition per value"),
                                                              COUNTS (t, d, out->other_ops)));
      break;
    case ENVELOPE_POSITION_SINUSOIDAL:
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      g_strdup (_("0: the sinusoids are a fixed function of the position")));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      envelope_format_counts (_("{} × {} = {}, one addition per value"),
                                                              COUNTS (t, d, out->other_ops)));
      break;
    default:
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      g_strdup (_("0: the rotation angles are a fixed function of the position")));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      envelope_format_counts (_("3 × {} × {} = {}, two multiplications and an addition per value"),
                                                              COUNTS (t, d, out->other_ops)));
      break;
    }
  return TRUE;
}

/* Learned tokens put before the sequence (ViT's [class], DeiT's
 * distillation token): [T, D] → [T + n, D]. */
static gboolean
infer_class_token (EnvelopeInference *inf,
                   GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 n = (guint64) inf->layer->tokens, d;

  if (!require_tokens (inf, in, error))
    return FALSE;
  d = in->shape[1];
  envelope_copy_shape (out, in);
  if (!envelope_checked_sum (inf, N_("The token count"), &out->shape[0], in->shape[0], n, error) ||
      !PRODUCT (inf, N_("The weight count"), &out->weights, error, n, d))
    return FALSE;
  envelope_receptive_field_unchanged (inf, in);
  if (explaining (inf))
    {
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      envelope_format_counts (_("{} + {} tokens → {}×{}"),
                                                              COUNTS (in->shape[0], n, out->shape[0], d)));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                      envelope_format_counts (_("{} × {} = {}, one learned vector per added token"),
                                                              COUNTS (n, d, out->weights)));
    }
  return TRUE;
}

/* A map's positions, read in order, become tokens: [C, spatial…] →
 * [∏ spatial, C].  Each token still sees what its position saw. */
static gboolean
infer_to_tokens (EnvelopeInference *inf,
                 GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  out->rank = 2;
  out->layout = ENVELOPE_TENSOR_TOKENS;
  out->shape[1] = in->shape[0];
  if (!envelope_checked_product (inf, N_("The token count"), &out->shape[0], in->shape + 1, n, error))
    return FALSE;
  envelope_receptive_field_unchanged (inf, in);
  if (explaining (inf))
    {
      GString *grid = g_string_new (NULL);
      g_autofree char *positions = NULL;
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *channels = envelope_format_count (out->shape[1]);

      for (guint a = 0; a < n; a++)
        {
          if (a > 0)
            g_string_append (grid, " × ");
          envelope_format_append_count (grid, in->shape[1 + a]);
        }
      if (n > 1)
        {
          g_string_append (grid, " = ");
          envelope_format_append_count (grid, out->shape[0]);
        }
      positions = g_string_free (grid, FALSE);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf (_("%s positions, each a token of %s channels → %s"),
                                                       positions, channels, shape));
    }
  return TRUE;
}

/* Tokens laid out on a grid: [T, D] → [D, H, W] (or 1-D, 3-D) with
 * "output_size", whose positions must number T; [D, T] without it.
 * One number for "output_size" is a square grid. */
static gboolean
infer_to_map (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 t, d, sizes[ENVELOPE_MAX_SPATIAL], positions = 1;
  guint n;

  if (!require_tokens (inf, in, error))
    return FALSE;
  t = in->shape[0];
  d = in->shape[1];
  if (!(l->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OUTPUT_SIZE)))
    {
      n = 1;
      sizes[0] = t;
    }
  else
    {
      n = envelope_layer_list_length (l, ENVELOPE_FIELD_OUTPUT_SIZE);
      if (n == 0)
        n = 2;
      for (guint a = 0; a < n; a++)
        sizes[a] = (guint64) l->output_size[envelope_layer_list_length (l, ENVELOPE_FIELD_OUTPUT_SIZE) == 0 ? 0 : a];
    }
  if (!envelope_checked_product (inf, N_("The position count"), &positions, sizes, n, error))
    return FALSE;
  if (positions != t)
    {
      GString *grid = g_string_new (NULL);
      g_autofree char *text = NULL;

      for (guint a = 0; a < n; a++)
        g_string_append_printf (grid, a > 0 ? " × %" PRIu64 : "%" PRIu64, sizes[a]);
      if (n > 1)
        g_string_append_printf (grid, " = %" PRIu64, positions);
      text = g_string_free (grid, FALSE);
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, inf->layer->name, "output_size",
                            _("has %s positions, but the input has %" PRIu64 " tokens; "
                              "the grid must hold every token once"),
                            text, t);
      return FALSE;
    }
  out->rank = n + 1;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = d;
  for (guint a = 0; a < n; a++)
    out->shape[1 + a] = sizes[a];
  envelope_receptive_field_unchanged (inf, in);
  if (explaining (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *head = envelope_format_counts (_("{} tokens of {}"), COUNTS (t, d));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      n == 1 && !(l->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OUTPUT_SIZE))
                                        ? g_strdup_printf (_("%s → %s, one position per token"), head, shape)
                                        : g_strdup_printf (_("%s → %s"), head, shape));
    }
  return TRUE;
}

const EnvelopeKindRow envelope_kinds_tokens[] = {
  { { ENVELOPE_LAYER_EMBEDDING, "embedding", N_("Embedding"), ENVELOPE_CATEGORY_ATTENTION,
      F (VOCABULARY) | F (DIMENSION) | F (SHARES), F (VOCABULARY) | F (DIMENSION), 1, 1, FALSE }, infer_embedding, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_POSITION_EMBEDDING, "position_embedding", N_("Position embedding"), ENVELOPE_CATEGORY_ATTENTION,
      F (ENCODING) | F (POSITIONS), 0, 1, 1, FALSE }, infer_position_embedding, 0, SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_CLASS_TOKEN, "class_token", N_("Class token"), ENVELOPE_CATEGORY_ATTENTION,
      F (TOKENS), 0, 1, 1, FALSE }, infer_class_token, 0, SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_TO_TOKENS, "to_tokens", N_("To tokens"), ENVELOPE_CATEGORY_ATTENTION,
      0, 0, 1, 1, FALSE }, infer_to_tokens, 0, SAVES (VIEW) | SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_TO_MAP, "to_map", N_("To map"), ENVELOPE_CATEGORY_ATTENTION,
      F (OUTPUT_SIZE), 0, 1, 1, FALSE }, infer_to_map, 0, SAVES (VIEW) | SAVES (GRADIENT_PASSES) },
};
const guint envelope_n_kinds_tokens = G_N_ELEMENTS (envelope_kinds_tokens);
