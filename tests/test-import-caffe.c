/* test-import-caffe.c: Caffe prototxt files, both syntaxes
 *
 * The full networks are BVLC's deploy definitions: AlexNet's 60,965,224
 * parameters and GoogLeNet's 6,998,552 are the counts of Caffe's own
 * weight blobs for them; LeNet's 431,080 is Caffe's MNIST example.  The
 * shapes follow Caffe's rules (pooling rounds up), worked by hand in
 * the fixtures' comments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-import-caffe"

#include "config.h"

#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import-private.h"

typedef struct
{
  EnvelopeNetwork *network;
  EnvelopeAnalysis *analysis;
  GPtrArray *notes;
} Imported;

static void
imported_free (Imported *imported)
{
  g_clear_pointer (&imported->analysis, envelope_analysis_free);
  g_clear_pointer (&imported->network, envelope_network_free);
  g_clear_pointer (&imported->notes, g_ptr_array_unref);
  g_free (imported);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", "caffe", name, NULL);
}

static Imported *
import (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  EnvelopeFileFormat format = ENVELOPE_FILE_UNKNOWN;
  Imported *imported = g_new0 (Imported, 1);

  imported->network = envelope_import_load_file (path, &format, &imported->notes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, ENVELOPE_FILE_CAFFE);
  imported->analysis = envelope_analysis_new (imported->network, NULL, NULL, &error);
  g_assert_no_error (error);
  return imported;
}

static const EnvelopeLayerFigures *
figures (Imported   *imported,
         const char *name)
{
  gint index = envelope_network_find_layer (imported->network, name);

  if (index < 0)
    g_error ("no layer named %s", name);
  return envelope_analysis_get_layer (imported->analysis, (guint) index);
}

static const EnvelopeLayer *
layer (Imported   *imported,
       const char *name)
{
  gint index = envelope_network_find_layer (imported->network, name);

  if (index < 0)
    g_error ("no layer named %s", name);
  return envelope_network_get_layer (imported->network, (guint) index);
}

static void
assert_shape (Imported   *imported,
              const char *name,
              guint       rank,
              guint64     a,
              guint64     b,
              guint64     c)
{
  const EnvelopeLayerFigures *f = figures (imported, name);
  guint64 expected[3] = { a, b, c };

  g_assert_cmpuint (f->rank, ==, rank);
  for (guint i = 0; i < MIN (rank, 3); i++)
    if (f->shape[i] != expected[i])
      g_error ("%s: axis %u is %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
               name, i, f->shape[i], expected[i]);
}

static gboolean
has_note (Imported   *imported,
          const char *part)
{
  for (guint i = 0; i < imported->notes->len; i++)
    if (strstr (g_ptr_array_index (imported->notes, i), part) != NULL)
      return TRUE;
  return FALSE;
}

static const EnvelopeLayer *
input_of (Imported   *imported,
          const char *name,
          guint       i)
{
  const EnvelopeLayerFigures *f = figures (imported, name);

  g_assert_cmpuint (i, <, f->n_inputs);
  return envelope_network_get_layer (imported->network, f->inputs[i]);
}

static void
test_alexnet (void)
{
  g_autoptr(Imported) net = import ("bvlc_alexnet.prototxt");
  const EnvelopeTotals *totals = envelope_analysis_get_totals (net->analysis);

  g_assert_cmpstr (net->network->name, ==, "AlexNet");
  g_assert_cmpuint (envelope_network_get_n_layers (net->network), ==, 24);
  g_assert_cmpuint (totals->params, ==, 60965224);
  g_assert_cmpuint (totals->non_trainable_params, ==, 0);
  g_assert_cmpuint (totals->macs, ==, 724406816);
  /* grouped convolutions: 256 × 48 × 5 × 5 + 256 */
  g_assert_cmpint (layer (net, "conv2")->groups, ==, 2);
  g_assert_cmpuint (figures (net, "conv2")->params, ==, 307456);
  g_assert_cmpuint (figures (net, "fc6")->params, ==, 37752832);
  g_assert_cmpint (layer (net, "norm1")->type, ==, ENVELOPE_LAYER_LRN);
  /* ceil pooling: ⌈(55 − 3) / 2⌉ + 1 = 27; 13 → 6 */
  assert_shape (net, "data", 3, 3, 227, 227);
  assert_shape (net, "conv1", 3, 96, 55, 55);
  assert_shape (net, "pool1", 3, 96, 27, 27);
  assert_shape (net, "pool2", 3, 256, 13, 13);
  assert_shape (net, "pool5", 3, 256, 6, 6);
  assert_shape (net, "prob", 1, 1000, 0, 0);
  g_assert_cmpint (layer (net, "pool1")->rounding, ==, ENVELOPE_ROUNDING_CEIL);
  /* relu1 works in place: norm1 reads it, not conv1 */
  g_assert_cmpstr (input_of (net, "norm1", 0)->name, ==, "relu1");
  g_assert_cmpstr (input_of (net, "fc7", 0)->name, ==, "drop6");
  g_assert_true (has_note (net, "batch of 10"));
}

