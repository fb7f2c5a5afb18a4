let x = [1.0, 2.0]
let y[i < 3] = x[i]
