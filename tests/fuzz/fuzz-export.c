/* fuzz-export.c: any file, drawn
 *
 * One input is read as any format Envelope opens, analysed, turned into
 * a diagram with options picked by the input's hash (style, direction,
 * collapsing, wrapping, folded runs, colours, theme, receptive field, a
 * selection), laid out by Graphviz and drawn to PNG, SVG and PDF in
 * memory.  Each export is either a file of its format or an export
 * error.  Networks beyond FUZZ_MAX_LAYERS layers are skipped, so that no
 * single input spends seconds in Graphviz (the CLI refuses what is too
 * large to lay out; tests/test-export-cli.c checks that).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-export"

#include "config.h"

#include <string.h>

#include "envelope-analysis.h"
#include "envelope-hash.h"
#include "envelope-import.h"
#include "envelope-network.h"
#include "envelope-render.h"
#include "fuzz.h"

#define FUZZ_MAX_LAYERS 48

/* Cairo's SVG is XML: it must parse. */
static void
assert_well_formed (const char *text,
                    gsize       length)
{
  static const GMarkupParser parser = { NULL };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_markup_parse_context_parse (context, text, (gssize) length, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_error ("the SVG export is not well-formed XML: %s", error->message);
}

static void
check_export (const EnvelopeDiagram       *diagram,
              const EnvelopeLayout        *layout,
              const EnvelopeRenderOptions *render_options,
              EnvelopeExportFormat         format)
{
  EnvelopeExportOptions options;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length = 0;

  envelope_export_options_init (&options);
  options.format = format;
  options.scale = 0.25;
  bytes = envelope_export_to_bytes (diagram, layout, render_options, &options, &error);
  if (bytes == NULL)
    {
      g_assert_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_TOO_LARGE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  switch (format)
    {
    case ENVELOPE_EXPORT_PNG:
      g_assert_true (length > 8 && memcmp (data, "\211PNG\r\n\032\n", 8) == 0);
      break;
    case ENVELOPE_EXPORT_SVG:
      g_assert_true (length > 5 && memcmp (data, "<?xml", 5) == 0);
      assert_well_formed (data, length);
      break;
    case ENVELOPE_EXPORT_PDF:
    default:
      g_assert_true (length > 5 && memcmp (data, "%PDF-", 5) == 0);
      break;
    }
}

gboolean
fuzz_one (const guint8 *data,
          gsize         size)
{
  static const EnvelopeExportFormat formats[] = { ENVELOPE_EXPORT_PNG, ENVELOPE_EXPORT_SVG, ENVELOPE_EXPORT_PDF };
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeDiagram) diagram = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gboolean *recomputed = NULL;
  EnvelopeDiagramOptions diagram_options;
  EnvelopeRenderOptions render_options;
  guint64 pick = envelope_hash_bytes (ENVELOPE_HASH_START, data, size);
  guint n_layers;

  network = envelope_import_load_data (data, size, "fuzz", NULL, NULL, &error);
  if (network == NULL)
    return FALSE;
  n_layers = envelope_network_get_n_layers (network);
  if (n_layers > FUZZ_MAX_LAYERS)
    return FALSE;
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  if (analysis == NULL)
    return FALSE;
  n_layers = envelope_analysis_get_n_layers (analysis);

  envelope_diagram_options_init (&diagram_options);
  envelope_render_options_init (&render_options);
  diagram_options.style = (pick & 1) ? ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL : ENVELOPE_DIAGRAM_STYLE_FLAT;
  diagram_options.direction = (pick & 2) ? ENVELOPE_DIRECTION_TOP_BOTTOM : ENVELOPE_DIRECTION_LEFT_RIGHT;
  diagram_options.collapse_depth = (pick >> 2) % 3;
  diagram_options.wrap = (pick & 16) ? 2 + (pick >> 5) % 3 : 0;
  diagram_options.receptive_field_room = (pick & 128) != 0;
  /* a slide's runs: repeats folded, a plain chain's runs grouped */
  diagram_options.fold_repeats = (pick & 4096) != 0;
  diagram_options.groups = (pick & 8192) ? ENVELOPE_GROUPS_RUNS : ENVELOPE_GROUPS_DEFAULT;
  render_options.color_mode = (EnvelopeColorMode) ((pick >> 8) % 4);
  render_options.memory_of = (pick & 1024) ? ENVELOPE_MEMORY_OF_PARAMETERS : ENVELOPE_MEMORY_OF_ACTIVATIONS;
  render_options.theme = (pick & 2048) ? ENVELOPE_THEME_DARK : ENVELOPE_THEME_LIGHT;
  render_options.receptive_field = diagram_options.receptive_field_room;
  render_options.transparent = (pick & 4096) != 0;
  render_options.units = (pick & 8192) ? ENVELOPE_UNITS_SI : ENVELOPE_UNITS_IEC;
  if (n_layers > 0 && (pick & 16384))
    render_options.receptive_field_layer = (gint) ((pick >> 16) % n_layers);
  if (n_layers > 0 && (pick & 32768))
    {
      recomputed = g_new0 (gboolean, n_layers);
      for (guint i = 0; i < n_layers; i++)
        recomputed[i] = ((pick >> (i % 64)) & 1) != 0;
      render_options.recomputed = recomputed;
    }

  diagram = envelope_diagram_new (analysis, &diagram_options);
  if (envelope_diagram_get_n_blocks (diagram) > 0 && (pick & (G_GUINT64_CONSTANT (1) << 40)))
    render_options.selected_block = (gint) ((pick >> 41) % envelope_diagram_get_n_blocks (diagram));
  layout = envelope_layout_new (diagram, &error);
  if (layout == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return TRUE;
    }
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    check_export (diagram, layout, &render_options, formats[f]);
  return TRUE;
}
