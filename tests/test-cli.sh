#!/bin/sh
# test-cli.sh: envelope-cli end to end, as a user runs it (TAP)
#
# SPDX-License-Identifier: GPL-3.0-or-later

cli="$1"
root="$2"
models="$root/data/models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

echo "1..74"

# check NAME EXPECTED-STATUS PATTERN [ARGS…]: the command exits with the
# status and its output (stdout and stderr) contains the fixed string.
check () {
  name="$1"; want="$2"; pattern="$3"; shift 3
  n=$((n + 1))
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -ne "$want" ]; then
    echo "not ok $n - $name: exit $status, expected $want"
    sed 's/^/# /' "$tmp/err"
    failed=$((failed + 1))
  elif ! cat "$tmp/out" "$tmp/err" | grep -qF -- "$pattern"; then
    echo "not ok $n - $name: output lacks '$pattern'"
    sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
    failed=$((failed + 1))
  else
    echo "ok $n - $name"
  fi
}

check "report table" 0 "813,802" report "$models/mnist.json"
check "report memory breakdown" 0 "error signals" report "$models/mnist.json" --memory-model lecture
check "report fit" 0 "Fit on GTX Titan X" report "$models/mnist.json"
check "report json params" 0 '"params" : 813802' report "$models/mnist.json" --format json
check "report json fit" 0 '"max_batch"' report "$models/mnist.json" --format json
check "report json formula" 0 '"weights" : "32 × (3 × 3) × 1 = 288"' report "$models/mnist.json" --format json
n=$((n + 1))
if [ ! -w /dev/full ]; then
  echo "ok $n - report to a full disk # SKIP no /dev/full"
elif "$cli" report "$models/resnet50.json" --format json >/dev/full 2>"$tmp/err"; then
  echo "not ok $n - report to a full disk: exit 0"
  failed=$((failed + 1))
elif ! grep -qF "cannot write the report: No space left on device" "$tmp/err"; then
  echo "not ok $n - report to a full disk: no error"
  failed=$((failed + 1))
else
  echo "ok $n - report to a full disk"
fi
check "report csv" 0 "conv2,conv,relu1,32×28×28,9216,32,0,9248,7225344" report "$models/mnist.json" --format csv
check "report markdown" 0 "| conv2" report "$models/mnist.json" --format markdown
check "report flops labelled" 0 "FLOPs (2 × MACs): 16,510,464" report "$models/mnist.json" --flops
check "report batch override" 0 '"batch" : 1,' report "$models/mnist.json" --batch 1 --format json
check "report memory override" 0 '"device_memory" : 1073741824' report "$models/mnist.json" --memory 1GiB --format json
check "report si units" 0 "3.26 MB" report "$models/mnist.json" --si
check "report lecture table" 0 "1.94E+09" report "$models/vgg16-lecture.json" --group --scientific
# a file of 32 MiB and more starts the program again with 2 MiB pages
# for malloc: the same figures, with the user's own glibc tunables kept
{ cat "$models/mnist.json"; head -c 33554432 /dev/zero | tr '\0' ' '; } >"$tmp/large.json"
check "report of a large file" 0 "813,802" report "$tmp/large.json"
GLIBC_TUNABLES=glibc.malloc.perturb=0
export GLIBC_TUNABLES
check "report of a large file, tunables given" 0 '"params" : 813802' report "$tmp/large.json" --format json
unset GLIBC_TUNABLES
rm -f "$tmp/large.json"
check "report pytorch model by default" 0 '"model" : "pytorch"' report "$models/resnet18.json" --format json
check "report pytorch saved activations" 0 '"saved_activations_exact" : 1419804676' report "$models/resnet18.json" --format json
check "report pytorch peak" 0 'The peak is in the backward pass of layer4/1/conv2' report "$models/resnet18.json"
check "report pytorch context" 0 '"context" : 0,' report "$models/resnet18.json" --context 0 --format json
check "report pytorch fit" 0 '"max_batch" : 541,' report "$models/resnet18.json" --memory 12GiB --context 0 --format json
check "report lecture model" 0 '"model" : "lecture"' report "$models/resnet18.json" --memory-model lecture --format json
check "report timeline" 0 'moment,phase,layer,parameters,optimizer_state,gradients,saved_activations,backward_transient,workspace,context,total' report "$models/resnet18.json" --timeline csv
check "report timeline backward" 0 ',backward,layer4/1/conv2,' report "$models/resnet18.json" --timeline csv
# the step's memory as a figure for a 16:9 slide: 960 × 540 points at
# the default two pixels a point (drawing text loads fontconfig, whose
# caches live until the process ends: not a leak of ours)
n=$((n + 1))
if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
   "$cli" export "$models/vgg16.json" --timeline -o "$tmp/timeline.png" &&
   [ "$(od -An -tx1 -j16 -N8 "$tmp/timeline.png" | tr -d ' \n')" = "0000078000000438" ]; then
  echo "ok $n - timeline figure is 1920 × 1080"
else
  echo "not ok $n - timeline figure is 1920 × 1080"
  failed=$((failed + 1))
