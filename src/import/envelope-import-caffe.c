/* envelope-import-caffe.c: Caffe prototxt files
 *
 * A prototxt is a NetParameter in protocol buffers' text format.  It is
 * read without a protobuf library: GScanner cuts the text into words,
 * strings and punctuation, a loop with an explicit stack (so that the
 * file cannot make the reader recurse) turns them into a tree of
 * fields, and each layer block is then mapped to Envelope's kinds.
 *
 * Both syntaxes are read: the current `layer { type: "Convolution" }`
 * and the old `layers { type: CONVOLUTION }`, whose types are enum
 * values.  Caffe names blobs, not layers: a layer reads the blobs named
 * by its bottoms and writes its tops, and a layer whose top is its
 * bottom works in place, so the next reader of that blob reads the
 * in-place layer's output.  The importer follows which Envelope layer
 * last wrote each blob.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-import"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "envelope-analysis.h"
#include "envelope-import-private.h"

/* Caffe's own files nest four or five blocks deep (layer, its
 * convolution_param, a weight_filler); anything far deeper is not a
 * network. */
#define MAX_DEPTH 64
/* Caffe holds sizes and counts in 32-bit ints. */
#define MAX_SIZE G_MAXINT32
/* How many layers the on-demand shape analyses may walk in all: a
 * Reshape that copies a size, or a Slice into equal parts, costs one
 * analysis of what comes before it.  Five million is a few seconds; real
 * networks need a small fraction of it. */
#define SHAPE_BUDGET G_GUINT64_CONSTANT (5000000)

/* ------------------------------------------------------------------ */
/* Recognising a prototxt                                              */

static gboolean
is_word_char (guint8 c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Cheap, on the first few kilobytes: text (no control bytes), whose first
 * statement is a field name followed by ':' or '{' (never JSON), and
 * which holds a line that starts a layer block or names an input. */
gboolean
envelope_import_looks_like_caffe (const guint8 *data,
                                  gsize         length)
{
  gsize window = MIN (length, 8192);
  gboolean first = TRUE;
  gsize i = 0;

  if (data == NULL)
    return FALSE;
  /* a byte-order mark, as some editors write */
  if (window >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  for (gsize k = 0; k < window; k++)
    if (data[k] < 0x20 && data[k] != '\n' && data[k] != '\r' && data[k] != '\t')
      return FALSE;

  while (i < window)
    {
      gsize start, end;

      while (i < window && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
      if (i >= window)
        break;
      if (data[i] == '#')
        {
          while (i < window && data[i] != '\n')
            i++;
          continue;
        }
      start = i;
      while (i < window && is_word_char (data[i]))
        i++;
      end = i;
      if (first)
        {
          gsize j = end;

          if (end == start)
            return FALSE;
          while (j < window && (data[j] == ' ' || data[j] == '\t'))
            j++;
          if (j < window && data[j] != ':' && data[j] != '{')
            return FALSE;
          first = FALSE;
        }
      if (end > start)
        {
          gsize n = end - start, j = end;
          gboolean colon = FALSE;

          while (j < window && (data[j] == ' ' || data[j] == '\t'))
            j++;
          if (j < window && data[j] == ':')
            {
              colon = TRUE;
              j++;
              while (j < window && (data[j] == ' ' || data[j] == '\t'))
                j++;
            }
          if (j < window)
            {
              const char *word = (const char *) data + start;

              if (((n == 5 && memcmp (word, "layer", 5) == 0) ||
                   (n == 6 && memcmp (word, "layers", 6) == 0) ||
                   (n == 11 && memcmp (word, "input_shape", 11) == 0)) &&
                  (data[j] == '{' || data[j] == '<'))
                return TRUE;
              if (colon &&
                  ((n == 5 && memcmp (word, "input", 5) == 0) ||
                   (n == 9 && memcmp (word, "input_dim", 9) == 0)))
                return TRUE;
            }
        }
      /* the rest of the line is a value or a block's contents */
      while (i < window && data[i] != '\n')
        i++;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The tree of fields                                                  */

typedef enum
{
  NODE_MESSAGE,
  NODE_STRING,
  NODE_WORD,                 /* a number, an enum value, true or false */
} NodeKind;

typedef struct _Node Node;
struct _Node
{
  const char *key;
  const char *text;          /* NODE_STRING, NODE_WORD */
  NodeKind kind;
  guint line;
  Node *children;
  Node *last;
  Node *next;
};

typedef struct
{
  GPtrArray *nodes;          /* owns every node: freed without recursion */
  GStringChunk *strings;
  Node *root;
} Tree;

static void
tree_clear (Tree *tree)
{
  g_clear_pointer (&tree->nodes, g_ptr_array_unref);
  if (tree->strings != NULL)
    g_string_chunk_free (tree->strings);
  tree->strings = NULL;
}

static Node *
tree_add (Tree       *tree,
          Node       *parent,
          const char *key,
          NodeKind    kind,
          guint       line)
{
  Node *node = g_new0 (Node, 1);

  node->key = key;
  node->kind = kind;
  node->line = line;
  g_ptr_array_add (tree->nodes, node);
  if (parent != NULL)
    {
      if (parent->last != NULL)
        parent->last->next = node;
      else
        parent->children = node;
      parent->last = node;
    }
  return node;
}

static Node *
node_find (const Node *message,
           const char *key)
{
  if (message == NULL)
    return NULL;
  for (Node *c = message->children; c != NULL; c = c->next)
    if (strcmp (c->key, key) == 0)
      return c;
  return NULL;
}

static guint
node_count (const Node *message,
            const char *key)
{
  guint n = 0;

  if (message == NULL)
    return 0;
  for (Node *c = message->children; c != NULL; c = c->next)
    if (strcmp (c->key, key) == 0)
      n++;
  return n;
}

static gboolean
is_layer_key (const char *key)
{
  return strcmp (key, "layer") == 0 || strcmp (key, "layers") == 0;
}

/* "layer "conv1"" or "layer 3", for a message about the block being read. */
static char *
describe_open_layer (Node *const *stack,
                     guint        depth,
                     guint        n_layers)
{
  const Node *name;

  if (depth < 1 || !is_layer_key (stack[1]->key))
    return NULL;
  name = node_find (stack[1], "name");
  if (name != NULL && name->kind == NODE_STRING)
    return g_strdup_printf (_("layer \"%s\""), name->text);
  return g_strdup_printf (_("layer %u"), n_layers);
}

static gboolean
parse_error (GError     **error,
             gint         code,
             guint        line,
             Node *const *stack,
             guint        depth,
             guint        n_layers,
             const char  *field,
             const char  *format,
             ...) G_GNUC_PRINTF (8, 9);

static gboolean
parse_error (GError     **error,
             gint         code,
             guint        line,
             Node *const *stack,
             guint        depth,
             guint        n_layers,
             const char  *field,
             const char  *format,
             ...)
{
  g_autofree char *layer = describe_open_layer (stack, depth, n_layers);
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (layer != NULL && field != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: %s, field \"%s\": %s"), line, layer, field, what);
  else if (field != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: field \"%s\": %s"), line, field, what);
  else if (layer != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: %s: %s"), line, layer, what);
  else
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: %s"), line, what);
  return FALSE;
}

static const char *
describe_token (GScanner  *scanner,
                GTokenType token,
                char       buffer[32])
{
  if (token == G_TOKEN_EOF)
    return _("the end of the file");
  if (token == G_TOKEN_STRING)
    return _("a string");
  if (token == G_TOKEN_IDENTIFIER)
    return _("a word");
  if (token < 0x80 && g_ascii_isprint ((char) token))
    {
      g_snprintf (buffer, 32, "\"%c\"", (char) token);
      return buffer;
    }
  g_snprintf (buffer, 32, _("the byte 0x%02x"), (guint) (token & 0xff));
  return buffer;
}

static const char *
scanner_error_text (GScanner *scanner)
{
  switch (scanner->value.v_error)
    {
    case G_ERR_UNEXP_EOF_IN_STRING:
      return _("the string is not terminated: the file ends inside it");
    case G_ERR_NON_DIGIT_IN_CONST:
    case G_ERR_DIGIT_RADIX:
    case G_ERR_FLOAT_RADIX:
    case G_ERR_FLOAT_MALFORMED:
      return _("a malformed number");
    default:
      return _("text that is not protocol buffers' text format");
    }
}

/* The lines a string just read runs over: the new lines written in it
 * as they are, not those written as "\n".  The scanner stands after its
 * closing quote; the opening one is found going back (in double quotes
 * past escaped quotes; single quotes have no escapes), within @start. */
static guint
raw_newlines (const char *start,
              const char *after)
{
  const char *p = after - 1;
  char quote = *p;
  guint lines = 0;

  while (--p >= start)
    {
      if (*p == quote)
        {
          guint backslashes = 0;

          while (quote == '"' && p - backslashes > start && p[-1 - (gssize) backslashes] == '\\')
            backslashes++;
          if (backslashes % 2 == 0)
            break;
        }
      lines += *p == '\n';
    }
  return lines;
}

static gboolean
parse_tree (const guint8 *data,
            gsize         length,
            Tree         *tree,
            GError      **error)
{
  static const GScannerConfig config = {
    .cset_skip_characters = (char *) " \t\n\r\f\v,;",
    /* numbers are words too, so that the reader parses them itself and
     * sees an overflowing size as written rather than saturated */
    .cset_identifier_first = (char *) G_CSET_a_2_z G_CSET_A_2_Z "0123456789_-+.",
    .cset_identifier_nth = (char *) G_CSET_a_2_z G_CSET_A_2_Z "0123456789_-+.",
    .cpair_comment_single = (char *) "#\n",
    .case_sensitive = TRUE,
    .skip_comment_multi = FALSE,
    .skip_comment_single = TRUE,
    .scan_comment_multi = FALSE,
    .scan_identifier = TRUE,
    .scan_identifier_1char = TRUE,
    .scan_identifier_NULL = FALSE,
    .scan_symbols = FALSE,
    .scan_binary = FALSE,
    .scan_octal = FALSE,
    .scan_float = FALSE,
    .scan_hex = FALSE,
    .scan_hex_dollar = FALSE,
    .scan_string_sq = TRUE,
    .scan_string_dq = TRUE,
    .numbers_2_int = FALSE,
    .int_2_float = FALSE,
    .identifier_2_string = FALSE,
    .char_2_token = TRUE,
    .symbol_2_token = FALSE,
    .scope_0_fallback = FALSE,
    .store_int64 = TRUE,
  };
  GScanner *scanner;
  Node *stack[MAX_DEPTH + 1];
  GTokenType closers[MAX_DEPTH + 1];
  guint depth = 0, n_layers = 0;
  gboolean ok = TRUE;
  char buffer[32];
  const void *nul;

  tree->nodes = g_ptr_array_new_with_free_func (g_free);
  tree->strings = g_string_chunk_new (4096);
  tree->root = tree_add (tree, NULL, "", NODE_MESSAGE, 1);
  stack[0] = tree->root;

  if (length > G_MAXUINT)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_TOO_LARGE,
                   _("a prototxt of %" PRIu64 " bytes is larger than Envelope reads"), (guint64) length);
      return FALSE;
    }
  /* GScanner would take a NUL for the end of the text */
  nul = memchr (data, '\0', length);
  if (nul != NULL)
    {
      g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                   _("byte %" PRIu64 ": a NUL byte; a prototxt is text"),
                   (guint64) ((const guint8 *) nul - data));
      return FALSE;
    }

  /* names and messages are UTF-8: so must the text be */
  {
    const char *end = NULL;

    if (!envelope_utf8_validate ((const char *) data, length, &end))
      {
        g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                     _("byte %" PRIu64 ": not UTF-8 text; a prototxt is text"),
                     (guint64) ((const guint8 *) end - data));
        return FALSE;
      }
  }
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  scanner = g_scanner_new (&config);
  scanner->input_name = "prototxt";
  g_scanner_input_text (scanner, (const char *) data, (guint) length);

  while (ok)
    {
      GTokenType token = g_scanner_get_next_token (scanner);
      guint line = g_scanner_cur_line (scanner);
      const char *key;
      gboolean colon = FALSE;

      if (token == G_TOKEN_EOF)
        {
          if (depth > 0)
            ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers, stack[depth]->key,
                              _("the block opened at line %u is not closed: the file ends inside it (unbalanced braces)"),
                              stack[depth]->line);
          break;
        }
      if (token == G_TOKEN_ERROR)
        {
          ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers,
                            depth > 0 && stack[depth]->last != NULL ? stack[depth]->last->key : NULL,
                            "%s", scanner_error_text (scanner));
          break;
        }
      if (token == '}' || token == '>')
        {
          if (depth == 0)
            {
              const Node *last = tree->root->last;
              const Node *name = last != NULL && is_layer_key (last->key) ? node_find (last, "name") : NULL;

              /* name the block it follows: that is where a brace is extra */
              if (name != NULL && name->kind == NODE_STRING)
                g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                             _("line %u: after layer \"%s\", field \"%s\": \"%c\" closes no block "
                               "(unbalanced braces)"), line, name->text, last->key, (char) token);
              else if (last != NULL)
                g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                             _("line %u: after field \"%s\": \"%c\" closes no block (unbalanced braces)"),
                             line, last->key, (char) token);
              else
                g_set_error (error, ENVELOPE_IMPORT_ERROR, ENVELOPE_IMPORT_ERROR_CORRUPT,
                             _("line %u: \"%c\" closes no block (unbalanced braces)"), line, (char) token);
              ok = FALSE;
              break;
            }
          if (token != closers[depth])
            {
              ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers, stack[depth]->key,
                                _("the block opened at line %u is closed with \"%c\""),
                                stack[depth]->line, (char) token);
              break;
            }
          depth--;
          continue;
        }
      if (token != G_TOKEN_IDENTIFIER)
        {
          ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers, NULL,
                            _("expected a field name, found %s"), describe_token (scanner, token, buffer));
          break;
        }
      key = g_string_chunk_insert_const (tree->strings, scanner->value.v_identifier);
      token = g_scanner_peek_next_token (scanner);
      if (token == ':')
        {
          g_scanner_get_next_token (scanner);
          colon = TRUE;
          token = g_scanner_peek_next_token (scanner);
        }
      if (token == '{' || token == '<')
        {
          Node *node;

          g_scanner_get_next_token (scanner);
          if (depth == MAX_DEPTH)
            {
              ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, g_scanner_cur_line (scanner), stack, depth,
                                n_layers, key, _("blocks are nested deeper than %u levels"), MAX_DEPTH);
              break;
            }
          if (depth == 0 && is_layer_key (key))
            n_layers++;
          node = tree_add (tree, stack[depth], key, NODE_MESSAGE, g_scanner_cur_line (scanner));
          stack[++depth] = node;
          closers[depth] = token == '{' ? '}' : '>';
          continue;
        }
      if (!colon)
        {
          g_scanner_get_next_token (scanner);
          ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, g_scanner_cur_line (scanner), stack, depth, n_layers,
                            key, _("expected \":\" or \"{\" after the field name, found %s"),
                            describe_token (scanner, token, buffer));
          break;
        }

      {
        gboolean list = FALSE;

        if (token == '[')
          {
            g_scanner_get_next_token (scanner);
            list = TRUE;
          }
        do
          {
            Node *node;
            guint lines;

            token = g_scanner_get_next_token (scanner);
            line = g_scanner_cur_line (scanner);
            if (list && token == ']')
              break;
            if (token == G_TOKEN_STRING && (lines = raw_newlines ((const char *) data, scanner->text)) > 0)
              {
                /* GScanner lets a string run on over lines; protobuf
                 * does not, and a missing quote is the likely cause:
                 * named at the line the string starts on */
                ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line - lines, stack, depth, n_layers, key,
                                  _("the string is not terminated on its line"));
              }
            else if (token == G_TOKEN_STRING)
              {
                GString *text = g_string_new (scanner->value.v_string);

                /* adjacent strings are one, as in C */
                while (g_scanner_peek_next_token (scanner) == G_TOKEN_STRING)
                  {
                    g_scanner_get_next_token (scanner);
                    g_string_append (text, scanner->value.v_string);
                  }
                node = tree_add (tree, stack[depth], key, NODE_STRING, line);
                node->text = g_string_chunk_insert_len (tree->strings, text->str, (gssize) text->len);
                g_string_free (text, TRUE);
              }
            else if (token == G_TOKEN_IDENTIFIER)
              {
                node = tree_add (tree, stack[depth], key, NODE_WORD, line);
                node->text = g_string_chunk_insert_const (tree->strings, scanner->value.v_identifier);
              }
            else if (token == G_TOKEN_ERROR)
              {
                ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers, key,
                                  "%s", scanner_error_text (scanner));
              }
            else
              {
                ok = parse_error (error, ENVELOPE_IMPORT_ERROR_CORRUPT, line, stack, depth, n_layers, key,
                                  _("expected a value, found %s"), describe_token (scanner, token, buffer));
              }
          }
        while (ok && list);
      }
    }

  g_scanner_destroy (scanner);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Mapping layers                                                      */

