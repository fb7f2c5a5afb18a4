# On a new machine `make run` installs LLVM in its `deps` step, after the Makefile was read: the
# LLVM flags must be read when a compile runs, not when the Makefile is parsed. A stand-in
# llvm-config answers only once a stand-in `deps` step has run, and compiler files that include
# LLVM's headers must then build, under -j too.
real=$(command -v llvm-config-19)
cat >"$TMP/llvm-config" <<EOT
#!/bin/sh
[ -f "$TMP/installed" ] || exit 1
exec "$real" "\$@"
EOT
chmod +x "$TMP/llvm-config"
printf 'deps:\n\t@touch %s/installed\n' "$TMP" >"$TMP/deps.mk"
make -s -j2 -f Makefile -f "$TMP/deps.mk" LLVM_CONFIG="$TMP/llvm-config" BUILD="$TMP/build" \
  "$TMP/build/obj/compiler/jit.o" "$TMP/build/obj/compiler/codegen_llvm.o" 2>"$TMP/log" || {
  cat "$TMP/log"
  exit 1
}
test -f "$TMP/build/obj/compiler/jit.o"
