/* test-kinds-tokens.c: embeddings, position embeddings, class tokens and
 * the turns between maps and tokens, worked by hand
 *
 * Checked against PyTorch 1.13 and torchvision 0.14: Embedding(50257,
 * 768) has 38,597,376 parameters and Embedding(1024, 768) 786,432
 * (GPT-2's wte and wpe); vit_b_16 has a class token of 768, a position
 * table of 197 × 768 = 151,296 and a patch convolution of 590,592, whose
 * [768, 14, 14] output flattens and transposes to [196, 768]; a small
 * GPT-like model whose output projection is the token table
 * (head.weight = wte.weight) has 2,144 parameters, the table counted once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kinds-tokens"

#include "config.h"

#include <string.h>

#include "envelope-report.h"
#include "test-helpers.h"

static char *
single_layer_network (const char *input,
                      const char *layer)
{
  return g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                          "{\"name\": \"data\", \"type\": \"input\", \"shape\": %s},"
                          "{\"name\": \"layer\", \"type\": %s}]}", input, layer);
}

static void
test_figures (void)
{
  static const struct {
    const char *input, *layer;
    guint rank;
    EnvelopeTensorLayout layout;
    guint64 shape[ENVELOPE_MAX_RANK];
    guint64 weights, other_ops;
  } cases[] = {
    /* a lookup: V × D weights, no arithmetic */
    { "[1024]", "\"embedding\", \"vocabulary\": 50257, \"dimension\": 768",
      2, ENVELOPE_TENSOR_TOKENS, { 1024, 768 }, G_GUINT64_CONSTANT (38597376), 0 },
    { "[12]", "\"embedding\", \"vocabulary\": 30522, \"dimension\": 128",
      2, ENVELOPE_TENSOR_TOKENS, { 12, 128 }, 30522 * 128, 0 },
    /* learned: positions × D, one addition per value; shorter sequences use the first rows */
    { "[1024, 768]", "\"position_embedding\", \"positions\": 1024",
      2, ENVELOPE_TENSOR_TOKENS, { 1024, 768 }, 786432, 1024 * 768 },
    { "[10, 768]", "\"position_embedding\", \"encoding\": \"learned\", \"positions\": 1024",
      2, ENVELOPE_TENSOR_TOKENS, { 10, 768 }, 786432, 10 * 768 },
    { "[197, 768]", "\"position_embedding\"",
      2, ENVELOPE_TENSOR_TOKENS, { 197, 768 }, 512 * 768, 197 * 768 },
    /* sinusoidal: no parameters, one addition per value; rotary: 3 per value */
    { "[100, 512]", "\"position_embedding\", \"encoding\": \"sinusoidal\"",
      2, ENVELOPE_TENSOR_TOKENS, { 100, 512 }, 0, 100 * 512 },
    { "[2048, 128]", "\"position_embedding\", \"encoding\": \"rotary\", \"positions\": 4",
      2, ENVELOPE_TENSOR_TOKENS, { 2048, 128 }, 0, 3 * 2048 * 128 },
    /* class tokens: [T, D] → [T + n, D], n × D weights */
    { "[196, 768]", "\"class_token\"",
      2, ENVELOPE_TENSOR_TOKENS, { 197, 768 }, 768, 0 },
    { "[196, 384]", "\"class_token\", \"tokens\": 2",
      2, ENVELOPE_TENSOR_TOKENS, { 198, 384 }, 768, 0 },
    /* to_tokens: [C, spatial…] → [∏ spatial, C] */
    { "[768, 14, 14]", "\"to_tokens\"",
      2, ENVELOPE_TENSOR_TOKENS, { 196, 768 }, 0, 0 },
    { "[64, 100], \"layout\": \"map\"", "\"to_tokens\"",
      2, ENVELOPE_TENSOR_TOKENS, { 100, 64 }, 0, 0 },
    { "[32, 4, 8, 8]", "\"to_tokens\"",
      2, ENVELOPE_TENSOR_TOKENS, { 256, 32 }, 0, 0 },
    /* to_map: [T, D] → [D, H, W] (one number: a square), [D, T] without output_size */
    { "[196, 768]", "\"to_map\", \"output_size\": [14, 14]",
      3, ENVELOPE_TENSOR_MAP, { 768, 14, 14 }, 0, 0 },
    { "[196, 768]", "\"to_map\", \"output_size\": 14",
      3, ENVELOPE_TENSOR_MAP, { 768, 14, 14 }, 0, 0 },
    { "[196, 768]", "\"to_map\", \"output_size\": [7, 28]",
      3, ENVELOPE_TENSOR_MAP, { 768, 7, 28 }, 0, 0 },
    { "[196, 768]", "\"to_map\"",
      2, ENVELOPE_TENSOR_MAP, { 768, 196 }, 0, 0 },
    { "[392, 96]", "\"to_map\", \"output_size\": [2, 14, 14]",
      4, ENVELOPE_TENSOR_MAP, { 96, 2, 14, 14 }, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(Model) m = model_parse (json);
      const EnvelopeLayerFigures *f = model_layer (m, "layer");
      guint64 values = 1;

      g_test_message ("case %u: %s on %s", i, cases[i].layer, cases[i].input);
      g_assert_cmpuint (f->rank, ==, cases[i].rank);
      g_assert_cmpint (f->layout, ==, cases[i].layout);
      for (guint a = 0; a < f->rank; a++)
        {
          g_assert_cmpuint (f->shape[a], ==, cases[i].shape[a]);
          values *= f->shape[a];
        }
      g_assert_cmpuint (f->activations, ==, values);
      g_assert_cmpuint (f->weights, ==, cases[i].weights);
      g_assert_cmpuint (f->biases, ==, 0);
      g_assert_cmpuint (f->non_trainable, ==, 0);
      g_assert_cmpuint (f->params, ==, cases[i].weights);
      g_assert_cmpuint (f->macs, ==, 0);
      g_assert_cmpuint (f->other_ops, ==, cases[i].other_ops);
    }
}

