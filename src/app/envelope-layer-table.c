/* envelope-layer-table.c
 *
 * Rows are updated in place when only figures change, so a sorted or
 * scrolled table stays where it is while the user types; they are made
 * anew when layers come and go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-table"

#include "config.h"

#include <glib/gi18n.h>

#include "envelope-format.h"
#include "envelope-layer-row.h"
#include "envelope-layer-summary.h"
#include "envelope-layer-table.h"
#include "envelope-menu.h"
#include "envelope-repaint.h"

struct _EnvelopeLayerTable
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;

  /* template children */
  GtkLabel *count_label;
  GtkColumnView *column_view;

  GListStore *rows;
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;
  gboolean updating;
  gboolean flops;            /* the MACs columns count FLOPs */
  guint fill_source;         /* a new network's rows, after its first frame */
  GPtrArray *filling;        /* … made, and added to the table a few at a time */
  GHashTable *bound_rows;    /* the rows on screen (their first cell bound) */
  EnvelopeRepaint repaint;
};

G_DEFINE_FINAL_TYPE (EnvelopeLayerTable, envelope_layer_table, GTK_TYPE_WIDGET)

typedef struct
{
  const char *title;
  const char *text;          /* the property shown */
  const char *sort;          /* the property sorted by; NULL: the text */
  GType sort_type;
  gboolean numeric;
  gboolean expand;
  int width;                 /* fixed: the table need not measure 200 rows */
  int max_width;             /* the most fit_columns() gives it */
} Column;

static const Column columns[] = {
  { N_("Layer"), "name", NULL, G_TYPE_NONE, FALSE, TRUE, 110, 260 },
  { N_("Kind"), "kind", NULL, G_TYPE_NONE, FALSE, TRUE, 116, 220 },
  { N_("Output"), "output", "activations", G_TYPE_UINT64, FALSE, FALSE, 104, 180 },
  { N_("Parameters"), "params-text", "params", G_TYPE_UINT64, TRUE, FALSE, 100, 160 },
  { N_("Params %"), "params-share", "params", G_TYPE_UINT64, TRUE, FALSE, 74, 120 },
  { N_("MACs"), "macs-text", "macs", G_TYPE_UINT64, TRUE, FALSE, 122, 180 },   /* or FLOPs */
  { N_("MACs %"), "macs-share", "macs", G_TYPE_UINT64, TRUE, FALSE, 72, 120 },
  { N_("Activations"), "activations-text", "activations", G_TYPE_UINT64, TRUE, FALSE, 110, 160 },
  /* wide enough for "404 (larger than the 224-px input: sees all of it)",
   * and so read from its left: a number set to the right of a column this
   * wide is out of sight in a window of common size */
  { N_("Receptive field"), "receptive-field", "receptive-field-size", G_TYPE_DOUBLE, FALSE, FALSE, 114, 360 },
};

/* A cell read aloud reads its text. */
static void
on_cell_text_changed (GtkInscription *cell,
                      GParamSpec     *pspec,
                      gpointer        data)
{
  const char *text = gtk_inscription_get_text (cell);

  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "", -1);
}

/* Every cell is a GtkInscription: after an edit the rows on screen read
 * other figures and shares ("0.1%", "<0.1%"), and a GtkLabel given new
 * text has its whole column measured again (GtkColumnView asks every
 * cell of a column to measure itself when one does: 200 Pango layouts a
 * text); an inscription's size does not follow its text, so it is only
 * drawn again.  The columns' widths are fixed (fit_columns()), and a
 * text wider than its column ends in an ellipsis, as a label would. */
static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            const Column             *column)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), column->numeric ? 1.0 : 0.0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (column->numeric)
    gtk_widget_add_css_class (cell, "numeric");
  g_signal_connect (cell, "notify::text", G_CALLBACK (on_cell_text_changed), NULL);
  gtk_list_item_set_child (item, cell);
}

/* A screen reader on a row's first cell hears the whole row, and the
 * inputs besides, which no column shows. */
