/* envelope-analysis.c: one pass over the layers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-analysis"

#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "envelope-i18n-private.h"
#include "envelope-analysis-private.h"
#include "envelope-devices.h"
#include "envelope-error-private.h"
#include "envelope-format.h"
#include "envelope-groups.h"

G_DEFINE_QUARK (envelope-analysis-error-quark, envelope_analysis_error)

/* the figures keep a layer's kind in a byte */
G_STATIC_ASSERT (ENVELOPE_N_LAYER_TYPES <= 256);

struct _EnvelopeAnalysis
{
  const EnvelopeNetwork *network;   /* borrowed: it must outlive the analysis */
  EnvelopeTraining training;
  guint n_layers;
  EnvelopeLayerFigures *layers;
  guint8 *failed;            /* a partial analysis: the layers whose settings are wrong */
  gboolean any_shares;       /* a layer uses another's parameters */
  guint *consumer_offsets;   /* who reads each layer, gathered for the first update */
  guint *consumers;
  guint *buffer;             /* the updates' copy of compute_peak()'s walk: each layer's buffer, */
  guint *last_use;           /* … each buffer's last reader, */
  guint64 *live;             /* … the live activations at each layer, */
  guint64 *during;           /* … and with what the layer holds inside while it runs */
  GArray *changed;           /* the layers the last update gave new figures, or NULL */
  guint *offsets;
  guint *indices;
  EnvelopeHeldValues *held;  /* per layer, or NULL while no layer holds any */
  guint64 input_extent[ENVELOPE_MAX_SPATIAL];
  EnvelopeTotals totals;
  EnvelopeMemory memory;
  EnvelopeFit fit;
  EnvelopeStepNodes *step_nodes;   /* what the PyTorch model's walks read of the layers */
  guint64 lecture_fixed;     /* the lecture's train(B) = fixed + B × per sample */
  guint64 lecture_per_sample;
  EnvelopeStepPhase pytorch_line_phase;    /* the moment that bounds the batch */
  gint pytorch_line_layer;
  EnvelopeUnits units;       /* of the sizes the explanations give */
  gboolean partial;          /* a bad layer stops only the layers that read it */
  GError *layer_error;       /* … the first bad layer's error, in file order */
  EnvelopeErrorLocation error_location;
  guint n_analysed;
  EnvelopeGroups *groups[2]; /* made on request: ENVELOPE_GROUPS_DEFAULT's, then _RUNS' */
};

static const struct { const char *key; const char *label; } figure_names[ENVELOPE_N_FIGURES] = {
  { "output_shape", N_("output") },
  { "weights", N_("weights") },
  { "biases", N_("biases") },
  { "non_trainable", N_("non-trainable") },
  { "params", N_("parameters") },
  { "macs", N_("MACs") },
  { "other_ops", N_("other ops") },
  { "activations", N_("activations") },
  { "workspace", N_("workspace") },
  { "receptive_field", N_("receptive field") },
  { "jump", N_("jump") },
  { "start", N_("start") },
};

static const struct { const char *key; const char *label; } memory_names[ENVELOPE_N_MEMORY_TERMS] = {
  { "parameters", N_("parameters") },
  { "gradients", N_("parameter gradients") },
  { "optimizer_state", N_("optimizer state") },
  { "layer_outputs", N_("layer outputs") },
  { "error_signals", N_("error signals") },
  { "workspace", N_("workspace") },
};

const char *
envelope_figure_get_key (EnvelopeFigure figure)
{
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);
  return figure_names[figure].key;
}

const char *
envelope_figure_get_label (EnvelopeFigure figure)
{
  g_return_val_if_fail (figure < ENVELOPE_N_FIGURES, NULL);
  return _(figure_names[figure].label);
}

const char *
envelope_memory_term_get_key (EnvelopeMemoryTerm term)
{
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);
  return memory_names[term].key;
}

const char *
envelope_memory_term_get_label (EnvelopeMemoryTerm term)
{
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);
  return _(memory_names[term].label);
}

static gboolean
network_overflow (GError    **error,
                  const char *what)
{
  g_set_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_OVERFLOW,
               _("The network's %s overflow 64 bits"), what);
  return FALSE;
}

#define ADD_OR_FAIL(sum, value, what) \
  G_STMT_START { if (!g_uint64_checked_add (&(sum), (sum), (value))) return network_overflow (error, what); } G_STMT_END
#define MUL_OR_FAIL(dest, a, b, what) \
  G_STMT_START { if (!g_uint64_checked_mul (&(dest), (a), (b))) return network_overflow (error, what); } G_STMT_END

static void
setup_inference (const EnvelopeAnalysis     *analysis,
                 guint                       i,
                 const EnvelopeLayerFigures **inputs,
                 EnvelopeInference          *inf)
{
  guint first = analysis->offsets[i];
  guint n_inputs = analysis->offsets[i + 1] - first;

  for (guint k = 0; k < n_inputs; k++)
    inputs[k] = &analysis->layers[analysis->indices[first + k]];
  inf->layer = g_ptr_array_index (analysis->network->layers, i);
  inf->index = i;
  inf->inputs = inputs;
  inf->n_inputs = n_inputs;
  memcpy (inf->input_extent, analysis->input_extent, sizeof inf->input_extent);
}

/* Which buffer each layer writes and the last layer that reads each
 * buffer (COST-MODEL.md): an activation or dropout whose input has no
 * other reader overwrites that input.  How many read layer i is
 * @readers[i], or, with @prefix, @readers[i + 1] − @readers[i]. */
static void
assign_buffers (const EnvelopeAnalysis *analysis,
                const guint            *readers,
                gboolean                prefix,
                guint                  *buffer,
                guint                  *last_use)
{
  guint n = analysis->n_layers;

  for (guint i = 0; i < n; i++)
    {
      guint n_inputs = analysis->offsets[i + 1] - analysis->offsets[i];

      buffer[i] = i;
      last_use[i] = i;
      /* the kind from the figures: reading the layers again is a pass
       * over memory scattered through the heap */
      if (n_inputs == 1 && envelope_layer_kind_get (analysis->layers[i].type)->in_place)
        {
          guint source = analysis->indices[analysis->offsets[i]];
          guint n_readers = prefix ? readers[source + 1] - readers[source] : readers[source];

          if (n_readers == 1)
            buffer[i] = buffer[source];
        }
    }
  for (guint i = 0; i < n; i++)
    {
      for (guint k = analysis->offsets[i]; k < analysis->offsets[i + 1]; k++)
        {
          guint b = buffer[analysis->indices[k]];
          last_use[b] = MAX (last_use[b], i);
        }
      last_use[buffer[i]] = MAX (last_use[buffer[i]], i);
    }
}

/* Peak live activations with buffer reuse (COST-MODEL.md): a tensor
 * lives from its producer to its last consumer, and an activation or
 * dropout whose input has no other consumer overwrites that input. */
static gboolean
compute_peak (EnvelopeAnalysis *analysis,
              GError          **error)
{
  guint n = analysis->n_layers;
  g_autofree guint *consumers = g_new0 (guint, n);
  g_autofree guint *buffer = g_new (guint, n);      /* layer → buffer (the layer that allocated it) */
  g_autofree guint *last_use = g_new (guint, n);    /* buffer → last layer that reads or aliases it */
  guint64 live = 0, peak = 0;

  for (guint i = 0; i < n; i++)
    for (guint k = analysis->offsets[i]; k < analysis->offsets[i + 1]; k++)
      consumers[analysis->indices[k]]++;

  assign_buffers (analysis, consumers, FALSE, buffer, last_use);

  /* Buffers are freed after their last use; walk that order with a
   * per-step list of what to free. */
  {
    g_autofree guint *free_count = g_new0 (guint, n + 1);
    g_autofree guint *free_list = g_new (guint, n);
    g_autofree guint *cursor = NULL;

    for (guint i = 0; i < n; i++)
      if (buffer[i] == i)
        free_count[last_use[i] + 1]++;
    for (guint i = 1; i <= n; i++)
      free_count[i] += free_count[i - 1];
    cursor = g_memdup2 (free_count, (n + 1) * sizeof (guint));
    for (guint i = 0; i < n; i++)
      if (buffer[i] == i)
        free_list[cursor[last_use[i]]++] = i;

    for (guint i = 0; i < n; i++)
      {
        guint64 during;

        if (buffer[i] == i)
          ADD_OR_FAIL (live, analysis->layers[i].activations, _("live activations"));
        /* what a layer holds inside (attention's scores) lives while it runs */
        during = live;
        ADD_OR_FAIL (during, analysis->layers[i].internal, _("live activations"));
        peak = MAX (peak, during);
        for (guint k = free_count[i]; k < free_count[i + 1]; k++)
          live -= analysis->layers[free_list[k]].activations;
      }
  }
  analysis->totals.activations_peak = peak;
  return TRUE;
}

/* Generating text: the weights, each causal attention layer's keys and
 * values for every token so far, and the live activations of the tokens
 * being run (the whole prompt in the prefill, one token per sequence in
 * the decode).  Activations per token are the inference walk's, divided
 * by the network's own sequence length. */
