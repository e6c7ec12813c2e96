/* test-export-cli.c: envelope-cli export, end to end
 *
 * Usage: test-export-cli [--tap] ENVELOPE-CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

static const char *cli;
static char *scratch;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
model (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "models", file, NULL);
}

static char *
output (const char *name)
{
  return g_build_filename (scratch, name, NULL);
}

/* Runs envelope-cli export with the NULL-terminated arguments. */
static void
run_export (Run        *run,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list args;
  int wait_status;

  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "export");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

static void
assert_file_starts (const char *path,
                    const char *magic,
                    gsize       offset)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, offset + strlen (magic));
  g_assert_true (strncmp (contents + offset, magic, strlen (magic)) == 0);
}

static void
test_formats (void)
{
  g_autofree char *net = model ("resnet18.json");
  g_autofree char *png = output ("a.png");
  g_autofree char *svg = output ("a.svg");
  g_autofree char *pdf = output ("a.PDF");
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) c = { 0 };

  run_export (&a, net, "-o", png, NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpstr (a.err, ==, "");
  assert_file_starts (png, "PNG", 1);
  run_export (&b, net, "-o", svg, "--color", "macs", "--style", "proportional", "--direction", "tb", NULL);
  g_assert_cmpint (b.status, ==, 0);
  assert_file_starts (svg, "<?xml", 0);
  run_export (&c, net, "--output", pdf, "--color", "memory", "--memory-of", "params", "--rf", "layer4/1/relu2",
              "--theme", "dark", "--collapse", "--no-legend", "--no-totals", "--no-title", "--batch", "8", NULL);
  g_assert_cmpint (c.status, ==, 0);
  assert_file_starts (pdf, "%PDF-", 0);
}

/* A PNG's size, from its header. */
static void
png_size (const char *path,
          guint      *width,
          guint      *height)
{
  g_autofree guchar *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, (char **) &contents, &length, NULL));
  g_assert_cmpuint (length, >, 24);
  g_assert_true (memcmp (contents + 12, "IHDR", 4) == 0);
  *width = (guint) contents[16] << 24 | (guint) contents[17] << 16 | (guint) contents[18] << 8 | contents[19];
  *height = (guint) contents[20] << 24 | (guint) contents[21] << 16 | (guint) contents[22] << 8 | contents[23];
}

/* The classic figure of VGG-16 on a slide: a PNG 1,920 pixels wide that
 * fits 1,080 high, an SVG whose box sizes are text, a PDF; AlexNet and
 * LeNet-5 likewise. */
