/* benchmark.c: how fast the core loads, analyses and reports
 *
 * Builds synthetic networks (a chain of 100,000 conv/relu layers, a
 * residual network of 10,000 blocks and a 12-layer GPT-style transformer
 * on 4,096 tokens), writes them to files, and times
 * loading, analysis and the JSON report in this thread's CPU time; then times `envelope-cli report`
 * on ResNet-50 as a whole process, against the floor (a program that
 * reads the file, tokenizes it with json-glib and writes its bytes) and,
 * where python3 has torch, against a PyTorch forward-hook count of the
 * same network (tests/torch-count.py).  Each figure is the best of
 * several runs, or the median where it says so.  Exits 1 when a target is
 * missed:
 *
 *   analysis of the 100,000-layer chain   < 50 ms
 *   analysis of ResNet-50                 < 1 ms
 *   analysis of the 12-layer transformer  < 1 ms
 *   envelope-cli report resnet50.json     < 20 ms (whole process), and
 *     --format json within 2.5 × the floor (median of paired runs' CPU
 *     time) and at least 300 × faster than the PyTorch count
 *   envelope-cli report of a 553 MB ONNX  < 1 s, peak memory < 2 × the file
 *     (VGG-16 with its weights, written here: the weights are zeros)
 *   envelope-cli report --format json of a 1,000,000-layer chain
 *                                         < 2 s (median of 3), peak memory < 500 MB
 *
 * Usage: envelope-benchmark ENVELOPE-CLI MODELS-DIR FLOOR [TORCH-COUNT.py]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-benchmark"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "envelope-analysis.h"
#include "envelope-network.h"
#include "envelope-report.h"

#define RUNS 5

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* This thread's CPU time: what a shared, busy machine changes least. */
static double
cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The CPU time of every thread of the process: a long network's report
 * is written by worker threads. */
static double
process_cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static EnvelopeNetwork *
make_chain (guint n_layers)
{
  EnvelopeNetwork *network = envelope_network_new ("chain");
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");

  input->shape[0] = 16;
  input->shape[1] = 32;
  input->shape[2] = 32;
  envelope_network_insert_layer (network, -1, input);
  for (guint i = 1; i < n_layers; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "%s%u", i % 2 ? "conv" : "relu", i);
      if (i % 2)
        {
          EnvelopeLayer *conv = envelope_layer_new (ENVELOPE_LAYER_CONV, name);
          conv->filters = 16;
          conv->padding[0] = conv->padding[1] = 1;
          conv->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
          envelope_network_insert_layer (network, -1, conv);
        }
      else
        envelope_network_insert_layer (network, -1, envelope_layer_new (ENVELOPE_LAYER_RELU, name));
    }
  return network;
}

/* conv-bn-relu-conv-bn, add the block's input, relu: 7 layers a block. */
static EnvelopeNetwork *
make_residual (guint n_blocks)
{
  EnvelopeNetwork *network = envelope_network_new ("residual");
  EnvelopeLayer *input = envelope_layer_new (ENVELOPE_LAYER_INPUT, "data");
  g_autofree char *previous = g_strdup ("data");

  input->shape[0] = 32;
  input->shape[1] = 28;
  input->shape[2] = 28;
  envelope_network_insert_layer (network, -1, input);
  for (guint b = 0; b < n_blocks; b++)
    {
      static const EnvelopeLayerType types[] = {
        ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_BATCH_NORM, ENVELOPE_LAYER_RELU,
        ENVELOPE_LAYER_CONV, ENVELOPE_LAYER_BATCH_NORM, ENVELOPE_LAYER_ADD, ENVELOPE_LAYER_RELU,
      };
      static const char *names[] = { "conv1", "bn1", "relu1", "conv2", "bn2", "add", "out" };

      for (guint k = 0; k < G_N_ELEMENTS (types); k++)
        {
          g_autofree char *name = g_strdup_printf ("block%u/%s", b, names[k]);
          EnvelopeLayer *layer = envelope_layer_new (types[k], name);

          if (types[k] == ENVELOPE_LAYER_CONV)
            {
              layer->filters = 32;
              layer->padding[0] = layer->padding[1] = 1;
              layer->bias = FALSE;
              layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
            }
          if (types[k] == ENVELOPE_LAYER_ADD)
            {
              layer->inputs = g_new0 (char *, 3);
              layer->inputs[0] = g_strdup (previous);
              layer->inputs[1] = g_strdup_printf ("block%u/bn2", b);
            }
          envelope_network_insert_layer (network, -1, layer);
          if (k + 1 == G_N_ELEMENTS (types))
            {
              g_free (previous);
              previous = g_steal_pointer (&name);
            }
        }
    }
  return network;
}

