/* envelope-kinds-structure.c: kinds that move values without computing
 *
 * Flatten, concatenation, reshape, permute, slice, pad, crop, channel
 * shuffle and the moves between space and depth change a tensor's shape,
 * not its values, and do no arithmetic.  Upsampling, adaptive pooling
 * and reduction compute, but have no parameters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <math.h>
#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-layer-kind-private.h"

#define F ENVELOPE_F

/* "(512 × 7 × 7)" for a map or a sequence, "4096" for a vector. */
static char *
describe_values (const EnvelopeLayerFigures *in)
{
  GString *out;

  if (in->rank == 1)
    return envelope_format_counts ("{}", COUNTS (in->shape[0]));
  out = g_string_new ("(");
  for (guint a = 0; a < in->rank; a++)
    {
      if (a > 0)
        g_string_append (out, " × ");
      envelope_format_append_count (out, in->shape[a]);
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

static gboolean
infer_flatten (EnvelopeInference *inf,
               GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;

  out->rank = 1;
  out->layout = ENVELOPE_TENSOR_VECTOR;
  out->shape[0] = in->activations;
  envelope_receptive_field_whole (inf, in);
  if (explaining (inf))
    {
      g_autofree char *inputs = describe_values (in);
      g_autofree char *total = envelope_format_counts (" = {}", COUNTS (in->activations));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strconcat (inputs, total, NULL));
    }
  return TRUE;
}

/* The axis a layer names, counted from the end when negative, or an
 * error naming the field and the input's rank. */
gboolean
envelope_resolve_axis (EnvelopeInference *inf,
                       const char        *field,
                       gint64             axis,
                       guint              rank,
                       guint             *resolved,
                       GError           **error)
{
  gint64 a = axis < 0 ? axis + (gint64) rank : axis;

  if (a >= 0 && a < (gint64) rank)
    {
      *resolved = (guint) a;
      return TRUE;
    }
  envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                        inf->location, inf->index, inf->layer->name, field,
                        _("is %" PRId64 ", but the input has %u axes (0 to %u, or −1 to −%u from the end)"),
                        axis, rank, rank - 1, rank);
  return FALSE;
}

/* Along "axis" (0: the channels of a map, the tokens of a sequence, the
 * values of a vector); every other axis must agree. */
static gboolean
infer_concat (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayerFigures *first = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 total = 0;
  guint axis;

  if (!envelope_resolve_axis (inf, "axis", inf->layer->axis, first->rank, &axis, error))
    return FALSE;
  for (guint i = 0; i < inf->n_inputs; i++)
    {
      const EnvelopeLayerFigures *other = inf->inputs[i];
      gboolean fits = other->rank == first->rank;

      for (guint a = 0; fits && a < first->rank; a++)
        fits = a == axis || other->shape[a] == first->shape[a];
      if (!fits)
        {
          g_autofree char *shapes = envelope_describe_shape_list (inf);

          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                inf->location, inf->index, inf->layer->name, "inputs",
                                axis == 0 && first->layout == ENVELOPE_TENSOR_MAP
                                  ? _("concat needs inputs of the same height and width, got %s")
                                  : _("concat needs inputs that agree on every axis but the one it joins, got %s"),
                                shapes);
          return FALSE;
        }
      if (!envelope_checked_sum (inf, N_("The channel count"), &total, total, other->shape[axis], error))
        return FALSE;
    }
  envelope_copy_shape (out, first);
  out->shape[axis] = total;
  envelope_receptive_field_merge (inf);
  if (explaining (inf))
    {
      GString *text = g_string_new (NULL);
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);

      for (guint i = 0; i < inf->n_inputs; i++)
        {
          if (i > 0)
            g_string_append (text, " + ");
          envelope_format_append_count (text, inf->inputs[i]->shape[axis]);
        }
      g_string_append (text, " = ");
      envelope_format_append_count (text, total);
      if (axis == 0 && first->layout == ENVELOPE_TENSOR_MAP)
        g_string_append_printf (text, _(" channels → %s"), shape);
      else if (axis == 0 && first->layout == ENVELOPE_TENSOR_TOKENS)
        g_string_append_printf (text, _(" tokens → %s"), shape);
      else
        g_string_append_printf (text, _(" along axis %u → %s"), axis, shape);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_string_free (text, FALSE));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Shared by the kinds below                                           */

static const EnvelopeFigure rf_figures[3] = {
  ENVELOPE_FIGURE_RECEPTIVE_FIELD, ENVELOPE_FIGURE_JUMP, ENVELOPE_FIGURE_START,
};

/* Sets the receptive field's, jump's and start's formulas from one text
 * per spatial axis each (NULL: leave the default); takes the texts. */
static void
explain_receptive_field (EnvelopeInference *inf,
                         char              *texts[3][ENVELOPE_MAX_SPATIAL],
                         guint              n)
{
  for (guint f = 0; f < 3; f++)
    {
      if (n > 0 && texts[f][0] != NULL)
        envelope_inference_set_formula (inf, rf_figures[f], envelope_join_axes (texts[f], n, n + 1));
      else
        for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
          g_clear_pointer (&texts[f][a], g_free);
    }
}

static void
clear_texts (char  *texts[3][ENVELOPE_MAX_SPATIAL],
             char **sizes)
{
  for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
    {
      for (guint f = 0; f < 3; f++)
        g_clear_pointer (&texts[f][a], g_free);
      if (sizes != NULL)
        g_clear_pointer (&sizes[a], g_free);
    }
}

/* How a result of @rank is read: a vector, a sequence of tokens (rank 2
 * unless @map), or a map. */
