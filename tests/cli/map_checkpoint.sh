# map over checkpoints (docs/language.md, "Mapping over checkpoints"): two sharded checkpoints
# of f32, f16 and bf16 tensors of ranks 0 to 3 (tests/conformance/gen_stmap.py) mapped through
# 0.25 * a + 0.75 * b give PyTorch's result exactly, the same bytes as an executable, through the
# JIT and through the interpreter, with the inputs' names, dtypes, shapes and metadata. Given only
# at run time, the checkpoints are checked then: a missing tensor, a shape or dtype mismatch, an
# output that is an input, a truncated shard and a body that fails each stop the program with a
# message naming the checkpoint, file and tensor, and leave no output and no temporary file.
. tests/cli/helpers.inc
ck=tests/conformance/stmap

# map_prog OUT: the golden program, writing to OUT
map_prog() {
  cat <<DSL
let m = map a, b in "$ck/a/", "$ck/b/" { 0.25 * a + 0.75 * b }
save(m, "$1")
DSL
}

map_prog "$TMP/exe/" > "$TMP/exe.dsl"
"$SINTER" build "$TMP/exe.dsl" -o "$TMP/prog" || fail "build"
"$TMP/prog" --quiet || fail "the executable failed"
map_prog "$TMP/jit/" > "$TMP/jit.dsl"
"$SINTER" run --no-cache --quiet "$TMP/jit.dsl" || fail "the JIT failed"
map_prog "$TMP/interp/" > "$TMP/interp.dsl"
"$SINTER" run --interp --quiet "$TMP/interp.dsl" || fail "the interpreter failed"
[ "$(ls "$TMP/exe/")" = model.safetensors ] || fail "exe/ holds $(ls "$TMP/exe/")"
cmp "$TMP/exe/model.safetensors" "$TMP/jit/model.safetensors" || fail "the JIT's output differs from the executable's"
cmp "$TMP/exe/model.safetensors" "$TMP/interp/model.safetensors" || fail "the interpreter's output differs"
grep -q '"__metadata__":{"format":"pt"}' "$TMP/exe/model.safetensors" || fail "the metadata of a/ was not kept"

# the output's tensors have a/'s dtypes and shapes (declared in check.dsl) and PyTorch's values
sed "s#OUT#$TMP/exe/#" $ck/check.dsl > "$TMP/check.dsl"
"$SINTER" run --no-cache "$TMP/check.dsl" > "$TMP/out" || fail "check.dsl failed"
expect_text "$TMP/out" "embed.weight true
layers.0.attn.bias true
layers.0.attn.q true
layers.0.mlp.w true
layers.1.attn.q true
layers.1.mlp.w true
logit_scale true
norm.scale true"

# sharded output: shard_size cuts it into shards with an index, read back as the same checkpoint
cat > "$TMP/shard.dsl" <<DSL
save(map a, b in "$ck/a/", "$ck/b/" { 0.25 * a + 0.75 * b }, "$TMP/sharded/", shard_size=100)
DSL
"$SINTER" run --no-cache --quiet "$TMP/shard.dsl" || fail "the sharded map failed"
[ -f "$TMP/sharded/model.safetensors.index.json" ] || fail "no index: $(ls "$TMP/sharded")"
[ "$(ls "$TMP/sharded" | grep -c 'model-0000.-of-0000.\.safetensors')" -gt 2 ] || fail "too few shards: $(ls "$TMP/sharded")"
sed "s#OUT#$TMP/sharded/#" $ck/check.dsl > "$TMP/check2.dsl"
"$SINTER" run --no-cache "$TMP/check2.dsl" > "$TMP/out2" || fail "check.dsl on the shards failed"
cmp "$TMP/out" "$TMP/out2" || fail "the sharded output differs"

# dtype= converts the output: each tensor's f16 or bf16 result rounded once more, to f32 exactly
cat > "$TMP/f32.dsl" <<DSL
save(map a, b in "$ck/a/", "$ck/b/" { 0.25 * a + 0.75 * b }, "$TMP/f32.safetensors", dtype=f32)
DSL
"$SINTER" run --no-cache --quiet "$TMP/f32.dsl" || fail "the f32 map failed"
cat > "$TMP/checkf32.dsl" <<DSL
let out = load("$TMP/f32.safetensors")
let ref = load("$ck/expected.safetensors")
let e: f32[6, 4] = out["embed.weight"]
let w: f32[2, 3, 4] = out["layers.1.mlp.w"]
print(all(e == f32(ref["embed.weight"])), all(w == f32(ref["layers.1.mlp.w"])))
DSL
"$SINTER" run --no-cache "$TMP/checkf32.dsl" > "$TMP/outf32" || fail "checkf32.dsl failed"
expect_text "$TMP/outf32" "true true"

# `sinter run`'s cache of compiled programs: a checkpoint whose dtypes change is compiled again
export XDG_CACHE_HOME="$TMP/cache"
echo "save({w: f32([1, 2, 3])}, \"$TMP/c.safetensors\")" > "$TMP/c32.dsl"
echo "save({w: f64([1, 2, 3])}, \"$TMP/c.safetensors\")" > "$TMP/c64.dsl"
echo "save(map a in \"$TMP/c.safetensors\" { 2 * a }, \"$TMP/c2.safetensors\")" > "$TMP/double.dsl"
echo "print(load(\"$TMP/c2.safetensors\").w)" > "$TMP/show.dsl"
for dsl in c32 double c64 double show; do
  "$SINTER" run --quiet "$TMP/$dsl.dsl" >> "$TMP/cache.out" || fail "$dsl.dsl: $(cat "$TMP/cache.out")"
