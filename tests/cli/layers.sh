# The runtime's layers (docs/design.md): tools/layers.sh finds no include or call circle in
# runtime/ and no layer using one above it. It is first shown to catch both in a small tree:
# core calling io, and two io files calling each other.
. tests/cli/helpers.inc

tree=$TMP/tree
mkdir -p "$tree/runtime/core" "$tree/runtime/io" "$tree/compiler" "$tree/include"
printf 'int io_read(void);\nint core_size(void) { return io_read(); }\n' >"$tree/runtime/core/size.c"
printf 'int io_parse(void);\nint io_read(void) { return io_parse(); }\n' >"$tree/runtime/io/read.c"
printf 'int io_read(void);\nint io_parse(void) { return io_read() + 1; }\n' >"$tree/runtime/io/parse.c"
for f in core/size io/read io/parse; do
  mkdir -p "$(dirname "$tree/build/obj/runtime/$f.o")"
  cc -c "$tree/runtime/$f.c" -o "$tree/build/obj/runtime/$f.o"
done
expect_status 1 sh -c "cd '$tree' && sh '$PWD/tools/layers.sh' build >'$TMP/bad' 2>&1"
expect_text "$TMP/bad" "error: runtime: call circle: runtime/io/parse runtime/io/read
  runtime/io/parse -> runtime/io/read: io_read
  runtime/io/read -> runtime/io/parse: io_parse
error: runtime: runtime/core/size (core) calls runtime/io/read (io): io_read
compiler: 0 modules, 0 include and call edges: no circles"

tools/layers.sh "$BUILD" >"$TMP/out" 2>&1 || {
  cat "$TMP/out"
  fail "tools/layers.sh $BUILD found a circle in the runtime or a layer used from below"
}
grep -q '^runtime: .*: no circles; every layer uses only itself and the layers below it$' "$TMP/out" ||
  fail "tools/layers.sh did not report on the runtime: $(cat "$TMP/out")"