static void
test_classic (void)
{
  static const struct { const char *file; const char *labels[3]; } cases[] = {
    { "vgg16.json", { ">224×224×64</text>", ">7×7×512</text>", ">4096</text>" } },
    { "alexnet.json", { ">55×55×64</text>", ">13×13×384</text>", ">1000</text>" } },
    { "lenet5.json", { ">28×28×6</text>", ">5×5×16</text>", ">84</text>" } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *net = model (cases[c].file);
      g_autofree char *png = output ("classic.png");
      g_autofree char *svg = output ("classic.svg");
      g_autofree char *pdf = output ("classic.pdf");
      g_autofree char *contents = NULL;
      g_auto(Run) a = { 0 };
      g_auto(Run) b = { 0 };
      g_auto(Run) d = { 0 };
      guint width, height;

      run_export (&a, net, "--style", "proportional", "-o", png, NULL);
      g_assert_cmpint (a.status, ==, 0);
      g_assert_cmpstr (a.err, ==, "");
      png_size (png, &width, &height);
      g_test_message ("%s: %u × %u", cases[c].file, width, height);
      g_assert_cmpuint (width, ==, 1920);
      g_assert_cmpuint (height, <=, 1080);

      run_export (&b, net, "--style", "proportional", "-o", svg, NULL);
      g_assert_cmpint (b.status, ==, 0);
      g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
      for (guint k = 0; k < G_N_ELEMENTS (cases[c].labels); k++)
        g_assert_nonnull (strstr (contents, cases[c].labels[k]));

      run_export (&d, net, "--style", "proportional", "-o", pdf, NULL);
      g_assert_cmpint (d.status, ==, 0);
      assert_file_starts (pdf, "%PDF-", 0);
    }
}

static void
test_options (void)
{
  g_autofree char *net = model ("mnist.json");
  g_autofree char *png = output ("options.png");
  static const char *sets[][7] = {
    { "--rf", NULL },
    { "--rf=conv2", NULL },
    { "--rf", "conv2", NULL },          /* LAYER after a space */
    { "--scale", "1.5", "--transparent", NULL },
    { "--dpi", "300", NULL },
    { "--collapse-depth", "1", "--wrap", "2", NULL },
    { "--color", "params", "--direction", "lr", "--theme", "light", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_auto(Run) run = { 0 };

      run_export (&run, net, "-o", png, sets[i][0], sets[i][1], sets[i][2], sets[i][3], sets[i][4], sets[i][5], NULL);
      if (run.status != 0)
        g_error ("option set %u: exit %d: %s", i, run.status, run.err);
    }
}

/* 2: a usage error; 1: an invalid network or a failed write. */
static void
test_exit_codes (void)
{
  g_autofree char *net = model ("mnist.json");
  g_autofree char *png = output ("codes.png");
  g_autofree char *bad = output ("bad.json");
  g_autofree char *existing = output ("existing.svg");
  g_autofree char *contents = NULL;
  static const char *usage[][5] = {
    { NULL },                                  /* no file, no output */
    { "--color", "rainbow", NULL },
    { "--style", "cubist", NULL },
    { "--direction", "rl", NULL },
    { "--theme", "sepia", NULL },
    { "--memory-of", "gradients", NULL },
    { "--scale", "0", NULL },
    { "--scale", "2", "--dpi", "144", NULL },
    { "--batch", "-3", NULL },
    { "--rf=nosuchlayer", NULL },
    { "--no-such-option", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_auto(Run) run = { 0 };

      if (i == 0)
        run_export (&run, NULL);
      else
        run_export (&run, net, "-o", png, usage[i][0], usage[i][1], usage[i][2], usage[i][3], usage[i][4], NULL);
      if (run.status != 2)
        g_error ("usage case %u: exit %d, expected 2", i, run.status);
      g_assert_cmpuint (strlen (run.err), >, 0);
    }

  {
    g_auto(Run) run = { 0 };

    run_export (&run, net, NULL);   /* no -o */
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "-o"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *jpeg = output ("a.jpeg");

    run_export (&run, net, "-o", jpeg, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, ".png"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *missing = model ("no-such-network.json");

    run_export (&run, missing, "-o", png, NULL);
    g_assert_cmpint (run.status, ==, 1);
  }
  {
    g_auto(Run) run = { 0 };

    g_assert_true (g_file_set_contents (bad, "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                             "{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]},"
                                             "{\"name\": \"conv\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 11}]}",
                                        -1, NULL));
    run_export (&run, bad, "-o", png, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "conv"));
  }

  /* a path that cannot be written: exit 1 and a message naming it */
  {
    g_auto(Run) run = { 0 };

    run_export (&run, net, "-o", "/nonexistent-envelope-dir/out.png", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "/nonexistent-envelope-dir/out.png"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *into_file = g_build_filename (net, "out.svg", NULL);

    run_export (&run, net, "-o", into_file, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "Cannot write"));
  }
  /* a failed export keeps the file it would have replaced */
  {
    g_auto(Run) run = { 0 };
    g_autofree char *big = model ("resnet50.json");
    g_autofree char *big_png = output ("existing.png");

    g_assert_true (g_file_set_contents (big_png, "original", -1, NULL));
    run_export (&run, big, "-o", big_png, "--scale", "64", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_file_get_contents (big_png, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "original");
    g_unlink (big_png);
  }
  g_unlink (existing);
}

/* The network file @name: an input "data" [4, 8, 8], then @layers (JSON
 * objects, each after a comma), which it frees. */
static char *
write_layers (const char *name,
              GString    *layers)
{
  g_autofree char *json = g_strdup_printf ("{\"format\": \"envelope-network\", \"version\": 1, \"layers\": ["
                                           "{\"name\": \"data\", \"type\": \"input\", \"shape\": [4, 8, 8]}%s]}",
                                           layers->str);
  char *path = output (name);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_string_free (layers, TRUE);
  return path;
}

/* A network of @n_layers: a chain of ReLUs, or @n_layers ReLUs of the
 * input meeting at one concatenation. */
static char *
write_wide_network (const char *name,
                    guint       n_layers,
                    gboolean    concat)
{
  GString *layers = g_string_new (NULL);

  for (guint i = 0; i < n_layers; i++)
    g_string_append_printf (layers, ", {\"name\": \"r%u\", \"type\": \"relu\"%s}", i,
                            concat ? ", \"inputs\": [\"data\"]" : "");
  if (concat)
    {
      g_string_append (layers, ", {\"name\": \"cat\", \"type\": \"concat\", \"inputs\": [");
      for (guint i = 0; i < n_layers; i++)
        g_string_append_printf (layers, "%s\"r%u\"", i > 0 ? ", " : "", i);
      g_string_append (layers, "]}");
    }
  return write_layers (name, layers);
}

/* A plain chain of @n convolutions "c1" on, each followed by a ReLU,
 * the last one's left out: one resolution, no groups named. */
static char *
write_conv_chain (const char *name,
                  guint       n)
{
  GString *layers = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    {
      g_string_append_printf (layers, ", {\"name\": \"c%u\", \"type\": \"conv\", \"filters\": 4, \"kernel\": 3, \"padding\": 1}", i);
      if (i < n)
        g_string_append_printf (layers, ", {\"name\": \"r%u\", \"type\": \"relu\"}", i);
    }
  return write_layers (name, layers);
}

/* A network of @n_stages stages named "s1" on, each of one block "b" of
 * a convolution and a ReLU ("s1/b/conv", "s1/b/relu"); the convolutions
 * of 4 and 8 filters in turn, so that no stage repeats the one before. */
static char *
write_staged_network (const char *name,
                      guint       n_stages)
{
  GString *layers = g_string_new (NULL);

  for (guint i = 1; i <= n_stages; i++)
    g_string_append_printf (layers, ", {\"name\": \"s%u/b/conv\", \"type\": \"conv\", \"filters\": %u, \"kernel\": 1}"
                                    ", {\"name\": \"s%u/b/relu\", \"type\": \"relu\"}", i, i % 2 ? 4 : 8, i);
  return write_layers (name, layers);
}

/* What Graphviz cannot lay out in reasonable time is refused before the
 * layout, with the advice that fits the network; no file is written. */
static void
test_too_large (void)
{
  g_autofree char *chain = write_wide_network ("chain.json", 5001, FALSE);
  g_autofree char *fan = write_wide_network ("fan.json", 1001, TRUE);
  g_autofree char *staged = write_staged_network ("staged.json", 5001);
  g_autofree char *svg = output ("large.svg");

  {
    g_auto(Run) run = { 0 };

    run_export (&run, chain, "-o", svg, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, chain));
    g_assert_nonnull (strstr (run.err, "5002 blocks"));
    g_assert_nonnull (strstr (run.err, "at most 5000"));
    g_assert_nonnull (strstr (run.err, "'envelope-cli report' gives the figures of any size"));
    g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
  }
  /* collapsing does not help a chain without groups, and the advice
   * says so, whether the diagram is one row or fitted to a slide, the
   * option given or not */
  {
    const char *options[][2] = { { NULL, NULL }, { "--collapse", NULL }, { "--aspect", "free" } };

    for (guint i = 0; i < G_N_ELEMENTS (options); i++)
      {
        g_auto(Run) run = { 0 };

        run_export (&run, chain, "-o", svg, options[i][0], options[i][1], NULL);
        g_assert_cmpint (run.status, ==, 1);
        g_assert_nonnull (strstr (run.err, "5002 blocks"));
        g_assert_nonnull (strstr (run.err, "has no groups to draw as one block each"));
        g_assert_null (strstr (run.err, "--collapse"));
      }
  }
  {
    g_auto(Run) run = { 0 };

    run_export (&run, fan, "-o", svg, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "1001 arrows would meet at one block"));
    g_assert_nonnull (strstr (run.err, "at most 1000"));
    g_assert_nonnull (strstr (run.err, "has no groups"));
    g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
  }
  /* a network of stages: drawn one block a layer, --collapse is the
   * advice; with each block one block, --collapse-depth 1; with each
   * stage one block already (a slide's coarsest), there is none left */
  {
    const struct { const char *options[2]; const char *blocks, *advice, *not_advised; } cases[] = {
      { { "--aspect", "free" }, "10003 blocks", "--collapse draws one block per group, --collapse-depth 1 one per stage", NULL },
      { { "--collapse", NULL }, "5002 blocks", "--collapse-depth 1 draws one block per stage.", "--collapse draws" },
      { { NULL, NULL }, "5002 blocks", "That is with each stage drawn as one block.", "--collapse" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(Run) run = { 0 };

        run_export (&run, staged, "-o", svg, cases[i].options[0], cases[i].options[1], NULL);
        g_assert_cmpint (run.status, ==, 1);
        g_assert_nonnull (strstr (run.err, cases[i].blocks));
        g_assert_nonnull (strstr (run.err, cases[i].advice));
        if (cases[i].not_advised != NULL)
          g_assert_null (strstr (run.err, cases[i].not_advised));
        g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
      }
  }
  /* a plain chain of convolutions and ReLUs: on a slide its runs are
   * one block "× N"; drawn one block a layer, the advice is --collapse */
  {
    g_autofree char *convs = write_conv_chain ("convs.json", 2600);
    g_auto(Run) run = { 0 };
    g_auto(Run) refused = { 0 };
    g_autofree char *text = NULL;

    run_export (&run, convs, "-o", svg, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "× 2,599"));
    g_assert_nonnull (strstr (text, "c1…c2599"));
    g_unlink (svg);

    run_export (&refused, convs, "-o", svg, "--aspect", "free", NULL);
    g_assert_cmpint (refused.status, ==, 1);
    g_assert_nonnull (strstr (refused.err, "5200 blocks"));
    g_assert_nonnull (strstr (refused.err, "--collapse draws one block per group"));
    g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
  }
  /* the largest fan drawn is drawn */
  {
    g_autofree char *drawn = write_wide_network ("fan-drawn.json", 200, TRUE);
    g_auto(Run) run = { 0 };

    run_export (&run, drawn, "-o", svg, NULL);
    g_assert_cmpint (run.status, ==, 0);
    assert_file_starts (svg, "<?xml", 0);
    g_unlink (svg);
  }
}

static void
test_help (void)
{
  g_autofree char *out = NULL;
  int status;
  const char *argv[] = { cli, "export", "--help", NULL };
  const char *help[] = { cli, "help", NULL };
  g_autofree char *help_out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--color"));
  g_assert_nonnull (strstr (out, "--rf"));
  g_assert_true (g_spawn_sync (NULL, (char **) help, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &help_out, NULL, &status, NULL));
  g_assert_nonnull (strstr (help_out, "export"));
}

static void
remove_scratch (void)
{
  GDir *dir = g_dir_open (scratch, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (scratch, name, NULL);
      g_unlink (path);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (scratch);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s [--tap] ENVELOPE-CLI\n", argv[0]);
      return 1;
    }
  cli = argv[1];
  scratch = g_dir_make_tmp ("envelope-export-cli-XXXXXX", NULL);
  g_assert_nonnull (scratch);

  g_test_add_func ("/render/export-cli/formats", test_formats);
  g_test_add_func ("/render/export-cli/options", test_options);
  g_test_add_func ("/render/export-cli/classic", test_classic);
  g_test_add_func ("/render/export-cli/exit-codes", test_exit_codes);
  g_test_add_func ("/render/export-cli/too-large", test_too_large);
  g_test_add_func ("/render/export-cli/help", test_help);

  status = g_test_run ();
  remove_scratch ();
  g_free (scratch);
  return status;
}
