fn f(x: f32[n]) -> f32[n, n] = x
