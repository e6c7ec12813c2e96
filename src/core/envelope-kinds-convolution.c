/* envelope-kinds-convolution.c: the input, convolutions, pooling and dense
 *
 * Windows slide over the 1, 2 or 3 spatial axes of a map ([C, L],
 * [C, H, W], [C, D, H, W]); each axis follows the rules of
 * docs/cost-model.md on its own.  Dense reads a vector, flattens a map,
 * and acts on each token of a sequence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F
#define CONV_FIELDS (F (FILTERS) | F (KERNEL) | F (STRIDE) | F (PADDING) | F (DILATION) | F (GROUPS) | F (BIAS) | F (SHARES))
#define POOL_FIELDS (F (KERNEL) | F (STRIDE) | F (PADDING) | F (ROUNDING))

typedef struct
{
  guint64 in, k, s, d, k_eff;
  gint64 pb, pa;
  guint64 out;
  char *formula;
} Axis;

static void
axes_clear (Axis *ax)
{
  for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
    g_clear_pointer (&ax[a].formula, g_free);
}

/* Output size of one axis of a convolution or pooling window, by the
 * rules of docs/cost-model.md: floor or ceil rounding (the last window
 * must start inside the input or the left padding), or TensorFlow's
 * "same". */
static gboolean
axis_forward (EnvelopeInference *inf,
              guint              a,
              guint              n_axes,
              guint64            in,
              guint64            k,
              guint64            s,
              guint64            d,
              Axis              *ax,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  guint64 k_eff = 0;
  guint64 padded;
  g_autofree char *k_note = NULL;

  memset (ax, 0, sizeof *ax);
  if (!PRODUCT (inf, N_("The dilated kernel"), &k_eff, error, d, k - 1) ||
      !envelope_checked_sum (inf, N_("The dilated kernel"), &k_eff, k_eff, 1, error))
    return FALSE;
  ax->in = in;
  ax->k = k;
  ax->s = s;
  ax->d = d;
  ax->k_eff = k_eff;

  if (explaining (inf) && d > 1)
    k_note = envelope_format_counts (" (dilated kernel {} × ({} − 1) + 1 = {})", COUNTS (d, k, k_eff));

  if (l->padding_mode == ENVELOPE_PADDING_SAME)
    {
      guint64 total;

      ax->out = in / s + (in % s != 0);
      if (!PRODUCT (inf, N_("The padding"), &total, error, ax->out - 1, s) ||
          !envelope_checked_sum (inf, N_("The padding"), &total, total, k_eff, error))
        return FALSE;
      total = total > in ? total - in : 0;
      ax->pb = (gint64) (total / 2);
      ax->pa = (gint64) (total - total / 2);
      if (explaining (inf))
        ax->formula = envelope_format_counts ("⌈{} / {}⌉ = {} (\"same\": pad {} + {})",
                                              COUNTS (in, s, ax->out, (guint64) ax->pb, (guint64) ax->pa));
      goto note;
    }

  if (l->padding_mode == ENVELOPE_PADDING_EXPLICIT)
    ax->pb = ax->pa = l->padding[a];

  padded = in;
  if (!envelope_checked_sum (inf, N_("The padded input"), &padded, padded, (guint64) ax->pb, error) ||
      !envelope_checked_sum (inf, N_("The padded input"), &padded, padded, (guint64) ax->pa, error))
    return FALSE;
  if (padded < k_eff)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                            inf->location, inf->index, l->name, "kernel",
                            _("%" PRIu64 " is larger than the padded input: "
                              "%s %" PRIu64 " + padding %" PRId64 " + %" PRId64
                              " = %" PRIu64 ", so the output %s would be below 1"),
                            k_eff, envelope_axis_name (a, n_axes), in, ax->pb, ax->pa, padded,
                            envelope_axis_name (a, n_axes));
      return FALSE;
    }

  if (l->rounding == ENVELOPE_ROUNDING_CEIL)
    {
      gboolean trimmed = FALSE;

      ax->out = (padded - k_eff) / s + ((padded - k_eff) % s != 0) + 1;
      if ((ax->out - 1) * s >= in + (guint64) ax->pb)
        {
          ax->out--;
          trimmed = TRUE;
        }
      if (explaining (inf))
        ax->formula = envelope_format_counts (trimmed
                                                ? "⌈({} + {} + {} − {}) / {}⌉ + 1 − 1 = {} (the last window would start in the right padding)"
                                                : "⌈({} + {} + {} − {}) / {}⌉ + 1 = {}",
                                              COUNTS (in, (guint64) ax->pb, (guint64) ax->pa, k_eff, s, ax->out));
    }
  else
    {
      ax->out = (padded - k_eff) / s + 1;
      if (explaining (inf))
        ax->formula = envelope_format_counts ("⌊({} + {} + {} − {}) / {}⌋ + 1 = {}",
                                              COUNTS (in, (guint64) ax->pb, (guint64) ax->pa, k_eff, s, ax->out));
    }
note:
  if (k_note != NULL)
    {
      char *with_note = g_strconcat (ax->formula, k_note, NULL);
      g_free (ax->formula);
      ax->formula = with_note;
    }
  return TRUE;
}