static void
test_googlenet (void)
{
  g_autoptr(Imported) net = import ("bvlc_googlenet.prototxt");
  const EnvelopeTotals *totals = envelope_analysis_get_totals (net->analysis);
  const EnvelopeLayerFigures *output;

  g_assert_cmpstr (net->network->name, ==, "GoogleNet");
  g_assert_cmpuint (envelope_network_get_n_layers (net->network), ==, 143);
  g_assert_cmpuint (totals->params, ==, 6998552);
  g_assert_cmpuint (totals->macs, ==, 1582671872);
  assert_shape (net, "conv1/7x7_s2", 3, 64, 112, 112);
  assert_shape (net, "pool1/3x3_s2", 3, 64, 56, 56);
  assert_shape (net, "pool2/3x3_s2", 3, 192, 28, 28);
  assert_shape (net, "inception_3a/output", 3, 256, 28, 28);
  assert_shape (net, "inception_3b/output", 3, 480, 28, 28);
  assert_shape (net, "pool3/3x3_s2", 3, 480, 14, 14);
  assert_shape (net, "inception_4e/output", 3, 832, 14, 14);
  assert_shape (net, "pool4/3x3_s2", 3, 832, 7, 7);
  assert_shape (net, "inception_5b/output", 3, 1024, 7, 7);
  assert_shape (net, "pool5/7x7_s1", 3, 1024, 1, 1);
  /* the 5×5 branch as Caffe has it: 32 × 16 × 25 + 32 */
  g_assert_cmpuint (figures (net, "inception_3a/5x5")->params, ==, 12832);
  g_assert_cmpuint (figures (net, "loss3/classifier")->params, ==, 1025000);
  /* the concat reads the in-place ReLUs after each branch */
  output = figures (net, "inception_3a/output");
  g_assert_cmpuint (output->n_inputs, ==, 4);
  g_assert_cmpstr (input_of (net, "inception_3a/output", 0)->name, ==, "inception_3a/relu_1x1");
  g_assert_cmpstr (input_of (net, "inception_3a/output", 3)->name, ==, "inception_3a/relu_pool_proj");
  g_assert_cmpstr (input_of (net, "inception_3a/3x3_reduce", 0)->name, ==, "pool2/3x3_s2");
}

/* Kaiming He's ResNet-50 (the stride on the first 1×1 of a stage, as
 * the Caffe release has it): a BatchNorm and a Scale after every
 * convolution.  Trainable: torchvision's 25,557,032 plus conv1's 64
 * biases (Caffe's conv1 keeps its bias); non-trainable: the running
 * means and variances, 2 × 26,560. */
static void
test_resnet50 (void)
{
  g_autoptr(Imported) net = import ("resnet50.prototxt");
  const EnvelopeTotals *totals = envelope_analysis_get_totals (net->analysis);

  g_assert_cmpuint (envelope_network_get_n_layers (net->network), ==, 176);
  g_assert_cmpuint (totals->trainable_params, ==, 25557096);
  g_assert_cmpuint (totals->non_trainable_params, ==, 53120);
  g_assert_cmpuint (totals->params, ==, 25610216);
  g_assert_cmpuint (totals->macs, ==, 3857973248);
  assert_shape (net, "pool1", 3, 64, 56, 56);
  assert_shape (net, "res3a", 3, 512, 28, 28);
  assert_shape (net, "res5c", 3, 2048, 7, 7);
  g_assert_cmpint (envelope_network_find_layer (net->network, "scale_conv1"), <, 0);
  g_assert_cmpint (layer (net, "bn_conv1")->type, ==, ENVELOPE_LAYER_BATCH_NORM);
  /* the shortcut reads the block before through its in-place ReLU */
  g_assert_cmpstr (input_of (net, "res2b", 0)->name, ==, "res2a_relu");
  g_assert_cmpstr (input_of (net, "res2b", 1)->name, ==, "bn2b_branch2c");
  g_assert_cmpstr (input_of (net, "res2a", 0)->name, ==, "bn2a_branch1");
  g_assert_true (has_note (net, "53 BatchNorm layers and the Scale after each"));
}

