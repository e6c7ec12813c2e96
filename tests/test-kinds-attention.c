/* test-kinds-attention.c: attention, window attention, matmul, LSTM and
 * GRU, worked by hand and checked against PyTorch
 *
 * The PyTorch figures were taken once, with torch 1.13 and torchvision
 * 0.14 (parameters(): sum of numel; MACs: the aten mm, addmm, bmm and
 * baddbmm calls of one forward pass, counted by a dispatch mode); the
 * suite itself never needs PyTorch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kinds-attention"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "envelope-report.h"
#include "test-helpers.h"

#define HEAD "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["

/* One input of @input's shape and one layer named "layer". */
static char *
single_layer_network (const char *input,
                      const char *layer)
{
  return g_strdup_printf (HEAD "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                          "{\"name\": \"layer\", \"type\": %s}]}", input, layer);
}

typedef struct
{
  const char *name;
  const char *input;
  const char *layer;
  guint rank;
  EnvelopeTensorLayout layout;
  guint64 shape[4];
  guint64 weights, biases, non_trainable, macs, other_ops, internal;
  gboolean whole, causal;
} FigureCase;

static const FigureCase figure_cases[] = {
  /* ViT-B/16's encoder attention: torch.nn.MultiheadAttention(768, 12)
   * has 2,362,368 parameters; one forward pass on 197 tokens does
   * 464,781,312 MACs in addmm (the projections) and 59,610,624 in bmm
   * (the two score products).  Held: Q and the context 2 × 197 × 768,
   * K and V 2 × 197 × 768, the scores 12 × 197 × 197. */
  { "vit-b16", "[197, 768]", "\"attention\", \"heads\": 12",
    2, ENVELOPE_TENSOR_TOKENS, { 197, 768 },
    2359296, 3072, 0, 524391936, 4 * 12 * 197 * 197, 4 * 197 * 768 + 12 * 197 * 197, TRUE, FALSE },
  { "vit-b16-fused", "[197, 768]", "\"attention\", \"heads\": 12, \"fused\": true",
    2, ENVELOPE_TENSOR_TOKENS, { 197, 768 },
    2359296, 3072, 0, 524391936, 4 * 12 * 197 * 197, 4 * 197 * 768, TRUE, FALSE },
  /* Llama-2-7B: D = 4096, 32 heads, no bias; causal counted in full */
  { "llama2-7b", "[16, 4096]", "\"attention\", \"heads\": 32, \"bias\": false, \"causal\": true",
    2, ENVELOPE_TENSOR_TOKENS, { 16, 4096 },
    67108864, 0, 0, G_GUINT64_CONSTANT (4) * 16 * 4096 * 4096 + 2 * 32 * 16 * 16 * 128, 4 * 32 * 16 * 16,
    4 * 16 * 4096 + 32 * 16 * 16, TRUE, TRUE },
  /* Llama-2-70B's grouped-query attention: 64 query heads, 8 key and value heads of 128 */
  { "gqa", "[4, 8192]", "\"attention\", \"heads\": 64, \"kv_heads\": 8, \"bias\": false",
    2, ENVELOPE_TENSOR_TOKENS, { 4, 8192 },
    150994944, 0, 0, 604241920, 4 * 64 * 4 * 4, 2 * 4 * 8192 + 2 * 4 * 1024 + 64 * 4 * 4, TRUE, FALSE },
  /* multi-query: one key and value head */
  { "mqa", "[10, 512]", "\"attention\", \"heads\": 8, \"kv_heads\": 1",
    2, ENVELOPE_TENSOR_TOKENS, { 10, 512 },
    512 * 512 + 2 * 512 * 64 + 512 * 512, 512 + 2 * 64 + 512, 0,
    10 * 512 * 512 + 2 * 10 * 512 * 64 + 2 * 8 * 10 * 10 * 64 + 10 * 512 * 512, 4 * 8 * 10 * 10,
    2 * 10 * 512 + 2 * 10 * 64 + 8 * 10 * 10, TRUE, FALSE },
  /* head_dim set: the heads need not divide the width */
  { "head-dim", "[10, 100]", "\"attention\", \"heads\": 3, \"head_dim\": 32",
    2, ENVELOPE_TENSOR_TOKENS, { 10, 100 },
    4 * 100 * 96, 3 * 96 + 100, 0, 4 * 10 * 100 * 96 + 2 * 3 * 10 * 10 * 32, 4 * 3 * 10 * 10,
    4 * 10 * 96 + 3 * 10 * 10, TRUE, FALSE },
  /* a map [C, H, W] is H·W tokens of C features, and stays a map */
  { "map", "[96, 8, 8]", "\"attention\", \"heads\": 3",
    3, ENVELOPE_TENSOR_MAP, { 96, 8, 8 },
    4 * 96 * 96, 4 * 96, 0, 4 * 64 * 96 * 96 + 2 * 3 * 64 * 64 * 32, 4 * 3 * 64 * 64,
    4 * 64 * 96 + 3 * 64 * 64, TRUE, FALSE },
  /* torchvision.models.swin_t's first block: 37,755 parameters (the bias
   * table 169 × 3 among them), the relative_position_index buffer of
   * 2,401 int64; 115,605,504 MACs in addmm and 29,503,488 in bmm */
  { "swin-t", "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7",
    3, ENVELOPE_TENSOR_MAP, { 96, 56, 56 },
    37371, 384, 2401, 145108992, 4 * 64 * 3 * 49 * 49, 4 * 3136 * 96 + 64 * 3 * 49 * 49, FALSE, FALSE },
  /* the shifted block: the same counts (torch counts the same MACs) */
  { "swin-t-shifted", "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7, \"shift\": 3",
    3, ENVELOPE_TENSOR_MAP, { 96, 56, 56 },
    37371, 384, 2401, 145108992, 4 * 64 * 3 * 49 * 49, 4 * 3136 * 96 + 64 * 3 * 49 * 49, FALSE, FALSE },
  { "swin-no-bias", "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7, \"bias\": false",
    3, ENVELOPE_TENSOR_MAP, { 96, 56, 56 },
    37371, 0, 2401, 145108992, 4 * 64 * 3 * 49 * 49, 4 * 3136 * 96 + 64 * 3 * 49 * 49, FALSE, FALSE },
  /* torch.nn.LSTM(100, 256, num_layers=2, bidirectional=True): 2,310,144
   * parameters; 115,097,600 MACs in addmm on 50 steps */
  { "lstm", "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true",
    2, ENVELOPE_TENSOR_TOKENS, { 50, 512 },
    2301952, 8192, 0, 115097600, 50 * 2 * 2 * 9 * 256, 50 * 512, TRUE, FALSE },
  /* torch.nn.GRU(100, 256, num_layers=2, bidirectional=True): 1,732,608
   * parameters; 86,323,200 MACs */
  { "gru", "[50, 100]", "\"gru\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true",
    2, ENVELOPE_TENSOR_TOKENS, { 50, 512 },
    1726464, 6144, 0, 86323200, 50 * 2 * 2 * 8 * 256, 50 * 512, TRUE, FALSE },
  /* torch.nn.LSTM(100, 256): 366,592 parameters; each step sees only the ones before it */
  { "lstm-causal", "[50, 100]", "\"lstm\", \"hidden\": 256",
    2, ENVELOPE_TENSOR_TOKENS, { 50, 256 },
    364544, 2048, 0, 50 * 364544, 50 * 9 * 256, 0, TRUE, TRUE },
  /* Keras's LSTM(64) on 100 features: 4 × 64 × (100 + 64 + 1) = 42,240, the last state only */
  { "lstm-keras", "[50, 100]", "\"lstm\", \"hidden\": 64, \"bias_convention\": \"single\", \"sequences\": false",
    1, ENVELOPE_TENSOR_VECTOR, { 64 },
    41984, 256, 0, 50 * 41984, 50 * 9 * 64, 0, TRUE, FALSE },
  /* torch.nn.GRU(32, 16, num_layers=3): 5,664 parameters; three layers, causal */
  { "gru-3-layers", "[20, 32]", "\"gru\", \"hidden\": 16, \"layers\": 3",
    2, ENVELOPE_TENSOR_TOKENS, { 20, 16 },
    3 * 16 * 48 + 2 * 3 * 16 * 32, 3 * 3 * 16 * 2, 0, 20 * (3 * 16 * 48 + 2 * 3 * 16 * 32), 20 * 3 * 8 * 16,
    2 * 20 * 16, TRUE, TRUE },
};

static void
test_figures (gconstpointer data)
{
  const FigureCase *c = data;
  g_autofree char *json = single_layer_network (c->input, c->layer);
  g_autoptr(Model) m = model_parse (json);
  const EnvelopeLayerFigures *f = model_layer (m, "layer");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);

  g_assert_cmpuint (f->rank, ==, c->rank);
  g_assert_cmpint (f->layout, ==, c->layout);
  for (guint a = 0; a < c->rank; a++)
    g_assert_cmpuint (f->shape[a], ==, c->shape[a]);
  g_assert_cmpuint (f->weights, ==, c->weights);
  g_assert_cmpuint (f->biases, ==, c->biases);
  g_assert_cmpuint (f->non_trainable, ==, c->non_trainable);
  g_assert_cmpuint (f->trainable, ==, c->weights + c->biases);
  g_assert_cmpuint (f->params, ==, c->weights + c->biases + c->non_trainable);
  g_assert_cmpuint (f->macs, ==, c->macs);
  g_assert_cmpuint (f->other_ops, ==, c->other_ops);
  g_assert_cmpuint (f->internal, ==, c->internal);
  g_assert_cmpint (f->receptive_field.whole_input, ==, c->whole);
  g_assert_cmpint (f->receptive_field.causal, ==, c->causal);
  /* what a layer holds counts among the activations */
  g_assert_cmpuint (t->activations_all, ==, model_layer (m, "data")->activations + f->activations + f->internal);
}

