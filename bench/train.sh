#!/bin/sh
# train.sh: training steps and gradients against PyTorch on CPU (issue 15), both sides in this
# one run with the same thread count, model, batch and sizes. Each row: name, sinter, reference,
# ratio (reference time / sinter time, or sinter / reference where the target is a bound on
# sinter's time), target; under each benchmark, the peak RSS of both processes (getrusage's
# maximum through /usr/bin/time; PyTorch's includes its libraries, about 300 MB).
# Usage: bench/train.sh BUILD_DIR
set -e
. bench/common.sh
threads=${SINTER_THREADS:-$(nproc)}
# PyTorch runs its default of one thread per core (2 here, as $threads by default). Exporting
# OMP_NUM_THREADS made Debian's PyTorch 1.13 2-3x slower on these steps (the transformer 24 ->
# 66 ms, the 784 MLP 9 -> 15-21 ms, 2026-12-07): a weaker reference than users run.
export SINTER_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.3f", t * 1e3 }'; }
# measured CMD...: runs CMD, printing its output; its peak RSS in MB goes to $out/rss.NAME
measured() {
  name=$1
  shift
  /usr/bin/time -f %M -o "$out/rss.$name" "$@"
}
mb() { awk 'END { printf "%.0f MB", $1 / 1024 }' "$out/rss.$1"; } # the last line: after a status
rss_row() { row "  peak RSS" "$(mb sinter)" "torch $(mb torch)" "" ""; }
echo "threads: $threads"
row benchmark sinter reference ratio target

# an MLP's step: forward, backward, AdamW (torch.optim.AdamW against the same update in the
# language), random data, the best time per step
"$sinter" build bench/train_mlp.dsl -o "$out/train_mlp"
mlp() {
  name="MLP $1-$2-$3 step, batch $4"
  torch=$(measured torch $py bench/train_mlp.py "$@" | cut -d' ' -f1)
  sn=$(measured sinter "$out/train_mlp" --d "$1" --h "$2" --c "$3" --b "$4" --steps "$5" | cut -d' ' -f1)
  row "$name" "$(ms "$sn") ms" "torch $(ms "$torch") ms" "$(ratio "$torch" "$sn")" ">= 3"
  rss_row
}
gcc -std=c11 -D_GNU_SOURCE -O2 bench/train_gemm.c -o "$out/train_gemm" -lopenblas
mlp 64 128 10 64 200
mlp 784 1024 10 256 20
# the same step's GEMMs alone (bench/train_gemm.c): a bound no step beats, so the ratio to torch
# cannot exceed torch / GEMMs
gemm=$("$out/train_gemm" 784 1024 10 256)
row "  GEMMs of that step" "" "GEMMs $(ms "$gemm") ms" "$(ratio "$sn" "$gemm")" ""

# a large MLP's step against the five GEMMs it needs, OpenBLAS from C with its own threads
# (bench/train_gemm.c): everything else in the step should cost little beside them
gemm=$("$out/train_gemm" 1024 4096 1000 512)
torch=$(measured torch $py bench/train_mlp.py 1024 4096 1000 512 3 | cut -d' ' -f1)
sn=$(measured sinter "$out/train_mlp" --d 1024 --h 4096 --c 1000 --b 512 --steps 3 | cut -d' ' -f1)
row "MLP 1024-4096-1000 step, batch 512" "$(ms "$sn") ms" "GEMMs $(ms "$gemm") ms" "$(ratio "$sn" "$gemm")" "<= 1.3"
row "" "" "torch $(ms "$torch") ms" "$(ratio "$torch" "$sn")" ""
rss_row

# a 2-layer transformer encoder (d = 128, 4 heads, sequence 64, batch 16) against
# nn.TransformerEncoder
"$sinter" build bench/train_transformer.dsl -o "$out/train_transformer"
torch=$(measured torch $py bench/train_transformer.py 16 64 128 4 5 | cut -d' ' -f1)
sn=$(measured sinter "$out/train_transformer" --steps 5 | cut -d' ' -f1)
row "transformer 2x128, 4 heads, 16x64" "$(ms "$sn") ms" "torch $(ms "$torch") ms" "$(ratio "$torch" "$sn")" ">= 2"
rss_row

# a small CNN on Fashion-MNIST (two 3 x 3 convolutions with pooling, two linear layers, Adam,
# batch 64): its test accuracy after 5 epochs (the target), and the time per epoch (training and
# evaluation) against the same CNN in PyTorch over one epoch
"$sinter" build bench/train_cnn.dsl -o "$out/train_cnn"
torch=$(measured torch $py bench/train_cnn.py 1 | cut -d' ' -f1)
measured sinter "$out/train_cnn" --epochs 5 2>/dev/null > "$out/train_cnn.txt"
sn=$(awk '/seconds per epoch/ { print $4 }' "$out/train_cnn.txt")
acc=$(awk -F'[][, ]+' '/test accuracy per epoch/ { print $(NF - 1) }' "$out/train_cnn.txt")
row "CNN, Fashion-MNIST, 5 epochs" "accuracy $acc" "" "" ">= 0.89"
row "  time per epoch" "$(awk -v t="$sn" 'BEGIN { printf "%.1f", t }') s" "torch $(awk -v t="$torch" 'BEGIN { printf "%.1f", t }') s" "$(ratio "$torch" "$sn")" ""
rss_row

# the lazy pairwise-lse gradient at n = m = 20000 against autograd over blocks of rows
$py -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('$out/gx.npy', rng.standard_normal((20000, 3), dtype=np.float32))
np.save('$out/gy.npy', (rng.standard_normal((20000, 3)) + [2.0, 0.0, 0.0]).astype(np.float32))
np.save('$out/gg.npy', rng.standard_normal(20000, dtype=np.float32))"
"$sinter" build bench/grad_lse.dsl -o "$out/grad_lse"
set -- $(measured sinter "$out/grad_lse" --x "$out/gx.npy" --y "$out/gy.npy" --g "$out/gg.npy" --eps 0.5)
sg=$1
set -- $(measured torch $py bench/grad_lse.py "$out/gx.npy" "$out/gy.npy" "$out/gg.npy" 0.5)
row "grad of pairwise lse, n = 20000" "$(awk -v t="$sg" "BEGIN { printf \"%.3f\", t }") s" "torch $(awk -v t="$1" "BEGIN { printf \"%.1f\", t }") s" "$(ratio "$1" "$sg")" ">= 20"
rss_row
