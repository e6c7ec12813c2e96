/* test-network-io.c: saving and loading networks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-network-io"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "envelope-analysis.h"
#include "envelope-network.h"
#include "envelope-report.h"
#include "test-unprivileged.h"

static char *
models_dir (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "models", NULL);
}

static EnvelopeNetwork *
load_data (const char *data)
{
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_network_load_from_data (data, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (network);
  return network;
}

static EnvelopeAnalysis *
analyse (const EnvelopeNetwork *network)
{
  g_autoptr(GError) error = NULL;
  EnvelopeAnalysis *analysis = envelope_analysis_new (network, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  return analysis;
}

/* The saved file as JSON, to look at what it says rather than how. */
static JsonNode *
parse_json (const char *data)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* Removes @dir and the files in it. */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_dir (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (listing);
  while (g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

/* ------------------------------------------------------------------ */
/* The example networks                                                */

static void
test_round_trip_example (gconstpointer data)
{
  const char *file = data;
  g_autofree char *dir = models_dir ();
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) original = NULL;
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autoptr(EnvelopeAnalysis) before = NULL;
  g_autoptr(EnvelopeAnalysis) after = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gsize first_length = 0, second_length = 0;
  const EnvelopeTotals *t1, *t2;

  original = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (original);
  g_assert_cmpuint (envelope_network_get_n_layers (original), >, 0);

  first = envelope_network_to_data (original, &first_length);
  g_assert_nonnull (first);
  g_assert_cmpuint (first_length, ==, strlen (first));

  reloaded = load_data (first);
  g_assert_true (envelope_network_equal (original, reloaded));
  g_assert_true (envelope_network_equal (reloaded, original));

  second = envelope_network_to_data (reloaded, &second_length);
  g_assert_cmpuint (second_length, ==, first_length);
  g_assert_cmpstr (second, ==, first);

  before = analyse (original);
  after = analyse (reloaded);
  t1 = envelope_analysis_get_totals (before);
  t2 = envelope_analysis_get_totals (after);
  g_assert_cmpuint (t1->params, >, 0);
  g_assert_cmpuint (t1->macs, >, 0);
  g_assert_cmpuint (t1->params, ==, t2->params);
  g_assert_cmpuint (t1->trainable_params, ==, t2->trainable_params);
  g_assert_cmpuint (t1->non_trainable_params, ==, t2->non_trainable_params);
  g_assert_cmpuint (t1->macs, ==, t2->macs);
  g_assert_cmpuint (t1->other_ops, ==, t2->other_ops);
  g_assert_cmpuint (t1->activations_all, ==, t2->activations_all);
  g_assert_cmpuint (t1->activations_peak, ==, t2->activations_peak);
  g_assert_cmpuint (envelope_analysis_get_memory (before)->train_total, ==,
                    envelope_analysis_get_memory (after)->train_total);
}

/* ------------------------------------------------------------------ */
/* A network built in code                                             */

#define SET(layer, field) ((layer)->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##field))
#define IS_SET(layer, field) (((layer)->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##field)) != 0)

static const char view_json[] =
  "{\"zoom\": 1.5, \"centre\": [120, -40.25], \"selection\": [\"conv1\", \"add1\"],"
  " \"inspector\": {\"open\": true, \"tab\": \"formulas\", \"widths\": {\"left\": 240, \"right\": null}}}";

static EnvelopeNetwork *
build_network (void)
{
  EnvelopeNetwork *network = envelope_network_new ("Built in code");
  EnvelopeLayer *layer;

  g_free (network->description);
  network->description = g_strdup ("Every kind of setting, explicit or left at its default.");

  layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  layer->shape[0] = 3;
  layer->shape[1] = 32;
  layer->shape[2] = 48;
  g_assert_true (IS_SET (layer, SHAPE));
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_CONV, "conv1");
  layer->filters = 16;
  layer->kernel[0] = 3;
  layer->kernel[1] = 5;
  layer->padding_mode = ENVELOPE_PADDING_SAME;
  SET (layer, PADDING);
  layer->group = g_strdup ("stem");
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_MAX_POOL, "pool1");
  layer->kernel[0] = layer->kernel[1] = 3;
  layer->stride[0] = layer->stride[1] = 2;
  layer->rounding = ENVELOPE_ROUNDING_CEIL;
  SET (layer, STRIDE);
  SET (layer, ROUNDING);
  layer->group = g_strdup ("stem");
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_DROPOUT, "drop1");
  layer->rate = 0.2;
  SET (layer, RATE);
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_CONV, "shortcut");
  layer->inputs = g_strsplit ("pool1", ",", -1);
  layer->filters = 16;
  layer->kernel[0] = layer->kernel[1] = 1;
  layer->bias = FALSE;
  SET (layer, BIAS);
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_ADD, "add1");
  layer->inputs = g_strsplit ("drop1,shortcut", ",", -1);
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_RELU, "relu1");
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_GLOBAL_AVG_POOL, "gap");
  envelope_network_insert_layer (network, -1, layer);

  layer = envelope_layer_new (ENVELOPE_LAYER_DENSE, "fc");
  layer->units = 10;
  layer->group = g_strdup ("head");
  envelope_network_insert_layer (network, -1, layer);

  network->training.optimizer = ENVELOPE_OPTIMIZER_ADAM;
  network->training.dtype = ENVELOPE_DTYPE_FP16;
  network->training.mixed_precision = TRUE;
  network->training.device_memory = G_GUINT64_CONSTANT (8589934592);
  network->training.target_batch = 256;
  network->training.set = ENVELOPE_TRAINING_OPTIMIZER | ENVELOPE_TRAINING_DTYPE |
                          ENVELOPE_TRAINING_MIXED_PRECISION | ENVELOPE_TRAINING_DEVICE_MEMORY |
                          ENVELOPE_TRAINING_TARGET_BATCH;

  network->view = json_from_string (view_json, NULL);
  g_assert_nonnull (network->view);
  return network;
}

static JsonObject *
saved_layer (JsonObject *root,
             guint       index,
             const char *name)
{
  JsonArray *layers = json_object_get_array_member (root, "layers");
  JsonObject *layer;

  g_assert_nonnull (layers);
  g_assert_cmpuint (index, <, json_array_get_length (layers));
  layer = json_array_get_object_element (layers, index);
  g_assert_nonnull (layer);
  g_assert_cmpstr (json_object_get_string_member (layer, "name"), ==, name);
  return layer;
}

static void
assert_members (JsonObject *object,
                const char *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);
  g_auto(GStrv) keys = g_strsplit (expected, " ", -1);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length (keys));
  for (guint i = 0; keys[i] != NULL; i++)
    if (!json_object_has_member (object, keys[i]))
      g_test_fail_printf ("the saved object lacks \"%s\"", keys[i]);
}

