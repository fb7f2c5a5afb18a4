# RUN: --emit=ir
# A comprehension read at two places by the next is copied twice into it: down a chain of such
# smoothing steps the copies double at every level. The first levels fuse (a2's body copies a1
# twice, a3's copies a2 twice: 50 instructions per element), but copying a4 twice into a5
# would add 106 more, past the limit of 64: a4 is stored, and a5 and a6 read it. A small body
# read at two places (v in w) still fuses.
let a0[i < 1000] = f64(i % 10)
let a1[i < 1000] = 0.5 * (a0[i] + a0[(i + 1) % 1000])
let a2[i < 1000] = 0.5 * (a1[i] + a1[(i + 1) % 1000])
let a3[i < 1000] = 0.5 * (a2[i] + a2[(i + 1) % 1000])
let a4[i < 1000] = 0.5 * (a3[i] + a3[(i + 1) % 1000])
let a5[i < 1000] = 0.5 * (a4[i] + a4[(i + 1) % 1000])
let a6[i < 1000] = 0.5 * (a5[i] + a5[(i + 1) % 1000])
print(sum(a6))
let u = rand([1000], seed=1, dtype=f64)
let v[i < 999] = 2.0 * u[i]
let w[i < 998] = v[i] - v[i + 1]
print(sum(w))
# CHECK-LABEL: func @main
# CHECK: [[A4:%[0-9]+]] = alloc %{{[0-9]+}} : tensor<f64 x1>
# CHECK-NEXT: [[A4D:%[0-9]+]] = data [[A4]]
# CHECK: for parallel
# CHECK: store [[A4D]]
# CHECK-NOT: alloc
# CHECK: for parallel
# CHECK-COUNT-4: load [[A4D]]
# CHECK-NOT: load [[A4D]]
# CHECK: call @sn_print_f64
# CHECK-NOT: alloc
# CHECK: [[U:%[0-9]+]] = call @sn_random
# CHECK-NEXT: [[UD:%[0-9]+]] = data [[U]]
# CHECK-NOT: alloc
# CHECK: for parallel
# CHECK-COUNT-2: load [[UD]]
# CHECK-NOT: load [[UD]]
# CHECK: call @sn_print_f64
