/* envelope-zoom-labels.c: group names over a diagram too small to read
 *
 * Each group is a stretch of blocks on a row of the layout (a group
 * wrapped over two rows is two stretches, each named); a layer's block
 * counts as a group of its own, inside its group.  The coarsest groups
 * are named first; a finer group is named only inside a coarser
 * one that spans more than half the view, where the coarse name alone
 * says little, and never where its label would cover another's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-render"

#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "envelope-renderer.h"
#include "envelope-zoom-labels.h"

/* A block's name is set in 9 points (envelope-text.c); drawn smaller
 * than this many pixels, it no longer reads. */
#define BLOCK_NAME_POINTS 9.0
#define LEGIBLE_PIXELS 7.0
#define PAD_X 8.0
#define PAD_Y 4.0
#define LABEL_GAP 6.0
/* no character of the labels' font is narrower than this, in ems */
#define MIN_ADVANCE 0.25
/* a group this share of the view wide is named by its parts as well */
#define WIDE_SHARE 0.5
#define LABEL_FONT "Sans Bold"
/* the type below the coarsest level, and the shape's beside the name's */
#define LOWER_LEVEL_SIZE ENVELOPE_ZOOM_LABEL_MIN_SIZE
#define DETAIL_SHARE 0.8
/* half a lower level's label: a wide group's name goes above it */
#define PART_HALF_HEIGHT ((LOWER_LEVEL_SIZE * 1.25 + 2 * PAD_Y) / 2)
/* how far past its group's extent a name may reach at least, and into
 * the free space beside it, where no neighbour is, in ems */
#define OVERREACH 1.25
#define FREE_REACH 2.0
/* a name shortened in its middle keeps this many characters before the
 * ellipsis at least ("dens…1") */
#define MIN_KEPT 4
#define DETAIL_FONT "Sans"

typedef struct _Stretch Stretch;

struct _Stretch
{
  char *path;                /* the group's; NULL for a layer's block */
  gsize length;              /* of @path */
  const char *text;          /* what the label says */
  const char *detail;        /* the shape of what leaves it */
  guint depth;
  guint row;
  guint last_block;
  EnvelopeRect area;         /* world units */
  Stretch *parent;           /* the group it is in, on the same row */
  guint named;               /* 1: named; 2: named, and wide enough for its parts to be */
};

static void
stretch_free (gpointer data)
{
  Stretch *s = data;

  g_free (s->path);
  g_free (s);
}

/* A group's stretches are told apart by their path and row. */
static guint
stretch_hash (gconstpointer data)
{
  const Stretch *s = data;
  guint hash = 5381 + s->row;

  for (gsize i = 0; i < s->length; i++)
    hash = hash * 33 + (guchar) s->path[i];
  return hash;
}

static gboolean
stretch_equal (gconstpointer a,
               gconstpointer b)
{
  const Stretch *x = a, *y = b;

  return x->row == y->row && x->length == y->length && memcmp (x->path, y->path, x->length) == 0;
}

static void
label_clear (gpointer data)
{
  EnvelopeZoomLabel *label = data;

  g_clear_pointer (&label->text, g_free);
  g_clear_pointer (&label->detail, g_free);
}

/**
 * envelope_zoom_labels_wanted:
 * @zoom: pixels per world unit
 *
 * Returns: whether a block's own text is too small to read at @zoom, so
 *   that the groups' names should be drawn over the diagram
 */
gboolean
envelope_zoom_labels_wanted (double zoom)
{
  return BLOCK_NAME_POINTS * zoom < LEGIBLE_PIXELS;
}

static guint
path_depth (const char *path)
{
  guint depth = 1;

  for (const char *p = strchr (path, '/'); p != NULL; p = strchr (p + 1, '/'))
    depth++;
  return depth;
}

static void
extend (Stretch             *s,
        const EnvelopeBlock *block,
        guint                index,
        const EnvelopeRect  *rect)
{
  double x0 = MIN (s->area.x, rect->x), y0 = MIN (s->area.y, rect->y);
  double x1 = MAX (s->area.x + s->area.width, rect->x + rect->width);
  double y1 = MAX (s->area.y + s->area.height, rect->y + rect->height);

  s->area = (EnvelopeRect) { x0, y0, x1 - x0, y1 - y0 };
  if (index > s->last_block)
    {
      s->last_block = index;
      s->detail = block->shape_text;
    }
}

/* The stretch on @row of the group whose path is @path's first @length
 * bytes, made when it is new. */
static Stretch *
stretch_of (GHashTable          *stretches,
            GPtrArray           *order,
            const char          *path,
            gsize                length,
            Stretch             *parent,
            const EnvelopeBlock *block,
            guint                index,
            guint                row,
            const EnvelopeRect  *rect)
{
  Stretch probe = { .path = (char *) path, .length = length, .row = row };
  Stretch *s = g_hash_table_lookup (stretches, &probe);

  if (s != NULL)
    {
      extend (s, block, index, rect);
      return s;
    }
  s = g_new0 (Stretch, 1);
  s->path = g_strndup (path, length);
  s->length = length;
  s->text = s->path;
  s->depth = path_depth (s->path);
  s->row = row;
  s->area = *rect;
  s->last_block = index;
  s->detail = block->shape_text;
  s->parent = parent;
  g_hash_table_add (stretches, s);
  g_ptr_array_add (order, s);
  return s;
}

