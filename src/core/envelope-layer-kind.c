/* envelope-layer-kind.c: the one table of layer kinds
 *
 * Each kind is one row: its file name, the settings it takes, how many
 * inputs it reads, and the function that infers its output shape,
 * parameters, multiply-adds, other work, receptive field and the worked
 * formula of each.  The rows live with their rules, one file per family
 * (envelope-kinds-*.c); this file gathers them into the one registry
 * every front end reads, and holds the settings' table and what the
 * families share.  A new kind is a new row; every front end follows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"


#define AT(member) G_STRUCT_OFFSET (EnvelopeLayer, member)

static const char *const layout_choices[] = { "tokens", "map", NULL };
static const char *const rounding_choices[] = { "floor", "ceil", NULL };
static const char *const encoding_choices[] = { "learned", "sinusoidal", "rotary", NULL };
static const char *const bias_convention_choices[] = { "pytorch", "single", NULL };

/* EnvelopeLayer.set holds one bit per field. */
G_STATIC_ASSERT (ENVELOPE_N_FIELDS <= 64);
static const char *const mode_choices[] = { "nearest", "linear", NULL };
static const char *const operation_choices[] = { "mean", "sum", "max", "min", NULL };

/* Every setting a layer may carry: its key, label, kind of value, where
 * it lives, its smallest value and its default. */
