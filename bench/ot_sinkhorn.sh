#!/bin/sh
# ot_sinkhorn.sh: Sinkhorn against POT on the same random 3-D Gaussian clouds (squared Euclidean
# cost scaled to max 1, uniform weights), measured in this one run; sinter computes the cost on
# the fly (never stored), POT gets its dense cost matrix built outside its timing.
#   log-domain, time per iteration, n = 4000 and 2000, eps = 1e-3, in f64 and in f32 (POT's
#   cost and weights in f32 too)
#   scaling form, time per iteration, n = 2000, eps = 1e-2 (and 100 iterations with the setup)
#   online eps-scaling log-domain Sinkhorn at n = 20000 to tol 1e-6 (sinter only): time, peak RSS
# Usage: sh bench/ot_sinkhorn.sh BUILD_DIR. Needs /usr/bin/python3 with numpy and POT.
set -e
. bench/common.sh
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.2f ms", t * 1e3 }'; }
"$sinter" build bench/sinkhorn.dsl -o "$out/sinkhorn"
# Time per iteration = (T(2k) - T(k)) / k, T the best of three runs of k iterations: the setup
# both tools pay once (POT: K = exp(-M / eps) and the plan; sinter: the input checks, the kernel,
# the result's cost and marginal error) cancels.
per_iteration() { # k, then a command that runs ITERS iterations and prints seconds first
  k=$1
  shift
  for iters in $k $((2 * k)); do
    for _ in 1 2 3; do ITERS=$iters "$@" | cut -d' ' -f1; done | sort -g | head -1
  done | { read -r t1; read -r t2; awk -v a="$t1" -v b="$t2" -v k="$k" 'BEGIN {
    # a run that failed (no time) or noise that made T(2k) <= T(k) stops the script (set -e)
    # rather than print a meaningless ratio
    if (!(a > 0 && b > a)) { printf "ot_sinkhorn.sh: no time per iteration (T(k) = %s, T(2k) = %s)\n", a, b > "/dev/stderr"; exit 1 }
    print (b - a) / k }'; }
}
pot() { $py bench/ot_sinkhorn.py "$out" "$1" "$2" "$3" "$ITERS" 1 ${4:-f64}; }
sinter_sk() { "$out/sinkhorn" --iters="$ITERS" "$@"; }
for n in 4000 2000; do
  data="--x=$out/sk_${n}_x.npy --y=$out/sk_${n}_y.npy"
  p=$(per_iteration 5 pot $n 0.001 sinkhorn_log)
  p32=$(per_iteration 5 pot $n 0.001 sinkhorn_log f32)
  s64=$(per_iteration 10 sinter_sk $data --eps=0.001)
  s32=$(per_iteration 10 sinter_sk $data --eps=0.001 --single=true)
  row "sinkhorn_log/iter, n=$n, eps=1e-3" "$(ms "$s64")" "POT $(ms "$p")" "$(ratio "$p" "$s64")x" ">= 20x"
  row "  the same in f32" "$(ms "$s32")" "POT $(ms "$p32")" "$(ratio "$p32" "$s32")x" ""
done
data="--x=$out/sk_2000_x.npy --y=$out/sk_2000_y.npy"
p=$(per_iteration 100 pot 2000 0.01 sinkhorn)
s=$(per_iteration 100 sinter_sk $data --eps=0.01 --log=false)
row "sinkhorn/iter, n=2000, eps=1e-2" "$(ms "$s")" "POT $(ms "$p")" "$(ratio "$p" "$s")x" ">= 3x"
ITERS=100
set -- $(pot 2000 0.01 sinkhorn)
pt=$1
set -- $(sinter_sk $data --eps=0.01 --log=false)
row "  100 iterations with setup" "$(ms "$1")" "POT $(ms "$pt")" "$(ratio "$pt" "$1")x" ""
"$sinter" build bench/sinkhorn_online.dsl -o "$out/sinkhorn_online"
/usr/bin/time -f '%M' -o "$out/rss" "$out/sinkhorn_online" > "$out/online.txt"
set -- $(cat "$out/online.txt")
row "online eps-scaling, n=20000, 1e-6" "$1 s, $(awk '{ printf "%.0f", $1 / 1024 }' "$out/rss") MB" "(POT: dense 3.2 GB)" "" "< 60 s, < 100 MB"
echo "  ($2 iterations, converged $3, marginal error $4)"
