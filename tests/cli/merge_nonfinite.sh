# A merge that gives NaN or an infinity stops before writing (docs/merge.md): a model holding a NaN
# (the error names the tensor, the element and each input's value there), a recipe dividing by
# weights that sum to zero (linear's normalisation), and a bf16 result (its own scan); each
# through the JIT and the interpreter, and no output is left. A merge of finite values is written.
. tests/cli/helpers.inc

cat > "$TMP/models.dsl" <<DSL
save({w: [[1.0, 2.0], [3.0, 4.0]], bias: [0.5, -0.5]}, "$TMP/base.safetensors")
save({w: [[1.5, 2.0], [nan, 4.5]], bias: [0.5, -0.25]}, "$TMP/a.safetensors")
save({w: [[1.0, 2.5], [3.0, 4.0]], bias: [0.75, -0.5]}, "$TMP/b.safetensors")
save({w: bf16([[1.0, 2.0], [3.0, 4.0]]), bias: bf16([0.5, -0.5])}, "$TMP/h1.safetensors")
save({w: bf16([[1.0, 2.0], [3.0, 4.0]]), bias: bf16([0.5, -0.5])}, "$TMP/h2.safetensors")
DSL
"$SINTER" run --no-cache --quiet "$TMP/models.dsl" || fail "models.dsl failed"

cat > "$TMP/nan.dsl" <<DSL
save(map b, x in "$TMP/base.safetensors", "$TMP/a.safetensors" { merge_linear(stack(b, x), [0.5, 0.5]) }, "$TMP/o1/")
DSL
expect_run_error "$TMP/nan.dsl" "tensor 'w': the merge gives nan at element [1, 0]; the inputs there: $TMP/base.safetensors 3.0, $TMP/a.safetensors nan; nothing is written (a model holding NaN or an infinity, or a recipe that divides by weights that sum to zero)"
[ ! -e "$TMP/o1" ] || fail "an output was left: $(ls -A "$TMP/o1")"

cat > "$TMP/zero.dsl" <<DSL
save(map b, x in "$TMP/base.safetensors", "$TMP/b.safetensors" { merge_linear(stack(b, x), [1.0, -1.0]) }, "$TMP/o2.safetensors")
DSL
expect_run_error "$TMP/zero.dsl" "tensor 'bias': the merge gives -inf at element [0]; the inputs there: $TMP/base.safetensors 0.5, $TMP/b.safetensors 0.75; nothing is written (a model holding NaN or an infinity, or a recipe that divides by weights that sum to zero)"
[ ! -e "$TMP/o2.safetensors" ] || fail "an output was left"

cat > "$TMP/half.dsl" <<DSL
save(map x, y in "$TMP/h1.safetensors", "$TMP/h2.safetensors" { x / (x - y) }, "$TMP/o3/")
DSL
expect_run_error "$TMP/half.dsl" "tensor 'bias': the merge gives inf at element [0]; the inputs there: $TMP/h1.safetensors 0.5, $TMP/h2.safetensors 0.5; nothing is written (a model holding NaN or an infinity, or a recipe that divides by weights that sum to zero)"
[ ! -e "$TMP/o3" ] || fail "an output was left"

cat > "$TMP/fine.dsl" <<DSL
save(map b, x in "$TMP/base.safetensors", "$TMP/b.safetensors" { merge_linear(stack(b, x), [0.5, 0.5]) }, "$TMP/o4.safetensors")
print(load("$TMP/o4.safetensors", like={w: zeros([2, 2], dtype=f64), bias: zeros(2, dtype=f64)}).w)
DSL
"$SINTER" run --no-cache --quiet "$TMP/fine.dsl" > "$TMP/fine.out" 2>&1 || fail "$(cat "$TMP/fine.out")"
expect_text "$TMP/fine.out" "[[1.0, 2.25],
 [3.0, 4.0]]"
