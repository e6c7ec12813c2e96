/* envelope-render.h: the diagram renderer, all of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "envelope-color-scale.h"
#include "envelope-diagram.h"
#include "envelope-export.h"
#include "envelope-fit.h"
#include "envelope-geometry.h"
#include "envelope-layout.h"
#include "envelope-renderer.h"
#include "envelope-viewport.h"
#include "envelope-zoom-labels.h"
