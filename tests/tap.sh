# tap.sh: the Test Anything Protocol for the shell checks, sourced.
#
#   ok DESCRIPTION          the next test passed
#   not_ok DESCRIPTION      it failed; the first $tap_log_lines lines (all,
#                           when unset) of the file $tap_log, when it is
#                           set and not empty, follow as comments
#   skip DESCRIPTION WHY    it could not run here: skipped, not passed
#
# $n counts the tests so far, for the plan ("1..$n").
#
# SPDX-License-Identifier: GPL-3.0-or-later

n=0
tap_log=
tap_log_lines=

ok () {
  n=$((n + 1))
  echo "ok $n - $1"
}

not_ok () {
  n=$((n + 1))
  echo "not ok $n - $1"
  if [ -n "$tap_log" ] && [ -s "$tap_log" ]; then
    sed -n "1,${tap_log_lines:-\$}s/^/# /p" "$tap_log"
  fi
}

skip () {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}
