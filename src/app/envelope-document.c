/* envelope-document.c
 *
 * The document owns the network the user edits.  Every edit first saves
 * a copy of the network on the undo stack (the history is a list of
 * snapshots: networks are small, and a copy cannot forget a field), then
 * changes the network, then analyses a copy of it.  The analysis borrows
 * the network it was made from, so the document keeps that copy beside
 * it.  A bad layer does not blank the rest: the analysis is partial,
 * with every layer that does not read the bad one analysed as usual.
 * Only when the network's structure is broken (a name twice, an input
 * that names no layer) does nothing new get analysed: then the last good
 * analysis and the network it describes stay valid together, and the
 * views keep showing their figures while the error says what is wrong.
 * The two are held together, counted (EnvelopeAnalysed), so that a
 * worker thread drawing a large network's diagram reads them without a
 * copy, while the next edit makes the next pair.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-document"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-devices.h"
#include "envelope-document.h"
#include "envelope-import.h"
#include "envelope-layer-edit.h"

typedef struct
{
  EnvelopeNetwork *network;
  guint state;
  gint selected;
} Snapshot;

struct _EnvelopeAnalysed
{
  gatomicrefcount ref;
  EnvelopeNetwork *network;  /* the copy the analysis reads */
  EnvelopeAnalysis *analysis;
};

struct _EnvelopeDocument
{
  GObject parent_instance;

  EnvelopeNetwork *network;
  GFile *file;
  GFile *source;             /* the foreign file it was imported from, or NULL */
  GPtrArray *notes;          /* what the importer said, or NULL */

  GPtrArray *undo;           /* Snapshot*, oldest first */
  GPtrArray *redo;           /* Snapshot*, the next redo last */
  char *merge_key;           /* the last edit's, while it may still merge */
  guint state;               /* which version of the network this is */
  guint saved_state;
  guint next_state;

  EnvelopeAnalysed *current;  /* the last good analysis, and … */
  EnvelopeNetwork *analysed; /* … its copy of the network (borrowed from it) */
  EnvelopeAnalysis *analysis; /* … it (borrowed) */
  GHashTable *analysed_names;  /* name → index + 1, built on demand */
  GError *error;
  gint error_layer;
  char *error_field;
  gboolean stale;            /* the analysis is of an earlier network */

  gint selected;
  gint edge_from;
  gint edge_to;
  /* a collapsed group selected as a whole, shown by @group_layer: it
   * holds while that layer stays selected */
  char *selected_group;
  gint group_layer;

  /* what the last change touched of the layers' settings */
  gboolean edit_scoped;      /* one layer or none, said by … */
  gint edited_layer;         /* … this, or -1 for none */
  gboolean analysed_in_place;  /* its figures worked out in the analysis as it was */

  char *default_device;      /* for a network without a GPU of its own */
  EnvelopeUnits units;       /* of the sizes in the explanations */
  EnvelopeTraining training; /* what the figures were worked out with */
};

G_DEFINE_FINAL_TYPE (EnvelopeDocument, envelope_document, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FILE,
  PROP_TITLE,
  PROP_DIRTY,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_SELECTED_LAYER,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  CHANGED,
  SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
snapshot_free (gpointer data)
{
  Snapshot *snapshot = data;

  envelope_network_free (snapshot->network);
  g_free (snapshot);
}

static Snapshot *
snapshot_new (EnvelopeDocument *self)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->network = envelope_network_copy (self->network);
  snapshot->state = self->state;
  snapshot->selected = self->selected;
  return snapshot;
}

EnvelopeAnalysed *
envelope_analysed_ref (EnvelopeAnalysed *analysed)
{
  g_return_val_if_fail (analysed != NULL, NULL);
  g_atomic_ref_count_inc (&analysed->ref);
  return analysed;
}

void
envelope_analysed_unref (EnvelopeAnalysed *analysed)
{
  if (analysed == NULL || !g_atomic_ref_count_dec (&analysed->ref))
    return;
  envelope_analysis_free (analysed->analysis);
  envelope_network_free (analysed->network);
  g_free (analysed);
}

const EnvelopeAnalysis *
envelope_analysed_get_analysis (const EnvelopeAnalysed *analysed)
{
  g_return_val_if_fail (analysed != NULL, NULL);
  return analysed->analysis;
}

/* The analysis and its network, for a reader that may outlive them
 * here; NULL while there is none. */
EnvelopeAnalysed *
envelope_document_ref_analysed (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->current != NULL ? envelope_analysed_ref (self->current) : NULL;
}

static void
clear_analysis (EnvelopeDocument *self)
{
  g_clear_pointer (&self->current, envelope_analysed_unref);
  self->analysis = NULL;
  self->analysed = NULL;
  g_clear_pointer (&self->analysed_names, g_hash_table_unref);
}

