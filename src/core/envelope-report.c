/* envelope-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-report"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-analysis-private.h"
#include "envelope-report.h"
#include "envelope-groups.h"

gboolean
envelope_report_format_from_string (const char           *str,
                                    EnvelopeReportFormat *format)
{
  static const char *names[] = { "table", "json", "csv", "markdown" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (str, names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

static void
append_sizes (GString       *out,
              const double  *size,
              guint          n_axes)
{
  gboolean square = TRUE;

  envelope_format_append_real (out, size[0]);
  for (guint a = 1; a < n_axes; a++)
    square &= size[a] == size[0];
  for (guint a = 1; !square && a < n_axes; a++)
    {
      g_string_append (out, "×");
      envelope_format_append_real (out, size[a]);
    }
}

/* "212", "212×180", "404 (larger than the 224-px input: sees all of
 * it)", with a causal or misalignment mark.  A field as large as the
 * input or larger says so against the input's own size: "whole 404"
 * read like a mistake. */
char *
envelope_report_receptive_field (const EnvelopeReceptiveField *rf,
                                 const guint64                *input_extent)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  gboolean larger = FALSE, known = rf->n_axes > 0 && input_extent != NULL;
  double input[ENVELOPE_MAX_SPATIAL] = { 0 };

  append_sizes (out, rf->size, MAX (rf->n_axes, 1));
  for (guint a = 0; known && a < MIN (rf->n_axes, ENVELOPE_MAX_SPATIAL); a++)
    {
      input[a] = (double) input_extent[a];
      known &= input[a] > 0;
      larger |= rf->size[a] > input[a];
    }
  if (known && (larger || rf->whole_input))
    {
      g_autoptr(GString) input_text = g_string_new (NULL);

      append_sizes (input_text, input, rf->n_axes);
      /* an image's or a video's pixels; a sequence's or a signal's positions */
      if (rf->n_axes >= 2)
        g_ptr_array_add (notes, g_strdup_printf (larger && rf->whole_input ? _("larger than the %s-px input: sees all of it")
                                                 : larger ? _("larger than the %s-px input")
                                                 : _("all of the %s-px input"), input_text->str));
      else
        g_ptr_array_add (notes, g_strdup_printf (larger && rf->whole_input ? _("more than the input's %s positions: sees all of them")
                                                 : larger ? _("more than the input's %s positions")
                                                 : _("all of the input's %s positions"), input_text->str));
    }
  else if (rf->whole_input)
    g_ptr_array_add (notes, g_strdup (_("all of the input")));
  if (rf->causal)
    g_ptr_array_add (notes, g_strdup (_("causal")));
  if (rf->misaligned)
    g_ptr_array_add (notes, g_strdup (_("misaligned")));
  /* "404 (larger than the 224-px input: sees all of it; misaligned)" */
  for (guint i = 0; i < notes->len; i++)
    {
      g_string_append (out, i == 0 ? " (" : "; ");
      g_string_append (out, g_ptr_array_index (notes, i));
    }
  if (notes->len > 0)
    g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Rows: a layer, or a group of consecutive layers                     */

typedef struct
{
  char *name;
  char *group;               /* the layers' group, when grouped */
  char *kind;
  char *shape;
  guint64 params;
  guint64 macs;
  guint64 other_ops;
  guint64 activations;
  EnvelopeReceptiveField receptive_field;
  EnvelopeLayerState state;  /* FAILED if a member failed, else NOT_ANALYSED if one was not */
  guint first, last;
} Row;

/* What a row without figures says in place of its output. */
static const char *
state_text (EnvelopeLayerState state)
{
  return state == ENVELOPE_LAYER_FAILED ? _("error (see below)") : _("not analysed");
}

static void
row_clear (Row *row)
{
  g_free (row->group);
  g_free (row->name);
  g_free (row->kind);
  g_free (row->shape);
}

/* The row that starts at layer *@next: the layer, or with @groups, the
 * run of consecutive layers of its group; moves *@next past it.  Rows
 * are made one at a time, so that a table of a million layers is never
 * whole in memory. */
static gboolean
next_row (const EnvelopeAnalysis *analysis,
          const EnvelopeGroups   *groups,
          guint                  *next,
          Row                    *row)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  guint n = envelope_analysis_get_n_layers (analysis);
  const EnvelopeLayer *layer;
  const EnvelopeLayerFigures *f;

  if (*next >= n)
    return FALSE;
  layer = envelope_network_get_layer (network, *next);
  *row = (Row) { 0 };
  row->first = *next;
  row->group = groups != NULL ? envelope_groups_get_group (groups, *next, 1, NULL) : NULL;
  row->name = g_strdup (row->group != NULL ? row->group : layer->name);
  for (;;)
    {
      g_autofree char *group = NULL;

      f = envelope_analysis_get_layer (analysis, *next);
      row->last = (*next)++;
      if (f->state == ENVELOPE_LAYER_FAILED || (f->state != ENVELOPE_LAYER_ANALYSED && row->state == ENVELOPE_LAYER_ANALYSED))
        row->state = f->state;
      row->params += f->params;
      row->macs += f->macs;
      row->other_ops += f->other_ops;
      row->activations += f->activations;
      row->receptive_field = f->receptive_field;
      if (row->group == NULL || *next >= n)
        break;
      group = envelope_groups_get_group (groups, *next, 1, NULL);
      if (g_strcmp0 (group, row->group) != 0)
        break;
    }
  row->shape = envelope_format_shape (f->rank, f->shape);
  /* a group says what it holds: "2 conv, max_pool" */
  if (row->last > row->first)
    {
      g_autofree guint *members = g_new (guint, row->last - row->first + 1);

      for (guint i = row->first; i <= row->last; i++)
        members[i - row->first] = i;
      row->kind = envelope_network_describe_layers (network, members, row->last - row->first + 1);
    }
  else
    row->kind = envelope_layer_describe (layer);
  return TRUE;
}

static char *
format_ops (guint64                      macs,
            const EnvelopeReportOptions *options)
{
  guint64 value = options->flops ? macs * 2 : macs;

  return options->scientific ? envelope_format_scientific (value) : envelope_format_count (value);
}

/* ------------------------------------------------------------------ */
/* Plain-text table                                                    */

typedef struct
{
  guint n_columns;
  gboolean *right;
  GPtrArray *cells;          /* n_columns per row; NULL row = a rule */
} Table;

static void
table_add (Table      *table,
           const char *first,
           ...)
{
  va_list args;
  const char *cell = first;

  va_start (args, first);
  for (guint c = 0; c < table->n_columns; c++)
    {
      g_ptr_array_add (table->cells, g_strdup (cell ? cell : ""));
      cell = c + 1 < table->n_columns ? va_arg (args, const char *) : NULL;
    }
  va_end (args);
}

/* In Markdown, every ASCII punctuation mark that can start or end a
 * span (emphasis, code, links, HTML, a table cell: a "|" in a name
 * would end the cell early) is written behind a backslash. */
static gboolean
is_markdown_mark (char c)
{
  return c != '\0' && strchr ("\\`*_[]<>|~&!#", c) != NULL;
}

/* A cell's width in characters, as written. */
static guint
cell_width (const char *cell,
            gboolean    markdown)
{
  guint width = 0;

  for (const char *p = cell; *p != '\0'; p++)
    width += ((guchar) *p & 0xc0) != 0x80 ? 1 + (markdown && is_markdown_mark (*p)) : 0;
  return width;
}

static void
table_measure_row (guint              n_columns,
                   guint             *widths,
                   const char *const *cells,
                   gboolean           markdown)
{
  for (guint c = 0; c < n_columns; c++)
    widths[c] = MAX (widths[c], cell_width (cells[c], markdown));
}

/* One row, padded to @widths; the first row of a Markdown table is its
 * heading, followed by the rule that aligns the columns. */
