/* test-groups.c: the hierarchy of layers, from names and from structure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "envelope-groups.h"
#include "envelope-report.h"
#include "test-helpers.h"

static char *
group_of (const EnvelopeGroups  *groups,
          const EnvelopeNetwork *network,
          const char            *layer,
          guint                  depth)
{
  gint index = envelope_network_find_layer (network, layer);

  g_assert_cmpint (index, >=, 0);
  return envelope_groups_get_group (groups, (guint) index, depth, NULL);
}

#define ASSERT_GROUP(groups, network, layer, depth, expected) \
  G_STMT_START { \
    g_autofree char *_g = group_of (groups, network, layer, depth); \
    g_assert_cmpstr (_g, ==, expected); \
  } G_STMT_END

/* `stage/block/layer` names, the group field, and PyTorch's dots. */
static void
test_from_names (void)
{
  g_autoptr(Model) resnet = model_load ("resnet50.json");
  g_autoptr(Model) lecture = model_load ("vgg16-lecture.json");
  g_autoptr(Model) dotted = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"dots\", \"layers\": ["
    "{\"name\": \"x\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"features.0.conv\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3},"
    "{\"name\": \"features.0.relu\", \"type\": \"relu\"},"
    "{\"name\": \"features.1\", \"type\": \"max_pool\", \"kernel\": 2},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}");
  g_autoptr(EnvelopeGroups) r = envelope_groups_new (resnet->network, resnet->analysis);
  g_autoptr(EnvelopeGroups) l = envelope_groups_new (lecture->network, lecture->analysis);
  g_autoptr(EnvelopeGroups) d = envelope_groups_new (dotted->network, dotted->analysis);
  gboolean innermost = FALSE;
  g_autofree char *deep = NULL;

  g_assert_false (envelope_groups_is_inferred (r));
  ASSERT_GROUP (r, resnet->network, "layer1/0/downsample/conv", 1, "layer1");
  ASSERT_GROUP (r, resnet->network, "layer1/0/downsample/conv", 2, "layer1/0");
  ASSERT_GROUP (r, resnet->network, "layer1/0/downsample/conv", 3, "layer1/0/downsample");
  ASSERT_GROUP (r, resnet->network, "layer1/0/downsample/conv", 4, "layer1/0/downsample");
  ASSERT_GROUP (r, resnet->network, "conv1", 1, NULL);
  g_assert_cmpuint (envelope_groups_get_depth (r), ==, 3);
  deep = envelope_groups_get_group (r, (guint) envelope_network_find_layer (resnet->network, "layer1/0/conv1"), 2,
                                    &innermost);
  g_assert_cmpstr (deep, ==, "layer1/0");
  g_assert_true (innermost);

  /* the lecture's file says its stages in the group field */
  ASSERT_GROUP (l, lecture->network, "conv1_1", 1, "conv1");
  ASSERT_GROUP (l, lecture->network, "pool1", 2, "conv1");
  ASSERT_GROUP (l, lecture->network, "drop6", 1, "fc6");
  ASSERT_GROUP (l, lecture->network, "data", 1, NULL);

  ASSERT_GROUP (d, dotted->network, "features.0.relu", 1, "features");
  ASSERT_GROUP (d, dotted->network, "features.0.relu", 2, "features/0");
  ASSERT_GROUP (d, dotted->network, "features.1", 2, "features");
  ASSERT_GROUP (d, dotted->network, "fc", 1, NULL);
  g_assert_cmpstr (envelope_groups_get_path (d, 2), ==, "features/0/relu");
}

/* VGG-16 names no groups: its stages are found between the poolings,
 * named as the lecture names them, and the classifier's dense layers
 * lead groups of their own, as in the lecture's file. */
