/* test-import-keras.c: Keras models read from model.to_json() and .keras
 * archives
 *
 * The fixtures in data/import/keras/ follow Keras's own to_json() output
 * (build-aux/make-keras-fixtures.py writes them).  The parameter counts
 * are Keras's, worked by hand: Conv2D(32, 3) on one channel 320,
 * Dense(10) on 1,600 inputs 16,010 (the MNIST example's 34,826 in all);
 * LSTM(64) on 100 features 4·64·(100 + 64) + 4·64 = 42,240 (one bias
 * vector); GRU(16, reset_after=True) on 32 features 3·16·(32 + 16) +
 * 2·3·16 = 2,400 per direction; MultiHeadAttention(4, key_dim=32) on
 * 128 features 4 × (128·128 + 128) = 66,048; BatchNormalization(C) 4·C,
 * 2·C of them non-trainable.
 *
 * Cross-checked with PyTorch 1.13 where the conventions match: the same
 * MNIST network has 34,826 parameters; the ResNet block 74,634 plus 256
 * buffers; the MobileNet stem 14,346 plus 384, its second depthwise
 * convolution (after ZeroPad2d((0, 1, 0, 1))) giving [64, 56, 56];
 * nn.MultiheadAttention(128, 4) 66,048; a bidirectional nn.GRU(32, 16)
 * 4,800 (two bias vectors, as reset_after); nn.LSTM(100, 64) 42,496, its
 * second bias vector (256) being what Keras does not have.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-import-keras"

#include "config.h"

#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import.h"

static EnvelopeNetwork *
load (const char  *file,
      GPtrArray  **notes,
      GError     **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", "keras", file, NULL);

  return envelope_import_load_file (path, NULL, notes, error);
}

static gboolean
has_note (GPtrArray  *notes,
          const char *text)
{
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    if (strstr (g_ptr_array_index (notes, i), text) != NULL)
      return TRUE;
  return FALSE;
}

static EnvelopeAnalysis *
analyse (EnvelopeNetwork *network)
{
  g_autoptr(GError) error = NULL;
  EnvelopeAnalysis *analysis = envelope_analysis_new (network, &network->training, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  return analysis;
}

static const EnvelopeLayerFigures *
figures (EnvelopeAnalysis *analysis,
         const char       *name)
{
  gint index = envelope_network_find_layer (envelope_analysis_get_network (analysis), name);

  g_assert_cmpint (index, >=, 0);
  return envelope_analysis_get_layer (analysis, (guint) index);
}

static void
assert_shape (const EnvelopeLayerFigures *f,
              guint                       rank,
              guint64                     a,
              guint64                     b,
              guint64                     c)
{
  guint64 want[3] = { a, b, c };

  g_assert_cmpuint (f->rank, ==, rank);
  for (guint i = 0; i < rank && i < 3; i++)
    g_assert_cmpuint (f->shape[i], ==, want[i]);
}

typedef struct
{
  const char *file;
  guint layers;
  guint64 params, trainable, macs;
  const char *last;
  guint rank;
  guint64 shape[3];
} Case;

static void
test_fixtures (void)
{
  static const Case cases[] = {
    /* Sequential, Keras 2: 34,826 as Keras's MNIST example says. */
    { "mnist-cnn-keras2.json", 11, 34826, 34826, 2440960, "dense_softmax", 1, { 10 } },
    /* conv 36,864 × 2, BN 256 × 2 (128 non-trainable each), fc 650. */
    { "resnet-block-keras2.json", 11, 74890, 74634, 75498112, "fc_softmax", 1, { 10 } },
    /* 864 + 128 + 288 + 128 + 2,048 + 256 + 576 + 256 + (576 + 8,320) + 1,290. */
    { "mobilenet-block-keras3.json", 20, 14730, 14346, 69444864, "predictions_softmax", 1, { 10 } },
    /* 1,000,000 + 42,240 + 65; LSTM MACs 200 × 4·64·164 = 8,396,800. */
    { "lstm-text-keras2.json", 5, 1042305, 1042305, 8396864, "dense_sigmoid", 1, { 1 } },
    { "lstm-text-keras3.json", 5, 1042305, 1042305, 8396864, "dense_sigmoid", 1, { 1 } },
    /* 66,048 + 2 × 256 + 33,024 + 32,896. */
    { "mha-block-keras3.json", 9, 132480, 132480, 9437184, "ln2", 2, { 64, 128 } },
    /* A .keras zip: Conv2D(16, 3) on 3 channels 448, Dense(10) on 16 170. */
    { "nested.keras", 6, 618, 618, 442528, "head_softmax", 1, { 10 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) notes = NULL;
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file, &notes, &error);
      EnvelopeAnalysis *analysis;
      const EnvelopeTotals *totals;

      g_test_message ("%s", cases[i].file);
      g_assert_no_error (error);
      g_assert_nonnull (network);
      g_assert_cmpuint (envelope_network_get_n_layers (network), ==, cases[i].layers);
      analysis = analyse (network);
      totals = envelope_analysis_get_totals (analysis);
      g_assert_cmpuint (totals->params, ==, cases[i].params);
      g_assert_cmpuint (totals->trainable_params, ==, cases[i].trainable);
      g_assert_cmpuint (totals->macs, ==, cases[i].macs);
      assert_shape (figures (analysis, cases[i].last), cases[i].rank,
                    cases[i].shape[0], cases[i].shape[1], cases[i].shape[2]);
      envelope_analysis_free (analysis);
    }
}

