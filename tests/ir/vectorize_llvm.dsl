# RUN: --emit=llvm
# LLVM vectorises the fused loops: the elementwise map, and the loop that computes the terms of
# the sum (which runtime/core/sum.c then adds in its fixed order), use vector types.
let a = rand([100000], seed=1)
let b = rand([100000], seed=2)
let c[i] = a[i] * b[i] + 1.0
print(c)
print(sum(i) a[i] * b[i])
# CHECK: define {{.*}}i32 @sinter_program
# CHECK: fmul <{{[0-9]+}} x float>
# CHECK: fmul <{{[0-9]+}} x float>
# CHECK: call {{.*}} @sn_sum_leaff
