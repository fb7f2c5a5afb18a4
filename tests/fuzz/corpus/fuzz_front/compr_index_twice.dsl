let v = zeros(2)
let c[i, i] = v[i]
