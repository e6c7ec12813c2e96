/* envelope-layer-row.c
 *
 * A row keeps its layer's settings and figures as they are, and turns
 * them into text (with the core's formatting) only when asked: a table
 * of 2,000 layers shows some twenty, and only those are formatted and
 * told about a change.  The numbers are there for sorting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-layer-table"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-format.h"
#include "envelope-layer-row.h"
#include "envelope-layer-summary.h"
#include "envelope-report.h"

typedef enum
{
  TEXT_NAME,
  TEXT_KIND,
  TEXT_OUTPUT,
  TEXT_PARAMS,
  TEXT_PARAMS_SHARE,
  TEXT_MACS,
  TEXT_MACS_SHARE,
  TEXT_ACTIVATIONS,
  TEXT_RECEPTIVE_FIELD,
  TEXT_DESCRIPTION,          /* all of the above in a sentence, for screen readers */
  N_TEXTS
} Text;

typedef enum
{
  NUMBER_PARAMS,
  NUMBER_MACS,
  NUMBER_ACTIVATIONS,
  N_NUMBERS
} Number;

struct _EnvelopeLayerRow
{
  GObject parent_instance;

  guint index;
  guint bound;               /* cells showing this row */
  EnvelopeLayer *layer;      /* a copy */
  gboolean has_figures;
  EnvelopeLayerFigures figures;
  EnvelopeTotals totals;     /* the network's, for the shares, the receptive field and the description */
  gboolean flops;            /* the MACs column counts FLOPs, 2 per MAC */
  char *inputs;              /* what it reads, named */
  char *texts[N_TEXTS];      /* formatted on demand; NULL until then */
  char *told_description;    /* what a screen reader last heard, while a new one waits */
  guint describe_idle;
};

G_DEFINE_FINAL_TYPE (EnvelopeLayerRow, envelope_layer_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_FIRST_TEXT,
  PROP_LAST_TEXT = PROP_FIRST_TEXT + N_TEXTS - 1,
  PROP_FIRST_NUMBER,
  PROP_LAST_NUMBER = PROP_FIRST_NUMBER + N_NUMBERS - 1,
  PROP_RECEPTIVE_FIELD_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const text_names[N_TEXTS] = {
  "name", "kind", "output", "params-text", "params-share", "macs-text", "macs-share",
  "activations-text", "receptive-field", "description",
};
static const char *const number_names[N_NUMBERS] = { "params", "macs", "activations" };

static char *
format_text (EnvelopeLayerRow *self,
             Text              text)
{
  const EnvelopeLayerFigures *f = &self->figures;

  if (text == TEXT_NAME)
    return g_strdup (self->layer ? self->layer->name : "");
  if (text == TEXT_KIND)
    return self->layer ? envelope_layer_describe (self->layer) : g_strdup ("");
  if (text == TEXT_DESCRIPTION)
    {
      if (self->layer == NULL)
        return g_strdup ("");
      return envelope_layer_summary (self->layer, self->inputs,
                                     self->has_figures && f->state == ENVELOPE_LAYER_ANALYSED ? &self->figures : NULL,
                                     &self->totals);
    }
  if (self->has_figures && f->state != ENVELOPE_LAYER_ANALYSED && text == TEXT_OUTPUT)
    return g_strdup (envelope_layer_state_describe (f->state));
  if (!self->has_figures || f->state != ENVELOPE_LAYER_ANALYSED)
    return g_strdup ("—");

  switch (text)
    {
    case TEXT_OUTPUT:
      return envelope_format_shape (f->rank, f->shape);
    case TEXT_PARAMS:
      return envelope_format_count (f->params);
    case TEXT_PARAMS_SHARE:
      return envelope_format_percent (f->params, self->totals.params);
    case TEXT_MACS:
      return envelope_format_count (self->flops ? 2 * f->macs : f->macs);
    case TEXT_MACS_SHARE:
      return envelope_format_percent (f->macs, self->totals.macs);
    case TEXT_ACTIVATIONS:
      return envelope_format_count (f->activations);
    case TEXT_RECEPTIVE_FIELD:
      return envelope_report_receptive_field (&f->receptive_field, self->totals.input_extent);
    case TEXT_NAME:
    case TEXT_KIND:
    case TEXT_DESCRIPTION:
    case N_TEXTS:
    default:
      g_assert_not_reached ();
    }
}

static const char *
get_text (EnvelopeLayerRow *self,
          Text              text)
{
  if (self->texts[text] == NULL)
    self->texts[text] = format_text (self, text);
  return self->texts[text];
}

/* The row's sentence for screen readers, told after the frame: it is
 * the longest text of a row, no one sees it, and every row on screen
 * reads a new total. */
static gboolean
describe_later (gpointer data)
{
  EnvelopeLayerRow *self = data;
  g_autofree char *told = g_steal_pointer (&self->told_description);

  self->describe_idle = 0;
  if (told == NULL || !g_str_equal (told, get_text (self, TEXT_DESCRIPTION)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_TEXT + TEXT_DESCRIPTION]);
  return G_SOURCE_REMOVE;
}

/* Forgets a text.  A row on screen formats it again at once, and says
 * so only when it reads differently: a share of 0.0 % stays 0.0 %.
 * Returns 1 when a text on screen changed. */
static guint
invalidate (EnvelopeLayerRow *self,
            Text              text)
{
  char *fresh;

  if (text == TEXT_DESCRIPTION && self->bound > 0 && (self->texts[text] != NULL || self->describe_idle != 0))
    {
      if (self->told_description == NULL)
        self->told_description = g_steal_pointer (&self->texts[text]);
      g_clear_pointer (&self->texts[text], g_free);
      if (self->describe_idle == 0)
        self->describe_idle = g_idle_add_full (G_PRIORITY_LOW, describe_later, g_object_ref (self), g_object_unref);
      return 0;
    }
  if (self->bound == 0 || self->texts[text] == NULL)
    {
      g_clear_pointer (&self->texts[text], g_free);
      return 0;
    }
  fresh = format_text (self, text);
  if (g_str_equal (fresh, self->texts[text]))
    {
      g_free (fresh);
      return 0;
    }
  g_free (self->texts[text]);
  self->texts[text] = fresh;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_TEXT + text]);
  return 1;
}

