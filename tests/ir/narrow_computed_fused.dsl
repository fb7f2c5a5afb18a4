# RUN: --emit=ir
# A narrowing of a computed value has no stored source to be cheaper than: K[i, j] =
# f32(a[i] * b[j]) stays fused into the sums that read it for every k, and no matrix is stored.
let a = rand([300], seed=1, dtype=f64)
let b = rand([200], seed=2, dtype=f64)
let w = rand([5], seed=3)
let K[i, j] = f32(a[i] * b[j])
let s[k] = sum(i) sum(j) K[i, j] * w[k]
print(s)
# CHECK-LABEL: func @main
# CHECK-NOT: tensor<f32 x2>
# CHECK: cast
# CHECK-NOT: tensor<f32 x2>