/* The parameter counts PyTorch reports, summed. */
static void
test_pytorch_totals (void)
{
  static const struct { const char *input, *layer; guint64 trainable; } cases[] = {
    { "[197, 768]", "\"attention\", \"heads\": 12", 2362368 },
    { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", 37755 },
    { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", 2310144 },
    { "[50, 100]", "\"gru\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", 1732608 },
    { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2", 892928 },
    { "[50, 100]", "\"gru\", \"hidden\": 256, \"layers\": 2", 669696 },
    { "[50, 100]", "\"lstm\", \"hidden\": 256, \"bidirectional\": true", 733184 },
    { "[50, 100]", "\"gru\", \"hidden\": 256, \"bidirectional\": true", 549888 },
    { "[20, 32]", "\"gru\", \"hidden\": 16, \"layers\": 3", 5664 },
    { "[50, 100]", "\"lstm\", \"hidden\": 256", 366592 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(Model) m = model_parse (json);

      g_test_message ("case %u: %s", i, cases[i].layer);
      g_assert_cmpuint (envelope_analysis_get_totals (m->analysis)->trainable_params, ==, cases[i].trainable);
    }
}

/* Cross-attention: queries from the first input, keys and values from the
 * second.  torch.nn.MultiheadAttention(512, 8, kdim=256, vdim=256): 788,480
 * parameters, 10,690,560 MACs on 10 queries and 20 keys. */
static void
test_cross_attention (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"text\", \"type\": \"input\", \"shape\": [10, 512]},"
    "{\"name\": \"image\", \"type\": \"input\", \"shape\": [20, 256]},"
    "{\"name\": \"cross\", \"type\": \"attention\", \"inputs\": [\"text\", \"image\"], \"heads\": 8}]}");
  const EnvelopeLayerFigures *f = model_layer (m, "cross");

  g_assert_cmpuint (f->rank, ==, 2);
  g_assert_cmpuint (f->shape[0], ==, 10);
  g_assert_cmpuint (f->shape[1], ==, 512);
  g_assert_cmpuint (f->weights, ==, 512 * 512 + 2 * 256 * 512 + 512 * 512);
  g_assert_cmpuint (f->biases, ==, 2048);
  g_assert_cmpuint (f->params, ==, 788480);
  g_assert_cmpuint (f->macs, ==, 10690560);
  g_assert_cmpuint (f->other_ops, ==, 4 * 8 * 10 * 20);
  g_assert_cmpuint (f->internal, ==, 2 * 10 * 512 + 2 * 20 * 512 + 8 * 10 * 20);
  g_assert_true (f->receptive_field.whole_input);
}

/* After a bidirectional layer every token has seen the whole sequence:
 * causal attention on top of it is no longer causal. */
static void
test_causal_after_whole (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 64]},"
    "{\"name\": \"a1\", \"type\": \"attention\", \"heads\": 4, \"causal\": true},"
    "{\"name\": \"a2\", \"type\": \"attention\", \"heads\": 4, \"causal\": true},"
    "{\"name\": \"a3\", \"type\": \"attention\", \"heads\": 4},"
    "{\"name\": \"a4\", \"type\": \"attention\", \"heads\": 4, \"causal\": true}]}");

  g_assert_true (model_layer (m, "a1")->receptive_field.causal);
  g_assert_true (model_layer (m, "a2")->receptive_field.causal);
  g_assert_false (model_layer (m, "a3")->receptive_field.causal);
  g_assert_false (model_layer (m, "a4")->receptive_field.causal);
  g_assert_true (model_layer (m, "a4")->receptive_field.whole_input);
}

