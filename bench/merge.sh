#!/bin/sh
# merge.sh: model merging over whole checkpoints (issue 17, docs/merge.md): a base and two
# fine-tunes in bf16, about 1.1 GB each in 3 shards with an index (bench/merge_gen.py), merged
# with the page cache warm, each tool measured in this one run:
#   TIES at density 0.5 (f32 arithmetic, bf16 output): parameters per second against mergekit's
#     TIES written in PyTorch on the CPU (bench/merge_torch.py, on the first 4 matrices of the
#     layers: its full sort per tensor makes the whole model take minutes), target >= 50x; against
#     `cat` reading every input to /dev/null, target >= 50% of its bytes per second; peak RSS,
#     target < 1 GB
#   linear, SLERP and DARE (density 0.5): parameters per second and peak RSS
# The models and outputs (about 4.5 GB) are deleted at the end.
# Usage: sh bench/merge.sh BUILD_DIR [LAYERS] (8 layers by default)
set -e
. bench/common.sh
threads=${SINTER_THREADS:-$(nproc)}
export SINTER_THREADS=$threads OMP_NUM_THREADS=$threads
d="$out/merge"
rm -rf "$d"
trap 'rm -rf "$d"' EXIT INT TERM
$py bench/merge_gen.py "$d" "${2:-8}"
inputs=$(echo "$d"/base/*.safetensors "$d"/a/*.safetensors "$d"/b/*.safetensors)
bytes=$(cat $inputs | wc -c)
params=$(( $(cat "$d"/base/*.safetensors | wc -c) / 2 )) # within the headers' few kB
cat $inputs > /dev/null
# seconds CMD...: the best wall time of three runs of CMD
seconds() {
  for _ in 1 2 3; do
    /usr/bin/time -f %e -o "$out/merge.time" "$@" > /dev/null
    tail -1 "$out/merge.time"
  done | sort -g | head -1
}
cat_s=$(seconds sh -c "cat $inputs > /dev/null")
pipe_s=$(seconds sh -c "cat $inputs | cat > /dev/null")
prog() { # NAME BODY: a program merging base/, a/ and b/ into --out
  cat > "$out/merge_$1.dsl" <<DSL
arg out: str
save(map b, x, y in "$d/base/", "$d/a/", "$d/b/" { $2 }, out, shard_size=2000000000)
DSL
  "$sinter" build "$out/merge_$1.dsl" -o "$out/merge_$1"
}
prog ties 'merge_ties(f32(b), stack(f32(x), f32(y)), [0.5, 0.5], density=0.5)'
prog linear 'merge_linear(stack(f32(b), f32(x), f32(y)), [0.4, 0.3, 0.3])'
prog slerp 'merge_slerp(f32(x), f32(y), 0.5)'
prog dare 'merge_dare(f32(b), stack(f32(x), f32(y)), [0.5, 0.5], 0.5, 7 + tensor_id())'
mps() { awk -v p="$params" -v t="$1" 'BEGIN { printf "%.0f M/s", p / t / 1e6 }'; }
gbs() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%.2f GB/s", b / t / 1e9 }'; }
rss() { awk 'END { printf "%.0f MB", $1 / 1024 }' "$out/merge.rss"; }
echo "threads: $threads, models: 3 x $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 3e9 }'), $params parameters each"
row benchmark sinter reference ratio target
torch=$($py bench/merge_torch.py "$d" 4)
for m in ties linear slerp dare; do
  s=$(seconds "$out/merge_$m" --quiet --out "$d/out_$m/")
  /usr/bin/time -f %M -o "$out/merge.rss" "$out/merge_$m" --quiet --out "$d/out_$m/"
  rm -rf "$d/out_$m"
  if [ $m = ties ]; then
    row "TIES d=0.5, params/s" "$(mps "$s")" "torch $(awk -v p="$torch" 'BEGIN { printf "%.1f M/s", p / 1e6 }')" \
      "$(awk -v p="$params" -v t="$s" -v r="$torch" 'BEGIN { printf "%.0f", p / t / r }')" ">= 50"
    row "TIES d=0.5, input bytes/s" "$(gbs "$s")" "cat $(gbs "$cat_s")" \
      "$(awk -v a="$cat_s" -v b="$s" 'BEGIN { printf "%.2f", a / b }')" ">= 0.50"
    row "" "" "cat | cat $(gbs "$pipe_s")" "$(awk -v a="$pipe_s" -v b="$s" 'BEGIN { printf "%.2f", a / b }')" ""
    row "TIES peak RSS" "$(rss)" "" "" "< 1 GB"
  else
    row "$m, params/s" "$(mps "$s")" "" "" ""
    row "$m peak RSS" "$(rss)" "" "" ""
  fi
done