/* Every group's stretch on every row, and every layer's block. */
static GPtrArray *
collect_stretches (const EnvelopeDiagram *diagram,
                   const EnvelopeLayout  *layout)
{
  g_autoptr(GHashTable) stretches = g_hash_table_new (stretch_hash, stretch_equal);
  GPtrArray *order = g_ptr_array_new_with_free_func (stretch_free);
  guint n = MIN (envelope_diagram_get_n_blocks (diagram), envelope_layout_get_n_blocks (layout));

  for (guint b = 0; b < n; b++)
    {
      const EnvelopeBlock *block = envelope_diagram_get_block (diagram, b);
      g_auto(GStrv) groups = NULL;
      g_autofree char *innermost = NULL;
      const char *leaf;
      guint row = envelope_layout_get_block_row (layout, b);
      Stretch *group = NULL;
      EnvelopeRect rect;

      envelope_layout_get_block_rect (layout, b, &rect);
      if (block->collapsed)
        {
          groups = envelope_diagram_get_block_groups (diagram, b);
          leaf = groups[0];
        }
      else
        leaf = innermost = envelope_diagram_get_layer_group (diagram, block->output_layer);

      if (leaf != NULL)
        {
          /* the groups it is in, outermost first, then its own */
          for (const char *p = strchr (leaf, '/'); p != NULL; p = strchr (p + 1, '/'))
            group = stretch_of (stretches, order, leaf, (gsize) (p - leaf), group, block, b, row, &rect);
          group = stretch_of (stretches, order, leaf, strlen (leaf), group, block, b, row, &rect);
          /* a collapsed block (its group's only one) is named as it is
           * drawn ("layer3/1…5") */
          if (block->collapsed)
            group->text = block->name;
        }
      if (!block->collapsed)
        {
          /* a layer's block, one level inside its group, by its own name */
          Stretch *s = g_new0 (Stretch, 1);
          const char *slash = strrchr (block->name, '/');

          s->text = slash != NULL ? slash + 1 : block->name;
          s->detail = block->shape_text;
          s->depth = group != NULL ? group->depth + 1 : 1;
          s->row = row;
          s->area = rect;
          s->last_block = b;
          s->parent = group;
          g_ptr_array_add (order, s);
        }
    }
  return order;
}

static gint
compare_stretches (gconstpointer a,
                   gconstpointer b)
{
  const Stretch *x = *(const Stretch * const *) a;
  const Stretch *y = *(const Stretch * const *) b;

  if (x->depth != y->depth)
    return x->depth < y->depth ? -1 : 1;
  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return x->area.x < y->area.x ? -1 : x->area.x > y->area.x ? 1 : 0;
}

/* Text measured at one pixel (absolute size), each text once in the
 * process: the names are those of the diagrams shown, and a frame that
 * moves the view asks for the same ones again.  One font map of its own
 * (Pango's default one is each thread's), under a lock. */
static GMutex measure_lock;
static PangoLayout *measure_layout;
static PangoFontDescription *measure_fonts[2];    /* the name's, the shape's */
static GHashTable *measured[2];                   /* by font: text → double[2] */
/* a bound on memory: the names of a few networks of thousands of layers */
#define MOST_MEASURED 65536

static void
measure (guint       font,
         const char *text,
         double     *width,
         double     *height)
{
  double *size;

  g_mutex_lock (&measure_lock);
  if (measure_layout == NULL)
    {
      static const char *const families[] = { LABEL_FONT, DETAIL_FONT };
      PangoFontMap *font_map = pango_cairo_font_map_new ();
      PangoContext *context = pango_font_map_create_context (font_map);

      /* the layout holds the context, which holds the font map */
      measure_layout = pango_layout_new (context);
      g_object_unref (context);
      g_object_unref (font_map);
      for (guint i = 0; i < G_N_ELEMENTS (families); i++)
        {
          measure_fonts[i] = pango_font_description_from_string (families[i]);
          /* measured large, for precision, and scaled down */
          pango_font_description_set_absolute_size (measure_fonts[i], 100 * PANGO_SCALE);
          measured[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        }
    }
  size = g_hash_table_lookup (measured[font], text);
  if (size == NULL)
    {
      PangoRectangle logical;

      pango_layout_set_font_description (measure_layout, measure_fonts[font]);
      pango_layout_set_text (measure_layout, text, -1);
      pango_layout_get_extents (measure_layout, NULL, &logical);
      size = g_new (double, 2);
      size[0] = (double) logical.width / PANGO_SCALE / 100;
      size[1] = (double) logical.height / PANGO_SCALE / 100;
      if (g_hash_table_size (measured[font]) >= MOST_MEASURED)
        g_hash_table_remove_all (measured[font]);
      g_hash_table_insert (measured[font], g_strdup (text), size);
    }
  *width = size[0];
  *height = size[1];
  g_mutex_unlock (&measure_lock);
}

/* A diagram's stretches, the coarsest first, and each group's longest
 * (a group's path → its longest stretch): they depend on the diagram
 * and its layout alone, which do not change, so that a view that moves
 * lays out only the labels.  Each thread keeps those of the last pair
 * it labelled, holding both, so that neither's address is another's. */
typedef struct
{
  EnvelopeDiagram *diagram;
  EnvelopeLayout *layout;
  GPtrArray *stretches;
  GHashTable *longest;
} Stretches;

static void
stretches_free (gpointer data)
{
  Stretches *cache = data;

  if (cache == NULL)
    return;
  g_clear_pointer (&cache->longest, g_hash_table_unref);
  g_clear_pointer (&cache->stretches, g_ptr_array_unref);
  g_clear_pointer (&cache->layout, envelope_layout_unref);
  g_clear_pointer (&cache->diagram, envelope_diagram_unref);
  g_free (cache);
}

static GPrivate last_stretches = G_PRIVATE_INIT (stretches_free);

static Stretches *
get_stretches (const EnvelopeDiagram *diagram,
               const EnvelopeLayout  *layout)
{
  Stretches *cache = g_private_get (&last_stretches);
  gboolean left_right = envelope_diagram_get_direction (diagram) == ENVELOPE_DIRECTION_LEFT_RIGHT;

  if (cache != NULL && cache->diagram == diagram && cache->layout == layout)
    {
      for (guint i = 0; i < cache->stretches->len; i++)
        ((Stretch *) g_ptr_array_index (cache->stretches, i))->named = 0;
      return cache;
    }

  cache = g_new0 (Stretches, 1);
  cache->diagram = envelope_diagram_ref ((EnvelopeDiagram *) diagram);
  cache->layout = envelope_layout_ref ((EnvelopeLayout *) layout);
  cache->stretches = collect_stretches (diagram, layout);
  g_ptr_array_sort (cache->stretches, compare_stretches);
  cache->longest = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < cache->stretches->len; i++)
    {
      Stretch *s = g_ptr_array_index (cache->stretches, i);
      const Stretch *other;

      if (s->path == NULL)
        continue;
      other = g_hash_table_lookup (cache->longest, s->path);

      if (other == NULL || (left_right ? s->area.width > other->area.width : s->area.height > other->area.height))
        g_hash_table_insert (cache->longest, s->path, s);
    }
  /* the previous pair's are freed */
  g_private_replace (&last_stretches, cache);
  return cache;
}