/* "H_out × W_out" in brackets when there is more than one axis, as
 * append_product() writes the numbers. */
static char *
symbol_product (const char *stem,
                const char *suffix,
                guint       n)
{
  g_autofree char *symbols = envelope_axis_symbols (stem, suffix, n, " × ");

  return n > 1 ? g_strdup_printf ("(%s)", symbols) : g_steal_pointer (&symbols);
}

static gboolean
any_dilated (const Axis *ax,
             guint       n)
{
  for (guint a = 0; a < n; a++)
    if (ax[a].d > 1)
      return TRUE;
  return FALSE;
}

static void
explain_output_shape (EnvelopeInference *inf,
                      Axis              *ax,
                      guint              n_axes)
{
  EnvelopeLayerFigures *out = inf->out;
  g_autofree char *shape = NULL;
  char *texts[ENVELOPE_MAX_SPATIAL];
  char *axes;

  if (!explaining (inf))
    return;
  shape = envelope_format_shape (out->rank, out->shape);
  for (guint a = 0; a < n_axes; a++)
    texts[a] = g_steal_pointer (&ax[a].formula);
  axes = envelope_join_axes (texts, n_axes, out->rank);
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strconcat (axes, " → ", shape, NULL));
  g_free (axes);
  if (inf->layer->rounding == ENVELOPE_ROUNDING_CEIL)
    envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                 g_strdup (any_dilated (ax, n_axes)
                                             ? _("out = ⌈(in + pad_before + pad_after − k_eff) / stride⌉ + 1, "
                                                 "k_eff = dilation × (kernel − 1) + 1")
                                             : _("out = ⌈(in + pad_before + pad_after − kernel) / stride⌉ + 1")));
  else
    envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                 g_strdup (any_dilated (ax, n_axes)
                                             ? _("out = ⌊(in + pad_before + pad_after − k_eff) / stride⌋ + 1, "
                                                 "k_eff = dilation × (kernel − 1) + 1")
                                             : _("out = ⌊(in + pad_before + pad_after − kernel) / stride⌋ + 1")));
}

/* The receptive-field recurrence through a window of k_eff, stride s. */
static void
receptive_field_forward (EnvelopeInference            *inf,
                         const EnvelopeReceptiveField *in,
                         const Axis                   *ax,
                         guint                         n_axes)
{
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  char *text[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  guint n = MIN (n_axes, in->n_axes);
  guint n_texts = 1;         /* axes with texts of their own: one while all are alike */

  *rf = *in;
  rf->misaligned = FALSE;
  for (guint a = 0; a < n; a++)
    {
      double k_eff = (double) ax[a].k_eff;
      double s = (double) ax[a].s;
      double pb = (double) ax[a].pb;

      rf->size[a] = in->size[a] + (k_eff - 1) * in->jump[a];
      rf->jump[a] = in->jump[a] * s;
      rf->start[a] = in->start[a] + ((k_eff - 1) / 2 - pb) * in->jump[a];
      /* an axis worked out as the first was has the first's texts, which
       * envelope_join_axes() would write once */
      if (n_texts == 1 && a > 0 &&
          (ax[a].k_eff != ax[0].k_eff || ax[a].s != ax[0].s || ax[a].pb != ax[0].pb ||
           in->size[a] != in->size[0] || in->jump[a] != in->jump[0] || in->start[a] != in->start[0]))
        {
          /* the axes differ after all: each has its own */
          for (guint b = 1; b < a; b++)
            for (guint f = 0; f < 3; f++)
              text[f][b] = g_strdup (text[f][0]);
          n_texts = n;
        }
      if (explaining_receptive_field (inf) && (a == 0 || n_texts > 1))
        {
          text[0][a] = envelope_format_reals ("{} + ({} − 1) × {} = {}",
                                              REALS (in->size[a], k_eff, in->jump[a], rf->size[a]));
          text[1][a] = envelope_format_reals ("{} × {} = {}", REALS (in->jump[a], s, rf->jump[a]));
          text[2][a] = envelope_format_reals ("{} + (({} − 1) / 2 − {}) × {} = {}",
                                              REALS (in->start[a], k_eff, pb, in->jump[a], rf->start[a]));
        }
    }
  if (explaining_receptive_field (inf) && n > 0)
    {
      gboolean dilated = any_dilated (ax, n);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                                      envelope_join_axes (text[0], n_texts, n + 1));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_JUMP, envelope_join_axes (text[1], n_texts, n + 1));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_START, envelope_join_axes (text[2], n_texts, n + 1));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                                   g_strdup (dilated ? _("r = r_in + (k_eff − 1) × j_in")
                                                     : _("r = r_in + (kernel − 1) × j_in")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_JUMP, g_strdup (_("j = j_in × stride")));
      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_START,
                                   g_strdup (dilated ? _("start = start_in + ((k_eff − 1) / 2 − pad_before) × j_in")
                                                     : _("start = start_in + ((kernel − 1) / 2 − pad_before) × j_in")));
    }
}

