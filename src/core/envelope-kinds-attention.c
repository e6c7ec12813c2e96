/* envelope-kinds-attention.c: attention, matrix products and recurrent layers
 *
 * Attention reads a sequence of tokens [T, D], or a map [C, H, W] as
 * H·W tokens of C features.  Its multiply-adds are the four projections
 * and both score products (Q·Kᵀ and scores × V); the scaling and the
 * softmax are other operations, four per score.  Causal attention is
 * counted in full: eager PyTorch computes the whole T × S square and
 * masks it.  LSTM and GRU layers read tokens one step at a time; each
 * weight is used once per step.  docs/cost-model.md holds the rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F

/* Softmax costs 3 per value (cost-model.md); the scaling of each score by
 * 1/√d one more. */
#define OPS_PER_SCORE 4

static gboolean
is_set (const EnvelopeLayer *l,
        EnvelopeField        field)
{
  return (l->set & ENVELOPE_FIELD_BIT (field)) != 0;
}

/* A sequence's tokens and features: T and D of tokens, the positions
 * and channels of a map; a vector has no tokens to attend over. */
static gboolean
read_tokens (EnvelopeInference          *inf,
             const EnvelopeLayerFigures *in,
             const char                 *which,
             guint64                    *tokens,
             guint64                    *features,
             GError                    **error)
{
  const char *id = envelope_layer_kind_get (inf->layer->type)->id;

  if (in->layout == ENVELOPE_TENSOR_VECTOR)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, inf->layer->name, "inputs",
                            _("%s layers need tokens [T, D] or a map [C, H, W], but %s is a vector of %" PRIu64 " values"),
                            id, which, in->shape[0]);
      return FALSE;
    }
  if (in->layout == ENVELOPE_TENSOR_TOKENS)
    {
      *tokens = in->shape[0];
      *features = in->shape[1];
      return TRUE;
    }
  *features = in->shape[0];
  return envelope_checked_product (inf, N_("The token count"), tokens, in->shape + 1, in->rank - 1, error);
}

/* A layer that mixes every token sees the whole input; a causal one sees
 * only the tokens up to its own, unless its input has already mixed the
 * later ones in. */
static void
receptive_field_mixed (EnvelopeInference          *inf,
                       const EnvelopeLayerFigures *in,
                       gboolean                    causal,
                       const char                 *why)
{
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;

  envelope_receptive_field_remixed (inf, in);
  rf->causal = causal && !(rin->whole_input && !rin->causal);
  if (explaining_receptive_field (inf) && rf->causal)
    {
      char *text = g_strconcat (inf->formulas[ENVELOPE_FIGURE_RECEPTIVE_FIELD], why, NULL);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, text);
    }
}

/* ------------------------------------------------------------------ */
/* attention                                                           */