static void
test_details (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(EnvelopeNetwork) network = load ("mobilenet-block-keras3.json", &notes, &error);
  EnvelopeAnalysis *analysis;
  const EnvelopeLayer *dw;

  g_assert_no_error (error);
  analysis = analyse (network);
  /* (224, 224, 3) became [3, 224, 224]; "same" with stride 2 halves. */
  assert_shape (figures (analysis, "input_layer"), 3, 3, 224, 224);
  assert_shape (figures (analysis, "conv1"), 3, 32, 112, 112);
  /* ((0, 1), (0, 1)) padding: one more row and column, then 3×3 /2 valid. */
  assert_shape (figures (analysis, "conv_pad_2"), 3, 64, 113, 113);
  assert_shape (figures (analysis, "conv_dw_2"), 3, 64, 56, 56);
  dw = envelope_network_get_layer (network, (guint) envelope_network_find_layer (network, "conv_dw_1"));
  g_assert_cmpint (dw->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpint (dw->groups, ==, 32);
  g_assert_cmpint (dw->filters, ==, 32);
  g_assert_true (dw->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_GROUPS));
  g_assert_true (dw->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL));
  g_assert_cmpint (dw->padding_mode, ==, ENVELOPE_PADDING_SAME);
  g_assert_cmpuint (figures (analysis, "sep_depthwise")->params, ==, 576);
  g_assert_cmpuint (figures (analysis, "sep_pointwise")->params, ==, 8320);
  g_assert_true (has_note (notes, "channels-last"));
  g_assert_true (has_note (notes, "conv_pad_2"));
  envelope_analysis_free (analysis);
  g_clear_pointer (&network, envelope_network_free);
  g_clear_pointer (&notes, g_ptr_array_unref);

  /* The nested model's layers carry its name, and group by it. */
  network = load ("nested.keras", &notes, &error);
  g_assert_no_error (error);
  {
    gint conv = envelope_network_find_layer (network, "base/conv");
    g_assert_cmpint (conv, >=, 0);
    g_assert_cmpstr (envelope_network_get_layer (network, (guint) conv)->group, ==, "base");
    g_assert_cmpstr (envelope_network_get_layer (network, (guint) conv)->inputs[0], ==, "image");
  }
  g_clear_pointer (&network, envelope_network_free);
  g_clear_pointer (&notes, g_ptr_array_unref);

  /* Keras's LSTM: one bias vector; return_sequences false. */
  network = load ("lstm-text-keras2.json", &notes, &error);
  g_assert_no_error (error);
  {
    const EnvelopeLayer *lstm = envelope_network_get_layer (network, (guint) envelope_network_find_layer (network, "lstm"));
    g_assert_cmpint (lstm->type, ==, ENVELOPE_LAYER_LSTM);
    g_assert_cmpint (lstm->bias_convention, ==, ENVELOPE_BIAS_CONVENTION_SINGLE);
    g_assert_false (lstm->sequences);
    g_assert_cmpint (lstm->hidden, ==, 64);
  }
  analysis = analyse (network);
  g_assert_cmpuint (figures (analysis, "lstm")->params, ==, 42240);
  g_assert_cmpuint (figures (analysis, "lstm")->macs, ==, 8396800);
  g_assert_cmpuint (figures (analysis, "embedding")->params, ==, 1000000);
  assert_shape (figures (analysis, "embedding"), 2, 200, 100, 0);
  envelope_analysis_free (analysis);
}

