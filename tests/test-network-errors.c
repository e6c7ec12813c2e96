/* test-network-errors.c: every bad network file says what and where
 *
 * A table in the style of json-glib's tests/invalid.c: each hostile
 * file (Envelope's JSON written out, or an importer's reproducer from
 * tests/fuzz/corpus) is read from disk as the CLI and the app read it,
 * and must fail with the exact error code and a message that starts
 * with the file's name and names the layer and field (or, for an
 * imported graph, the node) and what is wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-network-errors"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import.h"
#include "envelope-network.h"

/* Where a case must fail: in the loader (structure) or in the analysis
 * (shapes), which also reports the layer and field it blames. */
typedef enum
{
  STAGE_LOAD,
  STAGE_ANALYSIS,
} Stage;

typedef struct
{
  const char *path;
  const char *json;
  Stage stage;
  GQuark (*domain) (void);
  gint code;
  const char *contains[5];   /* substrings of the message, NULL-terminated */
  gint layer;                /* STAGE_ANALYSIS: the blamed layer */
  const char *field;         /* … and field, or NULL for the layer as a whole */
  const char *file;          /* instead of @json: a file under tests/ */
} ErrorCase;

#define HEAD "{\"format\": \"envelope-network\", \"version\": 1, "
#define NET(layers) HEAD "\"layers\": [" layers "]}"
#define NET_TRAINING(training) \
  HEAD "\"layers\": [" DATA "], \"training\": {" training "}}"
#define DATA "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]}"
#define CONV1 "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3}"

#define LOAD(code) STAGE_LOAD, envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_##code
#define ANALYSIS(code) STAGE_ANALYSIS, envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_##code
#define IMPORT(code) STAGE_LOAD, envelope_import_error_quark, ENVELOPE_IMPORT_ERROR_##code

static char *scratch;