static EnvelopeTensorLayout
layout_for_rank (guint    rank,
                 gboolean map)
{
  if (rank == 1)
    return ENVELOPE_TENSOR_VECTOR;
  if (rank == 2 && !map)
    return ENVELOPE_TENSOR_TOKENS;
  return ENVELOPE_TENSOR_MAP;
}

/* The receptive-field axis an axis of @in stands for: the spatial axes
 * of a map, the token axis of a sequence; -1 for channels, features and
 * vectors. */
static gint
positional_axis (const EnvelopeLayerFigures *in,
                 guint                       axis)
{
  if (in->layout == ENVELOPE_TENSOR_MAP && axis >= 1)
    return (gint) axis - 1;
  if (in->layout == ENVELOPE_TENSOR_TOKENS && axis == 0)
    return 0;
  return -1;
}

/* "[64, -1]", as the author wrote it. */
static char *
describe_list (const gint64 *values,
               guint         n)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, i > 0 ? ", %" PRId64 : "%" PRId64, values[i]);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* The axes a list names, each resolved against @rank (negatives count
 * from the end); an axis named twice is an error. */
static gboolean
resolve_axis_list (EnvelopeInference *inf,
                   EnvelopeField      field,
                   const gint64      *values,
                   guint              n,
                   guint              rank,
                   guint             *resolved,
                   GError           **error)
{
  const char *key = envelope_field_get_info (field)->key;

  for (guint i = 0; i < n; i++)
    {
      if (!envelope_resolve_axis (inf, key, values[i], rank, &resolved[i], error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (resolved[j] == resolved[i])
          {
            g_autofree char *list = describe_list (values, n);

            envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                                  inf->location, inf->index, inf->layer->name, key,
                                  _("names axis %u twice: %s"), resolved[i], list);
            return FALSE;
          }
    }
  return TRUE;
}

static gboolean
field_set (const EnvelopeLayer *l,
           EnvelopeField        field)
{
  return (l->set & ENVELOPE_FIELD_BIT (field)) != 0;
}

/* ------------------------------------------------------------------ */
/* Reshape and permute                                                 */

/* The values in memory order, read into a new shape; one size may be
 * left to infer (−1).  Rank 1 is a vector, rank 2 a sequence of tokens
 * unless "layout" says map, ranks 3 and 4 maps. */
static gboolean
infer_reshape (EnvelopeInference *inf,
               GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 known = 1;
  gint inferred = -1;

  for (guint i = 0; i < l->shape_rank; i++)
    {
      if (l->shape[i] < 0)
        inferred = (gint) i;
      else if (!PRODUCT (inf, N_("The activation count"), &known, error, known, (guint64) l->shape[i]))
        return FALSE;
    }
  if (inferred >= 0 ? in->activations % known != 0 : in->activations != known)
    {
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);
      g_autofree char *target = describe_list (l->shape, l->shape_rank);
      g_autofree char *values = envelope_format_count (in->activations);
      g_autofree char *product = envelope_format_count (known);

      if (inferred >= 0)
        envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                              inf->location, inf->index, l->name, "shape",
                              _("cannot read the input %s (%s values) as %s: %s is not a multiple of "
                                "the other sizes' product, %s"),
                              shape, values, target, values, product);
      else
        envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                              inf->location, inf->index, l->name, "shape",
                              _("cannot read the input %s (%s values) as %s, which holds %s values; "
                                "the two must hold as many"),
                              shape, values, target, product);
      return FALSE;
    }

  out->rank = l->shape_rank;
  out->layout = layout_for_rank (out->rank, l->layout == ENVELOPE_SHAPE_MAP);
  for (guint i = 0; i < out->rank; i++)
    out->shape[i] = (gint) i == inferred ? in->activations / known : (guint64) l->shape[i];

  /* values move to other positions: unless nothing changes, an output
   * position no longer stands for one place of the input */
  if (out->rank == in->rank && out->layout == in->layout &&
      memcmp (out->shape, in->shape, out->rank * sizeof (guint64)) == 0)
    envelope_receptive_field_unchanged (inf, in);
  else
    envelope_receptive_field_remixed (inf, in);

  if (explaining (inf))
    {
      g_autofree char *inputs = describe_values (in);
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *total = envelope_format_counts (_(" = {} values → "), COUNTS (in->activations));
      g_autofree char *note = inferred >= 0
        ? envelope_format_counts (_(" (−1: {} / {} = {})"), COUNTS (in->activations, known, out->shape[inferred]))
        : g_strdup ("");

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strconcat (inputs, total, shape, note, NULL));
    }
  return TRUE;
}

/* The axes in a new order.  A sequence [T, D] read as [D, T] is a 1-D
 * map (the tokens become its positions) and the other way round; a map
 * stays a map. */
