/* envelope-import-onnx.c: ONNX models
 *
 * The ModelProto is unpacked by the protobuf-c code generated from
 * onnx.proto; weights are never decoded, since an initializer's dims are
 * all a parameter count needs (and external-data files need not exist).
 * The graph is walked in dependency order with the shapes followed by
 * hand: every tensor has its full ONNX shape (batch axis first), and the
 * small integer tensors exporters compute shapes with (Shape, Gather,
 * Unsqueeze, Concat, Constant…) are evaluated, so that a Reshape fed by
 * them has a constant target.  Operators become Envelope layers; the
 * patterns exporters decompose (SiLU, hard swish, GELU, layer
 * normalization before opset 17, MatMul + Add) become one layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import-private.h"
#include "onnx.pb-c.h"

/* The widest tensor and the most values Envelope follows. */
#define ONNX_MAX_RANK ENVELOPE_IMPORT_MAX_RANK
#define ONNX_MAX_DIM G_MAXINT32
#define ONNX_MAX_ELEMENTS (G_GINT64_CONSTANT (1) << 40)
/* Integer tensors longer than this are not evaluated (shapes are short). */
#define ONNX_MAX_CONSTANT 64

typedef struct
{
  char *layer;                /* the Envelope layer whose output it is; NULL for a constant */
  gboolean known;             /* dims are known */
  guint rank;
  gint batch;                 /* the batch axis, or -1 where a reshape merged it away */
  gint64 dims[ONNX_MAX_RANK];
  gboolean initializer;       /* a weight: only its dims are read */
  gboolean constant;          /* computed from constants alone */
  guint n_ints;               /* its values, when a short integer tensor */
  gint64 ints[ONNX_MAX_CONSTANT];
  gboolean has_ints;
  gboolean has_real;          /* a one-value float tensor */
  double real;
  guint n_reals;              /* a short float tensor's values (Resize's scales) */
  double reals[ONNX_MAX_CONSTANT];
  const char *source;         /* the initializer a weight is (transposed, cast…), the model's string */
  gint64 table_rows;          /* fixed rows looked up in a table of this many (positions) */
} Value;

typedef struct
{
  Onnx__GraphProto *graph;
  EnvelopeNetwork *network;
  GPtrArray *notes;
  GHashTable *values;         /* tensor name → Value* */
  GHashTable *consumers;      /* tensor name → GPtrArray of node indices (GUINT_TO_POINTER) */
  GHashTable *value_info;     /* tensor name → Onnx__ValueInfoProto* */
  gboolean *done;             /* per node: already imported as part of a pattern */
  gint64 opset;
  const char *last_layer;
  gint batch;                 /* the batch axis of the output being made */
  guint n_batch_norm;
  guint n_decomposed_norms;
  GHashTable *unknown_ops;    /* op_type → count */
  GHashTable *layer_dims;     /* layer name → Value* (its output) */
  GHashTable *names;          /* the layer names taken */
  GHashTable *suffixes;       /* stem → the next number to try after it */
  GHashTable *tables;         /* an embedding's table (initializer name) → the layer's name */
  GHashTable *per_position;   /* dense layers made of a MatMul on each position of a map */
  GHashTable *windows;        /* node index + 1 → Window: the node a window attention's scope ends with */
  gint64 table_rows;          /* the latest embedding's table, or 0 */
  gint64 table_columns;
} Importer;

/* A layer name not yet taken: @stem, or @stem with a number.  Kept in
 * hash tables, since a graph of many thousand nodes named alike must not
 * cost a scan of the network per name. */
static char *
unique_name (Importer   *im,
             const char *stem)
{
  char *name;
  guint next;

  if (!g_hash_table_contains (im->names, stem))
    {
      name = g_strdup (stem);
      g_hash_table_add (im->names, g_strdup (name));
      return name;
    }
  next = GPOINTER_TO_UINT (g_hash_table_lookup (im->suffixes, stem));
  if (next == 0)
    next = 1;
  for (;; next++)
    {
      /* "Gather_4" twice: "Gather_4_1", not "Gather_41" */
      name = g_strdup_printf (stem[0] != '\0' && g_ascii_isdigit (stem[strlen (stem) - 1]) ? "%s_%u" : "%s%u",
                              stem, next);
      if (!g_hash_table_contains (im->names, name))
        break;
      g_free (name);
    }
  g_hash_table_replace (im->suffixes, g_strdup (stem), GUINT_TO_POINTER (next + 1));
  g_hash_table_add (im->names, g_strdup (name));
  return name;
}

static void
value_free (gpointer data)
{
  Value *v = data;

  g_free (v->layer);
  g_free (v);
}

/* Errors name the node: "node 12 "/layer1/conv/Conv" (Conv): …" */
static void
node_error (GError              **error,
            EnvelopeImportError   code,
            guint                 index,
            const Onnx__NodeProto *node,
            const char           *format,
            ...) G_GNUC_PRINTF (5, 6);

static void
node_error (GError              **error,
            EnvelopeImportError   code,
            guint                 index,
            const Onnx__NodeProto *node,
            const char           *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("node %u “%s” (%s): %s"), index,
               node->name != NULL ? node->name : "", node->op_type != NULL ? node->op_type : "?", message);
}

/* -- Recognising the format ---------------------------------------------- */

static gboolean
read_varint (const guint8 *data,
             gsize         length,
             gsize        *pos,
             guint64      *value)
{
  guint64 v = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 b;

      if (*pos >= length)
        return FALSE;
      b = data[(*pos)++];
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *value = v;
          return TRUE;
        }
    }
  return FALSE;
}

/* A ModelProto's first fields, read by hand so that a file that is not
 * one is never unpacked: each must be a ModelProto field with its wire
 * type, a length must fit in the file, and the ir_version, the graph or
 * an opset import must be among them. */
gboolean
envelope_import_looks_like_onnx (const guint8 *data,
                                 gsize         length)
{
  gsize pos = 0;
  gboolean telling = FALSE;

  for (guint n = 0; n < 8 && pos < length; n++)
    {
      guint64 key, value;
      guint field, wire;

      if (!read_varint (data, length, &pos, &key))
        return FALSE;
      field = (guint) (key >> 3);
      wire = (guint) (key & 7);
      switch (field)
        {
        case 1: case 5:  /* ir_version, model_version */
          if (wire != 0 || !read_varint (data, length, &pos, &value))
            return FALSE;
          if (field == 1 && (value < 1 || value > 100))
            return FALSE;
          telling = telling || field == 1;
          break;
        case 2: case 3: case 4: case 6: case 7: case 8: case 14: case 20: case 25:
          if (wire != 2 || !read_varint (data, length, &pos, &value))
            return FALSE;
          if (value > length - pos)
            return telling;   /* a truncated model after its ir_version: the reader says so */
          pos += value;
          telling = telling || field == 7 || field == 8;
          break;
        default:
          return FALSE;
        }
    }
  return telling;
}

/* protobuf-c unpacks nested messages recursively: a subgraph in an
 * attribute holds nodes whose attributes hold subgraphs, and a type may
 * nest sequences of sequences, as deep as the file likes.  So the
 * nesting is measured first, by hand and without recursion, along the
 * message fields the generated descriptors name. */
#define ONNX_MAX_NESTING 64

static gboolean
check_nesting (const guint8 *data,
               gsize         length,
               GError      **error)
{
  struct { const ProtobufCMessageDescriptor *desc; gsize end; } stack[ONNX_MAX_NESTING];
  guint depth = 0;
  gsize pos = 0;

  stack[0].desc = &onnx__model_proto__descriptor;
  stack[0].end = length;
  for (;;)
    {
      guint64 key, value;
      const ProtobufCFieldDescriptor *field;

      while (pos >= stack[depth].end)
        {
          if (depth == 0)
            return TRUE;
          depth--;
        }
      if (!read_varint (data, stack[depth].end, &pos, &key))
        break;
      switch (key & 7)
        {
        case 0:
          if (!read_varint (data, stack[depth].end, &pos, &value))
            goto corrupt;
          break;
        case 1:
          if (stack[depth].end - pos < 8)
            goto corrupt;
          pos += 8;
          break;
        case 5:
          if (stack[depth].end - pos < 4)
            goto corrupt;
          pos += 4;
          break;
        case 2:
          if (!read_varint (data, stack[depth].end, &pos, &value) || value > stack[depth].end - pos)
            goto corrupt;
          field = key >> 3 <= G_MAXUINT ? protobuf_c_message_descriptor_get_field (stack[depth].desc, (unsigned) (key >> 3)) : NULL;
          if (field != NULL && field->type == PROTOBUF_C_TYPE_MESSAGE)
            {
              if (depth + 1 == ONNX_MAX_NESTING)
                {
                  g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                               _("the ONNX model nests messages (subgraphs or types) more than %d deep, at byte %" PRIu64),
                               ONNX_MAX_NESTING, (guint64) pos);
                  return FALSE;
                }
              depth++;
              stack[depth].desc = field->descriptor;
              stack[depth].end = pos + value;
            }
          else
            pos += value;
          break;
        default:
          goto corrupt;
        }
    }
corrupt:
  /* protobuf-c's unpack names it */
  return TRUE;
}

/* -- Leaving the weights out ----------------------------------------------- */

/* protobuf-c copies every bytes field it unpacks, so a 550 MB model with
 * its weights would be held twice (the mapped file, and the copy).  The
 * weights are never read: only their dims are.  So for a large file, the
 * unpack is given a copy of the model without the initializers' large
 * data fields (raw_data and the typed *_data lists), assembled by walking
 * the wire format down to them; small ones stay (shape constants are
 * read).  On any doubt the caller unpacks the file itself. */
#define STRIP_ABOVE ((gsize) 16 << 20)
#define KEEP_DATA_BELOW 65536

static void
append_varint (GByteArray *out,
               guint64     value)
{
  do
    {
      guint8 b = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
      g_byte_array_append (out, &b, 1);
      value >>= 7;
    }
  while (value != 0);
}

/* The next field of [pos, end): its key, and where its value lies. */
static gboolean
next_field (const guint8 *data,
            gsize         end,
            gsize        *pos,
            guint64      *key,
            gsize        *value_start,
            gsize        *value_end)
{
  guint64 value;

  if (!read_varint (data, end, pos, key))
    return FALSE;
  *value_start = *pos;
  switch (*key & 7)
    {
    case 0:
      if (!read_varint (data, end, pos, &value))
        return FALSE;
      break;
    case 1:
      if (end - *pos < 8)
        return FALSE;
      *pos += 8;
      break;
    case 5:
      if (end - *pos < 4)
        return FALSE;
      *pos += 4;
      break;
    case 2:
      if (!read_varint (data, end, pos, &value) || value > end - *pos)
        return FALSE;
      *value_start = *pos;
      *pos += value;
      break;
    default:
      return FALSE;
    }
  *value_end = *pos;
  return TRUE;
}

/* A TensorProto without its large data fields. */
static gboolean
strip_tensor (const guint8 *data,
              gsize         start,
              gsize         end,
              GByteArray   *out)
{
  gsize pos = start;

  while (pos < end)
    {
      gsize field_start = pos, vs, ve;
      guint64 key, number;

      if (!next_field (data, end, &pos, &key, &vs, &ve))
        return FALSE;
      number = key >> 3;
      /* float_data 4, int32_data 5, string_data 6, int64_data 7,
       * raw_data 9, double_data 10, uint64_data 11 */
      if ((key & 7) == 2 && ve - vs >= KEEP_DATA_BELOW &&
          (number == 4 || number == 5 || number == 6 || number == 7 || number == 9 || number == 10 || number == 11))
        continue;
      g_byte_array_append (out, data + field_start, (guint) (pos - field_start));
    }
  return TRUE;
}

typedef gboolean (*StripFunc) (const guint8 *data,
                               gsize         start,
                               gsize         end,
                               GByteArray   *out);

/* The fields of [start, end) copied to @out, each field keyed @key
 * rewritten by @strip with its new length. */
static gboolean
strip_fields (const guint8 *data,
              gsize         start,
              gsize         end,
              guint64       key,
              StripFunc     strip,
              GByteArray   *out)
{
  gsize pos = start;

  while (pos < end)
    {
      gsize field_start = pos, vs, ve;
      guint64 found;

      if (!next_field (data, end, &pos, &found, &vs, &ve))
        return FALSE;
      if (found == key)
        {
          g_autoptr(GByteArray) inner = g_byte_array_new ();

          if (!strip (data, vs, ve, inner))
            return FALSE;
          append_varint (out, key);
          append_varint (out, inner->len);
          g_byte_array_append (out, inner->data, inner->len);
        }
      else
        g_byte_array_append (out, data + field_start, (guint) (pos - field_start));
    }
  return TRUE;
}

/* A GraphProto whose initializers (field 5) lose their large data. */
static gboolean
strip_graph (const guint8 *data,
             gsize         start,
             gsize         end,
             GByteArray   *out)
{
  return strip_fields (data, start, end, 5 << 3 | 2, strip_tensor, out);
}

/* A ModelProto whose graph (field 7) does, for a file large enough to
 * matter; NULL otherwise or on any doubt. */
static GByteArray *
strip_weights (const guint8 *data,
               gsize         length)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (length < STRIP_ABOVE || !strip_fields (data, 0, length, 7 << 3 | 2, strip_graph, out))
    return NULL;
  return g_steal_pointer (&out);
}

/* -- Values --------------------------------------------------------------- */

static Value *
lookup (Importer   *im,
        const char *name)
{
  if (name == NULL || name[0] == '\0')
    return NULL;
  return g_hash_table_lookup (im->values, name);
}

static Value *
define (Importer   *im,
        const char *name)
{
  Value *v = g_new0 (Value, 1);

  g_hash_table_replace (im->values, g_strdup (name), v);
  return v;
}

static gboolean
count_elements (const gint64 *dims,
                guint         rank,
                gint64       *out)
{
  gint64 n = 1;

  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] < 0 || dims[i] > ONNX_MAX_DIM)
        return FALSE;
      if (dims[i] != 0 && n > ONNX_MAX_ELEMENTS / dims[i])
        return FALSE;
      n *= dims[i];
    }
  *out = n;
  return TRUE;
}

/* Reads the values of a short tensor (a Constant's or an initializer's). */
static void
tensor_values (const Onnx__TensorProto *t,
               Value                   *v)
{
  gint64 n;
  gboolean raw = t->has_raw_data && t->raw_data.len > 0;

  if (!count_elements (t->dims, (guint) MIN (t->n_dims, ONNX_MAX_RANK), &n) || t->n_dims > ONNX_MAX_RANK)
    return;
  if (n > ONNX_MAX_CONSTANT)
    return;
  switch (t->data_type)
    {
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
      if (raw && t->raw_data.len == (gsize) n * 8)
        {
          for (gint64 i = 0; i < n; i++)
            {
              gint64 x;

              memcpy (&x, t->raw_data.data + i * 8, 8);
              v->ints[i] = GINT64_FROM_LE (x);
            }
        }
      else if (!raw && t->n_int64_data == (gsize) n)
        {
          if (n > 0)
            memcpy (v->ints, t->int64_data, (gsize) n * sizeof (gint64));
        }
      else
        return;
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      if (raw && t->raw_data.len == (gsize) n * 4)
        {
          for (gint64 i = 0; i < n; i++)
            {
              gint32 x;

              memcpy (&x, t->raw_data.data + i * 4, 4);
              v->ints[i] = GINT32_FROM_LE (x);
            }
        }
      else if (!raw && t->n_int32_data == (gsize) n)
        {
          for (gint64 i = 0; i < n; i++)
            v->ints[i] = t->int32_data[i];
        }
      else
        return;
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      if (raw && t->raw_data.len == (gsize) n * 4)
        {
          for (gint64 i = 0; i < n; i++)
            {
              float f;

              memcpy (&f, t->raw_data.data + i * 4, 4);
              v->reals[i] = f;
            }
        }
      else if (!raw && t->n_float_data == (gsize) n)
        {
          for (gint64 i = 0; i < n; i++)
            v->reals[i] = t->float_data[i];
        }
      else
        return;
      v->n_reals = (guint) n;
      if (n == 1)
        {
          v->has_real = TRUE;
          v->real = v->reals[0];
        }
      return;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      if (n == 1 && raw && t->raw_data.len == 8)
        {
          double d;

          memcpy (&d, t->raw_data.data, 8);
          v->has_real = TRUE;
          v->real = d;
        }
      return;
    default:
      return;
    }
  v->n_ints = (guint) n;
  v->has_ints = TRUE;
  if (n == 1)
    {
      v->has_real = TRUE;
      v->real = (double) v->ints[0];
    }
}

static const Onnx__AttributeProto *
attr (const Onnx__NodeProto *node,
      const char            *name)
{
  for (gsize i = 0; i < node->n_attribute; i++)
    if (node->attribute[i]->name != NULL && strcmp (node->attribute[i]->name, name) == 0)
      return node->attribute[i];
  return NULL;
}

static gint64
attr_int (const Onnx__NodeProto *node,
          const char            *name,
          gint64                 fallback)
{
  const Onnx__AttributeProto *a = attr (node, name);

  return a != NULL && a->has_i ? a->i : fallback;
}

static double
attr_float (const Onnx__NodeProto *node,
            const char            *name,
            double                 fallback)
{
  const Onnx__AttributeProto *a = attr (node, name);

  return a != NULL && a->has_f ? a->f : fallback;
}

static gboolean
attr_string_is (const Onnx__NodeProto *node,
                const char            *name,
                const char            *text)
{
  const Onnx__AttributeProto *a = attr (node, name);

  return a != NULL && a->has_s && a->s.len == strlen (text) && memcmp (a->s.data, text, a->s.len) == 0;
}

/* An integer list from an attribute (older opsets) or from a constant
 * input (newer ones). */