static void
test_built_network (void)
{
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  const EnvelopeLayer *layer;
  JsonObject *root, *object, *training;
  JsonArray *array;

  /* it is a network the analysis accepts, so the file is a useful one */
  analysis = analyse (network);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 1)->shape[1], ==, 32);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 1)->shape[2], ==, 48);

  saved = envelope_network_to_data (network, NULL);
  g_test_message ("%s", saved);

  /* what the file says: the explicit settings and no more */
  root_node = parse_json (saved);
  root = json_node_get_object (root_node);
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, ENVELOPE_NETWORK_FORMAT);
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, ENVELOPE_NETWORK_VERSION);
  g_assert_cmpstr (json_object_get_string_member (root, "name"), ==, "Built in code");

  object = saved_layer (root, 0, "data");
  assert_members (object, "name type shape");

  object = saved_layer (root, 1, "conv1");
  assert_members (object, "name type filters kernel padding group");
  array = json_object_get_array_member (object, "kernel");
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 3);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (object, "padding"), ==, "same");
  g_assert_cmpstr (json_object_get_string_member (object, "group"), ==, "stem");

  object = saved_layer (root, 2, "pool1");
  assert_members (object, "name type kernel stride rounding group");
  g_assert_cmpint (json_object_get_int_member (object, "kernel"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "stride"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "rounding"), ==, "ceil");

  object = saved_layer (root, 3, "drop1");
  assert_members (object, "name type rate");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "rate"), 0.2, 1e-12);

  object = saved_layer (root, 4, "shortcut");
  assert_members (object, "name type inputs filters kernel bias");
  g_assert_false (json_object_get_boolean_member (object, "bias"));

  object = saved_layer (root, 5, "add1");
  assert_members (object, "name type inputs");
  array = json_object_get_array_member (object, "inputs");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "drop1");
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "shortcut");

  assert_members (saved_layer (root, 6, "relu1"), "name type");
  assert_members (saved_layer (root, 7, "gap"), "name type");
  assert_members (saved_layer (root, 8, "fc"), "name type units group");

  training = json_object_get_object_member (root, "training");
  g_assert_nonnull (training);
  assert_members (training, "dtype mixed_precision optimizer device_memory target_batch");
  g_assert_cmpstr (json_object_get_string_member (training, "dtype"), ==, "fp16");
  g_assert_cmpstr (json_object_get_string_member (training, "optimizer"), ==, "adam");
  g_assert_true (json_object_get_boolean_member (training, "mixed_precision"));
  g_assert_cmpint (json_object_get_int_member (training, "device_memory"), ==, G_GINT64_CONSTANT (8589934592));
  g_assert_cmpint (json_object_get_int_member (training, "target_batch"), ==, 256);

  g_assert_true (json_object_has_member (root, "view"));
  {
    g_autoptr(JsonNode) view = json_from_string (view_json, NULL);
    g_assert_true (json_node_equal (json_object_get_member (root, "view"), view));
  }

  /* and read back, the same network */
  reloaded = load_data (saved);
  g_assert_true (envelope_network_equal (network, reloaded));
  saved_again = envelope_network_to_data (reloaded, NULL);
  g_assert_cmpstr (saved_again, ==, saved);

  layer = envelope_network_get_layer (reloaded, 1);
  g_assert_cmpint (layer->kernel[0], ==, 3);
  g_assert_cmpint (layer->kernel[1], ==, 5);
  g_assert_cmpint (layer->padding_mode, ==, ENVELOPE_PADDING_SAME);
  g_assert_false (IS_SET (layer, STRIDE));
  g_assert_false (IS_SET (layer, BIAS));
  g_assert_true (layer->bias);
  layer = envelope_network_get_layer (reloaded, 2);
  g_assert_cmpint (layer->rounding, ==, ENVELOPE_ROUNDING_CEIL);
  layer = envelope_network_get_layer (reloaded, 3);
  g_assert_cmpfloat (layer->rate, ==, 0.2);
  layer = envelope_network_get_layer (reloaded, 5);
  g_assert_nonnull (layer->inputs);
  g_assert_cmpstr (layer->inputs[0], ==, "drop1");
  g_assert_cmpstr (layer->inputs[1], ==, "shortcut");
  g_assert_null (layer->inputs[2]);
  g_assert_null (envelope_network_get_layer (reloaded, 6)->inputs);
  g_assert_cmpint (reloaded->training.optimizer, ==, ENVELOPE_OPTIMIZER_ADAM);
  g_assert_cmpint (reloaded->training.dtype, ==, ENVELOPE_DTYPE_FP16);
  g_assert_true (reloaded->training.mixed_precision);
  g_assert_cmpuint (reloaded->training.device_memory, ==, G_GUINT64_CONSTANT (8589934592));
  g_assert_cmpuint (reloaded->training.target_batch, ==, 256);
  g_assert_cmpuint (reloaded->training.batch, ==, 1);
}

/* Equality has to see each kind of difference, or "equal after a round
 * trip" says nothing. */
static void
test_equal_sees_differences (void)
{
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) copy = envelope_network_copy (network);
  EnvelopeNetwork *other;

  g_assert_true (envelope_network_equal (network, copy));

  other = envelope_network_copy (network);
  envelope_network_get_layer (other, 1)->kernel[1] = 3;
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);

  other = envelope_network_copy (network);
  envelope_network_get_layer (other, 3)->rate = 0.25;
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);

  other = envelope_network_copy (network);
  g_free (envelope_network_get_layer (other, 5)->inputs[1]);
  envelope_network_get_layer (other, 5)->inputs[1] = g_strdup ("pool1");
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);

  other = envelope_network_copy (network);
  other->training.target_batch = 128;
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);

  /* a value deep inside the view; the node is replaced, not edited, as
   * a copy may share the view's objects with its original */
  other = envelope_network_copy (network);
  json_node_unref (other->view);
  other->view = json_from_string ("{\"zoom\": 1.5, \"centre\": [120, -40.25], \"selection\": [\"conv1\", \"add1\"],"
                                  " \"inspector\": {\"open\": true, \"tab\": \"formulas\","
                                  " \"widths\": {\"left\": 240, \"right\": 0}}}", NULL);
  g_assert_nonnull (other->view);
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);

  other = envelope_network_copy (network);
  g_clear_pointer (&other->view, json_node_unref);
  g_assert_false (envelope_network_equal (network, other));
  envelope_network_free (other);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static void
test_save_and_load_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "built.json", NULL);

  g_assert_true (envelope_network_save_to_file (network, path, &error));
  g_assert_no_error (error);

  contents = read_file (path);
  expected = envelope_network_to_data (network, NULL);
  g_assert_cmpstr (contents, ==, expected);

  loaded = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_true (envelope_network_equal (network, loaded));

  /* nothing else left behind */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

/* The families' settings share their storage (EnvelopeLayer's union):
 * no two settings of one kind, nor one of them and a setting every layer
 * has, may lie on the same bytes; and a layer stays small. */
static void
test_layer_settings_apart (void)
{
  for (guint t = 0; t < ENVELOPE_N_LAYER_TYPES; t++)
    {
      const EnvelopeLayerKind *kind = envelope_layer_kind_get (t);
      guint8 used[sizeof (EnvelopeLayer)] = { 0 };
      g_autoptr(EnvelopeLayer) layer = envelope_layer_new (t, "layer");
      const guint64 common = ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR) |
                             ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);

      for (guint f = 0; f < ENVELOPE_N_FIELDS; f++)
        {
          const EnvelopeFieldInfo *info = envelope_field_get_info (f);
          gsize at[2] = { info->offset, 0 }, size[2] = { 0, 0 };

          if (!((kind->fields | common) & ENVELOPE_FIELD_BIT (f)))
            continue;
          switch (info->value_kind)
            {
            case ENVELOPE_VALUE_SHAPE:
              size[0] = sizeof layer->shape;
              at[1] = G_STRUCT_OFFSET (EnvelopeLayer, shape_rank);
              size[1] = sizeof layer->shape_rank;
              break;
            case ENVELOPE_VALUE_PADDING:
              size[0] = sizeof layer->padding;
              at[1] = G_STRUCT_OFFSET (EnvelopeLayer, padding_mode);
              size[1] = sizeof layer->padding_mode;
              break;
            case ENVELOPE_VALUE_PAIR:
            case ENVELOPE_VALUE_OFFSET:
              size[0] = ENVELOPE_MAX_SPATIAL * sizeof (gint64);
              break;
            case ENVELOPE_VALUE_AXES:
              size[0] = ENVELOPE_MAX_RANK * sizeof (gint64);
              break;
            case ENVELOPE_VALUE_REALS:
              size[0] = ENVELOPE_MAX_SPATIAL * sizeof (double);
              break;
            case ENVELOPE_VALUE_COUNT:
            case ENVELOPE_VALUE_INTEGER:
              size[0] = sizeof (gint64);
              break;
            case ENVELOPE_VALUE_FRACTION:
            case ENVELOPE_VALUE_REAL:
              size[0] = sizeof (double);
              break;
            case ENVELOPE_VALUE_BOOLEAN:
            case ENVELOPE_VALUE_CHOICE:
              size[0] = sizeof (gint);
              break;
            case ENVELOPE_VALUE_NAME:
              size[0] = sizeof (char *);
              break;
            default:
              g_assert_not_reached ();
            }
          for (guint k = 0; k < 2; k++)
            for (gsize b = at[k]; b < at[k] + size[k]; b++)
              {
                /* within what a layer of the kind is allocated with */
                g_assert_cmpuint (b, <, envelope_layer_get_size (t));
                if (used[b] != 0)
                  g_error ("%s: \"%s\" shares its storage with \"%s\"",
                           kind->id, info->key, envelope_field_get_info (used[b] - 1)->key);
                used[b] = (guint8) (f + 1);
              }
        }
    }
  /* 664 bytes when every kind's settings had storage of their own; a
   * kind without settings of its own stops where they begin */
  g_assert_cmpuint (sizeof (EnvelopeLayer), <=, 224);
  g_assert_cmpuint (envelope_layer_get_size (ENVELOPE_LAYER_CONV), ==, sizeof (EnvelopeLayer));
  g_assert_cmpuint (envelope_layer_get_size (ENVELOPE_LAYER_RELU), ==, G_STRUCT_OFFSET (EnvelopeLayer, shape));
  g_assert_cmpuint (envelope_layer_get_size (ENVELOPE_LAYER_BATCH_NORM), <=, 72);
}

