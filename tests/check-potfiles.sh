#!/bin/sh
# check-potfiles.sh SOURCE_ROOT: po/POTFILES.in lists every file with a
# translatable string, and nothing else.  Prints TAP: one case per file
# that needs listing, one per listed file.
#
# A file needs listing when it is under src/, ui/ or data/ and marks a
# string for translation: _(), N_(), C_(), NC_(), ngettext(),
# g_dngettext(), g_dpgettext2() … or translatable="yes"; or it is a
# desktop file, a metainfo file or a settings schema with a gettext-domain.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 1
potfiles=po/POTFILES.in

listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | sort -u)

marks='(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_|gettext|dgettext|dcgettext|ngettext|dngettext|dcngettext|pgettext|dpgettext|g_dngettext|g_dcgettext|g_dpgettext|g_dpgettext2)[[:space:]]*\(|translatable="yes"'
needed=$( {
    grep -rlIE --include='*.c' --include='*.h' --include='*.ui' --include='*.xml' "$marks" src ui data
    find data -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.appdata.xml.in'
    grep -rlI --include='*.gschema.xml' 'gettext-domain=' data
  } 2>/dev/null | sort -u)

n=0
out=""
for f in $needed; do
  n=$((n + 1))
  if printf '%s\n' "$listed" | grep -qxF "$f"; then
    out="${out}ok $n - $f is in $potfiles
"
  else
    out="${out}not ok $n - $f has translatable strings but is not in $potfiles
"
  fi
done
for f in $listed; do
  n=$((n + 1))
  if [ ! -f "$f" ]; then
    out="${out}not ok $n - $potfiles lists $f, which does not exist
"
  elif ! printf '%s\n' "$needed" | grep -qxF "$f"; then
    out="${out}not ok $n - $potfiles lists $f, which has no translatable string
"
  else
    out="${out}ok $n - $f exists
"
  fi
done
echo "1..$n"
printf '%s' "$out"
