/* test-import-onnx.c: ONNX models exported by PyTorch, and hostile files
 *
 * The fixtures come from build-aux/make-onnx-fixtures.py (torch 1.13,
 * torchvision 0.14, onnx 1.12) with their weights stripped; the figures
 * below are PyTorch's (sum of p.numel() for trainable parameters) and
 * published MAC counts, written down so the suite needs no PyTorch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import.h"
#include "envelope-import-private.h"
#include "envelope-report.h"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", "onnx", name, NULL);
}

typedef struct
{
  EnvelopeNetwork *network;
  EnvelopeAnalysis *analysis;
  GPtrArray *notes;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->analysis, envelope_analysis_free);
  g_clear_pointer (&im->network, envelope_network_free);
  g_clear_pointer (&im->notes, g_ptr_array_unref);
  g_free (im);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

static Imported *
import (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  Imported *im = g_new0 (Imported, 1);
  EnvelopeFileFormat format = ENVELOPE_FILE_UNKNOWN;

  im->network = envelope_import_load_file (path, &format, &im->notes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (im->network);
  g_assert_cmpint (format, ==, ENVELOPE_FILE_ONNX);
  im->analysis = envelope_analysis_new (im->network, NULL, NULL, &error);
  g_assert_no_error (error);
  return im;
}

static const EnvelopeLayerFigures *
last_figures (Imported *im)
{
  return envelope_analysis_get_layer (im->analysis, envelope_analysis_get_n_layers (im->analysis) - 1);
}

static gboolean
has_note (Imported   *im,
          const char *text)
{
  for (guint i = 0; i < im->notes->len; i++)
    if (strstr (im->notes->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

static guint
count_type (Imported         *im,
            EnvelopeLayerType type)
{
  guint n = 0;

  for (guint i = 0; i < envelope_network_get_n_layers (im->network); i++)
    if (envelope_network_get_layer (im->network, i)->type == type)
      n++;
  return n;
}

static EnvelopeLayer *
layer_named (Imported   *im,
             const char *name)
{
  gint i = envelope_network_find_layer (im->network, name);

  g_assert_cmpint (i, >=, 0);
  return envelope_network_get_layer (im->network, (guint) i);
}

static void
test_resnet18_train (void)
{
  g_autoptr(Imported) im = import ("resnet18-train.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *out = last_figures (im);
  EnvelopeLayer *conv;

  /* PyTorch: 11,689,512 trainable; the running means and variances of
   * the 20 batch norms (4,800 channels) are the rest */
  g_assert_cmpuint (t->trainable_params, ==, 11689512);
  g_assert_cmpuint (t->non_trainable_params, ==, 9600);
  g_assert_cmpuint (t->macs, ==, 1814073344);
  g_assert_cmpuint (envelope_network_get_n_layers (im->network), ==, 69);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_BATCH_NORM), ==, 20);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_CONV), ==, 20);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (out->rank, ==, 1);
  g_assert_cmpuint (out->shape[0], ==, 1000);
  g_assert_cmpuint (im->notes->len, ==, 0);

  /* "/layer1/layer1.0/conv1/Conv": named by its scopes, grouped by its stage */
  conv = layer_named (im, "layer1/0/conv1");
  g_assert_cmpint (conv->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpstr (conv->group, ==, "layer1/0");
  g_assert_cmpint (conv->filters, ==, 64);
  g_assert_true (conv->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL));
  g_assert_false (conv->bias);
  g_assert_cmpint (layer_named (im, "maxpool")->type, ==, ENVELOPE_LAYER_MAX_POOL);
  g_assert_cmpint (layer_named (im, "layer2/0/downsample/0")->stride[0], ==, 2);
  g_assert_cmpint (layer_named (im, "fc")->type, ==, ENVELOPE_LAYER_DENSE);
  g_assert_true (layer_named (im, "fc")->bias);
}

/* torchvision's ConvNeXt-Tiny as deployed (eval, constants folded,
 * trained weights): each block's Linear layers and LayerNorm work on
 * the map turned channels last, between two Transposes.  They are the
 * map's own: 1×1 convolutions and a layer normalization over the
 * channels, no permute left, and PyTorch's parameter count. */
