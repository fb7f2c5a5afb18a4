fn sqdist(x, y) = sum((x - y)^2)
fn apply(f, x) = f(x)
print(apply(sqdist, [1.0, 2.0]))
