# RUN: --emit=ir
# A chain of whole-tensor operations and constructors fuses into one loop: nothing is
# allocated for the draws a, b and c (each element drawn where it is read), a + b, exp(c),
# arange or the product (the sum stores its terms a leaf at a time into a stack buffer that
# sn_sum_leaff adds up).
let a = rand([100000], seed=1)
let b = rand([100000], seed=2)
let c = rand([100000], seed=3)
print(sum((a + b) * exp(c) + arange(100000)))
# CHECK-LABEL: func @main
# CHECK-NOT: alloc
# CHECK-NOT: sn_random
# CHECK: for parallel
# CHECK: rand {{%[0-9]+}}, [[I:%[0-9]+]] : f32
# CHECK-NEXT: rand {{%[0-9]+}}, [[I]] : f32
# CHECK-NEXT: bin.add
# CHECK-NEXT: rand {{%[0-9]+}}, [[I]] : f32
# CHECK-NEXT: math.exp
# CHECK: store
# CHECK: call @sn_sum_leaff
# CHECK-NOT: alloc
# CHECK: call @sn_print_f32