static gboolean
check_groups (EnvelopeInference *inf,
              guint64            c_in,
              guint64            c_out,
              GError           **error)
{
  guint64 g = (guint64) inf->layer->groups;

  if (c_in % g == 0 && c_out % g == 0)
    return TRUE;
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                        inf->location, inf->index, inf->layer->name, "groups",
                        _("%" PRIu64 " must divide both the input channels (%" PRIu64
                          ") and the filters (%" PRIu64 ")"),
                        g, c_in, c_out);
  return FALSE;
}

/* The window settings must have one entry per spatial axis (or one for
 * all). */
static gboolean
check_window_lists (EnvelopeInference *inf,
                    guint              n_axes,
                    GError           **error)
{
  static const EnvelopeField fields[] = {
    ENVELOPE_FIELD_KERNEL, ENVELOPE_FIELD_STRIDE, ENVELOPE_FIELD_DILATION,
    ENVELOPE_FIELD_PADDING, ENVELOPE_FIELD_OUTPUT_PADDING,
  };
  const EnvelopeLayer *l = inf->layer;
  guint64 accepted;

  /* the common case, an image with settings of one number or [h, w] */
  if (n_axes == 2)
    {
      gboolean plain = TRUE;

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        plain &= ENVELOPE_LAYER_LENGTH (l, fields[i]) == 0 || ENVELOPE_LAYER_LENGTH (l, fields[i]) == 2;
      if (plain)
        return TRUE;
    }
  accepted = envelope_layer_kind_get (l->type)->fields;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if ((accepted & ENVELOPE_FIELD_BIT (fields[i])) &&
        !envelope_check_list_length (inf, fields[i], n_axes, error))
      return FALSE;
  return TRUE;
}

/* The spatial axes a window slides over, for convolution and pooling:
 * the input must be a map, and each window setting one value or one per
 * axis. */
static gboolean
window_axes (EnvelopeInference *inf,
             guint             *n_axes,
             GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  *n_axes = envelope_spatial_axes (in);
  return check_window_lists (inf, *n_axes, error);
}

/* "(3 × 3)", "(3 × 3 × 3)", or "3" for a 1-D kernel. */
static void
append_product (GString       *out,
                const guint64 *values,
                guint          n)
{
  if (n > 1)
    g_string_append_c (out, '(');
  for (guint a = 0; a < n; a++)
    {
      if (a > 0)
        envelope_string_add (out, " × ");
      envelope_format_append_count (out, values[a]);
    }
  if (n > 1)
    g_string_append_c (out, ')');
}

static void
append_factors (GString       *out,
                const guint64 *values,
                guint          n)
{
  for (guint a = 0; a < n; a++)
    {
      envelope_format_append_count (out, values[a]);
      envelope_string_add (out, " × ");
    }
}

/* ------------------------------------------------------------------ */

static gboolean
infer_input (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;

  out->rank = l->shape_rank;
  for (guint i = 0; i < l->shape_rank; i++)
    out->shape[i] = (guint64) l->shape[i];
  if (l->shape_rank == 1)
    out->layout = ENVELOPE_TENSOR_VECTOR;
  else if (l->shape_rank == 2 && l->layout == ENVELOPE_SHAPE_TOKENS)
    out->layout = ENVELOPE_TENSOR_TOKENS;
  else
    out->layout = ENVELOPE_TENSOR_MAP;

  rf->n_axes = out->layout == ENVELOPE_TENSOR_MAP ? out->rank - 1 : out->layout == ENVELOPE_TENSOR_TOKENS ? 1 : 0;
  for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
    {
      rf->size[a] = 1;
      rf->jump[a] = 1;
      rf->start[a] = 0.5;
    }
  if (explaining_receptive_field (inf))
    {
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                                      g_strdup (out->layout == ENVELOPE_TENSOR_TOKENS
                                                  ? _("1: each value is one input token")
                                                  : _("1: each value is one input pixel")));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_JUMP, g_strdup ("1"));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_START,
                                      g_strdup (out->layout == ENVELOPE_TENSOR_TOKENS
                                                  ? _("0.5: the centre of the first token")
                                                  : _("0.5: the centre of the first pixel")));
    }
  return TRUE;
}