static void
test_convnext_channels_last (void)
{
  g_autoptr(Imported) im = import ("convnext-tiny.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *f;
  EnvelopeLayer *layer;
  guint pointwise = 0;

  g_assert_cmpuint (t->trainable_params, ==, 28589128);
  g_assert_cmpuint (t->non_trainable_params, ==, 0);
  /* torchvision's 4.46 GFLOPS, as data/models/convnext_tiny.json counts them */
  g_assert_cmpuint (t->macs, ==, G_GUINT64_CONSTANT (4455531264));
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_PERMUTE), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_DENSE), ==, 1);
  g_assert_false (has_note (im, "cannot follow"));
  /* 18 blocks of two; the note on folded batch norm counts the other 22 */
  for (guint i = 0; i < envelope_network_get_n_layers (im->network); i++)
    {
      layer = envelope_network_get_layer (im->network, i);
      if (layer->type == ENVELOPE_LAYER_CONV && layer->kernel[0] == 1 && layer->kernel[1] == 1)
        pointwise++;
    }
  g_assert_cmpuint (pointwise, ==, 36);
  g_assert_true (has_note (im, "36 MatMuls on maps turned channels last act on the channels of each position"));
  g_assert_true (has_note (im, "No batch normalization and 22 convolutions with a bias"));

  layer = layer_named (im, "features/1/0/block/3");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpint (layer->filters, ==, 384);
  g_assert_true (layer->bias);
  g_assert_cmpstr (layer->group, ==, "features/1/0/block");
  /* it reads the layer normalization, which reads the depthwise convolution */
  f = envelope_analysis_get_layer (im->analysis, (guint) envelope_network_find_layer (im->network, "features/1/0/block/3"));
  g_assert_cmpuint (f->n_inputs, ==, 1);
  g_assert_cmpstr (envelope_network_get_layer (im->network, f->inputs[0])->name, ==, "features/1/0/block/2");
  g_assert_cmpuint (f->rank, ==, 3);
  g_assert_cmpuint (f->shape[0], ==, 384);
  g_assert_cmpuint (f->shape[1], ==, 56);
  g_assert_cmpuint (f->weights, ==, 96 * 384);
  g_assert_cmpuint (f->macs, ==, G_GUINT64_CONSTANT (56) * 56 * 96 * 384);
  f = envelope_analysis_get_layer (im->analysis, (guint) envelope_network_find_layer (im->network, "features/1/0/block/2"));
  g_assert_cmpint (f->type, ==, ENVELOPE_LAYER_LAYER_NORM);
  g_assert_cmpuint (f->params, ==, 2 * 96);
  g_assert_cmpuint (f->shape[0], ==, 96);
  /* the layer scale is γ alone: no Add of a bias follows it */
  layer = layer_named (im, "features/1/0");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_SCALE);
  g_assert_false (layer->bias);
  /* the stem's LayerNorm2d, its Transposes gone, has its module's name */
  layer = layer_named (im, "features/0/1");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_LAYER_NORM);
  g_assert_cmpstr (layer->group, ==, "features/0");
  /* the residual sum reads the scale and the stem's normalization */
  layer = layer_named (im, "features/1/0/Add");
  g_assert_cmpstr (layer->inputs[0], ==, "features/1/0");
  g_assert_cmpstr (layer->inputs[1], ==, "features/0/1");
}

/* torchvision's Swin Transformer keeps its map channels last from the
 * patch embedding to the head: a region, not a chain, of residual sums,
 * window attention (some 900 nodes a block: the partition into windows,
 * the qkv and projection MatMuls, the relative-position bias, the
 * shifted windows' mask), MLPs and patch merging.  Each attention is
 * one window_attention layer, the region is the map's own, and a small
 * Swin (windows of 4, two stages of two blocks) opens with PyTorch's
 * parameters and the MACs its layers' formulas give. */
static void
test_swin (void)
{
  g_autoptr(Imported) im = import ("swin-small.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  EnvelopeLayer *layer;
  /* N·C·3C + N·C·C + 2·nW·heads·w⁴·d for attention, 2·N·C·4C for the MLP */
  guint64 stage1 = 2 * (64 * 32 * 96 + 64 * 32 * 32 + 2 * 4 * 2 * 256 * 16 + 2 * 64 * 32 * 128);
  guint64 stage2 = 2 * (16 * 64 * 192 + 16 * 64 * 64 + 2 * 1 * 4 * 256 * 16 + 2 * 16 * 64 * 256);
  guint64 stem = 64 * 4 * 4 * 3 * 32, merging = 16 * 128 * 64, head = 64 * 10;

  g_assert_cmpuint (t->trainable_params, ==, 136822);
  /* torchvision's relative_position_index, w⁴ a block, is a buffer */
  g_assert_cmpuint (t->non_trainable_params, ==, 4 * 256);
  g_assert_cmpuint (t->macs, ==, stem + stage1 + merging + stage2 + head);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_WINDOW_ATTENTION), ==, 4);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_PERMUTE), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_DENSE), ==, 1);
  g_assert_true (has_note (im, "9 MatMuls on maps turned channels last"));

  layer = layer_named (im, "features/1/0/attn");
  g_assert_cmpint (layer->heads, ==, 2);
  g_assert_cmpint (layer->window, ==, 4);
  g_assert_cmpint (layer->shift, ==, 0);
  g_assert_true (layer->bias);
  /* the second block of the first stage is shifted; the second stage's
   * map is one window, which torchvision does not shift */
  g_assert_cmpint (layer_named (im, "features/1/1/attn")->shift, ==, 2);
  g_assert_cmpint (layer_named (im, "features/3/0/attn")->heads, ==, 4);
  g_assert_cmpint (layer_named (im, "features/3/1/attn")->shift, ==, 0);
  /* patch merging's strided slices and their concat, on the map's axes */
  g_assert_cmpint (layer_named (im, "features/2/Concat_3")->axis, ==, 0);
  g_assert_cmpint (layer_named (im, "features/2/Slice_1")->axis, ==, 1);
  g_assert_cmpint (layer_named (im, "features/2/Slice_2")->axis, ==, 2);
  g_assert_cmpuint (envelope_analysis_get_layer (im->analysis,
                                                 (guint) envelope_network_find_layer (im->network, "features/2/Concat_3"))
                      ->shape[0], ==, 128);
}

/* MLP-Mixer's token mixing, a Linear over the tokens of each feature
 * between two Transposes of the sequence: the sequence read as a map of
 * its 16 tokens (a free reshape), each Linear a 1×1 convolution over
 * them, and read back as tokens.  PyTorch's 81,962 parameters. */