static const EnvelopeFieldInfo field_infos[ENVELOPE_N_FIELDS] = {
  { ENVELOPE_FIELD_SHAPE, "shape", N_("Shape"), ENVELOPE_VALUE_SHAPE, AT (shape), 1, 0, NULL },
  { ENVELOPE_FIELD_LAYOUT, "layout", N_("Layout"), ENVELOPE_VALUE_CHOICE, AT (layout), 0, 0, layout_choices },
  { ENVELOPE_FIELD_FILTERS, "filters", N_("Filters"), ENVELOPE_VALUE_COUNT, AT (filters), 1, 64, NULL },
  { ENVELOPE_FIELD_UNITS, "units", N_("Units"), ENVELOPE_VALUE_COUNT, AT (units), 1, 128, NULL },
  { ENVELOPE_FIELD_KERNEL, "kernel", N_("Kernel"), ENVELOPE_VALUE_PAIR, AT (kernel), 1, 3, NULL },
  { ENVELOPE_FIELD_STRIDE, "stride", N_("Stride"), ENVELOPE_VALUE_PAIR, AT (stride), 1, 1, NULL },
  { ENVELOPE_FIELD_PADDING, "padding", N_("Padding"), ENVELOPE_VALUE_PADDING, AT (padding), 0, 0, NULL },
  { ENVELOPE_FIELD_DILATION, "dilation", N_("Dilation"), ENVELOPE_VALUE_PAIR, AT (dilation), 1, 1, NULL },
  { ENVELOPE_FIELD_GROUPS, "groups", N_("Groups"), ENVELOPE_VALUE_COUNT, AT (groups), 1, 1, NULL },
  { ENVELOPE_FIELD_OUTPUT_PADDING, "output_padding", N_("Output padding"), ENVELOPE_VALUE_OFFSET, AT (output_padding), 0, 0, NULL },
  { ENVELOPE_FIELD_BIAS, "bias", N_("Bias"), ENVELOPE_VALUE_BOOLEAN, AT (bias), 0, 1, NULL },
  { ENVELOPE_FIELD_ROUNDING, "rounding", N_("Rounding"), ENVELOPE_VALUE_CHOICE, AT (rounding), 0, 0, rounding_choices },
  { ENVELOPE_FIELD_SIZE, "size", N_("Size"), ENVELOPE_VALUE_COUNT, AT (size), 1, 5, NULL },
  { ENVELOPE_FIELD_RATE, "rate", N_("Rate"), ENVELOPE_VALUE_FRACTION, AT (rate), 0, 0.5, NULL },
  { ENVELOPE_FIELD_AXIS, "axis", N_("Axis"), ENVELOPE_VALUE_INTEGER, AT (axis), 0, 0, NULL },
  { ENVELOPE_FIELD_FACTOR, "factor", N_("Factor"), ENVELOPE_VALUE_REAL, AT (factor), 0, 1, NULL },
  { ENVELOPE_FIELD_LEARNED, "learned", N_("Learned"), ENVELOPE_VALUE_BOOLEAN, AT (learned), 0, 0, NULL },
  { ENVELOPE_FIELD_SHARED, "shared", N_("One slope for all channels"), ENVELOPE_VALUE_BOOLEAN, AT (shared), 0, 1, NULL },
  { ENVELOPE_FIELD_MIN, "min", N_("Minimum"), ENVELOPE_VALUE_REAL, AT (min), 0, 0, NULL },
  { ENVELOPE_FIELD_MAX, "max", N_("Maximum"), ENVELOPE_VALUE_REAL, AT (max), 0, 6, NULL },
  { ENVELOPE_FIELD_SHARES, "shares", N_("Shares the parameters of"), ENVELOPE_VALUE_NAME, AT (shares), 0, 0, NULL },
  /* normalization; instance_norm's default is false (envelope_layer_set_field_default) */
  { ENVELOPE_FIELD_AFFINE, "affine", N_("Learned scale and shift"), ENVELOPE_VALUE_BOOLEAN, AT (affine), 0, 1, NULL },
  /* tokens */
  { ENVELOPE_FIELD_VOCABULARY, "vocabulary", N_("Vocabulary"), ENVELOPE_VALUE_COUNT, AT (vocabulary), 1, 50257, NULL },
  { ENVELOPE_FIELD_DIMENSION, "dimension", N_("Dimension"), ENVELOPE_VALUE_COUNT, AT (dimension), 1, 768, NULL },
  { ENVELOPE_FIELD_ENCODING, "encoding", N_("Encoding"), ENVELOPE_VALUE_CHOICE, AT (encoding), 0, 0, encoding_choices },
  { ENVELOPE_FIELD_POSITIONS, "positions", N_("Positions"), ENVELOPE_VALUE_COUNT, AT (positions), 1, 512, NULL },
  { ENVELOPE_FIELD_TOKENS, "tokens", N_("Tokens"), ENVELOPE_VALUE_COUNT, AT (tokens), 1, 1, NULL },
  { ENVELOPE_FIELD_OUTPUT_SIZE, "output_size", N_("Output size"), ENVELOPE_VALUE_PAIR, AT (output_size), 1, 1, NULL },
  /* attention and recurrent; kv_heads and head_dim follow heads and the
   * width while unset (envelope-kinds-attention.c) */
  { ENVELOPE_FIELD_HEADS, "heads", N_("Heads"), ENVELOPE_VALUE_COUNT, AT (heads), 1, 8, NULL },
  { ENVELOPE_FIELD_KV_HEADS, "kv_heads", N_("Key and value heads"), ENVELOPE_VALUE_COUNT, AT (kv_heads), 1, 1, NULL },
  { ENVELOPE_FIELD_HEAD_DIM, "head_dim", N_("Head width"), ENVELOPE_VALUE_COUNT, AT (head_dim), 1, 1, NULL },
  { ENVELOPE_FIELD_CAUSAL, "causal", N_("Causal"), ENVELOPE_VALUE_BOOLEAN, AT (causal), 0, 0, NULL },
  { ENVELOPE_FIELD_FUSED, "fused", N_("Fused (scores not stored)"), ENVELOPE_VALUE_BOOLEAN, AT (fused), 0, 0, NULL },
  { ENVELOPE_FIELD_WINDOW, "window", N_("Window"), ENVELOPE_VALUE_COUNT, AT (window), 1, 7, NULL },
  { ENVELOPE_FIELD_SHIFT, "shift", N_("Shift"), ENVELOPE_VALUE_COUNT, AT (shift), 0, 0, NULL },
  { ENVELOPE_FIELD_HIDDEN, "hidden", N_("Hidden size"), ENVELOPE_VALUE_COUNT, AT (hidden), 1, 128, NULL },
  { ENVELOPE_FIELD_LAYERS, "layers", N_("Layers"), ENVELOPE_VALUE_COUNT, AT (layers), 1, 1, NULL },
  { ENVELOPE_FIELD_BIDIRECTIONAL, "bidirectional", N_("Bidirectional"), ENVELOPE_VALUE_BOOLEAN, AT (bidirectional), 0, 0, NULL },
  { ENVELOPE_FIELD_BIAS_CONVENTION, "bias_convention", N_("Bias vectors"), ENVELOPE_VALUE_CHOICE, AT (bias_convention), 0, 0, bias_convention_choices },
  { ENVELOPE_FIELD_SEQUENCES, "sequences", N_("Whole sequence out"), ENVELOPE_VALUE_BOOLEAN, AT (sequences), 0, 1, NULL },
  /* structure */
  { ENVELOPE_FIELD_START, "start", N_("Start"), ENVELOPE_VALUE_INTEGER, AT (start), 0, 0, NULL },
  { ENVELOPE_FIELD_END, "end", N_("End"), ENVELOPE_VALUE_INTEGER, AT (end), 0, 0, NULL },
  { ENVELOPE_FIELD_STEP, "step", N_("Step"), ENVELOPE_VALUE_COUNT, AT (step), 1, 1, NULL },
  { ENVELOPE_FIELD_BLOCK, "block", N_("Block"), ENVELOPE_VALUE_COUNT, AT (block), 1, 2, NULL },
  { ENVELOPE_FIELD_MODE, "mode", N_("Mode"), ENVELOPE_VALUE_CHOICE, AT (mode), 0, 0, mode_choices },
  { ENVELOPE_FIELD_SCALE, "scale", N_("Scale"), ENVELOPE_VALUE_REALS, AT (scale), 0, 2, NULL },
  { ENVELOPE_FIELD_OPERATION, "operation", N_("Operation"), ENVELOPE_VALUE_CHOICE, AT (operation), 0, 0, operation_choices },
  { ENVELOPE_FIELD_AXES, "axes", N_("Axes"), ENVELOPE_VALUE_AXES, AT (axes), 0, -1, NULL },
  { ENVELOPE_FIELD_KEEP_DIMS, "keep_dims", N_("Keep reduced axes"), ENVELOPE_VALUE_BOOLEAN, AT (keep_dims), 0, 0, NULL },
  { ENVELOPE_FIELD_ORDER, "order", N_("Order"), ENVELOPE_VALUE_AXES, AT (order), 0, 0, NULL },
  /* detection: torchvision's Faster R-CNN keeps 1,000 proposals an image at test time */
  { ENVELOPE_FIELD_REGIONS, "regions", N_("Regions"), ENVELOPE_VALUE_COUNT, AT (regions), 1, 1000, NULL },
  { ENVELOPE_FIELD_OPERATOR, "operator", N_("Operator"), ENVELOPE_VALUE_NAME, AT (operator_name), 0, 0, NULL },
};