/* Attention keeps every token where it was: each sees the 16 tokens of
 * the input, and stacking more layers neither grows the field past the
 * input nor spreads the tokens apart (the jump stays 1; it once grew by
 * the token count a layer, to 4,096³² in Llama-2). */
static void
test_stacked_field (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 64]},"
    "{\"name\": \"a1\", \"type\": \"attention\", \"heads\": 4, \"causal\": true},"
    "{\"name\": \"a2\", \"type\": \"attention\", \"heads\": 4, \"causal\": true},"
    "{\"name\": \"a3\", \"type\": \"attention\", \"heads\": 4, \"causal\": true},"
    "{\"name\": \"pool\", \"type\": \"global_avg_pool\"}]}");
  static const char *const mixed[] = { "a1", "a2", "a3" };

  for (guint i = 0; i < G_N_ELEMENTS (mixed); i++)
    {
      const EnvelopeReceptiveField *rf = &model_layer (m, mixed[i])->receptive_field;

      g_assert_true (rf->whole_input);
      /* its own token and the 15 beside it, 1 apart */
      g_assert_cmpfloat (rf->size[0], ==, 1 + 15 * 1);
      g_assert_cmpfloat (rf->jump[0], ==, 1);
      g_assert_cmpfloat (rf->start[0], ==, 0.5);
    }
  /* a pool over the tokens leaves one position: its jump spans them */
  g_assert_true (model_layer (m, "pool")->receptive_field.whole_input);
}