/* A file is mapped; an empty one (nothing to map) and a
 * FIFO (which cannot be mapped) are read as they are. */
static void
test_load_file_kinds (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *empty = g_build_filename (dir, "empty.json", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.json", NULL);
  g_autoptr(EnvelopeNetwork) network = NULL;
  const char *text = "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                     "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]}]}";
  pid_t pid;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (empty, "", 0, &error));
  network = envelope_network_load_from_file (empty, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, empty));
  g_clear_error (&error);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  pid = fork ();
  if (pid == 0)
    {
      /* the writer */
      FILE *out = fopen (fifo, "w");

      fputs (text, out);
      fclose (out);
      _exit (0);
    }
  network = envelope_network_load_from_file (fifo, &error);
  waitpid (pid, NULL, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 1);
  remove_dir (dir);
}

/* A save writes a new file and renames it over the old one, so a reader
 * never sees half a file: the overwritten path gets a new inode. */
static void
test_save_replaces_atomically (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  GStatBuf before, after;

  g_assert_no_error (error);
  path = g_build_filename (dir, "net.json", NULL);
  g_file_set_contents (path, "{\"an older file\": true}\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &before), ==, 0);

  g_assert_true (envelope_network_save_to_file (network, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  g_assert_cmpuint (after.st_mode & 0777, ==, 0644);

  loaded = envelope_network_load_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, loaded));

  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

/* A byte count beyond 2^63 − 1 (8 EiB and more) is saved as a string of
 * digits and comes back as it was, never negative. */
static void
test_huge_device_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [3]}],"
    " \"training\": {\"device_memory\": \"10376293541461622784\", \"reserved_memory\": \"9223372036854775808\"}}", -1, &error);
  g_autoptr(EnvelopeNetwork) reloaded = NULL;
  g_autofree char *saved = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (network->training.device_memory, ==, G_GUINT64_CONSTANT (10376293541461622784));
  saved = envelope_network_to_data (network, NULL);
  g_assert_nonnull (strstr (saved, "\"device_memory\": \"10376293541461622784\""));
  g_assert_nonnull (strstr (saved, "\"reserved_memory\": \"9223372036854775808\""));
  reloaded = envelope_network_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reloaded->training.device_memory, ==, G_GUINT64_CONSTANT (10376293541461622784));
  g_assert_cmpuint (reloaded->training.reserved_memory, ==, G_GUINT64_CONSTANT (9223372036854775808));
}

/* Saving through a symbolic link writes the file it names: the link
 * stays a link.  A private file stays private. */
