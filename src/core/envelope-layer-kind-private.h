/* envelope-layer-kind-private.h: what the kind families share
 *
 * The kinds' rules live in one file per family (envelope-kinds-*.c):
 * each file holds its kinds' rows (settings, inputs, in-place flag) and
 * the functions that infer a layer's output shape, parameters,
 * multiply-adds, other work, receptive field and the worked formula of
 * each.  envelope-layer-kind.c gathers the rows into the one registry
 * every front end reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <inttypes.h>

#include "envelope-analysis-private.h"
#include "envelope-error-private.h"
#include "envelope-format.h"
#include "envelope-layer-kind.h"

G_BEGIN_DECLS

typedef gboolean (*EnvelopeInferFunc) (EnvelopeInference *inf,
                                       GError           **error);

typedef struct
{
  EnvelopeLayerKind kind;
  EnvelopeInferFunc infer;
  guint ops_per_value;       /* other ops per output value, for elementwise kinds */
  guint saves;               /* EnvelopeSaves; the infer function may change it */
} EnvelopeKindRow;

#define SAVES(x) ENVELOPE_SAVES_##x

#define ENVELOPE_F(x) ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##x)

/* Each family's rows, in the order the palette lists them. */
extern const EnvelopeKindRow envelope_kinds_convolution[];
extern const guint envelope_n_kinds_convolution;
extern const EnvelopeKindRow envelope_kinds_elementwise[];
extern const guint envelope_n_kinds_elementwise;
extern const EnvelopeKindRow envelope_kinds_structure[];
extern const guint envelope_n_kinds_structure;
extern const EnvelopeKindRow envelope_kinds_normalization[];
extern const guint envelope_n_kinds_normalization;
extern const EnvelopeKindRow envelope_kinds_tokens[];
extern const guint envelope_n_kinds_tokens;
extern const EnvelopeKindRow envelope_kinds_attention[];
extern const guint envelope_n_kinds_attention;

/* ------------------------------------------------------------------ */
/* Worked formulas                                                     */

/* "{}" in @template stands for the next value: a count grouped by
 * thousands (9,216), or a real number as the receptive field has them. */
char *envelope_format_counts (const char    *template,
                              const guint64 *values,
                              gsize          n_values);
char *envelope_format_reals  (const char   *template,
                              const double *values,
                              gsize         n_values);
/* g_strdup_printf (@template, @value) for a template whose one
 * conversion is a "%s" (a translation may move it), without printf. */
char *envelope_format_string (const char *template,
                              const char *value);

#define COUNTS(...) (const guint64[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const guint64[]) { __VA_ARGS__ }))
#define REALS(...) (const double[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const double[]) { __VA_ARGS__ }))

/* Whether the worked formulas are asked for.  A report that has the
 * formulas of a layer worked out alike (envelope_formula_cache_explain())
 * asks for the receptive field's alone: the code that writes the
 * receptive field's formulas (its size, jump and start) asks
 * explaining_receptive_field(), every other formula explaining(). */
static inline gboolean
explaining (EnvelopeInference *inf)
{
  return inf->formulas != NULL && !inf->receptive_field_only;
}

static inline gboolean
explaining_receptive_field (EnvelopeInference *inf)
{
  return inf->formulas != NULL;
}

/* The rule a figure's formula follows, in symbols, as the lecture
 * writes it ("weights = depth_n × (kernel_h × kernel_w) × depth_(n−1)"):
 * set beside the formula, by the code that works it out.  Takes @rule. */
void  envelope_inference_take_rule   (EnvelopeInference *inf,
                                      EnvelopeFigure     figure,
                                      char              *rule);
/* Rules are made only when asked for (envelope_analysis_explain_rules()):
 * the formulas of a report, written for every layer, make no text that
 * would be thrown away.  envelope_inference_set_rule() evaluates @rule
 * only then. */
static inline gboolean
explaining_rules (EnvelopeInference *inf)
{
  return inf->rules != NULL;
}
#define envelope_inference_set_rule(inf, figure, rule) \
  G_STMT_START { if (explaining_rules (inf)) envelope_inference_take_rule ((inf), (figure), (rule)); } G_STMT_END
