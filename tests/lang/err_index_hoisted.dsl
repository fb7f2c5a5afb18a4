# exit: 1
# A read that is the same in every iteration of short loops is checked once, before them
# (unroll.c moves it out of loops that surely run): it fails with its own place and values. A
# loop that may run zero times keeps its reads, and a read no iteration reaches is not checked.
arg k: i64 = 5
arg m: i64 = 0
let x = f64(arange(4))
let z[i < 3] = sum(c < m) x[c] * x[k]
print(z)
let y[i < 3, j < 2] = sum(c < 4) x[c] * x[k]
print(y)
