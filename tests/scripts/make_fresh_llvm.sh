#!/bin/sh
# On a new machine `make run` installs LLVM in its `deps` step, after the Makefile was read: the
# LLVM flags must be read when a compile runs, not when the Makefile is parsed. A stand-in
# llvm-config answers only once a stand-in `deps` step has run, and a compiler file that includes
# LLVM's headers must then build, under -j too.
set -e
real=$(command -v llvm-config-19) || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/llvm-config" <<EOT
#!/bin/sh
[ -f "$tmp/installed" ] || exit 1
exec "$real" "\$@"
EOT
chmod +x "$tmp/llvm-config"
printf 'deps:\n\t@touch %s/installed\n' "$tmp" >"$tmp/deps.mk"
make -s -j2 -f Makefile -f "$tmp/deps.mk" LLVM_CONFIG="$tmp/llvm-config" BUILD="$tmp/build" \
  "$tmp/build/obj/compiler/jit.o" "$tmp/build/obj/compiler/codegen_llvm.o" 2>"$tmp/log" || {
  cat "$tmp/log"
  exit 1
}
test -f "$tmp/build/obj/compiler/jit.o"
