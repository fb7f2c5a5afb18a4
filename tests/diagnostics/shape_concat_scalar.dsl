let m = zeros([2, 3])
print(concat(m, 1.0))
