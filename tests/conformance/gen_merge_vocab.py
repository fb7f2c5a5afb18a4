#!/usr/bin/python3
"""Writes the models and references of tests/cli/merge_vocab.sh: merges of models of different
vocabularies (save's vocab=, docs/merge.md), as mergekit's tokenizer_source: base and union
(mergekit/tokenizer/build.py, embed.py), computed here independently of sinter.

Three small models (merge_vocab/base, x, y; f32, one model.safetensors and tokenizer.json each):
- base: 17 embedding rows, its tokenizer.json (BPE, an object of tokens to ids) naming rows 0 to
  15 ("<s>" an added token); row 16 is padding, a token of the base alone;
- x: 18 rows, the base's tokens partly, in another order, and new ones ("x1", "x2", "xy",
  the added special "<tool>"); row 16 has no token;
- y: 14 rows, a Unigram tokenizer (a list of [token, score]: the id is the position), some of the
  base's tokens, "xy" (which x also has and the base lacks), "y1"; an added token with id 20, not
  one of its rows, is ignored.
Each model's embedding and output matrix are remapped by token onto the output vocabulary (the
base's rows; for union, then x's new tokens in id order, then y's): a model's own row for a token
it has, else the row of the only model that has it, else the base's, else the mean (in f64,
rounded once) of the rows of the models that have it. Then the merge: a linear merge of b, x, y
onto the base's vocabulary (expected/base_linear.safetensors) and task arithmetic of x and y
against b onto the union (expected/union_task.safetensors), in f32 as gen_merge.py computes them,
with the union's tokenizer.json (expected/union_tokenizer.json, the base's with the new tokens
in added_tokens, printed as cJSON_Print prints it) and config.json (vocab_size 22). The union's
task arithmetic again with pad_to_multiple_of=8 (expected/union_pad_task.safetensors): each
model's remapped matrix gets 2 more rows, each the mean of its 22 rows (in f64, rounded once), as
mergekit's PermutedEmbeddings pads, before the merge (config.json's vocab_size 24).
Run: /usr/bin/python3 tests/conformance/gen_merge_vocab.py (writes tests/conformance/merge_vocab/)."""
import json
import os

import numpy as np

from gen_merge import gta, linear, write_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "merge_vocab")
H = 4
LETTERS = [chr(ord("a") + i) for i in range(15)]


def added(i, content, special):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": not special, "special": special}


def tokenizers():
    """name -> (rows, tokenizer.json as a dict)."""
    base = {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [added(0, "<s>", True)],
            "normalizer": None, "pre_tokenizer": None,
            "model": {"type": "BPE", "dropout": None, "unk_token": None,
                      "vocab": dict([("<s>", 0)] + [(t, i + 1) for i, t in enumerate(LETTERS)]), "merges": []}}
    # x: the base's tokens but c, f, k, in reverse order, the new ones among them; row 16 unnamed
    xs = ["<s>", "x1"] + [t for t in reversed(LETTERS) if t not in "cfk"] + ["xy", "x2"]
    xv = {t: i for i, t in enumerate(xs)}
    xv["<tool>"] = 17
    x = {"version": "1.0", "added_tokens": [added(0, "<s>", True), added(17, "<tool>", True)],
         "model": {"type": "BPE", "vocab": xv, "merges": []}}
    # y: Unigram, 14 rows: some of the base's tokens, "xy", "y1", and the base's "m" as an added token
    ys = ["<s>", "a", "b", "xy", "c", "y1", "d", "e", "f", "g", "k", "o", "n"]
    y = {"version": "1.0", "added_tokens": [added(13, "m", False), added(20, "<unused>", True)],
         "model": {"type": "Unigram", "unk_id": None, "vocab": [[t, -float(i)] for i, t in enumerate(ys)]}}
    return {"base": (17, base), "x": (18, x), "y": (14, y)}


def vocab_of(rows, tok):
    """token -> row: model.vocab then added_tokens (which win), ids below rows."""
    v = tok["model"]["vocab"]
    pairs = [(t, i) for i, (t, _) in enumerate(v)] if isinstance(v, list) else list(v.items())
    pairs += [(a["content"], a["id"]) for a in tok["added_tokens"]]
    out = {}
    for t, i in pairs:
        if i < rows:
            out[t] = i
    return out


def output_vocab(models, union):
    """The output's tokens by row (None for the base's padding) and each model's vocabulary."""
    vocabs = {m: vocab_of(*models[m]) for m in models}
    rows = models["base"][0]
    names = [None] * rows
    for t, i in vocabs["base"].items():
        names[i] = t
    new = []
    if union:
        for m in ("x", "y"):
            for t, i in sorted(vocabs[m].items(), key=lambda p: p[1]):
                if t not in vocabs["base"] and t not in new:
                    new.append(t)
    return names + new, new, vocabs