static const struct { const char *id; const char *label; } categories[ENVELOPE_N_CATEGORIES] = {
  { "input", N_("Input") },
  { "convolution", N_("Convolution") },
  { "pooling", N_("Pooling") },
  { "dense", N_("Dense") },
  { "normalization", N_("Normalization") },
  { "activation", N_("Activation") },
  { "regularization", N_("Regularization") },
  { "reshape", N_("Reshape") },
  { "merge", N_("Merge") },
  { "arithmetic", N_("Arithmetic") },
  { "structure", N_("Structure") },
  { "attention", N_("Tokens and attention") },
  { "recurrent", N_("Recurrent") },
  { "other", N_("Other") },
};

/* The families, in the palette's order. */
static const struct { const EnvelopeKindRow *rows; const guint *n_rows; } families[] = {
  { envelope_kinds_convolution, &envelope_n_kinds_convolution },
  { envelope_kinds_normalization, &envelope_n_kinds_normalization },
  { envelope_kinds_elementwise, &envelope_n_kinds_elementwise },
  { envelope_kinds_structure, &envelope_n_kinds_structure },
  { envelope_kinds_tokens, &envelope_n_kinds_tokens },
  { envelope_kinds_attention, &envelope_n_kinds_attention },
};

static const EnvelopeKindRow *by_type[ENVELOPE_N_LAYER_TYPES];
static const EnvelopeKindRow *ordered[ENVELOPE_N_LAYER_TYPES];

/* Gathers the families' rows once; every type must have exactly one. */
static void
ensure_registry (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      guint n = 0;

      for (guint f = 0; f < G_N_ELEMENTS (families); f++)
        for (guint i = 0; i < *families[f].n_rows; i++)
          {
            const EnvelopeKindRow *row = &families[f].rows[i];

            g_assert (row->kind.type < ENVELOPE_N_LAYER_TYPES && by_type[row->kind.type] == NULL);
            by_type[row->kind.type] = row;
          }
      /* the registry lists kinds in their type order, as files and tests know them */
      for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
        {
          g_assert (by_type[t] != NULL);
          ordered[n++] = by_type[t];
        }
      g_once_init_leave (&done, 1);
    }
}

const EnvelopeLayerKind *
envelope_layer_kind_get (EnvelopeLayerType type)
{
  g_return_val_if_fail (type < ENVELOPE_N_LAYER_TYPES, NULL);

  if (G_UNLIKELY (by_type[type] == NULL))
    ensure_registry ();
  return &by_type[type]->kind;
}

const EnvelopeLayerKind *
envelope_layer_kind_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  ensure_registry ();
  for (guint i = 0; i < ENVELOPE_N_LAYER_TYPES; i++)
    if (strcmp (ordered[i]->kind.id, id) == 0)
      return &ordered[i]->kind;
  return NULL;
}

char *
envelope_layer_kind_list_valid (void)
{
  GString *out = g_string_new (NULL);

  ensure_registry ();
  for (guint i = 0; i < ENVELOPE_N_LAYER_TYPES; i++)
    {
      if (i > 0)
        envelope_string_add (out, ", ");
      envelope_string_add (out, ordered[i]->kind.id);
    }
  return g_string_free (out, FALSE);
}

/* The edit distance between @a and @b, letters only and in lower case:
 * "MaxPool" and "max-pool" are both one step from nothing of max_pool. */