static void
test_save_follows_link_keeps_mode (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *real = NULL, *link = NULL, *target = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  real = g_build_filename (dir, "real.json", NULL);
  link = g_build_filename (dir, "link.json", NULL);
  g_file_set_contents (real, "{}\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (real, 0600), ==, 0);
  g_assert_cmpint (symlink ("real.json", link), ==, 0);

  g_assert_true (envelope_network_save_to_file (network, link, &error));
  g_assert_no_error (error);
  target = g_file_read_link (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "real.json");
  g_assert_cmpint (g_stat (real, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  loaded = envelope_network_load_from_file (real, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, loaded));
  g_assert_cmpuint (count_entries (dir), ==, 2);
  remove_dir (dir);
}

/* A file with another hard link is written in place, so both names see
 * the saved network. */
static void
test_save_keeps_hard_links (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *one = NULL, *two = NULL;
  GStatBuf a, b;

  g_assert_no_error (error);
  one = g_build_filename (dir, "one.json", NULL);
  two = g_build_filename (dir, "two.json", NULL);
  g_file_set_contents (one, "{}\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (link (one, two), ==, 0);

  g_assert_true (envelope_network_save_to_file (network, one, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (one, &a), ==, 0);
  g_assert_cmpint (g_stat (two, &b), ==, 0);
  g_assert_cmpuint (a.st_ino, ==, b.st_ino);
  loaded = envelope_network_load_from_file (two, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, loaded));
  remove_dir (dir);
}

/* A save killed before its rename left NAME.XXXXXX behind; the next save
 * removes it (once it is older than a minute), and no one else's file. */
static void
test_save_removes_stale_temporaries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL, *stale = NULL, *fresh = NULL, *other = NULL;
  struct utimbuf old_times = { 1000000000, 1000000000 };

  g_assert_no_error (error);
  path = g_build_filename (dir, "net.json", NULL);
  stale = g_build_filename (dir, "net.json.Ab3dE9", NULL);
  fresh = g_build_filename (dir, "net.json.Zz9yX1", NULL);
  other = g_build_filename (dir, "notes.txt.Ab3dE9", NULL);
  g_file_set_contents (stale, "half a save", -1, &error);
  g_file_set_contents (fresh, "a save in progress", -1, &error);
  g_file_set_contents (other, "not ours", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utime (stale, &old_times), ==, 0);
  g_assert_cmpint (g_utime (other, &old_times), ==, 0);

  g_assert_true (envelope_network_save_to_file (network, path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  remove_dir (dir);
}

/* A save that fails half-way leaves the old file as it was.  The write is
 * made to fail with a file-size limit, which binds root too; a save that
 * wrote in place would leave a truncated file behind. */
static void
test_failed_save_keeps_old_file (void)
{
  static const char old[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"old\", "
    "\"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 8, 8]}]}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *data = NULL;
  struct rlimit saved_limit, limit;
  void (*saved_handler) (int);
  gboolean saved_ok;
  int saved_errno;

  g_assert_no_error (error);
  path = g_build_filename (dir, "net.json", NULL);
  g_file_set_contents (path, old, -1, &error);
  g_assert_no_error (error);

  data = envelope_network_to_data (network, NULL);
  g_assert_cmpuint (strlen (data), >, 2 * sizeof old);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  limit = saved_limit;
  limit.rlim_cur = sizeof old;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  saved_ok = envelope_network_save_to_file (network, path, &error);
  saved_errno = errno;

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_test_message ("save under a %zu-byte limit: %s (errno %d)", sizeof old,
                  error ? error->message : "no error", saved_errno);
  g_assert_false (saved_ok);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_FILE_ERROR || error->domain == ENVELOPE_NETWORK_ERROR);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, old);
  loaded = envelope_network_load_from_file (path, NULL);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (loaded->name, ==, "old");

  /* and the half-written file is gone */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

/* The same through the permissions of the directory.  Root may write
 * anywhere: main() gives that up where it can (test-unprivileged.h). */
static void
test_save_read_only_directory (void)
{
  static const char old[] = "{\"an older file\": true}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gboolean saved_ok;

  g_assert_no_error (error);
  path = g_build_filename (dir, "net.json", NULL);
  g_file_set_contents (path, old, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);

  if (access (dir, W_OK) == 0)
    {
      g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
      remove_dir (dir);
      g_test_skip ("running as a user who can write into a read-only directory");
      return;
    }

  saved_ok = envelope_network_save_to_file (network, path, &error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_false (saved_ok);
  g_assert_nonnull (error);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, old);
  remove_dir (dir);
}

static void
test_save_missing_parent (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "no-such-folder", "net.json", NULL);

  g_assert_false (envelope_network_save_to_file (network, path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_dir (dir);
}

static void
test_save_over_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = build_network ();
  g_autofree char *dir = g_dir_make_tmp ("envelope-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *inner = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "net.json", NULL);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  inner = g_build_filename (path, "kept", NULL);
  g_file_set_contents (inner, "kept", -1, &error);
  g_assert_no_error (error);

  g_assert_false (envelope_network_save_to_file (network, path, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_FILE_ERROR);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (inner, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

/* ------------------------------------------------------------------ */
/* Short descriptions                                                  */

typedef struct
{
  const char *path;
  const char *layer;         /* one layer, as the file writes it */
  const char *expected;
} DescribeCase;

static const DescribeCase describe_cases[] = {
  { "conv-stride", "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 64, \"kernel\": 3, \"stride\": 2, \"padding\": 1}",
    "conv 3×3, 64, /2" },
  { "conv", "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 64, \"kernel\": 3}",
    "conv 3×3, 64" },
  { "max-pool", "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2}",
    "max_pool 2×2" },
  { "max-pool-stride", "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 3, \"stride\": 2}",
    "max_pool 3×3, /2" },
  { "dense", "{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 128}",
    "dense 128" },
};

static void
test_describe (gconstpointer data)
{
  const DescribeCase *c = data;
  g_autofree char *json = g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                           "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]}, %s]}",
                                           c->layer);
  g_autoptr(EnvelopeNetwork) network = load_data (json);
  g_autofree char *text = envelope_layer_describe (envelope_network_get_layer (network, 1));

  g_assert_cmpstr (text, ==, c->expected);
}

/* Layers made in code, as the app's palette makes them. */
static void
test_describe_new_layers (void)
{
  g_autoptr(EnvelopeLayer) conv = envelope_layer_new (ENVELOPE_LAYER_CONV, "conv1");
  g_autoptr(EnvelopeLayer) pool = envelope_layer_new (ENVELOPE_LAYER_MAX_POOL, "pool1");
  g_autoptr(EnvelopeLayer) dense = envelope_layer_new (ENVELOPE_LAYER_DENSE, "fc1");
  g_autofree char *conv_text = NULL;
  g_autofree char *pool_text = NULL;
  g_autofree char *dense_text = NULL;

  conv->filters = 64;
  conv->kernel[0] = conv->kernel[1] = 3;
  conv->stride[0] = conv->stride[1] = 2;
  SET (conv, STRIDE);
  dense->units = 128;

  conv_text = envelope_layer_describe (conv);
  pool_text = envelope_layer_describe (pool);
  dense_text = envelope_layer_describe (dense);
  g_assert_cmpstr (conv_text, ==, "conv 3×3, 64, /2");
  g_assert_cmpstr (pool_text, ==, "max_pool 2×2");
  g_assert_cmpstr (dense_text, ==, "dense 128");
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Fractions are saved in their shortest exact form (0.2, not
 * 0.20000000000000001), and stay fractions; strings are left alone. */
static void
test_tidy_numbers (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("0.30000000000000004 stays in a string");
  g_autoptr(EnvelopeNetwork) loaded = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  EnvelopeLayer *drop = envelope_layer_new (ENVELOPE_LAYER_DROPOUT, "drop");
  g_autofree char *text = NULL;

  drop->rate = 0.2;
  drop->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_RATE);
  envelope_network_insert_layer (network, -1, input);
  envelope_network_insert_layer (network, -1, drop);
  network->view = json_from_string ("{\"zoom\": 1.0, \"ratio\": 0.1, \"tiny\": 1e-20, \"n\": -3}", NULL);
  text = envelope_network_to_data (network, NULL);

  g_assert_nonnull (strstr (text, "\"rate\": 0.2}"));
  g_assert_nonnull (strstr (text, "\"zoom\": 1.0,"));
  g_assert_nonnull (strstr (text, "\"ratio\": 0.1,"));
  g_assert_nonnull (strstr (text, "\"tiny\": 1e-20,"));
  g_assert_nonnull (strstr (text, "\"n\": -3"));
  g_assert_nonnull (strstr (text, "0.30000000000000004 stays in a string"));
  loaded = envelope_network_load_from_data (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, loaded));
}

/* The JSON report is JSON: names that need escaping come back whole,
 * and the figures are the analysis's. */
static void
test_report_json (void)
{
  static const char json[] =
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"a \\\"quoted\\\" net\", \"layers\": ["
    "{\"name\": \"in\\\\put\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv \\\"1\\\"/×\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
  g_autofree char *text = NULL;
  JsonObject *root, *conv;
  JsonArray *layers, *inputs;

  g_assert_no_error (error);
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_no_error (error);
  text = envelope_report_write (analysis, &options);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "name"), ==, "a \"quoted\" net");
  layers = json_object_get_array_member (root, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 0), "name"), ==, "in\\put");
  conv = json_array_get_object_element (layers, 1);
  g_assert_cmpstr (json_object_get_string_member (conv, "name"), ==, "conv \"1\"/×");
  inputs = json_object_get_array_member (conv, "inputs");
  g_assert_cmpuint (json_array_get_length (inputs), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (inputs, 0), ==, "in\\put");
  /* 8 × 3 × 3 × 3 + 8 */
  g_assert_cmpint (json_object_get_int_member (conv, "params"), ==, 224);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (conv, "output_shape")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "totals"), "params"), ==,
                   (gint64) envelope_analysis_get_totals (analysis)->params);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (conv, "formulas"), "weights"), ==,
                   "8 × (3 × 3) × 3 = 216");
  /* the input reads nothing: an empty array, written as json-glib writes it */
  g_assert_nonnull (strstr (text, "\"inputs\" : [],"));
}

/* A saved file is laid out as the example files are written by hand:
 * one member per line, one layer per line, short arrays inline. */
static void
test_saved_layout (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "models", "mnist.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_file (path, &error);
  g_autofree char *saved = NULL;

  g_assert_no_error (error);
  saved = envelope_network_to_data (network, NULL);

  g_assert_true (g_str_has_prefix (saved, "{\n  \"format\": \"envelope-network\",\n  \"version\": 1,\n"));
  g_assert_nonnull (strstr (saved, "\n  \"layers\": [\n    {\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 28, 28]},\n"));
  g_assert_nonnull (strstr (saved, "\n    {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3, \"padding\": 1},\n"));
  g_assert_nonnull (strstr (saved, "\n    {\"name\": \"prob\", \"type\": \"softmax\"}\n  ],\n"));
  g_assert_nonnull (strstr (saved, "\n  \"training\": {\"batch\": 64, \"dtype\": \"fp32\", \"optimizer\": \"sgd_momentum\", "
                                   "\"device\": \"GTX Titan X\"}\n}\n"));
}

/* A network of the given names and kinds, for the naming rules. */
static EnvelopeNetwork *
named_network (const char *const       *names,
               const EnvelopeLayerType *types,
               guint                    n)
{
  EnvelopeNetwork *network = envelope_network_new ("names");

  for (guint i = 0; i < n; i++)
    envelope_network_insert_layer (network, -1, envelope_layer_new (types[i], names[i]));
  return network;
}

