# Merges of models of different vocabularies (save's vocab=, docs/merge.md), as mergekit's
# tokenizer_source: each model's embedding and output rows matched by token (its tokenizer.json:
# BPE's object and Unigram's list, added tokens, padding rows) onto the base's vocabulary or the
# union, the tokens a model lacks given mergekit's default rows, then merged: exactly the f32
# references of tests/conformance/gen_merge_vocab.py, with the output's tokenizer.json (the
# base's, or the union's) and config.json's vocab_size, and the union padded to a multiple of 8
# rows (pad_to_multiple_of=). Then the errors: no vocab= (the compile-
# time error names the option), a bad vocab= or one computed when the program runs, a file output,
# pad_to_multiple_of= without vocab=, not an integer, or below 1,
# models with no embedding, a model whose embedding and output rows disagree, a missing or malformed
# tokenizer.json, each naming the model and the file, and leaving no output.
. tests/cli/helpers.inc
d=tests/conformance/merge_vocab

# check OUT REF: every tensor of OUT equals REF's
check() {
  cat > "$TMP/check.dsl" <<DSL
fn lift(x) = x * cast(ones(1), dtype=x)
save(map o, e in "$1", "$2" {
  check(all(lift(o) == lift(e)), "tensor {} differs from the reference", tensor_id())
  o
}, "$TMP/seen.safetensors")
print("same")
DSL
  "$SINTER" run --no-cache --quiet "$TMP/check.dsl" > "$TMP/check.out" 2>&1 || fail "$(cat "$TMP/check.out")"
  expect_text "$TMP/check.out" "same"
}

# onto the base's vocabulary: a linear merge of the three
cat > "$TMP/base.dsl" <<DSL
let merged = map b, x, y in "$d/base/", "$d/x/", "$d/y/" { merge_linear(stack(b, x, y), [0.5, 0.3, 0.2]) }
save(merged, "$TMP/base/", files_from="$d/base/", vocab="base")
DSL
"$SINTER" run --no-cache --quiet "$TMP/base.dsl" || fail "the vocab=\"base\" merge failed"
check "$TMP/base/" "$d/expected/base_linear.safetensors"
cmp "$TMP/base/tokenizer.json" "$d/base/tokenizer.json" || fail "vocab=\"base\" wrote another tokenizer.json"
cmp "$TMP/base/config.json" "$d/base/config.json" || fail "config.json was not copied"
[ -z "$(ls -A "$TMP/base" | grep tmp)" ] || fail "temporary files left: $(ls -A "$TMP/base")"

# onto the union: task arithmetic of x and y against the base, through the interpreter too
cat > "$TMP/union.dsl" <<DSL
let merged = map b, x, y in "$d/base/", "$d/x/", "$d/y/" { merge_task_arithmetic(b, stack(x, y), [0.6, 0.4]) }
save(merged, "$TMP/union/", files_from="$d/base/", vocab="union")
DSL
for mode in --no-cache --interp; do
  rm -rf "$TMP/union"
  "$SINTER" run $mode --quiet "$TMP/union.dsl" || fail "the vocab=\"union\" merge failed ($mode)"
  check "$TMP/union/" "$d/expected/union_task.safetensors"
  cmp "$TMP/union/tokenizer.json" "$d/expected/union_tokenizer.json" || fail "the union's tokenizer.json differs"
  grep -q '"vocab_size":	22' "$TMP/union/config.json" || fail "$(cat "$TMP/union/config.json")"
done

# the union padded to a multiple of 8 rows: 22 tokens, 2 rows of each model's mean
cat > "$TMP/pad.dsl" <<DSL
let merged = map b, x, y in "$d/base/", "$d/x/", "$d/y/" { merge_task_arithmetic(b, stack(x, y), [0.6, 0.4]) }
save(merged, "$TMP/pad/", files_from="$d/base/", vocab="union", pad_to_multiple_of=8)
DSL
"$SINTER" run --no-cache --quiet "$TMP/pad.dsl" || fail "the padded merge failed"
check "$TMP/pad/" "$d/expected/union_pad_task.safetensors"
cmp "$TMP/pad/tokenizer.json" "$d/expected/union_tokenizer.json" || fail "the padded union's tokenizer.json differs"
grep -q '"vocab_size":	24' "$TMP/pad/config.json" || fail "$(cat "$TMP/pad/config.json")"