static gboolean
int_list (Importer              *im,
          const Onnx__NodeProto *node,
          const char            *attribute,
          gsize                  input,
          gint64                *out,
          guint                 *n_out)
{
  const Onnx__AttributeProto *a = attr (node, attribute);

  if (a != NULL && a->n_ints > 0)
    {
      if (a->n_ints > ONNX_MAX_CONSTANT)
        return FALSE;
      memcpy (out, a->ints, a->n_ints * sizeof (gint64));
      *n_out = (guint) a->n_ints;
      return TRUE;
    }
  if (input < node->n_input)
    {
      Value *v = lookup (im, node->input[input]);

      if (v != NULL && v->has_ints)
        {
          memcpy (out, v->ints, v->n_ints * sizeof (gint64));
          *n_out = v->n_ints;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
normalize_axis (gint64  axis,
                guint   rank,
                guint  *out)
{
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= (gint64) rank)
    return FALSE;
  *out = (guint) axis;
  return TRUE;
}

/* -- Names and groups ----------------------------------------------------- */

/* "/layer1/layer1.0/conv1/Conv" → "layer1/0/conv1": the scopes without
 * the operator, each without its parent's dotted prefix.  An unnamed
 * node is named after its operator. */
static char *
scope_name (const Onnx__NodeProto *node,
            gboolean               keep_op)
{
  g_auto(GStrv) parts = g_strsplit (node->name != NULL ? node->name : "", "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  const char *previous = NULL;
  guint n = g_strv_length (parts);
  GString *out = g_string_new (NULL);

  /* the last part names the operator ("Conv", "Conv_3") */
  for (guint i = 0; i < n; i++)
    {
      const char *part = parts[i];

      if (part[0] == '\0')
        continue;
      if (i == n - 1 && !keep_op && kept->len > 0)
        break;
      if (previous != NULL && g_str_has_prefix (part, previous) && part[strlen (previous)] == '.')
        part += strlen (previous) + 1;
      previous = parts[i];
      g_ptr_array_add (kept, (gpointer) part);
    }
  for (guint i = 0; i < kept->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '/');
      g_string_append (out, kept->pdata[i]);
    }
  if (out->len == 0)
    g_string_append (out, node->op_type != NULL && node->op_type[0] != '\0' ? node->op_type : "node");
  return g_string_free (out, FALSE);
}

/* A layer for @node reading @inputs (Values with a layer). */
static EnvelopeLayer *
add_layer (Importer              *im,
           EnvelopeLayerType      type,
           const Onnx__NodeProto *node,
           Value                **inputs,
           guint                  n_inputs)
{
  g_autofree char *stem = scope_name (node, FALSE);
  g_autofree char *name = NULL;
  EnvelopeLayer *layer;
  const char *slash;

  if (g_hash_table_contains (im->names, stem))
    {
      g_free (stem);
      stem = scope_name (node, TRUE);
    }
  name = unique_name (im, stem);
  layer = envelope_layer_new (type, name);
  slash = strrchr (stem, '/');
  if (slash != NULL)
    layer->group = g_strndup (stem, (gsize) (slash - stem));
  if (!(n_inputs == 1 && im->last_layer != NULL && g_strcmp0 (inputs[0]->layer, im->last_layer) == 0))
    {
      layer->inputs = g_new0 (char *, n_inputs + 1);
      for (guint i = 0; i < n_inputs; i++)
        layer->inputs[i] = g_strdup (inputs[i]->layer);
    }
  envelope_network_insert_layer (im->network, -1, layer);
  im->last_layer = layer->name;
  return layer;
}

/* The output of a layer: the tensor @name with @dims. */
static Value *
produce (Importer     *im,
         const char   *name,
         EnvelopeLayer *layer,
         const gint64 *dims,
         guint         rank)
{
  Value *v = define (im, name);
  Value *copy;

  v->layer = g_strdup (layer->name);
  v->known = TRUE;
  v->rank = rank;
  v->batch = im->batch;
  memcpy (v->dims, dims, rank * sizeof (gint64));
  copy = g_memdup2 (v, sizeof *v);
  copy->layer = g_strdup (v->layer);
  g_hash_table_replace (im->layer_dims, g_strdup (layer->name), copy);
  return v;
}

/* The same tensor under another name (Identity, a no-op Reshape). */
static void
alias (Importer    *im,
       const char  *name,
       const Value *from)
{
  Value *v = define (im, name);

  *v = *from;
  v->layer = g_strdup (from->layer);
}

static void
set_list (EnvelopeLayer *layer,
          EnvelopeField  field,
          gint64        *dest,
          const gint64  *values,
          guint          n)
{
  for (guint i = 0; i < n; i++)
    dest[i] = values[i];
  ENVELOPE_LAYER_LENGTH (layer, field) = (guint8) n;
  layer->set |= ENVELOPE_FIELD_BIT (field);
}

/* The axes of one sample: all but the batch axis. */
static guint
sample_rank (guint rank,
             gint  batch)
{
  return batch >= 0 ? rank - 1 : rank;
}

/* An ONNX axis as Envelope counts it, per sample. */
static gint64
env_axis (const Value *v,
          guint        axis)
{
  return v->batch >= 0 && (gint) axis > v->batch ? axis - 1 : axis;
}

static void
set_shape (EnvelopeLayer *layer,
           const gint64  *dims,
           guint          rank,
           gint           batch)
{
  guint k = 0;

  /* per sample: the batch axis is dropped */
  for (guint i = 0; i < rank; i++)
    if ((gint) i != batch)
      layer->shape[k++] = dims[i];
  layer->shape_rank = k;
  ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_SHAPE) = (guint8) k;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
}

/* -- Graph order ------------------------------------------------------- */

/* Kahn's order over the nodes, without recursion; a node left over sits
 * on a cycle. */
static guint *
sort_nodes (Importer *im,
            GError  **error)
{
  Onnx__GraphProto *g = im->graph;
  g_autoptr(GHashTable) producer = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint *pending = g_new0 (guint, g->n_node);
  g_autofree guint *order = g_new0 (guint, g->n_node);
  g_autofree guint *queue = g_new0 (guint, g->n_node);
  gsize head = 0, tail = 0, n_order = 0;

  for (gsize i = 0; i < g->n_node; i++)
    for (gsize j = 0; j < g->node[i]->n_output; j++)
      if (g->node[i]->output[j][0] != '\0')
        {
          const char *out = g->node[i]->output[j];
          guint other = GPOINTER_TO_UINT (g_hash_table_lookup (producer, out));

          /* each tensor has one producer, which releases its readers once */
          if (other == i + 1)
            {
              node_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, (guint) i, g->node[i],
                          _("it names its output “%s” twice: a tensor is written once"), out);
              return NULL;
            }
          if (other != 0)
            {
              node_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, (guint) i, g->node[i],
                          _("its output “%s” is also an output of node %u: a tensor is written once"),
                          out, other - 1);
              return NULL;
            }
          g_hash_table_insert (producer, g->node[i]->output[j], GUINT_TO_POINTER (i + 1));
        }
  for (gsize i = 0; i < g->n_node; i++)
    {
      for (gsize j = 0; j < g->node[i]->n_input; j++)
        {
          const char *in = g->node[i]->input[j];
          GPtrArray *users;

          if (in[0] == '\0')
            continue;
          users = g_hash_table_lookup (im->consumers, in);
          if (users == NULL)
            {
              users = g_ptr_array_new ();
              g_hash_table_insert (im->consumers, g_strdup (in), users);
            }
          g_ptr_array_add (users, GUINT_TO_POINTER (i));
          if (g_hash_table_contains (producer, in))
            pending[i]++;
        }
      if (pending[i] == 0)
        queue[tail++] = (guint) i;
    }
  while (head < tail)
    {
      guint i = queue[head++];

      order[n_order++] = i;
      for (gsize j = 0; j < g->node[i]->n_output; j++)
        {
          GPtrArray *users = g_hash_table_lookup (im->consumers, g->node[i]->output[j]);

          for (guint k = 0; users != NULL && k < users->len; k++)
            {
              guint u = GPOINTER_TO_UINT (users->pdata[k]);

              if (--pending[u] == 0)
                queue[tail++] = u;
            }
        }
    }
  if (n_order < g->n_node)
    {
      for (gsize i = 0; i < g->n_node; i++)
        if (pending[i] > 0)
          {
            node_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, (guint) i, g->node[i],
                        _("its inputs depend on its own output: the graph has a cycle"));
            return NULL;
          }
    }
  return g_steal_pointer (&order);
}

/* The nodes reading @tensor. */
static GPtrArray *
users_of (Importer   *im,
          const char *tensor)
{
  return g_hash_table_lookup (im->consumers, tensor);
}

/* The only node reading @tensor, if it is of @op and not yet imported;
 * also no graph output may be @tensor. */
static Onnx__NodeProto *
sole_user (Importer   *im,
           const char *tensor,
           const char *op,
           guint      *index)
{
  GPtrArray *users = users_of (im, tensor);
  Onnx__NodeProto *n;

  if (users == NULL || users->len != 1)
    return NULL;
  for (gsize i = 0; i < im->graph->n_output; i++)
    if (g_strcmp0 (im->graph->output[i]->name, tensor) == 0)
      return NULL;
  *index = GPOINTER_TO_UINT (users->pdata[0]);
  n = im->graph->node[*index];
  if (im->done[*index] || g_strcmp0 (n->op_type, op) != 0 || n->n_output < 1)
    return NULL;
  return n;
}

/* The other operand of a binary node, given one. */
static const char *
other_input (const Onnx__NodeProto *n,
             const char            *one)
{
  if (n->n_input != 2)
    return NULL;
  if (strcmp (n->input[0], one) == 0)
    return n->input[1];
  if (strcmp (n->input[1], one) == 0)
    return n->input[0];
  return NULL;
}

/* -- Shapes --------------------------------------------------------------- */

static gboolean
broadcast (const Value *a,
           const Value *b,
           gint64      *dims,
           guint       *rank)
{
  guint r = MAX (a->rank, b->rank);

  for (guint i = 0; i < r; i++)
    {
      gint64 x = i < r - a->rank ? 1 : a->dims[i - (r - a->rank)];
      gint64 y = i < r - b->rank ? 1 : b->dims[i - (r - b->rank)];

      if (x != y && x != 1 && y != 1)
        return FALSE;
      dims[i] = x == 1 ? y : x;
    }
  *rank = r;
  return TRUE;
}

/* Output size of a window over one axis. */
static gint64
window_out (gint64   in,
            gint64   kernel,
            gint64   stride,
            gint64   dilation,
            gint64   pad,
            gboolean ceil_mode)
{
  gint64 span = dilation * (kernel - 1) + 1;
  gint64 room = in + pad - span;

  if (room < 0 || stride < 1)
    return -1;
  if (ceil_mode)
    {
      gint64 out = (room + stride - 1) / stride + 1;

      /* the last window must start inside the input or its left padding */
      if ((out - 1) * stride >= in + pad / 2)
        out--;
      return out;
    }
  return room / stride + 1;
}

/* -- Operators --------------------------------------------------------- */

typedef struct
{
  Importer *im;
  guint index;
  const Onnx__NodeProto *node;
  Value *in[8];               /* the inputs, NULL where absent */
  GError **error;
} Op;

static gboolean
need_shape (Op          *op,
            const Value *v)
{
  if (v == NULL || !v->known)
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, op->node,
                  _("the shape of its input is not known"));
      return FALSE;
    }
  return TRUE;
}

static gboolean import_unknown (Op *op, const char *why);
static void retype (EnvelopeLayer *layer, EnvelopeLayerType type);

/* Conv, ConvTranspose, MaxPool, AveragePool. */
static gboolean
import_window (Op               *op,
               EnvelopeLayerType type)
{
  const Onnx__NodeProto *n = op->node;
  Value *x = op->in[0], *w = op->in[1];
  gboolean conv = type == ENVELOPE_LAYER_CONV || type == ENVELOPE_LAYER_DECONV;
  gint64 kernel[ONNX_MAX_RANK], stride[ONNX_MAX_RANK], dilation[ONNX_MAX_RANK];
  gint64 pads[2 * ONNX_MAX_RANK], out_pad[ONNX_MAX_RANK], dims[ONNX_MAX_RANK];
  gint64 groups = attr_int (n, "group", 1), filters;
  guint n_spatial, nk = 0, ns = 0, nd = 0, np = 0, nop = 0;
  gboolean ceil_mode = attr_int (n, "ceil_mode", 0) != 0, same = FALSE, same_lower = FALSE;
  gboolean symmetric = TRUE;
  EnvelopeLayer *layer;

  if (!need_shape (op, x))
    return FALSE;
  if (x->batch != 0)
    return import_unknown (op, _("its input’s batch axis is not the first"));
  if (x->rank < 3 || x->rank > 5)
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, n,
                  _("its input has %u axes; Envelope follows 1-D, 2-D and 3-D windows"), x->rank);
      return FALSE;
    }
  n_spatial = x->rank - 2;
  if (conv && (w == NULL || !w->known || w->rank != x->rank))
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, n,
                  _("its weight’s dims are not known or do not fit its input"));
      return FALSE;
    }
  if (!int_list (op->im, n, "kernel_shape", G_MAXSIZE, kernel, &nk))
    {
      if (!conv)
        {
          node_error (op->error, ENVELOPE_IMPORT_ERROR_CORRUPT, op->index, n, _("it has no kernel_shape"));
          return FALSE;
        }
      for (guint i = 0; i < n_spatial; i++)
        kernel[i] = w->dims[2 + i];
      nk = n_spatial;
    }
  if (nk != n_spatial)
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_CORRUPT, op->index, n,
                  _("kernel_shape has %u entries for %u spatial axes"), nk, n_spatial);
      return FALSE;
    }
  if (!int_list (op->im, n, "strides", G_MAXSIZE, stride, &ns) || ns != n_spatial)
    for (guint i = 0; i < n_spatial; i++)
      stride[i] = 1;
  if (!int_list (op->im, n, "dilations", G_MAXSIZE, dilation, &nd) || nd != n_spatial)
    for (guint i = 0; i < n_spatial; i++)
      dilation[i] = 1;
  if (!int_list (op->im, n, "pads", G_MAXSIZE, pads, &np) || np != 2 * n_spatial)
    for (guint i = 0; i < 2 * n_spatial; i++)
      pads[i] = 0;
  if (!int_list (op->im, n, "output_padding", G_MAXSIZE, out_pad, &nop) || nop != n_spatial)
    for (guint i = 0; i < n_spatial; i++)
      out_pad[i] = 0;
  same = attr_string_is (n, "auto_pad", "SAME_UPPER") || attr_string_is (n, "auto_pad", "SAME_LOWER");
  same_lower = attr_string_is (n, "auto_pad", "SAME_LOWER");
  for (guint i = 0; i < n_spatial; i++)
    {
      if (kernel[i] < 1 || stride[i] < 1 || dilation[i] < 1 || pads[i] < 0 || pads[i + n_spatial] < 0
          || kernel[i] > ONNX_MAX_DIM || stride[i] > ONNX_MAX_DIM || dilation[i] > ONNX_MAX_DIM
          || pads[i] > ONNX_MAX_DIM || pads[i + n_spatial] > ONNX_MAX_DIM)
        {
          node_error (op->error, ENVELOPE_IMPORT_ERROR_CORRUPT, op->index, n,
                      _("kernel, strides, dilations or pads out of range on axis %u"), i);
          return FALSE;
        }
      if (pads[i] != pads[i + n_spatial])
        symmetric = FALSE;
    }
  if (type == ENVELOPE_LAYER_DECONV)
    filters = w->dims[1] * groups;
  else if (conv)
    filters = w->dims[0];
  else
    filters = x->dims[1];
  if (conv && (groups < 1 || x->dims[1] % groups != 0 || filters < 1))
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_CORRUPT, op->index, n,
                  _("group %" PRId64 " does not divide its %" PRId64 " input channels"),
                  (gint64) groups, (gint64) x->dims[1]);
      return FALSE;
    }
  dims[0] = x->dims[0];
  dims[1] = filters;
  for (guint i = 0; i < n_spatial; i++)
    {
      gint64 in = x->dims[2 + i], o;

      if (same)
        o = type == ENVELOPE_LAYER_DECONV ? in * stride[i] : (in + stride[i] - 1) / stride[i];
      else if (type == ENVELOPE_LAYER_DECONV)
        o = (in - 1) * stride[i] - pads[i] - pads[i + n_spatial] + dilation[i] * (kernel[i] - 1) + out_pad[i] + 1;
      else
        o = window_out (in, kernel[i], stride[i], dilation[i], pads[i] + pads[i + n_spatial], ceil_mode);
      if (o < 1)
        {
          node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, n,
                      _("its window does not fit its input on spatial axis %u"), i);
          return FALSE;
        }
      dims[2 + i] = o;
    }

  layer = add_layer (op->im, type, n, &x, 1);
  set_list (layer, ENVELOPE_FIELD_KERNEL, layer->kernel, kernel, n_spatial);
  set_list (layer, ENVELOPE_FIELD_STRIDE, layer->stride, stride, n_spatial);
  if (same)
    {
      layer->padding_mode = ENVELOPE_PADDING_SAME;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_PADDING);
      if (same_lower)
        envelope_import_note (op->im->notes, _("%s: SAME_LOWER padding is taken as “same” (the extra row goes after)"),
                              layer->name);
    }
  else
    {
      gint64 before[ONNX_MAX_RANK];

      /* Envelope pads both sides alike: an uneven pair keeps the output
       * size with the larger side first, and the output shape is what
       * the later layers need. */
      for (guint i = 0; i < n_spatial; i++)
        before[i] = (pads[i] + pads[i + n_spatial] + 1) / 2;
      layer->padding_mode = ENVELOPE_PADDING_EXPLICIT;
      set_list (layer, ENVELOPE_FIELD_PADDING, layer->padding, before, n_spatial);
      if (!symmetric)
        envelope_import_note (op->im->notes, _("%s: uneven padding is taken as even padding of the larger side"),
                              layer->name);
    }
  if (conv)
    {
      layer->filters = filters;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_FILTERS);
      set_list (layer, ENVELOPE_FIELD_DILATION, layer->dilation, dilation, n_spatial);
      layer->groups = groups;
      layer->bias = op->in[2] != NULL;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_GROUPS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
      if (type == ENVELOPE_LAYER_DECONV)
        set_list (layer, ENVELOPE_FIELD_OUTPUT_PADDING, layer->output_padding, out_pad, n_spatial);
    }
  else
    {
      layer->rounding = ceil_mode ? ENVELOPE_ROUNDING_CEIL : ENVELOPE_ROUNDING_FLOOR;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_ROUNDING);
    }
  produce (op->im, n->output[0], layer, dims, x->rank);
  return TRUE;
}

/* An Add of a bias initializer right after @layer (a dense or conv
 * without bias): folded into its bias. */
static const char *
fold_bias (Importer      *im,
           EnvelopeLayer *layer,
           const char    *tensor,
           gint64         units)
{
  guint index;
  Onnx__NodeProto *add = sole_user (im, tensor, "Add", &index);
  const char *other;
  Value *b;
  gint64 n;

  if (add == NULL || (other = other_input (add, tensor)) == NULL)
    return tensor;
  b = lookup (im, other);
  if (b == NULL || !b->initializer || !count_elements (b->dims, b->rank, &n) || n != units)
    return tensor;
  layer->bias = TRUE;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  im->done[index] = TRUE;
  return add->output[0];
}

static gboolean
import_dense (Op *op)
{
  const Onnx__NodeProto *n = op->node;
  gboolean gemm = strcmp (n->op_type, "Gemm") == 0;
  Value *x = op->in[0], *w = op->in[1];
  gint64 dims[ONNX_MAX_RANK], units;
  EnvelopeLayer *layer;
  const char *out;

  if (!need_shape (op, x))
    return FALSE;
  if (w->rank != 2 || x->dims[x->rank - 1] != w->dims[gemm && attr_int (n, "transB", 0) ? 1 : 0]
      || (gemm && attr_int (n, "transA", 0) != 0))
    return import_unknown (op, _("its weight’s dims do not fit its input’s last axis"));
  units = w->dims[gemm && attr_int (n, "transB", 0) ? 0 : 1];
  memcpy (dims, x->dims, x->rank * sizeof (gint64));
  dims[x->rank - 1] = units;
  layer = add_layer (op->im, ENVELOPE_LAYER_DENSE, n, &x, 1);
  layer->units = units;
  layer->bias = gemm && op->in[2] != NULL;
  /* on each position of a map (a sample of three axes or more): a dense
   * layer only until the stretch it is in proves channels last */
  if (sample_rank (x->rank, x->batch) >= 3)
    g_hash_table_add (op->im->per_position, g_strdup (layer->name));
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_UNITS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  /* an embedding's table, transposed (GPT-2's lm_head tied to wte):
   * its weights are counted once, there */
  if (w->source != NULL && g_hash_table_contains (op->im->tables, w->source))
    {
      layer->shares = g_strdup (g_hash_table_lookup (op->im->tables, w->source));
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES);
    }
  else if (!gemm && units == op->im->table_rows && w->dims[0] == op->im->table_columns && units >= 1000)
    /* a copy of the table, transposed when constants were folded: the
     * file cannot say whether the two were one */
    envelope_import_note (op->im->notes, _("%s: its weights have the shape of the token embedding’s table; if the two are tied, "
                                           "as in GPT-2, export without do_constant_folding to have them counted once."),
                          layer->name);
  out = layer->bias ? n->output[0] : fold_bias (op->im, layer, n->output[0], units);
  produce (op->im, out, layer, dims, x->rank);
  return TRUE;
}

/* A layer with one input and the input's shape. */
static EnvelopeLayer *
unary (Op               *op,
       EnvelopeLayerType type,
       Value            *x,
       const char       *output)
{
  EnvelopeLayer *layer = add_layer (op->im, type, op->node, &x, 1);

  produce (op->im, output, layer, x->dims, x->rank);
  return layer;
}

/* Layer normalization as exporters below opset 17 write it:
 * ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add. */