/* The characters of the shortest of @s's names: its path, or its last
 * part, or that shortened in its middle. */
static glong
shortest_name (const Stretch *s)
{
  const char *last = strrchr (s->text, '/');

  return MIN (g_utf8_strlen (s->depth > 1 && last != NULL ? last + 1 : s->text, -1), MIN_KEPT + 2);
}

/* The free space, in pixels, along the flow between the @i-th stretch
 * and its neighbour on its row and level (@step -1: before it, 1: after
 * it), or where there is none, up to @free. */
static double
gap_beside (const GPtrArray *stretches,
            guint            i,
            int              step,
            double           zoom,
            double           free)
{
  const Stretch *s = g_ptr_array_index (stretches, i);
  const Stretch *other;
  double gap;

  if ((step < 0 && i == 0) || (step > 0 && i + 1 >= stretches->len))
    return free;
  other = g_ptr_array_index (stretches, i + step);
  if (other->depth != s->depth || other->row != s->row)
    return free;
  gap = step < 0 ? s->area.x - (other->area.x + other->area.width) : other->area.x - (s->area.x + s->area.width);
  return CLAMP (gap * zoom, 0, free);
}

/* @text shortened in its middle to @kept characters, an ellipsis, and
 * its last characters when they are a number, or a number and a letter
 * ("dens…1" for "denseblock1", "incep…3a" for "inception3a"); NULL when
 * it is not longer than that. */
static char *
elide_middle (const char *text,
              glong       kept)
{
  glong length = g_utf8_strlen (text, -1), digits = 0;
  const char *end = text + strlen (text), *p = end;
  GString *out;

  /* a letter after a number ("3a") */
  if (p > text && g_unichar_isalpha (g_utf8_get_char (g_utf8_prev_char (p))))
    {
      const char *letter = g_utf8_prev_char (p);

      if (letter > text && g_unichar_isdigit (g_utf8_get_char (g_utf8_prev_char (letter))))
        {
          p = letter;
          digits++;
        }
    }
  while (p > text && digits < 4)
    {
      const char *previous = g_utf8_prev_char (p);

      if (!g_unichar_isdigit (g_utf8_get_char (previous)))
        break;
      p = previous;
      digits++;
    }
  if (kept + 1 + digits >= length)
    return NULL;
  out = g_string_new (NULL);
  g_string_append_len (out, text, g_utf8_offset_to_pointer (text, kept) - text);
  g_string_append (out, "…");
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

static gboolean
overlaps_any (const GArray       *labels,
              const EnvelopeRect *box)
{
  EnvelopeRect wide = *box;

  envelope_rect_inflate (&wide, LABEL_GAP / 2, LABEL_GAP / 2);
  for (guint i = 0; i < labels->len; i++)
    {
      EnvelopeRect other = g_array_index (labels, EnvelopeZoomLabel, i).box;

      envelope_rect_inflate (&other, LABEL_GAP / 2, LABEL_GAP / 2);
      if (envelope_rect_intersects (&wide, &other))
        return TRUE;
    }
  return FALSE;
}

/* The blocks in view, in pixels, by their top edge: a label placed
 * across the flow must not hide another block (top to bottom, where the
 * names are wider than the blocks of a branch). */
typedef struct
{
  GArray *rects;             /* EnvelopeRect, by y */
  double tallest;
} Blocks;

static gint
compare_tops (gconstpointer a,
              gconstpointer b)
{
  const EnvelopeRect *x = a, *y = b;

  return (x->y > y->y) - (x->y < y->y);
}

static void
blocks_init (Blocks                *blocks,
             const EnvelopeLayout  *layout,
             const EnvelopeRect    *view,
             double                 zoom,
             double                 origin_x,
             double                 origin_y)
{
  guint n = envelope_layout_get_n_blocks (layout);

  blocks->rects = g_array_new (FALSE, FALSE, sizeof (EnvelopeRect));
  blocks->tallest = 0;
  for (guint b = 0; b < n; b++)
    {
      EnvelopeRect rect;

      envelope_layout_get_block_rect (layout, b, &rect);
      rect = (EnvelopeRect) { origin_x + rect.x * zoom, origin_y + rect.y * zoom, rect.width * zoom, rect.height * zoom };
      if (!envelope_rect_intersects (&rect, view))
        continue;
      g_array_append_val (blocks->rects, rect);
      blocks->tallest = MAX (blocks->tallest, rect.height);
    }
  g_array_sort (blocks->rects, compare_tops);
}

/* Whether @box covers a block that is not in @own (the group or the
 * block it names); a touch at the edges does not count. */
static gboolean
covers_other_block (const Blocks       *blocks,
                    const EnvelopeRect *box,
                    const EnvelopeRect *own)
{
  const EnvelopeRect *rects = (const EnvelopeRect *) (gpointer) blocks->rects->data;
  guint low = 0, high = blocks->rects->len;
  EnvelopeRect inner = *box;

  if (blocks->rects->len == 0)
    return FALSE;
  envelope_rect_inflate (&inner, -1, -1);
  /* the first block that may reach down into the box */
  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (rects[mid].y + blocks->tallest < inner.y)
        low = mid + 1;
      else
        high = mid;
    }
  for (guint i = low; i < blocks->rects->len && rects[i].y < inner.y + inner.height; i++)
    {
      const EnvelopeRect *r = &rects[i];

      if (!envelope_rect_intersects (r, &inner))
        continue;
      if (r->x >= own->x - 0.5 && r->y >= own->y - 0.5 && r->x + r->width <= own->x + own->width + 0.5 &&
          r->y + r->height <= own->y + own->height + 0.5)
        continue;
      return TRUE;
    }
  return FALSE;
}