typedef struct
{
  char *layer;               /* the Envelope layer that last wrote it, or NULL */
  char *skipped_by;          /* … or the left-out Caffe layer that made it */
  gint64 shape[ENVELOPE_MAX_RANK];   /* a data layer's extra top, made only if read */
  guint rank;
} Blob;

static void
blob_free (Blob *blob)
{
  g_free (blob->layer);
  g_free (blob->skipped_by);
  g_free (blob);
}

typedef struct
{
  EnvelopeNetwork *network;
  GPtrArray *notes;
  GHashTable *blobs;         /* blob name → Blob */
  GHashTable *names;         /* Envelope layer names in use */
  GPtrArray *origins;        /* per Envelope layer: the Caffe layer it comes from */
  GPtrArray *strings;        /* names made for unnamed layers */
  EnvelopeAnalysis *analysis;  /* of the first `analysed` layers, for shapes */
  guint analysed;
  guint64 budget;

  /* the Caffe layer being mapped, for messages */
  const Node *node;
  const char *name;
  const char *type;

  gboolean batch_noted;
  guint n_train_only;
  GHashTable *skipped;       /* type → count of left-out loss and accuracy layers */
  GHashTable *unknown;       /* type → count */
  guint n_bn_scale;
  guint n_bn_scale_nobias;
  guint n_bn_alone;
  guint n_assumed_inputs;
} Importer;

static gboolean
layer_error (Importer   *imp,
             GError    **error,
             gint        code,
             const Node *where,
             const char *field,
             const char *format,
             ...) G_GNUC_PRINTF (6, 7);

static gboolean
layer_error (Importer   *imp,
             GError    **error,
             gint        code,
             const Node *where,
             const char *field,
             const char *format,
             ...)
{
  g_autofree char *what = NULL;
  guint line = where != NULL ? where->line : imp->node != NULL ? imp->node->line : 1;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (imp->name != NULL && field != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: layer \"%s\" (%s), field \"%s\": %s"),
                 line, imp->name, imp->type, field, what);
  else if (imp->name != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: layer \"%s\" (%s): %s"),
                 line, imp->name, imp->type, what);
  else if (field != NULL)
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: field \"%s\": %s"), line, field, what);
  else
    g_set_error (error, ENVELOPE_IMPORT_ERROR, code, _("line %u: %s"), line, what);
  return FALSE;
}

/* An integer field: absent gives @fallback. */
static gboolean
read_int_node (Importer   *imp,
               const Node *node,
               gint64      minimum,
               gint64      maximum,
               gint64     *out,
               GError    **error)
{
  gint64 value;
  char *end = NULL;

  if (node->kind != NODE_WORD)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, node->key,
                        _("must be a number, got a string"));
  errno = 0;
  value = g_ascii_strtoll (node->text, &end, 10);
  if (end == node->text || *end != '\0')
    {
      double real = g_ascii_strtod (node->text, &end);

      /* 1e9 or 4.0: a whole number written as a real */
      if (end != node->text && *end == '\0' && isfinite (real) && real == floor (real) &&
          fabs (real) < 9.2e18)
        value = (gint64) real;
      else if (end != node->text && *end == '\0' && fabs (real) >= 9.2e18)
        errno = ERANGE, value = real < 0 ? G_MININT64 : G_MAXINT64;
      else
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, node->key,
                            _("must be a whole number, got \"%s\""), node->text);
    }
  if (errno == ERANGE || value > maximum)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, node, node->key,
                        _("%s is larger than Envelope reads (at most %" PRId64 ")"), node->text, maximum);
  if (value < minimum)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, node->key,
                        _("must be at least %" PRId64 ", got %s"), minimum, node->text);
  *out = value;
  return TRUE;
}

static gboolean
read_int (Importer   *imp,
          const Node *message,
          const char *key,
          gint64      fallback,
          gint64      minimum,
          gint64      maximum,
          gint64     *out,
          GError    **error)
{
  const Node *node = node_find (message, key);

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  return read_int_node (imp, node, minimum, maximum, out, error);
}

static gboolean
read_real (Importer   *imp,
           const Node *message,
           const char *key,
           double      fallback,
           double     *out,
           GError    **error)
{
  const Node *node = node_find (message, key);
  char *end = NULL;
  double value;

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (node->kind != NODE_WORD)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, key, _("must be a number, got a string"));
  value = g_ascii_strtod (node->text, &end);
  if (end == node->text || (*end != '\0' && !(g_ascii_tolower (*end) == 'f' && end[1] == '\0')))
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, key,
                        _("must be a number, got \"%s\""), node->text);
  *out = value;
  return TRUE;
}

static gboolean
read_bool (Importer   *imp,
           const Node *message,
           const char *key,
           gboolean    fallback,
           gboolean   *out,
           GError    **error)
{
  const Node *node = node_find (message, key);

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (node->kind == NODE_WORD)
    {
      if (strcmp (node->text, "true") == 0 || strcmp (node->text, "True") == 0 ||
          strcmp (node->text, "t") == 0 || strcmp (node->text, "1") == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (strcmp (node->text, "false") == 0 || strcmp (node->text, "False") == 0 ||
          strcmp (node->text, "f") == 0 || strcmp (node->text, "0") == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }
  return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node, key,
                      _("must be true or false, got \"%s\""), node->text != NULL ? node->text : "{…}");
}

/* An enum value: a word, or (leniently) a string. */
static const char *
read_enum (const Node *message,
           const char *key,
           const char *fallback)
{
  const Node *node = node_find (message, key);

  if (node == NULL || node->kind == NODE_MESSAGE)
    return fallback;
  return node->text;
}

static const char *
read_string (const Node *message,
             const char *key)
{
  const Node *node = node_find (message, key);

  if (node == NULL || node->kind == NODE_MESSAGE)
    return NULL;
  return node->text;
}

/* A Caffe layer's name made a valid, unique Envelope name: control
 * characters and direction overrides become U+FFFD. */
static char *
unique_name (Importer   *imp,
             const char *wanted)
{
  g_autofree char *valid = g_utf8_make_valid (wanted != NULL && wanted[0] != '\0' ? wanted : "layer", -1);
  GString *clean = g_string_new (NULL);
  char *name;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        c = 0xfffd;
      g_string_append_unichar (clean, c);
    }
  name = g_string_free (clean, FALSE);
  if (g_hash_table_contains (imp->names, name))
    {
      for (guint n = 2;; n++)
        {
          char *candidate = g_strdup_printf ("%s_%u", name, n);

          if (!g_hash_table_contains (imp->names, candidate))
            {
              g_free (name);
              name = candidate;
              break;
            }
          g_free (candidate);
        }
    }
  g_hash_table_add (imp->names, name);
  return name;
}

/* A new Envelope layer for the Caffe layer being read, reading @inputs
 * (Envelope layer names); appended to the network. */
