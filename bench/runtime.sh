#!/bin/sh
# runtime.sh: the runtime's benchmarks against their references, measured in the same run:
#   bf16 -> f32 conversion against memory bandwidth (memcpy and a STREAM triad)  target >= 0.70
#   normal random numbers against NumPy's default_rng().standard_normal           target >= 3x
#   reading a 2 GB sharded bf16 safetensors model against cat, warm and cold      target >= 0.80
# Usage: bench/runtime.sh BUILD_DIR (the one holding lib/libsinter.a). Needs python3-numpy.
set -e
. bench/common.sh
for b in rt_convert rt_normal rt_st_read; do cc_bench "$b"; done
echo "== bf16 -> f32 conversion"
"$out/rt_convert"
echo "== normal random numbers"
np=$($py bench/rt_normal.py | tr '\n' ' ')
set -- $np
echo "numpy standard_normal: f64 $1 M/s, f32 $2 M/s"
"$out/rt_normal" "$1" "$2"
echo "== safetensors: read and sum a sharded bf16 model"
"$out/rt_st_read" "${TMPDIR:-/tmp}" 2
