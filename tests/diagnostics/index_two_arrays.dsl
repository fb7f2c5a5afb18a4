let m = zeros([3, 3])
print(m[[0, 1], [1, 2]])