/* ViT-B/16's front: patches, tokens, the class token and the positions;
 * every token keeps the 16 × 16 patch it came from. */
static void
test_vit_front (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"image\", \"type\": \"input\", \"shape\": [3, 224, 224]},"
    "{\"name\": \"patches\", \"type\": \"conv\", \"filters\": 768, \"kernel\": 16, \"stride\": 16},"
    "{\"name\": \"tokens\", \"type\": \"to_tokens\"},"
    "{\"name\": \"cls\", \"type\": \"class_token\"},"
    "{\"name\": \"pos\", \"type\": \"position_embedding\", \"positions\": 197},"
    "{\"name\": \"back\", \"type\": \"to_map\", \"output_size\": [14, 14], \"inputs\": [\"tokens\"]},"
    "{\"name\": \"pool\", \"type\": \"global_avg_pool\", \"inputs\": [\"pos\"]}]}");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  const EnvelopeReceptiveField *pool = &model_layer (m, "pool")->receptive_field;
  g_autofree char *pool_rf = model_formula (m, "pool", ENVELOPE_FIGURE_RECEPTIVE_FIELD);
  const EnvelopeReceptiveField *tokens = &model_layer (m, "tokens")->receptive_field;
  const EnvelopeReceptiveField *back = &model_layer (m, "back")->receptive_field;

  g_assert_cmpuint (model_layer (m, "patches")->params, ==, 590592);
  g_assert_cmpuint (model_layer (m, "cls")->params, ==, 768);
  g_assert_cmpuint (model_layer (m, "pos")->params, ==, 151296);
  g_assert_cmpuint (t->params, ==, 590592 + 768 + 151296);
  g_assert_cmpuint (model_layer (m, "pos")->shape[0], ==, 197);
  g_assert_cmpuint (tokens->n_axes, ==, 2);
  g_assert_cmpfloat (tokens->size[0], ==, 16);
  g_assert_cmpfloat (tokens->jump[1], ==, 16);
  g_assert_false (tokens->whole_input);
  g_assert_true (memcmp (back, &model_layer (m, "patches")->receptive_field, sizeof *back) == 0);
  /* pooled over every token, the whole image on both axes (the token
   * count, 197, says nothing of the grid) */
  g_assert_true (pool->whole_input);
  g_assert_cmpuint (pool->n_axes, ==, 2);
  g_assert_cmpfloat (pool->size[0], ==, 224);
  g_assert_cmpfloat (pool->size[1], ==, 224);
  g_assert_cmpstr (pool_rf, ==, "whole input: max(16, 224) = 224");
}

/* GPT-2's ends: the token and position tables, and the output projection
 * that uses the token table (counted once, in wte). */