static void
test_matmul (void)
{
  static const struct { const char *a, *b; guint rank; guint64 shape[4]; guint64 macs; } cases[] = {
    /* ViT's Q·Kᵀ, per head: torch.matmul on [1, 12, 197, 64] × [1, 12, 64, 197]
     * does 29,805,312 MACs in bmm */
    { "[12, 197, 64]", "[12, 64, 197]", 3, { 12, 197, 197 }, 29805312 },
    /* rank 2: tokens times a matrix */
    { "[10, 64]", "[64, 5]", 2, { 10, 5 }, 10 * 64 * 5 },
    /* the leading axes broadcast: [2, 12, 10, 64] × [64, 5] and [1, 10, 64] × [3, 64, 7] */
    { "[2, 12, 10, 64]", "[64, 5]", 4, { 2, 12, 10, 5 }, 2 * 12 * 10 * 64 * 5 },
    { "[1, 10, 64]", "[3, 64, 7]", 3, { 3, 10, 7 }, 3 * 10 * 64 * 7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (HEAD
        "{\"name\": \"a\", \"type\": \"input\", \"shape\": %s},"
        "{\"name\": \"b\", \"type\": \"input\", \"shape\": %s},"
        "{\"name\": \"layer\", \"type\": \"matmul\", \"inputs\": [\"a\", \"b\"]}]}", cases[i].a, cases[i].b);
      g_autoptr(Model) m = model_parse (json);
      const EnvelopeLayerFigures *f = model_layer (m, "layer");

      g_test_message ("case %u: %s × %s", i, cases[i].a, cases[i].b);
      g_assert_cmpuint (f->rank, ==, cases[i].rank);
      for (guint a = 0; a < cases[i].rank; a++)
        g_assert_cmpuint (f->shape[a], ==, cases[i].shape[a]);
      g_assert_cmpuint (f->macs, ==, cases[i].macs);
      g_assert_cmpuint (f->params, ==, 0);
      g_assert_cmpuint (f->other_ops, ==, 0);
    }
}

/* ------------------------------------------------------------------ */

typedef struct
{
  const char *input;
  const char *layer;
  EnvelopeFigure figure;
  const char *text;
} FormulaCase;

static const FormulaCase formula_cases[] = {
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_WEIGHTS,
    "768 × 12 × 64 (Wq) + 2 × 768 × 12 × 64 (Wk, Wv) + 12 × 64 × 768 (Wo) = 2,359,296" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_BIASES,
    "12 × 64 + 2 × 12 × 64 + 768 = 3,072 (bq, bk, bv, bo)" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_PARAMS,
    "2,359,296 + 3,072 = 2,362,368" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_MACS,
    "Q: 197 × 768 × 12 × 64 = 116,195,328; K, V: 2 × 197 × 768 × 12 × 64 = 232,390,656; "
    "Q·Kᵀ: 12 heads × 197 × 197 × 64 = 29,805,312; scores × V: 12 heads × 197 × 197 × 64 = 29,805,312; "
    "output: 197 × 12 × 64 × 768 = 116,195,328; total 524,391,936" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_OTHER_OPS,
    "4 × 12 heads × 197 × 197 = 1,862,832 (per score: the scaling 1, softmax 3)" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "unchanged: 197×768" },
  { "[197, 768]", "\"attention\", \"heads\": 12", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "whole input: 1 + (197 − 1) × 1 = 197" },
  { "[16, 4096]", "\"attention\", \"heads\": 32, \"bias\": false, \"causal\": true", ENVELOPE_FIGURE_BIASES,
    "0 (bias: false)" },
  { "[16, 4096]", "\"attention\", \"heads\": 32, \"bias\": false, \"causal\": true", ENVELOPE_FIGURE_MACS,
    "Q: 16 × 4,096 × 32 × 128 = 268,435,456; K, V: 2 × 16 × 4,096 × 32 × 128 = 536,870,912; "
    "Q·Kᵀ: 32 heads × 16 × 16 × 128 = 1,048,576; scores × V: 32 heads × 16 × 16 × 128 = 1,048,576; "
    "output: 16 × 32 × 128 × 4,096 = 268,435,456; total 1,075,838,976 "
    "(causal: the whole 16 × 16 square is counted, as eager PyTorch computes it and then masks it)" },
  { "[16, 4096]", "\"attention\", \"heads\": 32, \"bias\": false, \"causal\": true", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "whole input: 1 + (16 − 1) × 1 = 16 (causal: each token sees only itself and the tokens before it)" },
  { "[96, 8, 8]", "\"attention\", \"heads\": 3", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "64 positions as tokens of 96 features → 96×8×8" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_WEIGHTS,
    "96 × 3 × 96 (qkv) + 96 × 96 (proj) + (2 × 7 − 1)² × 3 heads (relative-position bias table) = 37,371" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_BIASES,
    "3 × 96 + 96 = 384 (qkv, proj)" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_NON_TRAINABLE,
    "7 × 7 × 7 × 7 = 2,401 (the relative-position index, a buffer: PyTorch's parameters() leaves it out)" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_MACS,
    "qkv: 3,136 × 96 × 3 × 96 = 86,704,128; proj: 3,136 × 96 × 96 = 28,901,376; "
    "attention: 2 × 64 windows × 3 heads × 49 × 49 × 32 = 29,503,488; total 145,108,992" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_OTHER_OPS,
    "4 × 64 windows × 3 heads × 49 × 49 = 1,843,968 (per score: the scaling 1, softmax 3)" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "1 + (7 − 1) × 1 = 7" },
  { "[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7, \"shift\": 3", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "1 + (7 − 1) × 1 = 7 (windows shifted by 3: other neighbours, the same size)" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", ENVELOPE_FIGURE_WEIGHTS,
    "layer 1: 4 gates × 256 × (100 + 256) × 2 directions = 729,088; "
    "layer 2: 4 gates × 256 × (512 + 256) × 2 directions = 1,572,864; total 2,301,952" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", ENVELOPE_FIGURE_BIASES,
    "4 gates × 256 × 2 (b_ih and b_hh) × 2 directions × 2 layers = 8,192" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", ENVELOPE_FIGURE_MACS,
    "50 steps × 2,301,952 = 115,097,600 (each weight once per step)" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", ENVELOPE_FIGURE_OTHER_OPS,
    "50 steps × 2 layers × 2 directions × 9 × 256 = 460,800 "
    "(per unit and step: 4 gate nonlinearities, the cell's tanh, 3 products, 1 sum)" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256, \"layers\": 2, \"bidirectional\": true", ENVELOPE_FIGURE_OUTPUT_SHAPE,
    "50 steps of 2 directions × 256 = 512 → 50×512" },
  { "[50, 100]", "\"lstm\", \"hidden\": 64, \"bias_convention\": \"single\", \"sequences\": false",
    ENVELOPE_FIGURE_BIASES, "4 gates × 64 × 1 (one bias vector) = 256" },
  { "[50, 100]", "\"lstm\", \"hidden\": 64, \"bias_convention\": \"single\", \"sequences\": false",
    ENVELOPE_FIGURE_OUTPUT_SHAPE, "the last step's state → 64" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256", ENVELOPE_FIGURE_RECEPTIVE_FIELD,
    "whole input: 1 + (50 − 1) × 1 = 50 (causal: each step sees only the tokens up to its own)" },
  { "[50, 100]", "\"lstm\", \"hidden\": 256", ENVELOPE_FIGURE_OTHER_OPS,
    "50 steps × 9 × 256 = 115,200 (per unit and step: 4 gate nonlinearities, the cell's tanh, 3 products, 1 sum)" },
  { "[20, 32]", "\"gru\", \"hidden\": 16, \"layers\": 3", ENVELOPE_FIGURE_WEIGHTS,
    "layer 1: 3 gates × 16 × (32 + 16) = 2,304; layers 2 to 3, each: 3 gates × 16 × (16 + 16) = 1,536; total 5,376" },
  { "[20, 32]", "\"gru\", \"hidden\": 16, \"layers\": 3", ENVELOPE_FIGURE_OTHER_OPS,
    "20 steps × 3 layers × 8 × 16 = 7,680 "
    "(per unit and step: 3 gate nonlinearities, 4 products and differences, 1 sum)" },
};

