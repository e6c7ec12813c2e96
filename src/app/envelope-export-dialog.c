/* envelope-export-dialog.c
 *
 * The figure is made as envelope-cli export makes it (envelope_fit_page()
 * and envelope_export_to_file()), from the view's colours and style and
 * the options here: the shape of the page it is fitted to, the width it
 * is shown at, its level of detail and its rows.  A preview of it, on a
 * page of that shape, is drawn in a worker thread a moment after the
 * last change, from a copy of the network; the file is written from the
 * document's own analysis, with the same options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "envelope-export-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "envelope-export.h"
#include "envelope-export-dialog.h"
#include "envelope-fit.h"
#include "envelope-format.h"
#include "envelope-renderer.h"

/* the preview's longer side, in pixels */
#define PREVIEW_SIZE 720
/* a preview waits this long for the next change */
#define PREVIEW_DELAY_MS 120

static const char *const format_names[] = { "png", "svg", "pdf", NULL };
static const char *const format_extensions[] = { ".png", ".svg", ".pdf" };
static const char *const format_mimes[] = { "image/png", "image/svg+xml", "application/pdf" };
static const char *const fit_names[] = { "16:9", "4:3", "a4", "free", NULL };
static const double fit_aspects[] = { 16.0 / 9.0, 4.0 / 3.0, 210.0 / 297.0, 0 };
static const char *const detail_names[] = { "auto", "layers", "blocks", "stages", NULL };
static const guint detail_depths[] = { 0, 0, 2, 1 };
static const char *const style_names[] = { "flat", "proportional", NULL };

struct _EnvelopeExportDialog
{
  AdwWindow parent_instance;

  EnvelopeDocument *document;
  EnvelopeCanvas *canvas;
  char *basename;

  /* template children */
  AdwComboRow *format_row;
  AdwComboRow *fit_row;
  AdwComboRow *detail_row;
  AdwComboRow *style_row;
  GtkSpinButton *max_width_spin;
  GtkSpinButton *wrap_spin;
  GtkSwitch *annotations_switch;
  GtkSwitch *transparent_switch;
  GtkPicture *preview;
  GtkSpinner *spinner;
  GtkLabel *size_label;

  /* the options, as indices into the tables above */
  guint format;
  guint fit;
  guint detail;
  guint style;
  guint max_width;
  guint wrap;
  gboolean annotations;
  gboolean transparent;