static void
test_vgg_stages (void)
{
  g_autoptr(Model) vgg = model_load ("vgg16.json");
  g_autoptr(Model) lecture = model_load ("vgg16-lecture.json");
  g_autoptr(EnvelopeGroups) groups = envelope_groups_new (vgg->network, vgg->analysis);
  g_autoptr(EnvelopeGroups) named = envelope_groups_new (lecture->network, lecture->analysis);
  g_auto(GStrv) list = envelope_groups_list (groups);
  const char *expected[] = { "conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8", NULL };

  g_assert_true (envelope_groups_is_inferred (groups));
  g_assert_cmpstrv (list, expected);
  ASSERT_GROUP (groups, vgg->network, "conv1_2", 1, "conv1");
  ASSERT_GROUP (groups, vgg->network, "pool1", 1, "conv1");
  ASSERT_GROUP (groups, vgg->network, "conv2_1", 1, "conv2");
  ASSERT_GROUP (groups, vgg->network, "pool5", 1, "conv5");
  ASSERT_GROUP (groups, vgg->network, "avgpool", 1, "conv5");
  ASSERT_GROUP (groups, vgg->network, "drop6", 1, "fc6");
  ASSERT_GROUP (groups, vgg->network, "fc8", 1, "fc8");
  ASSERT_GROUP (groups, vgg->network, "data", 1, NULL);

  /* the same stages as the hand-written groups, layer for layer */
  for (guint i = 0; i < envelope_network_get_n_layers (lecture->network); i++)
    {
      const char *name = envelope_network_get_layer (lecture->network, i)->name;
      gint j = envelope_network_find_layer (vgg->network, name);
      g_autofree char *mine = NULL, *theirs = NULL;

      if (j < 0)
        continue;
      mine = envelope_groups_get_group (groups, (guint) j, 1, NULL);
      theirs = envelope_groups_get_group (named, i, 1, NULL);
      g_assert_cmpstr (mine, ==, theirs);
    }
}

/* Every layer of @network has the same path in @a as in @b. */
static void
assert_same_paths (const EnvelopeGroups  *a,
                   const EnvelopeGroups  *b,
                   const EnvelopeNetwork *network)
{
  for (guint i = 0; i < envelope_network_get_n_layers (network); i++)
    g_assert_cmpstr (envelope_groups_get_path (a, i), ==, envelope_groups_get_path (b, i));
}

/* A plain chain of one resolution: three convolutions, the first
 * followed by a ReLU, the second by a batch norm and a ReLU. */
static Model *
parse_chain (void)
{
  return model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"chain\", \"layers\": ["
    "{\"name\": \"x\", \"type\": \"input\", \"shape\": [3, 16, 16]},"
    "{\"name\": \"c1\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"r1\", \"type\": \"relu\"},"
    "{\"name\": \"c2\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"b2\", \"type\": \"batch_norm\"},"
    "{\"name\": \"r2\", \"type\": \"relu\"},"
    "{\"name\": \"c3\", \"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": 1}]}");
}

/* A plain chain (one resolution, no blocks, no names) has no groups;
 * its runs asked for, each layer that multiplies and adds leads one
 * with the layers after it, its batch norm among them.  A network with
 * stages keeps them, and a chain of layers that do no multiply-adds
 * stays one run. */
static void
test_runs (void)
{
  g_autoptr(Model) chain = parse_chain ();
  g_autoptr(Model) relus = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"relus\", \"layers\": ["
    "{\"name\": \"x\", \"type\": \"input\", \"shape\": [3, 16, 16]},"
    "{\"name\": \"r1\", \"type\": \"relu\"}, {\"name\": \"r2\", \"type\": \"relu\"},"
    "{\"name\": \"r3\", \"type\": \"relu\"}, {\"name\": \"r4\", \"type\": \"relu\"}]}");
  g_autoptr(Model) vgg = model_load ("vgg16.json");
  g_autoptr(EnvelopeGroups) plain = envelope_groups_new (chain->network, chain->analysis);
  g_autoptr(EnvelopeGroups) runs = envelope_groups_new_full (chain->network, chain->analysis, ENVELOPE_GROUPS_RUNS);
  g_autoptr(EnvelopeGroups) unshaped = envelope_groups_new_full (chain->network, NULL, ENVELOPE_GROUPS_RUNS);
  g_autoptr(EnvelopeGroups) relu_runs = envelope_groups_new_full (relus->network, relus->analysis, ENVELOPE_GROUPS_RUNS);
  g_autoptr(EnvelopeGroups) vgg_plain = envelope_groups_new (vgg->network, vgg->analysis);
  g_autoptr(EnvelopeGroups) vgg_runs = envelope_groups_new_full (vgg->network, vgg->analysis, ENVELOPE_GROUPS_RUNS);
  g_auto(GStrv) list = envelope_groups_list (runs);
  const char *expected[] = { "c1", "c2", "c3", NULL };

  g_assert_cmpuint (envelope_groups_get_depth (plain), ==, 0);
  g_assert_cmpuint (envelope_groups_get_depth (unshaped), ==, 0);
  g_assert_cmpuint (envelope_groups_get_depth (relu_runs), ==, 0);

  g_assert_true (envelope_groups_is_inferred (runs));
  g_assert_cmpuint (envelope_groups_get_depth (runs), ==, 1);
  g_assert_cmpstrv (list, expected);
  ASSERT_GROUP (runs, chain->network, "x", 1, NULL);
  ASSERT_GROUP (runs, chain->network, "c1", 1, "c1");
  ASSERT_GROUP (runs, chain->network, "r1", 1, "c1");
  ASSERT_GROUP (runs, chain->network, "c2", 1, "c2");
  ASSERT_GROUP (runs, chain->network, "b2", 1, "c2");
  ASSERT_GROUP (runs, chain->network, "r2", 1, "c2");
  ASSERT_GROUP (runs, chain->network, "c3", 1, "c3");

  assert_same_paths (vgg_runs, vgg_plain, vgg->network);
}

