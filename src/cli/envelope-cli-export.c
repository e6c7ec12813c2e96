/* envelope-cli-export.c: a network's diagram as a PNG, SVG or PDF file
 *
 *   envelope-cli export FILE -o OUT.png|.svg|.pdf [OPTION…]
 *
 * A module of its own with the renderer, which envelope-cli loads for
 * this command alone.
 *
 * Exit status: 0 written, 1 an invalid network or a failed write, 2 a
 * usage error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>
#include <math.h>

#include "envelope-import.h"
#include "envelope-analysis.h"
#include "envelope-cli-export.h"
#include "envelope-groups.h"
#include "envelope-network.h"
#include "envelope-render.h"

enum
{
  EXIT_OK = 0,
  EXIT_INVALID = 1,
  EXIT_USAGE = 2,
};

/* What an option holds when it was not given: 0, negative numbers and
 * "nan" are values a user can type, and must be refused, not ignored. */
#define NOT_GIVEN G_MININT64
#define SCALE_NOT_GIVEN (-G_MAXDOUBLE)

typedef struct
{
  char *output;
  char *color;
  char *memory_of;
  gboolean receptive_field;
  char *receptive_field_layer;
  char *style;
  char *direction;
  char *theme;
  double scale;
  gint64 dpi;
  gboolean transparent;
  gboolean collapse;
  gint64 collapse_depth;
  char **collapse_groups;
  gint64 wrap;
  char *aspect;
  gint64 max_width;
  gboolean no_legend;
  gboolean no_totals;
  gboolean no_title;
  gboolean timeline;
  gboolean checkpoint;
  gint64 batch;
  gboolean si;
} ExportArgs;

static void
export_args_clear (ExportArgs *args)
{
  g_free (args->output);
  g_free (args->color);
  g_free (args->memory_of);
  g_free (args->receptive_field_layer);
  g_free (args->style);
  g_free (args->direction);
  g_free (args->theme);
  g_strfreev (args->collapse_groups);
  g_free (args->aspect);
}

/* Graphviz's time grows faster than the diagram, most of all at a block
 * many arrows meet (dot takes over a minute for a 10,000-input
 * concatenation, and minutes for 10^6 blocks): beyond these bounds the
 * export refuses before the layout, and says what helps. */
#define MAX_DRAWN_BLOCKS 5000
#define MAX_DRAWN_FAN 1000

/* What drawing groups as one block each could still do for a diagram
 * too large to draw: the advice a refusal gives. */
typedef enum
{
  COLLAPSE_HELPS,            /* the network has groups, drawn a block a layer */
  COLLAPSE_DEEPER,           /* its blocks are one block each, its stages not yet */
  COLLAPSE_NO_GROUPS,        /* it has no groups */
  COLLAPSE_DONE,             /* each of its stages is one block already */
} CollapseHint;

/* Whether a diagram of @n_blocks blocks, with at most @widest arrows
 * into or out of one block, can be laid out in reasonable time. */
static gboolean
drawable (guint n_blocks,
          guint widest)
{
  return n_blocks <= MAX_DRAWN_BLOCKS && widest <= MAX_DRAWN_FAN;
}

/* Says why a diagram that is not drawable() is refused, with @hint's
 * advice. */
static void
refuse (const char   *path,
        guint         n_blocks,
        guint         widest,
        CollapseHint  hint)
{
  g_autofree char *what = NULL;
  const char *advice;

  if (n_blocks > MAX_DRAWN_BLOCKS)
    what = g_strdup_printf (_("the diagram would have %u blocks; export draws at most %u."), n_blocks, MAX_DRAWN_BLOCKS);
  else
    what = g_strdup_printf (_("%u arrows would meet at one block; export draws at most %u."), widest, MAX_DRAWN_FAN);
  switch (hint)
    {
    case COLLAPSE_NO_GROUPS:
      advice = _("The network has no groups to draw as one block each: layers named by stage, block and layer "
                 "(\"layer3/1/conv2\"), or given a \"group\", make them.");
      break;
    case COLLAPSE_DEEPER:
      advice = _("--collapse-depth 1 draws one block per stage.");
      break;
    case COLLAPSE_DONE:
      advice = _("That is with each stage drawn as one block.");
      break;
    case COLLAPSE_HELPS:
    default:
      advice = _("--collapse draws one block per group, --collapse-depth 1 one per stage "
                 "(or --collapse-group NAME).");
      break;
    }
  g_printerr ("envelope-cli: %s: %s %s %s\n", path, what, advice,
              _("'envelope-cli report' gives the figures of any size."));
}

