#!/bin/sh
# align.sh: linear_sum_assignment against scipy.optimize.linear_sum_assignment on the same
# uniform random n x n cost (the best of three calls each, in this one run; the algorithm is
# scipy's step for step, so the target is the same time, ratio scipy / sinter about 1), and
# weight matching of two MLPs 784-512-512-512-10 (sweeps to the fixed point and the time).
# Usage: sh bench/align.sh BUILD_DIR [N]
# Needs Debian's python3-numpy and python3-scipy (/usr/bin/python3).
set -e
. bench/common.sh
n=${2:-2000}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sp=$($py -c "
import time
import numpy as np
from scipy.optimize import linear_sum_assignment
C = np.random.default_rng(1).random(($n, $n))
np.save('$out/align_costs.npy', C)
best = min((lambda t0: (linear_sum_assignment(C), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
print(f'{best:.4f}')")
set -- $("$sinter" run --quiet bench/align.dsl --costs="$out/align_costs.npy")
row "linear_sum_assignment $n x $n" "$(awk -v t="$1" 'BEGIN { printf "%.4f s", t }')" "scipy $sp s" "$(ratio "$sp" "$1")" "~ 1"
row "weight_matching 3 x 512 units" "$(awk -v t="$2" 'BEGIN { printf "%.2f s", t }')" "$4 sweeps" "" ""