static void
describe_row (EnvelopeLayerRow *row,
              GParamSpec       *pspec,
              GtkWidget        *cell)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  envelope_layer_row_get_text (row, "description"), -1);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           const Column             *column)
{
  EnvelopeLayerRow *row = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  GBinding *binding = g_object_bind_property (row, column->text, cell, "text", G_BINDING_SYNC_CREATE);

  envelope_layer_row_set_bound (row, TRUE);
  g_object_set_data (G_OBJECT (item), "binding", binding);
  if (column == &columns[0])
    {
      EnvelopeLayerTable *self = g_object_get_data (G_OBJECT (factory), "table");
      g_autofree char *inputs = envelope_layer_summary_dup_inputs (self->document, envelope_layer_row_get_index (row));

      g_hash_table_add (self->bound_rows, row);
      /* rows off screen are not told of every new figure: this one
       * catches up as it comes on screen */
      {
        const EnvelopeNetwork *network = envelope_document_get_network (self->document);
        const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
        guint index = envelope_layer_row_get_index (row);
        gint f = envelope_document_get_figures_index (self->document, index);

        if (index < envelope_network_get_n_layers (network))
          envelope_layer_row_update (row, envelope_network_get_layer (network, index),
                                     f >= 0 ? envelope_analysis_get_layer (analysis, (guint) f) : NULL,
                                     analysis ? envelope_analysis_get_totals (analysis) : NULL);
      }

      envelope_layer_row_set_inputs (row, inputs);
      describe_row (row, NULL, cell);
      g_signal_connect_object (row, "notify::description", G_CALLBACK (describe_row), cell, 0);
    }
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             const Column             *column)
{
  GBinding *binding = g_object_get_data (G_OBJECT (item), "binding");
  EnvelopeLayerRow *row = gtk_list_item_get_item (item);

  if (row != NULL)
    {
      if (column == &columns[0])
        {
          EnvelopeLayerTable *self = g_object_get_data (G_OBJECT (factory), "table");
          g_hash_table_remove (self->bound_rows, row);
        }
      envelope_layer_row_set_bound (row, FALSE);
      g_signal_handlers_disconnect_by_func (row, describe_row, gtk_list_item_get_child (item));
    }
  if (binding != NULL)
    g_binding_unbind (binding);
  g_object_set_data (G_OBJECT (item), "binding", NULL);
}

static void
add_columns (EnvelopeLayerTable *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const Column *c = &columns[i];
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkExpression *expression;
      GtkSorter *sorter;
      GtkColumnViewColumn *column;

      g_object_set_data (G_OBJECT (factory), "table", self);
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) c);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), (gpointer) c);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), (gpointer) c);

      if (c->sort == NULL)
        {
          expression = gtk_property_expression_new (ENVELOPE_TYPE_LAYER_ROW, NULL, c->text);
          sorter = GTK_SORTER (gtk_string_sorter_new (expression));
        }
      else
        {
          expression = gtk_property_expression_new (ENVELOPE_TYPE_LAYER_ROW, NULL, c->sort);
          sorter = GTK_SORTER (gtk_numeric_sorter_new (expression));
          /* The costliest first, on the first click. */
          gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (sorter), GTK_SORT_DESCENDING);
        }

      column = gtk_column_view_column_new (_(c->title), factory);
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, c->expand);
      gtk_column_view_column_set_fixed_width (column, c->width);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
      g_object_unref (column);
      g_object_unref (sorter);
    }
}

/* Each column as wide as its widest text and its title, within bounds:
 * measured here, once per new set of rows, with one layout, so that
 * the column view itself never measures 200 rows; names and kinds read
 * whole instead of cut at a default width, and the table scrolls
 * sideways where they do not all fit. */
#define FIT_SAMPLE 20000   /* rows whose texts size the columns, at most */
#define FIT_RUN 100        /* … in runs of this many */