static void
test_token_mixing (void)
{
  g_autoptr(Imported) im = import ("mixer.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *f;
  EnvelopeLayer *layer;
  guint64 stem = 8 * 8 * 3 * 64 * 16, tokens = 64 * (16 * 32 + 32 * 16), channels = 16 * (64 * 256 + 256 * 64);

  g_assert_cmpuint (t->trainable_params, ==, 81962);
  g_assert_cmpuint (t->macs, ==, stem + 2 * (tokens + channels) + 64 * 10);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_PERMUTE), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_true (has_note (im, "4 MatMuls on a sequence's transpose mix its tokens"));
  layer = layer_named (im, "blocks/0");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_RESHAPE);
  g_assert_cmpint (layer->layout, ==, ENVELOPE_SHAPE_MAP);
  f = envelope_analysis_get_layer (im->analysis, (guint) envelope_network_find_layer (im->network, "blocks/0/tok/0"));
  g_assert_cmpint (f->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpuint (f->params, ==, 16 * 32 + 32);
  g_assert_cmpuint (f->shape[0], ==, 32);
  g_assert_cmpuint (f->shape[1], ==, 64);
  /* back to a sequence of 16 tokens of 64, which the channel MLP reads */
  f = envelope_analysis_get_layer (im->analysis, (guint) envelope_network_find_layer (im->network, "blocks/1/Transpose_1"));
  g_assert_cmpint (f->layout, ==, ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (f->shape[0], ==, 16);
  g_assert_cmpuint (f->shape[1], ==, 64);
}

/* A map turned channels last and never back: its LayerNorm and Linear
 * on each position cannot be followed as a map's, and are operators of
 * unknown cost, with a note each, rather than a dense layer flattening
 * the map (16 × 32 weights counted as 1,024 × 2,048). */
static void
test_channels_last_open (void)
{
  g_autoptr(Imported) im = import ("channels-last-open.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  EnvelopeLayer *layer;

  /* the convolution's 448 and the head's 330; PyTorch's 1,354 with the
   * 32 of the normalization and the 544 of the Linear */
  g_assert_cmpuint (t->trainable_params, ==, 448 + 330);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 2);
  layer = layer_named (im, "fc");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_UNKNOWN);
  g_assert_cmpstr (layer->operator_name, ==, "MatMul");
  g_assert_cmpint (layer->shape[2], ==, 32);
  g_assert_cmpstr (layer_named (im, "norm")->operator_name, ==, "LayerNormalization");
  g_assert_true (has_note (im, "fc (MatMul): it acts on each position of a map whose channels are last"));
  g_assert_true (has_note (im, "norm (LayerNormalization): it acts on each position"));
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 10);
  /* the JSON report's totals say what they leave out */
  {
    EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_JSON };
    g_autofree char *json = envelope_report_write (im->analysis, &options);

    g_assert_nonnull (strstr (json, "\"unknown_cost_layers\" : 2"));
  }
}

/* torchvision's ViT-B/16 as deployed: the patches flattened and
 * transposed into tokens, the class token expanded to the batch (its
 * target shape worked out with Equal and Where) and joined, the learned
 * position embedding added, and the class token's output gathered.
 * PyTorch's 86,567,656 parameters and torchvision's 17.56 G
 * multiply-adds, as data/models/vit_b_16.json counts them. */
static void
test_vit_tokens (void)
{
  g_autoptr(Imported) im = import ("vit-b-16.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *f;
  EnvelopeLayer *layer;
  guint n;

  g_assert_cmpuint (t->trainable_params, ==, 86567656);
  g_assert_cmpuint (t->macs, ==, G_GUINT64_CONSTANT (17563828224));
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  /* the attention's heads moved first for the queries, keys and values,
   * and back: four a block */
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_PERMUTE), ==, 12 * 4);
  g_assert_cmpuint (im->notes->len, ==, 1);
  g_assert_true (has_note (im, "25 layer normalizations"));

  /* named by the exporter's nodes ("Reshape", "Concat_2", "encoder",
   * "Gather_4"): found by their kinds */
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_TO_TOKENS), ==, 1);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_CLASS_TOKEN), ==, 1);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_POSITION_EMBEDDING), ==, 1);
  g_assert_cmpint (envelope_network_get_layer (im->network, 2)->type, ==, ENVELOPE_LAYER_TO_TOKENS);
  layer = envelope_network_get_layer (im->network, 3);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_CLASS_TOKEN);
  g_assert_cmpint (layer->tokens, ==, 1);
  layer = envelope_network_get_layer (im->network, 4);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_POSITION_EMBEDDING);
  g_assert_cmpint (layer->encoding, ==, ENVELOPE_POSITION_LEARNED);
  g_assert_cmpint (layer->positions, ==, 197);
  f = envelope_analysis_get_layer (im->analysis, 4);
  g_assert_cmpuint (f->shape[0], ==, 197);
  g_assert_cmpuint (f->shape[1], ==, 768);
  g_assert_cmpuint (f->weights, ==, 197 * 768);
  /* the class token's output: one token, then its 768 values, then the head */
  n = envelope_network_get_n_layers (im->network);
  layer = envelope_network_get_layer (im->network, n - 3);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_SLICE);
  g_assert_cmpint (layer->axis, ==, 0);
  g_assert_cmpint (layer->start, ==, 0);
  g_assert_cmpint (layer->end, ==, 1);
  g_assert_cmpint (envelope_network_get_layer (im->network, n - 2)->type, ==, ENVELOPE_LAYER_FLATTEN);
  g_assert_cmpuint (envelope_analysis_get_layer (im->analysis, n - 2)->shape[0], ==, 768);
  f = last_figures (im);
  g_assert_cmpuint (f->rank, ==, 1);
  g_assert_cmpuint (f->shape[0], ==, 1000);
}

/* ONNX's LSTM and GRU as PyTorch writes nn.LSTM and nn.GRU: one node a
 * layer, its output brought back to [T, B, dirs·H] by a Squeeze or by a
 * Transpose and a Reshape.  PyTorch's parameter counts; the MACs are
 * T × the gates' weights, and the heads' per token. */
