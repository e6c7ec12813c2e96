/* envelope-canvas.c
 *
 * The canvas maps input onto a viewport and asks the renderer to draw:
 * it draws nothing of its own but the hover outline, the ports of the
 * hovered block, the selected arrow and the arrow being dragged out.
 *
 * A layout is reused while it fits the new diagram (a new setting moves
 * nothing).  A new one is made at once for small networks; for large
 * ones in a worker thread, while the old picture stays up.  A new
 * setting refreshes the diagram (envelope_diagram_refresh(): only new
 * names are measured), on the spot for a small network, in a worker
 * thread for a large one, whose old figures stay up a few frames.
 *
 * The picture is kept across frames: the renderer draws the diagram,
 * without the selection, into tiles of TILE_SIZE pixels, each kept until
 * the blocks and arrows that reach into it draw differently (their
 * signatures), or the layout, zoom or colours change.  The selection,
 * hover, selected arrow and legend are nodes of their own over the tiles,
 * kept while they stay.  So a frame in which only the table, inspector or
 * totals changed gives GTK the same canvas nodes as the frame before, and
 * it repaints none of the canvas; an edit repaints the tiles of the
 * blocks it changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-canvas"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "envelope-canvas.h"
#include "envelope-export.h"
#include "envelope-fit.h"
#include "envelope-hash.h"
#include "envelope-layer-summary.h"
#include "envelope-renderer.h"
#include "envelope-report.h"
#include "envelope-zoom-labels.h"

/* Up to this many blocks a layout is made on the spot, and up to this
 * many layers a diagram, new or refreshed with new figures. */
#define SYNC_LAYOUT_BLOCKS 600
#define SYNC_DIAGRAM_LAYERS 400
#define HIT_TOLERANCE 4.0     /* pixels */
#define PORT_RADIUS 5.0       /* pixels */
#define PORT_GRAB 10.0        /* pixels */
#define FIT_MARGIN 24.0       /* pixels */
/* World units are points: 100 % on screen is a point per 1/96 inch, so
 * the diagram's text is as large as the rest of the window's. */
#define NATURAL_ZOOM (96.0 / 72.0)
/* below this share of the natural size, a block's text no longer reads */
#define LEGIBLE_ZOOM 0.75
#define MIN_ZOOM 0.02
#define MAX_ZOOM 10.0
/* what one press of + or − zooms by */
#define ZOOM_STEP 1.25

/* The diagram is drawn in tiles of this many pixels, kept while what
 * they show stays; at most this many are kept. */
#define TILE_SIZE 128
/* Each tile's picture reaches this many pixels into its neighbours and
 * is clipped to its own square: where a renderer does not place it on
 * whole pixels (a scaled screenshot, say) and filters it, its edges show
 * the diagram, not a seam. */
#define TILE_APRON 2
#define MAX_TILES 400

typedef struct
{
  GskRenderNode *node;
  guint64 key;
  guint frame;                 /* the last frame it was shown in */
} Tile;

typedef struct
{
  GskRenderNode *node;
  guint64 key;
} Overlay;

typedef enum
{
  DRAG_NONE,
  DRAG_PAN,
  DRAG_CONNECT,
} DragMode;

struct _EnvelopeCanvas
{
  GtkWidget parent_instance;

  EnvelopeDocument *document;
  EnvelopeViewport *viewport;
  EnvelopeRenderer *renderer;

  EnvelopeDiagramOptions diagram_options;
  EnvelopeRenderOptions render_options;
  gboolean receptive_field;
  gboolean flops;                /* the tooltip's operations as FLOPs */

  EnvelopeDiagram *diagram;      /* shown, with … */
  EnvelopeLayout *layout;        /* … this layout */
  GHashTable *diagram_layers;    /* layer name → diagram layer + 1 */
  EnvelopeDiagram *pending;      /* waiting for a layout */
  GCancellable *layout_cancellable;
  GCancellable *diagram_cancellable;
  gboolean diagram_stale;        /* the network changed while a diagram was made */
  /* The level of detail and the rows are chosen, for a new network or
   * view, to fit the window's shape: */
  gboolean auto_detail;          /* the view asks for as much detail as reads */
  gboolean one_flow;             /* never wrapped: the presentation walks one column */
  guint view_collapse_depth;     /* or for this */
  gboolean fit_wanted;           /* to be chosen before anything is shown */
  gboolean fit_stale;            /* the network changed while they were chosen */
  gboolean fit_keep_depth;       /* only the rows: a group was opened or closed */
  GCancellable *fit_cancellable;
  /* groups opened or closed by hand, on top of the level of detail */
  GStrv expanded_groups;
  GStrv collapsed_groups;
  gboolean fit_pending;
  gboolean fit_legible;          /* … at a zoom where the text can be read */

  gint hover_block;
  gint drop_block;
  gboolean drop_active;

  DragMode drag_mode;
  double drag_start_x, drag_start_y;     /* widget */
  double drag_center_x, drag_center_y;   /* world, at the start */
  double drag_x, drag_y;                 /* widget, now */
  gint connect_from;                     /* block */
  double pointer_x, pointer_y;
  double zoom_gesture_scale;
  guint notify_zoom_source;

  /* The picture, kept across frames: tiles of the diagram drawn without
   * the selection, redrawn only when what they show changed; the
   * selection, hover and legend over them, each kept while it stays. */
  GHashTable *tiles;                     /* column, row → Tile */
  guint64 tiles_key;                     /* what all tiles were drawn with */
  guint frame;
  GArray *signatures;                    /* of self->diagram's blocks, 0: not yet */
  GArray *edge_signatures;
  GArray *query_blocks;                  /* scratch */
  GArray *query_edges;
  guint diagram_serial;                  /* counts the diagrams and layouts shown */
  /* when the target batch does not fit: the layers a checkpoint plan
   * recomputes, outlined; a new serial each time it changes */
  gboolean *recomputed;
  guint n_recomputed;
  guint plan_serial;
  guint layout_serial;
  Overlay selection_overlay;
  Overlay hover_overlay;
  Overlay edge_overlay;
  Overlay legend_overlay;
  Overlay zoom_labels_overlay;           /* the groups' names, zoomed out */
};

G_DEFINE_FINAL_TYPE (EnvelopeCanvas, envelope_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MESSAGE,
  VIEW_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_layout (EnvelopeCanvas *self);
static void notify_zoom (EnvelopeCanvas *self);
static void notify_zoom_later (EnvelopeCanvas *self);
static void fit (EnvelopeCanvas *self);
static gboolean has_legend (EnvelopeCanvas *self);
static void update_accessible (EnvelopeCanvas *self);

/* ------------------------------------------------------------------ */
/* Mapping between the document's layers and the diagram's blocks       */

/* The diagram was made from an analysis of an earlier copy of the
 * network, so its layer numbers are matched by name. */
static gint
diagram_layer_of (EnvelopeCanvas *self,
                  gint            document_layer)
{
  const EnvelopeNetwork *network;
  gpointer value;

  if (self->diagram == NULL || self->document == NULL || document_layer < 0)
    return -1;
  network = envelope_document_get_network (self->document);
  if ((guint) document_layer >= envelope_network_get_n_layers (network))
    return -1;
  value = g_hash_table_lookup (self->diagram_layers,
                               envelope_network_get_layer (network, (guint) document_layer)->name);
  return value ? GPOINTER_TO_INT (value) - 1 : -1;
}

static gint
block_of (EnvelopeCanvas *self,
          gint            document_layer)
{
  gint layer = diagram_layer_of (self, document_layer);

  return layer >= 0 ? envelope_diagram_find_block (self->diagram, (guint) layer) : -1;
}

static gint
document_layer_of_block (EnvelopeCanvas *self,
                         guint           block)
{
  const EnvelopeBlock *b = envelope_diagram_get_block (self->diagram, block);
  const char *name = envelope_diagram_get_layer_name (self->diagram, b->output_layer);

  return envelope_network_find_layer (envelope_document_get_network (self->document), name);
}

static void
set_shown (EnvelopeCanvas  *self,
           EnvelopeDiagram *diagram,
           EnvelopeLayout  *layout)
{
  if (diagram != self->diagram)
    {
      self->diagram_serial++;
      g_array_set_size (self->signatures, 0);
      g_array_set_size (self->edge_signatures, 0);
      g_clear_pointer (&self->diagram, envelope_diagram_unref);
      self->diagram = diagram ? envelope_diagram_ref (diagram) : NULL;
      g_hash_table_remove_all (self->diagram_layers);
      for (guint i = 0; diagram != NULL && i < envelope_diagram_get_n_layers (diagram); i++)
        g_hash_table_insert (self->diagram_layers, (gpointer) envelope_diagram_get_layer_name (diagram, i),
                             GINT_TO_POINTER (i + 1));
    }
  if (layout != self->layout)
    {
      self->layout_serial++;
      g_clear_pointer (&self->layout, envelope_layout_unref);
      self->layout = layout ? envelope_layout_ref (layout) : NULL;
    }
  self->hover_block = -1;
  if (self->fit_pending && self->layout != NULL && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    envelope_canvas_zoom_fit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_layout_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (source);
  g_autoptr(GError) error = NULL;
  EnvelopeLayout *layout = g_task_propagate_pointer (G_TASK (result), &error);
  EnvelopeDiagram *diagram = g_task_get_task_data (G_TASK (result));

  if (layout == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("The diagram cannot be laid out: %s"), error->message);
          g_clear_object (&self->layout_cancellable);
          g_signal_emit (self, signals[MESSAGE], 0, message);
        }
      return;
    }
  g_clear_object (&self->layout_cancellable);

  if (self->pending != NULL && envelope_layout_fits (layout, self->pending))
    {
      set_shown (self, self->pending, layout);
      g_clear_pointer (&self->pending, envelope_diagram_unref);
    }
  else if (self->pending != NULL)
    {
      /* The network changed again meanwhile: show what is ready, and
       * lay out the newest. */
      set_shown (self, diagram, layout);
      start_layout (self);
    }
  envelope_layout_unref (layout);
}

static void
layout_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  EnvelopeLayout *layout = envelope_layout_new (task_data, &error);

  if (layout == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, layout, (GDestroyNotify) envelope_layout_unref);
}

static void
start_layout (EnvelopeCanvas *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->layout_cancellable != NULL)
    return;   /* on_layout_ready() starts the next one */
  self->layout_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->layout_cancellable, on_layout_ready, NULL);
  g_task_set_task_data (task, envelope_diagram_ref (self->pending), (GDestroyNotify) envelope_diagram_unref);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, layout_thread);
}