static void
test_old_syntax (void)
{
  g_autoptr(Imported) net = import ("v1_lenet.prototxt");
  const EnvelopeTotals *totals = envelope_analysis_get_totals (net->analysis);

  g_assert_cmpuint (envelope_network_get_n_layers (net->network), ==, 9);
  g_assert_cmpuint (totals->params, ==, 431080);
  g_assert_cmpuint (totals->macs, ==, 2293000);
  assert_shape (net, "data", 3, 1, 28, 28);
  assert_shape (net, "conv2", 3, 50, 8, 8);
  assert_shape (net, "pool2", 3, 50, 4, 4);
  g_assert_cmpint (layer (net, "conv2")->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpint (layer (net, "ip1")->type, ==, ENVELOPE_LAYER_DENSE);
  g_assert_cmpint (layer (net, "prob")->type, ==, ENVELOPE_LAYER_SOFTMAX);
  g_assert_cmpstr (input_of (net, "ip2", 0)->name, ==, "relu1");
  g_assert_true (has_note (net, "batch of 64"));
}

static void
test_conv_forms (void)
{
  g_autoptr(Imported) net = import ("conv_forms.prototxt");
  const EnvelopeLayer *rect = layer (net, "rect"), *dilated = layer (net, "dilated");

  /* kernel_h/kernel_w, pad_h/pad_w, stride_h/stride_w */
  g_assert_cmpint (rect->kernel[0], ==, 3);
  g_assert_cmpint (rect->kernel[1], ==, 5);
  g_assert_cmpuint (figures (net, "rect")->params, ==, 8 * 4 * 15 + 8);
  assert_shape (net, "rect", 3, 8, 16, 24);
  /* dilation 2, group 4, no bias */
  g_assert_cmpint (dilated->dilation[0], ==, 2);
  g_assert_cmpint (dilated->groups, ==, 4);
  g_assert_false (dilated->bias);
  g_assert_true (dilated->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS));
  g_assert_cmpuint (figures (net, "dilated")->params, ==, 144);
  assert_shape (net, "dilated", 3, 8, 16, 24);
  /* one kernel_size per axis, and a list */
  assert_shape (net, "listed", 3, 6, 16, 12);
  g_assert_cmpuint (figures (net, "listed")->params, ==, 150);
  /* Deconvolution: (in − 1)·s + k − 2p; weights C_in × C_out / g × k² */
  g_assert_cmpint (layer (net, "up")->type, ==, ENVELOPE_LAYER_DECONV);
  assert_shape (net, "up", 3, 4, 32, 24);
  g_assert_cmpuint (figures (net, "up")->params, ==, 6 * 2 * 16 + 4);
  g_assert_cmpuint (envelope_analysis_get_totals (net->analysis)->macs, ==, 304128);
}

static void
test_pooling (void)
{
  g_autoptr(Imported) net = import ("pooling.prototxt");

  assert_shape (net, "ceil", 3, 16, 3, 3);
  assert_shape (net, "clipped", 3, 16, 2, 2);
  assert_shape (net, "floor", 3, 16, 2, 2);
  assert_shape (net, "stride1", 3, 16, 3, 4);
  assert_shape (net, "gmax", 3, 16, 1, 1);
  assert_shape (net, "gave", 3, 16, 1, 1);
  g_assert_cmpint (layer (net, "clipped")->type, ==, ENVELOPE_LAYER_AVG_POOL);
  g_assert_cmpint (layer (net, "floor")->rounding, ==, ENVELOPE_ROUNDING_FLOOR);
  g_assert_cmpint (layer (net, "gmax")->type, ==, ENVELOPE_LAYER_GLOBAL_MAX_POOL);
  g_assert_cmpint (layer (net, "gave")->type, ==, ENVELOPE_LAYER_GLOBAL_AVG_POOL);
}

