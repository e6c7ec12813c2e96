/* envelope-import-keras.c: Keras models, as JSON or in a .keras archive
 *
 * model.to_json() of a Sequential or Functional model, in Keras 2's
 * layout (inbound nodes as lists of [layer, node, tensor, kwargs]) or
 * Keras 3's ({"args": [...keras tensors...], "kwargs": {...}}), and the
 * config.json of a .keras zip.  Keras counts axes channels-last; Envelope
 * puts the channels first, so shapes and axes are reordered.
 *
 * Nested models (a keras.applications base inside a classifier) are
 * flattened: their layers are named "base/conv1" and grouped by the
 * model's name.  The file decides how deep models nest and how long
 * chains of inbound nodes are, so everything walks with its own stack.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <inttypes.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <gmodule.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import-private.h"

/* config.json of a .keras archive: a big model's is a few MB. */
#define MAX_CONFIG_BYTES (G_GUINT64_CONSTANT (64) << 20)
/* json-glib recurses once per level; a Keras config nests about six
 * levels per nested model. */
#define MAX_NESTING 200
/* Layers analysed, all queries together, before giving up: a query
 * analyses the network built so far. */
#define MAX_ANALYSED_LAYERS 10000000
/* Layers turned into `unknown` because the analysis could not follow them. */
#define MAX_FIXUPS 256
/* What a size Keras leaves open (None) is taken as. */
#define DEFAULT_SPATIAL 224
#define DEFAULT_TOKENS 128

typedef struct
{
  char *layer;
  gint node;
  gint tensor;
} Ref;

typedef struct
{
  char *key;                /* "prefix/name#node" */
  char *name;               /* the Envelope layer's name */
  char *keras_name;         /* as the file names it, with its prefix */
  char *group;              /* the nested model's name, or NULL */
  char *class_name;
  JsonObject *config;       /* the layer's config (owned by the parser) */
  JsonArray *shape;         /* a synthesised input's batch shape, or NULL */
  GArray *refs;             /* Ref */
  GPtrArray *deps;          /* Item*, resolved */
  GPtrArray *dependents;
  guint pending;
  gboolean map_input;       /* an input of rank 2 read by 1-D convolutions */
  char *out;                /* the Envelope layer holding its output */
  char *weights;            /* its first Envelope layer that may hold parameters */
  guint index;              /* in file order */
} Item;

typedef struct
{
  EnvelopeNetwork *network;
  GPtrArray *notes;
  GPtrArray *items;         /* Item*, in file order */
  GHashTable *by_key;       /* key → Item* */
  GHashTable *aliases;      /* key → GArray of Ref: a nested model's inputs and outputs */
  GHashTable *classes;      /* Envelope name → Keras class, for notes */
  GHashTable *indices;      /* Envelope name → its index + 1: the network's own look-up is a scan */
  GHashTable *layouts;      /* Envelope name → known layout and rank, packed */
  EnvelopeAnalysis *analysis;
  guint64 analysed;
  guint fixups;
  gboolean channels_first;
  gboolean reordered;
  gboolean open_sizes;
} Ctx;

static void
ref_clear (gpointer data)
{
  Ref *ref = data;
  g_free (ref->layer);
}

static GArray *
ref_array_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (Ref));
  g_array_set_clear_func (array, ref_clear);
  return array;
}

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->key);
  g_free (item->name);
  g_free (item->keras_name);
  g_free (item->group);
  g_free (item->class_name);
  g_clear_pointer (&item->refs, g_array_unref);
  g_clear_pointer (&item->deps, g_ptr_array_unref);
  g_clear_pointer (&item->dependents, g_ptr_array_unref);
  g_free (item->out);
  g_free (item->weights);
  g_free (item);
}

static void
ctx_clear (Ctx *ctx)
{
  g_clear_pointer (&ctx->network, envelope_network_free);
  g_clear_pointer (&ctx->items, g_ptr_array_unref);
  g_clear_pointer (&ctx->by_key, g_hash_table_unref);
  g_clear_pointer (&ctx->aliases, g_hash_table_unref);
  g_clear_pointer (&ctx->classes, g_hash_table_unref);
  g_clear_pointer (&ctx->indices, g_hash_table_unref);
  g_clear_pointer (&ctx->layouts, g_hash_table_unref);
  g_clear_pointer (&ctx->analysis, envelope_analysis_free);
}

static void
replace_str (char       **slot,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

/* ---- reading JSON ---------------------------------------------------- */

static gboolean
check_nesting (const guint8 *data,
               gsize         len,
               GError      **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_NESTING)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                           _("arrays and objects nest more than %u deep at byte %" PRIu64),
                           MAX_NESTING, (guint64) i);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *key)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return NULL;
  node = json_object_get_member (object, key);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *key)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return NULL;
  node = json_object_get_member (object, key);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *key)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return NULL;
  node = json_object_get_member (object, key);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
node_is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gint64
get_int (JsonObject *object,
         const char *key,
         gint64      fallback)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return fallback;
  node = json_object_get_member (object, key);
  return node_is_int (node) ? json_node_get_int (node) : fallback;
}

static double
get_double (JsonObject *object,
            const char *key,
            double      fallback)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return fallback;
  node = json_object_get_member (object, key);
  return node_is_number (node) ? json_node_get_double (node) : fallback;
}

static gboolean
get_bool (JsonObject *object,
          const char *key,
          gboolean    fallback)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return fallback;
  node = json_object_get_member (object, key);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return fallback;
}

/* A window setting: one integer, or a list of one per axis (Keras writes
 * lists).  Returns how many it read (0 when absent), or -1 when bad. */
static gint
get_ints (JsonObject *object,
          const char *key,
          gint64     *values,
          guint       max)
{
  JsonNode *node;
  JsonArray *array;
  guint n;

  if (object == NULL || !json_object_has_member (object, key))
    return 0;
  node = json_object_get_member (object, key);
  if (JSON_NODE_HOLDS_NULL (node))
    return 0;
  if (node_is_int (node))
    {
      for (guint i = 0; i < max; i++)
        values[i] = json_node_get_int (node);
      return -2;   /* one for every axis */
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return -1;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > max)
    return -1;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!node_is_int (element))
        return -1;
      values[i] = json_node_get_int (element);
    }
  return (gint) n;
}

static gboolean
bad_field (const Item *item,
           const char *field,
           const char *why,
           GError    **error)
{
  g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
               _("layer \"%s\" (%s): \"%s\" %s"), item->keras_name, item->class_name, field, why);
  return FALSE;
}

/* ---- references to other layers ---------------------------------------- */

static gboolean
parse_history (JsonArray  *history,
               const char *prefix,
               GArray     *refs)
{
  JsonNode *name, *node, *tensor;
  Ref ref;

  if (history == NULL || json_array_get_length (history) < 3)
    return FALSE;
  name = json_array_get_element (history, 0);
  node = json_array_get_element (history, 1);
  tensor = json_array_get_element (history, 2);
  if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING ||
      !node_is_int (node) || !node_is_int (tensor) ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXINT ||
      json_node_get_int (tensor) < 0 || json_node_get_int (tensor) > G_MAXINT)
    return FALSE;
  ref.layer = g_strconcat (prefix, json_node_get_string (name), NULL);
  ref.node = (gint) json_node_get_int (node);
  ref.tensor = (gint) json_node_get_int (tensor);
  g_array_append_val (refs, ref);
  return TRUE;
}

/* Keras 3: every {"class_name": "__keras_tensor__"} under @root, in
 * order, walked with a stack of its own. */
static gboolean
collect_keras_tensors (JsonNode   *root,
                       const char *prefix,
                       GArray     *refs)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      JsonNode *node = g_ptr_array_steal_index (stack, stack->len - 1);

      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          for (guint i = json_array_get_length (array); i > 0; i--)
            g_ptr_array_add (stack, json_array_get_element (array, i - 1));
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);
          const char *class_name = get_string (object, "class_name");

          if (g_strcmp0 (class_name, "__keras_tensor__") == 0)
            {
              if (!parse_history (get_array (get_object (object, "config"), "keras_history"), prefix, refs))
                return FALSE;
            }
          else
            {
              g_autoptr(GList) members = json_object_get_members (object);
              for (GList *l = g_list_last (members); l != NULL; l = l->prev)
                g_ptr_array_add (stack, json_object_get_member (object, l->data));
            }
        }
    }
  return TRUE;
}

/* One inbound node, in either layout.  Keras 2: [[name, node, tensor,
 * kwargs], …], kwargs perhaps holding "value" and "key" tensors as
 * [name, node, tensor]; Keras 3: {"args": […], "kwargs": {…}}. */
static gboolean
parse_inbound_node (JsonNode   *node,
                    const char *prefix,
                    GArray     *refs)
{
  static const char *const tensor_kwargs[] = { "query", "value", "key", NULL };

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObject *kwargs = get_object (object, "kwargs");

      if (json_object_has_member (object, "args") &&
          !collect_keras_tensors (json_object_get_member (object, "args"), prefix, refs))
        return FALSE;
      for (guint i = 0; kwargs != NULL && tensor_kwargs[i] != NULL; i++)
        if (json_object_has_member (kwargs, tensor_kwargs[i]) &&
            !collect_keras_tensors (json_object_get_member (kwargs, tensor_kwargs[i]), prefix, refs))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *entries = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonNode *entry = json_array_get_element (entries, i);
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (entry))
            return FALSE;
          array = json_node_get_array (entry);
          if (!parse_history (array, prefix, refs))
            return FALSE;
          if (json_array_get_length (array) >= 4)
            {
              JsonNode *kw = json_array_get_element (array, 3);
              JsonObject *kwargs = JSON_NODE_HOLDS_OBJECT (kw) ? json_node_get_object (kw) : NULL;

              for (guint k = 1; kwargs != NULL && tensor_kwargs[k] != NULL; k++)
                {
                  JsonArray *tensor = get_array (kwargs, tensor_kwargs[k]);
                  if (tensor != NULL && !parse_history (tensor, prefix, refs))
                    return FALSE;
                }
            }
        }
      return TRUE;
    }
  return FALSE;
}

/* input_layers and output_layers: [[name, node, tensor], …], or a single
 * [name, node, tensor] (Keras 3, one tensor). */
static gboolean
parse_endpoints (JsonArray  *array,
                 const char *prefix,
                 GArray     *refs)
{
  JsonNode *first;

  if (array == NULL || json_array_get_length (array) == 0)
    return FALSE;
  first = json_array_get_element (array, 0);
  if (JSON_NODE_HOLDS_VALUE (first))
    return parse_history (array, prefix, refs);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_ARRAY (element) || !parse_history (json_node_get_array (element), prefix, refs))
        return FALSE;
    }
  return TRUE;
}

/* ---- flattening models into items -------------------------------------- */

typedef struct
{
  JsonObject *config;
  gboolean sequential;
  char *prefix;             /* "" or "base/" */
  GArray *bindings;         /* the tensors a nested model reads, or NULL */
  char *outer_key;          /* the alias its outputs go under, or NULL */
} Frame;

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_free (frame->prefix);
  g_clear_pointer (&frame->bindings, g_array_unref);
  g_free (frame->outer_key);
  g_free (frame);
}

static gboolean
is_model_class (const char *class_name,
                JsonObject *config)
{
  return (g_strcmp0 (class_name, "Functional") == 0 || g_strcmp0 (class_name, "Model") == 0 ||
          g_strcmp0 (class_name, "Sequential") == 0) && get_array (config, "layers") != NULL;
}