/* A copy continues its series when the next number is free, and is
 * "_copy" otherwise; a new layer continues the series of its kind's
 * nearest numbered layer, past its highest number. */
static void
test_names (void)
{
  static const char *const names[] = {
    "data", "conv1", "relu1", "conv2", "relu2", "pool1", "fc1", "relu3", "fc2", "prob",
  };
  static const EnvelopeLayerType types[] = {
    ENVELOPE_LAYER_INPUT, ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_RELU, ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_RELU,
    ENVELOPE_LAYER_MAX_POOL, ENVELOPE_LAYER_DENSE, ENVELOPE_LAYER_RELU, ENVELOPE_LAYER_DENSE, ENVELOPE_LAYER_SOFTMAX,
  };
  static const char *const nested[] = {
    "data", "layer1/0/conv1", "layer1/0/relu1_1", "layer1/0/relu1_2", "features/pool5", "head",
  };
  static const EnvelopeLayerType nested_types[] = {
    ENVELOPE_LAYER_INPUT, ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_RELU, ENVELOPE_LAYER_RELU,
    ENVELOPE_LAYER_MAX_POOL, ENVELOPE_LAYER_DENSE,
  };
  g_autoptr(EnvelopeNetwork) network = named_network (names, types, G_N_ELEMENTS (names));
  g_autoptr(EnvelopeNetwork) other = named_network (nested, nested_types, G_N_ELEMENTS (nested));
  struct { const char *name, *copy; } copies[] = {
    { "conv2", "conv3" },        /* the next in its series is free */
    { "conv1", "conv1_copy" },   /* conv2 is taken */
    { "relu2", "relu2_copy" },   /* relu3 is taken */
    { "fc2", "fc3" },
    { "prob", "prob_copy" },     /* no series */
  };
  struct { EnvelopeLayerType type; gint after; const char *name; } news[] = {
    { ENVELOPE_LAYER_MAX_POOL, 5, "pool2" },   /* the network's "pool1", not "max_pool1" */
    { ENVELOPE_LAYER_DENSE, 9, "fc3" },
    { ENVELOPE_LAYER_DENSE, 0, "fc3" },        /* before any: the one after sets the style */
    { ENVELOPE_LAYER_CONV, 4, "conv3" },
    { ENVELOPE_LAYER_RELU, 2, "relu4" },
    { ENVELOPE_LAYER_AVG_POOL, 5, "avg_pool1" },   /* none of its kind: its id */
    { ENVELOPE_LAYER_SOFTMAX, 9, "softmax1" },     /* "prob" is no series */
  };
  g_autofree char *copy_of_copy = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (copies); i++)
    {
      g_autofree char *name = envelope_network_name_for_copy (network, copies[i].name);
      g_assert_cmpstr (name, ==, copies[i].copy);
    }
  for (guint i = 0; i < G_N_ELEMENTS (news); i++)
    {
      g_autofree char *name = envelope_network_name_for_new (network, news[i].type, news[i].after);
      g_assert_cmpstr (name, ==, news[i].name);
    }

  /* A network's name from its file. */
  {
    static const char *const paths[][2] = {
      { "my-mnist.json", "my-mnist" },
      { "/tmp/models/resnet.v2.json", "resnet.v2" },
      { ".json", ".json" },
      { "plain", "plain" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autofree char *name = envelope_network_name_from_path (paths[i][0]);
        g_assert_cmpstr (name, ==, paths[i][1]);
      }
  }

  /* A second copy of conv1: the first copy's name is taken now. */
  envelope_network_insert_layer (network, 2, envelope_layer_new (ENVELOPE_LAYER_CONV, "conv1_copy"));
  copy_of_copy = envelope_network_name_for_copy (network, "conv1");
  g_assert_cmpstr (copy_of_copy, ==, "conv1_copy2");

  /* Paths and inner numbers: the series is what the name ends with. */
  {
    g_autofree char *relu = envelope_network_name_for_new (other, ENVELOPE_LAYER_RELU, 3);
    g_autofree char *conv = envelope_network_name_for_new (other, ENVELOPE_LAYER_CONV, 4);
    g_autofree char *pool = envelope_network_name_for_new (other, ENVELOPE_LAYER_MAX_POOL, 1);
    g_autofree char *copy = envelope_network_name_for_copy (other, "layer1/0/relu1_1");
    g_autofree char *dense = envelope_network_name_for_new (other, ENVELOPE_LAYER_DENSE, 5);

    g_assert_cmpstr (relu, ==, "layer1/0/relu1_3");
    g_assert_cmpstr (conv, ==, "layer1/0/conv2");
    g_assert_cmpstr (pool, ==, "features/pool6");
    g_assert_cmpstr (copy, ==, "layer1/0/relu1_1_copy");
    g_assert_cmpstr (dense, ==, "dense1");
  }
}

/* A long network's layers are written by worker threads, a block at a
 * time: the JSON holds every layer once, in order, each with its own
 * formulas, across the blocks' edges. */
static void
test_report_layers_in_order (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("chain");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
  g_autofree char *text = NULL;
  EnvelopeLayer *layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  static const guint picks[] = { 0, 1, 255, 256, 257, 4095, 4096, 4999 };
  JsonArray *layers;

  layer->shape[0] = 4;
  layer->shape[1] = 8;
  layer->shape[2] = 8;
  envelope_network_insert_layer (network, -1, layer);
  for (guint i = 1; i < 5000; i++)
    {
      g_autofree char *name = g_strdup_printf ("layer%u", i);

      layer = envelope_layer_new (i % 2 ? ENVELOPE_LAYER_CONV : ENVELOPE_LAYER_RELU, name);
      if (i % 2)
        {
          layer->filters = 4 + i % 5;
          layer->padding[0] = layer->padding[1] = 1;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
        }
      envelope_network_insert_layer (network, -1, layer);
    }
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_no_error (error);
  text = envelope_report_write (analysis, &options);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  layers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 5000);
  for (guint p = 0; p < G_N_ELEMENTS (picks); p++)
    {
      guint i = picks[p];
      JsonObject *object = json_array_get_object_element (layers, i);
      JsonObject *formulas = json_object_get_object_member (object, "formulas");
      char **expected = envelope_analysis_explain_layer (analysis, i);

      g_assert_cmpstr (json_object_get_string_member (object, "name"), ==,
                       envelope_network_get_layer (network, i)->name);
      g_assert_cmpint (json_object_get_int_member (object, "macs"), ==,
                       (gint64) envelope_analysis_get_layer (analysis, i)->macs);
      g_assert_cmpstr (json_object_get_string_member (formulas, "receptive_field"), ==,
                       expected[ENVELOPE_FIGURE_RECEPTIVE_FIELD]);
      g_assert_cmpstr (json_object_get_string_member_with_default (formulas, "weights", NULL), ==,
                       expected[ENVELOPE_FIGURE_WEIGHTS]);
      /* indexed by figure, NULL where one has none: not a GStrv */
      envelope_formulas_free (expected);
    }
}

/* A report written to a file as it is made is the report made in memory,
 * byte for byte, in every format, for a report of many 64 KiB pieces; a
 * write that fails is an error, not a short report. */
