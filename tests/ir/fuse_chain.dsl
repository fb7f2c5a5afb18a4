# RUN: --emit=ir
# A chain of whole-tensor operations and constructors fuses into one loop: nothing is
# allocated for a + b, exp(c), arange or the product (the sum stores its terms a leaf at a time
# into a stack buffer that sn_sum_leaff adds up).
let a = rand([100000], seed=1)
let b = rand([100000], seed=2)
let c = rand([100000], seed=3)
print(sum((a + b) * exp(c) + arange(100000)))
# CHECK-LABEL: func @main
# CHECK-COUNT-3: call @sn_random
# CHECK-NOT: alloc
# CHECK: for parallel
# CHECK: load
# CHECK: load
# CHECK: bin.add
# CHECK: load
# CHECK: math.exp
# CHECK: store
# CHECK: call @sn_sum_leaff
# CHECK-NOT: alloc
# CHECK: call @sn_print_f32