static EnvelopeLayer *
add_layer (Importer           *imp,
           EnvelopeLayerType   type,
           const char         *name,
           const char *const  *inputs,
           guint               n_inputs)
{
  const char *unique = unique_name (imp, name);
  EnvelopeLayer *layer = envelope_layer_new (type, unique);
  guint n = imp->network->layers->len;
  const char *previous = n > 0 ? ((EnvelopeLayer *) g_ptr_array_index (imp->network->layers, n - 1))->name : NULL;

  if (n_inputs > 1 || (n_inputs == 1 && g_strcmp0 (inputs[0], previous) != 0))
    {
      layer->inputs = g_new0 (char *, n_inputs + 1);
      for (guint i = 0; i < n_inputs; i++)
        layer->inputs[i] = g_strdup (inputs[i]);
    }
  envelope_network_insert_layer (imp->network, -1, layer);
  g_ptr_array_add (imp->origins,
                   imp->name != NULL ? g_strdup_printf ("\"%s\" (%s)", imp->name, imp->type) : g_strdup (unique));
  return layer;
}

static void
set_blob (Importer   *imp,
          const char *blob,
          const char *layer)
{
  Blob *b = g_new0 (Blob, 1);

  b->layer = g_strdup (layer);
  g_hash_table_replace (imp->blobs, g_strdup (blob), b);
}

/* A Caffe blob shape (batch first) as an input's per-sample shape. */
static gboolean
set_input_shape (Importer      *imp,
                 EnvelopeLayer *layer,
                 const gint64  *dims,
                 guint          n,
                 const Node    *where,
                 GError       **error)
{
  if (n == 0)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, where, "dim", _("the shape has no sizes"));
  if (n > ENVELOPE_MAX_RANK + 1)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, where, "dim",
                        _("a blob of %u axes; Envelope follows at most %u besides the batch"), n, ENVELOPE_MAX_RANK);
  if (n == 1)
    {
      layer->shape_rank = 1;
      layer->shape[0] = 1;
    }
  else
    {
      layer->shape_rank = n - 1;
      for (guint i = 1; i < n; i++)
        layer->shape[i - 1] = dims[i];
    }
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
  if (layer->shape_rank == 2)
    {
      /* a Caffe blob N×C×L is a map: InnerProduct flattens it */
      layer->layout = ENVELOPE_SHAPE_MAP;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
    }
  if (dims[0] != 1 && !imp->batch_noted)
    {
      imp->batch_noted = TRUE;
      envelope_import_note (imp->notes,
                            _("The input \"%s\" has a batch of %" PRId64 " in the file; Envelope's figures are "
                              "per sample, and the batch is a training setting of its own."),
                            layer->name, dims[0]);
    }
  return TRUE;
}

/* The dims of a BlobShape message. */
static gboolean
read_dims (Importer   *imp,
           const Node *shape,
           gint64      dims[ENVELOPE_MAX_RANK + 2],
           guint      *n,
           GError    **error)
{
  *n = 0;
  for (Node *c = shape->children; c != NULL; c = c->next)
    {
      if (strcmp (c->key, "dim") != 0)
        continue;
      if (*n == ENVELOPE_MAX_RANK + 1)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, c, "dim",
                            _("a blob of more than %u axes; Envelope follows at most %u besides the batch"),
                            ENVELOPE_MAX_RANK + 1, ENVELOPE_MAX_RANK);
      if (!read_int_node (imp, c, 1, MAX_SIZE, &dims[*n], error))
        return FALSE;
      (*n)++;
    }
  return TRUE;
}

static gboolean
add_input (Importer      *imp,
           const char    *blob,
           const gint64  *dims,
           guint          n,
           const Node    *where,
           GError       **error)
{
  EnvelopeLayer *layer = add_layer (imp, ENVELOPE_LAYER_INPUT, blob, NULL, 0);

  if (!set_input_shape (imp, layer, dims, n, where, error))
    return FALSE;
  set_blob (imp, blob, layer->name);
  return TRUE;
}

/* The producer of a blob a layer reads; the extra top of a data layer
 * (its labels) becomes an input when something reads it. */
static const char *
resolve_bottom (Importer   *imp,
                const Node *bottom,
                GError    **error)
{
  Blob *blob;

  if (bottom->kind != NODE_STRING && bottom->kind != NODE_WORD)
    {
      layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, bottom, "bottom", _("must name a blob"));
      return NULL;
    }
  blob = g_hash_table_lookup (imp->blobs, bottom->text);
  if (blob == NULL)
    {
      layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, bottom, "bottom",
                   _("\"%s\" names no blob an earlier layer makes"), bottom->text);
      return NULL;
    }
  if (blob->layer == NULL && blob->skipped_by != NULL)
    {
      layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, bottom, "bottom",
                   _("\"%s\" is made by layer %s, which Envelope leaves out"), bottom->text, blob->skipped_by);
      return NULL;
    }
  if (blob->layer == NULL)
    {
      EnvelopeLayer *layer = add_layer (imp, ENVELOPE_LAYER_INPUT, bottom->text, NULL, 0);

      layer->shape_rank = blob->rank;
      memcpy (layer->shape, blob->shape, sizeof layer->shape);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
      blob->layer = g_strdup (layer->name);
    }
  return blob->layer;
}

/* The per-sample shape of Envelope layer @name, from an analysis of the
 * network so far (done again only when that layer is newer). */
static gboolean
layer_shape (Importer                     *imp,
             const char                   *name,
             const EnvelopeLayerFigures  **figures,
             GError                      **error)
{
  gint index = -1;

  for (gint i = (gint) imp->network->layers->len - 1; i >= 0; i--)
    if (strcmp (((EnvelopeLayer *) g_ptr_array_index (imp->network->layers, i))->name, name) == 0)
      {
        index = i;
        break;
      }
  g_assert (index >= 0);
  if (imp->analysis == NULL || (guint) index >= imp->analysed)
    {
      EnvelopeErrorLocation location = { -1, NULL };
      g_autoptr(GError) local_error = NULL;

      g_clear_pointer (&imp->analysis, envelope_analysis_free);
      if (imp->budget < imp->network->layers->len)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, NULL, NULL,
                            _("too many layers whose sizes must be worked out while the file is read "
                              "(Reshape copying sizes, Slice into equal parts, Flatten of some axes)"));
      imp->budget -= imp->network->layers->len;
      imp->analysis = envelope_analysis_new (imp->network, NULL, &location, &local_error);
      if (imp->analysis == NULL)
        {
          const char *origin = location.layer >= 0 && (guint) location.layer < imp->origins->len
                               ? g_ptr_array_index (imp->origins, location.layer) : "?";

          return layer_error (imp, error,
                              g_error_matches (local_error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW)
                              ? ENVELOPE_IMPORT_ERROR_TOO_LARGE : ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                              NULL, NULL, _("the shapes cannot be followed up to layer %s: %s"),
                              origin, local_error->message);
        }
      imp->analysed = imp->network->layers->len;
    }
  *figures = envelope_analysis_get_layer (imp->analysis, (guint) index);
  return TRUE;
}

/* A Caffe axis (the batch is 0) as a per-sample one, for a blob of
 * @rank per-sample axes; negative axes count from the end in both. */
static gboolean
per_sample_axis (Importer   *imp,
                 gint64      axis,
                 const char *field,
                 gint64     *out,
                 GError    **error)
{
  if (axis == 0)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, NULL, field,
                        _("works along the batch axis, which Envelope's per-sample shapes leave out"));
  *out = axis > 0 ? axis - 1 : axis;
  return TRUE;
}

/* Reads a window setting: the repeated @key (one for every axis, or one
 * per axis), or @key_h and @key_w. */
static gboolean
read_window (Importer      *imp,
             EnvelopeLayer *layer,
             EnvelopeField  field,
             const Node    *param,
             const char    *key,
             const char    *key_h,
             const char    *key_w,
             gint64         minimum,
             gboolean       both_required,
             gboolean      *given,
             GError       **error)
{
  gint64 *values = G_STRUCT_MEMBER_P (layer, envelope_field_get_info (field)->offset);
  const Node *h = node_find (param, key_h), *w = node_find (param, key_w);
  guint n = 0;

  *given = FALSE;
  if (h != NULL || w != NULL)
    {
      gint64 vh, vw;
      gint64 fallback = field == ENVELOPE_FIELD_PADDING ? 0 : 1;

      if (node_count (param, key) > 0)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, h != NULL ? h : w, key,
                            _("give either %s or %s and %s, not both"), key, key_h, key_w);
      if (both_required && (h == NULL || w == NULL))
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, h != NULL ? h : w, h == NULL ? key_h : key_w,
                            _("is missing: %s and %s go together"), key_h, key_w);
      if (!read_int (imp, param, key_h, fallback, minimum, MAX_SIZE, &vh, error) ||
          !read_int (imp, param, key_w, fallback, minimum, MAX_SIZE, &vw, error))
        return FALSE;
      values[0] = vh;
      values[1] = vw;
      values[2] = vw;
      ENVELOPE_LAYER_LENGTH (layer, field) = 2;
      layer->set |= ENVELOPE_FIELD_BIT (field);
      *given = TRUE;
      return TRUE;
    }
  for (Node *c = param->children; c != NULL; c = c->next)
    {
      gint64 v;

      if (strcmp (c->key, key) != 0)
        continue;
      if (n == ENVELOPE_MAX_SPATIAL)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, c, key,
                            _("more than %u spatial axes"), ENVELOPE_MAX_SPATIAL);
      if (!read_int_node (imp, c, minimum, MAX_SIZE, &v, error))
        return FALSE;
      values[n++] = v;
    }
  if (n == 0)
    return TRUE;
  for (guint i = n; i < ENVELOPE_MAX_SPATIAL; i++)
    values[i] = values[n - 1];
  ENVELOPE_LAYER_LENGTH (layer, field) = n == 1 ? 0 : (guint8) n;
  layer->set |= ENVELOPE_FIELD_BIT (field);
  *given = TRUE;
  return TRUE;
}

typedef struct
{
  const Node *node;
  const char *name;
  const char *type;
  const Node *bottoms[64];
  guint n_bottoms;
  const Node *tops[64];
  guint n_tops;
} CaffeLayer;

/* The Envelope names of a layer's bottoms. */
static gboolean
resolve_bottoms (Importer         *imp,
                 const CaffeLayer *cl,
                 const char       *inputs[64],
                 GError          **error)
{
  for (guint i = 0; i < cl->n_bottoms; i++)
    {
      inputs[i] = resolve_bottom (imp, cl->bottoms[i], error);
      if (inputs[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
need_bottoms (Importer         *imp,
              const CaffeLayer *cl,
              guint             minimum,
              guint             maximum,
              GError          **error)
{
  if (cl->n_bottoms < minimum || cl->n_bottoms > maximum)
    {
      if (minimum == maximum)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "bottom",
                            g_dngettext (GETTEXT_PACKAGE, "reads %u blob; a %s layer reads %u",
                                         "reads %u blobs; a %s layer reads %u", cl->n_bottoms),
                            cl->n_bottoms, cl->type, minimum);
      return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "bottom",
                          g_dngettext (GETTEXT_PACKAGE, "reads %u blob; a %s layer reads %u to %u",
                                       "reads %u blobs; a %s layer reads %u to %u", cl->n_bottoms),
                          cl->n_bottoms, cl->type, minimum, maximum);
    }
  return TRUE;
}

/* Points every top of the layer at Envelope layer @layer. */
static void
set_tops (Importer         *imp,
          const CaffeLayer *cl,
          const char       *layer)
{
  for (guint i = 0; i < cl->n_tops; i++)
    set_blob (imp, cl->tops[i]->text, layer);
}

static const char *
top_name (const CaffeLayer *cl)
{
  return cl->name;
}

/* One layer of a kind that reads one blob and writes one. */
static EnvelopeLayer *
add_simple (Importer          *imp,
            const CaffeLayer  *cl,
            EnvelopeLayerType  type,
            GError           **error)
{
  const char *inputs[64];
  EnvelopeLayer *layer;

  if (!need_bottoms (imp, cl, 1, 1, error) || !resolve_bottoms (imp, cl, inputs, error))
    return NULL;
  layer = add_layer (imp, type, top_name (cl), inputs, 1);
  set_tops (imp, cl, layer->name);
  return layer;
}

static void
count_type (GHashTable *table,
            const char *type)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (table, type));

  g_hash_table_replace (table, g_strdup (type), GUINT_TO_POINTER (n + 1));
}