static void
test_report_streamed (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("chain | of \"blocks\"");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeLayer *layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  static const EnvelopeReportFormat formats[] = {
    ENVELOPE_REPORT_TABLE, ENVELOPE_REPORT_JSON, ENVELOPE_REPORT_CSV, ENVELOPE_REPORT_MARKDOWN,
  };

  layer->shape[0] = 8;
  layer->shape[1] = 16;
  layer->shape[2] = 16;
  envelope_network_insert_layer (network, -1, layer);
  for (guint i = 1; i < 1500; i++)
    {
      g_autofree char *name = g_strdup_printf (i % 7 ? "block%u/conv" : "block%u|\"odd\", name", i);

      layer = envelope_layer_new (i % 2 ? ENVELOPE_LAYER_CONV : ENVELOPE_LAYER_RELU, name);
      if (i % 2)
        {
          layer->filters = 8;
          layer->padding[0] = layer->padding[1] = 1;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
        }
      layer->group = g_strdup_printf ("stage%u", i / 100);
      envelope_network_insert_layer (network, -1, layer);
    }
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint grouped = 0; grouped < 2; grouped++)
      {
        EnvelopeReportOptions options = { .format = formats[f], .grouped = grouped };
        g_autofree char *text = envelope_report_write (analysis, &options);
        g_autofree char *path = NULL;
        g_autofree char *written = NULL;
        gsize length = 0;
        int fd = g_file_open_tmp ("test-report-XXXXXX", &path, &error);
        FILE *file;

        g_assert_no_error (error);
        file = fdopen (fd, "w");
        g_assert_true (envelope_report_write_to_file (analysis, &options, file, &error));
        g_assert_no_error (error);
        fclose (file);
        g_assert_true (g_file_get_contents (path, &written, &length, &error));
        /* grouped, the table has a row a stage */
        g_assert_cmpuint (strlen (text), >, grouped && (formats[f] == ENVELOPE_REPORT_TABLE ||
                                                        formats[f] == ENVELOPE_REPORT_MARKDOWN) ? 1000 : 65536);
        g_assert_cmpuint (length, ==, strlen (text));
        g_assert_cmpstr (written, ==, text);
        g_unlink (path);
      }

  {
    g_autofree char *text = envelope_report_write_timeline (analysis, &error);
    g_autofree char *path = NULL;
    g_autofree char *written = NULL;
    int fd = g_file_open_tmp ("test-report-XXXXXX", &path, &error);
    FILE *file = fdopen (fd, "w");

    g_assert_no_error (error);
    g_assert_cmpuint (strlen (text), >, 65536);
    g_assert_true (envelope_report_write_timeline_to_file (analysis, file, &error));
    g_assert_no_error (error);
    fclose (file);
    g_assert_true (g_file_get_contents (path, &written, NULL, &error));
    g_assert_cmpstr (written, ==, text);
    g_unlink (path);
  }

  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
      FILE *full = fopen ("/dev/full", "w");

      g_assert_nonnull (full);
      g_assert_false (envelope_report_write_to_file (analysis, &options, full, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
      g_clear_error (&error);
      g_assert_false (envelope_report_write_timeline_to_file (analysis, full, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
      fclose (full);
    }
}

/* A chain of identical blocks, short (written on this thread) and long
 * (written by worker threads, in blocks): each layer alike the one
 * before it takes that one's text, but for its name, its inputs and its
 * receptive field, and the one conv that holds the workspace buffer
 * still counts it in its memory.  Every layer's object says what the
 * analysis says of that layer alone. */
static void
test_report_json_repeats (void)
{
  static const guint lengths[] = { 40, 2100 };

  for (guint n = 0; n < G_N_ELEMENTS (lengths); n++)
    {
      g_autoptr(EnvelopeNetwork) network = envelope_network_new ("repeats");
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
      g_autofree char *report = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonArray *layers;
      EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
      guint holders = 0;

      input->shape[0] = 8;
      input->shape[1] = input->shape[2] = 16;
      input->shape_rank = 3;
      envelope_network_insert_layer (network, -1, input);
      for (guint b = 0; b < lengths[n]; b++)
        {
          g_autofree char *conv_name = g_strdup_printf ("conv%u", b);
          g_autofree char *relu_name = g_strdup_printf ("relu%u", b);
          EnvelopeLayer *conv = envelope_layer_new (ENVELOPE_LAYER_CONV, conv_name);

          conv->filters = 8;
          conv->kernel[0] = conv->kernel[1] = 3;
          conv->padding[0] = conv->padding[1] = 1;
          envelope_network_insert_layer (network, -1, conv);
          envelope_network_insert_layer (network, -1, envelope_layer_new (ENVELOPE_LAYER_RELU, relu_name));
        }
      analysis = analyse (network);
      report = envelope_report_write (analysis, &options);
      root = parse_json (report);
      layers = json_object_get_array_member (json_node_get_object (root), "layers");
      g_assert_cmpuint (json_array_get_length (layers), ==, 1 + 2 * lengths[n]);

      for (guint i = 0; i < json_array_get_length (layers); i++)
        {
          JsonObject *layer = json_array_get_object_element (layers, i);
          JsonObject *memory = json_object_get_object_member (layer, "memory");
          JsonObject *formulas = json_object_get_object_member (layer, "formulas");
          JsonObject *rf = json_object_get_object_member (layer, "receptive_field");
          const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
          guint64 bytes[ENVELOPE_N_MEMORY_TERMS];
          char **expected = envelope_analysis_explain_layer (analysis, i);
          guint n_formulas = 0;

          g_assert_cmpstr (json_object_get_string_member (layer, "name"), ==,
                           envelope_network_get_layer (network, i)->name);
          g_assert_cmpint (json_object_get_int_member (layer, "macs"), ==, (gint64) f->macs);
          g_assert_cmpint (json_object_get_int_member (layer, "workspace"), ==, (gint64) f->workspace);
          g_assert_true (envelope_analysis_layer_memory (analysis, i, bytes));
          for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
            g_assert_cmpint (json_object_get_int_member (memory, envelope_memory_term_get_key (t)), ==, (gint64) bytes[t]);
          holders += bytes[ENVELOPE_MEMORY_WORKSPACE] > 0;
          g_assert_cmpfloat (json_array_get_double_element (json_object_get_array_member (rf, "size"), 0), ==,
                             f->receptive_field.size[0]);
          for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
            if (expected[k] != NULL)
              {
                g_assert_cmpstr (json_object_get_string_member (formulas, envelope_figure_get_key (k)), ==, expected[k]);
                n_formulas++;
              }
          g_assert_cmpuint (json_object_get_size (formulas), ==, n_formulas);
          envelope_formulas_free (expected);
        }
      /* the first conv, 16 × 16 × (3 × 3 × 8) values */
      g_assert_cmpuint (holders, ==, 1);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (layers, 1), "memory"),
                                                   "workspace"), ==, 16 * 16 * 72 * 4);
      /* the receptive field grows by 2 a conv */
      g_assert_cmpfloat (envelope_analysis_get_layer (analysis, 2 * lengths[n])->receptive_field.size[0], ==, 1 + 2 * lengths[n]);
    }
}

/* The JSON report's fractions as "%.17g" writes them: halves (each
 * receptive field's start) on either side of 0, and others. */
static void
test_report_json_fractions (void)
{
  g_autoptr(EnvelopeNetwork) network = load_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 8, 8]},"
    "{\"name\": \"wide\", \"type\": \"conv\", \"filters\": 1, \"kernel\": 1, \"padding\": 2},"
    "{\"name\": \"pool\", \"type\": \"max_pool\", \"kernel\": 2},"
    "{\"name\": \"up\", \"type\": \"upsample\", \"scale\": 3}]}");
  g_autoptr(EnvelopeAnalysis) analysis = analyse (network);
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
  g_autofree char *report = envelope_report_write (analysis, &options);
  g_autoptr(JsonNode) root = parse_json (report);
  JsonArray *layers = json_object_get_array_member (json_node_get_object (root), "layers");
  const char *start_key = "\"start\" : [\n          ";

  for (guint i = 1; i < 4; i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      JsonArray *start = json_object_get_array_member (json_object_get_object_member (layer, "receptive_field"), "start");
      const EnvelopeLayerFigures *f = envelope_analysis_get_layer (analysis, i);
      char expected[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *text = NULL;

      g_assert_cmpfloat (json_array_get_double_element (start, 0), ==, f->receptive_field.start[0]);
      g_ascii_dtostr (expected, sizeof expected, f->receptive_field.start[0]);
      text = g_strconcat (start_key, expected, ",", NULL);
      g_assert_nonnull (strstr (report, text));
    }
  /* the padded conv starts 1.5 positions before the input */
  g_assert_cmpfloat (envelope_analysis_get_layer (analysis, 1)->receptive_field.start[0], ==, -1.5);
  g_assert_nonnull (strstr (report, "-1.5,"));
}

