#!/bin/sh
# quickstart.sh: set up a fresh Debian 12 machine, build, and run or test.
#
#   build-aux/quickstart.sh run    install what is missing, build, open Envelope on an example
#   build-aux/quickstart.sh test   install what is missing, build, run the whole test suite
#
# Packages come from Debian's archive only; apt-get runs as root (through
# sudo when you are not root).  `test` also generates the de_DE.UTF-8
# locale when it is missing, for the tests of the German translation.  The build lives in _build/ (run) or in a
# fresh build/ directory with warnings as errors (test).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

packages="meson ninja-build pkg-config gcc gettext python3
libglib2.0-dev libglib2.0-bin libjson-glib-dev
libcairo2-dev libpango1.0-dev libgraphviz-dev librsvg2-dev
libgtk-4-dev libadwaita-1-dev
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libarchive-dev
poppler-utils xvfb xauth imagemagick desktop-file-utils appstream
locales xdotool clang"

install_missing () {
  missing=""
  for p in $packages; do
    if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  [ -z "$missing" ] && return 0
  echo "Installing:$missing"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
  else
    echo "These Debian packages are missing:$missing" >&2
    echo "Run this script as root, or install them with apt-get." >&2
    exit 1
  fi
  $as_root apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends $missing
}

# The German translation is tested under de_DE.UTF-8, which a fresh
# Debian has not generated; without it those tests are skipped.
ensure_german_locale () {
  if locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8'; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
  else
    echo "The de_DE.UTF-8 locale is missing; the German tests will be skipped." >&2
    return 0
  fi
  echo "Generating the de_DE.UTF-8 locale"
  $as_root localedef -i de_DE -f UTF-8 de_DE.UTF-8 ||
    echo "Could not generate de_DE.UTF-8; the German tests will be skipped." >&2
}

case "${1:-}" in
  run)
    install_missing
    [ -d _build ] || meson setup _build
    ninja -C _build
    if [ -x _build/src/app/envelope ]; then
      exec _build/src/app/envelope data/models/vgg16-lecture.json
    fi
    exec _build/src/cli/envelope-cli report data/models/vgg16-lecture.json --group --scientific
    ;;
  test)
    install_missing
    ensure_german_locale
    exec .ci/run-tests
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