static void
fit_columns (EnvelopeLayerTable *self,
             GPtrArray          *rows)
{
  GListModel *columns_model = gtk_column_view_get_columns (self->column_view);
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  guint n = rows->len;
  /* a longer network's rows are sampled, in runs of consecutive rows
   * spread over it (so that a run holds every kind of a repeated block,
   * where every other row of a chain of conv and relu would be relu):
   * a row's texts are formatted as it is first shown, and formatting
   * every text of a million rows only to size the columns took a third
   * of its opening and half a gigabyte */
  g_autofree guint *sample = g_new (guint, MIN (n, FIT_SAMPLE));
  g_autofree glong *lengths = g_new (glong, MIN (n, FIT_SAMPLE));   /* a column's texts', in characters; -1 without one */
  guint n_sample = 0;
  /* a cell's padding (8 + 8) and separator; a title's sort arrow */
  const int cell_padding = 18, title_padding = 34;

  if (n <= FIT_SAMPLE)
    for (guint i = 0; i < n; i++)
      sample[n_sample++] = i;
  else
    for (guint r = 0; r < FIT_SAMPLE / FIT_RUN; r++)
      {
        guint first = (guint) ((guint64) r * (n - FIT_RUN) / (FIT_SAMPLE / FIT_RUN - 1));

        for (guint i = first; i < first + FIT_RUN; i++)
          sample[n_sample++] = i;
      }

  for (guint c = 0; c < G_N_ELEMENTS (columns) && c < g_list_model_get_n_items (columns_model); c++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns_model, c);
      int widest = 0, w, h;

      glong longest = 0;
      guint measured = 0;

      pango_layout_set_text (layout, gtk_column_view_column_get_title (column), -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      widest = w + title_padding;
      /* only the longest texts are measured: a 2,000-layer network
       * would otherwise cost 18,000 layouts on every new set of rows */
      for (guint k = 0; k < n_sample; k++)
        {
          const char *text = envelope_layer_row_get_text (g_ptr_array_index (rows, sample[k]), columns[c].text);

          lengths[k] = text != NULL ? g_utf8_strlen (text, -1) : -1;
          longest = MAX (longest, lengths[k]);
        }
      /* the longest first: the first two dozen a character shorter
       * would leave "conv1000" cut to "conv1…" */
      for (glong length = longest; length >= 0 && length + 3 >= longest && measured < 24; length--)
        for (guint k = 0; k < n_sample && measured < 24; k++)
          {
            if (lengths[k] != length)
              continue;
            pango_layout_set_text (layout, envelope_layer_row_get_text (g_ptr_array_index (rows, sample[k]), columns[c].text), -1);
            pango_layout_get_pixel_size (layout, &w, &h);
            widest = MAX (widest, w + cell_padding);
            measured++;
          }
      gtk_column_view_column_set_fixed_width (column, CLAMP (widest, 48, columns[c].max_width));
    }
  g_object_unref (layout);
}

/* Up to a row's worth of texts (one per column) changed by an edit are
 * repainted one by one; more as the whole table: each text is a few
 * rectangles of the region GTK repaints, and past 30 of those it
 * repaints the whole window instead. */
#define REPAINT_TEXTS_APART G_N_ELEMENTS (columns)

/* The row of layer @index: while a new network's rows are being added,
 * from those made for it, which the table's are the first of. */
static EnvelopeLayerRow *
dup_row (EnvelopeLayerTable *self,
         guint               index)
{
  if (self->filling != NULL)
    return g_object_ref (g_ptr_array_index (self->filling, index));
  return g_list_model_get_item (G_LIST_MODEL (self->rows), index);
}

static guint
n_rows (EnvelopeLayerTable *self)
{
  return self->filling != NULL ? self->filling->len : g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

static guint
update_row (EnvelopeLayerTable *self,
            guint               index,
            gboolean            settings)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  g_autoptr(EnvelopeLayerRow) row = dup_row (self, index);
  gint f = envelope_document_get_figures_index (self->document, index);

  return envelope_layer_row_update (row, settings ? envelope_network_get_layer (network, index) : NULL,
                                    f >= 0 ? envelope_analysis_get_layer (analysis, (guint) f) : NULL,
                                    analysis ? envelope_analysis_get_totals (analysis) : NULL);
}

/* A new setting of one layer, its figures worked out in place: only the
 * rows of the layers whose figures changed, and those on screen (whose
 * shares of the totals may read differently), are updated; a row comes
 * up to date as it comes on screen (bind_cell()).  Not while the table
 * is sorted: the sort reads every row.  Returns FALSE when every row is
 * to be compared instead; @changed: how many texts on screen changed. */