# pad_to_multiple_of= without vocab=, not an integer, and below 1 (a constant when compiling, an
# argument when the program runs): `pad OPTIONS MESSAGE [ARGS]` saves base and x with OPTIONS
# and expects MESSAGE after the program's location
pad() {
  printf 'arg p: i64 = 1\nsave(map b, x in "%s/base/", "%s/x/" { b }, "%s/o/", %s)\n' "$d" "$d" "$TMP" "$1" > "$TMP/pad_opt.dsl"
  m=$2
  shift 2
  expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/pad_opt.dsl" "$@" 2> "$TMP/err"
  grep -qE "^$TMP/pad_opt.dsl:2:[0-9]+: error: $m\$" "$TMP/err" || fail "$(cat "$TMP/err")"
}
pad "pad_to_multiple_of=64" "pad_to_multiple_of pads the vocabulary that vocab= builds, and this save has no vocab="
pad "vocab=\"base\", pad_to_multiple_of=6.5" "pad_to_multiple_of is a number of rows \(an integer\), not f64"
pad "vocab=\"base\", pad_to_multiple_of=0" "pad_to_multiple_of is a number of rows, 1 or more, not 0"
pad "vocab=\"base\", pad_to_multiple_of=p" "pad_to_multiple_of is a number of rows, 1 or more, not 0" --p=0
[ ! -e "$TMP/o" ] || fail "an output was left"