  guint preview_source;
  guint serial;                  /* of the options */
  guint shown_serial;            /* of the preview shown */
  GCancellable *cancellable;
  int preview_width;
  int preview_height;
  double figure_width;
  double figure_height;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EnvelopeExportDialog, envelope_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_FORMAT,
  PROP_FIT,
  PROP_MAX_WIDTH,
  PROP_DETAIL,
  PROP_WRAP,
  PROP_STYLE,
  PROP_ANNOTATIONS,
  PROP_TRANSPARENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* The figure                                                          */

/* Everything a figure is made from, owned, so that a worker thread can
 * have its own copy. */
typedef struct
{
  EnvelopeDiagramOptions diagram;
  EnvelopeRenderOptions render;
  gboolean *recomputed;
  EnvelopeFitGoal goal;
  EnvelopeExportFormat format;
} Figure;

static void
figure_clear (Figure *figure)
{
  g_clear_pointer (&figure->recomputed, g_free);
}

static void
figure_from_options (EnvelopeExportDialog *self,
                     Figure               *figure)
{
  const gboolean *recomputed;
  guint n_recomputed = 0;

  memset (figure, 0, sizeof *figure);
  envelope_canvas_get_figure_options (self->canvas, &figure->diagram, &figure->render);
  recomputed = envelope_canvas_get_recomputed (self->canvas, &n_recomputed);
  if (figure->render.recomputed != NULL && recomputed != NULL && n_recomputed > 0)
    figure->recomputed = g_memdup2 (recomputed, n_recomputed * sizeof *recomputed);
  figure->render.recomputed = figure->recomputed;

  figure->diagram.style = self->style == 1 ? ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL : ENVELOPE_DIAGRAM_STYLE_FLAT;
  figure->diagram.collapse_depth = detail_depths[self->detail];
  figure->diagram.wrap = self->wrap;
  envelope_fit_goal_init (&figure->goal);
  figure->goal.aspect = fit_aspects[self->fit];
  figure->goal.max_width = self->max_width;
  figure->goal.fixed_detail = self->detail != 0;
  envelope_fit_goal_set_style (&figure->goal, figure->diagram.style);
  /* a slide shows a run of the same blocks as one, and the runs of a
   * plain chain are groups for it, as envelope-cli export makes them */
  figure->diagram.fold_repeats = figure->goal.aspect > 0 || figure->diagram.collapse_depth > 0;
  figure->diagram.groups = figure->diagram.fold_repeats ? ENVELOPE_GROUPS_RUNS : ENVELOPE_GROUPS_DEFAULT;
  figure->render.show_title = figure->render.show_legend = figure->render.show_totals = self->annotations;
  figure->render.transparent = self->transparent;
  figure->format = (EnvelopeExportFormat) self->format;
}

/* The figure's diagram, layout and scale: a PNG as wide as the width
 * it is shown at (fitted to a page, the page's width). */
static gboolean
make_figure (const EnvelopeAnalysis *analysis,
             const Figure           *figure,
             EnvelopePageFit        *fit,
             EnvelopeExportOptions  *export,
             GError                **error)
{
  if (!envelope_fit_page (analysis, &figure->diagram, &figure->render, &figure->goal, fit, error))
    return FALSE;
  envelope_export_options_init (export);
  export->format = figure->format;
  if (figure->goal.aspect > 0)
    export->scale = CLAMP (fit->scale, 0.01, 64);
  else
    {
      EnvelopeExportOptions points = *export;
      double width, height;

      points.format = ENVELOPE_EXPORT_SVG;
      envelope_export_get_size (fit->diagram, fit->layout, &figure->render, &points, &width, &height);
      export->scale = CLAMP (MIN (export->scale, figure->goal.max_width / MAX (width, 1)), 0.01, 64);
    }
  return TRUE;
}

typedef struct
{
  EnvelopeNetwork *network;
  Figure figure;
  guint serial;
} PreviewJob;

typedef struct
{
  GBytes *pixels;
  int width;
  int height;
  int stride;
  double figure_width;
  double figure_height;
  guint collapse_depth;
  gboolean runs;             /* the groups collapsed are a plain chain's runs */
  guint rows;
  gboolean legible;
} Preview;

static void
preview_job_free (gpointer data)
{
  PreviewJob *job = data;

  envelope_network_free (job->network);
  figure_clear (&job->figure);
  g_free (job);
}

static void
preview_free (gpointer data)
{
  Preview *preview = data;

  g_bytes_unref (preview->pixels);
  g_free (preview);
}

/* A page of the slide's shape (or of the figure's own, unfitted), the
 * figure on it as it will sit on the slide. */
static void
preview_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  const Figure *figure = &job->figure;
  g_autoptr(EnvelopeAnalysis) analysis = NULL;
  g_autoptr(EnvelopeRenderer) renderer = NULL;
  EnvelopePageFit fit = { 0 };
  EnvelopeExportOptions export, points;
  GError *error = NULL;
  Preview *preview;
  cairo_surface_t *surface;
  cairo_t *cr;
  double page_width, page_height, aspect, scale;

