# Helpers shared by the standard library's domains (one file each: transport.dsl, ...). Names
# that start with `_` are the library's own: programs cannot call them.

# The first entry of C that is not finite, rows first: {i, j, value}, for messages that name it.
fn _first_nonfinite(C: float[n, m]) {
  let r = argmin(i) min(j) (if isfinite(C[i, j]) then 1 else 0)
  let c = argmin(j) (if isfinite(C[r, j]) then 1 else 0)
  {i: r, j: c, value: C[r, c]}
}