static void
analyse (EnvelopeDocument *self)
{
  self->analysed_in_place = FALSE;
  g_autoptr(EnvelopeNetwork) copy = envelope_network_copy (self->network);
  g_autoptr(GError) error = NULL;
  EnvelopeErrorLocation location = { -1, NULL };
  EnvelopeAnalysis *analysis;
  gboolean had_error = self->error != NULL;

  /* The view is no business of the analysis. */
  g_clear_pointer (&copy->view, json_node_unref);

  /* A network without a GPU of its own is fitted to the default one;
   * the file keeps none. */
  envelope_training_clear (&self->training);
  envelope_training_copy (&self->training, &copy->training);
  if (self->default_device != NULL && copy->training.device == NULL && copy->training.device_memory == 0)
    {
      const EnvelopeDevice *device = envelope_devices_lookup (self->default_device);

      if (device != NULL)
        {
          self->training.device = g_strdup (device->name);
          self->training.device_memory = device->memory;
        }
    }

  analysis = envelope_analysis_new_partial (copy, &self->training, &location, &error);
  if (analysis != NULL)
    envelope_analysis_set_units (analysis, self->units);
  g_clear_pointer (&self->error_field, g_free);
  g_clear_error (&self->error);
  self->error_layer = -1;
  if (analysis != NULL)
    {
      const GError *partial = envelope_analysis_get_error (analysis, &location);

      clear_analysis (self);
      self->current = g_new0 (EnvelopeAnalysed, 1);
      g_atomic_ref_count_init (&self->current->ref);
      self->current->analysis = self->analysis = analysis;
      self->current->network = self->analysed = g_steal_pointer (&copy);
      self->stale = FALSE;
      if (partial != NULL)
        {
          self->error = g_error_copy (partial);
          self->error_layer = location.layer;
          self->error_field = g_strdup (location.field);
        }
    }
  else
    {
      self->error = g_steal_pointer (&error);
      self->error_layer = location.layer;
      self->error_field = g_strdup (location.field);
      self->stale = self->analysis != NULL;
      g_clear_pointer (&self->analysed_names, g_hash_table_unref);
    }

  if (had_error || self->error != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
notify_history (EnvelopeDocument *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static void
set_selection (EnvelopeDocument *self,
               gint              layer,
               gint              edge_from,
               gint              edge_to,
               const char       *group)
{
  if (layer >= (gint) self->network->layers->len)
    layer = (gint) self->network->layers->len - 1;
  if (self->selected == layer && self->edge_from == edge_from && self->edge_to == edge_to &&
      g_strcmp0 (envelope_document_get_selected_group (self), group) == 0)
    return;
  {
    char *copy = g_strdup (group);   /* @group may be the one held */

    g_free (self->selected_group);
    self->selected_group = copy;
  }
  self->group_layer = layer;
  self->selected = layer;
  self->edge_from = edge_from;
  self->edge_to = edge_to;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* Saves the network as it is for undo, unless this edit continues the
 * previous one (@merge_key names the layer and field being typed into). */
static EnvelopeNetwork *
begin_edit (EnvelopeDocument *self,
            const char       *merge_key)
{
  if (merge_key == NULL || self->merge_key == NULL || !g_str_equal (merge_key, self->merge_key) ||
      self->undo->len == 0)
    g_ptr_array_add (self->undo, snapshot_new (self));
  g_free (self->merge_key);
  self->merge_key = g_strdup (merge_key);
  g_ptr_array_set_size (self->redo, 0);
  self->state = ++self->next_state;
  self->edit_scoped = FALSE;   /* the edit says when it touched less */
  return self->network;
}

/* A new setting of the one layer @index, its name and inputs as they
 * were: the analysis's copy takes it, and the analysis works out again
 * only what it changes.  Not while a worker thread reads them, nor when
 * the network has an error.  Returns FALSE when it was not done. */
static gboolean
analyse_in_place (EnvelopeDocument *self,
                  guint             index)
{
  EnvelopeLayer **slot;

  if (self->current == NULL || self->stale || self->error != NULL ||
      !g_atomic_ref_count_compare (&self->current->ref, 1) ||
      index >= self->analysed->layers->len)
    return FALSE;
  g_clear_pointer (&self->analysed_names, g_hash_table_unref);   /* it points at the layers' names */
  slot = (EnvelopeLayer **) &g_ptr_array_index (self->analysed->layers, index);
  envelope_layer_free (*slot);
  *slot = envelope_layer_copy (envelope_network_get_layer (self->network, index));
  if (!envelope_analysis_update_layer (self->analysis, index))
    {
      /* half done: made anew from the network */
      clear_analysis (self);
      return FALSE;
    }
  return TRUE;
}

static void
end_edit (EnvelopeDocument *self,
          EnvelopeChange    change)
{
  self->analysed_in_place = self->edit_scoped && self->edited_layer >= 0 && change == ENVELOPE_CHANGE_FIGURES &&
                            analyse_in_place (self, (guint) self->edited_layer);
  if (!self->analysed_in_place)
    analyse (self);
  notify_history (self);
  g_signal_emit (self, signals[CHANGED], 0, (guint) change);
}

static void
envelope_document_finalize (GObject *object)
{
  EnvelopeDocument *self = (EnvelopeDocument *) object;

  g_clear_pointer (&self->network, envelope_network_free);
  g_clear_object (&self->file);
  g_clear_object (&self->source);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->merge_key, g_free);
  g_clear_pointer (&self->selected_group, g_free);
  clear_analysis (self);
  g_clear_error (&self->error);
  g_clear_pointer (&self->error_field, g_free);
  g_clear_pointer (&self->default_device, g_free);
  envelope_training_clear (&self->training);

  G_OBJECT_CLASS (envelope_document_parent_class)->finalize (object);
}

static void
envelope_document_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EnvelopeDocument *self = ENVELOPE_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_TITLE:
      g_value_take_string (value, envelope_document_dup_title (self));
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, envelope_document_get_dirty (self));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, envelope_document_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, envelope_document_can_redo (self));
      break;
    case PROP_SELECTED_LAYER:
      g_value_set_int (value, self->selected);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error ? self->error->message : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_document_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  EnvelopeDocument *self = ENVELOPE_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_SELECTED_LAYER:
      envelope_document_select_layer (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_document_class_init (EnvelopeDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = envelope_document_finalize;
  object_class->get_property = envelope_document_get_property;
  object_class->set_property = envelope_document_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED_LAYER] =
    g_param_spec_int ("selected-layer", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EnvelopeDocument::changed:
   * @change: the #EnvelopeChange flags of what changed
   *
   * Emitted after every edit, undo, redo, load and view change, once the
   * network has been analysed again.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
envelope_document_init (EnvelopeDocument *self)
{
  self->network = envelope_network_new (_("Untitled network"));
  self->undo = g_ptr_array_new_with_free_func (snapshot_free);
  self->redo = g_ptr_array_new_with_free_func (snapshot_free);
  self->selected = -1;
  self->group_layer = -1;
  self->edge_from = self->edge_to = -1;
  self->error_layer = -1;
  analyse (self);
}

EnvelopeDocument *
envelope_document_new (void)
{
  return g_object_new (ENVELOPE_TYPE_DOCUMENT, NULL);
}

/* Takes @network, forgets the history, and starts afresh. */
void
envelope_document_replace (EnvelopeDocument *self,
                           EnvelopeNetwork  *network,
                           GFile            *file)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (network != NULL);

  envelope_network_free (self->network);
  self->network = network;
  g_set_object (&self->file, file);
  g_clear_object (&self->source);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  g_clear_pointer (&self->merge_key, g_free);
  self->state = self->saved_state = ++self->next_state;
  self->edit_scoped = FALSE;
  self->selected = -1;
  g_clear_pointer (&self->selected_group, g_free);
  self->edge_from = self->edge_to = -1;

  analyse (self);
  /* a network opened with a bad layer opens on it */
  if (self->error != NULL && self->error_layer >= 0)
    self->selected = self->error_layer;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  notify_history (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_ALL);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* Takes @network as work recovered after a crash: as replace() does,
 * but its changes are not saved, to @file (where it was saved before,
 * or NULL) or anywhere. */
void
envelope_document_recover (EnvelopeDocument *self,
                           EnvelopeNetwork  *network,
                           GFile            *file)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));

  envelope_document_replace (self, network, file);
  self->saved_state = 0;      /* no state is ever 0 */
  notify_history (self);
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_FILE);
}