static guint
distance (const char *a,
          const char *b)
{
  g_autoptr(GString) x = g_string_new (NULL);
  g_autoptr(GString) y = g_string_new (NULL);
  g_autofree guint *row = NULL;

  for (const char *p = a; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (x, g_ascii_tolower (*p));
  for (const char *p = b; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (y, g_ascii_tolower (*p));
  if (x->len > 64 || y->len > 64)
    return G_MAXUINT;
  row = g_new (guint, y->len + 1);
  for (gsize j = 0; j <= y->len; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= x->len; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= y->len; j++)
        {
          guint above = row[j];
          guint cost = x->str[i - 1] == y->str[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[y->len];
}

/**
 * envelope_suggest_closest:
 * @word: what was typed
 * @candidates: (array length=n_candidates): the valid words
 * @out: (array length=max_out): where the closest go, in the candidates' order
 *
 * The candidates a mistyped @word most likely meant: those at the least
 * edit distance from it (letters and digits only, case ignored), when
 * that is a third of their letters at the most.  "did you mean …?" for
 * layer kinds and layer names alike.
 *
 * Returns: how many were written to @out; 0 when none is close.
 */
guint
envelope_suggest_closest (const char        *word,
                          const char *const *candidates,
                          guint              n_candidates,
                          const char       **out,
                          guint              max_out)
{
  g_autofree guint *distances = NULL;
  guint best = G_MAXUINT, n_out = 0;

  g_return_val_if_fail (word != NULL, 0);

  distances = g_new (guint, MAX (n_candidates, 1));
  for (guint i = 0; i < n_candidates; i++)
    {
      distances[i] = distance (word, candidates[i]);
      best = MIN (best, distances[i]);
    }
  for (guint i = 0; i < n_candidates && n_out < max_out; i++)
    if (distances[i] == best && best <= MAX (1, strlen (candidates[i]) / 3))
      out[n_out++] = candidates[i];
  return n_out;
}

/* The kind a mistyped @id most likely meant ("maxpool": max_pool), or
 * NULL when none is close. */
const char *
envelope_layer_kind_suggest (const char *id)
{
  const char *ids[ENVELOPE_N_LAYER_TYPES];
  const char *best = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  ensure_registry ();
  for (guint i = 0; i < ENVELOPE_N_LAYER_TYPES; i++)
    ids[i] = ordered[i]->kind.id;
  return envelope_suggest_closest (id, ids, ENVELOPE_N_LAYER_TYPES, &best, 1) > 0 ? best : NULL;
}

const char *
envelope_layer_category_label (EnvelopeLayerCategory category)
{
  g_return_val_if_fail (category < ENVELOPE_N_CATEGORIES, NULL);
  return _(categories[category].label);
}

const char *
envelope_layer_category_id (EnvelopeLayerCategory category)
{
  g_return_val_if_fail (category < ENVELOPE_N_CATEGORIES, NULL);
  return categories[category].id;
}

const EnvelopeFieldInfo *
envelope_field_get_info (EnvelopeField field)
{
  g_return_val_if_fail (field < ENVELOPE_N_FIELDS, NULL);
  return &field_infos[field];
}

/* The index of @text among the choices of @info, or -1. */
gint
envelope_field_choice_lookup (const EnvelopeFieldInfo *info,
                              const char              *text)
{
  g_return_val_if_fail (info->choices != NULL, -1);

  for (gint i = 0; info->choices[i] != NULL; i++)
    if (g_str_equal (info->choices[i], text))
      return i;
  return -1;
}

/* "\"floor\" or \"ceil\"", for messages. */
char *
envelope_field_list_choices (const EnvelopeFieldInfo *info)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; info->choices[i] != NULL; i++)
    {
      if (i > 0)
        envelope_string_add (out, info->choices[i + 1] == NULL ? _(" or ") : ", ");
      g_string_append_printf (out, "\"%s\"", info->choices[i]);
    }
  return g_string_free (out, FALSE);
}

gboolean
envelope_field_lookup (const char    *key,
                       EnvelopeField *field)
{
  for (guint i = 0; i < ENVELOPE_N_FIELDS; i++)
    {
      if (strcmp (field_infos[i].key, key) == 0)
        {
          *field = field_infos[i].field;
          return TRUE;
        }
    }
  return FALSE;
}

/* The keys a layer of @kind may carry, for "unknown key" messages. */
char *
envelope_layer_kind_list_keys (const EnvelopeLayerKind *kind)
{
  GString *out = g_string_new ("name, type");

  if (kind->max_inputs > 0)
    envelope_string_add (out, ", inputs");
  for (guint i = 0; i < ENVELOPE_N_FIELDS; i++)
    if (kind->fields & ENVELOPE_FIELD_BIT (i))
      g_string_append_printf (out, ", %s", field_infos[i].key);
  envelope_string_add (out, ", group");
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Worked formulas                                                     */

static char *
format_template (const char    *template,
                 const guint64 *counts,
                 const double  *reals,
                 gsize          n_values)
{
  GString *out = envelope_scratch_new ();
  const char *run = template, *p;
  gsize v = 0;

  /* the text between two values is appended at once: a report explains
   * every layer */
  while ((p = strchr (run, '{')) != NULL)
    {
      if (p[1] != '}')
        {
          envelope_string_put (out, run, (gsize) (p + 1 - run));
          run = p + 1;
          continue;
        }
      envelope_string_put (out, run, (gsize) (p - run));
      g_assert (v < n_values);
      if (counts != NULL)
        envelope_format_append_count (out, counts[v++]);
      else
        envelope_format_append_real (out, reals[v++]);
      run = p + 2;
    }
  envelope_string_add (out, run);
  g_assert (v == n_values);
  return envelope_scratch_free (out);
}

char *
envelope_format_counts (const char    *template,
                        const guint64 *values,
                        gsize          n_values)
{
  return format_template (template, values, NULL, n_values);
}

char *
envelope_format_reals (const char   *template,
                       const double *values,
                       gsize         n_values)
{
  return format_template (template, NULL, values, n_values);
}

char *
envelope_format_string (const char *template,
                        const char *value)
{
  const char *at = strchr (template, '%');

  /* anything but one "%s" goes to printf */
  if (at == NULL || at[1] != 's' || strchr (at + 2, '%') != NULL)
    {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      return g_strdup_printf (template, value);
#pragma GCC diagnostic pop
    }
  {
    gsize before = (gsize) (at - template), n = strlen (value), after = strlen (at + 2);
    char *text = g_malloc (before + n + after + 1);

    memcpy (text, template, before);
    memcpy (text + before, value, n);
    memcpy (text + before + n, at + 2, after + 1);
    return text;
  }
}

void
envelope_inference_set_formula (EnvelopeInference *inf,
                                EnvelopeFigure     figure,
                                char              *text)
{
  if (envelope_figure_is_receptive_field (figure) ? !explaining_receptive_field (inf) : !explaining (inf))
    {
      g_free (text);
      return;
    }
  g_free (inf->formulas[figure]);
  inf->formulas[figure] = text;
}

void
envelope_inference_take_rule (EnvelopeInference *inf,
                              EnvelopeFigure     figure,
                              char              *rule)
{
  if (inf->rules == NULL)
    {
      g_free (rule);
      return;
    }
  g_free (inf->rules[figure]);
  inf->rules[figure] = rule;
}

/* One symbol per spatial axis, in the axes' order: with @stem "k" and
 * no suffix "k_h × k_w"; with @stem NULL and suffix "_out" "H_out ×
 * W_out" (the axes' own letters: L; H, W; D, H, W). */
char *
envelope_axis_symbols (const char *stem,
                       const char *suffix,
                       guint       n_axes,
                       const char *separator)
{
  static const char *const letters[ENVELOPE_MAX_SPATIAL + 1][ENVELOPE_MAX_SPATIAL] = {
    { NULL }, { "l" }, { "h", "w" }, { "d", "h", "w" },
  };
  GString *out = g_string_new (NULL);

  n_axes = MIN (n_axes, ENVELOPE_MAX_SPATIAL);
  for (guint a = 0; a < n_axes; a++)
    {
      if (a > 0)
        envelope_string_add (out, separator);
      if (stem != NULL)
        g_string_append_printf (out, "%s_%s", stem, letters[n_axes][a]);
      else
        {
          g_autofree char *upper = g_ascii_strup (letters[n_axes][a], -1);
          g_string_append_printf (out, "%s%s", upper, suffix ? suffix : "");
        }
    }
  return g_string_free (out, FALSE);
}

/* The short name of spatial axis @axis of a map with @n_axes of them,
 * for formulas ("H: …; W: …"). */
static const char *
axis_letter (guint axis,
             guint n_axes)
{
  static const char *letters[3][3] = { { "L" }, { "H", "W" }, { "D", "H", "W" } };

  g_assert (n_axes >= 1 && n_axes <= 3 && axis < n_axes);
  return letters[n_axes - 1][axis];
}

/* The name of spatial axis @axis in a sentence ("height", "width"). */
const char *
envelope_axis_name (guint axis,
                    guint n_axes)
{
  static const char *names[3][3] = {
    { N_("length") },
    { N_("height"), N_("width") },
    { N_("depth"), N_("height"), N_("width") },
  };

  g_assert (n_axes >= 1 && n_axes <= 3 && axis < n_axes);
  return _(names[n_axes - 1][axis]);
}

/* One text when every axis agrees, "H: …; W: …" when they do not; takes
 * the texts.  @rank is unused but keeps the callers honest about what
 * they join. */
char *
envelope_join_axes (char  **texts,
                    guint   n_axes,
                    guint   rank)
{
  gboolean same = TRUE;
  GString *out;

  if (n_axes == 0)
    return g_strdup ("");
  for (guint a = 1; a < n_axes; a++)
    same &= g_strcmp0 (texts[a], texts[0]) == 0;
  if (same)
    {
      char *joined = g_steal_pointer (&texts[0]);

      for (guint a = 1; a < n_axes; a++)
        g_clear_pointer (&texts[a], g_free);
      return joined;
    }
  out = g_string_new (NULL);
  for (guint a = 0; a < n_axes; a++)
    {
      if (a > 0)
        envelope_string_add (out, "; ");
      g_string_append_printf (out, "%s: %s", axis_letter (a, n_axes), texts[a]);
      g_clear_pointer (&texts[a], g_free);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Checked arithmetic                                                  */

/* @figure is untranslated (N_()), so that the common path never calls
 * gettext. */
gboolean
envelope_inference_overflow (EnvelopeInference *inf,
                             const char        *figure,
                             GError           **error)
{
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW,
                        inf->location, inf->index, inf->layer->name, NULL,
                        _("%s overflows 64 bits; the sizes are too large to count"),
                        _(figure));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Shapes                                                              */

gboolean
envelope_require_map (EnvelopeInference          *inf,
                      const EnvelopeLayerFigures *in,
                      GError                    **error)
{
  const char *id = envelope_layer_kind_get (inf->layer->type)->id;
  g_autofree char *shape = NULL;

  if (in->layout == ENVELOPE_TENSOR_MAP)
    return TRUE;
  if (in->layout == ENVELOPE_TENSOR_VECTOR)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, inf->layer->name, "inputs",
                            _("%s layers need a C×H×W input, but this one gets a vector of %" PRIu64 " values; "
                              "remove the flatten or dense layer before it"),
                            id, in->shape[0]);
      return FALSE;
    }
  shape = envelope_format_shape (in->rank, in->shape);
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, "inputs",
                        _("%s layers need a map ([C, L], [C, H, W] or [C, D, H, W]), but this one gets "
                          "a sequence of %s tokens; turn it into a map first (to_map or permute)"),
                        id, shape);
  return FALSE;
}

/* A spatial setting written as a list needs one entry per spatial axis. */
gboolean
envelope_check_list_length (EnvelopeInference *inf,
                            EnvelopeField      field,
                            guint              n_axes,
                            GError           **error)
{
  guint n = envelope_layer_list_length (inf->layer, field);

  if (n == 0 || n == n_axes || !(inf->layer->set & ENVELOPE_FIELD_BIT (field)))
    return TRUE;
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, envelope_field_get_info (field)->key,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "has %u values, but the input has %u spatial axis; give one value, or one per axis",
                                     "has %u values, but the input has %u spatial axes; give one value, or one per axis",
                                     n_axes),
                        n, n_axes);
  return FALSE;
}

