# A check whose condition and values are known when compiling fails then also inside a loop that
# always runs its body (a constant `max` of 1 or more), as a sampler's check of its denoiser's
# output does; in a loop that may not run (a `max` given when the program runs) or in a branch it
# stays a check of the running program.
arg times: i64 = 2
let v = [1.0, 2.0, 3.0]
let a = iterate s = 0.0, k = 0 {
  check(size(v, 0) == 2, "the vector has {} elements, not 2", size(v, 0))
  s = s + v[k]
  k = k + 1
} max 3
let b = iterate s = 0.0, k = 0 {
  check(size(v, 0) == 2, "the vector has {} elements, not 2 (at run time)", size(v, 0))
  s = s + v[k]
  k = k + 1
} max times
print(a.s, b.s)