static const ErrorCase cases[] = {
  /* The file as a whole */
  { "parse/malformed",
    "{\n"
    "  \"format\": \"envelope-network\",\n"
    "  \"version\": 1,\n"
    "  \"layers\": [ ,\n"
    "}\n",
    LOAD (PARSE), { "4:15", NULL } },
  { "parse/unterminated-string",
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"oops}\n",
    LOAD (PARSE), { "1:60", "not closed", NULL } },
  /* strict JSON: json-glib alone would take each of these */
  { "parse/duplicate-key",
    HEAD "\"layers\": [" DATA "], \"layers\": []}",
    LOAD (PARSE), { "\"layers\" appears twice", NULL } },
  { "parse/single-quotes",
    "{'format': 'envelope-network'}",
    LOAD (PARSE), { "1:2", "double quotes", NULL } },
  { "parse/comment",
    "{\"format\": \"envelope-network\", // a comment\n \"version\": 1, \"layers\": []}",
    LOAD (PARSE), { "1:32", "no comments", NULL } },
  { "parse/hex-number",
    HEAD "\"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [0x10]}]}",
    LOAD (PARSE), { "hexadecimal", NULL } },
  { "parse/trailing-comma",
    NET (DATA ",") ,
    LOAD (PARSE), { "trailing commas", NULL } },
  { "parse/octal-escape",
    HEAD "\"name\": \"a\\101\", \"layers\": [" DATA "]}",
    LOAD (PARSE), { "\\1 is not a JSON escape", NULL } },
  { "parse/lone-surrogate",
    HEAD "\"name\": \"\\ud800\", \"layers\": [" DATA "]}",
    LOAD (PARSE), { "half of a character", NULL } },
  { "parse/escaped-nul",
    HEAD "\"name\": \"a\\u0000b\", \"layers\": [" DATA "]}",
    LOAD (PARSE), { "\\u0000", NULL } },
  { "parse/raw-tab",
    HEAD "\"name\": \"a\tb\", \"layers\": [" DATA "]}",
    LOAD (PARSE), { "control character", NULL } },
  { "parse/missing-value",
    NET ("{\"name\": \"data\", \"type\": }"),
    LOAD (PARSE), { "1:82", "followed by a value", NULL } },
  { "parse/missing-value-at-end",
    HEAD "\"layers\": [" DATA "], \"view\":\n}",
    LOAD (PARSE), { "2:1", "followed by a value", NULL } },
  { "parse/missing-value-nested",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": {\"a\": [1, {\"b\": }]}}"),
    LOAD (PARSE), { "followed by a value", NULL } },
  { "parse/integer-beyond-int64",
    HEAD "\"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 9223372036854775808, 2]}]}",
    LOAD (PARSE), { "9223372036854775808 is beyond", NULL } },
  { "parse/two-values",
    NET (DATA) " {}",
    LOAD (PARSE), { "more after the end", NULL } },
  { "empty/empty-file", "",
    LOAD (EMPTY), { "empty", NULL } },
  { "empty/whitespace-only", "  \n\t\r\n   \n",
    LOAD (EMPTY), { "empty", NULL } },
  { "format/array-root", "[" DATA "]",
    LOAD (FORMAT), { "JSON object", "array", NULL } },
  { "format/missing",
    "{\"version\": 1, \"layers\": [" DATA "]}",
    LOAD (FORMAT), { "\"format\"", "envelope-network", NULL } },
  { "format/wrong",
    "{\"format\": \"keras-model\", \"version\": 1, \"layers\": [" DATA "]}",
    LOAD (FORMAT), { "\"format\"", "envelope-network", NULL } },
  { "format/not-a-string",
    "{\"format\": 1, \"version\": 1, \"layers\": [" DATA "]}",
    LOAD (FORMAT), { "\"format\"", NULL } },
  { "version/newer",
    "{\"format\": \"envelope-network\", \"version\": 2, \"layers\": [" DATA "]}",
    LOAD (VERSION), { "\"version\"", "2", "newer", NULL } },
  { "version/missing",
    "{\"format\": \"envelope-network\", \"layers\": [" DATA "]}",
    LOAD (MISSING), { "\"version\"", NULL } },

  /* Wrong JSON types */
  { "type/kernel-string",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": \"3\"}"),
    LOAD (TYPE), { "layers[1] \"conv1\": \"kernel\"", "string", NULL } },
  { "type/filters-fraction",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 3.5, \"kernel\": 3}"),
    LOAD (TYPE), { "layers[1] \"conv1\": \"filters\"", "fractional", NULL } },
  { "type/shape-object",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": {\"c\": 3, \"h\": 32, \"w\": 32}}"),
    LOAD (TYPE), { "layers[0] \"data\": \"shape\"", "object", NULL } },
  { "type/bias-string",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"bias\": \"yes\"}"),
    LOAD (TYPE), { "layers[1] \"conv1\": \"bias\"", "true or false", "string", NULL } },
  { "type/inputs-string",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"inputs\": \"data\", \"filters\": 16, \"kernel\": 3}"),
    LOAD (TYPE), { "layers[1] \"conv1\": \"inputs\"", "string", NULL } },
  { "type/inputs-element",
    NET (DATA ", " CONV1 ", {\"name\": \"add1\", \"type\": \"add\", \"inputs\": [\"conv1\", 1]}"),
    LOAD (TYPE), { "layers[2] \"add1\": \"inputs\"", "integer", "position 1", NULL } },
  { "type/layer-not-object",
    NET (DATA ", \"conv1\""),
    LOAD (TYPE), { "layers[1]", "string", NULL } },

  /* Unknown keys and types */
  { "unknown-key/layer",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filter\": 32, \"kernel\": 3}"),
    LOAD (UNKNOWN_KEY), { "layers[1] \"conv1\": \"filter\"", "valid keys", "filters", "kernel", NULL } },
  { "unknown-key/top-level",
    HEAD "\"layers\": [" DATA "], \"trainig\": {}}",
    LOAD (UNKNOWN_KEY), { "\"trainig\"", "valid keys", "training", NULL } },
  { "unknown-key/training",
    NET_TRAINING ("\"batch_size\": 32"),
    LOAD (UNKNOWN_KEY), { "training", "\"batch_size\"", "valid keys", "batch", NULL } },
  { "unknown-type",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"convolution\", \"filters\": 16, \"kernel\": 3}"),
    LOAD (UNKNOWN_TYPE), { "layers[1] \"conv1\": \"type\"", "convolution", "conv, deconv", "max_pool", NULL } },
  /* a close miss names the kind it most likely meant */
  { "unknown-type/suggest",
    NET (DATA ", {\"name\": \"pool1\", \"type\": \"maxpool\", \"kernel\": 2}"),
    LOAD (UNKNOWN_TYPE), { "layers[1] \"pool1\": \"type\"", "\"maxpool\"", "did you mean \"max_pool\"?", "conv, deconv", NULL } },
  { "unknown-type/suggest-case",
    NET (DATA ", {\"name\": \"norm\", \"type\": \"BatchNorm\"}"),
    LOAD (UNKNOWN_TYPE), { "did you mean \"batch_norm\"?", NULL } },

  /* Missing fields */
  { "missing/filters",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"kernel\": 3}"),
    LOAD (MISSING), { "layers[1] \"conv1\": \"filters\"", "missing", NULL } },
  { "missing/input-shape",
    NET ("{\"name\": \"data\", \"type\": \"input\"}"),
    LOAD (MISSING), { "layers[0] \"data\": \"shape\"", "missing", NULL } },
  { "missing/name",
    NET (DATA ", {\"type\": \"conv\", \"filters\": 16, \"kernel\": 3}"),
    LOAD (MISSING), { "layers[1]", "\"name\"", "missing", NULL } },
  { "missing/layers",
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"no layers\"}",
    LOAD (MISSING), { "\"layers\"", "missing", NULL } },

  /* Names and wiring */
  { "wiring/duplicate-name",
    NET (DATA ", " CONV1 ", " CONV1),
    LOAD (DUPLICATE_NAME), { "layers[2] \"conv1\": \"name\"", "layers[1]", NULL } },
  { "wiring/unknown-input",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"inputs\": [\"dat\"], \"filters\": 16, \"kernel\": 3}"),
    LOAD (UNKNOWN_INPUT), { "layers[1] \"conv1\": \"inputs\"", "\"dat\"", NULL } },
  { "wiring/forward-reference",
    NET (DATA ", "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"inputs\": [\"conv2\"], \"filters\": 16, \"kernel\": 3}, "
         "{\"name\": \"conv2\", \"type\": \"conv\", \"inputs\": [\"data\"], \"filters\": 16, \"kernel\": 3}"),
    LOAD (FORWARD_INPUT), { "layers[1] \"conv1\": \"inputs\"", "\"conv2\"", "later", NULL } },
  { "wiring/self-reference",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"inputs\": [\"conv1\"], \"filters\": 16, \"kernel\": 3}"),
    LOAD (CYCLE), { "layers[1] \"conv1\": \"inputs\"", "itself", NULL } },
  { "wiring/cycle",
    NET (DATA ", "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"inputs\": [\"conv2\"], \"filters\": 16, \"kernel\": 3}, "
         "{\"name\": \"conv2\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3}"),
    LOAD (CYCLE), { "layers[1] \"conv1\": \"inputs\"", "\"conv2\"", "cycle", NULL } },
  { "wiring/add-no-input",
    NET (DATA ", " CONV1 ", {\"name\": \"add1\", \"type\": \"add\", \"inputs\": []}"),
    LOAD (INPUT_COUNT), { "layers[2] \"add1\": \"inputs\"", "1", NULL } },
  { "wiring/dense-first",
    NET ("{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 10}, " DATA),
    LOAD (NO_INPUT), { "layers[0] \"fc1\": \"inputs\"", "input layer", NULL } },

  /* Text that cannot be kept: not UTF-8, control characters, direction
   * overrides (they would reach a terminal raw, or reorder a report) */
  { "text/lone-surrogate",
    NET ("{\"name\": \"da\\ud800ta\", \"type\": \"input\", \"shape\": [3]}"),
    LOAD (PARSE), { "\\uD800 is half of a character", NULL } },
  { "text/escape-sequence",
    NET (DATA ", {\"name\": \"x\\u001b[31m\", \"type\": \"relu\"}"),
    LOAD (VALUE), { "layers[1]: \"name\"", "U+001B", NULL } },
  { "text/tab-in-input",
    NET (DATA ", {\"name\": \"r\", \"type\": \"relu\", \"inputs\": [\"da\\tta\"]}"),
    LOAD (VALUE), { "layers[1] \"r\": \"inputs\"", "U+0009", NULL } },
  { "text/direction-override",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [3], \"group\": \"a\\u202eb\"}"),
    LOAD (VALUE), { "layers[0] \"data\": \"group\"", "U+202E", NULL } },
  { "text/network-name",
    HEAD "\"name\": \"net\\u0007\", \"layers\": [" DATA "]}",
    LOAD (VALUE), { "\"name\"", "U+0007", NULL } },

  /* Values out of range, found by the loader */
  { "value/zero-kernel",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 0}"),
    LOAD (VALUE), { "layers[1] \"conv1\": \"kernel\"", "got 0", NULL } },
  { "value/negative-padding",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": -1}"),
    LOAD (VALUE), { "layers[1] \"conv1\": \"padding\"", "-1", NULL } },
  { "value/padding-mode",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": \"full\"}"),
    LOAD (VALUE), { "layers[1] \"conv1\": \"padding\"", "\"full\"", "\"same\"", NULL } },
  { "value/zero-shape",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 0, 32]}"),
    LOAD (VALUE), { "layers[0] \"data\": \"shape\"", "got 0", NULL } },
  { "value/negative-shape",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, -32]}"),
    LOAD (VALUE), { "layers[0] \"data\": \"shape\"", "-32", NULL } },
  { "value/shape-five-sizes",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [2, 3, 8, 32, 32]}"),
    LOAD (TYPE), { "layers[0] \"data\": \"shape\"", "[C, D, H, W]", "5", NULL } },
  { "value/dropout-rate",
    NET (DATA ", {\"name\": \"drop1\", \"type\": \"dropout\", \"rate\": 1.5}"),
    LOAD (VALUE), { "layers[1] \"drop1\": \"rate\"", "1.5", NULL } },
  { "value/rounding",
    NET (DATA ", {\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2, \"rounding\": \"round\"}"),
    LOAD (VALUE), { "layers[1] \"pool1\": \"rounding\"", "\"ceil\"", NULL } },

  /* Training settings */
  { "training/dtype",
    NET_TRAINING ("\"dtype\": \"fp4\""),
    LOAD (VALUE), { "training", "\"dtype\"", "\"fp4\"", "fp16", NULL } },
  { "training/optimizer",
    NET_TRAINING ("\"optimizer\": \"adamax\""),
    LOAD (VALUE), { "training", "\"optimizer\"", "\"adamax\"", "adamw", NULL } },
  { "training/device",
    NET_TRAINING ("\"device\": \"GTX 9999\""),
    LOAD (DEVICE), { "training", "\"device\"", "GTX 9999", "Tesla T4", NULL } },
  { "training/batch-zero",
    NET_TRAINING ("\"batch\": 0"),
    LOAD (VALUE), { "training", "\"batch\"", "got 0", NULL } },
  { "training/device-and-memory",
    NET_TRAINING ("\"device\": \"Tesla T4\", \"device_memory\": 17179869184"),
    LOAD (VALUE), { "training", "\"device_memory\"", "\"device\"", NULL } },
  { "training/not-object",
    HEAD "\"layers\": [" DATA "], \"training\": [32]}",
    LOAD (TYPE), { "training", "object", "array", NULL } },
  { "view/not-object",
    HEAD "\"layers\": [" DATA "], \"view\": \"zoomed\"}",
    LOAD (TYPE), { "\"view\"", "object", "string", NULL } },

  /* Shapes, found by the analysis */
  { "shape/kernel-larger-than-input",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 5, 5]}, "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 7}"),
    ANALYSIS (OUTPUT_SIZE), { "layers[1] \"conv1\": \"kernel\"", "7", "5", NULL }, 1, "kernel" },
  { "shape/kernel-wider-than-input",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 9, 5]}, "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 8, \"kernel\": [3, 7]}"),
    ANALYSIS (OUTPUT_SIZE), { "layers[1] \"conv1\": \"kernel\"", "7", "width 5", NULL }, 1, "kernel" },
  { "shape/pool-output-below-1",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 4, 4]}, "
         "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2}, "
         "{\"name\": \"pool2\", \"type\": \"max_pool\", \"kernel\": 2}, "
         "{\"name\": \"pool3\", \"type\": \"max_pool\", \"kernel\": 2}"),
    ANALYSIS (OUTPUT_SIZE), { "layers[3] \"pool3\": \"kernel\"", "below 1", NULL }, 3, "kernel" },
  { "shape/add-different-shapes",
    NET (DATA ", "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1}, "
         "{\"name\": \"conv2\", \"type\": \"conv\", \"inputs\": [\"data\"], \"filters\": 32, \"kernel\": 3, \"padding\": 1}, "
         "{\"name\": \"add1\", \"type\": \"add\", \"inputs\": [\"conv1\", \"conv2\"]}"),
    ANALYSIS (SHAPE_MISMATCH), { "layers[3] \"add1\": \"inputs\"", NULL }, 3, "inputs" },
  { "shape/concat-different-size",
    NET (DATA ", "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1}, "
         "{\"name\": \"conv2\", \"type\": \"conv\", \"inputs\": [\"data\"], \"filters\": 16, \"kernel\": 3}, "
         "{\"name\": \"cat1\", \"type\": \"concat\", \"inputs\": [\"conv1\", \"conv2\"]}"),
    ANALYSIS (SHAPE_MISMATCH), { "layers[3] \"cat1\": \"inputs\"", "height and width", NULL }, 3, "inputs" },
  { "shape/conv-on-vector",
    NET (DATA ", "
         "{\"name\": \"fc1\", \"type\": \"dense\", \"units\": 64}, "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3}"),
    ANALYSIS (RANK), { "layers[2] \"conv1\": \"inputs\"", "vector", NULL }, 2, "inputs" },
  { "shape/groups",
    NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 64, \"kernel\": 3, \"groups\": 2}"),
    ANALYSIS (GROUPS), { "layers[1] \"conv1\": \"groups\"", "3", NULL }, 1, "groups" },
  { "shape/overflow",
    NET ("{\"name\": \"data\", \"type\": \"input\", \"shape\": [1000000, 1000000, 1000000]}, "
         "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 1000000, \"kernel\": 3}"),
    ANALYSIS (OVERFLOW), { "layers[1] \"conv1\"", "64 bits", NULL }, 1, NULL },
  /* sums of sizes are checked as the products are: an explicit padding
   * does not wrap the output size around */
  { "shape/padding-overflow",
    NET (DATA ", {\"name\": \"c1\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, "
         "\"padding\": [9223372036854775807, 9223372036854775807]}"),
    ANALYSIS (OVERFLOW), { "layers[1] \"c1\"", "overflows 64 bits", NULL }, 1, NULL },
  { "shape/deconv-padding",
    NET (DATA ", {\"name\": \"c1\", \"type\": \"deconv\", \"filters\": 4, \"kernel\": 3, "
         "\"padding\": 9223372036854775807}"),
    ANALYSIS (OUTPUT_SIZE), { "layers[1] \"c1\": \"padding\"", "9223372036854775807", "below 1", NULL }, 1, "padding" },
  /* bytes that are not UTF-8, where they are */
  { "text/invalid-utf8",
    NET (DATA ", {\"name\": \"c\xff" "1\", \"type\": \"relu\"}"),
    LOAD (PARSE), { "1:125: the file is not UTF-8 text", NULL } },

  /* The importers' reproducers (tests/fuzz/corpus): the node, its
   * operator and the tensor at fault */
  { "import/onnx-tensor-written-twice", NULL,
    IMPORT (CORRUPT), { "node 2 “/Split” (Split)", "“/Split_output_1” twice", NULL }, 0, NULL,
    "fuzz/corpus/onnx/onnx-tensor-written-twice" },
  { "import/onnx-input-not-produced", NULL,
    IMPORT (CORRUPT), { "node 16 “/Unsqueeze” (Unsqueeze)", "::Unsqueeze_31” is not produced", NULL }, 0, NULL,
    "fuzz/corpus/onnx/onnx-invalid-utf8-input" },
  { "import/onnx-operator-not-utf8", NULL,
    IMPORT (CORRUPT), { "node 93", "its name or operator is not UTF-8 text", NULL }, 0, NULL,
    "fuzz/corpus/onnx/onnx-null-op-type-lookahead" },
  { "import/keras-empty-config", NULL,
    IMPORT (CORRUPT), { "config.json: not valid JSON: it is empty", NULL }, 0, NULL,
    "fuzz/corpus/keras/keras-empty-config" },
  { "import/caffe-not-utf8", NULL,
    IMPORT (CORRUPT), { "byte 727", "not UTF-8 text", NULL }, 0, NULL,
    "fuzz/corpus/caffe/caffe-invalid-utf8-name" },
};