static EnvelopeLayer *
add_layer (EnvelopeNetwork   *network,
           EnvelopeLayerType  type,
           const char        *name,
           guint64            set)
{
  EnvelopeLayer *layer = envelope_layer_new (type, name);

  layer->set |= set;
  envelope_network_insert_layer (network, -1, layer);
  return layer;
}

#define BIT(f) ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_##f)

/* GPT-2 small's shape on 4,096 tokens: token and learned position
 * embeddings, pre-norm blocks of causal attention and a 4× MLP, and the
 * output projection tied to the token embedding. */
static EnvelopeNetwork *
make_transformer (guint n_blocks,
                  guint tokens)
{
  EnvelopeNetwork *network = envelope_network_new ("transformer");
  EnvelopeLayer *layer;
  g_autofree char *residual = g_strdup ("wpe");

  layer = add_layer (network, ENVELOPE_LAYER_INPUT, "ids", 0);
  layer->shape_rank = 1;
  layer->shape[0] = tokens;
  layer = add_layer (network, ENVELOPE_LAYER_EMBEDDING, "wte", BIT (VOCABULARY) | BIT (DIMENSION));
  layer->vocabulary = 50257;
  layer->dimension = 768;
  layer = add_layer (network, ENVELOPE_LAYER_POSITION_EMBEDDING, "wpe", BIT (ENCODING) | BIT (POSITIONS));
  layer->encoding = ENVELOPE_POSITION_LEARNED;
  layer->positions = tokens;
  for (guint b = 0; b < n_blocks; b++)
    {
      g_autofree char *ln1 = g_strdup_printf ("h/%u/ln_1", b);
      g_autofree char *attn = g_strdup_printf ("h/%u/attn", b);
      g_autofree char *add1 = g_strdup_printf ("h/%u/add_1", b);
      g_autofree char *ln2 = g_strdup_printf ("h/%u/ln_2", b);
      g_autofree char *fc = g_strdup_printf ("h/%u/mlp/fc", b);
      g_autofree char *gelu = g_strdup_printf ("h/%u/mlp/gelu", b);
      g_autofree char *proj = g_strdup_printf ("h/%u/mlp/proj", b);
      g_autofree char *add2 = g_strdup_printf ("h/%u/add_2", b);

      add_layer (network, ENVELOPE_LAYER_LAYER_NORM, ln1, 0);
      layer = add_layer (network, ENVELOPE_LAYER_ATTENTION, attn, BIT (HEADS) | BIT (CAUSAL));
      layer->heads = 12;
      layer->causal = TRUE;
      layer = add_layer (network, ENVELOPE_LAYER_ADD, add1, 0);
      layer->inputs = g_new0 (char *, 3);
      layer->inputs[0] = g_strdup (residual);
      layer->inputs[1] = g_strdup (attn);
      add_layer (network, ENVELOPE_LAYER_LAYER_NORM, ln2, 0);
      layer = add_layer (network, ENVELOPE_LAYER_DENSE, fc, BIT (UNITS));
      layer->units = 3072;
      add_layer (network, ENVELOPE_LAYER_GELU, gelu, 0);
      layer = add_layer (network, ENVELOPE_LAYER_DENSE, proj, BIT (UNITS));
      layer->units = 768;
      layer = add_layer (network, ENVELOPE_LAYER_ADD, add2, 0);
      layer->inputs = g_new0 (char *, 3);
      layer->inputs[0] = g_strdup (add1);
      layer->inputs[1] = g_strdup (proj);
      g_free (residual);
      residual = g_strdup (add2);
    }
  add_layer (network, ENVELOPE_LAYER_LAYER_NORM, "ln_f", 0);
  layer = add_layer (network, ENVELOPE_LAYER_DENSE, "lm_head", BIT (UNITS) | BIT (BIAS) | BIT (SHARES));
  layer->units = 50257;
  layer->bias = FALSE;
  layer->shares = g_strdup ("wte");
  return network;
}