static gboolean
infer_permute (EnvelopeInference *inf,
               GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint n = ENVELOPE_LAYER_LENGTH (l, ENVELOPE_FIELD_ORDER);
  guint order[ENVELOPE_MAX_RANK];
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;

  if (n != in->rank)
    {
      g_autofree char *list = describe_list (l->order, n);
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);

      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                            inf->location, inf->index, l->name, "order",
                            _("%s lists %u axes, but the input %s has %u; name each axis once"),
                            list, n, shape, in->rank);
      return FALSE;
    }
  if (!resolve_axis_list (inf, ENVELOPE_FIELD_ORDER, l->order, n, in->rank, order, error))
    return FALSE;

  out->rank = in->rank;
  for (guint i = 0; i < n; i++)
    out->shape[i] = in->shape[order[i]];
  if (in->rank == 2 && order[0] == 1)
    out->layout = in->layout == ENVELOPE_TENSOR_TOKENS ? ENVELOPE_TENSOR_MAP : ENVELOPE_TENSOR_TOKENS;
  else
    out->layout = in->layout;

  /* the one positional axis of a sequence or a 1-D map stays one; the
   * spatial axes of a map follow their sizes; channels moved into space
   * leave no position to trace */
  if (in->layout != ENVELOPE_TENSOR_MAP || in->rank == 2)
    envelope_receptive_field_unchanged (inf, in);
  else if (order[0] != 0)
    envelope_receptive_field_remixed (inf, in);
  else
    {
      envelope_receptive_field_unchanged (inf, in);
      for (guint a = 0; a + 1 < n && a < rin->n_axes; a++)
        {
          rf->size[a] = rin->size[order[a + 1] - 1];
          rf->jump[a] = rin->jump[order[a + 1] - 1];
          rf->start[a] = rin->start[order[a + 1] - 1];
        }
    }

  if (explaining (inf))
    {
      g_autofree char *before = envelope_format_shape (in->rank, in->shape);
      g_autofree char *after = envelope_format_shape (out->rank, out->shape);
      GString *text = g_string_new (NULL);

      g_string_append_c (text, '(');
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, i > 0 ? ", %u" : "%u", order[i]);
      g_string_append_printf (text, "): %s → %s", before, after);
      if (out->layout != in->layout)
        g_string_append (text, out->layout == ENVELOPE_TENSOR_MAP ? _(" (tokens become a 1-D map)")
                                                                 : _(" (a 1-D map becomes tokens)"));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_string_free (text, FALSE));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Slice, pad, crop                                                    */

/* Python's rules: a negative index counts from the end, and an index
 * past either end is clamped to it. */
static guint64
clamp_index (gint64  index,
             guint64 size)
{
  if (index < 0)
    index += (gint64) size;
  if (index < 0)
    return 0;
  return MIN ((guint64) index, size);
}

static gboolean
infer_slice (EnvelopeInference *inf,
             GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint64 size, first, last, step = (guint64) l->step, count;
  guint axis;
  gint pos;

  if (!envelope_resolve_axis (inf, "axis", l->axis, in->rank, &axis, error))
    return FALSE;
  size = in->shape[axis];
  first = clamp_index (l->start, size);
  last = field_set (l, ENVELOPE_FIELD_END) ? clamp_index (l->end, size) : size;
  count = last > first ? (last - first - 1) / step + 1 : 0;
  if (count == 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                            inf->location, inf->index, l->name, field_set (l, ENVELOPE_FIELD_END) ? "end" : "start",
                            _("leaves nothing: axis %u has %" PRIu64 " entries, and start %" PRId64
                              " to end %" PRId64 " is the empty range %" PRIu64 " to %" PRIu64),
                            axis, size, l->start, field_set (l, ENVELOPE_FIELD_END) ? l->end : (gint64) size,
                            first, last);
      return FALSE;
    }

  envelope_copy_shape (out, in);
  out->shape[axis] = count;
  envelope_receptive_field_unchanged (inf, in);
  pos = positional_axis (in, axis);
  if (pos >= 0 && (guint) pos < in->receptive_field.n_axes)
    {
      const EnvelopeReceptiveField *rin = &in->receptive_field;
      EnvelopeReceptiveField *rf = &out->receptive_field;

      /* every step-th position from the first kept: a grid of its own */
      rf->jump[pos] = rin->jump[pos] * (double) step;
      rf->start[pos] = rin->start[pos] + (double) first * rin->jump[pos];
      if (explaining_receptive_field (inf))
        {
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_JUMP,
                                          envelope_format_reals ("{} × {} = {}",
                                                                 REALS (rin->jump[pos], (double) step, rf->jump[pos])));
          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_START,
                                          envelope_format_reals ("{} + {} × {} = {}",
                                                                 REALS (rin->start[pos], (double) first,
                                                                        rin->jump[pos], rf->start[pos])));
        }
    }
  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *range = step > 1
        ? envelope_format_counts ("⌈({} − {}) / {}⌉ = {}", COUNTS (last, first, step, count))
        : envelope_format_counts ("{} − {} = {}", COUNTS (last, first, count));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf (_("axis %u: %s → %s"), axis, range, shape));
    }
  return TRUE;
}

/* Zeros around each spatial axis of a map: the same number on both
 * sides of an axis. */
static gboolean
infer_pad (EnvelopeInference *inf,
           GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  char *texts[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  char *sizes[ENVELOPE_MAX_SPATIAL] = { NULL };
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  if (l->padding_mode != ENVELOPE_PADDING_EXPLICIT)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                            inf->location, inf->index, l->name, "padding",
                            _("must give the sizes to add (a number, or one per spatial axis); "
                              "\"same\" and \"valid\" are for convolutions"));
      return FALSE;
    }
  n = envelope_spatial_axes (in);
  if (!envelope_check_list_length (inf, ENVELOPE_FIELD_PADDING, n, error))
    return FALSE;

  envelope_copy_shape (out, in);
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < n; a++)
    {
      guint64 p = (guint64) l->padding[a], twice;

      if (!PRODUCT (inf, N_("The activation count"), &twice, error, 2, p) ||
          !envelope_checked_sum (inf, N_("The activation count"), &out->shape[1 + a], in->shape[1 + a], twice, error))
        {
          clear_texts (texts, sizes);
          return FALSE;
        }
      envelope_inference_set_padding (inf, a, l->padding[a], l->padding[a]);
      if (a < rin->n_axes)
        rf->start[a] = rin->start[a] - (double) p * rin->jump[a];
      if (explaining_receptive_field (inf))
        {
          sizes[a] = envelope_format_counts ("{} + 2 × {} = {}", COUNTS (in->shape[1 + a], p, out->shape[1 + a]));
          if (a < rin->n_axes)
            texts[2][a] = envelope_format_reals ("{} − {} × {} = {}",
                                                 REALS (rin->start[a], (double) p, rin->jump[a], rf->start[a]));
        }
    }
  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *axes = envelope_join_axes (sizes, n, out->rank);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
      explain_receptive_field (inf, texts, MIN (n, rin->n_axes));
    }
  return TRUE;
}