/* Whether the group @s is in was named on its row, and is narrow
 * enough for that name to say what is in it. */
static gboolean
named_by_parent (const Stretch *s)
{
  return s->parent != NULL && s->parent->named == 1;
}

/* Where a label of @size's width and height goes over @shown (what is
 * in view of its group): centred if that is free, else further along
 * its row, or, for a @wide group, above the row, where its parts' names
 * do not go, and for a narrow one just over or under its blocks.  With
 * @blocks (a flow from top to bottom), no place that hides a block
 * outside @own, and also just beside the group, left or right.
 * Returns FALSE when every place covers another label, or such a block. */
static gboolean
place (const GArray       *labels,
       const Blocks       *blocks,
       const EnvelopeRect *view,
       const EnvelopeRect *own,
       const EnvelopeRect *shown,
       gboolean            wide,
       const EnvelopeRect *size,
       EnvelopeRect       *box)
{
  static const double along[] = { 0.5, 0.25, 0.75, 0.1, 0.9 };
  double centre_y = shown->y + shown->height / 2;
  double heights[3];
  guint n_heights = 0;

  if (wide)
    {
      double above = centre_y - PART_HALF_HEIGHT - LABEL_GAP - size->height;

      if (above >= view->y)
        heights[n_heights++] = above;
    }
  heights[n_heights++] = centre_y - size->height / 2;
  if (!wide)
    {
      /* where its neighbour's name is in the way: over its blocks or
       * under them, in the space between the rows */
      heights[n_heights++] = shown->y - LABEL_GAP - size->height;
      heights[n_heights++] = shown->y + shown->height + LABEL_GAP;
    }

  for (guint h = 0; h < n_heights; h++)
    for (guint a = 0; a < G_N_ELEMENTS (along); a++)
      {
        box->width = size->width;
        box->height = size->height;
        box->x = shown->x + shown->width * along[a] - size->width / 2;
        box->y = heights[h];
        box->x = CLAMP (box->x, view->x, MAX (view->x, view->x + view->width - box->width));
        box->y = CLAMP (box->y, view->y, MAX (view->y, view->y + view->height - box->height));
        if (!overlaps_any (labels, box) && (blocks == NULL || !covers_other_block (blocks, box, own)))
          return TRUE;
      }
  if (blocks == NULL)
    return FALSE;
  /* beside it, level with its middle: right, then left */
  for (guint side = 0; side < 2; side++)
    {
      box->width = size->width;
      box->height = size->height;
      box->x = side == 0 ? shown->x + shown->width + LABEL_GAP : shown->x - LABEL_GAP - size->width;
      box->y = centre_y - size->height / 2;
      if (box->x < view->x || box->x + box->width > view->x + view->width || box->y < view->y ||
          box->y + box->height > view->y + view->height)
        continue;
      if (!overlaps_any (labels, box) && !covers_other_block (blocks, box, own))
        return TRUE;
    }
  return FALSE;
}

/* Callouts, for the groups still unnamed where the diagram is too small
 * for their names to go over them: each name in a card beside the
 * diagram, with a line to its group.  The cards go above the diagram
 * (for a group in its upper half) and under it, or, where a column of
 * cards fits on each side of a diagram more tall than flat (one folded
 * into many short rows, zoomed out), to its left and right; each as near its
 * group as the other cards allow.  Only the groups whose level is named
 * elsewhere or that are outermost, and the layers in no group when
 * there is room for them all; no more than a few tiers of cards hold. */
#define MOST_CALLOUTS 24
#define CALLOUT_TIERS 3

typedef struct
{
  Stretch *stretch;
  EnvelopeRect area;         /* its group, in pixels */
  const char *text;
  EnvelopeRect box;
} Callout;

/* A rectangle's place and size down the view (@vertical) or across it:
 * along a band of cards, down it for a band beside the diagram and
 * across it for one above or under; across the band, the other way. */
static inline double *
coord (EnvelopeRect *r,
       gboolean      vertical)
{
  return vertical ? &r->y : &r->x;
}

static inline double *
extent (EnvelopeRect *r,
        gboolean      vertical)
{
  return vertical ? &r->height : &r->width;
}

#define along(r, sides) coord ((r), (sides))
#define along_size(r, sides) extent ((r), (sides))
#define across(r, sides) coord ((r), !(sides))
#define across_size(r, sides) extent ((r), !(sides))

static gint
compare_callouts (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  gboolean sides = GPOINTER_TO_INT (data);
  Callout *x = (Callout *) a, *y = (Callout *) b;
  double cx = *along (&x->area, sides) + *along_size (&x->area, sides) / 2;
  double cy = *along (&y->area, sides) + *along_size (&y->area, sides) / 2;

  return cx < cy ? -1 : cx > cy ? 1 : 0;
}

static double
across_middle (Callout *card,
               gboolean sides)
{
  return *across (&card->area, sides) + *across_size (&card->area, sides) / 2;
}

/* Two cards' groups and texts traded, each card keeping its place. */
static void
swap_cards (Callout  *x,
            Callout  *y,
            gboolean  sides)
{
  Callout swap = *x;
  double x_at = *along (&x->box, sides), y_at = *along (&y->box, sides);

  *x = *y;
  *y = swap;
  *along (&x->box, sides) = x_at;
  *along (&y->box, sides) = y_at;
}

/* Groups side by side across a band (blocks of one row, cards beside
 * the diagram) are in no order along it: their cards' lines cross when
 * the nearer group has the card further from it.  Within each run of
 * cards @first to @last whose groups are level, the card nearest the
 * groups goes to the group furthest from the band. */
