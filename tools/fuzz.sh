#!/bin/sh
# Runs every libFuzzer target for a bounded time, starting from its committed corpus; new
# inputs go to build/fuzz/work/NAME (not committed). Usage: tools/fuzz.sh BUILD SECONDS
build=${1:-build}
seconds=${2:-60}
status=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work="$build/fuzz/work/$name"
  mkdir -p "$work"
  dict=""
  [ -f "tests/fuzz/$name.dict" ] && dict="-dict=$PWD/tests/fuzz/$name.dict"
  echo "fuzzing $name for ${seconds}s"
  (cd "$work" && "../../$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 $dict \
     -artifact_prefix="$PWD/" . "$OLDPWD/tests/fuzz/corpus/$name" >fuzz.log 2>&1) || {
    echo "  $name found a failure: see $work (crash-*, fuzz.log)"
    status=1
  }
done
exit $status