static gboolean
infer_attention (EnvelopeInference *inf,
                 GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *q_in = inf->inputs[0];
  const EnvelopeLayerFigures *kv_in = inf->inputs[inf->n_inputs - 1];
  EnvelopeLayerFigures *out = inf->out;
  guint64 t = 0, d = 0, s = 0, d_kv = 0;
  guint64 h = (guint64) l->heads, k, hd;
  guint64 width_q, width_kv;            /* H·d and K·d */
  guint64 w_q, w_kv, w_o, b;
  guint64 m_q, m_kv, m_score, m_o, m;
  guint64 scores, held, kv_held;

  if (!read_tokens (inf, q_in, inf->n_inputs == 1 ? _("the input") : _("the first input (queries)"),
                    &t, &d, error) ||
      !read_tokens (inf, kv_in, inf->n_inputs == 1 ? _("the input") : _("the second input (keys and values)"),
                    &s, &d_kv, error))
    return FALSE;

  k = is_set (l, ENVELOPE_FIELD_KV_HEADS) ? (guint64) l->kv_heads : h;
  if (h % k != 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                            inf->location, inf->index, l->name, "kv_heads",
                            _("%" PRIu64 " must divide the heads (%" PRIu64 "): each key and value head serves "
                              "a group of query heads"),
                            k, h);
      return FALSE;
    }
  if (is_set (l, ENVELOPE_FIELD_HEAD_DIM))
    hd = (guint64) l->head_dim;
  else if (d % h == 0)
    hd = d / h;
  else
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                            inf->location, inf->index, l->name, "heads",
                            _("%" PRIu64 " does not divide the model width %" PRIu64 "; choose heads that do, "
                              "or set head_dim"),
                            h, d);
      return FALSE;
    }

  envelope_copy_shape (out, q_in);

  if (!PRODUCT (inf, N_("The weight count"), &width_q, error, h, hd) ||
      !PRODUCT (inf, N_("The weight count"), &width_kv, error, k, hd) ||
      !PRODUCT (inf, N_("The weight count"), &w_q, error, d, width_q) ||
      !PRODUCT (inf, N_("The weight count"), &w_kv, error, 2, d_kv, width_kv) ||
      !PRODUCT (inf, N_("The weight count"), &w_o, error, width_q, d) ||
      !envelope_checked_sum (inf, N_("The weight count"), &out->weights, w_q, w_kv, error) ||
      !envelope_checked_sum (inf, N_("The weight count"), &out->weights, out->weights, w_o, error))
    return FALSE;
  if (!PRODUCT (inf, N_("The bias count"), &b, error, 2, width_kv) ||
      !envelope_checked_sum (inf, N_("The bias count"), &b, b, width_q, error) ||
      !envelope_checked_sum (inf, N_("The bias count"), &b, b, d, error))
    return FALSE;
  out->biases = l->bias ? b : 0;

  if (!PRODUCT (inf, N_("The MAC count"), &m_q, error, t, d, width_q) ||
      !PRODUCT (inf, N_("The MAC count"), &m_kv, error, 2, s, d_kv, width_kv) ||
      !PRODUCT (inf, N_("The MAC count"), &m_score, error, h, t, s, hd) ||
      !PRODUCT (inf, N_("The MAC count"), &m_o, error, t, width_q, d) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &m, m_q, m_kv, error) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &m, m, m_score, error) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &m, m, m_score, error) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &out->macs, m, m_o, error))
    return FALSE;

  if (!PRODUCT (inf, N_("The score count"), &scores, error, h, t, s) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, OPS_PER_SCORE, scores))
    return FALSE;

  /* Q, K, V and the context before the output projection; unfused, the
   * scores too */
  if (!PRODUCT (inf, N_("The values held"), &held, error, 2, t, width_q) ||
      !PRODUCT (inf, N_("The values held"), &kv_held, error, 2, s, width_kv) ||
      !envelope_checked_sum (inf, N_("The values held"), &held, held, kv_held, error) ||
      (!l->fused && !envelope_checked_sum (inf, N_("The values held"), &held, held, scores, error)))
    return FALSE;
  out->internal = held;
  /* generating text, a causal layer keeps each token's keys and values */
  if (l->causal && !PRODUCT (inf, N_("The values held"), &inf->cache_values, error, 2, width_kv))
    return FALSE;

  /* PyTorch keeps these, and a contiguous copy of the context for the
   * output projection */
  if (!PRODUCT (inf, N_("The values held"), &inf->saved_values, error, t, width_q) ||
      !envelope_checked_sum (inf, N_("The values held"), &inf->saved_values, inf->saved_values, held, error))
    return FALSE;

  receptive_field_mixed (inf, kv_in, l->causal,
                         _(" (causal: each token sees only itself and the tokens before it)"));
  if (!explaining (inf))
    return TRUE;

  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                  envelope_format_counts (_("{} × {} × {} (Wq) + 2 × {} × {} × {} (Wk, Wv) + "
                                                            "{} × {} × {} (Wo) = {}"),
                                                          COUNTS (d, h, hd, d_kv, k, hd, h, hd, d, out->weights)));
  envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS,
                               g_strdup (_("weights = d × heads × d_head (Wq) + 2 × d_kv × kv_heads × d_head (Wk, Wv) + "
                                           "heads × d_head × d (Wo)")));
  if (l->bias)
    envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES,
                                 g_strdup (_("biases = heads × d_head + 2 × kv_heads × d_head + d")));
  envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS,
                               g_strdup (_("MACs = Q: T × d × heads × d_head; K, V: 2 × S × d_kv × kv_heads × d_head; "
                                           "Q·Kᵀ: heads × T × S × d_head; scores × V: heads × T × S × d_head; "
                                           "output: T × heads × d_head × d")));
  envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OTHER_OPS, g_strdup (_("other ops = 4 × heads × T × S")));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                  l->bias ? envelope_format_counts (_("{} × {} + 2 × {} × {} + {} = {} (bq, bk, bv, bo)"),
                                                                    COUNTS (h, hd, k, hd, d, b))
                                          : g_strdup (_("0 (bias: false)")));
  {
    g_autofree char *macs = envelope_format_counts (_("Q: {} × {} × {} × {} = {}; K, V: 2 × {} × {} × {} × {} = {}; "
                                                      "Q·Kᵀ: {} heads × {} × {} × {} = {}; "
                                                      "scores × V: {} heads × {} × {} × {} = {}; "
                                                      "output: {} × {} × {} × {} = {}; total {}"),
                                                    COUNTS (t, d, h, hd, m_q, s, d_kv, k, hd, m_kv,
                                                            h, t, s, hd, m_score, h, t, s, hd, m_score,
                                                            t, h, hd, d, m_o, out->macs));
    g_autofree char *note = l->causal
      ? envelope_format_counts (_(" (causal: the whole {} × {} square is counted, as eager PyTorch computes it "
                                  "and then masks it)"),
                                COUNTS (t, s))
      : g_strdup ("");

    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS, g_strconcat (macs, note, NULL));
  }
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                  envelope_format_counts (_("4 × {} heads × {} × {} = {} (per score: the scaling 1, "
                                                            "softmax 3)"),
                                                          COUNTS (h, t, s, out->other_ops)));
  if (q_in->layout == ENVELOPE_TENSOR_MAP)
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *head = envelope_format_counts (_("{} positions as tokens of {} features"), COUNTS (t, d));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf ("%s → %s", head, shape));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* window_attention: Swin's attention within w × w windows             */

