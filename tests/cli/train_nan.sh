# A loss or a gradient that is NaN or infinite stops train before that step's update, with the
# step, epoch and batch, and the checkpoint of the last finished epoch is left as it was.
# Gradient descent on sqrt(a) from a = 1 with lr = 0.3 takes a to 0.85, 0.687, 0.506, 0.295,
# 0.019 and -1.07 (step 6, the end of epoch 3 with 2 batches of 2 rows an epoch): the loss of
# step 7 (epoch 4, batch 1) is NaN.
. tests/cli/helpers.inc
cat > "$TMP/nan.dsl" <<DSL
fn loss(p, x, y) = sqrt(p.a) + 0.0 * sum(x)
let data = {x: zeros([4, 1]), y: zeros(4, dtype=i64)}
let r = train({a: 1.0}, loss, sgd(lr=0.3), data, epochs=6, batch_size=2, checkpoint="$TMP/ck.safetensors")
print(r.params.a)
DSL
for mode in --no-cache --interp; do
  rm -f "$TMP/ck.safetensors"
  expect_status 1 "$SINTER" run $mode --quiet "$TMP/nan.dsl" > "$TMP/out.txt" 2> "$TMP/err.txt"
  [ -s "$TMP/out.txt" ] && fail "$mode: printed $(cat "$TMP/out.txt")"
  sed -n "1p;4p" "$TMP/err.txt" | sed "s|$TMP/||" > "$TMP/msg.txt"
  expect_text "$TMP/msg.txt" "nan.dsl:3:9: error: train: the loss is nan at step 7 (epoch 4, batch 1)
   = hint: training stopped before this step's update, and the last epoch's checkpoint is kept: resume from it with a lower learning rate, clipped gradients or checked data"
  cat > "$TMP/read.dsl" <<DSL
let c = load("$TMP/ck.safetensors")
print(c.step, c.params.a < -1.0, c.history.loss[2] > 0, isnan(c.history.loss[3]))
DSL
  "$SINTER" run --no-cache --quiet "$TMP/read.dsl" > "$TMP/out.txt" || fail "$mode: reading the checkpoint"
  expect_text "$TMP/out.txt" "6 true true true"
  [ -z "$(find "$TMP" -name '*.tmp-*')" ] || fail "$mode: a temporary file was left: $(ls -a "$TMP")"
done

# a gradient that is infinite where the loss is finite: sqrt at 0
cat > "$TMP/grad.dsl" <<DSL
fn loss(p, x, y) = sqrt(p.a) + 0.0 * sum(x)
let r = train({a: 0.0, b: [1.0, 2.0]}, loss, sgd(lr=0.3), {x: zeros([4, 1]), y: zeros(4, dtype=i64)}, batch_size=2)
print(r.params.a)
DSL
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/grad.dsl" 2> "$TMP/err.txt"
head -1 "$TMP/err.txt" | sed "s|$TMP/||" > "$TMP/msg.txt"
expect_text "$TMP/msg.txt" "grad.dsl:2:9: error: train: 1 elements of the gradient are NaN or infinite at step 1 (epoch 1, batch 1)"