static void
untangle_ties (GArray   *cards,
               guint     first,
               guint     last,
               guint     band,
               gboolean  sides,
               double    near,
               double    offset)
{
  for (guint k = first; k < last;)
    {
      Callout *a = &g_array_index (cards, Callout, k);
      double level = *along (&a->area, sides) + *along_size (&a->area, sides) / 2;
      double size = *along_size (&a->box, sides), slots = 0;
      gboolean before;
      guint m = k;

      while (m < last)
        {
          Callout *c = &g_array_index (cards, Callout, m);

          if (fabs (*along (&c->area, sides) + *along_size (&c->area, sides) / 2 - level) > 0.01 ||
              fabs (*along_size (&c->box, sides) - size) > 0.01)
            break;
          slots += *along (&c->box, sides) + size / 2;
          m++;
        }
      if (m - k < 2)
        {
          k = MAX (m, k + 1);
          continue;
        }
      /* cards before the groups: the first card to the furthest group */
      before = slots / (m - k) < level;
      for (guint i = k + 1; i < m; i++)
        for (guint j = i; j > k; j--)
          {
            Callout *x = &g_array_index (cards, Callout, j - 1), *y = &g_array_index (cards, Callout, j);
            double dx = fabs (across_middle (x, sides) - near), dy = fabs (across_middle (y, sides) - near);

            if (before ? dx >= dy : dx <= dy)
              break;
            swap_cards (x, y, sides);
          }
      /* each card against the band's edge again, at its own thickness */
      for (guint i = k; i < m; i++)
        {
          Callout *c = &g_array_index (cards, Callout, i);

          *across (&c->box, sides) = band == 0 ? near - (LABEL_GAP + 1) - offset - *across_size (&c->box, sides)
                                               : near + (LABEL_GAP + 1) + offset;
        }
      k = m;
    }
}

static void
add_callouts (GArray          *labels,
              GPtrArray       *stretches,
              GHashTable      *longest,
              const EnvelopeRect *view,
              double           zoom,
              double           origin_x,
              double           origin_y)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, TRUE, sizeof (Callout));
  EnvelopeRect drawn = { 0 };
  gboolean any = FALSE, sides;
  double widest = 0;

  /* what is drawn of the diagram: its groups in the view, and the names
   * already over it */
  for (guint i = 0; i < stretches->len; i++)
    {
      Stretch *s = g_ptr_array_index (stretches, i);
      Callout card = { s, { origin_x + s->area.x * zoom, origin_y + s->area.y * zoom,
                            s->area.width * zoom, s->area.height * zoom }, s->text, { 0 } };
      double width, height;

      if (!envelope_rect_intersects (&card.area, view))
        continue;
      if (any)
        envelope_rect_union (&drawn, &card.area, &drawn);
      else
        drawn = card.area;
      any = TRUE;
      if (s->named || (s->path == NULL && s->parent != NULL) || named_by_parent (s) ||
          (s->path != NULL && g_hash_table_lookup (longest, s->path) != s) ||
          (s->parent != NULL && s->parent->named != 2))
        continue;
      if (s->depth > 1 && strrchr (card.text, '/') != NULL && s->parent != NULL && s->parent->named)
        card.text = strrchr (card.text, '/') + 1;
      measure (0, card.text, &width, &height);
      card.box.width = width * LOWER_LEVEL_SIZE + 2 * PAD_X;
      card.box.height = height * LOWER_LEVEL_SIZE + 2 * PAD_Y;
      widest = MAX (widest, card.box.width);
      g_array_append_val (wanted, card);
    }
  /* the layers in no group only when all of them can be called out too */
  if (wanted->len > MOST_CALLOUTS)
    for (guint k = wanted->len; k-- > 0;)
      if (g_array_index (wanted, Callout, k).stretch->path == NULL)
        g_array_remove_index (wanted, k);
  if (wanted->len == 0 || wanted->len > MOST_CALLOUTS)
    return;
  widest = 0;
  for (guint k = 0; k < wanted->len; k++)
    widest = MAX (widest, g_array_index (wanted, Callout, k).box.width);
  for (guint i = 0; i < labels->len; i++)
    envelope_rect_union (&drawn, &g_array_index (labels, EnvelopeZoomLabel, i).box, &drawn);

  /* beside the diagram when a column of cards fits on each side and
   * the diagram is more tall than flat (rows under rows, whose lines
   * from above would cross the upper rows) */
  sides = MIN (drawn.x - view->x, view->x + view->width - drawn.x - drawn.width) >= widest + 2 * (LABEL_GAP + 1) &&
          drawn.height >= drawn.width / 2;
  g_array_sort_with_data (wanted, compare_callouts, GINT_TO_POINTER (sides));

  /* a band of cards on each side of the diagram, each in the order of
   * its groups along it, so that no two lines cross: each card as near
   * its group as the cards before it allow, moved back where the band
   * runs out of the view only as far as it must, and what a tier of the
   * band cannot hold in the next, further out */
  for (guint band = 0; band < 2; band++)
    {
      g_autoptr(GArray) cards = g_array_new (FALSE, TRUE, sizeof (Callout));
      double view_start = *along ((EnvelopeRect *) view, sides), view_size = *along_size ((EnvelopeRect *) view, sides);
      double near = band == 0 ? *across (&drawn, sides) : *across (&drawn, sides) + *across_size (&drawn, sides);
      double middle = *across (&drawn, sides) + *across_size (&drawn, sides) / 2;
      double offset = 0;
      guint first = 0;

      for (guint k = 0; k < wanted->len; k++)
        {
          Callout *card = &g_array_index (wanted, Callout, k);

          if ((*across (&card->area, sides) + *across_size (&card->area, sides) / 2 < middle) == (band == 0))
            g_array_append_val (cards, *card);
        }

      for (guint tier = 0; tier < CALLOUT_TIERS && first < cards->len; tier++)
        {
          double end = -G_MAXDOUBLE, total = 0, thickest = 0, limit;
          guint last = first;

          /* as many as the view holds along the band, in order */
          while (last < cards->len &&
                 total + *along_size (&g_array_index (cards, Callout, last).box, sides) +
                 (last > first ? LABEL_GAP + 1 : 0) <= view_size)
            {
              total += *along_size (&g_array_index (cards, Callout, last).box, sides) + (last > first ? LABEL_GAP + 1 : 0);
              last++;
            }
          if (last == first)
            break;
          for (guint k = first; k < last; k++)
            {
              Callout *card = &g_array_index (cards, Callout, k);
              double size = *along_size (&card->box, sides), thickness = *across_size (&card->box, sides);
              double at = *along (&card->area, sides) + *along_size (&card->area, sides) / 2 - size / 2;

              /* a pixel more than the gap: cards just the gap apart touch */
              *across (&card->box, sides) = band == 0 ? near - (LABEL_GAP + 1) - offset - thickness
                                                      : near + (LABEL_GAP + 1) + offset;
              at = MAX (at, view_start);
              if (k > first)
                at = MAX (at, end + LABEL_GAP + 1);
              *along (&card->box, sides) = at;
              end = at + size;
              thickest = MAX (thickest, thickness);
            }
          /* those past the view's end moved back, as far as they must */
          limit = view_start + view_size;
          for (guint k = last; k-- > first;)
            {
              Callout *card = &g_array_index (cards, Callout, k);

              *along (&card->box, sides) = MIN (*along (&card->box, sides), limit - *along_size (&card->box, sides));
              limit = *along (&card->box, sides) - (LABEL_GAP + 1);
            }
          untangle_ties (cards, first, last, band, sides, near, offset);
          for (guint k = first; k < last; k++)
            {
              Callout *card = &g_array_index (cards, Callout, k);
              EnvelopeZoomLabel label = { 0 };

              /* (within a hair: moved back, a card ends where the view does) */
              if (card->box.x < view->x - 0.01 || card->box.x + card->box.width > view->x + view->width + 0.01 ||
                  card->box.y < view->y - 0.01 || card->box.y + card->box.height > view->y + view->height + 0.01 ||
                  overlaps_any (labels, &card->box))
                continue;
              label.text = g_strdup (card->text);
              label.depth = card->stretch->depth;
              label.area = card->area;
              label.box = card->box;
              label.size = LOWER_LEVEL_SIZE;
              label.callout = TRUE;
              g_array_append_val (labels, label);
              card->stretch->named = 1;
            }
          offset += thickest + LABEL_GAP + 1;
          first = last;
        }
    }
}