/* The centre of each spatial axis, to "output_size" or to the spatial
 * size of a second input (U-Net's copy and crop); the smaller half of
 * what is cut goes before. */
static gboolean
infer_crop (EnvelopeInference *inf,
            GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  char *texts[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  char *sizes[ENVELOPE_MAX_SPATIAL] = { NULL };
  guint64 target[ENVELOPE_MAX_SPATIAL];
  gboolean to_input = inf->n_inputs == 2;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  if (to_input && field_set (l, ENVELOPE_FIELD_OUTPUT_SIZE))
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, l->name, "output_size",
                            _("is given, but so is a second input to crop to; keep one of the two"));
      return FALSE;
    }
  if (!to_input && !field_set (l, ENVELOPE_FIELD_OUTPUT_SIZE))
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                            inf->location, inf->index, l->name, "output_size",
                            _("is missing: crop needs the size to crop to, or a second input of that size"));
      return FALSE;
    }
  if (to_input)
    {
      const EnvelopeLayerFigures *other = inf->inputs[1];

      if (other->layout != ENVELOPE_TENSOR_MAP || other->rank != in->rank)
        {
          g_autofree char *shapes = envelope_describe_shape_list (inf);

          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_RANK,
                                inf->location, inf->index, l->name, "inputs",
                                _("crop needs two maps with as many spatial axes, got %s"), shapes);
          return FALSE;
        }
      for (guint a = 0; a < n; a++)
        target[a] = other->shape[1 + a];
    }
  else
    {
      if (!envelope_check_list_length (inf, ENVELOPE_FIELD_OUTPUT_SIZE, n, error))
        return FALSE;
      for (guint a = 0; a < n; a++)
        target[a] = (guint64) l->output_size[a];
    }
  for (guint a = 0; a < n; a++)
    if (target[a] > in->shape[1 + a])
      {
        g_autofree char *shapes = envelope_describe_shape_list (inf);

        envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                              inf->location, inf->index, l->name, to_input ? "inputs" : "output_size",
                              _("cannot crop a %s of %" PRIu64 " to %" PRIu64 ": crop only cuts%s%s"),
                              envelope_axis_name (a, n), in->shape[1 + a], target[a],
                              to_input ? _("; the inputs are ") : "", to_input ? shapes : "");
        return FALSE;
      }

  envelope_copy_shape (out, in);
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < n; a++)
    {
      guint64 cut = in->shape[1 + a] - target[a];
      guint64 before = cut / 2;

      out->shape[1 + a] = target[a];
      envelope_inference_set_padding (inf, a, -(gint64) before, -(gint64) (cut - before));
      if (a < rin->n_axes)
        rf->start[a] = rin->start[a] + (double) before * rin->jump[a];
      if (explaining_receptive_field (inf))
        {
          sizes[a] = envelope_format_counts (_("{} − {} = {} ({} before, {} after)"),
                                             COUNTS (in->shape[1 + a], cut, target[a], before, cut - before));
          if (a < rin->n_axes)
            texts[2][a] = envelope_format_reals ("{} + {} × {} = {}",
                                                 REALS (rin->start[a], (double) before, rin->jump[a], rf->start[a]));
        }
    }
  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *axes = envelope_join_axes (sizes, n, out->rank);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
      explain_receptive_field (inf, texts, MIN (n, rin->n_axes));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Channels and space                                                  */

/* ShuffleNet's shuffle: [g, C/g] read as [C/g, g]; the shape stays. */
static gboolean
infer_channel_shuffle (EnvelopeInference *inf,
                       GError           **error)
{
  const EnvelopeLayerFigures *in = inf->inputs[0];
  guint64 c = envelope_features (in), g = (guint64) inf->layer->groups;

  if (c % g != 0)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_GROUPS,
                            inf->location, inf->index, inf->layer->name, "groups",
                            _("%" PRIu64 " must divide the channels (%" PRIu64 ")"), g, c);
      return FALSE;
    }
  envelope_copy_shape (inf->out, in);
  envelope_receptive_field_unchanged (inf, in);
  if (explaining (inf))
    {
      g_autofree char *shape = envelope_format_shape (in->rank, in->shape);
      g_autofree char *groups = envelope_format_counts (_("unchanged: {} groups of {} channels interleaved"),
                                                        COUNTS (g, c / g));

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s, %s", groups, shape));
    }
  return TRUE;
}

/* space_to_depth: each b × b block of positions becomes b² channels
 * (PyTorch's pixel_unshuffle); depth_to_space the inverse
 * (pixel_shuffle).  A map of 1 or 3 spatial axes uses b or b³. */