static void
table_write_row (GString           *out,
                 guint              n_columns,
                 const guint       *widths,
                 const gboolean    *right,
                 const char *const *cells,
                 gboolean           markdown,
                 gboolean           heading)
{
  static const char spaces[] = "                                                                ";

  if (markdown)
    g_string_append (out, "| ");
  for (guint c = 0; c < n_columns; c++)
    {
      const char *cell = cells[c];
      guint pad = widths[c] - cell_width (cell, markdown);

      for (guint k = 0; right[c] && k < pad; k += sizeof spaces - 1)
        g_string_append_len (out, spaces, MIN (pad - k, sizeof spaces - 1));
      if (markdown)
        for (const char *p = cell; *p != '\0'; p++)
          {
            if (is_markdown_mark (*p))
              g_string_append_c (out, '\\');
            g_string_append_c (out, *p);
          }
      else
        g_string_append (out, cell);
      if (!right[c] && (markdown || c + 1 < n_columns))
        for (guint k = 0; k < pad; k += sizeof spaces - 1)
          g_string_append_len (out, spaces, MIN (pad - k, sizeof spaces - 1));
      if (markdown)
        g_string_append (out, " |");
      if (c + 1 < n_columns)
        g_string_append (out, markdown ? " " : "  ");
    }
  while (!markdown && out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  g_string_append_c (out, '\n');
  if (markdown && heading)
    {
      g_string_append (out, "|");
      for (guint c = 0; c < n_columns; c++)
        {
          g_string_append_c (out, right[c] ? '-' : ':');
          for (guint k = 0; k < widths[c]; k++)
            g_string_append_c (out, '-');
          g_string_append (out, right[c] ? ":|" : "-|");
        }
      g_string_append_c (out, '\n');
    }
}

/* @text as Markdown shows it literally: every ASCII punctuation mark
 * that can start or end a span (emphasis, code, links, HTML, a table
 * cell) behind a backslash. */
static char *
markdown_escape (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (is_markdown_mark (*p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* A description, line by line, as Markdown shows it literally: its
 * marks escaped, and what would start a heading, a list or a rule at the
 * start of a line ("# ", "- ", "+ ", "= ", "1. ") escaped there too. */
static void
markdown_append_lines (GString    *out,
                       const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *escaped = markdown_escape (lines[i]);
      const char *p = escaped;

      while (*p == ' ')
        p++;
      g_string_append_len (out, escaped, p - escaped);
      if (*p == '-' || *p == '+' || *p == '=')
        g_string_append_c (out, '\\');
      else if (g_ascii_isdigit (*p))
        {
          const char *q = p;

          while (g_ascii_isdigit (*q))
            q++;
          if (*q == '.' || *q == ')')
            {
              g_string_append_len (out, p, q - p);
              p = q;
              g_string_append_c (out, '\\');
            }
        }
      g_string_append (out, p);
      g_string_append_c (out, '\n');
    }
}

static void
table_write (Table   *table,
             GString *out,
             gboolean markdown)
{
  g_autofree guint *widths = g_new0 (guint, table->n_columns);
  guint n_rows = table->cells->len / table->n_columns;
  const char *const *cells = (const char *const *) table->cells->pdata;

  for (guint r = 0; r < n_rows; r++)
    table_measure_row (table->n_columns, widths, cells + r * table->n_columns, markdown);
  for (guint r = 0; r < n_rows; r++)
    table_write_row (out, table->n_columns, widths, table->right, cells + r * table->n_columns, markdown, r == 0);
}

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->cells);
  g_free (table->right);
}

/* Where a report goes: kept in a string, or written to a file in pieces
 * as it grows, so that a report of a million layers is never whole in
 * memory. */
typedef struct
{
  GString *out;
  FILE *file;                /* NULL: kept in out */
  int error;                 /* errno of the first write that failed, or 0 */
} Sink;

#define SINK_PIECE 65536

/* Writes @n bytes of @text to @sink's file, unless a write failed
 * already: the first failure is the one reported. */
static void
sink_fwrite (Sink       *sink,
             const char *text,
             gsize       n)
{
  if (sink->error == 0 && n > 0 && fwrite (text, 1, n, sink->file) != n)
    sink->error = errno != 0 ? errno : EIO;
}

/* Writes out what @sink holds once it is a piece's worth, or, with
 * @all, whatever it holds. */
static void
sink_spill (Sink     *sink,
            gboolean  all)
{
  if (sink->file == NULL || (!all && sink->out->len < SINK_PIECE))
    return;
  sink_fwrite (sink, sink->out->str, sink->out->len);
  g_string_truncate (sink->out, 0);
}

/* Adds @n bytes of @text: to a file, what it holds then @text itself,
 * uncopied. */
static void
sink_write (Sink       *sink,
            const char *text,
            gsize       n)
{
  if (sink->file == NULL)
    {
      g_string_append_len (sink->out, text, (gssize) n);
      return;
    }
  sink_spill (sink, TRUE);
  sink_fwrite (sink, text, n);
}

/* The cells of one row of the layer table, each to be freed. */
static void
layer_cells (const Row                   *row,
             const EnvelopeTotals        *t,
             const EnvelopeReportOptions *options,
             char                        *cells[9])
{
  cells[0] = g_strdup (row->name);
  cells[1] = g_strdup (row->kind);
  if (row->state != ENVELOPE_LAYER_ANALYSED)
    {
      /* no figures: the output says why */
      cells[2] = g_strdup (state_text (row->state));
      for (guint c = 3; c < 9; c++)
        cells[c] = g_strdup ("–");
      return;
    }
  cells[2] = g_strdup (row->shape);
  cells[3] = envelope_format_count (row->params);
  cells[4] = envelope_format_percent (row->params, t->params);
  cells[5] = format_ops (row->macs, options);
  cells[6] = envelope_format_percent (row->macs, t->macs);
  cells[7] = envelope_format_count (row->activations);
  cells[8] = envelope_report_receptive_field (&row->receptive_field, t->input_extent);
}

/* The table of layers, in two passes over the rows: the first measures
 * the columns, the second writes the rows as they are made. */
static void
write_layer_table (const EnvelopeAnalysis      *analysis,
                   const EnvelopeReportOptions *options,
                   Sink                        *sink,
                   gboolean                     markdown)
{
  const EnvelopeTotals *t = envelope_analysis_get_totals (analysis);
  static const gboolean right[9] = { FALSE, FALSE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE };
  const char *heading[9] = {
    options->grouped ? _("group") : _("layer"), _("kind"), _("output"), _("params"), _("params %"),
    options->flops ? _("FLOPs") : _("MACs"), options->flops ? _("FLOPs %") : _("MACs %"),
    _("activations"), _("receptive field"),
  };
  g_autofree char *total_params = envelope_format_count (t->params);
  g_autofree char *total_macs = format_ops (t->macs, options);
  g_autofree char *total_activations = envelope_format_count (t->activations_all);
  const char *total[9] = {
    envelope_analysis_is_partial (analysis) ? _("total so far") : _("total"), "", "", total_params,
    t->params ? "100.0%" : "–", total_macs, t->macs ? "100.0%" : "–",
    total_activations, "",
  };
  guint widths[9] = { 0 };
  const EnvelopeGroups *groups = options->grouped ? envelope_analysis_get_groups (analysis, ENVELOPE_GROUPS_DEFAULT)
                                                  : NULL;

  for (guint pass = 0; pass < 2; pass++)
    {
      gboolean measure = pass == 0;
      guint next = 0;
      Row row;

      if (measure)
        table_measure_row (9, widths, heading, markdown);
      else
        table_write_row (sink->out, 9, widths, right, heading, markdown, TRUE);
      while (next_row (analysis, groups, &next, &row))
        {
          char *cells[9];

          layer_cells (&row, t, options, cells);
          if (measure)
            table_measure_row (9, widths, (const char *const *) cells, markdown);
          else
            {
              table_write_row (sink->out, 9, widths, right, (const char *const *) cells, markdown, FALSE);
              sink_spill (sink, FALSE);
            }
          for (guint c = 0; c < 9; c++)
            g_free (cells[c]);
          row_clear (&row);
        }
      if (measure)
        table_measure_row (9, widths, total, markdown);
      else
        table_write_row (sink->out, 9, widths, right, total, markdown, FALSE);
    }
}

static void
append_bytes_figure (GString       *out,
                     guint64        bytes,
                     EnvelopeUnits  units)
{
  g_autofree char *human = envelope_format_bytes (bytes, units);

  g_string_append (out, human);
  if (bytes < 1000)
    return;
  g_string_append (out, " (");
  envelope_format_append_count (out, bytes);
  g_string_append (out, " B)");
}

/* "3 layers of unknown cost (RoiAlign ×2, NonMaxSuppression)": what the
 * totals leave out, by operator in the order they first appear. */
static void
append_unknown_cost (const EnvelopeAnalysis *analysis,
                     GString                *out,
                     const char             *bullet)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  g_autoptr(GPtrArray) operators = NULL;
  g_autoptr(GArray) counts = NULL;
  guint total = 0;

  if (envelope_analysis_get_totals (analysis)->unknown_cost_layers == 0)
    return;
  operators = g_ptr_array_new ();
  counts = g_array_new (FALSE, TRUE, sizeof (guint));
  for (guint i = 0; i < envelope_network_get_n_layers (network); i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
      const char *op;
      guint k;

      if (layer->type != ENVELOPE_LAYER_UNKNOWN)
        continue;
      op = layer->operator_name != NULL ? layer->operator_name : "?";
      for (k = 0; k < operators->len && !g_str_equal (g_ptr_array_index (operators, k), op); k++)
        ;
      if (k == operators->len)
        {
          guint zero = 0;

          g_ptr_array_add (operators, (gpointer) op);
          g_array_append_val (counts, zero);
        }
      g_array_index (counts, guint, k)++;
      total++;
    }
  if (total == 0)
    return;
  g_string_append (out, bullet);
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u layer of unknown cost (", "%u layers of unknown cost (", total),
                          total);
  for (guint k = 0; k < operators->len; k++)
    {
      g_string_append_printf (out, k > 0 ? ", %s" : "%s", (const char *) g_ptr_array_index (operators, k));
      if (g_array_index (counts, guint, k) > 1)
        g_string_append_printf (out, " ×%u", g_array_index (counts, guint, k));
    }
  g_string_append (out, _("): not in the totals\n"));
}

/* Generating text: prefill and decode apart, and what fits. */
static void
write_generation (const EnvelopeAnalysis      *analysis,
                  const EnvelopeReportOptions *options,
                  GString                     *out,
                  gboolean                     markdown)
{
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  const typeof (m->generation) *g = &m->generation;
  Table table = { 4, NULL, g_ptr_array_new_with_free_func (g_free) };
  static const gboolean right[4] = { FALSE, TRUE, TRUE, TRUE };
  g_autofree char *prompt = NULL, *generated = NULL, *batch = NULL;

  if (g->prompt + g->generated == 0)
    return;
  prompt = envelope_format_count (g->prompt);
  generated = envelope_format_count (g->generated);
  batch = envelope_format_count (m->batch);
  g_string_append_printf (out, "\n%s", markdown ? "### " : "");
  g_string_append_printf (out, _("Generating text: a prompt of %s tokens and %s new, batch %s, %s key/value cache\n\n"),
                          prompt, generated, batch, envelope_dtype_to_string (g->kv_cache));
  if (g->cache_layers == 0)
    {
      g_string_append (out, _("No layer keeps a key/value cache: the network has no causal attention.\n"));
      table_free (&table);
      return;
    }
  table.right = g_memdup2 (right, sizeof right);
  table_add (&table, "", _("prefill"), _("decode"), "");
  {
    struct { const char *label; guint64 prefill, decode; } rows[] = {
      { N_("weights"), g->weights, g->weights },
      { N_("key/value cache"), g->cache_per_token * g->prompt * m->batch, g->cache },
      { N_("activations"), g->prefill_activations, g->decode_activations },
      { N_("CUDA context"), m->model == ENVELOPE_MEMORY_MODEL_PYTORCH ? m->pytorch.peak.bytes[ENVELOPE_STEP_CONTEXT] : 0,
        m->model == ENVELOPE_MEMORY_MODEL_PYTORCH ? m->pytorch.peak.bytes[ENVELOPE_STEP_CONTEXT] : 0 },
      { N_("total"), g->prefill_total, g->decode_total },
    };
    for (guint k = 0; k < G_N_ELEMENTS (rows); k++)
      {
        g_autofree char *p = envelope_format_bytes (rows[k].prefill, options->units);
        g_autofree char *d = envelope_format_bytes (rows[k].decode, options->units);
        table_add (&table, _(rows[k].label), p, d, "");
      }
  }
  table_write (&table, out, markdown);
  table_free (&table);
  {
    g_autofree char *per_token = envelope_format_count (g->cache_per_token);
    g_string_append_printf (out, _("\nThe cache keeps %s B per token of each sequence (keys and values of %u causal "
                                   "attention layers)."), per_token, g->cache_layers);
  }
  if (fit->device_memory > 0)
    {
      g_autofree char *max_batch = envelope_format_count (g->max_batch);
      g_autofree char *max_context = envelope_format_count (g->max_context);
      g_autofree char *total = envelope_format_count (g->prompt + g->generated);
      g_string_append_printf (out, _(" On %s: at most %s sequences of %s tokens; at batch %s, contexts of up to %s "
                                     "tokens."), fit->device ? fit->device : _("the given memory"),
                              max_batch, total, batch, max_context);
    }
  g_string_append_c (out, '\n');
}

/* The PyTorch model's step, term by term at its peak, and the lecture's
 * total beside it with the reason they differ. */
static void
write_pytorch_summary (const EnvelopeAnalysis      *analysis,
                       const EnvelopeReportOptions *options,
                       GString                     *out,
                       Table                       *table,
                       gboolean                     markdown)
{
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeStepPoint *peak = &m->pytorch.peak;
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);

  table_add (table, _("train step (PyTorch), at its peak"), _("bytes"), _("size"), _("share"));
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    {
      g_autofree char *bytes = envelope_format_count (peak->bytes[k]);
      g_autofree char *human = envelope_format_bytes (peak->bytes[k], options->units);
      g_autofree char *share = envelope_format_percent (peak->bytes[k], peak->total);

      table_add (table, envelope_step_term_get_label (k), bytes, human, share);
    }
  {
    g_autofree char *bytes = envelope_format_count (peak->total);
    g_autofree char *human = envelope_format_bytes (peak->total, options->units);
    table_add (table, _("total"), bytes, human, peak->total ? "100.0%" : "–");
  }
  {
    g_autofree char *bytes = envelope_format_count (m->pytorch.inference);
    g_autofree char *human = envelope_format_bytes (m->pytorch.inference, options->units);
    table_add (table, _("inference (eval, no_grad)"), bytes, human, "");
  }
  table_write (table, out, markdown);

  g_string_append_c (out, '\n');
  switch (peak->phase)
    {
    case ENVELOPE_STEP_FORWARD:
    case ENVELOPE_STEP_BACKWARD:
      /* before any layer: a network of no layers holds its fixed memory alone */
      if (peak->layer < 0)
        g_string_append (out, peak->phase == ENVELOPE_STEP_FORWARD ? _("The peak is at the start of the forward pass. ")
                                                                    : _("The peak is at the start of the backward pass. "));
      else
        g_string_append_printf (out, peak->phase == ENVELOPE_STEP_FORWARD ? _("The peak is in the forward pass of %s. ")
                                                                           : _("The peak is in the backward pass of %s. "),
                                envelope_network_get_layer (network, (guint) peak->layer)->name);
      break;
    case ENVELOPE_STEP_LOSS:
      g_string_append (out, _("The peak is at the loss, when the forward pass is done. "));
      break;
    case ENVELOPE_STEP_OPTIMIZER:
    default:
      g_string_append (out, _("The peak is in the optimizer step. "));
      break;
    }
  {
    g_autofree char *why = envelope_analysis_explain_models (analysis, options->units);
    g_string_append (out, why);
  }
  g_string_append (out, _(" --memory-model lecture gives its terms.\n"));
}