/* Reads @file, of any format Envelope opens; when it cannot be read or
 * is not a valid network, sets @error and leaves the document as it was.
 * A foreign file (ONNX, Caffe, Keras) is imported: the document has no
 * file of its own yet, so Save asks where to write an Envelope file and
 * the original is never overwritten. */
gboolean
envelope_document_load (EnvelopeDocument  *self,
                        GFile             *file,
                        GError           **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  EnvelopeFileFormat format = ENVELOPE_FILE_ENVELOPE;
  EnvelopeNetwork *network;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path != NULL)
    {
      network = envelope_import_load_file (path, &format, &notes, error);
    }
  else
    {
      g_autofree char *contents = NULL;
      g_autofree char *name = g_file_get_parse_name (file);
      gsize length;

      if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
        return FALSE;
      network = envelope_import_load_data ((const guint8 *) contents, length, name, &format, &notes, error);
      if (network == NULL)
        g_prefix_error (error, "%s: ", name);
    }
  if (network == NULL)
    return FALSE;

  if (format == ENVELOPE_FILE_ENVELOPE)
    {
      envelope_document_replace (self, network, file);
      return TRUE;
    }
  envelope_document_take_imported (self, network, file, g_steal_pointer (&notes));
  return TRUE;
}

/* Takes @network, imported from the foreign file @source: the document
 * has no file of its own, so Save asks where to write an Envelope file
 * and the original is never overwritten.  Takes @notes too. */
void
envelope_document_take_imported (EnvelopeDocument *self,
                                 EnvelopeNetwork  *network,
                                 GFile            *source,
                                 GPtrArray        *notes)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (network != NULL);
  g_return_if_fail (G_IS_FILE (source));

  if (network->name == NULL || network->name[0] == '\0')
    {
      g_autofree char *base = g_file_get_basename (source);

      g_free (network->name);
      network->name = envelope_network_name_from_path (base);
    }
  envelope_document_replace (self, network, NULL);
  g_set_object (&self->source, source);
  self->notes = notes;
}

GFile *
envelope_document_get_source (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->source;
}

GPtrArray *
envelope_document_get_notes (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->notes;
}

/* Writes the network to @file, replacing it atomically.  On failure the
 * old file and the document are as they were. */
gboolean
envelope_document_save (EnvelopeDocument  *self,
                        GFile             *file,
                        GError           **error)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(EnvelopeNetwork) named = NULL;
  const EnvelopeNetwork *network;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  /* An untitled network is named after the file it is first saved as:
   * "my-mnist.json" names it "my-mnist". */
  network = self->network;
  if (self->file == NULL && self->source == NULL &&
      (network->name == NULL || network->name[0] == '\0' ||
       g_str_equal (network->name, _("Untitled network"))))
    {
      g_autofree char *base = g_file_get_basename (file);

      name = envelope_network_name_from_path (base);
      named = envelope_network_copy (network);
      g_free (named->name);
      named->name = g_strdup (name);
      network = named;
    }

  path = g_file_get_path (file);
  if (path != NULL)
    {
      if (!envelope_network_save_to_file (network, path, error))
        return FALSE;
    }
  else
    {
      gsize length;
      g_autofree char *data = envelope_network_to_data (network, &length);

      if (!g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, error))
        return FALSE;
    }

  if (name != NULL)
    envelope_document_set_name (self, name);
  self->saved_state = self->state;
  g_clear_pointer (&self->merge_key, g_free);
  if (g_set_object (&self->file, file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  notify_history (self);
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_FILE);
  return TRUE;
}