typedef struct
{
  const char *name;
  const char *json;
  guint64 params;
  const char *layer;       /* a layer whose shape is checked */
  guint rank;
  guint64 shape[3];
  const char *note;        /* a note expected, or NULL */
} Inline;

#define K3_TENSOR(name) "{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"" name "\", 0, 0]}}"

static void
test_inline (void)
{
  static const Inline cases[] = {
    /* Keras 3 Sequential; Dense(128) on 784 inputs is 100,480. */
    { "keras3-sequential",
      "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"mlp\", \"layers\": ["
      "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 784], \"name\": \"input_layer\"}, \"registered_name\": null},"
      "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 128, \"activation\": \"relu\"}, \"registered_name\": null},"
      "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 10, \"activation\": \"softmax\"}, \"registered_name\": null}]}}",
      101770, "dense", 1, { 128 }, NULL },
    /* A text CNN: the embedding's tokens turned into the map Conv1D
     * reads; 320,000 + 41,088 + 129. */
    { "text-cnn",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"cnn\", \"layers\": ["
      "{\"class_name\": \"Embedding\", \"config\": {\"name\": \"emb\", \"batch_input_shape\": [null, 100], \"input_dim\": 5000, \"output_dim\": 64}},"
      "{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"conv\", \"filters\": 128, \"kernel_size\": [5], \"strides\": [1], \"padding\": \"valid\", \"activation\": \"relu\"}},"
      "{\"class_name\": \"GlobalMaxPooling1D\", \"config\": {\"name\": \"pool\"}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 1, \"activation\": \"sigmoid\"}}]}}",
      361217, "conv", 2, { 128, 96 }, NULL },
    /* Bidirectional GRU with reset_after: 2 × 2,400, then Dense(4) per
     * token 132. */
    { "bidirectional-gru",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"rnn\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 50, 32]}},"
      "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\": \"concat\", \"layer\": "
      "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 16, \"return_sequences\": true, \"reset_after\": true}}}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 4}}]}}",
      4932, "bi", 2, { 50, 32 }, NULL },
    /* Concatenate on the last axis of (H, W, C) is Envelope's axis 0. */
    { "concatenate",
      "{\"class_name\": \"Functional\", \"config\": {\"name\": \"cat\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"x\", \"config\": {\"name\": \"x\", \"batch_input_shape\": [null, 8, 8, 3]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"Conv2D\", \"name\": \"a\", \"config\": {\"name\": \"a\", \"filters\": 4, \"kernel_size\": [1, 1]}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
      "{\"class_name\": \"Conv2D\", \"name\": \"b\", \"config\": {\"name\": \"b\", \"filters\": 6, \"kernel_size\": [1, 1]}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
      "{\"class_name\": \"Concatenate\", \"name\": \"c\", \"config\": {\"name\": \"c\", \"axis\": -1}, \"inbound_nodes\": [[[\"a\", 0, 0, {}], [\"b\", 0, 0, {}]]]}],"
      "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"c\", 0, 0]]}}",
      40, "c", 3, { 10, 8, 8 }, NULL },
    /* Keras 2 cross-attention: the value tensor in the call's kwargs.
     * Wq 128, Wk 64, Wv 64, Wo 128, biases 8 + 8 + 8 + 16. */
    { "cross-attention",
      "{\"class_name\": \"Functional\", \"config\": {\"name\": \"xattn\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"q\", \"config\": {\"name\": \"q\", \"batch_input_shape\": [null, 10, 16]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"InputLayer\", \"name\": \"kv\", \"config\": {\"name\": \"kv\", \"batch_input_shape\": [null, 20, 8]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"MultiHeadAttention\", \"name\": \"mha\", \"config\": {\"name\": \"mha\", \"num_heads\": 2, \"key_dim\": 4}, "
      "\"inbound_nodes\": [[[\"q\", 0, 0, {\"value\": [\"kv\", 0, 0]}]]]}],"
      "\"input_layers\": [[\"q\", 0, 0], [\"kv\", 0, 0]], \"output_layers\": [[\"mha\", 0, 0]]}}",
      424, "mha", 2, { 10, 16 }, NULL },
    /* SimpleRNN and a Lambda have no kind: unknown, with the shape
     * SimpleRNN gives ([units]); Dense(2) on 4 is 10. */
    { "unknown-layers",
      "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"rnn\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 10, 8]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"Lambda\", \"name\": \"fn\", \"config\": {\"name\": \"fn\"}, \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("in") "], \"kwargs\": {}}]},"
      "{\"class_name\": \"SimpleRNN\", \"name\": \"rnn\", \"config\": {\"name\": \"rnn\", \"units\": 4}, \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("fn") "], \"kwargs\": {}}]},"
      "{\"class_name\": \"Dense\", \"name\": \"out\", \"config\": {\"name\": \"out\", \"units\": 2}, \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("rnn") "], \"kwargs\": {}}]}],"
      "\"input_layers\": [\"in\", 0, 0], \"output_layers\": [\"out\", 0, 0]}}",
      10, "rnn", 1, { 4 }, "Lambda" },
    /* A layer called twice (a Siamese encoder): its parameters once,
     * 136 + 9 as Keras counts them. */
    { "shared-layer",
      "{\"class_name\": \"Functional\", \"config\": {\"name\": \"siamese\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"a\", \"config\": {\"name\": \"a\", \"batch_input_shape\": [null, 16]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"InputLayer\", \"name\": \"b\", \"config\": {\"name\": \"b\", \"batch_input_shape\": [null, 16]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"Dense\", \"name\": \"enc\", \"config\": {\"name\": \"enc\", \"units\": 8, \"activation\": \"relu\"}, "
      "\"inbound_nodes\": [[[\"a\", 0, 0, {}]], [[\"b\", 0, 0, {}]]]},"
      "{\"class_name\": \"Subtract\", \"name\": \"diff\", \"config\": {\"name\": \"diff\"}, \"inbound_nodes\": [[[\"enc\", 0, 0, {}], [\"enc\", 1, 0, {}]]]},"
      "{\"class_name\": \"Dense\", \"name\": \"out\", \"config\": {\"name\": \"out\", \"units\": 1, \"activation\": \"sigmoid\"}, \"inbound_nodes\": [[[\"diff\", 0, 0, {}]]]}],"
      "\"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [[\"out\", 0, 0]]}}",
      145, "enc@1", 1, { 8 }, "called more than once" },
    /* A decoder: Conv2DTranspose "same" doubles (16·9·8 + 8 = 1,160),
     * an uneven crop keeps its size, Permute((3, 1, 2)) of (14, 12, 8)
     * is (8, 14, 12), channels-last: [12, 8, 14]; Reshape((-1, 12))
     * makes 112 tokens, and TimeDistributed(Dense(5)) acts on each (65). */
    { "decoder",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"dec\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 8, 8, 16]}},"
      "{\"class_name\": \"Conv2DTranspose\", \"config\": {\"name\": \"up\", \"filters\": 8, \"kernel_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"same\", \"output_padding\": null}},"
      "{\"class_name\": \"Cropping2D\", \"config\": {\"name\": \"crop\", \"cropping\": [[1, 1], [2, 2]]}},"
      "{\"class_name\": \"Permute\", \"config\": {\"name\": \"perm\", \"dims\": [3, 1, 2]}},"
      "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"tokens\", \"target_shape\": [-1, 12]}},"
      "{\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\": "
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 5}}}}]}}",
      1225, "td", 2, { 112, 5 }, NULL },
    /* A Sequential inside a Sequential (Keras 2): its layers are named
     * and grouped by it; Dense(8) on 4 is 40, Dense(2) on 8 18. */
    { "nested-sequential",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 4]}},"
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"inner\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"inner_in\", \"batch_input_shape\": [null, 4]}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"hidden\", \"units\": 8, \"activation\": \"tanh\"}}]}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 2}}]}}",
      58, "inner/hidden", 1, { 8 }, NULL },
    /* channels_first: (3, 32, 32) is read as it stands; 3·9·16 + 16. */
    { "channels-first",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"cf\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 3, 32, 32]}},"
      "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv\", \"filters\": 16, \"kernel_size\": [3, 3], \"strides\": [2, 2], \"data_format\": \"channels_first\"}}]}}",
      448, "conv", 3, { 16, 15, 15 }, NULL },
    /* Open sizes (None) are given a value, and the note says which. */
    { "open-sizes",
      "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"fcn\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, null, null, 3]}},"
      "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv\", \"filters\": 8, \"kernel_size\": 3, \"padding\": \"same\", \"use_bias\": false}},"
      "{\"class_name\": \"ZeroPadding2D\", \"config\": {\"name\": \"pad\", \"padding\": [[1, 1], [1, 1]]}},"
      "{\"class_name\": \"UpSampling2D\", \"config\": {\"name\": \"up\", \"size\": [2, 2]}}]}}",
      216, "up", 3, { 8, 452, 452 }, "None" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) notes = NULL;
      g_autoptr(EnvelopeNetwork) network = NULL;
      EnvelopeFileFormat format;
      EnvelopeAnalysis *analysis;

      g_test_message ("%s", cases[i].name);
      network = envelope_import_load_data ((const guint8 *) cases[i].json, strlen (cases[i].json),
                                           NULL, &format, &notes, &error);
      g_assert_no_error (error);
      g_assert_cmpint (format, ==, ENVELOPE_FILE_KERAS_JSON);
      analysis = analyse (network);
      g_assert_cmpuint (envelope_analysis_get_totals (analysis)->params, ==, cases[i].params);
      assert_shape (figures (analysis, cases[i].layer), cases[i].rank,
                    cases[i].shape[0], cases[i].shape[1], cases[i].shape[2]);
      if (cases[i].note != NULL)
        g_assert_true (has_note (notes, cases[i].note));
      envelope_analysis_free (analysis);
    }
}

