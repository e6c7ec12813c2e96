/* envelope-layer-edit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "envelope-layer-edit.h"

G_DEFINE_QUARK (envelope-edit-error-quark, envelope_edit_error)

/* The names of the layers @index reads: its "inputs", or the layer
 * before it when it has none.  An empty list for input layers. */
char **
envelope_layer_dup_effective_inputs (const EnvelopeNetwork *network,
                                     guint                  index)
{
  const EnvelopeLayer *layer = envelope_network_get_layer (network, index);
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
  GStrvBuilder *builder;

  if (layer->inputs != NULL)
    return g_strdupv (layer->inputs);

  builder = g_strv_builder_new ();
  if (kind->max_inputs > 0 && index > 0)
    g_strv_builder_add (builder, envelope_network_get_layer (network, index - 1)->name);
  return g_strv_builder_end (builder);
}

gboolean
envelope_layer_reads (const EnvelopeNetwork *network,
                      guint                  index,
                      const char            *name)
{
  g_auto(GStrv) inputs = envelope_layer_dup_effective_inputs (network, index);

  return g_strv_contains ((const char * const *) inputs, name);
}

const char *
envelope_layer_kind_get_title (EnvelopeLayerType type)
{
  return _(envelope_layer_kind_get (type)->label);
}

static gboolean
read_pair (GVariant *value,
           gint64    pair[2])
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    {
      pair[0] = pair[1] = g_variant_get_int64 (value);
      return TRUE;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    {
      pair[0] = pair[1] = g_variant_get_int32 (value);
      return TRUE;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(xx)")))
    {
      g_variant_get (value, "(xx)", &pair[0], &pair[1]);
      return TRUE;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(ii)")))
    {
      gint32 h, w;
      g_variant_get (value, "(ii)", &h, &w);
      pair[0] = h;
      pair[1] = w;
      return TRUE;
    }
  return FALSE;
}

/* Sets one setting by its file key from a GVariant: an integer (x or i),
 * a pair (xx) or (ii), a boolean, a double or one per axis (ad), a list
 * of axes (ax), or for padding and rounding a string ("same", "valid",
 * "floor", "ceil").  Used by the actions that let tests and scripts edit
 * a layer as the inspector does. */
gboolean
envelope_layer_set_from_variant (EnvelopeLayer  *layer,
                                 const char     *key,
                                 GVariant       *value,
                                 GError        **error)
{
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (layer->type);
  const EnvelopeFieldInfo *info;
  EnvelopeField field;
  gboolean ok = FALSE;
  gint64 pair[2];

  if (g_str_equal (key, "name") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      /* names are checked where they come in (a file, an import, an
       * edit), not by every analysis */
      g_autofree char *problem = envelope_text_problem (g_variant_get_string (value, NULL), FALSE);

      if (problem != NULL)
        {
          g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_VALUE, _("The name %s"), problem);
          return FALSE;
        }
      g_free (layer->name);
      layer->name = g_variant_dup_string (value, NULL);
      return TRUE;
    }
  if (!envelope_field_lookup (key, &field) || !(kind->fields & ENVELOPE_FIELD_BIT (field)))
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_KEY,
                   _("“%s” is not a setting of a %s layer"), key, kind->id);
      return FALSE;
    }

  info = envelope_field_get_info (field);
  switch (info->value_kind)
    {
    case ENVELOPE_VALUE_SHAPE:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(xxx)")))
        {
          g_variant_get (value, "(xxx)", &layer->shape[0], &layer->shape[1], &layer->shape[2]);
          layer->shape_rank = 3;
          ok = TRUE;
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(xxxx)")))
        {
          g_variant_get (value, "(xxxx)", &layer->shape[0], &layer->shape[1], &layer->shape[2], &layer->shape[3]);
          layer->shape_rank = 4;
          ok = TRUE;
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(xx)")))
        {
          g_variant_get (value, "(xx)", &layer->shape[0], &layer->shape[1]);
          layer->shape_rank = 2;
          ok = TRUE;
        }
      else if (read_pair (value, pair))
        {
          layer->shape[0] = pair[0];
          layer->shape_rank = 1;
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_COUNT:
    case ENVELOPE_VALUE_INTEGER:
      if (read_pair (value, pair))
        {
          *(gint64 *) G_STRUCT_MEMBER_P (layer, info->offset) = pair[0];
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_PAIR:
    case ENVELOPE_VALUE_OFFSET:
      if (read_pair (value, pair))
        {
          gint64 *target = G_STRUCT_MEMBER_P (layer, info->offset);

          target[0] = pair[0];
          target[1] = pair[1];
          target[2] = pair[1];
          ENVELOPE_LAYER_LENGTH (layer, field) = pair[0] == pair[1] ? 0 : 2;
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_PADDING:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          const char *mode = g_variant_get_string (value, NULL);
          if (g_str_equal (mode, "same"))
            layer->padding_mode = ENVELOPE_PADDING_SAME, ok = TRUE;
          else if (g_str_equal (mode, "valid"))
            layer->padding_mode = ENVELOPE_PADDING_VALID, ok = TRUE;
        }
      else if (read_pair (value, pair))
        {
          layer->padding_mode = ENVELOPE_PADDING_EXPLICIT;
          layer->padding[0] = pair[0];
          layer->padding[1] = pair[1];
          layer->padding[2] = pair[1];
          ENVELOPE_LAYER_LENGTH (layer, field) = pair[0] == pair[1] ? 0 : 2;
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_BOOLEAN:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        {
          *(gboolean *) G_STRUCT_MEMBER_P (layer, info->offset) = g_variant_get_boolean (value);
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_CHOICE:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          gint choice = envelope_field_choice_lookup (info, g_variant_get_string (value, NULL));

          if (choice >= 0)
            {
              *(gint *) G_STRUCT_MEMBER_P (layer, info->offset) = choice;
              ok = TRUE;
            }
        }
      break;

    case ENVELOPE_VALUE_FRACTION:
    case ENVELOPE_VALUE_REAL:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          *(double *) G_STRUCT_MEMBER_P (layer, info->offset) = g_variant_get_double (value);
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_NAME:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          char **target = G_STRUCT_MEMBER_P (layer, info->offset);
          const char *text = g_variant_get_string (value, NULL);

          g_free (*target);
          *target = text[0] != '\0' ? g_strdup (text) : NULL;
          ok = TRUE;
        }
      break;

    case ENVELOPE_VALUE_REALS:
      {
        double *target = G_STRUCT_MEMBER_P (layer, info->offset);

        if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
          {
            for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
              target[a] = g_variant_get_double (value);
            ENVELOPE_LAYER_LENGTH (layer, field) = 0;
            ok = TRUE;
          }
        else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("ad")) &&
                 g_variant_n_children (value) >= 1 && g_variant_n_children (value) <= ENVELOPE_MAX_SPATIAL)
          {
            gsize n = g_variant_n_children (value);

            for (gsize a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
              g_variant_get_child (value, MIN (a, n - 1), "d", &target[a]);
            ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) n;
            ok = TRUE;
          }
      }
      break;

    case ENVELOPE_VALUE_AXES:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE ("ax")) &&
          g_variant_n_children (value) >= 1 && g_variant_n_children (value) <= ENVELOPE_MAX_RANK)
        {
          gint64 *target = G_STRUCT_MEMBER_P (layer, info->offset);

          for (gsize i = 0; i < g_variant_n_children (value); i++)
            g_variant_get_child (value, i, "x", &target[i]);
          ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) g_variant_n_children (value);
          ok = TRUE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      g_set_error (error, ENVELOPE_EDIT_ERROR, ENVELOPE_EDIT_ERROR_VALUE,
                   _("“%s” cannot be set to a value of type %s"), key, g_variant_get_type_string (value));
      return FALSE;
    }
  layer->set |= ENVELOPE_FIELD_BIT (field);
  return TRUE;
}
