# write_text fills a template's `{}` and `{*}` with numbers that read back as the same values and
# writes the file atomically, through the JIT and the interpreter alike; a program it writes
# runs. Holes that do not match the values, a `{*}` before another hole, an output that is one of
# the program's inputs and a directory that does not exist stop the program (exit 1) with the
# message, and leave no file behind.
. tests/cli/helpers.inc
for mode in --no-cache --interp; do
  cat > "$TMP/w.dsl" <<DSL
let v = [0.1, -2.5e-7, 3.0, 1.0 / 3.0, inf]
write_text("$TMP/out.dsl", "let first = {}\nlet rest = [{*}]\nprint(first, rest)\n", v)
DSL
  "$SINTER" run $mode --quiet "$TMP/w.dsl" || fail "write_text $mode"
  expect_text "$TMP/out.dsl" 'let first = 0.1
let rest = [-2.5e-07, 3.0, 0.3333333333333333, inf]
print(first, rest)'
  "$SINTER" run --no-cache --quiet "$TMP/out.dsl" > "$TMP/ran.txt" || fail "the written program"
  expect_text "$TMP/ran.txt" '0.1 [-2.5e-07, 3.0, 0.3333333333333333, inf]'
  rm "$TMP/out.dsl"
done
# expect_error TEXT VALUES PATH MESSAGE
expect_error() {
  printf 'let d = load("%s/in.npy")\nwrite_text("%s", "%s", %s + d[0])\n' "$TMP" "$3" "$1" "$2" > "$TMP/p.dsl"
  for mode in --no-cache --interp; do
    expect_status 1 "$SINTER" run $mode --quiet "$TMP/p.dsl" 2> "$TMP/err.txt"
    head -1 "$TMP/err.txt" | sed "s|^$TMP/p.dsl:2:1: error: ||; s|$TMP/|TMP/|g" > "$TMP/msg.txt"
    expect_text "$TMP/msg.txt" "$4"
    [ -z "$(ls -A "$TMP/out" 2>/dev/null)" ] || fail "a file was left: $(ls -A "$TMP/out")"
  done
}
printf 'save([1.0], "%s/in.npy")\n' "$TMP" > "$TMP/in.dsl"
"$SINTER" run --quiet "$TMP/in.dsl" || fail "writing the input"
mkdir "$TMP/out"
expect_error 'a {} b {}' '[1.0]' "$TMP/out/x.txt" 'TMP/out/x.txt: the text has 2 `{}` to fill but 1 values are given'
expect_error 'a {}' '[1.0, 2.0]' "$TMP/out/x.txt" 'TMP/out/x.txt: the text has 1 `{}` to fill but 2 values are given'
expect_error '{*} and {}' '[1.0, 2.0]' "$TMP/out/x.txt" "TMP/out/x.txt: write_text's \`{*}\` takes the values left, so it must be the last hole of the text"
expect_error '{}' '[1.0]' "$TMP/in.npy" 'TMP/in.npy: refusing to overwrite a file this program read as an input; save to another path'
expect_error '{}' '[1.0]' "$TMP/none/x.txt" 'TMP/none/x.txt: cannot create a file beside it: No such file or directory'
