/* envelope-layer-edit.h: small conveniences for editing layers in the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "envelope-network.h"

G_BEGIN_DECLS

#define ENVELOPE_EDIT_ERROR (envelope_edit_error_quark ())

/**
 * EnvelopeEditError:
 * @ENVELOPE_EDIT_ERROR_KEY: no such setting for this kind of layer
 * @ENVELOPE_EDIT_ERROR_VALUE: a value of the wrong type for the setting
 * @ENVELOPE_EDIT_ERROR_CONNECTION: a connection the network cannot have
 */
typedef enum
{
  ENVELOPE_EDIT_ERROR_KEY,
  ENVELOPE_EDIT_ERROR_VALUE,
  ENVELOPE_EDIT_ERROR_CONNECTION,
} EnvelopeEditError;

GQuark     envelope_edit_error_quark            (void);

char     **envelope_layer_dup_effective_inputs  (const EnvelopeNetwork *network,
                                                 guint                  index);
gboolean   envelope_layer_reads                 (const EnvelopeNetwork *network,
                                                 guint                  index,
                                                 const char            *name);
gboolean   envelope_layer_set_from_variant      (EnvelopeLayer         *layer,
                                                 const char            *key,
                                                 GVariant              *value,
                                                 GError               **error);
const char *envelope_layer_kind_get_title       (EnvelopeLayerType      type);

G_END_DECLS
