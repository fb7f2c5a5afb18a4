# RUN: --emit=ir
# A draw read where it would be drawn again and again is drawn once and stored: x, read in an
# lse over j (x[i, k] for every j, as a reduction would be recomputed), and u, read in every
# iteration of an iterate. Read once per element, v is drawn in the sum that reads it.
arg n: i64 = 1000
let x = rand([n, 3], seed=1)
let g = randn([n, 3], seed=2)
print(sum(i) lse(j) -(sum(k) (x[i, k] - g[j, k])^2))
let u = rand([n], seed=3)
let r = iterate s = 0.0 { s = s + sum(i) u[i] } max 3
print(r.s)
let v = rand([n], seed=4)
print(sum(i) v[i])
# CHECK-LABEL: func @main
# CHECK: alloc %n.{{[0-9]+}}, {{%[0-9]+}} : tensor<f32 x2>
# CHECK: = rand {{%[0-9]+}}, {{%[0-9]+}} : f32
# CHECK: call @sn_random
# CHECK-NOT: = rand
# CHECK: call @sn_print_f32
# CHECK: alloc %n.{{[0-9]+}} : tensor<f32 x1>
# CHECK: = rand {{%[0-9]+}}, {{%[0-9]+}} : f32
# CHECK: loop "iterate
# CHECK-NOT: = rand
# CHECK: call @sn_print_f64
# CHECK-NOT: alloc
# CHECK: = rand {{%[0-9]+}}, {{%[0-9]+}} : f32
# CHECK: call @sn_sum_leaff