static gboolean
infer_space_depth (EnvelopeInference *inf,
                   GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  gboolean to_depth = l->type == ENVELOPE_LAYER_SPACE_TO_DEPTH;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  char *texts[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  guint64 b = (guint64) l->block, volume = 1;
  double bd = (double) b;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  for (guint a = 0; a < n; a++)
    if (!PRODUCT (inf, N_("The channel count"), &volume, error, volume, b))
      return FALSE;

  envelope_copy_shape (out, in);
  if (to_depth)
    {
      for (guint a = 0; a < n; a++)
        if (in->shape[1 + a] % b != 0)
          {
            envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                  inf->location, inf->index, l->name, "block",
                                  _("%" PRIu64 " must divide the %s (%" PRIu64 ")"),
                                  b, envelope_axis_name (a, n), in->shape[1 + a]);
            return FALSE;
          }
      if (!PRODUCT (inf, N_("The channel count"), &out->shape[0], error, in->shape[0], volume))
        return FALSE;
      for (guint a = 0; a < n; a++)
        out->shape[1 + a] = in->shape[1 + a] / b;
    }
  else
    {
      if (in->shape[0] % volume != 0)
        {
          envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
                                inf->location, inf->index, l->name, "block",
                                _("%" PRIu64 " to the power %u (%" PRIu64 ") must divide the channels (%" PRIu64 ")"),
                                b, n, volume, in->shape[0]);
          return FALSE;
        }
      out->shape[0] = in->shape[0] / volume;
      for (guint a = 0; a < n; a++)
        if (!PRODUCT (inf, N_("The activation count"), &out->shape[1 + a], error, in->shape[1 + a], b))
          return FALSE;
    }

  /* space to depth gathers a b-wide window with stride b; depth to space
   * spreads one position over b, as a transposed convolution of kernel
   * and stride b */
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < MIN (n, rin->n_axes); a++)
    {
      if (to_depth)
        {
          rf->size[a] = rin->size[a] + (bd - 1) * rin->jump[a];
          rf->jump[a] = rin->jump[a] * bd;
          rf->start[a] = rin->start[a] + (bd - 1) / 2 * rin->jump[a];
        }
      else
        {
          rf->jump[a] = rin->jump[a] / bd;
          rf->start[a] = rin->start[a] - (bd - 1) / 2 * rf->jump[a];
        }
      if (!explaining_receptive_field (inf))
        continue;
      if (to_depth)
        {
          texts[0][a] = envelope_format_reals ("{} + ({} − 1) × {} = {}", REALS (rin->size[a], bd, rin->jump[a], rf->size[a]));
          texts[1][a] = envelope_format_reals ("{} × {} = {}", REALS (rin->jump[a], bd, rf->jump[a]));
          texts[2][a] = envelope_format_reals ("{} + ({} − 1) / 2 × {} = {}", REALS (rin->start[a], bd, rin->jump[a], rf->start[a]));
        }
      else
        {
          texts[1][a] = envelope_format_reals ("{} / {} = {}", REALS (rin->jump[a], bd, rf->jump[a]));
          texts[2][a] = envelope_format_reals ("{} − ({} − 1) / 2 × {} = {}", REALS (rin->start[a], bd, rf->jump[a], rf->start[a]));
        }
    }
  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      GString *text = g_string_new (NULL);

      envelope_format_append_count (text, in->shape[0]);
      g_string_append (text, to_depth ? " × " : " / ");
      envelope_format_append_count (text, b);
      if (n > 1)
        g_string_append_printf (text, n == 2 ? "²" : "³");
      g_string_append (text, " = ");
      envelope_format_append_count (text, out->shape[0]);
      g_string_append (text, _(" channels; "));
      for (guint a = 0; a < n; a++)
        {
          if (a > 0)
            g_string_append (text, ", ");
          envelope_format_append_count (text, in->shape[1 + a]);
          g_string_append (text, to_depth ? " / " : " × ");
          envelope_format_append_count (text, b);
          g_string_append (text, " = ");
          envelope_format_append_count (text, out->shape[1 + a]);
        }
      g_string_append_printf (text, " → %s", shape);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_string_free (text, FALSE));
      explain_receptive_field (inf, texts, MIN (n, rin->n_axes));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Upsampling, adaptive pooling, reduction                             */

/* Each spatial axis to ⌊in × scale⌋ (PyTorch's interpolate) or to
 * "output_size".  Nearest copies one value; linear reads the 2^axes
 * nearest inputs, weights them and adds them up: 2^axes + (2^axes − 1)
 * other operations per output value. */