static gboolean
infer_conv (EnvelopeInference *inf,
            GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 c_in, c_out, g, c_per_group, kernel[ENVELOPE_MAX_SPATIAL], outs[ENVELOPE_MAX_SPATIAL];
  guint64 k_volume = 1, out_volume = 1;
  Axis ax[ENVELOPE_MAX_SPATIAL] = { { 0 } };
  guint n;

  if (!window_axes (inf, &n, error))
    return FALSE;
  c_in = in->shape[0];
  c_out = (guint64) l->filters;
  g = (guint64) l->groups;
  if (!check_groups (inf, c_in, c_out, error))
    return FALSE;
  c_per_group = c_in / g;

  for (guint a = 0; a < n; a++)
    {
      if (!axis_forward (inf, a, n, in->shape[1 + a], (guint64) l->kernel[a], (guint64) l->stride[a],
                         (guint64) l->dilation[a], &ax[a], error))
        {
          axes_clear (ax);
          return FALSE;
        }
      kernel[a] = (guint64) l->kernel[a];
      outs[a] = ax[a].out;
      if (!PRODUCT (inf, N_("The weight count"), &k_volume, error, k_volume, kernel[a]) ||
          !PRODUCT (inf, N_("The activation count"), &out_volume, error, out_volume, outs[a]))
        {
          axes_clear (ax);
          return FALSE;
        }
    }

  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = c_out;
  for (guint a = 0; a < n; a++)
    {
      out->shape[1 + a] = ax[a].out;
      envelope_inference_set_padding (inf, a, ax[a].pb, ax[a].pa);
    }

  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, c_out, k_volume, c_per_group) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, out_volume, c_per_group, c_out, k_volume) ||
      !PRODUCT (inf, N_("The im2col workspace"), &out->workspace, error, out_volume, k_volume, c_per_group))
    {
      axes_clear (ax);
      return FALSE;
    }
  out->biases = l->bias ? c_out : 0;

  receptive_field_forward (inf, &in->receptive_field, ax, n);
  if (explaining (inf))
    {
      GString *weights = envelope_scratch_new (), *macs = envelope_scratch_new (), *work = envelope_scratch_new ();

      /* weights: C_out × (k_h × k_w) × C_in [/ groups] */
      envelope_format_append_count (weights, c_out);
      envelope_string_add (weights, " × ");
      append_product (weights, kernel, n);
      envelope_string_add (weights, " × ");
      envelope_format_append_count (weights, c_in);
      if (g != 1)
        {
          envelope_string_add (weights, " / ");
          envelope_format_append_count (weights, g);
        }
      /* MACs: H_out × W_out × C_in [/ groups] × C_out × k_h × k_w */
      append_factors (macs, outs, n);
      if (g == 1)
        envelope_format_append_count (macs, c_in);
      else
        {
          g_string_append_c (macs, '(');
          envelope_format_append_count (macs, c_in);
          envelope_string_add (macs, " / ");
          envelope_format_append_count (macs, g);
          g_string_append_c (macs, ')');
        }
      envelope_string_add (macs, " × ");
      envelope_format_append_count (macs, c_out);
      for (guint a = 0; a < n; a++)
        {
          envelope_string_add (macs, " × ");
          envelope_format_append_count (macs, kernel[a]);
        }
      /* workspace: (H_out × W_out) × (k_h × k_w × C_in [/ groups]) */
      append_product (work, outs, n);
      envelope_string_add (work, " × (");
      append_factors (work, kernel, n);
      envelope_format_append_count (work, c_in);
      if (g != 1)
        {
          envelope_string_add (work, " / ");
          envelope_format_append_count (work, g);
        }
      g_string_append_c (work, ')');

      envelope_string_add (weights, " = ");
      envelope_format_append_count (weights, out->weights);
      envelope_string_add (macs, " = ");
      envelope_format_append_count (macs, out->macs);
      envelope_string_add (work, " = ");
      envelope_format_append_count (work, out->workspace);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, envelope_scratch_free (weights));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS, envelope_scratch_free (macs));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WORKSPACE, envelope_scratch_free (work));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                      l->bias ? envelope_format_counts (_("{}, one per filter"), COUNTS (c_out))
                                              : g_strdup (_("0 (bias: false)")));
      /* the rules, term for term as the numbers above are written */
      if (explaining_rules (inf))
        {
          g_autofree char *kernel_product = symbol_product ("kernel", NULL, n);
          g_autofree char *outputs = envelope_axis_symbols (NULL, "_out", n, " × ");
          g_autofree char *output_product = symbol_product (NULL, "_out", n);
          g_autofree char *k = envelope_axis_symbols ("k", NULL, n, " × ");

          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS,
                                       g_strdup_printf (g != 1 ? _("weights = depth_n × %s × depth_(n−1) / groups")
                                                               : _("weights = depth_n × %s × depth_(n−1)"), kernel_product));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS,
                                       g_strdup_printf (g != 1 ? _("MACs = %s × (C_in / groups) × C_out × %s")
                                                               : _("MACs = %s × C_in × C_out × %s"), outputs, k));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WORKSPACE,
                                       g_strdup_printf (g != 1 ? _("workspace = %s × (%s × C_in / groups)")
                                                               : _("workspace = %s × (%s × C_in)"), output_product, k));
          if (l->bias)
            envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("biases = depth_n")));
        }
    }
  explain_output_shape (inf, ax, n);
  return TRUE;
}