static void
envelope_layer_row_finalize (GObject *object)
{
  EnvelopeLayerRow *self = ENVELOPE_LAYER_ROW (object);

  for (guint i = 0; i < N_TEXTS; i++)
    g_free (self->texts[i]);
  g_free (self->told_description);
  g_free (self->inputs);
  g_clear_pointer (&self->layer, envelope_layer_free);
  G_OBJECT_CLASS (envelope_layer_row_parent_class)->finalize (object);
}

static void
envelope_layer_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EnvelopeLayerRow *self = ENVELOPE_LAYER_ROW (object);
  const guint64 numbers[N_NUMBERS] = {
    self->figures.params, self->figures.macs, self->figures.activations,
  };

  if (prop_id == PROP_INDEX)
    g_value_set_uint (value, self->index);
  else if (prop_id >= PROP_FIRST_TEXT && prop_id <= PROP_LAST_TEXT)
    g_value_set_string (value, get_text (self, prop_id - PROP_FIRST_TEXT));
  else if (prop_id >= PROP_FIRST_NUMBER && prop_id <= PROP_LAST_NUMBER)
    g_value_set_uint64 (value, self->has_figures ? numbers[prop_id - PROP_FIRST_NUMBER] : 0);
  else if (prop_id == PROP_RECEPTIVE_FIELD_SIZE)
    g_value_set_double (value, self->has_figures ? self->figures.receptive_field.size[0] : 0);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