void
envelope_copy_shape (EnvelopeLayerFigures       *out,
                     const EnvelopeLayerFigures *in)
{
  out->rank = in->rank;
  out->layout = in->layout;
  memcpy (out->shape, in->shape, sizeof out->shape);
}

char *
envelope_describe_shape_list (EnvelopeInference *inf)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < inf->n_inputs; i++)
    {
      g_autofree char *shape = envelope_format_shape (inf->inputs[i]->rank, inf->inputs[i]->shape);

      if (i > 0)
        envelope_string_add (out, ", ");
      envelope_string_add (out, shape);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Receptive fields                                                    */

/* The padding of spatial axis @axis as worked out (negative: cropped),
 * for those who asked for it (envelope_analysis_get_padding()). */
void
envelope_inference_set_padding (EnvelopeInference *inf,
                                guint              axis,
                                gint64             before,
                                gint64             after)
{
  if (inf->pad_before != NULL && axis < ENVELOPE_MAX_SPATIAL)
    {
      inf->pad_before[axis] = before;
      inf->pad_after[axis] = after;
    }
}

void
envelope_receptive_field_unchanged (EnvelopeInference          *inf,
                                    const EnvelopeLayerFigures *in)
{
  inf->out->receptive_field = in->receptive_field;
  inf->out->receptive_field.misaligned = FALSE;
}

/* After global pooling, flatten and dense every output sees the whole
 * input: the window is the whole map, and the size is kept at no less
 * than the input's extent. */
/* Whether the output keeps the input's positions along @axis of its
 * shape: the same layout and the same extent there. */
static gboolean
out_positions_kept (const EnvelopeLayerFigures *in,
                    const EnvelopeLayerFigures *out,
                    guint                       axis)
{
  return out->layout == in->layout && out->rank == in->rank && axis < in->rank &&
         out->shape[axis] == in->shape[axis];
}

static void
receptive_field_whole (EnvelopeInference          *inf,
                       const EnvelopeLayerFigures *in,
                       gboolean                    stays_whole);

/* Every output sees the whole input, through a window as wide as the
 * input (global pooling, flatten, a reduction): the window formula. */
void
envelope_receptive_field_whole (EnvelopeInference          *inf,
                                const EnvelopeLayerFigures *in)
{
  receptive_field_whole (inf, in, FALSE);
}

/* Values mixed in place (attention, a recurrent sequence) or moved to
 * other positions (a reshape, a permute): every output sees the whole
 * input, and a field that already is the whole input stays as it is,
 * for neither can see more (stacked, they would grow it by the token
 * count a layer). */
void
envelope_receptive_field_remixed (EnvelopeInference          *inf,
                                  const EnvelopeLayerFigures *in)
{
  receptive_field_whole (inf, in, TRUE);
}

static void
receptive_field_whole (EnvelopeInference          *inf,
                       const EnvelopeLayerFigures *in,
                       gboolean                    stays_whole)
{
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  char *text[ENVELOPE_MAX_SPATIAL] = { NULL };
  guint n = in->layout == ENVELOPE_TENSOR_MAP ? MIN (rin->n_axes, in->rank - 1)
          : in->layout == ENVELOPE_TENSOR_TOKENS ? MIN (rin->n_axes, 1) : 0;

  *rf = *rin;
  rf->misaligned = FALSE;
  rf->whole_input = TRUE;
  if (n == 0)
    {
      if (explaining_receptive_field (inf))
        envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD,
                                        envelope_format_reals (_("whole input: {}"), REALS (rf->size[0])));
      return;
    }
  /* Tokens read off a map (to_tokens) keep the map's axes, but their
   * count says nothing of the grid's extent per axis: the whole input is
   * the image. */
  if (in->layout == ENVELOPE_TENSOR_TOKENS && rin->n_axes > 1)
    {
      n = MIN (rin->n_axes, ENVELOPE_MAX_SPATIAL);
      for (guint a = 0; a < n; a++)
        {
          double image = (double) inf->input_extent[a];

          rf->size[a] = MAX (rin->size[a], image);
          rf->jump[a] = rf->size[a];
          rf->start[a] = rf->size[a] / 2;
          if (explaining_receptive_field (inf))
            text[a] = envelope_format_reals (_("whole input: max({}, {}) = {}"),
                                             REALS (rin->size[a], image, rf->size[a]));
        }
      if (explaining_receptive_field (inf))
        envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, envelope_join_axes (text, n, n + 1));
      return;
    }
  for (guint a = 0; a < n; a++)
    {
      guint axis = in->layout == ENVELOPE_TENSOR_TOKENS ? 0 : 1 + a;
      double extent = (double) in->shape[axis];
      double reach = rin->size[a] + (extent - 1) * rin->jump[a];
      double image = (double) inf->input_extent[a];
      /* attention and a recurrent layer's sequence keep every position:
       * each output sees all of the input, and stays where it was */
      gboolean kept = out_positions_kept (in, inf->out, axis);

      if (stays_whole && rin->whole_input)
        {
          if (explaining_receptive_field (inf))
            text[a] = envelope_format_reals (_("whole input already: {}"), REALS (rf->size[a]));
          continue;
        }
      rf->size[a] = MAX (reach, image);
      if (!kept)
        {
          rf->start[a] = rin->start[a] + (extent - 1) / 2 * rin->jump[a];
          rf->jump[a] = rin->jump[a] * extent;
        }
      if (explaining_receptive_field (inf))
        text[a] = reach >= image
          ? envelope_format_reals (_("whole input: {} + ({} − 1) × {} = {}"),
                                   REALS (rin->size[a], extent, rin->jump[a], rf->size[a]))
          : envelope_format_reals (_("whole input: max({} + ({} − 1) × {}, {}) = {}"),
                                   REALS (rin->size[a], extent, rin->jump[a], image, rf->size[a]));
    }
  if (explaining_receptive_field (inf))
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, envelope_join_axes (text, n, n + 1));
}