  analysis = envelope_analysis_new_partial (job->network, NULL, NULL, &error);
  if (analysis == NULL || !make_figure (analysis, figure, &fit, &export, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  preview = g_new0 (Preview, 1);
  envelope_export_get_size (fit.diagram, fit.layout, &figure->render, &export,
                            &preview->figure_width, &preview->figure_height);
  preview->collapse_depth = fit.collapse_depth;
  if (fit.collapse_depth > 0 && (figure->diagram.groups & ENVELOPE_GROUPS_RUNS))
    {
      g_autoptr(EnvelopeGroups) named = envelope_groups_new (job->network, analysis);

      preview->runs = envelope_groups_get_depth (named) == 0;
    }
  preview->rows = fit.wrap;
  preview->legible = fit.legible;

  points = export;
  points.format = ENVELOPE_EXPORT_SVG;
  envelope_export_get_size (fit.diagram, fit.layout, &figure->render, &points, &page_width, &page_height);
  aspect = figure->goal.aspect > 0 ? figure->goal.aspect : page_width / MAX (page_height, 1);
  if (aspect >= 1)
    {
      preview->width = PREVIEW_SIZE;
      preview->height = MAX ((int) round (PREVIEW_SIZE / aspect), 1);
    }
  else
    {
      preview->height = PREVIEW_SIZE;
      preview->width = MAX ((int) round (PREVIEW_SIZE * aspect), 1);
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, preview->width, preview->height);
  cr = cairo_create (surface);
  /* the slide, white; a transparent figure over a light check */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (figure->render.transparent)
    {
      cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
      for (int y = 0; y < preview->height; y += 8)
        for (int x = (y / 8) % 2 * 8; x < preview->width; x += 16)
          cairo_rectangle (cr, x, y, 8, 8);
      cairo_fill (cr);
    }
  scale = MIN (preview->width / MAX (page_width, 1), preview->height / MAX (page_height, 1));
  cairo_translate (cr, (preview->width - page_width * scale) / 2, (preview->height - page_height * scale) / 2);
  cairo_scale (cr, scale, scale);
  renderer = envelope_renderer_new ();
  /* what reads in the file is drawn, however small the preview */
  envelope_renderer_draw_page (renderer, cr, fit.diagram, fit.layout, &figure->render,
                               export.format == ENVELOPE_EXPORT_PNG ? export.scale : 2.0);
  /* the slide's edge */
  cairo_identity_matrix (cr);
  cairo_rectangle (cr, 0.5, 0.5, preview->width - 1, preview->height - 1);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  preview->stride = cairo_image_surface_get_stride (surface);
  preview->pixels = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) preview->stride * preview->height);
  cairo_surface_destroy (surface);
  envelope_page_fit_clear (&fit);
  g_task_return_pointer (task, preview, preview_free);
}

static char *
describe_figure (EnvelopeExportDialog *self,
                 const Preview        *preview)
{
  g_autofree char *width = envelope_format_count ((guint64) preview->figure_width);
  g_autofree char *height = envelope_format_count ((guint64) preview->figure_height);
  g_autofree char *size = NULL;
  g_autofree char *rows = g_strdup_printf (ngettext ("%u row", "%u rows", preview->rows), preview->rows);
  const char *detail;
  GString *text;

  size = self->format == ENVELOPE_EXPORT_PNG
         ? g_strdup_printf (_("%s × %s pixels"), width, height)
         : g_strdup_printf (_("%s × %s points"), width, height);
  detail = preview->collapse_depth == 0 ? _("every layer")
         : preview->runs ? _("runs of layers")
         : preview->collapse_depth == 1 ? _("stages")
         : preview->collapse_depth == 2 ? _("blocks") : _("groups");
  text = g_string_new (NULL);
  /* TRANSLATORS: "1,920 × 1,080 pixels · blocks · 3 rows" */
  g_string_printf (text, _("%s · %s · %s"), size, detail, rows);
  if (!preview->legible)
    g_string_append_printf (text, "\n%s", _("Its text is smaller than reads at this width: show blocks or stages, "
                                            "or choose a larger width."));
  return g_string_free (text, FALSE);
}