const EnvelopeNetwork *
envelope_document_get_network (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->network;
}

GFile *
envelope_document_get_file (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->file;
}

char *
envelope_document_dup_title (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);

  if (self->file != NULL)
    return g_file_get_basename (self->file);
  if (self->network->name != NULL && self->network->name[0] != '\0')
    return g_strdup (self->network->name);
  return g_strdup (_("Untitled network"));
}

gboolean
envelope_document_get_dirty (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  /* looking is not editing: the view (colour, overlay, style…) is kept
   * with the file when it is saved for another reason, and never by
   * itself asks for a save */
  return self->state != self->saved_state;
}

/* A new, empty, untouched document: one that opening a file may replace. */
gboolean
envelope_document_is_pristine (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  return self->file == NULL && self->network->layers->len == 0 && !envelope_document_get_dirty (self);
}

const EnvelopeAnalysis *
envelope_document_get_analysis (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->analysis;
}

/* The index in the analysis of the network's layer @layer, or -1 when
 * the last good analysis has no layer of that name. */
gint
envelope_document_get_figures_index (EnvelopeDocument *self,
                                     guint             layer)
{
  const char *name;
  gpointer value;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), -1);

  if (self->analysis == NULL || layer >= self->network->layers->len)
    return -1;
  if (!self->stale)
    return (gint) layer;

  if (self->analysed_names == NULL)
    {
      self->analysed_names = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->analysed->layers->len; i++)
        g_hash_table_insert (self->analysed_names, envelope_network_get_layer (self->analysed, i)->name,
                             GUINT_TO_POINTER (i + 1));
    }
  name = envelope_network_get_layer (self->network, layer)->name;
  value = g_hash_table_lookup (self->analysed_names, name);
  return value != NULL ? (gint) GPOINTER_TO_UINT (value) - 1 : -1;
}

/**
 * envelope_document_get_edited_layer:
 * @layer: (out): the layer whose settings the last change touched, or -1
 *   when it touched none (a training setting, the default GPU)
 *
 * What the last change touched of the layers' settings, so that a view
 * of thousands of layers need not compare them all: the figures of
 * others may still have changed (the layers that read it), the settings
 * of no other have.
 *
 * Returns: %FALSE when any layer's settings may have changed (a new
 *   network, an undo, a rename, a layer added or removed)
 */
gboolean
envelope_document_get_edited_layer (EnvelopeDocument *self,
                                    gint             *layer)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);

  if (layer != NULL)
    *layer = self->edit_scoped ? self->edited_layer : -1;
  return self->edit_scoped;
}

/**
 * envelope_document_get_changed_layers:
 * @n_layers: (out): how many
 *
 * Returns: (nullable): the layers (of the network and its analysis
 *   alike) whose figures the last change changed, when it was a new
 *   setting worked out in place; %NULL when any layer's may have
 */
const guint *
envelope_document_get_changed_layers (EnvelopeDocument *self,
                                      guint            *n_layers)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);

  *n_layers = 0;
  if (!self->analysed_in_place || self->analysis == NULL)
    return NULL;
  return envelope_analysis_get_changed_layers (self->analysis, n_layers);
}

const GError *
envelope_document_get_error (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->error;
}

gint
envelope_document_get_error_layer (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), -1);
  return self->error != NULL ? self->error_layer : -1;
}

const char *
envelope_document_get_error_field (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return self->error != NULL ? self->error_field : NULL;
}

gint
envelope_document_get_selected_layer (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), -1);
  return self->selected;
}

void
envelope_document_select_layer (EnvelopeDocument *self,
                                gint              layer)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));

  if (layer < -1 || layer >= (gint) self->network->layers->len)
    layer = -1;
  set_selection (self, layer, -1, -1, NULL);
}

/**
 * envelope_document_select_group:
 * @group: a group's path ("layer3/1"), as the diagram names it
 * @layer: the layer that stands for it (its block's output)
 *
 * Selects a collapsed group as a whole: the inspector shows its totals
 * and members rather than @layer's settings.  A group may be named as a
 * layer is (a transformer's "self_attn" group holds its "self_attn"
 * layer); the selection says which is meant.
 */
void
envelope_document_select_group (EnvelopeDocument *self,
                                const char       *group,
                                gint              layer)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (group != NULL);

  if (layer < 0 || layer >= (gint) self->network->layers->len)
    return;
  set_selection (self, layer, -1, -1, group);
}

/**
 * envelope_document_get_selected_group:
 *
 * Returns: (nullable): the group selected as a whole, or %NULL when a
 *   layer, an arrow or nothing is
 */
const char *
envelope_document_get_selected_group (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);

  if (self->selected_group == NULL || self->selected < 0 || self->selected != self->group_layer ||
      self->edge_from >= 0)
    return NULL;
  return self->selected_group;
}

gboolean
envelope_document_get_selected_edge (EnvelopeDocument *self,
                                     guint            *from,
                                     guint            *to)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);

  if (self->edge_from < 0)
    return FALSE;
  if (from != NULL)
    *from = (guint) self->edge_from;
  if (to != NULL)
    *to = (guint) self->edge_to;
  return TRUE;
}