static gboolean
import_decomposed_norm (Op *op)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  const char *x = n->input[0];
  GPtrArray *users = users_of (im, n->output[0]);
  Onnx__NodeProto *sub = NULL, *pow, *mean2, *add, *sqrt_, *div, *mul, *add2;
  guint isub = 0, ipow, imean2, iadd, isqrt, idiv, imul = 0, iadd2 = 0, n_axes = 0;
  gint64 axes[ONNX_MAX_CONSTANT];
  GPtrArray *sub_users;
  Value *xv = op->in[0], *g;
  EnvelopeLayer *layer;
  const char *out;
  guint axis;

  if (users == NULL || users->len != 1 || xv == NULL || !xv->known)
    return FALSE;
  if (!int_list (im, n, "axes", 1, axes, &n_axes) || n_axes != 1 || !normalize_axis (axes[0], xv->rank, &axis)
      || axis != xv->rank - 1)
    return FALSE;
  isub = GPOINTER_TO_UINT (users->pdata[0]);
  sub = im->graph->node[isub];
  if (strcmp (sub->op_type, "Sub") != 0 || sub->n_input != 2 || sub->n_output < 1 || strcmp (sub->input[0], x) != 0)
    return FALSE;
  sub_users = users_of (im, sub->output[0]);
  if (sub_users == NULL || sub_users->len != 2)
    return FALSE;
  pow = im->graph->node[GPOINTER_TO_UINT (sub_users->pdata[0])];
  div = im->graph->node[GPOINTER_TO_UINT (sub_users->pdata[1])];
  ipow = GPOINTER_TO_UINT (sub_users->pdata[0]);
  if (strcmp (pow->op_type, "Pow") != 0)
    {
      Onnx__NodeProto *t = pow;
      pow = div;
      div = t;
      ipow = GPOINTER_TO_UINT (sub_users->pdata[1]);
    }
  if (strcmp (pow->op_type, "Pow") != 0 || strcmp (div->op_type, "Div") != 0 || pow->n_output < 1 || div->n_output < 1)
    return FALSE;
  if ((mean2 = sole_user (im, pow->output[0], "ReduceMean", &imean2)) == NULL
      || (add = sole_user (im, mean2->output[0], "Add", &iadd)) == NULL
      || (sqrt_ = sole_user (im, add->output[0], "Sqrt", &isqrt)) == NULL
      || sole_user (im, sqrt_->output[0], "Div", &idiv) != div)
    return FALSE;
  out = div->output[0];
  mul = sole_user (im, out, "Mul", &imul);
  if (mul != NULL && (g = lookup (im, other_input (mul, out))) != NULL && g->initializer)
    {
      out = mul->output[0];
      add2 = sole_user (im, out, "Add", &iadd2);
      if (add2 != NULL && (g = lookup (im, other_input (add2, out))) != NULL && g->initializer)
        out = add2->output[0];
      else
        add2 = NULL;
    }
  else
    mul = add2 = NULL;

  layer = unary (op, ENVELOPE_LAYER_LAYER_NORM, xv, out);
  layer->affine = mul != NULL;
  layer->bias = add2 != NULL;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AFFINE) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  /* over the last axis of a map: the channels of each position only in
   * a channels-last stretch Envelope follows */
  if (sample_rank (xv->rank, xv->batch) >= 3)
    g_hash_table_add (im->per_position, g_strdup (layer->name));
  im->done[isub] = im->done[ipow] = im->done[imean2] = im->done[iadd] = im->done[isqrt] = im->done[idiv] = TRUE;
  if (mul != NULL)
    im->done[imul] = TRUE;
  if (add2 != NULL)
    im->done[iadd2] = TRUE;
  im->n_decomposed_norms++;
  return TRUE;
}

/* GELU as exporters write it: Div by √2, Erf, Add 1, Mul by x, Mul ½. */
static gboolean
import_gelu (Op *op)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  const char *x = n->input[0];
  Onnx__NodeProto *erf, *add, *mul, *half;
  guint ierf, iadd, imul, ihalf;
  Value *c;
  const char *out;

  c = op->in[1];
  if (c == NULL || !c->has_real || fabs (c->real - G_SQRT2) > 1e-3)
    return FALSE;
  if ((erf = sole_user (im, n->output[0], "Erf", &ierf)) == NULL
      || (add = sole_user (im, erf->output[0], "Add", &iadd)) == NULL
      || (mul = sole_user (im, add->output[0], "Mul", &imul)) == NULL
      || g_strcmp0 (other_input (mul, add->output[0]), x) != 0)
    return FALSE;
  out = mul->output[0];
  half = sole_user (im, out, "Mul", &ihalf);
  if (half != NULL && (c = lookup (im, other_input (half, out))) != NULL && c->has_real && fabs (c->real - 0.5) < 1e-6)
    {
      out = half->output[0];
      im->done[ihalf] = TRUE;
    }
  unary (op, ENVELOPE_LAYER_GELU, op->in[0], out);
  im->done[ierf] = im->done[iadd] = im->done[imul] = TRUE;
  return TRUE;
}

/* Sigmoid(x)·x is SiLU; HardSigmoid(x)·x is hard swish. */
static gboolean
import_gated (Op               *op,
              EnvelopeLayerType type)
{
  guint index;
  Onnx__NodeProto *mul = sole_user (op->im, op->node->output[0], "Mul", &index);

  if (mul == NULL || g_strcmp0 (other_input (mul, op->node->output[0]), op->node->input[0]) != 0)
    return FALSE;
  if (type == ENVELOPE_LAYER_HARDSWISH
      && (fabs (attr_float (op->node, "alpha", 0.2) - 1.0 / 6.0) > 1e-4 || fabs (attr_float (op->node, "beta", 0.5) - 0.5) > 1e-6))
    return FALSE;
  unary (op, type, op->in[0], mul->output[0]);
  op->im->done[index] = TRUE;
  return TRUE;
}

static void fold_constant_value (Op *op);

/* Evaluates integer arithmetic on constants (shape computations); a
 * single number is a scalar of known (empty) shape. */
static void
fold_constant (Op *op)
{
  Value *out;

  fold_constant_value (op);
  out = lookup (op->im, op->node->output[0]);
  /* one integer is a number too (a shape's last axis, sliced off, then
   * taken to a power) */
  if (out != NULL && out->has_ints && out->n_ints == 1 && !out->has_real)
    {
      out->has_real = TRUE;
      out->real = (double) out->ints[0];
    }
  if (out != NULL && out->has_real && !out->known)
    {
      out->known = TRUE;
      out->rank = 0;
    }
}

static void
fold_constant_value (Op *op)
{
  const Onnx__NodeProto *n = op->node;
  Value *out = define (op->im, n->output[0]);
  Value *a = op->in[0], *b = op->in[1];
  const char *t = n->op_type;

  out->constant = TRUE;
  if (strcmp (t, "Identity") == 0 || strcmp (t, "Cast") == 0 || strcmp (t, "Unsqueeze") == 0
      || strcmp (t, "Squeeze") == 0 || strcmp (t, "Reshape") == 0 || strcmp (t, "Flatten") == 0)
    {
      if (a != NULL)
        {
          *out = *a;
          out->layer = NULL;
          /* an Identity of a weight is the weight: the exporter writes one
           * tensor for equal ones (an untrained model's LayerNorm ones)
           * and an Identity for each of the others */
          out->initializer = a->initializer && strcmp (t, "Identity") == 0;
          out->constant = TRUE;
          if (strcmp (t, "Unsqueeze") == 0 && a->has_ints && a->rank == 0)
            {
              out->rank = 1;
              out->dims[0] = a->n_ints;
            }
          if (strcmp (t, "Reshape") == 0 && a->known && b != NULL && b->has_ints && b->n_ints <= ONNX_MAX_RANK)
            {
              /* pads computed by reshaping a constant ([-1, 2]) */
              gint64 total, known = 1, dims[ONNX_MAX_RANK];
              guint hole = G_MAXUINT;

              out->known = FALSE;
              if (!count_elements (a->dims, a->rank, &total))
                return;
              for (guint i = 0; i < b->n_ints; i++)
                {
                  dims[i] = b->ints[i] == 0 && i < a->rank ? a->dims[i] : b->ints[i];
                  if (dims[i] == -1 && hole == G_MAXUINT)
                    hole = i;
                  else if (dims[i] < 1 || dims[i] > ONNX_MAX_DIM)
                    return;
                  else
                    known *= dims[i];
                }
              if (hole != G_MAXUINT)
                dims[hole] = total / known;
              out->rank = b->n_ints;
              memcpy (out->dims, dims, sizeof dims);
              out->known = TRUE;
            }
        }
      return;
    }
  if (strcmp (t, "Slice") == 0 && a != NULL && a->known && a->rank >= 1)
    {
      gint64 starts[ONNX_MAX_CONSTANT], ends[ONNX_MAX_CONSTANT], axes[ONNX_MAX_CONSTANT], steps[ONNX_MAX_CONSTANT];
      gint64 first[ONNX_MAX_RANK], step[ONNX_MAX_RANK], count[ONNX_MAX_RANK], stride[ONNX_MAX_RANK];
      guint ns = 0, ne = 0, na = 0, nst = 0, r = a->rank, total = 1;

      /* a small integer tensor sliced, backwards too (PyTorch's pads) */
      if (!int_list (op->im, n, "starts", 1, starts, &ns) || !int_list (op->im, n, "ends", 2, ends, &ne) || ns != ne)
        return;
      if (!int_list (op->im, n, "axes", 3, axes, &na))
        for (na = 0; na < ns && na < ONNX_MAX_CONSTANT; na++)
          axes[na] = na;
      if (!int_list (op->im, n, "steps", 4, steps, &nst))
        for (nst = 0; nst < ns && nst < ONNX_MAX_CONSTANT; nst++)
          steps[nst] = 1;
      if (na != ns || nst != ns)
        return;
      for (guint i = 0; i < r; i++)
        {
          first[i] = 0;
          step[i] = 1;
          count[i] = a->dims[i];
        }
      for (guint i = 0; i < ns; i++)
        {
          guint ax;
          gint64 len, st, en;

          if (!normalize_axis (axes[i], r, &ax) || steps[i] == 0)
            return;
          /* the step's size without negating it (the smallest gint64
           * has no positive), and the span, within the axis, is at least
           * 1 before it is divided: no sum here can overflow */
          guint64 stride_size = steps[i] > 0 ? (guint64) steps[i] : (guint64) (-(steps[i] + 1)) + 1;

          len = a->dims[ax];
          st = starts[i] < 0 ? starts[i] + len : starts[i];
          en = ends[i] < 0 ? ends[i] + len : ends[i];
          if (steps[i] > 0)
            {
              st = CLAMP (st, 0, len);
              en = CLAMP (en, 0, len);
              count[ax] = en > st ? (gint64) ((guint64) (en - st - 1) / stride_size + 1) : 0;
            }
          else
            {
              st = CLAMP (st, -1, len - 1);
              en = CLAMP (en, -1, len - 1);
              count[ax] = st > en ? (gint64) ((guint64) (st - en - 1) / stride_size + 1) : 0;
            }
          first[ax] = st;
          step[ax] = steps[i];
        }
      if (!a->has_ints)
        {
          /* a larger tensor (GPT's causal mask cut to the sequence): its
           * dims alone, and a learned one stays learned */
          out->known = TRUE;
          out->rank = r;
          memcpy (out->dims, count, r * sizeof (gint64));
          out->initializer = a->initializer;
          out->source = a->source;
          return;
        }
      stride[r - 1] = 1;
      for (guint i = r - 1; i > 0; i--)
        stride[i - 1] = stride[i] * a->dims[i];
      for (guint i = 0; i < r; i++)
        total *= (guint) count[i];
      if (total > ONNX_MAX_CONSTANT)
        return;
      for (guint k = 0; k < total; k++)
        {
          guint rest = k;
          gint64 index = 0;

          for (guint i = r; i > 0; i--)
            {
              index += (first[i - 1] + (gint64) (rest % count[i - 1]) * step[i - 1]) * stride[i - 1];
              rest /= (guint) count[i - 1];
            }
          if (index < 0 || index >= a->n_ints)
            return;
          out->ints[k] = a->ints[index];
        }
      out->n_ints = total;
      out->has_ints = TRUE;
      out->known = TRUE;
      out->rank = r;
      memcpy (out->dims, count, r * sizeof (gint64));
      return;
    }
  if (strcmp (t, "Transpose") == 0 && a != NULL && a->known)
    {
      gint64 perm[ONNX_MAX_CONSTANT];
      guint n_perm = 0;

      /* a weight stored transposed (nn.Linear exported as MatMul) */
      *out = *a;
      out->layer = NULL;
      out->has_ints = FALSE;
      if (!int_list (op->im, n, "perm", G_MAXSIZE, perm, &n_perm))
        {
          n_perm = a->rank;
          for (guint i = 0; i < n_perm; i++)
            perm[i] = n_perm - 1 - i;
        }
      if (n_perm != a->rank)
        {
          out->known = FALSE;
          return;
        }
      for (guint i = 0; i < n_perm; i++)
        {
          if (perm[i] < 0 || perm[i] >= a->rank)
            {
              out->known = FALSE;
              return;
            }
          out->dims[i] = a->dims[perm[i]];
        }
      if (a->has_ints && a->rank == 2 && perm[0] == 1)
        {
          /* a small integer matrix transposed (PyTorch's pads) */
          for (gint64 i = 0; i < a->dims[0]; i++)
            for (gint64 j = 0; j < a->dims[1]; j++)
              out->ints[j * a->dims[0] + i] = a->ints[i * a->dims[1] + j];
          out->has_ints = TRUE;
        }
      else if (a->has_ints && a->rank == 2)
        out->has_ints = TRUE;
      return;
    }
  if (strcmp (t, "Concat") == 0)
    {
      guint total = 0;

      /* float lists: Resize's scales */
      for (gsize i = 0; i < n->n_input && i < G_N_ELEMENTS (op->in); i++)
        {
          if (op->in[i] == NULL || op->in[i]->n_reals == 0 || total + op->in[i]->n_reals > ONNX_MAX_CONSTANT)
            {
              total = 0;
              break;
            }
          memcpy (out->reals + total, op->in[i]->reals, op->in[i]->n_reals * sizeof (double));
          total += op->in[i]->n_reals;
        }
      out->n_reals = total;
      total = 0;
      for (gsize i = 0; i < n->n_input && i < G_N_ELEMENTS (op->in); i++)
        {
          if (op->in[i] == NULL || !op->in[i]->has_ints || total + op->in[i]->n_ints > ONNX_MAX_CONSTANT)
            return;
          memcpy (out->ints + total, op->in[i]->ints, op->in[i]->n_ints * sizeof (gint64));
          total += op->in[i]->n_ints;
        }
      out->n_ints = total;
      out->has_ints = TRUE;
      out->known = TRUE;
      out->rank = 1;
      out->dims[0] = total;
      return;
    }
  if (strcmp (t, "Gather") == 0 && a != NULL && b != NULL && a->initializer && !a->has_ints && a->known
      && a->rank == 2 && b->known && b->rank + 1 <= ONNX_MAX_RANK && attr_int (n, "axis", 0) == 0)
    {
      /* fixed rows of a learned table (GPT's wpe(arange(T))): a learned
       * tensor, which the sum it goes into reads as a position embedding
       * of the table's rows */
      out->known = out->initializer = TRUE;
      out->rank = b->rank + 1;
      memcpy (out->dims, b->dims, b->rank * sizeof (gint64));
      out->dims[b->rank] = a->dims[1];
      out->source = a->source;
      out->table_rows = a->dims[0];
      return;
    }
  if (strcmp (t, "Gather") == 0 && a != NULL && b != NULL && a->has_ints && b->has_ints)
    {
      for (guint i = 0; i < b->n_ints; i++)
        {
          gint64 k = b->ints[i] < 0 ? b->ints[i] + a->n_ints : b->ints[i];

          if (k < 0 || k >= a->n_ints)
            return;
          out->ints[i] = a->ints[k];
        }
      out->n_ints = b->n_ints;
      out->has_ints = TRUE;
      out->known = TRUE;
      out->rank = b->rank;
      memcpy (out->dims, b->dims, sizeof out->dims);
      if (b->n_ints == 1)
        {
          out->has_real = TRUE;
          out->real = (double) out->ints[0];
        }
      return;
    }
  if ((strcmp (t, "Add") == 0 || strcmp (t, "Sub") == 0 || strcmp (t, "Mul") == 0 || strcmp (t, "Div") == 0
       || strcmp (t, "Mod") == 0)
      && a != NULL && b != NULL && a->has_ints && b->has_ints
      && (a->n_ints == b->n_ints || b->n_ints == 1 || a->n_ints == 1))
    {
      guint m = MAX (a->n_ints, b->n_ints);

      *out = *(a->n_ints >= b->n_ints ? a : b);
      out->layer = NULL;
      out->constant = TRUE;
      out->initializer = FALSE;
      for (guint i = 0; i < m; i++)
        {
          gint64 x = a->ints[a->n_ints == 1 ? 0 : i], y = b->ints[b->n_ints == 1 ? 0 : i], r;
          gboolean beyond;

          switch (t[0])
            {
            case 'A': beyond = __builtin_add_overflow (x, y, &r); break;
            case 'S': beyond = __builtin_sub_overflow (x, y, &r); break;
            case 'M':
              if (t[1] == 'o')
                {
                  /* Swin's padding to whole windows: the remainder takes
                   * the divisor's sign (fmod 0) */
                  beyond = x == G_MININT64 && y == -1;
                  r = beyond || y == 0 ? 0 : x % y;
                  if (r != 0 && (r < 0) != (y < 0) && !attr_int (n, "fmod", 0))
                    r += y;
                  break;
                }
              beyond = __builtin_mul_overflow (x, y, &r);
              break;
            default:
              beyond = x == G_MININT64 && y == -1;
              r = beyond || y == 0 ? 0 : x / y;
              break;
            }
          if (beyond)
            {
              /* a value beyond 64 bits is not known, rather than wrapped */
              out->n_ints = 0;
              out->has_ints = FALSE;
              out->has_real = FALSE;
              return;
            }
          out->ints[i] = r;
        }
      out->n_ints = m;
      out->has_ints = TRUE;
      out->has_real = m == 1;
      out->real = (double) out->ints[0];
      return;
    }
  /* the attention's scale, 1 / √d, worked out from a shape */
  if ((strcmp (t, "Sqrt") == 0 || strcmp (t, "Div") == 0 || strcmp (t, "Mul") == 0 || strcmp (t, "Pow") == 0
       || strcmp (t, "Reciprocal") == 0)
      && a != NULL && a->has_real && (t[1] == 'q' || t[0] == 'R' || (b != NULL && b->has_real)))
    {
      out->has_real = TRUE;
      out->real = t[1] == 'q' ? sqrt (a->real) : t[0] == 'R' ? (a->real != 0 ? 1 / a->real : 0)
                : t[0] == 'D' ? (b->real != 0 ? a->real / b->real : 0)
                : t[0] == 'P' ? pow (a->real, b->real) : a->real * b->real;
      return;
    }
  /* values written into a constant (Swin's shifted-window mask): its dims */
  if (strcmp (t, "ScatterND") == 0 && a != NULL && a->known)
    {
      out->known = TRUE;
      out->rank = a->rank;
      memcpy (out->dims, a->dims, sizeof out->dims);
      return;
    }
  /* positions counted (GPT's torch.arange(0, T)): start, limit, step */
  if (strcmp (t, "Range") == 0 && a != NULL && b != NULL && op->in[2] != NULL && a->has_ints && b->has_ints
      && op->in[2]->has_ints && a->n_ints == 1 && b->n_ints == 1 && op->in[2]->n_ints == 1)
    {
      gint64 start = a->ints[0], limit = b->ints[0], delta = op->in[2]->ints[0], count;

      if (delta == 0 || start < -ONNX_MAX_DIM || start > ONNX_MAX_DIM || limit < -ONNX_MAX_DIM
          || limit > ONNX_MAX_DIM || delta < -ONNX_MAX_DIM || delta > ONNX_MAX_DIM)
        return;
      count = delta > 0 ? (limit - start + delta - 1) / delta : (start - limit - delta - 1) / -delta;
      count = MAX (count, 0);
      out->known = TRUE;
      out->rank = 1;
      out->dims[0] = count;
      if (count <= ONNX_MAX_CONSTANT)
        {
          for (gint64 i = 0; i < count; i++)
            out->ints[i] = start + i * delta;
          out->n_ints = (guint) count;
          out->has_ints = TRUE;
        }
      return;
    }
  /* ViT's class token expanded to the batch: the target shape computed
   * with Equal and Where (-1 where the exporter keeps an axis) */
  if (strcmp (t, "Where") == 0 && a != NULL && b != NULL && a->known && b->known && (!a->has_ints || !b->has_ints))
    {
      /* a larger tensor chosen from (GPT's causal mask): its dims alone,
       * the three operands' broadcast (an Equal's are the fallback's) */
      Value *c = op->in[2], bc = *b;

      if (c == NULL || !c->known || !broadcast (b, c, out->dims, &out->rank))
        return;
      bc.rank = out->rank;
      memcpy (bc.dims, out->dims, sizeof bc.dims);
      out->known = broadcast (a, &bc, out->dims, &out->rank);
      return;
    }
  if ((strcmp (t, "Equal") == 0 || strcmp (t, "Where") == 0) && a != NULL && b != NULL && a->has_ints
      && b->has_ints)
    {
      Value *c = op->in[2];
      guint count = MAX (a->n_ints, b->n_ints);

      if (t[0] == 'W' && (c == NULL || !c->has_ints))
        return;
      if (t[0] == 'W')
        count = MAX (count, c->n_ints);
      /* the same length each, or a single value */
      if ((a->n_ints != count && a->n_ints != 1) || (b->n_ints != count && b->n_ints != 1)
          || (t[0] == 'W' && c->n_ints != count && c->n_ints != 1) || count > ONNX_MAX_CONSTANT)
        return;
      for (guint i = 0; i < count; i++)
        {
          gint64 x = a->ints[a->n_ints == 1 ? 0 : i], y = b->ints[b->n_ints == 1 ? 0 : i];

          out->ints[i] = t[0] == 'E' ? x == y : x ? y : c->ints[c->n_ints == 1 ? 0 : i];
        }
      out->n_ints = count;
      out->has_ints = out->known = TRUE;
      out->rank = 1;
      out->dims[0] = count;
      return;
    }
  if (strcmp (t, "Expand") == 0 && a != NULL && a->known && b != NULL && b->has_ints && b->n_ints <= ONNX_MAX_RANK)
    {
      Value target = { 0 };

      /* a tensor broadcast to the target shape: only its dims are
       * followed, and a learned one stays learned */
      target.known = TRUE;
      target.rank = b->n_ints;
      for (guint i = 0; i < b->n_ints; i++)
        target.dims[i] = b->ints[i] < 1 ? 1 : b->ints[i];
      if (!broadcast (a, &target, out->dims, &out->rank))
        return;
      out->known = TRUE;
      out->initializer = a->initializer;
      return;
    }
  if (strcmp (t, "ConstantOfShape") == 0 && a != NULL && a->has_ints && a->n_ints <= ONNX_MAX_RANK)
    {
      gint64 count;

      const Onnx__AttributeProto *value = attr (n, "value");
      Value fill = { 0 };

      out->rank = a->n_ints;
      if (a->n_ints > 0)
        memcpy (out->dims, a->ints, a->n_ints * sizeof (gint64));
      out->known = count_elements (out->dims, out->rank, &count);
      if (!out->known || count > ONNX_MAX_CONSTANT)
        return;
      if (value != NULL && value->t != NULL)
        tensor_values (value->t, &fill);
      for (gint64 i = 0; i < count; i++)
        out->ints[i] = fill.has_ints && fill.n_ints == 1 ? fill.ints[0] : 0;
      out->n_ints = (guint) count;
      out->has_ints = TRUE;
      return;
    }
  /* other elementwise work on constants too large to hold (Swin's mask,
   * built from index grids): the dims, where they broadcast */
  if (a != NULL && a->known)
    {
      static const char *const unary[] = { "Neg", "Abs", "Not", "Sqrt", "Floor", "Ceil", "Exp", "Log", "Erf",
                                           "Reciprocal", NULL };
      static const char *const binary[] = { "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Equal", "Less", "Greater",
                                            "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Max", "Min", NULL };

      if (g_strv_contains (unary, t))
        {
          out->known = TRUE;
          out->rank = a->rank;
          memcpy (out->dims, a->dims, sizeof out->dims);
        }
      else if (g_strv_contains (binary, t) && b != NULL && b->known)
        out->known = broadcast (a, b, out->dims, &out->rank);
    }
}