static void
test_activations (void)
{
  g_autoptr(Imported) net = import ("activations.prototxt");

  g_assert_cmpint (layer (net, "leaky")->type, ==, ENVELOPE_LAYER_LEAKY_RELU);
  g_assert_cmpint (layer (net, "prelu")->type, ==, ENVELOPE_LAYER_PRELU);
  g_assert_cmpuint (figures (net, "prelu")->params, ==, 8);
  g_assert_cmpuint (figures (net, "prelu_shared")->params, ==, 1);
  g_assert_cmpint (layer (net, "elu")->type, ==, ENVELOPE_LAYER_ELU);
  g_assert_cmpint (layer (net, "sigmoid")->type, ==, ENVELOPE_LAYER_SIGMOID);
  g_assert_cmpint (layer (net, "tanh")->type, ==, ENVELOPE_LAYER_TANH);
  g_assert_cmpint (layer (net, "bnll")->type, ==, ENVELOPE_LAYER_SOFTPLUS);
  g_assert_cmpint (layer (net, "double")->type, ==, ENVELOPE_LAYER_SCALE);
  g_assert_cmpfloat (layer (net, "double")->factor, ==, 2.0);
  g_assert_cmpint (layer (net, "square")->type, ==, ENVELOPE_LAYER_UNKNOWN);
  g_assert_cmpstr (layer (net, "square")->operator_name, ==, "Power");
  g_assert_cmpint (layer (net, "prob")->type, ==, ENVELOPE_LAYER_SOFTMAX);
  g_assert_true (has_note (net, "Layers of unknown cost, not in the totals: Power."));
  /* in place: the chain of "a" runs through every layer */
  g_assert_cmpstr (input_of (net, "tanh", 0)->name, ==, "sigmoid");
  g_assert_cmpstr (input_of (net, "double", 0)->name, ==, "bnll");
  g_assert_cmpuint (envelope_analysis_get_totals (net->analysis)->params, ==, 9);
}

static void
test_batch_norm (void)
{
  g_autoptr(Imported) net = import ("batchnorm.prototxt");
  const EnvelopeLayerFigures *bn1 = figures (net, "bn1");

  /* BatchNorm and its Scale are one layer; the Scale's top is bn1's */
  g_assert_cmpint (envelope_network_find_layer (net->network, "scale1"), <, 0);
  g_assert_cmpint (layer (net, "bn1")->type, ==, ENVELOPE_LAYER_BATCH_NORM);
  g_assert_cmpuint (bn1->weights + bn1->biases, ==, 2 * 16);
  g_assert_cmpuint (bn1->non_trainable, ==, 2 * 16);
  g_assert_cmpstr (input_of (net, "relu1", 0)->name, ==, "bn1");
  /* a Scale alone: γ, no β */
  g_assert_cmpint (layer (net, "scale2")->type, ==, ENVELOPE_LAYER_SCALE);
  g_assert_true (layer (net, "scale2")->learned);
  g_assert_false (layer (net, "scale2")->bias);
  g_assert_cmpuint (figures (net, "scale2")->params, ==, 16);
  g_assert_cmpuint (figures (net, "bn3")->params, ==, 4 * 16);
  g_assert_cmpuint (envelope_analysis_get_totals (net->analysis)->params, ==, 432 + 64 + 16 + 64);
  g_assert_true (has_note (net, "2·C + 1"));
  g_assert_true (has_note (net, "1 BatchNorm layer has no Scale after it"));
}