static Item *
add_item (Ctx        *ctx,
          const char *prefix,
          const char *name,
          gint        node,
          const char *class_name,
          JsonObject *config,
          GError    **error)
{
  Item *item = g_new0 (Item, 1);

  item->key = g_strdup_printf ("%s%s#%d", prefix, name, node);
  item->keras_name = g_strconcat (prefix, name, NULL);
  /* A layer called more than once: each call a layer of its own. */
  item->name = node == 0 ? g_strdup (item->keras_name) : g_strdup_printf ("%s@%d", item->keras_name, node);
  if (prefix[0] != '\0')
    item->group = g_strndup (prefix, strlen (prefix) - 1);
  item->class_name = g_strdup (class_name);
  item->config = config;
  item->refs = ref_array_new ();
  item->deps = g_ptr_array_new ();
  item->dependents = g_ptr_array_new ();
  if (g_hash_table_contains (ctx->by_key, item->key) || g_hash_table_contains (ctx->aliases, item->key))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("layer \"%s\" (%s): \"name\": two layers have this name"), item->keras_name, class_name);
      item_free (item);
      return NULL;
    }
  if (ctx->items->len >= ENVELOPE_IMPORT_MAX_LAYERS)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                   _("the model has more than %u layers"), ENVELOPE_IMPORT_MAX_LAYERS);
      item_free (item);
      return NULL;
    }
  item->index = ctx->items->len;
  g_ptr_array_add (ctx->items, item);
  g_hash_table_insert (ctx->by_key, item->key, item);
  return item;
}

static gboolean
add_alias (Ctx        *ctx,
           char       *key,
           GArray     *refs,
           GError    **error)
{
  if (g_hash_table_contains (ctx->by_key, key) || g_hash_table_contains (ctx->aliases, key))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("layer \"%s\": \"name\": two layers have this name"), key);
      g_free (key);
      g_array_unref (refs);
      return FALSE;
    }
  g_hash_table_insert (ctx->aliases, key, refs);
  return TRUE;
}

static void
append_ref (GArray     *refs,
            const char *layer,
            gint        node,
            gint        tensor)
{
  Ref ref = { g_strdup (layer), node, tensor };
  g_array_append_val (refs, ref);
}

/* The key of the layer call a Ref points at: "prefix/name#node". */
static char *
ref_key (const Ref *ref)
{
  return g_strdup_printf ("%s#%d", ref->layer, ref->node);
}

static gboolean
layer_header (JsonNode    *node,
              const char  *prefix,
              guint        index,
              const char **name,
              const char **class_name,
              JsonObject **object,
              JsonObject **config,
              GError     **error)
{
  g_autofree char *model = prefix[0] != '\0' ? g_strndup (prefix, strlen (prefix) - 1) : g_strdup (_("the model"));

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("layers[%u] of %s: not an object"), index, model);
      return FALSE;
    }
  *object = json_node_get_object (node);
  *class_name = get_string (*object, "class_name");
  *config = get_object (*object, "config");
  *name = get_string (*object, "name");
  if (*name == NULL)
    *name = get_string (*config, "name");
  if (*class_name == NULL || *config == NULL || *name == NULL || (*name)[0] == '\0')
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("layers[%u] of %s: \"%s\" is missing"), index, model,
                   *class_name == NULL ? "class_name" : *config == NULL ? "config" : "name");
      return FALSE;
    }
  return TRUE;
}

static gboolean
push_nested (GPtrArray  *stack,
             const char *prefix,
             const char *name,
             const char *class_name,
             JsonObject *config,
             GArray     *bindings,
             Ctx        *ctx,
             GError    **error)
{
  Frame *frame = g_new0 (Frame, 1);

  frame->config = config;
  frame->sequential = g_strcmp0 (class_name, "Sequential") == 0;
  frame->prefix = g_strconcat (prefix, name, "/", NULL);
  frame->bindings = bindings;
  frame->outer_key = g_strdup_printf ("%s%s#0", prefix, name);
  if (g_hash_table_contains (ctx->by_key, frame->outer_key))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("layer \"%s%s\" (%s): \"name\": two layers have this name"), prefix, name, class_name);
      frame_free (frame);
      return FALSE;
    }
  g_ptr_array_add (stack, frame);
  return TRUE;
}

static JsonArray *
input_batch_shape (JsonObject *config)
{
  JsonArray *shape = get_array (config, "batch_shape");

  if (shape == NULL)
    shape = get_array (config, "batch_input_shape");
  return shape;
}

static gboolean
flatten_sequential (Ctx       *ctx,
                    Frame     *frame,
                    GPtrArray *stack,
                    GError   **error)
{
  JsonArray *layers = get_array (frame->config, "layers");
  g_autofree char *prev = NULL;   /* a key */
  gboolean have_prev = FALSE;

  if (frame->bindings != NULL && frame->bindings->len > 0)
    {
      /* The nested Sequential reads what its call was given. */
      GArray *refs = ref_array_new ();
      Ref *b = &g_array_index (frame->bindings, Ref, 0);

      append_ref (refs, b->layer, b->node, b->tensor);
      prev = g_strdup_printf ("%s(input)#0", frame->prefix);
      if (!add_alias (ctx, g_strdup (prev), refs, error))
        return FALSE;
      have_prev = TRUE;
    }
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      const char *name, *class_name;
      JsonObject *object, *config;
      Item *item;

      if (!layer_header (json_array_get_element (layers, i), frame->prefix, i,
                         &name, &class_name, &object, &config, error))
        return FALSE;
      if (g_strcmp0 (class_name, "InputLayer") == 0)
        {
          if (have_prev)
            continue;   /* a nested model's input: its call's tensor */
          item = add_item (ctx, frame->prefix, name, 0, class_name, config, error);
          if (item == NULL)
            return FALSE;
          replace_str (&prev, item->key);
          have_prev = TRUE;
          continue;
        }
      if (!have_prev)
        {
          /* Keras 2 gives the first layer a batch_input_shape; Keras 3
           * the model a build_input_shape. */
          JsonArray *shape = input_batch_shape (config);
          g_autofree char *input_name = g_strconcat (name, "_input", NULL);

          if (shape == NULL)
            shape = get_array (frame->config, "build_input_shape");
          if (shape == NULL)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                           _("layer \"%s%s\" (%s): \"batch_input_shape\": the Sequential model gives no input shape"),
                           frame->prefix, name, class_name);
              return FALSE;
            }
          item = add_item (ctx, frame->prefix, input_name, 0, "InputLayer", NULL, error);
          if (item == NULL)
            return FALSE;
          item->shape = shape;
          replace_str (&prev, item->key);
          have_prev = TRUE;
        }
      if (is_model_class (class_name, config))
        {
          GArray *bindings = ref_array_new ();
          g_autofree char *layer = g_strndup (prev, strrchr (prev, '#') - prev);

          append_ref (bindings, layer, atoi (strrchr (prev, '#') + 1), 0);
          if (!push_nested (stack, frame->prefix, name, class_name, config, bindings, ctx, error))
            return FALSE;
          g_free (prev);
          prev = g_strdup_printf ("%s%s#0", frame->prefix, name);
          continue;
        }
      item = add_item (ctx, frame->prefix, name, 0, class_name, config, error);
      if (item == NULL)
        return FALSE;
      {
        g_autofree char *layer = g_strndup (prev, strrchr (prev, '#') - prev);
        append_ref (item->refs, layer, atoi (strrchr (prev, '#') + 1), 0);
      }
      replace_str (&prev, item->key);
    }
  if (frame->outer_key != NULL)
    {
      GArray *refs = ref_array_new ();
      if (prev != NULL)
        {
          g_autofree char *layer = g_strndup (prev, strrchr (prev, '#') - prev);
          append_ref (refs, layer, atoi (strrchr (prev, '#') + 1), 0);
        }
      return add_alias (ctx, g_strdup (frame->outer_key), refs, error);
    }
  return TRUE;
}

static gboolean
flatten_functional (Ctx       *ctx,
                    Frame     *frame,
                    GPtrArray *stack,
                    GError   **error)
{
  JsonArray *layers = get_array (frame->config, "layers");
  g_autoptr(GArray) inputs = ref_array_new ();

  if (frame->bindings != NULL && !parse_endpoints (get_array (frame->config, "input_layers"), frame->prefix, inputs))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("model \"%.*s\": \"input_layers\" is missing or malformed"),
                   (int) strlen (frame->prefix) - 1, frame->prefix);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      const char *name, *class_name;
      JsonObject *object, *config;
      JsonArray *inbound;
      guint n_nodes;

      if (!layer_header (json_array_get_element (layers, i), frame->prefix, i,
                         &name, &class_name, &object, &config, error))
        return FALSE;
      if (g_strcmp0 (class_name, "InputLayer") == 0)
        {
          if (frame->bindings != NULL)
            {
              g_autofree char *full = g_strconcat (frame->prefix, name, NULL);
              GArray *refs = ref_array_new ();
              guint k;

              for (k = 0; k < inputs->len; k++)
                if (g_str_equal (g_array_index (inputs, Ref, k).layer, full))
                  break;
              if (k < frame->bindings->len)
                {
                  Ref *b = &g_array_index (frame->bindings, Ref, k);
                  append_ref (refs, b->layer, b->node, b->tensor);
                }
              if (!add_alias (ctx, g_strdup_printf ("%s#0", full), refs, error))
                return FALSE;
            }
          else if (add_item (ctx, frame->prefix, name, 0, class_name, config, error) == NULL)
            return FALSE;
          continue;
        }
      inbound = get_array (object, "inbound_nodes");
      if (inbound == NULL)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("layer \"%s%s\" (%s): \"inbound_nodes\" is missing"), frame->prefix, name, class_name);
          return FALSE;
        }
      n_nodes = json_array_get_length (inbound);
      for (guint k = 0; k < n_nodes; k++)
        {
          g_autoptr(GArray) refs = ref_array_new ();
          Item *item;

          if (!parse_inbound_node (json_array_get_element (inbound, k), frame->prefix, refs) || refs->len == 0)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("layer \"%s%s\" (%s): \"inbound_nodes\": node %u names no layer it reads"),
                           frame->prefix, name, class_name, k);
              return FALSE;
            }
          if (k == 0 && is_model_class (class_name, config))
            {
              if (!push_nested (stack, frame->prefix, name, class_name, config,
                                g_steal_pointer (&refs), ctx, error))
                return FALSE;
              continue;
            }
          item = add_item (ctx, frame->prefix, name, (gint) k, class_name, config, error);
          if (item == NULL)
            return FALSE;
          g_array_unref (item->refs);
          item->refs = g_steal_pointer (&refs);
        }
    }
  if (frame->outer_key != NULL)
    {
      GArray *refs = ref_array_new ();
      if (!parse_endpoints (get_array (frame->config, "output_layers"), frame->prefix, refs))
        {
          g_array_unref (refs);
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("model \"%.*s\": \"output_layers\" is missing or malformed"),
                       (int) strlen (frame->prefix) - 1, frame->prefix);
          return FALSE;
        }
      return add_alias (ctx, g_strdup (frame->outer_key), refs, error);
    }
  return TRUE;
}

static gboolean
flatten (Ctx         *ctx,
         JsonObject  *root,
         GError     **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (frame_free);
  const char *class_name = get_string (root, "class_name");
  JsonObject *config = get_object (root, "config");
  Frame *top;

  if (config == NULL || get_array (config, "layers") == NULL)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("model (%s): \"config\" holds no \"layers\""), class_name != NULL ? class_name : "?");
      return FALSE;
    }
  top = g_new0 (Frame, 1);
  top->config = config;
  top->sequential = g_strcmp0 (class_name, "Sequential") == 0;
  top->prefix = g_strdup ("");
  g_ptr_array_add (stack, top);
  while (stack->len > 0)
    {
      Frame *frame = g_ptr_array_steal_index (stack, stack->len - 1);
      gboolean ok;

      ok = frame->sequential ? flatten_sequential (ctx, frame, stack, error)
                             : flatten_functional (ctx, frame, stack, error);
      frame_free (frame);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Follows a reference through nested models' inputs and outputs to the
 * layer that computes it. */
static Item *
resolve (Ctx       *ctx,
         Item      *from,
         const Ref *start,
         GError   **error)
{
  Ref ref = *start;

  for (guint steps = 0; steps <= ctx->items->len + g_hash_table_size (ctx->aliases); steps++)
    {
      g_autofree char *key = ref_key (&ref);
      Item *item = g_hash_table_lookup (ctx->by_key, key);
      GArray *alias;
      guint index;

      if (item != NULL)
        return item;
      alias = g_hash_table_lookup (ctx->aliases, key);
      if (alias == NULL)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("layer \"%s\" (%s): \"inbound_nodes\" names layer \"%s\" (node %d), which the model does not have"),
                       from->keras_name, from->class_name, ref.layer, ref.node);
          return NULL;
        }
      index = (guint) ref.tensor;
      if (index >= alias->len)
        index = 0;
      if (alias->len == 0)
        break;
      ref = g_array_index (alias, Ref, index);
    }
  g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
               _("layer \"%s\" (%s): \"inbound_nodes\": the model's inputs and outputs lead in a circle from \"%s\""),
               from->keras_name, from->class_name, start->layer);
  return NULL;
}

