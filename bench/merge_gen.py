"""merge_gen.py: the models of bench/merge.sh: a base and two fine-tunes of a Llama-like layout
(hidden 2048, MLP 5632, 8 layers, a 32000-token vocabulary: about 540 M parameters, 1.1 GB in
bf16 each), written as Hugging Face sharded checkpoints of 3 shards with an index.
Usage: /usr/bin/python3 bench/merge_gen.py OUT_DIR [LAYERS]"""
import json
import os
import struct
import sys

import numpy as np

H, F, V = 2048, 5632, 32000


def shapes(layers):
    s = {"model.embed_tokens.weight": (V, H)}
    for k in range(layers):
        p = "model.layers.%d." % k
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            s[p + "self_attn.%s.weight" % n] = (H, H)
        s[p + "mlp.gate_proj.weight"] = (F, H)
        s[p + "mlp.up_proj.weight"] = (F, H)
        s[p + "mlp.down_proj.weight"] = (H, F)
        s[p + "input_layernorm.weight"] = (H,)
        s[p + "post_attention_layernorm.weight"] = (H,)
    s["model.norm.weight"] = (H,)
    s["lm_head.weight"] = (V, H)
    return s


def bf16(x):
    """float32 -> bfloat16 bits (truncated: the bench needs values, not rounding)."""
    return (x.view(np.uint32) >> 16).astype("<u2")


def main():
    out, layers = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8
    names = list(shapes(layers).items())
    per = (len(names) + 2) // 3
    for m, scale in (("base", 0.0), ("a", 0.002), ("b", 0.003)):
        d = os.path.join(out, m)
        os.makedirs(d, exist_ok=True)
        files = ["model-%05d-of-00003.safetensors" % (k + 1) for k in range(3)]
        weight_map = {}
        for k in range(3):
            part = names[k * per:(k + 1) * per]
            header, pos = {}, 0
            for name, shape in part:
                size = int(np.prod(shape)) * 2
                header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [pos, pos + size]}
                pos += size
                weight_map[name] = files[k]
            h = json.dumps(header, separators=(",", ":")).encode()
            h += b" " * ((8 - len(h) % 8) % 8)
            with open(os.path.join(d, files[k]), "wb") as f:
                f.write(struct.pack("<Q", len(h)) + h)
                for i, (name, shape) in enumerate(part):
                    base = np.random.default_rng(1000 + i + 100 * k).standard_normal(shape, dtype=np.float32)
                    base *= np.float32(0.02)
                    if scale:
                        noise = np.random.default_rng(hash((m, name)) % 2**32).standard_normal(shape, dtype=np.float32)
                        base += np.float32(scale) * noise
                    f.write(bf16(base).tobytes())
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)


if __name__ == "__main__":
    main()
