# In an iterate body, `x[i] = ...` ranges i over the state's dimensions, as if x[i] were read:
# the right side need not subscript x by i alone (NumPy: x[::-1], np.roll).
arg n: i64 = 6
let r = iterate x = arange(n), turns = 0 {
  x[i] = x[n - 1 - i]
  turns = turns + 1
} until turns == 3 max 10
print(r.x)
let g = iterate m = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] {
  m[i, j] = f64(10 * i + j)
} until true max 1
print(g.m)
let s = iterate v = zeros(5, dtype=i64), k = 0 {
  v[i] = v[(i + 1) % 5] + i
  k = k + 1
} until k == 2 max 5
print(s.v)
