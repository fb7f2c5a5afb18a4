#!/bin/sh
# run.sh: sinter against the reference tools, both sides measured in this one run, on the same
# data and the same number of threads. Each result line: name, sinter, reference, ratio, target.
# The machine may be shared: every figure is the best of several runs.
# Usage: bench/run.sh BUILD_DIR
set -e
. bench/common.sh
threads=${SINTER_THREADS:-$(nproc)}
export SINTER_THREADS=$threads OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
cflags="-O3 -march=native -fopenmp -Iinclude"
gcc $cflags bench/triad.c -o "$out/triad"
gcc $cflags bench/sgemm.c -o "$out/sgemm" -lopenblas
gcc -O3 -march=native -fopenmp bench/lse_c.c -o "$out/lse_c" -lm

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sec() { awk -v t="$1" 'BEGIN { printf "%.4f", t }'; } # seconds, as the programs print them
echo "threads: $threads"
row benchmark sinter reference ratio target

# 1. streaming reduction against the memory bandwidth of a C triad
n=$((64 << 20))
set -- $("$sinter" run bench/dot.dsl --n=$n)
dot_gbs=$(awk -v t="$1" -v n=$n 'BEGIN { printf "%.1f", 8 * n / t / 1e9 }')
triad_gbs=$("$out/triad" $n)
row "sum(i) a[i]*b[i], 64M f32" "$dot_gbs GB/s" "triad $triad_gbs GB/s" "$(ratio "$dot_gbs" "$triad_gbs")" ">= 0.70"

# 2. matrix product against sgemm called from C
set -- $("$sinter" run bench/matmul.dsl --n=2048)
mm=$(sec "$1")
cm=$("$out/sgemm" 2048)
row "a @ b, 2048 x 2048 f32" "${mm} s" "sgemm ${cm} s" "$(ratio "$cm" "$mm")" ">= 0.90"

# 3. the fused pairwise lse against NumPy/SciPy and hand-written C, n = m = 20000, d = 3
$py -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('$out/x.npy', rng.standard_normal((20000, 3), dtype=np.float32))
np.save('$out/y.npy', (rng.standard_normal((20000, 3)) + [2.0, 0.0, 0.0]).astype(np.float32))"
set -- $("$sinter" run bench/lse.dsl --x="$out/x.npy" --y="$out/y.npy" --eps=0.1)
sl=$(sec "$1")
set -- $($py bench/lse_numpy.py "$out/x.npy" "$out/y.npy" 0.1 2)
nl=$1
set -- $("$out/lse_c" "$out/x.npy" "$out/y.npy" 0.1)
cl=$1
row "fused lse, 20000 x 20000, d=3" "${sl} s" "NumPy ${nl} s" "$(ratio "$nl" "$sl")x" ">= 20x"
row "" "" "careful C ${cl} s" "$(ratio "$cl" "$sl")" ">= 0.80"

# 4. compile time of every example, and the REPL's answer to 1+1
worst=0
for f in examples/*.dsl; do
  t=$($py -c "
import subprocess, time
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    subprocess.run(['$sinter', 'build', '$f', '-o', '$out/example'], check=True)
    best = min(best, time.perf_counter() - t0)
print(f'{best:.3f}')")
  worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
done
row "compile time, slowest example" "${worst} s" "" "" "< 1 s"
replt=$($py -c "
import subprocess, time
def run(lines):
    t0 = time.perf_counter()
    subprocess.run(['$sinter', 'repl', '--no-history'], input='1+1\n' * lines, text=True, check=True, capture_output=True)
    return time.perf_counter() - t0
one = min(run(1) for _ in range(3)); many = min(run(21) for _ in range(3))
print(f'{(many - one) / 20 * 1e3:.1f}')")
row "REPL answer to 1+1" "${replt} ms" "" "" "< 50 ms"

# 5. the runtime's own benchmarks (conversions, random numbers, safetensors), exact and entropic
# OT, and small loops on a quiet and on a busy machine
sh bench/runtime.sh "$build"
sh bench/ot_emd.sh "$build"
sh bench/ot_sinkhorn.sh "$build"
sh bench/threads.sh "$build"
sh bench/train.sh "$build"
sh bench/sample.sh "$build"
sh bench/align.sh "$build"
exit 0