/* Two branches come out in the file's order, not interleaved. */
static void
test_order (void)
{
  static const char json[] =
    "{\"class_name\": \"Functional\", \"config\": {\"name\": \"inc\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"name\": \"x\", \"config\": {\"name\": \"x\", \"batch_input_shape\": [null, 8, 8, 3]}, \"inbound_nodes\": []},"
    "{\"class_name\": \"Conv2D\", \"name\": \"a1\", \"config\": {\"name\": \"a1\", \"filters\": 4, \"kernel_size\": [1, 1]}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
    "{\"class_name\": \"Conv2D\", \"name\": \"a2\", \"config\": {\"name\": \"a2\", \"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\"}, \"inbound_nodes\": [[[\"a1\", 0, 0, {}]]]},"
    "{\"class_name\": \"Conv2D\", \"name\": \"b1\", \"config\": {\"name\": \"b1\", \"filters\": 6, \"kernel_size\": [1, 1]}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
    "{\"class_name\": \"Conv2D\", \"name\": \"b2\", \"config\": {\"name\": \"b2\", \"filters\": 6, \"kernel_size\": [3, 3], \"padding\": \"same\"}, \"inbound_nodes\": [[[\"b1\", 0, 0, {}]]]},"
    "{\"class_name\": \"Concatenate\", \"name\": \"c\", \"config\": {\"name\": \"c\", \"axis\": 3}, \"inbound_nodes\": [[[\"a2\", 0, 0, {}], [\"b2\", 0, 0, {}]]]}],"
    "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"c\", 0, 0]]}}";
  static const char *const names[] = { "x", "a1", "a2", "b1", "b2", "c" };
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_import_load_data ((const guint8 *) json, strlen (json),
                                                                  NULL, NULL, NULL, &error);
  EnvelopeAnalysis *analysis;

  g_assert_no_error (error);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (envelope_network_get_layer (network, i)->name, ==, names[i]);
  /* Concatenate(axis=3) of (8, 8, 4) and (8, 8, 6): the channels. */
  analysis = analyse (network);
  assert_shape (figures (analysis, "c"), 3, 10, 8, 8);
  g_assert_cmpuint (envelope_analysis_get_totals (analysis)->params, ==, 16 + 148 + 24 + 330);
  envelope_analysis_free (analysis);
}

