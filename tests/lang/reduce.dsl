# Reductions over named indices and over whole tensors.
let x = [[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]
let rows[i] = sum(j) x[i, j]
let cols[j] = sum(i) x[i, j]
print(rows, cols, sum(x), sum(i, j) x[i, j])
print(prod(x), max(x), min(x), mean(x), argmax(x), argmin(x))
let rmax[i] = max(j) x[i, j]
let ramax[i] = argmax(j) x[i, j]
let cmin[j] = argmin(i) x[i, j]
print(rmax, ramax, cmin)
let m[i] = mean(j) x[i, j]
print(m)
# lse is exact for large and small values alike
print(lse([1000.0, 1000.0]), lse([-1000.0, -1000.0]), lse([0.0, 0.0, 0.0, 0.0]))
let big = [1000.0, 1001.0, 999.0]
print(lse(big) - 1000.0)
let lr[i] = lse(j) x[i, j]
print(lr)
# integer sums are i64; means of integers are floats
let k = [1, 2, 3, 4]
print(sum(k), prod(k), mean(k), sum(i) k[i] * k[i])
# nested reductions
print(sum(i) max(j) x[i, j], max(j) sum(i) x[i, j])
# a reduction binds like a product: its body spans * and / but stops at + -, comparisons
print(max(i) abs(k[i] - 2) < 3, sum(i) k[i] + 1, sum(i) (k[i] + 1), 2 * sum(i) k[i] * k[i] + 1)