static gboolean
bench_network (const char      *label,
               EnvelopeNetwork *built,
               double           analysis_target_ms)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  double load = G_MAXDOUBLE, analyse = G_MAXDOUBLE, report = G_MAXDOUBLE, report_wall = 0, t;
  EnvelopeReportOptions options = { ENVELOPE_REPORT_JSON, FALSE, FALSE, FALSE, ENVELOPE_UNITS_IEC };
  int fd;
  gsize size = 0;
  gboolean ok = TRUE;

  fd = g_file_open_tmp ("envelope-benchmark-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  if (!envelope_network_save_to_file (built, path, &error))
    g_error ("%s", error->message);
  {
    g_autofree char *contents = NULL;
    g_file_get_contents (path, &contents, &size, NULL);
  }

  for (guint r = 0; r < RUNS; r++)
    {
      g_clear_pointer (&network, envelope_network_free);
      /* a long file's layers are read on several threads: all count */
      t = process_cpu_ms ();
      network = envelope_network_load_from_file (path, &error);
      load = MIN (load, process_cpu_ms () - t);
      g_assert_no_error (error);
    }
  for (guint r = 0; r < RUNS; r++)
    {
      g_autoptr(EnvelopeAnalysis) analysis = NULL;

      t = process_cpu_ms ();
      analysis = envelope_analysis_new (network, NULL, NULL, &error);
      analyse = MIN (analyse, process_cpu_ms () - t);
      g_assert_no_error (error);
      if (r == 0)
        {
          g_autofree char *text = NULL;

          gint64 start = g_get_monotonic_time ();

          t = process_cpu_ms ();
          text = envelope_report_write (analysis, &options);
          report = process_cpu_ms () - t;
          report_wall = (g_get_monotonic_time () - start) / 1e3;
        }
    }
  g_unlink (path);

  printf ("%-34s %7u layers  %6.1f MiB file\n", label, envelope_network_get_n_layers (network), size / 1048576.0);
  printf ("  load file (CPU time, all threads) %8.1f ms\n", load);
  printf ("  analyse (CPU time, all threads)  %9.1f ms", analyse);
  if (analysis_target_ms > 0)
    {
      ok = analyse < analysis_target_ms;
      printf ("   target < %.0f ms: %s", analysis_target_ms, ok ? "met" : "MISSED");
    }
  printf ("\n  JSON report (with formulas)      %9.1f ms (CPU time of all threads; %.1f ms wall)\n", report, report_wall);
  return ok;
}

/* A network of a few hundred layers, as the app recomputes it on every
 * edit. */
static gboolean
bench_resnet50 (const char *models)
{
  g_autofree char *path = g_build_filename (models, "resnet50.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = envelope_network_load_from_file (path, &error);
  double best = G_MAXDOUBLE;

  g_assert_no_error (error);
  for (guint r = 0; r < 200; r++)
    {
      double t = cpu_ms ();
      EnvelopeAnalysis *analysis = envelope_analysis_new (network, NULL, NULL, &error);

      best = MIN (best, cpu_ms () - t);
      g_assert_no_error (error);
      envelope_analysis_free (analysis);
    }
  printf ("analyse ResNet-50 (%u layers)      %9.3f ms   target < 1 ms: %s\n",
          envelope_network_get_n_layers (network), best, best < 1 ? "met" : "MISSED");
  return best < 1;
}

/* One whole process, its output thrown away: wall and CPU time in
 * milliseconds, peak resident memory in KiB. */
typedef struct
{
  double wall, cpu;
  long peak_kb;
} Run;

static Run run_process_expecting (const char *const *argv,
                                  int                expected);

static Run
run_process (const char *const *argv)
{
  return run_process_expecting (argv, 0);
}

/* The same, for a command that must end with the exit status @expected
 * (1: it refused the file). */
static Run
run_process_expecting (const char *const *argv,
                       int                expected)
{
  Run run = { 0 };
  double t = now_ms ();
  pid_t pid = fork ();
  int status = 0;
  struct rusage usage;

  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      dup2 (null, 1);
      dup2 (null, 2);
      execv (argv[0], (char **) argv);
      _exit (127);
    }
  wait4 (pid, &status, 0, &usage);
  run.wall = now_ms () - t;
  run.cpu = usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
            usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
  run.peak_kb = usage.ru_maxrss;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != expected)
    g_error ("%s %s ended with status %d, not %d", argv[0], argv[1], status, expected);
  return run;
}