static gboolean
infer_window_attention (EnvelopeInference *inf,
                        GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  guint64 c, height, width, heads = (guint64) l->heads, w = (guint64) l->window, shift = (guint64) l->shift;
  guint64 n, w2, windows, hd, table, w_qkv, w_proj, m_qkv, m_proj, m_attn, scores, held;
  char *text[2] = { NULL };

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  if (in->rank != 3)
    {
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);

      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, l->name, "inputs",
                            _("window_attention needs a map [C, H, W], but this one gets %s"), shape);
      return FALSE;
    }
  c = in->shape[0];
  height = in->shape[1];
  width = in->shape[2];
  if (c % heads != 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                            inf->location, inf->index, l->name, "heads",
                            _("%" PRIu64 " does not divide the channels (%" PRIu64 ")"), heads, c);
      return FALSE;
    }
  if (height % w != 0 || width % w != 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, l->name, "window",
                            _("%" PRIu64 " must divide both the height (%" PRIu64 ") and the width (%" PRIu64 ")"),
                            w, height, width);
      return FALSE;
    }
  if (shift >= w)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, l->name, "shift",
                            _("%" PRIu64 " must be smaller than the window (%" PRIu64 ")"), shift, w);
      return FALSE;
    }
  hd = c / heads;

  envelope_copy_shape (out, in);
  n = height * width;         /* no overflow: the input's activations are counted */
  w2 = w * w;
  windows = n / w2;

  if (!PRODUCT (inf, N_("The weight count"), &w_qkv, error, c, 3, c) ||
      !PRODUCT (inf, N_("The weight count"), &w_proj, error, c, c) ||
      !PRODUCT (inf, N_("The weight count"), &table, error, 2 * w - 1, 2 * w - 1, heads) ||
      !envelope_checked_sum (inf, N_("The weight count"), &out->weights, w_qkv, w_proj, error) ||
      !envelope_checked_sum (inf, N_("The weight count"), &out->weights, out->weights, table, error) ||
      !PRODUCT (inf, N_("The non-trainable count"), &out->non_trainable, error, w2, w2))
    return FALSE;
  out->biases = l->bias ? 4 * c : 0;

  if (!PRODUCT (inf, N_("The MAC count"), &m_qkv, error, n, c, 3, c) ||
      !PRODUCT (inf, N_("The MAC count"), &m_proj, error, n, c, c) ||
      !PRODUCT (inf, N_("The MAC count"), &m_attn, error, 2, windows, heads, w2, w2, hd) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &out->macs, m_qkv, m_proj, error) ||
      !envelope_checked_sum (inf, N_("The MAC count"), &out->macs, out->macs, m_attn, error))
    return FALSE;
  if (!PRODUCT (inf, N_("The score count"), &scores, error, windows, heads, w2, w2) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, OPS_PER_SCORE, scores))
    return FALSE;
  /* Q, K, V, the context and the scores (torchvision materializes them) */
  if (!PRODUCT (inf, N_("The values held"), &held, error, 4, n, c) ||
      !envelope_checked_sum (inf, N_("The values held"), &held, held, scores, error))
    return FALSE;
  out->internal = held;

  /* each token sees its window: w positions along each axis */
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < MIN (rf->n_axes, 2); a++)
    {
      const EnvelopeReceptiveField *rin = &in->receptive_field;

      rf->size[a] = rin->size[a] + (double) (w - 1) * rin->jump[a];
      if (explaining_receptive_field (inf))
        text[a] = envelope_format_reals ("{} + ({} − 1) × {} = {}",
                                         REALS (rin->size[a], (double) w, rin->jump[a], rf->size[a]));
    }
  if (!explaining_receptive_field (inf))
    return TRUE;

  if (rf->n_axes > 0)
    {
      char *sizes = envelope_join_axes (text, MIN (rf->n_axes, 2), 3);
      char *note = shift > 0 ? envelope_format_counts (_(" (windows shifted by {}: other neighbours, the same size)"),
                                                       COUNTS (shift))
                             : g_strdup ("");

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, g_strconcat (sizes, note, NULL));
      g_free (sizes);
      g_free (note);
    }
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                  envelope_format_counts (_("{} × 3 × {} (qkv) + {} × {} (proj) + "
                                                            "(2 × {} − 1)² × {} heads (relative-position bias table) = {}"),
                                                          COUNTS (c, c, c, c, w, heads, out->weights)));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                  l->bias ? envelope_format_counts (_("3 × {} + {} = {} (qkv, proj)"),
                                                                    COUNTS (c, c, out->biases))
                                          : g_strdup (_("0 (bias: false)")));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_NON_TRAINABLE,
                                  envelope_format_counts (_("{} × {} × {} × {} = {} (the relative-position index, "
                                                            "a buffer: PyTorch's parameters() leaves it out)"),
                                                          COUNTS (w, w, w, w, out->non_trainable)));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                  envelope_format_counts (_("qkv: {} × {} × 3 × {} = {}; proj: {} × {} × {} = {}; "
                                                            "attention: 2 × {} windows × {} heads × {} × {} × {} = {}; "
                                                            "total {}"),
                                                          COUNTS (n, c, c, m_qkv, n, c, c, m_proj,
                                                                  windows, heads, w2, w2, hd, m_attn, out->macs)));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                  envelope_format_counts (_("4 × {} windows × {} heads × {} × {} = {} (per score: "
                                                            "the scaling 1, softmax 3)"),
                                                          COUNTS (windows, heads, w2, w2, out->other_ops)));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* matmul: [.., n, k] × [.., k, m] → [.., n, m]                        */