static void
test_recurrent (void)
{
  g_autoptr(Imported) lm = import ("lstm-lm.onnx");
  g_autoptr(Imported) gru = import ("gru-classifier.onnx");
  g_autoptr(Imported) state = import ("lstm-state.onnx");
  const EnvelopeLayerFigures *f;
  EnvelopeLayer *layer;

  /* two layers of 256 over 32 tokens of 128 */
  g_assert_cmpuint (envelope_analysis_get_totals (lm->analysis)->trainable_params, ==, 1306600);
  g_assert_cmpuint (envelope_analysis_get_totals (lm->analysis)->macs, ==,
                    32 * (4 * 256 * (128 + 256) + 4 * 256 * (256 + 256) + 256 * 1000));
  g_assert_cmpuint (count_type (lm, ENVELOPE_LAYER_LSTM), ==, 2);
  g_assert_cmpuint (envelope_network_get_n_layers (lm->network), ==, 5);
  g_assert_cmpuint (lm->notes->len, ==, 0);
  layer = layer_named (lm, "rnn");
  g_assert_cmpint (layer->hidden, ==, 256);
  g_assert_cmpint (layer->layers, ==, 1);
  g_assert_false (layer->bidirectional);
  g_assert_true (layer->bias);
  f = last_figures (lm);
  g_assert_cmpuint (f->rank, ==, 2);
  g_assert_cmpuint (f->shape[0], ==, 32);
  g_assert_cmpuint (f->shape[1], ==, 1000);

  /* both directions, read at the last step */
  g_assert_cmpuint (envelope_analysis_get_totals (gru->analysis)->trainable_params, ==, 470020);
  g_assert_cmpuint (count_type (gru, ENVELOPE_LAYER_GRU), ==, 1);
  g_assert_cmpuint (count_type (gru, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  layer = layer_named (gru, "rnn");
  g_assert_true (layer->bidirectional);
  f = envelope_analysis_get_layer (gru->analysis, (guint) envelope_network_find_layer (gru->network, "rnn"));
  g_assert_cmpuint (f->shape[0], ==, 50);
  g_assert_cmpuint (f->shape[1], ==, 256);
  g_assert_cmpuint (f->macs, ==, 50 * 2 * 3 * 128 * (64 + 128));
  g_assert_cmpuint (last_figures (gru)->shape[0], ==, 4);

  /* h_n[-1] classified: the final state is a step of the output */
  g_assert_cmpuint (envelope_analysis_get_totals (state->analysis)->trainable_params, ==, 53962);
  g_assert_cmpuint (envelope_analysis_get_totals (state->analysis)->macs, ==, 20 * 4 * 96 * (40 + 96) + 96 * 10);
  g_assert_cmpuint (count_type (state, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (state->notes->len, ==, 0);
  g_assert_cmpuint (last_figures (state)->shape[0], ==, 10);
}

/* A small GPT-2 as minGPT writes it: token and position tables (the
 * positions torch.arange(0, T), a Range over a shape), one Linear for
 * the queries, keys and values, 1/√d worked out from a shape, the
 * causal mask filled in, and the head tied to the token table.
 * Exported for training, the head reads wte.weight through a Transpose
 * and is counted once, as PyTorch counts it; with its constants folded,
 * the file holds a copy, counted again, and a note says why. */
static void
test_gpt (void)
{
  g_autoptr(Imported) tied = import ("gpt-tied.onnx");
  g_autoptr(Imported) folded = import ("gpt-folded.onnx");
  /* per block: q, k and v, the scores and the weighted sum of 4 heads,
   * the projection, the MLP; then the head, 64 tokens throughout */
  guint64 block = 64 * (128 * 384 + 2 * 4 * 64 * 32 + 128 * 128 + 2 * 128 * 512);
  const EnvelopeLayerFigures *f;
  EnvelopeLayer *layer;

  g_assert_cmpuint (envelope_analysis_get_totals (tied->analysis)->trainable_params, ==, 532992);
  g_assert_cmpuint (envelope_analysis_get_totals (tied->analysis)->macs, ==, 2 * block + 64 * 128 * 1000);
  g_assert_cmpuint (count_type (tied, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (tied->notes->len, ==, 1);
  layer = layer_named (tied, "lm_head");
  g_assert_cmpstr (layer->shares, ==, "wte");
  f = envelope_analysis_get_layer (tied->analysis, (guint) envelope_network_find_layer (tied->network, "lm_head"));
  /* its weights are wte's, counted there */
  g_assert_cmpuint (f->params, ==, 0);
  g_assert_cmpint (f->shares, ==, envelope_network_find_layer (tied->network, "wte"));
  g_assert_cmpuint (f->macs, ==, 64 * 128 * 1000);
  layer = envelope_network_get_layer (tied->network, 2);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_POSITION_EMBEDDING);
  g_assert_cmpint (layer->positions, ==, 64);
  /* masked_fill: the scores of 4 heads, as a constant added to them */
  layer = layer_named (tied, "h.0/attn/Where");
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_ADD);
  f = envelope_analysis_get_layer (tied->analysis, (guint) envelope_network_find_layer (tied->network, "h.0/attn/Where"));
  g_assert_cmpuint (f->activations, ==, 4 * 64 * 64);

  g_assert_cmpuint (envelope_analysis_get_totals (folded->analysis)->trainable_params, ==, 532992 + 128 * 1000);
  g_assert_cmpuint (envelope_analysis_get_totals (folded->analysis)->macs, ==, 2 * block + 64 * 128 * 1000);
  g_assert_null (layer_named (folded, "lm_head")->shares);
  g_assert_true (has_note (folded, "lm_head: its weights have the shape of the token embedding’s table"));
  g_assert_cmpuint (count_type (folded, ENVELOPE_LAYER_UNKNOWN), ==, 0);
}

/* nn.TransformerEncoder as a language model: a learned position tensor
 * added to the tokens, and a float causal mask added to each layer's
 * scores, which the note calls what it may be. */
static void
test_transformer_lm (void)
{
  g_autoptr(Imported) im = import ("transformer-lm.onnx");
  EnvelopeLayer *layer;

  g_assert_cmpuint (envelope_analysis_get_totals (im->analysis)->trainable_params, ==, 656896);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  layer = envelope_network_get_layer (im->network, 2);
  g_assert_cmpint (layer->type, ==, ENVELOPE_LAYER_POSITION_EMBEDDING);
  g_assert_cmpint (layer->positions, ==, 32);
  g_assert_true (has_note (im, "enc/layers.0/self_attn/Add_2 (Add): its constant operand (1024 values, a mask or a "
                               "learned bias over attention's scores)"));
  g_assert_true (has_note (im, "enc/layers.1/self_attn/Add_2 (Add): its constant operand"));
  g_assert_false (has_note (im, "its learned operand"));
}

static void
test_resnet18_eval (void)
{
  g_autoptr(Imported) im = import ("resnet18-eval.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);

  /* batch norm folded into the convolutions: 9,600 γ and β gone, 4,800
   * convolution biases come */
  g_assert_cmpuint (t->trainable_params, ==, 11689512 - 9600 + 4800);
  g_assert_cmpuint (t->non_trainable_params, ==, 0);
  g_assert_cmpuint (t->macs, ==, 1814073344);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_BATCH_NORM), ==, 0);
  g_assert_cmpuint (envelope_network_get_n_layers (im->network), ==, 49);
  g_assert_true (has_note (im, "folded"));
  g_assert_true (has_note (im, "20 convolutions"));
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 1000);
}

static void
test_mobilenet_v3_small (void)
{
  g_autoptr(Imported) im = import ("mobilenet-v3-small.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);

  /* PyTorch: 2,542,856 trainable; torchvision lists 0.06 GFLOPS */
  g_assert_cmpuint (t->trainable_params, ==, 2542856);
  g_assert_cmpuint (t->macs, ==, 56510400);
  g_assert_cmpuint (envelope_network_get_n_layers (im->network), ==, 166);
  /* HardSigmoid · x is hard swish (19 of them); the squeeze-and-excite
   * gates stay hard sigmoids (9) multiplied into the map */
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_HARDSWISH), ==, 19);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_HARDSIGMOID), ==, 9);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_DROPOUT), ==, 1);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpstr (layer_named (im, "features/1/block/0/0")->group, ==, "features/1/block/0");
  g_assert_cmpint (layer_named (im, "features/1/block/0/0")->groups, ==, 16);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 1000);
}

