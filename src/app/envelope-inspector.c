/* envelope-inspector.c
 *
 * The controls are made from the core's field table: a kind's settings
 * are whatever its row there says, with the labels written there.  Every
 * keystroke that leaves a valid number is an edit (merged into one undo
 * step per field), so the formulas below follow the typing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-inspector"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "envelope-format.h"
#include "envelope-groups.h"
#include "envelope-inspector.h"
#include "envelope-settings.h"
#include "envelope-repaint.h"
#include "envelope-layer-edit.h"
#include "envelope-memory-shares.h"
#include "envelope-pair-editor.h"

#define MAX_COUNT 1e12
/* a group's members listed one a row, up to this many */
#define MAX_MEMBER_ROWS 120

/* The shape editor's layouts, in its list's order, and how many spatial
 * sizes each asks for besides the channels. */
enum { SHAPE_IMAGE, SHAPE_VECTOR, SHAPE_TOKENS, SHAPE_SIGNAL, SHAPE_VOLUME };
static const guint shape_axes[] = { 2, 0, 2, 1, 3 };

typedef struct
{
  EnvelopeInspector *self;
  EnvelopeField field;
  const EnvelopeFieldInfo *info;
  GtkWidget *rows[3];        /* rows[0] carries the error */
  GtkWidget *spin;           /* counts, fractions, a shape's channels */
  GtkWidget *length_spin;    /* a vector shape's length */
  GtkWidget *pair;
  gboolean pair_shown;       /* the pair's axes were set once */
  GtkWidget *toggle;
  GtkWidget *entry;          /* a layer's name, a list of axes */
  AdwComboRow *combo;
  const char *hint;          /* the row's subtitle when all is well */
} FieldEditor;

struct _EnvelopeInspector
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;

  /* template children */
  GtkStack *stack;
  AdwStatusPage *edge_page;
  AdwEntryRow *network_name_row;
  GtkLabel *kind_label;
  GtkLabel *description_label;
  GtkLabel *message_label;
  GtkWidget *layer_page;
  AdwEntryRow *name_row;
  AdwActionRow *inputs_row;
  GtkMenuButton *connect_button;
  AdwPreferencesGroup *settings_group;
  GtkLabel *figures_note;
  GtkListBox *figures_list;
  EnvelopeMemoryShares *memory_shares;
  GtkLabel *group_title_label;
  GtkLabel *group_description_label;
  GtkLabel *group_repeat_label;
  AdwActionRow *group_shapes_row;
  AdwActionRow *group_params_row;
  AdwActionRow *group_macs_row;
  AdwActionRow *group_activations_row;
  AdwActionRow *group_memory_row;
  GtkLabel *group_members_title;
  GtkListBox *group_members;

  EnvelopeCanvas *canvas;    /* whose collapsed blocks a selected group is read from */
  gboolean flops;

  GPtrArray *editors;        /* FieldEditor* */
  GPtrArray *setting_rows;   /* rows added to settings_group */
  GtkLabel *formula_labels[ENVELOPE_N_FIGURES];
  GtkLabel *rule_labels[ENVELOPE_N_FIGURES];   /* the rule in symbols, above the numbers */
  GtkWidget *figure_rows[ENVELOPE_N_FIGURES];   /* made once, shown as needed */
  gint layer;                /* shown layer, or -1 */
  EnvelopeLayerType layer_type;
  gboolean updating;
  EnvelopeRepaint repaint;
};

G_DEFINE_FINAL_TYPE (EnvelopeInspector, envelope_inspector, GTK_TYPE_WIDGET)

/* Where @field's value lives in @layer (the field table says). */
#define FIELD_VALUE(layer, info, type) ((type *) G_STRUCT_MEMBER_P ((layer), (info)->offset))

static const EnvelopeLayer *
current_layer (EnvelopeInspector *self)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);

  if (self->layer < 0 || (guint) self->layer >= envelope_network_get_n_layers (network))
    return NULL;
  return envelope_network_get_layer (network, (guint) self->layer);
}

/* ------------------------------------------------------------------ */
/* From the controls to the document                                   */

static gboolean
read_fraction (GtkSpinButton *spin,
               double        *value)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin))));
  char *end = NULL;

  if (text[0] == '\0')
    return FALSE;
  g_strdelimit (text, ",", '.');
  *value = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0';
}

/* A spatial setting from its editor: one value per axis shown, written
 * as one number when they agree. */
static void
read_list (FieldEditor   *fe,
           EnvelopeLayer *layer,
           gint64        *values)
{
  EnvelopePairEditor *editor = ENVELOPE_PAIR_EDITOR (fe->pair);
  guint n = envelope_pair_editor_get_axes (editor);
  gboolean equal = TRUE;

  envelope_pair_editor_get_list (editor, values);
  for (guint a = 1; a < n; a++)
    equal &= values[a] == values[0];
  for (guint a = n; a < ENVELOPE_MAX_SPATIAL; a++)
    values[a] = values[n - 1];
  ENVELOPE_LAYER_LENGTH (layer, fe->field) = equal ? 0 : (guint8) n;
}

/* "0, 2, 1" (brackets allowed): 1 to ENVELOPE_MAX_RANK integers. */
static gboolean
parse_axes (const char *text,
            gint64      values[ENVELOPE_MAX_RANK],
            guint8     *length)
{
  g_autofree char *copy = g_strdup (text);
  g_auto(GStrv) parts = NULL;
  guint n = 0;

  g_strdelimit (copy, "[]", ' ');
  parts = g_strsplit (copy, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *end = NULL;

      if (part[0] == '\0' && parts[i + 1] == NULL && n > 0)
        break;
      if (n == ENVELOPE_MAX_RANK || part[0] == '\0')
        return FALSE;
      values[n++] = g_ascii_strtoll (part, &end, 10);
      if (end == NULL || *end != '\0')
        return FALSE;
    }
  if (n == 0)
    return FALSE;
  *length = (guint8) n;
  return TRUE;
}

/* "2" or "2, 1.5": one number for every spatial axis, or one per axis. */
static gboolean
parse_reals (const char *text,
             double      values[ENVELOPE_MAX_SPATIAL],
             guint8     *length)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  double read[ENVELOPE_MAX_SPATIAL];
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *end = NULL;

      if (n == ENVELOPE_MAX_SPATIAL || part[0] == '\0')
        return FALSE;
      read[n++] = g_ascii_strtod (part, &end);
      if (end == NULL || *end != '\0')
        return FALSE;
    }
  if (n == 0)
    return FALSE;
  for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
    values[a] = read[MIN (a, n - 1)];
  *length = n == 1 ? 0 : (guint8) n;
  return TRUE;
}

static char *
format_reals (const double *values,
              guint         n)
{
  GString *out = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < MAX (MIN (n, ENVELOPE_MAX_SPATIAL), 1); i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%g", values[i]));
    }
  return g_string_free (out, FALSE);
}

static char *
format_axes (const gint64 *values,
             guint         n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < MIN (n, ENVELOPE_MAX_RANK); i++)
    g_string_append_printf (out, i > 0 ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, values[i]);
  return g_string_free (out, FALSE);
}

