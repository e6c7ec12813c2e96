/* envelope-cli.c: report, explain, export, devices
 *
 * Exit status: 0 success, 1 an invalid or unreadable network, 2 a usage
 * error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-cli"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <gmodule.h>
#include <locale.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envelope-analysis.h"
#include "envelope-devices.h"
#include "envelope-import.h"
#include "envelope-format.h"
#include "envelope-network.h"
#include "envelope-paths.h"
#include "envelope-report.h"

enum
{
  EXIT_OK = 0,
  EXIT_INVALID = 1,
  EXIT_USAGE = 2,
};

static int
usage_error (const char *message)
{
  g_printerr ("envelope-cli: %s\n", message);
  g_printerr (_("Try 'envelope-cli help'.\n"));
  return EXIT_USAGE;
}

static void
print_help (void)
{
  g_print (_("Usage:\n"
             "  envelope-cli report FILE [OPTION…]   every layer's figures, the totals and memory\n"
             "  envelope-cli explain FILE LAYER       every worked formula of one layer\n"
             "  envelope-cli plan FILE --memory SIZE   which blocks to checkpoint so that a step fits\n"
             "  envelope-cli export FILE -o OUT        the diagram as a PNG, SVG or PDF file\n"
             "  envelope-cli convert FILE -o OUT.json  any network file as an Envelope file\n"
             "  envelope-cli devices                  the GPU presets\n"
             "  envelope-cli help [COMMAND]           this text, or a command's options\n"
             "\n"
             "Run 'envelope-cli COMMAND --help' for a command's options.\n"));
}

/* What an integer option holds when it was not given: 0 and negative
 * numbers are values a user can type, and must be refused, not ignored. */
#define NOT_GIVEN G_MININT64

/* Options that override the file's "training" section. */
typedef struct
{
  gint64 batch;
  char *dtype;
  char *optimizer;
  char *device;
  char *memory;
  char *reserved;
  char *memory_model;
  char *context;
  char *timeline;
  char *generate;
  char *kv_cache;
  gint64 target_batch;
  gboolean mixed_precision;
  gboolean flops;
  gboolean si;
  gboolean grouped;
  gboolean scientific;
  gboolean partial;
  char *format;
} ReportArgs;

static void
report_args_clear (ReportArgs *args)
{
  g_free (args->dtype);
  g_free (args->optimizer);
  g_free (args->device);
  g_free (args->memory);
  g_free (args->reserved);
  g_free (args->memory_model);
  g_free (args->context);
  g_free (args->timeline);
  g_free (args->generate);
  g_free (args->kv_cache);
  g_free (args->format);
}