/* An analysis keeps the groups it was asked for, and forgets them when
 * a layer is updated: a stride of 2 in the middle of a plain chain makes
 * two stages of it instead of its runs. */
static void
test_kept_by_analysis (void)
{
  g_autoptr(Model) chain = parse_chain ();
  gint index = envelope_network_find_layer (chain->network, "c2");
  EnvelopeLayer *c2 = (EnvelopeLayer *) envelope_network_get_layer (chain->network, (guint) index);
  const EnvelopeGroups *kept = envelope_analysis_get_groups (chain->analysis, ENVELOPE_GROUPS_RUNS);
  g_autoptr(EnvelopeGroups) fresh = NULL;

  g_assert_true (envelope_analysis_get_groups (chain->analysis, ENVELOPE_GROUPS_RUNS) == kept);
  g_assert_cmpuint (envelope_groups_get_depth (envelope_analysis_get_groups (chain->analysis, ENVELOPE_GROUPS_DEFAULT)), ==, 0);
  ASSERT_GROUP (kept, chain->network, "r2", 1, "c2");
  ASSERT_GROUP (kept, chain->network, "c3", 1, "c3");

  c2->stride[0] = c2->stride[1] = 2;
  c2->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE);
  g_assert_true (envelope_analysis_update_layer (chain->analysis, (guint) index));
  kept = envelope_analysis_get_groups (chain->analysis, ENVELOPE_GROUPS_RUNS);
  fresh = envelope_groups_new_full (chain->network, chain->analysis, ENVELOPE_GROUPS_RUNS);
  /* the stages of two resolutions: c1 and r1, then c2 to c3 */
  ASSERT_GROUP (kept, chain->network, "c3", 1, "c2");
  ASSERT_GROUP (kept, chain->network, "r1", 1, "c1");
  assert_same_paths (kept, fresh, chain->network);
}

/* Without names: a residual block from its fork to its add (and the
 * ReLU after it), the stage it opens where it lowers the resolution, a
 * squeeze-and-excitation branch inside a block kept in it. */
