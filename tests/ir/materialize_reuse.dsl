# RUN: --emit=ir
# Inside sum(j), B[i] and D[i] do not depend on j, so fusing them would redo their work n times
# per row: B's reduction, D's multiplication. Each is stored once instead (one 1-D allocation
# each), while A, a column of x with no arithmetic, is still read from x in place. The third
# allocation holds the terms of the outer sum, each a sum over j, computed in parallel.
let x = rand([300, 40], seed=1)
let B[i] = sum(k) x[i, k]
let D[i] = x[i, 1] * 2
let A[i] = x[i, 0]
print(sum(i) sum(j) (B[i] * B[j] + D[i] * A[j]))
# CHECK-LABEL: func @main
# CHECK: [[X:%[0-9]+]] = data %{{[0-9]+}} : ptr<f32>
# CHECK: [[B:%[0-9]+]] = alloc %{{.*}} : tensor<f32 x1>
# CHECK: [[BD:%[0-9]+]] = data [[B]]
# CHECK: for parallel
# CHECK: store [[BD]]
# CHECK: [[D:%[0-9]+]] = alloc %{{.*}} : tensor<f32 x1>
# CHECK: [[DD:%[0-9]+]] = data [[D]]
# CHECK: for parallel
# CHECK: bin.mul
# CHECK: store [[DD]]
# CHECK: alloc %{{.*}} : tensor<f32 x1>
# CHECK-NOT: alloc
# CHECK: for parallel
# CHECK: for
# CHECK: load [[BD]]
# CHECK: load [[BD]]
# CHECK: load [[DD]]
# CHECK: load [[X]]
# CHECK: yield
