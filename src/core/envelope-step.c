/* envelope-step.c: one training step as eager PyTorch spends memory
 *
 * The lecture's model adds every layer output and every error signal.
 * PyTorch keeps less and at other times: autograd keeps only what each
 * derivative reads (the kinds' table says what, EnvelopeSaves), an
 * in-place activation shares its input's storage, the backward pass
 * frees each layer's saved tensors once its gradient is made, and the
 * parameter gradients appear one layer at a time.  This file walks the
 * step tensor by tensor, forward, loss, backward and optimizer, and
 * keeps the peak of what is allocated, term by term.
 *
 * Every size is rounded up to 512 bytes, as the CUDA caching allocator
 * rounds a block.  Each moment's bytes are also kept as a line in the
 * batch (fixed + batch × per sample), so the largest batch under a
 * budget comes out of one walk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-step"

#include "config.h"

#include <string.h>

#include "envelope-i18n-private.h"
#include "envelope-analysis-private.h"
#include "envelope-layer-kind.h"

#define BLOCK 512                       /* the caching allocator's rounding */
/* cuBLAS keeps its workspaces in the caching allocator once a network
 * multiplies matrices: measured 68,288,512 to 68,999,168 bytes on an
 * H200 with PyTorch 2.11 and CUDA 13 (two 32 MiB workspaces and small
 * blocks). */
#define CUBLAS_WORKSPACE (G_GUINT64_CONSTANT (65) << 20)
#define FRAGMENTATION ENVELOPE_STEP_FRAGMENTATION

typedef struct
{
  guint64 fixed;             /* bytes that do not grow with the batch */
  guint64 per_sample;        /* … and bytes per sample */
  guint fwd_uses;            /* forward readers still to run */
  guint saved_by;            /* layers whose backward still needs it */
  guint refs;                /* gradients: holders */
  guint mark;                /* checkpointing: the segment + 1 that last counted it */
  guint8 term;
  guint8 live;
  guint8 pinned;             /* held by the caller the whole step (the batch, the targets) */
} Tensor;                    /* 40 bytes: a walk makes one or two a layer */

/* What the walk reads of a layer, worked out of its figures as the walk
 * comes to it: an array of them was as long as the network (40 MB for a
 * million layers), and the figures' first cache line holds what most
 * layers need. */
typedef struct
{
  const guint *inputs;
  guint64 activations;       /* output values per sample */
  guint64 grad_bytes;        /* its parameters' fp32 gradients, as allocated */
  guint64 extra_fixed;       /* saved besides its inputs and output (masks, indices, statistics, held values) */
  guint64 extra_per_sample;
  guint64 held;              /* inference: bytes per sample it holds while it runs */
  guint n_inputs;
  guint saves;
  EnvelopeLayerType type;
  guint bytes;               /* per output value */
  gboolean in_place;         /* may overwrite its input in PyTorch */
  gboolean needs_params;     /* has parameters of its own or shared */
} Node;

typedef struct
{
  const EnvelopeStepInput *in;
  const guint8 *bytes;       /* per layer: bytes per output value */
  guint64 batch;
  guint64 budget;
  Tensor *tensors;           /* a plain array: a walk appends a tensor or two per layer */
  guint n_tensors;
  guint tensors_size;
  guint *dead;               /* tensors freed for good, whose entries a new tensor takes */
  guint n_dead;
  guint64 live[ENVELOPE_N_STEP_TERMS];
  guint64 live_fixed;
  guint64 live_per_sample;
  EnvelopeStepResult *result;
  EnvelopeStepFunc func;
  gpointer user_data;
  gboolean overflow;
  gboolean fits;             /* every moment's fixed part fits the budget */
} Walk;

static const struct { const char *key; const char *label; } term_names[ENVELOPE_N_STEP_TERMS] = {
  { "parameters", N_("parameters and buffers") },
  { "optimizer_state", N_("optimizer state") },
  { "gradients", N_("parameter gradients") },
  { "saved_activations", N_("saved activations") },
  { "backward_transient", N_("transient tensors") },
  { "workspace", N_("workspace") },
  { "context", N_("CUDA context") },
};

static const char *phase_keys[] = { "forward", "loss", "backward", "optimizer" };

const char *
envelope_step_term_get_key (EnvelopeStepTerm term)
{
  g_return_val_if_fail (term < ENVELOPE_N_STEP_TERMS, NULL);
  return term_names[term].key;
}

const char *
envelope_step_term_get_label (EnvelopeStepTerm term)
{
  g_return_val_if_fail (term < ENVELOPE_N_STEP_TERMS, NULL);
  return _(term_names[term].label);
}

const char *
envelope_step_phase_get_key (EnvelopeStepPhase phase)
{
  g_return_val_if_fail (phase <= ENVELOPE_STEP_OPTIMIZER, NULL);
  return phase_keys[phase];
}