static void
test_gpt2 (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [1024]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 50257, \"dimension\": 768},"
    "{\"name\": \"wpe\", \"type\": \"position_embedding\", \"encoding\": \"learned\", \"positions\": 1024},"
    "{\"name\": \"ln_f\", \"type\": \"layer_norm\"},"
    "{\"name\": \"lm_head\", \"type\": \"dense\", \"units\": 50257, \"bias\": false, \"shares\": \"wte\"}]}");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  const EnvelopeLayerFigures *wte = model_layer (m, "wte");
  const EnvelopeLayerFigures *head = model_layer (m, "lm_head");
  const EnvelopeReceptiveField *rf = &wte->receptive_field;
  g_autofree char *head_weights = model_formula (m, "lm_head", ENVELOPE_FIGURE_WEIGHTS);

  g_assert_cmpuint (wte->weights, ==, 38597376);
  g_assert_cmpuint (model_layer (m, "wpe")->weights, ==, 786432);
  g_assert_cmpuint (head->weights, ==, 0);
  g_assert_cmpuint (head->params, ==, 0);
  g_assert_cmpint (head->shares, ==, 1);
  g_assert_cmpuint (head->macs, ==, G_GUINT64_CONSTANT (1024) * 768 * 50257);
  g_assert_cmpuint (head->shape[0], ==, 1024);
  g_assert_cmpuint (head->shape[1], ==, 50257);
  g_assert_cmpuint (t->params, ==, 38597376 + 786432 + 1536);
  g_assert_cmpstr (head_weights, ==, "0: it uses the 38,597,376 weights of wte (counted there)");
  /* each token's vector comes from its own id */
  g_assert_cmpuint (rf->n_axes, ==, 1);
  g_assert_cmpfloat (rf->size[0], ==, 1);
  g_assert_cmpfloat (rf->jump[0], ==, 1);
  g_assert_cmpfloat (rf->start[0], ==, 0.5);
  g_assert_false (rf->whole_input);
}

/* Token ids read by an embedding are a sequence's positions: a causal
 * attention's receptive field is compared with their length, as with an
 * input of tokens [T, D]; a vector of features that no embedding reads
 * ([10], beside an image) is no sequence, and the image's height stays
 * the first axis's extent. */
static void
test_ids_extent (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [64]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 1000, \"dimension\": 32},"
    "{\"name\": \"attn\", \"type\": \"attention\", \"heads\": 4, \"causal\": true}]}");
  g_autoptr(Model) mixed = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"image\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3},"
    "{\"name\": \"pool\", \"type\": \"global_avg_pool\"},"
    "{\"name\": \"flat\", \"type\": \"flatten\"},"
    "{\"name\": \"extra\", \"type\": \"input\", \"shape\": [100]},"
    "{\"name\": \"both\", \"type\": \"concat\", \"inputs\": [\"flat\", \"extra\"]}]}");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  g_autofree char *rf = envelope_report_receptive_field (&model_layer (m, "attn")->receptive_field, t->input_extent);
  g_autofree char *before = envelope_report_receptive_field (&model_layer (m, "wte")->receptive_field, t->input_extent);

  g_assert_cmpuint (t->input_extent[0], ==, 64);
  g_assert_cmpstr (rf, ==, "64 (all of the input's 64 positions; causal)");
  g_assert_cmpstr (before, ==, "1");
  g_assert_cmpuint (envelope_analysis_get_totals (mixed->analysis)->input_extent[0], ==, 32);
  g_assert_cmpuint (envelope_analysis_get_totals (mixed->analysis)->input_extent[1], ==, 32);
}

/* A small tied model, the same numbers as PyTorch's (2,144). */
static void
test_tied (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [8]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 100, \"dimension\": 16},"
    "{\"name\": \"wpe\", \"type\": \"position_embedding\", \"positions\": 32},"
    "{\"name\": \"ln\", \"type\": \"layer_norm\"},"
    "{\"name\": \"head\", \"type\": \"dense\", \"units\": 100, \"bias\": false, \"shares\": \"wte\"}]}");
  const EnvelopeTotals *t = envelope_analysis_get_totals (m->analysis);
  g_autofree char *weights = model_formula (m, "head", ENVELOPE_FIGURE_WEIGHTS);
  g_autofree char *params = model_formula (m, "head", ENVELOPE_FIGURE_PARAMS);
  g_autofree char *macs = model_formula (m, "head", ENVELOPE_FIGURE_MACS);

  /* 100 × 16 + 32 × 16 + 2 × 16 */
  g_assert_cmpuint (t->params, ==, 2144);
  g_assert_cmpuint (t->trainable_params, ==, 2144);
  g_assert_cmpuint (model_layer (m, "head")->params, ==, 0);
  g_assert_cmpuint (model_layer (m, "head")->macs, ==, 8 * 16 * 100);
  g_assert_cmpstr (weights, ==, "0: it uses the 1,600 weights of wte (counted there)");
  g_assert_cmpstr (params, ==, "0");
  g_assert_cmpstr (macs, ==, "8 tokens × 16 × 100 = 12,800");
}