static void
test_merge (void)
{
  g_autoptr(Imported) net = import ("merge.prototxt");
  const EnvelopeLayerFigures *sum = figures (net, "sum");

  /* one slice per top, at the slice points */
  assert_shape (net, "slice/s1", 3, 2, 4, 4);
  assert_shape (net, "slice/s2", 3, 3, 4, 4);
  assert_shape (net, "slice/s3", 3, 3, 4, 4);
  g_assert_cmpint (layer (net, "slice/s2")->start, ==, 2);
  g_assert_cmpint (layer (net, "slice/s2")->end, ==, 5);
  /* the concat reads the in-place ReLU for s2 */
  g_assert_cmpstr (input_of (net, "cat", 1)->name, ==, "relu_s2");
  assert_shape (net, "cat", 3, 8, 4, 4);
  /* Split makes no layer: its tops are the concat's output */
  g_assert_cmpint (envelope_network_find_layer (net->network, "split"), <, 0);
  g_assert_cmpuint (sum->n_inputs, ==, 2);
  g_assert_cmpstr (input_of (net, "sum", 0)->name, ==, "cat");
  g_assert_cmpstr (input_of (net, "prod", 1)->name, ==, "cat");
  g_assert_cmpint (layer (net, "sum")->type, ==, ENVELOPE_LAYER_ADD);
  g_assert_cmpint (layer (net, "prod")->type, ==, ENVELOPE_LAYER_MUL);
  g_assert_cmpint (layer (net, "max")->type, ==, ENVELOPE_LAYER_MAX);
  g_assert_cmpint (layer (net, "diff")->type, ==, ENVELOPE_LAYER_SUB);
  /* equal halves along the height, without slice points */
  assert_shape (net, "halves/h1", 3, 8, 2, 4);
  assert_shape (net, "halves/h2", 3, 8, 2, 4);
  g_assert_cmpint (layer (net, "cat_h")->axis, ==, -2);
  assert_shape (net, "cat_h", 3, 8, 4, 4);
}

static void
test_reshape (void)
{
  g_autoptr(Imported) net = import ("reshape.prototxt");

  assert_shape (net, "vector", 1, 128, 0, 0);
  assert_shape (net, "rows", 2, 8, 16, 0);
  g_assert_cmpint (figures (net, "rows")->layout, ==, ENVELOPE_TENSOR_MAP);
  g_assert_cmpint (layer (net, "flat")->type, ==, ENVELOPE_LAYER_FLATTEN);
  assert_shape (net, "flat", 1, 128, 0, 0);
  assert_shape (net, "flat2", 2, 8, 16, 0);
  /* InnerProduct flattens what it reads */
  g_assert_cmpuint (figures (net, "fc")->params, ==, 1280);
  assert_shape (net, "back", 3, 2, 8, 8);
  /* Permute without its batch axis */
  g_assert_cmpint (layer (net, "perm")->type, ==, ENVELOPE_LAYER_PERMUTE);
  assert_shape (net, "perm", 3, 4, 4, 8);
  /* along the batch: of unknown cost */
  g_assert_cmpint (layer (net, "batch_cat")->type, ==, ENVELOPE_LAYER_UNKNOWN);
  g_assert_cmpstr (layer (net, "batch_cat")->operator_name, ==, "Concat");
  g_assert_true (has_note (net, "\"batch_cat\" (Concat) works along the batch axis"));
}

static void
test_crop (void)
{
  g_autoptr(Imported) net = import ("crop.prototxt");

  assert_shape (net, "up", 3, 4, 18, 18);
  assert_shape (net, "crop", 3, 4, 16, 16);
  g_assert_cmpuint (figures (net, "crop")->n_inputs, ==, 2);
  g_assert_cmpstr (input_of (net, "crop", 1)->name, ==, "data");
  g_assert_cmpuint (figures (net, "up")->params, ==, 8 * 4 * 36);
  g_assert_true (has_note (net, "offsets"));
}

static void
test_scale_blob (void)
{
  g_autoptr(Imported) net = import ("scale_blob.prototxt");

  /* the gate [16] is laid along the channels of [16, 8, 8] */
  g_assert_cmpint (layer (net, "excite")->type, ==, ENVELOPE_LAYER_MUL);
  assert_shape (net, "excite/broadcast", 3, 16, 1, 1);
  assert_shape (net, "excite", 3, 16, 8, 8);
  g_assert_cmpstr (input_of (net, "excite", 1)->name, ==, "excite/broadcast");
  g_assert_cmpstr (input_of (net, "excite/broadcast", 0)->name, ==, "gate");
  g_assert_cmpint (layer (net, "shift")->type, ==, ENVELOPE_LAYER_ADD);
  assert_shape (net, "shift", 3, 16, 8, 8);
  g_assert_cmpuint (envelope_analysis_get_totals (net->analysis)->params, ==, 68 + 80);
}