static void
adopt (EnvelopeCanvas  *self,
       EnvelopeDiagram *diagram)
{
  g_autoptr(GError) error = NULL;
  EnvelopeLayout *layout;

  if (self->layout != NULL && envelope_layout_fits (self->layout, diagram))
    {
      g_clear_pointer (&self->pending, envelope_diagram_unref);
      set_shown (self, diagram, self->layout);
      return;
    }

  if (envelope_diagram_get_n_blocks (diagram) <= SYNC_LAYOUT_BLOCKS && self->layout_cancellable == NULL)
    {
      layout = envelope_layout_new (diagram, &error);
      if (layout == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The diagram cannot be laid out: %s"), error->message);
          g_signal_emit (self, signals[MESSAGE], 0, message);
          return;
        }
      g_clear_pointer (&self->pending, envelope_diagram_unref);
      set_shown (self, diagram, layout);
      envelope_layout_unref (layout);
      return;
    }

  /* Same blocks and arrows, other sizes: the new figures with the old
   * places until the new layout is ready. */
  if (self->diagram != NULL &&
      envelope_diagram_get_n_blocks (self->diagram) == envelope_diagram_get_n_blocks (diagram) &&
      envelope_diagram_get_n_edges (self->diagram) == envelope_diagram_get_n_edges (diagram))
    set_shown (self, diagram, self->layout);

  g_clear_pointer (&self->pending, envelope_diagram_unref);
  self->pending = envelope_diagram_ref (diagram);
  start_layout (self);
}

typedef struct
{
  EnvelopeAnalysed *analysed;    /* the document's analysis, shared */
  EnvelopeDiagram *previous;     /* its text measured already; NULL: a new diagram */
  EnvelopeDiagramOptions options;
  GStrv expanded;                /* the job's own copies of the options' lists */
  GStrv collapsed;
} DiagramJob;

static void
diagram_job_free (gpointer data)
{
  DiagramJob *job = data;

  envelope_analysed_unref (job->analysed);
  envelope_diagram_unref (job->previous);
  g_strfreev (job->expanded);
  g_strfreev (job->collapsed);
  g_free (job);
}

/* A large network's diagram is made, or refreshed with new figures, in
 * a worker thread from the document's own analysis: even a refresh,
 * which measures no text it measured before, walks every block, and on
 * 20,000 blocks that would hold up the typing and every frame. */
static void
diagram_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DiagramJob *job = task_data;
  const EnvelopeAnalysis *analysis = envelope_analysed_get_analysis (job->analysed);

  g_task_return_pointer (task,
                         job->previous != NULL ? envelope_diagram_refresh (job->previous, analysis, &job->options)
                                               : envelope_diagram_new (analysis, &job->options),
                         (GDestroyNotify) envelope_diagram_unref);
}

static void start_diagram (EnvelopeCanvas  *self,
                           EnvelopeDiagram *previous);
static void start_fit (EnvelopeCanvas *self);
static void reveal_selection (EnvelopeCanvas *self);
static void forget_groups (EnvelopeCanvas *self);
static gboolean toggle_group (EnvelopeCanvas *self,
                              guint           block);
static void update_render_options (EnvelopeCanvas *self);
static double legend_height (EnvelopeCanvas *self);
static double legend_card_height (EnvelopeCanvas *self);

static void
on_diagram_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(EnvelopeDiagram) diagram = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->diagram_cancellable);
  if (diagram != NULL)
    adopt (self, diagram);
  /* the network changed meanwhile: its figures on what is there now */
  if (self->diagram_stale)
    start_diagram (self, self->pending != NULL ? self->pending : self->diagram);
}

/* @previous: the diagram shown (or waiting for its layout), to refresh;
 * NULL for a new one. */
static void
start_diagram (EnvelopeCanvas  *self,
               EnvelopeDiagram *previous)
{
  g_autoptr(GTask) task = NULL;
  EnvelopeAnalysed *analysed = envelope_document_ref_analysed (self->document);
  DiagramJob *job;

  self->diagram_stale = FALSE;
  if (analysed == NULL)
    return;
  job = g_new0 (DiagramJob, 1);
  job->analysed = analysed;
  job->previous = previous != NULL ? envelope_diagram_ref (previous) : NULL;
  job->options = self->diagram_options;
  job->expanded = g_strdupv ((GStrv) self->diagram_options.expanded);
  job->collapsed = g_strdupv ((GStrv) self->diagram_options.collapsed);
  job->options.expanded = (const char * const *) job->expanded;
  job->options.collapsed = (const char * const *) job->collapsed;
  self->diagram_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->diagram_cancellable, on_diagram_ready, NULL);
  g_task_set_task_data (task, job, diagram_job_free);
  g_task_run_in_thread (task, diagram_thread);
}

static void
rebuild (EnvelopeCanvas *self)
{
  const EnvelopeAnalysis *analysis = self->document ? envelope_document_get_analysis (self->document) : NULL;
  g_autoptr(EnvelopeDiagram) diagram = NULL;
  EnvelopeDiagram *previous;

  if (analysis == NULL)
    {
      set_shown (self, NULL, NULL);
      return;
    }
  if (self->fit_wanted)
    {
      if (self->fit_cancellable != NULL)
        self->fit_stale = TRUE;   /* on_fit_ready() refreshes */
      else
        start_fit (self);
      return;
    }
  /* A large network's diagram is made or refreshed off the main thread,
   * one at a time: the latest network's once the one under way is in. */
  previous = self->pending != NULL ? self->pending : self->diagram;
  if (envelope_analysis_get_n_layers (analysis) > SYNC_DIAGRAM_LAYERS)
    {
      if (self->diagram_cancellable != NULL)
        self->diagram_stale = TRUE;   /* on_diagram_ready() starts the next */
      else
        start_diagram (self, previous);
      return;
    }
  /* A diagram shown (or waiting for its layout) has its text measured
   * already: refreshing its figures is quick. */
  if (previous != NULL && self->diagram_cancellable == NULL)
    {
      diagram = envelope_diagram_refresh (previous, analysis, &self->diagram_options);
      adopt (self, diagram);
      return;
    }
  diagram = envelope_diagram_new (analysis, &self->diagram_options);
  adopt (self, diagram);
}

/* ---- the detail and the rows that fit the window ---- */

typedef struct
{
  EnvelopeAnalysed *analysed;  /* the document's analysis, shared */
  EnvelopeDiagramOptions options;
  GStrv expanded;              /* the job's own copies of the options' lists */
  GStrv collapsed;
  EnvelopeRenderOptions render_options;
  EnvelopeFitGoal goal;
} FitJob;

static void
fit_job_free (gpointer data)
{
  FitJob *job = data;

  envelope_analysed_unref (job->analysed);
  g_strfreev (job->expanded);
  g_strfreev (job->collapsed);
  g_free (job);
}

static void
page_fit_free (gpointer data)
{
  EnvelopePageFit *fit = data;

  envelope_page_fit_clear (fit);
  g_free (fit);
}

static void
fit_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  FitJob *job = task_data;
  GError *error = NULL;
  EnvelopePageFit *fit = g_new0 (EnvelopePageFit, 1);

  if (!envelope_fit_page (envelope_analysed_get_analysis (job->analysed), &job->options, &job->render_options,
                          &job->goal, fit, &error))
    {
      g_free (fit);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, fit, page_fit_free);
}

/* Runs of the same blocks are folded where the view leaves the detail
 * open or collapses groups; a plain chain's runs are then its groups,
 * as a slide shows them. */
static void
set_folding (EnvelopeCanvas         *self,
             EnvelopeDiagramOptions *options)
{
  options->fold_repeats = self->auto_detail || self->view_collapse_depth > 0;
  options->groups = options->fold_repeats ? ENVELOPE_GROUPS_RUNS : ENVELOPE_GROUPS_DEFAULT;
}

static void
on_fit_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (source);
  g_autoptr(GError) error = NULL;
  EnvelopePageFit *fit = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean keep_depth;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->fit_cancellable);
  self->fit_wanted = FALSE;
  keep_depth = self->fit_keep_depth;
  self->fit_keep_depth = FALSE;
  if (fit == NULL)
    {
      /* shown as asked, in one row */
      if (!keep_depth)
        self->diagram_options.collapse_depth = self->auto_detail ? 0 : self->view_collapse_depth;
      self->diagram_options.wrap = 0;
      rebuild (self);
      return;
    }
  self->diagram_options.collapse_depth = fit->collapse_depth;
  self->diagram_options.wrap = fit->wrap;
  set_folding (self, &self->diagram_options);
  if (self->fit_stale)
    {
      self->fit_stale = FALSE;
      rebuild (self);
    }
  else
    {
      g_cancellable_cancel (self->layout_cancellable);
      g_clear_object (&self->layout_cancellable);
      g_clear_pointer (&self->pending, envelope_diagram_unref);
      set_shown (self, fit->diagram, fit->layout);
    }
  /* a group opened or closed: the selection stays in view */
  if (keep_depth)
    reveal_selection (self);
  page_fit_free (fit);
}

/* Chooses, off the main thread, the level of detail (when the view
 * leaves it open) and the rows that show the whole network in the
 * window's shape with text that reads. */
static void
start_fit (EnvelopeCanvas *self)
{
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  g_autoptr(GTask) task = NULL;
  double width, height;
  FitJob *job;

  envelope_viewport_get_size (self->viewport, &width, &height);
  if (analysis == NULL || width <= 0 || height <= 0)
    return;   /* envelope_canvas_size_allocate() starts it */
  g_cancellable_cancel (self->fit_cancellable);
  g_clear_object (&self->fit_cancellable);
  self->fit_stale = FALSE;

  job = g_new0 (FitJob, 1);
  job->analysed = envelope_document_ref_analysed (self->document);
  job->options = self->diagram_options;
  job->expanded = g_strdupv (self->expanded_groups);
  job->collapsed = g_strdupv (self->collapsed_groups);
  job->options.expanded = (const char * const *) job->expanded;
  job->options.collapsed = (const char * const *) job->collapsed;
  if (!self->fit_keep_depth)
    job->options.collapse_depth = self->auto_detail ? 0 : self->view_collapse_depth;
  job->options.wrap = 0;
  set_folding (self, &job->options);
  update_render_options (self);
  job->render_options = self->render_options;
  job->render_options.show_title = job->render_options.show_legend = job->render_options.show_totals = FALSE;
  job->render_options.recomputed = NULL;
  envelope_fit_goal_init (&job->goal);
  /* the room above the legend, at the zoom where text still reads */
  job->goal.aspect = CLAMP (width / MAX (height - legend_height (self), height / 2), 0.25, 8);
  job->goal.max_width = width;
  job->goal.min_text = 7.5 * NATURAL_ZOOM * LEGIBLE_ZOOM;
  /* a group opened or closed keeps the zoom: rows as wide as the view
   * at that zoom, where it reads */
  if (self->fit_keep_depth)
    job->goal.min_text = MAX (job->goal.min_text, 7.5 * MIN (envelope_viewport_get_zoom (self->viewport), NATURAL_ZOOM));
  job->goal.fixed_detail = !self->auto_detail || self->fit_keep_depth;
  /* what does not read in the window's shape is folded to its width and
   * scrolled through, not cut at its right edge */
  job->goal.scrolls = TRUE;
  if (self->one_flow)
    job->goal.aspect = 0;

  self->fit_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->fit_cancellable, on_fit_ready, NULL);
  g_task_set_task_data (task, job, fit_job_free);
  g_task_run_in_thread (task, fit_thread);
}