static gboolean
compute_generation (EnvelopeAnalysis *analysis,
                    guint64           budget,
                    GError          **error)
{
  const EnvelopeTraining *training = &analysis->training;
  EnvelopeMemory *m = &analysis->memory;
  typeof (m->generation) *g = &m->generation;
  guint64 tokens_in_file = 0, cache_values = 0, total_tokens, fixed, tmp, per_sequence, decode_need, token;
  guint kv_bytes = envelope_dtype_get_bytes (training->kv_cache);

  memset (g, 0, sizeof *g);
  g->prompt = training->prompt_tokens;
  g->generated = training->new_tokens;
  g->kv_cache = training->kv_cache;
  if (g->prompt + g->generated == 0)
    return TRUE;

  for (guint i = 0; i < analysis->n_layers; i++)
    {
      const EnvelopeLayerFigures *f = &analysis->layers[i];

      if (f->type == ENVELOPE_LAYER_INPUT && tokens_in_file == 0 && f->rank >= 1 &&
          (f->rank == 1 || f->layout == ENVELOPE_TENSOR_TOKENS))
        tokens_in_file = f->shape[0];
      if (analysis->held != NULL && analysis->held[i].cache > 0)
        {
          g->cache_layers++;
          ADD_OR_FAIL (cache_values, analysis->held[i].cache, _("cache bytes"));
        }
    }
  if (tokens_in_file == 0)
    tokens_in_file = 1;

  total_tokens = g->prompt + g->generated;
  MUL_OR_FAIL (g->cache_per_token, cache_values, kv_bytes, _("cache bytes"));
  MUL_OR_FAIL (tmp, g->cache_per_token, total_tokens, _("cache bytes"));
  MUL_OR_FAIL (g->cache, tmp, training->batch, _("cache bytes"));
  g->weights = m->test.parameters;
  g->activations_per_token = m->pytorch.inference_activations / MAX (training->batch, 1) / tokens_in_file;
  MUL_OR_FAIL (tmp, g->activations_per_token, MAX (g->prompt, 1), _("activation bytes"));
  MUL_OR_FAIL (g->prefill_activations, tmp, training->batch, _("activation bytes"));
  MUL_OR_FAIL (g->decode_activations, g->activations_per_token, training->batch, _("activation bytes"));

  fixed = g->weights;
  if (training->memory_model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    ADD_OR_FAIL (fixed, training->context_memory, _("generation bytes"));
  MUL_OR_FAIL (tmp, g->cache_per_token, g->prompt, _("cache bytes"));
  MUL_OR_FAIL (tmp, tmp, training->batch, _("cache bytes"));
  g->prefill_total = fixed;
  ADD_OR_FAIL (g->prefill_total, tmp, _("generation bytes"));
  ADD_OR_FAIL (g->prefill_total, g->prefill_activations, _("generation bytes"));
  g->decode_total = fixed;
  ADD_OR_FAIL (g->decode_total, g->cache, _("generation bytes"));
  ADD_OR_FAIL (g->decode_total, g->decode_activations, _("generation bytes"));

  if (budget == 0)
    return TRUE;
  /* one sequence needs the larger of its prefill and its last decode step */
  token = g->cache_per_token;
  ADD_OR_FAIL (token, g->activations_per_token, _("generation bytes"));
  MUL_OR_FAIL (per_sequence, token, MAX (g->prompt, 1), _("generation bytes"));
  MUL_OR_FAIL (decode_need, g->cache_per_token, total_tokens, _("generation bytes"));
  ADD_OR_FAIL (decode_need, g->activations_per_token, _("generation bytes"));
  per_sequence = MAX (per_sequence, decode_need);
  if (budget > fixed && per_sequence > 0)
    g->max_batch = (budget - fixed) / per_sequence;
  /* the longest context whose prefill (the worst case: all of it prompt)
   * and decode fit at the batch */
  if (budget > fixed)
    {
      guint64 per_token;
      MUL_OR_FAIL (per_token, token, MAX (training->batch, 1), _("generation bytes"));
      if (per_token > 0)
        g->max_context = (budget - fixed) / per_token;
    }
  return TRUE;
}

/* What every walk of the PyTorch model reads, gathered from the figures
 * on a second thread for a long network while this one walks the
 * lecture model's peak: two passes that read the figures and write
 * nothing they share. */
#define STEP_NODES_THREAD_LEAST 100000

static gpointer
make_step_nodes (gpointer data)
{
  EnvelopeStepInput input;

  envelope_analysis_get_step_input (data, &input);
  return envelope_step_nodes_new (&input);
}

static gboolean
compute_peak_and_step_nodes (EnvelopeAnalysis *analysis,
                             GError          **error)
{
  GThread *thread;
  gboolean ok;

  if (analysis->n_layers < STEP_NODES_THREAD_LEAST || g_get_num_processors () < 2)
    {
      if (!compute_peak (analysis, error))
        return FALSE;
      analysis->step_nodes = make_step_nodes (analysis);
      return TRUE;
    }
  thread = g_thread_new ("envelope-nodes", make_step_nodes, analysis);
  ok = compute_peak (analysis, error);
  analysis->step_nodes = g_thread_join (thread);
  return ok;
}

static gboolean
compute_memory (EnvelopeAnalysis *analysis,
                GError          **error)
{
  const EnvelopeTotals *t = &analysis->totals;
  const EnvelopeTraining *training = &analysis->training;
  EnvelopeMemory *m = &analysis->memory;
  EnvelopeFit *fit = &analysis->fit;
  guint64 b, gradient_bytes, per_sample, budget, tmp;

  m->batch = training->batch;
  m->dtype = training->dtype;
  m->bytes_per_value = b = envelope_dtype_get_bytes (training->dtype);
  m->mixed_precision = training->mixed_precision;
  m->optimizer = training->optimizer;

  /* test time: parameters + peak live × batch + workspace */
  MUL_OR_FAIL (m->test.parameters, t->params, b, _("parameter bytes"));
  MUL_OR_FAIL (tmp, t->activations_peak, training->batch, _("activation bytes"));
  MUL_OR_FAIL (m->test.activations, tmp, b, _("activation bytes"));
  MUL_OR_FAIL (m->test.workspace, t->workspace, b, _("workspace bytes"));
  m->test.total = m->test.parameters;
  ADD_OR_FAIL (m->test.total, m->test.activations, _("test-time bytes"));
  ADD_OR_FAIL (m->test.total, m->test.workspace, _("test-time bytes"));

  /* train time, term by term */
  m->train[ENVELOPE_MEMORY_PARAMETERS] = m->test.parameters;
  if (training->mixed_precision)
    {
      MUL_OR_FAIL (tmp, t->trainable_params, 4, _("parameter bytes"));
      ADD_OR_FAIL (m->train[ENVELOPE_MEMORY_PARAMETERS], tmp, _("parameter bytes"));
    }
  gradient_bytes = training->mixed_precision ? 4 : b;
  MUL_OR_FAIL (m->train[ENVELOPE_MEMORY_GRADIENTS], t->trainable_params, gradient_bytes, _("gradient bytes"));
  MUL_OR_FAIL (tmp, t->trainable_params, envelope_optimizer_get_slots (training->optimizer), _("optimizer state bytes"));
  MUL_OR_FAIL (m->train[ENVELOPE_MEMORY_OPTIMIZER_STATE], tmp, 4, _("optimizer state bytes"));
  MUL_OR_FAIL (per_sample, t->activations_all, b, _("layer output bytes"));
  MUL_OR_FAIL (m->train[ENVELOPE_MEMORY_LAYER_OUTPUTS], per_sample, training->batch, _("layer output bytes"));
  m->train[ENVELOPE_MEMORY_ERROR_SIGNALS] = m->train[ENVELOPE_MEMORY_LAYER_OUTPUTS];
  m->train[ENVELOPE_MEMORY_WORKSPACE] = m->test.workspace;
  m->train_total = 0;
  for (guint i = 0; i < ENVELOPE_N_MEMORY_TERMS; i++)
    ADD_OR_FAIL (m->train_total, m->train[i], _("train-time bytes"));

  /* batch fit: train(B) = fixed + B × per sample */
  fit->fixed_bytes = m->train[ENVELOPE_MEMORY_PARAMETERS];
  ADD_OR_FAIL (fit->fixed_bytes, m->train[ENVELOPE_MEMORY_GRADIENTS], _("train-time bytes"));
  ADD_OR_FAIL (fit->fixed_bytes, m->train[ENVELOPE_MEMORY_OPTIMIZER_STATE], _("train-time bytes"));
  ADD_OR_FAIL (fit->fixed_bytes, m->train[ENVELOPE_MEMORY_WORKSPACE], _("train-time bytes"));
  MUL_OR_FAIL (fit->bytes_per_sample, per_sample, 2, _("layer output bytes"));
  analysis->lecture_fixed = fit->fixed_bytes;
  analysis->lecture_per_sample = fit->bytes_per_sample;

  /* the device and the budget, for both models */
  fit->device = NULL;
  if (training->device != NULL)
    {
      const EnvelopeDevice *device = envelope_devices_lookup (training->device);
      fit->device = device ? device->name : g_intern_string (training->device);
      if (training->device_memory == 0 && device != NULL)
        analysis->training.device_memory = device->memory;
    }
  fit->device_memory = analysis->training.device_memory;
  fit->reserved_memory = training->reserved_memory;
  fit->target_batch = training->target_batch > 0 ? training->target_batch : training->batch;
  fit->max_batch = 0;
  fit->steps = 0;
  fit->micro_batch = 0;
  budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;

  /* the PyTorch model: a step walked tensor by tensor, and inference */
  m->model = training->memory_model;
  {
    EnvelopeStepInput input;
    EnvelopeStepResult step, inference;

    envelope_analysis_get_step_input (analysis, &input);
    if (!envelope_step_simulate (&input, training->batch, FALSE, fit->device_memory > 0 ? MAX (budget, 1) : 0,
                                 &step, NULL, NULL, error) ||
        !envelope_step_simulate (&input, training->batch, TRUE, 0, &inference, NULL, NULL, error))
      return FALSE;
    m->pytorch.peak = step.peak;
    m->pytorch.saved = step.saved;
    m->pytorch.saved_exact = step.saved_exact;
    m->pytorch.inference = inference.peak.total;
    m->pytorch.inference_activations = inference.peak.bytes[ENVELOPE_STEP_BACKWARD_TRANSIENT];
    analysis->pytorch_line_phase = step.line_phase;
    analysis->pytorch_line_layer = step.line_layer;
    if (m->model == ENVELOPE_MEMORY_MODEL_PYTORCH)
      {
        fit->fixed_bytes = step.line_fixed;
        fit->bytes_per_sample = step.line_per_sample + step.line_per_sample / ENVELOPE_STEP_FRAGMENTATION;
        if (fit->device_memory > 0)
          fit->max_batch = step.max_batch;
      }
  }

  if (!compute_generation (analysis, budget, error))
    return FALSE;

  if (fit->device_memory == 0)
    return TRUE;
  if (m->model == ENVELOPE_MEMORY_MODEL_LECTURE && budget >= fit->fixed_bytes && fit->bytes_per_sample > 0)
    fit->max_batch = (budget - fit->fixed_bytes) / fit->bytes_per_sample;
  if (fit->max_batch > 0)
    {
      fit->steps = (fit->target_batch + fit->max_batch - 1) / fit->max_batch;
      fit->micro_batch = (fit->target_batch + fit->steps - 1) / fit->steps;
    }
  return TRUE;
}

/* A layer that "shares" another's parameters uses them: its weights are
 * counted there, once.  The other layer may come before or after it, but
 * must hold as many weights. */
static gboolean
apply_sharing (const EnvelopeAnalysis *analysis,
               guint                   index,
               EnvelopeLayerFigures   *f,
               char                  **formulas,
               EnvelopeErrorLocation  *location,
               GError                **error)
{
  const EnvelopeLayer *layer = g_ptr_array_index (analysis->network->layers, index);
  const EnvelopeLayerFigures *owner;
  gint j;

  f->shares = -1;
  if (G_LIKELY (layer->shares == NULL) || !(envelope_layer_kind_get (layer->type)->fields & ENVELOPE_FIELD_BIT (ENVELOPE_FIELD_SHARES)))
    return TRUE;
  j = envelope_network_find_layer (analysis->network, layer->shares);
  if (j < 0 || (guint) j == index)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHARES, location,
                            index, layer->name, "shares",
                            j < 0 ? _("names \"%s\", which is not a layer of this network")
                                  : _("names \"%s\", the layer itself"),
                            layer->shares);
      return FALSE;
    }
  owner = &analysis->layers[j];
  /* a partial analysis: the owner's weights are not known, so the
   * layer keeps its own */
  if (owner->state != ENVELOPE_LAYER_ANALYSED)
    return TRUE;
  if (owner->weights != f->weights)
    {
      envelope_layer_error (error, ENVELOPE_ANALYSIS_ERROR, ENVELOPE_ANALYSIS_ERROR_SHARES, location,
                            index, layer->name, "shares",
                            _("names \"%s\", which has %" PRIu64 " weights, but this layer needs %" PRIu64),
                            layer->shares, owner->weights, f->weights);
      return FALSE;
    }
  f->shares = j;
  f->trainable -= f->weights;
  f->params -= f->weights;
  if (formulas != NULL)
    {
      g_autofree char *count = envelope_format_count (f->weights);

      g_free (formulas[ENVELOPE_FIGURE_WEIGHTS]);
      formulas[ENVELOPE_FIGURE_WEIGHTS] = g_strdup_printf (_("0: it uses the %s weights of %s (counted there)"),
                                                           count, layer->shares);
      g_free (formulas[ENVELOPE_FIGURE_PARAMS]);
      formulas[ENVELOPE_FIGURE_PARAMS] = g_strdup_printf ("%" PRIu64, f->params);
    }
  f->weights = 0;
  return TRUE;
}