/* ---- building Envelope layers ------------------------------------------ */

static gint
find_layer (Ctx        *ctx,
            const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (ctx->indices, name)) - 1;
}

static EnvelopeLayer *
get_layer (Ctx        *ctx,
           const char *name)
{
  gint index = find_layer (ctx, name);

  return index >= 0 ? envelope_network_get_layer (ctx->network, (guint) index) : NULL;
}

static EnvelopeLayer *
add_layer (Ctx               *ctx,
           Item              *item,
           EnvelopeLayerType  type,
           const char        *suffix,
           const char *const *inputs,
           guint              n_inputs)
{
  g_autofree char *name = NULL;
  EnvelopeLayer *layer;

  if (suffix == NULL && find_layer (ctx, item->name) < 0)
    name = g_strdup (item->name);
  else
    {
      g_autofree char *stem = g_strdup_printf ("%s_%s", item->name, suffix != NULL ? suffix : "");

      if (find_layer (ctx, stem) < 0)
        name = g_steal_pointer (&stem);
      for (guint n = 1; name == NULL; n++)
        {
          char *candidate = g_strdup_printf ("%s%u", stem, n);
          if (find_layer (ctx, candidate) < 0)
            name = candidate;
          else
            g_free (candidate);
        }
    }
  layer = envelope_layer_new (type, name);
  layer->group = g_strdup (item->group);
  if (n_inputs > 0)
    {
      layer->inputs = g_new0 (char *, n_inputs + 1);
      for (guint i = 0; i < n_inputs; i++)
        layer->inputs[i] = g_strdup (inputs[i]);
    }
  g_hash_table_insert (ctx->indices, g_strdup (name), GINT_TO_POINTER ((gint) envelope_network_get_n_layers (ctx->network) + 1));
  envelope_network_insert_layer (ctx->network, -1, layer);
  g_hash_table_insert (ctx->classes, g_strdup (name), g_strdup (item->class_name));
  replace_str (&item->out, name);
  if (item->weights == NULL && (envelope_layer_kind_get (type)->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES)))
    item->weights = g_strdup (name);
  return layer;
}

#define SET(l, f) ((l)->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##f))

/* Adds a layer reading item->out, the one just added. */
static EnvelopeLayer *
chain_layer (Ctx               *ctx,
             Item              *item,
             EnvelopeLayerType  type,
             const char        *suffix)
{
  g_autofree char *from = g_strdup (item->out);
  const char *inputs[1] = { from };

  return add_layer (ctx, item, type, suffix, inputs, 1);
}

static EnvelopeLayer *
add_unknown (Ctx               *ctx,
             Item              *item,
             const char *const *inputs,
             guint              n_inputs,
             const char        *why)
{
  EnvelopeLayer *layer = add_layer (ctx, item, ENVELOPE_LAYER_UNKNOWN, NULL, inputs, n_inputs);

  layer->operator_name = g_strdup (item->class_name);
  SET (layer, OPERATOR);
  if (why != NULL)
    envelope_import_note (ctx->notes, _("Layer \"%s\" (%s): %s; it is counted as a layer of unknown cost."),
                          item->keras_name, item->class_name, why);
  else
    envelope_import_note (ctx->notes, _("Layer \"%s\" (%s) has no Envelope kind; it is counted as a layer of unknown cost."),
                          item->keras_name, item->class_name);
  return layer;
}

static void
set_unknown_shape (EnvelopeLayer *layer,
                   const guint64 *shape,
                   guint          rank,
                   EnvelopeTensorLayout layout)
{
  for (guint i = 0; i < rank; i++)
    layer->shape[i] = (gint64) shape[i];
  layer->shape_rank = rank;
  SET (layer, SHAPE);
  if (rank == 2)
    {
      layer->layout = layout == ENVELOPE_TENSOR_MAP ? ENVELOPE_SHAPE_MAP : ENVELOPE_SHAPE_TOKENS;
      SET (layer, LAYOUT);
    }
}

/* Analyses the network built so far.  A layer the analysis cannot
 * follow becomes `unknown` (with a note) rather than failing the import. */
static gboolean
analyse (Ctx     *ctx,
         GError **error)
{
  g_clear_pointer (&ctx->analysis, envelope_analysis_free);
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      EnvelopeErrorLocation location = { -1, NULL };
      EnvelopeLayer *layer, *unknown;
      const char *class_name;
      guint n = envelope_network_get_n_layers (ctx->network);

      ctx->analysed += n;
      if (ctx->analysed > MAX_ANALYSED_LAYERS)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                       _("the model needs more shape checks than Envelope makes (%u layers)"), n);
          return FALSE;
        }
      ctx->analysis = envelope_analysis_new (ctx->network, &ctx->network->training, &location, &local);
      if (ctx->analysis != NULL)
        return TRUE;
      if (location.layer < 0 || (guint) location.layer >= n || ctx->fixups >= MAX_FIXUPS)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("the model's shapes cannot be followed: %s"), local->message);
          return FALSE;
        }
      layer = envelope_network_get_layer (ctx->network, (guint) location.layer);
      class_name = g_hash_table_lookup (ctx->classes, layer->name);
      if (layer->type == ENVELOPE_LAYER_INPUT || layer->type == ENVELOPE_LAYER_UNKNOWN || layer->inputs == NULL)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("layer \"%s\" (%s): its shapes cannot be followed: %s"),
                       layer->name, class_name != NULL ? class_name : "?", local->message);
          return FALSE;
        }
      ctx->fixups++;
      envelope_import_note (ctx->notes, _("Layer \"%s\" (%s): %s; it is counted as a layer of unknown cost."),
                            layer->name, class_name != NULL ? class_name : "?", local->message);
      unknown = envelope_layer_new (ENVELOPE_LAYER_UNKNOWN, layer->name);
      unknown->inputs = g_strdupv (layer->inputs);
      unknown->group = g_strdup (layer->group);
      unknown->operator_name = g_strdup (class_name != NULL ? class_name : "?");
      SET (unknown, OPERATOR);
      envelope_layer_free (envelope_network_steal_layer (ctx->network, (guint) location.layer));
      envelope_network_insert_layer (ctx->network, location.layer, unknown);
      g_hash_table_remove_all (ctx->layouts);
    }
}

/* The output of Envelope layer @name, as analysed. */
static const EnvelopeLayerFigures *
figures_of (Ctx        *ctx,
            const char *name,
            GError    **error)
{
  gint index = find_layer (ctx, name);

  g_return_val_if_fail (index >= 0, NULL);
  if (ctx->analysis == NULL || (guint) index >= envelope_analysis_get_n_layers (ctx->analysis) ||
      envelope_network_get_layer (ctx->network, (guint) index) !=
        envelope_network_get_layer (envelope_analysis_get_network (ctx->analysis), (guint) index))
    {
      if (!analyse (ctx, error))
        return NULL;
      index = find_layer (ctx, name);
    }
  return envelope_analysis_get_layer (ctx->analysis, (guint) index);
}

/* Keras's activation names. */
static gboolean
activation_type (const char        *name,
                 EnvelopeLayerType *type)
{
  static const struct { const char *name; EnvelopeLayerType type; } table[] = {
    { "relu", ENVELOPE_LAYER_RELU },
    { "relu6", ENVELOPE_LAYER_RELU6 },
    { "sigmoid", ENVELOPE_LAYER_SIGMOID },
    { "tanh", ENVELOPE_LAYER_TANH },
    { "softmax", ENVELOPE_LAYER_SOFTMAX },
    { "gelu", ENVELOPE_LAYER_GELU },
    { "swish", ENVELOPE_LAYER_SILU },
    { "silu", ENVELOPE_LAYER_SILU },
    { "hard_sigmoid", ENVELOPE_LAYER_HARDSIGMOID },
    { "hard_swish", ENVELOPE_LAYER_HARDSWISH },
    { "hard_silu", ENVELOPE_LAYER_HARDSWISH },
    { "elu", ENVELOPE_LAYER_ELU },
    { "leaky_relu", ENVELOPE_LAYER_LEAKY_RELU },
    { "softplus", ENVELOPE_LAYER_SOFTPLUS },
    { "mish", ENVELOPE_LAYER_MISH },
    { "linear", ENVELOPE_LAYER_IDENTITY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (name, table[i].name))
      {
        *type = table[i].type;
        return TRUE;
      }
  return FALSE;
}

/* The activation a layer applies after itself ("activation": "relu"). */
static void
add_activation (Ctx        *ctx,
                Item       *item,
                JsonObject *config)
{
  JsonNode *node;
  const char *name = NULL;
  EnvelopeLayerType type;
  EnvelopeLayer *layer;

  if (config == NULL || !json_object_has_member (config, "activation"))
    return;
  node = json_object_get_member (config, "activation");
  if (JSON_NODE_HOLDS_NULL (node))
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    name = json_node_get_string (node);
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      name = get_string (object, "class_name");
      if (name == NULL)
        name = get_string (object, "config");
    }
  if (name == NULL || g_str_equal (name, "linear"))
    return;
  if (activation_type (name, &type))
    {
      chain_layer (ctx, item, type, name);
      return;
    }
  layer = chain_layer (ctx, item, ENVELOPE_LAYER_UNKNOWN, name);
  layer->operator_name = g_strdup (name);
  SET (layer, OPERATOR);
  envelope_import_note (ctx->notes, _("Layer \"%s\" (%s): the activation \"%s\" has no Envelope kind; it is counted as a layer of unknown cost."),
                        item->keras_name, item->class_name, name);
}

/* A Keras axis (counting the batch as 0, or from the end) on a tensor
 * with @rank axes after the batch, as Envelope's axis. */
static gint64
envelope_axis (Ctx                        *ctx,
               gint64                      axis,
               const EnvelopeLayerFigures *in)
{
  gint64 k = axis < 0 ? axis + in->rank : axis - 1;

  if (ctx->channels_first || in->layout != ENVELOPE_TENSOR_MAP)
    return k;
  return k == (gint64) in->rank - 1 ? 0 : k + 1;
}

static gboolean
set_window (Item           *item,
            EnvelopeLayer  *layer,
            JsonObject     *config,
            const char     *key,
            EnvelopeField   field,
            gint64         *values,
            guint           dims,
            GError        **error)
{
  gint n = get_ints (config, key, values, dims);

  if (n == -1)
    return bad_field (item, key, _("must be an integer or a list of positive integers, one per axis"), error);
  if (n == 0)
    return TRUE;
  for (guint i = 0; i < dims; i++)
    if (values[i] < (field == ENVELOPE_FIELD_PADDING || field == ENVELOPE_FIELD_OUTPUT_PADDING ? 0 : 1))
      return bad_field (item, key, _("must hold positive integers"), error);
  if (n > 0 && (guint) n != dims)
    return bad_field (item, key, _("has a size for another number of axes"), error);
  ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) dims;
  layer->set |= ENVELOPE_FIELD_BIT (field);
  return TRUE;
}

static gboolean
set_padding (Ctx           *ctx,
             Item          *item,
             EnvelopeLayer *layer,
             JsonObject    *config)
{
  const char *padding = get_string (config, "padding");

  layer->padding_mode = ENVELOPE_PADDING_VALID;
  if (g_strcmp0 (padding, "same") == 0)
    layer->padding_mode = ENVELOPE_PADDING_SAME;
  else if (g_strcmp0 (padding, "causal") == 0)
    {
      /* Causal padding puts all of it before; the length is "same"'s. */
      layer->padding_mode = ENVELOPE_PADDING_SAME;
      envelope_import_note (ctx->notes, _("Layer \"%s\" (%s): causal padding is counted as \"same\" (the same length, padded on one side)."),
                            item->keras_name, item->class_name);
    }
  SET (layer, PADDING);
  return TRUE;
}