static void
test_error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeErrorLocation location = { -2, "unset" };
  g_autofree char *path = NULL;

  /* read from a file as the CLI and the app read it */
  if (c->file != NULL)
    path = g_test_build_filename (G_TEST_DIST, c->file, NULL);
  else
    {
      g_autofree char *name = g_strdelimit (g_strconcat (c->path, ".json", NULL), "/", '-');

      path = g_build_filename (scratch, name, NULL);
      g_assert_true (g_file_set_contents (path, c->json, -1, NULL));
    }
  network = envelope_import_load_file (path, NULL, NULL, &error);
  if (c->file == NULL)
    g_assert_cmpint (g_unlink (path), ==, 0);
  if (network == NULL)
    {
      g_test_message ("load: %s", error ? error->message : "(no error set)");
      if (c->stage != STAGE_LOAD)
        g_test_fail_printf ("expected the loader to accept the file and the analysis to fail; "
                            "the loader failed: %s", error ? error->message : "(no error set)");
    }
  else
    {
      g_assert_no_error (error);
      if (c->stage != STAGE_ANALYSIS)
        {
          g_test_fail_printf ("expected the loader to fail, but it accepted the file");
          return;
        }
      g_test_message ("analysing %s", c->path);
      analysis = envelope_analysis_new (network, NULL, &location, &error);
      g_assert_null (analysis);
      g_test_message ("analysis: %s", error ? error->message : "(no error set)");
    }

  g_assert_nonnull (error);
  g_assert_error (error, c->domain (), c->code);
  /* the file, first */
  if (c->stage == STAGE_LOAD)
    {
      g_autofree char *prefix = g_strconcat (path, ": ", NULL);

      if (!g_str_has_prefix (error->message, prefix))
        g_test_fail_printf ("message \"%s\" does not start with \"%s\"", error->message, prefix);
    }
  for (guint i = 0; c->contains[i] != NULL; i++)
    {
      if (strstr (error->message, c->contains[i]) == NULL)
        g_test_fail_printf ("message \"%s\" lacks \"%s\"", error->message, c->contains[i]);
    }

  if (c->stage == STAGE_ANALYSIS && network != NULL)
    {
      g_assert_cmpint (location.layer, ==, c->layer);
      g_assert_cmpstr (location.field, ==, c->field);
    }
}