static guint64
round_block (Walk   *walk,
             guint64 bytes)
{
  if (bytes > G_MAXUINT64 - BLOCK)
    {
      walk->overflow = TRUE;
      return bytes;
    }
  return bytes == 0 ? 0 : (bytes + BLOCK - 1) / BLOCK * BLOCK;
}

static guint64
product (Walk   *walk,
         guint64 a,
         guint64 b)
{
  guint64 r;

  if (!g_uint64_checked_mul (&r, a, b))
    {
      walk->overflow = TRUE;
      return G_MAXUINT64;
    }
  return r;
}

static guint64
sum (Walk   *walk,
     guint64 a,
     guint64 b)
{
  guint64 r;

  if (!g_uint64_checked_add (&r, a, b))
    {
      walk->overflow = TRUE;
      return G_MAXUINT64;
    }
  return r;
}

/* A tensor's bytes at the walk's batch, as allocated. */
static guint64
tensor_bytes (Walk         *walk,
              const Tensor *t)
{
  return round_block (walk, sum (walk, t->fixed, product (walk, t->per_sample, walk->batch)));
}

/* A new live tensor of @per_sample bytes per sample and @fixed bytes. */
static guint
allocate (Walk            *walk,
          EnvelopeStepTerm term,
          guint64          fixed,
          guint64          per_sample)
{
  Tensor *t;
  guint id;

  if (walk->n_dead > 0)
    id = walk->dead[--walk->n_dead];
  else
    {
      if (walk->n_tensors == walk->tensors_size)
        {
          walk->tensors_size *= 2;
          walk->tensors = g_renew (Tensor, walk->tensors, walk->tensors_size);
          walk->dead = g_renew (guint, walk->dead, walk->tensors_size);
        }
      id = walk->n_tensors++;
    }
  t = &walk->tensors[id];
  *t = (Tensor) { 0 };
  t->fixed = fixed;
  t->per_sample = per_sample;
  t->term = term;
  t->live = TRUE;
  t->refs = 1;
  walk->live[term] = sum (walk, walk->live[term], tensor_bytes (walk, t));
  walk->live_fixed = sum (walk, walk->live_fixed, fixed);
  walk->live_per_sample = sum (walk, walk->live_per_sample, per_sample);
  return id;
}

static Tensor *
tensor (Walk *walk,
        guint id)
{
  return &walk->tensors[id];
}

static void
release (Walk *walk,
         guint id)
{
  Tensor *t = tensor (walk, id);

  if (!t->live)
    return;
  t->live = FALSE;
  walk->live[t->term] -= tensor_bytes (walk, t);
  walk->live_fixed -= t->fixed;
  walk->live_per_sample -= t->per_sample;
  /* nothing holds it, reads it or will: a later tensor takes its entry,
   * so that a backward pass, which makes and frees a gradient or two a
   * layer, does not grow the array by a million entries */
  if (t->fwd_uses == 0 && t->saved_by == 0 && t->refs == 0 && !t->pinned)
    walk->dead[walk->n_dead++] = id;   /* fewer than the entries: it is one */
}

/* Freed once nothing reads it forward and no backward needs it. */
static void
maybe_free (Walk *walk,
            guint id)
{
  Tensor *t = tensor (walk, id);

  if (t->fwd_uses == 0 && t->saved_by == 0 && t->refs == 0 && !t->pinned)
    release (walk, id);
}

static void
save (Walk *walk,
      guint id)
{
  Tensor *t = tensor (walk, id);

  if (t->saved_by++ == 0 && t->live && t->term == ENVELOPE_STEP_BACKWARD_TRANSIENT)
    {
      guint64 bytes = tensor_bytes (walk, t);

      walk->live[ENVELOPE_STEP_BACKWARD_TRANSIENT] -= bytes;
      walk->live[ENVELOPE_STEP_SAVED_ACTIVATIONS] += bytes;
      t->term = ENVELOPE_STEP_SAVED_ACTIVATIONS;
    }
}

static void
unsave (Walk *walk,
        guint id)
{
  Tensor *t = tensor (walk, id);

  g_assert (t->saved_by > 0);
  if (--t->saved_by == 0 && t->live)
    {
      guint64 bytes = tensor_bytes (walk, t);

      walk->live[ENVELOPE_STEP_SAVED_ACTIVATIONS] -= bytes;
      walk->live[ENVELOPE_STEP_BACKWARD_TRANSIENT] += bytes;
      t->term = ENVELOPE_STEP_BACKWARD_TRANSIENT;
    }
  maybe_free (walk, id);
}

static void
unref (Walk *walk,
       guint id)
{
  Tensor *t = tensor (walk, id);

  g_assert (t->refs > 0);
  t->refs--;
  maybe_free (walk, id);
}