static guint
spatial_dims (const char *class_name)
{
  for (const char *p = class_name; p[0] != '\0' && p[1] != '\0'; p++)
    if (p[0] >= '1' && p[0] <= '3' && p[1] == 'D')
      return (guint) (p[0] - '0');
  return 0;
}

static gboolean
convert_input (Ctx     *ctx,
               Item    *item,
               GError **error)
{
  JsonArray *shape = item->shape != NULL ? item->shape : input_batch_shape (item->config);
  gint64 sizes[ENVELOPE_MAX_RANK], dims[ENVELOPE_MAX_RANK];
  guint rank;
  EnvelopeLayer *layer;
  gboolean map;

  if (shape == NULL)
    return bad_field (item, "batch_shape", _("is missing"), error);
  if (json_array_get_length (shape) < 2 || json_array_get_length (shape) > ENVELOPE_MAX_RANK + 1)
    return bad_field (item, "batch_shape",
                      _("must give one to four sizes after the batch"), error);
  rank = json_array_get_length (shape) - 1;
  map = rank >= 3 || item->map_input;
  for (guint i = 0; i < rank; i++)
    {
      JsonNode *node = json_array_get_element (shape, i + 1);
      gboolean channels = map && (ctx->channels_first ? i == 0 : i == rank - 1);

      if (JSON_NODE_HOLDS_NULL (node) && !channels)
        {
          dims[i] = map || rank == 1 ? (map ? DEFAULT_SPATIAL : DEFAULT_TOKENS) : DEFAULT_TOKENS;
          ctx->open_sizes = TRUE;
        }
      else if (node_is_int (node) && json_node_get_int (node) > 0)
        dims[i] = json_node_get_int (node);
      else
        return bad_field (item, "batch_shape", _("must hold positive sizes (the channels must be given)"), error);
    }
  if (map && !ctx->channels_first)
    {
      sizes[0] = dims[rank - 1];
      for (guint i = 0; i + 1 < rank; i++)
        sizes[i + 1] = dims[i];
      ctx->reordered = TRUE;
    }
  else
    memcpy (sizes, dims, sizeof sizes);
  layer = add_layer (ctx, item, ENVELOPE_LAYER_INPUT, NULL, NULL, 0);
  memcpy (layer->shape, sizes, rank * sizeof (gint64));
  layer->shape_rank = rank;
  SET (layer, SHAPE);
  if (rank == 2)
    {
      layer->layout = map ? ENVELOPE_SHAPE_MAP : ENVELOPE_SHAPE_TOKENS;
      SET (layer, LAYOUT);
    }
  return TRUE;
}

/* How a layer's output is read, found by walking back through layers
 * that keep their input's layout, so that a long chain of dense layers
 * needs no analysis of the network so far.  FALSE when it takes one. */
static gboolean
cheap_layout (Ctx                  *ctx,
              const char           *name,
              EnvelopeTensorLayout *layout,
              guint                *rank)
{
  gboolean flattened = FALSE;
  const char *start = name;

  for (guint steps = 0; steps < 64; steps++)
    {
      const EnvelopeLayer *layer = get_layer (ctx, name);
      gpointer known;

      if (layer == NULL)
        return FALSE;
      if (g_hash_table_lookup_extended (ctx->layouts, name, NULL, &known))
        {
          *layout = (EnvelopeTensorLayout) (GPOINTER_TO_UINT (known) & 0xf);
          *rank = GPOINTER_TO_UINT (known) >> 4;
          goto found;
        }
      switch (layer->type)
        {
        case ENVELOPE_LAYER_INPUT:
          *rank = layer->shape_rank;
          *layout = layer->shape_rank == 1 ? ENVELOPE_TENSOR_VECTOR
                  : layer->shape_rank == 2 && layer->layout != ENVELOPE_SHAPE_MAP ? ENVELOPE_TENSOR_TOKENS
                  : ENVELOPE_TENSOR_MAP;
          break;
        case ENVELOPE_LAYER_FLATTEN:
          *rank = 1;
          *layout = ENVELOPE_TENSOR_VECTOR;
          break;
        case ENVELOPE_LAYER_EMBEDDING:
          *rank = 2;
          *layout = ENVELOPE_TENSOR_TOKENS;
          break;
        case ENVELOPE_LAYER_LSTM:
        case ENVELOPE_LAYER_GRU:
          *rank = layer->sequences ? 2 : 1;
          *layout = layer->sequences ? ENVELOPE_TENSOR_TOKENS : ENVELOPE_TENSOR_VECTOR;
          break;
        case ENVELOPE_LAYER_DENSE:
          /* On a map it flattens. */
          flattened = TRUE;
          if (layer->inputs == NULL)
            return FALSE;
          name = layer->inputs[0];
          continue;
        case ENVELOPE_LAYER_RELU: case ENVELOPE_LAYER_RELU6: case ENVELOPE_LAYER_LEAKY_RELU:
        case ENVELOPE_LAYER_ELU: case ENVELOPE_LAYER_SIGMOID: case ENVELOPE_LAYER_TANH:
        case ENVELOPE_LAYER_GELU: case ENVELOPE_LAYER_SILU: case ENVELOPE_LAYER_HARDSWISH:
        case ENVELOPE_LAYER_HARDSIGMOID: case ENVELOPE_LAYER_SOFTPLUS: case ENVELOPE_LAYER_MISH:
        case ENVELOPE_LAYER_IDENTITY: case ENVELOPE_LAYER_SOFTMAX: case ENVELOPE_LAYER_DROPOUT:
        case ENVELOPE_LAYER_BATCH_NORM: case ENVELOPE_LAYER_LAYER_NORM: case ENVELOPE_LAYER_ATTENTION:
        case ENVELOPE_LAYER_CLIP: case ENVELOPE_LAYER_PRELU: case ENVELOPE_LAYER_SCALE:
          if (layer->inputs == NULL)
            return FALSE;
          name = layer->inputs[0];
          continue;
        default:
          return FALSE;
        }
    found:
      if (flattened && *layout == ENVELOPE_TENSOR_MAP)
        {
          *rank = 1;
          *layout = ENVELOPE_TENSOR_VECTOR;
        }
      g_hash_table_insert (ctx->layouts, g_strdup (start), GUINT_TO_POINTER ((guint) *layout | (*rank << 4)));
      return TRUE;
    }
  return FALSE;
}

/* A sequence of tokens [T, D] fed to a 1-D convolution or pool becomes
 * the map [D, T] it is in Keras's eyes; a map [C, L] fed to a layer of
 * tokens becomes tokens again. */
static gboolean
ensure_layout (Ctx                  *ctx,
               Item                 *item,
               char                **input,
               EnvelopeTensorLayout  want,
               GError              **error)
{
  const EnvelopeLayerFigures *in;
  EnvelopeLayer *layer;
  const char *inputs[1] = { *input };
  EnvelopeTensorLayout layout;
  guint rank;

  if (!cheap_layout (ctx, *input, &layout, &rank))
    {
      in = figures_of (ctx, *input, error);
      if (in == NULL)
        return FALSE;
      layout = in->layout;
      rank = in->rank;
    }
  if (rank != 2 || layout == want ||
      (layout != ENVELOPE_TENSOR_MAP && layout != ENVELOPE_TENSOR_TOKENS))
    return TRUE;
  layer = add_layer (ctx, item, ENVELOPE_LAYER_PERMUTE,
                     want == ENVELOPE_TENSOR_MAP ? "to_map" : "to_tokens", inputs, 1);
  layer->order[0] = 1;
  layer->order[1] = 0;
  ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER) = 2;
  SET (layer, ORDER);
  g_free (*input);
  *input = g_strdup (layer->name);
  return TRUE;
}

static gboolean
convert_conv (Ctx         *ctx,
              Item        *item,
              char       **inputs,
              guint        dims,
              gboolean     transpose,
              GError     **error)
{
  JsonObject *c = item->config;
  EnvelopeLayer *layer;
  gint64 filters = get_int (c, "filters", 0);

  if (filters <= 0)
    return bad_field (item, "filters", _("must be a positive integer"), error);
  if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
    return FALSE;
  layer = add_layer (ctx, item, transpose ? ENVELOPE_LAYER_DECONV : ENVELOPE_LAYER_CONV, NULL,
                     (const char *const *) inputs, 1);
  layer->filters = filters;
  SET (layer, FILTERS);
  if (!set_window (item, layer, c, "kernel_size", ENVELOPE_FIELD_KERNEL, layer->kernel, dims, error) ||
      !set_window (item, layer, c, "strides", ENVELOPE_FIELD_STRIDE, layer->stride, dims, error) ||
      !set_window (item, layer, c, "dilation_rate", ENVELOPE_FIELD_DILATION, layer->dilation, dims, error))
    return FALSE;
  if (!(layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL)))
    return bad_field (item, "kernel_size", _("is missing"), error);
  if (transpose && !set_window (item, layer, c, "output_padding", ENVELOPE_FIELD_OUTPUT_PADDING,
                                layer->output_padding, dims, error))
    return FALSE;
  set_padding (ctx, item, layer, c);
  if (get_int (c, "groups", 1) > 1)
    {
      layer->groups = get_int (c, "groups", 1);
      SET (layer, GROUPS);
    }
  layer->bias = get_bool (c, "use_bias", TRUE);
  SET (layer, BIAS);
  add_activation (ctx, item, c);
  return TRUE;
}

/* The channels of a map, found by walking back to the convolution or
 * input that set them: depthwise convolutions need them, and most follow
 * a convolution, a norm and an activation.  0 when it takes an analysis. */
static guint64
cheap_channels (Ctx        *ctx,
                const char *name)
{
  for (guint steps = 0; steps < 16; steps++)
    {
      const EnvelopeLayer *layer = get_layer (ctx, name);

      if (layer == NULL)
        return 0;
      switch (layer->type)
        {
        case ENVELOPE_LAYER_INPUT:
          return layer->shape_rank >= 3 || layer->layout == ENVELOPE_SHAPE_MAP ? (guint64) layer->shape[0] : 0;
        case ENVELOPE_LAYER_CONV:
        case ENVELOPE_LAYER_DECONV:
          return (guint64) layer->filters;
        case ENVELOPE_LAYER_RELU: case ENVELOPE_LAYER_RELU6: case ENVELOPE_LAYER_LEAKY_RELU:
        case ENVELOPE_LAYER_ELU: case ENVELOPE_LAYER_SIGMOID: case ENVELOPE_LAYER_TANH:
        case ENVELOPE_LAYER_GELU: case ENVELOPE_LAYER_SILU: case ENVELOPE_LAYER_HARDSWISH:
        case ENVELOPE_LAYER_HARDSIGMOID: case ENVELOPE_LAYER_IDENTITY: case ENVELOPE_LAYER_DROPOUT:
        case ENVELOPE_LAYER_BATCH_NORM: case ENVELOPE_LAYER_CLIP: case ENVELOPE_LAYER_PAD:
        case ENVELOPE_LAYER_MAX_POOL: case ENVELOPE_LAYER_AVG_POOL: case ENVELOPE_LAYER_ADD:
        case ENVELOPE_LAYER_UPSAMPLE: case ENVELOPE_LAYER_CROP:
          if (layer->inputs == NULL)
            return 0;
          name = layer->inputs[0];
          continue;
        default:
          return 0;
        }
    }
  return 0;
}