/* Settings typed in the app reach the analysis without the loader: the
 * same range checks must stop them there, and say where. */
static void
test_error_analysis_validates (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("typed in");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeErrorLocation location = { -2, NULL };
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  EnvelopeLayer *conv = envelope_layer_new (ENVELOPE_LAYER_CONV, "conv1");

  conv->kernel[0] = 0;
  envelope_network_insert_layer (network, -1, input);
  envelope_network_insert_layer (network, -1, conv);

  analysis = envelope_analysis_new (network, NULL, &location, &error);
  g_assert_null (analysis);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "layers[1] \"conv1\": \"kernel\""));
  g_assert_cmpint (location.layer, ==, 1);
  g_assert_cmpstr (location.field, ==, "kernel");

  /* … and the same network with the kernel fixed is fine */
  g_clear_error (&error);
  conv->kernel[0] = 3;
  analysis = envelope_analysis_new (network, NULL, &location, &error);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
}

static void
test_error_missing_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(GError) error = NULL;

  dir = g_dir_make_tmp ("envelope-errors-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "no-such-network.json", NULL);

  network = envelope_network_load_from_file (path, &error);
  g_assert_null (network);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, path));

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A bad file on disk: the message says which file, then what and where. */
static void
test_error_file_prefix (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  const char *json = NET (DATA ", {\"name\": \"conv1\", \"type\": \"conv\", \"filter\": 32, \"kernel\": 3}");

  dir = g_dir_make_tmp ("envelope-errors-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "typo.json", NULL);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  network = envelope_network_load_from_file (path, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "layers[1] \"conv1\": \"filter\""));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* json-glib's parser recurses once per level: a file of "[" is refused
 * before it is parsed, with where the nesting went too deep. */