static void
write_summary (const EnvelopeAnalysis      *analysis,
               const EnvelopeReportOptions *options,
               GString                     *out,
               gboolean                     markdown)
{
  const EnvelopeTotals *t = envelope_analysis_get_totals (analysis);
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  const char *bullet = markdown ? "- " : "";
  Table table = { 4, NULL, g_ptr_array_new_with_free_func (g_free) };
  static const gboolean right[4] = { FALSE, TRUE, TRUE, TRUE };
  g_autofree char *fit_text = NULL;

  g_string_append_printf (out, "\n%s%s ", bullet, _("Parameters:"));
  envelope_format_append_count (out, t->params);
  g_string_append (out, " (");
  envelope_format_append_count (out, t->trainable_params);
  g_string_append (out, _(" trainable, "));
  envelope_format_append_count (out, t->non_trainable_params);
  g_string_append (out, _(" non-trainable); model size "));
  append_bytes_figure (out, t->model_bytes, options->units);
  g_string_append_printf (out, _(" in %s\n"), envelope_dtype_to_string (m->dtype));

  g_string_append_printf (out, "%s%s ", bullet, options->flops ? _("FLOPs (2 × MACs):") : _("MACs:"));
  envelope_format_append_count (out, options->flops ? t->flops : t->macs);
  g_string_append (out, _(" per sample; a training step "));
  envelope_format_append_count (out, options->flops ? t->training_flops : t->training_macs);
  g_string_append (out, _(" (3 × forward); other ops "));
  envelope_format_append_count (out, t->other_ops);
  g_string_append_c (out, '\n');

  g_string_append_printf (out, "%s%s ", bullet, _("Activations:"));
  envelope_format_append_count (out, t->activations_all);
  g_string_append (out, _(" values, all outputs; "));
  envelope_format_append_count (out, t->activations_peak);
  g_string_append (out, _(" peak live (with buffer reuse), per sample\n"));
  append_unknown_cost (analysis, out, bullet);

  g_string_append_printf (out, "\n%s", markdown ? "### " : "");
  g_string_append_printf (out, _("Memory at batch %" PRIu64 " (%s%s, %s)\n\n"),
                          m->batch, envelope_dtype_to_string (m->dtype),
                          m->mixed_precision ? _(", mixed precision") : "",
                          envelope_optimizer_to_string (m->optimizer));

  table.right = g_memdup2 (right, sizeof right);
  if (m->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      write_pytorch_summary (analysis, options, out, &table, markdown);
      table_free (&table);
      goto fit;
    }
  table_add (&table, _("train time"), _("bytes"), _("size"), _("share"));
  for (guint i = 0; i < ENVELOPE_N_MEMORY_TERMS; i++)
    {
      g_autofree char *bytes = envelope_format_count (m->train[i]);
      g_autofree char *human = envelope_format_bytes (m->train[i], options->units);
      g_autofree char *share = envelope_format_percent (m->train[i], m->train_total);

      table_add (&table, envelope_memory_term_get_label (i), bytes, human, share);
    }
  {
    g_autofree char *bytes = envelope_format_count (m->train_total);
    g_autofree char *human = envelope_format_bytes (m->train_total, options->units);
    table_add (&table, _("total"), bytes, human, m->train_total ? "100.0%" : "–");
  }
  {
    g_autofree char *bytes = envelope_format_count (m->test.total);
    g_autofree char *human = envelope_format_bytes (m->test.total, options->units);
    table_add (&table, _("test time (params + peak live + workspace)"), bytes, human, "");
  }
  table_write (&table, out, markdown);
  table_free (&table);

fit:
  fit_text = envelope_analysis_explain_fit (analysis);
  g_string_append_c (out, '\n');
  if (fit->device_memory > 0)
    {
      g_autofree char *memory = envelope_format_bytes (fit->device_memory, options->units);
      g_string_append_printf (out, _("%sFit on %s (%s): %s\n"), bullet,
                              fit->device ? fit->device : _("the given memory"), memory, fit_text);
    }
  else
    g_string_append_printf (out, _("%sFit: %s\n"), bullet, fit_text);
  write_generation (analysis, options, out, markdown);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

/* Written as it goes, in json-glib's pretty layout: building a tree of
 * nodes first, then writing and freeing it, took two thirds of a large
 * report's time.  Objects nest no deeper than a few levels. */
#define JSON_MAX_DEPTH 16

typedef struct
{
  GString *out;
  guint depth;
  gboolean filled[JSON_MAX_DEPTH]; /* each open object or array: has it a member yet */
  gboolean named;            /* a member's name is out: its value follows */
} JsonOut;

/* the sink keeps a piece's worth of room: see envelope_string_put() */
static inline void
put (GString    *out,
     const char *text,
     gsize       n)
{
  envelope_string_put (out, text, n);
}

static inline void
put_c (GString *out,
       char     c)
{
  put (out, &c, 1);
}

static void
json_newline (JsonOut *json)
{
  static const char indent[] = "\n                                ";

  G_STATIC_ASSERT (sizeof indent > 2 * JSON_MAX_DEPTH + 1);
  put (json->out, indent, 1 + 2 * json->depth);
}

/* Before a value or a member's name: the comma and the new line. */
static void
json_next (JsonOut *json)
{
  gboolean *filled;

  if (json->named)
    {
      json->named = FALSE;
      return;
    }
  if (json->depth == 0)
    return;   /* the root */
  filled = &json->filled[json->depth - 1];
  if (*filled)
    put_c (json->out, ',');
  *filled = TRUE;
  json_newline (json);
}

static void
json_quote (JsonOut    *json,
            const char *text)
{
  const char *end = text + strlen (text);
  const char *p = text;

  put_c (json->out, '"');
  for (;;)
    {
      gsize n = envelope_json_plain_run (text, p, end);
      guchar c;

      put (json->out, p, n);
      p += n;
      if (p == end)
        break;
      c = (guchar) *p++;
      switch (c)
        {
        case '"': g_string_append (json->out, "\\\""); break;
        case '\\': g_string_append (json->out, "\\\\"); break;
        case '\b': g_string_append (json->out, "\\b"); break;
        case '\f': g_string_append (json->out, "\\f"); break;
        case '\n': g_string_append (json->out, "\\n"); break;
        case '\r': g_string_append (json->out, "\\r"); break;
        case '\t': g_string_append (json->out, "\\t"); break;
        default:
          g_string_append_printf (json->out, "\\u%04x", c);
        }
    }
  put_c (json->out, '"');
}

static void
json_begin (JsonOut *json,
            char     bracket)
{
  json_next (json);
  put_c (json->out, bracket);
  g_assert (json->depth < JSON_MAX_DEPTH);
  json->filled[json->depth++] = FALSE;
}

static void
json_end (JsonOut *json,
          char     bracket)
{
  gboolean filled = json->filled[--json->depth];

  if (filled)
    json_newline (json);
  put_c (json->out, bracket);
}

/* A name where the fast way below does not serve: the first member of
 * the root, a name after a name, or a string near its end. */
static void
json_name_slow (JsonOut    *json,
                const char *name,
                gsize       n)
{
  json_next (json);
  put_c (json->out, '"');
  put (json->out, name, n);
  put (json->out, "\" : ", 4);
  json->named = TRUE;
}

/* Inlined where it is called, so that a literal name is copied with its
 * length known (a million-layer report writes 45 million names): the
 * comma, the new line, the indent and the name go in at once, a name
 * being one of the report's own keys, which need no escape. */
static inline G_ALWAYS_INLINE void
json_name_n (JsonOut    *json,
             const char *name,
             gsize       n)
{
  GString *out = json->out;
  gsize indent = 2 * json->depth;
  char *to;

  if (json->named || json->depth == 0 || out->len + 2 + indent + 8 + 1 + n + 4 >= out->allocated_len)
    {
      json_name_slow (json, name, n);
      return;
    }
  to = out->str + out->len;
  if (json->filled[json->depth - 1])
    *to++ = ',';
  json->filled[json->depth - 1] = TRUE;
  *to++ = '\n';
  /* eight spaces at a time: what goes past the indent is written over */
  for (gsize k = 0; k < indent; k += 8)
    memcpy (to + k, "        ", 8);
  to += indent;
  *to++ = '"';
  memcpy (to, name, n);
  to += n;
  memcpy (to, "\" : ", 4);
  to += 4;
  *to = '\0';
  out->len = (gsize) (to - out->str);
  json->named = TRUE;
}

/* a literal name's length is counted as the program is compiled */
#define json_name(json, name) \
  G_STMT_START { const char *name_ = (name); json_name_n ((json), name_, strlen (name_)); } G_STMT_END

/* add_count (json, "key", value) and the like: the same, for a member */
#define WITH_KEY(function, json, key, value) \
  G_STMT_START { const char *key_ = (key); function ((json), key_, strlen (key_), (value)); } G_STMT_END

static void
json_int (JsonOut *json,
          gint64   value)
{
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  /* the magnitude, without negating an unsigned value or overflowing
   * a signed one (G_MININT64) */
  guint64 magnitude = value < 0 ? (guint64) (-(value + 1)) + 1 : (guint64) value;

  json_next (json);
  /* a layer's figures are often 0 */
  if (value >= 0 && value < 10)
    {
      put_c (json->out, (char) ('0' + value));
      return;
    }
  if (value < 0)
    put_c (json->out, '-');
  put (json->out, digits, envelope_format_digits (digits, magnitude, FALSE));
}

static void
json_double (JsonOut *json,
             double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  json_next (json);
  /* JSON has no infinity: a receptive field too large for a double */
  if (!isfinite (value))
    put (json->out, "null", 4);
  else if (!envelope_format_append_half (json->out, value))
    {
      g_ascii_dtostr (buffer, sizeof buffer, value);
      put (json->out, buffer, strlen (buffer));
    }
}

static void
json_boolean (JsonOut  *json,
              gboolean  value)
{
  json_next (json);
  if (value)
    put (json->out, "true", 4);
  else
    put (json->out, "false", 5);
}

static void
json_string (JsonOut    *json,
             const char *value)
{
  json_next (json);
  if (value != NULL)
    json_quote (json, value);
  else
    put (json->out, "null", 4);
}

static inline G_ALWAYS_INLINE void
add_count_n (JsonOut    *json,
             const char *key,
             gsize       n,
             guint64     value)
{
  json_name_n (json, key, n);
  if (value <= G_MAXINT64)
    json_int (json, (gint64) value);
  else
    json_double (json, (double) value);
}

#define add_count(json, key, value) WITH_KEY (add_count_n, json, key, value)

static void
add_real (JsonOut *json,
          double   value)
{
  /* the cast is defined only inside gint64's range */
  if (fabs (value) < 9.2e18 && value == (double) (gint64) value)
    json_int (json, (gint64) value);
  else
    json_double (json, value);
}

static inline G_ALWAYS_INLINE void
add_real_pair_n (JsonOut      *json,
                 const char   *key,
                 gsize         n,
                 const double  pair[2])
{
  json_name_n (json, key, n);
  json_begin (json, '[');
  add_real (json, pair[0]);
  add_real (json, pair[1]);
  json_end (json, ']');
}

#define add_real_pair(json, key, value) WITH_KEY (add_real_pair_n, json, key, value)

static inline G_ALWAYS_INLINE void
add_string_n (JsonOut    *json,
              const char *key,
              gsize       n,
              const char *value)
{
  json_name_n (json, key, n);
  json_string (json, value);
}

#define add_string(json, key, value) WITH_KEY (add_string_n, json, key, value)

static inline G_ALWAYS_INLINE void
add_boolean_n (JsonOut    *json,
               const char *key,
               gsize       n,
               gboolean    value)
{
  json_name_n (json, key, n);
  json_boolean (json, value);
}

#define add_boolean(json, key, value) WITH_KEY (add_boolean_n, json, key, value)

/* A layer's JSON text from its output's shape through its memory, and
 * its formulas but the receptive field's, as written for a layer of the
 * formula cache's match (envelope_formula_cache_get_match()): another
 * layer of the same match has the same texts there. */
#define JSON_FRAGMENTS 16

typedef struct
{
  guint64 match;             /* 0: none */
  guint depth;               /* the writer's depth in the layer's object */
  GString *figures;
  GString *formulas;
  gboolean any_formula;      /* whether @formulas holds a member */
} JsonFragment;

/* What writes layer after layer, on one thread. */
typedef struct
{
  EnvelopeFormulaCache *formulas;
  JsonFragment fragments[JSON_FRAGMENTS];
} LayerWriter;

static void
layer_writer_init (LayerWriter            *writer,
                   const EnvelopeAnalysis *analysis)
{
  memset (writer, 0, sizeof *writer);
  writer->formulas = envelope_formula_cache_new (analysis);
}

static void
layer_writer_clear (LayerWriter *writer)
{
  g_clear_pointer (&writer->formulas, envelope_formula_cache_free);
  for (guint k = 0; k < JSON_FRAGMENTS; k++)
    {
      if (writer->fragments[k].figures != NULL)
        g_string_free (writer->fragments[k].figures, TRUE);
      if (writer->fragments[k].formulas != NULL)
        g_string_free (writer->fragments[k].formulas, TRUE);
    }
}

/* Keeps what @json wrote since @start in @text. */
static void
keep_text (GString       **text,
           const JsonOut  *json,
           gsize           start)
{
  if (*text == NULL)
    *text = g_string_sized_new (1024);
  g_string_truncate (*text, 0);
  g_string_append_len (*text, json->out->str + start, (gssize) (json->out->len - start));
}

static void
write_json_figures (JsonOut                    *json,
                    const EnvelopeAnalysis     *analysis,
                    const EnvelopeLayerFigures *f,
                    guint                       i)
{
  guint64 memory[ENVELOPE_N_MEMORY_TERMS];

  json_name (json, "output_shape");
  json_begin (json, '[');
  for (guint k = 0; k < f->rank; k++)
    json_int (json, (gint64) f->shape[k]);
  json_end (json, ']');
  add_count (json, "weights", f->weights);
  add_count (json, "biases", f->biases);
  add_count (json, "non_trainable", f->non_trainable);
  add_count (json, "params", f->params);
  add_count (json, "trainable", f->trainable);
  add_count (json, "macs", f->macs);
  add_count (json, "other_ops", f->other_ops);
  add_count (json, "activations", f->activations);
  add_count (json, "internal", f->internal);
  add_count (json, "workspace", f->workspace);
  if (envelope_analysis_layer_memory (analysis, i, memory))
    {
      json_name (json, "memory");
      json_begin (json, '{');
      for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
        add_count (json, envelope_memory_term_get_key (t), memory[t]);
      json_end (json, '}');
    }
}

static void
write_json_formulas (JsonOut            *json,
                     const char *const  *formulas,
                     guint               first,
                     guint               end)
{
  for (guint k = first; k < end; k++)
    if (formulas[k] != NULL)
      add_string (json, envelope_figure_get_key (k), formulas[k]);
}

static void
write_json_layer (JsonOut                *json,
                  const EnvelopeAnalysis *analysis,
                  LayerWriter            *writer,
                  guint                   i)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
  const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
  const EnvelopeReceptiveField *rf = &f->receptive_field;
  const char *const *formulas = envelope_formula_cache_explain (writer->formulas, i);
  guint64 match = envelope_formula_cache_get_match (writer->formulas);
  /* the one layer that holds the workspace buffer counts it in its memory */
  gboolean holds_workspace = envelope_analysis_get_totals (analysis)->workspace_layer == (gint) i;
  JsonFragment *fragment = match != 0 && !holds_workspace ? &writer->fragments[match % JSON_FRAGMENTS] : NULL;
  gboolean reuse;
  guint depth;
  gsize start = 0;

  G_STATIC_ASSERT (ENVELOPE_FIGURE_RECEPTIVE_FIELD + 3 == ENVELOPE_N_FIGURES);

  json_begin (json, '{');
  add_string (json, "name", layer->name);
  add_string (json, "type", envelope_layer_kind_get (layer->type)->id);
  if (layer->group != NULL)
    add_string (json, "group", layer->group);
  /* only a partial analysis has layers without figures */
  if (f->state != ENVELOPE_LAYER_ANALYSED)
    add_string (json, "state", f->state == ENVELOPE_LAYER_FAILED ? "failed" : "not_analysed");
  json_name (json, "inputs");
  json_begin (json, '[');
  for (guint k = 0; k < f->n_inputs; k++)
    json_string (json, envelope_network_get_layer (network, f->inputs[k])->name);
  json_end (json, ']');

  /* a layer of a match written before is that layer's text, but for its
   * name, its inputs and its receptive field; the first is kept */
  depth = json->depth;
  reuse = fragment != NULL && fragment->match == match && fragment->depth == depth;
  if (reuse)
    put (json->out, fragment->figures->str, fragment->figures->len);
  else
    {
      start = json->out->len;
      write_json_figures (json, analysis, f, i);
      if (fragment != NULL)
        keep_text (&fragment->figures, json, start);
    }

  json_name (json, "receptive_field");
  json_begin (json, '{');
  add_real_pair (json, "size", rf->size);
  add_real_pair (json, "jump", rf->jump);
  add_real_pair (json, "start", rf->start);
  add_boolean (json, "whole_input", rf->whole_input);
  add_boolean (json, "causal", rf->causal);
  add_boolean (json, "misaligned", rf->misaligned);
  json_end (json, '}');

  json_name (json, "formulas");
  json_begin (json, '{');
  if (reuse)
    {
      put (json->out, fragment->formulas->str, fragment->formulas->len);
      json->filled[json->depth - 1] = fragment->any_formula;
    }
  else
    {
      start = json->out->len;
      write_json_formulas (json, formulas, 0, ENVELOPE_FIGURE_RECEPTIVE_FIELD);
      if (fragment != NULL)
        {
          keep_text (&fragment->formulas, json, start);
          fragment->any_formula = json->filled[json->depth - 1];
          fragment->depth = depth;
          fragment->match = match;
        }
    }
  write_json_formulas (json, formulas, ENVELOPE_FIGURE_RECEPTIVE_FIELD, ENVELOPE_N_FIGURES);
  json_end (json, '}');
  json_end (json, '}');
}

