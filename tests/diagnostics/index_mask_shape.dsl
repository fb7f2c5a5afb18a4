let x = [1.0, 2.0, 3.0, 4.0]
let keep = [true, false, true]
print(x[keep])