static void
test_deep_nesting (void)
{
  g_autofree char *json = g_strnfill (75000, '[');
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);

  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "1:65:"));
  g_assert_nonnull (strstr (error->message, "more than 64 deep"));
}

/* An object of 200,000 keys (the app's view may hold anything) is
 * checked for a repeated key in one lookup a key, not by comparing
 * every pair: it loads, and the key written twice, even escaped the same
 * way, is found with where it is. */
static void
test_many_keys (void)
{
  GString *json = g_string_new (HEAD "\"layers\": [" DATA "], \"view\": {\"k\\u0041\": 0");
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  gsize length;

  for (guint i = 1; i < 200000; i++)
    g_string_append_printf (json, ", \"k%u\": %u", i, i);
  length = json->len;
  g_string_append (json, "}}");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (network->view)), ==, 200000);
  g_clear_pointer (&network, envelope_network_free);

  g_string_truncate (json, length);
  g_string_append (json, ", \"k\\u0041\": 1}}");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "the key \"k\\u0041\" appears twice"));
  g_clear_error (&error);

  /* "kA" is the same key written another way: json-glib keeps one, as
   * it did before */
  g_string_truncate (json, length);
  g_string_append (json, ", \"kA\": 1}}");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_string_free (json, TRUE);
  g_assert_no_error (error);
  g_assert_nonnull (network);
}