static gboolean
infer_matmul (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayerFigures *a = inf->inputs[0], *b = inf->inputs[1];
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeLayerFigures *wider = b->rank > a->rank ? b : a;
  guint64 n, k, k2, m, batch = 1;
  guint lead;

  for (guint i = 0; i < 2; i++)
    if (inf->inputs[i]->rank < 2)
      {
        envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                              inf->location, inf->index, inf->layer->name, "inputs",
                              i == 0 ? _("matmul needs two axes or more in each input ([n, k] × [k, m]), "
                                         "but the first is a vector of %" PRIu64 " values")
                                     : _("matmul needs two axes or more in each input ([n, k] × [k, m]), "
                                         "but the second is a vector of %" PRIu64 " values"),
                              inf->inputs[i]->shape[0]);
        return FALSE;
      }
  n = a->shape[a->rank - 2];
  k = a->shape[a->rank - 1];
  k2 = b->shape[b->rank - 2];
  m = b->shape[b->rank - 1];
  if (k != k2)
    {
      g_autofree char *sa = envelope_format_shape (a->rank, a->shape);
      g_autofree char *sb = envelope_format_shape (b->rank, b->shape);

      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, inf->layer->name, "inputs",
                            _("matmul cannot multiply %s by %s: the first's last axis (%" PRIu64
                              ") must equal the second's next-to-last (%" PRIu64 ")"),
                            sa, sb, k, k2);
      return FALSE;
    }

  /* the leading (batch) axes broadcast by NumPy's rules */
  envelope_copy_shape (out, wider);
  lead = out->rank - 2;
  for (guint i = 1; i <= lead; i++)
    {
      guint64 *o = &out->shape[lead - i];
      guint64 va = i <= a->rank - 2 ? a->shape[a->rank - 2 - i] : 1;
      guint64 vb = i <= b->rank - 2 ? b->shape[b->rank - 2 - i] : 1;

      if (va != vb && va != 1 && vb != 1)
        {
          g_autofree char *sa = envelope_format_shape (a->rank, a->shape);
          g_autofree char *sb = envelope_format_shape (b->rank, b->shape);

          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                inf->location, inf->index, inf->layer->name, "inputs",
                                _("matmul cannot multiply %s by %s: the leading axes have %" PRIu64 " and %" PRIu64
                                  " (sizes must be equal or 1, matched from the last)"),
                                sa, sb, va, vb);
          return FALSE;
        }
      *o = MAX (va, vb);
    }
  out->shape[lead] = n;
  out->shape[lead + 1] = m;

  if (!envelope_checked_product (inf, N_("The MAC count"), &batch, out->shape, lead, error) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, batch, n, k, m))
    return FALSE;
  envelope_receptive_field_merge (inf);
  if (explaining (inf))
    {
      GString *macs = g_string_new (NULL);
      g_autofree char *sa = envelope_format_shape (a->rank, a->shape);
      g_autofree char *sb = envelope_format_shape (b->rank, b->shape);
      g_autofree char *so = envelope_format_shape (out->rank, out->shape);
      g_autofree char *tail = envelope_format_counts ("{} × {} × {} = {}", COUNTS (n, k, m, out->macs));

      for (guint i = 0; i < lead; i++)
        {
          envelope_format_append_count (macs, out->shape[i]);
          g_string_append (macs, " × ");
        }
      g_string_append (macs, tail);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS, g_string_free (macs, FALSE));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf ("%s × %s → %s", sa, sb, so));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* lstm and gru                                                        */

