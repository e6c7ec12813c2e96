#!/bin/sh
# check-install.sh PREFIX: what `meson install --prefix PREFIX` put there
# is complete and works from there.  Prints TAP.
#
# Every file in place; the installed envelope-cli reports an installed
# example with its published figures, in English and in German (from the
# installed translations); both programs say they run installed and read
# PREFIX; the export draws through its installed module; the installed
# schema compiles and is readable; and the installed app opens an
# installed example in a window, and shows its German under de_DE.UTF-8.  The window cases need a display (run it under xvfb-run) and
# xdotool; without them they are skipped, not passed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
prefix=$(cd "$1" && pwd)
tests=$(cd "$(dirname "$0")" && pwd)
bin=$prefix/bin
share=$prefix/share
models=$share/envelope/models
app_id=io.github.envelope.Envelope

tmp=$(mktemp -d)
pids=""
cleanup () {
  for pid in $pids; do
    kill "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Nothing from a build or source tree, nor the caller's locale.
cd /
unset GSETTINGS_SCHEMA_DIR ENVELOPE_MODELS_DIR LANGUAGE
export LC_ALL=C.UTF-8

. "$tests/tap.sh"
tap_log=$tmp/log
tap_log_lines=20

check () {
  description=$1
  shift
  if "$@" >"$tmp/log" 2>&1; then
    ok "$description"
  else
    not_ok "$description"
  fi
}

german=no
if locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8'; then
  german=yes
fi

# --- the files ------------------------------------------------------------

for f in bin/envelope bin/envelope-cli; do
  check "$f is installed and executable" test -x "$prefix/$f"
done
# the module envelope-cli loads for its export, under the libdir
check "the export module libenvelope-cli-export.so is installed" \
  test -n "$(find "$prefix" -path '*/envelope/libenvelope-cli-export.so' -type f | head -n 1)"
for f in \
    share/applications/$app_id.desktop \
    share/metainfo/$app_id.metainfo.xml \
    share/icons/hicolor/scalable/apps/$app_id.svg \
    share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg \
    share/glib-2.0/schemas/$app_id.gschema.xml \
    share/glib-2.0/schemas/gschemas.compiled \
    share/locale/de/LC_MESSAGES/envelope.mo \
    share/envelope/devices.json \
    share/envelope/models/mnist.json \
    share/envelope/models/vgg16-lecture.json \
    share/envelope/models/lenet5.json \
    share/envelope/models/alexnet.json \
    share/envelope/models/vgg16.json \
    share/envelope/models/resnet18.json \
    share/envelope/models/resnet50.json \
    share/envelope/models/googlenet.json \
    share/envelope/models/mobilenetv2.json; do
  check "$f is installed" test -s "$prefix/$f"
done

# --- the data files as installed -----------------------------------------

if command -v desktop-file-validate >/dev/null 2>&1; then
  check "the installed desktop file is valid" desktop-file-validate "$share/applications/$app_id.desktop"
else
  skip "the installed desktop file is valid" "desktop-file-validate is not installed"
fi
if command -v appstreamcli >/dev/null 2>&1; then
  check "the installed metainfo is valid" appstreamcli validate --no-net "$share/metainfo/$app_id.metainfo.xml"
else
  skip "the installed metainfo is valid" "appstreamcli is not installed"
fi
check "the installed desktop file starts the installed binary's name" \
  grep -qx 'Exec=envelope %F' "$share/applications/$app_id.desktop"
if [ "$german" = yes ]; then
  check "the installed desktop file carries the German name" \
    grep -qx 'GenericName\[de\]=Netzkosten-Rechner' "$share/applications/$app_id.desktop"
else
  check "the installed desktop file carries the German name" \
    grep -q '^GenericName\[de\]=' "$share/applications/$app_id.desktop"
fi
if command -v gsettings >/dev/null 2>&1; then
  check "the installed schema is compiled and readable (units = 'iec')" \
    sh -c "GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR='$share/glib-2.0/schemas' gsettings get $app_id units | grep -qx \"'iec'\""
else
  skip "the installed schema is compiled and readable" "gsettings is not installed"
fi

# --- envelope-cli from the prefix ----------------------------------------

"$bin/envelope-cli" report "$models/vgg16.json" >"$tmp/vgg16.txt" 2>"$tmp/log"
status=$?
check "envelope-cli report on the installed VGG-16 succeeds" test "$status" -eq 0
check "VGG-16: 138,357,544 parameters" grep -q '^Parameters: 138,357,544 ' "$tmp/vgg16.txt"
check "VGG-16: 15,470,264,320 MACs" grep -q '^MACs: 15,470,264,320 ' "$tmp/vgg16.txt"
"$bin/envelope-cli" report "$models/resnet50.json" --format json >"$tmp/resnet50.json" 2>"$tmp/log"
check "ResNet-50: 25,557,032 trainable parameters, 4,089,184,256 MACs (JSON)" \
  sh -c "grep -q '\"trainable_params\" *: *25557032' '$tmp/resnet50.json' && grep -q '\"macs\" *: *4089184256' '$tmp/resnet50.json'"
"$bin/envelope-cli" explain "$models/mnist.json" conv2 >"$tmp/explain.txt" 2>"$tmp/log"
check "MNIST conv2: 9,248 parameters, explained" grep -q '^ *9,216 + 32 = 9,248' "$tmp/explain.txt"
"$bin/envelope-cli" export "$models/mnist.json" -o "$tmp/mnist.svg" >"$tmp/log" 2>&1
check "envelope-cli export draws the installed MNIST through the installed module" \
  sh -c "grep -q '<svg' '$tmp/mnist.svg'"

# (in the C locale the catalogues are not looked for: a language asks for them)
G_MESSAGES_DEBUG=envelope-paths LANGUAGE=de "$bin/envelope-cli" --version >"$tmp/paths.log" 2>&1
check "envelope-cli runs installed, with its translations in $share/locale" \
  grep -qF "runs installed: data in $share/envelope, translations in $share/locale" "$tmp/paths.log"

if [ "$german" = yes ]; then
  LC_ALL=de_DE.UTF-8 "$bin/envelope-cli" report "$models/vgg16.json" >"$tmp/vgg16-de.txt" 2>"$tmp/log"
  check "envelope-cli speaks German from the installed catalogue (Parameter: 138,357,544)" \
    grep -q '^Parameter: 138,357,544 (138,357,544 trainierbar' "$tmp/vgg16-de.txt"
else
  skip "envelope-cli speaks German from the installed catalogue" "the de_DE.UTF-8 locale is not installed"
fi

# --- the app from the prefix, in a window --------------------------------

# Starts the installed app with ARGS under LOCALE, waits up to 20 s for a
# window whose name matches TITLE; passes when one appears, the app still
# runs and says it runs installed.
app_window () {
  description=$1
  locale=$2
  title=$3
  shift 3
  log=$tmp/app-$n.log
  # a second try when the display refused the connection (the X server
  # of xvfb-run can still be busy with the window before)
  for attempt in 1 2; do
    env XDG_DATA_DIRS="$share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
        GSETTINGS_SCHEMA_DIR="$share/glib-2.0/schemas" GSETTINGS_BACKEND=memory \
        DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent GTK_A11Y=none NO_AT_BRIDGE=1 \
        G_MESSAGES_DEBUG=envelope-paths LC_ALL="$locale" \
        "$bin/envelope" "$@" >"$log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    found=""
    i=0
    while [ $i -lt 40 ] && kill -0 "$pid" 2>/dev/null; do
      found=$(xdotool search --onlyvisible --pid "$pid" --name "$title" getwindowname %@ 2>/dev/null)
      [ -n "$found" ] && break
      sleep 0.5
      i=$((i + 1))
    done
    alive=no
    kill -0 "$pid" 2>/dev/null && alive=yes
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ -z "$found" ] && [ "$attempt" -eq 1 ] && grep -q "GDK_IS_DISPLAY" "$log"; then
      sleep 1
      continue
    fi
    break
  done
  cp "$log" "$tmp/log"
  if [ -n "$found" ] && [ "$alive" = yes ] &&
     grep -qF "runs installed: data in $share/envelope, translations in $share/locale" "$log"; then
    ok "$description: a window “$found”"
  else
    echo "window: ${found:-none}; running: $alive" >>"$tmp/log"
    not_ok "$description"
  fi
}

if [ -z "${DISPLAY:-}" ]; then
  skip "the installed app opens an installed example" "no display (run under xvfb-run)"
  skip "the installed app speaks German" "no display (run under xvfb-run)"
elif ! command -v xdotool >/dev/null 2>&1; then
  skip "the installed app opens an installed example" "xdotool is not installed"
  skip "the installed app speaks German" "xdotool is not installed"
else
  app_window "the installed app opens the installed VGG-16" C.UTF-8 '^vgg16\.json — Envelope$' "$models/vgg16.json"
  if [ "$german" = yes ]; then
    app_window "the installed app speaks German from the installed catalogue" de_DE.UTF-8 '^Unbenanntes Netz — Envelope$'
  else
    skip "the installed app speaks German" "the de_DE.UTF-8 locale is not installed"
  fi
fi

echo "1..$n"