static gboolean
infer_deconv (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  guint64 c_in, c_out, g, kernel[ENVELOPE_MAX_SPATIAL], ins[ENVELOPE_MAX_SPATIAL];
  guint64 k_volume = 1, in_volume = 1;
  char *text[4][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  guint n;

  if (!window_axes (inf, &n, error))
    return FALSE;
  c_in = in->shape[0];
  c_out = (guint64) l->filters;
  g = (guint64) l->groups;
  if (!check_groups (inf, c_in, c_out, error))
    return FALSE;

  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = c_out;
  *rf = *rin;
  rf->misaligned = FALSE;
  for (guint a = 0; a < n; a++)
    {
      guint64 i = in->shape[1 + a];
      guint64 s = (guint64) l->stride[a];
      guint64 d = (guint64) l->dilation[a];
      guint64 op = (guint64) l->output_padding[a];
      guint64 k_eff = 0, grown = 0, removed = 0;
      gint64 pb = 0, pa = 0;

      kernel[a] = (guint64) l->kernel[a];
      ins[a] = i;
      if (!PRODUCT (inf, N_("The dilated kernel"), &k_eff, error, d, kernel[a] - 1))
        goto fail;
      k_eff += 1;
      if (op >= s && op >= d)
        {
          envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE,
                                inf->location, inf->index, l->name, "output_padding",
                                _("%" PRIu64 " must be smaller than the stride or the dilation"), op);
          goto fail;
        }
      if (l->padding_mode == ENVELOPE_PADDING_SAME)
        {
          guint64 total = k_eff > s ? k_eff - s : 0;
          pb = (gint64) (total / 2);
          pa = (gint64) (total - total / 2);
        }
      else if (l->padding_mode == ENVELOPE_PADDING_EXPLICIT)
        pb = pa = l->padding[a];

      if (!PRODUCT (inf, N_("The output size"), &grown, error, i - 1, s) ||
          !envelope_checked_sum (inf, N_("The output size"), &grown, grown, k_eff, error) ||
          !envelope_checked_sum (inf, N_("The output size"), &grown, grown, op, error) ||
          !envelope_checked_sum (inf, N_("The padding"), &removed, (guint64) pb, (guint64) pa, error) ||
          !PRODUCT (inf, N_("The weight count"), &k_volume, error, k_volume, kernel[a]) ||
          !PRODUCT (inf, N_("The MAC count"), &in_volume, error, in_volume, i))
        goto fail;
      if (grown <= removed)
        {
          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                                inf->location, inf->index, l->name, "padding",
                                _("%" PRId64 " + %" PRId64 " removes the whole output %s "
                                  "(%" PRIu64 "), so it would be below 1"),
                                pb, pa, envelope_axis_name (a, n), grown);
          goto fail;
        }
      out->shape[1 + a] = grown - removed;
      envelope_inference_set_padding (inf, a, pb, pa);

      if (a < rin->n_axes)
        {
          rf->jump[a] = rin->jump[a] / (double) s;
          rf->size[a] = rin->size[a] + ((double) k_eff - 1) * rf->jump[a];
          rf->start[a] = rin->start[a] + ((double) pb - ((double) k_eff - 1) / 2) * rf->jump[a];
        }
      if (explaining_receptive_field (inf))
        {
          text[0][a] = envelope_format_counts ("({} − 1) × {} − {} − {} + {} + {} = {}",
                                               COUNTS (i, s, (guint64) pb, (guint64) pa, k_eff, op, out->shape[1 + a]));
          text[1][a] = envelope_format_reals ("{} + ({} − 1) × {} = {}",
                                              REALS (rin->size[a], (double) k_eff, rf->jump[a], rf->size[a]));
          text[2][a] = envelope_format_reals ("{} / {} = {}", REALS (rin->jump[a], (double) s, rf->jump[a]));
          text[3][a] = envelope_format_reals ("{} + ({} − ({} − 1) / 2) × {} = {}",
                                              REALS (rin->start[a], (double) pb, (double) k_eff, rf->jump[a], rf->start[a]));
        }
    }

  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, c_in, k_volume, c_out / g) ||
      !PRODUCT (inf, N_("The MAC count"), &out->macs, error, in_volume, c_in, c_out / g, k_volume) ||
      !PRODUCT (inf, N_("The col2im workspace"), &out->workspace, error, in_volume, k_volume, c_out / g))
    goto fail;
  out->biases = l->bias ? c_out : 0;

  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      char *axes = envelope_join_axes (text[0], n, out->rank);
      GString *weights = envelope_scratch_new (), *macs = envelope_scratch_new (), *work = envelope_scratch_new ();

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
      g_free (axes);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, envelope_join_axes (text[1], n, out->rank));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_JUMP, envelope_join_axes (text[2], n, out->rank));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_START, envelope_join_axes (text[3], n, out->rank));

      envelope_format_append_count (weights, c_in);
      envelope_string_add (weights, " × ");
      append_product (weights, kernel, n);
      envelope_string_add (weights, " × ");
      envelope_format_append_count (weights, c_out);
      if (g != 1)
        {
          envelope_string_add (weights, " / ");
          envelope_format_append_count (weights, g);
        }
      envelope_string_add (weights, " = ");
      envelope_format_append_count (weights, out->weights);

      append_factors (macs, ins, n);
      envelope_format_append_count (macs, c_in);
      envelope_string_add (macs, " × ");
      if (g == 1)
        envelope_format_append_count (macs, c_out);
      else
        {
          g_string_append_c (macs, '(');
          envelope_format_append_count (macs, c_out);
          envelope_string_add (macs, " / ");
          envelope_format_append_count (macs, g);
          g_string_append_c (macs, ')');
        }
      for (guint a = 0; a < n; a++)
        {
          envelope_string_add (macs, " × ");
          envelope_format_append_count (macs, kernel[a]);
        }
      envelope_string_add (macs, " = ");
      envelope_format_append_count (macs, out->macs);

      append_product (work, ins, n);
      envelope_string_add (work, " × (");
      append_factors (work, kernel, n);
      envelope_format_append_count (work, c_out / g);
      envelope_string_add (work, ") = ");
      envelope_format_append_count (work, out->workspace);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, envelope_scratch_free (weights));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS, envelope_scratch_free (macs));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WORKSPACE, envelope_scratch_free (work));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                      l->bias ? envelope_format_counts (_("{}, one per filter"), COUNTS (c_out))
                                              : g_strdup (_("0 (bias: false)")));
      /* the rules: each input value spreads over a kernel window of the output */
      if (explaining_rules (inf))
        {
          g_autofree char *kernel_product = symbol_product ("k", NULL, n);
          g_autofree char *inputs = envelope_axis_symbols (NULL, "_in", n, " × ");
          g_autofree char *input_product = symbol_product (NULL, "_in", n);
          g_autofree char *k = envelope_axis_symbols ("k", NULL, n, " × ");

          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                       g_strdup (_("out = (in − 1) × stride − pad_before − pad_after + k_eff + output_padding")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, g_strdup (_("r = r_in + (k_eff − 1) × j")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_JUMP, g_strdup (_("j = j_in / stride")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_START,
                                       g_strdup (_("start = start_in + (pad_before − (k_eff − 1) / 2) × j")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS,
                                       g_strdup_printf (g != 1 ? _("weights = C_in × %s × C_out / groups")
                                                               : _("weights = C_in × %s × C_out"), kernel_product));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS,
                                       g_strdup_printf (g != 1 ? _("MACs = %s × C_in × (C_out / groups) × %s")
                                                               : _("MACs = %s × C_in × C_out × %s"), inputs, k));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WORKSPACE,
                                       g_strdup_printf (g != 1 ? _("workspace = %s × (%s × C_out / groups)")
                                                               : _("workspace = %s × (%s × C_out)"), input_product, k));
          if (l->bias)
            envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("biases = C_out")));
        }
    }
  return TRUE;