static void
check_transformer (Imported *im)
{
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *out = last_figures (im);

  /* PyTorch: 49,984 trainable; MACs: six token-wise projections
   * (10 × (4 × 64 × 64 + 2 × 64 × 256)) and two products of 4 heads
   * (2 × 4 × 10 × 10 × 16) */
  g_assert_cmpuint (t->trainable_params, ==, 49984);
  g_assert_cmpuint (t->macs, ==, 10 * (4 * 64 * 64 + 2 * 64 * 256) + 2 * 4 * 10 * 10 * 16);
  g_assert_cmpuint (envelope_network_get_n_layers (im->network), ==, 26);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_LAYER_NORM), ==, 2);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_DENSE), ==, 6);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_MATMUL), ==, 2);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_GELU), ==, 1);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_true (layer_named (im, "fc1")->bias);
  g_assert_cmpuint (out->rank, ==, 2);
  g_assert_cmpint (out->layout, ==, ENVELOPE_TENSOR_TOKENS);
  g_assert_cmpuint (out->shape[0], ==, 10);
  g_assert_cmpuint (out->shape[1], ==, 64);
}

static void
test_transformer_decomposed (void)
{
  g_autoptr(Imported) im = import ("transformer-encoder.onnx");

  check_transformer (im);
  g_assert_true (has_note (im, "2 layer normalizations written out"));
}

static void
test_transformer_opset17 (void)
{
  g_autoptr(Imported) im = import ("transformer-encoder-17.onnx");

  check_transformer (im);
  g_assert_cmpuint (im->notes->len, ==, 0);
}

/* nn.TransformerEncoderLayer (batch first) exported as PyTorch writes
 * it: the batch axis moved to the middle ([T, B, D]) and merged with the
 * heads ([T, B·H, Dh]) inside the attention, the weights transposed into
 * MatMuls; the same figures as the hand-written block. */
static void
test_transformer_torch (void)
{
  g_autoptr(Imported) im = import ("transformer-torch.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  const EnvelopeLayerFigures *out = last_figures (im);

  g_assert_cmpuint (t->trainable_params, ==, 49984);
  g_assert_cmpuint (t->macs, ==, 10 * (4 * 64 * 64 + 2 * 64 * 256) + 2 * 4 * 10 * 10 * 16);
  g_assert_cmpuint (envelope_network_get_n_layers (im->network), ==, 29);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_MATMUL), ==, 2);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_LAYER_NORM), ==, 2);
  g_assert_cmpint (layer_named (im, "self_attn")->units, ==, 192);
  g_assert_cmpint (layer_named (im, "self_attn/Gemm")->units, ==, 64);
  g_assert_cmpuint (out->rank, ==, 2);
  g_assert_cmpuint (out->shape[0], ==, 10);
  g_assert_cmpuint (out->shape[1], ==, 64);
  /* every token sees the 10 tokens; the reshapes and transposes around
   * the attention once grew that to 1,600 */
  g_assert_true (out->receptive_field.whole_input);
  g_assert_cmpfloat (out->receptive_field.size[0], ==, 10);
}