/* memory under the PyTorch model: the terms at the moment of the peak,
 * which add up to the total, and inference's peak as the test figure */
static void
write_json_pytorch (JsonOut                *out,
                    const EnvelopeAnalysis *analysis)
{
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeStepPoint *peak = &m->pytorch.peak;
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);

  json_name (out, "test");
  json_begin (out, '{');
  add_count (out, "activations", m->pytorch.inference_activations);
  add_count (out, "total", m->pytorch.inference);
  json_end (out, '}');
  json_name (out, "train");
  json_begin (out, '{');
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    add_count (out, envelope_step_term_get_key (k), peak->bytes[k]);
  add_count (out, "total", peak->total);
  json_end (out, '}');
  json_name (out, "peak");
  json_begin (out, '{');
  add_string (out, "phase", envelope_step_phase_get_key (peak->phase));
  add_string (out, "layer", peak->layer >= 0 ? envelope_network_get_layer (network, (guint) peak->layer)->name : NULL);
  json_end (out, '}');
  add_count (out, "saved_activations", m->pytorch.saved);
  add_count (out, "saved_activations_exact", m->pytorch.saved_exact);
  json_name (out, "formulas");
  json_begin (out, '{');
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    {
      g_autofree char *text = envelope_analysis_explain_step (analysis, k);
      add_string (out, envelope_step_term_get_key (k), text);
    }
  json_end (out, '}');
}