/* Applies the overrides to @training; FALSE with @message on a bad value. */
static gboolean
apply_overrides (const ReportArgs *args,
                 EnvelopeTraining *training,
                 char            **message)
{
  if (args->batch != NOT_GIVEN)
    {
      if (args->batch < 1)
        return (*message = g_strdup (_("--batch must be at least 1"))), FALSE;
      training->batch = (guint64) args->batch;
    }
  if (args->target_batch != NOT_GIVEN)
    {
      if (args->target_batch < 1)
        return (*message = g_strdup (_("--target-batch must be at least 1"))), FALSE;
      training->target_batch = (guint64) args->target_batch;
    }
  if (args->dtype != NULL && !envelope_dtype_from_string (args->dtype, &training->dtype))
    {
      g_autofree char *valid = envelope_dtype_list_valid ();
      *message = g_strdup_printf (_("--dtype \"%s\" is not a type; valid types: %s"), args->dtype, valid);
      return FALSE;
    }
  if (args->optimizer != NULL && !envelope_optimizer_from_string (args->optimizer, &training->optimizer))
    {
      g_autofree char *valid = envelope_optimizer_list_valid ();
      *message = g_strdup_printf (_("--optimizer \"%s\" is not an optimizer; valid optimizers: %s"),
                                  args->optimizer, valid);
      return FALSE;
    }
  if (args->mixed_precision)
    training->mixed_precision = TRUE;
  if (args->device != NULL && args->memory != NULL)
    return (*message = g_strdup (_("give --device or --memory, not both"))), FALSE;
  if (args->device != NULL)
    {
      const EnvelopeDevice *device = envelope_devices_lookup (args->device);

      if (device == NULL)
        {
          g_autofree char *valid = envelope_devices_list_valid ();
          *message = g_strdup_printf (_("--device \"%s\" is not a preset; valid presets: %s"), args->device, valid);
          return FALSE;
        }
      g_free (training->device);
      training->device = g_strdup (device->name);
      training->device_memory = device->memory;
    }
  if (args->memory != NULL)
    {
      if (!envelope_parse_bytes (args->memory, &training->device_memory) || training->device_memory == 0)
        {
          *message = g_strdup_printf (_("--memory \"%s\" is not a size; write bytes or a size like 12GiB or 16GB"),
                                      args->memory);
          return FALSE;
        }
      g_clear_pointer (&training->device, g_free);
    }
  if (args->reserved != NULL && !envelope_parse_bytes (args->reserved, &training->reserved_memory))
    {
      *message = g_strdup_printf (_("--reserved \"%s\" is not a size"), args->reserved);
      return FALSE;
    }
  if (args->memory_model != NULL && !envelope_memory_model_from_string (args->memory_model, &training->memory_model))
    {
      *message = g_strdup_printf (_("--memory-model \"%s\" is not a model; valid models: pytorch, lecture"),
                                  args->memory_model);
      return FALSE;
    }
  if (args->generate != NULL &&
      !envelope_parse_generate (args->generate, &training->prompt_tokens, &training->new_tokens))
    {
      *message = g_strdup_printf (_("--generate \"%s\" is not a length; write the prompt and the new tokens "
                                    "as 512+128"), args->generate);
      return FALSE;
    }
  if (args->kv_cache != NULL && !envelope_dtype_from_string (args->kv_cache, &training->kv_cache))
    {
      g_autofree char *valid = envelope_dtype_list_valid ();
      *message = g_strdup_printf (_("--kv-cache \"%s\" is not a type; valid types: %s"), args->kv_cache, valid);
      return FALSE;
    }
  if (args->context != NULL && !envelope_parse_bytes (args->context, &training->context_memory))
    {
      *message = g_strdup_printf (_("--context \"%s\" is not a size; write bytes or a size like 500MiB, or 0"),
                                  args->context);
      return FALSE;
    }
  return TRUE;
}

/* Any network file Envelope reads; what an importer assumed or left out
 * goes to standard error, so that a JSON report stays JSON. */
static EnvelopeNetwork *
load_network (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  EnvelopeNetwork *network = envelope_import_load_file (path, NULL, &notes, &error);

  if (network == NULL)
    {
      g_printerr ("envelope-cli: %s\n", error->message);
      return NULL;
    }
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    g_printerr (_("envelope-cli: %s: note: %s\n"), path, (const char *) g_ptr_array_index (notes, i));
  return network;
}

/* A network of this many layers and more is left to the end of the
 * process, not freed (see leave_to_exit()). */
#define LEFT_TO_EXIT 100000

/* Called as the process is about to end: a long network and its
 * analysis are left for the system to take back at once, where freeing
 * them went through a call a layer and a string (a twentieth of a
 * million-layer report).  They stay reachable, so that a leak checker
 * does not count them. */
static gpointer volatile left_at_exit[2];

static void
leave_to_exit (EnvelopeNetwork  **network,
               EnvelopeAnalysis **analysis)
{
  if (envelope_network_get_n_layers (*network) < LEFT_TO_EXIT)
    return;
  left_at_exit[0] = g_steal_pointer (analysis);
  left_at_exit[1] = g_steal_pointer (network);
}

/* envelope-cli convert FILE -o OUT.json: any network Envelope opens,
 * written as an Envelope file (atomically: a failed write leaves OUT as
 * it was). */
