# Merge recipes over whole checkpoints (docs/merge.md): parameters by layer (merge_gradient over
# tensor_layer() and tensor_layers(), as mergekit's gradients) and rules by tensor name
# (tensor_has) checked on named tensors; a recipe of TIES on attention and a linear merge
# elsewhere in f32, written as bf16 (rounded to nearest even) in shards with an index, the base's
# config and tokenizer copied, equal to the references of tests/conformance/gen_merge.py rounded
# to bf16; and the recipe errors: models of different vocabularies, weights that do not match
# the models, files_from into a file or from a missing directory, each leaving no output.
. tests/cli/helpers.inc
ck=tests/conformance/merge
d=$ck/f32

# every tensor filled with 100 * its layer + 10 * its rule + the gradient [0, 1, 0.5] at its layer
cat > "$TMP/layers.dsl" <<DSL
save(map b in "$d/base/" {
  let rule = if tensor_has("mlp") then 1.0 else if tensor_has("self_attn") then 2.0 else 0.0
  b * 0 + f32(100 * tensor_layer() + 10 * rule + merge_gradient([0.0, 1.0, 0.5]))
}, "$TMP/layers/")
DSL
cat > "$TMP/show.dsl" <<DSL
let m = load("$TMP/layers/")
print(m["model.embed_tokens.weight"][0, 0], m["model.layers.0.mlp.up_proj.weight"][1, 2],
      m["model.layers.1.self_attn.q_proj.weight"][0, 0], m["model.layers.2.mlp.down_proj.weight"][3, 3])
print(m["model.layers.1.input_layernorm.weight"][0], m["model.norm.weight"][0], m["logit_scale"])
DSL
"$SINTER" run --no-cache --quiet "$TMP/layers.dsl" || fail "layers.dsl failed"
"$SINTER" run --no-cache --quiet "$TMP/show.dsl" > "$TMP/layers.out" 2>&1 || fail "$(cat "$TMP/layers.out")"
expect_text "$TMP/layers.out" "-100.0 10.0 121.0 210.5
101.0 -100.0 -100.0"

# the recipe: TIES on attention, linear elsewhere, in f32, out as bf16 shards with the config
cat > "$TMP/recipe.dsl" <<DSL
let merged = map b, x, y, z in "$d/base/", "$d/a/", "$d/b/", "$d/c/" {
  let xs = stack(x, y, z)
  if tensor_has("self_attn") then merge_ties(b, xs, [1.0, 0.6, 0.4], density=[0.5, 0.3, 0.7])
  else merge_linear(xs, [0.5, 0.3, 0.2])
}
save(merged, "$TMP/merged/", shard_size=1000, dtype=bf16, files_from="$d/base/")
DSL
"$SINTER" run --no-cache --quiet "$TMP/recipe.dsl" || fail "the recipe failed"
[ -f "$TMP/merged/model.safetensors.index.json" ] || fail "no index: $(ls "$TMP/merged")"
[ "$(ls "$TMP/merged" | grep -c '^model-0000.-of-0000.\.safetensors$')" -ge 3 ] || fail "too few shards: $(ls "$TMP/merged")"
cmp "$TMP/merged/config.json" "$d/base/config.json" || fail "config.json was not copied"
cmp "$TMP/merged/tokenizer_config.json" "$d/base/tokenizer_config.json" || fail "tokenizer_config.json was not copied"
[ -z "$(ls -A "$TMP/merged" | grep tmp)" ] || fail "temporary files left: $(ls -A "$TMP/merged")"
# (the output is bf16: widened to f32 first, for a map with the f32 references)
echo "save(map o in \"$TMP/merged/\" { o }, \"$TMP/merged32.safetensors\", dtype=f32)" > "$TMP/widen.dsl"
"$SINTER" run --no-cache --quiet "$TMP/widen.dsl" || fail "widen.dsl failed"
cat > "$TMP/check.dsl" <<DSL
fn lift(x) = x * cast(ones(1), dtype=x)
save(map o, t, l in "$TMP/merged32.safetensors", "$ck/expected/f32_ties.safetensors", "$ck/expected/f32_linear.safetensors" {
  let want = if tensor_has("self_attn") then f32(bf16(t)) else f32(bf16(l))
  check(all(lift(o) == lift(want)), "the recipe's tensor {} differs from the reference", tensor_id())
  o
}, "$TMP/seen.safetensors")
let q: bf16[8, 8] = load("$TMP/merged/")["model.layers.0.self_attn.q_proj.weight"]
print(q.shape)
print("checked")
DSL
"$SINTER" run --no-cache --quiet "$TMP/check.dsl" > "$TMP/check.out" 2>&1 || fail "$(cat "$TMP/check.out")"
expect_text "$TMP/check.out" "[8, 8]
checked"

# models of different vocabularies
cat > "$TMP/vocab.dsl" <<DSL
save(map b, x in "$d/base/", "$ck/bad_vocab/" { merge_linear(stack(b, x), [0.5, 0.5]) }, "$TMP/v/")
DSL
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/vocab.dsl" 2> "$TMP/err"
grep -qF "tensor 'lm_head.weight' is f32[16, 8] in $d/base/ ($d/base/model.safetensors) but f32[17, 8] in $ck/bad_vocab/ ($ck/bad_vocab/model.safetensors) (the vocabularies differ: 16 and 17 tokens; merge models of one tokenizer, or save with vocab=\"base\" or vocab=\"union\" to match their rows by token)" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
[ ! -e "$TMP/v" ] || fail "an output was left"

# weights that do not match the models: an error when compiling, at the call
cat > "$TMP/weights.dsl" <<DSL
save(map b, x, y in "$d/base/", "$d/a/", "$d/b/" { merge_ties(b, stack(x, y), [0.5, 0.3, 0.2]) }, "$TMP/w/")
DSL
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/weights.dsl" 2> "$TMP/err"
grep -qF "error: merge_ties: 3 weights for 2 models" "$TMP/err" || fail "$(cat "$TMP/err")"
[ ! -e "$TMP/w" ] || fail "an output was left"

# files_from into a file, and from a directory that is not there
echo "save(map b in \"$d/base/\" { b }, \"$TMP/f.safetensors\", files_from=\"$d/base/\")" > "$TMP/file.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/file.dsl" 2> "$TMP/err"
grep -qF "files_from copies files into a directory, but the output is a file" "$TMP/err" || fail "$(cat "$TMP/err")"
echo "save(map b in \"$d/base/\" { b }, \"$TMP/nf/\", files_from=\"$TMP/nothing/\")" > "$TMP/none.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/none.dsl" 2> "$TMP/err"
grep -qF "files_from=$TMP/nothing/: no such directory" "$TMP/err" || fail "$(cat "$TMP/err")"
[ ! -e "$TMP/nf" ] || fail "an output was left: $(ls -A "$TMP/nf")"
true