/* Names with a quote or a backslash at every place of the first three
 * blocks of 16 bytes and of the last, overlapping piece that ends a
 * name, and UTF-8 beside them: the JSON report escapes each, and gives
 * the names back as they were. */
static void
test_report_json_escapes (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("escapes \"all\" \\ the way");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
  g_autofree char *report = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *layers;
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  guint n = 1;

  input->shape[0] = 4;
  input->shape_rank = 1;
  envelope_network_insert_layer (network, -1, input);
  for (guint at = 0; at < 48; at++)
    for (guint mark = 0; mark < 4; mark++)
      {
        GString *name = g_string_new (NULL);

        for (guint k = 0; k < at; k++)
          g_string_append_c (name, (char) ('a' + k % 26));
        g_string_append (name, mark == 0 ? "\"" : mark == 1 ? "\\" : "\xc3\xa9\"\\");
        /* the mark last, or followed by 0 to 16 bytes */
        if (mark == 3)
          {
            g_string_prepend_c (name, (char) ('0' + at % 10));
            g_string_prepend_c (name, (char) ('0' + at / 10));
          }
        else
          {
            for (guint k = 0; k < (at * 7 + mark) % 17; k++)
              g_string_append_c (name, (char) ('A' + k));
            g_string_append_printf (name, "%u-%u", at, mark);
          }
        envelope_network_insert_layer (network, -1, envelope_layer_new (ENVELOPE_LAYER_RELU, name->str));
        g_string_free (name, TRUE);
        n++;
      }
  analysis = analyse (network);
  report = envelope_report_write (analysis, &options);
  root = parse_json (report);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "name"), ==, network->name);
  layers = json_object_get_array_member (json_node_get_object (root), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, i), "name"), ==,
                     envelope_network_get_layer (network, i)->name);
}

/* What the tokenizer reads: escapes, numbers as json-glib types them,
 * members in any order, the app's view as it was, white space of every
 * kind; and a long chain, read a layer at a time. */
static void
test_read_values (void)
{
  static const char json[] =
    "{\r\n\t\"view\": {\"zoom\": 1.5e0, \"open\": [true, false, null, {\"a\": [[], {}]}], \"k\": -0},\n"
    "  \"layers\": [\n"
    "    {\"type\": \"input\", \"shape\": [3, 32, 32], \"name\": \"d\\u00e9j\\u00E0 \\ud83d\\ude00 \\/ \\\"x\\\"\"},\n"
    "    {\"name\": \"drop\", \"type\": \"dropout\", \"rate\": 25e-2,\"inputs\":[\"d\\u00e9j\\u00e0 \\ud83d\\ude00 / \\\"x\\\"\"]},\n"
    "    {\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 1], \"padding\": \"same\", \"group\": \"g\\\\h\"}\n"
    "  ],\n"
    "  \"description\": \"line\\nnext\\ttab\",\n"
    "  \"training\": {\"batch\": 4, \"device_memory\": \"2 GiB\"},\n"
    "  \"version\": 1, \"format\": \"envelope-network\"\n"
    "}\n";
  g_autoptr(EnvelopeNetwork) network = load_data (json);
  g_autoptr(EnvelopeNetwork) again = NULL;
  g_autofree char *saved = NULL;
  EnvelopeLayer *layer;
  JsonObject *view;

  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 3);
  layer = envelope_network_get_layer (network, 0);
  g_assert_cmpstr (layer->name, ==, "d\xc3\xa9j\xc3\xa0 \xf0\x9f\x98\x80 / \"x\"");
  g_assert_cmpint (layer->shape[1], ==, 32);
  g_assert_cmpuint (layer->shape_rank, ==, 3);
  layer = envelope_network_get_layer (network, 1);
  g_assert_cmpfloat (layer->rate, ==, 0.25);
  g_assert_cmpstr (layer->inputs[0], ==, envelope_network_get_layer (network, 0)->name);
  g_assert_null (layer->inputs[1]);
  layer = envelope_network_get_layer (network, 2);
  g_assert_cmpint (layer->kernel[0], ==, 3);
  g_assert_cmpint (layer->kernel[1], ==, 1);
  g_assert_cmpint (layer->padding_mode, ==, ENVELOPE_PADDING_SAME);
  g_assert_cmpstr (layer->group, ==, "g\\h");
  g_assert_cmpstr (network->description, ==, "line\nnext\ttab");
  g_assert_cmpuint (network->training.batch, ==, 4);
  g_assert_cmpuint (network->training.device_memory, ==, G_GUINT64_CONSTANT (2) << 30);

  g_assert_nonnull (network->view);
  view = json_node_get_object (network->view);
  g_assert_cmpfloat (json_object_get_double_member (view, "zoom"), ==, 1.5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (view, "open")), ==, 4);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (view, "k")), ==, G_TYPE_INT64);

  saved = envelope_network_to_data (network, NULL);
  again = load_data (saved);
  g_assert_true (envelope_network_equal (network, again));
}

/* "n\u0061me" and "name" are one key written two ways: the strict check
 * compares keys as written, and the last one counts, as in json-glib. */
static void
test_read_escaped_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = load_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]},"
    "{\"name\": \"a\", \"n\\u0061me\": \"b\", \"type\": \"conv\", \"filters\": 2, \"kernel\": \"x\", \"k\\u0065rnel\": 5}],"
    "\"l\\u0061yers\": 1, \"\\u006cayers\": 2, \"lay\\u0065rs\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]}]}");
  g_autoptr(EnvelopeNetwork) bad = NULL;

  /* the second "layers" array counts, not the first */
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 1);
  g_clear_pointer (&network, envelope_network_free);
  network = load_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]},"
    "{\"name\": \"a\", \"n\\u0061me\": \"b\", \"type\": \"conv\", \"filters\": 2, \"kernel\": \"x\", \"k\\u0065rnel\": 5}]}");
  g_assert_cmpstr (envelope_network_get_layer (network, 1)->name, ==, "b");
  g_assert_cmpint (envelope_network_get_layer (network, 1)->kernel[0], ==, 5);

  bad = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]},"
    "{\"name\": \"c\", \"type\": \"conv\", \"filters\": 2, \"kernel\": 3, \"k\\u0065rnel\": \"x\"}]}", -1, &error);
  g_assert_null (bad);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_TYPE);
  g_assert_nonnull (strstr (error->message, "layers[1] \"c\": \"kernel\" must be"));
}

/* Integers at gint64's ends; a fraction where an integer must be is
 * named as one. */
static void
test_read_numbers (void)
{
  g_autoptr(EnvelopeNetwork) network = load_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]},"
    "{\"name\": \"s\", \"type\": \"slice\", \"axis\": 0, \"start\": -9223372036854775808, \"end\": 9223372036854775807}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) bad = NULL;
  EnvelopeLayer *slice = envelope_network_get_layer (network, 1);

  g_assert_cmpint (slice->start, ==, G_MININT64);
  g_assert_cmpint (slice->end, ==, G_MAXINT64);

  bad = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8.0, 8]}]}", -1, &error);
  g_assert_null (bad);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_TYPE);
  g_assert_nonnull (strstr (error->message, "got a fractional number at position 1"));
}

