let m = zeros([2, 3])
print(concat(m, m, axis=2))