/* A merge sees the largest of its inputs' fields; inputs whose grids do
 * not line up (different jump or start) are flagged, not refused. */
void
envelope_receptive_field_merge (EnvelopeInference *inf)
{
  EnvelopeReceptiveField *rf = &inf->out->receptive_field;
  const EnvelopeReceptiveField *first = &inf->inputs[0]->receptive_field;
  GString *sizes;
  gboolean square = TRUE;
  guint n;

  *rf = *first;
  rf->misaligned = FALSE;
  for (guint i = 1; i < inf->n_inputs; i++)
    {
      const EnvelopeReceptiveField *other = &inf->inputs[i]->receptive_field;

      /* a whole-input gate ([C, 1, 1] broadcast over a map) has no grid to misalign */
      gboolean gate = other->whole_input || inf->inputs[0]->receptive_field.whole_input;

      for (guint a = 0; a < MIN (rf->n_axes, other->n_axes); a++)
        {
          rf->size[a] = MAX (rf->size[a], other->size[a]);
          if (!gate && (other->jump[a] != rf->jump[a] || other->start[a] != rf->start[a]))
            rf->misaligned = TRUE;
        }
      rf->whole_input |= other->whole_input;
      rf->causal |= other->causal;
    }
  if (!explaining_receptive_field (inf) || inf->n_inputs < 2)
    return;

  n = MAX (rf->n_axes, 1);
  for (guint i = 0; i < inf->n_inputs; i++)
    for (guint a = 1; a < n; a++)
      square &= inf->inputs[i]->receptive_field.size[a] == inf->inputs[i]->receptive_field.size[0];
  if (square)
    n = 1;
  sizes = g_string_new (NULL);
  for (guint a = 0; a < n; a++)
    {
      if (a > 0)
        envelope_string_add (sizes, "; ");
      if (n > 1)
        g_string_append_printf (sizes, "%s: ", axis_letter (a, n));
      envelope_string_add (sizes, "max(");
      for (guint i = 0; i < inf->n_inputs; i++)
        {
          if (i > 0)
            envelope_string_add (sizes, ", ");
          envelope_format_append_real (sizes, inf->inputs[i]->receptive_field.size[a]);
        }
      envelope_string_add (sizes, ") = ");
      envelope_format_append_real (sizes, rf->size[a]);
    }
  if (rf->misaligned)
    envelope_string_add (sizes, _(" (misaligned: the inputs' grids differ in jump or start)"));
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, g_string_free (sizes, FALSE));
}