fail:
  for (guint f = 0; f < 4; f++)
    for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
      g_free (text[f][a]);
  return FALSE;
}

static gboolean
infer_pool (EnvelopeInference *inf,
            GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 kernel[ENVELOPE_MAX_SPATIAL], window = 1, outputs = 0;
  Axis ax[ENVELOPE_MAX_SPATIAL] = { { 0 } };
  guint n;

  if (!window_axes (inf, &n, error))
    return FALSE;
  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = in->shape[0];
  for (guint a = 0; a < n; a++)
    {
      /* pooling's stride defaults to its kernel */
      guint64 s = (l->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)) ? (guint64) l->stride[a] : (guint64) l->kernel[a];

      kernel[a] = (guint64) l->kernel[a];
      if (!axis_forward (inf, a, n, in->shape[1 + a], kernel[a], s, 1, &ax[a], error) ||
          !PRODUCT (inf, N_("The other operations"), &window, error, window, kernel[a]))
        {
          axes_clear (ax);
          return FALSE;
        }
      out->shape[1 + a] = ax[a].out;
      envelope_inference_set_padding (inf, a, ax[a].pb, ax[a].pa);
    }
  if (!envelope_checked_product (inf, N_("The activation count"), &outputs, out->shape, out->rank, error) ||
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, window, outputs))
    {
      axes_clear (ax);
      return FALSE;
    }
  receptive_field_forward (inf, &in->receptive_field, ax, n);
  if (explaining (inf))
    {
      GString *text = envelope_scratch_new ();

      g_string_append_c (text, '(');
      for (guint a = 0; a < n; a++)
        {
          if (a > 0)
            envelope_string_add (text, " × ");
          envelope_format_append_count (text, kernel[a]);
        }
      envelope_string_add (text, ") × ");
      envelope_format_append_count (text, outputs);
      envelope_string_add (text, " = ");
      envelope_format_append_count (text, out->other_ops);
      envelope_string_add (text, _(", one per window element per output"));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, envelope_scratch_free (text));
      if (explaining_rules (inf))
        {
          g_autofree char *k = envelope_axis_symbols ("k", NULL, n, " × ");
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                       g_strdup_printf (_("other ops = (%s) × output values"), k));
        }
    }
  explain_output_shape (inf, ax, n);
  return TRUE;
}

/* A map becomes [C, 1, …] (one value per channel); a sequence of tokens
 * becomes the vector of its D features, averaged or maxed over the tokens. */