/* The layers of a long network are written by worker threads, a block
 * of layers each, while this thread writes out the blocks in order: much
 * of a report's time is in working out each layer's formulas again (each
 * thread with a cache of its own, envelope_formula_cache_explain()), and
 * no layer's text depends on another's.  At most a window of blocks is
 * held at once, so a report of a million layers still streams. */
#define JSON_BLOCK 256                  /* layers a block */
#define JSON_THREADED (16 * JSON_BLOCK) /* fewer layers are written here */

typedef struct
{
  const EnvelopeAnalysis *analysis;
  JsonOut start;             /* the writer as the first layer finds it */
  guint n_layers;
  guint n_blocks;
  guint window;              /* blocks held at most: made and not yet written */
  GString **texts;           /* block b's text in slot b % window, once made */
  GPtrArray *spare;          /* texts written out, emptied for another block:
                              * a block's text is written to fresh memory once */
  guint next;                /* the next block to claim */
  guint written;             /* the blocks written out */
  GMutex mutex;
  GCond cond;
} JsonBlocks;

static void
free_text (gpointer text)
{
  g_string_free (text, TRUE);
}

static gpointer
json_blocks_work (gpointer data)
{
  JsonBlocks *blocks = data;
  LayerWriter writer;

  layer_writer_init (&writer, blocks->analysis);

  g_mutex_lock (&blocks->mutex);
  while (blocks->next < blocks->n_blocks)
    {
      guint b = blocks->next;
      guint first = b * JSON_BLOCK, end = MIN (first + JSON_BLOCK, blocks->n_layers);
      JsonOut json;

      /* never further ahead than the window: its slot is still held */
      if (b >= blocks->written + blocks->window)
        {
          g_cond_wait (&blocks->cond, &blocks->mutex);
          continue;
        }
      blocks->next++;
      json = blocks->start;
      json.out = blocks->spare->len > 0 ? g_ptr_array_steal_index_fast (blocks->spare, blocks->spare->len - 1)
                                        : NULL;
      g_mutex_unlock (&blocks->mutex);

      if (json.out == NULL)
        json.out = g_string_sized_new (1536 * JSON_BLOCK);
      /* every block but the first continues the array */
      json.filled[json.depth - 1] = b > 0;
      for (guint i = first; i < end; i++)
        write_json_layer (&json, blocks->analysis, &writer, i);

      g_mutex_lock (&blocks->mutex);
      blocks->texts[b % blocks->window] = json.out;
      g_cond_broadcast (&blocks->cond);
    }
  g_mutex_unlock (&blocks->mutex);
  layer_writer_clear (&writer);
  return NULL;
}