/* An operator Envelope has no kind for: the shape the file gives its
 * output, or its first input's. */
static gboolean
import_unknown (Op         *op,
                const char *why)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  Value *inputs[8];
  guint n_inputs = 0;
  Value *first = NULL;
  Onnx__ValueInfoProto *info;
  gint64 dims[ONNX_MAX_RANK];
  guint rank = 0;
  EnvelopeLayer *layer;
  guint count;

  /* nothing reads what a node does not write (as import_node()) */
  if (n->n_output < 1 || n->output[0][0] == '\0')
    return TRUE;
  info = g_hash_table_lookup (im->value_info, n->output[0]);

  for (gsize i = 0; i < n->n_input && i < G_N_ELEMENTS (op->in); i++)
    if (op->in[i] != NULL && op->in[i]->layer != NULL)
      {
        inputs[n_inputs++] = op->in[i];
        if (first == NULL)
          first = op->in[i];
      }
  if (info != NULL && info->type != NULL && info->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
      && info->type->tensor_type->shape != NULL && info->type->tensor_type->shape->n_dim >= 2
      && info->type->tensor_type->shape->n_dim <= ENVELOPE_MAX_RANK + 1)
    {
      Onnx__TensorShapeProto *s = info->type->tensor_type->shape;

      rank = (guint) s->n_dim;
      for (guint i = 0; i < rank; i++)
        {
          if (s->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
              && s->dim[i]->dim_value > 0 && s->dim[i]->dim_value <= ONNX_MAX_DIM)
            dims[i] = s->dim[i]->dim_value;
          else if (i == 0)
            dims[i] = 1;
          else
            rank = 0;
        }
      im->batch = 0;
    }
  if (rank == 0 && first != NULL && first->known)
    {
      rank = first->rank;
      memcpy (dims, first->dims, rank * sizeof (gint64));
      im->batch = first->batch;
    }
  if (rank == 0 || sample_rank (rank, im->batch) < 1 || sample_rank (rank, im->batch) > ENVELOPE_MAX_RANK)
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, n,
                  _("Envelope has no kind for it and the file gives no shape for its output"));
      return FALSE;
    }
  if (n_inputs == 0)
    {
      node_error (op->error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, op->index, n,
                  _("it reads no tensor the network computes"));
      return FALSE;
    }
  layer = add_layer (im, ENVELOPE_LAYER_UNKNOWN, n, inputs, n_inputs);
  layer->operator_name = g_strdup (n->op_type);
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR);
  set_shape (layer, dims, rank, im->batch);
  if (sample_rank (rank, im->batch) == 2)
    {
      layer->layout = first != NULL && first->layer != NULL ? ENVELOPE_SHAPE_TOKENS : ENVELOPE_SHAPE_MAP;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
    }
  produce (im, n->output[0], layer, dims, rank);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (im->unknown_ops, n->op_type));
  g_hash_table_replace (im->unknown_ops, g_strdup (n->op_type), GUINT_TO_POINTER (count + 1));
  if (why != NULL)
    envelope_import_note (im->notes, _("%s (%s): %s; imported as an operator of unknown cost"), layer->name, n->op_type, why);
  return TRUE;
}

/* A reshape (or nothing) from @x to @dims. */
static void
reshape_to (Op          *op,
            Value       *x,
            const gint64 *dims,
            guint        rank)
{
  EnvelopeLayer *layer;
  gint batch = -1;
  gint64 a[ONNX_MAX_RANK], b[ONNX_MAX_RANK];
  guint na = 0, nb = 0;
  gboolean same;

  /* where the batch axis went: the first axis of one, if any; a reshape
   * that merges it into another axis leaves a tensor that is all one
   * sample (batch 1), such as attention's [T, B·H, Dh] */
  for (guint i = 0; i < rank && batch < 0; i++)
    if (dims[i] == 1)
      batch = (gint) i;
  op->im->batch = batch;
  for (guint i = 0; i < x->rank; i++)
    if ((gint) i != x->batch)
      a[na++] = x->dims[i];
  for (guint i = 0; i < rank; i++)
    if ((gint) i != batch)
      b[nb++] = dims[i];
  same = na == nb;
  for (guint i = 0; same && i < na; i++)
    same = a[i] == b[i];
  if (same)
    {
      Value *v;

      alias (op->im, op->node->output[0], x);
      v = lookup (op->im, op->node->output[0]);
      v->rank = rank;
      memcpy (v->dims, dims, rank * sizeof (gint64));
      v->batch = batch;
      return;
    }
  if (nb == 1)
    {
      layer = add_layer (op->im, ENVELOPE_LAYER_FLATTEN, op->node, &x, 1);
      produce (op->im, op->node->output[0], layer, dims, rank);
      return;
    }
  layer = add_layer (op->im, ENVELOPE_LAYER_RESHAPE, op->node, &x, 1);
  set_shape (layer, dims, rank, batch);
  if (nb == 2)
    {
      /* [B, T, D]: tokens, as a transformer's reshapes mean */
      layer->layout = ENVELOPE_SHAPE_TOKENS;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
    }
  produce (op->im, op->node->output[0], layer, dims, rank);
}

/* ONNX's LSTM and GRU, as PyTorch exports each layer of nn.LSTM and
 * nn.GRU: X [T, B, D], weights W [dirs, gates·H, D] and R [dirs,
 * gates·H, H], biases B [dirs, 2·gates·H] (PyTorch's two vectors).  One
 * recurrent layer of one layer each; its output Y [T, dirs, B, H] is
 * followed through the exporter's Squeeze (one direction) or Transpose
 * and Reshape (both) to [T, B, dirs·H], the layer's own.  The final
 * states Y_h and Y_c, where read, are a slice of one step of it. */
static gboolean
import_recurrent (Op               *op,
                  EnvelopeLayerType type)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  Value *x = op->in[0], *w = op->in[1], *r = op->in[2], *b = op->in[3];
  gint64 gates = type == ENVELOPE_LAYER_LSTM ? 4 : 3, hidden, dirs, dims[ONNX_MAX_RANK];
  Onnx__NodeProto *next, *reshape;
  guint index, index2;
  const char *out = n->output[0];
  EnvelopeLayer *layer;

  if (!need_shape (op, x))
    return FALSE;
  if (x->rank != 3 || x->batch != 1 || attr_int (n, "layout", 0) != 0)
    return import_unknown (op, _("its input is not [T, B, D], steps first"));
  if (w == NULL || r == NULL || !w->initializer || !r->initializer || w->rank != 3 || r->rank != 3)
    return import_unknown (op, _("its weights are not initializers of three axes"));
  dirs = w->dims[0];
  hidden = attr_int (n, "hidden_size", w->dims[1] / gates);
  if ((dirs != 1 && dirs != 2) || hidden < 1 || hidden > ONNX_MAX_DIM || w->dims[1] != gates * hidden || w->dims[2] != x->dims[2]
      || r->dims[0] != dirs || r->dims[1] != gates * hidden || r->dims[2] != hidden
      || (b != NULL && (!b->known || b->rank != 2 || b->dims[0] != dirs || b->dims[1] != 2 * gates * hidden)))
    return import_unknown (op, _("its weights’ dims do not fit its input and hidden size"));

  im->batch = 1;
  layer = add_layer (im, type, n, &x, 1);
  layer->hidden = hidden;
  layer->layers = 1;
  layer->bidirectional = dirs == 2;
  layer->bias = b != NULL;
  layer->sequences = TRUE;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_HIDDEN) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIDIRECTIONAL)
                | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SEQUENCES);

  /* Y: the exporter's way back to [T, B, dirs·H] */
  dims[0] = x->dims[0];
  dims[1] = x->dims[1];
  dims[2] = dirs * hidden;
  if (out[0] != '\0')
    {
      gint64 axes[ONNX_MAX_CONSTANT], target[ONNX_MAX_CONSTANT];
      guint n_axes = 0, n_target = 0;

      if (dirs == 1 && (next = sole_user (im, out, "Squeeze", &index)) != NULL
          && int_list (im, next, "axes", 1, axes, &n_axes) && n_axes == 1 && (axes[0] == 1 || axes[0] == -3))
        {
          im->done[index] = TRUE;
          produce (im, next->output[0], layer, dims, 3);
        }
      else if (dirs == 2 && (next = sole_user (im, out, "Transpose", &index)) != NULL
               && int_list (im, next, "perm", G_MAXSIZE, axes, &n_axes) && n_axes == 4 && axes[0] == 0
               && axes[1] == 2 && axes[2] == 1 && axes[3] == 3
               && (reshape = sole_user (im, next->output[0], "Reshape", &index2)) != NULL
               && int_list (im, reshape, "shape", 1, target, &n_target) && n_target == 3
               && (target[0] == 0 || target[0] == dims[0]) && (target[1] == 0 || target[1] == dims[1])
               && (target[2] == -1 || target[2] == dims[2]))
        {
          im->done[index] = im->done[index2] = TRUE;
          produce (im, reshape->output[0], layer, dims, 3);
        }
      else
        {
          gint64 y[4] = { x->dims[0], dirs, x->dims[1], hidden };

          im->batch = 2;
          produce (im, out, layer, y, 4);
        }
    }
  /* Y_h and Y_c [dirs, B, H]: one step's output, where something reads them */
  for (gsize k = 1; k < n->n_output && k < 3; k++)
    {
      gint64 state[3] = { dirs, x->dims[1], hidden };
      Value input = { 0 }, *from = &input;
      EnvelopeLayer *step;

      if (n->output[k][0] == '\0' || users_of (im, n->output[k]) == NULL)
        continue;
      input.layer = layer->name;
      im->batch = 1;
      step = add_layer (im, ENVELOPE_LAYER_SLICE, n, &from, 1);
      step->axis = 0;
      step->start = x->dims[0] - 1;
      step->end = x->dims[0];
      step->step = 1;
      step->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_START)
                  | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STEP);
      produce (im, n->output[k], step, state, 3);
    }
  return TRUE;
}

/* A map's positions flattened and transposed into tokens, as ViT's
 * x.reshape(n, C, H·W).permute(0, 2, 1) writes it: the Reshape just
 * made, read by this Transpose alone, becomes a to_tokens layer whose
 * output is the Transpose's, [B, H·W, C] (@dims). */
static gboolean
patches_to_tokens (Op           *op,
                   Value        *x,
                   const gint64 *dims)
{
  Importer *im = op->im;
  guint n = envelope_network_get_n_layers (im->network);
  EnvelopeLayer *reshape;
  GPtrArray *users = users_of (im, op->node->input[0]);
  const char *source;
  Value *map;

  if (n < 2 || x->batch != 0 || x->rank != 3 || users == NULL || users->len != 1
      || g_strcmp0 (x->layer, im->last_layer) != 0)
    return FALSE;
  reshape = envelope_network_get_layer (im->network, n - 1);
  if (reshape->type != ENVELOPE_LAYER_RESHAPE)
    return FALSE;
  source = reshape->inputs != NULL ? reshape->inputs[0] : envelope_network_get_layer (im->network, n - 2)->name;
  map = g_hash_table_lookup (im->layer_dims, source);
  if (map == NULL || !map->known || map->batch != 0 || map->rank != 4 || map->dims[1] != x->dims[1]
      || map->dims[2] * map->dims[3] != x->dims[2])
    return FALSE;
  retype (reshape, ENVELOPE_LAYER_TO_TOKENS);
  im->batch = 0;
  produce (im, op->node->output[0], reshape, dims, 3);
  return TRUE;
}

/* Whether @v is a sequence of tokens, [B, T, D] with the batch first. */
static gboolean
is_tokens (const Value *v)
{
  return v != NULL && v->layer != NULL && v->known && v->rank == 3 && v->batch == 0;
}

/* A learned tensor of @k tokens joined to a sequence along its tokens
 * (ViT's torch.cat([class_token, x], dim=1)): a class token layer, with
 * k × D weights. */
static gboolean
import_class_token (Op    *op,
                    Value *x,
                    Value *c)
{
  const Onnx__NodeProto *n = op->node;
  gint64 dims[ONNX_MAX_RANK];
  EnvelopeLayer *layer;
  guint axis;

  if (!is_tokens (x) || c == NULL || c->layer != NULL || !c->known || !(c->initializer || c->constant)
      || !normalize_axis (attr_int (n, "axis", 1), x->rank, &axis) || axis != 1)
    return FALSE;
  if (!((c->rank == 3 && c->dims[0] == 1 && c->dims[2] == x->dims[2]) || (c->rank == 2 && c->dims[1] == x->dims[2]))
      || c->dims[c->rank - 2] < 1)
    return FALSE;
  op->im->batch = x->batch;
  layer = add_layer (op->im, ENVELOPE_LAYER_CLASS_TOKEN, n, &x, 1);
  layer->tokens = c->dims[c->rank - 2];
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_TOKENS);
  memcpy (dims, x->dims, sizeof dims);
  dims[1] += layer->tokens;
  produce (op->im, n->output[0], layer, dims, x->rank);
  return TRUE;
}

static gboolean
import_binary (Op               *op,
               EnvelopeLayerType type)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  Value *a = op->in[0], *b = op->in[1];
  gint64 dims[ONNX_MAX_RANK];
  guint rank;
  EnvelopeLayer *layer;

  if (a == NULL || b == NULL || !a->known || !b->known || !broadcast (a, b, dims, &rank))
    return import_unknown (op, _("its operands’ shapes do not broadcast or are not known"));
  if (a->layer != NULL && b->layer != NULL)
    {
      Value *ins[2] = { a, b };

      if ((a->batch < 0) != (b->batch < 0)
          || (a->batch >= 0 && a->batch + (gint) (rank - a->rank) != b->batch + (gint) (rank - b->rank)))
        return import_unknown (op, _("its operands’ batch axes do not line up"));
      im->batch = a->batch >= 0 ? a->batch + (gint) (rank - a->rank) : -1;

      layer = add_layer (im, type, n, ins, 2);
      produce (im, n->output[0], layer, dims, rank);
      return TRUE;
    }
  else
    {
      Value *x = a->layer != NULL ? a : b, *c = a->layer != NULL ? b : a;
      gint64 count;

      im->batch = x->batch;
      if (rank != x->rank || !count_elements (c->dims, c->rank, &count))
        return import_unknown (op, _("a constant operand widens its input"));
      if ((type == ENVELOPE_LAYER_MUL || (type == ENVELOPE_LAYER_DIV && c == b)) && c->has_real)
        {
          layer = unary (op, ENVELOPE_LAYER_SCALE, x, n->output[0]);
          layer->factor = type == ENVELOPE_LAYER_MUL ? c->real : (c->real != 0 ? 1.0 / c->real : 1.0);
          layer->learned = FALSE;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_FACTOR) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LEARNED);
          return TRUE;
        }
      if (type == ENVELOPE_LAYER_MUL && c->initializer && count > 1)
        {
          const char *out;

          layer = add_layer (im, ENVELOPE_LAYER_SCALE, n, &x, 1);
          layer->learned = TRUE;
          /* a bias only where an Add of one follows */
          layer->bias = FALSE;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LEARNED) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
          out = fold_bias (im, layer, n->output[0], count);
          produce (im, out, layer, x->dims, x->rank);
          return TRUE;
        }
      /* a learned tensor of a whole sample added to a sequence: its
       * learned position embedding (ViT's, BERT's) */
      if (type == ENVELOPE_LAYER_ADD && c->initializer && is_tokens (x)
          && ((c->rank == 3 && c->dims[0] == 1) || c->rank == 2)
          && c->dims[c->rank - 2] == x->dims[1] && c->dims[c->rank - 1] == x->dims[2])
        {
          layer = unary (op, ENVELOPE_LAYER_POSITION_EMBEDDING, x, n->output[0]);
          layer->encoding = ENVELOPE_POSITION_LEARNED;
          /* a table longer than the sequence counts all its rows */
          layer->positions = MAX (x->dims[1], c->table_rows);
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_ENCODING) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_POSITIONS);
          return TRUE;
        }
      /* a constant added, subtracted or divided by: the arithmetic
       * kind on one input, which costs one operation per value */
      layer = unary (op, type, x, n->output[0]);
      /* [T, T] added to attention's scores: a mask, or a position bias
       * (learned); the file does not say which */
      if (c->initializer && count > 1 && type == ENVELOPE_LAYER_ADD && c->rank >= 2 && x->rank >= 2
          && c->dims[c->rank - 1] == c->dims[c->rank - 2] && c->dims[c->rank - 1] == x->dims[x->rank - 1]
          && x->dims[x->rank - 1] == x->dims[x->rank - 2])
        envelope_import_note (im->notes, _("%s (%s): its constant operand (%" PRId64 " values, a mask or a learned bias over "
                                           "attention's scores) is not counted as parameters"),
                              layer->name, n->op_type, (gint64) count);
      else if (c->initializer && count > 1)
        envelope_import_note (im->notes, _("%s (%s): its learned operand (%" PRId64 " values) is not counted as parameters"),
                              layer->name, n->op_type, (gint64) count);
      return TRUE;
    }
}