/* A new network or view: the detail and rows are chosen anew. */
static void
request_fit (EnvelopeCanvas *self)
{
  self->fit_wanted = TRUE;
  self->fit_pending = TRUE;
  self->fit_legible = TRUE;
  rebuild (self);
}

/* The checkpoint plan for a target batch beyond the GPU, as PyTorch
 * spends memory; only then, for it walks the step once per block. */
static void
update_plan (EnvelopeCanvas *self)
{
  const EnvelopeAnalysis *analysis = self->document ? envelope_document_get_analysis (self->document) : NULL;
  g_autoptr(EnvelopeCheckpointPlan) plan = NULL;
  g_autofree gboolean *recomputed = NULL;
  guint n = 0;

  if (analysis != NULL && envelope_analysis_get_memory (analysis)->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      const EnvelopeFit *fit = envelope_analysis_get_fit (analysis);
      guint64 budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;

      if (budget > 0 && fit->target_batch > fit->max_batch)
        plan = envelope_analysis_plan_checkpoints (analysis, fit->target_batch, budget, NULL);
    }
  if (plan != NULL && plan->fits && !plan->fits_plain)
    {
      n = envelope_analysis_get_n_layers (analysis);
      recomputed = g_new0 (gboolean, MAX (n, 1));
      for (guint b = 0; b < plan->blocks->len; b++)
        {
          const EnvelopeCheckpointBlock *block = &g_array_index (plan->blocks, EnvelopeCheckpointBlock, b);
          for (guint i = block->first; block->chosen && i <= block->last; i++)
            recomputed[i] = TRUE;
        }
    }
  if (n == self->n_recomputed && (n == 0 || memcmp (recomputed, self->recomputed, n * sizeof (gboolean)) == 0))
    return;
  g_free (self->recomputed);
  self->recomputed = g_steal_pointer (&recomputed);
  self->n_recomputed = n;
  self->plan_serial++;
}

static void
update_render_options (EnvelopeCanvas *self)
{
  gint selected = self->document ? envelope_document_get_selected_layer (self->document) : -1;

  /* the plan's layers are the network's; a diagram of another one shows none */
  self->render_options.recomputed = self->diagram != NULL &&
                                    envelope_diagram_get_n_layers (self->diagram) == self->n_recomputed
                                    ? self->recomputed : NULL;

  self->render_options.selected_block = block_of (self, selected);
  self->render_options.receptive_field = self->receptive_field;
  self->render_options.receptive_field_layer = self->receptive_field ? diagram_layer_of (self, selected) : -1;
  self->render_options.theme = adw_style_manager_get_dark (adw_style_manager_get_default ())
                               ? ENVELOPE_THEME_DARK : ENVELOPE_THEME_LIGHT;
}

