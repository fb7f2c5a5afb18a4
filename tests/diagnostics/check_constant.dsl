# A check whose condition and values are known when compiling fails then, with the words and the
# location it would stop the program with; one in a branch that may not run, one that needs values
# known only when the program runs (an argument), or a float sum (its order is the run's), waits.
fn positive(x: float) {
  check(x > 0 and x < 100, "positive: x is {}, not in (0, 100)", x, hint="pass a number in (0, 100)")
  x
}
let a = positive(-2.5)
let b = if a > 0 then positive(-1.0) else 1.0
arg v: f64[n] = [1.0, -1.0]
check(min(v) > 0, "v has {}", min(v))
let w = [1.0, -1.0]
check(sum(w) > 1, "w sums to {}", sum(w))
print(a, b)