static gboolean
update_changed_rows (EnvelopeLayerTable *self,
                     guint              *changed)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  guint n = n_rows (self);
  const guint *layers;
  guint n_layers;
  gint edited = -1;
  GHashTableIter iter;
  gpointer row;

  if (analysis == NULL || !envelope_document_get_edited_layer (self->document, &edited) ||
      gtk_sorter_get_order (gtk_column_view_get_sorter (self->column_view)) != GTK_SORTER_ORDER_NONE)
    return FALSE;
  layers = envelope_document_get_changed_layers (self->document, &n_layers);
  if (layers == NULL || envelope_analysis_get_n_layers (analysis) != n)
    return FALSE;
  *changed = 0;
  if (edited >= 0 && (guint) edited < n)
    *changed += update_row (self, (guint) edited, TRUE);
  for (guint k = 0; k < n_layers; k++)
    if (layers[k] < n)
      *changed += update_row (self, layers[k], FALSE);
  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    {
      guint index = envelope_layer_row_get_index (row);
      g_autofree char *inputs = envelope_layer_summary_dup_inputs (self->document, index);

      if (index < n)
        *changed += update_row (self, index, FALSE);
      envelope_layer_row_set_inputs (row, inputs);
    }
  return TRUE;
}

/* A row for each layer, with its settings and figures. */
static GPtrArray *
make_rows (EnvelopeLayerTable *self)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  const EnvelopeTotals *totals = analysis ? envelope_analysis_get_totals (analysis) : NULL;
  guint n = envelope_network_get_n_layers (network);
  GPtrArray *rows = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      EnvelopeLayerRow *row = envelope_layer_row_new (i);
      gint f = envelope_document_get_figures_index (self->document, i);

      envelope_layer_row_set_flops (row, self->flops);
      envelope_layer_row_update (row, envelope_network_get_layer (network, i),
                                 f >= 0 ? envelope_analysis_get_layer (analysis, (guint) f) : NULL, totals);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static void
set_count (EnvelopeLayerTable *self,
           guint               n)
{
  g_autofree char *digits = envelope_format_count (n);
  /* Translators: %s is a count with its thousands marked, "100,000" */
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s layer", "%s layers", n), digits);

  gtk_label_set_text (self->count_label, count);
}

/* Returns how many texts on screen changed, or G_MAXUINT for new rows. */
static guint
update_rows (EnvelopeLayerTable *self,
             gboolean            structure)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  const EnvelopeTotals *totals = analysis ? envelope_analysis_get_totals (analysis) : NULL;
  guint n = envelope_network_get_n_layers (network);
  guint changed = 0;

  /* Replacing or re-sorting rows moves the selection; that is not the
   * user choosing another layer. */
  self->updating = TRUE;
  if (structure || g_list_model_get_n_items (G_LIST_MODEL (self->rows)) != n)
    {
      g_autoptr(GPtrArray) fresh = make_rows (self);

      fit_columns (self, fresh);
      g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                           fresh->pdata, fresh->len);
      changed = G_MAXUINT;
    }
  else if (!update_changed_rows (self, &changed))
    {
      gint edited = -1;
      /* a new setting of one layer: the others' settings are as they
       * were, and comparing them is most of the work on a long network */
      gboolean scoped = envelope_document_get_edited_layer (self->document, &edited);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(EnvelopeLayerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
          gint f = envelope_document_get_figures_index (self->document, i);

          changed += envelope_layer_row_update (row,
                                                !scoped || (gint) i == edited ? envelope_network_get_layer (network, i)
                                                                              : NULL,
                                                f >= 0 ? envelope_analysis_get_layer (analysis, (guint) f) : NULL,
                                                totals);
          /* What a row reads is named for the rows on screen only. */
          if (envelope_layer_row_get_bound (row))
            {
              g_autofree char *inputs = envelope_layer_summary_dup_inputs (self->document, i);
              envelope_layer_row_set_inputs (row, inputs);
            }
        }
      /* The sort model does not watch the rows: sort again, when the
       * table is sorted at all. */
      if (gtk_sorter_get_order (gtk_column_view_get_sorter (self->column_view)) != GTK_SORTER_ORDER_NONE)
        {
          gtk_sort_list_model_set_sorter (self->sorted, NULL);
          gtk_sort_list_model_set_sorter (self->sorted, gtk_column_view_get_sorter (self->column_view));
          changed = G_MAXUINT;
        }
    }
  self->updating = FALSE;
  set_count (self, n);
  return changed;
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

/* Selects the document's layer, and scrolls to it when it is another
 * row than the one selected, or @scroll. */
