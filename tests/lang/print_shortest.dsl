# Numbers print as the shortest text that reads back as the same value of their own type, the
# nearest to it when several do: NumPy's str() (numpy 1.24) for f16, f32 and f64. bf16 is checked
# against its definition (8 significand bits, rounding to nearest even): 0.1 is 0.10009765625,
# 1/3 is 0.333984375 (0.33 would read back as 0.330078125).
let h = f16([0.1, 0.2, 3.14159, 4112.0, 0.015625, 6e-8, 65504.0])
print(f16(0.1), f16(1.0 / 3.0), f16(-0.0), h)                    # 0.1 0.3333 -0.0 [0.1 0.2 3.14 4110.0 0.01563 6e-08 65500.0]
print(bf16(0.1), bf16(1.1), bf16(3.14159), bf16(1.0 / 3.0), bf16([257.0, 300.0, 1e30]))
print(f32(0.1), f32(33575968.0), f32(3.4e10), f32(1.26217745e-29), f32(16777217.0))
                                                                # 0.1 33575970.0 34000000000.0 1.2621775e-29 16777216.0
print(2.0 ^ -1017, 1e16, 0.1 + 0.2, 2.0 ^ 60)                   # 7.120236347223045e-307 1e+16 0.30000000000000004 1.152921504606847e+18