/* A moment of the step: compare it with the peak, and with the budget. */
static void
moment (Walk             *walk,
        EnvelopeStepPhase phase,
        gint              layer,
        guint64           transient)
{
  EnvelopeStepResult *result = walk->result;
  guint64 fixed = sum (walk, walk->live_fixed, transient);
  guint64 total = transient;
  EnvelopeStepPoint point;

  for (guint k = 0; k < ENVELOPE_N_STEP_TERMS; k++)
    total = sum (walk, total, walk->live[k]);
  /* the point is written out only when someone reads it */
  if (total > result->peak.total || result->peak.total == 0 || walk->func != NULL)
    {
      point.phase = phase;
      point.layer = layer;
      memcpy (point.bytes, walk->live, sizeof point.bytes);
      point.bytes[ENVELOPE_STEP_WORKSPACE] += transient;
      point.total = total;
    }
  if (total > result->peak.total || result->peak.total == 0)
    {
      result->peak = point;
      if (walk->budget == 0)
        {
          result->line_fixed = fixed;
          result->line_per_sample = walk->live_per_sample;
          result->line_phase = phase;
          result->line_layer = layer;
        }
    }
  if (walk->func != NULL)
    walk->func (&point, walk->user_data);

  if (walk->budget > 0 && walk->fits)
    {
      guint64 most = G_MAXUINT64;

      if (fixed > walk->budget)
        {
          walk->fits = FALSE;
          most = 0;
        }
      else if (walk->live_per_sample > 0)
        most = (walk->budget - fixed) / sum (walk, walk->live_per_sample, walk->live_per_sample / FRAGMENTATION);
      if (most < result->max_batch || result->line_per_sample == 0)
        {
          result->max_batch = MIN (result->max_batch, most);
          result->line_fixed = fixed;
          result->line_per_sample = walk->live_per_sample;
          result->line_phase = phase;
          result->line_layer = layer;
        }
    }
}

/* Bytes per value of a layer's output.  Under mixed precision
 * (autocast) activations are half precision, the batch stays fp32, and
 * softmax runs in fp32; token ids are int64. */
static guint
output_bytes (const EnvelopeTraining *training,
              EnvelopeLayerType       type,
              gboolean                embedded)
{
  guint b = envelope_dtype_get_bytes (training->dtype);

  if (type == ENVELOPE_LAYER_INPUT)
    return embedded ? 8 : (training->mixed_precision ? 4 : b);
  if (training->mixed_precision)
    return type == ENVELOPE_LAYER_SOFTMAX ? 4 : 2;
  return b;
}

/* Parameters as the allocator holds them: one block per weight and bias
 * tensor; batch norm's running statistics two more, and its step count. */
static guint64
tensor_blocks (Walk                       *walk,
               const EnvelopeLayerFigures *f,
               guint                       bytes,
               gboolean                    buffers)
{
  guint64 total = sum (walk, round_block (walk, product (walk, f->weights, bytes)),
                       round_block (walk, product (walk, f->biases, bytes)));

  if (buffers && f->non_trainable > 0)
    total = sum (walk, total, sum (walk, product (walk, 2, round_block (walk, product (walk, f->non_trainable / 2, bytes))), BLOCK));
  return total;
}

/* A layer's node as an analysis that is updated keeps it, with what it
 * adds to the network's sums. */
typedef struct
{
  Node node;
  guint64 param_blocks;      /* its parameters and buffers, as allocated */
  guint64 weight_copy;       /* autocast's half-precision copy of its weights */
  gboolean overflow;         /* a figure of its own overflowed */
} KeptNode;

struct _EnvelopeStepNodes
{
  guint8 *bytes;             /* per layer: bytes per output value */
  guint *consumers;          /* per layer: its readers */
  /* per layer, from the first update on: an edit in the app walks the
   * step twice and changes a layer or a few, so the nodes are worked
   * out once and the sums kept up from them; a network analysed once
   * (a report) reads its figures as it goes instead, without an array
   * as long as the network */
  KeptNode *kept;
  guint64 params;            /* bytes as allocated */
  guint64 trainable;         /* fp32 bytes of the trainable parameters, as allocated */
  guint64 weight_copies;     /* autocast's half-precision weights */
  gboolean uses_cublas;
  guint last;                /* the network's output */
  gboolean overflow;
};

/* What the walks read of layer @i; a figure that overflows sets the
 * walk's overflow. */