static void
test_dense_concat (void)
{
  g_autoptr(Imported) im = import ("dense-concat.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);

  /* PyTorch: 16,986 trainable */
  g_assert_cmpuint (t->trainable_params, ==, 16986);
  g_assert_cmpuint (t->macs, ==, 8 * 8 * 8 * 27 + 512 * 32 + 32 * 10);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  /* torch.cat([x]) is the tensor itself; torch.cat([x, x], 1) a concat */
  g_assert_cmpint (envelope_network_get_layer (im->network, 1)->type, ==, ENVELOPE_LAYER_CONV);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_CONCAT), ==, 1);
  g_assert_cmpint (layer_named (im, "Concat_1")->axis, ==, 0);
  /* x.view(x.size(0), -1): Shape, Gather, Unsqueeze, Concat evaluated */
  g_assert_cmpint (layer_named (im, "Reshape")->type, ==, ENVELOPE_LAYER_FLATTEN);
  g_assert_cmpint (layer_named (im, "act")->type, ==, ENVELOPE_LAYER_SILU);
  g_assert_cmpint (layer_named (im, "gelu")->type, ==, ENVELOPE_LAYER_GELU);
  g_assert_cmpint (layer_named (im, "Slice")->end, ==, 8);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 10);
}

/* One of each operator the zoo's models use. */
static void
test_zoo (void)
{
  g_autoptr(Imported) im = import ("zoo.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);
  EnvelopeLayer *l;

  /* PyTorch: 1,250 trainable */
  g_assert_cmpuint (t->trainable_params, ==, 1250);
  g_assert_cmpuint (envelope_analysis_get_layer (im->analysis, 1)->macs, ==, 8 * 16 * 16 * 3 * 3 * 3);
  g_assert_cmpint (layer_named (im, "relu6")->type, ==, ENVELOPE_LAYER_RELU6);
  l = layer_named (im, "pool");
  g_assert_cmpint (l->rounding, ==, ENVELOPE_ROUNDING_CEIL);
  g_assert_cmpint (layer_named (im, "up")->type, ==, ENVELOPE_LAYER_DECONV);
  g_assert_cmpint (layer_named (im, "leaky")->type, ==, ENVELOPE_LAYER_LEAKY_RELU);
  g_assert_cmpint (layer_named (im, "prelu")->type, ==, ENVELOPE_LAYER_PRELU);
  /* Resize by constant scales, ZeroPad2d's pads worked out from
   * PyTorch's reshape, backward slice and transpose of a constant */
  g_assert_cmpint (layer_named (im, "resize")->type, ==, ENVELOPE_LAYER_UPSAMPLE);
  g_assert_cmpint (layer_named (im, "resize")->output_size[0], ==, 32);
  g_assert_cmpint (layer_named (im, "pad")->type, ==, ENVELOPE_LAYER_PAD);
  g_assert_cmpint (layer_named (im, "pad")->padding[0], ==, 1);
  l = layer_named (im, "dil");
  g_assert_cmpint (l->dilation[0], ==, 2);
  g_assert_cmpint (l->groups, ==, 2);
  /* x.mean((2, 3)) is global average pooling */
  g_assert_cmpint (layer_named (im, "ReduceMean")->type, ==, ENVELOPE_LAYER_GLOBAL_AVG_POOL);
  g_assert_cmpint (layer_named (im, "Softmax")->type, ==, ENVELOPE_LAYER_SOFTMAX);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 10);
  /* PyTorch writes LocalResponseNorm out in primitives; its last
   * division is left unknown, with a note */
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 1);
  g_assert_true (has_note (im, "lrn/Div (Div)"));
}

/* torch.split: a Split, one slice per output. */
static void
test_split (void)
{
  g_autoptr(Imported) im = import ("split.onnx");
  EnvelopeLayer *l;

  /* PyTorch: 816 trainable */
  g_assert_cmpuint (envelope_analysis_get_totals (im->analysis)->trainable_params, ==, 816);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_SLICE), ==, 3);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  l = envelope_network_get_layer (im->network, 4);
  g_assert_cmpint (l->type, ==, ENVELOPE_LAYER_SLICE);
  g_assert_cmpint (l->start, ==, 32);
  g_assert_cmpint (l->end, ==, 48);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 16);
}

/* A 1-D convolution network: its [C, L] input is a map. */
static void
test_signal (void)
{
  g_autoptr(Imported) im = import ("signal.onnx");
  const EnvelopeTotals *t = envelope_analysis_get_totals (im->analysis);

  /* PyTorch: 276 trainable */
  g_assert_cmpuint (t->trainable_params, ==, 276);
  g_assert_cmpuint (t->macs, ==, 16 * 100 * 2 * 5 + 16 * 4);
  g_assert_cmpint (layer_named (im, "input")->layout, ==, ENVELOPE_SHAPE_MAP);
  g_assert_cmpint (layer_named (im, "conv")->kernel[0], ==, 5);
  g_assert_cmpint (layer_named (im, "pool")->type, ==, ENVELOPE_LAYER_GLOBAL_AVG_POOL);
  g_assert_cmpuint (count_type (im, ENVELOPE_LAYER_UNKNOWN), ==, 0);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 4);
}

static void
test_unknown_operator (void)
{
  g_autoptr(Imported) im = import ("cumsum.onnx");
  EnvelopeLayer *l = layer_named (im, "CumSum");

  g_assert_cmpint (l->type, ==, ENVELOPE_LAYER_UNKNOWN);
  g_assert_cmpstr (l->operator_name, ==, "CumSum");
  g_assert_cmpuint (envelope_analysis_get_totals (im->analysis)->trainable_params, ==, 272);
  g_assert_cmpuint (last_figures (im)->shape[0], ==, 16);
  g_assert_cmpuint (im->notes->len, ==, 1);
  g_assert_true (has_note (im, "CumSum (CumSum): Envelope has no kind for this operator"));
}