typedef struct
{
  const char *file;
  EnvelopeImportError code;
  const char *words[3];
} Hostile;

static void
test_hostile (void)
{
  static const Hostile cases[] = {
    { "truncated.json", ENVELOPE_IMPORT_ERROR_CORRUPT, { "not valid JSON", NULL } },
    { "no-config.keras", ENVELOPE_IMPORT_ERROR_CORRUPT, { "config.json", NULL } },
    { "bomb.keras", ENVELOPE_IMPORT_ERROR_TOO_LARGE, { "config.json", "64 MiB", NULL } },
    { "bomb-lying.keras", ENVELOPE_IMPORT_ERROR_TOO_LARGE, { "config.json", "unpacks to more than 64 MiB", NULL } },
    { "unknown-inbound.json", ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"conv2\"", "inbound_nodes", "\"nope\"" } },
    { "cycle.json", ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"conv1\"", "inbound_nodes", "cycle" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EnvelopeNetwork) network = load (cases[i].file, NULL, &error);

      g_test_message ("%s: %s", cases[i].file, error != NULL ? error->message : "(no error)");
      g_assert_null (network);
      g_assert_error (error, ENVELOPE_IMPORT_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].file));
      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w] != NULL; w++)
        g_assert_nonnull (strstr (error->message, cases[i].words[w]));
    }
}

