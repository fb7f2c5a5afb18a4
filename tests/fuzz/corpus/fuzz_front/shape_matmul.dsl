let a = zeros([2, 3])
let b = zeros([2, 3])
print(a @ b)
