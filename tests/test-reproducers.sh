#!/bin/sh
# test-reproducers.sh: every hostile input through the command line (TAP)
#
# Each committed fuzz reproducer (tests/fuzz/corpus), each importer
# fixture, and a file of each class of hostile input written here (a
# long chain, deep nesting, escapes that are not text, numbers at the
# edge of 64 bits, names that need escaping, a forward reference far
# down a chain) goes through `report`, `export` and `convert`: each
# either works or fails with exit 1 and a message naming the file,
# never a crash; and what `convert` writes reloads with an identical
# JSON report (or, for a network whose shapes do not work out, the same
# error).
#
# SPDX-License-Identifier: GPL-3.0-or-later

cli="$1"
root="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

head='{"format": "envelope-network", "version": 1, '
data='{"name": "data", "type": "input", "shape": [3, 8, 8]}'
net () {
  printf '%s"layers": [%s, %s]}\n' "$head" "$data" "$1" >"$tmp/classes/$2.json"
}
mkdir -p "$tmp/classes"
# a chain as long as the loader takes in a second, and one whose first
# layer reads its last
awk 'BEGIN { printf "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]}";
             for (i = 0; i < 20000; i++) printf ", {\"name\": \"r%d\", \"type\": \"relu\"}", i; print "]}" }' >"$tmp/classes/long-chain.json"
awk 'BEGIN { printf "{\"format\": \"envelope-network\", \"version\": 1, \"layers\": [{\"name\": \"data\", \"type\": \"input\", \"shape\": [3, 8, 8]}, {\"name\": \"r0\", \"type\": \"relu\", \"inputs\": [\"r19999\"]}";
             for (i = 1; i < 20000; i++) printf ", {\"name\": \"r%d\", \"type\": \"relu\"}", i; print "]}" }' >"$tmp/classes/long-cycle.json"
awk 'BEGIN { for (i = 0; i < 75000; i++) printf "["; print "" }' >"$tmp/classes/deep-nesting.json"
net '{"name": "\ud800", "type": "relu"}' lone-surrogate
net '{"name": "a\101", "type": "relu"}' octal-escape
printf '%s"layers": [%s, {"name": "c\377", "type": "relu"}]}\n' "$head" "$data" >"$tmp/classes/not-utf8.json"
net '{"name": "big", "type": "conv", "filters": 2, "kernel": 3, "padding": [9223372036854775807, 9223372036854775807]}' padding-wrap
net '{"name": "big", "type": "dense", "units": 9223372036854775808}' beyond-int64
printf '%s"layers": [%s], "training": {"device_memory": 9223372036854775807, "reserved_memory": 9223372036854775000}}\n' "$head" "$data" >"$tmp/classes/memory-edge.json"
net '{"name": "x", "type": "relu"}], "layers": [' duplicate-key
net '{"name": "esc\u001b[31m", "type": "relu"}' control-character
net '{"name": "rtl\u202e", "type": "relu"}' direction-override
net '{"name": "a|b, \"c\" *d* <e> `f` #", "type": "relu"}' names-to-escape
net '{"name": "wide", "type": "conv", "filters": 2, "kernel": 3, "dilation": 4611686018427387904}' huge-dilation

# run NAME ARGS…: exit status in $status, output in $tmp/out, $tmp/err
run () {
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}

files=$(find "$root/tests/fuzz/corpus" "$root/tests/data/import" "$tmp/classes" -type f | sort)
echo "1..$(echo "$files" | wc -l)"
for file in $files; do
  n=$((n + 1))
  name=${file#"$root/"}
  name=${name#"$tmp/"}
  problem=""
  rm -f "$tmp/converted.json" "$tmp/out.svg"

  run report "$file" --format json
  reported=$status
  cp "$tmp/out" "$tmp/report.json"
  if [ "$reported" -ne 0 ] && [ "$reported" -ne 1 ]; then
    problem="report: exit $reported"
  elif [ "$reported" -eq 1 ] && ! grep -qF -- "$file" "$tmp/err"; then
    problem="report: the message does not name the file: $(head -c 300 "$tmp/err")"
  fi

  if [ -z "$problem" ]; then
    run export "$file" -o "$tmp/out.svg"
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
      problem="export: exit $status"
    elif [ "$status" -eq 1 ] && ! grep -qF -- "$file" "$tmp/err"; then
      problem="export: the message does not name the file: $(head -c 300 "$tmp/err")"
    elif [ "$status" -eq 0 ] && ! head -c 5 "$tmp/out.svg" | grep -q '<?xml'; then
      problem="export: no SVG written"
    fi
  fi

  if [ -z "$problem" ]; then
    sed "s|$file|FILE|g" "$tmp/err" >"$tmp/report.err"
    run convert "$file" -o "$tmp/converted.json"
    if [ "$reported" -eq 0 ] && [ "$status" -ne 0 ]; then
      problem="convert: exit $status: $(head -c 300 "$tmp/err")"
    elif [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
      problem="convert: exit $status"
    elif [ "$status" -ne 0 ] && [ -e "$tmp/converted.json" ]; then
      problem="convert: wrote a file from a file it refused"
    elif [ "$reported" -ne 0 ] && [ "$status" -eq 0 ]; then
      # a network whose shapes do not work out converts, and fails the same way
      run report "$tmp/converted.json" --format json
      if [ "$status" -ne 1 ] || ! sed "s|$tmp/converted.json|FILE|g" "$tmp/err" | cmp -s - "$tmp/report.err"; then
        problem="the converted file fails otherwise: $(head -c 300 "$tmp/err")"
      fi
    elif [ "$reported" -eq 0 ]; then
      run report "$tmp/converted.json" --format json
      if [ "$status" -ne 0 ]; then
        problem="the converted file does not load: $(head -c 300 "$tmp/err")"
      elif ! cmp -s "$tmp/out" "$tmp/report.json"; then
        problem="the converted file reports other figures"
        diff "$tmp/report.json" "$tmp/out" | head -10 | sed 's/^/# /'
      fi
    fi
  fi

  if [ -n "$problem" ]; then
    echo "not ok $n - $name: $problem"
    failed=$((failed + 1))
  else
    echo "ok $n - $name"
  fi
done

[ "$failed" -eq 0 ]