done
expect_text "$TMP/cache.out" "[2.0, 4.0, 6.0]"

# checked at run time: the paths are arguments, read only when the program runs
cat > "$TMP/args.dsl" <<'DSL'
arg x: str
arg y: str
arg out: str
save(map a, b in x, y { check(max(abs(a)) < 1000.0, "too large: {}", max(abs(a))); a + b }, out)
DSL
"$SINTER" build "$TMP/args.dsl" -o "$TMP/args" || fail "build args.dsl"
# run_fails OUT WANT ARGS...: the program must fail with the message WANT and leave nothing at OUT
run_fails() {
  out=$1
  want=$2
  shift 2
  expect_status 1 "$TMP/args" --quiet --out "$out" "$@" 2> "$TMP/err"
  grep -qF "$want" "$TMP/err" || fail "the message lacks '$want':
$(cat "$TMP/err")"
  [ ! -e "$out" ] || fail "$out was left behind: $(ls -A "$out")"
  [ -z "$(find "$TMP" -name '.*tmp-*')" ] || fail "temporary files left: $(find "$TMP" -name '.*tmp-*')"
}
run_fails "$TMP/o1/" "args.dsl:4:1: error: tensor 'layers.1.mlp.w' of $ck/a/ ($ck/a/model-00003-of-00003.safetensors) is missing from $ck/bad_missing.safetensors" \
  --x $ck/a/ --y $ck/bad_missing.safetensors
run_fails "$TMP/o2/" "tensor 'layers.0.attn.q' is f32[4, 4] in $ck/a/ ($ck/a/model-00001-of-00003.safetensors) but f32[4, 5] in $ck/bad_shape.safetensors" \
  --x $ck/a/ --y $ck/bad_shape.safetensors
run_fails "$TMP/o3/" "tensor 'embed.weight' is bf16[6, 4] in $ck/a/ ($ck/a/model-00001-of-00003.safetensors) but f32[6, 4] in $ck/bad_dtype.safetensors" \
  --x $ck/a/ --y $ck/bad_dtype.safetensors
# the output is an input: refused before anything is written, the input left whole
cp -r $ck/a "$TMP/a"
sum_before=$(cat "$TMP"/a/* | cksum)
expect_status 1 "$TMP/args" --quiet --out "$TMP/a/" --x "$TMP/a/" --y $ck/b/ 2> "$TMP/err"
grep -qF "the output $TMP/a/ is the checkpoint $TMP/a/ that the map reads" "$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(cat "$TMP"/a/* | cksum)" = "$sum_before" ] || fail "the input was changed"
# beside a single-file input the output may go, but not over it
mkdir "$TMP/one"
cp $ck/bad_shape.safetensors "$TMP/one/x.safetensors"
echo "save(map a in \"$TMP/one/x.safetensors\" { a }, \"$TMP/one/\")" > "$TMP/beside.dsl"
"$SINTER" run --no-cache --quiet "$TMP/beside.dsl" || fail "a map beside its input failed"
echo "save(map a in \"$TMP/one/model.safetensors\" { a }, \"$TMP/one/\")" > "$TMP/over.dsl"
expect_status 1 "$SINTER" run --no-cache --quiet "$TMP/over.dsl" 2> "$TMP/err"
grep -qF "the output $TMP/one/ is the checkpoint $TMP/one/model.safetensors that the map reads" "$TMP/err" ||
  fail "$(cat "$TMP/err")"
# a truncated shard
cp -r $ck/b "$TMP/b"
head -c 100 $ck/b/model-00002-of-00002.safetensors > "$TMP/b/model-00002-of-00002.safetensors"
run_fails "$TMP/o4/" "$TMP/b/model-00002-of-00002.safetensors: header length" --x $ck/a/ --y "$TMP/b/"
# a body that fails at the third tensor: the tensors written before it are not left behind
cat > "$TMP/big.dsl" <<DSL
save({a: ones([2]), b: ones([2]), c: full([2], 5000.0), d: ones([2])}, "$TMP/big.safetensors")
DSL
"$SINTER" run --no-cache "$TMP/big.dsl" || fail "big.dsl"
run_fails "$TMP/o5.safetensors" "too large: 5000.0" --x "$TMP/big.safetensors" --y "$TMP/big.safetensors"
# compiled without the files, a dtype the map was not compiled for is an error naming the tensor
cat > "$TMP/int.dsl" <<DSL
save({n: arange(3), w: ones([2])}, "$TMP/int.safetensors")
DSL
"$SINTER" run --no-cache "$TMP/int.dsl" || fail "int.dsl"
run_fails "$TMP/o6/" "tensor 'n' of $TMP/int.safetensors is i64[3], a dtype and rank the map was not compiled for" \
  --x "$TMP/int.safetensors" --y "$TMP/int.safetensors"
# with inputs that match, the same program writes its output
"$TMP/args" --quiet --x $ck/a/ --y $ck/a/ --out "$TMP/twice.safetensors" || fail "args with good inputs"
true
