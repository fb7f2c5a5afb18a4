#!/bin/sh
# ot_sns.sh: entropic transport at n = m = 2000, eps = 1e-3, tol = 1e-8: Sinkhorn-Newton-Sparse
# (20 Sinkhorn iterations, then sn_ot_sinkhorn_newton_f64) against plain log-domain Sinkhorn in C on the same
# data in the same run (random 3-D Gaussian clouds, squared Euclidean cost scaled to max 1,
# uniform weights); plain Sinkhorn is capped at MAX_SINKHORN iterations.
# Usage: sh bench/ot_sns.sh BUILD_DIR [N [KEEP [MAX_SINKHORN [REPS]]]] (BUILD_DIR holds
# lib/libsinter.a; defaults 2000, 0.03, 20000, 3). At the defaults plain Sinkhorn needs about
# 4600 iterations, some 2 minutes a run on 2 cores.
set -e
. bench/common.sh
cc_bench ot_sns
if [ $# -gt 0 ]; then shift; fi
"$out/ot_sns" "$@"
