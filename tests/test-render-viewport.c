/* test-render-viewport.c: zoom, centre and the two coordinate systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "envelope-viewport.h"

static void
test_round_trip (void)
{
  g_autoptr(EnvelopeViewport) viewport = envelope_viewport_new ();
  static const double zooms[] = { 0.01, 0.37, 1.0, 2.5, 16.0 };

  envelope_viewport_set_size (viewport, 1600, 1000);
  envelope_viewport_set_center (viewport, 1234.5, -87.25);
  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      envelope_viewport_set_zoom (viewport, zooms[z]);
      for (double wx = -100; wx <= 1700; wx += 173)
        for (double wy = -50; wy <= 1050; wy += 211)
          {
            double x, y, bx, by;

            envelope_viewport_widget_to_world (viewport, wx, wy, &x, &y);
            envelope_viewport_world_to_widget (viewport, x, y, &bx, &by);
            g_assert_cmpfloat_with_epsilon (bx, wx, 1e-6);
            g_assert_cmpfloat_with_epsilon (by, wy, 1e-6);
          }
    }

  /* the widget's centre shows the centre */
  {
    double x, y;

    envelope_viewport_set_zoom (viewport, 3);
    envelope_viewport_widget_to_world (viewport, 800, 500, &x, &y);
    g_assert_cmpfloat_with_epsilon (x, 1234.5, 1e-9);
    g_assert_cmpfloat_with_epsilon (y, -87.25, 1e-9);
    g_assert_cmpfloat_with_epsilon (envelope_viewport_pixels_to_world (viewport, 6), 2, 1e-12);
  }
}

/* The world point under the pointer stays under it. */
static void
test_zoom_at (void)
{
  g_autoptr(EnvelopeViewport) viewport = envelope_viewport_new ();
  static const double anchors[][2] = { { 0, 0 }, { 1600, 1000 }, { 313, 777 }, { 800, 500 } };

  envelope_viewport_set_size (viewport, 1600, 1000);
  envelope_viewport_set_center (viewport, 500, 200);
  envelope_viewport_set_zoom (viewport, 1);
  for (guint i = 0; i < G_N_ELEMENTS (anchors); i++)
    for (double factor = 0.25; factor <= 4; factor *= 2)
      {
        double before_x, before_y, after_x, after_y, zoom = envelope_viewport_get_zoom (viewport);

        envelope_viewport_widget_to_world (viewport, anchors[i][0], anchors[i][1], &before_x, &before_y);
        envelope_viewport_zoom_at (viewport, factor, anchors[i][0], anchors[i][1]);
        envelope_viewport_widget_to_world (viewport, anchors[i][0], anchors[i][1], &after_x, &after_y);
        g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
        g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);
        g_assert_cmpfloat_with_epsilon (envelope_viewport_get_zoom (viewport), zoom * factor, 1e-9);
      }

  /* clamped at the limits, the anchor still holds */
  envelope_viewport_set_zoom_limits (viewport, 0.5, 2);
  {
    double before_x, before_y, after_x, after_y;

    envelope_viewport_widget_to_world (viewport, 100, 100, &before_x, &before_y);
    envelope_viewport_zoom_at (viewport, 1000, 100, 100);
    g_assert_cmpfloat (envelope_viewport_get_zoom (viewport), ==, 2);
    envelope_viewport_widget_to_world (viewport, 100, 100, &after_x, &after_y);
    g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
    g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);
    envelope_viewport_zoom_at (viewport, 0, 100, 100);   /* ignored */
    g_assert_cmpfloat (envelope_viewport_get_zoom (viewport), ==, 2);
  }
}

/* A drag keeps the grabbed point under the pointer. */
static void
test_pan (void)
{
  g_autoptr(EnvelopeViewport) viewport = envelope_viewport_new ();
  double grab_x, grab_y, x, y;

  envelope_viewport_set_size (viewport, 800, 600);
  envelope_viewport_set_zoom (viewport, 2.5);
  envelope_viewport_widget_to_world (viewport, 300, 200, &grab_x, &grab_y);
  envelope_viewport_pan (viewport, 45, -30);
  envelope_viewport_widget_to_world (viewport, 345, 170, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, grab_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, grab_y, 1e-9);
}

static void
test_fit_and_visible (void)
{
  g_autoptr(EnvelopeViewport) viewport = envelope_viewport_new ();
  g_autoptr(EnvelopeViewport) copy = NULL;
  EnvelopeRect world = { 100, 50, 4000, 500 }, visible;
  cairo_surface_t *surface;
  cairo_t *cr;
  double x, y;

  envelope_viewport_set_size (viewport, 1000, 500);
  envelope_viewport_fit (viewport, &world, 10);
  /* the width decides: 980 pixels for 4,000 units */
  g_assert_cmpfloat_with_epsilon (envelope_viewport_get_zoom (viewport), 980.0 / 4000.0, 1e-9);
  envelope_viewport_get_visible (viewport, &visible);
  g_assert_true (envelope_rect_contains_point (&visible, world.x, world.y));
  g_assert_true (envelope_rect_contains_point (&visible, world.x + world.width, world.y + world.height));
  g_assert_cmpfloat_with_epsilon (visible.width, 1000 / envelope_viewport_get_zoom (viewport), 1e-9);

  /* the cairo transformation agrees with world_to_widget */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 10);
  cr = cairo_create (surface);
  envelope_viewport_apply (viewport, cr);
  x = 2100;
  y = 300;
  cairo_user_to_device (cr, &x, &y);
  {
    double wx, wy;

    envelope_viewport_world_to_widget (viewport, 2100, 300, &wx, &wy);
    g_assert_cmpfloat_with_epsilon (x, wx, 1e-9);
    g_assert_cmpfloat_with_epsilon (y, wy, 1e-9);
  }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  copy = envelope_viewport_copy (viewport);
  g_assert_cmpfloat (envelope_viewport_get_zoom (copy), ==, envelope_viewport_get_zoom (viewport));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/viewport/round-trip", test_round_trip);
  g_test_add_func ("/render/viewport/zoom-at", test_zoom_at);
  g_test_add_func ("/render/viewport/pan", test_pan);
  g_test_add_func ("/render/viewport/fit", test_fit_and_visible);

  return g_test_run ();
}