def pad_rows(m, multiple):
    """m with rows up to a multiple of `multiple`, each the mean of m's rows (f64, rounded once)."""
    extra = -len(m) % multiple
    mean = m.astype(np.float64).mean(axis=0).astype(np.float32)
    return np.concatenate([m, np.tile(mean, (extra, 1))]) if extra else m


def remap(tensors, names, vocabs):
    """Each model's matrix with one row per output token, mergekit's default for a missing one."""
    order = ("base", "x", "y")
    src = {m: [vocabs[m].get(t, -1) if t is not None else (r if m == "base" else -1) for r, t in enumerate(names)]
           for m in order}
    out = {m: np.zeros((len(names), H), dtype=np.float32) for m in order}
    for r in range(len(names)):
        have = [m for m in order if src[m][r] >= 0]
        if len(have) == 1:
            default = tensors[have[0]][src[have[0]][r]]
        elif src["base"][r] >= 0:
            default = tensors["base"][src["base"][r]]
        else:
            total = np.zeros(H, dtype=np.float64)
            for m in have:
                total = total + tensors[m][src[m][r]].astype(np.float64)
            default = (total / len(have)).astype(np.float32)
        for m in order:
            out[m][r] = tensors[m][src[m][r]] if src[m][r] >= 0 else default
    return out


def cjson(v, depth=1):
    """v as cJSON_Print writes it: objects over lines indented by tabs, arrays on one line."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if float(v) == int(v) and abs(v) < 2 ** 53:
            return "%d" % int(v)
        s = "%1.15g" % v
        return s if float(s) == v else "%1.17g" % v
    if isinstance(v, str):
        esc = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
        return '"' + "".join(esc.get(c, "\\u%04x" % ord(c) if ord(c) < 32 else c) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(cjson(e, depth + 1) for e in v) + "]"
    if not v:
        return "{\n" + "\t" * (depth - 1) + "}"
    items = ",\n".join("\t" * depth + cjson(k) + ":\t" + cjson(e, depth + 1) for k, e in v.items())
    return "{\n" + items + "\n" + "\t" * (depth - 1) + "}"


def main():
    rng = np.random.default_rng(29)
    models = tokenizers()
    shared = {"model.layers.0.self_attn.q_proj.weight": (H, H), "model.norm.weight": (H,)}
    tensors = {}
    for m, (rows, tok) in models.items():
        ts = {"model.embed_tokens.weight": rng.standard_normal((rows, H)).astype(np.float32),
              "lm_head.weight": rng.standard_normal((rows, H)).astype(np.float32)}
        ts.update({n: rng.standard_normal(s).astype(np.float32) for n, s in shared.items()})
        tensors[m] = ts
        os.makedirs(os.path.join(OUT, m), exist_ok=True)
        write_file(os.path.join(OUT, m, "model.safetensors"), ts, "F32")
        with open(os.path.join(OUT, m, "tokenizer.json"), "w") as f:
            json.dump(tok, f, indent=2)
    with open(os.path.join(OUT, "base", "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "hidden_size": H, "num_hidden_layers": 1,
                   "vocab_size": 17}, f, indent=2)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    task = lambda b, xs: gta(b, [x - b for x in xs], [0.6, 0.4], False, False)
    recipes = {"base_linear": (False, 1, lambda b, xs: linear([b] + xs, [0.5, 0.3, 0.2])),
               "union_task": (True, 1, task),
               "union_pad_task": (True, 8, task)}
    for name, (union, pad, fn) in recipes.items():
        names, new, vocabs = output_vocab(models, union)
        want = {}
        for t in tensors["base"]:
            if t in ("model.embed_tokens.weight", "lm_head.weight"):
                rows = remap({m: tensors[m][t] for m in tensors}, names, vocabs)
                rows = {m: pad_rows(r, pad) for m, r in rows.items()}
            else:
                rows = {m: tensors[m][t] for m in tensors}
            shape = rows["base"].shape
            r = fn(rows["base"].reshape(-1), [rows[m].reshape(-1) for m in ("x", "y")])
            want[t] = np.asarray(r, dtype=np.float32).reshape(shape)
        write_file(os.path.join(OUT, "expected", name + ".safetensors"), want, "F32")
        if name == "union_task":
            tok = json.loads(json.dumps(models["base"][1]))
            for j, t in enumerate(new):
                id = models["base"][0] + j
                theirs = [a for m in ("x", "y") for a in models[m][1]["added_tokens"] if a["content"] == t]
                tok["added_tokens"].append(dict(theirs[0], id=id) if theirs else added(id, t, False))
            with open(os.path.join(OUT, "expected", "union_tokenizer.json"), "w") as f:
                f.write(cjson(tok))
            print("union: %d rows, new tokens %s" % (len(names), new))


if __name__ == "__main__":
    main()
