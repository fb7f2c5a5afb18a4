# tol: 1e-6
# Math builtins on scalars and tensors, in f64 and f32.
print(exp(1.0), log(2.0), sqrt(2.0), exp(0.0), log(1.0))
print(exp(710.0), exp(-746.0), log(0.0), log(-1.0), sqrt(-1.0))
print(log1p(1e-10), expm1(1e-10), tanh(0.5), sin(1.0), cos(1.0), tan(1.0), erf(0.5))
print(floor(-1.5), ceil(-1.5), round(2.5), round(3.5), round(-2.5), abs(-3), abs(-2.5))
print(sigmoid(0.0), sigmoid(30.0), sigmoid(-30.0), sigmoid(-800.0), relu(-2.0), relu(3), softplus(0.0), softplus(100.0), softplus(-100.0))
print(sign(-2.5), sign(0.0), sign(7), min(3, 4.5), max(3, 4.5), clamp(5.0, 0.0, 1.0), clamp(-5, 0, 1), pow(2.0, 10))
print(isnan(0.0 / 0.0), isnan(1.0), where(1 < 2, 10, 20))
let v = f32([0.5, 1.0, 2.0])
print(exp(v), log(v), sqrt(v))
print(exp(f32(88.0)), exp(f32(89.0)), exp(f32(-104.0)), log(f32(1e-45)))
print(sigmoid([-1.0, 0.0, 1.0]), softplus(v), tanh(v))
print(max([1.0, 4.0], [3.0, 2.0]), min([1, 4], 2), where([true, false], [1, 2], 0))
