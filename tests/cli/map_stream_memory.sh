# A map streams: each tensor is read from the mapped files, computed, written and its pages given
# back before the next, so peak memory stays a few tensors above a run on a tiny checkpoint,
# whatever the checkpoint's size. Two checkpoints of 64 f32 tensors of 4 MiB each (256 MiB; one
# of them sharded by a map with shard_size) are mapped through an elementwise body; the peak RSS
# (/usr/bin/time's) must stay within six tensors (24 MiB) of the baseline.
. tests/cli/helpers.inc
# AddressSanitizer keeps freed memory in quarantine, so a sanitized build (make SAN=1) cannot show
# a bound that is about what is freed; the plain build's run checks it.
if nm "$BUILD/lib/libsinter.a" 2>/dev/null | grep -q __asan_; then
  echo "not checked: a sanitized build holds freed memory"
  exit 0
fi
n=1048576

# the checkpoint: tensor i is full of i
{
  printf 'save({'
  for i in $(seq 0 63); do printf 't%d: full([%d], %d.0), ' "$i" "$n" "$i"; done
  printf '}, "%s")\n' "$TMP/big.safetensors"
} > "$TMP/gen.dsl"
"$SINTER" run --no-cache "$TMP/gen.dsl" || fail "gen.dsl"
echo "save({t0: ones([4]), t1: ones([4])}, \"$TMP/small.safetensors\")" > "$TMP/small.dsl"
"$SINTER" run --no-cache "$TMP/small.dsl" || fail "small.dsl"
# a sharded copy, by a map
echo "save(map a in \"$TMP/big.safetensors\" { a }, \"$TMP/sharded/\", shard_size=40000000)" > "$TMP/shard.dsl"
"$SINTER" run --no-cache --quiet "$TMP/shard.dsl" || fail "shard.dsl"
[ "$(ls "$TMP/sharded" | grep -c 'model-000..-of-00008\.safetensors')" = 8 ] || fail "shards: $(ls "$TMP/sharded")"

cat > "$TMP/stream.dsl" <<'DSL'
arg x: str
arg y: str
arg out: str
save(map a, b in x, y { 0.25 * a + 0.75 * b + 1 }, out)
DSL
"$SINTER" build "$TMP/stream.dsl" -o "$TMP/stream" || fail "build"
# peak_kb ARGS...: the peak RSS of a run of stream, in KiB
peak_kb() {
  /usr/bin/time -f %M -o "$TMP/rss" "$TMP/stream" --quiet "$@" || fail "stream $*"
  tail -n 1 "$TMP/rss"
}
base=$(peak_kb --x "$TMP/small.safetensors" --y "$TMP/small.safetensors" --out "$TMP/small_out.safetensors")
peak=$(peak_kb --x "$TMP/sharded/" --y "$TMP/big.safetensors" --out "$TMP/out/")
limit=$((base + 6 * 4096))
echo "peak RSS: $peak KiB streaming 2 x 256 MiB, baseline $base KiB, limit $limit KiB"
[ "$peak" -le "$limit" ] || fail "peak RSS $peak KiB exceeds the baseline $base KiB by more than six 4 MiB tensors"

# and the values are right: tensor i is i + 1 everywhere
cat > "$TMP/check.dsl" <<DSL
let out = load("$TMP/out/")
print(all(out.t0 == 1.0), all(out.t17 == 18.0), all(out.t63 == 64.0), size(out.t63, 0))
DSL
"$SINTER" run --no-cache "$TMP/check.dsl" > "$TMP/check.out" || fail "check.dsl"
expect_text "$TMP/check.out" "true true true $n"
