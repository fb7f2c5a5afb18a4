# modes: jit interp
# `@` on batches of matrices [..., n, k] @ [..., k, m] (equal leading sizes, as torch.matmul
# without broadcasting): each product equals the sum written out, in f64, f32 and i64 (wrapping),
# with operands read transposed in place (BLAS's flags), and its gradient equals central
# differences (gradcheck).
let a = randn([2, 3, 4, 5], seed=1, dtype=f64)
let b = randn([2, 3, 5, 6], seed=2, dtype=f64)
let c = a @ b
let ref[z, g, i, j] = sum(k) a[z, g, i, k] * b[z, g, k, j]
print(c.shape, max(abs(c - ref)) < 1e-14)
let bt[z, g, j, k] = b[z, g, k, j]
let at[z, g, k, i] = a[z, g, i, k]
let t1[z, g, i, k] = at[z, g, k, i]
let t2[z, g, k, j] = bt[z, g, j, k]
print("transposed", max(abs(t1 @ t2 - ref)) < 1e-14)
let a32 = f32(a)
let b32 = f32(b)
let r32[z, g, i, j] = sum(k) f64(a32[z, g, i, k]) * f64(b32[z, g, k, j])
print("f32", max(abs(f64(a32 @ b32) - r32)) < 1e-5)
let ai = i64(a * 10)
let bi = i64(b * 10)
let ri[z, g, i, j] = sum(k) ai[z, g, i, k] * bi[z, g, k, j]
print("i64", all(ai @ bi == ri))
print("grad a", gradcheck(fn(a) = sum((a @ b)^2), a).error < 1)
print("grad b", gradcheck(fn(b) = sum(sin(a @ b)), b).error < 1)
print("rank 3", max(abs(reshape(a, [6, 4, 5]) @ reshape(b, [6, 5, 6]) - reshape(ref, [6, 4, 6]))) < 1e-14)