static EnvelopeLayer *
add_unknown (Importer          *imp,
             const CaffeLayer  *cl,
             const char        *operator_name,
             GError           **error)
{
  const char *inputs[64];
  EnvelopeLayer *layer;

  if (!resolve_bottoms (imp, cl, inputs, error))
    return NULL;
  if (cl->n_bottoms == 0)
    {
      /* something that makes data out of nothing: an input of a shape
       * Envelope cannot know */
      static const gint64 assumed[] = { 1, 3, 224, 224 };

      layer = add_layer (imp, ENVELOPE_LAYER_INPUT, top_name (cl), NULL, 0);
      if (!set_input_shape (imp, layer, assumed, 4, cl->node, error))
        return NULL;
      imp->n_assumed_inputs++;
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (%s) makes data Envelope cannot see; it became an input of the assumed "
                              "shape 3×224×224."), cl->name, cl->type);
    }
  else
    {
      layer = add_layer (imp, ENVELOPE_LAYER_UNKNOWN, top_name (cl), inputs, cl->n_bottoms);
      layer->operator_name = g_strdup (operator_name);
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_OPERATOR);
      count_type (imp->unknown, operator_name);
    }
  set_tops (imp, cl, layer->name);
  if (cl->n_tops > 1)
    envelope_import_note (imp->notes,
                          _("Layer \"%s\" (%s) writes %u blobs; Envelope gives them all its one output's shape."),
                          cl->name, cl->type, cl->n_tops);
  return layer;
}

static gboolean
map_convolution (Importer         *imp,
                 const CaffeLayer *cl,
                 gboolean          deconv,
                 GError          **error)
{
  const Node *param = node_find (cl->node, "convolution_param");
  EnvelopeLayer *layer;
  gboolean given, bias;
  gint64 value;

  if (param == NULL || param->kind != NODE_MESSAGE)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "convolution_param",
                        _("is missing: it gives num_output and kernel_size"));
  if (node_find (param, "num_output") == NULL)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "num_output", _("is missing"));
  layer = add_simple (imp, cl, deconv ? ENVELOPE_LAYER_DECONV : ENVELOPE_LAYER_CONV, error);
  if (layer == NULL)
    return FALSE;
  if (!read_int (imp, param, "num_output", 1, 1, MAX_SIZE, &layer->filters, error))
    return FALSE;
  if (!read_window (imp, layer, ENVELOPE_FIELD_KERNEL, param, "kernel_size", "kernel_h", "kernel_w", 1, TRUE,
                    &given, error))
    return FALSE;
  if (!given)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "kernel_size", _("is missing"));
  if (!read_window (imp, layer, ENVELOPE_FIELD_STRIDE, param, "stride", "stride_h", "stride_w", 1, FALSE,
                    &given, error) ||
      !read_window (imp, layer, ENVELOPE_FIELD_PADDING, param, "pad", "pad_h", "pad_w", 0, FALSE, &given, error))
    return FALSE;
  {
    /* dilation has no _h/_w form */
    if (!read_window (imp, layer, ENVELOPE_FIELD_DILATION, param, "dilation", "dilation_h_", "dilation_w_", 1,
                      FALSE, &given, error))
      return FALSE;
  }
  if (!read_int (imp, param, "group", 1, 1, MAX_SIZE, &value, error))
    return FALSE;
  layer->groups = value;
  if (value != 1)
    layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_GROUPS);
  if (!read_bool (imp, param, "bias_term", TRUE, &bias, error))
    return FALSE;
  layer->bias = bias;
  if (!bias)
    layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  if (!read_int (imp, param, "axis", 1, G_MININT32, G_MAXINT32, &value, error))
    return FALSE;
  if (value != 1 && value != -3)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, node_find (param, "axis"), "axis",
                        _("channels on axis %" PRId64 "; Envelope's maps have them first (axis 1)"), value);
  return TRUE;
}

static gboolean
map_pooling (Importer         *imp,
             const CaffeLayer *cl,
             GError          **error)
{
  const Node *param = node_find (cl->node, "pooling_param");
  const char *pool = read_enum (param, "pool", "MAX");
  const char *round_mode = read_enum (param, "round_mode", "CEIL");
  gboolean global, given;
  gboolean max;
  EnvelopeLayer *layer;

  if (strcmp (pool, "MAX") == 0 || strcmp (pool, "0") == 0)
    max = TRUE;
  else if (strcmp (pool, "AVE") == 0 || strcmp (pool, "1") == 0)
    max = FALSE;
  else if (strcmp (pool, "STOCHASTIC") == 0 || strcmp (pool, "2") == 0)
    {
      max = FALSE;
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" pools stochastically; at test time that is a weighted average, "
                              "counted as average pooling."), cl->name);
    }
  else
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node_find (param, "pool"), "pool",
                        _("\"%s\" is not MAX, AVE or STOCHASTIC"), pool);
  if (!read_bool (imp, param, "global_pooling", FALSE, &global, error))
    return FALSE;
  if (global)
    return add_simple (imp, cl, max ? ENVELOPE_LAYER_GLOBAL_MAX_POOL : ENVELOPE_LAYER_GLOBAL_AVG_POOL, error) != NULL;

  layer = add_simple (imp, cl, max ? ENVELOPE_LAYER_MAX_POOL : ENVELOPE_LAYER_AVG_POOL, error);
  if (layer == NULL)
    return FALSE;
  if (param == NULL)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "pooling_param",
                        _("is missing: it gives kernel_size"));
  if (!read_window (imp, layer, ENVELOPE_FIELD_KERNEL, param, "kernel_size", "kernel_h", "kernel_w", 1, TRUE,
                    &given, error))
    return FALSE;
  if (!given)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "kernel_size",
                        _("is missing (and global_pooling is not set)"));
  /* Caffe's stride defaults to 1, Envelope's to the kernel */
  layer->stride[0] = layer->stride[1] = layer->stride[2] = 1;
  if (!read_window (imp, layer, ENVELOPE_FIELD_STRIDE, param, "stride", "stride_h", "stride_w", 1, FALSE,
                    &given, error) ||
      !read_window (imp, layer, ENVELOPE_FIELD_PADDING, param, "pad", "pad_h", "pad_w", 0, FALSE, &given, error))
    return FALSE;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_STRIDE);
  if (strcmp (round_mode, "FLOOR") == 0 || strcmp (round_mode, "1") == 0)
    layer->rounding = ENVELOPE_ROUNDING_FLOOR;
  else if (strcmp (round_mode, "CEIL") == 0 || strcmp (round_mode, "0") == 0)
    layer->rounding = ENVELOPE_ROUNDING_CEIL;
  else
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node_find (param, "round_mode"), "round_mode",
                        _("\"%s\" is not CEIL or FLOOR"), round_mode);
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_ROUNDING);
  return TRUE;
}

static gboolean
map_inner_product (Importer         *imp,
                   const CaffeLayer *cl,
                   GError          **error)
{
  const Node *param = node_find (cl->node, "inner_product_param");
  EnvelopeLayer *layer;
  gboolean bias;
  gint64 axis;

  if (param == NULL || node_find (param, "num_output") == NULL)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "num_output", _("is missing"));
  if (!read_int (imp, param, "axis", 1, G_MININT32, G_MAXINT32, &axis, error))
    return FALSE;
  if (axis != 1)
    {
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (InnerProduct) flattens from axis %" PRId64 ", not 1; Envelope has no rule "
                              "for that and counts nothing for it."), cl->name, axis);
      return add_unknown (imp, cl, "InnerProduct", error) != NULL;
    }
  layer = add_simple (imp, cl, ENVELOPE_LAYER_DENSE, error);
  if (layer == NULL)
    return FALSE;
  if (!read_int (imp, param, "num_output", 1, 1, MAX_SIZE, &layer->units, error) ||
      !read_bool (imp, param, "bias_term", TRUE, &bias, error))
    return FALSE;
  layer->bias = bias;
  if (!bias)
    layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  return TRUE;
}

/* BatchNorm, with the Scale after it when there is one. */
static gboolean
map_batch_norm (Importer         *imp,
                const CaffeLayer *cl,
                const CaffeLayer *scale,
                GError          **error)
{
  EnvelopeLayer *layer = add_simple (imp, cl, ENVELOPE_LAYER_BATCH_NORM, error);
  const char *saved_name = imp->name, *saved_type = imp->type;
  const Node *saved_node = imp->node;
  gboolean bias;

  if (layer == NULL)
    return FALSE;
  if (scale == NULL)
    {
      imp->n_bn_alone++;
      return TRUE;
    }
  imp->name = scale->name;
  imp->type = scale->type;
  imp->node = scale->node;
  if (!read_bool (imp, node_find (scale->node, "scale_param"), "bias_term", FALSE, &bias, error))
    return FALSE;
  set_tops (imp, scale, layer->name);
  imp->name = saved_name;
  imp->type = saved_type;
  imp->node = saved_node;
  if (bias)
    imp->n_bn_scale++;
  else
    imp->n_bn_scale_nobias++;
  return TRUE;
}

static gboolean
map_eltwise (Importer         *imp,
             const CaffeLayer *cl,
             GError          **error)
{
  const Node *param = node_find (cl->node, "eltwise_param");
  const char *op = read_enum (param, "operation", "SUM");
  EnvelopeLayerType type;
  const char *inputs[64];
  EnvelopeLayer *layer;
  guint n_coeff = 0, n_unit = 0, n_minus = 0;

  if (strcmp (op, "SUM") == 0 || strcmp (op, "1") == 0)
    type = ENVELOPE_LAYER_ADD;
  else if (strcmp (op, "PROD") == 0 || strcmp (op, "0") == 0)
    type = ENVELOPE_LAYER_MUL;
  else if (strcmp (op, "MAX") == 0 || strcmp (op, "2") == 0)
    type = ENVELOPE_LAYER_MAX;
  else
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node_find (param, "operation"), "operation",
                        _("\"%s\" is not SUM, PROD or MAX"), op);
  if (param != NULL)
    for (Node *c = param->children; c != NULL; c = c->next)
      {
        double v;

        if (strcmp (c->key, "coeff") != 0)
          continue;
        if (c->kind != NODE_WORD)
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, c, "coeff", _("must be a number"));
        v = g_ascii_strtod (c->text, NULL);
        n_coeff++;
        n_unit += v == 1.0;
        n_minus += v == -1.0 && n_coeff == 2;
      }
  if (!need_bottoms (imp, cl, 1, 64, error) || !resolve_bottoms (imp, cl, inputs, error))
    return FALSE;
  if (type == ENVELOPE_LAYER_ADD && cl->n_bottoms == 2 && n_coeff == 2 && n_unit == 1 && n_minus == 1)
    type = ENVELOPE_LAYER_SUB;
  else if (type == ENVELOPE_LAYER_ADD && n_coeff > 0 && n_unit != n_coeff)
    envelope_import_note (imp->notes,
                          _("Layer \"%s\" (Eltwise) weighs its inputs by coefficients; Envelope counts a plain sum."),
                          cl->name);
  layer = add_layer (imp, type, top_name (cl), inputs, cl->n_bottoms);
  set_tops (imp, cl, layer->name);
  return TRUE;
}

/* A layer that works along the batch: Envelope's shapes are per
 * sample, so it is of unknown cost and passes its input's shape on. */
static gboolean
batch_axis_unknown (Importer         *imp,
                    const CaffeLayer *cl,
                    GError          **error)
{
  envelope_import_note (imp->notes,
                        _("Layer \"%s\" (%s) works along the batch axis, which Envelope's per-sample shapes leave "
                          "out; it counts nothing and passes its first input's shape on."), cl->name, cl->type);
  return add_unknown (imp, cl, cl->type, error) != NULL;
}