static void
apply (FieldEditor *fe)
{
  EnvelopeInspector *self = fe->self;
  const EnvelopeLayer *current = current_layer (self);
  g_autoptr(EnvelopeLayer) layer = NULL;
  g_autofree char *merge_key = NULL;
  gint64 value, pair[2], list[ENVELOPE_MAX_SPATIAL];

  if (self->updating || current == NULL)
    return;

  layer = envelope_layer_copy (current);
  switch (fe->info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      {
        guint selected = adw_combo_row_get_selected (fe->combo);

        if (selected == SHAPE_VECTOR)
          {
            if (!envelope_spin_button_parse (GTK_SPIN_BUTTON (fe->length_spin), &value))
              return;
            layer->shape_rank = 1;
            layer->shape[0] = value;
          }
        else if (selected == SHAPE_TOKENS)
          {
            /* a sequence of tokens, T × D */
            envelope_pair_editor_get_values (ENVELOPE_PAIR_EDITOR (fe->pair), &pair[0], &pair[1]);
            layer->shape_rank = 2;
            layer->shape[0] = pair[0];
            layer->shape[1] = pair[1];
            envelope_layer_set_field_default (layer, ENVELOPE_FIELD_LAYOUT);
          }
        else
          {
            /* a map: channels, then one size per spatial axis */
            guint n = shape_axes[selected];

            if (!envelope_spin_button_parse (GTK_SPIN_BUTTON (fe->spin), &value))
              return;
            envelope_pair_editor_get_list (ENVELOPE_PAIR_EDITOR (fe->pair), list);
            layer->shape_rank = n + 1;
            layer->shape[0] = value;
            for (guint a = 0; a < n; a++)
              layer->shape[1 + a] = list[a];
            /* two sizes read as tokens unless the file says "map" */
            envelope_layer_set_field_default (layer, ENVELOPE_FIELD_LAYOUT);
            if (n == 1)
              {
                layer->layout = ENVELOPE_SHAPE_MAP;
                layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
              }
          }
      }
      break;

    case ENVELOPE_VALUE_COUNT:
      if (!envelope_spin_button_parse (GTK_SPIN_BUTTON (fe->spin), &value))
        return;
      *FIELD_VALUE (layer, fe->info, gint64) = value;
      break;

    case ENVELOPE_VALUE_INTEGER:
      if (!envelope_spin_button_parse (GTK_SPIN_BUTTON (fe->spin), &value))
        return;
      *FIELD_VALUE (layer, fe->info, gint64) = value;
      break;

    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      read_list (fe, layer, FIELD_VALUE (layer, fe->info, gint64));
      break;

    case ENVELOPE_VALUE_PADDING:
      layer->padding_mode = (EnvelopePaddingMode) adw_combo_row_get_selected (fe->combo);
      read_list (fe, layer, layer->padding);
      gtk_widget_set_sensitive (fe->rows[1], layer->padding_mode == ENVELOPE_PADDING_EXPLICIT);
      break;

    case ENVELOPE_VALUE_BOOLEAN:
      *FIELD_VALUE (layer, fe->info, gboolean) = gtk_switch_get_active (GTK_SWITCH (fe->toggle));
      break;

    case ENVELOPE_VALUE_CHOICE:
      *FIELD_VALUE (layer, fe->info, gint) = (gint) adw_combo_row_get_selected (fe->combo);
      break;

    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      if (!read_fraction (GTK_SPIN_BUTTON (fe->spin), FIELD_VALUE (layer, fe->info, double)))
        return;
      break;

    case ENVELOPE_VALUE_NAME:
      {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (fe->entry));

        char **target = FIELD_VALUE (layer, fe->info, char *);

        g_free (*target);
        *target = text[0] != '\0' ? g_strdup (text) : NULL;
      }
      break;

    case ENVELOPE_VALUE_AXES:
      if (!parse_axes (gtk_editable_get_text (GTK_EDITABLE (fe->entry)),
                       FIELD_VALUE (layer, fe->info, gint64), &ENVELOPE_LAYER_LENGTH (layer, fe->field)))
        return;
      break;

    case ENVELOPE_VALUE_REALS:
      if (!parse_reals (gtk_editable_get_text (GTK_EDITABLE (fe->entry)),
                        FIELD_VALUE (layer, fe->info, double), &ENVELOPE_LAYER_LENGTH (layer, fe->field)))
        return;
      break;

    default:
      g_assert_not_reached ();
    }

  layer->set |= ENVELOPE_FIELD_BIT (fe->field);
  merge_key = g_strdup_printf ("layer:%d:%s", self->layer, fe->info->key);
  envelope_document_update_layer (self->document, (guint) self->layer, layer, merge_key);
}

/* The rows of a shape of @selected layout, and the sizes it asks for. */
static void
show_shape_rows (FieldEditor *fe,
                 guint        selected)
{
  static const char *const titles[] = {
    N_("Height × width"), NULL, N_("Tokens × features"), N_("Length"), N_("Depth × height × width"),
  };
  EnvelopePairEditor *editor = ENVELOPE_PAIR_EDITOR (fe->pair);

  gtk_widget_set_visible (fe->rows[1], selected != SHAPE_VECTOR && selected != SHAPE_TOKENS);
  gtk_widget_set_visible (fe->rows[2], selected != SHAPE_VECTOR);
  gtk_widget_set_visible (gtk_widget_get_ancestor (fe->length_spin, ADW_TYPE_ACTION_ROW), selected == SHAPE_VECTOR);
  if (selected == SHAPE_VECTOR)
    return;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fe->rows[2]), _(titles[selected]));
  if (envelope_pair_editor_get_axes (editor) != shape_axes[selected])
    {
      gint64 values[ENVELOPE_MAX_SPATIAL];
      guint from = envelope_pair_editor_get_axes (editor);

      /* keep the sizes there are, and repeat the last for a new axis */
      envelope_pair_editor_get_list (editor, values);
      for (guint a = from; a < ENVELOPE_MAX_SPATIAL; a++)
        values[a] = values[from - 1];
      envelope_pair_editor_set_axes (editor, shape_axes[selected]);
      envelope_pair_editor_set_list (editor, values);
    }
}

static void
on_editor_changed (FieldEditor *fe)
{
  if (fe->info->value_kind == ENVELOPE_VALUE_SHAPE && !fe->self->updating)
    show_shape_rows (fe, adw_combo_row_get_selected (fe->combo));
  apply (fe);
}

/* ------------------------------------------------------------------ */
/* Building the controls of a kind                                     */

