# A comprehension is written over a dying operand only where that cannot change a value: when
# its body reads the operand at other indices (a stencil) it is not, and when something else
# still holds the operand (two states of an iterate starting from one tensor) the runtime gives
# a new tensor (sn_tensor_reuse). Each result equals the same steps written out.
let a = rand([1000], seed=1)
let n = 1000
let st = iterate x = a + 0 {
  let x1[i < n] = x[i] + 0.5 * x[(i + 1) % n]
  x = x1
} max 3
let e1[i < n] = a[i] + 0.5 * a[(i + 1) % n]
let e2[i < n] = e1[i] + 0.5 * e1[(i + 1) % n]
let e3[i < n] = e2[i] + 0.5 * e2[(i + 1) % n]
print(all(st.x == e3))
let b = a * 1
let two = iterate x = b, y = b {
  x = x * 2
  y = y + 1
} max 3
print(all(two.x == a * 8), all(two.y == a + 3))
