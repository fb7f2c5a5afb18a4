# RUN: --emit=ir
# An iterate's elementwise update is written over the state it replaces (sn_tensor_reuse with
# the state), and a stencil update, which reads other elements of the state, gets a new tensor.
arg n: i64 = 100
let a = rand([n], seed=1)
let e = iterate x = a * 1 { x = x * 0.5 + 1 } max 3
let s = iterate x = a * 1 {
  let x1[i < n] = x[i] + x[(i + 1) % n]
  x = x1
} max 3
print(e.x, s.x)
# CHECK-LABEL: func @main
# CHECK: loop {{.*}} (%count.{{[0-9]+}}, [[X:%x.[0-9]+]])
# CHECK: = call @sn_tensor_reuse [[X]],
# CHECK: loop {{.*}} (%count.{{[0-9]+}}, [[Y:%x.[0-9]+]])
# CHECK-NOT: sn_tensor_reuse
# CHECK: alloc
# CHECK-NOT: sn_tensor_reuse
# CHECK: call @sn_print_tensor
