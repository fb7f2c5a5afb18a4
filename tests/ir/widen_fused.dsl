# RUN: --emit=ir
# A widening of precision stays fused even where it is read for every row: storing h32 = f32(h)
# would take twice the memory of the bf16 h (a model's weights, say). The lse converts each
# value of h as it reads it.
let h = bf16(rand([200, 3], seed=2))
print(h) # stored as bf16
let h32 = f32(h)
let x = rand([300, 3], seed=1)
let f[i] = lse(j) -(sum(k) (x[i, k] - h32[j, k])^2)
print(sum(i) f[i])
# CHECK-LABEL: func @main
# CHECK: [[H:%[0-9]+]] = data %{{[0-9]+}} : ptr<bf16>
# CHECK: print_tensor
# CHECK-NOT: alloc {{.*}} : tensor<f32 x2>
# CHECK: scratch #2048
# CHECK: load [[H]]
# CHECK-NEXT: cast {{.*}} : f32
# CHECK: call @sn_expsumf
