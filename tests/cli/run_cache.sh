# sinter run's cache of compiled programs (compiler/cache.c): a first run fills it, a second
# runs from it with the same output; a changed source, option, loaded file or compiler misses; a
# corrupt, truncated or misplaced entry is never run, and is rewritten; --no-cache leaves it
# alone; racing runs share one entry. `--time-passes` tells a hit ("cache hit") from a compile
# ("codegen").
. tests/cli/helpers.inc
export XDG_CACHE_HOME="$TMP/cache"
cache="$TMP/cache/sinter"

# entries: how many entries the cache holds
entries() { ls "$cache" | wc -l; }

# run_prog HOW FILE ARGS...: `sinter run` with --time-passes, stdout to $TMP/out; HOW is hit or
# miss, which the timing lines must show.
run_prog() {
  how=$1
  shift
  "$SINTER" run --time-passes "$@" > "$TMP/out" 2> "$TMP/err" || fail "exit status $?: $*
$(cat "$TMP/err")"
  case $how in
  hit) grep -q "cache hit" "$TMP/err" && ! grep -q codegen "$TMP/err" || fail "not a cache hit: $*
$(cat "$TMP/err")" ;;
  miss) grep -q codegen "$TMP/err" && ! grep -q "cache hit" "$TMP/err" || fail "not compiled: $*
$(cat "$TMP/err")" ;;
  esac
}

cat > "$TMP/p.dsl" <<'DSL'
arg n: i64 = 3
let v = arange(n) * 2
print(sum(v), v)
DSL

# fill, then hit with the same output; arguments still reach the program
run_prog miss "$TMP/p.dsl"
expect_text "$TMP/out" "6 [0, 2, 4]"
[ "$(entries)" = 1 ] || fail "$(entries) entries after the first run, want 1"
[ "$(stat -c %a "$cache")" = 700 ] || fail "the cache directory's mode is $(stat -c %a "$cache"), want 700"
entry="$cache/$(ls "$cache")"
run_prog hit "$TMP/p.dsl"
expect_text "$TMP/out" "6 [0, 2, 4]"
run_prog hit "$TMP/p.dsl" --n=4
expect_text "$TMP/out" "12 [0, 2, 4, 6]"
expect_status 2 "$SINTER" run "$TMP/p.dsl" --n=x 2> "$TMP/err"
expect_text "$TMP/err" "p: argument --n: expected an integer (i64), got 'x'"

# what changes the code misses: the source, -O2, --no-fuse; each gets an entry of its own
printf 'arg n: i64 = 3\nprint(n + 1)\n' > "$TMP/p.dsl"
run_prog miss "$TMP/p.dsl"
expect_text "$TMP/out" 4
run_prog miss -O2 "$TMP/p.dsl"
run_prog miss --no-fuse "$TMP/p.dsl"
run_prog hit -O2 "$TMP/p.dsl"
[ "$(entries)" = 4 ] || fail "$(entries) entries, want 4"

# the same text at another path is another program: run-time messages name the path
mkdir "$TMP/sub"
cp "$TMP/p.dsl" "$TMP/sub/p.dsl"
run_prog miss "$TMP/sub/p.dsl"

# a damaged entry is never run: it is compiled again and rewritten
printf 'arg n: i64 = 3\nprint(n * 10)\n' > "$TMP/q.dsl"
run_prog miss "$TMP/q.dsl"
q=$(ls -t "$cache" | head -1)
size=$(stat -c %s "$cache/$q")
printf 'X' | dd of="$cache/$q" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
run_prog miss "$TMP/q.dsl"
expect_text "$TMP/out" 30
run_prog hit "$TMP/q.dsl" # rewritten
head -c $((size - 7)) "$cache/$q" > "$TMP/short"
cp "$TMP/short" "$cache/$q" # truncated
run_prog miss "$TMP/q.dsl"
cp "$entry" "$cache/$q" # another program's entry, under this key
run_prog miss "$TMP/q.dsl"
expect_text "$TMP/out" 30
printf 'sinter' > "$cache/$q" # shorter than a header
run_prog miss "$TMP/q.dsl"
run_prog hit "$TMP/q.dsl"
expect_text "$TMP/out" 30

# --no-cache compiles in memory (the JIT) and leaves the cache alone
before=$(entries)
"$SINTER" run --no-cache --time-passes "$TMP/q.dsl" > "$TMP/out" 2> "$TMP/err"
expect_text "$TMP/out" 30
grep -q "  jit " "$TMP/err" || fail "--no-cache did not use the JIT: $(cat "$TMP/err")"
printf 'print(7)\n' > "$TMP/r.dsl"
"$SINTER" run --no-cache "$TMP/r.dsl" > "$TMP/out"
expect_text "$TMP/out" 7
[ "$(entries)" = "$before" ] || fail "--no-cache wrote to the cache"

