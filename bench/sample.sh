#!/bin/sh
# sample.sh: diffusion sampling (issue 16) against PyTorch on the CPU (the loops as k-diffusion's
# sampling.py writes them) and NumPy, both sides in this one run with the same thread count:
# 1,000,000 2-D points, 50 steps over Karras sigmas, the exact denoiser of an 8-component
# Gaussian mixture (bench/sample.dsl, bench/sample.py), f32. Rows: the time of each sampler
# (sinter the best of two runs of a built program, the references one run), the peak memory the
# run adds (sinter: peak resident size less that of the same program on one point) over the
# state's size (n x 2 x 4 bytes), and each step's own cost with an identity denoiser on a
# 64 x 3 x 64 x 64 batch against C loops doing the same update (bench/sample_overhead.c).
# Usage: bench/sample.sh BUILD_DIR
set -e
. bench/common.sh
threads=${SINTER_THREADS:-$(nproc)}
export SINTER_THREADS=$threads OMP_NUM_THREADS=$threads
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sec() { awk -v t="$1" 'BEGIN { printf "%.2f s", t }'; }
n=1000000
$py -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('$out/sample_x.npy', (rng.standard_normal(($n, 2)) * 80).astype(np.float32))
np.save('$out/sample_x1.npy', np.zeros((1, 2), np.float32))"
gcc -O3 -march=native -fopenmp bench/sample_overhead.c -o "$out/sample_overhead_c" -lm
"$sinter" build bench/sample.dsl -o "$out/sample"
"$sinter" build bench/sample_overhead.dsl -o "$out/sample_overhead"
state_mb=$(awk -v n=$n 'BEGIN { printf "%.2f", n * 2 * 4 / 1048576 }')
echo "threads: $threads; state: $state_mb MiB"
k=0
for s in euler heun dpmpp_2m; do
  # time (best of two) and peak resident size in KiB, of the run and of the one-point run
  t1=$(/usr/bin/time -f %M -o "$out/rss" "$out/sample" --x "$out/sample_x.npy" --sampler $k --quiet | cut -d' ' -f1)
  rss=$(cat "$out/rss")
  t2=$("$out/sample" --x "$out/sample_x.npy" --sampler $k --quiet | cut -d' ' -f1)
  /usr/bin/time -f %M -o "$out/rss1" "$out/sample" --x "$out/sample_x1.npy" --sampler $k --quiet > /dev/null
  st=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print (a < b) ? a : b }')
  set -- $($py bench/sample.py torch $s "$out/sample_x.npy" "$threads" 1)
  tt=$1 tmem=$4
  set -- $($py bench/sample.py numpy $s "$out/sample_x.npy" "$threads" 1)
  nt=$1 nmem=$4
  row "$s, 1M 2-D, 50 steps" "$(sec "$st")" "torch $(sec "$tt")" "$(ratio "$tt" "$st")" ">= 10"
  row "" "" "NumPy $(sec "$nt")" "$(ratio "$nt" "$st")" ">= 10"
  smem=$(awk -v a="$rss" -v b="$(cat "$out/rss1")" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
  row "  peak memory / state" "$(ratio "$smem" "$state_mb")" "torch $(ratio "$tmem" "$state_mb")" "NumPy $(ratio "$nmem" "$state_mb")" "<= 4"
  k=$((k + 1))
done
k=0
for s in euler heun dpmpp_2m; do
  set -- $("$out/sample_overhead" --sampler $k --quiet)
  so=$1
  set -- $("$out/sample_overhead_c" $k 200)
  co=$1
  row "$s step, identity, 64x3x64x64" "$(awk -v t="$so" 'BEGIN { printf "%.3f ms", t * 1e3 }')" \
    "C $(awk -v t="$co" 'BEGIN { printf "%.3f ms", t * 1e3 }')" "$(ratio "$so" "$co")" "<= 1.5"
  k=$((k + 1))
done
