# `x[i] = ...` ranges i over the state's dimension: a right side of another size is an error
let y = [1.0, 2.0, 3.0]
let r = iterate x = zeros(5, dtype=f64) { x[i] = y[i] } until true max 1
print(r.x)
