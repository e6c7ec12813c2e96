/* test-render-helpers.h: a network laid out, for the renderer's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-render.h"
#include "test-helpers.h"

typedef struct
{
  Model *model;
  EnvelopeDiagram *diagram;
  EnvelopeLayout *layout;
} Laid;

static inline void
laid_free (Laid *laid)
{
  g_clear_pointer (&laid->layout, envelope_layout_unref);
  g_clear_pointer (&laid->diagram, envelope_diagram_unref);
  g_clear_pointer (&laid->model, model_free);
  g_free (laid);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Laid, laid_free)

/* @model (taken) drawn as @options say, and laid out. */
static inline Laid *
lay_out (Model                        *model,
         const EnvelopeDiagramOptions *options)
{
  g_autoptr(GError) error = NULL;
  Laid *laid = g_new0 (Laid, 1);

  laid->model = model;
  laid->diagram = envelope_diagram_new (model->analysis, options);
  laid->layout = envelope_layout_new (laid->diagram, &error);
  g_assert_no_error (error);
  g_assert_nonnull (laid->layout);
  return laid;
}