/* Whether a global pool's output is read as a map (not flattened). */
static gboolean
global_pool_feeds_map (Importer   *im,
                       const char *tensor)
{
  GPtrArray *users = users_of (im, tensor);

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const char *op = im->graph->node[GPOINTER_TO_UINT (users->pdata[i])]->op_type;

      if (g_strcmp0 (op, "Flatten") != 0 && g_strcmp0 (op, "Reshape") != 0 && g_strcmp0 (op, "Squeeze") != 0)
        return TRUE;
    }
  return FALSE;
}

/* A global pool; @keep_dims: ONNX keeps the spatial axes as ones, as
 * GlobalAveragePool does.  Envelope's global pools give a vector: a
 * Flatten after it has nothing left to do, but a convolution after it (a
 * squeeze-and-excitation block) needs the map back. */
static gboolean
global_pool (Op               *op,
             EnvelopeLayerType type,
             Value            *x,
             gboolean          keep_dims)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  gint64 dims[ONNX_MAX_RANK];
  EnvelopeLayer *layer;

  if (x->batch != 0)
    return import_unknown (op, _("its input’s batch axis is not the first"));
  memcpy (dims, x->dims, sizeof dims);
  for (guint i = 2; i < x->rank; i++)
    dims[i] = 1;
  layer = add_layer (im, type, n, &x, 1);
  if (keep_dims && global_pool_feeds_map (im, n->output[0]))
    {
      g_autofree char *stem = g_strconcat (layer->name, "/map", NULL);
      g_autofree char *back_name = unique_name (im, stem);
      EnvelopeLayer *back = envelope_layer_new (ENVELOPE_LAYER_RESHAPE, back_name);

      produce (im, n->output[0], layer, dims, 2);
      back->group = g_strdup (layer->group);
      set_shape (back, dims, x->rank, 0);
      envelope_network_insert_layer (im->network, -1, back);
      im->last_layer = back->name;
      produce (im, n->output[0], back, dims, x->rank);
      return TRUE;
    }
  produce (im, n->output[0], layer, dims, 2);
  return TRUE;
}

static gboolean
import_node (Op *op)
{
  Importer *im = op->im;
  const Onnx__NodeProto *n = op->node;
  const char *t = n->op_type;
  Value *x = op->in[0];
  gboolean any_layer = FALSE;
  EnvelopeLayer *layer;

  if (n->n_output < 1 || n->output[0][0] == '\0')
    return TRUE;
  for (gsize i = 0; i < n->n_input && i < G_N_ELEMENTS (op->in); i++)
    if (op->in[i] != NULL && op->in[i]->layer != NULL)
      any_layer = TRUE;

  if (strcmp (t, "Constant") == 0)
    {
      const Onnx__AttributeProto *a = attr (n, "value");
      Value *v = define (im, n->output[0]);

      v->constant = TRUE;
      if (a != NULL && a->t != NULL && a->t->n_dims <= ONNX_MAX_RANK)
        {
          v->rank = (guint) a->t->n_dims;
          if (a->t->n_dims > 0)
            memcpy (v->dims, a->t->dims, a->t->n_dims * sizeof (gint64));
          v->known = TRUE;
          tensor_values (a->t, v);
        }
      else if ((a = attr (n, "value_float")) != NULL && a->has_f)
        v->has_real = TRUE, v->real = a->f, v->known = TRUE;
      else if ((a = attr (n, "value_int")) != NULL && a->has_i)
        v->has_real = v->has_ints = TRUE, v->real = (double) a->i, v->ints[0] = a->i, v->n_ints = 1, v->known = TRUE;
      return TRUE;
    }
  if (strcmp (t, "Shape") == 0)
    {
      Value *v;

      if (!need_shape (op, x))
        return FALSE;
      v = define (im, n->output[0]);
      v->constant = v->known = v->has_ints = TRUE;
      v->rank = 1;
      v->n_ints = x->rank;
      memcpy (v->ints, x->dims, x->rank * sizeof (gint64));
      v->dims[0] = x->rank;
      return TRUE;
    }
  if (!any_layer)
    {
      /* constants only: the shape arithmetic exporters write */
      fold_constant (op);
      return TRUE;
    }
  if (x == NULL || x->layer == NULL)
    {
      /* the tensor is not the first input (a Mul(c, x), a Gather of a
       * table by indices) */
      if (strcmp (t, "Gather") == 0 && x != NULL && x->initializer && x->rank == 2)
        {
          Value *idx = op->in[1];
          gint64 dims[ONNX_MAX_RANK];

          if (idx->rank + 1 > ONNX_MAX_RANK)
            return import_unknown (op, NULL);
          memcpy (dims, idx->dims, idx->rank * sizeof (gint64));
          dims[idx->rank] = x->dims[1];
          layer = add_layer (im, ENVELOPE_LAYER_EMBEDDING, n, &idx, 1);
          layer->vocabulary = x->dims[0];
          layer->dimension = x->dims[1];
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_VOCABULARY) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_DIMENSION);
          if (x->source != NULL && !g_hash_table_contains (im->tables, x->source))
            g_hash_table_insert (im->tables, (gpointer) x->source, g_strdup (layer->name));
          im->table_rows = x->dims[0];
          im->table_columns = x->dims[1];
          produce (im, n->output[0], layer, dims, idx->rank + 1);
          return TRUE;
        }
      if (strcmp (t, "Where") == 0 && op->in[2] != NULL && op->in[2]->layer != NULL && op->in[2]->known
          && op->in[0] != NULL && op->in[0]->known && op->in[1] != NULL && op->in[1]->layer == NULL)
        {
          /* a constant mask filled in (masked_fill of causal attention's
           * scores): one operation per value, as a constant added */
          Value *scores = op->in[2];
          gint64 dims[ONNX_MAX_RANK];
          guint rank;

          if (!broadcast (op->in[0], scores, dims, &rank) || rank != scores->rank
              || memcmp (dims, scores->dims, rank * sizeof (gint64)) != 0)
            return import_unknown (op, _("its mask widens its input"));
          im->batch = scores->batch;
          unary (op, ENVELOPE_LAYER_ADD, scores, n->output[0]);
          return TRUE;
        }
      if (strcmp (t, "Add") == 0 || strcmp (t, "Mul") == 0)
        return import_binary (op, t[0] == 'A' ? ENVELOPE_LAYER_ADD : ENVELOPE_LAYER_MUL);
      if (strcmp (t, "Sub") == 0 || strcmp (t, "Div") == 0)
        return import_binary (op, t[0] == 'S' ? ENVELOPE_LAYER_SUB : ENVELOPE_LAYER_DIV);
      if (strcmp (t, "Concat") == 0 && n->n_input == 2 && import_class_token (op, op->in[1], op->in[0]))
        return TRUE;
      return import_unknown (op, _("its first input is a constant"));
    }
  if (!x->known)
    return need_shape (op, x);

  if (strcmp (t, "Conv") == 0)
    return import_window (op, ENVELOPE_LAYER_CONV);
  if (strcmp (t, "ConvTranspose") == 0)
    return import_window (op, ENVELOPE_LAYER_DECONV);
  if (strcmp (t, "MaxPool") == 0)
    return import_window (op, ENVELOPE_LAYER_MAX_POOL);
  if (strcmp (t, "AveragePool") == 0)
    return import_window (op, ENVELOPE_LAYER_AVG_POOL);
  if (strcmp (t, "GlobalAveragePool") == 0 || strcmp (t, "GlobalMaxPool") == 0)
    {
      if (x->rank < 3)
        return import_unknown (op, _("its input has no spatial axes"));
      return global_pool (op, t[6] == 'A' ? ENVELOPE_LAYER_GLOBAL_AVG_POOL : ENVELOPE_LAYER_GLOBAL_MAX_POOL, x, TRUE);
    }
  if (strcmp (t, "LSTM") == 0 || strcmp (t, "GRU") == 0)
    return import_recurrent (op, t[0] == 'L' ? ENVELOPE_LAYER_LSTM : ENVELOPE_LAYER_GRU);
  if ((strcmp (t, "Gemm") == 0 || strcmp (t, "MatMul") == 0) && op->in[1] != NULL && op->in[1]->initializer)
    return import_dense (op);
  if (strcmp (t, "MatMul") == 0)
    {
      Value *a = op->in[0], *b = op->in[1];
      gint64 dims[ONNX_MAX_RANK];
      Value *ins[2] = { a, b };

      if (b == NULL || b->layer == NULL || !b->known || a->rank < 2 || b->rank < 2 || a->rank != b->rank
          || a->dims[a->rank - 1] != b->dims[b->rank - 2] || a->batch != b->batch)
        return import_unknown (op, _("its operands’ shapes are not those of a matrix product"));
      memcpy (dims, a->dims, sizeof dims);
      dims[a->rank - 1] = b->dims[b->rank - 1];
      layer = add_layer (im, ENVELOPE_LAYER_MATMUL, n, ins, 2);
      produce (im, n->output[0], layer, dims, a->rank);
      return TRUE;
    }
  if (strcmp (t, "BatchNormalization") == 0)
    {
      im->n_batch_norm++;
      unary (op, ENVELOPE_LAYER_BATCH_NORM, x, n->output[0]);
      return TRUE;
    }
  if (strcmp (t, "LayerNormalization") == 0)
    {
      gint64 axis = attr_int (n, "axis", -1);
      guint a;

      if (!normalize_axis (axis, x->rank, &a) || a != x->rank - 1)
        return import_unknown (op, _("it normalizes over more than the last axis"));
      layer = unary (op, ENVELOPE_LAYER_LAYER_NORM, x, n->output[0]);
      layer->affine = op->in[1] != NULL;
      layer->bias = op->in[2] != NULL;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AFFINE) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
      if (sample_rank (x->rank, x->batch) >= 3)
        g_hash_table_add (im->per_position, g_strdup (layer->name));
      return TRUE;
    }
  if (strcmp (t, "ReduceMean") == 0 && import_decomposed_norm (op))
    return TRUE;
  if (strcmp (t, "Div") == 0 && import_gelu (op))
    return TRUE;
  if (strcmp (t, "Sigmoid") == 0 && import_gated (op, ENVELOPE_LAYER_SILU))
    return TRUE;
  if (strcmp (t, "HardSigmoid") == 0 && import_gated (op, ENVELOPE_LAYER_HARDSWISH))
    return TRUE;

  {
    static const struct { const char *op; EnvelopeLayerType type; } unaries[] = {
      { "Relu", ENVELOPE_LAYER_RELU },
      { "LeakyRelu", ENVELOPE_LAYER_LEAKY_RELU },
      { "Elu", ENVELOPE_LAYER_ELU },
      { "Sigmoid", ENVELOPE_LAYER_SIGMOID },
      { "Tanh", ENVELOPE_LAYER_TANH },
      { "Gelu", ENVELOPE_LAYER_GELU },
      { "HardSwish", ENVELOPE_LAYER_HARDSWISH },
      { "HardSigmoid", ENVELOPE_LAYER_HARDSIGMOID },
      { "Softplus", ENVELOPE_LAYER_SOFTPLUS },
      { "Mish", ENVELOPE_LAYER_MISH },
    };

    for (guint i = 0; i < G_N_ELEMENTS (unaries); i++)
      if (strcmp (t, unaries[i].op) == 0)
        {
          unary (op, unaries[i].type, x, n->output[0]);
          return TRUE;
        }
  }
  if (strcmp (t, "Softmax") == 0 || strcmp (t, "LogSoftmax") == 0)
    {
      guint a;

      if (!normalize_axis (attr_int (n, "axis", im->opset >= 13 ? -1 : 1), x->rank, &a) || a != x->rank - 1)
        return import_unknown (op, _("it normalizes over an axis other than the last"));
      unary (op, ENVELOPE_LAYER_SOFTMAX, x, n->output[0]);
      return TRUE;
    }
  if (strcmp (t, "Clip") == 0)
    {
      double lo = attr_float (n, "min", -G_MAXFLOAT), hi = attr_float (n, "max", G_MAXFLOAT);

      if (op->in[1] != NULL && op->in[1]->has_real)
        lo = op->in[1]->real;
      if (op->in[2] != NULL && op->in[2]->has_real)
        hi = op->in[2]->real;
      if (lo == 0 && hi == 6)
        unary (op, ENVELOPE_LAYER_RELU6, x, n->output[0]);
      else
        {
          layer = unary (op, ENVELOPE_LAYER_CLIP, x, n->output[0]);
          layer->min = lo;
          layer->max = hi;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_MIN) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_MAX);
        }
      return TRUE;
    }
  if (strcmp (t, "PRelu") == 0)
    {
      gint64 count = 0;

      layer = unary (op, ENVELOPE_LAYER_PRELU, x, n->output[0]);
      layer->shared = op->in[1] != NULL && count_elements (op->in[1]->dims, op->in[1]->rank, &count) && count == 1;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARED);
      return TRUE;
    }
  if (strcmp (t, "Dropout") == 0)
    {
      double rate = attr_float (n, "ratio", 0.5);

      if (op->in[1] != NULL && op->in[1]->has_real)
        rate = op->in[1]->real;
      layer = unary (op, ENVELOPE_LAYER_DROPOUT, x, n->output[0]);
      layer->rate = rate >= 0 && rate < 1 ? rate : 0.5;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_RATE);
      return TRUE;
    }
  if (strcmp (t, "Identity") == 0)
    {
      alias (im, n->output[0], x);
      return TRUE;
    }
  if (strcmp (t, "LRN") == 0)
    {
      layer = unary (op, ENVELOPE_LAYER_LRN, x, n->output[0]);
      layer->size = attr_int (n, "size", 5);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SIZE);
      return TRUE;
    }
  if (strcmp (t, "Add") == 0 || strcmp (t, "Sub") == 0 || strcmp (t, "Mul") == 0 || strcmp (t, "Div") == 0
      || strcmp (t, "Max") == 0 || strcmp (t, "Min") == 0)
    {
      EnvelopeLayerType type = t[0] == 'A' ? ENVELOPE_LAYER_ADD : t[0] == 'S' ? ENVELOPE_LAYER_SUB
                             : t[0] == 'D' ? ENVELOPE_LAYER_DIV : strcmp (t, "Mul") == 0 ? ENVELOPE_LAYER_MUL
                             : strcmp (t, "Max") == 0 ? ENVELOPE_LAYER_MAX : ENVELOPE_LAYER_MIN;
      return import_binary (op, type);
    }
  if (strcmp (t, "Concat") == 0)
    {
      Value *ins[64];
      guint n_ins = 0, axis;
      gint64 dims[ONNX_MAX_RANK];

      if (n->n_input == 1)
        {
          /* DenseNet's torch.cat([x]): the tensor itself */
          alias (im, n->output[0], x);
          return TRUE;
        }
      if (!normalize_axis (attr_int (n, "axis", 1), x->rank, &axis) || (gint) axis == x->batch)
        return import_unknown (op, _("it concatenates along the batch axis"));
      memcpy (dims, x->dims, sizeof dims);
      dims[axis] = 0;
      for (gsize i = 0; i < n->n_input; i++)
        {
          Value *v = lookup (im, n->input[i]);

          if (n->n_input == 2 && i == 1 && v != NULL && v->layer == NULL && import_class_token (op, x, v))
            return TRUE;
          if (v == NULL || v->layer == NULL || !v->known || v->rank != x->rank || v->batch != x->batch
              || n_ins == G_N_ELEMENTS (ins))
            return import_unknown (op, _("it joins a constant or a tensor of another rank"));
          ins[n_ins++] = v;
          dims[axis] += v->dims[axis];
        }
      layer = add_layer (im, ENVELOPE_LAYER_CONCAT, n, ins, n_ins);
      layer->axis = env_axis (x, axis);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS);
      produce (im, n->output[0], layer, dims, x->rank);
      return TRUE;
    }
  if (strcmp (t, "Flatten") == 0)
    {
      guint axis;
      gint64 dims[2] = { 1, 1 };

      if (!normalize_axis (attr_int (n, "axis", 1), x->rank + 1, &axis) || axis != 1 || x->batch != 0)
        return import_unknown (op, _("it flattens from an axis other than the first after the batch"));
      dims[0] = x->dims[0];
      for (guint i = 1; i < x->rank; i++)
        dims[1] *= x->dims[i];
      reshape_to (op, x, dims, 2);
      return TRUE;
    }
  if (strcmp (t, "Reshape") == 0 || strcmp (t, "Squeeze") == 0 || strcmp (t, "Unsqueeze") == 0)
    {
      gint64 target[ONNX_MAX_CONSTANT], dims[ONNX_MAX_RANK], known = 1, total;
      guint n_target = 0, rank = 0, hole = G_MAXUINT;

      count_elements (x->dims, x->rank, &total);
      if (t[0] == 'R')
        {
          if (op->in[1] == NULL || !op->in[1]->has_ints)
            return import_unknown (op, _("its target shape is not a constant Envelope can work out"));
          memcpy (target, op->in[1]->ints, op->in[1]->n_ints * sizeof (gint64));
          n_target = op->in[1]->n_ints;
          if (n_target < 1 || n_target > ONNX_MAX_RANK)
            return import_unknown (op, _("its target shape has too many axes"));
          for (guint i = 0; i < n_target; i++)
            {
              gint64 d = target[i] == 0 && !attr_int (n, "allowzero", 0) && i < x->rank ? x->dims[i] : target[i];

              if (d == -1 && hole == G_MAXUINT)
                hole = i;
              else if (d < 1 || d > ONNX_MAX_DIM)
                return import_unknown (op, _("its target shape has a size out of range"));
              else
                known *= d;
              dims[i] = d;
            }
          if (hole != G_MAXUINT)
            dims[hole] = known > 0 ? total / known : 0;
          rank = n_target;
        }
      else
        {
          gint64 axes[ONNX_MAX_CONSTANT];
          guint n_axes = 0;
          gboolean drop[ONNX_MAX_RANK + 1] = { FALSE };

          if (!int_list (im, n, "axes", 1, axes, &n_axes))
            n_axes = 0;
          if (t[0] == 'S')
            {
              for (guint i = 0; i < n_axes; i++)
                {
                  guint a;

                  if (!normalize_axis (axes[i], x->rank, &a))
                    return import_unknown (op, _("it names an axis out of range"));
                  drop[a] = TRUE;
                }
              for (guint i = 0; i < x->rank; i++)
                if (!(n_axes > 0 ? drop[i] : x->dims[i] == 1 && (gint) i != x->batch))
                  dims[rank++] = x->dims[i];
            }
          else
            {
              guint out_rank = x->rank + n_axes, j = 0;
              gboolean add[ONNX_MAX_RANK * 2] = { FALSE };

              if (out_rank > ONNX_MAX_RANK)
                return import_unknown (op, _("its output has too many axes"));
              for (guint i = 0; i < n_axes; i++)
                {
                  guint a;

                  if (!normalize_axis (axes[i], out_rank, &a))
                    return import_unknown (op, _("it names an axis out of range"));
                  add[a] = TRUE;
                }
              for (guint i = 0; i < out_rank; i++)
                dims[rank++] = add[i] ? 1 : x->dims[j++];
            }
        }
      {
        gint64 out_total;

        if (rank < 1 || rank > ENVELOPE_MAX_RANK + 1 || !count_elements (dims, rank, &out_total) || out_total != total)
          return import_unknown (op, _("its target shape changes the number of values"));
        if (rank == ENVELOPE_MAX_RANK + 1 && dims[0] != 1 && dims[1] != 1 && dims[2] != 1 && dims[3] != 1 && dims[4] != 1)
          return import_unknown (op, _("its output has more axes than Envelope follows"));
      }
      reshape_to (op, x, dims, rank);
      return TRUE;
    }
  if (strcmp (t, "Split") == 0)
    {
      gint64 sizes[ONNX_MAX_CONSTANT], dims[ONNX_MAX_RANK], start = 0;
      guint n_sizes = 0, axis;

      /* torch.chunk and split: one slice per output */
      if (!normalize_axis (attr_int (n, "axis", 0), x->rank, &axis) || (gint) axis == x->batch)
        return import_unknown (op, _("it splits the batch axis"));
      if (!int_list (im, n, "split", 1, sizes, &n_sizes))
        {
          n_sizes = (guint) MIN (n->n_output, ONNX_MAX_CONSTANT);
          for (guint i = 0; i < n_sizes; i++)
            sizes[i] = x->dims[axis] / n_sizes;
        }
      if (n_sizes != n->n_output)
        return import_unknown (op, _("its split sizes do not match its outputs"));
      for (guint i = 0; i < n_sizes; i++)
        {
          if (sizes[i] < 1 || start + sizes[i] > x->dims[axis])
            return import_unknown (op, _("its split sizes do not fit its input"));
          start += sizes[i];
        }
      start = 0;
      for (guint i = 0; i < n_sizes; i++)
        {
          memcpy (dims, x->dims, sizeof dims);
          dims[axis] = sizes[i];
          layer = add_layer (im, ENVELOPE_LAYER_SLICE, n, &x, 1);
          layer->axis = env_axis (x, axis);
          layer->start = start;
          layer->end = start + sizes[i];
          layer->step = 1;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_START)
                      | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STEP);
          if (n->output[i][0] != '\0')
            produce (im, n->output[i], layer, dims, x->rank);
          start += sizes[i];
        }
      return TRUE;
    }
  if (strcmp (t, "Transpose") == 0)
    {
      gint64 perm[ONNX_MAX_CONSTANT], order[ONNX_MAX_RANK], dims[ONNX_MAX_RANK];
      guint n_perm = 0;

      if (!int_list (im, n, "perm", G_MAXSIZE, perm, &n_perm))
        {
          n_perm = x->rank;
          for (guint i = 0; i < n_perm; i++)
            perm[i] = n_perm - 1 - i;
        }
      if (n_perm != x->rank)
        return import_unknown (op, _("its perm does not fit its input"));
      {
        gint batch = -1;
        guint k = 0;
        gboolean identity = TRUE;

        for (guint i = 0; i < n_perm; i++)
          {
            if (perm[i] < 0 || perm[i] >= x->rank)
              return import_unknown (op, _("its perm is out of range"));
            dims[i] = x->dims[perm[i]];
            if (perm[i] == x->batch)
              batch = (gint) i;
            else
              {
                order[k] = env_axis (x, (guint) perm[i]);
                identity = identity && order[k] == k;
                k++;
              }
          }
        im->batch = batch;
        if (identity)
          {
            /* only the batch axis moves (a batch-first model's
             * [B, T, D] to [T, B, D]): per sample nothing changes */
            Value *v;

            alias (im, n->output[0], x);
            v = lookup (im, n->output[0]);
            memcpy (v->dims, dims, sizeof v->dims);
            v->batch = batch;
            return TRUE;
          }
        if (k < 2)
          return import_unknown (op, _("its perm is out of range"));
        if (k == 2 && order[0] == 1 && patches_to_tokens (op, x, dims))
          return TRUE;
        layer = add_layer (im, ENVELOPE_LAYER_PERMUTE, n, &x, 1);
        set_list (layer, ENVELOPE_FIELD_ORDER, layer->order, order, k);
      }
      produce (im, n->output[0], layer, dims, x->rank);
      return TRUE;
    }
  if (strcmp (t, "Gather") == 0 && op->in[1] != NULL && op->in[1]->has_ints && op->in[1]->n_ints == 1
      && op->in[1]->rank <= 1)
    {
      /* one position taken (ViT's x[:, 0], the class token's output): a
       * slice of one, and the axis dropped where the index is a scalar */
      gint64 dims[ONNX_MAX_RANK], index = op->in[1]->ints[0];
      guint axis, rank = x->rank;
      g_autofree char *taken = NULL;
      Value *one;

      if (!normalize_axis (attr_int (n, "axis", 0), x->rank, &axis) || (gint) axis == x->batch)
        return import_unknown (op, _("it gathers along the batch axis"));
      if (index < 0)
        index += x->dims[axis];
      if (index < 0 || index >= x->dims[axis])
        return import_unknown (op, _("its index is out of range"));
      im->batch = x->batch;
      memcpy (dims, x->dims, sizeof dims);
      dims[axis] = 1;
      layer = add_layer (im, ENVELOPE_LAYER_SLICE, n, &x, 1);
      layer->axis = env_axis (x, axis);
      layer->start = index;
      layer->end = index + 1;
      layer->step = 1;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_START)
                  | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STEP);
      if (op->in[1]->rank == 1)
        {
          produce (im, n->output[0], layer, dims, rank);
          return TRUE;
        }
      taken = g_strconcat (n->output[0], "\n(the position taken)", NULL);
      one = produce (im, taken, layer, dims, rank);
      /* the axis of one dropped */
      for (guint i = axis; i + 1 < rank; i++)
        dims[i] = dims[i + 1];
      reshape_to (op, one, dims, rank - 1);
      return TRUE;
    }
  if (strcmp (t, "Slice") == 0)
    {
      gint64 starts[ONNX_MAX_CONSTANT], ends[ONNX_MAX_CONSTANT], axes[ONNX_MAX_CONSTANT], steps[ONNX_MAX_CONSTANT];
      guint ns = 0, ne = 0, na = 0, nst = 0, axis;
      gint64 dims[ONNX_MAX_RANK], start, end, step, len;

      if (!int_list (im, n, "starts", 1, starts, &ns) || !int_list (im, n, "ends", 2, ends, &ne) || ns != 1 || ne != 1)
        return import_unknown (op, _("it slices more than one axis or its bounds are not constants"));
      if (!int_list (im, n, "axes", 3, axes, &na))
        axes[0] = 0, na = 1;
      if (!int_list (im, n, "steps", 4, steps, &nst))
        steps[0] = 1, nst = 1;
      if (na != 1 || nst != 1 || !normalize_axis (axes[0], x->rank, &axis) || (gint) axis == x->batch || steps[0] < 1)
        return import_unknown (op, _("it slices the batch axis or steps backwards"));
      len = x->dims[axis];
      start = CLAMP (starts[0] < 0 ? starts[0] + len : starts[0], 0, len);
      end = CLAMP (ends[0] < 0 ? ends[0] + len : ends[0], 0, len);
      step = steps[0];
      if (end <= start)
        return import_unknown (op, _("its slice is empty"));
      memcpy (dims, x->dims, sizeof dims);
      dims[axis] = (end - start + step - 1) / step;
      layer = add_layer (im, ENVELOPE_LAYER_SLICE, n, &x, 1);
      layer->axis = env_axis (x, axis);
      layer->start = start;
      layer->end = end;
      layer->step = step;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_START)
                  | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STEP);
      produce (im, n->output[0], layer, dims, x->rank);
      return TRUE;
    }
  if (strcmp (t, "Pad") == 0)
    {
      gint64 pads[ONNX_MAX_CONSTANT], dims[ONNX_MAX_RANK], per_axis[ONNX_MAX_RANK];
      guint np = 0, r = x->rank;
      gboolean even = TRUE;

      if (!int_list (im, n, "pads", 1, pads, &np) || np != 2 * r || r < 3 || x->batch != 0)
        return import_unknown (op, _("its pads are not a constant Envelope can work out"));
      memcpy (dims, x->dims, sizeof dims);
      for (guint i = 0; i < r; i++)
        {
          if (pads[i] < 0 || pads[i + r] < 0 || ((i < 2) && (pads[i] != 0 || pads[i + r] != 0)))
            return import_unknown (op, _("it pads the batch or channel axis, or crops"));
          dims[i] += pads[i] + pads[i + r];
          even = even && pads[i] == pads[i + r];
          if (i >= 2)
            per_axis[i - 2] = (pads[i] + pads[i + r] + 1) / 2;
        }
      if (!even)
        return import_unknown (op, _("it pads the two sides of an axis unevenly"));
      layer = add_layer (im, ENVELOPE_LAYER_PAD, n, &x, 1);
      set_list (layer, ENVELOPE_FIELD_PADDING, layer->padding, per_axis, r - 2);
      produce (im, n->output[0], layer, dims, r);
      return TRUE;
    }
  if (strcmp (t, "Resize") == 0 || strcmp (t, "Upsample") == 0)
    {
      /* Resize from opset 11: X, roi, scales, sizes; before, and Upsample: X, scales */
      Value *scales = op->in[t[0] == 'R' && im->opset >= 11 ? 2 : 1];
      Value *sizes = t[0] == 'R' && im->opset >= 11 ? op->in[3] : NULL;
      const Onnx__AttributeProto *a_scales = NULL;
      gint64 dims[ONNX_MAX_RANK], out_size[ENVELOPE_MAX_SPATIAL];
      guint r = x->rank;
      gboolean linear = attr_string_is (n, "mode", "linear") || attr_string_is (n, "mode", "bilinear");

      if (r < 3 || x->batch != 0)
        return import_unknown (op, _("its input has no spatial axes"));
      memcpy (dims, x->dims, sizeof dims);
      if (sizes != NULL && sizes->has_ints && sizes->n_ints == r)
        memcpy (dims, sizes->ints, r * sizeof (gint64));
      else if ((scales != NULL && scales->n_reals == r)
               || ((a_scales = attr (n, "scales")) != NULL && a_scales->n_floats == r))
        {
          for (guint i = 0; i < r; i++)
            {
              /* Upsample before opset 9 gives its scales as an attribute */
              double f = scales != NULL && scales->n_reals == r ? scales->reals[i] : a_scales->floats[i];
              double d = floor ((double) x->dims[i] * f);

              if (!(d >= 1 && d <= ONNX_MAX_DIM))
                return import_unknown (op, _("its scales give an output size out of range"));
              dims[i] = (gint64) d;
            }
        }
      else
        return import_unknown (op, _("its output size is not a constant Envelope can work out"));
      if (dims[0] != x->dims[0] || dims[1] != x->dims[1])
        return import_unknown (op, _("it resizes the batch or channel axis"));
      for (guint i = 2; i < r; i++)
        out_size[i - 2] = dims[i];
      layer = add_layer (im, ENVELOPE_LAYER_UPSAMPLE, n, &x, 1);
      set_list (layer, ENVELOPE_FIELD_OUTPUT_SIZE, layer->output_size, out_size, r - 2);
      layer->mode = linear ? ENVELOPE_UPSAMPLE_LINEAR : ENVELOPE_UPSAMPLE_NEAREST;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_MODE);
      produce (im, n->output[0], layer, dims, r);
      return TRUE;
    }
  if (g_str_has_prefix (t, "Reduce") && (strcmp (t, "ReduceMean") == 0 || strcmp (t, "ReduceSum") == 0
                                          || strcmp (t, "ReduceMax") == 0 || strcmp (t, "ReduceMin") == 0))
    {
      gint64 axes[ONNX_MAX_CONSTANT], env_axes[ONNX_MAX_RANK], dims[ONNX_MAX_RANK];
      guint n_axes = 0, rank = 0;
      gboolean keep = attr_int (n, "keepdims", 1) != 0, drop[ONNX_MAX_RANK] = { FALSE };

      if (!int_list (im, n, "axes", 1, axes, &n_axes) || n_axes > ENVELOPE_MAX_RANK)
        return import_unknown (op, _("it reduces over axes Envelope cannot work out"));
      for (guint i = 0; i < n_axes; i++)
        {
          guint a;

          if (!normalize_axis (axes[i], x->rank, &a) || (gint) a == x->batch)
            return import_unknown (op, _("it reduces over the batch axis"));
          drop[a] = TRUE;
          env_axes[i] = env_axis (x, a);
        }
      if (x->rank >= 3 && x->batch == 0 && n_axes == x->rank - 2 && !drop[1]
          && (strcmp (t, "ReduceMean") == 0 || strcmp (t, "ReduceMax") == 0))
        {
          gboolean spatial = TRUE;

          for (guint i = 2; i < x->rank; i++)
            spatial = spatial && drop[i];
          if (spatial)
            {
              /* x.mean((2, 3)): global pooling */
              return global_pool (op, t[6] == 'M' && t[7] == 'e' ? ENVELOPE_LAYER_GLOBAL_AVG_POOL
                                                                   : ENVELOPE_LAYER_GLOBAL_MAX_POOL, x, keep);
            }
        }
      im->batch = x->batch;
      for (guint i = 0; i < x->rank; i++)
        if (!drop[i])
          dims[rank++] = x->dims[i];
        else if (keep)
          dims[rank++] = 1;
        else if (x->batch >= 0 && (gint) i < x->batch)
          im->batch--;
      if (sample_rank (rank, im->batch) < 1)
        return import_unknown (op, _("it reduces every axis of a sample"));
      layer = add_layer (im, ENVELOPE_LAYER_REDUCE, n, &x, 1);
      set_list (layer, ENVELOPE_FIELD_AXES, layer->axes, env_axes, n_axes);
      layer->operation = strcmp (t, "ReduceMean") == 0 ? ENVELOPE_REDUCE_MEAN : strcmp (t, "ReduceSum") == 0 ? ENVELOPE_REDUCE_SUM
                       : strcmp (t, "ReduceMax") == 0 ? ENVELOPE_REDUCE_MAX : ENVELOPE_REDUCE_MIN;
      layer->keep_dims = keep;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATION) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KEEP_DIMS);
      produce (im, n->output[0], layer, dims, rank);
      return TRUE;
    }
  return import_unknown (op, _("Envelope has no kind for this operator"));
}