static void
test_misc (void)
{
  g_autoptr(Imported) net = import ("misc.prototxt");

  g_assert_cmpint (layer (net, "norm")->size, ==, 3);
  g_assert_cmpfloat (layer (net, "drop")->rate, ==, 0.3);
  g_assert_cmpint (layer (net, "interp")->type, ==, ENVELOPE_LAYER_UNKNOWN);
  g_assert_cmpstr (layer (net, "interp")->operator_name, ==, "Interp");
  assert_shape (net, "relu", 3, 8, 6, 6);
  g_assert_true (has_note (net, "Interp, which Envelope has no rule for"));
}

static void
test_train_val (void)
{
  g_autoptr(Imported) net = import ("train_val.prototxt");

  /* the TEST phase's Data layer, sized by its crop_size */
  g_assert_cmpuint (envelope_network_get_n_layers (net->network), ==, 5);
  assert_shape (net, "data", 3, 3, 227, 227);
  assert_shape (net, "pool1", 3, 96, 27, 27);
  g_assert_cmpint (envelope_network_find_layer (net->network, "label"), <, 0);
  g_assert_cmpint (envelope_network_find_layer (net->network, "loss"), <, 0);
  g_assert_cmpint (envelope_network_find_layer (net->network, "accuracy"), <, 0);
  g_assert_true (has_note (net, "crop_size"));
  g_assert_true (has_note (net, "1 layer only for training (phase TRAIN) was left out"));
  g_assert_true (has_note (net, "Accuracy, SoftmaxWithLoss"));
}

typedef struct
{
  const char *file;
  gint code;
  const char *parts[3];
} Hostile;

static const Hostile hostile_files[] = {
  { "unbalanced_open.prototxt", ENVELOPE_IMPORT_ERROR_CORRUPT,
    { "layer \"conv1\"", "field \"layer\"", "not closed" } },
  { "unbalanced_close.prototxt", ENVELOPE_IMPORT_ERROR_CORRUPT,
    { "line 7: after layer \"data\"", "field \"layer\"", "closes no block" } },
  { "unterminated_string.prototxt", ENVELOPE_IMPORT_ERROR_CORRUPT,
    { "line 9: layer 2", "field \"name\"", "not terminated" } },
  { "huge_num_output.prototxt", ENVELOPE_IMPORT_ERROR_TOO_LARGE,
    { "layer \"fc\" (InnerProduct)", "field \"num_output\"", "99999999999999999999999" } },
  { "bottom_no_blob.prototxt", ENVELOPE_IMPORT_ERROR_CORRUPT,
    { "layer \"relu1\" (ReLU)", "field \"bottom\"", "\"conv0\" names no blob" } },
};

static void
test_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hostile_files); i++)
    {
      const Hostile *h = &hostile_files[i];
      g_autofree char *path = fixture (h->file);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) notes = NULL;
      g_autoptr(EnvelopeNetwork) network = envelope_import_load_file (path, NULL, &notes, &error);

      g_test_message ("%s: %s", h->file, error != NULL ? error->message : "no error");
      g_assert_null (network);
      g_assert_error (error, ENVELOPE_IMPORT_ERROR, h->code);
      for (guint k = 0; k < G_N_ELEMENTS (h->parts) && h->parts[k] != NULL; k++)
        if (strstr (error->message, h->parts[k]) == NULL)
          g_error ("%s: \"%s\" lacks \"%s\"", h->file, error->message, h->parts[k]);
    }
}

/* A string that runs over lines is named at the line it starts on,
 * counting only the new lines written as they are: "\n" written as an
 * escape is a character of the string, and one line (a fuzzing finding:
 * escapes counted as lines took the line below 1). */