static void
read_node (Walk  *walk,
           guint  i,
           Node  *node)
{
  const EnvelopeLayerFigures *f = &walk->in->layers[i];
  const EnvelopeTraining *training = walk->in->training;
  const EnvelopeLayerKind *kind = envelope_layer_kind_get (f->type);
  guint act = training->mixed_precision ? 2 : envelope_dtype_get_bytes (training->dtype);

  node->inputs = f->inputs;
  node->n_inputs = f->n_inputs;
  node->activations = f->activations;
  node->saves = f->saves;
  node->type = f->type;
  node->bytes = walk->bytes[i];
  /* in place: an activation whose derivative reads its output (one
   * that reads its input keeps a copy: a new tensor either way), or
   * a residual add, written "+=" */
  node->in_place = (kind->category == ENVELOPE_CATEGORY_ACTIVATION && kind->in_place &&
                    !(f->saves & ENVELOPE_SAVES_INPUT)) || f->type == ENVELOPE_LAYER_ADD;
  node->needs_params = f->trainable > 0 || f->shares >= 0;
  node->grad_bytes = f->trainable > 0 ? tensor_blocks (walk, f, 4, FALSE) : 0;
  node->held = node->extra_fixed = node->extra_per_sample = 0;
  if (f->internal > 0)
    node->held = product (walk, f->internal, act);
  if (G_LIKELY (!(f->saves & (ENVELOPE_SAVES_INDICES | ENVELOPE_SAVES_MASK | ENVELOPE_SAVES_CHANNEL_STATISTICS |
                              ENVELOPE_SAVES_POSITION_STATISTICS | ENVELOPE_SAVES_HELD))))
    return;
  /* max pooling makes its int64 indices on the GPU even when nothing
   * keeps them */
  if (f->saves & ENVELOPE_SAVES_INDICES)
    node->held = sum (walk, node->held, product (walk, f->activations, 8));
  if (f->saves & ENVELOPE_SAVES_MASK)
    node->extra_per_sample = sum (walk, node->extra_per_sample, f->activations);
  if (f->saves & ENVELOPE_SAVES_INDICES)
    node->extra_per_sample = sum (walk, node->extra_per_sample, product (walk, f->activations, 8));
  if (f->saves & ENVELOPE_SAVES_CHANNEL_STATISTICS)
    node->extra_fixed = sum (walk, node->extra_fixed, product (walk, f->rank > 0 ? f->shape[0] : 1, 8));
  if (f->saves & ENVELOPE_SAVES_POSITION_STATISTICS)
    {
      guint64 features = f->layout == ENVELOPE_TENSOR_TOKENS ? f->shape[1] : f->shape[0];
      node->extra_per_sample = sum (walk, node->extra_per_sample,
                                    product (walk, features > 0 ? f->activations / features : 0, 8));
    }
  if (f->saves & ENVELOPE_SAVES_HELD)
    node->extra_per_sample = sum (walk, node->extra_per_sample,
                                  product (walk, walk->in->held != NULL && walk->in->held[i].saved > 0 ? walk->in->held[i].saved : f->internal, act));
}

/* What layer @f adds to the network's sums besides its gradients: its
 * parameters and buffers as allocated, and autocast's half-precision
 * copy of its weights, which the layers keep for their backward. */
static void
parameter_blocks (Walk                       *walk,
                  const EnvelopeLayerFigures *f,
                  guint64                    *params,
                  guint64                    *weight_copy)
{
  const EnvelopeTraining *training = walk->in->training;

  *params = tensor_blocks (walk, f, training->mixed_precision ? 4 : envelope_dtype_get_bytes (training->dtype), TRUE);
  *weight_copy = 0;
  if (training->mixed_precision && f->saves & (ENVELOPE_SAVES_INPUT | ENVELOPE_SAVES_INPUTS))
    *weight_copy = round_block (walk, product (walk, f->weights, 2));
}

static gboolean
node_uses_cublas (const Node *node)
{
  return (node->saves & ENVELOPE_SAVES_HELD) || node->type == ENVELOPE_LAYER_DENSE || node->type == ENVELOPE_LAYER_MATMUL;
}

/* Layer @i's node and what it adds to the network's sums, into @kept;
 * @prepared's bytes per output value are read only by the walks. */
static void
work_out_node (const EnvelopeStepNodes *prepared,
               const EnvelopeStepInput *in,
               guint                    i,
               KeptNode                *kept)
{
  Walk walk = { 0 };

  walk.in = in;
  walk.bytes = prepared->bytes;
  read_node (&walk, i, &kept->node);
  parameter_blocks (&walk, &in->layers[i], &kept->param_blocks, &kept->weight_copy);
  kept->overflow = walk.overflow;
}

/* The network's sums, made in a local and stored once */
typedef struct
{
  Walk walk;                 /* its overflow: a figure that overflows anywhere makes every walk fail */
  guint64 params;
  guint64 trainable;
  guint64 weight_copies;
  gboolean cublas;
} Sums;

static inline void
add_to_sums (Sums           *sums,
             const KeptNode *kept)
{
  sums->walk.overflow |= kept->overflow;
  sums->params = sum (&sums->walk, sums->params, kept->param_blocks);
  sums->trainable = sum (&sums->walk, sums->trainable, kept->node.grad_bytes);
  sums->weight_copies = sum (&sums->walk, sums->weight_copies, kept->weight_copy);
  sums->cublas |= node_uses_cublas (&kept->node);
}