/* Selecting an edge selects no layer. */
void
envelope_document_select_edge (EnvelopeDocument *self,
                               guint             from,
                               guint             to)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (from < self->network->layers->len && to < self->network->layers->len);

  set_selection (self, -1, (gint) from, (gint) to, NULL);
}

/* ------------------------------------------------------------------ */
/* Edits                                                               */

static void
rename_references (EnvelopeNetwork *network,
                   const char      *old_name,
                   const char      *new_name)
{
  for (guint i = 0; i < network->layers->len; i++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, i);

      for (guint k = 0; layer->inputs != NULL && layer->inputs[k] != NULL; k++)
        {
          if (g_str_equal (layer->inputs[k], old_name))
            {
              g_free (layer->inputs[k]);
              layer->inputs[k] = g_strdup (new_name);
            }
        }
    }
}

/* Inputs equal to "the layer before" are written as no inputs at all,
 * as a hand-written file would. */
static void
set_inputs (EnvelopeNetwork  *network,
            guint             index,
            char            **inputs)
{
  EnvelopeLayer *layer = envelope_network_get_layer (network, index);

  g_strfreev (layer->inputs);
  layer->inputs = inputs;
  if (inputs != NULL && index > 0 && g_strv_length (inputs) == 1 &&
      g_str_equal (inputs[0], envelope_network_get_layer (network, index - 1)->name))
    g_clear_pointer (&layer->inputs, g_strfreev);
}

/* Replaces @settings' layer at @index.  A new name is carried to the
 * inputs of the layers that read it; a name another layer has is
 * refused, since references could not tell the two apart.  Returns
 * whether anything changed. */
gboolean
envelope_document_update_layer (EnvelopeDocument    *self,
                                guint                index,
                                const EnvelopeLayer *settings,
                                const char          *merge_key)
{
  EnvelopeNetwork *network;
  EnvelopeLayer *old;
  gboolean rename;
  EnvelopeChange change = ENVELOPE_CHANGE_FIGURES;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (index < self->network->layers->len, FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  old = envelope_network_get_layer (self->network, index);
  if (envelope_layer_equal (old, settings) && old->set == settings->set)
    return FALSE;

  rename = g_strcmp0 (old->name, settings->name) != 0;
  if (rename)
    {
      gint other = envelope_network_find_layer (self->network, settings->name);
      if (other >= 0 && other != (gint) index)
        return FALSE;
      change |= ENVELOPE_CHANGE_STRUCTURE;
    }
  if (old->type != settings->type || !g_strv_equal ((const char * const *) (old->inputs ? old->inputs : (char *[]) { NULL }),
                                                    (const char * const *) (settings->inputs ? settings->inputs : (char *[]) { NULL })) ||
      (old->inputs == NULL) != (settings->inputs == NULL))
    change |= ENVELOPE_CHANGE_STRUCTURE;

  network = begin_edit (self, merge_key);
  if (rename)
    rename_references (network, old->name, settings->name);
  g_ptr_array_index (network->layers, index) = envelope_layer_copy (settings);
  envelope_layer_free (old);
  self->edit_scoped = !rename;
  self->edited_layer = (gint) index;
  end_edit (self, change);
  return TRUE;
}

/* Puts @layer right after @after (or at the start when -1) and keeps the
 * chain: the layer that read @after now reads @layer. */
static void
splice_in (EnvelopeNetwork *network,
           gint             after,
           EnvelopeLayer   *layer)
{
  guint position = (guint) (after + 1);
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);

  if (after >= 0 && position < network->layers->len)
    {
      EnvelopeLayer *next = envelope_network_get_layer (network, position);
      const char *after_name = envelope_network_get_layer (network, after)->name;

      if (kind->max_inputs == 0)
        {
          /* An input layer reads nothing and feeds nothing yet: the next
           * layer goes on reading what it read. */
          if (next->inputs == NULL && envelope_layer_kind_get (next->type)->max_inputs > 0)
            {
              next->inputs = g_new0 (char *, 2);
              next->inputs[0] = g_strdup (after_name);
            }
        }
      else if (next->inputs != NULL)
        {
          for (guint k = 0; next->inputs[k] != NULL; k++)
            {
              if (g_str_equal (next->inputs[k], after_name))
                {
                  g_free (next->inputs[k]);
                  next->inputs[k] = g_strdup (layer->name);
                  break;
                }
            }
        }
    }
  envelope_network_insert_layer (network, (gint) position, layer);
}

/* For a new add or concat after layer @after: a second input that makes
 * it valid at once, so that it can be drawn and rewired on the canvas.
 * The nearest earlier layer whose output fits, other than what @after
 * itself reads: after relu2 in conv1-relu1-conv2-relu2, that is relu1,
 * the start of a residual connection.  NULL when nothing fits. */