/* -- The graph's inputs ------------------------------------------------- */

/* -- Swin's window attention ---------------------------------------------- */

/* torchvision's shifted_window_attention, one scope of some 900 nodes
 * ("…/attn/…": a pad, a roll, the window partition through 6-axis
 * reshapes, the qkv and projection MatMuls, the relative-position bias,
 * the shifted windows' mask): what it reads and what one layer of it
 * needs. */
typedef struct
{
  char *input;                /* the tensor it reads, [B, H, W, C] */
  gint64 channels;
  gint64 heads;
  gint64 window;
  gint64 shift;
  gboolean bias;
} Window;

static void
window_free (gpointer data)
{
  Window *w = data;

  g_free (w->input);
  g_free (w);
}

/* The scope of @name up to and including its last "/attn/", or NULL. */
static char *
attention_scope (const char *name)
{
  const char *at = name != NULL ? g_strrstr (name, "/attn/") : NULL;

  return at != NULL ? g_strndup (name, (gsize) (at - name) + strlen ("/attn/")) : NULL;
}

/* Whether @n is a perfect square; its root in *@root. */
static gboolean
square_root (gint64  n,
             gint64 *root)
{
  gint64 r;

  if (n < 1 || n > ONNX_MAX_DIM)
    return FALSE;
  r = (gint64) (sqrt ((double) n) + 0.5);
  *root = r;
  return r * r == n;
}

/* Reads one scope's nodes (@members, node indices): its weights give
 * the channels, the heads and the window; one tensor from outside is
 * its input and one of its tensors is read outside.  Marks every node
 * but the one that makes that tensor as done, and records the window
 * there.  FALSE leaves the scope to be read node by node. */
static gboolean
collapse_scope (Importer   *im,
                const char *scope,
                GArray     *members,
                GHashTable *producers)
{
  g_autoptr(GHashTable) inside = g_hash_table_new (g_str_hash, g_str_equal);
  const char *input = NULL, *output = NULL;
  gint64 channels = 0, qkv = 0, heads = 0, window = 0, table = 0;
  gboolean bias = FALSE, shifted = FALSE, partitioned = FALSE;
  guint last = G_MAXUINT;
  Window *w;

  for (guint k = 0; k < members->len; k++)
    {
      const Onnx__NodeProto *n = im->graph->node[g_array_index (members, guint, k)];

      for (gsize j = 0; j < n->n_output; j++)
        g_hash_table_add (inside, n->output[j]);
      shifted |= strcmp (n->op_type, "ScatterND") == 0;
      /* the windows taken apart, x.view(B, H/w, w, W/w, w, C).permute(0, 1, 3, 2, 4, 5):
       * a window attention's mark, which a causal mask over [T, T] has not */
      if (strcmp (n->op_type, "Transpose") == 0)
        {
          const Onnx__AttributeProto *perm = attr (n, "perm");
          static const gint64 windows[] = { 0, 1, 3, 2, 4, 5 };

          if (perm != NULL && perm->n_ints == G_N_ELEMENTS (windows))
            {
              gboolean same = TRUE;

              for (guint a = 0; a < G_N_ELEMENTS (windows); a++)
                same = same && perm->ints[a] == windows[a];
              partitioned |= same;
            }
        }
    }
  for (guint k = 0; k < members->len; k++)
    {
      guint index = g_array_index (members, guint, k);
      const Onnx__NodeProto *n = im->graph->node[index];

      for (gsize j = 0; j < n->n_input; j++)
        {
          const char *t = n->input[j];
          Value *v = lookup (im, t);
          const Onnx__NodeProto *from;

          if (t[0] == '\0' || g_hash_table_contains (inside, t))
            continue;
          /* a weight read through the exporter's Identity (equal tensors
           * written once), which is not read yet */
          from = g_hash_table_lookup (producers, t);
          if (v == NULL && from != NULL && strcmp (from->op_type, "Identity") == 0 && from->n_input == 1)
            v = lookup (im, from->input[0]);
          if (v != NULL && v->initializer && v->known)
            {
              /* qkv [C, 3C], proj [C, C], their biases, and the bias
               * over the scores: the table [(2w − 1)², heads], or that
               * read out for the windows, [1, heads, w², w²] */
              if (v->rank == 2 && strcmp (n->op_type, "MatMul") == 0 && v->dims[1] == 3 * v->dims[0])
                qkv = v->dims[0];
              else if (v->rank == 2 && strcmp (n->op_type, "MatMul") == 0 && v->dims[1] == v->dims[0])
                channels = v->dims[0];
              else if (v->rank == 1 && strcmp (n->op_type, "Add") == 0)
                bias = TRUE;
              else if (v->rank == 4 && v->dims[0] == 1 && v->dims[2] == v->dims[3] && square_root (v->dims[2], &window))
                heads = v->dims[1];
              else if (v->rank == 2 && square_root (v->dims[0], &table) && table % 2 == 1)
                {
                  heads = v->dims[1];
                  window = (table + 1) / 2;
                }
              continue;
            }
          if (from == NULL || strcmp (from->op_type, "Constant") == 0 || (v != NULL && v->constant))
            continue;
          if (input != NULL && strcmp (input, t) != 0)
            return FALSE;
          input = t;
        }
      /* a constant the exporter wrote once for several scopes stays,
       * read as a constant */
      for (gsize j = 0; j < n->n_output && strcmp (n->op_type, "Constant") != 0; j++)
        {
          GPtrArray *users = users_of (im, n->output[j]);
          gboolean read_outside = FALSE;

          for (guint u = 0; users != NULL && u < users->len; u++)
            {
              const char *name = im->graph->node[GPOINTER_TO_UINT (users->pdata[u])]->name;

              read_outside |= name == NULL || !g_str_has_prefix (name, scope);
            }
          for (gsize o = 0; o < im->graph->n_output; o++)
            read_outside |= g_strcmp0 (im->graph->output[o]->name, n->output[j]) == 0;
          if (!read_outside)
            continue;
          if (output != NULL)
            return FALSE;
          output = n->output[j];
          last = index;
        }
    }
  if (!partitioned || input == NULL || output == NULL || channels < 1 || qkv != channels || heads < 1 || window < 1
      || channels % heads != 0)
    return FALSE;

  for (guint k = 0; k < members->len; k++)
    {
      guint index = g_array_index (members, guint, k);

      im->done[index] = strcmp (im->graph->node[index]->op_type, "Constant") != 0;
    }
  im->done[last] = FALSE;
  w = g_new0 (Window, 1);
  w->input = g_strdup (input);
  w->channels = channels;
  w->heads = heads;
  w->window = window;
  /* torchvision shifts every other block by half a window */
  w->shift = shifted ? window / 2 : 0;
  w->bias = bias;
  g_hash_table_insert (im->windows, GUINT_TO_POINTER (last + 1), w);
  return TRUE;
}

/* Every scope of a window attention (a Softmax in "…/attn/" beside
 * ScatterND-free or shifted window partitions) found before the nodes
 * are read. */