/* The advice for @network, drawn with @options: its groups are found
 * from its layers' names and, where @analysis is given, its stages'
 * shapes. */
static CollapseHint
collapse_hint (const EnvelopeNetwork        *network,
               const EnvelopeAnalysis       *analysis,
               const EnvelopeDiagramOptions *options)
{
  g_autoptr(EnvelopeGroups) named = analysis == NULL ? envelope_groups_new_full (network, NULL, options->groups) : NULL;
  const EnvelopeGroups *groups = named != NULL ? named : envelope_analysis_get_groups (analysis, options->groups);

  if (envelope_groups_get_depth (groups) == 0)
    return COLLAPSE_NO_GROUPS;
  if (options->collapse_depth == 1)
    return COLLAPSE_DONE;
  return options->collapse_depth > 1 ? COLLAPSE_DEEPER : COLLAPSE_HELPS;
}

/* The most arrows into or out of one block of @diagram. */
static guint
widest_fan (const EnvelopeDiagram *diagram)
{
  guint n = envelope_diagram_get_n_blocks (diagram);
  g_autofree guint *in = g_new0 (guint, MAX (n, 1));
  g_autofree guint *out = g_new0 (guint, MAX (n, 1));
  guint widest = 0;

  for (guint e = 0; e < envelope_diagram_get_n_edges (diagram); e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (diagram, e);

      out[edge->from]++;
      in[edge->to]++;
      widest = MAX (widest, MAX (out[edge->from], in[edge->to]));
    }
  return widest;
}

static int
usage_error (const char *message)
{
  g_printerr ("envelope-cli: %s\n", message);
  g_printerr (_("Try 'envelope-cli export --help'.\n"));
  return EXIT_USAGE;
}

/* --rf and --rf=LAYER */
static gboolean
parse_receptive_field (const char  *option_name,
                       const char  *value,
                       gpointer     data,
                       GError     **error)
{
  ExportArgs *args = data;

  args->receptive_field = TRUE;
  g_clear_pointer (&args->receptive_field_layer, g_free);
  if (value != NULL && value[0] != '\0')
    args->receptive_field_layer = g_strdup (value);
  return TRUE;
}

