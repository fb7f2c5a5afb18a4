# RUN: --emit=asm
# In the machine code, the exp of the fused lse and the reduction are packed SIMD instructions
# (`ps` suffix: packed single precision).
let x = rand([4000, 3], seed=1)
let f[i] = lse(j) -(sum(k) (x[i, k] - x[j, k])^2)
print(f)
# CHECK: sinter_body
# CHECK: {{v(max|min)ps}}
# CHECK: {{vfmadd[0-9]+ps}}