/* "4 gates × 256 × (100 + 256) = 364,544", "… × 2 directions = …" */
static char *
explain_gate_weights (guint64 gates,
                      guint64 hidden,
                      guint64 d_in,
                      guint64 dirs,
                      guint64 result)
{
  return dirs == 1
    ? envelope_format_counts (_("{} gates × {} × ({} + {}) = {}"), COUNTS (gates, hidden, d_in, hidden, result))
    : envelope_format_counts (_("{} gates × {} × ({} + {}) × {} directions = {}"),
                              COUNTS (gates, hidden, d_in, hidden, dirs, result));
}

static gboolean
infer_recurrent (EnvelopeInference *inf,
                 GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  gboolean lstm = l->type == ENVELOPE_LAYER_LSTM;
  guint64 gates = lstm ? 4 : 3;
  guint64 ops_per_unit = lstm ? 9 : 8;
  guint64 hidden = (guint64) l->hidden, layers = (guint64) l->layers;
  guint64 dirs = l->bidirectional ? 2 : 1;
  guint64 vectors = l->bias_convention == ENVELOPE_BIAS_CONVENTION_SINGLE ? 1 : 2;
  guint64 t, d, width, first, rest = 0, b;

  if (in->layout != ENVELOPE_TENSOR_TOKENS)
    {
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);

      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, l->name, "inputs",
                            _("%s layers need a sequence of tokens [T, D], but this one gets %s"),
                            envelope_layer_kind_get (l->type)->id, shape);
      return FALSE;
    }
  t = in->shape[0];
  d = in->shape[1];

  /* layer 1 reads D features; the later ones the directions' outputs */
  if (!PRODUCT (inf, N_("The weight count"), &width, error, dirs, hidden) ||
      !envelope_checked_sum (inf, N_("The weight count"), &first, d, hidden, error) ||
      !PRODUCT (inf, N_("The weight count"), &first, error, gates, hidden, first, dirs) ||
      !envelope_checked_sum (inf, N_("The weight count"), &rest, width, hidden, error) ||
      !PRODUCT (inf, N_("The weight count"), &rest, error, gates, hidden, rest, dirs) ||
      !PRODUCT (inf, N_("The weight count"), &out->weights, error, rest, layers - 1) ||
      !envelope_checked_sum (inf, N_("The weight count"), &out->weights, out->weights, first, error) ||
      !PRODUCT (inf, N_("The bias count"), &b, error, gates, hidden, vectors, dirs, layers) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, t, out->weights) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, t, layers, dirs, ops_per_unit, hidden) ||
      !PRODUCT (inf, N_("The values held"), &out->internal, error, layers - 1, t, width))
    return FALSE;
  out->biases = l->bias ? b : 0;

  if (l->sequences)
    {
      out->rank = 2;
      out->layout = ENVELOPE_TENSOR_TOKENS;
      out->shape[0] = t;
      out->shape[1] = width;
    }
  else
    {
      out->rank = 1;
      out->layout = ENVELOPE_TENSOR_VECTOR;
      out->shape[0] = width;
    }
  /* one direction's every step has seen the steps before it; the last
   * step, or the backward direction, has seen them all */
  receptive_field_mixed (inf, in, dirs == 1 && l->sequences,
                         _(" (causal: each step sees only the tokens up to its own)"));
  if (!explaining (inf))
    return TRUE;

  {
    g_autofree char *one = explain_gate_weights (gates, hidden, d, dirs, first);
    g_autofree char *later = explain_gate_weights (gates, hidden, width, dirs, rest);
    char *text;

    if (layers == 1)
      text = g_steal_pointer (&one);
    else
      {
        g_autofree char *total = envelope_format_counts ("{}", COUNTS (out->weights));

        text = layers == 2
          ? g_strdup_printf (_("layer 1: %s; layer 2: %s; total %s"), one, later, total)
          : g_strdup_printf (_("layer 1: %s; layers 2 to %" PRIu64 ", each: %s; total %s"),
                             one, layers, later, total);
      }
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, text);
  }
  if (l->bias)
    {
      GString *text = g_string_new (NULL);
      g_autofree char *head = envelope_format_counts (vectors == 2 ? _("{} gates × {} × 2 (b_ih and b_hh)")
                                                                   : _("{} gates × {} × 1 (one bias vector)"),
                                                      COUNTS (gates, hidden));

      g_string_append (text, head);
      if (dirs > 1)
        g_string_append (text, _(" × 2 directions"));
      if (layers > 1)
        {
          g_autofree char *more = envelope_format_counts (_(" × {} layers"), COUNTS (layers));
          g_string_append (text, more);
        }
      g_string_append (text, " = ");
      envelope_format_append_count (text, out->biases);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES, g_string_free (text, FALSE));
    }
  else
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("0 (bias: false)")));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                  envelope_format_counts (_("{} steps × {} = {} (each weight once per step)"),
                                                          COUNTS (t, out->weights, out->macs)));
  {
    GString *text = g_string_new (NULL);
    g_autofree char *steps = envelope_format_counts (_("{} steps"), COUNTS (t));
    g_autofree char *tail = envelope_format_counts (" × {} × {} = {} ", COUNTS (ops_per_unit, hidden, out->other_ops));

    g_string_append (text, steps);
    if (layers > 1)
      {
        g_autofree char *more = envelope_format_counts (_(" × {} layers"), COUNTS (layers));
        g_string_append (text, more);
      }
    if (dirs > 1)
      g_string_append (text, _(" × 2 directions"));
    g_string_append (text, tail);
    g_string_append (text, lstm ? _("(per unit and step: 4 gate nonlinearities, the cell's tanh, 3 products, 1 sum)")
                                : _("(per unit and step: 3 gate nonlinearities, 4 products and differences, 1 sum)"));
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, g_string_free (text, FALSE));
  }
  {
    g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
    g_autofree char *head = NULL;

    if (l->sequences)
      head = dirs == 1 ? envelope_format_counts (_("{} steps of {}"), COUNTS (t, hidden))
                       : envelope_format_counts (_("{} steps of 2 directions × {} = {}"), COUNTS (t, hidden, width));
    else
      head = dirs == 1 ? g_strdup (_("the last step's state"))
                       : envelope_format_counts (_("the last states of 2 directions × {} = {}"), COUNTS (hidden, width));
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", head, shape));
  }
  return TRUE;
}