static void
test_hostile_inline (void)
{
  static const struct { const char *json; EnvelopeImportError code; const char *words[2]; } cases[] = {
    /* A layer without its field. */
    { "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 4]}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\"}}]}}",
      ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"d\"", "units" } },
    /* No input shape at all. */
    { "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": ["
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3}}]}}",
      ENVELOPE_IMPORT_ERROR_UNSUPPORTED, { "\"d\"", "batch_input_shape" } },
    /* Keras 3 tensors naming a layer that is not there. */
    { "{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 4]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 3}, \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("ghost") "]}]}],"
      "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}}",
      ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"ghost\"", "inbound_nodes" } },
    /* A layer reading itself. */
    { "{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 4]}, \"inbound_nodes\": []},"
      "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 3}, \"inbound_nodes\": [[[\"d\", 0, 0, {}]]]}],"
      "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}}",
      ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"d\"", "inbound_nodes" } },
    /* Rank 5 after the batch. */
    { "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": ["
      "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 2, 2, 2, 2, 2]}}]}}",
      ENVELOPE_IMPORT_ERROR_CORRUPT, { "\"in\"", "batch_shape" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EnvelopeNetwork) network = NULL;

      network = envelope_import_load_data ((const guint8 *) cases[i].json, strlen (cases[i].json),
                                           NULL, NULL, NULL, &error);
      g_test_message ("%u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (network);
      g_assert_error (error, ENVELOPE_IMPORT_ERROR, (gint) cases[i].code);
      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words); w++)
        g_assert_nonnull (strstr (error->message, cases[i].words[w]));
    }

  /* Nesting deeper than json-glib's recursion should see. */
  {
    g_autoptr(GString) deep = g_string_new ("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ");
    g_autoptr(GError) error = NULL;
    g_autoptr(EnvelopeNetwork) network = NULL;

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    network = envelope_import_load_data ((const guint8 *) deep->str, deep->len, NULL, NULL, NULL, &error);
    g_assert_null (network);
    g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/keras/fixtures", test_fixtures);
  g_test_add_func ("/import/keras/details", test_details);
  g_test_add_func ("/import/keras/inline", test_inline);
  g_test_add_func ("/import/keras/order", test_order);
  g_test_add_func ("/import/keras/hostile", test_hostile);
  g_test_add_func ("/import/keras/hostile-inline", test_hostile_inline);

  return g_test_run ();
}