fi
# its SVG keeps the title, the legend and the peak as text
n=$((n + 1))
if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
   "$cli" export "$models/resnet18.json" --timeline -o "$tmp/timeline.svg" &&
   grep -q '>ResNet-18 (torchvision): memory through one training step' "$tmp/timeline.svg" &&
   grep -q '>saved activations</text>' "$tmp/timeline.svg" &&
   grep -q '>peak 1.98 GiB: the backward pass of layer4/1/conv2</text>' "$tmp/timeline.svg"; then
  echo "ok $n - timeline SVG keeps its text as text"
else
  echo "not ok $n - timeline SVG keeps its text as text"
  failed=$((failed + 1))
fi
# a diagram fits a slide by default: ResNet-50 wrapped and collapsed to
# its blocks, drawn to fill 1,920 × 1,080 pixels
n=$((n + 1))
if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
   "$cli" export "$models/resnet50.json" -o "$tmp/slide.png"; then
  w=$((0x$(od -An -tx1 -j16 -N4 "$tmp/slide.png" | tr -d ' \n')))
  h=$((0x$(od -An -tx1 -j20 -N4 "$tmp/slide.png" | tr -d ' \n')))
else
  w=0 h=0
fi
if [ "$w" -le 1920 ] && [ "$h" -le 1080 ] && { [ "$w" -ge 1900 ] || [ "$h" -ge 1070 ]; } &&
   [ "$((w * 10 / h))" -ge 14 ]; then
  echo "ok $n - ResNet-50's default figure fills a 1920 × 1080 slide ($w × $h)"
else
  echo "not ok $n - ResNet-50's default figure fills a 1920 × 1080 slide ($w × $h)"
  failed=$((failed + 1))
fi
check "usage: aspect" 2 '--aspect "wide" is not one of' export "$models/mnist.json" -o "$tmp/x.png" --aspect wide
check "report generation" 0 'The cache keeps 524,288 B per token of each sequence (keys and values of 32 causal attention layers)' report "$models/llama2_7b.json" --generate 4096+0
check "report generation json" 0 '"cache_bytes" : 2147483648' report "$models/llama2_7b.json" --generate 4096 --batch 1 --format json
check "usage: generate" 2 'write the prompt and the new tokens as 512+128' report "$models/gpt2.json" --generate lots
check "plan" 0 'Checkpoint 3 blocks (torch.utils.checkpoint at their boundaries)' plan "$models/resnet50.json" --memory 16GiB --batch 256
printf '{"format": "envelope-network", "version": 1, "layers": [{"name": "data", "type": "input", "shape": [8]}, {"name": "fc", "type": "dense", "units": 2}]}\n' >"$tmp/nodevice.json"
check "plan without budget" 2 'plan needs a budget' plan "$tmp/nodevice.json" --batch 256
check "export checkpoint needs a budget" 2 '--checkpoint needs a GPU or a memory budget' export "$tmp/nodevice.json" --checkpoint -o "$tmp/x.svg"
check "usage: memory model" 2 'valid models: pytorch, lecture' report "$models/mnist.json" --memory-model keras
check "usage: context" 2 '--context "lots" is not a size' report "$models/mnist.json" --context lots
check "usage: timeline format" 2 'the timeline is written as csv' report "$models/mnist.json" --timeline svg
check "report gradient splitting" 0 '"steps" : 2' report "$models/vgg16.json" --device "GTX 980" --target-batch 16 --format json --memory-model lecture
check "explain" 0 "28 × 28 × 32 × 32 × 3 × 3 = 7,225,344" explain "$models/mnist.json" conv2
check "devices" 0 "GTX Titan X" devices
# one bad layer: --partial prints the figures up to it and still fails
printf '{"format": "envelope-network", "version": 1, "layers": [\n  {"name": "data", "type": "input", "shape": [1, 28, 28]},\n  {"name": "conv1", "type": "conv", "filters": 32, "kernel": 3},\n  {"name": "pool1", "type": "max_pool", "kernel": 2},\n  {"name": "pool2", "type": "max_pool", "kernel": 40},\n  {"name": "fc", "type": "dense", "units": 10}\n]}\n' >"$tmp/badpool.json"
check "partial: error names file, layer and field" 1 "badpool.json: layers[3] \"pool2\": \"kernel\" 40 is larger" report "$tmp/badpool.json" --partial
check "partial: figures up to the error" 1 "conv1         conv 3×3, 32    32×26×26              320" report "$tmp/badpool.json" --partial
check "partial: rows after it not analysed" 1 "fc            dense 10        not analysed" report "$tmp/badpool.json" --partial
check "partial: totals say so" 1 "total so far" report "$tmp/badpool.json" --partial
check "partial: json" 1 '"analysed_layers" : 3' report "$tmp/badpool.json" --partial --format json
check "partial: json layer state" 1 '"state" : "not_analysed"' report "$tmp/badpool.json" --partial --format json
check "partial: csv" 1 "fc,dense,pool2,not_analysed," report "$tmp/badpool.json" --partial --format csv
check "partial: markdown" 1 "| pool1 " report "$tmp/badpool.json" --partial --format markdown
check "usage: partial belongs to report" 2 "--partial belongs to report" explain "$tmp/badpool.json" conv1 --partial
printf '\211PNG\r\n\032\n\000\000\000\rIHDR' >"$tmp/diagram.png"
check "not a network: says what it is" 1 "diagram.png: this is a PNG image, not a network; Envelope opens" report "$tmp/diagram.png"
check "explain: did you mean" 2 'no layer is named "conv_2"; did you mean "conv2"?' explain "$models/mnist.json" conv_2