/* One worked formula per kind. */
static void
test_formulas (void)
{
  g_autoptr(Model) m = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [1024]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 50257, \"dimension\": 768},"
    "{\"name\": \"wpe\", \"type\": \"position_embedding\", \"positions\": 1024},"
    "{\"name\": \"sin\", \"type\": \"position_embedding\", \"encoding\": \"sinusoidal\"},"
    "{\"name\": \"rope\", \"type\": \"position_embedding\", \"encoding\": \"rotary\"},"
    "{\"name\": \"flat\", \"type\": \"to_map\"},"
    "{\"name\": \"image\", \"type\": \"input\", \"shape\": [768, 14, 14]},"
    "{\"name\": \"tokens\", \"type\": \"to_tokens\"},"
    "{\"name\": \"cls\", \"type\": \"class_token\"},"
    "{\"name\": \"grid\", \"type\": \"to_map\", \"output_size\": [14, 14], \"inputs\": [\"tokens\"]}]}");
  static const struct { const char *layer; EnvelopeFigure figure; const char *text; } cases[] = {
    { "wte", ENVELOPE_FIGURE_OUTPUT_SHAPE, "a vector of 768 for each of the 1,024 ids → 1,024×768" },
    { "wte", ENVELOPE_FIGURE_WEIGHTS, "50,257 × 768 = 38,597,376, one row per vocabulary entry" },
    { "wte", ENVELOPE_FIGURE_MACS, "0: a lookup, one row of the table per token" },
    { "wte", ENVELOPE_FIGURE_RECEPTIVE_FIELD, "1: each token's vector comes from its own id" },
    { "wpe", ENVELOPE_FIGURE_OUTPUT_SHAPE, "unchanged: 1024×768" },
    { "wpe", ENVELOPE_FIGURE_WEIGHTS, "1,024 positions × 768 = 786,432, one row per position" },
    { "wpe", ENVELOPE_FIGURE_OTHER_OPS, "1,024 × 768 = 786,432, one addition per value" },
    { "sin", ENVELOPE_FIGURE_WEIGHTS, "0: the sinusoids are a fixed function of the position" },
    { "sin", ENVELOPE_FIGURE_OTHER_OPS, "1,024 × 768 = 786,432, one addition per value" },
    { "rope", ENVELOPE_FIGURE_WEIGHTS, "0: the rotation angles are a fixed function of the position" },
    { "rope", ENVELOPE_FIGURE_OTHER_OPS, "3 × 1,024 × 768 = 2,359,296, two multiplications and an addition per value" },
    { "flat", ENVELOPE_FIGURE_OUTPUT_SHAPE, "1,024 tokens of 768 → 768×1024, one position per token" },
    { "tokens", ENVELOPE_FIGURE_OUTPUT_SHAPE, "14 × 14 = 196 positions, each a token of 768 channels → 196×768" },
    { "cls", ENVELOPE_FIGURE_OUTPUT_SHAPE, "196 + 1 tokens → 197×768" },
    { "cls", ENVELOPE_FIGURE_WEIGHTS, "1 × 768 = 768, one learned vector per added token" },
    { "grid", ENVELOPE_FIGURE_OUTPUT_SHAPE, "196 tokens of 768 → 768×14×14" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = model_formula (m, cases[i].layer, cases[i].figure);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_errors (void)
{
  static const struct {
    const char *input, *layer;
    GQuark (*domain) (void);
    gint code;
    const char *message;
  } cases[] = {
    { "[16, 64]", "\"embedding\", \"vocabulary\": 100, \"dimension\": 8",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" embedding needs a vector [T] of token ids, but this one gets 16×64" },
    { "[16]", "\"embedding\", \"dimension\": 8",
      envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_MISSING, "vocabulary" },
    { "[16]", "\"embedding\", \"vocabulary\": 100",
      envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_MISSING, "dimension" },
    { "[16]", "\"embedding\", \"vocabulary\": 0, \"dimension\": 8",
      envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_VALUE, "layers[1] \"layer\": \"vocabulary\"" },
    { "[1025, 768]", "\"position_embedding\", \"positions\": 1024",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
      "layers[1] \"layer\": \"positions\" is 1024, but the input has 1025 tokens; "
      "a learned table needs a row for every position" },
    { "[64]", "\"position_embedding\"",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" position_embedding needs a sequence of tokens [T, D], but this one gets the vector 64" },
    { "[16, \"x\"]", "\"position_embedding\"",
      envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_TYPE, "shape" },
    { "[10, 768]", "\"position_embedding\", \"encoding\": \"alibi\"",
      envelope_network_error_quark, ENVELOPE_NETWORK_ERROR_VALUE, "\"encoding\"" },
    { "[768, 14, 14]", "\"class_token\"",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" class_token needs a sequence of tokens [T, D], but this one gets the map 768×14×14; "
      "turn it into tokens first (to_tokens)" },
    { "[196, 768]", "\"to_tokens\"",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" to_tokens layers need a map" },
    { "[196, 768]", "\"to_map\", \"output_size\": [14, 15]",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
      "layers[1] \"layer\": \"output_size\" has 14 × 15 = 210 positions, but the input has 196 tokens; "
      "the grid must hold every token once" },
    { "[196, 768]", "\"to_map\", \"output_size\": 15",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_SHAPE_MISMATCH,
      "layers[1] \"layer\": \"output_size\" has 15 × 15 = 225 positions, but the input has 196 tokens" },
    { "[768, 14, 14]", "\"to_map\", \"output_size\": [14, 14]",
      envelope_analysis_error_quark, ENVELOPE_ANALYSIS_ERROR_RANK,
      "layers[1] \"layer\": \"inputs\" to_map needs a sequence of tokens [T, D], but this one gets the map 768×14×14" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = single_layer_network (cases[i].input, cases[i].layer);
      g_autoptr(EnvelopeNetwork) network = NULL;
      g_autoptr(EnvelopeAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s on %s", i, cases[i].layer, cases[i].input);
      network = envelope_network_load_from_data (json, -1, &error);
      if (network != NULL)
        analysis = envelope_analysis_new (network, NULL, NULL, &error);
      g_assert_null (analysis);
      g_assert_error (error, cases[i].domain (), cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("message \"%s\" lacks \"%s\"", error->message, cases[i].message);
    }
}

/* A dense that shares an embedding of another size is refused, naming
 * both counts. */
static void
test_shares_mismatch (void)
{
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;

  network = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [8]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 100, \"dimension\": 16},"
    "{\"name\": \"head\", \"type\": \"dense\", \"units\": 99, \"bias\": false, \"shares\": \"wte\"}]}", -1, &error);
  g_assert_no_error (error);
  analysis = envelope_analysis_new (network, NULL, NULL, &error);
  g_assert_null (analysis);
  g_assert_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHARES);
  g_assert_nonnull (strstr (error->message, "layers[2] \"head\": \"shares\" names \"wte\", which has 1600 weights, but this layer needs 1584"));
}

/* Settings round-trip through a file; defaults are not written. */
static void
test_round_trip (void)
{
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeNetwork) again = NULL;
  g_autoptr(EnvelopeLayer) fresh = envelope_layer_new (ENVELOPE_LAYER_EMBEDDING, "e");
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  network = envelope_network_load_from_data (
    "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
    "{\"name\": \"ids\", \"type\": \"input\", \"shape\": [8]},"
    "{\"name\": \"wte\", \"type\": \"embedding\", \"vocabulary\": 100, \"dimension\": 16},"
    "{\"name\": \"rope\", \"type\": \"position_embedding\", \"encoding\": \"rotary\"},"
    "{\"name\": \"cls\", \"type\": \"class_token\", \"tokens\": 2},"
    "{\"name\": \"grid\", \"type\": \"to_map\", \"output_size\": [2, 5]}]}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (envelope_network_get_layer (network, 2)->encoding, ==, ENVELOPE_POSITION_ROTARY);
  g_assert_cmpint (envelope_network_get_layer (network, 3)->tokens, ==, 2);
  saved = envelope_network_to_data (network, NULL);
  g_assert_nonnull (strstr (saved, "\"rotary\""));
  g_assert_null (strstr (saved, "\"positions\""));
  again = envelope_network_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (envelope_network_equal (network, again));

  /* a new embedding is valid as inserted: its required settings are set */
  g_assert_true (fresh->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_VOCABULARY));
  g_assert_true (fresh->set & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_DIMENSION));
  g_assert_true (envelope_layer_validate (fresh, 0, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kinds/tokens/figures", test_figures);
  g_test_add_func ("/core/kinds/tokens/vit-front", test_vit_front);
  g_test_add_func ("/core/kinds/tokens/gpt2", test_gpt2);
  g_test_add_func ("/core/kinds/tokens/tied", test_tied);
  g_test_add_func ("/core/kinds/tokens/ids-extent", test_ids_extent);
  g_test_add_func ("/core/kinds/tokens/formulas", test_formulas);
  g_test_add_func ("/core/kinds/tokens/errors", test_errors);
  g_test_add_func ("/core/kinds/tokens/shares-mismatch", test_shares_mismatch);
  g_test_add_func ("/core/kinds/tokens/round-trip", test_round_trip);
  return g_test_run ();
}