static GtkWidget *
add_row (EnvelopeInspector *self,
         const char        *title,
         GtkWidget         *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (suffix != NULL)
    {
      gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
      /* The row's title is beside the control, not in it. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (suffix), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
  adw_preferences_group_add (self->settings_group, row);
  g_ptr_array_add (self->setting_rows, row);
  return row;
}

static GtkWidget *
add_combo (EnvelopeInspector  *self,
           FieldEditor        *fe,
           const char         *title,
           const char *const  *items)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_editor_changed), fe);
  adw_preferences_group_add (self->settings_group, row);
  g_ptr_array_add (self->setting_rows, row);
  fe->combo = ADW_COMBO_ROW (row);
  return row;
}

static GtkWidget *
new_spin (FieldEditor *fe,
          double       minimum,
          double       maximum,
          double       step,
          guint        digits)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (minimum, maximum, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 6);
  gtk_widget_add_css_class (spin, "numeric");
  envelope_spin_button_guard (GTK_SPIN_BUTTON (spin));
  g_signal_connect_swapped (spin, "changed", G_CALLBACK (on_editor_changed), fe);
  return spin;
}

static GtkWidget *
new_pair (FieldEditor *fe,
          double       minimum)
{
  GtkWidget *pair = envelope_pair_editor_new ();

  envelope_pair_editor_set_range (ENVELOPE_PAIR_EDITOR (pair), minimum, MAX_COUNT);
  g_signal_connect_swapped (pair, "changed", G_CALLBACK (on_editor_changed), fe);
  return pair;
}

static void
build_editor (EnvelopeInspector *self,
              EnvelopeField      field)
{
  static const char *const shape_items[] = {
    N_("Image (C × H × W)"), N_("Vector (N)"), N_("Tokens (T × D)"), N_("Signal (C × L)"), N_("Volume (C × D × H × W)"), NULL,
  };
  static const char *const padding_items[] = { N_("Explicit"), N_("Same (TensorFlow)"), N_("Valid (none)"), NULL };
  FieldEditor *fe = g_new0 (FieldEditor, 1);
  const char *label;
  const char *items[8] = { NULL };

  fe->self = self;
  fe->field = field;
  fe->info = envelope_field_get_info (field);
  label = _(fe->info->label);
  g_ptr_array_add (self->editors, fe);

  switch (fe->info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      for (guint i = 0; shape_items[i] != NULL; i++)
        items[i] = _(shape_items[i]);
      fe->rows[0] = add_combo (self, fe, label, items);
      fe->spin = new_spin (fe, 0, MAX_COUNT, 1, 0);
      fe->rows[1] = add_row (self, _("Channels"), fe->spin);
      fe->pair = new_pair (fe, 0);
      fe->rows[2] = add_row (self, _("Height × width"), fe->pair);
      fe->length_spin = new_spin (fe, 0, MAX_COUNT, 1, 0);
      add_row (self, _("Length"), fe->length_spin);
      break;

    case ENVELOPE_VALUE_COUNT:
      fe->spin = new_spin (fe, 0, MAX_COUNT, 1, 0);
      fe->rows[0] = add_row (self, label, fe->spin);
      break;

    case ENVELOPE_VALUE_PAIR:
      fe->pair = new_pair (fe, 0);
      fe->rows[0] = add_row (self, label, fe->pair);
      break;

    case ENVELOPE_VALUE_OFFSET:
      fe->pair = new_pair (fe, 0);
      fe->rows[0] = add_row (self, label, fe->pair);
      break;

    case ENVELOPE_VALUE_PADDING:
      for (guint i = 0; padding_items[i] != NULL; i++)
        items[i] = _(padding_items[i]);
      fe->rows[0] = add_combo (self, fe, label, items);
      fe->pair = new_pair (fe, 0);
      fe->rows[1] = add_row (self, _("Per side"), fe->pair);
      break;

    case ENVELOPE_VALUE_BOOLEAN:
      fe->toggle = gtk_switch_new ();
      g_signal_connect_swapped (fe->toggle, "notify::active", G_CALLBACK (on_editor_changed), fe);
      fe->rows[0] = add_row (self, label, fe->toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (fe->rows[0]), fe->toggle);
      break;

    case ENVELOPE_VALUE_CHOICE:
      /* the file's own words, as the documentation and the CLI use them */
      for (guint i = 0; fe->info->choices[i] != NULL && i + 1 < G_N_ELEMENTS (items); i++)
        items[i] = fe->info->choices[i];
      fe->rows[0] = add_combo (self, fe, label, items);
      break;

    case ENVELOPE_VALUE_FRACTION:
      fe->spin = new_spin (fe, 0, 1, 0.05, 2);
      fe->rows[0] = add_row (self, label, fe->spin);
      break;

    case ENVELOPE_VALUE_INTEGER:
      fe->spin = new_spin (fe, -MAX_COUNT, MAX_COUNT, 1, 0);
      fe->rows[0] = add_row (self, label, fe->spin);
      break;

    case ENVELOPE_VALUE_REAL:
      fe->spin = new_spin (fe, -MAX_COUNT, MAX_COUNT, 0.1, 3);
      fe->rows[0] = add_row (self, label, fe->spin);
      break;

    case ENVELOPE_VALUE_NAME:
    case ENVELOPE_VALUE_AXES:
    case ENVELOPE_VALUE_REALS:
      fe->entry = gtk_entry_new ();
      gtk_editable_set_width_chars (GTK_EDITABLE (fe->entry), 10);
      g_signal_connect_swapped (fe->entry, "activate", G_CALLBACK (on_editor_changed), fe);
      fe->rows[0] = add_row (self, label, fe->entry);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
clear_editors (EnvelopeInspector *self)
{
  for (guint i = 0; i < self->setting_rows->len; i++)
    adw_preferences_group_remove (self->settings_group, g_ptr_array_index (self->setting_rows, i));
  g_ptr_array_set_size (self->setting_rows, 0);
  g_ptr_array_set_size (self->editors, 0);
}

static void
build_editors (EnvelopeInspector       *self,
               const EnvelopeLayerKind *kind)
{
  clear_editors (self);
  for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
    if (kind->fields & ENVELOPE_FIELD_BIT (f))
      build_editor (self, f);
  gtk_widget_set_visible (GTK_WIDGET (self->settings_group), self->editors->len > 0);
}

/* ------------------------------------------------------------------ */
/* From the document to the controls                                   */

/* How many spatial axes the layer's window settings have: its input's,
 * once analysed; else what its own lists say; else an image's two. */
static guint
spatial_axes (FieldEditor         *fe,
              const EnvelopeLayer *layer)
{
  EnvelopeInspector *self = fe->self;
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  gint index = envelope_document_get_figures_index (self->document, (guint) self->layer);
  guint n = ENVELOPE_LAYER_LENGTH (layer, fe->field);

  if (analysis != NULL && index >= 0)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, (guint) index);

      if (f->n_inputs > 0)
        {
          const EnvelopeLayerFigures *in = envelope_analysis_get_layer (analysis, f->inputs[0]);

          if (in->layout == ENVELOPE_TENSOR_MAP)
            return in->rank - 1;
        }
    }
  return n == 1 || n == 3 ? n : 2;
}

static void
show_list (FieldEditor         *fe,
           const EnvelopeLayer *layer,
           const gint64        *values)
{
  EnvelopePairEditor *editor = ENVELOPE_PAIR_EDITOR (fe->pair);
  guint axes = spatial_axes (fe, layer);

  /* a tooltip set again makes GTK ask the display where the pointer is:
   * a round trip on every edit for nothing */
  if (!fe->pair_shown || envelope_pair_editor_get_axes (editor) != axes)
    envelope_pair_editor_set_axes (editor, axes);
  fe->pair_shown = TRUE;
  envelope_pair_editor_set_list (editor, values);
}

/* Attention's key and value heads are its heads' until set, and its head
 * width the model width's share of the heads: the row shows that value
 * and says so, rather than the 1 the unset field holds. */
static gboolean
derived_count (EnvelopeInspector   *self,
               const EnvelopeLayer *layer,
               EnvelopeField        field,
               gint64              *value,
               const char         **hint)
{
  const EnvelopeAnalysis *analysis;
  const EnvelopeLayerFigures *f, *in;
  guint64 width;
  gint index;

  if (layer->type != ENVELOPE_LAYER_ATTENTION || (layer->set & ENVELOPE_FIELD_BIT (field)))
    return FALSE;
  if (field == ENVELOPE_FIELD_KV_HEADS)
    {
      *value = layer->heads;
      *hint = _("The heads’, until set");
      return TRUE;
    }
  if (field != ENVELOPE_FIELD_HEAD_DIM)
    return FALSE;
  analysis = envelope_document_get_analysis (self->document);
  index = envelope_document_get_figures_index (self->document, (guint) self->layer);
  if (analysis == NULL || index < 0)
    return FALSE;
  f = envelope_analysis_get_layer (analysis, (guint) index);
  if (f->n_inputs == 0)
    return FALSE;
  in = envelope_analysis_get_layer (analysis, f->inputs[0]);
  width = in->layout == ENVELOPE_TENSOR_TOKENS ? in->shape[1] : in->shape[0];
  if (layer->heads < 1 || width % (guint64) layer->heads != 0)
    return FALSE;
  *value = (gint64) (width / (guint64) layer->heads);
  *hint = _("The width ÷ heads, until set");
  return TRUE;
}

