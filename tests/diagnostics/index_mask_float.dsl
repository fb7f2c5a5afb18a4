let x = [1.0, 2.0, 3.0, 4.0]
let keep = [1.0, 0.0, 1.0, 0.0]
print(x[keep])
