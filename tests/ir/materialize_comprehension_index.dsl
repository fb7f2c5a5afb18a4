# RUN: --emit=ir
# lf[k, i] holds a reduction; read inside lKu's comprehension over (k, j) without j, it would be
# recomputed for every j (O(K n^3) instead of O(K n^2)), so it is stored once instead.
let G = rand([2, 100], seed=1)
let C = rand([100, 100], seed=2)
let lf[k, i] = -lse(j) (G[k, j] - C[i, j])
let lKu[k, j] = lse(i) (lf[k, i] - C[i, j])
print(sum(k, j) lKu[k, j])
# CHECK-LABEL: func @main
# CHECK: [[LF:%[0-9]+]] = alloc %{{.*}} : tensor<f32 x2>
# CHECK: for parallel
# CHECK: for
# CHECK: store
# CHECK: for parallel
# CHECK-NOT: alloc {{.*}} x2
# CHECK: load