/* DepthwiseConv2D: a convolution with one group per input channel. */
static gboolean
convert_depthwise (Ctx     *ctx,
                   Item    *item,
                   char   **inputs,
                   guint    dims,
                   gboolean separable,
                   GError **error)
{
  JsonObject *c = item->config;
  const EnvelopeLayerFigures *in;
  EnvelopeLayer *layer;
  gint64 multiplier = get_int (c, "depth_multiplier", 1);
  guint64 channels;

  if (multiplier <= 0 || multiplier > G_MAXINT32)
    return bad_field (item, "depth_multiplier", _("must be a positive integer"), error);
  if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
    return FALSE;
  channels = cheap_channels (ctx, inputs[0]);
  if (channels == 0)
    {
      in = figures_of (ctx, inputs[0], error);
      if (in == NULL)
        return FALSE;
      if (in->layout != ENVELOPE_TENSOR_MAP)
        {
          add_unknown (ctx, item, (const char *const *) inputs, 1, _("it reads no map"));
          return TRUE;
        }
      channels = in->shape[0];
    }
  if (channels > G_MAXINT32)
    return bad_field (item, "depth_multiplier", _("gives more channels than Envelope counts"), error);
  layer = add_layer (ctx, item, ENVELOPE_LAYER_CONV, separable ? "depthwise" : NULL,
                     (const char *const *) inputs, 1);
  layer->filters = (gint64) (channels * (guint64) multiplier);
  layer->groups = (gint64) channels;
  SET (layer, FILTERS);
  SET (layer, GROUPS);
  if (!set_window (item, layer, c, "kernel_size", ENVELOPE_FIELD_KERNEL, layer->kernel, dims, error) ||
      !set_window (item, layer, c, "strides", ENVELOPE_FIELD_STRIDE, layer->stride, dims, error) ||
      !set_window (item, layer, c, "dilation_rate", ENVELOPE_FIELD_DILATION, layer->dilation, dims, error))
    return FALSE;
  if (!(layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL)))
    return bad_field (item, "kernel_size", _("is missing"), error);
  set_padding (ctx, item, layer, c);
  /* A separable convolution's one bias is the pointwise one's. */
  layer->bias = separable ? FALSE : get_bool (c, "use_bias", TRUE);
  SET (layer, BIAS);
  if (separable)
    {
      gint64 filters = get_int (c, "filters", 0);
      EnvelopeLayer *pointwise;

      if (filters <= 0)
        return bad_field (item, "filters", _("must be a positive integer"), error);
      pointwise = chain_layer (ctx, item, ENVELOPE_LAYER_CONV, "pointwise");
      pointwise->filters = filters;
      for (guint i = 0; i < ENVELOPE_MAX_SPATIAL; i++)
        pointwise->kernel[i] = 1;
      SET (pointwise, FILTERS);
      SET (pointwise, KERNEL);
      pointwise->bias = get_bool (c, "use_bias", TRUE);
      SET (pointwise, BIAS);
    }
  add_activation (ctx, item, c);
  return TRUE;
}

static gboolean
convert_pool (Ctx               *ctx,
              Item              *item,
              char             **inputs,
              guint              dims,
              EnvelopeLayerType  type,
              GError           **error)
{
  JsonObject *c = item->config;
  EnvelopeLayer *layer;

  if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
    return FALSE;
  layer = add_layer (ctx, item, type, NULL, (const char *const *) inputs, 1);
  if (!set_window (item, layer, c, "pool_size", ENVELOPE_FIELD_KERNEL, layer->kernel, dims, error) ||
      !set_window (item, layer, c, "strides", ENVELOPE_FIELD_STRIDE, layer->stride, dims, error))
    return FALSE;
  if (!(layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL)))
    {
      /* Keras's default pool is 2 on every axis. */
      for (guint i = 0; i < ENVELOPE_MAX_SPATIAL; i++)
        layer->kernel[i] = 2;
      SET (layer, KERNEL);
    }
  if (!(layer->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE)))
    {
      memcpy (layer->stride, layer->kernel, sizeof layer->stride);
      ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_STRIDE) = ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_KERNEL);
      SET (layer, STRIDE);
    }
  set_padding (ctx, item, layer, c);
  return TRUE;
}

/* ZeroPadding and Cropping: an int, one per axis, or (before, after)
 * per axis.  Fills before/after; returns FALSE when malformed. */
static gboolean
read_sides (JsonObject *c,
            const char *key,
            guint       dims,
            gint64     *before,
            gint64     *after)
{
  JsonNode *node = json_object_has_member (c, key) ? json_object_get_member (c, key) : NULL;
  JsonArray *array;

  if (node_is_int (node))
    {
      for (guint i = 0; i < dims; i++)
        before[i] = after[i] = json_node_get_int (node);
      return before[0] >= 0;
    }
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (dims == 1 && json_array_get_length (array) == 2 && node_is_int (json_array_get_element (array, 0)))
    {
      before[0] = json_array_get_int_element (array, 0);
      after[0] = node_is_int (json_array_get_element (array, 1)) ? json_array_get_int_element (array, 1) : -1;
      return before[0] >= 0 && after[0] >= 0;
    }
  if (json_array_get_length (array) != dims)
    return FALSE;
  for (guint i = 0; i < dims; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (node_is_int (element))
        before[i] = after[i] = json_node_get_int (element);
      else if (JSON_NODE_HOLDS_ARRAY (element) && json_array_get_length (json_node_get_array (element)) == 2 &&
               node_is_int (json_array_get_element (json_node_get_array (element), 0)) &&
               node_is_int (json_array_get_element (json_node_get_array (element), 1)))
        {
          before[i] = json_array_get_int_element (json_node_get_array (element), 0);
          after[i] = json_array_get_int_element (json_node_get_array (element), 1);
        }
      else
        return FALSE;
      if (before[i] < 0 || after[i] < 0 || before[i] > G_MAXINT32 || after[i] > G_MAXINT32)
        return FALSE;
    }
  return TRUE;
}

static gboolean
convert_pad_crop (Ctx     *ctx,
                  Item    *item,
                  char   **inputs,
                  guint    dims,
                  gboolean crop,
                  GError **error)
{
  const char *key = crop ? "cropping" : "padding";
  gint64 before[ENVELOPE_MAX_SPATIAL] = { 0 }, after[ENVELOPE_MAX_SPATIAL] = { 0 };
  const EnvelopeLayerFigures *in;
  gboolean symmetric = TRUE;
  EnvelopeLayer *layer;

  if (!read_sides (item->config, key, dims, before, after))
    return bad_field (item, key, _("must be an integer, one per axis, or (before, after) per axis"), error);
  if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
    return FALSE;
  for (guint i = 0; i < dims; i++)
    symmetric &= before[i] == after[i];
  if (!crop && symmetric)
    {
      layer = add_layer (ctx, item, ENVELOPE_LAYER_PAD, NULL, (const char *const *) inputs, 1);
      memcpy (layer->padding, before, sizeof layer->padding);
      layer->padding_mode = ENVELOPE_PADDING_EXPLICIT;
      ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_PADDING) = (guint8) dims;
      SET (layer, PADDING);
      return TRUE;
    }
  in = figures_of (ctx, inputs[0], error);
  if (in == NULL)
    return FALSE;
  if (in->layout != ENVELOPE_TENSOR_MAP || in->rank != dims + 1)
    {
      add_unknown (ctx, item, (const char *const *) inputs, 1, _("it reads no map of as many axes"));
      return TRUE;
    }
  if (crop)
    {
      layer = add_layer (ctx, item, ENVELOPE_LAYER_CROP, NULL, (const char *const *) inputs, 1);
      for (guint i = 0; i < dims; i++)
        {
          if ((guint64) (before[i] + after[i]) >= in->shape[i + 1])
            return bad_field (item, key, _("crops the whole map away"), error);
          layer->output_size[i] = (gint64) in->shape[i + 1] - before[i] - after[i];
        }
      ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_OUTPUT_SIZE) = (guint8) dims;
      SET (layer, OUTPUT_SIZE);
      if (!symmetric)
        envelope_import_note (ctx->notes, _("Layer \"%s\" (Cropping): the crop is uneven; Envelope centres it (the same size)."),
                              item->keras_name);
      return TRUE;
    }
  /* Uneven padding: a pad of Envelope's adds the same on both sides, so
   * the layer passes on the padded shape as a layer of no cost. */
  {
    guint64 shape[ENVELOPE_MAX_RANK];

    memcpy (shape, in->shape, sizeof shape);
    for (guint i = 0; i < dims; i++)
      shape[i + 1] += (guint64) (before[i] + after[i]);
    layer = add_layer (ctx, item, ENVELOPE_LAYER_UNKNOWN, NULL, (const char *const *) inputs, 1);
    layer->operator_name = g_strdup (item->class_name);
    SET (layer, OPERATOR);
    set_unknown_shape (layer, shape, in->rank, in->layout);
    envelope_import_note (ctx->notes, _("Layer \"%s\" (ZeroPadding): the padding is uneven (more on one side), which a pad of Envelope's cannot say; it passes on the padded shape and counts nothing."),
                          item->keras_name);
  }
  return TRUE;
}

static gboolean
convert_dense (Ctx     *ctx,
               Item    *item,
               char   **inputs,
               GError **error)
{
  JsonObject *c = item->config;
  const EnvelopeLayerFigures *in;
  gint64 units = get_int (c, "units", 0);
  guint64 positions = 1;
  EnvelopeLayer *layer;
  EnvelopeTensorLayout layout;
  guint rank;

  if (units <= 0)
    return bad_field (item, "units", _("must be a positive integer"), error);
  if (!cheap_layout (ctx, inputs[0], &layout, &rank) || layout == ENVELOPE_TENSOR_MAP)
    {
      in = figures_of (ctx, inputs[0], error);
      if (in == NULL)
        return FALSE;
      layout = in->layout;
      for (guint a = 1; layout == ENVELOPE_TENSOR_MAP && a < in->rank; a++)
        positions *= in->shape[a];
    }
  if (layout == ENVELOPE_TENSOR_MAP && positions > 1)
    {
      /* Keras's Dense acts on the last axis: on a map, the channels of
       * each position, a 1×1 convolution. */
      layer = add_layer (ctx, item, ENVELOPE_LAYER_CONV, NULL, (const char *const *) inputs, 1);
      layer->filters = units;
      for (guint i = 0; i < ENVELOPE_MAX_SPATIAL; i++)
        layer->kernel[i] = 1;
      SET (layer, FILTERS);
      SET (layer, KERNEL);
      envelope_import_note (ctx->notes, _("Layer \"%s\" (Dense) acts on the channels of each position of a map: a 1×1 convolution."),
                            item->keras_name);
    }
  else
    {
      layer = add_layer (ctx, item, ENVELOPE_LAYER_DENSE, NULL, (const char *const *) inputs, 1);
      layer->units = units;
      SET (layer, UNITS);
    }
  layer->bias = get_bool (c, "use_bias", TRUE);
  SET (layer, BIAS);
  add_activation (ctx, item, c);
  return TRUE;
}

