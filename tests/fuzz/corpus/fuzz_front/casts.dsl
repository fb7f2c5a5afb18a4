# Casts between dtypes; f16 and bf16 round to nearest even and compute in f32.
let x = [1.0, 0.1, 3.14159, 65504.0, 70000.0, 1e-8]
print(f16(x))
print(bf16(x))
print(f32(f16(0.1)), f32(bf16(0.1)))
let h = f16([1.5, 2.25])
print(h * 2, sum(h), h + f32(1))
print(i32([1.9, -1.9, 3e10, -3e10]), u8([1.5, 300.0, -5.0]), i8([127.6, -200.0]))
print(f64(i32(7)) / 2, i64(true), f32([true, false]))
let bits = bf16([1.00390625, 1.01171875])
print(bits)
