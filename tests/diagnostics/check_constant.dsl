# A check whose condition and values are known when compiling fails then, with the words and the
# location it would stop the program with; one in a branch that may not run, or one that needs
# values computed when the program runs, waits for the run.
fn positive(x: float) {
  check(x > 0 and x < 100, "positive: x is {}, not in (0, 100)", x, hint="pass a number in (0, 100)")
  x
}
let a = positive(-2.5)
let b = if a > 0 then positive(-1.0) else 1.0
let v = [1.0, -1.0]
check(min(v) > 0, "v has {}", min(v))
print(a, b)
