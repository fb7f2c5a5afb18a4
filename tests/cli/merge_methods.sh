# The merge methods of stdlib/merge.dsl (docs/merge.md) over whole checkpoints, each a map over
# a base model and three fine-tunes (tests/conformance/gen_merge.py: Llama names, a rank-0 tensor),
# against NumPy's references from mergekit's formulas: exactly in f32 for the deterministic
# methods, within 4 f32 ulps of the largest element for those with whole-tensor float sums (DARE
# and DELLA's L1 rescale, the norms of SLERP, NuSLERP, Multi-SLERP, Karcher and model stock,
# SCE's mean squares; Arcee Fusion in f64, its importances being small differences of close
# terms), and within one bf16 ulp for every
# method on the bf16 models (computed in f32, rounded once). DARE's drops are the same on 1 and 2
# threads.
. tests/cli/helpers.inc
ck=tests/conformance/merge

# merges DT PRE: every method on the DT models, computing in f32 (PRE wraps each input)
merges() {
  d=$ck/$1
  cat <<DSL
fn m(path, body: fn) = save(map b, x, y, z in "$d/base/", "$d/a/", "$d/b/", "$d/c/" { body(b, x, y, z) }, path)
let w = [0.5, 0.3, 0.2]
m("$TMP/$1_linear.safetensors", fn(b, x, y, z) = merge_linear(stack($2(x), $2(y), $2(z)), w))
m("$TMP/$1_task_arithmetic.safetensors", fn(b, x, y, z) = merge_task_arithmetic($2(b), stack($2(x), $2(y), $2(z)), w, lambda=0.8))
m("$TMP/$1_ties.safetensors", fn(b, x, y, z) = merge_ties($2(b), stack($2(x), $2(y), $2(z)), [1.0, 0.6, 0.4], density=[0.5, 0.3, 0.7]))
m("$TMP/$1_dare_ties.safetensors", fn(b, x, y, z) = merge_dare($2(b), stack($2(x), $2(y), $2(z)), w, 0.6, 7))
m("$TMP/$1_dare_linear.safetensors", fn(b, x, y, z) = merge_dare($2(b), stack($2(x), $2(y), $2(z)), w, 0.6, 7, ties=false, rescale="density"))
m("$TMP/$1_breadcrumbs.safetensors", fn(b, x, y, z) = merge_breadcrumbs($2(b), stack($2(x), $2(y), $2(z)), w, 0.6, gamma=0.1))
m("$TMP/$1_breadcrumbs_ties.safetensors", fn(b, x, y, z) = merge_breadcrumbs($2(b), stack($2(x), $2(y), $2(z)), w, 0.6, gamma=0.1, ties=true))
m("$TMP/$1_della.safetensors", fn(b, x, y, z) = merge_della($2(b), stack($2(x), $2(y), $2(z)), w, 0.5, 11))
m("$TMP/$1_slerp.safetensors", fn(b, x, y, z) = merge_slerp($2(x), $2(y), 0.3))
m("$TMP/$1_model_stock.safetensors", fn(b, x, y, z) = merge_model_stock($2(b), stack($2(x), $2(y), $2(z))))
m("$TMP/$1_nearswap.safetensors", fn(b, x, y, z) = merge_nearswap($2(b), $2(x), 0.002))
m("$TMP/$1_nuslerp.safetensors", fn(b, x, y, z) = merge_nuslerp(stack($2(x), $2(y)), [0.4, 0.6]))
m("$TMP/$1_nuslerp_rows.safetensors",
  fn(b, x, y, z) = $2(b) + merge_nuslerp(stack($2(x) - $2(b), $2(y) - $2(b)), [0.4, 0.6], row_wise=true, flatten=false))
m("$TMP/$1_multislerp.safetensors", fn(b, x, y, z) = merge_multislerp(stack($2(x), $2(y), $2(z)), w))
m("$TMP/$1_karcher.safetensors", fn(b, x, y, z) = merge_karcher(stack($2(x), $2(y), $2(z))))
m("$TMP/$1_sce.safetensors", fn(b, x, y, z) = merge_sce($2(b), stack($2(x), $2(y), $2(z)), select_topk=0.5))
m("$TMP/$1_ram.safetensors", fn(b, x, y, z) = merge_ram($2(b), stack($2(x), $2(y), $2(z))))
m("$TMP/$1_ramplus_tl.safetensors", fn(b, x, y, z) = merge_ram($2(b), stack($2(x), $2(y), $2(z)), r=0.1, alpha=0.2))
m("$TMP/$1_arcee_fusion.safetensors", fn(b, x, y, z) = merge_arcee_fusion(f64(b), f64(x)))
DSL
}
merges f32 "" > "$TMP/f32.dsl"
merges bf16 f32 > "$TMP/bf16.dsl"
"$SINTER" run --no-cache --quiet "$TMP/f32.dsl" || fail "the f32 merges failed"
"$SINTER" run --no-cache --quiet "$TMP/bf16.dsl" || fail "the bf16 merges failed"