static void
on_preview_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (source);
  guint serial = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  Preview *preview = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || serial != self->serial)
    {
      g_clear_pointer (&preview, preview_free);
      return;   /* a newer one is on its way */
    }
  gtk_spinner_stop (self->spinner);
  self->shown_serial = serial;
  if (preview == NULL)
    {
      text = g_strdup_printf (_("The figure cannot be made: %s"), error->message);
      gtk_picture_set_paintable (self->preview, NULL);
      gtk_label_set_text (self->size_label, text);
      self->preview_width = self->preview_height = 0;
      self->figure_width = self->figure_height = 0;
      return;
    }
  {
    g_autoptr(GdkTexture) texture = gdk_memory_texture_new (preview->width, preview->height, GDK_MEMORY_DEFAULT,
                                                            preview->pixels, (gsize) preview->stride);

    gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
  }
  self->preview_width = preview->width;
  self->preview_height = preview->height;
  self->figure_width = preview->figure_width;
  self->figure_height = preview->figure_height;
  text = describe_figure (self, preview);
  gtk_label_set_text (self->size_label, text);
  preview_free (preview);
}

static gboolean
start_preview (gpointer data)
{
  EnvelopeExportDialog *self = data;
  const EnvelopeAnalysis *analysis = envelope_document_get_analysis (self->document);
  g_autoptr(GTask) task = NULL;
  PreviewJob *job;

  self->preview_source = 0;
  if (analysis == NULL)
    {
      gtk_spinner_stop (self->spinner);
      self->shown_serial = self->serial;
      gtk_picture_set_paintable (self->preview, NULL);
      gtk_label_set_text (self->size_label, _("There is no diagram to export yet"));
      return G_SOURCE_REMOVE;
    }
  job = g_new0 (PreviewJob, 1);
  job->network = envelope_network_copy (envelope_analysis_get_network (analysis));
  figure_from_options (self, &job->figure);
  job->serial = self->serial;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_preview_ready, GUINT_TO_POINTER (self->serial));
  g_task_set_task_data (task, job, preview_job_free);
  g_task_run_in_thread (task, preview_thread);
  return G_SOURCE_REMOVE;
}

/* An option changed: a new preview, once the changes stop. */
static void
options_changed (EnvelopeExportDialog *self)
{
  self->serial++;
  gtk_spinner_start (self->spinner);
  g_clear_handle_id (&self->preview_source, g_source_remove);
  self->preview_source = g_timeout_add (PREVIEW_DELAY_MS, start_preview, self);
}

/* ------------------------------------------------------------------ */
/* Writing it                                                          */

/**
 * envelope_export_dialog_write:
 * @file: a local file; its name's extension says the format when it
 *   has one of .png, .svg and .pdf
 *
 * Writes the figure the options describe, as the preview shows it.
 */
gboolean
envelope_export_dialog_write (EnvelopeExportDialog *self,
                              GFile                *file,
                              GError              **error)
{
  const EnvelopeAnalysis *analysis;
  g_autofree char *path = NULL;
  EnvelopePageFit fit = { 0 };
  EnvelopeExportOptions export;
  EnvelopeExportFormat format;
  Figure figure;
  gboolean ok;

  g_return_val_if_fail (ENVELOPE_IS_EXPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only local files can be written"));
      return FALSE;
    }
  if (!envelope_export_format_from_path (path, &format))
    {
      g_set_error (error, ENVELOPE_EXPORT_ERROR, ENVELOPE_EXPORT_ERROR_FORMAT,
                   _("“%s” does not end in .png, .svg or .pdf"), path);
      return FALSE;
    }
  analysis = envelope_document_get_analysis (self->document);
  if (analysis == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no diagram to export yet"));
      return FALSE;
    }
  figure_from_options (self, &figure);
  figure.format = format;
  ok = make_figure (analysis, &figure, &fit, &export, error) &&
       envelope_export_to_file (fit.diagram, fit.layout, &figure.render, &export, path, error);
  envelope_page_fit_clear (&fit);
  figure_clear (&figure);
  return ok;
}

/* Writes @file and says so to the window, which shows the error or
 * offers to open the file; the dialog's work is then done. */