static void
find_window_attention (Importer *im)
{
  g_autoptr(GHashTable) scopes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) producers = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  for (gsize i = 0; i < im->graph->n_node; i++)
    {
      const Onnx__NodeProto *n = im->graph->node[i];
      char *scope;

      if (n->op_type == NULL || strcmp (n->op_type, "Softmax") != 0 || (scope = attention_scope (n->name)) == NULL)
        continue;
      if (!g_hash_table_contains (scopes, scope))
        g_hash_table_insert (scopes, scope, g_array_new (FALSE, FALSE, sizeof (guint)));
      else
        g_free (scope);
    }
  if (g_hash_table_size (scopes) == 0)
    return;
  for (gsize i = 0; i < im->graph->n_node; i++)
    {
      const Onnx__NodeProto *n = im->graph->node[i];
      g_autofree char *scope = attention_scope (n->name);
      GArray *members = scope != NULL ? g_hash_table_lookup (scopes, scope) : NULL;
      guint index = (guint) i;

      for (gsize j = 0; j < n->n_output; j++)
        if (n->output[j][0] != '\0')
          g_hash_table_insert (producers, n->output[j], (gpointer) n);
      if (members != NULL)
        g_array_append_val (members, index);
    }
  g_hash_table_iter_init (&iter, scopes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    collapse_scope (im, key, value, producers);
}

/* The window attention whose scope ends with @op's node: one layer on
 * the channels-last map it reads, as long as a channels-last stretch
 * brings it back to the map's own (refuse_per_position() else). */
static gboolean
import_window_attention (Op           *op,
                         const Window *w)
{
  Importer *im = op->im;
  Value *x = lookup (im, w->input);
  EnvelopeLayer *layer;

  if (x == NULL || x->layer == NULL || !x->known || x->rank != 4 || x->batch != 0 || x->dims[3] != w->channels)
    {
      /* what it read cannot be followed: its output is the input's shape */
      if (x == NULL || x->layer == NULL || !x->known)
        return import_unknown (op, _("its window attention reads a tensor Envelope cannot follow"));
      layer = add_layer (im, ENVELOPE_LAYER_UNKNOWN, op->node, &x, 1);
      layer->operator_name = g_strdup ("ShiftedWindowAttention");
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR);
      set_shape (layer, x->dims, x->rank, x->batch);
      produce (im, op->node->output[0], layer, x->dims, x->rank);
      return TRUE;
    }
  im->batch = 0;
  layer = add_layer (im, ENVELOPE_LAYER_WINDOW_ATTENTION, op->node, &x, 1);
  layer->heads = w->heads;
  layer->window = w->window;
  layer->shift = w->shift;
  layer->bias = w->bias;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_HEADS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_WINDOW)
                | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHIFT) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  g_hash_table_add (im->per_position, g_strdup (layer->name));
  for (gsize j = 0; j < op->node->n_output; j++)
    if (op->node->output[j][0] != '\0')
      produce (im, op->node->output[j], layer, x->dims, x->rank);
  return TRUE;
}

static gboolean
import_inputs (Importer *im,
               GError  **error)
{
  Onnx__GraphProto *g = im->graph;
  guint n_inputs = 0;

  for (gsize i = 0; i < g->n_input; i++)
    {
      Onnx__ValueInfoProto *in = g->input[i];
      Onnx__TensorShapeProto *s;
      gint64 dims[ONNX_MAX_RANK];
      EnvelopeLayer *layer;
      GPtrArray *users;
      if (in->name == NULL || g_hash_table_contains (im->values, in->name))
        continue;   /* an initializer listed as an input (IR < 4) */
      if (!g_utf8_validate (in->name, -1, NULL))
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("graph input %u: its name is not UTF-8 text"), (guint) i);
          return FALSE;
        }
      if (in->type == NULL || in->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
          || in->type->tensor_type->shape == NULL)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("graph input “%s”: it is not a tensor of known rank"), in->name);
          return FALSE;
        }
      s = in->type->tensor_type->shape;
      if (s->n_dim < 2 || s->n_dim > ENVELOPE_MAX_RANK + 1)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("graph input “%s”: it has %u axes; Envelope reads a batch axis and one to four more"),
                       in->name, (guint) s->n_dim);
          return FALSE;
        }
      for (gsize d = 0; d < s->n_dim; d++)
        {
          gboolean has = s->dim[d]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;

          if (d == 0)
            {
              /* the batch axis: dynamic or not, Envelope's shapes are per sample */
              dims[0] = 1;
              continue;
            }
          if (!has || s->dim[d]->dim_value < 1)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                           _("graph input “%s”: axis %u has no fixed size; export with a fixed size for it"),
                           in->name, (guint) d);
              return FALSE;
            }
          if (s->dim[d]->dim_value > ONNX_MAX_DIM)
            {
              g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                           _("graph input “%s”: axis %u claims %" PRId64 " values"),
                           in->name, (guint) d, (gint64) s->dim[d]->dim_value);
              return FALSE;
            }
          dims[d] = s->dim[d]->dim_value;
        }
      {
        g_autofree char *input_name = unique_name (im, in->name);

        layer = envelope_layer_new (ENVELOPE_LAYER_INPUT, input_name);
      }
      set_shape (layer, dims, (guint) s->n_dim, 0);
      users = users_of (im, in->name);
      if (s->n_dim == 3)
        {
          gboolean map = FALSE;

          for (guint k = 0; users != NULL && k < users->len; k++)
            {
              const char *op = g->node[GPOINTER_TO_UINT (users->pdata[k])]->op_type;

              map = map || g_strcmp0 (op, "Conv") == 0 || g_strcmp0 (op, "MaxPool") == 0
                    || g_strcmp0 (op, "AveragePool") == 0 || g_strcmp0 (op, "BatchNormalization") == 0;
            }
          layer->layout = map ? ENVELOPE_SHAPE_MAP : ENVELOPE_SHAPE_TOKENS;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
        }
      envelope_network_insert_layer (im->network, -1, layer);
      im->last_layer = layer->name;
      im->batch = 0;
      produce (im, in->name, layer, dims, (guint) s->n_dim);
      n_inputs++;
    }
  if (n_inputs == 0)
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                           _("the graph has no input tensor"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
import_initializers (Importer *im,
                     GError  **error)
{
  Onnx__GraphProto *g = im->graph;

  for (gsize i = 0; i < g->n_initializer; i++)
    {
      Onnx__TensorProto *t = g->initializer[i];
      Value *v;
      gint64 count;

      if (t->name == NULL)
        continue;
      if (t->n_dims > ONNX_MAX_RANK || !count_elements (t->dims, (guint) t->n_dims, &count))
        {
          GString *claim = g_string_new (NULL);

          for (gsize d = 0; d < t->n_dims && d < 16; d++)
            g_string_append_printf (claim, "%s%" G_GINT64_FORMAT, d > 0 ? " × " : "", (gint64) t->dims[d]);
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                       _("initializer “%s”: its dims (%s) claim more values than Envelope reads"),
                       t->name, claim->str);
          g_string_free (claim, TRUE);
          return FALSE;
        }
      v = define (im, t->name);
      v->initializer = v->constant = v->known = TRUE;
      v->source = t->name;
      v->rank = (guint) t->n_dims;
      if (t->n_dims > 0)
        memcpy (v->dims, t->dims, t->n_dims * sizeof (gint64));
      tensor_values (t, v);
    }
  return TRUE;
}

/* -- Channels-last stretches -------------------------------------------- */

/* Whether a layer, inside a stretch of a map turned channels last, does
 * to each position's channels what Envelope's kind does to a map's:
 * elementwise kinds, and the norms over the last axis. */
static gboolean
works_per_position (const EnvelopeLayer *layer)
{
  switch (layer->type)
    {
    case ENVELOPE_LAYER_DENSE:
    case ENVELOPE_LAYER_LAYER_NORM:
    case ENVELOPE_LAYER_RMS_NORM:
    case ENVELOPE_LAYER_DROPOUT:
    case ENVELOPE_LAYER_STOCHASTIC_DEPTH:
    case ENVELOPE_LAYER_IDENTITY:
    case ENVELOPE_LAYER_RELU:
    case ENVELOPE_LAYER_RELU6:
    case ENVELOPE_LAYER_LEAKY_RELU:
    case ENVELOPE_LAYER_ELU:
    case ENVELOPE_LAYER_SIGMOID:
    case ENVELOPE_LAYER_TANH:
    case ENVELOPE_LAYER_GELU:
    case ENVELOPE_LAYER_SILU:
    case ENVELOPE_LAYER_HARDSWISH:
    case ENVELOPE_LAYER_HARDSIGMOID:
    case ENVELOPE_LAYER_SOFTPLUS:
    case ENVELOPE_LAYER_MISH:
    case ENVELOPE_LAYER_CLIP:
    case ENVELOPE_LAYER_SCALE:
    case ENVELOPE_LAYER_ADD:
    case ENVELOPE_LAYER_SUB:
    case ENVELOPE_LAYER_MUL:
    case ENVELOPE_LAYER_DIV:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Whether @layer is a permute of a map of @rank axes that moves its
 * channels last (@back FALSE: [1, 2, …, 0]) or first again (@back TRUE:
 * [rank − 1, 0, 1, …]). */
static gboolean
moves_channels (const EnvelopeLayer *layer,
                gboolean             back,
                guint               *rank)
{
  guint k;

  if (layer->type != ENVELOPE_LAYER_PERMUTE)
    return FALSE;
  k = ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER);
  /* a map of one or more spatial axes; a pair of axes is a sequence's */
  if (k < 3 || k > ENVELOPE_MAX_RANK || (rank != NULL && *rank != 0 && *rank != k))
    return FALSE;
  for (guint i = 0; i < k; i++)
    if (layer->order[i] != (back ? (gint64) ((i + k - 1) % k) : (gint64) ((i + 1) % k)))
      return FALSE;
  if (rank != NULL)
    *rank = k;
  return TRUE;
}

/* @layer made a layer of @type with its settings at their defaults,
 * keeping its name, inputs and group: rewritten in place, so that what
 * points at it still does.  Only a layer with settings of its own is
 * made another type, and it was allocated with room for any. */
static void
retype (EnvelopeLayer     *layer,
        EnvelopeLayerType  type)
{
  g_autoptr(EnvelopeLayer) fresh = envelope_layer_new (type, "");
  char *name = layer->name, **inputs = layer->inputs, *group = layer->group;

  g_assert (envelope_layer_get_size (layer->type) >= envelope_layer_get_size (type));
  g_free (layer->shares);
  g_free (layer->operator_name);
  memcpy (layer, fresh, envelope_layer_get_size (type));
  layer->name = name;
  layer->inputs = inputs;
  layer->group = group;
  /* the fresh layer's strings are NULL but its name, which it frees */
  fresh->shares = fresh->operator_name = NULL;
}

/* @layer, a dense layer on channels-last positions, as the 1×1
 * convolution it is on the map: the same weights and multiply-adds. */
static void
dense_to_conv (EnvelopeLayer *layer)
{
  gint64 units = layer->units;
  gboolean bias = layer->bias;

  retype (layer, ENVELOPE_LAYER_CONV);
  layer->filters = units;
  for (guint a = 0; a < ENVELOPE_MAX_SPATIAL; a++)
    layer->kernel[a] = 1;
  ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_KERNEL) = 0;
  layer->bias = bias;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_FILTERS) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_KERNEL)
                | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
}

/* The inputs of every layer resolved, and how many layers read each:
 * what a stretch's walk needs.  FALSE where the names do not resolve. */
typedef struct
{
  guint n;
  guint *offsets;
  guint *indices;
  guint *readers;
} Readers;

static gboolean
readers_init (Readers               *r,
              const EnvelopeNetwork *network)
{
  r->n = envelope_network_get_n_layers (network);
  if (!envelope_network_resolve_inputs (network, &r->offsets, &r->indices, NULL, NULL))
    return FALSE;
  r->readers = g_new0 (guint, MAX (r->n, 1));
  for (guint i = 0; i < r->n; i++)
    for (guint k = r->offsets[i]; k < r->offsets[i + 1]; k++)
      r->readers[r->indices[k]]++;
  return TRUE;
}

static void
readers_clear (Readers *r)
{
  g_clear_pointer (&r->offsets, g_free);
  g_clear_pointer (&r->indices, g_free);
  g_clear_pointer (&r->readers, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Readers, readers_clear)

static gint
compare_indices (gconstpointer a,
                 gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* The @dropped layers (indices) go; in one pass before, whatever named
 * one of them names what @replaced says instead. */
static void
drop_layers (EnvelopeNetwork *network,
             GHashTable      *replaced,
             GArray          *dropped)
{
  guint n = envelope_network_get_n_layers (network);

  for (guint j = 0; j < n && g_hash_table_size (replaced) > 0; j++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, j);
      const char *name;

      for (guint k = 0; layer->inputs != NULL && layer->inputs[k] != NULL; k++)
        if ((name = g_hash_table_lookup (replaced, layer->inputs[k])) != NULL)
          {
            g_free (layer->inputs[k]);
            layer->inputs[k] = g_strdup (name);
          }
    }
  /* the last first, so that the indices hold */
  g_array_sort (dropped, compare_indices);
  for (guint k = dropped->len; k > 0; k--)
    envelope_layer_free (envelope_network_steal_layer (network, g_array_index (dropped, guint, k - 1)));
}

/* Whether layer @j reads the layer before it alone, which reads nothing
 * else into it: a link of a chain. */
static gboolean
links (const Readers *r,
       guint          j)
{
  return j < r->n && r->offsets[j + 1] - r->offsets[j] == 1 && r->indices[r->offsets[j]] == j - 1
         && r->readers[j - 1] == 1;
}

/* The end of the stretch after layer @first: the first layer past a
 * chain of at least one that @inside accepts, itself a link; 0 where
 * there is none. */
static guint
stretch_end (const EnvelopeNetwork *network,
             const Readers         *r,
             guint                  first,
             gboolean             (*inside) (const EnvelopeLayer *layer))
{
  guint end = first + 1;

  while (links (r, end) && inside (envelope_network_get_layer (network, end)))
    end++;
  return end > first + 1 && links (r, end) ? end : 0;
}

/* Whether a layer, between two Transposes of a sequence's axes, works
 * value by value: what may sit in a token-mixing MLP besides its dense
 * layers (a norm there would be over the tokens). */
static gboolean
works_per_value (const EnvelopeLayer *layer)
{
  return layer->type != ENVELOPE_LAYER_LAYER_NORM && layer->type != ENVELOPE_LAYER_RMS_NORM
         && works_per_position (layer);
}

/* MLP-Mixer's token mixing: a sequence [T, D] transposed to [D, T], a
 * Linear and its activations over the tokens of each feature, and
 * transposed back.  Read as permutes, the Transpose makes a map of D
 * channels whose dense layer would flatten it; the sequence is instead
 * read as a map of T channels (a reshape, free), each Linear a 1×1
 * convolution over them, and read back as tokens.  Returns how many
 * dense layers became convolutions, and adds to @n_biased how many of
 * those have a bias. */
static guint join_token_mixing_once (Importer *im, guint *n_biased, gboolean *more);

static guint
join_token_mixing (Importer *im,
                   guint    *n_biased)
{
  guint n_converted = 0;
  gboolean more = TRUE;

  /* the analysis stops at the first stretch not yet joined: a pass for
   * each, as settle() makes for each layer it cannot follow */
  for (guint pass = 0; pass < 256 && more; pass++)
    n_converted += join_token_mixing_once (im, n_biased, &more);
  return n_converted;
}

static guint
join_token_mixing_once (Importer *im,
                        guint    *n_biased,
                        gboolean *more)
{
  EnvelopeNetwork *network = im->network;
  guint n = envelope_network_get_n_layers (network), n_converted = 0;
  g_auto(Readers) r = { 0 };
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  gboolean any = FALSE;

  *more = FALSE;

  for (guint i = 0; i < n && !any; i++)
    {
      const EnvelopeLayer *layer = envelope_network_get_layer (network, i);

      any = layer->type == ENVELOPE_LAYER_PERMUTE && ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER) == 2
            && layer->order[0] == 1;
    }
  /* the layouts are the analysis's: only where a pair of axes is swapped */
  if (!any || !readers_init (&r, network) || (analysis = envelope_analysis_new_partial (network, NULL, NULL, NULL)) == NULL)
    return 0;
  for (guint i = 0; i < n; i++)
    {
      EnvelopeLayer *first = envelope_network_get_layer (network, i), *back;
      const EnvelopeLayerFigures *in;
      guint end;
      gint64 tokens, features;

      if (first->type != ENVELOPE_LAYER_PERMUTE || ENVELOPE_LAYER_LENGTH (first, ENVELOPE_FIELD_ORDER) != 2 || first->order[0] != 1
          || r.offsets[i + 1] - r.offsets[i] != 1)
        continue;
      in = envelope_analysis_get_layer (analysis, r.indices[r.offsets[i]]);
      if (in->state != ENVELOPE_LAYER_ANALYSED || in->layout != ENVELOPE_TENSOR_TOKENS || in->rank != 2)
        continue;
      end = stretch_end (network, &r, i, works_per_value);
      if (end == 0)
        continue;
      back = envelope_network_get_layer (network, end);
      if (back->type != ENVELOPE_LAYER_PERMUTE || ENVELOPE_LAYER_LENGTH (back, ENVELOPE_FIELD_ORDER) != 2 || back->order[0] != 1)
        continue;

      tokens = (gint64) in->shape[0];
      features = (gint64) in->shape[1];
      for (guint j = i + 1; j < end; j++)
        {
          EnvelopeLayer *layer = envelope_network_get_layer (network, j);

          if (layer->type == ENVELOPE_LAYER_DENSE)
            {
              tokens = layer->units;
              dense_to_conv (layer);
              n_converted++;
              *n_biased += layer->bias;
            }
        }
      /* [T, D] read as a map of T channels, and the last [T′, D] as tokens */
      {
        gint64 map[2] = { (gint64) in->shape[0], features }, sequence[2] = { tokens, features };

        retype (first, ENVELOPE_LAYER_RESHAPE);
        set_list (first, ENVELOPE_FIELD_SHAPE, first->shape, map, 2);
        first->shape_rank = 2;
        first->layout = ENVELOPE_SHAPE_MAP;
        first->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
        retype (back, ENVELOPE_LAYER_RESHAPE);
        set_list (back, ENVELOPE_FIELD_SHAPE, back->shape, sequence, 2);
        back->shape_rank = 2;
        back->layout = ENVELOPE_SHAPE_TOKENS;
        back->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
      }
      /* what follows was not analysed past the stretch: another pass */
      *more = TRUE;
      break;
    }
  return n_converted;
}

/* Whether @layer may sit in a channels-last region: it works on each
 * position's channels, or is Swin's window attention, or moves values
 * along axes that a region's rewriting renumbers (PatchMerging's
 * strided slices and concat), or pads nothing. */
static gboolean
region_member (const EnvelopeLayer *layer)
{
  if (layer->type == ENVELOPE_LAYER_PAD)
    {
      for (guint a = 0; a < MAX (ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_PADDING), 1) && a < ENVELOPE_MAX_SPATIAL; a++)
        if (layer->padding[a] != 0)
          return FALSE;
      return TRUE;
    }
  return works_per_position (layer) || layer->type == ENVELOPE_LAYER_WINDOW_ATTENTION
         || layer->type == ENVELOPE_LAYER_SLICE || layer->type == ENVELOPE_LAYER_CONCAT;
}

/* A per-sample axis of a map read channels last ([H, W, C]) as the
 * map's own ([C, H, W]). */
static gint64
channels_first_axis (gint64 axis,
                     guint  rank)
{
  return axis == (gint64) rank - 1 ? 0 : axis + 1;
}

/* Exporters write a channels-last stretch of a map as a Transpose that
 * moves the channels last, the operators, and a Transpose back: a chain
 * in ConvNeXt's block (nn.Linear and nn.LayerNorm on the channels), and
 * in Swin, channels last from the patch embedding to the head, a region
 * of residual sums, window attention, MLPs and patch merging.  Read as
 * permutes, the dense layers inside would flatten each map.  A region
 * reached from a Transpose that moves the channels last, every path of
 * which ends at a Transpose back and every layer of which is a
 * region_member(), is the map's own: the Transposes go, dense layers
 * are 1×1 convolutions and the slices' and concats' axes are
 * renumbered.  Returns how many dense layers became convolutions, and
 * adds to @n_biased those with a bias. */
