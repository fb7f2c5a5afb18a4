# The layers (docs/design.md): tools/layers.sh --strict finds no include or call circle in
# runtime/ or compiler/ and no runtime layer using one above it. It is first shown to catch each
# in a small tree: core calling io, two io files calling each other, two compiler files calling
# each other (an error with --strict), while the files of a module split by concern (NAME_int.h)
# may call each other.
. tests/cli/helpers.inc

tree=$TMP/tree
mkdir -p "$tree/runtime/core" "$tree/runtime/io" "$tree/compiler" "$tree/include"
printf 'int io_read(void);\nint core_size(void) { return io_read(); }\n' >"$tree/runtime/core/size.c"
printf 'int io_parse(void);\nint io_read(void) { return io_parse(); }\n' >"$tree/runtime/io/read.c"
printf 'int io_read(void);\nint io_parse(void) { return io_read() + 1; }\n' >"$tree/runtime/io/parse.c"
printf 'int sema_b(void);\nint sema_a(void) { return sema_b(); }\n' >"$tree/compiler/sema.c"
printf 'int sema_a(void);\nint sema_b(void) { return sema_a(); }\n' >"$tree/compiler/sema_call.c"
printf 'int sema_a(void);\nint use_a(void) { return sema_a(); }\n' >"$tree/compiler/use.c"
printf 'int use_a(void);\nint sema_c(void) { return use_a(); }\n' >"$tree/compiler/sema_flow.c"
: >"$tree/compiler/sema_int.h"
for f in runtime/core/size runtime/io/read runtime/io/parse compiler/sema compiler/sema_call compiler/use \
  compiler/sema_flow; do
  mkdir -p "$(dirname "$tree/build/obj/$f.o")"
  cc -c "$tree/$f.c" -o "$tree/build/obj/$f.o"
done
expect_status 1 sh -c "cd '$tree' && sh '$PWD/tools/layers.sh' --strict build >'$TMP/bad' 2>&1"
expect_text "$TMP/bad" "error: runtime: call circle: runtime/io/parse runtime/io/read
  runtime/io/parse -> runtime/io/read: io_read
  runtime/io/read -> runtime/io/parse: io_parse
error: runtime: runtime/core/size (core) calls runtime/io/read (io): io_read
error: compiler: call circle: compiler/sema compiler/use
  compiler/sema -> compiler/use: use_a
  compiler/use -> compiler/sema: sema_a"

tools/layers.sh --strict "$BUILD" >"$TMP/out" 2>&1 || {
  cat "$TMP/out"
  fail "tools/layers.sh --strict $BUILD found a circle or a runtime layer used from below"
}
grep -q '^runtime: .*: no circles; every layer uses only itself and the layers below it$' "$TMP/out" ||
  fail "tools/layers.sh did not report on the runtime: $(cat "$TMP/out")"
grep -q '^compiler: .*: no circles$' "$TMP/out" || fail "tools/layers.sh did not report on the compiler: $(cat "$TMP/out")"