/* Permute (SSD's Caffe): the batch must stay first. */
static gboolean
map_permute (Importer         *imp,
             const CaffeLayer *cl,
             GError          **error)
{
  const Node *param = node_find (cl->node, "permute_param");
  gint64 order[ENVELOPE_MAX_RANK + 1];
  guint n = 0;
  EnvelopeLayer *layer;

  if (param != NULL)
    for (Node *c = param->children; c != NULL; c = c->next)
      {
        if (strcmp (c->key, "order") != 0)
          continue;
        if (n == G_N_ELEMENTS (order))
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, c, "order",
                              _("more than %u axes"), (guint) G_N_ELEMENTS (order));
        if (!read_int_node (imp, c, 0, ENVELOPE_MAX_RANK, &order[n], error))
          return FALSE;
        n++;
      }
  if (n == 0 || order[0] != 0)
    return batch_axis_unknown (imp, cl, error);
  if (n == 1)
    return add_simple (imp, cl, ENVELOPE_LAYER_IDENTITY, error) != NULL;
  layer = add_simple (imp, cl, ENVELOPE_LAYER_PERMUTE, error);
  if (layer == NULL)
    return FALSE;
  for (guint i = 1; i < n; i++)
    {
      if (order[i] == 0)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "order",
                            _("names the batch axis twice"));
      layer->order[i - 1] = order[i] - 1;
    }
  ENVELOPE_LAYER_LENGTH (layer, ENVELOPE_FIELD_ORDER) = (guint8) (n - 1);
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_ORDER);
  return TRUE;
}

static gboolean
map_concat (Importer         *imp,
            const CaffeLayer *cl,
            GError          **error)
{
  const Node *param = node_find (cl->node, "concat_param");
  const char *inputs[64];
  EnvelopeLayer *layer;
  gint64 axis, per_sample = 0;

  if (node_find (param, "axis") != NULL || node_find (param, "concat_dim") == NULL)
    {
      if (!read_int (imp, param, "axis", 1, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error))
        return FALSE;
    }
  else if (!read_int (imp, param, "concat_dim", 1, 0, ENVELOPE_MAX_RANK, &axis, error))
    return FALSE;
  if (axis == 0)
    return batch_axis_unknown (imp, cl, error);
  if (!per_sample_axis (imp, axis, "axis", &per_sample, error) ||
      !need_bottoms (imp, cl, 1, 64, error) || !resolve_bottoms (imp, cl, inputs, error))
    return FALSE;
  layer = add_layer (imp, ENVELOPE_LAYER_CONCAT, top_name (cl), inputs, cl->n_bottoms);
  layer->axis = per_sample;
  if (per_sample != 0)
    layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS);
  set_tops (imp, cl, layer->name);
  return TRUE;
}

static gboolean
map_slice (Importer         *imp,
           const CaffeLayer *cl,
           GError          **error)
{
  const Node *param = node_find (cl->node, "slice_param");
  gint64 points[64];
  guint n_points = 0;
  gint64 axis, per_sample = 0;
  const char *inputs[64];
  g_autofree char *input = NULL;

  if (node_find (param, "axis") != NULL || node_find (param, "slice_dim") == NULL)
    {
      if (!read_int (imp, param, "axis", 1, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error))
        return FALSE;
    }
  else if (!read_int (imp, param, "slice_dim", 1, 0, ENVELOPE_MAX_RANK, &axis, error))
    return FALSE;
  if (axis == 0)
    return batch_axis_unknown (imp, cl, error);
  if (!per_sample_axis (imp, axis, "axis", &per_sample, error) ||
      !need_bottoms (imp, cl, 1, 1, error) || !resolve_bottoms (imp, cl, inputs, error))
    return FALSE;
  if (cl->n_tops == 0)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "top", _("is missing"));
  if (param != NULL)
    for (Node *c = param->children; c != NULL; c = c->next)
      {
        if (strcmp (c->key, "slice_point") != 0)
          continue;
        if (n_points == G_N_ELEMENTS (points) ||
            !read_int_node (imp, c, n_points > 0 ? points[n_points - 1] + 1 : 1, MAX_SIZE, &points[n_points], error))
          return n_points == G_N_ELEMENTS (points)
                 ? layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, "slice_point", _("too many"))
                 : FALSE;
        n_points++;
      }
  if (n_points > 0 && n_points != cl->n_tops - 1)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "slice_point",
                        _("gives %u points for %u tops; it takes one fewer than the tops"), n_points, cl->n_tops);
  if (n_points == 0 && cl->n_tops > 1)
    {
      const EnvelopeLayerFigures *in;
      gint64 a = per_sample, size;

      /* equal parts: the axis's size is needed */
      if (!layer_shape (imp, inputs[0], &in, error))
        return FALSE;
      if (a < 0)
        a += in->rank;
      if (a < 0 || a >= (gint64) in->rank)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, NULL, "axis",
                            _("axis %" PRId64 " is not an axis of its input"), axis);
      size = (gint64) in->shape[a];
      if (size % cl->n_tops != 0)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, NULL, "top",
                            _("%" PRId64 " cannot be cut into %u equal parts"), size, cl->n_tops);
      for (guint i = 0; i + 1 < cl->n_tops; i++)
        points[n_points++] = size / cl->n_tops * (i + 1);
    }
  /* a top may name the bottom's blob again: set_blob() then frees the
   * name inputs[0] borrows, so the parts read a copy */
  input = g_strdup (inputs[0]);
  for (guint i = 0; i < cl->n_tops; i++)
    {
      g_autofree char *name = cl->n_tops > 1 ? g_strdup_printf ("%s/%s", cl->name, cl->tops[i]->text)
                                             : g_strdup (cl->name);
      EnvelopeLayer *layer = add_layer (imp, ENVELOPE_LAYER_SLICE, name, (const char *const *) &input, 1);

      layer->axis = per_sample;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_AXIS);
      layer->start = i > 0 ? points[i - 1] : 0;
      if (i > 0)
        layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_START);
      if (i + 1 < cl->n_tops)
        {
          layer->end = points[i];
          layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_END);
        }
      set_blob (imp, cl->tops[i]->text, layer->name);
    }
  return TRUE;
}

/* A reshape of @input to the per-sample @shape; two sizes are a 1-D map,
 * as Caffe's blobs are maps, never sequences of tokens. */
static EnvelopeLayer *
add_reshape (Importer          *imp,
             const char        *name,
             const char *const *input,
             const gint64      *shape,
             guint              rank)
{
  EnvelopeLayer *layer = add_layer (imp, ENVELOPE_LAYER_RESHAPE, name, input, 1);

  layer->shape_rank = rank;
  memcpy (layer->shape, shape, rank * sizeof (gint64));
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHAPE);
  if (rank == 2)
    {
      layer->layout = ENVELOPE_SHAPE_MAP;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LAYOUT);
    }
  return layer;
}

/* A reshape to @dims (Caffe's, batch first, 0 copying and −1 inferring). */
static gboolean
map_reshape (Importer         *imp,
             const CaffeLayer *cl,
             GError          **error)
{
  const Node *param = node_find (cl->node, "reshape_param");
  const Node *shape = node_find (param, "shape");
  gint64 dims[ENVELOPE_MAX_RANK + 2];
  gint64 axis, num_axes;
  gint64 target[ENVELOPE_MAX_RANK + 2];
  guint n = 0, n_target = 0;
  gboolean copies = FALSE;
  const char *inputs[64];
  EnvelopeLayer *layer;
  const EnvelopeLayerFigures *in = NULL;
  gint64 full[ENVELOPE_MAX_RANK + 1];
  guint n_full;

  if (shape == NULL || shape->kind != NODE_MESSAGE)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "shape", _("is missing"));
  for (Node *c = shape->children; c != NULL; c = c->next)
    {
      if (strcmp (c->key, "dim") != 0)
        continue;
      if (n == ENVELOPE_MAX_RANK + 1)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, c, "dim",
                            _("a blob of more than %u axes"), ENVELOPE_MAX_RANK + 1);
      if (!read_int_node (imp, c, -1, MAX_SIZE, &dims[n], error))
        return FALSE;
      copies |= dims[n] == 0;
      n++;
    }
  if (!read_int (imp, param, "axis", 0, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error) ||
      !read_int (imp, param, "num_axes", -1, -1, ENVELOPE_MAX_RANK + 1, &num_axes, error) ||
      !need_bottoms (imp, cl, 1, 1, error) || !resolve_bottoms (imp, cl, inputs, error))
    return FALSE;

  if (axis == 0 && num_axes == -1 && n >= 1)
    {
      /* the usual case: the first dim is the batch (0, −1 or its size) */
      for (guint i = 1; i < n; i++)
        if (dims[i] == 0)
          copies = TRUE;
      if (dims[0] == -1)
        for (guint i = 1; i < n; i++)
          if (dims[i] == -1)
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                                _("infers both the batch and another size"));
      if (copies)
        {
          if (!layer_shape (imp, inputs[0], &in, error))
            return FALSE;
          for (guint i = 1; i < n; i++)
            if (dims[i] == 0)
              {
                if (i > in->rank)
                  return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                                      _("copies axis %u, which its input does not have"), i);
                dims[i] = (gint64) in->shape[i - 1];
              }
        }
      for (guint i = 1; i < n; i++)
        target[n_target++] = dims[i];
    }
  else
    {
      gint64 start, end;

      /* the dims replace some axes of the input: its shape is needed */
      if (!layer_shape (imp, inputs[0], &in, error))
        return FALSE;
      n_full = in->rank + 1;
      full[0] = 1;
      for (guint i = 0; i < in->rank; i++)
        full[i + 1] = (gint64) in->shape[i];
      start = axis < 0 ? axis + n_full + 1 : axis;
      end = num_axes == -1 ? n_full : start + num_axes;
      if (start < 0 || start > n_full || end > n_full)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, param, "axis",
                            _("axes %" PRId64 " to %" PRId64 " are not all axes of its input"), axis, end);
      for (gint64 i = 0; i < start; i++)
        target[n_target++] = full[i];
      for (guint i = 0; i < n; i++)
        {
          if (n_target == G_N_ELEMENTS (target))
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                                _("a blob of more than %u axes"), ENVELOPE_MAX_RANK + 1);
          /* a 0 copies the input's axis where it stands, counted from
           * the batch */
          if (dims[i] == 0 && start + i >= n_full)
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                                _("copies axis %u, which its input does not have"), (guint) (start + i));
          target[n_target++] = dims[i] == 0 ? full[start + i] : dims[i];
        }
      for (gint64 i = end; i < n_full; i++)
        {
          if (n_target == G_N_ELEMENTS (target))
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                                _("a blob of more than %u axes"), ENVELOPE_MAX_RANK + 1);
          target[n_target++] = full[i];
        }
      /* drop the batch */
      if (n_target == 0)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim", _("leaves no axes"));
      memmove (target, target + 1, (n_target - 1) * sizeof (gint64));
      n_target--;
    }
  if (n_target == 0)
    target[n_target++] = 1;
  if (n_target > ENVELOPE_MAX_RANK)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, shape, "dim",
                        _("a blob of %u axes besides the batch; Envelope follows at most %u"),
                        n_target, ENVELOPE_MAX_RANK);
  layer = add_reshape (imp, top_name (cl), inputs, target, n_target);
  set_tops (imp, cl, layer->name);
  return TRUE;
}

