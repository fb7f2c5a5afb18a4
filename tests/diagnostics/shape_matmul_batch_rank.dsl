let a = zeros([2, 3, 4])
let b = zeros([4, 5])
print(a @ b)