static gboolean
infer_global_pool (EnvelopeInference *inf,
                   GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  if (in->layout == ENVELOPE_TENSOR_TOKENS)
    {
      out->rank = 1;
      out->layout = ENVELOPE_TENSOR_VECTOR;
      out->shape[0] = in->shape[1];
      out->other_ops = in->activations;
      envelope_receptive_field_whole (inf, in);
      if (explaining (inf))
        {
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                          envelope_format_counts (_("{} × {} = {}, every token per feature"),
                                                                  COUNTS (in->shape[0], in->shape[1], in->activations)));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                          envelope_format_counts (_("one value per feature over the {} tokens → {}"),
                                                                  COUNTS (in->shape[0], in->shape[1])));
        }
      return TRUE;
    }
  if (!envelope_require_map (inf, in, error))
    return FALSE;
  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = in->shape[0];
  for (guint a = 1; a < in->rank; a++)
    out->shape[a] = 1;
  out->other_ops = in->activations;
  envelope_receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      GString *text = envelope_scratch_new ();
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);

      g_string_append_c (text, '(');
      for (guint a = 1; a < in->rank; a++)
        {
          if (a > 1)
            envelope_string_add (text, " × ");
          envelope_format_append_count (text, in->shape[a]);
        }
      envelope_string_add (text, ") × ");
      envelope_format_append_count (text, in->shape[0]);
      envelope_string_add (text, " = ");
      envelope_format_append_count (text, out->other_ops);
      envelope_string_add (text, _(", the whole map per output"));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, envelope_scratch_free (text));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf (_("one value per channel → %s"), shape));
    }
  return TRUE;
}

static char *
describe_inputs (const EnvelopeLayerFigures *in,
                 guint64                     n)
{
  if (in->layout == ENVELOPE_TENSOR_MAP)
    {
      GString *out = envelope_scratch_new ();

      g_string_append_c (out, '(');
      for (guint a = 0; a < in->rank; a++)
        {
          if (a > 0)
            envelope_string_add (out, " × ");
          envelope_format_append_count (out, in->shape[a]);
        }
      g_string_append_c (out, ')');
      return envelope_scratch_free (out);
    }
  return envelope_format_counts ("{}", COUNTS (n));
}

/* On a vector, or a map it flattens: inputs × outputs.  On a sequence of
 * tokens, the same weights act on each token: T × D × units. */
static gboolean
infer_dense (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 units = (guint64) l->units;

  if (in->layout == ENVELOPE_TENSOR_TOKENS)
    {
      guint64 tokens = in->shape[0], d = in->shape[1];

      out->rank = 2;
      out->layout = ENVELOPE_TENSOR_TOKENS;
      out->shape[0] = tokens;
      out->shape[1] = units;
      if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, units, d) ||
          !PRODUCT (inf, N_("The MAC count"), &out->macs, error, tokens, d, units))
        return FALSE;
      out->biases = l->bias ? units : 0;
      envelope_receptive_field_unchanged (inf, in);
      if (explaining (inf))
        {
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS,
                                          envelope_format_counts (_("{} × {} = {}, shared by every token"),
                                                                  COUNTS (units, d, out->weights)));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                          envelope_format_counts (_("{} tokens × {} × {} = {}"),
                                                                  COUNTS (tokens, d, units, out->macs)));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                          l->bias ? envelope_format_counts (_("{}, one per output"), COUNTS (units))
                                                  : g_strdup (_("0 (bias: false)")));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                          envelope_format_counts (_("{} units for each of the {} tokens → {}×{}"),
                                                                  COUNTS (units, tokens, tokens, units)));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup (_("weights = units × features_in")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS, g_strdup (_("MACs = tokens × features_in × units")));
          if (l->bias)
            envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("biases = units")));
        }
      return TRUE;
    }

  out->rank = 1;
  out->layout = ENVELOPE_TENSOR_VECTOR;
  out->shape[0] = units;
  if (!PRODUCT (inf, N_("The weight count"), &out->weights, error, units, in->activations))
    return FALSE;
  out->macs = out->weights;
  out->biases = l->bias ? units : 0;
  envelope_receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      g_autofree char *inputs = describe_inputs (in, in->activations);
      g_autofree char *weights = envelope_format_counts ("{} × ", COUNTS (units));
      g_autofree char *macs = envelope_format_counts (" × {} = {}", COUNTS (units, out->macs));
      g_autofree char *total = envelope_format_counts (" = {}", COUNTS (out->weights));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_WEIGHTS, g_strconcat (weights, inputs, total, NULL));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS, g_strconcat (inputs, macs, NULL));
      if (in->layout == ENVELOPE_TENSOR_MAP)
        {
          /* the flattened map: C × H × W inputs */
          g_autofree char *axes = explaining_rules (inf) ? envelope_axis_symbols (NULL, NULL, in->rank - 1, " × ") : NULL;

          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup_printf (_("weights = units × (C × %s)"), axes));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS, g_strdup_printf (_("MACs = (C × %s) × units"), axes));
        }
      else
        {
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_WEIGHTS, g_strdup (_("weights = units × inputs")));
          envelope_inference_set_rule (inf, ENVELOPE_FIGURE_MACS, g_strdup (_("MACs = inputs × units")));
        }
      if (l->bias)
        envelope_inference_set_rule (inf, ENVELOPE_FIGURE_BIASES, g_strdup (_("biases = units")));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_BIASES,
                                      l->bias ? envelope_format_counts (_("{}, one per output"), COUNTS (units))
                                              : g_strdup (_("0 (bias: false)")));
      if (in->layout == ENVELOPE_TENSOR_MAP)
        {
          g_autofree char *shape = envelope_format_shape (in->rank, in->shape);
          g_autofree char *head = envelope_format_counts (_("{} units"), COUNTS (units));

          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                          g_strdup_printf (_("%s (the %s input is flattened)"), head, shape));
        }
      else
        envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                        envelope_format_counts (_("{} units"), COUNTS (units)));
    }
  return TRUE;
}

