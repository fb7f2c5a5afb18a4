# train's checkpoints and resume (stdlib/train.dsl): a run of 3 epochs, and a run stopped after
# 1 epoch (stop_after=1) and resumed from its checkpoint, end with the same bytes: the final
# parameters, and the whole last checkpoint (parameters, Adam's state per parameter, the step and
# the history). The resumed run goes through the interpreter, the others through the JIT, so the
# continuation is also the same on every path. Resuming from another model's checkpoint names
# the tensor; resuming over the checkpoint being written is refused.
. tests/cli/helpers.inc
# train_prog EXTRA: the program, with EXTRA arguments to train
train_prog() {
  cat <<DSL
arg ck: str = ""
arg resume: str = ""
arg out: str
let x = randn([96, 3], seed=1)
let y[i] = i64(x[i, 0] * x[i, 1] > 0.2 * x[i, 2])
fn forward(p, x) = linear(tanh(linear(x, p.l1.weight, p.l1.bias)), p.l2.weight, p.l2.bias)
fn loss(p, x, y) = cross_entropy(forward(p, x), y)
let p0 = {l1: {weight: f32(reshape(kaiming_uniform(16, 3, seed=2), [16, 3])), bias: zeros(16)},
          l2: {weight: f32(reshape(kaiming_uniform(2, 16, seed=3), [2, 16])), bias: zeros(2)}}
let r = train(p0, loss, adam(lr=0.01), {x: x, y: y}, epochs=3, batch_size=10, seed=5, checkpoint=ck, resume=resume$1)
save(r.params, out)
print(r.step, r.epochs)
DSL
}
train_prog "" > "$TMP/full.dsl"
train_prog ", stop_after=1" > "$TMP/part.dsl"
"$SINTER" run --no-cache --quiet "$TMP/full.dsl" --ck="$TMP/full.safetensors" --out="$TMP/full_params.safetensors" > "$TMP/out.txt" \
  || fail "the full run"
expect_text "$TMP/out.txt" "27 3"
"$SINTER" run --no-cache --quiet "$TMP/part.dsl" --ck="$TMP/part.safetensors" --out="$TMP/part_params.safetensors" > "$TMP/out.txt" \
  || fail "the run stopped after one epoch"
expect_text "$TMP/out.txt" "9 1"
cmp -s "$TMP/part_params.safetensors" "$TMP/full_params.safetensors" && fail "one epoch gave the parameters of three"
"$SINTER" run --interp --quiet "$TMP/full.dsl" --resume="$TMP/part.safetensors" --ck="$TMP/resumed.safetensors" \
  --out="$TMP/resumed_params.safetensors" > "$TMP/out.txt" || fail "the resumed run"
expect_text "$TMP/out.txt" "27 3"
cmp "$TMP/resumed_params.safetensors" "$TMP/full_params.safetensors" || fail "the resumed run's parameters differ"
cmp "$TMP/resumed.safetensors" "$TMP/full.safetensors" || fail "the resumed run's last checkpoint differs"
[ -z "$(find "$TMP" -name '*.tmp-*')" ] || fail "a temporary file was left: $(ls -a "$TMP")"

# a checkpoint of another model: the tensor is named
sed 's/bias: zeros(16)}/bias: zeros(16), scale: ones(16)}/' "$TMP/full.dsl" > "$TMP/other.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/other.dsl" --resume="$TMP/part.safetensors" --out="$TMP/o.safetensors" \
  2> "$TMP/err.txt"
grep -q "part.safetensors: the checkpoint has no tensor \"params.l1.scale\", which the template has" "$TMP/err.txt" \
  || fail "another model's checkpoint: $(cat "$TMP/err.txt")"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/full.dsl" --resume="$TMP/part.safetensors" --ck="$TMP/part.safetensors" \
  --out="$TMP/o.safetensors" 2> "$TMP/err.txt"
grep -q "train: resume= and checkpoint= are the same file" "$TMP/err.txt" || fail "resume over the checkpoint: $(cat "$TMP/err.txt")"
