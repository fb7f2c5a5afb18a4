#!/bin/sh
# ot_sinkhorn.sh: Sinkhorn against POT on the same random 3-D Gaussian clouds (squared Euclidean
# cost scaled to max 1, uniform weights), measured in this one run; sinter computes the cost on
# the fly (never stored), POT gets its dense cost matrix built outside its timing.
#   log-domain, time per iteration, n = 4000 and 2000, eps = 1e-3 (f64, and sinter in f32 too)
#   scaling form, time per iteration, n = 2000, eps = 1e-2
#   online eps-scaling log-domain Sinkhorn at n = 20000 to tol 1e-6 (sinter only): time, peak RSS
# Usage: sh bench/ot_sinkhorn.sh BUILD_DIR. Needs /usr/bin/python3 with numpy and POT.
set -e
build=${1:-build}
sinter="$build/bin/sinter"
out="$build/bench"
mkdir -p "$out"
py=/usr/bin/python3
row() { printf '%-34s %-16s %-16s %-9s %s\n' "$1" "$2" "$3" "$4" "$5"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.2f ms", t * 1e3 }'; }
"$sinter" build bench/sinkhorn.dsl -o "$out/sinkhorn"
best() { # best seconds-per-iteration of three runs of the built program
  for _ in 1 2 3; do "$out/sinkhorn" "$@" | cut -d' ' -f1; done | sort -g | head -1
}
for n in 4000 2000; do
  set -- $($py bench/ot_sinkhorn.py "$out" $n 0.001 sinkhorn_log 5 2)
  pot=$1
  args="--x=$out/sk_${n}_x.npy --y=$out/sk_${n}_y.npy --eps=0.001 --iters=20"
  s64=$(best $args)
  s32=$(best $args --single=true)
  row "sinkhorn_log/iter, n=$n, eps=1e-3" "$(ms "$s64")" "POT $(ms "$pot")" "$(ratio "$pot" "$s64")x" ">= 20x"
  row "  the same in f32" "$(ms "$s32")" "" "$(ratio "$pot" "$s32")x" ""
done
set -- $($py bench/ot_sinkhorn.py "$out" 2000 0.01 sinkhorn 100 3)
pot=$1
s=$(best --x="$out/sk_2000_x.npy" --y="$out/sk_2000_y.npy" --eps=0.01 --iters=100 --log=false)
row "sinkhorn/iter, n=2000, eps=1e-2" "$(ms "$s")" "POT $(ms "$pot")" "$(ratio "$pot" "$s")x" ">= 3x"
"$sinter" build bench/sinkhorn_online.dsl -o "$out/sinkhorn_online"
/usr/bin/time -f '%M' -o "$out/rss" "$out/sinkhorn_online" > "$out/online.txt"
set -- $(cat "$out/online.txt")
row "online eps-scaling, n=20000, 1e-6" "$1 s, $(awk '{ printf "%.0f", $1 / 1024 }' "$out/rss") MB" "(POT: dense 3.2 GB)" "" "< 60 s, < 100 MB"
echo "  ($2 iterations, converged $3, marginal error $4)"