/* "H_out × W_out", "k_d × k_h × k_w": one symbol per spatial axis */
char *envelope_axis_symbols          (const char        *stem,
                                      const char        *suffix,
                                      guint              n_axes,
                                      const char        *separator);
void  envelope_inference_set_formula (EnvelopeInference *inf,
                                      EnvelopeFigure     figure,
                                      char              *text);
/* One text when every axis agrees, "H: …; W: …" when they do not; takes
 * the texts. */
char *envelope_join_axes             (char             **texts,
                                      guint              n_axes,
                                      guint              rank);
const char *envelope_axis_name       (guint              axis,
                                      guint              n_axes);

/* ------------------------------------------------------------------ */
/* Checked arithmetic: an overflow is an error, never a wrap           */

gboolean envelope_inference_overflow (EnvelopeInference *inf,
                                      const char        *figure,
                                      GError           **error);

/* Inline: every kind multiplies sizes several times per layer, and the
 * factors are mostly constants the compiler can see. */
static inline gboolean
envelope_checked_product (EnvelopeInference *inf,
                          const char        *figure,
                          guint64           *result,
                          const guint64     *factors,
                          gsize              n_factors,
                          GError           **error)
{
  guint64 acc = 1;

  for (gsize i = 0; i < n_factors; i++)
    if (G_UNLIKELY (!g_uint64_checked_mul (&acc, acc, factors[i])))
      {
        *result = 0;
        return envelope_inference_overflow (inf, figure, error);
      }
  *result = acc;
  return TRUE;
}

static inline gboolean
envelope_checked_sum (EnvelopeInference *inf,
                      const char        *figure,
                      guint64           *result,
                      guint64            a,
                      guint64            b,
                      GError           **error)
{
  if (G_UNLIKELY (!g_uint64_checked_add (result, a, b)))
    {
      *result = 0;
      return envelope_inference_overflow (inf, figure, error);
    }
  return TRUE;
}

#define PRODUCT(inf, figure, result, error, ...) \
  envelope_checked_product (inf, figure, result, COUNTS (__VA_ARGS__), error)

/* ------------------------------------------------------------------ */
/* Shapes and receptive fields                                         */

static inline guint
envelope_spatial_axes (const EnvelopeLayerFigures *f)
{
  return f->layout == ENVELOPE_TENSOR_MAP ? f->rank - 1 : 0;
}

/* The number of features per position: C of a map, D of tokens, N of a vector. */
static inline guint64
envelope_features (const EnvelopeLayerFigures *f)
{
  return f->layout == ENVELOPE_TENSOR_TOKENS ? f->shape[1] : f->shape[0];
}

gboolean envelope_require_map        (EnvelopeInference          *inf,
                                      const EnvelopeLayerFigures *in,
                                      GError                    **error);
gboolean envelope_check_list_length  (EnvelopeInference          *inf,
                                      EnvelopeField               field,
                                      guint                       n_axes,
                                      GError                    **error);
void     envelope_copy_shape         (EnvelopeLayerFigures       *out,
                                      const EnvelopeLayerFigures *in);
char    *envelope_describe_shape_list (EnvelopeInference         *inf);
gboolean envelope_resolve_axis       (EnvelopeInference          *inf,
                                      const char                 *field,
                                      gint64                      axis,
                                      guint                       rank,
                                      guint                      *resolved,
                                      GError                    **error);

void     envelope_receptive_field_unchanged (EnvelopeInference          *inf,
                                             const EnvelopeLayerFigures *in);
void     envelope_receptive_field_whole     (EnvelopeInference          *inf,
                                             const EnvelopeLayerFigures *in);
void     envelope_receptive_field_remixed   (EnvelopeInference          *inf,
                                             const EnvelopeLayerFigures *in);
void     envelope_receptive_field_merge     (EnvelopeInference          *inf);

G_END_DECLS