/* ------------------------------------------------------------------ */

static char *
explain_activations (const EnvelopeLayerFigures *out)
{
  GString *text;

  if (out->rank == 1)
    return envelope_format_counts ("{}", COUNTS (out->activations));
  text = envelope_scratch_new ();
  for (guint a = 0; a < out->rank; a++)
    {
      if (a > 0)
        envelope_string_add (text, " × ");
      envelope_format_append_count (text, out->shape[a]);
    }
  envelope_string_add (text, " = ");
  envelope_format_append_count (text, out->activations);
  return envelope_scratch_free (text);
}

/* The rules every kind shares: its output's values, its parameters'
 * sum, and the other operations of an elementwise kind. */
static void
explain_default_rules (EnvelopeInference     *inf,
                       const EnvelopeKindRow *row)
{
  const EnvelopeLayerFigures *out = inf->out;

  if (inf->rules == NULL)
    return;
  if (inf->rules[ENVELOPE_FIGURE_ACTIVATIONS] == NULL && out->rank >= 2)
    {
      guint n = out->layout == ENVELOPE_TENSOR_MAP ? out->rank - 1 : 0;
      g_autofree char *axes = envelope_axis_symbols (NULL, NULL, n, " × ");

      envelope_inference_set_rule (inf, ENVELOPE_FIGURE_ACTIVATIONS,
                                   out->layout == ENVELOPE_TENSOR_TOKENS
                                     ? g_strdup (_("activations = tokens × features"))
                                     : g_strdup_printf (_("activations = C × %s"), axes));
    }
  if (out->params > 0 && inf->rules[ENVELOPE_FIGURE_PARAMS] == NULL)
    envelope_inference_set_rule (inf, ENVELOPE_FIGURE_PARAMS,
                                 g_strdup (out->non_trainable > 0 ? _("params = weights + biases + non-trainable")
                                                                  : _("params = weights + biases")));
  if (row->ops_per_value > 0 && inf->rules[ENVELOPE_FIGURE_OTHER_OPS] == NULL)
    envelope_inference_set_rule (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                 g_strdup (_("other ops = ops per value × output values")));
}