/* Loading @path alone, in a child process of its own (this one is
 * small when it forks): wall time and the child's peak memory. */
static Run
run_load (const char *path)
{
  Run run = { 0 };
  double t = now_ms ();
  pid_t pid = fork ();
  int status = 0;
  struct rusage usage;

  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      EnvelopeNetwork *network = envelope_network_load_from_file (path, &error);

      _exit (network != NULL ? 0 : 1);
    }
  wait4 (pid, &status, 0, &usage);
  run.wall = now_ms () - t;
  run.cpu = usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
            usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
  run.peak_kb = usage.ru_maxrss;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("loading %s failed", path);
  return run;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define PAIRS 21

/* envelope-cli report of ResNet-50 as a whole process, in turn with the
 * floor: the ratio of each pair holds when the machine's speed drifts.
 * Returns the median wall time of the JSON report in *json_ms. */
static gboolean
bench_cli (const char *cli,
           const char *models,
           const char *floor_program,
           double     *json_ms)
{
  g_autofree char *model = g_build_filename (models, "resnet50.json", NULL);
  const char *formats[] = { "table", "json" };
  const char *floor_argv[] = { floor_program, model, NULL };
  gboolean ok = TRUE;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      const char *argv[] = { cli, "report", model, "--format", formats[f], NULL };
      double wall[PAIRS], floor_wall[PAIRS], cpu_ratio[PAIRS], wall_ratio[PAIRS];
      double median_wall, median_floor, cpu, walls;
      gboolean met;

      run_process (argv);   /* warm the page cache */
      run_process (floor_argv);
      for (guint r = 0; r < PAIRS; r++)
        {
          Run a = run_process (argv), b = run_process (floor_argv);

          wall[r] = a.wall;
          floor_wall[r] = b.wall;
          wall_ratio[r] = a.wall / b.wall;
          cpu_ratio[r] = a.cpu / MAX (b.cpu, 0.001);
        }
      median_wall = median (wall, PAIRS);
      median_floor = median (floor_wall, PAIRS);
      cpu = median (cpu_ratio, PAIRS);
      walls = median (wall_ratio, PAIRS);
      met = median_wall < 20 && (f == 0 || cpu < 2.5);
      printf ("envelope-cli report resnet50 (%-5s) median %5.1f ms; floor %4.1f ms: %.2f × (CPU time), %.2f × (wall)   "
              "target < 20 ms%s: %s\n", formats[f], median_wall, median_floor, cpu, walls,
              f == 0 ? "" : " and < 2.5 × the floor", met ? "met" : "MISSED");
      ok &= met;
      *json_ms = median_wall;
    }
  return ok;
}

/* The PyTorch forward-hook count of ResNet-50, the way torchinfo and
 * ptflops users count, as a whole process: python3 starting, importing
 * torch, building the model and running one forward pass. */