static void
test_detect (void)
{
  static const char text[] = "layer { name: \"x\" }";
  static const guint8 noise[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02 };

  g_assert_false (envelope_import_looks_like_onnx ((const guint8 *) text, sizeof text - 1));
  g_assert_false (envelope_import_looks_like_onnx (noise, sizeof noise));
  g_assert_false (envelope_import_looks_like_onnx (NULL, 0));
}

static GBytes *
read_fixture (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  char *data;
  gsize length;

  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  return g_bytes_new_take (data, length);
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) bytes = read_fixture ("resnet18-train.onnx");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  EnvelopeNetwork *network;

  /* cut inside the graph */
  network = envelope_import_onnx (data, length / 2, "cut.onnx", notes, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "truncated"));
}

static void
test_wrong_magic (void)
{
  static const guint8 junk[] = "\x89PNG\r\n\x1a\n not a model";
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network;

  network = envelope_import_load_data (junk, sizeof junk - 1, "junk.onnx", NULL, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT);
  g_clear_error (&error);
  network = envelope_import_onnx (junk, sizeof junk - 1, "junk.onnx", NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT);
}

/* A file Envelope does not read says what it looks like, and what to
 * open instead. */
static void
test_what_it_is (void)
{
  static const guint8 pytorch_zip[] =
    "\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x35\x96\x84\x5d\xf2\x91"
    "\x02\xc5\x06\x00\x00\x00\x06\x00\x00\x00\x10\x00\x00\x00\x61\x72"
    "\x63\x68\x69\x76\x65\x2f\x64\x61\x74\x61\x2e\x70\x6b\x6c\x80\x02"
    "\x7d\x71\x00\x2e\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00"
    "\x35\x96\x84\x5d\xf2\x91\x02\xc5\x06\x00\x00\x00\x06\x00\x00\x00"
    "\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00"
    "\x00\x00\x61\x72\x63\x68\x69\x76\x65\x2f\x64\x61\x74\x61\x2e\x70"
    "\x6b\x6c\x50\x4b\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x3e\x00"
    "\x00\x00\x34\x00\x00\x00\x00\x00";
  static const struct { const char *data; gsize length; const char *path; const char *says; } cases[] = {
    { "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "net.png", "this is a PNG image, not a network" },
    { "%PDF-1.5\n%\xe2\xe3\n", 12, "slides.pdf", "this is a PDF document" },
    { "\x89HDF\r\n\x1a\n\0\0\0\0", 12, "model.h5", "most likely a Keras .h5 model" },
    { "\x0a\x05LeNet\xa2\x06\x10\x0a\x05conv1", 18, "lenet.bin", "Caffe .caffemodel" },
    { "\x1f\x8b\x08\0\0\0\0\0", 8, "net.json.gz", "compressed with gzip" },
    { "\x80\x02}q\0.", 6, "model.pth", "Python pickle" },
    { "hello, world\n", 13, "notes.txt", "this is not a network file Envelope reads" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      EnvelopeNetwork *network = envelope_import_load_data ((const guint8 *) cases[i].data, cases[i].length,
                                                            cases[i].path, NULL, NULL, &error);

      g_assert_null (network);
      g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT);
      g_test_message ("%s: %s", cases[i].path, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      /* … and every one says what Envelope opens, or what to open */
      g_assert_true (strstr (error->message, "Envelope opens") != NULL || strstr (error->message, "open that") != NULL);
    }
  {
    g_autoptr(GError) error = NULL;
    EnvelopeNetwork *network = envelope_import_load_data (pytorch_zip, sizeof pytorch_zip - 1, "model.pt",
                                                          NULL, NULL, &error);

    g_assert_null (network);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "PyTorch checkpoint"));
    g_assert_nonnull (strstr (error->message, "torch.onnx.export"));
  }
}

static void
test_huge_dims (void)
{
  g_autofree char *path = fixture ("hostile-dims.onnx");
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_import_load_file (path, NULL, NULL, &error);

  /* an initializer claiming 2^31 × 2^31 values */
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "initializer “w”"));
  g_assert_nonnull (strstr (error->message, "2147483648 × 2147483648"));
}

static void
test_cycle (void)
{
  g_autofree char *path = fixture ("hostile-cycle.onnx");
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network = envelope_import_load_file (path, NULL, NULL, &error);

  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "node 0 “/first/Relu” (Relu)"));
  g_assert_nonnull (strstr (error->message, "cycle"));
}

/* Subgraphs nested 30,000 deep (a graph's node's attribute's graph…):
 * refused before protobuf-c's recursive unpack sees them. */
static void
test_deep_nesting (void)
{
  enum { LEVELS = 30000 };
  static const guint8 tags[3] = { 0x0a /* GraphProto.node */, 0x2a /* NodeProto.attribute */, 0x32 /* AttributeProto.g */ };
  g_autofree gsize *size = g_new0 (gsize, LEVELS + 2);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  EnvelopeNetwork *network;

  /* the payload of wrapper i is wrapper i + 1 whole; the innermost is empty */
  for (gsize i = LEVELS; i-- > 0;)
    {
      gsize payload = size[i + 1], varint = 1;

      for (gsize v = payload; v >= 0x80; v >>= 7)
        varint++;
      size[i] = 1 + varint + payload;
    }
  g_byte_array_append (bytes, (const guint8 *) "\x08\x07", 2);   /* ir_version 7 */
  for (gsize i = 0; i < LEVELS; i++)
    {
      guint8 tag = i == 0 ? 0x3a /* ModelProto.graph */ : tags[(i - 1) % 3];
      gsize payload = size[i + 1];

      g_byte_array_append (bytes, &tag, 1);
      while (payload >= 0x80)
        {
          guint8 b = (guint8) (payload | 0x80);

          g_byte_array_append (bytes, &b, 1);
          payload >>= 7;
        }
      {
        guint8 b = (guint8) payload;

        g_byte_array_append (bytes, &b, 1);
      }
    }
  network = envelope_import_load_data (bytes->data, bytes->len, "deep.onnx", NULL, NULL, &error);
  g_assert_null (network);
  g_assert_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "more than 64 deep"));
}

