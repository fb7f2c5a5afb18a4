# A program killed by SIGTERM, SIGHUP or SIGINT with its stdout redirected to a file keeps what
# it printed before (sn_main's handler flushes stdout, then the signal's default action ends
# it): built executables, `sinter run` (from its cache), `--no-cache` (the JIT) and `--interp`.
# An ignored signal stays ignored.
. tests/cli/helpers.inc
cat > "$TMP/loop.dsl" <<'DSL'
arg ready: str
print("printed before the loop")
save(zeros([1]), ready)
let r = iterate t = 0.0 { t = t + 1.0 } until t < 0.0 max 1000000000000000
print(r.t)
DSL

# start COMMAND...: runs COMMAND in the background (stdout to $TMP/out) until it has saved
# $TMP/ready.npy, just before its endless loop; $pid is its process.
start() {
  rm -f "$TMP/ready.npy"
  "$@" --ready="$TMP/ready.npy" > "$TMP/out" &
  pid=$!
  i=0
  while [ ! -e "$TMP/ready.npy" ]; do
    i=$((i + 1))
    [ $i -lt 1200 ] || fail "never reached the loop: $*"
    sleep 0.1
  done
}

# killed SIGNAL STATUS COMMAND...: COMMAND, sent SIGNAL in its loop, ends with STATUS and has
# written its first line.
killed() {
  sig=$1
  want=$2
  shift 2
  start "$@"
  kill -"$sig" $pid
  got=0
  wait $pid || got=$?
  [ "$got" = "$want" ] || fail "exit status $got, want $want after SIG$sig: $*"
  expect_text "$TMP/out" "printed before the loop"
}

"$SINTER" build "$TMP/loop.dsl" -o "$TMP/loop"
killed TERM 143 "$TMP/loop"
killed HUP 129 "$TMP/loop"
# a script's background job ignores SIGINT; env gives it the default action back
killed INT 130 env --default-signal=INT "$TMP/loop"
killed TERM 143 "$SINTER" run "$TMP/loop.dsl"
killed TERM 143 "$SINTER" run --no-cache "$TMP/loop.dsl"
killed TERM 143 "$SINTER" run --interp "$TMP/loop.dsl"

# under nohup's SIG_IGN, SIGHUP does nothing
start nohup "$TMP/loop"
kill -HUP $pid
sleep 0.3
kill -0 $pid || fail "an ignored SIGHUP ended the program"
kill -TERM $pid
wait $pid || true
expect_text "$TMP/out" "printed before the loop"