static gboolean
bench_torch (const char *script,
             double      envelope_ms)
{
  /* the python3 on the PATH, or the system's (where Debian's
   * python3-torch installs) */
  g_autofree char *on_path = g_find_program_in_path ("python3");
  const char *candidates[] = { on_path, "/usr/bin/python3" };
  const char *python = NULL;
  double runs[3], torch_ms;

  for (guint c = 0; c < G_N_ELEMENTS (candidates) && python == NULL; c++)
    {
      const char *check[] = { candidates[c], "-c", "import torch", NULL };
      int status = 0;

      if (candidates[c] != NULL &&
          g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, NULL) &&
          g_spawn_check_wait_status (status, NULL))
        python = candidates[c];
    }
  if (python == NULL)
    {
      printf ("PyTorch forward-hook count of ResNet-50: skipped (no python3 with torch)\n");
      return TRUE;
    }
  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      const char *argv[] = { python, script, NULL };

      runs[r] = run_process (argv).wall;
    }
  torch_ms = median (runs, G_N_ELEMENTS (runs));
  printf ("PyTorch forward-hook count of ResNet-50 (%s)  median %7.1f ms: envelope-cli report --format json is "
          "%.0f × faster   target ≥ 300 ×: %s\n", python, torch_ms, torch_ms / envelope_ms,
          torch_ms / envelope_ms >= 300 ? "met" : "MISSED");
  return torch_ms / envelope_ms >= 300;
}

/* ------------------------------------------------------------------ */
/* A large ONNX model, written field by field (protocol buffers' wire   */
/* format: a key of field number << 3 | wire type, then the value)      */

static void
put_varint (GByteArray *out,
            guint64     value)
{
  do
    {
      guint8 byte = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
      g_byte_array_append (out, &byte, 1);
      value >>= 7;
    }
  while (value != 0);
}

static void
put_int (GByteArray *out,
         guint       field,
         guint64     value)
{
  put_varint (out, (guint64) field << 3);
  put_varint (out, value);
}

static void
put_bytes (GByteArray   *out,
           guint         field,
           const guint8 *data,
           gsize         length)
{
  put_varint (out, (guint64) field << 3 | 2);
  put_varint (out, length);
  g_byte_array_append (out, data, (guint) length);
}

static void
put_string (GByteArray *out,
            guint       field,
            const char *text)
{
  put_bytes (out, field, (const guint8 *) text, strlen (text));
}

static void
put_message (GByteArray *out,
             guint       field,
             GByteArray *message)
{
  put_bytes (out, field, message->data, message->len);
}

static GByteArray *
node (const char *op,
      const char *const *inputs,
      const char *output,
      const char *attributes)   /* "kernel_shape=3,3;pads=1,1,1,1" */
{
  GByteArray *n = g_byte_array_new ();
  g_auto(GStrv) parts = g_strsplit (attributes, ";", -1);

  for (guint i = 0; inputs[i] != NULL; i++)
    put_string (n, 1, inputs[i]);
  put_string (n, 2, output);
  put_string (n, 3, output);
  put_string (n, 4, op);
  for (guint i = 0; parts[i] != NULL && parts[i][0] != '\0'; i++)
    {
      g_autoptr(GByteArray) a = g_byte_array_new ();
      g_auto(GStrv) kv = g_strsplit (parts[i], "=", 2);
      g_auto(GStrv) values = g_strsplit (kv[1], ",", -1);

      put_string (a, 1, kv[0]);
      if (g_strv_length (values) == 1 && !g_str_equal (kv[0], "kernel_shape"))
        {
          put_int (a, 3, g_ascii_strtoull (values[0], NULL, 10));
          put_int (a, 20, 2);    /* INT */
        }
      else
        {
          for (guint k = 0; values[k] != NULL; k++)
            put_int (a, 8, g_ascii_strtoull (values[k], NULL, 10));
          put_int (a, 20, 7);    /* INTS */
        }
      put_message (n, 5, a);
    }
  return n;
}

/* The header of an initializer of @dims whose raw_data follows. */
static GByteArray *
initializer_head (const char    *name,
                  const guint64 *dims,
                  guint          n_dims,
                  guint64       *values)
{
  GByteArray *t = g_byte_array_new ();

  *values = 1;
  for (guint i = 0; i < n_dims; i++)
    {
      put_int (t, 1, dims[i]);
      *values *= dims[i];
    }
  put_int (t, 2, 1);            /* FLOAT */
  put_string (t, 8, name);
  put_varint (t, 9 << 3 | 2);   /* raw_data, its bytes written after */
  put_varint (t, *values * 4);
  return t;
}

