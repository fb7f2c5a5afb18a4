# exit: 1
# The number of terms of a reduction is checked like a size: here it overflows 64 bits.
arg n: i64 = 4611686018427387904
let x[i < n, j < 4] = 1.0
print(mean(i, j) x[i, j])
