# RUN: --emit=llvm
# A comprehension's loop tells LLVM that its iterations touch only their own elements: its tensor
# loads and stores join an access group the loop lists as parallel. An update written over its
# operand (sn_tensor_reuse: here AdamW's shape of update on an iterate's state) then vectorises
# without LLVM's overlap check, which the shared memory would fail at run time (the scalar loop
# ran the MLP benchmark's update 4x slower).
let w0 = rand([64, 128], seed=1)
let r = iterate w = w0 * 1 { w = w * 0.99 - 0.001 * w / (sqrt(w * w) + 1e-8) } max 3
print(r.w)
# CHECK: call {{.*}} @sn_tensor_reuse
# CHECK: define internal {{.*}} @sinter_body
# CHECK: fdiv <{{[0-9]+}} x float>
# CHECK: store <{{[0-9]+}} x float> {{.*}} !llvm.access.group [[G:![0-9]+]]
# CHECK: !llvm.loop [[L:![0-9]+]]
# CHECK-DAG: [[G]] = distinct !{}
# CHECK-DAG: [[L]] = distinct !{[[L]], [[P:![0-9]+]]
# CHECK-DAG: [[P]] = !{!"llvm.loop.parallel_accesses", [[G]]}