static gboolean
infer_upsample (EnvelopeInference *inf,
                GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  gboolean linear = l->mode == ENVELOPE_UPSAMPLE_LINEAR;
  gboolean sized = field_set (l, ENVELOPE_FIELD_OUTPUT_SIZE);
  char *texts[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  char *sizes[ENVELOPE_MAX_SPATIAL] = { NULL };
  guint64 per_value = 0;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  if (sized && field_set (l, ENVELOPE_FIELD_SCALE))
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                            inf->location, inf->index, l->name, "scale",
                            _("is given, but so is output_size; keep one of the two"));
      return FALSE;
    }
  if (sized && !envelope_check_list_length (inf, ENVELOPE_FIELD_OUTPUT_SIZE, n, error))
    return FALSE;
  if (!sized && !envelope_check_list_length (inf, ENVELOPE_FIELD_SCALE, n, error))
    return FALSE;
  for (guint a = 0; a < n && !sized; a++)
    if (!(l->scale[a] > 0))
      {
        envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                              inf->location, inf->index, l->name, "scale",
                              _("must be above 0, got %g"), l->scale[a]);
        return FALSE;
      }

  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = in->shape[0];
  for (guint a = 0; a < n; a++)
    {
      guint64 size;

      if (sized)
        size = (guint64) l->output_size[a];
      else
        {
          double scaled = floor ((double) in->shape[1 + a] * l->scale[a]);

          if (scaled >= 9007199254740992.0)
            {
              clear_texts (texts, sizes);
              return envelope_inference_overflow (inf, N_("The activation count"), error);
            }
          size = (guint64) scaled;
          if (size < 1)
            {
              clear_texts (texts, sizes);
              envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE,
                                    inf->location, inf->index, l->name, "scale",
                                    _("%g makes the %s ⌊%" PRIu64 " × %g⌋ = 0"),
                                    l->scale[a], envelope_axis_name (a, n), in->shape[1 + a], l->scale[a]);
              return FALSE;
            }
        }
      out->shape[1 + a] = size;
      if (explaining_receptive_field (inf))
        sizes[a] = sized ? envelope_format_counts ("{}", COUNTS (size))
                         : envelope_format_reals ("⌊{} × {}⌋ = {}", REALS ((double) in->shape[1 + a], l->scale[a], (double) size));
    }

  /* per axis, the output grid is the input's scaled by out / in; output
   * i's centre lies at input (i + ½)·in/out − ½ (align_corners false);
   * linear reads the two nearest inputs */
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < MIN (n, rin->n_axes); a++)
    {
      double ratio = (double) in->shape[1 + a] / (double) out->shape[1 + a];

      rf->size[a] = rin->size[a] + (linear ? rin->jump[a] : 0);
      rf->jump[a] = rin->jump[a] * ratio;
      rf->start[a] = rin->start[a] + (ratio / 2 - 0.5) * rin->jump[a];
      if (!explaining_receptive_field (inf))
        continue;
      if (linear)
        texts[0][a] = envelope_format_reals (_("{} + {} = {} (two neighbours)"), REALS (rin->size[a], rin->jump[a], rf->size[a]));
      texts[1][a] = envelope_format_reals ("{} × {} / {} = {}",
                                           REALS (rin->jump[a], (double) in->shape[1 + a], (double) out->shape[1 + a], rf->jump[a]));
      texts[2][a] = envelope_format_reals ("{} + ({} / 2 − 0.5) × {} = {}",
                                           REALS (rin->start[a], ratio, rin->jump[a], rf->start[a]));
    }

  if (linear)
    {
      guint64 values = 0;

      per_value = (G_GUINT64_CONSTANT (1) << (n + 1)) - 1;
      if (!envelope_checked_product (inf, N_("The activation count"), &values, out->shape, out->rank, error) ||
          !PRODUCT (inf, N_("The other operations"), &out->other_ops, error, per_value, values))
        {
          clear_texts (texts, sizes);
          return FALSE;
        }
    }

  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      g_autofree char *axes = envelope_join_axes (sizes, n, out->rank);

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_strdup_printf ("%s → %s", axes, shape));
      if (linear)
        {
          guint64 reads = G_GUINT64_CONSTANT (1) << n;
          g_autofree char *ops = envelope_format_counts (_("(2 × {} − 1) × {} = {}: {} weighted reads and {} additions per output value"),
                                                         COUNTS (reads, out->other_ops / per_value, out->other_ops, reads, reads - 1));

          envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, g_steal_pointer (&ops));
        }
      else
        envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, g_strdup (_("0: nearest copies one value per output")));
      explain_receptive_field (inf, texts, MIN (n, rin->n_axes));
    }
  return TRUE;
}

static guint64
gcd (guint64 a,
     guint64 b)
{
  while (b != 0)
    {
      guint64 t = a % b;

      a = b;
      b = t;
    }
  return a;
}

/* PyTorch's adaptive pooling: along an axis of m inputs, output i of n
 * pools inputs ⌊i·m/n⌋ to ⌈(i + 1)·m/n⌉ (end excluded).  The windows'
 * lengths sum to m + n − gcd(m, n); the longest is
 * ⌈(m + n − gcd(m, n)) / n⌉, the first ⌈m/n⌉. */