static const char *
second_input (EnvelopeDocument  *self,
              EnvelopeLayerType  type,
              gint               after)
{
  const EnvelopeLayerFigures *x, *y;
  g_auto(GStrv) direct = NULL;

  if (self->analysis == NULL || self->error != NULL || after < 0)
    return NULL;
  x = envelope_analysis_get_layer (self->analysis, (guint) after);
  direct = envelope_layer_dup_effective_inputs (self->network, (guint) after);

  /* A residual block's shortcut is where its branch began: walk back
   * along single inputs to the merge (or the input) the branch starts
   * from, as a transformer's second add reads the first. */
  if (type != ENVELOPE_LAYER_CONCAT)
    {
      const EnvelopeLayerFigures *f = x, *previous = NULL;

      while (f->n_inputs == 1)
        {
          previous = f;
          f = envelope_analysis_get_layer (self->analysis, f->inputs[0]);
        }
      /* a ReLU right after that merge is the block's output (ResNet's) */
      if (previous != NULL && previous != x &&
          envelope_layer_kind_get (envelope_network_get_layer (self->network, previous->index)->type)->in_place)
        f = previous;
      if (f != x && f->rank == x->rank && memcmp (f->shape, x->shape, x->rank * sizeof (guint64)) == 0)
        {
          const EnvelopeLayer *start = envelope_network_get_layer (self->network, f->index);

          if (!g_strv_contains ((const char * const *) direct, start->name))
            return start->name;
        }
    }

  for (gint j = after - 1; j >= 0; j--)
    {
      const EnvelopeLayer *candidate = envelope_network_get_layer (self->network, (guint) j);
      gboolean fits;

      if (g_strv_contains ((const char * const *) direct, candidate->name))
        continue;
      y = envelope_analysis_get_layer (self->analysis, (guint) j);
      if (type == ENVELOPE_LAYER_CONCAT)
        fits = x->rank == 3 && y->rank == 3 && x->shape[1] == y->shape[1] && x->shape[2] == y->shape[2];
      else
        fits = x->rank == y->rank && memcmp (x->shape, y->shape, x->rank * sizeof (guint64)) == 0;
      if (fits)
        return candidate->name;
    }
  return NULL;
}

/* Inserts a new layer of @type after layer @after (at the end when
 * @after is -1), selects it, and returns its index. */
gint
envelope_document_insert_layer (EnvelopeDocument  *self,
                                EnvelopeLayerType  type,
                                gint               after)
{
  const EnvelopeLayerKind *kind;
  EnvelopeNetwork *network;
  g_autofree char *name = NULL;
  EnvelopeLayer *layer;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), -1);
  g_return_val_if_fail (type < ENVELOPE_N_LAYER_TYPES, -1);

  if (after < 0 || after >= (gint) self->network->layers->len)
    after = (gint) self->network->layers->len - 1;

  kind = envelope_layer_kind_get (type);
  name = envelope_network_name_for_new (self->network, type, after);
  layer = envelope_layer_new (type, name);
  if (kind->max_inputs >= 2 && after >= 0)
    {
      const char *other = second_input (self, type, after);

      if (other != NULL)
        {
          layer->inputs = g_new0 (char *, 3);
          layer->inputs[0] = g_strdup (envelope_network_get_layer (self->network, (guint) after)->name);
          layer->inputs[1] = g_strdup (other);
        }
    }

  network = begin_edit (self, NULL);
  splice_in (network, after, layer);
  self->selected = after + 1;
  self->edge_from = self->edge_to = -1;
  end_edit (self, ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FIGURES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return after + 1;
}

/* A copy of layer @index right after it, reading it. */
gint
envelope_document_duplicate_layer (EnvelopeDocument *self,
                                   guint             index)
{
  EnvelopeNetwork *network;
  EnvelopeLayer *copy;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), -1);
  g_return_val_if_fail (index < self->network->layers->len, -1);

  copy = envelope_layer_copy (envelope_network_get_layer (self->network, index));
  g_free (copy->name);
  copy->name = envelope_network_name_for_copy (self->network, envelope_network_get_layer (self->network, index)->name);
  g_clear_pointer (&copy->inputs, g_strfreev);

  network = begin_edit (self, NULL);
  splice_in (network, (gint) index, copy);
  self->selected = (gint) index + 1;
  self->edge_from = self->edge_to = -1;
  end_edit (self, ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FIGURES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return (gint) index + 1;
}