/* The formulas a kind left to every kind: its output's shape and
 * values, its parameters' sum, no MACs, and the other operations of an
 * elementwise kind. */
static void
explain_defaults (EnvelopeInference     *inf,
                  const EnvelopeKindRow *row,
                  const char            *id)
{
  const EnvelopeLayerFigures *out = inf->out;

  explain_default_rules (inf, row);
  if (inf->formulas[ENVELOPE_FIGURE_OUTPUT_SHAPE] == NULL)
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      row->kind.type == ENVELOPE_LAYER_INPUT ? g_strdup (shape)
                                                                             : envelope_format_string (_("unchanged: %s"), shape));
    }
  envelope_inference_set_formula (inf, ENVELOPE_FIGURE_ACTIVATIONS, explain_activations (out));
  if (out->params > 0)
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_PARAMS,
                                    out->non_trainable > 0
                                      ? envelope_format_counts ("{} + {} + {} = {}",
                                                                COUNTS (out->weights, out->biases, out->non_trainable, out->params))
                                      : envelope_format_counts ("{} + {} = {}", COUNTS (out->weights, out->biases, out->params)));
  if (inf->formulas[ENVELOPE_FIGURE_MACS] == NULL)
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                    envelope_format_string (_("0: %s layers do no multiply-adds"), id));
  if (row->ops_per_value > 0)
    envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                    envelope_format_counts (_("{} × {} = {}, per output value"),
                                                            COUNTS (row->ops_per_value, out->activations, out->other_ops)));
}

gboolean
envelope_layer_kind_infer (EnvelopeInference *inf,
                           GError           **error)
{
  const EnvelopeKindRow *row;
  EnvelopeLayerFigures *out = inf->out;
  const char *id;

  if (G_UNLIKELY (by_type[inf->layer->type] == NULL))
    ensure_registry ();
  row = by_type[inf->layer->type];
  id = row->kind.id;
  g_assert (inf->n_inputs >= row->kind.min_inputs && inf->n_inputs <= row->kind.max_inputs);

  out->saves = row->saves;
  out->type = row->kind.type;
  if (!row->infer (inf, error))
    return FALSE;

  if (!envelope_checked_product (inf, N_("The activation count"), &out->activations,
                                 out->shape, out->rank, error))
    return FALSE;
  if (!envelope_checked_sum (inf, N_("The parameter count"), &out->trainable, out->weights, out->biases, error) ||
      !envelope_checked_sum (inf, N_("The parameter count"), &out->params, out->trainable, out->non_trainable, error))
    return FALSE;
  if (row->ops_per_value > 0 &&
      !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, row->ops_per_value, out->activations))
    return FALSE;

  if (!explaining_receptive_field (inf))
    return TRUE;
  if (explaining (inf))
    explain_defaults (inf, row, id);
  if (inf->formulas[ENVELOPE_FIGURE_RECEPTIVE_FIELD] == NULL)
    {
      const EnvelopeReceptiveField *rf = &out->receptive_field;
      char *texts[ENVELOPE_MAX_SPATIAL];
      guint n = MAX (rf->n_axes, 1);

      for (guint a = 0; a < n; a++)
        texts[a] = envelope_format_reals (_("unchanged: {}"), REALS (rf->size[a]));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_RECEPTIVE_FIELD, envelope_join_axes (texts, n, n + 1));
    }
  return TRUE;
}
