# load(path, like=template) against a checkpoint from another model: a tensor the template has
# and the file lacks, one the file has and the template lacks, and a tensor of another shape or
# dtype each stop the program (exit 1) with a message naming the file and the tensor, through the
# JIT and the interpreter alike; a matching template reads it.
. tests/cli/helpers.inc
cat > "$TMP/save.dsl" <<DSL
save({enc: {weight: f32([[1, 2], [3, 4]]), bias: f32([0, 1])}, step: 3}, "$TMP/ck.safetensors")
DSL
"$SINTER" run --no-cache --quiet "$TMP/save.dsl" || fail "saving the checkpoint"

# like_prog TEMPLATE: a program reading the checkpoint against TEMPLATE
like_prog() {
  cat <<DSL
let r = load("$TMP/ck.safetensors", like=$1)
print(r.step)
DSL
}
# expect_error TEMPLATE MESSAGE: both paths stop with MESSAGE after the location
expect_error() {
  like_prog "$1" > "$TMP/p.dsl"
  for mode in --no-cache --interp; do
    expect_status 1 "$SINTER" run $mode --quiet "$TMP/p.dsl" 2> "$TMP/err.txt"
    head -1 "$TMP/err.txt" | sed "s|^$TMP/p.dsl:1:9: error: ||; s|$TMP/|TMP/|g" > "$TMP/msg.txt"
    expect_text "$TMP/msg.txt" "$2"
  done
}
expect_error '{enc: {weight: zeros([2, 2]), bias: zeros(2), scale: zeros(2)}, step: 0}' \
  'TMP/ck.safetensors: the checkpoint has no tensor "enc.scale", which the template has; was it written by another model or optimizer?'
expect_error '{enc: {weight: zeros([2, 2])}, step: 0}' \
  'TMP/ck.safetensors: the checkpoint has a tensor "enc.bias" that the template lacks; was it written by another model or optimizer?'
expect_error '{enc: {weight: zeros([2, 3]), bias: zeros(2)}, step: 0}' \
  'TMP/ck.safetensors: tensor "enc.weight" is f32[2, 2] in the checkpoint, but the template has f32[2, 3]'
expect_error '{enc: {weight: zeros([2, 2], dtype=f64), bias: zeros(2)}, step: 0}' \
  'TMP/ck.safetensors: tensor "enc.weight" is f32[2, 2] in the checkpoint, but the template has f64[2, 2]'
expect_error '{enc: {weight: zeros([2, 2]), bias: zeros(2)}, step: 0.0}' \
  'TMP/ck.safetensors: tensor "step" is i64[] in the checkpoint, but the template has f64[]'
like_prog '{enc: {weight: zeros([2, 2]), bias: zeros(2)}, step: 0}' > "$TMP/ok.dsl"
"$SINTER" run --no-cache --quiet "$TMP/ok.dsl" > "$TMP/out.txt" || fail "a matching template"
expect_text "$TMP/out.txt" 3
