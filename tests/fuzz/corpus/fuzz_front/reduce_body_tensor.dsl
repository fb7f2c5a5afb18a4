let m = zeros([2, 2])
print(sum(i) m[i])
