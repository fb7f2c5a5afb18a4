let a = zeros([2, 3, 4])
let b = zeros([2, 5, 4])
print(a @ b)