/* A file that is one long array is refused as an array, and a long
 * member of the root that is not the layers is refused by its key,
 * without reading their elements into anything. */
static void
test_root_array (void)
{
  GString *json = g_string_new ("  [0");
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;

  for (guint i = 1; i < 2000000; i++)
    g_string_append (json, ",{}");
  g_string_append (json, "]\n");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_string_free (json, TRUE);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "got an array"));
  g_clear_error (&error);

  /* nor is a long member of the root the reader does not take */
  json = g_string_new (HEAD "\"layers\": [" DATA "], \"extra\": [0");
  for (guint i = 1; i < 2000000; i++)
    g_string_append (json, ",{}");
  g_string_append (json, "]}");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_string_free (json, TRUE);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "\"extra\" is not a known key"));
}

/* A forward reference behind 100,000 chained layers: the cycle check
 * walks them all without recursing. */
static void
test_long_cycle (void)
{
  GString *json = g_string_new (HEAD "\"layers\": [" DATA);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;

  g_string_append (json, ", {\"name\": \"relu0\", \"type\": \"relu\", \"inputs\": [\"relu99999\"]}");
  for (guint i = 1; i < 100000; i++)
    g_string_append_printf (json, ", {\"name\": \"relu%u\", \"type\": \"relu\"}", i);
  g_string_append (json, "]}");
  network = envelope_network_load_from_data (json->str, (gssize) json->len, &error);
  g_string_free (json, TRUE);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_CYCLE);
  g_assert_nonnull (strstr (error->message, "layers[1] \"relu0\": \"inputs\""));
}