static GByteArray *
value_info (const char    *name,
            const guint64 *dims,
            guint          n_dims)
{
  g_autoptr(GByteArray) shape = g_byte_array_new ();
  g_autoptr(GByteArray) tensor = g_byte_array_new ();
  g_autoptr(GByteArray) type = g_byte_array_new ();
  GByteArray *info = g_byte_array_new ();

  for (guint i = 0; i < n_dims; i++)
    {
      g_autoptr(GByteArray) dim = g_byte_array_new ();
      put_int (dim, 1, dims[i]);
      put_message (shape, 1, dim);
    }
  put_int (tensor, 1, 1);
  put_message (tensor, 2, shape);
  put_message (type, 1, tensor);
  put_string (info, 1, name);
  put_message (info, 2, type);
  return info;
}

/* VGG-16 (torchvision) as an ONNX file of 553 MB, its weights zeros. */
static char *
write_vgg16_onnx (gsize *size)
{
  static const int widths[] = { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0 };
  static const guint64 fcs[][2] = { { 4096, 25088 }, { 4096, 4096 }, { 1000, 4096 } };
  static const guint64 input_dims[] = { 1, 3, 224, 224 }, output_dims[] = { 1, 1000 };
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (guint64));   /* raw bytes after each part */
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autoptr(GByteArray) opset = g_byte_array_new ();
  g_autofree char *path = NULL;
  g_autofree char *previous = g_strdup ("x");
  guint64 graph_size = 0, zero = 0, channels = 3, values;
  guint8 zeros[65536] = { 0 };
  GError *error = NULL;
  FILE *file;
  int fd;

#define PART(bytes, raw_bytes) G_STMT_START { GByteArray *b_ = (bytes); guint64 r_ = (raw_bytes); \
    g_ptr_array_add (parts, b_); g_array_append_val (raw, r_); } G_STMT_END

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *out = g_strdup_printf ("t%u", i);
      g_autofree char *relu = g_strdup_printf ("r%u", i);

      if (widths[i] == 0)
        {
          const char *in[] = { previous, NULL };
          PART (node ("MaxPool", in, out, "kernel_shape=2,2;strides=2,2"), 0);
          g_free (previous);
          previous = g_strdup (out);
          continue;
        }
      {
        g_autofree char *w = g_strdup_printf ("w%u", i);
        g_autofree char *b = g_strdup_printf ("b%u", i);
        const guint64 wd[] = { (guint64) widths[i], channels, 3, 3 }, bd[] = { (guint64) widths[i] };
        const char *in[] = { previous, w, b, NULL };
        const char *rin[] = { out, NULL };
        GByteArray *t;

        t = initializer_head (w, wd, 4, &values);
        PART (t, values * 4);
        t = initializer_head (b, bd, 1, &values);
        PART (t, values * 4);
        PART (node ("Conv", in, out, "kernel_shape=3,3;pads=1,1,1,1"), 0);
        PART (node ("Relu", rin, relu, ""), 0);
        g_free (previous);
        previous = g_strdup (relu);
        channels = (guint64) widths[i];
      }
    }
  {
    const char *in[] = { previous, NULL };
    PART (node ("Flatten", in, "flat", "axis=1"), 0);
    g_free (previous);
    previous = g_strdup ("flat");
  }
  for (guint i = 0; i < G_N_ELEMENTS (fcs); i++)
    {
      g_autofree char *w = g_strdup_printf ("fw%u", i);
      g_autofree char *b = g_strdup_printf ("fb%u", i);
      g_autofree char *out = g_strdup_printf ("f%u", i);
      g_autofree char *relu = g_strdup_printf ("fr%u", i);
      const guint64 bd[] = { fcs[i][0] };
      const char *in[] = { previous, w, b, NULL };
      const char *rin[] = { out, NULL };
      GByteArray *t = initializer_head (w, fcs[i], 2, &values);

      PART (t, values * 4);
      t = initializer_head (b, bd, 1, &values);
      PART (t, values * 4);
      PART (node ("Gemm", in, out, "transB=1"), 0);
      g_free (previous);
      if (i + 1 < G_N_ELEMENTS (fcs))
        {
          PART (node ("Relu", rin, relu, ""), 0);
          previous = g_strdup (relu);
        }
      else
        previous = g_strdup (out);
    }
  {
    GByteArray *in = value_info ("x", input_dims, 4);
    GByteArray *out = value_info (previous, output_dims, 2);
    GByteArray *tagged;

    /* graph fields: node 1, initializer 5, input 11, output 12 */
    for (guint i = 0; i < parts->len; i++)
      {
        GByteArray *b = g_ptr_array_index (parts, i);
        gboolean tensor = g_array_index (raw, guint64, i) > 0;
        GByteArray *key = g_byte_array_new ();
        guint64 length = b->len + g_array_index (raw, guint64, i);

        put_varint (key, (guint64) (tensor ? 5 : 1) << 3 | 2);
        put_varint (key, length);
        g_byte_array_prepend (b, key->data, key->len);
        g_byte_array_unref (key);
        graph_size += b->len + g_array_index (raw, guint64, i);
      }
    tagged = g_byte_array_new ();
    put_message (tagged, 11, in);
    put_message (tagged, 12, out);
    graph_size += tagged->len;
    PART (tagged, 0);
    g_byte_array_unref (in);
    g_byte_array_unref (out);
  }
  put_int (head, 1, 8);                      /* ir_version */
  put_string (head, 2, "envelope-benchmark");
  put_int (opset, 2, 13);
  put_message (head, 8, opset);
  put_varint (head, 7 << 3 | 2);             /* graph */
  put_varint (head, graph_size);

  fd = g_file_open_tmp ("envelope-benchmark-XXXXXX.onnx", &path, &error);
  g_assert_no_error (error);
  file = fdopen (fd, "wb");
  fwrite (head->data, 1, head->len, file);
  *size = head->len;
  for (guint i = 0; i < parts->len; i++)
    {
      GByteArray *b = g_ptr_array_index (parts, i);
      guint64 left = g_array_index (raw, guint64, i);

      fwrite (b->data, 1, b->len, file);
      *size += b->len + left;
      while (left > 0)
        {
          gsize n = MIN (left, sizeof zeros);
          fwrite (zeros, 1, n, file);
          left -= n;
        }
    }
  (void) zero;
  fclose (file);