static void
show_editor (EnvelopeInspector   *self,
             FieldEditor         *fe,
             const EnvelopeLayer *layer)
{
  switch (fe->info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      {
        guint selected = layer->shape_rank == 1 ? SHAPE_VECTOR
                       : layer->shape_rank == 2 && layer->layout == ENVELOPE_SHAPE_TOKENS ? SHAPE_TOKENS
                       : layer->shape_rank == 2 ? SHAPE_SIGNAL
                       : layer->shape_rank == 4 ? SHAPE_VOLUME : SHAPE_IMAGE;
        EnvelopePairEditor *editor = ENVELOPE_PAIR_EDITOR (fe->pair);

        adw_combo_row_set_selected (fe->combo, selected);
        if (selected == SHAPE_VECTOR)
          envelope_spin_button_show (GTK_SPIN_BUTTON (fe->length_spin), layer->shape[0]);
        else if (selected == SHAPE_TOKENS)
          envelope_pair_editor_set_values (editor, layer->shape[0], layer->shape[1]);
        else
          {
            envelope_spin_button_show (GTK_SPIN_BUTTON (fe->spin), layer->shape[0]);
            envelope_pair_editor_set_axes (editor, layer->shape_rank - 1);
            envelope_pair_editor_set_list (editor, layer->shape + 1);
          }
        show_shape_rows (fe, selected);
      }
      break;

    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
      {
        gint64 value = *FIELD_VALUE (layer, fe->info, gint64);

        fe->hint = NULL;
        derived_count (self, layer, fe->field, &value, &fe->hint);
        envelope_spin_button_show (GTK_SPIN_BUTTON (fe->spin), value);
      }
      break;

    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      {
        const gint64 *pair = FIELD_VALUE (layer, fe->info, gint64);

        /* A pooling layer's stride is its kernel's until it is set. */
        fe->hint = NULL;
        if (fe->field == ENVELOPE_FIELD_STRIDE && !(layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)) &&
            (layer->type == ENVELOPE_LAYER_MAX_POOL || layer->type == ENVELOPE_LAYER_AVG_POOL))
          {
            pair = layer->kernel;
            fe->hint = _("The kernel’s, until set");
          }
        show_list (fe, layer, pair);
      }
      break;

    case ENVELOPE_VALUE_PADDING:
      adw_combo_row_set_selected (fe->combo, layer->padding_mode);
      show_list (fe, layer, layer->padding);
      gtk_widget_set_sensitive (fe->rows[1], layer->padding_mode == ENVELOPE_PADDING_EXPLICIT);
      break;

    case ENVELOPE_VALUE_BOOLEAN:
      gtk_switch_set_active (GTK_SWITCH (fe->toggle), *FIELD_VALUE (layer, fe->info, gboolean));
      break;

    case ENVELOPE_VALUE_CHOICE:
      adw_combo_row_set_selected (fe->combo, (guint) *FIELD_VALUE (layer, fe->info, gint));
      break;

    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      {
        double shown, value = *FIELD_VALUE (layer, fe->info, double);
        if (!read_fraction (GTK_SPIN_BUTTON (fe->spin), &shown) || shown != value)
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (fe->spin), value);
      }
      break;

    case ENVELOPE_VALUE_NAME:
      {
        const char *name = *FIELD_VALUE (layer, fe->info, char *);

        if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (fe->entry)), name ? name : "") != 0)
          gtk_editable_set_text (GTK_EDITABLE (fe->entry), name ? name : "");
      }
      break;

    case ENVELOPE_VALUE_AXES:
      {
        g_autofree char *text = format_axes (FIELD_VALUE (layer, fe->info, gint64), ENVELOPE_LAYER_LENGTH (layer, fe->field));

        if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (fe->entry)), text) != 0)
          gtk_editable_set_text (GTK_EDITABLE (fe->entry), text);
      }
      break;

    case ENVELOPE_VALUE_REALS:
      {
        g_autofree char *text = format_reals (FIELD_VALUE (layer, fe->info, double), ENVELOPE_LAYER_LENGTH (layer, fe->field));

        if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (fe->entry)), text) != 0)
          gtk_editable_set_text (GTK_EDITABLE (fe->entry), text);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
mark_error (FieldEditor *fe,
            const char  *message)
{
  GtkWidget *controls[] = { fe->spin, fe->length_spin, fe->toggle };

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      if (controls[i] == NULL)
        continue;
      if (message != NULL)
        gtk_widget_add_css_class (controls[i], "error");
      else
        gtk_widget_remove_css_class (controls[i], "error");
    }
  if (fe->pair != NULL)
    envelope_pair_editor_set_error (ENVELOPE_PAIR_EDITOR (fe->pair), message != NULL);
  if (fe->combo != NULL)
    {
      if (message != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (fe->combo), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (fe->combo), "error");
    }

  /* The message itself floats over the panel's foot; the row keeps its
   * text, so that nothing under the pointer moves while typing. */
  if (message != NULL)
    gtk_widget_add_css_class (fe->rows[0], "field-error");
  else
    gtk_widget_remove_css_class (fe->rows[0], "field-error");
  if (g_strcmp0 (gtk_widget_get_tooltip_text (fe->rows[0]), message) != 0)
    gtk_widget_set_tooltip_text (fe->rows[0], message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (fe->rows[0]), fe->hint ? fe->hint : "");
}

/* The message floats over the panel's foot; the page gets as much room
 * below its last line, so that scrolling brings every control clear of
 * it.  Nothing above moves. */
#define PAGE_MARGIN_BOTTOM 18

static void
show_message (EnvelopeInspector *self,
              const char        *message)
{
  int reserve = PAGE_MARGIN_BOTTOM;

  if (message != NULL)
    {
      int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)) - 20, 100), height = 0;

      gtk_label_set_text (self->message_label, message);
      gtk_widget_measure (GTK_WIDGET (self->message_label), GTK_ORIENTATION_VERTICAL, width, NULL, &height, NULL, NULL);
      reserve += height + 10;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  gtk_widget_set_margin_bottom (self->layer_page, reserve);
}

/* The error, on the field it names when it is one of this layer's;
 * above the settings when it concerns this layer otherwise. */
static void
show_errors (EnvelopeInspector *self)
{
  const GError *error = envelope_document_get_error (self->document);
  const char *field = envelope_document_get_error_field (self->document);
  gboolean here = error != NULL && envelope_document_get_error_layer (self->document) == self->layer;

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      gboolean marked = here && g_strcmp0 (field, fe->info->key) == 0;

      mark_error (fe, marked ? error->message : NULL);
    }

  if (here && g_strcmp0 (field, "name") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");

  show_message (self, here ? error->message : NULL);
}

