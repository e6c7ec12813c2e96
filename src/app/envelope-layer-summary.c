/* envelope-layer-summary.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-summary"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-format.h"
#include "envelope-layer-summary.h"
#include "envelope-report.h"

/* "conv1_2, conv 3×3, 64, reads relu1_1: output 64×224×224, 36,928
 * parameters, 1,849,688,064 MACs, 2.4% of the activations, receptive
 * field 5".  @inputs names what the layer reads, or is NULL for an
 * input; @figures is NULL while the layer has none (the network is
 * invalid), and only what the layer is gets said. */
char *
envelope_layer_summary (const EnvelopeLayer        *layer,
                        const char                 *inputs,
                        const EnvelopeLayerFigures *figures,
                        const EnvelopeTotals       *totals)
{
  GString *out = g_string_new (NULL);
  g_autofree char *kind = envelope_layer_describe (layer);

  g_return_val_if_fail (layer != NULL, NULL);

  g_string_append_printf (out, "%s, %s", layer->name, kind);
  if (inputs != NULL && inputs[0] != '\0')
    g_string_append_printf (out, _(", reads %s"), inputs);
  if (figures == NULL)
    {
      g_string_append (out, _(": no figures until the network is valid"));
      return g_string_free (out, FALSE);
    }
  else
    {
      g_autofree char *shape = envelope_format_shape (figures->rank, figures->shape);
      g_autofree char *params = envelope_format_count (figures->params);
      g_autofree char *macs = envelope_format_count (figures->macs);
      g_autofree char *share = envelope_format_percent (figures->activations, totals ? totals->activations_all : 0);
      g_autofree char *receptive_field = envelope_report_receptive_field (&figures->receptive_field,
                                                                                   totals ? totals->input_extent : NULL);

      g_string_append_printf (out, _(": output %s, %s parameters, %s MACs, %s of the activations, "
                                     "receptive field %s"),
                              shape, params, macs, share, receptive_field);
    }
  return g_string_free (out, FALSE);
}

/* "relu1_1", or "layer1/0/relu2 and layer1/0/downsample": the layers
 * @layer of @document reads, as its analysis resolved them. */
char *
envelope_layer_summary_dup_inputs (EnvelopeDocument *document,
                                   guint             layer)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (document);
  const EnvelopeNetwork *network = envelope_document_get_network (document);
  const EnvelopeLayer *settings = envelope_network_get_layer (network, layer);
  gint f = envelope_document_get_figures_index (document, layer);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (f >= 0)
    {
      const EnvelopeLayerFigures *figures = envelope_analysis_get_layer (analysis, (guint) f);
      const EnvelopeNetwork *analysed = envelope_analysis_get_network (analysis);

      for (guint i = 0; i < figures->n_inputs; i++)
        g_ptr_array_add (names, envelope_network_get_layer (analysed, figures->inputs[i])->name);
    }
  else if (settings->inputs != NULL)
    {
      for (guint i = 0; settings->inputs[i] != NULL; i++)
        g_ptr_array_add (names, settings->inputs[i]);
    }
  else if (layer > 0 && settings->type != ENVELOPE_LAYER_INPUT)
    g_ptr_array_add (names, envelope_network_get_layer (network, layer - 1)->name);

  if (names->len == 0)
    return NULL;
  if (names->len == 1)
    return g_strdup (g_ptr_array_index (names, 0));
  {
    GString *out = g_string_new (NULL);

    for (guint i = 0; i < names->len; i++)
      {
        if (i > 0)
          g_string_append (out, i + 1 == names->len ? _(" and ") : ", ");
        g_string_append (out, g_ptr_array_index (names, i));
      }
    return g_string_free (out, FALSE);
  }
}

/* The summary of layer @layer of @document, as its figures are now. */
char *
envelope_layer_summary_for_document (EnvelopeDocument *document,
                                     guint             layer)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (document);
  const EnvelopeNetwork *network = envelope_document_get_network (document);
  gint f = envelope_document_get_figures_index (document, layer);
  g_autofree char *inputs = NULL;

  g_return_val_if_fail (layer < envelope_network_get_n_layers (network), NULL);

  inputs = envelope_layer_summary_dup_inputs (document, layer);
  return envelope_layer_summary (envelope_network_get_layer (network, layer), inputs,
                                 f >= 0 ? envelope_analysis_get_layer (analysis, (guint) f) : NULL,
                                 analysis ? envelope_analysis_get_totals (analysis) : NULL);
}
