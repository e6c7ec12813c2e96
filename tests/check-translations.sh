#!/bin/sh
# check-translations.sh SOURCE_ROOT: every translation in po/LINGUAS is
# well formed and complete against a template extracted afresh from the
# sources, so that a string added without its translation fails here.
# Prints TAP.
#
# The keywords and flags are those of meson's i18n.gettext(preset: 'glib'),
# which makes po/envelope.pot (`ninja -C _build envelope-pot`).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 1

for tool in xgettext msgmerge msgfmt; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed (Debian: gettext)"
    exit 77
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. ./tests/tap.sh
tap_log=$tmp/log

languages=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \n' '\n\n' | sed '/^$/d')
count=$(printf '%s\n' $languages | grep -c .)
echo "1..$((1 + 4 * count))"

sed -e 's/#.*//' -e '/^[[:space:]]*$/d' po/POTFILES.in >"$tmp/files"
if xgettext --package-name=envelope --output="$tmp/envelope.pot" --files-from="$tmp/files" \
     --from-code=UTF-8 --add-comments \
     --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
     --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
     --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
     --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
     --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
     --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
     --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format --flag=g_print:1:c-format \
     --flag=g_printerr:1:c-format --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
     --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format >"$tmp/log" 2>&1 &&
   [ -s "$tmp/envelope.pot" ]; then
  ok "a template extracted from the $(wc -l <"$tmp/files") files of po/POTFILES.in ($(grep -c '^msgid ' "$tmp/envelope.pot") messages)"
else
  not_ok "xgettext extracts a template from po/POTFILES.in"
fi

for lang in $languages; do
  po=po/$lang.po
  : >"$tmp/log"
  if msgfmt --check --output-file=/dev/null "$po" >"$tmp/log" 2>&1; then
    ok "$po: msgfmt --check (format specifiers, plural forms, header)"
  else
    not_ok "$po: msgfmt --check (format specifiers, plural forms, header)"
  fi

  : >"$tmp/log"
  if msgfmt --check-accelerators=_ --output-file=/dev/null "$po" >"$tmp/log" 2>&1; then
    ok "$po: every mnemonic is kept"
  else
    not_ok "$po: every mnemonic is kept"
  fi

  # The file as it is: nothing fuzzy or left empty.
  stats=$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$po" 2>&1)
  case "$stats" in
    *fuzzy*|*untranslated*) echo "$stats" >"$tmp/log"; not_ok "$po: no fuzzy or untranslated message ($stats)" ;;
    *) : >"$tmp/log"; ok "$po: no fuzzy or untranslated message ($stats)" ;;
  esac

  # Against the fresh template: every message of the sources translated.
  : >"$tmp/log"
  if msgmerge --quiet --output-file="$tmp/$lang.po" "$po" "$tmp/envelope.pot" >"$tmp/log" 2>&1; then
    stats=$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
    case "$stats" in
      *fuzzy*|*untranslated*)
        LC_ALL=C msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/$lang.po" 2>/dev/null | grep '^msgid "' | grep -vx 'msgid ""' | sed 's/^/  fuzzy: /' >"$tmp/log"
        LC_ALL=C msgattrib --untranslated --no-obsolete --no-wrap "$tmp/$lang.po" 2>/dev/null | grep '^msgid "' | grep -vx 'msgid ""' | sed 's/^/  untranslated: /' >>"$tmp/log"
        not_ok "$po: every message of the sources is translated ($stats; run: ninja -C _build envelope-update-po, see po/README.md)"
        ;;
      *) ok "$po: every message of the sources is translated ($stats)" ;;
    esac
  else
    not_ok "$po: msgmerge with the fresh template"
  fi
done