static gboolean
infer_adaptive_pool (EnvelopeInference *inf,
                     GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  const EnvelopeReceptiveField *rin = &in->receptive_field;
  EnvelopeReceptiveField *rf = &out->receptive_field;
  char *texts[3][ENVELOPE_MAX_SPATIAL] = { { NULL } };
  guint64 sums[ENVELOPE_MAX_SPATIAL], volume = 1;
  guint n;

  if (!envelope_require_map (inf, in, error))
    return FALSE;
  n = envelope_spatial_axes (in);
  if (!envelope_check_list_length (inf, ENVELOPE_FIELD_OUTPUT_SIZE, n, error))
    return FALSE;

  out->rank = in->rank;
  out->layout = ENVELOPE_TENSOR_MAP;
  out->shape[0] = in->shape[0];
  envelope_receptive_field_unchanged (inf, in);
  for (guint a = 0; a < n; a++)
    {
      guint64 m = in->shape[1 + a], k = (guint64) l->output_size[a], g = gcd (m, k);
      guint64 longest, first;

      out->shape[1 + a] = k;
      if (!envelope_checked_sum (inf, N_("The other operations"), &sums[a], m, k - g, error) ||
          !PRODUCT (inf, N_("The other operations"), &volume, error, volume, sums[a]))
        {
          clear_texts (texts, NULL);
          return FALSE;
        }
      longest = sums[a] / k + (sums[a] % k != 0);
      first = m / k + (m % k != 0);
      if (a >= rin->n_axes)
        continue;
      rf->size[a] = rin->size[a] + (double) (longest - 1) * rin->jump[a];
      rf->jump[a] = rin->jump[a] * (double) m / (double) k;
      rf->start[a] = rin->start[a] + (double) (first - 1) / 2 * rin->jump[a];
      if (explaining_receptive_field (inf))
        {
          texts[0][a] = envelope_format_reals (_("{} + ({} − 1) × {} = {} (the longest window)"),
                                               REALS (rin->size[a], (double) longest, rin->jump[a], rf->size[a]));
          texts[1][a] = envelope_format_reals ("{} × {} / {} = {}",
                                               REALS (rin->jump[a], (double) m, (double) k, rf->jump[a]));
          texts[2][a] = envelope_format_reals ("{} + ({} − 1) / 2 × {} = {}",
                                               REALS (rin->start[a], (double) first, rin->jump[a], rf->start[a]));
        }
    }
  if (!PRODUCT (inf, N_("The other operations"), &out->other_ops, error, volume, in->shape[0]))
    {
      clear_texts (texts, NULL);
      return FALSE;
    }

  if (explaining_receptive_field (inf))
    {
      g_autofree char *shape = envelope_format_shape (out->rank, out->shape);
      GString *text = g_string_new (NULL);

      if (n > 1)
        g_string_append_c (text, '(');
      for (guint a = 0; a < n; a++)
        {
          guint64 m = in->shape[1 + a], k = out->shape[1 + a];

          if (a > 0)
            g_string_append (text, " × ");
          g_string_append_c (text, '(');
          envelope_format_append_count (text, m);
          g_string_append (text, " + ");
          envelope_format_append_count (text, k);
          g_string_append (text, " − ");
          envelope_format_append_count (text, gcd (m, k));
          g_string_append_c (text, ')');
        }
      if (n > 1)
        g_string_append_c (text, ')');
      g_string_append (text, " × ");
      envelope_format_append_count (text, in->shape[0]);
      g_string_append (text, " = ");
      envelope_format_append_count (text, out->other_ops);
      g_string_append (text, _(": every window's values once per channel (the windows along an axis "
                               "of m inputs and n outputs add up to m + n − gcd(m, n))"));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, g_string_free (text, FALSE));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE,
                                      g_strdup_printf (_("windows fitted to the output size → %s"), shape));
      explain_receptive_field (inf, texts, MIN (n, rin->n_axes));
    }
  return TRUE;
}

static const char *const reduce_names[] = { N_("mean"), N_("sum"), N_("max"), N_("min") };

/* The mean, sum, maximum or minimum over the listed axes; they go away,
 * or stay as 1 with "keep_dims".  One operation per input value. */
static gboolean
infer_reduce (EnvelopeInference *inf,
              GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  const EnvelopeLayerFigures *in = inf->inputs[0];
  EnvelopeLayerFigures *out = inf->out;
  guint n = ENVELOPE_LAYER_LENGTH (l, ENVELOPE_FIELD_AXES);
  guint axes[ENVELOPE_MAX_RANK];
  gboolean reduced[ENVELOPE_MAX_RANK] = { FALSE }, positional = FALSE;

  if (!resolve_axis_list (inf, ENVELOPE_FIELD_AXES, l->axes, n, in->rank, axes, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      reduced[axes[i]] = TRUE;
      positional |= positional_axis (in, axes[i]) >= 0;
    }

  if (l->keep_dims)
    {
      envelope_copy_shape (out, in);
      for (guint i = 0; i < n; i++)
        out->shape[axes[i]] = 1;
    }
  else
    {
      out->rank = 0;
      for (guint a = 0; a < in->rank; a++)
        if (!reduced[a])
          out->shape[out->rank++] = in->shape[a];
      /* every axis reduced: one value, as a vector of one */
      if (out->rank == 0)
        out->shape[out->rank++] = 1;
      out->layout = out->rank == 1 ? ENVELOPE_TENSOR_VECTOR : ENVELOPE_TENSOR_MAP;
    }
  out->other_ops = in->activations;
  if (positional)
    envelope_receptive_field_whole (inf, in);
  else
    envelope_receptive_field_unchanged (inf, in);

  if (explaining (inf))
    {
      g_autofree char *before = envelope_format_shape (in->rank, in->shape);
      g_autofree char *after = envelope_format_shape (out->rank, out->shape);
      g_autofree char *ops = envelope_format_counts (_("{}, one per input value"), COUNTS (in->activations));
      GString *text = g_string_new (NULL);

      g_string_append_printf (text, _("%s over axes "), _(reduce_names[l->operation]));
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, i > 0 ? ", %u" : "%u", axes[i]);
      g_string_append_printf (text, ": %s → %s", before, after);
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OUTPUT_SHAPE, g_string_free (text, FALSE));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS, g_steal_pointer (&ops));
    }
  return TRUE;
}


/* An imported operator Envelope has no kind for: it costs what nobody
 * can say (no parameters, MACs or other operations are counted), and
 * passes on the shape its file gives ("shape") or its first input's. */