static void
on_document_changed (EnvelopeDocument *document,
                     guint             change,
                     EnvelopeCanvas   *self)
{
  if (change & ENVELOPE_CHANGE_FILE)
    {
      /* Another network: start from a clean slate and fit it. */
      g_cancellable_cancel (self->layout_cancellable);
      g_clear_object (&self->layout_cancellable);
      g_cancellable_cancel (self->diagram_cancellable);
      g_clear_object (&self->diagram_cancellable);
      g_clear_pointer (&self->pending, envelope_diagram_unref);
      g_cancellable_cancel (self->fit_cancellable);
      g_clear_object (&self->fit_cancellable);
      forget_groups (self);
      set_shown (self, NULL, NULL);
      self->fit_wanted = TRUE;
      self->fit_pending = TRUE;
      self->fit_legible = TRUE;
    }
  if (change & (ENVELOPE_CHANGE_FIGURES | ENVELOPE_CHANGE_STRUCTURE | ENVELOPE_CHANGE_TRAINING | ENVELOPE_CHANGE_FILE))
    {
      update_plan (self);
      rebuild (self);
      update_accessible (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}


/* The diagram tells a screen reader which layer is selected, and what
 * its block shows. */
static void
update_accessible (EnvelopeCanvas *self)
{
  gint selected = self->document ? envelope_document_get_selected_layer (self->document) : -1;
  g_autofree char *summary = NULL;

  if (selected >= 0)
    summary = envelope_layer_summary_for_document (self->document, (guint) selected);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  summary ? summary : _("No layer selected; the arrow keys select one"), -1);
}

/* The selected block, when out of view or under the legend, is centred. */
static void
reveal_selection (EnvelopeCanvas *self)
{
  gint block = block_of (self, self->document ? envelope_document_get_selected_layer (self->document) : -1);
  EnvelopeRect rect, visible;

  if (block >= 0 && self->layout != NULL && !self->fit_pending && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    {
      envelope_layout_get_block_rect (self->layout, (guint) block, &rect);
      envelope_viewport_get_visible (self->viewport, &visible);
      update_render_options (self);
      visible.height -= envelope_viewport_pixels_to_world (self->viewport, legend_height (self));
      /* each axis moved only when the block is out of view along it, so
       * that walking down a column keeps the band beside it in view */
      {
        double cx, cy;
        gboolean out_x = rect.x < visible.x || rect.x + rect.width > visible.x + visible.width;
        gboolean out_y = rect.y < visible.y || rect.y + rect.height > visible.y + visible.height;

        envelope_viewport_get_center (self->viewport, &cx, &cy);
        if (out_x || out_y)
          envelope_viewport_set_center (self->viewport, out_x ? rect.x + rect.width / 2 : cx,
                                        out_y ? rect.y + rect.height / 2 : cy);
      }
    }
}

/* A layer selected elsewhere (the table, say) is brought into view. */
static void
on_selection_changed (EnvelopeDocument *document,
                      EnvelopeCanvas   *self)
{
  reveal_selection (self);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 EnvelopeCanvas  *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void
block_ports (EnvelopeCanvas *self,
             guint           block,
             EnvelopePoint  *input,
             EnvelopePoint  *output)
{
  EnvelopeRect rect;

  envelope_layout_get_block_rect (self->layout, block, &rect);
  if (envelope_layout_get_direction (self->layout) == ENVELOPE_DIRECTION_TOP_BOTTOM)
    {
      input->x = output->x = rect.x + rect.width / 2;
      input->y = rect.y;
      output->y = rect.y + rect.height;
    }
  else
    {
      input->y = output->y = rect.y + rect.height / 2;
      input->x = rect.x;
      output->x = rect.x + rect.width;
    }
}

static void
rounded_rect (cairo_t            *cr,
              const EnvelopeRect *r,
              double              radius)
{
  radius = MIN (radius, MIN (r->width, r->height) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, r->x + r->width - radius, r->y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, r->x + r->width - radius, r->y + r->height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, r->x + radius, r->y + r->height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, r->x + radius, r->y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
accent_color (cairo_t *cr,
              double   alpha)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  if (dark)
    cairo_set_source_rgba (cr, 0x78 / 255.0, 0xae / 255.0, 0xed / 255.0, alpha);
  else
    cairo_set_source_rgba (cr, 0x1c / 255.0, 0x71 / 255.0, 0xd8 / 255.0, alpha);
}

static void
draw_port (cairo_t             *cr,
           const EnvelopePoint *p,
           double               radius,
           double               line)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, p->x, p->y, radius, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  accent_color (cr, 1.0);
  cairo_set_line_width (cr, line);
  cairo_stroke (cr);
}

/* The hover or drop outline and the hovered block's ports, in world
 * units; what it covers in @extents. */
static gboolean
hover_extents (EnvelopeCanvas *self,
               EnvelopeRect   *extents)
{
  double px = envelope_viewport_pixels_to_world (self->viewport, 1.0);
  gint block = self->drop_active ? self->drop_block : self->hover_block;

  if (block < 0 || (guint) block >= envelope_layout_get_n_blocks (self->layout))
    return FALSE;
  envelope_layout_get_block_rect (self->layout, (guint) block, extents);
  envelope_rect_inflate (extents, (PORT_RADIUS + 6) * px, (PORT_RADIUS + 6) * px);
  return TRUE;
}

static void
draw_hover (EnvelopeCanvas *self,
            cairo_t        *cr)
{
  double px = envelope_viewport_pixels_to_world (self->viewport, 1.0);
  guint block = (guint) (self->drop_active ? self->drop_block : self->hover_block);
  EnvelopeRect rect;

  envelope_layout_get_block_rect (self->layout, block, &rect);
  envelope_rect_inflate (&rect, 3 * px, 3 * px);
  rounded_rect (cr, &rect, 6 * px);
  accent_color (cr, self->drop_active ? 0.9 : 0.55);
  cairo_set_line_width (cr, 2 * px);
  cairo_stroke (cr);

  if (!self->drop_active)
    {
      EnvelopePoint input, output;

      block_ports (self, block, &input, &output);
      if (!envelope_diagram_get_block (self->diagram, block)->is_input)
        draw_port (cr, &input, PORT_RADIUS * px, 1.5 * px);
      draw_port (cr, &output, PORT_RADIUS * px, 1.5 * px);
    }
}

/* The diagram's edge from the block of layer @from to that of @to. */
static gint
selected_edge (EnvelopeCanvas *self)
{
  guint from, to;
  gint a, b;

  if (!envelope_document_get_selected_edge (self->document, &from, &to))
    return -1;
  a = block_of (self, (gint) from);
  b = block_of (self, (gint) to);
  for (guint e = 0; a >= 0 && b >= 0 && e < envelope_diagram_get_n_edges (self->diagram); e++)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (self->diagram, e);

      if (edge->from == (guint) a && edge->to == (guint) b && e < envelope_layout_get_n_edges (self->layout) &&
          envelope_layout_get_edge (self->layout, e)->n_points >= 4)
        return (gint) e;
    }
  return -1;
}

static void
draw_selected_edge (EnvelopeCanvas *self,
                    cairo_t        *cr,
                    guint           edge)
{
  const EnvelopeEdgeGeometry *geometry = envelope_layout_get_edge (self->layout, edge);
  double px = envelope_viewport_pixels_to_world (self->viewport, 1.0);

  cairo_move_to (cr, geometry->points[0].x, geometry->points[0].y);
  for (guint i = 1; i + 2 < geometry->n_points; i += 3)
    cairo_curve_to (cr, geometry->points[i].x, geometry->points[i].y,
                    geometry->points[i + 1].x, geometry->points[i + 1].y,
                    geometry->points[i + 2].x, geometry->points[i + 2].y);
  accent_color (cr, 0.85);
  cairo_set_line_width (cr, 4 * px);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke (cr);
}

/* The arrow being dragged out of a block. */
static void
connect_extents (EnvelopeCanvas *self,
                 EnvelopeRect   *extents)
{
  double px = envelope_viewport_pixels_to_world (self->viewport, 1.0);
  EnvelopePoint input, output;
  double wx, wy;

  block_ports (self, (guint) self->connect_from, &input, &output);
  envelope_viewport_widget_to_world (self->viewport, self->drag_x, self->drag_y, &wx, &wy);
  extents->x = MIN (output.x, wx);
  extents->y = MIN (output.y, wy);
  extents->width = fabs (output.x - wx);
  extents->height = fabs (output.y - wy);
  envelope_rect_inflate (extents, (PORT_RADIUS + 4) * px, (PORT_RADIUS + 4) * px);
}

static void
draw_connect (EnvelopeCanvas *self,
              cairo_t        *cr)
{
  double px = envelope_viewport_pixels_to_world (self->viewport, 1.0);
  EnvelopePoint input, output;
  double wx, wy;

  block_ports (self, (guint) self->connect_from, &input, &output);
  envelope_viewport_widget_to_world (self->viewport, self->drag_x, self->drag_y, &wx, &wy);
  cairo_move_to (cr, output.x, output.y);
  cairo_line_to (cr, wx, wy);
  accent_color (cr, 0.9);
  cairo_set_line_width (cr, 2 * px);
  cairo_set_dash (cr, (double[]) { 6 * px, 4 * px }, 2, 0);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  draw_port (cr, &output, PORT_RADIUS * px, 1.5 * px);
}

/* ---- the picture, kept ---- */

static void
tile_free (gpointer data)
{
  Tile *tile = data;

  g_clear_pointer (&tile->node, gsk_render_node_unref);
  g_free (tile);
}

static void
overlay_clear (Overlay *overlay)
{
  g_clear_pointer (&overlay->node, gsk_render_node_unref);
  overlay->key = 0;
}

/* What every tile depends on: the layout, the zoom, the scale, and the
 * render options but for the selection.  The receptive-field overlay
 * spans the whole diagram: with it, every new diagram is new all over. */
static guint64
tiles_key (EnvelopeCanvas *self,
           double          zoom,
           int             scale)
{
  struct
  {
    guint layout_serial;
    guint diagram_serial;
    guint plan_serial;
    int scale;
    double zoom;
    EnvelopeRenderOptions options;
  } state;

  memset (&state, 0, sizeof state);
  state.layout_serial = self->layout_serial;
  state.plan_serial = self->plan_serial;
  state.diagram_serial = self->render_options.receptive_field ? self->diagram_serial : 0;
  state.scale = scale;
  state.zoom = zoom;
  state.options = self->render_options;
  state.options.selected_block = -1;
  if (!state.options.receptive_field)
    state.options.receptive_field_layer = -1;
  return envelope_hash_bytes (ENVELOPE_HASH_START, &state, sizeof state);
}

static guint64
signature (GArray  *cache,
           guint    length,
           guint    index,
           guint64 (*compute) (EnvelopeCanvas *self, guint index),
           EnvelopeCanvas *self)
{
  guint64 *value;

  if (cache->len != length)
    {
      g_array_set_size (cache, 0);
      g_array_set_size (cache, length);
    }
  value = &g_array_index (cache, guint64, index);
  if (*value == 0)
    *value = compute (self, index) | 1;
  return *value;
}

static guint64
compute_block_signature (EnvelopeCanvas *self,
                         guint           index)
{
  return envelope_render_get_block_signature (self->diagram, &self->render_options, index);
}

static guint64
compute_edge_signature (EnvelopeCanvas *self,
                        guint           index)
{
  return envelope_render_get_edge_signature (self->diagram, index);
}

/* What a tile shows: the blocks and arrows that reach into it. */
static guint64
tile_key (EnvelopeCanvas     *self,
          const EnvelopeRect *world)
{
  EnvelopeRect area = *world;
  guint64 hash = ENVELOPE_HASH_START;
  guint n_blocks = envelope_diagram_get_n_blocks (self->diagram);
  guint n_edges = envelope_diagram_get_n_edges (self->diagram);

  /* as the renderer looks: labels and arrow heads reach a little
   * beyond their owner */
  envelope_rect_inflate (&area, 8, 8);
  g_array_set_size (self->query_blocks, 0);
  g_array_set_size (self->query_edges, 0);
  envelope_layout_query (self->layout, &area, self->query_blocks, self->query_edges);
  for (guint k = 0; k < self->query_blocks->len; k++)
    {
      guint b = g_array_index (self->query_blocks, guint, k);
      guint64 pair[2] = { b, signature (self->signatures, n_blocks, b, compute_block_signature, self) };

      hash = envelope_hash_bytes (hash, pair, sizeof pair);
    }
  for (guint k = 0; k < self->query_edges->len; k++)
    {
      guint e = g_array_index (self->query_edges, guint, k);
      guint64 pair[2] = { e, signature (self->edge_signatures, n_edges, e, compute_edge_signature, self) };

      hash = envelope_hash_bytes (hash, pair, sizeof pair);
    }
  return hash;
}

/* Tile (@column, @row) covers [column, column + 1) × TILE_SIZE pixels
 * of the diagram at @zoom, from the world's origin, and its apron. */
static void
tile_area (int           column,
           int           row,
           double        zoom,
           EnvelopeRect *world)
{
  world->x = (column * TILE_SIZE - TILE_APRON) / zoom;
  world->y = (row * TILE_SIZE - TILE_APRON) / zoom;
  world->width = world->height = (TILE_SIZE + 2 * TILE_APRON) / zoom;
}

/* A tile is a Cairo node that paints an image of the tile: GTK 4.8's
 * Cairo renderer converts a texture to floats and back on every frame
 * it draws it (gdk_memory_convert() has no path for a texture already in
 * the screen's format), which for a canvas of tiles is most of a frame;
 * an image painted from a Cairo node is a plain copy. */
static GskRenderNode *
draw_tile (EnvelopeCanvas *self,
           int             column,
           int             row,
           double          zoom,
           int             scale)
{
  int size = (TILE_SIZE + 2 * TILE_APRON) * scale;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  EnvelopeRect visible;
  GskRenderNode *node;
  cairo_t *cr = cairo_create (surface);
  EnvelopeRenderOptions options = self->render_options;

  tile_area (column, row, zoom, &visible);
  /* the selection goes over the tiles */
  options.selected_block = -1;
  cairo_scale (cr, scale * zoom, scale * zoom);
  cairo_translate (cr, -visible.x, -visible.y);
  envelope_renderer_draw (self->renderer, cr, self->diagram, self->layout, &options, &visible, zoom);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_set_device_scale (surface, scale, scale);

  node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (column * TILE_SIZE - TILE_APRON, row * TILE_SIZE - TILE_APRON,
                                                  TILE_SIZE + 2 * TILE_APRON, TILE_SIZE + 2 * TILE_APRON));
  cr = gsk_cairo_node_get_draw_context (node);
  cairo_set_source_surface (cr, surface, column * TILE_SIZE - TILE_APRON, row * TILE_SIZE - TILE_APRON);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return node;
}

/* A node drawn by @draw over @extents (world units), kept in @overlay
 * while @key stays. */
static void
append_overlay (EnvelopeCanvas     *self,
                GtkSnapshot        *snapshot,
                Overlay            *overlay,
                guint64             key,
                const EnvelopeRect *extents,
                double              zoom,
                void              (*draw) (EnvelopeCanvas *self, cairo_t *cr, gpointer data),
                gpointer            data)
{
  if (overlay->node == NULL || overlay->key != key)
    {
      graphene_rect_t bounds;
      cairo_t *cr;

      bounds.origin.x = floor (extents->x * zoom);
      bounds.origin.y = floor (extents->y * zoom);
      bounds.size.width = ceil ((extents->x + extents->width) * zoom) - bounds.origin.x;
      bounds.size.height = ceil ((extents->y + extents->height) * zoom) - bounds.origin.y;
      g_clear_pointer (&overlay->node, gsk_render_node_unref);
      overlay->node = gsk_cairo_node_new (&bounds);
      overlay->key = key;
      cr = gsk_cairo_node_get_draw_context (overlay->node);
      cairo_scale (cr, zoom, zoom);
      draw (self, cr, data);
      cairo_destroy (cr);
    }
  gtk_snapshot_append_node (snapshot, overlay->node);
}

static void
draw_selection_cb (EnvelopeCanvas *self,
                   cairo_t        *cr,
                   gpointer        data)
{
  envelope_renderer_draw_selection (self->renderer, cr, self->diagram, self->layout, &self->render_options,
                                    GPOINTER_TO_UINT (data));
}

static void
draw_hover_cb (EnvelopeCanvas *self,
               cairo_t        *cr,
               gpointer        data)
{
  draw_hover (self, cr);
}

static void
draw_selected_edge_cb (EnvelopeCanvas *self,
                       cairo_t        *cr,
                       gpointer        data)
{
  draw_selected_edge (self, cr, GPOINTER_TO_UINT (data));
}

static void
draw_connect_cb (EnvelopeCanvas *self,
                 cairo_t        *cr,
                 gpointer        data)
{
  draw_connect (self, cr);
}

static guint64
overlay_key (EnvelopeCanvas *self,
             gint            what,
             double          zoom)
{
  struct
  {
    guint layout_serial;
    gint what;
    gboolean drop;
    gboolean dark;
    double zoom;
  } state;

  memset (&state, 0, sizeof state);
  state.layout_serial = self->layout_serial;
  state.what = what;
  state.drop = self->drop_active;
  state.dark = self->render_options.theme == ENVELOPE_THEME_DARK;
  state.zoom = zoom;
  return envelope_hash_bytes (ENVELOPE_HASH_START, &state, sizeof state);
}

/* The diagram, in tiles, with the selection and the interaction over
 * it: in a frame where the diagram did not change, every node is the
 * one of the frame before, so GTK repaints none of the canvas. */
static void
snapshot_diagram (EnvelopeCanvas *self,
                  GtkSnapshot    *snapshot,
                  double          width,
                  double          height)
{
  double zoom = envelope_viewport_get_zoom (self->viewport);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  guint64 key = tiles_key (self, zoom, scale);
  GHashTableIter iter;
  gpointer value;
  double ox, oy;
  int first_column, last_column, first_row, last_row;
  gint edge;
  EnvelopeRect extents;

  if (key != self->tiles_key)
    {
      g_hash_table_remove_all (self->tiles);
      g_array_set_size (self->signatures, 0);
      g_array_set_size (self->edge_signatures, 0);
      self->tiles_key = key;
    }
  self->frame++;

  /* whole pixels, so that the tiles fall on the screen's pixels */
  envelope_viewport_world_to_widget (self->viewport, 0, 0, &ox, &oy);
  ox = round (ox);
  oy = round (oy);
  first_column = (int) floor (-ox / TILE_SIZE);
  last_column = (int) floor ((width - ox - 1) / TILE_SIZE);
  first_row = (int) floor (-oy / TILE_SIZE);
  last_row = (int) floor ((height - oy - 1) / TILE_SIZE);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  for (int row = first_row; row <= last_row; row++)
    for (int column = first_column; column <= last_column; column++)
      {
        gint64 position = (gint64) (((guint64) (guint32) row << 32) | (guint32) column);
        EnvelopeRect world;
        guint64 content;

        tile_area (column, row, zoom, &world);
        content = tile_key (self, &world);
        Tile *tile = g_hash_table_lookup (self->tiles, &position);

        if (self->query_blocks->len == 0 && self->query_edges->len == 0 && !self->render_options.receptive_field)
          continue;   /* nothing there */
        if (tile == NULL)
          {
            gint64 *k = g_new (gint64, 1);

            *k = position;
            tile = g_new0 (Tile, 1);
            g_hash_table_insert (self->tiles, k, tile);
          }
        if (tile->node == NULL || tile->key != content)
          {
            g_clear_pointer (&tile->node, gsk_render_node_unref);
            tile->node = draw_tile (self, column, row, zoom, scale);
            tile->key = content;
          }
        tile->frame = self->frame;
        gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (column * TILE_SIZE, row * TILE_SIZE, TILE_SIZE, TILE_SIZE));
        gtk_snapshot_append_node (snapshot, tile->node);
        gtk_snapshot_pop (snapshot);
      }

  if (self->render_options.selected_block >= 0)
    {
      guint block = (guint) self->render_options.selected_block;

      envelope_renderer_get_selection_extents (self->diagram, self->layout, block, &extents);
      append_overlay (self, snapshot, &self->selection_overlay, overlay_key (self, (gint) block, zoom), &extents,
                      zoom, draw_selection_cb, GUINT_TO_POINTER (block));
    }
  else
    overlay_clear (&self->selection_overlay);

  edge = selected_edge (self);
  if (edge >= 0)
    {
      extents = envelope_layout_get_edge (self->layout, (guint) edge)->bounds;
      envelope_rect_inflate (&extents, envelope_viewport_pixels_to_world (self->viewport, 4),
                             envelope_viewport_pixels_to_world (self->viewport, 4));
      append_overlay (self, snapshot, &self->edge_overlay, overlay_key (self, edge, zoom), &extents,
                      zoom, draw_selected_edge_cb, GINT_TO_POINTER (edge));
    }
  else
    overlay_clear (&self->edge_overlay);

  if (hover_extents (self, &extents))
    append_overlay (self, snapshot, &self->hover_overlay,
                    overlay_key (self, self->drop_active ? self->drop_block : self->hover_block, zoom),
                    &extents, zoom, draw_hover_cb, NULL);
  else
    overlay_clear (&self->hover_overlay);

  if (self->drag_mode == DRAG_CONNECT && self->connect_from >= 0)
    {
      Overlay connect = { 0 };

      connect_extents (self, &extents);
      append_overlay (self, snapshot, &connect, 0, &extents, zoom, draw_connect_cb, NULL);
      overlay_clear (&connect);
    }
  gtk_snapshot_restore (snapshot);

  /* Tiles out of sight go when there are many. */
  if (g_hash_table_size (self->tiles) > MAX_TILES)
    {
      g_hash_table_iter_init (&iter, self->tiles);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (((Tile *) value)->frame != self->frame)
          g_hash_table_iter_remove (&iter);
    }
}