static gboolean
map_flatten (Importer         *imp,
             const CaffeLayer *cl,
             GError          **error)
{
  const Node *param = node_find (cl->node, "flatten_param");
  gint64 axis, end_axis;
  const char *inputs[64];
  const EnvelopeLayerFigures *in;
  EnvelopeLayer *layer;
  gint64 full[ENVELOPE_MAX_RANK + 1], target[ENVELOPE_MAX_RANK + 1];
  guint n_full, n_target = 0;

  if (!read_int (imp, param, "axis", 1, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error) ||
      !read_int (imp, param, "end_axis", -1, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &end_axis, error))
    return FALSE;
  if (axis == 1 && end_axis == -1)
    return add_simple (imp, cl, ENVELOPE_LAYER_FLATTEN, error) != NULL;

  if (!need_bottoms (imp, cl, 1, 1, error) || !resolve_bottoms (imp, cl, inputs, error) ||
      !layer_shape (imp, inputs[0], &in, error))
    return FALSE;
  n_full = in->rank + 1;
  full[0] = 1;
  for (guint i = 0; i < in->rank; i++)
    full[i + 1] = (gint64) in->shape[i];
  if (axis < 0)
    axis += n_full;
  if (end_axis < 0)
    end_axis += n_full;
  if (axis < 1 || end_axis < axis || end_axis >= n_full)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, param, "axis",
                        _("flattens axes its input does not have, or the batch"));
  for (gint64 i = 1; i < axis; i++)
    target[n_target++] = full[i];
  target[n_target] = 1;
  for (gint64 i = axis; i <= end_axis; i++)
    target[n_target] *= full[i];
  n_target++;
  for (gint64 i = end_axis + 1; i < n_full; i++)
    target[n_target++] = full[i];
  layer = add_reshape (imp, top_name (cl), inputs, target, n_target);
  set_tops (imp, cl, layer->name);
  return TRUE;
}

static gboolean
map_crop (Importer         *imp,
          const CaffeLayer *cl,
          GError          **error)
{
  const Node *param = node_find (cl->node, "crop_param");
  const char *inputs[64];
  EnvelopeLayer *layer;
  gint64 axis;

  if (!read_int (imp, param, "axis", 2, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error) ||
      !need_bottoms (imp, cl, 2, 2, error) || !resolve_bottoms (imp, cl, inputs, error))
    return FALSE;
  if (axis < 0)
    {
      const EnvelopeLayerFigures *in;

      if (!layer_shape (imp, inputs[0], &in, error))
        return FALSE;
      axis += in->rank + 1;
    }
  if (axis != 2)
    {
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (Crop) crops from axis %" PRId64 ", not the spatial axes; "
                              "Envelope counts nothing for it."), cl->name, axis);
      layer = add_unknown (imp, cl, "Crop", error);
      return layer != NULL;
    }
  layer = add_layer (imp, ENVELOPE_LAYER_CROP, top_name (cl), inputs, 2);
  set_tops (imp, cl, layer->name);
  if (node_find (param, "offset") != NULL)
    envelope_import_note (imp->notes,
                          _("Layer \"%s\" (Crop) cuts at the offsets it gives; Envelope centres the cut, "
                            "which changes only where its receptive field starts."), cl->name);
  return TRUE;
}

/* Caffe's Scale and Bias lay a second blob along the first's axes from
 * @axis on (the channels by default); Envelope broadcasts NumPy's way,
 * from the last axis.  A second blob of fewer axes is reshaped to end in
 * ones, so that [C] scales [C, H, W] per channel. */
static gboolean
broadcast_second (Importer         *imp,
                  const CaffeLayer *cl,
                  const Node       *param,
                  const char       *inputs[64],
                  GError          **error)
{
  const EnvelopeLayerFigures *f;
  guint rank_a, rank_b;
  guint64 shape_b[ENVELOPE_MAX_RANK];
  gint64 axis, start, target[ENVELOPE_MAX_RANK];
  EnvelopeLayer *layer;
  g_autofree char *name = NULL;

  if (!read_int (imp, param, "axis", 1, -ENVELOPE_MAX_RANK - 1, ENVELOPE_MAX_RANK, &axis, error) ||
      !layer_shape (imp, inputs[0], &f, error))
    return FALSE;
  rank_a = f->rank;
  if (!layer_shape (imp, inputs[1], &f, error))
    return FALSE;
  rank_b = f->rank;
  memcpy (shape_b, f->shape, sizeof shape_b);
  if (rank_b >= rank_a)
    return TRUE;
  /* axis 0: the second blob has the batch too, and its per-sample axes
   * start at the first's channels */
  start = axis < 0 ? axis + (gint64) rank_a : MAX (axis - 1, 0);
  if (start < 0 || start + rank_b > rank_a)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, param, "axis",
                        _("the second blob does not fit the first's axes from axis %" PRId64), axis);
  name = g_strdup_printf ("%s/broadcast", cl->name);
  for (guint i = 0; i < rank_a; i++)
    target[i] = i >= start && i < start + rank_b ? (gint64) shape_b[i - start] : 1;
  layer = add_reshape (imp, name, inputs + 1, target, rank_a);
  inputs[1] = layer->name;
  return TRUE;
}

static gboolean
map_bias (Importer         *imp,
          const CaffeLayer *cl,
          GError          **error)
{
  const char *inputs[64];
  EnvelopeLayer *layer;

  if (cl->n_bottoms != 2)
    {
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (Bias) adds a learned bias; Envelope has no kind for a bias alone and "
                              "counts nothing for it."), cl->name);
      return add_unknown (imp, cl, "Bias", error) != NULL;
    }
  if (!resolve_bottoms (imp, cl, inputs, error) ||
      !broadcast_second (imp, cl, node_find (cl->node, "bias_param"), inputs, error))
    return FALSE;
  layer = add_layer (imp, ENVELOPE_LAYER_ADD, top_name (cl), inputs, 2);
  set_tops (imp, cl, layer->name);
  return TRUE;
}

static gboolean
map_scale (Importer         *imp,
           const CaffeLayer *cl,
           GError          **error)
{
  const Node *param = node_find (cl->node, "scale_param");
  EnvelopeLayer *layer;
  gboolean bias;

  if (!read_bool (imp, param, "bias_term", FALSE, &bias, error))
    return FALSE;
  if (cl->n_bottoms == 2)
    {
      const char *inputs[64];

      if (!resolve_bottoms (imp, cl, inputs, error) || !broadcast_second (imp, cl, param, inputs, error))
        return FALSE;
      layer = add_layer (imp, ENVELOPE_LAYER_MUL, top_name (cl), inputs, 2);
      set_tops (imp, cl, layer->name);
      if (bias)
        envelope_import_note (imp->notes,
                              _("Layer \"%s\" (Scale) multiplies by a second blob and adds a learned bias; "
                                "Envelope counts the product, not the bias."), cl->name);
      return TRUE;
    }
  layer = add_simple (imp, cl, ENVELOPE_LAYER_SCALE, error);
  if (layer == NULL)
    return FALSE;
  layer->learned = TRUE;
  layer->bias = bias;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_LEARNED) | ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_BIAS);
  return TRUE;
}

static gboolean
map_power (Importer         *imp,
           const CaffeLayer *cl,
           GError          **error)
{
  const Node *param = node_find (cl->node, "power_param");
  double power, scale, shift;
  EnvelopeLayer *layer;

  if (!read_real (imp, param, "power", 1.0, &power, error) ||
      !read_real (imp, param, "scale", 1.0, &scale, error) ||
      !read_real (imp, param, "shift", 0.0, &shift, error))
    return FALSE;
  if (power != 1.0 || !isfinite (scale))
    {
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (Power) raises to the power %g; Envelope counts nothing for it."),
                            cl->name, power);
      return add_unknown (imp, cl, "Power", error) != NULL;
    }
  layer = add_simple (imp, cl, ENVELOPE_LAYER_SCALE, error);
  if (layer == NULL)
    return FALSE;
  layer->factor = scale;
  layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_FACTOR);
  if (shift != 0.0)
    envelope_import_note (imp->notes,
                          _("Layer \"%s\" (Power) also shifts by %g; Envelope counts the scaling."), cl->name, shift);
  return TRUE;
}

/* Data layers: the shape the file gives, or an assumed one. */
static gboolean
map_data (Importer         *imp,
          const CaffeLayer *cl,
          GError          **error)
{
  gint64 dims[ENVELOPE_MAX_RANK + 2] = { 1, 3, 224, 224 };
  guint n = 4;
  gboolean assumed = TRUE;
  const Node *transform = node_find (cl->node, "transform_param");
  const Node *image = node_find (cl->node, "image_data_param");
  const Node *memory = node_find (cl->node, "memory_data_param");
  gint64 crop = 0, height = 0, width = 0, channels = 3;
  gboolean color = TRUE;

  if (cl->n_tops == 0)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, NULL, "top", _("is missing"));
  if (memory != NULL)
    {
      if (!read_int (imp, memory, "batch_size", 1, 1, MAX_SIZE, &dims[0], error) ||
          !read_int (imp, memory, "channels", 1, 1, MAX_SIZE, &dims[1], error) ||
          !read_int (imp, memory, "height", 1, 1, MAX_SIZE, &dims[2], error) ||
          !read_int (imp, memory, "width", 1, 1, MAX_SIZE, &dims[3], error))
        return FALSE;
      assumed = FALSE;
    }
  else
    {
      if (!read_int (imp, transform, "crop_size", 0, 0, MAX_SIZE, &crop, error) ||
          !read_int (imp, image, "new_height", 0, 0, MAX_SIZE, &height, error) ||
          !read_int (imp, image, "new_width", 0, 0, MAX_SIZE, &width, error) ||
          !read_bool (imp, image, "is_color", TRUE, &color, error))
        return FALSE;
      channels = color ? 3 : 1;
      if (crop > 0)
        height = width = crop;
      if (height > 0 && width > 0)
        {
          dims[1] = channels;
          dims[2] = height;
          dims[3] = width;
          envelope_import_note (imp->notes,
                                _("Layer \"%s\" (%s) reads its data from elsewhere; Envelope takes %" PRId64 "×%"
                                  PRId64 "×%" PRId64 " from its %s and assumes %" PRId64 " channels."),
                                cl->name, cl->type, channels, height, width,
                                crop > 0 ? "crop_size" : "new_height and new_width", channels);
          assumed = FALSE;
        }
    }
  if (assumed)
    {
      imp->n_assumed_inputs++;
      envelope_import_note (imp->notes,
                            _("Layer \"%s\" (%s) reads its data from elsewhere and gives no size; Envelope assumes "
                              "3×224×224. Give the real size in the Input layer to get the real figures."),
                            cl->name, cl->type);
    }
  if (!add_input (imp, cl->tops[0]->text, dims, n, cl->node, error))
    return FALSE;
  /* the labels: an input of one value, made if a kept layer reads them */
  for (guint i = 1; i < cl->n_tops; i++)
    {
      Blob *b = g_new0 (Blob, 1);

      b->rank = 1;
      b->shape[0] = 1;
      g_hash_table_replace (imp->blobs, g_strdup (cl->tops[i]->text), b);
    }
  return TRUE;
}

static gboolean
map_input_layer (Importer         *imp,
                 const CaffeLayer *cl,
                 GError          **error)
{
  const Node *param = node_find (cl->node, "input_param");
  const Node *shapes[64];
  guint n_shapes = 0;

  if (param == NULL)
    param = node_find (cl->node, "dummy_data_param");
  if (param != NULL)
    for (Node *c = param->children; c != NULL && n_shapes < G_N_ELEMENTS (shapes); c = c->next)
      if (strcmp (c->key, "shape") == 0 && c->kind == NODE_MESSAGE)
        shapes[n_shapes++] = c;
  if (n_shapes == 0 && param != NULL && node_find (param, "num") != NULL)
    {
      /* DummyData's old form: num, channels, height, width */
      gint64 dims[4];

      if (!read_int (imp, param, "num", 1, 1, MAX_SIZE, &dims[0], error) ||
          !read_int (imp, param, "channels", 1, 1, MAX_SIZE, &dims[1], error) ||
          !read_int (imp, param, "height", 1, 1, MAX_SIZE, &dims[2], error) ||
          !read_int (imp, param, "width", 1, 1, MAX_SIZE, &dims[3], error))
        return FALSE;
      for (guint i = 0; i < cl->n_tops; i++)
        if (!add_input (imp, cl->tops[i]->text, dims, 4, cl->node, error))
          return FALSE;
      return TRUE;
    }
  if (n_shapes == 0)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, param, "shape",
                        _("is missing: an Input layer gives the shape of its blobs"));
  if (n_shapes != 1 && n_shapes != cl->n_tops)
    return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, shapes[0], "shape",
                        _("gives %u shapes for %u tops: one for all, or one each"), n_shapes, cl->n_tops);
  for (guint i = 0; i < cl->n_tops; i++)
    {
      gint64 dims[ENVELOPE_MAX_RANK + 2];
      guint n;

      if (!read_dims (imp, shapes[n_shapes == 1 ? 0 : i], dims, &n, error) ||
          !add_input (imp, cl->tops[i]->text, dims, n, shapes[n_shapes == 1 ? 0 : i], error))
        return FALSE;
    }
  return TRUE;
}