static void
write_json_layers (JsonOut                *out,
                   const EnvelopeAnalysis *analysis,
                   Sink                   *sink)
{
  guint n_layers = envelope_analysis_get_n_layers (analysis);
  guint n_threads = MIN (g_get_num_processors (), 8);
  g_autofree GThread **threads = NULL;
  JsonBlocks blocks = { 0 };

  if (n_layers < JSON_THREADED || n_threads < 2)
    {
      LayerWriter writer;

      layer_writer_init (&writer, analysis);
      for (guint i = 0; i < n_layers; i++)
        {
          write_json_layer (out, analysis, &writer, i);
          sink_spill (sink, FALSE);
        }
      layer_writer_clear (&writer);
      return;
    }

  blocks.analysis = analysis;
  blocks.start = *out;
  blocks.n_layers = n_layers;
  blocks.n_blocks = (n_layers + JSON_BLOCK - 1) / JSON_BLOCK;
  blocks.window = 4 * n_threads;
  blocks.texts = g_new0 (GString *, blocks.window);
  blocks.spare = g_ptr_array_new_with_free_func (free_text);
  g_mutex_init (&blocks.mutex);
  g_cond_init (&blocks.cond);
  threads = g_new (GThread *, n_threads);
  for (guint t = 0; t < n_threads; t++)
    threads[t] = g_thread_new ("envelope-report", json_blocks_work, &blocks);

  for (guint b = 0; b < blocks.n_blocks; b++)
    {
      GString *text;

      g_mutex_lock (&blocks.mutex);
      while (blocks.texts[b % blocks.window] == NULL)
        g_cond_wait (&blocks.cond, &blocks.mutex);
      text = blocks.texts[b % blocks.window];
      blocks.texts[b % blocks.window] = NULL;
      blocks.written++;
      g_cond_broadcast (&blocks.cond);
      g_mutex_unlock (&blocks.mutex);

      sink_write (sink, text->str, text->len);
      g_string_truncate (text, 0);
      g_mutex_lock (&blocks.mutex);
      g_ptr_array_add (blocks.spare, text);
      g_mutex_unlock (&blocks.mutex);
    }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);
  g_mutex_clear (&blocks.mutex);
  g_cond_clear (&blocks.cond);
  g_free (blocks.texts);
  g_ptr_array_unref (blocks.spare);
  out->filled[out->depth - 1] = TRUE;
}

