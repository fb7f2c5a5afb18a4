#!/bin/sh
# rand.sh: rand's draws per second (bench/rand.dsl), drawn by the runtime's batched kernel, stored
# by compiled code and read where drawn, on 1 thread and on all of them.
# Usage: sh bench/rand.sh BUILD_DIR
set -e
. bench/common.sh
"$sinter" build bench/rand.dsl -o "$out/rand"
for t in 1 $(nproc); do
  echo "threads: $t"
  SINTER_THREADS=$t "$out/rand" --quiet
done