# without vocab=: an error when compiling, naming the option
cat > "$TMP/none.dsl" <<DSL
save(map b, x in "$d/base/", "$d/x/" { merge_linear(stack(b, x), [0.5, 0.5]) }, "$TMP/none/")
DSL
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/none.dsl" 2> "$TMP/err"
sed -n '1p;$p' "$TMP/err" > "$TMP/msg"
expect_text "$TMP/msg" "$TMP/none.dsl:1:57: error: tensor 'lm_head.weight' is f32[17, 4] in $d/base/ ($d/base/model.safetensors) but f32[18, 4] in $d/x/ ($d/x/model.safetensors) (the vocabularies differ: 17 and 18 tokens; merge models of one tokenizer, or save with vocab=\"base\" or vocab=\"union\" to match their rows by token)
   = hint: save(..., vocab=\"base\") gives the merge the base's vocabulary, vocab=\"union\" every model's tokens; each model's rows are matched by the tokens of its tokenizer.json"
[ ! -e "$TMP/none" ] || fail "an output was left"

# a vocab= that is neither, and a file output
echo "save(map b, x in \"$d/base/\", \"$d/x/\" { b }, \"$TMP/o/\", vocab=\"all\")" > "$TMP/bad.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/bad.dsl" 2> "$TMP/err"
grep -qF 'error: vocab is "base" or "union", not "all"' "$TMP/err" || fail "$(cat "$TMP/err")"
echo "save(map b, x in \"$d/base/\", \"$d/x/\" { b }, \"$TMP/o.safetensors\", vocab=\"base\")" > "$TMP/file.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/file.dsl" 2> "$TMP/err"
grep -qF "error: vocab= writes the output's tokenizer.json beside it, but the output is a file" "$TMP/err" || fail "$(cat "$TMP/err")"

# vocab= computed when the program runs; models with no embedding; a model whose embedding and
# output matrix disagree
printf 'arg v: str\nsave(map b, x in "%s/base/", "%s/x/" { b }, "%s/o/", vocab=v)\n' "$d" "$d" "$TMP" > "$TMP/arg.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/arg.dsl" --v=base 2> "$TMP/err"
grep -qF 'error: vocab is "base" or "union", not a string computed when the program runs' "$TMP/err" || fail "$(cat "$TMP/err")"
mkdir "$TMP/e1" "$TMP/e2" "$TMP/f1" "$TMP/f2"
cp "$d/base/tokenizer.json" "$TMP/e1/"
cp "$d/x/tokenizer.json" "$TMP/e2/"
cp "$d/base/tokenizer.json" "$TMP/f1/"
cp "$d/x/tokenizer.json" "$TMP/f2/"
cat > "$TMP/models.dsl" <<DSL
save({w: [1.0, 2.0]}, "$TMP/e1/model.safetensors")
save({w: [1.0, 2.0]}, "$TMP/e2/model.safetensors")
save({model: {embed_tokens: {weight: zeros([17, 4])}}, lm_head: {weight: zeros([17, 4])}}, "$TMP/f1/model.safetensors")
save({model: {embed_tokens: {weight: zeros([18, 4])}}, lm_head: {weight: zeros([17, 4])}}, "$TMP/f2/model.safetensors")
DSL
"$SINTER" run --no-cache --quiet "$TMP/models.dsl" || fail "models.dsl failed"
echo "save(map b, x in \"$TMP/e1/\", \"$TMP/e2/\" { b }, \"$TMP/eo/\", vocab=\"base\")" > "$TMP/noembed.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/noembed.dsl" 2> "$TMP/err"
grep -qF 'error: vocab="base": the checkpoints have no embedding or output matrix (a 2-D tensor named with embed_tokens or lm_head) whose rows are tokens' "$TMP/err" ||
  fail "$(cat "$TMP/err")"
echo "save(map b, x in \"$TMP/f1/\", \"$TMP/f2/\" { b }, \"$TMP/fo/\", vocab=\"union\")" > "$TMP/rows.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/rows.dsl" 2> "$TMP/err"
grep -qF "error: tensor 'lm_head.weight' has 17 rows in $TMP/f2/ but 'model.embed_tokens.weight' has 18: a model's embedding and output matrices have a row per token of its vocabulary" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
[ ! -e "$TMP/eo" ] && [ ! -e "$TMP/fo" ] || fail "an output was left"

# a missing and a malformed tokenizer.json: when compiling, and when the models are written by
# the program itself (read when it runs); no output either way
mkdir "$TMP/m"
cp -r "$d/base" "$d/x" "$TMP/m/"
rm "$TMP/m/x/tokenizer.json"
cat > "$TMP/missing.dsl" <<DSL
save(map b, x in "$TMP/m/base/", "$TMP/m/x/" { merge_linear(stack(b, x), [0.5, 0.5]) }, "$TMP/mo/", vocab="union")
DSL
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/missing.dsl" 2> "$TMP/err"
grep -qF "error: vocab=\"union\" matches the models' embedding rows by their tokens, but $TMP/m/x/tokenizer.json cannot be read (model $TMP/m/x/): No such file or directory" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
[ ! -e "$TMP/mo" ] || fail "an output was left"
printf '{"model": {"type": "BPE", "vocab": {"a": 0, "b": "one"}}}' > "$TMP/m/x/tokenizer.json"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/missing.dsl" 2> "$TMP/err"
grep -qF "error: $TMP/m/x/tokenizer.json is not a tokenizer that vocab=\"union\" can read (model $TMP/m/x/): model.vocab's entry 1 is not a token and its id (a whole number from 0)" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
cat > "$TMP/late.dsl" <<DSL
save(load("$d/base/model.safetensors"), "$TMP/lb/base.safetensors")
save(load("$d/x/model.safetensors"), "$TMP/lx/x.safetensors")
save(map b, x in "$TMP/lb/base.safetensors", "$TMP/lx/x.safetensors" { merge_linear(stack(b, x), [0.5, 0.5]) },
     "$TMP/lo/", vocab="base")
DSL
mkdir "$TMP/lb" "$TMP/lx"
cp "$d/base/tokenizer.json" "$TMP/lb/"
printf '{"model": {"vocab": [["a", 0.0], ' > "$TMP/lx/tokenizer.json"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/late.dsl" 2> "$TMP/err"
grep -qF "error: $TMP/lx/tokenizer.json is not a tokenizer that vocab=\"base\" can read (model $TMP/lx/x.safetensors): it is not JSON" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
[ ! -e "$TMP/lo" ] || fail "an output was left: $(ls -A "$TMP/lo")"
true