static void
test_residual_blocks (void)
{
  g_autoptr(Model) model = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"res\", \"layers\": ["
    "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 32, 32]},"
    "{\"name\": \"conv1\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"bn_conv1\", \"type\": \"batch_norm\"},"
    "{\"name\": \"conv1_relu\", \"type\": \"relu\"},"
    "{\"name\": \"pool1\", \"type\": \"max_pool\", \"kernel\": 2},"
    "{\"name\": \"res2a_branch2a\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"bn2a_branch2a\", \"type\": \"batch_norm\"},"
    "{\"name\": \"res2a_branch2a_relu\", \"type\": \"relu\"},"
    "{\"name\": \"res2a_branch2b\", \"type\": \"conv\", \"filters\": 16, \"kernel\": 3, \"padding\": 1},"
    "{\"name\": \"bn2a_branch2b\", \"type\": \"batch_norm\"},"
    "{\"name\": \"res2a\", \"type\": \"add\", \"inputs\": [\"bn2a_branch2b\", \"pool1\"]},"
    "{\"name\": \"res2a_relu\", \"type\": \"relu\"},"
    "{\"name\": \"res3a_branch1\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 1, \"stride\": 2},"
    "{\"name\": \"bn3a_branch1\", \"type\": \"batch_norm\"},"
    "{\"name\": \"res3a_branch2a\", \"type\": \"conv\", \"filters\": 32, \"kernel\": 3, \"stride\": 2, \"padding\": 1,"
    " \"inputs\": [\"res2a_relu\"]},"
    "{\"name\": \"bn3a_branch2a\", \"type\": \"batch_norm\"},"
    "{\"name\": \"res3a\", \"type\": \"add\", \"inputs\": [\"bn3a_branch2a\", \"bn3a_branch1\"]},"
    "{\"name\": \"res3a_relu\", \"type\": \"relu\"},"
    "{\"name\": \"pool\", \"type\": \"global_avg_pool\"},"
    "{\"name\": \"fc\", \"type\": \"dense\", \"units\": 10}]}");
  g_autoptr(EnvelopeGroups) groups = envelope_groups_new (model->network, model->analysis);
  guint members[] = { 5, 6, 7, 8, 9, 10, 11 };
  g_autofree char *said = NULL;

  g_assert_true (envelope_groups_is_inferred (groups));
  ASSERT_GROUP (groups, model->network, "conv1_relu", 1, "conv1");
  ASSERT_GROUP (groups, model->network, "pool1", 2, "conv1");
  ASSERT_GROUP (groups, model->network, "res2a_branch2a", 1, "res2a");
  ASSERT_GROUP (groups, model->network, "res2a_branch2a", 2, "res2a/res2a_block");
  ASSERT_GROUP (groups, model->network, "res2a_relu", 2, "res2a/res2a_block");
  ASSERT_GROUP (groups, model->network, "res3a_branch1", 1, "res3a");
  ASSERT_GROUP (groups, model->network, "res3a_relu", 2, "res3a/res3a_block");
  ASSERT_GROUP (groups, model->network, "pool", 1, "res3a");
  ASSERT_GROUP (groups, model->network, "fc", 1, "fc");

  said = envelope_network_describe_layers (model->network, members, G_N_ELEMENTS (members));
  g_assert_cmpstr (said, ==, "2 conv, 2 BN, add");
}

static void
test_describe (void)
{
  g_autoptr(Model) model = model_load ("vgg16.json");
  guint convs[] = { 1, 2, 3, 4, 5 };
  guint relus[] = { 2, 4 };
  g_autofree char *stage = envelope_network_describe_layers (model->network, convs, G_N_ELEMENTS (convs));
  g_autofree char *plain = envelope_network_describe_layers (model->network, relus, G_N_ELEMENTS (relus));

  g_assert_cmpstr (stage, ==, "2 conv, max_pool");
  g_assert_cmpstr (plain, ==, "2 layers");
}

/* Attention as PyTorch exports it: the two matrix products are what it
 * holds besides its projection, not "dense" alone. */
static void
test_describe_attention_operators (void)
{
  g_autoptr(Model) model = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"attn\", \"layers\": ["
    "{\"name\": \"x\", \"type\": \"input\", \"shape\": [10, 64], \"layout\": \"tokens\"},"
    "{\"name\": \"q\", \"type\": \"dense\", \"units\": 64, \"inputs\": [\"x\"]},"
    "{\"name\": \"k\", \"type\": \"dense\", \"units\": 64, \"inputs\": [\"x\"]},"
    "{\"name\": \"kt\", \"type\": \"permute\", \"order\": [1, 0]},"
    "{\"name\": \"scores\", \"type\": \"matmul\", \"inputs\": [\"q\", \"kt\"]},"
    "{\"name\": \"weights\", \"type\": \"softmax\"},"
    "{\"name\": \"mixed\", \"type\": \"matmul\", \"inputs\": [\"weights\", \"x\"]},"
    "{\"name\": \"odd\", \"type\": \"unknown\", \"operator\": \"Erf\"}]}");
  guint members[] = { 3, 4, 5, 6, 7 };
  g_autofree char *said = envelope_network_describe_layers (model->network, members, G_N_ELEMENTS (members));

  g_assert_cmpstr (said, ==, "2 matmul, unknown");
}