static void
write_and_report (EnvelopeExportDialog *self,
                  GFile                *file)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = envelope_export_dialog_write (self, file, &error);

  g_signal_emit (self, signals[EXPORTED], 0, file, error);
  if (ok)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_chooser_response (GtkNativeDialog      *chooser,
                     int                   response,
                     EnvelopeExportDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autofree char *path = NULL;

      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
      /* "figure" is "figure.png" when PNG is chosen */
      if (path != NULL && strrchr (path, '.') <= strrchr (path, '/'))
        {
          g_autofree char *full = g_strconcat (path, format_extensions[self->format], NULL);

          g_object_unref (file);
          file = g_file_new_for_path (full);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  if (file != NULL)
    write_and_report (self, file);
}

/* "export.choose": where to write it. */
static void
choose_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (widget);
  static const char *const filter_names[] = { N_("PNG image"), N_("SVG drawing"), N_("PDF document") };
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = g_strconcat (self->basename, format_extensions[self->format], NULL);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export Figure"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _(filter_names[self->format]));
  gtk_file_filter_add_mime_type (filter, format_mimes[self->format]);
  gtk_file_filter_add_suffix (filter, format_extensions[self->format] + 1);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* "export.write" s: the figure to a file named by the caller (a script,
 * a test), with no file chooser. */
static void
write_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (parameter, NULL));

  write_and_report (ENVELOPE_EXPORT_DIALOG (widget), file);
}

/* ------------------------------------------------------------------ */
/* Options: properties, actions and controls                           */

static guint
index_of (const char *const *names,
          const char        *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return i;
  return 0;
}