static void
store_sums (EnvelopeStepNodes *prepared,
            const Sums        *sums)
{
  prepared->params = sums->params;
  prepared->trainable = sums->trainable;
  prepared->weight_copies = sums->weight_copies;
  prepared->uses_cublas = sums->cublas;
  prepared->overflow = sums->walk.overflow;
}

/* What every walk reads of the network as a whole: each layer's readers
 * and bytes per output value, the network's output, and its sums. */
static void
gather (EnvelopeStepNodes       *prepared,
        const EnvelopeStepInput *in)
{
  guint n = in->n_layers;
  guint last = n > 0 ? n - 1 : 0;
  Sums sums = { 0 };

  memset (prepared->consumers, 0, MAX (n, 1) * sizeof (guint));
  memset (prepared->bytes, 0, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      const EnvelopeLayerFigures *f = &in->layers[i];
      KeptNode node;

      for (guint k = 0; k < f->n_inputs; k++)
        {
          prepared->consumers[f->inputs[k]]++;
          /* read by an embedding: token ids */
          if (f->type == ENVELOPE_LAYER_EMBEDDING)
            prepared->bytes[f->inputs[k]] = 1;
        }
      work_out_node (prepared, in, i, &node);
      add_to_sums (&sums, &node);
    }
  store_sums (prepared, &sums);
  for (guint i = 0; i < n; i++)
    prepared->bytes[i] = (guint8) output_bytes (in->training, in->layers[i].type, prepared->bytes[i]);
  /* the network's output: the last layer nothing reads */
  for (guint i = n; i > 0; i--)
    if (prepared->consumers[i - 1] == 0)
      {
        last = i - 1;
        break;
      }
  prepared->last = last;
}

/* Layer @i's node for a walk: the one an updated analysis keeps, or
 * worked out of its figures into @scratch. */
static const Node *
walk_node (Walk                    *walk,
           const EnvelopeStepNodes *prepared,
           guint                    i,
           Node                    *scratch)
{
  if (prepared->kept != NULL)
    return &prepared->kept[i].node;
  read_node (walk, i, scratch);
  return scratch;
}

/* Gathers what every walk reads of the network, once per analysis. */
EnvelopeStepNodes *
envelope_step_nodes_new (const EnvelopeStepInput *in)
{
  EnvelopeStepNodes *prepared = g_new0 (EnvelopeStepNodes, 1);

  prepared->bytes = g_new (guint8, MAX (in->n_layers, 1));
  prepared->consumers = g_new (guint, MAX (in->n_layers, 1));
  gather (prepared, in);
  return prepared;
}

/* Layers @layers of @in have new figures, the network's structure and
 * training as they were: their nodes worked out again (every node, the
 * first time), and the sums made from the nodes. */
void
envelope_step_nodes_update (EnvelopeStepNodes       *prepared,
                            const EnvelopeStepInput *in,
                            const guint             *layers,
                            guint                    n_layers)
{
  Sums sums = { 0 };

  g_return_if_fail (prepared != NULL);

  if (prepared->kept == NULL)
    {
      prepared->kept = g_new (KeptNode, MAX (in->n_layers, 1));
      for (guint i = 0; i < in->n_layers; i++)
        work_out_node (prepared, in, i, &prepared->kept[i]);
    }
  else
    for (guint k = 0; k < n_layers; k++)
      {
        g_assert (layers[k] < in->n_layers);
        work_out_node (prepared, in, layers[k], &prepared->kept[layers[k]]);
      }

  for (guint i = 0; i < in->n_layers; i++)
    add_to_sums (&sums, &prepared->kept[i]);
  store_sums (prepared, &sums);
}

void
envelope_step_nodes_free (EnvelopeStepNodes *prepared)
{
  if (prepared == NULL)
    return;
  g_free (prepared->bytes);
  g_free (prepared->consumers);
  g_free (prepared->kept);
  g_free (prepared);
}

