/* envelope-render-private.h: what the renderer's units share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <hb.h>
#include <pango/pangocairo.h>

#include "envelope-diagram.h"
#include "envelope-hash.h"
#include "envelope-layout.h"

G_BEGIN_DECLS

typedef enum
{
  TEXT_BLOCK_NAME,
  TEXT_BLOCK_DETAIL,
  TEXT_EDGE_LABEL,
  TEXT_OVERLAY,
  TEXT_TITLE,
  TEXT_SUBTITLE,
  TEXT_LEGEND,
  TEXT_LEGEND_TITLE,
  TEXT_CLASSIC_LABEL,              /* a box's size in the proportional style */
  N_TEXT_STYLES
} TextStyle;

/* Fonts measured at 72 dpi without hinting, so that a width measured
 * once holds in world units at every zoom and on every surface. */
typedef struct
{
  char *family;
  gboolean shared;                     /* text_kit_get_shared()'s */
  PangoContext *context;
  PangoFontDescription *fonts[N_TEXT_STYLES];
  PangoLayout *layouts[N_TEXT_STYLES];
  double size[N_TEXT_STYLES];          /* points */
  double line_height[N_TEXT_STYLES];   /* ascent + descent, points */
  double ascent[N_TEXT_STYLES];
  GHashTable *shaped;                  /* "style|width|mode|text" → PangoLayout */
  GHashTable *advances[N_TEXT_STYLES]; /* a character alone → its width */
  hb_font_t *hb_fonts[N_TEXT_STYLES];  /* the primary fonts, for advances */
  double hb_scale[N_TEXT_STYLES];      /* their units to points */
} TextKit;

TextKit     *text_kit_new         (const char  *family);
TextKit     *text_kit_get_shared  (const char  *family);
void         text_kit_free        (TextKit     *kit);
double       text_kit_measure     (TextKit     *kit,
                                   TextStyle    style,
                                   const char  *text);
double       text_kit_measure_bound (TextKit   *kit,
                                     TextStyle  style,
                                     const char *text);
PangoLayout *text_kit_shaped      (TextKit     *kit,
                                   TextStyle    style,
                                   const char  *text,
                                   double       max_width,
                                   PangoEllipsizeMode ellipsize);

/* Block geometry shared by the diagram (sizes), the layout (edge ends)
 * and the renderer (drawing). */
#define BLOCK_PAD_X 8.0
#define BLOCK_PAD_Y 5.0
#define BLOCK_LINE_GAP 1.0
#define BLOCK_MIN_TEXT_WIDTH 92.0
#define BLOCK_MAX_TEXT_WIDTH 220.0
#define PROPORTIONAL_TEXT_GAP 5.0
/* the gap between boxes in the proportional style, which writes a
 * box's size under it rather than on the arrow */
#define CLASSIC_RANK_GAP 9.0

/* The receptive-field strip along the flow, above a row (left of a
 * column): its size and its distance from the blocks, and its title. */
#define RF_STRIP_SIZE 96.0
#define RF_STRIP_GAP 18.0
#define RF_STRIP_TITLE 14.0

/* The drawn box of a block in the proportional style, relative to the
 * centre of its node: the front face, and the offset of the receding
 * faces (up and to the right). */
void         block_box_geometry   (const EnvelopeBlock *block,
                                   EnvelopeDirection    direction,
                                   double               center_x,
                                   double               center_y,
                                   EnvelopeRect        *front,
                                   double              *depth_x,
                                   double              *depth_y);

guint        diagram_count_blocks (const EnvelopeAnalysis       *analysis,
                                   const EnvelopeDiagramOptions *options);

EnvelopeDiagram *diagram_new_wrapped (const EnvelopeDiagram *diagram,
                                      guint                  wrap);

guint64      diagram_hash_string  (guint64      hash,
                                   const char  *text);

G_END_DECLS