static void
draw_legend_cb (EnvelopeCanvas *self,
                cairo_t        *cr,
                gpointer        data)
{
  const double *size = data;
  double lw, lh, max_width = size[2];
  EnvelopeColor background;
  EnvelopeRect card;

  envelope_theme_get_background (self->render_options.theme, &background);
  envelope_renderer_get_legend_size (self->renderer, self->diagram, &self->render_options, max_width, &lw, &lh);
  card = (EnvelopeRect) { 12, size[1] - (lh + 12) * NATURAL_ZOOM - 12,
                          (lw + 12) * NATURAL_ZOOM, (lh + 12) * NATURAL_ZOOM };
  rounded_rect (cr, &card, 8);
  cairo_set_source_rgba (cr, background.red, background.green, background.blue, 0.92);
  cairo_fill (cr);
  cairo_save (cr);
  cairo_translate (cr, card.x + 6 * NATURAL_ZOOM, card.y + 6 * NATURAL_ZOOM);
  cairo_scale (cr, NATURAL_ZOOM, NATURAL_ZOOM);
  envelope_renderer_draw_legend (self->renderer, cr, self->diagram, &self->render_options, 0, 0, max_width);
  cairo_restore (cr);
}

static void
draw_zoom_labels_cb (EnvelopeCanvas *self,
                     cairo_t        *cr,
                     gpointer        data)
{
  envelope_zoom_labels_draw (cr, data, self->render_options.theme);
}

/* The groups' names over the view above the legend (shown whenever
 * they are), laid out again only when the view moves. */
static void
append_zoom_labels (EnvelopeCanvas *self,
                    GtkSnapshot    *snapshot,
                    double          width,
                    double          height)
{
  EnvelopeRect view = { 0, 0, width, MAX (height - legend_card_height (self), height / 2) };
  g_autoptr(GArray) labels = NULL;
  struct
  {
    guint diagram_serial;
    guint layout_serial;
    gboolean dark;
    double zoom, x, y, width, height;
  } state;
  guint64 key;

  memset (&state, 0, sizeof state);
  state.diagram_serial = self->diagram_serial;
  state.layout_serial = self->layout_serial;
  state.dark = self->render_options.theme == ENVELOPE_THEME_DARK;
  state.zoom = envelope_viewport_get_zoom (self->viewport);
  envelope_viewport_world_to_widget (self->viewport, 0, 0, &state.x, &state.y);
  state.width = width;
  state.height = view.height;
  key = envelope_hash_bytes (ENVELOPE_HASH_START, &state, sizeof state);
  if (self->zoom_labels_overlay.node == NULL || self->zoom_labels_overlay.key != key)
    labels = envelope_zoom_labels_new (self->diagram, self->layout, &view, state.zoom, state.x, state.y);
  append_overlay (self, snapshot, &self->zoom_labels_overlay, key, &view, 1.0, draw_zoom_labels_cb, labels);
}

static void
envelope_canvas_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  EnvelopeColor background;
  gboolean zoomed_out;

  update_render_options (self);
  envelope_theme_get_background (self->render_options.theme, &background);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { background.red, background.green, background.blue, 1.0 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->diagram == NULL || self->layout == NULL)
    {
      g_hash_table_remove_all (self->tiles);
      return;
    }
  snapshot_diagram (self, snapshot, width, height);

  /* Too far out for a block's own text: the groups' names take over,
   * and the legend says what the colours are. */
  zoomed_out = envelope_zoom_labels_wanted (envelope_viewport_get_zoom (self->viewport));
  if (zoomed_out)
    append_zoom_labels (self, snapshot, width, height);
  else
    overlay_clear (&self->zoom_labels_overlay);

  /* The legend, at the size of the window's own text. */
  if (has_legend (self) || zoomed_out)
    {
      double size[3] = { width, height, MIN (width - 24, 480) / NATURAL_ZOOM };
      double lw, lh;
      EnvelopeRect card;
      guint64 key;
      struct
      {
        guint diagram_serial;
        double size[3];
        EnvelopeRenderOptions options;
      } state;

      memset (&state, 0, sizeof state);
      state.diagram_serial = self->diagram_serial;
      memcpy (state.size, size, sizeof size);
      state.options = self->render_options;
      state.options.selected_block = -1;
      key = envelope_hash_bytes (ENVELOPE_HASH_START, &state, sizeof state);
      envelope_renderer_get_legend_size (self->renderer, self->diagram, &self->render_options, size[2], &lw, &lh);
      card = (EnvelopeRect) { 12, height - (lh + 12) * NATURAL_ZOOM - 12,
                              (lw + 12) * NATURAL_ZOOM, (lh + 12) * NATURAL_ZOOM };
      envelope_rect_inflate (&card, 1, 1);
      append_overlay (self, snapshot, &self->legend_overlay, key, &card, 1.0, draw_legend_cb, size);
    }
  else
    overlay_clear (&self->legend_overlay);
  g_signal_emit (self, signals[VIEW_CHANGED], 0);
}

static void
envelope_canvas_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (widget);

  envelope_viewport_set_size (self->viewport, width, height);
  if (self->fit_wanted && self->fit_cancellable == NULL && width > 0 && height > 0)
    start_fit (self);
  if (self->fit_pending && self->layout != NULL && width > 0 && height > 0)
    {
      fit (self);
      notify_zoom_later (self);
    }
}

static void
envelope_canvas_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 400;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static gboolean
hit_test (EnvelopeCanvas *self,
          double          x,
          double          y,
          EnvelopeHit    *hit)
{
  double wx, wy;

  if (self->layout == NULL)
    return FALSE;
  envelope_viewport_widget_to_world (self->viewport, x, y, &wx, &wy);
  return envelope_layout_hit_test (self->layout, wx, wy, HIT_TOLERANCE,
                                   envelope_viewport_get_zoom (self->viewport), hit);
}

/* Whether (x, y) is on the output port of a block: where an arrow is
 * dragged out from. */
static gint
output_port_at (EnvelopeCanvas *self,
                double          x,
                double          y)
{
  EnvelopeHit hit;
  EnvelopePoint input, output;
  double ox, oy;

  if (!hit_test (self, x, y, &hit) || hit.kind != ENVELOPE_HIT_BLOCK)
    {
      /* The port sticks out of the block by its radius. */
      double wx, wy, slack = envelope_viewport_pixels_to_world (self->viewport, PORT_GRAB);

      if (self->layout == NULL)
        return -1;
      envelope_viewport_widget_to_world (self->viewport, x, y, &wx, &wy);
      if (!envelope_layout_hit_test (self->layout, wx, wy, PORT_GRAB, envelope_viewport_get_zoom (self->viewport), &hit) ||
          hit.kind != ENVELOPE_HIT_BLOCK)
        return -1;
      (void) slack;
    }
  block_ports (self, hit.index, &input, &output);
  envelope_viewport_world_to_widget (self->viewport, output.x, output.y, &ox, &oy);
  return hypot (ox - x, oy - y) <= PORT_GRAB ? (gint) hit.index : -1;
}

static void
set_hover (EnvelopeCanvas *self,
           gint            block)
{
  if (self->hover_block == block)
    return;
  self->hover_block = block;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           EnvelopeCanvas           *self)
{
  EnvelopeHit hit;

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->drag_mode != DRAG_NONE)
    return;
  if (output_port_at (self, x, y) >= 0)
    {
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
      set_hover (self, output_port_at (self, x, y));
      return;
    }
  if (hit_test (self, x, y, &hit))
    {
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
      set_hover (self, hit.kind == ENVELOPE_HIT_BLOCK ? (gint) hit.index : -1);
    }
  else
    {
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "default");
      set_hover (self, -1);
    }
}

/* The block under (x, y), named with its kind, output and main figures
 * for a tooltip (Pango markup), or NULL. */