/* A module's own operator named after it, as PyTorch's exporters name
 * MultiheadAttention's input projection "self_attn" beside its
 * "self_attn/…" operators: the layer is in that group, not a group of
 * its own of the same name beside it, in the report by groups too. */
static void
test_layer_named_as_group (void)
{
  g_autoptr(Model) model = model_parse (
    "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"mha\", \"layers\": ["
    "{\"name\": \"x\", \"type\": \"input\", \"shape\": [10, 64], \"layout\": \"tokens\"},"
    "{\"name\": \"self_attn\", \"type\": \"dense\", \"units\": 192},"
    "{\"name\": \"self_attn/q\", \"type\": \"slice\", \"axis\": 1, \"start\": 0, \"end\": 64},"
    "{\"name\": \"self_attn/out\", \"type\": \"dense\", \"units\": 64},"
    "{\"name\": \"norm\", \"type\": \"layer_norm\"}]}");
  g_autoptr(EnvelopeGroups) groups = envelope_groups_new (model->network, model->analysis);
  EnvelopeReportOptions options = { .format = ENVELOPE_REPORT_TABLE, .grouped = TRUE };
  g_autofree char *report = NULL;
  const char *row;

  ASSERT_GROUP (groups, model->network, "self_attn", 1, "self_attn");
  ASSERT_GROUP (groups, model->network, "self_attn/out", 1, "self_attn");
  ASSERT_GROUP (groups, model->network, "norm", 1, NULL);
  g_assert_cmpstr (envelope_groups_get_path (groups, 1), ==, "self_attn/self_attn");
  g_assert_cmpuint (envelope_groups_get_depth (groups), ==, 1);

  /* as the importers write it, the group field besides: a name that
   * starts with its group is not put in it twice */
  {
    g_autoptr(Model) imported = model_parse (
      "{\"format\": \"envelope-network\", \"version\": 1, \"name\": \"mha\", \"layers\": ["
      "{\"name\": \"x\", \"type\": \"input\", \"shape\": [10, 64], \"layout\": \"tokens\"},"
      "{\"name\": \"self_attn\", \"type\": \"dense\", \"units\": 192},"
      "{\"name\": \"self_attn/q\", \"type\": \"slice\", \"axis\": 1, \"start\": 0, \"end\": 64, \"group\": \"self_attn\"},"
      "{\"name\": \"self_attn/out\", \"type\": \"dense\", \"units\": 64, \"group\": \"self_attn\"}]}");
    g_autoptr(EnvelopeGroups) from_fields = envelope_groups_new (imported->network, imported->analysis);

    g_assert_cmpstr (envelope_groups_get_path (from_fields, 2), ==, "self_attn/q");
    g_assert_cmpstr (envelope_groups_get_path (from_fields, 1), ==, "self_attn/self_attn");
    g_assert_cmpuint (envelope_groups_get_depth (from_fields), ==, 1);
  }

  /* one row for the group: both projections, 12,480 + 4,160 parameters */
  report = envelope_report_write (model->analysis, &options);
  row = strstr (report, "\nself_attn ");
  g_assert_nonnull (row);
  g_assert_null (strstr (row + 1, "\nself_attn "));
  g_assert_nonnull (strstr (row, "16,640"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/groups/names", test_from_names);
  g_test_add_func ("/core/groups/vgg-stages", test_vgg_stages);
  g_test_add_func ("/core/groups/runs", test_runs);
  g_test_add_func ("/core/groups/kept-by-analysis", test_kept_by_analysis);
  g_test_add_func ("/core/groups/residual", test_residual_blocks);
  g_test_add_func ("/core/groups/describe", test_describe);
  g_test_add_func ("/core/groups/describe-attention-operators", test_describe_attention_operators);
  g_test_add_func ("/core/groups/layer-named-as-group", test_layer_named_as_group);

  return g_test_run ();
}
