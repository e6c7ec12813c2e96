#!/bin/sh
# fuzz.sh [TARGET|all] [SECONDS]: builds the fuzz targets of tests/fuzz
# with clang's libFuzzer under AddressSanitizer and
# UndefinedBehaviorSanitizer, unsigned overflow included, in
# build-fuzz/, and runs TARGET (load, onnx, caffe, keras, export; all by
# default, one after the other) for SECONDS each (default 60) on its
# committed corpus and the example networks or the importers' fixtures.
# New inputs go to build-fuzz/corpus-TARGET; a finding is written as
# build-fuzz/TARGET-crash-* (or -leak-*, -timeout-*): copy it to
# tests/fuzz/corpus/TARGET so that the test suite replays it for ever,
# then fix it.  For hours: build-aux/fuzz.sh onnx 14400.  With
# FUZZ_RUNS=N each target runs N inputs from a fixed seed instead, the
# same ones each time (what CI does).  fuzz.sh SECONDS alone runs all.
# An input running past FUZZ_TIMEOUT seconds (default 10) is a finding:
# raise it on a machine busy with other work.  FUZZ_MAX_LEN=4096 caps the
# inputs' size (libFuzzer's -max_len): two to nine times as many inputs
# a second, the larger seeds cut to it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
all="load onnx caffe keras export"
target=all
case "${1:-}" in
  ''|*[!0-9]*) target=${1:-all}; seconds=${2:-60} ;;
  *) seconds=$1 ;;
esac
if [ "$target" = all ]; then
  targets=$all
else
  case " $all " in
    *" $target "*) targets=$target ;;
    *) echo "fuzz.sh: no target \"$target\"; one of: $all" >&2; exit 2 ;;
  esac
fi
dir=build-fuzz

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized \
    -Dc_args="-fsanitize=fuzzer-no-link -fsanitize=unsigned-integer-overflow -fno-sanitize-recover=all" \
    >"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
fi
for t in $targets; do
  ninja -C "$dir" "tests/fuzz/fuzz-$t" >/dev/null
done

# what each target starts from, besides its own corpus
seeds () {
  case $1 in
    load) echo "tests/fuzz/corpus data/models tests/data/import" ;;
    export) echo "tests/fuzz/corpus/export data/models tests/data/import" ;;
    *) echo "tests/fuzz/corpus/$1 tests/data/import/$1" ;;
  esac
}
dict () {
  case $1 in
    load|export) echo tests/fuzz/envelope.dict ;;
    *) echo "tests/fuzz/$1.dict" ;;
  esac
}

if [ -n "${FUZZ_RUNS:-}" ]; then
  limit="-runs=$FUZZ_RUNS -seed=1"
else
  limit="-max_total_time=$seconds"
fi
status=0
for t in $targets; do
  mkdir -p "$dir/corpus-$t"
  echo "fuzz-$t:"
  # shellcheck disable=SC2086
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp \
  "$dir/tests/fuzz/fuzz-$t" $limit ${FUZZ_MAX_LEN:+-max_len=$FUZZ_MAX_LEN} -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -dict="$(dict "$t")" -artifact_prefix="$dir/$t-" -print_final_stats=1 \
    "$dir/corpus-$t" $(seeds "$t") || status=1
done
exit $status
