/* fuzz.h: what each fuzz target defines
 *
 * A target is one fuzz_one() (fuzz-load.c, fuzz-export.c) linked with
 * fuzz-main.c: built with libFuzzer, or as a plain program that replays
 * the files and folders given on its command line (TAP, a case a file),
 * which the test suite runs on the committed corpus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* What one input goes through; FALSE for an input Envelope refuses (a
 * refusal is not a finding).  Any crash, sanitizer report or failed
 * assertion is a finding. */
gboolean fuzz_one (const guint8 *data,
                   gsize         size);