gboolean
envelope_step_simulate (const EnvelopeStepInput *in,
                        guint64                  batch,
                        gboolean                 inference,
                        guint64                  budget,
                        EnvelopeStepResult      *result,
                        EnvelopeStepFunc         func,
                        gpointer                 user_data,
                        GError                 **error)
{
  const EnvelopeTraining *training = in->training;
  guint n = in->n_layers;
  g_autofree guint *storage = g_new (guint, n);       /* layer → its output's tensor */
  g_autofree guint8 *needs_grad = g_new0 (guint8, n);
  g_autofree guint *saved_first = g_new (guint, n + 1); /* layer → its saved tensors in saved_list */
  g_autoptr(GArray) saved_list = g_array_new (FALSE, FALSE, sizeof (guint));
  guint *grad;                /* layer → its output's gradient, or G_MAXUINT: storage's memory, which the backward pass no longer reads */
  /* checkpointed segments: what their forward would have saved, kept as
   * a line in the batch; the tensors their checkpoint keeps (the
   * segment's inputs from outside it); the recomputed tensors in the
   * backward pass */
  guint n_segments = in->segment != NULL ? in->n_segments : 0;
  g_autofree guint64 *segment_fixed = g_new0 (guint64, n_segments + 1);
  g_autofree guint64 *segment_per_sample = g_new0 (guint64, n_segments + 1);
  g_autofree guint *segment_first = g_new (guint, n_segments + 1);
  g_autofree guint *recomputed = g_new (guint, n_segments + 1);
  g_autoptr(GArray) segment_inputs = g_array_new (FALSE, FALSE, sizeof (guint) * 2);   /* (segment, tensor) */
  Walk walk = { 0 };
  guint64 state = 0;
  guint slots = envelope_optimizer_get_slots (training->optimizer);
  guint copies = G_MAXUINT;
  g_autoptr(EnvelopeStepNodes) own = in->nodes == NULL ? envelope_step_nodes_new (in) : NULL;
  const EnvelopeStepNodes *prepared = in->nodes != NULL ? in->nodes : own;
  const guint *consumers = prepared->consumers;
  guint64 params = prepared->params, trainable = prepared->trainable;
  guint64 weight_copies = inference ? 0 : prepared->weight_copies;
  gboolean uses_cublas = prepared->uses_cublas;
  guint last = prepared->last;

  memset (result, 0, sizeof *result);
  result->max_batch = G_MAXUINT64;
  /* a moment before any layer is named after none */
  result->peak.layer = result->line_layer = -1;
  walk.in = in;
  walk.bytes = prepared->bytes;
  walk.batch = batch;
  walk.budget = budget;
  walk.result = result;
  walk.func = func;
  walk.user_data = user_data;
  walk.fits = TRUE;
  walk.tensors_size = 2 * n + 8;
  walk.tensors = envelope_alloc_large (walk.tensors_size * sizeof (Tensor));
  walk.dead = envelope_alloc_large (walk.tensors_size * sizeof (guint));
  walk.overflow = prepared->overflow;

  /* fixed terms: parameters, optimizer state, workspaces, the context */
  walk.live[ENVELOPE_STEP_PARAMETERS] = params;
  walk.live_fixed = params;
  if (!inference)
    {
      state = product (&walk, trainable, slots);
      walk.live[ENVELOPE_STEP_OPTIMIZER_STATE] = state;
      walk.live_fixed = sum (&walk, walk.live_fixed, state);
    }
  if (uses_cublas)
    {
      walk.live[ENVELOPE_STEP_WORKSPACE] = CUBLAS_WORKSPACE;
      walk.live_fixed = sum (&walk, walk.live_fixed, CUBLAS_WORKSPACE);
    }
  walk.live[ENVELOPE_STEP_CONTEXT] = training->context_memory;
  walk.live_fixed = sum (&walk, walk.live_fixed, training->context_memory);

  /* autocast's half-precision copies of the weights, kept by the layers
   * that read them until their backward; counted for the whole step */
  if (weight_copies > 0)
    {
      copies = allocate (&walk, ENVELOPE_STEP_SAVED_ACTIVATIONS, weight_copies, 0);
      tensor (&walk, copies)->refs = 0;
      tensor (&walk, copies)->saved_by = 1;
    }

  for (guint k = 0; k < n_segments; k++)
    {
      segment_first[k] = G_MAXUINT;
      recomputed[k] = G_MAXUINT;
    }
  for (guint i = 0; i < n && n_segments > 0; i++)
    if (in->segment[i] < n_segments && segment_first[in->segment[i]] == G_MAXUINT)
      segment_first[in->segment[i]] = i;

  /* ---- forward ---- */
  for (guint i = 0; i < n; i++)
    {
      Node node;
      const Node *f = walk_node (&walk, prepared, i, &node);
      EnvelopeLayerType type = f->type;
      guint saves = f->saves;
      gboolean grad_in = FALSE, reuse = FALSE;
      guint64 per_sample = product (&walk, f->activations, f->bytes);
      guint first = f->n_inputs > 0 ? storage[f->inputs[0]] : G_MAXUINT;

      for (guint k = 0; k < f->n_inputs; k++)
        grad_in |= needs_grad[f->inputs[k]];
      needs_grad[i] = !inference && (grad_in || f->needs_params);
      saved_first[i] = saved_list->len;

      if (inference && (type == ENVELOPE_LAYER_DROPOUT || type == ENVELOPE_LAYER_STOCHASTIC_DEPTH))
        saves |= ENVELOPE_SAVES_VIEW;
      if (first != G_MAXUINT)
        {
          const Tensor *source = tensor (&walk, first);
          /* in place over an input nothing else reads and no backward needs */
          reuse = (saves & ENVELOPE_SAVES_VIEW) ||
                  (f->in_place && source->fwd_uses == 1 && source->saved_by == 0 && !source->pinned &&
                   source->per_sample == per_sample && source->fixed == 0);
        }

      if (reuse)
        storage[i] = first;
      else
        {
          storage[i] = allocate (&walk, ENVELOPE_STEP_BACKWARD_TRANSIENT, 0, per_sample);
          tensor (&walk, storage[i])->refs = 0;
          tensor (&walk, storage[i])->pinned = type == ENVELOPE_LAYER_INPUT;
        }
      tensor (&walk, storage[i])->fwd_uses += consumers[i] + (i == last ? 1 : 0);

      if (needs_grad[i])
        {
          guint extra = G_MAXUINT;

          if (saves & ENVELOPE_SAVES_INPUTS)
            for (guint k = 0; k < f->n_inputs; k++)
              g_array_append_val (saved_list, storage[f->inputs[k]]);
          else if (saves & ENVELOPE_SAVES_INPUT && first != G_MAXUINT)
            g_array_append_val (saved_list, first);
          if (saves & ENVELOPE_SAVES_OUTPUT)
            g_array_append_val (saved_list, storage[i]);
          if (f->extra_fixed > 0 || f->extra_per_sample > 0)
            {
              extra = allocate (&walk, ENVELOPE_STEP_SAVED_ACTIVATIONS, f->extra_fixed, f->extra_per_sample);
              tensor (&walk, extra)->refs = 0;
              g_array_append_val (saved_list, extra);
            }
          if (n_segments > 0 && in->segment[i] < n_segments)
            {
              /* checkpointed: nothing is kept but the segment's inputs
               * from outside it; what would have been is counted, once
               * per tensor, for the recomputation */
              guint seg = in->segment[i];

              for (guint k = 0; k < f->n_inputs; k++)
                if (in->segment[f->inputs[k]] != seg)
                  {
                    guint pair[2] = { seg, storage[f->inputs[k]] };
                    g_array_append_val (segment_inputs, pair);
                    save (&walk, storage[f->inputs[k]]);
                  }
              for (guint k = saved_first[i]; k < saved_list->len; k++)
                {
                  guint id = g_array_index (saved_list, guint, k);
                  Tensor *t = tensor (&walk, id);

                  if (t->mark == seg + 1 || (t->term == ENVELOPE_STEP_SAVED_ACTIVATIONS && t->saved_by > 0 && id != extra))
                    continue;
                  t->mark = seg + 1;
                  segment_fixed[seg] = sum (&walk, segment_fixed[seg], t->fixed);
                  segment_per_sample[seg] = sum (&walk, segment_per_sample[seg], t->per_sample);
                }
              if (extra != G_MAXUINT)
                release (&walk, extra);
              g_array_set_size (saved_list, saved_first[i]);
            }
          for (guint k = saved_first[i]; k < saved_list->len; k++)
            save (&walk, g_array_index (saved_list, guint, k));
        }
      moment (&walk, ENVELOPE_STEP_FORWARD, (gint) i, inference && f->held > 0 ? product (&walk, f->held, batch) : 0);

      for (guint k = 0; k < f->n_inputs; k++)
        {
          Tensor *t = tensor (&walk, storage[f->inputs[k]]);
          if (t->fwd_uses > 0)
            t->fwd_uses--;
          maybe_free (&walk, storage[f->inputs[k]]);
        }
    }
  saved_first[n] = saved_list->len;

  if (n == 0)
    moment (&walk, ENVELOPE_STEP_FORWARD, -1, 0);
  if (inference || n == 0)
    goto done;

  /* ---- loss: cross-entropy keeps log-softmax's output (fp32) and the
   * targets (int64); a network that ends in softmax already kept it ---- */
  {
    const EnvelopeLayerFigures *out = &in->layers[last];
    guint64 features = out->rank == 0 ? 1 : out->layout == ENVELOPE_TENSOR_TOKENS ? out->shape[1] : out->shape[0];
    guint64 rows = features > 0 && out->rank >= 2 && out->layout == ENVELOPE_TENSOR_TOKENS ? out->activations / features : 1;
    /* the targets, one per sample or per token of a sequence, and the
     * loss's total weight, which the loss keeps */
    guint target = allocate (&walk, ENVELOPE_STEP_BACKWARD_TRANSIENT, 4, product (&walk, rows, 8));

    tensor (&walk, target)->pinned = TRUE;
    if (needs_grad[last])
      save (&walk, target);
    if (in->layers[last].type != ENVELOPE_LAYER_SOFTMAX && needs_grad[last])
      {
        guint logp = allocate (&walk, ENVELOPE_STEP_SAVED_ACTIVATIONS, 0, product (&walk, in->layers[last].activations, 4));
        tensor (&walk, logp)->refs = 0;
        tensor (&walk, logp)->saved_by = 1;
        g_array_append_val (saved_list, logp);
      }
    result->saved = walk.live[ENVELOPE_STEP_SAVED_ACTIVATIONS];
    {
      guint64 exact = 0;
      for (guint k = 0; k < walk.n_tensors; k++)
        {
          const Tensor *t = tensor (&walk, k);
          if (t->live && t->term == ENVELOPE_STEP_SAVED_ACTIVATIONS)
            exact = sum (&walk, exact, sum (&walk, t->fixed, product (&walk, t->per_sample, batch)));
        }
      result->saved_exact = exact;
    }
    moment (&walk, ENVELOPE_STEP_LOSS, -1, 0);
    {
      Tensor *t = tensor (&walk, storage[last]);
      if (t->fwd_uses > 0)
        t->fwd_uses--;
      maybe_free (&walk, storage[last]);
    }
  }

  /* ---- backward, layer by layer in reverse ---- */
  grad = storage;
  for (guint i = 0; i < n; i++)
    grad[i] = G_MAXUINT;
  grad[last] = allocate (&walk, ENVELOPE_STEP_BACKWARD_TRANSIENT, 0,
                         product (&walk, in->layers[last].activations, walk.bytes[last]));
  for (guint k = saved_first[n]; k < saved_list->len; k++)
    unsave (&walk, g_array_index (saved_list, guint, k));

  for (guint end = n; end > 0; end--)
    {
      guint i = end - 1;
      Node node;
      const Node *f = walk_node (&walk, prepared, i, &node);
      guint g = grad[i];

      if (n_segments > 0 && in->segment[i] < n_segments && recomputed[in->segment[i]] == G_MAXUINT)
        {
          /* the segment's forward runs again, keeping what its backward reads */
          guint seg = in->segment[i];

          recomputed[seg] = allocate (&walk, ENVELOPE_STEP_SAVED_ACTIVATIONS, segment_fixed[seg], segment_per_sample[seg]);
          tensor (&walk, recomputed[seg])->refs = 0;
          tensor (&walk, recomputed[seg])->saved_by = 1;
        }
      if (g != G_MAXUINT && needs_grad[i])
        {
          for (guint k = 0; k < f->n_inputs; k++)
            {
              guint source = f->inputs[k];
              guint gi;

              if (!needs_grad[source])
                continue;
              if (f->saves & (ENVELOPE_SAVES_GRADIENT_PASSES | ENVELOPE_SAVES_VIEW))
                {
                  gi = g;
                  tensor (&walk, g)->refs++;
                }
              else
                gi = allocate (&walk, ENVELOPE_STEP_BACKWARD_TRANSIENT, 0,
                               product (&walk, in->layers[source].activations, walk.bytes[source]));
              if (grad[source] == G_MAXUINT)
                grad[source] = gi;
              else if (tensor (&walk, grad[source])->refs == 1 && gi != grad[source])
                unref (&walk, gi);           /* added in place */
              else
                {
                  guint total = allocate (&walk, ENVELOPE_STEP_BACKWARD_TRANSIENT, 0,
                                          tensor (&walk, gi)->per_sample);
                  unref (&walk, grad[source]);
                  unref (&walk, gi);
                  grad[source] = total;
                }
            }
          if (f->grad_bytes > 0)
            {
              walk.live[ENVELOPE_STEP_GRADIENTS] = sum (&walk, walk.live[ENVELOPE_STEP_GRADIENTS], f->grad_bytes);
              walk.live_fixed = sum (&walk, walk.live_fixed, f->grad_bytes);
            }
          moment (&walk, ENVELOPE_STEP_BACKWARD, (gint) i, 0);
        }
      if (g != G_MAXUINT)
        {
          grad[i] = G_MAXUINT;
          unref (&walk, g);
        }
      for (guint k = saved_first[i]; k < saved_first[i + 1]; k++)
        unsave (&walk, g_array_index (saved_list, guint, k));
      if (n_segments > 0 && in->segment[i] < n_segments && segment_first[in->segment[i]] == i)
        {
          guint seg = in->segment[i];

          unsave (&walk, recomputed[seg]);
          for (guint k = 0; k < segment_inputs->len; k++)
            {
              guint *pair = &g_array_index (segment_inputs, guint, 2 * k);
              if (pair[0] == seg)
                unsave (&walk, pair[1]);
            }
        }
    }
  if (copies != G_MAXUINT)
    unsave (&walk, copies);

  /* ---- optimizer: Adam's foreach step makes one parameter-sized
   * temporary (the square root of the second moment) ---- */
  moment (&walk, ENVELOPE_STEP_OPTIMIZER, -1,
          training->optimizer == ENVELOPE_OPTIMIZER_ADAM || training->optimizer == ENVELOPE_OPTIMIZER_ADAMW
            ? trainable : 0);

done:
  g_free (walk.tensors);
  g_free (walk.dead);
  if (walk.overflow)
    {
      g_set_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW,
                   _("The network's %s overflow 64 bits"), _("training-step bytes"));
      return FALSE;
    }
  if (budget > 0 && !walk.fits)
    result->max_batch = 0;
  if (result->max_batch == G_MAXUINT64)
    result->max_batch = 0;
  return TRUE;
}