/* One bad layer does not blank the rest: a pool kernel larger than its
 * input fails that layer; the layers before it, and a branch that does
 * not read it, are analysed as usual; the layers after it are not. */
static const char partial_json[] =
  "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"partial\", \"layers\": ["
  "{\"name\": \"data\", \"type\": \"input\", \"shape\": [1, 28, 28]},"
  "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3},"
  "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2},"
  "{\"name\": \"pool2\", \"type\": \"max_pool\", \"kernel\": 40},"
  "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10},"
  "{\"name\": \"side\", \"type\": \"flatten\", \"inputs\": [\"pool1\"]},"
  "{\"name\": \"side_fc\", \"type\": \"dense\", \"units\": 5}]}";

static void
test_partial_analysis (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (partial_json, -1, &error);
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeAnalysis) whole = NULL;
  EnvelopeErrorLocation location = { -2, NULL };
  const EnvelopeTotals *t;
  const GError *failure;

  g_assert_no_error (error);

  /* the whole analysis fails as before */
  whole = envelope_analysis_new (network, NULL, &location, &error);
  g_assert_null (whole);
  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE);
  g_assert_cmpint (location.layer, ==, 3);
  g_clear_error (&error);

  analysis = envelope_analysis_new_partial (network, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  g_assert_true (envelope_analysis_is_partial (analysis));
  failure = envelope_analysis_get_error (analysis, &location);
  g_assert_error (failure, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OUTPUT_SIZE);
  g_assert_nonnull (strstr (failure->message, "layers[3] \"pool2\": \"kernel\""));
  g_assert_cmpint (location.layer, ==, 3);
  g_assert_cmpstr (location.field, ==, "kernel");

  /* conv1: 32 × 3 × 3 × 1 + 32 = 320; pool1: 32×13×13; side_fc: 5408 × 5 + 5 */
  g_assert_cmpint (envelope_analysis_get_layer (analysis, 1)->state, ==, ENVELOPE_LAYER_ANALYSED);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 1)->params, ==, 320);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 2)->activations, ==, 32 * 13 * 13);
  g_assert_cmpint (envelope_analysis_get_layer (analysis, 3)->state, ==, ENVELOPE_LAYER_FAILED);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 3)->activations, ==, 0);
  g_assert_cmpint (envelope_analysis_get_layer (analysis, 4)->state, ==, ENVELOPE_LAYER_NOT_ANALYSED);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 4)->params, ==, 0);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 4)->n_inputs, ==, 1);
  g_assert_cmpint (envelope_analysis_get_layer (analysis, 6)->state, ==, ENVELOPE_LAYER_ANALYSED);
  g_assert_cmpuint (envelope_analysis_get_layer (analysis, 6)->params, ==, 5408 * 5 + 5);
  g_assert_cmpuint (envelope_analysis_get_n_analysed (analysis), ==, 5);

  t = envelope_analysis_get_totals (analysis);
  g_assert_cmpuint (t->params, ==, 320 + 5408 * 5 + 5);
  g_assert_cmpuint (t->macs, ==, 26 * 26 * 32 * 9 + 5408 * 5);

  /* a layer without figures has no formulas; an analysed one has */
  {
    char **formulas = envelope_analysis_explain_layer (analysis, 4);

    for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
      g_assert_null (formulas[k]);
    envelope_formulas_free (formulas);
    formulas = envelope_analysis_explain_layer (analysis, 1);
    g_assert_nonnull (formulas[ENVELOPE_FIGURE_WEIGHTS]);
    envelope_formulas_free (formulas);
  }
}

