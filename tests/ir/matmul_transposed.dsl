# RUN: --emit=ir
# A product of a transposed matrix reads the matrix in place with BLAS's transpose flag
# (sn_matmul_t, flags 1 for a transposed operand): no transposed copy is stored, neither for the
# user's transpose nor for the gradient's dW = x^T @ dy and dx = dy @ W^T.
arg x: f32[n, d]
arg w: f32[d, h]
print(transpose(x) @ x)
fn loss(w, x) = sum(i, j) (x @ w)[i, j]^2
let dl = grad(loss, wrt=[0, 1])
let g = dl(w, x)
print(g.w, g.x)
# CHECK-LABEL: func @main
# CHECK: [[T:%[0-9]+]] = const 1 : bool
# CHECK-NEXT: [[F:%[0-9]+]] = const 0 : bool
# CHECK-NEXT: call @sn_matmul_t %x.{{[0-9]+}}, %x.{{[0-9]+}}, [[T]], [[F]]
# CHECK: [[DY:%[0-9]+]] = {{alloc|call @sn_tensor_reuse}}
# CHECK-NOT: alloc
# CHECK: call @sn_matmul_t [[DY]], %w.{{[0-9]+}}, [[F]], [[T]]
# CHECK: call @sn_matmul_t %x.{{[0-9]+}}, [[DY]], [[T]], [[F]]