#undef PART
  return g_steal_pointer (&path);
}

/* envelope-cli report of the file as a whole process: wall time and the
 * child's peak resident memory. */
static gboolean
bench_onnx (const char *cli)
{
  gsize size = 0;
  g_autofree char *path = write_vgg16_onnx (&size);
  double runs[3], middle;
  long peak_kb = 0;
  gboolean ok;

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      const char *argv[] = { cli, "report", path, "--format", "json", NULL };
      Run run = run_process (argv);

      runs[r] = run.wall;
      peak_kb = MAX (peak_kb, run.peak_kb);
    }
  g_unlink (path);
  middle = median (runs, G_N_ELEMENTS (runs));
  ok = middle < 1000 && (double) peak_kb * 1024 < 2.0 * (double) size;
  printf ("envelope-cli report of VGG-16 as ONNX (%.0f MB)  median %6.1f ms, peak %.0f MB (%.2f × the file)   "
          "target < 1 s and < 2 ×: %s\n",
          size / 1e6, middle, peak_kb / 1024.0 * 1.048576, peak_kb * 1024.0 / (double) size, ok ? "met" : "MISSED");
  return ok;
}

/* The JSON report of a chain of a million layers as a whole process:
 * the report is written as it is made, never whole in memory.  The
 * floor reads and tokenizes the same file. */