static void
test_string_lines (void)
{
  static const char escaped[] =
    "name: \"esc\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 4 }\n"
    "layer { name: \"a\\nb\" type: \"InnerProduct\" bottom: \"data\" top: \"fc\" "
    "inner_product_param { num_output: 2 } }\n";
  static const char runs_on[] =
    "name: \"esc\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 4 }\n"
    "layer { name: \"a\\n\\n\\n\\n\\\"b\nc\" type: \"InnerProduct\" }\n";
  static const char single[] =
    "name: 'esc'\ninput: 'data'\ninput_shape { dim: 1 dim: 4 }\n\n"
    "layer { name: 'a\\\nb' type: 'InnerProduct' }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;

  network = envelope_import_load_data ((const guint8 *) escaped, sizeof escaped - 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 2);
  /* the control character cleaned out of the name, as any other */
  g_assert_null (strchr (envelope_network_get_layer (network, 1)->name, '\n'));
  g_clear_pointer (&network, envelope_network_free);

  network = envelope_import_load_data ((const guint8 *) runs_on, sizeof runs_on - 1, NULL, NULL, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "line 4: layer 1, field \"name\": the string is not terminated on its line");
  g_clear_error (&error);

  /* single quotes have no escapes: the backslash is the string's */
  network = envelope_import_load_data ((const guint8 *) single, sizeof single - 1, NULL, NULL, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "line 5: layer 1, field \"name\": the string is not terminated on its line");
}

/* A Slice whose first top names its bottom again (found by fuzzing:
 * the second part read a freed name): both parts read the input. */
static void
test_slice_in_place (void)
{
  static const char text[] =
    "name: \"inplace\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 4 dim: 2 dim: 2 }\n"
    "layer { name: \"slice\" type: \"Slice\" bottom: \"data\" top: \"data\" top: \"b\" "
    "slice_param { axis: 1 slice_point: 1 } }\n"
    "layer { name: \"cat\" type: \"Concat\" bottom: \"data\" bottom: \"b\" top: \"cat\" }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(Imported) net = g_new0 (Imported, 1);

  net->network = envelope_import_load_data ((const guint8 *) text, sizeof text - 1, NULL, NULL, &net->notes, &error);
  g_assert_no_error (error);
  net->analysis = envelope_analysis_new (net->network, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_shape (net, "slice/data", 3, 1, 2, 2);
  assert_shape (net, "slice/b", 3, 3, 2, 2);
  g_assert_cmpstr (input_of (net, "slice/data", 0)->name, ==, "data");
  g_assert_cmpstr (input_of (net, "slice/b", 0)->name, ==, "data");
  g_assert_cmpstr (input_of (net, "cat", 0)->name, ==, "slice/data");
  g_assert_cmpstr (input_of (net, "cat", 1)->name, ==, "slice/b");
  assert_shape (net, "cat", 3, 4, 2, 2);
}

/* Sizes whose products overflow, an old file of the first syntax, and
 * a file with a byte-order mark. */
static void
test_limits (void)
{
  static const char huge_input[] =
    "name: \"huge\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 65536\n"
    "input_dim: 65536\ninput_dim: 65536\n"
    "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\" "
    "convolution_param { num_output: 2147483647 kernel_size: 1 } }\n";
  static const char v0[] =
    "name: \"v0\"\nlayers {\n  layer {\n    name: \"conv1\"\n    type: \"conv\"\n  }\n}\n";
  static const char bom[] =
    "\xef\xbb\xbfname: \"bom\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 10 }\n"
    "layer { name: \"fc\" type: \"InnerProduct\" bottom: \"data\" top: \"fc\" "
    "inner_product_param { num_output: 5 } }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  EnvelopeFileFormat format;

  network = envelope_import_load_data ((const guint8 *) huge_input, sizeof huge_input - 1, NULL, &format, NULL,
                                       &error);
  g_assert_cmpint (format, ==, ENVELOPE_FILE_CAFFE);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "\"conv\" (Convolution)"));
  g_clear_error (&error);

  network = envelope_import_load_data ((const guint8 *) v0, sizeof v0 - 1, NULL, &format, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "upgrade_net_proto_text"));
  g_clear_error (&error);

  network = envelope_import_load_data ((const guint8 *) bom, sizeof bom - 1, NULL, &format, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, ENVELOPE_FILE_CAFFE);
  g_assert_cmpuint (envelope_network_get_n_layers (network), ==, 2);
  g_assert_cmpstr (envelope_network_get_layer (network, 1)->name, ==, "fc");
  g_clear_pointer (&network, envelope_network_free);

  /* a Reshape's 0 past its input's axes, behind an axis: refused, not
   * read beyond the input's shape (a fuzzing finding) */
  {
    static const char copies[] =
      "name: \"reshape\"\n"
      "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 8 dim: 4 dim: 4 } } }\n"
      "layer { name: \"vector\" type: \"Reshape\" bottom: \"data\" top: \"vector\" "
      "reshape_param { shape { dim: 0 dim: 0 dim: 8 dim: 8 } axis: 4 } }\n";

    network = envelope_import_load_data ((const guint8 *) copies, sizeof copies - 1, NULL, &format, NULL, &error);
    g_assert_null (network);
    g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "\"vector\" (Reshape)"));
    g_assert_nonnull (strstr (error->message, "copies axis 4, which its input does not have"));
    g_clear_error (&error);
  }
}