static void
show_inputs (EnvelopeInspector *self)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeLayer *layer = current_layer (self);
  g_auto(GStrv) inputs = envelope_layer_dup_effective_inputs (network, (guint) self->layer);
  g_autofree char *joined = g_strjoinv (", ", inputs);
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
  g_autofree char *text = NULL;

  if (kind->max_inputs == 0)
    text = g_strdup (_("Nothing: the network starts here"));
  else if (inputs[0] == NULL)
    text = g_strdup (_("Nothing yet"));
  else if (layer->inputs == NULL)
    text = g_strdup_printf (_("%s, the layer before it"), joined);
  else
    text = g_strdup (joined);
  adw_action_row_set_subtitle (self->inputs_row, text);
}

/* The layers this one could read, nearest first: a menu of "win.connect". */
#define MAX_CONNECT_ITEMS 40

static void
build_connect_menu (EnvelopeInspector *self)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  const EnvelopeLayer *layer = current_layer (self);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  guint count = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->connect_button),
                          envelope_layer_kind_get (layer->type)->max_inputs > 0 && self->layer > 0);
  for (gint j = self->layer - 1; j >= 0 && count < MAX_CONNECT_ITEMS; j--, count++)
    {
      const EnvelopeLayer *source = envelope_network_get_layer (network, (guint) j);
      g_autoptr(GMenuItem) item = g_menu_item_new (source->name, NULL);

      if (envelope_layer_reads (network, (guint) self->layer, source->name))
        continue;
      g_menu_item_set_action_and_target (item, "win.connect", "(ss)", source->name, layer->name);
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, envelope_layer_kind_get (layer->type)->max_inputs > 1
                                 ? _("Also read") : _("Read instead"), G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (self->connect_button, G_MENU_MODEL (menu));
}

static void
build_figure_rows (EnvelopeInspector *self)
{
  for (guint f = 0; f < ENVELOPE_N_FIGURES; f++)
    {
      GtkWidget *row, *box, *caption, *rule, *formula;

      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      gtk_widget_add_css_class (box, "figure");
      caption = gtk_label_new (envelope_figure_get_label (f));
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      rule = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (rule), 0);
      gtk_label_set_wrap (GTK_LABEL (rule), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (rule), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (rule), TRUE);
      gtk_widget_add_css_class (rule, "rule");
      gtk_widget_set_visible (rule, FALSE);
      formula = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (formula), 0);
      gtk_label_set_wrap (GTK_LABEL (formula), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (formula), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (formula), TRUE);
      gtk_widget_add_css_class (formula, "formula");
      gtk_box_append (GTK_BOX (box), caption);
      gtk_box_append (GTK_BOX (box), rule);
      gtk_box_append (GTK_BOX (box), formula);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_append (self->figures_list, row);
      self->figure_rows[f] = row;
      self->formula_labels[f] = GTK_LABEL (formula);
      self->rule_labels[f] = GTK_LABEL (rule);
    }
}

static void
show_figures (EnvelopeInspector *self)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  gint index = envelope_document_get_figures_index (self->document, (guint) self->layer);
  const GError *error = envelope_document_get_error (self->document);
  char **formulas, **rules;

  if (index >= 0 && analysis != NULL &&
      envelope_analysis_get_layer (analysis, (guint) index)->state != ENVELOPE_LAYER_ANALYSED)
    {
      gboolean failed = envelope_analysis_get_layer (analysis, (guint) index)->state == ENVELOPE_LAYER_FAILED;

      gtk_label_set_text (self->figures_note,
                          failed ? _("No figures: this layer cannot be analysed until its error is mended.")
                                 : _("No figures: this layer reads one that cannot be analysed. The layers before "
                                     "the error have theirs."));
      gtk_widget_set_visible (GTK_WIDGET (self->figures_note), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->figures_list), FALSE);
      envelope_memory_shares_show_layer (self->memory_shares, NULL, -1);
      return;
    }
  if (index < 0 || analysis == NULL)
    {
      gtk_label_set_text (self->figures_note, _("No figures yet: this layer has none until the network is valid."));
      gtk_widget_set_visible (GTK_WIDGET (self->figures_note), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->figures_list), FALSE);
      envelope_memory_shares_show_layer (self->memory_shares, NULL, -1);
      return;
    }

  gtk_label_set_text (self->figures_note, _("The last valid figures, until the error is mended."));
  /* a partial analysis is of this network: its figures are current */
  gtk_widget_set_visible (GTK_WIDGET (self->figures_note), error != NULL && !envelope_analysis_is_partial (analysis));
  gtk_widget_set_visible (GTK_WIDGET (self->figures_list), TRUE);

  formulas = envelope_analysis_explain_layer (analysis, (guint) index);
  rules = envelope_analysis_explain_rules (analysis, (guint) index);
  for (guint f = 0; f < ENVELOPE_N_FIGURES; f++)
    {
      gtk_widget_set_visible (self->figure_rows[f], formulas[f] != NULL);
      if (formulas[f] != NULL && g_strcmp0 (gtk_label_get_text (self->formula_labels[f]), formulas[f]) != 0)
        gtk_label_set_text (self->formula_labels[f], formulas[f]);
      gtk_widget_set_visible (GTK_WIDGET (self->rule_labels[f]), formulas[f] != NULL && rules[f] != NULL);
      if (rules[f] != NULL && g_strcmp0 (gtk_label_get_text (self->rule_labels[f]), rules[f]) != 0)
        gtk_label_set_text (self->rule_labels[f], rules[f]);
    }
  envelope_formulas_free (formulas);
  envelope_formulas_free (rules);
  envelope_memory_shares_show_layer (self->memory_shares, analysis, index);
}

static gboolean
has_focus_within (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
show_header (EnvelopeInspector   *self,
             const EnvelopeLayer *layer)
{
  g_autofree char *description = envelope_layer_describe (layer);
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  gint index = envelope_document_get_figures_index (self->document, (guint) self->layer);
  g_autofree char *subtitle = NULL;

  gtk_label_set_text (self->kind_label, envelope_layer_kind_get_title (layer->type));
  if (index >= 0 && analysis != NULL &&
      envelope_analysis_get_layer (analysis, (guint) index)->state == ENVELOPE_LAYER_ANALYSED)
    {
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, (guint) index);
      g_autofree char *shape = envelope_format_shape (f->rank, f->shape);
      subtitle = g_strdup_printf ("%s → %s", description, shape);
    }
  gtk_label_set_text (self->description_label, subtitle ? subtitle : description);
  if (!has_focus_within (GTK_WIDGET (self->name_row)) &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), layer->name) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), layer->name);
}

/* ------------------------------------------------------------------ */
/* A collapsed group selected as a whole                               */

static gint
diagram_layer_named (const EnvelopeDiagram *diagram,
                     const char            *name)
{
  for (guint i = 0; i < envelope_diagram_get_n_layers (diagram); i++)
    if (g_strcmp0 (envelope_diagram_get_layer_name (diagram, i), name) == 0)
      return (gint) i;
  return -1;
}

/* The collapsed block of the canvas's diagram that the selected group
 * is drawn as, or -1 when no group is selected or it is open now. */