/* What layer @i holds besides its figures, kept while some layer holds
 * any: an array as long as the network, allocated by the first. */
static void
keep_held (EnvelopeAnalysis        *analysis,
           guint                    i,
           const EnvelopeInference *inf)
{
  if (analysis->held == NULL)
    {
      if (inf->saved_values == 0 && inf->cache_values == 0)
        return;
      analysis->held = g_new0 (EnvelopeHeldValues, MAX (analysis->n_layers, 1));
    }
  analysis->held[i].saved = inf->saved_values;
  analysis->held[i].cache = inf->cache_values;
}

/* A layer without figures: zero everywhere, its kind and inputs kept. */
static void
clear_figures (EnvelopeAnalysis   *analysis,
               guint               index,
               EnvelopeLayerState  state)
{
  EnvelopeLayerFigures *f = &analysis->layers[index];
  const EnvelopeLayer *layer = g_ptr_array_index (analysis->network->layers, index);

  memset (f, 0, sizeof *f);
  if (analysis->held != NULL)
    memset (&analysis->held[index], 0, sizeof analysis->held[index]);
  f->index = index;
  f->state = state;
  f->type = layer->type;
  f->shares = -1;
  if (analysis->offsets != NULL)
    {
      f->n_inputs = analysis->offsets[index + 1] - analysis->offsets[index];
      f->inputs = analysis->indices + analysis->offsets[index];
    }
}

/* A partial analysis keeps the first bad layer's error, in file order,
 * and goes on with the layers that do not read it. */
static void
fail_layer (EnvelopeAnalysis            *analysis,
            guint                        index,
            const EnvelopeErrorLocation *here,
            GError                      *error)
{
  clear_figures (analysis, index, ENVELOPE_LAYER_FAILED);
  analysis->failed[index] = TRUE;
  if (analysis->layer_error == NULL || index < (guint) analysis->error_location.layer)
    {
      g_clear_error (&analysis->layer_error);
      analysis->layer_error = error;
      analysis->error_location.layer = (gint) index;
      analysis->error_location.field = here->field;
    }
  else
    g_error_free (error);
}

static gboolean sum_layers (EnvelopeAnalysis      *analysis,
                            gboolean               any_shares,
                            EnvelopeErrorLocation *location,
                            GError               **error);

/* Every layer in file order, and the totals that sum over them. */
static gboolean
compute_layers (EnvelopeAnalysis      *analysis,
                guint                  max_inputs,
                EnvelopeErrorLocation *location,
                GError               **error)
{
  g_autofree const EnvelopeLayerFigures **inputs = g_new (const EnvelopeLayerFigures *, max_inputs);
  gboolean any_shares = analysis->any_shares;

  for (guint i = 0; i < analysis->n_layers; i++)
    {
      EnvelopeLayerFigures *f = &analysis->layers[i];
      EnvelopeInference inf = { 0 };
      EnvelopeErrorLocation here = { -1, NULL };
      GError *local = NULL;
      gboolean ready = TRUE;

      if (G_UNLIKELY (analysis->partial))
        {
          if (analysis->failed[i])
            continue;
          for (guint k = analysis->offsets[i]; k < analysis->offsets[i + 1]; k++)
            ready &= analysis->layers[analysis->indices[k]].state == ENVELOPE_LAYER_ANALYSED;
          if (!ready)
            {
              clear_figures (analysis, i, ENVELOPE_LAYER_NOT_ANALYSED);
              continue;
            }
        }
      setup_inference (analysis, i, inputs, &inf);
      /* written before it is read: see allocate_figures() */
      memset (f, 0, sizeof *f);
      inf.out = f;
      inf.location = analysis->partial ? &here : location;
      f->index = i;
      f->n_inputs = inf.n_inputs;
      f->inputs = analysis->indices + analysis->offsets[i];
      if (!envelope_layer_kind_infer (&inf, analysis->partial ? &local : error))
        {
          if (!analysis->partial)
            return FALSE;
          fail_layer (analysis, i, &here, local);
          continue;
        }
      f->shares = -1;
      keep_held (analysis, i, &inf);
    }

  return sum_layers (analysis, any_shares, location, error);
}

/* What the totals work out of their sums: the model's bytes, the FLOPs
 * and a training step's MACs and FLOPs. */
static gboolean
derive_totals (EnvelopeTotals *t,
               EnvelopeDtype   dtype,
               GError        **error)
{
  MUL_OR_FAIL (t->model_bytes, t->params, envelope_dtype_get_bytes (dtype), _("model bytes"));
  MUL_OR_FAIL (t->flops, t->macs, 2, _("FLOPs"));
  MUL_OR_FAIL (t->training_macs, t->macs, 3, _("training MACs"));
  MUL_OR_FAIL (t->training_flops, t->flops, 3, _("training FLOPs"));
  return TRUE;
}

/* The totals over the layers analysed (and, when one shares another's
 * parameters, each such layer checked and its weights counted once). */
static gboolean
sum_layers (EnvelopeAnalysis      *analysis,
            gboolean               any_shares,
            EnvelopeErrorLocation *location,
            GError               **error)
{
  EnvelopeTotals *t = &analysis->totals;

  memset (t, 0, sizeof *t);
  t->workspace_layer = -1;
  memcpy (t->input_extent, analysis->input_extent, sizeof t->input_extent);
  analysis->n_analysed = 0;
  for (guint i = 0; i < analysis->n_layers; i++)
    {
      EnvelopeLayerFigures *f = &analysis->layers[i];

      /* analysed or not, a layer of unknown cost is one the sums lack */
      t->unknown_cost_layers += f->type == ENVELOPE_LAYER_UNKNOWN;
      if (f->state != ENVELOPE_LAYER_ANALYSED)
        continue;
      /* the layers are read again only when one shares: a long network
       * is mostly memory to walk */
      if (G_UNLIKELY (any_shares))
        {
          EnvelopeErrorLocation here = { -1, NULL };
          GError *local = NULL;

          if (!apply_sharing (analysis, i, f, NULL, analysis->partial ? &here : location,
                              analysis->partial ? &local : error))
            {
              if (!analysis->partial)
                return FALSE;
              fail_layer (analysis, i, &here, local);
              continue;
            }
        }
      analysis->n_analysed++;
      ADD_OR_FAIL (t->params, f->params, _("parameters"));
      ADD_OR_FAIL (t->trainable_params, f->trainable, _("parameters"));
      ADD_OR_FAIL (t->non_trainable_params, f->non_trainable, _("parameters"));
      ADD_OR_FAIL (t->macs, f->macs, _("MACs"));
      ADD_OR_FAIL (t->other_ops, f->other_ops, _("other operations"));
      ADD_OR_FAIL (t->activations_all, f->activations, _("activations"));
      ADD_OR_FAIL (t->activations_all, f->internal, _("activations"));
      if (f->workspace > t->workspace)
        {
          t->workspace = f->workspace;
          t->workspace_layer = (gint) i;
        }
    }

  return derive_totals (t, analysis->training.dtype, error);
}

#define HUGE_PAGE (2 << 20)

/* @size bytes, not zeroed, for an array with an entry per layer of a
 * network, which may be long: from 4 MiB up it asks for huge pages, 512
 * times fewer faults on the first touch.  Freed with g_free() or free(),
 * grown with g_realloc(). */
gpointer
envelope_alloc_large (gsize size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (size >= 2 * HUGE_PAGE)
    {
      void *memory = NULL;
      gsize rounded = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;

      if (posix_memalign (&memory, HUGE_PAGE, rounded) == 0)
        {
          madvise (memory, rounded, MADV_HUGEPAGE);   /* advice: nothing is lost without it */
          return memory;
        }
    }
#endif
  return g_malloc (size);
}

/* Memory is handed over zeroed on its first touch, and on a virtual
 * machine whose host takes back the guest's free memory, zeroing it
 * costs a fault on the host too: a cold million-layer analysis spent
 * half its time there.  So a long array is made ready by a second
 * thread, from its end backwards, while this one writes it from its
 * start; where they meet, all of it is.  MADV_POPULATE_WRITE (Linux
 * 5.14) faults a range in as a write would; where the system has no
 * such advice, nothing is done. */
#define PREFAULT_LEAST (64 << 20)    /* a network of about 300,000 layers */
#define PREFAULT_STEP (8 << 20)

struct _EnvelopePrefault
{
  char *memory;
  gsize size;
  gint stop;
  GThread *thread;
};

#ifdef MADV_POPULATE_WRITE
static gpointer
prefault_work (gpointer data)
{
  EnvelopePrefault *prefault = data;

  for (gsize end = prefault->size; end > 0 && !g_atomic_int_get (&prefault->stop);)
    {
      gsize start = end > PREFAULT_STEP ? end - PREFAULT_STEP : 0;

      /* a range the other thread has written is passed over */
      if (madvise (prefault->memory + start, end - start, MADV_POPULATE_WRITE) != 0)
        break;
      end = start;
    }
  return NULL;
}
#endif

/* Starts making @size bytes at @memory, an envelope_alloc_large()
 * block, ready; NULL where it is too small to be worth a thread.  The
 * memory must stay allocated until envelope_prefault_end(). */
EnvelopePrefault *
envelope_prefault_begin (gpointer memory,
                         gsize    size)
{
#ifdef MADV_POPULATE_WRITE
  EnvelopePrefault *prefault;

  if (size < PREFAULT_LEAST || g_get_num_processors () < 2)
    return NULL;
  prefault = g_new0 (EnvelopePrefault, 1);
  prefault->memory = memory;
  /* whole pages only: a page shared with the next block is not ours */
  prefault->size = size / HUGE_PAGE * HUGE_PAGE;
  prefault->thread = g_thread_new ("envelope-prefault", prefault_work, prefault);
  return prefault;
#else
  (void) memory;
  (void) size;
  return NULL;
#endif
}

/* Stops the thread where it is and waits for it. */
void
envelope_prefault_end (EnvelopePrefault *prefault)
{
  if (prefault == NULL)
    return;
  g_atomic_int_set (&prefault->stop, 1);
  g_thread_join (prefault->thread);
  g_free (prefault);
}

/* The figures of a long network are tens of megabytes: memory the
 * system hands over a page at a time, each page costing a fault on its
 * first touch, and two when it is read before it is written (a zeroed
 * page is mapped, then copied).  So the figures are not zeroed here but
 * as each layer's are made, each written before anything reads it, and
 * a large array asks for huge pages (envelope_alloc_large()): a third
 * of the analysis of a 100,000-layer chain was page faults. */
static EnvelopeLayerFigures *
allocate_figures (guint n_layers)
{
  return envelope_alloc_large (MAX (n_layers, 1) * sizeof (EnvelopeLayerFigures));
}

/* The length of the token ids (an input of rank 1, [T]) that layer @i
 * reads, or 0. */
static guint64
ids_read (const EnvelopeAnalysis *analysis,
          guint                   i)
{
  for (guint k = analysis->offsets[i]; k < analysis->offsets[i + 1]; k++)
    {
      guint j = analysis->indices[k];
      const EnvelopeLayer *input = g_ptr_array_index (analysis->network->layers, j);

      if (input->type == ENVELOPE_LAYER_INPUT && input->shape_rank == 1 &&
          (analysis->failed == NULL || !analysis->failed[j]))
        return (guint64) input->shape[0];
    }
  return 0;
}

