# kth_largest(x, k) is the last of topk(flatten(x), k) (topk is checked against torch in
# topk_torch.dsl): its value and flat index, for every k of a small tensor with ties, -0.0 and
# NaN (the largest) in f32, bf16, f64 and i64, and for k spread over 3 M random numbers (several
# chunks; from 1 M elements a sample bounds the answer first) in f32 and f64, 200 k bf16 values
# full of ties (the radix digits narrowed twice), 2 M of them (the sample, ties at its bounds)
# and 1.1 M equal values (too many candidates: the sample is given up for the radix passes).
fn same(r, t, k) {
  let v = f64(t.values[k - 1])
  (r.value == v or (isnan(r.value) and isnan(v))) and r.index == t.indices[k - 1]
}
fn agrees(x, k) = same(kth_largest(x, k), topk(flatten(x), k), k)
fn every_k(x) {
  let t = topk(flatten(x), numel(x))
  all(k < numel(x)) same(kth_largest(x, k + 1), t, k + 1)
}
let x = [[3.0, -1.0, 4.0, 0.0], [1.0, 5.0, -9.0, -0.0], [2.0, 5.0, log(-1.0), 4.0]]
print(every_k(f32(x)), every_k(bf16(x)), every_k(x), every_k([[2, 1, 2], [3, -7, 2]]))
let r = rand([3000000], seed=5)
print(agrees(r, 1), agrees(r, 777777), agrees(r, 3000000), agrees(f64(r) - 0.5, 2999999))
let b = bf16(randn([200000], seed=2))
print(agrees(b, 1), agrees(abs(b), 100000), agrees(b, 199999))
let c = bf16(randn([2000000], seed=4))
print(agrees(c, 1), agrees(abs(c), 1000000), agrees(c, 1999999), agrees(c, 12345))
let z = zeros(1100000)
print(agrees(z, 1), agrees(z, 550000), agrees(z, 1100000))
print(kth_largest([1.0, 2.0, 2.0, 2.0, 0.5], 3), kth_largest(abs([-3.0, 1.0, 3.0]), 2))
