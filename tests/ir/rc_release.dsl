# RUN: --emit=ir
# Each tensor is released right after its last use; an iterate's state is handed from one
# iteration to the next without copies, and its final value is released by the caller. `a * 2`,
# a's last use, and the state's update ask to be written over the tensor that dies with them
# (sn_tensor_reuse, which takes it when nothing else holds it).
let a = rand([1000], seed=1)
let b = a @ a
print(b)
let r = iterate v = a * 2 { v = v * 0.5 } until max(i) v[i] < 0.5 max 10
print(r.v)
# CHECK: [[A:%[0-9]+]] = call @sn_random
# CHECK: [[B:%[0-9]+]] = call @sn_matmul [[A]], [[A]]
# CHECK: release [[B]]
# CHECK: [[V0:%[0-9]+]] = call @sn_tensor_reuse [[A]],
# CHECK: release [[A]]
# CHECK: [[R:%[0-9]+]], {{.*}} = loop {{.*}}, [[V0]] ({{.*}}, [[V:%v.[0-9]+]]) {
# CHECK: [[NEW:%[0-9]+]] = call @sn_tensor_reuse [[V]],
# CHECK: release [[V]]
# CHECK: yield [[NEW]],
# CHECK: call @sn_print_tensor [[R]]
# CHECK-NEXT: release [[R]]