/**
 * envelope_zoom_labels_new:
 * @view: the visible part, in pixels (0, 0 at its top left)
 * @zoom: pixels per world unit
 * @origin_x: where the world's origin is, in pixels
 *
 * Lays out the names of the groups that are large enough to carry one
 * at @zoom: each label in type of ENVELOPE_ZOOM_LABEL_MIN_SIZE pixels or
 * more, over its group's blocks, inside @view, none covering another.
 *
 * Returns: (transfer full) (element-type EnvelopeZoomLabel): the labels,
 *   the coarsest first
 */
GArray *
envelope_zoom_labels_new (const EnvelopeDiagram *diagram,
                          const EnvelopeLayout  *layout,
                          const EnvelopeRect    *view,
                          double                 zoom,
                          double                 origin_x,
                          double                 origin_y)
{
  GArray *labels = g_array_new (FALSE, TRUE, sizeof (EnvelopeZoomLabel));
  GPtrArray *stretches;
  GHashTable *longest;
  g_autofree double *right_edge = NULL;
  Stretches *cache;
  Blocks blocks = { 0 }, *obstacles = NULL;
  gboolean left_right;

  g_return_val_if_fail (diagram != NULL && layout != NULL && view != NULL, labels);
  g_array_set_clear_func (labels, label_clear);
  if (zoom <= 0)
    return labels;

  left_right = envelope_diagram_get_direction (diagram) == ENVELOPE_DIRECTION_LEFT_RIGHT;
  if (!left_right)
    {
      blocks_init (&blocks, layout, view, zoom, origin_x, origin_y);
      obstacles = &blocks;
    }
  cache = get_stretches (diagram, layout);
  stretches = cache->stretches;
  longest = cache->longest;
  /* where each stretch's label ends on the right, -G_MAXDOUBLE for none */
  right_edge = g_new (double, MAX (stretches->len, 1));
  for (guint i = 0; i < stretches->len; i++)
    right_edge[i] = -G_MAXDOUBLE;

  for (guint i = 0; i < stretches->len; i++)
    {
      Stretch *s = g_ptr_array_index (stretches, i);
      EnvelopeRect area = {
        origin_x + s->area.x * zoom, origin_y + s->area.y * zoom, s->area.width * zoom, s->area.height * zoom,
      };
      EnvelopeRect shown, box, name_box = { 0 }, full_box;
      EnvelopeZoomLabel label = { 0 };
      g_autofree char *elided = NULL;
      double text_width, text_height, detail_width = 0, detail_height = 0, size, room;
      double x0, y0, x1, y1;
      const char *text;
      gboolean wide;

      if (named_by_parent (s))
        continue;
      /* a group over several rows is named once, on its longest */
      if (s->path != NULL && g_hash_table_lookup (longest, s->path) != s)
        continue;
      /* the part of the group in view */
      x0 = MAX (area.x, view->x);
      y0 = MAX (area.y, view->y);
      x1 = MIN (area.x + area.width, view->x + view->width);
      y1 = MIN (area.y + area.height, view->y + view->height);
      if (x1 <= x0 || y1 <= y0)
        continue;
      shown = (EnvelopeRect) { x0, y0, x1 - x0, y1 - y0 };

      /* one size a level, the stages' larger than their blocks': a name
       * may reach a little past its group's ends, not further; inside a
       * named group, its own part of the path may do ("3" in "encoder") */
      size = s->depth == 1 ? ENVELOPE_ZOOM_LABEL_MAX_SIZE : LOWER_LEVEL_SIZE;
      room = left_right ? shown.width * OVERREACH - 2 * PAD_X : shown.height * OVERREACH - 2 * PAD_Y;
      /* along a row, a name may also take the free space beside it: up
       * to its named neighbour's label before it, half the gap to its
       * neighbour after it (the other half is that one's), and more
       * where there is none */
      if (left_right)
        {
          double free = FREE_REACH * LOWER_LEVEL_SIZE, before, after;

          if (i > 0 && right_edge[i - 1] > -G_MAXDOUBLE)
            before = CLAMP (shown.x - right_edge[i - 1] - LABEL_GAP, 0, free);
          else
            before = gap_beside (stretches, i, -1, zoom, free) - LABEL_GAP / 2;
          after = gap_beside (stretches, i, 1, zoom, free);
          after = after >= free ? free : after / 2 - LABEL_GAP / 2;
          room = MAX (room, shown.width - 2 * PAD_X + MAX (before, 0) + MAX (after, 0));
        }
      text = s->text;
      /* too short for the shortest name it could have, before measuring
       * anything: at a network's whole length, most blocks are */
      if (left_right && room < LOWER_LEVEL_SIZE * MIN_ADVANCE * shortest_name (s))
        continue;
      measure (0, text, &text_width, &text_height);
      /* a part of a group says little without its group's name: its
       * own part of the path, and a shortened name, only inside a named
       * group, or where it is the outermost ("layer3" and "1", not "1") */
      if ((left_right ? text_width : text_height) * size > room && s->depth > 1 &&
          (s->parent == NULL || !s->parent->named))
        continue;
      if ((left_right ? text_width : text_height) * size > room && s->depth > 1 && strrchr (text, '/') != NULL)
        {
          text = strrchr (s->text, '/') + 1;
          measure (0, text, &text_width, &text_height);
        }
      /* a stage's name too long for its larger type takes the smaller */
      if ((left_right ? text_width : text_height) * size > room && size > LOWER_LEVEL_SIZE)
        size = LOWER_LEVEL_SIZE;
      /* still too long: shortened in its middle, down to a few letters */
      if (left_right && text_width * size > room)
        {
          const char *whole = text;

          for (glong kept = g_utf8_strlen (whole, -1) - 2; kept >= MIN_KEPT && text_width * size > room; kept--)
            {
              char *shorter = elide_middle (whole, kept);

              if (shorter == NULL)
                continue;
              g_free (elided);
              text = elided = shorter;
              measure (0, text, &text_width, &text_height);
            }
        }
      if ((left_right ? text_width : text_height) * size > room)
        continue;
      wide = (left_right ? area.width : area.height) > WIDE_SHARE * (left_right ? view->width : view->height);

      label.size = size;
      name_box.width = text_width * size + 2 * PAD_X;
      name_box.height = text_height * size + 2 * PAD_Y;
      full_box = name_box;
      if (s->detail != NULL && size >= ENVELOPE_ZOOM_LABEL_MAX_SIZE)
        {
          measure (1, s->detail, &detail_width, &detail_height);
          if (detail_width * size * DETAIL_SHARE + 2 * PAD_X <= (left_right ? shown.width : view->width))
            {
              full_box.width = MAX (full_box.width, detail_width * size * DETAIL_SHARE + 2 * PAD_X);
              full_box.height += detail_height * size * DETAIL_SHARE;
            }
        }
      if (!place (labels, obstacles, view, &area, &shown, wide && left_right, &full_box, &box))
        {
          gboolean placed = FALSE;

          /* the shape gives way first, then the name; across the flow,
           * a name shortened in its middle may fit where the whole did
           * not, between its neighbours' */
          if (full_box.height > name_box.height)
            placed = place (labels, obstacles, view, &area, &shown, wide && left_right, &name_box, &box);
          for (glong kept = g_utf8_strlen (text, -1) - 2; !placed && !left_right && kept >= MIN_KEPT; kept--)
            {
              char *shorter = elide_middle (text, kept);

              if (shorter == NULL)
                continue;
              measure (0, shorter, &text_width, &text_height);
              name_box.width = text_width * size + 2 * PAD_X;
              placed = place (labels, obstacles, view, &area, &shown, FALSE, &name_box, &box);
              if (placed)
                {
                  g_free (elided);
                  text = elided = shorter;
                }
              else
                g_free (shorter);
            }
          if (!placed)
            continue;
        }
      else if (full_box.height > name_box.height)
        label.detail = g_strdup (s->detail);
      label.text = g_strdup (text);
      label.depth = s->depth;
      label.area = area;
      label.box = box;
      g_array_append_val (labels, label);
      s->named = wide ? 2 : 1;
      right_edge[i] = box.x + box.width;
    }
  if (left_right)
    add_callouts (labels, stretches, longest, view, zoom, origin_x, origin_y);
  if (blocks.rects != NULL)
    g_array_unref (blocks.rects);
  return labels;
}

