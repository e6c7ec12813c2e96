/* envelope-kinds-structure.c: kinds that move values without computing
 *
 * Flatten and concatenation: they change a tensor's shape, not its
 * values, and do no arithmetic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-kind"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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

const EnvelopeKindRow envelope_kinds_structure[] = {
  { { ENVELOPE_LAYER_FLATTEN, "flatten", N_("Flatten"), ENVELOPE_CATEGORY_RESHAPE,
      0, 0, 1, 1, FALSE }, infer_flatten, 0 },
  { { ENVELOPE_LAYER_CONCAT, "concat", N_("Concatenate"), ENVELOPE_CATEGORY_MERGE,
      F (AXIS), 0, 1, G_MAXUINT, FALSE }, infer_concat, 0 },
};
const guint envelope_n_kinds_structure = G_N_ELEMENTS (envelope_kinds_structure);