static int
run_export (ExportArgs *args,
            int         argc,
            char      **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GOptionGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeDiagram) diagram = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  g_autoptr(EnvelopeCheckpointPlan) plan = NULL;
  g_autofree gboolean *recomputed = NULL;
  g_autofree char *message = NULL;
  EnvelopeDiagramOptions diagram_options;
  EnvelopeRenderOptions render_options;
  EnvelopeExportOptions export_options;
  EnvelopeFitGoal goal;
  EnvelopePageFit page_fit = { 0 };
  EnvelopeTraining training;
  const char *path;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args->output, N_("The file to write: .png, .svg or .pdf"), "FILE" },
    { "color", 'c', 0, G_OPTION_ARG_STRING, &args->color, N_("Colour by kind (default), memory, macs or params"), "MODE" },
    { "memory-of", 0, 0, G_OPTION_ARG_STRING, &args->memory_of, N_("With --color memory: activations (default) or params"), "WHAT" },
    { "rf", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_receptive_field,
      N_("Draw the receptive field's growth; with a LAYER, its input patch too"), "[LAYER]" },
    { "style", 0, 0, G_OPTION_ARG_STRING, &args->style, N_("flat (default) or proportional"), "STYLE" },
    { "direction", 0, 0, G_OPTION_ARG_STRING, &args->direction, N_("lr (left to right, default) or tb (top to bottom)"), "DIR" },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &args->theme, N_("light (default) or dark"), "THEME" },
    { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &args->scale, N_("PNG pixels per point (default 2)"), "S" },
    { "dpi", 0, 0, G_OPTION_ARG_INT64, &args->dpi, N_("PNG resolution (instead of --scale)"), "N" },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &args->transparent, N_("No background"), NULL },
    { "collapse", 0, 0, G_OPTION_ARG_NONE, &args->collapse, N_("One block per group (stage/block/layer names, or the group field)"), NULL },
    { "collapse-depth", 0, 0, G_OPTION_ARG_INT64, &args->collapse_depth, N_("With --collapse: 1 collapses stages, 2 blocks (default)"), "N" },
    { "collapse-group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->collapse_groups, N_("Collapse this group (repeatable)"), "NAME" },
    { "wrap", 0, 0, G_OPTION_ARG_INT64, &args->wrap, N_("Fold the flow into about N rows (columns with --direction tb)"), "N" },
    { "aspect", 0, 0, G_OPTION_ARG_STRING, &args->aspect,
      N_("The figure's proportions: 16:9 (default, a slide), 4:3, a4 (portrait), W:H, or free (one row, nothing collapsed)"), "RATIO" },
    { "max-width", 0, 0, G_OPTION_ARG_INT64, &args->max_width,
      N_("The width in pixels the figure must read at (default 1920); the PNG is drawn at it"), "PX" },
    { "no-legend", 0, 0, G_OPTION_ARG_NONE, &args->no_legend, N_("Leave out the legend"), NULL },
    { "no-totals", 0, 0, G_OPTION_ARG_NONE, &args->no_totals, N_("Leave out the totals"), NULL },
    { "no-title", 0, 0, G_OPTION_ARG_NONE, &args->no_title, N_("Leave out the title"), NULL },
    { "batch", 'b', 0, G_OPTION_ARG_INT64, &args->batch, N_("Batch size for memory (overrides the file)"), "N" },
    { "checkpoint", 0, 0, G_OPTION_ARG_NONE, &args->checkpoint, N_("Outline the blocks to checkpoint so that the target batch fits the GPU (see 'envelope-cli plan')"), NULL },
    { "timeline", 0, 0, G_OPTION_ARG_NONE, &args->timeline, N_("The memory of one training step (PyTorch model) instead of the diagram"), NULL },
    { "si", 0, 0, G_OPTION_ARG_NONE, &args->si, N_("SI units (kB, MB, GB) instead of IEC (KiB, MiB, GiB)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("FILE -o OUT.png|.svg|.pdf — the network's diagram"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  group = g_option_group_new ("export", "", "", args, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, g_steal_pointer (&group));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  /* "--rf LAYER": GOption leaves LAYER among the arguments */
  if (argc == 4 && args->receptive_field && args->receptive_field_layer == NULL)
    {
      args->receptive_field_layer = g_strdup (argv[3]);
      argc = 3;
    }
  if (argc != 3)
    return usage_error (_("export takes one FILE"));
  path = argv[2];

  envelope_diagram_options_init (&diagram_options);
  envelope_render_options_init (&render_options);
  envelope_export_options_init (&export_options);

  if (args->output == NULL)
    return usage_error (_("export needs an output file: -o OUT.png, OUT.svg or OUT.pdf"));
  if (!envelope_export_format_from_path (args->output, &export_options.format))
    {
      message = g_strdup_printf (_("\"%s\" does not end in .png, .svg or .pdf"), args->output);
      return usage_error (message);
    }
  if (args->color != NULL && !envelope_color_mode_from_string (args->color, &render_options.color_mode))
    {
      message = g_strdup_printf (_("--color \"%s\" is not one of kind, memory, macs, params"), args->color);
      return usage_error (message);
    }
  if (args->memory_of != NULL && !envelope_memory_of_from_string (args->memory_of, &render_options.memory_of))
    {
      message = g_strdup_printf (_("--memory-of \"%s\" is not one of activations, params"), args->memory_of);
      return usage_error (message);
    }
  if (args->style != NULL && !envelope_diagram_style_from_string (args->style, &diagram_options.style))
    {
      message = g_strdup_printf (_("--style \"%s\" is not one of flat, proportional"), args->style);
      return usage_error (message);
    }
  if (args->direction != NULL && !envelope_direction_from_string (args->direction, &diagram_options.direction))
    {
      message = g_strdup_printf (_("--direction \"%s\" is not one of lr, tb"), args->direction);
      return usage_error (message);
    }
  if (args->theme != NULL && !envelope_theme_from_string (args->theme, &render_options.theme))
    {
      message = g_strdup_printf (_("--theme \"%s\" is not one of light, dark"), args->theme);
      return usage_error (message);
    }
  if (args->scale != SCALE_NOT_GIVEN && args->dpi != NOT_GIVEN)
    return usage_error (_("give --scale or --dpi, not both"));
  if (args->scale != SCALE_NOT_GIVEN)
    {
      /* below 1/100, Cairo's matrix degenerates; "nan" is refused too */
      if (!(args->scale >= 0.01 && args->scale <= 64))
        return usage_error (_("--scale must be a number from 0.01 to 64"));
      export_options.scale = args->scale;
    }
  if (args->dpi != NOT_GIVEN)
    {
      if (args->dpi < 1 || args->dpi > 4608)
        return usage_error (_("--dpi must be between 1 and 4608"));
      export_options.scale = (double) args->dpi / 72.0;
    }
  if (args->batch != NOT_GIVEN && args->batch < 1)
    return usage_error (_("--batch must be at least 1"));
  if (args->collapse_depth < 0 || args->collapse_depth > 16)
    return usage_error (_("--collapse-depth must be between 1 and 16"));
  if (args->collapse || args->collapse_depth > 0)
    diagram_options.collapse_depth = args->collapse_depth > 0 ? (guint) args->collapse_depth : 2;
  diagram_options.collapsed = (const char * const *) args->collapse_groups;
  if (args->wrap < 0 || args->wrap > 64)
    return usage_error (_("--wrap must be between 1 and 64"));
  diagram_options.wrap = (guint) args->wrap;
  envelope_fit_goal_init (&goal);
  envelope_fit_goal_set_style (&goal, diagram_options.style);
  if (args->aspect != NULL && !envelope_fit_goal_set_aspect (&goal, args->aspect))
    {
      message = g_strdup_printf (_("--aspect \"%s\" is not one of 16:9, 4:3, a4, free or W:H"), args->aspect);
      return usage_error (message);
    }
  if (args->max_width != NOT_GIVEN)
    {
      if (args->max_width < 100 || args->max_width > 32767)
        return usage_error (_("--max-width must be between 100 and 32767"));
      goal.max_width = (double) args->max_width;
    }
  diagram_options.receptive_field_room = args->receptive_field;
  render_options.transparent = args->transparent;
  render_options.units = args->si ? ENVELOPE_UNITS_SI : ENVELOPE_UNITS_IEC;
  render_options.show_legend = !args->no_legend;
  render_options.show_totals = !args->no_totals;
  render_options.show_title = !args->no_title;
  render_options.receptive_field = args->receptive_field;

  network = envelope_import_load_file (path, NULL, NULL, &error);
  if (network == NULL)
    {
      g_printerr ("envelope-cli: %s\n", error->message);
      return EXIT_INVALID;
    }
  if (args->receptive_field_layer != NULL)
    {
      gint index = envelope_network_find_layer (network, args->receptive_field_layer);

      if (index < 0)
        {
          g_printerr (_("envelope-cli: %s: no layer is named \"%s\"\n"), path, args->receptive_field_layer);
          return EXIT_USAGE;
        }
      render_options.receptive_field_layer = index;
    }

  /* a slide, or a figure of groups drawn as one block each, groups a
   * plain chain too: its runs can then be folded or collapsed */
  if (goal.aspect > 0 || diagram_options.collapse_depth > 0 || diagram_options.collapsed != NULL)
    diagram_options.groups = ENVELOPE_GROUPS_RUNS;

  /* a diagram of one block a layer: too large is known before the
   * analysis, which only the advice needs (the stages that its shapes
   * set apart, the groups --collapse would find) */
  if (goal.aspect <= 0 && diagram_options.collapse_depth == 0 && diagram_options.collapsed == NULL &&
      !args->timeline && envelope_network_get_n_layers (network) > MAX_DRAWN_BLOCKS)
    {
      g_autoptr(EnvelopeAnalysis) shapes = envelope_analysis_new (network, NULL, NULL, NULL);
      EnvelopeDiagramOptions collapsed = diagram_options;

      collapsed.groups = ENVELOPE_GROUPS_RUNS;
      refuse (path, envelope_network_get_n_layers (network), 0, collapse_hint (network, shapes, &collapsed));
      return EXIT_INVALID;
    }

  envelope_training_copy (&training, &network->training);
  if (args->batch != NOT_GIVEN)
    training.batch = (guint64) args->batch;
  analysis = envelope_analysis_new (network, &training, NULL, &error);
  envelope_training_clear (&training);
  if (analysis == NULL)
    {
      g_printerr ("envelope-cli: %s: %s\n", path, error->message);
      return EXIT_INVALID;
    }

  if (args->timeline)
    {
      g_autoptr(EnvelopeTimeline) timeline = envelope_timeline_new (analysis, render_options.units, &error);

      if (timeline == NULL || !envelope_export_timeline_to_file (timeline, network->name, &export_options,
                                                                  args->output, &error))
        {
          g_printerr ("envelope-cli: %s\n", error->message);
          return EXIT_INVALID;
        }
      return EXIT_OK;
    }

  if (args->checkpoint)
    {
      const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
      guint64 budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;
      guint n = envelope_analysis_get_n_layers (analysis);

      if (budget == 0)
        {
          g_printerr (_("envelope-cli: %s: --checkpoint needs a GPU or a memory budget in the file\n"), path);
          return EXIT_USAGE;
        }
      plan = envelope_analysis_plan_checkpoints (analysis, fit->target_batch, budget, &error);
      if (plan == NULL)
        {
          g_printerr ("envelope-cli: %s: %s\n", path, error->message);
          return EXIT_INVALID;
        }
      recomputed = g_new0 (gboolean, MAX (n, 1));
      for (guint b = 0; b < plan->blocks->len; b++)
        {
          const EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);
          for (guint i = block->first; block->chosen && i <= block->last; i++)
            recomputed[i] = TRUE;
        }
      render_options.recomputed = recomputed;
    }

  /* a slide shows a run of the same blocks as one */
  diagram_options.fold_repeats = goal.aspect > 0;
  /* the most that will be laid out: the diagram as asked, or for a
   * fitted figure its coarsest level (the finer ones are tried only
   * when a slide could hold them) */
  {
    EnvelopeDiagramOptions coarsest = diagram_options;
    g_autoptr(EnvelopeDiagram) probe = NULL;
    guint n_blocks, widest;

    if (goal.aspect > 0 && coarsest.collapse_depth == 0 && coarsest.collapsed == NULL)
      {
        const EnvelopeGroups *groups = envelope_analysis_get_groups (analysis, coarsest.groups);

        if (envelope_groups_get_depth (groups) == 0 && !drawable (envelope_network_get_n_layers (network), 0))
          {
            refuse (path, envelope_network_get_n_layers (network), 0, COLLAPSE_NO_GROUPS);
            return EXIT_INVALID;
          }
        coarsest.collapse_depth = 1;
      }
    probe = envelope_diagram_new (analysis, &coarsest);
    n_blocks = envelope_diagram_get_n_blocks (probe);
    widest = widest_fan (probe);
    /* the advice needs the groups again: worked out only for a refusal */
    if (!drawable (n_blocks, widest))
      {
        refuse (path, n_blocks, widest, collapse_hint (network, analysis, &coarsest));
        return EXIT_INVALID;
      }
  }
  if (!envelope_fit_page (analysis, &diagram_options, &render_options, &goal, &page_fit, &error))
    {
      g_printerr ("envelope-cli: %s: %s\n", path, error->message);
      return EXIT_INVALID;
    }
  diagram = g_steal_pointer (&page_fit.diagram);
  layout = g_steal_pointer (&page_fit.layout);
  /* a slide's PNG is drawn at the slide's width */
  if (goal.aspect > 0 && args->scale == SCALE_NOT_GIVEN && args->dpi == NOT_GIVEN)
    export_options.scale = CLAMP (page_fit.scale, 0.01, 64);
  if (!envelope_export_to_file (diagram, layout, &render_options, &export_options, args->output, &error))
    {
      g_printerr ("envelope-cli: %s\n", error->message);
      return EXIT_INVALID;
    }
  return EXIT_OK;
}

/**
 * envelope_cli_export:
 * @argc: the whole command line's, "export" at argv[1]
 * @argv: as main() received it
 *
 * Returns: the process's exit status
 */
G_MODULE_EXPORT int
envelope_cli_export (int    argc,
                     char **argv)
{
  ExportArgs args = { .batch = NOT_GIVEN, .dpi = NOT_GIVEN, .scale = SCALE_NOT_GIVEN, .max_width = NOT_GIVEN };
  int status;

  status = run_export (&args, argc, argv);

  export_args_clear (&args);
  return status;
}
