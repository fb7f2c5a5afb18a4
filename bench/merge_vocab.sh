#!/bin/sh
# merge_vocab.sh: the cost of save's vocab= (docs/merge.md, "Models of different vocabularies"):
# two models of an embedding and an output matrix, 32000 x 2048 bf16 each (262 MB a model), a
# 32000-token tokenizer.json each, linearly merged in f32 into bf16 with the page cache warm,
# best wall time of 5 and peak RSS:
#   plain: two models of one vocabulary, no vocab= (the matrices are read in place)
#   base: the same two with vocab="base" (the tokenizers read and matched; rows in place)
#   union: the second model's tokens shuffled and two added, vocab="union" (every row gathered)
# The models and outputs (about 1.3 GB) are deleted at the end.
# Usage: sh bench/merge_vocab.sh BUILD_DIR
set -e
. bench/common.sh
d="$out/merge_vocab"
rm -rf "$d"
trap 'rm -rf "$d"' EXIT INT TERM
mkdir -p "$d"
$py - "$d" <<'PY'
import json, os, struct, sys
import numpy as np
d, V, H = sys.argv[1], 32000, 2048
rng = np.random.default_rng(1)
toks = ["t%d" % i for i in range(V)]
for m, extra in (("base", []), ("same", []), ("other", ["new0", "new1"])):
    os.makedirs(os.path.join(d, m))
    header, pos, blobs = {}, 0, []
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        raw = rng.integers(0x3C00, 0x3F00, size=(V + len(extra), H), dtype=np.uint16).tobytes()
        header[name] = {"dtype": "BF16", "shape": [V + len(extra), H], "data_offsets": [pos, pos + len(raw)]}
        blobs.append(raw)
        pos += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(d, m, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    ts = list(toks)
    if extra:
        rng.shuffle(ts)
    vocab = {t: i for i, t in enumerate(ts + extra)}
    with open(os.path.join(d, m, "tokenizer.json"), "w") as f:
        json.dump({"model": {"type": "BPE", "vocab": vocab, "merges": []}, "added_tokens": []}, f)
PY
cat "$d"/*/model.safetensors > /dev/null
prog() { # NAME SECOND OPTIONS
  cat > "$out/merge_vocab_$1.dsl" <<DSL
arg out: str
save(map b, x in "$d/base/", "$d/$2/" { merge_linear(stack(f32(b), f32(x)), [0.5, 0.5]) }, out, dtype=bf16$3)
DSL
  "$sinter" build "$out/merge_vocab_$1.dsl" -o "$out/merge_vocab_$1"
}
prog plain same ""
prog base same ', vocab="base"'
prog union other ', vocab="union"'
row benchmark "best of 5" "peak RSS" "" ""
for m in plain base union; do
  for _ in 1 2 3 4 5; do
    rm -rf "$d/out"
    /usr/bin/time -f "%e %M" -o "$out/merge_vocab.time" "$out/merge_vocab_$m" --quiet --out "$d/out/" > /dev/null
    tail -1 "$out/merge_vocab.time"
  done | sort -g | head -1 > "$out/merge_vocab.best"
  row "$m" "$(awk '{ print $1 " s" }' "$out/merge_vocab.best")" "$(awk '{ printf "%.0f MB", $2 / 1024 }' "$out/merge_vocab.best")" "" ""
done