static void
write_json (const EnvelopeAnalysis      *analysis,
            const EnvelopeReportOptions *options,
            Sink                        *sink)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  const EnvelopeTotals *t = envelope_analysis_get_totals (analysis);
  const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);
  const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
  JsonOut json = { sink->out, 0 };
  JsonOut *out = &json;

  json_begin (out, '{');
  add_string (out, "name", network->name);
  if (envelope_analysis_is_partial (analysis))
    {
      EnvelopeErrorLocation where;
      const GError *error = envelope_analysis_get_error (analysis, &where);

      /* the totals count the analysed layers only */
      json_name (out, "partial");
      json_begin (out, '{');
      add_string (out, "layer", envelope_network_get_layer (network, (guint) where.layer)->name);
      if (where.field != NULL)
        add_string (out, "field", where.field);
      add_string (out, "message", error->message);
      add_count (out, "analysed_layers", envelope_analysis_get_n_analysed (analysis));
      json_end (out, '}');
    }
  json_name (out, "layers");
  json_begin (out, '[');
  write_json_layers (out, analysis, sink);
  json_end (out, ']');

  json_name (out, "totals");
  json_begin (out, '{');
  add_count (out, "params", t->params);
  add_count (out, "trainable_params", t->trainable_params);
  add_count (out, "non_trainable_params", t->non_trainable_params);
  add_count (out, "model_bytes", t->model_bytes);
  add_count (out, "macs", t->macs);
  add_count (out, "flops", t->flops);
  add_count (out, "training_macs", t->training_macs);
  add_count (out, "other_ops", t->other_ops);
  add_count (out, "activations_all", t->activations_all);
  add_count (out, "activations_peak", t->activations_peak);
  add_count (out, "workspace", t->workspace);
  /* what the totals leave out, where anything is */
  if (t->unknown_cost_layers > 0)
    add_count (out, "unknown_cost_layers", t->unknown_cost_layers);
  json_end (out, '}');

  json_name (out, "memory");
  json_begin (out, '{');
  add_string (out, "model", envelope_memory_model_to_string (m->model));
  add_count (out, "batch", m->batch);
  add_string (out, "dtype", envelope_dtype_to_string (m->dtype));
  add_string (out, "optimizer", envelope_optimizer_to_string (m->optimizer));
  add_boolean (out, "mixed_precision", m->mixed_precision);
  add_count (out, "bytes_per_value", m->bytes_per_value);
  if (m->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      write_json_pytorch (out, analysis);
      json_end (out, '}');
    }
  else
    {
  json_name (out, "test");
  json_begin (out, '{');
  add_count (out, "parameters", m->test.parameters);
  add_count (out, "activations", m->test.activations);
  add_count (out, "workspace", m->test.workspace);
  add_count (out, "total", m->test.total);
  json_end (out, '}');
  json_name (out, "train");
  json_begin (out, '{');
  for (guint i = 0; i < ENVELOPE_N_MEMORY_TERMS; i++)
    add_count (out, envelope_memory_term_get_key (i), m->train[i]);
  add_count (out, "total", m->train_total);
  json_end (out, '}');
  json_name (out, "formulas");
  json_begin (out, '{');
  {
    g_autofree char *test = envelope_analysis_explain_test (analysis);
    add_string (out, "test", test);
  }
  for (guint i = 0; i < ENVELOPE_N_MEMORY_TERMS; i++)
    {
      g_autofree char *text = envelope_analysis_explain_memory (analysis, i);
      add_string (out, envelope_memory_term_get_key (i), text);
    }
  json_end (out, '}');
  json_end (out, '}');
    }

  if (m->generation.prompt + m->generation.generated > 0)
    {
      const typeof (m->generation) *g = &m->generation;

      json_name (out, "generation");
      json_begin (out, '{');
      add_count (out, "prompt", g->prompt);
      add_count (out, "generated", g->generated);
      add_string (out, "kv_cache", envelope_dtype_to_string (g->kv_cache));
      add_count (out, "cache_layers", g->cache_layers);
      add_count (out, "cache_bytes_per_token", g->cache_per_token);
      add_count (out, "cache_bytes", g->cache);
      add_count (out, "weights", g->weights);
      add_count (out, "activations_per_token", g->activations_per_token);
      json_name (out, "prefill");
      json_begin (out, '{');
      add_count (out, "activations", g->prefill_activations);
      add_count (out, "total", g->prefill_total);
      json_end (out, '}');
      json_name (out, "decode");
      json_begin (out, '{');
      add_count (out, "activations", g->decode_activations);
      add_count (out, "total", g->decode_total);
      json_end (out, '}');
      add_count (out, "max_batch", g->max_batch);
      add_count (out, "max_context", g->max_context);
      json_end (out, '}');
    }

  json_name (out, "fit");
  json_begin (out, '{');
  add_string (out, "device", fit->device);
  add_count (out, "device_memory", fit->device_memory);
  add_count (out, "reserved_memory", fit->reserved_memory);
  add_count (out, "max_batch", fit->max_batch);
  add_count (out, "target_batch", fit->target_batch);
  add_count (out, "steps", fit->steps);
  add_count (out, "micro_batch", fit->micro_batch);
  add_count (out, "fixed_bytes", fit->fixed_bytes);
  add_count (out, "bytes_per_sample", fit->bytes_per_sample);
  {
    g_autofree char *text = envelope_analysis_explain_fit (analysis);
    add_string (out, "formula", text);
  }
  json_end (out, '}');
  json_end (out, '}');

  g_string_append_c (json.out, '\n');
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

/* A text field, quoted where it must be.  One that a spreadsheet would
 * take for a formula (it starts with =, +, -, @, a tab or a carriage
 * return) is kept text by a leading apostrophe, which spreadsheets hide. */
static void
csv_field (GString    *out,
           const char *text)
{
  gboolean formula = text[0] != '\0' && strchr ("=+-@\t\r", text[0]) != NULL;

  if (!formula && strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_count (GString *out,
           guint64  value)
{
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  g_string_append_c (out, ',');
  g_string_append_len (out, digits, (gssize) envelope_format_digits (digits, value, FALSE));
}

typedef struct
{
  const EnvelopeAnalysis *analysis;
  Sink *sink;
  guint moment;
} Timeline;

static void
timeline_row (const EnvelopeStepPoint *point,
              gpointer                 user_data)
{
  Timeline *timeline = user_data;
  const EnvelopeNetwork *network = envelope_analysis_get_network (timeline->analysis);
  GString *out = timeline->sink->out;
  char digits[ENVELOPE_FORMAT_COUNT_SIZE];

  g_string_append_len (out, digits, (gssize) envelope_format_digits (digits, timeline->moment++, FALSE));
  g_string_append_c (out, ',');
  g_string_append (out, envelope_step_phase_get_key (point->phase));
  g_string_append_c (out, ',');
  if (point->layer >= 0)
    csv_field (out, envelope_network_get_layer (network, (guint) point->layer)->name);
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    csv_count (out, point->bytes[k]);
  csv_count (out, point->total);
  g_string_append_c (out, '\n');
  sink_spill (timeline->sink, FALSE);
}

static gboolean
write_timeline (const EnvelopeAnalysis *analysis,
                Sink                   *sink,
                GError                **error)
{
  Timeline timeline = { analysis, sink, 0 };

  g_string_append (sink->out, "moment,phase,layer");
  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    g_string_append_printf (sink->out, ",%s", envelope_step_term_get_key (k));
  g_string_append (sink->out, ",total\n");
  return envelope_analysis_step_timeline (analysis, envelope_analysis_get_memory (analysis)->batch,
                                          timeline_row, &timeline, error);
}

static void
write_csv (const EnvelopeAnalysis      *analysis,
           const EnvelopeReportOptions *options,
           Sink                        *sink)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  GString *out = sink->out;
  g_autoptr(GString) inputs = g_string_new (NULL);

  g_string_append_printf (out, "name,type,inputs,output_shape,weights,biases,non_trainable,params,%s,other_ops,"
                               "activations,receptive_field_h,receptive_field_w,jump_h,jump_w,start_h,start_w,"
                               "whole_input,misaligned\n",
                          options->flops ? "flops" : "macs");
  for (guint i = 0; i < envelope_analysis_get_n_layers (analysis); i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
      const EnvelopeReceptiveField *rf = &f->receptive_field;
      const double *reals[] = { rf->size, rf->jump, rf->start };

      g_string_truncate (inputs, 0);
      for (guint k = 0; k < f->n_inputs; k++)
        {
          if (k > 0)
            g_string_append_c (inputs, ' ');
          g_string_append (inputs, envelope_network_get_layer (network, f->inputs[k])->name);
        }
      csv_field (out, layer->name);
      g_string_append_c (out, ',');
      g_string_append (out, envelope_layer_kind_get (layer->type)->id);
      g_string_append_c (out, ',');
      csv_field (out, inputs->str);
      if (f->state != ENVELOPE_LAYER_ANALYSED)
        {
          /* no figures: the output says why, the rest is empty */
          g_string_append_printf (out, ",%s,,,,,,,,,,,,,,,\n", f->state == ENVELOPE_LAYER_FAILED ? "failed" : "not_analysed");
          sink_spill (sink, FALSE);
          continue;
        }
      g_string_append_c (out, ',');
      for (guint k = 0; k < f->rank; k++)
        {
          char digits[ENVELOPE_FORMAT_COUNT_SIZE];

          if (k > 0)
            g_string_append (out, "×");
          g_string_append_len (out, digits, (gssize) envelope_format_digits (digits, f->shape[k], FALSE));
        }
      csv_count (out, f->weights);
      csv_count (out, f->biases);
      csv_count (out, f->non_trainable);
      csv_count (out, f->params);
      csv_count (out, options->flops ? f->macs * 2 : f->macs);
      csv_count (out, f->other_ops);
      csv_count (out, f->activations);
      g_string_append_c (out, ',');
      for (guint r = 0; r < G_N_ELEMENTS (reals); r++)
        for (guint a = 0; a < 2; a++)
          {
            envelope_format_append_real (out, reals[r][a]);
            g_string_append_c (out, ',');
          }
      g_string_append (out, rf->whole_input ? "true," : "false,");
      g_string_append (out, rf->misaligned ? "true\n" : "false\n");
      sink_spill (sink, FALSE);
    }
}

/* ------------------------------------------------------------------ */

static void
write_heading (const EnvelopeAnalysis *analysis,
               GString                *out,
               gboolean                markdown)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  guint n = envelope_analysis_get_n_layers (analysis);
  const char *name = network->name && network->name[0] ? network->name : _("Untitled network");

  if (markdown)
    {
      g_autofree char *escaped = markdown_escape (name);

      g_string_append_printf (out, "## %s\n\n", escaped);
    }
  else
    g_string_append_printf (out, "%s\n", name);
  if (network->description && network->description[0] && markdown)
    {
      markdown_append_lines (out, network->description);
      g_string_append_c (out, '\n');   /* its own paragraph */
    }
  else if (network->description && network->description[0])
    g_string_append_printf (out, "%s\n", network->description);
  g_string_append_printf (out, ngettext ("%u layer\n\n", "%u layers\n\n", n), n);
  if (envelope_analysis_is_partial (analysis))
    {
      EnvelopeErrorLocation where;
      const GError *error = envelope_analysis_get_error (analysis, &where);
      guint analysed = envelope_analysis_get_n_analysed (analysis);

      g_string_append_printf (out, ngettext ("Partial: %u of %u layers analysed; the totals count only that one.\n",
                                             "Partial: %u of %u layers analysed; the totals count only those.\n",
                                             analysed), analysed, n);
      g_string_append_printf (out, _("Error: %s\n\n"), error->message);
    }
}

