#!/bin/sh
# train.sh: training steps and gradients against PyTorch on CPU (issue 15), both sides in this
# one run with the same thread count, model, batch and sizes. Each row: name, sinter, reference,
# ratio (reference time / sinter time), target.
# Usage: bench/train.sh BUILD_DIR
set -e
. bench/common.sh
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.3f", t * 1e3 }'; }

# an MLP's step: forward, backward, AdamW (torch.optim.AdamW against the same update in the
# language), random data, the best time per step
mlp() {
  name="MLP $1-$2-$3 step, batch $4"
  torch=$($py bench/train_mlp.py "$@" | cut -d' ' -f1)
  set -- $("$sinter" run --quiet bench/train_mlp.dsl --d "$1" --h "$2" --c "$3" --b "$4" --steps "$5")
  row "$name" "$(ms "$1") ms" "torch $(ms "$torch") ms" "$(ratio "$torch" "$1")" ">= 3"
}
mlp 64 128 10 64 200
mlp 784 1024 10 256 20

# the lazy pairwise-lse gradient at n = m = 20000 against autograd over blocks of rows
$py -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('$out/gx.npy', rng.standard_normal((20000, 3), dtype=np.float32))
np.save('$out/gy.npy', (rng.standard_normal((20000, 3)) + [2.0, 0.0, 0.0]).astype(np.float32))
np.save('$out/gg.npy', rng.standard_normal(20000, dtype=np.float32))"
set -- $("$sinter" run --quiet bench/grad_lse.dsl --x "$out/gx.npy" --y "$out/gy.npy" --g "$out/gg.npy" --eps 0.5)
sg=$1
set -- $($py bench/grad_lse.py "$out/gx.npy" "$out/gy.npy" "$out/gg.npy" 0.5)
row "grad of pairwise lse, n = 20000" "$(awk -v t="$sg" "BEGIN { printf \"%.3f\", t }") s" "torch $(awk -v t="$1" "BEGIN { printf \"%.1f\", t }") s" "$(ratio "$1" "$sg")" ">= 20"
