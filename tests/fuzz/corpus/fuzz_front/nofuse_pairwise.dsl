# RUN: --emit=ir --no-fuse
# The same program without fusion materialises the cost matrix C (n x m), as NumPy would.
arg n: i64 = 1000
let x = randn([n, 3], seed=1)
let y = randn([n, 3], seed=2)
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let f[i] = lse(j) -C[i, j] / 0.1
print(f)
# CHECK-LABEL: func @main
# CHECK: alloc %{{.*}}, %{{.*}} : tensor<f32 x2>
# CHECK: alloc %{{.*}} : tensor<f32 x1>
