#!/bin/sh
# ot_emd.sh: exact EMD at n = m = 4000 against POT's ot.emd on the same data, measured in the
# same run (random 3-D Gaussian clouds, squared Euclidean cost scaled to max 1, uniform weights);
# target: ratio (POT time / sinter time) >= 1.
# Usage: sh bench/ot_emd.sh BUILD_DIR [N] (the build directory holding lib/libsinter.a).
# Needs Debian's python3-numpy and python3-pot (/usr/bin/python3).
set -e
. bench/common.sh
n=${2:-4000}
cc_bench ot_emd
set -- $($py bench/ot_emd.py "$out" "$n")
"$out/ot_emd" "$out" "$n" "$1" "$2"