static void
test_formulas (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (formula_cases); i++)
    {
      const FormulaCase *c = &formula_cases[i];
      g_autofree char *json = single_layer_network (c->input, c->layer);
      g_autoptr(Model) m = model_parse (json);
      g_autofree char *text = model_formula (m, "layer", c->figure);

      g_test_message ("case %u: %s", i, c->layer);
      g_assert_cmpstr (text, ==, c->text);
    }
}

static void
test_matmul_formula (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"a\", \"type\": \"input\", \"shape\": [12, 197, 64]},"
    "{\"name\": \"b\", \"type\": \"input\", \"shape\": [12, 64, 197]},"
    "{\"name\": \"layer\", \"type\": \"matmul\", \"inputs\": [\"a\", \"b\"]}]}");
  g_autofree char *macs = model_formula (m, "layer", ENVELOPE_FIGURE_MACS);
  g_autofree char *shape = model_formula (m, "layer", ENVELOPE_FIGURE_OUTPUT_SHAPE);

  g_assert_cmpstr (macs, ==, "12 × 197 × 64 × 197 = 29,805,312");
  g_assert_cmpstr (shape, ==, "12×197×64 × 12×64×197 → 12×197×197");
}

/* ------------------------------------------------------------------ */
/* Errors name the layer, the field and the sizes                      */

