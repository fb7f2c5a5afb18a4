#!/bin/sh
# threads.sh: small loops on the default threads against SINTER_THREADS=1, on a quiet machine and
# with another process keeping one core busy (a shell loop): a 20 x 20 sinkhorn_log of 1000
# iterations and an update of 200,000 values 1000 times in an iterate. Each time is the best of
# three runs; the ratio is T(threads) / T(1), so above 1 means the threads cost time. Then
# bench/rt_parallel.c: what a parallel loop costs against the work of its chunks.
# Usage: sh bench/threads.sh BUILD_DIR
set -e
. bench/common.sh
threads=${SINTER_THREADS:-$(nproc)}
"$sinter" build bench/sinkhorn_small.dsl -o "$out/sinkhorn_small"
"$sinter" build bench/iterate_update.dsl -o "$out/iterate_update"
best() { # threads, program: the least of three times (the first number each run prints)
  t=$1
  shift
  for _ in 1 2 3; do SINTER_THREADS=$t "$@" 2>/dev/null | cut -d' ' -f1; done | sort -g | head -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sec() { awk -v t="$1" 'BEGIN { printf "%.4f s", t }'; }
measure() { # label
  for p in sinkhorn_small iterate_update; do
    one=$(best 1 "$out/$p")
    many=$(best "$threads" "$out/$p")
    row "$p, $1" "$(sec "$many")" "1 thread $(sec "$one")" "$(ratio "$many" "$one")" "<= 1.2"
  done
}
echo "threads: $threads (ratio: time on them / time on one)"
measure "quiet"
sh -c 'while :; do :; done' &
busy=$!
trap 'kill $busy 2>/dev/null || :' EXIT
measure "one core busy"
kill $busy
cc_bench rt_parallel
"$out/rt_parallel"