static gint
selected_group_block (EnvelopeInspector *self)
{
  const char *group = envelope_document_get_selected_group (self->document);
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  gint selected = envelope_document_get_selected_layer (self->document);
  const EnvelopeDiagram *diagram;
  g_auto(GStrv) groups = NULL;
  gint layer, block;

  if (group == NULL || self->canvas == NULL || selected < 0 ||
      (guint) selected >= envelope_network_get_n_layers (network))
    return -1;
  diagram = envelope_canvas_get_diagram (self->canvas);
  if (diagram == NULL)
    return -1;
  layer = diagram_layer_named (diagram, envelope_network_get_layer (network, (guint) selected)->name);
  block = layer >= 0 ? envelope_diagram_find_block (diagram, (guint) layer) : -1;
  if (block < 0 || !envelope_diagram_get_block (diagram, (guint) block)->collapsed)
    return -1;
  groups = envelope_diagram_get_block_groups (diagram, (guint) block);
  return g_strv_contains ((const char * const *) groups, group) ? block : -1;
}

/* The network's layers that @layers of @diagram are, by name. */
static guint *
document_layers (EnvelopeInspector     *self,
                 const EnvelopeDiagram *diagram,
                 const guint           *layers,
                 guint                  n,
                 guint                 *n_found)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  guint *found = g_new (guint, MAX (n, 1));

  *n_found = 0;
  for (guint k = 0; k < n; k++)
    {
      gint index = envelope_network_find_layer (network, envelope_diagram_get_layer_name (diagram, layers[k]));

      if (index >= 0)
        found[(*n_found)++] = (guint) index;
    }
  return found;
}

/* "3 conv, 3 BN, add" for @n of @diagram's layers. */
static char *
describe_members (EnvelopeInspector     *self,
                  const EnvelopeDiagram *diagram,
                  const guint           *layers,
                  guint                  n)
{
  guint n_found;
  g_autofree guint *found = document_layers (self, diagram, layers, n, &n_found);

  return envelope_network_describe_layers (envelope_document_get_network (self->document), found, n_found);
}

static char *
format_operations (EnvelopeInspector *self,
                   guint64            macs)
{
  g_autofree char *count = NULL;

  if (self->flops && macs <= G_MAXUINT64 / 2)
    {
      count = envelope_format_compact (2 * macs);
      return g_strdup_printf (_("%s FLOPs"), count);
    }
  count = envelope_format_compact (macs);
  return g_strdup_printf (_("%s MACs"), count);
}

/* A member's figure that says most about it: its operations, else its
 * parameters, else its output. */
static char *
main_figure (EnvelopeInspector          *self,
             const EnvelopeLayerFigures *f)
{
  g_autofree char *count = NULL;

  if (f->state != ENVELOPE_LAYER_ANALYSED)
    return g_strdup (_("not analysed"));
  if (f->macs > 0)
    return format_operations (self, f->macs);
  if (f->params > 0)
    {
      count = envelope_format_compact (f->params);
      return g_strdup_printf (_("%s parameters"), count);
    }
  return envelope_format_shape (f->rank, f->shape);
}

static char *
format_bytes_of (guint64 values,
                 guint64 factor)
{
  guint64 bytes;

  if (!g_uint64_checked_mul (&bytes, values, factor))
    return g_strdup ("—");
  return envelope_format_bytes (bytes, envelope_settings_get_units ());
}

static void
show_members (EnvelopeInspector     *self,
              const EnvelopeDiagram *diagram,
              const EnvelopeBlock   *block)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  GtkWidget *child;
  g_autofree char *title = NULL;
  g_autofree char *count = envelope_format_count (block->n_layers);
  guint shown = MIN (block->n_layers, MAX_MEMBER_ROWS);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->group_members))) != NULL)
    gtk_list_box_remove (self->group_members, child);
  title = g_strdup_printf (ngettext ("%s Layer", "%s Layers", block->n_layers), count);
  gtk_label_set_text (self->group_members_title, title);

  for (guint k = 0; k < shown; k++)
    {
      guint layer = block->layers[k];
      const char *name = envelope_diagram_get_layer_name (diagram, layer);
      gint index = envelope_network_find_layer (network, name);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *figure = main_figure (self, envelope_diagram_get_layer_figures (diagram, layer));
      GtkWidget *value = gtk_label_new (figure);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      if (index >= 0)
        {
          g_autofree char *description = envelope_layer_describe (envelope_network_get_layer (network, (guint) index));

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
        }
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (value, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), index >= 0);
      g_object_set_data (G_OBJECT (row), "layer", GINT_TO_POINTER (index));
      gtk_list_box_append (self->group_members, row);
    }
  if (shown < block->n_layers)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *rest = envelope_format_count (block->n_layers - shown);
      g_autofree char *more = g_strdup_printf (ngettext ("and %s more layer: open the group to see it",
                                                         "and %s more layers: open the group to see them",
                                                         block->n_layers - shown),
                                               rest);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), more);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      g_object_set_data (G_OBJECT (row), "layer", GINT_TO_POINTER (-1));
      gtk_list_box_append (self->group_members, row);
    }
}

static void
show_group (EnvelopeInspector *self,
            gint               index)
{
  const EnvelopeDiagram *diagram = envelope_canvas_get_diagram (self->canvas);
  const EnvelopeBlock *block = envelope_diagram_get_block (diagram, (guint) index);
  const EnvelopeMemory *memory = envelope_diagram_get_memory (diagram);
  g_auto(GStrv) groups = envelope_diagram_get_block_groups (diagram, (guint) index);
  g_autofree char *title = NULL;
  g_autofree char *holds = NULL;
  g_autofree char *description = NULL;
  g_autofree char *inputs = NULL;
  g_autofree char *shapes = NULL;
  g_autofree char *params = NULL;
  g_autofree char *macs = NULL;
  g_autofree char *activations = NULL;
  g_autofree char *parameter_bytes = NULL;
  g_autofree char *output_bytes = NULL;
  g_autofree char *memory_text = NULL;
  g_autofree char *repeats = envelope_format_count (block->repeats);
  g_autofree char *n_layers = envelope_format_count (block->n_layers);
  GString *in = g_string_new (NULL);
  guint64 batch = memory != NULL ? MAX (memory->batch, 1) : 1;
  guint bytes_per_value = memory != NULL ? MAX (memory->bytes_per_value, 1) : 4;
  guint n_groups = g_strv_length (groups);

  /* a folded run is named by its first and last groups */
  title = n_groups > 1 ? g_strdup_printf ("%s … %s", groups[0], groups[n_groups - 1])
                       : g_strdup (groups[0] != NULL ? groups[0] : block->name);
  gtk_label_set_text (self->group_title_label, title);

  holds = describe_members (self, diagram, block->layers, block->n_layers);
  if (block->repeats > 1)
    description = g_strdup_printf (_("A run of %s groups of the same layers and shapes"), repeats);
  else
    description = g_strdup_printf (ngettext ("Group of %s layer: %s", "Group of %s layers: %s", block->n_layers),
                                   n_layers, holds);
  gtk_label_set_text (self->group_description_label, description);

  gtk_widget_set_visible (GTK_WIDGET (self->group_repeat_label), block->repeats > 1);
  if (block->repeats > 1)
    {
      guint per_repeat = block->n_layers / block->repeats;
      g_autofree char *one = describe_members (self, diagram, block->layers, per_repeat);
      g_autofree char *one_params = envelope_format_count (block->params / block->repeats);
      g_autofree char *one_ops = format_operations (self, block->macs / block->repeats);
      g_autofree char *text = NULL;

      /* TRANSLATORS: "× 5: …; one repeat holds 10 layers (3 conv, 3 BN, add), 1,117,184 parameters, 231 M MACs" */
      text = g_strdup_printf (ngettext ("× %s: the totals below are the whole run’s; one repeat holds %u layer (%s), %s parameters, %s",
                                        "× %s: the totals below are the whole run’s; one repeat holds %u layers (%s), %s parameters, %s",
                                        per_repeat),
                              repeats, per_repeat, one, one_params, one_ops);
      gtk_label_set_text (self->group_repeat_label, text);
    }

  /* what comes in: the main input first */
  for (guint pass = 0; pass < 2; pass++)
    for (guint e = 0; e < envelope_diagram_get_n_edges (diagram); e++)
      {
        const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

        if (edge->to != (guint) index || edge->label == NULL || edge->main != (pass == 0))
          continue;
        g_string_append_printf (in, in->len > 0 ? ", %s" : "%s", edge->label);
      }
  inputs = g_string_free (in, FALSE);
  shapes = g_strdup_printf ("%s → %s", inputs[0] != '\0' ? inputs : "—", block->shape_text ? block->shape_text : "—");
  adw_action_row_set_subtitle (self->group_shapes_row, shapes);

  params = envelope_format_count (block->params);
  adw_action_row_set_subtitle (self->group_params_row, params);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->group_macs_row),
                                 self->flops ? _("Floating-point operations (FLOPs = 2 × MACs)")
                                             : _("Multiply-adds (MACs)"));
  macs = self->flops && block->macs <= G_MAXUINT64 / 2 ? envelope_format_count (2 * block->macs)
                                                        : envelope_format_count (block->macs);
  adw_action_row_set_subtitle (self->group_macs_row, macs);

  {
    g_autofree char *values = envelope_format_count (block->activations);
    activations = g_strdup_printf (_("%s values a sample"), values);
  }
  adw_action_row_set_subtitle (self->group_activations_row, activations);

  parameter_bytes = format_bytes_of (block->params, bytes_per_value);
  {
    guint64 per_batch;

    output_bytes = g_uint64_checked_mul (&per_batch, block->activations, batch)
                   ? format_bytes_of (per_batch, bytes_per_value) : g_strdup ("—");
  }
  {
    g_autofree char *batch_text = envelope_format_count (batch);

    memory_text = g_strdup_printf (_("%s of parameters, %s of outputs at a batch of %s"),
                                   parameter_bytes, output_bytes, batch_text);
  }
  adw_action_row_set_subtitle (self->group_memory_row, memory_text);

  show_members (self, diagram, block);
}