/* 100,000 nested blocks: refused at the limit, without recursion. */
static void
test_nested (void)
{
  GString *text = g_string_new ("name: \"deep\"\nlayer {\n  name: \"abyss\"\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  EnvelopeFileFormat format;

  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "x {");
  network = envelope_import_load_data ((const guint8 *) text->str, text->len, "deep.prototxt", &format, NULL, &error);
  g_assert_cmpint (format, ==, ENVELOPE_FILE_CAFFE);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "layer \"abyss\", field \"x\""));
  g_assert_nonnull (strstr (error->message, "nested deeper than 64"));
  g_clear_error (&error);

  /* bare braces are no field at all (and look like JSON to detection) */
  g_string_truncate (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '{');
  network = envelope_import_caffe ((const guint8 *) text->str, text->len, NULL, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "expected a field name"));
  g_string_free (text, TRUE);
}

static void
test_detect (void)
{
  static const char *const caffe[] = {
    "name: \"x\"\nlayer {\n name: \"a\" }\n",
    "# comment\nlayers {\n  type: RELU }\n",
    "input: \"data\"\ninput_dim: 1\n",
    "name: \"n\"\ninput_shape { dim: 1 }\n",
  };
  static const char *const other[] = {
    "{\"layer\": {}}",
    "[\"layer {\"]",
    "hello world\nlayer {",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (caffe); i++)
    g_assert_true (envelope_import_looks_like_caffe ((const guint8 *) caffe[i], strlen (caffe[i])));
  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    g_assert_false (envelope_import_looks_like_caffe ((const guint8 *) other[i], strlen (other[i])));
  /* a binary file (an ONNX model begins 08 xx) */
  g_assert_false (envelope_import_looks_like_caffe ((const guint8 *) "\x08\x07\x12\x04layer {", 12));
}

/* Each imported layer's settings survive a save and a load as Envelope's
 * own file. */
static void
test_round_trip (void)
{
  g_autoptr(Imported) net = import ("bvlc_googlenet.prototxt");
  g_autoptr(GError) error = NULL;
  gsize length;
  g_autofree char *data = envelope_network_to_data (net->network, &length);
  g_autoptr(EnvelopeNetwork) again = envelope_network_load_from_data (data, (gssize) length, &error);

  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (net->network, again));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/caffe/alexnet", test_alexnet);
  g_test_add_func ("/import/caffe/googlenet", test_googlenet);
  g_test_add_func ("/import/caffe/resnet50", test_resnet50);
  g_test_add_func ("/import/caffe/old-syntax", test_old_syntax);
  g_test_add_func ("/import/caffe/convolution", test_conv_forms);
  g_test_add_func ("/import/caffe/pooling", test_pooling);
  g_test_add_func ("/import/caffe/activations", test_activations);
  g_test_add_func ("/import/caffe/batch-norm", test_batch_norm);
  g_test_add_func ("/import/caffe/merge", test_merge);
  g_test_add_func ("/import/caffe/reshape", test_reshape);
  g_test_add_func ("/import/caffe/crop", test_crop);
  g_test_add_func ("/import/caffe/scale-blob", test_scale_blob);
  g_test_add_func ("/import/caffe/misc", test_misc);
  g_test_add_func ("/import/caffe/train-val", test_train_val);
  g_test_add_func ("/import/caffe/hostile", test_hostile);
  g_test_add_func ("/import/caffe/string-lines", test_string_lines);
  g_test_add_func ("/import/caffe/slice-in-place", test_slice_in_place);
  g_test_add_func ("/import/caffe/nested", test_nested);
  g_test_add_func ("/import/caffe/limits", test_limits);
  g_test_add_func ("/import/caffe/detect", test_detect);
  g_test_add_func ("/import/caffe/round-trip", test_round_trip);

  return g_test_run ();
}