/* Labels shaped once and kept, by font, size and text: a view
 * that moves draws the same names again.  Each thread's, from a context
 * it brings up to date with the cairo_t it draws on (a change of its
 * font options or transformation has Pango shape them again). */
typedef struct
{
  PangoContext *context;
  GHashTable *layouts;       /* "font|size|text" → PangoLayout */
  cairo_matrix_t matrix;     /* what the context was brought up to date with */
  cairo_font_options_t *options;
} Shaped;

/* a bound on memory: many screens' worth of names */
#define MOST_SHAPED 4096

static void
shaped_free (gpointer data)
{
  Shaped *shaped = data;

  if (shaped == NULL)
    return;
  g_clear_pointer (&shaped->layouts, g_hash_table_unref);
  g_clear_pointer (&shaped->options, cairo_font_options_destroy);
  g_clear_object (&shaped->context);
  g_free (shaped);
}

static GPrivate thread_shaped = G_PRIVATE_INIT (shaped_free);

static Shaped *
get_shaped (cairo_t *cr)
{
  Shaped *shaped = g_private_get (&thread_shaped);

  if (shaped == NULL)
    {
      shaped = g_new0 (Shaped, 1);
      shaped->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      shaped->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_private_set (&thread_shaped, shaped);
    }
  /* what pango_cairo_create_layout() would take from @cr: its font
   * options and its transformation but for the translation.  Pango
   * counts the context changed (and shapes its layouts again) whenever
   * it is given a matrix, so it is told only of a new one. */
  {
    cairo_font_options_t *options = cairo_font_options_create ();
    cairo_matrix_t matrix;

    cairo_surface_get_font_options (cairo_get_target (cr), options);
    cairo_get_matrix (cr, &matrix);
    matrix.x0 = matrix.y0 = 0;
    if (shaped->options == NULL || !cairo_font_options_equal (options, shaped->options) ||
        memcmp (&matrix, &shaped->matrix, sizeof matrix) != 0)
      {
        pango_cairo_update_context (cr, shaped->context);
        g_clear_pointer (&shaped->options, cairo_font_options_destroy);
        shaped->options = g_steal_pointer (&options);
        shaped->matrix = matrix;
      }
    g_clear_pointer (&options, cairo_font_options_destroy);
  }
  return shaped;
}