static guint
join_channels_last_regions (Importer *im,
                            guint    *n_biased)
{
  EnvelopeNetwork *network = im->network;
  guint n = envelope_network_get_n_layers (network), n_converted = 0;
  g_auto(Readers) r = { 0 };
  g_autofree guint *first_reader = NULL, *reader = NULL;
  g_autofree guint8 *state = NULL;   /* 0 free, 1 in the region being grown, 3 its exit, 2 taken */
  g_autoptr(GArray) region = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) exits = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) dropped = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) replaced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (n == 0 || !readers_init (&r, network))
    return 0;
  /* each layer's readers, in one array */
  first_reader = g_new0 (guint, n + 1);
  for (guint i = 0; i < n; i++)
    first_reader[i + 1] = first_reader[i] + r.readers[i];
  reader = g_new (guint, MAX (first_reader[n], 1));
  {
    g_autofree guint *filled = g_new0 (guint, n);

    for (guint j = 0; j < n; j++)
      for (guint k = r.offsets[j]; k < r.offsets[j + 1]; k++)
        reader[first_reader[r.indices[k]] + filled[r.indices[k]]++] = j;
  }
  state = g_new0 (guint8, n);

  for (guint i = 0; i < n; i++)
    {
      EnvelopeLayer *in = envelope_network_get_layer (network, i);
      guint rank = 0;
      gboolean closed = TRUE;

      if (state[i] != 0 || !moves_channels (in, FALSE, &rank) || r.offsets[i + 1] - r.offsets[i] != 1)
        continue;
      g_array_set_size (region, 0);
      g_array_set_size (exits, 0);
      g_array_append_val (region, i);
      state[i] = 1;
      for (guint q = 0; q < region->len && closed; q++)
        {
          guint l = g_array_index (region, guint, q);

          for (guint k = first_reader[l]; k < first_reader[l + 1] && closed; k++)
            {
              guint m = reader[k];
              EnvelopeLayer *layer = envelope_network_get_layer (network, m);
              guint back = rank;

              if (state[m] == 1 || state[m] == 3)
                continue;
              if (state[m] == 0 && moves_channels (layer, TRUE, &back) && r.offsets[m + 1] - r.offsets[m] == 1)
                {
                  state[m] = 3;
                  g_array_append_val (exits, m);
                  continue;
                }
              if (state[m] != 0 || !region_member (layer))
                {
                  closed = FALSE;
                  break;
                }
              state[m] = 1;
              g_array_append_val (region, m);
            }
        }
      /* every input inside: a sum with a map from outside is not the map's */
      for (guint q = 1; closed && q < region->len; q++)
        {
          guint m = g_array_index (region, guint, q);

          for (guint j = r.offsets[m]; j < r.offsets[m + 1]; j++)
            if (state[r.indices[j]] != 1)
              closed = FALSE;
        }
      /* an exit is no input to the region */
      for (guint e = 0; closed && e < exits->len; e++)
        for (guint k = first_reader[g_array_index (exits, guint, e)];
             k < first_reader[g_array_index (exits, guint, e) + 1]; k++)
          if (state[reader[k]] == 1)
            closed = FALSE;
      if (!closed || exits->len == 0)
        {
          for (guint q = 0; q < region->len; q++)
            state[g_array_index (region, guint, q)] = 2;
          for (guint e = 0; e < exits->len; e++)
            state[g_array_index (exits, guint, e)] = 0;
          continue;
        }

      /* the region is the map's own */
      for (guint q = 1; q < region->len; q++)
        {
          EnvelopeLayer *layer = envelope_network_get_layer (network, g_array_index (region, guint, q));

          g_hash_table_remove (im->per_position, layer->name);
          if (layer->type == ENVELOPE_LAYER_DENSE)
            {
              dense_to_conv (layer);
              n_converted++;
              *n_biased += layer->bias;
            }
          else if (layer->type == ENVELOPE_LAYER_SLICE || layer->type == ENVELOPE_LAYER_CONCAT)
            layer->axis = channels_first_axis (layer->axis, rank);
        }
      /* a module that is the region's one layer (torchvision's
       * LayerNorm2d, whose Transposes carry its name): the layer takes
       * the name */
      if (region->len == 2 && exits->len == 1)
        {
          EnvelopeLayer *only = envelope_network_get_layer (network, g_array_index (region, guint, 1));

          if (g_strcmp0 (only->group, in->name) == 0)
            {
              g_hash_table_insert (replaced, g_strdup (only->name), g_strdup (in->name));
              g_free (only->name);
              only->name = g_strdup (in->name);
              g_free (only->group);
              only->group = g_strdup (in->group);
            }
        }
      /* what read the Transpose in reads what it read; what read a
       * Transpose back reads the region's layer before it */
      {
        const char *source = envelope_network_get_layer (network, r.indices[r.offsets[i]])->name;

        g_hash_table_insert (replaced, g_strdup (in->name), g_strdup (source));
        if (in->inputs != NULL && i + 1 < n && envelope_network_get_layer (network, i + 1)->inputs == NULL)
          envelope_network_get_layer (network, i + 1)->inputs = g_strdupv ((char **) (const char *[]) { in->name, NULL });
      }
      g_array_append_val (dropped, i);
      for (guint e = 0; e < exits->len; e++)
        {
          guint x = g_array_index (exits, guint, e), from = r.indices[r.offsets[x]];
          EnvelopeLayer *out = envelope_network_get_layer (network, x);
          const char *to = from == i ? envelope_network_get_layer (network, r.indices[r.offsets[i]])->name
                                     : envelope_network_get_layer (network, from)->name;

          g_hash_table_insert (replaced, g_strdup (out->name), g_strdup (to));
          /* the layer after it, reading it as the one before: named,
           * unless the one before it once it goes is what it read */
          if (x + 1 < n && envelope_network_get_layer (network, x + 1)->inputs == NULL && (from != x - 1 || from == i))
            envelope_network_get_layer (network, x + 1)->inputs = g_strdupv ((char **) (const char *[]) { to, NULL });
          g_array_append_val (dropped, x);
          state[x] = 2;
        }
      for (guint q = 0; q < region->len; q++)
        state[g_array_index (region, guint, q)] = 2;
    }
  /* the Transposes go; what read one reads its replacement */
  drop_layers (network, replaced, dropped);
  return n_converted;
}

/* A MatMul or a layer normalization on each position of a map outside a
 * channels-last stretch Envelope can follow (Swin's, which stays
 * channels last): a dense layer would flatten the map and a layer
 * normalization count the wrong axis, so each is an operator of unknown
 * cost with the shape the import worked out, and a note says so. */
static void
refuse_per_position (Importer *im)
{
  for (guint i = 0; i < envelope_network_get_n_layers (im->network); i++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (im->network, i);
      const char *operator = layer->type == ENVELOPE_LAYER_DENSE ? "MatMul"
                             : layer->type == ENVELOPE_LAYER_LAYER_NORM ? "LayerNormalization" : "ShiftedWindowAttention";
      Value *v;

      if ((layer->type != ENVELOPE_LAYER_DENSE && layer->type != ENVELOPE_LAYER_LAYER_NORM
           && layer->type != ENVELOPE_LAYER_WINDOW_ATTENTION)
          || !g_hash_table_contains (im->per_position, layer->name)
          || (v = g_hash_table_lookup (im->layer_dims, layer->name)) == NULL
          || sample_rank (v->rank, v->batch) > ENVELOPE_MAX_RANK)
        continue;
      retype (layer, ENVELOPE_LAYER_UNKNOWN);
      layer->operator_name = g_strdup (operator);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR);
      set_shape (layer, v->dims, v->rank, v->batch);
      envelope_import_note (im->notes, _("%s (%s): it acts on each position of a map whose channels are last, "
                                         "which Envelope follows only between two Transposes; imported as an operator of "
                                         "unknown cost"), layer->name, operator);
    }
}

/* After the graph: each layer the analysis cannot follow becomes an
 * unknown layer with the shape the import worked out, so that one odd
 * operator never costs the whole import. */
static gboolean
settle (Importer *im,
        GError  **error)
{
  guint n = envelope_network_get_n_layers (im->network);

  /* each attempt analyses the whole network: a file whose every layer
   * fails is refused after a few hundred */
  for (guint attempt = 0; attempt <= MIN (n, 256); attempt++)
    {
      EnvelopeErrorLocation location = { -1, NULL };
      g_autoptr(GError) local = NULL;
      EnvelopeAnalysis *analysis = envelope_analysis_new (im->network, NULL, &location, &local);
      EnvelopeLayer *old, *layer;
      Value *v;

      if (analysis != NULL)
        {
          envelope_analysis_free (analysis);
          return TRUE;
        }
      if (location.layer < 0)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("the imported network cannot be analysed: %s"), local->message);
          return FALSE;
        }
      old = envelope_network_get_layer (im->network, (guint) location.layer);
      v = g_hash_table_lookup (im->layer_dims, old->name);
      if (old->type == ENVELOPE_LAYER_UNKNOWN || old->type == ENVELOPE_LAYER_INPUT || v == NULL
          || sample_rank (v->rank, v->batch) < 1 || sample_rank (v->rank, v->batch) > ENVELOPE_MAX_RANK)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("layer “%s”: %s"), old->name, local->message);
          return FALSE;
        }
      old = envelope_network_steal_layer (im->network, (guint) location.layer);
      layer = envelope_layer_new (ENVELOPE_LAYER_UNKNOWN, old->name);
      layer->group = g_strdup (old->group);
      layer->inputs = g_strdupv (old->inputs);
      layer->operator_name = g_strdup (envelope_layer_kind_get (old->type)->id);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR);
      set_shape (layer, v->dims, v->rank, v->batch);
      if (sample_rank (v->rank, v->batch) == 2)
        {
          layer->layout = old->type == ENVELOPE_LAYER_RESHAPE ? old->layout : ENVELOPE_SHAPE_TOKENS;
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
        }
      envelope_import_note (im->notes, _("%s: Envelope cannot follow it as %s (%s); imported as an operator of unknown cost"),
                            old->name, envelope_layer_kind_get (old->type)->id, local->message);
      envelope_layer_free (old);
      envelope_network_insert_layer (im->network, location.layer, layer);
    }
  g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("the imported network cannot be analysed"));
  return FALSE;
}

EnvelopeNetwork *
envelope_import_onnx (const guint8 *data,
                      gsize         length,
                      const char   *path,
                      GPtrArray    *notes,
                      GError      **error)
{
  Onnx__ModelProto *model;
  Importer im = { 0 };
  g_autofree guint *order = NULL;
  EnvelopeNetwork *result = NULL;
  g_autofree char *name = NULL;
  guint n_pointwise, n_pointwise_biased = 0, n_mixing;

  if (!envelope_import_looks_like_onnx (data, length))
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT,
                           _("this is not an ONNX model: its first bytes are not those of a ModelProto"));
      return NULL;
    }
  if (!check_nesting (data, length, error))
    return NULL;
  {
    g_autoptr(GByteArray) stripped = strip_weights (data, length);

    model = stripped != NULL ? onnx__model_proto__unpack (NULL, stripped->len, stripped->data) : NULL;
    if (model == NULL)
      model = onnx__model_proto__unpack (NULL, length, data);
  }
  if (model == NULL)
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("the ONNX model is truncated or malformed: its protocol buffer does not decode"));
      return NULL;
    }
  if (model->graph == NULL)
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                           _("the ONNX model has no graph"));
      goto out;
    }
  im.graph = model->graph;
  im.opset = 0;
  for (gsize i = 0; i < model->n_opset_import; i++)
    if (model->opset_import[i]->domain == NULL || model->opset_import[i]->domain[0] == '\0'
        || strcmp (model->opset_import[i]->domain, "ai.onnx") == 0)
      im.opset = model->opset_import[i]->version;
  if (im.graph->n_node > ENVELOPE_IMPORT_MAX_LAYERS)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                   _("the graph has %zu nodes; Envelope reads up to %d"), im.graph->n_node, ENVELOPE_IMPORT_MAX_LAYERS);
      goto out;
    }
  name = g_strdup (im.graph->name != NULL && im.graph->name[0] != '\0' && g_utf8_validate (im.graph->name, -1, NULL)
                   ? im.graph->name : "onnx");
  if (path != NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      if (g_utf8_validate (base, -1, NULL))
        {
          g_free (name);
          name = g_strdup (base);
        }
    }
  im.network = envelope_network_new (name);
  im.notes = notes;
  im.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
  im.consumers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  im.value_info = g_hash_table_new (g_str_hash, g_str_equal);
  im.unknown_ops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.layer_dims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
  im.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.suffixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  im.per_position = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.windows = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, window_free);
  im.done = g_new0 (gboolean, im.graph->n_node + 1);
  for (gsize i = 0; i < im.graph->n_value_info; i++)
    if (im.graph->value_info[i]->name != NULL)
      g_hash_table_insert (im.value_info, im.graph->value_info[i]->name, im.graph->value_info[i]);
  for (gsize i = 0; i < im.graph->n_output; i++)
    if (im.graph->output[i]->name != NULL)
      g_hash_table_insert (im.value_info, im.graph->output[i]->name, im.graph->output[i]);

  if (im.opset != 0 && (im.opset < 7 || im.opset > 21))
    envelope_import_note (notes, _("The model uses opset %" PRId64 "; Envelope reads opsets 7 to 21 and may misread it."),
                          (gint64) im.opset);
  if (!import_initializers (&im, error))
    goto out;
  if ((order = sort_nodes (&im, error)) == NULL && im.graph->n_node > 0)
    goto out;
  if (!import_inputs (&im, error))
    goto out;
  /* every node is checked before any is read: the patterns that fuse
   * several nodes into one layer look ahead */
  for (gsize i = 0; i < im.graph->n_node; i++)
    {
      const Onnx__NodeProto *node = im.graph->node[i];

      if (node->op_type == NULL || !g_utf8_validate (node->op_type, -1, NULL)
          || (node->name != NULL && !g_utf8_validate (node->name, -1, NULL)))
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                       _("node %u: its name or operator is not UTF-8 text"), (guint) i);
          goto out;
        }
    }
  find_window_attention (&im);
  for (gsize k = 0; k < im.graph->n_node; k++)
    {
      guint i = order[k];
      Onnx__NodeProto *node = im.graph->node[i];
      Op op = { &im, i, node, { NULL }, error };

      if (im.done[i])
        continue;
      if (g_hash_table_contains (im.windows, GUINT_TO_POINTER (i + 1)))
        {
          if (!import_window_attention (&op, g_hash_table_lookup (im.windows, GUINT_TO_POINTER (i + 1))))
            goto out;
          continue;
        }
      if (node->domain != NULL && node->domain[0] != '\0' && strcmp (node->domain, "ai.onnx") != 0)
        {
          /* an operator of another domain (com.microsoft…): no kind */
          for (gsize j = 0; j < node->n_input && j < G_N_ELEMENTS (op.in); j++)
            op.in[j] = lookup (&im, node->input[j]);
          if (!import_unknown (&op, _("it is an operator of another domain")))
            goto out;
          continue;
        }
      for (gsize j = 0; j < node->n_input && j < G_N_ELEMENTS (op.in); j++)
        {
          op.in[j] = lookup (&im, node->input[j]);
          if (node->input[j][0] != '\0' && op.in[j] == NULL)
            {
              node_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, i, node,
                          _("its input “%s” is not produced by any node, graph input or initializer"), node->input[j]);
              goto out;
            }
        }
      im.batch = 0;
      for (gsize j = 0; j < node->n_input && j < G_N_ELEMENTS (op.in); j++)
        if (op.in[j] != NULL && op.in[j]->layer != NULL)
          {
            im.batch = op.in[j]->batch;
            break;
          }
      if (!import_node (&op))
        goto out;
      /* outputs no handler made (a Dropout's mask, an unknown
       * operator's second result): its first output stands for them */
      for (gsize j = 1; j < node->n_output; j++)
        {
          Value *first = lookup (&im, node->output[0]);

          if (node->output[j][0] != '\0' && lookup (&im, node->output[j]) == NULL && first != NULL)
            alias (&im, node->output[j], first);
        }
    }
  /* the shapes the file gives its outputs, against those worked out */
  for (gsize i = 0; i < im.graph->n_output; i++)
    {
      Onnx__ValueInfoProto *info = im.graph->output[i];
      Value *v = lookup (&im, info->name);
      Onnx__TensorShapeProto *shape;
      gboolean differ = FALSE;

      if (v == NULL || !v->known || info->type == NULL || info->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
          || (shape = info->type->tensor_type->shape) == NULL || shape->n_dim != v->rank)
        continue;
      for (gsize d = 0; d < shape->n_dim; d++)
        if ((gint) d != v->batch && shape->dim[d]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
            && shape->dim[d]->dim_value != v->dims[d])
          differ = TRUE;
      if (differ && g_utf8_validate (info->name, -1, NULL))
        envelope_import_note (notes, _("Output “%s”: the file gives it another shape than Envelope works out; the figures follow Envelope’s."),
                              info->name);
    }
  if (envelope_network_get_n_layers (im.network) < 2)
    {
      g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                           _("the graph computes nothing Envelope can follow"));
      goto out;
    }
  n_pointwise = join_channels_last_regions (&im, &n_pointwise_biased);
  n_mixing = join_token_mixing (&im, &n_pointwise_biased);
  refuse_per_position (&im);
  if (n_pointwise > 0)
    envelope_import_note (notes, g_dngettext (GETTEXT_PACKAGE,
                                              "%u MatMul on a map turned channels last acts on the channels of each position: "
                                              "a 1×1 convolution.",
                                              "%u MatMuls on maps turned channels last act on the channels of each position: "
                                              "1×1 convolutions.", n_pointwise), n_pointwise);
  if (n_mixing > 0)
    envelope_import_note (notes, g_dngettext (GETTEXT_PACKAGE,
                                              "%u MatMul on a sequence's transpose mixes its tokens: a 1×1 convolution "
                                              "over the tokens read as channels.",
                                              "%u MatMuls on a sequence's transpose mix its tokens: 1×1 convolutions "
                                              "over the tokens read as channels.", n_mixing), n_mixing);
  if (!settle (&im, error))
    goto out;

  if (im.n_batch_norm == 0)
    {
      guint with_bias = 0;

      for (guint i = 0; i < envelope_network_get_n_layers (im.network); i++)
        {
          EnvelopeLayer *l = envelope_network_get_layer (im.network, i);

          if (l->type == ENVELOPE_LAYER_CONV && l->bias)
            with_bias++;
        }
      /* not those made of dense layers on channels-last positions */
      with_bias -= MIN (with_bias, n_pointwise_biased);
      if (with_bias >= 2)
        envelope_import_note (notes, _("No batch normalization and %u convolutions with a bias: an inference export may have folded "
                                       "batch normalization into the convolutions, which changes the parameter count. "
                                       "Export with training=torch.onnx.TrainingMode.TRAINING to keep it."), with_bias);
    }
  if (im.n_decomposed_norms > 0)
    envelope_import_note (notes, g_dngettext (GETTEXT_PACKAGE, "%u layer normalization written out in primitive operators is read as one layer.",
                                              "%u layer normalizations written out in primitive operators are read as one layer each.",
                                              im.n_decomposed_norms), im.n_decomposed_norms);
  result = g_steal_pointer (&im.network);

out:
  g_clear_pointer (&im.network, envelope_network_free);
  g_clear_pointer (&im.values, g_hash_table_unref);
  g_clear_pointer (&im.consumers, g_hash_table_unref);
  g_clear_pointer (&im.value_info, g_hash_table_unref);
  g_clear_pointer (&im.unknown_ops, g_hash_table_unref);
  g_clear_pointer (&im.layer_dims, g_hash_table_unref);
  g_clear_pointer (&im.names, g_hash_table_unref);
  g_clear_pointer (&im.suffixes, g_hash_table_unref);
  g_clear_pointer (&im.tables, g_hash_table_unref);
  g_clear_pointer (&im.per_position, g_hash_table_unref);
  g_clear_pointer (&im.windows, g_hash_table_unref);
  g_free (im.done);
  onnx__model_proto__free_unpacked (model, NULL);
  return result;
}
