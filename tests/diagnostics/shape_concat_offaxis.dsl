let a = zeros([2, 3])
let b = ones([2, 4])
print(concat(a, b))
