let k = [1, 2, 3]
print(sum(i) k[i] - 2 * k[i])