static int
run_convert (int    argc,
             char **argv)
{
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The Envelope file to write"), "OUT.json" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE -o OUT.json — any network file as an Envelope file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 3)
    return usage_error (_("convert takes one FILE"));
  if (output == NULL)
    return usage_error (_("convert needs -o OUT.json"));
  network = load_network (argv[2]);
  if (network == NULL)
    return EXIT_INVALID;
  if (!envelope_network_save_to_file (network, output, &error))
    {
      g_printerr ("envelope-cli: %s\n", error->message);
      return EXIT_INVALID;
    }
  return EXIT_OK;
}

/* With @partial, a bad layer leaves the figures of the others: the
 * error is printed and @failed set, and the analysis returned. */
static EnvelopeAnalysis *
analyse (const char             *path,
         const EnvelopeNetwork  *network,
         const EnvelopeTraining *training,
         gboolean                partial,
         gboolean               *failed)
{
  g_autoptr(GError) error = NULL;
  EnvelopeAnalysis *analysis = partial ? envelope_analysis_new_partial (network, training, NULL, &error)
                                       : envelope_analysis_new (network, training, NULL, &error);

  *failed = analysis == NULL;
  if (analysis == NULL)
    g_printerr ("envelope-cli: %s: %s\n", path, error->message);
  else if (envelope_analysis_is_partial (analysis))
    {
      g_printerr ("envelope-cli: %s: %s\n", path, envelope_analysis_get_error (analysis, NULL)->message);
      *failed = TRUE;
    }
  return analysis;
}

typedef enum
{
  MODE_REPORT,
  MODE_EXPLAIN,
  MODE_PLAN,
} ReportMode;