/* Removes layer @index; whoever read it reads what it read. */
void
envelope_document_delete_layer (EnvelopeDocument *self,
                                guint             index)
{
  EnvelopeNetwork *network;
  EnvelopeLayer *victim;
  g_auto(GStrv) inputs = NULL;
  const char *replacement;

  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (index < self->network->layers->len);

  network = begin_edit (self, NULL);
  victim = envelope_network_get_layer (network, index);
  inputs = envelope_layer_dup_effective_inputs (network, index);
  replacement = inputs[0];

  for (guint j = index + 1; j < network->layers->len; j++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, j);

      if (layer->inputs != NULL)
        {
          g_autoptr(GPtrArray) kept = g_ptr_array_new ();

          for (guint k = 0; layer->inputs[k] != NULL; k++)
            {
              char *input = g_str_equal (layer->inputs[k], victim->name) ? (char *) replacement : layer->inputs[k];
              gboolean seen = FALSE;

              for (guint m = 0; input != NULL && m < kept->len; m++)
                seen |= g_str_equal (g_ptr_array_index (kept, m), input);
              if (input != NULL && !seen)
                g_ptr_array_add (kept, g_strdup (input));
            }
          g_ptr_array_add (kept, NULL);
          g_strfreev (layer->inputs);
          layer->inputs = (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
        }
      else if (j == index + 1 && envelope_layer_kind_get (layer->type)->max_inputs > 0 && replacement != NULL &&
               (index == 0 || !g_str_equal (replacement, envelope_network_get_layer (network, index - 1)->name)))
        {
          layer->inputs = g_new0 (char *, 2);
          layer->inputs[0] = g_strdup (replacement);
        }
    }

  envelope_layer_free (envelope_network_steal_layer (network, index));
  for (guint j = index; j < network->layers->len; j++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, j);
      if (layer->inputs != NULL)
        set_inputs (network, j, g_steal_pointer (&layer->inputs));
    }

  self->selected = network->layers->len == 0 ? -1 : (gint) MIN (index > 0 ? index - 1 : 0, network->layers->len - 1);
  self->edge_from = self->edge_to = -1;
  end_edit (self, ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FIGURES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* Makes layer @to read layer @from as well: a second input of add or
 * concat, or the one input of a layer that reads one. */
gboolean
envelope_document_connect (EnvelopeDocument  *self,
                           guint              from,
                           guint              to,
                           GError           **error)
{
  const EnvelopeLayer *source, *target;
  const EnvelopeLayerKind *kind;
  g_auto(GStrv) inputs = NULL;
  GStrvBuilder *builder;
  EnvelopeNetwork *network;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (from < self->network->layers->len && to < self->network->layers->len, FALSE);

  source = envelope_network_get_layer (self->network, from);
  target = envelope_network_get_layer (self->network, to);
  kind = envelope_layer_kind_get (target->type);
  if (from == to)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("A layer cannot read its own output"));
      return FALSE;
    }
  if (kind->max_inputs == 0)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” is an input layer: it reads nothing"), target->name);
      return FALSE;
    }
  if (from > to)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” comes after “%s”: a layer may only read layers before it"),
                   source->name, target->name);
      return FALSE;
    }
  inputs = envelope_layer_dup_effective_inputs (self->network, to);
  if (g_strv_contains ((const char * const *) inputs, source->name))
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” already reads “%s”"), target->name, source->name);
      return FALSE;
    }

  builder = g_strv_builder_new ();
  if (kind->max_inputs > 1)
    g_strv_builder_addv (builder, (const char **) inputs);
  g_strv_builder_add (builder, source->name);

  network = begin_edit (self, NULL);
  set_inputs (network, to, g_strv_builder_end (builder));
  g_strv_builder_unref (builder);
  self->selected = -1;
  self->edge_from = (gint) from;
  self->edge_to = (gint) to;
  end_edit (self, ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FIGURES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return TRUE;
}

/* Stops layer @to reading layer @from; refused when @to would read
 * nothing at all. */
gboolean
envelope_document_disconnect (EnvelopeDocument  *self,
                              guint              from,
                              guint              to,
                              GError           **error)
{
  const EnvelopeLayer *source, *target;
  g_auto(GStrv) inputs = NULL;
  GStrvBuilder *builder;
  EnvelopeNetwork *network;
  char **remaining;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (from < self->network->layers->len && to < self->network->layers->len, FALSE);

  source = envelope_network_get_layer (self->network, from);
  target = envelope_network_get_layer (self->network, to);
  inputs = envelope_layer_dup_effective_inputs (self->network, to);
  if (!g_strv_contains ((const char * const *) inputs, source->name))
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” does not read “%s”"), target->name, source->name);
      return FALSE;
    }
  if (g_strv_length (inputs) == 1)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” reads only “%s”: connect another input first, or delete the layer"),
                   target->name, source->name);
      return FALSE;
    }
  /* An add left with one input would vanish from the diagram until
   * mended: rewire by connecting the new input first. */
  if (g_strv_length (inputs) <= envelope_layer_kind_get (target->type)->min_inputs)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_CONNECTION,
                   _("“%s” needs at least %u inputs: connect another one first, then remove this one"),
                   target->name, envelope_layer_kind_get (target->type)->min_inputs);
      return FALSE;
    }

  builder = g_strv_builder_new ();
  for (guint k = 0; inputs[k] != NULL; k++)
    if (!g_str_equal (inputs[k], source->name))
      g_strv_builder_add (builder, inputs[k]);
  remaining = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  network = begin_edit (self, NULL);
  set_inputs (network, to, remaining);
  self->selected = (gint) to;
  self->edge_from = self->edge_to = -1;
  end_edit (self, ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_FIGURES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return TRUE;
}

static gboolean
training_equal (const EnvelopeTraining *a,
                const EnvelopeTraining *b)
{
  return a->set == b->set && a->batch == b->batch && a->dtype == b->dtype &&
         a->mixed_precision == b->mixed_precision && a->optimizer == b->optimizer &&
         g_strcmp0 (a->device, b->device) == 0 && a->device_memory == b->device_memory &&
         a->reserved_memory == b->reserved_memory && a->target_batch == b->target_batch &&
         a->memory_model == b->memory_model && a->context_memory == b->context_memory &&
         a->prompt_tokens == b->prompt_tokens && a->new_tokens == b->new_tokens && a->kv_cache == b->kv_cache;
}

gboolean
envelope_document_set_training (EnvelopeDocument       *self,
                                const EnvelopeTraining *training,
                                const char             *merge_key)
{
  EnvelopeNetwork *network;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (training != NULL, FALSE);

  if (training_equal (&self->network->training, training))
    return FALSE;

  network = begin_edit (self, merge_key);
  envelope_training_clear (&network->training);
  envelope_training_copy (&network->training, training);
  self->edit_scoped = TRUE;
  self->edited_layer = -1;
  end_edit (self, ENVELOPE_CHANGE_TRAINING);
  return TRUE;
}