static gboolean
bench_million (const char *cli,
               const char *floor_program)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("envelope-benchmark-XXXXXX.json", &path, &error);
  pid_t pid;
  int status = 0;
  const char *argv[] = { cli, "report", NULL, "--format", "json", NULL };
  const char *floor_argv[] = { floor_program, NULL, NULL };
  g_autofree char *svg = g_strconcat (path, ".svg", NULL);
  const char *export_argv[] = { cli, "export", NULL, "-o", svg, NULL };
  Run report, floor, load, export;
  gboolean ok;

  g_assert_no_error (error);
  close (fd);
  /* the file is written by a child: a child forked from a process that
   * held the network starts at that process's size, and its peak says so */
  pid = fork ();
  if (pid == 0)
    {
      EnvelopeNetwork *network = make_chain (1000000);

      _exit (envelope_network_save_to_file (network, path, NULL) ? 0 : 1);
    }
  waitpid (pid, &status, 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("could not write %s", path);
  argv[2] = floor_argv[1] = export_argv[2] = path;
  /* the median of three, each in turn with the floor, as the other
   * whole-process lines: one run, the first after the file was written,
   * moved with the machine by half */
  {
    double walls[3], cpus[3], floor_walls[3];

    report.peak_kb = floor.peak_kb = 0;
    for (guint r = 0; r < G_N_ELEMENTS (walls); r++)
      {
        Run one = run_process (argv);
        Run other = run_process (floor_argv);

        walls[r] = one.wall;
        cpus[r] = one.cpu;
        floor_walls[r] = other.wall;
        report.peak_kb = MAX (report.peak_kb, one.peak_kb);
        floor.peak_kb = MAX (floor.peak_kb, other.peak_kb);
      }
    report.wall = median (walls, G_N_ELEMENTS (walls));
    report.cpu = median (cpus, G_N_ELEMENTS (cpus));
    floor.wall = median (floor_walls, G_N_ELEMENTS (floor_walls));
  }
  load = run_load (path);
  /* on a slide, the chain's runs are one block "× N" */
  export = run_process (export_argv);
  g_unlink (path);
  g_unlink (svg);
  ok = report.wall < 2000 && report.peak_kb < 500 * 1000 / 1.024;
  printf ("envelope-cli report of a 1,000,000-layer chain (json, median of 3)  %6.0f ms (CPU %6.0f ms), peak %4.0f MB; "
          "floor %5.0f ms, peak %4.0f MB   target < 2 s and < 500 MB: %s\n",
          report.wall, report.cpu, report.peak_kb * 1.024 / 1000, floor.wall, floor.peak_kb * 1.024 / 1000,
          ok ? "met" : "MISSED");
  printf ("  … loading it alone                                    %6.0f ms (CPU %6.0f ms), peak %4.0f MB\n",
          load.wall, load.cpu, load.peak_kb * 1.024 / 1000);
  printf ("  … envelope-cli export of it, its runs folded on a slide %5.0f ms (CPU %6.0f ms), peak %4.0f MB\n",
          export.wall, export.cpu, export.peak_kb * 1.024 / 1000);
  return ok;
}

int
main (int    argc,
      char **argv)
{
  EnvelopeNetwork *network;
  gboolean ok = TRUE;

  double json_ms = 0;

  if (argc != 4 && argc != 5)
    {
      fprintf (stderr, "usage: %s ENVELOPE-CLI MODELS-DIR FLOOR [TORCH-COUNT.py]\n", argv[0]);
      return 2;
    }

  /* ENVELOPE_BENCHMARK_ONLY=million: the million-layer chain alone */
  if (g_strcmp0 (g_getenv ("ENVELOPE_BENCHMARK_ONLY"), "million") == 0)
    return bench_million (argv[1], argv[3]) ? 0 : 1;

  /* ENVELOPE_BENCHMARK_ONLY=networks: the analyses in this process alone */
  if (g_strcmp0 (g_getenv ("ENVELOPE_BENCHMARK_ONLY"), "networks") != 0)
    {
      /* whole processes first, while this one is small and forks fast */
      ok &= bench_cli (argv[1], argv[2], argv[3], &json_ms);
      if (argc == 5)
        ok &= bench_torch (argv[4], json_ms);
      ok &= bench_onnx (argv[1]);
      ok &= bench_million (argv[1], argv[3]);
    }
  ok &= bench_resnet50 (argv[2]);

  network = make_chain (100000);
  ok &= bench_network ("chain of 100,000 conv/relu layers", network, 50);
  envelope_network_free (network);
  network = make_residual (10000);
  ok &= bench_network ("residual network of 10,000 blocks", network, 0);
  envelope_network_free (network);
  network = make_transformer (12, 4096);
  ok &= bench_network ("12-layer transformer, 4,096 tokens", network, 1);
  envelope_network_free (network);

  printf ("%s\n", ok ? "all targets met" : "a target was MISSED");
  return ok ? 0 : 1;
}
