let m = zeros([2, 2])
let r[i] = m[i]