static gboolean
convert_recurrent (Ctx        *ctx,
                   Item       *item,
                   char      **inputs,
                   JsonObject *c,
                   const char *class_name,
                   gboolean    bidirectional,
                   GError    **error)
{
  gint64 units = get_int (c, "units", 0);
  gboolean gru = g_str_equal (class_name, "GRU");
  const EnvelopeLayerFigures *in;
  EnvelopeLayer *layer;
  EnvelopeTensorLayout layout;
  guint rank;

  if (units <= 0)
    return bad_field (item, "units", _("must be a positive integer"), error);
  if (!ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_TOKENS, error))
    return FALSE;
  if (!cheap_layout (ctx, inputs[0], &layout, &rank))
    {
      in = figures_of (ctx, inputs[0], error);
      if (in == NULL)
        return FALSE;
      layout = in->layout;
    }
  if (g_str_equal (class_name, "SimpleRNN") || layout != ENVELOPE_TENSOR_TOKENS)
    {
      in = figures_of (ctx, inputs[0], error);
      if (in == NULL)
        return FALSE;
      guint64 shape[2] = { in->shape[0], (guint64) units * (bidirectional ? 2 : 1) };
      gboolean sequences = get_bool (c, "return_sequences", FALSE);

      layer = add_unknown (ctx, item, (const char *const *) inputs, 1,
                           in->layout != ENVELOPE_TENSOR_TOKENS ? _("it reads no sequence of tokens")
                                                                : _("Envelope has no kind for a simple RNN"));
      if (in->layout == ENVELOPE_TENSOR_TOKENS)
        set_unknown_shape (layer, sequences ? shape : shape + 1, sequences ? 2 : 1, ENVELOPE_TENSOR_TOKENS);
      return TRUE;
    }
  layer = add_layer (ctx, item, gru ? ENVELOPE_LAYER_GRU : ENVELOPE_LAYER_LSTM, NULL,
                     (const char *const *) inputs, 1);
  layer->hidden = units;
  SET (layer, HIDDEN);
  layer->sequences = get_bool (c, "return_sequences", FALSE);
  SET (layer, SEQUENCES);
  layer->bias = get_bool (c, "use_bias", TRUE);
  SET (layer, BIAS);
  /* Keras's LSTM has one bias vector; its GRU two with reset_after
   * (the default since TensorFlow 2), as PyTorch's. */
  layer->bias_convention = gru && get_bool (c, "reset_after", TRUE) ? ENVELOPE_BIAS_CONVENTION_PYTORCH
                                                                    : ENVELOPE_BIAS_CONVENTION_SINGLE;
  SET (layer, BIAS_CONVENTION);
  if (bidirectional)
    {
      layer->bidirectional = TRUE;
      SET (layer, BIDIRECTIONAL);
    }
  return TRUE;
}

static gboolean
convert_attention (Ctx     *ctx,
                   Item    *item,
                   char   **inputs,
                   guint    n_inputs,
                   GError **error)
{
  JsonObject *c = item->config;
  gint64 heads = get_int (c, "num_heads", 0), key_dim = get_int (c, "key_dim", 0);
  gint64 value_dim = get_int (c, "value_dim", key_dim);
  EnvelopeLayer *layer;
  guint n = 1;

  if (heads <= 0)
    return bad_field (item, "num_heads", _("must be a positive integer"), error);
  if (key_dim <= 0)
    return bad_field (item, "key_dim", _("must be a positive integer"), error);
  for (guint i = 0; i < MIN (n_inputs, 2); i++)
    if (!ensure_layout (ctx, item, &inputs[i], ENVELOPE_TENSOR_TOKENS, error))
      return FALSE;
  if (n_inputs >= 2 && !g_str_equal (inputs[0], inputs[1]))
    n = 2;
  if (n_inputs >= 3 && !g_str_equal (inputs[2], inputs[1]))
    envelope_import_note (ctx->notes, _("Layer \"%s\" (MultiHeadAttention): its keys are read from a tensor of their own; they are counted as if read from the values."),
                          item->keras_name);
  if (value_dim != key_dim)
    envelope_import_note (ctx->notes, _("Layer \"%s\" (MultiHeadAttention): value_dim %" PRId64 " is counted as key_dim %" PRId64 "."),
                          item->keras_name, (gint64) value_dim, (gint64) key_dim);
  layer = add_layer (ctx, item, ENVELOPE_LAYER_ATTENTION, NULL, (const char *const *) inputs, n);
  layer->heads = heads;
  layer->head_dim = key_dim;
  layer->bias = get_bool (c, "use_bias", TRUE);
  SET (layer, HEADS);
  SET (layer, HEAD_DIM);
  SET (layer, BIAS);
  return TRUE;
}

/* Reshape's target_shape, channels-last, as Envelope's shape. */
static gboolean
convert_reshape (Ctx     *ctx,
                 Item    *item,
                 char   **inputs,
                 GError **error)
{
  gint64 target[ENVELOPE_MAX_RANK];
  gint n = get_ints (item->config, "target_shape", target, ENVELOPE_MAX_RANK);
  EnvelopeLayer *layer;

  if (n <= 0)
    return bad_field (item, "target_shape", _("must be a list of one to four sizes"), error);
  layer = add_layer (ctx, item, ENVELOPE_LAYER_RESHAPE, NULL, (const char *const *) inputs, 1);
  if (n >= 3 && !ctx->channels_first)
    {
      layer->shape[0] = target[n - 1];
      for (gint i = 0; i + 1 < n; i++)
        layer->shape[i + 1] = target[i];
      ctx->reordered = TRUE;
    }
  else
    memcpy (layer->shape, target, sizeof target);
  layer->shape_rank = (guint) n;
  SET (layer, SHAPE);
  return TRUE;
}

static gboolean
convert_permute (Ctx     *ctx,
                 Item    *item,
                 char   **inputs,
                 GError **error)
{
  gint64 dims[ENVELOPE_MAX_RANK];
  gint n = get_ints (item->config, "dims", dims, ENVELOPE_MAX_RANK);
  const EnvelopeLayerFigures *in = figures_of (ctx, inputs[0], error);
  EnvelopeLayer *layer;
  guint seen = 0;

  if (in == NULL)
    return FALSE;
  if (n <= 0 || (guint) n != in->rank)
    return bad_field (item, "dims", _("must name every axis of the input once"), error);
  for (gint i = 0; i < n; i++)
    {
      if (dims[i] < 1 || dims[i] > n || (seen & (1u << dims[i])))
        return bad_field (item, "dims", _("must name every axis of the input once"), error);
      seen |= 1u << dims[i];
    }
  if (in->layout != ENVELOPE_TENSOR_MAP || ctx->channels_first)
    {
      if (in->rank == 2)
        {
          /* (T, D) → (D, T) stays a sequence in Keras's eyes: D tokens. */
          layer = add_layer (ctx, item, ENVELOPE_LAYER_RESHAPE, NULL, (const char *const *) inputs, 1);
          layer->shape[0] = (gint64) in->shape[dims[0] - 1];
          layer->shape[1] = (gint64) in->shape[dims[1] - 1];
          layer->shape_rank = 2;
          SET (layer, SHAPE);
          return TRUE;
        }
      layer = add_layer (ctx, item, ENVELOPE_LAYER_PERMUTE, NULL, (const char *const *) inputs, 1);
      for (gint i = 0; i < n; i++)
        layer->order[i] = dims[i] - 1;
    }
  else
    {
      /* Keras axis m (0-based after the batch) is Envelope's axis e(m). */
#define E(m) ((m) == n - 1 ? 0 : (m) + 1)
      layer = add_layer (ctx, item, ENVELOPE_LAYER_PERMUTE, NULL, (const char *const *) inputs, 1);
      layer->order[0] = E (dims[n - 1] - 1);
      for (gint i = 1; i < n; i++)
        layer->order[i] = E (dims[i - 1] - 1);
#undef E
    }
  ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER) = (guint8) n;
  SET (layer, ORDER);
  return TRUE;
}

static gboolean
convert_activation_layer (Ctx     *ctx,
                          Item    *item,
                          char   **inputs,
                          GError **error)
{
  JsonObject *c = item->config;
  const char *class_name = item->class_name;
  EnvelopeLayerType type = ENVELOPE_LAYER_UNKNOWN;
  EnvelopeLayer *layer;

  if (g_str_equal (class_name, "Activation"))
    {
      const char *name = get_string (c, "activation");
      if (name == NULL || !activation_type (name, &type))
        {
          add_unknown (ctx, item, (const char *const *) inputs, 1,
                       _("its activation has no Envelope kind"));
          return TRUE;
        }
    }
  else if (g_str_equal (class_name, "ReLU"))
    {
      double max = get_double (c, "max_value", -1);
      double slope = get_double (c, "negative_slope", 0);
      type = slope > 0 ? ENVELOPE_LAYER_LEAKY_RELU : max == 6 ? ENVELOPE_LAYER_RELU6 : ENVELOPE_LAYER_RELU;
      if (max >= 0 && max != 6)
        {
          layer = add_layer (ctx, item, ENVELOPE_LAYER_CLIP, NULL, (const char *const *) inputs, 1);
          layer->min = 0;
          layer->max = max;
          SET (layer, MIN);
          SET (layer, MAX);
          return TRUE;
        }
    }
  else if (g_str_equal (class_name, "LeakyReLU"))
    type = ENVELOPE_LAYER_LEAKY_RELU;
  else if (g_str_equal (class_name, "ELU"))
    type = ENVELOPE_LAYER_ELU;
  else if (g_str_equal (class_name, "Softmax"))
    type = ENVELOPE_LAYER_SOFTMAX;
  else if (g_str_equal (class_name, "PReLU"))
    {
      JsonArray *shared = get_array (c, "shared_axes");
      const EnvelopeLayerFigures *in = figures_of (ctx, inputs[0], error);

      if (in == NULL)
        return FALSE;
      layer = add_layer (ctx, item, ENVELOPE_LAYER_PRELU, NULL, (const char *const *) inputs, 1);
      layer->shared = FALSE;
      SET (layer, SHARED);
      if (in->rank > 1 && (shared == NULL || json_array_get_length (shared) + 1 < in->rank))
        envelope_import_note (ctx->notes, _("Layer \"%s\" (PReLU): Keras learns a slope per value unless shared_axes say otherwise; it is counted with one per channel."),
                              item->keras_name);
      return TRUE;
    }
  add_layer (ctx, item, type, NULL, (const char *const *) inputs, 1);
  return TRUE;
}

static gboolean
convert_concat (Ctx     *ctx,
                Item    *item,
                char   **inputs,
                guint    n_inputs,
                GError **error)
{
  const EnvelopeLayerFigures *in = figures_of (ctx, inputs[0], error);
  gint64 axis = get_int (item->config, "axis", -1);
  EnvelopeLayer *layer;

  if (in == NULL)
    return FALSE;
  if (axis == 0 || axis > (gint64) in->rank || axis < -(gint64) in->rank)
    return bad_field (item, "axis", _("must name an axis of the inputs, not the batch"), error);
  layer = add_layer (ctx, item, ENVELOPE_LAYER_CONCAT, NULL, (const char *const *) inputs, n_inputs);
  layer->axis = envelope_axis (ctx, axis, in);
  SET (layer, AXIS);
  return TRUE;
}

static gboolean
is_one_d_spatial (const char *class_name)
{
  static const char *const names[] = {
    "Conv1D", "SeparableConv1D", "DepthwiseConv1D", "Conv1DTranspose", "MaxPooling1D", "AveragePooling1D",
    "MaxPool1D", "AvgPool1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAvgPool1D",
    "GlobalMaxPool1D", "UpSampling1D", "ZeroPadding1D", "Cropping1D", "SpatialDropout1D", NULL
  };
  return g_strv_contains (names, class_name);
}

static gboolean convert_item (Ctx *ctx, Item *item, char **inputs, guint n_inputs,
                              const char *class_name, JsonObject *c, GError **error);

static gboolean
convert_wrapper (Ctx     *ctx,
                 Item    *item,
                 char   **inputs,
                 guint    n_inputs,
                 GError **error)
{
  JsonObject *inner = get_object (item->config, "layer");
  const char *inner_class = get_string (inner, "class_name");
  JsonObject *inner_config = get_object (inner, "config");

  if (inner_class == NULL || inner_config == NULL)
    return bad_field (item, "layer", _("holds no layer with a class_name and a config"), error);
  if (g_str_equal (item->class_name, "Bidirectional"))
    {
      const char *merge = get_string (item->config, "merge_mode");
      if (!g_str_equal (inner_class, "LSTM") && !g_str_equal (inner_class, "GRU"))
        {
          add_unknown (ctx, item, (const char *const *) inputs, 1, _("it wraps a layer Envelope has no bidirectional kind for"));
          return TRUE;
        }
      if (merge != NULL && !g_str_equal (merge, "concat"))
        envelope_import_note (ctx->notes, _("Layer \"%s\" (Bidirectional): the directions are merged by \"%s\"; Envelope concatenates them."),
                              item->keras_name, merge);
      return convert_recurrent (ctx, item, inputs, inner_config, inner_class, TRUE, error);
    }
  /* TimeDistributed: layers that act on the last axis act per step as
   * they are; anything else has no Envelope form. */
  if (g_str_equal (inner_class, "Dense") || g_str_equal (inner_class, "Dropout") ||
      g_str_equal (inner_class, "Activation"))
    {
      const EnvelopeLayerFigures *in = figures_of (ctx, inputs[0], error);
      if (in == NULL)
        return FALSE;
      if (in->layout == ENVELOPE_TENSOR_TOKENS)
        return convert_item (ctx, item, inputs, n_inputs, inner_class, inner_config, error);
    }
  add_unknown (ctx, item, (const char *const *) inputs, 1, _("Envelope cannot apply its layer to each step"));
  return TRUE;
}