static EnvelopeAnalysis *
analyse (const EnvelopeNetwork  *network,
         const EnvelopeTraining *training,
         gboolean                partial,
         EnvelopeErrorLocation  *location,
         GError                **error)
{
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopePrefault) prefault = NULL;   /* ended before the analysis is freed */
  guint max_inputs = 1;
  gboolean any_embedding = FALSE;

  g_return_val_if_fail (network != NULL, NULL);

  if (location != NULL)
    {
      location->layer = -1;
      location->field = NULL;
    }

  analysis = g_new0 (EnvelopeAnalysis, 1);
  analysis->network = network;
  envelope_training_copy (&analysis->training, training ? training : &network->training);
  analysis->n_layers = network->layers->len;
  analysis->layers = allocate_figures (analysis->n_layers);
  prefault = envelope_prefault_begin (analysis->layers, analysis->n_layers * sizeof (EnvelopeLayerFigures));
  if (partial)
    analysis->failed = g_new0 (guint8, MAX (analysis->n_layers, 1));
  analysis->totals.workspace_layer = -1;
  analysis->partial = partial;
  analysis->error_location.layer = -1;

  /* one pass over the layers, while each is in the cache: each is
   * checked, and the input's positions read */
  for (guint i = 0; i < analysis->n_layers; i++)
    {
      const EnvelopeLayer *layer = g_ptr_array_index (network->layers, i);
      EnvelopeErrorLocation here = { -1, NULL };
      GError *local = NULL;

      /* read here, with the rest of the layer: the inference reads
       * other parts of it, and a long network is mostly cache misses */
      analysis->any_shares |= layer->shares != NULL;
      any_embedding |= layer->type == ENVELOPE_LAYER_EMBEDDING;
      if (!envelope_layer_validate (layer, i, partial ? &here : location, partial ? &local : error))
        {
          if (!partial)
            return NULL;
          fail_layer (analysis, i, &here, local);
          continue;
        }
      if (layer->type == ENVELOPE_LAYER_INPUT && layer->shape_rank >= 2)
        {
          /* the positions of an image, a signal, a video, or the tokens of a sequence */
          gboolean tokens = layer->shape_rank == 2 && layer->layout == ENVELOPE_SHAPE_TOKENS;
          guint n_axes = tokens ? 1 : layer->shape_rank - 1;

          for (guint a = 0; a < n_axes; a++)
            analysis->input_extent[a] = MAX (analysis->input_extent[a], (guint64) layer->shape[tokens ? 0 : 1 + a]);
        }
    }
  /* names and inputs are the network's structure: nothing can be
   * analysed without them */
  if (!envelope_network_resolve_inputs (network, &analysis->offsets, &analysis->indices, location, error))
    return NULL;
  for (guint i = 0; i < analysis->n_layers; i++)
    {
      max_inputs = MAX (max_inputs, analysis->offsets[i + 1] - analysis->offsets[i]);
      if (G_UNLIKELY (analysis->failed != NULL && analysis->failed[i]))
        clear_figures (analysis, i, ENVELOPE_LAYER_FAILED);
    }
  /* token ids read by an embedding are the positions of a sequence, as
   * the tokens of an input [T, D] are: a receptive field is compared
   * with their length */
  for (guint i = 0; any_embedding && i < analysis->n_layers; i++)
    if (((const EnvelopeLayer *) g_ptr_array_index (network->layers, i))->type == ENVELOPE_LAYER_EMBEDDING &&
        (analysis->failed == NULL || !analysis->failed[i]))
      analysis->input_extent[0] = MAX (analysis->input_extent[0], ids_read (analysis, i));

  if (!compute_layers (analysis, max_inputs, location, error))
    return NULL;
  g_clear_pointer (&prefault, envelope_prefault_end);
  if (!compute_peak_and_step_nodes (analysis, error))
    return NULL;
  if (!compute_memory (analysis, error))
    return NULL;

  return g_steal_pointer (&analysis);
}

EnvelopeAnalysis *
envelope_analysis_new (const EnvelopeNetwork  *network,
                       const EnvelopeTraining *training,
                       EnvelopeErrorLocation  *location,
                       GError                **error)
{
  return analyse (network, training, FALSE, location, error);
}

/**
 * envelope_analysis_new_partial:
 *
 * Analyses @network as far as it can: a layer whose settings or shapes
 * are wrong fails, the layers that read it (directly or not) are not
 * analysed, and every other layer is, with totals over those.  The
 * first bad layer's error is kept: envelope_analysis_get_error().
 *
 * Returns: the analysis, or %NULL with @error (and @location) set when
 * the network's structure (names, inputs) or its totals are broken.
 */
EnvelopeAnalysis *
envelope_analysis_new_partial (const EnvelopeNetwork  *network,
                               const EnvelopeTraining *training,
                               EnvelopeErrorLocation  *location,
                               GError                **error)
{
  return analyse (network, training, TRUE, location, error);
}

/* What a layer without figures shows in place of its output, in the
 * table, the diagram and the report alike: "error", "not analysed". */
static void
gather_consumers (EnvelopeAnalysis *analysis)
{
  guint n = analysis->n_layers;
  g_autofree guint *cursor = NULL;

  analysis->consumer_offsets = g_new0 (guint, n + 1);
  analysis->consumers = g_new (guint, MAX (analysis->offsets[n], 1));
  for (guint k = 0; k < analysis->offsets[n]; k++)
    analysis->consumer_offsets[analysis->indices[k] + 1]++;
  for (guint i = 0; i < n; i++)
    analysis->consumer_offsets[i + 1] += analysis->consumer_offsets[i];
  cursor = g_memdup2 (analysis->consumer_offsets, n * sizeof (guint));
  for (guint i = 0; i < n; i++)
    for (guint k = analysis->offsets[i]; k < analysis->offsets[i + 1]; k++)
      analysis->consumers[cursor[analysis->indices[k]]++] = i;
}

/* The live activations at every layer, as compute_peak() walks them,
 * kept so that an update changes only the layers a new output size
 * lives through.  A buffer lives from the layer that allocates it to
 * its last reader: a difference array summed once gives every layer's
 * live total (in wrapping arithmetic, exact since every total fits:
 * the analysis did not overflow). */
static void
gather_live (EnvelopeAnalysis *analysis)
{
  guint n = analysis->n_layers;
  guint *buffer = analysis->buffer = g_new (guint, MAX (n, 1));
  guint *last_use = analysis->last_use = g_new (guint, MAX (n, 1));
  guint64 *live = analysis->live = g_new0 (guint64, n + 1);
  guint64 running = 0;

  analysis->during = g_new (guint64, MAX (n, 1));
  assign_buffers (analysis, analysis->consumer_offsets, TRUE, buffer, last_use);
  for (guint b = 0; b < n; b++)
    if (buffer[b] == b)
      {
        live[b] += analysis->layers[b].activations;
        live[last_use[b] + 1] -= analysis->layers[b].activations;
      }
  for (guint i = 0; i < n; i++)
    {
      running += live[i];
      live[i] = running;
      analysis->during[i] = running + analysis->layers[i].internal;
    }
}

/* Layer @index's figures went from @before to @after: its output lives
 * through the layers its buffer does, what it holds inside through
 * itself.  FALSE when a total overflows (a new analysis says so). */
static gboolean
update_live (EnvelopeAnalysis           *analysis,
             guint                       index,
             const EnvelopeLayerFigures *before,
             const EnvelopeLayerFigures *after)
{
  if (analysis->buffer[index] == index && after->activations != before->activations)
    for (guint k = index; k <= analysis->last_use[index]; k++)
      {
        guint64 live = analysis->live[k] - before->activations;
        guint64 during = analysis->during[k] - before->activations;

        if (!g_uint64_checked_add (&analysis->live[k], live, after->activations) ||
            !g_uint64_checked_add (&analysis->during[k], during, after->activations))
          return FALSE;
      }
  return g_uint64_checked_add (&analysis->during[index], analysis->during[index] - before->internal, after->internal);
}

/* The totals with layer @index's figures @before swapped for @after, as
 * sum_layers() adds them (a sum that overflows there fails here); the
 * largest workspace with them, or *@rescan when the layer that held it
 * holds less now. */
static gboolean
update_totals (EnvelopeTotals             *t,
               guint                       index,
               const EnvelopeLayerFigures *before,
               const EnvelopeLayerFigures *after,
               gboolean                   *rescan)
{
  guint64 *sums[] = {
    &t->params, &t->trainable_params, &t->non_trainable_params, &t->macs, &t->other_ops,
    &t->activations_all, &t->activations_all,
  };
  const guint64 old[] = {
    before->params, before->trainable, before->non_trainable, before->macs, before->other_ops,
    before->activations, before->internal,
  };
  const guint64 new[] = {
    after->params, after->trainable, after->non_trainable, after->macs, after->other_ops,
    after->activations, after->internal,
  };

  for (guint k = 0; k < G_N_ELEMENTS (sums); k++)
    if (!g_uint64_checked_add (sums[k], *sums[k] - old[k], new[k]))
      return FALSE;
  t->unknown_cost_layers += (after->type == ENVELOPE_LAYER_UNKNOWN) - (before->type == ENVELOPE_LAYER_UNKNOWN);

  /* the first layer with the largest workspace */
  if (after->workspace > t->workspace ||
      (after->workspace == t->workspace && after->workspace > 0 && (gint) index < t->workspace_layer))
    {
      t->workspace = after->workspace;
      t->workspace_layer = (gint) index;
    }
  else if ((gint) index == t->workspace_layer && after->workspace < before->workspace)
    *rescan = TRUE;
  return TRUE;
}

/* What sum_layers() works out of the sums, and the peak of the live
 * activations. */
static gboolean
finish_update (EnvelopeAnalysis *analysis,
               gboolean          rescan)
{
  EnvelopeTotals *t = &analysis->totals;
  guint64 peak = 0;

  if (rescan)
    {
      t->workspace = 0;
      t->workspace_layer = -1;
      for (guint i = 0; i < analysis->n_layers; i++)
        if (analysis->layers[i].workspace > t->workspace)
          {
            t->workspace = analysis->layers[i].workspace;
            t->workspace_layer = (gint) i;
          }
    }
  if (!derive_totals (t, analysis->training.dtype, NULL))
    return FALSE;
  for (guint i = 0; i < analysis->n_layers; i++)
    peak = MAX (peak, analysis->during[i]);
  t->activations_peak = peak;
  return TRUE;
}

static void
forget_groups (EnvelopeAnalysis *analysis)
{
  for (guint k = 0; k < G_N_ELEMENTS (analysis->groups); k++)
    g_clear_pointer (&analysis->groups[k], envelope_groups_free);
}

/**
 * envelope_analysis_update_layer:
 * @analysis: an analysis of a network whose layer @index has since been
 *   given new settings: its name, kind and inputs as they were, the
 *   network otherwise the same
 * @index: the layer
 *
 * Works the figures out again where they can have changed: layer @index,
 * then each layer that reads one whose figures changed, and so on; then
 * the totals and the live activations, from the layers whose figures
 * changed, and memory.  A new setting of one layer in a network of
 * 20,000 infers two or three layers, not 20,000, and every figure is the
 * one envelope_analysis_new() gives.
 *
 * Returns: %FALSE when the analysis cannot be updated so: a layer is or
 *   becomes wrong (its error is for a new analysis to report), the
 *   network had a bad layer, a layer shares another's parameters, or
 *   layer @index is an input.  The analysis must then be made anew, and
 *   this one only freed.
 */
