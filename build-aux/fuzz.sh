#!/bin/sh
# fuzz.sh [SECONDS]: builds tests/fuzz/fuzz-load with clang's libFuzzer
# under AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/,
# and runs it for SECONDS (default 60)
# on the committed corpus, the example networks and the importers'
# fixtures.  New inputs go to build-fuzz/corpus; a finding is written as
# build-fuzz/crash-* (or leak-*, timeout-*): copy it to tests/fuzz/corpus
# so that the test suite replays it for ever, then fix it.  For hours:
# build-aux/fuzz.sh 14400.  With FUZZ_RUNS=N it runs N inputs from a
# fixed seed instead, the same ones each time (what CI does).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
seconds=${1:-60}
dir=build-fuzz

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized \
    -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
fi
ninja -C "$dir" tests/fuzz/fuzz-load >/dev/null
mkdir -p "$dir/corpus"
if [ -n "${FUZZ_RUNS:-}" ]; then
  limit="-runs=$FUZZ_RUNS -seed=1"
else
  limit="-max_total_time=$seconds"
fi
# shellcheck disable=SC2086
exec "$dir/tests/fuzz/fuzz-load" $limit -timeout=10 -rss_limit_mb=2048 \
  -dict=tests/fuzz/envelope.dict -artifact_prefix="$dir/" -print_final_stats=1 \
  "$dir/corpus" tests/fuzz/corpus data/models tests/data/import