static gboolean
convert_item (Ctx        *ctx,
              Item       *item,
              char      **inputs,
              guint       n_inputs,
              const char *class_name,
              JsonObject *c,
              GError    **error)
{
  const char *const *in = (const char *const *) inputs;
  guint dims = spatial_dims (class_name);
  EnvelopeLayer *layer;
  JsonObject *saved = item->config;
  gboolean ok = TRUE;

  item->config = c;
  if (g_str_equal (class_name, "Conv1D") || g_str_equal (class_name, "Conv2D") || g_str_equal (class_name, "Conv3D") ||
      g_str_equal (class_name, "Convolution2D"))
    ok = convert_conv (ctx, item, inputs, MAX (dims, 1), FALSE, error);
  else if (g_str_has_prefix (class_name, "Conv") && g_str_has_suffix (class_name, "DTranspose"))
    ok = convert_conv (ctx, item, inputs, MAX (dims, 1), TRUE, error);
  else if (g_str_has_prefix (class_name, "DepthwiseConv") && dims > 0)
    ok = convert_depthwise (ctx, item, inputs, dims, FALSE, error);
  else if (g_str_has_prefix (class_name, "SeparableConv") && dims > 0)
    ok = convert_depthwise (ctx, item, inputs, dims, TRUE, error);
  else if ((g_str_has_prefix (class_name, "MaxPooling") || g_str_has_prefix (class_name, "MaxPool")) && dims > 0)
    ok = convert_pool (ctx, item, inputs, dims, ENVELOPE_LAYER_MAX_POOL, error);
  else if ((g_str_has_prefix (class_name, "AveragePooling") || g_str_has_prefix (class_name, "AvgPool")) && dims > 0)
    ok = convert_pool (ctx, item, inputs, dims, ENVELOPE_LAYER_AVG_POOL, error);
  else if (g_str_has_prefix (class_name, "Global") && dims > 0)
    {
      gboolean max = strstr (class_name, "Max") != NULL;
      if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
        return FALSE;
      add_layer (ctx, item, max ? ENVELOPE_LAYER_GLOBAL_MAX_POOL : ENVELOPE_LAYER_GLOBAL_AVG_POOL, NULL, in, 1);
      if (get_bool (c, "keepdims", FALSE))
        envelope_import_note (ctx->notes, _("Layer \"%s\" (%s) keeps its pooled axes; Envelope passes on the channels alone (the same values)."),
                              item->keras_name, class_name);
    }
  else if (g_str_equal (class_name, "Dense"))
    ok = convert_dense (ctx, item, inputs, error);
  else if (g_str_equal (class_name, "Flatten"))
    add_layer (ctx, item, ENVELOPE_LAYER_FLATTEN, NULL, in, 1);
  else if (g_str_equal (class_name, "Reshape"))
    ok = convert_reshape (ctx, item, inputs, error);
  else if (g_str_equal (class_name, "Permute"))
    ok = convert_permute (ctx, item, inputs, error);
  else if (g_str_equal (class_name, "Dropout") || g_str_has_prefix (class_name, "SpatialDropout") ||
           g_str_equal (class_name, "GaussianDropout") || g_str_equal (class_name, "AlphaDropout"))
    {
      double rate = get_double (c, "rate", 0.5);
      layer = add_layer (ctx, item, ENVELOPE_LAYER_DROPOUT, NULL, in, 1);
      if (rate >= 0 && rate < 1)
        {
          layer->rate = rate;
          SET (layer, RATE);
        }
    }
  else if (g_str_equal (class_name, "GaussianNoise") || g_str_equal (class_name, "ActivityRegularization") ||
           g_str_equal (class_name, "Masking"))
    add_layer (ctx, item, ENVELOPE_LAYER_IDENTITY, NULL, in, 1);
  else if (g_str_equal (class_name, "BatchNormalization"))
    {
      add_layer (ctx, item, ENVELOPE_LAYER_BATCH_NORM, NULL, in, 1);
      if (!get_bool (c, "center", TRUE) || !get_bool (c, "scale", TRUE))
        envelope_import_note (ctx->notes, _("Layer \"%s\" (BatchNormalization) leaves out γ or β; Envelope counts both."),
                              item->keras_name);
    }
  else if (g_str_equal (class_name, "LayerNormalization"))
    {
      gboolean scale = get_bool (c, "scale", TRUE), center = get_bool (c, "center", TRUE);
      layer = add_layer (ctx, item, ENVELOPE_LAYER_LAYER_NORM, NULL, in, 1);
      layer->affine = scale || center;
      layer->bias = center;
      SET (layer, AFFINE);
      SET (layer, BIAS);
      if (scale != center)
        envelope_import_note (ctx->notes, _("Layer \"%s\" (LayerNormalization) has only one of γ and β; Envelope counts both."),
                              item->keras_name);
    }
  else if (g_str_equal (class_name, "Activation") || g_str_equal (class_name, "ReLU") ||
           g_str_equal (class_name, "LeakyReLU") || g_str_equal (class_name, "PReLU") ||
           g_str_equal (class_name, "ELU") || g_str_equal (class_name, "Softmax"))
    ok = convert_activation_layer (ctx, item, inputs, error);
  else if (g_str_equal (class_name, "Add") || g_str_equal (class_name, "Multiply") ||
           g_str_equal (class_name, "Subtract") || g_str_equal (class_name, "Maximum") ||
           g_str_equal (class_name, "Minimum") || g_str_equal (class_name, "Average"))
    {
      EnvelopeLayerType type = ENVELOPE_LAYER_ADD;
      if (g_str_equal (class_name, "Multiply"))
        type = ENVELOPE_LAYER_MUL;
      else if (g_str_equal (class_name, "Subtract"))
        type = ENVELOPE_LAYER_SUB;
      else if (g_str_equal (class_name, "Maximum"))
        type = ENVELOPE_LAYER_MAX;
      else if (g_str_equal (class_name, "Minimum"))
        type = ENVELOPE_LAYER_MIN;
      add_layer (ctx, item, type, NULL, in, n_inputs);
      if (type == ENVELOPE_LAYER_ADD && g_str_equal (class_name, "Average"))
        {
          layer = chain_layer (ctx, item, ENVELOPE_LAYER_SCALE, "mean");
          layer->factor = 1.0 / n_inputs;
          SET (layer, FACTOR);
        }
    }
  else if (g_str_equal (class_name, "Concatenate"))
    ok = convert_concat (ctx, item, inputs, n_inputs, error);
  else if (g_str_has_prefix (class_name, "ZeroPadding") && dims > 0)
    ok = convert_pad_crop (ctx, item, inputs, dims, FALSE, error);
  else if (g_str_has_prefix (class_name, "Cropping") && dims > 0)
    ok = convert_pad_crop (ctx, item, inputs, dims, TRUE, error);
  else if (g_str_has_prefix (class_name, "UpSampling") && dims > 0)
    {
      gint64 size[ENVELOPE_MAX_SPATIAL] = { 2, 2, 2 };
      gint n = get_ints (c, "size", size, dims);

      if (n == -1)
        return bad_field (item, "size", _("must be an integer or one per axis"), error);
      if (dims == 1 && !ensure_layout (ctx, item, &inputs[0], ENVELOPE_TENSOR_MAP, error))
        return FALSE;
      layer = add_layer (ctx, item, ENVELOPE_LAYER_UPSAMPLE, NULL, (const char *const *) inputs, 1);
      for (guint i = 0; i < dims; i++)
        {
          if (size[i] < 1)
            return bad_field (item, "size", _("must hold positive integers"), error);
          layer->scale[i] = (double) size[i];
        }
      ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_SCALE) = (guint8) dims;
      SET (layer, SCALE);
      if (g_strcmp0 (get_string (c, "interpolation"), "bilinear") == 0)
        {
          layer->mode = ENVELOPE_UPSAMPLE_LINEAR;
          SET (layer, MODE);
        }
    }
  else if (g_str_equal (class_name, "Embedding"))
    {
      gint64 vocabulary = get_int (c, "input_dim", 0), dimension = get_int (c, "output_dim", 0);
      if (vocabulary <= 0)
        return bad_field (item, "input_dim", _("must be a positive integer"), error);
      if (dimension <= 0)
        return bad_field (item, "output_dim", _("must be a positive integer"), error);
      layer = add_layer (ctx, item, ENVELOPE_LAYER_EMBEDDING, NULL, in, 1);
      layer->vocabulary = vocabulary;
      layer->dimension = dimension;
      SET (layer, VOCABULARY);
      SET (layer, DIMENSION);
    }
  else if (g_str_equal (class_name, "MultiHeadAttention"))
    ok = convert_attention (ctx, item, inputs, n_inputs, error);
  else if (g_str_equal (class_name, "LSTM") || g_str_equal (class_name, "GRU") ||
           g_str_equal (class_name, "SimpleRNN"))
    ok = convert_recurrent (ctx, item, inputs, c, class_name, FALSE, error);
  else if (g_str_equal (class_name, "Bidirectional") || g_str_equal (class_name, "TimeDistributed"))
    ok = convert_wrapper (ctx, item, inputs, n_inputs, error);
  else if (g_str_equal (class_name, "Rescaling"))
    {
      double scale = get_double (c, "scale", 1);
      layer = add_layer (ctx, item, ENVELOPE_LAYER_SCALE, NULL, in, 1);
      layer->factor = scale;
      SET (layer, FACTOR);
      envelope_import_note (ctx->notes, _("Layer \"%s\" (Rescaling) is preprocessing: counted as a scale by %g."),
                            item->keras_name, scale);
    }
  else if (g_str_equal (class_name, "Normalization"))
    {
      add_layer (ctx, item, ENVELOPE_LAYER_IDENTITY, NULL, in, 1);
      envelope_import_note (ctx->notes, _("Layer \"%s\" (Normalization) is preprocessing: counted as an identity, without its stored mean and variance."),
                            item->keras_name);
    }
  else if (g_str_equal (class_name, "InputLayer"))
    add_layer (ctx, item, ENVELOPE_LAYER_IDENTITY, NULL, in, 1);
  else
    add_unknown (ctx, item, in, n_inputs, NULL);
  item->config = saved;
  return ok;
}

/* ---- the whole model --------------------------------------------------- */

/* Layers ready to be built, the first in the file first: Keras lists
 * them in an order that works, and its order is the user's. */
static void
heap_push (GPtrArray *heap,
           Item      *item)
{
  guint i = heap->len;

  g_ptr_array_add (heap, item);
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      Item *p = g_ptr_array_index (heap, parent);

      if (p->index <= item->index)
        break;
      heap->pdata[i] = p;
      heap->pdata[parent] = item;
      i = parent;
    }
}

static Item *
heap_pop (GPtrArray *heap)
{
  Item *top = g_ptr_array_index (heap, 0);
  Item *last = g_ptr_array_steal_index (heap, heap->len - 1);
  guint i = 0;

  if (heap->len == 0)
    return top;
  heap->pdata[0] = last;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;

      if (l < heap->len && ((Item *) heap->pdata[l])->index < ((Item *) heap->pdata[m])->index)
        m = l;
      if (r < heap->len && ((Item *) heap->pdata[r])->index < ((Item *) heap->pdata[m])->index)
        m = r;
      if (m == i)
        break;
      heap->pdata[i] = heap->pdata[m];
      heap->pdata[m] = last;
      i = m;
    }
  return top;
}