/* The old syntax's enum types, by name and by number, as the new names. */
static const struct { const char *old; gint number; const char *type; } v1_types[] = {
  { "NONE", 0, NULL },
  { "ABSVAL", 35, "AbsVal" },
  { "ACCURACY", 1, "Accuracy" },
  { "ARGMAX", 30, "ArgMax" },
  { "BNLL", 2, "BNLL" },
  { "CONCAT", 3, "Concat" },
  { "CONTRASTIVE_LOSS", 37, "ContrastiveLoss" },
  { "CONVOLUTION", 4, "Convolution" },
  { "DATA", 5, "Data" },
  { "DECONVOLUTION", 39, "Deconvolution" },
  { "DROPOUT", 6, "Dropout" },
  { "DUMMY_DATA", 32, "DummyData" },
  { "EUCLIDEAN_LOSS", 7, "EuclideanLoss" },
  { "ELTWISE", 25, "Eltwise" },
  { "EXP", 38, "Exp" },
  { "FLATTEN", 8, "Flatten" },
  { "HDF5_DATA", 9, "HDF5Data" },
  { "HDF5_OUTPUT", 10, "HDF5Output" },
  { "HINGE_LOSS", 28, "HingeLoss" },
  { "IM2COL", 11, "Im2col" },
  { "IMAGE_DATA", 12, "ImageData" },
  { "INFOGAIN_LOSS", 13, "InfogainLoss" },
  { "INNER_PRODUCT", 14, "InnerProduct" },
  { "LRN", 15, "LRN" },
  { "MEMORY_DATA", 29, "MemoryData" },
  { "MULTINOMIAL_LOGISTIC_LOSS", 16, "MultinomialLogisticLoss" },
  { "MVN", 34, "MVN" },
  { "POOLING", 17, "Pooling" },
  { "POWER", 26, "Power" },
  { "RELU", 18, "ReLU" },
  { "SIGMOID", 19, "Sigmoid" },
  { "SIGMOID_CROSS_ENTROPY_LOSS", 27, "SigmoidCrossEntropyLoss" },
  { "SILENCE", 36, "Silence" },
  { "SOFTMAX", 20, "Softmax" },
  { "SOFTMAX_LOSS", 21, "SoftmaxWithLoss" },
  { "SPLIT", 22, "Split" },
  { "SLICE", 33, "Slice" },
  { "TANH", 23, "TanH" },
  { "WINDOW_DATA", 24, "WindowData" },
  { "THRESHOLD", 31, "Threshold" },
};

static const char *
layer_type (const Node *node)
{
  const Node *type = node_find (node, "type");

  if (type == NULL || type->kind == NODE_MESSAGE)
    return NULL;
  if (type->kind == NODE_STRING && strcmp (node->key, "layer") == 0)
    return type->text;
  for (guint i = 0; i < G_N_ELEMENTS (v1_types); i++)
    {
      char number[16];

      g_snprintf (number, sizeof number, "%d", v1_types[i].number);
      if (strcmp (type->text, v1_types[i].old) == 0 || strcmp (type->text, number) == 0)
        return v1_types[i].type;
    }
  return type->text;
}

static gboolean
is_test_phase (const char *phase)
{
  return phase == NULL || strcmp (phase, "TEST") == 0 || strcmp (phase, "1") == 0;
}

/* Whether the layer runs in the TEST phase: its include rules (one must
 * hold) and exclude rules (none may). */
static gboolean
in_test_phase (const Node *node)
{
  gboolean any_include = FALSE, included = FALSE;
  const char *phase = read_enum (node, "phase", NULL);

  if (phase != NULL && !is_test_phase (phase))
    return FALSE;
  for (Node *c = node->children; c != NULL; c = c->next)
    {
      if (c->kind != NODE_MESSAGE)
        continue;
      if (strcmp (c->key, "include") == 0)
        {
          any_include = TRUE;
          if (is_test_phase (read_enum (c, "phase", NULL)))
            included = TRUE;
        }
      else if (strcmp (c->key, "exclude") == 0)
        {
          const char *p = read_enum (c, "phase", NULL);

          if (p != NULL && is_test_phase (p))
            return FALSE;
        }
    }
  return !any_include || included;
}

static gboolean
read_caffe_layer (Importer   *imp,
                  const Node *node,
                  guint       index,
                  CaffeLayer *cl,
                  GError    **error)
{
  const char *name = read_string (node, "name");

  memset (cl, 0, sizeof *cl);
  cl->node = node;
  cl->type = layer_type (node);
  imp->node = node;
  imp->type = cl->type != NULL ? cl->type : "?";
  if (name == NULL || name[0] == '\0')
    {
      /* Caffe does not insist on names; Envelope does */
      char *made = g_strdup_printf ("%s%u", cl->type != NULL ? cl->type : "layer", index + 1);

      g_ptr_array_add (imp->strings, made);
      name = made;
    }
  cl->name = name;
  imp->name = name;
  return TRUE;
}

static gboolean
collect_blobs (Importer   *imp,
               CaffeLayer *cl,
               GError    **error)
{
  for (Node *c = cl->node->children; c != NULL; c = c->next)
    {
      gboolean bottom = strcmp (c->key, "bottom") == 0;

      if (!bottom && strcmp (c->key, "top") != 0)
        continue;
      if (c->kind == NODE_MESSAGE)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, c, c->key, _("must name a blob"));
      if ((bottom ? cl->n_bottoms : cl->n_tops) == G_N_ELEMENTS (cl->bottoms))
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, c->key,
                            _("more than %u blobs"), (guint) G_N_ELEMENTS (cl->bottoms));
      if (bottom)
        cl->bottoms[cl->n_bottoms++] = c;
      else
        cl->tops[cl->n_tops++] = c;
    }
  return TRUE;
}

static gboolean
is_loss_type (const char *type)
{
  return g_str_has_suffix (type, "Loss") || strcmp (type, "Accuracy") == 0 ||
         strcmp (type, "Silence") == 0 || strcmp (type, "HDF5Output") == 0;
}

static gboolean
is_data_type (const char *type)
{
  return strcmp (type, "Data") == 0 || strcmp (type, "ImageData") == 0 || strcmp (type, "HDF5Data") == 0 ||
         strcmp (type, "WindowData") == 0 || strcmp (type, "MemoryData") == 0 ||
         strcmp (type, "AnnotatedData") == 0 || strcmp (type, "VideoData") == 0;
}

static gboolean
map_layer (Importer         *imp,
           const CaffeLayer *cl,
           const CaffeLayer *next,
           gboolean         *used_next,
           GError          **error)
{
  const char *t = cl->type;
  EnvelopeLayer *layer;

  *used_next = FALSE;
  if (strcmp (t, "Convolution") == 0 || strcmp (t, "Deconvolution") == 0)
    return map_convolution (imp, cl, strcmp (t, "Deconvolution") == 0, error);
  if (strcmp (t, "Pooling") == 0)
    return map_pooling (imp, cl, error);
  if (strcmp (t, "InnerProduct") == 0)
    return map_inner_product (imp, cl, error);
  if (strcmp (t, "ReLU") == 0)
    {
      double slope;

      if (!read_real (imp, node_find (cl->node, "relu_param"), "negative_slope", 0.0, &slope, error))
        return FALSE;
      return add_simple (imp, cl, slope != 0.0 ? ENVELOPE_LAYER_LEAKY_RELU : ENVELOPE_LAYER_RELU, error) != NULL;
    }
  if (strcmp (t, "PReLU") == 0)
    {
      gboolean shared;

      if (!read_bool (imp, node_find (cl->node, "prelu_param"), "channel_shared", FALSE, &shared, error))
        return FALSE;
      layer = add_simple (imp, cl, ENVELOPE_LAYER_PRELU, error);
      if (layer == NULL)
        return FALSE;
      layer->shared = shared;
      layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARED);
      return TRUE;
    }
  if (strcmp (t, "ELU") == 0)
    return add_simple (imp, cl, ENVELOPE_LAYER_ELU, error) != NULL;
  if (strcmp (t, "Sigmoid") == 0)
    return add_simple (imp, cl, ENVELOPE_LAYER_SIGMOID, error) != NULL;
  if (strcmp (t, "TanH") == 0)
    return add_simple (imp, cl, ENVELOPE_LAYER_TANH, error) != NULL;
  if (strcmp (t, "BNLL") == 0)
    return add_simple (imp, cl, ENVELOPE_LAYER_SOFTPLUS, error) != NULL;
  if (strcmp (t, "Softmax") == 0)
    return add_simple (imp, cl, ENVELOPE_LAYER_SOFTMAX, error) != NULL;
  if (strcmp (t, "BatchNorm") == 0)
    {
      /* the Scale after it holds γ and β */
      gboolean fuse = next != NULL && next->type != NULL && strcmp (next->type, "Scale") == 0 &&
                      next->n_bottoms == 1 && cl->n_tops == 1 &&
                      strcmp (next->bottoms[0]->text, cl->tops[0]->text) == 0;

      *used_next = fuse;
      return map_batch_norm (imp, cl, fuse ? next : NULL, error);
    }
  if (strcmp (t, "Scale") == 0)
    return map_scale (imp, cl, error);
  if (strcmp (t, "Bias") == 0)
    return map_bias (imp, cl, error);
  if (strcmp (t, "Eltwise") == 0)
    return map_eltwise (imp, cl, error);
  if (strcmp (t, "Concat") == 0)
    return map_concat (imp, cl, error);
  if (strcmp (t, "Slice") == 0)
    return map_slice (imp, cl, error);
  if (strcmp (t, "Split") == 0)
    {
      const char *inputs[64];

      /* its tops are the bottom under other names */
      if (!need_bottoms (imp, cl, 1, 1, error) || !resolve_bottoms (imp, cl, inputs, error))
        return FALSE;
      {
        g_autofree char *producer = g_strdup (inputs[0]);

        set_tops (imp, cl, producer);
      }
      return TRUE;
    }
  if (strcmp (t, "Dropout") == 0)
    {
      double ratio;

      if (!read_real (imp, node_find (cl->node, "dropout_param"), "dropout_ratio", 0.5, &ratio, error))
        return FALSE;
      if (!(ratio >= 0.0 && ratio < 1.0))
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, node_find (node_find (cl->node, "dropout_param"),
                                                                                 "dropout_ratio"),
                            "dropout_ratio", _("must be at least 0 and below 1, got %g"), ratio);
      layer = add_simple (imp, cl, ENVELOPE_LAYER_DROPOUT, error);
      if (layer == NULL)
        return FALSE;
      layer->rate = ratio;
      if (ratio != 0.5)
        layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_RATE);
      return TRUE;
    }
  if (strcmp (t, "LRN") == 0)
    {
      const Node *param = node_find (cl->node, "lrn_param");
      gint64 size;

      if (!read_int (imp, param, "local_size", 5, 1, MAX_SIZE, &size, error))
        return FALSE;
      layer = add_simple (imp, cl, ENVELOPE_LAYER_LRN, error);
      if (layer == NULL)
        return FALSE;
      layer->size = size;
      if (size != 5)
        layer->set |= ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SIZE);
      return TRUE;
    }
  if (strcmp (t, "Flatten") == 0)
    return map_flatten (imp, cl, error);
  if (strcmp (t, "Permute") == 0)
    return map_permute (imp, cl, error);
  if (strcmp (t, "Reshape") == 0)
    return map_reshape (imp, cl, error);
  if (strcmp (t, "Crop") == 0)
    return map_crop (imp, cl, error);
  if (strcmp (t, "Power") == 0)
    return map_power (imp, cl, error);
  if (strcmp (t, "Input") == 0 || strcmp (t, "DummyData") == 0)
    return map_input_layer (imp, cl, error);
  if (is_data_type (t))
    return map_data (imp, cl, error);

  /* one note per type: a network of fifty Python layers needs no fifty */
  if (!g_hash_table_contains (imp->unknown, t))
    envelope_import_note (imp->notes,
                          _("Layer \"%s\" is of type %s, which Envelope has no rule for; it counts nothing "
                            "(nor for any other %s layer)."), cl->name, t, t);
  return add_unknown (imp, cl, t, error) != NULL;
}

