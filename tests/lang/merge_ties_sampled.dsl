# modes: exe jit
# merge_ties on tensors long enough for the sampled search of the density threshold (from 2^20
# elements, stdlib/merge.dsl's _merge_kth) against TIES written with kth_largest of each stored
# row of magnitudes: task vectors of spread values, of 40 distinct values (many equal to the
# threshold), equal to the base (all magnitudes 0: the row is searched), and with NaNs. Not
# interpreted: the interpreter takes minutes over these millions of elements.
let n = 1200000
let u = rand([2, n], seed=3)
fn ties(b, x, y, density) {
  let d[k < 2, i < n] = (if k == 0 then x[i] else y[i]) - b[i]
  let c = i64(density * n)
  let found[k < 2] = kth_largest(abs(d[k]), c).index
  let keep[k < 2, i < n] = abs(d[k, i]) > abs(d[k, found[k]]) or (abs(d[k, i]) == abs(d[k, found[k]]) and i <= found[k])
  let kd[k < 2, i < n] = if keep[k, i] then 0.5 * d[k, i] else 0.0
  let elected[i < n] = if kd[0, i] + kd[1, i] >= 0 then 1.0 else -1.0
  let agree[k < 2, i < n] = sign(kd[k, i]) == elected[i]
  let mixed[i < n] = sum(k) (if agree[k, i] then kd[k, i] else 0.0)
  let weight[i < n] = sum(k) (if agree[k, i] then 0.5 else 0.0)
  let r[i < n] = b[i] + mixed[i] / (if weight[i] == 0 then 1.0 else weight[i])
  r
}
fn same(a, b) = all(a == b or (isnan(a) and isnan(b)))
let b = f32(u[0])
let spread[i < n] = f32(u[1, i])
let few[i < n] = b[i] + f32(i64(u[1, i] * 40)) / 64
let nan[i < n] = if i % 1000 == 7 then f32(log(-1.0)) else spread[i]
fn check(x, density) = same(merge_ties(b, stack(x, spread), [0.5, 0.5], density=density), ties(b, x, spread, density))
print(check(spread, 0.3), check(spread, 0.5), check(spread, 0.99))
print(check(few, 0.3), check(few, 0.5), check(few, 0.99))
print(check(b, 0.5), check(nan, 0.5), check(nan, 0.999))
