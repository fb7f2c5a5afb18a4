fn sq(x: f64[n]) = x * x
fn apply(f, x) = f(x)
print(apply(sq, 2))
