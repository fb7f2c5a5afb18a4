# RUN: --emit=ir
# Fusion copies C's body at each use; CSE shares the copies, so C[i,j] * C[i,j] loads each
# operand once.
let x = rand([50, 50], seed=1)
let C[i, j] = x[i, j] + 1.0
print(sum(i, j) C[i, j] * C[i, j])
# CHECK: for parallel
# CHECK: for
# CHECK: load
# CHECK-NOT: load
# CHECK: bin.mul