const EnvelopeKindRow envelope_kinds_attention[] = {
  { { ENVELOPE_LAYER_ATTENTION, "attention", N_("Attention"), ENVELOPE_CATEGORY_ATTENTION,
      F (HEADS) | F (KV_HEADS) | F (HEAD_DIM) | F (CAUSAL) | F (BIAS) | F (FUSED), F (HEADS), 1, 2, FALSE },
    infer_attention, 0, SAVES (INPUTS) | SAVES (HELD) },
  { { ENVELOPE_LAYER_WINDOW_ATTENTION, "window_attention", N_("Window attention"), ENVELOPE_CATEGORY_ATTENTION,
      F (HEADS) | F (WINDOW) | F (SHIFT) | F (BIAS), F (HEADS) | F (WINDOW), 1, 1, FALSE },
    infer_window_attention, 0, SAVES (INPUT) | SAVES (HELD) },
  { { ENVELOPE_LAYER_MATMUL, "matmul", N_("Matrix product"), ENVELOPE_CATEGORY_ARITHMETIC,
      0, 0, 2, 2, FALSE }, infer_matmul, 0, SAVES (INPUTS) },
  { { ENVELOPE_LAYER_LSTM, "lstm", N_("LSTM"), ENVELOPE_CATEGORY_RECURRENT,
      F (HIDDEN) | F (LAYERS) | F (BIDIRECTIONAL) | F (BIAS) | F (BIAS_CONVENTION) | F (SEQUENCES), F (HIDDEN), 1, 1, FALSE },
    infer_recurrent, 0, SAVES (INPUT) | SAVES (HELD) | SAVES (OUTPUT) },
  { { ENVELOPE_LAYER_GRU, "gru", N_("GRU"), ENVELOPE_CATEGORY_RECURRENT,
      F (HIDDEN) | F (LAYERS) | F (BIDIRECTIONAL) | F (BIAS) | F (BIAS_CONVENTION) | F (SEQUENCES), F (HIDDEN), 1, 1, FALSE },
    infer_recurrent, 0, SAVES (INPUT) | SAVES (HELD) | SAVES (OUTPUT) },
};
const guint envelope_n_kinds_attention = G_N_ELEMENTS (envelope_kinds_attention);
