# RUN: --emit=ir
# The pairwise cost C is fused into the lse that consumes it: no n x m tensor is ever
# allocated. The allocations are y's transposed copy (3 x n, so that the loop over j reads
# each coordinate contiguously; y itself is released once it is copied) and the result f. The
# cost is recomputed inside the tiled lse (fill loop), and the outer loop over rows runs in
# parallel.
arg n: i64 = 1000
let x = randn([n, 3], seed=1)
let y = randn([n, 3], seed=2)
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let f[i] = lse(j) -C[i, j] / 0.1
print(f)
# CHECK-LABEL: func @main
# CHECK: call @sn_random
# CHECK: [[Y:%[0-9]+]] = call @sn_random
# CHECK: [[YT:%[0-9]+]] = alloc %{{[0-9]+}}, %n.{{[0-9]+}} : tensor<f32 x2>
# CHECK: for parallel
# CHECK: release [[Y]]
# CHECK-NOT: alloc {{.*}} : tensor<f32 x2>
# CHECK: [[F:%[0-9]+]] = alloc %{{.*}} : tensor<f32 x1>
# CHECK-NOT: alloc
# CHECK: for parallel
# CHECK: scratch #2048
# CHECK: for
# CHECK: for
# CHECK: load
# CHECK: load
# CHECK: bin.sub
# CHECK: bin.mul
# CHECK: bin.add
# CHECK: store
# CHECK: bin.max reassoc
# CHECK: math.exp
# CHECK: math.log
# CHECK: call @sn_print_tensor [[F]]
# CHECK: release [[F]]