static void
show_selection (EnvelopeLayerTable *self,
                gboolean            scroll)
{
  gint selected = envelope_document_get_selected_layer (self->document);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  guint position = GTK_INVALID_LIST_POSITION;

  /* unsorted, the rows are in the network's order */
  if (selected >= 0 && (guint) selected < n &&
      gtk_sorter_get_order (gtk_column_view_get_sorter (self->column_view)) == GTK_SORTER_ORDER_NONE)
    {
      g_autoptr(EnvelopeLayerRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), (guint) selected);

      if (envelope_layer_row_get_index (row) == (guint) selected)
        position = (guint) selected;
    }
  for (guint i = 0; selected >= 0 && position == GTK_INVALID_LIST_POSITION && i < n; i++)
    {
      g_autoptr(EnvelopeLayerRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);
      if (envelope_layer_row_get_index (row) == (guint) selected)
        {
          position = i;
          break;
        }
    }

  scroll |= gtk_single_selection_get_selected (self->selection) != position;
  self->updating = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->updating = FALSE;

  /* Scrolling to a row binds the rows around it again, even when it is
   * on screen: not after an edit that leaves the rows where they were
   * (and the table where the user scrolled it). */
  if (position != GTK_INVALID_LIST_POSITION && scroll)
    {
      /* GtkColumnView cannot scroll to a row before GTK 4.12; its list
       * view can. */
      GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));
      if (list_view != NULL)
        gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
    }
}

/* GtkListView makes widgets for at most this many rows, a dozen a row:
 * a new network's first rows are added a few at a time, for at most
 * FILL_SLICE_US every FILL_PAUSE_MS, so that a click meanwhile (a group
 * opened on the canvas) waits for a few rows, not for all of them. */
#define FILL_WIDGET_ROWS 200
#define FILL_SLICE_US 3000
#define FILL_PAUSE_MS 16

static gboolean
fill (gpointer data)
{
  EnvelopeLayerTable *self = data;
  guint done = g_list_model_get_n_items (G_LIST_MODEL (self->rows)), step;
  gint64 start;

  if (self->filling == NULL)
    {
      self->filling = make_rows (self);
      fit_columns (self, self->filling);
      set_count (self, self->filling->len);
    }
  start = g_get_monotonic_time ();
  self->updating = TRUE;
  do
    {
      step = done < FILL_WIDGET_ROWS ? MIN (2, self->filling->len - done) : self->filling->len - done;
      g_list_store_splice (self->rows, done, 0, self->filling->pdata + done, step);
      done += step;
    }
  while (done < self->filling->len && g_get_monotonic_time () - start < FILL_SLICE_US);
  self->updating = FALSE;
  if (done < self->filling->len)
    {
      /* the next slice a frame later: the frames between lay out a
       * few new rows each, and the rest of the window keeps its pace */
      self->fill_source = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, FILL_PAUSE_MS, fill, self, NULL);
      return G_SOURCE_REMOVE;
    }
  self->fill_source = 0;
  g_clear_pointer (&self->filling, g_ptr_array_unref);
  show_selection (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* The table emptied, to be filled after the next frame. */
static void
start_fill (EnvelopeLayerTable *self)
{
  self->updating = TRUE;
  g_list_store_remove_all (self->rows);
  self->updating = FALSE;
  g_clear_pointer (&self->filling, g_ptr_array_unref);
  if (self->fill_source == 0)
    self->fill_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, fill, self, NULL);
}

static void
on_document_changed (EnvelopeDocument   *document,
                     guint               change,
                     EnvelopeLayerTable *self)
{
  guint changed;

  if (change == ENVELOPE_CHANGE_VIEW || change == ENVELOPE_CHANGE_UNITS)
    return;

  /* A network just opened is drawn first and tabled right after: a
   * row of the table is a dozen widgets, made for up to 200 rows. */
  if ((change & ENVELOPE_CHANGE_FILE) && (change & ENVELOPE_CHANGE_STRUCTURE))
    {
      start_fill (self);
      return;
    }
  /* A change while a new network's rows are being added: to the rows
   * made for it, as to the table's; a new structure, rows made again. */
  if (self->fill_source != 0)
    {
      if (self->filling == NULL)
        return;
      if ((change & ENVELOPE_CHANGE_STRUCTURE) ||
          self->filling->len != envelope_network_get_n_layers (envelope_document_get_network (self->document)))
        start_fill (self);
      else if (!update_changed_rows (self, &changed))
        for (guint i = 0; i < self->filling->len; i++)
          update_row (self, i, TRUE);
      return;
    }
  changed = update_rows (self, (change & (ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FILE)) != 0);
  show_selection (self, changed == G_MAXUINT);
  if (changed > REPAINT_TEXTS_APART)
    envelope_repaint_changed (&self->repaint, GTK_WIDGET (self));
}

