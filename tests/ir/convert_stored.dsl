# RUN: --emit=ir
# A change of precision read for every row is stored once: x32 = f32(x) as an f32 matrix, and
# y32 = f32(y), read across the vectorised index j, as its transposed copy computed from y
# itself (y32 is never stored). The lse's loops then read f32 and convert nothing.
let x = rand([300, 3], seed=1, dtype=f64)
let y = rand([200, 3], seed=2, dtype=f64)
let x32 = f32(x)
let y32 = f32(y)
let f[i] = lse(j) -(sum(k) (x32[i, k] - y32[j, k])^2)
print(sum(i) f[i])
# CHECK-LABEL: func @main
# CHECK: [[X:%[0-9]+]] = data %{{[0-9]+}} : ptr<f64>
# CHECK: [[Y:%[0-9]+]] = data %{{[0-9]+}} : ptr<f64>
# CHECK: [[X32:%[0-9]+]] = alloc %{{[0-9]+}}, %{{[0-9]+}} : tensor<f32 x2>
# CHECK: [[X32D:%[0-9]+]] = data [[X32]] : ptr<f32>
# CHECK: load [[X]]
# CHECK-NEXT: cast
# CHECK-NEXT: store [[X32D]]
# CHECK: [[YT:%[0-9]+]] = alloc %{{[0-9]+}}, %{{[0-9]+}} : tensor<f32 x2>
# CHECK: [[YTD:%[0-9]+]] = data [[YT]] : ptr<f32>
# CHECK: load [[Y]]
# CHECK-NEXT: cast
# CHECK: store [[YTD]]
# CHECK-NOT: alloc {{.*}} : tensor<f32 x2>
# CHECK: scratch #2048
# CHECK-NOT: cast
# CHECK: load [[X32D]]
# CHECK-NOT: cast
# CHECK: load [[YTD]]
# CHECK-NOT: cast
# CHECK: call @sn_expsumf
