/* envelope-import.c: which format a file is, and the reader for it
 *
 * The format is recognised by the content, never by the extension alone:
 * a zip archive is a .keras file, a JSON object is Envelope's own or a
 * Keras model, a protocol buffer whose fields fit a ModelProto is ONNX,
 * and text of "layer {" blocks is a Caffe prototxt.  Files are mapped,
 * not read, so that a 550 MB ONNX file with its weights costs no copy;
 * what cannot be mapped (a pipe, a device) is read up to a limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "envelope-import-private.h"

G_DEFINE_QUARK (envelope-import-error-quark, envelope_import_error)

/* What is read from something that is not a regular file. */
#define MAX_STREAM_BYTES (G_GUINT64_CONSTANT (256) << 20)

static const char *format_names[ENVELOPE_N_FILE_FORMATS] = {
  N_("unknown"),
  N_("Envelope network"),
  N_("ONNX model"),
  N_("Caffe prototxt"),
  N_("Keras model (JSON)"),
  N_("Keras archive (.keras)"),
};

const char *
envelope_file_format_get_name (EnvelopeFileFormat format)
{
  g_return_val_if_fail (format < ENVELOPE_N_FILE_FORMATS, NULL);
  return _(format_names[format]);
}

void
envelope_import_note (GPtrArray  *notes,
                      const char *format,
                      ...)
{
  va_list args;

  if (notes == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The first bytes of a JSON object: Envelope's files say so in "format";
 * a Keras model has a "class_name" and a "config". */
static EnvelopeFileFormat
detect_json (const guint8 *data,
             gsize         length)
{
  gsize window = MIN (length, 65536);
  g_autofree char *head = g_strndup ((const char *) data, window);

  if (strstr (head, "\"envelope-network\"") != NULL)
    return ENVELOPE_FILE_ENVELOPE;
  if (strstr (head, "\"class_name\"") != NULL && strstr (head, "\"config\"") != NULL)
    return ENVELOPE_FILE_KERAS_JSON;
  return ENVELOPE_FILE_ENVELOPE;
}

EnvelopeFileFormat
envelope_import_detect (const guint8 *data,
                        gsize         length,
                        const char   *path)
{
  gsize i = 0;

  g_return_val_if_fail (data != NULL || length == 0, ENVELOPE_FILE_UNKNOWN);

  if (length >= 4 && memcmp (data, "PK\003\004", 4) == 0)
    return ENVELOPE_FILE_KERAS_ARCHIVE;
  while (i < length && g_ascii_isspace (data[i]))
    i++;
  if (i == length)
    return ENVELOPE_FILE_ENVELOPE;   /* empty: its loader says so */
  if (data[i] == '{' || data[i] == '[')
    return detect_json (data + i, length - i);
  if (envelope_import_looks_like_caffe (data, length))
    return ENVELOPE_FILE_CAFFE;
  if (envelope_import_looks_like_onnx (data, length))
    return ENVELOPE_FILE_ONNX;
  return ENVELOPE_FILE_UNKNOWN;
}

/* A Caffe .caffemodel: a binary NetParameter, its "name" (field 1) and
 * then its layers ("layer", field 100, or the old "layers", field 2). */
static gboolean
looks_like_caffemodel (const guint8 *data,
                       gsize         length)
{
  gsize name_length, pos;

  if (length < 4 || data[0] != 0x0a || data[1] == 0 || data[1] >= 0x80)
    return FALSE;
  name_length = data[1];
  pos = 2 + name_length;
  if (pos + 2 > length)
    return FALSE;
  for (gsize i = 2; i < pos; i++)
    if (!g_ascii_isprint (data[i]))
      return FALSE;
  return (data[pos] == 0xa2 && data[pos + 1] == 0x06) || data[pos] == 0x12;
}

/* What a file Envelope does not read looks like, to say so: "this is a
 * PNG image" helps more than "not a network file". */
static char *
describe_unknown (const guint8 *data,
                  gsize         length,
                  const char   *path)
{
  const char *reads = _("Envelope opens Envelope networks (JSON), ONNX models (.onnx), Caffe prototxts "
                        "and Keras models (.keras or the JSON of model.to_json())");

  if (length >= 8 && memcmp (data, "\211HDF\r\n\032\n", 8) == 0)
    return g_strdup (_("this is an HDF5 file, most likely a Keras .h5 model: Envelope reads Keras models "
                       "saved as .keras (model.save(\"model.keras\")) or as JSON (model.to_json()); "
                       "save it so and open that"));
  if (looks_like_caffemodel (data, length) || (path != NULL && g_str_has_suffix (path, ".caffemodel")))
    return g_strdup (_("this looks like a Caffe .caffemodel, the trained weights: the network is in its "
                       ".prototxt (deploy.prototxt or train_val.prototxt); open that instead"));
  if (length >= 8 && memcmp (data, "\211PNG\r\n\032\n", 8) == 0)
    return g_strdup_printf (_("this is a PNG image, not a network; %s"), reads);
  if (length >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return g_strdup_printf (_("this is a PDF document, not a network; %s"), reads);
  if (length >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    return g_strdup_printf (_("this file is compressed with gzip: uncompress it (gunzip) and open what it holds; %s"),
                            reads);
  if (length >= 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5)
    return g_strdup_printf (_("this is a Python pickle (an old PyTorch .pt or .pth file?), which holds weights "
                              "and code rather than a network description: export the model to ONNX "
                              "(torch.onnx.export) and open that; %s"), reads);
  return g_strdup_printf (_("this is not a network file Envelope reads: %s"), reads);
}

/* A foreign file's names may hold anything; an Envelope file's names
 * are plain UTF-8 text.  Invalid bytes become U+FFFD and control
 * characters "?", the same way in names and in the inputs that name
 * them, so the network saves and reads back. */
static char *
clean_text (char     *text,
            gboolean  free_text)
{
  char *valid;
  GString *out;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  g_free (text);
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (envelope_text_char_is_plain (c, free_text))
        g_string_append_unichar (out, c);
      else
        g_string_append_c (out, '?');
    }
  g_free (valid);
  return g_string_free (out, FALSE);
}

/* The name a layer's cleaned @raw name becomes, or a cleaned copy of
 * @raw where no layer has it (the analysis then says so). */
static char *
cleaned_reference (GHashTable *cleaned,
                   char       *raw)
{
  const char *name = raw != NULL ? g_hash_table_lookup (cleaned, raw) : NULL;

  if (name == NULL)
    return clean_text (raw, FALSE);
  g_free (raw);
  return g_strdup (name);
}

static void
clean_names (EnvelopeNetwork *network)
{
  g_autoptr(GHashTable) cleaned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);

  network->name = clean_text (network->name, FALSE);
  network->description = clean_text (network->description, TRUE);
  /* the names first: two names that differ only in bytes cleaning
   * replaces ("\x01" and "\x02" are both "?") stay two names */
  for (guint i = 0; i < envelope_network_get_n_layers (network); i++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, i);
      char *raw = g_strdup (layer->name);
      char *name = clean_text (layer->name, FALSE);

      for (guint n = 2; g_hash_table_contains (taken, name) && n < G_MAXUINT; n++)
        {
          char *other = g_strdup_printf ("%s_%u", name, n);

          if (!g_hash_table_contains (taken, other))
            {
              g_free (name);
              name = other;
              break;
            }
          g_free (other);
        }
      layer->name = name;
      g_hash_table_add (taken, layer->name);
      if (raw != NULL && !g_hash_table_contains (cleaned, raw))
        g_hash_table_insert (cleaned, raw, g_strdup (name));
      else
        g_free (raw);
    }
  for (guint i = 0; i < envelope_network_get_n_layers (network); i++)
    {
      EnvelopeLayer *layer = envelope_network_get_layer (network, i);

      layer->group = clean_text (layer->group, FALSE);
      layer->shares = cleaned_reference (cleaned, layer->shares);
      layer->operator_name = clean_text (layer->operator_name, FALSE);
      for (guint k = 0; layer->inputs != NULL && layer->inputs[k] != NULL; k++)
        layer->inputs[k] = cleaned_reference (cleaned, layer->inputs[k]);
    }
}

/**
 * envelope_import_load_data_as:
 * @data: the file's bytes
 * @length: how many
 * @path: (nullable): the file's name, for messages
 * @format: the reader to use, whatever the bytes look like;
 *   %ENVELOPE_FILE_UNKNOWN recognises the format by the content
 * @notes: (out) (optional): what the reader assumed or skipped
 * @error: where a refusal goes
 *
 * Returns: (transfer full): the network, or %NULL with @error set
 */
EnvelopeNetwork *
envelope_import_load_data_as (const guint8       *data,
                              gsize               length,
                              const char         *path,
                              EnvelopeFileFormat  format,
                              GPtrArray         **notes_out,
                              GError            **error)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  EnvelopeNetwork *network = NULL;

  if (format == ENVELOPE_FILE_UNKNOWN)
    format = envelope_import_detect (data, length, path);
  switch (format)
    {
    case ENVELOPE_FILE_ENVELOPE:
      network = envelope_network_load_from_data ((const char *) data, (gssize) length, error);
      break;
    case ENVELOPE_FILE_ONNX:
      network = envelope_import_onnx (data, length, path, notes, error);
      break;
    case ENVELOPE_FILE_CAFFE:
      network = envelope_import_caffe (data, length, path, notes, error);
      break;
    case ENVELOPE_FILE_KERAS_JSON:
      network = envelope_import_keras_json (data, length, path, notes, error);
      break;
    case ENVELOPE_FILE_KERAS_ARCHIVE:
      network = envelope_import_keras_archive (data, length, path, notes, error);
      break;
    case ENVELOPE_FILE_UNKNOWN:
    case ENVELOPE_N_FILE_FORMATS:
    default:
      {
        g_autofree char *what = describe_unknown (data, length, path);

        g_set_error_literal (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_FORMAT, what);
      }
      break;
    }
  if (network != NULL && format != ENVELOPE_FILE_ENVELOPE)
    clean_names (network);
  if (network == NULL && error != NULL && *error != NULL && !g_utf8_validate ((*error)->message, -1, NULL))
    {
      /* a name from the file, in the message: show what can be shown */
      char *valid = g_utf8_make_valid ((*error)->message, -1);

      g_free ((*error)->message);
      (*error)->message = valid;
    }
  if (notes_out != NULL)
    *notes_out = network != NULL ? g_steal_pointer (&notes) : NULL;
  return network;
}

