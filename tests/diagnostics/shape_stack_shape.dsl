let a = zeros([2, 3])
let b = zeros([3, 2])
print(stack(a, b, axis=1))