static gboolean
infer_unknown (EnvelopeInference *inf,
               GError           **error)
{
  const EnvelopeLayer *l = inf->layer;
  EnvelopeLayerFigures *out = inf->out;

  if (l->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE))
    {
      out->rank = l->shape_rank;
      for (guint i = 0; i < l->shape_rank; i++)
        out->shape[i] = (guint64) l->shape[i];
      out->layout = l->shape_rank == 1 ? ENVELOPE_TENSOR_VECTOR
                  : l->shape_rank == 2 && l->layout == ENVELOPE_SHAPE_TOKENS ? ENVELOPE_TENSOR_TOKENS
                  : ENVELOPE_TENSOR_MAP;
    }
  else if (inf->n_inputs > 0)
    envelope_copy_shape (out, inf->inputs[0]);
  else
    {
      envelope_layer_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_MISSING,
                            inf->location, inf->index, l->name, "shape",
                            _("is missing: a layer of unknown cost with no input needs its output shape"));
      return FALSE;
    }
  if (inf->n_inputs > 0)
    envelope_receptive_field_remixed (inf, inf->inputs[0]);
  else
    out->receptive_field.whole_input = TRUE;
  if (explaining (inf))
    {
      const char *op = l->operator_name != NULL ? l->operator_name : "?";

      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_MACS,
                                      g_strdup_printf (_("unknown: Envelope has no rule for %s; nothing is counted"), op));
      envelope_inference_set_formula (inf, ENVELOPE_FIGURE_OTHER_OPS,
                                      g_strdup_printf (_("unknown: Envelope has no rule for %s; nothing is counted"), op));
    }
  return TRUE;
}

const EnvelopeKindRow envelope_kinds_structure[] = {
  { { ENVELOPE_LAYER_UNKNOWN, "unknown", N_("Unknown operator"), ENVELOPE_CATEGORY_OTHER,
      ENVELOPE_F (OPERATOR) | ENVELOPE_F (SHAPE) | ENVELOPE_F (LAYOUT), ENVELOPE_F (OPERATOR), 0, G_MAXUINT, FALSE },
    infer_unknown, 0, SAVES (INPUTS) },
  { { ENVELOPE_LAYER_FLATTEN, "flatten", N_("Flatten"), ENVELOPE_CATEGORY_RESHAPE,
      0, 0, 1, 1, FALSE }, infer_flatten, 0, SAVES (VIEW) | SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_CONCAT, "concat", N_("Concatenate"), ENVELOPE_CATEGORY_MERGE,
      F (AXIS), 0, 1, G_MAXUINT, FALSE }, infer_concat, 0, SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_RESHAPE, "reshape", N_("Reshape"), ENVELOPE_CATEGORY_RESHAPE,
      F (SHAPE) | F (LAYOUT), F (SHAPE), 1, 1, FALSE }, infer_reshape, 0, SAVES (VIEW) | SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_PERMUTE, "permute", N_("Permute"), ENVELOPE_CATEGORY_RESHAPE,
      F (ORDER), F (ORDER), 1, 1, FALSE }, infer_permute, 0, SAVES (VIEW) | SAVES (GRADIENT_PASSES) },
  { { ENVELOPE_LAYER_SLICE, "slice", N_("Slice"), ENVELOPE_CATEGORY_STRUCTURE,
      F (AXIS) | F (START) | F (END) | F (STEP), 0, 1, 1, FALSE }, infer_slice, 0, SAVES (VIEW) },
  { { ENVELOPE_LAYER_PAD, "pad", N_("Pad"), ENVELOPE_CATEGORY_STRUCTURE,
      F (PADDING), F (PADDING), 1, 1, FALSE }, infer_pad, 0, 0 },
  { { ENVELOPE_LAYER_CROP, "crop", N_("Crop"), ENVELOPE_CATEGORY_STRUCTURE,
      F (OUTPUT_SIZE), 0, 1, 2, FALSE }, infer_crop, 0, SAVES (VIEW) },
  { { ENVELOPE_LAYER_CHANNEL_SHUFFLE, "channel_shuffle", N_("Channel shuffle"), ENVELOPE_CATEGORY_STRUCTURE,
      F (GROUPS), F (GROUPS), 1, 1, FALSE }, infer_channel_shuffle, 0, 0 },
  { { ENVELOPE_LAYER_SPACE_TO_DEPTH, "space_to_depth", N_("Space to depth"), ENVELOPE_CATEGORY_STRUCTURE,
      F (BLOCK), F (BLOCK), 1, 1, FALSE }, infer_space_depth, 0, 0 },
  { { ENVELOPE_LAYER_DEPTH_TO_SPACE, "depth_to_space", N_("Depth to space"), ENVELOPE_CATEGORY_STRUCTURE,
      F (BLOCK), F (BLOCK), 1, 1, FALSE }, infer_space_depth, 0, 0 },
  { { ENVELOPE_LAYER_UPSAMPLE, "upsample", N_("Upsample"), ENVELOPE_CATEGORY_STRUCTURE,
      F (MODE) | F (SCALE) | F (OUTPUT_SIZE), 0, 1, 1, FALSE }, infer_upsample, 0, 0 },
  { { ENVELOPE_LAYER_ADAPTIVE_AVG_POOL, "adaptive_avg_pool", N_("Adaptive average pooling"), ENVELOPE_CATEGORY_POOLING,
      F (OUTPUT_SIZE), F (OUTPUT_SIZE), 1, 1, FALSE }, infer_adaptive_pool, 0, SAVES (INPUT) },
  { { ENVELOPE_LAYER_ADAPTIVE_MAX_POOL, "adaptive_max_pool", N_("Adaptive max pooling"), ENVELOPE_CATEGORY_POOLING,
      F (OUTPUT_SIZE), F (OUTPUT_SIZE), 1, 1, FALSE }, infer_adaptive_pool, 0, SAVES (INPUT) | SAVES (INDICES) },
  { { ENVELOPE_LAYER_REDUCE, "reduce", N_("Reduce"), ENVELOPE_CATEGORY_POOLING,
      F (OPERATION) | F (AXES) | F (KEEP_DIMS), F (AXES), 1, 1, FALSE }, infer_reduce, 0, SAVES (INPUT) },
};
const guint envelope_n_kinds_structure = G_N_ELEMENTS (envelope_kinds_structure);
