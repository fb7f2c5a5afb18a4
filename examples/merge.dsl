# Merging models (docs/merge.md): a small Llama-like base model and three fine-tunes of it
# (tests/conformance/merge/f32, written by tests/conformance/gen_merge.py) merged by one recipe:
# TIES on the attention matrices with a density that rises over the layers, DARE on the MLPs with
# a seed per tensor, a weighted average elsewhere (embeddings, norms, the output matrix); in f32,
# written as bf16 shards with an index and the base's config and tokenizer. For each tensor the
# recipe prints its index, its layer and how far the merge moved it from the base.
arg out: str = "/tmp/sinter-example-merge/"
let d = "tests/conformance/merge/f32/"
let w = [0.5, 0.3, 0.2]
let merged = map b, x, y, z in d + "base/", d + "a/", d + "b/", d + "c/" {
  let xs = stack(x, y, z)
  let r = if tensor_has("self_attn") then merge_ties(b, xs, w, density=merge_gradient([0.3, 0.7]))
          else if tensor_has("mlp") then merge_dare(b, xs, w, 0.6, 7 + tensor_id())
          else merge_linear(xs, w)
  print(tensor_id(), tensor_layer(), round(1e5 * max(abs(r - b))) / 1e5)
  r
}
save(merged, out, dtype=bf16, shard_size=2000, files_from=d + "base/")
print("merged")
