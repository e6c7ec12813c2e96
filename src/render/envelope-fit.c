/* envelope-fit.c: the level of detail and the rows that fit a slide
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>
#include <string.h>

#include "envelope-fit.h"
#include "envelope-groups.h"
#include "envelope-render-private.h"

/* the smallest text of a block, in points (TEXT_BLOCK_DETAIL) */
#define SMALLEST_TEXT 7.5
/* … and of the proportional style's figure when no block is a group:
 * its legend (TEXT_LEGEND), its boxes' sizes being larger */
#define SMALLEST_CLASSIC_TEXT 8.5
/* the lane between wrapped rows, near enough for choosing their number */
#define ROW_GAP 40.0
/* more blocks than this cannot be read on one slide at any layout */
#define MOST_LEGIBLE_BLOCKS 150
#define MOST_ROWS 64

void
envelope_fit_goal_init (EnvelopeFitGoal *goal)
{
  goal->aspect = 16.0 / 9.0;
  goal->max_width = 1920;
  goal->min_text = 9;
  goal->fixed_detail = FALSE;
  goal->scrolls = FALSE;
}

/* The goal for a figure drawn in @style: the classic figure is shown to
 * a room, in larger text. */
void
envelope_fit_goal_set_style (EnvelopeFitGoal      *goal,
                             EnvelopeDiagramStyle  style)
{
  if (style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    goal->min_text = MAX (goal->min_text, ENVELOPE_FIT_ROOM_TEXT);
}

/**
 * envelope_fit_goal_set_aspect:
 * @text: "16:9", "4:3", "a4" (portrait), "free", or "W:H"
 *
 * Returns: %FALSE when @text is none of these
 */
gboolean
envelope_fit_goal_set_aspect (EnvelopeFitGoal *goal,
                              const char      *text)
{
  g_auto(GStrv) parts = NULL;
  double w, h;
  char *end;

  if (g_ascii_strcasecmp (text, "free") == 0)
    {
      goal->aspect = 0;
      return TRUE;
    }
  if (g_ascii_strcasecmp (text, "a4") == 0)
    {
      goal->aspect = 210.0 / 297.0;
      return TRUE;
    }
  parts = g_strsplit (text, ":", 3);
  if (g_strv_length (parts) != 2)
    return FALSE;
  w = g_ascii_strtod (parts[0], &end);
  if (*end != '\0' || end == parts[0])
    return FALSE;
  h = g_ascii_strtod (parts[1], &end);
  if (*end != '\0' || end == parts[1])
    return FALSE;
  if (!(w > 0 && h > 0 && w / h >= 0.05 && w / h <= 20))
    return FALSE;
  goal->aspect = w / h;
  return TRUE;
}

void
envelope_page_fit_clear (EnvelopePageFit *fit)
{
  g_clear_pointer (&fit->diagram, envelope_diagram_unref);
  g_clear_pointer (&fit->layout, envelope_layout_unref);
}

/* The number of rows that brings the page nearest @aspect, from the
 * one-row layout's extent along the flow and across it. */
static guint
choose_rows (double along,
             double across,
             double pad_along,
             double pad_across,
             double aspect,
             gboolean left_right)
{
  double best = G_MAXDOUBLE;
  guint rows = 1;

  for (guint n = 1; n <= MOST_ROWS; n++)
    {
      double length = along / n + pad_along;
      double thickness = n * across + (n - 1) * ROW_GAP + pad_across;
      double ratio = left_right ? length / thickness : thickness / length;
      double miss = fabs (log (ratio / aspect));

      if (miss < best)
        {
          best = miss;
          rows = n;
        }
    }
  return rows;
}

static double
smallest_text (const EnvelopeDiagram *diagram)
{
  if (envelope_diagram_get_style (diagram) != ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL)
    return SMALLEST_TEXT;
  for (guint b = 0; b < envelope_diagram_get_n_blocks (diagram); b++)
    if (envelope_diagram_get_block (diagram, b)->collapsed)
      return SMALLEST_TEXT;
  return SMALLEST_CLASSIC_TEXT;
}

static double
slide_scale (double                 width,
             double                 height,
             const EnvelopeFitGoal *goal)
{
  /* a hair under, so that rounding up to whole pixels stays within */
  return MIN (goal->max_width / width, goal->max_width / goal->aspect / height) * (1 - 1e-9);
}

/* @one_row's blocks folded into @rows rows, laid out from @one_row's
 * layout without laying them out again where it can. */
static gboolean
refold (EnvelopeDiagram       *one_row,
        const EnvelopeLayout  *one_layout,
        guint                  rows,
        EnvelopeDiagram      **diagram,
        EnvelopeLayout       **layout,
        GError               **error)
{
  g_autoptr(EnvelopeDiagram) folded = NULL;
  EnvelopeLayout *refolded;

  if (rows <= 1)
    {
      *diagram = envelope_diagram_ref (one_row);
      *layout = envelope_layout_ref ((EnvelopeLayout *) one_layout);
      return TRUE;
    }
  folded = diagram_new_wrapped (one_row, rows);
  refolded = envelope_layout_new_wrapped (one_layout, folded);
  if (refolded == NULL)
    refolded = envelope_layout_new (folded, error);
  if (refolded == NULL)
    return FALSE;
  *diagram = g_steal_pointer (&folded);
  *layout = refolded;
  return TRUE;
}

/* Lays @options out in the rows that fit @goal best; @one_row, when
 * given, is its diagram already made. */
static gboolean
fit_rows (EnvelopeRenderer             *renderer,
          const EnvelopeAnalysis       *analysis,
          const EnvelopeDiagramOptions *options,
          EnvelopeDiagram              *one_row,
          const EnvelopeRenderOptions  *render_options,
          const EnvelopeFitGoal        *goal,
          EnvelopePageFit              *fit,
          GError                      **error)
{
  g_autoptr(EnvelopeDiagram) unwrapped = one_row != NULL ? envelope_diagram_ref (one_row)
                                                         : envelope_diagram_new (analysis, options);
  g_autoptr(EnvelopeLayout) one_layout = NULL;
  g_autoptr(EnvelopeDiagram) diagram = NULL;
  g_autoptr(EnvelopeLayout) layout = NULL;
  gboolean lr = options->direction == ENVELOPE_DIRECTION_LEFT_RIGHT;
  guint rows = MAX (options->wrap, 1);
  gboolean scrolled = FALSE;
  EnvelopeRect bounds;
  double width, height, pad_along = 0, pad_across = 0;

  one_layout = envelope_layout_new (unwrapped, error);
  if (one_layout == NULL)
    return FALSE;
  if (options->wrap == 0)
    {
      envelope_layout_get_bounds (one_layout, &bounds);
      envelope_renderer_get_page_size (renderer, unwrapped, one_layout, render_options, &width, &height);
      pad_along = lr ? width - bounds.width : height - bounds.height;
      pad_across = lr ? height - bounds.height : width - bounds.width;
      /* the classic figure is one row, the way it is drawn by hand,
       * as long as that row reads */
      if (options->style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL && lr &&
          slide_scale (width, height, goal) * smallest_text (unwrapped) >= goal->min_text)
        rows = 1;
      else
        rows = lr ? choose_rows (bounds.width, bounds.height, pad_along, pad_across, goal->aspect, TRUE)
                  : choose_rows (bounds.height, bounds.width, pad_along, pad_across, goal->aspect, FALSE);
    }
  if (!refold (unwrapped, one_layout, rows, &diagram, &layout, error))
    return FALSE;
  envelope_renderer_get_page_size (renderer, diagram, layout, render_options, &width, &height);

  /* A view that scrolls, when nothing reads in its shape: rows as wide
   * as the view at the smallest text that reads, the rest scrolled to
   * along the fold (fewest rows across a left-to-right flow, most
   * columns across a top-to-bottom one). */
  if (options->wrap == 0 && goal->scrolls && slide_scale (width, height, goal) * smallest_text (diagram) < goal->min_text)
    {
      double room = goal->max_width * smallest_text (diagram) / goal->min_text;   /* points across */
      guint wide = rows;

      scrolled = TRUE;
      envelope_layout_get_bounds (one_layout, &bounds);
      /* the rows the breaks make when none is longer than the room */
      if (lr)
        rows = room > pad_along ? envelope_layout_count_fold_rows (one_layout, unwrapped, room - pad_along) : MOST_ROWS;
      else
        rows = room > pad_across + bounds.width ? (guint) ((room - pad_across + ROW_GAP) / (bounds.width + ROW_GAP)) : 1;
      rows = CLAMP (rows, 1, MOST_ROWS);
      /* a row broken between stages is longer than its share: fold
       * again until it fits, or a column fewer; a block too long for
       * a row is not cut (nor is a block that several arrows pass),
       * so asking for more rows than the cuts allow makes no more, and
       * three such asks end the search */
      for (guint fruitless = 0;;)
        {
          if (rows != wide)
            {
              guint made = envelope_layout_get_n_rows (layout);

              g_clear_pointer (&diagram, envelope_diagram_unref);
              g_clear_pointer (&layout, envelope_layout_unref);
              if (!refold (unwrapped, one_layout, rows, &diagram, &layout, error))
                return FALSE;
              envelope_renderer_get_page_size (renderer, diagram, layout, render_options, &width, &height);
              fruitless = envelope_layout_get_n_rows (layout) > made ? 0 : fruitless + 1;
              wide = rows;
            }
          if (width <= room || (lr ? rows >= MOST_ROWS || fruitless >= 3 : rows <= 1))
            break;
          rows = lr ? rows + 1 : rows - 1;
        }
    }

  envelope_page_fit_clear (fit);
  fit->scale = slide_scale (width, height, goal);
  fit->legible = fit->scale * smallest_text (diagram) >= goal->min_text;
  fit->collapse_depth = options->collapse_depth;
  /* the rows asked for: a fold asked for more rows than the breaks
   * allow differs from one asked for the rows it made */
  fit->wrap = scrolled ? rows : MAX (envelope_layout_get_n_rows (layout), 1);
  fit->diagram = g_steal_pointer (&diagram);
  fit->layout = g_steal_pointer (&layout);
  return TRUE;
}

/**
 * envelope_fit_page:
 * @options: the diagram's style; its wrap and collapse, when set, are
 *   kept as they are
 * @goal: the figure's proportions and where it is shown
 * @fit: (out caller-allocates): the diagram, its layout and the scale;
 *   clear it with envelope_page_fit_clear()
 *
 * Chooses the finest level of detail (every layer, then the innermost
 * groups, out to the stages) whose figure, wrapped to @goal's
 * proportions, still reads at @goal's width.  With no proportions
 * (@aspect 0) the diagram is laid out as @options say.
 *
 * Returns: %FALSE when Graphviz could not lay the diagram out
 */
gboolean
envelope_fit_page (const EnvelopeAnalysis       *analysis,
                   const EnvelopeDiagramOptions *options,
                   const EnvelopeRenderOptions  *render_options,
                   const EnvelopeFitGoal        *goal,
                   EnvelopePageFit              *fit,
                   GError                      **error)
{
  g_autoptr(EnvelopeRenderer) renderer = envelope_renderer_new ();
  const EnvelopeGroups *groups;
  g_autoptr(GArray) depths = g_array_new (FALSE, FALSE, sizeof (guint));
  EnvelopeDiagramOptions trial = *options;
  guint previous_blocks = 0;

  g_return_val_if_fail (analysis != NULL && options != NULL && render_options != NULL && goal != NULL, FALSE);
  memset (fit, 0, sizeof *fit);

  if (goal->aspect <= 0)
    {
      fit->diagram = envelope_diagram_new (analysis, options);
      fit->layout = envelope_layout_new (fit->diagram, error);
      if (fit->layout == NULL)
        {
          envelope_page_fit_clear (fit);
          return FALSE;
        }
      fit->collapse_depth = options->collapse_depth;
      fit->wrap = envelope_layout_get_n_rows (fit->layout);
      fit->legible = TRUE;
      return TRUE;
    }

  /* finest first: every layer, then the innermost groups, out to stages */
  if (goal->fixed_detail || options->collapse_depth > 0 || (options->collapsed != NULL && options->collapsed[0] != NULL))
    g_array_append_val (depths, options->collapse_depth);
  else
    {
      guint none = 0;

      groups = envelope_analysis_get_groups (analysis, options->groups);
      g_array_append_val (depths, none);
      for (guint d = envelope_groups_get_depth (groups); d >= 1; d--)
        g_array_append_val (depths, d);
    }

  for (guint k = 0; k < depths->len; k++)
    {
      gboolean last = k + 1 == depths->len;
      g_autoptr(EnvelopeDiagram) probe = NULL;
      guint n_blocks;

      trial.collapse_depth = g_array_index (depths, guint, k);
      if (!last)
        {
          /* a level that changes nothing, or that no slide can hold, is
           * not laid out: its blocks are counted, not measured */
          n_blocks = diagram_count_blocks (analysis, &trial);
          if (n_blocks == previous_blocks || n_blocks > MOST_LEGIBLE_BLOCKS)
            {
              previous_blocks = n_blocks;
              continue;
            }
          previous_blocks = n_blocks;
          probe = envelope_diagram_new (analysis, &trial);
        }
      if (!fit_rows (renderer, analysis, &trial, probe, render_options, goal, fit, error))
        {
          envelope_page_fit_clear (fit);
          return FALSE;
        }
      if (fit->legible)
        break;
    }
  return TRUE;
}