char *
envelope_canvas_dup_tooltip_at (EnvelopeCanvas *self,
                                double          x,
                                double          y)
{
  const EnvelopeBlock *block;
  EnvelopeHit hit;
  g_autofree char *params = NULL;
  g_autofree char *macs = NULL;
  g_autofree char *activations = NULL;
  g_autofree char *receptive_field = NULL;

  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), NULL);

  if (self->diagram == NULL || self->drag_mode != DRAG_NONE ||
      !hit_test (self, x, y, &hit) || hit.kind != ENVELOPE_HIT_BLOCK)
    return NULL;
  block = envelope_diagram_get_block (self->diagram, hit.index);
  params = envelope_format_count (block->params);
  macs = envelope_format_count (self->flops ? 2 * block->macs : block->macs);
  activations = envelope_format_count (block->activations);
  receptive_field = envelope_report_receptive_field (&block->receptive_field,
                                                     envelope_diagram_get_totals (self->diagram)->input_extent);
  if (self->flops)
    /* Translators: a block's tooltip, with the operations as FLOPs */
    return g_markup_printf_escaped (_("<b>%s</b>\n%s\nOutput: %s\nParameters: %s\nFLOPs: %s\n"
                                      "Activations: %s per sample\nReceptive field: %s"),
                                    block->name, block->description, block->shape_text,
                                    params, macs, activations, receptive_field);
  /* Translators: a block's tooltip: its name, its kind ("conv 3×3, 64"
   * or "12 layers"), then its figures */
  return g_markup_printf_escaped (_("<b>%s</b>\n%s\nOutput: %s\nParameters: %s\nMACs: %s\n"
                                    "Activations: %s per sample\nReceptive field: %s"),
                                  block->name, block->description, block->shape_text,
                                  params, macs, activations, receptive_field);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  g_autofree char *markup = NULL;

  if (keyboard)
    return FALSE;
  markup = envelope_canvas_dup_tooltip_at (ENVELOPE_CANVAS (widget), x, y);
  if (markup == NULL)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
on_leave (GtkEventControllerMotion *controller,
          EnvelopeCanvas           *self)
{
  if (self->drag_mode == DRAG_NONE)
    set_hover (self, -1);
}

/* A collapsed block selects its group as a whole, not the layer it ends
 * with (a group may be named as a layer is). */
static void
select_block (EnvelopeCanvas *self,
              guint           block)
{
  gint layer = document_layer_of_block (self, block);
  g_auto(GStrv) groups = envelope_diagram_get_block (self->diagram, block)->collapsed
                         ? envelope_diagram_get_block_groups (self->diagram, block) : NULL;

  if (layer >= 0 && groups != NULL && groups[0] != NULL)
    envelope_document_select_group (self->document, groups[0], layer);
  else
    envelope_document_select_layer (self->document, layer);
}

static void
select_at (EnvelopeCanvas *self,
           double          x,
           double          y)
{
  EnvelopeHit hit;

  if (!hit_test (self, x, y, &hit))
    {
      envelope_document_select_layer (self->document, -1);
      return;
    }
  if (hit.kind == ENVELOPE_HIT_BLOCK)
    {
      select_block (self, hit.index);
    }
  else if (hit.kind == ENVELOPE_HIT_EDGE)
    {
      const EnvelopeDiagramEdge *edge = envelope_diagram_get_edge (self->diagram, hit.index);
      gint from = document_layer_of_block (self, edge->from);
      gint to = document_layer_of_block (self, edge->to);

      if (from >= 0 && to >= 0)
        envelope_document_select_edge (self->document, (guint) from, (guint) to);
    }
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               EnvelopeCanvas *self)
{
  gint port = output_port_at (self, x, y);
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  EnvelopeHit hit;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_start_x = self->drag_x = x;
  self->drag_start_y = self->drag_y = y;
  envelope_viewport_get_center (self->viewport, &self->drag_center_x, &self->drag_center_y);

  if (port < 0 && (state & GDK_SHIFT_MASK) && hit_test (self, x, y, &hit) && hit.kind == ENVELOPE_HIT_BLOCK)
    port = (gint) hit.index;
  if (port >= 0)
    {
      self->drag_mode = DRAG_CONNECT;
      self->connect_from = port;
    }
  else
    {
      self->drag_mode = DRAG_PAN;
    }
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                EnvelopeCanvas *self)
{
  self->drag_x = self->drag_start_x + offset_x;
  self->drag_y = self->drag_start_y + offset_y;

  if (self->drag_mode == DRAG_PAN)
    {
      /* The grabbed point stays under the pointer. */
      double zoom = envelope_viewport_get_zoom (self->viewport);

      if (hypot (offset_x, offset_y) > 3)
        gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      envelope_viewport_set_center (self->viewport, self->drag_center_x - offset_x / zoom,
                                    self->drag_center_y - offset_y / zoom);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  else if (self->drag_mode == DRAG_CONNECT)
    {
      EnvelopeHit hit;

      set_hover (self, hit_test (self, self->drag_x, self->drag_y, &hit) && hit.kind == ENVELOPE_HIT_BLOCK
                       ? (gint) hit.index : -1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             EnvelopeCanvas *self)
{
  gboolean click = hypot (offset_x, offset_y) <= 3;
  DragMode mode = self->drag_mode;
  EnvelopeHit hit;

  self->drag_mode = DRAG_NONE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "default");

  if (click)
    {
      select_at (self, self->drag_start_x, self->drag_start_y);
    }
  else if (mode == DRAG_CONNECT &&
           hit_test (self, self->drag_start_x + offset_x, self->drag_start_y + offset_y, &hit) &&
           hit.kind == ENVELOPE_HIT_BLOCK && (gint) hit.index != self->connect_from)
    {
      gint from = document_layer_of_block (self, (guint) self->connect_from);
      gint to = document_layer_of_block (self, hit.index);
      g_autoptr(GError) error = NULL;

      if (from >= 0 && to >= 0 && !envelope_document_connect (self->document, (guint) from, (guint) to, &error))
        g_signal_emit (self, signals[MESSAGE], 0, error->message);
    }
  self->connect_from = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
notify_zoom (EnvelopeCanvas *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
notify_zoom_idle (gpointer data)
{
  EnvelopeCanvas *self = data;

  self->notify_zoom_source = 0;
  notify_zoom (self);
  return G_SOURCE_REMOVE;
}

/* From size_allocate: whoever shows the zoom must not resize anything
 * while the window is being laid out. */
static void
notify_zoom_later (EnvelopeCanvas *self)
{
  if (self->notify_zoom_source == 0)
    self->notify_zoom_source = g_idle_add (notify_zoom_idle, self);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           EnvelopeCanvas           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (controller);
  double step = unit == GDK_SCROLL_UNIT_WHEEL ? 48.0 : 1.0;

  if (state & GDK_CONTROL_MASK)
    {
      double factor = pow (unit == GDK_SCROLL_UNIT_WHEEL ? 1.2 : 1.01, -dy);
      envelope_viewport_zoom_at (self->viewport, factor, self->pointer_x, self->pointer_y);
      notify_zoom (self);
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  envelope_viewport_pan (self->viewport, dx * step, dy * step);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
on_zoom_begin (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               EnvelopeCanvas   *self)
{
  self->zoom_gesture_scale = 1.0;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double          scale,
                       EnvelopeCanvas *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    x = self->pointer_x, y = self->pointer_y;
  envelope_viewport_zoom_at (self->viewport, scale / self->zoom_gesture_scale, x, y);
  self->zoom_gesture_scale = scale;
  notify_zoom (self);
}

static GdkDragAction
on_drop_motion (GtkDropTarget  *target,
                double          x,
                double          y,
                EnvelopeCanvas *self)
{
  EnvelopeHit hit;
  gint block = hit_test (self, x, y, &hit) && hit.kind == ENVELOPE_HIT_BLOCK ? (gint) hit.index : -1;

  if (!self->drop_active || block != self->drop_block)
    {
      self->drop_active = TRUE;
      self->drop_block = block;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget  *target,
               EnvelopeCanvas *self)
{
  self->drop_active = FALSE;
  self->drop_block = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A layer kind dropped on a block goes after that block; anywhere else,
 * after the selected layer (or at the end). */
static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         EnvelopeCanvas *self)
{
  const EnvelopeLayerKind *kind;
  EnvelopeHit hit;
  gint after;

  self->drop_active = FALSE;
  if (!G_VALUE_HOLDS_STRING (value) || g_value_get_string (value) == NULL ||
      (kind = envelope_layer_kind_lookup (g_value_get_string (value))) == NULL)
    return FALSE;

  if (hit_test (self, x, y, &hit) && hit.kind == ENVELOPE_HIT_BLOCK)
    after = document_layer_of_block (self, hit.index);
  else
    after = envelope_document_get_selected_layer (self->document);
  envelope_document_insert_layer (self->document, kind->type, after);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Keyboard                                                            */

/* The block nearest to @from in the direction (@dx, @dy), within 45°
 * of it, weighing a step aside twice as much as a step ahead; -1 when
 * there is none.  Down from a block in a long row is not a branch at
 * the other end of the network. */
static gint
block_toward (EnvelopeCanvas *self,
              gint            from,
              int             dx,
              int             dy)
{
  EnvelopeRect rect;
  double x, y, best_score = G_MAXDOUBLE;
  gint best = -1;

  guint row = envelope_layout_get_block_row (self->layout, (guint) from);
  gboolean lr = envelope_layout_get_direction (self->layout) == ENVELOPE_DIRECTION_LEFT_RIGHT;
  int along = lr ? dx : dy;
  guint n_blocks = envelope_diagram_get_n_blocks (self->diagram);

  envelope_layout_get_block_rect (self->layout, (guint) from, &rect);
  x = rect.x + rect.width / 2;
  y = rect.y + rect.height / 2;
  for (guint i = 0; i < n_blocks; i++)
    {
      double ahead, aside, score;

      /* along a wrapped flow, within the row first */
      if ((gint) i == from || (along != 0 && envelope_layout_get_block_row (self->layout, i) != row))
        continue;
      envelope_layout_get_block_rect (self->layout, i, &rect);
      ahead = dx != 0 ? dx * (rect.x + rect.width / 2 - x) : dy * (rect.y + rect.height / 2 - y);
      aside = dx != 0 ? fabs (rect.y + rect.height / 2 - y) : fabs (rect.x + rect.width / 2 - x);
      if (ahead <= 0.5 || aside > ahead)
        continue;
      score = ahead + 2 * aside;
      if (score < best_score)
        {
          best_score = score;
          best = (gint) i;
        }
    }
  /* past a row's end, on to the next row's start (or back) */
  if (best < 0 && along > 0 && (guint) from + 1 < n_blocks &&
      envelope_layout_get_block_row (self->layout, (guint) from + 1) != row)
    best = from + 1;
  else if (best < 0 && along < 0 && from > 0 && envelope_layout_get_block_row (self->layout, (guint) from - 1) != row)
    best = from - 1;
  return best;
}

/* "canvas.select-toward" (dx, dy), on the arrow keys: the selection
 * moves from block to block as the diagram is laid out; with nothing
 * selected, the first block is selected. */
static void
select_toward_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (widget);
  int dx, dy;
  gint from, to;

  g_variant_get (parameter, "(ii)", &dx, &dy);
  if (self->document == NULL || self->diagram == NULL || self->layout == NULL ||
      envelope_diagram_get_n_blocks (self->diagram) == 0 || (dx == 0) == (dy == 0))
    return;

  from = block_of (self, envelope_document_get_selected_layer (self->document));
  to = from < 0 ? 0 : block_toward (self, from, dx, dy);
  if (to < 0)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  select_block (self, (guint) to);
}

/* ---- opening and closing groups by hand ---- */

static GStrv
strv_without (GStrv       list,
              const char *name)
{
  GPtrArray *kept = g_ptr_array_new ();

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (!g_str_equal (list[i], name))
      g_ptr_array_add (kept, g_strdup (list[i]));
  g_ptr_array_add (kept, NULL);
  g_strfreev (list);
  return (GStrv) g_ptr_array_free (kept, FALSE);
}

static GStrv
strv_with (GStrv       list,
           const char *name)
{
  GPtrArray *all = g_ptr_array_new ();

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (!g_str_equal (list[i], name))
      g_ptr_array_add (all, g_strdup (list[i]));
  g_ptr_array_add (all, g_strdup (name));
  g_ptr_array_add (all, NULL);
  g_strfreev (list);
  return (GStrv) g_ptr_array_free (all, FALSE);
}

static void
forget_groups (EnvelopeCanvas *self)
{
  g_clear_pointer (&self->expanded_groups, g_strfreev);
  g_clear_pointer (&self->collapsed_groups, g_strfreev);
  self->diagram_options.expanded = NULL;
  self->diagram_options.collapsed = NULL;
}

/* A collapsed block opens (every group of a folded run); a layer's block
 * closes its innermost group.  Returns FALSE when @block is in none. */
static gboolean
toggle_group (EnvelopeCanvas *self,
              guint           block)
{
  const EnvelopeBlock *b = envelope_diagram_get_block (self->diagram, block);
  gint selected = envelope_document_get_selected_layer (self->document);
  gint layer = selected >= 0 && block_of (self, selected) == (gint) block ? selected : document_layer_of_block (self, block);

  if (b->collapsed)
    {
      g_auto(GStrv) groups = envelope_diagram_get_block_groups (self->diagram, block);

      if (groups[0] == NULL)
        return FALSE;
      for (guint i = 0; groups[i] != NULL; i++)
        {
          self->collapsed_groups = strv_without (self->collapsed_groups, groups[i]);
          self->expanded_groups = strv_with (self->expanded_groups, groups[i]);
        }
    }
  else
    {
      g_autofree char *group = envelope_diagram_get_layer_group (self->diagram, b->output_layer);

      if (group == NULL)
        return FALSE;
      /* what was opened inside it closes with it */
      for (guint i = 0; self->expanded_groups != NULL && self->expanded_groups[i] != NULL;)
        {
          const char *open = self->expanded_groups[i];

          if (g_str_equal (open, group) || (g_str_has_prefix (open, group) && open[strlen (group)] == '/'))
            self->expanded_groups = strv_without (self->expanded_groups, open);
          else
            i++;
        }
      self->collapsed_groups = strv_with (self->collapsed_groups, group);
    }
  self->diagram_options.expanded = (const char * const *) self->expanded_groups;
  self->diagram_options.collapsed = (const char * const *) self->collapsed_groups;
  /* the rows are chosen again for what is now shown */
  self->fit_wanted = TRUE;
  self->fit_keep_depth = TRUE;
  rebuild (self);
  /* the layer stays selected, in the block that now shows it */
  if (layer >= 0)
    envelope_document_select_layer (self->document, layer);
  return TRUE;
}

/* "canvas.toggle-group": Enter, or a double click, on a block. */
static void
toggle_group_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (widget);
  gint block;

  if (self->document == NULL || self->diagram == NULL)
    return;
  block = block_of (self, envelope_document_get_selected_layer (self->document));
  if (block < 0 || !toggle_group (self, (guint) block))
    gtk_widget_error_bell (widget);
}

static void
on_click_pressed (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  EnvelopeCanvas  *self)
{
  EnvelopeHit hit;

  if (n_press == 2 && hit_test (self, x, y, &hit) && hit.kind == ENVELOPE_HIT_BLOCK)
    toggle_group (self, hit.index);
}

/* ------------------------------------------------------------------ */

static void
envelope_canvas_dispose (GObject *object)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (object);

  g_cancellable_cancel (self->layout_cancellable);
  g_clear_object (&self->layout_cancellable);
  g_cancellable_cancel (self->diagram_cancellable);
  g_clear_object (&self->diagram_cancellable);
  g_cancellable_cancel (self->fit_cancellable);
  g_clear_object (&self->fit_cancellable);
  g_clear_handle_id (&self->notify_zoom_source, g_source_remove);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);

  G_OBJECT_CLASS (envelope_canvas_parent_class)->dispose (object);
}

static void
envelope_canvas_finalize (GObject *object)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (object);

  g_clear_pointer (&self->pending, envelope_diagram_unref);
  g_clear_pointer (&self->diagram, envelope_diagram_unref);
  g_clear_pointer (&self->layout, envelope_layout_unref);
  g_clear_pointer (&self->recomputed, g_free);
  forget_groups (self);
  g_clear_pointer (&self->diagram_layers, g_hash_table_unref);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->signatures, g_array_unref);
  g_clear_pointer (&self->edge_signatures, g_array_unref);
  g_clear_pointer (&self->query_blocks, g_array_unref);
  g_clear_pointer (&self->query_edges, g_array_unref);
  overlay_clear (&self->selection_overlay);
  overlay_clear (&self->hover_overlay);
  overlay_clear (&self->edge_overlay);
  overlay_clear (&self->legend_overlay);
  overlay_clear (&self->zoom_labels_overlay);
  g_clear_pointer (&self->viewport, envelope_viewport_free);
  g_clear_pointer (&self->renderer, envelope_renderer_free);

  G_OBJECT_CLASS (envelope_canvas_parent_class)->finalize (object);
}

static void
envelope_canvas_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EnvelopeCanvas *self = ENVELOPE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, envelope_canvas_get_zoom (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_canvas_class_init (EnvelopeCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_canvas_dispose;
  object_class->finalize = envelope_canvas_finalize;
  object_class->get_property = envelope_canvas_get_property;
  widget_class->snapshot = envelope_canvas_snapshot;
  widget_class->size_allocate = envelope_canvas_size_allocate;
  widget_class->measure = envelope_canvas_measure;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EnvelopeCanvas::message:
   * @message: why an edit made on the canvas was refused
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* after each frame: the view or what it shows may have changed */
  signals[VIEW_CHANGED] =
    g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "envelope-canvas");

  gtk_widget_class_install_action (widget_class, "canvas.select-toward", "(ii)", select_toward_activated);
  gtk_widget_class_install_action (widget_class, "canvas.toggle-group", NULL, toggle_group_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "canvas.toggle-group", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "canvas.toggle-group", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "canvas.select-toward", "(ii)", -1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, 0, "canvas.select-toward", "(ii)", -1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "canvas.select-toward", "(ii)", 1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, 0, "canvas.select-toward", "(ii)", 1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "canvas.select-toward", "(ii)", 0, -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, 0, "canvas.select-toward", "(ii)", 0, -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "canvas.select-toward", "(ii)", 0, 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, 0, "canvas.select-toward", "(ii)", 0, 1);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
envelope_canvas_init (EnvelopeCanvas *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  GtkDropTarget *drop;

  self->viewport = envelope_viewport_new ();
  envelope_viewport_set_zoom_limits (self->viewport, MIN_ZOOM, MAX_ZOOM);
  envelope_viewport_set_zoom (self->viewport, NATURAL_ZOOM);
  self->renderer = envelope_renderer_new ();
  self->diagram_layers = g_hash_table_new (g_str_hash, g_str_equal);
  self->tiles = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, tile_free);
  self->signatures = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->edge_signatures = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->query_blocks = g_array_new (FALSE, FALSE, sizeof (guint));
  self->query_edges = g_array_new (FALSE, FALSE, sizeof (guint));
  envelope_diagram_options_init (&self->diagram_options);
  envelope_render_options_init (&self->render_options);
  self->hover_block = self->drop_block = self->connect_from = -1;
  self->fit_pending = TRUE;
  self->fit_legible = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Block diagram"), -1);
  update_accessible (self);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);
  g_signal_connect (drop, "motion", G_CALLBACK (on_drop_motion), self);
  g_signal_connect (drop, "leave", G_CALLBACK (on_drop_leave), self);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (on_dark_changed), self);
}