static void
on_member_activated (GtkListBox        *list,
                     GtkListBoxRow     *row,
                     EnvelopeInspector *self)
{
  gint layer = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "layer"));

  if (layer < 0 || self->canvas == NULL)
    return;
  if (!envelope_canvas_open_layer (self->canvas, layer))
    envelope_document_select_layer (self->document, layer);
  envelope_canvas_reveal_selection (self->canvas);
}

static void
refresh (EnvelopeInspector *self,
         gboolean           rebuild,
         gboolean           structure)
{
  const EnvelopeNetwork *network = envelope_document_get_network (self->document);
  gint selected = envelope_document_get_selected_layer (self->document);
  const EnvelopeLayer *layer;
  guint from, to;
  gint group_block;

  self->updating = TRUE;
  if (envelope_document_get_selected_edge (self->document, &from, &to))
    {
      const EnvelopeLayer *source = envelope_network_get_layer (network, from);
      const EnvelopeLayer *target = envelope_network_get_layer (network, to);
      g_autofree char *title = g_strdup_printf ("%s → %s", source->name, target->name);
      g_autofree char *description = g_strdup_printf (_("“%s” reads the output of “%s”. Press Delete to remove "
                                                        "this connection, or drag from a block’s output port to "
                                                        "another block to add one."),
                                                      target->name, source->name);

      self->layer = -1;
      adw_status_page_set_title (self->edge_page, title);
      adw_status_page_set_description (self->edge_page, description);
      gtk_stack_set_visible_child_name (self->stack, "edge");
      self->updating = FALSE;
      return;
    }
  if (selected < 0 || (guint) selected >= envelope_network_get_n_layers (network))
    {
      self->layer = -1;
      gtk_stack_set_visible_child_name (self->stack, "empty");
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->network_name_row)), network->name) != 0)
        gtk_editable_set_text (GTK_EDITABLE (self->network_name_row), network->name ? network->name : "");
      self->updating = FALSE;
      return;
    }

  group_block = selected_group_block (self);
  if (group_block >= 0)
    {
      /* the layer's page is made afresh when the group is left */
      self->layer = -1;
      show_group (self, group_block);
      gtk_stack_set_visible_child_name (self->stack, "group");
      self->updating = FALSE;
      return;
    }

  layer = envelope_network_get_layer (network, (guint) selected);
  if (selected != self->layer)
    structure = TRUE;
  if (rebuild || selected != self->layer || layer->type != self->layer_type || self->editors->len == 0)
    {
      if (selected != self->layer)
        gtk_editable_set_text (GTK_EDITABLE (self->name_row), layer->name);
      self->layer = selected;
      self->layer_type = layer->type;
      build_editors (self, envelope_layer_kind_get (layer->type));
    }
  gtk_stack_set_visible_child_name (self->stack, "layer");

  show_header (self, layer);
  for (guint i = 0; i < self->editors->len; i++)
    show_editor (self, g_ptr_array_index (self->editors, i), layer);
  show_inputs (self);
  if (structure)
    build_connect_menu (self);
  show_errors (self);
  show_figures (self);
  self->updating = FALSE;
}

static void
on_document_changed (EnvelopeDocument  *document,
                     guint              change,
                     EnvelopeInspector *self)
{
  refresh (self, (change & ENVELOPE_CHANGE_FILE) != 0,
           (change & (ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FILE)) != 0);
  /* a new setting changes a few figures: those are repainted alone */
  if (change & (ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FILE))
    envelope_repaint_changed (&self->repaint, GTK_WIDGET (self));
}

static void
envelope_inspector_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  EnvelopeInspector *self = ENVELOPE_INSPECTOR (widget);

  GTK_WIDGET_CLASS (envelope_inspector_parent_class)->snapshot (widget, snapshot);
  envelope_repaint_snapshot (&self->repaint, widget, snapshot);
}

static void
on_selection_changed (EnvelopeDocument  *document,
                      EnvelopeInspector *self)
{
  /* another layer: everything in it is new */
  refresh (self, FALSE, FALSE);
  envelope_repaint_changed (&self->repaint, GTK_WIDGET (self));
}