gboolean
envelope_analysis_update_layer (EnvelopeAnalysis *analysis,
                                guint             index)
{
  const EnvelopeNetwork *network;
  const EnvelopeLayer *layer;
  g_autofree guint8 *dirty = NULL;
  g_autofree const EnvelopeLayerFigures **inputs = NULL;
  guint n, pending = 1, max_inputs = 1;
  gboolean rescan = FALSE;

  g_return_val_if_fail (analysis != NULL, FALSE);
  g_return_val_if_fail (index < analysis->n_layers, FALSE);

  network = analysis->network;
  n = analysis->n_layers;
  layer = g_ptr_array_index (network->layers, index);
  /* an input's shape, or whether token ids are read by an embedding,
   * may change the input's extent: analysed again as a whole */
  if (analysis->layer_error != NULL || analysis->any_shares || layer->shares != NULL ||
      layer->type == ENVELOPE_LAYER_INPUT || ids_read (analysis, index) > 0 ||
      !envelope_layer_validate (layer, index, NULL, NULL))
    return FALSE;

  if (analysis->consumers == NULL)
    gather_consumers (analysis);
  if (analysis->live == NULL)
    gather_live (analysis);
  for (guint i = 0; i < n; i++)
    max_inputs = MAX (max_inputs, analysis->offsets[i + 1] - analysis->offsets[i]);
  inputs = g_new (const EnvelopeLayerFigures *, max_inputs);
  if (analysis->changed == NULL)
    analysis->changed = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_set_size (analysis->changed, 0);

  /* in file order, which every input comes before its reader in */
  dirty = g_new0 (guint8, n);
  dirty[index] = TRUE;
  /* a new shape can move a stage's border */
  forget_groups (analysis);
  for (guint i = index; i < n && pending > 0; i++)
    {
      EnvelopeLayerFigures *f = &analysis->layers[i];
      EnvelopeLayerFigures before;
      EnvelopeHeldValues held_before;
      EnvelopeInference inf = { 0 };

      if (!dirty[i])
        continue;
      pending--;
      memcpy (&before, f, sizeof before);
      setup_inference (analysis, i, inputs, &inf);
      memset (f, 0, sizeof *f);
      inf.out = f;
      f->index = i;
      f->n_inputs = inf.n_inputs;
      f->inputs = analysis->indices + analysis->offsets[i];
      if (!envelope_layer_kind_infer (&inf, NULL))
        return FALSE;
      f->shares = -1;
      held_before = analysis->held != NULL ? analysis->held[i] : (EnvelopeHeldValues) { 0 };
      keep_held (analysis, i, &inf);
      if (memcmp (&before, f, sizeof before) == 0 &&
          (analysis->held == NULL || memcmp (&held_before, &analysis->held[i], sizeof held_before) == 0))
        continue;
      if (!update_totals (&analysis->totals, i, &before, f, &rescan) || !update_live (analysis, i, &before, f))
        return FALSE;
      g_array_append_val (analysis->changed, i);
      for (guint k = analysis->consumer_offsets[i]; k < analysis->consumer_offsets[i + 1]; k++)
        if (!dirty[analysis->consumers[k]])
          {
            dirty[analysis->consumers[k]] = TRUE;
            pending++;
          }
    }

  /* what sums over every layer, from the layers that changed */
  if (!finish_update (analysis, rescan))
    return FALSE;
  {
    EnvelopeStepInput input;

    envelope_analysis_get_step_input (analysis, &input);
    if (analysis->step_nodes != NULL)
      envelope_step_nodes_update (analysis->step_nodes, &input, (const guint *) analysis->changed->data,
                                  analysis->changed->len);
    else
      analysis->step_nodes = envelope_step_nodes_new (&input);
  }
  return compute_memory (analysis, NULL);
}

/**
 * envelope_analysis_get_changed_layers:
 * @n_layers: (out): how many
 *
 * Returns: (nullable): the layers whose figures the last
 *   envelope_analysis_update_layer() changed, in file order; %NULL for
 *   an analysis made anew (every layer's figures are new)
 */
const guint *
envelope_analysis_get_changed_layers (const EnvelopeAnalysis *analysis,
                                      guint                  *n_layers)
{
  g_return_val_if_fail (analysis != NULL, NULL);

  if (analysis->changed == NULL)
    {
      *n_layers = 0;
      return NULL;
    }
  *n_layers = analysis->changed->len;
  return (const guint *) analysis->changed->data;
}

const char *
envelope_layer_state_describe (EnvelopeLayerState state)
{
  switch (state)
    {
    case ENVELOPE_LAYER_FAILED:
      return _("error");
    case ENVELOPE_LAYER_NOT_ANALYSED:
      return _("not analysed");
    case ENVELOPE_LAYER_ANALYSED:
    default:
      return "";
    }
}

/* Whether a layer failed, so that not every figure was worked out. */
gboolean
envelope_analysis_is_partial (const EnvelopeAnalysis *analysis)
{
  g_return_val_if_fail (analysis != NULL, FALSE);
  return analysis->layer_error != NULL;
}

/* The first bad layer's error, and where it is; NULL when none failed. */
const GError *
envelope_analysis_get_error (const EnvelopeAnalysis *analysis,
                             EnvelopeErrorLocation  *location)
{
  g_return_val_if_fail (analysis != NULL, NULL);
  if (location != NULL)
    *location = analysis->error_location;
  return analysis->layer_error;
}

/* How many layers have figures. */
guint
envelope_analysis_get_n_analysed (const EnvelopeAnalysis *analysis)
{
  g_return_val_if_fail (analysis != NULL, 0);
  return analysis->n_analysed;
}

/**
 * envelope_analysis_get_groups:
 *
 * The groups of the analysed network (envelope_groups_new_full() of its
 * network and @analysis), made on the first request for @flags and kept
 * with the analysis: a figure asks for them at every level of detail it
 * tries, and a million layers take a second.  Any thread may ask; an
 * update of a layer forgets them, as it can move a stage's border.
 *
 * Returns: (transfer none): the groups, valid while the analysis is
 *   neither updated nor freed
 */
const EnvelopeGroups *
envelope_analysis_get_groups (const EnvelopeAnalysis *analysis,
                              EnvelopeGroupsFlags     flags)
{
  EnvelopeGroups **slot;

  g_return_val_if_fail (analysis != NULL, NULL);
  g_return_val_if_fail (flags == ENVELOPE_GROUPS_DEFAULT || flags == ENVELOPE_GROUPS_RUNS, NULL);

  /* made once, kept: the analysis is the same to its readers */
  slot = (EnvelopeGroups **) &analysis->groups[flags == ENVELOPE_GROUPS_RUNS];
  if (g_once_init_enter (slot))
    g_once_init_leave (slot, envelope_groups_new_full (analysis->network, analysis, flags));
  return *slot;
}

void
envelope_analysis_free (EnvelopeAnalysis *analysis)
{
  if (analysis == NULL)
    return;
  envelope_training_clear (&analysis->training);
  g_clear_error (&analysis->layer_error);
  envelope_step_nodes_free (analysis->step_nodes);
  free (analysis->layers);   /* allocate_figures() */
  g_free (analysis->failed);
  g_free (analysis->consumer_offsets);
  g_free (analysis->consumers);
  g_free (analysis->buffer);
  g_free (analysis->last_use);
  g_free (analysis->live);
  g_free (analysis->during);
  g_clear_pointer (&analysis->changed, g_array_unref);
  g_free (analysis->offsets);
  g_free (analysis->indices);
  g_free (analysis->held);
  forget_groups (analysis);
  g_free (analysis);
}

const EnvelopeNetwork *
envelope_analysis_get_network (const EnvelopeAnalysis *analysis)
{
  return analysis->network;
}

guint
envelope_analysis_get_n_layers (const EnvelopeAnalysis *analysis)
{
  return analysis->n_layers;
}

const EnvelopeLayerFigures *
envelope_analysis_get_layer (const EnvelopeAnalysis *analysis,
                             guint                   index)
{
  g_return_val_if_fail (index < analysis->n_layers, NULL);
  return &analysis->layers[index];
}

const EnvelopeTotals *
envelope_analysis_get_totals (const EnvelopeAnalysis *analysis)
{
  return &analysis->totals;
}

const EnvelopeMemory *
envelope_analysis_get_memory (const EnvelopeAnalysis *analysis)
{
  return &analysis->memory;
}

const EnvelopeFit *
envelope_analysis_get_fit (const EnvelopeAnalysis *analysis)
{
  return &analysis->fit;
}

/* Works out analysed layer @index again into @scratch, with what else
 * @inf asks for (formulas, rules, padding) set in it beforehand. */
static gboolean
infer_again (const EnvelopeAnalysis *analysis,
             guint                   index,
             EnvelopeInference      *inf,
             EnvelopeLayerFigures   *scratch)
{
  guint n_inputs = analysis->offsets[index + 1] - analysis->offsets[index];
  /* most layers read one or a few: a report works out every layer again */
  const EnvelopeLayerFigures *few[8];
  g_autofree const EnvelopeLayerFigures **many = n_inputs > G_N_ELEMENTS (few) ? g_new (const EnvelopeLayerFigures *, n_inputs)
                                                                                : NULL;
  const EnvelopeLayerFigures **inputs = many != NULL ? many : few;
  gboolean ok;

  setup_inference (analysis, index, inputs, inf);
  memset (scratch, 0, sizeof *scratch);
  scratch->index = index;
  inf->out = scratch;
  ok = envelope_layer_kind_infer (inf, NULL);
  inf->inputs = NULL;   /* freed here */
  return ok;
}

/* Works out layer @index again with its formulas, and with the rules
 * they follow when @rules is given. */
static char **
explain_layer (const EnvelopeAnalysis *analysis,
               guint                   index,
               char                  **rules)
{
  EnvelopeLayerFigures scratch;
  EnvelopeInference inf = { 0 };
  char **formulas;

  formulas = g_new0 (char *, ENVELOPE_N_FIGURES + 1);
  if (analysis->layers[index].state != ENVELOPE_LAYER_ANALYSED)
    return formulas;
  inf.formulas = formulas;
  inf.rules = rules;
  if (!infer_again (analysis, index, &inf, &scratch) ||
      !apply_sharing (analysis, index, &scratch, formulas, NULL, NULL))
    g_warn_if_reached ();
  /* a weight count shared with another layer has no rule of its own */
  if (rules != NULL && scratch.shares >= 0)
    g_clear_pointer (&rules[ENVELOPE_FIGURE_WEIGHTS], g_free);
  return formulas;
}

/* The worked formula of every figure of layer @index, indexed by
 * EnvelopeFigure, NULL where a figure has none; free it with
 * envelope_formulas_free(). */
char **
envelope_analysis_explain_layer (const EnvelopeAnalysis *analysis,
                                 guint                   index)
{
  g_return_val_if_fail (index < analysis->n_layers, NULL);
  return explain_layer (analysis, index, NULL);
}

/* ------------------------------------------------------------------ */
/* Formulas of layers worked out alike                                 */