# compare DT METHOD TOL: the output against the reference; TOL "exact", "f32" (4 ulps of the
# largest element) or "bf16" (one ulp of each element)
compare() {
  cat <<DSL
fn lift(x) = f32(x) * ones(1)
fn ulp(e) = where(e == 0, 1e-38, 2.0 ^ (floor(log2(abs(e))) - 7))
fn off(o, e) = if "$3" == "exact" then all(lift(o) == lift(e))
               else if "$3" == "f32" then all(abs(lift(o) - lift(e)) <= 4 * epsilon(f32(1)) * max(abs(lift(e))))
               else all(abs(lift(o) - lift(e)) <= ulp(lift(e)))
save(map o, e in "$TMP/$1_$2.safetensors", "$ck/expected/$1_$2.safetensors" {
  check(off(o, e), "$1 $2: the merge differs from the reference beyond $3")
  o
}, "$TMP/seen.safetensors")
print("$1 $2 ok")
DSL
}
for m in linear task_arithmetic ties dare_linear breadcrumbs breadcrumbs_ties nearswap ram ramplus_tl; do
  compare f32 $m exact
done > "$TMP/cmp.dsl"
for m in dare_ties della slerp model_stock nuslerp nuslerp_rows multislerp karcher sce arcee_fusion; do
  compare f32 $m f32
done >> "$TMP/cmp.dsl"
for m in linear task_arithmetic ties dare_ties dare_linear breadcrumbs breadcrumbs_ties della slerp model_stock nearswap \
         nuslerp nuslerp_rows multislerp karcher sce ram ramplus_tl arcee_fusion; do
  compare bf16 $m bf16
done >> "$TMP/cmp.dsl"
"$SINTER" run --no-cache --quiet "$TMP/cmp.dsl" > "$TMP/out" 2>&1 || fail "$(cat "$TMP/out")"
[ "$(grep -c ' ok$' "$TMP/out")" = 38 ] || fail "$(cat "$TMP/out")"

# DARE's drops on 1 and 2 threads: tensors large enough for rand to fill them on several threads
cat > "$TMP/big.dsl" <<DSL
save({w: randn([600, 500], seed=1), v: randn([70000], seed=2)}, "$TMP/b0.safetensors")
save({w: randn([600, 500], seed=3), v: randn([70000], seed=4)}, "$TMP/b1.safetensors")
save({w: randn([600, 500], seed=5), v: randn([70000], seed=6)}, "$TMP/b2.safetensors")
DSL
"$SINTER" run --no-cache --quiet "$TMP/big.dsl" || fail "big.dsl"
cat > "$TMP/dare.dsl" <<DSL
arg out: str
save(map b, x, y in "$TMP/b0.safetensors", "$TMP/b1.safetensors", "$TMP/b2.safetensors" {
  merge_dare(b, stack(x, y), [0.5, 0.5], 0.3, 42)
}, out)
DSL
"$SINTER" build "$TMP/dare.dsl" -o "$TMP/dare" || fail "build dare.dsl"
SINTER_THREADS=1 "$TMP/dare" --quiet --out "$TMP/d1.safetensors" || fail "dare on 1 thread"
SINTER_THREADS=2 "$TMP/dare" --quiet --out "$TMP/d2.safetensors" || fail "dare on 2 threads"
cmp "$TMP/d1.safetensors" "$TMP/d2.safetensors" || fail "DARE's merge differs on 1 and 2 threads"