/* Sets @text in @family at @size pixels, centred in @width; returns the
 * height of the line. */
static double
show (cairo_t    *cr,
      Shaped     *shaped,
      const char *family,
      const char *text,
      double      size,
      double      x,
      double      y,
      double      width)
{
  g_autofree char *key = g_strdup_printf ("%s|%d|%s", family, (int) (size * PANGO_SCALE), text);
  PangoLayout *layout = g_hash_table_lookup (shaped->layouts, key);
  PangoRectangle logical;

  if (layout == NULL)
    {
      g_autoptr(PangoFontDescription) font = pango_font_description_from_string (family);

      if (g_hash_table_size (shaped->layouts) >= MOST_SHAPED)
        g_hash_table_remove_all (shaped->layouts);
      pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
      layout = pango_layout_new (shaped->context);
      pango_layout_set_font_description (layout, font);
      pango_layout_set_text (layout, text, -1);
      g_hash_table_insert (shaped->layouts, g_steal_pointer (&key), layout);
    }
  /* centred by hand: a layout given the width would wrap a name that
   * the screen's hinting makes a hair wider than it was measured */
  pango_layout_get_extents (layout, NULL, &logical);
  cairo_move_to (cr, x + (width - (double) logical.width / PANGO_SCALE) / 2 - (double) logical.x / PANGO_SCALE, y);
  pango_cairo_show_layout (cr, layout);
  return (double) logical.height / PANGO_SCALE;
}

/**
 * envelope_zoom_labels_draw:
 * @cr: in pixels, as the labels were laid out
 *
 * Outlines each named group's blocks and sets its name over them, on a
 * card of the background's colour.
 */
void
envelope_zoom_labels_draw (cairo_t      *cr,
                           const GArray *labels,
                           EnvelopeTheme theme)
{
  EnvelopeColor background, ink;
  Shaped *shaped;

  g_return_if_fail (cr != NULL && labels != NULL);
  if (labels->len == 0)
    return;
  shaped = get_shaped (cr);

  envelope_theme_get_background (theme, &background);
  ink = theme == ENVELOPE_THEME_DARK ? (EnvelopeColor) { 0.93, 0.93, 0.95 } : (EnvelopeColor) { 0.12, 0.12, 0.14 };

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);
      EnvelopeRect area = label->area;

      /* on whole pixels: an outline, not a filled shape, the cheapest
       * Cairo draws */
      envelope_rect_inflate (&area, 4, 4);
      cairo_rectangle (cr, round (area.x) + 0.5, round (area.y) + 0.5, round (area.width), round (area.height));
      if (label->callout && (label->box.x + label->box.width < area.x || label->box.x > area.x + area.width))
        {
          /* from the card's edge nearest the group to the group's, for
           * a card beside it */
          gboolean left = label->box.x < area.x;
          double y = label->box.y + label->box.height / 2;

          cairo_move_to (cr, round (left ? label->box.x + label->box.width : label->box.x), round (y) + 0.5);
          cairo_line_to (cr, round (left ? area.x : area.x + area.width), round (area.y + area.height / 2) + 0.5);
        }
      else if (label->callout)
        {
          /* … above or under it */
          gboolean above = label->box.y < area.y;
          double x = label->box.x + label->box.width / 2;

          cairo_move_to (cr, round (x) + 0.5, round (above ? label->box.y + label->box.height : label->box.y));
          cairo_line_to (cr, round (area.x + area.width / 2) + 0.5, round (above ? area.y : area.y + area.height));
        }
      cairo_set_source_rgba (cr, ink.red, ink.green, ink.blue, label->depth == 1 ? 0.45 : 0.3);
      cairo_stroke (cr);
    }
  for (guint i = 0; i < labels->len; i++)
    {
      const EnvelopeZoomLabel *label = &g_array_index (labels, EnvelopeZoomLabel, i);
      double inner = label->box.width - 2 * PAD_X;
      double line;

      EnvelopeRect card = {
        round (label->box.x), round (label->box.y), round (label->box.width), round (label->box.height),
      };

      /* a card on whole pixels, its edge a shade darker: rectangles
       * Cairo fills without tessellating them */
      cairo_rectangle (cr, card.x, card.y, card.width, card.height);
      cairo_set_source_rgba (cr, ink.red, ink.green, ink.blue, 0.35);
      cairo_fill (cr);
      cairo_rectangle (cr, card.x + 1, card.y + 1, card.width - 2, card.height - 2);
      cairo_set_source_rgba (cr, background.red, background.green, background.blue, 0.92);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, ink.red, ink.green, ink.blue);
      line = show (cr, shaped, LABEL_FONT, label->text, label->size, label->box.x + PAD_X, label->box.y + PAD_Y, inner);
      if (label->detail != NULL)
        {
          cairo_set_source_rgba (cr, ink.red, ink.green, ink.blue, 0.75);
          show (cr, shaped, DETAIL_FONT, label->detail, label->size * DETAIL_SHARE, label->box.x + PAD_X,
                label->box.y + PAD_Y + line, inner);
        }
    }
  cairo_restore (cr);
}