/* A report's formulas, layer by layer, are most of its time: a chain of
 * a million layers worked them all out again.  But most layers of a
 * long network repeat another's settings on inputs of the same shapes
 * (every conv of a stage, every block of a transformer), and then every
 * formula but the receptive field's is the same text: the receptive
 * field grows from layer to layer, the rest follows from the settings
 * and the inputs' figures alone.  So the last few layers' other formulas
 * are kept, with what they follow from, and a layer that matches one
 * works out its receptive field's alone. */
#define FORMULA_CACHE_ENTRIES 8

typedef struct
{
  guint8 *key;               /* what the formulas follow from, or NULL: an empty entry */
  gsize key_len;
  char *formulas[ENVELOPE_N_FIGURES];  /* the receptive field's are NULL */
  guint receptive;           /* which of the receptive field's figures had a formula (bits by figure) */
  guint64 number;            /* the entry's key, as a number no other key in the cache had */
} FormulaCacheEntry;

/* A key as it is made, in a buffer kept from layer to layer. */
typedef struct
{
  guint8 *data;
  gsize len;
  gsize size;
} FormulaKey;

static inline void
key_put (FormulaKey    *key,
         gconstpointer  data,
         gsize          n)
{
  if (key->len + n > key->size)
    {
      key->size = MAX (2 * key->size, key->len + n);
      key->data = g_realloc (key->data, key->size);
    }
  memcpy (key->data + key->len, data, n);
  key->len += n;
}

struct _EnvelopeFormulaCache
{
  const EnvelopeAnalysis *analysis;
  FormulaKey key;
  FormulaCacheEntry entries[FORMULA_CACHE_ENTRIES];
  guint next;                /* the entry the next new key takes */
  guint last;                /* the entry matched or filled last: looked at first */
  guint64 numbers;           /* the keys the cache has held */
  guint64 match;             /* the number of the last layer's key, or 0 */
  char *own[ENVELOPE_N_FIGURES + 1];   /* the last layer's formulas that no entry keeps */
  const char *result[ENVELOPE_N_FIGURES + 1];
};

EnvelopeFormulaCache *
envelope_formula_cache_new (const EnvelopeAnalysis *analysis)
{
  EnvelopeFormulaCache *cache = g_new0 (EnvelopeFormulaCache, 1);

  cache->analysis = analysis;
  return cache;
}

static void
formula_cache_entry_clear (FormulaCacheEntry *entry)
{
  g_clear_pointer (&entry->key, g_free);
  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    g_clear_pointer (&entry->formulas[k], g_free);
}

static void
formula_cache_clear_own (EnvelopeFormulaCache *cache)
{
  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    g_clear_pointer (&cache->own[k], g_free);
}

void
envelope_formula_cache_free (EnvelopeFormulaCache *cache)
{
  if (cache == NULL)
    return;
  for (guint e = 0; e < FORMULA_CACHE_ENTRIES; e++)
    formula_cache_entry_clear (&cache->entries[e]);
  formula_cache_clear_own (cache);
  g_free (cache->key.data);
  g_free (cache);
}

/* What a kind reads of an input: its shape, as it is laid out; field
 * by field, so that no padding byte is read. */
static void
key_add_shape (FormulaKey                 *key,
               const EnvelopeLayerFigures *f)
{
  guint32 head[2] = { f->rank, f->layout };

  key_put (key, head, sizeof head);
  key_put (key, &f->activations, sizeof f->activations);
  key_put (key, f->shape, MIN (f->rank, ENVELOPE_MAX_RANK) * sizeof f->shape[0]);
}

/* A layer's own figures but its receptive field and where it stands
 * (its index, its inputs, the layer it shares with). */
static void
key_add_figures (FormulaKey                 *key,
                 const EnvelopeLayerFigures *f)
{
  guint32 head[2] = { f->n_inputs, (guint32) f->saves << 16 | (guint32) f->state << 8 | f->type };

  key_put (key, head, sizeof head);
  key_put (key, &f->activations,
           G_STRUCT_OFFSET (EnvelopeLayerFigures, shape) - G_STRUCT_OFFSET (EnvelopeLayerFigures, activations));
  key_add_shape (key, f);
}

/* What layer @index's formulas other than the receptive field's follow
 * from: its kind and settings as stored (two layers alike in all but
 * unused bytes only miss each other), its inputs' shapes and its own
 * figures.  FALSE for a layer whose formulas name another layer. */
static gboolean
formula_key (const EnvelopeAnalysis *analysis,
             guint                   index,
             FormulaKey             *key)
{
  const EnvelopeLayer *layer = g_ptr_array_index (analysis->network->layers, index);
  gsize settings = G_STRUCT_OFFSET (EnvelopeLayer, set);
  guint32 type = layer->type;

  if (layer->shares != NULL || analysis->layers[index].state != ENVELOPE_LAYER_ANALYSED)
    return FALSE;
  key->len = 0;
  key_put (key, &type, sizeof type);
  key_put (key, (const guint8 *) layer + settings, envelope_layer_get_size (layer->type) - settings);
  if (layer->operator_name != NULL)
    key_put (key, layer->operator_name, strlen (layer->operator_name) + 1);
  else
    key_put (key, "\xff", 1);   /* no text begins so */
  for (guint k = analysis->offsets[index]; k < analysis->offsets[index + 1]; k++)
    key_add_shape (key, &analysis->layers[analysis->indices[k]]);
  key_add_figures (key, &analysis->layers[index]);
  return TRUE;
}

static guint
receptive_formulas (char *const *formulas)
{
  guint bits = 0;

  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    if (formulas[k] != NULL && envelope_figure_is_receptive_field (k))
      bits |= 1u << k;
  return bits;
}

/* Layer @index's formulas worked out whole, the receptive field's kept
 * in @cache->own and the others in @entry, or all in @cache->own. */
static void
formula_cache_explain_whole (EnvelopeFormulaCache *cache,
                             guint                 index,
                             FormulaCacheEntry    *entry)
{
  char **formulas = explain_layer (cache->analysis, index, NULL);

  if (entry != NULL)
    entry->receptive = receptive_formulas (formulas);
  for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
    {
      char **slot = entry == NULL || envelope_figure_is_receptive_field (k) ? &cache->own[k] : &entry->formulas[k];

      *slot = formulas[k];
      cache->result[k] = formulas[k];
    }
  g_free (formulas);
}

/**
 * envelope_formula_cache_explain:
 *
 * Layer @index's formulas, as envelope_analysis_explain_layer() gives
 * them, indexed by EnvelopeFigure; @cache keeps them until its next call.
 */
const char *const *
envelope_formula_cache_explain (EnvelopeFormulaCache *cache,
                                guint                 index)
{
  const EnvelopeAnalysis *analysis = cache->analysis;
  FormulaCacheEntry *entry = NULL;

  g_return_val_if_fail (index < analysis->n_layers, NULL);

  formula_cache_clear_own (cache);
  cache->match = 0;
  if (!formula_key (analysis, index, &cache->key))
    {
      formula_cache_explain_whole (cache, index, NULL);
      return cache->result;
    }
  for (guint n = 0; n < FORMULA_CACHE_ENTRIES && entry == NULL; n++)
    {
      FormulaCacheEntry *e = &cache->entries[(cache->last + n) % FORMULA_CACHE_ENTRIES];

      if (e->key != NULL && e->key_len == cache->key.len && memcmp (e->key, cache->key.data, e->key_len) == 0)
        entry = e;
    }

  if (entry != NULL)
    {
      EnvelopeLayerFigures scratch;
      EnvelopeInference inf = { 0 };

      cache->last = (guint) (entry - cache->entries);
      inf.formulas = cache->own;
      inf.receptive_field_only = TRUE;
      if (!infer_again (analysis, index, &inf, &scratch))
        g_warn_if_reached ();
      if (G_LIKELY (receptive_formulas (cache->own) == entry->receptive))
        {
          for (guint k = 0; k < ENVELOPE_N_FIGURES; k++)
            cache->result[k] = envelope_figure_is_receptive_field (k) ? cache->own[k] : entry->formulas[k];
          cache->match = entry->number;
          return cache->result;
        }
      /* a kind wrote a receptive field's formula as explaining() asks:
       * the layer is worked out whole, as it would be without a cache */
      g_critical ("layer %u: its receptive field's formulas differ when worked out alone", index);
      formula_cache_clear_own (cache);
      formula_cache_explain_whole (cache, index, NULL);
      return cache->result;
    }

  entry = &cache->entries[cache->next];
  cache->last = cache->next;
  cache->next = (cache->next + 1) % FORMULA_CACHE_ENTRIES;
  formula_cache_entry_clear (entry);
  entry->key = g_memdup2 (cache->key.data, cache->key.len);
  entry->key_len = cache->key.len;
  entry->number = cache->match = ++cache->numbers;
  formula_cache_explain_whole (cache, index, entry);
  return cache->result;
}

/**
 * envelope_formula_cache_get_match:
 *
 * What the layer last explained was matched with, as a number: two
 * layers with the same number other than 0 are of the same kind and
 * settings, read inputs of the same shapes and have the same figures
 * but their receptive fields, and so the same formulas but the
 * receptive field's.  0 for a layer worked out on its own.
 */
guint64
envelope_formula_cache_get_match (EnvelopeFormulaCache *cache)
{
  return cache->match;
}

/**
 * envelope_analysis_get_padding:
 *
 * The padding of layer @index as worked out, before and after each
 * spatial axis ("same" split with its smaller half first; a crop's as a
 * negative padding); 0 where the layer pads nothing.  Made again on
 * request, as the worked formulas are, rather than kept for every layer.
 * FALSE for a layer without figures.
 */
gboolean
envelope_analysis_get_padding (const EnvelopeAnalysis *analysis,
                               guint                   index,
                               gint64                  before[ENVELOPE_MAX_SPATIAL],
                               gint64                  after[ENVELOPE_MAX_SPATIAL])
{
  EnvelopeLayerFigures scratch;
  EnvelopeInference inf = { 0 };

  g_return_val_if_fail (index < analysis->n_layers, FALSE);
  memset (before, 0, ENVELOPE_MAX_SPATIAL * sizeof (gint64));
  memset (after, 0, ENVELOPE_MAX_SPATIAL * sizeof (gint64));
  if (analysis->layers[index].state != ENVELOPE_LAYER_ANALYSED)
    return FALSE;
  inf.pad_before = before;
  inf.pad_after = after;
  if (!infer_again (analysis, index, &inf, &scratch))
    g_warn_if_reached ();
  return TRUE;
}

/**
 * envelope_analysis_explain_rules:
 *
 * The rule each worked formula of layer @index follows, in symbols, as
 * the lecture writes it: "weights = depth_n × (kernel_h × kernel_w) ×
 * depth_(n−1)" above "32 × (3 × 3) × 1 = 288".  Indexed by
 * EnvelopeFigure, NULL where a figure has no rule; free it with
 * envelope_formulas_free().
 */
char **
envelope_analysis_explain_rules (const EnvelopeAnalysis *analysis,
                                 guint                   index)
{
  char **rules;

  g_return_val_if_fail (index < analysis->n_layers, NULL);
  rules = g_new0 (char *, ENVELOPE_N_FIGURES + 1);
  envelope_formulas_free (explain_layer (analysis, index, rules));
  return rules;
}

/**
 * envelope_analysis_set_units:
 *
 * How the explanations write a size after its bytes: "(3.10 MiB)", the
 * default, or "(3.26 MB)".  The figures are the same.
 */
void
envelope_analysis_set_units (EnvelopeAnalysis *analysis,
                             EnvelopeUnits     units)
{
  g_return_if_fail (analysis != NULL);
  analysis->units = units;
}

