# @ multiplies matrices and vectors (OpenBLAS for f32 and f64).
let a = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
let b = [[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]
print(a @ b)
print(b @ a)
print(a @ [1.0, 1.0], [1.0, 1.0, 1.0] @ a, [1.0, 2.0] @ [3.0, 4.0])
let a32 = f32(a)
print(a32 @ f32(b))
# a lazy operand is materialised first
print((a * 2) @ transpose(a))
# integer matrices go through the reference loop
print([[1, 2], [3, 4]] @ [[5, 6], [7, 8]])
# an identity leaves a matrix alone
print(sum(i, j) abs((eye(2, dtype=f64) @ b)[i, j] - b[i, j]))
