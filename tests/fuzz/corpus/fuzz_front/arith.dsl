# Scalar arithmetic: literals, promotion, precedence, integer and float division and modulo.
print(1 + 2 * 3, (1 + 2) * 3, 2 ^ 10, 2 ^ 3 ^ 2)
print(7 / 2, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(7.5 % 2.0, -7.5 % 2.0, 7.5 % -2.0)
print(0.1 + 0.2, 1.0 / 3.0, 1e-5, 1.5e10, 2.0 ^ 0.5, 2.0 ^ -1)
print(-3 - -3, - 2 ^ 2, (-2) ^ 2, 10 - 2 - 3, 100 / 10 / 5)
print(1 < 2, 2 <= 1, 3 == 3, 3 != 3, 1.5 > 1, 2 >= 2.5)
print(true and false, true or false, not true, not (1 > 2))
print(1_000_000 * 1_000, 9223372036854775807)
let a = 3
let b = a * 2 + 1
print(a, b, b / a, i32(b) / i32(a))
print(f32(0.1), f64(f32(0.1)), i64(3.9), i64(-3.9), i32(2.5e10), i64(0.0 / 0.0))
print(bool(2), bool(0), f32(true) + 1.0)