static void
append_bytes (const EnvelopeAnalysis *analysis,
              GString                *out,
              guint64                 bytes)
{
  g_autofree char *human = NULL;

  envelope_format_append_count (out, bytes);
  g_string_append (out, " B");
  if (bytes < (analysis->units == ENVELOPE_UNITS_SI ? 1000 : 1024))
    return;
  human = envelope_format_bytes (bytes, analysis->units);
  g_string_append_printf (out, " (%s)", human);
}

/* Where a moment of the step is, in words: "the backward pass of conv1". */
char *
envelope_analysis_describe_moment (const EnvelopeAnalysis *analysis,
                                   EnvelopeStepPhase       phase,
                                   gint                    layer)
{
  const char *name = layer >= 0 ? ((const EnvelopeLayer *) g_ptr_array_index (analysis->network->layers, layer))->name : NULL;

  switch (phase)
    {
    case ENVELOPE_STEP_FORWARD:
      return name != NULL ? g_strdup_printf (_("the forward pass of %s"), name)
                          : g_strdup (_("the start of the forward pass"));
    case ENVELOPE_STEP_LOSS:
      return g_strdup (_("the loss, at the end of the forward pass"));
    case ENVELOPE_STEP_BACKWARD:
      return name != NULL ? g_strdup_printf (_("the backward pass of %s"), name)
                          : g_strdup (_("the start of the backward pass"));
    case ENVELOPE_STEP_OPTIMIZER:
    default:
      return g_strdup (_("the optimizer step"));
    }
}

/* "813,802 × 4 B = 3,255,208 B (3.10 MiB)" and the like. */
char *
envelope_analysis_explain_memory (const EnvelopeAnalysis *analysis,
                                  EnvelopeMemoryTerm      term)
{
  const EnvelopeTotals *t = &analysis->totals;
  const EnvelopeMemory *m = &analysis->memory;
  GString *out = g_string_new (NULL);
  guint b = m->bytes_per_value;

  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  switch (term)
    {
    case ENVELOPE_MEMORY_PARAMETERS:
      envelope_format_append_count (out, t->params);
      g_string_append_printf (out, " × %u", b);
      if (m->mixed_precision)
        {
          g_string_append (out, " + ");
          envelope_format_append_count (out, t->trainable_params);
          g_string_append (out, _(" × 4 (fp32 master copy)"));
        }
      break;
    case ENVELOPE_MEMORY_GRADIENTS:
      envelope_format_append_count (out, t->trainable_params);
      g_string_append_printf (out, m->mixed_precision ? _(" trainable × 4 (fp32)") : _(" trainable × %u"), b);
      break;
    case ENVELOPE_MEMORY_OPTIMIZER_STATE:
      envelope_format_append_count (out, t->trainable_params);
      g_string_append_printf (out, ngettext (" trainable × %u slot (%s) × 4", " trainable × %u slots (%s) × 4",
                                             envelope_optimizer_get_slots (m->optimizer)),
                              envelope_optimizer_get_slots (m->optimizer),
                              envelope_optimizer_to_string (m->optimizer));
      break;
    case ENVELOPE_MEMORY_LAYER_OUTPUTS:
    case ENVELOPE_MEMORY_ERROR_SIGNALS:
      envelope_format_append_count (out, t->activations_all);
      g_string_append (out, _(" values (all outputs)"));
      g_string_append (out, " × ");
      envelope_format_append_count (out, m->batch);
      g_string_append_printf (out, _(" batch × %u"), b);
      break;
    case ENVELOPE_MEMORY_WORKSPACE:
      if (t->workspace_layer < 0)
        {
          g_string_append (out, _("no convolution, no im2col buffer: 0 B"));
          return g_string_free (out, FALSE);
        }
      envelope_format_append_count (out, t->workspace);
      g_string_append_printf (out, _(" values (im2col of \"%s\", one sample) × %u"),
                              ((EnvelopeLayer *) g_ptr_array_index (analysis->network->layers,
                                                                    t->workspace_layer))->name, b);
      break;
    case ENVELOPE_N_MEMORY_TERMS:
    default:
      g_assert_not_reached ();
    }
  g_string_append (out, " = ");
  append_bytes (analysis, out, m->train[term]);
  return g_string_free (out, FALSE);
}

/**
 * envelope_analysis_explain_memory_rule:
 *
 * The rule a train-time memory term follows, in symbols, for the
 * network's term and each layer's share alike: "bytes = trainable ×
 * slots × 4" above "813,802 trainable × 1 slot (sgd_momentum) × 4 = …".
 */
char *
envelope_analysis_explain_memory_rule (const EnvelopeAnalysis *analysis,
                                       EnvelopeMemoryTerm      term)
{
  gboolean mixed = analysis->memory.mixed_precision;

  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  switch (term)
    {
    case ENVELOPE_MEMORY_PARAMETERS:
      return g_strdup (mixed ? _("bytes = params × bytes per value + trainable × 4 (fp32 master copy)")
                             : _("bytes = params × bytes per value"));
    case ENVELOPE_MEMORY_GRADIENTS:
      return g_strdup (mixed ? _("bytes = trainable × 4 (fp32)") : _("bytes = trainable × bytes per value"));
    case ENVELOPE_MEMORY_OPTIMIZER_STATE:
      return g_strdup (_("bytes = trainable × slots × 4"));
    case ENVELOPE_MEMORY_LAYER_OUTPUTS:
      return g_strdup (_("bytes = output values × batch × bytes per value"));
    case ENVELOPE_MEMORY_ERROR_SIGNALS:
      return g_strdup (_("bytes = output values × batch × bytes per value (one error signal per output value)"));
    case ENVELOPE_MEMORY_WORKSPACE:
      return g_strdup (_("bytes = im2col values × bytes per value"));
    case ENVELOPE_N_MEMORY_TERMS:
    default:
      g_assert_not_reached ();
    }
}

char *
envelope_analysis_explain_test (const EnvelopeAnalysis *analysis)
{
  const EnvelopeTotals *t = &analysis->totals;
  const EnvelopeMemory *m = &analysis->memory;
  GString *out = g_string_new (NULL);

  envelope_format_append_count (out, t->params);
  g_string_append_printf (out, _(" params × %u + "), m->bytes_per_value);
  envelope_format_append_count (out, t->activations_peak);
  g_string_append (out, _(" peak live values × "));
  envelope_format_append_count (out, m->batch);
  g_string_append_printf (out, _(" batch × %u + "), m->bytes_per_value);
  envelope_format_append_count (out, t->workspace);
  g_string_append_printf (out, _(" workspace values × %u = "), m->bytes_per_value);
  append_bytes (analysis, out, m->test.total);
  return g_string_free (out, FALSE);
}

/**
 * envelope_describe_steps:
 *
 * How a batch of @batch samples splits into steps of at most
 * @micro_batch, exactly: "25 steps of 10 and one of 6", "32 steps of 8",
 * "one step of 256".  Every front end says the split with these words.
 */
char *
envelope_describe_steps (guint64 batch,
                         guint64 micro_batch)
{
  g_autofree char *size = NULL;
  g_autofree char *count = NULL;
  g_autofree char *rest = NULL;
  guint64 full, remainder;

  g_return_val_if_fail (micro_batch > 0, NULL);

  if (micro_batch >= batch)
    {
      size = envelope_format_count (batch);
      return g_strdup_printf (_("one step of %s"), size);
    }
  full = batch / micro_batch;
  remainder = batch % micro_batch;
  size = envelope_format_count (micro_batch);
  count = envelope_format_count (full);
  if (remainder == 0)
    return g_strdup_printf (ngettext ("%s step of %s", "%s steps of %s", full), count, size);
  rest = envelope_format_count (remainder);
  return g_strdup_printf (ngettext ("%s step of %s and one of %s", "%s steps of %s and one of %s", full),
                          count, size, rest);
}

/* How the largest batch follows from the memory budget, and the plan. */
char *
envelope_analysis_explain_fit (const EnvelopeAnalysis *analysis)
{
  const EnvelopeFit *fit = &analysis->fit;
  GString *out = g_string_new (NULL);
  gboolean pytorch = analysis->memory.model == ENVELOPE_MEMORY_MODEL_PYTORCH;
  guint64 budget;

  if (fit->device_memory == 0)
    {
      g_string_append (out, _("no device or memory budget given"));
      return g_string_free (out, FALSE);
    }
  budget = fit->device_memory > fit->reserved_memory ? fit->device_memory - fit->reserved_memory : 0;
  if (budget == 0)
    {
      g_string_append (out, _("max batch = 0: the reserved memory takes the whole device"));
      return g_string_free (out, FALSE);
    }
  if (fit->bytes_per_sample == 0 && budget >= fit->fixed_bytes)
    {
      /* a network without layer outputs: the batch costs nothing */
      g_string_append (out, _("max batch: not bounded by memory: a sample adds nothing to it (no layer has an output)"));
      return g_string_free (out, FALSE);
    }
  g_string_append (out, _("max batch = ⌊("));
  envelope_format_append_count (out, fit->device_memory);
  if (fit->reserved_memory > 0)
    {
      g_string_append (out, " − ");
      envelope_format_append_count (out, fit->reserved_memory);
    }
  g_string_append (out, " − ");
  envelope_format_append_count (out, fit->fixed_bytes);
  g_string_append (out, _(" fixed) / "));
  envelope_format_append_count (out, fit->bytes_per_sample);
  g_string_append (out, pytorch ? _(" per sample, the allocator's fragmentation (1/20) included⌋ = ")
                                : _(" per sample⌋ = "));
  if (budget < fit->fixed_bytes)
    {
      g_autofree char *need = envelope_format_bytes (fit->fixed_bytes, analysis->units);
      g_autofree char *have = envelope_format_bytes (budget, analysis->units);
      g_string_append_printf (out, pytorch
                                ? _("0: the parameters, optimizer state, gradients, workspace and CUDA context alone need %s, "
                                    "more than the %s available")
                                : _("0: the parameters, gradients, optimizer state and workspace alone need %s, "
                                    "more than the %s available"), need, have);
      return g_string_free (out, FALSE);
    }
  envelope_format_append_count (out, fit->max_batch);
  if (pytorch)
    {
      g_autofree char *where = envelope_analysis_describe_moment (analysis, analysis->pytorch_line_phase, analysis->pytorch_line_layer);
      g_string_append_printf (out, _(" (PyTorch: the tightest moment is %s)"), where);
    }
  if (fit->max_batch == 0)
    {
      g_autofree char *need = envelope_format_bytes (fit->bytes_per_sample, analysis->units);
      g_string_append_printf (out, pytorch ? _(": one sample's activations and gradients (%s) do not fit")
                                           : _(": one sample's layer outputs and error signals (%s) do not fit"), need);
      return g_string_free (out, FALSE);
    }
  if (fit->steps == 1)
    {
      g_string_append (out, _("; batch "));
      envelope_format_append_count (out, fit->target_batch);
      g_string_append (out, _(" fits in one step"));
    }
  else
    {
      g_string_append (out, _("; batch "));
      envelope_format_append_count (out, fit->target_batch);
      g_string_append (out, _(" splits into ⌈"));
      envelope_format_append_count (out, fit->target_batch);
      g_string_append (out, " / ");
      envelope_format_append_count (out, fit->max_batch);
      g_autofree char *split = envelope_describe_steps (fit->target_batch, fit->micro_batch);

      g_string_append (out, "⌉ = ");
      envelope_format_append_count (out, fit->steps);
      g_string_append_printf (out, _(" steps (%s), accumulating gradients into one update"), split);
    }
  return g_string_free (out, FALSE);
}