static void
append_counts (GString    *out,
               GHashTable *table)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) strcmp);
  gboolean first = TRUE;

  for (GList *k = keys; k != NULL; k = k->next)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (table, k->data));

      g_string_append_printf (out, first ? "%s" : ", %s", (const char *) k->data);
      if (n > 1)
        g_string_append_printf (out, " ×%u", n);
      first = FALSE;
    }
}

static gboolean
map_net_inputs (Importer   *imp,
                const Node *root,
                GError    **error)
{
  const Node *inputs[64], *shapes[64];
  guint n_inputs = 0, n_shapes = 0, n_dims = 0;
  gint64 dims[4 * 64];

  for (Node *c = root->children; c != NULL; c = c->next)
    {
      if (strcmp (c->key, "input") == 0)
        {
          if (c->kind == NODE_MESSAGE)
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, c, "input", _("must name a blob"));
          if (n_inputs == G_N_ELEMENTS (inputs))
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, "input", _("more than %u inputs"),
                                (guint) G_N_ELEMENTS (inputs));
          inputs[n_inputs++] = c;
        }
      else if (strcmp (c->key, "input_shape") == 0 && c->kind == NODE_MESSAGE)
        {
          if (n_shapes == G_N_ELEMENTS (shapes))
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, "input_shape", _("more than %u"),
                                (guint) G_N_ELEMENTS (shapes));
          shapes[n_shapes++] = c;
        }
      else if (strcmp (c->key, "input_dim") == 0)
        {
          if (n_dims == G_N_ELEMENTS (dims))
            return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, "input_dim", _("more than %u"),
                                (guint) G_N_ELEMENTS (dims));
          if (!read_int_node (imp, c, 1, MAX_SIZE, &dims[n_dims], error))
            return FALSE;
          n_dims++;
        }
    }
  if (n_inputs == 0)
    {
      if (n_shapes > 0 || n_dims > 0)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, n_shapes > 0 ? shapes[0] : NULL, "input",
                            _("is missing: input_shape and input_dim give the shape of a named input"));
      return TRUE;
    }
  if (n_shapes > 0)
    {
      if (n_shapes != n_inputs)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, shapes[0], "input_shape",
                            _("%u shapes for %u inputs"), n_shapes, n_inputs);
      for (guint i = 0; i < n_inputs; i++)
        {
          gint64 d[ENVELOPE_MAX_RANK + 2];
          guint n;

          imp->name = inputs[i]->text;
          imp->type = "input";
          if (!read_dims (imp, shapes[i], d, &n, error) ||
              !add_input (imp, inputs[i]->text, d, n, shapes[i], error))
            return FALSE;
        }
    }
  else
    {
      if (n_dims != 4 * n_inputs)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, inputs[0], "input_dim",
                            _("%u sizes for %u inputs; input_dim gives four for each"), n_dims, n_inputs);
      for (guint i = 0; i < n_inputs; i++)
        {
          imp->name = inputs[i]->text;
          imp->type = "input";
          if (!add_input (imp, inputs[i]->text, dims + 4 * i, 4, inputs[i], error))
            return FALSE;
        }
    }
  imp->name = NULL;
  return TRUE;
}

static gboolean
import_tree (Importer   *imp,
             const Node *root,
             GError    **error)
{
  g_autoptr(GPtrArray) layers = g_ptr_array_new ();
  guint n_kept = 0;

  if (!map_net_inputs (imp, root, error))
    return FALSE;

  for (Node *c = root->children; c != NULL; c = c->next)
    if (is_layer_key (c->key))
      {
        if (c->kind != NODE_MESSAGE)
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, c, c->key, _("must be a block"));
        if (layers->len == ENVELOPE_IMPORT_MAX_LAYERS)
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_TOO_LARGE, c, c->key,
                              _("more than %u layers"), ENVELOPE_IMPORT_MAX_LAYERS);
        if (node_find (c, "layer") != NULL && node_find (c, "type") == NULL)
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_UNSUPPORTED, c, "layer",
                              _("the first Caffe syntax (a layer block inside each layers block) is not read; "
                                "upgrade the file with Caffe's upgrade_net_proto_text"));
        if (in_test_phase (c))
          g_ptr_array_add (layers, c);
        else
          imp->n_train_only++;
      }

  for (guint i = 0; i < layers->len; i++)
    {
      CaffeLayer cl, next;
      gboolean have_next = FALSE, used_next = FALSE;

      if (!read_caffe_layer (imp, layers->pdata[i], i, &cl, error) || !collect_blobs (imp, &cl, error))
        return FALSE;
      imp->name = cl.name;
      if (cl.type == NULL)
        return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, cl.node, "type", _("is missing"));
      for (guint k = 0; k < cl.n_tops; k++)
        if (cl.tops[k]->kind != NODE_STRING && cl.tops[k]->kind != NODE_WORD)
          return layer_error (imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, cl.tops[k], "top", _("must name a blob"));

      if (is_loss_type (cl.type))
        {
          g_autofree char *by = g_strdup_printf ("\"%s\" (%s)", cl.name, cl.type);

          count_type (imp->skipped, cl.type);
          for (guint k = 0; k < cl.n_tops; k++)
            {
              Blob *b = g_new0 (Blob, 1);

              b->skipped_by = g_strdup (by);
              g_hash_table_replace (imp->blobs, g_strdup (cl.tops[k]->text), b);
            }
          continue;
        }
      if (i + 1 < layers->len)
        {
          const char *saved_name = imp->name, *saved_type = imp->type;
          const Node *saved_node = imp->node;

          if (!read_caffe_layer (imp, layers->pdata[i + 1], i + 1, &next, error) || !collect_blobs (imp, &next, error))
            return FALSE;
          have_next = TRUE;
          imp->name = saved_name;
          imp->type = saved_type;
          imp->node = saved_node;
        }
      if (!map_layer (imp, &cl, have_next ? &next : NULL, &used_next, error))
        return FALSE;
      n_kept++;
      if (used_next)
        i++;
    }
  imp->name = NULL;
  return TRUE;
}

static void
importer_notes (Importer *imp)
{
  if (imp->n_train_only > 0)
    envelope_import_note (imp->notes,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "%u layer only for training (phase TRAIN) was left out: Envelope reads the "
                                       "network as in the TEST phase.",
                                       "%u layers only for training (phase TRAIN) were left out: Envelope reads the "
                                       "network as in the TEST phase.", imp->n_train_only),
                          imp->n_train_only);
  if (g_hash_table_size (imp->skipped) > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      append_counts (list, imp->skipped);
      envelope_import_note (imp->notes, _("Left out the layers that only train or measure: %s."), list->str);
    }
  if (g_hash_table_size (imp->unknown) > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      append_counts (list, imp->unknown);
      envelope_import_note (imp->notes, _("Layers of unknown cost, not in the totals: %s."), list->str);
    }
  if (imp->n_bn_scale > 0)
    envelope_import_note (imp->notes,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "%u BatchNorm layer and the Scale after it became one batch_norm layer. "
                                       "Envelope counts the Scale's γ and β as its 2·C trainable parameters and the "
                                       "running mean and variance as 2·C non-trainable ones; Caffe's BatchNorm also "
                                       "stores a moving-average factor, so Caffe counts 2·C + 1 non-trainable values, "
                                       "one more than Envelope.",
                                       "%u BatchNorm layers and the Scale after each became batch_norm layers. "
                                       "Envelope counts each Scale's γ and β as 2·C trainable parameters and the "
                                       "running mean and variance as 2·C non-trainable ones; Caffe's BatchNorm also "
                                       "stores a moving-average factor, so Caffe counts 2·C + 1 non-trainable values "
                                       "for each, one more than Envelope.", imp->n_bn_scale),
                          imp->n_bn_scale);
  if (imp->n_bn_scale_nobias > 0)
    envelope_import_note (imp->notes,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "%u BatchNorm layer is followed by a Scale without a bias; Envelope's "
                                       "batch_norm counts a β of C parameters that Caffe's network does not have.",
                                       "%u BatchNorm layers are followed by a Scale without a bias; Envelope's "
                                       "batch_norm counts a β of C parameters for each that Caffe's network does "
                                       "not have.", imp->n_bn_scale_nobias),
                          imp->n_bn_scale_nobias);
  if (imp->n_bn_alone > 0)
    envelope_import_note (imp->notes,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "%u BatchNorm layer has no Scale after it; Envelope's batch_norm counts a γ "
                                       "and a β (2·C parameters) that Caffe's network does not have.",
                                       "%u BatchNorm layers have no Scale after them; Envelope's batch_norm counts "
                                       "a γ and a β (2·C parameters) for each that Caffe's network does not have.",
                                       imp->n_bn_alone),
                          imp->n_bn_alone);
}

EnvelopeNetwork *
envelope_import_caffe (const guint8 *data,
                       gsize         length,
                       const char   *path,
                       GPtrArray    *notes,
                       GError      **error)
{
  Tree tree = { NULL, NULL, NULL };
  Importer imp = { 0 };
  g_autoptr(EnvelopeNetwork) network = NULL;
  g_autoptr(GPtrArray) origins = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) blob_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) unknown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *net_name;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!parse_tree (data, length, &tree, error))
    {
      tree_clear (&tree);
      return NULL;
    }

  net_name = read_string (tree.root, "name");
  if (net_name == NULL)
    {
      g_autofree char *base = path != NULL ? g_path_get_basename (path) : NULL;
      char *dot = base != NULL ? strrchr (base, '.') : NULL;

      if (dot != NULL && dot != base)
        *dot = '\0';
      network = envelope_network_new (base != NULL ? base : "Caffe");
    }
  else
    {
      g_autofree char *valid = g_utf8_make_valid (net_name, -1);

      network = envelope_network_new (valid);
    }
  {
    g_autofree char *base = path != NULL ? g_path_get_basename (path) : NULL;

    g_free (network->description);
    network->description = base != NULL ? g_strdup_printf (_("Imported from the Caffe prototxt %s."), base)
                                         : g_strdup (_("Imported from a Caffe prototxt."));
  }

  imp.network = network;
  imp.notes = notes;
  imp.blobs = blobs;
  imp.names = names;
  imp.origins = origins;
  imp.strings = strings;
  imp.skipped = skipped;
  imp.unknown = unknown;
  imp.budget = SHAPE_BUDGET;

  ok = import_tree (&imp, tree.root, error);
  g_clear_pointer (&imp.analysis, envelope_analysis_free);
  if (ok && network->layers->len == 0)
    ok = layer_error (&imp, error, ENVELOPE_IMPORT_ERROR_CORRUPT, tree.root, NULL,
                      _("the prototxt holds no input and no layers"));
  if (ok)
    {
      EnvelopeErrorLocation location = { -1, NULL };
      g_autoptr(GError) local_error = NULL;
      g_autoptr(EnvelopeAnalysis) analysis = envelope_analysis_new (network, NULL, &location, &local_error);

      if (analysis == NULL)
        {
          const char *origin = location.layer >= 0 && (guint) location.layer < origins->len
                               ? g_ptr_array_index (origins, location.layer) : "?";

          g_set_error (error, ENVELOPE_IMPORT_ERROR,
                       g_error_matches (local_error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW)
                       ? ENVELOPE_IMPORT_ERROR_TOO_LARGE : ENVELOPE_IMPORT_ERROR_UNSUPPORTED,
                       _("layer %s: the shapes cannot be followed: %s"), origin, local_error->message);
          ok = FALSE;
        }
    }
  if (ok)
    importer_notes (&imp);
  tree_clear (&tree);
  return ok ? g_steal_pointer (&network) : NULL;
}
