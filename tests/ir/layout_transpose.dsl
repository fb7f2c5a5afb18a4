# RUN: --emit=ir
# y[j, k] read across the vectorised index j, k over a constant 3, inside a loop over i, is
# read from one transposed copy y_t[k, j] (made once, for both reductions that read it). z's
# inner extent 32 is too long to unroll, and w is read only once per element: both are read
# in place.
arg x: f64[n, 3]
arg y: f64[m, 3]
arg z: f64[m, 32]
arg w: f64[m, 3]
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
print(max(i, j) C[i, j], sum(i) lse(j) -C[i, j])
print(sum(i) sum(j) sum(k) x[i, 0] * z[j, k])
print(sum(j) sum(k) w[j, k])
# CHECK-LABEL: func @main
# CHECK: [[Y:%y\.[0-9]+]] = arg #1
# CHECK: [[YD:%[0-9]+]] = data [[Y]]
# CHECK: [[Z:%z\.[0-9]+]] = arg #2
# CHECK: [[ZD:%[0-9]+]] = data [[Z]]
# CHECK: [[W:%w\.[0-9]+]] = arg #3
# CHECK: [[WD:%[0-9]+]] = data [[W]]
# CHECK: [[YT:%y_t\.[0-9]+]] = alloc %{{[0-9]+}}, %{{[0-9]+}} : tensor<f64 x2>
# CHECK: [[YTD:%[0-9]+]] = data [[YT]]
# CHECK: load [[YD]]
# CHECK: store [[YTD]]
# CHECK-NOT: alloc {{.*}} : tensor<f64 x2>
# CHECK-NOT: load [[YD]]
# CHECK: load [[YTD]]
# CHECK: scratch #2048
# CHECK: load [[YTD]]
# CHECK-NOT: alloc {{.*}} : tensor<f64 x2>
# CHECK: load [[ZD]]
# CHECK-NOT: alloc {{.*}} : tensor<f64 x2>
# CHECK: load [[WD]]
# CHECK-NOT: alloc {{.*}} : tensor<f64 x2>