/* The factors of one layer's share of a train-time memory term: the
 * bytes are count × factor[0] × factor[1] (× factor[2]).  The shares of
 * all layers add up to the network's term. */
typedef struct
{
  guint64 count;
  guint64 factors[3];
  guint n_factors;
  guint64 extra;             /* the fp32 master copy under mixed precision */
} Share;

static Share
layer_share (const EnvelopeAnalysis *analysis,
             guint                   index,
             EnvelopeMemoryTerm      term)
{
  const EnvelopeLayerFigures *f = &analysis->layers[index];
  const EnvelopeMemory *m = &analysis->memory;
  Share share = { 0, { 1, 1, 1 }, 1, 0 };

  switch (term)
    {
    case ENVELOPE_MEMORY_PARAMETERS:
      share.count = f->params;
      share.factors[0] = m->bytes_per_value;
      share.extra = m->mixed_precision ? f->trainable : 0;
      break;
    case ENVELOPE_MEMORY_GRADIENTS:
      share.count = f->trainable;
      share.factors[0] = m->mixed_precision ? 4 : m->bytes_per_value;
      break;
    case ENVELOPE_MEMORY_OPTIMIZER_STATE:
      share.count = f->trainable;
      share.factors[0] = envelope_optimizer_get_slots (m->optimizer);
      share.factors[1] = 4;
      share.n_factors = 2;
      break;
    case ENVELOPE_MEMORY_LAYER_OUTPUTS:
    case ENVELOPE_MEMORY_ERROR_SIGNALS:
      /* what the layer holds inside (attention's scores) is kept and
       * differentiated as its output is; the totals count it too, so the
       * sum cannot overflow here */
      share.count = f->activations + f->internal;
      share.factors[0] = m->batch;
      share.factors[1] = m->bytes_per_value;
      share.n_factors = 2;
      break;
    case ENVELOPE_MEMORY_WORKSPACE:
      /* one buffer, as large as the largest layer needs, held by that layer */
      share.count = analysis->totals.workspace_layer == (gint) index ? f->workspace : 0;
      share.factors[0] = m->bytes_per_value;
      break;
    case ENVELOPE_N_MEMORY_TERMS:
    default:
      g_assert_not_reached ();
    }
  return share;
}

static gboolean
share_bytes (const Share *share,
             guint64     *bytes)
{
  guint64 total = share->count, extra;

  for (guint i = 0; i < share->n_factors; i++)
    if (!g_uint64_checked_mul (&total, total, share->factors[i]))
      return FALSE;
  if (!g_uint64_checked_mul (&extra, share->extra, 4))
    return FALSE;
  return g_uint64_checked_add (bytes, total, extra);
}

/* Layer @index's share of each train-time term, in bytes: where the
 * memory goes, layer by layer.  FALSE when a share overflows (it cannot
 * when the analysis itself succeeded, since the totals did not). */
gboolean
envelope_analysis_layer_memory (const EnvelopeAnalysis *analysis,
                                guint                   index,
                                guint64                 bytes[ENVELOPE_N_MEMORY_TERMS])
{
  g_return_val_if_fail (index < analysis->n_layers, FALSE);

  for (guint t = 0; t < ENVELOPE_N_MEMORY_TERMS; t++)
    {
      Share share = layer_share (analysis, index, t);
      if (!share_bytes (&share, &bytes[t]))
        return FALSE;
    }
  return TRUE;
}

/* "9,248 × 4 = 36,992 B", "25,088 × 64 batch × 4 = 6,422,528 B (6.13 MiB)" */
char *
envelope_analysis_explain_layer_memory (const EnvelopeAnalysis *analysis,
                                        guint                   index,
                                        EnvelopeMemoryTerm      term)
{
  Share share;
  GString *out;
  guint64 bytes = 0;

  g_return_val_if_fail (index < analysis->n_layers, NULL);
  g_return_val_if_fail (term < ENVELOPE_N_MEMORY_TERMS, NULL);

  share = layer_share (analysis, index, term);
  if (!share_bytes (&share, &bytes))
    return g_strdup (_("overflows 64 bits"));
  out = g_string_new (NULL);
  if (term == ENVELOPE_MEMORY_WORKSPACE && share.count == 0)
    {
      g_string_append (out, analysis->layers[index].workspace > 0
                              ? _("0 B: a larger convolution's buffer serves this one")
                              : _("0 B: no convolution buffer"));
      return g_string_free (out, FALSE);
    }
  if ((term == ENVELOPE_MEMORY_LAYER_OUTPUTS || term == ENVELOPE_MEMORY_ERROR_SIGNALS) &&
      analysis->layers[index].internal > 0)
    {
      g_string_append_c (out, '(');
      envelope_format_append_count (out, analysis->layers[index].activations);
      g_string_append (out, " + ");
      envelope_format_append_count (out, analysis->layers[index].internal);
      g_string_append (out, _(" held inside"));
      g_string_append_c (out, ')');
    }
  else
    envelope_format_append_count (out, share.count);
  for (guint i = 0; i < share.n_factors; i++)
    {
      g_string_append (out, " × ");
      envelope_format_append_count (out, share.factors[i]);
    }
  if (share.extra > 0)
    {
      g_string_append (out, " + ");
      envelope_format_append_count (out, share.extra);
      g_string_append (out, _(" × 4 (fp32 master copy)"));
    }
  g_string_append (out, " = ");
  append_bytes (analysis, out, bytes);
  return g_string_free (out, FALSE);
}

/* Train-time bytes at another batch size, for plots of growth. */
gboolean
envelope_analysis_train_bytes_at (const EnvelopeAnalysis *analysis,
                                  guint64                 batch,
                                  guint64                *bytes)
{
  if (analysis->memory.model == ENVELOPE_MEMORY_MODEL_PYTORCH)
    {
      EnvelopeStepInput input;
      EnvelopeStepResult step;

      envelope_analysis_get_step_input (analysis, &input);
      if (!envelope_step_simulate (&input, batch, FALSE, 0, &step, NULL, NULL, NULL))
        return FALSE;
      *bytes = step.peak.total;
      return TRUE;
    }
  return envelope_analysis_lecture_bytes_at (analysis, batch, bytes);
}

void
envelope_analysis_get_step_input (const EnvelopeAnalysis *analysis,
                                  EnvelopeStepInput      *input)
{
  memset (input, 0, sizeof *input);
  input->network = analysis->network;
  input->layers = analysis->layers;
  input->n_layers = analysis->n_layers;
  input->training = &analysis->training;
  input->nodes = analysis->step_nodes;
  input->held = analysis->held;
}

/* The lecture model's train-time bytes at @batch, whichever model drives
 * the fit: the batch plot draws both. */
gboolean
envelope_analysis_lecture_bytes_at (const EnvelopeAnalysis *analysis,
                                    guint64                 batch,
                                    guint64                *bytes)
{
  guint64 grow;

  if (!g_uint64_checked_mul (&grow, analysis->lecture_per_sample, batch))
    return FALSE;
  return g_uint64_checked_add (bytes, analysis->lecture_fixed, grow);
}

/* Every moment of a training step at @batch under the PyTorch model,
 * forward, loss, backward and optimizer, in order. */
gboolean
envelope_analysis_step_timeline (const EnvelopeAnalysis *analysis,
                                 guint64                 batch,
                                 EnvelopeStepFunc        func,
                                 gpointer                user_data,
                                 GError                **error)
{
  EnvelopeStepInput input;
  EnvelopeStepResult step;

  g_return_val_if_fail (func != NULL, FALSE);
  envelope_analysis_get_step_input (analysis, &input);
  return envelope_step_simulate (&input, batch, FALSE, 0, &step, func, user_data, error);
}

/* Why the two models' figures differ, for the report and the app. */
char *
envelope_analysis_explain_models (const EnvelopeAnalysis *analysis,
                                  EnvelopeUnits           units)
{
  const EnvelopeMemory *m = &analysis->memory;
  g_autofree char *saved = envelope_format_bytes (m->pytorch.saved, units);
  g_autofree char *lecture = envelope_format_bytes (m->train_total, units);

  return g_strdup_printf (_("Autograd keeps %s for the backward pass. The lecture's model says %s: "
                            "it holds every layer output and every error signal at once, while "
                            "PyTorch keeps only what each derivative reads, lets in-place "
                            "activations share their input, and frees each layer's tensors once "
                            "its gradient is made."), saved, lecture);
}

/* The PyTorch model's terms at the peak, each with how it is made. */
char *
envelope_analysis_explain_step (const EnvelopeAnalysis *analysis,
                                EnvelopeStepTerm        term)
{
  const EnvelopeTotals *t = &analysis->totals;
  const EnvelopeMemory *m = &analysis->memory;
  const EnvelopeStepPoint *peak = &m->pytorch.peak;
  GString *out = g_string_new (NULL);
  g_autofree char *where = envelope_analysis_describe_moment (analysis, peak->phase, peak->layer);

  g_return_val_if_fail (term < ENVELOPE_N_STEP_TERMS, NULL);

  switch (term)
    {
    case ENVELOPE_STEP_PARAMETERS:
      envelope_format_append_count (out, t->params);
      g_string_append_printf (out, _(" values × %u, each tensor in blocks of 512 B"),
                              m->mixed_precision ? 4 : m->bytes_per_value);
      break;
    case ENVELOPE_STEP_OPTIMIZER_STATE:
      envelope_format_append_count (out, t->trainable_params);
      g_string_append_printf (out, ngettext (" trainable × %u slot (%s) × 4", " trainable × %u slots (%s) × 4",
                                             envelope_optimizer_get_slots (m->optimizer)),
                              envelope_optimizer_get_slots (m->optimizer),
                              envelope_optimizer_to_string (m->optimizer));
      break;
    case ENVELOPE_STEP_GRADIENTS:
      g_string_append_printf (out, _("the fp32 gradients of the layers whose backward has run by %s"), where);
      break;
    case ENVELOPE_STEP_SAVED_ACTIVATIONS:
      {
        g_autofree char *saved = envelope_format_bytes (m->pytorch.saved, analysis->units);
        g_string_append_printf (out, _("what autograd still keeps at %s, of the %s it saved in the forward pass"),
                                where, saved);
      }
      break;
    case ENVELOPE_STEP_BACKWARD_TRANSIENT:
      g_string_append_printf (out, _("the batch, the targets, outputs not kept and the gradients between layers at %s"),
                              where);
      break;
    case ENVELOPE_STEP_WORKSPACE:
      g_string_append (out, _("cuBLAS's workspaces (65 MiB once a network multiplies matrices) and "
                              "what a layer needs while it runs"));
      break;
    case ENVELOPE_STEP_CONTEXT:
      g_string_append (out, _("the CUDA context, as set"));
      break;
    case ENVELOPE_N_STEP_TERMS:
    default:
      g_assert_not_reached ();
    }
  g_string_append (out, " = ");
  append_bytes (analysis, out, peak->bytes[term]);
  return g_string_free (out, FALSE);
}

void
envelope_formulas_free (char **formulas)
{
  if (formulas == NULL)
    return;
  for (guint i = 0; i < ENVELOPE_N_FIGURES; i++)
    g_free (formulas[i]);
  g_free (formulas);
}
