# RUN: --emit=asm
# In the machine code, the fused lse's values and their maximum are packed SIMD instructions
# (`ps` suffix: packed single precision), and each tile's sum of exps is the runtime's vector
# kernel, sn_expsumf.
let x = rand([4000, 3], seed=1)
let f[i] = lse(j) -(sum(k) (x[i, k] - x[j, k])^2)
print(f)
# CHECK: sinter_body
# CHECK-DAG: vsubps
# CHECK-DAG: vmulps
# CHECK-DAG: vmaxps
# CHECK-DAG: {{call.*sn_expsumf}}
