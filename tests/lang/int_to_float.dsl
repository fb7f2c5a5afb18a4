# Where an integer becomes a float (true division, mean, a math function, a float literal), it
# becomes f64, as in NumPy; a mean of integers is their exact i64 sum divided once. Reference
# values from NumPy 1.24: np.mean(np.arange(16777227)), np.sum(np.arange(1000001)) / 3, ...
print(mean(arange(16777227)))
let n = size(zeros([3]), 0)
let big = sum(arange(1000001))
print(big / n, epsilon(big / n))
let w = 1.0 / n
print(w, epsilon(w), full(2, 1 / n))
print(i32(7) / i32(2), epsilon(i32(7) / i32(2)), arange(4) / 3)
print(mean(i32([2147483647, 2147483647, 1])), mean(i < 5) i, mean(u8([255, 254])))
let m[i < 2, j < 3] = i * 3 + j
print(mean(i < 2, j < 3) m[i, j], mean(i < 1000003) i * 1000003)
print(exp(i32(1)), sqrt(2), arange(3) * 0.5, epsilon(arange(3) * 0.5))