static void
envelope_layer_table_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  EnvelopeLayerTable *self = ENVELOPE_LAYER_TABLE (widget);

  GTK_WIDGET_CLASS (envelope_layer_table_parent_class)->snapshot (widget, snapshot);
  envelope_repaint_snapshot (&self->repaint, widget, snapshot);
}

static void
on_selection_changed (EnvelopeDocument   *document,
                      EnvelopeLayerTable *self)
{
  if (self->fill_source == 0)
    show_selection (self, TRUE);
}

static void
on_row_selected (GtkSingleSelection *selection,
                 GParamSpec         *pspec,
                 EnvelopeLayerTable *self)
{
  EnvelopeLayerRow *row;

  if (self->updating || self->document == NULL)
    return;
  row = gtk_single_selection_get_selected_item (selection);
  envelope_document_select_layer (self->document, row ? (gint) envelope_layer_row_get_index (row) : -1);
}

static void
envelope_layer_table_dispose (GObject *object)
{
  EnvelopeLayerTable *self = ENVELOPE_LAYER_TABLE (object);
  GtkWidget *child;

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_clear_handle_id (&self->fill_source, g_source_remove);
  g_clear_pointer (&self->filling, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_LAYER_TABLE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);

  G_OBJECT_CLASS (envelope_layer_table_parent_class)->dispose (object);
}

static void
envelope_layer_table_class_init (EnvelopeLayerTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_layer_table_dispose;
  widget_class->snapshot = envelope_layer_table_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-layer-table.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeLayerTable, count_label);
  gtk_widget_class_bind_template_child_full (widget_class, "copy_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "copy_menu", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeLayerTable, column_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-layer-table");
}

static void
envelope_layer_table_init (EnvelopeLayerTable *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  envelope_menu_button_set_model_later (
    GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self), ENVELOPE_TYPE_LAYER_TABLE, "copy_button")),
    G_MENU_MODEL (gtk_widget_get_template_child (GTK_WIDGET (self), ENVELOPE_TYPE_LAYER_TABLE, "copy_menu")));

  add_columns (self);
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->rows = g_list_store_new (ENVELOPE_TYPE_LAYER_ROW);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->rows),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_row_selected), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

void
envelope_layer_table_set_document (EnvelopeLayerTable *self,
                                   EnvelopeDocument   *document)
{
  g_return_if_fail (ENVELOPE_IS_LAYER_TABLE (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (document, "selection-changed", G_CALLBACK (on_selection_changed), self);
  update_rows (self, TRUE);
  show_selection (self, TRUE);
}

GListModel *
envelope_layer_table_get_model (EnvelopeLayerTable *self)
{
  g_return_val_if_fail (ENVELOPE_IS_LAYER_TABLE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

GtkColumnView *
envelope_layer_table_get_view (EnvelopeLayerTable *self)
{
  g_return_val_if_fail (ENVELOPE_IS_LAYER_TABLE (self), NULL);
  return self->column_view;
}

/* Counts FLOPs (2 per multiply-add) in the MACs columns, as the totals
 * bar does. */
void
envelope_layer_table_set_flops (EnvelopeLayerTable *self,
                                gboolean            flops)
{
  GListModel *columns_model;

  g_return_if_fail (ENVELOPE_IS_LAYER_TABLE (self));

  if (self->flops == flops)
    return;
  self->flops = flops;
  columns_model = gtk_column_view_get_columns (self->column_view);
  for (guint i = 0; i < g_list_model_get_n_items (columns_model); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns_model, i);

      if (g_str_equal (columns[i].text, "macs-text"))
        gtk_column_view_column_set_title (column, flops ? _("FLOPs") : _("MACs"));
      else if (g_str_equal (columns[i].text, "macs-share"))
        gtk_column_view_column_set_title (column, flops ? _("FLOPs %") : _("MACs %"));
    }
  /* the rows still being added too */
  for (guint i = 0; i < n_rows (self); i++)
    {
      g_autoptr(EnvelopeLayerRow) row = dup_row (self, i);

      envelope_layer_row_set_flops (row, flops);
    }
}