static void
write_report (const EnvelopeAnalysis      *analysis,
              const EnvelopeReportOptions *options,
              Sink                        *sink)
{
  gboolean markdown = options->format == ENVELOPE_REPORT_MARKDOWN;

  switch (options->format)
    {
    case ENVELOPE_REPORT_JSON:
      write_json (analysis, options, sink);
      break;
    case ENVELOPE_REPORT_CSV:
      write_csv (analysis, options, sink);
      break;
    case ENVELOPE_REPORT_TABLE:
    case ENVELOPE_REPORT_MARKDOWN:
    default:
      write_heading (analysis, sink->out, markdown);
      write_layer_table (analysis, options, sink, markdown);
      write_summary (analysis, options, sink->out, markdown);
      break;
    }
}

/* Writes what is left and turns a failed write into @error. */
static gboolean
sink_finish (Sink    *sink,
             GError **error)
{
  sink_spill (sink, TRUE);
  g_string_free (sink->out, TRUE);
  if (sink->error == 0 && fflush (sink->file) != 0)
    sink->error = errno != 0 ? errno : EIO;
  if (sink->error != 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (sink->error), g_strerror (sink->error));
      return FALSE;
    }
  return TRUE;
}

char *
envelope_report_write (const EnvelopeAnalysis      *analysis,
                       const EnvelopeReportOptions *options)
{
  Sink sink = { g_string_new (NULL), NULL, 0 };

  g_return_val_if_fail (analysis != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  write_report (analysis, options, &sink);
  return g_string_free (sink.out, FALSE);
}

/**
 * envelope_report_write_to_file:
 * @analysis: the analysis
 * @options: how to write it
 * @file: where to write it
 * @error: a #G_FILE_ERROR when a write failed
 *
 * Writes the same as envelope_report_write(), to @file as it is made, a
 * piece at a time: the report is never whole in memory.
 *
 * Returns: whether every byte was written
 */
gboolean
envelope_report_write_to_file (const EnvelopeAnalysis      *analysis,
                               const EnvelopeReportOptions *options,
                               FILE                        *file,
                               GError                     **error)
{
  Sink sink = { g_string_sized_new (SINK_PIECE + 4096), file, 0 };

  g_return_val_if_fail (analysis != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (file != NULL, FALSE);

  write_report (analysis, options, &sink);
  return sink_finish (&sink, error);
}

/* The PyTorch model's training step, one row per moment: after a layer's
 * forward or backward allocated what it needs, in bytes per term. */
char *
envelope_report_write_timeline (const EnvelopeAnalysis *analysis,
                                GError                **error)
{
  Sink sink = { g_string_new (NULL), NULL, 0 };

  if (!write_timeline (analysis, &sink, error))
    {
      g_string_free (sink.out, TRUE);
      return NULL;
    }
  return g_string_free (sink.out, FALSE);
}

/**
 * envelope_report_write_timeline_to_file:
 *
 * The same as envelope_report_write_timeline(), written to @file as it is
 * made.  Returns: whether every byte was written; %FALSE with @error
 *   when the timeline cannot be made or a write failed
 */
gboolean
envelope_report_write_timeline_to_file (const EnvelopeAnalysis *analysis,
                                        FILE                   *file,
                                        GError                **error)
{
  Sink sink = { g_string_sized_new (SINK_PIECE + 4096), file, 0 };

  if (!write_timeline (analysis, &sink, error))
    {
      g_string_free (sink.out, TRUE);
      return FALSE;
    }
  return sink_finish (&sink, error);
}

/* Every worked formula of one layer, one figure a line. */
char *
envelope_report_explain_layer (const EnvelopeAnalysis      *analysis,
                               guint                        index,
                               const EnvelopeReportOptions *options)
{
  const EnvelopeNetwork *network = envelope_analysis_get_network (analysis);
  const EnvelopeLayer *layer = envelope_network_get_layer (network, index);
  const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, index);
  char **formulas = envelope_analysis_explain_layer (analysis, index);
  char **rules = envelope_analysis_explain_rules (analysis, index);
  g_autofree char *kind = envelope_layer_describe (layer);
  GString *out = g_string_new (NULL);
  guint width = 0;

  g_string_append_printf (out, "%s (%s)", layer->name, kind);
  if (f->n_inputs > 0)
    {
      g_string_append (out, _(" reads "));
      for (guint k = 0; k < f->n_inputs; k++)
        g_string_append_printf (out, "%s%s", k ? ", " : "", envelope_network_get_layer (network, f->inputs[k])->name);
    }
  g_string_append_c (out, '\n');
  if (f->state != ENVELOPE_LAYER_ANALYSED)
    {
      EnvelopeErrorLocation where;
      const GError *error = envelope_analysis_get_error (analysis, &where);

      if (f->state == ENVELOPE_LAYER_FAILED && error != NULL && where.layer == (gint) index)
        g_string_append_printf (out, _("  not analysed: %s\n"), error->message);
      else
        g_string_append (out, _("  not analysed: it reads a layer that could not be analysed\n"));
      envelope_formulas_free (formulas);
      envelope_formulas_free (rules);
      return g_string_free (out, FALSE);
    }

  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    if (formulas[k] != NULL)
      width = MAX (width, (guint) g_utf8_strlen (envelope_figure_get_label (k), -1));
  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    {
      const char *label = envelope_figure_get_label (k);

      if (formulas[k] == NULL)
        continue;
      g_string_append_printf (out, "  %s:", label);
      for (guint pad = g_utf8_strlen (label, -1); pad <= width; pad++)
        g_string_append_c (out, ' ');
      /* the rule in symbols, then the numbers under it */
      if (rules[k] != NULL)
        {
          g_string_append (out, rules[k]);
          g_string_append_c (out, '\n');
          for (guint pad = 0; pad < width + 4; pad++)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, formulas[k]);
      if (k == ENVELOPE_FIGURE_MACS && options != NULL && options->flops)
        {
          g_string_append (out, _("; FLOPs = 2 × "));
          envelope_format_append_count (out, f->macs);
          g_string_append (out, " = ");
          envelope_format_append_count (out, f->macs * 2);
        }
      g_string_append_c (out, '\n');
    }
  envelope_formulas_free (formulas);
  envelope_formulas_free (rules);

  {
    const EnvelopeMemory *m = envelope_analysis_get_memory (analysis);

    width = 0;
    for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
      width = MAX (width, (guint) g_utf8_strlen (envelope_memory_term_get_label (t), -1));
    g_string_append_printf (out, _("  train-time memory at batch %" PRIu64 " (%s%s, %s), this layer's share:\n"),
                            m->batch, envelope_dtype_to_string (m->dtype),
                            m->mixed_precision ? _(", mixed precision") : "",
                            envelope_optimizer_to_string (m->optimizer));
    for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
      {
        const char *label = envelope_memory_term_get_label (t);
        g_autofree char *text = envelope_analysis_explain_layer_memory (analysis, index, t);
        g_autofree char *rule = envelope_analysis_explain_memory_rule (analysis, t);

        g_string_append_printf (out, "    %s:", label);
        for (guint pad = g_utf8_strlen (label, -1); pad <= width; pad++)
          g_string_append_c (out, ' ');
        g_string_append (out, rule);
        g_string_append_c (out, '\n');
        for (guint pad = 0; pad < width + 6; pad++)
          g_string_append_c (out, ' ');
        g_string_append (out, text);
        g_string_append_c (out, '\n');
      }
  }
  return g_string_free (out, FALSE);
}