static int
run_report (int        argc,
            char     **argv,
            ReportMode mode)
{
  gboolean explain = mode == MODE_EXPLAIN;
  ReportArgs args = { .batch = NOT_GIVEN, .target_batch = NOT_GIVEN };
  const GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_INT64, &args.batch, N_("Batch size (overrides the file)"), "N" },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &args.dtype, N_("Value type: fp32, fp16, bf16, int8, fp64, fp8"), "TYPE" },
    { "mixed-precision", 0, 0, G_OPTION_ARG_NONE, &args.mixed_precision, N_("Mixed precision (fp32 master weights and gradients)"), NULL },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &args.optimizer, N_("Optimizer: none, sgd, sgd_momentum, nesterov, rmsprop, adagrad, adam, adamw"), "NAME" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, N_("GPU preset (see 'envelope-cli devices')"), "NAME" },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &args.memory, N_("Memory budget in bytes or as 12GiB, 16GB"), "SIZE" },
    { "reserved", 0, 0, G_OPTION_ARG_STRING, &args.reserved, N_("Memory kept aside from the budget"), "SIZE" },
    { "target-batch", 't', 0, G_OPTION_ARG_INT64, &args.target_batch, N_("Batch to reach by gradient splitting"), "N" },
    { "memory-model", 0, 0, G_OPTION_ARG_STRING, &args.memory_model, N_("Memory as eager PyTorch spends it (pytorch, the default) or the lecture's terms (lecture)"), "MODEL" },
    { "context", 0, 0, G_OPTION_ARG_STRING, &args.context, N_("CUDA context size for the PyTorch model (default 500MiB; 0 allowed)"), "SIZE" },
    { "generate", 0, 0, G_OPTION_ARG_STRING, &args.generate, N_("Memory of generating text: prompt and new tokens, as 512+128"), "P+N" },
    { "kv-cache", 0, 0, G_OPTION_ARG_STRING, &args.kv_cache, N_("Value type of the key/value cache: fp16 (default), bf16, int8, fp8, fp32"), "TYPE" },
    { "timeline", 0, 0, G_OPTION_ARG_STRING, &args.timeline, N_("Print the memory of one training step, moment by moment, instead of the report (csv)"), "csv" },
    { "flops", 0, 0, G_OPTION_ARG_NONE, &args.flops, N_("Show FLOPs (2 × MACs) instead of MACs"), NULL },
    { "si", 0, 0, G_OPTION_ARG_NONE, &args.si, N_("SI units (kB, MB, GB) instead of IEC (KiB, MiB, GiB)"), NULL },
    { "group", 'g', 0, G_OPTION_ARG_NONE, &args.grouped, N_("One row per group of layers"), NULL },
    { "scientific", 'e', 0, G_OPTION_ARG_NONE, &args.scientific, N_("Operations as 1.94E+09"), NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &args.format, N_("table (default), json, csv or markdown"), "FORMAT" },
    { "partial", 0, 0, G_OPTION_ARG_NONE, &args.partial, N_("On a bad layer, print the figures of the layers that do not depend on it too (and still exit 1)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  EnvelopeReportOptions options = { ENVELOPE_REPORT_TABLE, FALSE, FALSE, FALSE, ENVELOPE_UNITS_IEC };
  EnvelopeTraining training;
  gboolean timeline, partial, failed;
  int status;

  context = g_option_context_new (explain ? _("FILE LAYER — every worked formula of one layer")
                                  : mode == MODE_PLAN ? _("FILE --memory SIZE --batch N — which blocks to checkpoint so that a training step fits")
                                  : _("FILE — every layer's figures, the totals and memory"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      report_args_clear (&args);
      return usage_error (error->message);
    }
  if (argc != (explain ? 4 : 3))
    {
      report_args_clear (&args);
      return usage_error (explain ? _("explain takes a FILE and a LAYER name")
                          : mode == MODE_PLAN ? _("plan takes one FILE") : _("report takes one FILE"));
    }
  if (args.format != NULL && !envelope_report_format_from_string (args.format, &options.format))
    {
      message = g_strdup_printf (_("--format \"%s\" is not one of table, json, csv, markdown"), args.format);
      report_args_clear (&args);
      return usage_error (message);
    }
  if (args.timeline != NULL && (explain || !g_str_equal (args.timeline, "csv")))
    {
      message = explain ? g_strdup (_("--timeline belongs to report, not explain"))
                        : g_strdup_printf (_("--timeline \"%s\" is not a format; the timeline is written as csv"),
                                           args.timeline);
      report_args_clear (&args);
      return usage_error (message);
    }
  if (args.partial && (mode != MODE_REPORT || args.timeline != NULL))
    {
      report_args_clear (&args);
      return usage_error (_("--partial belongs to report's table, json, csv and markdown"));
    }
  partial = args.partial;
  timeline = args.timeline != NULL;
  options.flops = args.flops;
  options.scientific = args.scientific;
  options.grouped = args.grouped;
  options.units = args.si ? ENVELOPE_UNITS_SI : ENVELOPE_UNITS_IEC;

  network = load_network (argv[2]);
  if (network == NULL)
    {
      report_args_clear (&args);
      return EXIT_INVALID;
    }
  envelope_training_copy (&training, &network->training);
  if (!apply_overrides (&args, &training, &message))
    {
      envelope_training_clear (&training);
      report_args_clear (&args);
      return usage_error (message);
    }
  report_args_clear (&args);
  if (mode == MODE_PLAN && training.device_memory == 0)
    {
      envelope_training_clear (&training);
      return usage_error (_("plan needs a budget: --memory SIZE or --device NAME"));
    }

  analysis = analyse (argv[2], network, &training, partial, &failed);
  envelope_training_clear (&training);
  if (analysis == NULL)
    return EXIT_INVALID;

  if (mode == MODE_PLAN)
    {
      const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
      guint64 budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;
      g_autoptr(EnvelopeCheckpointPlan) plan =
        envelope_analysis_plan_checkpoints (analysis, envelope_analysis_get_memory (analysis)->batch, budget, &error);

      if (plan == NULL)
        {
          g_printerr ("envelope-cli: %s: %s\n", argv[2], error->message);
          return EXIT_INVALID;
        }
      text = envelope_checkpoint_plan_describe (plan, options.units);
      if (fputs (text, stdout) < 0 || fflush (stdout) != 0)
        return EXIT_INVALID;
      return EXIT_OK;
    }

  /* the report and the timeline go out as they are made; a partial
   * report still exits 1 */
  status = failed ? EXIT_INVALID : EXIT_OK;
  if (timeline)
    {
      if (!envelope_report_write_timeline_to_file (analysis, stdout, &error))
        {
          if (error->domain == G_FILE_ERROR)
            g_printerr (_("envelope-cli: cannot write the report: %s\n"), error->message);
          else
            g_printerr ("envelope-cli: %s: %s\n", argv[2], error->message);
          return EXIT_INVALID;
        }
      leave_to_exit (&network, &analysis);
      return status;
    }
  if (!explain)
    {
      if (!envelope_report_write_to_file (analysis, &options, stdout, &error))
        {
          g_printerr (_("envelope-cli: cannot write the report: %s\n"), error->message);
          return EXIT_INVALID;
        }
      leave_to_exit (&network, &analysis);
      return status;
    }

  {
    gint index = envelope_network_find_layer (network, argv[3]);

    if (index < 0)
      {
        g_autofree const char **closest = envelope_network_suggest_layers (network, argv[3]);

        if (closest == NULL)
          g_printerr (_("envelope-cli: %s: no layer is named \"%s\"\n"), argv[2], argv[3]);
        else
          {
            g_autofree char *names = g_strjoinv (_("\" or \""), (char **) closest);

            g_printerr (_("envelope-cli: %s: no layer is named \"%s\"; did you mean \"%s\"?\n"),
                        argv[2], argv[3], names);
          }
        return EXIT_USAGE;
      }
    text = envelope_report_explain_layer (analysis, (guint) index, &options);
  }
  if (fputs (text, stdout) < 0 || fflush (stdout) != 0)
    {
      g_printerr (_("envelope-cli: cannot write the report: %s\n"), g_strerror (errno));
      status = EXIT_INVALID;
    }
  return status;
}

static int
run_devices (int    argc,
             char **argv)
{
  gboolean si = FALSE;
  const GOptionEntry entries[] = {
    { "si", 0, 0, G_OPTION_ARG_NONE, &si, N_("SI units (GB) instead of IEC (GiB)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— the GPU presets"));
  g_autoptr(GError) error = NULL;
  guint width = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error (_("devices takes no arguments"));

  for (guint i = 0; i < envelope_devices_get_n (); i++)
    width = MAX (width, (guint) g_utf8_strlen (envelope_devices_get (i)->name, -1));
  for (guint i = 0; i < envelope_devices_get_n (); i++)
    {
      const EnvelopeDevice *device = envelope_devices_get (i);
      g_autofree char *memory = envelope_format_bytes (device->memory, si ? ENVELOPE_UNITS_SI : ENVELOPE_UNITS_IEC);
      g_autofree char *bytes = envelope_format_count (device->memory);

      g_print ("%-*s  %10s  %18s B  %s %u\n", (int) width, device->name, memory, bytes, device->vendor, device->year);
    }
  return EXIT_OK;
}

/* The diagram is drawn by a module of its own, loaded only here: the
 * report, which most runs are, need not load Cairo, Pango and Graphviz
 * (a third of its time), and an export starts no second program. */
static int
run_export (int    argc,
            char **argv)
{
  g_autofree char *path = g_module_build_path (envelope_paths_get_module_dir (), "envelope-cli-export");
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  int (*export) (int argc, char **argv) = NULL;

  if (module == NULL || !g_module_symbol (module, "envelope_cli_export", (gpointer *) &export))
    {
      g_printerr (_("envelope-cli: cannot load %s: %s\n"), path, g_module_error ());
      return EXIT_INVALID;
    }
  return export (argc, argv);
}

extern char **environ;

/* Whether the environment leaves every locale category as C's: each of
 * LANG and LC_* unset, C, POSIX or C.<codeset>, and no LANGUAGE (which
 * gettext heeds in C.UTF-8). */
static gboolean
locale_is_c (char **environment)
{
  for (guint i = 0; environment != NULL && environment[i] != NULL; i++)
    {
      const char *entry = environment[i], *value = strchr (entry, '=');

      if (value == NULL || *++value == '\0')
        continue;
      if (g_str_has_prefix (entry, "LANGUAGE="))
        return FALSE;
      if ((g_str_has_prefix (entry, "LC_") || g_str_has_prefix (entry, "LANG=")) &&
          strcmp (value, "C") != 0 && strcmp (value, "POSIX") != 0 && !g_str_has_prefix (value, "C."))
        return FALSE;
    }
  return TRUE;
}

/* A network file this large (a few hundred thousand layers) takes
 * hundreds of megabytes once read, and the kernel hands them out a 4 KiB
 * page at a time: on a virtual machine a third of a million-layer
 * report went on page faults.  glibc asks for 2 MiB pages when its
 * malloc.hugetlb tunable says so, which is read only as a program
 * starts; so the program starts again, once, with it set.  It asks for
 * them only for a block of memory of 2 MiB and more as it takes it from
 * the system: the heap of each thread that reads layers (see
 * envelope_network_load_from_data()) is taken whole, 64 MiB at once,
 * with a top pad that large (what is not touched is not held), instead
 * of growing 4 KiB pages at a time (ten times the faults). */
#define LARGE_INPUT (32 << 20)
#define LARGE_INPUT_TUNABLES "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"

static void
restart_for_large_input (int    argc,
                         char **argv)
{
  g_autofree char *tunables = g_strdup (g_getenv ("GLIBC_TUNABLES"));
  gboolean large = FALSE;
  g_autofree char *value = NULL;

  if (tunables != NULL && strstr (tunables, "glibc.malloc.hugetlb") != NULL)
    return;
  for (int i = 2; i < argc && !large; i++)
    {
      struct stat st;

      large = stat (argv[i], &st) == 0 && S_ISREG (st.st_mode) && st.st_size >= LARGE_INPUT;
    }
  if (!large)
    return;
  value = tunables != NULL && *tunables != '\0' ? g_strconcat (tunables, ":" LARGE_INPUT_TUNABLES, NULL)
                                                : g_strdup (LARGE_INPUT_TUNABLES);
  if (!g_setenv ("GLIBC_TUNABLES", value, TRUE))
    return;
  execv ("/proc/self/exe", argv);
  /* no /proc: go on as the program is */
  if (tunables != NULL)
    g_setenv ("GLIBC_TUNABLES", tunables, TRUE);
  else
    g_unsetenv ("GLIBC_TUNABLES");
}

int
main (int    argc,
      char **argv)
{
  const char *command;

  restart_for_large_input (argc, argv);

  /* In the C locale the messages are the program's own and every
   * category but the character set reads as C's: loading all twelve
   * categories and looking for a catalogue is a tenth of a report's
   * time.  The character set is still the user's, for g_print(). */
  if (locale_is_c (environ))
    setlocale (LC_CTYPE, "");
  else
    {
      setlocale (LC_ALL, "");
      envelope_paths_init_i18n ();
    }

  if (argc < 2)
    {
      print_help ();
      return EXIT_USAGE;
    }
  command = argv[1];
  if (g_str_equal (command, "report"))
    return run_report (argc, argv, MODE_REPORT);
  if (g_str_equal (command, "explain"))
    return run_report (argc, argv, MODE_EXPLAIN);
  if (g_str_equal (command, "plan"))
    return run_report (argc, argv, MODE_PLAN);
  if (g_str_equal (command, "devices"))
    return run_devices (argc, argv);
  if (g_str_equal (command, "convert"))
    return run_convert (argc, argv);
  if (g_str_equal (command, "export"))
    return run_export (argc, argv);
  if (g_str_equal (command, "help") || g_str_equal (command, "--help") || g_str_equal (command, "-h"))
    {
      print_help ();
      return EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("envelope-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  {
    g_autofree char *message = g_strdup_printf (_("unknown command \"%s\""), command);
    return usage_error (message);
  }
}