GtkWidget *
envelope_canvas_new (void)
{
  return g_object_new (ENVELOPE_TYPE_CANVAS, NULL);
}

void
envelope_canvas_set_document (EnvelopeCanvas   *self,
                              EnvelopeDocument *document)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    {
      g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
      g_signal_connect (document, "selection-changed", G_CALLBACK (on_selection_changed), self);
    }
  request_fit (self);
}

void
envelope_canvas_set_view (EnvelopeCanvas           *self,
                          const EnvelopeCanvasView *view)
{
  EnvelopeDiagramStyle style = ENVELOPE_DIAGRAM_STYLE_FLAT;
  EnvelopeDirection direction = ENVELOPE_DIRECTION_LEFT_RIGHT;
  EnvelopeColorMode color = ENVELOPE_COLOR_BY_KIND;
  gboolean relayout, detail_changed;

  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  envelope_color_mode_from_string (view->color_mode, &color);
  envelope_diagram_style_from_string (view->diagram_style, &style);
  envelope_direction_from_string (view->direction, &direction);

  detail_changed = view->auto_detail != self->auto_detail || view->one_flow != self->one_flow ||
                   (!view->auto_detail && view->collapse_depth != self->view_collapse_depth);
  relayout = style != self->diagram_options.style || direction != self->diagram_options.direction || detail_changed;
  self->diagram_options.style = style;
  self->diagram_options.direction = direction;
  self->auto_detail = view->auto_detail;
  self->one_flow = view->one_flow;
  self->view_collapse_depth = view->collapse_depth;
  self->render_options.color_mode = color;
  self->render_options.units = view->units;
  self->receptive_field = view->receptive_field;
  self->flops = view->flops;
  if (relayout)
    {
      if (detail_changed)
        forget_groups (self);
      request_fit (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The diagram's rectangle in view, in world units. */
void
envelope_canvas_get_visible (EnvelopeCanvas *self,
                             EnvelopeRect   *visible)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));
  envelope_viewport_get_visible (self->viewport, visible);
}

/* Moves the view so that world point (@x, @y) is in its middle. */
void
envelope_canvas_center_on (EnvelopeCanvas *self,
                           double          x,
                           double          y)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));
  self->fit_pending = FALSE;
  envelope_viewport_set_center (self->viewport, x, y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The selected block at the natural size, in the middle of the view. */
void
envelope_canvas_zoom_to_selection (EnvelopeCanvas *self)
{
  gint block;
  EnvelopeRect rect;

  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  block = block_of (self, self->document ? envelope_document_get_selected_layer (self->document) : -1);
  if (block < 0 || self->layout == NULL)
    return;
  envelope_layout_get_block_rect (self->layout, (guint) block, &rect);
  self->fit_pending = FALSE;
  envelope_viewport_set_zoom (self->viewport, NATURAL_ZOOM);
  envelope_viewport_set_center (self->viewport, rect.x + rect.width / 2, rect.y + rect.height / 2);
  notify_zoom (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Opens the collapsed block that hides layer @layer (of the document),
 * so that the layer has a block of its own.  Returns whether it did. */
gboolean
envelope_canvas_open_layer (EnvelopeCanvas *self,
                            gint            layer)
{
  gint block;

  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), FALSE);

  block = block_of (self, layer);
  if (block < 0 || !envelope_diagram_get_block (self->diagram, (guint) block)->collapsed)
    return FALSE;
  envelope_document_select_layer (self->document, layer);
  return toggle_group (self, (guint) block);
}

/* The selected block into view, when it is out of it or under the legend. */
void
envelope_canvas_reveal_selection (EnvelopeCanvas *self)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  reveal_selection (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* 1.0 when the diagram is at its natural size on screen. */
double
envelope_canvas_get_zoom (EnvelopeCanvas *self)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), 1.0);
  return envelope_viewport_get_zoom (self->viewport) / NATURAL_ZOOM;
}