/* A chain long enough that a tree of the whole document would show. */
static void
test_read_long_chain (void)
{
  GString *json = g_string_new ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [\n"
                                "{\"name\": \"data\", \"type\": \"input\", \"shape\": [4, 8, 8]}");
  g_autoptr(EnvelopeNetwork) network = NULL;
  const guint n = 50000;

  for (guint i = 1; i < n; i++)
    g_string_append_printf (json, i % 2 ? ",\n{\"name\": \"c%u\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"padding\": 1}"
                                        : ",\n{\"name\": \"r%u\", \"type\": \"relu\"}", i);
  g_string_append (json, "\n], \"name\": \"long\"}");
  network = load_data (json->str);
  g_string_free (json, TRUE);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, n);
  g_assert_cmpstr (envelope_network_get_layer (network, n - 1)->name, ==, "c49999");
  g_assert_cmpint (envelope_network_get_layer (network, n - 1)->padding[1], ==, 1);
  g_assert_cmpstr (network->name, ==, "long");
}

/* A long network with bad layers far apart: the error is the first bad
 * layer's, whatever comes after it; and a name of brackets, braces and
 * quotes moves no layer's start. */
static char *
long_network (guint        n,
              guint        bad_kernel,
              guint        bad_type,
              guint        not_object)
{
  GString *json = g_string_new ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [\n"
                                "{\"name\": \"data\", \"type\": \"input\", \"shape\": [4, 8, 8]}");

  for (guint i = 1; i < n; i++)
    if (i == bad_kernel)
      g_string_append_printf (json, ",\n{\"name\": \"c%u\", \"type\": \"conv\", \"filters\": 4}", i);
    else if (i == bad_type)
      g_string_append_printf (json, ",\n{\"name\": \"x%u\", \"type\": \"convv\"}", i);
    else if (i == not_object)
      g_string_append (json, ",\n 5");
    else if (i == n / 2)
      g_string_append (json, ",\n{\"name\": \"a{b\\\"}],[c\", \"type\": \"relu\"}");
    else
      g_string_append_printf (json, i % 2 ? ",\n{\"name\": \"c%u\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"padding\": 1}"
                                          : ",\n{\"name\": \"r%u\", \"type\": \"relu\"}", i);
  g_string_append (json, "\n], \"name\": \"long\"}");
  return g_string_free (json, FALSE);
}

static void
test_read_long_errors (void)
{
  const guint n = 20000, none = G_MAXUINT;
  static const struct { guint bad_kernel, bad_type, not_object; const char *says; } cases[] = {
    { 15000, G_MAXUINT, G_MAXUINT, "layers[15000] \"c15000\": \"kernel\" is missing" },
    { 15000, 3000, G_MAXUINT, "layers[3000] \"x3000\": \"type\"" },
    { 19999, G_MAXUINT, 1, "layers[1]" },
    { G_MAXUINT, 19998, 12001, "layers[12001]" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *json = long_network (n, cases[c].bad_kernel, cases[c].bad_type, cases[c].not_object);
      g_autoptr(GError) error = NULL;
      g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);

      g_assert_null (network);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[c].says) == NULL)
        g_error ("case %u: \"%s\" does not say \"%s\"", c, error->message, cases[c].says);
    }
  {
    g_autofree char *json = long_network (n, none, none, none);
    g_autoptr(EnvelopeNetwork) network = load_data (json);

    g_assert_cmpuint (envelope_network_get_n_layers (network), ==, n);
    g_assert_cmpstr (envelope_network_get_layer (network, n / 2)->name, ==, "a{b\"}],[c");
    g_assert_cmpstr (envelope_network_get_layer (network, n / 2 + 1)->name, ==, "c10001");
    g_assert_cmpint (envelope_network_get_layer (network, n / 2 + 1)->filters, ==, 4);
    g_assert_cmpstr (envelope_network_get_layer (network, n - 1)->name, ==, "c19999");
    g_assert_cmpstr (network->name, ==, "long");
    /* the layers each side of where one chunk of 4,096 ends and the next starts */
    g_assert_cmpstr (envelope_network_get_layer (network, 4095)->name, ==, "c4095");
    g_assert_cmpstr (envelope_network_get_layer (network, 4096)->name, ==, "r4096");
    g_assert_cmpstr (envelope_network_get_layer (network, 16383)->name, ==, "c16383");
    g_assert_cmpstr (envelope_network_get_layer (network, 16384)->name, ==, "r16384");
  }
  /* as many layers as a chunk holds, and one more */
  for (guint extra = 0; extra < 2; extra++)
    {
      g_autofree char *json = long_network (4096 + extra, none, none, none);
      g_autoptr(EnvelopeNetwork) network = load_data (json);
      g_autofree char *last = g_strdup_printf (extra ? "r%u" : "c%u", 4095 + extra);

      g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 4096 + extra);
      g_assert_cmpstr (envelope_network_get_layer (network, 4095 + extra)->name, ==, last);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  test_give_up_root ();
  g_test_init (&argc, &argv, NULL);

  dir = models_dir ();
  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, compare_names);
  /* an empty folder would pass every round trip there is */
  g_assert_cmpuint (files->len, >, 0);

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".json"));
      g_autofree char *path = g_strconcat ("/core/network/io/round-trip/", stem, NULL);

      g_test_add_data_func (path, file, test_round_trip_example);
    }

  g_test_add_func ("/core/network/io/saved-layout", test_saved_layout);
  g_test_add_func ("/core/network/io/built/round-trip", test_built_network);
  g_test_add_func ("/core/network/io/built/equal-sees-differences", test_equal_sees_differences);
  g_test_add_func ("/core/network/io/file/save-and-load", test_save_and_load_file);
  g_test_add_func ("/core/network/io/file/load-kinds", test_load_file_kinds);
  g_test_add_func ("/core/network/io/layer/settings-apart", test_layer_settings_apart);
  g_test_add_func ("/core/network/io/file/replaces-atomically", test_save_replaces_atomically);
  g_test_add_func ("/core/network/io/file/follows-link-keeps-mode", test_save_follows_link_keeps_mode);
  g_test_add_func ("/core/network/io/huge-device-memory", test_huge_device_memory);
  g_test_add_func ("/core/network/io/file/keeps-hard-links", test_save_keeps_hard_links);
  g_test_add_func ("/core/network/io/file/removes-stale-temporaries", test_save_removes_stale_temporaries);
  g_test_add_func ("/core/network/io/file/failed-save-keeps-old-file", test_failed_save_keeps_old_file);
  g_test_add_func ("/core/network/io/file/read-only-directory", test_save_read_only_directory);
  g_test_add_func ("/core/network/io/file/missing-parent", test_save_missing_parent);
  g_test_add_func ("/core/network/io/file/over-directory", test_save_over_directory);

  for (guint i = 0; i < G_N_ELEMENTS (describe_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/core/network/io/describe/", describe_cases[i].path, NULL);
      g_test_add_data_func (path, &describe_cases[i], test_describe);
    }
  g_test_add_func ("/core/network/io/describe/new-layers", test_describe_new_layers);
  g_test_add_func ("/core/network/io/tidy-numbers", test_tidy_numbers);
  g_test_add_func ("/core/network/io/report-json", test_report_json);
  g_test_add_func ("/core/network/io/names", test_names);
  g_test_add_func ("/core/network/io/report-streamed", test_report_streamed);
  g_test_add_func ("/core/network/io/report-layers-in-order", test_report_layers_in_order);
  g_test_add_func ("/core/network/io/report-json-fractions", test_report_json_fractions);
  g_test_add_func ("/core/network/io/report-json-repeats", test_report_json_repeats);
  g_test_add_func ("/core/network/io/report-json-escapes", test_report_json_escapes);
  g_test_add_func ("/core/network/io/read/values", test_read_values);
  g_test_add_func ("/core/network/io/read/numbers", test_read_numbers);
  g_test_add_func ("/core/network/io/read/escaped-keys", test_read_escaped_keys);
  g_test_add_func ("/core/network/io/read/long-chain", test_read_long_chain);
  g_test_add_func ("/core/network/io/read/long-errors", test_read_long_errors);

  return g_test_run ();
}