typedef struct
{
  const char *json;
  gint code;
  const char *field;
  const char *contains[3];
} ErrorCase;

#define ONE(input, layer) \
  HEAD "{\"name\": \"data\", \"type\": \"input\", \"shape\": " input "}, {\"name\": \"layer\", \"type\": " layer "}]}"
#define TWO(a, b, layer) \
  HEAD "{\"name\": \"a\", \"type\": \"input\", \"shape\": " a "}, {\"name\": \"b\", \"type\": \"input\", \"shape\": " b "}, " \
  "{\"name\": \"layer\", \"type\": " layer ", \"inputs\": [\"a\", \"b\"]}]}"

static const ErrorCase error_cases[] = {
  { ONE ("[10, 100]", "\"attention\", \"heads\": 12"), ENVELOPE_ANALYSIS_ERROR_GROUPS, "heads",
    { "12 does not divide the model width 100", NULL } },
  { ONE ("[10, 96]", "\"attention\", \"heads\": 12, \"kv_heads\": 5"), ENVELOPE_ANALYSIS_ERROR_GROUPS, "kv_heads",
    { "5 must divide the heads (12)", NULL } },
  { ONE ("[100]", "\"attention\", \"heads\": 4"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "attention layers need tokens", "a vector of 100 values", NULL } },
  { TWO ("[10, 64]", "[32]", "\"attention\", \"heads\": 4"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "the second input (keys and values) is a vector of 32 values", NULL } },
  { ONE ("[96, 56, 55]", "\"window_attention\", \"heads\": 3, \"window\": 7"),
    ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH, "window",
    { "7 must divide both the height (56) and the width (55)", NULL } },
  { ONE ("[96, 56, 56]", "\"window_attention\", \"heads\": 5, \"window\": 7"), ENVELOPE_ANALYSIS_ERROR_GROUPS, "heads",
    { "5 does not divide the channels (96)", NULL } },
  { ONE ("[96, 56, 56]", "\"window_attention\", \"heads\": 3, \"window\": 7, \"shift\": 7"),
    ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH, "shift",
    { "7 must be smaller than the window (7)", NULL } },
  { ONE ("[196, 96]", "\"window_attention\", \"heads\": 3, \"window\": 7"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "window_attention layers need a map", NULL } },
  { ONE ("[96, 16, 16, 16]", "\"window_attention\", \"heads\": 3, \"window\": 4"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "needs a map [C, H, W], but this one gets 96×16×16×16", NULL } },
  { TWO ("[10, 64]", "[32, 5]", "\"matmul\""), ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH, "inputs",
    { "matmul cannot multiply 10×64 by 32×5", "last axis (64)", "next-to-last (32)" } },
  { TWO ("[2, 10, 64]", "[3, 64, 5]", "\"matmul\""), ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH, "inputs",
    { "matmul cannot multiply 2×10×64 by 3×64×5", "2 and 3", NULL } },
  { TWO ("[10, 64]", "[64]", "\"matmul\""), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "the second is a vector of 64 values", NULL } },
  { ONE ("[3, 32, 32]", "\"lstm\", \"hidden\": 64"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "lstm layers need a sequence of tokens [T, D], but this one gets 3×32×32", NULL } },
  { ONE ("[100]", "\"gru\", \"hidden\": 64"), ENVELOPE_ANALYSIS_ERROR_RANK, "inputs",
    { "gru layers need a sequence of tokens [T, D], but this one gets 100", NULL } },
  /* a count past 64 bits is an error, never a wrap */
  { ONE ("[4000000, 4000000]", "\"attention\", \"heads\": 1"), ENVELOPE_ANALYSIS_ERROR_OVERFLOW, NULL,
    { "The MAC count overflows 64 bits", NULL } },
  { ONE ("[4000000, 4000000]", "\"lstm\", \"hidden\": 4000000"), ENVELOPE_ANALYSIS_ERROR_OVERFLOW, NULL,
    { "overflows 64 bits", NULL } },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(EnvelopeNetwork) network = NULL;
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      EnvelopeErrorLocation location = { -2, "unset" };
      gint layer;

      g_test_message ("case %u", i);
      network = envelope_network_load_from_data (c->json, -1, &error);
      g_assert_no_error (error);
      layer = envelope_network_find_layer (network, "layer");
      analysis = envelope_analysis_new (network, NULL, &location, &error);
      g_assert_null (analysis);
      g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, c->code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "\"layer\""));
      for (guint k = 0; k < G_N_ELEMENTS (c->contains) && c->contains[k] != NULL; k++)
        g_assert_nonnull (strstr (error->message, c->contains[k]));
      g_assert_cmpint (location.layer, ==, layer);
      g_assert_cmpstr (location.field, ==, c->field);
    }
}