/* Every prefix of a small model: an error or a network, never a crash. */
static void
test_prefixes (void)
{
  g_autoptr(GBytes) bytes = read_fixture ("dense-concat.onnx");
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  for (gsize n = 0; n < length; n += 7)
    {
      g_autoptr(GError) error = NULL;
      EnvelopeNetwork *network = envelope_import_onnx (data, n, NULL, NULL, &error);

      g_assert_true ((network == NULL) != (error == NULL));
      g_clear_pointer (&network, envelope_network_free);
    }
}

/* Bytes of a small model overwritten one at a time: an error or a
 * network that analyses, never a crash. */
static void
test_corrupted_bytes (void)
{
  g_autoptr(GBytes) bytes = read_fixture ("dense-concat.onnx");
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  g_autofree guint8 *copy = g_memdup2 (data, length);
  static const guint8 values[] = { 0x00, 0x01, 0x7f, 0xff };

  for (gsize i = 0; i < length; i += 3)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++)
      {
        g_autoptr(GError) error = NULL;
        EnvelopeNetwork *network;

        memcpy (copy, data, length);
        copy[i] = values[v];
        network = envelope_import_onnx (copy, length, NULL, NULL, &error);
        g_assert_true ((network == NULL) != (error == NULL));
        if (network != NULL)
          {
            EnvelopeAnalysis *analysis = envelope_analysis_new (network, NULL, NULL, &error);

            g_assert_no_error (error);
            envelope_analysis_free (analysis);
            envelope_network_free (network);
          }
      }
}

/* A model of more than 16 MB is unpacked without its weights' data: the
 * same ResNet-18 made large by a 17 MB doc_string (ModelProto field 6,
 * appended: a protocol buffer's fields may come in any order) gives the
 * same figures as the small file. */
static void
test_large_model (void)
{
  g_autofree char *path = fixture ("resnet18-train.onnx");
  g_autofree char *contents = NULL;
  g_autoptr(GByteArray) large = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  gsize length = 0, doc = 17u << 20;
  guint8 byte;
  g_autofree guint8 *text = g_malloc (doc);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_byte_array_append (large, (const guint8 *) contents, (guint) length);
  byte = 6 << 3 | 2;
  g_byte_array_append (large, &byte, 1);
  for (gsize v = doc; ; v >>= 7)
    {
      byte = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
      g_byte_array_append (large, &byte, 1);
      if (v <= 0x7f)
        break;
    }
  memset (text, 'x', doc);
  g_byte_array_append (large, text, (guint) doc);

  network = envelope_import_load_data (large->data, large->len, "large.onnx", NULL, NULL, &error);
  g_assert_no_error (error);
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (envelope_analysis_get_totals (analysis)->trainable_params, ==, 11689512);
  g_assert_cmpuint (envelope_analysis_get_totals (analysis)->macs, ==, G_GUINT64_CONSTANT (1814073344));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/onnx/resnet18-train", test_resnet18_train);
  g_test_add_func ("/import/onnx/large-model", test_large_model);
  g_test_add_func ("/import/onnx/resnet18-eval", test_resnet18_eval);
  g_test_add_func ("/import/onnx/convnext-channels-last", test_convnext_channels_last);
  g_test_add_func ("/import/onnx/channels-last-open", test_channels_last_open);
  g_test_add_func ("/import/onnx/token-mixing", test_token_mixing);
  g_test_add_func ("/import/onnx/swin", test_swin);
  g_test_add_func ("/import/onnx/vit-tokens", test_vit_tokens);
  g_test_add_func ("/import/onnx/recurrent", test_recurrent);
  g_test_add_func ("/import/onnx/gpt", test_gpt);
  g_test_add_func ("/import/onnx/transformer-lm", test_transformer_lm);
  g_test_add_func ("/import/onnx/mobilenet-v3-small", test_mobilenet_v3_small);
  g_test_add_func ("/import/onnx/transformer-decomposed", test_transformer_decomposed);
  g_test_add_func ("/import/onnx/transformer-opset17", test_transformer_opset17);
  g_test_add_func ("/import/onnx/transformer-torch", test_transformer_torch);
  g_test_add_func ("/import/onnx/dense-concat", test_dense_concat);
  g_test_add_func ("/import/onnx/zoo", test_zoo);
  g_test_add_func ("/import/onnx/signal", test_signal);
  g_test_add_func ("/import/onnx/split", test_split);
  g_test_add_func ("/import/onnx/unknown-operator", test_unknown_operator);
  g_test_add_func ("/import/onnx/detect", test_detect);
  g_test_add_func ("/import/onnx/truncated", test_truncated);
  g_test_add_func ("/import/onnx/wrong-magic", test_wrong_magic);
  g_test_add_func ("/import/what-it-is", test_what_it_is);
  g_test_add_func ("/import/onnx/huge-dims", test_huge_dims);
  g_test_add_func ("/import/onnx/cycle", test_cycle);
  g_test_add_func ("/import/onnx/deep-nesting", test_deep_nesting);
  g_test_add_func ("/import/onnx/prefixes", test_prefixes);
  g_test_add_func ("/import/onnx/corrupted-bytes", test_corrupted_bytes);

  return g_test_run ();
}
