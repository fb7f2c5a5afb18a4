# Integer arithmetic wraps at its type's width (two's complement), as in NumPy and PyTorch: +, -,
# *, @ (BLAS-free, exact before the wrap) and sums alike. Sums of integers are i64, so a sum
# of wrapped i32 products can exceed i32. References: NumPy 1.24 with the same dtypes.
let k = i32([[100000, 100000], [100000, 100000]])
print(k @ k, k * k)
let s[i, j] = sum(t) k[i, t] * k[t, j]
print(s, k[0] @ k[:, 0])
print(i32(2147483647) + i32(1), i64(9223372036854775807) + 1, u8(250) + u8(10), i8(-128) * i8(-1))
print(i64([[3037000500, 7], [1, 1]]) @ i64([[3037000500, 0], [0, 1]]))
print(u8([[200, 100]]) @ u8([[2], [3]]), i8([100, 100]) @ i8([2, 1]))
print(sum(i64([9223372036854775807, 1])), prod(i < 21) (i + 1))
