let v = [1.0, 2.0, 3.0]
let m = zeros([2, 3])
print(concat(m, v))