/* The loader knows the new settings, their ranges and defaults, and a
 * saved file says what its author wrote and no more. */
static void
test_settings (void)
{
  static const char json[] = HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [10, 64]},"
    "{\"name\": \"att\", \"type\": \"attention\", \"heads\": 8, \"kv_heads\": 2, \"causal\": true, \"fused\": true},"
    "{\"name\": \"rnn\", \"type\": \"gru\", \"hidden\": 32, \"bias_convention\": \"single\", \"sequences\": false}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);
  g_autoptr(EnvelopeNetwork) again = NULL;
  g_autofree char *saved = NULL;
  const EnvelopeLayer *rnn;

  g_assert_no_error (error);
  rnn = envelope_network_get_layer (network, 2);
  g_assert_cmpint (rnn->layers, ==, 1);
  g_assert_false (rnn->bidirectional);
  g_assert_cmpint (rnn->bias_convention, ==, ENVELOPE_BIAS_CONVENTION_SINGLE);
  g_assert_false (rnn->sequences);
  saved = envelope_network_to_data (network, NULL);
  g_assert_nonnull (strstr (saved, "\"kv_heads\""));
  g_assert_null (strstr (saved, "\"head_dim\""));
  g_assert_null (strstr (saved, "\"layers\": 1"));
  again = envelope_network_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, again));

  {
    g_autoptr(EnvelopeNetwork) bad = envelope_network_load_from_data (ONE ("[10, 64]", "\"attention\""), -1, &error);

    g_assert_null (bad);
    g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_MISSING);
    g_assert_nonnull (strstr (error->message, "heads"));
    g_clear_error (&error);
  }
  {
    g_autoptr(EnvelopeNetwork) bad = envelope_network_load_from_data (
      ONE ("[10, 64]", "\"lstm\", \"hidden\": 8, \"bias_convention\": \"keras\""), -1, &error);

    g_assert_null (bad);
    g_assert_nonnull (strstr (error->message, "bias_convention"));
    g_clear_error (&error);
  }
  {
    g_autoptr(EnvelopeNetwork) bad = envelope_network_load_from_data (
      ONE ("[10, 64]", "\"lstm\", \"hidden\": 0"), -1, &error);

    g_assert_null (bad);
    g_assert_error (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_VALUE);
    g_clear_error (&error);
  }
}

