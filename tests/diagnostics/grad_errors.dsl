# What grad cannot differentiate, each reported where it is written.
let x = [0.5, -1.0, 2.0]
let g1 = grad(3.0)
let g2 = grad(fn(x) = x * 2)
print(g2(x))
let g3 = grad(fn(x) = sum(where(x > 0, 1.0, 0.0)))
print(g3(x))
let g4 = grad(fn(x) = f64(argmax(x)))
print(g4(x))
let g5 = grad(fn(x, y) = sum(x * y), wrt="z")
let g6 = grad(fn(x) = sum(x * 1.5))
print(g6([1, 2]))
let g7 = grad(fn(x) = sum(cumprod(x)))
print(g7(x))