static void
on_name_applied (AdwEntryRow       *row,
                 EnvelopeInspector *self)
{
  const EnvelopeLayer *current = current_layer (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(EnvelopeLayer) layer = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  if (current == NULL || g_strcmp0 (name, current->name) == 0)
    return;
  layer = envelope_layer_copy (current);
  value = g_variant_ref_sink (g_variant_new_string (name));
  if (envelope_network_find_layer (envelope_document_get_network (self->document), name) >= 0)
    g_set_error (&error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_VALUE,
                 _("Another layer is called “%s”: names must be unique"), name);
  else
    envelope_layer_set_from_variant (layer, "name", value, &error);
  if (error != NULL)
    {
      show_message (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }
  envelope_document_update_layer (self->document, (guint) self->layer, layer, NULL);
}

static void
on_network_name_applied (AdwEntryRow       *row,
                         EnvelopeInspector *self)
{
  envelope_document_set_name (self->document, gtk_editable_get_text (GTK_EDITABLE (row)));
}

/* ------------------------------------------------------------------ */

static void
envelope_inspector_dispose (GObject *object)
{
  EnvelopeInspector *self = ENVELOPE_INSPECTOR (object);
  GtkWidget *child;

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  envelope_inspector_set_canvas (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_INSPECTOR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (envelope_inspector_parent_class)->dispose (object);
}

static void
envelope_inspector_finalize (GObject *object)
{
  EnvelopeInspector *self = ENVELOPE_INSPECTOR (object);

  g_clear_pointer (&self->editors, g_ptr_array_unref);
  g_clear_pointer (&self->setting_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (envelope_inspector_parent_class)->finalize (object);
}

static void
envelope_inspector_class_init (EnvelopeInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_inspector_dispose;
  object_class->finalize = envelope_inspector_finalize;
  widget_class->snapshot = envelope_inspector_snapshot;

  g_type_ensure (ENVELOPE_TYPE_PAIR_EDITOR);
  g_type_ensure (ENVELOPE_TYPE_MEMORY_SHARES);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, edge_page);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, network_name_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, kind_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, description_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, message_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, layer_page);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, name_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, inputs_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, connect_button);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, settings_group);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, figures_note);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, figures_list);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, memory_shares);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_title_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_description_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_repeat_label);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_shapes_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_params_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_macs_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_activations_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_memory_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_members_title);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeInspector, group_members);
  gtk_widget_class_bind_template_callback (widget_class, on_member_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_name_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_network_name_applied);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "envelope-inspector");
}

static void
envelope_inspector_init (EnvelopeInspector *self)
{
  self->editors = g_ptr_array_new_with_free_func (g_free);
  self->setting_rows = g_ptr_array_new ();
  self->layer = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  build_figure_rows (self);
}

void
envelope_inspector_set_document (EnvelopeInspector *self,
                                 EnvelopeDocument  *document)
{
  g_return_if_fail (ENVELOPE_IS_INSPECTOR (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  g_signal_connect (document, "selection-changed", G_CALLBACK (on_selection_changed), self);
  refresh (self, TRUE, TRUE);
}

/* The canvas whose collapsed blocks stand for groups: a group selected
 * on it shows its totals and members here. */
void
envelope_inspector_set_canvas (EnvelopeInspector *self,
                               EnvelopeCanvas    *canvas)
{
  g_return_if_fail (ENVELOPE_IS_INSPECTOR (self));
  g_return_if_fail (canvas == NULL || ENVELOPE_IS_CANVAS (canvas));

  if (self->canvas != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->canvas), (gpointer *) &self->canvas);
  self->canvas = canvas;
  if (canvas != NULL)
    g_object_add_weak_pointer (G_OBJECT (canvas), (gpointer *) &self->canvas);
  if (self->document != NULL)
    refresh (self, FALSE, FALSE);
}

void
envelope_inspector_set_flops (EnvelopeInspector *self,
                              gboolean           flops)
{
  g_return_if_fail (ENVELOPE_IS_INSPECTOR (self));

  if (self->flops == flops)
    return;
  self->flops = flops;
  if (self->document != NULL)
    refresh (self, FALSE, FALSE);
}

/* The group shown, or %NULL when the inspector shows no group. */
const char *
envelope_inspector_get_group_title (EnvelopeInspector *self)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "group") != 0)
    return NULL;
  return gtk_label_get_text (self->group_title_label);
}

GtkListBox *
envelope_inspector_get_group_members (EnvelopeInspector *self)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);
  return self->group_members;
}

/* A total shown for the group: "params", "macs", "activations",
 * "memory" or "shapes"; the repeat's line with "repeat". */
const char *
envelope_inspector_get_group_figure (EnvelopeInspector *self,
                                     const char        *key)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);

  if (envelope_inspector_get_group_title (self) == NULL)
    return NULL;
  if (g_str_equal (key, "params"))
    return adw_action_row_get_subtitle (self->group_params_row);
  if (g_str_equal (key, "macs"))
    return adw_action_row_get_subtitle (self->group_macs_row);
  if (g_str_equal (key, "activations"))
    return adw_action_row_get_subtitle (self->group_activations_row);
  if (g_str_equal (key, "memory"))
    return adw_action_row_get_subtitle (self->group_memory_row);
  if (g_str_equal (key, "shapes"))
    return adw_action_row_get_subtitle (self->group_shapes_row);
  if (g_str_equal (key, "description"))
    return gtk_label_get_text (self->group_description_label);
  if (g_str_equal (key, "repeat"))
    return gtk_widget_get_visible (GTK_WIDGET (self->group_repeat_label))
           ? gtk_label_get_text (self->group_repeat_label) : NULL;
  return NULL;
}

static FieldEditor *
find_editor (EnvelopeInspector *self,
             const char        *key)
{
  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      if (g_str_equal (fe->info->key, key))
        return fe;
    }
  return NULL;
}

GtkWidget *
envelope_inspector_get_field_widget (EnvelopeInspector *self,
                                     const char        *key)
{
  FieldEditor *fe;

  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);

  if (g_str_equal (key, "name"))
    return GTK_WIDGET (self->name_row);
  if (g_str_equal (key, "shape:channels") || g_str_equal (key, "shape:size") || g_str_equal (key, "shape:length"))
    {
      fe = find_editor (self, "shape");
      if (fe == NULL)
        return NULL;
      return g_str_equal (key, "shape:channels") ? fe->spin :
             g_str_equal (key, "shape:size") ? fe->pair : fe->length_spin;
    }
  if (g_str_equal (key, "padding:size"))
    {
      fe = find_editor (self, "padding");
      return fe ? fe->pair : NULL;
    }
  fe = find_editor (self, key);
  if (fe == NULL)
    return NULL;
  switch (fe->info->value_kind)
    {
    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
    case ENVELOPE_VALUE_REAL:
    case ENVELOPE_VALUE_FRACTION:
      return fe->spin;
    case ENVELOPE_VALUE_NAME:
    case ENVELOPE_VALUE_AXES:
    case ENVELOPE_VALUE_REALS:
      return fe->entry;
    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      return fe->pair;
    case ENVELOPE_VALUE_BOOLEAN:
      return fe->toggle;
    default:
      return GTK_WIDGET (fe->combo);
    }
}

GtkWidget *
envelope_inspector_get_field_row (EnvelopeInspector *self,
                                  const char        *key)
{
  FieldEditor *fe;

  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);

  fe = find_editor (self, key);
  return fe ? fe->rows[0] : NULL;
}

const char *
envelope_inspector_get_rule (EnvelopeInspector *self,
                             EnvelopeFigure     figure)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);

  if (envelope_inspector_get_formula (self, figure) == NULL ||
      !gtk_widget_get_visible (GTK_WIDGET (self->rule_labels[figure])))
    return NULL;
  return gtk_label_get_text (self->rule_labels[figure]);
}

const char *
envelope_inspector_get_formula (EnvelopeInspector *self,
                                EnvelopeFigure     figure)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);

  if (!gtk_widget_get_visible (self->figure_rows[figure]) || !gtk_widget_get_visible (GTK_WIDGET (self->figures_list)) ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "layer") != 0)
    return NULL;
  return gtk_label_get_text (self->formula_labels[figure]);
}

const char *
envelope_inspector_get_message (EnvelopeInspector *self)
{
  g_return_val_if_fail (ENVELOPE_IS_INSPECTOR (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->message_label)) ? gtk_label_get_text (self->message_label) : NULL;
}