# a file read when compiling (load's header: dtype and rank) is part of the key
printf 'save(f32([1.5, 2.5]), "%s")\n' "$TMP/x.npy" > "$TMP/make.dsl"
"$SINTER" run "$TMP/make.dsl"
printf 'let x = load("%s")\nprint(x * 2, x[0] / 3)\n' "$TMP/x.npy" > "$TMP/load.dsl"
run_prog miss "$TMP/load.dsl"
expect_text "$TMP/out" "[3.0, 5.0] 0.5"
run_prog hit "$TMP/load.dsl"
printf 'save([1.5, 2.5], "%s")\n' "$TMP/x.npy" > "$TMP/make.dsl" # now f64
"$SINTER" run "$TMP/make.dsl"
run_prog miss "$TMP/load.dsl"
expect_text "$TMP/out" "[3.0, 5.0] 0.5"
printf 'save([[1.0, 2.0]], "%s")\n' "$TMP/x.npy" > "$TMP/make.dsl" # now a matrix
"$SINTER" run "$TMP/make.dsl"
run_prog miss "$TMP/load.dsl"
expect_text "$TMP/out" "[[2.0, 4.0]] [0.3333333333333333, 0.6666666666666666]"

# racing runs of a new program each run it, and leave one whole entry
printf 'print(sum(arange(100)))\n' > "$TMP/race.dsl"
before=$(entries)
for i in 1 2 3; do "$SINTER" run "$TMP/race.dsl" > "$TMP/race.$i" & done
wait
for i in 1 2 3; do expect_text "$TMP/race.$i" 4950; done
[ "$(entries)" = $((before + 1)) ] || fail "$(entries) entries after racing runs, want $((before + 1)): $(ls "$cache")"
run_prog hit "$TMP/race.dsl"

# a cache directory that others may write is not used; the JIT runs the program
chmod 777 "$cache"
"$SINTER" run "$TMP/q.dsl" > "$TMP/out" 2> "$TMP/err"
expect_text "$TMP/out" 30
expect_text "$TMP/err" "sinter: warning: running q without the cache: $cache is not a directory that only you can write"
chmod 700 "$cache"

# without XDG_CACHE_HOME the cache is ~/.cache/sinter
mkdir "$TMP/home"
env -u XDG_CACHE_HOME HOME="$TMP/home" "$SINTER" run "$TMP/q.dsl" > "$TMP/out"
expect_text "$TMP/out" 30
[ "$(ls "$TMP/home/.cache/sinter" | wc -l)" = 1 ] || fail "nothing cached in \$HOME/.cache/sinter"

# another compiler (here: the same one with another build ID) misses
inst="$TMP/inst"
mkdir -p "$inst/bin" "$inst/libexec" "$inst/lib"
cp "$BUILD/bin/sinter" "$inst/bin/"
cp "$BUILD/libexec/sinter-llvm" "$inst/libexec/"
cp "$BUILD/lib/libsinter.a" "$inst/lib/"
"$inst/bin/sinter" run --time-passes "$TMP/q.dsl" > "$TMP/out" 2> "$TMP/err"
grep -q "cache hit" "$TMP/err" || fail "the copied compiler did not hit: $(cat "$TMP/err")"
id=$(readelf -n "$inst/libexec/sinter-llvm" | sed -n 's/.*Build ID: //p')
# the ID's bytes follow the note's 16-byte header (sizes, type, "GNU\0") in its section
note=$(readelf -SW "$inst/libexec/sinter-llvm" | sed -n 's/.*\.note\.gnu\.build-id *NOTE *[0-9a-f]* \([0-9a-f]*\).*/\1/p')
[ -n "$note" ] || fail "no build ID note in sinter-llvm"
offset=$((0x$note + 16))
case $id in 00*) byte='\001' ;; *) byte='\000' ;; esac
printf "$byte" | dd of="$inst/libexec/sinter-llvm" bs=1 seek="$offset" conv=notrunc 2> /dev/null
"$inst/bin/sinter" run --time-passes "$TMP/q.dsl" > "$TMP/out" 2> "$TMP/err"
grep -q codegen "$TMP/err" || fail "another compiler hit the cache: $(cat "$TMP/err")"
expect_text "$TMP/out" 30
