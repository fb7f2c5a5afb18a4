# Tensor literals, elementwise arithmetic and NumPy broadcasting.
let v = [1.0, 2.0, 3.0]
let m = [[1, 2, 3], [4, 5, 6]]
print(v)
print(m)
print(v + 1, v * v, 2 ^ v, v / 4)
print(m * 10 + 1)
print(m + v)
print(m + [[100], [200]])
let col[i, j] = m[i, j] * (i + 1)
print(col)
print(-v, abs(-v), [-1, 2, -3] * -1)
print(f32(m) / 2)
let b = m > 3
print(b, sum(b))
print([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
let big = arange(2000)
print(big)
print(zeros([3, 2]) + ones(2))