static gboolean
order_items (Ctx        *ctx,
             GPtrArray  *order,
             GError    **error)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();

  for (guint i = 0; i < ctx->items->len; i++)
    {
      Item *item = g_ptr_array_index (ctx->items, i);

      for (guint r = 0; r < item->refs->len; r++)
        {
          Item *dep = resolve (ctx, item, &g_array_index (item->refs, Ref, r), error);
          if (dep == NULL)
            return FALSE;
          g_ptr_array_add (item->deps, dep);
          g_ptr_array_add (dep->dependents, item);
          if (dep == item)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("layer \"%s\" (%s): \"inbound_nodes\": it reads its own output"),
                           item->keras_name, item->class_name);
              return FALSE;
            }
          if (g_str_equal (dep->class_name, "InputLayer") && is_one_d_spatial (item->class_name))
            dep->map_input = TRUE;
          if (g_str_equal (item->class_name, "InputLayer"))
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("layer \"%s\" (InputLayer): \"inbound_nodes\": an input reads no layer"),
                           item->keras_name);
              return FALSE;
            }
        }
      item->pending = item->deps->len;
      if (item->pending == 0)
        {
          if (!g_str_equal (item->class_name, "InputLayer"))
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("layer \"%s\" (%s): \"inbound_nodes\": it reads no layer"),
                           item->keras_name, item->class_name);
              return FALSE;
            }
          heap_push (ready, item);
        }
    }
  while (ready->len > 0)
    {
      Item *item = heap_pop (ready);

      g_ptr_array_add (order, item);
      for (guint i = 0; i < item->dependents->len; i++)
        {
          Item *next = g_ptr_array_index (item->dependents, i);
          if (--next->pending == 0)
            heap_push (ready, next);
        }
    }
  if (order->len < ctx->items->len)
    {
      for (guint i = 0; i < ctx->items->len; i++)
        {
          Item *item = g_ptr_array_index (ctx->items, i);

          if (item->pending == 0)
            continue;
          for (guint d = 0; d < item->deps->len; d++)
            {
              Item *dep = g_ptr_array_index (item->deps, d);
              if (dep->pending > 0)
                {
                  g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                               _("layer \"%s\" (%s): \"inbound_nodes\": it reads \"%s\", which depends on it in turn (a cycle)"),
                               item->keras_name, item->class_name, dep->keras_name);
                  return FALSE;
                }
            }
        }
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("the layers' inbound_nodes form a cycle"));
      return FALSE;
    }
  return TRUE;
}

/* The second and later calls of a layer use the first call's
 * parameters, as Keras counts them: once. */
static void
share_weights (Ctx  *ctx,
               Item *item)
{
  g_autofree char *first_key = g_strdup_printf ("%s#0", item->keras_name);
  Item *first = g_hash_table_lookup (ctx->by_key, first_key);
  EnvelopeLayer *mine, *theirs;

  if (first == NULL || first == item || first->weights == NULL || item->weights == NULL)
    return;
  mine = get_layer (ctx, item->weights);
  theirs = get_layer (ctx, first->weights);
  if (mine->type != theirs->type)
    return;
  mine->shares = g_strdup (theirs->name);
  SET (mine, SHARES);
  /* Envelope's sharing layer keeps biases of its own; Keras's call has
   * the first call's. */
  if (envelope_layer_kind_get (mine->type)->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS))
    {
      mine->bias = FALSE;
      SET (mine, BIAS);
    }
  envelope_import_note (ctx->notes, _("Layer \"%s\" (%s) is called more than once; its calls share the first one's parameters."),
                        item->keras_name, item->class_name);
}

static gboolean
any_channels_first (JsonNode *root)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      JsonNode *node = g_ptr_array_steal_index (stack, stack->len - 1);

      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (stack, json_array_get_element (array, i));
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) members = json_object_get_members (object);

          if (g_strcmp0 (get_string (object, "data_format"), "channels_first") == 0)
            return TRUE;
          for (GList *l = members; l != NULL; l = l->next)
            g_ptr_array_add (stack, json_object_get_member (object, l->data));
        }
    }
  return FALSE;
}

EnvelopeNetwork *
envelope_import_keras_json (const guint8 *data,
                            gsize         length,
                            const char   *path,
                            GPtrArray    *notes,
                            GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Ctx ctx = { 0 };
  JsonNode *root;
  JsonObject *object;
  const char *class_name, *name;
  EnvelopeNetwork *result = NULL;

  if (length > G_MAXSSIZE || !check_nesting (data, length, error))
    return NULL;
  if (length == 0)
    {
      /* json-glib takes no empty text (an archive's empty config.json) */
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("not valid JSON: it is empty"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) length, &local))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("not valid JSON: %s"), local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  class_name = get_string (object, "class_name");
  if (class_name == NULL || get_object (object, "config") == NULL)
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT,
                           _("not a Keras model: no \"class_name\" and \"config\""));
      return NULL;
    }
  if (get_array (get_object (object, "config"), "layers") == NULL)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("model (%s): \"layers\" is missing from its config"), class_name);
      return NULL;
    }
  if (!is_model_class (class_name, get_object (object, "config")))
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                   _("model (%s): \"class_name\": only Sequential and Functional models are read"), class_name);
      return NULL;
    }

  name = get_string (get_object (object, "config"), "name");
  ctx.network = envelope_network_new (name != NULL && name[0] != '\0' ? name : "keras");
  ctx.notes = notes;
  ctx.items = g_ptr_array_new_with_free_func (item_free);
  ctx.by_key = g_hash_table_new (g_str_hash, g_str_equal);
  ctx.aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  ctx.classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx.indices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx.layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx.channels_first = any_channels_first (root);

  if (!flatten (&ctx, object, error) || !order_items (&ctx, order, error))
    goto out;
  for (guint i = 0; i < order->len; i++)
    {
      Item *item = g_ptr_array_index (order, i);
      g_auto(GStrv) inputs = NULL;

      if (g_str_equal (item->class_name, "InputLayer") && item->deps->len == 0)
        {
          if (!convert_input (&ctx, item, error))
            goto out;
          continue;
        }
      inputs = g_new0 (char *, item->deps->len + 1);
      for (guint d = 0; d < item->deps->len; d++)
        inputs[d] = g_strdup (((Item *) g_ptr_array_index (item->deps, d))->out);
      if (!convert_item (&ctx, item, inputs, item->deps->len, item->class_name, item->config, error))
        goto out;
      share_weights (&ctx, item);
    }
  if (!analyse (&ctx, error))
    goto out;
  if (ctx.reordered)
    envelope_import_note (notes, _("Keras's channels-last shapes were reordered to Envelope's channels-first ones ((H, W, C) became [C, H, W])."));
  if (ctx.open_sizes)
    envelope_import_note (notes, _("Sizes Keras leaves open (None) were taken as %u for images and %u for sequences."),
                          DEFAULT_SPATIAL, DEFAULT_TOKENS);
  result = g_steal_pointer (&ctx.network);
out:
  ctx_clear (&ctx);
  return result;
}

/* libarchive, loaded when the first .keras archive is opened: linked
 * into every program that reads a network, it and the libraries it pulls
 * in (ICU, libxml2, libstdc++, five compressors) cost a third of the
 * start of a report, which never needs them. */
static struct
{
  struct archive *(*read_new) (void);
  int (*read_support_format_zip) (struct archive *);
  int (*read_open_memory) (struct archive *, const void *, size_t);
  int (*read_next_header) (struct archive *, struct archive_entry **);
  la_ssize_t (*read_data) (struct archive *, void *, size_t);
  int (*read_free) (struct archive *);
  const char *(*error_string) (struct archive *);
  const char *(*entry_pathname) (struct archive_entry *);
  int (*entry_size_is_set) (struct archive_entry *);
  la_int64_t (*entry_size) (struct archive_entry *);
} libarchive;

static gboolean
load_libarchive (GError **error)
{
  static gsize state = 0;
  static char *failure;

  if (g_once_init_enter (&state))
    {
      GModule *module = g_module_open (ARCHIVE_LIBRARY, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
      static const struct { const char *name; gsize offset; } symbols[] = {
#define SYMBOL(field, name) { name, G_STRUCT_OFFSET (typeof (libarchive), field) }
        SYMBOL (read_new, "archive_read_new"),
        SYMBOL (read_support_format_zip, "archive_read_support_format_zip"),
        SYMBOL (read_open_memory, "archive_read_open_memory"),
        SYMBOL (read_next_header, "archive_read_next_header"),
        SYMBOL (read_data, "archive_read_data"),
        SYMBOL (read_free, "archive_read_free"),
        SYMBOL (error_string, "archive_error_string"),
        SYMBOL (entry_pathname, "archive_entry_pathname"),
        SYMBOL (entry_size_is_set, "archive_entry_size_is_set"),
        SYMBOL (entry_size, "archive_entry_size"),
#undef SYMBOL
      };

      if (module == NULL)
        failure = g_strdup (g_module_error ());
      for (guint i = 0; failure == NULL && i < G_N_ELEMENTS (symbols); i++)
        if (!g_module_symbol (module, symbols[i].name, G_STRUCT_MEMBER_P (&libarchive, symbols[i].offset)))
          failure = g_strdup (g_module_error ());
      g_once_init_leave (&state, failure == NULL ? 1 : 2);
    }
  if (state == 2)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                 _("zip archives cannot be read: %s"), failure);
  return state == 1;
}

EnvelopeNetwork *
envelope_import_keras_archive (const guint8 *data,
                               gsize         length,
                               const char   *path,
                               GPtrArray    *notes,
                               GError      **error)
{
  struct archive *archive;
  struct archive_entry *entry;
  g_autoptr(GByteArray) config = NULL;
  EnvelopeNetwork *network = NULL;
  gboolean pickled = FALSE;  /* a PyTorch checkpoint is a zip too */
  int status;

  if (!load_libarchive (error))
    return NULL;
  archive = libarchive.read_new ();
  libarchive.read_support_format_zip (archive);
  if (libarchive.read_open_memory (archive, data, length) != ARCHIVE_OK)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("not a readable zip archive: %s"), libarchive.error_string (archive));
      goto out;
    }
  while ((status = libarchive.read_next_header (archive, &entry)) == ARCHIVE_OK)
    {
      const char *name = libarchive.entry_pathname (entry);
      guint8 buffer[65536];
      la_ssize_t n;

      if (g_strcmp0 (name, "config.json") != 0)
        {
          pickled |= name != NULL && (g_str_equal (name, "data.pkl") || g_str_has_suffix (name, "/data.pkl"));
          continue;
        }
      if (libarchive.entry_size_is_set (entry) && (guint64) libarchive.entry_size (entry) > MAX_CONFIG_BYTES)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                       _("config.json: the archive says it holds %" PRId64 " bytes; Envelope reads up to %u MiB"),
                       (gint64) libarchive.entry_size (entry), (guint) (MAX_CONFIG_BYTES >> 20));
          goto out;
        }
      config = g_byte_array_new ();
      while ((n = libarchive.read_data (archive, buffer, sizeof buffer)) > 0)
        {
          /* The stated size may lie: count what comes out. */
          if (config->len + (guint64) n > MAX_CONFIG_BYTES)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                           _("config.json: it unpacks to more than %u MiB; Envelope reads no more"),
                           (guint) (MAX_CONFIG_BYTES >> 20));
              goto out;
            }
          g_byte_array_append (config, buffer, (guint) n);
        }
      if (n < 0)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("config.json: cannot be unpacked: %s"), libarchive.error_string (archive));
          goto out;
        }
      break;
    }
  if (config == NULL)
    {
      if (status != ARCHIVE_EOF && status != ARCHIVE_OK)
        g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                     _("the zip archive is damaged: %s"), libarchive.error_string (archive));
      else
        g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                             pickled ? _("this is a PyTorch checkpoint (.pt or .pth), which holds weights and "
                                         "code rather than a network description: export the model to ONNX "
                                         "(torch.onnx.export) and open that")
                                     : _("the archive holds no config.json, so it is no .keras model"));
      goto out;
    }
  network = envelope_import_keras_json (config->data, config->len, path, notes, error);
  if (network == NULL)
    g_prefix_error (error, "config.json: ");
out:
  libarchive.read_free (archive);
  return network;
}
