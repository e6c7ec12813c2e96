/* envelope-i18n-private.h: the messages of the core, translated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

/* The underscore macro as glib's, but in the C locale, with nothing to
 * translate, it gives the message back at once.  glibc's gettext gives
 * it back too, after taking a lock on the locale state: a report's
 * formulas ask for a dozen messages a layer, from several threads, and
 * they queued on that lock for a tenth of a million-layer report's time. */
char *envelope_gettext (const char *msgid) G_GNUC_FORMAT (1);

#undef _
#define _ envelope_gettext

G_END_DECLS
