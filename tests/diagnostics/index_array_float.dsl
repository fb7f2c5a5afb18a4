let m = zeros([3, 3])
let rows = [0.0, 2.0]
print(m[:, rows])
