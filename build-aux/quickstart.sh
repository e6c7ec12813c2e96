#!/bin/sh
# quickstart.sh: set up a fresh Debian 12 machine, build, and run or test.
#
#   build-aux/quickstart.sh run    install what is missing, build, open Envelope on an example
#   build-aux/quickstart.sh test   install what is missing, build, run the whole test suite
#
# Packages come from Debian's archive only; apt-get runs as root (through
# sudo when you are not root).  The build lives in _build/ (run) or in a
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
poppler-utils xvfb xauth imagemagick desktop-file-utils appstream"

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
    exec .ci/run-tests
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