static void
set_choice (EnvelopeExportDialog *self,
            guint                *field,
            guint                 value,
            AdwComboRow          *row,
            GParamSpec           *pspec)
{
  if (*field == value)
    return;
  *field = value;
  if (adw_combo_row_get_selected (row) != value)
    adw_combo_row_set_selected (row, value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
  options_changed (self);
}

static void
set_number (EnvelopeExportDialog *self,
            guint                *field,
            guint                 value,
            GtkSpinButton        *spin,
            GParamSpec           *pspec)
{
  if (*field == value)
    return;
  *field = value;
  if ((guint) gtk_spin_button_get_value_as_int (spin) != value)
    gtk_spin_button_set_value (spin, value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
  options_changed (self);
}

static void
set_switch (EnvelopeExportDialog *self,
            gboolean             *field,
            gboolean              value,
            GtkSwitch            *toggle,
            GParamSpec           *pspec)
{
  value = value != FALSE;
  if (*field == value)
    return;
  *field = value;
  if (gtk_switch_get_active (toggle) != value)
    gtk_switch_set_active (toggle, value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
  options_changed (self);
}

static void
envelope_export_dialog_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      set_choice (self, &self->format, index_of (format_names, g_value_get_string (value)), self->format_row, pspec);
      break;
    case PROP_FIT:
      set_choice (self, &self->fit, index_of (fit_names, g_value_get_string (value)), self->fit_row, pspec);
      break;
    case PROP_DETAIL:
      set_choice (self, &self->detail, index_of (detail_names, g_value_get_string (value)), self->detail_row, pspec);
      break;
    case PROP_STYLE:
      set_choice (self, &self->style, index_of (style_names, g_value_get_string (value)), self->style_row, pspec);
      break;
    case PROP_MAX_WIDTH:
      set_number (self, &self->max_width, g_value_get_uint (value), self->max_width_spin, pspec);
      break;
    case PROP_WRAP:
      set_number (self, &self->wrap, g_value_get_uint (value), self->wrap_spin, pspec);
      break;
    case PROP_ANNOTATIONS:
      set_switch (self, &self->annotations, g_value_get_boolean (value), self->annotations_switch, pspec);
      break;
    case PROP_TRANSPARENT:
      set_switch (self, &self->transparent, g_value_get_boolean (value), self->transparent_switch, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
envelope_export_dialog_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_string (value, format_names[self->format]);
      break;
    case PROP_FIT:
      g_value_set_string (value, fit_names[self->fit]);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, detail_names[self->detail]);
      break;
    case PROP_STYLE:
      g_value_set_string (value, style_names[self->style]);
      break;
    case PROP_MAX_WIDTH:
      g_value_set_uint (value, self->max_width);
      break;
    case PROP_WRAP:
      g_value_set_uint (value, self->wrap);
      break;
    case PROP_ANNOTATIONS:
      g_value_set_boolean (value, self->annotations);
      break;
    case PROP_TRANSPARENT:
      g_value_set_boolean (value, self->transparent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_choice_selected (AdwComboRow          *row,
                    GParamSpec           *pspec,
                    EnvelopeExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (row);
  const char *const *names = row == self->format_row ? format_names
                           : row == self->fit_row ? fit_names
                           : row == self->detail_row ? detail_names : style_names;
  const char *property = row == self->format_row ? "format"
                       : row == self->fit_row ? "fit"
                       : row == self->detail_row ? "detail" : "style";

  if (selected < g_strv_length ((char **) names))
    g_object_set (self, property, names[selected], NULL);
}

static void
on_number_changed (GtkSpinButton        *spin,
                   EnvelopeExportDialog *self)
{
  g_object_set (self, spin == self->wrap_spin ? "wrap" : "max-width",
                (guint) gtk_spin_button_get_value_as_int (spin), NULL);
}

static void
on_switch_toggled (GtkSwitch            *toggle,
                   GParamSpec           *pspec,
                   EnvelopeExportDialog *self)
{
  g_object_set (self, toggle == self->transparent_switch ? "transparent" : "annotations",
                gtk_switch_get_active (toggle), NULL);
}

static void
on_document_changed (EnvelopeDocument     *document,
                     guint                 change,
                     EnvelopeExportDialog *self)
{
  options_changed (self);
}

/* ------------------------------------------------------------------ */

static void
envelope_export_dialog_dispose (GObject *object)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (object);

  g_clear_handle_id (&self->preview_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_clear_object (&self->canvas);
  gtk_widget_dispose_template (GTK_WIDGET (self), ENVELOPE_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (envelope_export_dialog_parent_class)->dispose (object);
}

static void
envelope_export_dialog_finalize (GObject *object)
{
  EnvelopeExportDialog *self = ENVELOPE_EXPORT_DIALOG (object);

  g_free (self->basename);

  G_OBJECT_CLASS (envelope_export_dialog_parent_class)->finalize (object);
}

static void
envelope_export_dialog_class_init (EnvelopeExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = envelope_export_dialog_dispose;
  object_class->finalize = envelope_export_dialog_finalize;
  object_class->set_property = envelope_export_dialog_set_property;
  object_class->get_property = envelope_export_dialog_get_property;

  properties[PROP_FORMAT] =
    g_param_spec_string ("format", NULL, NULL, "png",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FIT] =
    g_param_spec_string ("fit", NULL, NULL, "16:9",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, "auto",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STYLE] =
    g_param_spec_string ("style", NULL, NULL, "flat",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_WIDTH] =
    g_param_spec_uint ("max-width", NULL, NULL, 100, 32767, 1920,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WRAP] =
    g_param_spec_uint ("wrap", NULL, NULL, 0, 64, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ANNOTATIONS] =
    g_param_spec_boolean ("annotations", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TRANSPARENT] =
    g_param_spec_boolean ("transparent", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EnvelopeExportDialog::exported:
   * @file: what was written, or was to be
   * @error: (nullable): a GError when it could not be written
   */
  signals[EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/envelope/Envelope/envelope-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, fit_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, detail_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, style_row);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, max_width_spin);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, wrap_spin);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, annotations_switch);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, transparent_switch);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, EnvelopeExportDialog, size_label);

  gtk_widget_class_install_property_action (widget_class, "export.format", "format");
  gtk_widget_class_install_property_action (widget_class, "export.fit", "fit");
  gtk_widget_class_install_property_action (widget_class, "export.detail", "detail");
  gtk_widget_class_install_property_action (widget_class, "export.style", "style");
  gtk_widget_class_install_property_action (widget_class, "export.max-width", "max-width");
  gtk_widget_class_install_property_action (widget_class, "export.wrap", "wrap");
  gtk_widget_class_install_property_action (widget_class, "export.annotations", "annotations");
  gtk_widget_class_install_property_action (widget_class, "export.transparent", "transparent");
  gtk_widget_class_install_action (widget_class, "export.choose", NULL, choose_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "export.choose", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "export.choose", NULL);
  gtk_widget_class_install_action (widget_class, "export.write", "s", write_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
envelope_export_dialog_init (EnvelopeExportDialog *self)
{
  self->fit = 0;
  self->max_width = 1920;
  self->annotations = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self->format_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->fit_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->detail_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->style_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->max_width_spin, "value-changed", G_CALLBACK (on_number_changed), self);
  g_signal_connect (self->wrap_spin, "value-changed", G_CALLBACK (on_number_changed), self);
  g_signal_connect (self->annotations_switch, "notify::active", G_CALLBACK (on_switch_toggled), self);
  g_signal_connect (self->transparent_switch, "notify::active", G_CALLBACK (on_switch_toggled), self);
}

/**
 * envelope_export_dialog_new:
 * @basename: the file's suggested name, without its extension
 *
 * The figure starts from the view of @canvas: its colours, style and
 * direction; fitted to a 16:9 slide at a slide's width.
 */
GtkWidget *
envelope_export_dialog_new (GtkWindow        *parent,
                            EnvelopeDocument *document,
                            EnvelopeCanvas   *canvas,
                            const char       *basename)
{
  EnvelopeExportDialog *self;
  EnvelopeDiagramOptions diagram;
  EnvelopeRenderOptions render;

  g_return_val_if_fail (ENVELOPE_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (ENVELOPE_IS_CANVAS (canvas), NULL);

  self = g_object_new (ENVELOPE_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->document = g_object_ref (document);
  self->canvas = g_object_ref (canvas);
  self->basename = g_strdup (basename != NULL ? basename : _("diagram"));
  envelope_canvas_get_figure_options (canvas, &diagram, &render);
  g_object_set (self, "style", diagram.style == ENVELOPE_DIAGRAM_STYLE_PROPORTIONAL ? "proportional" : "flat", NULL);
  g_signal_connect (document, "changed", G_CALLBACK (on_document_changed), self);
  options_changed (self);
  return GTK_WIDGET (self);
}

gboolean
envelope_export_dialog_get_preview_pending (EnvelopeExportDialog *self)
{
  g_return_val_if_fail (ENVELOPE_IS_EXPORT_DIALOG (self), FALSE);
  return self->shown_serial != self->serial;
}

gboolean
envelope_export_dialog_get_preview_size (EnvelopeExportDialog *self,
                                         int                  *width,
                                         int                  *height)
{
  GdkPaintable *paintable;

  g_return_val_if_fail (ENVELOPE_IS_EXPORT_DIALOG (self), FALSE);

  paintable = gtk_picture_get_paintable (self->preview);
  if (paintable == NULL)
    return FALSE;
  *width = gdk_paintable_get_intrinsic_width (paintable);
  *height = gdk_paintable_get_intrinsic_height (paintable);
  return TRUE;
}

const char *
envelope_export_dialog_get_summary (EnvelopeExportDialog *self)
{
  g_return_val_if_fail (ENVELOPE_IS_EXPORT_DIALOG (self), NULL);
  return gtk_label_get_text (self->size_label);
}

void
envelope_export_dialog_get_figure_size (EnvelopeExportDialog *self,
                                        double               *width,
                                        double               *height)
{
  g_return_if_fail (ENVELOPE_IS_EXPORT_DIALOG (self));
  *width = self->figure_width;
  *height = self->figure_height;
}