EnvelopeNetwork *
envelope_import_load_data (const guint8       *data,
                           gsize               length,
                           const char         *path,
                           EnvelopeFileFormat *format_out,
                           GPtrArray         **notes_out,
                           GError            **error)
{
  EnvelopeFileFormat format = envelope_import_detect (data, length, path);

  if (format_out != NULL)
    *format_out = format;
  return envelope_import_load_data_as (data, length, path, format, notes_out, error);
}

/* Reads a stream up to MAX_STREAM_BYTES: /dev/zero must not fill memory. */
static GBytes *
read_stream (const char *path,
             GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[65536];

  if (stream == NULL)
    return NULL;
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (bytes->len + (guint64) n > MAX_STREAM_BYTES)
        {
          g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                       _("it is not a regular file and goes on past %u MiB; Envelope reads no more"),
                       (guint) (MAX_STREAM_BYTES >> 20));
          return NULL;
        }
      g_byte_array_append (bytes, buffer, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

EnvelopeNetwork *
envelope_import_load_file (const char         *path,
                           EnvelopeFileFormat *format,
                           GPtrArray         **notes,
                           GError            **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  EnvelopeNetwork *network;
  GStatBuf st;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
    {
      mapped = g_mapped_file_new (path, FALSE, &local_error);
      if (mapped == NULL)
        {
          g_set_error_literal (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_IO, local_error->message);
          return NULL;
        }
      data = (const guint8 *) g_mapped_file_get_contents (mapped);
      length = g_mapped_file_get_length (mapped);
    }
  else
    {
      bytes = read_stream (path, &local_error);
      if (bytes == NULL)
        {
          if (local_error->domain == ENVELOPE_IMPORT_ERROR)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error_literal (error, ENVELOPE_NETWORK_ERROR, ENVELOPE_NETWORK_ERROR_IO, local_error->message);
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
      data = g_bytes_get_data (bytes, &length);
    }
  network = envelope_import_load_data (data != NULL ? data : (const guint8 *) "", length, path, format, notes, error);
  if (network == NULL)
    g_prefix_error (error, "%s: ", path);
  return network;
}