/* Zooms in (@steps > 0) or out (@steps < 0) by ZOOM_STEP a step, about
 * the centre of the widget: what + and − do, in the window and in the
 * presentation alike. */
void
envelope_canvas_zoom_step (EnvelopeCanvas *self,
                           int             steps)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  envelope_canvas_zoom_at (self, pow (ZOOM_STEP, steps),
                           gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

/* Zooms keeping the point at (@x, @y), in widget coordinates, in place. */
void
envelope_canvas_zoom_at (EnvelopeCanvas *self,
                         double          factor,
                         double          x,
                         double          y)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  envelope_viewport_zoom_at (self->viewport, factor, x, y);
  self->fit_pending = FALSE;
  notify_zoom (self);
}

/* The whole diagram in view, at most at 100 %: a small network is not
 * blown up to fill the window.  A network just opened is shown legibly
 * instead when all of it would be too small to read: from its input,
 * at 100 %; zoom to fit shows the rest. */
static gboolean
has_legend (EnvelopeCanvas *self)
{
  return self->render_options.color_mode != ENVELOPE_COLOR_BY_KIND || self->render_options.receptive_field;
}

/* The legend's card and its margin, on screen. */
static double
legend_card_height (EnvelopeCanvas *self)
{
  double lw, lh, width = gtk_widget_get_width (GTK_WIDGET (self));

  envelope_renderer_get_legend_size (self->renderer, self->diagram, &self->render_options,
                                     MIN (width - 24, 480) / NATURAL_ZOOM, &lw, &lh);
  return (lh + 12) * NATURAL_ZOOM + 12;
}

/* The legend's height on screen, so that a fit leaves room for it. */
static double
legend_height (EnvelopeCanvas *self)
{
  if (self->diagram == NULL || !has_legend (self))
    return 0;
  return legend_card_height (self);
}

static void
fit (EnvelopeCanvas *self)
{
  EnvelopeRect bounds;
  double width, height, zoom, legend;

  update_render_options (self);
  legend = legend_height (self);
  /* the blocks, and the receptive-field band beside them with its title */
  envelope_renderer_get_extents (self->renderer, self->diagram, self->layout, &self->render_options, &bounds);
  /* Fit into the room above the legend, then move the picture up. */
  envelope_viewport_get_size (self->viewport, &width, &height);
  envelope_viewport_set_size (self->viewport, width, MAX (height - legend, height / 2));
  envelope_viewport_fit (self->viewport, &bounds, FIT_MARGIN);
  envelope_viewport_set_size (self->viewport, width, height);
  zoom = envelope_viewport_get_zoom (self->viewport);
  if (zoom > NATURAL_ZOOM)
    {
      envelope_viewport_set_zoom (self->viewport, NATURAL_ZOOM);
      envelope_viewport_set_center (self->viewport, bounds.x + bounds.width / 2, bounds.y + bounds.height / 2);
    }
  else if (self->fit_legible && zoom < NATURAL_ZOOM * LEGIBLE_ZOOM)
    {
      double view_width, view_height;

      /* rows folded to the window's width (see start_fit()) are shown
       * whole across, as near the natural size as that allows; one
       * unwrapped column, as presented, at the natural size */
      zoom = (width - 2 * FIT_MARGIN) / MAX (bounds.width, 1);
      envelope_viewport_set_zoom (self->viewport, self->one_flow ? NATURAL_ZOOM
                                                                 : CLAMP (zoom, NATURAL_ZOOM * LEGIBLE_ZOOM, NATURAL_ZOOM));
      view_width = envelope_viewport_pixels_to_world (self->viewport, width);
      view_height = envelope_viewport_pixels_to_world (self->viewport, height - legend);
      double margin = envelope_viewport_pixels_to_world (self->viewport, FIT_MARGIN);
      /* across the flow, centred when it fits; else from the side where
       * the receptive-field band and its title are, which a cut would lose */
      double cx = bounds.width + 2 * margin <= view_width ? bounds.x + bounds.width / 2 : bounds.x + view_width / 2 - margin;
      double cy = bounds.height + 2 * margin <= view_height ? bounds.y + bounds.height / 2 : bounds.y + view_height / 2 - margin;

      if (envelope_layout_get_direction (self->layout) == ENVELOPE_DIRECTION_TOP_BOTTOM)
        envelope_viewport_set_center (self->viewport, cx, bounds.y + view_height / 2 - margin);
      else
        envelope_viewport_set_center (self->viewport, bounds.x + view_width / 2 - margin, cy);
    }

  /* The picture sits in the room above the legend. */
  if (legend > 0)
    {
      double cx, cy;

      envelope_viewport_get_center (self->viewport, &cx, &cy);
      envelope_viewport_set_center (self->viewport, cx,
                                    cy + envelope_viewport_pixels_to_world (self->viewport, MIN (legend, height / 2) / 2));
    }
  self->fit_pending = FALSE;
  /* A legible fit shows the input first; a layer already selected (as
   * when a presentation starts on it) is shown instead. */
  if (self->fit_legible)
    reveal_selection (self);
  self->fit_legible = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
envelope_canvas_zoom_fit (EnvelopeCanvas *self)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));

  if (self->layout == NULL || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    {
      self->fit_pending = TRUE;
      return;
    }
  fit (self);
  notify_zoom (self);
}

/* Writes the diagram as shown (colours, style, direction, overlay) to a
 * PNG, SVG or PDF file, by the file's extension; @export may be NULL
 * for the renderer's defaults. */
gboolean
envelope_canvas_export (EnvelopeCanvas             *self,
                        const char                 *path,
                        const EnvelopeCanvasExport *export,
                        GError                    **error)
{
  EnvelopeExportOptions options;
  EnvelopeRenderOptions render;

  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->diagram == NULL || self->layout == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no diagram to export yet"));
      return FALSE;
    }
  envelope_export_options_init (&options);
  if (!envelope_export_format_from_path (path, &options.format))
    {
      g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_FORMAT,
                   _("“%s” does not end in .png, .svg or .pdf"), path);
      return FALSE;
    }
  update_render_options (self);
  render = self->render_options;
  render.selected_block = -1;
  render.theme = ENVELOPE_THEME_LIGHT;
  render.show_title = export == NULL || export->annotations;
  render.show_legend = export == NULL || export->annotations;
  render.show_totals = export == NULL || export->annotations;
  render.transparent = export != NULL && export->transparent;
  if (export != NULL && export->scale > 0)
    options.scale = export->scale;
  if (export != NULL && export->aspect > 0)
    {
      /* a figure of its own, fitted to the page: the finest detail that
       * reads at a slide's width, in rows of the page's shape */
      const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
      EnvelopeDiagramOptions fitted = self->diagram_options;
      EnvelopeFitGoal goal;
      EnvelopePageFit fit;
      gboolean ok;

      fitted.collapse_depth = 0;
      fitted.wrap = 0;
      fitted.collapsed = fitted.expanded = NULL;
      fitted.fold_repeats = TRUE;
      fitted.groups = ENVELOPE_GROUPS_RUNS;
      envelope_fit_goal_init (&goal);
      goal.aspect = export->aspect;
      if (analysis == NULL || !envelope_fit_page (analysis, &fitted, &render, &goal, &fit, error))
        return FALSE;
      if (export->scale <= 0)
        options.scale = CLAMP (fit.scale, 0.01, 64);
      ok = envelope_export_to_file (fit.diagram, fit.layout, &render, &options, path, error);
      envelope_page_fit_clear (&fit);
      return ok;
    }
  return envelope_export_to_file (self->diagram, self->layout, &render, &options, path, error);
}

/* The options of a figure of the view as it is (style, direction,
 * colours, units, receptive field, checkpoint outline), without the
 * groups opened or closed by hand, the selection or the dark style:
 * what an export dialog starts from.  @render->recomputed, when set,
 * is the canvas's own (envelope_canvas_get_recomputed()). */
void
envelope_canvas_get_figure_options (EnvelopeCanvas         *self,
                                    EnvelopeDiagramOptions *diagram,
                                    EnvelopeRenderOptions  *render)
{
  g_return_if_fail (ENVELOPE_IS_CANVAS (self));
  g_return_if_fail (diagram != NULL && render != NULL);

  update_render_options (self);
  *diagram = self->diagram_options;
  diagram->collapsed = diagram->expanded = NULL;
  diagram->collapse_depth = 0;
  diagram->wrap = 0;
  *render = self->render_options;
  render->selected_block = -1;
  render->theme = ENVELOPE_THEME_LIGHT;
  render->show_title = render->show_legend = render->show_totals = TRUE;
  render->transparent = FALSE;
}

const EnvelopeDiagram *
envelope_canvas_get_diagram (EnvelopeCanvas *self)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), NULL);
  return self->diagram;
}

/* The layers outlined as a checkpoint plan recomputes them, by layer, or
 * NULL when the target batch fits without a plan. */
const gboolean *
envelope_canvas_get_recomputed (EnvelopeCanvas *self,
                                guint          *n_layers)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), NULL);
  if (n_layers != NULL)
    *n_layers = self->n_recomputed;
  return self->recomputed;
}

const EnvelopeLayout *
envelope_canvas_get_layout (EnvelopeCanvas *self)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), NULL);
  return self->layout;
}

const EnvelopeViewport *
envelope_canvas_get_viewport (EnvelopeCanvas *self)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), NULL);
  return self->viewport;
}

/* Whether a diagram or a layout is being made: what is shown is not
 * the network's latest. */
gboolean
envelope_canvas_get_layout_pending (EnvelopeCanvas *self)
{
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), FALSE);
  return self->pending != NULL || self->diagram_cancellable != NULL || self->fit_wanted;
}

/* The centre of layer @layer's block, in widget coordinates. */
gboolean
envelope_canvas_get_layer_point (EnvelopeCanvas *self,
                                 const char     *layer,
                                 double         *x,
                                 double         *y)
{
  gint index, block;
  EnvelopeRect rect;

  g_return_val_if_fail (ENVELOPE_IS_CANVAS (self), FALSE);

  if (self->layout == NULL)
    return FALSE;
  index = envelope_network_find_layer (envelope_document_get_network (self->document), layer);
  block = block_of (self, index);
  if (block < 0)
    return FALSE;
  envelope_layout_get_block_rect (self->layout, (guint) block, &rect);
  envelope_viewport_world_to_widget (self->viewport, rect.x + rect.width / 2, rect.y + rect.height / 2, x, y);
  return TRUE;
}
