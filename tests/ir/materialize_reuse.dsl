# RUN: --emit=ir
# B's body has a reduction; inside sum(j), B[i] does not depend on j, so fusing would redo
# that reduction n times per row. B is stored once instead (one 1-D allocation), while the
# cheap A is still fused.
let x = rand([300, 40], seed=1)
let B[i] = sum(k) x[i, k]
let A[i] = x[i, 0] * 2
print(sum(i) sum(j) (B[i] * B[j] + A[j]))
# CHECK-LABEL: func @main
# CHECK: [[B:%[0-9]+]] = alloc %{{.*}} : tensor<f32 x1>
# CHECK: for parallel
# CHECK: store
# CHECK-NOT: alloc
# CHECK: load