envelope_layer_row_class_init (EnvelopeLayerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = envelope_layer_row_finalize;
  object_class->get_property = envelope_layer_row_get_property;

  properties[PROP_INDEX] =
    g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  for (guint i = 0; i < N_TEXTS; i++)
    properties[PROP_FIRST_TEXT + i] =
      g_param_spec_string (text_names[i], NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  for (guint i = 0; i < N_NUMBERS; i++)
    properties[PROP_FIRST_NUMBER + i] =
      g_param_spec_uint64 (number_names[i], NULL, NULL, 0, G_MAXUINT64, 0,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RECEPTIVE_FIELD_SIZE] =
    g_param_spec_double ("receptive-field-size", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
envelope_layer_row_init (EnvelopeLayerRow *self)
{
}

EnvelopeLayerRow *
envelope_layer_row_new (guint index)
{
  EnvelopeLayerRow *self = g_object_new (ENVELOPE_TYPE_LAYER_ROW, NULL);

  self->index = index;
  return self;
}

guint
envelope_layer_row_get_index (EnvelopeLayerRow *self)
{
  g_return_val_if_fail (ENVELOPE_IS_LAYER_ROW (self), 0);
  return self->index;
}

/* @figures is NULL while the layer has none (the network is invalid
 * and this layer is new); @layer is NULL when its settings are known to
 * be as they were.  Only what changed is forgotten.  Returns how many
 * texts of the row on screen now read differently. */
guint
envelope_layer_row_update (EnvelopeLayerRow           *self,
                           const EnvelopeLayer        *layer,
                           const EnvelopeLayerFigures *figures,
                           const EnvelopeTotals       *totals)
{
  EnvelopeLayerFigures copy;
  EnvelopeTotals now = { 0 }, before;
  guint changed = 0;

  g_return_val_if_fail (ENVELOPE_IS_LAYER_ROW (self), 0);

  g_return_val_if_fail (layer != NULL || self->layer != NULL, 0);
  if (totals != NULL)
    now = *totals;

  if (layer != NULL &&
      (self->layer == NULL || !envelope_layer_equal (self->layer, layer) || self->layer->set != layer->set))
    {
      gboolean renamed = self->layer == NULL || g_strcmp0 (self->layer->name, layer->name) != 0;

      g_clear_pointer (&self->layer, envelope_layer_free);
      self->layer = envelope_layer_copy (layer);
      if (renamed)
        changed += invalidate (self, TEXT_NAME);
      changed += invalidate (self, TEXT_KIND);
      invalidate (self, TEXT_DESCRIPTION);   /* read, not painted */
    }

  if (figures != NULL)
    {
      /* The inputs point into the analysis: not a figure. */
      memcpy (&copy, figures, sizeof copy);
      copy.inputs = NULL;
    }
  if ((figures != NULL) != self->has_figures ||
      (figures != NULL && memcmp (&copy, &self->figures, sizeof copy) != 0))
    {
      self->has_figures = figures != NULL;
      if (figures != NULL)
        memcpy (&self->figures, &copy, sizeof copy);
      else
        memset (&self->figures, 0, sizeof self->figures);
      self->totals = now;
      for (Text t = TEXT_OUTPUT; t < TEXT_DESCRIPTION; t++)
        changed += invalidate (self, t);
      invalidate (self, TEXT_DESCRIPTION);
      return changed;
    }

  /* the texts are made again from the new totals */
  before = self->totals;
  self->totals = now;
  if (now.params != before.params)
    changed += invalidate (self, TEXT_PARAMS_SHARE);
  if (now.macs != before.macs)
    changed += invalidate (self, TEXT_MACS_SHARE);
  if (now.activations_all != before.activations_all)
    invalidate (self, TEXT_DESCRIPTION);
  if (memcmp (now.input_extent, before.input_extent, sizeof now.input_extent) != 0)
    {
      changed += invalidate (self, TEXT_RECEPTIVE_FIELD);
      invalidate (self, TEXT_DESCRIPTION);
    }
  return changed;
}

/* The names of the layers it reads ("relu1_1"), or NULL. */
void
envelope_layer_row_set_inputs (EnvelopeLayerRow *self,
                               const char       *inputs)
{
  g_return_if_fail (ENVELOPE_IS_LAYER_ROW (self));

  if (g_strcmp0 (self->inputs, inputs) == 0)
    return;
  g_free (self->inputs);
  self->inputs = g_strdup (inputs);
  invalidate (self, TEXT_DESCRIPTION);
}

/* The MACs column in FLOPs; its share reads the same either way. */
void
envelope_layer_row_set_flops (EnvelopeLayerRow *self,
                              gboolean          flops)
{
  g_return_if_fail (ENVELOPE_IS_LAYER_ROW (self));

  if (self->flops == flops)
    return;
  self->flops = flops;
  invalidate (self, TEXT_MACS);
}

void
envelope_layer_row_set_bound (EnvelopeLayerRow *self,
                              gboolean          bound)
{
  g_return_if_fail (ENVELOPE_IS_LAYER_ROW (self));

  if (bound)
    self->bound++;
  else if (self->bound > 0)
    self->bound--;
}

/* Whether a cell shows it: only then is it told about a change. */
gboolean
envelope_layer_row_get_bound (EnvelopeLayerRow *self)
{
  g_return_val_if_fail (ENVELOPE_IS_LAYER_ROW (self), FALSE);
  return self->bound > 0;
}

const char *
envelope_layer_row_get_text (EnvelopeLayerRow *self,
                             const char       *property)
{
  g_return_val_if_fail (ENVELOPE_IS_LAYER_ROW (self), NULL);

  for (guint i = 0; i < N_TEXTS; i++)
    if (g_str_equal (text_names[i], property))
      return get_text (self, i);
  return NULL;
}