/* The first bad layer in file order is the one named, whatever stage
 * found it; a valid network's partial analysis is a whole one. */
static void
test_partial_first_error (void)
{
  g_autoptr(EnvelopeNetwork) network = envelope_network_new ("two errors");
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  EnvelopeErrorLocation location;
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  EnvelopeLayer *pool = envelope_layer_new (ENVELOPE_LAYER_MAX_POOL, "pool1");
  EnvelopeLayer *conv = envelope_layer_new (ENVELOPE_LAYER_CONV, "conv1");

  pool->kernel[0] = pool->kernel[1] = 500;      /* too large: found by the shapes */
  conv->kernel[0] = 0;                          /* out of range: found first, by validation */
  envelope_network_insert_layer (network, -1, input);
  envelope_network_insert_layer (network, -1, pool);
  envelope_network_insert_layer (network, -1, conv);

  analysis = envelope_analysis_new_partial (network, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (envelope_analysis_get_error (analysis, &location));
  g_assert_cmpint (location.layer, ==, 1);
  g_assert_cmpint (envelope_analysis_get_layer (analysis, 2)->state, ==, ENVELOPE_LAYER_FAILED);
  g_assert_cmpuint (envelope_analysis_get_n_analysed (analysis), ==, 1);
  g_clear_pointer (&analysis, envelope_analysis_free);

  pool->kernel[0] = pool->kernel[1] = 2;
  conv->kernel[0] = 3;
  analysis = envelope_analysis_new_partial (network, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (envelope_analysis_is_partial (analysis));
  g_assert_null (envelope_analysis_get_error (analysis, &location));
  g_assert_cmpint (location.layer, ==, -1);
  g_assert_cmpuint (envelope_analysis_get_n_analysed (analysis), ==, 3);
}

/* A layer name typed wrong: the closest names, for "did you mean". */
static void
test_suggest_layers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (partial_json, -1, &error);
  g_autofree const char **one = NULL;
  g_autofree const char **two = NULL;
  g_autofree const char **none = NULL;

  g_assert_no_error (error);
  one = envelope_network_suggest_layers (network, "conv_1");
  g_assert_nonnull (one);
  g_assert_cmpstr (one[0], ==, "conv1");
  g_assert_null (one[1]);
  two = envelope_network_suggest_layers (network, "pool");
  g_assert_nonnull (two);
  g_assert_cmpstr (two[0], ==, "pool1");
  g_assert_cmpstr (two[1], ==, "pool2");
  g_assert_null (two[2]);
  none = envelope_network_suggest_layers (network, "nosuchlayer");
  g_assert_null (none);
  /* the kinds use the same helper */
  g_assert_cmpstr (envelope_layer_kind_suggest ("maxpool"), ==, "max_pool");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  scratch = g_dir_make_tmp ("envelope-errors-XXXXXX", NULL);
  g_assert_nonnull (scratch);
  g_test_add_func ("/core/network/errors/deep-nesting", test_deep_nesting);
  g_test_add_func ("/core/network/errors/long-cycle", test_long_cycle);
  g_test_add_func ("/core/network/errors/many-keys", test_many_keys);
  g_test_add_func ("/core/network/errors/root-array", test_root_array);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/core/network/errors/", cases[i].path, NULL);
      g_test_add_data_func (path, &cases[i], test_error_case);
    }
  g_test_add_func ("/core/network/errors/analysis-validates", test_error_analysis_validates);
  g_test_add_func ("/core/network/errors/missing-file", test_error_missing_file);
  g_test_add_func ("/core/network/errors/partial", test_partial_analysis);
  g_test_add_func ("/core/network/errors/partial-first-error", test_partial_first_error);
  g_test_add_func ("/core/network/errors/suggest-layers", test_suggest_layers);
  g_test_add_func ("/core/network/errors/file-prefix", test_error_file_prefix);

  status = g_test_run ();
  g_rmdir (scratch);
  g_free (scratch);
  return status;
}