gboolean
envelope_document_set_name (EnvelopeDocument *self,
                            const char       *name)
{
  EnvelopeNetwork *network;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);

  if (g_strcmp0 (self->network->name, name) == 0)
    return FALSE;
  network = begin_edit (self, "network-name");
  g_free (network->name);
  network->name = g_strdup (name ? name : "");
  end_edit (self, ENVELOPE_CHANGE_FILE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* History                                                             */

gboolean
envelope_document_can_undo (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  return self->undo->len > 0;
}

gboolean
envelope_document_can_redo (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  return self->redo->len > 0;
}

/* Moves the top of @from to the current state and pushes the current
 * state onto @to.  The view stays as it is: it is not history. */
static gboolean
travel (EnvelopeDocument *self,
        GPtrArray        *from,
        GPtrArray        *to)
{
  Snapshot *snapshot;
  Snapshot *current;

  if (from->len == 0)
    return FALSE;

  snapshot = g_ptr_array_steal_index (from, from->len - 1);
  current = g_new0 (Snapshot, 1);
  current->network = self->network;
  current->state = self->state;
  current->selected = self->selected;

  self->network = snapshot->network;
  self->edit_scoped = FALSE;
  g_clear_pointer (&self->network->view, json_node_unref);
  self->network->view = g_steal_pointer (&current->network->view);
  self->state = snapshot->state;
  g_ptr_array_add (to, current);
  g_clear_pointer (&self->merge_key, g_free);

  self->selected = MIN (snapshot->selected, (gint) self->network->layers->len - 1);
  self->edge_from = self->edge_to = -1;
  snapshot->network = NULL;
  g_free (snapshot);

  end_edit (self, ENVELOPE_CHANGE_ALL & ~ENVELOPE_CHANGE_FILE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  return TRUE;
}

gboolean
envelope_document_undo (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  return travel (self, self->undo, self->redo);
}

gboolean
envelope_document_redo (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), FALSE);
  return travel (self, self->redo, self->undo);
}

/* ------------------------------------------------------------------ */
/* View state                                                          */

static JsonObject *
view_object (EnvelopeDocument *self,
             gboolean          create)
{
  JsonNode *view = self->network->view;

  if (view == NULL || !JSON_NODE_HOLDS_OBJECT (view))
    {
      if (!create)
        return NULL;
      g_clear_pointer (&self->network->view, json_node_unref);
      self->network->view = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (self->network->view, json_object_new ());
    }
  return json_node_get_object (self->network->view);
}

const char *
envelope_document_get_view_string (EnvelopeDocument *self,
                                   const char       *key,
                                   const char       *fallback)
{
  JsonObject *object;
  JsonNode *node;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), fallback);

  object = view_object (self, FALSE);
  if (object == NULL || (node = json_object_get_member (object, key)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

gboolean
envelope_document_get_view_boolean (EnvelopeDocument *self,
                                    const char       *key,
                                    gboolean          fallback)
{
  JsonObject *object;
  JsonNode *node;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), fallback);

  object = view_object (self, FALSE);
  if (object == NULL || (node = json_object_get_member (object, key)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static void
view_changed (EnvelopeDocument *self)
{
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_VIEW);
}

void
envelope_document_set_view_string (EnvelopeDocument *self,
                                   const char       *key,
                                   const char       *value)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));
  g_return_if_fail (value != NULL);

  if (g_strcmp0 (envelope_document_get_view_string (self, key, NULL), value) == 0)
    return;
  json_object_set_string_member (view_object (self, TRUE), key, value);
  view_changed (self);
}

void
envelope_document_set_view_boolean (EnvelopeDocument *self,
                                    const char       *key,
                                    gboolean          value)
{
  JsonObject *object;

  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));

  object = view_object (self, FALSE);
  if (object != NULL && json_object_has_member (object, key) &&
      envelope_document_get_view_boolean (self, key, !value) == value)
    return;
  json_object_set_boolean_member (view_object (self, TRUE), key, value);
  view_changed (self);
}

/* ------------------------------------------------------------------ */
/* What the preferences choose                                         */

/* The GPU preset a network without one of its own is fitted to (the
 * preferences' default), or NULL.  It is not written into the network:
 * not an edit, not in the history, and the file is saved without it. */
void
envelope_document_set_default_device (EnvelopeDocument *self,
                                      const char       *name)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));

  if (name != NULL && name[0] == '\0')
    name = NULL;
  if (g_strcmp0 (self->default_device, name) == 0)
    return;
  g_free (self->default_device);
  self->default_device = g_strdup (name);
  if (self->network->training.device != NULL || self->network->training.device_memory > 0)
    return;
  self->edit_scoped = TRUE;
  self->edited_layer = -1;
  analyse (self);
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_TRAINING);
}

/* How the explanations write sizes: KiB or kB.  Not an edit: the
 * views that show sizes are told with %ENVELOPE_CHANGE_UNITS. */
void
envelope_document_set_units (EnvelopeDocument *self,
                             EnvelopeUnits     units)
{
  g_return_if_fail (ENVELOPE_IS_DOCUMENT (self));

  if (self->units == units)
    return;
  self->units = units;
  if (self->analysis != NULL)
    envelope_analysis_set_units (self->analysis, units);
  g_signal_emit (self, signals[CHANGED], 0, (guint) ENVELOPE_CHANGE_UNITS);
}

/* The training settings the figures are worked out with: the network's,
 * with the default GPU when it has none of its own. */
const EnvelopeTraining *
envelope_document_get_training (EnvelopeDocument *self)
{
  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (self), NULL);
  return &self->training;
}