/* RoIAlign (Mask R-CNN): each of R regions of the map is cut into an
 * output grid and each cell averages 2 × 2 bilinear samples, as
 * torchvision's MultiScaleRoIAlign does (sampling_ratio 2).  The regions
 * come out as a sequence of R tokens of C × h × w features, so that the
 * box head's dense layers act on each region. */
#define ROI_SAMPLES 4

static gboolean
infer_roi_align (EnvelopeInference *inf,
                 GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 regions = (guint64) l->regions, cells = 1, features = 0, values = 0;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  if (!envelope_check_list_length (inf, ENVELOPE_FIELD_OUTPUT_SIZE, n, error))
    return FALSE;
  for (guint a = 0; a < n; a++)
    if (!PRODUCT (inf, N_("The activation count"), &cells, error, cells, (guint64) l->output_size[a]))
      return FALSE;
  if (!PRODUCT (inf, N_("The activation count"), &features, error, in->shape[0], cells) ||
      !PRODUCT (inf, N_("The activation count"), &values, error, regions, features) ||
      /* per output value: 4 samples of 7 operations each (2^(2+1) − 1,
       * as upsample's linear mode counts), and 3 additions to average them */
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, ROI_SAMPLES * 7 + ROI_SAMPLES - 1, values))
    return FALSE;
  out->rank = 2;
  out->layout = ENVELOPE_TENSOR_TOKENS;
  out->shape[0] = regions;
  out->shape[1] = features;
  /* a region may lie anywhere and be of any size */
  envelope_receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      GString *shape = envelope_scratch_new ();
      g_autofree char *grid = NULL;
      g_autofree char *r = envelope_format_count (regions);
      g_autofree char *c = envelope_format_count (in->shape[0]);
      g_autofree char *result = envelope_format_shape (out->rank, out->shape);

      for (guint a = 0; a < n; a++)
        g_string_append_printf (shape, a > 0 ? " × %" PRId64 : "%" PRId64, l->output_size[a]);
      grid = envelope_scratch_free (shape);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf (_("%s regions, each %s channels × %s cells → %s"),
                                                       r, c, grid, result));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      envelope_format_counts (_("(4 × 7 + 3) × {} = {}: 4 bilinear samples of 7 operations, "
                                                                "averaged, per output value"),
                                                              COUNTS (values, out->other_ops)));
    }
  return TRUE;
}

const EnvelopeKindRow envelope_kinds_convolution[] = {
  { { ENVELOPE_LAYER_INPUT, "input", N_("Input"), ENVELOPE_CATEGORY_INPUT,
      F (SHAPE) | F (LAYOUT), F (SHAPE), 0, 0, FALSE }, infer_input, 0, 0 },
  { { ENVELOPE_LAYER_CONV, "conv", N_("Convolution"), ENVELOPE_CATEGORY_CONVOLUTION,
      CONV_FIELDS, F (FILTERS) | F (KERNEL), 1, 1, FALSE }, infer_conv, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_DECONV, "deconv", N_("Transposed convolution"), ENVELOPE_CATEGORY_CONVOLUTION,
      CONV_FIELDS | F (OUTPUT_PADDING), F (FILTERS) | F (KERNEL), 1, 1, FALSE }, infer_deconv, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_MAX_POOL, "max_pool", N_("Max pooling"), ENVELOPE_CATEGORY_POOLING,
      POOL_FIELDS, F (KERNEL), 1, 1, FALSE }, infer_pool, 0, SAVES (INPUT) | SAVES (INDICES) },
  { { ENVELOPE_LAYER_AVG_POOL, "avg_pool", N_("Average pooling"), ENVELOPE_CATEGORY_POOLING,
      POOL_FIELDS, F (KERNEL), 1, 1, FALSE }, infer_pool, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_GLOBAL_AVG_POOL, "global_avg_pool", N_("Global average pooling"), ENVELOPE_CATEGORY_POOLING,
      0, 0, 1, 1, FALSE }, infer_global_pool, 0, 0 },
  { { ENVELOPE_LAYER_GLOBAL_MAX_POOL, "global_max_pool", N_("Global max pooling"), ENVELOPE_CATEGORY_POOLING,
      0, 0, 1, 1, FALSE }, infer_global_pool, 0, SAVES (INPUT) | SAVES (INDICES) },
  { { ENVELOPE_LAYER_ROI_ALIGN, "roi_align", N_("RoI align"), ENVELOPE_CATEGORY_POOLING,
      F (OUTPUT_SIZE) | F (REGIONS), F (OUTPUT_SIZE), 1, 1, FALSE }, infer_roi_align, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_DENSE, "dense", N_("Dense"), ENVELOPE_CATEGORY_DENSE,
      F (UNITS) | F (BIAS) | F (SHARES), F (UNITS), 1, 1, FALSE }, infer_dense, 0, SAVES (INPUT) },
};
const guint envelope_n_kinds_convolution = G_N_ELEMENTS (envelope_kinds_convolution);
