# RUN: --emit=ir
# Sinkhorn's row update reads the second cloud and g for every row, so rows are computed four at
# a time: one fill loop writes four tiles (reading each y and g element once for the four), then
# four exp sums. The rows of the last block are clamped to the last row. The 10-D cost's k loops
# would stay loops in four copies (and the lse loop unvectorised), so it keeps one row at a time.
let x = rand([301, 3], seed=1, dtype=f64)
let y = rand([200, 3], seed=2, dtype=f64)
let g = rand([200], seed=3, dtype=f64)
let f[i] = lse(j) (g[j] - sum(k) (x[i, k] - y[j, k])^2)
let x10 = rand([30, 10], seed=1, dtype=f64)
let y10 = rand([20, 10], seed=2, dtype=f64)
let h[i] = lse(j) -(sum(k) (x10[i, k] - y10[j, k])^2)
print(f, h)
# CHECK-LABEL: func @main
# CHECK: [[F:%[0-9]+]] = alloc [[N:%[0-9]+]] : tensor<f64 x1>
# CHECK: for parallel %{{[0-9]+}}, [[BLOCKS:%[0-9]+]] ([[B:%[0-9]+]]) {
# CHECK: [[R0:%[0-9]+]] = bin.min %{{[0-9]+}}, [[LAST:%[0-9]+]] : i64
# CHECK: [[R1:%[0-9]+]] = bin.min %{{[0-9]+}}, [[LAST]] : i64
# CHECK: [[R2:%[0-9]+]] = bin.min %{{[0-9]+}}, [[LAST]] : i64
# CHECK: [[R3:%[0-9]+]] = bin.min %{{[0-9]+}}, [[LAST]] : i64
# CHECK-COUNT-4: scratch #2048 : ptr<f64>
# CHECK-NEXT: = for {{.*}} ({{%[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+}}) {
# CHECK: = for {{.*}} ({{%[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+, %[0-9]+}}) {
# CHECK-COUNT-4: call @sn_expsum
# CHECK: store {{%[0-9]+}}, [[R0]],
# CHECK-NEXT: store {{%[0-9]+}}, [[R1]],
# CHECK-NEXT: store {{%[0-9]+}}, [[R2]],
# CHECK-NEXT: store {{%[0-9]+}}, [[R3]],
# CHECK: alloc %{{[0-9]+}} : tensor<f64 x1>
# CHECK: for parallel
# CHECK-COUNT-1: scratch #2048 : ptr<f64>
# CHECK-NOT: scratch
# CHECK: call @sn_expsum
# CHECK-NOT: call @sn_expsum
