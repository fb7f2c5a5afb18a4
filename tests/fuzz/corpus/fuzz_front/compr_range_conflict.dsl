let a = zeros(3)
let b = zeros(4)
let c[i] = a[i] + b[i]