/* The few characters a diagram block and a table row show. */
static void
test_describe (void)
{
  static const char json[] = HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 64]},"
    "{\"name\": \"a\", \"type\": \"attention\", \"heads\": 8},"
    "{\"name\": \"b\", \"type\": \"attention\", \"heads\": 8, \"kv_heads\": 2, \"causal\": true},"
    "{\"name\": \"c\", \"type\": \"lstm\", \"hidden\": 256},"
    "{\"name\": \"d\", \"type\": \"gru\", \"hidden\": 128, \"layers\": 2, \"bidirectional\": true},"
    "{\"name\": \"m\", \"type\": \"input\", \"shape\": [96, 56, 56]},"
    "{\"name\": \"w\", \"type\": \"window_attention\", \"heads\": 3, \"window\": 7, \"shift\": 3},"
    "{\"name\": \"x\", \"type\": \"matmul\", \"inputs\": [\"a\", \"b\"]}]}";
  static const char *expected[] = {
    "input", "attention 8 heads", "attention 8 heads, 2 kv, causal", "lstm 256", "gru 128, 2 layers, bidirectional",
    "input", "window_attention 7×7, 3 heads, shift 3", "matmul",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_data (json, -1, &error);

  g_assert_no_error (error);
  for (guint i = 1; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *text = envelope_layer_describe (envelope_network_get_layer (network, i));
      g_assert_cmpstr (text, ==, expected[i]);
    }
}

/* What attention holds inside (Q, K, V, the context, the scores) is part
 * of its share of the layer outputs and error signals, so that the
 * layers' shares still add up to the network's terms. */
static void
test_memory_shares (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [197, 768]},"
    "{\"name\": \"attn\", \"type\": \"attention\", \"heads\": 12},"
    "{\"name\": \"rnn\", \"type\": \"lstm\", \"hidden\": 64, \"layers\": 2}]}");
  const EnvelopeMemory *mem = envelope_analysis_get_memory (m->analysis);
  guint64 sums[ENVELOPE_N_MEMORY_TERMS] = { 0 };
  g_autofree char *text = NULL;

  for (guint i = 0; i < envelope_analysis_get_n_layers (m->analysis); i++)
    {
      guint64 bytes[ENVELOPE_N_MEMORY_TERMS];

      g_assert_true (envelope_analysis_layer_memory (m->analysis, i, bytes));
      for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
        sums[t] += bytes[t];
    }
  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    g_assert_cmpuint (sums[t], ==, mem->train[t]);
  text = envelope_analysis_explain_layer_memory (m->analysis, 1, ENVELOPE_MEMORY_LAYER_OUTPUTS);
  g_assert_cmpstr (text, ==, "(151,296 + 1,070,892 held inside) × 1 × 4 = 4,888,752 B (4.66 MiB)");
}

/* The JSON report carries what attention holds inside and whether its
 * receptive field is causal; the table marks it. */
static void
test_report (void)
{
  g_autoptr(Model) m = model_parse (HEAD
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [16, 64]},"
    "{\"name\": \"attn\", \"type\": \"attention\", \"heads\": 4, \"causal\": true, \"fused\": true}]}");
  EnvelopeReportOptions options = { ENVELOPE_REPORT_JSON, FALSE, FALSE, FALSE, ENVELOPE_UNITS_IEC };
  g_autofree char *json = envelope_report_write (m->analysis, &options);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *rf = envelope_report_receptive_field (&model_layer (m, "attn")->receptive_field,
                                                           envelope_analysis_get_totals (m->analysis)->input_extent);
  JsonObject *layer;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  layer = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                       "layers"), 1);
  g_assert_cmpint (json_object_get_int_member (layer, "internal"), ==, 4 * 16 * 64);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (layer, "receptive_field"), "causal"));
  g_assert_cmpstr (rf, ==, "16 (all of the input's 16 positions; causal)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (figure_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/kinds-attention/figures/%s", figure_cases[i].name);
      g_test_add_data_func (path, &figure_cases[i], test_figures);
    }
  g_test_add_func ("/kinds-attention/pytorch-totals", test_pytorch_totals);
  g_test_add_func ("/kinds-attention/cross-attention", test_cross_attention);
  g_test_add_func ("/kinds-attention/causal-after-whole", test_causal_after_whole);
  g_test_add_func ("/kinds-attention/stacked-field", test_stacked_field);
  g_test_add_func ("/kinds-attention/matmul", test_matmul);
  g_test_add_func ("/kinds-attention/formulas", test_formulas);
  g_test_add_func ("/kinds-attention/matmul-formula", test_matmul_formula);
  g_test_add_func ("/kinds-attention/errors", test_errors);
  g_test_add_func ("/kinds-attention/settings", test_settings);
  g_test_add_func ("/kinds-attention/describe", test_describe);
  g_test_add_func ("/kinds-attention/memory-shares", test_memory_shares);
  g_test_add_func ("/kinds-attention/report", test_report);
  return g_test_run ();
}
