# merge_passthrough (docs/merge.md): layers 0 and 1 of a/ then 1 and 2 of b/ stacked into a model
# of 4 layers, renumbered, the tensors of no layer from a/, in shards with an index and the base's
# config (num_hidden_layers 4); equal to tests/conformance/gen_merge.py's NumPy stacking, in f32
# and bf16; a range past a model's layers and a malformed slice are errors leaving no output.
. tests/cli/helpers.inc
ck=tests/conformance/merge
for dt in f32 bf16; do
  d=$ck/$dt
  cat > "$TMP/pt.dsl" <<DSL
merge_passthrough("$d/a/[0:2] $d/b/[1:3]", "$TMP/pt_$dt/", shard_size=3000, files_from="$d/base/")
DSL
  "$SINTER" run --no-cache --quiet "$TMP/pt.dsl" || fail "passthrough of $dt failed"
  [ -f "$TMP/pt_$dt/model.safetensors.index.json" ] || fail "no index: $(ls "$TMP/pt_$dt")"
  grep -q '"num_hidden_layers":	4,' "$TMP/pt_$dt/config.json" || fail "config.json: $(cat "$TMP/pt_$dt/config.json")"
  cmp "$TMP/pt_$dt/tokenizer_config.json" "$d/base/tokenizer_config.json" || fail "tokenizer_config.json was not copied"
  # a map over the output and the reference matches them by name, dtype and shape
  cat > "$TMP/check.dsl" <<DSL
fn lift(x) = x * cast(ones(1), dtype=x)
save(map o, t in "$TMP/pt_$dt/", "$ck/expected/${dt}_passthrough.safetensors" {
  check(all(lift(o) == lift(t)), "tensor {} differs from the reference", tensor_id())
  o
}, "$TMP/seen_$dt.safetensors")
print(load("$TMP/pt_$dt/")["model.layers.3.mlp.up_proj.weight"].shape)
DSL
  "$SINTER" run --no-cache --quiet "$TMP/check.dsl" > "$TMP/check.out" 2>&1 || fail "$(cat "$TMP/check.out")"
  expect_text "$TMP/check.out" "[12, 8]"
done

d=$ck/f32
echo "merge_passthrough(\"$d/a/[0:2] $d/b/[2:4]\", \"$TMP/far/\")" > "$TMP/far.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/far.dsl" 2> "$TMP/err"
grep -qF "passthrough: [2:4] is not a range of the layers of $d/b/, which has 3 (0 to 2)" "$TMP/err" || fail "$(cat "$TMP/err")"
[ ! -e "$TMP/far" ] || fail "an output was left: $(ls -A "$TMP/far")"
echo "merge_passthrough(\"$d/a/0:2\", \"$TMP/bad/\")" > "$TMP/bad.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/bad.dsl" 2> "$TMP/err"
grep -qF "passthrough: a slice is a checkpoint and a range of its layers, as \"a/[0:16]\", not \"$d/a/0:2\"" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
[ ! -e "$TMP/bad" ] || fail "an output was left"
true