printf '{"format": "envelope-network", "version": 1, "layers": [\n  {"name": "data", "type": "input", "shape": [1, 28, 28]},\n  {"name": "conv1", "type": "conv", "filter": 32, "kernel": 3}\n]}\n' >"$tmp/typo.json"
check "unknown key names layer and field" 1 'layers[1] "conv1": "filter"' report "$tmp/typo.json"
check "error names the file" 1 "$tmp/typo.json" report "$tmp/typo.json"
printf '{"format": "envelope-network", "version": 1, "layers": [\n  {"name": "data", "type": "input", "shape": [1, 4, 4]},\n  {"name": "big", "type": "conv", "filters": 2, "kernel": 7}\n]}\n' >"$tmp/kernel.json"
check "kernel larger than input" 1 'layers[1] "big": "kernel"' report "$tmp/kernel.json"
printf '{"format": "envelope-network",\n "version": 1,\n "layers": [ {"name": "x",, } ]}\n' >"$tmp/broken.json"
check "malformed json has line:column" 1 "3:" report "$tmp/broken.json"
check "missing file" 1 "nothing-here.json" report "$tmp/nothing-here.json"
check "usage: no file" 2 "report takes one FILE" report
check "usage: bad option value" 2 "--dtype" report "$models/mnist.json" --dtype fp12
check "usage: unknown command" 2 "unknown command" frobnicate
# operators of unknown cost are counted out loud; convert writes an Envelope file
printf '{"format": "envelope-network", "version": 1, "layers": [{"name": "data", "type": "input", "shape": [8, 4, 4]}, {"name": "a", "type": "unknown", "operator": "RoiAlign"}, {"name": "b", "type": "unknown", "operator": "RoiAlign"}, {"name": "c", "type": "unknown", "operator": "NonMaxSuppression", "shape": [100]}]}\n' >"$tmp/unknown.json"
check "unknown cost named" 0 "3 layers of unknown cost (RoiAlign ×2, NonMaxSuppression)" report "$tmp/unknown.json"
"$cli" convert "$tmp/unknown.json" -o "$tmp/converted.json"
check "converted file reads back" 0 "3 layers of unknown cost" report "$tmp/converted.json"
# a "|" in a name does not break a Markdown table
printf '{"format": "envelope-network", "version": 1, "layers": [{"name": "a|b", "type": "input", "shape": [3]}]}\n' >"$tmp/pipe.json"
check "markdown escapes |" 0 '| a\|b ' report "$tmp/pipe.json" --format markdown
# … nor does any other mark format it; CSV quotes what it must
printf '{"format": "envelope-network", "version": 1, "name": "*net* <b>", "layers": [{"name": "x_*y*, \\"z\\" `w` [v](u)", "type": "input", "shape": [3]}]}\n' >"$tmp/marks.json"
check "markdown escapes marks" 0 '| x\_\*y\*, "z" \`w\` \[v\](u) ' report "$tmp/marks.json" --format markdown
check "csv quotes commas and quotes" 0 '"x_*y*, ""z"" `w` [v](u)",input' report "$tmp/marks.json" --format csv
# a description's lines do not become headings or lists; a name a
# spreadsheet would run as a formula is kept text
printf '{"format": "envelope-network", "version": 1, "description": "# not a heading\\n- not a list\\n2. nor this", "layers": [{"name": "data", "type": "input", "shape": [3]}, {"name": "=HYPERLINK(1)", "type": "relu"}]}\n' >"$tmp/formula.json"
check "markdown escapes a description" 0 '\# not a heading' report "$tmp/formula.json" --format markdown
check "markdown escapes a list mark" 0 '\- not a list' report "$tmp/formula.json" --format markdown
check "markdown escapes a numbered list" 0 '2\. nor this' report "$tmp/formula.json" --format markdown
check "csv keeps a formula text" 0 "\"'=HYPERLINK(1)\",relu,data" report "$tmp/formula.json" --format csv
# a value a user typed is used or refused, never taken for "not given"
check "usage: batch 0" 2 "--batch must be at least 1" report "$models/mnist.json" --batch 0
check "usage: target batch 0" 2 "--target-batch must be at least 1" report "$models/mnist.json" --target-batch 0
check "usage: export batch 0" 2 "--batch must be at least 1" export "$models/mnist.json" -o "$tmp/x.png" --batch 0
check "usage: scale nan" 2 "--scale must be" export "$models/mnist.json" -o "$tmp/x.png" --scale nan
check "usage: scale too small" 2 "--scale must be" export "$models/mnist.json" -o "$tmp/x.png" --scale 1e-300
check "usage: dpi 0" 2 "--dpi must be" export "$models/mnist.json" -o "$tmp/x.png" --dpi 0

echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
